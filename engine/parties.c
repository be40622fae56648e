/* parties.c - registry-id merging, normalised keys and possible links. */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "parallel.h"
#include "parties.h"

/* Parties grouped by one key field of their pb_party_keys. */
struct key_index {
	const pb_party_keys *keys;
	size_t off;            /* of the key field in pb_party_keys */
	pb_grouping groups;    /* party indexes by key */
};

enum { PARTY_REGISTERED = 1, PARTY_CATCH_ALL = 2 };

struct pb_parties {
	pb_ledger *ledger;
	/* Normalised keys are the parties' own: interning them in the
	 * ledger's table would grow it past a doubling for nothing. */
	pb_strtab *strings;
	pb_party_keys *keys;
	/* flags[i]: PARTY_REGISTERED (pb_party_has_registry_id) and
	 * PARTY_CATCH_ALL (pb_is_catch_all of its name) of party i, judged
	 * with its keys (folding every registry id again in resolve_entities
	 * and in supplier.no-registry-id was a serial pass each) */
	unsigned char *flags;
	pb_ptrmap *catch_alls; /* ids of the parties named as catch-alls */
	size_t n;
	pb_ptrmap *entity;    /* party id -> index of its entity's root party
			       * (absent when the party is its own root) */
	struct key_index address, account;
	pb_possible_link *links;
	size_t nlinks, caplinks;
};

/* pb_idmap_key_fn of a key index's grouping: party i's key. */
static const char *party_key(const void *index, uint32_t party)
{
	const struct key_index *ix = index;

	return pb_str(*(const pb_text *)((const char *)&ix->keys[party] + ix->off));
}

/* Groups parties by one key field (offset into pb_party_keys). */
static void index_keys(struct pb_parties *p, size_t off, struct key_index *ix)
{
	ix->keys = p->keys;
	ix->off = off;
	pb_grouping_build(&ix->groups, p->n, party_key, ix);
}

static void add_link(struct pb_parties *p, const pb_party *a, const pb_party *b,
		     const char *reason)
{
	PB_GROW(p->links, p->nlinks + 1, p->caplinks);
	p->links[p->nlinks++] = (pb_possible_link){a, b, reason};
}

/* Same normalised name and the same address or account, different
 * entities: a possible link, never a merge. */
static void find_possible_links(struct pb_parties *p, const pb_party *parties)
{
	for (size_t i = 0; i < p->n; i++) {
		const pb_party_keys *k = &p->keys[i];
		size_t n;
		const uint32_t *same;
		if (!k->name)
			continue;
		same = pb_grouping_find(&p->address.groups, pb_str(k->address), &n);
		for (size_t j = 0; j < n; j++)
			if (same[j] > i && p->keys[same[j]].name == k->name &&
			    pb_parties_entity(p, pb_str(parties[i].party_id)) !=
				    pb_parties_entity(p, pb_str(parties[same[j]].party_id)))
				add_link(p, &parties[i], &parties[same[j]],
					 "same normalised name and address");
		same = pb_grouping_find(&p->account.groups, pb_str(k->account), &n);
		for (size_t j = 0; j < n; j++)
			if (same[j] > i && p->keys[same[j]].name == k->name &&
			    k->address != p->keys[same[j]].address &&
			    pb_parties_entity(p, pb_str(parties[i].party_id)) !=
				    pb_parties_entity(p, pb_str(parties[same[j]].party_id)))
				add_link(p, &parties[i], &parties[same[j]],
					 "same normalised name and bank account");
	}
}

/* Union-find over party indexes.  The root of a set is its member with
 * the smallest party id, so an entity's id never depends on row order. */
