// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad: serves vsva's measurements as Prometheus metrics over HTTP.
 * Here: start-up (--probe, --unpin, --check-web-config end it early), the
 * loop until a signal (the GC tick, the web config watched), the exit.
 * The command line: options.c; the HTTP server: httpd.c.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include "vsva/privs.h"
#include "vsva/tablejson.h"
#include "auth.h"
#include "options.h"
#include "vsvad.h"

static volatile sig_atomic_t exiting, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		exiting = 1;
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
static int probe(const struct vsva_engine_opts *eo, bool json)
{
	struct vsva_choice c[VSVA_NMEASUREMENTS] = { 0 };
	struct vsva_features f;

	vsva_features_detect(&f, !eo->no_mount_tracefs);
	vsva_choose_all(&f, eo->force, c);
	if (json) {		/* the ladder and the table, nothing else */
		if (!vsva_probe_json_print(stdout, &f, c))
			return 0;
		fprintf(stderr, "vsvad: --probe --json: %s\n", strerror(errno));
		return 1;
	}
	vsva_probe_print(stdout, &f, c);
	vsva_maps_memory_print(stdout, eo->max_vms);
	vm_slots_print(eo);
	vsva_orphans_print(stdout, eo->orphan_root);
	return 0;
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

	if (vsvad_parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	vsvad_pin_options(&o);
	if (o.probe)
		return probe(&o.eng, o.json);
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

