/*
 * csv.c - findings.csv: one row per finding, for spreadsheets and scripts.
 * Cells are quoted as libcsv quotes them; a cell from ledger text that a spreadsheet
 * would run as a formula (= + - @ tab CR first) gets a leading apostrophe
 * (OWASP, "CSV Injection").  Lines end in CRLF as RFC 4180 says.
 */
#include <errno.h>
#include <string.h>

#include "../engine/catalog.h"
#include "../engine/entities.h"
#include "../engine/history.h"
#include "../engine/report.h"
#include "../engine/value.h"

/*
 * Cells are written as they stream, without a copy: one quoting function
 * (RFC 4180, as libcsv's csv_fwrite quotes) and the formula check on the
 * cell's first character, so memory stays flat however many findings.
 */
static void quoted(FILE *out, const char *s)
{
	if (!s)
		return;
	/* one pass: the run up to a quote or the end, then the quote doubled */
	for (;;) {
		size_t n = strcspn(s, "\"");
		fwrite(s, 1, n, out);
		if (!s[n])
			return;
		fwrite("\"\"", 1, 2, out);
		s += n + 1;
	}
}

/* Would a spreadsheet run a cell starting with c as a formula? */
static int formula_lead(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Opens a cell whose text will begin with `lead`. */
static void cell_open(FILE *out, const char *lead, int first)
{
	if (!first)
		putc_unlocked(',', out);
	putc_unlocked('"', out);
	if (lead && formula_lead(lead[0]))
		putc_unlocked('\'', out);
}

static void cell(FILE *out, const char *s, int first)
{
	cell_open(out, s, first);
	quoted(out, s);
	putc_unlocked('"', out);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int row_end(FILE *out, pb_error *err)
{
	fputs("\r\n", out);
	if (!ferror(out))
		return 0;
	pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
	return -1;
}

static const char *const header[] = {
	"id", "rule", "family", "severity", "score", "subject_table",
	"subject_id", "message", "evidence", "buyer", "supplier", NULL};

/* table:id@source joined by "; ", in one cell. */
static void evidence_cell(FILE *out, const pb_finding *f)
{
	const char *lead = f->nevidence ? nz(f->evidence[0].table) : "";

	cell_open(out, lead[0] || !f->nevidence ? lead : ":", 0);
	for (size_t i = 0; i < f->nevidence; i++) {
		if (i)
			fputs("; ", out);
		quoted(out, nz(f->evidence[i].table));
		putc_unlocked(':', out);
		quoted(out, nz(f->evidence[i].id));
		putc_unlocked('@', out);
		quoted(out, nz(f->evidence[i].source));
	}
	putc_unlocked('"', out);
}

static void history_cells(FILE *out, const pb_hentry *e);

static int finding_row(FILE *out, const pb_finding *f, const pb_hentry *h, pb_error *err)
{
	char score[32];

	snprintf(score, sizeof(score), "%.4f", f->score);
	cell(out, f->id, 1);
	cell(out, f->rule->id, 0);
	cell(out, f->rule->family, 0);
	cell(out, pb_severity_name(f->severity), 0);
	cell(out, score, 0);
	cell(out, f->subject_table, 0);
	cell(out, f->subject_id, 0);
	cell(out, f->message, 0);
	evidence_cell(out, f);
	cell(out, f->buyer_id, 0);
	cell(out, f->supplier_id, 0);
	if (h)
		history_cells(out, h);
	return row_end(out, err);
}

/* Made with a history: each finding's state against the last run and
 * its reviewer decision, in four more columns. */
static const char *const history_header[] = {"state", "decision", "decided_by", "decision_note", NULL};

static void history_cells(FILE *out, const pb_hentry *e)
{
	const pb_decision *d = e->decision;

	cell(out, pb_hstate_name(e->state), 0);
	cell(out, d ? pb_dstatus_name(d->status) : "", 0);
	cell(out, d ? nz(d->by) : "", 0);
	cell(out, d ? nz(d->note) : "", 0);
}

/* A finding of the last run this one no longer finds, as last seen:
 * listed, never dropped in silence. */
static int absent_row(FILE *out, const pb_hentry *e, pb_error *err)
{
	const pb_rule *r = e->rule ? pb_rule_find(e->rule) : NULL;

	cell(out, e->id, 1);
	cell(out, nz(e->rule), 0);
	cell(out, r ? r->family : "", 0);
	cell(out, nz(e->severity), 0);
	cell(out, "", 0);
	cell(out, nz(e->subject_table), 0);
	cell(out, nz(e->subject_id), 0);
	cell(out, nz(e->message), 0);
	for (int k = 0; k < 3; k++) /* evidence, buyer, supplier */
		cell(out, "", 0);
	history_cells(out, e);
	return row_end(out, err);
}

static int findings_rows(const pb_audit *a, FILE *out, pb_error *err)
{
	const pb_history_view *v = pb_history_view_of(a);

	for (size_t i = 0; header[i]; i++)
		cell(out, header[i], i == 0);
	for (size_t i = 0; v && history_header[i]; i++)
		cell(out, history_header[i], 0);
	if (row_end(out, err) < 0)
		return -1;
	for (size_t i = 0; i < a->nfindings; i++) {
		if (finding_row(out, a->findings[i], v ? &v->findings[i] : NULL, err) < 0)
			return -1;
	}
	for (size_t i = 0; v && i < v->nabsent; i++)
		if (absent_row(out, &v->absent[i], err) < 0)
			return -1;
	return 0;
}

/*
 * Each report holds its file's lock while it writes (the calls within
 * take it again at no cost; cells use putc_unlocked): a cell was a few
 * calls that each locked the stream, millions of them in entities.csv
 * at 10M rows.
 */
static int findings_csv_write(const pb_audit *a, FILE *out, pb_error *err)
{
	flockfile(out);
	int rc = findings_rows(a, out, err);
	funlockfile(out);
	return rc;
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

static int entity_rows(const pb_audit *a, FILE *out, pb_error *err)
{
	/* counts through pb_amount_format at exponent 0: "%zu" without a
	 * formatted print for each of the millions of them at 10M rows */
	char counts[5][32], score[32];
	double last_score = 0;
	int have_score = 0;

	for (size_t i = 0; entity_header[i]; i++)
		cell(out, entity_header[i], i == 0);
	if (row_end(out, err) < 0)
		return -1;
	for (size_t i = 0; i < a->nentities; i++) {
		const pb_entity_score *e = &a->entities[i];
		pb_entities_prefetch(a->entities, a->nentities, i);
		/* most entities score 0: the last score's text is kept */
		if (!have_score || memcmp(&e->score, &last_score, sizeof(last_score))) {
			snprintf(score, sizeof(score), "%.4f", e->score);
			last_score = e->score;
			have_score = 1;
		}
		cell(out, pb_amount_format((int64_t)e->rank, 0, counts[0]), 1);
		cell(out, e->id, 0);
		cell(out, e->name, 0);
		cell(out, e->role, 0);
		cell(out, score, 0);
		cell(out, pb_amount_format((int64_t)e->nfindings, 0, counts[1]), 0);
		cell(out, pb_amount_format(e->weight, 0, counts[2]), 0);
		cell(out, pb_amount_format((int64_t)e->napplicable, 0, counts[3]), 0);
		cell(out, pb_amount_format((int64_t)e->nfired, 0, counts[4]), 0);
		if (row_end(out, err) < 0)
			return -1;
	}
	return 0;
}

static int entities_csv_write(const pb_audit *a, FILE *out, pb_error *err)
{
	flockfile(out);
	int rc = entity_rows(a, out, err);
	funlockfile(out);
	return rc;
}

const pb_reporter pb_report_entities_csv = {
	.name = "entities",
	.filename = "entities.csv",
	.help = "buyers and suppliers ranked by risk score (written with csv)",
	.write = entities_csv_write,
};
