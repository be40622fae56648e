/*
 * entities.h - per buyer and supplier risk scores (issue #5).
 *
 * In the spirit of GTI's Corruption Risk Index: for each entity, the share
 * of the red flags applicable to it that fire, weighted by severity
 * (low 1, medium 2, high 3, critical 4).  A rule is applicable to an
 * entity when the rule ran and the entity appears in a table it reads; it
 * fires for the entity when one of its findings has evidence naming the
 * entity as buyer (or payer, budget holder) or supplier (or bidder,
 * payee, obligor).
 */
#ifndef PB_ENTITIES_H
#define PB_ENTITIES_H

#include "audit.h"

typedef struct pb_entity_score {
	const char *id;
	const char *name;   /* from parties, or NULL */
	const char *role;   /* "buyer" or "supplier" */
	size_t nfindings;
	unsigned weight;    /* sum of severity weights of its findings */
	size_t napplicable; /* rules applicable to it */
	size_t nfired;      /* of those, rules with a finding about it */
	double score;       /* in [0, 1] */
	size_t rank;        /* 1 = riskiest */
} pb_entity_score;

/*
 * Who appears where: every entity the ledger names as buyer or supplier,
 * with the tables it appears in (which rules apply to it).  It reads
 * only the sealed ledger, so pb_audit_run collects it beside the rules.
 */
typedef struct pb_entity_tally pb_entity_tally;

pb_entity_tally *pb_entities_collect(pb_ledger *l);

/* Fills each finding's buyer_id/supplier_id and returns the entities of
 * t, which it frees, ranked (caller frees the array). */
pb_entity_score *pb_entities_score(pb_audit *a, pb_entity_tally *t, size_t *n);

unsigned pb_severity_weight(pb_severity s);

/* Fetches the texts of entity i + 16 of the n ranked ones: a reporter
 * walking the list calls it for each i.  Their ids and names lie all
 * over the string tables, and reading one after another waited on a
 * cache miss each (most of the JSON report's time at 10M rows). */
void pb_entities_prefetch(const pb_entity_score *e, size_t n, size_t i);

#endif
