/*
 * json.c - findings.json, built with jansson (docs/findings.schema.json).
 * Counts are integers; money only ever appears inside strings, so no
 * amount passes through a float.  Key order is fixed and findings are
 * already sorted, so the same audit gives byte-identical output.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
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
 * The long arrays (entities, findings, rejections) are written as they
 * are walked instead, without a jansson tree (see js_open below).
 */
struct jw {
	FILE *out;
	pb_error *err;
	char *buf;
	size_t cap;
	int first_key;
	int depth; /* js_*: nesting of the value being written */
	int first; /* js_*: nothing written yet in the innermost container */
	int bad;   /* js_*: jansson could not allocate */
	char *obuf; /* output on its way to out: JW_OUT bytes */
	size_t olen;
	/* js_score: the last score written and how jansson wrote it */
	double score;
	char score_text[32];
	size_t score_len; /* 0: none yet */
};

/* Output is gathered here and written in blocks: small writes through
 * stdio took a fifth of the report's time. */
#define JW_OUT 65536

static void jw_flush(struct jw *w)
{
	if (w->olen)
		fwrite(w->obuf, 1, w->olen, w->out);
	w->olen = 0;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (n > JW_OUT - w->olen) {
		jw_flush(w);
		if (n > JW_OUT) {
			fwrite(s, 1, n, w->out);
			return;
		}
	}
	memcpy(w->obuf + w->olen, s, n);
	w->olen += n;
}

static void jw_puts(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

static void jw_putc(struct jw *w, char c)
{
	if (w->olen == JW_OUT)
		jw_flush(w);
	w->obuf[w->olen++] = c;
}

/* Has writing failed?  Only what was flushed can have. */
static int jw_failed(struct jw *w)
{
	return ferror(w->out) != 0;
}

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

/* A comma, a line break and blanks to indent with: js_next writes the
 * part it needs in one piece. */
static const char comma_newline[] = ",\n                                ";
#define NEWLINE_MAX_INDENT ((int)sizeof(comma_newline) - 3)

/* Writes a line break and `indent` blanks. */
static void jw_newline(struct jw *w, int indent)
{
	const char *blanks = comma_newline + 2;

	if (indent <= NEWLINE_MAX_INDENT) {
		jw_put(w, comma_newline + 1, 1 + (size_t)indent);
		return;
	}
	jw_putc(w, '\n');
	for (; indent > 0; indent -= NEWLINE_MAX_INDENT)
		jw_put(w, blanks, indent < NEWLINE_MAX_INDENT ? (size_t)indent : (size_t)NEWLINE_MAX_INDENT);
}

/* Writes v dumped (and frees it), each of its line breaks followed by
 * `indent` blanks; 0 on success, -1 when v is NULL or could not be
 * dumped (out of memory). */
static int jw_dump(struct jw *w, json_t *v, int indent)
{
	const size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(4) | JSON_ENCODE_ANY;
	size_t n;

	if (!v)
		return -1;
	n = json_dumpb(v, w->buf, w->cap, flags);
	if (n > w->cap) {
		char *b = realloc(w->buf, n * 2);
		if (!b) {
			json_decref(v);
			return -1;
		}
		w->buf = b;
		w->cap = n * 2;
		n = json_dumpb(v, w->buf, w->cap, flags);
	}
	json_decref(v);
	if (n == 0 || n > w->cap)
		return -1;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(w->buf + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - w->buf) : n;
		jw_put(w, w->buf + i, end - i);
		if (nl)
			jw_newline(w, indent);
		i = end + (nl != NULL);
	}
	return 0;
}

static int jw_value(struct jw *w, json_t *v, int indent, const char *what)
{
	if (jw_dump(w, v, indent) < 0)
		return jw_oom(w, what);
	return jw_failed(w) ? jw_io(w) : 0;
}

