/*
 * payments.c - ledger forensics on payments.
 *
 * Risk: the same invoice paid twice, or the same amount paid to the same
 * payee days apart, is the commonest way money leaks from a payment
 * system, by error or by design (ACFE duplicate-payment tests).
 * Data: payments (payee_id, amount, currency, invoice_id, paid_on).
 * False positives: instalments of equal size on a schedule (they are
 * usually weeks apart, and carry different invoices); recurring fees.
 * Thresholds: a 3-day window for same-amount payments without a shared
 * invoice (ACFE practice); any exact repeat of an invoice id fires, and
 * ids equal once case, punctuation and leading zeros are folded fire
 * within 30 days (Nigrini's "same-same-different" tests).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static int by_payee_amount_date(const void *pa, const void *pb, void *data)
{
	const pb_payment *p = data;
	const pb_payment *a = &p[*(const uint32_t *)pa], *b = &p[*(const uint32_t *)pb];
	int c;

	if (a->payee_id != b->payee_id)
		return strcmp(a->payee_id, b->payee_id);
	if ((c = strcmp(a->currency, b->currency)))
		return c;
	if (a->amount != b->amount)
		return a->amount < b->amount ? -1 : 1;
	if (a->paid_on != b->paid_on)
		return a->paid_on < b->paid_on ? -1 : 1;
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

/* qsort_r is a GNU extension; a static pointer keeps this C11. */
static const pb_payment *sort_base;

static int sort_cmp(const void *a, const void *b)
{
	return by_payee_amount_date(a, b, (void *)sort_base);
}

static int same_group(const pb_payment *a, const pb_payment *b)
{
	return a->payee_id == b->payee_id && a->currency == b->currency &&
	       a->amount == b->amount;
}

static void duplicate(pb_rule_ctx *ctx, const pb_payment *earlier,
		      const pb_payment *later, int same_invoice)
{
	char d0[11], d1[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, later->payment_id,
				       earlier->payment_id);

	pb_finding_evidence(ctx, f, PB_T_PAYMENTS, later, "payment");
	pb_finding_evidence(ctx, f, PB_T_PAYMENTS, earlier, "duplicate of");
	pb_finding_detail(ctx, f, "amount", "%s", pb_ctx_money(ctx, later->amount, later->currency));
	pb_finding_detail(ctx, f, "invoice_id", "%s", later->invoice_id ? later->invoice_id : "");
	pb_finding_detail(ctx, f, "earlier_invoice_id", "%s",
			  earlier->invoice_id ? earlier->invoice_id : "");
	pb_date_format(earlier->paid_on, d0);
	pb_date_format(later->paid_on, d1);
	if (same_invoice == 2) {
		f->severity = PB_SEV_HIGH;
		f->score = 0.9;
		pb_finding_message(ctx, f, "payment %s pays invoice %s to %s for %s, the same invoice as %s paid by %s (%s, %s)",
				   later->payment_id, later->invoice_id, later->payee_id,
				   pb_ctx_money(ctx, later->amount, later->currency),
				   earlier->invoice_id, earlier->payment_id, d0, d1);
	} else if (same_invoice) {
		f->severity = PB_SEV_HIGH;
		f->score = 1.0;
		pb_finding_message(ctx, f, "payment %s repeats invoice %s to %s for %s, already paid by %s (%s, %s)",
				   later->payment_id, later->invoice_id, later->payee_id,
				   pb_ctx_money(ctx, later->amount, later->currency),
				   earlier->payment_id, d0, d1);
	} else {
		f->severity = PB_SEV_MEDIUM;
		f->score = 0.6;
		int days = later->paid_on - earlier->paid_on;
		char gap[32];
		if (days)
			snprintf(gap, sizeof(gap), "%d day%s earlier", days, days == 1 ? "" : "s");
		else
			snprintf(gap, sizeof(gap), "on the same day");
		pb_finding_detail(ctx, f, "days_apart", "%d", days);
		pb_finding_message(ctx, f, "payment %s pays %s the same %s as %s %s (%s, %s)",
				   later->payment_id, later->payee_id,
				   pb_ctx_money(ctx, later->amount, later->currency),
				   earlier->payment_id, gap, d0, d1);
	}
}

/* An invoice id with case, blanks, punctuation and leading zeros of
 * numbers folded away: "INV-0042" and "inv 42" are the same invoice. */
