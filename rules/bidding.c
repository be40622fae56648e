/*
 * bidding.c - collusion among bidders.
 *
 * Risk: "competition" staged by related companies: bidders in one tender
 * with a common owner or director, one controlling another, or sharing an
 * address, bank account or phone.  Cover bids from related firms make a
 * rigged award look competitive.
 * Data: bids (tender_id, bidder_id, submitted_on), parties, relationships;
 * tenders for the date the link must hold.
 * False positives: group companies that bid separately and disclose it;
 * shared business-centre addresses (see supplier.mass-address).
 * Thresholds: 2 hops by default (a common owner is two hops); WB and OCP
 * collusion indicators.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/stats.h"
#include "../engine/graph.h"
#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "cardinal.h"
#include "rules.h"

static int personal_link(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)at;
	(void)hop;
	(void)data;
	return e->table == PB_T_RELATIONSHIPS;
}

static const char *phone_of(const pb_party *p)
{
	return p ? pb_row_extra(&p->row, "phone") : NULL;
}

/* A phone number's digits (as an account's: letters and digits only), or
 * NULL for placeholders ("-", "0", "N/A") and numbers too short to be one. */
static char *phone_key(const char *phone)
{
	return phone && !pb_is_placeholder(phone) ? pb_norm_account(phone) : NULL;
}

/* One bidder of a tender: an entity (registry twins are one) and its bids. */
struct bidder {
	const char *entity;
	const pb_bid *first;           /* its first bid, in file order */
	size_t at;                     /* of that bid among the tender's */
	const pb_party *party;         /* the first bid's bidder, or NULL */
	const pb_party_keys *keys;     /* of that party */
	const char *phone;             /* letters and digits, or NULL */
	uint32_t part;                 /* of the graph of relationships */
	const pb_path *path;           /* to a later bidder, while searching */
};

/*
 * What the rule knows of each party row before any tender: its entity,
 * its part of the graph of relationships (pb_graph_parts) and its phone's
 * letters and digits.  Made in one pass over the parties; bid by bid, the
 * same look-ups cost a cache miss in each of three maps and the party's
 * record, for every bid of a large ledger.
 */
struct profile {
	const char *entity;
	uint32_t part;
	uint32_t phone; /* 1 + its index in phones, or 0: none */
};

struct profiles {
	struct profile *of; /* by party row */
	char **phones;
	size_t nphones, capphones;
	const pb_graph_parts *parts;
};

static void profiles_build(pb_rule_ctx *ctx, const pb_graph_parts *parts, struct profiles *pr)
{
	size_t n;
	const pb_party *p = pb_ledger_parties(pb_ctx_ledger(ctx), &n);
	const pb_parties *pp = pb_ctx_parties(ctx);

	*pr = (struct profiles){.of = pb_xcalloc(n + 1, sizeof(*pr->of)), .parts = parts};
	for (size_t i = 0; i < n; i++) {
		const char *entity = pb_parties_entity(pp, pb_str(p[i].party_id));
		char *phone = phone_key(phone_of(&p[i]));
		pr->of[i] = (struct profile){entity, pb_graph_part(parts, entity), 0};
		if (phone) {
			PB_GROW(pr->phones, pr->nphones + 1, pr->capphones);
			pr->phones[pr->nphones++] = phone;
			pr->of[i].phone = (uint32_t)pr->nphones;
		}
	}
}

static void profiles_release(struct profiles *pr)
{
	for (size_t i = 0; i < pr->nphones; i++)
		free(pr->phones[i]);
	free(pr->phones);
	free(pr->of);
}

/* By entity id, then bid: each entity's first bid leads its run. */
static int bidder_cmp(const void *pa, const void *pb)
{
	const struct bidder *a = pa, *b = pb;
	int c = pb_intern_cmp(a->entity, b->entity);

	return c ? c : a->at < b->at ? -1 : a->at > b->at;
}

/* Why two bidders with no relationship path are linked, or NULL.  An
 * address that cannot identify a place has no key (pb_norm_address). */
static const char *shared_detail(const struct bidder *a, const struct bidder *b)
{
	if (a->keys && b->keys && a->keys->address && a->keys->address == b->keys->address)
		return "same address";
	if (a->keys && b->keys && a->keys->account && a->keys->account == b->keys->account)
		return "same bank account";
	if (a->phone && b->phone && !strcmp(a->phone, b->phone))
		return "same phone";
	return NULL;
}

/*
 * Can any two of the tender's bidders be linked?  Only when two entities
 * are in one part of the graph of relationships, or share an address,
 * account or phone.  For most tenders neither holds, and the sort by
 * entity id, the searches and the look-ups of each bidder's first bid
 * are passed over: no means that tender_links would report nothing.
 * Every bid is looked at, not only each entity's first (whose party
 * tender_links judges), so a yes may be in vain but a no is sure.
 */
#define MAY_LINK_BIDS 64

static int may_link(const struct bidder *b, size_t m)
{
	/* pairs of bids: a large tender goes the full way, as before */
	if (m > MAY_LINK_BIDS)
		return 1;
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++) {
			if (b[i].entity == b[j].entity)
				continue;
			if ((b[i].part != PB_GRAPH_NO_PART && b[i].part == b[j].part) ||
			    shared_detail(&b[i], &b[j]))
				return 1;
		}
	return 0;
}

/* The tender's distinct bidders, ordered by entity id so that a pair is
 * always named the same way, whatever the order of the bids; none when
 * no two of them can be linked (may_link).  out has room for nb. */
static size_t tender_bidders(pb_rule_ctx *ctx, const struct profiles *pr, const uint32_t *bi,
			     size_t nb, struct bidder *out, pb_date *earliest)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	const uint32_t *party_of = pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, bidder_id), PB_T_PARTIES);
	size_t m = 0, n = 0;

	*earliest = PB_DATE_NONE;
	for (size_t x = 0; x < nb; x++) {
		const pb_bid *b = pb_ledger_at(l, PB_T_BIDS, bi[x]);
		if (b->submitted_on != PB_DATE_NONE &&
		    (*earliest == PB_DATE_NONE || b->submitted_on < *earliest))
			*earliest = b->submitted_on;
		if (!b->bidder_id)
			continue;
		/* The party's row is its place among the keys (both NULL for
		 * PB_NO_ROW). */
		uint32_t row = party_of[bi[x]];
		const struct profile *pf = row != PB_NO_ROW ? &pr->of[row] : NULL;
		const char *entity = pf ? pf->entity : pb_parties_entity(pp, pb_str(b->bidder_id));
		out[m++] = (struct bidder){
			.entity = entity, .first = b, .at = x, .keys = pb_parties_keys(pp, row),
			.phone = pf && pf->phone ? pr->phones[pf->phone - 1] : NULL,
			.part = pf ? pf->part : pb_graph_part(pr->parts, entity)};
	}
	if (!may_link(out, m))
		return 0;
	qsort(out, m, sizeof(*out), bidder_cmp);
	for (size_t k = 0; k < m; k++) {
		if (n && out[k].entity == out[n - 1].entity)
			continue; /* a later bid of the same bidder */
		out[n] = out[k];
		out[n].party = pb_ledger_at(l, PB_T_PARTIES, party_of[bi[out[k].at]]);
		n++;
	}
	return n;
}

/* The bidder after `after` whose entity is `node` (a graph node, an
 * entity id), or -1: the bidders are sorted by entity.  A search can
 * reach thousands of nodes and a tender has a handful of bidders, so a
 * few pointers are compared before texts are. */
static long later_bidder(const struct bidder *bd, size_t after, size_t n, const char *node)
{
	size_t lo = after + 1, hi = n;

	if (hi - lo <= 8) {
		for (size_t j = lo; j < hi; j++)
			if (bd[j].entity == node)
				return (long)j;
		return -1;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(bd[mid].entity, node);
		if (!c)
			return bd[mid].entity == node ? (long)mid : -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void bidder_evidence(pb_rule_ctx *ctx, pb_finding *f, const pb_tender *t,
			    const struct bidder *b)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t nb, added = 0;
	const uint32_t *bi = pb_tender_bids(l, t, &nb);
	const pb_parties *pp = pb_ctx_parties(ctx);

	for (size_t i = 0; i < nb && added < 5; i++) {
		const pb_bid *x = pb_ledger_at(l, PB_T_BIDS, bi[i]);
		if (x->bidder_id && pb_parties_entity(pp, pb_str(x->bidder_id)) == b->entity) {
			pb_finding_evidence(ctx, f, PB_T_BIDS, x, "bid");
			added++;
		}
	}
}

static void linked_pair(pb_rule_ctx *ctx, const pb_tender *t, const struct bidder *a,
			const struct bidder *b, const char *why, const pb_path *path)
{
	const char *pair = pb_arena_printf(pb_ctx_scratch(ctx), "%s|%s", a->entity, b->entity);
	pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t->tender_id), pair);

	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	bidder_evidence(ctx, f, t, a);
	bidder_evidence(ctx, f, t, b);
	const char *text = path ? pb_path_text(ctx, path) : why;
	if (path) {
		pb_path_evidence(ctx, f, path);
	} else {
		if (a->party)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, a->party, "bidder");
		if (b->party)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, b->party, "bidder");
	}
	pb_finding_detail(ctx, f, "link", "%s", why);
	if (path)
		pb_finding_detail(ctx, f, "path", "%s", text);
	pb_finding_message(ctx, f, "bidders %s and %s in tender %s are related (%s): %s",
			   a->entity, b->entity, pb_str(t->tender_id), why, text);
}

/*
 * One search per bidder marks the later bidders it reaches; every pair is
 * judged once per tender, however many bids each side made.  Twins (one
 * registry id) are one bidder, not a linked pair.
 */
static void tender_links(pb_rule_ctx *ctx, pb_graph_walk *w, const pb_tender *t,
			 struct bidder *bd, size_t n, pb_path *paths, pb_date on, size_t hops)
{
	const pb_graph *g = pb_ctx_graph(ctx);

	for (size_t i = 0; i + 1 < n; i++) {
		size_t reached = pb_graph_reach(g, w, bd[i].entity, on, hops, personal_link, NULL);
		for (size_t j = i + 1; j < n; j++)
			bd[j].path = NULL;
		for (size_t k = 0; k < reached; k++) {
			long j = later_bidder(bd, i, n, pb_graph_walk_node(w, k));
			if (j >= 0) {
				pb_graph_walk_route(w, k, &paths[j]);
				bd[j].path = &paths[j];
			}
		}
		for (size_t j = i + 1; j < n; j++) {
			const pb_path *p = bd[j].path;
			const char *why = p ? (p->nedges == 2 && p->edges[0]->from == p->edges[1]->from
						       ? "linked through a common party"
						       : "linked by relationships")
					    : shared_detail(&bd[i], &bd[j]);
			if (why)
				linked_pair(ctx, t, &bd[i], &bd[j], why, p);
		}
	}
}

/* A tender's bidders come in no order: each one's profile and keys
 * were a cache miss apiece in a large ledger (ten times the time for
 * five times the rows from 10M to 57M).  Those of the tender
 * BIDDERS_AHEAD on are fetched while this one is judged. */
#define BIDDERS_AHEAD 4

static void prefetch_profiles(const pb_parties *pp, const struct profiles *pr,
			      const uint32_t *party_of, const uint32_t *bi, size_t nb)
{
	for (size_t k = 0; nb > 1 && k < nb; k++) {
		uint32_t row = party_of[bi[k]];
		if (row == PB_NO_ROW)
			continue;
		__builtin_prefetch(&pr->of[row]);
		__builtin_prefetch(pb_parties_keys(pp, row));
	}
}

