/*
 * history.c - `probity history` and `probity triage` (docs/history.md).
 *
 * The store (history.c) records and verifies; this file parses the
 * command line, reads the history with plain queries and prints.  Every
 * byte of ledger text or reviewer text that reaches the terminal passes
 * through pb_output_escape.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/history.h"
#include "../engine/output.h"
#include "cli.h"

#define NOTE_MAX 4000
#define BY_MAX 200


struct hopts {
	const char *history;
	long wait_ms;
	int json;
	const char *status, *note, *by, *import;
	char **args;
	int nargs;
};

static int parse_wait(const char *s, long *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -1;
	*ms = v * 1000;
	return 0;
}

/* The options history and triage share; -1 after printing on error. */
static int parse(int argc, char **argv, struct hopts *o)
{
	enum { O_HISTORY = 256, O_WAIT, O_STATUS, O_NOTE, O_BY, O_IMPORT };
	static const struct option longopts[] = {
		{"history", required_argument, NULL, O_HISTORY},
		{"history-wait", required_argument, NULL, O_WAIT},
		{"format", required_argument, NULL, 'f'},
		{"status", required_argument, NULL, O_STATUS},
		{"note", required_argument, NULL, O_NOTE},
		{"by", required_argument, NULL, O_BY},
		{"import", required_argument, NULL, O_IMPORT},
		{NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
		switch (c) {
		case O_HISTORY: o->history = optarg; break;
		case O_WAIT:
			if (parse_wait(optarg, &o->wait_ms) < 0)
				return cli_fail(PB_EXIT_USAGE, "--history-wait '%s' is not a number of "
					    "seconds (0 to 86400)", optarg), -1;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return cli_fail(PB_EXIT_USAGE, "--format '%s': text or json", optarg), -1;
			o->json = !strcmp(optarg, "json");
			break;
		case O_STATUS: o->status = optarg; break;
		case O_NOTE: o->note = optarg; break;
		case O_BY: o->by = optarg; break;
		case O_IMPORT: o->import = optarg; break;
		default:
			fputs("probity: see 'probity --help'\n", stderr);
			return -1;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (!o->history)
		return cli_fail(PB_EXIT_USAGE, "%s: give the history file with --history FILE", argv[0]), -1;
	return 0;
}

/* --- probity history ------------------------------------------------------- */

static void esc(const char *s)
{
	pb_output_escape(stdout, s ? s : "");
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/* One row per run: date, inputs, counts by severity and by state (0, not
 * NULL, for a run without findings). */
static const char list_sql[] =
	"SELECT r.id, r.started_at, coalesce(r.as_of, ''),"
	" (SELECT count(*) FROM inputs i WHERE i.run_id = r.id),"
	" (SELECT coalesce(sum(rows_read), 0) FROM inputs i WHERE i.run_id = r.id),"
	" (SELECT coalesce(sum(rows_rejected), 0) FROM inputs i WHERE i.run_id = r.id),"
	" coalesce(sum(f.state != 'absent'), 0),"
	" coalesce(sum(f.state != 'absent' AND f.severity = 'critical'), 0),"
	" coalesce(sum(f.state != 'absent' AND f.severity = 'high'), 0),"
	" coalesce(sum(f.state != 'absent' AND f.severity = 'medium'), 0),"
	" coalesce(sum(f.state != 'absent' AND f.severity = 'low'), 0),"
	" coalesce(sum(f.state = 'new'), 0), coalesce(sum(f.state = 'unchanged'), 0),"
	" coalesce(sum(f.state = 'updated'), 0),"
	" coalesce(sum(f.state = 'absent'), 0), r.settings_hash, r.tool"
	" FROM runs r LEFT JOIN findings f ON f.run_id = r.id GROUP BY r.id ORDER BY r.id";

static const char *const list_keys[] = {
	"run", "started_at", "as_of", "inputs", "rows_read", "rows_rejected", "findings",
	"critical", "high", "medium", "low", "new", "unchanged", "updated", "absent",
	"settings_sha256", "tool"};

static json_t *row_json(sqlite3_stmt *st, const char *const *keys, int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(o, keys[i], sqlite3_column_type(st, i) == SQLITE_INTEGER
					   ? json_integer(sqlite3_column_int64(st, i))
					   : json_string(col(st, i)));
	return o;
}

static void dump_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(j);
}

static int history_list(pb_history *h, const struct hopts *o)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(pb_history_db(h), list_sql, -1, &st, NULL) != SQLITE_OK)
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->history, sqlite3_errmsg(pb_history_db(h)));
	if (!o->json)
		printf("%4s  %-20s  %-10s  %6s %9s  %8s  %4s %4s %4s %4s  %4s %4s %4s %4s\n", "run",
		       "started (UTC)", "as of", "inputs", "rows", "findings", "crit", "high",
		       "med", "low", "new", "same", "upd", "gone");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (o->json) {
			json_array_append_new(arr, row_json(st, list_keys, 17));
			continue;
		}
		printf("%4lld  %-20s  %-10s  %6lld %9lld  %8lld  %4lld %4lld %4lld %4lld  %4lld %4lld %4lld %4lld\n",
		       (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2),
		       (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
		       (long long)sqlite3_column_int64(st, 6), (long long)sqlite3_column_int64(st, 7),
		       (long long)sqlite3_column_int64(st, 8), (long long)sqlite3_column_int64(st, 9),
		       (long long)sqlite3_column_int64(st, 10), (long long)sqlite3_column_int64(st, 11),
		       (long long)sqlite3_column_int64(st, 12), (long long)sqlite3_column_int64(st, 13),
		       (long long)sqlite3_column_int64(st, 14));
	}
	sqlite3_finalize(st);
	if (o->json)
		dump_json(arr);
	else
		json_decref(arr);
	return 0;
}

