/*
 * pathenc: file names that are not valid UTF-8, in JSON.
 *
 * A POSIX file name is any bytes but NUL, a JSON string is UTF-8.  A
 * context's files[].path is always valid UTF-8: every byte that is not
 * part of a valid UTF-8 sequence is written as the four characters \xNN
 * (lowercase hex), so reports stay readable.  That form is lossy (a name
 * may hold a literal "\x41"), so such an entry also carries "path_hex":
 * the exact bytes, two lowercase hex digits each.  Readers that open the
 * file use path_hex when it is present (pperf-json(5)).
 */
#ifndef PPERF_PATHENC_H
#define PPERF_PATHENC_H

#include <stddef.h>
#include <jansson.h>

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int pathenc_is_utf8(const char *s, size_t n);

/* The display form of raw (malloc'd), invalid bytes as \xNN.  NULL on ENOMEM. */
char *pathenc_display(const char *raw);

/* raw as lowercase hex (malloc'd), NULL on ENOMEM. */
char *pathenc_hex(const char *raw);

/* The bytes of hex (malloc'd, NUL-terminated); NULL when hex is not an even
 * number of hex digits, decodes to a NUL byte or is empty (errno EINVAL), or
 * on ENOMEM. */
char *pathenc_unhex(const char *hex);

/* A JSON string of raw: itself when valid UTF-8, else its display form.  New
 * reference or NULL on ENOMEM. */
json_t *pathenc_json(const char *raw);

/*
 * For each entry of context.files that has a path_hex, replaces its path by
 * the exact bytes (a jansson string that is not UTF-8: for opening, never
 * for output; finding_to_json writes the display form again).  Auditors
 * call it once after reading the context.  0, or -1 on a bad path_hex
 * (jsonio_check_context rejects those first) or ENOMEM.
 */
int pathenc_raw_paths(json_t *context);

#endif
