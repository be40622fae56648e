/* test_value.c - money, decimals, dates and booleans parse strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/pb.h"
#include "../../engine/value.h"

static int amount(const char *s, int exp, pb_numfmt fmt, int64_t *out,
		  const char **why)
{
	return pb_amount_parse(s, strlen(s), exp, fmt, out, why);
}

static void test_amount_plain(void **state)
{
	const char *why;
	int64_t v;
	(void)state;

	assert_int_equal(amount("1234.56", 2, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 123456);
	assert_int_equal(amount("-10", 2, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, -1000);
	assert_int_equal(amount(" 7.5 ", 2, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 750);
	assert_int_equal(amount("100", 0, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 100);
	assert_int_equal(amount("1.234", 3, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(amount("12.3400", 2, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 1234);
}

static void test_amount_rejects(void **state)
{
	static const char *const bad[] = {
		"1e3", "NaN", "nan", "inf", "-", "", "1.2.3", "12,34", "1 000",
		"0x10", "+", ".5", "5.", "1.234", "99999999999999999999",
		"92233720368547758.08", NULL};
	const char *why;
	int64_t v;
	(void)state;

	for (int i = 0; bad[i]; i++) {
		why = NULL;
		assert_int_equal(amount(bad[i], 2, pb_numfmt_default, &v, &why), -1);
		assert_non_null(why);
	}
	assert_int_equal(amount("99999999999999999999", 2, pb_numfmt_default, &v, &why), -1);
	assert_string_equal(why, "is too large");
	assert_int_equal(amount("1.234", 2, pb_numfmt_default, &v, &why), -1);
	assert_string_equal(why, "has more decimal places than its currency allows");
}

static void test_amount_limits(void **state)
{
	const char *why;
	int64_t v;
	(void)state;

	assert_int_equal(amount("92233720368547758.07", 2, pb_numfmt_default, &v, &why), 0);
	assert_true(v == INT64_MAX);
	/* INT64_MIN is the "unknown" marker, so it is not a value. */
	assert_int_equal(amount("-92233720368547758.08", 2, pb_numfmt_default, &v, &why), -1);
	assert_int_equal(amount("-92233720368547758.07", 2, pb_numfmt_default, &v, &why), 0);
	assert_true(v == -INT64_MAX);
}

static void test_amount_grouping(void **state)
{
	pb_numfmt eu = {',', '.'};
	pb_numfmt ch = {'.', '\''};
	const char *why;
	int64_t v;
	(void)state;

	assert_int_equal(amount("1.234.567,89", 2, eu, &v, &why), 0);
	assert_int_equal(v, 123456789);
	assert_int_equal(amount("1234567,89", 2, eu, &v, &why), 0);
	assert_int_equal(v, 123456789);
	assert_int_equal(amount("1'000.50", 2, ch, &v, &why), 0);
	assert_int_equal(v, 100050);
	assert_int_equal(amount("12.34.56", 2, eu, &v, &why), -1);
	assert_int_equal(amount("12,34,56", 2, pb_numfmt_default, &v, &why), -1);
	assert_int_equal(amount("1.23", 2, eu, &v, &why), -1);
}

static void test_amount_format(void **state)
{
	char buf[32];
	(void)state;

	assert_string_equal(pb_amount_format(123456, 2, buf), "1234.56");
	assert_string_equal(pb_amount_format(-5, 2, buf), "-0.05");
	assert_string_equal(pb_amount_format(0, 2, buf), "0.00");
	assert_string_equal(pb_amount_format(42, 0, buf), "42");
	assert_string_equal(pb_amount_format(INT64_MAX, 2, buf), "92233720368547758.07");
	assert_string_equal(pb_amount_format(-INT64_MAX, 3, buf), "-9223372036854775.807");
}

static void test_currency(void **state)
{
	(void)state;
	assert_int_equal(pb_currency_exponent("EUR"), 2);
	assert_int_equal(pb_currency_exponent("UAH"), 2);
	assert_int_equal(pb_currency_exponent("JPY"), 0);
	assert_int_equal(pb_currency_exponent("KWD"), 3);
	assert_int_equal(pb_currency_exponent("XYZ"), -1);
	assert_int_equal(pb_currency_exponent("eur"), -1);
	assert_int_equal(pb_currency_exponent("EURO"), -1);
	assert_int_equal(pb_currency_exponent(NULL), -1);
}

