/*
 * text.c - the short summary for terminals and cron mail, on standard
 * output.  Ledger text is printed through pb_output_escape, so an escape
 * sequence or a bidi override hidden in a supplier's name cannot drive
 * the terminal or reorder the line.
 */
#include <errno.h>
#include <string.h>

#include "../engine/output.h"
#include "report.h"

#define TEXT_MAX_FINDINGS 20

/* Ledger text and file names go through the one terminal escaper. */
static void safe(FILE *out, const char *s)
{
	pb_output_escape(out, s);
}

static void inputs(const pb_audit *a, FILE *out)
{
	const pb_input *in = pb_ledger_inputs(a->ledger);
	unsigned long long read = 0, imp = 0, rej = 0;

	fprintf(out, "inputs (rows read = imported + rejected [+ filtered by a profile rule]):\n");
	for (size_t i = 0; i < pb_ledger_ninputs(a->ledger); i++) {
		fputs("  ", out);
		safe(out, in[i].path);
		fputs(" [", out);
		safe(out, in[i].table);
		fprintf(out, "] %llu = %llu + %llu",
			(unsigned long long)in[i].rows_read,
			(unsigned long long)in[i].rows_imported,
			(unsigned long long)in[i].rows_rejected);
		/* rows a profile's named filter left out, and the profile:
		 * a mapping is never applied unseen */
		if (in[i].rows_filtered)
			fprintf(out, " + %llu filtered", (unsigned long long)in[i].rows_filtered);
		if (in[i].profile) {
			fputs(" (profile ", out);
			safe(out, in[i].profile);
			fputc(')', out);
		}
		fputc('\n', out);
		read += in[i].rows_read;
		imp += in[i].rows_imported;
		rej += in[i].rows_rejected;
	}
	fprintf(out, "  total %llu = %llu + %llu\n", read, imp, rej);
}

static void not_run(const pb_audit *a, FILE *out)
{
	int any = 0;

	for (size_t i = 0; i < a->ncoverage; i++) {
		const pb_coverage *c = &a->coverage[i];
		if (c->status == PB_COV_RAN)
			continue;
		if (!any++)
			fprintf(out, "rules not run:\n");
		fprintf(out, "  %s (%s): ", c->rule->id, pb_cov_status_name(c->status));
		safe(out, c->reason ? c->reason : "");
		fputc('\n', out);
	}
}

static void finding_line(FILE *out, const pb_finding *f)
{
	char sev[16];
	size_t k = 0;

	for (const char *p = pb_severity_name(f->severity); *p && k < 15; p++)
		sev[k++] = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
	sev[k] = '\0';
	fprintf(out, "  %-8s  %s  ", sev, f->rule->id);
	safe(out, f->subject_table);
	fputc('/', out);
	safe(out, f->subject_id);
	fputs("  ", out);
	safe(out, f->message);
	fputc('\n', out);
}

/* Highest severity first; within one severity, the audit's order. */
static void top_findings(const pb_audit *a, FILE *out)
{
	size_t shown = 0;

	if (!a->nfindings)
		return;
	fprintf(out, "most severe findings:\n");
	for (int s = PB_SEV_CRITICAL; s >= PB_SEV_LOW; s--)
		for (size_t i = 0; i < a->nfindings && shown < TEXT_MAX_FINDINGS; i++)
			if ((int)a->findings[i]->severity == s) {
				finding_line(out, a->findings[i]);
				shown++;
			}
	if (a->nfindings > shown)
		fprintf(out, "  ... and %zu more in findings.json\n", a->nfindings - shown);
}

static int text_write(const pb_audit *a, FILE *out, pb_error *err)
{
	char date[11];

	fprintf(out, "%s audit as of %s (", pb_report_tool(),
		a->as_of == PB_DATE_NONE ? "unknown" : pb_date_format(a->as_of, date));
	safe(out, a->config->base_currency);
	fputs(")\n", out);
	inputs(a, out);
	fprintf(out, "findings: %zu (critical %zu, high %zu, medium %zu, low %zu)\n",
		a->nfindings, pb_audit_count(a, PB_SEV_CRITICAL),
		pb_audit_count(a, PB_SEV_HIGH), pb_audit_count(a, PB_SEV_MEDIUM),
		pb_audit_count(a, PB_SEV_LOW));
	not_run(a, out);
	top_findings(a, out);
	if (ferror(out)) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write the text summary: %s",
			     strerror(errno));
		return -1;
	}
	return 0;
}

const pb_reporter pb_report_text = {
	.name = "text",
	.filename = NULL, /* standard output: engine/output.c */
	.help = "short summary on standard output",
	.write = text_write,
};
