/*
 * splitting.c - purchases split to stay under approval or competition
 * thresholds.
 *
 * Risk: one need bought as several small contracts (or payments), each
 * just under the threshold that would require a tender or a higher
 * approval, to the same supplier within a short time.
 * Data: contracts (buyer, supplier, value, award date); payments without a
 * contract when loaded.
 * Not judged: contracts not actually awarded (pb_contract_is_award) and
 * contracts let through a competitive procedure; the lots of one tender
 * are one item, since one procedure covers their total.  Buyers and
 * suppliers are compared as entities (registry twins are one).
 * False positives: framework call-offs and genuinely separate needs
 * (check the titles); periodic services billed monthly.
 * Thresholds: the legal threshold T (default 100000 in the base currency)
 * and a 30-day window, after the World Bank's and ACFE's split-purchase
 * tests.
 */
#include <stdlib.h>
#include <string.h>

#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "rules.h"

struct item {
	const void *record;
	const char *id;
	int64_t amount;
	pb_date date;
	pb_table table;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Greedy windows over items sorted by date: from the earliest unused item,
 * take everything within window_days of it. */
static void find_clusters(pb_rule_ctx *ctx, struct item *it, size_t n,
			  const char *who, const char *to)
{
	int64_t threshold = pb_param_money(ctx, "threshold");
	int64_t window = pb_param_int(ctx, "window_days");
	int64_t min_items = pb_param_int(ctx, "min_items");

	qsort(it, n, sizeof(*it), item_cmp);
	for (size_t start = 0; start < n;) {
		size_t end = start;
		pb_i128 sum = 0;
		while (end < n && it[end].date - it[start].date <= window)
			sum += it[end++].amount;
		if ((int64_t)(end - start) >= min_items && sum >= threshold) {
			pb_buf ids;
			pb_buf_init(&ids);
			for (size_t k = start; k < end; k++)
				pb_buf_addf(&ids, "%s%s", k > start ? "," : "", it[k].id);
			pb_finding *f = pb_finding_add(ctx, it[start].table, it[start].id, ids.data);
			const char *role = it[start].table == PB_T_CONTRACTS ? "contract" : "payment";
			for (size_t k = start; k < end; k++)
				pb_finding_evidence(ctx, f, it[k].table, it[k].record, role);
			int64_t total = sum > INT64_MAX ? INT64_MAX : (int64_t)sum;
			const char *cur = pb_param_currency(ctx, "threshold");
			char d0[11], d1[11];
			pb_finding_detail(ctx, f, "count", "%zu", end - start);
			pb_finding_detail(ctx, f, "sum", "%s", pb_ctx_money(ctx, total, cur));
			pb_finding_detail(ctx, f, "threshold", "%s", pb_ctx_money(ctx, threshold, cur));
			pb_finding_detail(ctx, f, "window_days", "%lld", (long long)window);
			pb_finding_detail(ctx, f, "days", "%d", it[end - 1].date - it[start].date);
			pb_finding_detail(ctx, f, "items", "%s", ids.data);
			f->score = 0.5 + 0.5 * (double)(end - start > 5 ? 5 : end - start) / 5.0;
			pb_finding_message(ctx, f,
				"%zu %ss from %s to %s between %s and %s (%s), each below the %s threshold, add up to %s",
				end - start, role, who, to, pb_date_format(it[start].date, d0),
				pb_date_format(it[end - 1].date, d1), ids.data,
				pb_ctx_money(ctx, threshold, cur), pb_ctx_money(ctx, total, cur));
			pb_buf_release(&ids);
			start = end;
		} else {
			start++;
		}
	}
}

/*
 * Items grouped by (buyer, supplier) pair, the pairs in order of first
 * appearance: the items in one array, each with its pair's number, put
 * in pair order when the pairs are run.  An array per pair was a million
 * small blocks at 10M rows, whose memory the heap kept after the rule.
 */
struct pairs {
	pb_pairs ab;         /* (buyer, supplier), numbered */
	struct item *items;  /* in the order added */
	uint32_t *pair;      /* per item */
	size_t nitems, capitems;
};

static void pairs_add(struct pairs *p, const char *a, const char *b, struct item it)
{
	uint32_t i = pb_pairs_add(&p->ab, a, b);

	if (p->nitems + 1 > p->capitems) {
		size_t cap = p->capitems ? p->capitems * 2 : 64;
		p->items = pb_xreallocarray(p->items, cap, sizeof(*p->items));
		p->pair = pb_xreallocarray(p->pair, cap, sizeof(*p->pair));
		p->capitems = cap;
	}
	p->items[p->nitems] = it;
	p->pair[p->nitems++] = i;
}

/* Puts the items in pair order, each pair's in the order added, where
 * they are; returns where each pair's start (one more than the pairs). */
static uint32_t *pairs_group(struct pairs *p)
{
	uint32_t *start = pb_xcalloc(p->ab.n + 1, sizeof(*start));
	uint32_t *order = pb_xcalloc(p->nitems + 1, sizeof(*order));

	pb_bucket_sort(p->pair, p->nitems, p->ab.n, order, start);
	pb_permute(p->items, p->nitems, sizeof(*p->items), order);
	free(order);
	return start;
}

static void pairs_run(pb_rule_ctx *ctx, struct pairs *p)
{
	uint32_t *start = pairs_group(p);

	for (size_t i = 0; i < p->ab.n; i++)
		find_clusters(ctx, p->items + start[i], start[i + 1] - start[i], p->ab.a[i],
			      p->ab.b[i]);
	free(start);
	free(p->items);
	free(p->pair);
	pb_pairs_release(&p->ab);
}

/*
 * The awarded contracts of one buyer and supplier entity that could be a
 * split: not through a competitive procedure (splitting dodges
 * competition), and the lots of one tender summed into one item, since
 * one procedure already covers their total.  A tender whose lots add up
 * to the threshold is not a split at all.
 */
static void add_contract_items(pb_rule_ctx *ctx, struct pairs *pc, size_t *skipped)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	int64_t threshold = pb_param_money(ctx, "threshold");
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	pb_ptrmap *lots = pb_ptrmap_new(); /* tender id -> first contract index */
	int64_t *sum = pb_xcalloc(n + 1, sizeof(*sum));
	uint32_t first;