static void jw_key(struct jw *w, const char *key)
{
	jw_puts(w, w->first_key ? "{\n  \"" : ",\n  \"");
	jw_puts(w, key);
	jw_puts(w, "\": ");
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
		jw_puts(w, "[]");
		return jw_failed(w) ? jw_io(w) : 0;
	}
	jw_puts(w, "[\n    ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			jw_puts(w, ",\n    ");
		if (jw_value(w, element(ctx, i), 4, key) < 0)
			return -1;
	}
	jw_puts(w, "\n  ]");
	return jw_failed(w) ? jw_io(w) : 0;
}

/*
 * Elements of the long arrays are written as they are walked, in the
 * layout jansson gives a tree (JSON_INDENT(2)): building a jansson
 * object per entity and per finding and dumping it took more time than
 * the rest of the audit's reports together.  Text still goes through
 * jansson, which escapes it and checks its UTF-8, except text of
 * ASCII without control characters, '"' or '\\' (pb_json_plain_prefix),
 * which jansson would write unchanged; numbers are written as jansson
 * writes them.  js_open and js_close bracket an object or array; js_key
 * or js_next comes before each member or element.
 */
static void js_open(struct jw *w, char bracket)
{
	jw_putc(w, bracket);
	w->depth++;
	w->first = 1;
}

static void js_close(struct jw *w, char bracket)
{
	w->depth--;
	if (!w->first)
		jw_newline(w, 2 * w->depth);
	jw_putc(w, bracket);
	w->first = 0;
}

/* Before an array element: the comma after the one before. */
static void js_next(struct jw *w)
{
	int indent = 2 * w->depth, comma = !w->first;

	w->first = 0;
	if (indent <= NEWLINE_MAX_INDENT) {
		jw_put(w, comma_newline + !comma, (size_t)comma + 1 + (size_t)indent);
		return;
	}
	if (comma)
		jw_putc(w, ',');
	jw_newline(w, indent);
}

/* A jansson value (freed), indented to where it stands. */
static void js_value(struct jw *w, json_t *v)
{
	if (jw_dump(w, v, 2 * w->depth) < 0)
		w->bad = 1;
}

/*
 * A score, as jansson writes it.  Most entities score 0 and most
 * findings share a few scores, so the text of the last one is kept: a
 * jansson real made and dumped for each of half a million entities was
 * a third of the ranking's time.
 */
static void js_score(struct jw *w, double v)
{
	if (!w->score_len || memcmp(&v, &w->score, sizeof(v))) {
		const size_t flags = JSON_REAL_PRECISION(4) | JSON_ENCODE_ANY;
		json_t *r = score(v);
		size_t n = r ? json_dumpb(r, w->score_text, sizeof(w->score_text), flags) : 0;
		json_decref(r);
		if (n == 0 || n >= sizeof(w->score_text)) {
			w->score_len = 0;
			js_value(w, score(v)); /* cannot be kept: written as any value */
			return;
		}
		w->score = v;
		w->score_len = n;
	}
	jw_put(w, w->score_text, w->score_len);
}

/* NULL is written "" (text()); never null. */
static void js_string(struct jw *w, const char *s)
{
	size_t n = s ? pb_json_plain_prefix(s) : 0;

	if (!s || !s[n]) {
		jw_putc(w, '"');
		jw_put(w, s ? s : "", n);
		jw_putc(w, '"');
	} else {
		js_value(w, text(s));
	}
}

/* A key from the ledger (an extra column's name), escaped as needed. */
static void js_key_text(struct jw *w, const char *key)
{
	js_next(w);
	js_string(w, key);
	jw_puts(w, ": ");
}

/*
 * A key of the report's own, written as it stands: `quoted` is the key
 * in quotes with its ": " (js_key and the macros below make it from a
 * string literal, which must be printable ASCII without '"' or '\\').
 * Half a million entities have nine keys each.
 */
static void js_key_quoted(struct jw *w, const char *quoted, size_t n)
{
	js_next(w);
	jw_put(w, quoted, n);
}

