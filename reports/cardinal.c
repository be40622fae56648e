/*
 * cardinal.c - OCP Cardinal's JSON shape (docs/cardinal.md):
 *
 *   {"OCID": {ocid: {"R024": 0.0}}, "Buyer": {...}, "ProcuringEntity":
 *    {...}, "Tenderer": {...}, "Meta": {"R024": {"q1": ...}}}
 *
 * on one line; only groups and identifiers with a flag appear.  Each of
 * the eleven rules that are Cardinal's indicators (the table below) says,
 * in mode cardinal (`probity cardinal`), where each flag goes: details
 * cardinal_group, cardinal_id, cardinal_code and cardinal_value; its
 * quartiles and fences are one finding of group "Meta".  A finding of
 * the rules' own mode (`probity audit -f cardinal`) goes under its
 * subject: a tender under OCID, a party under Tenderer (Buyer when it is
 * evidence as a buyer), a bid under its tender; its value is its ratio,
 * count or category detail, else 1.  Numbers print as Rust's serde_json
 * prints an f64 (ryu): the shortest text that reads back the same, "1.0"
 * for one, exponents from 1e16 and below 1e-5 ("1e16", "1.5e-7").
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/catalog.h"
#include "reports.h"

/* The indicators, in Cardinal's order, and the rules that compute them. */
static const struct {
	const char *code, *rule;
} indicators[] = {
	{"R003", "bidding.short-submission-period"},
	{"R018", "competition.single-bid"},
	{"R024", "bidding.price-close-to-winner"},
	{"R025", "bidding.excessive-unsuccessful"},
	{"R028", "bidding.identical-bids"},
	{"R030", "bidding.late-bid-won"},
	{"R035", "bidding.all-but-winner-disqualified"},
	{"R036", "bidding.lowest-bid-disqualified"},
	{"R038", "bidding.excessive-disqualification"},
	{"R048", "bidding.heterogeneous-supplier"},
	{"R058", "bidding.heavily-discounted"},
};
#define NINDICATORS (sizeof(indicators) / sizeof(indicators[0]))

static const char *const groups[] = {"OCID", "Buyer", "ProcuringEntity", "Tenderer"};

static const char *detail(const pb_finding *f, const char *key)
{
	for (size_t i = 0; i < f->ndetails; i++)
		if (!strcmp(f->details[i].key, key))
			return f->details[i].value;
	return NULL;
}

/* "null" (not finite) reads as NaN, written back as null. */
static double number(const char *s)
{
	char *end;
	double v = s ? strtod(s, &end) : NAN;

	return s && end != s && !*end ? v : NAN;
}

/* Where a finding of the rules' own mode goes; 0 when nowhere. */
static int place_audit(const pb_finding *f, const char **group, const char **id, double *value)
{
	static const char *const values[] = {"ratio", "win_ratio", "categories", "disqualified"};

	*group = NULL;
	*id = f->subject_id;
	if (!strcmp(f->subject_table, "tenders")) {
		*group = "OCID";
	} else if (!strcmp(f->subject_table, "parties")) {
		*group = "Tenderer";
		for (size_t i = 0; i < f->nevidence; i++)
			if (f->evidence[i].role && !strcmp(f->evidence[i].role, "buyer"))
				*group = "Buyer";
	} else {
		for (size_t i = 0; i < f->nevidence && !*group; i++)
			if (!strcmp(f->evidence[i].table, "tenders")) {
				*group = "OCID";
				*id = f->evidence[i].id;
			}
	}
	*value = 1.0;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (detail(f, values[i])) {
			*value = number(detail(f, values[i]));
			break;
		}
	return *group && *id;
}

static void put(json_t *group, const char *id, const char *code, double v)
{
	json_t *e = json_object_get(group, id);

	if (!e) {
		e = json_object();
		json_object_set_new(group, id, e);
	}
	json_object_set_new(e, code, isfinite(v) ? json_real(v) : json_null());
}

