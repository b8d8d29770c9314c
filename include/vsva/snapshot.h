/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: snapshots, metric families independent of their source. */
#ifndef VSVA_SNAPSHOT_H
#define VSVA_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#define VSVA_MAX_LABELS		4

/* ---- snapshot: metric families, independent of their source --------- */

enum vsva_mtype { VSVA_COUNTER, VSVA_GAUGE, VSVA_HISTOGRAM };

struct vsva_sample {
	int nlabels;
	const char *lname[VSVA_MAX_LABELS];
	char *lval[VSVA_MAX_LABELS];
	double value;			/* counter, gauge */
	uint64_t count;			/* histogram */
	double sum;
	int nbuckets;			/* finite buckets; +Inf is count */
	double *le;			/* upper bounds */
	uint64_t *cum;			/* cumulative counts */
	bool owns_names;		/* lname[], lval[] allocated (parsed
					 * samples); else lval[] is in the
					 * snapshot's arena */
};

struct vsva_family {
	const char *name;
	const char *help;
	enum vsva_mtype type;
	int nsamples, cap;
	struct vsva_sample *samples;
	bool incomplete;		/* a sample could not be added */
	struct vsva_snapshot *snap;	/* its arena holds the label values */
};

/* Label values of a snapshot: copied into chunks freed all at once (a
 * scrape of 1,000 VMs adds some 40,000). */
struct vsva_arena {
	struct vsva_arena_chunk *head;
};

struct vsva_snapshot {
	int nfam, cap;
	struct vsva_family **fam;	/* each allocated once: pointers stay valid */
	bool oom;			/* something could not be added */
	char **owned;			/* names and help parsed from text */
	int nowned;
	struct vsva_arena arena;
};

struct vsva_family *vsva_snap_family(struct vsva_snapshot *s,
				     const char *name, const char *help,
				     enum vsva_mtype type);
/* Add a sample; label name/value pairs follow, terminated by NULL. */
struct vsva_sample *vsva_family_add(struct vsva_family *f, double value, ...)
	__attribute__((sentinel));
void vsva_snap_free(struct vsva_snapshot *s);
/* Was anything lost while building @s (out of memory, bad labels)? */
bool vsva_snap_incomplete(const struct vsva_snapshot *s);
const struct vsva_family *vsva_snap_find(const struct vsva_snapshot *s,
					 const char *name);

/*
 * Log2 histograms: slot i counts values v with floor(log2(v)) == i (slot 0
 * also counts 0); the last slot is clamped and counts everything above.
 * Fill @smp with cumulative buckets le = 2^k * @unit for k in
 * [kmin, nslots - 1] (a bucket counts values below its bound) and
 * count/sum.  Returns 0, or -1 when out of memory.
 */
int vsva_hist_set(struct vsva_sample *smp, const uint64_t *slots, int nslots,
		  int kmin, double unit, double sum);

#endif /* VSVA_SNAPSHOT_H */
