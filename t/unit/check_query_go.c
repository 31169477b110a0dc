/*
 * Go implementations of the query checks: n_plus_one_query,
 * n_update_delete_loop, missing_bulk_ops, over_fetching
 * (audit-query/..._go.c, lib/godb.c).  Each source starts at line 1.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"
#include "../../audit-query/checks.h"

struct go_case {
	const char *path; /* NULL: internal/api/x.go */
	const char *src;
	const char *lines;
	enum severity sev; /* of the first finding, SEV_NONE: not checked */
};

static void run(const char *id, const struct go_case *c)
{
	struct finding_list fl;
	char got[256];
	size_t i, o = 0;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, id, c->path ? c->path : "internal/api/x.go", c->src,
						 strlen(c->src), NULL, &fl), 0);
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
}

/* ---- n_plus_one_query ---- */

static const struct go_case n1_pos[] = {
	/* GORM Association().Find per user; SQL built with fmt.Sprintf */
	{ "internal/store/u.go", "package store\n"
	  "func f(db *gorm.DB, users []User) {\n"
	  "\tfor i := range users {\n"
	  "\t\tdb.Model(&users[i]).Association(\"Roles\").Find(&users[i].Roles)\n"
	  "\t\tdb.Raw(fmt.Sprintf(\"SELECT count(*) FROM %s WHERE uid = ?\", tbl), users[i].ID).Scan(&n)\n"
	  "\t}\n}\n", "4,5", SEV_MEDIUM },
	/* QueryRowContext per rows.Next() in a net/http handler */
	{ NULL, "package api\n"
	  "func (h *H) list(w http.ResponseWriter, r *http.Request) {\n"
	  "\trows, _ := h.db.QueryContext(r.Context(), `SELECT id, resident_id FROM permits`)\n"
	  "\tfor rows.Next() {\n"
	  "\t\trows.Scan(&e.ID, &rid)\n"
	  "\t\th.db.QueryRowContext(r.Context(), `SELECT name FROM residents WHERE id = $1`, rid).Scan(&e.Name)\n"
	  "\t}\n}\n", "6", SEV_HIGH },
	/* GORM Count per item in a gin handler */
	{ NULL, "package api\n"
	  "func (h *H) overview(c *gin.Context) {\n"
	  "\tvar courses []Course\n"
	  "\th.db.Find(&courses)\n"
	  "\tfor _, co := range courses {\n"
	  "\t\th.db.Model(&Enrollment{}).Where(\"course_id = ?\", co.ID).Count(&n)\n"
	  "\t}\n}\n", "6", SEV_HIGH },
	/* a store method (not a handler): sqlx Get per id, MEDIUM */
	{ NULL, "package store\n"
	  "func (s *Store) Names(ctx context.Context, ids []int64) {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\ts.db.GetContext(ctx, &n, \"SELECT name FROM users WHERE id = $1\", id)\n"
	  "\t}\n}\n", "4", SEV_MEDIUM },
	/* SQL held in a variable; pgx QueryRow in a three-clause loop */
	{ NULL, "package store\n"
	  "func f(ctx context.Context, pool *pgxpool.Pool, xs []int) {\n"
	  "\tq := `SELECT total FROM orders WHERE id = $1`\n"
	  "\tfor i := 0; i < len(xs); i++ {\n"
	  "\t\tpool.QueryRow(ctx, q, xs[i]).Scan(&t)\n"
	  "\t}\n}\n", "5", SEV_MEDIUM },
	/* GORM First per item, in cmd/: one level down */
	{ "cmd/fix/main.go", "package main\n"
	  "func run(db *gorm.DB, ids []uint) {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tvar u User\n"
	  "\t\tdb.First(&u, id)\n"
	  "\t}\n}\n", "5", SEV_LOW },
};

