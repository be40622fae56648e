/*
 * supplier.c - supplier profile.
 *
 * Risk: shell and front companies: created just before a large award,
 * registered offshore, with no registry identifier to trace their owners,
 * many at one address, or living off a single buyer.
 * Data: contracts and parties (registered_on, country, registry_id,
 * address); payments when present (single-client).
 * False positives: special-purpose vehicles created for a large project;
 * defence subsidiaries in low-tax jurisdictions for legitimate reasons;
 * business centres with many tenants; niche suppliers with one natural
 * client.
 * Not judged: contracts not actually awarded (pb_contract_is_award);
 * addresses that identify no place; suppliers of a publisher that gives
 * none of its suppliers a registry id (a coverage note).  Suppliers and
 * buyers are counted as entities (registry twins, id-less repeats).
 * Thresholds: docs/rules/ (OCP, GTI, ACFE); the jurisdiction list is
 * config/secrecy-jurisdictions.txt, compiled in, with its sources.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/parties.h"
#include "rules.h"

static const char default_jurisdictions[] =
#include "secrecy-jurisdictions.inc"
	;

/* Contracts at or above the `threshold` parameter, converted at the
 * award date (else the start: pb_contract_value_date) when their
 * currency differs; those that cannot be compared (no exchange rate)
 * are counted in *no_rate. */
static int large_award(pb_rule_ctx *ctx, const pb_contract *c, int64_t threshold,
		       size_t *no_rate)
{
	(void)threshold;
	if (c->value == PB_AMOUNT_NONE)
		return 0;
	int reached = pb_param_money_reached(ctx, "threshold", c->value, pb_str(c->currency), pb_contract_value_date(c), NULL);
	if (reached < 0)
		(*no_rate)++;
	return reached > 0;
}

static void note_currency(pb_rule_ctx *ctx, size_t no_rate)
{
	if (no_rate)
		pb_ctx_note(ctx, "%zu contracts could not be compared with the %s threshold: no exchange rate for their currency and date",
			    no_rate, pb_param_currency(ctx, "threshold"));
}

/* Each contract's supplier, as a row of parties (PB_NO_ROW: none). */
static const uint32_t *supplier_rows(pb_ledger *l)
{
	return pb_ledger_refs(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), PB_T_PARTIES);
}

static void run_newly_registered(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, skipped = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	const uint32_t *supplier_row = supplier_rows(l);
	int64_t threshold = pb_param_money(ctx, "threshold");
	int64_t max_days = pb_param_int(ctx, "max_days");
	char reg[11], aw[11];

	for (size_t i = 0; i < n; i++) {
		if (!pb_contract_is_award(l, &c[i], NULL) || !large_award(ctx, &c[i], threshold, &skipped))
			continue;
		const pb_party *s = pb_ledger_at(l, PB_T_PARTIES, supplier_row[i]);
		pb_date on = pb_contract_award_date(&c[i]);
		if (!s || s->registered_on == PB_DATE_NONE || on == PB_DATE_NONE)
			continue;
		int64_t age = (int64_t)on - s->registered_on;
		if (age >= max_days)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c[i].contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		pb_finding_evidence(ctx, f, PB_T_PARTIES, s, "supplier");
		pb_finding_detail(ctx, f, "registered_on", "%s", pb_date_format(s->registered_on, reg));
		pb_finding_detail(ctx, f, "awarded_on", "%s", pb_date_format(on, aw));
		pb_finding_detail(ctx, f, "age_days", "%lld", (long long)age);
		f->score = age <= 0 ? 1.0 : 1.0 - (double)age / (double)max_days;
		if (age < 0) {
			f->severity = PB_SEV_CRITICAL;
			pb_finding_message(ctx, f,
				"%s won contract %s (%s) on %s, %lld days before it was even registered (%s)",
				pb_str(c[i].supplier_id), pb_str(c[i].contract_id),
				pb_ctx_money(ctx, c[i].value, pb_str(c[i].currency)), aw,
				(long long)-age, reg);
		} else {
			pb_finding_message(ctx, f,
				"%s was registered on %s and won contract %s (%s) %lld days later",
				pb_str(c[i].supplier_id), reg, pb_str(c[i].contract_id),
				pb_ctx_money(ctx, c[i].value, pb_str(c[i].currency)), (long long)age);
		}
	}
	note_currency(ctx, skipped);
}

