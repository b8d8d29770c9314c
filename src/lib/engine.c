// SPDX-License-Identifier: GPL-2.0
/*
 * The engine: detect the kernel's features, choose a rung for every
 * measurement of the table, load each source with one failure policy,
 * and turn the sources' maps into snapshots.  Sources see a narrow
 * context (struct vsva_ctx), never this struct.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"
#include "vsva_memslot.h"

/* The sources, in load order: a VSVA_SOURCE row of vsva/measurements.def
 * each.  Nothing else walks them. */
static const struct vsva_source *const sources[VSVA_NSOURCES] = {
#define VSVA_SOURCE(id, name, ...)	[VSVA_SRC_##id] = &vsva_src_##name,
#include "vsva/measurements.def"
};

struct vsva_engine {
	struct vsva_engine_opts o;
	struct vsva_features f;
	struct vsva_choice choice[VSVA_NMEASUREMENTS];
	struct vsva_ctx ctx;
	void *state[VSVA_NSOURCES];
};

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt,
			va_list ap)
{
	if (lvl == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void load_sources(struct vsva_engine *e);

int vsva_engine_open(struct vsva_engine **out,
		     const struct vsva_engine_opts *o, char *err, size_t len)
{
	struct vsva_engine *e = calloc(1, sizeof(*e));
	struct vsva_ctx *c;

	if (!e) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	e->o = *o;
	c = &e->ctx;
	c->vm_info_fd = -1;
	c->vmms_fd = -1;
	c->kvms_fd = -1;
	c->vmfds_fd = -1;
	c->vm_gen_fd = -1;
	c->verbose = o->verbose;
	c->f = &e->f;
	c->choice = e->choice;
	if (!o->verbose)
		libbpf_set_print(libbpf_quiet);
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		snprintf(err, len, "cannot count possible CPUs");
		goto free_engine;
	}
	/* scratch for one per-CPU value (vsva_sum_percpu) */
	c->percpu = calloc(c->ncpus, VSVA_PERCPU_SCRATCH);
	c->max_vms = o->max_vms ? o->max_vms : VSVA_DEFAULT_MAX_VMS;
	c->pin_root = o->pin_root;
	c->pin_off_why = o->pin_off_why;
	c->pin_lock = -1;
	c->vms = calloc(c->max_vms, sizeof(*c->vms));
	c->renamed = calloc(c->max_vms, sizeof(*c->renamed));
	for (c->vm_index_mask = 1; c->vm_index_mask < 2 * c->max_vms;)
		c->vm_index_mask <<= 1;
	c->vm_index = calloc(c->vm_index_mask--, sizeof(*c->vm_index));
	if (!c->percpu || !c->vms || !c->renamed || !c->vm_index) {
		snprintf(err, len, "out of memory");
		goto free_bufs;
	}
	vsva_features_detect(&e->f, !o->no_mount_tracefs);
	vsva_choose_all(&e->f, o->force, e->choice);
	load_sources(e);
	*out = e;
	return 0;
free_bufs:
	free(c->percpu);
	free(c->vms);
	free(c->renamed);
	free(c->vm_index);
free_engine:
	free(e);
	return -1;
}

int vsva_source_elfs(struct vsva_elf *out, int max)
{
	int s, n = 0;

	for (s = 0; s < VSVA_NSOURCES && n < max; s++) {
		if (!sources[s]->elf)
			continue;
		out[n].src = s;
		out[n].bytes = sources[s]->elf(&out[n].size);
		n++;
	}
	return n;
}

/* Open every BPF source that has a rung as it would load, to compare it
 * with the pins: vsva_obj_start() stops before loading while
 * c->pin_checking. */
static void pin_check_sources(struct vsva_engine *e)
{
	struct vsva_ctx *c = &e->ctx;
	void *state;
	int s;

	c->pin_checking = true;
	for (s = 0; s < VSVA_NSOURCES; s++) {
		if (!sources[s]->elf || !vsva_source_wanted(s, e->choice))
			continue;
		state = NULL;
		if (!sources[s]->open(c, &state) && state)  /* cannot happen */
			sources[s]->close(state, c);
	}
	c->pin_checking = false;
}

/* Adopt the last vsvad's pinned objects, or load (and pin) afresh. */
static void load_sources(struct vsva_engine *e)
{
	struct vsva_ctx *c = &e->ctx;
	struct vsva_elf elf[VSVA_NSOURCES];
	int s;

	if (!c->pin_root)
		vsva_pin_orphans_scan(c, e->o.orphan_root);
	vsva_pin_begin(c, elf, vsva_source_elfs(elf, VSVA_NSOURCES));
	if (c->pin_state == VSVA_PIN_UNDECIDED)
		pin_check_sources(e);
	vsva_pin_decide(c);
	/* memslot first: its vm_info becomes the one the others share */
	for (s = 0; s < VSVA_NSOURCES; s++)
		vsva_source_load(c, s, sources[s], &e->state[s], e->o.force,
				 e->choice);
	vsva_pin_adopted_ids(c);
	vsva_vmms_scan(c);
	if (c->pin_state != VSVA_PIN_OFF || e->o.pin_root)
		fprintf(stderr, "vsva: pins: %s (%s)\n",
			vsva_pin_state_name(c->pin_state), c->pin_reason);
	vsva_pin_orphans_print(stderr, c, "vsva: ");
}

const char *vsva_engine_pinned(struct vsva_engine *e)
{
	enum vsva_pin_state s = e->ctx.pin_state;

	return s == VSVA_PIN_FRESH || s == VSVA_PIN_ADOPTED ?
	       e->ctx.pin_root : NULL;
}

void vsva_engine_close(struct vsva_engine *e)
{
	int s;

	if (!e)
		return;
	for (s = VSVA_NSOURCES - 1; s >= 0; s--)
		if (e->state[s])
			sources[s]->close(e->state[s], &e->ctx);
	if (e->ctx.pin_lock >= 0)
		close(e->ctx.pin_lock);
	free(e->ctx.percpu);
	free(e->ctx.vms);
	free(e->ctx.renamed);
	free(e->ctx.vm_index);
	free(e);
}

int vsva_engine_choices(struct vsva_engine *e, const char **names,
			const struct vsva_choice **choices, int max)
{
	int m;

	for (m = 0; m < VSVA_NMEASUREMENTS && m < max; m++) {
		names[m] = vsva_measurements[m].name;
		choices[m] = &e->choice[m];
	}
	return m;
}

int vsva_engine_prog_fds(struct vsva_engine *e, int *fds, const char **names,
			 int max)
{
	struct bpf_object *obj;
	int s, n = 0;

	for (s = 0; s < VSVA_NSOURCES; s++) {
		obj = sources[s]->object ? sources[s]->object(e->state[s]) :
					   NULL;
		if (obj)
			n += vsva_prog_fds(obj, fds + n, names + n, max - n);
	}
	return n;
}

static void snap_probes(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f;
	int m;

	f = vsva_snap_family(s, "vsva_probe_info",
		"The probe rung each measurement uses (none: unavailable, "
		"reason says why).", VSVA_GAUGE);
	for (m = 0; m < VSVA_NMEASUREMENTS; m++)
		vsva_family_add(f, 1, "measurement", vsva_measurements[m].name,
				"rung", vsva_rung_name(e->choice[m].rung),
				"approximate", e->choice[m].approximate ?
				"true" : "false", "reason",
				e->choice[m].reason, NULL);
}

/* What vsvad found pinned at its start that no running vsvad held, and
 * what it did with it. */
static void snap_orphans(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f, *age;
	int i;

	f = vsva_snap_family(s, "vsva_bpf_orphan_programs", "BPF programs "
		"vsvad found pinned at its start by no running vsvad (a pinned "
		"vsvad stopped or killed), per layout, and what it did: "
		"adopted, removed, or left (this vsvad does not pin; vsvad "
		"--unpin removes them).", VSVA_GAUGE);
	age = vsva_snap_family(s, "vsva_bpf_orphan_age_seconds", "How long "
		"before vsvad's start those pins were made.", VSVA_GAUGE);
	for (i = 0; i < e->ctx.norphans; i++) {
		const struct vsva_orphan *o = &e->ctx.orphans[i];

		vsva_family_add(f, o->links, "root", e->ctx.orphan_root,
				"layout", o->layout, "action", o->action, NULL);
		vsva_family_add(age, o->age_s, "root", e->ctx.orphan_root,
				"layout", o->layout, NULL);
	}
}

/* Whether the BPF objects were adopted from a vsvad before (counts go on
 * across the restart), loaded fresh, or not pinned; why. */
static void snap_pins(struct vsva_engine *e, struct vsva_snapshot *s)
{
	vsva_family_add(vsva_snap_family(s, "vsva_bpf_pins",
			"1: how vsvad came by its BPF objects: adopted (pinned "
			"by the vsvad before; counts went on across the "
			"restart), fresh (loaded and pinned now) or off "
			"(not asked with --pin, or another vsvad holds the "
			"pins).",
			VSVA_GAUGE), 1, "state",
			vsva_pin_state_name(e->ctx.pin_state), "reason",
			e->ctx.pin_reason, NULL);
	snap_orphans(e, s);
}

static void snap_drops(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f;
	int i;

	f = vsva_snap_family(s, "vsva_events_dropped_total",
		"Events the BPF programs could not record, by reason.",
		VSVA_COUNTER);
	for (i = 0; i < VSVA_NSOURCES; i++)
		if (sources[i]->drops)
			sources[i]->drops(e->state[i], &e->ctx, f);
}

int vsva_engine_snapshot(struct vsva_engine *e, struct vsva_snapshot *s)
{
	int i;

	for (i = 0; i < VSVA_NSOURCES; i++)
		if (sources[i]->kick)
			sources[i]->kick(e->state[i], &e->ctx);
	if (vsva_vm_cache_fill(&e->ctx))
		s->oom = true;	/* the VM list could not be read whole */
	snap_probes(e, s);
	snap_pins(e, s);
	for (i = 0; i < VSVA_NSOURCES; i++) {
		/* procfs last (the enum's last): its read ran beside these */
		if (i == VSVA_SRC_PROCFS)
			snap_drops(e, s);
		sources[i]->snapshot(e->state[i], &e->ctx, s);
	}
	e->ctx.vms_cached = false;
	return vsva_snap_incomplete(s) ? -1 : 0;
}

void vsva_engine_gc(struct vsva_engine *e)
{
	__u32 *doomed = calloc(e->ctx.max_vms, sizeof(*doomed));
	int n, i;

	if (!doomed)
		return;		/* next tick */
	vsva_vmms_gc(&e->ctx);
	n = vsva_vm_expired(&e->ctx, e->o.retention_s, doomed);
	for (i = 0; i < VSVA_NSOURCES; i++) {
		if (sources[i]->forget)
			sources[i]->forget(e->state[i], &e->ctx, doomed, n);
		if (sources[i]->expire && e->state[i])
			sources[i]->expire(e->state[i], &e->ctx);
	}
	vsva_vm_refs_forget(&e->ctx, doomed, n);
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(e->ctx.vm_info_fd, &doomed[i]);
	free(doomed);
}
