// SPDX-License-Identifier: GPL-2.0
/* Rung choice for made-up kernels. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vsva.h"

/* This machine's kernel: BTF, KVM, kvmmmu tracepoints, fentry refused. */
static const struct vsva_kcaps host = {
	.btf = true, .dev_kvm = true, .kvmmmu_tp = true, .flush_fn = true,
	.fentry_err = -EPERM, .tracefs = true, .ioctl_tp = true,
	.irq_tp = true, .pi_irte_args = 5, .proc_pi = true,
};

static void choose(const struct vsva_kcaps *k, struct vsva_choice *ms,
		   struct vsva_choice *mmu)
{
	vsva_choose_memslot(k, ms);
	vsva_choose_kvmmmu(k, mmu);
}

static void test_own_tracepoint_wins(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.own_memslot_tp = true;
	k.fentry_err = 0;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_OWN_TP);
	assert_false(ms.approximate);
	assert_int_equal(mmu.rung, VSVA_RUNG_STOCK_TP);
	/* own tracepoints carry the mode: kvmmmu not required */
	k.kvmmmu_tp = false;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(mmu.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(mmu.reason, "not in this kernel's BTF"));
}

static void test_fentry_when_allowed(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.fentry_err = 0;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_FENTRY);
	assert_non_null(strstr(ms.reason, "kvm_arch_flush_shadow_memslot"));
}

static void test_syscall_when_fentry_refused(void **st)
{
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	choose(&host, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
	assert_true(ms.approximate);
	assert_non_null(strstr(ms.reason, strerror(EPERM)));
	assert_non_null(strstr(ms.reason, "approximate"));
}

static void test_inlined_function(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.flush_fn = false;
	k.fentry_err = -ENOENT;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
	assert_non_null(strstr(ms.reason, "not in BTF"));
}

static void test_no_tracefs(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.tracefs = false;
	k.ioctl_tp = false;
	strcpy(k.tracefs_msg, "tracefs is not mounted; run 'mount ...'");
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ms.reason, "run 'mount ...'"));
	/* tp_btf needs no tracefs */
	assert_int_equal(mmu.rung, VSVA_RUNG_STOCK_TP);
}

static void test_no_syscall_tracepoints(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.ioctl_tp = false;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ms.reason, "CONFIG_FTRACE_SYSCALLS"));
}

static void test_no_kvm(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.dev_kvm = false;
	k.own_memslot_tp = true;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_int_equal(mmu.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ms.reason, "no /dev/kvm"));
}

static void test_no_btf(void **st)
{
	struct vsva_kcaps k = { .dev_kvm = true, .tracefs = true,
				.ioctl_tp = true, .fentry_err = -ENOENT };
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ms.reason, "CONFIG_DEBUG_INFO_BTF"));
	assert_int_equal(mmu.rung, VSVA_RUNG_NONE);
}

static void test_no_mode_source(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.kvmmmu_tp = false;
	k.fentry_err = 0;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ms.reason, "zap mode"));
}

static void test_tdp_mmu_is_approximate(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	choose(&k, &ms, &mmu);
	assert_false(mmu.approximate);
	k.tdp_mmu = true;
	choose(&k, &ms, &mmu);
	assert_int_equal(mmu.rung, VSVA_RUNG_STOCK_TP);
	assert_true(mmu.approximate);
	assert_non_null(strstr(mmu.reason, "TDP MMU"));
	/* the zap mode still comes from kvm_mmu_zap_all_fast */
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
}

static void test_forced_rung(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice c = { 0 };
	enum vsva_rung r;

	k.own_memslot_tp = true;
	k.fentry_err = 0;
	vsva_choose_memslot_forced(&k, VSVA_RUNG_FENTRY, &c);
	assert_int_equal(c.rung, VSVA_RUNG_FENTRY);
	vsva_choose_memslot_forced(&k, VSVA_RUNG_SYSCALL_TP, &c);
	assert_int_equal(c.rung, VSVA_RUNG_SYSCALL_TP);
	/* a forced rung the kernel lacks: unavailable, never another rung */
	vsva_choose_memslot_forced(&host, VSVA_RUNG_FENTRY, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "forced rung fentry"));
	assert_int_equal(vsva_rung_parse("fentry", &r), 0);
	assert_int_equal(r, VSVA_RUNG_FENTRY);
	assert_int_equal(vsva_rung_parse("none", &r), -1);
	assert_int_equal(vsva_rung_parse("bogus", &r), -1);
}

