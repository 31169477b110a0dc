/*
 * research/research.h: the rooms of pperf-research.
 *
 *   main.c    command line, input, the knowledge base, output
 *   online.c  enrichment from a Context7-compatible endpoint, with a cache
 */
#ifndef PPERF_RESEARCH_H
#define PPERF_RESEARCH_H

#include <jansson.h>

#define RESEARCH_DEFAULT_URL "https://context7.com"
#define RESEARCH_DEFAULT_TIMEOUT 10.0
#define RESEARCH_DEFAULT_TTL 604800L /* one week */

struct research_opts {
	const char *base_url; /* endpoint base, no trailing slash needed */
	const char *token;    /* bearer token or NULL; never printed */
	double timeout;       /* total network time, seconds */
	long cache_ttl;       /* seconds; 0: no cache */
};

/*
 * Adds documentation snippets from the endpoint to the groups of
 * best_practices (as practices with "origin": "online") and their pages to
 * sources.  kb gives each technology's library name and query.  Never
 * fails the run: the first problem (network, HTTP status, malformed
 * answer, time budget spent) is reported as one warning on stderr and the
 * remaining technologies are left as the knowledge base has them.
 * Returns the number of online practices added.
 */
int research_online(json_t *best_practices, json_t *sources, const json_t *kb,
		    const struct research_opts *o);

#endif
