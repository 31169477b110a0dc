/*
 * Unit tests of audit-query/unnecessary_resolve.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-query/checks.h"

#define ID "unnecessary_resolve"

#define HEAD \
	"from dataclasses import dataclass\n" \
	"from sqlalchemy import select\n" \
	"from sqlalchemy.dialects.postgresql import insert\n" \
	"class User(Base):\n" \
	"    __tablename__ = 'users'\n" \
	"    id = Column(Integer, primary_key=True)\n" \
	"    email = Column(String)\n" \
	"    name = Column(String)\n" \
	"    iban = Column(String)\n" \
	"    team = relationship('Team')\n" \
	"@dataclass(frozen=True)\n" \
	"class CurrentUser:\n" \
	"    id: int\n" \
	"    email: str\n"
/* HEAD is 14 lines: code after it starts at line 15 */

/* approver_email() loads the User at line 16 for its e-mail */
#define EMAIL \
	"def approver_email(db, approver_id: int) -> str:\n" \
	"    approver = db.scalar(select(User).where(User.id == approver_id))\n" \
	"    return approver.email\n"
/* EMAIL is 3 lines: code after it starts at line 18 */

static const struct db_case positives[] = {
	/* the caller holds a dataclass with that field */
	{ HEAD EMAIL "def approve(db, user: CurrentUser):\n    send(to=approver_email(db, user.id))\n", "16" },
	/* injected into a handler: the current user from the token */
	{ HEAD EMAIL "@router.post('/a')\ndef approve(db=Depends(get_db), user: CurrentUser = Depends(current_user)):\n"
	  "    send(to=approver_email(db, user.id))\n",
	  "16" },
	/* the caller loaded the User itself */
	{ HEAD EMAIL "def approve(db, uid):\n    u = db.get(User, uid)\n    if u.iban:\n        send(approver_email(db, u.id))\n",
	  "16" },
	/* the id comes from the caller's own upsert that set the name */
	{ HEAD "def credit(session, user_id):\n    if user_id is None:\n        return None\n"
	  "    u = session.get(User, user_id)\n    return f'by {u.name}'\n"
	  "def save(session, data):\n    user_id = None\n    if data.get('name'):\n"
	  "        user_id = session.scalar(insert(User).values(name=data['name'])"
	  ".on_conflict_do_nothing().returning(User.id))\n"
	  "    return credit(session, user_id)\n",
	  "18" },
	/* built by the caller with those values */
	{ HEAD "def label(db, user_id):\n    u = db.scalars(select(User).where(User.id == user_id)).one()\n"
	  "    return u.name + ' ' + u.email\n"
	  "def make(db, n, e):\n    u = User(name=n, email=e)\n    db.add(u)\n    db.flush()\n    return label(db, u.id)\n",
	  "16" },
};

