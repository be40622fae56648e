/*
 * test_fx.c - the fx table (canonical and the ECB's published CSV) and
 * exact conversion: direct, inverse and cross rates, rounding, lookback.
 *
 * Expected amounts are worked by hand (and checked with Python's Decimal,
 * rounding half away from zero): e.g. 100000.00 USD at 1 EUR = 1.0811 USD
 * is 10000000 / 1.0811 = 9249838.09 cents, so 92498.38 EUR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../engine/fx.h"
#include "../../importers/importers.h"

static char dir[] = "/tmp/probity-fx-XXXXXX";

struct run {
	pb_ledger *l;
	pb_config cfg;
	pb_error err;
	int rc;
	pb_fx *fx;
};

static const char *write_file(const char *name, const char *text, size_t n)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(text, 1, n, f);
	fclose(f);
	return path;
}

static void start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	pb_config_init(&r->cfg);
	r->l = pb_ledger_new(r->cfg.base_currency);
}

/* Imports one more file into r's ledger (several files make one ledger). */
static int add_file(struct run *r, const char *name, const char *text, size_t n,
		    const char *table)
{
	return r->rc = pb_import_path(r->l, write_file(name, text, n), table, &r->cfg, &r->err);
}

#define ADD(r, name, lit, table) add_file(r, name, lit, sizeof(lit) - 1, table)

static void seal(struct run *r)
{
	pb_ledger_seal(r->l);
	r->fx = pb_fx_build(r->l);
}

static void done(struct run *r)
{
	pb_fx_free(r->fx);
	pb_ledger_free(r->l);
	pb_config_release(&r->cfg);
}

static pb_date D(const char *iso)
{
	pb_date d;
	const char *why;

	assert_int_equal(pb_date_parse(iso, strlen(iso), NULL, &d, &why), 0);
	return d;
}

static void reconciles(pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		assert_int_equal(in[i].rows_read, in[i].rows_imported + in[i].rows_rejected);
}

static void expect_rejection(pb_ledger *l, uint64_t line, const char *text)
{
	const pb_rejection *rj = pb_ledger_rejections(l);

	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		if (rj[i].line == line && strstr(rj[i].reason, text))
			return;
	fail_msg("no rejection at line %llu containing '%s'", (unsigned long long)line, text);
}

static int64_t convert(struct run *r, int64_t amount, const char *from, const char *to,
		       const char *on, pb_fx_used *u)
{
	int64_t out = 0;

	assert_int_equal(pb_fx_convert(r->fx, amount, from, to, D(on), &out, u), 0);
	return out;
}

static int no_rate(struct run *r, int64_t amount, const char *from, const char *to,
		   const char *on, pb_fx_used *u)
{
	int64_t out = 12345;
	int rc = pb_fx_convert(r->fx, amount, from, to, D(on), &out, u);

	assert_int_equal(out, 12345); /* untouched */
	return rc == -1;
}

/* The ECB's history file as published: trailing comma, N/A, newest first,
 * a currency the euro replaced (CYP). */
static const char hist[] =
	"Date,USD,JPY,BGN,CYP,KWD,AMD,\n"
	"2024-03-28,1.0811,163.45,1.9558,N/A,0.3321,420.15,\n"
	"2024-03-27,1.0824,163.98,1.9558,N/A,0.3326,N/A,\n"
	"2007-12-31,1.4721,163.44,1.9558,0.585274,N/A,N/A,\n";

