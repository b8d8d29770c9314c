/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: posted-interrupt rows of /proc/interrupts. */
#ifndef VSVA_PROCIRQ_H
#define VSVA_PROCIRQ_H

#include <stdbool.h>
#include <stdint.h>

/* ---- /proc/interrupts: posted-interrupt rows ------------------------- */

enum vsva_pi_row { VSVA_PI_NOTIFY, VSVA_PI_NESTED, VSVA_PI_WAKEUP, VSVA_PI_ROWS };

struct vsva_pi_counts {
	int ncpus;			/* CPU columns in the header */
	int *cpu;			/* their CPU numbers (CPUn) */
	bool present[VSVA_PI_ROWS];	/* row found */
	uint64_t *count[VSVA_PI_ROWS];	/* ncpus values each, or NULL */
};

/* Parse /proc/interrupts text; 0, or -1 on a malformed header. */
int vsva_parse_pi(const char *text, struct vsva_pi_counts *pi);
void vsva_pi_free(struct vsva_pi_counts *pi);
extern const char *const vsva_pi_row_name[VSVA_PI_ROWS];

#endif /* VSVA_PROCIRQ_H */
