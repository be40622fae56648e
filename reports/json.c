/*
 * json.c - findings.json, built with jansson (docs/findings.schema.json).
 * Counts are integers; money only ever appears inside strings, so no
 * amount passes through a float.  Key order is fixed and findings are
 * already sorted, so the same audit gives byte-identical output.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "../engine/entities.h"
#include "../engine/parties.h"
#include "../rules/rules.h"
#include "report.h"

/* For keys the schema says are strings: unknown text is "", never null.
 * jansson refuses invalid UTF-8; ledger text was validated on import,
 * but a reporter must never fail on one odd byte. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j ? j : json_string("(invalid UTF-8)");
}

/* For keys that may be null (unknown). */
static json_t *str_or_null(const char *s)
{
	return s ? text(s) : json_null();
}

/* Scores are in [0, 1] by contract; json_real(NAN) would drop the key. */
static json_t *score(double v)
{
	return json_real(isfinite(v) ? fmin(fmax(v, 0.0), 1.0) : 0.0);
}

static json_t *inputs_json(const pb_ledger *l, json_t *totals)
{
	json_t *arr = json_array();
	const pb_input *in = pb_ledger_inputs(l);
	json_int_t read = 0, imported = 0, rejected = 0;

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", text(in[i].path));
		json_object_set_new(o, "table", text(in[i].table));
		json_object_set_new(o, "format", text(in[i].format));
		json_object_set_new(o, "rows_read", json_integer((json_int_t)in[i].rows_read));
		json_object_set_new(o, "rows_imported", json_integer((json_int_t)in[i].rows_imported));
		json_object_set_new(o, "rows_rejected", json_integer((json_int_t)in[i].rows_rejected));
		json_array_append_new(arr, o);
		read += (json_int_t)in[i].rows_read;
		imported += (json_int_t)in[i].rows_imported;
		rejected += (json_int_t)in[i].rows_rejected;
	}
	json_object_set_new(totals, "rows_read", json_integer(read));
	json_object_set_new(totals, "rows_imported", json_integer(imported));
	json_object_set_new(totals, "rows_rejected", json_integer(rejected));
	return arr;
}

