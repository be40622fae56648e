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
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* A budget line's key ("L-1|2024"), the finding's subject. */
static const char *line_key(pb_rule_ctx *ctx, const pb_budget_line *b)
{
	return pb_ledger_key_in(pb_ctx_ledger(ctx), PB_T_BUDGET, b, pb_ctx_scratch(ctx));
}

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
		const char *key = line_key(ctx, &b[i]);
		pb_finding *f = pb_finding_add(ctx, PB_T_BUDGET, key, NULL);
		pb_finding_evidence(ctx, f, PB_T_BUDGET, &b[i], "budget line");
		const char *cur = pb_str(b[i].currency);
		pb_finding_detail(ctx, f, "limit", "%s", pb_ctx_money(ctx, limit, cur));
		pb_finding_detail(ctx, f, "spent", "%s", pb_ctx_money(ctx, b[i].spent, cur));
		pb_finding_detail(ctx, f, "overspend_pct", "%.2f", pct);
		if (pb_ratio_exceeds_pct(b[i].spent - limit, limit, 10 * (int64_t)PB_DECIMAL_SCALE))
			f->severity = PB_SEV_HIGH;
		f->score = pct >= 20.0 ? 1.0 : 0.5 + pct / 40.0;
		pb_finding_message(ctx, f,
			"budget line %s (%lld%s%s) spent %s against a %s appropriation of %s (+%.2f%%)",
			pb_str(b[i].budget_line), (long long)b[i].fiscal_year,
			b[i].description ? ", " : "", b[i].description ? pb_str(b[i].description) : "",
			pb_ctx_money(ctx, b[i].spent, pb_str(b[i].currency)),
			b[i].revised != PB_AMOUNT_NONE ? "revised" : "original",
			pb_ctx_money(ctx, limit, pb_str(b[i].currency)), pct);
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
	.fields = (const char *const[]){"budget.spent", "budget.revised|budget.appropriated", NULL},
};

/* --- budget.large-revision --- */

static void run_large_revision(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_budget_line *b = pb_ledger_budget(pb_ctx_ledger(ctx), &n);
	int64_t max_pct = pb_param_millionths(ctx, "max_revision_pct");

	for (size_t i = 0; i < n; i++) {
		if (b[i].appropriated == PB_AMOUNT_NONE || b[i].appropriated <= 0 ||
		    b[i].revised == PB_AMOUNT_NONE)
			continue;
		int64_t delta = b[i].revised - b[i].appropriated;
		int64_t mag = delta < 0 ? -delta : delta;
		if (!pb_ratio_exceeds_pct(mag, b[i].appropriated, max_pct))
			continue;
		double pct = pb_ratio(delta, b[i].appropriated) * 100.0;
		const char *key = line_key(ctx, &b[i]);
		pb_finding *f = pb_finding_add(ctx, PB_T_BUDGET, key, NULL);
		pb_finding_evidence(ctx, f, PB_T_BUDGET, &b[i], "budget line");
		pb_finding_detail(ctx, f, "appropriated", "%s", pb_ctx_money(ctx, b[i].appropriated, pb_str(b[i].currency)));
		pb_finding_detail(ctx, f, "revised", "%s", pb_ctx_money(ctx, b[i].revised, pb_str(b[i].currency)));
		pb_finding_detail(ctx, f, "revision_pct", "%.1f", pct);
		f->score = mag >= b[i].appropriated ? 1.0 : pb_ratio(mag, b[i].appropriated);
		pb_finding_message(ctx, f, "budget line %s (%lld) was revised from %s to %s (%+.1f%%)",
				   pb_str(b[i].budget_line), (long long)b[i].fiscal_year,
				   pb_ctx_money(ctx, b[i].appropriated, pb_str(b[i].currency)),
				   pb_ctx_money(ctx, b[i].revised, pb_str(b[i].currency)), pct);
	}
}

const pb_rule pb_rule_budget_large_revision = {
	.id = "budget.large-revision",
	.family = "budget",
	.title = "Revised appropriation far from the original",
	.source = "TI-DS",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_BUDGET),
	.params = (const pb_param_def[]){
		{"max_revision_pct", PB_P_PERCENT, "25", "change from the original appropriation that fires, up or down"},
		{NULL, 0, NULL, NULL}},
	.run = run_large_revision,
	.fields = (const char *const[]){"budget.revised", "budget.appropriated", NULL},
};

/* --- budget.unbudgeted-spending --- */

/* The distinct fiscal years of the budget, for "does it cover fy?". */
struct years {
	int64_t *y;
	size_t n, cap;
};

static void years_build(struct years *ys, const pb_budget_line *b, size_t nb)
{
	memset(ys, 0, sizeof(*ys));
	for (size_t i = 0; i < nb; i++) {
		size_t k = 0;
		while (k < ys->n && ys->y[k] != b[i].fiscal_year)
			k++;
		if (k == ys->n) {
			PB_GROW(ys->y, ys->n + 1, ys->cap);
			ys->y[ys->n++] = b[i].fiscal_year;
		}
	}
}

