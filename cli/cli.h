/*
 * cli.h - the command line, the top layer.  One file per command
 * (cli/<command>.c defines cmd_<command>), one table of commands in
 * cli/main.c.  Only this layer assembles the plug-in tables into the
 * engine's catalogue, prints errors and exits; everything below returns
 * a pb_error.
 */
#ifndef PB_CLI_H
#define PB_CLI_H

#include <stdio.h>

#include "../engine/audit.h"
#include "../engine/config.h"

/* The commands, as the table in cli/main.c names them. */
int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_cardinal(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_triage(int argc, char **argv);

/* Installs the rule, importer and reporter tables in the catalogue. */
void cli_catalog_install(void);

void cli_usage(FILE *out);

/*
 * "probity: error: MESSAGE" on standard error, the message escaped for
 * the terminal (it carries file names and ledger text).  cli_fail
 * returns code, for a command that must close what it holds first;
 * cli_die exits with it.
 */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void cli_die_err(const pb_error *err) __attribute__((noreturn));
int cli_fail_err(const pb_error *err);

/* s escaped for the terminal, padded with blanks to width columns. */
void cli_print_field(const char *s, int width);

/* The executable, for profiles shipped next to it (config/profiles). */
extern char cli_exe_path[4096];

struct table_arg {
	const char *table;
	const char *path;
};

/* The options `audit` and `check` share. */
struct options {
	const char *config_path;
	const char *output;
	const char *formats;
	const char *as_of;
	const char *fail_on;
	const char *history;  /* --history FILE, or NULL */
	long history_wait_ms;
	int quiet;
	int jobs;     /* -j N, or -1 */
	int timings;  /* --timings: phase and rule times on stderr */
	int keep_going; /* --keep-going */
	struct table_arg *tables;
	size_t ntables;
	const char **profiles; /* -p NAME or FILE.ini, in order */
	size_t nprofiles;
	const char *exe;
	char **paths;
	int npaths;
};

void cli_parse_options(int argc, char **argv, struct options *o);
/* The config file, then profiles, then the options that override it. */
void cli_load_config(const struct options *o, pb_config *cfg);
/* Every input read into one sealed ledger. */
pb_ledger *cli_import_all(const struct options *o, const pb_config *cfg);
void cli_options_release(struct options *o);

/*
 * The settings of an audit as recorded in the history: the config file's
 * text (when one is given), mapping profiles (a profile file's text),
 * table choices, --as-of and --fail-on; not the paths of inputs or
 * output.  The caller frees.
 */
char *cli_history_settings_text(const char *config_path, int argc, char **argv);

/*
 * The one-line summary for schedulers, on `out` (standard error):
 *   probity: summary exit=1 findings=12 critical=0 high=3 medium=6 low=3
 *   [run=4 new=2 unchanged=9 updated=1 absent=1 reopened=0 dismissed=2
 *    settings_changed=0]
 * Keys are fixed and in this order; failed=N (files --keep-going left out)
 * follows low= when there are any, then mostly_rejected=N (inputs, or a
 * table's inputs together, over [audit] max_rejected_pct); the bracketed
 * part only with a history.
 */
void cli_summary_line(FILE *out, const pb_audit *a, int rc);
/* An error line for each input mostly rejected (pb_rejection_alarms),
 * naming it, its counts and [audit] max_rejected_pct. */
void cli_say_mostly_rejected(const pb_rejection_alarm *m, size_t n, int max_pct);

/* Seconds since an arbitrary start, monotonic. */
double cli_now(void);
/*
 * --timings: on `out`, one line a phase, a rule family and a rule, each
 * "probity: timing NAME SECONDS", then the peak resident memory:
 *   probity: timing import 2.104
 *   probity: timing index 0.311
 *   probity: timing family conflicts 0.602
 *   probity: timing rule conflicts.name-match 0.410
 *   probity: timing rules 1.877 (jobs 2)
 *   probity: timing reports 0.930
 *   probity: timing peak_rss_kib 431220
 */
void cli_print_timings(FILE *out, const pb_audit *a, double import, double reports);

#endif
