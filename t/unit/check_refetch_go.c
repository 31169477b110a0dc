/*
 * The Go cross-function query checks (redundant_fetch,
 * unnecessary_resolve, wrong_caching_scope) over small projects on disk,
 * through the project index (lib/goindex.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "../../audit-query/checks.h"

struct file {
	const char *path, *text;
};

struct pcase {
	const char *check;
	const struct file files[4];
	const char *want;  /* "file:line,..." or "" */
};

#define MODELS \
	"package models\n" \
	"type Order struct {\n" \
	"\tID uint `gorm:\"primaryKey\"`\n" \
	"\tStatus string\n" \
	"\tTotal int\n" \
	"\tCustomerID uint\n" \
	"}\n"

/* the service of cases 0 and 6-9: Ship loads the order again and saves it */
#define SERVICE \
	"package service\n" \
	"import (\n" \
	"\t\"gorm.io/gorm\"\n" \
	"\t\"example.com/shop/models\"\n" \
	")\n" \
	"type Orders struct {\n" \
	"\tDB *gorm.DB\n" \
	"}\n" \
	"func (s *Orders) Ship(orderID uint) error {\n" \
	"\tvar o models.Order\n" \
	"\tif err := s.DB.First(&o, orderID).Error; err != nil {\n" \
	"\t\treturn err\n" \
	"\t}\n" \
	"\to.Status = \"shipped\"\n" \
	"\treturn s.DB.Save(&o).Error\n" \
	"}\n"

#define HANDLER_HEAD \
	"package handlers\n" \
	"import (\n" \
	"\t\"github.com/gin-gonic/gin\"\n" \
	"\t\"gorm.io/gorm\"\n" \
	"\t\"example.com/shop/models\"\n" \
	"\t\"example.com/shop/service\"\n" \
	")\n" \
	"type Handler struct {\n" \
	"\tdb *gorm.DB\n" \
	"\tsvc *service.Orders\n" \
	"}\n"

