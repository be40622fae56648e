/* test_ini.c - INI files through libinih a line at a time: the hooks,
 * the lines numbered, and what Debian's libinih would cut refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../engine/ini.h"

/* What the hooks saw, a line each: "LINE [section] key=value" ("+=" for
 * a continued line) or "LINE [name]". */
struct seen {
	pb_buf log;
	pb_error *err;
	const char *fail_key; /* a setting of this key fails */
};

static int on_setting(void *user, const char *section, const char *key, const char *value,
		      int continued, uint64_t line)
{
	struct seen *s = user;

	pb_buf_addf(&s->log, "%llu [%s] %s%s%s\n", (unsigned long long)line, section, key,
		    continued ? "+=" : "=", value);
	if (s->fail_key && !strcmp(key, s->fail_key)) {
		pb_error_set(s->err, PB_EXIT_USAGE, "%s: refused", key);
		return 0;
	}
	return 1;
}

static int on_section(void *user, const char *name, uint64_t line)
{
	struct seen *s = user;

	pb_buf_addf(&s->log, "%llu [%s]\n", (unsigned long long)line, name);
	return 1;
}

/* Keys starting "list" take a list. */
static int list_keys(void *user, const char *section, const char *key)
{
	(void)user;
	(void)section;
	return !strncmp(key, "list", 4);
}

/* Reads `len` bytes of text as a file; the hooks' log in s. */
static int read_bytes(const char *text, size_t len, const pb_ini_hooks *hooks, struct seen *s,
		      pb_error *err)
{
	char path[] = "/tmp/probity-ini-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	fwrite(text, 1, len, f);
	fclose(f);
	pb_buf_init(&s->log);
	s->err = err;
	int rc = pb_ini_read(path, "config", hooks, s, err);
	unlink(path);
	/* The path is random: errors are compared from the line on. */
	if (rc < 0) {
		const char *colon = strchr(err->msg, ':');
		memmove(err->msg, colon ? colon : err->msg, strlen(colon ? colon : err->msg) + 1);
	}
	return rc;
}

static int read_text(const char *text, const pb_ini_hooks *hooks, struct seen *s, pb_error *err)
{
	return read_bytes(text, strlen(text), hooks, s, err);
}

static const pb_ini_hooks plain = {on_setting, on_section, NULL};
static const pb_ini_hooks lists = {on_setting, on_section, list_keys};

/* Sections (with or without keys), keys, both delimiters, comments and
 * a BOM, each with its own line number. */
static void test_grammar(void **state)
{
	struct seen s = {0};
	pb_error err;
	(void)state;

	assert_int_equal(read_text("\xEF\xBB\xBF"
				   "top = 1\n"
				   "; comment\n"
				   "# comment\n"
				   "[empty]\n"
				   "\n"
				   "[a b]  ; a comment\n"
				   "k: v ; inline\n"
				   "semi = x;y\n",
				   &plain, &s, &err), 0);
	assert_string_equal(s.log.data, "1 [] top=1\n4 [empty]\n6 [a b]\n7 [a b] k=v\n8 [a b] semi=x;y\n");
	pb_buf_release(&s.log);
}

/* Without takes_list every key takes indented lines (libinih's rule); an
 * indented line after a section and no key is a line of its own. */
static void test_continuation_any_key(void **state)
{
	struct seen s = {0};
	pb_error err;
	(void)state;

	assert_int_equal(read_text("[s]\n  k = 1\nother = 2\n   more ; note\n\n\tand = this\n", &plain, &s, &err),
			 0);
	assert_string_equal(s.log.data, "1 [s]\n2 [s] k=1\n3 [s] other=2\n4 [s] other+=more\n"
					"6 [s] other+=and = this\n");
	pb_buf_release(&s.log);
}

/* With takes_list: a list key takes indented lines, whatever they hold;
 * after another key an indented "key = value" is a key of its own and
 * anything else indented is an error naming the key and the line. */
static void test_continuation_list_keys(void **state)
{
	struct seen s = {0};
	pb_error err;
	(void)state;

	assert_int_equal(read_text("[s]\nlist = a\n  b = c\none = 1\n  two = 2\n", &lists, &s, &err), 0);
	assert_string_equal(s.log.data, "1 [s]\n2 [s] list=a\n3 [s] list+=b = c\n4 [s] one=1\n5 [s] two=2\n");
	pb_buf_release(&s.log);

	assert_int_equal(read_text("[s]\none = 1\n  5 ; five\n", &lists, &s, &err), -1);
	assert_int_equal(err.code, PB_EXIT_USAGE);
	assert_string_equal(err.msg, ":3: [s] one takes one value: this indented line would continue it "
				     "('5'); continuation lines are only for keys that take a list");
	pb_buf_release(&s.log);
}