const pb_rule pb_rule_newly_registered = {
	.id = "supplier.newly-registered",
	.family = "supplier",
	.title = "Supplier registered shortly before winning a large contract",
	.source = "OCP, GTI",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000 EUR", "smallest contract value judged"},
		{"max_days", PB_P_DAYS, "180", "a supplier younger than this at the award fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_newly_registered,
	.fields = (const char *const[]){"parties.registered_on", NULL},
};

/* Is `country` (any case) one of the space-separated codes? */
static int in_code_list(const char *list, const char *country)
{
	size_t len = strlen(country);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \t\n,;");
		if (n == len) {
			size_t k = 0;
			while (k < n && toupper((unsigned char)p[k]) == toupper((unsigned char)country[k]))
				k++;
			if (k == n)
				return 1;
		}
		p += n;
		p += strspn(p, " \t\n,;");
	}
	return 0;
}

/* The contracts that went to party i, *n of them (file order). */
static const uint32_t *contracts_of(pb_ledger *l, size_t i, size_t *n)
{
	return pb_ledger_children(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), PB_T_PARTIES,
				  i, n);
}

/* Party i: a supplier by its roles, or by a contract that went to it. */
static int is_supplier(pb_ledger *l, size_t i)
{
	const pb_party *p = pb_ledger_at(l, PB_T_PARTIES, i);
	size_t n;

	if (p->roles && strstr(pb_str(p->roles), "supplier"))
		return 1;
	contracts_of(l, i, &n);
	return n > 0;
}

/* Is a country on the list?  Judged once per country text (interned, so
 * a few hundred at most): scanning the list again for each of a million
 * parties was half the rule. */
static int listed(pb_ptrmap *verdicts, const char *list, const char *country)
{
	uint32_t v;

	if (!pb_ptrmap_get(verdicts, country, &v)) {
		v = (uint32_t)in_code_list(list, country);
		pb_ptrmap_put(verdicts, country, v);
	}
	return (int)v;
}

static void run_secrecy(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_party *p = pb_ledger_parties(l, &n);
	const char *list = pb_param_text(ctx, "jurisdictions");
	pb_ptrmap *verdicts = pb_ptrmap_new();

	for (size_t i = 0; i < n; i++) {
		if (!p[i].country || !listed(verdicts, list, pb_str(p[i].country)) || !is_supplier(l, i))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, pb_str(p[i].party_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[i], "supplier");
		size_t nc;
		const uint32_t *ci = contracts_of(l, i, &nc);
		for (size_t k = 0; k < nc; k++)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS,
					    pb_ledger_at(l, PB_T_CONTRACTS, ci[k]), "contract");
		pb_finding_detail(ctx, f, "country", "%s", pb_str(p[i].country));
		pb_finding_message(ctx, f, "supplier %s is registered in %s, a listed secrecy jurisdiction (%zu contracts)",
				   pb_str(p[i].party_id), pb_str(p[i].country), nc);
	}
	pb_ptrmap_free(verdicts);
}

const pb_rule pb_rule_secrecy_jurisdiction = {
	.id = "supplier.secrecy-jurisdiction",
	.family = "supplier",
	.title = "Supplier registered in a secrecy jurisdiction",
	.source = "GTI",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"jurisdictions", PB_P_TEXT, default_jurisdictions,
		 "ISO 3166 alpha-2 codes, space-separated (default: config/secrecy-jurisdictions.txt)"},
		{NULL, 0, NULL, NULL}},
	.run = run_secrecy,
	.fields = (const char *const[]){"parties.country", NULL},
};

/* Are `part` of the `judged` suppliers (of the ledger, or of one kind of
 * export) their norm: judged at least the rule's norm_min_suppliers, and
 * part at least norm_share_pct percent of them?  Then what the rule
 * looks for says nothing about one supplier. */
static int ledger_norm(pb_rule_ctx *ctx, size_t judged, size_t part)
{
	return (int64_t)judged >= pb_param_int(ctx, "norm_min_suppliers") &&
	       (pb_i128)part * 100 * PB_DECIMAL_SCALE >=
		       (pb_i128)pb_param_millionths(ctx, "norm_share_pct") * judged;
}

struct publisher {
	size_t suppliers, with_id;
};

/* The suppliers of large awards in one kind of export (pb_ledger_format),
 * and whether a missing id is its norm. */
struct export_kind {
	const char *format; /* interned */
	size_t suppliers, with_id;
	int norm;
};

