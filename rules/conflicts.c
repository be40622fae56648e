/*
 * conflicts.c - conflicts of interest between officials and suppliers.
 *
 * Risk: the official who shapes an award, or approves a payment, has a
 * stake in the company that receives it: owns or directs it, or a spouse
 * or relative does; lives at its address; shares its bank account.
 * Data: parties (officials are parties with an employer_id, or an
 * `employee` relationship to a buyer; suppliers are contracts'
 * supplier_id and payments' payee_id), relationships with validity
 * dates, contracts, bids, payments.
 * False positives: declared and managed interests (kind
 * declared_interest still links, by design: the reviewer checks the
 * declaration); namesakes (name-match is only a lead: it weighs how
 * common the name is in the ledger, fires only where the namesake's
 * company dealt with the official's own buyer, and never where an
 * identifier already links or separates the two people).
 * Thresholds: 2 hops and Jaro-Winkler 0.93 as in docs/rules/ (OCP, WB,
 * TI-DS, ACFE); name rarity from the ledger itself (docs/rules).
 *
 * Employment is what makes someone an official, not a stake: chains
 * never pass through an `employee` link (else everyone at a ministry
 * would be two hops from whatever the ministry owns), except a link
 * straight into the other end (the approver works for the payee).
 */
#include <math.h>
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
static const char *const owner_kinds[] = {"owner", "director", NULL};

/* Employment: what makes someone an official, not a stake. */
static int is_employment(const char *kind)
{
	return kind && !strcmp(kind, "employee");
}

static int is_employee(const pb_edge *e)
{
	return is_employment(e->kind);
}

/* Recorded relationships only (the employer_id edge joins everyone to the
 * ministry); an employee link only where it touches the far end, when
 * `data` points at it (a const char *). */
static int chain_link(const pb_edge *e, const char *at, size_t hop, void *data)
{
	const char *const *end = data;

	(void)at;
	(void)hop;
	if (e->table != PB_T_RELATIONSHIPS)
		return 0;
	return !is_employee(e) || (end && (e->from == *end || e->to == *end));
}

/* Searched from the supplier: the first link must give someone control of
 * it (owner, director, declared interest), later links are any personal
 * chain.  Later hops accept a superset of hop 0, as graph.h requires, so
 * the answer does not depend on the order of rows (an official who is
 * both an employee and an owner of the supplier is found either way). */
static int control_first(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)data;
	if (hop == 0)
		return e->table == PB_T_RELATIONSHIPS && e->to == at &&
		       is_kind(e->kind, control_kinds);
	return chain_link(e, at, hop, NULL);
}

/* --- who works for whom: an index of persons to their employers --- */

struct job {
	const char *person, *org; /* entities */
	const char *id;           /* the person's party id as recorded */
	pb_date start_on, end_on;
	const pb_party *party;    /* the person's row, if any */
	const pb_relationship *rel; /* the employee row, or NULL (employer_id) */
	size_t seq;
};

struct jobs {
	struct job *v;
	size_t n;
	pb_ptrmap *first; /* person entity -> index of its first job */
};

static int job_cmp(const void *pa, const void *pb)
{
	const struct job *a = pa, *b = pb;

	if (a->person != b->person)
		return a->person < b->person ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void jobs_build(pb_rule_ctx *ctx, struct jobs *j)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t np, nr;
	const pb_party *p = pb_ledger_parties(l, &np);
	const pb_relationship *r = pb_ledger_relationships(l, &nr);

	j->v = pb_xcalloc(np + nr + 1, sizeof(*j->v));
	j->n = 0;
	for (size_t i = 0; i < np; i++)
		if (p[i].employer_id && p[i].employer_id != p[i].party_id)
			j->v[j->n] = (struct job){pb_parties_entity(pp, pb_str(p[i].party_id)),
				pb_parties_entity(pp, pb_str(p[i].employer_id)), pb_str(p[i].party_id),
				PB_DATE_NONE, PB_DATE_NONE, &p[i], NULL, j->n}, j->n++;
	for (size_t i = 0; i < nr; i++)
		if (r[i].from_id && r[i].to_id && is_employment(pb_str(r[i].kind)))
			j->v[j->n] = (struct job){pb_parties_entity(pp, pb_str(r[i].from_id)),
				pb_parties_entity(pp, pb_str(r[i].to_id)), pb_str(r[i].from_id),
				r[i].start_on, r[i].end_on,
				pb_ledger_find(l, PB_T_PARTIES, pb_str(r[i].from_id)), &r[i], j->n},
			j->n++;
	qsort(j->v, j->n, sizeof(*j->v), job_cmp);
	j->first = pb_ptrmap_new();
	for (size_t i = j->n; i-- > 0;)
		pb_ptrmap_put(j->first, j->v[i].person, (uint32_t)i);
}

static void jobs_free(struct jobs *j)
{
	free(j->v);
	pb_ptrmap_free(j->first);
}

/* The person's first job at `org` valid on `on` (any date if NONE). */
static const struct job *job_at(const struct jobs *j, const char *person,
				const char *org, pb_date on)
{
	uint32_t i;

	if (!pb_ptrmap_get(j->first, person, &i))
		return NULL;
	for (; i < j->n && j->v[i].person == person; i++) {
		pb_edge e = {.start_on = j->v[i].start_on, .end_on = j->v[i].end_on};
		if ((!org || j->v[i].org == org) && pb_edge_valid_on(&e, on))
			return &j->v[i];
	}
	return NULL;
}

static void job_evidence(pb_rule_ctx *ctx, pb_finding *f, const struct job *jb)
{
	if (jb->party)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, jb->party, "official");
	if (jb->rel)
		pb_finding_evidence(ctx, f, PB_T_RELATIONSHIPS, jb->rel,
				    jb->party ? "employment" : "official");
}

/* --- conflicts.official-linked-supplier --- */

/* `supplier` is the contract's supplier or, in a joint award, one of its
 * co-suppliers (`co`): those findings carry the supplier in their id.
 * `c` is the official's earliest contract with the supplier; `all` (n)
 * every contract the same link taints, shown as evidence. */
static void chain_finding(pb_rule_ctx *ctx, const pb_contract *c, const char *supplier, int co,
			  const struct job *official, const pb_path *p,
			  const pb_contract *const *all, size_t n)
{
	const char *path = pb_path_text(ctx, p);
	char d[11];
	const char *disc = co ? pb_arena_printf(pb_ctx_scratch(ctx), "%s|%s", official->id, supplier)
			      : official->id;
	pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c->contract_id), disc);

	job_evidence(ctx, f, official);
	pb_path_evidence(ctx, f, p);
	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	for (size_t k = 0; k < n; k++)
		if (all[k] != c)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS, all[k], "contract");
	pb_finding_detail(ctx, f, "path", "%s", path);
	pb_finding_detail(ctx, f, "hops", "%zu", p->nedges);
	pb_finding_detail(ctx, f, "contracts", "%zu", n);
	f->severity = p->nedges == 1 ? PB_SEV_CRITICAL : PB_SEV_HIGH;
	f->score = 1.0 / (double)p->nedges;
	pb_finding_message(ctx, f,
		"%s, an official of buyer %s, is linked to %s %s on the award date %s: %s -> contract %s%s",
		official->id, pb_str(c->buyer_id), co ? "joint supplier" : "supplier", supplier,
		pb_date_format(pb_contract_award_date(c), d), path, pb_str(c->contract_id),
		n > 1 ? pb_arena_printf(pb_ctx_scratch(ctx), " (and %zu more contracts)", n - 1) : "");
}

struct by_supplier {
	const char *supplier; /* entity */
	size_t i;             /* contract index */
	const char *id;       /* the supplier as the contract names it */
	int co;               /* a joint award's other supplier */
};

/*
 * A (supplier entity, contract) entry in 8 bytes, sorted as an integer:
 * the entity's pb_text in the top half, the contract's index and which of
 * its suppliers (a joint award names up to ENTRY_SUPPLIERS) below.
 * Entries of 32 bytes and their sort order beside them took 48 bytes a
 * contract: at 10M rows, 57 of the 90 MB the rule held, the audit's peak.
 */
