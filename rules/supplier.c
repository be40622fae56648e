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
 * Thresholds: RULES.md (OCP, GTI, ACFE); the jurisdiction list is
 * config/secrecy-jurisdictions.txt, compiled in, with its sources.
 */
#include <ctype.h>
#include <string.h>

#include "../engine/parties.h"
#include "rules.h"

static const char default_jurisdictions[] =
#include "secrecy-jurisdictions.inc"
	;

static pb_date award_date(const pb_contract *c)
{
	return c->awarded_on != PB_DATE_NONE ? c->awarded_on : c->signed_on;
}

/* Contracts at or above `threshold` in the base currency, with their
 * supplier's party row. */
static int large_award(pb_rule_ctx *ctx, const pb_contract *c, int64_t threshold,
		       size_t *other_currency)
{
	if (c->value == PB_AMOUNT_NONE)
		return 0;
	if (c->currency != pb_ctx_currency(ctx)) {
		(*other_currency)++;
		return 0;
	}
	return c->value >= threshold;
}

static void note_currency(pb_rule_ctx *ctx, size_t skipped)
{
	if (skipped)
		pb_ctx_note(ctx, "skipped %zu contracts not in %s", skipped,
			    pb_ctx_currency(ctx));
}

static void run_newly_registered(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, skipped = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t threshold = pb_param_money(ctx, "threshold");
	int64_t max_days = pb_param_int(ctx, "max_days");
	char reg[11], aw[11];

	for (size_t i = 0; i < n; i++) {
		if (!large_award(ctx, &c[i], threshold, &skipped))
			continue;
		const pb_party *s = pb_ledger_find(l, PB_T_PARTIES, c[i].supplier_id);
		pb_date on = award_date(&c[i]);
		if (!s || s->registered_on == PB_DATE_NONE || on == PB_DATE_NONE)
			continue;
		int64_t age = (int64_t)on - s->registered_on;
		if (age >= max_days)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c[i].contract_id, NULL);
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
				c[i].supplier_id, c[i].contract_id,
				pb_ctx_money(ctx, c[i].value, c[i].currency), aw,
				(long long)-age, reg);
		} else {
			pb_finding_message(ctx, f,
				"%s was registered on %s and won contract %s (%s) %lld days later",
				c[i].supplier_id, reg, c[i].contract_id,
				pb_ctx_money(ctx, c[i].value, c[i].currency), (long long)age);
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
		{"threshold", PB_P_MONEY, "100000", "smallest contract value judged"},
		{"max_days", PB_P_DAYS, "180", "a supplier younger than this at the award fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_newly_registered,
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

static int is_supplier(pb_ledger *l, const pb_party *p)
{
	size_t n;

	if (p->roles && strstr(p->roles, "supplier"))
		return 1;
	pb_ledger_group(l, PB_T_CONTRACTS, offsetof(pb_contract, supplier_id), p->party_id, &n);
	return n > 0;
}

static void run_secrecy(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_party *p = pb_ledger_parties(l, &n);
	const char *list = pb_param_text(ctx, "jurisdictions");

	for (size_t i = 0; i < n; i++) {
		if (!p[i].country || !in_code_list(list, p[i].country) || !is_supplier(l, &p[i]))
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, p[i].party_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[i], "supplier");
		size_t nc;
		const uint32_t *ci = pb_ledger_group(l, PB_T_CONTRACTS,
						     offsetof(pb_contract, supplier_id),
						     p[i].party_id, &nc);
		for (size_t k = 0; k < nc; k++)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS,
					    pb_ledger_at(l, PB_T_CONTRACTS, ci[k]), "contract");
		pb_finding_detail(ctx, f, "country", "%s", p[i].country);
		pb_finding_message(ctx, f, "supplier %s is registered in %s, a listed secrecy jurisdiction (%zu contracts)",
				   p[i].party_id, p[i].country, nc);
	}
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
};

static void run_no_registry_id(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, skipped = 0, unknown = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	int64_t threshold = pb_param_money(ctx, "threshold");

	for (size_t i = 0; i < n; i++) {
		if (!large_award(ctx, &c[i], threshold, &skipped))
			continue;
		const pb_party *s = pb_ledger_find(l, PB_T_PARTIES, c[i].supplier_id);
		if (!s) {
			unknown++;
			continue;
		}
		if (s->registry_id)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c[i].contract_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_CONTRACTS, &c[i], "contract");
		pb_finding_evidence(ctx, f, PB_T_PARTIES, s, "supplier");
		pb_finding_message(ctx, f, "supplier %s has no registry identifier but won contract %s (%s)",
				   c[i].supplier_id, c[i].contract_id,
				   pb_ctx_money(ctx, c[i].value, c[i].currency));
	}
	note_currency(ctx, skipped);
	if (unknown)
		pb_ctx_note(ctx, "%zu large contracts name a supplier missing from parties", unknown);
}

