/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a decoder's handlers build on (tools/perf/perf-state.c): fields of
 * the sample by the handler's own field numbers, the VM of the sample's
 * thread group, operations paired per thread, counted rows.
 *
 * A handler's keys and classes are its decoder's own, numbered from 0;
 * the engine makes them the report's.  A handler that cannot read a
 * field it needs marks the sample (s->bad): counted once as undecodable.
 */
#ifndef VSVA_PERF_DEC_H
#define VSVA_PERF_DEC_H

#include <stddef.h>
#include "perf-report.h"

#define DEC_CLASSES	8	/* operation classes a decoder pairs */

/* Field @k of the handler's (dec_event.fields[k]), little-endian,
 * zero-extended; false if absent. */
bool field(const struct report *r, const struct sample *s, int k,
	   uint64_t *v);
/* String field @k (__data_loc or __rel_loc), cut to @len - 1 bytes; bytes
 * a label cannot hold become '_'.  False if absent or out of the record. */
bool field_str(const struct report *r, const struct sample *s, int k,
	       char *buf, size_t len);
/* Is field @k in the recording's format of @s's event? */
bool field_known(const struct report *r, const struct sample *s, int k);

/* The report's index of key @k of the handler's decoder. */
static inline int key_of(const struct report *r, const struct sample *s,
			 int k)
{
	return r->kbase[s->dec] + k;
}

/* VM (thread group) @tgid: found or made; NULL when VM_N are taken. */
struct vm *vm_get(struct report *r, uint32_t tgid);
/* The VM of @s, which @s is charged to (s->vm). */
struct vm *sample_vm(struct report *r, struct sample *s);

/* @s's thread opens an operation of the decoder's class @cls (@own: timed
 * by the decoder's own enter event). */
void op_begin(struct report *r, const struct sample *s, int cls, bool own);
/* @s's thread's open operation of class @cls, or NULL. */
struct pending *op_open(struct report *r, const struct sample *s, int cls);
void op_close(struct pending *p);
/* @s closes @p: counted in @row under the report's key @key (or device
 * row @drow) and listed for the slowest and the timeline; NULL if the
 * list could not grow. */
struct op *op_record(struct report *r, const struct sample *s,
		     const struct pending *p, struct stat_row *row, int key,
		     int32_t drow, bool ok);

/* Count @s under key @k of its VM. */
struct vm *count_key(struct report *r, struct sample *s, int k);
/* ...with its result, field 0 ("result"): an error where not 0. */
struct vm *count_result(struct report *r, struct sample *s, int k);
/* Device-keyed row of key @k for @s's VM, @dev and @dtype: found or made;
 * NULL (counted) when DROW_N rows are taken. */
struct drow *drow_get(struct report *r, const struct sample *s, int k,
		      uint32_t dtype, const char *dev);
/* An exit that closes class @cls under device-keyed key @k: its fields
 * 0 "device", 1 "domain_type" (if the key has KEY_DOMAIN), 2 "result". */
void dev_op_end(struct report *r, struct sample *s, int cls, int k);
/* An invalidation's exit closing class @cls under key @k: fields 0
 * "result", 1 "done_num", 2 "entry_num" (optional); its VM does a VMM's
 * work. */
void inv_end(struct report *r, struct sample *s, int cls, int k);

#endif /* VSVA_PERF_DEC_H */
