/*
 * linear: the audit as one Linear issue, through Linear's GraphQL API.
 *
 * The key comes from LINEAR_API_KEY and goes, as Linear documents for
 * personal API keys, bare in the Authorization header.  One run sends, in
 * this order:
 *   1. the team lookup     teams(filter: or of id / key / name)
 *   2. the project lookup  projects(filter: name startsWithIgnoreCase)
 *   3. the label lookup    issueLabels(filter: or of name eqIgnoreCase)
 *   4. issueLabelCreate    for each of the three labels that is missing
 *   5. the issue search    issues(filter: exact title, in the team)
 *   6. issueCreate, or issueUpdate of the issue found in 5 (same day)
 * Lookups are idempotent and may be retried on a server error; mutations
 * are retried only on 429.  With --dry-run the same requests are printed
 * (ids not yet known shown as <placeholders>) and nothing is sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "deliver.h"
#include "remote.h"

static const char q_teams[] =
	"query PperfTeams($filter: TeamFilter) { teams(filter: $filter, first: 50)"
	" { nodes { id key name } } }";
static const char q_projects[] =
	"query PperfProjects($filter: ProjectFilter) { projects(filter: $filter, first: 50)"
	" { nodes { id name teams { nodes { id } } } } }";
static const char q_labels[] =
	"query PperfLabels($filter: IssueLabelFilter) { issueLabels(filter: $filter, first: 50)"
	" { nodes { id name team { id } } } }";
static const char q_label_create[] =
	"mutation PperfLabelCreate($input: IssueLabelCreateInput!) { issueLabelCreate(input: $input)"
	" { success issueLabel { id name } } }";
static const char q_search[] =
	"query PperfIssueSearch($filter: IssueFilter) { issues(filter: $filter, first: 10)"
	" { nodes { id identifier url title labels { nodes { id } } } } }";
static const char q_create[] =
	"mutation PperfIssueCreate($input: IssueCreateInput!) { issueCreate(input: $input)"
	" { success issue { id identifier url } } }";
static const char q_update[] =
	"mutation PperfIssueUpdate($id: String!, $input: IssueUpdateInput!)"
	" { issueUpdate(id: $id, input: $input) { success issue { id identifier url } } }";

static const char *const label_names[] = { "refactoring", "performance", "audit" };
#define NLABELS (sizeof label_names / sizeof label_names[0])

struct linear {
	struct remote r;
	const char *url;
	const struct deliver_job *job;
	const struct deliver_opts *o;
	struct deliver_res *res;
	const char *cands[4];   /* team names to try, in order */
	size_t ncands;
	char team_id[128];
	char project_id[128];
	json_t *label_ids;      /* array of label id strings */
	json_t *found;          /* the same-day issue, or NULL */
};

/* A GraphQL request body (steals vars). */
static json_t *gql_body(const char *op, const char *query, json_t *vars)
{
	return json_pack("{s:s, s:s, s:o}", "operationName", op, "query", query, "variables", vars);
}

static int is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The team names to try: --team alone, else the report's linear block. */
static void team_candidates(struct linear *L)
{
	static const char *const fields[] = { "team_uuid", "team_key", "team_id" };
	const json_t *lin = json_object_get(L->job->report, "linear");
	size_t i, k;

	if (L->o->team && *L->o->team) {
		L->cands[L->ncands++] = L->o->team;
		return;
	}
	for (i = 0; i < 3; i++) {
		const char *v = json_string_value(json_object_get(lin, fields[i]));
		int dup = 0;

		for (k = 0; v && k < L->ncands; k++)
			dup |= strcasecmp(L->cands[k], v) == 0;
		if (v && *v && !dup)
			L->cands[L->ncands++] = v;
	}
}

static json_t *team_request(const struct linear *L)
{
	json_t *or = json_array();
	size_t i;

	for (i = 0; i < L->ncands; i++) {
		const char *c = L->cands[i];

		if (is_uuid(c)) {
			json_array_append_new(or, json_pack("{s:{s:s}}", "id", "eq", c));
			continue;
		}
		json_array_append_new(or, json_pack("{s:{s:s}}", "key", "eqIgnoreCase", c));
		json_array_append_new(or, json_pack("{s:{s:s}}", "name", "eqIgnoreCase", c));
	}
	return gql_body("PperfTeams", q_teams, json_pack("{s:{s:o}}", "filter", "or", or));
}

static json_t *project_request(const struct linear *L)
{
	return gql_body("PperfProjects", q_projects,
			json_pack("{s:{s:{s:s}}}", "filter", "name", "startsWithIgnoreCase",
				  L->o->project));
}

