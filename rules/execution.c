/*
 * execution.c - contract execution: value creep and overpayment.
 *
 * Risk: a contract won at a low price and then amended upward defeats the
 * competition that chose it (the lowest bid was never the real price);
 * payments beyond the amended value have no legal basis at all.
 * Data: contracts and amendments (value_before/value_after, amended_on);
 * payments for overpayment.
 * False positives: lawful scope changes with their own approval (check the
 * amendment rationale); price indexation clauses; payments of VAT or
 * penalties recorded against the contract.
 * Thresholds: 20% increase (EU directive 2014/24/EU art. 72 caps
 * modifications without a new procedure at 10% of supplies and services
 * and 15% of works; the catalogue default is 20%); 1%
 * tolerance for overpayment (rounding, bank charges) - WB, ACFE.
 */
#include <stdlib.h>

#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "rules.h"

/* The contract's value after its latest amendment that sets one in the
 * contract's currency (ties: the last in file order), else its own value;
 * *last is that amendment. */
static int64_t amended_value(pb_ledger *l, const pb_contract *c,
			     const pb_amendment **last, const uint32_t **am, size_t *nam)
{
	*am = pb_contract_amendments(l, c, nam);
	*last = NULL;
	for (size_t k = 0; k < *nam; k++) {
		const pb_amendment *a = pb_ledger_at(l, PB_T_AMENDMENTS, (*am)[k]);
		if (a->value_after == PB_AMOUNT_NONE || a->currency != c->currency)
			continue;
		/* PB_DATE_NONE is the smallest date: undated amendments lose
		 * to dated ones and among themselves follow file order. */
		if (!*last || a->amended_on >= (*last)->amended_on)
			*last = a;
	}
	return *last ? (*last)->value_after : c->value;
}

/* The value before any amendment: the contract's, else the earliest
 * dated amendment's value_before (else the first in file order). */
static int64_t original_value(pb_ledger *l, const pb_contract *c, const uint32_t *am,
			      size_t nam)
{
	const pb_amendment *first = NULL;

	if (c->value != PB_AMOUNT_NONE)
		return c->value;
	for (size_t k = 0; k < nam; k++) {
		const pb_amendment *a = pb_ledger_at(l, PB_T_AMENDMENTS, am[k]);
		if (a->value_before == PB_AMOUNT_NONE || a->currency != c->currency)
			continue;
		if (!first || (a->amended_on != PB_DATE_NONE &&
			       (first->amended_on == PB_DATE_NONE || a->amended_on < first->amended_on)))
			first = a;
	}
	return first ? first->value_before : PB_AMOUNT_NONE;
}

static void amendments_evidence(pb_rule_ctx *ctx, pb_finding *f, const uint32_t *am,
				size_t nam)
{
	for (size_t k = 0; k < nam; k++)
		pb_finding_evidence(ctx, f, PB_T_AMENDMENTS,
				    pb_ledger_at(pb_ctx_ledger(ctx), PB_T_AMENDMENTS, am[k]), "amendment");
}

static void run_value_increase(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t max_pct = pb_param_millionths(ctx, "max_increase_pct");

	for (size_t i = 0; i < n; i++) {
		const pb_amendment *last;
		const uint32_t *am;
		size_t nam;
		if (!pb_contract_is_award(l, &c[i], NULL))
			continue;
		int64_t final = amended_value(l, &c[i], &last, &am, &nam);
		if (!last)
			continue;
		int64_t orig = original_value(l, &c[i], am, nam);
		if (orig == PB_AMOUNT_NONE || orig <= 0 || final <= orig ||
		    !pb_ratio_exceeds_pct(final - orig, orig, max_pct))
			continue;
		double pct = pb_ratio(final - orig, orig) * 100.0;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		const char *cur = pb_str(c[i].currency);
		pb_finding_detail(ctx, f, "original", "%s", pb_ctx_money(ctx, orig, cur));
		pb_finding_detail(ctx, f, "amended", "%s", pb_ctx_money(ctx, final, cur));
		pb_finding_detail(ctx, f, "increase_pct", "%.1f", pct);
		pb_finding_detail(ctx, f, "amendments", "%zu", nam);
		if (pb_ratio_exceeds_pct(final - orig, orig, 50 * (int64_t)PB_DECIMAL_SCALE))
			f->severity = PB_SEV_HIGH;
		f->score = pct >= 100.0 ? 1.0 : pct / 100.0;
		pb_finding_message(ctx, f,
			"contract %s grew from %s to %s (+%.1f%%) through %zu amendment%s",
			pb_str(c[i].contract_id), pb_ctx_money(ctx, orig, cur),
			pb_ctx_money(ctx, final, cur), pct, nam, nam == 1 ? "" : "s");
	}
}

