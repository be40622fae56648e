/*
 * cardinal.c - Cardinal-compatible indicators (R003 ... R058).
 *
 * Follows ../shared/conformance/cardinal/README.md (Cardinal 0.0.8) and,
 * where the README is silent, Cardinal's own code: which fields must be
 * strings, arrays or objects for a bid or award to count, that an award
 * without a status neither counts nor makes a process non-final, that the
 * main currency is the first one an indicator meets, and statrs's
 * quantile.  Releases are read one line at a time; per-process indicators
 * flag as they go, the statistical ones gather tallies and decide at the
 * end.  Amounts are doubles, as in Cardinal: these are statistics over
 * someone else's data, not probity's money.
 */
#include <errno.h>
#include <stdarg.h>
#include <float.h>
#include <ini.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/arena.h"
#include "../engine/output.h"
#include "../engine/stats.h"
#include "cardinal.h"
#include "cli.h"

static const char *const code_name[PB_CARDINAL_N] = {
#define PB_CARDINAL_NAME(code) #code,
	PB_CARDINAL_CODES(PB_CARDINAL_NAME)
#undef PB_CARDINAL_NAME
};

#define ENABLED(s, code) ((s)->enabled & (1u << PB_CARDINAL_##code))

/* --- '|' lists --- */

static void list_set(pb_cardinal_list *l, const char *value)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
	/* split_terminator: every piece, less a trailing empty one. */
	for (const char *p = value; *p;) {
		size_t k = strcspn(p, "|");
		l->items = pb_xreallocarray(l->items, l->n + 1, sizeof(*l->items));
		l->items[l->n++] = pb_xstrndup(p, k);
		p += k;
		if (*p == '|')
			p++;
	}
}

static void list_release(pb_cardinal_list *l)
{
	list_set(l, "");
}

static int list_has(const pb_cardinal_list *l, const char *s)
{
	for (size_t i = 0; s && i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

/* --- settings --- */

void pb_cardinal_settings_init(pb_cardinal_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->r003_threshold = 15;
	list_set(&s->r018_methods, "open|selective");
	s->r025_percentile = 75;
	s->r035_threshold = 1;
	s->r038_minimum_submitted_bids = 2;
	s->r038_minimum_contracting_processes = 2;
	s->r048_digits = 2;
	s->r048_minimum_contracting_processes = 20;
}

void pb_cardinal_settings_release(pb_cardinal_settings *s)
{
	free(s->currency);
	list_release(&s->no_price_comparison);
	list_release(&s->price_comparison);
	list_release(&s->excluded_details);
	list_release(&s->r003_methods);
	list_release(&s->r018_methods);
	for (size_t i = 0; i < s->r003_ndetails; i++)
		free(s->r003_details[i].details);
	free(s->r003_details);
	free(s->ignored);
	memset(s, 0, sizeof(*s));
}

struct loader {
	pb_cardinal_settings *s;
	const char *path;
	FILE *f;
	unsigned long line;
	int continuation; /* inih would read an indented line as a value */
	pb_error *err;
	int failed;
};

/* Cardinal's config crate reads "true"/"on"/"yes" as 1 and their opposites
 * as 0 wherever a number is wanted. */
static int bool_word(const char *v, double *d)
{
	static const char *const words[] = {"false", "off", "no", "true", "on", "yes"};

	for (int i = 0; i < 6; i++)
		if (pb_strcaseeq(v, words[i])) {
			*d = i >= 3;
			return 1;
		}
	return 0;
}

static int parse_int(const char *v, int64_t *out)
{
	char *end;
	double d;

	if (bool_word(v, &d)) {
		*out = (int64_t)d;
		return 0;
	}
	if (!*v || !(*v == '+' || *v == '-' || (*v >= '0' && *v <= '9')))
		return -1;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (*end || errno)
		return -1;
	*out = x;
	return 0;
}

static int parse_size(const char *v, size_t *out)
{
	int64_t x;

	if (parse_int(v, &x) < 0 || x < 0)
		return -1;
	*out = (size_t)x;
	return 0;
}

static int parse_real(const char *v, double *out)
{
	char *end;

	if (bool_word(v, out))
		return 0;
	/* Rust's f64 parser: decimal only, no hexadecimal. */
	if (!*v || strchr(v, 'x') || strchr(v, 'X'))
		return -1;
	*out = strtod(v, &end);
	return *end ? -1 : 0;
}

static int load_fail(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int load_fail(struct loader *ld, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ld->failed)
		pb_error_set(ld->err, PB_EXIT_USAGE, "%s:%lu: %s", ld->path, ld->line, msg);
	ld->failed = 1;
	return 0;
}

/* Cardinal refuses what it does not know; probity reads on and says so. */
static void ignore(struct loader *ld, const char *what, const char *name)
{
	pb_buf b;

	pb_buf_init(&b);
	if (ld->s->ignored)
		pb_buf_addstr(&b, ld->s->ignored);
	pb_buf_addf(&b, "%s:%lu: unknown %s '%s', ignored\n", ld->path, ld->line, what, name);
	free(ld->s->ignored);
	ld->s->ignored = pb_buf_detach(&b);
}

static int code_of(const char *section)
{
	for (int i = 0; i < PB_CARDINAL_N; i++)
		if (!strcmp(section, code_name[i]))
			return i;
	return -1;
}

/* Sections of `ocdscardinal prepare`, accepted and ignored here. */
static int prepare_key(const char *section, const char *key)
{
	static const char *const keys[] = {
		"defaults", "currency", "defaults", "item_classification_scheme",
		"defaults", "bid_status", "defaults", "award_status",
		"defaults", "party_roles", "redactions", "amount",
		"redactions", "organization_id", "corrections", "award_status_by_contract_status",
		"modifications", "move_auctions", "modifications", "prefix_buyer_or_procuring_entity_id",
		"modifications", "prefix_tenderer_or_supplier_id", "modifications",
		"split_procurement_method_details",
	};

	if (!strcmp(section, "codelists.bid_status") || !strcmp(section, "codelists.award_status"))
		return 1;
	for (size_t i = 0; i + 1 < sizeof(keys) / sizeof(*keys); i += 2)
		if (!strcmp(section, keys[i]) && (!key || !strcmp(key, keys[i + 1])))
			return 1;
	return 0;
}

static int known_section(const char *section)
{
	return !*section || !strcmp(section, "exclusions") || code_of(section) >= 0 ||
	       !strcmp(section, "R003.procurement_method_details") || prepare_key(section, NULL);
}

/* One key of an indicator's section; 0 when the key is unknown. */
static int indicator_key(struct loader *ld, int code, const char *key, const char *v)
{
	pb_cardinal_settings *s = ld->s;
	pb_cardinal_opt *real = NULL;
	size_t *size = NULL;
	int bad = 0;

	if (code == PB_CARDINAL_R003 && !strcmp(key, "threshold"))
		bad = parse_int(v, &s->r003_threshold);
	else if ((code == PB_CARDINAL_R003 || code == PB_CARDINAL_R018) &&
		 !strcmp(key, "procurement_methods"))
		list_set(code == PB_CARDINAL_R003 ? &s->r003_methods : &s->r018_methods, v);
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R024)
		real = &s->r024_threshold;
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R025)
		real = &s->r025_threshold;
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R038)
		real = &s->r038_threshold;
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R058)
		real = &s->r058_threshold;
	else if (!strcmp(key, "percentile") && code == PB_CARDINAL_R025)
		size = &s->r025_percentile;
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R035)
		size = &s->r035_threshold;
	else if (!strcmp(key, "minimum_submitted_bids") && code == PB_CARDINAL_R038)
		size = &s->r038_minimum_submitted_bids;
	else if (!strcmp(key, "minimum_contracting_processes") && code == PB_CARDINAL_R038)
		size = &s->r038_minimum_contracting_processes;
	else if (!strcmp(key, "digits") && code == PB_CARDINAL_R048)
		size = &s->r048_digits;
	else if (!strcmp(key, "minimum_contracting_processes") && code == PB_CARDINAL_R048)
		size = &s->r048_minimum_contracting_processes;
	else if (!strcmp(key, "threshold") && code == PB_CARDINAL_R048) {
		size_t t = 0;
		bad = parse_size(v, &t);
		s->r048_threshold = (pb_cardinal_opt){1, (double)t};
	} else
		return 0;
	if (real) {
		bad = parse_real(v, &real->value);
		real->set = 1;
	}
	if (size)
		bad = parse_size(v, size);
	if (code == PB_CARDINAL_R035 && s->r035_threshold < 1)
		s->r035_threshold = 1; /* Cardinal's max(threshold, 1) */
	if (bad)
		load_fail(ld, "%s '%s' is not a number of the right kind", key, v);
	return 1;
}