static int years_has(const struct years *ys, int64_t fy)
{
	for (size_t k = 0; k < ys->n; k++)
		if (ys->y[k] == fy)
			return 1;
	return 0;
}

/* Does the budget hold line `line` (an interned id, as the payment's)
 * for fiscal year fy? */
static int budgeted(pb_ledger *l, const char *line, int64_t fy)
{
	size_t n;
	const pb_budget_line *b = pb_ledger_budget(l, &n);
	const uint32_t *rows = pb_ledger_group(l, PB_T_BUDGET, offsetof(pb_budget_line, budget_line), line, &n);

	for (size_t i = 0; i < n; i++)
		if (b[rows[i]].fiscal_year == fy)
			return 1;
	return 0;
}

/* A payment citing a budget line, with its fiscal year. */
struct cited {
	const pb_payment *p;
	const char *line;
	int64_t fy;
};

static int by_line_year(const void *pa, const void *pb)
{
	const struct cited *a = pa, *b = pb;
	int c = pb_intern_cmp(a->line, b->line);

	if (c)
		return c;
	if (a->fy != b->fy)
		return a->fy < b->fy ? -1 : 1;
	return strcmp(pb_str(a->p->payment_id), pb_str(b->p->payment_id));
}

/* One budget line and fiscal year with no appropriation: one payment is
 * reported about itself, several as one finding about the line. */
static void unbudgeted_group(pb_rule_ctx *ctx, const struct cited *g, size_t n)
{
	pb_i128 total = 0;
	const char *cur = pb_str(g[0].p->currency);
	int one_currency = 1;
	pb_finding *f;

	for (size_t i = 0; i < n; i++) {
		total += g[i].p->amount != PB_AMOUNT_NONE ? g[i].p->amount : 0;
		one_currency &= pb_str(g[i].p->currency) == cur;
	}
	int64_t t64 = total > INT64_MAX ? INT64_MAX : total < INT64_MIN ? INT64_MIN : (int64_t)total;
	if (n == 1) {
		f = pb_finding_add(ctx, PB_T_PAYMENTS, pb_str(g[0].p->payment_id), NULL);
		pb_finding_message(ctx, f, "payment %s of %s cites budget line %s, which has no appropriation for fiscal year %lld",
				   pb_str(g[0].p->payment_id), pb_ctx_money(ctx, g[0].p->amount, cur),
				   g[0].line, (long long)g[0].fy);
	} else {
		const char *key = pb_arena_printf(pb_ctx_scratch(ctx), "%s|%lld", g[0].line, (long long)g[0].fy);
		f = pb_finding_add(ctx, PB_T_BUDGET, key, NULL);
		pb_finding_message(ctx, f, "%zu payments%s%s cite budget line %s, which has no appropriation for fiscal year %lld",
				   n, one_currency ? " totalling " : "",
				   one_currency ? pb_ctx_money(ctx, t64, cur) : "", g[0].line, (long long)g[0].fy);
	}
	for (size_t i = 0; i < n; i++)
		pb_finding_evidence(ctx, f, PB_T_PAYMENTS, g[i].p, "payment");
	pb_finding_detail(ctx, f, "budget_line", "%s", g[0].line);
	pb_finding_detail(ctx, f, "fiscal_year", "%lld", (long long)g[0].fy);
	pb_finding_detail(ctx, f, "payments", "%zu", n);
	if (one_currency)
		pb_finding_detail(ctx, f, "total", "%s", pb_ctx_money(ctx, t64, cur));
}

/*
 * Payments citing a budget line that has no row for their fiscal year,
 * grouped by line and year.  A fiscal year for which the budget holds no
 * line at all is not judged (the budget export does not cover it), and
 * the coverage line says so.
 */
static void run_unbudgeted(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, nb, m = 0, uncovered = 0;
	const pb_payment *p = pb_ledger_payments(l, &n);
	const pb_budget_line *b = pb_ledger_budget(l, &nb);
	struct cited *list = pb_xcalloc(n + 1, sizeof(*list));
	struct years ys;

	years_build(&ys, b, nb);
	for (size_t i = 0; i < n; i++) {
		if (!p[i].budget_line || p[i].paid_on == PB_DATE_NONE)
			continue;
		int64_t fy;
		pb_date_fiscal(p[i].paid_on, pb_ctx_fiscal_start(ctx, pb_str(p[i].payer_id)), &fy);
		if (budgeted(l, pb_str(p[i].budget_line), fy))
			continue;
		if (!years_has(&ys, fy)) {
			uncovered++;
			continue;
		}
		list[m++] = (struct cited){&p[i], pb_str(p[i].budget_line), fy};
	}
	if (m)
		qsort(list, m, sizeof(*list), by_line_year);
	for (size_t s = 0; s < m;) {
		size_t e = s + 1;
		while (e < m && list[e].line == list[s].line && list[e].fy == list[s].fy)
			e++;
		unbudgeted_group(ctx, list + s, e - s);
		s = e;
	}
	if (uncovered)
		pb_ctx_note(ctx, "%zu payments fall in fiscal years the budget does not cover: not judged", uncovered);
	free(list);
	free(ys.y);
}

