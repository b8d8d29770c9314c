#!/usr/bin/env bash
# Live: software interrupt injection counted exactly per VM and path; the
# bypass and posted-interrupt measurements report their rung or why not.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad || exit 1
probe() { scrape | grep "^vsva_probe_info{measurement=\"$1\""; }
check_match "kvm_irq_injection uses the stock tracepoints" \
	'rung="stock_tracepoint"' "$(probe kvm_irq_injection)"
check_match "kvm_irq_bypass reports its rung, approximate without the series" \
	'rung="(tracepoint",approximate="false|stock_tracepoint",approximate="true)' \
	"$(probe kvm_irq_bypass)"
check_match "irq_bypass_connect says why it is unavailable" \
	'rung="none".*reason="no irqbypass tracepoints' "$(probe irq_bypass_connect)"
if grep -q '^ *PIN:' /proc/interrupts; then
	check_match "posted_interrupts read from /proc/interrupts" 'rung="procfs"' \
		"$(probe posted_interrupts)"
	check "one notification counter per online CPU" "$(nproc)" \
		"$(scrape | grep -c '^vsva_posted_interrupts_total{cpu="[0-9]*",kind="notification"}')"
else
	check_match "posted_interrupts unavailable, says why" 'rung="none".*PIN/NPI/PIW' \
		"$(probe posted_interrupts)"
fi

for n in 1 25 300; do
	out=$("$B/vsva-kvmload" -n 0 -m 4 --irqfd "$n") ||
		{ not_ok "vsva-kvmload --irqfd $n failed"; continue; }
	pid=$(json_field "$out" pid)
	check "irqfd MSI: $n signals are $n injections for the VM" "$n" \
		"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$pid\",path=\"msi\",irq=\"64\"")"
done

check "BPF run-time statistics on as root" 1 "$(metric vsva_bpf_stats_enabled '')"
check_gt "kvm_msi_set_irq program runs counted (>= 325 injections)" 324 \
	"$(metric vsva_bpf_prog_runs_total 'prog="kvm_msi_set_irq"')"
check_gt "its run time is exported" 0 \
	"$(metric vsva_bpf_prog_run_seconds_total 'prog="kvm_msi_set_irq"')"
check_gt "exited VMs are counted as retained" 2 "$(metric vsva_vms_retained '')"

# irqfd on an IOAPIC pin: KVM injects from a kworker and may coalesce
gsi_before() { metric vsva_kvm_irq_gsi_asserted_total 'vm="kernel/0",gsi="5"' | sed 's/absent/0/'; }
before=$(gsi_before)
"$B/vsva-kvmload" -n 0 -m 4 --irqfd 10 --irqfd-route ioapic >/dev/null ||
	not_ok "vsva-kvmload --irqfd-route ioapic failed"
delta=$(($(gsi_before) - before))
if [ "$delta" -ge 1 ] && [ "$delta" -le 10 ]; then
	ok "irqfd IOAPIC: 10 signals gave $delta GSI 5 assertions (1..10: coalesced)"
else
	not_ok "irqfd IOAPIC: expected 1..10 GSI 5 assertions, got $delta"
fi
stop_vsvad
