/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a perf.data file as vsva-perf report needs it: the header, the
 * lost-event records, and the tracepoint formats perf stored with the
 * data (the tracing-data section), parsed by libtraceevent, so that a
 * recording made on another kernel is decoded by its own layouts.
 */
#ifndef VSVA_PERFDATA_H
#define VSVA_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

struct tep_handle;

/* Why a file cannot be reported on; each is its own exit status. */
enum vsva_perf_err {
	VSVA_PERF_OK = 0,
	VSVA_PERF_NOFILE = 3,		/* cannot open or read it */
	VSVA_PERF_NOTPERF = 4,		/* not a perf.data file */
	VSVA_PERF_TRUNCATED = 5,	/* cut short (perf killed?) */
	VSVA_PERF_NOTRACING = 6,	/* no tracepoint formats in it */
};

struct vsva_perf_file {
	char osrelease[128];		/* the recording kernel's, or "" */
	char hostname[128];
	uint64_t lost;			/* events perf said it lost */
	uint64_t lost_records;		/* LOST and LOST_SAMPLES records */
	uint64_t data_size;		/* bytes of records */
	struct tep_handle *tep;		/* the recorded events' formats */
};

/* Read @path; VSVA_PERF_OK, or why not (with one line in @err). */
enum vsva_perf_err vsva_perf_open(const char *path, struct vsva_perf_file *pf,
				  char *err, size_t len);
void vsva_perf_close(struct vsva_perf_file *pf);

/* Parse a tracing-data section (@buf, @len) into @tep; 0, or -1 with one
 * line in @err.  Never reads outside @buf (fuzzed). */
int vsva_perf_tracing_data(const uint8_t *buf, size_t len,
			   struct tep_handle *tep, char *err, size_t errlen);

#endif /* VSVA_PERFDATA_H */
