/* test_shared.c - what rules make alike (pb_ctx_shared): made once per
 * key whatever the number of threads, the same for every rule that asks,
 * and freed when the rules are done; and the order rules start in. */
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
#include "../../engine/graph.h"
#include "../../engine/ledger.h"

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

/* A test rule: its id "test.name", the tables it needs, what it runs. */
#define TEST_RULE(name, run_fn, tables)                                        \
	static const pb_rule name = {.id = "test." #name, .family = "test", .title = "t", \
				     .source = "test", .needs = (tables),      \
				     .params = (const pb_param_def[]){{NULL, 0, NULL, NULL}}, \
				     .run = run_fn};

#define ASKING(k)                                                              \
	static void run_##k(pb_rule_ctx *ctx) { run_asking(ctx, k); }         \
	TEST_RULE(rule_##k, run_##k, 0)
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

/* Installs rules[0..n) in place of the program's rules; returns the
 * catalog to install again after. */
static pb_catalog install_rules(const pb_rule *const *rules, size_t n)
{
	const pb_catalog was = {pb_rules,     pb_nrules,     pb_importers,
				pb_nimporters, pb_reporters, pb_nreporters};
	pb_catalog mine = was;

	mine.rules = rules;
	mine.nrules = n;
	pb_catalog_install(&mine);
	return was;
}

static void test_made_once_for_all(void **state)
{
	const pb_catalog was = install_rules(test_rules, NTEST_RULES);
	(void)state;

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

/* --- freed once no rule left needs the askers' tables --- */

/* A sealed ledger of one payment: rules that need payments run. */
static pb_ledger *one_payment_ledger(void)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	pb_payment p;

	pb_record_blank(PB_T_PAYMENTS, &p);
	pb_row_set(l, &p.row, pb_ledger_intern(l, "payments.csv", 12), 2, NULL);
	p.payment_id = pb_text_of(pb_ledger_intern(l, "P-1", 3));
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), 0);
	pb_ledger_seal(l);
	return l;
}

static int freed_when_x_ran, made_when_z_ran, value_z_got;
static atomic_int pay_wrong; /* rules run on other threads: no asserts there */

static void run_pay(pb_rule_ctx *ctx)
{
	const int *it = pb_ctx_shared(ctx, "test.pay", make_answer, &forty_two, free_answer);
	if (*it != 42)
		atomic_fetch_add(&pay_wrong, 1);
}

static void run_x(pb_rule_ctx *ctx)
{
	(void)ctx;
	freed_when_x_ran = atomic_load(&freed);
}

static void run_z(pb_rule_ctx *ctx)
{
	value_z_got = *(const int *)pb_ctx_shared(ctx, "test.pay", make_answer, &forty_two, free_answer);
	made_when_z_ran = atomic_load(&made);
}

TEST_RULE(pay_1, run_pay, PB_NEEDS(PB_T_PAYMENTS))
TEST_RULE(pay_2, run_pay, PB_NEEDS(PB_T_PAYMENTS))
TEST_RULE(x, run_x, 0)
TEST_RULE(z, run_z, 0)

static const pb_rule *const release_rules[] = {&x, &z, &pay_1, &pay_2};

/* Two rules needing payments share what they asked for; at -j 1 they
 * run first (the heaviest) and it is freed when the second is done,
 * before the rules that need no table run.  A rule that asks after that
 * has it made again, the same, and it is kept to the end. */
static void test_freed_when_no_rule_left_needs_it(void **state)
{
	const pb_catalog was =
		install_rules(release_rules, sizeof(release_rules) / sizeof(release_rules[0]));
	(void)state;

	for (int jobs = 1; jobs <= 4; jobs *= 2) {
		pb_ledger *l = one_payment_ledger();
		pb_config cfg;
		pb_config_init(&cfg);
		cfg.jobs = jobs;
		atomic_store(&made, 0);
		atomic_store(&freed, 0);
		freed_when_x_ran = made_when_z_ran = value_z_got = -1;
		pb_audit *a = pb_audit_run(l, &cfg, PB_DATE_NONE);
		assert_int_equal(value_z_got, 42);
		assert_int_equal(atomic_load(&pay_wrong), 0);
		if (jobs == 1) {
			assert_int_equal(freed_when_x_ran, 1); /* before the end of the rules */
			assert_int_equal(made_when_z_ran, 2);  /* made again for z */
		}
		/* every one made is freed, by the end of the rules at the latest */
		assert_int_equal(atomic_load(&freed), atomic_load(&made));
		pb_audit_free(a);
		pb_config_release(&cfg);
		pb_ledger_free(l);
	}
	pb_catalog_install(&was);
}

