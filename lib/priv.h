/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Library internals: the narrow context sources see, the source ops
 * table, and the helpers the sources share.
 */
#ifndef VSVA_PRIV_H
#define VSVA_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "vsva/engine.h"
#include "vsva/ladder.h"
#include "vsva/snapshot.h"
#include "vsva_vm.h"
#include "vsva/utf8.h"

struct bpf_object;
struct bpf_object_skeleton;

/* "comm/tgid#seq" */
/* "comm/tgid#seq", the comm cleaned (each of its 15 bytes may take 4) */
#define VSVA_VM_LABEL_LEN	(VSVA_UTF8_CLEAN_SIZE(VSVA_COMM_LEN - 1) + 24)

struct vsva_vm_entry {
	__u32 id;
	struct vsva_vm_info info;
	char label[VSVA_VM_LABEL_LEN];	/* made once per snapshot */
};

/* A VM id that names a VM (0 is kernel threads' work, and
 * VSVA_UNATTRIBUTED that of tasks that are not VMMs). */
static inline bool vsva_vm_is_vm(__u32 id)
{
	return id && id != VSVA_UNATTRIBUTED;
}

/* A layout pinned under the root when no vsvad held it. */
#define VSVA_MAX_ORPHANS	8
struct vsva_orphan {
	char layout[24];		/* "" for a root not examined */
	int links, maps;
	long age_s;			/* since the layout was made */
	char action[16];		/* adopted, removed, left */
	char why[256];
};

enum vsva_pin_state {
	VSVA_PIN_OFF,			/* --no-pin, or the pins are busy */
	VSVA_PIN_UNDECIDED,		/* pins of this layout: compare */
	VSVA_PIN_FRESH,			/* load, attach, pin */
	VSVA_PIN_ADOPTED,		/* reuse the pinned maps, load nothing */
};

/* What a source sees of the engine: never the engine itself. */
struct vsva_ctx {
	int ncpus;
	void *percpu;			/* per-CPU lookup buffer */
#define VSVA_PERCPU_SCRATCH	64	/* bytes per CPU in it */
	int vm_info_fd;			/* the one vm_info map, or -1 */
	int vmms_fd;			/* the one map of known VMMs, or -1 */
	int kvms_fd;			/* struct kvm -> VM id, or -1 */
	int vmfds_fd;			/* VM fd -> VM id, or -1 */
	int vm_gen_fd;			/* moves when VMs come and go, or -1 */
	__u32 next_scanned;		/* VMs vsvad found: ids handed out */
	bool verbose;
	const struct vsva_features *f;
	const struct vsva_choice *choice;	/* [VSVA_NMEASUREMENTS] */
	/* vm_info as read at the start of a snapshot, by name; vm_index
	 * finds an id's entry (open addressing: entry + 1, 0 empty) */
	struct vsva_vm_entry *vms;
	int nvms;
	int *vm_index;
	unsigned int vm_index_mask;
	/* VMs whose name a newer VM took (pid reuse): out of vms, due now */
	__u32 *renamed;			/* [max_vms] */
	int nrenamed;
	unsigned int max_vms;		/* --max-vms: VMs tracked at once */
	/* pinning (lib/pin.c): the root, or NULL; this build's layout
	 * directory; adopted, fresh or off, and why */
	const char *pin_root;
	const char *pin_off_why;
	char pin_layout[256];
	enum vsva_pin_state pin_state;
	char pin_reason[256];
	int pin_lock;			/* ROOT's descriptor, flock()ed */
	dev_t pin_dev;			/* ROOT's bpffs */
	/* pins no running vsvad held (lib/pin.c): what this one did */
	const char *orphan_root;
	struct vsva_orphan orphans[VSVA_MAX_ORPHANS];
	int norphans;
	bool pin_checking;		/* open, compare with the pins, stop */
	int pin_checked;		/* objects compared */
	__u64 capacity_drops;		/* VMs found at start that did not fit */
	bool vms_cached;
};

/* The rung measurement @m uses. */
static inline enum vsva_rung vsva_rung_of(const struct vsva_ctx *c, int m)
{
	return c->choice[m].rung;
}

/*
 * A source of measurements: one BPF object (or a kernel file) and the
 * table entries that name it.  @state is the source's own; NULL while it
 * is not loaded, and every op but open must then still work (snapshot
 * emits its families, empty).
 */
