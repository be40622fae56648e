/*
 * conflicts.c - conflicts of interest between officials and suppliers.
 *
 * Risk: the official who shapes an award, or approves a payment, has a
 * stake in the company that receives it: owns or directs it, or a spouse
 * or relative does; lives at its address; shares its bank account.
 * Data: parties (officials are parties with an employer_id; suppliers are
 * contracts' supplier_id and payments' payee_id), relationships with
 * validity dates, contracts, payments.
 * False positives: declared and managed interests (kind
 * declared_interest still links, by design: the reviewer checks the
 * declaration); common names (name-match is only a lead, and only fires
 * where no identifier links the two people).
 * Thresholds: 2 hops and Jaro-Winkler 0.93 as in RULES.md (OCP, WB,
 * TI-DS, ACFE).
 */
#include <stdlib.h>
#include <string.h>

#include "../engine/graph.h"
#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "rules.h"

static int is_kind(const char *kind, const char *const *kinds)
{
	for (; kind && *kinds; kinds++)
		if (!strcmp(kind, *kinds))
			return 1;
	return 0;
}

static const char *const control_kinds[] = {"owner", "director",
					    "declared_interest", NULL};

/* Personal links only: the employer edge joins everyone to the ministry. */
static int personal_link(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)at;
	(void)hop;
	(void)data;
	return e->table == PB_T_RELATIONSHIPS;
}

/* The last link must give control of the supplier: someone owns, directs
 * or declared an interest in it. */
static int ends_in_control(const pb_path *p, const char *supplier)
{
	const pb_edge *last = p->edges[p->nedges - 1];

	return is_kind(last->kind, control_kinds) && last->to == supplier;
}

static pb_date award_date(const pb_contract *c)
{
	return c->awarded_on != PB_DATE_NONE ? c->awarded_on : c->signed_on;
}

static void chain_finding(pb_rule_ctx *ctx, const pb_contract *c,
			  const pb_official *official, const pb_path *p)
{
	const char *path = pb_path_text(ctx, p);
	char d[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c->contract_id, official->id);

	pb_finding_evidence(ctx, f, official->table, official->record, "official");
	pb_path_evidence(ctx, f, p);
	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	pb_finding_detail(ctx, f, "path", "%s", path);
	pb_finding_detail(ctx, f, "hops", "%zu", p->nedges);
	f->severity = p->nedges == 1 ? PB_SEV_CRITICAL : PB_SEV_HIGH;
	f->score = 1.0 / (double)p->nedges;
	pb_finding_message(ctx, f,
		"%s, an official of buyer %s, is linked to supplier %s on the award date %s: %s -> contract %s",
		official->id, c->buyer_id, c->supplier_id,
		pb_date_format(award_date(c), d), path, c->contract_id);
}

static void run_official_linked(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, undated = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");

	for (size_t i = 0; i < n; i++) {
		if (!c[i].buyer_id || !c[i].supplier_id)
			continue;
		pb_date on = award_date(&c[i]);
		if (on == PB_DATE_NONE) {
			undated++;
			continue;
		}
		const char *supplier = pb_parties_entity(pp, c[i].supplier_id);
		pb_official *off;
		size_t nof = pb_officials_of(l, c[i].buyer_id, on, &off);
		for (size_t k = 0; k < nof; k++) {
			pb_path p;
			if (pb_graph_path(g, pb_parties_entity(pp, off[k].id),
					  supplier, on, hops, personal_link, NULL, &p) &&
			    ends_in_control(&p, supplier))
				chain_finding(ctx, &c[i], &off[k], &p);
		}
		free(off);
	}
	if (undated)
		pb_ctx_note(ctx, "skipped %zu contracts with no award or signature date", undated);
}

const pb_rule pb_rule_official_linked_supplier = {
	.id = "conflicts.official-linked-supplier",
	.family = "conflicts",
	.title = "Official of the buyer (or a relative) owns or directs the supplier",
	.source = "OCP, WB, TI-DS",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES) | PB_NEEDS(PB_T_RELATIONSHIPS),
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain from the official to the supplier"},
		{NULL, 0, NULL, NULL}},
	.run = run_official_linked,
};

/* Officials are parties with an employer, the role official, or an
 * employee relationship to a buyer; suppliers are anyone a contract or
 * payment went to. */
static int is_buyer(pb_ledger *l, const char *id)
{
	const pb_party *p = pb_ledger_find(l, PB_T_PARTIES, id);
	size_t n;

	if (p && p->roles && strstr(p->roles, "buyer"))
		return 1;
	pb_ledger_group(l, PB_T_CONTRACTS, offsetof(pb_contract, buyer_id), id, &n);
	if (n)
		return 1;
	pb_ledger_group(l, PB_T_TENDERS, offsetof(pb_tender, buyer_id), id, &n);
	return n > 0;
}

