/*
 * main.c - the command line: parse options into a command and dispatch.
 * The only file that prints errors or exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../importers/importer.h"
#include "../reports/report.h"
#include "../rules/rules.h"
#include "audit.h"
#include "cardinal.h"
#include "cmd_history.h"
#include "config.h"
#include "history.h"
#include "output.h"

static void print_usage(FILE *out);

static const char usage_text[] =
	"usage: probity <command> [options]\n"
	"\n"
	"Procurement integrity audit: reads ledgers exported by ministries and reports\n"
	"red flags (single-source awards, split purchases, backdating, overpayment,\n"
	"duplicate payments, budget overspend...) with evidence that leads back to the\n"
	"source rows.\n"
	"\n"
	"commands:\n"
	"  audit [options] PATH...   import ledgers (files or directories) and run the rules\n"
	"  check [options] PATH...   import only: row counts, rejections, field fill rates,\n"
	"                            which rules can judge (or which fields they lack)\n"
	"  rules [--format json]     list the rule catalogue with parameters and defaults\n"
	"  cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n"
	"                            OCP Cardinal's indicators (R003..R058) over OCDS\n"
	"                            compiled releases, in Cardinal's JSON shape\n"
	"  history [list|diff [RUN] [RUN]|show [RUN]|log|verify] --history FILE [-f json]\n"
	"                            runs recorded in a history, what changed between two\n"
	"                            runs, what one run read (inputs and their SHA-256),\n"
	"                            the decision log, and its hash-chain check\n"
	"  triage ID... --status STATUS --note TEXT [--by NAME] --history FILE\n"
	"  triage --import decisions.json --by NAME --history FILE\n"
	"                            record reviewer decisions (open, confirmed,\n"
	"                            false-positive, accepted-risk, referred); docs/history.md\n"
	"  init [FILE]               write a commented default config (default probity.ini;\n"
	"                            '-' for standard output; never overwrites)\n"
	"  init --profile FILE.csv   print a draft mapping profile guessed from the file's\n"
	"                            header, commented, for you to check\n"
	"  help, --help              this text\n"
	"  version, --version        the version\n"
	"\n";

/* In two parts: pedantic C caps one string literal at 4095 bytes. */
static const char usage_options[] =
	"audit and check options:\n"
	"  -c, --config FILE         INI configuration (see `probity init`)\n"
	"  -t, --table NAME=FILE     import FILE as canonical table NAME (repeatable)\n"
	"  -p, --profile NAME|FILE   map CSV exports with a profile: a shipped one by\n"
	"                            name (uk-spend-over-500, cz-mfcr-paid-invoices,\n"
	"                            mx-compranet-contracts, uk-oxford-spend-over-500;\n"
	"                            searched in $PROBITY_PROFILES and config/profiles)\n"
	"                            or an INI file of [profile] sections (repeatable;\n"
	"                            docs/config.md)\n"
	"      --as-of DATE          reference date (default: config, else the latest\n"
	"                            event date in the data)\n"
	"  -f, --format LIST         comma-separated: html,json,csv,text (default all);\n"
	"                            csv writes findings.csv and entities.csv; text\n"
	"                            goes to standard output\n"
	"  -o, --output DIR          where report.html, findings.json and the CSV files\n"
	"                            are written (default out); the set is replaced as\n"
	"                            a whole; '-o -' writes one report (-f json or\n"
	"                            -f html) to standard output\n"
	"      --fail-on SEVERITY    low, medium, high (default), critical or none;\n"
	"                            findings decided false-positive or accepted-risk\n"
	"                            do not count\n"
	"      --history FILE        remember this run in FILE (SQLite): states new,\n"
	"                            unchanged, updated, absent against the last run,\n"
	"                            reviewer decisions (docs/history.md)\n"
	"      --history-wait SECS   wait up to SECS for another run holding the history\n"
	"                            (default 0: stop at once with exit status 5)\n"
	"  -q, --quiet               nothing on standard output; errors and the one-line\n"
	"                            summary on standard error (docs/scheduling.md)\n"
	"\n"
	"Tables: parties tenders bids contracts amendments payments budget offsets\n"
	"relationships; a file's table comes from --table, a profile, its\n"
	"name (payments_2024.csv) or its header.  Published OCDS JSON (.json, .jsonl)\n"
	"and EU eForms/TED XML notices (.xml) are read as they are.\n"
	"\n"
	"exit status:\n"
	"  0  no finding at or above --fail-on     1  findings at or above --fail-on\n"
	"  2  usage or configuration error         3  input or I/O error\n"
	"  4  internal error                       5  another run holds the --history\n";

