/*
 * catalog.h - the plug-ins this program is built with.
 *
 * The engine defines the three contracts (rule.h, importer.h,
 * report.h) but never names a plug-in: the command line assembles the
 * tables (rules/rules.h, importers/importers.h, reports/reports.h) and
 * installs them here once, before anything else runs.  After that the
 * tables are only read, from any thread.
 */
#ifndef PB_CATALOG_H
#define PB_CATALOG_H

#include "importer.h"
#include "report.h"
#include "rule.h"

typedef struct {
	const pb_rule *const *rules;
	size_t nrules;
	const pb_importer *const *importers;
	size_t nimporters;
	const pb_reporter *const *reporters;
	size_t nreporters;
} pb_catalog;

/* Installs the tables (copied by pointer; they must outlive the run). */
void pb_catalog_install(const pb_catalog *c);

/* The installed tables, in their registry order; written only by
 * pb_catalog_install. */
extern const pb_rule *const *pb_rules;
extern size_t pb_nrules;
extern const pb_importer *const *pb_importers;
extern size_t pb_nimporters;
extern const pb_reporter *const *pb_reporters;
extern size_t pb_nreporters;

const pb_rule *pb_rule_find(const char *id);
/* Index of a rule in pb_rules, or -1. */
int pb_rule_index(const pb_rule *r);
/* Index of a parameter in r->params, or -1. */
int pb_rule_param_index(const pb_rule *r, const char *name);
const pb_reporter *pb_reporter_find(const char *name);

#endif
