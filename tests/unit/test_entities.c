/* test_entities.c - findings are attributed to buyers and suppliers and
 * entities are ranked by the CRI-style score. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/config.h"
#include "../../engine/entities.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"

static pb_ledger *L;
static size_t IN;

static const char *S(const char *s)
{
	return s ? pb_ledger_intern(L, s, strlen(s)) : NULL;
}

static void party(const char *id, const char *registered, const char *registry)
{
	pb_party p;
	const char *why;

	memset(&p, 0, sizeof(p));
	pb_row_set(L, &p.row, S("parties.csv"), 2, NULL);
	p.party_id = pb_text_of(S(id));
	p.name = pb_text_of(S(id));
	p.registry_id = pb_text_of(S(registry));
	p.registered_on = PB_DATE_NONE;
	if (registered)
		pb_date_parse(registered, strlen(registered), NULL, &p.registered_on, &why);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void contract(const char *id, const char *buyer, const char *supplier)
{
	pb_contract c;

	memset(&c, 0, sizeof(c));
	pb_row_set(L, &c.row, S("contracts.csv"), 3, NULL);
	c.contract_id = pb_text_of(S(id));
	c.buyer_id = pb_text_of(S(buyer));
	c.supplier_id = pb_text_of(S(supplier));
	c.value = 50000000;
	c.currency = pb_text_of(S("EUR"));
	c.awarded_on = pb_date_from_ymd(2024, 3, 1);
	c.signed_on = c.start_on = c.end_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_CONTRACTS, &c), 0);
}

static void test_scores(void **state)
{
	pb_config cfg;
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("MOD", NULL, "VL-GOV:1");
	party("NAVY", NULL, "VL-GOV:2");
	party("SHELL", "2024-02-01", NULL); /* new and without registry id */
	party("OLD", "2001-01-01", "VL-REG:9");
	contract("C-1", "MOD", "SHELL");
	contract("C-2", "NAVY", "OLD");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, pb_date_from_ymd(2024, 6, 30));

	/* evidence names its record: scoring looks no id up */
	assert_int_equal(pb_ledger_text_rebuilds(L), 0);
	assert_int_equal(pb_ledger_key_rebuilds(L), 0);
	assert_true(a->nfindings >= 2);
	for (size_t i = 0; i < a->nfindings; i++) {
		assert_string_equal(a->findings[i]->buyer_id, "MOD");
		assert_string_equal(a->findings[i]->supplier_id, "SHELL");
	}
	assert_int_equal(a->nentities, 4);
	/* SHELL and MOD share the findings; OLD and NAVY have none. */
	assert_int_equal(a->entities[0].rank, 1);
	assert_true(a->entities[0].score > 0.0);
	assert_true(a->entities[0].score <= 1.0);
	assert_true(!strcmp(a->entities[0].id, "SHELL") || !strcmp(a->entities[0].id, "MOD"));
	for (size_t i = 0; i < a->nentities; i++) {
		if (!strcmp(a->entities[i].id, "OLD") || !strcmp(a->entities[i].id, "NAVY")) {
			assert_true(a->entities[i].score == 0.0);
			assert_int_equal(a->entities[i].nfindings, 0);
			assert_true(a->entities[i].napplicable > 0);
		}
		if (!strcmp(a->entities[i].id, "SHELL")) {
			assert_string_equal(a->entities[i].role, "supplier");
			assert_int_equal(a->entities[i].nfindings, a->nfindings);
			assert_int_equal(a->entities[i].nfired, 2);
		}
	}
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

static void payment(const char *id, const char *payer, const char *payee)
{
	pb_payment p;

	pb_record_blank(PB_T_PAYMENTS, &p);
	pb_row_set(L, &p.row, S("payments.csv"), 4, NULL);
	p.payment_id = pb_text_of(S(id));
	p.payer_id = pb_text_of(S(payer));
	p.payee_id = pb_text_of(S(payee));
	p.contract_id = pb_text_of(S("C-1"));
	p.invoice_id = pb_text_of(S(id));
	p.amount = 1000000;
	p.currency = pb_text_of(S("EUR"));
	p.paid_on = pb_date_from_ymd(2024, 4, 1);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PAYMENTS, &p), 0);
}

/* Rules applicable to A in an audit of contracts C-1 from MOD to A and
 * C-2 from MOD to `second`, then a payment from MOD to A. */
static size_t applicable_to_a(const char *second)
{
	pb_config cfg;
	size_t n = 0;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("MOD", NULL, "VL-GOV:1");
	party("A", "2001-01-01", "VL-REG:9");
	party("B", "2001-01-01", "VL-REG:8");
	contract("C-1", "MOD", "A");
	contract("C-2", "MOD", second);
	payment("P-1", "MOD", "A");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, pb_date_from_ymd(2024, 6, 30));
	for (size_t i = 0; i < a->nentities; i++)
		if (!strcmp(a->entities[i].id, "A"))
			n = a->entities[i].napplicable;
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
	return n;
}