static void print_usage(FILE *out)
{
	fputs(usage_text, out);
	fputs(usage_options, out);
}

static void die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* Messages carry file names and ledger text: escaped for the terminal. */
static void die(int code, const char *fmt, ...)
{
	va_list ap;
	char msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("probity: error: ", stderr);
	pb_output_escape(stderr, msg);
	fputc('\n', stderr);
	exit(code);
}

/* s escaped for the terminal, padded with blanks to width columns. */
static void print_field(const char *s, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		pb_output_escape(stdout, s);
		return;
	}
	pb_output_escape(m, s);
	fclose(m);
	printf("%-*s", width, buf ? buf : "");
	free(buf);
}

static void die_err(const pb_error *err)
{
	die(err->code ? err->code : PB_EXIT_INTERNAL, "%s", err->msg);
}

/* The executable, for profiles shipped next to it (config/profiles). */
static char exe_path[4096];

struct table_arg {
	const char *table;
	const char *path;
};

struct options {
	const char *config_path;
	const char *output;
	const char *formats;
	const char *as_of;
	const char *fail_on;
	const char *history;  /* --history FILE, or NULL */
	long history_wait_ms;
	int quiet;
	struct table_arg *tables;
	size_t ntables;
	const char **profiles; /* -p NAME or FILE.ini, in order */
	size_t nprofiles;
	const char *exe;
	char **paths;
	int npaths;
};