#define EXPORT_KINDS 8

/* The suppliers of contracts in file order lie anywhere in the parties
 * table: the one SUPPLIER_AHEAD contracts on is fetched while this one
 * is judged (at 10M rows, waiting for each was nearly all of
 * no-registry-id's time), but only when its record will be read: at
 * 57M rows the fetches of records never read, a random page each, were
 * two thirds of the rule's time. */
#define SUPPLIER_AHEAD 16

static void prefetch_supplier(pb_ledger *l, uint32_t row)
{
	const pb_party *s = pb_ledger_at(l, PB_T_PARTIES, row);

	if (s)
		__builtin_prefetch(s);
}

static int bit_set(const uint64_t *bits, uint32_t r)
{
	return (bits[r / 64] >> (r % 64)) & 1;
}

/* pb_party_has_registry_id of party row r, judged when the parties were
 * built. */
static int has_registry_id(pb_rule_ctx *ctx, uint32_t r)
{
	return pb_parties_registered(pb_ctx_parties(ctx), r);
}

/* The count of one kind of export, made on its first supplier. */
static struct export_kind *export_kind_of(struct export_kind *kinds, size_t *nkinds,
					   const char *format)
{
	for (size_t j = 0; j < *nkinds; j++)
		if (kinds[j].format == format)
			return &kinds[j];
	if (*nkinds == EXPORT_KINDS)
		pb_fatal("internal error: more than %d kinds of export", EXPORT_KINDS);
	kinds[*nkinds] = (struct export_kind){format, 0, 0, 0};
	return &kinds[(*nkinds)++];
}

/* Per publisher, and per kind of export in kinds[]: distinct suppliers
 * of large awards, and how many of them carry a registry id.  Keys are
 * interned publisher names.  Rows, not ids, are what the passes remember
 * (a bit each, where a map of ids was a cache miss a contract at 10M
 * rows). */
static struct publisher *publishers_count(pb_rule_ctx *ctx, const pb_contract *c, size_t n,
					  int64_t threshold, pb_ptrmap *index, const char ***keys,
					  struct export_kind *kinds, size_t *nkinds)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const uint32_t *supplier_row = supplier_rows(l);
	struct publisher *pub = NULL;
	size_t np = 0, cap = 0, skipped = 0, nparties;
	uint32_t k;

	pb_ledger_parties(l, &nparties);
	uint64_t *seen = pb_xcalloc(nparties / 64 + 1, sizeof(*seen));
	for (size_t i = 0; i < n; i++) {
		const pb_party *s = pb_ledger_at(l, PB_T_PARTIES, supplier_row[i]);
		/* read below only on a supplier's first large award */
		if (i + SUPPLIER_AHEAD < n && supplier_row[i + SUPPLIER_AHEAD] < nparties &&
		    !bit_set(seen, supplier_row[i + SUPPLIER_AHEAD]))
			prefetch_supplier(l, supplier_row[i + SUPPLIER_AHEAD]);
		if (!s || !pb_contract_is_award(l, &c[i], NULL) || !large_award(ctx, &c[i], threshold, &skipped))
			continue;
		uint32_t r = supplier_row[i];
		if (bit_set(seen, r))
			continue;
		seen[r / 64] |= UINT64_C(1) << (r % 64);
		const char *name = pb_ledger_publisher(l, &s->row); /* interned */
		if (!pb_ptrmap_get(index, name, &k)) {
			PB_GROW(pub, np + 1, cap);
			*keys = pb_xreallocarray(*keys, cap, sizeof(**keys));
			k = (uint32_t)np++;
			pub[k] = (struct publisher){0, 0};
			(*keys)[k] = name;
			pb_ptrmap_put(index, name, k);
		}
		int with_id = has_registry_id(ctx, r);
		pub[k].suppliers++;
		pub[k].with_id += (size_t)with_id;
		struct export_kind *kind = export_kind_of(kinds, nkinds, pb_ledger_format(l, &s->row));
		kind->suppliers++;
		kind->with_id += (size_t)with_id;
	}
	free(seen);
	return pub;
}

/* A supplier without a registry id and its large awards. */
struct unnamed {
	const pb_party *s;
	const pb_contract **c;
	size_t n, cap;
};

