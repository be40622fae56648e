/*
 * rule.h - the rule contract.
 *
 * A rule is a const pb_rule in rules/<family>.c, named in one row of
 * rules/rules.h.  It reads the sealed ledger through a pb_rule_ctx and
 * adds findings; it never prints, never fails (findings are data, not
 * errors) and keeps no state of its own between runs: what it needs to
 * remember while it runs lives in its stack or in scratch memory from
 * pb_ctx_scratch.  The runner (audit.h) decides which rules run.
 */
#ifndef PB_RULE_H
#define PB_RULE_H

#include "fx.h"
#include "graph.h"
#include "ledger.h"
#include "procedure.h"

typedef enum {
	PB_P_MONEY,    /* amount in the base currency, e.g. "100000" */
	PB_P_INT,      /* a count */
	PB_P_DAYS,     /* a number of days */
	PB_P_PERCENT,  /* "20" or "0.5": percent, kept in millionths */
	PB_P_DECIMAL,  /* "2.5": a plain number, kept in millionths */
	PB_P_PATTERNS, /* PCRE2 patterns, one per line, case-insensitive */
	PB_P_TEXT
} pb_param_type;

typedef struct {
	const char *name;
	pb_param_type type;
	const char *def;  /* default, as it would be written in the INI */
	const char *help; /* one line, shown by `probity rules` and init */
} pb_param_def;

typedef struct pb_rule_ctx pb_rule_ctx;

typedef struct pb_rule {
	const char *id;     /* "family.name", stable */
	const char *family; /* "competition", "splitting", ... */
	const char *title;  /* one line */
	const char *source; /* "OCP, GTI, TI-DS" */
	pb_severity severity;   /* default severity of its findings */
	unsigned needs;         /* PB_NEEDS(PB_T_...) | ... */
	/*
	 * Nonzero when, while it runs, the rule keeps an entry for every row
	 * it reads (an event per award and payment, a contract list per
	 * buyer and year, name tokens per person): megabytes per million
	 * rows.  Such rules start first, while the ledger's cached references
	 * (built as rules ask for them, kept to the end) are still few, so
	 * that the two do not add up at the audit's peak.  Order of running
	 * only: findings are the same.
	 */
	int row_working_set;
	/*
	 * Nonzero when it follows links between parties (pb_ctx_graph,
	 * which says so if a rule asks without it): the graph is freed once
	 * the last such rule is done, not with the rest of what rules share
	 * at the end (9 MB at 1M rows, through some twenty rules after).
	 */
	int follows_links;
	const pb_param_def *params; /* terminated by { NULL } */
	void (*run)(pb_rule_ctx *ctx);
	/*
	 * The fields its judgement rests on, "table.column", NULL-terminated
	 * (may be NULL).  "a.x|b.y" is satisfied by either.  When a needed
	 * table is loaded but one of these is empty in every record, the rule
	 * is not run and its coverage says "could not judge", naming the
	 * fields: "ran, 0 findings" would claim a judgement never made.
	 */
	const char *const *fields;
} pb_rule;

typedef struct {
	const char *table;  /* canonical table name */
	const char *id;     /* the record's primary key */
	const char *source; /* "file:line" */
	const char *role;   /* why it is evidence: "contract", "duplicate" */
	const pb_attr *extra; /* the row's unknown columns, kept for reviewers */
	uint32_t nextra;
	pb_table table_no;    /* the table named by `table` */
	const char *status;   /* the record's status (contract, else award;
			       * tender, bid, offset), or NULL */
	const void *record;   /* as the rule gave it: the ledger's, or a copy */
} pb_evidence;

typedef struct {
	const char *key;
	const char *value;
} pb_detail;

/* One link of a chain (official -> spouse -> company), as recorded. */
typedef struct {
	const char *from, *kind, *to;
	const char *source; /* "file:line" of the row that proves it */
} pb_path_step;

