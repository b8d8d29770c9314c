// SPDX-License-Identifier: GPL-2.0
/* The ladder as data: rung choice for made-up kernels, and the table
 * checked against the BPF objects and the sources. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "priv.h"
#include "vsva/ladder.h"
#include "memslot.skel.h"
#include "irq.skel.h"
#include "iommu.skel.h"

#define B(f)	VSVA_BIT(VSVA_F_##f)

/* A kernel with @have; every missing feature says "no <its number>". */
static struct vsva_features kernel(uint32_t have)
{
	struct vsva_features f = { .have = have };
	int i;

	for (i = 0; i < VSVA_NFEATURES; i++)
		if (!(have & VSVA_BIT(i)))
			snprintf(f.why[i], sizeof(f.why[i]), "no feature %d", i);
	return f;
}

/* This machine's kernel: BTF, KVM, kvmmmu and irq tracepoints, the
 * 5-argument kvm_pi_irte_update, fentry refused, no kprobes. */
#define HOST	(B(BTF) | B(KVM) | B(KVMMMU_TP) | B(KVMMMU_CLASSIC) | \
		 B(IRQ_TP) | B(IRQ_CLASSIC) | B(IOCTL_TP) | B(PI_IRTE_TP) | \
		 B(PROC_PI) | B(IOMMU_TP))

static struct vsva_choice ch[VSVA_NMEASUREMENTS];
static const enum vsva_rung no_force[VSVA_NMEASUREMENTS];

static void choose(const struct vsva_features *f, const enum vsva_rung *force)
{
	memset(ch, 0, sizeof(ch));
	vsva_choose_all(f, force ? force : no_force, ch);
}

static void test_host(void **st)
{
	struct vsva_features f = kernel(HOST);

	snprintf(f.why[VSVA_F_FLUSH_FENTRY], 160, "fentry refused: %s",
		 strerror(EPERM));
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_SYSCALL_TP);
	assert_true(ch[VSVA_M_MEMSLOT].approximate);
	assert_non_null(strstr(ch[VSVA_M_MEMSLOT].reason, strerror(EPERM)));
	assert_non_null(strstr(ch[VSVA_M_MEMSLOT].reason, "whole"));
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_STOCK_TP);
	assert_false(ch[VSVA_M_MMU_PAGES].approximate);
	assert_int_equal(ch[VSVA_M_IRQ_INJECTION].rung, VSVA_RUNG_STOCK_TP);
	assert_non_null(strstr(ch[VSVA_M_IRQ_INJECTION].reason, "kernel/0"));
	assert_int_equal(ch[VSVA_M_IRQ_BYPASS].rung, VSVA_RUNG_STOCK_TP);
	assert_true(ch[VSVA_M_IRQ_BYPASS].approximate);
	assert_int_equal(ch[VSVA_M_BYPASS_CONNECT].rung, VSVA_RUNG_NONE);
	assert_int_equal(ch[VSVA_M_POSTED].rung, VSVA_RUNG_PROCFS);
	assert_int_equal(ch[VSVA_M_IOMMU].rung, VSVA_RUNG_STOCK_TP);
	assert_int_equal(ch[VSVA_M_PASID].rung, VSVA_RUNG_NONE);
}