static void test_irq_choices(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice c = { 0 };

	vsva_choose_irq_injection(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_STOCK_TP);
	assert_non_null(strstr(c.reason, "kernel/0"));
	/* no series: producers from PI IRTE updates, approximate */
	vsva_choose_irq_bypass(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_STOCK_TP);
	assert_true(c.approximate);
	k.pi_irte_args = 6;		/* 6.12's layout works too */
	vsva_choose_irq_bypass(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_STOCK_TP);
	k.pi_irte_args = 4;		/* a layout vsva does not know */
	vsva_choose_irq_bypass(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	k.own_bypass_tp = true;
	vsva_choose_irq_bypass(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);
	assert_false(c.approximate);

	vsva_choose_bypass_connect(&host, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "vsva series"));
	k.irqbypass_tp = true;
	vsva_choose_bypass_connect(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);

	vsva_choose_posted(&host, &c);
	assert_int_equal(c.rung, VSVA_RUNG_PROCFS);
	k.proc_pi = false;
	vsva_choose_posted(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "PIN/NPI/PIW"));

	k = host;
	k.dev_kvm = false;
	vsva_choose_irq_injection(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "no /dev/kvm"));
}

static void test_iommu_choices(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice c = { 0 };

	k.iommu_tp = true;
	k.pasid_fn = true;
	vsva_choose_iommu(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_STOCK_TP);
	/* this host: fentry refused, no series */
	vsva_choose_pasid(&k, 0, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, strerror(EPERM)));
	k.fentry_err = 0;
	vsva_choose_pasid(&k, 0, &c);
	assert_int_equal(c.rung, VSVA_RUNG_FENTRY);
	k.own_pasid_tp = true;
	vsva_choose_pasid(&k, 0, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);
	vsva_choose_pasid(&k, VSVA_RUNG_FENTRY, &c);
	assert_int_equal(c.rung, VSVA_RUNG_FENTRY);
	k.fentry_err = -EPERM;
	vsva_choose_pasid(&k, VSVA_RUNG_FENTRY, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "forced rung fentry"));

	vsva_choose_sva(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	k.own_sva_tp = true;
	vsva_choose_sva(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);
	vsva_choose_iommufd(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "vsva series"));
	k.own_iommufd_tp = true;
	vsva_choose_iommufd(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);
	/* no KVM needed for the IOMMU side */
	k.dev_kvm = false;
	vsva_choose_iommufd(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_OWN_TP);
}

static int occurrences(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* Debian 11's 5.10: KVM is a module without BTF, fentry on vmlinux works */
static const struct vsva_kcaps linux510 = {
	.btf = true, .dev_kvm = true, .kvm_no_btf = true, .fentry_err = 0,
	.tracefs = true, .ioctl_tp = true, .kvmmmu_classic = true,
	.irq_classic = true, .prealloc = true, .iommu_tp = true,
};

static void test_kvm_module_without_btf(void **st)
{
	struct vsva_kcaps k = linux510;
	struct vsva_choice ms = { 0 }, mmu = { 0 }, c = { 0 };

	choose(&k, &ms, &mmu);
	assert_int_equal(mmu.rung, VSVA_RUNG_CLASSIC_TP);
	assert_false(mmu.approximate);
	assert_non_null(strstr(mmu.reason, "no module BTF"));
	/* fentry cannot reach the module: the syscall rung, saying why */
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
	assert_non_null(strstr(ms.reason, "no fentry: KVM is a module"));
	vsva_choose_irq_injection(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_CLASSIC_TP);
	vsva_choose_irq_bypass(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "no module BTF"));
	/* a field missing from the format: none, with the message */
	k.irq_classic = false;
	snprintf(k.classic_msg, sizeof(k.classic_msg),
		 "kvm/kvm_msi_set_irq has no field 'data' of 8 bytes");
	vsva_choose_irq_injection(&k, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "no field 'data'"));
	/* with kprobes: the flush itself is timed, exactly */
	k.kprobe_flush = true;
	vsva_choose_memslot(&k, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_KPROBE);
	assert_false(ms.approximate);
	vsva_choose_memslot_forced(&k, VSVA_RUNG_SYSCALL_TP, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
	assert_non_null(strstr(ms.reason, "kprobe not used"));
	k.fentry_err = 0;
	k.kvm_no_btf = false;
	k.flush_fn = true;		/* fentry beats kprobe */
	vsva_choose_memslot(&k, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_FENTRY);
	vsva_choose_memslot_forced(&k, VSVA_RUNG_KPROBE, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_KPROBE);
	k.kvm_no_btf = true;
	k.flush_fn = false;
		/* BTF wins over tracefs when both are there */
	k.kvmmmu_tp = true;
	vsva_choose_kvmmmu(&k, &mmu);
	assert_int_equal(mmu.rung, VSVA_RUNG_STOCK_TP);
}