static void run_linked_bidders(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t nt;
	const pb_tender *t = pb_ledger_tenders(l, &nt);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");
	pb_graph_walk *w = pb_graph_walk_new(pb_ctx_graph(ctx));
	struct bidder *bd = NULL; /* both reused from tender to tender */
	pb_path *paths = NULL;
	size_t bdcap = 0, pathcap = 0;

	/* A supplier bids in many tenders: its search is made once for as
	 * long as the dates of the links it meets allow. */
	pb_graph_walk_remember(w, hops, personal_link, NULL);
	pb_graph_parts *parts = pb_graph_parts_new(pb_ctx_graph(ctx), personal_link, NULL);
	struct profiles pr;
	profiles_build(ctx, parts, &pr);
	const uint32_t *party_of = pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, bidder_id), PB_T_PARTIES);

	for (size_t i = 0; i < nt; i++) {
		size_t nb;
		pb_date earliest;
		const uint32_t *bi;
		if (i + BIDDERS_AHEAD < nt) {
			bi = pb_tender_bids(l, &t[i + BIDDERS_AHEAD], &nb);
			prefetch_profiles(pb_ctx_parties(ctx), &pr, party_of, bi, nb);
		}
		bi = pb_tender_bids(l, &t[i], &nb);
		if (nb < 2)
			continue;
		PB_GROW(bd, nb, bdcap);
		PB_GROW(paths, nb, pathcap);
		size_t n = tender_bidders(ctx, &pr, bi, nb, bd, &earliest);
		pb_date on = t[i].submission_deadline != PB_DATE_NONE ? t[i].submission_deadline
								    : earliest;
		tender_links(ctx, w, &t[i], bd, n, paths, on, hops);
	}
	free(bd);
	free(paths);
	profiles_release(&pr);
	pb_graph_parts_free(parts);
	pb_graph_walk_free(w);
}

const pb_rule pb_rule_linked_bidders = {
	.id = "bidding.linked-bidders",
	.family = "bidding",
	.title = "Bidders in one tender share an owner, director, address, account or phone",
	.source = "WB, OCP",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_PARTIES),
	.follows_links = 1,
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain of relationships between two bidders"},
		{NULL, 0, NULL, NULL}},
	.run = run_linked_bidders,
};

/*
 * The Cardinal indicators (OCP; docs/cardinal.md)
 * over the canonical tables: a process is a tender, its bids are the bids
 * with its tender_id (submitted unless withdrawn, valid, disqualified), its
 * awards are its contracts (active unless cancelled, unsuccessful or
 * pending; a pending one makes the process not final).  The statistics are
 * Cardinal's: Hyndman-Fan type 8 quartiles, Tukey fences.  Amounts are in
 * the base currency; ratios are doubles (statistics, not money).  The same
 * rules in mode cardinal (below) judge the releases as published, matching
 * Cardinal output for output, for `probity cardinal` (docs/cardinal.md).
 */

/* A tender's bids and awards, NULL after the last of each.  Most
 * tenders have a few of each: they are kept in the process itself, and
 * only more are allocated (seven rules take every tender's, and two
 * allocations a tender were a tenth of their time). */
#define PROCESS_BIDS 8
#define PROCESS_AWARDS 4

struct process {
	const pb_tender *t;
	const pb_bid **bids;
	size_t nbids;
	const pb_contract **awards;
	size_t nawards;
	const pb_bid *few_bids[PROCESS_BIDS + 1];
	const pb_contract *few_awards[PROCESS_AWARDS + 1];
};

static int status(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static int award_active(const pb_contract *c)
{
	return !status(pb_str(c->status), "cancelled") && !status(pb_str(c->status), "unsuccessful") &&
	       !status(pb_str(c->status), "pending");
}

static int single_tenderer(const pb_bid *b)
{
	uint32_t n;
	const pb_attr *a = pb_row_extras(&b->row, &n);

	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, "tenderers"))
			return 0;
	return b->bidder_id != 0;
}

static void process_get(pb_ledger *l, const pb_tender *t, struct process *p)
{
	size_t nb, nc;
	const uint32_t *bi = pb_tender_bids(l, t, &nb);
	const uint32_t *ci = pb_tender_contracts(l, t, &nc);

	p->t = t;
	p->bids = nb <= PROCESS_BIDS ? p->few_bids : pb_xcalloc(nb + 1, sizeof(*p->bids));
	p->awards = nc <= PROCESS_AWARDS ? p->few_awards : pb_xcalloc(nc + 1, sizeof(*p->awards));
	p->nbids = nb;
	p->nawards = nc;
	for (size_t i = 0; i < nb; i++)
		p->bids[i] = pb_ledger_at(l, PB_T_BIDS, bi[i]);
	p->bids[nb] = NULL;
	for (size_t i = 0; i < nc; i++)
		p->awards[i] = pb_ledger_at(l, PB_T_CONTRACTS, ci[i]);
	p->awards[nc] = NULL;
}

static void process_free(struct process *p)
{
	if (p->bids != p->few_bids)
		free(p->bids);
	if (p->awards != p->few_awards)
		free(p->awards);
}

static int process_final(const struct process *p)
{
	for (size_t i = 0; i < p->nawards; i++)
		if (status(pb_str(p->awards[i]->status), "pending"))
			return 0;
	return 1;
}

static const char *sole_winner(const struct process *p, const pb_contract **award)
{
	const pb_contract *active = NULL;
	int n = 0;

	for (size_t i = 0; i < p->nawards; i++)
		if (award_active(p->awards[i])) {
			active = p->awards[i];
			n++;
		}
	*award = active;
	return n == 1 ? pb_str(active->supplier_id) : NULL;
}

static int is_winner(const struct process *p, const char *who)
{
	for (size_t i = 0; i < p->nawards; i++)
		if (award_active(p->awards[i]) && pb_str(p->awards[i]->supplier_id) == who)
			return 1;
	return 0;
}

/* A bid's amount in its own currency: the bids of one tender are
 * compared with each other, and a ratio of two has no currency.  The
 * caller sees that the bids it compares share one (same_currency). */
static double bid_amount(const pb_bid *b)
{
	/* Powers of ten are exact doubles up to 1e22: the quotient is the
	 * one pow(10, e) gave, without pow's cost for every bid. */
	static const double ten_to[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	int e = pb_currency_exponent(pb_str(b->currency));

	if (b->value == PB_AMOUNT_NONE || e < 0)
		return NAN;
	return (double)b->value / (e < (int)(sizeof(ten_to) / sizeof(ten_to[0])) ? ten_to[e] : pow(10.0, e));
}

/* Does bid b share the currency of the bids compared before it?  *cur
 * is the first one's (NULL before any); a tender whose bids mix
 * currencies is not judged: no rate makes one bid's price another's. */
static int same_currency(const pb_bid *b, const char **cur)
{
	if (!*cur)
		*cur = pb_str(b->currency);
	return pb_str(b->currency) == *cur;
}

static void process_evidence(pb_rule_ctx *ctx, pb_finding *f, const struct process *p)
{
	pb_finding_evidence(ctx, f, PB_T_TENDERS, p->t, "tender");
	for (size_t i = 0; i < p->nbids && f->nevidence < 25; i++)
		pb_finding_evidence(ctx, f, PB_T_BIDS, p->bids[i], "bid");
	for (size_t i = 0; i < p->nawards && f->nevidence < 30; i++)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, p->awards[i], "award");
}

/*
 * mode = cardinal: OCP Cardinal 0.0.8's own semantics, for `probity
 * cardinal` (docs/cardinal.md), which imports with the OCDS importer's
 * raw fields (pb_config.ocds_raw: the ocds_* extras) and sets these
 * parameters from Cardinal's settings file.  A process is one tender row
 * with its bids and awards as published: statuses, ids, amounts (doubles,
 * as Cardinal's), currencies and dates as text.  Each flag is a finding
 * whose details say where it goes in Cardinal's output (cardinal_group,
 * cardinal_id, cardinal_code, cardinal_value); the quartiles and fences
 * an indicator used are one more finding, group "Meta".
 */

enum { G_OCID, G_BUYER, G_ENTITY, G_TENDERER };
static const char *const group_name[4] = {"OCID", "Buyer", "ProcuringEntity", "Tenderer"};

/* "" is a real identifier to Cardinal, but interns to NULL; this stands in. */
static const char empty_id[] = "";

struct cbid {
	const char *status, *currency, *date; /* NULL unless JSON strings */
	int has_amount;
	double amount;
	int has_tenderers;      /* tenderers is an array ... */
	size_t ntenderers;      /* ... of this length, */
	const char **tenderers; /* ids, NULL where not a string */
};

struct caward {
	const char *status;
	int has_suppliers;
	size_t nsuppliers, nclasses;
	const char **suppliers, **classes;
};

struct cprocess {
	const pb_tender *t;
	const char *ocid, *status, *method, *details, *start, *end, *buyer, *entity;
	size_t nbids, nawards;
	struct cbid *bids;
	struct caward *awards; /* those with a status */
};

/* The rule's run: its code, its findings so far, the main currency. */
struct crun {
	pb_rule_ctx *ctx;
	const char *code;
	pb_ptrmap *flagged; /* group + id -> 1 */
	pb_finding *meta;
	const char *currency;
};

static int cardinal_mode(pb_rule_ctx *ctx)
{
	return !strcmp(pb_param_text(ctx, "mode"), "cardinal");
}

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static const char *cintern(pb_rule_ctx *ctx, const char *s, size_t n)
{
	if (!s)
		return NULL;
	return n ? pb_ctx_intern(ctx, s, n) : empty_id;
}


/* A JSON array of ids (importers/ocds.c raw_list) as interned ids. */
static const char **cids(pb_rule_ctx *ctx, const char *text, size_t *n, int *has)
{
	json_t *a = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL, *x;
	const char **ids;
	size_t i;

	*has = json_is_array(a);
	*n = json_array_size(a);
	ids = pb_xcalloc(*n + 1, sizeof(*ids));
	json_array_foreach(a, i, x)
		ids[i] = json_is_string(x) ? cintern(ctx, json_string_value(x), json_string_length(x)) : NULL;
	json_decref(a);
	return ids;
}

static void cprocess_get(pb_rule_ctx *ctx, const pb_tender *t, struct cprocess *p)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_row *r = &t->row;
	size_t nb, nc;
	const uint32_t *bi = pb_tender_bids(l, t, &nb);
	const uint32_t *ci = pb_tender_contracts(l, t, &nc);

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->ocid = pb_str(t->tender_id);
	p->status = pb_row_extra(r, "ocds_status");
	p->method = pb_row_extra(r, "ocds_method");
	p->details = pb_row_extra(r, "ocds_details");
	p->start = pb_row_extra(r, "ocds_start");
	p->end = pb_row_extra(r, "ocds_end");
	/* Interned by the ledger: equal ids, equal pointers. */
	p->buyer = pb_row_extra(r, "ocds_buyer");
	p->entity = pb_row_extra(r, "ocds_entity");
	p->bids = pb_xcalloc(nb + 1, sizeof(*p->bids));
	for (size_t i = 0; i < nb; i++) {
		const pb_row *br = &((const pb_bid *)pb_ledger_at(l, PB_T_BIDS, bi[i]))->row;
		struct cbid *b = &p->bids[p->nbids++];
		const char *amount = pb_row_extra(br, "ocds_amount");
		b->status = pb_row_extra(br, "ocds_status");
		b->currency = pb_row_extra(br, "ocds_currency");
		b->date = pb_row_extra(br, "ocds_date");
		b->has_amount = amount != NULL;
		b->amount = amount ? strtod(amount, NULL) : 0;
		b->tenderers = cids(ctx, pb_row_extra(br, "ocds_tenderers"), &b->ntenderers, &b->has_tenderers);
	}
	p->awards = pb_xcalloc(nc + 1, sizeof(*p->awards));
	for (size_t i = 0; i < nc; i++) {
		const pb_row *cr = &((const pb_contract *)pb_ledger_at(l, PB_T_CONTRACTS, ci[i]))->row;
		const char *st = pb_row_extra(cr, "ocds_award_status");
		int has_classes;
		/* An award without a status neither counts nor makes a process
		 * non-final, in Cardinal; contracts are not awards. */
		if (!st)
			continue;
		struct caward *a = &p->awards[p->nawards++];
		a->status = st;
		a->suppliers = cids(ctx, pb_row_extra(cr, "ocds_suppliers"), &a->nsuppliers, &a->has_suppliers);
		a->classes = cids(ctx, pb_row_extra(cr, "ocds_classes"), &a->nclasses, &has_classes);
	}
}

static void cprocess_free(struct cprocess *p)
{
	for (size_t i = 0; i < p->nbids; i++)
		free(p->bids[i].tenderers);
	for (size_t i = 0; i < p->nawards; i++) {
		free(p->awards[i].suppliers);
		free(p->awards[i].classes);
	}
	free(p->bids);
	free(p->awards);
}