static void test_ecb_hist(void **state)
{
	struct run r;
	pb_fx_used u;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "eurofxref-hist.csv", hist, NULL), 0);
	seal(&r);
	const pb_input *in = pb_ledger_inputs(r.l);
	assert_string_equal(in[0].table, "fx");
	assert_int_equal(in[0].rows_read, 3); /* one per line, not per rate */
	assert_int_equal(in[0].rows_imported, 3);
	assert_int_equal(in[0].rows_rejected, 0);
	/* 6 + 4 + 3 rates known to ISO 4217 today; CYP and N/A left out */
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 12);
	assert_int_equal(pb_fx_count(r.fx), 12);
	const pb_fx_rate *x = pb_ledger_find(r.l, PB_T_FX,
		pb_ledger_intern(r.l, "2024-03-28|USD|EUR", 18));
	assert_non_null(x);
	assert_int_equal(x->rate, INT64_C(1081100000000));
	assert_int_equal(x->row.line, 2);
	assert_null(pb_ledger_find(r.l, PB_T_FX, pb_ledger_intern(r.l, "2024-03-27|AMD|EUR", 18)));
	/* EUR -> USD: 100000.00 * 1.0811 */
	assert_int_equal(convert(&r, 10000000, "EUR", "USD", "2024-03-28", &u), 10811000);
	assert_int_equal(u.nlegs, 1);
	assert_ptr_equal(u.legs[0].record, x);
	assert_non_null(strstr(u.text, "1 EUR = 1.0811 USD on 2024-03-28 ("));
	assert_non_null(strstr(u.text, "eurofxref-hist.csv:2)"));
	/* USD -> EUR: the inverse of the published rate */
	assert_int_equal(convert(&r, 10000000, "USD", "EUR", "2024-03-28", &u), 9249838);
	assert_int_equal(u.nlegs, 1);
	/* 126000.00 AMD is 299.89 EUR, not 126000 of anything */
	assert_int_equal(convert(&r, 12600000, "AMD", "EUR", "2024-03-28", NULL), 29989);
	reconciles(r.l);
	done(&r);
}

static void test_cross_rates(void **state)
{
	struct run r;
	pb_fx_used u;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "eurofxref-hist.csv", hist, NULL), 0);
	seal(&r);
	/* 1000.00 USD -> JPY (no minor unit): 1000 * 163.45 / 1.0811 = 151188.70 */
	assert_int_equal(convert(&r, 100000, "USD", "JPY", "2024-03-28", &u), 151189);
	assert_int_equal(u.nlegs, 2);
	assert_string_equal(u.legs[0].currency, "USD");
	assert_string_equal(u.legs[1].currency, "JPY");
	assert_non_null(strstr(u.text, "cross rate through EUR"));
	assert_non_null(strstr(u.text, "1 EUR = 163.45 JPY"));
	/* 15115 JPY -> USD: 15115 * 1.0811 / 163.45 = 99.974 */
	assert_int_equal(convert(&r, 15115, "JPY", "USD", "2024-03-28", NULL), 9997);
	/* 1000.00 USD -> KWD (three decimals): 1000 * 0.3321 / 1.0811 = 307.187 */
	assert_int_equal(convert(&r, 100000, "USD", "KWD", "2024-03-28", NULL), 307187);
	/* signs survive */
	assert_int_equal(convert(&r, -100000, "USD", "KWD", "2024-03-28", NULL), -307187);
	/* AMD was N/A on the 27th: the 28th is after it, so no rate */
	assert_true(no_rate(&r, 100000, "USD", "AMD", "2024-03-27", &u));
	assert_non_null(strstr(u.text, "no USD/AMD rate on 2024-03-27"));
	done(&r);
}

static void test_rounding(void **state)
{
	struct run r;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "fx.csv", "rate_date,currency,base,rate\n"
				 "2024-01-02,USD,EUR,1.5\n"
				 "2024-01-02,GBP,EUR,0.5\n", NULL), 0);
	seal(&r);
	/* exact halves go away from zero */
	assert_int_equal(convert(&r, 1, "EUR", "USD", "2024-01-02", NULL), 2);   /* 1.5 */
	assert_int_equal(convert(&r, -1, "EUR", "USD", "2024-01-02", NULL), -2); /* -1.5 */
	assert_int_equal(convert(&r, 3, "EUR", "GBP", "2024-01-02", NULL), 2);   /* 1.5 */
	assert_int_equal(convert(&r, 5, "EUR", "GBP", "2024-01-02", NULL), 3);   /* 2.5 */
	/* below half goes down: 1 cent USD is 0.666... EUR cents */
	assert_int_equal(convert(&r, 1, "USD", "EUR", "2024-01-02", NULL), 1);
	assert_int_equal(convert(&r, 2, "GBP", "USD", "2024-01-02", NULL), 6);
	/* comparison is exact: 0.67 EUR is 1.005 USD, which rounds to 1.01
	 * but is below a 1.01 USD threshold */
	int cmp = 9;
	assert_int_equal(convert(&r, 67, "EUR", "USD", "2024-01-02", NULL), 101);
	assert_int_equal(pb_fx_compare(r.fx, 67, "EUR", 101, "USD", D("2024-01-02"), &cmp, NULL), 0);
	assert_int_equal(cmp, -1);
	assert_int_equal(pb_fx_compare(r.fx, 100, "EUR", 150, "USD", D("2024-01-02"), &cmp, NULL), 0);
	assert_int_equal(cmp, 0);
	assert_int_equal(pb_fx_compare(r.fx, 100, "EUR", 149, "USD", D("2024-01-02"), &cmp, NULL), 0);
	assert_int_equal(cmp, 1);
	/* the other way and across exponents: 100000 JPY has no rate here */
	assert_int_equal(pb_fx_compare(r.fx, 100000, "JPY", 100, "USD", D("2024-01-02"), &cmp, NULL), -1);
	assert_int_equal(pb_fx_compare(r.fx, 150, "USD", 100, "EUR", D("2024-01-02"), &cmp, NULL), 0);
	assert_int_equal(cmp, 0);
	assert_int_equal(pb_fx_compare(r.fx, 5, "EUR", 5, "EUR", PB_DATE_NONE, &cmp, NULL), 0);
	assert_int_equal(cmp, 0);
	/* a result beyond int64 is not a conversion */
	assert_true(no_rate(&r, INT64_MAX, "EUR", "USD", "2024-01-02", NULL));
	done(&r);
}

