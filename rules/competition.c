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

#include "cardinal.h"
#include "rules.h"

/* "A", or "A, B and C (joint award)". */
static const char *suppliers_text(pb_rule_ctx *ctx, const pb_contract *c)
{
	const char *ids[8];
	size_t n = pb_contract_suppliers(pb_ctx_ledger(ctx), c, ids, 8);
	pb_buf b;
	const char *out;

	if (n == 0)
		return "an unnamed supplier";
	if (n == 1)
		return ids[0];
	pb_buf_init(&b);
	for (size_t i = 0; i < n && i < 8; i++)
		pb_buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", ids[i]);
	if (n > 8)
		pb_buf_addf(&b, " and %zu more", n - 8);
	pb_buf_addstr(&b, " (joint award)");
	out = pb_arena_strndup(pb_ctx_scratch(ctx), b.data, b.len);
	pb_buf_release(&b);
	return out;
}

/* The method words for a message: "direct: reporting". */
static const char *method_text(pb_rule_ctx *ctx, const pb_tender *t)
{
	const pb_procedure *p = pb_ctx_procedure(ctx, t);
	const char *m = t->method ? pb_str(t->method) : p ? p->method : "unknown";

	if (!t->method_details)
		return m;
	return pb_arena_printf(pb_ctx_scratch(ctx), "%s: %s", m, pb_str(t->method_details));
}

static void run_single_source(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, unknown = 0, no_rate = 0, not_awarded = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t threshold = pb_param_money(ctx, "threshold");
	const char *tcur = pb_param_currency(ctx, "threshold");

	for (size_t i = 0; i < n; i++) {
		pb_fx_used fx;
		int64_t v;
		if (!pb_contract_is_award(l, &c[i], NULL)) {
			not_awarded++;
			continue;
		}
		const pb_tender *t = pb_ctx_tender_of(ctx, &c[i]);
		pb_competition comp = pb_ctx_competition(ctx, t);
		if (comp == PB_COMPETITION_UNKNOWN) {
			unknown++;
			continue;
		}
		if (comp == PB_COMPETITION_YES || c[i].value == PB_AMOUNT_NONE)
			continue;
		int reached = pb_param_money_reached(ctx, "threshold", c[i].value, pb_str(c[i].currency),
						     pb_contract_value_date(&c[i]), &fx);
		if (reached < 0) {
			no_rate++;
			continue;
		}
		if (!reached)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
		pb_finding_fx(ctx, f, &fx);
		pb_finding_detail(ctx, f, "method", "%s", method_text(ctx, t));
		pb_finding_detail(ctx, f, "procedure", "%s", pb_ctx_procedure(ctx, t)->name);
		pb_finding_detail(ctx, f, "value", "%s", pb_ctx_money(ctx, c[i].value, pb_str(c[i].currency)));
		pb_finding_detail(ctx, f, "threshold", "%s", pb_ctx_money(ctx, threshold, tcur));
		if (pb_param_money_convert(ctx, "threshold", c[i].value, pb_str(c[i].currency), pb_contract_value_date(&c[i]), &v, NULL) < 0)
			v = threshold;
		double r = pb_ratio(v, threshold ? threshold : 1);
		f->score = r >= 10.0 ? 1.0 : 0.5 + r / 20.0;
		pb_finding_message(ctx, f,
			"contract %s (%s) went to %s without competition (method %s), above the %s threshold",
			pb_str(c[i].contract_id), pb_ctx_money(ctx, c[i].value, pb_str(c[i].currency)),
			suppliers_text(ctx, &c[i]), method_text(ctx, t), pb_ctx_money(ctx, threshold, tcur));
	}
	if (unknown)
		pb_ctx_note(ctx, "%zu awarded contracts have no tender or a procedure the procedure table does not know: not judged",
			    unknown);
	if (not_awarded)
		pb_ctx_note(ctx, "%zu contracts were not awarded (pending, cancelled or unsuccessful): not judged",
			    not_awarded);
	if (no_rate)
		pb_ctx_note(ctx, "%zu non-competitive contracts could not be compared with the %s threshold: no exchange rate for their currency and date",
			    no_rate, tcur);
}

const pb_rule pb_rule_single_source = {
	.id = "competition.single-source",
	.family = "competition",
	.title = "Contract above threshold awarded without competition",
	.source = "OCP, GTI, TI-DS",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000 EUR", "smallest non-competitive contract value that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_single_source,
	.fields = (const char *const[]){"contracts.value", "tenders.method|tenders.method_details", NULL},
};

/*
 * The awarded contracts of a tender.  When the ledger has no contracts
 * at all (a tender register on its own) a tender that is not void
 * stands for its award; otherwise a tender with no awarded contract
 * (a contract notice, a planned procedure) is not an award.
 */
static size_t awards_of(pb_ledger *l, const pb_tender *t, const pb_contract **first)
{
	size_t nc, awarded = 0;
	const uint32_t *ci;

	*first = NULL;
	if (!pb_ledger_count(l, PB_T_CONTRACTS))
		return pb_tender_is_void(t) ? 0 : 1;
	ci = pb_tender_contracts(l, t, &nc);
	for (size_t k = 0; k < nc; k++) {
		const pb_contract *c = pb_ledger_at(l, PB_T_CONTRACTS, ci[k]);
		if (pb_contract_is_award(l, c, NULL) && !awarded++)
			*first = c;
	}
	return awarded;
}

