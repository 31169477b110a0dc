/*
 * js/outline_type: TypeScript types, skipped so that they are never read
 * as code.
 *
 * Annotations (x: Map<K, V>), return types ((x): Promise<T> =>), type
 * arguments (repo.find<User>(...)) and type parameters (<T,>(x: T) => x)
 * are walked over token by token: an operand (a name, a literal, a
 * bracketed group) then an operator (. | & [] <...> => extends is ?:).
 * Guesses (is this '<' a type argument list?) read a bounded number of
 * tokens, so that no input makes them quadratic.
 */
#include <string.h>

#include "js/js.h"
#include "js/outline_p.h"

int jb_is_closer(const struct jb *b, uint32_t i)
{
	const struct py_tok *k = &b->t->v[i];
	return k->kind == PT_OP && k->len == 1 && strchr(")]}", b->t->src[k->off]);
}

int jb_plain_string(const struct jb *b, uint32_t i)
{
	return i < b->n && b->t->v[i].kind == PT_STRING && !(b->t->v[i].flags & (PTF_REGEX | PTF_JSX));
}

/* Tokens allowed inside type arguments when guessing whether a '<' opens
 * them: names, literals and the type operators. */
int jb_type_arg_tok(const struct jb *b, uint32_t q)
{
	static const char *const ops[] = {
		".", ",", "|", "&", "?", ":", "=>", "-", "...", "?.", "[", "]", NULL
	};
	const struct py_tok *k = &b->t->v[q];
	int i;
	if (k->kind == PT_NAME || k->kind == PT_NUMBER || jb_plain_string(b, q))
		return 1;
	if (k->kind != PT_OP)
		return 0;
	for (i = 0; ops[i]; i++)
		if (py_tok_is(b->t, q, ops[i]))
			return 1;
	return 0;
}

/* At a '<' after a name: when it opens type arguments followed by a call's
 * '(' or a tagged template (repo.find<User>(...)), that token; else 0. */
uint32_t jb_generic_call(const struct jb *b, uint32_t lt, uint32_t end)
{
	uint32_t q, m, steps = 0;
	int cnt = 0;
	for (q = lt; q < end && steps < JS_SPEC_LIMIT; q++, steps++) {
		if (jb_op(b, q, "<")) {
			cnt++;
		} else if (jb_op(b, q, ">")) {
			if (--cnt == 0)
				return q + 1 < end && (jb_op(b, q + 1, "(") ||
				    (b->t->v[q + 1].flags & PTF_TEMPLATE)) ? q + 1 : 0;
		} else if (jb_is_open(b, q)) {
			if (!(m = jb_close(b, q, end)))
				return 0;
			q = m;
		} else if (!jb_type_arg_tok(b, q)) {
			return 0;
		}
	}
	return 0;
}

/* Backwards from a '>' at gt: the '<' opening type arguments after a name,
 * or 0. */
uint32_t jb_back_angle(const struct jb *b, uint32_t gt, uint32_t lim)
{
	uint32_t q, steps = 0;
	int cnt = 0;
	for (q = gt; q > lim && steps < JS_SPEC_LIMIT; q--, steps++) {
		if (jb_op(b, q, ">")) {
			cnt++;
		} else if (jb_op(b, q, "<")) {
			if (--cnt == 0)
				return q > lim && b->t->v[q - 1].kind == PT_NAME ? q : 0;
		} else if (jb_is_closer(b, q)) {
			int32_t m = b->match[q];
			/* the opener must lie after lim: the loop steps before it */
			if (m <= (int32_t)lim || m > (int32_t)q)
				return 0;
			q = (uint32_t)m;
		} else if (!jb_type_arg_tok(b, q)) {
			return 0;
		}
	}
	return 0;
}

/* Backwards from the '>' at gt closing an arrow's type parameters: the
 * '<' opening them, or gt + 1 (the arrow starts after gt) when unsure. */
