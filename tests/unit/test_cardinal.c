/* test_cardinal.c - Cardinal's quartiles and fences, and `probity cardinal`
 * end to end (settings file, OCDS importer, rules in mode cardinal,
 * reports/cardinal.c) on small inline releases: each indicator flags, and
 * a near miss does not. */
#include <fcntl.h>
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

#include "../../cli/cli.h"
#include "../../engine/stats.h"

/* A file `name` holding `text` in a folder of its own (the importer picks
 * the format by the extension); temp_remove removes both. */
static char *temp_named(const char *name, const char *text)
{
	char dir[] = "/tmp/probity-cardinal-XXXXXX";
	char *path = malloc(sizeof(dir) + strlen(name) + 1);

	assert_non_null(mkdtemp(dir));
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
	return path;
}

static char *temp_file(const char *text)
{
	return temp_named("file", text);
}

static void temp_remove(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* `probity cardinal ARGS...` with standard output and error captured;
 * returns the exit code. */
static int command(char **argv, int argc, char **out, char **err)
{
	char *o = temp_file(""), *e = temp_file("");
	int saved[2] = {dup(1), dup(2)};
	int fo = open(o, O_WRONLY | O_TRUNC), fe = open(e, O_WRONLY | O_TRUNC);

	fflush(stdout);
	fflush(stderr);
	dup2(fo, 1);
	dup2(fe, 2);
	int rc = cmd_cardinal(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	close(fo);
	close(fe);
	*out = slurp(o);
	*err = slurp(e);
	temp_remove(o);
	temp_remove(e);
	return rc;
}

/* Runs the indicators over `jsonl` with settings `ini`; returns stdout
 * (exit status 0 asserted) and, if asked, stderr. */
static char *run(const char *ini, const char *jsonl, int with_meta, char **warnings)
{
	char *ini_path = temp_file(ini), *in = temp_named("in.jsonl", jsonl), *out, *err;
	char *argv[] = {(char *)"cardinal", (char *)"--settings", ini_path, in, (char *)"--no-meta", NULL};

	assert_int_equal(command(argv, with_meta ? 4 : 5, &out, &err), 0);
	temp_remove(ini_path);
	temp_remove(in);
	if (warnings)
		*warnings = err;
	else
		free(err);
	return out;
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

/* Fences as the sorted copy gives them: what pb_fences_of computed
 * before it selected ranks instead of sorting. */
static pb_fences fences_by_sort(const double *v, size_t n)
{
	double *s = malloc((n + 1) * sizeof(*s));
	pb_fences f;

	memcpy(s, v, n * sizeof(*s));
	pb_sort_doubles(s, n);
	f.q1 = pb_quantile(s, n, 0.25);
	f.q3 = pb_quantile(s, n, 0.75);
	f.lower = fma(f.q3 - f.q1, -1.5, f.q1);
	f.upper = fma(f.q3 - f.q1, 1.5, f.q3);
	free(s);
	return f;
}

/* Bit for bit what the sort gives, on values with many ties, zeros of
 * both signs and NaNs of both signs (the sort keeps alike values in
 * the order given, so which zero or NaN a rank holds depends on it),
 * in sizes around every rounding of h, and on long runs laid out
 * against median-of-three pivots. */
static void test_fences_match_sort(void **state)
{
	static double v[5000];
	const double pool[] = {0.0, -0.0, 1.0, 0.5, 2.0, -1.0, INFINITY, -INFINITY, NAN, -NAN, 0.25};
	uint64_t seed = 42;
	(void)state;

	for (int trial = 0; trial < 3000; trial++) {
		size_t n = trial < 200 ? (size_t)trial % 40 : (size_t)(seed >> 33) % 5000;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned r = (unsigned)(seed >> 40);
			v[i] = trial % 3 == 0 ? pool[r % (sizeof(pool) / sizeof(pool[0]))]
			       : trial % 3 == 1 ? (double)(r % 7) - 3.0 : (double)r / 1000.0;
		}
		pb_fences a = pb_fences_of(v, n), b = fences_by_sort(v, n);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	/* organ pipe and sawtooth: adversarial for median of three */
	for (size_t i = 0; i < 5000; i++)
		v[i] = (double)(i < 2500 ? i : 5000 - i);
	pb_fences a = pb_fences_of(v, 5000), b = fences_by_sort(v, 5000);
	assert_memory_equal(&a, &b, sizeof(a));
	for (size_t i = 0; i < 5000; i++)
		v[i] = (double)(i % 64) + (i & 1 ? 0.0 : -0.0);
	a = pb_fences_of(v, 5000);
	b = fences_by_sort(v, 5000);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* The settings file reaches the rules: top-level lists split as Rust's
 * split_terminator, [exclusions], an indicator's own keys and its
 * per-details sub-table; sections alone enable indicators; unknown
 * sections and keys are warnings, `prepare` sections are silent. */
static void test_settings(void **state)
{
	const char *ini = "currency = EUR\n"
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
			  "[defaults]\n"
			  "currency = USD\n"
			  "[R099]\n"
			  "[R024]\n"
			  "colour = red\n";
#define PERIOD(ocid, method, details, start, end)                                                  \
	"{\"ocid\":\"" ocid "\",\"tender\":{\"procurementMethod\":\"" method "\","                   \
	"\"numberOfTenderers\":1,\"procurementMethodDetails\":\"" details "\",\"tenderPeriod\":"     \
	"{\"startDate\":\"" start "T00:00:00Z\",\"endDate\":\"" end "T00:00:00Z\"}}}\n"
#define SAME_PRICE(ocid, details)                                                                  \
	"{\"ocid\":\"" ocid "\",\"tender\":{\"procurementMethodDetails\":\"" details "\"},"          \
	"\"bids\":{\"details\":[{\"status\":\"valid\",\"value\":{\"amount\":5,\"currency\":\"EUR\"},"  \
	"\"tenderers\":[{\"id\":\"P\"}]},{\"status\":\"valid\",\"value\":{\"amount\":5,"              \
	"\"currency\":\"EUR\"},\"tenderers\":[{\"id\":\"Q\"}]}]}}\n"
	const char *jsonl =
		/* 9 days, under 10: flagged (and R018, without its section, silent). */
		PERIOD("nine", "open", "d", "2000-01-01", "2000-01-10")
		/* 10 days: not flagged; 1 day of a method not listed: not judged. */
		PERIOD("ten", "open", "d", "2000-01-01", "2000-01-11")
		PERIOD("limited", "limited", "d", "2000-01-01", "2000-01-02")
		/* 5 days where "emergency" needs 5: not flagged; -4 days where
		 * "Two Words" needs -2: flagged. */
		PERIOD("emergency", "open", "emergency", "2000-01-01", "2000-01-06")
		PERIOD("two", "open", "Two Words", "2000-01-05", "2000-01-01")
		/* Excluded, whatever it holds. */
		PERIOD("excluded", "open", "X", "2000-01-01", "2000-01-02")
		SAME_PRICE("excluded prices", "X")
		/* Identical prices: not compared under B, compared under C. */
		SAME_PRICE("B prices", "B") SAME_PRICE("C prices", "C")
		/* R035's threshold 0 counts as 1: a lone valid winner is not
		 * flagged, one disqualified rival is. */
		"{\"ocid\":\"alone\",\"bids\":{\"details\":[{\"status\":\"valid\",\"tenderers\":[{\"id\":\"V\"}]}]},"
		"\"awards\":[{\"status\":\"active\",\"suppliers\":[{\"id\":\"V\"}]}]}\n"
		"{\"ocid\":\"rival\",\"bids\":{\"details\":[{\"status\":\"valid\",\"tenderers\":[{\"id\":\"V\"}]},"
		"{\"status\":\"disqualified\",\"tenderers\":[{\"id\":\"D\"}]}]},"
		"\"awards\":[{\"status\":\"active\",\"suppliers\":[{\"id\":\"V\"}]}]}\n";
	char *warnings;
	(void)state;

	char *out = run(ini, jsonl, 0, &warnings);
	assert_string_equal(out, "{\"OCID\":{\"nine\":{\"R003\":1.0},\"two\":{\"R003\":1.0},"
				 "\"C prices\":{\"R028\":1.0},\"rival\":{\"R035\":1.0}},"
				 "\"Tenderer\":{\"P\":{\"R028\":1.0},\"Q\":{\"R028\":1.0},\"V\":{\"R035\":0.0}}}\n");
	/* Unknown sections and keys are reported, not fatal. */
	assert_non_null(strstr(warnings, ":16: unknown section 'R099', ignored"));
	assert_non_null(strstr(warnings, ":18: unknown setting 'colour', ignored"));
	assert_null(strstr(warnings, "defaults"));
	free(out);
	free(warnings);
#undef PERIOD
#undef SAME_PRICE

	/* A value of the wrong type is an error naming file and line. */
	char *path = temp_file("[R025]\npercentile = 0.5\n"), *in = temp_named("in.jsonl", "{\"ocid\":\"a\"}\n"), *err;
	char *argv[] = {(char *)"cardinal", (char *)"--settings", path, in, NULL};
	assert_int_equal(command(argv, 4, &out, &err), PB_EXIT_USAGE);
	assert_non_null(strstr(err, ":2: percentile '0.5' is not a number"));
	assert_string_equal(out, "");
	free(out);
	free(err);
	temp_remove(path);

	/* A line libinih would cut in two (a long exclusion list) is refused
	 * whole, naming its line, never read as two. */
	char list[400];
	memset(list, 'x', sizeof(list) - 1);
	list[sizeof(list) - 1] = '\0';
	for (size_t i = 20; i < sizeof(list) - 1; i += 20)
		list[i] = '|';
	list[250] = '=';
	char ini_long[512];
	snprintf(ini_long, sizeof(ini_long), "[R024]\n[exclusions]\nprocurement_method_details = %s\n", list);
	path = temp_file(ini_long);
	argv[2] = path;
	assert_int_equal(command(argv, 4, &out, &err), PB_EXIT_USAGE);
	assert_non_null(strstr(err, ":3: line of 428 bytes, longer than the 199 libinih reads"));
	assert_string_equal(out, "");
	free(out);
	free(err);
	temp_remove(path);
	temp_remove(in);
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
	/* Identifiers in the order of the findings: rule, then subject. */
	assert_string_equal(out, "{\"OCID\":{\"negative\":{\"R003\":1.0},\"short\":{\"R003\":1.0}}}\n");
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
	char *none[] = {(char *)"cardinal", NULL};
	char *missing[] = {(char *)"cardinal", (char *)"/nonexistent/x.jsonl", NULL};
	char *bad[] = {(char *)"cardinal", (char *)"--frobnicate", (char *)"x", NULL};
	char *out, *err;
	(void)state;

	assert_int_equal(command(none, 1, &out, &err), PB_EXIT_USAGE);
	assert_non_null(strstr(err, "usage: probity cardinal"));
	free(out);
	free(err);
	assert_int_equal(command(bad, 3, &out, &err), PB_EXIT_USAGE);
	assert_non_null(strstr(err, "unexpected argument '--frobnicate'"));
	free(out);
	free(err);
	assert_int_equal(command(missing, 2, &out, &err), PB_EXIT_INPUT);
	assert_non_null(strstr(err, "/nonexistent/x.jsonl: cannot open"));
	/* Without settings nothing runs, as in Cardinal; it says so. */
	assert_non_null(strstr(err, "no indicator enabled"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_type8),
		cmocka_unit_test(test_fences),
		cmocka_unit_test(test_fences_match_sort),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_r003),
		cmocka_unit_test(test_r035),
		cmocka_unit_test(test_r038_minimum),
		cmocka_unit_test(test_enabled_by_section),
		cmocka_unit_test(test_main_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