static void unnamed_finding(pb_rule_ctx *ctx, const struct unnamed *u)
{
	pb_finding *f;

	if (u->n == 1) {
		const pb_contract *c = u->c[0];
		f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c->contract_id), NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
		pb_finding_evidence(ctx, f, PB_T_PARTIES, u->s, "supplier");
		pb_finding_message(ctx, f, "supplier %s has no registry identifier but won contract %s (%s)",
				   pb_str(c->supplier_id), pb_str(c->contract_id), pb_ctx_money(ctx, c->value, pb_str(c->currency)));
		return;
	}
	const char *who = pb_ctx_entity(ctx, pb_str(u->s->party_id));
	f = pb_finding_add(ctx, PB_T_PARTIES, who, NULL);
	pb_finding_evidence(ctx, f, PB_T_PARTIES, u->s, "supplier");
	for (size_t i = 0; i < u->n; i++)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, u->c[i], "contract");
	pb_finding_detail(ctx, f, "contracts", "%zu", u->n);
	pb_finding_message(ctx, f, "supplier %s has no registry identifier but won %zu contracts at or above the threshold (%s, ...)",
			   who, u->n, pb_str(u->c[0]->contract_id));
}

/* What the reviewer calls the records of one kind of export. */
static const char *export_name(const char *format)
{
	static const struct {
		const char *format, *name;
	} names[] = {{"csv", "CSV exports"}, {"ocds", "OCDS releases"},
		     {"eforms", "eForms notices"}, {"ted", "TED notices"}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(format, names[i].format))
			return names[i].name;
	return "records of no input";
}

/*
 * A kind of export where most suppliers of large awards have no registry
 * id (TED's R2.0.9 forms make the national id optional: 87% of the
 * contractors in the TED sample have none) cannot tell a hidden owner
 * from an export that does not carry the field.  Says so once per kind.
 * Kinds are judged apart: TED notices audited beside a ministry register
 * whose suppliers carry ids neither hide the register's one supplier
 * without an id nor get judged notice by notice against the register.
 */
static void missing_id_norms(pb_rule_ctx *ctx, struct export_kind *kinds, size_t nkinds)
{
	for (size_t j = 0; j < nkinds; j++) {
		struct export_kind *k = &kinds[j];
		k->norm = ledger_norm(ctx, k->suppliers, k->suppliers - k->with_id);
		if (k->norm)
			pb_ctx_note(ctx, "%zu of the %zu suppliers of large awards in %s have no registry id: in those exports that is the norm (they do not carry one), not judged",
				    k->suppliers - k->with_id, k->suppliers, export_name(k->format));
	}
}

/*
 * One finding per supplier entity without a registry id (a single award
 * is reported about the contract), unless its publisher gives no
 * supplier an id at all, or most suppliers of the ledger have none.
 */
static void run_no_registry_id(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, skipped = 0, unknown = 0, silent = 0, nu = 0, capu = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	const uint32_t *supplier_row = supplier_rows(l);
	int64_t threshold = pb_param_money(ctx, "threshold");
	size_t min_pub = (size_t)pb_param_int(ctx, "min_publisher_suppliers");
	pb_ptrmap *index = pb_ptrmap_new(), *by_entity = pb_ptrmap_new();
	const char **keys = NULL;
	struct export_kind kinds[EXPORT_KINDS];
	size_t nkinds = 0;
	struct publisher *pub = publishers_count(ctx, c, n, threshold, index, &keys, kinds, &nkinds);
	struct unnamed *un = NULL;
	uint32_t k;

	missing_id_norms(ctx, kinds, nkinds);
	for (size_t i = 0; i < n; i++) {
		if (!pb_contract_is_award(l, &c[i], NULL) || !large_award(ctx, &c[i], threshold, &skipped))
			continue;
		const pb_party *s = pb_ledger_at(l, PB_T_PARTIES, supplier_row[i]);
		/* read below only for a supplier without a registry id */
		if (i + SUPPLIER_AHEAD < n && !has_registry_id(ctx, supplier_row[i + SUPPLIER_AHEAD]))
			prefetch_supplier(l, supplier_row[i + SUPPLIER_AHEAD]);
		if (!s) {
			unknown++;
			continue;
		}
		if (has_registry_id(ctx, supplier_row[i]) ||
		    export_kind_of(kinds, &nkinds, pb_ledger_format(l, &s->row))->norm)
			continue;
		const char *name = pb_ledger_publisher(l, &s->row);
		/* A publisher that gives no supplier an id says nothing about
		 * this supplier: one coverage note, not a finding each. */
		if (pb_ptrmap_get(index, name, &k) &&
		    pub[k].suppliers >= min_pub && pub[k].with_id == 0) {
			silent++;
			continue;
		}
		const char *who = pb_ctx_entity(ctx, pb_str(s->party_id));
		if (!pb_ptrmap_get(by_entity, who, &k)) {
			PB_GROW(un, nu + 1, capu);
			k = (uint32_t)nu++;
			un[k] = (struct unnamed){s, NULL, 0, 0};
			pb_ptrmap_put(by_entity, who, k);
		}
		PB_GROW(un[k].c, un[k].n + 1, un[k].cap);
		un[k].c[un[k].n++] = &c[i];
	}
	for (size_t j = 0; j < nu; j++) {
		unnamed_finding(ctx, &un[j]);
		free(un[j].c);
	}
	note_currency(ctx, skipped);
	if (unknown)
		pb_ctx_note(ctx, "%zu large contracts name a supplier missing from parties", unknown);
	for (size_t j = 0; silent && pub && j < pb_ptrmap_count(index); j++)
		if (pub[j].suppliers >= min_pub && pub[j].with_id == 0)
			pb_ctx_note(ctx, "%s gives none of its %zu suppliers a registry id: not judged",
				    keys[j], pub[j].suppliers);
	pb_ptrmap_free(index);
	pb_ptrmap_free(by_entity);
	free(un);
	free(pub);
	free(keys);
}

