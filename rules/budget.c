/*
 * budget.c - budget execution.
 *
 * Risk: spending beyond the appropriation voted by parliament escapes the
 * legislature's control, and in defence budgets is a recurrent sign of
 * off-budget commitments (TI-DS Government Defence Integrity Index).
 * Data: budget (appropriated, revised, spent).
 * False positives: carry-overs and virements recorded outside the
 * extract; lines whose revision is not yet posted.
 * Thresholds: 0.5% tolerance for rounding and timing (TI-DS, WB).
 */
#include "rules.h"

static void run_overspend(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_budget_line *b = pb_ledger_budget(pb_ctx_ledger(ctx), &n);
	int64_t tolerance = pb_param_millionths(ctx, "tolerance_pct");

	for (size_t i = 0; i < n; i++) {
		int64_t limit = b[i].revised != PB_AMOUNT_NONE ? b[i].revised : b[i].appropriated;
		if (limit == PB_AMOUNT_NONE || limit <= 0 || b[i].spent == PB_AMOUNT_NONE ||
		    b[i].spent <= limit || !pb_ratio_exceeds_pct(b[i].spent - limit, limit, tolerance))
			continue;
		double pct = pb_ratio(b[i].spent - limit, limit) * 100.0;
		const char *key = pb_ledger_key(pb_ctx_ledger(ctx), PB_T_BUDGET, &b[i]);
		pb_finding *f = pb_finding_add(ctx, PB_T_BUDGET, key, NULL);
		pb_finding_evidence(ctx, f, PB_T_BUDGET, &b[i], "budget line");
		pb_finding_detail(ctx, f, "limit", "%s", pb_ctx_money(ctx, limit, b[i].currency));
		pb_finding_detail(ctx, f, "spent", "%s", pb_ctx_money(ctx, b[i].spent, b[i].currency));
		pb_finding_detail(ctx, f, "overspend_pct", "%.2f", pct);
		if (pb_ratio_exceeds_pct(b[i].spent - limit, limit, 10 * (int64_t)PB_DECIMAL_SCALE))
			f->severity = PB_SEV_HIGH;
		f->score = pct >= 20.0 ? 1.0 : 0.5 + pct / 40.0;
		pb_finding_message(ctx, f,
			"budget line %s (%lld%s%s) spent %s against a %s appropriation of %s (+%.2f%%)",
			b[i].budget_line, (long long)b[i].fiscal_year,
			b[i].description ? ", " : "", b[i].description ? b[i].description : "",
			pb_ctx_money(ctx, b[i].spent, b[i].currency),
			b[i].revised != PB_AMOUNT_NONE ? "revised" : "original",
			pb_ctx_money(ctx, limit, b[i].currency), pct);
	}
}

const pb_rule pb_rule_budget_overspend = {
	.id = "budget.overspend",
	.family = "budget",
	.title = "Spending exceeds the revised appropriation of a budget line",
	.source = "TI-DS, WB",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_BUDGET),
	.params = (const pb_param_def[]){
		{"tolerance_pct", PB_P_PERCENT, "0.5", "spending may exceed the appropriation by this share"},
		{NULL, 0, NULL, NULL}},
	.run = run_overspend,
};
