/* test_pb.c - the growable buffer and the small text helpers of pb.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/pb.h"

/*
 * pb_buf_addf formats into the room the buffer has and again only when
 * the piece did not fit: every length around the buffer's capacities
 * (64, 128, ...) must come out whole, terminated, and appended to what
 * was there, the same as snprintf would write it.
 */
static void test_addf_every_length(void **state)
{
	char piece[1100], want[4200];
	(void)state;

	for (size_t before = 0; before < 70; before += 7) {
		for (size_t n = 0; n < sizeof(piece) - 1; n++) {
			pb_buf b;
			pb_buf_init(&b);
			memset(piece, 'x', n);
			piece[n] = '\0';
			for (size_t i = 0; i < before; i++)
				pb_buf_addch(&b, 'a');
			pb_buf_addf(&b, "<%s|%zu>", piece, n);
			int w = snprintf(want, sizeof(want), "%.*s<%s|%zu>", (int)before,
					 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					 piece, n);
			assert_int_equal(b.len, (size_t)w);
			assert_int_equal(strlen(b.data), b.len);
			assert_string_equal(b.data, want);
			pb_buf_release(&b);
		}
	}
}

/* Many short pieces in a row, then a reset: the buffer is reused. */
static void test_addf_appends(void **state)
{
	pb_buf b;
	char want[16];
	(void)state;

	pb_buf_init(&b);
	for (int i = 0; i < 5000; i++)
		pb_buf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 10000);
	assert_memory_equal(b.data, "0,1,2,3,4,", 10);
	pb_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	pb_buf_addf(&b, "%s-%03d", "id", 7);
	snprintf(want, sizeof(want), "%s-%03d", "id", 7);
	assert_string_equal(b.data, want);
	pb_buf_release(&b);
}

static void test_trim(void **state)
{
	const char *s = "  \t a b \r\n";
	size_t n = strlen(s);
	(void)state;

	pb_trim(&s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a b", 3);
	s = "   ";
	n = 3;
	pb_trim(&s, &n);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addf_every_length),
		cmocka_unit_test(test_addf_appends),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