static const struct go_case n1_neg[] = {
	/* SELECT of no table: a notification per item, not a read */
	{ NULL, "package api\n"
	  "func f(db *sql.DB, ids []int) {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tdb.Exec(\"SELECT pg_notify('jobs', $1)\", id)\n\t}\n}\n", "", SEV_NONE },
	/* three attempts of one query: a retry loop */
	{ NULL, "package api\n"
	  "func f(db *sql.DB) {\n"
	  "\tfor i := 0; i < 3; i++ {\n"
	  "\t\tif db.QueryRow(\"SELECT 1\").Scan(&x) == nil {\n\t\t\tbreak\n\t\t}\n\t}\n}\n", "", SEV_NONE },
	/* a mongo collection's Find per item is not GORM (and not SQL) */
	{ NULL, "package api\n"
	  "func f(ctx context.Context, db *mongo.Database, ids []string) {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tdb.Collection(\"users\").Find(ctx, bson.M{\"_id\": id})\n\t}\n}\n", "", SEV_NONE },
	/* one joined query; Preload */
	{ NULL, "package api\n"
	  "func (h *H) mine(w http.ResponseWriter, r *http.Request) {\n"
	  "\trows, _ := h.db.QueryContext(r.Context(), `SELECT v.plate FROM vehicles v JOIN permits p ON p.vehicle_id = v.id`)\n"
	  "\tfor rows.Next() {\n\t\trows.Scan(&plate)\n\t}\n"
	  "\th.db.Preload(\"Sections\").Find(&courses)\n"
	  "\tfor _, c := range courses {\n\t\tfmt.Println(len(c.Sections))\n\t}\n}\n", "", SEV_NONE },
	/* a polling loop: for { select ... } */
	{ NULL, "package worker\n"
	  "func (w *W) Run(ctx context.Context) {\n"
	  "\tfor {\n\t\tselect {\n\t\tcase <-t.C:\n\t\t}\n"
	  "\t\tw.DB.QueryRowContext(ctx, `SELECT id FROM batches LIMIT 1`).Scan(&id)\n"
	  "\t}\n}\n", "", SEV_NONE },
	/* paging with OFFSET; a range over a three-element literal */
	{ NULL, "package store\n"
	  "func f(db *sql.DB) {\n"
	  "\tfor off := 0; ; off += 500 {\n"
	  "\t\tdb.Query(`SELECT id FROM t ORDER BY id LIMIT 500 OFFSET $1`, off)\n\t}\n"
	  "\tfor _, k := range []string{\"a\", \"b\", \"c\"} {\n"
	  "\t\tdb.QueryRow(\"SELECT count(*) FROM t WHERE kind = $1\", k).Scan(&n)\n\t}\n}\n", "", SEV_NONE },
	/* not database calls: a map Get, an HTTP client, strings in a loop */
	{ NULL, "package api\n"
	  "func f(xs []string, cache *lru.Cache, c *http.Client) {\n"
	  "\tfor _, x := range xs {\n"
	  "\t\tcache.Get(x)\n\t\tc.Get(\"http://x/\" + x)\n\t\trows.Scan(&x)\n"
	  "\t\tfmt.Println(\"SELECT is a word\")\n\t}\n}\n", "", SEV_NONE },
	/* a read in a goroutine's function literal */
	{ NULL, "package api\n"
	  "func f(db *sql.DB, ids []int) {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tgo func(id int) {\n"
	  "\t\t\tdb.QueryRow(\"SELECT 1 FROM t WHERE id = $1\", id)\n\t\t}(id)\n\t}\n}\n", "", SEV_NONE },
	/* *_test.go is never audited */
	{ "internal/api/x_test.go", "package api\n"
	  "func TestX(t *testing.T) {\n\tfor _, id := range ids {\n"
	  "\t\tdb.QueryRow(\"SELECT 1 FROM t WHERE id = $1\", id)\n\t}\n}\n", "", SEV_NONE },
};

START_TEST(n1_positive) { run("n_plus_one_query", &n1_pos[_i]); }
END_TEST
START_TEST(n1_negative) { run("n_plus_one_query", &n1_neg[_i]); }
END_TEST

/* ---- n_update_delete_loop ---- */

