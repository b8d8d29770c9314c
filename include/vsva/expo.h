/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: Prometheus text exposition, written and parsed. */
#ifndef VSVA_EXPO_H
#define VSVA_EXPO_H

#include "vsva/buf.h"
#include "vsva/snapshot.h"

/* ---- Prometheus text exposition (format 0.0.4) ----------------------- */

void vsva_expo_write(struct vsva_buf *b, const struct vsva_snapshot *s);
void vsva_expo_label_value(struct vsva_buf *b, const char *v);
void vsva_expo_help(struct vsva_buf *b, const char *v);
/*
 * Parse @len bytes of exposition text (vsvad's) into @s: 0, or -1 with
 * "line N: why" in @err (a line that is not exposition, or that @s cannot
 * hold: nothing is dropped silently).  @s is the caller's to free either way.
 */
int vsva_expo_parse(const char *text, size_t len, struct vsva_snapshot *s,
		    char *err, size_t errlen);

#endif /* VSVA_EXPO_H */
