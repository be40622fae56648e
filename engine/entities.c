/* entities.c - who the findings are about, and a CRI-style ranking. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "entities.h"
#include "parallel.h"

unsigned pb_severity_weight(pb_severity s)
{
	return (unsigned)s + 1;
}

/* Buyer and supplier named by one evidence record. */
static void record_parties(pb_ledger *l, const pb_evidence *e,
			   const char **buyer, const char **supplier)
{
	pb_table t = e->table_no;
	const void *r = e->record;

	/* A copy of a record stands for the ledger's record of its key.  A
	 * single-column key is the copy's interned id; a composed one (a
	 * budget line's) is a text to look up, which rules never give. */
	if (!pb_ledger_holds(l, t, r)) {
		const char *key = e->id;
		if (!pb_table_keyed_by_column(t))
			key = pb_ledger_lookup(l, e->id, strlen(e->id));
		r = pb_ledger_find(l, t, key);
	}
	if (!r)
		return;
	switch (t) {
	case PB_T_TENDERS:
		*buyer = *buyer ? *buyer : pb_str(((const pb_tender *)r)->buyer_id);
		break;
	case PB_T_BIDS:
		*supplier = *supplier ? *supplier : pb_str(((const pb_bid *)r)->bidder_id);
		break;
	case PB_T_CONTRACTS:
		*buyer = *buyer ? *buyer : pb_str(((const pb_contract *)r)->buyer_id);
		*supplier = *supplier ? *supplier : pb_str(((const pb_contract *)r)->supplier_id);
		break;
	case PB_T_PAYMENTS:
		*buyer = *buyer ? *buyer : pb_str(((const pb_payment *)r)->payer_id);
		*supplier = *supplier ? *supplier : pb_str(((const pb_payment *)r)->payee_id);
		break;
	case PB_T_BUDGET:
		*buyer = *buyer ? *buyer : pb_str(((const pb_budget_line *)r)->org_id);
		break;
	case PB_T_OFFSETS:
		*supplier = *supplier ? *supplier : pb_str(((const pb_offset *)r)->obligor_id);
		break;
	default:
		break;
	}
}

/* Tables in which each entity appears as buyer or supplier.  At 10M rows
 * there are half a million, and the tally is collected beside the rules,
 * so it is kept small: 32 bytes each and a 4-byte slot per role's map. */
struct entity {
	const char *id;
	pb_severity *worst;  /* per rule, or -1 when none; NULL until a finding
				names the entity (most never are) */
	uint32_t nfindings;
	unsigned weight;
	uint32_t party;      /* its row in parties, or PB_NO_ROW */
	uint16_t tables;     /* PB_NEEDS bits */
	uint8_t supplier;    /* role */
};
_Static_assert(PB_T_COUNT <= 16, "an entity's tables fit its 16 bits");
_Static_assert(sizeof(struct entity) <= 32, "an entity is 32 bytes on 64-bit");

struct pb_entity_tally {
	pb_ledger *ledger;
	struct entity *e;
	size_t n, cap;
	pb_idmap index[2]; /* by role: id -> entity */
	uint32_t *place;   /* entity -> its place by role, then id */
	size_t nplaced;    /* entities place was made for */
};

/* pb_idmap_key_fn of the tally's maps: entity v's id. */
static const char *entity_id(const void *tally, uint32_t v)
{
	return ((const pb_entity_tally *)tally)->e[v].id;
}

/* Its row in parties, not looked for yet (pb_entities_collect finds the
 * rows of all it collected in one pass, find_parties). */
#define PARTY_UNSOUGHT (PB_NO_ROW - 1)

static uint32_t party_row(const pb_entity_tally *t, const char *id)
{
	const pb_party *p = pb_ledger_find(t->ledger, PB_T_PARTIES, id);

	return p ? (uint32_t)pb_ledger_index_of(t->ledger, PB_T_PARTIES, p) : PB_NO_ROW;
}

/* The entity of id in its role, made if it is new; its party row is
 * found now, or left for find_parties when `later`. */
static struct entity *entity_get_or_make(pb_entity_tally *t, const char *id, int supplier,
					 int later)
{
	uint32_t i;

	if (pb_idmap_get(&t->index[supplier], id, entity_id, t, &i))
		return &t->e[i];
	PB_GROW(t->e, t->n + 1, t->cap);
	struct entity *e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->supplier = (uint8_t)supplier;
	e->party = later ? PARTY_UNSOUGHT : party_row(t, id);
	pb_idmap_put(&t->index[supplier], id, (uint32_t)t->n, entity_id, t);
	return &t->e[t->n++];
}

static struct entity *entity_get(pb_entity_tally *t, const char *id, int supplier)
{
	return entity_get_or_make(t, id, supplier, 0);
}