static json_t *labels_request(void)
{
	json_t *or = json_array();
	size_t i;

	for (i = 0; i < NLABELS; i++)
		json_array_append_new(or, json_pack("{s:{s:s}}", "name", "eqIgnoreCase", label_names[i]));
	return gql_body("PperfLabels", q_labels, json_pack("{s:{s:o}}", "filter", "or", or));
}

static json_t *label_create_request(const char *name, const char *team_id)
{
	return gql_body("PperfLabelCreate", q_label_create,
			json_pack("{s:{s:s, s:s}}", "input", "name", name, "teamId", team_id));
}

static json_t *search_request(const struct linear *L, const char *team_id)
{
	return gql_body("PperfIssueSearch", q_search,
			json_pack("{s:{s:{s:s}, s:{s:{s:s}}}}", "filter", "title", "eq", L->job->title,
				  "team", "id", "eq", team_id));
}

/* issueCreate (found NULL) or issueUpdate input; steals label_ids. */
static json_t *issue_request(const struct linear *L, const char *team_id, const char *project_id,
			     json_t *label_ids, const char *found_id)
{
	json_t *input = json_pack("{s:s, s:s}", "title", L->job->title, "description", L->job->markdown);

	if (!input) {
		json_decref(label_ids);
		return NULL;
	}
	if (!found_id)
		json_object_set_new(input, "teamId", json_string(team_id));
	if (project_id && *project_id)
		json_object_set_new(input, "projectId", json_string(project_id));
	json_object_set_new(input, "priority", json_integer(L->job->priority));
	json_object_set_new(input, "labelIds", label_ids);
	if (found_id)
		return gql_body("PperfIssueUpdate", q_update,
				json_pack("{s:s, s:o}", "id", found_id, "input", input));
	return gql_body("PperfIssueCreate", q_create, json_pack("{s:o}", "input", input));
}

/*
 * Sends body (stolen) and returns its "data" (new reference), or NULL
 * with L->res filled; GraphQL errors are sorted into rate limit,
 * authentication and rejection.
 */
static json_t *gql(struct linear *L, json_t *body, int idempotent, const char *what)
{
	long status;
	json_t *doc, *errors, *data;

	if (!body) {
		remote_fail(&L->r, L->res, EXIT_IO, "out of memory");
		return NULL;
	}
	doc = remote_json(&L->r, "POST", L->url, body, idempotent, what, &status, L->res);
	json_decref(body);
	if (!doc)
		return NULL;
	errors = json_object_get(doc, "errors");
	if (json_is_array(errors) && json_array_size(errors) > 0) {
		const json_t *e0 = json_array_get(errors, 0);
		const char *msg = json_string_value(json_object_get(e0, "message"));
		const char *code = json_string_value(
			json_object_get(json_object_get(e0, "extensions"), "code"));

		if (code && strcmp(code, "RATELIMITED") == 0)
			remote_fail(&L->r, L->res, EXIT_NET, "rate limited during the %s", what);
		else if (code && (strcmp(code, "AUTHENTICATION_ERROR") == 0 || strcmp(code, "FORBIDDEN") == 0))
			remote_fail(&L->r, L->res, EXIT_NET,
				    "authentication failed during the %s: check LINEAR_API_KEY", what);
		else
			remote_fail(&L->r, L->res, EXIT_NET, "the %s was rejected: %.300s", what,
				    msg ? msg : "no message");
		json_decref(doc);
		return NULL;
	}
	data = json_object_get(doc, "data");
	if (status >= 300 || !json_is_object(data)) {
		if (status >= 300)
			remote_fail(&L->r, L->res, EXIT_NET, "unexpected HTTP %ld during the %s", status, what);
		else
			remote_fail(&L->r, L->res, EXIT_NET, "malformed answer to the %s: no \"data\" object", what);
		json_decref(doc);
		return NULL;
	}
	json_incref(data);
	json_decref(doc);
	return data;
}

/* data.<field>.nodes, or NULL after reporting a malformed answer. */
static json_t *nodes_of(struct linear *L, json_t *data, const char *field, const char *what)
{
	json_t *nodes = json_object_get(json_object_get(data, field), "nodes");

	if (!json_is_array(nodes))
		remote_fail(&L->r, L->res, EXIT_NET, "malformed answer to the %s: no %s.nodes array",
			    what, field);
	return json_is_array(nodes) ? nodes : NULL;
}

