/* test_payments.c - the payments.* rules (duplicate, round-amount, benford,
 * sequential-invoices): each fires on a planted case and stays quiet on the
 * near miss beside it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../reports/report.h"
#include "ledger_fixture.h"

/* A payment with every field unknown but those given. */
static pb_payment blank_payment(const char *id, const char *payer, const char *payee,
				int64_t cents, const char *currency, const char *paid)
{
	pb_payment p;

	pb_record_blank(PB_T_PAYMENTS, &p);
	src(&p.row);
	p.payment_id = S(id);
	p.payer_id = S(payer);
	p.payee_id = S(payee);
	p.amount = cents;
	p.currency = S(currency);
	p.paid_on = D(paid);
	return p;
}

static void add(pb_table t, const void *record)
{
	assert_int_equal(pb_ledger_add(L, IN, t, record), 0);
}

/* --- looking into an audit --- */

static pb_audit *audit(void)
{
	pb_ledger_seal(L);
	return pb_audit_run(L, &CFG, D("2024-12-31"));
}

/* The nth finding (from 0) of a rule about a subject, or NULL. */
static const pb_finding *finding(const pb_audit *a, const char *rule, const char *subject,
				 size_t nth)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (!strcmp(f->rule->id, rule) && !strcmp(f->subject_id, subject) && !nth--)
			return f;
	}
	return NULL;
}

static size_t count(const pb_audit *a, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		n += !strcmp(a->findings[i]->rule->id, rule);
	return n;
}

/* The role of a record in the finding's evidence, or NULL. */
static const char *role(const pb_finding *f, const char *table, const char *id)
{
	for (size_t i = 0; i < f->nevidence; i++)
		if (!strcmp(f->evidence[i].table, table) && !strcmp(f->evidence[i].id, id))
			return f->evidence[i].role;
	return NULL;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack ? haystack : "(null)", needle);
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

static void test_duplicates_more(void **state)
{
	pb_payment p;
	(void)state;
	payment("Q1", NULL, "S2", "X-1", 100000, "2024-01-01");
	payment("Q2", NULL, "S2", "X-1", 100000, "2024-02-01");
	payment("Q3", NULL, "S2", "X-1", 100000, "2024-03-01");
	payment("R1", NULL, "S3", NULL, 200000, "2024-01-01");
	payment("R2", NULL, "S3", NULL, 200000, "2024-01-01");
	payment("U1", NULL, "S4", "U-1", 300000, "2024-01-01");
	p = blank_payment("U2", "MOD", "S4", 300000, "USD", "2024-01-01");
	p.invoice_id = S("U-1");
	add(PB_T_PAYMENTS, &p);
	payment("W1", NULL, "S5", "W-1", 400000, "2024-01-01");
	payment("W2", NULL, "S5", "W-2", 400000, "2024-01-11"); /* ten days: no */
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 3);
	const pb_finding *f = finding(a, "payments.duplicate", "Q2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_string_equal(role(f, "payments", "Q1"), "duplicate of");
	assert_string_equal(role(f, "payments", "Q2"), "payment");
	f = finding(a, "payments.duplicate", "Q3", 0);
	assert_non_null(f);
	assert_string_equal(role(f, "payments", "Q1"), "duplicate of");
	assert_string_equal(f->message,
			    "payment Q3 repeats invoice X-1 to S2 for 1000.00 EUR, already paid by Q1 (2024-01-01, 2024-03-01)");
	f = finding(a, "payments.duplicate", "R2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_MEDIUM);
	assert_contains(f->message, "the same 2000.00 EUR as R1 on the same day");
	assert_null(finding(a, "payments.duplicate", "R1", 0));
	pb_audit_free(a);
}

/* One payee paid the same amount 60000 times: sorting, not pairs. */
static void test_duplicates_large_group(void **state)
{
	enum { N = 30000 };
	char id[32], inv[32];
	pb_date base = D("2000-01-01");
	(void)state;
	for (int i = 0; i < 2 * N; i++) {
		int near = i >= N; /* the second half is 2 days apart */
		snprintf(id, sizeof(id), "P%d", i);
		snprintf(inv, sizeof(inv), "INV-%d", i);
		pb_payment p = blank_payment(id, "MOD", near ? "NEAR" : "FAR", 1000, "EUR", NULL);
		p.invoice_id = S(inv);
		p.paid_on = base + (pb_date)(near ? 2 * (i - N) : 4 * i);
		add(PB_T_PAYMENTS, &p);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), N - 1);
	assert_null(finding(a, "payments.duplicate", "P0", 0));
	assert_non_null(finding(a, "payments.duplicate", "P30001", 0));
	pb_audit_free(a);
}