/* What Cardinal skips before any indicator: a cancelled tender, or
 * procurementMethodDetails listed under [exclusions]. */
static int cexcluded(pb_rule_ctx *ctx, const struct cprocess *p)
{
	return is(p->status, "cancelled") || pb_list_has(pb_param_text(ctx, "exclusions"), p->details);
}

/* Price comparison (R024, R028, R036, R058): an allow list wins; else a
 * deny list. */
static int cprice_compared(pb_rule_ctx *ctx, const struct cprocess *p)
{
	const char *allow = pb_param_text(ctx, "price_comparison");

	if (!p->details)
		return !*allow;
	if (*allow)
		return pb_list_has(allow, p->details);
	return !pb_list_has(pb_param_text(ctx, "no_price_comparison"), p->details);
}

/* The `currency` parameter, or else the first currency the rule meets. */
static int cmain_currency(struct crun *r, const char *currency)
{
	if (!r->currency) {
		const char *set = pb_param_text(r->ctx, "currency");
		r->currency = *set ? set : pb_ctx_intern(r->ctx, currency, strlen(currency));
	}
	return !strcmp(currency, r->currency);
}

/* A `threshold` parameter: 1 and *v when set. */
static int cthreshold(pb_rule_ctx *ctx, double *v)
{
	const char *s = pb_param_text(ctx, "threshold");

	*v = *s ? strtod(s, NULL) : 0;
	return *s != '\0';
}

static void crun_init(struct crun *r, pb_rule_ctx *ctx, const char *code)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->code = code;
	r->flagged = pb_ptrmap_new();
}

static void crun_release(struct crun *r)
{
	pb_ptrmap_free(r->flagged);
}

static const char *number_text(pb_rule_ctx *ctx, double v)
{
	return isfinite(v) ? pb_arena_printf(pb_ctx_scratch(ctx), "%.17g", v) : "null";
}

/* One flag: group g, identifier id, value v; once per group and id (the
 * values a rule gives one identifier are the same). */
static void cflag(struct crun *r, const struct cprocess *p, int g, const char *id, double v)
{
	pb_rule_ctx *ctx = r->ctx;
	uint32_t seen;

	if (!id)
		return;
	const char *key = pb_arena_printf(pb_ctx_scratch(ctx), "%s\x1f%s", group_name[g], id);
	key = pb_ctx_intern(ctx, key, strlen(key));
	if (pb_ptrmap_get(r->flagged, key, &seen))
		return;
	pb_ptrmap_put(r->flagged, key, 1);
	const char *subject = g == G_OCID ? p->ocid : pb_arena_strdup(pb_ctx_scratch(ctx), id);
	pb_finding *f = pb_finding_add(ctx, g == G_OCID ? PB_T_TENDERS : PB_T_PARTIES, subject,
				       g == G_OCID ? NULL : group_name[g]);
	if (p)
		pb_finding_evidence(ctx, f, PB_T_TENDERS, p->t, "tender");
	pb_finding_detail(ctx, f, "cardinal_group", "%s", group_name[g]);
	pb_finding_detail(ctx, f, "cardinal_id", "%s", id);
	pb_finding_detail(ctx, f, "cardinal_code", "%s", r->code);
	pb_finding_detail(ctx, f, "cardinal_value", "%s", number_text(ctx, v));
	pb_finding_message(ctx, f, "Cardinal %s: %s %s = %s", r->code, group_name[g], id,
			   number_text(ctx, v));
}

/* A quartile or fence the indicator used, for Cardinal's "Meta". */
static void cmeta(struct crun *r, const char *key, double v)
{
	pb_rule_ctx *ctx = r->ctx;

	if (!r->meta) {
		r->meta = pb_finding_add(ctx, PB_T_TENDERS, "", "meta");
		pb_finding_detail(ctx, r->meta, "cardinal_group", "Meta");
		pb_finding_detail(ctx, r->meta, "cardinal_code", "%s", r->code);
		pb_finding_message(ctx, r->meta, "Cardinal %s: the quartiles and fences used", r->code);
	}
	pb_finding_detail(ctx, r->meta, key, "%s", number_text(ctx, v));
}

/* --- small sets of interned ids, sorted by address --- */

struct idset {
	const char **v;
	size_t n;
};

static int pcmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	return (x > y) - (x < y);
}

static void set_add(struct idset *s, const char *id)
{
	if (!id)
		return;
	s->v = pb_xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = id;
}

static void set_done(struct idset *s)
{
	size_t k = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), pcmp);
	for (size_t i = 0; i < s->n; i++)
		if (!k || s->v[k - 1] != s->v[i])
			s->v[k++] = s->v[i];
	s->n = k;
}

static int set_equal(const struct idset *a, const struct idset *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

static int set_has(const struct idset *s, const char *id)
{
	return id && s->n && bsearch(&id, s->v, s->n, sizeof(*s->v), pcmp);
}

static void set_release(struct idset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Tallies that wait for every process: id -> row. */
struct ctally {
	pb_ptrmap *ix;
	struct crow {
		const char *id, *winner, *runner;
		const struct cprocess *p;
		double ratio;
		size_t num, den;
	} *rows;
	size_t n, cap;
};

static struct crow *ctally_row(struct ctally *t, const char *id)
{
	uint32_t k;

	if (!t->ix)
		t->ix = pb_ptrmap_new();
	if (pb_ptrmap_get(t->ix, id, &k))
		return &t->rows[k];
	PB_GROW(t->rows, t->n + 1, t->cap);
	t->rows[t->n] = (struct crow){.id = id};
	pb_ptrmap_put(t->ix, id, (uint32_t)t->n);
	return &t->rows[t->n++];
}

static void ctally_release(struct ctally *t)
{
	pb_ptrmap_free(t->ix);
	free(t->rows);
}

/* Pending, valid or disqualified: a status, but not invited or withdrawn. */
static int submitted(const struct cbid *b)
{
	return b->status && !is(b->status, "invited") && !is(b->status, "withdrawn");
}

/* The active awards, when every award with a status is active, cancelled
 * or unsuccessful; -1 otherwise (the process is not final). */
static long complete_awards(const struct cprocess *p, const struct caward **active)
{
	long n = 0;

	for (size_t i = 0; i < p->nawards; i++) {
		const char *st = p->awards[i].status;
		if (is(st, "cancelled") || is(st, "unsuccessful"))
			continue;
		if (!is(st, "active"))
			return -1;
		active[n++] = &p->awards[i];
	}
	return n;
}

/* The single supplier of the only active award of a final process. */
static const char *sole_supplier(const struct cprocess *p)
{
	const struct caward **active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	const char *id = NULL;

	if (complete_awards(p, active) == 1 && active[0]->has_suppliers && active[0]->nsuppliers == 1)
		id = active[0]->suppliers[0];
	free(active);
	return id;
}

static void active_suppliers(const struct caward *const *awards, size_t n, struct idset *s)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < awards[i]->nsuppliers; k++)
			set_add(s, awards[i]->suppliers[k]);
	set_done(s);
}

/* The processes of a run, alive until cardinal_done: tallies point at them. */
struct cprocesses {
	struct cprocess *p;
	size_t n;
};

/* Runs `fn` over every process Cardinal does not skip, in file order. */

static void cardinal_each(pb_rule_ctx *ctx, struct cprocesses *all,
			  void (*fn)(struct crun *, const struct cprocess *, void *), struct crun *r,
			  void *data)
{
	size_t n;
	const pb_tender *t = pb_ledger_tenders(pb_ctx_ledger(ctx), &n);

	all->p = pb_xcalloc(n + 1, sizeof(*all->p));
	all->n = 0;
	for (size_t i = 0; i < n; i++) {
		struct cprocess *p = &all->p[all->n];
		cprocess_get(ctx, &t[i], p);
		if (cexcluded(ctx, p)) {
			cprocess_free(p);
			continue;
		}
		all->n++;
		fn(r, p, data);
	}
}

static void cardinal_done(struct cprocesses *all)
{
	for (size_t i = 0; i < all->n; i++)
		cprocess_free(&all->p[i]);
	free(all->p);
}

/* --- R003: tender periods, read as chrono reads RFC 3339 --- */

static int digits2(const char **s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*out = *out * 10 + (**s - '0');
	}
	return 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds and nanoseconds since the epoch; -1 unless strict RFC 3339. */