struct vsva_source {
	/* open, configure, load and attach what the chosen rungs enable:
	 * 0, or a negative errno with nothing left behind */
	int (*open)(struct vsva_ctx *c, void **state);
	/* before the snapshots: start slow reads that run beside them */
	void (*kick)(void *state, struct vsva_ctx *c);
	void (*snapshot)(void *state, struct vsva_ctx *c,
			 struct vsva_snapshot *s);
	/* add this source's drop reasons to vsva_events_dropped_total */
	void (*drops)(void *state, struct vsva_ctx *c, struct vsva_family *f);
	/* the GC retired these VMs (ids): free their entries */
	void (*forget)(void *state, struct vsva_ctx *c, const __u32 *ids,
		       int n);
	/* every GC tick: expire in-flight entries whose exit never came */
	void (*expire)(void *state, struct vsva_ctx *c);
	void (*close)(void *state, struct vsva_ctx *c);
	struct bpf_object *(*object)(void *state);	/* NULL: not BPF */
	const void *(*elf)(size_t *sz);	/* the object's ELF; NULL: not BPF */
};

extern const struct vsva_source vsva_src_memslot, vsva_src_irq,
	vsva_src_iommu, vsva_src_procfs;
/* The engine's sources, in load order (enum vsva_source_id). */
const struct vsva_source *vsva_source_ops(int s);

/* ---- lib/features.c, lib/tracefs.c: what the kernel offers ------------ */

