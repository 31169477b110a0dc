/*
 * pperf-research: adds the best practices of the detected stack, and their
 * sources, to a context.
 *
 * Reads and validates one pperf.context/1 document, loads the knowledge
 * base (the JSON files of research/kb in the build tree, $(PREFIX)/share/pperf/kb once
 * installed, or --kb DIR / PPERF_KB), selects the practices whose
 * technology and version range match tech_stack (lib/kb.h), optionally
 * enriches them from a Context7-compatible endpoint (online.c), and writes
 * the context back with "best_practices" and "sources".  The network never
 * fails a run; a bad context or knowledge base does.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jsonio.h"
#include "kb.h"
#include "research.h"

#define USAGE "usage: pperf-research [--offline | --online] [--kb DIR] [--url URL]" \
	" [--timeout SECONDS] [--cache-ttl SECONDS] [FILE]\n"

static void help(void)
{
	fputs(USAGE, stdout);
	fputs("\nReads one pperf.context/1 document from FILE (or standard input, also\n"
	      "as \"-\"), validates it, and writes it on standard output with two more\n"
	      "keys: \"best_practices\", the knowledge-base practices that apply to the\n"
	      "technologies and versions in tech_stack, grouped by technology, and\n"
	      "\"sources\", the documentation pages they come from.\n\n"
	      "  --offline            never use the network (the default unless\n"
	      "                       PPERF_RESEARCH_URL is set)\n"
	      "  --online             also fetch documentation snippets from a\n"
	      "                       Context7-compatible endpoint (default base URL\n"
	      "                       " RESEARCH_DEFAULT_URL ")\n"
	      "  --kb DIR             read the knowledge base from DIR\n"
	      "  --url URL            endpoint base URL (implies --online)\n"
	      "  --timeout SECONDS    total network time allowed (default 10)\n"
	      "  --cache-ttl SECONDS  reuse cached answers this long (default 604800,\n"
	      "                       0 disables the cache)\n"
	      "  -h, --help           show this help\n"
	      "  -V, --version        show the version\n\n"
	      "Environment: PPERF_KB (knowledge base folder), PPERF_RESEARCH_URL (base\n"
	      "URL; enables online research), PPERF_RESEARCH_TOKEN (sent as a bearer\n"
	      "token, never printed), XDG_CACHE_HOME (cache under pperf/).\n"
	      "A slow, failing or unreachable endpoint gives one warning and the\n"
	      "embedded knowledge base alone; it never fails the run.\n\n"
	      "Exit status: 0 success, 2 usage error, 3 bad input data (malformed or\n"
	      "wrong-schema JSON, empty input, a bad knowledge-base file), 4 system or\n"
	      "I/O error (unreadable FILE, knowledge base not found).\n",
	      stdout);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vmsg("error", NULL, 0, 0, fmt, ap);
	va_end(ap);
	fputs(USAGE, stderr);
	return EXIT_USAGE;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The knowledge base next to the executable: installed
 * (bin/../share/pperf/kb), in the build tree (bin/../research/kb), or one
 * level further up (sanitizer builds put binaries in build-asan/bin).
 */
static int find_kb(const char *argv0, char *out, size_t outsz)
{
	static const char *const rel[] = { "../share/pperf/kb", "../research/kb",
					   "../../share/pperf/kb", "../../research/kb", NULL };
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n > 0) {
		exe[n] = '\0';
	} else if (strchr(argv0, '/') && realpath(argv0, exe)) {
		/* found through argv[0] */
	} else {
		return -1;
	}
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	for (i = 0; rel[i]; i++) {
		snprintf(out, outsz, "%s/%s", exe, rel[i]);
		if (is_dir(out))
			return 0;
	}
	return -1;
}

/* Parses a number of seconds in (0, 3600] ("0.5" allowed). */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0.0) || v > 3600.0)
		return -1;
	*out = v;
	return 0;
}