static int settings_handler(void *user, const char *section, const char *key, const char *v)
{
	struct loader *ld = user;
	pb_cardinal_settings *s = ld->s;
	int code = code_of(section);

	if (ld->failed)
		return 0;
	if (!*section && !strcmp(key, "currency")) {
		free(s->currency);
		s->currency = pb_xstrdup(v);
	} else if (!*section && !strcmp(key, "no_price_comparison_procurement_methods"))
		list_set(&s->no_price_comparison, v);
	else if (!*section && !strcmp(key, "price_comparison_procurement_methods"))
		list_set(&s->price_comparison, v);
	else if (!strcmp(section, "exclusions") && !strcmp(key, "procurement_method_details"))
		list_set(&s->excluded_details, v);
	else if (!strcmp(section, "R003.procurement_method_details")) {
		int64_t days;
		if (parse_int(v, &days) < 0)
			return load_fail(ld, "%s '%s' is not a whole number of days", key, v);
		s->r003_details = pb_xreallocarray(s->r003_details, s->r003_ndetails + 1,
						   sizeof(*s->r003_details));
		s->r003_details[s->r003_ndetails++] = (pb_cardinal_days){pb_xstrdup(key), days};
	} else if (code >= 0) {
		if (!indicator_key(ld, code, key, v))
			ignore(ld, "setting", key);
	} else if (known_section(section) && !prepare_key(section, key)) {
		ignore(ld, "setting", key);
	}
	return !ld->failed;
}

/*
 * libinih calls the handler only for keys, but Cardinal enables an
 * indicator by its section alone ("[R028]"), so the lines are watched as
 * inih reads them.  The same reading rules: comments start with ; or #,
 * an indented line after a key continues that key's value.
 */
static char *settings_reader(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	char *line = fgets(str, num, ld->f);
	char *p = line, *end;

	if (!line)
		return NULL;
	ld->line++;
	if (ld->line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f' || *p == '\v')
		p++;
	if (!*p || *p == ';' || *p == '#')
		return line;
	if (ld->continuation && p > line)
		return line;
	if (*p == '[' && (end = strchr(p, ']'))) {
		char section[64];
		snprintf(section, sizeof(section), "%.*s", (int)(end - p - 1), p + 1);
		int code = code_of(section);
		ld->continuation = 0;
		/* The sub-table alone makes [R003] exist, as Cardinal's
		 * config crate nests it. */
		if (!strcmp(section, "R003.procurement_method_details"))
			code = PB_CARDINAL_R003;
		if (code >= 0)
			ld->s->enabled |= 1u << code;
		else if (!known_section(section))
			ignore(ld, "section", section);
	} else if (strpbrk(p, "=:")) {
		ld->continuation = 1;
	}
	return line;
}

int pb_cardinal_settings_load(pb_cardinal_settings *s, const char *path, pb_error *err)
{
	struct loader ld = {s, path, NULL, 0, 0, err, 0};

	pb_cardinal_settings_init(s);
	ld.f = fopen(path, "r");
	if (!ld.f) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: cannot open settings: %s", path, strerror(errno));
		return -1;
	}
	int line = ini_parse_stream(settings_reader, &ld, settings_handler, &ld);
	fclose(ld.f);
	if (ld.failed)
		return -1;
	if (line) {
		pb_error_set(err, PB_EXIT_USAGE, "%s:%d: not a 'key = value' or '[section]' line", path,
			     line);
		return -1;
	}
	return 0;
}

