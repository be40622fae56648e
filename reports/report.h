/*
 * report.h - the reporter contract and registry.
 *
 * A reporter writes one format of an audit's result to a stream that
 * the engine opened on a temporary file and renames into place only when
 * the write succeeded.  Reporters never trust ledger text: HTML is built
 * with libxml2's tree, CSV cells are quoted by libcsv and defused against
 * spreadsheet formulas, JSON is built by jansson.
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdio.h>

#include "../engine/audit.h"
#include "../engine/config.h"

typedef struct {
	const char *name;     /* "html", as --format spells it */
	const char *filename; /* file written in the output directory */
	const char *help;
	int (*write)(const pb_audit *a, FILE *out, pb_error *err);
} pb_reporter;

extern const pb_reporter pb_report_json;
extern const pb_reporter pb_report_csv;
extern const pb_reporter pb_report_entities_csv;
extern const pb_reporter pb_report_html;
extern const pb_reporter pb_report_text;

extern const pb_reporter *const pb_reporters[];
extern const size_t pb_nreporters;

const pb_reporter *pb_reporter_find(const char *name);

/* Shared helpers for reporters (reports/common.c). */
/* Money in a record's currency as text, e.g. "1234.50". */
const char *pb_report_tool(void); /* "probity 0.1.0" */

#endif
