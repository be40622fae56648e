/* test_rules.c - the rules of #2 at their boundaries: each fires on a
 * planted case and stays quiet on the near miss beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ledger_fixture.h"
#include "audit_asserts.h"

/* --- records with every field unknown, for the cases the fixture's
 * helpers do not reach (other buyers, payers, currencies, revisions) --- */

static pb_contract blank_contract(const char *id, const char *buyer, const char *supplier,
				  int64_t cents, const char *currency)
{
	pb_contract c;

	pb_record_blank(PB_T_CONTRACTS, &c);
	src(&c.row);
	c.contract_id = pb_text_of(S(id));
	c.buyer_id = pb_text_of(S(buyer));
	c.supplier_id = pb_text_of(S(supplier));
	c.value = cents;
	c.currency = pb_text_of(S(currency));
	return c;
}

static pb_amendment blank_amendment(const char *id, const char *contract_id, const char *on)
{
	pb_amendment a;

	pb_record_blank(PB_T_AMENDMENTS, &a);
	src(&a.row);
	a.amendment_id = pb_text_of(S(id));
	a.contract_id = pb_text_of(S(contract_id));
	a.amended_on = D(on);
	a.currency = pb_text_of(S("EUR"));
	return a;
}

static void budget_line(const char *line, int64_t appropriated, int64_t revised, int64_t spent)
{
	pb_budget_line b;

	pb_record_blank(PB_T_BUDGET, &b);
	src(&b.row);
	b.budget_line = pb_text_of(S(line));
	b.fiscal_year = 2024;
	b.appropriated = appropriated;
	b.revised = revised;
	b.spent = spent;
	b.currency = pb_text_of(S("EUR"));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BUDGET, &b), 0);
}

/* --- looking into an audit --- */

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

/* A publisher that gives a rationale on none of its tenders, of any
 * method (Taiwan's OCDS has no procurementMethodRationale anywhere), may
 * not export the field: its empty ones are not judged, and coverage
 * names it.  The same award from a publisher that gives rationales
 * elsewhere fires. */
