/*
 * history.h - the history store: what earlier runs found and what
 * reviewers decided about it (docs/history.md).
 *
 * One SQLite file.  An audit run is one transaction, taken with BEGIN
 * IMMEDIATE before the ledgers are read and committed only after the
 * reports are in place: a run that fails or is killed leaves the history
 * as it was, and two runs on one history never interleave (the second
 * waits up to its wait time, then fails with PB_EXIT_HISTORY_BUSY).
 *
 * Against the previous run every finding gets a state in the words of
 * SARIF's baselineState: new, unchanged, updated (same id, different
 * evidence hash), absent (in the previous run, not in this one).  The
 * evidence hash covers rule, severity, score, message, details, the
 * evidence records (table, id, role, status, extra columns) and the
 * chain, but not file names or line numbers: a row that moves down a
 * file because another was inserted above it is the same evidence.
 *
 * Reviewer decisions are an append-only log; each entry carries the
 * SHA-256 of the one before it.  Runs are chained the same way: a run is
 * sealed with a digest of its settings, inputs and findings and of the
 * run before it.  The latest entry for a finding id holds
 * in every later run; a run appends an automatic `open` entry for a
 * decided finding whose evidence hash differs from the one the decision
 * was made on.
 *
 * Nothing here prints.  Strings in the view belong to the view.
 */
#ifndef PB_HISTORY_H
#define PB_HISTORY_H

#include "audit.h"
#include "pb.h"

typedef enum {
	PB_HS_NEW,
	PB_HS_UNCHANGED,
	PB_HS_UPDATED,
	PB_HS_ABSENT,
	PB_HS_COUNT
} pb_hstate;

const char *pb_hstate_name(pb_hstate s); /* "new", ... (SARIF words) */

typedef enum {
	PB_DEC_OPEN,
	PB_DEC_CONFIRMED,
	PB_DEC_FALSE_POSITIVE,
	PB_DEC_ACCEPTED_RISK,
	PB_DEC_REFERRED,
	PB_DEC_COUNT
} pb_dstatus;

const char *pb_dstatus_name(pb_dstatus s); /* "false-positive", ... */
int pb_dstatus_parse(const char *s, pb_dstatus *out); /* 0 or -1 */
/* false-positive and accepted-risk: shown apart, not counted for --fail-on. */
int pb_dstatus_dismisses(pb_dstatus s);

typedef struct {
	int64_t seq;       /* its place in the log, from 1 */
	pb_dstatus status;
	char *note, *by, *at; /* at: "2026-12-01T09:00:00Z" */
	int reopened;      /* 1: this run reopened it (evidence changed) */
} pb_decision;

/* One finding as the history sees it. */
typedef struct {
	char id[17];
	pb_hstate state;
	char evidence_hash[65];
	pb_decision *decision; /* the latest, or NULL when never decided */
	/* absent findings only (present ones are in the audit): as last seen */
	char *rule, *severity, *subject_table, *subject_id, *message;
} pb_hentry;

typedef struct pb_history_view {
	int64_t run;          /* this run's number */
	int64_t previous;     /* the run compared against, 0 for none */
	char *previous_at;    /* its start time, or NULL */
	char *started_at;
	pb_hentry *findings;  /* parallel to the audit's findings */
	size_t nfindings;
	pb_hentry *absent;    /* sorted by id */
	size_t nabsent;
	size_t count[PB_HS_COUNT];
	size_t reopened;      /* decisions this run reopened */
	size_t dismissed;     /* present findings whose decision dismisses them */
	int64_t decisions;    /* entries in the decision log */
	char decisions_head[65]; /* hash of the last one (64 zeros: none) */
	char digest[65];      /* this run's digest: its rows and the previous digest */
	int settings_changed; /* 1: other settings than the previous run's */
} pb_history_view;

typedef struct pb_history pb_history;

enum { PB_HIST_READ = 0, PB_HIST_WRITE = 1 };

/*
 * Opens (PB_HIST_WRITE: creates, mode 0600) the history at path.
 * wait_ms: how long a write waits for another run's transaction.
 * 0, or -1 with err: PB_EXIT_INPUT (cannot open, not a history),
 * PB_EXIT_HISTORY_BUSY.
 */
int pb_history_open(pb_history **out, const char *path, int mode, long wait_ms,
		    pb_error *err);
/* Rolls back a transaction still open, closes, frees. */
void pb_history_close(pb_history *h);

/* BEGIN IMMEDIATE: 0, or -1 (PB_EXIT_HISTORY_BUSY when held elsewhere). */
int pb_history_begin(pb_history *h, pb_error *err);
int pb_history_commit(pb_history *h, pb_error *err);

/*
 * Records the audit as a new run inside the open transaction: its
 * settings text, inputs (hashed from disk), findings and their states,
 * reopened decisions.  Builds the view and attaches it to the audit for
 * the reporters (pb_history_view_of).  0 or -1 with err.
 */
int pb_history_record(pb_history *h, const pb_audit *a, const char *settings,
		      pb_error *err);

/* The view attached to the audit being reported, or NULL (no history). */
const pb_history_view *pb_history_view_of(const pb_audit *a);
void pb_history_detach(const pb_audit *a); /* frees the view */

/* Does a reviewer's decision set finding i of the audit apart? */
int pb_history_dismissed(const pb_audit *a, size_t i);
/* Highest severity among findings not dismissed, or -1. */
int pb_history_max_severity(const pb_audit *a);

/*
 * Appends a decision about finding id (inside the caller's transaction).
 * The id must be in some recorded run; evidence_hash, when not NULL,
 * must be that finding's latest evidence hash (a decision made on other
 * evidence is refused).  0, or -1 with err (PB_EXIT_USAGE).
 */
int pb_history_decide(pb_history *h, const char *id, pb_dstatus status,
		      const char *note, const char *by, const char *evidence_hash,
		      pb_error *err);

/*
 * Walks the decision log, the runs' anchors and the runs' digest chain;
 * calls problem() once per entry or run found edited, deleted or out of
 * place.  Returns the number of
 * problems (0: the log verifies), or -1 with err.
 */
int pb_history_verify(pb_history *h, void (*problem)(void *ctx, const char *msg),
		      void *ctx, pb_error *err);

/* Time stamps: now in UTC, or $SOURCE_DATE_EPOCH when set (tests). */
void pb_history_now(char out[21]);

/* The connection, for the read-only queries of `probity history`. */
struct sqlite3;
struct sqlite3 *pb_history_db(pb_history *h);

#endif
