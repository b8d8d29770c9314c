// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench's comparison with bpftrace: bpftrace counts the same event
 * per pid in the same run; both programs' run-time statistics are read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "bench.h"

extern char **environ;

int prog_stat(int fd, struct prog_stat *s)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	s->ns = info.run_time_ns;
	s->cnt = info.run_cnt;
	return 0;
}

/* Workload's own figures, from its JSON summary. */

/* Mark every BPF program id that exists now. */
static void prog_ids(__u32 *ids, int *n, int max)
{
	__u32 id = 0;

	*n = 0;
	while (*n < max && !bpf_prog_get_next_id(id, &id))
		ids[(*n)++] = id;
}

/* Start bpftrace; its programs are the ids that appear once it attached. */
int bpftrace_start(struct bpftrace *bt)
{
	char *argv[] = { "bpftrace", "-e", BPFTRACE_PROG, NULL };
	__u32 before[4096], after[4096];
	int nb, na, i, j, pfd[2], fd;
	posix_spawn_file_actions_t fa;
	char line[256];
	FILE *out;

	memset(bt, 0, sizeof(*bt));
	prog_ids(before, &nb, 4096);
	if (pipe(pfd))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	i = posix_spawnp(&bt->pid, "bpftrace", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	out = fdopen(pfd[0], "r");
	if (i || !out) {
		if (out)
			fclose(out);
		else
			close(pfd[0]);
		bt->pid = 0;
		return -1;
	}
	/* "Attaching 1 probe..." comes once the program is attached */
	while (fgets(line, sizeof(line), out) && !strstr(line, "Attaching"))
		;
	fclose(out);	/* bpftrace ignores SIGPIPE for its map dump */
	usleep(200000);
	prog_ids(after, &na, 4096);
	for (i = 0; i < na && bt->nfds < 8; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j < nb)
			continue;
		fd = bpf_prog_get_fd_by_id(after[i]);
		if (fd >= 0)
			bt->fds[bt->nfds++] = fd;
	}
	return bt->nfds ? 0 : -1;
}

void bpftrace_stop(struct bpftrace *bt)
{
	int i;

	for (i = 0; i < bt->nfds; i++)
		close(bt->fds[i]);
	if (bt->pid > 0) {
		kill(bt->pid, SIGKILL);
		waitpid(bt->pid, NULL, 0);
	}
}

void report_bpftrace(struct bpftrace *bt, struct vsva_engine *e)
{
	const char *names[MAX_PROGS];
	int fds[MAX_PROGS], n, i;
	struct prog_stat b = { 0 }, v = { 0 }, one;

	if (!bt->pid) {
		printf("\nbpftrace: not installed or could not attach "
		       "(apt-get install bpftrace)\n");
		return;
	}
	for (i = 0; i < bt->nfds; i++)
		if (!prog_stat(bt->fds[i], &one)) {
			b.ns += one.ns;
			b.cnt += one.cnt;
		}
	n = vsva_engine_prog_fds(e, fds, names, MAX_PROGS);
	for (i = 0; i < n; i++)
		/* tp_btf, or the classic tracepoint under --rung */
		if (!strcmp(names[i], "kvm_msi_set_irq") ||
		    !strcmp(names[i], "tp_kvm_msi_set_irq"))
			prog_stat(fds[i], &v);
	if (!b.cnt || !v.cnt) {
		printf("\nbpftrace comparison: no kvm_msi_set_irq events\n");
		return;
	}
	printf("\nsame event, same count per pid: vsva kvm_msi_set_irq %.1f "
	       "ns/event, bpftrace '%s' %.1f ns/event: vsva costs %.2fx of "
	       "bpftrace (goal <= 0.50x: %s)\n",
	       (double)v.ns / v.cnt, BPFTRACE_PROG, (double)b.ns / b.cnt,
	       ((double)v.ns / v.cnt) / ((double)b.ns / b.cnt),
	       ((double)v.ns / v.cnt) <= 0.5 * ((double)b.ns / b.cnt) ?
	       "met" : "MISSED");
}
