// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's answers: /metrics (a snapshot, gzip on request, with vsvad's own
 * metrics), the landing page, basic auth (auth.c's workers check the
 * passwords) and its refusals.  The server itself: httpd.c.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include "vsva/engine.h"
#include "vsva/expo.h"
#include "auth.h"
#include "conns.h"
#include "http.h"
#include "server.h"
#include "servtls.h"
#include "vsvad.h"

double vsvad_mono_s(void)
{
	return vsva_mono_ns() * 1e-9;
}

static const char landing[] =
	"<!DOCTYPE html>\n<html><head><title>vsvad</title></head><body>\n"
	"<h1>vsvad " VSVA_VERSION "</h1>\n"
	"<p>vsva exporter: KVM memslot zap, IOMMU PASID/SVA, nesting and "
	"IRQ bypass measurements.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

/* http_server_config.headers, on every response */
static void add_headers(struct vsvad *d, struct MHD_Response *r)
{
	int i;

	pthread_rwlock_rdlock(&d->wc_lock);
	for (i = 0; i < d->wc.nheaders; i++)
		MHD_add_response_header(r, d->wc.header[i].name,
					d->wc.header[i].value);
	pthread_rwlock_unlock(&d->wc_lock);
}

static enum MHD_Result reply(struct vsvad *d, struct MHD_Connection *c,
			     unsigned int status, const char *type,
			     char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	add_headers(d, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct vsvad *d, struct MHD_Connection *c,
				  unsigned int status, const char *msg)
{
	return reply(d, c, status, "text/plain; charset=utf-8", (char *)msg,
		     strlen(msg), MHD_RESPMEM_PERSISTENT);
}

/* Run time and count of every loaded program (BPF_ENABLE_STATS). */
static void prog_metrics(struct vsvad *d, struct vsva_snapshot *s)
{
	struct vsva_family *secs, *runs, *missed;
	const char *names[64];
	int fds[64], n, i;

	vsva_family_add(vsva_snap_family(s, "vsva_bpf_stats_enabled",
			"1 if BPF run-time statistics are on (needs "
			"CAP_SYS_ADMIN at start); else the run metrics are "
			"absent.", VSVA_GAUGE), d->stats_fd >= 0, NULL);
	secs = vsva_snap_family(s, "vsva_bpf_prog_run_seconds_total",
		"Time spent in each vsva BPF program.", VSVA_COUNTER);
	runs = vsva_snap_family(s, "vsva_bpf_prog_runs_total",
		"Runs of each vsva BPF program (events it saw).", VSVA_COUNTER);
	missed = vsva_snap_family(s, "vsva_bpf_prog_recursion_misses_total",
		"Events a vsva BPF program did not see because a program was "
		"already running on that CPU (an interrupt nested in it): "
		"lost, and counted here (Linux 5.12+; absent before).",
		VSVA_COUNTER);
	n = vsva_engine_prog_fds(d->engine, fds, names, 64);
	for (i = 0; i < n; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			continue;
		/* a kernel that does not count them leaves the field out */
		if (len >= offsetof(struct bpf_prog_info, recursion_misses) +
			   sizeof(info.recursion_misses))
			vsva_family_add(missed, info.recursion_misses, "prog",
					names[i], NULL);
		if (d->stats_fd < 0)
			continue;
		vsva_family_add(secs, info.run_time_ns * 1e-9, "prog",
				names[i], NULL);
		vsva_family_add(runs, info.run_cnt, "prog", names[i], NULL);
	}
}

/* Requests answered so far, by status (the scrape being served is not
 * among them yet), credentials refused, and connections accepted: the
 * requests libmicrohttpd itself refuses (414, 431, bad syntax) reach no
 * handler and have no count of their own. */
static void http_metrics(struct vsvad *d, struct vsva_snapshot *s)
{
	struct vsva_family *f = vsva_snap_family(s, "vsva_http_requests_total",
		"HTTP requests vsvad answered, by status code.", VSVA_COUNTER);
	unsigned long long n;
	char code[8];
	int i;

	for (i = 100; i < VSVAD_HTTP_CODES; i++) {
		n = __atomic_load_n(&d->http_requests[i], __ATOMIC_RELAXED);
		if (!n)
			continue;
		snprintf(code, sizeof(code), "%d", i);
		vsva_family_add(f, n, "code", code, NULL);
	}
	vsva_family_add(vsva_snap_family(s, "vsva_http_connections_total",
			"TCP connections accepted; each carries one or more "
			"requests, or none that reached vsvad (refused by the "
			"HTTP library: 414, 431, bad syntax, timeout).",
			VSVA_COUNTER),
			__atomic_load_n(&d->connections, __ATOMIC_RELAXED), NULL);
	f = vsva_snap_family(s, "vsva_web_config_reloads_total",
		"--web-config reloads (SIGHUP, or its files changed), by "
		"result; a failed one keeps the config in use and logs why.",
		VSVA_COUNTER);
	vsva_family_add(f, d->reloads[0], "result", "ok", NULL);
	vsva_family_add(f, d->reloads[1], "result", "error", NULL);
	vsva_family_add(vsva_snap_family(s,
			"vsva_web_config_last_reload_successful",
			"1 if the last --web-config reload (or the start) "
			"succeeded.", VSVA_GAUGE), d->last_reload_ok, NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_http_auth_failures_total",
			"Requests refused for missing or wrong basic auth "
			"credentials.", VSVA_COUNTER),
			__atomic_load_n(&d->auth_failures, __ATOMIC_RELAXED),
			NULL);
	vsva_family_add(vsva_snap_family(s,
			"vsva_tls_client_san_refusals_total",
			"TLS handshakes refused because the client certificate "
			"names none of client_allowed_sans.", VSVA_COUNTER),
			__atomic_load_n(&d->san_refusals, __ATOMIC_RELAXED),
			NULL);
	vsvad_tls_metrics(s);
	vsvad_conns_metrics(s);
}

