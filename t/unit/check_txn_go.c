/*
 * Go implementations of the transaction checks: missing_rollback,
 * scope_too_wide, long_held_transaction, missing_intermediate_commits,
 * scope_too_narrow (audit-txn/..._go.c, lib/gotxn.c).  Each source starts
 * at line 1; lines lists the expected finding lines.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"
#include "../../audit-txn/checks.h"

struct go_case {
	const char *path; /* NULL: internal/store/x.go */
	const char *src;
	const char *lines;
	enum severity sev; /* of the first finding, SEV_NONE: not checked */
};

/* A context with a pg_notify trigger on jobs (AFTER UPDATE) and one on
 * tasks firing only for UPDATE OF progress, as pperf-discover writes it
 * (event "UPDATE", columns ["progress"]). */
static json_t *trigger_context(void)
{
	json_error_t err;
	json_t *ctx = json_loads(
		"{\"schema\":\"pperf.context/1\",\"db_config\":{\"triggers\":["
		"{\"name\":\"jobs_notify\",\"table\":\"jobs\",\"event\":\"UPDATE\",\"function\":\"notify_job\","
		"\"notify\":true,\"channel\":\"job_progress\",\"location\":\"migrations/001.sql:10\"},"
		"{\"name\":\"tasks_notify\",\"table\":\"tasks\",\"event\":\"UPDATE\",\"columns\":[\"progress\"],"
		"\"function\":\"notify_task\",\"notify\":true,\"channel\":\"tasks\",\"location\":\"migrations/002.sql:3\"},"
		"{\"name\":\"audit_copy\",\"table\":\"audit\",\"event\":\"INSERT\",\"function\":\"copy_audit\","
		"\"notify\":false}]}}",
		0, &err);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static void run(const char *id, const struct go_case *c)
{
	struct finding_list fl;
	json_t *ctx = trigger_context();
	char got[256];
	size_t i, o = 0;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&txn_auditor, id, c->path ? c->path : "internal/store/x.go", c->src,
						 strlen(c->src), ctx, &fl), 0);
	got[0] = '\0';
	for (i = 0; i < fl.n && o + 12 < sizeof(got); i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 20, "empty recommendation");
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u", i ? "," : "", fl.v[i].line);
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected [%s], got [%s] in:\n%s", id, c->lines, got, c->src);
	if (c->sev != SEV_NONE && fl.n)
		ck_assert_msg(fl.v[0].severity == c->sev, "%s: severity %d, expected %d in:\n%s", id,
			      (int)fl.v[0].severity, (int)c->sev, c->src);
	finding_list_free(&fl);
	json_decref(ctx);
}

/* ---- missing_rollback ---- */

