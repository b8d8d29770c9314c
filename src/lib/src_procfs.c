// SPDX-License-Identifier: GPL-2.0
/*
 * The procfs source: posted-interrupt notifications per CPU from the PIN,
 * NPI and PIW rows of /proc/interrupts, read by a helper thread while
 * the BPF maps are read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "priv.h"
#include "vsva/procirq.h"

static const char *const pi_kind[VSVA_PI_ROWS] = {
	[VSVA_PI_NOTIFY] = "notification",
	[VSVA_PI_NESTED] = "nested_notification",
	[VSVA_PI_WAKEUP] = "wakeup",
};

/* The helper thread that reads /proc/interrupts; started by the first
 * snapshot, i.e. after vsvad dropped its capabilities. */
struct procfs_state {
	struct vsva_pi_reader *reader;
	bool failed;
};

static int procfs_open(struct vsva_ctx *c, void **state)
{
	struct procfs_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	*state = st;
	return 0;
}

/* Start reading /proc/interrupts beside the map reads of a snapshot.
 * Without the helper thread procfs_snapshot() reads it itself. */
static void procfs_kick(void *state, struct vsva_ctx *c)
{
	struct procfs_state *st = state;

	if (!st)
		return;
	if (!st->reader && !st->failed) {
		st->reader = vsva_pi_reader_start();
		st->failed = !st->reader;
	}
	if (st->reader)
		vsva_pi_reader_kick(st->reader);
}

static void procfs_snapshot(void *state, struct vsva_ctx *c,
			    struct vsva_snapshot *s)
{
	struct procfs_state *st = state;
	struct vsva_family *fams[VSVA_NFAMILIES], *f;
	struct vsva_pi_counts pi;
	char cpu[16], *text;
	int row, i;

	vsva_snap_source(s, VSVA_SRC_PROCFS, fams);
	f = fams[VSVA_FAM_posted_interrupts_total];
	if (!st)
		return;
	text = st->reader ? vsva_pi_reader_wait(st->reader) :
			    vsva_read_proc_interrupts();
	if (!text || vsva_parse_pi(text, &pi)) {
		f->incomplete = true;
		free(text);
		return;
	}
	for (row = 0; row < VSVA_PI_ROWS; row++) {
		for (i = 0; pi.present[row] && i < pi.ncpus; i++) {
			snprintf(cpu, sizeof(cpu), "%d", pi.cpu[i]);
			vsva_family_add(f, pi.count[row][i], "cpu", cpu,
					"kind", pi_kind[row], NULL);
		}
	}
	vsva_pi_free(&pi);
	free(text);
}

static void procfs_close(void *state, struct vsva_ctx *c)
{
	struct procfs_state *st = state;

	vsva_pi_reader_stop(st->reader);
	free(st);
}

const struct vsva_source vsva_src_procfs = {
	.open = procfs_open, .kick = procfs_kick,
	.snapshot = procfs_snapshot, .close = procfs_close,
};