/* Meta: every detail but cardinal_*, rounded to 4 decimals as Cardinal
 * rounds them. */
static void put_meta(json_t *meta, const char *code, const pb_finding *f)
{
	json_t *m = json_object_get(meta, code);

	if (!m) {
		m = json_object();
		json_object_set_new(meta, code, m);
	}
	for (size_t i = 0; i < f->ndetails; i++) {
		if (!strncmp(f->details[i].key, "cardinal_", 9))
			continue;
		double v = number(f->details[i].value);
		v = round(v * 10000.0) / 10000.0;
		json_object_set_new(m, f->details[i].key, isfinite(v) ? json_real(v) : json_null());
	}
}

/* A parameter of the rule at registry index ri, as the audit ran it. */
static const char *param(const pb_audit *a, size_t ri, const char *name)
{
	const pb_rule *r = a->coverage[ri].rule;
	int pi = pb_rule_param_index(r, name);
	const char *v = pi >= 0 && a->config ? a->config->rules[ri].values[pi] : NULL;

	return pi < 0 ? NULL : v ? v : r->params[pi].def;
}

/*
 * An indicator in mode cardinal whose rule could not run (the file has no
 * bids, or no awards) had nothing to compute its quartiles from: its Meta
 * is what Cardinal prints then, null, or the threshold set in place of
 * the fence, which is always the last key.  (R038 prints nothing then.)
 */
static void meta_without_data(json_t *meta, const pb_audit *a, const char *code, const char *rule)
{
	static const struct {
		const char *code, *keys[4];
	} shapes[] = {
		{"R024", {"q1", "q3", "lower_fence", NULL}},
		{"R025", {"q1", "q3", "upper_fence", "lower_fence"}},
		{"R048", {"q1", "q3", "upper_fence", NULL}},
		{"R058", {"q1", "q3", "upper_fence", NULL}},
	};

	for (size_t ri = 0; ri < a->ncoverage; ri++) {
		const pb_coverage *cov = &a->coverage[ri];
		const char *mode = param(a, ri, "mode");
		if (strcmp(cov->rule->id, rule) ||
		    (cov->status != PB_COV_NOT_RUN && cov->status != PB_COV_CANNOT_JUDGE) || !mode ||
		    strcmp(mode, "cardinal"))
			continue;
		const char *threshold = param(a, ri, "threshold");
		int set = threshold && *threshold;
		for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
			if (strcmp(shapes[k].code, code))
				continue;
			json_t *m = json_object();
			for (int i = 0; i < 4 && shapes[k].keys[i]; i++) {
				int last = i == 3 || !shapes[k].keys[i + 1];
				if (set && i < 2)
					continue;
				double v = last && set ? number(threshold) : NAN;
				json_object_set_new(m, shapes[k].keys[i], isfinite(v) ? json_real(v) : json_null());
			}
			json_object_set_new(meta, code, m);
		}
	}
}

static json_t *result(const pb_audit *a, int with_meta)
{
	json_t *all = json_object(), *g[4], *meta = json_object();

	for (int k = 0; k < 4; k++)
		g[k] = json_object();
	for (size_t c = 0; c < NINDICATORS; c++) {
		meta_without_data(meta, a, indicators[c].code, indicators[c].rule);
		for (size_t i = 0; i < a->nfindings; i++) {
			const pb_finding *f = a->findings[i];
			const char *group = detail(f, "cardinal_group"), *id = detail(f, "cardinal_id");
			double v = number(detail(f, "cardinal_value"));
			if (strcmp(f->rule->id, indicators[c].rule))
				continue;
			if (group && !strcmp(group, "Meta")) {
				put_meta(meta, indicators[c].code, f);
				continue;
			}
			if (!group && !place_audit(f, &group, &id, &v))
				continue;
			for (int k = 0; k < 4; k++)
				if (!strcmp(group, groups[k]) && id)
					put(g[k], id, indicators[c].code, v);
		}
	}
	for (int k = 0; k < 4; k++) {
		if (json_object_size(g[k]))
			json_object_set(all, groups[k], g[k]);
		json_decref(g[k]);
	}
	if (with_meta)
		json_object_set(all, "Meta", meta);
	json_decref(meta);
	return all;
}

