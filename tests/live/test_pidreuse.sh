#!/usr/bin/env bash
# Live: a VMM that gets the pid of one that exited is a new VM, whether
# the old VM was already retired or is still kept for the retention
# window: its counters are its own (the per-CPU injection cache slots
# included), its state is running, and the old VM is retired at once.
# /proc/sys/kernel/ns_last_pid forces the pid.
. "$(dirname "$0")/lib.sh"
require_live

# run vsva-kvmload ARGS... under pid $1 (a few tries: another process may
# take the pid first); its JSON on stdout
under_pid() {
	local want=$1 try out
	shift
	for try in 1 2 3 4 5; do
		echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
		out=$("$B/vsva-kvmload" "$@") || return 1
		[ "$(json_field "$out" pid)" = "$want" ] && break
	done
	echo "$out"
}

reuse() { # RETENTION WHAT
	start_vsvad --retention "$1" || exit 1
	out=$("$B/vsva-kvmload" -n 2 -m 4 --irqfd 5) || not_ok "vsva-kvmload failed"
	pid=$(json_field "$out" pid)
	vm="vm=\"vsva-kvmload/$pid\""
	check "$2: first VMM, 5 injections" 5 "$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
	check "$2: first VMM, 2 deletions" 2 "$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
	if [ "$1" = 0 ]; then
		sleep 2.5	# exited, retention 0: retired at the next GC tick
		check "$2: first VMM retired" absent "$(metric vsva_kvm_vm_info "$vm")"
	fi

	# the second VMM pauses with its VM created: scraped while it runs
	under_pid "$pid" -n 1 -m 4 --irqfd 3 --pause 3 >"$TMP/second.json" &
	second=$!
	sleep 1.5
	check "$2: the second VMM's VM is running" 1 \
		"$(metric vsva_kvm_vm_info "$vm,pid=\"$pid\",comm=\"vsva-kvmload\",state=\"running\"")"
	check "$2: the old VM is gone at once: one entry under that name" 1 \
		"$(scrape | grep -c "^vsva_kvm_vm_info{$vm,")"
	check "$2: nothing inherited while it runs (no deletion yet)" absent \
		"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
	wait $second || not_ok "$2: second vsva-kvmload failed"
	check "$2: the second VMM got the first one's pid" "$pid" \
		"$(json_field "$(cat "$TMP/second.json")" pid)"
	check "$2: second VMM, its own 3 injections" 3 \
		"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
	check "$2: second VMM, its own 1 deletion" 1 \
		"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
	stop_vsvad
	check "$2: vsvad exits 0" 0 $?
}

reuse 0 "after retirement"
reuse 300 "within the retention window"