static int rfc3339(const char *s, int64_t *secs, long *nanos)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	*nanos = 0;
	if (!s || digits2(&s, 4, &y) || *s++ != '-' || digits2(&s, 2, &mo) || *s++ != '-' ||
	    digits2(&s, 2, &d) || (*s != 'T' && *s != 't'))
		return -1;
	s++;
	if (digits2(&s, 2, &h) || *s++ != ':' || digits2(&s, 2, &mi) || *s++ != ':' || digits2(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		long scale = 100000000;
		if (*++s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			*nanos += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits2(&s, 2, &oh) || *s++ != ':' || digits2(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

/* details_min_days as Cardinal's [R003.procurement_method_details]: the
 * last NAME=DAYS naming the details exactly. */
static int64_t cdays_for(const char *table, const char *details, int64_t def)
{
	size_t n = details ? strlen(details) : 0;

	for (const char *p = table; details && *p;) {
		size_t len = strcspn(p, "|");
		const char *eq = memchr(p, '=', len);
		if (eq && (size_t)(eq - p) == n && !memcmp(p, details, n))
			def = strtoll(eq + 1, NULL, 10);
		p += len + (p[len] == '|');
	}
	return def;
}

static void c003(struct crun *r, const struct cprocess *p, void *data)
{
	pb_rule_ctx *ctx = r->ctx;
	const char *methods = pb_param_text(ctx, "methods");
	int64_t a, b;
	long an, bn;

	(void)data;
	if ((*methods && !pb_list_has(methods, p->method)) || rfc3339(p->start, &a, &an) ||
	    rfc3339(p->end, &b, &bn))
		return;
	/* chrono's Duration::num_days(): whole days, truncated toward zero. */
	int64_t secs = b - a;
	long nanos = bn - an;
	if (nanos < 0) {
		secs--;
		nanos += 1000000000;
	}
	if (secs < 0 && nanos > 0)
		secs++;
	int64_t days = secs / 86400;
	if (days < cdays_for(pb_param_text(ctx, "details_min_days"), p->details, pb_param_int(ctx, "min_days")))
		cflag(r, p, G_OCID, p->ocid, 1.0);
}

static void cardinal_short_period(pb_rule_ctx *ctx)
{
	struct crun r;
	struct cprocesses all;

	crun_init(&r, ctx, "R003");
	cardinal_each(ctx, &all, c003, &r, NULL);
	cardinal_done(&all);
	crun_release(&r);
}

/* --- R024 and R058: the winner's lowest valid bid against the lowest
 * valid bid of anyone else, single tenderers, main currency --- */

static void cratio(struct crun *r, const struct cprocess *p, void *data)
{
	struct ctally *ratios = data;
	const char *supplier, *winner = NULL, *runner = NULL;
	double w = 0, l = 0;

	if (!cprice_compared(r->ctx, p) || !(supplier = sole_supplier(p)))
		return;
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!b->status || !b->has_amount || !b->currency || !b->has_tenderers ||
		    b->ntenderers != 1 || !b->tenderers[0] || !is(b->status, "valid") ||
		    !cmain_currency(r, b->currency))
			continue;
		if (b->tenderers[0] == supplier) {
			if (!winner || b->amount < w) {
				winner = supplier;
				w = b->amount;
			}
		} else if (!runner || b->amount < l) {
			runner = b->tenderers[0];
			l = b->amount;
		}
	}
	/* A lower losing bid: the award was not on price alone. */
	if (!winner || !runner || !(l >= w))
		return;
	struct crow *row = ctally_row(ratios, p->ocid);
	row->ratio = (l - w) / w;
	row->winner = winner;
	row->runner = runner;
	row->p = p;
}

static void cardinal_price_ratio(pb_rule_ctx *ctx, int close)
{
	struct crun r;
	struct cprocesses all;
	struct ctally ratios = {0};
	double fence, q1 = 1.0; /* passes the guard */

	crun_init(&r, ctx, close ? "R024" : "R058");
	cardinal_each(ctx, &all, cratio, &r, &ratios);
	if (!cthreshold(ctx, &fence)) {
		double *v = pb_xcalloc(ratios.n + 1, sizeof(*v));
		for (size_t i = 0; i < ratios.n; i++)
			v[i] = ratios.rows[i].ratio;
		pb_fences f = pb_fences_of(v, ratios.n);
		free(v);
		cmeta(&r, "q1", f.q1);
		cmeta(&r, "q3", f.q3);
		fence = close ? f.lower : f.upper;
		q1 = close ? f.q1 : 1.0;
	}
	cmeta(&r, close ? "lower_fence" : "upper_fence", fence);
	/* Ratios are not negative: with q1 or a fence at 0, three processes
	 * in four would be flagged. */
	for (size_t i = 0; q1 > 0 && fence > 0 && i < ratios.n; i++) {
		const struct crow *row = &ratios.rows[i];
		if (close ? !(row->ratio <= fence) : !(row->ratio >= fence))
			continue;
		cflag(&r, row->p, G_OCID, row->id, row->ratio);
		cflag(&r, row->p, G_TENDERER, row->winner, 0.0);
		if (close)
			cflag(&r, row->p, G_TENDERER, row->runner, 0.0);
	}
	ctally_release(&ratios);
	cardinal_done(&all);
	crun_release(&r);
}

/* --- R025: wins over processes bid in, per tenderer --- */

static void c025(struct crun *r, const struct cprocess *p, void *data)
{
	struct ctally *t = data;
	const char *supplier = sole_supplier(p);
	struct idset valid = {0};

	(void)r;
	if (!supplier)
		return;
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (is(b->status, "valid") && b->has_tenderers && b->ntenderers == 1)
			set_add(&valid, b->tenderers[0]);
	}
	/* Once per process, however many bids. */
	set_done(&valid);
	for (size_t i = 0; i < valid.n; i++) {
		struct crow *row = ctally_row(t, valid.v[i]);
		row->num += valid.v[i] == supplier;
		row->den++;
	}
	set_release(&valid);
}

static void cardinal_excessive_unsuccessful(pb_rule_ctx *ctx)
{
	struct crun r;
	struct cprocesses all;
	struct ctally t = {0};
	double lower, q1 = 1.0;

	crun_init(&r, ctx, "R025");
	cardinal_each(ctx, &all, c025, &r, &t);
	double *counts = pb_xcalloc(t.n + 1, sizeof(*counts)), *ratios = pb_xcalloc(t.n + 1, sizeof(*ratios));
	double *sorted = pb_xcalloc(t.n + 1, sizeof(*sorted));
	for (size_t i = 0; i < t.n; i++) {
		sorted[i] = counts[i] = (double)t.rows[i].den;
		ratios[i] = (double)t.rows[i].num / (double)t.rows[i].den;
	}
	pb_sort_doubles(sorted, t.n);
	double upper = pb_quantile(sorted, t.n, (double)pb_param_int(ctx, "percentile") / 100.0);
	free(sorted);
	if (!cthreshold(ctx, &lower)) {
		pb_fences f = pb_fences_of(ratios, t.n);
		cmeta(&r, "q1", f.q1);
		cmeta(&r, "q3", f.q3);
		lower = f.lower;
		q1 = f.q1;
	}
	cmeta(&r, "upper_fence", upper);
	cmeta(&r, "lower_fence", lower);
	for (size_t i = 0; q1 > 0 && lower > 0 && i < t.n; i++)
		if (counts[i] >= upper && ratios[i] <= lower)
			cflag(&r, NULL, G_TENDERER, t.rows[i].id, ratios[i]);
	free(counts);
	free(ratios);
	ctally_release(&t);
	cardinal_done(&all);
	crun_release(&r);
}

/* --- R028: Cardinal keeps the last tenderer set per price and compares
 * each bid with it --- */

static void flag_set(struct crun *r, const struct cprocess *p, const struct idset *s)
{
	for (size_t k = 0; k < s->n; k++)
		cflag(r, p, G_TENDERER, s->v[k], 1.0);
}

static void c028(struct crun *r, const struct cprocess *p, void *data)
{
	struct idset *sets;
	size_t *of, n = 0;

	(void)data;
	if (!cprice_compared(r->ctx, p))
		return;
	sets = pb_xcalloc(p->nbids + 1, sizeof(*sets));
	of = pb_xcalloc(p->nbids + 1, sizeof(*of));
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b) || !b->has_tenderers || !b->has_amount || !b->currency)
			continue;
		for (size_t k = 0; k < b->ntenderers; k++)
			set_add(&sets[n], b->tenderers[k]);
		set_done(&sets[n]);
		if (!sets[n].n) {
			set_release(&sets[n]);
			continue;
		}
		for (size_t k = n; k-- > 0;) {
			const struct cbid *o = &p->bids[of[k]];
			if (o->amount != b->amount || strcmp(o->currency, b->currency))
				continue;
			if (!set_equal(&sets[k], &sets[n])) {
				cflag(r, p, G_OCID, p->ocid, 1.0);
				flag_set(r, p, &sets[n]);
				flag_set(r, p, &sets[k]);
			}
			break;
		}
		of[n++] = i;
	}
	for (size_t k = 0; k < n; k++)
		set_release(&sets[k]);
	free(sets);
	free(of);
}

/* --- R030: a valid bid dated after the deadline (compared as text) by a
 * supplier of an active award --- */

static void c030(struct crun *r, const struct cprocess *p, void *data)
{
	const struct caward **active;
	struct idset winners = {0};
	size_t n = 0;

	(void)data;
	if (!p->end)
		return;
	active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	for (size_t i = 0; i < p->nawards; i++)
		if (is(p->awards[i].status, "active"))
			active[n++] = &p->awards[i];
	active_suppliers(active, n, &winners);
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!is(b->status, "valid") || !b->date || strcmp(b->date, p->end) <= 0)
			continue;
		for (size_t k = 0; k < b->ntenderers; k++)
			if (set_has(&winners, b->tenderers[k])) {
				cflag(r, p, G_OCID, p->ocid, 1.0);
				cflag(r, p, G_TENDERER, b->tenderers[k], 1.0);
			}
	}
	set_release(&winners);
	free(active);
}

/* --- R035: the winner the only valid tenderer, others disqualified --- */

static void c035(struct crun *r, const struct cprocess *p, void *data)
{
	const struct caward **active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	struct idset winners = {0}, valid = {0}, disqualified = {0};
	long n = complete_awards(p, active);
	int64_t min = pb_param_int(r->ctx, "min_disqualified");

	(void)data;
	if (n >= 0) {
		active_suppliers(active, (size_t)n, &winners);
		for (size_t i = 0; i < p->nbids; i++) {
			const struct cbid *b = &p->bids[i];
			struct idset *s = is(b->status, "valid")	  ? &valid
					  : is(b->status, "disqualified") ? &disqualified
									  : NULL;
			for (size_t k = 0; s && k < b->ntenderers; k++)
				set_add(s, b->tenderers[k]);
		}
	}
	set_done(&valid);
	set_done(&disqualified);
	size_t others = 0;
	for (size_t k = 0; k < disqualified.n; k++)
		others += !set_has(&valid, disqualified.v[k]);
	/* Cardinal's max(threshold, 1). */
	if (valid.n == 1 && set_equal(&valid, &winners) && (int64_t)others >= (min < 1 ? 1 : min)) {
		cflag(r, p, G_OCID, p->ocid, (double)others);
		cflag(r, p, G_TENDERER, valid.v[0], 0.0);
	}
	set_release(&winners);
	set_release(&valid);
	set_release(&disqualified);
	free(active);
}

/* --- R036: the lowest submitted bid in the main currency disqualified --- */

static void c036(struct crun *r, const struct cprocess *p, void *data)
{
	int any_active = 0, lowest_disqualified = 0, valid_amount = 0, have = 0;
	double lowest = 0;

	(void)data;
	if (!cprice_compared(r->ctx, p))
		return;
	for (size_t i = 0; i < p->nawards; i++)
		any_active |= is(p->awards[i].status, "active");
	for (size_t i = 0; any_active && i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b) || !b->has_amount || !b->currency || !cmain_currency(r, b->currency))
			continue;
		/* The first of equal lowest bids decides. */
		if (!have || b->amount < lowest) {
			have = 1;
			lowest = b->amount;
			lowest_disqualified = is(b->status, "disqualified");
		}
		valid_amount |= is(b->status, "valid");
	}
	if (valid_amount && lowest_disqualified)
		cflag(r, p, G_OCID, p->ocid, 1.0);
}

static void cardinal_simple(pb_rule_ctx *ctx, const char *code,
			    void (*fn)(struct crun *, const struct cprocess *, void *))
{
	struct crun r;
	struct cprocesses all;

	crun_init(&r, ctx, code);
	cardinal_each(ctx, &all, fn, &r, NULL);
	cardinal_done(&all);
	crun_release(&r);
}

/* --- R038: disqualified over submitted bids, per buyer, procuring
 * entity and tenderer --- */

static void c038(struct crun *r, const struct cprocess *p, void *data)
{
	struct ctally *t = data; /* buyer, entity, tenderer */
	size_t submitted_n = 0, disqualified_n = 0;

	(void)r;
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b))
			continue;
		size_t dq = is(b->status, "disqualified") ? 1 : 0;
		submitted_n++;
		disqualified_n += dq;
		for (size_t k = 0; k < b->ntenderers; k++) {
			if (!b->tenderers[k])
				continue;
			struct crow *row = ctally_row(&t[2], b->tenderers[k]);
			row->num += dq;
			row->den++;
		}
	}
	const char *owner[2] = {p->buyer, p->entity};
	for (int g = 0; submitted_n && g < 2; g++) {
		if (!owner[g])
			continue;
		struct crow *row = ctally_row(&t[g], owner[g]);
		row->num += disqualified_n;
		row->den += submitted_n;
	}
}

static void cardinal_excessive_disqualification(pb_rule_ctx *ctx)
{
	struct crun r;
	struct cprocesses all;
	struct ctally t[3] = {{0}, {0}, {0}};
	double threshold;
	int set = cthreshold(ctx, &threshold);

	crun_init(&r, ctx, "R038");
	cardinal_each(ctx, &all, c038, &r, t);
	for (int g = 0; g < 3; g++) {
		/* Cardinal 0.0.8 compares minimum_contracting_processes with the
		 * number of submitted bids of a buyer or procuring entity. */
		size_t minimum = (size_t)pb_param_int(ctx, g < 2 ? "min_processes" : "min_submitted_bids");
		double *ratio = pb_xcalloc(t[g].n + 1, sizeof(*ratio));
		const char **id = pb_xcalloc(t[g].n + 1, sizeof(*id));
		const char *gname = group_name[g + 1];
		size_t m = 0;
		for (size_t i = 0; i < t[g].n; i++)
			if (t[g].rows[i].den >= minimum) {
				id[m] = t[g].rows[i].id;
				ratio[m++] = (double)t[g].rows[i].num / (double)t[g].rows[i].den;
			}
		double upper = threshold;
		if (m && !set) {
			pb_fences f = pb_fences_of(ratio, m);
			cmeta(&r, pb_arena_printf(pb_ctx_scratch(ctx), "%s_q1", gname), f.q1);
			cmeta(&r, pb_arena_printf(pb_ctx_scratch(ctx), "%s_q3", gname), f.q3);
			upper = f.upper;
		}
		if (m)
			cmeta(&r, pb_arena_printf(pb_ctx_scratch(ctx), "%s_upper_fence", gname), upper);
		for (size_t k = 0; upper > 0 && k < m; k++)
			if (ratio[k] >= upper)
				cflag(&r, NULL, g + 1, id[k], ratio[k]);
		free(ratio);
		free(id);
		ctally_release(&t[g]);
	}
	cardinal_done(&all);
	crun_release(&r);
}

/* --- R048: item categories per supplier --- */

struct c048 {
	struct ctally t;      /* per supplier: num = processes, den = categories */
	pb_ptrmap *pairs;    /* supplier-category pairs seen */
	size_t digits;
};

/* The first `n` characters (not bytes) of a UTF-8 string. */
static size_t prefix_len(const char *s, size_t n)
{
	size_t len = 0, chars = 0;

	for (; s[len]; len++)
		if (((unsigned char)s[len] & 0xC0) != 0x80 && chars++ == n)
			break;
	return len;
}