#define JS_QUOTED(key) "\"" key "\": "
#define js_key(w, key) js_key_quoted((w), JS_QUOTED(key), sizeof(JS_QUOTED(key)) - 1)
#define js_text(w, key, s) (js_key(w, key), js_string((w), (s)))
#define js_text_or_null(w, key, s) (js_key(w, key), js_string_or_null((w), (s)))
#define js_count(w, key, n) (js_key(w, key), js_number((w), (n)))

static void js_string_or_null(struct jw *w, const char *s)
{
	if (s)
		js_string(w, s);
	else
		jw_puts(w, "null");
}

static void js_number(struct jw *w, json_int_t n)
{
	char digits[24], *p = digits + sizeof(digits);
	unsigned long long u = n < 0 ? -(unsigned long long)n : (unsigned long long)n;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		*--p = '-';
	jw_put(w, p, (size_t)(digits + sizeof(digits) - p));
}

/*
 * An object of n texts, pair i's key and value at key_at and value_at
 * in the element of `size` bytes at base + i * size.  A repeated key
 * is written once, where it first stands, with the value it was given
 * last: what setting the keys of a jansson object in turn gives.
 */
static const char *text_at(const void *base, size_t i, size_t size, size_t at)
{
	return *(const char *const *)((const char *)base + i * size + at);
}

static void js_texts(struct jw *w, const void *base, size_t n, size_t size, size_t key_at,
		     size_t value_at)
{
	js_open(w, '{');
	for (size_t i = 0; i < n; i++) {
		const char *key = text_at(base, i, size, key_at);
		const char *value = text_at(base, i, size, value_at);
		size_t k = 0;
		while (k < i && strcmp(text_at(base, k, size, key_at), key))
			k++;
		if (k < i)
			continue; /* written where it first stood */
		for (k = i + 1; k < n; k++)
			if (!strcmp(text_at(base, k, size, key_at), key))
				value = text_at(base, k, size, value_at);
		js_key_text(w, key);
		js_string(w, value);
	}
	js_close(w, '}');
}

/* A top-level array whose elements write(w, ctx, i) writes, i < n. */
static int js_array(struct jw *w, const char *key, size_t n, const void *ctx,
		    void (*write)(struct jw *w, const void *ctx, size_t i))
{
	jw_key(w, key);
	w->depth = 1;
	w->first = 1;
	w->bad = 0;
	js_open(w, '[');
	for (size_t i = 0; i < n; i++) {
		js_next(w);
		write(w, ctx, i);
		if (w->bad)
			return jw_oom(w, key);
		if (jw_failed(w))
			return jw_io(w);
	}
	js_close(w, ']');
	return jw_failed(w) ? jw_io(w) : 0;
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
	put(o, "values_unread", json_integer((json_int_t)in->values_unread), &bad);
	put(o, "profile", in->profile ? text(in->profile) : json_null(), &bad);
	return done(o, bad);
}

static json_t *totals_json(const pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);
	json_int_t read = 0, imported = 0, filtered = 0, rejected = 0, unread = 0;
	json_t *o = json_object();
	int bad = 0;

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		read += (json_int_t)in[i].rows_read;
		imported += (json_int_t)in[i].rows_imported;
		filtered += (json_int_t)in[i].rows_filtered;
		rejected += (json_int_t)in[i].rows_rejected;
		unread += (json_int_t)in[i].values_unread;
	}
	put(o, "rows_read", json_integer(read), &bad);
	put(o, "rows_imported", json_integer(imported), &bad);
	put(o, "rows_filtered", json_integer(filtered), &bad);
	put(o, "rows_rejected", json_integer(rejected), &bad);
	put(o, "values_unread", json_integer(unread), &bad);
	return done(o, bad);
}

/* A row of an input and why (a rejection, a value not read). */
static void source_row_write(struct jw *w, const pb_rejection *r)
{
	js_open(w, '{');
	js_text(w, "path", r->path);
	js_count(w, "line", (json_int_t)r->line);
	js_text(w, "reason", r->reason);
	js_close(w, '}');
}

static void rejection_write(struct jw *w, const void *ctx, size_t i)
{
	source_row_write(w, &pb_ledger_rejections(ctx)[i]);
}

