// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-top's snapshots: from its own engine, or a vsvad's /metrics over
 * HTTP(S) (--from).  A body is read as plain text only (no compression
 * asked for or accepted) and up to TOP_MAX_BODY bytes; anything else is
 * refused with a reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "top.h"

struct body {
	struct vsva_buf b;
	bool too_big;		/* over TOP_MAX_BODY: not read on */
	bool encoded;		/* a Content-Encoding other than identity */
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "Content-Encoding:";
	struct body *body = arg;
	size_t len = size * n, k = sizeof(name) - 1;

	if (len > k && !strncasecmp(p, name, k)) {
		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		if (k < len && p[k] != '\r' && p[k] != '\n' &&
		    (len - k < 8 || strncasecmp(p + k, "identity", 8)))
			body->encoded = true;
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct body *body = arg;
	size_t len = size * n;

	if (body->encoded)
		return 0;
	if (len > TOP_MAX_BODY - body->b.len) {
		body->too_big = true;
		return 0;
	}
	vsva_buf_put(&body->b, p, len);
	return body->b.oom ? 0 : len;
}

/* Why the transfer of @src's body failed (@rc) or was refused. */
static void transfer_error(struct source *src, const struct body *body,
			   CURLcode rc)
{
	if (body->encoded)
		snprintf(src->err, sizeof(src->err), "%s: the body is "
			 "compressed (Content-Encoding): vsva-top reads "
			 "plain text only", src->url);
	else if (body->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(src->err, sizeof(src->err), "%s: the body is larger "
			 "than %d MiB: not read", src->url, TOP_MAX_BODY >> 20);
	else if (body->b.oom)
		snprintf(src->err, sizeof(src->err), "%s: out of memory",
			 src->url);
	else
		snprintf(src->err, sizeof(src->err), "%s: %s", src->url,
			 curl_easy_strerror(rc));
}

/* GET the exposition from vsvad and parse it into @s (empty on failure). */
static int fetch(struct source *src, struct vsva_snapshot *s)
{
	struct body body = { 0 };
	char why[256];
	long status = 0;
	CURLcode rc;
	int ret = -1;

	curl_easy_setopt(src->curl, CURLOPT_HEADERDATA, &body);
	curl_easy_setopt(src->curl, CURLOPT_WRITEDATA, &body);
	rc = curl_easy_perform(src->curl);
	curl_easy_getinfo(src->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || body.encoded)
		transfer_error(src, &body, rc);
	else if (status != 200)
		snprintf(src->err, sizeof(src->err), "%s: HTTP %ld", src->url,
			 status);
	else if (body.b.len >= 2 && (unsigned char)body.b.p[0] == 0x1f &&
		 (unsigned char)body.b.p[1] == 0x8b)
		snprintf(src->err, sizeof(src->err), "%s: the body is "
			 "gzip-compressed: vsva-top reads plain text only",
			 src->url);
	else if (vsva_expo_parse(body.b.p ? body.b.p : "", body.b.len, s, why,
				 sizeof(why)))
		snprintf(src->err, sizeof(src->err), "%s: not vsvad's "
			 "metrics: %s", src->url, why);
	else if (!vsva_snap_find(s, "vsva_probe_info"))
		snprintf(src->err, sizeof(src->err), "%s: no vsva_probe_info: "
			 "not a vsvad", src->url);
	else
		ret = 0;
	if (ret)	/* the screen retries every interval: nothing kept */
		vsva_snap_free(s);
	vsva_buf_free(&body.b);
	return ret;
}

int top_snap(struct source *src, struct vsva_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (src->url)
		return fetch(src, s);
	return vsva_engine_snapshot(src->engine, s);
}

int top_open_url(struct source *src)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	src->curl = curl_easy_init();
	if (!src->curl)
		return -1;
	curl_easy_setopt(src->curl, CURLOPT_URL, src->url);
	/* a vsvad speaks HTTP or HTTPS: no file://, no other protocol */
	curl_easy_setopt(src->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(src->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(src->curl, CURLOPT_WRITEFUNCTION, on_body);
	/* refused at once when the server says the length */
	curl_easy_setopt(src->curl, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)TOP_MAX_BODY);
	curl_easy_setopt(src->curl, CURLOPT_TIMEOUT, 5L);
	/* no CURLOPT_ACCEPT_ENCODING: plain text asked for, nothing decoded */
	return 0;
}
