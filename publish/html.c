/*
 * html: --format html, the report as one self-contained page to open in a
 * browser or attach to a CI run:
 *
 *   header              date, project root, tool version
 *   Scores              overall score as a gauge, one bar per category
 *   Severities          an inline SVG bar chart of the findings per severity
 *   Findings            a table sortable by any column (click its heading)
 *                       and filtered by severity, category, language and
 *                       free text, each row with its code snippet and chain
 *   Sources             the documentation pages the findings rest on
 *
 * Nothing is fetched: styles and script are inline, and the page's
 * Content-Security-Policy forbids any other source, so it renders the
 * same offline, from an artifact store or a mail attachment.  Every text
 * from the report is untrusted (file names, snippets and messages come
 * from the audited code) and goes through esc(); the script reads the
 * table from the DOM, so no report text is ever placed inside <script>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "report.h"

static const char *sget(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Writes s escaped for HTML text and quoted attribute values; control
 * characters other than tab and line feed become a blank. */
static void esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? ' ' : c, fp);
		}
	}
}

static const char page_css[] =
	":root{--crit:#8b0000;--high:#c62828;--med:#b26a00;--low:#1565c0;--ok:#2e7d32;--bg:#fafafa;"
	"--fg:#1b1b1b;--mute:#5f6368;--line:#dadce0}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;background:var(--bg);"
	"color:var(--fg)}\n"
	"header,main{max-width:1200px;margin:0 auto;padding:16px 24px}\n"
	"header{border-bottom:1px solid var(--line)}\n"
	"h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;margin:24px 0 12px}\n"
	".meta{color:var(--mute);font-size:.9em}\n"
	".cards{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}\n"
	".card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px}\n"
	".gauge{text-align:center;min-width:190px}.gauge .num{font-size:28px;font-weight:700}\n"
	".cats{flex:1;min-width:320px}\n"
	".cat{display:grid;grid-template-columns:13em 1fr 4.5em;gap:8px;align-items:center;margin:6px 0}\n"
	".bar{height:14px;background:#eceff1;border-radius:7px;overflow:hidden}\n"
	".bar span{display:block;height:100%;border-radius:7px}\n"
	".score{font-weight:700;text-align:right}.notes{grid-column:1/4;color:var(--mute);font-size:.85em;"
	"margin-top:-4px}\n"
	".filters{display:none;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0 12px}\n"
	"html[data-js] .filters{display:flex}th button{pointer-events:none}\n"
	"html[data-js] th button{pointer-events:auto}\n"
	".filters input{min-width:16em}\n"
	"table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}\n"
	"th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}\n"
	"th button{all:unset;cursor:pointer;font-weight:700}\n"
	"th[aria-sort=ascending] button::after{content:' \\25B2'}\n"
	"th[aria-sort=descending] button::after{content:' \\25BC'}\n"
	"pre{margin:6px 0 0;padding:6px 8px;background:#f3f4f6;border-radius:4px;overflow-x:auto;"
	"font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"code{font:13px ui-monospace,Menlo,Consolas,monospace;overflow-wrap:break-word}"
	"pre code{overflow-wrap:anywhere}\n"
	".rec{color:var(--mute);margin-top:4px}.chain{color:var(--mute);font-size:.85em}\n"
	".txt{overflow-wrap:anywhere;min-width:22em}\n"
	".sev{display:inline-block;padding:1px 6px;border-radius:4px;color:#fff;font-size:.8em;"
	"font-weight:700}\n"
	".s4{background:var(--crit)}.s3{background:var(--high)}.s2{background:var(--med)}"
	".s1{background:var(--low)}\n"
	"tr[hidden]{display:none}\n";

/*
 * Sorting and filtering over the rows already in the table.  The state
 * lives in the URL's fragment (#sev=HIGH&cat=...&lang=...&q=...&sort=3.d),
 * so a link opens the same view; the controls show only once the script
 * runs (html[data-js]).
 */
