/*
 * test_history.c - the history store (engine/history.h) over audits
 * built by hand: SHA-256 vectors, finding states across three runs,
 * what does and does not make a finding `updated`, reviewer decisions
 * that hold, set findings apart and reopen, the decision log's chain
 * catching an edited and a deleted entry, a killed run leaving the file
 * as it was, and a second run refused or waiting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../cli/cli.h"
#include "../../engine/config.h"
#include "../../engine/history.h"
#include "../../engine/sha256.h"
#include "../../reports/reports.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"

#define MAXF 8

/* A finding as a test describes it; text is copied into the audit. */
struct fdesc {
	const char *id;     /* 16 hex digits */
	const char *rule;
	pb_severity sev;
	double score;
	const char *message;
	const char *source; /* its evidence's file:line */
};

static char dir[64];
static char db[128];
static pb_ledger *L;
static pb_config CFG;
static pb_audit A;
static pb_finding F[MAXF];
static pb_finding *FP[MAXF];
static pb_evidence EV[MAXF];

static void build(const struct fdesc *d, size_t n)
{
	assert_true(n <= MAXF);
	for (size_t i = 0; i < n; i++) {
		pb_finding *f = &F[i];
		memset(f, 0, sizeof(*f));
		snprintf(f->id, sizeof(f->id), "%s", d[i].id);
		f->rule = pb_rule_find(d[i].rule);
		assert_non_null(f->rule);
		f->severity = d[i].sev;
		f->score = d[i].score;
		f->subject_table = "contracts";
		f->subject_id = d[i].id;
		f->message = d[i].message;
		EV[i] = (pb_evidence){.table = "contracts", .id = "C-1", .source = d[i].source,
				      .role = "contract"};
		f->evidence = &EV[i];
		f->nevidence = 1;
		FP[i] = f;
	}
	A = (pb_audit){.config = &CFG, .ledger = L, .as_of = pb_date_from_ymd(2024, 6, 30),
		       .findings = FP, .nfindings = n};
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pb-history-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/h.db", dir);
	char path[128];
	snprintf(path, sizeof(path), "%s/contracts.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("contract_id,value\nC-1,100\n", f);
	fclose(f);
	L = pb_ledger_new("EUR");
	pb_ledger_add_input(L, path, "contracts", "csv");
	pb_ledger_seal(L);
	pb_config_init(&CFG);
	setenv("SOURCE_DATE_EPOCH", "1764576000", 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	pb_ledger_free(L);
	pb_config_release(&CFG);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static pb_history *open_w(long wait_ms)
{
	pb_history *h;
	pb_error err;

	assert_int_equal(pb_history_open(&h, db, PB_HIST_WRITE, wait_ms, &err), 0);
	return h;
}

/* One run recorded and committed; the view stays readable until close. */
static pb_history *run(const struct fdesc *d, size_t n)
{
	pb_history *h = open_w(0);
	pb_error err;

	build(d, n);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_record(h, &A, "settings", &err), 0);
	assert_int_equal(pb_history_commit(h, &err), 0);
	return h;
}

static const pb_hentry *entry(const pb_history_view *v, const char *id)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (!strcmp(v->findings[i].id, id))
			return &v->findings[i];
	for (size_t i = 0; i < v->nabsent; i++)
		if (!strcmp(v->absent[i].id, id))
			return &v->absent[i];
	return NULL;
}

static pb_hstate state_of(const pb_history_view *v, const char *id)
{
	const pb_hentry *e = entry(v, id);

	assert_non_null(e);
	return e->state;
}

static void decide(const char *id, const char *status, const char *ev, int want)
{
	pb_history *h = open_w(0);
	pb_dstatus s;
	pb_error err;

	assert_int_equal(pb_dstatus_parse(status, &s), 0);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_decide(h, id, s, "a note", "tester", ev, &err), want);
	if (want == 0)
		assert_int_equal(pb_history_commit(h, &err), 0);
	pb_history_close(h);
}

