/* test_cardinal.c - Cardinal's quartiles and fences, its settings file, and
 * indicators on small inline releases: each one flags, and a near miss
 * does not. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../cli/cardinal.h"
#include "../../engine/stats.h"

static char *temp_file(const char *text)
{
	char *path = strdup("/tmp/probity-cardinal-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Runs the indicators over `jsonl` with settings `ini`; returns stdout. */
static char *run(const char *ini, const char *jsonl, int with_meta, char **warnings)
{
	char *ini_path = temp_file(ini), *in = temp_file(jsonl);
	char *buf = NULL, *wbuf = NULL;
	size_t len = 0, wlen = 0;
	pb_cardinal_settings s;
	pb_error err = {0};

	assert_int_equal(pb_cardinal_settings_load(&s, ini_path, &err), 0);
	FILE *out = open_memstream(&buf, &len), *w = open_memstream(&wbuf, &wlen);
	assert_int_equal(pb_cardinal_run(&s, in, with_meta, out, w, &err), 0);
	fclose(out);
	fclose(w);
	pb_cardinal_settings_release(&s);
	unlink(ini_path);
	unlink(in);
	free(ini_path);
	free(in);
	if (warnings)
		*warnings = wbuf;
	else
		free(wbuf);
	return buf;
}

static void test_quantile_type8(void **state)
{
	/* Hand-computed: h = (n + 1/3) p + 1/3, then linear between the
	 * floor(h)-th and next order statistics. */
	const double x9[] = {0, 0, 100, 100, 100, 100, 100, 100, 100};
	const double x5[] = {0, 0, 0, 0, 100};
	const double x4[] = {1, 2, 3, 4};
	const double x1[] = {0.5};
	(void)state;

	/* n = 9, p = 1/4: h = 2 + 2/3, x2 + 2/3 (x3 - x2) = 200/3. */
	assert_true(fabs(pb_quantile(x9, 9, 0.25) - 200.0 / 3.0) < 1e-12);
	assert_true(pb_quantile(x9, 9, 0.75) == 100.0);
	/* n = 5, p = 3/4: h = 4 + 1/3, 0 + 1/3 (100 - 0). */
	assert_true(fabs(pb_quantile(x5, 5, 0.75) - 100.0 / 3.0) < 1e-12);
	assert_true(pb_quantile(x5, 5, 0.25) == 0.0);
	/* n = 4: h = 1.4167 and 3.5833. */
	assert_true(fabs(pb_quantile(x4, 4, 0.25) - (1.0 + 5.0 / 12.0)) < 1e-12);
	assert_true(fabs(pb_quantile(x4, 4, 0.75) - (3.0 + 7.0 / 12.0)) < 1e-12);
	/* The ends: below the first, past the last, and p = 1. */
	assert_true(pb_quantile(x1, 1, 0.25) == 0.5);
	assert_true(pb_quantile(x1, 1, 0.75) == 0.5);
	assert_true(pb_quantile(x4, 4, 0.0) == 1.0);
	assert_true(pb_quantile(x4, 4, 1.0) == 4.0);
	assert_true(isnan(pb_quantile(x4, 0, 0.5)));
	assert_true(isnan(pb_quantile(x4, 4, 1.5)));
}

static void test_fences(void **state)
{
	/* Unsorted on purpose. */
	const double v[] = {100, 0, 100, 100, 0, 100, 100, 100, 100};
	(void)state;

	pb_fences f = pb_fences_of(v, 9);
	assert_true(fabs(f.q1 - 200.0 / 3.0) < 1e-12);
	assert_true(f.q3 == 100.0);
	/* q1 - 1.5 IQR = 200/3 - 50; q3 + 1.5 IQR = 150. */
	assert_true(fabs(f.lower - 50.0 / 3.0) < 1e-12);
	assert_true(fabs(f.upper - 150.0) < 1e-12);
	/* One fused rounding, bit for bit as Rust's mul_add. */
	assert_true(f.lower == fma(f.q3 - f.q1, -1.5, f.q1));
	assert_true(isnan(pb_fences_of(v, 0).q1));
}

