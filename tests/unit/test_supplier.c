/* test_supplier.c - supplier profile rules: planted cases and near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_core.h"


static void party(const char *id, const char *country, const char *registry,
		  const char *registered, const char *address)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	pb_row_set(L, &p.row, S("parties.csv"), LINE++, NULL);
	p.party_id = pb_text_of(S(id));
	p.name = pb_text_of(S(id));
	p.country = pb_text_of(S(country));
	p.registry_id = pb_text_of(S(registry));
	p.registered_on = D(registered);
	p.address = pb_text_of(S(address));
	p.roles = pb_text_of(S("supplier"));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void contract(const char *id, const char *buyer, const char *supplier,
		     int64_t value, const char *awarded)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	pb_row_set(L, &c.row, S("contracts.csv"), LINE++, NULL);
	c.contract_id = pb_text_of(S(id));
	c.buyer_id = pb_text_of(S(buyer));
	c.supplier_id = pb_text_of(S(supplier));
	c.value = value;
	c.currency = pb_text_of(S("EUR"));
	c.awarded_on = D(awarded);
	c.signed_on = c.start_on = c.end_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static size_t fired(const pb_audit *a, const char *rule, const char **subj)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, rule) && n < 8)
			subj[n++] = a->findings[i]->subject_id;
	return n;
}

static void test_supplier(void **state)
{
	pb_config cfg;
	const char *s[8];
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("NEW", "VL", "VL-REG:1", "2024-01-10", "1 Quay St");
	party("OLDISH", "VL", "VL-REG:2", "2023-07-01", "2 Quay St");
	party("EARLY", "VL", "VL-REG:3", "2024-03-01", "3 Quay St");
	party("OFFSHORE", "vg", "VG-BC:99", "2010-01-01", "Road Town");
	party("NOREG", "VL", NULL, "2010-01-01", "5 Quay St");
	party("SMALLNOREG", "VL", NULL, "2010-01-01", "6 Quay St");
	for (int i = 0; i < 5; i++) {
		char id[8], reg[16];
		snprintf(id, sizeof(id), "SH-%d", i);
		snprintf(reg, sizeof(reg), "VL-REG:X%d", i);
		party(id, "VL", reg, "2000-01-01", i % 2 ? "Office 3, 55 Quay Street" : "office 3 55 quay st.");
	}
	party("FOUR-1", "VL", "VL-REG:F1", "2000-01-01", "9 Mill Lane");
	party("FOUR-2", "VL", "VL-REG:F2", "2000-01-01", "9 Mill Ln");
	/* New: 41 days old at a 200000 award.  OLDISH: 213 days (near miss).
	 * EARLY: won before it existed. */
	contract("C-NEW", "MOD", "NEW", 20000000, "2024-02-20");
	contract("C-OLD", "MOD", "OLDISH", 20000000, "2024-01-30");
	contract("C-EARLY", "MOD", "EARLY", 20000000, "2024-02-01");
	contract("C-NEW-SMALL", "NAVY", "NEW", 5000000, "2024-02-21");
	contract("C-OFF", "MOD", "OFFSHORE", 100, "2024-02-01");
	contract("C-NOREG", "MOD", "NOREG", 10000000, "2024-02-01");
	contract("C-SMALLNOREG", "MOD", "SMALLNOREG", 9999999, "2024-02-01");
	/* SH-0 has three contracts, all from MOD: single client.  SH-1 has
	 * three from two buyers: near miss. */
	contract("C-S1", "MOD", "SH-0", 100, "2024-01-01");
	contract("C-S2", "MOD", "SH-0", 100, "2024-02-01");
	contract("C-S3", "MOD", "SH-0", 100, "2024-03-01");
	contract("C-T1", "MOD", "SH-1", 100, "2024-01-01");
	contract("C-T2", "NAVY", "SH-1", 100, "2024-02-01");
	contract("C-T3", "MOD", "SH-1", 100, "2024-03-01");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));

	assert_int_equal(fired(a, "supplier.newly-registered", s), 2);
	assert_string_equal(s[0], "C-EARLY");
	assert_string_equal(s[1], "C-NEW");
	assert_int_equal(fired(a, "supplier.secrecy-jurisdiction", s), 1);
	assert_string_equal(s[0], "OFFSHORE");
	/* Exactly at the threshold fires; one cent below does not. */
	assert_int_equal(fired(a, "supplier.no-registry-id", s), 1);
	assert_string_equal(s[0], "C-NOREG");
	/* Five at one address fire; two at another do not. */
	assert_int_equal(fired(a, "supplier.mass-address", s), 1);
	assert_string_equal(s[0], "SH-0");
	assert_int_equal(fired(a, "supplier.single-client", s), 1);
	assert_string_equal(s[0], "SH-0");
	pb_audit_free(a);

	/* The list is a parameter. */
	pb_error err;
	assert_int_equal(pb_config_set_param(&cfg, "supplier.secrecy-jurisdiction",
					     "jurisdictions", "VL", &err), 0);
	a = pb_audit_run(L, &cfg, D("2024-06-30"));
	assert_true(fired(a, "supplier.secrecy-jurisdiction", s) >= 5);
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supplier),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