static void c048(struct crun *r, const struct cprocess *p, void *data)
{
	struct c048 *c = data;
	struct idset seen = {0};

	for (size_t i = 0; i < p->nawards; i++) {
		const struct caward *a = &p->awards[i];
		const char *who = a->has_suppliers && a->nsuppliers == 1 ? a->suppliers[0] : NULL;
		if (!is(a->status, "active") || !who)
			continue;
		for (size_t k = 0; k < a->nclasses; k++) {
			const char *cls = a->classes[k];
			/* A supplier-category pair, unambiguous whatever the ids hold. */
			const char *pair = pb_arena_printf(pb_ctx_scratch(r->ctx), "%zu:%s%.*s", strlen(who), who,
							   (int)prefix_len(cls, c->digits), cls);
			pair = pb_ctx_intern(r->ctx, pair, strlen(pair));
			uint32_t dummy;
			struct crow *row = ctally_row(&c->t, who);
			set_add(&seen, who);
			if (!pb_ptrmap_get(c->pairs, pair, &dummy)) {
				pb_ptrmap_put(c->pairs, pair, 1);
				row->den++;
			}
		}
	}
	/* A supplier counts once per contracting process. */
	set_done(&seen);
	for (size_t k = 0; k < seen.n; k++)
		ctally_row(&c->t, seen.v[k])->num++;
	set_release(&seen);
}

static void cardinal_heterogeneous(pb_rule_ctx *ctx)
{
	struct crun r;
	struct cprocesses all;
	struct c048 c = {{0}, pb_ptrmap_new(), (size_t)pb_param_int(ctx, "digits")};
	size_t min = (size_t)pb_param_int(ctx, "min_contracts"), m = 0;
	double upper;

	crun_init(&r, ctx, "R048");
	cardinal_each(ctx, &all, c048, &r, &c);
	double *variety = pb_xcalloc(c.t.n + 1, sizeof(*variety));
	const char **id = pb_xcalloc(c.t.n + 1, sizeof(*id));
	for (size_t i = 0; i < c.t.n; i++)
		if (c.t.rows[i].num >= min) {
			id[m] = c.t.rows[i].id;
			variety[m++] = (double)c.t.rows[i].den;
		}
	if (!cthreshold(ctx, &upper)) {
		pb_fences f = pb_fences_of(variety, m);
		cmeta(&r, "q1", f.q1);
		cmeta(&r, "q3", f.q3);
		upper = f.upper;
	}
	cmeta(&r, "upper_fence", upper);
	for (size_t k = 0; k < m; k++)
		if (variety[k] >= upper)
			cflag(&r, NULL, G_TENDERER, id[k], variety[k]);
	free(variety);
	free(id);
	ctally_release(&c.t);
	pb_ptrmap_free(c.pairs);
	cardinal_done(&all);
	crun_release(&r);
}

/* --- bidding.short-submission-period (R003) --- */

/* Is `word` one of the tokens of `list` (separated by '|' or blanks)? */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, "| \t");
		if (len == n && !memcmp(p, word, n))
			return 1;
		p += len;
		p += strspn(p, "| \t");
	}
	return 0;
}

/*
 * Cardinal's [R003.procurement_method_details] as one parameter:
 * "NAME=DAYS|NAME=DAYS", NAME compared exactly with the tender's
 * method_details, else its method.  Returns the days for the tender, or
 * `def` when no entry names it.
 */
static int64_t days_for(const char *table, const pb_tender *t, int64_t def)
{
	const char *names[2] = {pb_str(t->method_details), pb_str(t->method)};

	for (int k = 0; k < 2; k++) {
		size_t n = names[k] ? strlen(names[k]) : 0;
		for (const char *p = table; n && *p;) {
			size_t len = strcspn(p, "|");
			const char *eq = memchr(p, '=', len);
			const char *name = p;
			while (eq && name < eq && (*name == ' ' || *name == '\t'))
				name++;
			const char *end = eq;
			while (eq && end > name && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (eq && (size_t)(end - name) == n && !memcmp(name, names[k], n))
				return strtoll(eq + 1, NULL, 10);
			p += len + (p[len] == '|');
		}
	}
	return def;
}

/* A date from the first ten characters of an ISO 8601 text, or NONE. */
static pb_date iso_day(const char *s)
{
	pb_date d;
	const char *why;

	if (!s || strlen(s) < 10 || pb_date_parse(s, 10, NULL, &d, &why))
		return PB_DATE_NONE;
	return d;
}

struct short_skips {
	size_t no_call, unknown, negative, ocds_start, enquiry, void_, small;
};

/*
 * When the bidding period began.  For OCDS the importer records
 * tenderPeriod.startDate and enquiryPeriod.startDate as extras: without
 * the former the period is unknown (published_on may be a release's
 * datePublished), and a period that an enquiry period precedes is not
 * the time bidders had (Prozorro's belowThreshold: questions first).
 */
static pb_date period_start(const pb_tender *t, struct short_skips *sk)
{
	if (!pb_row_extra(&t->row, "ocid"))
		return t->published_on;
	pb_date start = iso_day(pb_row_extra(&t->row, "tender_period_start"));
	pb_date enquiry = iso_day(pb_row_extra(&t->row, "enquiry_period_start"));
	if (start == PB_DATE_NONE) {
		sk->ocds_start++;
		return PB_DATE_NONE;
	}
	if (enquiry != PB_DATE_NONE && enquiry < start) {
		sk->enquiry++;
		return PB_DATE_NONE;
	}
	return start;
}

static void short_finding(pb_rule_ctx *ctx, const pb_tender *t, pb_date start,
			  int64_t days, int64_t min_days)
{
	char d0[11], d1[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t->tender_id), NULL);

	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	pb_finding_detail(ctx, f, "days", "%lld", (long long)days);
	pb_finding_detail(ctx, f, "min_days", "%lld", (long long)min_days);
	f->score = days <= 0 ? 1.0 : 1.0 - (double)days / (double)min_days;
	const char *method = t->method_details ? pb_str(t->method_details) : pb_str(t->method);
	pb_finding_message(ctx, f, "tender %s (%s) allowed %lld days for bids (%s to %s), fewer than %lld",
			   pb_str(t->tender_id), method ? method : "method unknown",
			   (long long)days, pb_date_format(start, d0),
			   pb_date_format(t->submission_deadline, d1), (long long)min_days);
}

static void short_notes(pb_rule_ctx *ctx, const struct short_skips *sk)
{
	if (sk->no_call)
		pb_ctx_note(ctx, "%zu tenders without a call for competition not judged", sk->no_call);
	if (sk->unknown)
		pb_ctx_note(ctx, "%zu tenders of an unknown procedure not judged", sk->unknown);
	if (sk->negative)
		pb_ctx_note(ctx, "%zu tenders with a deadline before their start not judged", sk->negative);
	if (sk->ocds_start)
		pb_ctx_note(ctx, "%zu OCDS tenders without a known tenderPeriod.startDate (extra tender_period_start) not judged", sk->ocds_start);
	if (sk->void_)
		pb_ctx_note(ctx, "%zu cancelled, withdrawn or planned tenders not judged", sk->void_);
	if (sk->enquiry)
		pb_ctx_note(ctx, "%zu OCDS tenders whose enquiry period precedes the tender period not judged", sk->enquiry);
	if (sk->small)
		pb_ctx_note(ctx, "%zu tenders of a low-value procedure (its own legal periods; set details_min_days) not judged",
			    sk->small);
}

static void run_short_period(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_tender *t = pb_ledger_tenders(pb_ctx_ledger(ctx), &n);
	int64_t min_days = pb_param_int(ctx, "min_days");
	const char *methods = pb_param_text(ctx, "methods");
	const char *details = pb_param_text(ctx, "details_min_days");
	struct short_skips sk = {0, 0, 0, 0, 0, 0, 0};
	if (cardinal_mode(ctx)) {
		cardinal_short_period(ctx);
		return;
	}

	for (size_t i = 0; i < n; i++) {
		if (t[i].submission_deadline == PB_DATE_NONE)
			continue;
		const pb_procedure *proc = pb_ctx_procedure(ctx, &t[i]);
		const char *method = proc ? proc->method : pb_str(t[i].method);
		if (*methods && (!method || !list_has(methods, method)))
			continue;
		/* A low-value route (Moldova's request for price quotations,
		 * Prozorro's belowThreshold) has its own short legal periods. */
		if (proc && proc->small && days_for(details, &t[i], -1) < 0) {
			sk.small++;
			continue;
		}
		/* Cancelled (Cardinal skips them too) or only planned: the period
		 * never ran, or its dates are still placeholders. */
		const char *st = pb_str(t[i].status);
		if (status(st, "cancelled") || status(st, "withdrawn") || status(st, "planned")) {
			sk.void_++;
			continue;
		}
		/* Without a published call nobody was waiting to bid. */
		pb_competition c = pb_ctx_competition(ctx, &t[i]);
		if (c != PB_COMPETITION_YES) {
			*(c == PB_COMPETITION_NO ? &sk.no_call : &sk.unknown) += 1;
			continue;
		}
		pb_date start = period_start(&t[i], &sk);
		if (start == PB_DATE_NONE)
			continue;
		int64_t days = (int64_t)t[i].submission_deadline - start;
		int64_t need = days_for(details, &t[i], min_days);
		if (days < 0) {
			sk.negative++; /* a data error, not a short period */
			continue;
		}
		if (days < need)
			short_finding(ctx, &t[i], start, days, need);
	}
	short_notes(ctx, &sk);
}

const pb_rule pb_rule_short_submission = {
	.id = "bidding.short-submission-period",
	.family = "bidding",
	.title = "Submission period shorter than a threshold (Cardinal R003)",
	.source = "OCP (Cardinal R003)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS),
	.params = (const pb_param_def[]){
		{"min_days", PB_P_DAYS, "15", "days from publication to the deadline below which it fires"},
		{"methods", PB_P_TEXT, "open", "only procedures of these canonical methods (separated by '|' or blanks), or all when empty"},
		{"details_min_days", PB_P_TEXT, "", "per-procedure thresholds as Cardinal's [R003.procurement_method_details]: NAME=DAYS|NAME=DAYS, NAME the method_details (else method)"},
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		{NULL, 0, NULL, NULL}},
	.run = run_short_period,
};

/* --- bidding.price-close-to-winner (R024), bidding.heavily-discounted (R058) --- */

static double price_ratio(pb_rule_ctx *ctx, const struct process *p, const char **winner,
			  const pb_bid **wbid, const pb_bid **rbid, int *mixed)
{
	const pb_contract *award;
	double w = INFINITY, l = INFINITY;
	const char *cur = NULL;

	*winner = sole_winner(p, &award);
	*wbid = *rbid = NULL;
	*mixed = 0;
	if (!*winner || !process_final(p))
		return NAN;
	for (size_t i = 0; i < p->nbids; i++) {
		const pb_bid *b = p->bids[i];
		double v = bid_amount(b);
		if (!status(pb_str(b->status), "valid") || !single_tenderer(b) || isnan(v))
			continue;
		if (!same_currency(b, &cur)) {
			*mixed = 1;
			return NAN;
		}
		if (b->bidder_id && pb_ctx_entity(ctx, pb_str(b->bidder_id)) == pb_ctx_entity(ctx, *winner)) {
			if (v < w) {
				w = v;
				*wbid = b;
			}
		} else if (v < l) {
			l = v;
			*rbid = b;
		}
	}
	if (isinf(w) || isinf(l) || w <= 0 || l < w)
		return NAN;
	return (l - w) / w;
}