static void test_settings(void **state)
{
	char *path = temp_file("currency = EUR\n"
			       "no_price_comparison_procurement_methods = A|B|\n"
			       "[exclusions]\n"
			       "procurement_method_details = X\n"
			       "[R003]\n"
			       "threshold = 10\n"
			       "procurement_methods = open|selective\n"
			       "[R003.procurement_method_details]\n"
			       "emergency = 5\n"
			       "Two Words = -2\n"
			       "[R028]\n"
			       "[R035]\n"
			       "threshold = 0\n"
			       "[R048]\n"
			       "threshold = 7\n"
			       "[defaults]\n"
			       "currency = USD\n"
			       "[R099]\n"
			       "[R024]\n"
			       "colour = red\n");
	pb_cardinal_settings s;
	pb_error err = {0};
	(void)state;

	assert_int_equal(pb_cardinal_settings_load(&s, path, &err), 0);
	assert_string_equal(s.currency, "EUR");
	/* Split as Rust's split_terminator: a trailing '|' adds nothing. */
	assert_int_equal(s.no_price_comparison.n, 2);
	assert_string_equal(s.no_price_comparison.items[1], "B");
	assert_int_equal(s.excluded_details.n, 1);
	assert_int_equal(s.r003_threshold, 10);
	assert_int_equal(s.r003_methods.n, 2);
	assert_int_equal(s.r003_ndetails, 2);
	assert_string_equal(s.r003_details[1].details, "Two Words");
	assert_int_equal(s.r003_details[1].days, -2);
	assert_int_equal(s.r035_threshold, 1); /* never below 1 */
	assert_true(s.r048_threshold.set && s.r048_threshold.value == 7.0);
	assert_false(s.r024_threshold.set);
	/* Sections alone enable indicators; others stay off. */
	assert_true(s.enabled & (1u << PB_CARDINAL_R028));
	assert_true(s.enabled & (1u << PB_CARDINAL_R024));
	assert_false(s.enabled & (1u << PB_CARDINAL_R018));
	/* Defaults of untouched indicators. */
	assert_int_equal(s.r018_methods.n, 2);
	assert_int_equal(s.r025_percentile, 75);
	/* Unknown sections and keys are reported, not fatal. */
	assert_non_null(strstr(s.ignored, "R099"));
	assert_non_null(strstr(s.ignored, "colour"));
	assert_null(strstr(s.ignored, "defaults"));
	pb_cardinal_settings_release(&s);
	unlink(path);
	free(path);

	/* A value of the wrong type is an error naming file and line. */
	path = temp_file("[R025]\npercentile = 0.5\n");
	assert_int_equal(pb_cardinal_settings_load(&s, path, &err), -1);
	assert_int_equal(err.code, PB_EXIT_USAGE);
	assert_non_null(strstr(err.msg, ":2: percentile"));
	pb_cardinal_settings_release(&s);
	unlink(path);
	free(path);
}

/* R003: whole days, truncated; fractions and offsets count; a threshold
 * per procurementMethodDetails. */
static void test_r003(void **state)
{
	const char *ini = "[R003]\n[R003.procurement_method_details]\nquick = 2\n";
	(void)state;
	char *out = run(ini,
			/* 14 days 23:59:59.5 is 14 whole days: flagged. */
			"{\"ocid\":\"short\",\"tender\":{\"tenderPeriod\":{\"startDate\":\"2000-01-01T00:00:00.5Z\","
			"\"endDate\":\"2000-01-16T00:00:00Z\"}}}\n"
			/* Exactly 15 days across an offset: not flagged. */
			"{\"ocid\":\"full\",\"tender\":{\"tenderPeriod\":{\"startDate\":\"2000-01-01T05:00:00+05:00\","
			"\"endDate\":\"2000-01-16T00:00:00Z\"}}}\n"
			/* 2 days under the per-details threshold of 2: not flagged. */
			"{\"ocid\":\"quick\",\"tender\":{\"procurementMethodDetails\":\"quick\",\"tenderPeriod\":"
			"{\"startDate\":\"2000-01-01T00:00:00Z\",\"endDate\":\"2000-01-03T00:00:00Z\"}}}\n"
			/* Not RFC 3339: skipped. */
			"{\"ocid\":\"bad\",\"tender\":{\"tenderPeriod\":{\"startDate\":\"2000-01-01\","
			"\"endDate\":\"2000-01-02T00:00:00Z\"}}}\n"
			/* Negative periods flag. */
			"{\"ocid\":\"negative\",\"tender\":{\"tenderPeriod\":{\"startDate\":\"2000-02-01T00:00:00Z\","
			"\"endDate\":\"2000-01-01T00:00:00Z\"}}}\n",
			0, NULL);
	assert_string_equal(out, "{\"OCID\":{\"short\":{\"R003\":1.0},\"negative\":{\"R003\":1.0}}}\n");
	free(out);
}

/* R035 fires when the only valid tenderer won and another was
 * disqualified; not when the winner's own bid is the disqualified one. */
