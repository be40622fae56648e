/* test_offsets.c - the offsets family: each rule fires and has a near miss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/config.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"

struct fixture {
	pb_ledger *l;
	size_t in;
	pb_config cfg;
};

static const char *S(pb_ledger *l, const char *s)
{
	return s ? pb_ledger_intern(l, s, strlen(s)) : NULL;
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

static void row(pb_ledger *l, pb_row *r, uint32_t line)
{
	pb_row_set(l, r, S(l, "t.csv"), line, NULL);
}

static void contract(struct fixture *fx, const char *id, const char *buyer,
		     int64_t value, const char *signed_on)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	row(fx->l, &c.row, 2);
	c.contract_id = pb_text_of(S(fx->l, id));
	c.buyer_id = pb_text_of(S(fx->l, buyer));
	c.value = value;
	c.currency = pb_text_of(S(fx->l, "EUR"));
	c.awarded_on = c.start_on = c.end_on = PB_DATE_NONE;
	c.signed_on = D(signed_on);
	assert_int_equal(pb_ledger_add(fx->l, fx->in, PB_T_CONTRACTS, &c), 0);
}

static pb_offset blank_offset(struct fixture *fx, const char *id,
			      const char *contract_id)
{
	pb_offset o;

	memset(&o, 0, sizeof(o));
	row(fx->l, &o.row, 3);
	o.offset_id = pb_text_of(S(fx->l, id));
	o.contract_id = pb_text_of(S(fx->l, contract_id));
	o.obligation_value = o.credited_value = PB_AMOUNT_NONE;
	o.penalty = o.penalty_collected = PB_AMOUNT_NONE;
	o.multiplier = PB_INT_NONE;
	o.currency = pb_text_of(S(fx->l, "EUR"));
	o.due_on = o.fulfilled_on = PB_DATE_NONE;
	return o;
}

static void add_offset(struct fixture *fx, pb_offset *o)
{
	assert_int_equal(pb_ledger_add(fx->l, fx->in, PB_T_OFFSETS, o), 0);
}

static void party(struct fixture *fx, const char *id, const char *employer)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	row(fx->l, &p.row, 4);
	p.party_id = pb_text_of(S(fx->l, id));
	p.employer_id = pb_text_of(S(fx->l, employer));
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(fx->l, fx->in, PB_T_PARTIES, &p), 0);
}

static void link(struct fixture *fx, const char *from, const char *to,
		 const char *kind, const char *start, const char *end)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	row(fx->l, &r.row, 5);
	r.from_id = pb_text_of(S(fx->l, from));
	r.to_id = pb_text_of(S(fx->l, to));
	r.kind = pb_text_of(S(fx->l, kind));
	r.share_pct = PB_INT_NONE;
	r.start_on = D(start);
	r.end_on = D(end);
	assert_int_equal(pb_ledger_add(fx->l, fx->in, PB_T_RELATIONSHIPS, &r), 0);
}

static int setup(void **state)
{
	static struct fixture fx;

	fx.l = pb_ledger_new("EUR");
	fx.in = pb_ledger_add_input(fx.l, "t.csv", "mixed", "csv");
	pb_config_init(&fx.cfg);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pb_ledger_free(fx->l);
	pb_config_release(&fx->cfg);
	return 0;
}

/* Findings of one rule, as "subject" strings, in order. */
static size_t fired(const pb_audit *a, const char *rule, const char **subjects,
		    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, rule) && n < max)
			subjects[n++] = a->findings[i]->subject_id;
	return n;
}

static const pb_finding *first(const pb_audit *a, const char *rule)
{
	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, rule))
			return a->findings[i];
	return NULL;
}