	for (size_t i = 0; i < n; i++) {
		pb_date d = pb_contract_award_date(&c[i]);
		sum[i] = -1;
		if (!c[i].buyer_id || !c[i].supplier_id || d == PB_DATE_NONE ||
		    c[i].value == PB_AMOUNT_NONE || c[i].value <= 0 || !pb_contract_is_award(l, &c[i], NULL))
			continue;
		int64_t v;
		if (pb_param_money_convert(ctx, "threshold", c[i].value, pb_str(c[i].currency), d, &v, NULL) < 0) {
			(*skipped)++;
			continue;
		}
		if (pb_ctx_competition(ctx, pb_ctx_tender_of(ctx, &c[i])) == PB_COMPETITION_YES)
			continue;
		if (pb_str(c[i].tender_id) && pb_ptrmap_get(lots, pb_str(c[i].tender_id), &first)) {
			sum[first] = sum[first] > INT64_MAX - v ? INT64_MAX : sum[first] + v;
			continue;
		}
		if (c[i].tender_id)
			pb_ptrmap_put(lots, pb_str(c[i].tender_id), (uint32_t)i);
		sum[i] = v;
	}
	for (size_t i = 0; i < n; i++) {
		pb_date d = pb_contract_award_date(&c[i]);
		if (sum[i] >= 0 && sum[i] < threshold)
			pairs_add(pc, pb_ctx_entity(ctx, pb_str(c[i].buyer_id)), pb_ctx_entity(ctx, pb_str(c[i].supplier_id)),
				  (struct item){&c[i], pb_str(c[i].contract_id), sum[i], d, PB_T_CONTRACTS});
	}
	pb_ptrmap_free(lots);
	free(sum);
}

