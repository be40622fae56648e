/*
 * history.c - the history store (contract in history.h, file format in
 * docs/history.md).
 *
 * Why SQLite's rollback journal and not WAL: a killed run must leave the
 * file as it was, on any file system, and the journal does that with no
 * shared memory; readers (`probity history`) still read while a run
 * writes, until its commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "history.h"
#include "sha256.h"

#define FORMAT "probity-history 1"
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
/* Once a run holds the history, its commit may wait this long for a
 * reader (`probity history`) to finish, whatever --history-wait says. */
#define COMMIT_WAIT_MS 30000

struct pb_history {
	sqlite3 *db;
	char *path;
	long wait_ms;
	int in_txn;
	pb_history_view *view;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,"
	" tool TEXT NOT NULL, settings_hash TEXT NOT NULL, settings TEXT NOT NULL,"
	" as_of TEXT, decisions_seq INTEGER NOT NULL DEFAULT 0,"
	" decisions_head TEXT NOT NULL DEFAULT '" ZERO_HASH "', prev_digest TEXT, digest TEXT);"
	"CREATE TABLE IF NOT EXISTS inputs(run_id INTEGER NOT NULL REFERENCES runs(id),"
	" path TEXT NOT NULL, tbl TEXT, format TEXT, size INTEGER, sha256 TEXT,"
	" rows_read INTEGER, rows_imported INTEGER, rows_rejected INTEGER,"
	" rows_filtered INTEGER);"
	"CREATE TABLE IF NOT EXISTS findings(run_id INTEGER NOT NULL REFERENCES runs(id),"
	" id TEXT NOT NULL, state TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,"
	" score TEXT NOT NULL, subject_table TEXT, subject_id TEXT, message TEXT,"
	" evidence_hash TEXT NOT NULL, PRIMARY KEY(run_id, id));"
	"CREATE INDEX IF NOT EXISTS findings_by_id ON findings(id, run_id);"
	"CREATE TABLE IF NOT EXISTS decisions(seq INTEGER PRIMARY KEY, finding_id TEXT NOT NULL,"
	" status TEXT NOT NULL, note TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL,"
	" evidence_hash TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS decisions_by_finding ON decisions(finding_id, seq);"
	/* Append-only by construction; the hash chain catches whoever drops these. */
	"CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;"
	/* A recorded run is final: its row once sealed with its digest, its
	 * inputs and findings from the start (verify catches the rest). */
	"CREATE TRIGGER IF NOT EXISTS runs_sealed BEFORE UPDATE ON runs WHEN OLD.digest IS NOT NULL"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"CREATE TRIGGER IF NOT EXISTS runs_no_delete BEFORE DELETE ON runs"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"CREATE TRIGGER IF NOT EXISTS inputs_no_update BEFORE UPDATE ON inputs"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"CREATE TRIGGER IF NOT EXISTS inputs_no_delete BEFORE DELETE ON inputs"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"CREATE TRIGGER IF NOT EXISTS findings_no_update BEFORE UPDATE ON findings"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"CREATE TRIGGER IF NOT EXISTS findings_no_delete BEFORE DELETE ON findings"
	" BEGIN SELECT RAISE(ABORT, 'a recorded run is final'); END;"
	"INSERT OR IGNORE INTO meta VALUES('format', '" FORMAT "');"
	"INSERT OR IGNORE INTO meta VALUES('runs', '0');"
	"INSERT OR IGNORE INTO meta VALUES('decisions', '0');"
	"INSERT OR IGNORE INTO meta VALUES('decisions_head', '" ZERO_HASH "');";

static const char *const hstate_names[PB_HS_COUNT] = {"new", "unchanged", "updated", "absent"};
static const char *const dstatus_names[PB_DEC_COUNT] = {
	"open", "confirmed", "false-positive", "accepted-risk", "referred"};

const char *pb_hstate_name(pb_hstate s)
{
	return s < PB_HS_COUNT ? hstate_names[s] : "?";
}

const char *pb_dstatus_name(pb_dstatus s)
{
	return s < PB_DEC_COUNT ? dstatus_names[s] : "?";
}

int pb_dstatus_parse(const char *s, pb_dstatus *out)
{
	for (int i = 0; i < PB_DEC_COUNT; i++)
		if (s && !strcmp(s, dstatus_names[i])) {
			*out = (pb_dstatus)i;
			return 0;
		}
	return -1;
}

int pb_dstatus_dismisses(pb_dstatus s)
{
	return s == PB_DEC_FALSE_POSITIVE || s == PB_DEC_ACCEPTED_RISK;
}

void pb_history_now(char out[21])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;

	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct sqlite3 *pb_history_db(pb_history *h)
{
	return h->db;
}

static int db_fail(pb_history *h, pb_error *err, const char *what)
{
	int rc = sqlite3_errcode(h->db);

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		pb_error_set(err, PB_EXIT_HISTORY_BUSY,
			     "%s: another run holds the history (waited %ld s); "
			     "try again later or give --history-wait SECONDS",
			     h->path, h->wait_ms / 1000);
	else if (rc == SQLITE_NOTADB)
		pb_error_set(err, PB_EXIT_INPUT, "%s: not a probity history (not SQLite)", h->path);
	else
		pb_error_set(err, PB_EXIT_INPUT, "%s: %s: %s", h->path, what, sqlite3_errmsg(h->db));
	return -1;
}

static sqlite3_stmt *prep(pb_history *h, const char *sql, pb_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(h, err, "cannot read the history");
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows, then finalizes it. */
static int step_done(pb_history *h, sqlite3_stmt *st, pb_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(h, err, "cannot write the history");
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? pb_xstrdup((const char *)s) : NULL;
}

/* The file is ours (meta format), or it is empty and gets the schema. */
static int check_format(pb_history *h, int mode, pb_error *err)
{
	sqlite3_stmt *st = NULL;
	int tables = 0, ours = 0;

	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		return db_fail(h, err, "cannot open the history");
	if (sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_errcode(h->db) != SQLITE_OK && sqlite3_errcode(h->db) != SQLITE_DONE &&
	    sqlite3_errcode(h->db) != SQLITE_ROW)
		return db_fail(h, err, "cannot open the history");
	if (tables && sqlite3_prepare_v2(h->db, "SELECT value FROM meta WHERE key = 'format'",
					 -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			ours = !strcmp((const char *)sqlite3_column_text(st, 0), FORMAT);
		sqlite3_finalize(st);
	}
	if (tables && !ours) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: not a probity history (a SQLite file "
			     "without the '" FORMAT "' mark)", h->path);
		return -1;
	}
	if (ours)
		return 0;
	if (mode != PB_HIST_WRITE) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: no run recorded yet (empty history)", h->path);
		return -1;
	}
	if (pb_history_begin(h, err) < 0)
		return -1;
	if (sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(h, err, "cannot create the history");
	return pb_history_commit(h, err);
}

int pb_history_open(pb_history **out, const char *path, int mode, long wait_ms,
		    pb_error *err)
{
	pb_history *h = pb_xcalloc(1, sizeof(*h));
	int flags = mode == PB_HIST_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
					  : SQLITE_OPEN_READONLY;
	struct stat sb;

	*out = NULL;
	h->path = pb_xstrdup(path);
	h->wait_ms = wait_ms;
	if (mode != PB_HIST_WRITE && stat(path, &sb) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open the history: %s", path, strerror(errno));
		pb_history_close(h);
		return -1;
	}
	/* The history names people: a new one is readable by its owner only. */
	if (mode == PB_HIST_WRITE) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &h->db, flags, NULL) != SQLITE_OK) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open the history: %s", path,
			     h->db ? sqlite3_errmsg(h->db) : "out of memory");
		pb_history_close(h);
		return -1;
	}
	/* Reads wait out another run's commit; BEGIN IMMEDIATE waits wait_ms. */
	sqlite3_busy_timeout(h->db, (int)(wait_ms > COMMIT_WAIT_MS ? wait_ms : COMMIT_WAIT_MS));
	sqlite3_exec(h->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (check_format(h, mode, err) < 0) {
		pb_history_close(h);
		return -1;
	}
	*out = h;
	return 0;
}

