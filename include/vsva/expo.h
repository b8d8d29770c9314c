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
/* Parse exposition text (vsvad's) into @s; -1 if something was lost. */
int vsva_expo_parse(const char *text, struct vsva_snapshot *s);

#endif /* VSVA_EXPO_H */