static json_t *rejections_json(const pb_ledger *l)
{
	json_t *arr = json_array();
	const pb_rejection *r = pb_ledger_rejections(l);

	for (size_t i = 0; i < pb_ledger_nrejections(l); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", text(r[i].path));
		json_object_set_new(o, "line", json_integer((json_int_t)r[i].line));
		json_object_set_new(o, "reason", text(r[i].reason));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *coverage_json(const pb_audit *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->ncoverage; i++) {
		const pb_coverage *c = &a->coverage[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_string(c->rule->id));
		json_object_set_new(o, "status", json_string(pb_cov_status_name(c->status)));
		json_object_set_new(o, "reason", str_or_null(c->reason));
		json_object_set_new(o, "findings", json_integer((json_int_t)c->nfindings));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *summary_json(const pb_audit *a)
{
	json_t *o = json_object(), *sev = json_object(), *fam = json_object();

	json_object_set_new(o, "findings", json_integer((json_int_t)a->nfindings));
	for (int s = PB_SEV_CRITICAL; s >= PB_SEV_LOW; s--)
		json_object_set_new(sev, pb_severity_name(s),
				    json_integer((json_int_t)pb_audit_count(a, s)));
	for (size_t r = 0; r < pb_nrules; r++) {
		const char *family = pb_rules[r]->family;
		if (json_object_get(fam, family))
			continue;
		json_int_t n = 0;
		for (size_t i = 0; i < a->nfindings; i++)
			n += !strcmp(a->findings[i]->rule->family, family);
		json_object_set_new(fam, family, json_integer(n));
	}
	json_object_set_new(o, "by_severity", sev);
	json_object_set_new(o, "by_family", fam);
	return o;
}

static json_t *finding_json(const pb_finding *f)
{
	json_t *o = json_object(), *subject = json_object(), *ev = json_array();
	json_t *details = json_object();

	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "rule", json_string(f->rule->id));
	json_object_set_new(o, "family", json_string(f->rule->family));
	json_object_set_new(o, "severity", json_string(pb_severity_name(f->severity)));
	json_object_set_new(o, "score", score(f->score));
	json_object_set_new(subject, "table", text(f->subject_table));
	json_object_set_new(subject, "id", text(f->subject_id));
	json_object_set_new(o, "subject", subject);
	json_object_set_new(o, "message", text(f->message));
	json_object_set_new(o, "buyer", str_or_null(f->buyer_id));
	json_object_set_new(o, "supplier", str_or_null(f->supplier_id));
	for (size_t i = 0; i < f->nevidence; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "table", text(f->evidence[i].table));
		json_object_set_new(e, "id", text(f->evidence[i].id));
		json_object_set_new(e, "source", text(f->evidence[i].source));
		json_object_set_new(e, "role", text(f->evidence[i].role));
		if (f->evidence[i].status)
			json_object_set_new(e, "status", text(f->evidence[i].status));
		if (f->evidence[i].nextra) {
			json_t *x = json_object();
			for (uint32_t k = 0; k < f->evidence[i].nextra; k++)
				json_object_set_new(x, f->evidence[i].extra[k].name,
						    text(f->evidence[i].extra[k].value));
			json_object_set_new(e, "extra", x);
		}
		json_array_append_new(ev, e);
	}
	json_object_set_new(o, "evidence", ev);
	if (f->npath) {
		json_t *path = json_array();
		for (size_t i = 0; i < f->npath; i++) {
			const pb_path_step *s = &f->path[i];
			json_t *step = json_object();
			json_object_set_new(step, "from", text(s->from));
			json_object_set_new(step, "kind", text(s->kind));
			json_object_set_new(step, "to", text(s->to));
			json_object_set_new(step, "source", text(s->source));
			json_array_append_new(path, step);
		}
		json_object_set_new(o, "path", path);
	}
	for (size_t i = 0; i < f->ndetails; i++)
		json_object_set_new(details, f->details[i].key, text(f->details[i].value));
	json_object_set_new(o, "details", details);
	return o;
}

static json_t *entities_json(const pb_audit *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->nentities; i++) {
		const pb_entity_score *e = &a->entities[i];
		json_t *o = json_object();
		json_object_set_new(o, "rank", json_integer((json_int_t)e->rank));
		json_object_set_new(o, "id", text(e->id));
		json_object_set_new(o, "name", str_or_null(e->name));
		json_object_set_new(o, "role", json_string(e->role));
		json_object_set_new(o, "score", score(e->score));
		json_object_set_new(o, "findings", json_integer((json_int_t)e->nfindings));
		json_object_set_new(o, "weight", json_integer((json_int_t)e->weight));
		json_object_set_new(o, "rules_applicable", json_integer((json_int_t)e->napplicable));
		json_object_set_new(o, "rules_fired", json_integer((json_int_t)e->nfired));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *possible_links_json(pb_ledger *l, const pb_parties *pp)
{
	json_t *arr = json_array();
	size_t n = 0;
	const pb_possible_link *pl = pp ? pb_parties_possible_links(pp, &n) : NULL;

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object(), *ev = json_array();
		json_object_set_new(o, "a", text(pl[i].a->party_id));
		json_object_set_new(o, "b", text(pl[i].b->party_id));
		json_object_set_new(o, "reason", json_string(pl[i].reason));
		json_array_append_new(ev, text(pb_row_source(l, &pl[i].a->row)));
		json_array_append_new(ev, text(pb_row_source(l, &pl[i].b->row)));
		json_object_set_new(o, "evidence", ev);
		json_array_append_new(arr, o);
	}
	return arr;
}

static int json_write(const pb_audit *a, FILE *out, pb_error *err)
{
	json_t *root = json_object(), *totals = json_object(), *findings = json_array();
	char date[11];

	json_object_set_new(root, "tool", json_string(pb_report_tool()));
	json_object_set_new(root, "as_of", a->as_of == PB_DATE_NONE ? json_null()
				: json_string(pb_date_format(a->as_of, date)));
	json_object_set_new(root, "base_currency", json_string(a->config->base_currency));
	json_object_set_new(root, "inputs", inputs_json(a->ledger, totals));
	json_object_set_new(root, "totals", totals);
	json_object_set_new(root, "rejections", rejections_json(a->ledger));
	json_object_set_new(root, "coverage", coverage_json(a));
	json_object_set_new(root, "summary", summary_json(a));
	json_object_set_new(root, "entities", entities_json(a));
	json_object_set_new(root, "possible_links", possible_links_json(a->ledger, a->parties));
	for (size_t i = 0; i < a->nfindings; i++)
		json_array_append_new(findings, finding_json(a->findings[i]));
	json_object_set_new(root, "findings", findings);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
	json_decref(root);
	if (rc != 0 || fputc('\n', out) == EOF) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write JSON report");
		return -1;
	}
	return 0;
}

const pb_reporter pb_report_json = {
	.name = "json",
	.filename = "findings.json",
	.help = "every finding with evidence, inputs, rejections, coverage, entities",
	.write = json_write,
};