static void view_free(pb_history_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nfindings + v->nabsent; i++) {
		pb_hentry *e = i < v->nfindings ? &v->findings[i] : &v->absent[i - v->nfindings];
		if (e->decision) {
			free(e->decision->note);
			free(e->decision->by);
			free(e->decision->at);
			free(e->decision);
		}
		free(e->rule);
		free(e->severity);
		free(e->subject_table);
		free(e->subject_id);
		free(e->message);
	}
	free(v->findings);
	free(v->absent);
	free(v->previous_at);
	free(v->started_at);
	free(v);
}

/* The audit whose reports are being written, and its view. */
static const pb_audit *attached_audit;
static const pb_history_view *attached_view;

const pb_history_view *pb_history_view_of(const pb_audit *a)
{
	return a && a == attached_audit ? attached_view : NULL;
}

void pb_history_close(pb_history *h)
{
	if (!h)
		return;
	if (h->in_txn)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	if (attached_view == h->view)
		attached_audit = NULL, attached_view = NULL;
	view_free(h->view);
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

int pb_history_begin(pb_history *h, pb_error *err)
{
	sqlite3_busy_timeout(h->db, (int)h->wait_ms);
	if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(h, err, "cannot lock the history");
	h->in_txn = 1;
	/* Held now: the commit may wait for readers, never give up at once. */
	sqlite3_busy_timeout(h->db, (int)(h->wait_ms > COMMIT_WAIT_MS ? h->wait_ms : COMMIT_WAIT_MS));
	return 0;
}

int pb_history_commit(pb_history *h, pb_error *err)
{
	if (sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = db_fail(h, err, "cannot commit the run to the history");
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		h->in_txn = 0;
		return rc;
	}
	h->in_txn = 0;
	return 0;
}

/* --- hashing ------------------------------------------------------------ */

/* One field of a canonical serialisation: "name=LEN:bytes\n", so that no
 * choice of text can make two different records serialise alike. */
static void hfield(pb_sha256 *s, const char *name, const char *v)
{
	char head[64];

	v = v ? v : "";
	snprintf(head, sizeof(head), "%s=%zu:", name, strlen(v));
	pb_sha256_add(s, head, strlen(head));
	pb_sha256_add(s, v, strlen(v));
	pb_sha256_add(s, "\n", 1);
}

static void score_text(double v, char out[16])
{
	snprintf(out, 16, "%.4f", v == v ? v : 0.0);
}

/* File names and line numbers are left out on purpose (history.h). */
static void evidence_hash(const pb_finding *f, char hex[65])
{
	pb_sha256 s;
	char sc[16];

	score_text(f->score, sc);
	pb_sha256_init(&s);
	hfield(&s, "v", "evidence/1");
	hfield(&s, "rule", f->rule->id);
	hfield(&s, "severity", pb_severity_name(f->severity));
	hfield(&s, "score", sc);
	hfield(&s, "subject_table", f->subject_table);
	hfield(&s, "subject_id", f->subject_id);
	hfield(&s, "message", f->message);
	for (size_t i = 0; i < f->ndetails; i++) {
		hfield(&s, "detail", f->details[i].key);
		hfield(&s, "value", f->details[i].value);
	}
	for (size_t i = 0; i < f->nevidence; i++) {
		const pb_evidence *e = &f->evidence[i];
		hfield(&s, "ev_table", e->table);
		hfield(&s, "ev_id", e->id);
		hfield(&s, "ev_role", e->role);
		hfield(&s, "ev_status", e->status);
		for (uint32_t k = 0; k < e->nextra; k++) {
			hfield(&s, "ev_extra", e->extra[k].name);
			hfield(&s, "value", e->extra[k].value);
		}
	}
	for (size_t i = 0; i < f->npath; i++) {
		hfield(&s, "from", f->path[i].from);
		hfield(&s, "kind", f->path[i].kind);
		hfield(&s, "to", f->path[i].to);
	}
	pb_sha256_hex(&s, hex);
}

static void decision_hash(int64_t seq, const char *finding, const char *status,
			  const char *note, const char *by, const char *at,
			  const char *evidence, const char *prev, char hex[65])
{
	pb_sha256 s;
	char n[32];

	snprintf(n, sizeof(n), "%lld", (long long)seq);
	pb_sha256_init(&s);
	hfield(&s, "v", "decision/1");
	hfield(&s, "seq", n);
	hfield(&s, "finding", finding);
	hfield(&s, "status", status);
	hfield(&s, "note", note);
	hfield(&s, "by", by);
	hfield(&s, "at", at);
	hfield(&s, "evidence", evidence);
	hfield(&s, "prev", prev);
	pb_sha256_hex(&s, hex);
}

/* size and SHA-256 of a file; -1 size when it cannot be read now. */
static int64_t file_digest(const char *path, char hex[65])
{
	FILE *f = fopen(path, "rb");
	pb_sha256 s;
	char buf[65536];
	size_t n;
	int64_t size = 0;

	hex[0] = '\0';
	if (!f)
		return -1;
	pb_sha256_init(&s);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		pb_sha256_add(&s, buf, n);
		size += (int64_t)n;
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	pb_sha256_hex(&s, hex);
	return size;
}

/* --- the decision log ----------------------------------------------------- */

/*
 * The log's length and last hash as the history recorded them (meta),
 * not as the table stands: an entry cut from the end is not reused, so
 * the next entry leaves a gap and a broken link that verify names.
 */
static int log_head(pb_history *h, int64_t *seq, char head[65], pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT (SELECT value FROM meta WHERE key = 'decisions'),"
				" (SELECT value FROM meta WHERE key = 'decisions_head')", err);

	if (!st)
		return -1;
	*seq = 0;
	snprintf(head, 65, "%s", ZERO_HASH);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_text(st, 1))
			snprintf(head, 65, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return 0;
}

