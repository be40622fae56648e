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
	const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, o->contract_id);
	if (c)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
}

/* Obligation, credits, multiplier, due date and status side by side. */
static void offset_details(pb_rule_ctx *ctx, pb_finding *f, const pb_offset *o)
{
	char d[11], m[32];

	pb_finding_detail(ctx, f, "obligation", "%s",
			  pb_ctx_money(ctx, o->obligation_value, o->currency));
	pb_finding_detail(ctx, f, "credited", "%s",
			  pb_ctx_money(ctx, o->credited_value, o->currency));
	pb_finding_detail(ctx, f, "multiplier", "%s",
			  o->multiplier == PB_INT_NONE ? "unknown"
						       : pb_decimal_format(o->multiplier, m));
	pb_finding_detail(ctx, f, "due_on", "%s",
			  o->due_on == PB_DATE_NONE ? "unknown" : pb_date_format(o->due_on, d));
	pb_finding_detail(ctx, f, "status", "%s", o->status ? o->status : "unknown");
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
		    is_status(o[i].status, "fulfilled") || is_status(o[i].status, "waived"))
			continue;
		int64_t late = (int64_t)as_of - o[i].due_on;
		if (late <= grace)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "days_overdue", "%lld", (long long)late);
		f->score = late >= 365 ? 1.0 : (double)late / 365.0;
		if (is_status(o[i].status, "defaulted"))
			f->severity = PB_SEV_CRITICAL;
		pb_finding_message(ctx, f,
			"offset obligation of %s was due %s and is %s %lld days later (as of %s)",
			pb_ctx_money(ctx, o[i].obligation_value, o[i].currency),
			pb_date_format(o[i].due_on, due),
			o[i].status ? o[i].status : "unfulfilled", (long long)late,
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
		int waived = is_status(o[i].status, "waived");
		int assessed = o[i].penalty != PB_AMOUNT_NONE && o[i].penalty > 0;
		int64_t got = o[i].penalty_collected == PB_AMOUNT_NONE ? 0 : o[i].penalty_collected;
		int uncollected = assessed && got < o[i].penalty;
		if (!waived && !uncollected)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "penalty", "%s", pb_ctx_money(ctx, o[i].penalty, o[i].currency));
		pb_finding_detail(ctx, f, "penalty_collected", "%s",
				  pb_ctx_money(ctx, o[i].penalty_collected, o[i].currency));
		if (uncollected) {
			f->score = 1.0 - pb_ratio(got, o[i].penalty);
			pb_finding_message(ctx, f,
				"offset penalty of %s was assessed but only %s collected%s",
				pb_ctx_money(ctx, o[i].penalty, o[i].currency),
				pb_ctx_money(ctx, got, o[i].currency),
				waived ? " (obligation waived)" : "");
		} else {
			pb_finding_message(ctx, f,
				"offset obligation of %s was waived%s",
				pb_ctx_money(ctx, o[i].obligation_value, o[i].currency),
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
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, NULL);
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
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		double r = pb_ratio(excess, o[i].obligation_value);
		f->score = r > 1.0 ? 1.0 : r;
		pb_finding_message(ctx, f,
			"offset credited %s against an obligation of %s (%.1f%% more)",
			pb_ctx_money(ctx, o[i].credited_value, o[i].currency),
			pb_ctx_money(ctx, o[i].obligation_value, o[i].currency), r * 100.0);
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
		const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, o[i].contract_id);
		if (!c || c->value == PB_AMOUNT_NONE || c->value <= 0 ||
		    o[i].obligation_value == PB_AMOUNT_NONE)
			continue;
		if (c->currency != o[i].currency) {
			skipped++;
			continue;
		}
		if (!pb_ratio_exceeds_pct(o[i].obligation_value, c->value, max_pct))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, NULL);
		offset_evidence(ctx, f, &o[i]);
		offset_details(ctx, f, &o[i]);
		pb_finding_detail(ctx, f, "contract_value", "%s", pb_ctx_money(ctx, c->value, c->currency));
		double r = pb_ratio(o[i].obligation_value, c->value);
		f->score = r >= 2.0 ? 1.0 : r / 2.0;
		pb_finding_message(ctx, f,
			"offset obligation of %s is %.0f%% of its main contract's %s",
			pb_ctx_money(ctx, o[i].obligation_value, o[i].currency), r * 100.0,
			pb_ctx_money(ctx, c->value, c->currency));
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
 * offsets and officials it has; the dated search then runs only for the
 * few officials inside.
 */