/* What a tender's rationale amounts to: 0 substance, 1 boilerplate,
 * 2 the procedure's name only, 3 none at all. */
static int rationale_kind(pb_rule_ctx *ctx, const pb_tender *t, size_t *left)
{
	const char *why = pb_str(t->method_rationale);
	size_t min = (size_t)pb_param_int(ctx, "min_substance");

	*left = 0;
	if (!why)
		return 3;
	/* "36 ADJUDICACION DIRECTA ART.41" names the procedure: it says
	 * how, not why. */
	if (pb_ctx_rationale_names_procedure(ctx, why))
		return 2;
	*left = pb_param_uncovered(ctx, "boilerplate", why);
	return *left >= min ? 0 : 1;
}

static void weak_finding(pb_rule_ctx *ctx, const pb_tender *t, const pb_contract *award, int kind,
			 size_t left)
{
	const char *why = pb_str(t->method_rationale);
	pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t->tender_id), NULL);

	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	if (award)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, award, "award");
	pb_finding_detail(ctx, f, "method", "%s", method_text(ctx, t));
	pb_finding_detail(ctx, f, "rationale", "%s", why ? why : "");
	pb_finding_detail(ctx, f, "substance", "%zu", left);
	pb_finding_detail(ctx, f, "min_substance", "%lld", (long long)pb_param_int(ctx, "min_substance"));
	f->score = why ? 0.7 : 1.0;
	if (kind == 2)
		pb_finding_message(ctx, f, "%s award %s gives only the procedure's name as its rationale: \"%s\"",
				   method_text(ctx, t), pb_str(t->tender_id), why);
	else if (kind == 1)
		pb_finding_message(ctx, f, "%s award %s is justified only by boilerplate: \"%s\"",
				   method_text(ctx, t), pb_str(t->tender_id), why);
	else
		pb_finding_message(ctx, f, "%s award %s gives no rationale for avoiding competition",
				   method_text(ctx, t), pb_str(t->tender_id));
}

/* Per publisher: non-competitive awards judged, and those without a
 * rationale of substance. */
struct rationale_habit {
	size_t judged, weak;
	size_t weak_unjudged; /* weak, not judged: the publisher gives no rationale anywhere */
	int any;              /* some tender of the publisher, of any method, gives a rationale */
};

/*
 * A publisher whose non-competitive awards almost never carry a
 * rationale of substance (its rationale field holds "Nacional" or the
 * procedure's name, or nothing) does not publish justifications at all:
 * one coverage note, not a finding per award.
 */
static int publisher_silent(pb_rule_ctx *ctx, const struct rationale_habit *h)
{
	return h->weak >= (size_t)pb_param_int(ctx, "min_publisher_awards") &&
	       (pb_i128)h->weak * 100 * PB_DECIMAL_SCALE >=
		       (pb_i128)pb_param_millionths(ctx, "publisher_share_pct") * h->judged;
}

/*
 * Which publishers give a rationale on any tender at all.  One that
 * never does (Taiwan's OCDS has no procurementMethodRationale anywhere)
 * may not export the field: an empty one there says nothing about the
 * award.  Only tenders with a rationale are looked up.
 */
static void mark_rationales(pb_ledger *l, const pb_tender *t, size_t n, pb_ptrmap *index,
			    struct rationale_habit *h)
{
	uint32_t k;

	for (size_t i = 0; i < n; i++)
		if (t[i].method_rationale && *pb_str(t[i].method_rationale) &&
		    pb_ptrmap_get(index, pb_ledger_publisher(l, &t[i].row), &k))
			h[k].any = 1;
}

/* A non-competitive award whose rationale has no substance, kept from
 * the counting pass so that no text is judged twice. */
struct weak {
	const pb_tender *t;
	const pb_contract *award;
	uint32_t pub; /* index into the publishers' habits */
	int kind;
	size_t left;
};

