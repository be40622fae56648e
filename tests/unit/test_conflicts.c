/* test_conflicts.c - conflicts of interest: planted links and near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_core.h"



static void party(const char *id, const char *name, const char *employer,
		  const char *address, const char *account, const char *registry)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.party_id = pb_text_of(S(id));
	p.name = pb_text_of(S(name));
	p.employer_id = pb_text_of(S(employer));
	p.address = pb_text_of(S(address));
	p.bank_account = pb_text_of(S(account));
	p.registry_id = pb_text_of(S(registry));
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void link(const char *from, const char *to, const char *kind,
		 const char *start, const char *end)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	src(&r.row);
	r.from_id = pb_text_of(S(from));
	r.to_id = pb_text_of(S(to));
	r.kind = pb_text_of(S(kind));
	r.share_pct = PB_INT_NONE;
	r.start_on = D(start);
	r.end_on = D(end);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_RELATIONSHIPS, &r), 0);
}

static void contract_joint(const char *id, const char *buyer, const char *supplier,
			   const char *co, const char *awarded)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	src(&c.row);
	c.contract_id = pb_text_of(S(id));
	c.buyer_id = pb_text_of(S(buyer));
	c.supplier_id = pb_text_of(S(supplier));
	c.value = 100000;
	c.currency = pb_text_of(S("EUR"));
	c.awarded_on = D(awarded);
	c.signed_on = c.start_on = c.end_on = PB_DATE_NONE;
	c.co_supplier_ids = pb_text_of(S(co));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static void contract(const char *id, const char *buyer, const char *supplier,
		     const char *awarded)
{
	contract_joint(id, buyer, supplier, NULL, awarded);
}

static void payment(const char *id, const char *payee, const char *approver,
		    const char *paid)
{
	pb_payment p;

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.payment_id = pb_text_of(S(id));
	p.payer_id = pb_text_of(S("MOD"));
	p.payee_id = pb_text_of(S(payee));
	p.approver_id = pb_text_of(S(approver));
	p.amount = 500000;
	p.currency = pb_text_of(S("EUR"));
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
	contract("C-7", "MOD", "SUP-E", "2024-04-01"); /* same link: same finding */
	contract("C-5", "MOD", "SUP-E", "2024-02-01");
	contract("C-1", "MOD", "SUP-A", "2024-02-01");
	contract("C-2", "MOD", "SUP-D", "2024-02-01");
	contract("C-3", "MOD", "SUP-B", "2024-02-01");
	contract("C-4", "MOD", "SUP-C", "2024-02-01");
	payment("PAY-3", "SUP-A", "OFF-1", "2024-03-09");
	payment("PAY-1", "SUP-A", "OFF-1", "2024-03-01");
	payment("PAY-2", "SUP-D", "OFF-2", "2024-03-01");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));

	assert_int_equal(fired(a, "conflicts.official-linked-supplier", s, f), 2);
	assert_string_equal(s[0], "C-1");
	assert_string_equal(s[1], "C-5");
	assert_int_equal(f[1]->severity, PB_SEV_CRITICAL); /* one hop */
	/* One finding per official and supplier, about the earliest contract. */
	assert_non_null(strstr(f[1]->message, "-> contract C-5 (and 1 more contracts)"));
	assert_non_null(strstr(f[0]->message, "OFF-1 -[spouse]-> SP-1 -[director]-> SUP-A"));
	assert_int_equal(f[0]->severity, PB_SEV_HIGH);

	assert_int_equal(fired(a, "conflicts.shared-address", s, f), 1);
	assert_string_equal(s[0], "SUP-B");
	assert_int_equal(fired(a, "conflicts.shared-bank-account", s, f), 1);
	assert_string_equal(s[0], "SUP-C");

	/* PAY-1 and PAY-3: approver's spouse directs the payee, one finding
	 * about the earlier, whichever row comes first; PAY-2's link ended. */
	assert_int_equal(fired(a, "conflicts.approver-linked", s, f), 1);
	assert_string_equal(s[0], "PAY-1");
	assert_non_null(strstr(f[0]->message, "2 payments totalling 10000.00 EUR to SUP-A were approved by OFF-1"));

	assert_int_equal(fired(a, "conflicts.name-match", s, f), 1);
	assert_string_equal(s[0], "OFF-3");
	assert_non_null(strstr(f[0]->message, "P-OWN"));
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

