/*
 * audit.c - runs the rule registry over a sealed ledger and collects
 * findings and coverage.
 *
 * Determinism is a feature for IG offices diffing nightly runs: finding
 * ids hash only the rule, the subject and a discriminator, and findings
 * are sorted before any reporter sees them.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "catalog.h"
#include "audit.h"
#include "config.h"
#include "entities.h"
#include "graph.h"
#include "parallel.h"
#include "parties.h"

/*
 * One rule's run.  Everything a rule writes while it runs is its own:
 * its findings, its notes, its scratch arena (which outlives the run:
 * findings point into it) and its interned keys.  The ledger, the party
 * resolution, the procedures and the fx rates are built before any rule
 * runs, the graph and what else rules share by the first that asks
 * (pb_ctx_shared); all are only read, so rules can run in parallel.
 */
struct pb_rule_ctx {
	pb_audit *audit;
	const pb_rule *rule;
	const pb_rule_config *rc;
	pb_ledger *ledger;
	pb_buf notes;
	pb_arena *scratch;
	pb_strtab *strings; /* made on first pb_ctx_intern */
	const uint32_t *tender_row; /* each contract's, on first pb_ctx_tender_of */
	const struct pb_graph *graph; /* on first pb_ctx_graph */
	const char *fiscal_party;     /* pb_ctx_fiscal_start's last party */
	int fiscal_start;             /* and its answer: payments come in runs */
	pb_finding **findings;
	size_t nfindings, capfindings;
	double seconds;
};

const char *pb_cov_status_name(pb_cov_status s)
{
	switch (s) {
	case PB_COV_RAN:
		return "ran";
	case PB_COV_NOT_RUN:
		return "not run";
	case PB_COV_DISABLED:
		return "disabled";
	case PB_COV_CANNOT_JUDGE:
		return "could not judge";
	}
	return "unknown";
}

pb_ledger *pb_ctx_ledger(pb_rule_ctx *ctx)
{
	return ctx->ledger;
}

pb_date pb_ctx_as_of(pb_rule_ctx *ctx)
{
	return ctx->audit->as_of;
}

/* Central government fiscal years that do not start in January, by
 * ISO 3166-1 alpha-2 country: HM Treasury's and English councils' 1
 * April (GB), the Financial Administration Act's 1 April (CA), 1 July
 * (AU, NZ, KE, UG), the federal 1 October (US), 1 April (IN, JP, ZA). */
static const struct {
	char country[3];
	int month;
} fiscal_starts[] = {{"AU", 7}, {"CA", 4}, {"GB", 4}, {"IN", 4}, {"JP", 4},
		     {"KE", 7}, {"NZ", 7}, {"UG", 7}, {"US", 10}, {"ZA", 4}};

static int country_fiscal_start(const char *country)
{
	for (size_t i = 0; country && i < sizeof(fiscal_starts) / sizeof(fiscal_starts[0]); i++)
		if (!strcasecmp(country, fiscal_starts[i].country))
			return fiscal_starts[i].month;
	return 1;
}

/* Each entity's country, by the index of its root party: the first
 * country any of its parties gives, in the parties' order, so that one
 * payer known by two ids keeps one fiscal year. */
static void *entity_countries(pb_rule_ctx *ctx, const void *arg)
{
	size_t n = pb_ledger_count(ctx->ledger, PB_T_PARTIES);
	const char **country = pb_xcalloc(n + 1, sizeof(*country));
	(void)arg;

	for (size_t i = 0; i < n; i++) {
		const pb_party *p = pb_ledger_at(ctx->ledger, PB_T_PARTIES, i);
		size_t root = pb_parties_root(ctx->audit->parties, i);
		if (p->country && root < n && !country[root])
			country[root] = pb_str(p->country);
	}
	return country;
}

/* The country of the entity the party belongs to, or NULL. */
static const char *entity_country(pb_rule_ctx *ctx, const char *party_id)
{
	const pb_party *p = party_id ? pb_ledger_find(ctx->ledger, PB_T_PARTIES, party_id) : NULL;

	if (!p || !ctx->audit->parties)
		return p ? pb_str(p->country) : NULL;
	const char *const *country = pb_ctx_shared(ctx, "entity-countries", entity_countries, NULL, free);
	size_t root = pb_parties_root(ctx->audit->parties, pb_ledger_index_of(ctx->ledger, PB_T_PARTIES, p));
	return country[root];
}

int pb_ctx_fiscal_start(pb_rule_ctx *ctx, const char *party_id)
{
	/* Called for every payment: the parameter's name is looked up only
	 * when the payer changes. */
	if (ctx->fiscal_start && party_id == ctx->fiscal_party)
		return ctx->fiscal_start;
	int64_t set = pb_param_int(ctx, "fiscal_year_start_month");
	ctx->fiscal_party = party_id;
	if (set >= 1 && set <= 12)
		ctx->fiscal_start = (int)set;
	else
		ctx->fiscal_start = country_fiscal_start(entity_country(ctx, party_id));
	return ctx->fiscal_start;
}

const char *pb_ctx_currency(pb_rule_ctx *ctx)
{
	return pb_ledger_base_currency(ctx->ledger);
}

/* A rule asking for a parameter it did not declare is a bug in probity. */
static int param_index(pb_rule_ctx *ctx, const char *name)
{
	int i = pb_rule_param_index(ctx->rule, name);

	if (i < 0) {
		pb_fatal("internal error: rule %s has no parameter '%s'", ctx->rule->id, name);
	}
	return i;
}

/* In what a shared thing is kept for (struct shared_slot's needs), past
 * the tables: the rules that follow links. */
#define NEEDS_GRAPH (1u << PB_T_COUNT)
_Static_assert(PB_T_COUNT < 31, "a table's bit and the graph's fit in unsigned needs");

