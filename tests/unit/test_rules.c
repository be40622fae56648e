/* test_rules.c - the rules of #2 at their boundaries: each fires on a
 * planted case and stays quiet on the near miss beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ledger_fixture.h"

static void test_single_source(void **state)
{
	(void)state;
	tender("T-D", "direct", "x", NULL, PB_INT_NONE);
	tender("T-O", "open", NULL, NULL, PB_INT_NONE);
	contract("AT", "T-D", "S", 10000000, "EUR", NULL, NULL);   /* exactly 100000.00 */
	contract("BELOW", "T-D", "S", 9999999, "EUR", NULL, NULL); /* a cent below */
	contract("OPEN", "T-O", "S", 90000000, "EUR", NULL, NULL);
	contract("USD", "T-D", "S", 90000000, "USD", NULL, NULL);
	contract("NOTENDER", NULL, "S", 90000000, "EUR", NULL, NULL);
	assert_string_equal(fired("competition.single-source"), "AT!");
}

static void test_single_source_threshold_param(void **state)
{
	pb_error err;
	(void)state;
	assert_int_equal(pb_config_set_param(&CFG, "competition.single-source", "threshold", "50000", &err), 0);
	tender("T-D", "limited", "x", NULL, PB_INT_NONE);
	contract("C", "T-D", "S", 6000000, "EUR", NULL, NULL);
	assert_string_equal(fired("competition.single-source"), "C!");
}

static void test_weak_rationale(void **state)
{
	(void)state;
	tender("EMPTY", "direct", NULL, NULL, PB_INT_NONE);
	tender("BOILER", "limited", "Due to urgency and operational requirements, as per regulations.", NULL, PB_INT_NONE);
	tender("SPECIFIC", "direct", "Only the OEM can recalibrate radar serial R-88 (warranty clause 14).", NULL, PB_INT_NONE);
	tender("OPEN", "open", NULL, NULL, PB_INT_NONE);
	assert_string_equal(fired("competition.weak-rationale"), "BOILER EMPTY");
}

static void test_single_bid(void **state)
{
	(void)state;
	tender("ONE", "open", NULL, NULL, PB_INT_NONE);
	tender("TWO", "selective", NULL, NULL, PB_INT_NONE);
	tender("WITHDRAWN", "open", NULL, NULL, PB_INT_NONE);
	tender("SAMEBIDDER", "open", NULL, NULL, PB_INT_NONE);
	tender("COUNTONLY", "open", NULL, NULL, 1);
	tender("DIRECT", "direct", NULL, NULL, 1);
	bid("B1", "ONE", "X", "valid");
	bid("B2", "TWO", "X", "valid");
	bid("B3", "TWO", "Y", "disqualified");
	bid("B4", "WITHDRAWN", "X", "valid");
	bid("B5", "WITHDRAWN", "Y", "withdrawn");
	bid("B6", "SAMEBIDDER", "X", "valid");
	bid("B7", "SAMEBIDDER", "X", "valid");
	assert_string_equal(fired("competition.single-bid"), "COUNTONLY ONE SAMEBIDDER WITHDRAWN");
}

static void test_splitting(void **state)
{
	(void)state;
	/* 60000 + 50000 within 30 days: fires.  Near misses: 31 days apart;
	 * sum below 100000; one contract already above. */
	contract("A1", NULL, "SA", 6000000, "EUR", "2024-01-01", NULL);
	contract("A2", NULL, "SA", 5000000, "EUR", "2024-01-31", NULL);
	contract("B1", NULL, "SB", 6000000, "EUR", "2024-01-01", NULL);
	contract("B2", NULL, "SB", 5000000, "EUR", "2024-02-01", NULL);
	contract("C1", NULL, "SC", 4000000, "EUR", "2024-01-01", NULL);
	contract("C2", NULL, "SC", 5999999, "EUR", "2024-01-02", NULL);
	contract("D1", NULL, "SD", 15000000, "EUR", "2024-01-01", NULL);
	contract("D2", NULL, "SD", 1000000, "EUR", "2024-01-02", NULL);
	assert_string_equal(fired("splitting.below-threshold"), "A1!");
}

