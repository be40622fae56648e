/*
 * offsets.c - defence offset programmes.
 *
 * Risk: offsets (the supplier's promise to invest in or buy from the
 * buying country) are where defence deals hide value: obligations that
 * quietly lapse, penalties waived, credits inflated by multipliers, and
 * "investments" steered to firms close to officials.  TI-DS's offsets
 * due-diligence work names each of these.
 * Data: offsets; contracts for the main-contract comparison and the
 * buyer; parties and relationships for linked beneficiaries.
 * False positives: a renegotiated due date not captured in the extract
 * makes an obligation look overdue; multipliers above 2 can be lawful
 * for technology transfer in some national policies.
 * Thresholds: TI-DS defaults (docs/rules/); all are parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "../engine/graph.h"
#include "../engine/parties.h"
#include "rules.h"

static int is_status(const char *status, const char *want)
{
	return status && !strcmp(status, want);
}

static void offset_evidence(pb_rule_ctx *ctx, pb_finding *f, const pb_offset *o)
{
	pb_ledger *l = pb_ctx_ledger(ctx);

	pb_finding_evidence(ctx, f, PB_T_OFFSETS, o, "offset");
	const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, pb_str(o->contract_id));
	if (c)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
}

/* Obligation, credits, multiplier, due date and status side by side. */
static void offset_details(pb_rule_ctx *ctx, pb_finding *f, const pb_offset *o)
{
	char d[11], m[32];

	pb_finding_detail(ctx, f, "obligation", "%s",
			  pb_ctx_money(ctx, o->obligation_value, pb_str(o->currency)));
	pb_finding_detail(ctx, f, "credited", "%s",
			  pb_ctx_money(ctx, o->credited_value, pb_str(o->currency)));
	pb_finding_detail(ctx, f, "multiplier", "%s",
			  o->multiplier == PB_INT_NONE ? "unknown"
						       : pb_decimal_format(o->multiplier, m));
	pb_finding_detail(ctx, f, "due_on", "%s",
			  o->due_on == PB_DATE_NONE ? "unknown" : pb_date_format(o->due_on, d));
	pb_finding_detail(ctx, f, "status", "%s", o->status ? pb_str(o->status) : "unknown");
}

static void run_overdue(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_offset *o = pb_ledger_offsets(l, &n);
	int64_t grace = pb_param_int(ctx, "grace_days");
	pb_date as_of = pb_ctx_as_of(ctx);
	char due[11], ref[11];

	if (as_of == PB_DATE_NONE) {
		pb_ctx_note(ctx, "no reference date: give --as-of");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (o[i].due_on == PB_DATE_NONE || o[i].fulfilled_on != PB_DATE_NONE ||
		    is_status(pb_str(o[i].status), "fulfilled") ||
		    is_status(pb_str(o[i].status), "waived"))
			continue;
		int64_t late = (int64_t)as_of - o[i].due_on;
		if (late <= grace)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o[i].offset_id), NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "days_overdue", "%lld", (long long)late);
		f->score = late >= 365 ? 1.0 : (double)late / 365.0;
		if (is_status(pb_str(o[i].status), "defaulted"))
			f->severity = PB_SEV_CRITICAL;
		pb_finding_message(ctx, f,
			"offset obligation of %s was due %s and is %s %lld days later (as of %s)",
			pb_ctx_money(ctx, o[i].obligation_value, pb_str(o[i].currency)),
			pb_date_format(o[i].due_on, due),
			o[i].status ? pb_str(o[i].status) : "unfulfilled", (long long)late,
			pb_date_format(as_of, ref));
	}
}

const pb_rule pb_rule_offsets_overdue = {
	.id = "offsets.overdue-unfulfilled",
	.family = "offsets",
	.title = "Offset obligation past due and not fulfilled",
	.source = "TI-DS",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_OFFSETS),
	.params = (const pb_param_def[]){
		{"grace_days", PB_P_DAYS, "0", "days after the due date before an obligation counts as overdue"},
		{NULL, 0, NULL, NULL}},
	.run = run_overdue,
};