#define ENTRY_SUPPLIERS 16
_Static_assert(PB_IDMAP_VALUE_MAX < (UINT32_C(1) << 28), "a contract's index fits in 28 bits");

static uint64_t entry_make(const char *entity, size_t contract, size_t k)
{
	return (uint64_t)pb_text_of(entity) << 32 | (uint64_t)contract << 4 | k;
}

/* Entry e as supplier_contracts reads it: the id is the contract's own. */
static struct by_supplier entry_read(pb_ledger *l, uint64_t e)
{
	size_t contract = (uint32_t)e >> 4, k = e & (ENTRY_SUPPLIERS - 1);
	const char *ids[ENTRY_SUPPLIERS];

	pb_contract_suppliers(l, pb_ledger_at(l, PB_T_CONTRACTS, contract), ids, ENTRY_SUPPLIERS);
	return (struct by_supplier){pb_str((pb_text)(e >> 32)), contract, ids[k], k > 0};
}

static int contract_before(const pb_contract *a, const pb_contract *b)
{
	if (pb_contract_award_date(a) != pb_contract_award_date(b))
		return pb_contract_award_date(a) < pb_contract_award_date(b);
	return strcmp(pb_str(a->contract_id), pb_str(b->contract_id)) < 0;
}

/*
 * The contracts of one supplier against the people its reach found: one
 * finding per official (and supplier), about the earliest contract the
 * link taints, every such contract as evidence.
 */
static void supplier_contracts(pb_rule_ctx *ctx, pb_graph_walk *w, const struct jobs *jobs,
			       const struct by_supplier *grp, size_t ng,
			       const char *const *people, size_t npeople, size_t hops)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	const pb_contract **hit = pb_xcalloc(ng + 1, sizeof(*hit));

	for (size_t m = 0; m < npeople; m++) {
		for (int co = 0; co < 2; co++) {
			size_t nh = 0, first = 0;
			const struct job *first_job = NULL;
			const char *id = NULL;
			for (size_t k = 0; k < ng; k++) {
				if (grp[k].co != co)
					continue;
				const pb_contract *c = pb_ledger_at(l, PB_T_CONTRACTS, grp[k].i);
				const struct job *jb = job_at(jobs, people[m], pb_parties_entity(pp, pb_str(c->buyer_id)),
							      pb_contract_award_date(c));
				pb_path p;
				if (!jb || !pb_graph_walk_path(g, w, grp[k].supplier, people[m], pb_contract_award_date(c),
							       hops, control_first, NULL, &p))
					continue;
				if (!nh || contract_before(c, hit[first])) {
					first = nh;
					first_job = jb;
					id = grp[k].id;
				}
				hit[nh++] = c;
			}
			if (!nh)
				continue;
			pb_path p;
			if (!pb_graph_walk_path(g, w, grp[0].supplier, people[m], pb_contract_award_date(hit[first]), hops,
						control_first, NULL, &p))
				continue;
			pb_path_reverse(&p);
			chain_finding(ctx, hit[first], id, co, first_job, &p, hit, nh);
		}
	}
	free(hit);
}

/*
 * One bounded search from each supplier marks the people within reach
 * (any date); only they are then checked against each contract's buyer
 * and date.  The work is the suppliers' reach, not contracts x officials.
 */
static void run_official_linked(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, m = 0, undated = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");
	uint64_t *entries = NULL;
	size_t cap_entries = 0;
	struct jobs jobs;
	pb_graph_walk *w = pb_graph_walk_new(g);

	/* Room for a supplier a contract at once: grown by doubling, the
	 * array was copied a score of times into fresh pages. */
	PB_GROW(entries, n + 1, cap_entries);
	for (size_t i = 0; i < n; i++) {
		if (!c[i].buyer_id || !c[i].supplier_id)
			continue;
		if (pb_contract_award_date(&c[i]) == PB_DATE_NONE) {
			undated++;
			continue;
		}
		/* Every member of a joint award, each entity once. */
		const char *ids[ENTRY_SUPPLIERS];
		size_t ns = pb_contract_suppliers(l, &c[i], ids, ENTRY_SUPPLIERS), first = m;
		for (size_t k = 0; k < ns && k < ENTRY_SUPPLIERS; k++) {
			uint64_t e = entry_make(pb_parties_entity(pp, ids[k]), i, k);
			int seen = 0;
			for (size_t j = first; j < m && !seen; j++)
				seen = entries[j] >> 32 == e >> 32;
			if (seen)
				continue;
			PB_GROW(entries, m + 1, cap_entries);
			entries[m++] = e;
		}
	}
	/* The entries grouped by supplier entity, each group's in contract
	 * order (the sort is stable); the groups come in the order of the
	 * entities' addresses, as a qsort by pointer gave them (it moved
	 * 32-byte entries through fresh pages twenty times over at 10M
	 * rows). */
	uint64_t *sort_room = pb_xcalloc(m + 1, sizeof(*sort_room));
	pb_sort_u64(entries, m, 32, sort_room);
	free(sort_room);
	jobs_build(ctx, &jobs);
	/* Every link of a chain is a relationship other than employment, so
	 * a supplier in a part of the graph that holds no one with a job
	 * reaches no official: its search is passed over. */
	pb_graph_parts *parts = pb_graph_parts_new(g, chain_link, NULL);
	pb_ptrmap *staffed = pb_ptrmap_new(); /* parts holding someone with a job */
	for (size_t i = 0; i < jobs.n; i++) {
		uint32_t part = pb_graph_part(parts, jobs.v[i].person);
		if (part != PB_GRAPH_NO_PART)
			pb_ptrmap_put(staffed, (const void *)((uintptr_t)part + 1), 1);
	}
	const char **people = NULL;
	struct by_supplier *grp = NULL; /* one supplier's, gathered */
	size_t cap = 0, capg = 0;
	for (size_t i = 0, end; i < m; i = end) {
		const char *supplier = pb_str((pb_text)(entries[i] >> 32));
		uint32_t part = pb_graph_part(parts, supplier), hit;
		for (end = i + 1; end < m && entries[end] >> 32 == entries[i] >> 32; end++)
			;
		if (part == PB_GRAPH_NO_PART ||
		    !pb_ptrmap_get(staffed, (const void *)((uintptr_t)part + 1), &hit))
			continue;
		size_t reached = pb_graph_reach(g, w, supplier, PB_DATE_NONE, hops,
						control_first, NULL), np = 0;
		for (size_t k = 0; k < reached; k++) {
			const char *who = pb_graph_walk_node(w, k);
			if (!job_at(&jobs, who, NULL, PB_DATE_NONE))
				continue;
			PB_GROW(people, np + 1, cap);
			people[np++] = who;
		}
		PB_GROW(grp, end - i, capg);
		for (size_t k = i; k < end; k++)
			grp[k - i] = entry_read(l, entries[k]);
		supplier_contracts(ctx, w, &jobs, grp, end - i, people, np, hops);
	}
	free(people);
	free(grp);
	free(entries);
	pb_ptrmap_free(staffed);
	pb_graph_parts_free(parts);
	jobs_free(&jobs);
	pb_graph_walk_free(w);
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
	.follows_links = 1,
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

	if (p && p->roles && strstr(pb_str(p->roles), "buyer"))
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

	if (p->employer_id || (p->roles && strstr(pb_str(p->roles), "official")))
		return 1;
	/* Employees of a buyer recorded as relationships count too. */
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, from_id),
					     pb_str(p->party_id), &n);
	for (size_t i = 0; i < n; i++) {
		const pb_relationship *r = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[i]);
		if (is_employment(pb_str(r->kind)) && is_buyer(l, pb_str(r->to_id)))
			return 1;
	}
	return 0;
}

static int is_supplier(pb_ledger *l, const pb_party *p)
{
	size_t row = pb_ledger_index_of(l, PB_T_PARTIES, p), n;

	if (p->roles && strstr(pb_str(p->roles), "supplier"))
		return 1;
	pb_ledger_children(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), PB_T_PARTIES, row, &n);
	if (n)
		return 1;
	pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, payee_id), PB_T_PARTIES, row, &n);
	return n > 0;
}

