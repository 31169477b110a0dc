/*
 * js/outline_class: classes, their members and decorators.
 *
 * A class body is a list of members, each parsed from its modifiers
 * (public static async get ...), its name (a word, a string, a number or a
 * computed [key]) and what follows: '(' makes a method (a PB_DEF when it
 * has a body; overloads and abstract methods have none), anything else a
 * property whose initializer is scanned as an expression.  Decorators are
 * statements of their own whose texts wait for the next class or method.
 */
#include <string.h>

#include "js/js.h"
#include "js/outline_p.h"
#include "py/arena.h"

/* A decorator statement at i ('@'): kept for the next class or method. */
uint32_t jb_decorator_stmt(struct jb *b, uint32_t i, uint32_t end, int cur)
{
	uint32_t e = jb_decorator_end(b, i, end);
	struct seg sg;
	jb_seg_open(b, &sg, i, cur);
	jb_scan_expr(b, &sg, i + 1, e, cur);
	jb_seg_close(b, &sg, e, -1);
	if (b->ndecs < 64) {
		if (!b->decs)
			b->decs = py_arena_alloc(b->ol->arena, 64 * sizeof(char *));
		if (b->decs) {
			if (b->ndecs == 0)
				b->dec_line = b->t->v[i].line;
			b->decs[b->ndecs++] = jb_text(b, i + 1, e);
		}
	}
	return e;
}

uint32_t jb_decorator_end(const struct jb *b, uint32_t i, uint32_t end)
{
	uint32_t k = i + 1, m;
	if ((m = jb_paren_at(b, k, end)))
		return m + 1;
	while (k < end && b->t->v[k].kind == PT_NAME) {
		k++;
		if (k + 1 < end && (jb_op(b, k, ".") || jb_op(b, k, "?.")) &&
		    b->t->v[k + 1].kind == PT_NAME) {
			k++;
			continue;
		}
		break;
	}
	if (jb_op(b, k, "<")) /* @ForeignKey<User>(...) */
		k = jb_skip_angles(b, k, end);
	if ((m = jb_paren_at(b, k, end)))
		k = m + 1;
	return k > i + 1 ? k : i + 1;
}

/* The first '{' at the depth of k after k (class and interface headers:
 * not one inside type arguments), or 0. */
uint32_t jb_header_brace(const struct jb *b, uint32_t k, uint32_t end)
{
	const struct py_toks *t = b->t;
	uint16_t d = t->v[k].depth;
	int ang = 0;
	uint32_t j, m;
	for (j = k + 1; j < end; j = m ? m + 1 : j + 1) {
		m = 0;
		if (t->v[j].depth < d || jb_op(b, j, ";"))
			return 0;
		if (jb_op(b, j, "<"))
			ang++;
		else if (jb_op(b, j, ">") && ang > 0)
			ang--;
		else if (jb_op(b, j, "{") && ang == 0)
			return j;
		else if (jb_is_open(b, j))
			m = jb_close(b, j, end);
	}
	return 0;
}

static const char *const member_mods[] = {
	"public", "private", "protected", "static", "readonly", "abstract", "override", "declare",
	"async", "get", "set", "accessor", NULL
};

static int in_words(const struct jb *b, uint32_t i, const char *const *list)
{
	int k;
	for (k = 0; list[k]; k++)
		if (jb_word(b, i, list[k]))
			return 1;
	return 0;
}

/* 1 when token i can start a member's name. */
static int member_name_start(const struct jb *b, uint32_t i)
{
	const struct py_tok *k;
	if (i >= b->n)
		return 0;
	k = &b->t->v[i];
	return k->kind == PT_NAME ||
	       (k->kind == PT_STRING && !(k->flags & (PTF_TEMPLATE | PTF_REGEX | PTF_JSX))) ||
	       k->kind == PT_NUMBER || jb_op(b, i, "[") || jb_op(b, i, "*");
}

/* One class member starting at s: a method (a PB_DEF), a signature, a
 * property (its initializer scanned) or a static block. */