static int is_official(pb_ledger *l, const pb_party *p)
{
	size_t n;

	if (p->employer_id || (p->roles && strstr(p->roles, "official")))
		return 1;
	/* Employees of a buyer recorded as relationships count too. */
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS,
					     offsetof(pb_relationship, from_id), p->party_id, &n);
	for (size_t i = 0; i < n; i++) {
		const pb_relationship *r = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[i]);
		if (r->kind && !strcmp(r->kind, "employee") && is_buyer(l, r->to_id))
			return 1;
	}
	return 0;
}

static int is_supplier(pb_ledger *l, const pb_party *p)
{
	size_t n;

	if (p->roles && strstr(p->roles, "supplier"))
		return 1;
	pb_ledger_group(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), p->party_id, &n);
	if (n)
		return 1;
	pb_ledger_group(l, PB_T_PAYMENTS, offsetof(pb_payment, payee_id), p->party_id, &n);
	return n > 0;
}

typedef const uint32_t *(*key_lookup_fn)(const pb_parties *, const char *, size_t *);

/* Suppliers sharing a normalised key (address, account) with an official. */
static void shared_key(pb_rule_ctx *ctx, size_t key_offset, key_lookup_fn lookup,
		       const char *what)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_party *parties = pb_ledger_parties(l, &n);

	for (size_t i = 0; i < n; i++) {
		const char *key = *(const char *const *)((const char *)pb_parties_keys(pp, i) + key_offset);
		if (!key || !is_supplier(l, &parties[i]) || is_official(l, &parties[i]))
			continue;
		size_t m;
		const uint32_t *same = lookup(pp, key, &m);
		for (size_t k = 0; k < m; k++) {
			const pb_party *off = &parties[same[k]];
			if (!is_official(l, off) || off == &parties[i])
				continue;
			pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, parties[i].party_id,
						       off->party_id);
			pb_finding_evidence(ctx, f, PB_T_PARTIES, &parties[i], "supplier");
			pb_finding_evidence(ctx, f, PB_T_PARTIES, off, "official");
			pb_finding_detail(ctx, f, what, "%s", key);
			pb_finding_message(ctx, f, "supplier %s has the same %s as official %s (%s): '%s'",
					   parties[i].party_id, what, off->party_id,
					   off->employer_id ? off->employer_id : "official", key);
		}
	}
}

static void run_shared_address(pb_rule_ctx *ctx)
{
	shared_key(ctx, offsetof(pb_party_keys, address), pb_parties_with_address, "address");
}

const pb_rule pb_rule_shared_address = {
	.id = "conflicts.shared-address",
	.family = "conflicts",
	.title = "Supplier at the same address as an official",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
	.run = run_shared_address,
};

static void run_shared_account(pb_rule_ctx *ctx)
{
	shared_key(ctx, offsetof(pb_party_keys, account), pb_parties_with_account, "bank account");
}

const pb_rule pb_rule_shared_bank_account = {
	.id = "conflicts.shared-bank-account",
	.family = "conflicts",
	.title = "Supplier with the same bank account as an official or employee",
	.source = "ACFE",
	.severity = PB_SEV_CRITICAL,
	.needs = PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
	.run = run_shared_account,
};

static void run_approver_linked(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");

	for (size_t i = 0; i < n; i++) {
		if (!p[i].approver_id || !p[i].payee_id)
			continue;
		const char *who = pb_parties_entity(pp, p[i].approver_id);
		const char *payee = pb_parties_entity(pp, p[i].payee_id);
		pb_path path;
		int same = who == payee;
		if (!same && !pb_graph_path(g, who, payee, p[i].paid_on, hops,
					    personal_link, NULL, &path))
			continue;
		const char *text = same ? "approver is the payee" : pb_path_text(ctx, &path);
		pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, p[i].payment_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_PAYMENTS, &p[i], "payment");
		const pb_party *ap = pb_ledger_find(l, PB_T_PARTIES, p[i].approver_id);
		if (ap)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, ap, "approver");
		if (!same)
			pb_path_evidence(ctx, f, &path);
		pb_finding_detail(ctx, f, "path", "%s", text);
		f->score = same ? 1.0 : 1.0 / (double)path.nedges;
		pb_finding_message(ctx, f, "payment %s of %s to %s was approved by %s, who is linked to the payee: %s",
				   p[i].payment_id, pb_ctx_money(ctx, p[i].amount, p[i].currency),
				   p[i].payee_id, p[i].approver_id, text);
	}
}

const pb_rule pb_rule_approver_linked = {
	.id = "conflicts.approver-linked",
	.family = "conflicts",
	.title = "Payment approved by someone linked to the payee",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PAYMENTS) | PB_NEEDS(PB_T_RELATIONSHIPS),
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain from the approver to the payee"},
		{NULL, 0, NULL, NULL}},
	.run = run_approver_linked,
};