typedef const uint32_t *(*key_lookup_fn)(const pb_parties *, const char *, size_t *);

struct key_hit {
	const char *supplier, *official; /* entities */
	uint32_t s, o;                   /* party indexes */
};

static int key_hit_cmp(const void *pa, const void *pb)
{
	const struct key_hit *a = pa, *b = pb;

	if (a->supplier != b->supplier)
		return a->supplier < b->supplier ? -1 : 1;
	if (a->official != b->official)
		return a->official < b->official ? -1 : 1;
	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	return a->o < b->o ? -1 : a->o > b->o;
}

/* One finding per supplier entity and official entity: registry twins
 * on either side are evidence of one finding, named by the first row. */
static void key_finding(pb_rule_ctx *ctx, const pb_party *parties, const struct key_hit *h,
			size_t n, const char *what, const char *key)
{
	const pb_party *sup = &parties[h[0].s], *off = &parties[h[0].o];
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, pb_str(sup->party_id), pb_str(off->party_id));

	for (size_t i = 0; i < n; i++)
		if (!i || h[i].s != h[i - 1].s)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, &parties[h[i].s], "supplier");
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = h[j].o == h[i].o;
		if (!seen)
			pb_finding_evidence(ctx, f, PB_T_PARTIES, &parties[h[i].o], "official");
	}
	pb_finding_detail(ctx, f, what, "%s", key);
	pb_finding_message(ctx, f, "supplier %s has the same %s as official %s (%s): '%s'",
			   pb_str(sup->party_id), what, pb_str(off->party_id),
			   off->employer_id ? pb_str(off->employer_id) : "official", key);
}

/* Party i's normalised key at key_offset in its pb_party_keys. */
static const char *party_key(const pb_parties *pp, size_t i, size_t key_offset)
{
	return pb_str(*(const pb_text *)((const char *)pb_parties_keys(pp, i) + key_offset));
}

/* Suppliers sharing a normalised key (address, account) with an official.
 * Keys that cannot identify a place or an account are NULL (normalize.h). */
static void shared_key(pb_rule_ctx *ctx, size_t key_offset, key_lookup_fn lookup,
		       const char *what)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, nh = 0, cap = 0;
	const pb_party *parties = pb_ledger_parties(l, &n);
	struct key_hit *h = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *key = party_key(pp, i, key_offset);
		if (!key || !is_supplier(l, &parties[i]) || is_official(l, &parties[i]))
			continue;
		size_t m;
		const uint32_t *same = lookup(pp, key, &m);
		for (size_t k = 0; k < m; k++) {
			const pb_party *off = &parties[same[k]];
			if (!is_official(l, off) || off == &parties[i])
				continue;
			PB_GROW(h, nh + 1, cap);
			h[nh++] = (struct key_hit){pb_parties_entity(pp, pb_str(parties[i].party_id)),
						   pb_parties_entity(pp, pb_str(off->party_id)),
						   (uint32_t)i, same[k]};
		}
	}
	if (nh)
		qsort(h, nh, sizeof(*h), key_hit_cmp);
	for (size_t i = 0, end; i < nh; i = end) {
		for (end = i + 1; end < nh && h[end].supplier == h[i].supplier &&
				  h[end].official == h[i].official; end++)
			;
		key_finding(ctx, parties, h + i, end - i, what, party_key(pp, h[i].s, key_offset));
	}
	free(h);
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

/* Payments one approver approved to one linked payee. */
struct approved {
	const char *who, *payee; /* entities */
	const pb_payment **p;
	size_t n, cap;
	size_t first; /* index in p of the earliest (date, then id) */
};

static int payment_before(const pb_payment *a, const pb_payment *b)
{
	if (a->paid_on != b->paid_on)
		return a->paid_on < b->paid_on;
	return strcmp(pb_str(a->payment_id), pb_str(b->payment_id)) < 0;
}

/* One finding per approver and payee: a single payment about itself,
 * several about the earliest, with all of them as evidence. */
static void approved_finding(pb_rule_ctx *ctx, pb_graph_walk *w, const struct approved *a)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_payment *p0 = a->p[a->first];
	const char *payee = a->payee;
	int same = a->who == a->payee;
	pb_path path;
	pb_i128 total = 0;
	int one_currency = 1;

	if (!same && !pb_graph_walk_path(pb_ctx_graph(ctx), w, a->who, payee, p0->paid_on,
					 (size_t)pb_param_int(ctx, "max_hops"), chain_link, &payee, &path))
		return; /* cannot happen: the payment qualified */
	const char *text = same ? "approver is the payee" : pb_path_text(ctx, &path);
	pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, pb_str(p0->payment_id), NULL);
	pb_finding_evidence(ctx, f, PB_T_PAYMENTS, p0, "payment");
	for (size_t k = 0; k < a->n; k++) {
		total += a->p[k]->amount != PB_AMOUNT_NONE ? a->p[k]->amount : 0;
		one_currency &= a->p[k]->currency == p0->currency;
		if (k != a->first)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, a->p[k], "payment");
	}
	const pb_party *ap = pb_ledger_find(l, PB_T_PARTIES, pb_str(p0->approver_id));
	if (ap)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, ap, "approver");
	if (!same)
		pb_path_evidence(ctx, f, &path);
	pb_finding_detail(ctx, f, "path", "%s", text);
	pb_finding_detail(ctx, f, "payments", "%zu", a->n);
	f->score = same ? 1.0 : 1.0 / (double)path.nedges;
	if (a->n == 1) {
		pb_finding_message(ctx, f, "payment %s of %s to %s was approved by %s, who is linked to the payee: %s",
				   pb_str(p0->payment_id),
				   pb_ctx_money(ctx, p0->amount, pb_str(p0->currency)),
				   pb_str(p0->payee_id), pb_str(p0->approver_id), text);
		return;
	}
	int64_t t64 = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	pb_finding_message(ctx, f, "%zu payments%s%s to %s were approved by %s, who is linked to the payee: %s (first %s)",
			   a->n, one_currency ? " totalling " : "",
			   one_currency ? pb_ctx_money(ctx, t64, pb_str(p0->currency)) : "",
			   pb_str(p0->payee_id),
			   pb_str(p0->approver_id), text, pb_str(p0->payment_id));
}

/* The entities an employee relationship touches (a set), mapped as the
 * graph maps its ends. */
static pb_ptrmap *employee_ends(pb_rule_ctx *ctx)
{
	size_t n;
	const pb_relationship *r = pb_ledger_relationships(pb_ctx_ledger(ctx), &n);
	const pb_parties *pp = pb_ctx_parties(ctx);
	pb_ptrmap *ends = pb_ptrmap_new();

	for (size_t i = 0; i < n; i++) {
		if (!is_employment(pb_str(r[i].kind)))
			continue;
		if (r[i].from_id)
			pb_ptrmap_put(ends, pb_parties_entity(pp, pb_str(r[i].from_id)), 1);
		if (r[i].to_id)
			pb_ptrmap_put(ends, pb_parties_entity(pp, pb_str(r[i].to_id)), 1);
	}
	return ends;
}

/*
 * Could a chain join the approver to the payee?  Its links other than
 * employment keep to one part of the graph (pb_graph_parts); an employee
 * link can only be the last, into the payee.  So the two must be in one
 * part, or an employee relationship must touch the payee.  For most
 * payments neither holds, and the search is passed over.
 */
static int may_chain(const pb_graph_parts *parts, const pb_ptrmap *employee_ends,
		     const char *who, const char *payee)
{
	uint32_t part = pb_graph_part(parts, who), seen;

	return (part != PB_GRAPH_NO_PART && part == pb_graph_part(parts, payee)) ||
	       pb_ptrmap_get(employee_ends, payee, &seen);
}

/* How many payments ahead run_approver_linked fetches the graph slots
 * of a payment's approver and payee (and, half as far, what they lead
 * to): one after another, each was a cache miss at 10M rows. */
