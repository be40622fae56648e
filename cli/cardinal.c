/*
 * cardinal.c - `probity cardinal [--settings FILE.ini] [--no-meta]
 * FILE.jsonl`: OCP Cardinal's red flags (docs/cardinal.md) through the
 * audit's own pipeline.  Cardinal's settings file (read with libinih, as
 * the audit's config is) becomes a pb_config: the indicators' rules
 * (the ten bidding.* rules and competition.single-bid for R018) in mode
 * cardinal with Cardinal's settings as their parameters, every other rule
 * off; the OCDS importer reads the file keeping the raw fields Cardinal
 * reads (ocds_raw); the runner runs the rules; reports/cardinal.c writes
 * Cardinal's JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/catalog.h"
#include "../engine/importer.h"
#include "../engine/ini.h"
#include "../engine/output.h"
#include "../reports/reports.h"
#include "cli.h"

/* The indicators, in Cardinal's order, and the rules that compute them. */
static const struct indicator {
	const char *code, *rule;
	unsigned uses; /* of the top-level settings, below */
} indicators[] = {
#define PRICE 1u    /* [no_]price_comparison_procurement_methods */
#define CURRENCY 2u /* currency */
	{"R003", "bidding.short-submission-period", 0},
	{"R018", "competition.single-bid", 0},
	{"R024", "bidding.price-close-to-winner", PRICE | CURRENCY},
	{"R025", "bidding.excessive-unsuccessful", 0},
	{"R028", "bidding.identical-bids", PRICE},
	{"R030", "bidding.late-bid-won", 0},
	{"R035", "bidding.all-but-winner-disqualified", 0},
	{"R036", "bidding.lowest-bid-disqualified", PRICE | CURRENCY},
	{"R038", "bidding.excessive-disqualification", 0},
	{"R048", "bidding.heterogeneous-supplier", 0},
	{"R058", "bidding.heavily-discounted", PRICE | CURRENCY},
};
#define NINDICATORS (sizeof(indicators) / sizeof(indicators[0]))

/* Cardinal's keys of an indicator's section, as the rules' parameters. */
enum kind { WHOLE, COUNT, REAL, LIST };
static const struct setting {
	const char *code, *key, *param;
	enum kind kind;
} settings[] = {
	{"R003", "threshold", "min_days", WHOLE},
	{"R003", "procurement_methods", "methods", LIST},
	{"R018", "procurement_methods", "methods", LIST},
	{"R024", "threshold", "threshold", REAL},
	{"R025", "percentile", "percentile", COUNT},
	{"R025", "threshold", "threshold", REAL},
	{"R035", "threshold", "min_disqualified", COUNT},
	{"R038", "threshold", "threshold", REAL},
	{"R038", "minimum_submitted_bids", "min_submitted_bids", COUNT},
	{"R038", "minimum_contracting_processes", "min_processes", COUNT},
	{"R048", "digits", "digits", COUNT},
	{"R048", "threshold", "threshold", COUNT},
	{"R048", "minimum_contracting_processes", "min_contracts", COUNT},
	{"R058", "threshold", "threshold", REAL},
};

struct loader {
	pb_config *cfg;
	const char *path;
	uint64_t line;    /* the line being read */
	unsigned enabled; /* bit i: section [indicators[i].code] present */
	pb_buf details;   /* [R003.procurement_method_details]: NAME=DAYS|... */
	pb_buf ignored;   /* "file:line: ..." per unknown section or key */
	pb_error *err;
	int failed;
};

static int code_of(const char *section)
{
	for (size_t i = 0; i < NINDICATORS; i++)
		if (!strcmp(section, indicators[i].code))
			return (int)i;
	return -1;
}

/* Cardinal's config crate reads "true"/"on"/"yes" as 1 and their opposites
 * as 0 wherever a number is wanted. */
static int bool_word(const char *v, double *d)
{
	static const char *const words[] = {"false", "off", "no", "true", "on", "yes"};

	for (int i = 0; i < 6; i++)
		if (pb_strcaseeq(v, words[i])) {
			*d = i >= 3;
			return 1;
		}
	return 0;
}