static int log_append(pb_history *h, const char *id, pb_dstatus status, const char *note,
		      const char *by, const char *evidence, pb_decision *out, pb_error *err)
{
	int64_t seq;
	char prev[65], hash[65], at[21], n[32];
	sqlite3_stmt *st;

	if (log_head(h, &seq, prev, err) < 0)
		return -1;
	seq++;
	pb_history_now(at);
	decision_hash(seq, id, pb_dstatus_name(status), note, by, at, evidence, prev, hash);
	st = prep(h, "INSERT INTO decisions VALUES(?,?,?,?,?,?,?,?,?)", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	bind_text(st, 2, id);
	bind_text(st, 3, pb_dstatus_name(status));
	bind_text(st, 4, note);
	bind_text(st, 5, by);
	bind_text(st, 6, at);
	bind_text(st, 7, evidence);
	bind_text(st, 8, prev);
	bind_text(st, 9, hash);
	if (step_done(h, st, err) < 0)
		return -1;
	snprintf(n, sizeof(n), "%lld", (long long)seq);
	if (!(st = prep(h, "UPDATE meta SET value = ? WHERE key = 'decisions'", err)))
		return -1;
	bind_text(st, 1, n);
	if (step_done(h, st, err) < 0)
		return -1;
	if (!(st = prep(h, "UPDATE meta SET value = ? WHERE key = 'decisions_head'", err)))
		return -1;
	bind_text(st, 1, hash);
	if (step_done(h, st, err) < 0)
		return -1;
	if (out) {
		out->seq = seq;
		out->status = status;
		out->note = pb_xstrdup(note);
		out->by = pb_xstrdup(by);
		out->at = pb_xstrdup(at);
	}
	return 0;
}

/* The latest decision about id, or NULL; *evidence gets its evidence hash. */
static pb_decision *latest_decision(pb_history *h, sqlite3_stmt *st, const char *id,
				    char evidence[65])
{
	pb_decision *d = NULL;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		d = pb_xcalloc(1, sizeof(*d));
		d->seq = sqlite3_column_int64(st, 0);
		if (pb_dstatus_parse((const char *)sqlite3_column_text(st, 1), &d->status) < 0)
			d->status = PB_DEC_OPEN;
		d->note = col_dup(st, 2);
		d->by = col_dup(st, 3);
		d->at = col_dup(st, 4);
		snprintf(evidence, 65, "%s", (const char *)sqlite3_column_text(st, 5));
	}
	(void)h;
	return d;
}