#define APPROVER_PREFETCH 16

static void fetch_ends(const pb_parties *pp, const pb_graph_parts *parts, const pb_payment *p,
		       int node)
{
	void (*fetch)(const pb_graph_parts *, const char *) =
		node ? pb_graph_part_fetch_node : pb_graph_part_fetch_slot;

	if (!p->approver_id || !p->payee_id)
		return;
	fetch(parts, pb_parties_entity(pp, pb_str(p->approver_id)));
	fetch(parts, pb_parties_entity(pp, pb_str(p->payee_id)));
}

static void run_approver_linked(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_graph *g = pb_ctx_graph(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, na = 0, cap = 0;
	const pb_payment *p = pb_ledger_payments(l, &n);
	size_t hops = (size_t)pb_param_int(ctx, "max_hops");
	pb_graph_walk *w = pb_graph_walk_new(g);
	pb_pairs index = {0}; /* (who, payee) -> its place in a */
	struct approved *a = NULL;
	/* chain_link without an end refuses every employee link */
	pb_graph_parts *parts = pb_graph_parts_new(g, chain_link, NULL);
	pb_ptrmap *employed = employee_ends(ctx);

	for (size_t i = 0; i < n; i++) {
		if (i + APPROVER_PREFETCH < n)
			fetch_ends(pp, parts, &p[i + APPROVER_PREFETCH], 0);
		if (i + APPROVER_PREFETCH / 2 < n)
			fetch_ends(pp, parts, &p[i + APPROVER_PREFETCH / 2], 1);
		if (!p[i].approver_id || !p[i].payee_id)
			continue;
		const char *who = pb_parties_entity(pp, pb_str(p[i].approver_id));
		const char *payee = pb_parties_entity(pp, pb_str(p[i].payee_id));
		pb_path path;
		if (who != payee && (!may_chain(parts, employed, who, payee) ||
				     !pb_graph_walk_path(g, w, who, payee, p[i].paid_on, hops,
							 chain_link, &payee, &path)))
			continue;
		uint32_t k = pb_pairs_add(&index, who, payee);
		if (k == na) {
			PB_GROW(a, na + 1, cap);
			a[na++] = (struct approved){who, payee, NULL, 0, 0, 0};
		}
		PB_GROW(a[k].p, a[k].n + 1, a[k].cap);
		a[k].p[a[k].n++] = &p[i];
		if (payment_before(&p[i], a[k].p[a[k].first]))
			a[k].first = a[k].n - 1;
	}
	for (size_t k = 0; k < na; k++) {
		approved_finding(ctx, w, &a[k]);
		free(a[k].p);
	}
	free(a);
	pb_pairs_release(&index);
	pb_ptrmap_free(employed);
	pb_graph_parts_free(parts);
	pb_graph_walk_free(w);
}

const pb_rule pb_rule_approver_linked = {
	.id = "conflicts.approver-linked",
	.family = "conflicts",
	.title = "Payment approved by someone linked to the payee",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PAYMENTS) | PB_NEEDS(PB_T_RELATIONSHIPS),
	.follows_links = 1,
	.params = (const pb_param_def[]){
		{"max_hops", PB_P_INT, "2", "longest chain from the approver to the payee"},
		{NULL, 0, NULL, NULL}},
	.run = run_approver_linked,
};

/*
 * --- conflicts.name-match ---
 *
 * Names are compared token by token: every token of the shorter name must
 * match a different token of the longer one, in any order ("Lysenko
 * Volodymyr" is "Volodymyr Lysenko"; a patronymic present on one side
 * only is allowed).  Tokens match when they fold to the same text, or
 * share their first three letters and reach min_similarity by
 * Jaro-Winkler (transliteration variants).  Initials are ignored, and a
 * name needs two tokens of two letters or more to be compared at all.
 * Candidates come from a blocking index keyed by pairs of token prefixes,
 * so that only names sharing two prefixes are ever compared.  Tokens are
 * folded, counted and decoded once, into a vocabulary that names index:
 * people share given names and surnames, so it is far smaller than the
 * list of names, and Jaro-Winkler is worked out once per pair of tokens.
 * Only the companies held by the namesakes found are ever looked up, so
 * only their contracts, bids and payments are indexed.
 */

#define NAME_MAX_TOKENS 6

/* A distinct token of the names compared, with all that is worked out
 * about it once; names hold indexes into the vocabulary. */
struct token {
	const char *prefix; /* first three letters, interned */
	uint64_t prefix_hash;
	int32_t *cp;        /* code points, for Jaro-Winkler */
	size_t ncp;
	size_t df;          /* people compared who carry it */
};

struct person {
	const pb_party *party;
	const char *entity;
	const pb_party_keys *keys;
	uint32_t tok[NAME_MAX_TOKENS]; /* vocabulary indexes */
	size_t ntok;
};

/* Jaro-Winkler of ordered pairs of tokens already compared: the same few
 * spellings meet again and again.  Open addressing, keys (a << 32 | b) + 1
 * so that 0 marks an empty slot. */
struct sim_memo {
	uint64_t *key;
	double *sim;
	size_t cap, n; /* cap a power of two */
};

struct block {
	uint64_t key;
	uint32_t who; /* owner index */
};

struct dealing {
	const char *buyer, *supplier; /* entities */
	pb_table table;
	const void *record;
};

/* The dealings of each (buyer, supplier) pair, a run of `deals`.  Open
 * addressing on the pair of entities; an empty slot has no buyer. */
struct deal_slot {
	const char *buyer, *supplier;
	size_t first, n;
};

struct deal_index {
	struct deal_slot *v;
	size_t cap, n; /* cap a power of two */
};

struct name_match {
	double sim;       /* mean token similarity */
	double namesakes; /* people expected to share the name by chance */
};

/* An owner who passed every test for an official: reported once the
 * dealings of the companies such owners hold are known. */
struct namesake {
	const struct person *o, *w;
	struct name_match m;
	int corr;
	const char *why; /* fields that agree */
};

struct namectx {
	struct person *off, *own;
	size_t noff, nown;
	struct token *vocab;
	size_t nvocab, capvocab, population;
	pb_ptrmap *vocab_index; /* interned text -> vocabulary index */
	struct sim_memo memo;
	struct block *blocks;
	size_t nblocks;
	struct namesake *found;
	size_t nfound, capfound;
	pb_ptrmap *wanted; /* companies the namesakes hold, and their twins' ids */
	struct dealing *deals;
	struct deal_index deal_index;
	struct jobs jobs;
	double min_sim, max_namesakes;
	size_t contradicted, common, common_officials;
};

/* Bytes of the first three code points of t[0..n): the blocking prefix. */
static size_t prefix_len(const char *t, size_t n)
{
	size_t i = 0;

	for (int cps = 0; i < n && cps < 3; cps++)
		for (i++; i < n && ((unsigned char)t[i] & 0xC0) == 0x80; i++)
			;
	return i;
}

/* The vocabulary index of the token t[0..n), added on first sight. */
static uint32_t vocab_id(pb_rule_ctx *ctx, struct namectx *nc, const char *t, size_t n)
{
	const char *text = pb_ctx_intern(ctx, t, n);
	uint32_t id;

	if (pb_ptrmap_get(nc->vocab_index, text, &id))
		return id;
	PB_GROW(nc->vocab, nc->nvocab + 1, nc->capvocab);
	struct token *v = &nc->vocab[nc->nvocab];
	size_t pn = prefix_len(t, n);
	*v = (struct token){.prefix = pb_ctx_intern(ctx, t, pn), .prefix_hash = pb_hash(t, pn)};
	v->ncp = pb_utf8_decode(text, &v->cp);
	id = (uint32_t)nc->nvocab++;
	pb_ptrmap_put(nc->vocab_index, text, id);
	return id;
}

/* Splits a folded name at spaces into tokens, dropping initials (one
 * letter); a name of more than NAME_MAX_TOKENS tokens is not a person's. */