static void test_r035(void **state)
{
	char *warnings;
	(void)state;
	char *out = run("[R035]\n",
			"{\"ocid\":\"F\",\"bids\":{\"details\":[{\"status\":\"disqualified\",\"tenderers\":[{\"id\":\"D\"}]},"
			"{\"status\":\"valid\",\"tenderers\":[{\"id\":\"V\"}]}]},"
			"\"awards\":[{\"status\":\"active\",\"suppliers\":[{\"id\":\"V\"}]}]}\n"
			"{\"ocid\":\"self\",\"bids\":{\"details\":[{\"status\":\"disqualified\",\"tenderers\":[{\"id\":\"W\"}]},"
			"{\"status\":\"valid\",\"tenderers\":[{\"id\":\"W\"}]}]},"
			"\"awards\":[{\"status\":\"active\",\"suppliers\":[{\"id\":\"W\"}]}]}\n"
			"not json\n",
			0, &warnings);
	assert_string_equal(out, "{\"OCID\":{\"F\":{\"R035\":1.0}},\"Tenderer\":{\"V\":{\"R035\":0.0}}}\n");
	assert_non_null(strstr(warnings, ":3: invalid JSON"));
	free(out);
	free(warnings);
}

/* R038, Cardinal 0.0.8: a buyer's minimum_contracting_processes is
 * compared with its submitted bids, so one process with two bids is
 * enough, one process with one bid is not. */
static void test_r038_minimum(void **state)
{
	(void)state;
	char *out = run("[R038]\n",
			"{\"ocid\":\"0\",\"buyer\":{\"id\":\"B\"},\"bids\":{\"details\":["
			"{\"status\":\"valid\",\"tenderers\":[{\"id\":\"X\"}]},"
			"{\"status\":\"disqualified\",\"tenderers\":[{\"id\":\"Y\"}]}]}}\n"
			"{\"ocid\":\"1\",\"buyer\":{\"id\":\"C\"},\"bids\":{\"details\":["
			"{\"status\":\"disqualified\",\"tenderers\":[{\"id\":\"Z\"}]}]}}\n",
			1, NULL);
	assert_non_null(strstr(out, "\"Buyer\":{\"B\":{\"R038\":0.5}}"));
	assert_null(strstr(out, "\"C\""));
	assert_non_null(strstr(out, "\"Buyer_upper_fence\":0.5"));
	free(out);
}

/* Without a section an indicator does not run, as in Cardinal. */
static void test_enabled_by_section(void **state)
{
	(void)state;
	char *out = run("[R003]\n",
			"{\"ocid\":\"a\",\"tender\":{\"numberOfTenderers\":1,\"procurementMethod\":\"open\"}}\n", 1,
			NULL);
	assert_string_equal(out, "{\"Meta\":{}}\n");
	free(out);
	out = run("[R018]\n",
		  "{\"ocid\":\"a\",\"tender\":{\"numberOfTenderers\":1,\"procurementMethod\":\"open\"}}\n"
		  "{\"ocid\":\"b\",\"tender\":{\"numberOfTenderers\":1,\"procurementMethod\":\"limited\"}}\n"
		  "{\"ocid\":\"c\",\"tender\":{\"numberOfTenderers\":1.0,\"procurementMethod\":\"open\"}}\n",
		  0, NULL);
	assert_string_equal(out, "{\"OCID\":{\"a\":{\"R018\":1.0}}}\n");
	free(out);
}

static void test_main_usage(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = fopen("/dev/null", "w"), *err = open_memstream(&buf, &len);
	char *none[] = {(char *)"cardinal", NULL};
	char *missing[] = {(char *)"cardinal", (char *)"/nonexistent/x.jsonl", NULL};
	char *bad[] = {(char *)"cardinal", (char *)"--frobnicate", (char *)"x", NULL};
	(void)state;

	assert_int_equal(pb_cardinal_main(1, none, out, err), PB_EXIT_USAGE);
	assert_int_equal(pb_cardinal_main(3, bad, out, err), PB_EXIT_USAGE);
	assert_int_equal(pb_cardinal_main(2, missing, out, err), PB_EXIT_INPUT);
	fclose(out);
	fclose(err);
	assert_non_null(strstr(buf, "/nonexistent/x.jsonl: cannot open"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_type8),
		cmocka_unit_test(test_fences),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_r003),
		cmocka_unit_test(test_r035),
		cmocka_unit_test(test_r038_minimum),
		cmocka_unit_test(test_enabled_by_section),
		cmocka_unit_test(test_main_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
