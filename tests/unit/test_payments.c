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

#include "../../reports/reports.h"
#include "ledger_fixture.h"
#include "audit_asserts.h"

/* A party with a registry id: parties sharing one are one entity. */
static void party(const char *id, const char *registry)
{
	party_record(id, id, registry, NULL);
}

/* A payment of a payer to a payee with an invoice and a contract. */
static void pay(const char *id, const char *payer, const char *payee, const char *contract,
		const char *invoice, int64_t cents, const char *paid)
{
	pb_payment p = blank_payment(id, payer, payee, cents, "EUR", paid);

	p.contract_id = pb_text_of(S(contract));
	p.invoice_id = pb_text_of(S(invoice));
	add(PB_T_PAYMENTS, &p);
}

/* --- looking into an audit --- */

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
	/* Near misses: invoice numbers neither equal nor a keystroke or the
	 * next number apart are two bills, however close their dates. */
	payment("B1", NULL, "B", "20133656", 15049, "2024-01-01");
	payment("B2", NULL, "B", "20133664", 15049, "2024-01-02");
	payment("B3", NULL, "B", "FV-2014-338", 800, "2024-01-01");
	payment("B4", NULL, "B", "FV-2014-346", 800, "2024-01-03");
	/* but a digit mistyped, two swapped, one dropped or a suffix more
	 * may be one bill keyed twice */
	payment("K1", NULL, "K", "5521", 100, "2024-01-01");
	payment("K2", NULL, "K", "5528", 100, "2024-01-02");
	payment("K3", NULL, "K", "7741", 200, "2024-01-01");
	payment("K4", NULL, "K", "7714", 200, "2024-01-02");
	payment("K5", NULL, "K", "A-3301", 300, "2024-01-01");
	payment("K6", NULL, "K", "A-331", 300, "2024-01-02");
	payment("K7", NULL, "K", "9900", 400, "2024-01-01");
	payment("K8", NULL, "K", "9900/B", 400, "2024-01-02");
	assert_string_equal(fired("payments.duplicate"), "K2 K4 K6 K8 P2! P4");
}

/* Three repeats of one invoice are one finding; same-day repeats without
 * invoice numbers are low; another currency or ten days apart are not
 * repeats. */
