/*
 * parties.h - party resolution (issue #4).
 *
 * The same company appears under several ids when ledgers come from
 * different systems.  Parties that share a registry identifier are one
 * entity, and so are parties without one (or with a placeholder) that
 * have the same normalised name and address: the supplier an export
 * names again and again without an id.  pb_parties_entity() maps any
 * party id to its entity's id: the smallest party id of the entity, so
 * that the answer never depends on row order.  Other parties that only
 * look alike (same normalised name plus the same address or bank
 * account, one of them with a registry id) stay distinct and are listed
 * as possible links with their evidence; they are never merged silently.
 */
#ifndef PB_PARTIES_H
#define PB_PARTIES_H

#include "config.h"
#include "ledger.h"

/* Normalised keys of one party, interned in the parties' own table (0 if
 * empty). */
typedef struct {
	pb_text name;    /* pb_norm_name */
	pb_text address; /* pb_norm_address */
	pb_text account; /* pb_norm_account */
} pb_party_keys;

typedef struct {
	const pb_party *a, *b;
	const char *reason; /* "same name and address" */
} pb_possible_link;

typedef struct pb_parties pb_parties;

/* legal_forms: compiled PATTERNS, or NULL for the built-in list; jobs:
 * threads that may normalise names and addresses (1: this one only). */
pb_parties *pb_parties_build(pb_ledger *l, const pb_pattern_list *legal_forms, int jobs);
void pb_parties_free(pb_parties *p);

/* Does the party carry a registry id, and not a placeholder ("N/A")?
 * Only such an id joins parties into one entity. */
int pb_party_has_registry_id(const pb_party *pt);

/* pb_party_has_registry_id of the party at index i of the parties
 * table, judged once when the parties were built (0 past the table). */
int pb_parties_registered(const pb_parties *p, size_t i);

/* Keys of the party at index i of the parties table. */
const pb_party_keys *pb_parties_keys(const pb_parties *p, size_t i);

/* The index of the root party of the entity that the party at index i
 * belongs to (the party whose id pb_parties_entity gives); i itself when
 * it is its entity's root. */
size_t pb_parties_root(const pb_parties *p, size_t i);

/* Does id name a catch-all record, one payee for many recipients
 * (pb_is_catch_all): by itself ("SUNDRY CREDITORS"), or by the name of
 * its party record (vendor 20000000, "GENERAL EXPENSES")?  Such a record
 * names no one: the payments and splitting rules leave its payments
 * ungrouped. */
int pb_parties_catch_all(const pb_parties *p, const char *id);

/* The entity a party id belongs to (itself when it has no registry twin). */
const char *pb_parties_entity(const pb_parties *p, const char *id);

/* Parties (table indexes) whose normalised address / account is `key`. */
const uint32_t *pb_parties_with_address(const pb_parties *p, const char *key,
					size_t *n);
const uint32_t *pb_parties_with_account(const pb_parties *p, const char *key,
					size_t *n);

const pb_possible_link *pb_parties_possible_links(const pb_parties *p,
						  size_t *n);

#endif
