/*
 * ocds.c - Open Contracting Data Standard importer (jansson).
 *
 * Reads release packages, record packages (their embedded releases
 * compiled here, then their compiledRelease; else the compiledRelease,
 * else the versionedRelease compiled here),
 * bare releases and records, arrays of releases, several JSON documents
 * concatenated in one file, and line-delimited releases (.jsonl/.ndjson,
 * a line may also hold a package), mapping each release onto the
 * canonical tables (docs/formats.md).
 *
 * The unit counted for reconciliation is the release (a package's
 * releases[] element, a record, a jsonl line): each is imported or
 * rejected with its line and a reason.  A release adds many records;
 * when a key is already there (a party shared by many releases, a later
 * release of the same process in this file or another of the run) the
 * records merge as OCDS compiles releases: the newest release by date
 * wins each field it states, an older one only fills gaps; a party
 * keeps what it was first said to be, gains what later mentions add,
 * and its roles are the union.  An award and the contract citing it are
 * one contracts row whatever releases they come in; changes of value or
 * end date between releases become amendments (see "awards and
 * contracts" below).  An element without an id is keyed by its index
 * after '#' ("ocid/bid#2"), which no published id is expected to use.
 * Gzip-compressed files (.json.gz, .jsonl.gz) are read through zlib,
 * which passes uncompressed files through unchanged.
 * Limits: a jsonl line over 64 MiB or a document file over 1 GiB is
 * refused with the limit named; nesting is bounded by jansson
 * (JSON_PARSER_MAX_DEPTH, 2048).  A release holding \u0000 in any
 * string is rejected (C strings would end there); after a broken
 * document in a concatenated file reading resumes at the next whole
 * document (resync).  docs/limits.md lists them all.
 * Money: JSON numbers become exact minor units through their shortest
 * round-trip decimal text; a value finer than its currency allows, or
 * without an ISO 4217 currency, is left unknown, never rounded or
 * guessed, and listed with its JSON pointer (pb_ledger_unread), as is a
 * date that is no date.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "../engine/importer.h"
#include "../engine/parallel.h"

#define OCDS_MAX_LINE (64u << 20)
#define OCDS_MAX_FILE ((size_t)1 << 30)
#define OCDS_STR_(x) #x
#define OCDS_STR(x) OCDS_STR_(x)

struct ocds {
	pb_ledger *l;
	const pb_config *cfg;
	const char *path;  /* interned */
	size_t input;
	uint64_t line;     /* of the current release */
	const char *base;  /* JSON pointer prefix of the current release */
	const char *ocid;
	const char *rid, *rdate; /* the release's id and date (text), or NULL */
	pb_date rday;
	json_t *parties;   /* local party id -> canonical id (strings) */
	json_t *history;   /* rows of the current ocid as of each release */
	/* Values not read in the embedded releases of the current record
	 * (see restated), and whether its compiledRelease is being read. */
	json_t *listed;
	int restating;
};

/* --- small readers over jansson values --- */

static const char *S(struct ocds *o, const char *s)
{
	return s && *s ? pb_ledger_intern(o->l, s, strlen(s)) : NULL;
}

/* Interned formatted text, NULL when empty. */
#define P(o, ...) pb_ledger_internf((o)->l, __VA_ARGS__)

/* Text of a string or integer member (ids are numbers in some feeds). */
static const char *text_of(struct ocds *o, json_t *v)
{
	if (json_is_string(v))
		return S(o, json_string_value(v));
	if (json_is_integer(v))
		return P(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return NULL;
}

static const char *get_text(struct ocds *o, json_t *obj, const char *key)
{
	return text_of(o, json_object_get(obj, key));
}

/* Free text (a title, a description): copied, not interned
 * (pb_ledger_keep). */
static const char *get_prose(struct ocds *o, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	return s ? pb_ledger_keep(o->l, s, strlen(s)) : text_of(o, v);
}

/* The shortest decimal text that reads back as d, or 0 if it needs an
 * exponent (too large or too small to be money). */
static int real_text(double d, char *buf, size_t n)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return !strpbrk(buf, "eEni"); /* exponents, inf, nan */
}

/*
 * A record's compiledRelease restates what its embedded releases say:
 * a value they already listed as not read is not listed again from it.
 * Values are matched by their pointer within the release, array
 * positions left out (a compiled award's place may differ), their text
 * and why; one the publisher's compiling changed is listed.
 */
static int restated(struct ocds *o, const char *where, const char *shown, const char *why)
{
	if (!o->listed)
		return 0;
	size_t nb = strlen(o->base);
	const char *rel = strncmp(where, o->base, nb) ? where : where + nb;
	pb_buf key;
	pb_buf_init(&key);
	for (const char *seg = rel; *seg == '/'; seg += strcspn(seg + 1, "/") + 1) {
		size_t n = strcspn(seg + 1, "/");
		if (strspn(seg + 1, "0123456789") != n || !n)
			pb_buf_add(&key, seg, n + 1);
	}
	pb_buf_addf(&key, "\n%s\n%s", shown, why);
	int seen = json_object_get(o->listed, key.data) != NULL;
	if (!o->restating)
		json_object_set_new(o->listed, key.data, json_true());
	pb_buf_release(&key);
	return o->restating && seen;
}

/*
 * A value of the current release that is there but could not be read:
 * listed with its JSON pointer (at/key) and why (pb_ledger_unread), and
 * the field left unknown.
 */
static void unread(struct ocds *o, const char *at, const char *key, json_t *v, const char *why)
{
	const char *where = pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", at, key);
	char text[64];

	/* the value as the file wrote it; a number as its shortest exact
	 * text, not %.17g's 0.77599999 */
	if (json_is_integer(v))
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		real_text(json_real_value(v), text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", json_is_true(v) ? "true" : json_is_false(v) ? "false"
						   : json_is_object(v) ? "{...}" : json_is_array(v) ? "[...]" : "null");
	const char *shown = json_is_string(v) ? json_string_value(v) : text;
	if (!restated(o, where, shown, why))
		pb_ledger_unread(o->l, o->input, o->line, where, shown, why);
}

/* A date, or none: absent, null or "" is none; anything else that is no
 * date is listed (unread) as at/key, or at/sub/key when sub is not NULL
 * (the pointer is made only then: most dates read). */
