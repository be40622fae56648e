/* init.c - `probity init`: a commented default config, or a draft profile. */
#include <errno.h>
#include <string.h>

#include "../engine/output.h"
#include "cli.h"

int cmd_init(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "probity.ini";

	if (argc == 3 && !strcmp(argv[1], "--profile")) {
		pb_error err;
		if (pb_config_draft_profile(stdout, argv[2], &err) < 0)
			cli_die_err(&err);
		return fflush(stdout) ? PB_EXIT_INPUT : 0;
	}

	if (argc > 2)
		cli_die(PB_EXIT_USAGE, "init: too many arguments");
	if (!strcmp(path, "-")) {
		pb_config_write_default(stdout);
		return fflush(stdout) ? PB_EXIT_INPUT : 0;
	}
	FILE *f = fopen(path, "wx");
	if (!f)
		cli_die(errno == EEXIST ? PB_EXIT_USAGE : PB_EXIT_INPUT,
		    "%s: cannot create: %s", path, strerror(errno));
	pb_config_write_default(f);
	if (fclose(f) != 0)
		cli_die(PB_EXIT_INPUT, "%s: write failed: %s", path, strerror(errno));
	fputs("probity: wrote ", stderr);
	pb_output_escape(stderr, path);
	fputc('\n', stderr);
	return 0;
}

