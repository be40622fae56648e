/* test_normalize.c - folding, transliteration, legal forms, Jaro-Winkler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/normalize.h"
#include "../../engine/pattern.h"
#include "../../engine/pb.h"

static void expect_name(const char *in, const char *want)
{
	char *got = pb_norm_name(in, NULL);

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("pb_norm_name('%s') = '%s', want '%s'", in, got, want);
	free(got);
}

/* Every legal form of a long name is blanked, to its last word (each
 * match once re-checked the whole name as UTF-8: quadratic). */
static void test_long_name_legal_forms(void **state)
{
	size_t n = 100000;
	char *in = malloc(4 * n + sizeof("Acme Ltd"));
	(void)state;

	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		memcpy(in + 4 * i, "ltd ", 4);
	strcpy(in + 4 * n, "Acme Ltd");
	expect_name(in, "acme");
	free(in);
}

/* The words each default line matches, "e ?v" as "e v" and "ev". */
static size_t legal_words(char words[][64], size_t max)
{
	size_t n = 0;

	for (const char *p = pb_legal_forms_default; (p = strstr(p, "\\b(")) != NULL;) {
		p += 3;
		size_t len = strcspn(p, ")");
		for (size_t i = 0; i < len && n + 2 <= max;) {
			size_t w = strcspn(p + i, "|)");
			assert_true(w < 64);
			if (w == 4 && !memcmp(p + i, "e ?v", 4)) {
				strcpy(words[n++], "e v");
				strcpy(words[n++], "ev");
			} else {
				memcpy(words[n], p + i, w);
				words[n++][w] = '\0';
			}
			i += w + 1;
		}
		p += len;
	}
	return n;
}

/* a and b (freed here), made from `in` two ways, how_a and how_b, are
 * the same text. */
static void expect_same_text(const char *in, char *a, const char *how_a, char *b,
			     const char *how_b)
{
	assert_non_null(a);
	assert_non_null(b);
	if (strcmp(a, b))
		fail_msg("'%s': '%s' %s, '%s' %s", in, a, how_a, b, how_b);
	free(a);
	free(b);
}

static void expect_same_as_lines(const char *name, const pb_pattern_list *lines)
{
	expect_same_text(name, pb_norm_name(name, NULL), "with the default in one pattern",
			 pb_norm_name(name, lines), "line by line");
}

/* The default legal forms are matched as one pattern; every name made of
 * their words, alone, around a name, two side by side and glued into
 * one word, comes out as the lines one after another make it. */
static void test_legal_forms_one_pattern(void **state)
{
	static char words[200][64];
	pb_pattern_list *lines = NULL;
	pb_buf why, name;
	size_t n = legal_words(words, 200);
	(void)state;

	assert_true(n >= 80); /* every word of the nine lines */
	pb_buf_init(&why);
	pb_buf_init(&name);
	assert_int_equal(pb_patterns_compile(pb_legal_forms_default, &lines, &why), 0);
	for (size_t i = 0; i < n; i++) {
		pb_buf_reset(&name);
		pb_buf_addf(&name, "Acme %s Holdings %s", words[i], words[i]);
		expect_same_as_lines(name.data, lines);
		for (size_t j = 0; j < n; j++) {
			pb_buf_reset(&name);
			pb_buf_addf(&name, "%s %s Acme %s%s", words[i], words[j], words[i], words[j]);
			expect_same_as_lines(name.data, lines);
		}
	}
	expect_name("Acme Sp. z o.o. S.A.", "acme");
	expect_name("Co-op Trading Company Ltd", "op trading");
	pb_patterns_free(lines);
	pb_buf_release(&why);
	pb_buf_release(&name);
}

static void test_fold(void **state)
{
	char *s;
	(void)state;

	s = pb_fold_text("  Société  Générale, S.A. ");
	assert_string_equal(s, "societe generale sa");
	free(s);
	s = pb_fold_text("ＡＢＣ　Ltd");   /* full-width: NFKC */
	assert_string_equal(s, "abc ltd");
	free(s);
	s = pb_fold_text("STRAßE");         /* case folding, not lowercasing */
	assert_string_equal(s, "strasse");
	free(s);
	assert_null(pb_fold_text("bad \xff utf8"));
}

