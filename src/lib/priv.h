/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Library internals: the narrow context sources see, the source ops
 * table, and the helpers the sources share.
 */
#ifndef VSVA_PRIV_H
#define VSVA_PRIV_H

#include <limits.h>
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
	/* pinning (src/lib/pin.c): the root, or NULL; this build's layout
	 * directory; adopted, fresh or off, and why */
	const char *pin_root;
	const char *pin_off_why;
	char pin_layout[256];
	enum vsva_pin_state pin_state;
	char pin_reason[256];
	int pin_lock;			/* ROOT's descriptor, flock()ed */
	dev_t pin_dev;			/* ROOT's bpffs */
	/* pins no running vsvad held (src/lib/pin.c): what this one did */
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

/* vsva_src_memslot... (src/lib/src_<name>.c), one per VSVA_SOURCE row */
#define VSVA_SOURCE(id, name, ...) extern const struct vsva_source vsva_src_##name;
#include "vsva/measurements.def"

/* A BPF source's object (its ELF bytes), as the engine hands it to what
 * depends on the objects without loading them: the pins' layout, the
 * maps' sizes. */
struct vsva_elf {
	enum vsva_source_id src;
	const void *bytes;
	size_t size;
};

/* ---- src/lib/engine.c: the only walker of the sources ---------------- */

/* The BPF sources' objects, in load order: how many (at most @max). */
int vsva_source_elfs(struct vsva_elf *out, int max);

/* ---- src/lib/features.c, src/lib/tracefs.c: what the kernel offers ------------ */

/* access() with the effective credentials: a non-root vsvad with
 * CAP_DAC_READ_SEARCH can see into tracefs (mode 0700). */
bool vsva_exists(const char *path);
/* Mount tracefs if needed (and @may_mount); the syscall tracepoints and
 * the classic tracepoint rungs' events and record layouts. */
void vsva_tracefs_features(struct vsva_features *f, bool may_mount);

/* ---- src/lib/vm.c: the VM table ------------------------------------------- */

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
/* A map every object declares and the engine makes once (vm_info...). */
bool vsva_map_is_shared(const char *name);
/* Shared map @i: its name and *@fd, the engine's descriptor of it (-1
 * until the first object to load made it); NULL past the last. */
const char *vsva_shared_map(struct vsva_ctx *c, int i, int **fd);

/* ---- src/lib/load.c: loading a source, one failure policy ------------------ */

/* Open source @src; if a program fails, the measurement whose rung
 * enabled it falls to its next rung (the verifier's line in its reason)
 * and the source is opened again.  0, or -1 when it is given up (its
 * measurements then say why). */
int vsva_source_load(struct vsva_ctx *c, enum vsva_source_id src,
		     const struct vsva_source *ops, void **state,
		     const enum vsva_rung *force, struct vsva_choice *ch);

/* ---- src/lib/skel.c: one BPF object's life ---------------------------- */

/* A BPF source's skeleton (bpftool's <obj>.skel.h), typed for the one
 * life cycle vsva_skel_open() runs; VSVA_SKEL() makes it. */
struct vsva_skel {
	void *(*open)(void);
	void (*destroy)(void *skel);
	struct bpf_object_skeleton *(*skeleton)(void *skel);
	/* before load: read-only data, map sizes; 0 or a negative errno */
	int (*config)(void *skel, struct vsva_ctx *c);
};

/* <obj>_skel, the struct vsva_skel of bpftool's struct <obj>_bpf, with
 * @config (or NULL). */