static uint32_t uf_find(uint32_t *up, uint32_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

static void uf_union(uint32_t *up, const pb_party *parties, uint32_t a, uint32_t b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	if (a == b)
		return;
	if (strcmp(pb_str(parties[a].party_id), pb_str(parties[b].party_id)) < 0)
		up[b] = a;
	else
		up[a] = b;
}

int pb_party_has_registry_id(const pb_party *pt)
{
	return pt->registry_id && !pb_is_placeholder(pb_str(pt->registry_id));
}

/*
 * One entity per registry identifier; and parties without one that have
 * the same normalised name and address are one entity (the supplier an
 * export names again and again without an id).  A party without an id is
 * never merged into one that has an id: that stays a possible link for
 * a reviewer to judge.
 */
static void resolve_entities(struct pb_parties *p, const pb_party *parties)
{
	uint32_t *up = pb_xcalloc(p->n + 1, sizeof(*up));
	pb_ptrmap *by_registry = pb_ptrmap_new();
	/* (normalised name, address) -> the first party with them, through
	 * the pair's number: a formatted "name\x1faddress" key per party
	 * stayed in the parties' string table to the end of the audit, read
	 * only here (9 MB of the 10M-row audit's peak). */
	pb_pairs by_name_address = {0};
	uint32_t *first_of_pair = NULL;
	size_t cap = 0;
	uint32_t j;

	for (uint32_t i = 0; i < p->n; i++)
		up[i] = i;
	for (uint32_t i = 0; i < p->n; i++) {
		const pb_party_keys *k = &p->keys[i];
		if (p->flags[i] & PARTY_REGISTERED) {
			const char *key = pb_str(parties[i].registry_id);
			if (pb_ptrmap_get(by_registry, key, &j))
				uf_union(up, parties, i, j);
			else
				pb_ptrmap_put(by_registry, key, i);
		} else if (k->name && k->address) {
			size_t known = by_name_address.n;
			uint32_t pair = pb_pairs_add(&by_name_address, pb_str(k->name), pb_str(k->address));
			if (pair < known) {
				uf_union(up, parties, i, first_of_pair[pair]);
			} else {
				PB_GROW(first_of_pair, (size_t)pair + 1, cap);
				first_of_pair[pair] = i;
			}
		}
	}
	for (uint32_t i = 0; i < p->n; i++)
		if (uf_find(up, i) != i)
			pb_ptrmap_put(p->entity, pb_str(parties[i].party_id), uf_find(up, i));
	pb_ptrmap_free(by_registry);
	pb_pairs_release(&by_name_address);
	free(first_of_pair);
	free(up);
}

/*
 * Normalising names and addresses (Unicode folding, legal-form patterns)
 * is most of the work and each party's is its own: threads take the
 * parties one by one and intern a party's keys as soon as they are made
 * (the table locks shard by shard), so that no folded text waits in a
 * copy of its own: at 10M rows those copies were 200 MB of the index
 * phase.
 */
#define PARTY_STRING_SHARD_BITS 6

struct normalising {
	const pb_party *parties;
	const pb_pattern_list *legal_forms;
	struct pb_parties *p;
};

/* A party's three keys are made first and their slots fetched before any
 * is interned, so that their cache misses overlap. */
static void normalise_one(void *ctx, size_t i)
{
	const struct normalising *w = ctx;
	const pb_party *pt = &w->parties[i];
	char *key[3] = {pb_norm_real_name(pb_str(pt->name), w->legal_forms),
			pb_norm_address(pb_str(pt->address)), pb_norm_account(pb_str(pt->bank_account))};
	const char *interned[3] = {NULL, NULL, NULL};
	uint32_t hash[3];
	size_t len[3];

	for (int k = 0; k < 3; k++) {
		len[k] = key[k] ? strlen(key[k]) : 0;
		if (len[k]) {
			hash[k] = pb_intern_hash(key[k], len[k]);
			pb_strtab_prefetch(w->p->strings, hash[k]);
		}
	}
	for (int k = 0; k < 3; k++) {
		if (len[k])
			interned[k] = pb_intern_hashed(w->p->strings, key[k], len[k], hash[k]);
		free(key[k]);
	}
	w->p->keys[i] = (pb_party_keys){pb_text_of(interned[0]), pb_text_of(interned[1]),
					pb_text_of(interned[2])};
	/* the name was just read: asked now, it costs nothing to fetch */
	w->p->flags[i] = (unsigned char)((pb_party_has_registry_id(pt) ? PARTY_REGISTERED : 0) |
					 (pb_is_catch_all(pb_str(pt->name)) ? PARTY_CATCH_ALL : 0));
}

/* Parties a thread takes at a time.  Taken one by one, the two threads
 * wrote neighbouring parties' keys and flags, the same cache lines, at
 * every party, and took the shared counter's line from each other: the
 * 10M-row bench normalised only 1.4 times as fast on two threads as on
 * one. */
#define NORMALISE_BLOCK 256

/* The three things made from the keys read only the keys, each into a
 * structure of its own, so they are made side by side. */
static void from_keys(void *ctx, size_t i)
{
	const struct normalising *w = ctx;

	if (i == 0)
		resolve_entities(w->p, w->parties);
	else if (i == 1)
		index_keys(w->p, offsetof(pb_party_keys, address), &w->p->address);
	else
		index_keys(w->p, offsetof(pb_party_keys, account), &w->p->account);
}

pb_parties *pb_parties_build(pb_ledger *l, const pb_pattern_list *legal_forms, int jobs)
{
	struct pb_parties *p = pb_xcalloc(1, sizeof(*p));
	const pb_party *parties = pb_ledger_parties(l, &p->n);

	p->ledger = l;
	p->strings = pb_strtab_new_shared(PARTY_STRING_SHARD_BITS);
	/* Up to three keys a party (name, address, account); the bench's
	 * parties have 1.5 to 2.3 distinct ones each, and at 10m the table
	 * doubled 14 times, a thread waiting each time. */
	pb_strtab_reserve(p->strings, 2 * p->n);
	p->keys = pb_xcalloc(p->n + 1, sizeof(*p->keys));
	p->flags = pb_xcalloc(p->n + 1, 1);
	p->entity = pb_ptrmap_new();
	struct normalising w = {parties, legal_forms, p};
	pb_strtab_set_locking(p->strings, jobs > 1);
	pb_parallel_blocks(p->n, NORMALISE_BLOCK, jobs, normalise_one, &w);
	pb_strtab_set_locking(p->strings, 0);
	pb_strtab_trim(p->strings);
	p->catch_alls = pb_ptrmap_new();
	for (size_t i = 0; i < p->n; i++)
		if ((p->flags[i] & PARTY_CATCH_ALL) && parties[i].party_id)
			pb_ptrmap_put(p->catch_alls, pb_str(parties[i].party_id), 1);
	pb_parallel_for(3, jobs, from_keys, &w);
	find_possible_links(p, parties);
	return p;
}

void pb_parties_free(pb_parties *p)
{
	if (!p)
		return;
	pb_grouping_release(&p->address.groups);
	pb_grouping_release(&p->account.groups);
	pb_ptrmap_free(p->entity);
	pb_ptrmap_free(p->catch_alls);
	free(p->keys);
	free(p->flags);
	free(p->links);
	pb_strtab_free(p->strings);
	free(p);
}

const pb_party_keys *pb_parties_keys(const pb_parties *p, size_t i)
{
	return i < p->n ? &p->keys[i] : NULL;
}

size_t pb_parties_root(const pb_parties *p, size_t i)
{
	const pb_party *pt = i < p->n ? pb_ledger_at(p->ledger, PB_T_PARTIES, i) : NULL;
	uint32_t first;

	if (pt && pt->party_id && pb_ptrmap_get(p->entity, pb_str(pt->party_id), &first))
		return first;
	return i;
}

int pb_parties_registered(const pb_parties *p, size_t i)
{
	return i < p->n && (p->flags[i] & PARTY_REGISTERED);
}

int pb_parties_catch_all(const pb_parties *p, const char *id)
{
	uint32_t v;

	if (!id)
		return 0;
	return pb_is_catch_all(id) ||
	       (pb_ptrmap_count(p->catch_alls) && pb_ptrmap_get(p->catch_alls, id, &v));
}

const char *pb_parties_entity(const pb_parties *p, const char *id)
{
	uint32_t first;

	if (!id || !pb_ptrmap_get(p->entity, id, &first))
		return id;
	const pb_party *pt = pb_ledger_at(p->ledger, PB_T_PARTIES, first);
	return pb_str(pt->party_id);
}

const uint32_t *pb_parties_with_address(const pb_parties *p, const char *key,
					size_t *n)
{
	return pb_grouping_find(&p->address.groups, key, n);
}

const uint32_t *pb_parties_with_account(const pb_parties *p, const char *key,
					size_t *n)
{
	return pb_grouping_find(&p->account.groups, key, n);
}

const pb_possible_link *pb_parties_possible_links(const pb_parties *p, size_t *n)
{
	*n = p->nlinks;
	return p->links;
}