static const char *invoice_key(pb_ledger *l, const char *id)
{
	pb_buf b;
	int in_number = 0;

	pb_buf_init(&b);
	for (const char *s = id; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		int digit = c >= '0' && c <= '9';
		if (!digit && !(c >= 'A' && c <= 'Z') && c < 0x80) {
			in_number = 0;
			continue;
		}
		if (digit && c == '0' && !in_number && s[1] >= '0' && s[1] <= '9')
			continue;
		if (digit && !in_number && b.len)
			pb_buf_addch(&b, '#'); /* keep "A1-2" apart from "A12" */
		in_number = digit;
		pb_buf_addch(&b, (char)c);
	}
	const char *k = pb_ledger_intern(l, b.data, b.len);
	pb_buf_release(&b);
	return k;
}

/* Within one (payee, currency, amount) group sorted by date: a repeated
 * invoice anywhere in the group, the same invoice spelt differently
 * within norm_window days, else a neighbour within the window. */
static void scan_group(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
		       size_t n, int64_t window)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	int64_t norm_window = pb_param_int(ctx, "normalised_window_days");
	pb_ptrmap *invoices = pb_ptrmap_new(), *normalised = pb_ptrmap_new();

	for (size_t k = 0; k < n; k++) {
		const pb_payment *cur = &p[ix[k]];
		uint32_t first;
		if (cur->invoice_id && pb_ptrmap_get(invoices, cur->invoice_id, &first)) {
			duplicate(ctx, &p[first], cur, 1);
			continue;
		}
		const char *nkey = cur->invoice_id ? invoice_key(l, cur->invoice_id) : NULL;
		if (nkey && pb_ptrmap_get(normalised, nkey, &first) &&
		    cur->paid_on != PB_DATE_NONE && p[first].paid_on != PB_DATE_NONE &&
		    cur->paid_on - p[first].paid_on <= norm_window) {
			duplicate(ctx, &p[first], cur, 2);
			continue;
		}
		if (cur->invoice_id)
			pb_ptrmap_put(invoices, cur->invoice_id, ix[k]);
		if (nkey)
			pb_ptrmap_put(normalised, nkey, ix[k]);
		/* The nearest earlier payment within the window, if any. */
		if (k > 0 && cur->paid_on != PB_DATE_NONE) {
			const pb_payment *prev = &p[ix[k - 1]];
			if (prev->paid_on != PB_DATE_NONE && cur->paid_on - prev->paid_on <= window &&
			    (!cur->invoice_id || !prev->invoice_id || cur->invoice_id != prev->invoice_id))
				duplicate(ctx, prev, cur, 0);
		}
	}
	pb_ptrmap_free(invoices);
	pb_ptrmap_free(normalised);
}

static void run_duplicate(pb_rule_ctx *ctx)
{
	size_t n, m = 0;
	const pb_payment *p = pb_ledger_payments(pb_ctx_ledger(ctx), &n);
	int64_t window = pb_param_int(ctx, "window_days");
	uint32_t *ix = pb_xcalloc(n + 1, sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		if (p[i].payee_id && p[i].amount != PB_AMOUNT_NONE && p[i].currency)
			ix[m++] = (uint32_t)i;
	sort_base = p;
	qsort(ix, m, sizeof(*ix), sort_cmp);
	for (size_t start = 0; start < m;) {
		size_t end = start + 1;
		while (end < m && same_group(&p[ix[start]], &p[ix[end]]))
			end++;
		if (end - start > 1)
			scan_group(ctx, p, ix + start, end - start, window);
		start = end;
	}
	free(ix);
}

const pb_rule pb_rule_payment_duplicate = {
	.id = "payments.duplicate",
	.family = "payments",
	.title = "Duplicate payment: same payee and amount, same invoice or days apart",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"window_days", PB_P_DAYS, "3", "same payee and amount within this many days fires"},
		{"normalised_window_days", PB_P_DAYS, "30", "invoice ids equal after folding case, punctuation and leading zeros fire within this many days"},
		{NULL, 0, NULL, NULL}},
	.run = run_duplicate,
};

/* --- per-party groups of payments --- */

typedef void (*party_fn)(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			 size_t n, const char *party);

/* Calls fn for each payee (or payer) with its payments in file order. */
static void for_each_party(pb_rule_ctx *ctx, size_t field, party_fn fn)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);

	for (size_t i = 0; i < n; i++) {
		const char *party = *(const char *const *)((const char *)&p[i] + field);
		size_t m;
		if (!party)
			continue;
		const uint32_t *ix = pb_ledger_group(l, PB_T_PAYMENTS, field, party, &m);
		if (ix[0] == i) /* once per party, at its first payment */
			fn(ctx, p, ix, m, party);
	}
}

/* A payment in the base currency of at least `min` minor units. */
static int judged(pb_rule_ctx *ctx, const pb_payment *x, int64_t min)
{
	return x->amount != PB_AMOUNT_NONE && x->currency == pb_ctx_currency(ctx) && x->amount >= min;
}

/* --- payments.round-amount --- */