static const char *str_of(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static int find_team(struct linear *L)
{
	json_t *data = gql(L, team_request(L), 1, "team lookup"), *nodes, *n;
	size_t c, i;

	if (!data || !(nodes = nodes_of(L, data, "teams", "team lookup"))) {
		json_decref(data);
		return -1;
	}
	for (c = 0; c < L->ncands && !L->team_id[0]; c++)
		json_array_foreach(nodes, i, n)
			if (*str_of(n, "id") && (strcmp(str_of(n, "id"), L->cands[c]) == 0 ||
						 strcasecmp(str_of(n, "key"), L->cands[c]) == 0 ||
						 strcasecmp(str_of(n, "name"), L->cands[c]) == 0)) {
				snprintf(L->team_id, sizeof L->team_id, "%s", str_of(n, "id"));
				break;
			}
	json_decref(data);
	if (!L->team_id[0]) {
		remote_fail(&L->r, L->res, EXIT_USAGE, "unknown team '%s'%s: no team has that id, key or name",
			    L->cands[0], L->ncands > 1 ? " (nor the other names of the Linear Configuration)" : "");
		return -1;
	}
	return 0;
}

/* 1 when name starts with prefix (any case) not followed by a digit ("Epic 0" is not "Epic 01"). */
static int project_matches(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(name, prefix, n) == 0 && !isdigit((unsigned char)name[n]);
}

static int in_team(const json_t *project, const char *team_id)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(project, "teams"), "nodes"), i, t)
		if (strcmp(str_of(t, "id"), team_id) == 0)
			return 1;
	return 0;
}

/* The best project: in the team, then the exact name, then the first. */
static int find_project(struct linear *L)
{
	json_t *data = gql(L, project_request(L), 1, "project lookup"), *nodes, *n;
	int best = -1, score;
	size_t i;

	if (!data || !(nodes = nodes_of(L, data, "projects", "project lookup"))) {
		json_decref(data);
		return -1;
	}
	json_array_foreach(nodes, i, n) {
		if (!*str_of(n, "id") || !project_matches(str_of(n, "name"), L->o->project))
			continue;
		score = 2 * in_team(n, L->team_id) + (strcasecmp(str_of(n, "name"), L->o->project) == 0);
		if (score > best) {
			best = score;
			snprintf(L->project_id, sizeof L->project_id, "%s", str_of(n, "id"));
		}
	}
	json_decref(data);
	if (best < 0)
		snprintf(L->res->warn, sizeof L->res->warn,
			 "linear: no project whose name starts with '%s'; the issue is not put in a project",
			 L->o->project);
	return 0;
}

/* The id of the label called name usable in the team (its own or the workspace's), or NULL. */
static const char *label_in(const json_t *nodes, const char *name, const char *team_id)
{
	const char *ws = NULL;
	const json_t *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		const json_t *team = json_object_get(n, "team");

		if (!*str_of(n, "id") || strcasecmp(str_of(n, "name"), name) != 0)
			continue;
		if (json_is_object(team) && strcmp(str_of(team, "id"), team_id) == 0)
			return str_of(n, "id");
		if (!json_is_object(team) && !ws)
			ws = str_of(n, "id");
	}
	return ws;
}

static int create_label(struct linear *L, const char *name)
{
	char what[64];
	json_t *data, *label;

	snprintf(what, sizeof what, "creation of the label '%s'", name);
	if (!(data = gql(L, label_create_request(name, L->team_id), 0, what)))
		return -1;
	label = json_object_get(json_object_get(data, "issueLabelCreate"), "issueLabel");
	if (!json_is_true(json_object_get(json_object_get(data, "issueLabelCreate"), "success")) ||
	    !*str_of(label, "id")) {
		remote_fail(&L->r, L->res, EXIT_NET, "the %s did not succeed", what);
		json_decref(data);
		return -1;
	}
	json_array_append_new(L->label_ids, json_string(str_of(label, "id")));
	json_decref(data);
	return 0;
}

static int find_labels(struct linear *L)
{
	json_t *data = gql(L, labels_request(), 1, "label lookup"), *nodes;
	const char *missing[NLABELS];
	size_t i, nmissing = 0;

	if (!data || !(nodes = nodes_of(L, data, "issueLabels", "label lookup"))) {
		json_decref(data);
		return -1;
	}
	for (i = 0; i < NLABELS; i++) {
		const char *id = label_in(nodes, label_names[i], L->team_id);

		if (id)
			json_array_append_new(L->label_ids, json_string(id));
		else
			missing[nmissing++] = label_names[i];
	}
	json_decref(data);
	for (i = 0; i < nmissing; i++)
		if (create_label(L, missing[i]) < 0)
			return -1;
	return 0;
}

