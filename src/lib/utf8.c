// SPDX-License-Identifier: GPL-2.0
/* Valid UTF-8 for every label, screen and report (include/vsva/utf8.h). */
#include <string.h>
#include "vsva/utf8.h"

size_t vsva_utf8_char(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int cp, need, i;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)	/* continuation, overlong, > U+10FFFF */
		return 0;
	need = s[0] < 0xe0 ? 1 : s[0] < 0xf0 ? 2 : 3;
	if (n < need + 1)
		return 0;
	cp = s[0] & (0x3f >> need);
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need + 1;
}

int vsva_utf8_valid(const char *s)
{
	size_t n = strlen(s), k;

	for (; n; s += k, n -= k) {
		k = vsva_utf8_char(s, n);
		if (!k)
			return 0;
	}
	return 1;
}

void vsva_utf8_escape_byte(char *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
}

size_t vsva_utf8_clean(char *dst, size_t len, const char *src, size_t max)
{
	size_t n = strnlen(src, max), out = 0, k;
	char esc[VSVA_UTF8_ESCAPE_LEN];

	if (!len)
		return 0;
	for (; n; src += k, n -= k) {
		k = vsva_utf8_char(src, n);
		if (k && out + k < len) {
			memcpy(dst + out, src, k);
			out += k;
			continue;
		}
		if (k || out + sizeof(esc) >= len)
			break;
		vsva_utf8_escape_byte(esc, *src);
		memcpy(dst + out, esc, sizeof(esc));
		out += sizeof(esc);
		k = 1;
	}
	dst[out] = 0;
	return out;
}