/* Examples from the 2010 standard's own table. */
static void test_transliteration(void **state)
{
	char *s;
	(void)state;

	static const char *const cases[][2] = {
		{"Алушта", "alushta"},     {"Згорани", "zghorany"},
		{"Розгон", "rozghon"},     {"Єнакієве", "yenakiieve"},
		{"Їжакевич", "yizhakevych"}, {"Кадиївка", "kadyivka"},
		{"Йосипівка", "yosypivka"}, {"Стрий", "stryi"},
		{"Юрій", "yurii"},         {"Крюківка", "kriukivka"},
		{"Яготин", "yahotyn"},     {"Костянтин", "kostiantyn"},
		{"Щербухи", "shcherbukhy"}, {"Гоща", "hoshcha"},
		{"Ґалаґан", "galagan"},    {"Харків", "kharkiv"},
		{"Знам'янка", "znamianka"}, {"Феодосія", "feodosiia"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = pb_fold_text(cases[i][0]);
		if (strcmp(s, cases[i][1]))
			fail_msg("'%s' -> '%s', want '%s'", cases[i][0], s, cases[i][1]);
		free(s);
	}
}

static void test_names_equal_across_scripts(void **state)
{
	(void)state;
	expect_name("ТОВ «Альфа-Сервіс»", "alfa servis");
	expect_name("Alfa-Servis LLC", "alfa servis");
	expect_name("TOV \"ALFA SERVIS\"", "alfa servis");
	expect_name("Armatec Defence Systems Ltd.", "armatec defence systems");
	expect_name("Baltron Electronics GmbH", "baltron electronics");
	expect_name("Kestrel Uniforms S.A.", "kestrel uniforms");
	expect_name("ПрАТ \"Київстар\"", "kyivstar");
	expect_name("Budimex Sp. z o.o.", "budimex");
	/* Legal-form letters inside a word stay. */
	expect_name("Saturn Cooperative", "saturn cooperative");
}

static void test_accounts_addresses(void **state)
{
	char *s;
	(void)state;

	s = pb_norm_account("de89 3704 0044-0532 0130 00");
	assert_string_equal(s, "DE89370400440532013000");
	free(s);
	char *a = pb_norm_address("12 Citadel Street, Valmora");
	char *b = pb_norm_address("12, Citadel St., VALMORA");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = pb_norm_address("вулиця Хрещатик, 22, Київ");
	b = pb_norm_address("vul. Khreshchatyk 22 Kyiv");
	assert_string_equal(a, "vul khreshchatyk 22 kyiv");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_jaro_winkler(void **state)
{
	(void)state;
	assert_true(pb_jaro_winkler("martha", "marhta") > 0.9611 - 1e-4);
	assert_true(pb_jaro_winkler("martha", "marhta") < 0.9611 + 1e-4);
	assert_true(pb_jaro_winkler("dwayne", "duane") > 0.84 - 1e-3);
	assert_true(pb_jaro_winkler("dwayne", "duane") < 0.84 + 1e-3);
	assert_true(pb_jaro_winkler("abc", "abc") == 1.0);
	assert_true(pb_jaro_winkler("abc", "") == 0.0);
	assert_true(pb_jaro_winkler("daria voss", "darya voss") > 0.93);
	assert_true(pb_jaro_winkler("daria voss", "piet lindqvist") < 0.6);
}

/* len random bytes of ASCII but NUL into s, then NUL; *x is the seed. */
static void random_ascii(char *s, size_t len, uint32_t *x)
{
	for (size_t n = 0; n < len; n++) {
		*x = *x * 1103515245u + 12345u;
		s[n] = (char)(1 + (*x >> 16) % 127);
	}
	s[len] = '\0';
}

/* ASCII is folded without utf8proc; it must fold exactly as the full
 * path does.  A trailing U+200B (a format character: a word break that
 * adds nothing) sends the same text down the full path. */
static void test_fold_ascii_as_unicode(void **state)
{
	uint32_t x = 12345;
	char s[64], t[80];
	(void)state;

	for (int round = 0; round < 20000; round++) {
		random_ascii(s, 1 + (size_t)round % 40, &x);
		snprintf(t, sizeof(t), "%s\xe2\x80\x8b", s);
		expect_same_text(s, pb_fold_text(s), "on the ASCII path", pb_fold_text(t),
				 "on the full path");
	}
}

/* A name's words kept, its punctuation dropped, without utf8proc when
 * the text is ASCII by then: as the full path keeps them.  A last word of
 * a letter that survives folding (U+4E2D) sends the same name down the
 * full path, where it stays a word of its own; an accented last letter
 * (U+00E9) is folded to ASCII by utf8proc before the punctuation goes,
 * and must then fold as plain "e" does on the ASCII path. */
static void test_norm_ascii_as_unicode(void **state)
{
	uint32_t x = 54321;
	char s[64], t[80], e[80];
	(void)state;

	for (int round = 0; round < 20000; round++) {
		random_ascii(s, 1 + (size_t)round % 40, &x);
		snprintf(t, sizeof(t), "%s \xe4\xb8\xad", s);
		char *ascii = pb_norm_name(s, NULL);
		assert_non_null(ascii);
		size_t k = strlen(ascii);
		char *want = malloc(k + 5);
		assert_non_null(want);
		snprintf(want, k + 5, "%s%s\xe4\xb8\xad", ascii, k ? " " : "");
		free(ascii);
		expect_same_text(s, want, "on the ASCII path, with the last word", pb_norm_name(t, NULL),
				 "on the full path");
		snprintf(t, sizeof(t), "%s\xc3\xa9", s);
		snprintf(e, sizeof(e), "%se", s);
		expect_same_text(s, pb_fold_text(e), "with e on the ASCII path", pb_fold_text(t),
				 "with U+00E9 folded by utf8proc");
	}
}

/* pb_norm_real_name: pb_norm_name, or NULL where pb_is_placeholder. */
static void test_real_names(void **state)
{
	static const char *const names[] = {"ACME Trading Ltd", "  N/A ", "REDACTED - PERSONAL DATA",
					     "Олена Коваль ТОВ", "000", "Not Known", "S.A. Iberia",
					     "[withheld]", "", "Unknown Soldier Ltd", NULL};
	(void)state;

	for (size_t i = 0; names[i]; i++) {
		char *real = pb_norm_real_name(names[i], NULL), *any = pb_norm_name(names[i], NULL);
		if (pb_is_placeholder(names[i]))
			assert_null(real);
		else if (!real || strcmp(real, any))
			fail_msg("'%s': '%s', want '%s'", names[i], real ? real : "(null)", any);
		free(real);
		free(any);
	}
	assert_null(pb_norm_real_name("n/a", NULL));
	assert_null(pb_norm_real_name(NULL, NULL));
	char *acme = pb_norm_real_name("ACME Trading Ltd", NULL);
	assert_string_equal(acme, "acme trading");
	free(acme);
}

/* pb_is_catch_all: a record that stands for many payees, by its whole
 * name (case and punctuation folded), never a company named like one. */
static void test_catch_all(void **state)
{
	static const char *const yes[] = {"GENERAL EXPENSES", "General Expenses", "GRANT PAYMENTS",
					  "Sundry Creditors", "  sundry  ", "One-off supplier",
					  "PETTY CASH", "Miscellaneous", NULL};
	static const char *const no[] = {"General Dynamics UK Ltd", "Sundry Creditors Ltd",
					 "Grant Thornton", "Petty", "GENERAL", "Oneworld", "Sun", "",
					 "VARIOUS", NULL};
	(void)state;

	for (size_t i = 0; yes[i]; i++)
		if (!pb_is_catch_all(yes[i]))
			fail_msg("'%s' is a catch-all", yes[i]);
	for (size_t i = 0; no[i]; i++)
		if (pb_is_catch_all(no[i]))
			fail_msg("'%s' is not a catch-all", no[i]);
	assert_false(pb_is_catch_all(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_long_name_legal_forms),
		cmocka_unit_test(test_legal_forms_one_pattern),
		cmocka_unit_test(test_fold_ascii_as_unicode),
		cmocka_unit_test(test_norm_ascii_as_unicode),
		cmocka_unit_test(test_transliteration),
		cmocka_unit_test(test_names_equal_across_scripts),
		cmocka_unit_test(test_accounts_addresses),
		cmocka_unit_test(test_jaro_winkler),
		cmocka_unit_test(test_real_names),
		cmocka_unit_test(test_catch_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
