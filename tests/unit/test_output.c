/*
 * test_output.c - the report set is complete or absent (engine/output.h):
 * generations swapped by one rename, formats not asked for carried over,
 * a failing reporter leaving the previous set whole, leftovers of killed
 * runs swept, the caller's umask, and the terminal escaper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../engine/config.h"
#include "../../engine/output.h"

static char dir[64];
static int fail_after; /* bytes failing_write writes before it fails */
static const char *payload = "one";

static int fake_write(const pb_audit *a, FILE *out, pb_error *err)
{
	(void)a;
	(void)err;
	fputs(payload, out);
	return 0;
}

/* Writes part of the payload, then fails as a reporter out of memory. */
static int failing_write(const pb_audit *a, FILE *out, pb_error *err)
{
	(void)a;
	fprintf(out, "%.*s", fail_after, payload);
	pb_error_set(err, PB_EXIT_INTERNAL, "out of memory building the fake report");
	return -1;
}

/* Borrow the registry's file names so carry-over and links see them. */
static pb_reporter json_like, html_like;

static char *slurp(const char *name)
{
	char p[128], *buf = calloc(1, 4096);
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f) {
		free(buf);
		return NULL;
	}
	size_t n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int write_set(const pb_reporter *const *reps, size_t n, pb_error *err)
{
	static pb_config cfg;
	pb_audit a = {.config = &cfg};

	return pb_output_write(&a, reps, n, dir, err);
}

