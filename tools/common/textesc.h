/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings from outside (a recording's comm, hostname and kernel release;
 * a remote vsvad's label values) written into JSON, CSV or a terminal:
 * escaped so that the output stays valid whatever bytes they hold.
 * A byte that begins no valid UTF-8 character becomes the text "\xHH",
 * as vsvad writes it in labels.  Self-contained (with lib/utf8.c):
 * vsva-perf's dlfilter links it.
 */
#ifndef VSVA_TEXTESC_H
#define VSVA_TEXTESC_H

#include <stddef.h>
#include <stdio.h>

/* @s as a JSON string, quotes included: \" \\ and control characters as
 * \u00XX (RFC 8259). */
void esc_json(FILE *f, const char *s);
/* @s as a CSV field (RFC 4180): quoted, quotes doubled, when it holds a
 * comma, quote, CR or LF. */
void esc_csv(FILE *f, const char *s);
/* @s for a terminal, into @dst (@len bytes, NUL-terminated; cut between
 * characters): control characters as '?'. */
void esc_text(char *dst, size_t len, const char *s);

#endif /* VSVA_TEXTESC_H */
