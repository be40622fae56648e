/* test_config.c - INI loading, strict keys, profiles, `probity init`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../../engine/config.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"
#include "fixture_core.h"

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/probity-config-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static int load_text(pb_config *cfg, const char *text, pb_error *err)
{
	char *path = write_temp(text);
	int rc = pb_config_load(cfg, path, err);

	unlink(path);
	free(path);
	return rc;
}

static int64_t param(const pb_config *cfg, const char *rule, const char *name)
{
	const pb_rule *r = pb_rule_find(rule);

	return cfg->rules[pb_rule_index(r)].numbers[pb_rule_param_index(r, name)];
}

static void test_defaults(void **state)
{
	pb_config cfg;
	(void)state;

	pb_config_init(&cfg);
	assert_string_equal(cfg.base_currency, "EUR");
	assert_int_equal(cfg.part_bytes, 8u << 20);
	assert_int_equal(cfg.fail_on, PB_SEV_HIGH);
	assert_int_equal(cfg.max_rejected_pct, 50);
	assert_int_equal(cfg.as_of, PB_DATE_NONE);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"),
			 10000000); /* 100000.00 EUR in cents */
	for (size_t i = 0; i < pb_nrules; i++) {
		assert_int_equal(cfg.rules[i].enabled, 1);
		assert_int_equal(cfg.rules[i].severity, -1);
	}
	pb_config_release(&cfg);
}

static void test_load(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg,
		"[rule competition.single-source]\n"
		"threshold = 250000\n"
		"severity = critical\n"
		"[audit]\n"
		"base_currency = JPY\n"
		"as_of = 2024-12-31\n"
		"fail_on = medium\n"
		"part_bytes = 0\n"
		"max_rejected_pct = 100\n"
		"[rule payments.duplicate]\n"
		"enabled = no\n"
		"[profile bank]\n"
		"files = pay_*.csv bank-*.txt\n"
		"table = payments\n"
		"delimiter = semicolon\n"
		"decimal = ,\n"
		"thousands = .\n"
		"date_format = DD.MM.YYYY\n"
		"encoding = windows-1251\n"
		"col.amount = Сума\n"
		"col.paid_on = Date paid\n", &err), 0);
	(void)err;
	assert_string_equal(cfg.base_currency, "JPY");
	assert_int_equal(cfg.fail_on, PB_SEV_MEDIUM);
	assert_int_equal(cfg.as_of, pb_date_from_ymd(2024, 12, 31));
	assert_int_equal(cfg.part_bytes, 0);
	assert_int_equal(cfg.max_rejected_pct, 100);
	/* The threshold is parsed after base_currency, whatever the order. */
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 250000);
	const pb_rule *ss = pb_rule_find("competition.single-source");
	assert_int_equal(cfg.rules[pb_rule_index(ss)].severity, PB_SEV_CRITICAL);
	assert_int_equal(cfg.rules[pb_rule_index(pb_rule_find("payments.duplicate"))].enabled, 0);

	assert_int_equal(cfg.nprofiles, 1);
	const pb_profile *p = pb_config_profile_for(&cfg, "/data/in/pay_2024.csv");
	assert_non_null(p);
	assert_string_equal(p->table, "payments");
	assert_int_equal(p->delimiter, ';');
	assert_int_equal(p->numfmt.decimal, ',');
	assert_int_equal(p->numfmt.thousands, '.');
	assert_string_equal(p->date_format, "DD.MM.YYYY");
	assert_int_equal(p->nrenames, 2);
	assert_string_equal(p->renames[0].canonical, "amount");
	assert_string_equal(p->renames[0].source, "Сума");
	assert_non_null(pb_config_profile_for(&cfg, "bank-1.txt"));
	assert_null(pb_config_profile_for(&cfg, "payments.csv"));
	pb_config_release(&cfg);
}