static const void *shared_get(pb_rule_ctx *ctx, const char *key, unsigned needs,
			      pb_shared_build_fn *build, const void *arg,
			      void (*release)(void *made));

static void *graph_make(pb_rule_ctx *ctx, const void *arg)
{
	(void)arg;
	return pb_graph_build(ctx->ledger, ctx->audit->parties);
}

static void graph_release(void *g)
{
	pb_graph_free(g);
}

/* Made by the first rule that follows links, while the others run (it
 * was the longest step before the rules that one thread took alone: 0.3
 * s at 10M rows), and freed when the last rule that follows links is
 * done. */
const struct pb_graph *pb_ctx_graph(pb_rule_ctx *ctx)
{
	if (!ctx->rule->follows_links)
		pb_fatal("internal error: rule %s follows links without saying so (follows_links)",
			 ctx->rule->id);
	if (!ctx->graph)
		ctx->graph = shared_get(ctx, "audit.graph", NEEDS_GRAPH, graph_make, NULL, graph_release);
	return ctx->graph;
}

const struct pb_parties *pb_ctx_parties(pb_rule_ctx *ctx)
{
	return ctx->audit->parties;
}

pb_arena *pb_ctx_scratch(pb_rule_ctx *ctx)
{
	return ctx->scratch;
}

const char *pb_ctx_intern(pb_rule_ctx *ctx, const char *s, size_t n)
{
	if (!ctx->strings)
		ctx->strings = pb_strtab_new(ctx->scratch);
	return pb_intern(ctx->strings, s, n);
}

const pb_procedure *pb_ctx_procedure(pb_rule_ctx *ctx, const pb_tender *t)
{
	size_t n;
	const pb_tender *base = pb_ledger_tenders(ctx->ledger, &n);

	if (!t || !ctx->audit->procedures || t < base || t >= base + n)
		return NULL;
	return ctx->audit->procedures[t - base];
}

pb_competition pb_ctx_competition(pb_rule_ctx *ctx, const pb_tender *t)
{
	const pb_procedure *p = pb_ctx_procedure(ctx, t);

	return p ? p->competitive : PB_COMPETITION_UNKNOWN;
}

int pb_ctx_rationale_names_procedure(pb_rule_ctx *ctx, const char *rationale)
{
	return pb_procedure_is_rationale(ctx->audit->config->procedures, rationale);
}

const pb_tender *pb_ctx_tender_of(pb_rule_ctx *ctx, const pb_contract *c)
{
	if (!ctx->tender_row)
		ctx->tender_row = pb_ledger_refs(ctx->ledger, PB_T_CONTRACTS,
						 offsetof(pb_contract, tender_id), PB_T_TENDERS);
	return pb_ledger_at(ctx->ledger, PB_T_TENDERS,
			    ctx->tender_row[pb_ledger_index_of(ctx->ledger, PB_T_CONTRACTS, c)]);
}

int pb_ctx_signed_is_end(pb_rule_ctx *ctx, const pb_contract *c)
{
	size_t n;
	const pb_contract *base = pb_ledger_contracts(ctx->ledger, &n);

	return ctx->audit->signed_is_end && c >= base && c < base + n &&
	       ctx->audit->signed_is_end[c - base];
}

pb_date pb_ctx_signed_on(pb_rule_ctx *ctx, const pb_contract *c)
{
	return pb_ctx_signed_is_end(ctx, c) ? PB_DATE_NONE : c->signed_on;
}

const char *pb_ctx_entity(pb_rule_ctx *ctx, const char *party_id)
{
	return party_id ? pb_parties_entity(pb_ctx_parties(ctx), party_id) : NULL;
}

/* --- what rules make alike (pb_ctx_shared) --- */

#define PB_MAX_SHARED 16

/* One made thing: its lock is held while it is made, so that a second
 * rule asking for it waits, and one asking for another does not. */
struct shared_slot {
	const char *key;
	pthread_mutex_t making;
	int made;
	void *it;
	void (*release)(void *made);
	/* The tables the rules that asked for it need (PB_NEEDS; the graph:
	 * NEEDS_GRAPH), under the store's lock; `keep`: one of them needs
	 * none, so it is kept to the end of the rules. */
	unsigned needs;
	int keep;
};

struct pb_shared {
	pthread_mutex_t lock; /* over n, the keys, the slots' needs and left */
	struct shared_slot slot[PB_MAX_SHARED];
	size_t n;
	size_t left[PB_T_COUNT + 1]; /* rules not yet done that need each table; last: follow links */
};

static struct shared_slot *shared_slot(struct pb_shared *s, const char *key, unsigned needs)
{
	struct shared_slot *slot = NULL;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n && !slot; i++)
		if (!strcmp(s->slot[i].key, key))
			slot = &s->slot[i];
	if (!slot) {
		if (s->n == PB_MAX_SHARED)
			pb_fatal("internal error: more than %d things shared by rules", PB_MAX_SHARED);
		slot = &s->slot[s->n++];
		*slot = (struct shared_slot){.key = key};
		pthread_mutex_init(&slot->making, NULL);
	}
	slot->needs |= needs;
	slot->keep |= needs == 0;
	pthread_mutex_unlock(&s->lock);
	return slot;
}

/* What the rules keep it for: the tables they need, or NEEDS_GRAPH. */
static unsigned rule_keeps(const pb_rule *r)
{
	return r->needs | (r->follows_links ? NEEDS_GRAPH : 0);
}

static const void *shared_get(pb_rule_ctx *ctx, const char *key, unsigned needs,
			      pb_shared_build_fn *build, const void *arg,
			      void (*release)(void *made))
{
	struct shared_slot *slot = shared_slot(ctx->audit->shared, key, needs);

	pthread_mutex_lock(&slot->making);
	if (!slot->made) {
		slot->it = build(ctx, arg);
		slot->release = release;
		slot->made = 1;
	}
	pthread_mutex_unlock(&slot->making);
	return slot->it;
}

