/*
 * Unit tests of lib/pyindex.c: defs and their flags, call resolution
 * across files, models and their column counts, per-request classes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "pyindex.h"

static struct py_index *index_of(struct proj *p, json_t **ctx)
{
	struct py_index *ix = py_index_new();
	*ctx = proj_context(p, NULL);
	ck_assert_ptr_nonnull(ix);
	ck_assert_int_eq(py_index_add_context(ix, *ctx), 0);
	py_index_resolve(ix);
	return ix;
}

/* The def named name (cls may be NULL) in path, asserted to exist. */
static const struct py_fn *fn_named(struct py_index *ix, const char *path, const char *cls, const char *name)
{
	size_t i;
	for (i = 0; i < ix->nfns; i++) {
		const struct py_fn *f = &ix->fns[i];
		if (!strcmp(f->path, path) && !strcmp(f->name, name) && (cls ? f->cls && !strcmp(f->cls, cls) : !f->cls))
			return f;
	}
	ck_abort_msg("no def %s in %s", name, path);
	return NULL;
}

/* The target of the call of f whose callee is callee: "path:name", or "?". */
static const char *target_of(struct py_index *ix, const struct py_fn *f, const char *callee, char *buf, size_t n)
{
	unsigned k;
	for (k = 0; k < f->ncalls; k++)
		if (!strcmp(f->calls[k].callee, callee)) {
			const struct py_fn *t = py_index_call_target(ix, &f->calls[k]);
			snprintf(buf, n, "%s:%s%s%s", t ? t->path : "?", t && t->cls ? t->cls : "", t && t->cls ? "." : "",
				 t ? t->name : "?");
			return buf;
		}
	snprintf(buf, n, "no call %s", callee);
	return buf;
}

