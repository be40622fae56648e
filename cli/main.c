/*
 * main.c - the command table: `probity COMMAND ...` runs cmd_COMMAND
 * (cli/COMMAND.c).  A new command is one file and one row here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

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

/*
 * glibc raises its mmap threshold to the size of each large block freed
 * (up to 32 MiB), after which the ledger's growing tables and the rules'
 * indexes live in the heap, where every outgrown copy leaves a hole that
 * stays resident: 25-30 MiB of a 1M-row audit's peak.  A fixed threshold
 * keeps blocks of 256 KiB and more in their own mappings, grown by
 * mremap and handed back when freed.
 */
static void keep_large_blocks_mapped(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

int main(int argc, char **argv)
{
	keep_large_blocks_mapped();
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