static pb_date date_value(struct ocds *o, json_t *v, const char *at, const char *sub, const char *key)
{
	const char *s = json_string_value(v), *why;
	pb_date d;

	if (!v || json_is_null(v) || (s && !*s))
		return PB_DATE_NONE;
	if (!s)
		why = "is not a date (not a JSON string)";
	else if (pb_date_parse(s, strlen(s), NULL, &d, &why) == 0)
		return d;
	unread(o, sub ? pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", at, sub) : at, key, v, why);
	return PB_DATE_NONE;
}

/* obj's date `key`; at is obj's JSON pointer. */
static pb_date get_date(struct ocds *o, json_t *obj, const char *key, const char *at)
{
	return date_value(o, json_object_get(obj, key), at, NULL, key);
}

/* The date `key` of obj's object `sub` (a period): at is obj's pointer. */
static pb_date get_sub_date(struct ocds *o, json_t *obj, const char *sub, const char *key,
			    const char *at)
{
	return date_value(o, json_object_get(json_object_get(obj, sub), key), at, sub, key);
}

/* The JSON pointer of an element of the current release. */
static const char *pointer(struct ocds *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *pointer(struct ocds *o, const char *fmt, ...)
{
	va_list ap;
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addstr(&b, o->base);
	va_start(ap, fmt);
	pb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	const char *p = pb_ledger_intern(o->l, b.data, b.len);
	pb_buf_release(&b);
	return p;
}

/* import_release refused a release whose line a row cannot hold. */
static void row(struct ocds *o, pb_row *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if (pb_row_set(o->l, r, o->path, o->line, path) < 0)
		pb_fatal("internal error: %s: line %" PRIu64 " taken for a row", o->path, o->line);
}

/* An ISO 4217 code, upper-cased ("mdl" is Moldova's MDL), or NULL. */
static const char *currency_of(struct ocds *o, json_t *v)
{
	const char *s = json_string_value(v);
	char code[4];

	if (!s || strlen(s) != 3)
		return NULL;
	for (int i = 0; i < 4; i++)
		code[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	return pb_currency_exponent(code) >= 0 ? S(o, code) : NULL;
}

/* The amount of obj's money object `key` ({amount, currency}) in minor
 * units, or unknown: an amount without an ISO 4217 currency, or not
 * exact in it, is listed (unread) with its pointer (at/key/...), never
 * rounded or given a currency. */
static void get_money(struct ocds *o, json_t *obj, const char *key, const char *at, int64_t *amount,
		      const char **currency)
{
	json_t *value = json_object_get(obj, key);
	json_t *a = json_object_get(value, "amount"), *c = json_object_get(value, "currency");
	const char *why = NULL;
	char buf[64];

	*amount = PB_AMOUNT_NONE;
	*currency = NULL;
	if (!a || json_is_null(a))
		return;
	int none = !c || json_is_null(c) || (json_is_string(c) && !*json_string_value(c));
	*currency = currency_of(o, c);
	if (!*currency)
		why = none ? "has no currency" : "is not an ISO 4217 currency";
	else if (json_is_integer(a))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(a));
	else if (json_is_real(a) && !real_text(json_real_value(a), buf, sizeof(buf)))
		why = "is too large or too small to be money";
	else if (json_is_string(a) && strlen(json_string_value(a)) < sizeof(buf))
		snprintf(buf, sizeof(buf), "%s", json_string_value(a));
	else if (json_is_string(a))
		why = "is too long to be an amount";
	else if (!json_is_real(a))
		why = "is not a number";
	if (!why && pb_amount_parse(buf, strlen(buf), pb_currency_exponent(*currency),
				    pb_numfmt_default, amount, &why) < 0)
		*amount = PB_AMOUNT_NONE;
	if (why)
		unread(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", at, key),
		       *currency || none ? "amount" : "currency", *currency || none ? a : c, why);
}

/* get_money() into a record's amount and currency (a pb_text). */
static void get_record_money(struct ocds *o, json_t *obj, const char *key, const char *at,
			     int64_t *amount, pb_text *currency)
{
	const char *cur;

	get_money(o, obj, key, at, amount, &cur);
	*currency = pb_text_of(cur);
}

/* --- merging: later releases of a key update what they know --- */

/* "buyer;supplier" + "supplier;payee" = "buyer;supplier;payee". */
static const char *roles_union(struct ocds *o, const char *a, const char *b)
{
	pb_buf u;

	if (!a || !b || a == b)
		return a ? a : b;
	pb_buf_init(&u);
	pb_buf_addstr(&u, a);
	for (const char *p = b; p && *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!pb_tokens_has(a, p, len)) {
			pb_buf_addstr(&u, ";");
			pb_buf_add(&u, p, len);
		}
		p = end ? end + 1 : NULL;
	}
	const char *s = pb_ledger_intern(o->l, u.data, u.len);
	pb_buf_release(&u);
	return s;
}

/*
 * Is the current release older than the one that last updated row r?
 * Release dates are ISO 8601 text from one publisher, so they compare
 * as text; without a date on either side, file order decides.
 */
static int older_than(struct ocds *o, const pb_row *r)
{
	const char *d = pb_row_extra(r, "release_date");

	return o->rdate && d && strcmp(o->rdate, d) < 0;
}

/*
 * Adds a record, or merges it into the one already under its key.  A
 * party's later mentions are often weaker (a reference's short name):
 * they only fill gaps.  A process follows OCDS merging: the newest
 * release (by date) wins each field it states; an older release read
 * later only fills gaps.
 */
static void add(struct ocds *o, pb_table t, void *rec)
{
	const void *existing;

	if (pb_ledger_insert(o->l, t, rec, &existing) != 1)
		return;
	/* The importer owns its records until the ledger is sealed. */
	unsigned char *dst = (unsigned char *)(uintptr_t)existing;
	const unsigned char *src = rec;
	pb_row *drow = (pb_row *)dst;
	const pb_row *srow = (const pb_row *)src;
	int gaps_only = t == PB_T_PARTIES || older_than(o, drow);
	const char *roles = NULL;
	uint32_t nextra;
	if (t == PB_T_PARTIES)
		roles = roles_union(o, pb_str(((const pb_party *)dst)->roles),
				    pb_str(((const pb_party *)src)->roles));
	pb_ledger_merge_fields(t, dst, src, gaps_only);
	if (t == PB_T_PARTIES) {
		((pb_party *)dst)->roles = pb_text_of(roles);
	} else if (!gaps_only) {
		/* The newer release is where these values are now. */
		pb_row old = *drow;
		*drow = *srow;
		pb_ledger_merge_extras(o->l, drow, srow, &old);
	} else if (pb_row_extras(srow, &nextra)) {
		pb_row old = *drow;
		pb_ledger_merge_extras(o->l, drow, &old, srow);
	}
}

static const char *one_of(struct ocds *o, const char *v, const char *const *allowed)
{
	char low[32];
	size_t n = v ? strlen(v) : 0;

	if (!n || n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
	for (; *allowed; allowed++)
		if (!strcmp(*allowed, low))
			return S(o, low);
	return NULL;
}

/* --- parties --- */

/* "SCHEME:ID" of an identifier that has both, else NULL. */
static const char *scheme_id(struct ocds *o, json_t *ident)
{
	const char *scheme = get_text(o, ident, "scheme"), *id = get_text(o, ident, "id");

	return scheme && id ? P(o, "%s:%s", scheme, id) : NULL;
}

static void join(pb_buf *b, const char *part)
{
	if (part && *part)
		pb_buf_addf(b, "%s%s", b->len ? ", " : "", part);
}

/* An address's parts joined with ", ", and its country. */
static void address(struct ocds *o, json_t *a, pb_party *rec)
{
	pb_buf b;

	pb_buf_init(&b);
	join(&b, json_string_value(json_object_get(a, "streetAddress")));
	join(&b, json_string_value(json_object_get(a, "locality")));
	join(&b, json_string_value(json_object_get(a, "region")));
	join(&b, json_string_value(json_object_get(a, "postalCode")));
	join(&b, json_string_value(json_object_get(a, "countryName")));
	rec->address = pb_text_of(S(o, b.data));
	pb_buf_release(&b);
	rec->country = pb_text_of(get_text(o, a, "countryName"));
}

/* The party_id of an organisation: its registry id when it has one, so
 * one company joins across processes; else local to the process. */
static const char *party_id_of(struct ocds *o, const char *registry, const char *local,
			       const char *name)
{
	if (registry)
		return registry;
	if (local)
		return P(o, "%s/%s", o->ocid, local);
	return name ? P(o, "%s/%s", o->ocid, name) : NULL;
}

static void add_party(struct ocds *o, json_t *p, size_t i)
{
	static const struct {
		const char *ocds, *ours;
	} role_map[] = {{"buyer", "buyer"}, {"procuringEntity", "buyer"},
			{"supplier", "supplier"}, {"tenderer", "tenderer"},
			{"payer", "payer"}, {"payee", "payee"}};
	pb_party rec;
	pb_buf roles;
	json_t *ident = json_object_get(p, "identifier"), *r;
	size_t k;

	pb_record_blank(PB_T_PARTIES, &rec);
	row(o, &rec.row, pointer(o, "/parties/%zu", i));
	rec.registry_id = pb_text_of(scheme_id(o, ident));
	const char *local = get_text(o, p, "id");
	rec.name = pb_text_of(get_text(o, p, "name"));
	if (!rec.name)
		rec.name = pb_text_of(get_text(o, ident, "legalName"));
	rec.party_id = pb_text_of(
		party_id_of(o, pb_str(rec.registry_id), local, local ? NULL : pb_str(rec.name)));
	if (!rec.party_id)
		return;
	if (local)
		json_object_set_new(o->parties, local, json_string(pb_str(rec.party_id)));
	rec.kind = pb_text_of(S(o, "organisation"));
	pb_buf_init(&roles);
	json_array_foreach(json_object_get(p, "roles"), k, r) {
		for (size_t m = 0; m < sizeof(role_map) / sizeof(role_map[0]); m++)
			if (json_is_string(r) && !strcmp(json_string_value(r), role_map[m].ocds) &&
			    !pb_tokens_has(roles.data, role_map[m].ours, strlen(role_map[m].ours)))
				pb_buf_addf(&roles, "%s%s", roles.len ? ";" : "", role_map[m].ours);
	}
	rec.roles = pb_text_of(S(o, roles.data));
	pb_buf_release(&roles);
	address(o, json_object_get(p, "address"), &rec);
	add(o, PB_T_PARTIES, &rec);
}

/*
 * A reference to a party ({id, name} in 1.1; a whole organisation with
 * identifier and address in 1.0): its canonical id.  A party the
 * release's `parties` does not list is added from what the reference
 * says, with the role it plays there.
 */
static const char *party_ref(struct ocds *o, json_t *ref, const char *role, const char *path)
{
	pb_party rec;
	json_t *known;

	if (!json_is_object(ref))
		return NULL;
	const char *local = get_text(o, ref, "id");
	if (local && (known = json_object_get(o->parties, local)))
		return S(o, json_string_value(known));
	json_t *ident = json_object_get(ref, "identifier");
	pb_record_blank(PB_T_PARTIES, &rec);
	row(o, &rec.row, path);
	rec.registry_id = pb_text_of(scheme_id(o, ident));
	rec.name = pb_text_of(get_text(o, ref, "name"));
	if (!rec.name)
		rec.name = pb_text_of(get_text(o, ident, "legalName"));
	rec.party_id = pb_text_of(party_id_of(o, pb_str(rec.registry_id), local, pb_str(rec.name)));
	if (!rec.party_id)
		return NULL;
	rec.kind = pb_text_of(S(o, "organisation"));
	rec.roles = pb_text_of(S(o, role));
	address(o, json_object_get(ref, "address"), &rec);
	add(o, PB_T_PARTIES, &rec);
	if (local)
		json_object_set_new(o->parties, local, json_string(pb_str(rec.party_id)));
	return pb_str(rec.party_id);
}

/* OCDS 1.0 transactions name their parties by a bare identifier. */
static const char *party_ident(struct ocds *o, json_t *ident, const char *role, const char *path)
{
	json_t *ref = json_object();

	json_object_set(ref, "identifier", ident);
	if (json_object_get(ident, "legalName"))
		json_object_set(ref, "name", json_object_get(ident, "legalName"));
	const char *id = party_ref(o, ref, role, path);
	json_decref(ref);
	return id;
}

/* --- the process --- */

static void add_extra(struct ocds *o, pb_row *r, const char *name, const char *value)
{
	if (value)
		pb_row_add_extra(o->l, r, S(o, name), value);
}

/* Item classifications "scheme:id;...", each once, for later rules. */
static const char *classifications(struct ocds *o, json_t *tender)
{
	pb_buf b;
	size_t i;
	json_t *item;

	pb_buf_init(&b);
	json_array_foreach(json_object_get(tender, "items"), i, item) {
		json_t *c = json_object_get(item, "classification");
		const char *scheme = get_text(o, c, "scheme"), *id = get_text(o, c, "id");
		if (!id)
			continue;
		const char *code = scheme ? P(o, "%s:%s", scheme, id) : id;
		pb_tokens_add(&b, code, strlen(code));
	}
	const char *s = S(o, b.data);
	pb_buf_release(&b);
	return s;
}

/*
 * Cardinal's raw fields, kept only when the config asks (pb_config
 * ocds_raw, set by `probity cardinal`): Cardinal reads the release as
 * published, where the canonical row normalises (statuses to the
 * codelist, parties to registry ids, amounts to exact minor units, dates
 * to days).  Extras named ocds_*; lists are JSON arrays, a member that is
 * not a string being null, so that no id is cut or merged.
 */
static int raw(const struct ocds *o)
{
	return o->cfg && o->cfg->ocds_raw;
}

/* A string member as published, interned ("" is unknown, as everywhere). */
static const char *raw_text(struct ocds *o, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? pb_ledger_intern(o->l, json_string_value(v), json_string_length(v))
				 : NULL;
}

/* The `key` member of each element of an array, as a JSON array; NULL
 * when `list` is not an array.  With `skip`, non-strings are left out. */
static const char *raw_list(struct ocds *o, json_t *list, const char *outer, const char *key, int skip)
{
	json_t *out, *x;
	size_t i;

	if (!json_is_array(list))
		return NULL;
	out = json_array();
	json_array_foreach(list, i, x) {
		json_t *v = json_object_get(outer ? json_object_get(x, outer) : x, key);
		if (json_is_string(v))
			json_array_append(out, v);
		else if (!skip)
			json_array_append_new(out, json_null());
	}
	char *text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *s = S(o, text);
	free(text);
	json_decref(out);
	return s;
}

static void raw_tender(struct ocds *o, json_t *r, json_t *t, pb_row *row_)
{
	json_t *period = json_object_get(t, "tenderPeriod");

	add_extra(o, row_, "ocds_status", raw_text(o, t, "status"));
	add_extra(o, row_, "ocds_method", raw_text(o, t, "procurementMethod"));
	add_extra(o, row_, "ocds_details", raw_text(o, t, "procurementMethodDetails"));
	add_extra(o, row_, "ocds_start", raw_text(o, period, "startDate"));
	add_extra(o, row_, "ocds_end", raw_text(o, period, "endDate"));
	add_extra(o, row_, "ocds_buyer", raw_text(o, json_object_get(r, "buyer"), "id"));
	add_extra(o, row_, "ocds_entity", raw_text(o, json_object_get(t, "procuringEntity"), "id"));
}

static void raw_bid(struct ocds *o, json_t *b, pb_row *row_)
{
	json_t *value = json_object_get(b, "value"), *amount = json_object_get(value, "amount");

	add_extra(o, row_, "ocds_status", raw_text(o, b, "status"));
	add_extra(o, row_, "ocds_date", raw_text(o, b, "date"));
	if (json_is_number(amount)) /* read back exactly: %.17g */
		add_extra(o, row_, "ocds_amount", P(o, "%.17g", json_number_value(amount)));
	add_extra(o, row_, "ocds_currency", raw_text(o, value, "currency"));
	add_extra(o, row_, "ocds_tenderers", raw_list(o, json_object_get(b, "tenderers"), NULL, "id", 0));
}

static void raw_award(struct ocds *o, json_t *aw, pb_row *row_)
{
	add_extra(o, row_, "ocds_award_status", raw_text(o, aw, "status"));
	add_extra(o, row_, "ocds_suppliers", raw_list(o, json_object_get(aw, "suppliers"), NULL, "id", 0));
	add_extra(o, row_, "ocds_classes",
		  raw_list(o, json_object_get(aw, "items"), "classification", "id", 1));
}

/* The release that last updated a tender or contract row, for evidence
 * and so that an older release read later cannot undo a newer one. */
static void release_extras(struct ocds *o, pb_row *r)
{
	add_extra(o, r, "release_id", o->rid);
	add_extra(o, r, "release_date", o->rdate);
}

static const char *const tender_statuses[] = {"planning", "planned", "active", "cancelled",
					      "unsuccessful", "complete", "withdrawn", NULL};
static const char *const award_statuses[] = {"pending", "active", "cancelled", "unsuccessful",
					     NULL};
static const char *const contract_statuses[] = {"pending", "active", "cancelled", "terminated",
						NULL};

/* A status lower-cased when it is a codelist value, else as published
 * (Moldova's "Executarea contractului", Prozorro's "active.awarded"). */
static const char *status_of(struct ocds *o, const char *v, const char *const *codelist)
{
	const char *code = one_of(o, v, codelist);

	return code ? code : v;
}

/*
 * The procedure in the publisher's words.  procurementMethod is the
 * method when it is an OCDS code, else the details (Moldova writes
 * "Licitaţie publică" there); Prozorro's procurementMethodType
 * ("reporting", "negotiation.quick") is more precise than the details,
 * so it wins.  The rationale is procurementMethodRationale, else
 * Prozorro's cause and causeDescription.
 */
static void procedure(struct ocds *o, json_t *t, pb_tender *rec)
{
	static const char *const methods[] = {"open", "selective", "limited", "direct", NULL};
	const char *method = get_text(o, t, "procurementMethod");
	const char *type = get_text(o, t, "procurementMethodType");

	rec->method = pb_text_of(one_of(o, method, methods));
	rec->method_details = pb_text_of(get_text(o, t, "procurementMethodDetails"));
	if (type)
		rec->method_details = pb_text_of(type);
	if (!rec->method_details && method && !rec->method) /* outside the codelist: kept */
		rec->method_details = pb_text_of(method);
	rec->method_rationale = pb_text_of(get_prose(o, t, "procurementMethodRationale"));
	const char *cause = get_text(o, t, "cause"), *why = get_text(o, t, "causeDescription");
	if (!rec->method_rationale && cause && why)
		rec->method_rationale = pb_text_of(P(o, "%s: %s", cause, why));
	else if (!rec->method_rationale)
		rec->method_rationale = pb_text_of(cause ? cause : why);
}

static void add_tender(struct ocds *o, json_t *r)
{
	static const char *const categories[] = {"goods", "works", "services", NULL};
	json_t *t = json_object_get(r, "tender");
	pb_tender rec;

	/* An award or contract release says nothing of the tender: its row
	 * keeps pointing at the release that did. */
	if (!json_is_object(t) && !json_is_object(json_object_get(r, "buyer")) &&
	    pb_ledger_find(o->l, PB_T_TENDERS, o->ocid))
		return;
	const char *at = pointer(o, "/tender");
	pb_record_blank(PB_T_TENDERS, &rec);
	row(o, &rec.row, at);
	rec.tender_id = pb_text_of(o->ocid);
	json_t *buyer = json_object_get(r, "buyer");
	if (json_is_object(buyer))
		rec.buyer_id = pb_text_of(party_ref(o, buyer, "buyer", pointer(o, "/buyer")));
	else
		rec.buyer_id = pb_text_of(party_ref(o, json_object_get(t, "procuringEntity"), "buyer",
						    pointer(o, "/tender/procuringEntity")));
	rec.title = pb_text_of(get_prose(o, t, "title"));
	rec.description = pb_text_of(get_prose(o, t, "description"));
	procedure(o, t, &rec);
	/* Colombia's SECOP I names the procedure only in a field of its own
	 * at the release's top ("Contratación Mínima Cuantía"). */
	if (!rec.method_details)
		rec.method_details = pb_text_of(get_text(o, r, "procurement_type"));
	rec.status = pb_text_of(status_of(o, get_text(o, t, "status"), tender_statuses));
	rec.category = pb_text_of(one_of(o, get_text(o, t, "mainProcurementCategory"), categories));
	get_record_money(o, t, "value", at, &rec.estimated_value, &rec.currency);
	json_t *period = json_object_get(t, "tenderPeriod");
	pb_date start = get_sub_date(o, t, "tenderPeriod", "startDate", at);
	rec.published_on = get_date(o, t, "datePublished", at);
	if (rec.published_on == PB_DATE_NONE)
		rec.published_on = start;
	rec.submission_deadline = get_sub_date(o, t, "tenderPeriod", "endDate", at);
	/* The award period cannot end when bidding does: a publisher that
	 * copies one into the other (Mexico's GACM) gives no deadline. */
	if (rec.submission_deadline != PB_DATE_NONE &&
	    get_sub_date(o, t, "awardPeriod", "endDate", at) == rec.submission_deadline) {
		rec.submission_deadline = PB_DATE_NONE;
		add_extra(o, &rec.row, "deadline_doubtful", "tenderPeriod.endDate equals awardPeriod.endDate");
	}
	json_t *nt = json_object_get(t, "numberOfTenderers");
	if (json_is_integer(nt) && json_integer_value(nt) >= 0)
		rec.number_of_tenderers = json_integer_value(nt);
	else if (nt && !json_is_null(nt))
		unread(o, at, "numberOfTenderers", nt, json_is_integer(nt) ? "is negative" : "is not a whole number");
	add_extra(o, &rec.row, "ocid", o->ocid);
	add_extra(o, &rec.row, "classifications", classifications(o, t));
	/* bidding.short-submission-period measures from the tender period's
	 * own start, and not when an enquiry period came first. */
	add_extra(o, &rec.row, "tender_period_start", get_text(o, period, "startDate"));
	add_extra(o, &rec.row, "enquiry_period_start",
		  get_text(o, json_object_get(t, "enquiryPeriod"), "startDate"));
	release_extras(o, &rec.row);
	if (raw(o))
		raw_tender(o, r, t, &rec.row);
	add(o, PB_T_TENDERS, &rec);
}

static void add_bids(struct ocds *o, json_t *r)
{
	static const char *const statuses[] = {"valid", "disqualified", "withdrawn", "pending", NULL};
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(json_object_get(r, "bids"), "details"), i, b) {
		pb_bid rec;
		const char *id = get_text(o, b, "id");
		const char *path = pointer(o, "/bids/details/%zu", i);
		pb_record_blank(PB_T_BIDS, &rec);
		row(o, &rec.row, path);
		rec.bid_id = pb_text_of(id ? P(o, "%s/bid/%s", o->ocid, id)
					   : P(o, "%s/bid#%zu", o->ocid, i));
		rec.tender_id = pb_text_of(o->ocid);
		json_t *tenderers = json_object_get(b, "tenderers");
		rec.bidder_id = pb_text_of(party_ref(o, json_array_get(tenderers, 0), "tenderer", path));
		if (json_array_size(tenderers) > 1) {
			pb_buf all;
			size_t k;
			json_t *tr;
			pb_buf_init(&all);
			json_array_foreach(tenderers, k, tr) {
				const char *who = party_ref(o, tr, "tenderer", path);
				if (who)
					pb_buf_addf(&all, "%s%s", all.len ? ";" : "", who);
			}
			add_extra(o, &rec.row, "tenderers", S(o, all.data));
			pb_buf_release(&all);
		}
		get_record_money(o, b, "value", path, &rec.value, &rec.currency);
		rec.submitted_on = get_date(o, b, "date", path);
		const char *st = get_text(o, b, "status");
		rec.status = pb_text_of(st && !strcasecmp(st, "invited") ? S(o, "pending")
								 : one_of(o, st, statuses));
		if (raw(o))
			raw_bid(o, b, &rec.row);
		add(o, PB_T_BIDS, &rec);
	}
}

/* --- awards and contracts, compiled per ocid --- */

/*
 * One contracts row stands for an award and the contract that cites it
 * (awardID), whichever releases they come in: both are keyed
 * "ocid/awardID".  Its value and end date are the first ones published
 * (the signed contract's replacing the award's); each later change is
 * an amendments row, so that the execution rules see what changed.
 * The row's extras say which contract it holds ("contract"), which
 * release last updated it and which amendment set its current value
 * ("amended_by"), so that files read later in the same run continue
 * where earlier ones stopped.
 */

/* A row's value and end date as they stand. */
struct state {
	int64_t value;
	const char *currency;
	pb_date end;
};

static const struct state no_state = {PB_AMOUNT_NONE, NULL, PB_DATE_NONE};

static void state_of(struct ocds *o, const pb_contract *c, struct state *st)
{
	const char *by = pb_row_extra(&c->row, "amended_by");
	const pb_amendment *a = by ? pb_ledger_find(o->l, PB_T_AMENDMENTS, by) : NULL;

	st->value = c->value;
	st->currency = pb_str(c->currency);
	st->end = c->end_on;
	if (a && a->value_after != PB_AMOUNT_NONE) {
		st->value = a->value_after;
		st->currency = pb_str(a->currency);
	}
	if (a && a->end_after != PB_DATE_NONE)
		st->end = a->end_after;
}

/* What a row was after release rid, for amendments that cite it (a
 * map "row key US release id" over the current ocid's releases). */
static void remember(struct ocds *o, const char *key, const struct state *st)
{
	pb_buf k;

	if (!o->rid)
		return;
	pb_buf_init(&k);
	pb_buf_addf(&k, "%s\x1f%s", key, o->rid);
	json_object_set_new(o->history, k.data,
			    json_pack("{s:I,s:s?,s:i}", "value", (json_int_t)st->value, "currency",
				      st->currency, "end", (int)st->end));
	pb_buf_release(&k);
}

static int recall(struct ocds *o, const char *key, const char *rid, struct state *st)
{
	pb_buf k;
	json_t *v = NULL;

	if (rid) {
		pb_buf_init(&k);
		pb_buf_addf(&k, "%s\x1f%s", key, rid);
		v = json_object_get(o->history, k.data);
		pb_buf_release(&k);
	}
	if (!v)
		return 0;
	st->value = json_integer_value(json_object_get(v, "value"));
	st->currency = S(o, json_string_value(json_object_get(v, "currency")));
	st->end = (pb_date)json_integer_value(json_object_get(v, "end"));
	return 1;
}

/* Sets what differs between two states on an amendment; returns
 * whether anything did. */
static int set_change(pb_amendment *a, const struct state *from, const struct state *to)
{
	int dv = from->value != PB_AMOUNT_NONE && to->value != PB_AMOUNT_NONE &&
		 from->currency == to->currency && from->value != to->value;
	int de = from->end != PB_DATE_NONE && to->end != PB_DATE_NONE && from->end != to->end;

	if (!dv && !de)
		return 0;
	if (from->value != PB_AMOUNT_NONE && from->currency == to->currency) {
		a->value_before = from->value;
		a->value_after = to->value;
		a->currency = pb_text_of(to->currency);
	}
	if (de) {
		a->end_before = from->end;
		a->end_after = to->end;
	}
	return 1;
}

/* Payments of a contract at JSON pointer `at`. */
static void add_payments(struct ocds *o, json_t *contract, const char *contract_id, const char *at)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(json_object_get(contract, "implementation"), "transactions"), i, t) {
		pb_payment rec;
		const char *id = get_text(o, t, "id");
		const char *path = P(o, "%s/implementation/transactions/%zu", at, i);
		pb_record_blank(PB_T_PAYMENTS, &rec);
		row(o, &rec.row, path);
		rec.payment_id = pb_text_of(id ? P(o, "%s/tx/%s", contract_id, id)
					       : P(o, "%s/tx#%zu", contract_id, i));
		rec.contract_id = pb_text_of(contract_id);
		json_t *payer = json_object_get(t, "payer"), *payee = json_object_get(t, "payee");
		json_t *provider = json_object_get(t, "providerOrganization");
		json_t *receiver = json_object_get(t, "receiverOrganization");
		rec.payer_id = pb_text_of(payer ? party_ref(o, payer, "payer", path)
						: party_ident(o, provider, "payer", path));
		rec.payee_id = pb_text_of(payee ? party_ref(o, payee, "payee", path)
						: party_ident(o, receiver, "payee", path));
		get_record_money(o, t, json_object_get(t, "value") ? "value" : "amount", path,
				 &rec.amount, &rec.currency);
		rec.paid_on = get_date(o, t, "date", path);
		rec.description = pb_text_of(get_text(o, t, "uri"));
		add(o, PB_T_PAYMENTS, &rec);
	}
}

