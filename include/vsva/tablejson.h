/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measurement table as JSON, for everything that is not C: the
 * dashboards' generator and checker, the tests (build/table.json, written
 * by build/vsva-table), and `vsvad --probe --json` (the same document with
 * this kernel's features and the rung each measurement chose).  README's
 * "The table as data" describes the document.
 */
#ifndef VSVA_TABLEJSON_H
#define VSVA_TABLEJSON_H

#include <stdio.h>
#include "vsva/ladder.h"

/* "vsva-table/N": bumped when a field changes meaning or goes away */
#define VSVA_TABLE_FORMAT	"vsva-table/1"

struct json_object;

/* Feature @x's name ("btf", "own_memslot_tp", ...), or NULL. */
const char *vsva_feature_name(enum vsva_feature x);

/* The whole table: rungs, features, sources, every measurement with its
 * rungs and families.  NULL when out of memory; json_object_put() it. */
struct json_object *vsva_table_json(void);

/* The table, and how the kernel of @f resolves it (@choice, from
 * vsva_choose_all): what `vsvad --probe` prints, as data.  NULL when out
 * of memory. */
struct json_object *vsva_probe_json(const struct vsva_features *f,
				    const struct vsva_choice *choice);

/* Either document written to @out, indented, with a final newline:
 * 0, or -1 with errno set (ENOMEM: out of memory). */
int vsva_table_json_print(FILE *out);
int vsva_probe_json_print(FILE *out, const struct vsva_features *f,
			  const struct vsva_choice *choice);

#endif /* VSVA_TABLEJSON_H */
