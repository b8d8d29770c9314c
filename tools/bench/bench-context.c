// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench run and ab: the context of a set of runs, written beside
 * them: kernel and command line, CPU, KVM module parameters, the command,
 * vsva's version and the rung of every measurement (or why vsva is not
 * attached).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <dirent.h>
#include "vsva/engine.h"
#include "bench-run.h"

static void add_file(json_object *o, const char *key, const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	json_object_object_add(o, key, json_object_new_string(buf));
}

static void add_cpu(json_object *o)
{
	char line[512], *v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && (v = strchr(line, ':'))) {
			v[strcspn(v, "\n")] = 0;
			json_object_object_add(o, "cpu",
					       json_object_new_string(v + 2));
			break;
		}
	fclose(f);
	json_object_object_add(o, "cpus",
			       json_object_new_int(sysconf(_SC_NPROCESSORS_ONLN)));
}

/* /sys/module/{kvm,kvm_intel,kvm_amd}/parameters/... */
static void add_kvm_params(json_object *o)
{
	static const char *const mods[] = { "kvm", "kvm_intel", "kvm_amd",
					     "kvm_pvm" };
	json_object *p = json_object_new_object();
	char dir[128], path[512], key[300];
	struct dirent *d;
	size_t i;
	DIR *dp;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mods[i]);
		dp = opendir(dir);
		while (dp && (d = readdir(dp))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			snprintf(key, sizeof(key), "%s.%s", mods[i], d->d_name);
			add_file(p, key, path);
		}
		if (dp)
			closedir(dp);
	}
	json_object_object_add(o, "kvm_parameters", p);
}

json_object *bench_context(struct probes *p, const char *command)
{
	json_object *o = json_object_new_object(), *r;
	const struct vsva_choice *ch[VSVA_NMEASUREMENTS];
	const char *names[VSVA_NMEASUREMENTS];
	struct utsname u;
	char buf[700];
	int i, n;

	if (!uname(&u)) {
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "kernel_version",
					json_object_new_string(u.version));
		json_object_object_add(o, "host", json_object_new_string(u.nodename));
	}
	add_file(o, "kernel_cmdline", "/proc/cmdline");
	add_cpu(o);
	add_kvm_params(o);
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "vsva_version",
			       json_object_new_string(VSVA_VERSION));
	json_object_object_add(o, "vsva_attached",
			       json_object_new_boolean(p->e != NULL));
	if (!p->e) {
		json_object_object_add(o, "vsva_not_attached_why",
				       json_object_new_string(p->why));
		return o;
	}
	r = json_object_new_object();
	n = vsva_engine_choices(p->e, names, ch, VSVA_NMEASUREMENTS);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%s", vsva_rung_name(ch[i]->rung),
			 ch[i]->rung ? "" : ch[i]->reason);
		json_object_object_add(r, names[i], json_object_new_string(buf));
	}
	json_object_object_add(o, "rungs", r);
	return o;
}