static const char page_js[] =
	"(function(){\n"
	"var tb=document.getElementById('rows');if(!tb)return;\n"
	"var rows=Array.prototype.slice.call(tb.rows);\n"
	"var ctl={sev:document.getElementById('f-sev'),cat:document.getElementById('f-cat'),\n"
	" lang:document.getElementById('f-lang'),q:document.getElementById('f-q')};\n"
	"var shown=document.getElementById('shown'),sort='';\n"
	"var ths=Array.prototype.slice.call(document.querySelectorAll('#findings th'));\n"
	"function save(){var p=[];Object.keys(ctl).forEach(function(k){\n"
	" if(ctl[k].value)p.push(k+'='+encodeURIComponent(ctl[k].value));});\n"
	" if(sort)p.push('sort='+sort);\n"
	" try{history.replaceState(null,'',p.length?'#'+p.join('&'):location.pathname+location.search);}\n"
	" catch(e){}}\n"
	"function apply(){\n"
	" var s=ctl.sev.value,c=ctl.cat.value,l=ctl.lang.value,t=ctl.q.value.toLowerCase(),n=0;\n"
	" rows.forEach(function(r){\n"
	"  var ok=(!s||r.getAttribute('data-sev')===s)&&(!c||r.getAttribute('data-cat')===c)&&\n"
	"   (!l||r.getAttribute('data-lang')===l)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);\n"
	"  r.hidden=!ok;if(ok)n++;});\n"
	" shown.textContent=String(n);}\n"
	"function order(col,dir){var th=ths[col];if(!th)return;\n"
	" var num=th.getAttribute('data-type')==='num';\n"
	" ths.forEach(function(h){h.removeAttribute('aria-sort');});\n"
	" th.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
	" function key(r){var c=r.cells[col],k=c.getAttribute('data-sort');\n"
	"  if(k===null)k=c.textContent;return num?Number(k):k.toLowerCase();}\n"
	" rows.sort(function(a,b){var x=key(a),y=key(b);\n"
	"  return (x<y?-1:x>y?1:0)*dir||\n"
	"   Number(a.getAttribute('data-i'))-Number(b.getAttribute('data-i'));});\n"
	" rows.forEach(function(r){tb.appendChild(r);});\n"
	" sort=col+(dir>0?'.a':'.d');}\n"
	"Object.keys(ctl).forEach(function(k){\n"
	" ctl[k].addEventListener(k==='q'?'input':'change',function(){apply();save();});});\n"
	"ths.forEach(function(th,col){th.querySelector('button').addEventListener('click',function(){\n"
	" order(col,th.getAttribute('aria-sort')==='ascending'?-1:1);save();});});\n"
	"location.hash.replace(/^#/,'').split('&').forEach(function(kv){\n"
	" var i=kv.indexOf('='),k=kv.slice(0,i),v;if(i<0)return;\n"
	" try{v=decodeURIComponent(kv.slice(i+1));}catch(e){return;}\n"
	" if(k==='sort'){var m=/^(\\d+)\\.([ad])$/.exec(v);if(m)order(Number(m[1]),m[2]==='a'?1:-1);}\n"
	" else if(ctl.hasOwnProperty(k)){var e=ctl[k];\n"
	"  if(e.tagName!=='SELECT'||\n"
	"   Array.prototype.some.call(e.options,function(o){return o.value===v;}))e.value=v;}});\n"
	"apply();\n"
	"document.documentElement.setAttribute('data-js','');\n"
	"})();\n";

static const char *const sev_names[] = { NULL, "LOW", "MEDIUM", "HIGH", "CRITICAL" };

/* The colour of a score: green from 8, amber from 5, red below. */
static const char *score_color(double s)
{
	return s >= 8 ? "var(--ok)" : s >= 5 ? "var(--med)" : "var(--high)";
}

static void html_head(FILE *fp, const json_t *report)
{
	const char *date = sget(report, "date");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"generator\" content=\"pperf " PPERF_VERSION "\">\n<title>", fp);
	fputs("Persistence &amp; Performance Audit Report", fp);
	if (*date) {
		fputs(" - ", fp);
		esc(fp, date);
	}
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
		"<h1>Persistence &amp; Performance Audit Report</h1>\n<div class=\"meta\">", page_css);
	esc(fp, *date ? date : "(undated)");
	if (*sget(report, "codebase_root")) {
		fputs(" &middot; <code>", fp);
		esc(fp, sget(report, "codebase_root"));
		fputs("</code>", fp);
	}
	fputs(" &middot; pperf " PPERF_VERSION "</div>\n</header>\n<main>\n", fp);
}

/* The overall score as a ring gauge (inline SVG). */
static void html_gauge(FILE *fp, const json_t *report)
{
	const json_t *ov = json_object_get(report, "overall_score");
	const double circ = 2 * 3.14159265358979 * 52;
	char num[32];
	double s = json_is_number(ov) ? json_number_value(ov) : 0;

	if (s < 0)
		s = 0;
	if (s > 10)
		s = 10;
	report_fmt_score(ov, num, sizeof num);
	fputs("<div class=\"card gauge\" id=\"overall\"><div>Overall score</div>\n"
	      "<svg width=\"140\" height=\"140\" viewBox=\"0 0 140 140\" role=\"img\" "
	      "aria-label=\"overall score\"><circle cx=\"70\" cy=\"70\" r=\"52\" fill=\"none\" "
	      "stroke=\"#eceff1\" stroke-width=\"14\"/>", fp);
	if (json_is_number(ov))
		fprintf(fp, "<circle cx=\"70\" cy=\"70\" r=\"52\" fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"14\" "
			"stroke-dasharray=\"%.1f %.1f\" transform=\"rotate(-90 70 70)\"/>", score_color(s),
			circ * s / 10, circ);
	fprintf(fp, "</svg>\n<div class=\"num\">%s%s</div></div>\n", num, json_is_number(ov) ? "/10" : "");
}