static void expect_error(const char *text, const char *needle)
{
	pb_config cfg;
	pb_error err;

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, text, &err), -1);
	assert_int_equal(err.code, PB_EXIT_USAGE);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
	pb_config_release(&cfg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[audit]\nbase_curency = EUR\n", "unknown key 'base_curency'");
	expect_error("[audit]\nbase_currency = EURO\n", "'EURO' is not an ISO 4217 code");
	expect_error("[audit]\nas_of = 2023-02-30\n", "does not exist");
	expect_error("[audit]\npart_bytes = -1\n", "part_bytes '-1' must be a whole number of bytes");
	expect_error("[audit]\nfail_on = loud\n", "fail_on 'loud'");
	expect_error("[audit]\nmax_rejected_pct = 101\n", "max_rejected_pct '101' must be a whole number from 0 to 100");
	expect_error("[audit]\nmax_rejected_pct = 5%\n", "max_rejected_pct '5%'");
	expect_error("[rules]\nx = 1\n", "unknown section [rules]");
	expect_error("[rule competition.nope]\nenabled = no\n", "unknown rule 'competition.nope'");
	expect_error("[rule competition.single-source]\nthreshhold = 5\n", "unknown key 'threshhold'");
	expect_error("[rule competition.single-source]\nthreshold = 1e6\n", "threshold: '1e6' is not a number");
	expect_error("[rule competition.single-source]\nthreshold = -5\n", "is negative");
	expect_error("[rule competition.single-source]\nseverity = urgent\n", "severity 'urgent'");
	expect_error("[rule competition.weak-rationale]\nboilerplate = (unclosed\n", "pattern '(unclosed'");
	/* A parameter is parsed once the base currency is known, after the
	 * last line: its error still names the line that set it (the first
	 * of a list continued on further lines). */
	expect_error("[audit]\nbase_currency = EUR\n\n[rule payments.duplicate]\nwindow_days = -5\n",
		     ":5: [rule payments.duplicate] window_days: '-5' is negative");
	expect_error("[rule competition.weak-rationale]\nboilerplate = ^ok$\n  (unclosed\n[audit]\nbase_currency = EUR\n",
		     ":2: [rule competition.weak-rationale] boilerplate: ");
	expect_error("[profile x]\ndecimal = ,\nthousands = ,\n", "both ','");
	expect_error("[profile x]\ndate_format = DD/MM\n", "date_format 'DD/MM'");
	expect_error("[profile x]\ntable = ledger\n", "table 'ledger'");
	expect_error("[profile x]\nmapping = y\n", "unknown key 'mapping'");
	expect_error("[profile x]\nencoding = klingon-8\n", "encoding 'klingon-8' is not known to iconv");
	expect_error("this is not ini\n", "not a valid INI line");
}

static void test_line_numbers(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[audit]\nfail_on = high\n\nbogus = 1\n", &err), -1);
	assert_non_null(strstr(err.msg, ":4: [audit]: unknown key 'bogus'"));
	pb_config_release(&cfg);
}