int pb_history_decide(pb_history *h, const char *id, pb_dstatus status,
		      const char *note, const char *by, const char *evidence_hash_in,
		      pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT evidence_hash FROM findings WHERE id = ? AND "
				"state != 'absent' ORDER BY run_id DESC LIMIT 1", err);
	char latest[65] = "";

	if (!st)
		return -1;
	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(latest, sizeof(latest), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!latest[0]) {
		pb_error_set(err, PB_EXIT_USAGE, "finding '%s' is in no run of %s", id, h->path);
		return -1;
	}
	if (evidence_hash_in && *evidence_hash_in && strcmp(evidence_hash_in, latest)) {
		pb_error_set(err, PB_EXIT_USAGE, "finding '%s': the decision was made on other "
			     "evidence than the latest run's; review it again", id);
		return -1;
	}
	return log_append(h, id, status, note, by, latest, NULL, err);
}

/* --- recording a run ------------------------------------------------------ */

struct prev {
	char id[17];
	char hash[65];
	char *rule, *severity, *subject_table, *subject_id, *message;
	int seen;
};

static int prev_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prev *)a)->id, ((const struct prev *)b)->id);
}

/* The last run's number, start and settings hash (NULL, NULL for none). */
static int64_t previous_run(pb_history *h, char **at, char **settings, pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT id, started_at, settings_hash FROM runs ORDER BY id DESC"
				" LIMIT 1", err);
	int64_t id = 0;

	*at = NULL;
	*settings = NULL;
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		*at = col_dup(st, 1);
		*settings = col_dup(st, 2);
	}
	sqlite3_finalize(st);
	return id;
}