static const struct go_case mr_pos[] = {
	/* database/sql BeginTx, an error return in the loop skips the rollback */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context, ids []int64) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tif _, err := tx.ExecContext(ctx, `UPDATE items SET bin = 2 WHERE id = $1`, id); err != nil {\n"
	  "\t\t\treturn err\n\t\t}\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "3", SEV_MEDIUM },
	/* GORM db.Begin(), one branch rolls back, the other does not */
	{ NULL, "package api\n"
	  "func (h *H) transfer(c *gin.Context) {\n"
	  "\ttx := h.db.Begin()\n"
	  "\tvar e Enrollment\n"
	  "\tif err := tx.First(&e, 1).Error; err != nil {\n"
	  "\t\tc.AbortWithStatus(404)\n\t\treturn\n\t}\n"
	  "\tif err := tx.Model(&e).Update(\"course_id\", 2).Error; err != nil {\n"
	  "\t\ttx.Rollback()\n\t\treturn\n\t}\n"
	  "\ttx.Commit()\n}\n", "3", SEV_MEDIUM },
	/* a helper handed tx in the if header does not roll it back */
	{ NULL, "package store\n"
	  "func (s *Store) Save(ctx context.Context, o Order) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tif err := insertItems(ctx, tx, o.Items); err != nil {\n\t\treturn err\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "3", SEV_MEDIUM },
	/* pgx pool.Begin committed through a helper */
	{ NULL, "package store\n"
	  "func (r *Repo) Save(ctx context.Context, x X) error {\n"
	  "\ttx, err := r.pool.Begin(ctx)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tif _, err = tx.Exec(ctx, `INSERT INTO x (a) VALUES ($1)`, x.A); err != nil {\n"
	  "\t\treturn err\n\t}\n"
	  "\treturn r.Commit(ctx, tx)\n}\n", "3", SEV_MEDIUM },
};

static const struct go_case mr_neg[] = {
	/* defer tx.Rollback() right after BeginTx: the idiom */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context, ids []int64) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tif _, err := tx.ExecContext(ctx, `UPDATE items SET bin = 2 WHERE id = $1`, id); err != nil {\n"
	  "\t\t\treturn err\n\t\t}\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
	/* a deferred closure rolling back on error */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context) (err error) {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer func() {\n\t\tif err != nil {\n\t\t\ttx.Rollback()\n\t\t}\n\t}()\n"
	  "\tif _, err = tx.ExecContext(ctx, `DELETE FROM a`); err != nil {\n\t\treturn err\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
	/* a deferred helper handed the transaction */
	{ NULL, "package store\n"
	  "func (r *Repo) Save(ctx context.Context) error {\n"
	  "\ttx, err := r.Begin(ctx)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer r.Rollback(ctx, tx)\n"
	  "\tif _, err = tx.Exec(ctx, `DELETE FROM a`); err != nil {\n\t\treturn err\n\t}\n"
	  "\treturn r.Commit(ctx, tx)\n}\n", "", SEV_NONE },
	/* every error branch rolls back by hand */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context) error {\n"
	  "\ttx, err := s.db.Begin()\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tif _, err := tx.Exec(`DELETE FROM a`); err != nil {\n\t\ttx.Rollback()\n\t\treturn err\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
	/* the rollback's own error check returns (pgx) */
	{ NULL, "package store\n"
	  "func (r *Repo) Save(ctx context.Context) error {\n"
	  "\ttx, err := r.pool.Begin(ctx)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\t_, err = tx.Exec(ctx, `DELETE FROM a`)\n"
	  "\tif err != nil {\n"
	  "\t\tif rbErr := tx.Rollback(ctx); rbErr != nil {\n\t\t\treturn rbErr\n\t\t}\n"
	  "\t\treturn err\n\t}\n"
	  "\treturn tx.Commit(ctx)\n}\n", "", SEV_NONE },
	/* GORM db.Transaction: managed */
	{ NULL, "package api\n"
	  "func (h *H) publish(c *gin.Context) {\n"
	  "\th.db.Transaction(func(tx *gorm.DB) error {\n"
	  "\t\tif err := tx.Create(&a).Error; err != nil {\n\t\t\treturn err\n\t\t}\n"
	  "\t\treturn nil\n\t})\n}\n", "", SEV_NONE },
	/* a function that begins and returns the transaction to its caller */
	{ NULL, "package store\n"
	  "func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn nil, err\n\t}\n"
	  "\tif _, err := tx.Exec(`SET LOCAL lock_timeout = '1s'`); err != nil {\n\t\treturn nil, err\n\t}\n"
	  "\treturn tx, nil\n}\n", "", SEV_NONE },
	/* a test file is never audited */
	{ "internal/store/x_test.go", "package store\n"
	  "func TestMove(t *testing.T) {\n"
	  "\ttx, err := db.Begin()\n"
	  "\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n"
	  "\tif _, err := tx.Exec(`DELETE FROM a`); err != nil {\n\t\treturn\n\t}\n"
	  "\ttx.Commit()\n}\n", "", SEV_NONE },
};

/* ---- scope_too_wide ---- */

static const struct go_case sw_pos[] = {
	/* an *http.Client field's Post between BeginTx and Commit */
	{ NULL, "package worker\n"
	  "type W struct {\n\tDB *sql.DB\n\tHTTP *http.Client\n}\n"
	  "func (w *W) charge(ctx context.Context) error {\n"
	  "\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tresp, err := w.HTTP.Post(url, \"application/json\", body)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tresp.Body.Close()\n"
	  "\treturn tx.Commit()\n}\n", "12", SEV_HIGH },
	/* client.Do inside GORM db.Transaction */
	{ NULL, "package api\n"
	  "type H struct {\n\tdb *gorm.DB\n\tlms *http.Client\n}\n"
	  "func (h *H) publish(c *gin.Context) {\n"
	  "\th.db.Transaction(func(tx *gorm.DB) error {\n"
	  "\t\ttx.Model(&course).Update(\"published\", true)\n"
	  "\t\treq, _ := http.NewRequest(http.MethodPut, u, nil)\n"
	  "\t\tresp, err := h.lms.Do(req)\n"
	  "\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n"
	  "\t\tdefer resp.Body.Close()\n\t\treturn nil\n\t})\n}\n", "10", SEV_HIGH },
	/* one call deep: a method of the file that calls http.Post; os.WriteFile is MEDIUM */
	{ NULL, "package store\n"
	  "func (s *Store) notify(id int64) error {\n"
	  "\t_, err := http.Post(hook, \"text/plain\", nil)\n\treturn err\n}\n"
	  "func (s *Store) Close(ctx context.Context, id int64) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tif err := s.notify(id); err != nil {\n\t\treturn err\n\t}\n"
	  "\tos.WriteFile(\"/tmp/x\", data, 0o644)\n"
	  "\treturn tx.Commit()\n}\n", "12,15", SEV_HIGH },
};

static const struct go_case sw_neg[] = {
	/* the HTTP call before Begin and after Commit */
	{ NULL, "package store\n"
	  "func (s *Store) Close(ctx context.Context) error {\n"
	  "\tresp, err := http.Get(u)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\ttx.ExecContext(ctx, `UPDATE a SET b = 1`)\n"
	  "\tif err := tx.Commit(); err != nil {\n\t\treturn err\n\t}\n"
	  "\t_, err = http.Post(u, \"text/plain\", nil)\n\treturn err\n}\n", "", SEV_NONE },
	/* in a goroutine started inside the transaction; a cache client's Get */
	{ NULL, "package store\n"
	  "func (s *Store) Close(ctx context.Context) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tgo func() {\n\t\thttp.Post(u, \"text/plain\", nil)\n\t}()\n"
	  "\tv := s.cache.Get(key)\n"
	  "\ttx.ExecContext(ctx, `UPDATE a SET b = $1`, v)\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
};

/* ---- long_held_transaction ---- */

static const struct go_case lh_pos[] = {
	/* time.Sleep per item inside BeginTx..Commit */
	{ NULL, "package worker\n"
	  "func (w *W) Reissue(ctx context.Context, ids []int64) error {\n"
	  "\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor _, id := range ids {\n"
	  "\t\ttx.ExecContext(ctx, `INSERT INTO audit (id) VALUES ($1)`, id)\n"
	  "\t\ttime.Sleep(200 * time.Millisecond)\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "3", SEV_HIGH },
	/* exec.Command inside GORM db.Transaction */
	{ NULL, "package jobs\n"
	  "func render(db *gorm.DB) error {\n"
	  "\treturn db.Transaction(func(tx *gorm.DB) error {\n"
	  "\t\ttx.Create(&r)\n"
	  "\t\treturn exec.Command(\"wkhtmltopdf\", in, out).Run()\n\t})\n}\n", "3", SEV_HIGH },
};

static const struct go_case lh_neg[] = {
	/* a short transaction of statements only */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\ttx.ExecContext(ctx, `UPDATE a SET b = 1`)\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
	/* the sleep is a retry backoff after the commit */
	{ NULL, "package store\n"
	  "func (s *Store) Move(ctx context.Context) error {\n"
	  "\tfor i := 0; i < 3; i++ {\n"
	  "\t\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n"
	  "\t\ttx.ExecContext(ctx, `UPDATE a SET b = 1`)\n"
	  "\t\tif err := tx.Commit(); err == nil {\n\t\t\treturn nil\n\t\t}\n"
	  "\t\ttime.Sleep(time.Second)\n\t}\n"
	  "\treturn errRetry\n}\n", "", SEV_NONE },
};

/* ---- missing_intermediate_commits ---- */

static const struct go_case mic_pos[] = {
	/* progress UPDATE of jobs (NOTIFY trigger) per item, committed once */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context, jobID int64, items []Item) error {\n"
	  "\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor i, it := range items {\n"
	  "\t\tif err := w.handle(ctx, it); err != nil {\n\t\t\treturn err\n\t\t}\n"
	  "\t\ttx.ExecContext(ctx, `UPDATE jobs SET done = $1 WHERE id = $2`, i+1, jobID)\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "12", SEV_HIGH },
	/* UPDATE OF progress trigger on tasks: the loop sets progress */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context, items []Item) error {\n"
	  "\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor i, it := range items {\n"
	  "\t\tw.handle(ctx, it)\n"
	  "\t\ttx.ExecContext(ctx, `UPDATE tasks SET progress = $1 WHERE id = $2`, i+1, it.TaskID)\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "10", SEV_HIGH },
	/* GORM: Model(&Job{}).Update inside db.Transaction, trigger fires on UPDATE of jobs */
	{ NULL, "package worker\n"
	  "func run(db *gorm.DB, items []Item) error {\n"
	  "\treturn db.Transaction(func(tx *gorm.DB) error {\n"
	  "\t\tfor i, it := range items {\n"
	  "\t\t\tprocess(it)\n"
	  "\t\t\ttx.Model(&Job{}).Where(\"id = ?\", 1).Update(\"done\", i)\n\t\t}\n"
	  "\t\treturn nil\n\t})\n}\n", "6", SEV_HIGH },
	/* GORM Save of a loaded *Job variable per item inside a manual db.Begin() */
	{ NULL, "package worker\n"
	  "func run(db *gorm.DB, job *models.Job, items []Item) error {\n"
	  "\ttx := db.Begin()\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor _, it := range items {\n"
	  "\t\tprocess(it)\n"
	  "\t\tjob.Done++\n"
	  "\t\ttx.Save(&job)\n\t}\n"
	  "\treturn tx.Commit().Error\n}\n", "8", SEV_HIGH },
};

static const struct go_case mic_neg[] = {
	/* the same loop without a transaction: each UPDATE autocommits and notifies */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context, jobID int64, items []Item) error {\n"
	  "\tfor i, it := range items {\n"
	  "\t\tw.handle(ctx, it)\n"
	  "\t\tw.DB.ExecContext(ctx, `UPDATE jobs SET done = $1 WHERE id = $2`, i+1, jobID)\n\t}\n"
	  "\treturn nil\n}\n", "", SEV_NONE },
	/* a transaction per item, committed inside the loop */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context, jobID int64, items []Item) error {\n"
	  "\tfor i, it := range items {\n"
	  "\t\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n"
	  "\t\tw.handle(ctx, tx, it)\n"
	  "\t\ttx.ExecContext(ctx, `UPDATE jobs SET done = $1 WHERE id = $2`, i+1, jobID)\n"
	  "\t\tif err := tx.Commit(); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n"
	  "\treturn nil\n}\n", "", SEV_NONE },
	/* UPDATE OF progress trigger, the loop writes another column; audit has no NOTIFY */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context, items []Item) error {\n"
	  "\ttx, err := w.DB.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\tfor _, it := range items {\n"
	  "\t\tw.handle(ctx, it)\n"
	  "\t\ttx.ExecContext(ctx, `UPDATE tasks SET note = $1 WHERE id = $2`, it.Note, it.ID)\n"
	  "\t\ttx.ExecContext(ctx, `INSERT INTO audit (id) VALUES ($1)`, it.ID)\n\t}\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
};

/* ---- scope_too_narrow ---- */

static const struct go_case sn_pos[] = {
	/* INSERT ... RETURNING id, then the audit row: two autocommits */
	{ NULL, "package api\n"
	  "func (h *H) issue(w http.ResponseWriter, r *http.Request) {\n"
	  "\tvar id int64\n"
	  "\terr := h.db.QueryRowContext(r.Context(), `INSERT INTO permits (plate) VALUES ($1) RETURNING id`, p).Scan(&id)\n"
	  "\tif err != nil {\n\t\treturn\n\t}\n"
	  "\tif _, err := h.db.ExecContext(r.Context(), `INSERT INTO permit_audit (permit_id) VALUES ($1)`, id); err != nil {\n"
	  "\t\treturn\n\t}\n}\n", "4", SEV_HIGH },
	/* GORM Create(&course) then Create(&sections) outside Transaction */
	{ NULL, "package api\n"
	  "func (h *H) create(c *gin.Context) {\n"
	  "\tif err := h.db.Create(&course).Error; err != nil {\n\t\treturn\n\t}\n"
	  "\tif len(sections) > 0 {\n"
	  "\t\th.db.Create(&sections)\n\t}\n}\n", "3", SEV_HIGH },
	/* debit then credit: two UPDATEs, MEDIUM */
	{ NULL, "package store\n"
	  "func (s *Store) Transfer(ctx context.Context, a, b int64, n int) error {\n"
	  "\tif _, err := s.db.ExecContext(ctx, `UPDATE accounts SET balance = balance - $1 WHERE id = $2`, n, a); err != nil {\n"
	  "\t\treturn err\n\t}\n"
	  "\t_, err := s.db.ExecContext(ctx, `UPDATE accounts SET balance = balance + $1 WHERE id = $2`, n, b)\n"
	  "\treturn err\n}\n", "3", SEV_MEDIUM },
};

static const struct go_case sn_neg[] = {
	/* one GORM Create of a struct with its associations filled */
	{ NULL, "package api\n"
	  "func (h *H) clone(c *gin.Context) {\n"
	  "\tclone.Sections = sections\n"
	  "\tif err := h.db.Create(&clone).Error; err != nil {\n\t\treturn\n\t}\n}\n", "", SEV_NONE },
	/* both writes in one transaction */
	{ NULL, "package store\n"
	  "func (s *Store) Transfer(ctx context.Context, a, b int64) error {\n"
	  "\ttx, err := s.db.BeginTx(ctx, nil)\n"
	  "\tif err != nil {\n\t\treturn err\n\t}\n"
	  "\tdefer tx.Rollback()\n"
	  "\ttx.ExecContext(ctx, `UPDATE accounts SET balance = balance - 1 WHERE id = $1`, a)\n"
	  "\ttx.ExecContext(ctx, `UPDATE accounts SET balance = balance + 1 WHERE id = $1`, b)\n"
	  "\treturn tx.Commit()\n}\n", "", SEV_NONE },
	/* a helper writing on a *sql.Tx parameter: the caller's transaction */
	{ NULL, "package store\n"
	  "func insertBoth(ctx context.Context, tx *sql.Tx, id int64) error {\n"
	  "\ttx.ExecContext(ctx, `INSERT INTO a (id) VALUES ($1)`, id)\n"
	  "\t_, err := tx.ExecContext(ctx, `INSERT INTO b (id) VALUES ($1)`, id)\n"
	  "\treturn err\n}\n", "", SEV_NONE },
	/* the second write logs the failure of the first in its error branch */
	{ NULL, "package store\n"
	  "func (s *Store) Close(ctx context.Context, id int64) error {\n"
	  "\tif _, err := s.db.ExecContext(ctx, `UPDATE x SET closed = true WHERE id = $1`, id); err != nil {\n"
	  "\t\ts.db.ExecContext(ctx, `INSERT INTO failures (x_id) VALUES ($1)`, id)\n"
	  "\t\treturn err\n\t}\n"
	  "\treturn nil\n}\n", "", SEV_NONE },
	/* generated code (sqlc) is never audited */
	{ "internal/db/queries.sql.go", "// Code generated by sqlc. DO NOT EDIT.\n"
	  "package db\n"
	  "func (q *Queries) Both(ctx context.Context, id int64) error {\n"
	  "\tq.db.ExecContext(ctx, `INSERT INTO a (id) VALUES ($1)`, id)\n"
	  "\t_, err := q.db.ExecContext(ctx, `INSERT INTO b (id) VALUES ($1)`, id)\n"
	  "\treturn err\n}\n", "", SEV_NONE },
	/* writes on exclusive branches, and a read */
	{ NULL, "package store\n"
	  "func (s *Store) Upsert(ctx context.Context, x X) error {\n"
	  "\tif x.ID == 0 {\n"
	  "\t\t_, err := s.db.ExecContext(ctx, `INSERT INTO x (a) VALUES ($1)`, x.A)\n\t\treturn err\n"
	  "\t} else {\n"
	  "\t\t_, err := s.db.ExecContext(ctx, `UPDATE x SET a = $1 WHERE id = $2`, x.A, x.ID)\n\t\treturn err\n\t}\n}\n",
	  "", SEV_NONE },
};

START_TEST(mr_positive) { run("missing_rollback", &mr_pos[_i]); }
END_TEST
START_TEST(mr_negative) { run("missing_rollback", &mr_neg[_i]); }
END_TEST
START_TEST(sw_positive) { run("scope_too_wide", &sw_pos[_i]); }
END_TEST
START_TEST(sw_negative) { run("scope_too_wide", &sw_neg[_i]); }
END_TEST
START_TEST(lh_positive) { run("long_held_transaction", &lh_pos[_i]); }
END_TEST
START_TEST(lh_negative) { run("long_held_transaction", &lh_neg[_i]); }
END_TEST
START_TEST(mic_positive) { run("missing_intermediate_commits", &mic_pos[_i]); }
END_TEST
START_TEST(mic_negative) { run("missing_intermediate_commits", &mic_neg[_i]); }
END_TEST
START_TEST(sn_positive) { run("scope_too_narrow", &sn_pos[_i]); }
END_TEST
START_TEST(sn_negative) { run("scope_too_narrow", &sn_neg[_i]); }
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_txn_go(void);
Suite *suite_txn_go(void)
{
	Suite *s = suite_create("txn_go");
	TCase *tc = tcase_create("missing_rollback");
	tcase_add_loop_test(tc, mr_positive, 0, N(mr_pos));
	tcase_add_loop_test(tc, mr_negative, 0, N(mr_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("scope_too_wide");
	tcase_add_loop_test(tc, sw_positive, 0, N(sw_pos));
	tcase_add_loop_test(tc, sw_negative, 0, N(sw_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("long_held_transaction");
	tcase_add_loop_test(tc, lh_positive, 0, N(lh_pos));
	tcase_add_loop_test(tc, lh_negative, 0, N(lh_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("missing_intermediate_commits");
	tcase_add_loop_test(tc, mic_positive, 0, N(mic_pos));
	tcase_add_loop_test(tc, mic_negative, 0, N(mic_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("scope_too_narrow");
	tcase_add_loop_test(tc, sn_positive, 0, N(sn_pos));
	tcase_add_loop_test(tc, sn_negative, 0, N(sn_neg));
	suite_add_tcase(s, tc);
	return s;
}
