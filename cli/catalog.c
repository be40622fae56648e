/*
 * catalog.c - the one place the three plug-in tables meet: installed in
 * the engine's catalogue before any command runs.
 */
#include "../engine/catalog.h"
#include "../importers/importers.h"
#include "../reports/reports.h"
#include "../rules/rules.h"
#include "cli.h"

void cli_catalog_install(void)
{
	pb_catalog c = {
		pb_rule_registry, pb_rule_registry_len,
		pb_importer_registry, pb_importer_registry_len,
		pb_reporter_registry, pb_reporter_registry_len,
	};
	pb_catalog_install(&c);
}