static void test_refused_rungs_fall(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice ms = { 0 }, mmu = { 0 };

	k.fentry_err = 0;
	k.kvmmmu_classic = true;
	choose(&k, &ms, &mmu);
	assert_int_equal(ms.rung, VSVA_RUNG_FENTRY);
	/* the fentry programs failed to load: next rung, reason kept */
	ms.refused |= 1u << VSVA_RUNG_FENTRY;
	snprintf(ms.failed, sizeof(ms.failed), "the fentry rung failed "
		 "(program fexit_flush_memslot: R4 unbounded memory access)");
	vsva_choose_memslot(&k, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_SYSCALL_TP);
	assert_non_null(strstr(ms.reason, "R4 unbounded memory access"));
	ms.refused |= 1u << VSVA_RUNG_SYSCALL_TP;
	vsva_choose_memslot(&k, &ms);
	assert_int_equal(ms.rung, VSVA_RUNG_NONE);
	assert_null(strstr(ms.reason, "CONFIG_FTRACE_SYSCALLS"));
	/* the failure text appears once, not again on every choice */
	vsva_choose_memslot(&k, &ms);
	assert_int_equal(occurrences(ms.reason, "R4 unbounded"), 1);
	mmu.refused |= 1u << VSVA_RUNG_STOCK_TP;
	vsva_choose_kvmmmu(&k, &mmu);
	assert_int_equal(mmu.rung, VSVA_RUNG_CLASSIC_TP);
	mmu.refused |= 1u << VSVA_RUNG_CLASSIC_TP;
	vsva_choose_kvmmmu(&k, &mmu);
	assert_int_equal(mmu.rung, VSVA_RUNG_NONE);
}

static void test_pasid_layouts(void **st)
{
	struct vsva_kcaps k = host;
	struct vsva_choice c = { 0 };

	k.fentry_err = 0;
	k.pasid_fn = false;
	k.pasid_attach_args = 5;	/* a layout vsva does not know */
	vsva_choose_pasid(&k, 0, &c);
	assert_int_equal(c.rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(c.reason, "has 5 arguments"));
}

static void test_rung_names(void **st)
{
	assert_string_equal(vsva_rung_name(VSVA_RUNG_NONE), "none");
	assert_string_equal(vsva_rung_name(VSVA_RUNG_OWN_TP), "tracepoint");
	assert_string_equal(vsva_rung_name(VSVA_RUNG_SYSCALL_TP),
			    "syscall_tracepoint");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_tracepoint_wins),
		cmocka_unit_test(test_fentry_when_allowed),
		cmocka_unit_test(test_syscall_when_fentry_refused),
		cmocka_unit_test(test_inlined_function),
		cmocka_unit_test(test_no_tracefs),
		cmocka_unit_test(test_no_syscall_tracepoints),
		cmocka_unit_test(test_no_kvm),
		cmocka_unit_test(test_no_btf),
		cmocka_unit_test(test_no_mode_source),
		cmocka_unit_test(test_tdp_mmu_is_approximate),
		cmocka_unit_test(test_forced_rung),
		cmocka_unit_test(test_irq_choices),
		cmocka_unit_test(test_iommu_choices),
		cmocka_unit_test(test_rung_names),
		cmocka_unit_test(test_kvm_module_without_btf),
		cmocka_unit_test(test_refused_rungs_fall),
		cmocka_unit_test(test_pasid_layouts),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
