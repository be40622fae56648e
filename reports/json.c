/*
 * json.c - findings.json, built with jansson (docs/findings.schema.json).
 * Counts are integers; money only ever appears inside strings, so no
 * amount passes through a float.  Key order is fixed and findings are
 * already sorted, so the same audit gives byte-identical output.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../engine/entities.h"
#include "../engine/history.h"
#include "../engine/parties.h"
#include "../engine/catalog.h"
#include "../engine/report.h"

/*
 * Every builder returns NULL when jansson could not allocate: `put` and
 * `push` note the failure in *bad, and a writer that saw one stops
 * (report.h: a report is complete or absent).
 */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!o || !v || json_object_set_new(o, key, v) != 0)
		*bad = 1;
}

static void push(json_t *arr, json_t *v, int *bad)
{
	if (!arr || !v || json_array_append_new(arr, v) != 0)
		*bad = 1;
}

/* The object, or NULL (freed) when any part of it failed. */
static json_t *done(json_t *o, int bad)
{
	if (!bad)
		return o;
	json_decref(o);
	return NULL;
}

/* jansson's NULL means invalid UTF-8 or out of memory: tell them apart. */
static int valid_utf8(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0)
		p += n;
	return !*p;
}

/* For keys the schema says are strings: unknown text is "", never null.
 * jansson refuses invalid UTF-8; ledger text was validated on import,
 * but a reporter must never fail on one odd byte.  NULL only when out
 * of memory. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j || valid_utf8(s ? s : "") ? j : json_string("(invalid UTF-8)");
}

/* For keys that may be null (unknown). */
static json_t *str_or_null(const char *s)
{
	return s ? text(s) : json_null();
}

static json_t *count(size_t n)
{
	return json_integer((json_int_t)n);
}

/* Scores are in [0, 1] by contract; json_real(NAN) would drop the key. */
static json_t *score(double v)
{
	return json_real(isfinite(v) ? fmin(fmax(v, 0.0), 1.0) : 0.0);
}

/*
 * The writer streams: the top-level object is written by hand and each
 * value or array element is built, dumped and freed on its own, so
 * memory stays flat however many findings there are.  Elements are
 * dumped with the same indentation jansson would give the whole tree.
 */
struct jw {
	FILE *out;
	pb_error *err;
	char *buf;
	size_t cap;
	int first_key;
};

static int jw_oom(struct jw *w, const char *what)
{
	pb_error_set(w->err, PB_EXIT_INTERNAL, "out of memory building the JSON report (%s)", what);
	return -1;
}

static int jw_io(struct jw *w)
{
	pb_error_set(w->err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
	return -1;
}

/* Writes v dumped, each of its line breaks followed by `indent` blanks. */
static int jw_value(struct jw *w, json_t *v, int indent, const char *what)
{
	static const char blanks[] = "\n        ";
	size_t n;

	if (!v)
		return jw_oom(w, what);
	n = json_dumpb(v, w->buf, w->cap, JSON_INDENT(2) | JSON_REAL_PRECISION(4) | JSON_ENCODE_ANY);
	if (n > w->cap) {
		char *b = realloc(w->buf, n * 2);
		if (!b) {
			json_decref(v);
			return jw_oom(w, what);
		}
		w->buf = b;
		w->cap = n * 2;
		n = json_dumpb(v, w->buf, w->cap, JSON_INDENT(2) | JSON_REAL_PRECISION(4) | JSON_ENCODE_ANY);
	}
	json_decref(v);
	if (n == 0 || n > w->cap)
		return jw_oom(w, what);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(w->buf + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - w->buf) : n;
		fwrite(w->buf + i, 1, end - i, w->out);
		if (nl)
			fwrite(blanks, 1, (size_t)indent + 1, w->out);
		i = end + (nl != NULL);
	}
	return ferror(w->out) ? jw_io(w) : 0;
}

static void jw_key(struct jw *w, const char *key)
{
	fprintf(w->out, "%s\n  \"%s\": ", w->first_key ? "{" : ",", key);
	w->first_key = 0;
}

/* A top-level key whose value is built whole (small by construction). */
static int jw_member(struct jw *w, const char *key, json_t *v)
{
	jw_key(w, key);
	return jw_value(w, v, 2, key);
}

/* A top-level array written element by element: element(i) for i < n. */
static int jw_array(struct jw *w, const char *key, size_t n, const void *ctx,
		    json_t *(*element)(const void *ctx, size_t i))
{
	jw_key(w, key);
	if (!n) {
		fputs("[]", w->out);
		return ferror(w->out) ? jw_io(w) : 0;
	}
	fputs("[\n    ", w->out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(",\n    ", w->out);
		if (jw_value(w, element(ctx, i), 4, key) < 0)
			return -1;
	}
	fputs("\n  ]", w->out);
	return ferror(w->out) ? jw_io(w) : 0;
}