static int person_tokens(pb_rule_ctx *ctx, struct namectx *nc, struct person *p,
			 const char *folded)
{
	const char *at[NAME_MAX_TOKENS];
	size_t len[NAME_MAX_TOKENS], n = 0;

	/* byte loops: strspn and strcspn set up for any set of bytes on
	 * each call, and were a fifth of collecting the people */
	for (const char *t = folded; *t;) {
		while (*t == ' ')
			t++;
		if (!*t)
			break;
		size_t tn = 1, first = 1;
		while (t[tn] && t[tn] != ' ')
			tn++;
		while (first < tn && ((unsigned char)t[first] & 0xC0) == 0x80)
			first++;
		if (first < tn) {
			if (n == NAME_MAX_TOKENS)
				return 0; /* too long for a person's name */
			at[n] = t;
			len[n++] = tn;
		}
		t += tn;
	}
	if (n < 2)
		return 0;
	for (p->ntok = 0; p->ntok < n; p->ntok++)
		p->tok[p->ntok] = vocab_id(ctx, nc, at[p->ntok], len[p->ntok]);
	return 1;
}

/* Does the relationship give its `from` a stake in a company? */
static int is_stake(const pb_relationship *r)
{
	return is_kind(pb_str(r->kind), owner_kinds) && pb_str(r->to_id);
}

static int owns_something(pb_ledger *l, const pb_party *p)
{
	size_t n;
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, from_id),
					     pb_str(p->party_id), &n);

	for (size_t j = 0; j < n; j++) {
		if (is_stake(pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[j])))
			return 1;
	}
	return 0;
}

/* Officials (with an employer to gate on) and owners or directors.  The
 * parties are told apart first, so that each list is made once at its
 * size: grown as they came, their copies were a third of the page
 * faults of the 1M-row bench's largest rule. */
enum { NOT_A_PERSON, AN_OFFICIAL, AN_OWNER };

#define PEOPLE_AHEAD 8

static void collect_people(pb_rule_ctx *ctx, struct namectx *nc)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t np, noff = 0, nown = 0;
	const pb_party *parties = pb_ledger_parties(l, &np);
	unsigned char *kind = pb_xcalloc(np + 1, 1);

	for (size_t i = 0; i < np; i++) {
		if (!pb_parties_keys(pp, i)->name)
			continue;
		if (is_official(l, &parties[i]))
			kind[i] = AN_OFFICIAL;
		else if (owns_something(l, &parties[i]))
			kind[i] = AN_OWNER;
		noff += kind[i] == AN_OFFICIAL;
		nown += kind[i] == AN_OWNER;
	}
	nc->off = pb_xcalloc(noff + 1, sizeof(*nc->off));
	nc->own = pb_xcalloc(nown + 1, sizeof(*nc->own));
	nc->vocab_index = pb_ptrmap_new();
	for (size_t i = 0; i < np; i++) {
		const pb_party_keys *k = pb_parties_keys(pp, i);
		/* the folded names are read for the first time since the
		 * parties were normalised: the one PEOPLE_AHEAD on is fetched */
		if (i + PEOPLE_AHEAD < np && kind[i + PEOPLE_AHEAD] != NOT_A_PERSON)
			__builtin_prefetch(pb_str(pb_parties_keys(pp, i + PEOPLE_AHEAD)->name));
		if (kind[i] == NOT_A_PERSON)
			continue;
		struct person p = {.party = &parties[i],
				   .entity = pb_parties_entity(pp, pb_str(parties[i].party_id)),
				   .keys = k};
		if (!person_tokens(ctx, nc, &p, pb_str(k->name)))
			continue;
		if (kind[i] == AN_OFFICIAL)
			nc->off[nc->noff++] = p;
		else
			nc->own[nc->nown++] = p;
	}
	free(kind);
}

/* How many of the people compared carry each token (once per person). */
static void count_tokens(struct namectx *nc)
{
	for (int side = 0; side < 2; side++) {
		const struct person *v = side ? nc->own : nc->off;
		for (size_t i = 0, m = side ? nc->nown : nc->noff; i < m; i++)
			for (size_t t = 0; t < v[i].ntok; t++) {
				int dup = 0;
				for (size_t u = 0; u < t && !dup; u++)
					dup = v[i].tok[u] == v[i].tok[t];
				if (!dup)
					nc->vocab[v[i].tok[t]].df++;
			}
	}
	nc->population = nc->noff + nc->nown;
}

static size_t token_count(const struct namectx *nc, uint32_t tok)
{
	return nc->vocab[tok].df;
}

/* Order-free key of two tokens' prefixes. */
static uint64_t pair_key(const struct namectx *nc, uint32_t a, uint32_t b)
{
	uint64_t x = nc->vocab[a].prefix_hash, y = nc->vocab[b].prefix_hash;

	if (x > y) {
		uint64_t t = x;
		x = y;
		y = t;
	}
	return x ^ (y * 0x9E3779B97F4A7C15ull + 0x7F4A7C15ull + (x << 6) + (x >> 2));
}

/* Sorts blocks by key, a byte a pass from the lowest: the sort is stable,
 * so owners stay in order within a key.  qsort's comparisons cost more
 * than all the rest of the index. */
static void sort_blocks(struct block *v, size_t n)
{
	struct block *tmp = pb_xcalloc(n + 1, sizeof(*tmp)), *from = v, *to = tmp;

	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t at[257] = {0};
		for (size_t i = 0; i < n; i++)
			at[((from[i].key >> shift) & 0xFF) + 1]++;
		for (size_t b = 1; b < 257; b++)
			at[b] += at[b - 1];
		for (size_t i = 0; i < n; i++)
			to[at[(from[i].key >> shift) & 0xFF]++] = from[i];
		struct block *t = from;
		from = to;
		to = t;
	}
	free(tmp); /* eight passes: the result is back in v */
}

static void build_blocks(struct namectx *nc)
{
	size_t cap = 0;

	for (size_t w = 0; w < nc->nown; w++)
		for (size_t i = 0; i < nc->own[w].ntok; i++)
			for (size_t j = i + 1; j < nc->own[w].ntok; j++) {
				PB_GROW(nc->blocks, nc->nblocks + 1, cap);
				nc->blocks[nc->nblocks++] = (struct block){
					pair_key(nc, nc->own[w].tok[i], nc->own[w].tok[j]), (uint32_t)w};
			}
	sort_blocks(nc->blocks, nc->nblocks);
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

static int sorted_u32(const uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return 0;
	return 1;
}

/* Owners sharing two token prefixes with the official, sorted, no repeats. */
static size_t candidates(const struct namectx *nc, const struct person *o,
			 uint32_t **out, size_t *cap)
{
	size_t n = 0;

	for (size_t i = 0; i < o->ntok; i++)
		for (size_t j = i + 1; j < o->ntok; j++) {
			uint64_t key = pair_key(nc, o->tok[i], o->tok[j]);
			size_t lo = 0, hi = nc->nblocks;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (nc->blocks[mid].key < key)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < nc->nblocks && nc->blocks[lo].key == key; lo++) {
				PB_GROW(*out, n + 1, *cap);
				(*out)[n++] = nc->blocks[lo].who;
			}
		}
	if (!sorted_u32(*out, n)) /* one block comes sorted, several do not */
		qsort(*out, n, sizeof(**out), u32_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || (*out)[m - 1] != (*out)[i])
			(*out)[m++] = (*out)[i];
	return m;
}

/* Spreads every bit of h over all the others (MurmurHash3's finaliser):
 * the open-addressing tables below index by the low bits. */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 33);
}

