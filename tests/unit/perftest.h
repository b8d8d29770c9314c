/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests of vsva-perf's report engine share: records laid
 * out as the vsva series' formats lay them out, fed to the engine by
 * event name, the report as JSON.
 */
#ifndef VSVA_TEST_PERFTEST_H
#define VSVA_TEST_PERFTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "perf-report.h"

/* iommu_pasid_exit_class: device (__data_loc) at 8, pasid at 12,
 * domain_type at 16, result at 20, the string from 24 */
#define DEV_OFF		8
#define PASID_OFF	12
#define TYPE_OFF	16
#define RESULT_OFF	20
#define STR_OFF		24

struct rec {
	uint8_t b[128];
	uint32_t n;
};

static inline void put32(struct rec *r, unsigned int off, uint32_t v)
{
	memcpy(r->b + off, &v, 4);
}

/* A PASID/SVA exit record: @dev stored at STR_OFF, its __data_loc word
 * (length << 16 | offset) at DEV_OFF, made relative when @rel. */
static inline struct rec exit_rec(const char *dev, uint32_t type,
				  int32_t result, bool rel)
{
	struct rec r = { .n = STR_OFF + strlen(dev) + 1 };
	uint32_t off = rel ? STR_OFF - (DEV_OFF + 4) : STR_OFF;

	put32(&r, DEV_OFF, (uint32_t)(strlen(dev) + 1) << 16 | off);
	put32(&r, PASID_OFF, 100);
	put32(&r, TYPE_OFF, type);
	put32(&r, RESULT_OFF, (uint32_t)result);
	memcpy(r.b + STR_OFF, dev, strlen(dev) + 1);
	return r;
}

#define ATTACH_ENTER	"iommu:iommu_attach_device_pasid_enter"
#define ATTACH_EXIT	"iommu:iommu_attach_device_pasid_exit"
#define DETACH_ENTER	"iommu:iommu_detach_device_pasid_enter"
#define DETACH_EXIT	"iommu:iommu_detach_device_pasid_exit"
#define REPLACE_ENTER	"iommu:iommu_replace_device_pasid_enter"
#define REPLACE_EXIT	"iommu:iommu_replace_device_pasid_exit"
#define BIND_ENTER	"iommu:iommu_sva_bind_device_enter"
#define BIND_EXIT	"iommu:iommu_sva_bind_device_exit"
#define HWPT_ALLOC	"iommufd:iommufd_hwpt_alloc"
#define HWPT_INV_ENTER	"iommufd:iommufd_hwpt_invalidate_enter"
#define HWPT_INV_EXIT	"iommufd:iommufd_hwpt_invalidate_exit"
#define CONNECT		"irqbypass:irq_bypass_connect"
#define DISCONNECT	"irqbypass:irq_bypass_disconnect"

/* Event @name as the report numbers it; a decoder must consume it. */
static inline int ev(struct report *r, const char *name)
{
	int e = rep_event(r, name);

	if (e < 0)
		fail_msg("no decoder consumes %s", name);
	return e;
}

static inline void set(struct report *r, const char *event,
		       const char *field, unsigned int off, unsigned int size,
		       int loc)
{
	assert_int_equal(rep_set_field(r, ev(r, event), field, off, size,
				       loc), 0);
}

static inline struct report *new_report(int loc)
{
	static const char *const exits[] = {
		ATTACH_EXIT, DETACH_EXIT, REPLACE_EXIT, BIND_EXIT,
		"iommu:iommu_sva_unbind_device_exit",
	};
	struct report *r = rep_new();
	size_t i;

	assert_non_null(r);
	for (i = 0; i < sizeof(exits) / sizeof(exits[0]); i++) {
		set(r, exits[i], "device", DEV_OFF, 4, loc);
		set(r, exits[i], "domain_type", TYPE_OFF, 4, LOC_PLAIN);
		set(r, exits[i], "result", RESULT_OFF, 4, LOC_PLAIN);
	}
	/* iommufd_hwpt_alloc: nested (bool) at 16, result at 32;
	 * iommufd_hwpt_invalidate_exit: entry_num at 16, done_num at 20,
	 * result at 24; irq_bypass_connect/_disconnect: result at 20 */
	set(r, HWPT_ALLOC, "nested", 16, 1, LOC_PLAIN);
	set(r, HWPT_ALLOC, "result", 32, 4, LOC_PLAIN);
	set(r, HWPT_INV_EXIT, "entry_num", 16, 4, LOC_PLAIN);
	set(r, HWPT_INV_EXIT, "done_num", 20, 4, LOC_PLAIN);
	set(r, HWPT_INV_EXIT, "result", 24, 4, LOC_PLAIN);
	set(r, CONNECT, "result", 20, 4, LOC_PLAIN);
	set(r, DISCONNECT, "result", 20, 4, LOC_PLAIN);
	return r;
}

static inline void feed(struct report *r, const char *event, uint32_t pid,
			uint32_t tid, uint64_t t, const struct rec *rec)
{
	static const uint8_t empty[64];
	struct sample s = {
		.ev = ev(r, event), .time = t, .pid = pid, .tid = tid,
		.cpu = 1, .raw = rec ? rec->b : empty,
		.raw_size = rec ? rec->n : sizeof(empty),
	};

	rep_sample(r, &s);
}

/* The report as JSON (caller frees). */
static inline char *json(struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(rep_option(r, "format=json"), 0);
	rep_print(r, f);
	fclose(f);
	return buf;
}

static inline void expect(const char *out, const char *what)
{
	if (!strstr(out, what))
		fail_msg("not in the report: %s\n%s", what, out);
}

#endif /* VSVA_TEST_PERFTEST_H */