static void test_round_amount(void **state)
{
	char id[16];
	(void)state;
	const int64_t r[] = {500000, 1200000, 300000, 250050, 700000};
	const int64_t n[] = {500000, 1234500, 300010, 250050, 711100};
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "R%d", i);
		payment(id, NULL, "ROUND", NULL, r[i], "2024-01-01");
		snprintf(id, sizeof(id), "N%d", i);
		payment(id, NULL, "NOTROUND", NULL, n[i], "2024-02-01");
	}
	/* ROUND: 4 of 5 round; NOTROUND: 2 of 5 (40%). */
	assert_string_equal(fired("payments.round-amount"), "ROUND");
}

/* A payer paying amounts spread evenly on a log scale follows Benford; one
 * that always pays 45xx does not. */
static void test_benford(void **state)
{
	char id[16];
	(void)state;
	for (int i = 0; i < 400; i++) {
		double v = pow(10.0, 3.0 + 3.0 * (i + 0.5) / 400.0);
		snprintf(id, sizeof(id), "G%d", i);
		payment(id, NULL, "S", NULL, (int64_t)(v * 100), "2024-01-01");
	}
	PAYER = "SKEW";
	for (int i = 0; i < 400; i++) {
		snprintf(id, sizeof(id), "K%d", i);
		payment(id, NULL, "T", NULL, 450000 + i * 23, "2024-01-01");
	}
	PAYER = "FEW";
	for (int i = 0; i < 299; i++) {
		snprintf(id, sizeof(id), "F%d", i);
		payment(id, NULL, "T", NULL, 450000, "2024-01-01");
	}
	PAYER = "MOD";
	assert_string_equal(fired("payments.benford"), "SKEW");
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (strcmp(f->rule->id, "payments.benford"))
			continue;
		int have_obs = 0, have_exp = 0;
		for (size_t d = 0; d < f->ndetails; d++) {
			have_obs |= !strcmp(f->details[d].key, "observed_10_99");
			have_exp |= !strcmp(f->details[d].key, "expected_10_99");
			if (!strcmp(f->details[d].key, "conformity"))
				assert_string_equal(f->details[d].value, "nonconformity");
		}
		assert_true(have_obs && have_exp);
	}
	/* The HTML report draws the two distributions. */
	char *html = NULL;
	size_t len = 0;
	pb_error err;
	FILE *out = open_memstream(&html, &len);
	assert_int_equal(pb_reporter_find("html")->write(a, out, &err), 0);
	fclose(out);
	assert_non_null(strstr(html, "aria-label=\"observed and expected first-two-digit distributions\""));
	assert_non_null(strstr(html, "<polyline"));
	free(html);
	pb_audit_free(a);
}

static void test_sequential_invoices(void **state)
{
	char id[16], inv[16];
	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "A%d", i);
		snprintf(inv, sizeof(inv), "INV-%04d", 17 + i);
		payment(id, NULL, "SHELL", inv, 100, "2024-01-01");
		/* Same run, but this supplier also bills NAVY. */
		snprintf(id, sizeof(id), "B%d", i);
		snprintf(inv, sizeof(inv), "B-%d", 500 + i);
		PAYER = i == 4 ? "NAVY" : "MOD";
		payment(id, NULL, "REAL", inv, 100, "2024-01-01");
		PAYER = "MOD";
		/* Gaps: 1, 3, 5, 7, 9. */
		snprintf(id, sizeof(id), "C%d", i);
		snprintf(inv, sizeof(inv), "C-%d", 1 + 2 * i);
		payment(id, NULL, "GAPS", inv, 100, "2024-01-01");
	}
	assert_string_equal(fired("payments.sequential-invoices"), "SHELL");
}

static void test_normalised_invoice_duplicate(void **state)
{
	(void)state;
	payment("P1", NULL, "S", "INV-0042", 5000, "2024-01-01");
	payment("P2", NULL, "S", "inv 42", 5000, "2024-01-20");  /* same invoice, 19 days */
	payment("P3", NULL, "T", "INV-0042", 5000, "2024-01-01");
	payment("P4", NULL, "T", "inv 42", 5000, "2024-03-01");  /* 60 days: no */
	payment("P5", NULL, "U", "A1-2", 5000, "2024-01-01");
	payment("P6", NULL, "U", "A12", 5000, "2024-01-10");     /* different invoices */
	assert_string_equal(fired("payments.duplicate"), "P2!");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_duplicates), T(test_duplicates_more), T(test_duplicates_large_group),
		T(test_round_amount), T(test_benford), T(test_sequential_invoices),
		T(test_normalised_invoice_duplicate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
