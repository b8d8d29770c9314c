/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text that reaches a label, a screen or a report is valid UTF-8: a
 * process name is whatever bytes its executable's name held (cut by the
 * kernel at 15 bytes, perhaps inside a character), and Prometheus rejects
 * a whole scrape for one label value that is not UTF-8.
 */
#ifndef VSVA_UTF8_H
#define VSVA_UTF8_H

#include <stddef.h>

/*
 * A byte that begins no valid character becomes the four characters
 * "\xHH" (its value in hex): unlike U+FFFD it keeps two bad names apart
 * and can be matched in PromQL, whose lexer refuses U+FFFD in a string.
 */
#define VSVA_UTF8_ESCAPE_LEN	4
/* Label values are cut (on a character) beyond this many bytes, and end
 * in "..." then. */
#define VSVA_LABEL_VALUE_MAX	512

/* Bytes in the valid UTF-8 character at @s (at most @n bytes: 1 to 4;
 * no overlong form, surrogate or code point past U+10FFFF), or 0. */
size_t vsva_utf8_char(const char *s, size_t n);

/* Is @s (NUL-terminated) valid UTF-8 throughout? */
int vsva_utf8_valid(const char *s);

/* Room for @n bytes of any text, cleaned (every byte may become "\xHH"),
 * and its NUL. */
#define VSVA_UTF8_CLEAN_SIZE(n)	((n) * VSVA_UTF8_ESCAPE_LEN + 1)

/* Write "\xHH" for byte @c into @out (VSVA_UTF8_ESCAPE_LEN bytes). */
void vsva_utf8_escape_byte(char *out, unsigned char c);

/* Copy @src (up to its NUL or @max bytes) into @dst (@len bytes,
 * NUL-terminated) with every byte that begins no valid character
 * written as "\xHH", cut on a character boundary to fit.  The bytes
 * written, without the NUL. */
size_t vsva_utf8_clean(char *dst, size_t len, const char *src, size_t max);

#endif /* VSVA_UTF8_H */