static void html_categories(FILE *fp, const json_t *report)
{
	const json_t *c;
	size_t i;

	fputs("<div class=\"card cats\" id=\"categories\">\n", fp);
	json_array_foreach(json_object_get(report, "categories"), i, c) {
		const json_t *sv = json_object_get(c, "score");
		int ok = strcmp(sget(c, "status"), "error") != 0 && json_is_number(sv);
		double s = ok ? json_number_value(sv) : 0;
		char num[32];

		s = s < 0 ? 0 : s > 10 ? 10 : s;
		report_fmt_score(sv, num, sizeof num);
		fputs("<div class=\"cat\"><div>", fp);
		esc(fp, sget(c, "category"));
		if (ok)
			fprintf(fp, "</div><div class=\"bar\"><span style=\"width:%.0f%%;background:%s\">"
				"</span></div>"
				"<div class=\"score\">%s/10</div>", s * 10, score_color(s), num);
		else
			fputs("</div><div class=\"bar\"></div><div class=\"score\">error</div>", fp);
		fputs("<div class=\"notes\">", fp);
		esc(fp, sget(c, "notes"));
		fputs("</div></div>\n", fp);
	}
	fputs("</div>\n", fp);
}

/* Findings per severity as horizontal bars (inline SVG). */
static void html_severity_chart(FILE *fp, const json_t *report)
{
	static const char *const colors[] = { NULL, "var(--low)", "var(--med)", "var(--high)",
					      "var(--crit)" };
	unsigned k[5], max = 0;
	int s, y = 0;

	report_count(json_object_get(report, "findings"), k);
	for (s = SEV_LOW; s <= SEV_CRITICAL; s++)
		if (k[s] > max)
			max = k[s];
	fputs("<div class=\"card\" id=\"severities\"><div>Findings by severity</div>\n"
	      "<svg width=\"360\" height=\"136\" viewBox=\"0 0 360 136\" role=\"img\" "
	      "aria-label=\"findings by severity\" font-size=\"13\">", fp);
	for (s = SEV_CRITICAL; s >= SEV_LOW; s--, y += 32) {
		double w = max ? 220.0 * k[s] / max : 0;

		fprintf(fp, "<text x=\"0\" y=\"%d\">%s</text>"
			"<rect x=\"84\" y=\"%d\" width=\"%.1f\" height=\"20\" rx=\"3\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%d\">%u</text>", y + 19, sev_names[s], y + 4, w, colors[s],
			84 + w + 6, y + 19, k[s]);
	}
	fputs("</svg></div>\n", fp);
}

/* Adds each distinct non-empty value of key among findings to seen. */
static void distinct(const json_t *findings, const char *key, json_t *seen)
{
	const json_t *f;
	size_t i;

	json_array_foreach(findings, i, f)
		if (*sget(f, key) && !json_object_get(seen, sget(f, key)))
			json_object_set_new(seen, sget(f, key), json_true());
}

/* A <select> with "All" and each value of key among the findings. */
static void filter_select(FILE *fp, const char *id, const char *label, const json_t *findings,
			  const char *key)
{
	json_t *seen = json_object();
	const char *v;
	json_t *x;

	fprintf(fp, "<label>%s <select id=\"%s\"><option value=\"\">All</option>", label, id);
	if (seen) {
		distinct(findings, key, seen);
		json_object_foreach(seen, v, x) {
			fputs("<option>", fp);
			esc(fp, v);
			fputs("</option>", fp);
		}
	}
	fputs("</select></label>\n", fp);
	json_decref(seen);
}