static struct prev *load_previous(pb_history *h, int64_t run, size_t *n, pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT id, evidence_hash, rule, severity, subject_table,"
				" subject_id, message FROM findings WHERE run_id = ? AND"
				" state != 'absent' ORDER BY id", err);
	struct prev *p = NULL;
	size_t cap = 0;

	*n = 0;
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		PB_GROW(p, *n + 1, cap);
		struct prev *e = &p[(*n)++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(e->hash, sizeof(e->hash), "%s", (const char *)sqlite3_column_text(st, 1));
		e->rule = col_dup(st, 2);
		e->severity = col_dup(st, 3);
		e->subject_table = col_dup(st, 4);
		e->subject_id = col_dup(st, 5);
		e->message = col_dup(st, 6);
	}
	sqlite3_finalize(st);
	return p ? p : pb_xcalloc(1, sizeof(*p));
}

static int insert_run(pb_history *h, const pb_audit *a, const char *settings,
		      const char *at, int64_t *run, pb_error *err)
{
	/* numbered from meta, so a run cut from the end leaves its number unused */
	sqlite3_stmt *st = prep(h, "INSERT INTO runs(id, started_at, tool, settings_hash, settings,"
				" as_of) VALUES((SELECT max(CAST(value AS INTEGER), coalesce((SELECT"
				" max(id) FROM runs), 0)) + 1 FROM meta WHERE key = 'runs'),?,?,?,?,?)", err);
	char hash[65], date[11];

	if (!st)
		return -1;
	pb_sha256_of(settings, strlen(settings), hash);
	bind_text(st, 1, at);
	bind_text(st, 2, "probity " PB_VERSION);
	bind_text(st, 3, hash);
	bind_text(st, 4, settings);
	bind_text(st, 5, a->as_of == PB_DATE_NONE ? NULL : pb_date_format(a->as_of, date));
	if (step_done(h, st, err) < 0)
		return -1;
	*run = sqlite3_last_insert_rowid(h->db);
	return 0;
}

static int insert_inputs(pb_history *h, const pb_audit *a, int64_t run, pb_error *err)
{
	const pb_input *in = pb_ledger_inputs(a->ledger);
	sqlite3_stmt *st = prep(h, "INSERT INTO inputs VALUES(?,?,?,?,?,?,?,?,?,?)", err);

	if (!st)
		return -1;
	for (size_t i = 0; i < pb_ledger_ninputs(a->ledger); i++) {
		char hex[65];
		int64_t size = file_digest(in[i].path, hex);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run);
		bind_text(st, 2, in[i].path);
		bind_text(st, 3, in[i].table);
		bind_text(st, 4, in[i].format);
		if (size < 0)
			sqlite3_bind_null(st, 5);
		else
			sqlite3_bind_int64(st, 5, size);
		bind_text(st, 6, size < 0 ? NULL : hex);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)in[i].rows_read);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)in[i].rows_imported);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)in[i].rows_rejected);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)in[i].rows_filtered);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_fail(h, err, "cannot write the history");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int insert_finding(pb_history *h, sqlite3_stmt *st, int64_t run, const pb_hentry *e,
			  const char *rule, const char *sev, const char *score,
			  const char *table, const char *subject, const char *message,
			  pb_error *err)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run);
	bind_text(st, 2, e->id);
	bind_text(st, 3, pb_hstate_name(e->state));
	bind_text(st, 4, rule);
	bind_text(st, 5, sev);
	bind_text(st, 6, score);
	bind_text(st, 7, table);
	bind_text(st, 8, subject);
	bind_text(st, 9, message);
	bind_text(st, 10, e->evidence_hash);
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	if (sqlite3_extended_errcode(h->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
		pb_error_set(err, PB_EXIT_INTERNAL, "%s: finding id %s is reported twice in this run "
			     "(a bug in rule %s); the run is not recorded", h->path, e->id, rule);
		return -1;
	}
	return db_fail(h, err, "cannot write the history");
}

/* States of the present findings, then the absent ones; rows written. */
static int record_findings(pb_history *h, const pb_audit *a, pb_history_view *v,
			   struct prev *p, size_t np, pb_error *err)
{
	sqlite3_stmt *st = prep(h, "INSERT INTO findings VALUES(?,?,?,?,?,?,?,?,?,?)", err);
	int rc = 0;