/* --- the process model, read from one release --- */

struct cbid {
	const char *status, *currency, *date; /* NULL unless JSON strings */
	int has_amount;                       /* value.amount is a number */
	double amount;
	int has_tenderers; /* tenderers is an array ... */
	size_t ntenderers; /* ... of this length, */
	const char **tenderers; /* ids, NULL where not a string */
};

struct caward {
	const char *status;
	int has_suppliers, has_items;
	size_t nsuppliers, nclasses;
	const char **suppliers;
	const char **classes; /* items[].classification.id strings */
};

struct cprocess {
	const char *ocid, *buyer, *procuring_entity; /* interned */
	int has_tender;
	const char *method, *details, *start_date, *end_date;
	int single_tenderer; /* numberOfTenderers is the integer 1 */
	int has_awards, has_details;
	size_t nawards, nbids;
	struct caward *awards;
	struct cbid *bids;
};

/* Tallies that wait for the whole file: key -> row index. */
struct tally {
	pb_ptrmap *ix;
	struct trow {
		const char *id, *winner, *runner;
		double ratio;
		size_t num, den;
	} *rows;
	size_t n, cap;
};

struct run {
	const pb_cardinal_settings *s;
	pb_arena *arena;
	pb_strtab *strings;
	const char *currency; /* the main currency, once known */
	json_t *group[4];     /* OCID, Buyer, ProcuringEntity, Tenderer */
	json_t *meta;
	struct tally ratios;                   /* R024/R058, per ocid */
	struct tally r025;                     /* per tenderer */
	struct tally r038[3];                  /* per buyer, entity, tenderer */
	struct tally r048;                     /* per supplier: num = processes, den = categories */
	pb_ptrmap *r048_pairs;                 /* supplier-category pairs seen */
	pb_buf scratch;
};

enum { G_OCID, G_BUYER, G_ENTITY, G_TENDERER };
static const char *const group_name[4] = {"OCID", "Buyer", "ProcuringEntity", "Tenderer"};

/* "" is a real identifier to Cardinal, but interns to NULL; this stands in. */
static const char empty_id[] = "";

static const char *intern(struct run *r, const char *s)
{
	if (!s)
		return NULL;
	return *s ? pb_intern_str(r->strings, s) : empty_id;
}

static const char *sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char **ids_of(struct run *r, json_t *array, size_t *n)
{
	json_t *x;
	size_t i;
	const char **ids;

	*n = json_array_size(array);
	ids = pb_xcalloc(*n + 1, sizeof(*ids));
	json_array_foreach(array, i, x)
		ids[i] = intern(r, sget(x, "id"));
	return ids;
}

static void bid_read(struct run *r, json_t *j, struct cbid *b)
{
	json_t *value = json_object_get(j, "value"), *amount = json_object_get(value, "amount");
	json_t *t = json_object_get(j, "tenderers");

	b->status = sget(j, "status");
	b->currency = sget(value, "currency");
	b->date = sget(j, "date");
	b->has_amount = json_is_number(amount);
	b->amount = json_number_value(amount);
	b->has_tenderers = json_is_array(t);
	b->tenderers = ids_of(r, t, &b->ntenderers);
}

static void award_read(struct run *r, json_t *j, struct caward *a)
{
	json_t *sup = json_object_get(j, "suppliers"), *items = json_object_get(j, "items"), *it;
	size_t i;

	a->status = sget(j, "status");
	a->has_suppliers = json_is_array(sup);
	a->suppliers = ids_of(r, sup, &a->nsuppliers);
	a->has_items = json_is_array(items);
	a->classes = pb_xcalloc(json_array_size(items) + 1, sizeof(*a->classes));
	json_array_foreach(items, i, it) {
		const char *id = sget(json_object_get(it, "classification"), "id");
		if (id)
			a->classes[a->nclasses++] = id;
	}
}

static void process_read(struct run *r, json_t *rel, struct cprocess *p)
{
	json_t *tender = json_object_get(rel, "tender"), *period = json_object_get(tender, "tenderPeriod");
	json_t *nt = json_object_get(tender, "numberOfTenderers");
	json_t *awards = json_object_get(rel, "awards");
	json_t *details = json_object_get(json_object_get(rel, "bids"), "details"), *x;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->ocid = intern(r, sget(rel, "ocid"));
	p->buyer = intern(r, sget(json_object_get(rel, "buyer"), "id"));
	p->procuring_entity = intern(r, sget(json_object_get(tender, "procuringEntity"), "id"));
	p->has_tender = json_is_object(tender);
	p->method = sget(tender, "procurementMethod");
	p->details = sget(tender, "procurementMethodDetails");
	p->start_date = sget(period, "startDate");
	p->end_date = sget(period, "endDate");
	/* serde's as_u64(): only a non-negative integer counts. */
	p->single_tenderer = json_is_integer(nt) && json_integer_value(nt) == 1;
	p->has_awards = json_is_array(awards);
	p->awards = pb_xcalloc(json_array_size(awards) + 1, sizeof(*p->awards));
	json_array_foreach(awards, i, x)
		award_read(r, x, &p->awards[p->nawards++]);
	p->has_details = json_is_array(details);
	p->bids = pb_xcalloc(json_array_size(details) + 1, sizeof(*p->bids));
	json_array_foreach(details, i, x)
		bid_read(r, x, &p->bids[p->nbids++]);
}

static void process_release(struct cprocess *p)
{
	for (size_t i = 0; i < p->nawards; i++) {
		free(p->awards[i].suppliers);
		free(p->awards[i].classes);
	}
	for (size_t i = 0; i < p->nbids; i++)
		free(p->bids[i].tenderers);
	free(p->awards);
	free(p->bids);
}

/* --- small sets of interned ids, sorted by address --- */

struct idset {
	const char **v;
	size_t n;
};