typedef struct {
	char id[17];             /* 16 lowercase hex digits, stable */
	const pb_rule *rule;
	pb_severity severity;
	double score;            /* in [0, 1]: how strong the signal is */
	const char *subject_table, *subject_id;
	const char *message;
	pb_evidence *evidence;
	size_t nevidence;
	pb_detail *details;
	size_t ndetails;
	const char *buyer_id;    /* the entities it concerns, from evidence; */
	const char *supplier_id; /* NULL when none (engine/entities.h) */
	pb_path_step *path;      /* conflict chains, in order; else NULL */
	size_t npath;
} pb_finding;

/* --- the API rules use --- */
pb_ledger *pb_ctx_ledger(pb_rule_ctx *ctx);
pb_date pb_ctx_as_of(pb_rule_ctx *ctx);
/*
 * The month (1-12) a payer's fiscal year starts, for rules with the
 * parameter fiscal_year_start_month: that month when it is 1-12; when it
 * is 0 (the default), the month of the country of the party `party_id`
 * names (April in Britain, July in Australia, October in the United
 * States: engine/audit.c), else January.
 */
int pb_ctx_fiscal_start(pb_rule_ctx *ctx, const char *party_id);
const char *pb_ctx_currency(pb_rule_ctx *ctx); /* base, interned */
/* The party graph (engine/graph.h): made by the first rule that asks,
 * shared as pb_ctx_shared shares (a rule holds it while it runs). */
const struct pb_graph *pb_ctx_graph(pb_rule_ctx *ctx);
/* Party resolution (engine/parties.h), built once per audit on first use. */
const struct pb_parties *pb_ctx_parties(pb_rule_ctx *ctx);

/*
 * Procedure semantics (engine/procedure.h): the procedure of a tender as
 * the procedure table names it, or NULL when the table knows neither its
 * method_details nor its method.  Looked up once per audit.
 */
const pb_procedure *pb_ctx_procedure(pb_rule_ctx *ctx, const pb_tender *t);
/* Had the tender a call for competition?  Unknown when t is NULL. */
pb_competition pb_ctx_competition(pb_rule_ctx *ctx, const pb_tender *t);
/* Does a rationale merely name a procedure ("36 ADJUDICACION DIRECTA")? */
int pb_ctx_rationale_names_procedure(pb_rule_ctx *ctx, const char *rationale);
/* The tender of one of the ledger's contracts, or NULL. */
const pb_tender *pb_ctx_tender_of(pb_rule_ctx *ctx, const pb_contract *c);
/*
 * A contract's signature date, or PB_DATE_NONE when there is none or
 * its publisher fills the field with each contract's end date (Jalisco's
 * OCDS: every dateSigned is its period.endDate).  pb_ctx_signed_is_end
 * says which.  Judged once per audit.
 */
pb_date pb_ctx_signed_on(pb_rule_ctx *ctx, const pb_contract *c);
int pb_ctx_signed_is_end(pb_rule_ctx *ctx, const pb_contract *c);
/* The entity of a party id: registry twins are one (engine/parties.h). */
const char *pb_ctx_entity(pb_rule_ctx *ctx, const char *party_id);

/*
 * What several rules make alike from what they all read (the payments'
 * payee entities in order): made once by whichever rule asks first, the
 * others waiting for it.  It is freed once no rule still to finish needs
 * a table that the rules which asked need (PB_NEEDS; kept to the end of
 * the rules if one of them needs none): a rule asks only for what it
 * reads from its own tables.  Should a rule ask after that, it is made
 * again, the same.  `key` names it, one name for each build and arg;
 * build may read the ledger, the parties and the graph, never the asking
 * rule's parameters, notes or scratch, so that what it makes does not
 * depend on which rule asked.  Returns what build made; rules only read
 * it, and only while they run.
 */
typedef void *pb_shared_build_fn(pb_rule_ctx *ctx, const void *arg);
const void *pb_ctx_shared(pb_rule_ctx *ctx, const char *key, pb_shared_build_fn *build,
			  const void *arg, void (*release)(void *made));

/*
 * The rule's own memory: text a finding keeps (keys, discriminators,
 * messages) lives in pb_ctx_scratch as long as the audit; pb_ctx_intern
 * interns keys for the rule's own maps (equal text, equal pointer, within
 * this run of this rule).  Rules never write the ledger: other rules read
 * it at the same time.
 */
