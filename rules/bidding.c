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
#include <string.h>

#include "../engine/graph.h"
#include "../engine/parties.h"
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
	for (uint32_t i = 0; p && i < p->row.nextra; i++)
		if (!strcmp(p->row.extra[i].name, "phone"))
			return p->row.extra[i].value;
	return NULL;
}

/* Why two bidders are linked, or NULL; *path is filled for graph links. */
static const char *link_reason(pb_rule_ctx *ctx, const pb_bid *a, const pb_bid *b,
			       pb_date on, size_t hops, pb_path *path, int *has_path)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	const pb_party_keys *ka = pb_parties_keys_of(pp, a->bidder_id);
	const pb_party_keys *kb = pb_parties_keys_of(pp, b->bidder_id);
	const char *ea = pb_parties_entity(pp, a->bidder_id);
	const char *eb = pb_parties_entity(pp, b->bidder_id);

	*has_path = 0;
	if (ea == eb)
		return "same registry identifier";
	if (pb_graph_path(pb_ctx_graph(ctx), ea, eb, on, hops, personal_link, NULL, path)) {
		*has_path = 1;
		return path->nedges == 2 && path->edges[0]->from == path->edges[1]->from
			       ? "linked through a common party" : "linked by relationships";
	}
	if (ka && kb && ka->address && ka->address == kb->address)
		return "same address";
	if (ka && kb && ka->account && ka->account == kb->account)
		return "same bank account";
	const char *pa = phone_of(pb_ledger_find(l, PB_T_PARTIES, a->bidder_id));
	const char *pbp = phone_of(pb_ledger_find(l, PB_T_PARTIES, b->bidder_id));
	if (pa && pbp && pa == pbp)
		return "same phone";
	return NULL;
}

static void linked_pair(pb_rule_ctx *ctx, const pb_tender *t, const pb_bid *a,
			const pb_bid *b, const char *why, const pb_path *path,
			int has_path)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *pair = pb_arena_printf(pb_ledger_arena(l), "%s|%s", a->bidder_id, b->bidder_id);
	pb_finding *f = pb_finding_add(ctx, PB_T_TENDERS, t->tender_id, pair);

	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	pb_finding_evidence(ctx, f, PB_T_BIDS, a, "bid");
	pb_finding_evidence(ctx, f, PB_T_BIDS, b, "bid");
	const char *text = has_path ? pb_path_text(ctx, path) : why;
	if (has_path)
		pb_path_evidence(ctx, f, path);
	else {
		const pb_party *pa = pb_ledger_find(l, PB_T_PARTIES, a->bidder_id);
		const pb_party *pbb = pb_ledger_find(l, PB_T_PARTIES, b->bidder_id);
		if (pa)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, pa, "bidder");
		if (pbb)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, pbb, "bidder");
	}
	pb_finding_detail(ctx, f, "link", "%s", why);
	if (has_path)
		pb_finding_detail(ctx, f, "path", "%s", text);
	pb_finding_message(ctx, f, "bidders %s and %s in tender %s are related (%s): %s",
			   a->bidder_id, b->bidder_id, t->tender_id, why, text);
}

static void run_linked_bidders(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t nt;
	const pb_tender *t = pb_ledger_tenders(l, &nt);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");

	for (size_t i = 0; i < nt; i++) {
		size_t nb;
		const uint32_t *bi = pb_ledger_group(l, PB_T_BIDS, offsetof(pb_bid, tender_id),
						     t[i].tender_id, &nb);
		for (size_t x = 0; x < nb; x++) {
			const pb_bid *a = pb_ledger_at(l, PB_T_BIDS, bi[x]);
			for (size_t y = x + 1; a->bidder_id && y < nb; y++) {
				const pb_bid *b = pb_ledger_at(l, PB_T_BIDS, bi[y]);
				if (!b->bidder_id || b->bidder_id == a->bidder_id)
					continue;
				pb_date on = t[i].submission_deadline;
				if (on == PB_DATE_NONE)
					on = a->submitted_on != PB_DATE_NONE ? a->submitted_on : b->submitted_on;
				pb_path path;
				int has_path;
				const char *why = link_reason(ctx, a, b, on, hops, &path, &has_path);
				if (why)
					linked_pair(ctx, &t[i], a, b, why, &path, has_path);
			}
		}
	}
}

const pb_rule pb_rule_linked_bidders = {
	.id = "bidding.linked-bidders",
	.family = "bidding",
	.title = "Bidders in one tender share an owner, director, address, account or phone",
	.source = "WB, OCP",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_TENDERS) | PB_NEEDS(PB_T_BIDS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain of relationships between two bidders"},
		{NULL, 0, NULL, NULL}},
	.run = run_linked_bidders,
};