static void run_price_ratio(pb_rule_ctx *ctx, int close)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, m = 0, mixed = 0;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	double *v = pb_xcalloc(n + 1, sizeof(*v));
	size_t *which = pb_xcalloc(n + 1, sizeof(*which));
	int mix;

	for (size_t i = 0; i < n; i++) {
		struct process p;
		const char *w;
		const pb_bid *wb, *rb;
		process_get(l, &t[i], &p);
		double r = price_ratio(ctx, &p, &w, &wb, &rb, &mix);
		process_free(&p);
		mixed += (size_t)mix;
		if (!isnan(r)) {
			v[m] = r;
			which[m++] = i;
		}
	}
	int64_t min_n = pb_param_int(ctx, "min_tenders");
	if ((int64_t)m >= min_n && m) {
		pb_fences fe = pb_fences_of(v, m);
		int ok = close ? fe.q1 > 0 && fe.lower > 0 : fe.upper > 0;
		/* Strictly beyond the fence: when most tenders share one ratio
		 * the fence sits on it, and "at the fence" would flag them all. */
		for (size_t k = 0; ok && k < m; k++) {
			if (close ? v[k] >= fe.lower : v[k] <= fe.upper)
				continue;
			struct process p;
			const char *w;
			const pb_bid *wb, *rb;
			process_get(l, &t[which[k]], &p);
			price_ratio(ctx, &p, &w, &wb, &rb, &mix);
			pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t[which[k]].tender_id), NULL);
			pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[which[k]], "tender");
			pb_finding_evidence(ctx, f, PB_T_BIDS, wb, "winning bid");
			pb_finding_evidence(ctx, f, PB_T_BIDS, rb, "next lowest bid");
			pb_finding_detail(ctx, f, "ratio", "%.4f", v[k]);
			pb_finding_detail(ctx, f, close ? "lower_fence" : "upper_fence", "%.4f", close ? fe.lower : fe.upper);
			f->score = close ? 1.0 - v[k] / (fe.lower > 0 ? fe.lower * 2 : 1) : (v[k] >= 2 * fe.upper ? 1.0 : v[k] / (2 * fe.upper));
			if (f->score < 0)
				f->score = 0;
			if (f->score > 1)
				f->score = 1;
			pb_finding_message(ctx, f, close
				? "in tender %s the next lowest bid (%s, %s) is only %.1f%% above the winner's (%s), an outlier among %zu tenders (fence %.1f%%)"
				: "in tender %s the winning bid is far below the next lowest (%s, %s): %.1f%% above the winner's (%s), an outlier among %zu tenders (fence %.1f%%)",
				pb_str(t[which[k]].tender_id), pb_str(rb->bidder_id),
				pb_ctx_money(ctx, rb->value, pb_str(rb->currency)),
				v[k] * 100.0, pb_ctx_money(ctx, wb->value, pb_str(wb->currency)), m,
				(close ? fe.lower : fe.upper) * 100.0);
			process_free(&p);
		}
	}
	if (mixed)
		pb_ctx_note(ctx, "%zu tender%s whose bids are in more than one currency: not judged",
			    mixed, mixed == 1 ? "" : "s");
	free(v);
	free(which);
}

static void run_price_close(pb_rule_ctx *ctx)
{
	if (cardinal_mode(ctx)) {
		cardinal_price_ratio(ctx, 1);
		return;
	}
	run_price_ratio(ctx, 1);
}

static void run_discounted(pb_rule_ctx *ctx)
{
	if (cardinal_mode(ctx)) {
		cardinal_price_ratio(ctx, 0);
		return;
	}
	run_price_ratio(ctx, 0);
}

/* The two rules judge the same ratio from either side: the same knobs. */
static const pb_param_def bid_ratio_params[] = {
	{"min_tenders", PB_P_INT, "5", "tenders with a ratio needed before fences mean anything"},
	PB_CARDINAL_MODE,
	PB_CARDINAL_EXCLUSIONS,
	PB_CARDINAL_PRICE_COMPARISON,
	PB_CARDINAL_NO_PRICE_COMPARISON,
	PB_CARDINAL_CURRENCY,
	PB_CARDINAL_THRESHOLD,
	{NULL, 0, NULL, NULL}};

const pb_rule pb_rule_price_close = {
	.id = "bidding.price-close-to-winner",
	.family = "bidding",
	.title = "Next lowest valid bid unusually close to the winner's (Cardinal R024)",
	.source = "OCP (Cardinal R024)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = bid_ratio_params,
	.run = run_price_close,
};

const pb_rule pb_rule_heavily_discounted = {
	.id = "bidding.heavily-discounted",
	.family = "bidding",
	.title = "Winning bid far below the others (Cardinal R058)",
	.source = "OCP (Cardinal R058)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = bid_ratio_params,
	.run = run_discounted,
};

/* --- bidding.identical-bids (R028) --- */

static int by_price(const void *pa, const void *pb)
{
	const pb_bid *x = *(const pb_bid *const *)pa, *y = *(const pb_bid *const *)pb;
	int c = strcmp(x->currency ? pb_str(x->currency) : "", y->currency ? pb_str(y->currency) : "");

	if (c)
		return c;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(pb_str(x->bid_id), pb_str(y->bid_id));
}

/* One price offered by two or more bidder entities in one tender: one
 * finding with every such bid (a twin record bidding twice is one
 * bidder, not collusion). */
static void identical_group(pb_rule_ctx *ctx, const pb_tender *t, const pb_bid *const *g, size_t n)
{
	const char *first = pb_ctx_entity(ctx, pb_str(g[0]->bidder_id));
	size_t k = 1;

	while (k < n && pb_ctx_entity(ctx, pb_str(g[k]->bidder_id)) == first)
		k++;
	if (k == n)
		return;
	const char *pair = pb_arena_printf(pb_ctx_scratch(ctx), "%s|%s", pb_str(g[0]->bid_id),
					   pb_str(g[k]->bid_id));
	pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t->tender_id), pair);
	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	for (size_t i = 0; i < n; i++)
		pb_finding_evidence(ctx, f, PB_T_BIDS, g[i], i ? "identical bid" : "bid");
	pb_finding_detail(ctx, f, "bids", "%zu", n);
	if (n == 2)
		pb_finding_message(ctx, f, "in tender %s, %s and %s both bid exactly %s",
				   pb_str(t->tender_id), pb_str(g[0]->bidder_id),
				   pb_str(g[1]->bidder_id),
				   pb_ctx_money(ctx, g[0]->value, pb_str(g[0]->currency)));
	else
		pb_finding_message(ctx, f, "in tender %s, %zu bids (%s, %s, ...) are all exactly %s",
				   pb_str(t->tender_id), n, pb_str(g[0]->bidder_id),
				   pb_str(g[k]->bidder_id),
				   pb_ctx_money(ctx, g[0]->value, pb_str(g[0]->currency)));
}

static void run_identical(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	if (cardinal_mode(ctx)) {
		cardinal_simple(ctx, "R028", c028);
		return;
	}

	for (size_t i = 0; i < n; i++) {
		struct process p;
		size_t m = 0;
		process_get(l, &t[i], &p);
		const pb_bid **priced = pb_xcalloc(p.nbids + 1, sizeof(*priced));
		for (size_t k = 0; k < p.nbids; k++)
			if (!status(pb_str(p.bids[k]->status), "withdrawn") && p.bids[k]->value != PB_AMOUNT_NONE &&
			    p.bids[k]->bidder_id)
				priced[m++] = p.bids[k];
		if (m > 1)
			qsort(priced, m, sizeof(*priced), by_price);
		for (size_t s0 = 0; s0 < m;) {
			size_t e = s0 + 1;
			while (e < m && priced[e]->value == priced[s0]->value &&
			       priced[e]->currency == priced[s0]->currency)
				e++;
			if (e - s0 > 1)
				identical_group(ctx, &t[i], priced + s0, e - s0);
			s0 = e;
		}
		free(priced);
		process_free(&p);
	}
}

const pb_rule pb_rule_identical_bids = {
	.id = "bidding.identical-bids",
	.family = "bidding",
	.title = "Two bidders offer identical prices in one tender (Cardinal R028)",
	.source = "OCP (Cardinal R028), WB",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS),
	.params = (const pb_param_def[]){
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		PB_CARDINAL_PRICE_COMPARISON,
		PB_CARDINAL_NO_PRICE_COMPARISON,
		{NULL, 0, NULL, NULL}},
	.run = run_identical,
};

/* --- bidding.late-bid-won (R030) --- */

static void run_late_bid(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	char d0[11], d1[11];
	if (cardinal_mode(ctx)) {
		cardinal_simple(ctx, "R030", c030);
		return;
	}

	for (size_t i = 0; i < n; i++) {
		if (t[i].submission_deadline == PB_DATE_NONE)
			continue;
		struct process p;
		process_get(l, &t[i], &p);
		for (size_t k = 0; process_final(&p) && k < p.nbids; k++) {
			const pb_bid *b = p.bids[k];
			if (!status(pb_str(b->status), "valid") || b->submitted_on == PB_DATE_NONE ||
			    b->submitted_on <= t[i].submission_deadline || !is_winner(&p, pb_str(b->bidder_id)))
				continue;
			pb_finding *f = pb_finding_add(ctx, PB_T_BIDS, pb_str(b->bid_id), NULL);
			pb_finding_evidence(ctx, f, PB_T_BIDS, b, "late bid");
			pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
			pb_finding_message(ctx, f, "%s won tender %s with a bid dated %s, after the %s deadline",
					   pb_str(b->bidder_id), pb_str(t[i].tender_id), pb_date_format(b->submitted_on, d0),
					   pb_date_format(t[i].submission_deadline, d1));
		}
		process_free(&p);
	}
}

const pb_rule pb_rule_late_bid_won = {
	.id = "bidding.late-bid-won",
	.family = "bidding",
	.title = "The winning bid arrived after the deadline (Cardinal R030)",
	.source = "OCP (Cardinal R030)",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		{NULL, 0, NULL, NULL}},
	.run = run_late_bid,
};

/* --- bidding.all-but-winner-disqualified (R035), lowest-bid-disqualified (R036) --- */

static void run_all_but_winner(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	int64_t min = pb_param_int(ctx, "min_disqualified");
	if (cardinal_mode(ctx)) {
		cardinal_simple(ctx, "R035", c035);
		return;
	}

	for (size_t i = 0; i < n; i++) {
		struct process p;
		const pb_contract *award;
		process_get(l, &t[i], &p);
		const char *winner = sole_winner(&p, &award), *valid = NULL;
		int several = 0;
		size_t disq = 0;
		for (size_t k = 0; k < p.nbids; k++) {
			const pb_bid *b = p.bids[k];
			if (!status(pb_str(b->status), "valid"))
				continue;
			if (!valid)
				valid = pb_ctx_entity(ctx, pb_str(b->bidder_id));
			else if (pb_ctx_entity(ctx, pb_str(b->bidder_id)) != valid)
				several = 1;
		}
		/* Distinct disqualified bidder entities, the winner's own
		 * records (a twin) not among them. */
		for (size_t k = 0; k < p.nbids; k++) {
			const char *who = pb_ctx_entity(ctx, pb_str(p.bids[k]->bidder_id));
			int first = status(pb_str(p.bids[k]->status), "disqualified") &&
				    who != pb_ctx_entity(ctx, winner);
			for (size_t j = 0; first && j < k; j++)
				first = !(status(pb_str(p.bids[j]->status), "disqualified") &&
					  pb_ctx_entity(ctx, pb_str(p.bids[j]->bidder_id)) == who);
			disq += first != 0;
		}
		if (process_final(&p) && winner && valid && !several && valid == pb_ctx_entity(ctx, winner) &&
		    (int64_t)disq >= min) {
			pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t[i].tender_id), NULL);
			process_evidence(ctx, f, &p);
			pb_finding_detail(ctx, f, "disqualified", "%zu", disq);
			f->score = disq >= 4 ? 1.0 : 0.25 * (double)disq;
			pb_finding_message(ctx, f, "in tender %s every bid but the winner's (%s) was disqualified (%zu bidders)",
					   pb_str(t[i].tender_id), winner, disq);
		}
		process_free(&p);
	}
}

const pb_rule pb_rule_all_but_winner = {
	.id = "bidding.all-but-winner-disqualified",
	.family = "bidding",
	.title = "Every bid but the winner's was disqualified (Cardinal R035)",
	.source = "OCP (Cardinal R035)",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"min_disqualified", PB_P_INT, "1", "disqualified bidders needed"},
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		{NULL, 0, NULL, NULL}},
	.run = run_all_but_winner,
};