/* A setting's value as the parameter's text; NULL when of the wrong kind. */
static const char *value_text(enum kind kind, const char *v, char *buf, size_t n)
{
	char *end;
	double d;

	if (kind == LIST)
		return v;
	if (bool_word(v, &d)) {
		snprintf(buf, n, "%.0f", d);
		return buf;
	}
	if (kind == REAL) {
		/* Rust's f64 parser: decimal only, no hexadecimal. */
		if (!*v || strchr(v, 'x') || strchr(v, 'X'))
			return NULL;
		d = strtod(v, &end);
		if (*end)
			return NULL;
		snprintf(buf, n, "%.17g", d);
		return buf;
	}
	if (!*v || !(*v == '+' || *v == '-' || (*v >= '0' && *v <= '9')))
		return NULL;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (*end || errno || (kind == COUNT && x < 0))
		return NULL;
	snprintf(buf, n, "%lld", x);
	return buf;
}

static int load_fail(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int load_fail(struct loader *ld, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ld->failed)
		pb_error_set(ld->err, PB_EXIT_USAGE, "%s", msg); /* pb_ini_read names the line */
	ld->failed = 1;
	return 0;
}

/* Cardinal refuses what it does not know; probity reads on and says so. */
static void ignore(struct loader *ld, const char *what, const char *name)
{
	pb_buf_addf(&ld->ignored, "%s:%" PRIu64 ": unknown %s '%s', ignored\n", ld->path, ld->line, what, name);
}

/* Sections of `ocdscardinal prepare`, accepted and ignored here. */
static int prepare_key(const char *section, const char *key)
{
	static const char *const keys[] = {
		"defaults", "currency", "defaults", "item_classification_scheme",
		"defaults", "bid_status", "defaults", "award_status",
		"defaults", "party_roles", "redactions", "amount",
		"redactions", "organization_id", "corrections", "award_status_by_contract_status",
		"modifications", "move_auctions", "modifications", "prefix_buyer_or_procuring_entity_id",
		"modifications", "prefix_tenderer_or_supplier_id", "modifications",
		"split_procurement_method_details",
	};

	if (!strcmp(section, "codelists.bid_status") || !strcmp(section, "codelists.award_status"))
		return 1;
	for (size_t i = 0; i + 1 < sizeof(keys) / sizeof(*keys); i += 2)
		if (!strcmp(section, keys[i]) && (!key || !strcmp(key, keys[i + 1])))
			return 1;
	return 0;
}

static int known_section(const char *section)
{
	return !*section || !strcmp(section, "exclusions") || code_of(section) >= 0 ||
	       !strcmp(section, "R003.procurement_method_details") || prepare_key(section, NULL);
}

/* Sets parameter `param` of every indicator's rule that uses `what`
 * (all of them for 0). */
static int set_all(struct loader *ld, unsigned what, const char *param, const char *v)
{
	for (size_t i = 0; i < NINDICATORS; i++)
		if ((!what || (indicators[i].uses & what)) &&
		    pb_config_set_param(ld->cfg, indicators[i].rule, param, v, ld->err) < 0)
			return ld->failed = 1, 0;
	return 1;
}

/* One key of an indicator's section; 0 when the key is unknown. */
static int indicator_key(struct loader *ld, int code, const char *key, const char *v)
{
	char buf[64];

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];
		if (strcmp(s->code, indicators[code].code) || strcmp(s->key, key))
			continue;
		const char *text = value_text(s->kind, v, buf, sizeof(buf));
		if (!text)
			return load_fail(ld, "%s '%s' is not a number of the right kind", key, v), 1;
		pb_error why;
		if (pb_config_set_param(ld->cfg, indicators[code].rule, s->param, text, &why) < 0)
			return load_fail(ld, "%s '%s': %s", key, v, why.msg), 1;
		return 1;
	}
	return 0;
}