const pb_rule pb_rule_no_registry_id = {
	.id = "supplier.no-registry-id",
	.family = "supplier",
	.title = "Supplier without a registry identifier wins a large contract",
	.source = "OCP",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000 EUR", "smallest contract value judged"},
		{"min_publisher_suppliers", PB_P_INT, "5",
		 "a publisher (CSV file, XML notice, OCDS ocid prefix or folder) naming this many suppliers, none with an id, is a coverage note"},
		{"norm_min_suppliers", PB_P_INT, "10",
		 "suppliers of large awards one kind of export (CSV, OCDS, eForms, TED) must hold before a missing id can be its norm"},
		{"norm_share_pct", PB_P_PERCENT, "50",
		 "share of those suppliers without an id that makes a missing id the kind's norm: not judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_no_registry_id,
};

/*
 * One finding per address that identifies a place (pb_norm_address
 * refuses country-only, town-only and placeholder addresses), made at
 * its first supplier, counting distinct supplier entities: the same
 * company listed twice, or a person at the address, changes nothing.
 */
static void run_mass_address(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_party *p = pb_ledger_parties(l, &n);
	int64_t min = pb_param_int(ctx, "min_suppliers");
	pb_ptrmap *entities = pb_ptrmap_new();

	for (size_t i = 0; i < n; i++) {
		const char *addr = pb_str(pb_parties_keys(pp, i)->address);
		size_t m, count = 0, first = SIZE_MAX;
		uint32_t dummy;
		if (!addr || !is_supplier(l, i))
			continue;
		const uint32_t *same = pb_parties_with_address(pp, addr, &m);
		for (size_t k = 0; k < m && first == SIZE_MAX; k++)
			if (is_supplier(l, same[k]))
				first = same[k];
		if (first != i)
			continue; /* one finding per address, at its first supplier */
		for (size_t k = 0; k < m; k++) {
			const char *e = pb_parties_entity(pp, pb_str(p[same[k]].party_id));
			if (is_supplier(l, same[k]) && !pb_ptrmap_get(entities, e, &dummy)) {
				pb_ptrmap_put(entities, e, 1);
				count++;
			}
		}
		pb_ptrmap_free(entities);
		entities = pb_ptrmap_new();
		if ((int64_t)count < min)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, pb_str(p[i].party_id), addr);
		for (size_t k = 0; k < m; k++)
			if (is_supplier(l, same[k]))
				pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[same[k]], "supplier");
		pb_finding_detail(ctx, f, "address", "%s", addr);
		pb_finding_detail(ctx, f, "suppliers", "%zu", count);
		f->score = count >= (size_t)(2 * min) ? 1.0 : (double)count / (double)(2 * min);
		pb_finding_message(ctx, f, "%zu suppliers share the address '%s'", count,
				   pb_str(p[i].address));
	}
	pb_ptrmap_free(entities);
}

