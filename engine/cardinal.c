/*
 * cardinal.c - Cardinal-compatible indicators (R003 ... R058).
 *
 * The rules here follow ../shared/conformance/cardinal/README.md, which
 * records Cardinal 0.0.8's behaviour as confirmed by its fixtures: line
 * filters (invalid, no ocid, cancelled, excluded details), "submitted"
 * and "valid" bids, final processes, the price-comparison filter, the
 * main currency, and Hyndman-Fan type 8 quartiles with inclusive fences.
 * Amounts are compared as Cardinal compares them, as doubles: these are
 * statistical indicators, not money.
 */
#include <ini.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cardinal.h"
#include "pb.h"

/* --- settings --- */

#define NCODES 11
static const char *const codes[NCODES] = {"R003", "R018", "R024", "R025", "R028", "R030",
					  "R035", "R036", "R038", "R048", "R058"};

struct settings {
	int enabled[NCODES];
	int any_section;
	char *currency;
	char *no_price, *price_only; /* '|' lists */
	char *exclusions;
	json_t *values; /* "R003.threshold" -> string; "R003.procurement_method_details.x" */
};

static int code_index(const char *s)
{
	for (int i = 0; i < NCODES; i++)
		if (!strncmp(s, codes[i], 4) && (s[4] == '\0' || s[4] == '.' || s[4] == ']'))
			return i;
	return -1;
}

static int settings_handler(void *user, const char *section, const char *key, const char *value)
{
	struct settings *st = user;

	if (!*section) {
		if (!strcmp(key, "currency"))
			st->currency = pb_xstrdup(value);
		else if (!strcmp(key, "no_price_comparison_procurement_methods"))
			st->no_price = pb_xstrdup(value);
		else if (!strcmp(key, "price_comparison_procurement_methods"))
			st->price_only = pb_xstrdup(value);
		return 1;
	}
	if (!strcmp(section, "exclusions")) {
		if (!strcmp(key, "procurement_method_details"))
			st->exclusions = pb_xstrdup(value);
		return 1;
	}
	int i = code_index(section);
	if (i < 0)
		return 1; /* Cardinal has other sections (prepare, ...): ignored */
	st->enabled[i] = 1;
	st->any_section = 1;
	char name[256];
	snprintf(name, sizeof(name), "%s.%s", section, key);
	json_object_set_new(st->values, name, json_string(value));
	return 1;
}

/* Sections without keys reach no handler: find them by hand. */
static void scan_sections(struct settings *st, FILE *f)
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '[')
			continue;
		int i = code_index(s + 1);
		if (i >= 0) {
			st->enabled[i] = 1;
			st->any_section = 1;
		}
	}
	rewind(f);
}

static const char *setting(const struct settings *st, const char *code, const char *key)
{
	char name[512];

	snprintf(name, sizeof(name), "%s.%s", code, key);
	return json_string_value(json_object_get(st->values, name));
}

static double setting_num(const struct settings *st, const char *code, const char *key, double def)
{
	const char *v = setting(st, code, key);
	char *end;

	double d;

	if (!v)
		return def;
	d = strtod(v, &end);
	return end == v ? def : d;
}

static int in_list(const char *list, const char *value)
{
	size_t n = value ? strlen(value) : 0;

	for (const char *p = list; value && p && *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && !strncmp(p, value, n))
			return 1;
		p += k + (p[k] == '|');
	}
	return 0;
}

/* --- the process model, straight from the release --- */

struct cctx {
	const struct settings *st;
	json_t **rel;
	size_t n;
	const char *main_currency;
	json_t *out;  /* {"OCID": {...}, "Tenderer": {...}, ...} */
	json_t *meta;
};

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *path(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

static void flag(struct cctx *c, const char *group, const char *id, const char *code, double v)
{
	json_t *g = json_object_get(c->out, group);

	if (!id)
		return;
	if (!g) {
		g = json_object();
		json_object_set_new(c->out, group, g);
	}
	json_t *e = json_object_get(g, id);
	if (!e) {
		e = json_object();
		json_object_set_new(g, id, e);
	}
	json_object_set_new(e, code, json_real(v));
}

static int status_is(json_t *o, const char *s)
{
	const char *v = str(o, "status");
	return v && !strcmp(v, s);
}

static int submitted(json_t *bid)
{
	return !status_is(bid, "invited") && !status_is(bid, "withdrawn");
}

/* Every award active, cancelled or unsuccessful. */
static int final(json_t *r)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(r, "awards"), i, a)
		if (!status_is(a, "active") && !status_is(a, "cancelled") && !status_is(a, "unsuccessful"))
			return 0;
	return 1;
}

