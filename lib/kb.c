/*
 * kb: which technologies of the knowledge base a tech_stack has, which of
 * their practices apply to the versions the project allows, and lookups
 * of the selected practices for the auditors (kb.h).
 *
 * A technology is detected when one of its "detect" signals matches the
 * tech_stack (a dependency, or a field such as "orm" with a value).  The
 * versions the project allows are the union of what the matching signals
 * say (a dependency's specifier, or its exact version in "locked" when a
 * lock file gave one; python_version as a minimum; a compose image's
 * series), each narrowed by the signal's "implies"; with no version
 * information every version is allowed.  The allowed versions are then
 * narrowed to what the file "covers" (the oldest versions it knows about),
 * and a practice applies when its applies_to range holds every one of
 * them: advice must be right for all the versions the project supports,
 * so a project that allows both SQLAlchemy 1.4 and 2.0 gets only the
 * practices true of both, and an unpinned one only the general ones.
 */
#include <stdio.h>
#include <string.h>

#include "kb.h"
#include "verrange.h"
#include "banned.h"

/* Appends s to buf (with " || " between parts). */
static void add_text(char *buf, size_t bufsz, const char *s)
{
	size_t len = strlen(buf);
	if (!*s || len + 1 >= bufsz)
		return;
	snprintf(buf + len, bufsz - len, "%s%s", len ? " || " : "", s);
}

/* The dependency key matching name ("x/" means x or any path below it). */
static const char *find_dep(const json_t *deps, const char *name)
{
	size_t n = strlen(name);
	const char *k;
	json_t *v;
	if (!json_is_object(deps))
		return NULL;
	if (n && name[n - 1] != '/')
		return json_object_get(deps, name) ? name : NULL;
	json_object_foreach((json_t *)deps, k, v) {
		if (strncmp(k, name, n - 1) == 0 && (k[n - 1] == '\0' || k[n - 1] == '/'))
			return k;
	}
	return NULL;
}

/* 1 when the tech_stack value fv matches eq (or, without eq, is set). */
static int stack_matches(const json_t *fv, const json_t *eq)
{
	size_t i;
	json_t *x;
	if (!eq) {
		return (json_is_string(fv) && *json_string_value(fv)) || json_is_true(fv) ||
		       (json_is_array(fv) && json_array_size(fv) > 0);
	}
	if (json_is_array(fv)) {
		json_array_foreach(fv, i, x)
			if (json_equal(x, (json_t *)eq))
				return 1;
		return 0;
	}
	return fv && json_equal((json_t *)fv, (json_t *)eq);
}

/*
 * Matches one signal.  Returns 0 when it does not match; else 1 with *r
 * the versions it allows and text their description, or 2 when it matches
 * without saying anything about versions.
 */
static int signal_versions(const json_t *sig, const json_t *ts, struct vrange *r, char *text,
			   size_t textsz)
{
	const char *dep = json_string_value(json_object_get(sig, "dependency"));
	const char *kind = json_string_value(json_object_get(sig, "version"));
	const char *implies = json_string_value(json_object_get(sig, "implies"));
	const char *spec = NULL;
	char tmp[128];

	vrange_all(r);
	text[0] = '\0';
	if (dep) {
		const json_t *deps = json_object_get(ts, "dependencies");
		const char *key = find_dep(deps, dep);
		const char *locked;
		if (!key)
			return 0;
		if (!kind)
			kind = "spec";
		locked = json_string_value(json_object_get(json_object_get(ts, "locked"), key));
		if (locked && *locked) {
			snprintf(tmp, sizeof tmp, "==%s", locked);
			spec = tmp;
		} else {
			spec = json_string_value(json_object_get(deps, key));
		}
	} else {
		const char *field = json_string_value(json_object_get(sig, "stack"));
		const json_t *fv = json_object_get(ts, field), *eq = json_object_get(sig, "equals");
		if (!stack_matches(fv, eq))
			return 0;
		if (!kind)
			kind = "none";
		if (strcmp(kind, "none") != 0 && json_is_string(fv)) {
			const char *val = json_string_value(fv);
			if (!strcmp(kind, "minimum"))
				snprintf(tmp, sizeof tmp, ">=%s", val);
			else if (!strcmp(kind, "series"))
				snprintf(tmp, sizeof tmp, "==%s.*", val);
			else
				snprintf(tmp, sizeof tmp, "%s", val);
			spec = tmp;
		}
	}
	if (strcmp(kind, "none") == 0)
		spec = NULL;
	if (spec && *spec && vrange_parse(spec, r, NULL, 0) == 0) {
		snprintf(text, textsz, "%s", spec);
	} else {
		vrange_all(r); /* unreadable (a URL, a tag): every version */
		spec = NULL;
	}
	if (implies) {
		struct vrange imp;
		if (vrange_parse(implies, &imp, NULL, 0) == 0 && vrange_and(r, &imp) == 0 && !spec)
			snprintf(text, textsz, "%s", implies);
	}
	return spec || implies ? 1 : 2;
}