/* A party with extra columns (birth dates, tax ids), for name-match. */
static void person_x(const char *id, const char *name, const char *employer,
		     const char *address, const char *col, const char *val)
{
	pb_party p;
	pb_attr *x = pb_arena_alloc(pb_ledger_arena(L), sizeof(*x));

	memset(&p, 0, sizeof(p));
	src(&p.row);
	p.party_id = pb_text_of(S(id));
	p.name = pb_text_of(S(name));
	p.kind = pb_text_of(S("person"));
	p.employer_id = pb_text_of(S(employer));
	p.address = pb_text_of(S(address));
	p.registered_on = PB_DATE_NONE;
	if (col) {
		x->name = S(col);
		x->value = S(val);
		pb_row_set_extras(L, &p.row, x, 1);
	}
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void ledger_open(void)
{
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("MOD", "Ministry of Defence", NULL, NULL, NULL, NULL);
	party("OTHER", "City Council", NULL, NULL, NULL, NULL);
}

static pb_audit *audit_with(const char *key, const char *value)
{
	pb_error err;

	pb_ledger_seal(L);
	pb_config_init(&CFG);
	if (key)
		assert_int_equal(pb_config_set_param(&CFG, "conflicts.name-match", key, value, &err), 0);
	/* seal dropped the string table's buckets: the rules look nothing up */
	pb_audit *a = pb_audit_run(L, &CFG, D("2024-06-30"));
	assert_int_equal(pb_ledger_text_rebuilds(L), 0);
	assert_int_equal(pb_ledger_key_rebuilds(L), 0);
	return a;
}

static void audit_done(pb_audit *a)
{
	pb_audit_free(a);
	pb_config_release(&CFG);
	pb_ledger_free(L);
}

static const char *detail(const pb_finding *f, const char *key)
{
	for (size_t i = 0; i < f->ndetails; i++)
		if (!strcmp(f->details[i].key, key))
			return f->details[i].value;
	return NULL;
}

static size_t evidence_roles(const pb_finding *f, const char *role)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nevidence; i++)
		n += !strcmp(f->evidence[i].role, role);
	return n;
}

/* Token by token, either order; the namesake's company must deal with the
 * official's own buyer; one finding per official and supplier. */