static void test_set_param(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(pb_config_set_param(&cfg, "competition.single-source",
					     "threshold", "50000", &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 5000000);
	assert_int_equal(pb_config_set_param(&cfg, "competition.single-source",
					     "nope", "1", &err), -1);
	assert_non_null(strstr(err.msg, "unknown key 'nope'"));
	pb_config_release(&cfg);
}

static const char *currency(const pb_config *cfg, const char *rule, const char *name)
{
	const pb_rule *r = pb_rule_find(rule);

	return pb_config_param_currency(cfg, (size_t)pb_rule_index(r),
					(size_t)pb_rule_param_index(r, name));
}

/* A money parameter names its currency, and its minor units are that
 * currency's; without one it is in the base currency, read after the
 * whole file (base_currency may come later). */
static void test_money_currency(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_string_equal(currency(&cfg, "competition.single-source", "threshold"), "EUR");
	assert_int_equal(load_text(&cfg,
		"[rule competition.single-source]\n"
		"threshold = 100000 EUR\n"
		"[rule supplier.no-registry-id]\n"
		"threshold = 126000 AMD\n"
		"[rule splitting.below-threshold]\n"
		"threshold = 5000000 jpy\n"
		"[rule execution.payment-without-contract]\n"
		"threshold = 2500.125 KWD\n"
		"[rule splitting.threshold-hugging]\n"
		"threshold = 90000\n"
		"[audit]\n"
		"base_currency = GBP\n", &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 10000000);
	assert_string_equal(currency(&cfg, "competition.single-source", "threshold"), "EUR");
	assert_int_equal(param(&cfg, "supplier.no-registry-id", "threshold"), 12600000);
	assert_string_equal(currency(&cfg, "supplier.no-registry-id", "threshold"), "AMD");
	assert_int_equal(param(&cfg, "splitting.below-threshold", "threshold"), 5000000);
	assert_string_equal(currency(&cfg, "splitting.below-threshold", "threshold"), "JPY");
	assert_int_equal(param(&cfg, "execution.payment-without-contract", "threshold"), 2500125);
	assert_string_equal(currency(&cfg, "execution.payment-without-contract", "threshold"), "KWD");
	/* no currency written: the base currency, GBP here */
	assert_int_equal(param(&cfg, "splitting.threshold-hugging", "threshold"), 9000000);
	assert_string_equal(currency(&cfg, "splitting.threshold-hugging", "threshold"), "GBP");
	/* a rule left alone keeps its default: in the currency it names, or
	 * else in the base currency */
	const pb_rule *nr = pb_rule_find("supplier.newly-registered");
	const char *def = nr->params[pb_rule_param_index(nr, "threshold")].def;
	size_t dn = strlen(def);
	assert_string_equal(currency(&cfg, "supplier.newly-registered", "threshold"),
			    dn > 4 && def[dn - 4] == ' ' ? def + dn - 3 : "GBP");
	/* setting a value again replaces the currency too */
	assert_int_equal(pb_config_set_param(&cfg, "competition.single-source", "threshold",
					     "100000", &err), 0);
	assert_string_equal(currency(&cfg, "competition.single-source", "threshold"), "GBP");
	assert_int_equal(pb_config_set_param(&cfg, "competition.single-source", "threshold",
					     "7 USD", &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 700);
	assert_int_equal(pb_config_set_param(&cfg, "competition.single-source", "threshold",
					     "7 XXY", &err), -1);
	assert_string_equal(currency(&cfg, "competition.single-source", "threshold"), "USD");
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 700);
	pb_config_release(&cfg);

	expect_error("[rule competition.single-source]\nthreshold = 100000 EUX\n",
		     "[rule competition.single-source] threshold: '100000 EUX': 'EUX' is not an ISO 4217 currency code");
	expect_error("[rule competition.single-source]\nthreshold = 100000 EURO\n",
		     "threshold: '100000 EURO' is not an amount followed by an ISO 4217 currency code");
	expect_error("[rule competition.single-source]\nthreshold = 100000EUR\n",
		     "'100000EUR' is not an amount followed");
	expect_error("[rule competition.single-source]\nthreshold = EUR\n", "'EUR' is not an amount");
	expect_error("[rule competition.single-source]\nthreshold = 100000.5 JPY\n",
		     "'100000.5 JPY' has more decimal places than its currency allows");
	expect_error("[rule competition.single-source]\nthreshold = -5 EUR\n", "'-5 EUR' is negative");
	expect_error("[rule competition.single-source]\nthreshold = 1e6 EUR\n", "'1e6 EUR' is not a number");
}

/* `probity init` shows how a money parameter names its currency. */
static void test_init_shows_currency_form(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	pb_config_write_default(f);
	fclose(f);
	assert_non_null(strstr(text, "e.g. 100000 EUR; without one, the base currency"));
	assert_non_null(strstr(text, "\"100000 EUR\" names its own"));
	free(text);
}

/* A long word list may go on continuation lines, as `probity init` writes
 * it (libinih reads at most 200 characters a line): the words are joined. */
static void test_text_continuation(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[rule timing.weekend-award]\n"
					 "weekend = fri\n"
					 "    sat\n", &err), 0);
	const pb_rule *r = pb_rule_find("timing.weekend-award");
	assert_string_equal(cfg.rules[pb_rule_index(r)].values[pb_rule_param_index(r, "weekend")],
			    "fri sat");
	pb_config_release(&cfg);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	pb_config_write_default(f);
	fclose(f);
	for (char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		if (n >= 200)
			fail_msg("probity init writes a line of %zu characters: %.60s", n, line);
		line += n + (line[n] == '\n');
	}
	free(text);
}