static void run_below_threshold(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	int64_t threshold = pb_param_money(ctx, "threshold");
	const char *cur = pb_param_currency(ctx, "threshold");
	size_t n, skipped = 0;
	struct pairs pc = {0}, pp = {0};
	pb_ptrmap *placeholders = pb_ptrmap_new(); /* payee -> is a placeholder */

	add_contract_items(ctx, &pc, &skipped);
	pairs_run(ctx, &pc);
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < n; i++) {
		if (p[i].contract_id || !p[i].payer_id || !p[i].payee_id ||
		    p[i].paid_on == PB_DATE_NONE || p[i].amount == PB_AMOUNT_NONE || p[i].amount <= 0 ||
		    pb_is_placeholder_memo(placeholders, pb_str(p[i].payee_id)) ||
		    pb_parties_catch_all(pb_ctx_parties(ctx), pb_str(p[i].payee_id)))
			continue; /* names no one, or many (a council's "GENERAL EXPENSES") */
		int64_t v;
		if (pb_param_money_convert(ctx, "threshold", p[i].amount, pb_str(p[i].currency), p[i].paid_on, &v, NULL) < 0) {
			skipped++;
			continue;
		}
		if (v < threshold)
			pairs_add(&pp, pb_ctx_entity(ctx, pb_str(p[i].payer_id)), pb_ctx_entity(ctx, pb_str(p[i].payee_id)),
				  (struct item){&p[i], pb_str(p[i].payment_id), v, p[i].paid_on, PB_T_PAYMENTS});
	}
	pairs_run(ctx, &pp);
	pb_ptrmap_free(placeholders);
	if (skipped)
		pb_ctx_note(ctx, "%zu rows could not be compared with the %s threshold: no exchange rate for their currency and date",
			    skipped, cur);
}

const pb_rule pb_rule_below_threshold = {
	.id = "splitting.below-threshold",
	.family = "splitting",
	.title = "Awards or payments split below a threshold",
	.source = "WB, ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000 EUR", "the approval or competition threshold being dodged"},
		{"window_days", PB_P_DAYS, "30", "items within this many days of the first form a group"},
		{"min_items", PB_P_INT, "2", "fewest items in a group that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_below_threshold,
	.fields = (const char *const[]){"contracts.value|payments.amount", NULL},
};

/* --- splitting.threshold-hugging --- */

/* A contract and its buyer entity. */
typedef struct {
	const pb_contract *c;
	const char *buyer;
	int64_t v; /* its value in the threshold's currency */
} buyer_contract;

static int by_contract_id(const void *pa, const void *pb)
{
	const buyer_contract *a = pa, *b = pb;

	return strcmp(pb_str(a->c->contract_id), pb_str(b->c->contract_id));
}

/* In [0.9T, T) and in [T, 1.1T), computed without rounding. */
static int just_below(int64_t v, int64_t t)
{
	return (pb_i128)v * 10 >= (pb_i128)t * 9 && v < t;
}

static int just_above(int64_t v, int64_t t)
{
	return v >= t && (pb_i128)v * 10 < (pb_i128)t * 11;
}

static void hugging_group(pb_rule_ctx *ctx, buyer_contract *bc, size_t n)
{
	const char *cur = pb_param_currency(ctx, "threshold");
	int64_t t = pb_param_money(ctx, "threshold");
	int64_t ratio = pb_param_millionths(ctx, "min_ratio");
	int64_t min_contracts = pb_param_int(ctx, "min_contracts");
	int64_t min_below = pb_param_int(ctx, "min_below");
	size_t below = 0, above = 0;

	if ((int64_t)n < min_contracts)
		return;
	for (size_t i = 0; i < n; i++) {
		below += just_below(bc[i].v, t) != 0;
		above += just_above(bc[i].v, t) != 0;
	}
	/* share below >= ratio x share above; the shares have the same n. */
	if ((int64_t)below < min_below ||
	    (pb_i128)below * PB_DECIMAL_SCALE < (pb_i128)ratio * above)
		return;
	qsort(bc, n, sizeof(*bc), by_contract_id); /* evidence and values in id order */
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, bc[0].buyer, NULL);
	for (size_t i = 0; i < n; i++)
		if (just_below(bc[i].v, t))
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, bc[i].c, "contract just below");
	pb_buf values;
	pb_buf_init(&values);
	for (size_t i = 0; i < n; i++) {
		char buf[32];
		pb_buf_addf(&values, "%s%s", i ? "," : "",
			    pb_amount_format(bc[i].v, pb_currency_exponent(cur), buf));
	}
	pb_finding_detail(ctx, f, "threshold", "%s", pb_ctx_money(ctx, t, cur));
	pb_finding_detail(ctx, f, "just_below", "%zu", below);
	pb_finding_detail(ctx, f, "just_above", "%zu", above);
	pb_finding_detail(ctx, f, "contracts", "%zu", n);
	pb_finding_detail(ctx, f, "values", "%s", values.data);
	pb_buf_release(&values);
	f->score = above ? (below >= 6 * above ? 1.0 : (double)below / (6.0 * (double)above)) : 1.0;
	pb_finding_message(ctx, f, "%zu of %s's %zu contracts are in the 10%% just below the %s threshold, %zu in the 10%% just above",
			   below, bc[0].buyer, n, pb_ctx_money(ctx, t, cur), above);
}