static json_t *input_json(const void *ctx, size_t i)
{
	const pb_input *in = &pb_ledger_inputs(ctx)[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "path", text(in->path), &bad);
	put(o, "table", text(in->table), &bad);
	put(o, "format", text(in->format), &bad);
	put(o, "rows_read", json_integer((json_int_t)in->rows_read), &bad);
	put(o, "rows_imported", json_integer((json_int_t)in->rows_imported), &bad);
	put(o, "rows_filtered", json_integer((json_int_t)in->rows_filtered), &bad);
	put(o, "rows_rejected", json_integer((json_int_t)in->rows_rejected), &bad);
	put(o, "profile", in->profile ? text(in->profile) : json_null(), &bad);
	return done(o, bad);
}

static json_t *totals_json(const pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);
	json_int_t read = 0, imported = 0, filtered = 0, rejected = 0;
	json_t *o = json_object();
	int bad = 0;

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		read += (json_int_t)in[i].rows_read;
		imported += (json_int_t)in[i].rows_imported;
		filtered += (json_int_t)in[i].rows_filtered;
		rejected += (json_int_t)in[i].rows_rejected;
	}
	put(o, "rows_read", json_integer(read), &bad);
	put(o, "rows_imported", json_integer(imported), &bad);
	put(o, "rows_filtered", json_integer(filtered), &bad);
	put(o, "rows_rejected", json_integer(rejected), &bad);
	return done(o, bad);
}

static json_t *rejection_json(const void *ctx, size_t i)
{
	const pb_rejection *r = &pb_ledger_rejections(ctx)[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "path", text(r->path), &bad);
	put(o, "line", json_integer((json_int_t)r->line), &bad);
	put(o, "reason", text(r->reason), &bad);
	return done(o, bad);
}

static json_t *failed_json(const void *ctx, size_t i)
{
	const pb_failed_input *f = &pb_ledger_failed(ctx)[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "path", text(f->path), &bad);
	put(o, "reason", text(f->reason), &bad);
	return done(o, bad);
}

static json_t *coverage_json(const void *ctx, size_t i)
{
	const pb_coverage *c = &((const pb_audit *)ctx)->coverage[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "rule", json_string(c->rule->id), &bad);
	put(o, "status", json_string(pb_cov_status_name(c->status)), &bad);
	put(o, "reason", str_or_null(c->reason), &bad);
	put(o, "findings", count(c->nfindings), &bad);
	return done(o, bad);
}

/* Counted from the same array the findings are written from, so the
 * summary and the findings can never disagree. */
static json_t *summary_json(const pb_audit *a)
{
	json_t *o = json_object(), *sev = json_object(), *fam = json_object();
	int bad = 0;

	put(o, "findings", count(a->nfindings), &bad);
	for (int s = PB_SEV_CRITICAL; s >= PB_SEV_LOW; s--)
		put(sev, pb_severity_name(s), count(pb_audit_count(a, s)), &bad);
	for (size_t r = 0; r < pb_nrules && fam; r++) {
		const char *family = pb_rules[r]->family;
		if (json_object_get(fam, family))
			continue;
		size_t n = 0;
		for (size_t i = 0; i < a->nfindings; i++)
			n += !strcmp(a->findings[i]->rule->family, family);
		put(fam, family, count(n), &bad);
	}
	put(o, "by_severity", sev, &bad);
	put(o, "by_family", fam, &bad);
	return done(o, bad);
}

static json_t *evidence_json(const pb_evidence *ev)
{
	json_t *e = json_object();
	int bad = 0;

	put(e, "table", text(ev->table), &bad);
	put(e, "id", text(ev->id), &bad);
	put(e, "source", text(ev->source), &bad);
	put(e, "role", text(ev->role), &bad);
	if (ev->status)
		put(e, "status", text(ev->status), &bad);
	if (ev->nextra) {
		json_t *x = json_object();
		for (uint32_t k = 0; k < ev->nextra; k++)
			put(x, ev->extra[k].name, text(ev->extra[k].value), &bad);
		put(e, "extra", x, &bad);
	}
	return done(e, bad);
}