static const struct go_case ud_pos[] = {
	/* pgx: a prepared UPDATE run by name per account */
	{ "internal/store/a.go", "package store\n"
	  "func f(ctx context.Context, tx pgx.Tx, changes map[string]int) {\n"
	  "\tst, _ := tx.Prepare(ctx, \"bal\", `UPDATE accounts SET balance = balance + $1 WHERE id = $2`)\n"
	  "\tfor id, ch := range changes {\n"
	  "\t\ttx.QueryRow(ctx, st.Name, ch, id).Scan(&b)\n\t}\n}\n", "5", SEV_MEDIUM },
	/* ExecContext UPDATE per id, in a worker */
	{ "internal/worker/w.go", "package worker\n"
	  "func (w *W) expire(ctx context.Context, ids []int64) error {\n"
	  "\tfor _, id := range ids {\n"
	  "\t\tif _, err := w.DB.ExecContext(ctx, `UPDATE permits SET status = 'expired' WHERE id = $1`, id); err != nil {\n"
	  "\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n", "4", SEV_MEDIUM },
	/* GORM Delete(&e) and Save per loaded row, in a gin handler */
	{ NULL, "package api\n"
	  "func (h *H) drop(c *gin.Context) {\n"
	  "\tvar es []Enrollment\n\th.db.Where(\"status = ?\", \"w\").Find(&es)\n"
	  "\tfor _, e := range es {\n"
	  "\t\th.db.Delete(&e)\n"
	  "\t\ttx.Save(&e)\n"
	  "\t\th.db.Model(&e).Update(\"grade\", \"A\")\n\t}\n}\n", "6,7,8", SEV_HIGH },
	/* a prepared UPDATE statement executed per row */
	{ "internal/store/s.go", "package store\n"
	  "func f(tx *sql.Tx, xs []X) {\n"
	  "\tstmt, _ := tx.Prepare(\"DELETE FROM items WHERE id = ?\")\n"
	  "\tfor _, x := range xs {\n"
	  "\t\tstmt.Exec(x.ID)\n\t}\n}\n", "5", SEV_MEDIUM },
};

static const struct go_case ud_neg[] = {
	/* Save of a slice per chunk: one batched upsert each */
	{ NULL, "package api\n"
	  "func f(db *gorm.DB, chunks [][]User) {\n"
	  "\tfor _, ch := range chunks {\n\t\tvar part []User = ch\n\t\tdb.Save(&part)\n\t}\n}\n", "", SEV_NONE },
	/* one set-based UPDATE per group of ids (IN ?), GORM clause.IN conditions */
	{ NULL, "package api\n"
	  "func f(tx *gorm.DB, byGrade map[string][]uint) {\n"
	  "\tfor grade, ids := range byGrade {\n"
	  "\t\ttx.Model(&Enrollment{}).Where(\"id IN ?\", ids).Update(\"grade\", grade)\n"
	  "\t\ttx.Clauses(clause.Where{Exprs: conds}).Delete(v)\n\t}\n}\n", "", SEV_NONE },
	/* one set-based statement; a single update outside a loop */
	{ NULL, "package api\n"
	  "func f(db *sql.DB, g *gorm.DB, ids []int64) {\n"
	  "\tdb.Exec(`UPDATE permits SET status = 'expired' WHERE id = ANY($1)`, pq.Array(ids))\n"
	  "\tg.Model(&T{}).Where(\"id IN ?\", ids).Update(\"x\", 1)\n"
	  "\tfor _, id := range ids {\n\t\tlog.Println(id)\n\t}\n}\n", "", SEV_NONE },
	/* a map's Delete, a cache's Update: not a database */
	{ NULL, "package api\n"
	  "func f(ids []string, m *sync.Map, cache *Cache) {\n"
	  "\tfor _, id := range ids {\n\t\tm.Delete(id)\n\t\tcache.Update(id)\n\t\tdelete(seen, id)\n\t}\n}\n",
	  "", SEV_NONE },
	/* a fixed list of four models held in a variable */
	{ NULL, "package store\n"
	  "func fix(db *gorm.DB) {\n"
	  "\tmodels := []any{new(User), new(App), new(Client), new(Conf)}\n"
	  "\tfor _, m := range models {\n"
	  "\t\tdb.Model(m).Where(\"created_at IS NULL\").UpdateColumn(\"created_at\", now)\n\t}\n}\n", "", SEV_NONE },
};