static void run_penalty_waived(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_offset *o = pb_ledger_offsets(pb_ctx_ledger(ctx), &n);

	for (size_t i = 0; i < n; i++) {
		int waived = is_status(pb_str(o[i].status), "waived");
		int assessed = o[i].penalty != PB_AMOUNT_NONE && o[i].penalty > 0;
		int64_t got = o[i].penalty_collected == PB_AMOUNT_NONE ? 0 : o[i].penalty_collected;
		int uncollected = assessed && got < o[i].penalty;
		if (!waived && !uncollected)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o[i].offset_id), NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "penalty", "%s", pb_ctx_money(ctx, o[i].penalty, pb_str(o[i].currency)));
		pb_finding_detail(ctx, f, "penalty_collected", "%s",
				  pb_ctx_money(ctx, o[i].penalty_collected, pb_str(o[i].currency)));
		if (uncollected) {
			f->score = 1.0 - pb_ratio(got, o[i].penalty);
			pb_finding_message(ctx, f,
				"offset penalty of %s was assessed but only %s collected%s",
				pb_ctx_money(ctx, o[i].penalty, pb_str(o[i].currency)),
				pb_ctx_money(ctx, got, pb_str(o[i].currency)),
				waived ? " (obligation waived)" : "");
		} else {
			pb_finding_message(ctx, f,
				"offset obligation of %s was waived%s",
				pb_ctx_money(ctx, o[i].obligation_value, pb_str(o[i].currency)),
				assessed ? "" : " with no penalty assessed");
		}
	}
}

const pb_rule pb_rule_offsets_penalty_waived = {
	.id = "offsets.penalty-waived",
	.family = "offsets",
	.title = "Offset penalty waived, or assessed but not collected",
	.source = "TI-DS",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_OFFSETS),
	.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
	.run = run_penalty_waived,
};

static void run_high_multiplier(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_offset *o = pb_ledger_offsets(pb_ctx_ledger(ctx), &n);
	int64_t cap = pb_param_millionths(ctx, "max_multiplier");
	char m[32], c[32];

	for (size_t i = 0; i < n; i++) {
		if (o[i].multiplier == PB_INT_NONE || o[i].multiplier <= cap)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o[i].offset_id), NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		f->score = o[i].multiplier >= 2 * cap ? 1.0 : pb_ratio(o[i].multiplier - cap, cap);
		pb_finding_message(ctx, f,
			"offset credits are multiplied by %s, above the cap of %s",
			pb_decimal_format(o[i].multiplier, m), pb_decimal_format(cap, c));
	}
}

const pb_rule pb_rule_offsets_high_multiplier = {
	.id = "offsets.high-multiplier",
	.family = "offsets",
	.title = "Offset credit multiplier above the cap",
	.source = "TI-DS",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_OFFSETS),
	.params = (const pb_param_def[]){
		{"max_multiplier", PB_P_DECIMAL, "2", "highest credit multiplier that does not fire"},
		{NULL, 0, NULL, NULL}},
	.run = run_high_multiplier,
};

static void run_over_credited(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_offset *o = pb_ledger_offsets(pb_ctx_ledger(ctx), &n);
	int64_t tolerance = pb_param_millionths(ctx, "tolerance_pct");

	for (size_t i = 0; i < n; i++) {
		if (o[i].credited_value == PB_AMOUNT_NONE ||
		    o[i].obligation_value == PB_AMOUNT_NONE || o[i].obligation_value <= 0)
			continue;
		int64_t excess = o[i].credited_value - o[i].obligation_value;
		if (excess <= 0 || !pb_ratio_exceeds_pct(excess, o[i].obligation_value, tolerance))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o[i].offset_id), NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		double r = pb_ratio(excess, o[i].obligation_value);
		f->score = r > 1.0 ? 1.0 : r;
		pb_finding_message(ctx, f,
			"offset credited %s against an obligation of %s (%.1f%% more)",
			pb_ctx_money(ctx, o[i].credited_value, pb_str(o[i].currency)),
			pb_ctx_money(ctx, o[i].obligation_value, pb_str(o[i].currency)), r * 100.0);
	}
}

const pb_rule pb_rule_offsets_over_credited = {
	.id = "offsets.over-credited",
	.family = "offsets",
	.title = "Offset credited beyond its obligation",
	.source = "TI-DS",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_OFFSETS),
	.params = (const pb_param_def[]){
		{"tolerance_pct", PB_P_PERCENT, "0", "credited value may exceed the obligation by this share"},
		{NULL, 0, NULL, NULL}},
	.run = run_over_credited,
};

static void run_excessive_obligation(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, skipped = 0;
	const pb_offset *o = pb_ledger_offsets(l, &n);
	int64_t max_pct = pb_param_millionths(ctx, "max_share_pct");

	for (size_t i = 0; i < n; i++) {
		const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, pb_str(o[i].contract_id));
		if (!c || c->value == PB_AMOUNT_NONE || c->value <= 0 ||
		    o[i].obligation_value == PB_AMOUNT_NONE)
			continue;
		if (c->currency != o[i].currency) {
			skipped++;
			continue;
		}
		if (!pb_ratio_exceeds_pct(o[i].obligation_value, c->value, max_pct))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o[i].offset_id), NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "contract_value", "%s", pb_ctx_money(ctx, c->value, pb_str(c->currency)));
		double r = pb_ratio(o[i].obligation_value, c->value);
		f->score = r >= 2.0 ? 1.0 : r / 2.0;
		pb_finding_message(ctx, f,
			"offset obligation of %s is %.0f%% of its main contract's %s",
			pb_ctx_money(ctx, o[i].obligation_value, pb_str(o[i].currency)), r * 100.0,
			pb_ctx_money(ctx, c->value, pb_str(c->currency)));
	}
	if (skipped)
		pb_ctx_note(ctx, "skipped %zu offsets in another currency than their contract", skipped);
}