uint32_t jb_type_params_before(const struct jb *b, uint32_t gt, uint32_t lim)
{
	uint32_t q = gt, steps = 0;
	int cnt = 0;
	while (q >= lim && steps++ < 64) {
		if (jb_op(b, q, ">")) {
			cnt++;
		} else if (jb_op(b, q, "<")) {
			if (--cnt == 0)
				return q;
		} else if (jb_is_closer(b, q)) {
			int32_t m = b->match[q];
			if (m < (int32_t)lim || m > (int32_t)q)
				break;
			q = (uint32_t)m;
		} else if (!jb_type_arg_tok(b, q) && !jb_op(b, q, "=")) {
			break;
		}
		if (q == lim)
			break;
		q--;
	}
	return gt + 1;
}

uint32_t jb_skip_angles(const struct jb *b, uint32_t i, uint32_t end)
{
	uint16_t d = b->t->v[i].depth;
	uint32_t q, m, steps = 0;
	int cnt = 0;
	for (q = i; q < end && steps < 4 * JS_SPEC_LIMIT; q++, steps++) {
		const struct py_tok *k = &b->t->v[q];
		if (k->depth < d || k->kind == PT_NEWLINE || jb_op(b, q, ";"))
			break;
		if (jb_op(b, q, "<")) {
			cnt++;
		} else if (jb_op(b, q, ">") || jb_op(b, q, ">=")) {
			if (--cnt == 0)
				return q + 1;
		} else if (jb_is_open(b, q)) {
			if (!(m = jb_close(b, q, end)))
				break;
			q = m;
		}
	}
	return i + 1;
}

static const char *const type_prefixes[] = {
	"typeof", "keyof", "readonly", "unique", "infer", "asserts", "new", "abstract", NULL
};

uint32_t jb_skip_type(const struct jb *b, uint32_t i, uint32_t end, int arrow_ends, uint32_t limit)
{
	const struct py_toks *t = b->t;
	int operand = 1, tern = 0, paren = 0, k;
	uint32_t steps = 0, m;
	uint16_t d;
	if (i >= end)
		return i;
	d = t->v[i].depth;
	while (i < end && (!limit || steps++ < limit)) {
		const struct py_tok *tk = &t->v[i];
		if (tk->depth < d || tk->kind == PT_NEWLINE)
			break;
		if (operand) {
			if (jb_is_open(b, i)) {
				if (!(m = jb_close(b, i, end)))
					break;
				paren = jb_op(b, i, "(");
				i = m + 1;
				operand = 0;
				continue;
			}
			if (tk->kind == PT_NAME) {
				for (k = 0; type_prefixes[k] && !py_tok_is(t, i, type_prefixes[k]); k++)
					;
				if (!type_prefixes[k]) {
					operand = 0;
					paren = 0;
				}
				i++;
				continue;
			}
			if (tk->kind == PT_STRING || tk->kind == PT_NUMBER) {
				operand = 0;
				paren = 0;
				i++;
				continue;
			}
			if (jb_op(b, i, "-") || jb_op(b, i, "|") || jb_op(b, i, "&") || jb_op(b, i, "...")) {
				i++;
				continue;
			}
			if (jb_op(b, i, "<")) { /* <T>(x: T) => U */
				i = jb_skip_angles(b, i, end);
				continue;
			}
			break;
		}
		if (jb_op(b, i, ".") || jb_op(b, i, "|") || jb_op(b, i, "&") || jb_word(b, i, "is") ||
		    jb_word(b, i, "extends")) {
			operand = 1;
		} else if (jb_op(b, i, "[")) { /* (A | B)[] is an array, not a function type */
			if (!(m = jb_close(b, i, end)))
				break;
			i = m;
			paren = 0;
		} else if (jb_op(b, i, "<")) {
			i = jb_skip_angles(b, i, end);
			paren = 0;
			continue;
		} else if (jb_op(b, i, "=>")) {
			/* (a: A) => B is a function type; after any other type
			 * the "=>" is the arrow function's own */
			if (arrow_ends && !paren)
				break;
			operand = 1;
			paren = 0;
		} else if (jb_op(b, i, "?")) {
			tern++;
			operand = 1;
		} else if (jb_op(b, i, ":") && tern) {
			tern--;
			operand = 1;
		} else {
			break;
		}
		i++;
	}
	return i;
}
