/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva: the probe ladder as data.  A measurement is one row of a table
 * (vsva/measurements.def, expanded by src/lib/table.c): its name, its
 * source, its rungs best first (the kernel features each needs, the BPF
 * programs it enables, what it times, the tracefs events a perf recording
 * of it needs) and the metric families it exports.  Detection turns the
 * running kernel into a feature set, with a reason for every feature it
 * lacks; one chooser walks a measurement's rungs and builds its reason
 * from those.
 */
#ifndef VSVA_LADDER_H
#define VSVA_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "vsva/snapshot.h"
#include "vsva_tpoff.h"

enum vsva_rung {
	VSVA_RUNG_NONE = 0,
	VSVA_RUNG_OWN_TP,	/* vsva kernel series tracepoint, tp_btf */
	VSVA_RUNG_FENTRY,	/* fentry/fexit on the kernel function */
	VSVA_RUNG_KPROBE,	/* kprobe/kretprobe on the kernel function */
	VSVA_RUNG_STOCK_TP,	/* stock tracepoint, tp_btf */
	VSVA_RUNG_CLASSIC_TP,	/* stock tracepoint, fields from tracefs */
	VSVA_RUNG_SYSCALL_TP,	/* syscall tracepoints: an approximation */
	VSVA_RUNG_PROCFS,	/* a kernel counter file, e.g. /proc/interrupts */
	VSVA_NRUNGS,
};

const char *vsva_rung_name(enum vsva_rung r);
/* Rung by name ("tracepoint", "fentry", ...); -1 if unknown. */
int vsva_rung_parse(const char *name, enum vsva_rung *r);

/* What a rung can need of the running kernel: VSVA_F_BTF... (the
 * VSVA_FEATURE rows of vsva/measurements.def). */
enum vsva_feature {
#define VSVA_FEATURE(id, ...)		VSVA_F_##id,
#include "vsva/measurements.def"
	VSVA_NFEATURES,
};

#define VSVA_BIT(f)	(1u << (f))
_Static_assert(VSVA_NFEATURES <= 32, "features are bits of a uint32_t");

/* The running kernel as the ladder sees it; vsva_features_detect(). */
struct vsva_features {
	uint32_t have;				/* VSVA_BIT(feature) */
	char why[VSVA_NFEATURES][160];		/* why a feature is missing */
	/* what the programs are configured with before load */
	struct vsva_tp_offs tp_off;	/* classic tracepoints' record layout */
	int pi_irte_args;		/* kvm_pi_irte_update: 5 or 6 */
	int pasid_attach_args;		/* iommu_attach_device_pasid: 3 or 4 */
	bool prealloc;			/* Linux < 6.1: non-BTF tracing programs
					 * need preallocated hash maps */
};

void vsva_features_detect(struct vsva_features *f, bool may_mount_tracefs);

static inline bool vsva_has(const struct vsva_features *f,
			    enum vsva_feature x)
{
	return f->have & VSVA_BIT(x);
}