static void test_duplicates_more(void **state)
{
	pb_payment p;
	(void)state;
	payment("Q1", NULL, "S2", "X-1", 100000, "2024-01-01");
	payment("Q2", NULL, "S2", "X-1", 100000, "2024-01-20");
	payment("Q3", NULL, "S2", "X-1", 100000, "2024-03-01");
	payment("R1", NULL, "S3", NULL, 200000, "2024-01-01");
	payment("R2", NULL, "S3", NULL, 200000, "2024-01-01");
	payment("U1", NULL, "S4", "U-1", 300000, "2024-01-01");
	p = blank_payment("U2", "MOD", "S4", 300000, "USD", "2024-01-01");
	p.invoice_id = pb_text_of(S("U-1"));
	add(PB_T_PAYMENTS, &p);
	payment("W1", NULL, "S5", "W-1", 400000, "2024-01-01");
	payment("W2", NULL, "S5", "W-2", 400000, "2024-01-11"); /* ten days: no */
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	const pb_finding *f = finding(a, "payments.duplicate", "Q2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_int_equal(f->nevidence, 3);
	assert_string_equal(role(f, "payments", "Q1"), "duplicate of");
	assert_string_equal(role(f, "payments", "Q2"), "payment");
	assert_string_equal(role(f, "payments", "Q3"), "payment");
	assert_null(finding(a, "payments.duplicate", "Q3", 0));
	assert_string_equal(detail(f, "payments"), "3");
	assert_string_equal(detail(f, "total"), "3000.00 EUR");
	assert_string_equal(f->message,
			    "3 payments to S2 of 1000.00 EUR each pay invoice X-1, first paid by Q1 (2024-01-01 to 2024-03-01; 3000.00 EUR in all)");
	f = finding(a, "payments.duplicate", "R2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_LOW);
	assert_contains(f->message, "the same 2000.00 EUR as R1 on the same day");
	assert_contains(f->message, "no invoice number tells them apart");
	assert_null(finding(a, "payments.duplicate", "R1", 0));
	pb_audit_free(a);
}

/* One payee paid the same amount 60000 times: sorting, not pairs, and
 * 30000 payments two days apart are one pattern, one finding. */
static void test_duplicates_large_group(void **state)
{
	enum { N = 30000 };
	char id[32], inv[32];
	pb_date base = D("2000-01-01");
	(void)state;
	/* Every payment has an invoice number of its own: not a price here. */
	set_param("payments.duplicate", "price_repeats", "100000");
	for (int i = 0; i < 2 * N; i++) {
		int near = i >= N; /* the second half is 2 days apart */
		snprintf(id, sizeof(id), "P%d", i);
		snprintf(inv, sizeof(inv), "INV-%d", i);
		pb_payment p = blank_payment(id, "MOD", near ? "NEAR" : "FAR", 1000, "EUR", NULL);
		p.invoice_id = pb_text_of(S(inv));
		p.paid_on = base + (pb_date)(near ? 2 * (i - N) : 4 * i);
		add(PB_T_PAYMENTS, &p);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 1);
	const pb_finding *f = finding(a, "payments.duplicate", "P30001", 0);
	assert_non_null(f);
	assert_int_equal(f->nevidence, N);
	assert_int_equal(f->severity, PB_SEV_MEDIUM);
	assert_string_equal(detail(f, "payments"), "30000");
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

/* --- Benford samples from a fixed-seed generator --- */

static uint64_t rng_state;

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* A true Benford amount: log-uniform over five whole decades,
 * 10.00 to 1 000 000.00 (whole decades make the mantissa exactly
 * Benford). */
static int64_t benford_amount(void)
{
	return (int64_t)llround(pow(10.0, 1.0 + 5.0 * uniform()) * 100.0);
}

static void payer_payments(const char *payer, size_t n, int64_t (*amount)(void))
{
	char id[48];

	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s-%zu", payer, i);
		pb_payment p = blank_payment(id, payer, "S", amount(), "EUR", "2024-01-01");
		add(PB_T_PAYMENTS, &p);
	}
}

/* Digits spread evenly: a decade at random, a value uniform within it. */
static int64_t uniform_digits_amount(void)
{
	double decade = floor(4.0 * uniform());
	return (int64_t)llround((1.0 + 9.0 * uniform()) * pow(10.0, 1.0 + decade) * 100.0);
}

/* Invented amounts: always 45.. to 47.., across four decades. */
static int64_t clustered_amount(void)
{
	double decade = floor(4.0 * uniform());
	return (int64_t)llround((4.5 + 0.29 * uniform()) * pow(10.0, 1.0 + decade) * 100.0);
}

/* A payer paying amounts spread evenly on a log scale follows Benford; one
 * that always pays 45xx-47xx does not; 299 payments are too few. */
static void test_benford(void **state)
{
	char id[16];
	(void)state;
	for (int i = 0; i < 400; i++) {
		double v = pow(10.0, 1.0 + 5.0 * (i + 0.5) / 400.0);
		snprintf(id, sizeof(id), "G%d", i);
		payment(id, NULL, "S", NULL, (int64_t)(v * 100), "2024-01-01");
	}
	rng_state = 7;
	payer_payments("SKEW", 400, clustered_amount);
	PAYER = "FEW";
	for (int i = 0; i < 299; i++) {
		snprintf(id, sizeof(id), "F%d", i);
		payment(id, NULL, "T", NULL, 450000, "2024-01-01");
	}
	PAYER = "MOD";
	assert_string_equal(fired("payments.benford"), "SKEW");
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, PB_DATE_NONE);
	const pb_finding *f = finding(a, "payments.benford", "SKEW", 0);
	assert_non_null(f);
	assert_non_null(detail(f, "observed_10_99"));
	assert_non_null(detail(f, "expected_10_99"));
	assert_string_equal(detail(f, "conformity"), "nonconformity");
	assert_non_null(detail(f, "expected_mad"));
	assert_contains(f->message, "expected of a Benford sample of that size");
	assert_contains(coverage(a, "payments.benford")->reason,
			"1 payers with fewer than 300 payments of at least 10 units not judged");
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

/* True Benford samples of 300, 1 000 and 10 000 amounts never fire, for
 * many seeds: the judgement allows for the MAD a sample of that size
 * shows by chance (about 0.0046 at n = 300, above Nigrini's 0.0022). */
static void test_benford_honest_samples(void **state)
{
	static const struct {
		size_t n, seeds;
	} sizes[] = {{300, 40}, {1000, 15}, {10000, 3}};
	char payer[32];
	(void)state;
	for (size_t i = 0; i < 3; i++)
		for (size_t seed = 1; seed <= sizes[i].seeds; seed++) {
			rng_state = 0x9E3779B97F4A7C15ull * (seed + 100 * i);
			snprintf(payer, sizeof(payer), "H%zu-%zu", sizes[i].n, seed);
			payer_payments(payer, sizes[i].n, benford_amount);
		}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.benford"), 0);
	const char *reason = coverage(a, "payments.benford")->reason;
	if (reason && strstr(reason, "not judged"))
		fail_msg("an honest sample was not judged: %s", reason);
	pb_audit_free(a);
}

/* Amounts with evenly spread first digits, and amounts clustered on a few
 * values, fire at every size. */
static void test_benford_non_benford_samples(void **state)
{
	(void)state;
	rng_state = 11;
	payer_payments("UNIFORM300", 300, uniform_digits_amount);
	payer_payments("UNIFORM5000", 5000, uniform_digits_amount);
	payer_payments("CLUSTER300", 300, clustered_amount);
	payer_payments("HONEST", 1000, benford_amount);
	assert_string_equal(fired("payments.benford"), "CLUSTER300 UNIFORM300 UNIFORM5000");
}

static int64_t at_least_500(void)
{
	int64_t v;

	while ((v = benford_amount()) < 50000)
		;
	return v;
}

static int64_t narrow_amount(void)
{
	return (int64_t)llround(pow(10.0, 2.0 + 1.5 * uniform()) * 100.0);
}

/* "Payments over 500": Benford cut at a round floor is not judged, nor are
 * amounts that span too few orders of magnitude; coverage says why. */
static void test_benford_preconditions(void **state)
{
	(void)state;
	rng_state = 5;
	payer_payments("FLOOR", 1500, at_least_500);
	payer_payments("NARROW", 1500, narrow_amount);
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.benford"), 0);
	const char *reason = coverage(a, "payments.benford")->reason;
	assert_contains(reason, "FLOOR not judged: its amounts start at a reporting floor of 500.00 EUR");
	assert_contains(reason, "NARROW not judged: its amounts span 1.");
	assert_contains(reason, "orders of magnitude between the 1st and 99th percentile");
	pb_audit_free(a);
}

/* Two payer records of one organisation (one registry id) are one payer:
 * 200 invented amounts each are judged together, once. */
static void test_benford_payer_entity(void **state)
{
	(void)state;
	party("MOD-A", "REG-1");
	party("MOD-B", "REG-1");
	rng_state = 3;
	payer_payments("MOD-A", 200, clustered_amount);
	payer_payments("MOD-B", 200, clustered_amount);
	assert_string_equal(fired("payments.benford"), "MOD-A");
}

/* A supplier billing one payer month after month with consecutive
 * numbers fires; one that bills someone else, one with gaps, a batch of
 * consecutive invoices paid together (or all but one of them), and
 * references whose last numbers run on but in different series (a
 * payer's transaction numbers and their lines, "1040187 - 0",
 * "1040190 - 1") do not. */
static void test_sequential_invoices(void **state)
{
	char id[16], inv[32], date[16];
	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(date, sizeof(date), "2024-%02d-15", 1 + i);
		snprintf(id, sizeof(id), "A%d", i);
		snprintf(inv, sizeof(inv), "INV-%04d", 17 + i);
		payment(id, NULL, "SHELL", inv, 100, date);
		/* Same run, but this supplier also bills NAVY. */
		snprintf(id, sizeof(id), "B%d", i);
		snprintf(inv, sizeof(inv), "B-%d", 500 + i);
		PAYER = i == 4 ? "NAVY" : "MOD";
		payment(id, NULL, "REAL", inv, 100, date);
		PAYER = "MOD";
		/* Gaps: 1, 3, 5, 7, 9. */
		snprintf(id, sizeof(id), "C%d", i);
		snprintf(inv, sizeof(inv), "C-%d", 1 + 2 * i);
		payment(id, NULL, "GAPS", inv, 100, date);
		/* Five tickets invoiced at once, paid within a week. */
		snprintf(id, sizeof(id), "D%d", i);
		snprintf(inv, sizeof(inv), "20147%03d", 579 + i);
		snprintf(date, sizeof(date), "2024-03-%02d", 1 + i);
		payment(id, NULL, "AGENCY", inv, 100, date);
		/* The same, but one of them paid three months later. */
		snprintf(id, sizeof(id), "F%d", i);
		snprintf(inv, sizeof(inv), "20147%03d", 209 + i);
		payment(id, NULL, "HOTELS", inv, 100, i == 4 ? "2024-08-01" : "2024-04-29");
		snprintf(id, sizeof(id), "E%d", i);
		snprintf(inv, sizeof(inv), "%d - %d", 1040187 + 7 * i, i);
		snprintf(date, sizeof(date), "2024-%02d-15", 1 + i);
		payment(id, NULL, "COUNCIL", inv, 100, date);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.sequential-invoices"), 1);
	const pb_finding *f = finding(a, "payments.sequential-invoices", "SHELL", 0);
	assert_non_null(f);
	assert_string_equal(f->message,
			    "SHELL billed only MOD, with 5 consecutively numbered invoices (17 to 21) paid over 121 days: it appears to invoice no one else");
	assert_int_equal(f->nevidence, 5);
	assert_contains(coverage(a, "payments.sequential-invoices")->reason,
			"2 payees whose consecutive invoices were all paid within 60 days, or half of them on one day, taken as one batch");
	pb_audit_free(a);
}

/* A payment described. */
static void described(const char *id, const char *payee, const char *invoice, int64_t cents,
		      const char *paid, const char *description)
{
	pb_payment p = blank_payment(id, "MOD", payee, cents, "EUR", paid);

	p.invoice_id = pb_text_of(S(invoice));
	p.description = pb_text_of(S(description));
	add(PB_T_PAYMENTS, &p);
}

/* Repeats whose descriptions name different numbers are different bills
 * (two months' service, two quarters' advances under one schedule
 * number); the same numbers in another order, or a description without
 * any, tell nothing apart. */
static void test_duplicate_named_apart(void **state)
{
	(void)state;
	described("A1", "PRE", "91740464", 1804000, "2024-01-04", "Advance for the 1st quarter of 2024, floor 5");
	described("A2", "PRE", "91740464", 1804000, "2024-04-17", "Advance 2.Q/2024, floor 5");
	described("M1", "PROXY", "X-1", 2226400, "2024-01-18", "Services for 11/2023, contract 332/015");
	described("M2", "PROXY", "X-2", 2226400, "2024-01-20", "Services for 12/2023, contract 332/015");
	described("B1", "ACME", "INV-123", 500000, "2024-02-01", "invoice 123 of 2024");
	described("B2", "ACME", "INV-123", 500000, "2024-03-01", "2024: inv. 0123");
	described("C1", "BETA", "INV-9", 250000, "2024-02-01", "cleaning 02/2024");
	described("C2", "BETA", "INV-9", 250000, "2024-03-01", "cleaning");
	/* numbers of the payment's own id tell nothing apart */
	described("V-4711", "GAMMA", "INV-5", 330000, "2024-02-01", "voucher 4711, invoice 5");
	described("V-4712", "GAMMA", "INV-5", 330000, "2024-03-01", "voucher 4712, invoice 5");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 3);
	assert_non_null(finding(a, "payments.duplicate", "B2", 0));
	assert_non_null(finding(a, "payments.duplicate", "C2", 0));
	assert_non_null(finding(a, "payments.duplicate", "V-4712", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"2 groups of repeats whose descriptions name different numbers");
	pb_audit_free(a);
}

/* Rounding lines and credit notes are not money one could pay twice:
 * repeats of -0.02 or 0.03 EUR are not grouped, and coverage counts
 * them; a rounding line does not make its invoice's number look paid in
 * two amounts, so the invoice paid again is still found; one whole unit
 * repeated is grouped. */
static void test_duplicate_not_money(void **state)
{
	(void)state;
	payment("R1", NULL, "S", "INV-1", -2, "2024-01-01");
	payment("R2", NULL, "S", "INV-2", -2, "2024-01-02");
	payment("Q1", NULL, "S", "INV-3", 3, "2024-01-05");
	payment("Q2", NULL, "S", "INV-4", 3, "2024-01-06");
	payment("L1", NULL, "T", "INV-7", 120000, "2024-02-01"); /* an invoice's line */
	payment("L2", NULL, "T", "INV-7", -2, "2024-02-01");     /* its rounding line */
	payment("L3", NULL, "T", "INV-7", 120000, "2024-04-01"); /* paid again */
	payment("U1", NULL, "U", "INV-8", 100, "2024-03-01");
	payment("U2", NULL, "U", "INV-9", 100, "2024-03-02");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	assert_int_equal(finding(a, "payments.duplicate", "L3", 0)->severity, PB_SEV_HIGH);
	assert_non_null(finding(a, "payments.duplicate", "U2", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"5 payments of less than one unit of their currency");
	pb_audit_free(a);
}

/* An amount billed price_repeats (5) times or more, each under an
 * invoice number of its own, is the payee's price (a journal's fee per
 * notice): two of them days apart are two bills, and coverage counts the
 * group.  Four are still compared by date; five where one invoice number
 * comes back are no price, and the repeat is found. */
static void test_duplicate_price(void **state)
{
	(void)state;
	payment("F1", NULL, "NESS", "12125680", 25200, "2024-01-18");
	payment("F2", NULL, "NESS", "12125918", 25200, "2024-02-04");
	payment("F3", NULL, "NESS", "12120631", 25200, "2024-02-05");
	payment("F4", NULL, "NESS", "12120632", 25200, "2024-02-06");
	payment("F5", NULL, "NESS", "12125150", 25200, "2024-03-01");
	payment("P1", NULL, "ALFA", "320759", 396800, "2024-01-10");
	payment("P2", NULL, "ALFA", "320760", 396800, "2024-01-12");
	payment("P3", NULL, "ALFA", "321502", 396800, "2024-03-01");
	payment("P4", NULL, "ALFA", "321523", 396800, "2024-05-02");
	payment("G1", NULL, "GAMA", "A-1", 150000, "2024-01-01");
	payment("G2", NULL, "GAMA", "A-2", 150000, "2024-01-02");
	payment("G3", NULL, "GAMA", "A-3", 150000, "2024-02-10");
	payment("G4", NULL, "GAMA", "A-4", 150000, "2024-03-01");
	payment("G5", NULL, "GAMA", "A-1", 150000, "2024-03-20");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	assert_int_equal(finding(a, "payments.duplicate", "P2", 0)->severity, PB_SEV_MEDIUM);
	/* G1, G2 two days apart and G5 repeating G1's invoice: one pattern */
	const pb_finding *f = finding(a, "payments.duplicate", "G2", 0);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_non_null(role(f, "payments", "G5"));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"1 groups of an amount billed 5 or more times, each under an invoice number of its own");
	pb_audit_free(a);
	set_param("payments.duplicate", "price_repeats", "6");
	/* Five are no price when it takes six, and are compared as usual:
	 * F3 and F4, the next number a day later, are one pattern; F2 and F3,
	 * numbers far apart a day apart, are two bills. */
	assert_string_equal(fired("payments.duplicate"), "F4 G2! P2");
}

/* Without invoice numbers, an amount paid on price_repeats (5) days or
 * more, and more than once on two of them, is the payee's price (a
 * security firm's fee per event shift): nothing tells a second shift from
 * a second payment, so those days are not judged, and coverage says so.
 * A single doubled day among single ones (a rent paid twice) is still
 * found, and so are doubled days of an amount paid on four days only, or
 * of a monthly fee. */
static void test_duplicate_unbilled_price(void **state)
{
	(void)state;
	const char *shifts[] = {"2024-01-02", "2024-01-09", "2024-01-09", "2024-01-23",
				"2024-02-06", "2024-02-06", "2024-02-06", "2024-02-27"};
	const char *rent[] = {"2024-01-03", "2024-01-17", "2024-01-17", "2024-02-07",
			      "2024-02-21", "2024-03-13"};
	const char *skips[] = {"2024-01-04", "2024-01-04", "2024-01-15", "2024-01-25",
			       "2024-01-25", "2024-02-19"};
	const char *monthly[] = {"2024-01-05", "2024-02-05", "2024-02-05", "2024-03-05",
				 "2024-04-05", "2024-04-05", "2024-05-06", "2024-06-05"};
	char id[8];
	for (int i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "M%d", i + 1);
		payment(id, NULL, "LESSOR", NULL, 90000, monthly[i]);
		snprintf(id, sizeof(id), "S%d", i + 1);
		payment(id, NULL, "SHOWSEC", NULL, 56600, shifts[i]);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "R%d", i + 1);
		payment(id, NULL, "LANDLORD", NULL, 150000, rent[i]);
		snprintf(id, sizeof(id), "K%d", i + 1);
		payment(id, NULL, "SKIPS", NULL, 46000, skips[i]);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 5);
	assert_non_null(finding(a, "payments.duplicate", "R3", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"1 groups of an amount paid without invoice numbers on 5 or more days, "
			"more than once on two of them or more and on no schedule, taken as the payee's price");
	pb_audit_free(a);
	assert_string_equal(fired("payments.duplicate"), "K2 K5 M3 M6 R3");
	set_param("payments.duplicate", "price_repeats", "4");
	assert_string_equal(fired("payments.duplicate"), "M3 M6 R3");
}

/* A payment with its invoice's issue date (the extra invoice_date). */
static void pay_issued(const char *id, const char *payee, const char *invoice, int64_t cents,
		       const char *paid, const char *issued)
{
	pb_payment p = blank_payment(id, NULL, payee, cents, "EUR", paid);

	p.invoice_id = pb_text_of(S(invoice));
	pb_row_add_extra(L, &p.row, S("invoice_date"), S(issued));
	add(PB_T_PAYMENTS, &p);
}

/* Issue dates: neighbouring numbers issued on different days are two
 * documents (set aside, counted); keyed twice, one bill has one issue
 * date (found).  The same number issued on two days is still found, as
 * a bill submitted again, at medium with its issue dates; without issue
 * dates, high as before. */
static void test_duplicate_issue_dates(void **state)
{
	(void)state;
	pay_issued("A1", "PAPER", "FV343", 2700700, "2024-05-02", "2024-04-22");
	pay_issued("A2", "PAPER", "FV346", 2700700, "2024-05-05", "2024-04-24"); /* two deliveries */
	pay_issued("B1", "INK", "FV343", 2700700, "2024-05-02", "2024-04-22");
	pay_issued("B2", "INK", "FV346", 2700700, "2024-05-05", "2024-04-22");   /* one keyed twice */
	pay_issued("C1", "AUTHOR", "15", 350000, "2024-04-01", "2024-03-04");
	pay_issued("C2", "AUTHOR", "15", 350000, "2024-04-23", "2024-04-15");    /* billed again */
	pay_issued("D1", "HOTEL", "15", 350000, "2024-04-01", "2024-03-04");
	pay_issued("D2", "HOTEL", "15", 350000, "2024-04-23", "2024-03-04");     /* paid twice */
	pay_issued("E1", "CAFE", NULL, 90000, "2024-04-02", "2024-03-30");
	pay_issued("E2", "CAFE", NULL, 90000, "2024-04-02", "2024-04-01");      /* two bills */
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 3);
	const pb_finding *b = finding(a, "payments.duplicate", "B2", 0);
	assert_non_null(b);
	assert_int_equal(b->severity, PB_SEV_MEDIUM);
	const pb_finding *c = finding(a, "payments.duplicate", "C2", 0);
	assert_non_null(c);
	assert_int_equal(c->severity, PB_SEV_MEDIUM);
	assert_string_equal(detail(c, "issued_on"), "2024-03-04, 2024-04-15");
	assert_contains(c->message, "repeats invoice 15 to AUTHOR for 3500.00 EUR, already paid by C1 "
			"(2024-04-01, 2024-04-23); the invoices were issued on different days (2024-03-04, "
			"2024-04-15): a bill submitted again under its number, or a standing reference");
	const pb_finding *d = finding(a, "payments.duplicate", "D2", 0);
	assert_non_null(d);
	assert_int_equal(d->severity, PB_SEV_HIGH);
	assert_null(detail(d, "issued_on"));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"2 payments of an amount paid to the payee before under an invoice number one keystroke "
			"or one step from the earlier's, or with none, set aside: the two invoices were issued "
			"on different days");
	pb_audit_free(a);
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