const pb_rule pb_rule_mass_address = {
	.id = "supplier.mass-address",
	.family = "supplier",
	.title = "Many suppliers share one address",
	.source = "ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"min_suppliers", PB_P_INT, "5", "suppliers at one address that fire"},
		{NULL, 0, NULL, NULL}},
	.run = run_mass_address,
	.fields = (const char *const[]){"parties.address", NULL},
};

/*
 * The party indexes of each entity, as a pb_grouping of the parties by
 * entity gives them: groups in order of their first member, members in
 * table order.  Grouped by the index of the entity's root party, not
 * through a map of entity ids: nearly every party is an entity of its
 * own, and that map (1.2M groups at 10M rows) grew by doubling.
 * Returns the members; group g's are items[start[g] .. start[g + 1]).
 */
static uint32_t *entity_members(const pb_parties *pp, const pb_party *p, size_t n,
				size_t *ngroups, uint32_t **start)
{
	uint32_t *group_of = pb_xcalloc(n + 1, sizeof(*group_of)); /* by root: group + 1 */
	uint32_t *gid = pb_xcalloc(n + 1, sizeof(*gid));
	size_t ng = 0;

	for (size_t i = 0; i < n; i++) {
		size_t r = pb_parties_root(pp, i);
		if (!p[i].party_id || r >= n) {
			gid[i] = PB_NO_BUCKET;
			continue;
		}
		if (!group_of[r])
			group_of[r] = (uint32_t)++ng;
		gid[i] = group_of[r] - 1;
	}
	free(group_of);
	*start = pb_xcalloc_slots(ng + 1, sizeof(**start));
	uint32_t *items = pb_bucket_sorted(gid, n, ng, *start);
	free(gid);
	*ngroups = ng;
	return items;
}

/* A supplier entity's awarded contracts, and whether they and its
 * payments (when loaded) all come from one buyer entity. */
struct client_verdict {
	const pb_contract **won;
	size_t nwon, capwon, npay;
	const char *buyer; /* the one buyer entity, when single */
	int single;
};

static void judge_supplier(pb_rule_ctx *ctx, const uint32_t *member, size_t nmembers,
			   struct client_verdict *v)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);

	v->nwon = v->npay = 0;
	v->buyer = NULL;
	v->single = 1;
	/* Every awarded contract, of one buyer or not: the procedures of a
	 * supplier of several buyers count towards the ledger's norm. */
	for (size_t j = 0; j < nmembers; j++) {
		size_t nc, np;
		const uint32_t *ci = contracts_of(l, member[j], &nc);
		for (size_t i = 0; i < nc; i++) {
			const pb_contract *c = pb_ledger_at(l, PB_T_CONTRACTS, ci[i]);
			if (!pb_contract_is_award(l, c, NULL))
				continue;
			const char *b = pb_parties_entity(pp, pb_str(c->buyer_id));
			v->single = v->single && b && (!v->buyer || b == v->buyer);
			v->buyer = v->buyer ? v->buyer : b;
			PB_GROW(v->won, v->nwon + 1, v->capwon);
			v->won[v->nwon++] = c;
		}
		const uint32_t *pi = pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, payee_id),
							PB_T_PARTIES, member[j], &np);
		for (size_t i = 0; i < np && v->single; i++) {
			const pb_payment *pay = pb_ledger_at(l, PB_T_PAYMENTS, pi[i]);
			v->single = !pb_str(pay->payer_id) ||
				    pb_parties_entity(pp, pb_str(pay->payer_id)) == v->buyer;
		}
		v->npay += np;
	}
	v->single = v->single && v->buyer;
}

static void single_client_finding(pb_rule_ctx *ctx, const pb_party *p, const uint32_t *member,
				  size_t nmembers, const struct client_verdict *v)
{
	const pb_parties *pp = pb_ctx_parties(ctx);
	const char *entity = pb_parties_entity(pp, pb_str(p[member[0]].party_id));
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, entity, NULL);

	for (size_t j = 0; j < nmembers; j++)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[member[j]], "supplier");
	for (size_t i = 0; i < v->nwon; i++)
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, v->won[i], "contract");
	pb_finding_detail(ctx, f, "buyer", "%s", v->buyer);
	pb_finding_detail(ctx, f, "contracts", "%zu", v->nwon);
	pb_finding_detail(ctx, f, "procedures", "%zu", pb_contracts_procedures(v->won, v->nwon));
	pb_finding_message(ctx, f, "all %zu contracts%s of supplier %s in this ledger come from one buyer, %s",
			   v->nwon, v->npay ? " and payments" : "", entity, v->buyer);
}

