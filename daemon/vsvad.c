// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad: serves vsva's measurements as Prometheus metrics over HTTP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include "vsva/engine.h"
#include "vsva/expo.h"
#include "vsva/privs.h"
#include "http.h"
#include "webconfig.h"

#define DEFAULT_LISTEN	"127.0.0.1:9477"
#define DEFAULT_RETAIN	300
#define DEFAULT_MAX_CONNS	2048
#define DEFAULT_MAX_PER_IP	1024
#define HTTP_TIMEOUT_S		10		/* idle or trickling clients */
#define HTTP_CONN_MEMORY	(32 * 1024)	/* request line + headers */

enum {
	EXIT_RUNTIME = 1,	/* BPF or HTTP failure */
	EXIT_USAGE = 2,
	EXIT_PRIVS = 3,
	EXIT_LISTEN = 4,
};

struct vsvad {
	struct vsva_engine *engine;
	struct vsva_webconfig wc;	/* TLS and users, from --web-config */
	int stats_fd;		/* BPF_ENABLE_STATS while vsvad runs, or -1 */
	pthread_mutex_t lock;	/* engine: scrapes vs. the GC tick */
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static double mono_s(void)
{
	return vsva_mono_ns() * 1e-9;
}

static const char landing[] =
	"<!DOCTYPE html>\n<html><head><title>vsvad</title></head><body>\n"
	"<h1>vsvad " VSVA_VERSION "</h1>\n"
	"<p>vsva exporter: KVM memslot zap, IOMMU PASID/SVA, nesting and "
	"IRQ bypass measurements.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, char *body, size_t len,
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
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c,
				  unsigned int status, const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)msg,
		     strlen(msg), MHD_RESPMEM_PERSISTENT);
}

/* Run time and count of every loaded program (BPF_ENABLE_STATS). */
static void prog_metrics(struct vsvad *d, struct vsva_snapshot *s)
{
	struct vsva_family *secs, *runs;
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
	if (d->stats_fd < 0)
		return;
	n = vsva_engine_prog_fds(d->engine, fds, names, 64);
	for (i = 0; i < n; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			continue;
		vsva_family_add(secs, info.run_time_ns * 1e-9, "prog",
				names[i], NULL);
		vsva_family_add(runs, info.run_cnt, "prog", names[i], NULL);
	}
}

static void self_metrics(struct vsva_snapshot *s, double t0)
{
	vsva_family_add(vsva_snap_family(s, "vsva_build_info",
			"vsva version.", VSVA_GAUGE), 1,
			"version", VSVA_VERSION, NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_scrape_duration_seconds",
			"Time vsvad took to read the BPF maps for this scrape.",
			VSVA_GAUGE), mono_s() - t0, NULL);
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

static enum MHD_Result reply_metrics(struct MHD_Connection *c, char *body,
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
	double t0 = mono_s();
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = vsva_engine_snapshot(d->engine, &s);
	prog_metrics(d, &s);
	pthread_mutex_unlock(&d->lock);
	self_metrics(&s, t0);
	if (!rc && !vsva_snap_incomplete(&s))
		vsva_expo_write(&b, &s);
	vsva_snap_free(&s);
	if (rc || b.oom || !b.p) {
		vsva_buf_free(&b);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "vsvad: out of memory building metrics\n");
	}
	return reply_metrics(c, b.p, b.len);
}

/* Basic auth against --web-config's users; false: 401 queued. */
static bool authorized(struct vsvad *d, struct MHD_Connection *c,
		       enum MHD_Result *ret)
{
	static const char msg[] = "authentication required\n";
	struct MHD_Response *r;
	char *user, *pass = NULL;
	bool ok;

	if (!d->wc.nusers)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = vsva_webconfig_check(&d->wc, user, pass);
	MHD_free(user);
	MHD_free(pass);
	if (ok)
		return true;
	r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
					    MHD_RESPMEM_PERSISTENT);
	*ret = r ? MHD_queue_basic_auth_fail_response(c, "vsvad", r) : MHD_NO;
	if (r)
		MHD_destroy_response(r);
	return false;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	enum MHD_Result ret;

	if (!authorized(cls, c, &ret))
		return ret;
	switch (vsva_http_route(method, url)) {
	case VSVA_ROUTE_METRICS:
		return serve_metrics(cls, c);
	case VSVA_ROUTE_LANDING:
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (char *)landing, sizeof(landing) - 1,
			     MHD_RESPMEM_PERSISTENT);
	case VSVA_ROUTE_BAD_METHOD:
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed\n");
	default:
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	}
}