static void run_weak_rationale(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, unawarded = 0, silent = 0, small = 0, np = 0, cap = 0, nw = 0, capw = 0, left;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	pb_ptrmap *index = pb_ptrmap_new();
	struct rationale_habit *h = NULL;
	const char **names = NULL;
	struct weak *w = NULL;
	uint32_t k;

	for (size_t i = 0; i < n; i++) {
		const pb_contract *award;
		if (pb_ctx_competition(ctx, &t[i]) != PB_COMPETITION_NO)
			continue;
		if (!awards_of(l, &t[i], &award)) {
			unawarded++;
			continue;
		}
		if (pb_ctx_procedure(ctx, &t[i])->small) {
			small++;
			continue;
		}
		const char *pub = pb_ledger_publisher(l, &t[i].row);
		if (!pb_ptrmap_get(index, pub, &k)) {
			PB_GROW(h, np + 1, cap);
			names = pb_xreallocarray(names, cap, sizeof(*names));
			k = (uint32_t)np++;
			h[k] = (struct rationale_habit){0};
			names[k] = pub;
			pb_ptrmap_put(index, pub, k);
		}
		h[k].judged++;
		int kind = rationale_kind(ctx, &t[i], &left);
		if (!kind)
			continue;
		h[k].weak++;
		PB_GROW(w, nw + 1, capw);
		w[nw++] = (struct weak){&t[i], award, k, kind, left};
	}
	if (nw)
		mark_rationales(l, t, n, index, h);
	for (size_t i = 0; i < nw; i++) {
		if (publisher_silent(ctx, &h[w[i].pub])) {
			silent++;
			continue;
		}
		if (!h[w[i].pub].any) {
			h[w[i].pub].weak_unjudged++;
			continue;
		}
		weak_finding(ctx, w[i].t, w[i].award, w[i].kind, w[i].left);
	}
	if (unawarded)
		pb_ctx_note(ctx, "%zu non-competitive tenders have no award (notices, planned, cancelled): not judged",
			    unawarded);
	if (small)
		pb_ctx_note(ctx, "%zu awards by a low-value procedure, for which no justification is owed: not judged",
			    small);
	for (size_t j = 0; silent && j < np; j++)
		if (publisher_silent(ctx, &h[j]))
			pb_ctx_note(ctx, "%s gives a rationale of substance for %zu of its %zu non-competitive awards: it does not publish justifications, not judged",
				    names[j], h[j].judged - h[j].weak, h[j].judged);
	for (size_t j = 0; j < np; j++)
		if (h[j].weak_unjudged)
			pb_ctx_note(ctx, "%s gives no rationale on any of its tenders (its export may not carry one): %zu non-competitive awards without one not judged",
				    names[j], h[j].weak_unjudged);
	pb_ptrmap_free(index);
	free(h);
	free(names);
	free(w);
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
	"\\b(art[ií]culos?|fracci[oó]n(es)?|p[aá]rrafos?|incisos?|apartados?)\\b\\.? ?([0-9][0-9.()a-z/-]*|[ivxlc]+\\b)?\n"
	"\\b(ley|reglamento|leyes|lei|legea|loi|gesetz)\\b( de| del| des| der)?\n"
	"\\b(no aplica|nacional|internacional|national|international|contract|contrato)\\b\n"
	"\\b(de|del|la|el|los|las|por|con|y|en|para|al|se|conforme|conformidad|proceder[aá])\\b\n"
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
		{"min_publisher_awards", PB_P_INT, "10", "a publisher with this many weak rationales ..."},
		{"publisher_share_pct", PB_P_PERCENT, "90", "... making this share of its non-competitive awards is a coverage note"},
		{NULL, 0, NULL, NULL}},
	.run = run_weak_rationale,
	/* No rationale anywhere is judged, not "could not judge": a
	 * publisher that never gives one is a coverage note of its own. */
	.fields = (const char *const[]){"tenders.method|tenders.method_details", NULL},
};

/* Distinct bidders whose bid was not withdrawn, or -1 without bids. */
static int64_t count_bidders(pb_ledger *l, const pb_tender *t, const pb_bid **only)
{
	size_t nb;
	const uint32_t *bi = pb_tender_bids(l, t, &nb);
	const char *seen[2] = {NULL, NULL};
	int64_t n = 0;

	if (!nb)
		return -1;
	for (size_t k = 0; k < nb && n < 2; k++) {
		const pb_bid *b = pb_ledger_at(l, PB_T_BIDS, bi[k]);
		if (b->status && !strcmp(pb_str(b->status), "withdrawn"))
			continue;
		const char *who = pb_str(b->bidder_id ? b->bidder_id : b->bid_id);
		if (n == 1 && seen[0] == who)
			continue;
		seen[n++] = who;
		*only = b;
	}
	return n;
}


/*
 * mode = cardinal (`probity cardinal`, Cardinal's R018): numberOfTenderers
 * is the integer 1 and procurementMethod, as published (the OCDS
 * importer's raw ocds_* extras), is one of `methods` (all when empty);
 * cancelled tenders and [exclusions] are skipped, as Cardinal skips them.
 * Flags are findings whose details say where they go in Cardinal's output.
 */
static void run_single_bid_cardinal(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_tender *t = pb_ledger_tenders(pb_ctx_ledger(ctx), &n);
	const char *methods = pb_param_text(ctx, "methods");

	for (size_t i = 0; i < n; i++) {
		const char *status = pb_row_extra(&t[i].row, "ocds_status");
		const char *method = pb_row_extra(&t[i].row, "ocds_method");
		if ((status && !strcmp(status, "cancelled")) || t[i].number_of_tenderers != 1 ||
		    pb_list_has(pb_param_text(ctx, "exclusions"), pb_row_extra(&t[i].row, "ocds_details")) ||
		    (*methods && !pb_list_has(methods, method)))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t[i].tender_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
		pb_finding_detail(ctx, f, "cardinal_group", "OCID");
		pb_finding_detail(ctx, f, "cardinal_id", "%s", pb_str(t[i].tender_id));
		pb_finding_detail(ctx, f, "cardinal_code", "R018");
		pb_finding_detail(ctx, f, "cardinal_value", "1");
		pb_finding_message(ctx, f, "Cardinal R018: OCID %s = 1", pb_str(t[i].tender_id));
	}
}

