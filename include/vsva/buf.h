/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: a growable text buffer. */
#ifndef VSVA_BUF_H
#define VSVA_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* ---- growable text buffer ------------------------------------------- */

struct vsva_buf {
	char *p;
	size_t len, cap;
	bool oom;		/* an append failed: the contents are short */
};

void vsva_buf_printf(struct vsva_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vsva_buf_put_slow(struct vsva_buf *b, const char *s, size_t n);

/* Append @n bytes (inline: an exposition is made of many short ones). */
static inline void vsva_buf_put(struct vsva_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		vsva_buf_put_slow(b, s, n);
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}
/* Room for @n more bytes at once (e.g. the size of the last scrape). */
void vsva_buf_reserve(struct vsva_buf *b, size_t n);
void vsva_buf_free(struct vsva_buf *b);

#endif /* VSVA_BUF_H */
