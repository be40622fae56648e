/*
 * reports.h - the table of reporters, the only place a format is named
 * (the contract is engine/report.h).  `csv` and `entities` are separate
 * entries because they are separate files; the command line writes
 * entities.csv whenever csv is asked for.
 */
#ifndef PB_REPORTS_H
#define PB_REPORTS_H

#include "../engine/report.h"

extern const pb_reporter pb_report_json;
extern const pb_reporter pb_report_csv;
extern const pb_reporter pb_report_entities_csv;
extern const pb_reporter pb_report_html;
extern const pb_reporter pb_report_text;
extern const pb_reporter pb_report_cardinal;

/* Cardinal's JSON (reports/cardinal.c), with or without its "Meta", for
 * `probity cardinal --no-meta`; the reporter row writes it with. */
int pb_report_cardinal_write(const pb_audit *a, int with_meta, FILE *out, pb_error *err);

extern const pb_reporter *const pb_reporter_registry[];
extern const size_t pb_reporter_registry_len;

#endif