static uint32_t parse_member(struct jb *b, uint32_t s, uint32_t end, int ci)
{
	uint32_t k = s, q, rp, e;
	const char *name = NULL;
	int is_async = 0;
	struct seg sg;
	if (jb_word(b, s, "static") && jb_op(b, s + 1, "{")) {
		uint32_t rb = jb_close(b, s + 1, end);
		if (!rb)
			rb = end;
		jb_plain_stmt(b, s, s + 2, ci);
		jb_parse_list(b, s + 2, rb, ci, 0);
		return rb < end ? rb + 1 : end;
	}
	while (k + 1 < end && in_words(b, k, member_mods) && member_name_start(b, k + 1) &&
	       b->t->v[k + 1].line == b->t->v[k].line) {
		if (jb_word(b, k, "async"))
			is_async = 1;
		k++;
	}
	if (jb_op(b, k, "*"))
		k++;
	if (jb_op(b, k, "[")) {
		q = jb_close(b, k, end);
		q = q ? q + 1 : k + 1;
	} else if (member_name_start(b, k)) {
		name = jb_key_text(b, k);
		q = k + 1;
	} else {
		e = jb_stmt_end(b, s, end);
		jb_plain_stmt(b, s, e, ci);
		return e;
	}
	if (jb_op(b, q, "?") || jb_op(b, q, "!"))
		q++;
	if (jb_op(b, q, "<"))
		q = jb_skip_angles(b, q, end);
	rp = jb_paren_at(b, q, end);
	if (rp) {
		uint32_t r = rp + 1;
		if (jb_op(b, r, ":"))
			r = jb_skip_type(b, r + 1, end, 0, 0);
		r = jb_skip_nl(b, r, end);
		if (jb_op(b, r, "{")) {
			jb_seg_open(b, &sg, s, ci);
			r = jb_make_def(b, &sg, s, q, rp, 0, 0, r, end, ci, name, is_async, 1);
			jb_seg_close(b, &sg, r, -1);
			return r;
		}
		e = jb_stmt_end(b, s, end);
		jb_plain_stmt(b, s, e, ci);
		return e;
	}
	/* a property: name [?] [: type] [= value] */
	e = jb_stmt_end(b, s, end);
	jb_seg_open(b, &sg, s, ci);
	if (jb_op(b, q, ":"))
		q = jb_skip_type(b, q + 1, e, 0, 0);
	if (jb_op(b, q, "="))
		jb_scan_expr(b, &sg, q + 1, e, ci);
	jb_seg_close(b, &sg, e, -1);
	return e;
}

void jb_drop_decorators(struct jb *b)
{
	b->decs = NULL;
	b->ndecs = 0;
}

static void parse_class_body(struct jb *b, uint32_t begin, uint32_t end, int ci)
{
	uint32_t i = begin;
	while (i < end && !b->oom) {
		uint32_t j;
		if (b->t->v[i].kind == PT_NEWLINE || jb_op(b, i, ";")) {
			i++;
			continue;
		}
		if (jb_op(b, i, "@")) {
			i = jb_decorator_stmt(b, i, end, ci);
			continue;
		}
		j = parse_member(b, i, end, ci);
		jb_drop_decorators(b);
		i = j > i ? j : i + 1;
	}
}

uint32_t jb_parse_class(struct jb *b, struct seg *sg, uint32_t k, uint32_t end, int parent)
{
	uint32_t q = k + 1, lb, rb;
	const char *name = NULL;
	struct py_block *bl;
	int ci;
	if (jb_is_name(b, q) && !jb_word(b, q, "extends") && !jb_word(b, q, "implements")) {
		name = jb_text(b, q, q + 1);
		q++;
	}
	if (jb_op(b, q, "<"))
		q = jb_skip_angles(b, q, end);
	lb = jb_header_brace(b, k, end);
	if (!lb)
		return k + 1;
	ci = jb_new_block(b, PB_CLASS, parent, k);
	if (ci < 0)
		return end;
	bl = &b->ol->blocks[ci];
	bl->name = name;
	bl->decorators = b->decs;
	bl->ndecorators = b->ndecs;
	if (b->ndecs)
		bl->dec_line = b->dec_line;
	jb_drop_decorators(b);
	if (q < lb) {
		bl->bases = jb_text(b, q, lb);
		/* mixins: class A extends Mixin(Base) */
		jb_scan_expr(b, sg, q, lb, parent);
	}
	rb = jb_close(b, lb, end);
	if (!rb)
		rb = end;
	bl = &b->ol->blocks[ci];
	bl->hdr_end = lb;
	bl->body_begin = lb + 1;
	bl->body_end = rb;
	jb_seg_close(b, sg, lb + 1, ci);
	parse_class_body(b, lb + 1, rb, ci);
	jb_take_end_line(b, &b->ol->blocks[ci], rb < end ? rb : end - 1);
	if (rb >= end)
		return end;
	jb_seg_open(b, sg, rb, sg->block);
	return rb + 1;
}