/* --- writing: jansson escapes the strings, numbers as ryu prints them --- */

static int append(const char *buffer, size_t size, void *data)
{
	pb_buf_add(data, buffer, size);
	return 0;
}

/*
 * serde_json's f64 (ryu's format64): the shortest digits that read back
 * as v, then by kk, the number of digits before the decimal point: an
 * integer with ".0" up to 16 digits, a plain decimal down to 1e-5, else
 * d.ddde[-]x.
 */
static void emit_number(pb_buf *b, double v)
{
	char num[40], digits[24];
	int prec, n = 0;

	if (!isfinite(v)) {
		pb_buf_addstr(b, "null");
		return;
	}
	if (v == 0) {
		pb_buf_addstr(b, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(num, sizeof(num), "%.*e", prec, v);
		if (strtod(num, NULL) == v)
			break;
	}
	/* num is [-]d[.ddd]e(+|-)x */
	const char *p = num;
	if (*p == '-') {
		pb_buf_addch(b, '-');
		p++;
	}
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	digits[n] = '\0';
	int kk = atoi(p + 1) + 1;
	if (kk >= n && kk <= 16) {
		pb_buf_addstr(b, digits);
		for (int i = n; i < kk; i++)
			pb_buf_addch(b, '0');
		pb_buf_addstr(b, ".0");
	} else if (kk > 0 && kk <= 16) {
		pb_buf_add(b, digits, (size_t)kk);
		pb_buf_addch(b, '.');
		pb_buf_addstr(b, digits + kk);
	} else if (kk > -5 && kk <= 0) {
		pb_buf_addstr(b, "0.");
		for (int i = kk; i < 0; i++)
			pb_buf_addch(b, '0');
		pb_buf_addstr(b, digits);
	} else {
		pb_buf_addch(b, digits[0]);
		if (n > 1) {
			pb_buf_addch(b, '.');
			pb_buf_addstr(b, digits + 1);
		}
		pb_buf_addf(b, "e%d", kk - 1);
	}
}

static void emit(pb_buf *b, json_t *v)
{
	const char *key;
	json_t *x;
	int first = 1;

	if (json_is_real(v)) {
		emit_number(b, json_real_value(v));
	} else if (json_is_object(v)) {
		pb_buf_addch(b, '{');
		json_object_foreach(v, key, x) {
			json_t *k = json_string(key);
			if (!first)
				pb_buf_addch(b, ',');
			first = 0;
			json_dump_callback(k, append, b, JSON_ENCODE_ANY);
			json_decref(k);
			pb_buf_addch(b, ':');
			emit(b, x);
		}
		pb_buf_addch(b, '}');
	} else {
		json_dump_callback(v, append, b, JSON_ENCODE_ANY);
	}
}

int pb_report_cardinal_write(const pb_audit *a, int with_meta, FILE *out, pb_error *err)
{
	json_t *all = result(a, with_meta);
	pb_buf b;

	pb_buf_init(&b);
	emit(&b, all);
	pb_buf_addch(&b, '\n');
	json_decref(all);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0) {
		pb_error_set(err, PB_EXIT_INPUT, "cannot write Cardinal's result: %s", strerror(errno));
		pb_buf_release(&b);
		return -1;
	}
	pb_buf_release(&b);
	return 0;
}

static int write_cardinal(const pb_audit *a, FILE *out, pb_error *err)
{
	return pb_report_cardinal_write(a, 1, out, err);
}

const pb_reporter pb_report_cardinal = {
	.name = "cardinal",
	.filename = "cardinal.json",
	.help = "OCP Cardinal's JSON: flags by OCID, Buyer, ProcuringEntity, Tenderer, and Meta",
	.write = write_cardinal,
};
