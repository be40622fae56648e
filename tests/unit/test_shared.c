/* test_shared.c - what rules make alike (pb_ctx_shared): made once per
 * key whatever the number of threads, the same for every rule that asks,
 * and freed when the rules are done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/audit.h"
#include "../../engine/catalog.h"
#include "../../engine/config.h"

#define NTEST_RULES 12

static atomic_int made, freed;
/* Where what each test rule was given was, and what it said, by the
 * rule's number (read after the audit, when it is freed). */
static uintptr_t got_at[NTEST_RULES];
static int got_value[NTEST_RULES];

static void *make_answer(pb_rule_ctx *ctx, const void *arg)
{
	int *it = malloc(sizeof(*it));

	(void)ctx;
	atomic_fetch_add(&made, 1);
	*it = *(const int *)arg;
	return it;
}

static void free_answer(void *it)
{
	atomic_fetch_add(&freed, 1);
	free(it);
}

static const int forty_two = 42, seven = 7;

/* Rule k asks for "test.even" or "test.odd" by the parity of k. */
static void run_asking(pb_rule_ctx *ctx, int k)
{
	const int *it = pb_ctx_shared(ctx, k % 2 ? "test.odd" : "test.even", make_answer,
				      k % 2 ? &seven : &forty_two, free_answer);
	got_at[k] = (uintptr_t)it;
	got_value[k] = *it;
}

#define ASKING(k)                                                              \
	static void run_##k(pb_rule_ctx *ctx) { run_asking(ctx, k); }         \
	static const pb_rule rule_##k = {.id = "test.asking-" #k, .family = "test", \
					 .title = "asks", .source = "test",    \
					 .params = (const pb_param_def[]){{NULL, 0, NULL, NULL}}, \
					 .run = run_##k};
ASKING(0)
ASKING(1)
ASKING(2)
ASKING(3)
ASKING(4)
ASKING(5)
ASKING(6)
ASKING(7)
ASKING(8)
ASKING(9)
ASKING(10)
ASKING(11)

static const pb_rule *const test_rules[NTEST_RULES] = {
	&rule_0, &rule_1, &rule_2, &rule_3, &rule_4,  &rule_5,
	&rule_6, &rule_7, &rule_8, &rule_9, &rule_10, &rule_11};

static void test_made_once_for_all(void **state)
{
	const pb_catalog was = {pb_rules,     pb_nrules,     pb_importers,
				pb_nimporters, pb_reporters, pb_nreporters};
	pb_catalog mine = was;
	(void)state;

	mine.rules = test_rules;
	mine.nrules = NTEST_RULES;
	pb_catalog_install(&mine);
	for (int jobs = 1; jobs <= 4; jobs *= 2) {
		pb_ledger *l = pb_ledger_new("EUR");
		pb_config cfg;
		pb_ledger_seal(l);
		pb_config_init(&cfg);
		cfg.jobs = jobs;
		atomic_store(&made, 0);
		atomic_store(&freed, 0);
		memset(got_at, 0, sizeof(got_at));
		memset(got_value, 0, sizeof(got_value));
		pb_audit *a = pb_audit_run(l, &cfg, PB_DATE_NONE);
		assert_int_equal(atomic_load(&made), 2); /* one per key */
		assert_int_equal(atomic_load(&freed), 2); /* once the rules were done */
		for (int k = 0; k < NTEST_RULES; k++) {
			assert_int_equal(got_value[k], k % 2 ? 7 : 42);
			assert_true(got_at[k] == got_at[k % 2]); /* the same one */
		}
		assert_true(got_at[0] != got_at[1]);
		assert_null(a->shared);
		pb_audit_free(a);
		pb_config_release(&cfg);
		pb_ledger_free(l);
	}
	pb_catalog_install(&was);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_made_once_for_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
