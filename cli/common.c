/*
 * common.c - what the commands share: error messages, and the options,
 * configuration and inputs of `audit` and `check`.
 */
#include <getopt.h>
#include <sys/resource.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/catalog.h"
#include "../engine/importer.h"
#include "../engine/output.h"
#include "cli.h"

char cli_exe_path[4096];

static void verror(const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("probity: error: ", stderr);
	pb_output_escape(stderr, msg);
	fputc('\n', stderr);
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return code;
}

void cli_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	exit(code);
}

int cli_fail_err(const pb_error *err)
{
	return cli_fail(err->code ? err->code : PB_EXIT_INTERNAL, "%s", err->msg);
}

void cli_die_err(const pb_error *err)
{
	exit(cli_fail_err(err));
}

void cli_print_field(const char *s, int width)
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

static void parse_table_arg(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		cli_die(PB_EXIT_USAGE, "--table '%s' is not NAME=FILE", arg);
	char *name = pb_xstrndup(arg, (size_t)(eq - arg));
	if (!pb_table_find(name))
		cli_die(PB_EXIT_USAGE, "--table: '%s' is not a canonical table", name);
	o->tables = pb_xreallocarray(o->tables, o->ntables + 1, sizeof(*o->tables));
	o->tables[o->ntables].table = name;
	o->tables[o->ntables].path = eq + 1;
	o->ntables++;
}

void cli_parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_AS_OF = 256, OPT_FAIL_ON, OPT_HISTORY, OPT_HISTORY_WAIT, OPT_TIMINGS, OPT_KEEP_GOING };
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
		{"jobs", required_argument, NULL, 'j'},
		{"timings", no_argument, NULL, OPT_TIMINGS},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	o->history_wait_ms = -1; /* not given: [audit] history_wait, else 0 */
	o->jobs = -1;            /* not given: [audit] jobs, else one per core */
	o->output = "out";
	o->formats = "html,json,csv,text";
	optind = 1;
	o->exe = cli_exe_path;
	while ((c = getopt_long(argc, argv, "c:t:p:f:o:hqj:", longopts, NULL)) != -1) {
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
				cli_die(PB_EXIT_USAGE, "--history-wait '%s' is not a number of seconds (0 to 86400)", optarg);
			o->history_wait_ms = v * 1000;
			break;
		}
		case 'q': o->quiet = 1; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 0 || v > PB_MAX_JOBS)
				cli_die(PB_EXIT_USAGE, "-j '%s' is not a number of threads (0 for one per core, up to %d)",
					optarg, PB_MAX_JOBS);
			o->jobs = (int)v;
			break;
		}
		case OPT_TIMINGS: o->timings = 1; break;
		case OPT_KEEP_GOING: o->keep_going = 1; break;
		case 'h': cli_usage(stdout); exit(0);
		default:
			fputs("probity: see 'probity --help'\n", stderr);
			exit(PB_EXIT_USAGE);
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	if (o->npaths == 0 && o->ntables == 0)
		cli_die(PB_EXIT_USAGE, "%s: no input: give ledger files or directories", argv[0]);
}

