// SPDX-License-Identifier: GPL-2.0
/*
 * JSON, CSV and terminal escaping of strings from outside.  A byte that
 * begins no valid UTF-8 character becomes the text "\xHH", as in vsvad's
 * labels (lib/utf8.c), so that a name reads the same in a report as in a
 * scrape.  Our own few lines rather than a library's: json-c (vsva-bench's)
 * passes invalid UTF-8 through, and vsva-perf's dlfilter is a
 * self-contained shared object.
 */
#include <stdbool.h>
#include <string.h>
#include "vsva/utf8.h"
#include "textesc.h"

/* The next unit of @s (@n bytes left): a valid character (*@k bytes of
 * @s, returned as is), or an invalid byte (*@k = 1) written as "\xHH"
 * into @esc and returned instead. */
static const char *unit(const char *s, size_t n, size_t *k,
			char esc[VSVA_UTF8_ESCAPE_LEN])
{
	*k = vsva_utf8_char(s, n);
	if (*k)
		return s;
	*k = 1;
	vsva_utf8_escape_byte(esc, (unsigned char)*s);
	return NULL;
}

void esc_json(FILE *f, const char *s)
{
	char esc[VSVA_UTF8_ESCAPE_LEN];
	size_t n = strlen(s), k;
	unsigned char c;

	fputc('"', f);
	for (; n; s += k, n -= k) {
		if (!unit(s, n, &k, esc)) {
			fputc('\\', f);		/* the text \xHH, in JSON */
			fwrite(esc, 1, sizeof(esc), f);
			continue;
		}
		c = *s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fwrite(s, 1, k, f);
	}
	fputc('"', f);
}

void esc_csv(FILE *f, const char *s)
{
	char esc[VSVA_UTF8_ESCAPE_LEN];
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	size_t n = strlen(s), k;

	if (quote)
		fputc('"', f);
	for (; n; s += k, n -= k) {
		if (!unit(s, n, &k, esc))
			fwrite(esc, 1, sizeof(esc), f);
		else if (*s == '"')
			fputs("\"\"", f);
		else
			fwrite(s, 1, k, f);
	}
	if (quote)
		fputc('"', f);
}

/* A C0 or C1 control character, or DEL (@k: its UTF-8 length). */
static bool control(const unsigned char *s, size_t k)
{
	return (k == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	       (k == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

void esc_text(char *dst, size_t len, const char *s)
{
	char esc[VSVA_UTF8_ESCAPE_LEN];
	size_t n = strlen(s), k, o = 0, w;
	const char *put;

	if (!len)
		return;
	for (; n; s += k, n -= k) {
		put = unit(s, n, &k, esc);
		w = put ? k : sizeof(esc);
		if (put && control((const unsigned char *)s, k)) {
			put = "?";
			w = 1;
		} else if (!put) {
			put = esc;
		}
		if (o + w >= len)
			break;		/* whole units only */
		memcpy(dst + o, put, w);
		o += w;
	}
	dst[o] = 0;
}
