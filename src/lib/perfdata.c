// SPDX-License-Identifier: GPL-2.0
/*
 * perf.data, as far as vsva-perf report needs it (tools/perf's
 * Documentation/perf.data-file-format.txt): the file header, the feature
 * sections (tracing data, os release, host name) and the lost-event
 * records.  The samples themselves are perf script's to read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include "vsva/perfdata.h"

#define PERF_MAGIC2		0x32454c4946524550ULL	/* "PERFILE2" */
#define FEAT_TRACING_DATA	1
#define FEAT_HOSTNAME		3
#define FEAT_OSRELEASE		4
#define FEAT_BITS		256
#define REC_LOST		2
#define REC_LOST_SAMPLES	13

struct section {
	uint64_t offset, size;
};

struct file_header {
	uint64_t magic, size, attr_size;
	struct section attrs, data, event_types;
	uint64_t features[FEAT_BITS / 64];
};

/* A bounded reader over a byte buffer. */
struct cur {
	const uint8_t *p;
	size_t left;
};

static int take(struct cur *c, void *dst, size_t n)
{
	if (n > c->left)
		return -1;
	if (dst)
		memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

/* A NUL-terminated string at the cursor; NULL if unterminated. */
static const char *take_str(struct cur *c)
{
	const char *s = (const char *)c->p;
	size_t n = strnlen(s, c->left);

	if (n == c->left)
		return NULL;
	take(c, NULL, n + 1);
	return s;
}

static void say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* A u64-sized block (header_page, header_event, a format), skipped. */
static int skip_block64(struct cur *c)
{
	uint64_t n;

	return take(c, &n, 8) || take(c, NULL, n) ? -1 : 0;
}

/* One system's event formats. */
static int parse_system(struct cur *c, struct tep_handle *tep, char *err,
			size_t len)
{
	const char *sys = take_str(c);
	uint32_t count, i;
	uint64_t n;

	if (!sys || take(c, &count, 4))
		return -1;
	for (i = 0; i < count; i++) {
		if (take(c, &n, 8) || n > c->left)
			return -1;
		if (tep_parse_event(tep, (const char *)c->p, n, sys)) {
			say(err, len, "tracing data: the format of an event of "
			    "'%s' does not parse", sys);
			return -2;
		}
		take(c, NULL, n);
	}
	return 0;
}

int vsva_perf_tracing_data(const uint8_t *buf, size_t len,
			   struct tep_handle *tep, char *err, size_t errlen)
{
	static const uint8_t magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a',
					   'c', 'i', 'n', 'g' };
	struct cur c = { buf, len };
	uint8_t m[10], big, lsize;
	uint32_t page, count, i;
	const char *ver, *name;
	int rc;

	if (take(&c, m, 10) || memcmp(m, magic, 10) ||
	    !(ver = take_str(&c)) || take(&c, &big, 1) || take(&c, &lsize, 1) ||
	    take(&c, &page, 4))
		goto bad;
	if (big) {
		say(err, errlen, "tracing data: a big-endian recording (vsva-perf "
		    "reads little-endian ones)");
		return -1;
	}
	tep_set_long_size(tep, lsize);
	tep_set_page_size(tep, page);
	for (i = 0; i < 2; i++)		/* header_page, header_event */
		if (!(name = take_str(&c)) || skip_block64(&c))
			goto bad;
	if (take(&c, &count, 4))	/* ftrace's own events */
		goto bad;
	for (i = 0; i < count; i++)
		if (skip_block64(&c))
			goto bad;
	if (take(&c, &count, 4))	/* the recorded events, by system */
		goto bad;
	for (i = 0; i < count; i++) {
		rc = parse_system(&c, tep, err, errlen);
		if (rc == -2)
			return -1;
		if (rc)
			goto bad;
	}
	(void)ver;
	return 0;
bad:
	say(err, errlen, "tracing data: malformed or cut short");
	return -1;
}

/* Feature section @feat of the file, or -1 if it has none. */
static int feature(const struct file_header *h, FILE *f, int feat,
		   struct section *out)
{
	int bit, idx = 0;

	if (!(h->features[feat / 64] & (1ULL << (feat % 64))))
		return -1;
	for (bit = 0; bit < feat; bit++)
		idx += !!(h->features[bit / 64] & (1ULL << (bit % 64)));
	if (fseeko(f, h->data.offset + h->data.size + idx * sizeof(*out),
		   SEEK_SET) || fread(out, sizeof(*out), 1, f) != 1)
		return -1;
	return 0;
}

/* Read feature section @s whole (at most @max bytes); NULL if it fails. */
static uint8_t *read_section(FILE *f, const struct section *s, size_t max)
{
	uint8_t *buf;

	if (s->size > max || fseeko(f, s->offset, SEEK_SET))
		return NULL;
	buf = malloc(s->size + 1);
	if (buf && fread(buf, 1, s->size, f) != s->size) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[s->size] = 0;
	return buf;
}