static int64_t count_rows(const char *sql)
{
	sqlite3 *c;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
	sqlite3_busy_timeout(c, 5000);
	assert_int_equal(sqlite3_prepare_v2(c, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(c);
	return n;
}

static void exec_sql(const char *sql, int want)
{
	sqlite3 *c;

	assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
	assert_int_equal(sqlite3_exec(c, sql, NULL, NULL, NULL), want);
	sqlite3_close(c);
}

/* --- tests ------------------------------------------------------------------ */

/* FIPS 180-2's vectors (appendix B), one call each. */
static void sha256_vectors(void)
{
	char hex[65];
	static char mill[1000000];

	pb_sha256_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	pb_sha256_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	pb_sha256_of(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(mill, 'a', sizeof(mill));
	pb_sha256_of(mill, sizeof(mill), hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The digest of n pseudo-random bytes fed in pieces of 1 to 200 bytes
 * (a piece may leave part of a block waiting, or fill it and bring
 * whole blocks after). */
static void sha256_in_pieces(size_t n, unsigned seed, char hex[65])
{
	static unsigned char data[100000];
	pb_sha256 s;
	uint32_t r = seed;

	assert_true(n <= sizeof(data));
	for (size_t i = 0; i < n; i++) {
		r = r * 1103515245u + 12345u;
		data[i] = (unsigned char)(r >> 16);
	}
	pb_sha256_init(&s);
	for (size_t i = 0; i < n;) {
		r = r * 1103515245u + 12345u;
		size_t take = 1 + (r >> 16) % 200;
		if (take > n - i)
			take = n - i;
		pb_sha256_add(&s, data + i, take);
		i += take;
	}
	pb_sha256_hex(&s, hex);
}

/*
 * The vectors through the C rounds and, where the processor has them,
 * its SHA instructions (engine/sha256.c); then both give the same digest
 * of lengths around the block and of data fed in uneven pieces.
 */
static void test_sha256_vectors(void **state)
{
	char c[65], ni[65];
	static const size_t lengths[] = {0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 99999};

	(void)state;
	assert_int_equal(pb_sha256_accelerated(0), 0);
	sha256_vectors();
	int has_ni = pb_sha256_accelerated(1);
	if (has_ni)
		sha256_vectors();
	else
		print_message("no SHA instructions here: the C rounds only\n");
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		pb_sha256_accelerated(0);
		sha256_in_pieces(lengths[i], (unsigned)i + 1, c);
		pb_sha256_accelerated(1);
		sha256_in_pieces(lengths[i], (unsigned)i + 1, ni);
		assert_string_equal(c, ni);
	}
	pb_sha256_of("", 0, c); /* in pieces, nothing: the empty digest */
	sha256_in_pieces(0, 1, ni);
	assert_string_equal(c, ni);
}

#define SS "competition.single-source"

static void test_states_three_runs(void **state)
{
	(void)state;
	const struct fdesc r1[] = {
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"},
		{"00000000000000b2", SS, PB_SEV_HIGH, 0.5, "B", "c.csv:3"},
		{"00000000000000c3", SS, PB_SEV_LOW, 0.5, "C", "c.csv:4"},
		{"00000000000000e5", SS, PB_SEV_LOW, 0.5, "E", "c.csv:5"},
	};
	/* A: same but its row moved down a line (not a change); B: new
	 * message; C: gone; D: new; E: only its score changed. */
	const struct fdesc r2[] = {
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:9"},
		{"00000000000000b2", SS, PB_SEV_HIGH, 0.5, "B changed", "c.csv:3"},
		{"00000000000000d4", SS, PB_SEV_MEDIUM, 0.5, "D", "c.csv:6"},
		{"00000000000000e5", SS, PB_SEV_LOW, 0.75, "E", "c.csv:5"},
	};
	/* C comes back; D gone; the rest as in run 2. */
	const struct fdesc r3[] = {
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:9"},
		{"00000000000000b2", SS, PB_SEV_HIGH, 0.5, "B changed", "c.csv:3"},
		{"00000000000000c3", SS, PB_SEV_LOW, 0.5, "C", "c.csv:4"},
		{"00000000000000e5", SS, PB_SEV_LOW, 0.75, "E", "c.csv:5"},
	};
	pb_history *h = run(r1, 4);
	const pb_history_view *v = pb_history_view_of(&A);
	assert_non_null(v);
	assert_int_equal(v->run, 1);
	assert_int_equal(v->previous, 0);
	assert_int_equal(v->count[PB_HS_NEW], 4);
	assert_int_equal(v->nabsent, 0);
	pb_history_close(h);
	assert_null(pb_history_view_of(&A));

	h = run(r2, 4);
	v = pb_history_view_of(&A);
	assert_int_equal(v->run, 2);
	assert_int_equal(v->previous, 1);
	assert_int_equal(state_of(v, "00000000000000a1"), PB_HS_UNCHANGED);
	assert_int_equal(state_of(v, "00000000000000b2"), PB_HS_UPDATED);
	assert_int_equal(state_of(v, "00000000000000d4"), PB_HS_NEW);
	assert_int_equal(state_of(v, "00000000000000e5"), PB_HS_UPDATED);
	assert_int_equal(v->nabsent, 1);
	assert_string_equal(v->absent[0].id, "00000000000000c3");
	assert_int_equal(v->absent[0].state, PB_HS_ABSENT);
	assert_string_equal(v->absent[0].message, "C");
	assert_int_equal(v->count[PB_HS_ABSENT], 1);
	pb_history_close(h);

	h = run(r3, 4);
	v = pb_history_view_of(&A);
	assert_int_equal(state_of(v, "00000000000000a1"), PB_HS_UNCHANGED);
	assert_int_equal(state_of(v, "00000000000000b2"), PB_HS_UNCHANGED);
	assert_int_equal(state_of(v, "00000000000000c3"), PB_HS_NEW);
	assert_int_equal(state_of(v, "00000000000000e5"), PB_HS_UNCHANGED);
	assert_int_equal(v->nabsent, 1);
	assert_string_equal(v->absent[0].id, "00000000000000d4");
	pb_history_close(h);
	assert_int_equal(count_rows("SELECT count(*) FROM runs"), 3);
	assert_int_equal(count_rows("SELECT count(*) FROM inputs WHERE sha256 IS NOT NULL"), 3);
}

static void test_decisions_hold_and_set_apart(void **state)
{
	(void)state;
	const struct fdesc r[] = {
		{"00000000000000a1", SS, PB_SEV_CRITICAL, 0.9, "A", "c.csv:2"},
		{"00000000000000b2", SS, PB_SEV_MEDIUM, 0.5, "B", "c.csv:3"},
	};
	pb_history_close(run(r, 2));
	decide("00000000000000a1", "false-positive", NULL, 0);
	decide("00000000000000ff", "confirmed", NULL, -1); /* never found */
	/* a decision made on other evidence than the latest is refused */
	decide("00000000000000b2", "confirmed", "00ff", -1);
	pb_history *h = run(r, 2);
	const pb_history_view *v = pb_history_view_of(&A);
	const pb_hentry *a = entry(v, "00000000000000a1");
	assert_non_null(a->decision);
	assert_int_equal(a->decision->status, PB_DEC_FALSE_POSITIVE);
	assert_string_equal(a->decision->by, "tester");
	assert_string_equal(a->decision->at, "2025-12-01T08:00:00Z");
	assert_null(entry(v, "00000000000000b2")->decision);
	assert_int_equal(v->dismissed, 1);
	assert_true(pb_history_dismissed(&A, 0));
	assert_false(pb_history_dismissed(&A, 1));
	/* the critical one is set apart: the highest that counts is medium */
	assert_int_equal(pb_audit_max_severity(&A), PB_SEV_CRITICAL);
	assert_int_equal(pb_history_max_severity(&A), PB_SEV_MEDIUM);
	pb_history_close(h);

	/* confirmed and referred count; a later decision replaces the first */
	decide("00000000000000a1", "referred", NULL, 0);
	h = run(r, 2);
	assert_int_equal(pb_history_max_severity(&A), PB_SEV_CRITICAL);
	assert_int_equal(pb_history_view_of(&A)->dismissed, 0);
	pb_history_close(h);
	assert_int_equal(count_rows("SELECT count(*) FROM decisions"), 2);
}

static void test_reopen_on_update(void **state)
{
	(void)state;
	const struct fdesc r1[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"}};
	const struct fdesc r2[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A more", "c.csv:2"}};
	pb_history_close(run(r1, 1));
	decide("00000000000000a1", "accepted-risk", NULL, 0);
	/* unchanged: the decision holds */
	pb_history *h = run(r1, 1);
	assert_int_equal(entry(pb_history_view_of(&A), "00000000000000a1")->decision->status,
			 PB_DEC_ACCEPTED_RISK);
	assert_int_equal(pb_history_max_severity(&A), -1);
	pb_history_close(h);
	/* updated: reopened, counted again, logged by probity */
	h = run(r2, 1);
	const pb_history_view *v = pb_history_view_of(&A);
	const pb_hentry *e = entry(v, "00000000000000a1");
	assert_int_equal(e->state, PB_HS_UPDATED);
	assert_int_equal(e->decision->status, PB_DEC_OPEN);
	assert_true(e->decision->reopened);
	assert_string_equal(e->decision->by, "probity");
	assert_int_equal(v->reopened, 1);
	assert_int_equal(pb_history_max_severity(&A), PB_SEV_HIGH);
	pb_history_close(h);
	/* the next unchanged run does not reopen it again */
	h = run(r2, 1);
	e = entry(pb_history_view_of(&A), "00000000000000a1");
	assert_int_equal(e->decision->status, PB_DEC_OPEN);
	assert_false(e->decision->reopened);
	assert_int_equal(pb_history_view_of(&A)->reopened, 0);
	pb_history_close(h);
	assert_int_equal(count_rows("SELECT count(*) FROM decisions WHERE by = 'probity'"), 1);
}

static int nproblems;
static char last_problem[512];

static void problem(void *ctx, const char *msg)
{
	(void)ctx;
	nproblems++;
	snprintf(last_problem, sizeof(last_problem), "%s", msg);
}

static int verify(void)
{
	pb_history *h;
	pb_error err;

	nproblems = 0;
	last_problem[0] = '\0';
	assert_int_equal(pb_history_open(&h, db, PB_HIST_READ, 0, &err), 0);
	int n = pb_history_verify(h, problem, NULL, &err);
	pb_history_close(h);
	assert_int_equal(n, nproblems);
	return n;
}

static void three_decisions(void)
{
	const struct fdesc r[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"}};

	pb_history_close(run(r, 1));
	decide("00000000000000a1", "confirmed", NULL, 0);
	decide("00000000000000a1", "false-positive", NULL, 0);
	decide("00000000000000a1", "referred", NULL, 0);
	pb_history_close(run(r, 1)); /* anchors the head: #3 */
	assert_int_equal(verify(), 0);
}

static void test_chain_catches_edit(void **state)
{
	(void)state;
	three_decisions();
	/* the log refuses edits outright ... */
	exec_sql("UPDATE decisions SET status = 'confirmed' WHERE seq = 2", SQLITE_CONSTRAINT);
	assert_int_equal(verify(), 0);
	/* ... and an editor who drops the guard is caught, by number */
	exec_sql("DROP TRIGGER decisions_no_update;"
		 "UPDATE decisions SET status = 'confirmed' WHERE seq = 2", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_non_null(strstr(last_problem, "decision #2"));
	assert_non_null(strstr(last_problem, "edited"));
}

/* The serialisation docs/history.md gives: "name=LEN:bytes\n" per field. */
static void doc_field(pb_sha256 *s, const char *name, const char *v)
{
	char head[64];

	snprintf(head, sizeof(head), "%s=%zu:", name, strlen(v));
	pb_sha256_add(s, head, strlen(head));
	pb_sha256_add(s, v, strlen(v));
	pb_sha256_add(s, "\n", 1);
}

/* The hash of decision row `seq` recomputed as documented, with `note`
 * put in place of its note when not NULL. */
static void doc_hash(int seq, const char *note, char hex[65])
{
	static const char *const names[] = {"seq", "finding", "status", "note", "by", "at",
					    "evidence", "prev"};
	sqlite3 *c;
	sqlite3_stmt *st;
	pb_sha256 s;

	assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(c, "SELECT seq, finding_id, status, note, by, at,"
					    " evidence_hash, prev FROM decisions WHERE seq = ?",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	pb_sha256_init(&s);
	doc_field(&s, "v", "decision/1");
	for (int i = 0; i < 8; i++)
		doc_field(&s, names[i], i == 3 && note ? note : (const char *)sqlite3_column_text(st, i));
	pb_sha256_hex(&s, hex);
	sqlite3_finalize(st);
	sqlite3_close(c);
}

static void test_chain_catches_rehashed_edit(void **state)
{
	char sql[512], hex[65];

	(void)state;
	three_decisions();
	/* the documented serialisation is the one in use */
	doc_hash(1, NULL, hex);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM decisions WHERE seq = 1 AND hash = '%s'", hex);
	assert_int_equal(count_rows(sql), 1);
	/* an editor who also recomputes the entry's own hash breaks the link
	 * from the entry after it */
	doc_hash(2, "forged", hex);
	snprintf(sql, sizeof(sql), "DROP TRIGGER decisions_no_update;"
		 "UPDATE decisions SET note = 'forged', hash = '%s' WHERE seq = 2", hex);
	exec_sql(sql, SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "decision #2 was edited or replaced: #3 does not follow from it");
}

static void test_chain_catches_delete(void **state)
{
	(void)state;
	three_decisions();
	exec_sql("DELETE FROM decisions WHERE seq = 2", SQLITE_CONSTRAINT);
	exec_sql("DROP TRIGGER decisions_no_delete; DELETE FROM decisions WHERE seq = 2", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "decision #2 was deleted");
}

static void test_chain_catches_deleted_last(void **state)
{
	(void)state;
	three_decisions();
	exec_sql("DROP TRIGGER decisions_no_delete; DELETE FROM decisions WHERE seq = 3", SQLITE_OK);
	assert_true(verify() >= 1);
	assert_int_equal(count_rows("SELECT count(*) FROM decisions"), 2);
	/* the first problem names #3; the run's anchor names it too */
	assert_non_null(strstr(last_problem, "#3"));
	/* a decision appended after the cut does not hide it */
	decide("00000000000000a1", "confirmed", NULL, 0);
	assert_int_equal(count_rows("SELECT max(seq) FROM decisions"), 4);
	assert_true(verify() >= 1);
}

static void three_runs(void)
{
	const struct fdesc r1[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"},
				   {"00000000000000b2", SS, PB_SEV_LOW, 0.5, "B", "c.csv:3"}};
	const struct fdesc r2[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A2", "c.csv:2"}};

	pb_history_close(run(r1, 2));
	pb_history_close(run(r2, 1));
	pb_history_close(run(r2, 1));
	assert_int_equal(verify(), 0);
}

/* Runs are sealed: a finding quietly removed from a past run, or a state
 * rewritten, or a run cut from the end, is named by verify. */
static void test_run_chain_catches_removed_finding(void **state)
{
	(void)state;
	three_runs();
	exec_sql("DELETE FROM findings WHERE run_id = 1 AND id = '00000000000000b2'", SQLITE_CONSTRAINT);
	exec_sql("UPDATE runs SET tool = 'x' WHERE id = 1", SQLITE_CONSTRAINT);
	assert_int_equal(verify(), 0);
	exec_sql("DROP TRIGGER findings_no_delete;"
		 "DELETE FROM findings WHERE run_id = 1 AND id = '00000000000000b2'", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "run #1 was altered: its settings, inputs or findings do not"
			    " match its digest");
}

static void test_run_chain_catches_rewritten_state(void **state)
{
	(void)state;
	three_runs();
	exec_sql("DROP TRIGGER findings_no_update;"
		 "UPDATE findings SET state = 'unchanged' WHERE run_id = 2 AND state = 'updated'", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_non_null(strstr(last_problem, "run #2 was altered"));
}

static void test_run_chain_catches_deleted_runs(void **state)
{
	(void)state;
	three_runs();
	exec_sql("DROP TRIGGER runs_no_delete; DROP TRIGGER findings_no_delete;"
		 " DROP TRIGGER inputs_no_delete; DELETE FROM findings WHERE run_id = 3;"
		 " DELETE FROM inputs WHERE run_id = 3; DELETE FROM runs WHERE id = 3", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "run #3 was deleted (the history ends at #2)");
	exec_sql("DELETE FROM findings WHERE run_id = 2; DELETE FROM inputs WHERE run_id = 2;"
		 " DELETE FROM runs WHERE id = 2", SQLITE_OK);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "runs #2 to #3 were deleted (the history ends at #1)");
	/* a run recorded after the cut does not take the cut runs' numbers */
	const struct fdesc r[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A2", "c.csv:2"}};
	pb_history *h = run(r, 1);
	assert_int_equal(pb_history_view_of(&A)->run, 4);
	pb_history_close(h);
	assert_int_equal(verify(), 1);
	assert_string_equal(last_problem, "runs #2 to #3 were deleted");
}

/* A run killed after writing its rows, before its commit. */
static void test_killed_run_leaves_history(void **state)
{
	(void)state;
	const struct fdesc r1[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"}};
	const struct fdesc r2[] = {{"00000000000000b2", SS, PB_SEV_HIGH, 0.5, "B", "c.csv:2"}};
	pb_history_close(run(r1, 1));
	decide("00000000000000a1", "confirmed", NULL, 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pb_history *h;
		pb_error err;
		build(r2, 1);
		if (pb_history_open(&h, db, PB_HIST_WRITE, 0, &err) < 0 || pb_history_begin(h, &err) < 0 ||
		    pb_history_record(h, &A, "killed", &err) < 0)
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(count_rows("SELECT count(*) FROM runs"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM findings"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM findings WHERE id = '00000000000000b2'"), 0);
	assert_int_equal(count_rows("SELECT count(*) FROM decisions"), 1);
	assert_int_equal(verify(), 0);
	/* the next run compares against run 1 and is run 2 */
	pb_history *h = run(r2, 1);
	const pb_history_view *v = pb_history_view_of(&A);
	assert_int_equal(v->run, 2);
	assert_int_equal(v->previous, 1);
	assert_int_equal(v->nabsent, 1);
	pb_history_close(h);
}

/* A run that fails (closed without commit) leaves nothing either. */
static void test_failed_run_rolls_back(void **state)
{
	(void)state;
	const struct fdesc r1[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"}};
	pb_history *h = open_w(0);
	pb_error err;

	build(r1, 1);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_record(h, &A, "failed", &err), 0);
	pb_history_close(h);
	assert_int_equal(count_rows("SELECT count(*) FROM runs"), 0);
}

static void test_second_run_refused_or_waits(void **state)
{
	(void)state;
	pb_history *h1 = open_w(0), *h2 = open_w(0);
	pb_error err;

	assert_int_equal(pb_history_begin(h1, &err), 0);
	assert_int_equal(pb_history_begin(h2, &err), -1);
	assert_int_equal(err.code, PB_EXIT_HISTORY_BUSY);
	assert_non_null(strstr(err.msg, "another run holds the history"));
	pb_history_close(h2);
	/* reading goes on while a run holds the history */
	assert_int_equal(count_rows("SELECT count(*) FROM runs"), 0);
	pb_history_close(h1);

	/* a waiting run gets the history when the holder commits */
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pb_history *h;
		char c = 'x';
		if (pb_history_open(&h, db, PB_HIST_WRITE, 0, &err) < 0 || pb_history_begin(h, &err) < 0)
			_exit(3);
		if (write(go[1], &c, 1) != 1)
			_exit(4);
		nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
		_exit(pb_history_commit(h, &err) < 0 ? 5 : 0);
	}
	char c;
	assert_int_equal(read(go[0], &c, 1), 1);
	pb_history *h3 = open_w(0);
	assert_int_equal(pb_history_begin(h3, &err), -1); /* no wait: refused */
	pb_history_close(h3);
	h3 = open_w(5000);
	assert_int_equal(pb_history_begin(h3, &err), 0); /* waits, then holds */
	pb_history_close(h3);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(go[0]);
	close(go[1]);
}

static char *report(const pb_reporter *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	pb_error err;

	assert_non_null(m);
	assert_int_equal(r->write(&A, m, &err), 0);
	fclose(m);
	return buf;
}

/* The reports: what changed comes first in the text; decided findings
 * apart; the JSON carries states and decisions, and nothing of it
 * without a history. */
static void test_reports_with_history(void **state)
{
	(void)state;
	const struct fdesc r1[] = {{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"}};
	const struct fdesc r2[] = {
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"},
		{"00000000000000b2", SS, PB_SEV_MEDIUM, 0.5, "B", "c.csv:3"},
	};
	pb_history_close(run(r1, 1));
	decide("00000000000000a1", "false-positive", NULL, 0);
	pb_history *h = run(r2, 2);
	char *text = report(&pb_report_text);
	assert_true(strncmp(text, "since the last run (run 1 of ", 29) == 0);
	char *neu = strstr(text, "new findings: 1\n  [00000000000000b2]");
	char *title = strstr(text, "probity " PB_VERSION " audit as of");
	char *most = strstr(text, "most severe findings:");
	char *apart = strstr(text, "set apart by reviewers");
	assert_non_null(neu);
	assert_non_null(title);
	assert_non_null(most);
	assert_non_null(apart);
	assert_true(neu < title && title < most && most < apart);
	/* A is listed apart with its decision, not among the most severe */
	char *a_line = strstr(most, "contracts/00000000000000a1");
	assert_true(a_line == NULL || a_line > apart);
	assert_non_null(strstr(apart, "[00000000000000a1]"));
	assert_non_null(strstr(apart, "false-positive by tester"));
	free(text);

	char *js = report(&pb_report_json);
	json_error_t je;
	json_t *root = json_loads(js, 0, &je);
	assert_non_null(root);
	json_t *since = json_object_get(root, "since_last_run");
	assert_int_equal(json_integer_value(json_object_get(since, "previous_run")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(since, "counts"), "new")), 1);
	assert_int_equal(json_integer_value(json_object_get(since, "dismissed")), 1);
	assert_string_equal(json_string_value(json_object_get(since, "digest")), pb_history_view_of(&A)->digest);
	assert_int_equal(strlen(pb_history_view_of(&A)->digest), 64);
	json_t *f0 = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f0, "state")), "unchanged");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f0, "decision"), "status")),
			    "false-positive");
	json_t *f1 = json_array_get(json_object_get(root, "findings"), 1);
	assert_string_equal(json_string_value(json_object_get(f1, "state")), "new");
	assert_true(json_is_null(json_object_get(f1, "decision")));
	json_decref(root);
	free(js);
	pb_history_close(h);

	/* no history, none of it */
	text = report(&pb_report_text);
	assert_null(strstr(text, "since the last run"));
	assert_null(strstr(text, "set apart"));
	free(text);
	js = report(&pb_report_json);
	assert_null(strstr(js, "since_last_run"));
	assert_null(strstr(js, "\"state\""));
	assert_null(strstr(js, "\"decision\""));
	free(js);
}

/* A modifiable copy of a NULL-terminated list of arguments. */
static char **args(const char *const *in, int *argc)
{
	char **out;

	for (*argc = 0; in[*argc]; (*argc)++)
		;
	out = pb_xcalloc((size_t)*argc + 1, sizeof(*out));
	for (int i = 0; i < *argc; i++)
		out[i] = pb_xstrdup(in[i]);
	return out;
}

static char *settings_of(const char *config, const char *const *in)
{
	int argc;
	char **argv = args(in, &argc);
	char *s = cli_history_settings_text(config, argc, argv);

	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return s;
}

/* Settings: what decides the findings, not where files are. */
static void test_settings_text(void **state)
{
	static const char *const argv1[] = {"audit", "-c", "x.ini", "-o", "out1", "--history",
		"h1.db", "-p", "uk", "--as-of=2024-06-30", "-t", "payments=a.csv", "ledgers1/", NULL};
	static const char *const argv2[] = {"audit", "-o", "/var/out2", "-puk", "--history=h2.db",
		"--as-of", "2024-06-30", "--table", "payments=/srv/b.csv", "-q", "ledgers2/", NULL};
	static const char *const argv3[] = {"audit", "-p", "mx", "--as-of", "2024-06-30", "-t",
		"payments=a.csv", NULL};
	char path[160];

	(void)state;
	char *a = settings_of(NULL, argv1), *b = settings_of(NULL, argv2), *c = settings_of(NULL, argv3);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_non_null(strstr(a, "2024-06-30"));
	assert_null(strstr(a, "out1"));
	assert_null(strstr(a, "a.csv"));
	free(b);
	free(c);
	/* the config file's text counts, its name does not */
	snprintf(path, sizeof(path), "%s/contracts.csv", dir);
	b = settings_of(path, argv1);
	assert_non_null(strstr(b, "C-1,100"));
	assert_null(strstr(b, dir));
	free(a);
	free(b);
}

/* Two findings with one id (a rule's bug) fail the run loudly, as an
 * internal error, and record nothing. */
static void test_duplicate_id_refused(void **state)
{
	(void)state;
	const struct fdesc r[] = {
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A", "c.csv:2"},
		{"00000000000000a1", SS, PB_SEV_HIGH, 0.5, "A again", "c.csv:3"},
	};
	pb_history *h = open_w(0);
	pb_error err;

	build(r, 2);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_record(h, &A, "dup", &err), -1);
	assert_int_equal(err.code, PB_EXIT_INTERNAL);
	assert_non_null(strstr(err.msg, "00000000000000a1 is reported twice"));
	assert_null(pb_history_view_of(&A));
	pb_history_close(h);
	assert_int_equal(count_rows("SELECT count(*) FROM runs"), 0);
}

static void test_not_a_history(void **state)
{
	pb_history *h;
	pb_error err;
	char path[160];

	(void)state;
	snprintf(path, sizeof(path), "%s/contracts.csv", dir);
	assert_int_equal(pb_history_open(&h, path, PB_HIST_WRITE, 0, &err), -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "not a probity history"));
	snprintf(path, sizeof(path), "%s/missing.db", dir);
	assert_int_equal(pb_history_open(&h, path, PB_HIST_READ, 0, &err), -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
}

static void test_status_words(void **state)
{
	pb_dstatus s;

	(void)state;
	for (int i = 0; i < PB_DEC_COUNT; i++) {
		assert_int_equal(pb_dstatus_parse(pb_dstatus_name((pb_dstatus)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(pb_dstatus_parse("false_positive", &s), -1);
	assert_int_equal(pb_dstatus_parse("", &s), -1);
	assert_true(pb_dstatus_dismisses(PB_DEC_FALSE_POSITIVE));
	assert_true(pb_dstatus_dismisses(PB_DEC_ACCEPTED_RISK));
	assert_false(pb_dstatus_dismisses(PB_DEC_CONFIRMED));
	assert_false(pb_dstatus_dismisses(PB_DEC_REFERRED));
	assert_false(pb_dstatus_dismisses(PB_DEC_OPEN));
	assert_string_equal(pb_hstate_name(PB_HS_ABSENT), "absent");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test_setup_teardown(test_states_three_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions_hold_and_set_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_on_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_catches_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_catches_rehashed_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_catches_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_catches_deleted_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_chain_catches_removed_finding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_chain_catches_rewritten_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_chain_catches_deleted_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_run_leaves_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_run_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_run_refused_or_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_with_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_id_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_history, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