/* A continuation line keeps its whole key, which libinih would cut at
 * 49 bytes. */
static void test_long_key_continued(void **state)
{
	struct seen s = {0};
	pb_error err;
	char text[256], key[61];
	(void)state;

	memset(key, 'k', 60);
	key[60] = '\0';
	snprintf(text, sizeof(text), "%s = 1\n  2\n", key);
	assert_int_equal(read_text(text, &plain, &s, &err), 0);
	snprintf(text, sizeof(text), "1 [] %s=1\n2 [] %s+=2\n", key, key);
	assert_string_equal(s.log.data, text);
	pb_buf_release(&s.log);
}

/* What libinih would cut is refused naming its line; a comment of any
 * length is a comment. */
static void test_limits(void **state)
{
	struct seen s = {0};
	pb_error err;
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_addstr(&b, "[s]\n;");
	for (int i = 0; i < 5000; i++)
		pb_buf_addch(&b, i % 50 ? 'x' : '=');
	pb_buf_addstr(&b, "\nk = 1\n");
	assert_int_equal(read_text(b.data, &plain, &s, &err), 0);
	assert_string_equal(s.log.data, "1 [s]\n3 [s] k=1\n");
	pb_buf_release(&s.log);

	/* 199 bytes are read; 200 are not. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "k = ");
	for (int i = 0; i < 195; i++)
		pb_buf_addch(&b, 'v');
	assert_int_equal(read_text(b.data, &plain, &s, &err), 0);
	pb_buf_release(&s.log);
	pb_buf_addstr(&b, "v\n");
	assert_int_equal(read_text(b.data, &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":1: line of 200 bytes, longer than the 199 libinih reads in a line; "
				     "a list continues on indented lines");
	pb_buf_release(&s.log);

	/* Blanks count for nothing: a line of 300 blanks is blank, and 195
	 * bytes with 100 blanks and a CR after them are read. */
	pb_buf_reset(&b);
	for (int i = 0; i < 300; i++)
		pb_buf_addch(&b, ' ');
	pb_buf_addstr(&b, "\nk = ");
	for (int i = 0; i < 191; i++)
		pb_buf_addch(&b, 'v');
	for (int i = 0; i < 100; i++)
		pb_buf_addch(&b, ' ');
	pb_buf_addstr(&b, "\r\n");
	assert_int_equal(read_text(b.data, &plain, &s, &err), 0);
	assert_int_equal(strncmp(s.log.data, "2 [] k=vvv", 10), 0);
	assert_int_equal(strlen(s.log.data), strlen("2 [] k=") + 191 + 1);
	pb_buf_release(&s.log);

	/* A section's name of 49 bytes is kept; of 50, refused. */
	pb_buf_reset(&b);
	pb_buf_addstr(&b, "k = 1\n[");
	for (int i = 0; i < 49; i++)
		pb_buf_addch(&b, 's');
	pb_buf_addstr(&b, "]\n");
	assert_int_equal(read_text(b.data, &plain, &s, &err), 0);
	pb_buf_release(&s.log);
	pb_buf_addstr(&b, "[");
	for (int i = 0; i < 50; i++)
		pb_buf_addch(&b, 's');
	pb_buf_addstr(&b, "]\n");
	assert_int_equal(read_text(b.data, &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":3: section name longer than 49 bytes, the most libinih keeps");
	pb_buf_release(&s.log);
	pb_buf_release(&b);

	assert_int_equal(read_bytes("k = 1\nj = \0\n", 12, &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":2: line holds a NUL byte");
	pb_buf_release(&s.log);
}

/* A line that is not INI is named, and wins over a hook's failure on a
 * later line; a hook's failure stops the reading at its line. */
static void test_errors(void **state)
{
	struct seen s = {0};
	pb_error err;
	(void)state;

	assert_int_equal(read_text("[s]\nk = 1\nnot ini\n[t\nbad = 2\n", &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":3: not a valid INI line: neither [section] nor key = value");
	pb_buf_release(&s.log);

	s.fail_key = "bad";
	assert_int_equal(read_text("[s]\nbad = 1\nk = 2\n", &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":2: bad: refused");
	assert_string_equal(s.log.data, "1 [s]\n2 [s] bad=1\n");
	pb_buf_release(&s.log);

	assert_int_equal(read_text("[s]\nnot ini\nbad = 1\n", &plain, &s, &err), -1);
	assert_string_equal(err.msg, ":2: not a valid INI line: neither [section] nor key = value");
	pb_buf_release(&s.log);

	assert_int_equal(pb_ini_read("/nonexistent/probity.ini", "settings", &plain, &s, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/probity.ini: cannot open settings: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_continuation_any_key),
		cmocka_unit_test(test_continuation_list_keys),
		cmocka_unit_test(test_long_key_continued),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