static void test_name_tokens(void **state)
{
	const char *s[8];
	const pb_finding *f[8];
	(void)state;

	ledger_open();
	person_x("OFF-A", "Volodymyr Lysenko", "MOD", NULL, NULL, NULL);
	/* Shares the given name only: 0.937 on whole strings, no match. */
	person_x("P-1", "Volodymyr Melnyk", NULL, NULL, NULL, NULL);
	link("P-1", "SUP-1", "owner", NULL, NULL);
	contract("C-1", "MOD", "SUP-1", "2024-02-01");
	/* Surname first: the same name; owner and director of SUP-2, which
	 * has two contracts and a payment from MOD: one finding. */
	person_x("P-2", "LYSENKO Volodymyr", NULL, NULL, NULL, NULL);
	link("P-2", "SUP-2", "owner", NULL, NULL);
	link("P-2", "SUP-2", "director", NULL, NULL);
	contract("C-2", "MOD", "SUP-2", "2024-02-01");
	contract("C-3", "MOD", "SUP-2", "2024-03-01");
	payment("PAY-1", "SUP-2", NULL, "2024-04-01");
	/* The same name again, but SUP-3 deals only with another buyer. */
	person_x("P-3", "Volodymyr Lysenko", NULL, NULL, NULL, NULL);
	link("P-3", "SUP-3", "owner", NULL, NULL);
	contract("C-4", "OTHER", "SUP-3", "2024-02-01");
	/* A transliteration variant matches (petrenco / petrenko 0.95) ... */
	person_x("OFF-C", "Oleksandr Petrenko", "MOD", NULL, NULL, NULL);
	person_x("P-4", "Oleksandr Petrenco", NULL, NULL, NULL, NULL);
	link("P-4", "SUP-4", "director", NULL, NULL);
	contract("C-5", "MOD", "SUP-4", "2024-02-01");
	/* ... a longer surname does not (bondar / bondarenko 0.92). */
	person_x("OFF-D", "Iryna Bondar", "MOD", NULL, NULL, NULL);
	person_x("P-5", "Iryna Bondarenko", NULL, NULL, NULL, NULL);
	link("P-5", "SUP-5", "owner", NULL, NULL);
	contract("C-6", "MOD", "SUP-5", "2024-02-01");
	/* Different birth dates: two people. */
	person_x("OFF-E", "Taras Hnatiuk", "MOD", NULL, "birth_date", "1970-01-01");
	person_x("P-6", "Taras Hnatiuk", NULL, NULL, "birth_date", "1981-05-05");
	link("P-6", "SUP-6", "owner", NULL, NULL);
	contract("C-7", "MOD", "SUP-6", "2024-02-01");
	/* The same address corroborates. */
	person_x("OFF-F", "Marta Kozak", "MOD", "5 Lime Street, Valmora", NULL, NULL);
	person_x("P-7", "Kozak Marta", NULL, "5 Lime St, Valmora", NULL, NULL);
	link("P-7", "SUP-7", "owner", NULL, NULL);
	contract("C-8", "MOD", "SUP-7", "2024-02-01");
	/* The same tax id, written differently, corroborates ... */
	person_x("OFF-G", "Ostap Dovbush", "MOD", NULL, "tax_id", "3012 4567 89");
	person_x("P-8", "Ostap Dovbush", NULL, NULL, "tax_id", "3012456789");
	link("P-8", "SUP-8", "owner", NULL, NULL);
	contract("C-9", "MOD", "SUP-8", "2024-02-01");
	/* ... a different one separates. */
	person_x("OFF-H", "Yosyp Hladky", "MOD", NULL, "tax_id", "2900011111");
	person_x("P-9", "Yosyp Hladky", NULL, NULL, "tax_id", "2900011112");
	link("P-9", "SUP-9", "owner", NULL, NULL);
	contract("C-10", "MOD", "SUP-9", "2024-02-01");
	/* A joint award is a dealing of every member. */
	person_x("OFF-K", "Solomiia Krushelnytska", "MOD", NULL, NULL, NULL);
	person_x("P-10", "Solomiia Krushelnytska", NULL, NULL, NULL, NULL);
	link("P-10", "SUP-10", "owner", NULL, NULL);
	contract_joint("C-11", "MOD", "SUP-LEAD", "SUP-10", "2024-02-01");
	pb_audit *a = audit_with(NULL, NULL);

	assert_int_equal(fired(a, "conflicts.name-match", s, f), 5);
	assert_string_equal(s[0], "OFF-A");
	assert_non_null(strstr(f[0]->message, "P-2"));
	assert_non_null(strstr(f[0]->message, "SUP-2"));
	assert_null(strstr(f[0]->message, "SUP-3"));
	assert_int_equal(evidence_roles(f[0], "contract"), 2);
	assert_int_equal(evidence_roles(f[0], "payment"), 1);
	assert_int_equal(evidence_roles(f[0], "namesake"), 1);
	assert_int_equal(evidence_roles(f[0], "owner"), 1);
	assert_int_equal(evidence_roles(f[0], "director"), 1);
	assert_string_equal(detail(f[0], "dealings"), "3");
	assert_int_equal(f[0]->severity, PB_SEV_MEDIUM);
	assert_string_equal(s[1], "OFF-C");
	assert_non_null(strstr(f[1]->message, "SUP-4"));
	assert_string_equal(s[2], "OFF-F");
	assert_int_equal(f[2]->severity, PB_SEV_HIGH);
	assert_string_equal(detail(f[2], "corroborated_by"), "address");
	assert_true(f[2]->score > f[1]->score);
	assert_string_equal(s[3], "OFF-G");
	assert_string_equal(detail(f[3], "corroborated_by"), "tax id");
	assert_string_equal(s[4], "OFF-K");
	assert_non_null(strstr(f[4]->message, "SUP-10"));
	audit_done(a);
}

