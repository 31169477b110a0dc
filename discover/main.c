/*
 * pperf-discover: writes the pperf.context/1 document of a project.
 *
 * Only command line, output and exit status live here; the work is
 * lib/discover.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "discover.h"
#include "jsonio.h"

#define USAGE "usage: pperf-discover [--no-git] [--max-file-size BYTES] [--config PATH | --no-config] [ROOT]\n"

static void help(void)
{
	fputs(USAGE, stdout);
	fputs("\nLists the files of the project under ROOT (default: the current directory),\n"
	      "classifies them (language, role), detects the stack from manifests and\n"
	      "imports, reads database settings and triggers, and writes one\n"
	      "pperf.context/1 JSON document on standard output.\n\n"
	      "  --config PATH          read the pperf configuration from PATH (JSON, or\n"
	      "                         a *.toml file's [tool.pperf] table) instead of\n"
	      "                         ROOT/.pperf.json or ROOT/pyproject.toml\n"
	      "  --max-file-size BYTES  leave out larger files with a warning (suffix K, M\n"
	      "                         or G allowed; default 8M)\n"
	      "  --no-config            read no configuration file\n"
	      "  --no-git               walk the directory even inside a git work tree\n"
	      "  -h, --help             show this help\n"
	      "  -V, --version          show the version\n\n"
	      "Exit status: 0 success, 2 usage error, 3 invalid configuration (unknown\n"
	      "key, wrong type), 4 system or I/O error (missing or unreadable ROOT or\n"
	      "configuration file).  Unreadable, binary or too large files are warnings.\n",
	      stdout);
}

/* "123", "64K", "8M", "1G" -> bytes; 0 when malformed. */
static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	return *end ? 0 : (size_t)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-file-size", required_argument, NULL, 'm' },
		{ "no-config", no_argument, NULL, 'n' },
		{ "no-git", no_argument, NULL, 'g' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct discover_opts o;
	struct jsonio_err err;
	json_t *doc;
	int c, status;

	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	opterr = 0; /* our own one-line messages, in the pperf form */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			return EXIT_OK;
		case 'V':
			return cli_print_version();
		case 'g':
			o.no_git = 1;
			break;
		case 'c':
		case 'n':
			if (o.config_mode != CONFIG_FIND) {
				cli_error("--config and --no-config are exclusive and given once");
				fputs(USAGE, stderr);
				return EXIT_USAGE;
			}
			o.config_mode = c == 'c' ? CONFIG_PATH : CONFIG_NONE;
			o.config_path = c == 'c' ? optarg : NULL;
			break;
		case 'm':
			o.max_file_size = parse_size(optarg);
			if (!o.max_file_size) {
				cli_error("--max-file-size: invalid size '%s'", optarg);
				fputs(USAGE, stderr);
				return EXIT_USAGE;
			}
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
	memset(&err, 0, sizeof(err));
	doc = discover_context(optind < argc ? argv[optind] : ".", &o, &err);
	if (!doc)
		return jsonio_report(&err);
	status = jsonio_emit(doc);
	json_decref(doc);
	return status;
}