/* Moldova publishes {"changes": []} and Montreal {} on every contract:
 * an amendment with no id, date, words or changes is none. */
static int says_something(json_t *a)
{
	static const char *const keys[] = {"id", "date", "rationale", "description",
					   "amendsReleaseID", "releaseID"};
	json_t *changes = json_object_get(a, "changes");

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *v = json_object_get(a, keys[k]);
		if (v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v)))
			return 1;
	}
	size_t i;
	json_t *c;
	json_array_foreach(changes, i, c)
		if (json_object_size(c) || json_array_size(c))
			return 1;
	return 0;
}

/* How a release changed one row, for the amendments it carries. */
struct change {
	const char *key;           /* the row's contract_id */
	struct state before, now;  /* around the current release */
	int changed;               /* value or end date differs */
	int consumed;              /* an OCDS amendment of the release took it */
	const char *amended_by;    /* that amendment's id */
};

/*
 * One OCDS amendment.  Values come from the releases it cites
 * (amendsReleaseID, releaseID) when this run has seen both; an
 * amendment new in the release that changed the row takes that change,
 * so one event is one row.
 */
static void add_amendment(struct ocds *o, json_t *a, struct change *ch, const char *path, size_t i)
{
	pb_amendment rec;
	struct state from, to;
	const char *id = get_text(o, a, "id");

	if (!says_something(a))
		return;
	pb_record_blank(PB_T_AMENDMENTS, &rec);
	row(o, &rec.row, path);
	rec.amendment_id = pb_text_of(id ? P(o, "%s/amendment/%s", ch->key, id)
					 : P(o, "%s/amendment#%zu", ch->key, i));
	rec.contract_id = pb_text_of(ch->key);
	rec.amended_on = get_date(o, a, "date", path);
	rec.rationale = pb_text_of(get_prose(o, a, "rationale"));
	if (!rec.rationale)
		rec.rationale = pb_text_of(get_prose(o, a, "description"));
	const char *cited_to = get_text(o, a, "releaseID");
	int is_new = !pb_ledger_find(o->l, PB_T_AMENDMENTS, pb_str(rec.amendment_id)) ||
		     (cited_to && cited_to == o->rid);
	int took = 0;
	if (recall(o, ch->key, get_text(o, a, "amendsReleaseID"), &from) &&
	    recall(o, ch->key, cited_to, &to) && set_change(&rec, &from, &to)) {
		took = ch->changed && !ch->consumed && cited_to == o->rid;
	} else if (is_new && ch->changed && !ch->consumed && (!cited_to || cited_to == o->rid)) {
		set_change(&rec, &ch->before, &ch->now);
		took = 1;
	}
	if (took) {
		ch->consumed = 1;
		ch->amended_by = pb_str(rec.amendment_id);
	}
	add(o, PB_T_AMENDMENTS, &rec);
}