const pb_rule pb_rule_value_increase = {
	.id = "execution.value-increase",
	.family = "execution",
	.title = "Amendments raise a contract's value by more than a percentage",
	.source = "OCP, WB",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_AMENDMENTS),
	.params = (const pb_param_def[]){
		{"max_increase_pct", PB_P_PERCENT, "20", "increase over the original value that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_value_increase,
	.fields = (const char *const[]){"amendments.value_after", NULL},
};

static void run_overpayment(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, other_currency = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t tolerance = pb_param_millionths(ctx, "tolerance_pct");

	for (size_t i = 0; i < n; i++) {
		const pb_amendment *last;
		const uint32_t *am, *pi;
		size_t nam, np;
		pi = pb_contract_payments(l, &c[i], &np);
		if (!np)
			continue;
		int64_t value = amended_value(l, &c[i], &last, &am, &nam);
		if (value == PB_AMOUNT_NONE || value <= 0)
			continue;
		pb_i128 paid = 0;
		for (size_t k = 0; k < np; k++) {
			const pb_payment *p = pb_ledger_at(l, PB_T_PAYMENTS, pi[k]);
			if (p->amount == PB_AMOUNT_NONE)
				continue;
			if (p->currency != c[i].currency)
				other_currency++;
			else
				paid += p->amount;
		}
		if (paid <= value)
			continue;
		int64_t total = paid > INT64_MAX ? INT64_MAX : (int64_t)paid;
		if (!pb_ratio_exceeds_pct(total - value, value, tolerance))
			continue;
		double pct = pb_ratio(total - value, value) * 100.0;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		for (size_t k = 0; k < np; k++)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, pb_ledger_at(l, PB_T_PAYMENTS, pi[k]),
					    "payment");
		const char *cur = pb_str(c[i].currency);
		pb_finding_detail(ctx, f, "contract_value", "%s", pb_ctx_money(ctx, value, cur));
		pb_finding_detail(ctx, f, "paid", "%s", pb_ctx_money(ctx, total, cur));
		pb_finding_detail(ctx, f, "excess", "%s", pb_ctx_money(ctx, total - value, cur));
		pb_finding_detail(ctx, f, "excess_pct", "%.2f", pct);
		f->score = pct >= 50.0 ? 1.0 : 0.5 + pct / 100.0;
		pb_finding_message(ctx, f,
			"payments on contract %s total %s, %s (%.2f%%) more than its %svalue of %s",
			pb_str(c[i].contract_id), pb_ctx_money(ctx, total, cur),
			pb_ctx_money(ctx, total - value, cur), pct, last ? "amended " : "",
			pb_ctx_money(ctx, value, cur));
	}
	if (other_currency)
		pb_ctx_note(ctx, "left out %zu payments in another currency than their contract",
			    other_currency);
}

const pb_rule pb_rule_overpayment = {
	.id = "execution.overpayment",
	.family = "execution",
	.title = "Payments on a contract exceed its amended value",
	.source = "WB, ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"tolerance_pct", PB_P_PERCENT, "1", "payments may exceed the value by this share"},
		{NULL, 0, NULL, NULL}},
	.run = run_overpayment,
	.fields = (const char *const[]){"payments.contract_id", "contracts.value", NULL},
};

/* --- execution.repeated-amendments --- */

static void run_repeated_amendments(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t min = pb_param_int(ctx, "min_amendments");

	for (size_t i = 0; i < n; i++) {
		size_t nam;
		if (!pb_contract_is_award(l, &c[i], NULL))
			continue;
		const uint32_t *am = pb_contract_amendments(l, &c[i], &nam);
		if ((int64_t)nam < min)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		pb_finding_detail(ctx, f, "amendments", "%zu", nam);
		f->score = nam >= (size_t)(2 * min) ? 1.0 : (double)nam / (double)(2 * min);
		pb_finding_message(ctx, f, "contract %s was amended %zu times", pb_str(c[i].contract_id), nam);
	}
}

