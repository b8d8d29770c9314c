/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: the clock of bpf_ktime_get_ns(), for user space. */
#ifndef VSVA_CLOCK_H
#define VSVA_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds: the clock BPF stamps events with. */
static inline uint64_t vsva_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* VSVA_CLOCK_H */
