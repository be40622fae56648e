/*
 * fuzz_pipeline.c - the whole pipeline on a tiny ledger set: the input is
 * split at lines "#--" into up to nine CSV tables (parties, tenders,
 * bids, contracts, amendments, payments, budget, offsets, relationships,
 * in that order), imported from one folder, audited with every rule, and
 * written by every reporter.  The JSON is parsed back: the summary must
 * agree with the findings array and with the audit, every input must
 * reconcile, and the HTML must have one row per finding.
 * Build and run: make fuzz FUZZ_SECONDS=60
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/config.h"
#include "../importers/importers.h"
#include "../reports/reports.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tables[] = {"parties", "tenders", "bids", "contracts", "amendments",
				     "payments", "budget", "offsets", "relationships"};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static char dir[64];

/* Writes the sections of data as TABLE.csv files; returns how many. */
static size_t write_tables(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n#--\n";
	size_t n = 0, at = 0;
	char path[128];

	while (n < NTABLES && at <= size) {
		const uint8_t *end = NULL;
		for (size_t i = at; i + sizeof(sep) - 1 <= size && !end; i++)
			if (!memcmp(data + i, sep, sizeof(sep) - 1))
				end = data + i;
		size_t len = end ? (size_t)(end - data) - at : size - at;
		snprintf(path, sizeof(path), "%s/%s.csv", dir, tables[n]);
		if (len)
			fuzz_write_file(path, data + at, len);
		else
			unlink(path);
		n++;
		if (!end)
			break;
		at = (size_t)(end - data) + sizeof(sep) - 1;
	}
	for (size_t k = n; k < NTABLES; k++) {
		snprintf(path, sizeof(path), "%s/%s.csv", dir, tables[k]);
		unlink(path);
	}
	return n;
}

static char *render(const pb_audit *a, const pb_reporter *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	pb_error err;

	if (!f)
		abort();
	if (r->write(a, f, &err) != 0)
		abort(); /* nothing fails in memory: a reporter error is a bug */
	fclose(f);
	return buf;
}

static void check_json(const pb_audit *a, const char *s, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(s, len, 0, &jerr);
	size_t sev = 0;

	if (!root)
		abort();
	json_t *findings = json_object_get(root, "findings");
	json_t *summary = json_object_get(root, "summary");
	if (!json_is_array(findings) || json_array_size(findings) != a->nfindings ||
	    json_integer_value(json_object_get(summary, "findings")) != (json_int_t)a->nfindings)
		abort();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(summary, "by_severity"), k, v)
		sev += (size_t)json_integer_value(v);
	if (sev != a->nfindings)
		abort();
	size_t i;
	json_array_foreach(json_object_get(root, "inputs"), i, v)
		if (json_integer_value(json_object_get(v, "rows_read")) !=
		    json_integer_value(json_object_get(v, "rows_imported")) +
		    json_integer_value(json_object_get(v, "rows_rejected")))
			abort();
	json_decref(root);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_config cfg;
	pb_error err;

	if (!dir[0])
		snprintf(dir, sizeof(dir), "/tmp/probity-fuzz-pipeline-%d", (int)getpid());
	mkdir(dir, 0700);
	write_tables(data, size);
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	if (pb_import_path(l, dir, NULL, &cfg, &err) == 0) {
		pb_ledger_seal(l);
		pb_audit *a = pb_audit_run(l, &cfg, pb_ledger_latest_date(l, NULL));
		for (size_t r = 0; r < pb_nreporters; r++) {
			size_t len = 0;
			char *out = render(a, pb_reporters[r], &len);
			if (pb_reporters[r] == &pb_report_json)
				check_json(a, out, len);
			if (pb_reporters[r] == &pb_report_html &&
			    count(out, "<tr class=\"finding ") != a->nfindings)
				abort();
			free(out);
		}
		pb_audit_free(a);
	}
	pb_ledger_free(l);
	pb_config_release(&cfg);
	return 0;
}