static void run_single_bid(pb_rule_ctx *ctx)
{
	if (!strcmp(pb_param_text(ctx, "mode"), "cardinal")) {
		run_single_bid_cardinal(ctx);
		return;
	}
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);

	for (size_t i = 0; i < n; i++) {
		if (pb_ctx_competition(ctx, &t[i]) != PB_COMPETITION_YES || pb_tender_is_void(&t[i]))
			continue;
		const pb_bid *bid = NULL;
		int64_t bidders = pb_ledger_count(l, PB_T_BIDS) ? count_bidders(l, &t[i], &bid) : -1;
		int from_bids = bidders >= 0;
		if (!from_bids)
			bidders = t[i].number_of_tenderers;
		if (bidders != 1)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t[i].tender_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
		if (bid)
			pb_finding_evidence(ctx, f, PB_T_BIDS, bid, "only bid");
		pb_finding_detail(ctx, f, "counted_from", "%s", from_bids ? "bids" : "number_of_tenderers");
		pb_finding_message(ctx, f, "%s tender %s received a single bid%s%s",
				   method_text(ctx, &t[i]), pb_str(t[i].tender_id), bid && bid->bidder_id ? ", from " : "",
				   bid && bid->bidder_id ? pb_str(bid->bidder_id) : "");
	}
}

const pb_rule pb_rule_single_bid = {
	.id = "competition.single-bid",
	.family = "competition",
	.title = "Competitive tender that received a single bid",
	.source = "OCP, GTI (Cardinal R018)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		PB_CARDINAL_MODE,
		{"methods", PB_P_TEXT, "open|selective", "mode cardinal: procurementMethod values judged (a|b), all when empty"},
		PB_CARDINAL_EXCLUSIONS,
		{NULL, 0, NULL, NULL}},
	.run = run_single_bid,
	.fields = (const char *const[]){"tenders.method|tenders.method_details", "bids.bidder_id|tenders.number_of_tenderers", NULL},
};

/* --- per buyer and year: non-competitive share, supplier concentration --- */

/* A buyer's year: its awarded contracts, order[from .. from + n) of
 * buyer_years, in the ledger's order. */
typedef struct {
	const char *buyer; /* entity id: registry twins are one buyer */
	int64_t year;
	size_t from, n;
} year_group;

/* Awarded contracts with a value and a date, grouped by buyer entity
 * (by strcmp) and year: made once for the two rules that judge a
 * buyer's year.  A share has no currency, but its parts must share one:
 * a contract in another currency counts at its base-currency value on
 * its award date, and one no rate converts is left out, counted. */
typedef struct {
	uint32_t *order; /* contract indexes */
	year_group *groups;
	size_t ngroups;
	int64_t *value;  /* per contract index: its value in the base currency */
	size_t converted, no_rate;
} buyer_years;

typedef void (*year_fn)(pb_rule_ctx *ctx, const pb_contract *c, const int64_t *value,
			const uint32_t *ix, const year_group *g, void *data);

/* A firing group's evidence is put in id order, where a strcmp of two
 * ids had ended most of a million comparisons in sorting the groups. */
static int by_contract_id(const void *pa, const void *pb)
{
	const pb_contract *a = *(const pb_contract *const *)pa, *b = *(const pb_contract *const *)pb;

	return strcmp(pb_str(a->contract_id), pb_str(b->contract_id));
}

/* A firing group's contracts in the order its evidence is written. */
static void contracts_by_id(const pb_contract **c, size_t n)
{
	qsort(c, n, sizeof(*c), by_contract_id);
}

/* Awards keyed (buyer rank, year), for years of too wide a span for
 * buckets: sorted, ties in the ledger's order. */
typedef struct {
	uint32_t rank, ix;
	int32_t year;
} keyed_award;