/* amendments[] of an award or contract at `at`; OCDS 1.0's single
 * `amendment` when there is no list. */
static void add_amendments(struct ocds *o, json_t *obj, struct change *ch, const char *at)
{
	json_t *list = json_object_get(obj, "amendments"), *a;
	size_t i;

	if (json_is_array(list)) {
		json_array_foreach(list, i, a)
			if (json_is_object(a))
				add_amendment(o, a, ch, P(o, "%s/amendments/%zu", at, i), i);
	} else if (json_is_object(a = json_object_get(obj, "amendment"))) {
		add_amendment(o, a, ch, P(o, "%s/amendment", at), 0);
	}
}

/* The change between releases as its own amendments row. */
static void add_change(struct ocds *o, struct change *ch, const char *prev, const char *path)
{
	pb_amendment rec;
	const char *label = o->rid ? o->rid : o->rdate;

	if (!label)
		return; /* an unnamed, undated release cannot be cited */
	pb_record_blank(PB_T_AMENDMENTS, &rec);
	row(o, &rec.row, path);
	rec.amendment_id = pb_text_of(P(o, "%s/change/%s", ch->key, label));
	rec.contract_id = pb_text_of(ch->key);
	rec.amended_on = o->rday;
	set_change(&rec, &ch->before, &ch->now);
	int dv = rec.value_after != rec.value_before, de = rec.end_after != rec.end_before;
	rec.rationale = pb_text_of(P(o, "%s changed between releases %s and %s",
				     dv && de ? "value and end date" : dv ? "value" : "end date",
				     prev ? prev : "(earlier)", label));
	add(o, PB_T_AMENDMENTS, &rec);
	ch->amended_by = pb_str(rec.amendment_id);
}

/* A contracts row being compiled from one release. */
struct slot {
	const char *key;       /* contract_id */
	const char *award_key; /* a further contract of an award: its award's row */
	json_t *award, *contract;
	size_t ai, ci;
};

static struct slot *slot_for(struct slot *slots, size_t *n, json_t *index, const char *key)
{
	json_t *ix = json_object_get(index, key);

	if (ix)
		return &slots[json_integer_value(ix)];
	json_object_set_new(index, key, json_integer((json_int_t)*n));
	memset(&slots[*n], 0, sizeof(slots[*n]));
	slots[*n].key = key;
	return &slots[(*n)++];
}

static const char *contract_name(struct ocds *o, json_t *c, size_t k)
{
	const char *cid = get_text(o, c, "id");

	return cid ? cid : P(o, "#%zu", k);
}

/* Does a contract join its award's row?  Not when the row already holds
 * another contract (an award split into several contracts). */
static int joins_award(struct ocds *o, const struct slot *slots, json_t *index, const char *akey,
		       const char *cname)
{
	json_t *ix = json_object_get(index, akey);
	const char *other = NULL;

	if (ix && slots[json_integer_value(ix)].contract) {
		const struct slot *s = &slots[json_integer_value(ix)];
		other = contract_name(o, s->contract, s->ci);
	} else {
		const pb_contract *c = pb_ledger_find(o->l, PB_T_CONTRACTS, akey);
		other = c ? pb_row_extra(&c->row, "contract") : NULL;
	}
	return !other || other == cname;
}

/* Every supplier of a joint award: the first is supplier_id. */
static void suppliers(struct ocds *o, json_t *list, const char *at, pb_contract *rec)
{
	pb_buf co;
	size_t k;
	json_t *s;

	pb_buf_init(&co);
	json_array_foreach(list, k, s) {
		const char *id = party_ref(o, s, "supplier", at);
		if (!id || id == pb_str(rec->supplier_id) || pb_tokens_has(co.data, id, strlen(id)))
			continue;
		if (!rec->supplier_id)
			rec->supplier_id = pb_text_of(id);
		else
			pb_buf_addf(&co, "%s%s", co.len ? ";" : "", id);
	}
	rec->co_supplier_ids = pb_text_of(S(o, co.data));
	pb_buf_release(&co);
}

/*
 * An award dated exactly as its release (Montreal and Nigeria date every
 * award so, Montreal ten of twenty on one Saturday) may carry only the
 * day the release was published.  The date stays; the extra says so, and
 * timing.weekend-award does not read a weekday into it.  Its value is the
 * date, so that a later release dating the award otherwise is seen.
 */
static void award_date_stamp(struct ocds *o, json_t *aw, pb_row *row_)
{
	const char *d = json_string_value(json_object_get(aw, "date"));

	if (d && o->rdate && !strcmp(d, o->rdate))
		add_extra(o, row_, "award_dated_by_release", o->rdate);
}