static void test_best_rung_wins(void **st)
{
	struct vsva_features f = kernel(HOST | B(FLUSH_FENTRY) |
					B(FLUSH_KPROBE));

	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_FENTRY);
	assert_false(ch[VSVA_M_MEMSLOT].approximate);
	f = kernel(HOST | B(FLUSH_KPROBE));
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_KPROBE);
	/* why the higher rungs lost, from their features' reasons */
	assert_non_null(strstr(ch[VSVA_M_MEMSLOT].reason, "no feature 3"));
	f.have |= B(OWN_MEMSLOT_TP) | B(OWN_BYPASS_TP) | B(IRQBYPASS_TP) |
		  B(OWN_PASID_TP) | B(OWN_SVA_TP) | B(OWN_IOMMUFD_TP);
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(ch[VSVA_M_IRQ_BYPASS].rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(ch[VSVA_M_BYPASS_CONNECT].rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(ch[VSVA_M_PASID].rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(ch[VSVA_M_SVA].rung, VSVA_RUNG_OWN_TP);
	assert_int_equal(ch[VSVA_M_IOMMUFD].rung, VSVA_RUNG_OWN_TP);
}

static void test_no_kvm_no_btf(void **st)
{
	struct vsva_features f = kernel(HOST & ~B(KVM));
	int m;

	snprintf(f.why[VSVA_F_KVM], 160, "no /dev/kvm: KVM is not available");
	choose(&f, NULL);
	for (m = 0; m < VSVA_NMEASUREMENTS; m++) {
		if (vsva_measurements[m].source == VSVA_SRC_IOMMU ||
		    m == VSVA_M_POSTED || m == VSVA_M_BYPASS_CONNECT)
			continue;
		assert_int_equal(ch[m].rung, VSVA_RUNG_NONE);
		/* the shared cause first, and said once */
		assert_ptr_equal(strstr(ch[m].reason, "no /dev/kvm"),
				 ch[m].reason);
		assert_null(strstr(ch[m].reason + 1, "no /dev/kvm"));
	}
	/* the IOMMU side needs no KVM */
	assert_int_equal(ch[VSVA_M_IOMMU].rung, VSVA_RUNG_STOCK_TP);
	f = kernel(B(KVM) | B(PROC_PI));
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_NONE);
	assert_int_equal(ch[VSVA_M_IOMMU].rung, VSVA_RUNG_NONE);
	assert_int_equal(ch[VSVA_M_POSTED].rung, VSVA_RUNG_PROCFS);
}

static void test_zap_mode_needs_kvmmmu(void **st)
{
	struct vsva_features f = kernel((HOST | B(FLUSH_FENTRY)) &
					~B(KVMMMU_TP) & ~B(KVMMMU_CLASSIC));

	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_NONE);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ch[VSVA_M_MEMSLOT].reason, "zap mode"));
	/* the own tracepoint carries the mode itself */
	f.have |= B(OWN_MEMSLOT_TP);
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_OWN_TP);
}

static void test_tdp_mmu_is_approximate(void **st)
{
	struct vsva_features f = kernel(HOST | B(TDP_MMU));

	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_STOCK_TP);
	assert_true(ch[VSVA_M_MMU_PAGES].approximate);
	assert_non_null(strstr(ch[VSVA_M_MMU_PAGES].reason, "TDP MMU"));
	f.have &= ~B(KVMMMU_TP);
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_CLASSIC_TP);
	assert_true(ch[VSVA_M_MMU_PAGES].approximate);
}

/* Debian 11's 5.10: KVM is a module without BTF, kprobes work */
static void test_kvm_module_without_btf(void **st)
{
	struct vsva_features f = kernel(B(BTF) | B(KVM) | B(IOCTL_TP) |
					B(KVMMMU_CLASSIC) | B(IRQ_CLASSIC) |
					B(FLUSH_KPROBE) | B(IOMMU_TP));

	snprintf(f.why[VSVA_F_KVMMMU_TP], 160, "kvmmmu tracepoints: KVM is a "
		 "module and this kernel has no module BTF (Linux 5.11+)");
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_CLASSIC_TP);
	assert_non_null(strstr(ch[VSVA_M_MMU_PAGES].reason, "module BTF"));
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_KPROBE);
	assert_false(ch[VSVA_M_MEMSLOT].approximate);
	assert_int_equal(ch[VSVA_M_IRQ_INJECTION].rung, VSVA_RUNG_CLASSIC_TP);
	assert_int_equal(ch[VSVA_M_IRQ_BYPASS].rung, VSVA_RUNG_NONE);
	f.have &= ~B(FLUSH_KPROBE);
	choose(&f, NULL);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_SYSCALL_TP);
}

static void test_forced_rungs(void **st)
{
	struct vsva_features f = kernel(HOST | B(FLUSH_FENTRY) |
					B(OWN_MEMSLOT_TP));
	enum vsva_rung force[VSVA_NMEASUREMENTS] = { 0 };
	char err[256];

	assert_int_equal(vsva_rung_option("kvm_memslot_zap=fentry", force,
					  err, sizeof(err)), 0);
	choose(&f, force);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_FENTRY);
	force[VSVA_M_MEMSLOT] = VSVA_RUNG_SYSCALL_TP;
	choose(&f, force);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_SYSCALL_TP);
	/* a forced rung the kernel lacks: unavailable, never another */
	force[VSVA_M_MEMSLOT] = VSVA_RUNG_KPROBE;
	choose(&f, force);
	assert_int_equal(ch[VSVA_M_MEMSLOT].rung, VSVA_RUNG_NONE);
	assert_non_null(strstr(ch[VSVA_M_MEMSLOT].reason,
			       "forced rung kprobe is not available"));
	/* every measurement can be forced, to any of its rungs */
	assert_int_equal(vsva_rung_option("kvm_irq_injection="
					  "classic_tracepoint", force, err,
					  sizeof(err)), 0);
	choose(&f, force);
	assert_int_equal(ch[VSVA_M_IRQ_INJECTION].rung, VSVA_RUNG_CLASSIC_TP);
	/* and nothing else */
	assert_int_equal(vsva_rung_option("kvm_irq_injection=kprobe", force,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err,
			       "fentry stock_tracepoint classic_tracepoint"));
	assert_int_equal(vsva_rung_option("bogus=fentry", force, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "no measurement 'bogus'"));
	assert_int_equal(vsva_rung_option("kvm_memslot_zap", force, err,
					  sizeof(err)), -1);
}

