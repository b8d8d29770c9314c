#!/usr/bin/env bash
# Live: one object failing never takes vsvad down.  VSVA_TEST_REJECT makes
# the kernel refuse named programs (loaded as socket filters, which may not
# use tracing helpers or a tracepoint's context); the measurement that owns
# a refused program falls to its next rung, or to none with the reason,
# and everything else is served and counts exactly.
. "$(dirname "$0")/lib.sh"
require_live

probe() { scrape | grep "^vsva_probe_info{measurement=\"$1\""; }

stopped() {
	stop_vsvad
	check "vsvad exits 0 on SIGTERM" 0 $?
}

# irq: stock tp_btf program refused -> the classic tracepoint rung, exact
VSVA_TEST_REJECT=kvm_msi_set_irq start_vsvad || exit 1
check_match "irq: refused tp_btf program -> classic_tracepoint, reason names it" \
	'rung="classic_tracepoint".*the stock_tracepoint rung failed \(program kvm_msi_set_irq: ' \
	"$(probe kvm_irq_injection)"
out=$("$B/vsva-kvmload" -n 2 -m 4 --irqfd 30) || not_ok "vsva-kvmload failed"
pid=$(json_field "$out" pid)
check "irq: 30 MSI injections counted exactly on the fallback rung" 30 \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$pid\",path=\"msi\"")"
check "memslot unaffected: 2 deletions" 2 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$pid\",mode=\"all_fast\"")"
# the classic programs decode gsi, level and the redirection entry by the
# offsets read from tracefs: an IOAPIC irqfd (injected by a kworker,
# coalesced: 1..10 assertions)
"$B/vsva-kvmload" -n 0 -m 4 --irqfd 10 --irqfd-route ioapic >/dev/null ||
	not_ok "vsva-kvmload --irqfd-route ioapic failed"
in_range() { # NAME VALUE
	if [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 10 ]; then
		ok "$1 ($2 of 10 signals)"
	else
		not_ok "$1: expected 1..10, got '$2'"
	fi
}
in_range "classic rung: GSI 5 assertions decoded" \
	"$(metric vsva_kvm_irq_gsi_asserted_total 'vm="kernel/0",gsi="5"')"
# the workload's guest never unmasks pin 5: a wrongly decoded redirection
# entry (mask bit 16 of field e) would count these as injections
check "classic rung: masked IOAPIC pin not counted as injected" absent \
	"$(metric vsva_kvm_irq_injected_total 'vm="kernel/0",path="ioapic"')"
stopped

# irq: both rungs refused -> none; the others still count
VSVA_TEST_REJECT=kvm_msi_set_irq,tp_kvm_msi_set_irq start_vsvad || exit 1
check_match "irq: every rung refused -> none, with both failures" \
	'rung="none".*stock_tracepoint rung failed.*classic_tracepoint rung failed' \
	"$(probe kvm_irq_injection)"
out=$("$B/vsva-kvmload" -n 3 -m 4 --irqfd 5) || not_ok "vsva-kvmload failed"
pid=$(json_field "$out" pid)
check "irq none: no injection series (not a silent zero)" absent \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$pid\"")"
check "irq none: memslot still counts 3 deletions" 3 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$pid\",mode=\"all_fast\"")"
stopped

# memslot: the syscall rung's program refused by the verifier -> none with
# the verifier's line; kvm_mmu_pages (same object) and irq still work
VSVA_TEST_REJECT=sys_exit_ioctl start_vsvad || exit 1
check_match "memslot: refused -> none, reason is the verifier's line" \
	'rung="none".*syscall_tracepoint rung failed \(program sys_exit_ioctl: invalid bpf_context access' \
	"$(probe kvm_memslot_zap)"
check_match "memslot's object still serves kvm_mmu_pages" \
	'rung="stock_tracepoint"' "$(probe kvm_mmu_pages)"
out=$("$B/vsva-kvmload" -n 2 -m 4 --irqfd 7) || not_ok "vsva-kvmload failed"
pid=$(json_field "$out" pid)
check "memslot none: irq still counts 7" 7 \
	"$(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$pid\",path=\"msi\"")"
check_gt "memslot none: new MMU pages still counted" 0 \
	"$(metric vsva_kvm_mmu_pages_created_total "vm=\"vsva-kvmload/$pid\"")"
stopped

# kvmmmu refused on both rungs: memslot's fallback rungs need it for the
# zap mode, so memslot says so instead of guessing
VSVA_TEST_REJECT=kvm_mmu_zap_all_fast,tp_kvm_mmu_zap_all_fast start_vsvad || exit 1
check_match "kvmmmu refused twice -> none" 'rung="none".*classic_tracepoint rung failed' \
	"$(probe kvm_mmu_pages)"
check_match "memslot then says the zap mode is unknown" \
	'rung="none".*zap mode comes from the kvmmmu tracepoints' "$(probe kvm_memslot_zap)"
stopped

# iommu: the stock program refused -> none with the reason, vsvad serves
VSVA_TEST_REJECT=attach_device_to_domain start_vsvad || exit 1
check_match "iommu: refused -> none, names the program" \
	'rung="none".*stock_tracepoint rung failed \(program attach_device_to_domain' \
	"$(probe iommu)"
check_match "irq unaffected" 'rung="stock_tracepoint"' "$(probe kvm_irq_injection)"
stopped