static void award_fields(struct ocds *o, json_t *aw, const char *at, pb_contract *rec,
			 struct state *st)
{
	suppliers(o, json_object_get(aw, "suppliers"), at, rec);
	if (rec->co_supplier_ids) /* kept for its further contracts */
		add_extra(o, &rec->row, "award_suppliers",
			  P(o, "%s;%s", pb_str(rec->supplier_id), pb_str(rec->co_supplier_ids)));
	get_money(o, aw, "value", at, &st->value, &st->currency);
	rec->awarded_on = get_date(o, aw, "date", at);
	award_date_stamp(o, aw, &rec->row);
	rec->award_status = pb_text_of(status_of(o, get_text(o, aw, "status"), award_statuses));
	if (raw(o))
		raw_award(o, aw, &rec->row);
}

/* A further contract of an award names the award's suppliers. */
static void award_parties(struct ocds *o, const char *akey, pb_contract *rec)
{
	const pb_contract *a = pb_ledger_find(o->l, PB_T_CONTRACTS, akey);

	if (!a)
		return;
	/* Not the first contract's own supplier: every supplier of the award. */
	const char *all = pb_row_extra(&a->row, "award_suppliers");
	const char *semi = all ? strchr(all, ';') : NULL;
	rec->supplier_id =
		semi ? pb_text_of(S(o, P(o, "%.*s", (int)(semi - all), all))) : a->supplier_id;
	rec->co_supplier_ids = semi ? pb_text_of(S(o, semi + 1)) : a->co_supplier_ids;
	rec->awarded_on = a->awarded_on;
	add_extra(o, &rec->row, "award_dated_by_release", pb_row_extra(&a->row, "award_dated_by_release"));
	rec->award_status = a->award_status;
}

/* A contract's own suppliers (Paraguay names one per contract, as an
 * object: an award to four suppliers, one contract each) win over its
 * award's. */
static int contract_fields(struct ocds *o, json_t *c, const char *at, pb_contract *rec,
			   struct state *st)
{
	int named = 0;
	json_t *own = json_object_get(c, "suppliers");

	if (json_array_size(own) || json_is_object(own)) {
		pb_contract mine;
		json_t *list = json_is_object(own) ? json_pack("[O]", own) : json_incref(own);
		pb_record_blank(PB_T_CONTRACTS, &mine);
		suppliers(o, list, at, &mine);
		json_decref(list);
		if (mine.supplier_id) {
			rec->supplier_id = mine.supplier_id;
			rec->co_supplier_ids = mine.co_supplier_ids;
			named = 1;
		}
	}

	rec->signed_on = get_date(o, c, "dateSigned", at);
	rec->start_on = get_sub_date(o, c, "period", "startDate", at);
	st->end = get_sub_date(o, c, "period", "endDate", at);
	get_money(o, c, "value", at, &st->value, &st->currency);
	rec->status = pb_text_of(status_of(o, get_text(o, c, "status"), contract_statuses));
	return named;
}

/*
 * Decides the row's value and end date from what the release says (pro)
 * and what the row held (old, may be NULL); fills ch.
 */
static void settle(struct ocds *o, const pb_contract *old, const struct slot *s,
		   const struct state *pro, pb_contract *rec, struct change *ch)
{
	int first_contract = s->contract && (!old || !pb_row_extra(&old->row, "contract"));
	int fresh = !old || older_than(o, &old->row) ||
		    (first_contract && !pb_row_extra(&old->row, "amended_by"));

	ch->before = no_state;
	if (old)
		state_of(o, old, &ch->before);
	ch->now = ch->before;
	if (pro->value != PB_AMOUNT_NONE &&
	    (ch->before.value == PB_AMOUNT_NONE || pro->currency == ch->before.currency)) {
		ch->now.value = pro->value;
		ch->now.currency = pro->currency;
	}
	if (pro->end != PB_DATE_NONE)
		ch->now.end = pro->end;
	if (fresh) {
		/* New, signed now, or older than what the row holds (then
		 * add() only fills gaps). */
		rec->value = pro->value;
		rec->currency = pb_text_of(pro->value != PB_AMOUNT_NONE ? pro->currency : NULL);
		rec->end_on = pro->end;
		return;
	}
	/* The first published values stay; a difference is a change. */
	rec->value = old->value == PB_AMOUNT_NONE ? pro->value : PB_AMOUNT_NONE;
	rec->currency = pb_text_of(rec->value != PB_AMOUNT_NONE ? pro->currency : NULL);
	rec->end_on = old->end_on == PB_DATE_NONE ? pro->end : PB_DATE_NONE;
	/* Only a release dated after the row's can say what changed: two
	 * releases of one date (GACM publishes several) have no order. */
	const char *was = pb_row_extra(&old->row, "release_date");
	pb_amendment probe;
	ch->changed = o->rdate && was && strcmp(o->rdate, was) > 0 &&
		      set_change(&probe, &ch->before, &ch->now);
}

static void compile_row(struct ocds *o, const struct slot *s, const char *buyer)
{
	const pb_contract *old = pb_ledger_find(o->l, PB_T_CONTRACTS, s->key);
	const char *at = s->award ? pointer(o, "/awards/%zu", s->ai) : pointer(o, "/contracts/%zu", s->ci);
	const char *cat = s->contract ? pointer(o, "/contracts/%zu", s->ci) : NULL;
	const char *prev = old ? pb_row_extra(&old->row, "release_id") : NULL;
	struct state award = no_state, contract = no_state, pro;
	struct change ch;
	pb_contract rec;

	if (old && !prev)
		prev = pb_row_extra(&old->row, "release_date");
	pb_record_blank(PB_T_CONTRACTS, &rec);
	row(o, &rec.row, at);
	rec.contract_id = pb_text_of(s->key);
	rec.tender_id = pb_text_of(o->ocid);
	rec.buyer_id = pb_text_of(buyer);
	if (s->award)
		award_fields(o, s->award, at, &rec, &award);
	else if (s->award_key)
		award_parties(o, s->award_key, &rec);
	if (old && !s->contract && pb_row_extra(&old->row, "contract") && old->supplier_id) {
		/* The row holds a contract, whose suppliers it already names. */
		rec.supplier_id = 0;
		rec.co_supplier_ids = 0;
	}
	int named = s->contract && contract_fields(o, s->contract, cat, &rec, &contract);
	/* A contract's value is what was signed; the award's stands until
	 * there is one. */
	old = pb_ledger_find(o->l, PB_T_CONTRACTS, s->key); /* party_ref may have grown tables */
	pro = contract;
	if (pro.value == PB_AMOUNT_NONE && (!old || !pb_row_extra(&old->row, "contract"))) {
		pro.value = award.value;
		pro.currency = award.currency;
	}
	memset(&ch, 0, sizeof(ch));
	ch.key = s->key;
	settle(o, old, s, &pro, &rec, &ch);
	if (s->award)
		add_amendments(o, s->award, &ch, at);
	if (s->contract)
		add_amendments(o, s->contract, &ch, cat);
	if (ch.changed && !ch.consumed)
		add_change(o, &ch, prev, cat ? cat : at);
	remember(o, s->key, old && older_than(o, &old->row) ? &pro : &ch.now);
	if (s->contract)
		add_extra(o, &rec.row, "contract", contract_name(o, s->contract, s->ci));
	add_extra(o, &rec.row, "amended_by", ch.amended_by);
	release_extras(o, &rec.row);
	int newer = !old || !older_than(o, &old->row);
	add(o, PB_T_CONTRACTS, &rec);
	if (named && newer) {
		/* The contract's suppliers replace the award's whole list
		 * (add() would keep co-suppliers the contract does not name).
		 * The importer owns its records until the ledger is sealed. */
		pb_contract *row_now = (pb_contract *)(uintptr_t)pb_ledger_find(o->l, PB_T_CONTRACTS, s->key);
		row_now->co_supplier_ids = rec.co_supplier_ids;
	}
	if (s->contract)
		add_payments(o, s->contract, s->key, cat);
}

/*
 * One contracts row per award, completed by the contract that cites it
 * (in this release or another); a contract citing no award, or a
 * further contract of an award, is its own row.  Hash maps, not nested
 * scans: a release may hold thousands of awards.
 */
/*
 * OCDS requires a contract's awardID.  A release with one award that has
 * no id and one contract that cites no award (Mexico's GACM publishes
 * them so) holds that award and its contract: one row, not two that
 * every rule would count twice.  The award's key, or NULL.
 */
static const char *lone_unlinked_award(struct ocds *o, json_t *awards, json_t *contracts)
{
	size_t i, nawards = 0, ncontracts = 0, at = 0;
	json_t *v;

	json_array_foreach(awards, i, v)
		if (json_is_object(v) && !get_text(o, v, "id") && !nawards++)
			at = i;
	json_array_foreach(contracts, i, v)
		ncontracts += json_is_object(v) && !get_text(o, v, "awardID");
	return nawards == 1 && ncontracts == 1 ? P(o, "%s/award#%zu", o->ocid, at) : NULL;
}

static void add_awards_and_contracts(struct ocds *o, json_t *r, const char *buyer)
{
	json_t *awards = json_object_get(r, "awards"), *contracts = json_object_get(r, "contracts");
	size_t n = 0, i;
	struct slot *slots = pb_xcalloc(json_array_size(awards) + json_array_size(contracts) + 1,
					sizeof(*slots));
	json_t *index = json_object(), *aw, *c;

	json_array_foreach(awards, i, aw) {
		if (!json_is_object(aw))
			continue;
		const char *aid = get_text(o, aw, "id");
		struct slot *s = slot_for(slots, &n, index, aid ? P(o, "%s/%s", o->ocid, aid)
							       : P(o, "%s/award#%zu", o->ocid, i));
		s->award = aw;
		s->ai = i;
	}
	const char *lone = lone_unlinked_award(o, awards, contracts);
	json_array_foreach(contracts, i, c) {
		if (!json_is_object(c))
			continue;
		const char *aid = get_text(o, c, "awardID"), *cid = get_text(o, c, "id");
		const char *akey = aid ? P(o, "%s/%s", o->ocid, aid) : lone;
		const char *key = cid ? P(o, "%s/contract/%s", o->ocid, cid) : P(o, "%s/contract#%zu", o->ocid, i);
		if (akey && joins_award(o, slots, index, akey, contract_name(o, c, i))) {
			key = akey;
			akey = NULL;
		}
		struct slot *s = slot_for(slots, &n, index, key);
		s->contract = c;
		s->ci = i;
		s->award_key = akey;
	}
	for (i = 0; i < n; i++)
		compile_row(o, &slots[i], buyer);
	json_decref(index);
	free(slots);
}

/* --- versioned releases --- */

/* [{releaseID, releaseDate, releaseTag, value}, ...]: one field's history. */
static int is_versions(json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || !json_array_size(a))
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_object(v) || !json_object_get(v, "releaseID") ||
		    !json_object_get(v, "releaseDate") || !json_object_get(v, "value"))
			return 0;
	return 1;
}