static json_t *path_json(const pb_finding *f)
{
	json_t *path = json_array();
	int bad = 0;

	for (size_t i = 0; i < f->npath; i++) {
		const pb_path_step *s = &f->path[i];
		json_t *step = json_object();
		put(step, "from", text(s->from), &bad);
		put(step, "kind", text(s->kind), &bad);
		put(step, "to", text(s->to), &bad);
		put(step, "source", text(s->source), &bad);
		push(path, step, &bad);
	}
	return done(path, bad);
}

/* --- a run with --history (docs/history.md); nothing without one --- */

static json_t *decision_json(const pb_decision *d)
{
	json_t *o;
	int bad = 0;

	if (!d)
		return json_null();
	o = json_object();
	put(o, "status", json_string(pb_dstatus_name(d->status)), &bad);
	put(o, "note", text(d->note), &bad);
	put(o, "by", text(d->by), &bad);
	put(o, "at", text(d->at), &bad);
	put(o, "seq", json_integer((json_int_t)d->seq), &bad);
	put(o, "reopened", json_boolean(d->reopened), &bad);
	return done(o, bad);
}

/* Per finding: its state against the last run and the reviewers' decision. */
static void finding_history(json_t *o, const pb_audit *a, size_t i, int *bad)
{
	const pb_history_view *v = pb_history_view_of(a);

	if (!v || i >= v->nfindings)
		return;
	put(o, "state", json_string(pb_hstate_name(v->findings[i].state)), bad);
	put(o, "evidence_hash", json_string(v->findings[i].evidence_hash), bad);
	put(o, "decision", decision_json(v->findings[i].decision), bad);
}

static json_t *absent_json(const pb_hentry *e)
{
	json_t *o = json_object(), *subject = json_object();
	int bad = 0;

	put(o, "id", json_string(e->id), &bad);
	put(o, "rule", text(e->rule), &bad);
	put(o, "severity", text(e->severity), &bad);
	put(subject, "table", text(e->subject_table), &bad);
	put(subject, "id", text(e->subject_id), &bad);
	put(o, "subject", subject, &bad);
	put(o, "message", text(e->message), &bad);
	put(o, "state", json_string("absent"), &bad);
	put(o, "evidence_hash", json_string(e->evidence_hash), &bad);
	put(o, "decision", decision_json(e->decision), &bad);
	return done(o, bad);
}

/* The ids of present findings in one state, in the audit's order. */
static json_t *ids_in_state(const pb_history_view *v, pb_hstate s)
{
	json_t *arr = json_array();
	int bad = 0;

	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].state == s)
			push(arr, json_string(v->findings[i].id), &bad);
	return done(arr, bad);
}

static json_t *since_last_run_json(const pb_history_view *v)
{
	json_t *o = json_object(), *counts = json_object(), *absent = json_array();
	json_t *log = json_object();
	int bad = 0;

	put(o, "run", json_integer((json_int_t)v->run), &bad);
	put(o, "started_at", text(v->started_at), &bad);
	put(o, "previous_run", v->previous ? json_integer((json_int_t)v->previous) : json_null(), &bad);
	put(o, "previous_started_at", str_or_null(v->previous_at), &bad);
	put(o, "settings_changed", json_boolean(v->settings_changed), &bad);
	for (int s = 0; s < PB_HS_COUNT; s++)
		put(counts, pb_hstate_name(s), count(v->count[s]), &bad);
	put(o, "counts", counts, &bad);
	put(o, "reopened", count(v->reopened), &bad);
	put(o, "dismissed", count(v->dismissed), &bad);
	put(o, "new", ids_in_state(v, PB_HS_NEW), &bad);
	put(o, "updated", ids_in_state(v, PB_HS_UPDATED), &bad);
	for (size_t i = 0; i < v->nabsent; i++)
		push(absent, absent_json(&v->absent[i]), &bad);
	put(o, "absent", absent, &bad);
	put(log, "entries", json_integer((json_int_t)v->decisions), &bad);
	put(log, "head", json_string(v->decisions_head), &bad);
	put(o, "decision_log", log, &bad);
	put(o, "digest", json_string(v->digest), &bad);
	return done(o, bad);
}

static int jw_since_last_run(struct jw *w, const pb_audit *a)
{
	const pb_history_view *v = pb_history_view_of(a);

	return v ? jw_member(w, "since_last_run", since_last_run_json(v)) : 0;
}