static int price_comparable(const struct cctx *c, json_t *r)
{
	const char *d = str(json_object_get(r, "tender"), "procurementMethodDetails");

	if (c->st->price_only)
		return in_list(c->st->price_only, d);
	return !(c->st->no_price && in_list(c->st->no_price, d));
}

/* Amount in the main currency, or NAN. */
static double amount(const struct cctx *c, json_t *bid)
{
	json_t *v = json_object_get(bid, "value");
	json_t *a = json_object_get(v, "amount");
	const char *cur = str(v, "currency");

	if (!json_is_number(a) || !cur || !c->main_currency || strcmp(cur, c->main_currency))
		return NAN;
	return json_number_value(a);
}

static json_t *bids(json_t *r)
{
	return path(r, "bids", "details");
}

static const char *only_tenderer(json_t *bid)
{
	json_t *t = json_object_get(bid, "tenderers");

	return json_array_size(t) == 1 ? str(json_array_get(t, 0), "id") : NULL;
}

static int is_supplier(json_t *award, const char *id)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(award, "suppliers"), i, s)
		if (id && str(s, "id") && !strcmp(str(s, "id"), id))
			return 1;
	return 0;
}

/* The single supplier of the only active award, or NULL. */
static const char *sole_winner(json_t *r)
{
	size_t i;
	json_t *a, *active = NULL;
	int count = 0;

	json_array_foreach(json_object_get(r, "awards"), i, a)
		if (status_is(a, "active")) {
			active = a;
			count++;
		}
	if (count != 1 || json_array_size(json_object_get(active, "suppliers")) != 1)
		return NULL;
	return str(json_array_get(json_object_get(active, "suppliers"), 0), "id");
}

/* --- quantiles and fences --- */

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double pb_cardinal_quantile(const double *x, size_t n, double p)
{
	double h = fma((double)n + 1.0 / 3.0, p, 1.0 / 3.0);
	double j = floor(h), g = h - j;

	if (n == 0)
		return NAN;
	if (j < 1)
		return x[0];
	if (j >= (double)n)
		return x[n - 1];
	size_t k = (size_t)j - 1;
	return fma(g, x[k + 1] - x[k], x[k]);
}

pb_fences pb_cardinal_fences(const double *v, size_t n)
{
	pb_fences f;
	double *s = pb_xcalloc(n + 1, sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), dcmp);
	f.q1 = pb_cardinal_quantile(s, n, 0.25);
	f.q3 = pb_cardinal_quantile(s, n, 0.75);
	double iqr = f.q3 - f.q1;
	f.lower = fma(-1.5, iqr, f.q1);
	f.upper = fma(1.5, iqr, f.q3);
	free(s);
	return f;
}

static pb_fences fences_of(struct cctx *c, const char *code, double *v, size_t n)
{
	pb_fences f = pb_cardinal_fences(v, n);

	json_object_set_new(c->meta, code, json_pack("{s:f, s:f, s:f, s:f}", "q1", f.q1, "q3", f.q3,
						     "lower_fence", f.lower, "upper_fence", f.upper));
	return f;
}

/* --- the indicators --- */