/* A name most people in the ledger share is not a lead. */
static void test_name_common(void **state)
{
	static const char *const given[] = {"Petro", "Mykola", "Andrii", "Serhii", "Yurii",
					    "Oleh", "Vasyl", "Ihor", "Roman", "Bohdan"};
	static const char *const family[] = {"Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko",
					     "Koval", "Oliinyk", "Shevchuk", "Polishchuk", "Lysenko",
					     "Marchenko"};
	const char *s[8];
	const pb_finding *f[8];
	char id[32], name[64];
	(void)state;

	for (int pass = 0; pass < 2; pass++) {
		ledger_open();
		person_x("OFF-1", "Ivan Melnyk", "MOD", NULL, NULL, NULL);
		person_x("P-0", "Ivan Melnyk", NULL, NULL, NULL, NULL);
		link("P-0", "SUP-0", "owner", NULL, NULL);
		contract("C-0", "MOD", "SUP-0", "2024-02-01");
		for (int i = 0; i < 10; i++) {
			snprintf(id, sizeof(id), "P-I%d", i);
			snprintf(name, sizeof(name), "Ivan %s", family[i]);
			person_x(id, name, NULL, NULL, NULL, NULL);
			link(id, "SUP-X", "owner", NULL, NULL);
			snprintf(id, sizeof(id), "P-M%d", i);
			snprintf(name, sizeof(name), "%s Melnyk", given[i]);
			person_x(id, name, NULL, NULL, NULL, NULL);
			link(id, "SUP-X", "owner", NULL, NULL);
		}
		/* 22 people, 12 Ivans and 12 Melnyks: about 5.5 namesakes expected. */
		pb_audit *a = audit_with(pass ? "max_namesakes" : NULL, "10");
		assert_int_equal(fired(a, "conflicts.name-match", s, f), pass ? 1 : 0);
		if (pass)
			assert_true(f[0]->score < 0.2);
		audit_done(a);
	}
}

/* 2 000 officials and 10 000 owners drawn from 20 given names and 50
 * surnames: every name is common, nothing is reported (an all-pairs
 * comparison would report hundreds of thousands). */
static void test_name_scale(void **state)
{
	static const char *const given[] = {"Ivan", "Petro", "Mykola", "Andrii", "Serhii", "Yurii",
		"Oleh", "Vasyl", "Ihor", "Roman", "Bohdan", "Olena", "Iryna", "Natalia", "Oksana",
		"Tetiana", "Yulia", "Maria", "Halyna", "Svitlana"};
	const char *s[8];
	const pb_finding *f[8];
	char id[32], name[64], sup[32];
	(void)state;

	ledger_open();
	for (int i = 0; i < 12000; i++) {
		int off = i < 2000;
		snprintf(id, sizeof(id), "%s-%d", off ? "OFF" : "P", i);
		snprintf(name, sizeof(name), "%s Surname%02d", given[(i * 7) % 20], (i * 13) % 50);
		person_x(id, name, off ? "MOD" : NULL, NULL, NULL, NULL);
		if (!off) {
			snprintf(sup, sizeof(sup), "SUP-%d", i % 500);
			link(id, sup, "director", NULL, NULL);
		}
	}
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "C-%d", i);
		snprintf(sup, sizeof(sup), "SUP-%d", i);
		contract(id, "MOD", sup, "2024-02-01");
	}
	pb_audit *a = audit_with(NULL, NULL);
	assert_int_equal(fired(a, "conflicts.name-match", s, f), 0);
	audit_done(a);
}

/* An official who is both employee and owner of the supplier is found
 * whichever relationship row comes first; employment alone never links. */
