/* test_conflicts.c - conflicts of interest: planted links and near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_core.h"



static void party(const char *id, const char *name, const char *employer,
		  const char *address, const char *account, const char *registry)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.party_id = S(id);
	p.name = S(name);
	p.employer_id = S(employer);
	p.address = S(address);
	p.bank_account = S(account);
	p.registry_id = S(registry);
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void link(const char *from, const char *to, const char *kind,
		 const char *start, const char *end)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	src(&r.row);
	r.from_id = S(from);
	r.to_id = S(to);
	r.kind = S(kind);
	r.share_pct = PB_INT_NONE;
	r.start_on = D(start);
	r.end_on = D(end);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_RELATIONSHIPS, &r), 0);
}

static void contract(const char *id, const char *buyer, const char *supplier,
		     const char *awarded)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	src(&c.row);
	c.contract_id = S(id);
	c.buyer_id = S(buyer);
	c.supplier_id = S(supplier);
	c.value = 100000;
	c.currency = S("EUR");
	c.awarded_on = D(awarded);
	c.signed_on = c.start_on = c.end_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static void payment(const char *id, const char *payee, const char *approver,
		    const char *paid)
{
	pb_payment p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.payment_id = S(id);
	p.payee_id = S(payee);
	p.approver_id = S(approver);
	p.amount = 500000;
	p.currency = S("EUR");
	p.paid_on = D(paid);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PAYMENTS, &p), 0);
}

static size_t fired(const pb_audit *a, const char *rule, const char **subj,
		    const pb_finding **found)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++) {
		if (strcmp(a->findings[i]->rule->id, rule))
			continue;
		if (n < 8) {
			subj[n] = a->findings[i]->subject_id;
			found[n] = a->findings[i];
		}
		n++;
	}
	return n;
}

static void test_conflicts(void **state)
{
	pb_config cfg;
	const char *s[8];
	const pb_finding *f[8];
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("MOD", "Ministry of Defence", NULL, NULL, NULL, NULL);
	party("OFF-1", "Daria Voss", "MOD", "22 Elm Street, Valmora", "VL00 1111", NULL);
	party("OFF-2", "Piet Lindqvist", "MOD", NULL, NULL, NULL);
	party("OFF-3", "Olena Kovalenko", "MOD", NULL, NULL, NULL);
	party("SP-1", "Marek Voss", NULL, NULL, NULL, NULL);
	party("SUP-A", "Alpha Ltd", NULL, NULL, NULL, "VL-REG:1");
	party("SUP-A2", "ALPHA LIMITED", NULL, NULL, NULL, "VL-REG:1");
	party("SUP-B", "Beta LLC", NULL, "22, Elm St., VALMORA", NULL, NULL);
	party("SUP-C", "Gamma SA", NULL, NULL, "vl00-1111", NULL);
	party("SUP-D", "Delta GmbH", NULL, NULL, NULL, NULL);
	party("P-OWN", "Olena Kovalenko", NULL, NULL, NULL, NULL);
	party("P-OWN2", "Ivan Petrenko", NULL, NULL, NULL, NULL);
	/* Spouse directs SUP-A (known under its registry twin SUP-A2). */
	link("OFF-1", "SP-1", "spouse", NULL, NULL);
	link("SP-1", "SUP-A2", "director", "2023-01-01", NULL);
	/* OFF-2 directed SUP-D until 2023: ended before the award (near miss). */
	link("OFF-2", "SUP-D", "director", "2019-01-01", "2023-06-30");
	/* Same name as OFF-3, no identifier link. */
	link("P-OWN", "SUP-D", "owner", NULL, NULL);
	link("P-OWN2", "SUP-B", "owner", NULL, NULL);
	/* OFF-4 is an official through an employee relationship, not through
	 * employer_id, and owns SUP-E. */
	party("OFF-4", "Anton Grell", NULL, NULL, NULL, NULL);
	party("SUP-E", "Epsilon AB", NULL, NULL, NULL, NULL);
	link("OFF-4", "MOD", "employee", "2020-01-01", NULL);
	link("OFF-4", "SUP-E", "owner", NULL, NULL);
	contract("C-5", "MOD", "SUP-E", "2024-02-01");
	contract("C-1", "MOD", "SUP-A", "2024-02-01");
	contract("C-2", "MOD", "SUP-D", "2024-02-01");
	contract("C-3", "MOD", "SUP-B", "2024-02-01");
	contract("C-4", "MOD", "SUP-C", "2024-02-01");
	payment("PAY-1", "SUP-A", "OFF-1", "2024-03-01");
	payment("PAY-2", "SUP-D", "OFF-2", "2024-03-01");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));

	assert_int_equal(fired(a, "conflicts.official-linked-supplier", s, f), 2);
	assert_string_equal(s[0], "C-1");
	assert_string_equal(s[1], "C-5");
	assert_int_equal(f[1]->severity, PB_SEV_CRITICAL); /* one hop */
	assert_non_null(strstr(f[0]->message, "OFF-1 -[spouse]-> SP-1 -[director]-> SUP-A"));
	assert_int_equal(f[0]->severity, PB_SEV_HIGH);

	assert_int_equal(fired(a, "conflicts.shared-address", s, f), 1);
	assert_string_equal(s[0], "SUP-B");
	assert_int_equal(fired(a, "conflicts.shared-bank-account", s, f), 1);
	assert_string_equal(s[0], "SUP-C");

	/* PAY-1: approver's spouse directs the payee; PAY-2's link ended. */
	assert_int_equal(fired(a, "conflicts.approver-linked", s, f), 1);
	assert_string_equal(s[0], "PAY-1");

	assert_int_equal(fired(a, "conflicts.name-match", s, f), 1);
	assert_string_equal(s[0], "OFF-3");
	assert_non_null(strstr(f[0]->message, "P-OWN"));
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
