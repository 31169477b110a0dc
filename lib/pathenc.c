/*
 * pathenc: the display form (\xNN for bytes outside UTF-8) and the exact
 * hex form of file names that are not valid UTF-8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pathenc.h"
#include "banned.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is invalid. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n <= need || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k <= need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

int pathenc_is_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((l = seq_len(u + i, n - i)) == 0)
			return 0;
		i += l;
	}
	return 1;
}

static const char hexdig[] = "0123456789abcdef";

char *pathenc_display(const char *raw)
{
	const unsigned char *u = (const unsigned char *)raw;
	size_t n = strlen(raw), i = 0, o = 0, l;
	char *out = malloc(n * 4 + 1); /* each byte at most 4 characters */

	if (!out)
		return NULL;
	while (i < n) {
		l = seq_len(u + i, n - i);
		if (l) {
			memcpy(out + o, raw + i, l);
			o += l;
			i += l;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hexdig[u[i] >> 4];
		out[o++] = hexdig[u[i] & 15];
		i++;
	}
	out[o] = '\0';
	return out;
}

char *pathenc_hex(const char *raw)
{
	const unsigned char *u = (const unsigned char *)raw;
	size_t n = strlen(raw), i;
	char *out = malloc(n * 2 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[u[i] >> 4];
		out[2 * i + 1] = hexdig[u[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *pathenc_unhex(const char *hex)
{
	size_t n = strlen(hex), i;
	char *out;

	if (n == 0 || n % 2) {
		errno = EINVAL;
		return NULL;
	}
	out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);

		if (h < 0 || l < 0 || (h == 0 && l == 0)) {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		out[i] = (char)(h << 4 | l);
	}
	out[n / 2] = '\0';
	return out;
}

json_t *pathenc_json(const char *raw)
{
	char *d;
	json_t *j;

	if (pathenc_is_utf8(raw, strlen(raw)))
		return json_string(raw);
	d = pathenc_display(raw);
	if (!d)
		return NULL;
	j = json_string(d);
	free(d);
	return j;
}

int pathenc_raw_paths(json_t *context)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(context, "files"), i, f) {
		const char *hex = json_string_value(json_object_get(f, "path_hex"));
		char *raw;
		int rc;

		if (!hex)
			continue;
		if (!(raw = pathenc_unhex(hex)))
			return -1;
		rc = json_object_set_new(f, "path", json_string_nocheck(raw));
		free(raw);
		if (rc < 0)
			return -1;
	}
	return 0;
}