START_TEST(resolves_calls_across_files)
{
	struct proj p;
	json_t *ctx;
	struct py_index *ix;
	const struct py_fn *h;
	char b[256];
	proj_init(&p);
	proj_put(&p, "app/__init__.py", "");
	proj_put(&p, "app/services/__init__.py", "");
	proj_put(&p, "app/services/books.py",
		 "from .util import norm\n"
		 "def find(db, isbn):\n    return norm(isbn)\n"
		 "class Repo:\n    def __init__(self, s):\n        self.s = s\n"
		 "    def get(self, i):\n        return self.load(i)\n    def load(self, i):\n        return i\n");
	proj_put(&p, "app/services/util.py", "def norm(x):\n    return x\n");
	proj_put(&p, "app/other.py", "class Repo:\n    def get(self, i):\n        return i\n");
	proj_put(&p, "app/api.py",
		 "from fastapi import APIRouter\nfrom app.services.books import find, Repo\n"
		 "from app.services import util\nrouter = APIRouter()\n"
		 "@router.get('/x')\nasync def show(isbn: str, repo: Repo = Depends()):\n"
		 "    find(None, isbn)\n    util.norm(isbn)\n    r = Repo(None)\n    r.get(1)\n"
		 "    repo.get(2)\n    thing.get(3)\n    undefined_fn()\n");
	ix = index_of(&p, &ctx);
	h = fn_named(ix, "app/api.py", NULL, "show");
	ck_assert(h->handler && h->is_async);
	ck_assert_str_eq(target_of(ix, h, "find", b, sizeof(b)), "app/services/books.py:find");
	ck_assert_str_eq(target_of(ix, h, "util.norm", b, sizeof(b)), "app/services/util.py:norm");
	ck_assert_str_eq(target_of(ix, h, "r.get", b, sizeof(b)), "app/services/books.py:Repo.get");
	ck_assert_str_eq(target_of(ix, h, "repo.get", b, sizeof(b)), "app/services/books.py:Repo.get");
	/* an unknown receiver is never guessed, even though a get exists */
	ck_assert_str_eq(target_of(ix, h, "thing.get", b, sizeof(b)), "no call thing.get");
	ck_assert_str_eq(target_of(ix, h, "undefined_fn", b, sizeof(b)), "?:?");
	/* relative import and self. method */
	ck_assert_str_eq(target_of(ix, fn_named(ix, "app/services/books.py", NULL, "find"), "norm", b, sizeof(b)),
			 "app/services/util.py:norm");
	ck_assert_str_eq(target_of(ix, fn_named(ix, "app/services/books.py", "Repo", "get"), "self.load", b,
				   sizeof(b)),
			 "app/services/books.py:Repo.load");
	/* callers of util.norm: find and show */
	ck_assert_uint_eq(py_index_callers(ix, fn_named(ix, "app/services/util.py", NULL, "norm"), NULL, NULL, 0), 2);
	ck_assert_ptr_eq(py_index_fn_at(ix, "app/api.py", h->line), h);
	ck_assert_ptr_null(py_index_fn_at(ix, "app/api.py", h->line + 1));
	/* parameters */
	ck_assert_uint_eq(h->nparams, 2);
	ck_assert_str_eq(h->params[1].ann, "Repo");
	ck_assert_str_eq(h->params[1].deflt, "Depends()");
	py_index_free(ix);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(models_and_columns)
{
	struct proj p;
	json_t *ctx;
	struct py_index *ix;
	const struct py_model *m;
	proj_init(&p);
	proj_put(&p, "app/models.py",
		 "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n"
		 "class Base(DeclarativeBase):\n    pass\n"
		 "class Stamped:\n    created: Mapped[int] = mapped_column()\n    updated: Mapped[int] = mapped_column()\n"
		 "class Book(Base, Stamped):\n    __tablename__ = 'books'\n"
		 "    id: Mapped[int] = mapped_column(primary_key=True)\n    title: Mapped[str]\n"
		 "    author = relationship('Author')\n"
		 "class Abstract(Base):\n    __abstract__ = True\n    x: Mapped[int]\n"
		 "class Author(Abstract):\n    name: Mapped[str]\n"
		 "class BookOut(BaseModel):\n    id: int\n    title: str\n");
	proj_put(&p, "app/sm.py",
		 "from sqlmodel import SQLModel, Field\n"
		 "class Hero(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    name: str\n"
		 "class HeroIn(SQLModel):\n    name: str\n");
	proj_put(&p, "app/legacy.py", "Base = declarative_base()\nclass Row(Base):\n    a = Column(Integer)\n");
	ix = index_of(&p, &ctx);
	m = py_index_model(ix, "Book");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->table, "books");
	ck_assert_uint_eq(m->ncols, 4);   /* id, title + the mixin's created, updated */
	ck_assert_ptr_nonnull(py_index_model(ix, "Author"));
	ck_assert_uint_eq(py_index_model(ix, "Author")->ncols, 2);
	ck_assert_ptr_null(py_index_model(ix, "Abstract"));
	ck_assert_ptr_null(py_index_model(ix, "Base"));
	ck_assert_ptr_null(py_index_model(ix, "Stamped"));
	ck_assert_ptr_null(py_index_model(ix, "BookOut"));
	ck_assert_ptr_nonnull(py_index_model(ix, "Hero"));
	ck_assert_ptr_null(py_index_model(ix, "HeroIn"));
	ck_assert_ptr_nonnull(py_index_model(ix, "Row"));
	py_index_free(ix);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(flags_and_injections)
{
	struct proj p;
	json_t *ctx;
	struct py_index *ix;
	const struct py_inject *in[8];
	proj_init(&p);
	proj_put(&p, "app/svc.py",
		 "from functools import lru_cache\n"
		 "class Stats:\n    def __init__(self):\n        self._c = None\n"
		 "class Shared:\n    pass\n"
		 "class Svc:\n    pass\n"
		 "def get_svc():\n    return Svc()\n"
		 "@lru_cache\ndef get_shared():\n    return Shared()\n");
	proj_put(&p, "app/api.py",
		 "from app.svc import Stats, Shared, Svc, get_svc, get_shared\n"
		 "@router.get('/a')\nasync def a(stats: Stats = Depends(), sh: Shared = Depends(get_shared),\n"
		 "            svc: Svc = Depends(get_svc)):\n    return 1\n"
		 "@router.post('/b')\ndef b(bg: BackgroundTasks):\n    s = Stats()\n    bg.add_task(send, 1)\n"
		 "def send(x):\n    pass\n"
		 "@celery.task\ndef nightly():\n    pass\n");
	proj_put(&p, "scripts/seed.py", "def main():\n    pass\n");
	proj_put(&p, "app/cli.py", "def run():\n    pass\n\nif __name__ == '__main__':\n    run()\n");
	proj_put(&p, "app/main.py", "async def boot(app):\n    yield\napp = FastAPI(lifespan=boot)\n"
		 "class Base:\n    db = Depends(get_ro_db)\n"
		 "def get_ro_db():\n    pass\n");
	ix = index_of(&p, &ctx);
	ck_assert_uint_eq(py_index_injects(ix, "Stats", in, 8), 2);
	ck_assert_int_eq(in[0]->via, PIV_DEPENDS);
	ck_assert_int_eq(in[1]->via, PIV_HANDLER);
	/* get_svc is a provider that builds a Svc per request; get_shared is cached */
	ck_assert_uint_eq(py_index_injects(ix, "Svc", in, 8), 1);
	ck_assert_int_eq(in[0]->via, PIV_PROVIDER);
	ck_assert_uint_eq(py_index_injects(ix, "Shared", in, 8), 0);
	ck_assert(fn_named(ix, "app/svc.py", NULL, "get_svc")->provider);
	ck_assert(fn_named(ix, "app/api.py", NULL, "send")->job);
	ck_assert(fn_named(ix, "app/api.py", NULL, "nightly")->job);
	ck_assert(!fn_named(ix, "app/api.py", NULL, "b")->job);
	ck_assert(fn_named(ix, "scripts/seed.py", NULL, "main")->once);
	ck_assert(fn_named(ix, "app/cli.py", NULL, "run")->once);
	ck_assert(!fn_named(ix, "app/api.py", NULL, "send")->once);
	ck_assert(fn_named(ix, "app/main.py", NULL, "boot")->once);
	ck_assert(fn_named(ix, "app/main.py", NULL, "get_ro_db")->provider);
	py_index_free(ix);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(prisma_models)
{
	struct proj p;
	json_t *ctx, *files;
	struct py_index *ix;
	const struct py_model *m;
	const char *target = NULL;
	proj_init(&p);
	proj_put(&p, "prisma/schema.prisma",
		 "// comment\ngenerator client {\n  provider = \"prisma-client-js\"\n}\n"
		 "enum Role {\n  ADMIN\n  USER\n}\n"
		 "model User {\n  id    Int    @id @default(autoincrement()) // pk\n  email String @unique\n"
		 "  role  Role\n  posts Post[]\n  @@map(\"users\")\n}\n"
		 "model Post {\n  id Int @id\n  author   User @relation(fields: [authorId], references: [id])\n"
		 "  authorId Int\n}\n");
	ctx = proj_context(&p, NULL);
	files = json_object_get(ctx, "files");
	json_object_set_new(json_array_get(files, 0), "language", json_string("prisma"));
	json_object_set_new(json_array_get(files, 0), "role", json_string("config"));
	ix = py_index_new();
	ck_assert_int_eq(py_index_add_context(ix, ctx), 0);
	m = py_index_model(ix, "User");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->table, "users");
	ck_assert_uint_eq(m->ncols, 3);   /* id, email, role; posts is a relation */
	ck_assert_uint_eq(py_index_model(ix, "Post")->ncols, 2);
	ck_assert_int_ne(py_index_rel(ix, "User", "posts", &target), PL_NONE);
	ck_assert_str_eq(target, "Post");
	py_index_free(ix);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(empty_and_unreadable)
{
	struct proj p;
	json_t *ctx;
	struct py_index *ix;
	proj_init(&p);
	proj_put(&p, "app/bad.py", "def f(:\n  (((\n");
	proj_put(&p, "app/gone.py", "");
	ck_assert_int_eq(remove(strcat(strcpy((char[600]){ 0 }, p.root), "/app/gone.py")), 0);
	ix = index_of(&p, &ctx);
	ck_assert_ptr_null(py_index_model(ix, "X"));
	ck_assert_ptr_null(py_index_fn_at(ix, "app/gone.py", 1));
	py_index_free(ix);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

Suite *suite_pyindex(void)
{
	Suite *s = suite_create("pyindex");
	TCase *t = tcase_create("index");
	tcase_add_test(t, resolves_calls_across_files);
	tcase_add_test(t, models_and_columns);
	tcase_add_test(t, flags_and_injections);
	tcase_add_test(t, prisma_models);
	tcase_add_test(t, empty_and_unreadable);
	suite_add_tcase(s, t);
	return s;
}