static void test_weak_rationale_not_exported(void **state)
{
	(void)state;
	size_t other = pb_ledger_add_input(L, "other.csv", "tenders", "csv");
	pb_tender t;
	pb_record_blank(PB_T_TENDERS, &t);
	pb_row_set(L, &t.row, S("other.csv"), 2, NULL);
	t.tender_id = pb_text_of(S("SILENT"));
	t.buyer_id = pb_text_of(S("MOD"));
	t.method = pb_text_of(S("direct"));
	assert_int_equal(pb_ledger_add(L, other, PB_T_TENDERS, &t), 0);
	t.row.line = 3;
	t.tender_id = pb_text_of(S("SILENT-OPEN"));
	t.method = pb_text_of(S("open"));
	assert_int_equal(pb_ledger_add(L, other, PB_T_TENDERS, &t), 0);
	tender("EMPTY", "direct", NULL, NULL, PB_INT_NONE);
	tender("OPEN", "open", "Framework call-off, lot 2", NULL, PB_INT_NONE);
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.weak-rationale"), 1);
	assert_non_null(finding(a, "competition.weak-rationale", "EMPTY", 0));
	assert_contains(coverage(a, "competition.weak-rationale")->reason,
			"other.csv gives no rationale on any of its tenders (its export may not carry one): 1 non-competitive awards without one not judged");
	pb_audit_free(a);
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

static void test_single_source_evidence_and_notes(void **state)
{
	(void)state;
	tender("T-D", "direct", "x", NULL, PB_INT_NONE);
	tender("T-NM", NULL, "x", NULL, PB_INT_NONE);
	contract("C1", "T-D", "SUP-A", 25000000, "EUR", NULL, NULL);
	contract("LOST", "T-NOPE", "SUP-A", 50000000, "EUR", NULL, NULL); /* tender not loaded */
	contract("NOTENDER", NULL, "SUP-A", 50000000, "EUR", NULL, NULL);
	contract("NOMETHOD", "T-NM", "SUP-A", 50000000, "EUR", NULL, NULL);
	contract("USD", "T-D", "SUP-A", 50000000, "USD", NULL, NULL);
	contract("NOVALUE", "T-D", "SUP-A", PB_AMOUNT_NONE, "EUR", NULL, NULL);
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.single-source"), 1);
	const pb_finding *f = finding(a, "competition.single-source", "C1", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_string_equal(f->subject_table, "contracts");
	assert_string_equal(role(f, "contracts", "C1"), "contract");
	assert_string_equal(role(f, "tenders", "T-D"), "tender");
	assert_contains(f->message, "contract C1 (250000.00 EUR) went to SUP-A without competition (method direct)");
	assert_contains(f->message, "100000.00 EUR threshold");
	assert_string_equal(detail(f, "value"), "250000.00 EUR");
	assert_string_equal(detail(f, "threshold"), "100000.00 EUR");
	assert_true(f->score > 0.0 && f->score <= 1.0);
	const pb_coverage *c = coverage(a, "competition.single-source");
	assert_int_equal(c->status, PB_COV_RAN);
	assert_contains(c->reason, "3 awarded contracts have no tender or a procedure the procedure table does not know");
	assert_contains(c->reason, "1 non-competitive contracts could not be compared with the EUR threshold: no exchange rate");
	pb_audit_free(a);
}

static void test_weak_rationale_boundaries(void **state)
{
	(void)state;
	tender("MIN3", "direct", "Urgent: EP1", NULL, PB_INT_NONE);  /* 3 left: passes */
	tender("MIN2", "direct", "Urgent: EP", NULL, PB_INT_NONE);   /* 2 left: fires */
	tender("CAPS", "limited", "URGENT OPERATIONAL NEEDS", NULL, PB_INT_NONE);
	tender("LAW", "direct", "In accordance with Article 32(2)(c) of Directive 2009/81/EC",
	       NULL, PB_INT_NONE);
	tender("NA", "direct", "N/A", NULL, PB_INT_NONE);
	tender("SECTION", "limited", "As per section IV, art. 5", NULL, PB_INT_NONE);
	/* "art" inside a word is not a legal reference. */
	tender("SMART", "direct", "Smart fuzes", NULL, PB_INT_NONE);
	tender("PATENT", "direct", "Sole supplier: patent EP 2 345 678 on the fire-control module",
	       NULL, PB_INT_NONE);
	tender("OPEN", "open", "Urgent", NULL, PB_INT_NONE);
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.weak-rationale"), 5);
	assert_non_null(finding(a, "competition.weak-rationale", "SECTION", 0));
	assert_non_null(finding(a, "competition.weak-rationale", "MIN2", 0));
	assert_non_null(finding(a, "competition.weak-rationale", "CAPS", 0));
	assert_non_null(finding(a, "competition.weak-rationale", "LAW", 0));
	assert_non_null(finding(a, "competition.weak-rationale", "NA", 0));
	const pb_finding *f = finding(a, "competition.weak-rationale", "MIN2", 0);
	assert_int_equal(f->severity, PB_SEV_MEDIUM);
	assert_string_equal(detail(f, "substance"), "2");
	assert_contains(f->message, "direct award MIN2 is justified only by boilerplate: \"Urgent: EP\"");
	assert_string_equal(role(f, "tenders", "MIN2"), "tender");
	pb_audit_free(a);
}

/* A long rationale with a match every few bytes is judged whole: the
 * last words decide, so every match to the end was seen (each match
 * once re-checked the whole text as UTF-8, which made 400 KB of this
 * take 20 s). */
static void test_weak_rationale_long(void **state)
{
	pb_buf boiler, substance;
	(void)state;

	pb_buf_init(&boiler);
	pb_buf_init(&substance);
	for (int i = 0; i < 100000; i++) {
		pb_buf_addstr(&boiler, "urgent ");
		pb_buf_addstr(&substance, "urgent ");
	}
	pb_buf_addstr(&boiler, "national security");
	pb_buf_addstr(&substance, "patent EP1");
	tender("LONGB", "direct", boiler.data, NULL, PB_INT_NONE);
	tender("LONGS", "direct", substance.data, NULL, PB_INT_NONE);
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.weak-rationale"), 1);
	const pb_finding *f = finding(a, "competition.weak-rationale", "LONGB", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "substance"), "0");
	assert_null(finding(a, "competition.weak-rationale", "LONGS", 0));
	pb_audit_free(a);
	pb_buf_release(&boiler);
	pb_buf_release(&substance);
}

static void test_weak_rationale_params(void **state)
{
	(void)state;
	set_param("competition.weak-rationale", "min_substance", "60");
	set_param("competition.weak-rationale", "boilerplate", "patent");
	tender("EMPTY", "direct", NULL, NULL, PB_INT_NONE);
	tender("SHORT", "direct", "Urgent operational needs", NULL, PB_INT_NONE); /* 22 left */
	tender("LONG", "direct", "Only the original manufacturer can recalibrate radar serial R-88 under warranty",
	       NULL, PB_INT_NONE);
	tender("PATENTS", "direct", "patent patent patent", NULL, PB_INT_NONE);
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.weak-rationale"), 3);
	assert_null(finding(a, "competition.weak-rationale", "LONG", 0));
	const pb_finding *f = finding(a, "competition.weak-rationale", "EMPTY", 0);
	assert_non_null(f);
	assert_contains(f->message, "direct award EMPTY gives no rationale");
	assert_non_null(finding(a, "competition.weak-rationale", "SHORT", 0));
	assert_string_equal(detail(finding(a, "competition.weak-rationale", "PATENTS", 0), "substance"), "0");
	pb_audit_free(a);
}

static void test_single_bid_sources(void **state)
{
	(void)state;
	tender("ONE", "open", NULL, NULL, 3);          /* bids win over the count */
	tender("FALLBACK", "open", NULL, NULL, 1);     /* no bids of its own */
	tender("TWOCOUNT", "selective", NULL, NULL, 2);
	tender("UNKNOWN", "open", NULL, NULL, PB_INT_NONE);
	tender("ALLGONE", "open", NULL, NULL, 1);      /* every bid withdrawn: 0 */
	tender("NOBIDDER", "open", NULL, NULL, PB_INT_NONE);
	tender("LIMITED", "limited", NULL, NULL, PB_INT_NONE);
	bid("B1", "ONE", "X", "valid");
	bid("B2", "ALLGONE", "X", "withdrawn");
	bid("B3", "ALLGONE", "Y", "withdrawn");
	bid("B4", "NOBIDDER", NULL, "valid");
	bid("B5", "NOBIDDER", NULL, "valid");
	bid("B6", "LIMITED", "X", "valid");
	pb_audit *a = audit();
	assert_int_equal(count(a, "competition.single-bid"), 2);
	const pb_finding *f = finding(a, "competition.single-bid", "ONE", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_MEDIUM);
	assert_string_equal(role(f, "bids", "B1"), "only bid");
	assert_string_equal(role(f, "tenders", "ONE"), "tender");
	assert_string_equal(detail(f, "counted_from"), "bids");
	assert_string_equal(f->message, "open tender ONE received a single bid, from X");
	f = finding(a, "competition.single-bid", "FALLBACK", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "counted_from"), "number_of_tenderers");
	assert_int_equal(f->nevidence, 1);
	pb_audit_free(a);
}

