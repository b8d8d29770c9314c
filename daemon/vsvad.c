// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad: serves vsva's measurements as Prometheus metrics over HTTP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <microhttpd.h>
#include <bpf/bpf.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "vsva/privs.h"
#include "auth.h"
#include "vsvad.h"

#define DEFAULT_LISTEN	"127.0.0.1:9477"
#define DEFAULT_RETAIN	300
#define DEFAULT_MAX_CONNS	2048
#define DEFAULT_PIN_ROOT	"/sys/fs/bpf/vsva"

static volatile sig_atomic_t exiting, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		exiting = 1;
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
"      --max-vms N         VMs tracked at once, live and retained; sizes\n"
"                          the BPF maps (default %d; 1..65536); more are\n"
"                          counted as drops, reason vm_capacity\n"
"      --pin               pin the BPF objects under " DEFAULT_PIN_ROOT "\n"
"                          (or $VSVA_PIN_ROOT), so that the programs\n"
"                          count on while vsvad restarts and the next\n"
"                          vsvad --pin adopts them (the unit does this)\n"
"      --no-pin            do not pin (the default): at exit nothing of\n"
"                          vsvad stays loaded\n"
"      --unpin             remove the pinned objects and exit\n"
"      --prepare-pins USER as root, before the service starts as USER:\n"
"                          make or check the pin root and hand it to\n"
"                          USER (the unit's ExecStartPre), and exit\n"
"      --no-mount-tracefs  do not mount tracefs when it is missing\n"
"      --rung M=RUNG       make measurement M use RUNG or nothing, to\n"
"                          compare rungs (any measurement; --probe lists\n"
"                          them and their rungs)\n"
"      --probe             print how this kernel resolves every\n"
"                          measurement (rung, why the others lost,\n"
"                          programs, perf events) and exit; loads nothing\n"
"      --max-connections N HTTP connections at once (default %d)\n"
"      --max-per-ip N      of which from one client: an IPv4 address, an\n"
"                          IPv6 /64 (default 8, or --max-connections/256\n"
"                          if more; loopback clients count only in all)\n"
"      --web-config FILE   TLS and basic auth, in the format of Prometheus\n"
"                          exporters: tls_server_config {cert_file,\n"
"                          key_file, min_version, max_version,\n"
"                          cipher_suites, curve_preferences,\n"
"                          client_auth_type, client_ca_file,\n"
"                          client_allowed_sans}, basic_auth_users\n"
"                          {user: bcrypt}, http_server_config {headers}\n"
"      --check-web-config FILE  validate FILE, print what it enforces and\n"
"                          exit (0 usable, 2 not); loads nothing\n"
"  -u, --user NAME         run as NAME once the probes are attached (all\n"
"                          capabilities but CAP_BPF are dropped anyway;\n"
"                          default as root: user vsva if it exists, else\n"
"                          nobody)\n"
"  -v, --verbose           libbpf debug output\n"
"  -V, --version           print the version\n"
"  -h, --help              show this help\n"
"\n"
"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF. Each\n"
"measurement's probe, or why it is unavailable, is in vsva_probe_info.\n"
"SIGHUP, or a change of --web-config or of a file it names, reads it\n"
"again (users, headers, allowed SANs, the certificate); a file that\n"
"cannot be used keeps the old config and says why.\n"
"Exit status: 0 stopped by SIGINT/SIGTERM, 1 BPF or HTTP failure,\n"
"2 usage error, 3 insufficient privileges, 4 cannot listen.\n",
		DEFAULT_RETAIN, VSVA_DEFAULT_MAX_VMS, DEFAULT_MAX_CONNS);
}