static const struct pcase cases[] = {
	/* 0: a gin handler loads the order, a service of another package loads it again by o.ID */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\tif err := h.db.First(&o, c.Param(\"id\")).Error; err != nil {\n"
	      "\t\tc.AbortWithStatus(404)\n"
	      "\t\treturn\n"
	      "\t}\n"
	      "\tif o.Status != \"paid\" {\n"
	      "\t\tc.AbortWithStatus(409)\n"
	      "\t\treturn\n"
	      "\t}\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "service/orders.go:11" },
	/* 1: database/sql: a store loader returning the row, then a method loading it again through it */
	{ "redundant_fetch",
	  { { "store/store.go",
	      "package store\n"
	      "import (\n"
	      "\t\"context\"\n"
	      "\t\"database/sql\"\n"
	      ")\n"
	      "type Invoice struct {\n"
	      "\tID int64\n"
	      "\tAmount int\n"
	      "\tState string\n"
	      "}\n"
	      "type Store struct {\n"
	      "\tDB *sql.DB\n"
	      "}\n"
	      "func (s *Store) GetInvoice(ctx context.Context, id int64) (*Invoice, error) {\n"
	      "\tvar inv Invoice\n"
	      "\terr := s.DB.QueryRowContext(ctx, `SELECT id, amount, state FROM invoices WHERE id = $1`, id).Scan(&inv.ID, &inv.Amount, &inv.State)\n"
	      "\treturn &inv, err\n"
	      "}\n"
	      "func (s *Store) Void(ctx context.Context, id int64) error {\n"
	      "\tinv, err := s.GetInvoice(ctx, id)\n"
	      "\tif err != nil {\n"
	      "\t\treturn err\n"
	      "\t}\n"
	      "\tinv.State = \"void\"\n"
	      "\t_, err = s.DB.ExecContext(ctx, `UPDATE invoices SET state = $1 WHERE id = $2`, inv.State, inv.ID)\n"
	      "\treturn err\n"
	      "}\n" },
	    { "api/api.go",
	      "package api\n"
	      "import (\n"
	      "\t\"net/http\"\n"
	      "\t\"strconv\"\n"
	      "\t\"example.com/billing/store\"\n"
	      ")\n"
	      "type API struct {\n"
	      "\tstore *store.Store\n"
	      "}\n"
	      "func (a *API) void(w http.ResponseWriter, r *http.Request) {\n"
	      "\tid, _ := strconv.ParseInt(r.URL.Query().Get(\"id\"), 10, 64)\n"
	      "\tinv, err := a.store.GetInvoice(r.Context(), id)\n"
	      "\tif err != nil || inv.Amount == 0 {\n"
	      "\t\thttp.NotFound(w, r)\n"
	      "\t\treturn\n"
	      "\t}\n"
	      "\t_ = a.store.Void(r.Context(), inv.ID)\n"
	      "}\n" } },
	  "store/store.go:20" },
	/* 2: the callee reads one column the caller's claims already carry */
	{ "unnecessary_resolve",
	  { { "api/claims.go",
	      "package api\n"
	      "import \"context\"\n"
	      "type ctxKey struct{}\n"
	      "type Claims struct {\n"
	      "\tUserID int64\n"
	      "\tTeamID int64\n"
	      "}\n"
	      "func claimsOf(ctx context.Context) Claims {\n"
	      "\tc, _ := ctx.Value(ctxKey{}).(Claims)\n"
	      "\treturn c\n"
	      "}\n" },
	    { "api/team.go",
	      "package api\n"
	      "import (\n"
	      "\t\"context\"\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      ")\n"
	      "type Server struct {\n"
	      "\tdb *sql.DB\n"
	      "}\n"
	      "func (s *Server) teamOf(ctx context.Context, userID int64) (int64, error) {\n"
	      "\tvar team int64\n"
	      "\terr := s.db.QueryRowContext(ctx, `SELECT team_id FROM users WHERE id = $1`, userID).Scan(&team)\n"
	      "\treturn team, err\n"
	      "}\n"
	      "func (s *Server) board(w http.ResponseWriter, r *http.Request) {\n"
	      "\tc := claimsOf(r.Context())\n"
	      "\tteam, err := s.teamOf(r.Context(), c.UserID)\n"
	      "\tif err != nil {\n"
	      "\t\treturn\n"
	      "\t}\n"
	      "\t_ = team\n"
	      "}\n" } },
	  "api/team.go:12" },
	/* 3: GORM, one field read; the middleware put it in the gin context */
	{ "unnecessary_resolve",
	  { { "models/models.go",
	      "package models\n"
	      "type User struct {\n"
	      "\tID uint\n"
	      "\tLocale string\n"
	      "\tName string\n"
	      "}\n" },
	    { "main.go",
	      "package main\n"
	      "import \"github.com/gin-gonic/gin\"\n"
	      "func auth(c *gin.Context) {\n"
	      "\tc.Set(\"userID\", uint(1))\n"
	      "\tc.Set(\"locale\", c.GetHeader(\"X-Locale\"))\n"
	      "\tc.Next()\n"
	      "}\n" },
	    { "handlers/h.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"gorm.io/gorm\"\n"
	      "\t\"example.com/app/models\"\n"
	      ")\n"
	      "type Handler struct {\n"
	      "\tdb *gorm.DB\n"
	      "}\n"
	      "func (h *Handler) localeOf(userID uint) string {\n"
	      "\tvar u models.User\n"
	      "\th.db.First(&u, userID)\n"
	      "\treturn u.Locale\n"
	      "}\n"
	      "func (h *Handler) home(c *gin.Context) {\n"
	      "\tuid := c.GetUint(\"userID\")\n"
	      "\tc.String(200, h.localeOf(uid))\n"
	      "}\n" } },
	  "handlers/h.go:12" },
	/* 4: a cache built by a constructor inside a net/http handler; a JOIN query */
	{ "wrong_caching_scope",
	  { { "prices/book.go",
	      "package prices\n"
	      "import \"database/sql\"\n"
	      "type Book struct {\n"
	      "\tdb *sql.DB\n"
	      "\tbyItem map[int64]int\n"
	      "}\n"
	      "func NewBook(db *sql.DB) *Book {\n"
	      "\treturn &Book{db: db, byItem: map[int64]int{}}\n"
	      "}\n"
	      "func (b *Book) Price(id int64) (int, error) {\n"
	      "\tif p, ok := b.byItem[id]; ok {\n"
	      "\t\treturn p, nil\n"
	      "\t}\n"
	      "\tvar p int\n"
	      "\terr := b.db.QueryRow(`SELECT SUM(c.amount) FROM items i JOIN costs c ON c.item_id = i.id WHERE i.id = $1`, id).Scan(&p)\n"
	      "\tb.byItem[id] = p\n"
	      "\treturn p, err\n"
	      "}\n" },
	    { "api/api.go",
	      "package api\n"
	      "import (\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      "\t\"example.com/shop/prices\"\n"
	      ")\n"
	      "var db *sql.DB\n"
	      "func quote(w http.ResponseWriter, r *http.Request) {\n"
	      "\tbook := prices.NewBook(db)\n"
	      "\tp, _ := book.Price(1)\n"
	      "\t_ = p\n"
	      "}\n" } },
	  "prices/book.go:3" },
	/* 5: a loaded flag on a struct literal built in a gin handler */
	{ "wrong_caching_scope",
	  { { "handlers/flags.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"gorm.io/gorm\"\n"
	      ")\n"
	      "type flagSet struct {\n"
	      "\tdb *gorm.DB\n"
	      "\tloaded bool\n"
	      "\tnames []string\n"
	      "}\n"
	      "func (f *flagSet) all() []string {\n"
	      "\tif f.loaded {\n"
	      "\t\treturn f.names\n"
	      "\t}\n"
	      "\tf.db.Table(\"flags\").Pluck(\"name\", &f.names)\n"
	      "\tf.loaded = true\n"
	      "\treturn f.names\n"
	      "}\n"
	      "func list(c *gin.Context) {\n"
	      "\tfs := &flagSet{db: c.MustGet(\"db\").(*gorm.DB)}\n"
	      "\tc.JSON(200, fs.all())\n"
	      "}\n" } },
	  "handlers/flags.go:6" },
	/* 6: the id goes to another goroutine */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\tgo h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 7: the id is sent over a channel to a worker */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "var queue = make(chan uint, 16)\n"
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\tqueue <- o.ID\n"
	      "}\n"
	      "func (h *Handler) worker() {\n"
	      "\tfor id := range queue {\n"
	      "\t\t_ = h.svc.Ship(id)\n"
	      "\t}\n"
	      "}\n" } },
	  "" },
	/* 8: the caller changed the row before the call: the reload sees it */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\to.Total = 0\n"
	      "\th.db.Save(&o)\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 9: the caller only created the row */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) create(c *gin.Context) {\n"
	      "\to := models.Order{Status: \"new\"}\n"
	      "\th.db.Create(&o)\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 10: a receiver of an interface type: never resolved by the method's name */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"gorm.io/gorm\"\n"
	      "\t\"example.com/shop/models\"\n"
	      ")\n"
	      "type shipper interface{ Ship(id uint) error }\n"
	      "type Handler struct {\n"
	      "\tdb *gorm.DB\n"
	      "\tsvc shipper\n"
	      "}\n"
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 11: built once in main and shared */
	{ "wrong_caching_scope",
	  { { "prices/book.go",
	      "package prices\n"
	      "import \"database/sql\"\n"
	      "type Book struct {\n"
	      "\tdb *sql.DB\n"
	      "\tbyItem map[int64]int\n"
	      "}\n"
	      "func NewBook(db *sql.DB) *Book {\n"
	      "\treturn &Book{db: db, byItem: map[int64]int{}}\n"
	      "}\n"
	      "func (b *Book) Price(id int64) (int, error) {\n"
	      "\tif p, ok := b.byItem[id]; ok {\n"
	      "\t\treturn p, nil\n"
	      "\t}\n"
	      "\tvar p int\n"
	      "\terr := b.db.QueryRow(`SELECT price FROM items WHERE id = $1`, id).Scan(&p)\n"
	      "\tb.byItem[id] = p\n"
	      "\treturn p, err\n"
	      "}\n" },
	    { "main.go",
	      "package main\n"
	      "import (\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      "\t\"example.com/shop/prices\"\n"
	      ")\n"
	      "func main() {\n"
	      "\tdb, _ := sql.Open(\"postgres\", \"\")\n"
	      "\tbook := prices.NewBook(db)\n"
	      "\thttp.HandleFunc(\"/q\", func(w http.ResponseWriter, r *http.Request) {\n"
	      "\t\tp, _ := book.Price(1)\n"
	      "\t\t_ = p\n"
	      "\t})\n"
	      "}\n" } },
	  "" },
	/* 12: sync.Once-guarded package state, first used from a handler */
	{ "wrong_caching_scope",
	  { { "api/zones.go",
	      "package api\n"
	      "import (\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      "\t\"sync\"\n"
	      ")\n"
	      "type zoneCache struct {\n"
	      "\tdb *sql.DB\n"
	      "\tnames map[int64]string\n"
	      "}\n"
	      "func (z *zoneCache) name(id int64) string {\n"
	      "\tif n, ok := z.names[id]; ok {\n"
	      "\t\treturn n\n"
	      "\t}\n"
	      "\tvar n string\n"
	      "\t_ = z.db.QueryRow(`SELECT name FROM zones WHERE id = $1`, id).Scan(&n)\n"
	      "\tz.names[id] = n\n"
	      "\treturn n\n"
	      "}\n"
	      "var (\n"
	      "\tonce sync.Once\n"
	      "\tzones *zoneCache\n"
	      "\tdb *sql.DB\n"
	      ")\n"
	      "func zoneName(w http.ResponseWriter, r *http.Request) {\n"
	      "\tonce.Do(func() {\n"
	      "\t\tzones = &zoneCache{db: db, names: map[int64]string{}}\n"
	      "\t})\n"
	      "\t_ = zones.name(1)\n"
	      "}\n" } },
	  "" },
	/* 13: an accumulator map filled in a handler, not read before the query */
	{ "wrong_caching_scope",
	  { { "api/report.go",
	      "package api\n"
	      "import (\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      ")\n"
	      "type tally struct {\n"
	      "\tdb *sql.DB\n"
	      "\tbyDay map[string]int\n"
	      "}\n"
	      "func (t *tally) fill() {\n"
	      "\trows, _ := t.db.Query(`SELECT day, n FROM visits`)\n"
	      "\tfor rows.Next() {\n"
	      "\t\tvar d string\n"
	      "\t\tvar n int\n"
	      "\t\t_ = rows.Scan(&d, &n)\n"
	      "\t\tt.byDay[d] = n\n"
	      "\t}\n"
	      "}\n"
	      "var db *sql.DB\n"
	      "func report(w http.ResponseWriter, r *http.Request) {\n"
	      "\tt := &tally{db: db, byDay: map[string]int{}}\n"
	      "\tt.fill()\n"
	      "}\n" } },
	  "" },
	/* 14: the claims do not carry the column read */
	{ "unnecessary_resolve",
	  { { "api/team.go",
	      "package api\n"
	      "import (\n"
	      "\t\"context\"\n"
	      "\t\"database/sql\"\n"
	      "\t\"net/http\"\n"
	      ")\n"
	      "type Claims struct {\n"
	      "\tUserID int64\n"
	      "}\n"
	      "type Server struct {\n"
	      "\tdb *sql.DB\n"
	      "}\n"
	      "func (s *Server) teamOf(ctx context.Context, userID int64) (int64, error) {\n"
	      "\tvar team int64\n"
	      "\terr := s.db.QueryRowContext(ctx, `SELECT team_id FROM users WHERE id = $1`, userID).Scan(&team)\n"
	      "\treturn team, err\n"
	      "}\n"
	      "func (s *Server) board(w http.ResponseWriter, r *http.Request) {\n"
	      "\tvar c Claims\n"
	      "\tteam, _ := s.teamOf(r.Context(), c.UserID)\n"
	      "\t_ = team\n"
	      "}\n" } },
	  "" },
	/* 15: the callee changes and saves the row: redundant_fetch's case, not this one */
	{ "unnecessary_resolve",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 16: go.mod says the module is example.com/shop: github.com/acme/service is not the project's service */
	{ "redundant_fetch",
	  { { "go.mod", "module example.com/shop\n\ngo 1.22\n" },
	    { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"gorm.io/gorm\"\n"
	      "\t\"example.com/shop/models\"\n"
	      "\t\"github.com/acme/service\"\n"
	      ")\n"
	      "type Handler struct {\n"
	      "\tdb *gorm.DB\n"
	      "\tsvc *service.Orders\n"
	      "}\n"
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "" },
	/* 17: the same with the project's own import path: reported */
	{ "redundant_fetch",
	  { { "go.mod", "module example.com/shop\n\ngo 1.22\n" },
	    { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/orders.go",
	      HANDLER_HEAD
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "service/orders.go:11" },
	/* 18: the caller's struct is the request body: client input, not the stored row */
	{ "unnecessary_resolve",
	  { { "api/team.go",
	      "package api\n"
	      "import (\n"
	      "\t\"context\"\n"
	      "\t\"database/sql\"\n"
	      "\t\"encoding/json\"\n"
	      "\t\"net/http\"\n"
	      ")\n"
	      "type moveReq struct {\n"
	      "\tUserID int64\n"
	      "\tTeamID int64\n"
	      "}\n"
	      "type Server struct {\n"
	      "\tdb *sql.DB\n"
	      "}\n"
	      "func (s *Server) teamOf(ctx context.Context, userID int64) (int64, error) {\n"
	      "\tvar team int64\n"
	      "\terr := s.db.QueryRowContext(ctx, `SELECT team_id FROM users WHERE id = $1`, userID).Scan(&team)\n"
	      "\treturn team, err\n"
	      "}\n"
	      "func (s *Server) move(w http.ResponseWriter, r *http.Request) {\n"
	      "\tvar req moveReq\n"
	      "\t_ = json.NewDecoder(r.Body).Decode(&req)\n"
	      "\tteam, _ := s.teamOf(r.Context(), req.UserID)\n"
	      "\t_ = team\n"
	      "}\n" } },
	  "" },
	/* 19: a loaded flag memoising the current user's row for one request */
	{ "wrong_caching_scope",
	  { { "handlers/me.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"gorm.io/gorm\"\n"
	      ")\n"
	      "type User struct {\n"
	      "\tID uint\n"
	      "\tName string\n"
	      "}\n"
	      "type session struct {\n"
	      "\tdb *gorm.DB\n"
	      "\tuid uint\n"
	      "\tloaded bool\n"
	      "\tuser User\n"
	      "}\n"
	      "func (s *session) me() User {\n"
	      "\tif s.loaded {\n"
	      "\t\treturn s.user\n"
	      "\t}\n"
	      "\ts.db.First(&s.user, s.uid)\n"
	      "\ts.loaded = true\n"
	      "\treturn s.user\n"
	      "}\n"
	      "func profile(c *gin.Context) {\n"
	      "\ts := &session{db: c.MustGet(\"db\").(*gorm.DB), uid: c.GetUint(\"uid\")}\n"
	      "\tc.JSON(200, s.me())\n"
	      "}\n" } },
	  "" },
	/* 20: the Handler struct is declared in another file of the package */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go", SERVICE },
	    { "handlers/handler.go", HANDLER_HEAD },
	    { "handlers/orders.go",
	      "package handlers\n"
	      "import (\n"
	      "\t\"github.com/gin-gonic/gin\"\n"
	      "\t\"example.com/shop/models\"\n"
	      ")\n"
	      "func (h *Handler) ship(c *gin.Context) {\n"
	      "\tvar o models.Order\n"
	      "\th.db.First(&o, c.Param(\"id\"))\n"
	      "\t_ = h.svc.Ship(o.ID)\n"
	      "}\n" } },
	  "service/orders.go:11" },
	/* 21: a local built by a project constructor of another package; the caller is no handler */
	{ "redundant_fetch",
	  { { "models/models.go", MODELS },
	    { "service/orders.go",
	      SERVICE
	      "func NewOrders(db *gorm.DB) *Orders {\n"
	      "\treturn &Orders{DB: db}\n"
	      "}\n" },
	    { "jobs/nightly.go",
	      "package jobs\n"
	      "import (\n"
	      "\t\"gorm.io/gorm\"\n"
	      "\t\"example.com/shop/models\"\n"
	      "\t\"example.com/shop/service\"\n"
	      ")\n"
	      "func shipOne(db *gorm.DB, id uint) {\n"
	      "\tsvc := service.NewOrders(db)\n"
	      "\tvar o models.Order\n"
	      "\tdb.First(&o, id)\n"
	      "\t_ = svc.Ship(o.ID)\n"
	      "}\n" } },
	  "service/orders.go:11" },
	/* 22: pgx, the SQL in a local; the credit method reloads the account by the id the handler had */
	{ "redundant_fetch",
	  { { "repo/accounts.go",
	      "package repo\n"
	      "import (\n"
	      "\t\"context\"\n"
	      "\t\"github.com/jackc/pgx/v5/pgxpool\"\n"
	      ")\n"
	      "type Account struct {\n"
	      "\tID int64\n"
	      "\tName string\n"
	      "\tBalance int64\n"
	      "}\n"
	      "type Accounts struct {\n"
	      "\tPool *pgxpool.Pool\n"
	      "}\n"
	      "func (r *Accounts) ByID(ctx context.Context, id int64) (*Account, error) {\n"
	      "\tquery := `SELECT id, name, balance FROM accounts WHERE id = $1`\n"
	      "\tvar a Account\n"
	      "\terr := r.Pool.QueryRow(ctx, query, id).Scan(&a.ID, &a.Name, &a.Balance)\n"
	      "\treturn &a, err\n"
	      "}\n"
	      "func (r *Accounts) Credit(ctx context.Context, id int64, amount int64) error {\n"
	      "\ta, err := r.ByID(ctx, id)\n"
	      "\tif err != nil {\n"
	      "\t\treturn err\n"
	      "\t}\n"
	      "\ta.Balance += amount\n"
	      "\t_, err = r.Pool.Exec(ctx, `UPDATE accounts SET balance = $1 WHERE id = $2`, a.Balance, a.ID)\n"
	      "\treturn err\n"
	      "}\n" },
	    { "api/accounts.go",
	      "package api\n"
	      "import (\n"
	      "\t\"net/http\"\n"
	      "\t\"example.com/bank/repo\"\n"
	      ")\n"
	      "type API struct {\n"
	      "\taccounts *repo.Accounts\n"
	      "}\n"
	      "func (h *API) deposit(w http.ResponseWriter, r *http.Request) {\n"
	      "\tvar id int64 = 7\n"
	      "\ta, err := h.accounts.ByID(r.Context(), id)\n"
	      "\tif err != nil || a.Name == \"\" {\n"
	      "\t\treturn\n"
	      "\t}\n"
	      "\t_ = h.accounts.Credit(r.Context(), id, 100)\n"
	      "}\n" } },
	  "repo/accounts.go:21" },
};

START_TEST(project)
{
	const struct pcase *pc = &cases[_i];
	struct proj p;
	struct finding_list fl;
	json_t *ctx;
	char buf[512];
	size_t k;
	proj_init(&p);
	for (k = 0; k < 4 && pc->files[k].path; k++)
		proj_put(&p, pc->files[k].path, pc->files[k].text);
	ctx = proj_context(&p, NULL);
	ck_assert_msg(!strcmp(proj_lines(&query_auditor, pc->check, ctx, &fl, buf, sizeof(buf)), pc->want),
		      "case %d (%s): got \"%s\", want \"%s\"", _i, pc->check, buf, pc->want);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

/* The message names both functions and the caller's line; a handler caller is HIGH. */
START_TEST(text_and_severity)
{
	struct proj p;
	struct finding_list fl;
	json_t *ctx;
	char buf[512];
	size_t k;
	proj_init(&p);
	for (k = 0; k < 3; k++)
		proj_put(&p, cases[0].files[k].path, cases[0].files[k].text);
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, "redundant_fetch", ctx, &fl, buf, sizeof(buf)), "service/orders.go:11");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	ck_assert_ptr_nonnull(strstr(fl.v[0].issue, "Orders.Ship() loads Order by its orderID parameter"));
	ck_assert_ptr_nonnull(strstr(fl.v[0].issue, "ship() (handlers/orders.go:"));
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

/* One in-memory file (no context): the index holds the buffer itself. */
START_TEST(buffer)
{
	static const char src[] =
		"package main\n"
		"import \"gorm.io/gorm\"\n"
		"type Order struct {\n"
		"\tID uint\n"
		"\tStatus string\n"
		"}\n"
		"var db *gorm.DB\n"
		"func bill(id uint) {\n"
		"\tvar o Order\n"
		"\tdb.First(&o, id)\n"
		"\to.Status = \"billed\"\n"
		"\tdb.Save(&o)\n"
		"}\n"
		"func closeOrder(id uint) {\n"
		"\tvar o Order\n"
		"\tdb.First(&o, id)\n"
		"\tbill(o.ID)\n"
		"}\n";
	struct finding_list fl;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, "redundant_fetch", "main.go", src, strlen(src), NULL,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 10);
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
}
END_TEST

Suite *suite_refetch_go(void)
{
	Suite *s = suite_create("refetch_go");
	TCase *tc = tcase_create("projects");
	tcase_add_loop_test(tc, project, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, text_and_severity);
	tcase_add_test(tc, buffer);
	suite_add_tcase(s, tc);
	return s;
}