const pb_rule pb_rule_offsets_excessive_obligation = {
	.id = "offsets.excessive-obligation",
	.family = "offsets",
	.title = "Offset obligation larger than the main contract",
	.source = "TI-DS",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_OFFSETS) | PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"max_share_pct", PB_P_PERCENT, "100", "obligation as a share of the contract value that does not fire"},
		{NULL, 0, NULL, NULL}},
	.run = run_excessive_obligation,
};

/* Employer links from parties.employer_id join every official to their
 * ministry; a path through the ministry is not a personal link. */
static int personal_link(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)at;
	(void)hop;
	(void)data;
	return e->table == PB_T_RELATIONSHIPS;
}

/*
 * The nodes a beneficiary reaches by personal links within max_hops on
 * any date: a superset of those it reaches on one date, so an official
 * outside it cannot be linked.  One search per beneficiary, however many
 * offsets it has; the dated search then runs only for the officials
 * inside it.
 */
struct reach {
	pb_ptrmap *set;     /* node -> 1 */
	const char **nodes; /* the same nodes, nearest first */
	size_t n;
};

struct reach_sets {
	pb_ptrmap *slot; /* beneficiary entity -> index in sets */
	struct reach *sets;
	size_t n, cap;
};

static const struct reach *reach_of(struct reach_sets *rs, const pb_graph *g, pb_graph_walk *w,
				    const char *ben, size_t hops)
{
	uint32_t k;

	if (pb_ptrmap_get(rs->slot, ben, &k))
		return &rs->sets[k];
	size_t reached = pb_graph_reach(g, w, ben, PB_DATE_NONE, hops, personal_link, NULL);
	struct reach r = {pb_ptrmap_new(), pb_xcalloc(reached + 1, sizeof(char *)), reached};
	for (size_t i = 0; i < reached; i++) {
		r.nodes[i] = pb_graph_walk_node(w, i);
		pb_ptrmap_put(r.set, r.nodes[i], 1);
	}
	PB_GROW(rs->sets, rs->n + 1, rs->cap);
	rs->sets[rs->n] = r;
	pb_ptrmap_put(rs->slot, ben, (uint32_t)rs->n++);
	return &rs->sets[rs->n - 1];
}

/*
 * A buyer's officials by entity, for offsets judged against it: the
 * parties it employs (employer_id, on every date) are looked up by entity
 * instead of walked for every offset; `employee` relationships, valid on
 * an offset's date only, are read per offset (pb_employees_of).
 */
struct employer {
	const char *org;
	pb_ptrmap *first; /* entity -> first index in parties, chained by next */
	uint32_t *next;
	const uint32_t *parties; /* pb_ledger_group of parties.employer_id */
	size_t n;
};

static struct employer *employer_of(pb_rule_ctx *ctx, pb_ptrmap *cache, struct employer ***all,
				    size_t *nall, size_t *cap, const char *org)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	uint32_t k;

	if (pb_ptrmap_get(cache, org, &k))
		return (*all)[k];
	struct employer *e = pb_xcalloc(1, sizeof(*e));
	e->org = org;
	e->first = pb_ptrmap_new();
	e->parties = pb_ledger_group(l, PB_T_PARTIES, offsetof(pb_party, employer_id), org, &e->n);
	e->next = pb_xcalloc(e->n + 1, sizeof(*e->next));
	/* chained in reverse, so each chain reads in ledger order */
	for (size_t i = e->n; i-- > 0;) {
		const pb_party *p = pb_ledger_at(l, PB_T_PARTIES, e->parties[i]);
		const char *who = pb_ctx_entity(ctx, pb_str(p->party_id));
		uint32_t head;
		e->next[i] = pb_ptrmap_get(e->first, who, &head) ? head : UINT32_MAX;
		pb_ptrmap_put(e->first, who, (uint32_t)i);
	}
	PB_GROW(*all, *nall + 1, *cap);
	(*all)[*nall] = e;
	pb_ptrmap_put(cache, org, (uint32_t)(*nall)++);
	return e;
}

static void employer_free(struct employer *e)
{
	pb_ptrmap_free(e->first);
	free(e->next);
	free(e);
}

/* One finding: an official of the contract's buyer linked to (or one
 * entity with) the offset's beneficiary. */