/* A continued (indented) line sets its key again, as libinih has it. */
static int settings_handler(void *user, const char *section, const char *key, const char *v,
			    int continued, uint64_t line)
{
	struct loader *ld = user;
	int code = code_of(section);

	(void)continued;
	ld->line = line;
	if (ld->failed)
		return 0;
	if (!*section && !strcmp(key, "currency"))
		set_all(ld, CURRENCY, "currency", v);
	else if (!*section && !strcmp(key, "no_price_comparison_procurement_methods"))
		set_all(ld, PRICE, "no_price_comparison", v);
	else if (!*section && !strcmp(key, "price_comparison_procurement_methods"))
		set_all(ld, PRICE, "price_comparison", v);
	else if (!strcmp(section, "exclusions") && !strcmp(key, "procurement_method_details"))
		set_all(ld, 0, "exclusions", v);
	else if (!strcmp(section, "R003.procurement_method_details")) {
		char buf[64];
		if (!value_text(WHOLE, v, buf, sizeof(buf)))
			return load_fail(ld, "%s '%s' is not a whole number of days", key, v);
		/* The parameter is NAME=DAYS|NAME=DAYS. */
		if (strpbrk(key, "|="))
			return load_fail(ld, "procurementMethodDetails '%s' holds '|' or '=', which the rule's "
					 "details_min_days cannot hold", key);
		pb_buf_addf(&ld->details, "%s%s=%s", ld->details.len ? "|" : "", key, buf);
	} else if (code >= 0) {
		if (!indicator_key(ld, code, key, v))
			ignore(ld, "setting", key);
	} else if (known_section(section) && !prepare_key(section, key)) {
		ignore(ld, "setting", key);
	}
	return !ld->failed;
}

/* libinih calls the handler only for keys, but Cardinal enables an
 * indicator by its section alone ("[R028]"). */
static int settings_section(void *user, const char *section, uint64_t line)
{
	struct loader *ld = user;
	int code = code_of(section);

	ld->line = line;
	/* The sub-table alone makes [R003] exist, as Cardinal's config crate
	 * nests it. */
	if (!strcmp(section, "R003.procurement_method_details"))
		code = code_of("R003");
	if (code >= 0)
		ld->enabled |= 1u << code;
	else if (!known_section(section))
		ignore(ld, "section", section);
	return 1;
}

/*
 * cfg: every rule off but the indicators' rules, in mode cardinal with
 * Cardinal's defaults where they are not the rules' own (R003 judges
 * every procurementMethod), then the settings file over them.
 */
static int settings_load(struct loader *ld, const char *path)
{
	pb_config *cfg = ld->cfg;

	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	/* One rule thread per core, as the audit's default. */
	cfg->jobs = cores < 1 ? 1 : cores > PB_MAX_JOBS ? PB_MAX_JOBS : (int)cores;
	cfg->ocds_raw = 1;
	for (size_t i = 0; i < pb_nrules; i++)
		cfg->rules[i].enabled = 0;
	if (!set_all(ld, 0, "mode", "cardinal") ||
	    pb_config_set_param(cfg, "bidding.short-submission-period", "methods", "", ld->err) < 0)
		return -1;
	if (!path)
		return 0;
	static const pb_ini_hooks hooks = {settings_handler, settings_section, NULL};
	ld->path = path;
	if (pb_ini_read(path, "settings", &hooks, ld, ld->err) < 0)
		return -1;
	if (ld->details.len &&
	    pb_config_set_param(cfg, "bidding.short-submission-period", "details_min_days", ld->details.data,
				ld->err) < 0)
		return -1;
	for (size_t i = 0; i < NINDICATORS; i++)
		if (ld->enabled & (1u << i))
			cfg->rules[pb_rule_index(pb_rule_find(indicators[i].rule))].enabled = 1;
	return 0;
}

static void warn_lines(FILE *err_out, const char *text)
{
	for (const char *p = text; p && *p;) {
		size_t k = strcspn(p, "\n");
		char *line = pb_xstrndup(p, k);
		fputs("probity: warning: ", err_out);
		pb_output_escape(err_out, line);
		fputc('\n', err_out);
		free(line);
		p += k + (p[k] == '\n');
	}
}