static void parse_table_arg(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		die(PB_EXIT_USAGE, "--table '%s' is not NAME=FILE", arg);
	char *name = pb_xstrndup(arg, (size_t)(eq - arg));
	if (!pb_table_find(name))
		die(PB_EXIT_USAGE, "--table: '%s' is not a canonical table", name);
	o->tables = pb_xreallocarray(o->tables, o->ntables + 1, sizeof(*o->tables));
	o->tables[o->ntables].table = name;
	o->tables[o->ntables].path = eq + 1;
	o->ntables++;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_AS_OF = 256, OPT_FAIL_ON, OPT_HISTORY, OPT_HISTORY_WAIT };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"table", required_argument, NULL, 't'},
		{"profile", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"as-of", required_argument, NULL, OPT_AS_OF},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"history", required_argument, NULL, OPT_HISTORY},
		{"history-wait", required_argument, NULL, OPT_HISTORY_WAIT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	o->history_wait_ms = -1; /* not given: [audit] history_wait, else 0 */
	o->output = "out";
	o->formats = "html,json,csv,text";
	optind = 1;
	o->exe = exe_path;
	while ((c = getopt_long(argc, argv, "c:t:p:f:o:hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case 'p':
			o->profiles = pb_xreallocarray(o->profiles, o->nprofiles + 1, sizeof(*o->profiles));
			o->profiles[o->nprofiles++] = optarg;
			break;
		case 't': parse_table_arg(o, optarg); break;
		case 'f': o->formats = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_AS_OF: o->as_of = optarg; break;
		case OPT_FAIL_ON: o->fail_on = optarg; break;
		case OPT_HISTORY: o->history = optarg; break;
		case OPT_HISTORY_WAIT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 0 || v > 86400)
				die(PB_EXIT_USAGE, "--history-wait '%s' is not a number of seconds (0 to 86400)", optarg);
			o->history_wait_ms = v * 1000;
			break;
		}
		case 'q': o->quiet = 1; break;
		case 'h': print_usage(stdout); exit(0);
		default:
			fputs("probity: see 'probity --help'\n", stderr);
			exit(PB_EXIT_USAGE);
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	if (o->npaths == 0 && o->ntables == 0)
		die(PB_EXIT_USAGE, "%s: no input: give ledger files or directories", argv[0]);
}

static void load_config(const struct options *o, pb_config *cfg)
{
	pb_error err;

	pb_config_init(cfg);
	if (o->config_path && pb_config_load(cfg, o->config_path, &err) < 0)
		die_err(&err);
	/* [audit] profile names (blank-separated), then -p */
	char *names = cfg->profile_name ? pb_xstrdup(cfg->profile_name) : NULL, *save = NULL;
	for (char *tok = names ? strtok_r(names, " \t", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t", &save))
		if (pb_config_load_profile(cfg, tok, o->exe, &err) < 0)
			die_err(&err);
	free(names);
	for (size_t i = 0; i < o->nprofiles; i++)
		if (pb_config_load_profile(cfg, o->profiles[i], o->exe, &err) < 0)
			die_err(&err);
	if (o->fail_on) {
		pb_severity s;
		if (!strcmp(o->fail_on, "none"))
			cfg->fail_on = PB_SEV_COUNT;
		else if (pb_severity_parse(o->fail_on, &s) == 0)
			cfg->fail_on = (int)s;
		else
			die(PB_EXIT_USAGE, "--fail-on '%s' is not low, medium, high, critical or none", o->fail_on);
	}
	if (o->as_of) {
		const char *why;
		if (pb_date_parse(o->as_of, strlen(o->as_of), NULL, &cfg->as_of, &why) < 0)
			die(PB_EXIT_USAGE, "--as-of '%s' %s", o->as_of, why);
	}
}

static pb_ledger *import_all(const struct options *o, const pb_config *cfg)
{
	pb_ledger *l = pb_ledger_new(cfg->base_currency);
	pb_error err;

	for (size_t i = 0; i < o->ntables; i++)
		if (pb_import_path(l, o->tables[i].path, o->tables[i].table, cfg, &err) < 0)
			die_err(&err);
	for (int i = 0; i < o->npaths; i++)
		if (pb_import_path(l, o->paths[i], NULL, cfg, &err) < 0)
			die_err(&err);
	if (pb_config_check_profiles_used(cfg, l, &err) < 0)
		die_err(&err);
	pb_ledger_seal(l);
	return l;
}

/* Splits --format into reporters, rejecting unknown names up front. */
static size_t parse_formats(const char *list, const pb_reporter **out)
{
	char *copy = pb_xstrdup(list), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const pb_reporter *r = pb_reporter_find(tok);
		if (!r)
			die(PB_EXIT_USAGE, "--format: unknown format '%s' (html, json, csv, text)", tok);
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
		die(PB_EXIT_USAGE, "--format: no format given");
	return n;
}

static int exit_status(const pb_audit *a, const pb_config *cfg)
{
	/* false-positive and accepted-risk decisions set a finding apart */
	int max = pb_history_max_severity(a);

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

static int cmd_audit(int argc, char **argv)
{
	struct options o;
	pb_config cfg;
	pb_error err;
	const pb_reporter *reps[16];

	pb_history *h = NULL;

	parse_options(argc, argv, &o);
	/* From the start: an allocation failure anywhere is exit 4, not SIGABRT. */
	catch_signals(o.output);
	size_t nreps = parse_formats(o.formats, reps);
	/* -o - writes one report to standard output, for pipelines (jq);
	 * a folder named like an option is a mistyped command line. */
	int to_stdout = !strcmp(o.output, "-");
	if (to_stdout && (nreps != 1 || !reps[0]->filename))
		die(PB_EXIT_USAGE, "-o - writes one report to standard output: give one of "
				   "-f json, -f html (csv writes two files, text goes there already)");
	if (o.output[0] == '-' && !to_stdout)
		die(PB_EXIT_USAGE, "output folder '%s' looks like an option; write ./%s for a folder of that name",
		    o.output, o.output);
	load_config(&o, &cfg);
	/* --history and --history-wait win over [audit] history and history_wait. */
	if (!o.history)
		o.history = cfg.history;
	if (o.history_wait_ms < 0)
		o.history_wait_ms = cfg.history_wait_ms;
	/* The history is held from before the ledgers are read until the
	 * reports are in place: one run, one transaction (engine/history.h). */
	if (o.history && (pb_history_open(&h, o.history, PB_HIST_WRITE, o.history_wait_ms, &err) < 0 ||
			  pb_history_begin(h, &err) < 0))
		die_err(&err);
	pb_ledger *l = import_all(&o, &cfg);
	pb_date as_of = cfg.as_of != PB_DATE_NONE ? cfg.as_of : pb_ledger_latest_date(l);
	pb_audit *a = pb_audit_run(l, &cfg, as_of);
	if (h) {
		char *settings = pb_history_settings_text(o.config_path, argc, argv);
		if (pb_history_record(h, a, settings, &err) < 0)
			die_err(&err);
		free(settings);
	}
	for (size_t i = 0; o.quiet && i < nreps; i++)
		if (!reps[i]->filename)
			memmove(&reps[i], &reps[i + 1], (--nreps - i) * sizeof(reps[0])), i--;
	if (to_stdout) {
		if (reps[0]->write(a, stdout, &err) < 0)
			die_err(&err);
		if (fflush(stdout) != 0 || ferror(stdout))
			die(PB_EXIT_INPUT, "standard output: %s", strerror(errno));
	} else if (nreps && pb_output_write(a, reps, nreps, o.output, &err) < 0) {
		die_err(&err);
	}
	if (h && pb_history_commit(h, &err) < 0)
		die(err.code, "%s (the reports are written; this run is not in the history)", err.msg);
	int rc = exit_status(a, &cfg);
	pb_history_summary_line(stderr, a, rc);
	pb_history_close(h);
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	free(o.tables);
	free(o.profiles);
	return rc;
}

/* A rejection reason with its quoted values and file references
 * blanked, so that rows rejected for one reason group together. */
static char *reason_kind(const char *r)
{
	pb_buf b;
	int quoted = 0;

	pb_buf_init(&b);
	for (const char *p = r; *p; p++) {
		if (*p == '\'') {
			quoted = !quoted;
			pb_buf_addstr(&b, quoted ? "'…" : "'");
		} else if (*p == '(' && !quoted && strstr(p, "(first at ") == p) {
			pb_buf_addstr(&b, "(first at …)");
			const char *close = strchr(p, ')');
			if (!close)
				break;
			p = close;
		} else if (!quoted) {
			pb_buf_addch(&b, *p);
		}
	}
	return pb_buf_detach(&b);
}

struct reason_group {
	char *kind;
	const char *path;
	size_t count;
	uint64_t lines[3];
};

/* Rejected (or filtered) rows of one input grouped by reason, in the
 * order reasons first occur. */
static size_t group_reasons(const pb_rejection *rj, size_t n, const char *path,
			    struct reason_group **out)
{
	struct reason_group *g = NULL;
	size_t ng = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(rj[i].path, path))
			continue;
		char *kind = reason_kind(rj[i].reason);
		size_t k = 0;
		while (k < ng && strcmp(g[k].kind, kind))
			k++;
		if (k == ng) {
			g = pb_xreallocarray(g, ng + 1, sizeof(*g));
			memset(&g[ng], 0, sizeof(*g));
			g[ng].kind = kind;
			g[ng].path = path;
			ng++;
		} else {
			free(kind);
		}
		if (g[k].count < 3)
			g[k].lines[g[k].count] = rj[i].line;
		g[k].count++;
	}
	*out = g;
	return ng;
}

static void print_groups(const char *what, const pb_rejection *rj, size_t n, const char *path)
{
	struct reason_group *g;
	size_t ng = group_reasons(rj, n, path, &g);

	for (size_t k = 0; k < ng; k++) {
		printf("  %s %6zu  ", what, g[k].count);
		pb_output_escape(stdout, g[k].kind);
		fputs("  (", stdout);
		for (size_t j = 0; j < g[k].count && j < 3; j++) {
			fputs(j ? ", " : "", stdout);
			pb_output_escape(stdout, path);
			printf(":%llu", (unsigned long long)g[k].lines[j]);
		}
		printf("%s)\n", g[k].count > 3 ? ", ..." : "");
		free(g[k].kind);
	}
	free(g);
}

/* Per input: the share of its records with a value in each column. */
static void print_fill(pb_ledger *l, const pb_input *in)
{
	const pb_table_def *def = pb_table_find(in->table);
	size_t n = 0;

	if (!def)
		return;
	size_t *filled = pb_xcalloc(def->ncolumns + 1, sizeof(*filled));
	for (size_t i = 0; i < pb_ledger_count(l, def->id); i++) {
		const void *rec = pb_ledger_at(l, def->id, i);
		const pb_row *row = rec;
		if (!row->src.file || strcmp(row->src.file, in->path))
			continue;
		n++;
		for (size_t c = 0; c < def->ncolumns; c++)
			filled[c] += pb_field_known(&def->columns[c], rec) != 0;
	}
	printf("  fields of %s filled (of %zu records):", def->name, n);
	for (size_t c = 0; c < def->ncolumns && n; c++)
		printf("%s %s %zu%%", c % 6 ? "," : "\n   ", def->columns[c].name, filled[c] * 100 / n);
	putchar('\n');
	free(filled);
}

static void print_check_json(pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);
	json_t *inputs = json_array();

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		json_t *rej = json_array(), *fil = json_array();
		for (size_t k = 0; k < pb_ledger_nrejections(l); k++) {
			const pb_rejection *r = &pb_ledger_rejections(l)[k];
			if (!strcmp(r->path, in[i].path))
				json_array_append_new(rej, json_pack("{s:I, s:s}", "line", (json_int_t)r->line,
								     "reason", r->reason));
		}
		for (size_t k = 0; k < pb_ledger_nfiltered(l); k++) {
			const pb_rejection *r = &pb_ledger_filtered(l)[k];
			if (!strcmp(r->path, in[i].path))
				json_array_append_new(fil, json_pack("{s:I, s:s}", "line", (json_int_t)r->line,
								     "rule", r->reason));
		}
		json_array_append_new(inputs, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:o, s:o}",
			"path", in[i].path, "table", in[i].table, "profile", in[i].profile,
			"rows_read", (json_int_t)in[i].rows_read,
			"rows_imported", (json_int_t)in[i].rows_imported,
			"rows_filtered", (json_int_t)in[i].rows_filtered,
			"rows_rejected", (json_int_t)in[i].rows_rejected,
			"filtered", fil, "rejected", rej));
	}
	json_t *root = json_pack("{s:o}", "inputs", inputs);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