static int64_t run_arg(pb_history *h, const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	sqlite3_stmt *st;
	int found = 0;

	if (end == s || *end || v <= 0)
		return -1;
	if (sqlite3_prepare_v2(pb_history_db(h), "SELECT 1 FROM runs WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, v);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	*out = v;
	return found ? 0 : -1;
}

/* The run before `run` (0 if none). */
static int64_t run_before(pb_history *h, int64_t run)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(pb_history_db(h), run ? "SELECT max(id) FROM runs WHERE id < ?"
			       : "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (run)
		sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Findings of run b against run a: + appeared, - disappeared, ~ changed. */
static const char diff_sql[] =
	"WITH a AS (SELECT * FROM findings WHERE run_id = ?1 AND state != 'absent'),"
	" b AS (SELECT * FROM findings WHERE run_id = ?2 AND state != 'absent')"
	" SELECT 'appeared', b.id, b.severity, b.rule, b.subject_table, b.subject_id, b.message,"
	"  NULL, NULL FROM b WHERE b.id NOT IN (SELECT id FROM a)"
	" UNION ALL SELECT 'disappeared', a.id, a.severity, a.rule, a.subject_table,"
	"  a.subject_id, a.message, NULL, NULL FROM a WHERE a.id NOT IN (SELECT id FROM b)"
	" UNION ALL SELECT 'changed', b.id, b.severity, b.rule, b.subject_table, b.subject_id,"
	"  b.message, a.severity, a.message FROM b JOIN a ON a.id = b.id"
	"  WHERE a.evidence_hash != b.evidence_hash"
	" ORDER BY 1, 4, 5, 6, 2";

static const char *const diff_keys[] = {"change", "id", "severity", "rule", "subject_table",
					"subject_id", "message", "severity_before", "message_before"};

static int history_diff(pb_history *h, const struct hopts *o)
{
	int64_t a = 0, b = 0;
	sqlite3_stmt *st;
	json_t *arr = json_array();
	size_t n = 0;

	if (o->nargs > 3)
		return cli_fail(PB_EXIT_USAGE, "history diff: at most two runs");
	if (o->nargs >= 2 && run_arg(h, o->args[1], o->nargs == 3 ? &a : &b) < 0)
		return cli_fail(PB_EXIT_USAGE, "history diff: '%s' is not a run of %s", o->args[1], o->history);
	if (o->nargs == 3 && run_arg(h, o->args[2], &b) < 0)
		return cli_fail(PB_EXIT_USAGE, "history diff: '%s' is not a run of %s", o->args[2], o->history);
	if (!b)
		b = run_before(h, 0);
	if (o->nargs < 3)
		a = run_before(h, b);
	if (!b)
		return cli_fail(PB_EXIT_USAGE, "history diff: %s has no run yet", o->history);
	if (sqlite3_prepare_v2(pb_history_db(h), diff_sql, -1, &st, NULL) != SQLITE_OK)
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->history, sqlite3_errmsg(pb_history_db(h)));
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (!o->json)
		printf("run %lld -> run %lld\n", (long long)a, (long long)b);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n++;
		if (o->json) {
			json_t *row = row_json(st, diff_keys, 9);
			if (strcmp(col(st, 0), "changed")) {
				json_object_del(row, "severity_before");
				json_object_del(row, "message_before");
			}
			json_array_append_new(arr, row);
			continue;
		}
		printf("%s %s  %-8s  %s  ", !strcmp(col(st, 0), "appeared") ? "+"
		       : !strcmp(col(st, 0), "disappeared") ? "-" : "~", col(st, 1), col(st, 2), col(st, 3));
		esc(col(st, 4));
		putchar('/');
		esc(col(st, 5));
		fputs("  ", stdout);
		esc(col(st, 6));
		putchar('\n');
		/* what it said before, when that is what changed */
		if (sqlite3_column_type(st, 8) != SQLITE_NULL && strcmp(col(st, 8), col(st, 6))) {
			printf("    was: %s%s", strcmp(col(st, 7), col(st, 2)) ? col(st, 7) : "",
			       strcmp(col(st, 7), col(st, 2)) ? "  " : "");
			esc(col(st, 8));
			putchar('\n');
		} else if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
			puts("    (same message: its evidence records, details or score changed)");
		}
	}
	sqlite3_finalize(st);
	if (o->json)
		dump_json(json_pack("{s:I, s:I, s:o}", "from", (json_int_t)a, "to", (json_int_t)b,
				    "changes", arr));
	else {
		json_decref(arr);
		if (!n)
			puts("no change");
	}
	return 0;
}

