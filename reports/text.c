/*
 * text.c - the short summary for terminals and cron mail, on standard
 * output.  Ledger text is printed through pb_output_escape, so an escape
 * sequence or a bidi override hidden in a supplier's name cannot drive
 * the terminal or reorder the line.
 */
#include <errno.h>
#include <string.h>

#include "../engine/history.h"
#include "../engine/output.h"
#include "../engine/report.h"

#define TEXT_MAX_FINDINGS 20
#define TEXT_MAX_CHANGES 50

/* Ledger text and file names go through the one terminal escaper. */
static void safe(FILE *out, const char *s)
{
	pb_output_escape(out, s);
}

static void inputs(const pb_audit *a, FILE *out)
{
	const pb_input *in = pb_ledger_inputs(a->ledger);
	unsigned long long read = 0, imp = 0, rej = 0, unread = 0;

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
		if (in[i].values_unread)
			fprintf(out, "; %llu values unread", (unsigned long long)in[i].values_unread);
		if (in[i].profile) {
			fputs(" (profile ", out);
			safe(out, in[i].profile);
			fputc(')', out);
		}
		fputc('\n', out);
		read += in[i].rows_read;
		imp += in[i].rows_imported;
		rej += in[i].rows_rejected;
		unread += in[i].values_unread;
	}
	fprintf(out, "  total %llu = %llu + %llu\n", read, imp, rej);
	/* Values of imported rows kept as unknown: the rows reconcile, and
	 * what was not read is still said (listed in findings.json). */
	if (unread)
		fprintf(out, "  %llu values of imported rows could not be read and are unknown "
			"(unread_values in findings.json)\n", unread);
	for (size_t i = 0; i < pb_ledger_nfailed(a->ledger); i++) {
		const pb_failed_input *f = &pb_ledger_failed(a->ledger)[i];
		if (f->rows_read)
			fprintf(out, "  FAILED after %llu rows (those are audited, the rest is not): ",
				(unsigned long long)f->rows_read);
		else
			fputs("  FAILED, not audited: ", out);
		safe(out, f->reason);
		fputc('\n', out);
	}
	for (size_t i = 0; i < a->nmostly_rejected; i++) {
		pb_buf b;
		pb_buf_init(&b);
		pb_rejection_alarm_describe(&a->mostly_rejected[i], a->config->max_rejected_pct, &b);
		fputs("  MOSTLY REJECTED (has the export's format changed?): ", out);
		safe(out, b.data);
		fputc('\n', out);
		pb_buf_release(&b);
	}
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
	const pb_history_view *v = pb_history_view_of(a);
	size_t shown = 0;

	if (!a->nfindings)
		return;
	fprintf(out, "most severe findings:\n");
	for (int s = PB_SEV_CRITICAL; s >= PB_SEV_LOW; s--)
		for (size_t i = 0; i < a->nfindings && shown < TEXT_MAX_FINDINGS; i++)
			if ((int)a->findings[i]->severity == s && !pb_history_dismissed(a, i)) {
				finding_line(out, a->findings[i]);
				shown++;
			}
	size_t open = a->nfindings - (v ? v->dismissed : 0);
	if (open > shown)
		fprintf(out, "  ... and %zu more in findings.json\n", open - shown);
}

/* --- with --history: what changed first, decided findings apart --- */

static void hist_line(FILE *out, const pb_audit *a, size_t i, const pb_hentry *e)
{
	fprintf(out, "  [%s] ", e->id);
	if (i < a->nfindings) {
		finding_line(out, a->findings[i]);
	} else {
		fprintf(out, "  %-8s  ", e->severity ? e->severity : "");
		safe(out, e->rule);
		fputs("  ", out);
		safe(out, e->subject_table);
		fputc('/', out);
		safe(out, e->subject_id);
		fputs("  ", out);
		safe(out, e->message);
		fputc('\n', out);
	}
	if (e->decision && e->decision->reopened)
		fputs("      decision reopened: the evidence changed\n", out);
	else if (e->decision && e->state != PB_HS_NEW)
		fprintf(out, "      decided %s by %s\n", pb_dstatus_name(e->decision->status),
			e->decision->by ? e->decision->by : "");
}