	if (!st)
		return -1;
	v->findings = pb_xcalloc(a->nfindings + 1, sizeof(*v->findings));
	v->nfindings = a->nfindings;
	for (size_t i = 0; i < a->nfindings && rc == 0; i++) {
		const pb_finding *f = a->findings[i];
		pb_hentry *e = &v->findings[i];
		struct prev key, *was;
		char sc[16];
		snprintf(e->id, sizeof(e->id), "%s", f->id);
		evidence_hash(f, e->evidence_hash);
		memcpy(key.id, e->id, sizeof(key.id));
		was = np ? bsearch(&key, p, np, sizeof(*p), prev_cmp) : NULL;
		e->state = !was ? PB_HS_NEW : strcmp(was->hash, e->evidence_hash) ? PB_HS_UPDATED
										  : PB_HS_UNCHANGED;
		if (was)
			was->seen = 1;
		v->count[e->state]++;
		score_text(f->score, sc);
		rc = insert_finding(h, st, v->run, e, f->rule->id, pb_severity_name(f->severity), sc,
				    f->subject_table, f->subject_id, f->message, err);
	}
	v->absent = pb_xcalloc(np + 1, sizeof(*v->absent));
	for (size_t i = 0; i < np && rc == 0; i++) {
		if (p[i].seen)
			continue;
		pb_hentry *e = &v->absent[v->nabsent++];
		memcpy(e->id, p[i].id, sizeof(e->id));
		memcpy(e->evidence_hash, p[i].hash, sizeof(e->evidence_hash));
		e->state = PB_HS_ABSENT;
		e->rule = p[i].rule, p[i].rule = NULL;
		e->severity = p[i].severity, p[i].severity = NULL;
		e->subject_table = p[i].subject_table, p[i].subject_table = NULL;
		e->subject_id = p[i].subject_id, p[i].subject_id = NULL;
		e->message = p[i].message, p[i].message = NULL;
		v->count[PB_HS_ABSENT]++;
		rc = insert_finding(h, st, v->run, e, e->rule, e->severity, "", e->subject_table,
				    e->subject_id, e->message, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static const char reopen_note[] = "reopened automatically: the evidence changed";

/* Each finding's latest decision; a decision made on other evidence
 * than the finding has now is reopened (history.h). */
static int attach_decisions(pb_history *h, pb_history_view *v, pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT seq, status, note, by, at, evidence_hash FROM"
				" decisions WHERE finding_id = ? ORDER BY seq DESC LIMIT 1", err);

	if (!st)
		return -1;
	for (size_t i = 0; i < v->nfindings + v->nabsent; i++) {
		int present = i < v->nfindings;
		pb_hentry *e = present ? &v->findings[i] : &v->absent[i - v->nfindings];
		char evidence[65];
		e->decision = latest_decision(h, st, e->id, evidence);
		if (!e->decision || !present)
			continue;
		if (e->decision->status != PB_DEC_OPEN && strcmp(evidence, e->evidence_hash)) {
			pb_decision *d = e->decision;
			free(d->note);
			free(d->by);
			free(d->at);
			memset(d, 0, sizeof(*d));
			if (log_append(h, e->id, PB_DEC_OPEN, reopen_note, "probity",
				       e->evidence_hash, d, err) < 0) {
				sqlite3_finalize(st);
				return -1;
			}
			d->reopened = 1;
			v->reopened++;
		}
		v->dismissed += (size_t)pb_dstatus_dismisses(e->decision->status);
	}
	sqlite3_finalize(st);
	return 0;
}

/* --- the run digest chain ------------------------------------------------ */

/* Every column of every row a statement returns, in order, as fields
 * named after the columns; NULL is "name=null", distinct from any text. */
static int digest_rows(pb_sha256 *s, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pb_sha256_add(s, "row\n", 4);
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				pb_sha256_add(s, name, strlen(name));
				pb_sha256_add(s, "=null\n", 6);
			} else {
				hfield(s, name, (const char *)sqlite3_column_text(st, i));
			}
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The digest of run `run` as its rows stand now: the run's own columns
 * (but its digest), its inputs in the order recorded, its findings by
 * id, and `prev`, the digest of the run before it.  One function for
 * recording and verifying, so the two cannot disagree.
 */
static int run_digest(pb_history *h, int64_t run, const char *prev, char hex[65])
{
	static const char *const sql[] = {
		"SELECT id, started_at, tool, settings_hash, settings, as_of, decisions_seq,"
		" decisions_head FROM runs WHERE id = ?",
		"SELECT path, tbl, format, size, sha256, rows_read, rows_imported, rows_rejected,"
		" rows_filtered FROM inputs WHERE run_id = ? ORDER BY rowid",
		"SELECT id, state, rule, severity, score, subject_table, subject_id, message,"
		" evidence_hash FROM findings WHERE run_id = ? ORDER BY id"};
	pb_sha256 s;

	pb_sha256_init(&s);
	hfield(&s, "v", "run/1");
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(h->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, run);
		hfield(&s, "part", i == 0 ? "run" : i == 1 ? "inputs" : "findings");
		if (digest_rows(&s, st) < 0)
			return -1;
	}
	hfield(&s, "prev", prev);
	pb_sha256_hex(&s, hex);
	return 0;
}

/* The previous run's digest (zeros for the first run). */
static int last_digest(pb_history *h, int64_t before, char out[65], pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT digest FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", err);

	if (!st)
		return -1;
	snprintf(out, 65, "%s", ZERO_HASH);
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

/* Records the decision log's head in the run, then seals the run with
 * its digest; the count of runs goes to meta (a cut tail shows). */
static int anchor_run(pb_history *h, pb_history_view *v, pb_error *err)
{
	sqlite3_stmt *st;
	char prev[65], n[32];

	if (log_head(h, &v->decisions, v->decisions_head, err) < 0)
		return -1;
	st = prep(h, "UPDATE runs SET decisions_seq = ?, decisions_head = ? WHERE id = ?", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, v->decisions);
	bind_text(st, 2, v->decisions_head);
	sqlite3_bind_int64(st, 3, v->run);
	if (step_done(h, st, err) < 0 || last_digest(h, v->run, prev, err) < 0)
		return -1;
	if (run_digest(h, v->run, prev, v->digest) < 0)
		return db_fail(h, err, "cannot read the run back");
	if (!(st = prep(h, "UPDATE runs SET prev_digest = ?, digest = ? WHERE id = ?", err)))
		return -1;
	bind_text(st, 1, prev);
	bind_text(st, 2, v->digest);
	sqlite3_bind_int64(st, 3, v->run);
	if (step_done(h, st, err) < 0)
		return -1;
	snprintf(n, sizeof(n), "%lld", (long long)v->run);
	if (!(st = prep(h, "UPDATE meta SET value = ? WHERE key = 'runs'", err)))
		return -1;
	bind_text(st, 1, n);
	return step_done(h, st, err);
}

static void prev_free(struct prev *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].rule);
		free(p[i].severity);
		free(p[i].subject_table);
		free(p[i].subject_id);
		free(p[i].message);
	}
	free(p);
}