/* Record feature @x: present, or missing with a reason. */
void vsva_feat(struct vsva_features *f, enum vsva_feature x, bool ok,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- the measurement table ------------------------------------------ */

/* Sources, measurements and families: vsva/measurements.def names each
 * once; VSVA_SRC_MEMSLOT, VSVA_M_MEMSLOT, VSVA_FAM_kvm_memslot_zap_total... */
enum vsva_source_id {
#define VSVA_SOURCE(id, name, ...)	VSVA_SRC_##id,
#include "vsva/measurements.def"
	VSVA_NSOURCES,
};

/* Measurements, in the table's (and vsva_probe_info's) order. */
enum vsva_mid {
#define VSVA_MEASUREMENT(id, ...)	VSVA_M_##id,
#include "vsva/measurements.def"
	VSVA_NMEASUREMENTS,
};

/* Metric families, grouped by measurement. */
enum vsva_fam {
#define VSVA_FAMILY(m, name, ...)	VSVA_FAM_##name,
#include "vsva/measurements.def"
	VSVA_NFAMILIES,
};

#define VSVA_MAX_RUNGS		4
#define VSVA_MAX_PROGS		8
#define VSVA_MAX_ALWAYS		4

struct vsva_rung_def {
	enum vsva_rung rung;		/* VSVA_RUNG_NONE ends the list */
	uint32_t needs;			/* VSVA_BIT()s, all of them */
	const char *uses;		/* what it hooks and times */
	bool approximate;		/* @uses says why */
	uint32_t approx_if;		/* ...or approximate with these */
	const char *approx_why;
	int after;			/* -1, or a measurement (enum vsva_mid)
					 * that must have a rung: @after_why */
	const char *after_why;
	const char *progs[VSVA_MAX_PROGS];	/* BPF programs it enables */
	const char *opt_progs[2];	/* ...and these where the kernel */
	uint32_t opt_needs;		/* has all of @opt_needs */
	const char *perf_events;	/* "sys:event,..." a perf recording
					 * of this rung needs; NULL: perf
					 * cannot record it (fentry, kprobe) */
	const char *perf_filter;	/* for those events, or NULL */
	const char *perf_opt_events;	/* ...and these where tracefs has
					 * them (a later kernel's events) */
};

/* A metric family a measurement exports (vsva/measurements.def). */
struct vsva_family_def {
	const char *name, *help;
	enum vsva_mtype type;
	const char *labels;		/* label names, comma-separated */
	double unit;			/* histograms: seconds per raw unit */
	int kmin;			/* histograms: first bucket 2^kmin units */
	enum vsva_mid measurement;	/* whose family it is */
};

struct vsva_measurement {
	const char *name;
	enum vsva_source_id source;
	struct vsva_rung_def rungs[VSVA_MAX_RUNGS];	/* best first */
};

/* A source of the table: one row of vsva/measurements.def. */
struct vsva_source_def {
	const char *name;
	/* programs it loads whatever the rungs (NULL-terminated) */
	const char *always[VSVA_MAX_ALWAYS];
};

extern const struct vsva_measurement vsva_measurements[VSVA_NMEASUREMENTS];
extern const struct vsva_family_def vsva_families[VSVA_NFAMILIES];
extern const struct vsva_source_def vsva_sources[VSVA_NSOURCES];

/* A family of the table by name, or NULL. */
const struct vsva_family_def *vsva_family_def(const char *name);
/* Family @id of the table in @s, with its name, help and type. */
struct vsva_family *vsva_snap_fam(struct vsva_snapshot *s, enum vsva_fam id);
/* Every family of source @src's measurements in @s, in the table's order:
 * @f[id] for those, NULL for the others ([VSVA_NFAMILIES]). */
void vsva_snap_source(struct vsva_snapshot *s, enum vsva_source_id src,
		      struct vsva_family **f);
/* A histogram sample of family @id from raw log2 slots, with the unit and
 * buckets of its definition. */
int vsva_hist_set_def(struct vsva_sample *m, enum vsva_fam id,
		      const uint64_t *slots, int nslots, double raw_sum);

/* Measurement by name, or -1. */
int vsva_measurement_find(const char *name);
/* The rung definition @r of @m, or NULL if @m has no such rung. */
const struct vsva_rung_def *vsva_rung_def(const struct vsva_measurement *m,
					  enum vsva_rung r);

struct vsva_choice {
	enum vsva_rung rung;
	bool approximate;
	char reason[512];	/* why this rung (or none), why not higher */
	unsigned int refused;	/* VSVA_BIT(rung): rungs whose programs failed */
	char failed[256];	/* why they failed (appended to reason) */
};

/*
 * Choose @m's rung from @f: the best rung whose features are all there,
 * not refused, and (with @force) the forced one.  @choices holds the
 * other measurements' choices, for rungs that need another measurement.
 * A pure function of its inputs: unit-tested on made-up kernels.
 */
void vsva_choose(int m, const struct vsva_features *f, enum vsva_rung force,
		 const struct vsva_choice *choices, struct vsva_choice *c);

/* Choose every measurement (@force[m]: 0, or the only rung @m may use);
 * @choice[m].refused and .failed are kept. */
void vsva_choose_all(const struct vsva_features *f, const enum vsva_rung *force,
		     struct vsva_choice *choice);

/* Has a measurement of source @src a rung in @choice (is it loaded)? */
bool vsva_source_wanted(enum vsva_source_id src,
			const struct vsva_choice *choice);
/* The measurement of @src whose chosen rung enables program @prog on a
 * kernel with @f, or -1. */
int vsva_prog_owner(enum vsva_source_id src, const struct vsva_features *f,
		    const struct vsva_choice *choice, const char *prog);

/* "--rung M=RUNG": set @force[M]; -1 with a message naming M's rungs. */
int vsva_rung_option(const char *arg, enum vsva_rung *force, char *err,
		     size_t len);
/* Every measurement as this kernel resolves it: the chosen rung, why the
 * others lost, their programs and the tracefs events perf needs. */
void vsva_probe_print(FILE *out, const struct vsva_features *f,
		      const struct vsva_choice *choice);

#endif /* VSVA_LADDER_H */