START_TEST(ud_positive) { run("n_update_delete_loop", &ud_pos[_i]); }
END_TEST
START_TEST(ud_negative) { run("n_update_delete_loop", &ud_neg[_i]); }
END_TEST

/* ---- missing_bulk_ops ---- */

static const struct go_case bulk_pos[] = {
	/* one INSERT per CSV record in a chi handler (registered by routing) */
	{ NULL, "package api\n"
	  "func (h *H) routes(r chi.Router) { r.Post(\"/import\", h.importPasses) }\n"
	  "func (h *H) importPasses(w http.ResponseWriter, r *http.Request) {\n"
	  "\tfor _, rec := range records {\n"
	  "\t\th.db.ExecContext(r.Context(),\n"
	  "\t\t\t`INSERT INTO visitor_passes (plate) VALUES ($1)`, rec[0])\n\t}\n}\n", "5", SEV_HIGH },
	/* GORM Create of one struct per item */
	{ NULL, "package api\n"
	  "func (h *H) cohort(c *gin.Context) {\n"
	  "\tfor _, sid := range req.StudentIDs {\n"
	  "\t\th.db.Create(&Enrollment{StudentID: sid})\n\t}\n}\n", "4", SEV_HIGH },
	/* a prepared INSERT, and QueryRow of INSERT ... RETURNING, in a store */
	{ "internal/store/s.go", "package store\n"
	  "func f(ctx context.Context, db *sql.DB, xs []X) {\n"
	  "\tins, _ := db.PrepareContext(ctx, \"INSERT INTO t (a) VALUES ($1)\")\n"
	  "\tfor _, x := range xs {\n"
	  "\t\tins.ExecContext(ctx, x.A)\n"
	  "\t\tdb.QueryRowContext(ctx, \"INSERT INTO u (a) VALUES ($1) RETURNING id\", x.A).Scan(&id)\n\t}\n}\n",
	  "5,6", SEV_MEDIUM },
};

static const struct go_case bulk_neg[] = {
	/* one insert per message received from a channel: a consumer */
	{ NULL, "package worker\n"
	  "func consume(db *gorm.DB, jobs <-chan Job) {\n"
	  "\tfor j := range jobs {\n\t\tdb.Create(&Result{JobID: j.ID})\n\t}\n}\n", "", SEV_NONE },
	/* pq.CopyIn statement executed per row: COPY protocol */
	{ NULL, "package worker\n"
	  "func f(ctx context.Context, tx *sql.Tx, rows *sql.Rows) {\n"
	  "\tstmt, _ := tx.PrepareContext(ctx, pq.CopyIn(\"archive\", \"id\", \"at\"))\n"
	  "\tfor rows.Next() {\n\t\trows.Scan(&id, &at)\n"
	  "\t\tstmt.ExecContext(ctx, id, at)\n\t}\n\tstmt.ExecContext(ctx)\n}\n", "", SEV_NONE },
	/* CreateInBatches, Create of a slice, Create of chunks of a slice */
	{ NULL, "package api\n"
	  "func f(db *gorm.DB, sections []Section, chunks [][]Row) {\n"
	  "\tdb.CreateInBatches(&sections, 200)\n\tdb.Create(&sections)\n"
	  "\tfor _, ch := range chunks {\n\t\tdb.Create(ch.Rows())\n\t}\n}\n", "", SEV_NONE },
	/* pgx batch: Queue per item, one SendBatch */
	{ NULL, "package store\n"
	  "func f(ctx context.Context, pool *pgxpool.Pool, xs []X) {\n"
	  "\tb := &pgx.Batch{}\n\tfor _, x := range xs {\n"
	  "\t\tb.Queue(\"INSERT INTO t (a) VALUES ($1)\", x.A)\n\t}\n"
	  "\tpool.SendBatch(ctx, b).Close()\n}\n", "", SEV_NONE },
	/* os.Create and a file per item are not inserts */
	{ NULL, "package api\n"
	  "func f(names []string) {\n\tfor _, n := range names {\n\t\tos.Create(n)\n\t}\n}\n", "", SEV_NONE },
};

START_TEST(bulk_positive) { run("missing_bulk_ops", &bulk_pos[_i]); }
END_TEST
START_TEST(bulk_negative) { run("missing_bulk_ops", &bulk_neg[_i]); }
END_TEST