static void finding_row(FILE *fp, const json_t *f, size_t i)
{
	const json_t *line = json_object_get(f, "line"), *step;
	long long ln = json_is_integer(line) ? (long long)json_integer_value(line) : 0;
	int rank = (int)report_finding_sev(f);
	size_t k;

	fprintf(fp, "<tr data-i=\"%zu\" data-sev=\"%s\" data-cat=\"", i, rank ? sev_names[rank] : "");
	esc(fp, sget(f, "category"));
	fputs("\" data-lang=\"", fp);
	esc(fp, sget(f, "language"));
	fprintf(fp, "\"><td data-sort=\"%d\"><span class=\"sev s%d\">", rank, rank);
	esc(fp, sget(f, "severity"));
	fputs("</span></td><td>", fp);
	esc(fp, sget(f, "category"));
	fputs("</td><td><code>", fp);
	esc(fp, sget(f, "check"));
	fputs("</code></td><td data-sort=\"", fp);
	esc(fp, sget(f, "file"));
	fprintf(fp, ":%012lld\"><code>", ln);
	esc(fp, sget(f, "file"));
	fprintf(fp, ":%lld</code></td><td>", ln);
	esc(fp, sget(f, "language"));
	fputs("</td><td class=\"txt\"><div>", fp);
	esc(fp, sget(f, "issue"));
	fputs("</div><div class=\"rec\">", fp);
	esc(fp, sget(f, "recommendation"));
	fputs("</div>", fp);
	if (json_array_size(json_object_get(f, "chain"))) {
		fputs("<div class=\"chain\">", fp);
		json_array_foreach(json_object_get(f, "chain"), k, step) {
			fputs(k ? " &rarr; " : "via ", fp);
			esc(fp, json_is_string(step) ? json_string_value(step) : "");
		}
		fputs("</div>", fp);
	}
	if (*sget(f, "snippet")) {
		fputs("<pre><code>", fp);
		esc(fp, sget(f, "snippet"));
		fputs("</code></pre>", fp);
	}
	fputs("</td><td>", fp);
	esc(fp, sget(f, "effort"));
	fputs("</td></tr>\n", fp);
}

static void html_findings(FILE *fp, const json_t *report)
{
	static const char *const cols[][2] = { { "Severity", "num" }, { "Category", "str" },
					       { "Check", "str" }, { "Location", "str" },
					       { "Language", "str" },
					       { "Issue and recommendation", "str" }, { "Effort", "str" } };
	const json_t *findings = json_object_get(report, "findings"), *f;
	size_t i, n = json_array_size(findings);
	int s;

	fprintf(fp, "<h2>Findings</h2>\n<div class=\"filters\">\n"
		"<label>Severity <select id=\"f-sev\"><option value=\"\">All</option>");
	for (s = SEV_CRITICAL; s >= SEV_LOW; s--)
		fprintf(fp, "<option>%s</option>", sev_names[s]);
	fputs("</select></label>\n", fp);
	filter_select(fp, "f-cat", "Category", findings, "category");
	filter_select(fp, "f-lang", "Language", findings, "language");
	fprintf(fp, "<label>Search <input id=\"f-q\" type=\"search\" placeholder=\"file, check, text\">"
		"</label>\n"
		"<span><span id=\"shown\">%zu</span> of %zu findings</span>\n</div>\n"
		"<table id=\"findings\">\n<thead><tr>", n, n);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		fprintf(fp, "<th data-type=\"%s\"><button type=\"button\">%s</button></th>", cols[i][1],
			cols[i][0]);
	fputs("</tr></thead>\n<tbody id=\"rows\">\n", fp);
	json_array_foreach(findings, i, f)
		finding_row(fp, f, i);
	fputs("</tbody>\n</table>\n", fp);
	if (n == 0)
		fputs("<p>No findings.</p>\n", fp);
}

static void html_sources(FILE *fp, const json_t *report)
{
	const json_t *src = json_object_get(report, "sources"), *s;
	size_t i;

	fputs("<h2>Sources consulted</h2>\n", fp);
	if (json_array_size(src) == 0) {
		fputs("<p>None (offline run).</p>\n", fp);
		return;
	}
	fputs("<ul>\n", fp);
	json_array_foreach(src, i, s) {
		const char *title = json_is_string(s) ? json_string_value(s) : sget(s, "title");
		const char *url = sget(s, "url");

		fputs("<li>", fp);
		/* only http(s) links: a javascript: URL from a report must not become a link */
		if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) {
			fputs("<a href=\"", fp);
			esc(fp, url);
			fputs("\" rel=\"noreferrer\">", fp);
			esc(fp, *title ? title : url);
			fputs("</a>", fp);
		} else {
			esc(fp, *title ? title : url);
		}
		fputs("</li>\n", fp);
	}
	fputs("</ul>\n", fp);
}

char *render_html(const json_t *report, const struct render_opts *ro, size_t *len)
{
	char *buf = NULL, *summary = report_summary(report);
	size_t n = 0;
	FILE *fp = summary ? open_memstream(&buf, &n) : NULL;

	(void)ro;
	if (!fp) {
		free(summary);
		return NULL;
	}
	html_head(fp, report);
	fputs("<p id=\"summary\">", fp);
	esc(fp, summary);
	fputs("</p>\n<h2>Scores</h2>\n<div class=\"cards\">\n", fp);
	free(summary);
	html_gauge(fp, report);
	html_categories(fp, report);
	html_severity_chart(fp, report);
	fputs("</div>\n", fp);
	html_findings(fp, report);
	html_sources(fp, report);
	fprintf(fp, "</main>\n<script>\n%s</script>\n</body>\n</html>\n", page_js);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