static void test_splitting_boundaries(void **state)
{
	pb_contract c;
	pb_payment p;
	(void)state;
	/* Exactly at the threshold in sum: fires. */
	c = blank_contract("SA1", "MOD", "SA", 5000000, "EUR");
	c.awarded_on = D("2024-01-01");
	add(PB_T_CONTRACTS, &c);
	c = blank_contract("SA2", "MOD", "SA", 5000000, "EUR");
	c.signed_on = D("2024-01-10"); /* no award date: the signature dates it */
	add(PB_T_CONTRACTS, &c);
	/* A contract exactly at the threshold is not below it. */
	c = blank_contract("SB1", "MOD", "SB", 10000000, "EUR");
	c.awarded_on = D("2024-01-01");
	add(PB_T_CONTRACTS, &c);
	c = blank_contract("SB2", "MOD", "SB", 1000000, "EUR");
	c.awarded_on = D("2024-01-02");
	add(PB_T_CONTRACTS, &c);
	/* Two buyers never add up. */
	c = blank_contract("SC1", "MOD", "SC", 6000000, "EUR");
	c.awarded_on = D("2024-01-01");
	add(PB_T_CONTRACTS, &c);
	c = blank_contract("SC2", "ARMY", "SC", 6000000, "EUR");
	c.awarded_on = D("2024-01-01");
	add(PB_T_CONTRACTS, &c);
	/* Greedy windows: D1+D2 fall short, then D2..D4 (27 days) fire. */
	const char *ids[] = {"D1", "D2", "D3", "D4"};
	const char *on[] = {"2024-01-01", "2024-01-25", "2024-02-20", "2024-02-21"};
	int64_t v[] = {6000000, 3000000, 3000000, 5000000};
	for (int i = 0; i < 4; i++) {
		c = blank_contract(ids[i], "MOD", "SD", v[i], "EUR");
		c.awarded_on = D(on[i]);
		add(PB_T_CONTRACTS, &c);
	}
	/* Not judged: another currency, no date. */
	c = blank_contract("USD1", "MOD", "SE", 6000000, "USD");
	c.awarded_on = D("2024-01-01");
	add(PB_T_CONTRACTS, &c);
	c = blank_contract("USD2", "MOD", "SE", 6000000, "USD");
	c.awarded_on = D("2024-01-02");
	add(PB_T_CONTRACTS, &c);
	c = blank_contract("UNDATED", "MOD", "SA", 9000000, "EUR");
	add(PB_T_CONTRACTS, &c);
	/* Payments without a contract split the same way; with one, they do not. */
	p = blank_payment("P1", "MOD", "SP", 7000000, "EUR", "2024-03-01");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P2", "MOD", "SP", 4000000, "EUR", "2024-03-05");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P3", "MOD", "SQ", 7000000, "EUR", "2024-03-01");
	p.contract_id = pb_text_of(S("SA1"));
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P4", "MOD", "SQ", 7000000, "EUR", "2024-03-02");
	p.contract_id = pb_text_of(S("SA1"));
	add(PB_T_PAYMENTS, &p);
	/* Nor do payments to a catch-all vendor record, many payees in one. */
	party_record("20000000", "GENERAL EXPENSES", NULL, NULL);
	p = blank_payment("P5", "MOD", "20000000", 7000000, "EUR", "2024-03-01");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P6", "MOD", "20000000", 4000000, "EUR", "2024-03-05");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P7", "MOD", "Sundry Creditors", 7000000, "EUR", "2024-03-01");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("P8", "MOD", "Sundry Creditors", 4000000, "EUR", "2024-03-05");
	add(PB_T_PAYMENTS, &p);

	pb_audit *a = audit();
	assert_int_equal(count(a, "splitting.below-threshold"), 3);
	const pb_finding *f = finding(a, "splitting.below-threshold", "SA1", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_string_equal(detail(f, "count"), "2");
	assert_string_equal(detail(f, "sum"), "100000.00 EUR");
	assert_string_equal(detail(f, "threshold"), "100000.00 EUR");
	assert_string_equal(detail(f, "window_days"), "30");
	assert_string_equal(detail(f, "items"), "SA1,SA2");
	assert_string_equal(role(f, "contracts", "SA2"), "contract");
	assert_contains(f->message, "2 contracts from MOD to SA between 2024-01-01 and 2024-01-10");
	f = finding(a, "splitting.below-threshold", "D2", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "items"), "D2,D3,D4");
	assert_int_equal(f->nevidence, 3);
	f = finding(a, "splitting.below-threshold", "P1", 0);
	assert_non_null(f);
	assert_string_equal(f->subject_table, "payments");
	assert_string_equal(role(f, "payments", "P2"), "payment");
	assert_contains(f->message, "2 payments from MOD to SP");
	assert_contains(coverage(a, "splitting.below-threshold")->reason, "2 rows could not be compared with the EUR threshold: no exchange rate");
	pb_audit_free(a);
}

