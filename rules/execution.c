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
#include "rules.h"

/* The contract's value after its latest amendment that sets one (ties:
 * the last in file order), else its own value; *last is that amendment. */
static int64_t amended_value(pb_ledger *l, const pb_contract *c,
			     const pb_amendment **last, const uint32_t **am, size_t *nam)
{
	*am = pb_ledger_group(l, PB_T_AMENDMENTS, offsetof(pb_amendment, contract_id),
			      c->contract_id, nam);
	*last = NULL;
	for (size_t k = 0; k < *nam; k++) {
		const pb_amendment *a = pb_ledger_at(l, PB_T_AMENDMENTS, (*am)[k]);
		if (a->value_after == PB_AMOUNT_NONE || a->currency != c->currency)
			continue;
		if (!*last || (a->amended_on != PB_DATE_NONE &&
			       ((*last)->amended_on == PB_DATE_NONE || a->amended_on >= (*last)->amended_on)))
			*last = a;
	}
	return *last ? (*last)->value_after : c->value;
}

/* The value before any amendment: the contract's, else the earliest
 * amendment's value_before. */
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
		if (!first || (a->amended_on != PB_DATE_NONE && a->amended_on < first->amended_on))
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
		int64_t final = amended_value(l, &c[i], &last, &am, &nam);
		if (!last)
			continue;
		int64_t orig = original_value(l, &c[i], am, nam);
		if (orig == PB_AMOUNT_NONE || orig <= 0 || final <= orig ||
		    !pb_ratio_exceeds_pct(final - orig, orig, max_pct))
			continue;
		double pct = pb_ratio(final - orig, orig) * 100.0;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c[i].contract_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		pb_finding_detail(ctx, f, "original", "%s", pb_ctx_money(ctx, orig, c[i].currency));
		pb_finding_detail(ctx, f, "amended", "%s", pb_ctx_money(ctx, final, c[i].currency));
		pb_finding_detail(ctx, f, "increase_pct", "%.1f", pct);
		pb_finding_detail(ctx, f, "amendments", "%zu", nam);
		if (pb_ratio_exceeds_pct(final - orig, orig, 50 * (int64_t)PB_DECIMAL_SCALE))
			f->severity = PB_SEV_HIGH;
		f->score = pct >= 100.0 ? 1.0 : pct / 100.0;
		pb_finding_message(ctx, f,
			"contract %s grew from %s to %s (+%.1f%%) through %zu amendment%s",
			c[i].contract_id, pb_ctx_money(ctx, orig, c[i].currency),
			pb_ctx_money(ctx, final, c[i].currency), pct, nam, nam == 1 ? "" : "s");
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
		pi = pb_ledger_group(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
				     c[i].contract_id, &np);
		if (!np)
			continue;
		int64_t value = amended_value(l, &c[i], &last, &am, &nam);
		if (value == PB_AMOUNT_NONE || value <= 0)
			continue;
		__extension__ __int128 paid = 0;
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
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c[i].contract_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		amendments_evidence(ctx, f, am, nam);
		for (size_t k = 0; k < np; k++)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, pb_ledger_at(l, PB_T_PAYMENTS, pi[k]),
					    "payment");
		pb_finding_detail(ctx, f, "contract_value", "%s", pb_ctx_money(ctx, value, c[i].currency));
		pb_finding_detail(ctx, f, "paid", "%s", pb_ctx_money(ctx, total, c[i].currency));
		pb_finding_detail(ctx, f, "excess", "%s", pb_ctx_money(ctx, total - value, c[i].currency));
		pb_finding_detail(ctx, f, "excess_pct", "%.2f", pct);
		f->score = pct >= 50.0 ? 1.0 : 0.5 + pct / 100.0;
		pb_finding_message(ctx, f,
			"payments on contract %s total %s, %s (%.2f%%) more than its %svalue of %s",
			c[i].contract_id, pb_ctx_money(ctx, total, c[i].currency),
			pb_ctx_money(ctx, total - value, c[i].currency), pct,
			last ? "amended " : "", pb_ctx_money(ctx, value, c[i].currency));
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
};