/* `probity init` output must load, commented and uncommented alike. */
/* A profile pattern that gives up at PCRE2's limits says so (-1): the
 * CSV importer then rejects the row instead of taking "no match". */
static void test_match_limit_is_not_no_match(void **state)
{
	int e;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR) "(a+)+$", PCRE2_ZERO_TERMINATED, 0, &e, &off, NULL);
	pb_match m = {.mode = PB_MATCH_REGEX, .re = re};
	char s[64];
	(void)state;

	memset(s, 'a', 40);
	s[40] = 'b';
	s[41] = '\0';
	assert_int_equal(pb_match_one(&m, s, strlen(s)), -1);
	assert_int_equal(pb_match_one(&m, "aaa", 3), 1);
	assert_int_equal(pb_match_one(&m, "aab", 3), 0);
	pcre2_code_free(re);
}

/* [audit] history and history_wait: the --history defaults. */
static void test_history_keys(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_null(cfg.history);
	assert_int_equal(load_text(&cfg, "[audit]\nhistory = /var/lib/probity/h.sqlite\nhistory_wait = 30\n", &err), 0);
	assert_string_equal(cfg.history, "/var/lib/probity/h.sqlite");
	assert_int_equal(cfg.history_wait_ms, 30000);
	pb_config_release(&cfg);
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[audit]\nhistory_wait = soon\n", &err), -1);
	assert_non_null(strstr(err.msg, "history_wait 'soon' must be whole seconds"));
	pb_config_release(&cfg);
}

static void test_default_file_round_trip(void **state)
{
	char *text = NULL, *plain;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_write_default(f);
	fclose(f);
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, text, &err), 0);
	pb_config_release(&cfg);

	/* Uncomment every "; key = value" line and the continuation lines
	 * that follow it, up to the profile example (placeholders). */
	plain = calloc(1, len + 1);
	char *out = plain;
	int prev = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
		if (strstr(line, "A mapping profile") == line + 2)
			break;
		size_t id = strspn(line + 2, "abcdefghijklmnopqrstuvwxyz_");
		int setting = !strncmp(line, "; ", 2) && id > 0 && !strncmp(line + 2 + id, " = ", 3);
		int cont = prev && !strncmp(line, ";     ", 6);
		size_t skip = setting ? 2 : cont ? 1 : 0;
		memcpy(out, line + skip, n - skip);
		out += n - skip;
		prev = setting || cont;
		line += n;
	}
	pb_config_init(&cfg);
	int rc = load_text(&cfg, plain, &err);
	if (rc != 0)
		fail_msg("uncommented default config does not load: %s", err.msg);
	const pb_rule *wr = pb_rule_find("competition.weak-rationale");
	assert_non_null(wr);
	int pi = pb_rule_param_index(wr, "boilerplate");
	assert_true(pi >= 0);
	assert_non_null(cfg.rules[pb_rule_index(wr)].values[pi]);
	assert_true(cfg.rules[pb_rule_index(wr)].compiled[pi]->n > 3);
	pb_config_release(&cfg);
	free(plain);
	free(text);
}

/* libinih (Debian's build) reads at most 199 bytes of a line and parses
 * the rest as a line of its own, and keeps 49 bytes of a section's name:
 * a comment of any length stays a comment, a longer line or name is
 * refused naming its line, never cut; a long list goes on indented
 * lines, under its whole key. */