/* ADDR:PORT or [ADDR6]:PORT -> a listening socket, or -1 with a message. */
static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	char host[256], *port;
	struct addrinfo *ai;
	int fd, one = 1, rc;

	snprintf(host, sizeof(host), "%s", spec);
	port = strrchr(host, ':');
	if (!port || port == host || !port[1]) {
		fprintf(stderr, "vsvad: --listen '%s': expected ADDR:PORT\n", spec);
		return -EXIT_USAGE;
	}
	*port++ = 0;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "vsvad: --listen '%s': %s\n", spec,
			gai_strerror(rc));
		return -EXIT_USAGE;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024))
		goto close_fd;
	freeaddrinfo(ai);
	return fd;
close_fd:
	rc = errno;
	close(fd);
	errno = rc;
fail:
	fprintf(stderr, "vsvad: cannot listen on %s: %s\n", spec,
		strerror(errno));
	freeaddrinfo(ai);
	return -EXIT_LISTEN;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsvad [OPTION]...\n"
"Export vsva's measurements of KVM and IOMMU virtualized I/O paths as\n"
"Prometheus metrics at http://ADDR:PORT/metrics.\n"
"\n"
"  -l, --listen ADDR:PORT  where to serve (default " DEFAULT_LISTEN ");\n"
"                          IPv6 as [::1]:9477\n"
"  -r, --retention SECS    keep VMs that exited visible this long\n"
"                          (default %d)\n"
"      --no-mount-tracefs  do not mount tracefs when it is missing\n"
"      --rung M=RUNG       make measurement M use RUNG or nothing, to\n"
"                          compare rungs (any measurement; --probe lists\n"
"                          them and their rungs)\n"
"      --probe             print how this kernel resolves every\n"
"                          measurement (rung, why the others lost,\n"
"                          programs, perf events) and exit; loads nothing\n"
"      --max-connections N HTTP connections at once (default %d)\n"
"      --max-per-ip N      of which from one address (default %d; lower it\n"
"                          when the port is reachable beyond loopback)\n"
"      --web-config FILE   TLS and basic auth, in the format of Prometheus\n"
"                          exporters: tls_server_config {cert_file,\n"
"                          key_file}, basic_auth_users {user: bcrypt}\n"
"  -u, --user NAME         run as NAME once the probes are attached (all\n"
"                          capabilities but CAP_BPF are dropped anyway)\n"
"  -v, --verbose           libbpf debug output\n"
"  -V, --version           print the version\n"
"  -h, --help              show this help\n"
"\n"
"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF. Each\n"
"measurement's probe, or why it is unavailable, is in vsva_probe_info.\n"
"Exit status: 0 stopped by SIGINT/SIGTERM, 1 BPF or HTTP failure,\n"
"2 usage error, 3 insufficient privileges, 4 cannot listen.\n",
		DEFAULT_RETAIN, DEFAULT_MAX_CONNS, DEFAULT_MAX_PER_IP);
}

struct opts {
	const char *listen;
	const char *user;
	const char *web_config;
	unsigned int max_conns, max_per_ip;
	bool probe;
	struct vsva_engine_opts eng;
};

static int parse_rung(const char *arg, struct vsva_engine_opts *eo)
{
	char err[256];

	if (!vsva_rung_option(arg, eo->force, err, sizeof(err)))
		return 0;
	fprintf(stderr, "vsvad: %s\n", err);
	return -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "retention", required_argument, NULL, 'r' },
		{ "no-mount-tracefs", no_argument, NULL, 'T' },
		{ "rung", required_argument, NULL, 'R' },
		{ "probe", no_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "web-config", required_argument, NULL, 'w' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-ip", required_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "l:r:u:vVh", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'r':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' ||
			    v > 30 * 86400) {
				fprintf(stderr, "vsvad: --retention '%s': expected "
					"seconds (0..2592000)\n", optarg);
				return -1;
			}
			o->eng.retention_s = v;
			break;
		case 'T':
			o->eng.no_mount_tracefs = true;
			break;
		case 'R':
			if (parse_rung(optarg, &o->eng))
				return -1;
			break;
		case 'p':
			o->probe = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
			o->web_config = optarg;
			break;
		case 'C':
		case 'P':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' ||
			    !v || v > 65536) {
				fprintf(stderr, "vsvad: --%s '%s': expected "
					"1..65536\n", c == 'C' ? "max-connections"
					: "max-per-ip", optarg);
				return -1;
			}
			*(c == 'C' ? &o->max_conns : &o->max_per_ip) = v;
			break;
		case 'v':
			o->eng.verbose = true;
			break;
		case 'V':
			printf("vsvad %s\n", VSVA_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsvad: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* --probe: the ladder as this kernel resolves it; loads nothing. */
static int probe(const struct vsva_engine_opts *eo)
{
	struct vsva_choice c[VSVA_NMEASUREMENTS] = { 0 };
	struct vsva_features f;

	vsva_features_detect(&f, !eo->no_mount_tracefs);
	vsva_choose_all(&f, eo->force, c);
	vsva_probe_print(stdout, &f, c);
	return 0;
}

static void log_choices(struct vsva_engine *e)
{
	const struct vsva_choice *c[16];
	const char *names[16];
	int i, n = vsva_engine_choices(e, names, c, 16);

	for (i = 0; i < n; i++)
		fprintf(stderr, "vsvad: %s: %s%s (%s)\n", names[i],
			vsva_rung_name(c[i]->rung),
			c[i]->rung ? "" : ", unavailable", c[i]->reason);
}

/* Room for every allowed connection plus BPF objects and files. */
static void raise_fd_limit(unsigned int conns)
{
	struct rlimit rl;
	rlim_t want = conns + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < want)
		fprintf(stderr, "vsvad: open files limited to %llu: fewer than "
			"--max-connections %u clients can be served\n",
			(unsigned long long)rl.rlim_cur, conns);
}

