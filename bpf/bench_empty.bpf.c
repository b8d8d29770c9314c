// SPDX-License-Identifier: GPL-2.0
/*
 * Empty programs on the same hooks as memslot.bpf.c: the baseline that
 * vsva-bench compares each real program's per-event cost with.  Named
 * empty_<name of the real program>.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tp.bpf.h"

SEC("tp_btf/kvm_flush_shadow_memslot_enter")
int BPF_PROG(empty_own_flush_enter) { return 0; }
SEC("tp_btf/kvm_flush_shadow_memslot_exit")
int BPF_PROG(empty_own_flush_exit) { return 0; }
SEC("fentry/kvm_arch_flush_shadow_memslot")
int BPF_PROG(empty_fentry_flush_memslot) { return 0; }
SEC("fexit/kvm_arch_flush_shadow_memslot")
int BPF_PROG(empty_fexit_flush_memslot) { return 0; }
SEC("tracepoint/syscalls/sys_enter_ioctl")
int empty_sys_enter_ioctl(void *ctx) { return TP_KEEP; }
SEC("tracepoint/syscalls/sys_exit_ioctl")
int empty_sys_exit_ioctl(void *ctx) { return TP_KEEP; }
SEC("tp_btf/kvm_mmu_zap_all_fast")
int BPF_PROG(empty_kvm_mmu_zap_all_fast) { return 0; }
SEC("tp_btf/kvm_mmu_prepare_zap_page")
int BPF_PROG(empty_kvm_mmu_prepare_zap_page) { return 0; }
SEC("tp_btf/kvm_mmu_get_page")
int BPF_PROG(empty_kvm_mmu_get_page) { return 0; }
SEC("tp_btf/sched_process_exit")
int BPF_PROG(empty_sched_process_exit) { return 0; }

SEC("tp_btf/kvm_msi_set_irq")
int BPF_PROG(empty_kvm_msi_set_irq) { return 0; }
SEC("tp_btf/kvm_set_irq")
int BPF_PROG(empty_kvm_set_irq) { return 0; }
SEC("tp_btf/kvm_ioapic_set_irq")
int BPF_PROG(empty_kvm_ioapic_set_irq) { return 0; }
SEC("tp_btf/kvm_pic_set_irq")
int BPF_PROG(empty_kvm_pic_set_irq) { return 0; }
SEC("tp_btf/kvm_pi_irte_update")
int BPF_PROG(empty_kvm_pi_irte_update) { return 0; }
/* classic tracepoint rung twins */
SEC("tracepoint/kvm/kvm_msi_set_irq")
int empty_tp_kvm_msi_set_irq(void *ctx) { return TP_KEEP; }
SEC("tracepoint/kvmmmu/kvm_mmu_get_page")
int empty_tp_kvm_mmu_get_page(void *ctx) { return TP_KEEP; }
SEC("tracepoint/syscalls/sys_enter_ioctl")
int empty_sys_enter_create_vm(void *ctx) { return TP_KEEP; }
SEC("tracepoint/syscalls/sys_exit_ioctl")
int empty_sys_exit_create_vm(void *ctx) { return TP_KEEP; }
SEC("tp_btf/map")
int BPF_PROG(empty_iommu_map) { return 0; }
SEC("tp_btf/unmap")
int BPF_PROG(empty_iommu_unmap) { return 0; }
SEC("tp_btf/attach_device_to_domain")
int BPF_PROG(empty_attach_device_to_domain) { return 0; }
SEC("tp_btf/io_page_fault")
int BPF_PROG(empty_io_page_fault) { return 0; }

char LICENSE[] SEC("license") = "GPL";