/*
 * Compiles a versioned release in place: each field's history becomes
 * its last value, which is the current one (histories are in release
 * order).  Recursion is bounded by jansson's parsing depth.
 */
static void compile_versions(json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_object(v)) {
		for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
			json_t *m = json_object_iter_value(it);
			if (is_versions(m))
				json_object_iter_set(v, it, json_object_get(json_array_get(m, json_array_size(m) - 1),
									     "value"));
			else
				compile_versions(m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			compile_versions(e);
	}
}

/* --- releases, records, documents --- */

/*
 * jansson keeps a string's \u0000 (JSON_ALLOW_NUL) but json_string_value()
 * ends at it, so "ocds-abc-1\u0000-ALPHA" and "...-BRAVO" would read as one
 * id and merge two processes.  1 when a string holds a NUL, its pointer
 * (below the release) appended to `at`; else 0.
 */
static int nul_at(json_t *v, pb_buf *at)
{
	size_t keep = at->len;

	if (json_is_string(v))
		return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
	if (json_is_object(v)) {
		for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
			pb_buf_addf(at, "/%s", json_object_iter_key(it));
			if (nul_at(json_object_iter_value(it), at))
				return 1;
			at->data[at->len = keep] = '\0';
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			pb_buf_addf(at, "/%zu", i);
			if (nul_at(json_array_get(v, i), at))
				return 1;
			at->data[at->len = keep] = '\0';
		}
	}
	return 0;
}

/* Any string below v holding a NUL?  (Cheap: the path is made only for
 * the rare release that has one.) */
static int has_nul(json_t *v)
{
	if (json_is_string(v))
		return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
	if (json_is_object(v)) {
		for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it))
			if (has_nul(json_object_iter_value(it)))
				return 1;
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (has_nul(json_array_get(v, i)))
				return 1;
	}
	return 0;
}

/* The reason a release (or record) holding a NUL is rejected, or NULL. */
static const char *nul_reason(struct ocds *o, json_t *r)
{
	pb_buf at;
	const char *why = NULL;

	if (!has_nul(r))
		return NULL;
	pb_buf_init(&at);
	if (nul_at(r, &at))
		why = P(o, "string at %s holds \\u0000 (a NUL character), which would cut it "
			"and could merge two ids", at.len ? at.data : "/");
	pb_buf_release(&at);
	return why;
}

/* Maps one release; returns NULL or why it cannot be imported. */
static const char *import_release(struct ocds *o, json_t *r, uint64_t line, const char *base)
{
	size_t i;
	json_t *p;
	const char *nul;

	if (!json_is_object(r))
		return "release is not a JSON object";
	if ((nul = nul_reason(o, r)))
		return nul;
	const char *prev = o->ocid;
	o->ocid = text_of(o, json_object_get(r, "ocid"));
	if (!o->ocid)
		return "release has no ocid";
	if (raw(o) && !json_is_string(json_object_get(r, "ocid")))
		return "ocid is not a string (Cardinal reads string ocids only)";
	if (line > PB_ROW_LINE_MAX)
		return P(o, "release is beyond the last line a record can name (%" PRIu32 ")",
			 (uint32_t)PB_ROW_LINE_MAX);
	/* Releases of one process come together (packages are read per
	 * ocid): the history of the last one is enough, and memory stays
	 * bounded on a long .jsonl. */
	if (o->ocid != prev)
		json_object_clear(o->history);
	if (is_versions(json_object_get(r, "initiationType")) || is_versions(json_object_get(r, "date")) ||
	    is_versions(json_object_get(r, "tag")))
		compile_versions(r);
	o->line = line;
	o->base = base;
	o->rid = get_text(o, r, "id");
	o->rdate = S(o, json_string_value(json_object_get(r, "date")));
	o->rday = get_date(o, r, "date", *base ? base : "");
	o->parties = json_object();
	json_array_foreach(json_object_get(r, "parties"), i, p)
		if (json_is_object(p))
			add_party(o, p, i);
	add_tender(o, r);
	add_bids(o, r);
	const pb_tender *t = pb_ledger_find(o->l, PB_T_TENDERS, o->ocid);
	add_awards_and_contracts(o, r, t ? pb_str(t->buyer_id) : NULL);
	json_decref(o->parties);
	o->parties = NULL;
	return NULL;
}

static void release_unit(struct ocds *o, json_t *r, uint64_t line, const char *base)
{
	const char *why = import_release(o, r, line, base);

	if (why)
		pb_ledger_reject(o->l, o->input, line, "%s at %s", why, *base ? base : "/");
	else
		pb_ledger_count_imported(o->l, o->input);
}

/*
 * The order to read a list of releases in: grouped by ocid (in order of
 * first appearance), each group by date, so that a newer release
 * updates an older one as OCDS merging says whatever order the file
 * lists them in.  Undated releases come first, then file order.
 */
struct rel_order {
	size_t rank, index;
	const char *date;
};

static int rel_cmp(const void *pa, const void *pb)
{
	const struct rel_order *a = pa, *b = pb;
	int d;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((d = strcmp(a->date, b->date)))
		return d;
	return a->index < b->index ? -1 : a->index > b->index;
}

static size_t *release_order(json_t *list)
{
	size_t n = json_array_size(list), i;
	struct rel_order *ord = pb_xcalloc(n + 1, sizeof(*ord));
	size_t *out = pb_xcalloc(n + 1, sizeof(*out));
	json_t *ranks = json_object(), *r;

	json_array_foreach(list, i, r) {
		const char *ocid = json_string_value(json_object_get(r, "ocid"));
		const char *date = json_string_value(json_object_get(r, "date"));
		json_t *known = ocid ? json_object_get(ranks, ocid) : NULL;
		if (ocid && !known)
			json_object_set_new(ranks, ocid, known = json_integer((json_int_t)i));
		ord[i].rank = known ? (size_t)json_integer_value(known) : i;
		ord[i].index = i;
		ord[i].date = date ? date : "";
	}
	qsort(ord, n, sizeof(*ord), rel_cmp);
	for (i = 0; i < n; i++)
		out[i] = ord[i].index;
	json_decref(ranks);
	free(ord);
	return out;
}

/* A linked release is a reference {url, date, tag}; an embedded one has
 * an ocid. */
static int embeds_releases(json_t *list)
{
	size_t i;
	json_t *r;

	json_array_foreach(list, i, r)
		if (!json_is_object(r) || !json_object_get(r, "ocid") || json_object_get(r, "url"))
			return 0;
	return json_array_size(list) > 0;
}

/*
 * One record at pointer `at` ("" or "/records/3"): one unit.  Embedded
 * releases are compiled here in date order, so that what changed
 * between them becomes amendments; the publisher's compiledRelease, when
 * there is one too, is read last as the newest state.  Otherwise the
 * compiledRelease, else the versionedRelease compiled here.
 */
static void import_record(struct ocds *o, json_t *rec, uint64_t line, const char *at)
{
	json_t *compiled = json_object_get(rec, "compiledRelease");
	json_t *versioned = json_object_get(rec, "versionedRelease");
	json_t *list = json_object_get(rec, "releases");

	const char *nul = nul_reason(o, rec);
	if (nul) {
		pb_ledger_reject(o->l, o->input, line, "record: %s at %s", nul, *at ? at : "/");
		return;
	}
	if (embeds_releases(list)) {
		const char *why = NULL;
		o->listed = json_object();
		size_t *order = release_order(list);
		for (size_t i = 0; i < json_array_size(list) && !why; i++)
			why = import_release(o, json_array_get(list, order[i]), line,
					     P(o, "%s/releases/%zu", at, order[i]));
		free(order);
		if (!why && json_is_object(compiled)) {
			o->restating = 1;
			why = import_release(o, compiled, line, P(o, "%s/compiledRelease", at));
			o->restating = 0;
		}
		json_decref(o->listed);
		o->listed = NULL;
		if (why)
			pb_ledger_reject(o->l, o->input, line, "%s at %s/releases", why, *at ? at : "");
		else
			pb_ledger_count_imported(o->l, o->input);
	} else if (json_is_object(compiled)) {
		release_unit(o, compiled, line, P(o, "%s/compiledRelease", at));
	} else if (json_is_object(versioned)) {
		compile_versions(versioned);
		release_unit(o, versioned, line, P(o, "%s/versionedRelease", at));
	} else {
		pb_ledger_reject(o->l, o->input, line,
				 "record has no compiledRelease (only linked releases) at %s",
				 *at ? at : "/");
	}
}

/* A package's releases, each one unit, in date order per ocid. */
static void releases_in_order(struct ocds *o, json_t *list, uint64_t line, const char *at)
{
	size_t *order = release_order(list);

	for (size_t i = 0; i < json_array_size(list); i++)
		release_unit(o, json_array_get(list, order[i]), line, P(o, "%s/%zu", at, order[i]));
	free(order);
}

static int is_record(json_t *doc)
{
	return json_object_get(doc, "compiledRelease") || json_object_get(doc, "versionedRelease") ||
	       (json_object_get(doc, "ocid") && json_is_array(json_object_get(doc, "releases")));
}

/*
 * A parsed document: a record package, a release package, a record, a
 * release, or an array of releases.  Returns NULL when it was OCDS (its
 * releases counted), else what it is instead, counting nothing.
 */
static const char *import_document(struct ocds *o, json_t *doc, uint64_t line)
{
	json_t *list, *item;
	size_t i;

	if (json_is_object(doc) && json_is_array(list = json_object_get(doc, "records"))) {
		json_array_foreach(list, i, item) {
			if (json_is_object(item))
				import_record(o, item, line, P(o, "/records/%zu", i));
			else
				pb_ledger_reject(o->l, o->input, line, "record is not a JSON object at /records/%zu", i);
		}
	} else if (json_is_object(doc) && is_record(doc)) {
		import_record(o, doc, line, "");
	} else if (json_is_object(doc) && json_is_array(list = json_object_get(doc, "releases"))) {
		releases_in_order(o, list, line, "/releases");
	} else if (json_is_object(doc) && json_object_get(doc, "ocid")) {
		release_unit(o, doc, line, "");
	} else if (json_is_array(doc) && json_object_get(json_array_get(doc, 0), "ocid")) {
		releases_in_order(o, doc, line, "");
	} else {
		return json_is_object(doc) ? "a JSON object with none of releases, records or ocid"
					   : "a JSON array that holds no releases";
	}
	return NULL;
}

static const char *depth_note(const json_error_t *je)
{
	return strstr(je->text, "depth") ? " (limit: " OCDS_STR(JSON_PARSER_MAX_DEPTH) " levels of nesting)" : "";
}