static size_t memo_slot(const struct sim_memo *m, uint64_t key)
{
	size_t i = (size_t)mix64(key) & (m->cap - 1);

	while (m->key[i] && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void memo_grow(struct sim_memo *m)
{
	struct sim_memo g = {NULL, NULL, m->cap ? m->cap * 2 : 256, m->n};

	g.key = pb_xcalloc_slots(g.cap, sizeof(*g.key));
	g.sim = pb_xcalloc_slots(g.cap, sizeof(*g.sim));
	for (size_t i = 0; i < m->cap; i++)
		if (m->key[i]) {
			size_t s = memo_slot(&g, m->key[i]);
			g.key[s] = m->key[i];
			g.sim[s] = m->sim[i];
		}
	free(m->key);
	free(m->sim);
	*m = g;
}

static double token_jw(struct namectx *nc, uint32_t a, uint32_t b)
{
	struct sim_memo *m = &nc->memo;
	uint64_t key = ((uint64_t)a << 32 | b) + 1;

	if (2 * (m->n + 1) > m->cap)
		memo_grow(m);
	size_t s = memo_slot(m, key);
	if (!m->key[s]) {
		const struct token *x = &nc->vocab[a], *y = &nc->vocab[b];
		m->key[s] = key;
		m->sim[s] = pb_jaro_winkler_cp(x->cp, x->ncp, y->cp, y->ncp);
		m->n++;
	}
	return m->sim[s];
}

static double token_sim(struct namectx *nc, uint32_t a, uint32_t b)
{
	if (a == b)
		return 1.0;
	if (nc->vocab[a].prefix != nc->vocab[b].prefix)
		return 0.0;
	double s = token_jw(nc, a, b);
	return s >= nc->min_sim ? s : 0.0;
}

/* Tries every assignment of the short name's tokens to distinct tokens
 * of the long one; keeps the one with the highest total similarity. */
static void assign(struct namectx *nc, const struct person *s, const struct person *lg,
		   size_t at, unsigned used, double sum, uint32_t *cur,
		   uint32_t *best, double *best_sum)
{
	if (at == s->ntok) {
		if (sum > *best_sum) {
			*best_sum = sum;
			memcpy(best, cur, s->ntok * sizeof(*cur));
		}
		return;
	}
	for (size_t j = 0; j < lg->ntok; j++) {
		double t = used & (1u << j) ? 0 : token_sim(nc, s->tok[at], lg->tok[j]);
		if (t <= 0)
			continue;
		cur[at] = lg->tok[j];
		assign(nc, s, lg, at + 1, used | (1u << j), sum + t, cur, best, best_sum);
	}
}

/*
 * The fewest namesakes any match of this official could expect: every
 * token of the official matched (fewer matched tokens only multiply
 * fewer shares, each at most one), its counterpart seen once.  An
 * official whose every match would be too common is not compared at all,
 * so a ledger full of one common name costs no comparisons.
 */
static double fewest_namesakes(const struct namectx *nc, const struct person *o)
{
	double p = (double)nc->population, e = p;

	for (size_t i = 0; i < o->ntok; i++) {
		double c = ((double)token_count(nc, o->tok[i]) + 1.0) / 2.0 - 1.0;
		e *= (c < 1.0 ? 1.0 : c) / p;
	}
	return e;
}

static int names_match(struct namectx *nc, const struct person *o,
		       const struct person *w, struct name_match *m)
{
	const struct person *s = o->ntok <= w->ntok ? o : w, *lg = s == o ? w : o;
	uint32_t cur[NAME_MAX_TOKENS] = {0}, pairs[NAME_MAX_TOKENS] = {0};
	double sum = -1;

	assign(nc, s, lg, 0, 0, 0.0, cur, pairs, &sum);
	if (sum < 0)
		return 0;
	m->sim = sum / (double)s->ntok;
	/* Chance that someone else carries the matched tokens: each token's
	 * share of the people compared, leaving this pair out, at least one
	 * person (so a token seen only here still counts as possible). */
	double p = (double)nc->population;
	m->namesakes = p;
	for (size_t i = 0; i < s->ntok; i++) {
		double c = ((double)token_count(nc, s->tok[i]) +
			    (double)token_count(nc, pairs[i])) / 2.0 - 1.0;
		m->namesakes *= (c < 1.0 ? 1.0 : c) / p;
	}
	return 1;
}

static const char *extra_of(const pb_party *p, const char *const *names)
{
	uint32_t n;
	const pb_attr *a = pb_row_extras(&p->row, &n);

	for (uint32_t i = 0; i < n; i++)
		if (is_kind(a[i].name, names) && !pb_is_placeholder(a[i].value))
			return a[i].value;
	return NULL;
}

static const char *const birth_cols[] = {"birth_date", "date_of_birth", "born_on",
					  "birthdate", "dob", NULL};
static const char *const tax_cols[] = {"tax_id", "tin", "inn", "national_id",
				       "personal_code", NULL};

/* Do two birth dates differ?  Dates in the ledger's date format compare
 * as dates; others as text.  Unknown (NULL) never differs. */
static int dates_differ(const char *a, const char *b)
{
	pb_date x, y;
	const char *why;

	if (!a || !b)
		return 0;
	if (!pb_date_parse(a, strlen(a), NULL, &x, &why) && !pb_date_parse(b, strlen(b), NULL, &y, &why))
		return x != y;
	return strcmp(a, b) != 0;
}

/* Do two identifiers differ, ignoring case, blanks and punctuation? */
static int ids_differ(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	char *x = pb_norm_account(a), *y = pb_norm_account(b);
	int differ = x && y ? strcmp(x, y) != 0 : strcmp(a, b) != 0;
	free(x);
	free(y);
	return differ;
}

/* -1: a field known on both sides differs (two people); else how many
 * fields agree (birth date, tax id, address, bank account). */
static int corroboration(const struct person *o, const struct person *w, pb_buf *why)
{
	const char *ob = extra_of(o->party, birth_cols), *wb = extra_of(w->party, birth_cols);
	const char *ot = extra_of(o->party, tax_cols), *wt = extra_of(w->party, tax_cols);
	const char *orr = pb_str(o->party->registry_id), *wr = pb_str(w->party->registry_id);
	int n = 0;

	if (pb_is_placeholder(orr) || pb_is_placeholder(wr))
		orr = wr = NULL;
	if (dates_differ(ob, wb) || ids_differ(ot, wt) || ids_differ(orr, wr))
		return -1;
	if (ob && wb)
		pb_buf_addf(why, "%sbirth date", n++ ? ", " : "");
	if (ot && wt)
		pb_buf_addf(why, "%stax id", n++ ? ", " : "");
	if (orr && wr)
		pb_buf_addf(why, "%sregistry id", n++ ? ", " : "");
	if (o->keys->address && o->keys->address == w->keys->address)
		pb_buf_addf(why, "%saddress", n++ ? ", " : "");
	if (o->keys->account && o->keys->account == w->keys->account)
		pb_buf_addf(why, "%sbank account", n++ ? ", " : "");
	return n;
}

/* The entity of a supplier id when a namesake holds it, else NULL. */
static const char *wanted(const struct namectx *nc, const pb_parties *pp, const char *id)
{
	uint32_t v;

	return id && pb_ptrmap_get(nc->wanted, id, &v) ? pb_parties_entity(pp, id) : NULL;
}

static void add_dealing(struct dealing **d, size_t *n, size_t *cap, struct dealing x)
{
	PB_GROW(*d, *n + 1, *cap);
	(*d)[(*n)++] = x;
}

/* Every contract, bid and payment between a buyer and a wanted supplier,
 * in row order: contracts, then bids, then payments. */
static struct dealing *list_dealings(pb_rule_ctx *ctx, const struct namectx *nc, size_t *count)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t nc_, nb, npay, n = 0, cap = 0;
	const pb_contract *c = pb_ledger_contracts(l, &nc_);
	const pb_bid *b = pb_ledger_bids(l, &nb);
	const pb_payment *p = pb_ledger_payments(l, &npay);
	struct dealing *d = NULL;
	const char *s;

	for (size_t i = 0; i < nc_; i++) {
		const char *ids[16];
		size_t ns = c[i].buyer_id ? pb_contract_suppliers(l, &c[i], ids, 16) : 0;
		for (size_t k = 0; k < ns && k < 16; k++) /* joint awards: every member */
			if ((s = wanted(nc, pp, ids[k])))
				add_dealing(&d, &n, &cap, (struct dealing){
					pb_parties_entity(pp, pb_str(c[i].buyer_id)), s, PB_T_CONTRACTS, &c[i]});
	}
	const uint32_t *tender_row = nb ? pb_ledger_refs(l, PB_T_BIDS, offsetof(pb_bid, tender_id), PB_T_TENDERS)
				       : NULL;
	for (size_t i = 0; i < nb; i++) {
		if (!b[i].tender_id || !(s = wanted(nc, pp, pb_str(b[i].bidder_id))))
			continue;
		const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, tender_row[i]);
		if (t && t->buyer_id)
			add_dealing(&d, &n, &cap, (struct dealing){
				pb_parties_entity(pp, pb_str(t->buyer_id)), s, PB_T_BIDS, &b[i]});
	}
	for (size_t i = 0; i < npay; i++)
		if (pb_str(p[i].payer_id) && (s = wanted(nc, pp, pb_str(p[i].payee_id))))
			add_dealing(&d, &n, &cap, (struct dealing){
				pb_parties_entity(pp, pb_str(p[i].payer_id)), s, PB_T_PAYMENTS, &p[i]});
	*count = n;
	return d;
}

