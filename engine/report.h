/*
 * report.h - the reporter contract.
 *
 * A reporter writes one format of an audit's result to a stream that
 * the engine opened on a temporary file and renames into place only when
 * the write succeeded.  Reporters never trust ledger text: HTML is built
 * with libxml2's tree, CSV cells are quoted by libcsv and defused against
 * spreadsheet formulas, JSON is built by jansson.  Reporters are named
 * in one table, reports/reports.h.
 *
 * With -j the reports of a run are written side by side, each on a
 * thread: write() reads the audit and the ledger and writes nothing but
 * its stream (no ledger arena, no static state shared between calls).
 */
#ifndef PB_REPORT_H
#define PB_REPORT_H

#include <stdio.h>

#include "audit.h"
#include "config.h"

typedef struct {
	const char *name;     /* "html", as --format spells it */
	const char *filename; /* file written in the output directory */
	const char *help;
	int (*write)(const pb_audit *a, FILE *out, pb_error *err);
} pb_reporter;

/*
 * The bytes of s before the first one jansson would escape in a JSON
 * string ('"', '\\', a control character) or check first (above 0x7f,
 * UTF-8 to validate, or to escape under JSON_ENSURE_ASCII): a string
 * that is all of them, the common case, goes out quoted as it is, as
 * jansson writes it, and any other through jansson.
 */
static inline size_t pb_json_plain_prefix(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p >= 0x20 && *p <= 0x7f && *p != '"' && *p != '\\')
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

#endif