const pb_rule pb_rule_no_registry_id = {
	.id = "supplier.no-registry-id",
	.family = "supplier",
	.title = "Supplier without a registry identifier wins a large contract",
	.source = "OCP",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"threshold", PB_P_MONEY, "100000", "smallest contract value judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_no_registry_id,
};

static void run_mass_address(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_party *p = pb_ledger_parties(l, &n);
	int64_t min = pb_param_int(ctx, "min_suppliers");

	for (size_t i = 0; i < n; i++) {
		const char *addr = pb_parties_keys(pp, i)->address;
		size_t m, count = 0;
		if (!addr || !is_supplier(l, &p[i]))
			continue;
		const uint32_t *same = pb_parties_with_address(pp, addr, &m);
		if (same[0] != i)
			continue; /* one finding per address, at its first party */
		for (size_t k = 0; k < m; k++)
			count += is_supplier(l, &p[same[k]]);
		if ((int64_t)count < min)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, p[i].party_id, addr);
		for (size_t k = 0; k < m; k++)
			if (is_supplier(l, &p[same[k]]))
				pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[same[k]], "supplier");
		pb_finding_detail(ctx, f, "address", "%s", addr);
		pb_finding_detail(ctx, f, "suppliers", "%zu", count);
		f->score = count >= (size_t)(2 * min) ? 1.0 : (double)count / (double)(2 * min);
		pb_finding_message(ctx, f, "%zu suppliers share the address '%s'", count,
				   p[i].address);
	}
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
};

/* All of a supplier's contracts (and payments, when loaded) come from one
 * buyer. */
static void run_single_client(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_parties *pp = pb_ctx_parties(ctx);
	size_t n;
	const pb_party *p = pb_ledger_parties(l, &n);
	int64_t min = pb_param_int(ctx, "min_contracts");

	for (size_t i = 0; i < n; i++) {
		size_t nc, np;
		const uint32_t *ci = pb_ledger_group(l, PB_T_CONTRACTS,
			offsetof(pb_contract, supplier_id), p[i].party_id, &nc);
		if ((int64_t)nc < min)
			continue;
		const pb_contract *first = pb_ledger_at(l, PB_T_CONTRACTS, ci[0]);
		const char *buyer = pb_parties_entity(pp, first->buyer_id);
		int single = buyer != NULL;
		for (size_t k = 1; single && k < nc; k++) {
			const pb_contract *c = pb_ledger_at(l, PB_T_CONTRACTS, ci[k]);
			single = pb_parties_entity(pp, c->buyer_id) == buyer;
		}
		const uint32_t *pi = pb_ledger_group(l, PB_T_PAYMENTS,
			offsetof(pb_payment, payee_id), p[i].party_id, &np);
		for (size_t k = 0; single && k < np; k++) {
			const pb_payment *pay = pb_ledger_at(l, PB_T_PAYMENTS, pi[k]);
			single = !pay->payer_id || pb_parties_entity(pp, pay->payer_id) == buyer;
		}
		if (!single)
			continue;
		pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, p[i].party_id, NULL);
		pb_finding_evidence(ctx, f, PB_T_PARTIES, &p[i], "supplier");
		for (size_t k = 0; k < nc; k++)
			pb_finding_evidence(ctx, f, PB_T_CONTRACTS,
					    pb_ledger_at(l, PB_T_CONTRACTS, ci[k]), "contract");
		pb_finding_detail(ctx, f, "buyer", "%s", buyer);
		pb_finding_detail(ctx, f, "contracts", "%zu", nc);
		pb_finding_message(ctx, f, "all %zu contracts%s of supplier %s come from one buyer, %s",
				   nc, np ? " and payments" : "", p[i].party_id, buyer);
	}
}

const pb_rule pb_rule_single_client = {
	.id = "supplier.single-client",
	.family = "supplier",
	.title = "A supplier's entire income comes from one buyer",
	.source = "OCP",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_CONTRACTS) | PB_NEEDS(PB_T_PARTIES),
	.params = (const pb_param_def[]){
		{"min_contracts", PB_P_INT, "3", "fewest contracts judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_single_client,
};