/* Record feature @x: present, or missing with a reason. */
void vsva_feat(struct vsva_features *f, enum vsva_feature x, bool ok,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* access() with the effective credentials: a non-root vsvad with
 * CAP_DAC_READ_SEARCH can see into tracefs (mode 0700). */
bool vsva_exists(const char *path);
/* Mount tracefs if needed (and @may_mount); the syscall tracepoints and
 * the classic tracepoint rungs' events and record layouts. */
void vsva_tracefs_features(struct vsva_features *f, bool may_mount);

/* ---- lib/vm.c: the VM table ------------------------------------------- */

/* Copy vm_info once per snapshot; 0, or -1 if it could not be read whole. */
int vsva_vm_cache_fill(struct vsva_ctx *c);
/* VM @id's identity: this snapshot's copy of vm_info while a snapshot
 * is taken, the map otherwise.  False if unknown (retired). */
bool vsva_vm_get(struct vsva_ctx *c, __u32 id, struct vsva_vm_info *info);
/* Is VM @id in the table (no copy)? */
bool vsva_vm_known(struct vsva_ctx *c, __u32 id);
/* A VM's label: "comm/tgid" for a VMM's first VM, "comm/tgid#2" for its
 * second...; "kernel/0" for kernel threads' work, "unattributed". */
void vsva_vm_label(struct vsva_ctx *c, __u32 id, char *buf, size_t len);
/* VMs due for retirement into @doomed (at most max_vms); how many.
 * A VM exited when its destruction or its VMM's exit was seen, or its
 * VMM's pid is gone or now another process's; it is due after
 * @retention_s, or at once when a newer VM has its name (pid reuse). */
int vsva_vm_expired(struct vsva_ctx *c, unsigned int retention_s,
		    __u32 *doomed);
/* Processes that hold VMs now (/proc/PID/fd -> anon_inode:kvm-vm) are
 * known VMMs, each VM fd a VM: VMs that predate vsvad are VMs too.  How
 * many VMs. */
int vsva_vmms_scan(struct vsva_ctx *c);
/* Forget known VMMs whose process is gone; how many are left. */
int vsva_vmms_gc(struct vsva_ctx *c);
/* Forget the struct kvm and VM fd entries of retired VMs @ids. */
void vsva_vm_refs_forget(struct vsva_ctx *c, const __u32 *ids, int n);

/* ---- lib/load.c: loading a source, one failure policy ------------------ */

/* Open source @src; if a program fails, the measurement whose rung
 * enabled it falls to its next rung (the verifier's line in its reason)
 * and the source is opened again.  0, or -1 when it is given up (its
 * measurements then say why). */
int vsva_source_load(struct vsva_ctx *c, enum vsva_source_id src,
		     const struct vsva_source *ops, void **state,
		     const enum vsva_rung *force, struct vsva_choice *ch);

/* Load and attach an opened skeleton of source @src (its read-only data
 * set): exactly the programs the chosen rungs name (and the source's
 * always-on ones), hash maps preallocated where this kernel needs it, the
 * one vm_info map shared (the first source to load creates it).
 * VSVA_TEST_REJECT=prog,... (tests) makes the kernel refuse those
 * programs.  0, or a negative errno; the caller destroys the skeleton. */
int vsva_obj_start(struct bpf_object_skeleton *sk, struct vsva_ctx *c,
		   enum vsva_source_id src);
int vsva_prog_fds(struct bpf_object *obj, int *fds, const char **names,
		  int max);
/* A map every object declares and the engine makes once (vm_info...). */
bool vsva_map_is_shared(const char *name);
/* Pinning: open every BPF source as it would load and compare it with
 * the pins (vsva_obj_start stops before loading while c->pin_checking). */
void vsva_pin_check_all(struct vsva_ctx *c, struct vsva_choice *ch);

/* ---- lib/pin.c: counts that survive a restart ---------------------------- */

void vsva_pin_begin(struct vsva_ctx *c);
int vsva_pin_check(struct vsva_ctx *c, enum vsva_source_id src,
		   struct bpf_object *obj);
void vsva_pin_decide(struct vsva_ctx *c);
int vsva_pin_reuse(struct vsva_ctx *c, enum vsva_source_id src,
		   struct bpf_object *obj, bool owns_shared);
int vsva_pin_commit(struct vsva_ctx *c, enum vsva_source_id src,
		    struct bpf_object_skeleton *sk, bool owns_shared);
/* Pinning @src failed with @err: no pins at all, and why. */
void vsva_pin_abandon(struct vsva_ctx *c, enum vsva_source_id src, int err);
void vsva_pin_adopted_ids(struct vsva_ctx *c);
const char *vsva_pin_state_name(enum vsva_pin_state s);
/* Not pinning: what lies under @root that no running vsvad holds. */
void vsva_pin_orphans_scan(struct vsva_ctx *c, const char *root);
void vsva_pin_orphans_print(FILE *out, const struct vsva_ctx *c,
			    const char *prefix);

/* ---- lib/mapwalk.c ------------------------------------------------------ */

/* A whole-hash-map read: @fn sees every entry once, with per-CPU values
 * (@vsz bytes of u64 words per CPU) already summed. */
struct vsva_walk {
	int fd;
	size_t ksz, vsz;
	bool percpu;
	bool per_key;		/* no batches: what old kernels get (tests) */
	void (*fn)(struct vsva_ctx *c, void *arg, const void *key,
		   const void *val);
	void *arg;
};

/* 0, or a negative errno: entries may then be missing. */
int vsva_map_walk(struct vsva_ctx *c, const struct vsva_walk *w);
/* Sum the per-CPU values (@words u64 each) of @key; -1 if absent. */
unsigned int vsva_map_entries(const char *name, unsigned int max_vms,
			      int ncpus);
/* Sum a per-CPU value of @words (8 at most) u64s. */
int vsva_sum_percpu(struct vsva_ctx *c, int fd, const void *key, __u64 *sum,
		    size_t words);
/* Delete every entry of hash map @fd whose key holds one of the @n tgids
 * at @tgid_off (keys of at most 128 bytes). */
void vsva_map_forget(int fd, size_t ksz, size_t tgid_off, const __u32 *tgids,
		     int n);
/* Delete the entries of hash map @fd whose value starts with a
 * CLOCK_MONOTONIC start time older than @max_age_ns (an in-flight
 * operation whose exit never came); how many. */
int vsva_map_expire(int fd, size_t ksz, size_t vsz, uint64_t max_age_ns);
/* In-flight entries older than this are expired (VSVA_TEST_INFLIGHT_EXPIRY
 * seconds, for tests, else 60 s). */
uint64_t vsva_inflight_max_age_ns(void);

/* Add the per-CPU drop counters of array @fd under their @names. */
/* Each reason's drops (the BPF counts, plus @extra[reason] if given). */
void vsva_drops_add(struct vsva_ctx *c, int fd, const char *const *names,
		    int n, const __u64 *extra, struct vsva_family *f);

/* ---- lib/pireader.c ----------------------------------------------------- */

struct vsva_pi_reader;
char *vsva_read_proc_interrupts(void);
struct vsva_pi_reader *vsva_pi_reader_start(void);
void vsva_pi_reader_kick(struct vsva_pi_reader *r);
char *vsva_pi_reader_wait(struct vsva_pi_reader *r);
void vsva_pi_reader_stop(struct vsva_pi_reader *r);

#endif /* VSVA_PRIV_H */