static void round_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			size_t n, const char *payee)
{
	int64_t unit = pb_param_money(ctx, "round_unit");
	int64_t min_payments = pb_param_int(ctx, "min_payments");
	int64_t min_pct = pb_param_millionths(ctx, "min_share_pct");
	size_t njudged = 0, round = 0;

	for (size_t k = 0; k < n; k++) {
		const pb_payment *x = &p[ix[k]];
		if (!judged(ctx, x, unit))
			continue;
		njudged++;
		round += unit > 0 && x->amount % unit == 0;
	}
	if ((int64_t)njudged < min_payments ||
	    (pb_i128)round * 100 * PB_DECIMAL_SCALE < (pb_i128)min_pct * njudged)
		return;
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payee, NULL);
	const pb_party *party = pb_ledger_find(pb_ctx_ledger(ctx), PB_T_PARTIES, payee);
	if (party)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "payee");
	for (size_t k = 0; k < n && f->nevidence < 26; k++) {
		const pb_payment *x = &p[ix[k]];
		if (judged(ctx, x, unit) && x->amount % unit == 0)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, x, "round payment");
	}
	pb_finding_detail(ctx, f, "round", "%zu of %zu", round, njudged);
	pb_finding_detail(ctx, f, "unit", "%s", pb_ctx_money(ctx, unit, pb_ctx_currency(ctx)));
	f->score = (double)round / (double)njudged;
	pb_finding_message(ctx, f, "%zu of %s's %zu payments of at least %s are exact multiples of it",
			   round, payee, njudged, pb_ctx_money(ctx, unit, pb_ctx_currency(ctx)));
}

static void run_round_amount(pb_rule_ctx *ctx)
{
	for_each_party(ctx, offsetof(pb_payment, payee_id), round_party);
}

const pb_rule pb_rule_round_amount = {
	.id = "payments.round-amount",
	.family = "payments",
	.title = "A payee's payments are mostly round numbers",
	.source = "ACFE/Nigrini",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"round_unit", PB_P_MONEY, "1000", "a payment is round when it is a multiple of this (and at least this)"},
		{"min_payments", PB_P_INT, "5", "payments of at least round_unit needed"},
		{"min_share_pct", PB_P_PERCENT, "50", "share of round payments that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_round_amount,
};

/* --- payments.benford --- */

/* First two significant digits (10..99) of a positive amount. */
static int first_two(int64_t v)
{
	if (v < 0)
		v = -v;
	while (v >= 100)
		v /= 10;
	return (int)v;
}

/* Nigrini's conformity bands for the first-two-digits test. */
static const char *conformity(double mad)
{
	return mad <= 0.0012 ? "close conformity" : mad <= 0.0018 ? "acceptable conformity"
	       : mad <= 0.0022 ? "marginally acceptable conformity" : "nonconformity";
}

static void benford_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			  size_t n, const char *payer)
{
	int64_t min_n = pb_param_int(ctx, "min_payments");
	int64_t max_mad = pb_param_millionths(ctx, "max_mad");
	size_t count[100] = {0}, total = 0;
	int exp = pb_currency_exponent(pb_ctx_currency(ctx));
	int64_t ten = 10;

	for (int e = 0; e < exp; e++)
		ten *= 10; /* 10.00 in minor units: smaller amounts have no two digits */
	for (size_t k = 0; k < n; k++) {
		const pb_payment *x = &p[ix[k]];
		if (!judged(ctx, x, ten))
			continue;
		count[first_two(x->amount)]++;
		total++;
	}
	if ((int64_t)total < min_n)
		return;
	double mad = 0.0;
	for (int d = 10; d < 100; d++)
		mad += fabs((double)count[d] / (double)total - log10(1.0 + 1.0 / d));
	mad /= 90.0;
	if (mad * PB_DECIMAL_SCALE <= (double)max_mad)
		return;
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payer, NULL);
	const pb_party *party = pb_ledger_find(pb_ctx_ledger(ctx), PB_T_PARTIES, payer);
	if (party)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "payer");
	/* The payments in the most over-represented digit pair. */
	int worst = 10;
	for (int d = 10; d < 100; d++)
		if ((double)count[d] / total - log10(1.0 + 1.0 / d) >
		    (double)count[worst] / total - log10(1.0 + 1.0 / worst))
			worst = d;
	for (size_t k = 0; k < n && f->nevidence < 26; k++) {
		const pb_payment *x = &p[ix[k]];
		if (judged(ctx, x, ten) && first_two(x->amount) == worst)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, x, "payment in the most excessive digit pair");
	}
	pb_buf obs, expd;
	pb_buf_init(&obs);
	pb_buf_init(&expd);
	for (int d = 10; d < 100; d++) {
		pb_buf_addf(&obs, "%s%.4f", d > 10 ? "," : "", (double)count[d] / (double)total);
		pb_buf_addf(&expd, "%s%.4f", d > 10 ? "," : "", log10(1.0 + 1.0 / d));
	}
	pb_finding_detail(ctx, f, "n", "%zu", total);
	pb_finding_detail(ctx, f, "mad", "%.5f", mad);
	pb_finding_detail(ctx, f, "conformity", "%s", conformity(mad));
	pb_finding_detail(ctx, f, "most_excessive", "%d", worst);
	pb_finding_detail(ctx, f, "observed_10_99", "%s", obs.data);
	pb_finding_detail(ctx, f, "expected_10_99", "%s", expd.data);
	pb_buf_release(&obs);
	pb_buf_release(&expd);
	f->score = mad >= 0.0066 ? 1.0 : mad / 0.0066;
	pb_finding_message(ctx, f, "%s's %zu payment amounts fail the first-two-digits Benford test: MAD %.5f (%s); %d is the most over-represented",
			   payer, total, mad, conformity(mad), worst);
}