static void test_decimal(void **state)
{
	const char *why;
	int64_t v;
	char buf[32];
	(void)state;

	assert_int_equal(pb_decimal_parse("2.5", 3, pb_numfmt_default, &v, &why), 0);
	assert_int_equal(v, 2500000);
	assert_string_equal(pb_decimal_format(v, buf), "2.5");
	assert_string_equal(pb_decimal_format(20000000, buf), "20");
	assert_int_equal(pb_decimal_parse("0.1234567", 9, pb_numfmt_default, &v, &why), -1);
	assert_string_equal(why, "has more than six decimal places");
}

static int date(const char *s, const char *fmt, pb_date *d, const char **why)
{
	return pb_date_parse(s, strlen(s), fmt, d, why);
}

static void test_dates_iso(void **state)
{
	const char *why;
	pb_date d;
	char buf[11];
	(void)state;

	assert_int_equal(date("1970-01-01", NULL, &d, &why), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date("2024-02-29", NULL, &d, &why), 0);
	assert_string_equal(pb_date_format(d, buf), "2024-02-29");
	assert_int_equal(date("2024-03-31T10:15:00+02:00", NULL, &d, &why), 0);
	assert_string_equal(pb_date_format(d, buf), "2024-03-31");
	assert_int_equal(date("2024-03-31T23:59:59.123Z", NULL, &d, &why), 0);
	assert_int_equal(date("2024-03-31 08:00", NULL, &d, &why), 0);
	assert_int_equal(date("1969-12-31", NULL, &d, &why), 0);
	assert_int_equal(d, -1);
	assert_string_equal(pb_date_format(d, buf), "1969-12-31");
}

static void test_dates_reject(void **state)
{
	static const char *const bad[] = {
		"2023-02-29", "2023-02-30", "2024-13-01", "2024-00-10",
		"2024-04-31", "24-03-01", "2024-3-1", "2024-03-01x",
		"2024-03-01T25:00", "2024-03-01T10:00+99:00", "31/03/2024",
		"yesterday", "0000-01-01", NULL};
	const char *why;
	pb_date d;
	(void)state;

	for (int i = 0; bad[i]; i++)
		assert_int_equal(date(bad[i], NULL, &d, &why), -1);
	assert_int_equal(date("2023-02-30", NULL, &d, &why), -1);
	assert_string_equal(why, "does not exist");
}

/* The shortcut for plain YYYY-MM-DD gives what the pattern reader gives
 * (asked for explicitly with format "YYYY-MM-DD"), on 200 000 strings of
 * that shape, most of them valid, some with a letter or sign in place. */
static void test_dates_plain_shortcut(void **state)
{
	static const char alphabet[] = "0123456789-+ Tx";
	unsigned seed = 7;
	char s[11];
	(void)state;

	for (int k = 0; k < 200000; k++) {
		for (int i = 0; i < 10; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = (seed >> 16) % 100;
			s[i] = i == 4 || i == 7 ? '-' : (char)('0' + r % 10);
			if (r >= 97)
				s[i] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
		}
		/* months and days near their limits half the time */
		if (k % 2) {
			s[5] = (char)('0' + (seed >> 3) % 2), s[8] = (char)('0' + (seed >> 5) % 4);
		}
		s[10] = '\0';
		pb_date fast = 0, slow = 0;
		const char *why;
		int rf = date(s, NULL, &fast, &why), rs = date(s, "YYYY-MM-DD", &slow, &why);
		if (rf != rs || (rf == 0 && fast != slow))
			fail_msg("'%s': %d/%d against %d/%d", s, rf, (int)fast, rs, (int)slow);
	}
}