static int by_rank_year(const void *pa, const void *pb)
{
	const keyed_award *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

static int by_text(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Sorts names[0..nb) (distinct entity ids, index mapping each to its
 * place before) by strcmp; rank[i] is where the name at place i went. */
static uint32_t *rank_names(const char **names, size_t nb, const pb_ptrmap *index)
{
	uint32_t *rank = pb_xcalloc(nb + 1, sizeof(*rank));

	if (nb)
		qsort(names, nb, sizeof(*names), by_text);
	for (size_t r = 0; r < nb; r++) {
		uint32_t i = 0;
		pb_ptrmap_get(index, names[r], &i);
		rank[i] = (uint32_t)r;
	}
	return rank;
}

/* Does contract c count in its buyer's year?  Awarded, with a value and
 * a date.  Its buyer entity and year then. */
static int judged_award(pb_rule_ctx *ctx, const pb_contract *c, const char **buyer, int32_t *year)
{
	if (!c->buyer_id || c->value == PB_AMOUNT_NONE || c->value <= 0 ||
	    pb_contract_award_date(c) == PB_DATE_NONE ||
	    !pb_contract_is_award(pb_ctx_ledger(ctx), c, NULL))
		return 0;
	*buyer = pb_ctx_entity(ctx, pb_str(c->buyer_id));
	*year = (int32_t)pb_date_year(pb_contract_award_date(c));
	return 1;
}

/* Its value in the base currency (converted at its award date), or -1
 * when no rate converts it. */
static int base_value(pb_rule_ctx *ctx, const pb_contract *c, buyer_years *by, int64_t *v)
{
	if (pb_str(c->currency) == pb_ctx_currency(ctx)) {
		*v = c->value;
		return 0;
	}
	if (pb_ctx_to_base(ctx, c->value, pb_str(c->currency), pb_contract_award_date(c), v, NULL) < 0 ||
	    *v <= 0) {
		by->no_rate++;
		return -1;
	}
	by->converted++;
	return 0;
}

/* The judged contracts' indexes (buyer[i] the buyer's rank, PB_NO_BUCKET
 * for the others) by buyer rank, then year, then the ledger's order: a
 * bucket each (buyer, year) where the years span few, else sorted. */
static uint32_t *order_buyer_years(const uint32_t *buyer, const int32_t *years, size_t n,
				   size_t m, size_t nb, int32_t lo, int32_t hi)
{
	uint64_t span = m ? (uint64_t)((int64_t)hi - lo) + 1 : 1;

	if (span * nb <= 4 * (uint64_t)m + 4096) {
		uint32_t *key = pb_xcalloc_slots(n + 1, sizeof(*key));
		uint32_t *start = pb_xcalloc(span * nb + 1, sizeof(*start));
		for (size_t i = 0; i < n; i++)
			key[i] = buyer[i] == PB_NO_BUCKET ? PB_NO_BUCKET
				 : (uint32_t)(buyer[i] * span + (uint64_t)((int64_t)years[i] - lo));
		uint32_t *order = pb_bucket_sorted(key, n, span * nb, start);
		free(start);
		free(key);
		return order;
	}
	keyed_award *k = pb_xcalloc(m + 1, sizeof(*k));
	uint32_t *order = pb_xcalloc(m + 1, sizeof(*order));
	for (size_t i = 0, j = 0; i < n; i++)
		if (buyer[i] != PB_NO_BUCKET)
			k[j++] = (keyed_award){buyer[i], (uint32_t)i, years[i]};
	qsort(k, m, sizeof(*k), by_rank_year);
	for (size_t j = 0; j < m; j++)
		order[j] = k[j].ix;
	free(k);
	return order;
}

/* Cuts order[0..m) into its runs of one buyer (names[rank]) and year. */
static void cut_groups(buyer_years *by, size_t m, const uint32_t *buyer, const int32_t *years,
		       const char *const *names)
{
	size_t cap = 0;
	const uint32_t *o = by->order;

	for (size_t s = 0, e; s < m; s = e) {
		for (e = s + 1; e < m && buyer[o[e]] == buyer[o[s]] && years[o[e]] == years[o[s]]; e++)
			;
		PB_GROW(by->groups, by->ngroups + 1, cap);
		by->groups[by->ngroups++] = (year_group){names[buyer[o[s]]], years[o[s]], s, e - s};
	}
}

static void *buyer_years_make(pb_rule_ctx *ctx, const void *arg)
{
	size_t n, m = 0, nb = 0, cap = 0;
	const pb_contract *c = pb_ledger_contracts(pb_ctx_ledger(ctx), &n);
	uint32_t *buyer = pb_xcalloc_slots(n + 1, sizeof(*buyer));
	int32_t *years = pb_xcalloc_slots(n + 1, sizeof(*years)), lo = INT32_MAX, hi = INT32_MIN;
	const char **names = NULL;
	pb_ptrmap *index = pb_ptrmap_new();
	buyer_years *by = pb_xcalloc(1, sizeof(*by));
	(void)arg;

	by->value = pb_xcalloc_slots(n + 1, sizeof(*by->value));
	for (size_t i = 0; i < n; i++) {
		const char *name;
		buyer[i] = PB_NO_BUCKET;
		if (!judged_award(ctx, &c[i], &name, &years[i]) ||
		    base_value(ctx, &c[i], by, &by->value[i]) < 0)
			continue;
		if (!pb_ptrmap_get(index, name, &buyer[i])) {
			PB_GROW(names, nb + 1, cap);
			names[nb] = name;
			pb_ptrmap_put(index, name, buyer[i] = (uint32_t)nb++);
		}
		lo = years[i] < lo ? years[i] : lo;
		hi = years[i] > hi ? years[i] : hi;
		m++;
	}
	/* buyers by rank from here, names too */
	uint32_t *rank = rank_names(names, nb, index);
	for (size_t i = 0; i < n; i++)
		if (buyer[i] != PB_NO_BUCKET)
			buyer[i] = rank[buyer[i]];
	by->order = order_buyer_years(buyer, years, n, m, nb, lo, hi);
	cut_groups(by, m, buyer, years, names);
	free(rank);
	pb_ptrmap_free(index);
	free(names);
	free(years);
	free(buyer);
	return by;
}

static void buyer_years_free(void *made)
{
	buyer_years *by = made;

	free(by->order);
	free(by->groups);
	free(by->value);
	free(by);
}

/* Calls fn once per buyer's year, buyers by strcmp of their entity ids,
 * years ascending; data is the rule's, kept across the years. */
static void for_each_buyer_year(pb_rule_ctx *ctx, year_fn fn, void *data)
{
	const buyer_years *by = pb_ctx_shared(ctx, "competition.buyer-years", buyer_years_make, NULL,
					      buyer_years_free);
	const pb_contract *c = pb_ledger_contracts(pb_ctx_ledger(ctx), &(size_t){0});

	for (size_t k = 0; k < by->ngroups; k++)
		fn(ctx, c, by->value, by->order + by->groups[k].from, &by->groups[k], data);
	if (by->converted)
		pb_ctx_note(ctx, "%zu contract%s in other currencies counted at %s %s value on %s award date",
			    by->converted, by->converted == 1 ? "" : "s",
			    by->converted == 1 ? "its" : "their", pb_ctx_currency(ctx),
			    by->converted == 1 ? "its" : "their");
	if (by->no_rate)
		pb_ctx_note(ctx, "%zu contract%s in other currencies left out of %s buyer's year: no exchange rate to %s for %s award date",
			    by->no_rate, by->no_rate == 1 ? "" : "s", by->no_rate == 1 ? "its" : "their",
			    pb_ctx_currency(ctx), by->no_rate == 1 ? "its" : "their");
}

static void noncompetitive_year(pb_rule_ctx *ctx, const pb_contract *c, const int64_t *value,
				const uint32_t *ix, const year_group *g, void *unused)
{
	size_t n = g->n;
	int64_t min_pct = pb_param_millionths(ctx, "min_share_pct");
	int64_t min_contracts = pb_param_int(ctx, "min_contracts");
	pb_i128 total = 0, nc = 0;
	const pb_contract **known = pb_xcalloc(n + 1, sizeof(*known)), **ncl = pb_xcalloc(n + 1, sizeof(*ncl));
	size_t nknown = 0, nnc = 0;

	(void)unused;

	for (size_t i = 0; i < n; i++) {
		pb_competition comp = pb_ctx_competition(ctx, pb_ctx_tender_of(ctx, &c[ix[i]]));
		if (comp == PB_COMPETITION_UNKNOWN)
			continue;
		known[nknown++] = &c[ix[i]];
		total += value[ix[i]];
		if (comp == PB_COMPETITION_NO) {
			nc += value[ix[i]];
			ncl[nnc++] = &c[ix[i]];
		}
	}
	size_t procs = pb_contracts_procedures(known, nknown), ncprocs = pb_contracts_procedures(ncl, nnc);
	if ((int64_t)procs < min_contracts || total <= 0 ||
	    nc * 100 * PB_DECIMAL_SCALE < (pb_i128)min_pct * total)
		goto out;
	double pct = (double)nc * 100.0 / (double)total;
	const char *disc = pb_arena_printf(pb_ctx_scratch(ctx), "%lld", (long long)g->year);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, g->buyer, disc);
	contracts_by_id(ncl, nnc);
	for (size_t i = 0; i < nnc; i++)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, ncl[i], "non-competitive contract");
	const char *cur = pb_ctx_currency(ctx);
	int64_t nc64 = nc > INT64_MAX ? INT64_MAX : (int64_t)nc;
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	pb_finding_detail(ctx, f, "year", "%lld", (long long)g->year);
	pb_finding_detail(ctx, f, "share_pct", "%.1f", pct);
	pb_finding_detail(ctx, f, "contracts", "%zu of %zu", nnc, nknown);
	pb_finding_detail(ctx, f, "procedures", "%zu of %zu", ncprocs, procs);
	f->score = pct / 100.0;
	pb_finding_message(ctx, f, "%s awarded %.1f%% of its %lld contract value without competition (%s of %s, %zu of %zu procedures)",
			   g->buyer, pct, (long long)g->year, pb_ctx_money(ctx, nc64, cur),
			   pb_ctx_money(ctx, t64, cur), ncprocs, procs);
out:
	free(known);
	free(ncl);
}

