/*
 * csv.c - findings.csv: one row per finding, for spreadsheets and scripts.
 * Cells are quoted by libcsv; a cell from ledger text that a spreadsheet
 * would run as a formula (= + - @ tab CR first) gets a leading apostrophe
 * (OWASP, "CSV Injection").  Lines end in CRLF as RFC 4180 says.
 */
#include <csv.h>
#include <string.h>

#include "../engine/entities.h"
#include "report.h"

static void cell(FILE *out, const char *s, int first)
{
	if (!first)
		fputc(',', out);
	if (!s)
		s = "";
	if (strchr("=+-@\t\r", s[0]) && s[0]) {
		pb_buf b;
		pb_buf_init(&b);
		pb_buf_addch(&b, '\'');
		pb_buf_addstr(&b, s);
		csv_fwrite(out, b.data, b.len);
		pb_buf_release(&b);
		return;
	}
	csv_fwrite(out, s, strlen(s));
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void row_end(FILE *out)
{
	fputs("\r\n", out);
}

static const char *const header[] = {
	"id", "rule", "family", "severity", "score", "subject_table",
	"subject_id", "message", "evidence", "buyer", "supplier", NULL};

static void finding_row(FILE *out, const pb_finding *f)
{
	char score[32];
	pb_buf ev;

	snprintf(score, sizeof(score), "%.4f", f->score);
	pb_buf_init(&ev);
	for (size_t i = 0; i < f->nevidence; i++)
		pb_buf_addf(&ev, "%s%s:%s@%s", i ? "; " : "", nz(f->evidence[i].table),
			    nz(f->evidence[i].id), nz(f->evidence[i].source));
	cell(out, f->id, 1);
	cell(out, f->rule->id, 0);
	cell(out, f->rule->family, 0);
	cell(out, pb_severity_name(f->severity), 0);
	cell(out, score, 0);
	cell(out, f->subject_table, 0);
	cell(out, f->subject_id, 0);
	cell(out, f->message, 0);
	cell(out, ev.data, 0);
	cell(out, f->buyer_id, 0);
	cell(out, f->supplier_id, 0);
	row_end(out);
	pb_buf_release(&ev);
}

static int findings_csv_write(const pb_audit *a, FILE *out, pb_error *err)
{
	for (size_t i = 0; header[i]; i++)
		cell(out, header[i], i == 0);
	row_end(out);
	for (size_t i = 0; i < a->nfindings; i++)
		finding_row(out, a->findings[i]);
	if (ferror(out)) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write CSV report");
		return -1;
	}
	return 0;
}

const pb_reporter pb_report_csv = {
	.name = "csv",
	.filename = "findings.csv",
	.help = "one row per finding (RFC 4180, formula cells defused)",
	.write = findings_csv_write,
};

/* entities.csv: the ranked buyers and suppliers (engine/entities.h). */
static const char *const entity_header[] = {
	"rank", "id", "name", "role", "score", "findings", "weight",
	"rules_applicable", "rules_fired", NULL};

static int entities_csv_write(const pb_audit *a, FILE *out, pb_error *err)
{
	char buf[7][32];

	for (size_t i = 0; entity_header[i]; i++)
		cell(out, entity_header[i], i == 0);
	row_end(out);
	for (size_t i = 0; i < a->nentities; i++) {
		const pb_entity_score *e = &a->entities[i];
		snprintf(buf[0], sizeof(buf[0]), "%zu", e->rank);
		snprintf(buf[1], sizeof(buf[1]), "%.4f", e->score);
		snprintf(buf[2], sizeof(buf[2]), "%zu", e->nfindings);
		snprintf(buf[3], sizeof(buf[3]), "%u", e->weight);
		snprintf(buf[4], sizeof(buf[4]), "%zu", e->napplicable);
		snprintf(buf[5], sizeof(buf[5]), "%zu", e->nfired);
		cell(out, buf[0], 1);
		cell(out, e->id, 0);
		cell(out, e->name, 0);
		cell(out, e->role, 0);
		cell(out, buf[1], 0);
		cell(out, buf[2], 0);
		cell(out, buf[3], 0);
		cell(out, buf[4], 0);
		cell(out, buf[5], 0);
		row_end(out);
	}
	if (ferror(out)) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write entities.csv");
		return -1;
	}
	return 0;
}

const pb_reporter pb_report_entities_csv = {
	.name = "entities",
	.filename = "entities.csv",
	.help = "buyers and suppliers ranked by risk score (written with csv)",
	.write = entities_csv_write,
};