/* In a ledger of few buyers (a ministry's own books) every supplier has
 * "one client": the ledger cannot show its others. */
static int too_few_buyers(pb_rule_ctx *ctx)
{
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t ncontracts, buyers = 0;
	const pb_contract *all = pb_ledger_contracts(pb_ctx_ledger(ctx), &ncontracts);
	pb_ptrmap *seen = pb_ptrmap_new();
	uint32_t dummy;

	for (size_t i = 0; i < ncontracts; i++) {
		const char *b = all[i].buyer_id ? pb_parties_entity(pp, pb_str(all[i].buyer_id)) : NULL;
		if (b && !pb_ptrmap_get(seen, b, &dummy)) {
			pb_ptrmap_put(seen, b, 1);
			buyers++;
		}
	}
	pb_ptrmap_free(seen);
	if ((int64_t)buyers >= pb_param_int(ctx, "min_buyers"))
		return 0;
	pb_ctx_note(ctx, "the ledger holds %zu buyers, fewer than %lld: a supplier's other clients are not in it, not judged",
		    buyers, (long long)pb_param_int(ctx, "min_buyers"));
	return 1;
}

/*
 * Is one buyer the norm in this ledger?  Where most suppliers of enough
 * procedures sell to one buyer only, the buyers buy in separate markets
 * (CompraNet's sample: ports in different cities, each with its local
 * builders, 93 of 120 such suppliers; the state electricity company
 * among them), and one more such supplier says nothing of dependence.
 */
static int one_buyer_is_norm(pb_rule_ctx *ctx, size_t judged, size_t single)
{
	if (!ledger_norm(ctx, judged, single))
		return 0;
	pb_ctx_note(ctx, "%zu of the %zu suppliers with %lld or more procedures deal with one buyer only: in this ledger that is the norm (its buyers buy in separate markets), not judged",
		    single, judged, (long long)pb_param_int(ctx, "min_contracts"));
	return 1;
}

/* All of a supplier entity's awarded contracts (and payments, when
 * loaded) come from one buyer entity.  Judged once per entity, at its
 * root party, over the contracts of all its records, once the ledger
 * shows that suppliers there do sell to several buyers. */
static void run_single_client(pb_rule_ctx *ctx)
{
	size_t n, ngroups, judged = 0, nsingle = 0;
	const pb_party *p = pb_ledger_parties(pb_ctx_ledger(ctx), &n);
	int64_t min = pb_param_int(ctx, "min_contracts");
	uint32_t *start, *items, *single = NULL;
	struct client_verdict v = {0};

	if (too_few_buyers(ctx))
		return;
	items = entity_members(pb_ctx_parties(ctx), p, n, &ngroups, &start);
	single = pb_xcalloc(ngroups + 1, sizeof(*single));
	for (size_t k = 0; k < ngroups; k++) {
		judge_supplier(ctx, items + start[k], start[k + 1] - start[k], &v);
		if ((int64_t)pb_contracts_procedures(v.won, v.nwon) < min)
			continue;
		judged++;
		if (v.single)
			single[nsingle++] = (uint32_t)k;
	}
	if (one_buyer_is_norm(ctx, judged, nsingle))
		nsingle = 0;
	for (size_t j = 0; j < nsingle; j++) {
		size_t k = single[j];
		judge_supplier(ctx, items + start[k], start[k + 1] - start[k], &v);
		single_client_finding(ctx, p, items + start[k], start[k + 1] - start[k], &v);
	}
	free(v.won);
	free(single);
	free(items);
	free(start);
}

const pb_rule pb_rule_single_client = {
	.id = "supplier.single-client",
	.family = "supplier",
	.title = "All of a supplier's contracts in the ledger come from one buyer",
	.source = "OCP",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"min_contracts", PB_P_INT, "3", "fewest procedures (the lots of one tender count once) judged"},
		{"min_buyers", PB_P_INT, "2", "buyers the ledger must hold before anyone's other clients could show"},
		{"norm_min_suppliers", PB_P_INT, "10",
		 "suppliers of min_contracts procedures or more the ledger must hold before one buyer can be the norm"},
		{"norm_share_pct", PB_P_PERCENT, "50",
		 "share of those suppliers dealing with one buyer only that makes it the norm: not judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_single_client,
};