static int pcmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	return (x > y) - (x < y);
}

static void set_add(struct idset *s, const char *id)
{
	if (!id)
		return;
	s->v = pb_xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = id;
}

static void set_done(struct idset *s)
{
	size_t k = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), pcmp);
	for (size_t i = 0; i < s->n; i++)
		if (!k || s->v[k - 1] != s->v[i])
			s->v[k++] = s->v[i];
	s->n = k;
}

static int set_equal(const struct idset *a, const struct idset *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

static int set_has(const struct idset *s, const char *id)
{
	return id && s->n && bsearch(&id, s->v, s->n, sizeof(*s->v), pcmp);
}

static void set_release(struct idset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* --- results --- */

static void flag(struct run *r, int group, const char *id, int code, double v)
{
	json_t *e;

	if (!id)
		return;
	if (!r->group[group])
		r->group[group] = json_object();
	e = json_object_get(r->group[group], id);
	if (!e) {
		e = json_object();
		json_object_set_new(r->group[group], id, e);
	}
	json_object_set_new(e, code_name[code], isfinite(v) ? json_real(v) : json_null());
}

/* Meta values are rounded to 4 decimals, as Cardinal prints them. */
static void meta(struct run *r, int code, const char *key, double v)
{
	json_t *m = json_object_get(r->meta, code_name[code]);

	if (!m) {
		m = json_object();
		json_object_set_new(r->meta, code_name[code], m);
	}
	v = round(v * 10000.0) / 10000.0;
	json_object_set_new(m, key, isfinite(v) ? json_real(v) : json_null());
}

static struct trow *tally_row(struct tally *t, const char *id)
{
	uint32_t k;

	if (!t->ix)
		t->ix = pb_ptrmap_new();
	if (pb_ptrmap_get(t->ix, id, &k))
		return &t->rows[k];
	PB_GROW(t->rows, t->n + 1, t->cap);
	t->rows[t->n] = (struct trow){.id = id};
	pb_ptrmap_put(t->ix, id, (uint32_t)t->n);
	return &t->rows[t->n++];
}

static void tally_release(struct tally *t)
{
	pb_ptrmap_free(t->ix);
	free(t->rows);
}

/* --- what several indicators share --- */

static int is(const char *status, const char *want)
{
	return status && !strcmp(status, want);
}

/* Pending, valid or disqualified: a status, but not invited or withdrawn. */
static int submitted(const struct cbid *b)
{
	return b->status && !is(b->status, "invited") && !is(b->status, "withdrawn");
}

/* The active awards, when awards and bids are arrays and every award with
 * a status is active, cancelled or unsuccessful; -1 otherwise. */
static long complete_awards(const struct cprocess *p, const struct caward **active)
{
	long n = 0;

	if (!p->has_awards || !p->has_details)
		return -1;
	for (size_t i = 0; i < p->nawards; i++) {
		const char *st = p->awards[i].status;
		if (!st || is(st, "cancelled") || is(st, "unsuccessful"))
			continue;
		if (!is(st, "active"))
			return -1;
		active[n++] = &p->awards[i];
	}
	return n;
}

/* The single supplier of the only active award of a final process. */
static const char *sole_supplier(const struct cprocess *p)
{
	const struct caward **active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	const char *id = NULL;

	if (complete_awards(p, active) == 1 && active[0]->has_suppliers && active[0]->nsuppliers == 1)
		id = active[0]->suppliers[0];
	free(active);
	return id;
}

/* Price comparison: an allow list wins; otherwise a deny list. */
static int price_compared(const struct run *r, const struct cprocess *p)
{
	if (!p->details)
		return r->s->price_comparison.n == 0;
	if (r->s->price_comparison.n)
		return list_has(&r->s->price_comparison, p->details);
	return !list_has(&r->s->no_price_comparison, p->details);
}

/* The setting, or else the first currency an indicator meets. */
static int main_currency(struct run *r, const char *currency)
{
	if (!r->currency)
		r->currency = r->s->currency ? r->s->currency : intern(r, currency);
	return !strcmp(currency, r->currency);
}

static int method_matches(const pb_cardinal_list *methods, const struct cprocess *p)
{
	return methods->n == 0 || list_has(methods, p->method);
}

/* --- R003: tender periods, read as chrono reads RFC 3339 --- */

static int digits(const char **s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*out = *out * 10 + (**s - '0');
	}
	return 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds and nanoseconds since the epoch; -1 unless strict RFC 3339. */
static int rfc3339(const char *s, int64_t *secs, long *nanos)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	*nanos = 0;
	if (!s || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d) || (*s != 'T' && *s != 't'))
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		long scale = 100000000;
		if (*++s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			*nanos += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

static void r003(struct run *r, const struct cprocess *p)
{
	const pb_cardinal_settings *s = r->s;
	int64_t a, b;
	long an, bn;

	if (!p->has_tender || !method_matches(&s->r003_methods, p) || rfc3339(p->start_date, &a, &an) ||
	    rfc3339(p->end_date, &b, &bn))
		return;
	/* chrono's Duration::num_days(): whole days, truncated toward zero. */
	int64_t secs = b - a;
	long nanos = bn - an;
	if (nanos < 0) {
		secs--;
		nanos += 1000000000;
	}
	if (secs < 0 && nanos > 0)
		secs++;
	int64_t days = secs / 86400, threshold = s->r003_threshold;
	for (size_t i = 0; p->details && i < s->r003_ndetails; i++)
		if (!strcmp(s->r003_details[i].details, p->details))
			threshold = s->r003_details[i].days;
	if (days < threshold)
		flag(r, G_OCID, p->ocid, PB_CARDINAL_R003, 1.0);
}

static void r018(struct run *r, const struct cprocess *p)
{
	if (p->has_tender && method_matches(&r->s->r018_methods, p) && p->single_tenderer)
		flag(r, G_OCID, p->ocid, PB_CARDINAL_R018, 1.0);
}

/* R024 and R058 share this: the winner's lowest valid bid against the
 * lowest valid bid of anyone else, single tenderers, main currency. */
static void second_lowest_bid_ratio(struct run *r, const struct cprocess *p)
{
	const char *supplier, *winner = NULL, *runner = NULL;
	double w = 0, l = 0;

	if (!price_compared(r, p) || !(supplier = sole_supplier(p)))
		return;
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!b->status || !b->has_amount || !b->currency || !b->has_tenderers ||
		    b->ntenderers != 1 || !b->tenderers[0] || !is(b->status, "valid") ||
		    !main_currency(r, b->currency))
			continue;
		if (b->tenderers[0] == supplier) {
			if (!winner || b->amount < w) {
				winner = supplier;
				w = b->amount;
			}
		} else if (!runner || b->amount < l) {
			runner = b->tenderers[0];
			l = b->amount;
		}
	}
	/* A lower losing bid: the award was not on price alone. */
	if (!winner || !runner || !(l >= w))
		return;
	struct trow *row = tally_row(&r->ratios, p->ocid);
	row->ratio = (l - w) / w;
	row->winner = winner;
	row->runner = runner;
}