/*
 * Where parsed releases live.  A release parsed by jansson is a tree of
 * small blocks, and freeing one walks the tree: with glibc's malloc that
 * was a fifth of the import, and twice that when the thread that mapped
 * a release freed what another thread had parsed (glibc's arenas lock
 * against each other).  So a batch of .jsonl lines, or a whole document,
 * is parsed into a json_arena of its own, and dropped whole once mapped
 * (a 62 MB release package: 4.0 -> 2.9 s): jansson allocates through
 * json_set_alloc_funcs, which on a thread parsing into an arena take from
 * it, and elsewhere call malloc.  A free of a block in an arena does
 * nothing (the arena goes as a whole, with every tree in it); arenas are
 * made of 2 MiB-aligned chunks whose numbers are marked in a bitmap of
 * the address space, so that json_free tells the two apart without a
 * lock, whichever thread frees (engine/arena.h's pb_arena has blocks of
 * any address and cannot say whether it holds a pointer).  Nothing of a release outlives its
 * batch: the mapping copies what it keeps (the ledger interns text, the
 * history of a process packs its own values).
 */
#define ARENA_CHUNK_BITS 21
#define ARENA_CHUNK ((size_t)1 << ARENA_CHUNK_BITS)
#define ARENA_ADDRESS_BITS 47

struct json_arena {
	unsigned char **chunks;
	size_t *sizes;
	size_t nchunks, capchunks;
	unsigned char *cur; /* the chunk small blocks are taken from */
	size_t used;        /* of cur */
};

static _Atomic unsigned char *arena_marks; /* a bit per 2 MiB of addresses */
static _Thread_local struct json_arena *parsing_into;

static void arena_mark(const void *p, size_t size, int on)
{
	uintptr_t first = (uintptr_t)p >> ARENA_CHUNK_BITS, n = size >> ARENA_CHUNK_BITS;

	for (uintptr_t c = first; c < first + n; c++) {
		unsigned char bit = (unsigned char)(1u << (c & 7));
		if (on)
			atomic_fetch_or_explicit(&arena_marks[c >> 3], bit, memory_order_relaxed);
		else
			atomic_fetch_and_explicit(&arena_marks[c >> 3], (unsigned char)~bit,
						  memory_order_relaxed);
	}
}

static int in_arena(const void *p)
{
	uintptr_t c = (uintptr_t)p >> ARENA_CHUNK_BITS;

	if ((uintptr_t)p >> ARENA_ADDRESS_BITS)
		return 0;
	return atomic_load_explicit(&arena_marks[c >> 3], memory_order_relaxed) >> (c & 7) & 1;
}

/* A chunk of `size` bytes (a multiple of ARENA_CHUNK), marked. */
static unsigned char *arena_chunk(struct json_arena *a, size_t size)
{
	unsigned char *c = aligned_alloc(ARENA_CHUNK, size);

	if (!c)
		return NULL; /* jansson reports it as out of memory */
	if ((uintptr_t)c >> ARENA_ADDRESS_BITS)
		pb_fatal("internal error: memory above 2^%d", ARENA_ADDRESS_BITS);
	arena_mark(c, size, 1);
	PB_GROW(a->chunks, a->nchunks + 1, a->capchunks);
	a->sizes = pb_xreallocarray(a->sizes, a->capchunks, sizeof(*a->sizes));
	a->sizes[a->nchunks] = size;
	a->chunks[a->nchunks++] = c;
	return c;
}

/* A block of n bytes, 16-aligned; a large one gets chunks of its own. */
static void *arena_take(struct json_arena *a, size_t n)
{
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (n > ARENA_CHUNK / 2)
		return arena_chunk(a, (n + ARENA_CHUNK - 1) & ~(ARENA_CHUNK - 1));
	if (!a->cur || n > ARENA_CHUNK - a->used) {
		if (!(a->cur = arena_chunk(a, ARENA_CHUNK)))
			return NULL;
		a->used = 0;
	}
	void *p = a->cur + a->used;
	a->used += n;
	return p;
}

/* Drops everything parsed into a; with keep, one chunk stays for the
 * next batch. */
static void arena_reset(struct json_arena *a, int keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < a->nchunks; i++) {
		if (keep && !kept && a->sizes[i] == ARENA_CHUNK) {
			a->chunks[0] = a->chunks[i];
			a->sizes[0] = ARENA_CHUNK;
			kept = 1;
			continue;
		}
		arena_mark(a->chunks[i], a->sizes[i], 0);
		free(a->chunks[i]);
	}
	a->nchunks = kept;
	a->cur = kept ? a->chunks[0] : NULL;
	a->used = 0;
	if (!keep) {
		free(a->chunks);
		free(a->sizes);
		*a = (struct json_arena){0};
	}
}

static void *json_alloc(size_t n)
{
	return parsing_into ? arena_take(parsing_into, n) : malloc(n);
}

static void json_free(void *p)
{
	if (p && !in_arena(p))
		free(p);
}

static pthread_once_t json_hooks = PTHREAD_ONCE_INIT;

static void json_hooks_install(void)
{
	arena_marks = pb_xcalloc((size_t)1 << (ARENA_ADDRESS_BITS - ARENA_CHUNK_BITS - 3), 1);
	json_set_alloc_funcs(json_alloc, json_free);
}

/* After gzread's last call (n: what it returned): 0, or -1 and err set.
 * zlib reads a compressed file cut short (a download interrupted) as if
 * it ended there, saying so only in gzerror (Z_BUF_ERROR): the releases
 * after the cut would be lost without a word, or the last one rejected
 * as invalid JSON. */
static int gz_read_end(gzFile f, const char *path, int n, pb_error *err)
{
	int zerr;
	const char *msg = gzerror(f, &zerr);
	size_t len = strlen(path);

	if (!strncmp(msg, path, len) && !strncmp(msg + len, ": ", 2))
		msg += len + 2; /* zlib names the file too */
	if (n < 0 || zerr == Z_BUF_ERROR) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot read: %s%s", path, msg,
			     zerr == Z_BUF_ERROR ? " (the compressed file is cut short)" : "");
		return -1;
	}
	return 0;
}

/* Reads a whole (possibly compressed) file into data, within the limit. */
static int slurp(struct ocds *o, gzFile f, pb_buf *data, pb_error *err)
{
	char chunk[65536];
	int n;

	while ((n = gzread(f, chunk, sizeof(chunk))) > 0) {
		if (data->len + (size_t)n > OCDS_MAX_FILE) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: larger than the 1 GiB limit for a JSON "
				     "document (split it, or use line-delimited .jsonl)", o->path);
			return -1;
		}
		pb_buf_add(data, chunk, (size_t)n);
	}
	return gz_read_end(f, o->path, n, err);
}

/* The start of the line holding byte `at`, but after `floor`. */
static size_t line_start(const char *d, size_t at, size_t floor)
{
	while (at > floor && d[at - 1] != '\n')
		at--;
	return at;
}

/*
 * Where reading resumes after a broken document that starts at `doc`
 * and failed at `err`: the next line that starts with '{' or '[' and
 * holds a whole JSON value followed by nothing but blanks and then the
 * end or another '{' or '['.  A value followed by ',' ']' or '}' is a
 * piece of the broken document (a release of its package printed
 * without indentation), never read as a document of its own; it is
 * skipped whole, as is a candidate that fails to the line of its error,
 * so the search reads each byte a bounded number of times.  Returns
 * len when there is none.
 */