static void test_long_lines(void **state)
{
	pb_config cfg, def;
	pb_error err;
	pb_buf b;
	(void)state;

	pb_config_init(&def);
	int64_t threshold = param(&def, "competition.single-source", "threshold");
	pb_config_release(&def);

	/* A 5 000-byte comment whose tail looks like a setting is a comment. */
	pb_buf_init(&b);
	pb_buf_addstr(&b, "[rule competition.single-source]\n; ");
	for (int i = 0; i < 5000 - 16; i++)
		pb_buf_addch(&b, 'x');
	pb_buf_addstr(&b, "threshold = 1\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), threshold);
	pb_config_release(&cfg);

	/* A 4 000-byte list of alternatives on one line is refused, naming
	 * the line and saying what to do. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "[profile long]\ntable = payments\n; a comment\ncol.amount = Amount");
	for (int i = 0; i < 400; i++)
		pb_buf_addf(&b, " | Col%04d", i);
	pb_buf_addstr(&b, "\ncol.paid_on = Date\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), -1);
	assert_non_null(strstr(err.msg, ":4: line of 4019 bytes, longer than the 199 libinih reads"));
	assert_non_null(strstr(err.msg, "a list continues on indented lines"));
	pb_config_release(&cfg);

	/* The same list on indented lines is read whole, and an error after
	 * it has its own line number. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "[profile long]\ntable = payments\n; a comment\ncol.amount = Amount\n");
	for (int i = 0; i < 400; i++)
		pb_buf_addf(&b, "  Col%04d\n", i);
	pb_buf_addstr(&b, "col.paid_on = Date\n\nbogus = 1\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), -1);
	assert_non_null(strstr(err.msg, ":407: [profile long]: unknown key 'bogus'"));
	pb_config_release(&cfg);
	char *cut = strstr(b.data, "\n\nbogus");
	cut[1] = '\0';
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), 0);
	assert_int_equal(cfg.nprofiles, 1);
	assert_int_equal(cfg.profiles[0].renames[0].nalts, 401);
	assert_string_equal(cfg.profiles[0].renames[0].alts[400], "Col0399");
	pb_config_release(&cfg);

	/* A key longer than libinih's 49 bytes keeps its continuation lines
	 * (libinih hands them over under a copy of the key cut short). */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "[profile long]\ntable = payments\ncol.amount = Amount\ncol.paid_on = Date\n"
			  "extra.");
	for (int i = 0; i < 60; i++)
		pb_buf_addch(&b, 'n');
	pb_buf_addstr(&b, " = Reference\n    Ref\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), 0);
	assert_int_equal(cfg.profiles[0].nextras, 1);
	assert_int_equal(strlen(cfg.profiles[0].extras[0].canonical), 60);
	assert_int_equal(cfg.profiles[0].extras[0].nalts, 2);
	pb_config_release(&cfg);

	/* A section name libinih would cut is refused, naming its line. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "[audit]\nfail_on = high\n[profile ");
	for (int i = 0; i < 50; i++)
		pb_buf_addch(&b, 'p');
	pb_buf_addstr(&b, "]\ntable = payments\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), -1);
	assert_non_null(strstr(err.msg, ":3: section name longer than 49 bytes"));
	pb_config_release(&cfg);

	/* An error in a line near the limit names that line. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "[audit]\n\n\nbase_currency = ");
	for (int i = 0; i < 180; i++)
		pb_buf_addch(&b, 'E');
	pb_buf_addstr(&b, "\n");
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, b.data, &err), -1);
	assert_non_null(strstr(err.msg, ":4: [audit] base_currency 'EEE"));
	pb_config_release(&cfg);
	pb_buf_release(&b);
}

/* Every rule can be configured: its "[rule ID]" section's name is within
 * the 49 bytes libinih keeps, and so is each "[profile NAME]" of the
 * shipped profiles (they load in e2e). */
static void test_rule_sections_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < pb_nrules; i++) {
		size_t n = strlen("rule ") + strlen(pb_rules[i]->id);
		if (n > 49)
			fail_msg("[rule %s] is %zu bytes: libinih keeps 49 of a section's name", pb_rules[i]->id, n);
	}
}

/* An indented line continues only a key that takes a list; after any
 * other key it is an error naming the key and the line. */