static int64_t parse_rfc3339(const char *s, int *ok)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, n = 0;
	char sign = 0;

	*ok = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) < 6)
		return 0;
	const char *p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return 0;
		p += 6;
	} else {
		return 0;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	*ok = 1;
	/* days from civil */
	int yy = y - (mo <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t days = (int64_t)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	int64_t t = days * 86400 + h * 3600 + mi * 60 + sec;
	int64_t off = (int64_t)(oh * 3600 + om * 60);
	return sign == '+' ? t - off : sign == '-' ? t + off : t;
}

static void r003(struct cctx *c)
{
	const char *methods = setting(c->st, "R003", "procurement_methods");
	double def = setting_num(c->st, "R003", "threshold", 15);

	for (size_t i = 0; i < c->n; i++) {
		json_t *t = json_object_get(c->rel[i], "tender");
		json_t *period = json_object_get(t, "tenderPeriod");
		int ok1, ok2;
		int64_t a = parse_rfc3339(str(period, "startDate"), &ok1);
		int64_t b = parse_rfc3339(str(period, "endDate"), &ok2);
		if (!ok1 || !ok2)
			continue;
		if (methods && !in_list(methods, str(t, "procurementMethod")))
			continue;
		double threshold = def;
		const char *details = str(t, "procurementMethodDetails");
		if (details) {
			char key[256];
			snprintf(key, sizeof(key), "procurement_method_details.%s", details);
			threshold = setting_num(c->st, "R003", key, def);
		}
		int64_t days = (b - a) / 86400; /* truncated toward zero */
		if ((double)days < threshold)
			flag(c, "OCID", str(c->rel[i], "ocid"), "R003", 1.0);
	}
}

static void r018(struct cctx *c)
{
	const char *methods = setting(c->st, "R018", "procurement_methods");

	if (!methods)
		methods = "open|selective";
	for (size_t i = 0; i < c->n; i++) {
		json_t *t = json_object_get(c->rel[i], "tender");
		json_t *nt = json_object_get(t, "numberOfTenderers");
		if (json_is_integer(nt) && json_integer_value(nt) == 1 &&
		    in_list(methods, str(t, "procurementMethod")))
			flag(c, "OCID", str(c->rel[i], "ocid"), "R018", 1.0);
	}
}

/* The winner's lowest valid bid and the lowest other valid bid; returns
 * the ratio, or NAN when the process does not qualify. */
static double price_ratio(struct cctx *c, json_t *r, const char **winner, const char **runner)
{
	size_t i;
	json_t *b;
	double w = INFINITY, l = INFINITY;

	*winner = sole_winner(r);
	*runner = NULL;
	if (!*winner || !final(r) || !price_comparable(c, r))
		return NAN;
	json_array_foreach(bids(r), i, b) {
		const char *who = only_tenderer(b);
		double v = amount(c, b);
		if (!status_is(b, "valid") || !who || isnan(v))
			continue;
		if (!strcmp(who, *winner)) {
			if (v < w)
				w = v;
		} else if (v < l) {
			l = v;
			*runner = who;
		}
	}
	if (isinf(w) || isinf(l) || w <= 0 || l < w)
		return NAN;
	return (l - w) / w;
}

static void ratio_indicator(struct cctx *c, const char *code, int lower)
{
	double *v = pb_xcalloc(c->n + 1, sizeof(*v));
	size_t *which = pb_xcalloc(c->n + 1, sizeof(*which)), m = 0;
	const char **win = pb_xcalloc(c->n + 1, sizeof(*win)), **run = pb_xcalloc(c->n + 1, sizeof(*run));

	for (size_t i = 0; i < c->n; i++) {
		double r = price_ratio(c, c->rel[i], &win[m], &run[m]);
		if (isnan(r))
			continue;
		v[m] = r;
		which[m++] = i;
	}
	if (m) {
		pb_fences f = fences_of(c, code, v, m);
		double t = setting_num(c->st, code, "threshold", lower ? f.lower : f.upper);
		int guard = lower ? (f.q1 > 0 && f.lower > 0) || setting(c->st, code, "threshold")
				  : f.upper > 0 || setting(c->st, code, "threshold");
		for (size_t k = 0; guard && k < m; k++) {
			if (lower ? v[k] > t : v[k] < t)
				continue;
			flag(c, "OCID", str(c->rel[which[k]], "ocid"), code, v[k]);
			flag(c, "Tenderer", win[k], code, 0.0);
			if (lower)
				flag(c, "Tenderer", run[k], code, 0.0);
		}
	}
	free(v);
	free(which);
	free(win);
	free(run);
}

static void r024(struct cctx *c)
{
	ratio_indicator(c, "R024", 1);
}

static void r058(struct cctx *c)
{
	ratio_indicator(c, "R058", 0);
}

static void r025(struct cctx *c)
{
	json_t *bidcount = json_object(), *wins = json_object();
	size_t i;
	const char *id;
	json_t *v;

	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *seen = json_object(), *b;
		if (!final(r))
			continue;
		json_array_foreach(bids(r), i, b) {
			const char *who = only_tenderer(b);
			if (!status_is(b, "valid") || !who || json_object_get(seen, who))
				continue;
			json_object_set_new(seen, who, json_true());
			json_object_set_new(bidcount, who, json_integer(json_integer_value(json_object_get(bidcount, who)) + 1));
			size_t k;
			json_t *a;
			int won = 0;
			json_array_foreach(json_object_get(r, "awards"), k, a)
				won |= status_is(a, "active") && is_supplier(a, who);
			if (won)
				json_object_set_new(wins, who, json_integer(json_integer_value(json_object_get(wins, who)) + 1));
		}
		json_decref(seen);
	}
	size_t n = json_object_size(bidcount), m = 0;
	double *counts = pb_xcalloc(n + 1, sizeof(*counts)), *ratios = pb_xcalloc(n + 1, sizeof(*ratios));
	json_object_foreach(bidcount, id, v) {
		counts[m] = (double)json_integer_value(v);
		ratios[m] = (double)json_integer_value(json_object_get(wins, id)) / counts[m];
		m++;
	}
	if (m) {
		double *sorted = pb_xcalloc(m + 1, sizeof(*sorted));
		memcpy(sorted, counts, m * sizeof(*sorted));
		qsort(sorted, m, sizeof(*sorted), dcmp);
		double pct = pb_cardinal_quantile(sorted, m, setting_num(c->st, "R025", "percentile", 75) / 100.0);
		free(sorted);
		pb_fences f = fences_of(c, "R025", ratios, m);
		double t = setting_num(c->st, "R025", "threshold", f.lower);
		int guard = (f.q1 > 0 && f.lower > 0) || setting(c->st, "R025", "threshold");
		m = 0;
		json_object_foreach(bidcount, id, v) {
			if (guard && counts[m] >= pct && ratios[m] <= t)
				flag(c, "Tenderer", id, "R025", ratios[m]);
			m++;
		}
	}
	free(counts);
	free(ratios);
	json_decref(bidcount);
	json_decref(wins);
}