static void run_noncompetitive_share(pb_rule_ctx *ctx)
{
	for_each_buyer_year(ctx, noncompetitive_year, NULL);
}

const pb_rule pb_rule_noncompetitive_share = {
	.id = "competition.noncompetitive-share",
	.family = "competition",
	.title = "A buyer's share of value awarded without competition is high",
	.source = "GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_TENDERS),
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"min_share_pct", PB_P_PERCENT, "50", "share of the year's awarded value that fires"},
		{"min_contracts", PB_P_INT, "5", "contracts with a known method needed in the year"},
		{NULL, 0, NULL, NULL}},
	.run = run_noncompetitive_share,
	.fields = (const char *const[]){"contracts.value", "tenders.method|tenders.method_details", NULL},
};

/* One supplier entity's part of a buyer's year. */
typedef struct {
	const char *who;
	pb_i128 sum;       /* its share of the value: a joint award counts
			    * value / members for each member */
	size_t pairs;      /* (contract, member) pairs it is: a contract
			    * naming two of its registry twins counts twice */
	const pb_contract **c; /* for a supplier that fires: its contracts */
	size_t n;
} supplier_share;

static void concentration_finding(pb_rule_ctx *ctx, const year_group *g, size_t all_procs,
				  const supplier_share *s, pb_i128 total)
{
	double pct = (double)s->sum * 100.0 / (double)total;
	const char *disc = pb_arena_printf(pb_ctx_scratch(ctx), "%lld|%s", (long long)g->year, s->who);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, g->buyer, disc);

	for (size_t j = 0; j < s->n; j++)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, s->c[j], "contract");
	size_t procs = pb_contracts_procedures(s->c, s->n);
	const char *cur = pb_ctx_currency(ctx);
	int64_t s64 = s->sum > INT64_MAX ? INT64_MAX : (int64_t)s->sum;
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	pb_finding_detail(ctx, f, "supplier", "%s", s->who);
	pb_finding_detail(ctx, f, "share_pct", "%.1f", pct);
	pb_finding_detail(ctx, f, "procedures", "%zu of %zu", procs, all_procs);
	f->score = pct / 100.0;
	pb_finding_message(ctx, f, "%s holds %.1f%% of %s's %lld contract value (%s of %s, %zu of %zu procedures)",
			   s->who, pct, g->buyer, (long long)g->year, pb_ctx_money(ctx, s64, cur),
			   pb_ctx_money(ctx, t64, cur), procs, all_procs);
}