/* The present findings in state s (most severe first), capped. */
static void hist_list(FILE *out, const pb_audit *a, const pb_history_view *v, pb_hstate s,
		      const char *title)
{
	size_t shown = 0;

	if (!v->count[s])
		return;
	fprintf(out, "%s: %zu\n", title, v->count[s]);
	for (int sev = PB_SEV_CRITICAL; sev >= PB_SEV_LOW; sev--)
		for (size_t i = 0; i < v->nfindings && shown < TEXT_MAX_CHANGES; i++)
			if (v->findings[i].state == s && (int)a->findings[i]->severity == sev) {
				hist_line(out, a, i, &v->findings[i]);
				shown++;
			}
	if (v->count[s] > shown)
		fprintf(out, "  ... and %zu more in findings.json\n", v->count[s] - shown);
}

static void since_last_run(const pb_audit *a, FILE *out)
{
	const pb_history_view *v = pb_history_view_of(a);

	if (!v)
		return;
	if (!v->previous) {
		fprintf(out, "since the last run: none; this is the first run recorded in the history "
			"(run %lld), every finding is new\n\n", (long long)v->run);
		return;
	}
	fprintf(out, "since the last run (run %lld of %s): %zu new, %zu updated, %zu unchanged, "
		"%zu absent; %zu decision%s reopened\n", (long long)v->previous,
		v->previous_at ? v->previous_at : "?", v->count[PB_HS_NEW], v->count[PB_HS_UPDATED],
		v->count[PB_HS_UNCHANGED], v->count[PB_HS_ABSENT], v->reopened,
		v->reopened == 1 ? "" : "s");
	if (v->settings_changed)
		fprintf(out, "the settings changed since run %lld (config, profiles, --as-of, "
			"--fail-on; probity history show): some changes may come from that\n",
			(long long)v->previous);
	hist_list(out, a, v, PB_HS_NEW, "new findings");
	hist_list(out, a, v, PB_HS_UPDATED, "updated findings (same id, evidence or score changed)");
	if (v->nabsent)
		fprintf(out, "absent findings (in run %lld, not now): %zu\n", (long long)v->previous,
			v->nabsent);
	for (size_t i = 0; i < v->nabsent && i < TEXT_MAX_CHANGES; i++)
		hist_line(out, a, (size_t)-1, &v->absent[i]);
	if (v->nabsent > TEXT_MAX_CHANGES)
		fprintf(out, "  ... and %zu more in findings.json\n", v->nabsent - TEXT_MAX_CHANGES);
	fputc('\n', out);
}

/* Findings reviewers decided false-positive or accepted-risk: listed
 * apart, never hidden, and not counted for --fail-on. */
static void dismissed(const pb_audit *a, FILE *out)
{
	const pb_history_view *v = pb_history_view_of(a);
	size_t shown = 0;

	if (!v || !v->dismissed)
		return;
	fprintf(out, "set apart by reviewers (false-positive, accepted-risk; not counted for "
		"--fail-on): %zu\n", v->dismissed);
	for (size_t i = 0; i < v->nfindings && shown < TEXT_MAX_CHANGES; i++) {
		const pb_decision *d = v->findings[i].decision;
		if (!pb_history_dismissed(a, i))
			continue;
		fprintf(out, "  [%s] ", v->findings[i].id);
		finding_line(out, a->findings[i]);
		fprintf(out, "      %s by ", pb_dstatus_name(d->status));
		safe(out, d->by);
		fprintf(out, " at %s: ", d->at ? d->at : "");
		safe(out, d->note);
		fputc('\n', out);
		shown++;
	}
	if (v->dismissed > shown)
		fprintf(out, "  ... and %zu more in findings.json\n", v->dismissed - shown);
}

static int text_write(const pb_audit *a, FILE *out, pb_error *err)
{
	char date[11];

	since_last_run(a, out);
	fprintf(out, "%s audit as of %s (", pb_report_tool(),
		a->as_of == PB_DATE_NONE ? "unknown" : pb_date_format(a->as_of, date));
	safe(out, a->config->base_currency);
	fputs(")\n", out);
	if (a->as_of_aside.n) {
		pb_buf note;
		pb_buf_init(&note);
		pb_audit_as_of_note(a, &note);
		fputs("as of: ", out);
		safe(out, note.data);
		fputc('\n', out);
		pb_buf_release(&note);
	}
	inputs(a, out);
	fprintf(out, "findings: %zu (critical %zu, high %zu, medium %zu, low %zu)\n",
		a->nfindings, pb_audit_count(a, PB_SEV_CRITICAL),
		pb_audit_count(a, PB_SEV_HIGH), pb_audit_count(a, PB_SEV_MEDIUM),
		pb_audit_count(a, PB_SEV_LOW));
	not_run(a, out);
	top_findings(a, out);
	dismissed(a, out);
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