/* Tenderer ids of a bid, sorted and joined, for comparing sets. */
static char *tenderer_set(json_t *bid)
{
	json_t *t = json_object_get(bid, "tenderers");
	size_t n = json_array_size(t), i;
	const char **ids = pb_xcalloc(n + 1, sizeof(*ids));
	json_t *x;
	pb_buf b;

	json_array_foreach(t, i, x)
		ids[i] = str(x, "id") ? str(x, "id") : "";
	for (size_t a = 0; a < n; a++)
		for (size_t k = a + 1; k < n; k++)
			if (strcmp(ids[k], ids[a]) < 0) {
				const char *tmp = ids[a];
				ids[a] = ids[k];
				ids[k] = tmp;
			}
	pb_buf_init(&b);
	for (i = 0; i < n; i++)
		pb_buf_addf(&b, "%s\x1f", ids[i]);
	free(ids);
	return pb_buf_detach(&b);
}

static void r028(struct cctx *c)
{
	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *list = bids(r);
		size_t n = json_array_size(list);
		if (!price_comparable(c, r))
			continue;
		for (size_t a = 0; a < n; a++) {
			json_t *x = json_array_get(list, a);
			for (size_t b = a + 1; b < n; b++) {
				json_t *y = json_array_get(list, b);
				json_t *vx = json_object_get(x, "value"), *vy = json_object_get(y, "value");
				json_t *ax = json_object_get(vx, "amount"), *ay = json_object_get(vy, "amount");
				const char *cx = str(vx, "currency"), *cy = str(vy, "currency");
				if (!submitted(x) || !submitted(y) || !json_is_number(ax) || !json_is_number(ay) ||
				    !cx || !cy || strcmp(cx, cy) || json_number_value(ax) != json_number_value(ay) ||
				    !json_array_size(json_object_get(x, "tenderers")) ||
				    !json_array_size(json_object_get(y, "tenderers")))
					continue;
				char *sx = tenderer_set(x), *sy = tenderer_set(y);
				int differ = strcmp(sx, sy) != 0;
				free(sx);
				free(sy);
				if (!differ)
					continue;
				flag(c, "OCID", str(r, "ocid"), "R028", 1.0);
				size_t k;
				json_t *t;
				json_array_foreach(json_object_get(x, "tenderers"), k, t)
					flag(c, "Tenderer", str(t, "id"), "R028", 1.0);
				json_array_foreach(json_object_get(y, "tenderers"), k, t)
					flag(c, "Tenderer", str(t, "id"), "R028", 1.0);
			}
		}
	}
}