static int occurrences(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void test_refused_rungs_fall(void **st)
{
	struct vsva_features f = kernel(HOST | B(FLUSH_FENTRY));
	struct vsva_choice *ms = &ch[VSVA_M_MEMSLOT];

	choose(&f, NULL);
	assert_int_equal(ms->rung, VSVA_RUNG_FENTRY);
	/* the fentry programs failed to load: next rung, reason kept */
	ms->refused |= VSVA_BIT(VSVA_RUNG_FENTRY);
	snprintf(ms->failed, sizeof(ms->failed), "the fentry rung failed "
		 "(program fexit_flush_memslot: R4 unbounded memory access)");
	vsva_choose_all(&f, no_force, ch);
	assert_int_equal(ms->rung, VSVA_RUNG_SYSCALL_TP);
	assert_int_equal(occurrences(ms->reason, "R4 unbounded"), 1);
	ms->refused |= VSVA_BIT(VSVA_RUNG_SYSCALL_TP);
	vsva_choose_all(&f, no_force, ch);
	assert_int_equal(ms->rung, VSVA_RUNG_NONE);
	vsva_choose_all(&f, no_force, ch);
	assert_int_equal(occurrences(ms->reason, "R4 unbounded"), 1);
	/* kvmmmu refused on both rungs takes the zap mode with it */
	ms->refused = 0;
	ch[VSVA_M_MMU_PAGES].refused = VSVA_BIT(VSVA_RUNG_STOCK_TP) |
				       VSVA_BIT(VSVA_RUNG_CLASSIC_TP);
	vsva_choose_all(&f, no_force, ch);
	assert_int_equal(ch[VSVA_M_MMU_PAGES].rung, VSVA_RUNG_NONE);
	assert_int_equal(ms->rung, VSVA_RUNG_NONE);
}

/* Every measurement of vsva/measurements.def has a name, a source and a
 * rung, under a name no other has; sources' names are unique too. */
static void test_table_entries(void **st)
{
	const struct vsva_measurement *m;
	int i, k;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = &vsva_measurements[i];
		if (!m->name)
			fail_msg("measurement %d has no name", i);
		assert_true(m->source < VSVA_NSOURCES);
		assert_int_not_equal(m->rungs[0].rung, VSVA_RUNG_NONE);
		assert_int_equal(vsva_measurement_find(m->name), i);
	}
	for (i = 0; i < VSVA_NSOURCES; i++)
		for (k = 0; k < i; k++)
			assert_string_not_equal(vsva_sources[i].name,
						vsva_sources[k].name);
}

static void test_rung_names(void **st)
{
	enum vsva_rung r;

	assert_string_equal(vsva_rung_name(VSVA_RUNG_NONE), "none");
	assert_string_equal(vsva_rung_name(VSVA_RUNG_OWN_TP), "tracepoint");
	for (r = VSVA_RUNG_OWN_TP; r < VSVA_NRUNGS; r++) {
		enum vsva_rung back;

		assert_int_equal(vsva_rung_parse(vsva_rung_name(r), &back), 0);
		assert_int_equal(back, r);
	}
	assert_int_equal(vsva_rung_parse("none", &r), -1);
	assert_int_equal(vsva_rung_parse("bogus", &r), -1);
}