/* The slot of the pair (buyer never NULL), or the empty slot where it
 * would go. */
static size_t deal_slot_of(const struct deal_index *x, const char *buyer, const char *supplier)
{
	uint64_t h = mix64((uint64_t)(uintptr_t)buyer * 0x9E3779B97F4A7C15ull ^ (uintptr_t)supplier);
	size_t i = (size_t)h & (x->cap - 1);

	while (x->v[i].buyer && (x->v[i].buyer != buyer || x->v[i].supplier != supplier))
		i = (i + 1) & (x->cap - 1);
	return i;
}

static void deal_index_grow(struct deal_index *x)
{
	struct deal_index g = {NULL, x->cap ? x->cap * 2 : 1024, x->n};

	g.v = pb_xcalloc_slots(g.cap, sizeof(*g.v));
	for (size_t i = 0; i < x->cap; i++)
		if (x->v[i].buyer)
			g.v[deal_slot_of(&g, x->v[i].buyer, x->v[i].supplier)] = x->v[i];
	free(x->v);
	*x = g;
}

/* The pair's slot, made on first sight. */
static struct deal_slot *deal_pair(struct deal_index *x, const char *buyer, const char *supplier)
{
	if (2 * (x->n + 1) > x->cap)
		deal_index_grow(x);
	struct deal_slot *s = &x->v[deal_slot_of(x, buyer, supplier)];
	if (!s->buyer) {
		*s = (struct deal_slot){buyer, supplier, 0, 0};
		x->n++;
	}
	return s;
}

/* Groups the dealings by (buyer, supplier), each group in row order: a
 * counting sort on the pairs, which never compares two dealings. */
static void build_dealings(pb_rule_ctx *ctx, struct namectx *nc)
{
	size_t n, at = 0;
	struct deal_index *x = &nc->deal_index;

	if (!pb_ptrmap_count(nc->wanted))
		return; /* nothing will be looked up: the rows need not be read */
	struct dealing *d = list_dealings(ctx, nc, &n);

	for (size_t i = 0; i < n; i++)
		deal_pair(x, d[i].buyer, d[i].supplier)->n++;
	for (size_t s = 0; s < x->cap; s++)
		if (x->v[s].buyer) {
			x->v[s].first = at;
			at += x->v[s].n;
			x->v[s].n = 0; /* counts again as the group fills */
		}
	nc->deals = pb_xcalloc(n + 1, sizeof(*nc->deals));
	for (size_t i = 0; i < n; i++) {
		struct deal_slot *g = &x->v[deal_slot_of(x, d[i].buyer, d[i].supplier)];
		nc->deals[g->first + g->n++] = d[i];
	}
	free(d);
}

/* The dealings between buyer and supplier: first index, *n of them. */
static size_t dealings(const struct namectx *nc, const char *buyer, const char *supplier,
		       size_t *n)
{
	const struct deal_index *x = &nc->deal_index;
	const struct deal_slot *g = x->cap ? &x->v[deal_slot_of(x, buyer, supplier)] : NULL;

	*n = g && g->buyer ? g->n : 0;
	return *n ? g->first : 0;
}

/* One finding per official and supplier, built up over the namesakes. */
struct open_finding {
	const char *supplier;
	pb_finding *f;
	const struct person *owner, *last;
	const char *buyer;
	size_t ndeals, nowners;
	double score;
	struct name_match m;
	int corroborated;
	const char *why;  /* fields that agree, for the best namesake */
	const char *kind; /* its relationship to the supplier */
};

#define NAME_MAX_EVIDENCE 50

static const char *const deal_role[PB_T_COUNT] = {
	[PB_T_CONTRACTS] = "contract", [PB_T_BIDS] = "bid", [PB_T_PAYMENTS] = "payment"};

static void open_finding_add(pb_rule_ctx *ctx, const struct namectx *nc,
			     struct open_finding *of, const struct person *o,
			     const struct person *w, const pb_relationship *rel,
			     const struct job *jb, size_t first, size_t nd)
{
	if (!of->f) {
		of->f = pb_finding_add(ctx, PB_T_PARTIES, pb_str(o->party->party_id), of->supplier);
		job_evidence(ctx, of->f, jb);
		if (!jb->party)
			pb_finding_evidence(ctx, of->f, PB_T_PARTIES, o->party, "official");
		of->buyer = jb->org;
	}
	if (of->last != w) { /* a namesake both owner and director: one row */
		pb_finding_evidence(ctx, of->f, PB_T_PARTIES, w->party, "namesake");
		of->nowners++;
		of->last = w;
	}
	pb_finding_evidence(ctx, of->f, PB_T_RELATIONSHIPS, rel, pb_str(rel->kind));
	if (of->ndeals)
		return; /* the dealings are the same for every namesake */
	for (size_t k = 0; k < nd; k++) {
		const struct dealing *d = &nc->deals[first + k];
		if (k < NAME_MAX_EVIDENCE)
			pb_finding_evidence(ctx, of->f, d->table, d->record, deal_role[d->table]);
	}
	of->ndeals = nd;
}

static void name_finding_close(pb_rule_ctx *ctx, const struct person *o, struct open_finding *of)
{
	pb_finding *f = of->f;

	f->score = of->score;
	f->severity = of->corroborated ? PB_SEV_HIGH : PB_SEV_MEDIUM;
	pb_finding_detail(ctx, f, "similarity", "%.3f", of->m.sim);
	pb_finding_detail(ctx, f, "expected_namesakes", "%.3f", of->m.namesakes);
	pb_finding_detail(ctx, f, "dealings", "%zu", of->ndeals);
	if (of->corroborated)
		pb_finding_detail(ctx, f, "corroborated_by", "%s", of->why);
	pb_finding_message(ctx, f,
		"official %s ('%s') of buyer %s has %s name as %s ('%s'), %s of supplier %s, which had %zu contract%s, bid%s or payment%s with %s; %.2f namesakes expected by chance%s%s",
		pb_str(o->party->party_id), pb_str(o->party->name), of->buyer,
		of->m.sim < 1.0 ? "nearly the same" : "the same", pb_str(of->owner->party->party_id),
		pb_str(of->owner->party->name), of->kind, of->supplier, of->ndeals,
		of->ndeals == 1 ? "" : "s", of->ndeals == 1 ? "" : "s", of->ndeals == 1 ? "" : "s",
		of->buyer, of->m.namesakes,
		of->corroborated ? "; the same " : "", of->corroborated ? of->why : "");
}

/* The official's first job at a buyer that dealt with the supplier. */
static const struct job *job_dealing(const struct namectx *nc, const char *official,
				     const char *supplier, size_t *first, size_t *nd)
{
	uint32_t i;

	if (!pb_ptrmap_get(nc->jobs.first, official, &i))
		return NULL;
	for (; i < nc->jobs.n && nc->jobs.v[i].person == official; i++) {
		*first = dealings(nc, nc->jobs.v[i].org, supplier, nd);
		if (*nd)
			return &nc->jobs.v[i];
	}
	return NULL;
}

static double name_score(const struct name_match *m, int corroborated)
{
	double s = m->sim / (1.0 + m->namesakes);

	for (int i = 0; i < corroborated; i++)
		s += (1.0 - s) * 0.5;
	return s;
}