static void r025(struct run *r, const struct cprocess *p)
{
	const char *supplier = sole_supplier(p);
	struct idset valid = {0};

	if (!supplier)
		return;
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (is(b->status, "valid") && b->has_tenderers && b->ntenderers == 1)
			set_add(&valid, b->tenderers[0]);
	}
	/* Once per process, however many bids. */
	set_done(&valid);
	for (size_t i = 0; i < valid.n; i++) {
		struct trow *row = tally_row(&r->r025, valid.v[i]);
		row->num += valid.v[i] == supplier;
		row->den++;
	}
	set_release(&valid);
}

static void tenderer_set(const struct cbid *b, struct idset *s)
{
	for (size_t k = 0; k < b->ntenderers; k++)
		set_add(s, b->tenderers[k]);
	set_done(s);
}

static void flag_set(struct run *r, const struct idset *s, int code)
{
	for (size_t k = 0; k < s->n; k++)
		flag(r, G_TENDERER, s->v[k], code, 1.0);
}

/* R028: Cardinal keeps the last tenderer set per price and compares each
 * bid with it. */
static void r028(struct run *r, const struct cprocess *p)
{
	struct idset *sets;
	size_t *of;
	size_t n = 0;

	if (!price_compared(r, p))
		return;
	sets = pb_xcalloc(p->nbids + 1, sizeof(*sets));
	of = pb_xcalloc(p->nbids + 1, sizeof(*of));
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b) || !b->has_tenderers || !b->has_amount || !b->currency)
			continue;
		tenderer_set(b, &sets[n]);
		if (!sets[n].n) {
			set_release(&sets[n]);
			continue;
		}
		for (size_t k = n; k-- > 0;) {
			const struct cbid *o = &p->bids[of[k]];
			if (o->amount != b->amount || strcmp(o->currency, b->currency))
				continue;
			if (!set_equal(&sets[k], &sets[n])) {
				flag(r, G_OCID, p->ocid, PB_CARDINAL_R028, 1.0);
				flag_set(r, &sets[n], PB_CARDINAL_R028);
				flag_set(r, &sets[k], PB_CARDINAL_R028);
			}
			break;
		}
		of[n++] = i;
	}
	for (size_t k = 0; k < n; k++)
		set_release(&sets[k]);
	free(sets);
	free(of);
}

static void active_suppliers(const struct caward *const *awards, size_t n, struct idset *s)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; awards[i]->has_suppliers && k < awards[i]->nsuppliers; k++)
			set_add(s, awards[i]->suppliers[k]);
	set_done(s);
}

static void r030(struct run *r, const struct cprocess *p)
{
	const struct caward **active;
	struct idset winners = {0};
	size_t n = 0;

	if (!p->has_tender || !p->end_date || !p->has_awards || !p->has_details)
		return;
	active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	for (size_t i = 0; i < p->nawards; i++)
		if (is(p->awards[i].status, "active"))
			active[n++] = &p->awards[i];
	active_suppliers(active, n, &winners);
	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		/* Dates compared as strings, as Cardinal does. */
		if (!is(b->status, "valid") || !b->date || !b->has_tenderers ||
		    strcmp(b->date, p->end_date) <= 0)
			continue;
		for (size_t k = 0; k < b->ntenderers; k++)
			if (set_has(&winners, b->tenderers[k])) {
				flag(r, G_OCID, p->ocid, PB_CARDINAL_R030, 1.0);
				flag(r, G_TENDERER, b->tenderers[k], PB_CARDINAL_R030, 1.0);
			}
	}
	set_release(&winners);
	free(active);
}

static void r035(struct run *r, const struct cprocess *p)
{
	const struct caward **active = pb_xcalloc(p->nawards + 1, sizeof(*active));
	struct idset winners = {0}, valid = {0}, disqualified = {0};
	long n = complete_awards(p, active);

	if (n >= 0) {
		active_suppliers(active, (size_t)n, &winners);
		for (size_t i = 0; i < p->nbids; i++) {
			const struct cbid *b = &p->bids[i];
			struct idset *s = is(b->status, "valid")	  ? &valid
					  : is(b->status, "disqualified") ? &disqualified
									  : NULL;
			for (size_t k = 0; s && b->has_tenderers && k < b->ntenderers; k++)
				set_add(s, b->tenderers[k]);
		}
	}
	set_done(&valid);
	set_done(&disqualified);
	size_t others = 0;
	for (size_t k = 0; k < disqualified.n; k++)
		others += !set_has(&valid, disqualified.v[k]);
	if (valid.n == 1 && set_equal(&valid, &winners) && others >= r->s->r035_threshold) {
		flag(r, G_OCID, p->ocid, PB_CARDINAL_R035, (double)others);
		flag(r, G_TENDERER, valid.v[0], PB_CARDINAL_R035, 0.0);
	}
	set_release(&winners);
	set_release(&valid);
	set_release(&disqualified);
	free(active);
}

