/*
 * competition.c - single-source and weak competition.
 *
 * Risk: awards without competition are the most direct way to steer
 * public money to a chosen supplier; a boilerplate justification ("urgent
 * operational needs") is how they get past review; a "competitive" tender
 * that attracted one bid often had its specification written for it.
 * Data: contracts and tenders (method, rationale, number_of_tenderers);
 * bids when loaded.
 * False positives: genuine urgency or exclusive rights (patents,
 * compatibility with installed equipment) when the rationale says so;
 * single bids in thin markets.
 * Thresholds: 100000 in the base currency (a common EU-style threshold
 * for supplies; set your legal threshold); OCP red flags, GTI CRI (single
 * bidding), TI-DS (single sourcing in defence).
 */
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static void run_single_source(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, no_tender = 0, other_currency = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t threshold = pb_param_money(ctx, "threshold");

	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, c[i].tender_id);
		if (!t || !t->method) {
			no_tender++;
			continue;
		}
		if (!pb_method_is_noncompetitive(t->method) || c[i].value == PB_AMOUNT_NONE)
			continue;
		if (c[i].currency != pb_ctx_currency(ctx)) {
			other_currency++;
			continue;
		}
		if (c[i].value < threshold)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c[i].contract_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
		pb_finding_detail(ctx, f, "method", "%s", t->method);
		pb_finding_detail(ctx, f, "value", "%s", pb_ctx_money(ctx, c[i].value, c[i].currency));
		pb_finding_detail(ctx, f, "threshold", "%s", pb_ctx_money(ctx, threshold, pb_ctx_currency(ctx)));
		double r = pb_ratio(c[i].value, threshold ? threshold : 1);
		f->score = r >= 10.0 ? 1.0 : 0.5 + r / 20.0;
		pb_finding_message(ctx, f,
			"contract %s (%s) went to %s without competition (method %s%s%s), above the %s threshold",
			c[i].contract_id, pb_ctx_money(ctx, c[i].value, c[i].currency),
			c[i].supplier_id ? c[i].supplier_id : "an unnamed supplier", t->method,
			t->method_details ? ": " : "", t->method_details ? t->method_details : "",
			pb_ctx_money(ctx, threshold, pb_ctx_currency(ctx)));
	}
	if (no_tender)
		pb_ctx_note(ctx, "%zu contracts have no tender (or no method) to judge", no_tender);
	if (other_currency)
		pb_ctx_note(ctx, "skipped %zu non-competitive contracts not in %s",
			    other_currency, pb_ctx_currency(ctx));
}

const pb_rule pb_rule_single_source = {
	.id = "competition.single-source",
	.family = "competition",
	.title = "Contract above threshold awarded without competition",
	.source = "OCP, GTI, TI-DS",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000", "smallest non-competitive contract value that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_single_source,
};

static void run_weak_rationale(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_tender *t = pb_ledger_tenders(pb_ctx_ledger(ctx), &n);
	size_t min = (size_t)pb_param_int(ctx, "min_substance");

	for (size_t i = 0; i < n; i++) {
		if (!pb_method_is_noncompetitive(t[i].method))
			continue;
		const char *why = t[i].method_rationale;
		size_t left = why ? pb_param_uncovered(ctx, "boilerplate", why) : 0;
		if (why && left >= min)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, t[i].tender_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
		pb_finding_detail(ctx, f, "method", "%s", t[i].method);
		pb_finding_detail(ctx, f, "rationale", "%s", why ? why : "");
		pb_finding_detail(ctx, f, "substance", "%zu", left);
		pb_finding_detail(ctx, f, "min_substance", "%zu", min);
		f->score = why ? 0.7 : 1.0;
		if (why)
			pb_finding_message(ctx, f,
				"%s award %s is justified only by boilerplate: \"%s\"",
				t[i].method, t[i].tender_id, why);
		else
			pb_finding_message(ctx, f, "%s award %s gives no rationale for avoiding competition",
					   t[i].method, t[i].tender_id);
	}
}

/* Phrases that justify nothing on their own, after OCP's and the World
 * Bank's lists of vague justifications; filler words are covered too so
 * that "due to the urgency of the need" leaves nothing behind.  Legal
 * references are covered with their number only, and only as whole words,
 * so that "art" never eats the rest of "Smart fuzes". */