struct open_list {
	struct open_finding *v;
	size_t n, cap;
};

static struct open_finding *open_get(struct open_list *ol, const char *supplier)
{
	for (size_t i = 0; i < ol->n; i++)
		if (ol->v[i].supplier == supplier)
			return &ol->v[i];
	PB_GROW(ol->v, ol->n + 1, ol->cap);
	ol->v[ol->n] = (struct open_finding){.supplier = supplier, .score = -1};
	return &ol->v[ol->n++];
}

/* The namesake's companies that dealt with the official's buyer. */
static void namesake_companies(pb_rule_ctx *ctx, const struct namectx *nc,
			       const struct person *o, const struct person *w,
			       const struct name_match *m, int corr, const char *why,
			       struct open_list *ol)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, from_id),
					     pb_str(w->party->party_id), &n);
	double score = name_score(m, corr);

	for (size_t j = 0; j < n; j++) {
		const pb_relationship *rel = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[j]);
		size_t first, nd;
		if (!is_stake(rel))
			continue;
		const char *company = pb_parties_entity(pp, pb_str(rel->to_id));
		const struct job *jb = job_dealing(nc, o->entity, company, &first, &nd);
		if (!jb)
			continue;
		struct open_finding *of = open_get(ol, company);
		open_finding_add(ctx, nc, of, o, w, rel, jb, first, nd);
		if (score > of->score) {
			of->score = score;
			of->m = *m;
			of->owner = w;
			of->corroborated = corr;
			of->why = why;
			of->kind = pb_str(rel->kind);
		}
	}
}

/* The candidates who pass for the official's namesakes, kept in nc->found. */
static void find_namesakes(pb_rule_ctx *ctx, struct namectx *nc, pb_graph_walk *walk,
			   const struct person *o, const uint32_t *cand, size_t ncand)
{
	pb_buf why;

	pb_buf_init(&why);
	for (size_t k = 0; k < ncand; k++) {
		const struct person *w = &nc->own[cand[k]];
		struct name_match m;
		pb_path p;
		if (w->entity == o->entity || !names_match(nc, o, w, &m))
			continue;
		if (m.namesakes >= nc->max_namesakes) {
			nc->common++;
			continue;
		}
		pb_buf_reset(&why);
		int corr = corroboration(o, w, &why);
		if (corr < 0) {
			nc->contradicted++;
			continue;
		}
		/* Already linked by relationships: the linked rules say it. */
		if (pb_graph_walk_path(pb_ctx_graph(ctx), walk, o->entity, w->entity, PB_DATE_NONE, 3,
				       chain_link, NULL, &p))
			continue;
		PB_GROW(nc->found, nc->nfound + 1, nc->capfound);
		nc->found[nc->nfound++] = (struct namesake){o, w, m, corr,
			pb_arena_strdup(pb_ctx_scratch(ctx), why.data)};
	}
	pb_buf_release(&why);
}

/* The companies the namesakes hold: only their dealings are indexed. */
static void want_companies(pb_rule_ctx *ctx, struct namectx *nc)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n, np;
	const pb_party *parties = pb_ledger_parties(l, &np);

	nc->wanted = pb_ptrmap_new();
	for (size_t i = 0; i < nc->nfound; i++) {
		const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS,
			offsetof(pb_relationship, from_id), pb_str(nc->found[i].w->party->party_id), &n);
		for (size_t j = 0; j < n; j++) {
			const pb_relationship *rel = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[j]);
			if (is_stake(rel))
				pb_ptrmap_put(nc->wanted, pb_parties_entity(pp, pb_str(rel->to_id)), 1);
		}
	}
	/* An id is its own entity unless it is a party with a registry twin
	 * (parties.h): with the twins of the companies wanted too, a row's
	 * supplier id tells without resolving every row's entity. */
	for (size_t i = 0; i < np; i++) {
		const char *e = pb_parties_entity(pp, pb_str(parties[i].party_id));
		uint32_t v;
		if (e != pb_str(parties[i].party_id) && pb_ptrmap_get(nc->wanted, e, &v))
			pb_ptrmap_put(nc->wanted, pb_str(parties[i].party_id), 1);
	}
}

/* One finding per official and company dealing with the official's
 * buyer, namesake by namesake in the order they were found. */
static void report_namesakes(pb_rule_ctx *ctx, struct namectx *nc)
{
	for (size_t i = 0; i < nc->nfound;) {
		const struct person *o = nc->found[i].o;
		struct open_list ol = {NULL, 0, 0};
		for (; i < nc->nfound && nc->found[i].o == o; i++) {
			const struct namesake *ns = &nc->found[i];
			namesake_companies(ctx, nc, o, ns->w, &ns->m, ns->corr, ns->why, &ol);
		}
		for (size_t k = 0; k < ol.n; k++)
			name_finding_close(ctx, o, &ol.v[k]);
		free(ol.v);
	}
}

static void name_ctx_free(struct namectx *nc)
{
	for (size_t i = 0; i < nc->nvocab; i++)
		free(nc->vocab[i].cp);
	free(nc->vocab);
	pb_ptrmap_free(nc->vocab_index);
	free(nc->memo.key);
	free(nc->memo.sim);
	free(nc->off);
	free(nc->own);
	free(nc->blocks);
	free(nc->found);
	pb_ptrmap_free(nc->wanted);
	free(nc->deals);
	free(nc->deal_index.v);
	jobs_free(&nc->jobs);
}

static void run_name_match(pb_rule_ctx *ctx)
{
	struct namectx nc;
	uint32_t *cand = NULL;
	size_t cap = 0, jobless = 0;
	pb_graph_walk *walk = pb_graph_walk_new(pb_ctx_graph(ctx));

	memset(&nc, 0, sizeof(nc));
	nc.min_sim = (double)pb_param_millionths(ctx, "min_similarity") / PB_DECIMAL_SCALE;
	nc.max_namesakes = (double)pb_param_millionths(ctx, "max_namesakes") / PB_DECIMAL_SCALE;
	collect_people(ctx, &nc);
	count_tokens(&nc);
	build_blocks(&nc);
	jobs_build(ctx, &nc.jobs);
	for (size_t i = 0; i < nc.noff; i++) {
		const struct person *o = &nc.off[i];
		if (!job_at(&nc.jobs, o->entity, NULL, PB_DATE_NONE)) {
			jobless++;
			continue;
		}
		if (fewest_namesakes(&nc, o) >= nc.max_namesakes) {
			nc.common_officials++;
			continue;
		}
		size_t n = candidates(&nc, o, &cand, &cap);
		find_namesakes(ctx, &nc, walk, o, cand, n);
	}
	want_companies(ctx, &nc);
	build_dealings(ctx, &nc);
	report_namesakes(ctx, &nc);
	if (nc.common || nc.common_officials)
		pb_ctx_note(ctx, "%zu officials' names and %zu name pairs too common to judge (max_namesakes)",
			    nc.common_officials, nc.common);
	if (nc.contradicted)
		pb_ctx_note(ctx, "%zu name pairs set aside: birth date, tax or registry id differ", nc.contradicted);
	if (jobless)
		pb_ctx_note(ctx, "%zu officials with no employer to compare dealings with", jobless);
	free(cand);
	pb_graph_walk_free(walk);
	name_ctx_free(&nc);
}

const pb_rule pb_rule_name_match = {
	.id = "conflicts.name-match",
	.family = "conflicts",
	.title = "Official's namesake owns or directs a supplier of the official's buyer",
	.source = "OCP",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PARTIES) | PB_NEEDS(PB_T_RELATIONSHIPS),
	.follows_links = 1,
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"min_similarity", PB_P_DECIMAL, "0.93", "Jaro-Winkler similarity at which two name tokens (same first three letters) match"},
		{"max_namesakes", PB_P_DECIMAL, "1", "people expected to share the matched name by chance, from token counts in the ledger, at which a match is too common to report"},
		{NULL, 0, NULL, NULL}},
	.run = run_name_match,
};
