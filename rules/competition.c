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
		if (!t) {
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
		pb_ctx_note(ctx, "%zu contracts have no tender to tell their method", no_tender);
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
 * that "due to the urgency of the need" leaves nothing behind. */
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
	"in (accordance|line) with (the )?(law|regulations?|rules?|procedures?)\n"
	"(article|art|section|clause|para(graph)?)\\.? ?[0-9.()a-z-]*\n"
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
