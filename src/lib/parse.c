// SPDX-License-Identifier: GPL-2.0
/*
 * Read Prometheus text exposition (as vsvad writes it) back into a
 * snapshot: vsva-top --from a running vsvad.  Histograms are rebuilt from
 * their _bucket/_sum/_count series.
 *
 * The text comes from the network: every line is checked, and a line
 * that is not exposition or that a snapshot cannot hold (more labels than
 * VSVA_MAX_LABELS, buckets out of order, a count that is not one) is an
 * error naming the line, never a silent drop.  Names and label values
 * have no length limit of their own (the caller bounds the text).
 */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vsva/expo.h"
#include "parse.h"

/* Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names without ':'.
 * Not isalpha(): the program's locale must not change the grammar. */
static bool name_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

/* The end of the name at @c (@c itself when there is none). */
static char *name_end(char *c, bool colon)
{
	if (!name_char(*c, true, colon))
		return c;
	do
		c++;
	while (name_char(*c, false, colon));
	return c;
}

static char *blanks(char *c)
{
	return c + strspn(c, " \t");
}

/* {a="x",b="y"} from just after the brace, values unescaped in place
 * (\\, \" and \n, as the writer escapes); *@cp: after the closing one. */
static int parse_labels(struct parser *ps, char **cp, struct parsed *p)
{
	char *c = *cp, *e, *o;
	int i;

	for (;;) {
		c = blanks(c);
		if (*c == '}')
			break;
		if (p->nlabels == VSVA_MAX_LABELS + 1)
			return vsva_parse_fail(ps, "%s: more than %d labels", p->name,
				    VSVA_MAX_LABELS);
		e = name_end(c, false);
		if (e == c)
			return vsva_parse_fail(ps, "%s: a bad label name", p->name);
		p->lname[p->nlabels] = c;
		c = blanks(e);
		if (*c != '=')
			return vsva_parse_fail(ps, "%s: a label without '='", p->name);
		*e = 0;
		c = blanks(c + 1);
		if (*c != '"')
			return vsva_parse_fail(ps, "%s: label %s: no opening quote",
				    p->name, p->lname[p->nlabels]);
		o = p->lval[p->nlabels] = ++c;
		for (; *c && *c != '"'; c++) {
			if (*c != '\\') {
				*o++ = *c;
				continue;
			}
			c++;
			if (*c != '\\' && *c != '"' && *c != 'n')
				return vsva_parse_fail(ps, "%s: label %s: an escape other "
					    "than \\\\, \\\" or \\n", p->name,
					    p->lname[p->nlabels]);
			*o++ = *c == 'n' ? '\n' : *c;
		}
		if (*c != '"')
			return vsva_parse_fail(ps, "%s: label %s: no closing quote",
				    p->name, p->lname[p->nlabels]);
		*o = 0;		/* at most where the closing quote was */
		for (i = 0; i < p->nlabels; i++)
			if (!strcmp(p->lname[i], p->lname[p->nlabels]))
				return vsva_parse_fail(ps, "%s: label %s twice", p->name,
					    p->lname[i]);
		p->nlabels++;
		c = blanks(c + 1);
		if (*c == ',')
			c++;
		else if (*c != '}')
			return vsva_parse_fail(ps, "%s: ',' or '}' expected after label "
				    "%s", p->name, p->lname[p->nlabels - 1]);
	}
	*cp = c + 1;
	return 0;
}