static void r030(struct cctx *c)
{
	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *b, *t, *a;
		const char *end = str(path(r, "tender", "tenderPeriod"), "endDate");
		size_t i, k, j;
		if (!end || !final(r))
			continue;
		json_array_foreach(bids(r), i, b) {
			const char *date = str(b, "date");
			if (!status_is(b, "valid") || !date || strcmp(date, end) <= 0)
				continue;
			json_array_foreach(json_object_get(b, "tenderers"), k, t) {
				const char *who = str(t, "id");
				json_array_foreach(json_object_get(r, "awards"), j, a) {
					if (status_is(a, "active") && is_supplier(a, who)) {
						flag(c, "OCID", str(r, "ocid"), "R030", 1.0);
						flag(c, "Tenderer", who, "R030", 1.0);
					}
				}
			}
		}
	}
}

/* Distinct ids of the tenderers of bids with a status (or of suppliers of
 * active awards), as a JSON set. */
static json_t *id_set(json_t *r, const char *status, int awards)
{
	json_t *set = json_object(), *x, *t;
	size_t i, k;

	if (awards) {
		json_array_foreach(json_object_get(r, "awards"), i, x)
			if (status_is(x, "active"))
				json_array_foreach(json_object_get(x, "suppliers"), k, t)
					if (str(t, "id"))
						json_object_set_new(set, str(t, "id"), json_true());
		return set;
	}
	json_array_foreach(bids(r), i, x)
		if (status_is(x, status))
			json_array_foreach(json_object_get(x, "tenderers"), k, t)
				if (str(t, "id"))
					json_object_set_new(set, str(t, "id"), json_true());
	return set;
}

static void r035(struct cctx *c)
{
	double threshold = setting_num(c->st, "R035", "threshold", 1);

	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p];
		if (!final(r))
			continue;
		json_t *valid = id_set(r, "valid", 0), *winners = id_set(r, NULL, 1);
		json_t *disq = id_set(r, "disqualified", 0);
		const char *only = NULL, *id;
		json_t *v;
		json_object_foreach(valid, id, v)
			only = id;
		if (json_object_size(valid) == 1 && json_object_size(winners) == 1 &&
		    json_object_get(winners, only) && (double)json_object_size(disq) >= threshold) {
			flag(c, "OCID", str(r, "ocid"), "R035", (double)json_object_size(disq));
			flag(c, "Tenderer", only, "R035", 0.0);
		}
		json_decref(valid);
		json_decref(winners);
		json_decref(disq);
	}
}

static void r036(struct cctx *c)
{
	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *b, *a, *lowest = NULL;
		size_t i;
		int active = 0, valid_amount = 0;
		double low = INFINITY;
		if (!final(r) || !price_comparable(c, r))
			continue;
		json_array_foreach(json_object_get(r, "awards"), i, a)
			active |= status_is(a, "active");
		json_array_foreach(bids(r), i, b) {
			double v = amount(c, b);
			if (isnan(v))
				continue;
			if (status_is(b, "valid"))
				valid_amount = 1;
			if (submitted(b) && v < low) {
				low = v;
				lowest = b;
			}
		}
		if (active && valid_amount && lowest && status_is(lowest, "disqualified"))
			flag(c, "OCID", str(r, "ocid"), "R036", 1.0);
	}
}

