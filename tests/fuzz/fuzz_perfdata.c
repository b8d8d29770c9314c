// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer + AddressSanitizer: vsva-perf's decoders on arbitrary bytes.
 * Byte 0 even: the bytes after it are a perf.data tracing-data section
 * (libtraceevent parses the formats in it).  Odd: they are field layouts
 * and raw tracepoint records fed to the report engine, which must never
 * read outside a record, and its report must be printable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include "vsva/perfdata.h"
#include "perf-report.h"

static void tracing(const uint8_t *d, size_t n)
{
	struct tep_handle *tep = tep_alloc();
	char err[256];

	if (!tep)
		return;
	vsva_perf_tracing_data(d, n, tep, err, sizeof(err));
	tep_free(tep);
}

/* 12 layouts (event, field, offset, size and loc), then records: event, length,
 * bytes; each record copied to its own allocation of exactly its length. */
static void records(const uint8_t *d, size_t n)
{
	struct report *r = rep_new();
	struct sample s = { 0 };
	FILE *devnull = fopen("/dev/null", "w");
	uint8_t *raw;
	size_t i;

	if (!r || !devnull)
		goto out;
	for (i = 0; i < 12 && n >= 4; i++, d += 4, n -= 4) {
		const struct rep_event *e = &r->ev[d[0] % r->nev];

		rep_set_field(r, d[0] % r->nev, e->fields[d[1] % EV_FIELDS] ?
			      e->fields[d[1] % EV_FIELDS] : "none", d[2],
			      d[3] % 9, d[3] >> 6);
	}
	while (n >= 6) {
		size_t len = d[1] < n - 6 ? d[1] : n - 6;

		s.ev = d[0] % (r->nev + 1);
		s.pid = d[2] % 4 + 1;
		s.tid = d[3] % 8 + 1;
		s.time += d[4] * 1000;
		s.cpu = d[5] % 4;
		raw = malloc(len ? len : 1);
		if (!raw)
			break;
		memcpy(raw, d + 6, len);
		s.raw = raw;
		s.raw_size = len;
		rep_sample(r, &s);
		free(raw);
		d += 6 + len;
		n -= 6 + len;
	}
	rep_option(r, "timeline=1");
	rep_option(r, "format=json");
	rep_print(r, devnull);
	rep_option(r, "format=text");
	rep_print(r, devnull);
out:
	if (devnull)
		fclose(devnull);
	rep_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		records(data + 1, size - 1);
	else
		tracing(data + 1, size - 1);
	return 0;
}