/* One run: what it ran with and on (the latest run by default). */
static int history_show(pb_history *h, const struct hopts *o)
{
	static const char *const run_keys[] = {"run", "started_at", "as_of", "tool",
					       "settings_sha256", "settings", "decisions",
					       "decisions_head", "digest", "prev_digest"};
	static const char *const in_keys[] = {"path", "table", "format", "size", "sha256",
					      "rows_read", "rows_imported", "rows_rejected",
					      "rows_filtered"};
	sqlite3 *db = pb_history_db(h);
	sqlite3_stmt *st;
	int64_t run = 0;
	json_t *j = NULL, *inputs = json_array();

	if (o->nargs > 2)
		return cli_fail(PB_EXIT_USAGE, "history show: at most one run");
	if (o->nargs == 2 && run_arg(h, o->args[1], &run) < 0)
		return cli_fail(PB_EXIT_USAGE, "history show: '%s' is not a run of %s", o->args[1], o->history);
	if (!run && !(run = run_before(h, 0)))
		return cli_fail(PB_EXIT_USAGE, "history show: %s has no run yet", o->history);
	if (sqlite3_prepare_v2(db, "SELECT id, started_at, coalesce(as_of, ''), tool, settings_hash,"
			       " settings, decisions_seq, decisions_head, coalesce(digest, ''),"
			       " coalesce(prev_digest, '') FROM runs WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->history, sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		j = row_json(st, run_keys, 10);
		if (!o->json) {
			printf("run %lld, started %s, as of %s, %s\nsettings sha256 %s\n"
			       "decision log at that time: %lld entries, head %s\n"
			       "run digest %s (previous %s)\ninputs:\n",
			       (long long)run, col(st, 1), col(st, 2), col(st, 3), col(st, 4),
			       (long long)sqlite3_column_int64(st, 6), col(st, 7), col(st, 8), col(st, 9));
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT path, tbl, format, size, coalesce(sha256, ''), rows_read,"
			       " rows_imported, rows_rejected, rows_filtered FROM inputs"
			       " WHERE run_id = ? ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
		json_decref(j);
		json_decref(inputs);
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->history, sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_array_append_new(inputs, row_json(st, in_keys, 9));
		if (o->json)
			continue;
		printf("  %s %10lld  %llu read = %llu imported + %llu rejected + %llu filtered  ",
		       *col(st, 4) ? col(st, 4) : "(unreadable when recorded)",
		       (long long)sqlite3_column_int64(st, 3),
		       (unsigned long long)sqlite3_column_int64(st, 5),
		       (unsigned long long)sqlite3_column_int64(st, 6),
		       (unsigned long long)sqlite3_column_int64(st, 7),
		       (unsigned long long)sqlite3_column_int64(st, 8));
		esc(col(st, 0));
		putchar('\n');
	}
	sqlite3_finalize(st);
	if (o->json) {
		json_object_set_new(j, "inputs", inputs);
		dump_json(j);
		return 0;
	}
	json_decref(inputs);
	fputs("settings:\n", stdout);
	const char *settings = json_string_value(json_object_get(j, "settings"));
	/* the config text, line by line, each escaped for the terminal */
	for (const char *p = settings ? settings : ""; *p;) {
		const char *nl = strchr(p, '\n');
		char *line = pb_xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		fputs("  ", stdout);
		esc(line);
		putchar('\n');
		free(line);
		p = nl ? nl + 1 : p + strlen(p);
	}
	json_decref(j);
	return 0;
}

/* The decision log, oldest first. */
static int history_log(pb_history *h, const struct hopts *o)
{
	static const char *const keys[] = {"seq", "finding", "status", "note", "by", "at",
					   "evidence_hash", "prev", "hash"};
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(pb_history_db(h), "SELECT seq, finding_id, status, note, by, at,"
			       " evidence_hash, prev, hash FROM decisions ORDER BY seq", -1, &st,
			       NULL) != SQLITE_OK)
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->history, sqlite3_errmsg(pb_history_db(h)));
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (o->json) {
			json_array_append_new(arr, row_json(st, keys, 9));
			continue;
		}
		printf("#%-4lld %s  %s  %-14s  ", (long long)sqlite3_column_int64(st, 0), col(st, 5),
		       col(st, 1), col(st, 2));
		esc(col(st, 4));
		fputs(": ", stdout);
		esc(col(st, 3));
		putchar('\n');
	}
	sqlite3_finalize(st);
	if (o->json)
		dump_json(arr);
	else
		json_decref(arr);
	return 0;
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fputs("probity: history verify: ", stdout);
	pb_output_escape(stdout, msg);
	putchar('\n');
}