/* Disqualified over submitted bids, per buyer, procuring entity, tenderer. */
static void r038_group(struct cctx *c, const char *group, int which)
{
	json_t *sub = json_object(), *dis = json_object();
	double min_bids = setting_num(c->st, "R038", "minimum_submitted_bids", 2);
	double min_proc = setting_num(c->st, "R038", "minimum_contracting_processes", 2);
	const char *id;
	json_t *v;

	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *b, *t;
		size_t i, k;
		const char *owner = which == 0 ? str(json_object_get(r, "buyer"), "id")
				    : which == 1 ? str(path(r, "tender", "procuringEntity"), "id") : NULL;
		json_array_foreach(bids(r), i, b) {
			if (!submitted(b))
				continue;
			if (which < 2) {
				if (!owner)
					continue;
				json_object_set_new(sub, owner, json_integer(json_integer_value(json_object_get(sub, owner)) + 1));
				if (status_is(b, "disqualified"))
					json_object_set_new(dis, owner, json_integer(json_integer_value(json_object_get(dis, owner)) + 1));
				continue;
			}
			json_array_foreach(json_object_get(b, "tenderers"), k, t) {
				const char *who = str(t, "id");
				if (!who)
					continue;
				json_object_set_new(sub, who, json_integer(json_integer_value(json_object_get(sub, who)) + 1));
				if (status_is(b, "disqualified"))
					json_object_set_new(dis, who, json_integer(json_integer_value(json_object_get(dis, who)) + 1));
			}
		}
	}
	size_t n = json_object_size(sub), m = 0;
	double *ratio = pb_xcalloc(n + 1, sizeof(*ratio));
	const char **ids = pb_xcalloc(n + 1, sizeof(*ids));
	json_object_foreach(sub, id, v) {
		double s = (double)json_integer_value(v);
		/* Cardinal 0.0.8 compares minimum_contracting_processes with the
		 * number of submitted bids too. */
		if (s < min_bids || s < min_proc)
			continue;
		ids[m] = id;
		ratio[m++] = (double)json_integer_value(json_object_get(dis, id)) / s;
	}
	if (m) {
		char code[16];
		snprintf(code, sizeof(code), "R038.%s", group);
		pb_fences f = fences_of(c, code, ratio, m);
		double t = setting_num(c->st, "R038", "threshold", f.upper);
		int guard = f.upper > 0 || setting(c->st, "R038", "threshold");
		for (size_t k = 0; guard && k < m; k++)
			if (ratio[k] >= t)
				flag(c, group, ids[k], "R038", ratio[k]);
	}
	free(ratio);
	free(ids);
	json_decref(sub);
	json_decref(dis);
}

static void r038(struct cctx *c)
{
	r038_group(c, "Buyer", 0);
	r038_group(c, "ProcuringEntity", 1);
	r038_group(c, "Tenderer", 2);
}

static void r048(struct cctx *c)
{
	int digits = (int)setting_num(c->st, "R048", "digits", 2);
	double min_proc = setting_num(c->st, "R048", "minimum_contracting_processes", 20);
	json_t *cats = json_object(), *procs = json_object();
	const char *id;
	json_t *v;

	for (size_t p = 0; p < c->n; p++) {
		json_t *r = c->rel[p], *a, *it;
		size_t i, k;
		if (!final(r))
			continue;
		json_t *seen = json_object();
		json_array_foreach(json_object_get(r, "awards"), i, a) {
			if (!status_is(a, "active") || json_array_size(json_object_get(a, "suppliers")) != 1)
				continue;
			const char *who = str(json_array_get(json_object_get(a, "suppliers"), 0), "id");
			if (!who)
				continue;
			if (!json_object_get(seen, who)) {
				json_object_set_new(seen, who, json_true());
				json_object_set_new(procs, who, json_integer(json_integer_value(json_object_get(procs, who)) + 1));
			}
			json_t *set = json_object_get(cats, who);
			if (!set) {
				set = json_object();
				json_object_set_new(cats, who, set);
			}
			json_array_foreach(json_object_get(a, "items"), k, it) {
				const char *cid = str(json_object_get(it, "classification"), "id");
				if (cid && (int)strlen(cid) >= digits) {
					char prefix[32];
					snprintf(prefix, sizeof(prefix), "%.*s", digits, cid);
					json_object_set_new(set, prefix, json_true());
				}
			}
		}
		json_decref(seen);
	}
	size_t n = json_object_size(cats), m = 0;
	double *count = pb_xcalloc(n + 1, sizeof(*count));
	const char **ids = pb_xcalloc(n + 1, sizeof(*ids));
	json_object_foreach(cats, id, v) {
		if ((double)json_integer_value(json_object_get(procs, id)) < min_proc)
			continue;
		ids[m] = id;
		count[m++] = (double)json_object_size(v);
	}
	if (m) {
		pb_fences f = fences_of(c, "R048", count, m);
		double t = setting_num(c->st, "R048", "threshold", f.upper);
		for (size_t k = 0; k < m; k++)
			if (count[k] >= t)
				flag(c, "Tenderer", ids[k], "R048", count[k]);
	}
	free(count);
	free(ids);
	json_decref(cats);
	json_decref(procs);
}

static void (*const run[NCODES])(struct cctx *) = {r003, r018, r024, r025, r028, r030,
						   r035, r036, r038, r048, r058};

/* --- reading the releases --- */