/*
 * Calls hugging_group with each buyer's contracts together, in the
 * ledger's order: a stable bucket sort on the buyers' numbers (a buyer
 * holds tens of thousands of contracts; comparing their ids is left to
 * the few buyers that fire).  A qsort of all the contracts by buyer was
 * a third of the rule at 10M rows, its buffer fresh pages.
 */
static void each_buyer(const buyer_contract *list, size_t m, pb_rule_ctx *ctx)
{
	pb_ptrmap *number = pb_ptrmap_new();
	uint32_t *key = pb_xcalloc(m + 1, sizeof(*key)), nb = 0;

	for (size_t i = 0; i < m; i++) {
		if (i && list[i].buyer == list[i - 1].buyer) {
			key[i] = key[i - 1]; /* a run of one buyer's: no look-up */
			continue;
		}
		if (!pb_ptrmap_get(number, list[i].buyer, &key[i]))
			pb_ptrmap_put(number, list[i].buyer, key[i] = nb++);
	}
	uint32_t *start = pb_xcalloc((size_t)nb + 1, sizeof(*start));
	uint32_t *order = pb_bucket_sorted(key, m, nb, start);
	size_t most = 0;
	for (uint32_t b = 0; b < nb; b++)
		most = start[b + 1] - start[b] > most ? start[b + 1] - start[b] : most;
	buyer_contract *g = pb_xcalloc(most + 1, sizeof(*g));
	for (uint32_t b = 0; b < nb; b++) {
		size_t len = start[b + 1] - start[b];
		for (size_t k = 0; k < len; k++)
			g[k] = list[order[start[b] + k]];
		hugging_group(ctx, g, len);
	}
	free(g);
	free(order);
	free(start);
	free(key);
	pb_ptrmap_free(number);
}

/*
 * Only contracts in the threshold's own currency are judged.  A buyer
 * shapes a value to stay under the threshold it must obey, written in
 * its currency; through a daily rate a bunch just under that line
 * spreads across the 10% bands of another currency's, and a chance
 * cluster forms in them (Mexico's GACM in MXN against 100000 EUR).
 */
static void run_threshold_hugging(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, m = 0, elsewhere = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	const char *cur = pb_param_currency(ctx, "threshold");
	buyer_contract *list = pb_xcalloc(n + 1, sizeof(*list));

	for (size_t i = 0; i < n; i++) {
		if (!c[i].buyer_id || c[i].value == PB_AMOUNT_NONE || c[i].value <= 0 ||
		    !pb_contract_is_award(l, &c[i], NULL))
			continue;
		if (!c[i].currency || strcmp(pb_str(c[i].currency), cur)) {
			elsewhere++;
			continue;
		}
		list[m++] = (buyer_contract){&c[i], pb_ctx_entity(ctx, pb_str(c[i].buyer_id)), c[i].value};
	}
	if (elsewhere)
		pb_ctx_note(ctx, "%zu contracts in another currency than the %s threshold's: not judged "
			    "(a value is shaped against the threshold in its own currency; give the "
			    "threshold in theirs to judge them)", elsewhere, cur);
	each_buyer(list, m, ctx);
	free(list);
}

const pb_rule pb_rule_threshold_hugging = {
	.id = "splitting.threshold-hugging",
	.family = "splitting",
	.title = "A buyer's contract values cluster just under a threshold",
	.source = "OCP, GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000 EUR", "the legal threshold T (with its currency)"},
		{"min_ratio", PB_P_DECIMAL, "3", "share in [0.9T, T) over share in [T, 1.1T) that fires"},
		{"min_contracts", PB_P_INT, "10", "contracts of the buyer needed"},
		{"min_below", PB_P_INT, "3", "contracts in [0.9T, T) needed, so one contract never fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_threshold_hugging,
	.fields = (const char *const[]){"contracts.value", NULL},
};