static int history_verify(pb_history *h, const struct hopts *o)
{
	pb_error err;
	int n = pb_history_verify(h, print_problem, NULL, &err);

	if (n < 0)
		return cli_fail_err(&err);
	if (n) {
		printf("probity: history verify: %s: %d problem%s in the decision log\n", o->history, n,
		       n == 1 ? "" : "s");
		return PB_EXIT_FINDINGS;
	}
	printf("probity: history verify: %s: the decision log and every run's anchor verify\n",
	       o->history);
	return 0;
}

int cmd_history(int argc, char **argv)
{
	struct hopts o;
	pb_history *h;
	pb_error err;
	int rc;

	if (parse(argc, argv, &o) < 0)
		return PB_EXIT_USAGE;
	const char *verb = o.nargs ? o.args[0] : "list";
	int (*fn)(pb_history *, const struct hopts *) =
		!strcmp(verb, "list") ? history_list : !strcmp(verb, "diff") ? history_diff
		: !strcmp(verb, "show") ? history_show : !strcmp(verb, "log") ? history_log
		: !strcmp(verb, "verify") ? history_verify : NULL;
	if (!fn)
		return cli_fail(PB_EXIT_USAGE, "history: '%s' is not list, diff, show, log or verify", verb);
	if (fn != history_diff && fn != history_show && o.nargs > 1)
		return cli_fail(PB_EXIT_USAGE, "history %s: unexpected argument '%s'", verb, o.args[1]);
	if (pb_history_open(&h, o.history, PB_HIST_READ, o.wait_ms, &err) < 0)
		return cli_fail_err(&err);
	rc = fn(h, &o);
	pb_history_close(h);
	if (rc == 0 && fflush(stdout) != 0)
		return cli_fail(PB_EXIT_INPUT, "cannot write to standard output: %s", strerror(errno));
	return rc;
}

/* --- probity triage ---------------------------------------------------------- */

static int valid_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 16;
}

static const char *default_by(void)
{
	const char *u = getenv("LOGNAME");

	if (!u || !*u)
		u = getenv("USER");
	return u && *u ? u : NULL;
}

static int check_text(const char *what, const char *s, size_t max)
{
	if (!s || !*s)
		return cli_fail(PB_EXIT_USAGE, "triage: %s is empty; a decision says why and who", what);
	if (strlen(s) > max)
		return cli_fail(PB_EXIT_USAGE, "triage: %s is longer than %zu bytes", what, max);
	return 0;
}