static void run_lowest_disqualified(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, mixed = 0;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	if (cardinal_mode(ctx)) {
		cardinal_simple(ctx, "R036", c036);
		return;
	}

	for (size_t i = 0; i < n; i++) {
		struct process p;
		const pb_contract *award;
		const pb_bid *lowest = NULL;
		int valid_amount = 0, active = 0, mix = 0;
		double low = INFINITY;
		const char *cur = NULL;
		process_get(l, &t[i], &p);
		sole_winner(&p, &award);
		for (size_t k = 0; k < p.nawards; k++)
			active |= award_active(p.awards[k]);
		for (size_t k = 0; k < p.nbids; k++) {
			double v = bid_amount(p.bids[k]);
			if (isnan(v) || status(pb_str(p.bids[k]->status), "withdrawn"))
				continue;
			if ((mix = !same_currency(p.bids[k], &cur)) != 0)
				break;
			valid_amount |= status(pb_str(p.bids[k]->status), "valid");
			if (v < low) {
				low = v;
				lowest = p.bids[k];
			}
		}
		mixed += (size_t)(mix && process_final(&p) && active);
		if (!mix && process_final(&p) && active && valid_amount && lowest &&
		    status(pb_str(lowest->status), "disqualified")) {
			pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, pb_str(t[i].tender_id), NULL);
			pb_finding_evidence(ctx, f, PB_T_TENDERS, &t[i], "tender");
			pb_finding_evidence(ctx, f, PB_T_BIDS, lowest, "lowest bid, disqualified");
			for (size_t k = 0; k < p.nawards; k++)
				if (award_active(p.awards[k]))
					pb_finding_evidence(ctx, f, PB_T_CONTRACTS, p.awards[k], "award");
			pb_finding_message(ctx, f, "in tender %s the lowest bid (%s, %s) was disqualified",
					   pb_str(t[i].tender_id), pb_str(lowest->bidder_id ? lowest->bidder_id : lowest->bid_id),
					   pb_ctx_money(ctx, lowest->value, pb_str(lowest->currency)));
		}
		process_free(&p);
	}
	if (mixed)
		pb_ctx_note(ctx, "%zu tender%s whose bids are in more than one currency: not judged",
			    mixed, mixed == 1 ? "" : "s");
}

const pb_rule pb_rule_lowest_disqualified = {
	.id = "bidding.lowest-bid-disqualified",
	.family = "bidding",
	.title = "The lowest bid was disqualified (Cardinal R036)",
	.source = "OCP (Cardinal R036)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		PB_CARDINAL_PRICE_COMPARISON,
		PB_CARDINAL_NO_PRICE_COMPARISON,
		PB_CARDINAL_CURRENCY,
		{NULL, 0, NULL, NULL}},
	.run = run_lowest_disqualified,
};

/* --- per-party statistics: R025, R038, R048 --- */

struct tally_row {
	const char *id;
	double a, b; /* numerator-ish and denominator-ish counts */
};

static struct tally_row *tally_get(pb_ptrmap *ix, struct tally_row **rows, size_t *n,
				   size_t *cap, const char *id)
{
	uint32_t k;

	if (!pb_ptrmap_get(ix, id, &k)) {
		PB_GROW(*rows, *n + 1, *cap);
		(*rows)[*n] = (struct tally_row){id, 0, 0};
		k = (uint32_t)(*n)++;
		pb_ptrmap_put(ix, id, k);
	}
	return &(*rows)[k];
}

/*
 * Counts by party, for a pass over every bid.  A bid's party is a row of
 * the parties table (the reference resolved once, pb_ledger_refs), and
 * its counts sit in an array by that row, whose place is known 16 bids
 * ahead and fetched then; the rows of one entity (registry twins) are
 * added into their root's at the end.  An id with no party row is
 * counted by its text, as an entity.  Counted through a map by entity,
 * each bid cost two cache misses, the second waiting on the first: at
 * 57M rows, ten times the time of 10M.
 */
struct party_tally {
	uint32_t (*by_row)[2]; /* a, b: as tally_row's */
	size_t nrows;
	pb_ptrmap *ix; /* ids with no party row -> their place in other */
	struct tally_row *other;
	size_t nother, capother;
};

/* by_row: counts by the parties table's rows; 0: every party is counted
 * by text (a buyer through its tender: few) */
static void party_tally_init(struct party_tally *pt, pb_ledger *l, int by_row)
{
	size_t rows = 0;

	if (by_row)
		pb_ledger_parties(l, &rows);
	*pt = (struct party_tally){.by_row = pb_xcalloc(rows + 1, sizeof(*pt->by_row)), .nrows = rows,
				   .ix = pb_ptrmap_new()};
}

static void party_tally_prefetch(const struct party_tally *pt, uint32_t row)
{
	if (row < pt->nrows)
		__builtin_prefetch(&pt->by_row[row], 1);
}

/* One count for the party at `row` or, with none (PB_NO_ROW), for the
 * entity `who`: b one more, a `a` more. */
static void party_tally_add(struct party_tally *pt, uint32_t row, const char *who, unsigned a)
{
	if (row < pt->nrows) {
		pt->by_row[row][0] += a;
		pt->by_row[row][1]++;
		return;
	}
	struct tally_row *r = tally_get(pt->ix, &pt->other, &pt->nother, &pt->capother, who);
	r->a += a;
	r->b++;
}

/* The counts by entity, each counted at least once: the parties' in
 * the order of their roots' rows, then the ids with no row in the order
 * they came.  Releases the tally. */
static struct tally_row *party_tally_finish(pb_rule_ctx *ctx, struct party_tally *pt, size_t *n)
{
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t np, m = 0;
	const pb_party *p = pb_ledger_parties(pb_ctx_ledger(ctx), &np);

	for (size_t i = 0; i < pt->nrows; i++) {
		size_t root;
		if (!pt->by_row[i][1] || (root = pb_parties_root(pp, i)) == i)
			continue;
		pt->by_row[root][0] += pt->by_row[i][0];
		pt->by_row[root][1] += pt->by_row[i][1];
		pt->by_row[i][0] = pt->by_row[i][1] = 0;
	}
	for (size_t i = 0; i < pt->nrows; i++)
		m += pt->by_row[i][1] != 0;
	struct tally_row *rows = pb_xcalloc(m + pt->nother + 1, sizeof(*rows));
	m = 0;
	for (size_t i = 0; i < pt->nrows; i++)
		if (pt->by_row[i][1])
			rows[m++] = (struct tally_row){pb_str(p[i].party_id), pt->by_row[i][0],
						       pt->by_row[i][1]};
	if (pt->nother)
		memcpy(&rows[m], pt->other, pt->nother * sizeof(*rows));
	*n = m + pt->nother;
	free(pt->by_row);
	free(pt->other);
	pb_ptrmap_free(pt->ix);
	return rows;
}

/*
 * The first PARTY_BIDS bids of each flagged party, in file order, found
 * in one pass over the bids for all the findings: a pass for each
 * finding made a rule quadratic (30 times the time for 10 times the
 * rows).  A finding takes at most 25 rows of evidence, so no more are
 * needed.
 */
#define PARTY_BIDS 25

struct party_bids {
	pb_ptrmap *place; /* flagged entity -> its place */
	uint32_t (*bids)[PARTY_BIDS];
	uint8_t *count;
	size_t n, cap;
};

static void party_bids_flag(struct party_bids *pb, const char *who)
{
	uint32_t k;

	if (!pb->place)
		pb->place = pb_ptrmap_new();
	if (pb_ptrmap_get(pb->place, who, &k))
		return;
	if (pb->n == pb->cap) {
		pb->cap = pb->cap ? 2 * pb->cap : 16;
		pb->bids = pb_xreallocarray(pb->bids, pb->cap, sizeof(*pb->bids));
		pb->count = pb_xreallocarray(pb->count, pb->cap, sizeof(*pb->count));
	}
	pb->count[pb->n] = 0;
	pb_ptrmap_put(pb->place, who, (uint32_t)pb->n++);
}

/* Bid i of `who`, if who is flagged and has room. */
static void party_bids_offer(struct party_bids *pb, const char *who, size_t i)
{
	uint32_t k;

	if (pb->place && who && pb_ptrmap_get(pb->place, who, &k) && pb->count[k] < PARTY_BIDS)
		pb->bids[k][pb->count[k]++] = (uint32_t)i;
}

static const uint32_t *party_bids_of(const struct party_bids *pb, const char *who, size_t *n)
{
	uint32_t k;

	*n = 0;
	if (!pb->place || !pb_ptrmap_get(pb->place, who, &k))
		return NULL;
	*n = pb->count[k];
	return pb->bids[k];
}

static void party_bids_release(struct party_bids *pb)
{
	pb_ptrmap_free(pb->place);
	free(pb->bids);
	free(pb->count);
}

/* Did the entity `who` win an active award of the process? */
static int entity_won(pb_rule_ctx *ctx, const struct process *p, const char *who)
{
	for (size_t i = 0; i < p->nawards; i++)
		if (award_active(p->awards[i]) && p->awards[i]->supplier_id &&
		    pb_ctx_entity(ctx, pb_str(p->awards[i]->supplier_id)) == who)
			return 1;
	return 0;
}

/* The party rows of the bidders of the tender TALLY_AHEAD on are
 * fetched while this one is counted. */
#define TALLY_AHEAD 4

static void prefetch_bidders(pb_ledger *l, const struct party_tally *pt, const uint32_t *party_row,
			     const pb_tender *t, size_t n, size_t i)
{
	size_t nb;
	const uint32_t *bi = i + TALLY_AHEAD < n ? pb_tender_bids(l, &t[i + TALLY_AHEAD], &nb) : NULL;

	for (size_t k = 0; bi && k < nb; k++)
		party_tally_prefetch(pt, party_row[bi[k]]);
}

/* Counts each entity that bid validly in a final process once: one
 * more process, and one more win if it won an active award.  Each bid's
 * entity is looked up once, not again for every later bid. */
static void count_tenderers(pb_rule_ctx *ctx, const struct process *p, struct party_tally *pt,
			    const uint32_t *party_row, const pb_bid *bids)
{
	const char *few[PROCESS_BIDS], **who = p->nbids <= PROCESS_BIDS ? few : pb_xcalloc(p->nbids, sizeof(*who));

	for (size_t k = 0; k < p->nbids; k++) {
		const pb_bid *b = p->bids[k];
		/* NULL for a bid that counts for no one, valid or not */
		who[k] = status(pb_str(b->status), "valid") ? pb_ctx_entity(ctx, pb_str(b->bidder_id)) : NULL;
		int first = who[k] && single_tenderer(b);
		for (size_t j = 0; first && j < k; j++)
			first = who[j] != who[k];
		if (first)
			party_tally_add(pt, party_row[b - bids], who[k], (unsigned)entity_won(ctx, p, who[k]));
	}
	if (who != few)
		free(who);
}

/* Tenderers are counted as entities: a registry twin that holds the
 * wins must not leave its other record looking like a perpetual loser. */
static void run_excessive_unsuccessful_probity(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, nr, nbids;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	const pb_bid *bids = pb_ledger_bids(l, &nbids);
	const uint32_t *party_row = pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, bidder_id), PB_T_PARTIES);
	struct tally_row *rows; /* a = wins, b = processes bid in */
	struct party_tally pt;

	party_tally_init(&pt, l, 1);
	for (size_t i = 0; i < n; i++) {
		struct process p;
		prefetch_bidders(l, &pt, party_row, t, n, i);
		process_get(l, &t[i], &p);
		if (process_final(&p))
			count_tenderers(ctx, &p, &pt, party_row, bids);
		process_free(&p);
	}
	rows = party_tally_finish(ctx, &pt, &nr);
	int64_t min_n = pb_param_int(ctx, "min_tenderers");
	if ((int64_t)nr >= min_n && nr) {
		double *ratio = pb_xcalloc(nr, sizeof(*ratio)), *count = pb_xcalloc(nr, sizeof(*count));
		for (size_t k = 0; k < nr; k++) {
			ratio[k] = rows[k].a / rows[k].b;
			count[k] = rows[k].b;
		}
		pb_fences fr = pb_fences_of(ratio, nr);
		pb_fences fc = pb_fences_of(count, nr); /* q3 is the 75th percentile */
		struct party_bids flagged = {0};
		size_t nb, nm;
		const pb_bid *all = pb_ledger_bids(l, &nb);
		for (size_t k = 0; fr.q1 > 0 && fr.lower > 0 && k < nr; k++)
			if (count[k] >= fc.q3 && ratio[k] < fr.lower) /* strictly below */
				party_bids_flag(&flagged, rows[k].id);
		for (size_t j = 0; flagged.n && j < nb; j++)
			if (all[j].bidder_id)
				party_bids_offer(&flagged,
						 pb_ctx_entity(ctx, pb_str(all[j].bidder_id)), j);
		for (size_t k = 0; fr.q1 > 0 && fr.lower > 0 && k < nr; k++) {
			if (count[k] < fc.q3 || ratio[k] >= fr.lower) /* strictly below */
				continue;
			pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, rows[k].id, NULL);
			const pb_party *party = pb_ledger_find(l, PB_T_PARTIES, rows[k].id);
			if (party)
				pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "tenderer");
			const uint32_t *mine = party_bids_of(&flagged, rows[k].id, &nm);
			for (size_t j = 0; j < nm && f->nevidence < 25; j++)
				pb_finding_evidence(ctx, f, PB_T_BIDS, &all[mine[j]], "bid");
			pb_finding_detail(ctx, f, "win_ratio", "%.4f", ratio[k]);
			pb_finding_message(ctx, f, "%s won %.0f of the %.0f tenders it bid in (%.0f%%), far fewer than its peers (fence %.0f%%)",
					   rows[k].id, rows[k].a, rows[k].b, ratio[k] * 100.0, fr.lower * 100.0);
		}
		party_bids_release(&flagged);
		free(ratio);
		free(count);
	}
	free(rows);
}