static void self_metrics(struct vsva_snapshot *s, double t0)
{
	vsva_family_add(vsva_snap_family(s, "vsva_build_info",
			"vsva version.", VSVA_GAUGE), 1,
			"version", VSVA_VERSION, NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_scrape_duration_seconds",
			"Time vsvad took to read the BPF maps for this scrape.",
			VSVA_GAUGE), vsvad_mono_s() - t0, NULL);
}

/* gzip @in (Prometheus asks for it); NULL if zlib fails. */
static char *gzip(const char *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = compressBound(len) + 32;
	char *out = malloc(cap);

	if (!out || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
		goto free_out;
	z.next_in = (Bytef *)in;
	z.avail_in = len;
	z.next_out = (Bytef *)out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		goto free_out;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
free_out:
	free(out);
	return NULL;
}

static bool wants_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return ae && strstr(ae, "gzip");
}

static enum MHD_Result reply_metrics(struct vsvad *d, struct MHD_Connection *c,
				     char *body,
				     size_t len)
{
	static const char type[] = "text/plain; version=0.0.4; charset=utf-8";
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t zlen;
	char *z = wants_gzip(c) ? gzip(body, len, &zlen) : NULL;

	if (z) {
		free(body);
		body = z;
		len = zlen;
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_headers(d, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
				MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (z)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
					"gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result serve_metrics(struct vsvad *d, struct MHD_Connection *c)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	double t0 = vsvad_mono_s();
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = vsva_engine_snapshot(d->engine, &s);
	prog_metrics(d, &s);
	pthread_mutex_unlock(&d->lock);
	self_metrics(&s, t0);
	http_metrics(d, &s);
	if (!rc && !vsva_snap_incomplete(&s)) {
		/* the last scrape's size and a little: one allocation */
		vsva_buf_reserve(&b, __atomic_load_n(&d->last_size,
						     __ATOMIC_RELAXED) * 9 / 8);
		vsva_expo_write(&b, &s);
		__atomic_store_n(&d->last_size, b.len, __ATOMIC_RELAXED);
	}
	vsva_snap_free(&s);
	if (rc || b.oom || !b.p) {
		vsva_buf_free(&b);
		return reply_text(d, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "vsvad: out of memory building metrics\n");
	}
	return reply_metrics(d, c, b.p, b.len);
}

/* 401 (asking for basic auth), 429 or 503 with Retry-After. */
static enum MHD_Result refuse(struct vsvad *d, struct MHD_Connection *c,
			      enum auth_verdict v, unsigned int retry_s)
{
	static const char need[] = "authentication required\n";
	static const char limited[] = "too many failed attempts\n";
	static const char busy[] = "busy checking credentials\n";
	const char *msg = v == AUTH_LIMITED ? limited : v == AUTH_BUSY ? busy :
			  need;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char after[16];

	r = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_headers(d, r);
	if (v == AUTH_DENIED) {
		__atomic_add_fetch(&d->auth_failures, 1, __ATOMIC_RELAXED);
		ret = MHD_queue_basic_auth_fail_response(c, "vsvad", r);
	} else {
		snprintf(after, sizeof(after), "%u", retry_s ? retry_s : 1);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
		ret = MHD_queue_response(c, v == AUTH_LIMITED ?
					 MHD_HTTP_TOO_MANY_REQUESTS :
					 MHD_HTTP_SERVICE_UNAVAILABLE, r);
	}
	MHD_destroy_response(r);
	return ret;
}

/*
 * Basic auth against --web-config's users.  True: go on.  False: *@ret is
 * the answer, or the connection is suspended until a bcrypt worker has
 * checked the password (then this runs again with the job in *@state).
 */
static bool authorized(struct vsvad *d, struct MHD_Connection *c,
		       void **state, enum MHD_Result *ret)
{
	struct auth_job *job = *state;
	unsigned int retry_s = 0;
	enum auth_verdict v;

	pthread_rwlock_rdlock(&d->wc_lock);
	v = d->wc.nusers ? AUTH_DENIED : AUTH_OK;
	pthread_rwlock_unlock(&d->wc_lock);
	if (v == AUTH_OK && !job)
		return true;
	if (job) {		/* resumed: the worker's verdict */
		*state = NULL;
		if (vsvad_auth_end(job))
			return true;
		v = AUTH_DENIED;
	} else {
		v = vsvad_auth_begin(d->auth, c, &job, &retry_s);
		if (v == AUTH_OK)
			return true;
		if (v == AUTH_PENDING) {
			*state = job;
			MHD_suspend_connection(c);
			*ret = MHD_YES;
			return false;
		}
	}
	*ret = refuse(d, c, v, retry_s);
	return false;
}

enum MHD_Result vsvad_handle(void *cls, struct MHD_Connection *c,
			     const char *url, const char *method,
			     const char *version, const char *upload,
			     size_t *upload_size, void **state)
{
	enum MHD_Result ret;

	vsvad_conns_phase(c, true);	/* the headers are in */
	if (!authorized(cls, c, state, &ret))
		return ret;
	switch (vsva_http_route(method, url)) {
	case VSVA_ROUTE_METRICS:
		return serve_metrics(cls, c);
	case VSVA_ROUTE_LANDING:
		return reply(cls, c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (char *)landing, sizeof(landing) - 1,
			     MHD_RESPMEM_PERSISTENT);
	case VSVA_ROUTE_BAD_METHOD:
		return reply_text(cls, c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed\n");
	default:
		return reply_text(cls, c, MHD_HTTP_NOT_FOUND, "not found\n");
	}
}