/* Is @name in @list (NULL-terminated or VSVA_MAX_PROGS long)? */
static bool in_list(const char *const *list, int max, const char *name)
{
	int i;

	for (i = 0; i < max && list[i]; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* Every program a rung names exists in its source's object, and every
 * program of the object serves some rung (or is always on). */
static void check_object(struct bpf_object *obj, enum vsva_source_id src)
{
	const struct vsva_measurement *m;
	struct bpf_program *p;
	const char *name;
	int i, r, k;
	bool used;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++) {
		m = &vsva_measurements[i];
		for (r = 0; m->source == src && r < VSVA_MAX_RUNGS &&
			    m->rungs[r].rung; r++)
			for (k = 0; k < VSVA_MAX_PROGS + 2; k++) {
				name = k < VSVA_MAX_PROGS ? m->rungs[r].progs[k] :
				       m->rungs[r].opt_progs[k - VSVA_MAX_PROGS];
				if (name &&
				    !bpf_object__find_program_by_name(obj, name))
					fail_msg("%s: no program %s", m->name,
						 name);
			}
	}
	bpf_object__for_each_program(p, obj) {
		name = bpf_program__name(p);
		used = in_list(vsva_sources[src].always, VSVA_MAX_ALWAYS, name);
		for (i = 0; !used && i < VSVA_NMEASUREMENTS; i++) {
			m = &vsva_measurements[i];
			for (r = 0; m->source == src && r < VSVA_MAX_RUNGS; r++)
				used |= in_list(m->rungs[r].progs,
						VSVA_MAX_PROGS, name) ||
					in_list(m->rungs[r].opt_progs, 2, name);
		}
		if (!used)
			fail_msg("program %s belongs to no rung", name);
	}
}

static void test_table_matches_objects(void **st)
{
	struct memslot_bpf *ms = memslot_bpf__open();
	struct irq_bpf *irq = irq_bpf__open();
	struct iommu_bpf *io = iommu_bpf__open();

	assert_non_null(ms);
	assert_non_null(irq);
	assert_non_null(io);
	check_object(ms->obj, VSVA_SRC_MEMSLOT);
	check_object(irq->obj, VSVA_SRC_IRQ);
	check_object(io->obj, VSVA_SRC_IOMMU);
	iommu_bpf__destroy(io);
	irq_bpf__destroy(irq);
	memslot_bpf__destroy(ms);
}

/* A family of the table, and the measurement it belongs to, or -1. */
static int family_owner(const char *name)
{
	const struct vsva_family_def *d = vsva_family_def(name);

	return d ? (int)d->measurement : -1;
}

/* Every family the table defines is exported by its measurement's source,
 * and a source exports no family the table does not define as one of its
 * measurements' (sources not loaded still emit their families). */
static void test_table_matches_sources(void **st)
{
	static const struct vsva_source *const src[VSVA_NSOURCES] = {
#define VSVA_SOURCE(id, name, ...)	[VSVA_SRC_##id] = &vsva_src_##name,
#include "vsva/measurements.def"
	};
	struct vsva_choice none[VSVA_NMEASUREMENTS] = { 0 };
	struct vsva_ctx c = { .vm_info_fd = -1, .choice = none };
	const struct vsva_family_def *d;
	struct vsva_snapshot s[VSVA_NSOURCES] = { 0 };
	int i, k, m;

	for (i = 0; i < VSVA_NSOURCES; i++) {
		src[i]->snapshot(NULL, &c, &s[i]);
		assert_false(vsva_snap_incomplete(&s[i]));
		for (k = 0; k < s[i].nfam; k++) {
			m = family_owner(s[i].fam[k]->name);
			if (m < 0 || (int)vsva_measurements[m].source != i)
				fail_msg("source %s exports %s, which is not one "
					 "of its measurements' families",
					 vsva_sources[i].name, s[i].fam[k]->name);
		}
	}
	for (i = 0; i < VSVA_NFAMILIES; i++) {
		d = &vsva_families[i];
		m = d->measurement;
		if (!vsva_snap_find(&s[vsva_measurements[m].source], d->name))
			fail_msg("%s: its source does not export %s",
				 vsva_measurements[m].name, d->name);
		/* histograms say their unit and first bucket */
		if (d->type == VSVA_HISTOGRAM)
			assert_true(d->unit > 0 && d->kmin > 0);
		assert_ptr_equal(strstr(d->name, "vsva_"), d->name);
		assert_ptr_equal(vsva_family_def(d->name), d);
	}
	for (i = 0; i < VSVA_NSOURCES; i++)
		vsva_snap_free(&s[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_best_rung_wins),
		cmocka_unit_test(test_no_kvm_no_btf),
		cmocka_unit_test(test_zap_mode_needs_kvmmmu),
		cmocka_unit_test(test_tdp_mmu_is_approximate),
		cmocka_unit_test(test_kvm_module_without_btf),
		cmocka_unit_test(test_forced_rungs),
		cmocka_unit_test(test_refused_rungs_fall),
		cmocka_unit_test(test_rung_names),
		cmocka_unit_test(test_table_entries),
		cmocka_unit_test(test_table_matches_objects),
		cmocka_unit_test(test_table_matches_sources),
	};

	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