/* One entry of decisions.json: 0 and the decision recorded, or an exit code. */
static int import_one(pb_history *h, json_t *d, size_t i, const char *path, const char *by)
{
	const char *id = NULL, *status = NULL, *note = NULL, *ev = NULL;
	pb_dstatus s;
	pb_error err;
	json_error_t je;

	if (json_unpack_ex(d, &je, JSON_STRICT, "{s:s, s:s, s:s, s?s, s?s, s?s}", "finding", &id,
			   "status", &status, "note", &note, "evidence_hash", &ev, "by", &(const char *){NULL},
			   "at", &(const char *){NULL}) < 0)
		return cli_fail(PB_EXIT_USAGE, "%s: decisions[%zu]: %s (a decision is {\"finding\": ID, "
				"\"status\": STATUS, \"note\": TEXT}, optionally \"evidence_hash\"; docs/history.md)",
				path, i, je.text);
	if (!valid_id(id))
		return cli_fail(PB_EXIT_USAGE, "%s: decisions[%zu]: '%s' is not a finding id", path, i, id);
	if (pb_dstatus_parse(status, &s) < 0)
		return cli_fail(PB_EXIT_USAGE, "%s: decisions[%zu]: status '%s' is not open, confirmed, "
			    "false-positive, accepted-risk or referred", path, i, status);
	if (check_text("the note", note, NOTE_MAX))
		return PB_EXIT_USAGE;
	if (pb_history_decide(h, id, s, note, by, ev, &err) < 0) {
		char where[1100];
		snprintf(where, sizeof(where), "%s: decisions[%zu]: %s", path, i, err.msg);
		return cli_fail(err.code, "%s", where);
	}
	return 0;
}

static int triage_import(pb_history *h, const struct hopts *o, size_t *n)
{
	json_error_t je;
	json_t *root = json_load_file(o->import, JSON_REJECT_DUPLICATES, &je), *arr;
	const char *format = NULL;
	int rc = 0;

	if (!root && je.line < 1)
		return cli_fail(PB_EXIT_INPUT, "%s: %s", o->import, je.text);
	if (!root)
		return cli_fail(PB_EXIT_INPUT, "%s:%d: %s", o->import, je.line, je.text);
	if (json_unpack_ex(root, &je, 0, "{s:s, s:o}", "format", &format, "decisions", &arr) < 0 ||
	    strcmp(format, "probity-decisions/1") || !json_is_array(arr)) {
		json_decref(root);
		return cli_fail(PB_EXIT_USAGE, "%s: not a decisions file: want {\"format\": "
			    "\"probity-decisions/1\", \"decisions\": [...]} (docs/history.md)", o->import);
	}
	for (size_t i = 0; i < json_array_size(arr) && rc == 0; i++)
		rc = import_one(h, json_array_get(arr, i), i, o->import, o->by);
	*n = json_array_size(arr);
	json_decref(root);
	return rc;
}

static int triage_ids(pb_history *h, const struct hopts *o, const char *by)
{
	pb_dstatus s;
	pb_error err;

	if (!o->status || pb_dstatus_parse(o->status, &s) < 0)
		return cli_fail(PB_EXIT_USAGE, "triage: --status '%s': open, confirmed, false-positive, "
			    "accepted-risk or referred", o->status ? o->status : "");
	if (check_text("--note", o->note, NOTE_MAX))
		return PB_EXIT_USAGE;
	for (int i = 0; i < o->nargs; i++) {
		if (!valid_id(o->args[i]))
			return cli_fail(PB_EXIT_USAGE, "triage: '%s' is not a finding id (16 hex digits)", o->args[i]);
		if (pb_history_decide(h, o->args[i], s, o->note, by, NULL, &err) < 0)
			return cli_fail_err(&err);
	}
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	struct hopts o;
	pb_history *h;
	pb_error err;
	size_t n = 0;
	int rc;

	if (parse(argc, argv, &o) < 0)
		return PB_EXIT_USAGE;
	const char *by = o.by ? o.by : o.import ? NULL : default_by();
	if (!by)
		return cli_fail(PB_EXIT_USAGE, "triage: give --by NAME (who decided)");
	if (check_text("--by", by, BY_MAX))
		return PB_EXIT_USAGE;
	o.by = by;
	if (o.import ? o.nargs > 0 || o.status || o.note : o.nargs == 0)
		return cli_fail(PB_EXIT_USAGE, "triage: give ID... --status S --note TEXT, or --import FILE");
	if (pb_history_open(&h, o.history, PB_HIST_WRITE, o.wait_ms, &err) < 0)
		return cli_fail_err(&err);
	if (pb_history_begin(h, &err) < 0) {
		pb_history_close(h);
		return cli_fail_err(&err);
	}
	/* All or nothing: one refused decision records none of them. */
	rc = o.import ? triage_import(h, &o, &n) : triage_ids(h, &o, by);
	if (rc == 0 && pb_history_commit(h, &err) < 0)
		rc = cli_fail_err(&err);
	pb_history_close(h);
	if (rc == 0) {
		fprintf(stderr, "probity: recorded %zu decision%s in ", o.import ? n : (size_t)o.nargs,
			(o.import ? n : (size_t)o.nargs) == 1 ? "" : "s");
		pb_output_escape(stderr, o.history);
		fputc('\n', stderr);
	}
	return rc;
}