static void test_offsets(void **state)
{
	struct fixture *fx = *state;
	const char *s[8];
	pb_offset o;

	contract(fx, "C-1", "MOD", 10000000, "2024-01-10");
	/* Overdue: due 2024-03-01, pending.  Near misses: fulfilled, waived,
	 * and due after as_of. */
	o = blank_offset(fx, "O-late", "C-1");
	o.due_on = D("2024-03-01");
	o.status = pb_text_of(S(fx->l, "pending"));
	o.obligation_value = 5000000;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-done", "C-1");
	o.due_on = D("2024-03-01");
	o.fulfilled_on = D("2024-02-20");
	o.status = pb_text_of(S(fx->l, "fulfilled"));
	add_offset(fx, &o);
	o = blank_offset(fx, "O-future", "C-1");
	o.due_on = D("2024-12-31");
	o.status = pb_text_of(S(fx->l, "pending"));
	add_offset(fx, &o);
	/* Penalty: waived; assessed not collected; fully collected (near miss). */
	o = blank_offset(fx, "O-waived", "C-1");
	o.status = pb_text_of(S(fx->l, "waived"));
	o.obligation_value = 100;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-unpaid", "C-1");
	o.status = pb_text_of(S(fx->l, "defaulted"));
	o.penalty = 50000;
	o.penalty_collected = 10000;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-paid", "C-1");
	o.status = pb_text_of(S(fx->l, "defaulted"));
	o.penalty = 50000;
	o.penalty_collected = 50000;
	add_offset(fx, &o);
	/* Multiplier 2.5 fires, exactly 2 does not. */
	o = blank_offset(fx, "O-mult", "C-1");
	o.multiplier = 2500000;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-mult2", "C-1");
	o.multiplier = 2000000;
	add_offset(fx, &o);
	/* Over-credited; credited equal to obligation does not fire. */
	o = blank_offset(fx, "O-credit", "C-1");
	o.obligation_value = 1000;
	o.credited_value = 1500;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-credit-eq", "C-1");
	o.obligation_value = 1000;
	o.credited_value = 1000;
	add_offset(fx, &o);
	/* Obligation above the contract (10000000); equal does not fire. */
	o = blank_offset(fx, "O-big", "C-1");
	o.obligation_value = 12000000;
	add_offset(fx, &o);
	o = blank_offset(fx, "O-big-eq", "C-1");
	o.obligation_value = 10000000;
	add_offset(fx, &o);
	pb_ledger_seal(fx->l);

	pb_audit *a = pb_audit_run(fx->l, &fx->cfg, D("2024-06-30"));
	assert_int_equal(fired(a, "offsets.overdue-unfulfilled", s, 8), 1);
	assert_string_equal(s[0], "O-late");
	const pb_finding *f = first(a, "offsets.overdue-unfulfilled");
	assert_non_null(strstr(f->message, "121 days"));
	assert_int_equal(fired(a, "offsets.penalty-waived", s, 8), 2);
	assert_string_equal(s[0], "O-unpaid");
	assert_string_equal(s[1], "O-waived");
	assert_int_equal(fired(a, "offsets.high-multiplier", s, 8), 1);
	assert_string_equal(s[0], "O-mult");
	assert_int_equal(fired(a, "offsets.over-credited", s, 8), 1);
	assert_string_equal(s[0], "O-credit");
	assert_int_equal(fired(a, "offsets.excessive-obligation", s, 8), 1);
	assert_string_equal(s[0], "O-big");
	/* Offsets findings show obligation, credits, multiplier, due, status. */
	f = first(a, "offsets.high-multiplier");
	const char *keys[] = {"obligation", "credited", "multiplier", "due_on", "status"};
	for (size_t k = 0; k < 5; k++) {
		int seen = 0;
		for (size_t d = 0; d < f->ndetails; d++)
			seen |= !strcmp(f->details[d].key, keys[k]);
		assert_true(seen);
	}
	pb_audit_free(a);
}

