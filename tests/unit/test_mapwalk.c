// SPDX-License-Identifier: GPL-2.0
/*
 * Batched whole-map reads (src/mapwalk.c) against real BPF hash maps:
 * every entry seen exactly once, per-CPU values summed right, across
 * many batches, buckets larger than a batch and the per-key fallback.
 * Needs BPF (root); without it prints "skip" with the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"

struct seen {
	size_t words;		/* u64 words per value */
	int nkeys;
	int *hits;		/* per key */
	bool percpu;
	bool bad_value;
};

static struct vsva_ctx eng;

/* Word w of key k on CPU c; the sum over CPUs is what the walk gives. */
static __u64 word(__u32 k, int c, size_t w)
{
	return (__u64)k * 1000003 + (__u64)c * 1009 + w;
}

/* What the walk must hand over: per-CPU words summed over the CPUs. */
static __u64 expected(__u32 k, size_t w, bool percpu)
{
	__u64 s = 0;
	int c;

	if (!percpu)
		return word(k, 0, w);
	for (c = 0; c < eng.ncpus; c++)
		s += word(k, c, w);
	return s;
}

static void check_entry(struct vsva_ctx *e, void *ctx, const void *key,
			const void *val)
{
	struct seen *s = ctx;
	__u32 k = *(const __u32 *)key;
	const __u64 *v = val;
	size_t w;

	if (k >= (__u32)s->nkeys) {
		s->bad_value = true;
		return;
	}
	s->hits[k]++;
	for (w = 0; w < s->words; w++)
		if (v[w] != expected(k, w, s->percpu))
			s->bad_value = true;
}

/* A map of @nkeys keys 0..n-1 with values of @words u64 per CPU. */
static int make_map(enum bpf_map_type type, int nkeys, size_t words)
{
	int per = type == BPF_MAP_TYPE_PERCPU_HASH ? eng.ncpus : 1;
	__u64 *v = calloc((size_t)per * words, sizeof(*v));
	int fd, c;
	__u32 k;
	size_t w;

	assert_non_null(v);
	fd = bpf_map_create(type, "walk_test", sizeof(__u32),
			    words * sizeof(__u64), nkeys, NULL);
	assert_true(fd >= 0);
	for (k = 0; k < (__u32)nkeys; k++) {
		for (c = 0; c < per; c++)
			for (w = 0; w < words; w++)
				v[c * words + w] = word(k, c, w);
		assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_NOEXIST),
				 0);
	}
	free(v);
	return fd;
}

static void walk_and_check(int fd, int nkeys, size_t words, bool percpu,
			   bool per_key)
{
	struct seen s = { .words = words, .nkeys = nkeys, .percpu = percpu };
	struct vsva_walk w = {
		.fd = fd, .ksz = sizeof(__u32), .vsz = words * sizeof(__u64),
		.percpu = percpu, .per_key = per_key,
		.fn = check_entry, .arg = &s,
	};
	int k;

	s.hits = calloc(nkeys, sizeof(*s.hits));
	assert_non_null(s.hits);
	assert_int_equal(vsva_map_walk(&eng, &w), 0);
	assert_false(s.bad_value);
	for (k = 0; k < nkeys; k++)
		if (s.hits[k] != 1)
			fail_msg("key %d seen %d times", k, s.hits[k]);
	free(s.hits);
}

/* 1,000 VMs' worth of 880-byte per-CPU stats: dozens of batches. */
static void test_percpu_many_batches(void **state)
{
	int fd = make_map(BPF_MAP_TYPE_PERCPU_HASH, 1000, 110);

	walk_and_check(fd, 1000, 110, true, false);
	close(fd);
}

/* 40 KiB values: two per batch, so most buckets overflow a batch
 * (ENOSPC) and the buffers must grow. */
static void test_bucket_larger_than_batch(void **state)
{
	int fd = make_map(BPF_MAP_TYPE_HASH, 256, 5120);

	walk_and_check(fd, 256, 5120, false, false);
	close(fd);
}

static void test_small_percpu_counts(void **state)
{
	int fd = make_map(BPF_MAP_TYPE_PERCPU_HASH, 8192, 1);

	walk_and_check(fd, 8192, 1, true, false);
	close(fd);
}

/* What kernels without BPF_MAP_LOOKUP_BATCH get. */
static void test_per_key_fallback(void **state)
{
	int fd = make_map(BPF_MAP_TYPE_PERCPU_HASH, 300, 3);

	walk_and_check(fd, 300, 3, true, true);
	close(fd);
}

static void count_entry(struct vsva_ctx *e, void *ctx, const void *key,
			const void *val)
{
	(*(int *)ctx)++;
}

static void test_empty_map(void **state)
{
	int fd = make_map(BPF_MAP_TYPE_PERCPU_HASH, 1, 1), n = 0;
	struct vsva_walk w = { .fd = fd, .ksz = 4, .vsz = 8, .percpu = true,
			       .fn = count_entry, .arg = &n };
	__u32 k = 0;

	assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	assert_int_equal(vsva_map_walk(&eng, &w), 0);
	w.per_key = true;
	assert_int_equal(vsva_map_walk(&eng, &w), 0);
	assert_int_equal(n, 0);
	close(fd);
}

static void test_bad_fd(void **state)
{
	struct vsva_walk w = { .fd = -1, .ksz = 4, .vsz = 8,
			       .fn = check_entry };

	assert_int_equal(vsva_map_walk(&eng, &w), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percpu_many_batches),
		cmocka_unit_test(test_bucket_larger_than_batch),
		cmocka_unit_test(test_small_percpu_counts),
		cmocka_unit_test(test_per_key_fallback),
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_bad_fd),
	};
	int fd;

	eng.ncpus = libbpf_num_possible_cpus();
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, 1, NULL);
	if (fd < 0) {
		printf("skip - mapwalk: cannot create BPF maps (%s); run as "
		       "root\n", strerror(errno));
		return 0;
	}
	close(fd);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
