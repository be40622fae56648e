/*
 * audit.h - the rule runner and its result.
 *
 * The runner decides which rules of the catalogue run, records why the
 * others did not (coverage), sorts the findings so output is
 * deterministic, and applies severity overrides from the config.
 */
#ifndef PB_AUDIT_H
#define PB_AUDIT_H

#include "rule.h"

typedef enum {
	PB_COV_RAN,
	PB_COV_NOT_RUN,       /* a table it needs is not loaded */
	PB_COV_DISABLED,
	PB_COV_CANNOT_JUDGE   /* loaded, but the fields it needs are empty */
} pb_cov_status;

typedef struct {
	const pb_rule *rule;
	pb_cov_status status;
	const char *reason; /* "needs payments", notes such as skipped rows */
	size_t nfindings;
} pb_coverage;

const char *pb_cov_status_name(pb_cov_status s); /* "ran", "not run", ... */

struct pb_config;
struct pb_arena;

/* Wall-clock seconds, for --timings and make bench. */
typedef struct {
	double index;     /* procedures, signatures, fx and parties, before rules */
	double all_rules; /* from the first rule started to the last done */
	double *rules;    /* per rule, registry order (0 when not run) */
	int jobs;         /* threads the rules ran on */
} pb_audit_timing;

/*
 * An input, or a table's inputs together (a folder of notices, a year of
 * monthly files) when no one of them is, of PB_REJECTED_MIN_ROWS rows or
 * more with more than [audit] max_rejected_pct of them rejected: its
 * export's format may have changed, and the audit of what is left says
 * little of it.  Every report says so; the run exits 3.
 */
typedef struct {
	const char *what; /* the input's path, or its table (its format, for
			   * files of several tables) for inputs together */
	size_t inputs;    /* 1, or how many together */
	uint64_t read, rejected;
} pb_rejection_alarm;

/* The inputs of l mostly rejected under cfg's max_rejected_pct, in input
 * order (*out malloc'd, or NULL), and how many: what pb_audit_run keeps
 * in mostly_rejected, and what `probity check` says without an audit. */
size_t pb_rejection_alarms(const pb_ledger *l, const struct pb_config *cfg, pb_rejection_alarm **out);
/* Adds to b what the text summary and `probity check` say of m: "PATH:
 * 27 of 27 rows rejected, over [audit] max_rejected_pct (50%)" (a table's
 * inputs together: "payments, its 3 inputs together: ..."). */
void pb_rejection_alarm_describe(const pb_rejection_alarm *m, int max_pct, pb_buf *b);

/* The result of an audit: everything a reporter needs. */
typedef struct {
	const struct pb_config *config;
	pb_ledger *ledger;
	pb_date as_of;
	pb_dates_aside as_of_aside; /* later event dates as_of leaves out: set
				     * by the caller that chose it (cli/audit.c) */
	pb_finding **findings; /* sorted by rule, subject, id */
	size_t nfindings;
	pb_rejection_alarm *mostly_rejected; /* in input order */
	size_t nmostly_rejected;
	pb_coverage *coverage; /* one per rule, in registry order */
	size_t ncoverage;
	struct pb_entity_score *entities; /* ranked (engine/entities.h) */
	size_t nentities;
	const pb_procedure **procedures; /* per tender (index), or NULL */
	unsigned char *signed_is_end; /* per contract: its signature date is
				       * its publisher's end date, or NULL */
	pb_fx *fx;                  /* built before rules, as is: */
	struct pb_parties *parties; /* party resolution */
	struct pb_arena **scratch;  /* per rule: its findings' text */
	struct pb_shared *shared;   /* made for rules alike, while they run */
	pb_audit_timing timing;     /* never in a report: not deterministic */
} pb_audit;

/*
 * Why a rule cannot judge this ledger: "needs payments" when a table it
 * needs is not loaded, "could not judge: empty in every record: F" when
 * a field its judgement rests on is empty everywhere; NULL when it can.
 * (`probity check` and the runner say the same.)
 */
const char *pb_rule_cannot_judge(pb_ledger *l, const pb_rule *r);

/* Runs every enabled rule over a sealed ledger, on cfg->jobs threads;
 * the result is the same for any number of threads. */
pb_audit *pb_audit_run(pb_ledger *l, const struct pb_config *cfg,
		       pb_date as_of);
void pb_audit_free(pb_audit *a);
/* The sentence reports print when the default as_of left later event
 * dates out (a->as_of_aside), added to b; nothing when it left none. */
void pb_audit_as_of_note(const pb_audit *a, pb_buf *b);
/* Highest severity among findings, or -1 if there are none. */
int pb_audit_max_severity(const pb_audit *a);
size_t pb_audit_count(const pb_audit *a, pb_severity s);

#endif