/* Detection and allowed versions of one technology. */
static int detect_range(const json_t *doc, const json_t *ts, struct vrange *allowed, char *buf,
			size_t bufsz)
{
	const json_t *sigs = json_object_get(doc, "detect");
	int detected = 0, versioned = 0;
	size_t i;

	if (bufsz)
		buf[0] = '\0';
	memset(allowed, 0, sizeof(*allowed));
	for (i = 0; i < json_array_size(sigs); i++) {
		const json_t *sig = json_array_get(sigs, i);
		struct vrange r;
		char text[128];
		int m = signal_versions(sig, ts, &r, text, sizeof text);
		if (!m)
			continue;
		if (!json_is_false(json_object_get(sig, "detects")))
			detected = 1;
		if (m != 1)
			continue;
		if (vrange_or(allowed, &r) < 0)
			vrange_all(allowed);
		add_text(buf, bufsz, text);
		versioned = 1;
	}
	if (!versioned) {
		vrange_all(allowed);
		if (bufsz)
			buf[0] = '\0';
	}
	return detected;
}

int kb_detect(const json_t *doc, const json_t *tech_stack, char *buf, size_t bufsz)
{
	struct vrange r;
	return detect_range(doc, tech_stack, &r, buf, bufsz);
}

/* Adds {"title", "url"} to sources unless url is in seen. */
static int add_source(json_t *sources, json_t *seen, const char *url, const char *title)
{
	json_t *s;
	if (!url || json_object_get(seen, url))
		return 0;
	s = json_pack("{s:s, s:s}", "title", title ? title : url, "url", url);
	if (!s || json_array_append_new(sources, s) < 0 ||
	    json_object_set_new(seen, url, json_true()) < 0)
		return -1;
	return 0;
}

/* The practices of doc that apply to allowed, into group. */
static int select_practices(const json_t *doc, const struct vrange *allowed, json_t *out,
			    json_t *sources, json_t *seen)
{
	const json_t *arr = json_object_get(doc, "practices");
	size_t i;
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *pr = json_array_get(arr, i);
		struct vrange r;
		json_t *copy;
		if (vrange_parse(json_string_value(json_object_get(pr, "applies_to")), &r, NULL, 0) < 0 ||
		    !vrange_subset(allowed, &r))
			continue;
		copy = json_deep_copy(pr);
		if (!copy || json_object_set_new(copy, "origin", json_string("kb")) < 0 ||
		    json_array_append_new(out, copy) < 0)
			return -1;
		if (add_source(sources, seen, json_string_value(json_object_get(pr, "source")),
			       json_string_value(json_object_get(pr, "source_title"))) < 0)
			return -1;
	}
	return 0;
}