static void r036(struct run *r, const struct cprocess *p)
{
	int any_active = 0, lowest_disqualified = 0, valid_amount = 0, have = 0;
	double lowest = 0;

	if (!price_compared(r, p) || !p->has_awards)
		return;
	for (size_t i = 0; i < p->nawards; i++)
		any_active |= is(p->awards[i].status, "active");
	for (size_t i = 0; any_active && i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b) || !b->has_amount || !b->currency || !main_currency(r, b->currency))
			continue;
		/* The first of equal lowest bids decides. */
		if (!have || b->amount < lowest) {
			have = 1;
			lowest = b->amount;
			lowest_disqualified = is(b->status, "disqualified");
		}
		valid_amount |= is(b->status, "valid");
	}
	if (valid_amount && lowest_disqualified)
		flag(r, G_OCID, p->ocid, PB_CARDINAL_R036, 1.0);
}

static void r038(struct run *r, const struct cprocess *p)
{
	size_t submitted_n = 0, disqualified_n = 0;

	for (size_t i = 0; i < p->nbids; i++) {
		const struct cbid *b = &p->bids[i];
		if (!submitted(b))
			continue;
		int dq = is(b->status, "disqualified");
		submitted_n++;
		disqualified_n += dq;
		for (size_t k = 0; b->has_tenderers && k < b->ntenderers; k++) {
			if (!b->tenderers[k])
				continue;
			struct trow *row = tally_row(&r->r038[2], b->tenderers[k]);
			row->num += dq;
			row->den++;
		}
	}
	const char *owner[2] = {p->buyer, p->procuring_entity};
	for (int g = 0; submitted_n && g < 2; g++) {
		if (!owner[g])
			continue;
		struct trow *row = tally_row(&r->r038[g], owner[g]);
		row->num += disqualified_n;
		row->den += submitted_n;
	}
}

/* The first `n` characters (not bytes) of a UTF-8 string, interned. */
static const char *prefix(struct run *r, const char *s, size_t n)
{
	size_t len = 0, chars = 0;

	for (; s[len]; len++)
		if (((unsigned char)s[len] & 0xC0) != 0x80 && chars++ == n)
			break;
	return len ? pb_intern(r->strings, s, len) : empty_id;
}

static void r048(struct run *r, const struct cprocess *p)
{
	struct idset seen = {0};

	for (size_t i = 0; p->has_awards && i < p->nawards; i++) {
		const struct caward *a = &p->awards[i];
		const char *who = a->has_suppliers && a->nsuppliers == 1 ? a->suppliers[0] : NULL;
		if (!is(a->status, "active") || !a->has_items || !who)
			continue;
		for (size_t k = 0; k < a->nclasses; k++) {
			const char *cat = prefix(r, a->classes[k], r->s->r048_digits);
			/* A supplier-category pair, unambiguous whatever the ids hold. */
			pb_buf_reset(&r->scratch);
			pb_buf_addf(&r->scratch, "%zu:%s%s", strlen(who), who, cat);
			const char *pair = pb_intern(r->strings, r->scratch.data, r->scratch.len);
			uint32_t dummy;
			struct trow *row = tally_row(&r->r048, who);
			set_add(&seen, who);
			if (!pb_ptrmap_get(r->r048_pairs, pair, &dummy)) {
				pb_ptrmap_put(r->r048_pairs, pair, 1);
				row->den++;
			}
		}
	}
	/* A supplier counts once per contracting process. */
	set_done(&seen);
	for (size_t k = 0; k < seen.n; k++)
		tally_row(&r->r048, seen.v[k])->num++;
	set_release(&seen);
}

/* --- deciding, once every release is read --- */

static double *ratio_values(const struct tally *t)
{
	double *v = pb_xcalloc(t->n + 1, sizeof(*v));

	for (size_t i = 0; i < t->n; i++)
		v[i] = t->rows[i].ratio;
	return v;
}

static void r024_finish(struct run *r)
{
	const pb_cardinal_opt *t = &r->s->r024_threshold;
	double *v = ratio_values(&r->ratios), lower = t->value, q1 = 1.0; /* passes the guard */

	if (!t->set) {
		pb_fences f = pb_fences_of(v, r->ratios.n);
		meta(r, PB_CARDINAL_R024, "q1", f.q1);
		meta(r, PB_CARDINAL_R024, "q3", f.q3);
		lower = f.lower;
		q1 = f.q1;
	}
	meta(r, PB_CARDINAL_R024, "lower_fence", lower);
	/* Ratios are not negative: with q1 at 0, three processes in four
	 * would be flagged. */
	for (size_t i = 0; q1 > 0 && lower > 0 && i < r->ratios.n; i++) {
		const struct trow *row = &r->ratios.rows[i];
		if (!(row->ratio <= lower))
			continue;
		flag(r, G_OCID, row->id, PB_CARDINAL_R024, row->ratio);
		flag(r, G_TENDERER, row->winner, PB_CARDINAL_R024, 0.0);
		flag(r, G_TENDERER, row->runner, PB_CARDINAL_R024, 0.0);
	}
	free(v);
}

static void r058_finish(struct run *r)
{
	const pb_cardinal_opt *t = &r->s->r058_threshold;
	double *v = ratio_values(&r->ratios), upper = t->value;

	if (!t->set) {
		pb_fences f = pb_fences_of(v, r->ratios.n);
		meta(r, PB_CARDINAL_R058, "q1", f.q1);
		meta(r, PB_CARDINAL_R058, "q3", f.q3);
		upper = f.upper;
	}
	meta(r, PB_CARDINAL_R058, "upper_fence", upper);
	for (size_t i = 0; upper > 0 && i < r->ratios.n; i++) {
		const struct trow *row = &r->ratios.rows[i];
		if (!(row->ratio >= upper))
			continue;
		flag(r, G_OCID, row->id, PB_CARDINAL_R058, row->ratio);
		flag(r, G_TENDERER, row->winner, PB_CARDINAL_R058, 0.0);
	}
	free(v);
}

