/*
 * scope: see scope.h.  The baseline is matched against every finding, not
 * only those on changed lines, so that its "fixed" count means fixed and
 * not merely outside the diff.
 */
#include <string.h>

#include "finding.h"
#include "report.h"
#include "scope.h"

static json_t *severity_counts(const json_t *findings)
{
	unsigned k[5];

	report_count(findings, k);
	return json_pack("{s:I, s:I, s:I, s:I}", "CRITICAL", (json_int_t)k[SEV_CRITICAL],
			 "HIGH", (json_int_t)k[SEV_HIGH], "MEDIUM", (json_int_t)k[SEV_MEDIUM],
			 "LOW", (json_int_t)k[SEV_LOW]);
}

int scope_apply(json_t *report, struct scope *s)
{
	const json_t *all = json_object_get(report, "findings"), *f;
	json_t *kept;
	json_int_t nnew = 0, baselined = 0, changed = 0, unchanged = 0;
	size_t i;

	if (!s->baseline_file && !s->changed_label)
		return 0;
	if (!(kept = json_array()))
		return -1;
	json_array_foreach(all, i, f) {
		if (s->baseline_file && baseline_match(&s->bl, f)) {
			baselined++;
			continue;
		}
		nnew++;
		if (s->changed_label) {
			const json_t *file = json_object_get(f, "file");
			json_int_t line = json_integer_value(json_object_get(f, "line"));

			if (!json_is_string(file) || line < 1 ||
			    !difflines_has(&s->dl, json_string_value(file), (unsigned long)line)) {
				unchanged++;
				continue;
			}
			changed++;
		}
		if (json_array_append(kept, (json_t *)f) < 0) {
			json_decref(kept);
			return -1;
		}
	}
	if (json_object_set_new(report, "severity_counts", severity_counts(kept)) < 0 ||
	    json_object_set_new(report, "findings", kept) < 0)
		return -1;
	if (s->baseline_file &&
	    json_object_set_new(report, "baseline",
				json_pack("{s:s, s:I, s:I, s:I}", "file", s->baseline_file, "new", nnew,
					  "baselined", baselined, "fixed",
					  (json_int_t)baseline_unused(&s->bl))) < 0)
		return -1;
	if (s->changed_label &&
	    json_object_set_new(report, "changed",
				json_pack("{s:s, s:I, s:I}", "label", s->changed_label, "changed", changed,
					  "unchanged", unchanged)) < 0)
		return -1;
	return 0;
}
