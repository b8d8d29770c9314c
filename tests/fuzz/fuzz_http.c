// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer + AddressSanitizer: request routing and the exposition writer
 * on arbitrary bytes.  Invariants: routing answers one of its routes; a
 * family with arbitrary HELP, label value and value is exactly three
 * lines (escaping leaves no raw newline), the whole exposition is valid
 * UTF-8 by glibc's iconv (an oracle we did not write: Prometheus rejects a
 * scrape for one invalid label value), and a label value that was valid
 * UTF-8 and within the cap round-trips through Prometheus' unescaping.
 */
#include <assert.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "vsva/expo.h"
#include "vsva/utf8.h"

static size_t count_lines(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '\n';
	return n;
}

/* Undo label-value escaping between the quotes after 'l="'. */
static char *unescape_label(const char *line)
{
	const char *p = strstr(line, "l=\"");
	char *out, *o;

	assert(p);
	p += 3;
	out = o = malloc(strlen(p) + 1);
	for (; *p && *p != '"'; p++) {
		if (*p == '\\') {
			p++;
			assert(*p == '\\' || *p == '"' || *p == 'n');
			*o++ = *p == 'n' ? '\n' : *p;
		} else {
			*o++ = *p;
		}
	}
	assert(*p == '"');
	*o = 0;
	return out;
}

/* Is @s valid UTF-8, by iconv's reckoning? */
static int iconv_valid(const char *s)
{
	static iconv_t cd = (iconv_t)-1;
	size_t in = strlen(s), out = in + 1, rc;
	char *buf = malloc(out), *ip = (char *)s, *op = buf;

	if (cd == (iconv_t)-1)
		cd = iconv_open("UTF-8", "UTF-8");
	assert(cd != (iconv_t)-1);
	iconv(cd, NULL, NULL, NULL, NULL);
	rc = iconv(cd, &ip, &in, &op, &out);
	free(buf);
	return rc != (size_t)-1 && !in;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl, *got;
	struct vsva_snapshot snap = { 0 };
	struct vsva_buf b = { 0 };
	struct vsva_family *f;
	enum vsva_route r;
	double v = 0;

	memcpy(s, data, size);
	s[size] = 0;		/* strings end at the first NUL, as in HTTP */
	nl = strchr(s, '\n');
	if (nl)
		*nl = 0;
	r = vsva_http_route(s, nl ? nl + 1 : "");
	assert(r >= VSVA_ROUTE_METRICS && r <= VSVA_ROUTE_BAD_METHOD);
	if (nl)
		*nl = '\n';

	if (size >= sizeof(v))
		memcpy(&v, data, sizeof(v));
	f = vsva_snap_family(&snap, "m", s, VSVA_GAUGE);
	assert(vsva_family_add(f, v, "l", s, NULL));
	vsva_expo_write(&b, &snap);
	assert(!b.oom && b.p);
	assert(count_lines(b.p) == 3);
	/* iconv also takes code points past U+10FFFF, which Go (and so
	 * Prometheus) refuses: it can only confirm, and the strict check
	 * must agree with it where it says no */
	assert(iconv_valid(b.p) && vsva_utf8_valid(b.p));
	assert(!vsva_utf8_valid(s) || iconv_valid(s));
	got = unescape_label(strstr(b.p, "\nm{") + 1);
	if (vsva_utf8_valid(s) && strlen(s) <= VSVA_LABEL_VALUE_MAX)
		assert(!strcmp(got, s));
	free(got);
	vsva_buf_free(&b);
	vsva_snap_free(&snap);
	free(s);
	return 0;
}