static void test_lookback(void **state)
{
	struct run r;
	pb_fx_used u;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "fx.csv", "rate_date,currency,rate\n"
				 "2024-03-21,USD,1.0800\n"
				 "2024-03-14,USD,1.0900\n", NULL), 0);
	seal(&r);
	assert_int_equal(pb_fx_lookback(r.fx), 7);
	/* the same day, and 7 days later: the rate of the 21st */
	assert_int_equal(convert(&r, 10000, "EUR", "USD", "2024-03-21", &u), 10800);
	assert_int_equal(u.legs[0].rate_date, D("2024-03-21"));
	assert_int_equal(convert(&r, 10000, "EUR", "USD", "2024-03-28", &u), 10800);
	/* the 20th takes the 14th's (6 days), never the later 21st's */
	assert_int_equal(convert(&r, 10000, "EUR", "USD", "2024-03-20", &u), 10900);
	assert_int_equal(u.legs[0].rate_date, D("2024-03-14"));
	/* 8 days after the last rate, or before the first: none */
	assert_true(no_rate(&r, 10000, "EUR", "USD", "2024-03-29", &u));
	assert_non_null(strstr(u.text, "or the 7 days before"));
	assert_true(no_rate(&r, 10000, "EUR", "USD", "2024-03-13", NULL));
	pb_fx_set_lookback(r.fx, 0);
	assert_true(no_rate(&r, 10000, "EUR", "USD", "2024-03-22", NULL));
	assert_int_equal(convert(&r, 10000, "EUR", "USD", "2024-03-21", NULL), 10800);
	done(&r);
}

static void test_same_currency_and_failures(void **state)
{
	struct run r;
	pb_fx_used u;
	int64_t out = 0;
	(void)state;

	start(&r);
	seal(&r); /* no fx rows at all */
	assert_int_equal(pb_fx_count(r.fx), 0);
	/* the same currency needs neither a rate nor a date */
	assert_int_equal(pb_fx_convert(r.fx, 123, "EUR", "EUR", PB_DATE_NONE, &out, &u), 0);
	assert_int_equal(out, 123);
	assert_int_equal(u.nlegs, 0);
	assert_int_equal(pb_fx_convert(NULL, 7, "AMD", "AMD", PB_DATE_NONE, &out, NULL), 0);
	assert_int_equal(out, 7);
	assert_int_equal(pb_fx_convert(r.fx, 123, "EUR", "USD", D("2024-01-02"), &out, &u), -1);
	assert_int_equal(pb_fx_convert(r.fx, 123, "EUR", "USD", PB_DATE_NONE, &out, &u), -1);
	assert_non_null(strstr(u.text, "no date"));
	assert_int_equal(pb_fx_convert(r.fx, 123, "EUR", "XYZ", D("2024-01-02"), &out, &u), -1);
	assert_non_null(strstr(u.text, "'XYZ' is not an ISO 4217"));
	assert_int_equal(pb_fx_convert(r.fx, PB_AMOUNT_NONE, "EUR", "EUR", PB_DATE_NONE, &out, &u), -1);
	done(&r);
}