/* Removes the copy of standard input and its folder; frees path. */
static void stdin_remove(char *path)
{
	if (path) {
		unlink(path);
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
	free(path);
}

/* Standard input, copied to a temporary folder's stdin.jsonl for the
 * importer (it picks the format by the extension). */
static char *stdin_copy(pb_error *err)
{
	char dir[] = "/tmp/probity-cardinal-XXXXXX", buf[65536];
	char *path = NULL;
	FILE *f = NULL;
	size_t n;

	if (mkdtemp(dir)) {
		path = pb_xstrdup(dir);
		path = pb_xreallocarray(path, strlen(dir) + sizeof("/stdin.jsonl"), 1);
		strcat(path, "/stdin.jsonl");
		f = fopen(path, "w");
	}
	while (f && (n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		fwrite(buf, 1, n, f);
	if (!f || ferror(stdin) || fclose(f) != 0) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot copy standard input: %s", strerror(errno));
		stdin_remove(path);
		return NULL;
	}
	return path;
}

/* Imports, runs and writes; the lines the importer skipped are warnings
 * naming the line (input shown as `name`). */
static int run(const pb_config *cfg, const char *path, const char *name, int with_meta, FILE *out,
	       FILE *err_out, pb_error *err)
{
	pb_ledger *l = pb_ledger_new(cfg->base_currency);
	int rc = pb_import_path(l, path, NULL, cfg, err);

	if (rc == 0) {
		const pb_rejection *rj = pb_ledger_rejections(l);
		for (size_t i = 0; i < pb_ledger_nrejections(l); i++) {
			fprintf(err_out, "probity: warning: ");
			pb_output_escape(err_out, name);
			fprintf(err_out, ":%llu: ", (unsigned long long)rj[i].line);
			pb_output_escape(err_out, rj[i].reason);
			fputs(", skipped\n", err_out);
		}
		pb_ledger_seal(l);
		pb_audit *a = pb_audit_run(l, cfg, pb_ledger_latest_date(l, NULL));
		rc = pb_report_cardinal_write(a, with_meta, out, err);
		pb_audit_free(a);
	}
	pb_ledger_free(l);
	return rc;
}

static const char usage[] = "usage: probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n";

static int fail(FILE *err_out, const pb_error *err)
{
	fputs("probity: error: ", err_out);
	pb_output_escape(err_out, err->msg);
	fputc('\n', err_out);
	return err->code ? err->code : PB_EXIT_INPUT;
}

int cmd_cardinal(int argc, char **argv)
{
	const char *settings_path = NULL, *input = NULL;
	int with_meta = 1, rc = 0;
	pb_config cfg;
	pb_error err = {0};
	FILE *out = stdout, *err_out = stderr;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--no-meta")) {
			with_meta = 0;
		} else if ((!strcmp(a, "--settings") || !strcmp(a, "-s")) && i + 1 < argc) {
			settings_path = argv[++i];
		} else if (!strncmp(a, "--settings=", 11)) {
			settings_path = a + 11;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, out);
			return 0;
		} else if ((a[0] == '-' && a[1]) || input) {
			fputs("probity: error: cardinal: unexpected argument '", err_out);
			pb_output_escape(err_out, a);
			fprintf(err_out, "'\n%s", usage);
			return PB_EXIT_USAGE;
		} else {
			input = a;
		}
	}
	if (!input) {
		fputs(usage, err_out);
		return PB_EXIT_USAGE;
	}
	pb_config_init(&cfg);
	struct loader ld = {.cfg = &cfg, .err = &err};
	pb_buf_init(&ld.details);
	pb_buf_init(&ld.ignored);
	rc = settings_load(&ld, settings_path);
	warn_lines(err_out, ld.ignored.data);
	if (!rc && !ld.enabled)
		fprintf(err_out, "probity: warning: cardinal: no indicator enabled; a settings file "
				 "enables one by its section, e.g. [R024]\n");
	char *copy = NULL;
	if (!rc && !strcmp(input, "-") && !(copy = stdin_copy(&err)))
		rc = -1;
	if (!rc)
		rc = run(&cfg, copy ? copy : input, input, with_meta, out, err_out, &err);
	stdin_remove(copy);
	pb_buf_release(&ld.details);
	pb_buf_release(&ld.ignored);
	pb_config_release(&cfg);
	return rc ? fail(err_out, &err) : 0;
}
