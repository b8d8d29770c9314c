#!/usr/bin/env bash
# Live: a VMM that reuses the pid of a retired VM starts from zero: the
# retired VM's entries, the per-CPU injection cache slots included, are
# cleared when it is retired (/proc/sys/kernel/ns_last_pid forces the pid).
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad --retention 0 || exit 1
out=$("$B/vsva-kvmload" -n 2 -m 4 --irqfd 5) || not_ok "vsva-kvmload failed"
pid=$(json_field "$out" pid)
vm="vm=\"vsva-kvmload/$pid\""
check "first VMM: 5 injections" 5 "$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
sleep 2.5	# exited, retention 0: retired at the next GC tick
check "first VMM retired" absent "$(metric vsva_kvm_vm_info "$vm")"

for try in 1 2 3 4 5; do
	echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
	out=$("$B/vsva-kvmload" -n 1 -m 4 --irqfd 3) || not_ok "vsva-kvmload failed"
	[ "$(json_field "$out" pid)" = "$pid" ] && break
done
check "the second VMM got the first one's pid" "$pid" "$(json_field "$out" pid)"
check "second VMM: its own 3 injections, nothing inherited" 3 \
	"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
check "second VMM: its own 1 deletion" 1 \
	"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
stop_vsvad
check "vsvad exits 0" 0 $?