int pb_history_record(pb_history *h, const pb_audit *a, const char *settings,
		      pb_error *err)
{
	pb_history_view *v = pb_xcalloc(1, sizeof(*v));
	char at[21];
	struct prev *p = NULL;
	size_t np = 0;
	int rc = -1;

	if (!h->in_txn) {
		pb_error_set(err, PB_EXIT_INTERNAL, "%s: a run is recorded inside its transaction", h->path);
		free(v);
		return -1;
	}
	char *prev_settings = NULL, hash[65];
	pb_history_now(at);
	v->started_at = pb_xstrdup(at);
	v->previous = previous_run(h, &v->previous_at, &prev_settings, err);
	pb_sha256_of(settings ? settings : "", settings ? strlen(settings) : 0, hash);
	v->settings_changed = prev_settings && strcmp(prev_settings, hash);
	free(prev_settings);
	if (v->previous >= 0 && insert_run(h, a, settings ? settings : "", at, &v->run, err) == 0 &&
	    insert_inputs(h, a, v->run, err) == 0 &&
	    (p = load_previous(h, v->previous, &np, err)) != NULL &&
	    record_findings(h, a, v, p, np, err) == 0 && attach_decisions(h, v, err) == 0 &&
	    anchor_run(h, v, err) == 0)
		rc = 0;
	prev_free(p, np);
	if (rc < 0) {
		view_free(v);
		return -1;
	}
	view_free(h->view);
	h->view = v;
	attached_audit = a;
	attached_view = v;
	return 0;
}

int pb_history_dismissed(const pb_audit *a, size_t i)
{
	const pb_history_view *v = pb_history_view_of(a);

	return v && i < v->nfindings && v->findings[i].decision &&
	       pb_dstatus_dismisses(v->findings[i].decision->status);
}

int pb_history_max_severity(const pb_audit *a)
{
	int max = -1;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!pb_history_dismissed(a, i) && (int)a->findings[i]->severity > max)
			max = (int)a->findings[i]->severity;
	return max;
}

/* --- verification ----------------------------------------------------------- */