static void test_row_order(void **state)
{
	const char *s[8];
	const pb_finding *f[8];
	(void)state;

	for (int order = 0; order < 2; order++) {
		ledger_open();
		party("OFF-1", "Anton Grell", "MOD", NULL, NULL, NULL);
		party("SUP-X", "Xylon AB", NULL, NULL, NULL, NULL);
		if (order) {
			link("OFF-1", "SUP-X", "owner", NULL, NULL);
			link("OFF-1", "SUP-X", "employee", NULL, NULL);
		} else {
			link("OFF-1", "SUP-X", "employee", NULL, NULL);
			link("OFF-1", "SUP-X", "owner", NULL, NULL);
		}
		/* Near miss: the ministry owns a state company; its officials
		 * are not thereby linked to it. */
		party("OFF-2", "Lena Hart", NULL, NULL, NULL, NULL);
		link("OFF-2", "MOD", "employee", NULL, NULL);
		link("MOD", "SUP-STATE", "owner", NULL, NULL);
		contract("C-1", "MOD", "SUP-X", "2024-02-01");
		contract("C-2", "MOD", "SUP-STATE", "2024-02-01");
		/* A joint award: the official owns the second member. */
		party("OFF-J", "Rita Moss", "MOD", NULL, NULL, NULL);
		link("OFF-J", "SUP-Q", "owner", NULL, NULL);
		contract_joint("C-J", "MOD", "SUP-P", "SUP-Q", "2024-02-01");
		/* A colleague's expenses approved by OFF-2: both employees of MOD. */
		party("OFF-3", "Jan Rook", NULL, NULL, NULL, NULL);
		link("OFF-3", "MOD", "employee", NULL, NULL);
		payment("PAY-1", "OFF-3", "OFF-2", "2024-03-01");
		/* Approved by someone who works for the payee. */
		party("P-9", "Ola Berg", NULL, NULL, NULL, NULL);
		link("P-9", "SUP-X", "employee", NULL, NULL);
		payment("PAY-2", "SUP-X", "P-9", "2024-03-01");
		pb_audit *a = audit_with(NULL, NULL);
		assert_int_equal(fired(a, "conflicts.official-linked-supplier", s, f), 2);
		assert_string_equal(s[0], "C-1");
		assert_non_null(strstr(f[0]->message, "OFF-1 -[owner]-> SUP-X"));
		assert_int_equal(f[0]->severity, PB_SEV_CRITICAL);
		assert_string_equal(s[1], "C-J");
		assert_non_null(strstr(f[1]->message, "joint supplier SUP-Q"));
		assert_int_equal(fired(a, "conflicts.approver-linked", s, f), 1);
		assert_string_equal(s[0], "PAY-2");
		audit_done(a);
	}
}

/* Registry twins are one supplier; a country code is not an address. */
static void test_shared_keys(void **state)
{
	const char *s[8];
	const pb_finding *f[8];
	(void)state;

	ledger_open();
	party("OFF-T", "Nina Hollis", "MOD", "GB", "GB29 NWBK 6016 1331 9268 19", NULL);
	party("SUP-T1", "Tarn Ltd", NULL, NULL, "GB29NWBK60161331926819", "GB-COH:0101");
	party("SUP-T2", "TARN LIMITED", NULL, NULL, "gb29 nwbk 6016 1331 9268 19", "GB-COH:0101");
	party("SUP-U", "Ure plc", NULL, "GB", NULL, NULL);
	contract("C-1", "MOD", "SUP-T1", "2024-02-01");
	contract("C-2", "MOD", "SUP-T2", "2024-02-01");
	contract("C-3", "MOD", "SUP-U", "2024-02-01");
	pb_audit *a = audit_with(NULL, NULL);
	assert_int_equal(fired(a, "conflicts.shared-bank-account", s, f), 1);
	assert_string_equal(s[0], "SUP-T1");
	assert_int_equal(evidence_roles(f[0], "supplier"), 2);
	assert_int_equal(fired(a, "conflicts.shared-address", s, f), 0);
	audit_done(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_name_tokens),
		cmocka_unit_test(test_name_common),
		cmocka_unit_test(test_name_scale),
		cmocka_unit_test(test_row_order),
		cmocka_unit_test(test_shared_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
