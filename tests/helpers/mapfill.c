// SPDX-License-Identifier: GPL-2.0
/*
 * mapfill PID: fill every hash map process PID holds to its max_entries
 * (distinct keys, zero values), so that the kernel memory of the maps at
 * full capacity can be measured (the memory cgroup of the maps' creator
 * is charged, whoever inserts).  Prints one line per map: name, type,
 * entries before and after, max_entries.  Test helper; needs root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static unsigned int count(int fd, unsigned int ksz)
{
	char key[256], next[256];
	unsigned int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		n++;
	}
	return n;
}

/* Insert keys 0, 1, 2, ... (little-endian, the rest zero) until full. */
static void fill(int fd, const struct bpf_map_info *mi, int ncpus)
{
	size_t vsz = mi->type == BPF_MAP_TYPE_PERCPU_HASH ?
		     ((mi->value_size + 7) & ~7u) * (size_t)ncpus :
		     mi->value_size;
	unsigned char key[256] = { 0 };
	unsigned long long i;
	unsigned int before = count(fd, mi->key_size);
	void *val = calloc(1, vsz);

	if (!val || mi->key_size > sizeof(key))
		goto out;
	for (i = 0; i < 4ULL * mi->max_entries; i++) {
		memcpy(key, &i, mi->key_size < 8 ? mi->key_size : 8);
		if (bpf_map_update_elem(fd, key, val, BPF_NOEXIST) &&
		    errno == E2BIG)
			break;
	}
	printf("%-16s %-12s %8u %8u %8u\n", mi->name,
	       libbpf_bpf_map_type_str(mi->type), before,
	       count(fd, mi->key_size), mi->max_entries);
out:
	free(val);
}

/* The map ids process @pid holds, from its fdinfo. */
static int map_ids(const char *pid, unsigned int *ids, int max)
{
	char path[300], line[128];
	struct dirent *d;
	int n = 0, i;
	unsigned int id;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && n < max) {
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid,
			 d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "map_id: %u", &id) == 1) {
				for (i = 0; i < n && ids[i] != id; i++)
					;
				if (i == n)
					ids[n++] = id;
			}
		if (f)
			fclose(f);
	}
	closedir(dir);
	return n;
}

int main(int argc, char **argv)
{
	int ncpus = libbpf_num_possible_cpus(), n, i, fd;
	unsigned int ids[256];
	struct bpf_map_info mi;
	__u32 len;

	if (argc != 2) {
		fprintf(stderr, "usage: mapfill PID\n");
		return 2;
	}
	n = map_ids(argv[1], ids, 256);
	if (n < 0) {
		fprintf(stderr, "mapfill: /proc/%s/fdinfo: %s\n", argv[1],
			strerror(-n));
		return 1;
	}
	for (i = 0; i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			fprintf(stderr, "mapfill: map %u: %s\n", ids[i],
				strerror(errno));
			return 1;
		}
		if (mi.type == BPF_MAP_TYPE_HASH ||
		    mi.type == BPF_MAP_TYPE_PERCPU_HASH)
			fill(fd, &mi, ncpus);
		close(fd);
	}
	return 0;
}