static void test_dates_formats(void **state)
{
	const char *why;
	pb_date d;
	char buf[11];
	(void)state;

	assert_int_equal(date("31/03/2024", "DD/MM/YYYY", &d, &why), 0);
	assert_string_equal(pb_date_format(d, buf), "2024-03-31");
	assert_int_equal(date("1.3.2024", "D.M.YYYY", &d, &why), 0);
	assert_string_equal(pb_date_format(d, buf), "2024-03-01");
	assert_int_equal(date("03/31/2024", "MM/DD/YYYY", &d, &why), 0);
	assert_int_equal(date("31/02/2024", "DD/MM/YYYY", &d, &why), -1);
	assert_int_equal(date("2024-03-31", "DD/MM/YYYY", &d, &why), -1);
	assert_int_equal(pb_date_format_valid("DD/MM/YYYY"), 0);
	assert_int_equal(pb_date_format_valid("DD/MM"), -1);
	assert_int_equal(pb_date_format_valid("DD/MM/YYYY HH"), -1);
	assert_int_equal(pb_date_format_valid("D-MON-YY | DD/MM/YYYY"), 0);
	assert_int_equal(pb_date_format_valid("DD/MM/YYYY | DD/MM"), -1);
}

static void test_weekday(void **state)
{
	const char *why;
	pb_date d;
	(void)state;

	assert_int_equal(date("2024-11-25", NULL, &d, &why), 0);
	assert_int_equal(pb_date_weekday(d), 0); /* Monday */
	assert_int_equal(date("2024-11-24", NULL, &d, &why), 0);
	assert_int_equal(pb_date_weekday(d), 6); /* Sunday */
	assert_int_equal(pb_date_weekday(-1), 2); /* 1969-12-31 Wednesday */
	assert_int_equal(pb_date_year(d), 2024);
	assert_int_equal(pb_date_year(-1), 1969);
	assert_int_equal(date("2025-01-01", NULL, &d, &why), 0);
	assert_int_equal(pb_date_year(d - 1), 2024);
	/* Fiscal years are named by the calendar year they start in: a UK
	 * year from April, 31 March its twelfth month, 1 April the first. */
	int64_t fy;
	assert_int_equal(pb_date_fiscal(d, 1, &fy), 0);
	assert_int_equal(fy, 2025);
	assert_int_equal(pb_date_fiscal(d - 1, 1, &fy), 11);
	assert_int_equal(fy, 2024);
	assert_int_equal(date("2025-03-31", NULL, &d, &why), 0);
	assert_int_equal(pb_date_fiscal(d, 4, &fy), 11);
	assert_int_equal(fy, 2024);
	assert_int_equal(pb_date_fiscal(d + 1, 4, &fy), 0);
	assert_int_equal(fy, 2025);
}

static void test_bool_int(void **state)
{
	const char *why;
	int b;
	int64_t v;
	(void)state;

	assert_int_equal(pb_bool_parse("Yes", 3, &b, &why), 0);
	assert_int_equal(b, 1);
	assert_int_equal(pb_bool_parse("0", 1, &b, &why), 0);
	assert_int_equal(b, 0);
	assert_int_equal(pb_bool_parse("maybe", 5, &b, &why), -1);
	assert_int_equal(pb_int_parse("2024", 4, &v, &why), 0);
	assert_int_equal(v, 2024);
	assert_int_equal(pb_int_parse("3.5", 3, &v, &why), -1);
}

static void test_ratio(void **state)
{
	(void)state;
	/* 120/100 is a 20% increase: not more than 20%, but more than 19.99%. */
	assert_false(pb_ratio_exceeds_pct(20, 100, 20 * PB_DECIMAL_SCALE));
	assert_true(pb_ratio_exceeds_pct(20, 100, 19990000));
	assert_true(pb_ratio_exceeds_pct(INT64_MAX, INT64_MAX / 2, 199 * PB_DECIMAL_SCALE));
	assert_false(pb_ratio_exceeds_pct(INT64_MAX / 2, INT64_MAX, 50 * PB_DECIMAL_SCALE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_plain),
		cmocka_unit_test(test_amount_rejects),
		cmocka_unit_test(test_amount_limits),
		cmocka_unit_test(test_amount_grouping),
		cmocka_unit_test(test_amount_format),
		cmocka_unit_test(test_currency),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_dates_iso),
		cmocka_unit_test(test_dates_plain_shortcut),
		cmocka_unit_test(test_dates_reject),
		cmocka_unit_test(test_dates_formats),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_bool_int),
		cmocka_unit_test(test_ratio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