static void print_check(pb_ledger *l, const pb_config *cfg)
{
	const pb_input *in = pb_ledger_inputs(l);

	printf("%-40s %-13s %8s %8s %8s %8s  %s\n", "input", "table", "read", "imported",
	       "filtered", "rejected", "profile");
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		print_field(in[i].path, 40);
		putchar(' ');
		print_field(in[i].table, 13);
		printf(" %8llu %8llu %8llu %8llu  ", (unsigned long long)in[i].rows_read,
		       (unsigned long long)in[i].rows_imported,
		       (unsigned long long)in[i].rows_filtered,
		       (unsigned long long)in[i].rows_rejected);
		print_field(in[i].profile ? in[i].profile : "(none)", 0);
		putchar('\n');
	}
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		putchar('\n');
		print_field(in[i].path, 0);
		putchar('\n');
		if (!strcmp(in[i].format, "csv"))
			print_fill(l, &in[i]);
		/* a file read into two tables (a profile's `also`) lists its
		 * left-out rows once, after its last table */
		int later = 0;
		for (size_t k = i + 1; k < pb_ledger_ninputs(l); k++)
			later |= !strcmp(in[k].path, in[i].path);
		if (later)
			continue;
		print_groups("filtered", pb_ledger_filtered(l), pb_ledger_nfiltered(l), in[i].path);
		print_groups("rejected", pb_ledger_rejections(l), pb_ledger_nrejections(l), in[i].path);
	}
	printf("\nfields (records with a value / records):\n");
	for (int t = 0; t < PB_T_COUNT; t++) {
		const pb_table_def *def = pb_table_get(t);
		size_t n = pb_ledger_count(l, t);
		if (!n)
			continue;
		printf("  %s (%zu)\n", def->name, n);
		for (size_t c = 0; c < def->ncolumns; c++) {
			size_t k = pb_ledger_filled(l, t, c);
			printf("    %-22s %8zu  %3zu%%\n", def->columns[c].name, k, k * 100 / n);
		}
	}
	printf("\nrules:\n");
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		/* By the tables and by the fields its judgement rests on. */
		const char *why = pb_rule_cannot_judge(l, r);
		if (!cfg->rules[ri].enabled)
			printf("  %-40s disabled in config\n", r->id);
		else
			printf("  %-40s %s\n", r->id, why ? why : "can judge");
	}
}

