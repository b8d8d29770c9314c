// SPDX-License-Identifier: GPL-2.0
/*
 * Read a whole BPF hash map in batches: one bpf() call per batch instead
 * of two per key (get_next_key + lookup), which is most of a scrape's
 * cost otherwise.  Kernels without batch operations get the per-key walk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "priv.h"
#include "vsva/clock.h"

#define WALK_BYTES	(64 << 10)	/* keys + values read per call */
#define WALK_MAX	(1 << 16)	/* entries per call, at most */

struct walk_bufs {
	char *keys, *vals;
	__u64 *sum;			/* per-CPU values summed */
	__u32 cap;			/* entries keys/vals hold */
};

static size_t walk_stride(const struct vsva_ctx *c,
			  const struct vsva_walk *w)
{
	return w->percpu ? ((w->vsz + 7) & ~(size_t)7) * c->ncpus : w->vsz;
}

static int bufs_alloc(struct walk_bufs *b, __u32 cap, size_t ksz,
		      size_t stride)
{
	char *k = realloc(b->keys, (size_t)cap * ksz);

	if (!k)
		return -ENOMEM;
	b->keys = k;
	k = realloc(b->vals, (size_t)cap * stride);
	if (!k)
		return -ENOMEM;
	b->vals = k;
	b->cap = cap;
	return 0;
}

/* Hand @n entries to the caller, per-CPU values summed first. */
static void deliver(struct vsva_ctx *c, const struct vsva_walk *w,
		    struct walk_bufs *b, __u32 n)
{
	size_t stride = walk_stride(c, w), words = w->vsz / 8;
	size_t cpu_words = (w->vsz + 7) / 8, i, j;
	const __u64 *v;
	__u32 k;
	int cpu;

	for (k = 0; k < n; k++) {
		const char *val = b->vals + k * stride;

		if (w->percpu) {
			memset(b->sum, 0, w->vsz);
			v = (const __u64 *)val;
			for (cpu = 0; cpu < c->ncpus; cpu++)
				for (i = 0, j = cpu * cpu_words; i < words;
				     i++, j++)
					b->sum[i] += v[j];
			val = (const char *)b->sum;
		}
		w->fn(c, w->arg, b->keys + k * w->ksz, val);
	}
}

/* One lookup per key, for kernels without BPF_MAP_LOOKUP_BATCH. */
static int walk_keys(struct vsva_ctx *c, const struct vsva_walk *w,
		     struct walk_bufs *b)
{
	void *prev = NULL, *next = b->keys + w->ksz;

	while (bpf_map_get_next_key(w->fd, prev, next) == 0) {
		memcpy(b->keys, next, w->ksz);
		prev = b->keys;
		if (bpf_map_lookup_elem(w->fd, b->keys, b->vals))
			continue;	/* deleted meanwhile */
		deliver(c, w, b, 1);
	}
	return errno == ENOENT ? 0 : -errno;
}

static bool no_batch_support(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524;
}

static int walk_batches(struct vsva_ctx *c, const struct vsva_walk *w,
			struct walk_bufs *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t stride = walk_stride(c, w);
	__u64 token[2][8];		/* hash maps: a bucket number */
	bool started = false;
	__u32 n;
	int err;

	if (w->per_key)
		return walk_keys(c, w, b);
	for (;;) {
		n = b->cap;
		err = bpf_map_lookup_batch(w->fd, started ? token[0] : NULL,
					   token[1], b->keys, b->vals, &n,
					   &opts);
		if (err == -ENOSPC && b->cap < WALK_MAX) {
			/* one bucket holds more entries than fit */
			if (bufs_alloc(b, b->cap * 2, w->ksz, stride))
				return -ENOMEM;
			continue;
		}
		if (err && err != -ENOENT) {
			if (!started && no_batch_support(err))
				return walk_keys(c, w, b);
			return err;
		}
		deliver(c, w, b, n);
		if (err == -ENOENT)
			return 0;
		memcpy(token[0], token[1], sizeof(token[0]));
		started = true;
	}
}

int vsva_map_walk(struct vsva_ctx *c, const struct vsva_walk *w)
{
	size_t stride = walk_stride(c, w);
	struct walk_bufs b = { 0 };
	__u32 cap = WALK_BYTES / (stride + w->ksz);
	int err = -ENOMEM;

	if (w->fd < 0)
		return -EBADF;
	if (cap < 2)
		cap = 2;	/* walk_keys uses two key slots */
	b.sum = calloc(1, w->vsz + 8);
	if (!b.sum || bufs_alloc(&b, cap, w->ksz, stride))
		goto free_bufs;
	err = walk_batches(c, w, &b);
free_bufs:
	free(b.keys);
	free(b.vals);
	free(b.sum);
	return err;
}

int vsva_sum_percpu(struct vsva_ctx *c, int fd, const void *key, __u64 *sum,
		    size_t words)
{
	const __u64 *v = c->percpu;
	size_t i;
	int cpu;

	memset(sum, 0, words * sizeof(*sum));
	if (words * sizeof(*sum) > VSVA_PERCPU_SCRATCH ||
	    bpf_map_lookup_elem(fd, key, c->percpu))
		return -1;
	for (cpu = 0; cpu < c->ncpus; cpu++)
		for (i = 0; i < words; i++)
			sum[i] += v[cpu * words + i];
	return 0;
}

void vsva_map_forget(int fd, size_t ksz, size_t tgid_off, const __u32 *tgids,
		     int n)
{
	char key[128], next[128];
	bool started = false;
	__u32 tgid;
	int i;

	if (fd < 0 || !n || ksz > sizeof(key))
		return;
	while (bpf_map_get_next_key(fd, started ? key : NULL, next) == 0) {
		memcpy(key, next, ksz);
		started = true;
		memcpy(&tgid, key + tgid_off, sizeof(tgid));
		for (i = 0; i < n; i++) {
			if (tgid != tgids[i])
				continue;
			bpf_map_delete_elem(fd, key);
			started = false;	/* restart: the key is gone */
			break;
		}
	}
}

void vsva_drops_add(struct vsva_ctx *c, int fd, const char *const *names,
		    int n, const __u64 *extra, struct vsva_family *f)
{
	__u64 total;
	__u32 r;

	for (r = 0; r < (__u32)n; r++) {
		total = 0;
		if (fd >= 0)
			vsva_sum_percpu(c, fd, &r, &total, 1);
		if (extra)
			total += extra[r];
		vsva_family_add(f, total, "reason", names[r], NULL);
	}
}

uint64_t vsva_inflight_max_age_ns(void)
{
	const char *t = getenv("VSVA_TEST_INFLIGHT_EXPIRY");

	return (t ? strtoull(t, NULL, 10) : 60) * 1000000000ULL;
}

int vsva_map_expire(int fd, size_t ksz, size_t vsz, uint64_t max_age_ns)
{
	char key[64], next[64], val[64];
	uint64_t now = vsva_mono_ns(), start;
	bool started = false;
	int n = 0;

	if (fd < 0 || ksz > sizeof(key) || vsz > sizeof(val) || vsz < 8)
		return 0;
	while (bpf_map_get_next_key(fd, started ? key : NULL, next) == 0) {
		memcpy(key, next, ksz);
		started = true;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		memcpy(&start, val, sizeof(start));
		if (start > now || now - start < max_age_ns)
			continue;
		if (!bpf_map_delete_elem(fd, key)) {
			n++;
			started = false;	/* restart: the key is gone */
		}
	}
	return n;
}