static const char boilerplate[] =
	"urgen(t|cy|tly)\n"
	"(operational|mission|military|service|technical) (needs?|necessity|necessities|requirements?|reasons?)\n"
	"national (security|defen[cs]e|interests?)\n"
	"defen[cs]e (needs?|interests?|purposes?)\n"
	"(sole|single|only|exclusive) (supplier|source|provider|manufacturer|vendor)\n"
	"only (one|available) (supplier|source|provider)\n"
	"exclusive rights?\n"
	"see (file|attached|annex|attachment|dossier)\n"
	"as per (the )?(regulations?|law|rules?|decision)\n"
	"in (accordance|line) with( (the )?(law|regulations?|rules?|procedures?))?\n"
	"\\b(articles?|art|sections?|clauses?|para(graph)?s?)\\b\\.? ?([0-9][0-9.()a-z/-]*|[ivxlc]+\\b)?\n"
	"\\b(eu )?directive( [0-9]{2,4}/[0-9]+(/[a-z]+)?)?\n"
	"\\b(n/?a|none|nil|tbd|tbc|other|various|misc|ok|yes)\\b\n"
	"\\b(the|a|an|and|or|of|for|to|by|due|is|are|was|were|be|been|in|on|with|our|this|that|its|it|as|per|at|from|needs?)\\b\n";

const pb_rule pb_rule_weak_rationale = {
	.id = "competition.weak-rationale",
	.family = "competition",
	.title = "Non-competitive award with no rationale or only boilerplate",
	.source = "OCP, WB",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"boilerplate", PB_P_PATTERNS, boilerplate, "phrases that justify nothing on their own"},
		{"min_substance", PB_P_INT, "3", "letters and digits outside boilerplate needed to pass"},
		{NULL, 0, NULL, NULL}},
	.run = run_weak_rationale,
};

/* Distinct bidders whose bid was not withdrawn, or -1 without bids. */
static int64_t count_bidders(pb_ledger *l, const pb_tender *t, const pb_bid **only)
{
	size_t nb;
	const uint32_t *bi = pb_ledger_group(l, PB_T_BIDS, offsetof(pb_bid, tender_id),
					     t->tender_id, &nb);
	const char *seen[2] = {NULL, NULL};
	int64_t n = 0;

	if (!nb)
		return -1;
	for (size_t k = 0; k < nb && n < 2; k++) {
		const pb_bid *b = pb_ledger_at(l, PB_T_BIDS, bi[k]);
		if (b->status && !strcmp(b->status, "withdrawn"))
			continue;
		const char *who = b->bidder_id ? b->bidder_id : b->bid_id;
		if (n == 1 && seen[0] == who)
			continue;
		seen[n++] = who;
		*only = b;
	}
	return n;
}

static void run_single_bid(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);

	for (size_t i = 0; i < n; i++) {
		if (!pb_method_is_competitive(t[i].method))
			continue;
		const pb_bid *bid = NULL;
		int64_t bidders = pb_ledger_count(l, PB_T_BIDS) ? count_bidders(l, &t[i], &bid) : -1;
		int from_bids = bidders >= 0;
		if (!from_bids)
			bidders = t[i].number_of_tenderers;
		if (bidders != 1)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, t[i].tender_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
		if (bid)
			pb_finding_evidence(ctx, f, PB_T_BIDS, bid, "only bid");
		pb_finding_detail(ctx, f, "counted_from", "%s", from_bids ? "bids" : "number_of_tenderers");
		pb_finding_message(ctx, f, "%s tender %s received a single bid%s%s",
				   t[i].method, t[i].tender_id, bid && bid->bidder_id ? ", from " : "",
				   bid && bid->bidder_id ? bid->bidder_id : "");
	}
}

const pb_rule pb_rule_single_bid = {
	.id = "competition.single-bid",
	.family = "competition",
	.title = "Competitive tender that received a single bid",
	.source = "OCP, GTI (Cardinal R018)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
	.run = run_single_bid,
};

/* --- per buyer and year: non-competitive share, supplier concentration --- */

static int64_t year_of(pb_date d)
{
	int y, m, day;

	pb_date_to_ymd(d, &y, &m, &day);
	return y;
}

static pb_date award_date(const pb_contract *c)
{
	return c->awarded_on != PB_DATE_NONE ? c->awarded_on : c->signed_on;
}

/* Contracts of the buyer in one year, in the base currency, with a value
 * and a date; calls fn once per (buyer, year) group with its members. */
typedef void (*year_fn)(pb_rule_ctx *ctx, const pb_contract *const *group, size_t n,
			const char *buyer, int64_t year);

static int by_buyer_year(const void *pa, const void *pb)
{
	const pb_contract *a = *(const pb_contract *const *)pa;
	const pb_contract *b = *(const pb_contract *const *)pb;
	int c = strcmp(a->buyer_id, b->buyer_id);

	if (c)
		return c;
	int64_t ya = year_of(award_date(a)), yb = year_of(award_date(b));
	if (ya != yb)
		return ya < yb ? -1 : 1;
	return strcmp(a->contract_id, b->contract_id);
}