static int cmd_check(int argc, char **argv)
{
	struct options o;
	pb_config cfg;

	parse_options(argc, argv, &o);
	load_config(&o, &cfg);
	pb_ledger *l = import_all(&o, &cfg);
	/* -f json: every rejected and filtered row, for machines */
	if (!strcmp(o.formats, "json"))
		print_check_json(l);
	else
		print_check(l, &cfg);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	free(o.tables);
	free(o.profiles);
	return PB_EXIT_CLEAN;
}

static const char *param_type_word(pb_param_type t)
{
	static const char *const words[] = {"money", "int", "days", "percent",
					    "decimal", "patterns", "text"};
	return words[t];
}

static json_t *rules_json(void)
{
	json_t *arr = json_array();

	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		json_t *params = json_array();
		for (int pi = 0; r->params && r->params[pi].name; pi++) {
			const pb_param_def *pd = &r->params[pi];
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:s}",
				"name", pd->name, "type", param_type_word(pd->type),
				"default", pd->def, "help", pd->help));
		}
		json_t *needs = json_array();
		for (int t = 0; t < PB_T_COUNT; t++)
			if (r->needs & PB_NEEDS(t))
				json_array_append_new(needs, json_string(pb_table_get(t)->name));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
			"id", r->id, "family", r->family, "title", r->title,
			"severity", pb_severity_name(r->severity), "source", r->source,
			"needs", needs, "params", params));
	}
	return arr;
}