static int find_issue(struct linear *L)
{
	json_t *data = gql(L, search_request(L, L->team_id), 1, "issue search"), *nodes, *n;
	size_t i;

	if (!data || !(nodes = nodes_of(L, data, "issues", "issue search"))) {
		json_decref(data);
		return -1;
	}
	json_array_foreach(nodes, i, n)
		if (*str_of(n, "id") && strcmp(str_of(n, "title"), L->job->title) == 0) {
			L->found = json_incref(n);
			break;
		}
	json_decref(data);
	return 0;
}

/* Our labels plus those the found issue already carries (an update replaces them). */
static json_t *merged_labels(const struct linear *L)
{
	json_t *ids = json_deep_copy(L->label_ids), *l, *have;
	size_t i, k;

	json_array_foreach(json_object_get(json_object_get(L->found, "labels"), "nodes"), i, l) {
		int dup = 0;

		json_array_foreach(ids, k, have)
			dup |= strcmp(json_string_value(have), str_of(l, "id")) == 0;
		if (!dup && *str_of(l, "id"))
			json_array_append_new(ids, json_string(str_of(l, "id")));
	}
	return ids;
}

static int save_issue(struct linear *L)
{
	const char *found_id = L->found ? str_of(L->found, "id") : NULL;
	const char *field = found_id ? "issueUpdate" : "issueCreate";
	const char *what = found_id ? "issue update" : "issue creation";
	json_t *data, *payload, *issue;

	data = gql(L, issue_request(L, L->team_id, L->project_id, merged_labels(L), found_id), 0, what);
	if (!data)
		return -1;
	payload = json_object_get(data, field);
	issue = json_object_get(payload, "issue");
	if (!json_is_true(json_object_get(payload, "success")) || !*str_of(issue, "identifier")) {
		remote_fail(&L->r, L->res, EXIT_NET, "the %s did not succeed", what);
		json_decref(data);
		return -1;
	}
	snprintf(L->res->line, sizeof L->res->line, "%s %s %s", found_id ? "updated" : "created",
		 str_of(issue, "identifier"), str_of(issue, "url"));
	json_decref(data);
	return 0;
}

/* --dry-run: the requests of a run, with placeholders for ids not yet known. */
static void plan(struct linear *L)
{
	json_t *ids = json_array();
	size_t i;
	char ph[64];

	remote_print(&L->r, "POST", L->url, team_request(L), "team lookup");
	remote_print(&L->r, "POST", L->url, project_request(L), "project lookup");
	remote_print(&L->r, "POST", L->url, labels_request(), "label lookup");
	for (i = 0; i < NLABELS; i++) {
		char what[96];

		snprintf(what, sizeof what, "creation of the label '%s' (only when it is missing)",
			 label_names[i]);
		remote_print(&L->r, "POST", L->url, label_create_request(label_names[i], "<team id>"), what);
		snprintf(ph, sizeof ph, "<label id: %s>", label_names[i]);
		json_array_append_new(ids, json_string(ph));
	}
	remote_print(&L->r, "POST", L->url, search_request(L, "<team id>"), "issue search");
	remote_print(&L->r, "POST", L->url, issue_request(L, "<team id>", "<project id>", ids, NULL),
		     "issue creation (an issueUpdate of the issue found instead, when there is one)");
}

int deliver_linear(const struct deliver_job *job, const struct deliver_opts *o,
		   struct deliver_res *res)
{
	struct linear L;
	const char *key = getenv("LINEAR_API_KEY"), *url = getenv("PPERF_LINEAR_URL");

	memset(&L, 0, sizeof L);
	L.url = url && *url ? url : LINEAR_DEFAULT_URL;
	L.job = job;
	L.o = o;
	L.res = res;
	res->status = EXIT_OK;
	team_candidates(&L);
	if (remote_open(&L.r, "linear", "LINEAR_API_KEY", key, "Authorization: ", o, res) < 0)
		return res->status;
	if (!o->dry_run && (!key || !*key))
		remote_fail(&L.r, res, EXIT_USAGE,
			    "LINEAR_API_KEY is not set: create a personal API key in Linear's"
			    " security settings and export it");
	else if (!L.ncands)
		remote_fail(&L.r, res, EXIT_USAGE,
			    "no team: give --team, or a Team Key or Team UUID in the Linear"
			    " Configuration table of docs/tasks/kanban_board.md");
	else if (!(L.label_ids = json_array()))
		remote_fail(&L.r, res, EXIT_IO, "out of memory");
	else if (o->dry_run)
		plan(&L);
	else if (find_team(&L) == 0 && find_project(&L) == 0 && find_labels(&L) == 0 &&
		 find_issue(&L) == 0)
		save_issue(&L);
	json_decref(L.label_ids);
	json_decref(L.found);
	remote_close(&L.r, res);
	return res->status;
}
