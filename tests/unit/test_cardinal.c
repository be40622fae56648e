/* test_cardinal.c - the quartile at the heart of Cardinal's fences. */
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

#include "../../engine/cardinal.h"

static void test_quantile_type8(void **state)
{
	/* Hand-computed: h = (n + 1/3) p + 1/3. */
	const double x9[] = {0, 0, 100, 100, 100, 100, 100, 100, 100};
	const double x5[] = {0, 0, 0, 0, 100};
	const double x1[] = {0.5};
	(void)state;

	assert_true(fabs(pb_cardinal_quantile(x9, 9, 0.25) - 200.0 / 3.0) < 1e-9);
	assert_true(fabs(pb_cardinal_quantile(x9, 9, 0.75) - 100.0) < 1e-9);
	assert_true(fabs(pb_cardinal_quantile(x5, 5, 0.75) - 100.0 / 3.0) < 1e-9);
	assert_true(pb_cardinal_quantile(x5, 5, 0.25) == 0.0);
	assert_true(pb_cardinal_quantile(x1, 1, 0.25) == 0.5);
	assert_true(pb_cardinal_quantile(x1, 1, 0.75) == 0.5);
}

/* R018 fires on an open tender with one tenderer, not on a limited one. */
static void test_r018(void **state)
{
	char in[] = "/tmp/probity-cardinal-XXXXXX";
	int fd = mkstemp(in);
	char *buf = NULL;
	size_t len = 0;
	(void)state;

	dprintf(fd, "{\"ocid\":\"a\",\"tender\":{\"numberOfTenderers\":1,\"procurementMethod\":\"open\"}}\n"
		    "{\"ocid\":\"b\",\"tender\":{\"numberOfTenderers\":1,\"procurementMethod\":\"limited\"}}\n"
		    "not json\n");
	close(fd);
	FILE *out = open_memstream(&buf, &len);
	FILE *err = fopen("/dev/null", "w");
	char *argv[] = {(char *)"cardinal", (char *)"--no-meta", in, NULL};
	assert_int_equal(pb_cardinal_main(3, argv, out, err), 0);
	fclose(out);
	fclose(err);
	assert_non_null(strstr(buf, "\"a\""));
	assert_null(strstr(buf, "\"b\""));
	free(buf);
	unlink(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_type8),
		cmocka_unit_test(test_r018),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