/* A perf_header_string feature (u32 length, then the string). */
static void string_feature(const struct file_header *h, FILE *f, int feat,
			   char *dst, size_t len)
{
	struct section s;
	uint8_t *buf;
	uint32_t n;

	dst[0] = 0;
	if (feature(h, f, feat, &s) || !(buf = read_section(f, &s, 4096)))
		return;
	memcpy(&n, buf, s.size >= 4 ? 4 : 0);
	if (s.size >= 4 && n <= s.size - 4)
		snprintf(dst, len, "%.*s", (int)n, (const char *)buf + 4);
	free(buf);
}

/* Sum the lost-event records of the data section. */
static int count_lost(FILE *f, const struct file_header *h,
		      struct vsva_perf_file *pf)
{
	struct { uint32_t type; uint16_t misc, size; } rec;
	uint64_t pos = 0, v[2];

	if (fseeko(f, h->data.offset, SEEK_SET))
		return -1;
	while (pos < h->data.size) {
		if (fread(&rec, sizeof(rec), 1, f) != 1 || rec.size < 8)
			return -1;
		if (rec.type == REC_LOST || rec.type == REC_LOST_SAMPLES) {
			if (rec.size < 8 + 8 * (rec.type == REC_LOST ? 2 : 1) ||
			    fread(v, 8, rec.type == REC_LOST ? 2 : 1, f) !=
			    (rec.type == REC_LOST ? 2u : 1u))
				return -1;
			pf->lost += v[rec.type == REC_LOST ? 1 : 0];
			pf->lost_records++;
			if (fseeko(f, h->data.offset + pos + rec.size, SEEK_SET))
				return -1;
		} else if (fseeko(f, rec.size - sizeof(rec), SEEK_CUR)) {
			return -1;
		}
		pos += rec.size;
	}
	return pos == h->data.size ? 0 : -1;
}

static enum vsva_perf_err read_tracing(FILE *f, const char *path,
				       const struct file_header *h,
				       struct vsva_perf_file *pf, char *err,
				       size_t len)
{
	struct section s;
	uint8_t *buf;
	int rc;

	if (feature(h, f, FEAT_TRACING_DATA, &s)) {
		say(err, len, "%s: no tracepoint formats in it (not a "
		    "recording of tracepoints)", path);
		return VSVA_PERF_NOTRACING;
	}
	buf = read_section(f, &s, 1u << 30);
	if (!buf) {
		say(err, len, "%s: its tracing data is cut short", path);
		return VSVA_PERF_TRUNCATED;
	}
	pf->tep = tep_alloc();
	tep_set_loglevel(TEP_LOG_NONE);	/* print formats vsva does not use */
	rc = pf->tep ? vsva_perf_tracing_data(buf, s.size, pf->tep, err, len)
		     : -1;
	free(buf);
	return rc ? VSVA_PERF_NOTRACING : VSVA_PERF_OK;
}

enum vsva_perf_err vsva_perf_open(const char *path, struct vsva_perf_file *pf,
				  char *err, size_t len)
{
	struct file_header h;
	enum vsva_perf_err rc;
	off_t end;
	FILE *f;

	memset(pf, 0, sizeof(*pf));
	f = fopen(path, "rb");
	if (!f) {
		say(err, len, "%s: %s", path, strerror(errno));
		return VSVA_PERF_NOFILE;
	}
	rc = VSVA_PERF_NOTPERF;
	if (fread(&h, sizeof(h), 1, f) != 1 || h.magic != PERF_MAGIC2 ||
	    h.size != sizeof(h)) {
		say(err, len, "%s: not a perf.data file", path);
		goto close_file;
	}
	rc = VSVA_PERF_TRUNCATED;
	if (fseeko(f, 0, SEEK_END) || (end = ftello(f)) < 0 ||
	    h.data.offset + h.data.size > (uint64_t)end || !h.data.size) {
		say(err, len, "%s: cut short (was perf stopped before it "
		    "wrote the file out?)", path);
		goto close_file;
	}
	pf->data_size = h.data.size;
	if (count_lost(f, &h, pf)) {
		say(err, len, "%s: its records are cut short or corrupt", path);
		goto close_file;
	}
	string_feature(&h, f, FEAT_OSRELEASE, pf->osrelease,
		       sizeof(pf->osrelease));
	string_feature(&h, f, FEAT_HOSTNAME, pf->hostname,
		       sizeof(pf->hostname));
	rc = read_tracing(f, path, &h, pf, err, len);
close_file:
	fclose(f);
	if (rc)
		vsva_perf_close(pf);
	return rc;
}

void vsva_perf_close(struct vsva_perf_file *pf)
{
	if (pf->tep)
		tep_free(pf->tep);
	pf->tep = NULL;
}