/*
 * The party rows of the entities collected, in a pass of their own: the
 * key map's slot of the id 16 entities on is fetched, then the record
 * the slot of the id 8 on names.  Found one by one as the entities
 * appeared, each waited for both cache misses (a fifth of the 10M-row
 * bench's collecting).
 */
#define PARTY_AHEAD 16

static void find_parties(pb_entity_tally *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (i + PARTY_AHEAD < t->n)
			pb_ledger_prefetch_key(t->ledger, PB_T_PARTIES, t->e[i + PARTY_AHEAD].id);
		if (i + PARTY_AHEAD / 2 < t->n)
			pb_ledger_prefetch_record(t->ledger, PB_T_PARTIES, t->e[i + PARTY_AHEAD / 2].id);
		if (t->e[i].party == PARTY_UNSOUGHT)
			t->e[i].party = party_row(t, t->e[i].id);
	}
}

/*
 * id appears in `table` in the role given.  Ids repeat row after row (a
 * buyer's tenders, a contract's payments), and the id of the row before
 * in the same column (*last) has its table already: no look-up.
 */
static void appear(pb_entity_tally *t, const char *id, const char **last, int supplier,
		   pb_table table)
{
	if (id && id != *last)
		entity_get_or_make(t, id, supplier, 1)->tables |= (uint16_t)PB_NEEDS(table);
	*last = id;
}

/* Ties of score and weight are ranked by role (buyers first), then id:
 * that order is found while the rules run, so that ranking at the end
 * compares integers, not half a million ids (0.5 s at 10M rows).  Ids
 * are read here for the first time since their rows were imported: the
 * text PLACE_AHEAD entities on is fetched while this one is read. */
#define PLACE_AHEAD 16

static void place_entities(pb_entity_tally *t)
{
	/* two arrays of a megabyte or so at 1M rows, from the heap the rules
	 * have warmed rather than fresh pages */
	pb_text_key *v = pb_xmalloc((t->n + 1) * sizeof(*v));
	pb_text_key *room = pb_xmalloc((t->n + 1) * sizeof(*room));

	for (size_t i = 0; i < t->n; i++) {
		if (i + PLACE_AHEAD < t->n)
			__builtin_prefetch(t->e[i + PLACE_AHEAD].id);
		/* "buyer" < "supplier": the role is the group */
		v[i] = pb_text_key_of(t->e[i].supplier, t->e[i].id, (uint32_t)i);
	}
	pb_sort_text_keys(v, t->n, room);
	free(room);
	free(t->place);
	t->place = pb_xcalloc(t->n + 1, sizeof(*t->place));
	for (size_t i = 0; i < t->n; i++)
		t->place[v[i].index] = (uint32_t)i;
	t->nplaced = t->n;
	free(v);
}

/*
 * Bidders, suppliers and payees come in no order: each look-up is a
 * cache miss in the map and another in the entity it finds.  The map
 * slot of the id ENTITY_AHEAD rows on is fetched, then the entity that
 * the slot of the id half as far on names (its slot has come by then).
 */
#define ENTITY_AHEAD 16

static void prefetch_entities(const pb_entity_tally *t, int supplier, const char *far,
			      const char *near)
{
	if (far)
		pb_idmap_prefetch(&t->index[supplier], far);
	uint32_t v = near ? pb_idmap_peek(&t->index[supplier], near) : PB_IDMAP_NONE;
	if (v != PB_IDMAP_NONE && v < t->n)
		__builtin_prefetch(&t->e[v]);
}

/* field of the record i rows on, or NULL past the end */
#define AHEAD(rec, n, i, k, field) ((i) + (k) < (n) ? pb_str((rec)[(i) + (k)].field) : NULL)