static void test_splitting_params(void **state)
{
	pb_contract c;
	(void)state;
	set_param("splitting.below-threshold", "min_items", "3");
	set_param("splitting.below-threshold", "window_days", "10");
	set_param("splitting.below-threshold", "threshold", "20000");
	const char *ids[] = {"A1", "A2", "B1", "B2", "B3", "C1", "C2", "C3"};
	const char *sup[] = {"SA", "SA", "SB", "SB", "SB", "SC", "SC", "SC"};
	const char *on[] = {"2024-01-01", "2024-01-02", "2024-01-01", "2024-01-06",
			    "2024-01-11", "2024-01-01", "2024-01-06", "2024-01-12"};
	for (int i = 0; i < 8; i++) {
		c = blank_contract(ids[i], "MOD", sup[i], 1000000, "EUR");
		c.awarded_on = D(on[i]);
		add(PB_T_CONTRACTS, &c);
	}
	pb_audit *a = audit();
	/* A: only two; B: three within exactly 10 days; C: the third is 11 days out. */
	assert_int_equal(count(a, "splitting.below-threshold"), 1);
	const pb_finding *f = finding(a, "splitting.below-threshold", "B1", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "sum"), "30000.00 EUR");
	assert_string_equal(detail(f, "window_days"), "10");
	pb_audit_free(a);
}

/* An award dated before its tender was even published says so, with
 * the publication date as a detail; one day early is "1 day". */
static void test_backdated_before_publication(void **state)
{
	(void)state;
	tender("T", "open", NULL, "2024-03-20", PB_INT_NONE);
	tender("T2", "open", NULL, "2024-03-20", PB_INT_NONE);
	((pb_tender *)(uintptr_t)pb_ledger_at(L, PB_T_TENDERS, 0))->published_on = D("2024-03-01");
	((pb_tender *)(uintptr_t)pb_ledger_at(L, PB_T_TENDERS, 1))->published_on = D("2024-03-01");
	contract("EARLY", "T", "S", 100, "EUR", "2024-02-20", NULL);
	contract("DAY", "T2", "S", 100, "EUR", "2024-03-19", NULL);
	pb_audit *a = audit();
	const pb_finding *f = finding(a, "timing.backdated", "EARLY", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "published_on"), "2024-03-01");
	assert_string_equal(f->message, "contract EARLY was awarded on 2024-02-20, before tender T was published "
					"(2024-03-01) and 29 days before bids closed (2024-03-20)");
	f = finding(a, "timing.backdated", "DAY", 0);
	assert_non_null(f);
	assert_null(detail(f, "published_on"));
	assert_string_equal(f->message, "contract DAY was awarded on 2024-03-19, 1 day before bids closed for tender T2 (2024-03-20)");
	pb_audit_free(a);
}

