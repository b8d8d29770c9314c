#!/usr/bin/env bash
# Live: interrupts are charged to the VM, not to whoever signals its irqfd.
# On this host's rungs (stock tracepoints) the hook cannot reach the VM,
# so work by a task that is not a known VMM is counted as "unattributed";
# a VM that existed before vsvad started is found and named; a VMM with
# two VMs has two entries.
. "$(dirname "$0")/lib.sh"
require_live

probe() { scrape | grep "^vsva_probe_info{measurement=\"$1\""; }
start_vsvad || exit 1
check_match "kvm_vm_lifecycle reports its rung" \
	'rung="(fentry|kprobe|syscall_tracepoint)"' "$(probe kvm_vm_lifecycle)"
check_match "kvm_irq_injection says what lands in unattributed" \
	'vm=\\"unattributed\\"' "$(probe kvm_irq_injection)"
before=$(metric vsva_kvm_irq_injected_total 'vm="unattributed",path="msi"' | sed 's/absent/0/')

# the VMM signals its own irqfd: its VM
out=$("$B/vsva-kvmload" -n 0 -m 4 --irqfd 30) || not_ok "vsva-kvmload failed"
vmm=$(json_field "$out" pid)
check "the VMM's own irqfd writes: 30 injections for its VM" 30 \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$vmm\",path=\"msi\"")"

# a forked backend signals it (vhost-user's call fd): never the backend's
out=$("$B/vsva-kvmload" -n 0 -m 4 --irqfd 40 --irqfd-from-child) ||
	not_ok "vsva-kvmload --irqfd-from-child failed"
vmm=$(json_field "$out" pid)
child=$(json_field "$out" signaller_pid)
[ "$child" != "$vmm" ] || not_ok "the signaller was not a separate process"
check "backend's writes: nothing charged to the backend ($child)" absent \
	"$(metric vsva_kvm_irq_injected_total "/$child\"")"
check "... and no VM entry for it" absent \
	"$(metric vsva_kvm_vm_info "pid=\"$child\"")"
check "... nothing guessed for the VMM either" absent \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$vmm\"")"
after=$(metric vsva_kvm_irq_injected_total 'vm="unattributed",path="msi"')
check "... 40 injections counted as unattributed" 40 "$((after - before))"
stop_vsvad

# a VMM that created its VM before vsvad started is a VM too
"$B/vsva-kvmload" -n 2 -m 4 --irqfd 7 --pause 4 >"$TMP/pre.json" &
pre=$!
sleep 0.5
start_vsvad || exit 1
check_gt "the running VMM is known at start" 0 "$(metric vsva_kvm_vmms_known '')"
wait $pre || not_ok "the pre-existing VMM failed"
vmm=$(json_field "$(cat "$TMP/pre.json")" pid)
check "pre-existing VM: its 7 injections are its own" 7 \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$vmm\",path=\"msi\"")"
check "pre-existing VM: its 2 deletions are its own" 2 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$vmm\",mode=\"all_fast\"")"
check "pre-existing VM: named from its comm" 1 \
	"$(metric vsva_kvm_vm_info "vm=\"vsva-kvmload/$vmm\",pid=\"$vmm\",comm=\"vsva-kvmload\"")"
stop_vsvad
check "vsvad exits 0" 0 $?

# VM k of a VMM with two does k times the deletions and irqfd writes
two_vms() { # WHAT VMM DELETIONS SIGNALS
	local n vm1="vm=\"vsva-kvmload/$2\"" vm2="vm=\"vsva-kvmload/$2#2\""

	check "$1: two VM entries" 2 \
		"$(scrape | grep -c "^vsva_kvm_vm_info{vm=\"vsva-kvmload/$2[\"#]")"
	for n in 1 2; do
		eval "vm=\$vm$n"
		check "$1: VM $n's own $((n * $3)) deletions" $((n * $3)) \
			"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
	done
	if [[ $(probe kvm_irq_injection) == *'rung="fentry"'* ]]; then
		check "$1: VM 1's $4 injections" "$4" \
			"$(metric vsva_kvm_irq_injected_total "$vm1,path=\"msi\"")"
		check "$1: VM 2's $((2 * $4)) injections" $((2 * $4)) \
			"$(metric vsva_kvm_irq_injected_total "$vm2,path=\"msi\"")"
	else	# a stock tracepoint: by process, the VMM's newest VM
		check "$1: by process, all $((3 * $4)) injections on the newest VM" \
			$((3 * $4)) "$(metric vsva_kvm_irq_injected_total "$vm2,path=\"msi\"")"
		check "$1: ... none guessed for the other" absent \
			"$(metric vsva_kvm_irq_injected_total "$vm1,path=\"msi\"")"
	fi
}

# a VMM with two VMs: two entries; the syscall rung finds a deletion's VM
# by the fd it is made on, fentry by the struct kvm
start_vsvad || exit 1
out=$("$B/vsva-kvmload" -n 2 -m 4 --irqfd 5 --vms 2) || not_ok "vsva-kvmload --vms 2 failed"
two_vms "two VMs in one VMM" "$(json_field "$out" pid)" 2 5
stop_vsvad

# ... and the same when both predate vsvad: each VM fd found is a VM
"$B/vsva-kvmload" -n 1 -m 4 --irqfd 2 --vms 2 --pause 4 >"$TMP/pre2.json" &
pre=$!
sleep 0.5
start_vsvad || exit 1
wait $pre || not_ok "the pre-existing VMM with two VMs failed"
two_vms "two pre-existing VMs" "$(json_field "$(cat "$TMP/pre2.json")" pid)" 1 2
stop_vsvad
check "vsvad exits 0" 0 $?