int kb_select(const json_t *kb, const json_t *tech_stack, json_t **best_practices,
	      json_t **sources)
{
	json_t *bp = json_array(), *src = json_array(), *seen = json_object();
	size_t i;

	*best_practices = *sources = NULL;
	if (!bp || !src || !seen)
		goto oom;
	for (i = 0; i < json_array_size(kb); i++) {
		const json_t *doc = json_array_get(kb, i);
		struct vrange allowed;
		char ver[256];
		json_t *group, *prs;
		struct vrange covers;
		if (!detect_range(doc, tech_stack, &allowed, ver, sizeof ver))
			continue;
		if (vrange_parse(json_string_value(json_object_get(doc, "covers")), &covers, NULL, 0) == 0 &&
		    vrange_and(&allowed, &covers) < 0)
			vrange_all(&allowed);
		prs = json_array();
		if (!prs || select_practices(doc, &allowed, prs, src, seen) < 0) {
			json_decref(prs);
			goto oom;
		}
		if (json_array_size(prs) == 0) {
			json_decref(prs);
			continue;
		}
		group = json_pack("{s:O, s:O, s:o, s:o}", "technology",
				  json_object_get(doc, "technology"), "name",
				  json_object_get(doc, "name"), "version",
				  *ver ? json_string(ver) : json_null(), "practices", prs);
		if (!group || json_array_append_new(bp, group) < 0)
			goto oom;
	}
	json_decref(seen);
	*best_practices = bp;
	*sources = src;
	return 0;
oom:
	json_decref(bp);
	json_decref(src);
	json_decref(seen);
	return -1;
}

/* ---- lookups for the auditors */

/* Calls match(practice, arg) over every selected practice of context; the
 * first practice for which it returns non-zero. */
static const json_t *find_practice(const json_t *context,
				   int (*match)(const json_t *pr, const void *arg), const void *arg)
{
	const json_t *groups = json_object_get(context, "best_practices"), *g, *pr;
	size_t i, j;
	json_array_foreach(groups, i, g) {
		json_array_foreach(json_object_get(g, "practices"), j, pr)
			if (json_is_object(pr) && match(pr, arg))
				return pr;
	}
	return NULL;
}

static int match_id(const json_t *pr, const void *arg)
{
	const char *id = json_string_value(json_object_get(pr, "id"));
	return id && strcmp(id, (const char *)arg) == 0;
}

struct check_query {
	const char *check, *technology;
};

static int match_check(const json_t *pr, const void *arg)
{
	const struct check_query *q = arg;
	const json_t *c;
	size_t i;
	if (q->technology) {
		const char *t = json_string_value(json_object_get(pr, "technology"));
		if (!t || strcmp(t, q->technology) != 0)
			return 0;
	}
	json_array_foreach(json_object_get(pr, "checks"), i, c)
		if (json_is_string(c) && strcmp(json_string_value(c), q->check) == 0)
			return 1;
	return 0;
}

const json_t *kb_practice(const json_t *context, const char *id)
{
	return id ? find_practice(context, match_id, id) : NULL;
}

const json_t *kb_practice_for_check(const json_t *context, const char *check,
				    const char *technology)
{
	struct check_query q = { check, technology };
	const json_t *pr;
	if (!check)
		return NULL;
	pr = find_practice(context, match_check, &q);
	if (!pr && technology) {
		q.technology = NULL;
		pr = find_practice(context, match_check, &q);
	}
	return pr;
}

const char *kb_source_for_check(const json_t *context, const char *check,
				const char *technology)
{
	const json_t *pr = kb_practice_for_check(context, check, technology);
	return pr ? json_string_value(json_object_get(pr, "source")) : NULL;
}

const char *kb_source_among(const json_t *context, const char *check, const char *const *techs)
{
	size_t i;
	for (i = 0; check && techs && techs[i]; i++) {
		struct check_query q = { check, techs[i] };
		const json_t *pr = find_practice(context, match_check, &q);
		const char *src = pr ? json_string_value(json_object_get(pr, "source")) : NULL;
		if (src)
			return src;
	}
	return NULL;
}