#define VSVA_SKEL(obj, config)						\
static void *obj##_skel_open(void)					\
{									\
	return obj##_bpf__open();					\
}									\
static void obj##_skel_destroy(void *skel)				\
{									\
	obj##_bpf__destroy(skel);					\
}									\
static struct bpf_object_skeleton *obj##_skel_sk(void *skel)		\
{									\
	return ((struct obj##_bpf *)skel)->skeleton;			\
}									\
static const struct vsva_skel obj##_skel = {				\
	obj##_skel_open, obj##_skel_destroy, obj##_skel_sk, config,	\
}

/* Open @k's skeleton, configure it, load and attach what the chosen rungs
 * of source @src enable (vsva_obj_start): the skeleton, or NULL with
 * *@err a negative errno and nothing left behind.  The source destroys
 * it (<obj>_bpf__destroy) when it closes. */
void *vsva_skel_open(const struct vsva_skel *k, struct vsva_ctx *c,
		     enum vsva_source_id src, int *err);

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
/* The entries map @name holds for @max_vms VMs on @ncpus CPUs; 0 for a
 * map of fixed size. */
unsigned int vsva_map_entries(const char *name, unsigned int max_vms,
			      int ncpus);

/* ---- src/lib/pin.c: counts that survive a restart ---------------------------- */

/* Before any object loads: the root, its lock, the layout of the objects
 * @elf (their bytes and --max-vms name it), whether anything is pinned;
 * while c->pin_checking, vsva_obj_start() compares each object with the
 * pins (vsva_pin_check) instead of loading it. */
void vsva_pin_begin(struct vsva_ctx *c, const struct vsva_elf *elf, int n);
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

/* ---- src/lib/pinroot.c: the pin root, by descriptor ------------------ */

#define VSVA_PIN_PATH	512	/* ROOT/<layout>/<object>/<sub> */

/* ROOT, opened and checked: its parent (O_PATH), itself, its device. */
/* ROOT, opened and checked: its parent (O_PATH), itself, its device and
 * owner.  @service: root acting for the service (the unit's preparation,
 * the package's --unpin, the orphan scan), which may also own it. */
struct vsva_pin_dir {
	int parent;
	int fd;
	dev_t dev;
	uid_t uid;
	bool service;
	uid_t svc_uid;			/* the service's user, if known */
	char base[NAME_MAX + 1];
};

int vsva_pin_dir_open(struct vsva_pin_dir *d, const char *root, bool create,
		      char *why, size_t len);
void vsva_pin_dir_close(struct vsva_pin_dir *d);
/* Take the pins' lock on ROOT's descriptor @fd: 0, or -errno (EWOULDBLOCK:
 * a running vsvad holds it). */
int vsva_pin_lock(int fd);
/* Empty directory @dfd (at @depth under ROOT), never leaving device @dev
 * nor following a link; 0 or the first -errno. */
int vsva_pin_clear(int dfd, dev_t dev, int depth);
/* Remove directory @name under @dfd and what it holds. */
int vsva_pin_remove(int dfd, const char *name, dev_t dev);
/* Entries directly under directory @dfd. */
int vsva_pin_entries(int dfd);

/* ---- src/lib/orphans.c: pins no running vsvad holds ------------------ */

/* Not pinning: what lies under @root that no running vsvad holds. */
void vsva_pin_orphans_scan(struct vsva_ctx *c, const char *root);
/* Pinning, ROOT locked: the layouts the vsvad before left there. */
void vsva_pin_orphans_of_root(struct vsva_ctx *c);
/* Once decided: this run's @layout adopted or removed, the others
 * removed. */
void vsva_pin_orphans_decided(struct vsva_ctx *c, const char *layout);
void vsva_pin_orphans_print(FILE *out, const struct vsva_ctx *c,
			    const char *prefix);

/* ---- src/lib/mapwalk.c ------------------------------------------------------ */

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
/* Sum the per-CPU values (@words u64s each, 8 at most) of @key; -1 if
 * absent. */
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

/* ---- src/lib/pireader.c ----------------------------------------------------- */

struct vsva_pi_reader;
char *vsva_read_proc_interrupts(void);
struct vsva_pi_reader *vsva_pi_reader_start(void);
void vsva_pi_reader_kick(struct vsva_pi_reader *r);
char *vsva_pi_reader_wait(struct vsva_pi_reader *r);
void vsva_pi_reader_stop(struct vsva_pi_reader *r);

#endif /* VSVA_PRIV_H */