/* A buyer's year summed per supplier entity.  The arrays and the map
 * are kept from one year to the next, emptied rather than freed: grown
 * afresh for each year, they took fresh pages every time, a third of
 * the rule at 10M rows. */
typedef struct {
	supplier_share *sh;
	size_t ns, cap;
	pb_ptrmap *index;      /* entity id -> its place in sh */
	const pb_contract **all; /* the year's contracts */
	uint32_t *members;     /* of each contract, at most 16 */
	size_t allcap, membercap;
	uint32_t *share;       /* each member's place in sh, in the order met */
	size_t nshare, sharecap;
	pb_i128 total;
	size_t one_called;     /* shares that were one procedure with a call */
} year_shares;

static uint32_t share_of(year_shares *y, const char *who)
{
	uint32_t k;

	if (!pb_ptrmap_get(y->index, who, &k)) {
		PB_GROW(y->sh, y->ns + 1, y->cap);
		k = (uint32_t)y->ns++;
		y->sh[k] = (supplier_share){who, 0, 0, NULL, 0};
		pb_ptrmap_put(y->index, who, k);
	}
	return k;
}

/* One pass: each supplier entity's part of the value, and how often it
 * is a member. */
static void shares_sum(pb_rule_ctx *ctx, const pb_contract *c, const int64_t *value,
		       const uint32_t *ix, size_t n, year_shares *y)
{
	pb_ledger *l = pb_ctx_ledger(ctx);

	y->ns = y->nshare = 0;
	y->total = 0;
	pb_ptrmap_clear(y->index);
	PB_GROW(y->all, n + 1, y->allcap);
	PB_GROW(y->members, n + 1, y->membercap);
	for (size_t i = 0; i < n; i++) {
		const char *ids[16];
		size_t got = pb_contract_suppliers(l, &c[ix[i]], ids, 16);
		y->all[i] = &c[ix[i]];
		y->total += value[ix[i]];
		y->members[i] = (uint32_t)(got < 16 ? got : 16);
		PB_GROW(y->share, y->nshare + y->members[i], y->sharecap);
		for (size_t m = 0; m < y->members[i]; m++) {
			uint32_t k = share_of(y, pb_ctx_entity(ctx, ids[m]));
			y->sh[k].sum += value[ix[i]] / (pb_i128)got;
			y->sh[k].pairs++;
			y->share[y->nshare++] = k;
		}
	}
}

/* The contracts of the suppliers that fire (those given room), in a
 * second pass over the members. */
static void shares_gather(year_shares *y, size_t n)
{
	for (size_t i = 0, at = 0; i < n; i++)
		for (size_t m = 0; m < y->members[i]; m++, at++) {
			supplier_share *x = &y->sh[y->share[at]];
			if (x->c)
				x->c[x->n++] = y->all[i];
		}
}

static void shares_release(year_shares *y)
{
	pb_ptrmap_free(y->index);
	free(y->share);
	free(y->members);
	free(y->sh);
	free(y->all);
}

/*
 * A share won in one procedure that published a call for competition is
 * one large tender dominating the buyer's year (a dredging campaign, a
 * ship): the rule's known false positive, not a buyer dependent on a
 * supplier.  CompraNet's port authorities gave 16 such findings in 17.
 * A procedure the ledger cannot place (no tender, a method the table
 * does not know) is judged as before.
 */
static int one_called_procedure(pb_rule_ctx *ctx, const supplier_share *s)
{
	if (pb_contracts_procedures(s->c, s->n) != 1)
		return 0;
	const pb_tender *t = pb_ctx_tender_of(ctx, s->c[0]);
	return t && pb_ctx_competition(ctx, t) == PB_COMPETITION_YES;
}

/* A supplier above the share fires once, with every contract it took
 * part in as evidence, gathered only for the few that fire. */