static void for_each_buyer_year(pb_rule_ctx *ctx, year_fn fn)
{
	size_t n, m = 0;
	const pb_contract *c = pb_ledger_contracts(pb_ctx_ledger(ctx), &n);
	const pb_contract **list = pb_xcalloc(n + 1, sizeof(*list));

	for (size_t i = 0; i < n; i++)
		if (c[i].buyer_id && c[i].value != PB_AMOUNT_NONE && c[i].value > 0 &&
		    c[i].currency == pb_ctx_currency(ctx) && award_date(&c[i]) != PB_DATE_NONE)
			list[m++] = &c[i];
	qsort(list, m, sizeof(*list), by_buyer_year);
	for (size_t s = 0; s < m;) {
		size_t e = s + 1;
		int64_t y = year_of(award_date(list[s]));
		while (e < m && list[e]->buyer_id == list[s]->buyer_id &&
		       year_of(award_date(list[e])) == y)
			e++;
		fn(ctx, list + s, e - s, list[s]->buyer_id, y);
		s = e;
	}
	free(list);
}

static void noncompetitive_year(pb_rule_ctx *ctx, const pb_contract *const *g, size_t n,
				const char *buyer, int64_t year)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	int64_t min_pct = pb_param_millionths(ctx, "min_share_pct");
	int64_t min_contracts = pb_param_int(ctx, "min_contracts");
	pb_i128 total = 0, nc = 0;
	size_t known = 0, nnc = 0;

	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, g[i]->tender_id);
		if (!t || !t->method)
			continue;
		known++;
		total += g[i]->value;
		if (pb_method_is_noncompetitive(t->method)) {
			nc += g[i]->value;
			nnc++;
		}
	}
	if ((int64_t)known < min_contracts || total <= 0 ||
	    nc * 100 * PB_DECIMAL_SCALE < (pb_i128)min_pct * total)
		return;
	double pct = (double)nc * 100.0 / (double)total;
	const char *disc = pb_arena_printf(pb_ledger_arena(l), "%lld", (long long)year);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, buyer, disc);
	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, g[i]->tender_id);
		if (t && pb_method_is_noncompetitive(t->method))
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, g[i], "non-competitive contract");
	}
	const char *cur = pb_ctx_currency(ctx);
	int64_t nc64 = nc > INT64_MAX ? INT64_MAX : (int64_t)nc;
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	pb_finding_detail(ctx, f, "year", "%lld", (long long)year);
	pb_finding_detail(ctx, f, "share_pct", "%.1f", pct);
	pb_finding_detail(ctx, f, "contracts", "%zu of %zu", nnc, known);
	f->score = pct / 100.0;
	pb_finding_message(ctx, f, "%s awarded %.1f%% of its %lld contract value without competition (%s of %s, %zu of %zu contracts)",
			   buyer, pct, (long long)year, pb_ctx_money(ctx, nc64, cur),
			   pb_ctx_money(ctx, t64, cur), nnc, known);
}

static void run_noncompetitive_share(pb_rule_ctx *ctx)
{
	for_each_buyer_year(ctx, noncompetitive_year);
}

const pb_rule pb_rule_noncompetitive_share = {
	.id = "competition.noncompetitive-share",
	.family = "competition",
	.title = "A buyer's share of value awarded without competition is high",
	.source = "GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"min_share_pct", PB_P_PERCENT, "50", "share of the year's awarded value that fires"},
		{"min_contracts", PB_P_INT, "5", "contracts with a known method needed in the year"},
		{NULL, 0, NULL, NULL}},
	.run = run_noncompetitive_share,
};

static void concentration_finding(pb_rule_ctx *ctx, const pb_contract *const *g, size_t n,
				  const char *s, pb_i128 sum, size_t k, pb_i128 total,
				  int64_t year)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *buyer = g[0]->buyer_id;
	double pct = (double)sum * 100.0 / (double)total;
	const char *disc = pb_arena_printf(pb_ledger_arena(l), "%lld|%s", (long long)year, s);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, buyer, disc);

	for (size_t j = 0; j < n; j++)
		if (g[j]->supplier_id == s)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, g[j], "contract");
	const char *cur = pb_ctx_currency(ctx);
	int64_t s64 = sum > INT64_MAX ? INT64_MAX : (int64_t)sum;
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	pb_finding_detail(ctx, f, "supplier", "%s", s);
	pb_finding_detail(ctx, f, "share_pct", "%.1f", pct);
	f->score = pct / 100.0;
	pb_finding_message(ctx, f, "%s holds %.1f%% of %s's %lld contract value (%s of %s, %zu of %zu contracts)",
			   s, pct, buyer, (long long)year, pb_ctx_money(ctx, s64, cur),
			   pb_ctx_money(ctx, t64, cur), k, n);
}

