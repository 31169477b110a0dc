/*
 * verrange: version numbers and version ranges, as manifests and the
 * knowledge base write them.
 *
 * A range is a union of at most VR_MAX intervals.  The parser reads the
 * specifier dialects pperf meets in manifests:
 *   PEP 440      ">=2.0,<2.1", "==1.4.52", "==2.0.*", "~=1.4", "!=1.4.3"
 *   Poetry       "^2.0", "~2.0", "2.0.*", ">=1.4 <2.0", "^1.4 || ^2.0"
 *   npm          "^10.3.0", "~5.12", "1.2.x", ">=1.2 <2", "1.2 - 2.3", "*"
 *   Go           "v1.25.9", "v0.0.0-20230101120000-abcdef" (exact)
 * and the knowledge base's applies_to, which uses the same syntax.
 * Versions compare component by component, missing components as 0
 * ("2.0" == "2.0.0"); pre-release, post-release, local and build suffixes
 * are ignored; "!=" excludes a single point and is therefore ignored.  A
 * bare partial version ("2", "1.2") stands for its series (npm's x-range);
 * a bare full version ("1.2.3") for itself.
 */
#ifndef PPERF_VERRANGE_H
#define PPERF_VERRANGE_H

#include <stddef.h>

#define VR_PARTS 4 /* components kept; later ones are ignored */
#define VR_MAX 8   /* intervals in one range ("||" alternatives) */

struct ver {
	int n;               /* components given, 1..VR_PARTS */
	long p[VR_PARTS];
};

struct vbound {
	int set;             /* 0: unbounded on that side */
	int incl;            /* bound included */
	struct ver v;
};

struct vinterval {
	struct vbound lo, hi;
};

struct vrange {
	size_t n;            /* 0: the empty range */
	struct vinterval iv[VR_MAX];
};

/*
 * Reads a version at s ("2.0.1", "v1.2", "3.12rc1", "1.x" stops before the
 * wildcard).  Returns the number of characters read (suffixes included), 0
 * when s does not start with a version.  *wild is set to 1 when the
 * version ends with a wildcard component ("1.2.*", "1.x").
 */
size_t ver_parse(const char *s, struct ver *v, int *wild);

/* <0, 0, >0 as a is older, equal, newer than b (missing parts are 0). */
int ver_cmp(const struct ver *a, const struct ver *b);

/* Formats v as "1.2.3" into buf (always terminated). */
void ver_format(const struct ver *v, char *buf, size_t bufsz);

/*
 * Parses spec into *r.  NULL, "" and "*" (also "x", "latest") give the
 * range of all versions.  Returns 0, or -1 with a short reason in err
 * (which may be NULL) when spec is not a range pperf can read.
 */
int vrange_parse(const char *spec, struct vrange *r, char *err, size_t errsz);

/* The range of all versions. */
void vrange_all(struct vrange *r);
/* 1 when r holds every version. */
int vrange_is_all(const struct vrange *r);
/* 1 when r holds no version. */
int vrange_is_empty(const struct vrange *r);
/* 1 when some version is in both a and b. */
int vrange_intersects(const struct vrange *a, const struct vrange *b);
/* 1 when every version of a is in b (a empty: 0).  Each interval of a
 * must lie inside one interval of b. */
int vrange_subset(const struct vrange *a, const struct vrange *b);
/* 1 when v is in r. */
int vrange_contains(const struct vrange *r, const struct ver *v);
/* r = r AND b.  0, or -1 when the result needs more than VR_MAX intervals. */
int vrange_and(struct vrange *r, const struct vrange *b);
/* r = r OR b.  0, or -1 when the result needs more than VR_MAX intervals. */
int vrange_or(struct vrange *r, const struct vrange *b);

#endif