static void test_backdated_both_dates(void **state)
{
	(void)state;
	tender("T", "open", NULL, "2024-03-20", PB_INT_NONE);
	tender("T-NODL", "open", NULL, NULL, PB_INT_NONE);
	/* A direct award's "tender period" is no bid deadline: near miss. */
	tender("T-DIRECT", "direct", "x", "2024-03-20", PB_INT_NONE);
	/* A year and more apart: inconsistent data, not backdating. */
	tender("T-FAR", "open", NULL, "2024-03-20", PB_INT_NONE);
	contract("BOTH", "T", "S", 100, "EUR", "2024-03-10", "2024-03-15");
	contract("NODEADLINE", "T-NODL", "S", 100, "EUR", "2024-01-01", "2024-01-01");
	contract("NOTENDER", NULL, "S", 100, "EUR", "2024-01-01", "2024-01-01");
	contract("DIRECT", "T-DIRECT", "S", 100, "EUR", "2024-03-10", "2024-03-10");
	contract("FAR", "T-FAR", "S", 100, "EUR", "2023-03-19", NULL);
	pb_audit *a = audit();
	/* One finding per contract, about the earlier date, naming both. */
	assert_int_equal(count(a, "timing.backdated"), 1);
	const pb_finding *aw = finding(a, "timing.backdated", "BOTH", 0);
	assert_non_null(aw);
	assert_string_equal(detail(aw, "awarded"), "2024-03-10");
	assert_string_equal(detail(aw, "signed"), "2024-03-15");
	assert_string_equal(detail(aw, "days_early"), "10");
	assert_int_equal(aw->severity, PB_SEV_HIGH);
	assert_string_equal(role(aw, "tenders", "T"), "tender");
	assert_string_equal(aw->message,
			    "contract BOTH was awarded on 2024-03-10 and signed on 2024-03-15, 10 days before bids closed for tender T (2024-03-20)");
	/* Payments are not loaded: the contract checks still ran. */
	const pb_coverage *c = coverage(a, "timing.backdated");
	assert_int_equal(c->status, PB_COV_RAN);
	assert_contains(c->reason, "1 contracts of procedures without a call for competition");
	assert_contains(c->reason, "1 dates more than 180 days apart taken for inconsistent data");
	pb_audit_free(a);
}

/* Three payments before one contract's signature are one finding. */
static void test_backdated_payments_grouped(void **state)
{
	(void)state;
	contract("C", NULL, "S", 100, "EUR", "2024-03-01", "2024-03-20");
	payment("P1", "C", "S", NULL, 100, "2024-03-05");
	payment("P2", "C", "S", NULL, 100, "2024-03-02");
	payment("P3", "C", "S", NULL, 100, "2024-03-10");
	payment("P4", "C", "S", NULL, 100, "2024-03-25");
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.backdated"), 1);
	const pb_finding *f = finding(a, "timing.backdated", "C", 0);
	assert_non_null(f);
	assert_int_equal(f->nevidence, 4);
	assert_string_equal(detail(f, "days_early"), "18");
	assert_contains(f->message, "3 payments on contract C were made before it was signed (2024-03-20), the first on 2024-03-02");
	pb_audit_free(a);
}

static void test_backdated_payment_message(void **state)
{
	(void)state;
	contract("C", NULL, "S", 100000, "EUR", NULL, "2024-03-10");
	contract("UNSIGNED", NULL, "S", 100000, "EUR", NULL, NULL);
	payment("P-EARLY", "C", "S", "I1", 50000, "2024-03-01");
	payment("P-UNSIGNED", "UNSIGNED", "S", "I2", 50000, "2024-03-01");
	payment("P-UNDATED", "C", "S", "I3", 50000, NULL);
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.backdated"), 1);
	const pb_finding *f = finding(a, "timing.backdated", "P-EARLY", 0);
	assert_non_null(f);
	assert_string_equal(f->subject_table, "payments");
	assert_string_equal(role(f, "contracts", "C"), "contract");
	assert_string_equal(f->message,
			    "payment P-EARLY of 500.00 EUR was made on 2024-03-01, 9 days before contract C was signed (2024-03-10)");
	pb_audit_free(a);
}

