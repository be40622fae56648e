/* test_rules.c - the rules of #2 at their boundaries: each fires on a
 * planted case and stays quiet on the near miss beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/config.h"
#include "../../rules/rules.h"

static pb_ledger *L;
static size_t IN;
static uint32_t LINE;
static pb_config CFG;

static const char *S(const char *s)
{
	return s ? pb_ledger_intern(L, s, strlen(s)) : NULL;
}

static pb_date D(const char *iso)
{
	pb_date d;
	const char *why;

	if (!iso)
		return PB_DATE_NONE;
	assert_int_equal(pb_date_parse(iso, strlen(iso), NULL, &d, &why), 0);
	return d;
}

static void src(pb_row *r)
{
	memset(r, 0, sizeof(*r));
	r->src.file = S("t.csv");
	r->src.line = ++LINE;
}

static void tender(const char *id, const char *method, const char *rationale,
		   const char *deadline, int64_t tenderers)
{
	pb_tender t;

	memset(&t, 0, sizeof(t));
	src(&t.row);
	t.tender_id = S(id);
	t.buyer_id = S("MOD");
	t.method = S(method);
	t.method_rationale = S(rationale);
	t.estimated_value = PB_AMOUNT_NONE;
	t.currency = S("EUR");
	t.published_on = PB_DATE_NONE;
	t.submission_deadline = D(deadline);
	t.number_of_tenderers = tenderers;
	t.classified = t.framework = PB_BOOL_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_TENDERS, &t), 0);
}

static void bid(const char *id, const char *tender_id, const char *bidder,
		const char *status)
{
	pb_bid b;

	memset(&b, 0, sizeof(b));
	src(&b.row);
	b.bid_id = S(id);
	b.tender_id = S(tender_id);
	b.bidder_id = S(bidder);
	b.value = PB_AMOUNT_NONE;
	b.currency = S("EUR");
	b.submitted_on = PB_DATE_NONE;
	b.status = S(status);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BIDS, &b), 0);
}

static void contract(const char *id, const char *tender_id, const char *supplier,
		     int64_t cents, const char *currency, const char *awarded,
		     const char *signed_on)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	src(&c.row);
	c.contract_id = S(id);
	c.tender_id = S(tender_id);
	c.buyer_id = S("MOD");
	c.supplier_id = S(supplier);
	c.value = cents;
	c.currency = S(currency);
	c.awarded_on = D(awarded);
	c.signed_on = D(signed_on);
	c.start_on = c.end_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static void amendment(const char *id, const char *contract_id, const char *on,
		      int64_t before, int64_t after)
{
	pb_amendment a;

	memset(&a, 0, sizeof(a));
	src(&a.row);
	a.amendment_id = S(id);
	a.contract_id = S(contract_id);
	a.amended_on = D(on);
	a.value_before = before;
	a.value_after = after;
	a.currency = S("EUR");
	a.end_before = a.end_after = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_AMENDMENTS, &a), 0);
}

static void payment(const char *id, const char *contract_id, const char *payee,
		    const char *invoice, int64_t cents, const char *paid)
{
	pb_payment p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.payment_id = S(id);
	p.payer_id = S("MOD");
	p.payee_id = S(payee);
	p.contract_id = S(contract_id);
	p.invoice_id = S(invoice);
	p.amount = cents;
	p.currency = S("EUR");
	p.paid_on = D(paid);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PAYMENTS, &p), 0);
}

static void budget(const char *line, int64_t revised, int64_t spent)
{
	pb_budget_line b;

	memset(&b, 0, sizeof(b));
	src(&b.row);
	b.budget_line = S(line);
	b.fiscal_year = 2024;
	b.classified = PB_BOOL_NONE;
	b.appropriated = revised;
	b.revised = PB_AMOUNT_NONE;
	b.committed = PB_AMOUNT_NONE;
	b.spent = spent;
	b.currency = S("EUR");
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BUDGET, &b), 0);
}

static int setup(void **state)
{
	(void)state;
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	LINE = 1;
	pb_config_init(&CFG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_ledger_free(L);
	pb_config_release(&CFG);
	return 0;
}

/* The subjects a rule fired on, space-separated, in output order. */
static const char *fired(const char *rule)
{
	static char buf[512];
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, D("2024-12-31"));

	buf[0] = '\0';
	for (size_t i = 0; i < a->nfindings; i++) {
		if (strcmp(a->findings[i]->rule->id, rule))
			continue;
		if (buf[0])
			strcat(buf, " ");
		strncat(buf, a->findings[i]->subject_id, 40);
		if (a->findings[i]->severity == PB_SEV_HIGH)
			strcat(buf, "!");
	}
	pb_audit_free(a);
	return buf;
}

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
