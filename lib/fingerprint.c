/*
 * fingerprint: see fingerprint.h.  64-bit FNV-1a: stable across builds and
 * machines (no seed), and enough bits that two findings of one project
 * collide with negligible probability.
 */
#include <stdint.h>
#include <stdio.h>

#include "fingerprint.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t mix(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = mix(h, (unsigned char)*s);
	return mix(h, 0);   /* separator: ("ab","c") differs from ("a","bc") */
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The first line of s, white space runs as one blank, ends trimmed. */
static uint64_t mix_line(uint64_t h, const char *s)
{
	int pending = 0, any = 0;
	for (; s && *s && *s != '\n'; s++) {
		if (blank(*s)) {
			pending = any;
			continue;
		}
		if (pending)
			h = mix(h, ' ');
		pending = 0;
		any = 1;
		h = mix(h, (unsigned char)*s);
	}
	return mix(h, 0);
}

void fingerprint_of(const char *check, const char *file, const char *snippet, char out[FINGERPRINT_LEN + 1])
{
	uint64_t h = FNV_OFFSET;
	h = mix_str(h, check);
	h = mix_str(h, file);
	h = mix_line(h, snippet);
	snprintf(out, FINGERPRINT_LEN + 1, "%016llx", (unsigned long long)h);
}

void finding_fingerprint(const struct finding *f, char out[FINGERPRINT_LEN + 1])
{
	fingerprint_of(f->check, f->file, f->snippet, out);
}