/* n contracts of one file (one publisher) "signed" on their end date,
 * a Sunday after three months' work, each paid a month before it. */
static void signed_at_end(int n)
{
	char id[16], pay[16];

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "J%d", i);
		snprintf(pay, sizeof(pay), "PJ%d", i);
		pb_contract c = blank_contract(id, "MOD", "S", 100000, "EUR");
		c.start_on = D("2024-03-16");
		c.signed_on = c.end_on = D("2024-06-16");
		assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
		payment(pay, id, "S", NULL, 50000, "2024-05-10");
	}
}

/* A publisher that gives every contract its end date as signature date
 * (Jalisco's OCDS) has no signature dates: no payment is "before
 * signature", no signature "on a Sunday"; coverage says why.  Four such
 * contracts are no habit yet. */
static void test_signed_at_end(void **state)
{
	(void)state;
	signed_at_end(5);
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.backdated"), 0);
	assert_int_equal(count(a, "timing.weekend-award"), 0);
	assert_contains(coverage(a, "timing.backdated")->reason,
			"5 contracts whose publisher dates every signature on the contract's end date: their signature dates not used");
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"5 signature dates that are the contract's end date, as every one of their publisher's is: not judged");
	pb_audit_free(a);
}

static void test_signed_at_end_few(void **state)
{
	(void)state;
	signed_at_end(4);
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.backdated"), 4);
	assert_null(coverage(a, "timing.backdated")->reason);
	pb_audit_free(a);
}

/* An OCDS publisher is its ocid prefix, not a folder: Jalisco's records
 * and releases folders hold three such contracts each, one habit of
 * six together.  Three in a folder of another publisher still fire. */
static void test_signed_at_end_ocid(void **state)
{
	static const char *const files[] = {"jal/records/r.json", "jal/releases/r.json", "cdmx/r.json"};
	static const char *const ocids[] = {"ocds-xs1qbl-1", "ocds-xs1qbl-2", "OCDS-87SD3T-3"};
	char id[16], pay[16];
	(void)state;
	for (int f = 0; f < 3; f++) {
		size_t in = pb_ledger_add_input(L, files[f], "mixed", "ocds");
		pb_tender t;
		pb_record_blank(PB_T_TENDERS, &t);
		pb_row_set(L, &t.row, S(files[f]), 1, NULL);
		pb_row_add_extra(L, &t.row, "ocid", ocids[f]);
		t.tender_id = pb_text_of(S(ocids[f]));
		t.buyer_id = pb_text_of(S("MOD"));
		assert_int_equal(pb_ledger_add(L, in, PB_T_TENDERS, &t), 0);
		for (int i = 0; i < 3; i++) {
			snprintf(id, sizeof(id), "C%d-%d", f, i);
			snprintf(pay, sizeof(pay), "P%d-%d", f, i);
			pb_contract c = blank_contract(id, "MOD", "S", 100000, "EUR");
			pb_row_set(L, &c.row, S(files[f]), (uint64_t)(2 + i), NULL);
			c.tender_id = pb_text_of(S(ocids[f]));
			c.start_on = D("2017-03-16");
			c.signed_on = c.end_on = D("2017-06-16");
			assert_int_equal(pb_ledger_add(L, in, PB_T_CONTRACTS, &c), 0);
			payment(pay, id, "S", NULL, 50000, "2017-05-22");
		}
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.backdated"), 3);
	assert_non_null(finding(a, "timing.backdated", "P2-0", 0));
	assert_contains(coverage(a, "timing.backdated")->reason, "6 contracts whose publisher dates every signature");
	pb_audit_free(a);
}

/* A hundred files, each a publisher with one contract signed on its end
 * date, are no habit; the five of t.csv are one. */
static void test_signed_at_end_publishers(void **state)
{
	char file[32], id[16];
	(void)state;
	for (int f = 0; f < 100; f++) {
		snprintf(file, sizeof(file), "p%d.csv", f);
		snprintf(id, sizeof(id), "F%d", f);
		size_t in = pb_ledger_add_input(L, file, "contracts", "csv");
		pb_contract c = blank_contract(id, "MOD", "S", 100000, "EUR");
		pb_row_set(L, &c.row, S(file), 2, NULL);
		c.start_on = D("2024-03-16");
		c.signed_on = c.end_on = D("2024-06-16");
		assert_int_equal(pb_ledger_add(L, in, PB_T_CONTRACTS, &c), 0);
	}
	signed_at_end(5);
	pb_audit *a = audit();
	assert_contains(coverage(a, "timing.backdated")->reason, "5 contracts whose publisher dates every signature");
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"5 signature dates that are the contract's end date");
	pb_audit_free(a);
}

