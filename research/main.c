/*
 * pperf-research: adds best practices and their sources to a context.
 *
 * This version works offline: it validates the pperf.context/1 document
 * and passes it through unchanged plus "best_practices": [] and
 * "sources": [] (kept when already present).  Fetching them over the
 * network comes with a later version.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "jsonio.h"

#define USAGE "usage: pperf-research [--offline] [FILE]\n"

static void help(void)
{
	fputs(USAGE, stdout);
	fputs("\nReads one pperf.context/1 document from FILE (or standard input, also\n"
	      "as \"-\"), validates it, and writes it on standard output with two more\n"
	      "keys: \"best_practices\" and \"sources\".  This version does not use the\n"
	      "network yet: both lists are empty (a later version fills them).\n\n"
	      "  --offline      never use the network (the only mode for now)\n"
	      "  -h, --help     show this help\n"
	      "  -V, --version  show the version\n\n"
	      "Exit status: 0 success, 2 usage error, 3 bad input data (malformed or\n"
	      "wrong-schema JSON, empty input), 4 system or I/O error.\n",
	      stdout);
}

/* Sets key to an empty array unless it already holds an array. */
static void ensure_array(json_t *doc, const char *key)
{
	if (!json_is_array(json_object_get(doc, key)))
		json_object_set_new(doc, key, json_array());
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "offline", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct jsonio_err err;
	const char *path = "-";
	json_t *doc;
	int c, status;

	cli_init(argv[0]);
	opterr = 0; /* our own one-line messages, in the pperf form */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			return EXIT_OK;
		case 'V':
			return cli_print_version();
		case 'o':
			break;
		case ':':
			cli_error("option '%s' needs an argument", argv[optind - 1]);
			fputs(USAGE, stderr);
			return EXIT_USAGE;
		default:
			cli_error("unknown option '%s'", argv[optind - 1]);
			fputs(USAGE, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		cli_error("too many arguments");
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		path = argv[optind];
	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO)) {
		cli_error("no input: give FILE or pipe a context into standard input");
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	doc = jsonio_read_path(path, &err);
	if (doc && jsonio_check_context(doc, &err) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (!doc)
		return jsonio_report(&err);
	ensure_array(doc, "best_practices");
	ensure_array(doc, "sources");
	status = jsonio_emit(doc);
	json_decref(doc);
	return status;
}