static const struct db_case negatives[] = {
	/* mutated in the callee */
	{ HEAD "def touch(db, user_id):\n    u = db.get(User, user_id)\n    u.name = u.name.strip()\n"
	  "def run(db, user: CurrentUser):\n    touch(db, user.id)\n",
	  "" },
	/* locked */
	{ HEAD "def lock(db, user_id):\n    u = db.execute(select(User).where(User.id == user_id).with_for_update()).scalar_one()\n"
	  "    return u.email\n"
	  "def run(db, user: CurrentUser):\n    lock(db, user.id)\n",
	  "" },
	/* more than two attributes */
	{ HEAD "def card(db, user_id):\n    u = db.get(User, user_id)\n    return (u.name, u.email, u.iban)\n"
	  "def run(db, uid):\n    u = db.get(User, uid)\n    return card(db, u.id)\n",
	  "" },
	/* returned, passed on, used whole */
	{ HEAD "def one(db, user_id):\n    u = db.get(User, user_id)\n    log(u.email)\n    return u\n"
	  "def run(db, user: CurrentUser):\n    one(db, user.id)\n",
	  "" },
	{ HEAD "def one(db, user_id):\n    u = db.get(User, user_id)\n    return f'{u}: {u.email}'\n"
	  "def run(db, user: CurrentUser):\n    one(db, user.id)\n",
	  "" },
	/* a relationship: reading it loads more rows */
	{ HEAD "def team_of(db, user_id):\n    u = db.get(User, user_id)\n    return u.team\n"
	  "def run(db, uid):\n    u = db.get(User, uid)\n    return team_of(db, u.id)\n",
	  "" },
	/* the caller's dataclass does not have that field */
	{ HEAD "def iban_of(db, user_id):\n    u = db.get(User, user_id)\n    return u.iban\n"
	  "def run(db, user: CurrentUser):\n    return iban_of(db, user.id)\n",
	  "" },
	/* a handler's request body holds what the client sent, not the stored row */
	{ HEAD EMAIL "@router.post('/a')\ndef approve(user: CurrentUser, db=Depends(get_db)):\n"
	  "    send(to=approver_email(db, user.id))\n",
	  "" },
	{ HEAD EMAIL "@dataclass\nclass UserUpdate:\n    id: int\n    email: str\n"
	  "def rename(db, body: UserUpdate):\n    old = approver_email(db, body.id)\n",
	  "" },
	/* session.get() in the caller's session finds the object it built: no round trip */
	{ HEAD "def label(db, user_id):\n    u = db.get(User, user_id)\n    return u.name\n"
	  "def make(db, n):\n    u = User(name=n)\n    db.add(u)\n    db.flush()\n    return label(db, u.id)\n",
	  "" },
	/* the caller holds nothing of it */
	{ HEAD EMAIL "def run(db, approver_id: int):\n    return approver_email(db, approver_id)\n", "" },
	/* an id passed to a function that loads another model */
	{ HEAD "def team_name(db, team_id):\n    t = db.get(Team, team_id)\n    return t.name\n"
	  "def run(db, uid):\n    u = db.get(User, uid)\n    return team_name(db, u.id)\n",
	  "" },
	/* the insert did not set the attribute read */
	{ HEAD "def credit(session, user_id):\n    u = session.get(User, user_id)\n    return u.email\n"
	  "def save(session, data):\n"
	  "    user_id = session.scalar(insert(User).values(name=data['name']).returning(User.id))\n"
	  "    return credit(session, user_id)\n",
	  "" },
	/* only the id is read: nothing to pass instead */
	{ HEAD "def exists(db, user_id):\n    u = db.get(User, user_id)\n    return u.id\n"
	  "def run(db, user: CurrentUser):\n    return exists(db, user.id)\n",
	  "" },
};

START_TEST(positive)
{
	db_expect(&query_auditor, ID, &positives[_i], NULL);
}
END_TEST

START_TEST(negative)
{
	db_expect(&query_auditor, ID, &negatives[_i], NULL);
}
END_TEST

START_TEST(severity_and_text)
{
	char *s;
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "approver_email() loads User by approver_id only to read email") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "approve() (app/mod.py:19)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "CurrentUser parameter user") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[3].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "insert(User).values(...)") != NULL, "%s", s);
	free(s);
	/* runs once: LOW */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				HEAD EMAIL "def seed_users(db, user: CurrentUser):\n    approver_email(db, user.id)\n", NULL,
				NULL),
			 SEV_LOW);
}
END_TEST

START_TEST(across_files)
{
	/* the callee in another module, called through a from-import; the caller
	 * got the Member from a repository method annotated to return it */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "lib/models.py",
		 "class Member(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    name: str\n"
		 "    card_no: str\n");
	proj_put(&p, "lib/services/mail.py",
		 "from sqlalchemy import select\nfrom lib.models import Member\n\n"
		 "async def reminder(session, member_id: int, due) -> str:\n"
		 "    member = (await session.exec(select(Member).where(Member.id == member_id))).scalar_one()\n"
		 "    return f\"Dear {member.name}, by {due:%d %B}.\"\n");
	proj_put(&p, "lib/repo.py",
		 "from typing import Optional\nfrom lib.models import Member\n\nclass Repo:\n"
		 "    def __init__(self, session):\n        self.session = session\n"
		 "    async def by_card(self, card: str) -> Optional[Member]:\n"
		 "        return (await self.session.exec(select(Member).where(Member.card_no == card))).first()\n");
	proj_put(&p, "lib/routes.py",
		 "from fastapi import APIRouter, Depends\nfrom lib.repo import Repo\nfrom lib.services.mail import reminder\n"
		 "router = APIRouter()\n\n@router.post('/lend')\nasync def lend(card: str, session=Depends(get_session)):\n"
		 "    repo = Repo(session)\n    member = await repo.by_card(card)\n"
		 "    return await reminder(session, member.id, today())\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "lib/services/mail.py:5");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	ck_assert_msg(strstr(fl.v[0].issue, "lend() (lib/routes.py:10)") != NULL, "%s", fl.v[0].issue);
	finding_list_free(&fl);
	/* redundant_fetch reports the same line (the handler holds that Member) */
	ck_assert_str_eq(proj_lines(&query_auditor, "redundant_fetch", ctx, &fl, got, sizeof(got)),
			 "lib/services/mail.py:5");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&query_auditor, ID);
}
END_TEST

Suite *suite_unnecessary_resolve(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positive"), *n = tcase_create("negative"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, across_files);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