const pb_rule pb_rule_repeated_amendments = {
	.id = "execution.repeated-amendments",
	.family = "execution",
	.title = "A contract amended many times",
	.source = "OCP",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_AMENDMENTS),
	.params = (const pb_param_def[]){
		{"min_amendments", PB_P_INT, "3", "amendments of one contract that fire"},
		{NULL, 0, NULL, NULL}},
	.run = run_repeated_amendments,
};

/* --- execution.duration-extension --- */

static void run_duration_extension(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t max_pct = pb_param_millionths(ctx, "max_extension_pct");
	char d0[11], d1[11], d2[11];

	for (size_t i = 0; i < n; i++) {
		size_t nam;
		if (!pb_contract_is_award(l, &c[i], NULL))
			continue;
		const uint32_t *am = pb_contract_amendments(l, &c[i], &nam);
		const pb_amendment *first = NULL, *last = NULL;
		for (size_t k = 0; k < nam; k++) {
			const pb_amendment *a = pb_ledger_at(l, PB_T_AMENDMENTS, am[k]);
			if (a->end_after == PB_DATE_NONE)
				continue;
			if (!first || (a->amended_on != PB_DATE_NONE && a->amended_on < first->amended_on))
				first = a;
			if (!last || (a->amended_on != PB_DATE_NONE && a->amended_on >= last->amended_on))
				last = a;
		}
		if (!last)
			continue;
		pb_date start = c[i].start_on != PB_DATE_NONE ? c[i].start_on : pb_ctx_signed_on(ctx, &c[i]);
		pb_date orig_end = first->end_before != PB_DATE_NONE ? first->end_before : c[i].end_on;
		if (start == PB_DATE_NONE || orig_end == PB_DATE_NONE || orig_end <= start ||
		    last->end_after <= orig_end ||
		    !pb_ratio_exceeds_pct(last->end_after - orig_end, orig_end - start, max_pct))
			continue;
		double pct = pb_ratio(last->end_after - orig_end, orig_end - start) * 100.0;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		pb_finding_detail(ctx, f, "start", "%s", pb_date_format(start, d0));
		pb_finding_detail(ctx, f, "original_end", "%s", pb_date_format(orig_end, d1));
		pb_finding_detail(ctx, f, "amended_end", "%s", pb_date_format(last->end_after, d2));
		pb_finding_detail(ctx, f, "extension_pct", "%.0f", pct);
		f->score = pct >= 200.0 ? 1.0 : pct / 200.0;
		pb_finding_message(ctx, f, "contract %s was extended from %s to %s, %.0f%% of its original %d-day duration",
				   pb_str(c[i].contract_id), d1, d2, pct, orig_end - start);
	}
}

const pb_rule pb_rule_duration_extension = {
	.id = "execution.duration-extension",
	.family = "execution",
	.title = "End date extended by more than a share of the original duration",
	.source = "OCP",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_AMENDMENTS),
	.params = (const pb_param_def[]){
		{"max_extension_pct", PB_P_PERCENT, "50", "extension as a share of the original duration that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_duration_extension,
	.fields = (const char *const[]){"amendments.end_after", NULL},
};

/* --- execution.payment-without-contract --- */

/* A payment with no contract between its payer and payee entities fires. */
static void no_contract_finding(pb_rule_ctx *ctx, const pb_payment *p, const pb_fx_used *fx,
				int64_t threshold)
{
	int64_t v;
	pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, pb_str(p->payment_id), NULL);

	pb_finding_evidence(ctx, f, PB_T_PAYMENTS, p, "payment");
	pb_finding_fx(ctx, f, fx);
	if (pb_param_money_convert(ctx, "threshold", p->amount, pb_str(p->currency), p->paid_on, &v, NULL) < 0)
		v = threshold;
	pb_finding_detail(ctx, f, "contract_id", "%s", p->contract_id ? pb_str(p->contract_id) : "");
	f->score = pb_ratio(v, threshold) >= 10.0 ? 1.0 : 0.5 + pb_ratio(v, threshold) / 20.0;
	pb_finding_message(ctx, f, "payment %s of %s from %s to %s has no contract between them%s%s%s",
			   pb_str(p->payment_id), pb_ctx_money(ctx, p->amount, pb_str(p->currency)),
			   pb_str(p->payer_id), pb_str(p->payee_id),
			   p->contract_id ? " (it cites contract " : "",
			   p->contract_id ? pb_str(p->contract_id) : "",
			   p->contract_id ? ", which is not in the contracts)" : "");
}