static void run_benford(pb_rule_ctx *ctx)
{
	for_each_party(ctx, offsetof(pb_payment, payer_id), benford_party);
}

const pb_rule pb_rule_benford = {
	.id = "payments.benford",
	.family = "payments",
	.title = "A payer's amounts fail the first-two-digits Benford test",
	.source = "Nigrini",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"min_payments", PB_P_INT, "300", "payments of at least 10 units needed for the test"},
		{"max_mad", PB_P_DECIMAL, "0.0022", "mean absolute deviation above which the test fails (Nigrini: nonconformity)"},
		{NULL, 0, NULL, NULL}},
	.run = run_benford,
};

/* --- payments.sequential-invoices --- */

static int64_t trailing_number(const char *s)
{
	size_t n = s ? strlen(s) : 0, k = n;
	int64_t v = 0, scale = 1;

	while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9' && n - k < 15)
		k--;
	if (k == n)
		return -1;
	for (size_t i = n; i > k; i--) {
		v += (s[i - 1] - '0') * scale;
		scale *= 10;
	}
	return v;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void sequential_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			     size_t n, const char *payee)
{
	int64_t min_run = pb_param_int(ctx, "min_run");
	const char *payer = NULL;
	int64_t *num = pb_xcalloc(n + 1, sizeof(*num));
	size_t m = 0, best = 0, best_end = 0, run = 1;

	for (size_t k = 0; k < n; k++) {
		const pb_payment *x = &p[ix[k]];
		if (!x->payer_id)
			continue;
		if (payer && x->payer_id != payer)
			goto out; /* it bills someone else too */
		payer = x->payer_id;
		int64_t v = trailing_number(x->invoice_id);
		if (v >= 0)
			num[m++] = v;
	}
	qsort(num, m, sizeof(*num), cmp_i64);
	for (size_t k = 1; k <= m; k++) {
		if (k < m && num[k] == num[k - 1] + 1) {
			run++;
			continue;
		}
		if (k < m && num[k] == num[k - 1])
			continue;
		if (run > best) {
			best = run;
			best_end = k - 1;
		}
		run = 1;
	}
	if (!payer || (int64_t)best < min_run)
		goto out;
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payee, payer);
	int64_t lo = num[best_end] - (int64_t)best + 1, hi = num[best_end];
	for (size_t k = 0; k < n; k++) {
		int64_t v = trailing_number(p[ix[k]].invoice_id);
		if (v >= lo && v <= hi && f->nevidence < 25)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, &p[ix[k]], "invoice in the run");
	}
	pb_finding_detail(ctx, f, "payer", "%s", payer);
	pb_finding_detail(ctx, f, "run", "%lld-%lld", (long long)lo, (long long)hi);
	f->score = best >= (size_t)(2 * min_run) ? 1.0 : (double)best / (double)(2 * min_run);
	pb_finding_message(ctx, f, "%s billed only %s, with %zu consecutively numbered invoices (%lld to %lld): it appears to invoice no one else",
			   payee, payer, best, (long long)lo, (long long)hi);
out:
	free(num);
}

static void run_sequential(pb_rule_ctx *ctx)
{
	for_each_party(ctx, offsetof(pb_payment, payee_id), sequential_party);
}

const pb_rule pb_rule_sequential_invoices = {
	.id = "payments.sequential-invoices",
	.family = "payments",
	.title = "A supplier's invoices to its only buyer are numbered consecutively",
	.source = "ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"min_run", PB_P_INT, "5", "consecutive invoice numbers that fire"},
		{NULL, 0, NULL, NULL}},
	.run = run_sequential,
};