static void r025_finish(struct run *r)
{
	const struct tally *t = &r->r025;
	const pb_cardinal_opt *th = &r->s->r025_threshold;
	double *counts = pb_xcalloc(t->n + 1, sizeof(*counts)), *ratios = pb_xcalloc(t->n + 1, sizeof(*ratios));
	double lower = th->value, q1 = 1.0;

	for (size_t i = 0; i < t->n; i++) {
		counts[i] = (double)t->rows[i].den;
		ratios[i] = (double)t->rows[i].num / (double)t->rows[i].den;
	}
	double *sorted = pb_xcalloc(t->n + 1, sizeof(*sorted));
	if (t->n)
		memcpy(sorted, counts, t->n * sizeof(*sorted));
	pb_sort_doubles(sorted, t->n);
	double upper = pb_quantile(sorted, t->n, (double)r->s->r025_percentile / 100.0);
	free(sorted);
	if (!th->set) {
		pb_fences f = pb_fences_of(ratios, t->n);
		meta(r, PB_CARDINAL_R025, "q1", f.q1);
		meta(r, PB_CARDINAL_R025, "q3", f.q3);
		lower = f.lower;
		q1 = f.q1;
	}
	meta(r, PB_CARDINAL_R025, "upper_fence", upper);
	meta(r, PB_CARDINAL_R025, "lower_fence", lower);
	for (size_t i = 0; q1 > 0 && lower > 0 && i < t->n; i++)
		if (counts[i] >= upper && ratios[i] <= lower)
			flag(r, G_TENDERER, t->rows[i].id, PB_CARDINAL_R025, ratios[i]);
	free(counts);
	free(ratios);
}

static void r038_finish(struct run *r)
{
	const pb_cardinal_opt *th = &r->s->r038_threshold;

	for (int g = 0; g < 3; g++) {
		const struct tally *t = &r->r038[g];
		/* Cardinal 0.0.8 compares minimum_contracting_processes with the
		 * number of submitted bids of a buyer or procuring entity. */
		size_t minimum = g < 2 ? r->s->r038_minimum_contracting_processes
				       : r->s->r038_minimum_submitted_bids;
		double *ratio = pb_xcalloc(t->n + 1, sizeof(*ratio));
		const char **id = pb_xcalloc(t->n + 1, sizeof(*id));
		size_t m = 0;
		char key[64];
		for (size_t i = 0; i < t->n; i++)
			if (t->rows[i].den >= minimum) {
				id[m] = t->rows[i].id;
				ratio[m++] = (double)t->rows[i].num / (double)t->rows[i].den;
			}
		double upper = th->value;
		if (m && !th->set) {
			pb_fences f = pb_fences_of(ratio, m);
			snprintf(key, sizeof(key), "%s_q1", group_name[g + 1]);
			meta(r, PB_CARDINAL_R038, key, f.q1);
			snprintf(key, sizeof(key), "%s_q3", group_name[g + 1]);
			meta(r, PB_CARDINAL_R038, key, f.q3);
			upper = f.upper;
		}
		if (m) {
			snprintf(key, sizeof(key), "%s_upper_fence", group_name[g + 1]);
			meta(r, PB_CARDINAL_R038, key, upper);
		}
		for (size_t k = 0; upper > 0 && k < m; k++)
			if (ratio[k] >= upper)
				flag(r, g + 1, id[k], PB_CARDINAL_R038, ratio[k]);
		free(ratio);
		free(id);
	}
}

static void r048_finish(struct run *r)
{
	const struct tally *t = &r->r048;
	double *variety = pb_xcalloc(t->n + 1, sizeof(*variety));
	const char **id = pb_xcalloc(t->n + 1, sizeof(*id));
	double upper = r->s->r048_threshold.value;
	size_t m = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].num >= r->s->r048_minimum_contracting_processes) {
			id[m] = t->rows[i].id;
			variety[m++] = (double)t->rows[i].den;
		}
	if (!r->s->r048_threshold.set) {
		pb_fences f = pb_fences_of(variety, m);
		meta(r, PB_CARDINAL_R048, "q1", f.q1);
		meta(r, PB_CARDINAL_R048, "q3", f.q3);
		upper = f.upper;
	}
	meta(r, PB_CARDINAL_R048, "upper_fence", upper);
	for (size_t k = 0; k < m; k++)
		if (variety[k] >= upper)
			flag(r, G_TENDERER, id[k], PB_CARDINAL_R048, variety[k]);
	free(variety);
	free(id);
}

/* --- one line, then the whole file --- */

static void fold(struct run *r, json_t *rel)
{
	const pb_cardinal_settings *s = r->s;
	struct cprocess p;

	process_read(r, rel, &p);
	/* Cardinal's order matters where indicators pick the main currency. */
	if (ENABLED(s, R024) || ENABLED(s, R058))
		second_lowest_bid_ratio(r, &p);
	if (ENABLED(s, R003))
		r003(r, &p);
	if (ENABLED(s, R018))
		r018(r, &p);
	if (ENABLED(s, R025))
		r025(r, &p);
	if (ENABLED(s, R028))
		r028(r, &p);
	if (ENABLED(s, R030))
		r030(r, &p);
	if (ENABLED(s, R035))
		r035(r, &p);
	if (ENABLED(s, R036))
		r036(r, &p);
	if (ENABLED(s, R038))
		r038(r, &p);
	if (ENABLED(s, R048))
		r048(r, &p);
	process_release(&p);
}

static void finish(struct run *r)
{
	const pb_cardinal_settings *s = r->s;

	if (ENABLED(s, R024))
		r024_finish(r);
	if (ENABLED(s, R025))
		r025_finish(r);
	if (ENABLED(s, R038))
		r038_finish(r);
	if (ENABLED(s, R048))
		r048_finish(r);
	if (ENABLED(s, R058))
		r058_finish(r);
}

/* Skips what Cardinal skips before any indicator: a cancelled tender, or
 * procurementMethodDetails listed under [exclusions]. */