static void test_continuation_only_for_lists(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[rule competition.single-source]\nthreshold = 100000\n  5\n", &err), -1);
	assert_non_null(strstr(err.msg, ":3: [rule competition.single-source] threshold takes one value"));
	pb_config_release(&cfg);

	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[audit]\n\nfail_on = high\n\tcritical\n", &err), -1);
	assert_non_null(strstr(err.msg, ":4: [audit] fail_on takes one value"));
	pb_config_release(&cfg);

	/* Near misses: an indented key line is a key line; an indented
	 * comment is a comment; a list key takes continuation lines. */
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg,
				   "[rule competition.single-source]\n"
				   "threshold = 100000\n"
				   "  ; a comment\n"
				   "  severity = low\n"
				   "[parties]\n"
				   "legal_forms = \\bacme\\b\n"
				   "    \\bwidgets\\b ; inline comment\n", &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 10000000);
	assert_non_null(cfg.legal_forms);
	assert_int_equal(cfg.legal_forms->n, 2);
	pb_config_release(&cfg);

	/* A repeated key on its own line replaces a one-value key, as before. */
	pb_config_init(&cfg);
	assert_int_equal(load_text(&cfg, "[rule competition.single-source]\nthreshold = 1\nthreshold = 2\n", &err), 0);
	assert_int_equal(param(&cfg, "competition.single-source", "threshold"), 200);
	pb_config_release(&cfg);

	/* A NUL byte in the file is an error naming its line. */
	char *path = write_temp("[audit]\n");
	FILE *f = fopen(path, "ab");
	fwrite("fail_on = high\0x\n", 1, 17, f);
	fclose(f);
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, path, &err), -1);
	assert_non_null(strstr(err.msg, ":2: line holds a NUL byte"));
	pb_config_release(&cfg);
	unlink(path);
	free(path);
}

/* Catastrophic patterns are refused when the configuration loads; a
 * pattern that passes but hits its match or depth limit on a record's
 * text is counted in the rule's coverage, never read as "no match"
 * (which would call the text substance or boilerplate unseen). */
static void test_pattern_limits(void **state)
{
	(void)state;
	expect_error("[rule competition.weak-rationale]\nboilerplate = (a+)+$\n",
		     "pattern '(a+)+$' backtracks catastrophically");
	expect_error("[rule competition.weak-rationale]\nboilerplate = urgent\n  (x+x+)+y\n",
		     "pattern '(x+x+)+y' backtracks catastrophically");
	expect_error("[parties]\nlegal_forms = (\\w+\\s?)+$\n", "backtracks catastrophically");
	expect_error("[profile p]\ntable = payments\nnull = /^(\\d+)+$/\n", "backtracks catastrophically");
	/* \C could end a match inside a UTF-8 character. */
	expect_error("[rule competition.weak-rationale]\nboilerplate = urgent\\C\n", "\\C");

	pb_error err;
	pb_config_init(&CFG);
	/* Near miss: linear and low-degree patterns load. */
	assert_int_equal(load_text(&CFG, "[rule competition.weak-rationale]\n"
				   "boilerplate = \\burgen(t|cy)\\b\n  .*.*=.*\n  (?:ab|cd)*$\n", &err), 0);
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "tenders", "csv");
	pb_buf text;
	pb_buf_init(&text);
	for (int i = 0; i < 300000; i++)
		pb_buf_addstr(&text, "ab");
	pb_buf_addstr(&text, " x");
	static const char *const ids[] = {"DEEP", "DEEP2", "BOILER"};
	const char *why[] = {text.data, text.data, "urgency"};
	for (int k = 0; k < 3; k++) {
		pb_tender t;
		memset(&t, 0, sizeof(t));
		src(&t.row);
		t.tender_id = pb_text_of(S(ids[k]));
		t.buyer_id = pb_text_of(S("MOD"));
		t.method = pb_text_of(S("direct"));
		t.method_rationale = pb_text_of(S(why[k]));
		t.estimated_value = PB_AMOUNT_NONE;
		t.currency = pb_text_of(S("EUR"));
		t.published_on = t.submission_deadline = PB_DATE_NONE;
		t.number_of_tenderers = PB_INT_NONE;
		t.classified = t.framework = PB_BOOL_NONE;
		assert_int_equal(pb_ledger_add(L, IN, PB_T_TENDERS, &t), 0);
	}
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	size_t fired = 0, ran = 0;
	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, "competition.weak-rationale")) {
			fired++;
			assert_string_equal(a->findings[i]->subject_id, "BOILER");
		}
	assert_int_equal(fired, 1);
	for (size_t i = 0; i < a->ncoverage; i++)
		if (!strcmp(a->coverage[i].rule->id, "competition.weak-rationale")) {
			ran = 1;
			assert_non_null(a->coverage[i].reason);
			/* Each of the two texts is asked about once. */
			assert_non_null(strstr(a->coverage[i].reason, "boilerplate: PCRE2's match or depth "
					       "limit was hit 2 times, those texts not judged (first: 'ababab"));
		}
	assert_int_equal(ran, 1);
	pb_audit_free(a);
	pb_ledger_free(L);
	pb_buf_release(&text);
	pb_config_release(&CFG);
}

