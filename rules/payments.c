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
 * invoice (ACFE practice); any repeat of an invoice id fires.
 */
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
	if (same_invoice) {
		f->severity = PB_SEV_HIGH;
		f->score = 1.0;
		pb_finding_message(ctx, f, "payment %s repeats invoice %s to %s for %s, already paid by %s (%s, %s)",
				   later->payment_id, later->invoice_id, later->payee_id,
				   pb_ctx_money(ctx, later->amount, later->currency),
				   earlier->payment_id, d0, d1);
	} else {
		f->severity = PB_SEV_MEDIUM;
		f->score = 0.6;
		pb_finding_message(ctx, f, "payment %s pays %s the same %s as %s %d days earlier (%s, %s)",
				   later->payment_id, later->payee_id,
				   pb_ctx_money(ctx, later->amount, later->currency),
				   earlier->payment_id, later->paid_on - earlier->paid_on, d0, d1);
	}
}

/* Within one (payee, currency, amount) group sorted by date: a repeated
 * invoice anywhere in the group, else a neighbour within the window. */
static void scan_group(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
		       size_t n, int64_t window)
{
	pb_ptrmap *invoices = pb_ptrmap_new();

	for (size_t k = 0; k < n; k++) {
		const pb_payment *cur = &p[ix[k]];
		uint32_t first;
		if (cur->invoice_id && pb_ptrmap_get(invoices, cur->invoice_id, &first)) {
			duplicate(ctx, &p[first], cur, 1);
			continue;
		}
		if (cur->invoice_id)
			pb_ptrmap_put(invoices, cur->invoice_id, ix[k]);
		/* The nearest earlier payment within the window, if any. */
		if (k > 0 && cur->paid_on != PB_DATE_NONE) {
			const pb_payment *prev = &p[ix[k - 1]];
			if (prev->paid_on != PB_DATE_NONE && cur->paid_on - prev->paid_on <= window &&
			    (!cur->invoice_id || !prev->invoice_id || cur->invoice_id != prev->invoice_id))
				duplicate(ctx, prev, cur, 0);
		}
	}
	pb_ptrmap_free(invoices);
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
		{NULL, 0, NULL, NULL}},
	.run = run_duplicate,
};