static void concentration_year(pb_rule_ctx *ctx, const pb_contract *c, const int64_t *value,
			       const uint32_t *ix, const year_group *g, void *shares)
{
	int64_t min_pct = pb_param_millionths(ctx, "min_share_pct");
	int64_t min_contracts = pb_param_int(ctx, "min_contracts");
	year_shares *y = shares;
	size_t firing = 0;

	shares_sum(ctx, c, value, ix, g->n, y);
	size_t all_procs = pb_contracts_procedures(y->all, g->n);
	int enough = (int64_t)all_procs >= min_contracts && y->total > 0;
	for (size_t k = 0; enough && k < y->ns; k++)
		if (y->sh[k].sum * 100 * PB_DECIMAL_SCALE >= (pb_i128)min_pct * y->total) {
			y->sh[k].c = pb_xcalloc(y->sh[k].pairs + 1, sizeof(*y->sh[k].c));
			firing++;
		}
	if (firing)
		shares_gather(y, g->n);
	for (size_t k = 0; k < y->ns; k++)
		if (y->sh[k].c) {
			contracts_by_id(y->sh[k].c, y->sh[k].n);
			if (one_called_procedure(ctx, &y->sh[k]))
				y->one_called++;
			else
				concentration_finding(ctx, g, all_procs, &y->sh[k], y->total);
			free(y->sh[k].c);
			y->sh[k].c = NULL;
		}
}

static void run_concentration(pb_rule_ctx *ctx)
{
	year_shares y = {.index = pb_ptrmap_new()};

	for_each_buyer_year(ctx, concentration_year, &y);
	if (y.one_called)
		pb_ctx_note(ctx, "%zu share%s of a buyer's year won in a single procedure with a call for competition set aside: one large tender dominating a year, not dependence on a supplier",
			    y.one_called, y.one_called == 1 ? "" : "s");
	shares_release(&y);
}

const pb_rule pb_rule_supplier_concentration = {
	.id = "competition.supplier-concentration",
	.family = "competition",
	.title = "One supplier holds a large share of a buyer's awarded value",
	.source = "OCP, GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"min_share_pct", PB_P_PERCENT, "50", "one supplier's share of the year's awarded value that fires"},
		{"min_contracts", PB_P_INT, "5", "contracts of the buyer needed in the year"},
		{NULL, 0, NULL, NULL}},
	.run = run_concentration,
	.fields = (const char *const[]){"contracts.value", "contracts.supplier_id", NULL},
};

/* --- competition.repeat-direct-awards --- */

/* A non-competitive award of a buyer entity to one supplier entity. */
typedef struct {
	const pb_contract *c;
	const char *buyer, *supplier;
	pb_date on;
} direct_award;

static int by_pair_date(const void *pa, const void *pb)
{
	const direct_award *a = pa, *b = pb;
	int c = pb_intern_cmp(a->buyer, b->buyer);

	if (c || (c = pb_intern_cmp(a->supplier, b->supplier)))
		return c;
	if (a->on != b->on)
		return a->on < b->on ? -1 : 1;
	return strcmp(pb_str(a->c->contract_id), pb_str(b->c->contract_id));
}

static void repeat_group(pb_rule_ctx *ctx, const direct_award *g, size_t n)
{
	int64_t min = pb_param_int(ctx, "min_awards");
	int64_t window = pb_param_int(ctx, "window_days");
	char d0[11], d1[11];
	const pb_contract **win = pb_xcalloc(n + 1, sizeof(*win));

	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e < n && g[e].on - g[s].on <= window) {
			win[e - s] = g[e].c;
			e++;
		}
		/* The lots of one procedure are one award decision. */
		size_t awards = pb_contracts_procedures(win, e - s);
		if ((int64_t)awards < min) {
			s++;
			continue;
		}
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(g[s].c->contract_id), g[s].supplier);
		for (size_t k = s; k < e; k++)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, g[k].c, "non-competitive contract");
		pb_finding_detail(ctx, f, "awards", "%zu", awards);
		f->score = awards >= (size_t)(2 * min) ? 1.0 : (double)awards / (double)(2 * min);
		pb_finding_message(ctx, f, "%s gave %s %zu non-competitive awards between %s and %s",
				   g[s].buyer, g[s].supplier, awards,
				   pb_date_format(g[s].on, d0), pb_date_format(g[e - 1].on, d1));
		s = e;
	}
	free(win);
}

static void run_repeat_direct(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, m = 0, cap = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	direct_award *list = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *ids[16];
		if (!c[i].buyer_id || pb_contract_award_date(&c[i]) == PB_DATE_NONE ||
		    !pb_contract_is_award(l, &c[i], NULL) ||
		    pb_ctx_competition(ctx, pb_ctx_tender_of(ctx, &c[i])) != PB_COMPETITION_NO)
			continue;
		size_t members = pb_contract_suppliers(l, &c[i], ids, 16);
		for (size_t k = 0; k < members && k < 16; k++) {
			PB_GROW(list, m + 1, cap);
			list[m++] = (direct_award){&c[i], pb_ctx_entity(ctx, pb_str(c[i].buyer_id)),
						   pb_ctx_entity(ctx, ids[k]), pb_contract_award_date(&c[i])};
		}
	}
	if (m)
		qsort(list, m, sizeof(*list), by_pair_date);
	for (size_t s = 0; s < m;) {
		size_t e = s + 1;
		while (e < m && list[e].buyer == list[s].buyer && list[e].supplier == list[s].supplier)
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
	.fields = (const char *const[]){"tenders.method|tenders.method_details", "contracts.awarded_on|contracts.signed_on", NULL},
};
