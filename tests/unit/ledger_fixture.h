/*
 * ledger_fixture.h - building small ledgers by hand for rule tests.  A
 * test file includes it once; every helper adds one record with the
 * fields a rule reads and NONE markers elsewhere.
 */
#ifndef PB_LEDGER_FIXTURE_H
#define PB_LEDGER_FIXTURE_H

#include "fixture_core.h"

static const char *PAYER = "MOD"; /* payer of payment() */

static inline void tender(const char *id, const char *method, const char *rationale,
		   const char *deadline, int64_t tenderers)
{
	pb_tender t;

	memset(&t, 0, sizeof(t));
	src(&t.row);
	t.tender_id = pb_text_of(S(id));
	t.buyer_id = pb_text_of(S("MOD"));
	t.method = pb_text_of(S(method));
	t.method_rationale = pb_text_of(S(rationale));
	t.estimated_value = PB_AMOUNT_NONE;
	t.currency = pb_text_of(S("EUR"));
	t.published_on = PB_DATE_NONE;
	t.submission_deadline = D(deadline);
	t.number_of_tenderers = tenderers;
	t.classified = t.framework = PB_BOOL_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_TENDERS, &t), 0);
}

static inline void bid(const char *id, const char *tender_id, const char *bidder,
		const char *status)
{
	pb_bid b;

	memset(&b, 0, sizeof(b));
	src(&b.row);
	b.bid_id = pb_text_of(S(id));
	b.tender_id = pb_text_of(S(tender_id));
	b.bidder_id = pb_text_of(S(bidder));
	b.value = PB_AMOUNT_NONE;
	b.currency = pb_text_of(S("EUR"));
	b.submitted_on = PB_DATE_NONE;
	b.status = pb_text_of(S(status));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BIDS, &b), 0);
}

static inline void contract(const char *id, const char *tender_id, const char *supplier,
		     int64_t cents, const char *currency, const char *awarded,
		     const char *signed_on)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	src(&c.row);
	c.contract_id = pb_text_of(S(id));
	c.tender_id = pb_text_of(S(tender_id));
	c.buyer_id = pb_text_of(S("MOD"));
	c.supplier_id = pb_text_of(S(supplier));
	c.value = cents;
	c.currency = pb_text_of(S(currency));
	c.awarded_on = D(awarded);
	c.signed_on = D(signed_on);
	c.start_on = c.end_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static inline void amendment(const char *id, const char *contract_id, const char *on,
		      int64_t before, int64_t after)
{
	pb_amendment a;

	memset(&a, 0, sizeof(a));
	src(&a.row);
	a.amendment_id = pb_text_of(S(id));
	a.contract_id = pb_text_of(S(contract_id));
	a.amended_on = D(on);
	a.value_before = before;
	a.value_after = after;
	a.currency = pb_text_of(S("EUR"));
	a.end_before = a.end_after = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_AMENDMENTS, &a), 0);
}

/* A party record; NULL leaves a field empty. */
static inline void party_record(const char *id, const char *name, const char *registry,
				const char *address)
{
	pb_party p;

	pb_record_blank(PB_T_PARTIES, &p);
	src(&p.row);
	p.party_id = pb_text_of(S(id));
	p.name = pb_text_of(S(name));
	p.registry_id = pb_text_of(S(registry));
	p.address = pb_text_of(S(address));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static inline void payment(const char *id, const char *contract_id, const char *payee,
		    const char *invoice, int64_t cents, const char *paid)
{
	pb_payment p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.payment_id = pb_text_of(S(id));
	p.payer_id = pb_text_of(S(PAYER));
	p.payee_id = pb_text_of(S(payee));
	p.contract_id = pb_text_of(S(contract_id));
	p.invoice_id = pb_text_of(S(invoice));
	p.amount = cents;
	p.currency = pb_text_of(S("EUR"));
	p.paid_on = D(paid);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PAYMENTS, &p), 0);
}

static inline void budget(const char *line, int64_t revised, int64_t spent)
{
	pb_budget_line b;

	memset(&b, 0, sizeof(b));
	src(&b.row);
	b.budget_line = pb_text_of(S(line));
	b.fiscal_year = 2024;
	b.classified = PB_BOOL_NONE;
	b.appropriated = revised;
	b.revised = PB_AMOUNT_NONE;
	b.committed = PB_AMOUNT_NONE;
	b.spent = spent;
	b.currency = pb_text_of(S("EUR"));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BUDGET, &b), 0);
}

static inline int setup(void **state)
{
	(void)state;
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	LINE = 1;
	pb_config_init(&CFG);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	pb_ledger_free(L);
	pb_config_release(&CFG);
	return 0;
}

/* Seals L and audits it as of `as_of`.  Seal drops the string table's
 * buckets: an audit that looked a text up would rebuild them, and the
 * rules and the engine look nothing up once the ledger is sealed. */
static inline pb_audit *sealed_audit(const pb_config *cfg, pb_date as_of)
{
	pb_ledger_seal(L);
	size_t rebuilds = pb_ledger_text_rebuilds(L);
	pb_audit *a = pb_audit_run(L, cfg, as_of);
	assert_int_equal(pb_ledger_text_rebuilds(L), rebuilds);
	return a;
}

/* The subjects a rule fired on, space-separated, in output order. */
static const char *fired(const char *rule)
{
	static char buf[512];
	pb_audit *a = sealed_audit(&CFG, D("2024-12-31"));

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

#endif
