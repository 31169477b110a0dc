/*
 * pyindex_prisma: the models of a Prisma schema (schema.prisma) for the
 * project index: each `model Name { ... }` with its table (@@map("x") or
 * the model name), its scalar field count (relation fields, whose type is
 * another model, are not columns) and its relations.
 *
 * The schema language is line-oriented: a field is `name Type[?|[]]
 * attributes...` on one line; `//` starts a comment; `@@` lines are block
 * attributes.  Strings never hold newlines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pyindex_p.h"

struct pline { const char *s; size_t n; unsigned no; };

/* Next line of [*p, end) without its comment, trimmed; 0 at the end. */
static int next_line(const char **p, const char *end, unsigned *no, struct pline *l)
{
	const char *s = *p, *e, *c;
	int inq = 0;
	if (s >= end)
		return 0;
	e = memchr(s, '\n', (size_t)(end - s));
	if (!e)
		e = end;
	*p = e < end ? e + 1 : end;
	(*no)++;
	for (c = s; c < e; c++) {
		if (*c == '"' && (c == s || c[-1] != '\\'))
			inq = !inq;
		if (!inq && c + 1 < e && c[0] == '/' && c[1] == '/')
			break;
	}
	e = c;
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	l->s = s;
	l->n = (size_t)(e - s);
	l->no = *no;
	return 1;
}

/* The word at the start of l (letters, digits, _), its length. */
static size_t word(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i;
}

struct pmodel { char name[128]; char table[128]; unsigned line; unsigned nfields; size_t first_field; };
struct pfield { size_t model; char name[128]; char type[128]; };

int py_index_add_prisma(struct py_index *ix, const char *path, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct pline l;
	unsigned no = 0;
	struct pmodel *mv = NULL;
	struct pfield *fv = NULL;
	size_t nm = 0, cm = 0, nf = 0, cf = 0, i, k;
	char enums[64][64];
	size_t nenums = 0;
	int in = 0, rc = 0;   /* 1 model, 2 enum, 3 other block */
	while (next_line(&p, end, &no, &l)) {
		size_t w = word(l.s, l.n);
		if (!in) {
			if (w == 5 && !strncmp(l.s, "model", 5) && l.n > 6) {
				const char *nmp = l.s + 5;
				size_t rest = l.n - 5, wl;
				while (rest && isspace((unsigned char)*nmp)) {
					nmp++;
					rest--;
				}
				wl = word(nmp, rest);
				if (nm == cm) {
					void *nv = realloc(mv, (cm = cm ? cm * 2 : 16) * sizeof(*mv));
					if (!nv) {
						rc = -1;
						break;
					}
					mv = nv;
				}
				memset(&mv[nm], 0, sizeof(*mv));
				snprintf(mv[nm].name, sizeof(mv[nm].name), "%.*s", (int)wl, nmp);
				snprintf(mv[nm].table, sizeof(mv[nm].table), "%.*s", (int)wl, nmp);
				mv[nm].line = l.no;
				mv[nm].first_field = nf;
				nm++;
				in = 1;
			} else if (w == 4 && !strncmp(l.s, "enum", 4) && l.n > 5) {
				const char *nmp = l.s + 4;
				size_t rest = l.n - 4;
				while (rest && isspace((unsigned char)*nmp)) {
					nmp++;
					rest--;
				}
				if (nenums < 64)
					snprintf(enums[nenums++], 64, "%.*s", (int)word(nmp, rest), nmp);
				in = 2;
			} else if (l.n && l.s[l.n - 1] == '{') {
				in = 3;
			}
			continue;
		}
		if (l.n && l.s[0] == '}') {
			in = 0;
			continue;
		}
		if (in != 1 || !l.n)
			continue;
		if (l.n > 2 && l.s[0] == '@' && l.s[1] == '@') {
			const char *m = l.n > 6 && !strncmp(l.s, "@@map(", 6) ? l.s + 6 : NULL;
			const char *q = m ? memchr(m, '"', (size_t)(l.s + l.n - m)) : NULL;
			const char *q2 = q ? memchr(q + 1, '"', (size_t)(l.s + l.n - q - 1)) : NULL;
			if (q && q2)
				snprintf(mv[nm - 1].table, sizeof(mv[nm - 1].table), "%.*s", (int)(q2 - q - 1), q + 1);
			continue;
		}
		if (w && w < l.n) {
			const char *t = l.s + w;
			size_t rest = l.n - w, tl;
			while (rest && isspace((unsigned char)*t)) {
				t++;
				rest--;
			}
			tl = word(t, rest);
			if (!tl)
				continue;
			if (nf == cf) {
				void *nv = realloc(fv, (cf = cf ? cf * 2 : 64) * sizeof(*fv));
				if (!nv) {
					rc = -1;
					break;
				}
				fv = nv;
			}
			fv[nf].model = nm - 1;
			snprintf(fv[nf].name, sizeof(fv[nf].name), "%.*s", (int)w, l.s);
			snprintf(fv[nf].type, sizeof(fv[nf].type), "%.*s", (int)tl, t);
			nf++;
		}
	}
	/* a field whose type is a model is a relation; the rest are columns */
	for (i = 0; rc == 0 && i < nf; i++) {
		int rel = 0;
		for (k = 0; k < nm && !rel; k++)
			rel = !strcmp(mv[k].name, fv[i].type);
		if (rel)
			rc = py_index_add_relation(ix, mv[fv[i].model].name, fv[i].name, fv[i].type, PL_LAZY);
		else
			rc = py_index_add_column(ix, mv[fv[i].model].name, fv[i].name);
		if (!rel)
			mv[fv[i].model].nfields++;
	}
	(void)enums;
	for (i = 0; rc == 0 && i < nm; i++)
		rc = py_index_add_model(ix, mv[i].name, mv[i].table, path, mv[i].line, mv[i].nfields);
	free(mv);
	free(fv);
	return rc;
}