/*
 * Two passes: the payments above the threshold that cite no contract of
 * the ledger, then, only if there are any, the (buyer, supplier) pairs
 * of every contract to look them up in.  Where every payment cites a
 * contract, as in most ministries' ledgers, the pairs (a map of a
 * million at 10M rows) are never built.
 */
static void run_payment_without_contract(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, nc, no_rate = 0, nu = 0, capu = 0;
	const pb_payment *p = pb_ledger_payments(l, &n);
	const pb_contract *c = pb_ledger_contracts(l, &nc);
	int64_t threshold = pb_param_money(ctx, "threshold");
	const pb_parties *pp = pb_ctx_parties(ctx);
	pb_ptrmap *placeholders = pb_ptrmap_new();
	uint32_t *u = NULL; /* the payments to look up */
	/* the contract each payment cites, resolved once for every rule */
	const uint32_t *contract_row =
		pb_ledger_refs(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id), PB_T_CONTRACTS);

	for (size_t i = 0; i < n; i++) {
		pb_fx_used fx;
		if (!p[i].payee_id || !p[i].payer_id || p[i].amount == PB_AMOUNT_NONE)
			continue;
		int reached = pb_param_money_reached(ctx, "threshold", p[i].amount, pb_str(p[i].currency), p[i].paid_on, &fx);
		/* Whether the payee is a placeholder is asked last, of the
		 * payments it decides (a finding, or the count of those with
		 * no rate): a payment under the threshold or citing a known
		 * contract is passed over whoever its payee. */
		if (reached == 0 || (reached > 0 && contract_row[i] != PB_NO_ROW) ||
		    pb_is_placeholder_memo(placeholders, pb_str(p[i].payee_id)))
			continue;
		if (reached < 0) {
			no_rate++;
			continue;
		}
		PB_GROW(u, nu + 1, capu);
		u[nu++] = (uint32_t)i;
	}
	pb_pairs pairs = {0}; /* of the contracts, by entity (registry twins merged) */
	uint32_t dummy;
	for (size_t k = 0; nu && k < nc; k++)
		if (c[k].buyer_id && c[k].supplier_id)
			pb_pairs_add(&pairs, pb_parties_entity(pp, pb_str(c[k].buyer_id)),
				     pb_parties_entity(pp, pb_str(c[k].supplier_id)));
	for (size_t j = 0; j < nu; j++) {
		const pb_payment *x = &p[u[j]];
		pb_fx_used fx; /* converted again: it is 600 bytes to keep */
		if (pb_pairs_find(&pairs, pb_parties_entity(pp, pb_str(x->payer_id)),
				  pb_parties_entity(pp, pb_str(x->payee_id)), &dummy))
			continue;
		pb_param_money_reached(ctx, "threshold", x->amount, pb_str(x->currency), x->paid_on, &fx);
		no_contract_finding(ctx, x, &fx, threshold);
	}
	if (no_rate)
		pb_ctx_note(ctx, "%zu payments could not be compared with the %s threshold: no exchange rate for their currency and date",
			    no_rate, pb_param_currency(ctx, "threshold"));
	pb_pairs_release(&pairs);
	pb_ptrmap_free(placeholders);
	free(u);
}

const pb_rule pb_rule_payment_without_contract = {
	.id = "execution.payment-without-contract",
	.family = "execution",
	.title = "Payment above threshold to a supplier with no contract with that payer",
	.source = "ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "10000 EUR", "smallest payment judged (with its currency)"},
		{NULL, 0, NULL, NULL}},
	.run = run_payment_without_contract,
};