/* --- for probity audit ------------------------------------------------------- */

static void add_file(pb_buf *b, const char *what, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	pb_buf_addf(b, "# %s\n", what);
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pb_buf_add(b, chunk, n);
	if (f)
		fclose(f);
	if (b->len && b->data[b->len - 1] != '\n')
		pb_buf_addch(b, '\n');
}

/* The value of option argv[*i] if it is one of `names` ("-p", "--profile"),
 * in any of its spellings (-pX, -p X, --profile=X, --profile X). */
static const char *opt_value(int argc, char **argv, int *i, const char *const *names)
{
	for (; *names; names++) {
		size_t n = strlen(*names);
		if (strncmp(argv[*i], *names, n))
			continue;
		if (!argv[*i][n])
			return *i + 1 < argc ? argv[++*i] : NULL;
		if (argv[*i][n] == '=' && names[0][1] == '-')
			return argv[*i] + n + 1;
		if (names[0][1] != '-')
			return argv[*i] + n;
	}
	return NULL;
}

/*
 * What decides the findings, and nothing that changes from night to
 * night: the config file's text, mapping profiles (a profile file's
 * text), table choices, the reference date, --fail-on.  Paths of inputs
 * and of the output are left out (the inputs are recorded one by one),
 * so a changed settings hash means the rules were run differently.
 */
char *cli_history_settings_text(const char *config_path, int argc, char **argv)
{
	static const char *const profile[] = {"-p", "--profile", NULL};
	static const char *const table[] = {"-t", "--table", NULL};
	static const char *const as_of[] = {"--as-of", NULL};
	static const char *const fail_on[] = {"--fail-on", NULL};
	pb_buf b;

	pb_buf_init(&b);
	if (config_path)
		add_file(&b, "config (-c)", config_path);
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = opt_value(argc, argv, &i, profile))) {
			if (strchr(v, '/') || (strlen(v) > 4 && !strcmp(v + strlen(v) - 4, ".ini")))
				add_file(&b, "profile file (-p)", v);
			else
				pb_buf_addf(&b, "# profile (-p)\n%s\n", v);
		} else if ((v = opt_value(argc, argv, &i, table))) {
			pb_buf_addf(&b, "# table (-t)\n%.*s\n", (int)strcspn(v, "="), v);
		} else if ((v = opt_value(argc, argv, &i, as_of))) {
			pb_buf_addf(&b, "# --as-of\n%s\n", v);
		} else if ((v = opt_value(argc, argv, &i, fail_on))) {
			pb_buf_addf(&b, "# --fail-on\n%s\n", v);
		}
	}
	return pb_buf_detach(&b);
}

void cli_summary_line(FILE *out, const pb_audit *a, int rc)
{
	const pb_history_view *v = pb_history_view_of(a);

	fprintf(out, "probity: summary exit=%d findings=%zu critical=%zu high=%zu medium=%zu low=%zu",
		rc, a->nfindings, pb_audit_count(a, PB_SEV_CRITICAL), pb_audit_count(a, PB_SEV_HIGH),
		pb_audit_count(a, PB_SEV_MEDIUM), pb_audit_count(a, PB_SEV_LOW));
	if (pb_ledger_nfailed(a->ledger))
		fprintf(out, " failed=%zu", pb_ledger_nfailed(a->ledger));
	if (a->nmostly_rejected)
		fprintf(out, " mostly_rejected=%zu", a->nmostly_rejected);
	if (v)
		fprintf(out, " run=%lld new=%zu unchanged=%zu updated=%zu absent=%zu reopened=%zu dismissed=%zu"
			" settings_changed=%d",
			(long long)v->run, v->count[PB_HS_NEW], v->count[PB_HS_UNCHANGED],
			v->count[PB_HS_UPDATED], v->count[PB_HS_ABSENT], v->reopened, v->dismissed,
			v->settings_changed);
	fputc('\n', out);
}