/* name{labels} value [timestamp] -> @p */
static int parse_sample(struct parser *ps, char *c, struct parsed *p)
{
	char *e = name_end(c, true), sep, *v;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (e == c)
		return vsva_parse_fail(ps, "not a sample, comment or blank line");
	p->name = c;
	sep = *e;
	*e = 0;
	c = e + 1;
	if (sep == '{') {
		if (parse_labels(ps, &c, p))
			return -1;
		sep = *c++;
	}
	if (sep != ' ' && sep != '\t')
		return vsva_parse_fail(ps, "%s: %s", p->name, sep ? "a bad metric name or "
			    "no blank before the value" : "no value");
	v = blanks(c);
	n = strcspn(v, " \t");
	c = blanks(v + n);
	v[n] = 0;
	if (vsva_parse_number(ps, v, &p->value))
		return vsva_parse_fail(ps, "%s: the value is not a number", p->name);
	if (!*c)
		return 0;
	/* a timestamp (milliseconds): vsvad writes none; skipped */
	n = strspn(c + (*c == '-'), "0123456789");
	if (!n || *blanks(c + (*c == '-') + n))
		return vsva_parse_fail(ps, "%s: text after the value", p->name);
	return 0;
}

/* "# TYPE name type" makes a family; HELP and other comments are skipped. */
static int parse_comment(struct parser *ps, char *c)
{
	static const struct {
		const char *word;
		enum vsva_mtype type;
	} types[] = {
		{ "counter", VSVA_COUNTER }, { "gauge", VSVA_GAUGE },
		{ "histogram", VSVA_HISTOGRAM }, { "summary", VSVA_GAUGE },
		{ "untyped", VSVA_GAUGE },
	};
	char *name, *e, *type;
	size_t i;

	c = blanks(c);
	if (strncmp(c, "TYPE", 4) || (c[4] != ' ' && c[4] != '\t'))
		return 0;
	name = blanks(c + 4);
	e = name_end(name, true);
	if (e == name || (*e != ' ' && *e != '\t'))
		return vsva_parse_fail(ps, "TYPE: a bad metric name");
	*e = 0;
	type = blanks(e + 1);
	e = type + strcspn(type, " \t");
	if (*blanks(e))
		return vsva_parse_fail(ps, "TYPE %s: text after the type", name);
	*e = 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].word))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return vsva_parse_fail(ps, "TYPE %s: unknown type", name);
	if (vsva_snap_find(ps->s, name))
		return vsva_parse_fail(ps, "TYPE %s: after its samples or a TYPE before",
			    name);
	if (!vsva_snap_family(ps->s, vsva_parse_own(ps->s, name), "", types[i].type) ||
	    ps->s->oom)
		return vsva_parse_fail(ps, "out of memory");
	return 0;
}

/* [@p, @p + @n) into the parser's line buffer, NUL-terminated. */
static int take_line(struct parser *ps, const char *p, size_t n)
{
	char *more;

	if (memchr(p, 0, n))
		return vsva_parse_fail(ps, "a NUL byte: not text");
	if (n + 1 > ps->cap) {
		more = realloc(ps->line, n + 1);
		if (!more)
			return vsva_parse_fail(ps, "out of memory");
		ps->line = more;
		ps->cap = n + 1;
	}
	memcpy(ps->line, p, n);
	ps->line[n] = 0;
	return 0;
}

static int parse_line(struct parser *ps)
{
	char *c = blanks(ps->line);
	struct parsed p;

	if (!*c)
		return 0;
	if (*c == '#')
		return parse_comment(ps, c + 1);
	if (parse_sample(ps, c, &p))
		return -1;
	return vsva_parse_store(ps, &p);
}

int vsva_expo_parse(const char *text, size_t len, struct vsva_snapshot *s,
		    char *err, size_t errlen)
{
	struct parser ps = { .s = s, .err = err, .errlen = errlen };
	const char *p = text, *end = text + len, *nl;
	int ret = 0;

	if (errlen)
		err[0] = 0;
	ps.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!ps.c_locale)
		return vsva_parse_fail(&ps, "out of memory");
	while (p < end && !ret) {
		nl = memchr(p, '\n', end - p);
		ps.lineno++;
		ret = take_line(&ps, p, (nl ? nl : end) - p);
		if (!ret)
			ret = parse_line(&ps);
		p = nl ? nl + 1 : end;
	}
	if (!ret && vsva_snap_incomplete(s))
		ret = vsva_parse_fail(&ps, "out of memory");
	free(ps.line);
	freelocale(ps.c_locale);
	return ret;
}