struct reach_sets {
	pb_ptrmap *slot; /* beneficiary entity -> index in sets */
	pb_ptrmap **sets;
	size_t n, cap;
};

static const pb_ptrmap *reach_of(struct reach_sets *rs, const pb_graph *g, pb_graph_walk *w,
				 const char *ben, size_t hops)
{
	uint32_t k;

	if (pb_ptrmap_get(rs->slot, ben, &k))
		return rs->sets[k];
	pb_ptrmap *set = pb_ptrmap_new();
	size_t reached = pb_graph_reach(g, w, ben, PB_DATE_NONE, hops, personal_link, NULL);
	for (size_t i = 0; i < reached; i++)
		pb_ptrmap_put(set, pb_graph_walk_node(w, i), 1);
	PB_GROW(rs->sets, rs->n + 1, rs->cap);
	rs->sets[rs->n] = set;
	pb_ptrmap_put(rs->slot, ben, (uint32_t)rs->n++);
	return set;
}

static void run_linked_beneficiary(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_offset *o = pb_ledger_offsets(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");
	pb_graph_walk *w = pb_graph_walk_new(g);
	struct reach_sets rs = {pb_ptrmap_new(), NULL, 0, 0};

	for (size_t i = 0; i < n; i++) {
		const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, o[i].contract_id);
		if (!c || !c->buyer_id || !o[i].beneficiary_id)
			continue;
		pb_date on = c->signed_on != PB_DATE_NONE ? c->signed_on : c->awarded_on;
		if (on == PB_DATE_NONE)
			on = pb_ctx_as_of(ctx);
		const char *ben = pb_parties_entity(pp, o[i].beneficiary_id);
		const pb_ptrmap *near = reach_of(&rs, g, w, ben, hops);
		pb_official *off;
		size_t nof = pb_officials_of(l, c->buyer_id, on, &off);
		for (size_t k = 0; k < nof; k++) {
			const pb_official *official = &off[k];
			const char *who = pb_parties_entity(pp, official->id);
			pb_path p;
			uint32_t dummy;
			int same = who == ben;
			if (!same && (!pb_ptrmap_get(near, who, &dummy) ||
				      !pb_graph_walk_path(g, w, who, ben, on, hops, personal_link, NULL, &p)))
				continue;
			pb_finding *f = pb_finding_add(ctx, PB_T_OFFSETS, o[i].offset_id, official->id);
			offset_evidence(ctx, f, &o[i]);
			pb_finding_evidence(ctx, f, official->table, official->record, "official");
			if (!same)
				pb_path_evidence(ctx, f, &p);
			offset_details(ctx, f, &o[i]);
			const char *path = same ? official->id : pb_path_text(ctx, &p);
			pb_finding_detail(ctx, f, "path", "%s", path);
			f->score = same ? 1.0 : 1.0 / (double)p.nedges;
			pb_finding_message(ctx, f,
				"offset beneficiary %s is linked to %s, an official of buyer %s: %s",
				o[i].beneficiary_id, official->id, c->buyer_id, path);
		}
		free(off);
	}
	for (size_t k = 0; k < rs.n; k++)
		pb_ptrmap_free(rs.sets[k]);
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
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain of relationships that counts as a link"},
		{NULL, 0, NULL, NULL}},
	.run = run_linked_beneficiary,
};