static void unread_write(struct jw *w, const void *ctx, size_t i)
{
	source_row_write(w, &pb_ledger_unread_values(ctx)[i]);
}

static json_t *failed_json(const void *ctx, size_t i)
{
	const pb_failed_input *f = &pb_ledger_failed(ctx)[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "path", text(f->path), &bad);
	put(o, "reason", text(f->reason), &bad);
	put(o, "rows_read", json_integer((json_int_t)f->rows_read), &bad);
	return done(o, bad);
}

static json_t *mostly_rejected_json(const void *ctx, size_t i)
{
	const pb_rejection_alarm *m = &((const pb_audit *)ctx)->mostly_rejected[i];
	json_t *o = json_object();
	int bad = 0;

	put(o, "what", text(m->what), &bad);
	put(o, "inputs", count(m->inputs), &bad);
	put(o, "rows_read", json_integer((json_int_t)m->read), &bad);
	put(o, "rows_rejected", json_integer((json_int_t)m->rejected), &bad);
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

static void evidence_write(struct jw *w, const pb_evidence *ev)
{
	js_open(w, '{');
	js_text(w, "table", ev->table);
	js_text(w, "id", ev->id);
	js_text(w, "source", ev->source);
	js_text(w, "role", ev->role);
	if (ev->status)
		js_text(w, "status", ev->status);
	if (ev->nextra) {
		js_key(w, "extra");
		js_texts(w, ev->extra, ev->nextra, sizeof(*ev->extra), offsetof(pb_attr, name),
			 offsetof(pb_attr, value));
	}
	js_close(w, '}');
}

static void path_write(struct jw *w, const pb_finding *f)
{
	js_open(w, '[');
	for (size_t i = 0; i < f->npath; i++) {
		const pb_path_step *s = &f->path[i];
		js_next(w);
		js_open(w, '{');
		js_text(w, "from", s->from);
		js_text(w, "kind", s->kind);
		js_text(w, "to", s->to);
		js_text(w, "source", s->source);
		js_close(w, '}');
	}
	js_close(w, ']');
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
static void finding_history(struct jw *w, const pb_audit *a, size_t i)
{
	const pb_history_view *v = pb_history_view_of(a);

	if (!v || i >= v->nfindings)
		return;
	js_text(w, "state", pb_hstate_name(v->findings[i].state));
	js_text(w, "evidence_hash", v->findings[i].evidence_hash);
	js_key(w, "decision");
	js_value(w, decision_json(v->findings[i].decision));
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

static void finding_write(struct jw *w, const void *ctx, size_t i)
{
	const pb_finding *f = ((const pb_audit *)ctx)->findings[i];

	js_open(w, '{');
	js_text(w, "id", f->id);
	js_text(w, "rule", f->rule->id);
	js_text(w, "family", f->rule->family);
	js_text(w, "severity", pb_severity_name(f->severity));
	js_key(w, "score");
	js_score(w, f->score);
	js_key(w, "subject");
	js_open(w, '{');
	js_text(w, "table", f->subject_table);
	js_text(w, "id", f->subject_id);
	js_close(w, '}');
	js_text(w, "message", f->message);
	js_text_or_null(w, "buyer", f->buyer_id);
	js_text_or_null(w, "supplier", f->supplier_id);
	js_key(w, "evidence");
	js_open(w, '[');
	for (size_t k = 0; k < f->nevidence; k++) {
		js_next(w);
		evidence_write(w, &f->evidence[k]);
	}
	js_close(w, ']');
	if (f->npath) {
		js_key(w, "path");
		path_write(w, f);
	}
	js_key(w, "details");
	js_texts(w, f->details, f->ndetails, sizeof(*f->details), offsetof(pb_detail, key),
		 offsetof(pb_detail, value));
	finding_history(w, ctx, i);
	js_close(w, '}');
}

static void entity_write(struct jw *w, const void *ctx, size_t i)
{
	const pb_audit *a = ctx;
	const pb_entity_score *e = &a->entities[i];

	pb_entities_prefetch(a->entities, a->nentities, i);
	js_open(w, '{');
	js_count(w, "rank", (json_int_t)e->rank);
	js_text(w, "id", e->id);
	js_text_or_null(w, "name", e->name);
	js_text(w, "role", e->role);
	js_key(w, "score");
	js_score(w, e->score);
	js_count(w, "findings", (json_int_t)e->nfindings);
	js_count(w, "weight", (json_int_t)e->weight);
	js_count(w, "rules_applicable", (json_int_t)e->napplicable);
	js_count(w, "rules_fired", (json_int_t)e->nfired);
	js_close(w, '}');
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

	put(o, "a", text(pb_str(pl->a->party_id)), &bad);
	put(o, "b", text(pb_str(pl->b->party_id)), &bad);
	put(o, "reason", json_string(pl->reason), &bad);
	push(ev, source_json(&pl->a->row), &bad);
	push(ev, source_json(&pl->b->row), &bad);
	put(o, "evidence", ev, &bad);
	return done(o, bad);
}

/* Event dates the default as_of left out as typing errors. */
static json_t *as_of_aside_json(const pb_dates_aside *aside)
{
	json_t *o = json_object();
	char date[11];
	int bad = 0;

	put(o, "dates", json_integer((json_int_t)aside->n), &bad);
	put(o, "earliest", json_string(pb_date_format(aside->earliest, date)), &bad);
	put(o, "latest", json_string(pb_date_format(aside->latest, date)), &bad);
	put(o, "table", json_string(aside->table), &bad);
	put(o, "field", json_string(aside->field), &bad);
	put(o, "source", source_json(aside->row), &bad);
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
	    /* only when dates were left out: reports stay as they were */
	    (a->as_of_aside.n && jw_member(w, "as_of_set_aside", as_of_aside_json(&a->as_of_aside)) < 0) ||
	    jw_member(w, "base_currency", json_string(a->config->base_currency)) < 0 ||
	    jw_array(w, "inputs", pb_ledger_ninputs(a->ledger), a->ledger, input_json) < 0 ||
	    /* only when --keep-going left files out: reports stay as they were */
	    (pb_ledger_nfailed(a->ledger) &&
	     jw_array(w, "failed_inputs", pb_ledger_nfailed(a->ledger), a->ledger, failed_json) < 0) ||
	    /* only when inputs were mostly rejected: reports stay as they were */
	    (a->nmostly_rejected &&
	     jw_array(w, "mostly_rejected", a->nmostly_rejected, a, mostly_rejected_json) < 0) ||
	    jw_member(w, "totals", totals_json(a->ledger)) < 0 ||
	    js_array(w, "rejections", pb_ledger_nrejections(a->ledger), a->ledger,
		     rejection_write) < 0 ||
	    js_array(w, "unread_values", pb_ledger_nunread(a->ledger), a->ledger, unread_write) < 0 ||
	    jw_array(w, "coverage", a->ncoverage, a, coverage_json) < 0 ||
	    jw_member(w, "summary", summary_json(a)) < 0 ||
	    js_array(w, "entities", a->nentities, a, entity_write) < 0 ||
	    jw_array(w, "possible_links", nlinks, links, possible_link_json) < 0 ||
	    js_array(w, "findings", a->nfindings, a, finding_write) < 0)
		return -1;
	jw_puts(w, "\n}\n");
	jw_flush(w);
	return jw_failed(w) ? jw_io(w) : 0;
}

static int json_write(const pb_audit *a, FILE *out, pb_error *err)
{
	struct jw w = {.out = out, .err = err, .first_key = 1, .obuf = malloc(JW_OUT)};
	int rc = w.obuf ? json_sections(&w, a) : jw_oom(&w, "output buffer");

	free(w.obuf);
	free(w.buf);
	return rc;
}

const pb_reporter pb_report_json = {
	.name = "json",
	.filename = "findings.json",
	.help = "every finding with evidence, inputs, rejections, coverage, entities",
	.write = json_write,
};