static int cmd_rules(int argc, char **argv)
{
	int as_json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format=json") ||
		    (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[++i], "json")))
			as_json = 1;
		else if (!strcmp(argv[i], "--format=text") || !strcmp(argv[i], "text"))
			as_json = 0;
		else
			die(PB_EXIT_USAGE, "rules: unknown argument '%s' (try --format json)", argv[i]);
	}
	if (as_json) {
		json_t *arr = rules_json();
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
		return 0;
	}
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		printf("%-36s %-8s %s\n", r->id, pb_severity_name(r->severity), r->title);
		for (int pi = 0; r->params && r->params[pi].name; pi++) {
			const pb_param_def *pd = &r->params[pi];
			const char *def = strchr(pd->def, '\n') ? "(list, see probity init)" : pd->def;
			printf("    %-20s = %-12s %s\n", pd->name, def, pd->help);
		}
	}
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "probity.ini";

	if (argc == 3 && !strcmp(argv[1], "--profile")) {
		pb_error err;
		if (pb_config_draft_profile(stdout, argv[2], &err) < 0)
			die_err(&err);
		return fflush(stdout) ? PB_EXIT_INPUT : 0;
	}

	if (argc > 2)
		die(PB_EXIT_USAGE, "init: too many arguments");
	if (!strcmp(path, "-")) {
		pb_config_write_default(stdout);
		return fflush(stdout) ? PB_EXIT_INPUT : 0;
	}
	FILE *f = fopen(path, "wx");
	if (!f)
		die(errno == EEXIST ? PB_EXIT_USAGE : PB_EXIT_INPUT,
		    "%s: cannot create: %s", path, strerror(errno));
	pb_config_write_default(f);
	if (fclose(f) != 0)
		die(PB_EXIT_INPUT, "%s: write failed: %s", path, strerror(errno));
	fputs("probity: wrote ", stderr);
	pb_output_escape(stderr, path);
	fputc('\n', stderr);
	return 0;
}

static int cmd_cardinal(int argc, char **argv)
{
	return pb_cardinal_main(argc, argv, stdout, stderr);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("probity %s\n", PB_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"audit", cmd_audit},     {"check", cmd_check},
	{"rules", cmd_rules},     {"init", cmd_init},
	{"cardinal", cmd_cardinal},
	{"history", pb_cmd_history}, {"triage", pb_cmd_triage},
	{"help", cmd_help},       {"--help", cmd_help},
	{"-h", cmd_help},         {"version", cmd_version},
	{"--version", cmd_version},
};

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
	if (n > 0)
		exe_path[n] = '\0';
	else
		snprintf(exe_path, sizeof(exe_path), "%s", argv[0]);
	if (argc < 2) {
		print_usage(stderr);
		return PB_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	die(PB_EXIT_USAGE, "'%s' is not a probity command; see 'probity --help'", argv[1]);
}