static void test_ecb_daily_bom(void **state)
{
	struct run r;
	(void)state;

	start(&r);
	/* the daily file: spaces after commas, "28 March 2024", a BOM */
	assert_int_equal(ADD(&r, "eurofxref.csv",
			     "\xEF\xBB\xBF" "Date, USD, JPY, BGN, \n"
			     "28 March 2024, 1.0811, 163.45, 1.9558, \n", NULL), 0);
	seal(&r);
	assert_int_equal(pb_ledger_inputs(r.l)[0].rows_imported, 1);
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 3);
	assert_int_equal(convert(&r, 10000000, "EUR", "USD", "2024-03-28", NULL), 10811000);
	done(&r);

	/* a single-digit day, and the ECB layout whatever the file is called */
	start(&r);
	assert_int_equal(ADD(&r, "rates.csv", "Date,USD\n3 June 2021,1.2187\n", NULL), 0);
	assert_int_equal(ADD(&r, "fx.csv", "Date,GBP,\n2021-06-03,0.86,\n", NULL), 0);
	seal(&r);
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 2);
	assert_non_null(pb_ledger_find(r.l, PB_T_FX, pb_ledger_intern(r.l, "2021-06-03|USD|EUR", 18)));
	done(&r);
}

static void test_ecb_bad_rows(void **state)
{
	struct run r;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "eurofxref-hist.csv",
			     "Date,USD,JPY,\n"
			     "2024-03-28,1.0811,163.45,\n"
			     "2024-03-27,1.0824,abc,\n"   /* one bad rate: the row */
			     "2024-02-30,1.0800,160.00,\n" /* no such date */
			     "29 Febuary 2024,1.08,160,\n"
			     "2024-03-26,0,160.00,\n"
			     "2024-03-25,1.0811,\n"        /* a field short */
			     "2024-03-22,N/A,N/A,\n",     /* nothing quoted: imported, empty */
			     NULL), 0);
	seal(&r);
	const pb_input *in = pb_ledger_inputs(r.l);
	assert_int_equal(in[0].rows_read, 7);
	assert_int_equal(in[0].rows_imported, 2);
	assert_int_equal(in[0].rows_rejected, 5);
	expect_rejection(r.l, 3, "JPY 'abc' is not a number");
	expect_rejection(r.l, 4, "Date '2024-02-30' is not a date");
	expect_rejection(r.l, 5, "is not a date");
	expect_rejection(r.l, 6, "USD '0' is not a positive rate");
	expect_rejection(r.l, 7, "expected 4 fields, found 3");
	/* nothing of a rejected row is kept */
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 2);
	assert_null(pb_ledger_find(r.l, PB_T_FX, pb_ledger_intern(r.l, "2024-03-27|USD|EUR", 18)));
	reconciles(r.l);
	done(&r);
}

static void test_ecb_twice(void **state)
{
	struct run r;
	(void)state;

	/* the daily file after the history: the same rates add nothing and
	 * are no error; a different rate for a loaded date is rejected */
	start(&r);
	assert_int_equal(ADD(&r, "eurofxref-hist.csv", hist, NULL), 0);
	assert_int_equal(ADD(&r, "eurofxref.csv",
			     "Date, USD, JPY, \n28 March 2024, 1.0811, 163.45, \n", NULL), 0);
	assert_int_equal(ADD(&r, "eurofxref2.csv",
			     "Date, USD, \n28 March 2024, 1.0999, \n", NULL), 0);
	seal(&r);
	const pb_input *in = pb_ledger_inputs(r.l);
	assert_int_equal(in[1].rows_imported, 1);
	assert_int_equal(in[1].rows_rejected, 0);
	assert_int_equal(in[2].rows_rejected, 1);
	expect_rejection(r.l, 2, "USD rate 1.0999 differs from 1.0811");
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 12);
	reconciles(r.l);
	done(&r);
}

static void test_not_ecb(void **state)
{
	struct run r;
	(void)state;

	/* forced to another table, the ECB layout is not guessed */
	start(&r);
	assert_int_equal(ADD(&r, "eurofxref.csv", "Date,USD\n2024-03-28,1.08\n", "payments"), -1);
	assert_non_null(strstr(r.err.msg, "payment_id"));
	done(&r);
	/* a file named after another table keeps that table */
	start(&r);
	assert_int_equal(ADD(&r, "payments.csv", "Date,USD\n2024-03-28,1.08\n", NULL), -1);
	assert_non_null(strstr(r.err.msg, "payment_id"));
	done(&r);
	/* "Date" followed by words that are not currency codes */
	start(&r);
	assert_int_equal(ADD(&r, "rates.csv", "Date,Amount\n2024-03-28,1.08\n", NULL), -1);
	assert_non_null(strstr(r.err.msg, "cannot tell which table"));
	done(&r);
	/* lower-case codes are not the ECB's */
	start(&r);
	assert_int_equal(ADD(&r, "rates.csv", "Date,usd\n2024-03-28,1.08\n", NULL), -1);
	done(&r);
}