pb_entity_tally *pb_entities_collect(pb_ledger *l)
{
	pb_entity_tally *t = pb_xcalloc(1, sizeof(*t));
	const char *last[2];
	size_t n;

	t->ledger = l;
	/* Room for an entity per id that may name one, of which only the
	 * entities' pages are touched: grown by doubling, the copies and
	 * their fresh pages were a fifth of collecting.  Only address space
	 * (420 MB of it at 10M rows): where a limit refuses it, the entities
	 * grow as they come. */
	size_t most = pb_ledger_count(l, PB_T_TENDERS) + pb_ledger_count(l, PB_T_BIDS) +
		      2 * pb_ledger_count(l, PB_T_CONTRACTS) + 2 * pb_ledger_count(l, PB_T_PAYMENTS) +
		      pb_ledger_count(l, PB_T_BUDGET) + pb_ledger_count(l, PB_T_OFFSETS) + 1;
	t->e = pb_advise_huge(calloc(most, sizeof(*t->e)), most * sizeof(*t->e));
	t->cap = t->e ? most : 0;

	const pb_tender *td = pb_ledger_tenders(l, &n);
	last[0] = NULL;
	for (size_t i = 0; i < n; i++)
		appear(t, pb_str(td[i].buyer_id), &last[0], 0, PB_T_TENDERS);
	const pb_bid *b = pb_ledger_bids(l, &n);
	last[1] = NULL;
	for (size_t i = 0; i < n; i++) {
		prefetch_entities(t, 1, AHEAD(b, n, i, ENTITY_AHEAD, bidder_id),
				  AHEAD(b, n, i, ENTITY_AHEAD / 2, bidder_id));
		appear(t, pb_str(b[i].bidder_id), &last[1], 1, PB_T_BIDS);
	}
	const pb_contract *c = pb_ledger_contracts(l, &n);
	last[0] = last[1] = NULL;
	for (size_t i = 0; i < n; i++) {
		prefetch_entities(t, 1, AHEAD(c, n, i, ENTITY_AHEAD, supplier_id),
				  AHEAD(c, n, i, ENTITY_AHEAD / 2, supplier_id));
		appear(t, pb_str(c[i].buyer_id), &last[0], 0, PB_T_CONTRACTS);
		appear(t, pb_str(c[i].supplier_id), &last[1], 1, PB_T_CONTRACTS);
	}
	const pb_payment *p = pb_ledger_payments(l, &n);
	last[0] = last[1] = NULL;
	for (size_t i = 0; i < n; i++) {
		prefetch_entities(t, 1, AHEAD(p, n, i, ENTITY_AHEAD, payee_id),
				  AHEAD(p, n, i, ENTITY_AHEAD / 2, payee_id));
		appear(t, pb_str(p[i].payer_id), &last[0], 0, PB_T_PAYMENTS);
		appear(t, pb_str(p[i].payee_id), &last[1], 1, PB_T_PAYMENTS);
	}
	const pb_budget_line *bl = pb_ledger_budget(l, &n);
	last[0] = NULL;
	for (size_t i = 0; i < n; i++)
		appear(t, pb_str(bl[i].org_id), &last[0], 0, PB_T_BUDGET);
	const pb_offset *o = pb_ledger_offsets(l, &n);
	last[1] = NULL;
	for (size_t i = 0; i < n; i++)
		appear(t, pb_str(o[i].obligor_id), &last[1], 1, PB_T_OFFSETS);
	find_parties(t);
	place_entities(t);
	return t;
}

static void count_finding(pb_entity_tally *t, const pb_finding *f, const char *id,
			  int supplier)
{
	if (!id)
		return;
	struct entity *e = entity_get(t, id, supplier);
	int r = pb_rule_index(f->rule);

	e->nfindings++;
	e->weight += pb_severity_weight(f->severity);
	if (!e->worst) {
		e->worst = pb_xcalloc(pb_nrules + 1, sizeof(*e->worst));
		for (size_t k = 0; k < pb_nrules; k++)
			e->worst[k] = (pb_severity)-1;
	}
	if (r >= 0 && (int)f->severity > (int)e->worst[r])
		e->worst[r] = f->severity;
}

struct ranked {
	double score;
	unsigned weight;
	uint32_t place, e;
};

/* Riskiest first: by score, then weight, then role and id (place). */
static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->weight != b->weight)
		return a->weight < b->weight ? 1 : -1;
	return a->place < b->place ? -1 : a->place > b->place;
}

/* Rules that ran and apply to an entity found in `tables` (PB_NEEDS
 * bits): the same for every entity of those tables, so counted once per
 * set of tables (memo, by tables, holds the count plus one).  Threads
 * share the memo: one that finds a count missing works it out and
 * stores it, and two that do so store the same. */
static size_t applicable_in(const pb_audit *a, uint16_t tables, _Atomic uint16_t *memo)
{
	uint16_t known = atomic_load_explicit(&memo[tables], memory_order_relaxed);

	if (!known) {
		size_t n = 0;
		for (size_t r = 0; r < pb_nrules; r++)
			n += a->coverage[r].status == PB_COV_RAN && (a->coverage[r].rule->needs & tables);
		known = (uint16_t)(n + 1);
		atomic_store_explicit(&memo[tables], known, memory_order_relaxed);
	}
	return known - 1u;
}