const pb_rule pb_rule_budget_unbudgeted = {
	.id = "budget.unbudgeted-spending",
	.family = "budget",
	.title = "Payment cites a budget line absent for its fiscal year",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PAYMENTS) | PB_NEEDS(PB_T_BUDGET),
	.params = (const pb_param_def[]){
		{"fiscal_year_start_month", PB_P_INT, "0",
		 "month (1-12) in which every payer's fiscal year starts, years named by their first calendar year; 0: by the payer's country (as timing.year-end-spike), else January"},
		{NULL, 0, NULL, NULL}},
	.run = run_unbudgeted,
	.fields = (const char *const[]){"payments.budget_line", NULL},
};

/* --- budget.classified-share --- */

static const pb_budget_line *group_base;

/* Budget lines by organisation, year and currency, then file order. */
static int by_org_year(const void *pa, const void *pb)
{
	const pb_budget_line *x = &group_base[*(const uint32_t *)pa];
	const pb_budget_line *y = &group_base[*(const uint32_t *)pb];
	int c = strcmp(pb_str(x->org_id), pb_str(y->org_id));

	if (c)
		return c;
	if (x->fiscal_year != y->fiscal_year)
		return x->fiscal_year < y->fiscal_year ? -1 : 1;
	if ((c = strcmp(x->currency ? pb_str(x->currency) : "", y->currency ? pb_str(y->currency) : "")))
		return c;
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

static void classified_group(pb_rule_ctx *ctx, const pb_budget_line *b, const uint32_t *ix,
			     size_t n)
{
	int64_t max_pct = pb_param_millionths(ctx, "max_share_pct");
	pb_i128 total = 0, secret = 0;
	const pb_budget_line *first = &b[ix[0]];

	for (size_t k = 0; k < n; k++) {
		const pb_budget_line *x = &b[ix[k]];
		int64_t v = x->revised != PB_AMOUNT_NONE ? x->revised : x->appropriated;
		if (v == PB_AMOUNT_NONE || v <= 0)
			continue;
		total += v;
		if (x->classified == 1)
			secret += v;
	}
	if (total <= 0 || secret * 100 * PB_DECIMAL_SCALE <= (pb_i128)max_pct * total)
		return;
	double pct = (double)secret * 100.0 / (double)total;
	const char *disc = pb_arena_printf(pb_ctx_scratch(ctx), "%lld", (long long)first->fiscal_year);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, pb_str(first->org_id), disc);
	for (size_t k = 0; k < n; k++)
		if (b[ix[k]].classified == 1)
			pb_finding_evidence(ctx, f, PB_T_BUDGET, &b[ix[k]], "classified line");
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	int64_t s64 = secret > INT64_MAX ? INT64_MAX : (int64_t)secret;
	pb_finding_detail(ctx, f, "classified", "%s", pb_ctx_money(ctx, s64, pb_str(first->currency)));
	pb_finding_detail(ctx, f, "total", "%s", pb_ctx_money(ctx, t64, pb_str(first->currency)));
	pb_finding_detail(ctx, f, "share_pct", "%.1f", pct);
	f->score = pct >= 50.0 ? 1.0 : pct / 50.0;
	pb_finding_message(ctx, f, "%.1f%% of %s's %lld budget (%s of %s) is classified",
			   pct, pb_str(first->org_id), (long long)first->fiscal_year,
			   pb_ctx_money(ctx, s64, pb_str(first->currency)), pb_ctx_money(ctx, t64, pb_str(first->currency)));
}

static void run_classified_share(pb_rule_ctx *ctx)
{
	size_t n, m = 0;
	const pb_budget_line *b = pb_ledger_budget(pb_ctx_ledger(ctx), &n);
	uint32_t *ix = pb_xcalloc(n + 1, sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		if (b[i].org_id)
			ix[m++] = (uint32_t)i;
	group_base = b;
	qsort(ix, m, sizeof(*ix), by_org_year);
	for (size_t s = 0; s < m;) {
		size_t e = s + 1;
		while (e < m && b[ix[e]].org_id == b[ix[s]].org_id &&
		       b[ix[e]].fiscal_year == b[ix[s]].fiscal_year && b[ix[e]].currency == b[ix[s]].currency)
			e++;
		classified_group(ctx, b, ix + s, e - s);
		s = e;
	}
	free(ix);
}

const pb_rule pb_rule_budget_classified_share = {
	.id = "budget.classified-share",
	.family = "budget",
	.title = "An organisation's classified budget share is high",
	.source = "TI-DS (GDI)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_BUDGET),
	.params = (const pb_param_def[]){
		{"max_share_pct", PB_P_PERCENT, "10", "classified share of an organisation's yearly budget that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_classified_share,
	.fields = (const char *const[]){"budget.classified", NULL},
};