static int excluded(const pb_cardinal_settings *s, json_t *rel)
{
	json_t *tender = json_object_get(rel, "tender");

	return is(sget(tender, "status"), "cancelled") ||
	       list_has(&s->excluded_details, sget(tender, "procurementMethodDetails"));
}

static int blank(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\n\r\f", line[i]) || !line[i])
			return 0;
	return 1;
}

static void read_line(struct run *r, const char *path, unsigned long no, const char *line, size_t n,
		      FILE *warnings)
{
	json_error_t je;
	json_t *rel;

	if (blank(line, n))
		return;
	rel = json_loadb(line, n, JSON_DECODE_ANY, &je);
	if (!rel)
		fprintf(warnings, "probity: warning: %s:%lu: invalid JSON, skipped: %s\n", path, no, je.text);
	else if (!json_is_object(rel))
		fprintf(warnings, "probity: warning: %s:%lu: not a JSON object, skipped\n", path, no);
	else if (!json_is_string(json_object_get(rel, "ocid")))
		fprintf(warnings, "probity: warning: %s:%lu: no string 'ocid', skipped\n", path, no);
	else if (!excluded(r->s, rel))
		fold(r, rel);
	json_decref(rel);
}

/* --- writing: jansson escapes the strings, numbers as Rust prints f64 --- */

static int append(const char *buffer, size_t size, void *data)
{
	pb_buf_add(data, buffer, size);
	return 0;
}

static void emit_number(pb_buf *b, double v)
{
	char num[40];

	if (!isfinite(v)) {
		pb_buf_addstr(b, "null");
		return;
	}
	/* The shortest form that reads back as the same double. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, v);
		if (strtod(num, NULL) == v)
			break;
	}
	pb_buf_addstr(b, num);
	if (!strpbrk(num, ".e"))
		pb_buf_addstr(b, ".0");
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

static int write_result(struct run *r, int with_meta, FILE *out, pb_error *err)
{
	json_t *all = json_object();
	pb_buf b;

	for (int g = 0; g < 4; g++)
		if (r->group[g])
			json_object_set(all, group_name[g], r->group[g]);
	if (with_meta)
		json_object_set(all, "Meta", r->meta);
	pb_buf_init(&b);
	emit(&b, all);
	pb_buf_addch(&b, '\n');
	json_decref(all);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0) {
		pb_buf_release(&b);
		pb_error_set(err, PB_EXIT_INPUT, "cannot write the result: %s", strerror(errno));
		return -1;
	}
	pb_buf_release(&b);
	return 0;
}

static void run_release(struct run *r)
{
	for (int g = 0; g < 4; g++)
		json_decref(r->group[g]);
	json_decref(r->meta);
	tally_release(&r->ratios);
	tally_release(&r->r025);
	for (int g = 0; g < 3; g++)
		tally_release(&r->r038[g]);
	tally_release(&r->r048);
	pb_ptrmap_free(r->r048_pairs);
	pb_buf_release(&r->scratch);
	pb_strtab_free(r->strings);
	pb_arena_free(r->arena);
}

int pb_cardinal_run(const pb_cardinal_settings *s, const char *path, int with_meta, FILE *out,
		    FILE *warnings, pb_error *err)
{
	struct run r;
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long no = 0;
	int rc = 0;

	if (!in) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.arena = pb_arena_new();
	r.strings = pb_strtab_new(r.arena);
	r.meta = json_object();
	r.r048_pairs = pb_ptrmap_new();
	pb_buf_init(&r.scratch);
	while ((len = getline(&line, &cap, in)) >= 0)
		read_line(&r, path, ++no, line, (size_t)len, warnings);
	if (ferror(in)) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: read failed after line %lu: %s", path, no,
			     strerror(errno));
		rc = -1;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	if (!rc) {
		finish(&r);
		rc = write_result(&r, with_meta, out, err);
	}
	run_release(&r);
	return rc;
}

/* --- the command --- */

static const char usage[] = "usage: probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n";

int pb_cardinal_main(int argc, char **argv, FILE *out, FILE *err_out)
{
	const char *settings = NULL, *input = NULL;
	int with_meta = 1, rc = 0;
	pb_cardinal_settings s;
	pb_error err = {0};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--no-meta")) {
			with_meta = 0;
		} else if ((!strcmp(a, "--settings") || !strcmp(a, "-s")) && i + 1 < argc) {
			settings = argv[++i];
		} else if (!strncmp(a, "--settings=", 11)) {
			settings = a + 11;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, out);
			return 0;
		} else if ((a[0] == '-' && a[1]) || input) {
			fputs("probity: error: cardinal: unexpected argument '", err_out);
			pb_output_escape(err_out, a);
			fprintf(err_out, "'\n%s", usage);
			return PB_EXIT_USAGE;
		} else {
			input = a;
		}
	}
	if (!input) {
		fputs(usage, err_out);
		return PB_EXIT_USAGE;
	}
	if (settings) {
		rc = pb_cardinal_settings_load(&s, settings, &err);
	} else {
		pb_cardinal_settings_init(&s);
	}
	if (s.ignored)
		for (const char *p = s.ignored; *p;) {
			size_t k = strcspn(p, "\n");
			char *line = pb_xstrndup(p, k);
			fputs("probity: warning: ", err_out);
			pb_output_escape(err_out, line);
			fputc('\n', err_out);
			free(line);
			p += k + (p[k] == '\n');
		}
	if (!rc && !s.enabled)
		fprintf(err_out, "probity: warning: cardinal: no indicator enabled; a settings file "
				 "enables one by its section, e.g. [R024]\n");
	if (!rc)
		rc = pb_cardinal_run(&s, input, with_meta, out, err_out, &err);
	pb_cardinal_settings_release(&s);
	if (rc) {
		fputs("probity: error: ", err_out);
		pb_output_escape(err_out, err.msg);
		fputc('\n', err_out);
		return err.code ? err.code : PB_EXIT_INPUT;
	}
	return 0;
}

int cmd_cardinal(int argc, char **argv)
{
	return pb_cardinal_main(argc, argv, stdout, stderr);
}