static size_t resync(const char *d, size_t len, size_t doc, size_t err)
{
	size_t p = line_start(d, err < len ? err : len, doc + 1);

	while (p < len) {
		if (p == doc || (p > 0 && d[p - 1] != '\n') || (d[p] != '{' && d[p] != '[')) {
			const char *nl = memchr(d + p, '\n', len - p);
			p = nl ? (size_t)(nl - d) + 1 : len;
			continue;
		}
		json_error_t je;
		json_t *v = json_loadb(d + p, len - p, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
		size_t end = p + (je.position > 0 ? (size_t)je.position : 1);
		if (!v) {
			size_t back = line_start(d, end < len ? end : len, p + 1);
			p = back > p ? back : p + 1;
			continue;
		}
		json_decref(v);
		size_t q = end;
		while (q < len && strchr(" \t\r\n", d[q]))
			q++;
		if (q >= len || d[q] == '{' || d[q] == '[')
			return p;
		p = end; /* a piece of the broken document: skip it whole */
	}
	return len;
}

/* Whole-file documents, possibly several concatenated.  A document that
 * does not parse is one rejection saying which lines were skipped;
 * reading resumes at the next document (resync). */
static int import_documents(struct ocds *o, gzFile f, pb_error *err)
{
	pb_buf data;
	struct json_arena arena = {0};

	pb_buf_init(&data);
	if (slurp(o, f, &data, err) < 0) {
		pb_buf_release(&data);
		return -1;
	}
	size_t off = data.len >= 3 && !memcmp(data.data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	uint64_t line = 1;
	int documents = 0, rc = 0;
	for (;;) {
		size_t start = off;
		while (off < data.len && strchr(" \t\r\n", data.data[off]))
			off++;
		line += pb_count_newlines(data.data + start, off - start);
		if (off >= data.len)
			break;
		json_error_t je;
		parsing_into = &arena;
		json_t *doc = json_loadb(data.data + off, data.len - off,
					 JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
		parsing_into = NULL;
		documents++;
		if (!doc) {
			/* jansson counts from the document's start; say where in the file. */
			size_t col0 = 0;
			while (col0 < off && data.data[off - col0 - 1] != '\n')
				col0++;
			uint64_t at = line + (uint64_t)(je.line > 0 ? je.line - 1 : 0);
			size_t next = resync(data.data, data.len, off, off + (size_t)je.position);
			uint64_t resume = line + pb_count_newlines(data.data + off, next - off);
			if (next < data.len)
				pb_ledger_reject(o->l, o->input, at, "invalid JSON at line %" PRIu64 ", column %d: %s%s; "
						 "document %d skipped (lines %" PRIu64 " to %" PRIu64 "), reading resumed at "
						 "line %" PRIu64, at, je.column + (je.line <= 1 ? (int)col0 : 0), je.text,
						 depth_note(&je), documents, line, resume - 1, resume);
			else
				pb_ledger_reject(o->l, o->input, at, "invalid JSON at line %" PRIu64 ", column %d: %s%s; "
						 "no document could be found after it: the rest of the file from "
						 "line %" PRIu64 " (%zu bytes, from document %d on) was not read", at,
						 je.column + (je.line <= 1 ? (int)col0 : 0), je.text, depth_note(&je),
						 line, data.len - off, documents);
			line = resume;
			off = next;
			continue;
		}
		const char *not_ocds = import_document(o, doc, line);
		arena_reset(&arena, 1); /* the document, never walked */
		if (not_ocds && documents == 1) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: not OCDS: %s", o->path, not_ocds);
			rc = -1;
			break;
		}
		if (not_ocds)
			pb_ledger_reject(o->l, o->input, line, "document is not OCDS: %s", not_ocds);
		size_t used = je.position > 0 ? (size_t)je.position : data.len - off;
		line += pb_count_newlines(data.data + off, used);
		off += used;
	}
	arena_reset(&arena, 0);
	pb_buf_release(&data);
	if (!documents && !raw(o)) { /* Cardinal: no process */
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", o->path);
		return -1;
	}
	return rc;
}

/* One line of a .jsonl file, parsed (r, else je says why not): a
 * release, a record, or a package. */
static void import_line(struct ocds *o, json_t *r, const json_error_t *je, uint64_t no)
{
	if (!r) {
		pb_ledger_reject(o->l, o->input, no, "invalid JSON at line %" PRIu64 ", column %d: %s%s", no,
				 je->column, je->text, depth_note(je));
	} else if (!json_is_object(r)) {
		pb_ledger_reject(o->l, o->input, no, "line is not a JSON object");
	} else if (!json_object_get(r, "ocid") && !json_object_get(r, "releases") &&
		   !json_object_get(r, "records")) {
		pb_ledger_reject(o->l, o->input, no, "release has no ocid");
	} else if (import_document(o, r, no)) {
		pb_ledger_reject(o->l, o->input, no, "line is not an OCDS release, record or package");
	}
}

/*
 * Parsing a line is half the work of importing it and each line is its
 * own: lines go in batches of about JSONL_BATCH bytes through a pb_pipe,
 * whose threads parse them, and are mapped onto the ledger in the file's
 * order here (the ledger is written by one thread).  What each line
 * becomes is what it became read one by one; -j changes only who parses.
 * At most JSONL_DEPTH batches per job are in flight, which bounds the
 * memory: a parsed release takes several times its text.  Parsing is
 * about as much work as mapping, so past JSONL_JOBS threads the mapping
 * thread is the bound and more would only hold more batches.
 */
#define JSONL_BATCH (64u << 10)
#define JSONL_DEPTH 4
#define JSONL_JOBS 4

struct jline {
	size_t off, len;   /* the line's text in the batch, trimmed */
	uint64_t no;
	int too_long;      /* over OCDS_MAX_LINE: no text kept */
	json_t *doc;       /* parsed, in the batch's arena, or NULL */
	json_error_t *je;  /* why not, when the text is no JSON */
};

struct jbatch {
	pb_buf text;
	struct jline *lines;
	size_t n, cap;
	struct json_arena arena; /* where the lines' docs are */
};

static void parse_batch(void *ctx, void *item)
{
	struct jbatch *b = item;
	(void)ctx;

	parsing_into = &b->arena;
	for (size_t i = 0; i < b->n; i++) {
		struct jline *ln = &b->lines[i];
		json_error_t je;
		if (ln->too_long || !ln->len)
			continue;
		ln->doc = json_loadb(b->text.data + ln->off, ln->len, JSON_ALLOW_NUL, &je);
		if (!ln->doc) {
			ln->je = pb_xmalloc(sizeof(je));
			*ln->je = je;
		}
	}
	parsing_into = NULL;
}

/* Maps a parsed batch onto the ledger, in the file's order. */
static void import_batch(struct ocds *o, const struct jbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct jline *ln = &b->lines[i];
		if (ln->too_long)
			pb_ledger_reject(o->l, o->input, ln->no, "line longer than the 64 MiB limit");
		else if (ln->len)
			import_line(o, ln->doc, ln->je, ln->no);
	}
}

/* Empties a batch for reuse: its docs go with the arena, never walked. */
static void batch_clear(struct jbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->lines[i].je);
	b->n = 0;
	pb_buf_reset(&b->text);
	arena_reset(&b->arena, 1);
}

struct jreader {
	struct ocds *o;
	pb_pipe *pipe;
	struct jbatch *batch;   /* being filled */
	struct jbatch **spare;  /* emptied, for reuse */
	size_t nspare, nbatches;
	size_t line_at;         /* where the line being read starts in batch */
	uint64_t no, content;
	int too_long;
	size_t skipped;
};

static struct jbatch *batch_get(struct jreader *r)
{
	if (r->nspare)
		return r->spare[--r->nspare];
	struct jbatch *b = pb_xcalloc(1, sizeof(*b));
	pb_buf_init(&b->text);
	r->spare = pb_xreallocarray(r->spare, ++r->nbatches, sizeof(*r->spare));
	return b;
}

/* The oldest batch in the pipe, mapped, emptied and kept for reuse. */
static void batch_done(struct jreader *r)
{
	struct jbatch *b = pb_pipe_take(r->pipe);

	import_batch(r->o, b);
	batch_clear(b);
	r->spare[r->nspare++] = b;
}

/* Sends the batch being filled (the lines it holds: a partial line
 * stays behind) into the pipe, making room first. */
static void batch_send(struct jreader *r)
{
	struct jbatch *b = r->batch;

	if (!b->n)
		return;
	struct jbatch *next = batch_get(r);
	size_t partial = b->text.len - r->line_at;
	pb_buf_add(&next->text, b->text.data + r->line_at, partial);
	pb_buf_truncate(&b->text, r->line_at);
	r->line_at = 0;
	r->batch = next;
	if (pb_pipe_full(r->pipe))
		batch_done(r);
	pb_pipe_put(r->pipe, b);
}

/* The line from r->line_at to the end of the batch's text is whole. */
static void line_end(struct jreader *r)
{
	struct jbatch *b = r->batch;
	const char *start = b->text.data + r->line_at;
	const char *s = start;
	size_t sl = b->text.len - r->line_at;

	if (r->no == 1 && sl >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3, sl -= 3;
	pb_trim(&s, &sl);
	r->content += r->too_long || sl;
	if (r->too_long || sl) {
		PB_GROW(b->lines, b->n + 1, b->cap);
		b->lines[b->n++] = (struct jline){.off = r->line_at + (size_t)(s - start), .len = sl,
						  .no = r->no, .too_long = r->too_long, .doc = NULL, .je = NULL};
	}
	r->line_at = b->text.len;
	r->too_long = 0;
	r->skipped = 0;
	r->no++;
	if (b->text.len >= JSONL_BATCH)
		batch_send(r);
}

/* Adds a piece of the current line; -1 when a line runs on without end. */
static int line_add(struct jreader *r, const char *p, size_t len, pb_error *err)
{
	struct jbatch *b = r->batch;

	if (!r->too_long && b->text.len - r->line_at + len > OCDS_MAX_LINE) {
		r->too_long = 1;
		pb_buf_truncate(&b->text, r->line_at);
	}
	if (!r->too_long) {
		pb_buf_add(&b->text, p, len);
	} else if ((r->skipped += len) > OCDS_MAX_FILE) {
		/* /dev/zero or an endless stream: no line ever ends. */
		pb_error_set(err, PB_EXIT_INPUT, "%s: line %" PRIu64 " runs on for more than 1 GiB "
			     "without a line break; reading stopped after %" PRIu64 " lines", r->o->path,
			     r->no, r->no - 1);
		return -1;
	}
	return 0;
}

/* Reads the file into batches of whole lines; -1 on a read error (the
 * lines before it are still imported, a partial last one is not). */
static int read_lines(struct jreader *r, gzFile f, pb_error *err)
{
	char chunk[65536];
	int n;

	while ((n = gzread(f, chunk, sizeof(chunk))) > 0) {
		const char *p = chunk, *end = chunk + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl ? nl : end) - p);
			if (line_add(r, p, len, err) < 0)
				return -1;
			p += len;
			if (!nl)
				break;
			p++;
			line_end(r);
		}
	}
	if (gz_read_end(f, r->o->path, n, err) < 0)
		return -1;
	line_end(r); /* the last line, without a newline */
	return 0;
}

/* Frees the batches, every one of them spare once the pipe is empty. */
static void reader_release(struct jreader *r)
{
	r->spare[r->nspare++] = r->batch;
	for (size_t i = 0; i < r->nspare; i++) {
		batch_clear(r->spare[i]);
		arena_reset(&r->spare[i]->arena, 0);
		pb_buf_release(&r->spare[i]->text);
		free(r->spare[i]->lines);
		free(r->spare[i]);
	}
	free(r->spare);
}

/* Line-delimited releases, parsed on -j threads, in bounded memory. */
static int import_lines(struct ocds *o, gzFile f, pb_error *err)
{
	int jobs = o->cfg->jobs < 1 ? 1 : o->cfg->jobs > JSONL_JOBS ? JSONL_JOBS : o->cfg->jobs;
	struct jreader r = {.o = o, .no = 1};

	r.pipe = pb_pipe_new(jobs, (size_t)jobs * JSONL_DEPTH, parse_batch, NULL);
	r.batch = batch_get(&r);
	int rc = read_lines(&r, f, err);
	batch_send(&r); /* its whole lines, after a read error too */
	while (pb_pipe_count(r.pipe))
		batch_done(&r);
	pb_pipe_free(r.pipe);
	reader_release(&r);
	/* Cardinal reads an empty file as no process, not an error. */
	if (rc == 0 && r.content == 0 && !raw(o)) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", o->path);
		return -1;
	}
	return rc;
}

static int has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);

	return n >= k && !strcasecmp(path + n - k, suffix);
}

static int ocds_import(pb_ledger *l, const char *path, const char *table,
		       const pb_config *cfg, pb_error *err)
{
	struct ocds o;
	gzFile f;

	if (table) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: --table does not apply to OCDS files, "
			     "which hold every table", path);
		return -1;
	}
	f = gzopen(path, "rb");
	if (!f) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path,
			     errno ? strerror(errno) : "out of memory");
		return -1;
	}
	pthread_once(&json_hooks, json_hooks_install);
	memset(&o, 0, sizeof(o));
	o.l = l;
	o.cfg = cfg;
	o.path = pb_ledger_intern(l, path, strlen(path));
	o.input = pb_ledger_add_input(l, path, "mixed", "ocds");
	int lines = has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") ||
		    has_suffix(path, ".jsonl.gz") || has_suffix(path, ".ndjson.gz");
	o.history = json_object();
	int rc = lines ? import_lines(&o, f, err) : import_documents(&o, f, err);
	json_decref(o.history);
	gzclose(f);
	return rc;
}

static const char *const ocds_extensions[] = {"json", "jsonl", "ndjson", NULL};

const pb_importer pb_importer_ocds = {
	.name = "ocds",
	.extensions = ocds_extensions,
	.help = "OCDS 1.0/1.1 release and record packages, releases, .jsonl",
	.import = ocds_import,
	.flags = PB_IMPORT_GZIP,
};
