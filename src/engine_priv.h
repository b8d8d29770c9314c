/* SPDX-License-Identifier: GPL-2.0 */
/* Engine internals shared by engine.c (memslot) and irq.c. */
#ifndef VSVA_ENGINE_PRIV_H
#define VSVA_ENGINE_PRIV_H

#include <linux/types.h>
#include "vsva.h"
#include "vsva_vm.h"

struct bpf_object;
struct vsva_irq_fast;
struct vsva_pi_reader;
struct memslot_bpf;
struct irq_bpf;
struct iommu_bpf;

struct vsva_engine {
	struct vsva_engine_opts o;
	struct vsva_kcaps caps;
	struct vsva_choice memslot, kvmmmu;
	struct vsva_choice irq_inj, irq_bypass, bypass_connect, posted;
	struct vsva_choice iommu_stock, pasid, sva, iommufd;
	struct memslot_bpf *skel;
	struct irq_bpf *irq;
	struct iommu_bpf *iommu;
	int vm_info_fd;			/* the one vm_info map, or -1 */
	/* /proc/interrupts read beside the map reads; started by the first
	 * snapshot, i.e. after vsvad dropped its capabilities */
	struct vsva_pi_reader *pi_reader;
	bool pi_reader_failed;
	/* irq.bpf.c's per-CPU cache, mapped read-only */
	const volatile struct vsva_irq_fast *irq_fast;
	int ncpus;
	void *percpu;			/* per-CPU lookup buffer */
	/* vm_info as read at the start of a snapshot, sorted by tgid */
	struct vsva_vm_entry *vms;
	int nvms;
	bool vms_cached;
};

struct vsva_vm_entry {
	__u32 tgid;
	struct vsva_vm_info info;
};

/* VM @tgid's identity: this snapshot's copy of vm_info while a snapshot
 * is taken, the map otherwise.  False if unknown (retired). */
bool vsva_vm_get(struct vsva_engine *e, __u32 tgid,
		 struct vsva_vm_info *info);

/* "comm/tgid" of a VM, "kernel/0" for injections by kernel threads. */
void vsva_vm_label(struct vsva_engine *e, __u32 tgid, char *buf, size_t len);

void irq_close(struct vsva_engine *e);
void irq_snapshot(struct vsva_engine *e, struct vsva_snapshot *s);
void irq_drops(struct vsva_engine *e, struct vsva_family *f);
void irq_forget(struct vsva_engine *e, const __u32 *tgids, int n);
int irq_prog_fds(struct vsva_engine *e, int *fds, const char **names,
		 int max);
void posted_kick(struct vsva_engine *e);
void posted_snapshot(struct vsva_engine *e, struct vsva_snapshot *s);

/* src/pireader.c */
char *vsva_read_proc_interrupts(void);
struct vsva_pi_reader *vsva_pi_reader_start(void);
void vsva_pi_reader_kick(struct vsva_pi_reader *r);
char *vsva_pi_reader_wait(struct vsva_pi_reader *r);
void vsva_pi_reader_stop(struct vsva_pi_reader *r);

void iommu_close(struct vsva_engine *e);
void iommu_snapshot(struct vsva_engine *e, struct vsva_snapshot *s);
void iommu_drops(struct vsva_engine *e, struct vsva_family *f);
void iommu_forget(struct vsva_engine *e, const __u32 *tgids, int n);
int iommu_prog_fds(struct vsva_engine *e, int *fds, const char **names,
		   int max);

/* Shared by the measurement files. */

/* A whole-hash-map read (src/mapwalk.c): @fn sees every entry once, with
 * per-CPU values (@vsz bytes of u64 words per CPU) already summed. */
struct vsva_walk {
	int fd;
	size_t ksz, vsz;
	bool percpu;
	bool per_key;		/* no batches: what old kernels get (tests) */
	void (*fn)(struct vsva_engine *e, void *ctx, const void *key,
		   const void *val);
	void *ctx;
};

/* 0, or a negative errno: entries may then be missing. */
int vsva_map_walk(struct vsva_engine *e, const struct vsva_walk *w);
/* Sum the per-CPU values (@words u64 each) of @key; -1 if absent. */
int vsva_sum_percpu(struct vsva_engine *e, int fd, const void *key,
		    __u64 *sum, size_t words);
int vsva_prog_fds(struct bpf_object *obj, int *fds, const char **names,
		  int max);

/* src/load.c: one BPF object, its measurements, one failure policy. */
#define VSVA_OBJ_MAX_CHOICES	4
struct vsva_obj {
	const char *name;
	/* its measurements' choices into @c; how many */
	int (*choices)(struct vsva_engine *e, struct vsva_choice **c);
	/* (re)choose their rungs from e->caps and each choice's refusals */
	void (*choose)(struct vsva_engine *e);
	/* open, enable the chosen rungs' programs, load, attach: 0, or a
	 * negative errno with nothing left behind */
	int (*load)(struct vsva_engine *e);
	/* the choice program @prog serves; NULL: the object as a whole */
	struct vsva_choice *(*owner)(struct vsva_engine *e, const char *prog);
};

/* Choose, load; on a failure demote the failing program's measurement
 * and try again.  0, or -1 when the object is given up (its measurements
 * then say why). */
int vsva_obj_load(struct vsva_engine *e, const struct vsva_obj *o);
/* Before load: preallocate hash maps (@prealloc: Linux < 6.1 with
 * non-BTF tracing programs); VSVA_TEST_REJECT=prog,... (tests) makes
 * the kernel refuse those programs. */
void vsva_obj_prepare(struct bpf_object *obj, bool prealloc);

extern const struct vsva_obj vsva_memslot_obj, vsva_irq_obj, vsva_iommu_obj;

#endif /* VSVA_ENGINE_PRIV_H */
