/*
 * audit.c - `probity audit`: import, run the rules, write the reports,
 * record the run in the history, and exit with a status a scheduler can
 * act on.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/catalog.h"
#include "../engine/history.h"
#include "../engine/output.h"
#include "../reports/reports.h"
#include "cli.h"

/* Splits --format into reporters, rejecting unknown names up front. */
static size_t parse_formats(const char *list, const pb_reporter **out)
{
	char *copy = pb_xstrdup(list), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const pb_reporter *r = pb_reporter_find(tok);
		if (!r)
			cli_die(PB_EXIT_USAGE, "--format: unknown format '%s' (html, json, csv, text)", tok);
		int dup = 0;
		for (size_t i = 0; i < n; i++)
			dup |= out[i] == r;
		if (dup || n >= pb_nreporters)
			continue;
		out[n++] = r;
		/* The CSV format is two files: findings and ranked entities. */
		if (r == &pb_report_csv && n < pb_nreporters)
			out[n++] = &pb_report_entities_csv;
	}
	free(copy);
	if (!n)
		cli_die(PB_EXIT_USAGE, "--format: no format given");
	return n;
}

static int exit_status(const pb_audit *a, const pb_config *cfg)
{
	/* false-positive and accepted-risk decisions set a finding apart */
	int max = pb_history_max_severity(a);

	/* A file --keep-going left out, or an input mostly rejected, makes
	 * the audit incomplete, whatever was found in the rest */
	if (pb_ledger_nfailed(a->ledger) || a->nmostly_rejected)
		return PB_EXIT_INPUT;
	return max >= 0 && max >= cfg->fail_on ? PB_EXIT_FINDINGS : PB_EXIT_CLEAN;
}

/*
 * Signals while reports are written: an interrupted run removes its
 * half-written generation (engine/output.h) and dies of the same signal;
 * an abort (allocation failure in pb_x*) says which report it was
 * writing and exits 4.  Only async-signal-safe calls here.
 */
static char abort_prefix[PATH_MAX + 64];

static void on_stop(int sig)
{
	pb_output_abandon();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void say(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n;
}

static void on_abort(int sig)
{
	const char *file = pb_output_current();

	(void)sig;
	pb_output_abandon();
	say("probity: error: ");
	if (file) {
		say(abort_prefix);
		say(file);
		say(": out of memory or internal error while writing it; "
		    "previous reports left in place\n");
	} else {
		say("aborted: out of memory or internal error\n");
	}
	_exit(PB_EXIT_INTERNAL);
}

/* abort_prefix is the output folder escaped, so the handler needs no stdio. */
static void catch_signals(const char *dir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct sigaction sa;
	static const int stops[] = {SIGINT, SIGTERM, SIGHUP};

	if (m) {
		pb_output_escape(m, dir);
		fclose(m);
		snprintf(abort_prefix, sizeof(abort_prefix), "%s/", buf ? buf : "");
		free(buf);
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	/* A signal ignored on entry (nohup, a background job) stays ignored. */
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		struct sigaction was;
		if (sigaction(stops[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN)
			sigaction(stops[i], &sa, NULL);
	}
	sa.sa_handler = on_abort;
	sigaction(SIGABRT, &sa, NULL);
	/* A file size limit is a write error to report, not a reason to die. */
	signal(SIGXFSZ, SIG_IGN);
}

int cmd_audit(int argc, char **argv)
{
	struct options o;
	pb_config cfg;
	pb_error err;
	const pb_reporter *reps[16];

	pb_history *h = NULL;

	cli_parse_options(argc, argv, &o);
	/* From the start: an allocation failure anywhere is exit 4, not SIGABRT. */
	catch_signals(o.output);
	size_t nreps = parse_formats(o.formats, reps);
	/* -o - writes one report to standard output, for pipelines (jq);
	 * a folder named like an option is a mistyped command line. */
	int to_stdout = !strcmp(o.output, "-");
	if (to_stdout && (nreps != 1 || !reps[0]->filename))
		cli_die(PB_EXIT_USAGE, "-o - writes one report to standard output: give one of "
				   "-f json, -f html (csv writes two files, text goes there already)");
	if (o.output[0] == '-' && !to_stdout)
		cli_die(PB_EXIT_USAGE, "output folder '%s' looks like an option; write ./%s for a folder of that name",
		    o.output, o.output);
	cli_load_config(&o, &cfg);
	/* --history and --history-wait win over [audit] history and history_wait. */
	if (!o.history)
		o.history = cfg.history;
	if (o.history_wait_ms < 0)
		o.history_wait_ms = cfg.history_wait_ms;
	/* The history is held from before the ledgers are read until the
	 * reports are in place: one run, one transaction (engine/history.h). */
	if (o.history && (pb_history_open(&h, o.history, PB_HIST_WRITE, o.history_wait_ms, &err) < 0 ||
			  pb_history_begin(h, &err) < 0))
		cli_die_err(&err);
	double t0 = cli_now();
	pb_ledger *l = cli_import_all(&o, &cfg);
	double import_seconds = cli_now() - t0;
	pb_dates_aside aside = {0};
	pb_date as_of = cfg.as_of != PB_DATE_NONE ? cfg.as_of : pb_ledger_latest_date(l, &aside);
	pb_audit *a = pb_audit_run(l, &cfg, as_of);
	a->as_of_aside = aside;
	if (h) {
		char *settings = cli_history_settings_text(o.config_path, argc, argv);
		if (pb_history_record(h, a, settings, &err) < 0)
			cli_die_err(&err);
		free(settings);
	}
	for (size_t i = 0; o.quiet && i < nreps; i++)
		if (!reps[i]->filename)
			memmove(&reps[i], &reps[i + 1], (--nreps - i) * sizeof(reps[0])), i--;
	t0 = cli_now();
	if (to_stdout) {
		if (reps[0]->write(a, stdout, &err) < 0)
			cli_die_err(&err);
		if (fflush(stdout) != 0 || ferror(stdout))
			cli_die(PB_EXIT_INPUT, "standard output: %s", strerror(errno));
	} else if (nreps && pb_output_write(a, reps, nreps, o.output, &err) < 0) {
		cli_die_err(&err);
	}
	if (h && pb_history_commit(h, &err) < 0)
		cli_die(err.code, "%s (the reports are written; this run is not in the history)", err.msg);
	/* once the reports are written: they list every rejection */
	cli_say_mostly_rejected(a->mostly_rejected, a->nmostly_rejected, cfg.max_rejected_pct);
	int rc = exit_status(a, &cfg);
	if (o.timings)
		cli_print_timings(stderr, a, import_seconds, cli_now() - t0);
	cli_summary_line(stderr, a, rc);
	pb_history_close(h);
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	free(o.tables);
	free(o.profiles);
	return rc;
}