struct opts {
	const char *listen;
	const char *user;
	const char *web_config;
	bool check_web_config;		/* validate it and exit */
	unsigned int max_conns, max_per_ip;
	bool probe;
	bool unpin;			/* remove the pins and exit */
	bool pin, no_pin;		/* --pin, --no-pin: the last given */
	const char *prepare_pins;	/* the pin root for this user, and exit */
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
		{ "check-web-config", required_argument, NULL, 'W' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-ip", required_argument, NULL, 'P' },
		{ "max-vms", required_argument, NULL, 'M' },
		{ "pin", no_argument, NULL, 'I' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "unpin", no_argument, NULL, 'U' },
		{ "prepare-pins", required_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "l:r:u:vVh", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'r':
			if (vsva_parse_ul(optarg, 0, 30 * 86400, &v)) {
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
		case 'W':
			o->web_config = optarg;
			o->check_web_config = c == 'W';
			break;
		case 'C':
		case 'P':
			if (vsva_parse_ul(optarg, 1, 65536, &v)) {
				fprintf(stderr, "vsvad: --%s '%s': expected "
					"1..65536\n", c == 'C' ? "max-connections"
					: "max-per-ip", optarg);
				return -1;
			}
			*(c == 'C' ? &o->max_conns : &o->max_per_ip) = v;
			break;
		case 'I':
		case 'N':
			o->pin = c == 'I';
			o->no_pin = c == 'N';
			break;
		case 'U':
			o->unpin = true;
			break;
		case 'G':
			o->prepare_pins = optarg;
			break;
		case 'M':
			if (vsva_parse_ul(optarg, 1, 65536, &v)) {
				fprintf(stderr, "vsvad: --max-vms '%s': expected "
					"1..65536\n", optarg);
				return -1;
			}
			o->eng.max_vms = v;
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
	return vsva_no_operands("vsvad", argc, argv, optind);
}

/* How the VM slots behave when VMs come and go quickly: any /dev/kvm
 * user can create VMs, and an exited one keeps its slot for the window. */
static void vm_slots_print(const struct vsva_engine_opts *eo)
{
	unsigned int n = eo->max_vms ? eo->max_vms : VSVA_DEFAULT_MAX_VMS;

	printf("\nVM slots: %u (--max-vms); an exited VM keeps its slot for "
	       "the retention window (%u s, --retention), so VMs created "
	       "faster than %.1f a second on average over a window fill "
	       "them; a VM beyond is not tracked (its events are counted in "
	       "vsva_events_dropped_total{reason=\"vm_capacity\"}) until "
	       "older ones retire. Any user with /dev/kvm can churn VMs: "
	       "raise --max-vms or lower --retention where that matters.\n",
	       n, eo->retention_s, (double)n / eo->retention_s);
}

/* --probe: the ladder as this kernel resolves it; loads nothing. */
static int probe(const struct vsva_engine_opts *eo)
{
	struct vsva_choice c[VSVA_NMEASUREMENTS] = { 0 };
	struct vsva_features f;

	vsva_features_detect(&f, !eo->no_mount_tracefs);
	vsva_choose_all(&f, eo->force, c);
	vsva_probe_print(stdout, &f, c);
	vsva_maps_memory_print(stdout, eo->max_vms);
	vm_slots_print(eo);
	vsva_orphans_print(stdout, eo->orphan_root);
	return 0;
}

/* Pinned only when asked: a vsvad tried in a terminal leaves nothing
 * behind, and reports pins no running vsvad holds under the root. */
static void pin_options(struct opts *o)
{
	const char *root = getenv("VSVA_PIN_ROOT");

	o->eng.orphan_root = root ? root : DEFAULT_PIN_ROOT;
	o->eng.pin_root = o->pin ? o->eng.orphan_root : NULL;
	o->eng.pin_off_why = o->no_pin ? "--no-pin" : "not asked: --pin keeps "
			     "the programs counting across a restart (the "
			     "unit does)";
}

/* --prepare-pins USER: the unit's ExecStartPre, as root. */
static int prepare_pins(const struct opts *o)
{
	const char *root = o->eng.orphan_root;
	char why[512];
	int rc = vsva_pin_prepare(root, o->prepare_pins, why, sizeof(why));

	if (rc) {
		fprintf(stderr, "vsvad: --prepare-pins: %s\n", why);
		return rc == -EACCES || rc == -EPERM ? EXIT_PRIVS : EXIT_RUNTIME;
	}
	printf("vsva: %s is %s's, mode 0700\n", root, o->prepare_pins);
	return 0;
}

/* --unpin: the pins under the root go; their programs with them. */
static int unpin(const struct opts *o)
{
	const char *root = o->eng.orphan_root;
	char why[512];
	int rc = vsva_unpin(root, stdout, why, sizeof(why));

	if (rc) {
		fprintf(stderr, "vsvad: --unpin: %s\n", why);
		return rc == -EACCES || rc == -EPERM ? EXIT_PRIVS : EXIT_RUNTIME;
	}
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

static unsigned long long web_config_stamp(struct vsvad *d)
{
	unsigned long long h;

	pthread_rwlock_rdlock(&d->wc_lock);
	h = vsva_webconfig_stamp(&d->wc);
	pthread_rwlock_unlock(&d->wc_lock);
	return h;
}

/* The web config's files, looked at each tick: a change that has
 * settled for a tick (a certificate and its key are rarely written at
 * once) is read again, once; so is a SIGHUP.  @seen: the files as last
 * read, or as they were when that failed. */
static void watch_web_config(struct vsvad *d, const char *path,
			     unsigned long long *seen,
			     unsigned long long *last)
{
	unsigned long long now;

	if (!path)
		return;
	now = web_config_stamp(d);
	if (reload || (now != *seen && now == *last)) {
		vsvad_reload_web_config(d, path, reload ? "SIGHUP" :
					"files changed");
		reload = 0;
		now = web_config_stamp(d);	/* the new config's files */
		*seen = now;
	}
	*last = now;
}

static void serve_until_signal(struct vsvad *d, const char *web_config)
{
	struct timespec tick = { .tv_sec = 1 };
	unsigned long long seen = web_config_stamp(d), last = seen;

	while (!exiting) {
		nanosleep(&tick, NULL);	/* a signal cuts it short */
		if (reload && !web_config) {
			reload = 0;
			fprintf(stderr, "vsvad: SIGHUP: no --web-config to "
				"read again\n");
		}
		watch_web_config(d, web_config, &seen, &last);
		pthread_mutex_lock(&d->lock);
		vsva_engine_gc(d->engine);
		pthread_mutex_unlock(&d->lock);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .listen = DEFAULT_LISTEN,
			  .eng.retention_s = DEFAULT_RETAIN,
			  .max_conns = DEFAULT_MAX_CONNS };
	struct vsvad d = { .lock = PTHREAD_MUTEX_INITIALIZER, .stats_fd = -1,
			   /* writer-preferring: a reload does not wait
			    * behind a stream of readers */
			   .wc_lock =
				PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP,
			   .last_reload_ok = true };
	struct sigaction sa = { .sa_handler = on_signal };
	struct MHD_Daemon *httpd;
	char err[512], who[64];
	const char *root;
	int fd, rc = EXIT_RUNTIME;

	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	pin_options(&o);
	if (o.probe)
		return probe(&o.eng);
	if (o.unpin)
		return unpin(&o);
	if (o.prepare_pins)
		return prepare_pins(&o);
	if (o.user && !getpwnam(o.user)) {
		fprintf(stderr, "vsvad: --user %s: no such user\n", o.user);
		return EXIT_USAGE;
	}
	if (o.web_config &&
	    vsva_webconfig_load(o.web_config, &d.wc, err, sizeof(err))) {
		fprintf(stderr, "vsvad: --web-config: %s\n", err);
		return EXIT_USAGE;
	}
	vsva_webconfig_describe(&d.wc, err, sizeof(err));
	if (o.check_web_config) {
		printf("%s: usable: %s\n", o.web_config, err);
		vsva_webconfig_free(&d.wc);
		return 0;
	}
	fprintf(stderr, "vsvad: web: %s\n", err);
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
	fd = vsvad_listen(o.listen);
	if (fd < 0) {
		rc = -fd;
		goto free_webconfig;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
	if (vsva_drop_privileges(o.user, who, sizeof(who), err, sizeof(err))) {
		fprintf(stderr, "vsvad: %s\n", err);
		rc = EXIT_PRIVS;
		goto close_engine;
	}
	if (who[0])
		fprintf(stderr, "vsvad: running as user %s with CAP_BPF only\n",
			who);
	httpd = vsvad_http_start(&d, fd, o.max_conns, o.max_per_ip);
	if (!httpd) {
		fprintf(stderr, "vsvad: cannot start the HTTP server\n");
		goto close_engine;
	}
	fprintf(stderr, "vsvad: serving %s://%s/metrics%s\n",
		d.wc.cert_pem ? "https" : "http", o.listen,
		d.wc.nusers ? " (basic auth)" : "");
	serve_until_signal(&d, o.web_config);
	root = vsva_engine_pinned(d.engine);
	if (root)
		fprintf(stderr, "vsvad: exiting; its BPF programs stay pinned "
			"under %s and keep counting: the next vsvad --pin "
			"adopts them, vsvad --unpin removes them\n", root);
	else
		fprintf(stderr, "vsvad: exiting\n");
	/* the workers resume what they hold before the server stops */
	vsvad_auth_stop(d.auth);
	vsvad_http_stop(httpd);
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