static void test_backdated(void **state)
{
	(void)state;
	tender("T", "open", NULL, "2024-03-20", PB_INT_NONE);
	contract("EARLY", "T", "S", 100, "EUR", "2024-03-19", "2024-03-25");
	contract("SAMEDAY", "T", "S", 100, "EUR", "2024-03-20", "2024-03-20");
	contract("SIGNED", "T", "S", 100, "EUR", NULL, "2024-03-01");
	payment("PAID-EARLY", "SAMEDAY", "S", NULL, 100, "2024-03-19");
	payment("PAID-SAMEDAY", "SAMEDAY", "S", NULL, 100, "2024-03-20");
	assert_string_equal(fired("timing.backdated"), "EARLY! SIGNED! PAID-EARLY!");
}

static void test_value_increase(void **state)
{
	(void)state;
	contract("EXACT20", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("A1", "EXACT20", "2024-01-01", 100000, 120000);
	contract("OVER20", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("A2", "OVER20", "2024-01-01", 100000, 110000);
	amendment("A3", "OVER20", "2024-02-01", 110000, 120001);
	contract("BIG", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("A4", "BIG", "2024-01-01", 100000, 160000);
	/* The latest amendment counts, not the largest. */
	contract("DOWN", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("A5", "DOWN", "2024-01-01", 100000, 150000);
	amendment("A6", "DOWN", "2024-03-01", 150000, 110000);
	assert_string_equal(fired("execution.value-increase"), "BIG! OVER20");
}

static void test_overpayment(void **state)
{
	(void)state;
	contract("EXACT", NULL, "S", 100000, "EUR", NULL, NULL);
	payment("P1", "EXACT", "S", "I1", 101000, "2024-01-01"); /* exactly +1% */
	contract("OVER", NULL, "S", 100000, "EUR", NULL, NULL);
	payment("P2", "OVER", "S", "I2", 60000, "2024-01-01");
	payment("P3", "OVER", "S", "I3", 41001, "2024-02-01");
	contract("AMENDED", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("A1", "AMENDED", "2024-01-01", 100000, 200000);
	payment("P4", "AMENDED", "S", "I4", 150000, "2024-01-01");
	assert_string_equal(fired("execution.overpayment"), "OVER!");
}

static void test_duplicates(void **state)
{
	(void)state;
	payment("P1", NULL, "S", "INV-1", 5000, "2024-01-01");
	payment("P2", NULL, "S", "INV-1", 5000, "2024-03-01");  /* same invoice: high */
	payment("P3", NULL, "S", "INV-9", 7000, "2024-01-01");
	payment("P4", NULL, "S", "INV-10", 7000, "2024-01-04"); /* 3 days: medium */
	payment("P5", NULL, "S", "INV-11", 7000, "2024-01-08"); /* 4 days: no */
	payment("P6", NULL, "T", "INV-1", 5001, "2024-01-01");  /* other payee/amount */
	payment("P7", NULL, "S", "INV-20", 9000, "2024-01-01");
	payment("P8", NULL, "S", "INV-20", 9001, "2024-01-01"); /* same invoice, other amount */
	assert_string_equal(fired("payments.duplicate"), "P2! P4");
}

static void test_overspend(void **state)
{
	(void)state;
	budget("OVER", 1000000, 1005001);  /* +0.5001% */
	budget("EDGE", 1000000, 1005000);  /* exactly +0.5% */
	budget("HUGE", 1000000, 1200000);  /* +20%: high */
	assert_string_equal(fired("budget.overspend"), "HUGE|2024! OVER|2024");
}

static void test_coverage_missing_table(void **state)
{
	(void)state;
	contract("C", NULL, "S", 100, "EUR", NULL, NULL);
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	int seen = 0;
	for (size_t i = 0; i < a->ncoverage; i++) {
		const pb_coverage *c = &a->coverage[i];
		if (!strcmp(c->rule->id, "payments.duplicate")) {
			assert_int_equal(c->status, PB_COV_NOT_RUN);
			assert_string_equal(c->reason, "needs payments");
			seen++;
		}
		if (!strcmp(c->rule->id, "competition.single-source")) {
			assert_int_equal(c->status, PB_COV_NOT_RUN);
			assert_string_equal(c->reason, "needs tenders");
			seen++;
		}
		if (!strcmp(c->rule->id, "splitting.below-threshold")) {
			assert_int_equal(c->status, PB_COV_RAN);
			seen++;
		}
	}
	assert_int_equal(seen, 3);
	pb_audit_free(a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_single_source), T(test_single_source_threshold_param),
		T(test_weak_rationale), T(test_single_bid), T(test_splitting),
		T(test_backdated), T(test_value_increase), T(test_overpayment),
		T(test_duplicates), T(test_overspend), T(test_coverage_missing_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
