/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: the engine: load the chosen rungs, read snapshots. */
#ifndef VSVA_ENGINE_H
#define VSVA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vsva/clock.h"		/* vsva_mono_ns(), for the engine's users */
#include "vsva/ladder.h"
#include "vsva/snapshot.h"

#define VSVA_VERSION		"0.1.0"

#define VSVA_DEFAULT_MAX_VMS	1024	/* --max-vms; VSVA_MAX_VMS in BPF */

struct vsva_engine_opts {
	unsigned int retention_s;	/* keep exited VMs this long */
	unsigned int max_vms;		/* VMs tracked at once; 0: the default */
	/* bpffs directory to pin the objects under, so that counts survive
	 * a restart (src/lib/pin.c); NULL: not pinned */
	const char *pin_root;
	/* not pinned: why (default "--no-pin"), and the root where pins of
	 * no running vsvad are looked for, reported and left alone */
	const char *pin_off_why;
	const char *orphan_root;
	bool no_mount_tracefs;
	bool verbose;
	/* per measurement (enum vsva_mid): 0, or the only rung it may use */
	enum vsva_rung force[VSVA_NMEASUREMENTS];
};

struct vsva_engine;

int vsva_engine_open(struct vsva_engine **out,
		     const struct vsva_engine_opts *o, char *err, size_t len);
/* Append every measurement's families to @s. */
int vsva_engine_snapshot(struct vsva_engine *e, struct vsva_snapshot *s);
/* Retire VMs that exited more than the retention window ago. */
void vsva_engine_gc(struct vsva_engine *e);
void vsva_engine_close(struct vsva_engine *e);
/* Probe choices, for reporting (vsva-top header, bench). */
int vsva_engine_choices(struct vsva_engine *e, const char **names,
			const struct vsva_choice **choices, int max);
/* BPF program ids of loaded programs, for stats (bench). */
int vsva_engine_prog_fds(struct vsva_engine *e, int *fds, const char **names,
			 int max);

/* A map's kernel memory with every entry used: fixed + elems + per_cpu *
 * CPUs, of which fixed is taken when the map is made (arrays, a hash
 * map's buckets) and the rest as entries come. */
struct vsva_map_mem {
	char obj[16], name[32];
	const char *type;		/* hash, percpu_hash, array, ... */
	unsigned int entries;
	uint64_t fixed, elems, per_cpu;	/* bytes */
};

/* Every map of vsva's objects (each shared map once), sized for @max_vms
 * (0: the default) on @ncpus possible CPUs; how many, or -errno. */
int vsva_maps_memory(unsigned int max_vms, int ncpus,
		     struct vsva_map_mem *out, int max);
/* Print that for this host's CPUs and for 256, per map and in total. */
void vsva_maps_memory_print(FILE *out, unsigned int max_vms);

/* Remove every pinned object under @root and @root itself (programs
 * detach once no vsvad holds them), with the checks and the lock of a
 * start: a symbolic link, another user's directory or one outside bpffs
 * is refused, and pins another vsvad holds stay.  What was done to @log
 * if given.  0, or -errno with @why. */
int vsva_unpin(const char *root, FILE *log, char *why, size_t len);

/* As root, for the service that runs as @user: make @root (mode 0700) or
 * check it as a start would (a directory in bpffs, no link on the way,
 * owned by root, @user, vsva or a dynamic user, that no one else may
 * write), and hand it and what it holds to @user, by descriptor.
 * 0, or -errno with @why. */
int vsva_pin_prepare(const char *root, const char *user, char *why,
		     size_t len);
/* Print what lies under @root pinned by no running vsvad (--probe). */
void vsva_orphans_print(FILE *out, const char *root);
/* Are this engine's objects pinned (they count on after it closes)?
 * The root then. */
const char *vsva_engine_pinned(struct vsva_engine *e);

#endif /* VSVA_ENGINE_H */