void cli_load_config(const struct options *o, pb_config *cfg)
{
	pb_error err;

	pb_config_init(cfg);
	if (o->config_path && pb_config_load(cfg, o->config_path, &err) < 0)
		cli_die_err(&err);
	/* [audit] profile names (blank-separated), then -p */
	char *names = cfg->profile_name ? pb_xstrdup(cfg->profile_name) : NULL, *save = NULL;
	for (char *tok = names ? strtok_r(names, " \t", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t", &save))
		if (pb_config_load_profile(cfg, tok, o->exe, &err) < 0)
			cli_die_err(&err);
	free(names);
	for (size_t i = 0; i < o->nprofiles; i++)
		if (pb_config_load_profile(cfg, o->profiles[i], o->exe, &err) < 0)
			cli_die_err(&err);
	if (o->fail_on) {
		pb_severity s;
		if (!strcmp(o->fail_on, "none"))
			cfg->fail_on = PB_SEV_COUNT;
		else if (pb_severity_parse(o->fail_on, &s) == 0)
			cfg->fail_on = (int)s;
		else
			cli_die(PB_EXIT_USAGE, "--fail-on '%s' is not low, medium, high, critical or none", o->fail_on);
	}
	if (o->jobs >= 0)
		cfg->jobs = o->jobs;
	if (o->keep_going)
		cfg->keep_going = 1;
	if (cfg->jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->jobs = cores < 1 ? 1 : cores > PB_MAX_JOBS ? PB_MAX_JOBS : (int)cores;
	}
	if (o->as_of) {
		const char *why;
		if (pb_date_parse(o->as_of, strlen(o->as_of), NULL, &cfg->as_of, &why) < 0)
			cli_die(PB_EXIT_USAGE, "--as-of '%s' %s", o->as_of, why);
	}
}

pb_ledger *cli_import_all(const struct options *o, const pb_config *cfg)
{
	pb_ledger *l = pb_ledger_new(cfg->base_currency);
	pb_error err;

	size_t n = 0;
	pb_import_arg *args = pb_xcalloc(o->ntables + (size_t)o->npaths + 1, sizeof(*args));

	for (size_t i = 0; i < o->ntables; i++)
		args[n++] = (pb_import_arg){o->tables[i].path, o->tables[i].table};
	for (int i = 0; i < o->npaths; i++)
		args[n++] = (pb_import_arg){o->paths[i], NULL};
	int rc = pb_import_paths(l, args, n, cfg, &err);
	free(args);
	if (rc < 0)
		cli_die_err(&err);
	for (size_t i = 0; i < pb_ledger_nfailed(l); i++) {
		const pb_failed_input *f = &pb_ledger_failed(l)[i];
		if (f->rows_read)
			cli_fail(PB_EXIT_INPUT, "%s (read in part: its %llu rows before the failure are "
				 "audited, the rest of it is not; --keep-going)",
				 f->reason, (unsigned long long)f->rows_read);
		else
			cli_fail(PB_EXIT_INPUT, "%s (left out; the rest is audited: --keep-going)", f->reason);
	}
	if (pb_config_check_profiles_used(cfg, l, &err) < 0)
		cli_die_err(&err);
	pb_ledger_seal_jobs(l, cfg->jobs);
	return l;
}

void cli_say_mostly_rejected(const pb_rejection_alarm *m, size_t n, int max_pct)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].inputs == 1)
			cli_fail(PB_EXIT_INPUT, "%s: %llu of its %llu rows rejected, more than [audit] "
				 "max_rejected_pct (%d%%): has its export's format changed? (each rejection "
				 "is listed with its file:line)", m[i].what, (unsigned long long)m[i].rejected,
				 (unsigned long long)m[i].read, max_pct);
		else
			cli_fail(PB_EXIT_INPUT, "%s: %llu of the %llu rows of its %zu inputs rejected, more "
				 "than [audit] max_rejected_pct (%d%%): has their export's format changed? "
				 "(each rejection is listed with its file:line)", m[i].what,
				 (unsigned long long)m[i].rejected, (unsigned long long)m[i].read, m[i].inputs,
				 max_pct);
}

void cli_options_release(struct options *o)
{
	for (size_t i = 0; i < o->ntables; i++)
		free((char *)o->tables[i].table);
	free(o->tables);
	free(o->profiles);
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_print_timings(FILE *out, const pb_audit *a, double import, double reports)
{
	struct rusage ru;

	fprintf(out, "probity: timing import %.3f\n", import);
	fprintf(out, "probity: timing index %.3f\n", a->timing.index);
	for (size_t i = 0; i < pb_nrules; i++) {
		const char *fam = pb_rules[i]->family;
		int first = 1;
		double sum = 0;
		for (size_t k = 0; k < pb_nrules; k++) {
			if (strcmp(pb_rules[k]->family, fam))
				continue;
			first &= k >= i;
			sum += a->timing.rules[k];
		}
		if (first)
			fprintf(out, "probity: timing family %s %.3f\n", fam, sum);
	}
	for (size_t i = 0; i < pb_nrules; i++)
		fprintf(out, "probity: timing rule %s %.3f\n", pb_rules[i]->id, a->timing.rules[i]);
	fprintf(out, "probity: timing rules %.3f (jobs %d)\n", a->timing.all_rules, a->timing.jobs);
	fprintf(out, "probity: timing reports %.3f\n", reports);
	/* 0 unless something looked a text up after seal (pb_ledger_lookup) */
	fprintf(out, "probity: timing text_rebuilds %zu\n", pb_ledger_text_rebuilds(a->ledger));
	/* 0 unless something found a bid, payment... by its key after seal */
	fprintf(out, "probity: timing key_rebuilds %zu\n", pb_ledger_key_rebuilds(a->ledger));
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(out, "probity: timing peak_rss_kib %ld\n", ru.ru_maxrss);
}