static void test_linked_beneficiary(void **state)
{
	struct fixture *fx = *state;
	const char *s[8];
	pb_offset o;

	contract(fx, "C-1", "MOD", 10000000, "2024-01-10");
	party(fx, "OFF-1", "MOD");
	party(fx, "OFF-2", "MOD");
	/* OFF-1's spouse directs BEN-A since 2023: linked at signature. */
	link(fx, "OFF-1", "SP-1", "spouse", NULL, NULL);
	link(fx, "SP-1", "BEN-A", "director", "2023-01-01", NULL);
	/* OFF-2 owned BEN-B until 2023-12-31: ended before the signature. */
	link(fx, "OFF-2", "BEN-B", "owner", "2020-01-01", "2023-12-31");
	o = blank_offset(fx, "O-A", "C-1");
	o.beneficiary_id = pb_text_of(S(fx->l, "BEN-A"));
	add_offset(fx, &o);
	o = blank_offset(fx, "O-B", "C-1");
	o.beneficiary_id = pb_text_of(S(fx->l, "BEN-B"));
	add_offset(fx, &o);
	pb_ledger_seal(fx->l);

	pb_audit *a = pb_audit_run(fx->l, &fx->cfg, D("2024-06-30"));
	assert_int_equal(fired(a, "offsets.linked-beneficiary", s, 8), 1);
	assert_string_equal(s[0], "O-A");
	const pb_finding *f = first(a, "offsets.linked-beneficiary");
	assert_int_equal(f->severity, PB_SEV_CRITICAL);
	assert_non_null(strstr(f->message, "OFF-1 -[spouse]-> SP-1 -[director]-> BEN-A"));
	/* Evidence: offset, contract, official, and both links. */
	assert_int_equal(f->nevidence, 5);
	assert_string_equal(f->evidence[4].role, "director");
	pb_audit_free(a);
}

/* Every kind of official, found from the beneficiary's side: a party the
 * buyer employs, a person with an `employee` relationship valid at
 * signature (and one whose job had ended), a party official who is the
 * beneficiary, and an official who is both kinds, judged once. */
static void test_linked_officials_of_every_kind(void **state)
{
	struct fixture *fx = *state;
	const char *s[8];
	pb_offset o;
	size_t n = 0;

	contract(fx, "C-1", "MOD", 10000000, "2024-01-10");
	party(fx, "OFF-1", "MOD");
	party(fx, "OFF-3", "MOD");
	party(fx, "BEN-D", "MOD");
	party(fx, "OFF-X", "OTHER"); /* another buyer's official */
	link(fx, "OFF-1", "BEN-A", "owner", NULL, NULL);
	link(fx, "OFF-3", "BEN-A", "owner", NULL, NULL);
	link(fx, "OFF-3", "MOD", "employee", "2020-01-01", NULL);
	link(fx, "EMP-9", "MOD", "employee", "2023-01-01", NULL);
	link(fx, "EMP-9", "BEN-C", "director", NULL, NULL);
	link(fx, "EMP-8", "MOD", "employee", "2020-01-01", "2023-06-30");
	link(fx, "EMP-8", "BEN-C", "director", NULL, NULL);
	link(fx, "OFF-X", "BEN-C", "owner", NULL, NULL);
	const char *bens[][2] = {{"O-A", "BEN-A"}, {"O-C", "BEN-C"}, {"O-D", "BEN-D"}};
	for (size_t i = 0; i < 3; i++) {
		o = blank_offset(fx, bens[i][0], "C-1");
		o.beneficiary_id = pb_text_of(S(fx->l, bens[i][1]));
		add_offset(fx, &o);
	}
	pb_ledger_seal(fx->l);

	pb_audit *a = pb_audit_run(fx->l, &fx->cfg, D("2024-06-30"));
	assert_int_equal(fired(a, "offsets.linked-beneficiary", s, 8), 4);
	/* in finding order (ids), so compared as a set */
	const char *want[] = {"O-A OFF-1", "O-A OFF-3", "O-C EMP-9", "O-D BEN-D"};
	int found[4] = {0};
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (strcmp(f->rule->id, "offsets.linked-beneficiary"))
			continue;
		char got[64];
		const char *who = strstr(f->message, "linked to ") + 10;
		snprintf(got, sizeof(got), "%s %.*s", f->subject_id, (int)strcspn(who, ","), who);
		size_t k = 0;
		while (k < 4 && strcmp(got, want[k]))
			k++;
		if (k == 4)
			fail_msg("unexpected finding: %s", got);
		found[k]++;
		/* the relationship proves EMP-9 an official, having no party row */
		if (!strcmp(f->subject_id, "O-C"))
			assert_string_equal(f->evidence[2].table, "relationships");
		n++;
	}
	assert_int_equal(n, 4);
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(found[k], 1);
	pb_audit_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linked_beneficiary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linked_officials_of_every_kind, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