/* An id met in one table is looked up again in the next even when it
 * was the last met there: A, the last supplier of the contracts, is
 * still met among the payees, as when B was the last. */
static void test_appearances(void **state)
{
	(void)state;
	size_t after_b = applicable_to_a("B");
	assert_true(after_b > 0);
	assert_int_equal(applicable_to_a("A"), after_b);
}

/*
 * Ties of score and weight rank by role (buyers first), then id; and an
 * entity only a finding names (no table does) is ranked with the rest.
 */
static void test_ranking_ties(void **state)
{
	pb_coverage cov[64];
	pb_finding f, *fp = &f;
	pb_config cfg;
	(void)state;

	assert_true(pb_nrules <= 64);
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("B", NULL, NULL);
	contract("C-1", "NAVY", "B");
	contract("C-2", "MOD", "A");
	/* ids that share their first 8 or 16 bytes, or end inside them */
	contract("C-3", "MOD", "SUPPLIER-2");
	contract("C-4", "MOD", "SUPPLIER-10");
	contract("C-5", "MOD", "SUPPLIER");
	contract("C-6", "MOD", "SUPPLIERS-LONG-NAME-1");
	contract("C-7", "MOD", "SUPPLIERS-LONG-NAME-0");
	contract("C-8", "MOD", "SUPPLIER-\xc3\xa9");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_entity_tally *t = pb_entities_collect(L);
	for (size_t r = 0; r < pb_nrules; r++)
		cov[r] = (pb_coverage){pb_rules[r], PB_COV_RAN, NULL, 0};
	memset(&f, 0, sizeof(f));
	f.rule = pb_rule_find("competition.single-source");
	f.severity = PB_SEV_HIGH;
	f.buyer_id = S("ZED");
	pb_audit a = {.config = &cfg, .ledger = L, .findings = &fp, .nfindings = 1,
		      .coverage = cov, .ncoverage = pb_nrules};
	size_t n;
	pb_entity_score *e = pb_entities_score(&a, t, &n);
	static const char *const want[][2] = {
		{"ZED", "buyer"}, {"MOD", "buyer"}, {"NAVY", "buyer"}, {"A", "supplier"}, {"B", "supplier"},
		{"SUPPLIER", "supplier"}, {"SUPPLIER-10", "supplier"}, {"SUPPLIER-2", "supplier"},
		{"SUPPLIER-\xc3\xa9", "supplier"}, {"SUPPLIERS-LONG-NAME-0", "supplier"},
		{"SUPPLIERS-LONG-NAME-1", "supplier"}};
	assert_int_equal(n, 11);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(e[i].id, want[i][0]);
		assert_string_equal(e[i].role, want[i][1]);
		assert_int_equal(e[i].rank, i + 1);
	}
	assert_int_equal(e[0].nfindings, 1);
	assert_string_equal(e[4].name, "B"); /* from parties */
	assert_null(e[3].name);
	free(e);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

/* Rules that ran (all, here) and apply to an entity of these tables. */
static size_t rules_needing(uint32_t tables)
{
	size_t n = 0;

	for (size_t r = 0; r < pb_nrules; r++)
		n += (pb_rules[r]->needs & tables) != 0;
	return n;
}

/*
 * Entities no finding names are counted by the set of tables they are
 * in (one count per set, however many entities share it) and ranked
 * last by role and id without being sorted; a skipped rule is not
 * applicable to them.  Here C only in payments, A in contracts and
 * payments, B and Z in contracts; MOD and NAVY buyers in both.
 */
