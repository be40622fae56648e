/*
 * catalog.c - linked into every unit test: installs the rule, importer
 * and reporter tables before main runs, as cli/main.c does.
 */
#include "../../cli/cli.h"

static void install(void) __attribute__((constructor));

static void install(void)
{
	cli_catalog_install();
}