/* A name decoded once, for many comparisons. */
struct decoded {
	const pb_party *party;
	int32_t *cp;
	size_t n;
};

static size_t decode_names(pb_rule_ctx *ctx, int officials, struct decoded **out)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t np, nr, m = 0;
	const pb_party *parties = pb_ledger_parties(l, &np);
	const pb_relationship *rel = pb_ledger_relationships(l, &nr);
	static const char *const owner_kinds[] = {"owner", "director", NULL};
	struct decoded *d = pb_xcalloc(np + 1, sizeof(*d));

	for (size_t i = 0; i < np; i++) {
		const pb_party_keys *k = pb_parties_keys(pp, i);
		if (!k->name || is_official(l, &parties[i]) != officials)
			continue;
		if (!officials) {
			/* Only people who own or direct someone. */
			size_t n;
			const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS,
							     offsetof(pb_relationship, from_id),
							     parties[i].party_id, &n);
			int owns = 0;
			for (size_t j = 0; j < n && !owns; j++)
				owns = is_kind(rel[ri[j]].kind, owner_kinds);
			if (!owns)
				continue;
		}
		d[m].party = &parties[i];
		d[m].n = pb_utf8_decode(k->name, &d[m].cp);
		m++;
	}
	*out = d;
	return m;
}

static void name_match_finding(pb_rule_ctx *ctx, const pb_party *off, const pb_party *owner,
			       double sim)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_relationship *rel;
	size_t n;
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, from_id),
					     owner->party_id, &n);
	static const char *const owner_kinds[] = {"owner", "director", NULL};

	for (size_t j = 0; j < n; j++) {
		rel = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[j]);
		if (!is_kind(rel->kind, owner_kinds))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, off->party_id,
					       pb_ledger_key(l, PB_T_RELATIONSHIPS, rel));
		pb_finding_evidence(ctx, f, PB_T_PARTIES, off, "official");
		pb_finding_evidence(ctx, f, PB_T_PARTIES, owner, rel->kind);
		pb_finding_evidence(ctx, f, PB_T_RELATIONSHIPS, rel, rel->kind);
		pb_finding_detail(ctx, f, "similarity", "%.3f", sim);
		f->score = sim;
		pb_finding_message(ctx, f,
			"official %s ('%s') has nearly the same name as %s ('%s'), %s of supplier %s (similarity %.3f)",
			off->party_id, off->name, owner->party_id, owner->name, rel->kind, rel->to_id, sim);
	}
}

/* Every official against every owner or director, each name decoded once. */
static void run_name_match(pb_rule_ctx *ctx)
{
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	double min_sim = (double)pb_param_millionths(ctx, "min_similarity") / PB_DECIMAL_SCALE;
	struct decoded *off, *own;
	size_t no = decode_names(ctx, 1, &off), nw = decode_names(ctx, 0, &own);

	for (size_t w = 0; w < nw; w++) {
		for (size_t o = 0; o < no; o++) {
			/* The best Jaro-Winkler two lengths allow: every character
			 * of the shorter matching, a four-character prefix. */
			double lo = (double)(off[o].n < own[w].n ? off[o].n : own[w].n);
			double jaro = (lo / (double)(off[o].n ? off[o].n : 1) +
				       lo / (double)(own[w].n ? own[w].n : 1) + 1.0) / 3.0;
			if (jaro + 0.4 * (1.0 - jaro) < min_sim)
				continue;
			double sim = pb_jaro_winkler_cp(off[o].cp, off[o].n, own[w].cp, own[w].n);
			if (sim < min_sim)
				continue;
			/* Already linked by identifiers: the linked rules say it. */
			pb_path p;
			const char *a = pb_parties_entity(pp, off[o].party->party_id);
			const char *b = pb_parties_entity(pp, own[w].party->party_id);
			if (a == b || pb_graph_path(g, a, b, PB_DATE_NONE, 3, personal_link, NULL, &p))
				continue;
			name_match_finding(ctx, off[o].party, own[w].party, sim);
		}
	}
	for (size_t i = 0; i < no; i++)
		free(off[i].cp);
	for (size_t i = 0; i < nw; i++)
		free(own[i].cp);
	free(off);
	free(own);
}

const pb_rule pb_rule_name_match = {
	.id = "conflicts.name-match",
	.family = "conflicts",
	.title = "Official's name matches a supplier's owner or director",
	.source = "OCP",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PARTIES) | PB_NEEDS(PB_T_RELATIONSHIPS),
	.params = (const pb_param_def[]){
		{"min_similarity", PB_P_DECIMAL, "0.93", "Jaro-Winkler similarity of normalised names that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_name_match,
};