static void linked_finding(pb_rule_ctx *ctx, const pb_offset *o, const pb_contract *c,
			   const pb_official *official, const pb_path *p, int same)
{
	pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, pb_str(o->offset_id), official->id);
	offset_evidence(ctx, f, o);
	pb_finding_evidence(ctx, f, official->table, official->record, "official");
	if (!same)
		pb_path_evidence(ctx, f, p);
	offset_details(ctx, f, o);
	const char *path = same ? official->id : pb_path_text(ctx, p);
	pb_finding_detail(ctx, f, "path", "%s", path);
	f->score = same ? 1.0 : 1.0 / (double)p->nedges;
	pb_finding_message(ctx, f,
		"offset beneficiary %s is linked to %s, an official of buyer %s: %s",
		pb_str(o->beneficiary_id), official->id, pb_str(c->buyer_id), path);
}

struct judge {
	pb_rule_ctx *ctx;
	const pb_graph *g;
	pb_graph_walk *w;
	size_t hops;
	const pb_offset *o;
	const pb_contract *c;
	const char *ben;
	const pb_ptrmap *near; /* nodes the beneficiary reaches on some date */
	pb_date on;
};

/* Judges one official of the buyer. */
static void judge_official(struct judge *j, const pb_official *official)
{
	const char *who = pb_ctx_entity(j->ctx, official->id);
	int same = who == j->ben;
	uint32_t dummy;
	pb_path p;

	if (!same && (!pb_ptrmap_get(j->near, who, &dummy) ||
		      !pb_graph_walk_path(j->g, j->w, who, j->ben, j->on, j->hops, personal_link, NULL, &p)))
		return;
	linked_finding(j->ctx, j->o, j->c, official, &p, same);
}

/* The party officials of the buyer whose entity is `who`. */
static void judge_entity(struct judge *j, const struct employer *e, const char *who)
{
	pb_ledger *l = pb_ctx_ledger(j->ctx);
	uint32_t i;

	if (!pb_ptrmap_get(e->first, who, &i))
		return;
	for (; i != UINT32_MAX; i = e->next[i]) {
		const pb_party *p = pb_ledger_at(l, PB_T_PARTIES, e->parties[i]);
		pb_official off = {pb_str(p->party_id), PB_T_PARTIES, p};
		judge_official(j, &off);
	}
}

static void judge_employee(const pb_official *o, void *data)
{
	judge_official(data, o);
}

/*
 * Per offset, only the buyer's officials who are the beneficiary or
 * within its reach are judged: an official is found from the nodes near
 * the beneficiary, not the beneficiary from every official.
 */
static void run_linked_beneficiary(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, nall = 0, capall = 0;
	const pb_offset *o = pb_ledger_offsets(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");
	pb_graph_walk *w = pb_graph_walk_new(g);
	struct reach_sets rs = {pb_ptrmap_new(), NULL, 0, 0};
	pb_ptrmap *cache = pb_ptrmap_new();
	struct employer **all = NULL;

	for (size_t i = 0; i < n; i++) {
		const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, pb_str(o[i].contract_id));
		if (!c || !c->buyer_id || !o[i].beneficiary_id)
			continue;
		pb_date on = pb_ctx_signed_on(ctx, c);
		if (on == PB_DATE_NONE)
			on = c->awarded_on;
		if (on == PB_DATE_NONE)
			on = pb_ctx_as_of(ctx);
		const char *ben = pb_parties_entity(pp, pb_str(o[i].beneficiary_id));
		const struct reach *near = reach_of(&rs, g, w, ben, hops);
		struct judge j = {ctx, g, w, hops, &o[i], c, ben, near->set, on};
		const struct employer *e = employer_of(ctx, cache, &all, &nall, &capall, pb_str(c->buyer_id));
		/* the beneficiary itself, then every node near it */
		judge_entity(&j, e, ben);
		for (size_t k = 0; k < near->n; k++)
			if (near->nodes[k] != ben)
				judge_entity(&j, e, near->nodes[k]);
		pb_employees_of(l, pb_str(c->buyer_id), on, judge_employee, &j);
	}
	for (size_t k = 0; k < nall; k++)
		employer_free(all[k]);
	free(all);
	pb_ptrmap_free(cache);
	for (size_t k = 0; k < rs.n; k++) {
		pb_ptrmap_free(rs.sets[k].set);
		free(rs.sets[k].nodes);
	}
	free(rs.sets);
	pb_ptrmap_free(rs.slot);
	pb_graph_walk_free(w);
}

const pb_rule pb_rule_offsets_linked_beneficiary = {
	.id = "offsets.linked-beneficiary",
	.family = "offsets",
	.title = "Offset beneficiary linked to an official of the buyer",
	.source = "TI-DS",
	.severity = PB_SEV_CRITICAL,
	.needs = PB_NEEDS(PB_T_OFFSETS) | PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.follows_links = 1,
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain of relationships that counts as a link"},
		{NULL, 0, NULL, NULL}},
	.run = run_linked_beneficiary,
};