static void serve_until_signal(struct vsvad *d)
{
	struct timespec tick = { .tv_sec = 1 };

	while (!exiting) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&d->lock);
		vsva_engine_gc(d->engine);
		pthread_mutex_unlock(&d->lock);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .listen = DEFAULT_LISTEN,
			  .eng.retention_s = DEFAULT_RETAIN,
			  .max_conns = DEFAULT_MAX_CONNS,
			  .max_per_ip = DEFAULT_MAX_PER_IP };
	struct vsvad d = { .lock = PTHREAD_MUTEX_INITIALIZER, .stats_fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct MHD_Daemon *httpd;
	struct MHD_OptionItem tls[3], no_tls[1] = { { MHD_OPTION_END, 0, NULL } };
	char err[512];
	int fd, rc = EXIT_RUNTIME;

	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	if (o.probe)
		return probe(&o.eng);
	if (o.user && !getpwnam(o.user)) {
		fprintf(stderr, "vsvad: --user %s: no such user\n", o.user);
		return EXIT_USAGE;
	}
	if (o.web_config &&
	    vsva_webconfig_load(o.web_config, &d.wc, err, sizeof(err))) {
		fprintf(stderr, "vsvad: --web-config: %s\n", err);
		return EXIT_USAGE;
	}
	if (d.wc.cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "vsvad: this libmicrohttpd has no TLS\n");
		rc = EXIT_USAGE;
		goto free_webconfig;
	}
	if (vsva_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "vsvad: %s\n", err);
		rc = EXIT_PRIVS;
		goto free_webconfig;
	}
	raise_fd_limit(o.max_conns);
	fd = listen_on(o.listen);
	if (fd < 0) {
		rc = -fd;
		goto free_webconfig;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (vsva_engine_open(&d.engine, &o.eng, err, sizeof(err))) {
		fprintf(stderr, "vsvad: %s\n", err);
		goto close_fd;
	}
	log_choices(d.engine);
	d.stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (d.stats_fd < 0)
		fprintf(stderr, "vsvad: BPF run-time statistics off: %s\n",
			strerror(-d.stats_fd));
	if (vsva_drop_privileges(o.user, err, sizeof(err))) {
		fprintf(stderr, "vsvad: %s\n", err);
		rc = EXIT_PRIVS;
		goto close_engine;
	}
	tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
					  d.wc.key_pem };
	tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
					  d.wc.cert_pem };
	tls[2] = no_tls[0];
	/* epoll: no FD_SETSIZE ceiling; slow clients cost a descriptor */
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				 MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				 (d.wc.cert_pem ? MHD_USE_TLS : 0), 0, NULL,
				 NULL, handle, &d,
				 MHD_OPTION_ARRAY, d.wc.cert_pem ? tls : no_tls,
				 MHD_OPTION_LISTEN_SOCKET, fd,
				 MHD_OPTION_CONNECTION_LIMIT, o.max_conns,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_per_ip,
				 MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				 (size_t)HTTP_CONN_MEMORY,
				 MHD_OPTION_END);
	if (!httpd) {
		fprintf(stderr, "vsvad: cannot start the HTTP server\n");
		goto close_engine;
	}
	fprintf(stderr, "vsvad: serving %s://%s/metrics%s\n",
		d.wc.cert_pem ? "https" : "http", o.listen,
		d.wc.nusers ? " (basic auth)" : "");
	serve_until_signal(&d);
	fprintf(stderr, "vsvad: exiting\n");
	MHD_stop_daemon(httpd);
	rc = 0;
close_engine:
	if (d.stats_fd >= 0)
		close(d.stats_fd);
	vsva_engine_close(d.engine);
close_fd:
	close(fd);
free_webconfig:
	vsva_webconfig_free(&d.wc);
	return rc;
}