static void score_entity(const pb_audit *a, const struct entity *e, _Atomic uint16_t *memo,
			 pb_entity_score *out)
{
	unsigned possible = 0, got = 0;

	memset(out, 0, sizeof(*out));
	out->id = e->id;
	out->role = e->supplier ? "supplier" : "buyer";
	out->nfindings = e->nfindings;
	out->weight = e->weight;
	const pb_party *p = pb_ledger_at(a->ledger, PB_T_PARTIES, e->party);
	out->name = p ? pb_str(p->name) : NULL;
	if (!e->worst) { /* no finding names it: most entities */
		out->napplicable = applicable_in(a, e->tables, memo);
		return;
	}
	for (size_t r = 0; r < pb_nrules; r++) {
		const pb_coverage *cov = &a->coverage[r];
		int fired = (int)e->worst[r] >= 0;
		if (!fired && (cov->status != PB_COV_RAN || !(cov->rule->needs & e->tables)))
			continue;
		out->napplicable++;
		possible += pb_severity_weight(cov->rule->severity);
		if (fired) {
			out->nfired++;
			got += pb_severity_weight(e->worst[r]);
		}
	}
	out->score = possible ? (double)got / (double)possible : 0.0;
	if (out->score > 1.0)
		out->score = 1.0;
}

/*
 * The order of ranked_cmp.  Entities with no score and no weight (no
 * finding names them: all but a few thousand of half a million at 10M
 * rows) tie on both and come last, by place: they are taken in place
 * order rather than sorted, and only the others are sorted.
 */
static uint32_t *rank_order(const pb_entity_tally *t, const pb_entity_score *out)
{
	uint32_t *order = pb_xcalloc(t->n + 1, sizeof(*order));
	uint32_t *by_place = pb_xcalloc(t->n + 1, sizeof(*by_place));
	struct ranked *r = pb_xcalloc(t->n + 1, sizeof(*r));
	size_t nr = 0, k;

	for (size_t i = 0; i < t->n; i++) {
		by_place[t->place[i]] = (uint32_t)i;
		if (out[i].score > 0.0 || out[i].weight)
			r[nr++] = (struct ranked){out[i].score, out[i].weight, t->place[i], (uint32_t)i};
	}
	qsort(r, nr, sizeof(*r), ranked_cmp);
	for (k = 0; k < nr; k++)
		order[k] = r[k].e;
	for (size_t p = 0; p < t->n; p++) {
		const pb_entity_score *o = &out[by_place[p]];
		if (!(o->score > 0.0 || o->weight))
			order[k++] = by_place[p];
	}
	free(r);
	free(by_place);
	return order;
}

/*
 * Entities scored at a time by each thread.  Scoring is serial between
 * the rules and the reports, and half of it was first touches of the
 * scores' fresh pages: threads take them side by side.  Each entity's
 * score is its own, so the result is the same for any number of jobs.
 */
#define SCORE_BLOCK 4096

struct scoring {
	const pb_audit *a;
	pb_entity_tally *t;
	pb_entity_score *out;
	_Atomic uint16_t *memo;
};

static void score_one(void *ctx, size_t i)
{
	struct scoring *sc = ctx;

	score_entity(sc->a, &sc->t->e[i], sc->memo, &sc->out[i]);
	free(sc->t->e[i].worst);
}

pb_entity_score *pb_entities_score(pb_audit *a, pb_entity_tally *t, size_t *n)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		pb_finding *f = a->findings[i];
		/* the first evidence row that names each is the one kept: a
		 * finding of thousands of rows stops at the first few */
		for (size_t k = 0; k < f->nevidence && !(f->buyer_id && f->supplier_id); k++)
			record_parties(a->ledger, &f->evidence[k], &f->buyer_id, &f->supplier_id);
		count_finding(t, f, f->buyer_id, 0);
		count_finding(t, f, f->supplier_id, 1);
	}
	if (t->nplaced != t->n) /* a finding named an entity no table did */
		place_entities(t);
	pb_entity_score *out = pb_xcalloc(t->n + 1, sizeof(*out));
	struct scoring sc = {a, t, out, pb_xcalloc((size_t)UINT16_MAX + 1, sizeof(*sc.memo))};
	pb_parallel_blocks(t->n, SCORE_BLOCK, a->config->jobs, score_one, &sc);
	free((void *)sc.memo);
	uint32_t *order = rank_order(t, out);
	pb_permute(out, t->n, sizeof(*out), order);
	for (size_t i = 0; i < t->n; i++)
		out[i].rank = i + 1;
	*n = t->n;
	free(order);
	free(t->place);
	free(t->e);
	pb_idmap_release(&t->index[0]);
	pb_idmap_release(&t->index[1]);
	free(t);
	return out;
}

#define TEXTS_AHEAD 16

void pb_entities_prefetch(const pb_entity_score *e, size_t n, size_t i)
{
	if (i + TEXTS_AHEAD >= n)
		return;
	__builtin_prefetch(e[i + TEXTS_AHEAD].id);
	if (e[i + TEXTS_AHEAD].name)
		__builtin_prefetch(e[i + TEXTS_AHEAD].name);
}