static void run_excessive_unsuccessful(pb_rule_ctx *ctx)
{
	if (cardinal_mode(ctx))
		cardinal_excessive_unsuccessful(ctx);
	else
		run_excessive_unsuccessful_probity(ctx);
}

const pb_rule pb_rule_excessive_unsuccessful = {
	.id = "bidding.excessive-unsuccessful",
	.family = "bidding",
	.title = "A tenderer loses far more often than its peers (Cardinal R025)",
	.source = "OCP (Cardinal R025)",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"min_tenderers", PB_P_INT, "5", "tenderers needed before fences mean anything"},
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		{"percentile", PB_P_INT, "75", "mode cardinal: a tenderer needs at least this percentile of bid counts"},
		PB_CARDINAL_THRESHOLD,
		{NULL, 0, NULL, NULL}},
	.run = run_excessive_unsuccessful,
};

/* The party bid i counts for: its tender's buyer (the bids' tender_row
 * given), or, with tender_row NULL, its bidder (as entities). */
static const char *bid_party(pb_rule_ctx *ctx, const uint32_t *tender_row, size_t i)
{
	pb_ledger *l = pb_ctx_ledger(ctx);

	if (!tender_row)
		return pb_ctx_entity(ctx, pb_str(((const pb_bid *)pb_ledger_at(l, PB_T_BIDS, i))->bidder_id));
	const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, tender_row[i]);
	return pb_ctx_entity(ctx, t ? pb_str(t->buyer_id) : NULL);
}

static void disqualification_by(pb_rule_ctx *ctx, int by_buyer)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, nr;
	const pb_bid *b = pb_ledger_bids(l, &n);
	struct tally_row *rows; /* a = disqualified, b = submitted */
	struct party_tally pt;
	int64_t min_bids = pb_param_int(ctx, "min_submitted_bids");
	/* looked up once, not once a bid: a buyer through its tender (few,
	 * counted by text), a tenderer through its party row */
	const uint32_t *tender_row =
		by_buyer ? pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, tender_id), PB_T_TENDERS) : NULL;
	const uint32_t *party_row =
		by_buyer ? NULL : pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, bidder_id), PB_T_PARTIES);

	party_tally_init(&pt, l, !by_buyer);
	for (size_t i = 0; i < n; i++) {
		if (party_row && i + 16 < n)
			party_tally_prefetch(&pt, party_row[i + 16]);
		if (status(pb_str(b[i].status), "withdrawn"))
			continue;
		uint32_t row = party_row ? party_row[i] : PB_NO_ROW;
		const char *who = row == PB_NO_ROW ? bid_party(ctx, tender_row, i) : NULL;
		if (row == PB_NO_ROW && !who)
			continue;
		party_tally_add(&pt, row, who, (unsigned)status(pb_str(b[i].status), "disqualified"));
	}
	rows = party_tally_finish(ctx, &pt, &nr);
	double *ratio = pb_xcalloc(nr + 1, sizeof(*ratio));
	size_t *which = pb_xcalloc(nr + 1, sizeof(*which)), m = 0;
	for (size_t k = 0; k < nr; k++)
		if (rows[k].b >= (double)min_bids) {
			ratio[m] = rows[k].a / rows[k].b;
			which[m++] = k;
		}
	/* Fences over a handful of parties flag everyone at the top. */
	if ((int64_t)m >= pb_param_int(ctx, "min_parties")) {
		pb_fences fe = pb_fences_of(ratio, m);
		struct party_bids flagged = {0};
		size_t nm;
		for (size_t k = 0; fe.upper > 0 && k < m; k++)
			if (ratio[k] > fe.upper) /* strictly above */
				party_bids_flag(&flagged, rows[which[k]].id);
		for (size_t i = 0; flagged.n && i < n; i++)
			if (status(pb_str(b[i].status), "disqualified"))
				party_bids_offer(&flagged, bid_party(ctx, tender_row, i), i);
		for (size_t k = 0; fe.upper > 0 && k < m; k++) {
			if (ratio[k] <= fe.upper) /* strictly above */
				continue;
			const struct tally_row *r = &rows[which[k]];
			pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, r->id, by_buyer ? "buyer" : "tenderer");
			const pb_party *party = pb_ledger_find(l, PB_T_PARTIES, r->id);
			if (party)
				pb_finding_evidence(ctx, f, PB_T_PARTIES, party, by_buyer ? "buyer" : "tenderer");
			const uint32_t *mine = party_bids_of(&flagged, r->id, &nm);
			for (size_t i = 0; i < nm && f->nevidence < 25; i++)
				pb_finding_evidence(ctx, f, PB_T_BIDS, &b[mine[i]], "disqualified bid");
			pb_finding_detail(ctx, f, "ratio", "%.4f", ratio[k]);
			pb_finding_message(ctx, f, "%s %s: %.0f of %.0f submitted bids disqualified (%.0f%%), an outlier (fence %.0f%%)",
					   by_buyer ? "buyer" : "tenderer", r->id, r->a, r->b, ratio[k] * 100.0, fe.upper * 100.0);
		}
		party_bids_release(&flagged);
	}
	free(ratio);
	free(which);
	free(rows);
}

static void run_excessive_disqualification(pb_rule_ctx *ctx)
{
	if (cardinal_mode(ctx)) {
		cardinal_excessive_disqualification(ctx);
		return;
	}
	disqualification_by(ctx, 1);
	disqualification_by(ctx, 0);
}

const pb_rule pb_rule_excessive_disqualification = {
	.id = "bidding.excessive-disqualification",
	.family = "bidding",
	.title = "A buyer or tenderer has an outlying disqualification rate (Cardinal R038)",
	.source = "OCP (Cardinal R038)",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS),
	.params = (const pb_param_def[]){
		{"min_submitted_bids", PB_P_INT, "2", "submitted bids a buyer or tenderer needs to be judged"},
		{"min_parties", PB_P_INT, "5", "buyers (or tenderers) judged before fences mean anything"},
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		{"min_processes", PB_P_INT, "2", "mode cardinal: submitted bids a buyer or procuring entity needs (Cardinal 0.0.8's minimum_contracting_processes)"},
		PB_CARDINAL_THRESHOLD,
		{NULL, 0, NULL, NULL}},
	.run = run_excessive_disqualification,
};

/* Does any tender name its items' classes?  Without them no supplier
 * counts a class: the rule cannot judge, and says so (a CSV export
 * rarely has them: a 10M-row ledger spent half a second tallying
 * nothing). */
static int any_classified_tender(pb_ledger *l)
{
	size_t n;
	const pb_tender *t = pb_ledger_tenders(l, &n);

	for (size_t i = 0; i < n; i++)
		if (pb_row_extra(&t[i].row, "classifications"))
			return 1;
	return 0;
}

static void run_heterogeneous_probity(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	if (!any_classified_tender(l)) {
		pb_ctx_note(ctx, "no tender names its items' classes (OCDS items' classification, eForms or TED CPV codes, or a classifications column): not judged");
		return;
	}
	size_t n, nr = 0, cap = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	struct tally_row *rows = NULL; /* a = categories, b = contracts */
	pb_ptrmap *ix = pb_ptrmap_new();
	int64_t digits = pb_param_int(ctx, "digits"), min = pb_param_int(ctx, "min_contracts");
	pb_buf seen;

	const uint32_t *tender_row = pb_ledger_refs(l, PB_T_CONTRACTS, offsetof(pb_contract, tender_id),
						    PB_T_TENDERS);

	pb_buf_init(&seen);
	for (size_t i = 0; i < n; i++) {
		if (!c[i].supplier_id || !award_active(&c[i]))
			continue;
		tally_get(ix, &rows, &nr, &cap, pb_str(c[i].supplier_id))->b++;
	}
	for (size_t k = 0; k < nr; k++) {
		pb_buf_reset(&seen);
		pb_buf_addch(&seen, ' ');
		size_t nc;
		const uint32_t *ci = pb_ledger_group(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), rows[k].id, &nc);
		for (size_t j = 0; j < nc; j++) {
			const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, tender_row[ci[j]]);
			const char *cls = t ? pb_row_extra(&t->row, "classifications") : NULL;
			for (const char *p = cls; p && *p;) {
				size_t len = strcspn(p, ";");
				const char *id = memchr(p, ':', len);
				id = id ? id + 1 : p;
				size_t idlen = len - (size_t)(id - p);
				if ((int64_t)idlen >= digits) {
					char pre[40];
					snprintf(pre, sizeof(pre), " %.*s ", (int)digits, id);
					if (!strstr(seen.data, pre)) {
						pb_buf_addstr(&seen, pre + 1);
						rows[k].a++;
					}
				}
				p += len + (p[len] == ';');
			}
		}
	}
	pb_buf_release(&seen);
	double *v = pb_xcalloc(nr + 1, sizeof(*v));
	size_t *which = pb_xcalloc(nr + 1, sizeof(*which)), m = 0;
	for (size_t k = 0; k < nr; k++)
		if (rows[k].b >= (double)min && rows[k].a > 0) {
			v[m] = rows[k].a;
			which[m++] = k;
		}
	/* Fences over a handful of suppliers flag everyone at the top. */
	if (m && (int64_t)m >= pb_param_int(ctx, "min_suppliers")) {
		pb_fences fe = pb_fences_of(v, m);
		for (size_t k = 0; k < m; k++) {
			if (v[k] <= fe.upper || fe.upper <= 0) /* strictly above */
				continue;
			const struct tally_row *r = &rows[which[k]];
			pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, r->id, NULL);
			const pb_party *party = pb_ledger_find(l, PB_T_PARTIES, r->id);
			if (party)
				pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "supplier");
			pb_finding_detail(ctx, f, "categories", "%.0f", r->a);
			pb_finding_message(ctx, f, "%s won contracts in %.0f unrelated item classes (%lld-digit prefixes), an outlier (fence %.1f)",
					   r->id, r->a, (long long)digits, fe.upper);
		}
	}
	free(v);
	free(which);
	free(rows);
	pb_ptrmap_free(ix);
}

static void run_heterogeneous(pb_rule_ctx *ctx)
{
	if (cardinal_mode(ctx))
		cardinal_heterogeneous(ctx);
	else
		run_heterogeneous_probity(ctx);
}

const pb_rule pb_rule_heterogeneous_supplier = {
	.id = "bidding.heterogeneous-supplier",
	.family = "bidding",
	.title = "A supplier wins in unusually many unrelated item classes (Cardinal R048)",
	.source = "OCP (Cardinal R048)",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"digits", PB_P_INT, "2", "leading digits of a classification code that name its class"},
		{"min_contracts", PB_P_INT, "20", "contracts a supplier needs to be judged"},
		{"min_suppliers", PB_P_INT, "5", "suppliers judged before fences mean anything"},
		PB_CARDINAL_MODE,
		PB_CARDINAL_EXCLUSIONS,
		PB_CARDINAL_THRESHOLD,
		{NULL, 0, NULL, NULL}},
	.run = run_heterogeneous,
};