pb_arena *pb_ctx_scratch(pb_rule_ctx *ctx);
const char *pb_ctx_intern(pb_rule_ctx *ctx, const char *s, size_t n);

int64_t pb_param_money(pb_rule_ctx *ctx, const char *name);
/* The currency a money parameter is written in ("100000 EUR"). */
const char *pb_param_currency(pb_rule_ctx *ctx, const char *name);

/*
 * Money thresholds carry their currency (engine/fx.h).  Does `amount` of
 * `currency`, at the exchange rates of date `on`, reach the money
 * parameter `name`?  1 at or above it, 0 below, -1 when it cannot be
 * told (no rate within the lookback, no date for a foreign amount): the
 * rule counts that in its coverage and does not judge.  `used` (may be
 * NULL) says which rate was used, for pb_finding_fx.  The comparison is
 * exact: nothing is rounded at the boundary.
 */
int pb_param_money_reached(pb_rule_ctx *ctx, const char *name, int64_t amount,
			   const char *currency, pb_date on, pb_fx_used *used);
/* Converts amount into the currency of money parameter `name`; 0 or -1. */
int pb_param_money_convert(pb_rule_ctx *ctx, const char *name, int64_t amount,
			   const char *currency, pb_date on, int64_t *out,
			   pb_fx_used *used);
/* Converts an amount into the base currency (pb_ctx_currency) at the
 * rates of `on`, as pb_fx_convert: 0, or -1 when no rate serves. */
int pb_ctx_to_base(pb_rule_ctx *ctx, int64_t amount, const char *currency, pb_date on,
		   int64_t *out, pb_fx_used *used);
int64_t pb_param_int(pb_rule_ctx *ctx, const char *name);   /* also DAYS */
int64_t pb_param_millionths(pb_rule_ctx *ctx, const char *name); /* PERCENT, DECIMAL */
const char *pb_param_text(pb_rule_ctx *ctx, const char *name);

/*
 * For PATTERNS parameters: the number of letters and digits in `text`
 * that no pattern matches.  0 means the text is nothing but boilerplate.
 * SIZE_MAX means a pattern hit PCRE2's match or depth limit on it: the
 * text is not judged, and the rule's coverage counts it.
 */
size_t pb_param_uncovered(pb_rule_ctx *ctx, const char *name,
			  const char *text);

/*
 * Adds a finding about (table, subject_id).  `discriminator` (may be
 * NULL) separates several findings of one rule on one subject, e.g. the
 * id of the other payment of a duplicate pair.  The id hashes rule,
 * subject and discriminator, so it is stable across runs.
 */
pb_finding *pb_finding_add(pb_rule_ctx *ctx, pb_table table,
			   const char *subject_id, const char *discriminator);
void pb_finding_evidence(pb_rule_ctx *ctx, pb_finding *f, pb_table t,
			 const void *record, const char *role);
void pb_finding_message(pb_rule_ctx *ctx, pb_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pb_finding_detail(pb_rule_ctx *ctx, pb_finding *f, const char *key,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Puts the exchange rates a comparison used into a finding: the fx rows
 * as evidence and the rate as detail `exchange_rate`.  Nothing when no
 * rate was needed. */
void pb_finding_fx(pb_rule_ctx *ctx, pb_finding *f, const pb_fx_used *used);

/* Records a note on the rule's coverage line ("skipped 2 rows in USD"). */
void pb_ctx_note(pb_rule_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Money text in a record's currency for messages: "120000.00 EUR". */
const char *pb_ctx_money(pb_rule_ctx *ctx, int64_t amount,
			 const char *currency);

/* For rules: a path as text, "OFF-1 -[spouse]-> P-2 -[director]-> SUP-3"
 * (arrows follow the direction recorded); and its edges as evidence and
 * as the finding's structured path (f->path). */
const char *pb_path_text(pb_rule_ctx *ctx, const pb_path *p);
void pb_path_evidence(pb_rule_ctx *ctx, pb_finding *f, const pb_path *p);

#endif