static json_t *finding_json(const void *ctx, size_t i)
{
	const pb_finding *f = ((const pb_audit *)ctx)->findings[i];
	json_t *o = json_object(), *subject = json_object(), *ev = json_array();
	json_t *details = json_object();
	int bad = 0;

	put(o, "id", json_string(f->id), &bad);
	put(o, "rule", json_string(f->rule->id), &bad);
	put(o, "family", json_string(f->rule->family), &bad);
	put(o, "severity", json_string(pb_severity_name(f->severity)), &bad);
	put(o, "score", score(f->score), &bad);
	put(subject, "table", text(f->subject_table), &bad);
	put(subject, "id", text(f->subject_id), &bad);
	put(o, "subject", subject, &bad);
	put(o, "message", text(f->message), &bad);
	put(o, "buyer", str_or_null(f->buyer_id), &bad);
	put(o, "supplier", str_or_null(f->supplier_id), &bad);
	for (size_t k = 0; k < f->nevidence; k++)
		push(ev, evidence_json(&f->evidence[k]), &bad);
	put(o, "evidence", ev, &bad);
	if (f->npath)
		put(o, "path", path_json(f), &bad);
	for (size_t k = 0; k < f->ndetails; k++)
		put(details, f->details[k].key, text(f->details[k].value), &bad);
	put(o, "details", details, &bad);
	finding_history(o, ctx, i, &bad);
	return done(o, bad);
}

static json_t *entity_json(const void *ctx, size_t i)
{
	const pb_entity_score *e = &((const pb_audit *)ctx)->entities[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "rank", count(e->rank), &bad);
	put(o, "id", text(e->id), &bad);
	put(o, "name", str_or_null(e->name), &bad);
	put(o, "role", json_string(e->role), &bad);
	put(o, "score", score(e->score), &bad);
	put(o, "findings", count(e->nfindings), &bad);
	put(o, "weight", json_integer((json_int_t)e->weight), &bad);
	put(o, "rules_applicable", count(e->napplicable), &bad);
	put(o, "rules_fired", count(e->nfired), &bad);
	return done(o, bad);
}

static json_t *source_json(const pb_row *row)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_row_source_add(&b, row);
	json_t *s = text(b.data);
	pb_buf_release(&b);
	return s;
}

static json_t *possible_link_json(const void *ctx, size_t i)
{
	const pb_possible_link *pl = &((const pb_possible_link *)ctx)[i];
	json_t *o = json_object(), *ev = json_array();
	int bad = 0;

	put(o, "a", text(pl->a->party_id), &bad);
	put(o, "b", text(pl->b->party_id), &bad);
	put(o, "reason", json_string(pl->reason), &bad);
	push(ev, source_json(&pl->a->row), &bad);
	push(ev, source_json(&pl->b->row), &bad);
	put(o, "evidence", ev, &bad);
	return done(o, bad);
}

static int json_sections(struct jw *w, const pb_audit *a)
{
	char date[11];
	size_t nlinks = 0;
	const pb_possible_link *links = NULL;

	if (a->parties)
		links = pb_parties_possible_links(a->parties, &nlinks);
	if (jw_member(w, "tool", json_string(pb_report_tool())) < 0 ||
	    jw_since_last_run(w, a) < 0 ||
	    jw_member(w, "as_of", a->as_of == PB_DATE_NONE ? json_null()
		      : json_string(pb_date_format(a->as_of, date))) < 0 ||
	    jw_member(w, "base_currency", json_string(a->config->base_currency)) < 0 ||
	    jw_array(w, "inputs", pb_ledger_ninputs(a->ledger), a->ledger, input_json) < 0 ||
	    /* only when --keep-going left files out: reports stay as they were */
	    (pb_ledger_nfailed(a->ledger) &&
	     jw_array(w, "failed_inputs", pb_ledger_nfailed(a->ledger), a->ledger, failed_json) < 0) ||
	    jw_member(w, "totals", totals_json(a->ledger)) < 0 ||
	    jw_array(w, "rejections", pb_ledger_nrejections(a->ledger), a->ledger,
		     rejection_json) < 0 ||
	    jw_array(w, "coverage", a->ncoverage, a, coverage_json) < 0 ||
	    jw_member(w, "summary", summary_json(a)) < 0 ||
	    jw_array(w, "entities", a->nentities, a, entity_json) < 0 ||
	    jw_array(w, "possible_links", nlinks, links, possible_link_json) < 0 ||
	    jw_array(w, "findings", a->nfindings, a, finding_json) < 0)
		return -1;
	fputs("\n}\n", w->out);
	return ferror(w->out) ? jw_io(w) : 0;
}

static int json_write(const pb_audit *a, FILE *out, pb_error *err)
{
	struct jw w = {out, err, NULL, 0, 1};
	int rc = json_sections(&w, a);

	free(w.buf);
	return rc;
}

const pb_reporter pb_report_json = {
	.name = "json",
	.filename = "findings.json",
	.help = "every finding with evidence, inputs, rejections, coverage, entities",
	.write = json_write,
};
