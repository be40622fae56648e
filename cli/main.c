/*
 * main.c - the command table: `probity COMMAND ...` runs cmd_COMMAND
 * (cli/COMMAND.c).  A new command is one file and one row here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../engine/pb.h"

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("probity %s\n", PB_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"audit", cmd_audit},     {"check", cmd_check},
	{"rules", cmd_rules},     {"init", cmd_init},
	{"cardinal", cmd_cardinal},
	{"history", cmd_history}, {"triage", cmd_triage},
	{"help", cmd_help},       {"--help", cmd_help},
	{"-h", cmd_help},         {"version", cmd_version},
	{"--version", cmd_version},
};

int main(int argc, char **argv)
{
	(void)pb_heap_policy_set(PB_HEAP_GROWING); /* engine/pb.h: why */
	ssize_t n = readlink("/proc/self/exe", cli_exe_path, sizeof(cli_exe_path) - 1);
	if (n > 0)
		cli_exe_path[n] = '\0';
	else
		snprintf(cli_exe_path, sizeof(cli_exe_path), "%s", argv[0]);
	cli_catalog_install();
	if (argc < 2) {
		cli_usage(stderr);
		return PB_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_die(PB_EXIT_USAGE, "'%s' is not a probity command; see 'probity --help'", argv[1]);
}