/* A second record of one company (same registry id) does not hide a
 * repeated invoice, whichever record and payment come first in the file. */
static void twins(int reversed)
{
	party(reversed ? "SUP-B" : "SUP-A", "CZ-123");
	party(reversed ? "SUP-A" : "SUP-B", "CZ-123");
	party("SUP-C", "CZ-999");
	for (int k = 0; k < 2; k++) {
		if ((k == 0) != reversed)
			pay("P1", "MOD", "SUP-A", NULL, "INV-7", 50000, "2024-02-01");
		else
			pay("P2", "MOD", "SUP-B", NULL, "INV-7", 50000, "2024-03-01");
	}
	pay("P3", "MOD", "SUP-C", NULL, "INV-7", 50000, "2024-03-01"); /* another company */
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 1);
	const pb_finding *f = finding(a, "payments.duplicate", "P2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_HIGH);
	assert_int_equal(f->nevidence, 2);
	assert_string_equal(role(f, "payments", "P1"), "duplicate of");
	assert_null(role(f, "payments", "P3"));
	assert_string_equal(detail(f, "payee_entity"), "SUP-A (also recorded as SUP-B)");
	pb_audit_free(a);
}

static void test_duplicate_registry_twins(void **state)
{
	(void)state;
	twins(1);
}