/* Rows of input `in`: `imported` read and imported, `rejected` rejected. */
static void rows(size_t in, int imported, int rejected)
{
	for (int i = 0; i < imported; i++)
		pb_ledger_count_imported(L, in);
	for (int i = 0; i < rejected; i++)
		pb_ledger_reject(L, in, (uint64_t)(i + 2), "date '05/01/2024' is not an ISO 8601 date");
}

/* [audit] max_rejected_pct: an input of 10 rows or more, or a table's
 * inputs together when no one of them is, with more than that share
 * rejected; exactly the share, or fewer than 10 rows, is not. */
static void test_mostly_rejected(void **state)
{
	(void)state;
	pb_config_init(&CFG);
	L = pb_ledger_new("EUR");
	rows(pb_ledger_add_input(L, "pay.csv", "payments", "csv"), 5, 7);
	rows(pb_ledger_add_input(L, "pay-old.csv", "payments", "csv"), 1, 2);
	rows(pb_ledger_add_input(L, "contracts.csv", "contracts", "csv"), 10, 10);
	rows(pb_ledger_add_input(L, "small.csv", "budget", "csv"), 0, 9);
	for (int k = 0; k < 12; k++) {
		char path[32];
		snprintf(path, sizeof(path), "notice-%02d.xml", k);
		rows(pb_ledger_add_input(L, path, "mixed", "eforms"), k < 5, k >= 5);
	}
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	assert_int_equal(a->nmostly_rejected, 2);
	assert_string_equal(a->mostly_rejected[0].what, "pay.csv");
	assert_int_equal(a->mostly_rejected[0].inputs, 1);
	assert_int_equal(a->mostly_rejected[0].read, 12);
	assert_int_equal(a->mostly_rejected[0].rejected, 7);
	/* payments together are not listed again: pay.csv already is */
	assert_string_equal(a->mostly_rejected[1].what, "eforms");
	assert_int_equal(a->mostly_rejected[1].inputs, 12);
	assert_int_equal(a->mostly_rejected[1].read, 12);
	assert_int_equal(a->mostly_rejected[1].rejected, 7);
	pb_audit_free(a);
	pb_ledger_free(L);

	CFG.max_rejected_pct = 100;
	L = pb_ledger_new("EUR");
	rows(pb_ledger_add_input(L, "pay.csv", "payments", "csv"), 0, 12);
	pb_ledger_seal(L);
	a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	assert_int_equal(a->nmostly_rejected, 0);
	pb_audit_free(a);
	pb_ledger_free(L);
	pb_config_release(&CFG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_set_param),
		cmocka_unit_test(test_default_file_round_trip),
		cmocka_unit_test(test_history_keys),
		cmocka_unit_test(test_match_limit_is_not_no_match),
		cmocka_unit_test(test_money_currency),
		cmocka_unit_test(test_init_shows_currency_form),
		cmocka_unit_test(test_text_continuation),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_rule_sections_fit),
		cmocka_unit_test(test_continuation_only_for_lists),
		cmocka_unit_test(test_pattern_limits),
		cmocka_unit_test(test_mostly_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