const void *pb_ctx_shared(pb_rule_ctx *ctx, const char *key, pb_shared_build_fn *build,
			  const void *arg, void (*release)(void *made))
{
	return shared_get(ctx, key, ctx->rule->needs, build, arg, release);
}

/* The store for rules run[0..n), which it counts by the tables they need. */
static struct pb_shared *shared_new(pb_rule_ctx *const *run, size_t n)
{
	struct pb_shared *s = pb_xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	for (size_t i = 0; i < n; i++)
		for (int t = 0; t <= PB_T_COUNT; t++)
			s->left[t] += (rule_keeps(run[i]->rule) & PB_NEEDS(t)) != 0;
	return s;
}

static void slot_release(struct shared_slot *slot)
{
	if (slot->made && slot->release)
		slot->release(slot->it);
	slot->made = 0;
	slot->it = NULL;
}

/*
 * A rule is done.  What only rules needing tables that no rule left
 * needs asked for is freed now rather than at the end of the rules (the
 * payments' entity ranks, 23 MB at 10M rows, went on through the
 * heaviest rules after theirs); the graph, once no rule left follows
 * links.  A rule that asked holds it only while it runs, and it needs
 * one of those tables (or follows links); one that asks later, if any,
 * has it made again, the same.
 */
static void shared_rule_done(struct pb_shared *s, unsigned needs)
{
	pthread_mutex_lock(&s->lock);
	for (int t = 0; t <= PB_T_COUNT; t++)
		if (needs & PB_NEEDS(t))
			s->left[t]--;
	for (size_t i = 0; i < s->n; i++) {
		struct shared_slot *slot = &s->slot[i];
		int wanted = slot->keep;
		for (int t = 0; t <= PB_T_COUNT && !wanted; t++)
			wanted = (slot->needs & PB_NEEDS(t)) && s->left[t];
		if (!wanted) {
			pthread_mutex_lock(&slot->making);
			slot_release(slot);
			pthread_mutex_unlock(&slot->making);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void shared_free(struct pb_shared *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		slot_release(&s->slot[i]);
		pthread_mutex_destroy(&s->slot[i].making);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Each tender's procedure, looked up once: folding names is not free.
 * A tender's procedure is its method_details' if the table knows them,
 * else the one its rationale names, else its method's
 * (pb_procedure_of).  The method and its details are interned texts a
 * ledger repeats across its tenders, so they are looked up once per pair
 * of them; a rationale is a tender's own prose, looked up only when the
 * details are unknown.
 */
struct by_pair {
	const pb_procedure *of_details, *of_method;
};

static const pb_procedure **procedures_resolve(pb_ledger *l, const pb_procedures *table)
{
	size_t n, cap = 0;
	const pb_tender *t = pb_ledger_tenders(l, &n);
	const pb_procedure **out = n ? pb_xcalloc(n, sizeof(*out)) : NULL;
	struct by_pair *of_pair = NULL;
	pb_pairs seen = {0};

	for (size_t i = 0; i < n; i++) {
		const char *method = pb_str(t[i].method), *details = pb_str(t[i].method_details);
		size_t known = seen.n;
		uint32_t k = pb_pairs_add(&seen, method, details);
		if (k == known) {
			PB_GROW(of_pair, known + 1, cap);
			of_pair[k] = (struct by_pair){pb_procedures_find(table, details),
						      pb_procedures_find(table, method)};
		}
		const struct by_pair *bp = &of_pair[k];
		const pb_procedure *named = NULL;
		if (!bp->of_details && t[i].method_rationale)
			named = pb_procedure_of(table, NULL, NULL, pb_str(t[i].method_rationale));
		out[i] = bp->of_details ? bp->of_details : named ? named : bp->of_method;
	}
	pb_pairs_release(&seen);
	free(of_pair);
	return out;
}

/* What a publisher's contracts tell of its signature dates. */
struct signing_habit {
	const char *key; /* pb_ledger_publisher: interned, compared by pointer */
	size_t dated;  /* contracts with a signature and an end date */
	size_t at_end; /* of those, signed on their end date */
	size_t ran;    /* of those, starting before their end */
};

/* The fewest contracts that show the habit: fewer may be one-day
 * purchases, signed, started and ended on one day. */
#define SIGNED_AT_END_MIN 5

/* The publishers seen, indexed by their pb_ledger_publisher (a ledger
 * of ten thousand files is as many publishers). */
struct habits {
	struct signing_habit *h;
	size_t n, cap;
	pb_ptrmap *index; /* publisher -> its habit */
};

static size_t habit_of(struct habits *hs, const char *key, size_t last)
{
	uint32_t i;

	if (last < hs->n && hs->h[last].key == key)
		return last; /* a file's contracts come one after another */
	if (pb_ptrmap_get(hs->index, key, &i))
		return i;
	PB_GROW(hs->h, hs->n + 1, hs->cap);
	hs->h[hs->n] = (struct signing_habit){key, 0, 0, 0};
	pb_ptrmap_put(hs->index, key, (uint32_t)hs->n);
	return hs->n++;
}

static int habitual(const struct signing_habit *h)
{
	return h->dated >= SIGNED_AT_END_MIN && h->at_end == h->dated && h->ran > 0;
}

/*
 * Contracts whose signature date is their publisher's habit of putting
 * the contract's end there.  Jalisco's OCDS dates all 20 of its
 * contracts' dateSigned on their period.endDate (a 91-day contract
 * "signed" on its last day, after payments made during it): days no
 * one signed anything, on which timing rules reported weekend
 * signatures and payments "before signature".  A publisher has the
 * habit when every contract of it with both dates has them equal, at
 * least SIGNED_AT_END_MIN of them, and one at least started before its
 * end.  One byte a contract, or NULL when no publisher has it.
 */
static unsigned char *signatures_at_end(pb_ledger *l)
{
	size_t n, last = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	struct habits hs = {NULL, 0, 0, NULL};
	unsigned char *at_end = NULL;
	uint32_t *pub = NULL;
	int any = 0;

	for (size_t i = 0; i < n && !any; i++)
		any = c[i].signed_on != PB_DATE_NONE && c[i].signed_on == c[i].end_on;
	if (!any)
		return NULL; /* the common case, in one pass */
	pub = pb_xcalloc(n + 1, sizeof(*pub));
	hs.index = pb_ptrmap_new();
	for (size_t i = 0; i < n; i++) {
		if (c[i].signed_on == PB_DATE_NONE || c[i].end_on == PB_DATE_NONE)
			continue;
		last = habit_of(&hs, pb_ledger_publisher(l, &c[i].row), last);
		struct signing_habit *h = &hs.h[last];
		pub[i] = (uint32_t)last;
		h->dated++;
		h->at_end += c[i].signed_on == c[i].end_on;
		h->ran += c[i].start_on != PB_DATE_NONE && c[i].start_on < c[i].end_on;
	}
	any = 0;
	for (size_t j = 0; j < hs.n; j++)
		any |= habitual(&hs.h[j]);
	if (any) {
		at_end = pb_xcalloc(n + 1, 1);
		for (size_t i = 0; i < n; i++)
			at_end[i] = c[i].signed_on != PB_DATE_NONE && c[i].end_on != PB_DATE_NONE &&
				    habitual(&hs.h[pub[i]]);
	}
	free(pub);
	pb_ptrmap_free(hs.index);
	free(hs.h);
	return at_end;
}

/* The rule's index is where its settings sit among the config's (ctx->rc
 * is &cfg->rules[index]): pb_rule_index's walk of the registry, asked
 * for every payment a threshold is checked on, was a tenth of
 * splitting.threshold-hugging. */
const char *pb_param_currency(pb_rule_ctx *ctx, const char *name)
{
	const pb_config *cfg = ctx->audit->config;

	return pb_config_param_currency(cfg, (size_t)(ctx->rc - cfg->rules),
					(size_t)param_index(ctx, name));
}

int pb_param_money_reached(pb_rule_ctx *ctx, const char *name, int64_t amount,
			   const char *currency, pb_date on, pb_fx_used *used)
{
	int cmp;

	if (pb_fx_compare(ctx->audit->fx, amount, currency, pb_param_money(ctx, name),
			  pb_param_currency(ctx, name), on, &cmp, used) < 0)
		return -1;
	return cmp >= 0;
}

int pb_param_money_convert(pb_rule_ctx *ctx, const char *name, int64_t amount,
			   const char *currency, pb_date on, int64_t *out, pb_fx_used *used)
{
	return pb_fx_convert(ctx->audit->fx, amount, currency, pb_param_currency(ctx, name), on,
			     out, used);
}

int pb_ctx_to_base(pb_rule_ctx *ctx, int64_t amount, const char *currency, pb_date on,
		   int64_t *out, pb_fx_used *used)
{
	return pb_fx_convert(ctx->audit->fx, amount, currency, pb_ctx_currency(ctx), on, out, used);
}

void pb_finding_fx(pb_rule_ctx *ctx, pb_finding *f, const pb_fx_used *used)
{
	if (!used || !used->nlegs)
		return;
	for (size_t k = 0; k < used->nlegs; k++)
		if (used->legs[k].record)
			pb_finding_evidence(ctx, f, PB_T_FX, used->legs[k].record, "exchange rate");
	pb_finding_detail(ctx, f, "exchange_rate", "%s", used->text);
}

int64_t pb_param_money(pb_rule_ctx *ctx, const char *name)
{
	return ctx->rc->numbers[param_index(ctx, name)];
}

int64_t pb_param_int(pb_rule_ctx *ctx, const char *name)
{
	return ctx->rc->numbers[param_index(ctx, name)];
}

int64_t pb_param_millionths(pb_rule_ctx *ctx, const char *name)
{
	return ctx->rc->numbers[param_index(ctx, name)];
}

const char *pb_param_text(pb_rule_ctx *ctx, const char *name)
{
	int i = param_index(ctx, name);

	return ctx->rc->values[i] ? ctx->rc->values[i] : ctx->rule->params[i].def;
}

static void cover(size_t from, size_t to, void *covered)
{
	memset((unsigned char *)covered + from, 1, to - from);
}

/*
 * Counts a text on which a pattern of `name` hit its limit in the rule's
 * coverage note, one note per parameter kept up to date in place:
 * "boilerplate: PCRE2's match or depth limit was hit 3 times, those texts
 * not judged (first: 'AAAA...')".  Times, not texts: a rule may ask about
 * one text more than once, and nothing here knows its record.
 */
static void note_limit_hit(pb_rule_ctx *ctx, const char *name, const char *text)
{
	pb_buf head, out;
	char *at, *end;

	pb_buf_init(&head);
	pb_buf_addf(&head, "%s: PCRE2's match or depth limit was hit ", name);
	at = ctx->notes.len ? strstr(ctx->notes.data, head.data) : NULL;
	if (!at) {
		size_t n = strlen(text);
		pb_ctx_note(ctx, "%s1 time, those texts not judged (first: '%.*s%s')", head.data,
			    n > 60 ? 60 : (int)n, text, n > 60 ? "..." : "");
		pb_buf_release(&head);
		return;
	}
	unsigned long long count = strtoull(at + head.len, &end, 10);
	if (!strncmp(end, " time,", 6))
		end += 5;
	else if (!strncmp(end, " times,", 7))
		end += 6;
	pb_buf_init(&out);
	pb_buf_add(&out, ctx->notes.data, (size_t)(at - ctx->notes.data));
	pb_buf_addf(&out, "%s%llu times", head.data, count + 1);
	pb_buf_addstr(&out, end);
	pb_buf_release(&ctx->notes);
	ctx->notes = out;
	pb_buf_release(&head);
}

size_t pb_param_uncovered(pb_rule_ctx *ctx, const char *name, const char *text)
{
	int i = param_index(ctx, name);
	const pb_pattern_list *pl = ctx->rc->compiled[i];
	size_t len = text ? strlen(text) : 0, left = 0;
	unsigned char *covered;
	int stopped = 0;

	if (!len)
		return 0;
	covered = pb_xcalloc(len, 1);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		pb_fatal("out of memory creating PCRE2 match data");
	/* A limit hit is -1: what that pattern would have covered is unknown. */
	for (size_t p = 0; pl && p < pl->n; p++)
		stopped |= pb_pattern_scan(pl->codes[p], md, text, len, cover, covered) < 0;
	pcre2_match_data_free(md);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)text[k];
		int letter = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z') || c >= 0xC0;
		if (letter && !covered[k])
			left++;
	}
	free(covered);
	/* A stopped pattern may have covered the rest: the text is neither
	 * boilerplate nor substance.  It is named in the coverage and
	 * counted as substance, so it never makes a finding on its own. */
	if (stopped) {
		note_limit_hit(ctx, name, text);
		return SIZE_MAX;
	}
	return left;
}

pb_finding *pb_finding_add(pb_rule_ctx *ctx, pb_table table,
			   const char *subject_id, const char *discriminator)
{
	pb_finding *f = pb_xcalloc(1, sizeof(*f));
	const char *tname = pb_table_get(table)->name;
	uint64_t h = pb_hash(ctx->rule->id, strlen(ctx->rule->id) + 1);

	h = pb_hash_continue(h, tname, strlen(tname) + 1);
	if (subject_id)
		h = pb_hash_continue(h, subject_id, strlen(subject_id));
	h = pb_hash_continue(h, "", 1);
	if (discriminator)
		h = pb_hash_continue(h, discriminator, strlen(discriminator));
	snprintf(f->id, sizeof(f->id), "%016llx", (unsigned long long)h);
	f->rule = ctx->rule;
	f->severity = ctx->rule->severity;
	f->score = 1.0;
	f->subject_table = tname;
	f->subject_id = subject_id ? subject_id : "";
	f->message = "";
	PB_GROW(ctx->findings, ctx->nfindings + 1, ctx->capfindings);
	ctx->findings[ctx->nfindings++] = f;
	return f;
}

/* The state a record was in, for reviewers: "award cancelled". */
static const char *record_status(pb_table t, const void *record)
{
	switch (t) {
	case PB_T_CONTRACTS: {
		const pb_contract *c = record;
		return pb_str(c->status ? c->status : c->award_status);
	}
	case PB_T_TENDERS:
		return pb_str(((const pb_tender *)record)->status);
	case PB_T_BIDS:
		return pb_str(((const pb_bid *)record)->status);
	case PB_T_OFFSETS:
		return pb_str(((const pb_offset *)record)->status);
	default:
		return NULL;
	}
}

void pb_finding_evidence(pb_rule_ctx *ctx, pb_finding *f, pb_table t,
			 const void *record, const char *role)
{
	size_t n = f->nevidence;

	/* Capacity doubles at powers of two: a pattern reported once may
	 * carry thousands of rows. */
	if ((n & (n - 1)) == 0)
		f->evidence = pb_xreallocarray(f->evidence, n ? 2 * n : 1, sizeof(*f->evidence));
	pb_evidence *e = &f->evidence[f->nevidence++];
	e->table = pb_table_get(t)->name;
	e->table_no = t;
	e->record = record;
	e->id = pb_ledger_key_in(ctx->ledger, t, record, ctx->scratch);
	if (!e->id)
		e->id = "";
	e->source = pb_row_source_in(ctx->scratch, record);
	e->role = role ? role : e->table;
	e->extra = pb_row_extras(record, &e->nextra);
	e->status = record_status(t, record);
}

void pb_finding_message(pb_rule_ctx *ctx, pb_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->message = pb_arena_vprintf(ctx->scratch, fmt, ap);
	va_end(ap);
}

void pb_finding_detail(pb_rule_ctx *ctx, pb_finding *f, const char *key,
		       const char *fmt, ...)
{
	va_list ap;

	f->details = pb_xreallocarray(f->details, f->ndetails + 1,
				      sizeof(*f->details));
	f->details[f->ndetails].key = key;
	va_start(ap, fmt);
	f->details[f->ndetails].value = pb_arena_vprintf(ctx->scratch, fmt, ap);
	va_end(ap);
	f->ndetails++;
}

void pb_ctx_note(pb_rule_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->notes.len)
		pb_buf_addstr(&ctx->notes, "; ");
	va_start(ap, fmt);
	pb_buf_vaddf(&ctx->notes, fmt, ap);
	va_end(ap);
}

const char *pb_ctx_money(pb_rule_ctx *ctx, int64_t amount, const char *currency)
{
	char buf[32];
	int e = pb_currency_exponent(currency);

	if (amount == PB_AMOUNT_NONE)
		return "unknown";
	pb_amount_format(amount, e < 0 ? 2 : e, buf);
	return pb_arena_printf(ctx->scratch, "%s %s", buf, currency ? currency : "");
}

/* "needs payments, budget" for the tables a rule needs that are empty. */
static const char *missing_tables(pb_ledger *l, unsigned needs)
{
	pb_buf b;

	pb_buf_init(&b);
	for (int t = 0; t < PB_T_COUNT; t++) {
		if (!(needs & PB_NEEDS(t)) || pb_ledger_count(l, t))
			continue;
		pb_buf_addstr(&b, b.len ? ", " : "needs ");
		pb_buf_addstr(&b, pb_table_get(t)->name);
	}
	const char *s = b.len ? pb_arena_strdup(pb_ledger_arena(l), b.data) : NULL;
	pb_buf_release(&b);
	return s;
}

/* Is "table.column" filled in at least one record? -1 if it names no column. */
static int field_filled(pb_ledger *l, const char *spec, size_t len)
{
	const char *dot = memchr(spec, '.', len);
	char table[32], column[64];

	if (!dot || (size_t)(dot - spec) >= sizeof(table) || len - (size_t)(dot - spec) > sizeof(column))
		return -1;
	memcpy(table, spec, (size_t)(dot - spec));
	table[dot - spec] = '\0';
	memcpy(column, dot + 1, len - (size_t)(dot - spec) - 1);
	column[len - (size_t)(dot - spec) - 1] = '\0';
	const pb_table_def *def = pb_table_find(table);
	int col = def ? pb_table_column(def, column) : -1;
	if (col < 0)
		return -1;
	return pb_ledger_filled(l, def->id, (size_t)col) > 0;
}

/* "could not judge: amendments.value_after is empty in every record", or
 * NULL when every needed field has values somewhere. */
static const char *empty_fields(pb_ledger *l, const pb_rule *r)
{
	pb_buf b;

	if (!r->fields)
		return NULL;
	pb_buf_init(&b);
	for (size_t i = 0; r->fields[i]; i++) {
		int any = 0;
		for (const char *p = r->fields[i]; *p && !any;) {
			size_t n = strcspn(p, "|");
			int f = field_filled(l, p, n);
			if (f < 0) {
				pb_fatal("internal error: rule %s needs unknown field '%s'",
					 r->id, r->fields[i]);
			}
			any = f;
			p += n + (p[n] == '|');
		}
		if (!any)
			pb_buf_addf(&b, "%s%s", b.len ? ", " : "could not judge: empty in every record: ",
				    r->fields[i]);
	}
	const char *s = b.len ? pb_arena_strdup(pb_ledger_arena(l), b.data) : NULL;
	pb_buf_release(&b);
	return s;
}

const char *pb_rule_cannot_judge(pb_ledger *l, const pb_rule *r)
{
	const char *why = missing_tables(l, r->needs);

	return why ? why : empty_fields(l, r);
}

/* Can the rule run?  Sets its coverage when it cannot; 1 when it can. */
static int rule_runnable(pb_audit *a, size_t ri)
{
	const pb_rule *r = pb_rules[ri];
	pb_coverage *cov = &a->coverage[ri];

	cov->rule = r;
	if (!a->config->rules[ri].enabled) {
		cov->status = PB_COV_DISABLED;
		cov->reason = "disabled in config";
		return 0;
	}
	cov->reason = missing_tables(a->ledger, r->needs);
	if (cov->reason) {
		cov->status = PB_COV_NOT_RUN;
		return 0;
	}
	cov->reason = empty_fields(a->ledger, r);
	if (cov->reason) {
		cov->status = PB_COV_CANNOT_JUDGE;
		return 0;
	}
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Within one rule: by subject, then id.  Rules are collected in registry
 * order, so the audit's findings come out sorted by rule, subject, id
 * without a sort that compares rules. */
static int finding_cmp(const void *pa, const void *pb)
{
	const pb_finding *x = *(pb_finding *const *)pa;
	const pb_finding *y = *(pb_finding *const *)pb;
	int c;

	if ((c = strcmp(x->subject_table, y->subject_table)))
		return c;
	if ((c = strcmp(x->subject_id, y->subject_id)))
		return c;
	return strcmp(x->id, y->id);
}

static void run_one(pb_rule_ctx *ctx)
{
	double t0 = now();

	ctx->rule->run(ctx);
	if (ctx->nfindings > 1)
		qsort(ctx->findings, ctx->nfindings, sizeof(*ctx->findings), finding_cmp);
	ctx->seconds = now() - t0;
}

/* Rules in parallel: each thread takes the next rule not yet taken.  The
 * entities' appearances (engine/entities.h) read only the ledger too, and
 * go first: at 10M rows they take longer than most rules. */
struct rules_run {
	pb_rule_ctx **ctx;
	size_t *order; /* job i runs rule ctx[order[i]] */
	pb_ledger *ledger;
	pb_entity_tally *tally;
};

static void run_nth(void *run, size_t i)
{
	struct rules_run *r = run;

	if (i == 0) {
		r->tally = pb_entities_collect(r->ledger);
		return;
	}
	pb_rule_ctx *ctx = r->ctx[r->order[i - 1]];
	run_one(ctx);
	shared_rule_done(ctx->audit->shared, rule_keeps(ctx->rule));
}

/* The rows a rule reads, as far as its needs tell: what orders them. */
static size_t rule_weight(const pb_ledger *l, const pb_rule *r)
{
	size_t rows = 0;

	for (int t = 0; t < PB_T_COUNT; t++)
		if (r->needs & PB_NEEDS(t))
			rows += pb_ledger_count(l, (pb_table)t);
	return rows;
}

struct weighed {
	int early; /* pb_rule.row_working_set */
	size_t weight, i;
};

static int heavier_first(const void *pa, const void *pb)
{
	const struct weighed *a = pa, *b = pb;

	if (a->early != b->early)
		return a->early ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * The rules that read the most rows start first, so that a long rule
 * late in the registry does not run alone at the end while the other
 * threads wait (the 1M-row bench's payments.duplicate, started last,
 * was a third of its rules phase).  Before them all go the rules with a
 * working set per row (pb_rule.row_working_set): two of them side by
 * side at the end of the 1M-row audit, beside the references cached by
 * then, were its peak (155 MiB; 145 when they go first, the rules
 * taking as long).  Findings are collected in registry order whatever
 * the order of running.
 */
static size_t *heaviest_first(const pb_ledger *l, pb_rule_ctx **run, size_t n)
{
	struct weighed *w = pb_xcalloc(n + 1, sizeof(*w));
	size_t *order = pb_xcalloc(n + 1, sizeof(*order));

	for (size_t i = 0; i < n; i++)
		w[i] = (struct weighed){run[i]->rule->row_working_set != 0,
					rule_weight(l, run[i]->rule), i};
	qsort(w, n, sizeof(*w), heavier_first);
	for (size_t i = 0; i < n; i++)
		order[i] = w[i].i;
	free(w);
	return order;
}

/* A finished rule's findings, notes and severity overrides, in registry
 * order whatever order the rules ran in. */
static void collect(pb_audit *a, size_t ri, pb_rule_ctx *ctx, size_t *cap)
{
	const pb_rule_config *rc = &a->config->rules[ri];
	pb_coverage *cov = &a->coverage[ri];

	cov->status = PB_COV_RAN;
	cov->nfindings = ctx->nfindings;
	if (ctx->notes.len)
		cov->reason = pb_arena_strdup(ctx->scratch, ctx->notes.data);
	pb_buf_release(&ctx->notes);
	pb_strtab_free(ctx->strings);
	for (size_t i = 0; i < ctx->nfindings; i++) {
		if (rc->severity >= 0)
			ctx->findings[i]->severity = (pb_severity)rc->severity;
		PB_GROW(a->findings, a->nfindings + 1, *cap);
		a->findings[a->nfindings++] = ctx->findings[i];
	}
	free(ctx->findings);
	a->timing.rules[ri] = ctx->seconds;
}


/* Is `rejected` of `read` rows more than [audit] max_rejected_pct? */
static int mostly_rejected(uint64_t read, uint64_t rejected, const pb_config *cfg)
{
	return read >= PB_REJECTED_MIN_ROWS && rejected * 100 > (uint64_t)cfg->max_rejected_pct * read;
}

/* What an input's rows are, for its table's inputs together: the table,
 * or the format of a file of several tables (OCDS, notices). */
static const char *input_kind(const pb_input *in)
{
	return strcmp(in->table, "mixed") ? in->table : in->format;
}

/* A table's (or format's) inputs together, and whether one of them is
 * mostly rejected on its own. */
struct kind_sum {
	pb_rejection_alarm together;
	int alarmed;
};

/* The entry for `what`, added when new.  Kinds are the tables and
 * formats, a dozen at most: a scan, whatever the number of inputs (a
 * folder of notices holds thousands). */
static struct kind_sum *kind_of(struct kind_sum **kinds, size_t *n, size_t *cap, const char *what)
{
	for (size_t k = 0; k < *n; k++)
		if (!strcmp((*kinds)[k].together.what, what))
			return &(*kinds)[k];
	PB_GROW(*kinds, *n + 1, *cap);
	(*kinds)[*n] = (struct kind_sum){{what, 0, 0, 0}, 0};
	return &(*kinds)[(*n)++];
}

struct alarms {
	pb_rejection_alarm *v;
	size_t n, cap;
};

static void alarm_add(struct alarms *al, pb_rejection_alarm m)
{
	PB_GROW(al->v, al->n + 1, al->cap);
	al->v[al->n++] = m;
}

/*
 * An export whose format changed rejects (nearly) every row, and the
 * audit of what is left finds nothing: a nightly run would exit 0.  The
 * inputs over max_rejected_pct, then each table's inputs together (in
 * the order the tables first appear) when none of them is.
 */
size_t pb_rejection_alarms(const pb_ledger *l, const pb_config *cfg, pb_rejection_alarm **out)
{
	const pb_input *in = pb_ledger_inputs(l);
	size_t n = pb_ledger_ninputs(l), nkinds = 0, capkinds = 0;
	struct kind_sum *kinds = NULL;
	struct alarms al = {NULL, 0, 0};

	for (size_t i = 0; i < n; i++) {
		struct kind_sum *k = kind_of(&kinds, &nkinds, &capkinds, input_kind(&in[i]));
		k->together.inputs++;
		k->together.read += in[i].rows_read;
		k->together.rejected += in[i].rows_rejected;
		if (mostly_rejected(in[i].rows_read, in[i].rows_rejected, cfg)) {
			k->alarmed = 1;
			alarm_add(&al, (pb_rejection_alarm){in[i].path, 1, in[i].rows_read, in[i].rows_rejected});
		}
	}
	for (size_t k = 0; k < nkinds; k++)
		if (!kinds[k].alarmed && kinds[k].together.inputs >= 2 &&
		    mostly_rejected(kinds[k].together.read, kinds[k].together.rejected, cfg))
			alarm_add(&al, kinds[k].together);
	free(kinds);
	*out = al.v;
	return al.n;
}

void pb_rejection_alarm_describe(const pb_rejection_alarm *m, int max_pct, pb_buf *b)
{
	pb_buf_addstr(b, m->what);
	if (m->inputs > 1)
		pb_buf_addf(b, ", its %zu inputs together", m->inputs);
	pb_buf_addf(b, ": %llu of %llu rows rejected, over [audit] max_rejected_pct (%d%%)",
		    (unsigned long long)m->rejected, (unsigned long long)m->read, max_pct);
}

pb_audit *pb_audit_run(pb_ledger *l, const pb_config *cfg, pb_date as_of)
{
	pb_audit *a = pb_xcalloc(1, sizeof(*a));
	pb_rule_ctx **run = pb_xcalloc(pb_nrules + 1, sizeof(*run));
	size_t *index = pb_xcalloc(pb_nrules + 1, sizeof(*index));
	size_t nrun = 0, capfindings = 0;
	double t0 = now();

	a->config = cfg;
	a->ledger = l;
	a->as_of = as_of;
	a->ncoverage = pb_nrules;
	a->coverage = pb_xcalloc(pb_nrules, sizeof(*a->coverage));
	a->timing.rules = pb_xcalloc(pb_nrules + 1, sizeof(*a->timing.rules));
	a->timing.jobs = cfg->jobs > 1 ? cfg->jobs : 1;
	a->scratch = pb_xcalloc(pb_nrules + 1, sizeof(*a->scratch));
	/* Everything rules share is built first, then only read. */
	a->procedures = procedures_resolve(l, cfg->procedures);
	a->signed_is_end = signatures_at_end(l);
	a->fx = pb_fx_build(l);
	a->parties = pb_parties_build(l, cfg->legal_forms, cfg->jobs);
	a->timing.index = now() - t0;
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		if (!rule_runnable(a, ri))
			continue;
		pb_rule_ctx *ctx = pb_xcalloc(1, sizeof(*ctx));
		*ctx = (pb_rule_ctx){.audit = a, .rule = pb_rules[ri], .rc = &cfg->rules[ri],
				     .ledger = l, .scratch = pb_arena_new()};
		pb_buf_init(&ctx->notes);
		a->scratch[ri] = ctx->scratch;
		index[nrun] = ri;
		run[nrun++] = ctx;
	}
	t0 = now();
	struct rules_run rr = {.ctx = run, .order = heaviest_first(l, run, nrun), .ledger = l};
	a->shared = shared_new(run, nrun);
	pb_heap_policy was = pb_heap_policy_set(PB_HEAP_REUSED);
	pb_parallel_for(nrun + 1, a->timing.jobs, run_nth, &rr);
	(void)pb_heap_policy_set(was);
	shared_free(a->shared); /* only rules read it */
	a->shared = NULL;
	a->timing.all_rules = now() - t0;
	free(rr.order);
	for (size_t i = 0; i < nrun; i++) {
		collect(a, index[i], run[i], &capfindings);
		free(run[i]);
	}
	free(run);
	free(index);
	a->entities = pb_entities_score(a, rr.tally, &a->nentities);
	a->nmostly_rejected = pb_rejection_alarms(l, cfg, &a->mostly_rejected);
	return a;
}

void pb_audit_as_of_note(const pb_audit *a, pb_buf *b)
{
	const pb_dates_aside *x = &a->as_of_aside;
	char first[11], last[11];

	if (!x->n)
		return;
	pb_date_format(x->earliest, first);
	pb_date_format(x->latest, last);
	if (x->n == 1)
		pb_buf_addf(b, "1 later event date set aside as a typing error (%s, %s.%s at ",
			    last, x->table, x->field);
	else
		pb_buf_addf(b, "%zu later event dates set aside as typing errors (%s to %s; the latest is %s.%s at ",
			    x->n, first, last, x->table, x->field);
	pb_row_source_add(b, x->row);
	pb_buf_addf(b, "): over %d days after every other event date; --as-of sets the date",
		    PB_ASIDE_GAP_DAYS);
}

void pb_audit_free(pb_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfindings; i++) {
		free(a->findings[i]->evidence);
		free(a->findings[i]->details);
		free(a->findings[i]->path);
		free(a->findings[i]);
	}
	free(a->findings);
	free(a->mostly_rejected);
	free(a->coverage);
	free(a->procedures);
	free(a->signed_is_end);
	pb_fx_free(a->fx);
	free(a->entities);
	pb_parties_free(a->parties);
	for (size_t ri = 0; ri < a->ncoverage; ri++)
		pb_arena_free(a->scratch[ri]);
	free(a->scratch);
	free(a->timing.rules);
	free(a);
}

int pb_audit_max_severity(const pb_audit *a)
{
	int max = -1;

	for (size_t i = 0; i < a->nfindings; i++)
		if ((int)a->findings[i]->severity > max)
			max = (int)a->findings[i]->severity;
	return max;
}

size_t pb_audit_count(const pb_audit *a, pb_severity s)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		n += a->findings[i]->severity == s;
	return n;
}

/* "OFF-1 -[spouse]- P-2 -[director]-> SUP-3" */
const char *pb_path_text(pb_rule_ctx *ctx, const pb_path *p)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addstr(&b, p->nodes[0]);
	for (size_t i = 0; i < p->nedges; i++) {
		const pb_edge *e = p->edges[i];
		int forward = e->from == p->nodes[i];
		pb_buf_addf(&b, " %s[%s]%s %s", forward ? "-" : "<-", e->kind,
			    forward ? "->" : "-", p->nodes[i + 1]);
	}
	const char *s = pb_arena_strdup(ctx->scratch, b.data);
	pb_buf_release(&b);
	return s;
}

void pb_path_evidence(pb_rule_ctx *ctx, pb_finding *f, const pb_path *p)
{
	free(f->path);
	f->path = pb_xcalloc(p->nedges + 1, sizeof(*f->path));
	f->npath = p->nedges;
	for (size_t i = 0; i < p->nedges; i++) {
		const pb_edge *e = p->edges[i];
		pb_finding_evidence(ctx, f, e->table, e->record, e->kind);
		f->path[i] = (pb_path_step){e->from, e->kind, e->to,
					    f->evidence[f->nevidence - 1].source};
	}
}