/* --- the graph: freed once no rule left follows links --- */

static int graphs_when_after_ran = -1;
static atomic_int graph_missing;

static void run_follows(pb_rule_ctx *ctx)
{
	if (!pb_ctx_graph(ctx))
		atomic_fetch_add(&graph_missing, 1);
}

static void run_after(pb_rule_ctx *ctx)
{
	(void)ctx;
	graphs_when_after_ran = (int)pb_graphs_alive();
}

/* Both read payments, so the payments rule after the one following links
 * would have kept the graph to the end had it gone by tables. */
static const pb_rule follows = {.id = "test.follows", .family = "test", .title = "t",
				.source = "test", .needs = PB_NEEDS(PB_T_PAYMENTS),
				.row_working_set = 1, .follows_links = 1,
				.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
				.run = run_follows};
TEST_RULE(after, run_after, PB_NEEDS(PB_T_PAYMENTS))

static const pb_rule *const graph_rules[] = {&after, &follows};

static void test_graph_freed_after_last_follower(void **state)
{
	const pb_catalog was = install_rules(graph_rules, sizeof(graph_rules) / sizeof(graph_rules[0]));
	(void)state;

	for (int jobs = 1; jobs <= 2; jobs++) {
		pb_ledger *l = one_payment_ledger();
		pb_config cfg;
		pb_config_init(&cfg);
		cfg.jobs = jobs;
		graphs_when_after_ran = -1;
		pb_audit *a = pb_audit_run(l, &cfg, PB_DATE_NONE);
		assert_int_equal(atomic_load(&graph_missing), 0);
		if (jobs == 1) /* the follower runs first: its graph is gone */
			assert_int_equal(graphs_when_after_ran, 0);
		assert_int_equal(pb_graphs_alive(), 0); /* and at the end at the latest */
		pb_audit_free(a);
		pb_config_release(&cfg);
		pb_ledger_free(l);
	}
	pb_catalog_install(&was);
}

static atomic_int started;
static int heavy_began, working_began, light_began;

static void run_heavy(pb_rule_ctx *ctx)
{
	(void)ctx;
	heavy_began = atomic_fetch_add(&started, 1);
}

static void run_working(pb_rule_ctx *ctx)
{
	(void)ctx;
	working_began = atomic_fetch_add(&started, 1);
}

static void run_light(pb_rule_ctx *ctx)
{
	(void)ctx;
	light_began = atomic_fetch_add(&started, 1);
}

TEST_RULE(light, run_light, 0)
TEST_RULE(heavy, run_heavy, PB_NEEDS(PB_T_PAYMENTS))
static const pb_rule working = {.id = "test.working", .family = "test", .title = "t",
				.source = "test", .needs = 0, .row_working_set = 1,
				.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
				.run = run_working};

static const pb_rule *const order_rules[] = {&light, &heavy, &working};

/* One thread runs the rule with a working set per row first, though it
 * reads no table and comes last in the catalogue; then the one reading
 * the most rows; then the rest. */
static void test_working_set_first(void **state)
{
	const pb_catalog was = install_rules(order_rules, sizeof(order_rules) / sizeof(order_rules[0]));
	pb_ledger *l = one_payment_ledger();
	pb_config cfg;
	(void)state;

	pb_config_init(&cfg);
	cfg.jobs = 1;
	atomic_store(&started, 0);
	pb_audit *a = pb_audit_run(l, &cfg, PB_DATE_NONE);
	assert_int_equal(working_began, 0);
	assert_int_equal(heavy_began, 1);
	assert_int_equal(light_began, 2);
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(l);
	pb_catalog_install(&was);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_made_once_for_all),
		cmocka_unit_test(test_freed_when_no_rule_left_needs_it),
		cmocka_unit_test(test_graph_freed_after_last_follower),
		cmocka_unit_test(test_working_set_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