static int keep(const struct settings *st, json_t *r)
{
	json_t *t = json_object_get(r, "tender");

	if (status_is(t, "cancelled"))
		return 0;
	return !(st->exclusions && in_list(st->exclusions, str(t, "procurementMethodDetails")));
}

static const char *first_currency(json_t **rel, size_t n)
{
	for (size_t p = 0; p < n; p++) {
		size_t i;
		json_t *b;
		json_array_foreach(bids(rel[p]), i, b) {
			const char *cur = str(json_object_get(b, "value"), "currency");
			if (cur && json_is_number(path(b, "value", "amount")))
				return cur;
		}
	}
	return NULL;
}

static int read_releases(const char *path_, const struct settings *st, json_t ***rel,
			 size_t *n, FILE *err)
{
	FILE *f = fopen(path_, "r");
	char *line = NULL;
	size_t cap = 0, relcap = 0;
	ssize_t len;
	unsigned long no = 0;

	if (!f) {
		fprintf(err, "probity: error: %s: cannot open\n", path_);
		return -1;
	}
	*rel = NULL;
	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_error_t je;
		no++;
		if (len <= 1 && (len == 0 || line[0] == '\n'))
			continue;
		json_t *r = json_loadb(line, (size_t)len, 0, &je);
		if (!r) {
			fprintf(err, "probity: warning: %s:%lu: invalid JSON: %s\n", path_, no, je.text);
			continue;
		}
		if (!json_is_object(r) || !json_is_string(json_object_get(r, "ocid"))) {
			fprintf(err, "probity: warning: %s:%lu: %s\n", path_, no,
				json_is_object(r) ? "no ocid" : "not an object");
			json_decref(r);
			continue;
		}
		if (!keep(st, r)) {
			json_decref(r);
			continue;
		}
		PB_GROW(*rel, *n + 1, relcap);
		(*rel)[(*n)++] = r;
	}
	free(line);
	fclose(f);
	return 0;
}

static void settings_release(struct settings *st)
{
	free(st->currency);
	free(st->no_price);
	free(st->price_only);
	free(st->exclusions);
	json_decref(st->values);
}

int pb_cardinal_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct settings st;
	const char *settings_path = NULL, *input = NULL;
	int meta = 1;

	memset(&st, 0, sizeof(st));
	st.values = json_object();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-meta"))
			meta = 0;
		else if (!strcmp(argv[i], "--settings") && i + 1 < argc)
			settings_path = argv[++i];
		else if (!strncmp(argv[i], "--settings=", 11))
			settings_path = argv[i] + 11;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(err, "probity: error: cardinal: unknown option '%s'\n"
				"usage: probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n", argv[i]);
			settings_release(&st);
			return PB_EXIT_USAGE;
		} else
			input = argv[i];
	}
	if (!input) {
		fprintf(err, "usage: probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n");
		settings_release(&st);
		return PB_EXIT_USAGE;
	}
	if (settings_path) {
		FILE *f = fopen(settings_path, "r");
		if (!f) {
			fprintf(err, "probity: error: %s: cannot open settings\n", settings_path);
			settings_release(&st);
			return PB_EXIT_USAGE;
		}
		scan_sections(&st, f);
		int line = ini_parse_file(f, settings_handler, &st);
		fclose(f);
		if (line) {
			fprintf(err, "probity: error: %s:%d: not a valid INI line\n", settings_path, line);
			settings_release(&st);
			return PB_EXIT_USAGE;
		}
	}
	if (!st.any_section)
		for (int i = 0; i < NCODES; i++)
			st.enabled[i] = 1;
	struct cctx c = {&st, NULL, 0, NULL, json_object(), json_object()};
	if (read_releases(input, &st, &c.rel, &c.n, err) < 0) {
		settings_release(&st);
		json_decref(c.out);
		json_decref(c.meta);
		return PB_EXIT_INPUT;
	}
	c.main_currency = st.currency ? st.currency : first_currency(c.rel, c.n);
	for (int i = 0; i < NCODES; i++)
		if (st.enabled[i])
			run[i](&c);
	if (meta)
		json_object_set(c.out, "Meta", c.meta);
	json_dumpf(c.out, out, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', out);
	for (size_t i = 0; i < c.n; i++)
		json_decref(c.rel[i]);
	free(c.rel);
	json_decref(c.out);
	json_decref(c.meta);
	settings_release(&st);
	return ferror(out) ? PB_EXIT_INPUT : 0;
}
