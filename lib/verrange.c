/*
 * verrange: version numbers and version ranges (see verrange.h for the
 * dialects read).  A range is parsed alternative by alternative ("||");
 * each alternative is the intersection of its comparators, one interval.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "verrange.h"
#include "banned.h"

/* ---- versions */

static int is_wild(char c)
{
	return c == '*' || c == 'x' || c == 'X';
}

/* Length of a pre-release/post-release/local/build suffix at s. */
static size_t suffix_len(const char *s)
{
	size_t n = 0;
	if (!(isalpha((unsigned char)s[0]) || s[0] == '+' ||
	      ((s[0] == '-' || s[0] == '.' || s[0] == '_') &&
	       isalnum((unsigned char)s[1]))))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '.' || s[n] == '+' || s[n] == '-' ||
	       s[n] == '_')
		n++;
	return n;
}

size_t ver_parse(const char *s, struct ver *v, int *wild)
{
	size_t i = 0;
	memset(v, 0, sizeof(*v));
	*wild = 0;
	if (s[i] == 'v' || s[i] == 'V')
		i++;
	if (!isdigit((unsigned char)s[i]))
		return 0;
	for (;;) {
		long x = 0;
		while (isdigit((unsigned char)s[i])) {
			if (x < 100000000L)
				x = x * 10 + (s[i] - '0');
			i++;
		}
		if (v->n < VR_PARTS)
			v->p[v->n] = x;
		v->n++;
		if (s[i] != '.')
			break;
		if (isdigit((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		if (is_wild(s[i + 1]) && !isalnum((unsigned char)s[i + 2])) {
			*wild = 1;
			i += 2;
			while (s[i] == '.' && is_wild(s[i + 1]) && !isalnum((unsigned char)s[i + 2]))
				i += 2;
			break;
		}
		break;
	}
	if (v->n > VR_PARTS)
		v->n = VR_PARTS;
	if (!*wild)
		i += suffix_len(s + i);
	return i;
}

int ver_cmp(const struct ver *a, const struct ver *b)
{
	int k;
	for (k = 0; k < VR_PARTS; k++) {
		long x = k < a->n ? a->p[k] : 0, y = k < b->n ? b->p[k] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

void ver_format(const struct ver *v, char *buf, size_t bufsz)
{
	size_t len = 0;
	int k;
	if (!bufsz)
		return;
	buf[0] = '\0';
	for (k = 0; k < v->n && len < bufsz; k++) {
		int w = snprintf(buf + len, bufsz - len, k ? ".%ld" : "%ld", v->p[k]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* The first k components of v with the last of them incremented:
 * the version just after the series v[0..k). */
static struct ver next_series(const struct ver *v, int k)
{
	struct ver r;
	int i;
	memset(&r, 0, sizeof(r));
	if (k < 1)
		k = 1;
	if (k > VR_PARTS)
		k = VR_PARTS;
	r.n = k;
	for (i = 0; i < k; i++)
		r.p[i] = i < v->n ? v->p[i] : 0;
	r.p[k - 1]++;
	return r;
}

/* ---- intervals */

static void iv_all(struct vinterval *iv)
{
	memset(iv, 0, sizeof(*iv));
}

/* Raises the lower bound of iv to (v, incl) if that is higher. */
static void iv_lo(struct vinterval *iv, const struct ver *v, int incl)
{
	int c;
	if (!iv->lo.set) {
		iv->lo.set = 1;
		iv->lo.v = *v;
		iv->lo.incl = incl;
		return;
	}
	c = ver_cmp(v, &iv->lo.v);
	if (c > 0) {
		iv->lo.v = *v;
		iv->lo.incl = incl;
	} else if (c == 0) {
		iv->lo.incl = iv->lo.incl && incl;
	}
}

/* Lowers the upper bound of iv to (v, incl) if that is lower. */
static void iv_hi(struct vinterval *iv, const struct ver *v, int incl)
{
	int c;
	if (!iv->hi.set) {
		iv->hi.set = 1;
		iv->hi.v = *v;
		iv->hi.incl = incl;
		return;
	}
	c = ver_cmp(v, &iv->hi.v);
	if (c < 0) {
		iv->hi.v = *v;
		iv->hi.incl = incl;
	} else if (c == 0) {
		iv->hi.incl = iv->hi.incl && incl;
	}
}

static int iv_empty(const struct vinterval *iv)
{
	int c;
	if (!iv->lo.set || !iv->hi.set)
		return 0;
	c = ver_cmp(&iv->lo.v, &iv->hi.v);
	return c > 0 || (c == 0 && !(iv->lo.incl && iv->hi.incl));
}

/* a AND b into *out; 1 when the result is not empty. */
static int iv_and(const struct vinterval *a, const struct vinterval *b, struct vinterval *out)
{
	*out = *a;
	if (b->lo.set)
		iv_lo(out, &b->lo.v, b->lo.incl);
	if (b->hi.set)
		iv_hi(out, &b->hi.v, b->hi.incl);
	return !iv_empty(out);
}

/* ---- the parser */

struct cursor {
	const char *s;
	size_t i;
	char *err;
	size_t errsz;
};

static int fail(struct cursor *c, const char *what)
{
	if (c->err && c->errsz)
		snprintf(c->err, c->errsz, "%s at offset %zu", what, c->i);
	return -1;
}

static void skip_blanks(struct cursor *c)
{
	while (c->s[c->i] == ' ' || c->s[c->i] == '\t')
		c->i++;
}

/* The comparator operator at the cursor ("" when none). */
static const char *read_op(struct cursor *c)
{
	static const char *const ops[] = { "===", "==", "!=", "~=", ">=", "<=", ">", "<", "=",
					   "^", "~", NULL };
	size_t k;
	for (k = 0; ops[k]; k++) {
		size_t n = strlen(ops[k]);
		if (strncmp(c->s + c->i, ops[k], n) == 0) {
			c->i += n;
			return ops[k];
		}
	}
	return "";
}

/* Applies "op v" to iv.  -1 for an operator that needs more than v gives. */
static int apply(struct cursor *c, struct vinterval *iv, const char *op, const struct ver *v,
		 int wild)
{
	struct ver nx = next_series(v, v->n);
	if (!*op || !strcmp(op, "=") || !strcmp(op, "==") || !strcmp(op, "===")) {
		iv_lo(iv, v, 1);
		if (wild || (!*op && v->n < 3))
			iv_hi(iv, &nx, 0);
		else
			iv_hi(iv, v, 1);
	} else if (!strcmp(op, ">=")) {
		iv_lo(iv, v, 1);
	} else if (!strcmp(op, ">")) {
		if (wild)
			iv_lo(iv, &nx, 1);
		else
			iv_lo(iv, v, 0);
	} else if (!strcmp(op, "<")) {
		iv_hi(iv, v, 0);
	} else if (!strcmp(op, "<=")) {
		if (wild)
			iv_hi(iv, &nx, 0);
		else
			iv_hi(iv, v, 1);
	} else if (!strcmp(op, "!=")) {
		/* one point out: ignored */
	} else if (!strcmp(op, "~=")) {
		struct ver hi;
		if (v->n < 2)
			return fail(c, "'~=' needs at least two components");
		hi = next_series(v, v->n - 1);
		iv_lo(iv, v, 1);
		iv_hi(iv, &hi, 0);
	} else if (!strcmp(op, "^")) {
		struct ver hi;
		int k = 0;
		while (k < v->n - 1 && v->p[k] == 0)
			k++;
		hi = next_series(v, k + 1);
		iv_lo(iv, v, 1);
		iv_hi(iv, &hi, 0);
	} else { /* "~" */
		struct ver hi = next_series(v, v->n >= 2 ? 2 : 1);
		iv_lo(iv, v, 1);
		iv_hi(iv, &hi, 0);
	}
	return 0;
}

/* One alternative (up to "||" or the end) into *iv. */
static int parse_alt(struct cursor *c, struct vinterval *iv)
{
	iv_all(iv);
	for (;;) {
		const char *op;
		struct ver v;
		int wild;
		size_t n;

		while (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == ',')
			c->i++;
		if (!c->s[c->i] || (c->s[c->i] == '|' && c->s[c->i + 1] == '|'))
			return 0;
		op = read_op(c);
		skip_blanks(c);
		if (is_wild(c->s[c->i]) && !isalnum((unsigned char)c->s[c->i + 1])) {
			c->i++; /* "*", "x": any version */
			continue;
		}
		n = ver_parse(c->s + c->i, &v, &wild);
		if (!n)
			return fail(c, *op ? "version expected after operator" : "version expected");
		c->i += n;
		if (!*op) { /* hyphen range "A - B" */
			size_t save = c->i;
			skip_blanks(c);
			if (c->s[c->i] == '-' && (c->s[c->i + 1] == ' ' || c->s[c->i + 1] == '\t') &&
			    c->i > save) {
				struct ver b;
				int bwild;
				c->i++;
				skip_blanks(c);
				n = ver_parse(c->s + c->i, &b, &bwild);
				if (!n)
					return fail(c, "version expected after '-'");
				c->i += n;
				iv_lo(iv, &v, 1);
				if (bwild || b.n < 3) {
					struct ver nx = next_series(&b, b.n);
					iv_hi(iv, &nx, 0);
				} else {
					iv_hi(iv, &b, 1);
				}
				continue;
			}
			c->i = save;
		}
		if (apply(c, iv, op, &v, wild) < 0)
			return -1;
		if (c->s[c->i] && c->s[c->i] != ' ' && c->s[c->i] != '\t' && c->s[c->i] != ',' &&
		    c->s[c->i] != '|')
			return fail(c, "unexpected character");
	}
}

void vrange_all(struct vrange *r)
{
	memset(r, 0, sizeof(*r));
	r->n = 1;
}

int vrange_parse(const char *spec, struct vrange *r, char *err, size_t errsz)
{
	struct cursor c = { spec ? spec : "", 0, err, errsz };
	const char *t = c.s;

	memset(r, 0, sizeof(*r));
	while (*t == ' ' || *t == '\t')
		t++;
	if (!strcmp(t, "latest")) {
		vrange_all(r);
		return 0;
	}
	for (;;) {
		struct vinterval iv;
		if (parse_alt(&c, &iv) < 0)
			return -1;
		if (!iv_empty(&iv)) {
			if (r->n == VR_MAX)
				return fail(&c, "too many alternatives");
			r->iv[r->n++] = iv;
		}
		if (!c.s[c.i])
			break;
		c.i += 2; /* "||" */
	}
	return 0;
}

int vrange_is_all(const struct vrange *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (!r->iv[i].lo.set && !r->iv[i].hi.set)
			return 1;
	return 0;
}

int vrange_is_empty(const struct vrange *r)
{
	return r->n == 0;
}

int vrange_intersects(const struct vrange *a, const struct vrange *b)
{
	size_t i, j;
	struct vinterval tmp;
	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (iv_and(&a->iv[i], &b->iv[j], &tmp))
				return 1;
	return 0;
}

/* 1 when interval a lies inside interval b. */
static int iv_inside(const struct vinterval *a, const struct vinterval *b)
{
	int c;
	if (b->lo.set) {
		if (!a->lo.set)
			return 0;
		c = ver_cmp(&a->lo.v, &b->lo.v);
		if (c < 0 || (c == 0 && a->lo.incl && !b->lo.incl))
			return 0;
	}
	if (b->hi.set) {
		if (!a->hi.set)
			return 0;
		c = ver_cmp(&a->hi.v, &b->hi.v);
		if (c > 0 || (c == 0 && a->hi.incl && !b->hi.incl))
			return 0;
	}
	return 1;
}

int vrange_subset(const struct vrange *a, const struct vrange *b)
{
	size_t i, j;
	if (a->n == 0)
		return 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && !iv_inside(&a->iv[i], &b->iv[j]); j++)
			;
		if (j == b->n)
			return 0;
	}
	return 1;
}

int vrange_contains(const struct vrange *r, const struct ver *v)
{
	struct vrange p;
	memset(&p, 0, sizeof(p));
	p.n = 1;
	iv_lo(&p.iv[0], v, 1);
	iv_hi(&p.iv[0], v, 1);
	return vrange_intersects(r, &p);
}

int vrange_and(struct vrange *r, const struct vrange *b)
{
	struct vrange out;
	size_t i, j;
	memset(&out, 0, sizeof(out));
	for (i = 0; i < r->n; i++)
		for (j = 0; j < b->n; j++) {
			struct vinterval tmp;
			if (!iv_and(&r->iv[i], &b->iv[j], &tmp))
				continue;
			if (out.n == VR_MAX)
				return -1;
			out.iv[out.n++] = tmp;
		}
	*r = out;
	return 0;
}

int vrange_or(struct vrange *r, const struct vrange *b)
{
	size_t j;
	if (r->n + b->n > VR_MAX)
		return -1;
	for (j = 0; j < b->n; j++)
		r->iv[r->n++] = b->iv[j];
	return 0;
}