/* ---- over_fetching ---- */

#define COURSE "type Course struct {\n" \
	"\tID uint `gorm:\"primaryKey\"`\n\tCode string\n\tTitle string\n\tDepartment string\n\tTerm string\n" \
	"\tCredits int\n\tLevel string\n\tDescription string\n\tTags string\n\tCapacity int\n\tSeatsTaken int\n" \
	"\tPublished bool\n\tUpdatedAt time.Time\n\tSections []Section\n}\n" \
	"type Section struct {\n\tID uint\n\tCourseID uint\n}\n"
/* COURSE is 20 lines: code after it starts at line 22 (after "package x") */

static const struct go_case of_pos[] = {
	/* SELECT * of an 11-column table in a worker: every column scanned, two read */
	{ "internal/worker/w.go", "package worker\n"
	  "func f(ctx context.Context, pool *pgxpool.Pool) {\n"
	  "\trows, _ := pool.Query(ctx, \"SELECT * FROM users WHERE active\")\n"
	  "\tdefer rows.Close()\n"
	  "\tfor rows.Next() {\n"
	  "\t\tvar u User\n"
	  "\t\trows.Scan(&u.A, &u.B, &u.C, &u.D, &u.E, &u.F, &u.G, &u.H, &u.I, &u.J, &u.K)\n"
	  "\t\tsend(u.A, u.B)\n\t}\n}\n", "3", SEV_LOW },
	/* GORM Find of 13-column rows, three fields read */
	{ NULL, "package api\n" COURSE
	  "func (h *H) list(c *gin.Context) {\n"
	  "\tvar courses []Course\n"
	  "\th.db.Where(\"term = ?\", c.Query(\"term\")).Order(\"code\").Find(&courses)\n"
	  "\tout := make([]gin.H, 0, len(courses))\n"
	  "\tfor _, co := range courses {\n"
	  "\t\tout = append(out, gin.H{\"code\": co.Code, \"title\": co.Title, \"credits\": co.Credits})\n\t}\n"
	  "\tc.JSON(200, out)\n}\n", "24", SEV_LOW },
	/* database/sql: 13 columns scanned, three used */
	{ NULL, "package api\n"
	  "func (h *H) search(w http.ResponseWriter, r *http.Request) {\n"
	  "\trows, _ := h.db.QueryContext(r.Context(), `SELECT id, resident_id, vehicle_id, zone_id, kind, status, plate,\n"
	  "\t\tstarts_on, ends_on, fee_cents, paid_at, created_at, notes FROM permits WHERE plate ILIKE $1`, q)\n"
	  "\tfor rows.Next() {\n"
	  "\t\tvar p Permit\n"
	  "\t\trows.Scan(&p.ID, &p.ResidentID, &p.VehicleID, &p.ZoneID, &p.Kind, &p.Status, &p.Plate,\n"
	  "\t\t\t&p.StartsOn, &p.EndsOn, &p.FeeCents, &p.PaidAt, &p.CreatedAt, &p.Notes)\n"
	  "\t\tout = append(out, hit{ID: p.ID, Plate: p.Plate, Status: p.Status})\n\t}\n"
	  "\twriteJSON(w, out)\n}\n", "3", SEV_LOW },
};