static void test_unnamed_entities(void **state)
{
	pb_coverage cov[64];
	pb_config cfg;
	(void)state;

	assert_true(pb_nrules <= 64);
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	contract("C-1", "NAVY", "Z");
	contract("C-2", "MOD", "A");
	contract("C-3", "MOD", "B");
	payment("P-1", "NAVY", "C");
	payment("P-2", "MOD", "A");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_entity_tally *t = pb_entities_collect(L);
	size_t skipped = 0;
	for (size_t r = 0; r < pb_nrules; r++) {
		cov[r] = (pb_coverage){pb_rules[r], PB_COV_RAN, NULL, 0};
		if (!strcmp(pb_rules[r]->id, "payments.duplicate"))
			cov[skipped = r].status = PB_COV_DISABLED;
	}
	pb_audit a = {.config = &cfg, .ledger = L, .coverage = cov, .ncoverage = pb_nrules};
	size_t n;
	pb_entity_score *e = pb_entities_score(&a, t, &n);
	uint32_t both = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PAYMENTS);
	size_t dup = (pb_rules[skipped]->needs & both) != 0;
	static const char *const want[] = {"MOD", "NAVY", "A", "B", "C", "Z"};
	size_t applicable[] = {rules_needing(both) - dup, rules_needing(both) - dup,
			       rules_needing(both) - dup, rules_needing(PB_NEEDS(PB_T_CONTRACTS)),
			       rules_needing(PB_NEEDS(PB_T_PAYMENTS)) - dup,
			       rules_needing(PB_NEEDS(PB_T_CONTRACTS))};
	assert_int_equal(n, 6);
	assert_true(dup);
	assert_true(applicable[3] != applicable[4]);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(e[i].id, want[i]);
		assert_int_equal(e[i].rank, i + 1);
		assert_true(e[i].score == 0.0);
		assert_int_equal(e[i].nfired, 0);
		assert_int_equal(e[i].napplicable, applicable[i]);
	}
	free(e);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

/* Scores of many entities, taken in blocks by however many threads:
 * the same for -j 1 and -j 3, field by field, findings spread over the
 * blocks and one entity each finding names alone. */
static pb_entity_score *scored_with_jobs(int jobs, pb_finding **fp, size_t nf,
					 pb_coverage *cov, size_t *n)
{
	pb_config cfg;

	pb_config_init(&cfg);
	cfg.jobs = jobs;
	pb_entity_tally *t = pb_entities_collect(L);
	pb_audit a = {.config = &cfg, .ledger = L, .findings = fp, .nfindings = nf,
		      .coverage = cov, .ncoverage = pb_nrules};
	pb_entity_score *e = pb_entities_score(&a, t, n);
	pb_config_release(&cfg);
	return e;
}

static void test_scores_any_jobs(void **state)
{
	enum { SUPPLIERS = 10000, FINDINGS = 40 };
	pb_coverage cov[64];
	pb_finding f[FINDINGS], *fp[FINDINGS];
	char id[32];
	size_t n1, n3;
	(void)state;

	assert_true(pb_nrules <= 64);
	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	for (int i = 0; i < SUPPLIERS; i++) {
		snprintf(id, sizeof(id), "S-%05d", i);
		char cid[32];
		snprintf(cid, sizeof(cid), "C-%05d", i);
		contract(cid, i % 3 ? "MOD" : "NAVY", id);
	}
	pb_ledger_seal(L);
	for (size_t r = 0; r < pb_nrules; r++)
		cov[r] = (pb_coverage){pb_rules[r], r % 4 ? PB_COV_RAN : PB_COV_DISABLED, NULL, 0};
	for (int k = 0; k < FINDINGS; k++) {
		memset(&f[k], 0, sizeof(f[k]));
		f[k].rule = pb_rules[(size_t)k % pb_nrules];
		f[k].severity = (pb_severity)(k % 4);
		snprintf(id, sizeof(id), "S-%05d", k * 247);
		f[k].supplier_id = S(id);
		f[k].buyer_id = S(k % 2 ? "MOD" : "NAVY");
		fp[k] = &f[k];
	}
	pb_entity_score *e1 = scored_with_jobs(1, fp, FINDINGS, cov, &n1);
	pb_entity_score *e3 = scored_with_jobs(3, fp, FINDINGS, cov, &n3);
	assert_int_equal(n1, SUPPLIERS + 2);
	assert_int_equal(n3, n1);
	for (size_t i = 0; i < n1; i++) {
		assert_ptr_equal(e1[i].id, e3[i].id);
		assert_string_equal(e1[i].role, e3[i].role);
		assert_int_equal(e1[i].rank, e3[i].rank);
		assert_int_equal(e1[i].nfindings, e3[i].nfindings);
		assert_int_equal(e1[i].weight, e3[i].weight);
		assert_int_equal(e1[i].napplicable, e3[i].napplicable);
		assert_int_equal(e1[i].nfired, e3[i].nfired);
		assert_true(e1[i].score == e3[i].score);
	}
	/* the findings' 40 suppliers and 2 buyers first, then the rest */
	assert_true(e1[0].score > 0.0);
	assert_true(e1[FINDINGS + 1].nfindings > 0);
	assert_int_equal(e1[FINDINGS + 2].nfindings, 0);
	assert_true(e1[FINDINGS + 2].napplicable > 0);
	free(e1);
	free(e3);
	pb_ledger_free(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores),
		cmocka_unit_test(test_appearances),
		cmocka_unit_test(test_ranking_ties),
		cmocka_unit_test(test_unnamed_entities),
		cmocka_unit_test(test_scores_any_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
