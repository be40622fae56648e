/*
 * text.c - the short summary for terminals and cron mail, on standard
 * output.  Ledger text is printed with control characters replaced, so an
 * escape sequence hidden in a supplier's name cannot drive the terminal.
 */
#include <string.h>

#include "report.h"

#define TEXT_MAX_FINDINGS 20

static void safe(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

static void inputs(const pb_audit *a, FILE *out)
{
	const pb_input *in = pb_ledger_inputs(a->ledger);
	unsigned long long read = 0, imp = 0, rej = 0;

	fprintf(out, "inputs (rows read = imported + rejected):\n");
	for (size_t i = 0; i < pb_ledger_ninputs(a->ledger); i++) {
		fputs("  ", out);
		safe(out, in[i].path);
		fprintf(out, " [%s] %llu = %llu + %llu\n", in[i].table,
			(unsigned long long)in[i].rows_read,
			(unsigned long long)in[i].rows_imported,
			(unsigned long long)in[i].rows_rejected);
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
		fprintf(out, "  %s: %s\n", c->rule->id, c->reason ? c->reason : "");
	}
}

static void top_findings(const pb_audit *a, FILE *out)
{
	size_t shown = 0;

	for (int s = PB_SEV_CRITICAL; s >= PB_SEV_LOW; s--) {
		for (size_t i = 0; i < a->nfindings && shown < TEXT_MAX_FINDINGS; i++) {
			const pb_finding *f = a->findings[i];
			if ((int)f->severity != s)
				continue;
			char sev[16];
			size_t k = 0;
			for (const char *p = pb_severity_name(f->severity); *p && k < 15; p++)
				sev[k++] = (char)(*p - 'a' + 'A');
			sev[k] = '\0';
			fprintf(out, "  %-8s %-36s %s/", sev, f->rule->id, f->subject_table);
			safe(out, f->subject_id);
			fputs("  ", out);
			safe(out, f->message);
			fputc('\n', out);
			shown++;
		}
	}
	if (a->nfindings > shown)
		fprintf(out, "  ... and %zu more in findings.json\n", a->nfindings - shown);
}

static int text_write(const pb_audit *a, FILE *out, pb_error *err)
{
	char date[11];

	fprintf(out, "%s audit as of %s (%s)\n", pb_report_tool(),
		a->as_of == PB_DATE_NONE ? "unknown" : pb_date_format(a->as_of, date),
		a->config->base_currency);
	inputs(a, out);
	fprintf(out, "findings: %zu (critical %zu, high %zu, medium %zu, low %zu)\n",
		a->nfindings, pb_audit_count(a, PB_SEV_CRITICAL),
		pb_audit_count(a, PB_SEV_HIGH), pb_audit_count(a, PB_SEV_MEDIUM),
		pb_audit_count(a, PB_SEV_LOW));
	top_findings(a, out);
	not_run(a, out);
	if (ferror(out)) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write the text summary");
		return -1;
	}
	return 0;
}

const pb_reporter pb_report_text = {
	.name = "text",
	.filename = NULL,
	.help = "short summary on standard output",
	.write = text_write,
};