static void test_value_increase_cases(void **state)
{
	pb_contract c;
	pb_amendment am;
	(void)state;
	contract("HALF", NULL, "S", 100000, "EUR", NULL, NULL);      /* +50%: medium */
	amendment("H1", "HALF", "2024-01-01", 100000, 150000);
	contract("HALFPLUS", NULL, "S", 100000, "EUR", NULL, NULL);  /* +50.001%: high */
	amendment("H2", "HALFPLUS", "2024-01-01", 100000, 150001);
	/* No contract value: the earliest dated amendment's value_before. */
	c = blank_contract("NOVALUE", "MOD", "S", PB_AMOUNT_NONE, "EUR");
	add(PB_T_CONTRACTS, &c);
	amendment("N2", "NOVALUE", "2024-03-01", 110000, 130000);
	amendment("N1", "NOVALUE", "2024-02-01", 100000, 110000);
	/* Same date: the last in file order counts. */
	contract("TIE", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("T1", "TIE", "2024-01-01", 100000, 200000);
	amendment("T2", "TIE", "2024-01-01", 100000, 110000);
	contract("TIE2", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("T3", "TIE2", "2024-01-01", 100000, 110000);
	amendment("T4", "TIE2", "2024-01-01", 100000, 200000);
	/* An undated amendment loses to a dated one. */
	contract("UNDATED", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("U1", "UNDATED", "2024-01-01", 100000, 105000);
	amendment("U2", "UNDATED", NULL, 100000, 300000);
	/* Among undated amendments, file order: the last one counts. */
	contract("NODATES", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("V1", "NODATES", NULL, 100000, 300000);
	amendment("V2", "NODATES", NULL, 300000, 105000);
	/* Another currency is never compared. */
	contract("CUR", NULL, "S", 100000, "EUR", NULL, NULL);
	am = blank_amendment("X1", "CUR", "2024-01-01");
	am.value_before = 100000;
	am.value_after = 900000;
	am.currency = pb_text_of(S("USD"));
	add(PB_T_AMENDMENTS, &am);
	/* Down, and amendments without a value. */
	contract("DOWN", NULL, "S", 100000, "EUR", NULL, NULL);
	amendment("D1", "DOWN", "2024-01-01", 100000, 50000);
	contract("DATES", NULL, "S", 100000, "EUR", NULL, NULL);
	am = blank_amendment("E1", "DATES", "2024-01-01");
	add(PB_T_AMENDMENTS, &am);

	pb_audit *a = audit();
	assert_int_equal(count(a, "execution.value-increase"), 4);
	const pb_finding *f = finding(a, "execution.value-increase", "HALF", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_MEDIUM);
	assert_string_equal(detail(f, "increase_pct"), "50.0");
	assert_string_equal(f->message, "contract HALF grew from 1000.00 EUR to 1500.00 EUR (+50.0%) through 1 amendment");
	assert_int_equal(finding(a, "execution.value-increase", "HALFPLUS", 0)->severity, PB_SEV_HIGH);
	f = finding(a, "execution.value-increase", "NOVALUE", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "original"), "1000.00 EUR");
	assert_string_equal(detail(f, "amended"), "1300.00 EUR");
	assert_string_equal(role(f, "amendments", "N1"), "amendment");
	assert_string_equal(role(f, "amendments", "N2"), "amendment");
	assert_string_equal(role(f, "contracts", "NOVALUE"), "contract");
	assert_null(finding(a, "execution.value-increase", "TIE", 0));
	assert_int_equal(finding(a, "execution.value-increase", "TIE2", 0)->severity, PB_SEV_HIGH);
	assert_null(finding(a, "execution.value-increase", "UNDATED", 0));
	assert_null(finding(a, "execution.value-increase", "NODATES", 0));
	assert_null(finding(a, "execution.value-increase", "CUR", 0));
	pb_audit_free(a);
}

static void test_overpayment_cases(void **state)
{
	pb_contract c;
	pb_payment p;
	(void)state;
	contract("CENT", NULL, "S", 100000, "EUR", NULL, NULL);
	payment("P1", "CENT", "S", "I1", 101001, "2024-01-01");   /* a cent above +1% */
	contract("MIXED", NULL, "S", 100000, "EUR", NULL, NULL);
	payment("P2", "MIXED", "S", "I2", 90000, "2024-01-01");
	p = blank_payment("P3", "MOD", "S", 50000, "USD", "2024-01-02");
	p.contract_id = pb_text_of(S("MIXED"));
	add(PB_T_PAYMENTS, &p);
	c = blank_contract("NOVALUE", "MOD", "S", PB_AMOUNT_NONE, "EUR");
	add(PB_T_CONTRACTS, &c);
	amendment("A1", "NOVALUE", "2024-01-01", PB_AMOUNT_NONE, 100000);
	payment("P4", "NOVALUE", "S", "I4", 120000, "2024-02-01");
	c = blank_contract("UNKNOWN", "MOD", "S", PB_AMOUNT_NONE, "EUR");
	add(PB_T_CONTRACTS, &c);
	payment("P5", "UNKNOWN", "S", "I5", 120000, "2024-02-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "execution.overpayment"), 2);
	const pb_finding *f = finding(a, "execution.overpayment", "CENT", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_string_equal(detail(f, "excess"), "10.01 EUR");
	assert_string_equal(role(f, "payments", "P1"), "payment");
	f = finding(a, "execution.overpayment", "NOVALUE", 0);
	assert_non_null(f);
	assert_string_equal(f->message,
			    "payments on contract NOVALUE total 1200.00 EUR, 200.00 EUR (20.00%) more than its amended value of 1000.00 EUR");
	assert_string_equal(role(f, "amendments", "A1"), "amendment");
	assert_contains(coverage(a, "execution.overpayment")->reason, "left out 1 payments");
	pb_audit_free(a);
}

static void test_overspend_cases(void **state)
{
	(void)state;
	budget_line("UP", 10000, 20000, 15000);      /* revised up covers it */
	budget_line("DOWN", 20000, 10000, 15000);    /* revised down: +50% */
	budget_line("TEN", 1000000, PB_AMOUNT_NONE, 1100000);     /* exactly +10%: medium */
	budget_line("TENPLUS", 1000000, PB_AMOUNT_NONE, 1100001); /* high */
	budget_line("NOSPENT", 1000000, PB_AMOUNT_NONE, PB_AMOUNT_NONE);
	budget_line("NOLIMIT", PB_AMOUNT_NONE, PB_AMOUNT_NONE, 1000);
	pb_audit *a = audit();
	assert_int_equal(count(a, "budget.overspend"), 3);
	const pb_finding *f = finding(a, "budget.overspend", "DOWN|2024", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_string_equal(f->subject_table, "budget");
	assert_string_equal(detail(f, "limit"), "100.00 EUR");
	assert_contains(f->message, "against a revised appropriation of 100.00 EUR (+50.00%)");
	assert_int_equal(finding(a, "budget.overspend", "TEN|2024", 0)->severity, PB_SEV_MEDIUM);
	assert_int_equal(finding(a, "budget.overspend", "TENPLUS|2024", 0)->severity, PB_SEV_HIGH);
	assert_contains(finding(a, "budget.overspend", "TEN|2024", 0)->message, "original appropriation");
	pb_audit_free(a);
}

static void test_coverage_needs(void **state)
{
	(void)state;
	tender("T", "open", NULL, NULL, 1);
	pb_audit *a = audit();
	const char *rules[] = {"execution.value-increase", "execution.overpayment",
			       "splitting.below-threshold", "timing.backdated", "budget.overspend"};
	const char *table[] = {"contracts", "contracts", "contracts", "contracts", "budget"};
	for (size_t i = 0; i < 5; i++) {
		const pb_coverage *c = coverage(a, rules[i]);
		assert_int_equal(c->status, PB_COV_NOT_RUN);
		assert_contains(c->reason, table[i]);
	}
	assert_int_equal(coverage(a, "competition.single-bid")->status, PB_COV_RAN);
	assert_int_equal(coverage(a, "competition.weak-rationale")->status, PB_COV_RAN);
	/* No amendment values anywhere: "ran, 0" would be a judgement
	 * never made. */
	assert_int_equal(coverage(a, "execution.value-increase")->status, PB_COV_NOT_RUN);
	assert_int_equal(count(a, "competition.single-bid"), 1);
	pb_audit_free(a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_single_source), T(test_single_source_threshold_param),
		T(test_weak_rationale), T(test_weak_rationale_not_exported), T(test_weak_rationale_long), T(test_single_bid), T(test_splitting),
		T(test_backdated), T(test_value_increase), T(test_overpayment),
		T(test_overspend), T(test_coverage_missing_table),
		T(test_single_source_evidence_and_notes), T(test_weak_rationale_boundaries),
		T(test_weak_rationale_params), T(test_single_bid_sources),
		T(test_splitting_boundaries), T(test_splitting_params),
		T(test_backdated_both_dates), T(test_backdated_before_publication), T(test_backdated_payments_grouped), T(test_backdated_payment_message), T(test_signed_at_end), T(test_signed_at_end_few), T(test_signed_at_end_ocid), T(test_signed_at_end_publishers),
		T(test_value_increase_cases), T(test_overpayment_cases),
		T(test_overspend_cases), T(test_coverage_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