static void test_canonical(void **state)
{
	struct run r;
	pb_fx_used u;
	(void)state;

	start(&r);
	assert_int_equal(ADD(&r, "fx_rates.csv",
			     "rate_date,currency,base,rate\n"
			     "2024-03-28,USD,EUR,1.0811\n"
			     "2024-03-28,usd,,1.0811\n"          /* base defaults: a duplicate */
			     "2024-03-28,AMD,USD,388.62\n"       /* another base */
			     "2024-03-28,EUR,eur,1\n"
			     "2024-03-28,USD,EUR,0\n"
			     "2024-03-28,GBP,EUR,-0.85\n"
			     "2024-03-28,GBP,EUR,0.8544000000001\n"
			     "2024-03-28,GBP,EUR,0.854400000001\n" /* 12 places: fine */
			     "2024-03-28,GBP,EUX,0.85\n"
			     "2024-03-28,,EUR,0.85\n"
			     "2024-03-28,CHF,EUR,\n"
			     ",CHF,EUR,0.97\n", NULL), 0);
	seal(&r);
	assert_string_equal(pb_ledger_inputs(r.l)[0].table, "fx");
	expect_rejection(r.l, 3, "duplicate fx key '2024-03-28|USD|EUR'");
	expect_rejection(r.l, 5, "currency and base are both EUR");
	expect_rejection(r.l, 6, "rate '0' is not a positive rate");
	expect_rejection(r.l, 7, "is not a positive rate");
	expect_rejection(r.l, 8, "has more than 12 decimal places");
	expect_rejection(r.l, 10, "base 'EUX' is not an ISO 4217 code");
	expect_rejection(r.l, 11, "currency is empty");
	expect_rejection(r.l, 12, "rate is empty");
	expect_rejection(r.l, 13, "rate_date is empty");
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 3);
	reconciles(r.l);
	/* a direct rate against a base other than EUR, both ways */
	assert_int_equal(convert(&r, 100, "USD", "AMD", "2024-03-29", &u), 38862);
	assert_non_null(strstr(u.text, "1 USD = 388.62 AMD on 2024-03-28 ("));
	assert_int_equal(convert(&r, 38862, "AMD", "USD", "2024-03-29", NULL), 100);
	/* EUR -> AMD: no base quotes both (EUR quotes USD, USD quotes AMD) */
	assert_true(no_rate(&r, 100, "EUR", "AMD", "2024-03-28", NULL));
	done(&r);

	/* chosen by its header, without a base column */
	start(&r);
	assert_int_equal(ADD(&r, "rates.csv", "rate_date,currency,rate\n2024-03-28,USD,1.0811\n", NULL), 0);
	seal(&r);
	const pb_fx_rate *x = pb_ledger_at(r.l, PB_T_FX, 0);
	assert_non_null(x);
	assert_string_equal(pb_str(x->base), "EUR");
	assert_string_equal(pb_ledger_key(r.l, PB_T_FX, x), "2024-03-28|USD|EUR");
	done(&r);

	/* --table fx= also works */
	start(&r);
	assert_int_equal(ADD(&r, "whatever.csv", "rate_date,currency,rate\n2024-03-28,USD,1.0811\n", "fx"), 0);
	assert_int_equal(pb_ledger_count(r.l, PB_T_FX), 1);
	pb_ledger_seal(r.l);
	done(&r);
}

static void test_rate_format(void **state)
{
	char buf[32];
	(void)state;

	assert_string_equal(pb_fx_rate_format(INT64_C(1081100000000), buf), "1.0811");
	assert_string_equal(pb_fx_rate_format(INT64_C(163000000000000), buf), "163");
	assert_string_equal(pb_fx_rate_format(1, buf), "0.000000000001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecb_hist),
		cmocka_unit_test(test_cross_rates),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_lookback),
		cmocka_unit_test(test_same_currency_and_failures),
		cmocka_unit_test(test_ecb_daily_bom),
		cmocka_unit_test(test_ecb_bad_rows),
		cmocka_unit_test(test_ecb_twice),
		cmocka_unit_test(test_not_ecb),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_rate_format),
	};
	if (!mkdtemp(dir))
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