static const struct go_case of_neg[] = {
	/* Select of four columns; rows returned whole; a detail First */
	{ NULL, "package api\n" COURSE
	  "func (h *H) f(c *gin.Context) {\n"
	  "\tvar courses []Course\n"
	  "\th.db.Select(\"id\", \"code\", \"title\", \"capacity\").Find(&courses)\n"
	  "\tfor _, co := range courses {\n\t\tfmt.Println(co.Code)\n\t}\n"
	  "\tvar all []Course\n\th.db.Find(&all)\n\tc.JSON(200, all)\n"
	  "\tvar one Course\n\th.db.First(&one, 1)\n\tc.JSON(200, gin.H{\"code\": one.Code})\n}\n", "", SEV_NONE },
	/* a narrow struct; an element appended whole */
	{ NULL, "package api\n" COURSE
	  "type Tag struct {\n\tID uint\n\tName string\n}\n"
	  "func (h *H) g(c *gin.Context) {\n"
	  "\tvar tags []Tag\n\th.db.Find(&tags)\n\tfor _, t := range tags {\n\t\tfmt.Println(t.Name)\n\t}\n"
	  "\tvar cs []Course\n\th.db.Find(&cs)\n\tfor _, co := range cs {\n\t\tout = append(out, co)\n\t}\n}\n",
	  "", SEV_NONE },
	/* SQL: SELECT * scanned into one column; 11 columns of which four are read */
	{ NULL, "package api\n"
	  "func f(db *sql.DB) {\n"
	  "\trows, _ := db.Query(`SELECT * FROM permits`)\n"
	  "\tfor rows.Next() {\n\t\trows.Scan(&a)\n\t}\n"
	  "\trows2, _ := db.Query(`SELECT * FROM permits`)\n"
	  "\tfor rows2.Next() {\n"
	  "\t\trows2.Scan(&a, &b, &c, &d, &e, &f, &g, &h, &i, &j, &k)\n"
	  "\t\tfmt.Println(a, b, c, d)\n\t}\n}\n", "", SEV_NONE },
};

START_TEST(of_positive) { run("over_fetching", &of_pos[_i]); }
END_TEST
START_TEST(of_negative) { run("over_fetching", &of_neg[_i]); }
END_TEST

/* The issue text of a GORM write per row says "its own default
 * transaction" only outside an explicit transaction (gotify's
 * UpdateClientTokensLastUsedAndExpiresAt saves inside db.Transaction). */
static const char *first_issue(const char *id, const char *src, struct finding_list *fl)
{
	finding_list_init(fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, id, "internal/store/x.go", src, strlen(src), NULL, fl),
			 0);
	ck_assert_uint_eq(fl->n, 1);
	return fl->v[0].issue;
}

START_TEST(gorm_default_transaction_text)
{
	struct finding_list fl;
	const char *in_tx = "package store\n"
			    "func (d *DB) touch(ts []string) error {\n"
			    "\treturn d.DB.Transaction(func(tx *gorm.DB) error {\n"
			    "\t\tvar cs []*Client\n"
			    "\t\ttx.Where(\"token IN (?)\", ts).Find(&cs)\n"
			    "\t\tfor _, c := range cs {\n"
			    "\t\t\tc.Seen = true\n"
			    "\t\t\ttx.Save(c)\n\t\t}\n\t\treturn nil\n\t})\n}\n";
	const char *bare = "package store\n"
			   "func (d *DB) touch(cs []*Client) {\n"
			   "\tfor _, c := range cs {\n"
			   "\t\tc.Seen = true\n"
			   "\t\td.DB.Save(c)\n\t}\n}\n";
	ck_assert_ptr_null(strstr(first_issue("n_update_delete_loop", in_tx, &fl), "default transaction"));
	finding_list_free(&fl);
	ck_assert_ptr_nonnull(strstr(first_issue("n_update_delete_loop", bare, &fl), "own default transaction"));
	finding_list_free(&fl);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_query_go(void);
Suite *suite_query_go(void)
{
	Suite *s = suite_create("query_go");
	TCase *tc = tcase_create("n_plus_one_query");
	tcase_add_loop_test(tc, n1_positive, 0, N(n1_pos));
	tcase_add_loop_test(tc, n1_negative, 0, N(n1_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("n_update_delete_loop");
	tcase_add_loop_test(tc, ud_positive, 0, N(ud_pos));
	tcase_add_loop_test(tc, ud_negative, 0, N(ud_neg));
	tcase_add_test(tc, gorm_default_transaction_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("missing_bulk_ops");
	tcase_add_loop_test(tc, bulk_positive, 0, N(bulk_pos));
	tcase_add_loop_test(tc, bulk_negative, 0, N(bulk_neg));
	suite_add_tcase(s, tc);
	tc = tcase_create("over_fetching");
	tcase_add_loop_test(tc, of_positive, 0, N(of_pos));
	tcase_add_loop_test(tc, of_negative, 0, N(of_neg));
	suite_add_tcase(s, tc);
	return s;
}