static int parse_ttl(const char *s, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* Sets key of doc (stealing value). -1 on allocation failure. */
static int put(json_t *doc, const char *key, json_t *value)
{
	return json_object_set_new(doc, key, value);
}

int main(int argc, char **argv)
{
	enum { OPT_OFFLINE = 256, OPT_ONLINE, OPT_KB, OPT_URL, OPT_TIMEOUT, OPT_TTL };
	static const struct option longopts[] = {
		{ "cache-ttl", required_argument, NULL, OPT_TTL },
		{ "help", no_argument, NULL, 'h' },
		{ "kb", required_argument, NULL, OPT_KB },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "online", no_argument, NULL, OPT_ONLINE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "url", required_argument, NULL, OPT_URL },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct research_opts ro = { NULL, NULL, RESEARCH_DEFAULT_TIMEOUT, RESEARCH_DEFAULT_TTL };
	struct jsonio_err err;
	const char *path = "-", *kb_dir = NULL, *env;
	char kb_buf[PATH_MAX + 32];
	int c, status, offline = 0, online = 0;
	json_t *doc, *kb, *bp, *sources;

	cli_init(argv[0]);
	opterr = 0; /* our own one-line messages, in the pperf form */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			return EXIT_OK;
		case 'V':
			return cli_print_version();
		case OPT_OFFLINE:
			offline = 1;
			break;
		case OPT_ONLINE:
			online = 1;
			break;
		case OPT_KB:
			kb_dir = optarg;
			break;
		case OPT_URL:
			if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0)
				return usage_error("--url needs an http:// or https:// URL, got '%s'",
						   optarg);
			ro.base_url = optarg;
			online = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &ro.timeout) < 0)
				return usage_error("--timeout needs seconds between 0 and 3600, got '%s'",
						   optarg);
			break;
		case OPT_TTL:
			if (parse_ttl(optarg, &ro.cache_ttl) < 0)
				return usage_error("--cache-ttl needs a number of seconds, got '%s'", optarg);
			break;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (offline && online)
		return usage_error("%s", "--offline and --online (or --url) exclude each other");
	if (argc - optind > 1)
		return usage_error("%s", "too many arguments");
	if (optind < argc)
		path = argv[optind];
	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO))
		return usage_error("%s", "no input: give FILE or pipe a context into standard input");

	env = getenv("PPERF_RESEARCH_URL");
	if (!ro.base_url && env && *env) {
		if (strncmp(env, "http://", 7) != 0 && strncmp(env, "https://", 8) != 0) {
			cli_error("PPERF_RESEARCH_URL is not an http:// or https:// URL");
			return EXIT_USAGE;
		}
		ro.base_url = env;
		if (!offline)
			online = 1;
	}
	if (!ro.base_url)
		ro.base_url = RESEARCH_DEFAULT_URL;
	env = getenv("PPERF_RESEARCH_TOKEN");
	ro.token = env && *env ? env : NULL;

	memset(&err, 0, sizeof(err));
	doc = jsonio_read_path(path, &err);
	if (doc && jsonio_check_context(doc, &err) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (!doc)
		return jsonio_report(&err);

	if (!kb_dir) {
		env = getenv("PPERF_KB");
		if (env && *env) {
			kb_dir = env;
		} else if (find_kb(argv[0], kb_buf, sizeof kb_buf) == 0) {
			kb_dir = kb_buf;
		} else {
			json_decref(doc);
			cli_error("cannot find the knowledge base next to the program; give --kb DIR");
			return EXIT_IO;
		}
	}
	kb = kb_load_dir(kb_dir, &err);
	if (!kb) {
		json_decref(doc);
		return jsonio_report(&err);
	}
	if (kb_select(kb, json_object_get(doc, "tech_stack"), &bp, &sources) < 0) {
		json_decref(kb);
		json_decref(doc);
		cli_error("out of memory");
		return EXIT_IO;
	}
	if (online)
		research_online(bp, sources, kb, &ro);
	json_decref(kb);
	if (put(doc, "best_practices", bp) < 0 || put(doc, "sources", sources) < 0) {
		json_decref(doc);
		cli_error("out of memory");
		return EXIT_IO;
	}
	status = jsonio_emit(doc);
	json_decref(doc);
	return status;
}