/* Entries of dir whose name starts with prefix. */
static int entries(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/probity-test-output-XXXXXX");
	assert_non_null(mkdtemp(dir));
	json_like = (pb_reporter){.name = "json", .filename = "findings.json", .write = fake_write};
	html_like = (pb_reporter){.name = "html", .filename = "report.html", .write = fake_write};
	fail_after = 0;
	payload = "one";
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_set_replaced(void **state)
{
	const pb_reporter *both[] = {&json_like, &html_like};
	pb_error err;
	(void)state;

	assert_int_equal(write_set(both, 2, &err), 0);
	char *j = slurp("findings.json"), *h = slurp("report.html");
	assert_string_equal(j, "one");
	assert_string_equal(h, "one");
	free(j);
	free(h);
	payload = "two";
	assert_int_equal(write_set(both, 2, &err), 0);
	j = slurp("findings.json");
	assert_string_equal(j, "two");
	free(j);
	/* One generation left, the documented names are links into it. */
	assert_int_equal(entries(".gen-"), 1);
	char p[128], link[64];
	snprintf(p, sizeof(p), "%s/report.html", dir);
	ssize_t n = readlink(p, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, ".current/report.html");
}

static void test_failure_keeps_previous(void **state)
{
	const pb_reporter *both[] = {&json_like, &html_like};
	pb_error err;
	(void)state;

	assert_int_equal(write_set(both, 2, &err), 0);
	/* The second file fails half-way: nothing of this run is visible. */
	payload = "two";
	fail_after = 1;
	html_like.write = failing_write;
	assert_int_equal(write_set(both, 2, &err), -1);
	assert_int_equal(err.code, PB_EXIT_INTERNAL);
	assert_non_null(strstr(err.msg, "/report.html: out of memory building the fake report"));
	assert_non_null(strstr(err.msg, "previous reports left in place"));
	char *j = slurp("findings.json"), *h = slurp("report.html");
	assert_string_equal(j, "one");
	assert_string_equal(h, "one");
	free(j);
	free(h);
	assert_int_equal(entries(".gen-"), 1); /* the failed one is gone */
}

static void test_carry_over(void **state)
{
	const pb_reporter *both[] = {&json_like, &html_like}, *json_only[] = {&json_like};
	pb_error err;
	(void)state;

	assert_int_equal(write_set(both, 2, &err), 0);
	payload = "two";
	assert_int_equal(write_set(json_only, 1, &err), 0);
	char *j = slurp("findings.json"), *h = slurp("report.html");
	assert_string_equal(j, "two");
	assert_string_equal(h, "one"); /* not asked for: the previous one */
	free(j);
	free(h);
}

static void test_sweep_and_old_layout(void **state)
{
	const pb_reporter *json_only[] = {&json_like};
	char p[128];
	pb_error err;
	FILE *f;
	(void)state;

	/* An old-layout report, a temporary and a generation of killed runs. */
	snprintf(p, sizeof(p), "%s/report.html", dir);
	f = fopen(p, "w");
	fputs("old", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/.findings.json.tmp.Ab12Cd", dir);
	fclose(fopen(p, "w"));
	snprintf(p, sizeof(p), "%s/.gen-killed", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/.gen-killed/findings.json", dir);
	fclose(fopen(p, "w"));
	assert_int_equal(write_set(json_only, 1, &err), 0);
	assert_int_equal(entries(".findings.json.tmp"), 0);
	assert_int_equal(entries(".gen-"), 1);
	char *h = slurp("report.html");
	assert_string_equal(h, "old"); /* carried into the new generation */
	free(h);
}

/* A .current that points outside the folder is never followed to remove. */
static void test_foreign_current(void **state)
{
	const pb_reporter *json_only[] = {&json_like};
	char p[192], victim[96];
	pb_error err;
	FILE *f;
	(void)state;

	snprintf(victim, sizeof(victim), "%s/elsewhere", dir);
	mkdir(victim, 0777);
	snprintf(p, sizeof(p), "%s/findings.json", victim);
	f = fopen(p, "w");
	fputs("keep", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/.current", dir);
	assert_int_equal(symlink("elsewhere", p), 0);
	assert_int_equal(write_set(json_only, 1, &err), 0);
	snprintf(p, sizeof(p), "%s/elsewhere/findings.json", dir);
	assert_int_equal(access(p, F_OK), 0);
	/* Nor is a symlink named like a generation followed by the sweep. */
	snprintf(p, sizeof(p), "%s/.gen-link", dir);
	assert_int_equal(symlink("elsewhere", p), 0);
	assert_int_equal(write_set(json_only, 1, &err), 0);
	snprintf(p, sizeof(p), "%s/elsewhere/findings.json", dir);
	assert_int_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/.gen-link", dir);
	assert_int_equal(access(p, F_OK), -1);
	char *j = slurp("findings.json");
	assert_string_equal(j, "one");
	free(j);
}

static void test_umask(void **state)
{
	const pb_reporter *json_only[] = {&json_like};
	char p[128];
	struct stat st;
	pb_error err;
	(void)state;

	mode_t old = umask(027);
	assert_int_equal(write_set(json_only, 1, &err), 0);
	umask(old);
	snprintf(p, sizeof(p), "%s/findings.json", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	old = umask(0);
	assert_int_equal(write_set(json_only, 1, &err), 0);
	umask(old);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
}

static void test_empty_dir_name(void **state)
{
	const pb_reporter *json_only[] = {&json_like};
	static pb_config cfg;
	pb_audit a = {.config = &cfg};
	pb_error err;
	(void)state;

	assert_int_equal(pb_output_write(&a, json_only, 1, "", &err), -1);
	assert_int_equal(err.code, PB_EXIT_USAGE);
}

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	pb_output_escape(m, s);
	fclose(m);
	return buf;
}

static void test_escape(void **state)
{
	static const char *const cases[][2] = {
		{"plain text, caf\xc3\xa9 \xe2\x82\xac", "plain text, caf\xc3\xa9 \xe2\x82\xac"},
		{"a\033]0;owned\007b", "a\\x1b]0;owned\\x07b"},
		{"line\nnext\ttab\rcr\x7f", "line\\nnext\\ttab\\rcr\\x7f"},
		{"csi \xc2\x9b" "2J", "csi \\u009b2J"},
		{"\xe2\x80\xae" "evil", "\\u202eevil"},
		{"iso \xe2\x81\xa6x\xe2\x81\xa9", "iso \\u2066x\\u2069"},
		{"lone \x9b byte, cut \xe2\x80", "lone \\x9b byte, cut \\xe2\\x80"},
		{"back\\slash", "back\\slash"},
		{"\xe2\x80\x94\xe2\x80\x8b", "\xe2\x80\x94\xe2\x80\x8b"}, /* near misses */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escaped(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

/* Byte i of the large report: a pattern that no shift of it repeats
 * within a block, so a block written twice, lost or out of place shows. */
static unsigned char large_byte(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

#define LARGE_BYTES ((size_t)3 << 20)

/* Writes LARGE_BYTES as reporters do: small puts, and blocks bigger than
 * any buffer on the way. */
static int large_write(const pb_audit *a, FILE *out, pb_error *err)
{
	unsigned char *block = malloc(200000);
	(void)a;
	(void)err;
	for (size_t i = 0; i < LARGE_BYTES;) {
		size_t n = i % 3 ? 1 + i % 97 : 200000;
		if (n > LARGE_BYTES - i)
			n = LARGE_BYTES - i;
		for (size_t k = 0; k < n; k++)
			block[k] = large_byte(i + k);
		if (n == 1)
			fputc(block[0], out);
		else
			fwrite(block, 1, n, out);
		i += n;
	}
	free(block);
	return 0;
}

/* A report of some megabytes, past the points at which the kernel is
 * asked to start writing it out (output.c's WRITEBACK_STEP), reads back
 * byte for byte. */
static void test_large_report_whole(void **state)
{
	pb_reporter large = {.name = "json", .filename = "findings.json", .write = large_write};
	const pb_reporter *one[] = {&large};
	pb_error err;
	char p[128];
	struct stat st;
	(void)state;

	assert_int_equal(write_set(one, 1, &err), 0);
	snprintf(p, sizeof(p), "%s/findings.json", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal((size_t)st.st_size, LARGE_BYTES);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	size_t i = 0;
	for (int c; (c = fgetc(f)) != EOF; i++)
		if ((unsigned char)c != large_byte(i))
			fail_msg("findings.json: byte %zu is %d, not %d", i, c, large_byte(i));
	fclose(f);
	assert_int_equal(i, LARGE_BYTES);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_replaced),   T(test_failure_keeps_previous),
		T(test_carry_over),     T(test_sweep_and_old_layout),
		T(test_foreign_current), T(test_umask),
		T(test_empty_dir_name), T(test_large_report_whole),
		T(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