/* Sums per supplier in one pass; a supplier above the share fires once. */
static void concentration_year(pb_rule_ctx *ctx, const pb_contract *const *g, size_t n,
			       const char *buyer, int64_t year)
{
	int64_t min_pct = pb_param_millionths(ctx, "min_share_pct");
	int64_t min_contracts = pb_param_int(ctx, "min_contracts");
	pb_i128 total = 0, *sum = pb_xcalloc(n + 1, sizeof(*sum));
	size_t *count = pb_xcalloc(n + 1, sizeof(*count)), ns = 0;
	const char **who = pb_xcalloc(n + 1, sizeof(*who));
	pb_ptrmap *index = pb_ptrmap_new();

	(void)buyer;
	for (size_t i = 0; i < n; i++) {
		uint32_t k;
		total += g[i]->value;
		if (!g[i]->supplier_id)
			continue;
		if (!pb_ptrmap_get(index, g[i]->supplier_id, &k)) {
			k = (uint32_t)ns++;
			who[k] = g[i]->supplier_id;
			pb_ptrmap_put(index, who[k], k);
		}
		sum[k] += g[i]->value;
		count[k]++;
	}
	for (size_t k = 0; (int64_t)n >= min_contracts && total > 0 && k < ns; k++)
		if (sum[k] * 100 * PB_DECIMAL_SCALE >= (pb_i128)min_pct * total)
			concentration_finding(ctx, g, n, who[k], sum[k], count[k], total, year);
	pb_ptrmap_free(index);
	free(sum);
	free(count);
	free(who);
}

static void run_concentration(pb_rule_ctx *ctx)
{
	for_each_buyer_year(ctx, concentration_year);
}

const pb_rule pb_rule_supplier_concentration = {
	.id = "competition.supplier-concentration",
	.family = "competition",
	.title = "One supplier holds a large share of a buyer's awarded value",
	.source = "OCP, GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"min_share_pct", PB_P_PERCENT, "50", "one supplier's share of the year's awarded value that fires"},
		{"min_contracts", PB_P_INT, "5", "contracts of the buyer needed in the year"},
		{NULL, 0, NULL, NULL}},
	.run = run_concentration,
};

/* --- competition.repeat-direct-awards --- */

static int by_pair_date(const void *pa, const void *pb)
{
	const pb_contract *a = *(const pb_contract *const *)pa;
	const pb_contract *b = *(const pb_contract *const *)pb;
	int c = strcmp(a->buyer_id, b->buyer_id);

	if (c || (c = strcmp(a->supplier_id, b->supplier_id)))
		return c;
	if (award_date(a) != award_date(b))
		return award_date(a) < award_date(b) ? -1 : 1;
	return strcmp(a->contract_id, b->contract_id);
}

static void repeat_group(pb_rule_ctx *ctx, const pb_contract *const *g, size_t n)
{
	int64_t min = pb_param_int(ctx, "min_awards");
	int64_t window = pb_param_int(ctx, "window_days");
	char d0[11], d1[11];

	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e < n && award_date(g[e]) - award_date(g[s]) <= window)
			e++;
		if ((int64_t)(e - s) < min) {
			s++;
			continue;
		}
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, g[s]->contract_id, g[s]->supplier_id);
		for (size_t k = s; k < e; k++)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, g[k], "non-competitive contract");
		pb_finding_detail(ctx, f, "awards", "%zu", e - s);
		f->score = e - s >= (size_t)(2 * min) ? 1.0 : (double)(e - s) / (double)(2 * min);
		pb_finding_message(ctx, f, "%s gave %s %zu non-competitive awards between %s and %s",
				   g[s]->buyer_id, g[s]->supplier_id, e - s,
				   pb_date_format(award_date(g[s]), d0), pb_date_format(award_date(g[e - 1]), d1));
		s = e;
	}
}

static void run_repeat_direct(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, m = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	const pb_contract **list = pb_xcalloc(n + 1, sizeof(*list));

	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, c[i].tender_id);
		if (t && pb_method_is_noncompetitive(t->method) && c[i].buyer_id &&
		    c[i].supplier_id && award_date(&c[i]) != PB_DATE_NONE)
			list[m++] = &c[i];
	}
	qsort(list, m, sizeof(*list), by_pair_date);
	for (size_t s = 0; s < m;) {
		size_t e = s + 1;
		while (e < m && list[e]->buyer_id == list[s]->buyer_id &&
		       list[e]->supplier_id == list[s]->supplier_id)
			e++;
		repeat_group(ctx, list + s, e - s);
		s = e;
	}
	free(list);
}

const pb_rule pb_rule_repeat_direct_awards = {
	.id = "competition.repeat-direct-awards",
	.family = "competition",
	.title = "The same buyer and supplier repeatedly use non-competitive awards",
	.source = "OCP",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"min_awards", PB_P_INT, "3", "non-competitive awards to one supplier that fire"},
		{"window_days", PB_P_DAYS, "365", "within this many days of the first"},
		{NULL, 0, NULL, NULL}},
	.run = run_repeat_direct,
};