static void test_duplicate_registry_twins_other_order(void **state)
{
	(void)state;
	twins(0);
}

/* The same payments in any file order give the same findings. */
static void test_duplicate_row_order(void **state)
{
	static const char *ids[] = {"A", "B", "C", "D"};
	static const char *dates[] = {"2024-01-01", "2024-01-02", "2024-01-02", "2024-02-10"};
	char got[2][256];
	(void)state;
	for (int order = 0; order < 2; order++) {
		if (order) {
			teardown(NULL);
			setup(NULL);
		}
		for (int k = 0; k < 4; k++) {
			int i = order ? 3 - k : k;
			pay(ids[i], "MOD", "S", NULL, NULL, 70000, dates[i]);
		}
		snprintf(got[order], sizeof(got[order]), "%s", fired("payments.duplicate"));
	}
	assert_string_equal(got[0], got[1]);
	assert_string_equal(got[0], "B");
}

/* Redaction and null markers name no one: never one payee.  Nor does a
 * catch-all vendor record, by its id or by its name (a council's vendor
 * 20000000, "GENERAL EXPENSES"); a redacted name with its own id is one
 * payee still. */
static void test_duplicate_marker_payees(void **state)
{
	/* "Neznámo" (Czech: unknown) is the engine's placeholder, as in
	 * every other rule. */
	static const char *markers[] = {"REDACTED PERSONAL DATA", "REDACTED", "N/A", "-",
					"----------", "  ", "Redacted - personal data", "NULL",
					"Neznámo"};
	char id[16];
	(void)state;
	for (size_t i = 0; i < sizeof(markers) / sizeof(*markers); i++)
		for (int k = 0; k < 2; k++) {
			snprintf(id, sizeof(id), "M%zu-%d", i, k);
			pay(id, "MOD", markers[i], NULL, NULL, 50000, "2024-01-01");
		}
	pay("REAL-1", "MOD", "ACME", NULL, NULL, 50000, "2024-01-01");
	pay("REAL-2", "MOD", "ACME", NULL, NULL, 50000, "2024-01-01");
	party_record("20000000", "GENERAL EXPENSES", NULL, NULL);
	pay("CA-1", "MOD", "20000000", NULL, NULL, 50000, "2024-01-01");
	pay("CA-2", "MOD", "20000000", NULL, NULL, 50000, "2024-01-01");
	pay("CA-3", "MOD", "Sundry Creditors", NULL, NULL, 50000, "2024-01-01");
	pay("CA-4", "MOD", "Sundry Creditors", NULL, NULL, 50000, "2024-01-01");
	party_record("20010650", "REDACTED PERSONAL DATA", NULL, NULL);
	pay("LL-1", "MOD", "20010650", NULL, NULL, 50000, "2024-01-01");
	pay("LL-2", "MOD", "20010650", NULL, NULL, 50000, "2024-01-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	assert_non_null(finding(a, "payments.duplicate", "REAL-2", 0));
	assert_non_null(finding(a, "payments.duplicate", "LL-2", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"22 payments without a payee (empty, a redaction or null marker, or a catch-all "
			"vendor record) not grouped");
	pb_audit_free(a);
}

/* Instalments of one contract that add up to its value (within a unit per
 * payment), or equal parts of it not yet all paid, are a schedule; one
 * payment more is not. */
static void test_duplicate_contract_instalments(void **state)
{
	pb_contract c;
	(void)state;
	const char *ids[] = {"C1", "C2", "C3", "C4", "C5"};
	const int64_t value[] = {30000, 30000, 29900, 120000, 125000};
	for (int i = 0; i < 5; i++) {
		pb_record_blank(PB_T_CONTRACTS, &c);
		src(&c.row);
		c.contract_id = pb_text_of(S(ids[i]));
		c.buyer_id = pb_text_of(S("MOD"));
		c.supplier_id = pb_text_of(S("S"));
		c.value = value[i];
		c.currency = pb_text_of(S("EUR"));
		add(PB_T_CONTRACTS, &c);
	}
	/* C1: three of 100.00 citing the contract as their reference. */
	pay("A1", "MOD", "S", "C1", "C1", 10000, "2024-01-01");
	pay("A2", "MOD", "S", "C1", "C1", 10000, "2024-01-02");
	pay("A3", "MOD", "S", "C1", "C1", 10000, "2024-03-15");
	/* C2: four of 100.00 against 300.00: one too many. */
	pay("B1", "MOD", "T", "C2", "C2", 10000, "2024-01-01");
	pay("B2", "MOD", "T", "C2", "C2", 10000, "2024-01-02");
	pay("B3", "MOD", "T", "C2", "C2", 10000, "2024-03-15");
	pay("B4", "MOD", "T", "C2", "C2", 10000, "2024-03-16");
	/* C3: 299.00 in three of 99.67 (299.01): rounding. */
	pay("R1", "MOD", "U", "C3", NULL, 9967, "2024-01-01");
	pay("R2", "MOD", "U", "C3", NULL, 9967, "2024-01-01");
	pay("R3", "MOD", "U", "C3", NULL, 9967, "2024-01-03");
	/* C4: a schedule still running, 2 of twelve parts of 1200.00 paid
	 * together; C5: 100.00 is no twelfth of 1250.00. */
	pay("M1", "MOD", "V", "C4", NULL, 10000, "2024-04-05");
	pay("M2", "MOD", "V", "C4", NULL, 10000, "2024-04-05");
	pay("N1", "MOD", "W", "C5", NULL, 10000, "2024-04-05");
	pay("N2", "MOD", "W", "C5", NULL, 10000, "2024-04-05");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	const pb_finding *f = finding(a, "payments.duplicate", "B2", 0);
	assert_non_null(f);
	assert_int_equal(f->nevidence, 4);
	assert_non_null(finding(a, "payments.duplicate", "N2", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"3 groups of equal payments that add up to their contract's value, or divide it into equal parts, taken as instalments");
	pb_audit_free(a);
}

/* Lines of one transaction: a payment reference with line suffixes, or one
 * invoice on consecutive rows of one file. */
static void test_duplicate_line_items(void **state)
{
	(void)state;
	pay("46294528 - 1", "OCC", "S", NULL, NULL, 4200, "2024-01-01");
	pay("46294528 - 2", "OCC", "S", NULL, NULL, 4200, "2024-01-01");
	pay("TX-77/1", "OCC", "T", NULL, "INV-1", 4200, "2024-01-01");
	pay("TX-77/2", "OCC", "T", NULL, "INV-1", 4200, "2024-01-01");
	/* Consecutive rows of one invoice, a line of another amount between. */
	pay("L1", "OCC", "U", NULL, "INV-9", 3000, "2024-01-05");
	pay("L2", "OCC", "U", NULL, "INV-9", 1234, "2024-01-05");
	pay("L3", "OCC", "U", NULL, "INV-9", 3000, "2024-01-05");
	/* Near misses: two transactions; the same invoice with another
	 * invoice's row between; a suffix on a reference without a number. */
	pay("46294600 - 1", "OCC", "V", NULL, NULL, 4200, "2024-01-01");
	pay("46294601 - 1", "OCC", "V", NULL, NULL, 4200, "2024-01-01");
	pay("M1", "OCC", "W", NULL, "INV-5", 3000, "2024-01-05");
	pay("M2", "OCC", "X", NULL, "INV-6", 10, "2024-01-05");
	pay("M3", "OCC", "W", NULL, "INV-5", 3000, "2024-01-05");
	pay("PAY-1", "OCC", "Y", NULL, NULL, 4200, "2024-01-01");
	pay("PAY-2", "OCC", "Y", NULL, NULL, 4200, "2024-01-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 3);
	assert_int_equal(finding(a, "payments.duplicate", "46294601 - 1", 0)->severity, PB_SEV_LOW);
	assert_int_equal(finding(a, "payments.duplicate", "M3", 0)->severity, PB_SEV_HIGH);
	assert_non_null(finding(a, "payments.duplicate", "PAY-2", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"3 payments equal to another line of their transaction not counted as repeats");
	pb_audit_free(a);
}

/* A fixed amount recurring monthly, weekly or yearly under one reference
 * is a schedule (rent, placements); a payment beside it is not. */
static void test_duplicate_recurring(void **state)
{
	char id[16], date[16];
	(void)state;
	for (int m = 1; m <= 6; m++) {
		snprintf(id, sizeof(id), "RENT%d", m);
		snprintf(date, sizeof(date), "2024-%02d-%02d", m, m == 3 ? 4 : 1);
		pay(id, "MOD", "LANDLORD", NULL, "LEASE-9", 150000, date);
		snprintf(id, sizeof(id), "RENTX%d", m);
		pay(id, "MOD", "LANDLORD2", NULL, "LEASE-10", 150000, date);
	}
	pay("EXTRA", "MOD", "LANDLORD2", NULL, "LEASE-10", 150000, "2024-03-20");
	for (int w = 0; w < 4; w++) {
		snprintf(id, sizeof(id), "WEEK%d", w);
		snprintf(date, sizeof(date), "2024-07-%02d", 1 + 7 * w);
		pay(id, "MOD", "PLACEMENT", NULL, "HOUSING-42", 43000, date);
	}
	pay("FEE1", "MOD", "SOCIETY", NULL, "MEMBER-7", 50000, "2023-01-15");
	pay("FEE2", "MOD", "SOCIETY", NULL, "MEMBER-7", 50000, "2024-01-17");
	pay("TWICE1", "MOD", "CLUB", NULL, "MEMBER-8", 50000, "2024-01-15");
	pay("TWICE2", "MOD", "CLUB", NULL, "MEMBER-8", 50000, "2024-03-15");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 2);
	const pb_finding *f = finding(a, "payments.duplicate", "RENTX2", 0);
	assert_non_null(f);
	assert_int_equal(f->nevidence, 7);
	assert_non_null(finding(a, "payments.duplicate", "TWICE2", 0));
	assert_contains(coverage(a, "payments.duplicate")->reason,
			"3 groups of a fixed amount recurring at a regular interval taken as a schedule");
	pb_audit_free(a);
}

/* Same-day repeats without invoice numbers: low, and only when they are
 * all the payee received that day. */
static void test_duplicate_same_day_run(void **state)
{
	(void)state;
	pay("B1", "MOD", "BATCH", NULL, NULL, 5000, "2024-01-01");
	pay("B2", "MOD", "BATCH", NULL, NULL, 5000, "2024-01-01");
	pay("B3", "MOD", "BATCH", NULL, NULL, 7300, "2024-01-01");
	pay("B4", "MOD", "BATCH", NULL, NULL, 910, "2024-01-01");
	pay("A1", "MOD", "ALONE", NULL, NULL, 5000, "2024-01-01");
	pay("A2", "MOD", "ALONE", NULL, NULL, 5000, "2024-01-01");
	pay("A3", "MOD", "ALONE", NULL, NULL, 7300, "2024-01-02");
	/* Two invoice numbers on one day are two bills. */
	pay("I1", "MOD", "INVOICED", NULL, "F-100", 5000, "2024-01-01");
	pay("I2", "MOD", "INVOICED", NULL, "F-101", 5000, "2024-01-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 1);
	assert_int_equal(finding(a, "payments.duplicate", "A2", 0)->severity, PB_SEV_LOW);
	pb_audit_free(a);
}

/* Three same-day repeats, all the payee got that day: one low finding. */
static void test_duplicate_same_day_group(void **state)
{
	(void)state;
	pay("C1", "MOD", "CLEAR", NULL, NULL, 2571353, "2024-01-01");
	pay("C2", "MOD", "CLEAR", NULL, NULL, 2571353, "2024-01-01");
	pay("C3", "MOD", "CLEAR", NULL, NULL, 2571353, "2024-01-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 1);
	const pb_finding *f = finding(a, "payments.duplicate", "C2", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PB_SEV_LOW);
	assert_string_equal(f->message,
			    "3 payments to CLEAR of the same 25713.53 EUR on one day, first C1 (2024-01-01; 77140.59 EUR in all); no invoice number tells them apart");
	pb_audit_free(a);
}

/* An invoice id that is the payer's reference for many payees, or one
 * paid in several amounts, names no one bill. */
static void test_duplicate_references(void **state)
{
	(void)state;
	pay("G1", "MOD", "REGION-1", NULL, "4111098074", 1500000, "2024-01-02");
	pay("G2", "MOD", "REGION-1", NULL, "4111098074", 1500000, "2024-04-08");
	pay("G3", "MOD", "REGION-2", NULL, "4111098074", 2500000, "2024-01-02");
	pay("G4", "MOD", "REGION-3", NULL, "4111098074", 5000000, "2024-01-02");
	/* Only two payees: an invoice number both happen to use. */
	pay("H1", "MOD", "SHOP-1", NULL, "20130001", 350000, "2024-03-27");
	pay("H2", "MOD", "SHOP-1", NULL, "20130001", 350000, "2024-04-08");
	pay("H3", "MOD", "SHOP-2", NULL, "20130001", 10000, "2024-03-27");
	/* One invoice paid in parts: 400 + 300 + 300. */
	pay("K1", "MOD", "BUILDER", NULL, "INV-9", 40000, "2024-01-10");
	pay("K2", "MOD", "BUILDER", NULL, "INV-9", 30000, "2024-02-10");
	pay("K3", "MOD", "BUILDER", NULL, "INV-9", 30000, "2024-03-10");
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.duplicate"), 1);
	assert_int_equal(finding(a, "payments.duplicate", "H2", 0)->severity, PB_SEV_HIGH);
	const char *reason = coverage(a, "payments.duplicate")->reason;
	assert_contains(reason, "1 invoice ids of 7 or more characters cited for three or more payees");
	assert_contains(reason, "1 invoice ids paid to one payee in several amounts");
	pb_audit_free(a);
}

/* One number on invoices paid months apart is two invoices.  A lawyer
 * numbering from 1 again each year is judged within a year (and said
 * to be); a caretaker numbering one series per building, side by side,
 * is not judged; a consultant whose "1 to 5" spans three years' numbers
 * has no run of 5 in any year.  Found on the Czech finance ministry's
 * paid invoices (renumber_days). */
static void test_sequential_renumbered(void **state)
{
	char id[16], inv[16], date[16];
	(void)state;
	for (int i = 0; i < 6; i++) {
		for (int y = 0; y < 2; y++) {
			snprintf(id, sizeof(id), "L%d-%d", y, i);
			snprintf(inv, sizeof(inv), "%d", 1 + i);
			snprintf(date, sizeof(date), "%d-%02d-20", 2023 + y, 2 + i);
			payment(id, NULL, "LAWYER", inv, 3000000, date);
		}
		snprintf(date, sizeof(date), "2023-%02d-08", 1 + i);
		snprintf(id, sizeof(id), "K%d", i);
		snprintf(inv, sizeof(inv), "%d", 31 + i);
		payment(id, NULL, "CARETAKER", inv, 423500, date);
		snprintf(id, sizeof(id), "P%d", i);
		snprintf(inv, sizeof(inv), "%d", 33 + i);
		payment(id, NULL, "CARETAKER", inv, 423500, date);
	}
	static const char *const consultant[][2] = {
		{"1", "2023-02-21"}, {"1", "2023-11-20"}, {"2", "2024-01-24"},
		{"3", "2024-12-10"}, {"4", "2024-12-10"}, {"5", "2024-12-10"}};
	for (size_t i = 0; i < sizeof(consultant) / sizeof(consultant[0]); i++) {
		snprintf(id, sizeof(id), "C%zu", i);
		payment(id, NULL, "CONSULTANT", consultant[i][0], 8000000, consultant[i][1]);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.sequential-invoices"), 1);
	const pb_finding *f = finding(a, "payments.sequential-invoices", "LAWYER", 0);
	assert_non_null(f);
	assert_string_equal(f->message,
			    "LAWYER billed only MOD, with 6 consecutively numbered invoices (1 to 6) paid over 150 days of 2023 (its numbers start again each year): it appears to invoice no one else");
	assert_int_equal(f->nevidence, 6);
	for (size_t i = 0; i < f->nevidence; i++)
		assert_true(strncmp(f->evidence[i].id, "L0-", 3) == 0);
	const char *reason = coverage(a, "payments.sequential-invoices")->reason;
	assert_contains(reason, "1 payees that give one number to invoices paid 31 or more days apart in the same year");
	assert_null(strstr(reason, "one batch"));
	pb_audit_free(a);
}

/* A run paid alongside as many of the payee's numbers from other ranges
 * (a law firm numbering per matter) says nothing of its other clients:
 * not judged.  The same run with those invoices paid before it and
 * after it fires. */
static void test_sequential_ranges(void **state)
{
	char id[16], inv[16], date[16];
	(void)state;
	for (int i = 0; i < 6; i++) {
		snprintf(date, sizeof(date), "2013-%02d-27", 6 + i);
		snprintf(inv, sizeof(inv), "%d", 13011603 + i);
		snprintf(id, sizeof(id), "K%d", i);
		payment(id, NULL, "LAWFIRM", inv, 728000, date);
		snprintf(id, sizeof(id), "M%d", i);
		payment(id, NULL, "MONTHLY", inv, 728000, date);
	}
	static const char *const matters[] = {"13010401", "13010601", "13011903"};
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "L%d", i);
		snprintf(date, sizeof(date), "2013-%02d-10", 8 + i);
		payment(id, NULL, "LAWFIRM", matters[i], 2433200, date);
		/* before and after the run */
		snprintf(id, sizeof(id), "N%d", i);
		payment(id, NULL, "MONTHLY", matters[i], 2433200, i < 2 ? "2013-01-10" : "2014-02-10");
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.sequential-invoices"), 1);
	assert_non_null(finding(a, "payments.sequential-invoices", "MONTHLY", 0));
	assert_contains(coverage(a, "payments.sequential-invoices")->reason,
			"1 payees whose run was paid alongside half as many or more of their invoices numbered outside it");
	pb_audit_free(a);
}

/* n invoices to payee numbered from `first`, paid on the 10th of n
 * months from year-month, ids tag0, tag1...; amounts from `cents` up, so
 * that no two are repeats. */
static void monthly_invoices(const char *payee, const char *tag, int64_t first, int n, int year,
			     int month, int64_t cents)
{
	char id[16], inv[24], date[16];

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s%d", tag, i);
		snprintf(inv, sizeof(inv), "%lld", (long long)(first + i));
		snprintf(date, sizeof(date), "%d-%02d-10", year, month + i);
		payment(id, NULL, payee, inv, cents + i, date);
	}
}

/* A payee whose numbers skip as many as its run holds, or more, between
 * the run and its nearest invoice of the same year bills others: a
 * caretaker's 141300003 in February, then 141300040 to 141300047 (the
 * Czech finance ministry's).  Near misses: four numbers skipped before a
 * run of eight; a series that starts again with the year (2012012 paid
 * in January 2013, then 2013001); last year's invoice paid late. */
static void test_sequential_gaps(void **state)
{
	(void)state;
	payment("C-B", NULL, "CARETAKER", "141300003", 1000, "2014-01-15");
	monthly_invoices("CARETAKER", "C", 141300040, 8, 2014, 3, 1000);
	payment("F-B", NULL, "FEWGAPS", "141300035", 1000, "2014-01-15");
	monthly_invoices("FEWGAPS", "F", 141300040, 8, 2014, 3, 1000);
	payment("Y-B", NULL, "YEARLY", "2012012", 1000, "2014-01-15");
	monthly_invoices("YEARLY", "Y", 2013001, 8, 2014, 3, 1000);
	/* A lawyer numbering from 1 each year: last year's 30, paid in
	 * January before this year's run, is no neighbour of it. */
	monthly_invoices("LATE", "L13-", 1, 3, 2013, 3, 2000);
	payment("L13-30", NULL, "LATE", "30", 2100, "2014-01-10");
	monthly_invoices("LATE", "L14-", 1, 8, 2014, 3, 3000);
	pb_audit *a = audit();
	assert_int_equal(count(a, "payments.sequential-invoices"), 3);
	assert_non_null(finding(a, "payments.sequential-invoices", "FEWGAPS", 0));
	assert_non_null(finding(a, "payments.sequential-invoices", "YEARLY", 0));
	assert_non_null(finding(a, "payments.sequential-invoices", "LATE", 0));
	assert_contains(coverage(a, "payments.sequential-invoices")->reason,
			"1 payees that skipped as many numbers as their run holds, or more");
	pb_audit_free(a);
}

/* Payees and payers are entities for sequential invoices too: a second
 * record of the supplier continues its run, a second record of the payer
 * is not another client. */
static void test_sequential_entities(void **state)
{
	char id[16], inv[16], date[16];
	(void)state;
	party("SHELL-A", "REG-S");
	party("SHELL-B", "REG-S");
	party("MOD", "REG-M");
	party("MOD-HQ", "REG-M");
	party("OTHER-A", "REG-O");
	party("OTHER-B", "REG-P");
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "S%d", i);
		snprintf(inv, sizeof(inv), "INV-%d", 100 + i);
		snprintf(date, sizeof(date), "2024-%02d-10", 1 + i);
		pay(id, i % 2 ? "MOD-HQ" : "MOD", i < 3 ? "SHELL-A" : "SHELL-B", NULL, inv, 1000, date);
		/* Not one company: two runs of 3 and 2. */
		snprintf(id, sizeof(id), "O%d", i);
		snprintf(inv, sizeof(inv), "O-%d", 100 + i);
		pay(id, "MOD", i < 3 ? "OTHER-A" : "OTHER-B", NULL, inv, 1000, date);
	}
	assert_string_equal(fired("payments.sequential-invoices"), "SHELL-A");
}

/* A fixed monthly fee, or a day rate, is one round amount, not twelve. */
static void test_round_amount_schedule(void **state)
{
	char id[16], date[16];
	(void)state;
	for (int m = 1; m <= 12; m++) {
		snprintf(id, sizeof(id), "R%d", m);
		snprintf(date, sizeof(date), "2024-%02d-01", m);
		payment(id, NULL, "RENT", NULL, 200000, date);
		snprintf(id, sizeof(id), "V%d", m);
		payment(id, NULL, "VARIED", NULL, 100000 * m, date);
	}
	payment("X1", NULL, "RENT", NULL, 123456, "2024-02-10");
	payment("X2", NULL, "RENT", NULL, 234567, "2024-05-10");
	payment("X3", NULL, "RENT", NULL, 345678, "2024-08-10");
	payment("X4", NULL, "RENT", NULL, 456789, "2024-11-10");
	/* A day rate of 1000.00 on six irregular days, and one odd amount. */
	const char *days[] = {"2024-01-03", "2024-01-10", "2024-01-24", "2024-02-14", "2024-03-01", "2024-03-02"};
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "D%d", i);
		payment(id, NULL, "RATE", NULL, 100000, days[i]);
	}
	payment("D9", NULL, "RATE", NULL, 123400, "2024-03-05");
	pb_audit *a = audit();
	/* RENT: 1 round of 5 counted; RATE: 1 of 2; VARIED: 12 distinct
	 * round amounts. */
	assert_int_equal(count(a, "payments.round-amount"), 1);
	assert_non_null(finding(a, "payments.round-amount", "VARIED", 0));
	assert_contains(coverage(a, "payments.round-amount")->reason,
			"16 payments repeating a fixed amount (on a schedule, or on three or more days) counted once per amount");
	pb_audit_free(a);
}

/* Two records of one payee are judged together, named by the smaller id
 * whichever the parties table lists first. */
static void test_round_amount_entity(void **state)
{
	char id[16];
	(void)state;
	party("ROUND-Z", "REG-R");
	party("ROUND-A", "REG-R");
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "P%d", i);
		payment(id, NULL, i < 3 ? "ROUND-Z" : "ROUND-A", NULL, 100000 * (i + 1), "2024-01-01");
	}
	assert_string_equal(fired("payments.round-amount"), "ROUND-A");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_duplicates), T(test_duplicate_named_apart), T(test_duplicate_not_money), T(test_duplicate_price), T(test_duplicate_unbilled_price), T(test_duplicate_issue_dates), T(test_duplicates_more), T(test_duplicates_large_group),
		T(test_round_amount), T(test_benford), T(test_benford_honest_samples),
		T(test_benford_non_benford_samples), T(test_benford_preconditions),
		T(test_benford_payer_entity), T(test_sequential_invoices),
		T(test_normalised_invoice_duplicate), T(test_duplicate_registry_twins),
		T(test_duplicate_registry_twins_other_order), T(test_duplicate_row_order),
		T(test_duplicate_marker_payees), T(test_duplicate_contract_instalments),
		T(test_duplicate_line_items), T(test_duplicate_recurring),
		T(test_duplicate_same_day_run), T(test_duplicate_same_day_group),
		T(test_duplicate_references),
		T(test_sequential_entities), T(test_sequential_renumbered), T(test_sequential_ranges), T(test_sequential_gaps),
		T(test_round_amount_schedule),
		T(test_round_amount_entity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