static void say(void (*problem)(void *, const char *), void *ctx, int *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(void (*problem)(void *, const char *), void *ctx, int *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	problem(ctx, msg);
	(*n)++;
}

/* what: "decision" or "run" */
static void gap(void (*problem)(void *, const char *), void *ctx, int *n, const char *what,
		int64_t from, int64_t to, const char *why)
{
	if (from == to)
		say(problem, ctx, n, "%s #%lld was deleted%s", what, (long long)from, why);
	else
		say(problem, ctx, n, "%ss #%lld to #%lld were deleted%s", what, (long long)from,
		    (long long)to, why);
}

static int64_t meta_int(pb_history *h, const char *key, char *text, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	text[0] = '\0';
	if (sqlite3_prepare_v2(h->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(text, cap, "%s", (const char *)sqlite3_column_text(st, 0));
		v = strtoll(text, NULL, 10);
	}
	sqlite3_finalize(st);
	return v;
}

/* Every run recorded the log's head when it ran: the entry at that
 * place must still carry that hash. */
static void verify_anchors(pb_history *h, void (*problem)(void *, const char *), void *ctx,
			   int *n)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(h->db, "SELECT r.id, r.decisions_seq, r.decisions_head, d.hash"
			       " FROM runs r LEFT JOIN decisions d ON d.seq = r.decisions_seq"
			       " WHERE r.decisions_seq > 0 ORDER BY r.id", -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *want = (const char *)sqlite3_column_text(st, 2);
		const char *got = (const char *)sqlite3_column_text(st, 3);
		if (!got || strcmp(want, got))
			say(problem, ctx, n, "decision #%lld does not match what run #%lld recorded"
			    " as the log's head (%s)", (long long)sqlite3_column_int64(st, 1),
			    (long long)sqlite3_column_int64(st, 0), got ? "edited or replaced" : "deleted");
	}
	sqlite3_finalize(st);
}

/* Every run against its digest and the one before it; runs deleted. */
static void verify_runs(pb_history *h, void (*problem)(void *, const char *), void *ctx, int *n)
{
	sqlite3_stmt *st = NULL;
	int64_t expect = 1, last = 0;
	char prev[65] = ZERO_HASH, text[80];

	if (sqlite3_prepare_v2(h->db, "SELECT id, prev_digest, digest FROM runs ORDER BY id", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		const char *d = (const char *)sqlite3_column_text(st, 2);
		char hex[65];
		if (id > expect)
			gap(problem, ctx, n, "run", expect, id - 1, "");
		if (!d || !p || run_digest(h, id, p, hex) < 0 || strcmp(hex, d))
			say(problem, ctx, n, "run #%lld was altered: its settings, inputs or findings"
			    " do not match its digest", (long long)id);
		else if (strcmp(p, prev) && id == expect)
			say(problem, ctx, n, "run #%lld was altered or replaced: run #%lld does not"
			    " follow from it", (long long)(id - 1), (long long)id);
		snprintf(prev, sizeof(prev), "%s", d ? d : "");
		expect = id + 1;
		last = id;
	}
	sqlite3_finalize(st);
	int64_t count = meta_int(h, "runs", text, sizeof(text));
	if (count > last) {
		snprintf(text, sizeof(text), " (the history ends at #%lld)", (long long)last);
		gap(problem, ctx, n, "run", last + 1, count, text);
	}
}

int pb_history_verify(pb_history *h, void (*problem)(void *ctx, const char *msg),
		      void *ctx, pb_error *err)
{
	sqlite3_stmt *st = prep(h, "SELECT seq, finding_id, status, note, by, at, evidence_hash,"
				" prev, hash FROM decisions ORDER BY seq", err);
	int64_t expect = 1, last = 0;
	char prev[65] = ZERO_HASH, text[80];
	int n = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *c[9] = {""};
		char hash[65];
		for (int i = 1; i < 9; i++) {
			c[i] = (const char *)sqlite3_column_text(st, i);
			c[i] = c[i] ? c[i] : "";
		}
		if (seq > expect)
			gap(problem, ctx, &n, "decision", expect, seq - 1, "");
		decision_hash(seq, c[1], c[2], c[3], c[4], c[5], c[6], c[7], hash);
		if (strcmp(hash, c[8]))
			say(problem, ctx, &n, "decision #%lld (finding %s) was edited: its content"
			    " does not match its hash", (long long)seq, c[1]);
		else if (strcmp(c[7], prev) && seq == expect)
			say(problem, ctx, &n, "decision #%lld was edited or replaced: #%lld does not"
			    " follow from it", (long long)(seq - 1), (long long)seq);
		snprintf(prev, sizeof(prev), "%s", c[8]);
		expect = seq + 1;
		last = seq;
	}
	sqlite3_finalize(st);
	int64_t count = meta_int(h, "decisions", text, sizeof(text));
	if (count > last) {
		snprintf(text, sizeof(text), " (the log ends at #%lld)", (long long)last);
		gap(problem, ctx, &n, "decision", last + 1, count, text);
	}
	meta_int(h, "decisions_head", text, sizeof(text));
	if (count == last && last > 0 && strcmp(text, prev))
		say(problem, ctx, &n, "decision #%lld was edited or replaced: it is not the head"
		    " the history recorded", (long long)last);
	verify_anchors(h, problem, ctx, &n);
	verify_runs(h, problem, ctx, &n);
	return n;
}
