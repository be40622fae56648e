/*
 * ocds.c - Open Contracting Data Standard importer (jansson).
 *
 * Reads release packages, record packages (their compiledRelease, else
 * their versionedRelease compiled here, else their embedded releases),
 * bare releases and records, arrays of releases, several JSON documents
 * concatenated in one file, and line-delimited releases (.jsonl/.ndjson,
 * a line may also hold a package), mapping each release onto the
 * canonical tables (FORMATS.md, "Standard formats").
 *
 * The unit counted for reconciliation is the release (a package's
 * releases[] element, a record, a jsonl line): each is imported or
 * rejected with its line and a reason.  A release adds many records;
 * when a key is already there (a party shared by many releases, a later
 * release of the same process in a release package) the known fields of
 * the later one replace the earlier ones and unknown ones leave them be,
 * which is how OCDS compiles releases taken in file order; a party keeps
 * what it was first said to be, gains what later mentions add, and its
 * roles are the union.  An element without an id is keyed by its index
 * after '#' ("ocid/bid#2"), which no published id is expected to use.
 * Gzip-compressed files (.json.gz, .jsonl.gz) are read through zlib,
 * which passes uncompressed files through unchanged.
 * Limits: a jsonl line over 64 MiB or a document file over 1 GiB is
 * refused with the limit named; nesting is bounded by jansson
 * (JSON_PARSER_MAX_DEPTH, 2048).
 * Money: JSON numbers become exact minor units through their shortest
 * round-trip decimal text; a value finer than its currency allows, or
 * without an ISO 4217 currency, is left unknown, never rounded or
 * guessed, and counted (struct ocds.odd_amounts).
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "importer.h"

#define OCDS_MAX_LINE (64u << 20)
#define OCDS_MAX_FILE ((size_t)1 << 30)
#define OCDS_STR_(x) #x
#define OCDS_STR(x) OCDS_STR_(x)

struct ocds {
	pb_ledger *l;
	const pb_config *cfg;
	const char *path;  /* interned */
	size_t input;
	uint32_t line;     /* of the current release */
	const char *base;  /* JSON pointer prefix of the current release */
	const char *ocid;
	json_t *parties;   /* local party id -> canonical id (strings) */
	size_t odd_amounts;
};

/* --- small readers over jansson values --- */

static const char *S(struct ocds *o, const char *s)
{
	return s && *s ? pb_ledger_intern(o->l, s, strlen(s)) : NULL;
}

static const char *P(struct ocds *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Interned formatted text. */
static const char *P(struct ocds *o, const char *fmt, ...)
{
	va_list ap;
	pb_buf b;

	pb_buf_init(&b);
	va_start(ap, fmt);
	pb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	const char *s = b.len ? pb_ledger_intern(o->l, b.data, b.len) : NULL;
	pb_buf_release(&b);
	return s;
}

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

static pb_date get_date(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	const char *why;
	pb_date d;

	if (!s || pb_date_parse(s, strlen(s), NULL, &d, &why) < 0)
		return PB_DATE_NONE;
	return d;
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

static void row(struct ocds *o, pb_row *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->src.file = o->path;
	r->src.line = o->line;
	r->src.path = path;
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

/* {amount, currency} into minor units; unknown when not exact. */
static void get_money(struct ocds *o, json_t *value, int64_t *amount, const char **currency)
{
	json_t *a = json_object_get(value, "amount");
	const char *why;
	char buf[64];

	*amount = PB_AMOUNT_NONE;
	*currency = NULL;
	if (!a || json_is_null(a))
		return;
	*currency = currency_of(o, json_object_get(value, "currency"));
	if (!*currency) {
		o->odd_amounts++; /* no currency we can size: never guess one */
		return;
	}
	if (json_is_integer(a)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(a));
	} else if (json_is_real(a)) {
		if (!real_text(json_real_value(a), buf, sizeof(buf))) {
			o->odd_amounts++;
			return;
		}
	} else if (json_is_string(a) && strlen(json_string_value(a)) < sizeof(buf)) {
		snprintf(buf, sizeof(buf), "%s", json_string_value(a));
	} else {
		o->odd_amounts++;
		return;
	}
	if (pb_amount_parse(buf, strlen(buf), pb_currency_exponent(*currency),
			    pb_numfmt_default, amount, &why) < 0) {
		*amount = PB_AMOUNT_NONE;
		o->odd_amounts++;
	}
}

/* --- merging: later releases of a key update what they know --- */

static size_t field_size(pb_coltype t)
{
	switch (t) {
	case PB_COL_DATE:
		return sizeof(pb_date);
	case PB_COL_AMOUNT:
	case PB_COL_INT:
	case PB_COL_DECIMAL:
		return sizeof(int64_t);
	case PB_COL_BOOL:
		return sizeof(int);
	default:
		return sizeof(const char *);
	}
}

static int has_token(const char *list, const char *tok, size_t n)
{
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, tok, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

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
		if (!has_token(a, p, len)) {
			pb_buf_addstr(&u, ";");
			pb_buf_add(&u, p, len);
		}
		p = end ? end + 1 : NULL;
	}
	const char *s = pb_ledger_intern(o->l, u.data, u.len);
	pb_buf_release(&u);
	return s;
}

static void add(struct ocds *o, pb_table t, void *rec)
{
	const void *existing;
	const pb_table_def *def = pb_table_get(t);

	if (pb_ledger_insert(o->l, t, rec, &existing) != 1)
		return;
	/* The importer owns its records until the ledger is sealed. */
	unsigned char *dst = (unsigned char *)(uintptr_t)existing;
	const unsigned char *src = rec;
	const char *roles = NULL;
	if (t == PB_T_PARTIES)
		roles = roles_union(o, ((const pb_party *)dst)->roles, ((const pb_party *)src)->roles);
	/* A party's later mentions are often weaker (a reference's short
	 * name): they only fill gaps.  A process's later releases update. */
	for (size_t c = 0; c < def->ncolumns; c++) {
		const pb_column *col = &def->columns[c];
		if (pb_field_known(col, src) && (t != PB_T_PARTIES || !pb_field_known(col, dst)))
			memcpy(dst + col->offset, src + col->offset, field_size(col->type));
	}
	pb_row *drow = (pb_row *)dst;
	const pb_row *srow = (const pb_row *)src;
	if (t == PB_T_PARTIES) {
		((pb_party *)dst)->roles = roles;
	} else {
		/* A later release of the process is where these values are now. */
		drow->src = srow->src;
		if (srow->nextra) {
			drow->extra = srow->extra;
			drow->nextra = srow->nextra;
		}
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
	rec->address = S(o, b.data);
	pb_buf_release(&b);
	rec->country = get_text(o, a, "countryName");
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
	rec.registry_id = scheme_id(o, ident);
	const char *local = get_text(o, p, "id");
	rec.name = get_text(o, p, "name");
	if (!rec.name)
		rec.name = get_text(o, ident, "legalName");
	rec.party_id = party_id_of(o, rec.registry_id, local, local ? NULL : rec.name);
	if (!rec.party_id)
		return;
	if (local)
		json_object_set_new(o->parties, local, json_string(rec.party_id));
	rec.kind = S(o, "organisation");
	pb_buf_init(&roles);
	json_array_foreach(json_object_get(p, "roles"), k, r) {
		for (size_t m = 0; m < sizeof(role_map) / sizeof(role_map[0]); m++)
			if (json_is_string(r) && !strcmp(json_string_value(r), role_map[m].ocds) &&
			    !has_token(roles.data, role_map[m].ours, strlen(role_map[m].ours)))
				pb_buf_addf(&roles, "%s%s", roles.len ? ";" : "", role_map[m].ours);
	}
	rec.roles = S(o, roles.data);
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
	rec.registry_id = scheme_id(o, ident);
	rec.name = get_text(o, ref, "name");
	if (!rec.name)
		rec.name = get_text(o, ident, "legalName");
	rec.party_id = party_id_of(o, rec.registry_id, local, rec.name);
	if (!rec.party_id)
		return NULL;
	rec.kind = S(o, "organisation");
	rec.roles = S(o, role);
	address(o, json_object_get(ref, "address"), &rec);
	add(o, PB_T_PARTIES, &rec);
	if (local)
		json_object_set_new(o->parties, local, json_string(rec.party_id));
	return rec.party_id;
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
	pb_attr *a;

	if (!value)
		return;
	a = pb_arena_alloc(pb_ledger_arena(o->l), (r->nextra + 1) * sizeof(*a));
	if (r->nextra)
		memcpy(a, r->extra, r->nextra * sizeof(*a));
	a[r->nextra].name = S(o, name);
	a[r->nextra].value = value;
	r->extra = a;
	r->nextra++;
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
		if (!has_token(b.data, code, strlen(code)))
			pb_buf_addf(&b, "%s%s", b.len ? ";" : "", code);
	}
	const char *s = S(o, b.data);
	pb_buf_release(&b);
	return s;
}

static void add_tender(struct ocds *o, json_t *r)
{
	static const char *const methods[] = {"open", "selective", "limited", "direct", NULL};
	static const char *const categories[] = {"goods", "works", "services", NULL};
	json_t *t = json_object_get(r, "tender");
	pb_tender rec;

	pb_record_blank(PB_T_TENDERS, &rec);
	row(o, &rec.row, pointer(o, "/tender"));
	rec.tender_id = o->ocid;
	json_t *buyer = json_object_get(r, "buyer");
	if (json_is_object(buyer))
		rec.buyer_id = party_ref(o, buyer, "buyer", pointer(o, "/buyer"));
	else
		rec.buyer_id = party_ref(o, json_object_get(t, "procuringEntity"), "buyer",
					 pointer(o, "/tender/procuringEntity"));
	rec.title = get_text(o, t, "title");
	rec.description = get_text(o, t, "description");
	const char *method = get_text(o, t, "procurementMethod");
	rec.method = one_of(o, method, methods);
	rec.method_details = get_text(o, t, "procurementMethodDetails");
	if (!rec.method_details && method && !rec.method)
		rec.method_details = method; /* outside the codelist: kept, not guessed */
	rec.method_rationale = get_text(o, t, "procurementMethodRationale");
	rec.category = one_of(o, get_text(o, t, "mainProcurementCategory"), categories);
	get_money(o, json_object_get(t, "value"), &rec.estimated_value, &rec.currency);
	json_t *period = json_object_get(t, "tenderPeriod");
	rec.published_on = get_date(t, "datePublished");
	if (rec.published_on == PB_DATE_NONE)
		rec.published_on = get_date(period, "startDate");
	rec.submission_deadline = get_date(period, "endDate");
	json_t *nt = json_object_get(t, "numberOfTenderers");
	if (json_is_integer(nt) && json_integer_value(nt) >= 0)
		rec.number_of_tenderers = json_integer_value(nt);
	add_extra(o, &rec.row, "ocid", o->ocid);
	add_extra(o, &rec.row, "classifications", classifications(o, t));
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
		rec.bid_id = id ? P(o, "%s/bid/%s", o->ocid, id) : P(o, "%s/bid#%zu", o->ocid, i);
		rec.tender_id = o->ocid;
		json_t *tenderers = json_object_get(b, "tenderers");
		rec.bidder_id = party_ref(o, json_array_get(tenderers, 0), "tenderer", path);
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
		get_money(o, json_object_get(b, "value"), &rec.value, &rec.currency);
		rec.submitted_on = get_date(b, "date");
		const char *st = get_text(o, b, "status");
		rec.status = st && !strcasecmp(st, "invited") ? S(o, "pending") : one_of(o, st, statuses);
		add(o, PB_T_BIDS, &rec);
	}
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
		rec.payment_id = id ? P(o, "%s/tx/%s", contract_id, id) : P(o, "%s/tx#%zu", contract_id, i);
		rec.contract_id = contract_id;
		json_t *payer = json_object_get(t, "payer"), *payee = json_object_get(t, "payee");
		rec.payer_id = payer ? party_ref(o, payer, "payer", path)
				     : party_ident(o, json_object_get(t, "providerOrganization"), "payer", path);
		rec.payee_id = payee ? party_ref(o, payee, "payee", path)
				     : party_ident(o, json_object_get(t, "receiverOrganization"), "payee", path);
		json_t *value = json_object_get(t, "value");
		get_money(o, value ? value : json_object_get(t, "amount"), &rec.amount, &rec.currency);
		rec.paid_on = get_date(t, "date");
		rec.description = get_text(o, t, "uri");
		add(o, PB_T_PAYMENTS, &rec);
	}
}

static void add_amendment(struct ocds *o, json_t *a, const char *contract_id, const char *path,
			  size_t i)
{
	pb_amendment rec;
	const char *id = get_text(o, a, "id");

	pb_record_blank(PB_T_AMENDMENTS, &rec);
	row(o, &rec.row, path);
	rec.amendment_id = id ? P(o, "%s/amendment/%s", contract_id, id)
			      : P(o, "%s/amendment#%zu", contract_id, i);
	rec.contract_id = contract_id;
	rec.amended_on = get_date(a, "date");
	rec.rationale = get_text(o, a, "rationale");
	if (!rec.rationale)
		rec.rationale = get_text(o, a, "description");
	add(o, PB_T_AMENDMENTS, &rec);
}

/* amendments[] of an award or contract at `at`; OCDS 1.0's single
 * `amendment` when there is no list. */
static void add_amendments(struct ocds *o, json_t *obj, const char *contract_id, const char *at)
{
	json_t *list = json_object_get(obj, "amendments"), *a;
	size_t i;

	if (json_is_array(list)) {
		json_array_foreach(list, i, a)
			if (json_is_object(a))
				add_amendment(o, a, contract_id, P(o, "%s/amendments/%zu", at, i), i);
	} else if (json_is_object(a = json_object_get(obj, "amendment"))) {
		add_amendment(o, a, contract_id, P(o, "%s/amendment", at), 0);
	}
}

/* What an OCDS contract adds to its row: signature, period, a value
 * when it has one, its status; and its payments and amendments. */
static void contract_details(struct ocds *o, json_t *c, size_t k, pb_contract *rec)
{
	json_t *period = json_object_get(c, "period");
	const char *at = pointer(o, "/contracts/%zu", k);
	int64_t v;
	const char *cur;

	rec->signed_on = get_date(c, "dateSigned");
	rec->start_on = get_date(period, "startDate");
	rec->end_on = get_date(period, "endDate");
	get_money(o, json_object_get(c, "value"), &v, &cur);
	if (v != PB_AMOUNT_NONE || !rec->currency) {
		rec->value = v;
		rec->currency = cur;
	}
	if (get_text(o, c, "status"))
		rec->status = get_text(o, c, "status");
	add_payments(o, c, rec->contract_id, at);
	add_amendments(o, c, rec->contract_id, at);
}

static int same_text(const char *a, const char *b)
{
	return a && b && a == b; /* both interned */
}

/* One contracts row per award, completed by the contracts that cite it;
 * a contract citing no award becomes its own row. */
static void add_awards_and_contracts(struct ocds *o, json_t *r, const char *buyer)
{
	json_t *awards = json_object_get(r, "awards"), *contracts = json_object_get(r, "contracts");
	size_t i, k;
	json_t *aw, *c;

	json_array_foreach(awards, i, aw) {
		pb_contract rec;
		const char *aid = get_text(o, aw, "id");
		const char *at = pointer(o, "/awards/%zu", i);
		pb_record_blank(PB_T_CONTRACTS, &rec);
		row(o, &rec.row, at);
		rec.contract_id = aid ? P(o, "%s/%s", o->ocid, aid) : P(o, "%s/award#%zu", o->ocid, i);
		rec.tender_id = o->ocid;
		rec.buyer_id = buyer;
		rec.supplier_id = party_ref(o, json_array_get(json_object_get(aw, "suppliers"), 0),
					    "supplier", at);
		get_money(o, json_object_get(aw, "value"), &rec.value, &rec.currency);
		rec.awarded_on = get_date(aw, "date");
		rec.status = get_text(o, aw, "status");
		add_amendments(o, aw, rec.contract_id, at);
		json_array_foreach(contracts, k, c)
			if (same_text(aid, get_text(o, c, "awardID")))
				contract_details(o, c, k, &rec);
		add(o, PB_T_CONTRACTS, &rec);
	}
	json_array_foreach(contracts, k, c) {
		const char *cited = get_text(o, c, "awardID");
		int matched = 0;
		json_array_foreach(awards, i, aw)
			matched |= same_text(cited, get_text(o, aw, "id"));
		if (matched || !json_is_object(c))
			continue;
		pb_contract rec;
		const char *cid = get_text(o, c, "id");
		pb_record_blank(PB_T_CONTRACTS, &rec);
		row(o, &rec.row, pointer(o, "/contracts/%zu", k));
		rec.contract_id = cid ? P(o, "%s/contract/%s", o->ocid, cid)
				      : P(o, "%s/contract#%zu", o->ocid, k);
		rec.tender_id = o->ocid;
		rec.buyer_id = buyer;
		contract_details(o, c, k, &rec);
		add(o, PB_T_CONTRACTS, &rec);
	}
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

/* Maps one release; returns NULL or why it cannot be imported. */
static const char *import_release(struct ocds *o, json_t *r, uint32_t line, const char *base)
{
	size_t i;
	json_t *p;

	if (!json_is_object(r))
		return "release is not a JSON object";
	o->ocid = text_of(o, json_object_get(r, "ocid"));
	if (!o->ocid)
		return "release has no ocid";
	if (is_versions(json_object_get(r, "initiationType")) || is_versions(json_object_get(r, "date")) ||
	    is_versions(json_object_get(r, "tag")))
		compile_versions(r);
	o->line = line;
	o->base = base;
	o->parties = json_object();
	json_array_foreach(json_object_get(r, "parties"), i, p)
		if (json_is_object(p))
			add_party(o, p, i);
	add_tender(o, r);
	add_bids(o, r);
	const pb_tender *t = pb_ledger_find(o->l, PB_T_TENDERS, o->ocid);
	add_awards_and_contracts(o, r, t ? t->buyer_id : NULL);
	json_decref(o->parties);
	o->parties = NULL;
	return NULL;
}

static void release_unit(struct ocds *o, json_t *r, uint32_t line, const char *base)
{
	const char *why = import_release(o, r, line, base);

	if (why)
		pb_ledger_reject(o->l, o->input, line, "%s at %s", why, *base ? base : "/");
	else
		pb_ledger_count_imported(o->l, o->input);
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

/* One record at pointer `at` ("" or "/records/3"): one unit. */
static void import_record(struct ocds *o, json_t *rec, uint32_t line, const char *at)
{
	json_t *r, *list;
	size_t i;

	if ((r = json_object_get(rec, "compiledRelease")) && json_is_object(r)) {
		release_unit(o, r, line, P(o, "%s/compiledRelease", at));
	} else if ((r = json_object_get(rec, "versionedRelease")) && json_is_object(r)) {
		compile_versions(r);
		release_unit(o, r, line, P(o, "%s/versionedRelease", at));
	} else if (embeds_releases(list = json_object_get(rec, "releases"))) {
		/* Compiled here in order: later releases update earlier ones. */
		const char *why = NULL;
		json_array_foreach(list, i, r)
			if (!why)
				why = import_release(o, r, line, P(o, "%s/releases/%zu", at, i));
		if (why)
			pb_ledger_reject(o->l, o->input, line, "%s at %s/releases", why, *at ? at : "");
		else
			pb_ledger_count_imported(o->l, o->input);
	} else {
		pb_ledger_reject(o->l, o->input, line,
				 "record has no compiledRelease (only linked releases) at %s",
				 *at ? at : "/");
	}
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
static const char *import_document(struct ocds *o, json_t *doc, uint32_t line)
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
		json_array_foreach(list, i, item)
			release_unit(o, item, line, P(o, "/releases/%zu", i));
	} else if (json_is_object(doc) && json_object_get(doc, "ocid")) {
		release_unit(o, doc, line, "");
	} else if (json_is_array(doc) && json_object_get(json_array_get(doc, 0), "ocid")) {
		json_array_foreach(doc, i, item)
			release_unit(o, item, line, P(o, "/%zu", i));
	} else {
		return json_is_object(doc) ? "a JSON object with none of releases, records or ocid"
					   : "a JSON array that holds no releases";
	}
	return NULL;
}

static uint32_t count_lines(const char *s, size_t n)
{
	uint32_t lines = 0;

	for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		lines++;
	return lines;
}

static const char *depth_note(const json_error_t *je)
{
	return strstr(je->text, "depth") ? " (limit: " OCDS_STR(JSON_PARSER_MAX_DEPTH) " levels of nesting)" : "";
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
	if (n < 0) {
		int zerr;
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot read: %s", o->path, gzerror(f, &zerr));
		return -1;
	}
	return 0;
}

/* Whole-file documents, possibly several concatenated. */
static int import_documents(struct ocds *o, gzFile f, pb_error *err)
{
	pb_buf data;

	pb_buf_init(&data);
	if (slurp(o, f, &data, err) < 0) {
		pb_buf_release(&data);
		return -1;
	}
	size_t off = data.len >= 3 && !memcmp(data.data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	uint32_t line = 1;
	int documents = 0, rc = 0;
	for (;;) {
		size_t start = off;
		while (off < data.len && strchr(" \t\r\n", data.data[off]))
			off++;
		line += count_lines(data.data + start, off - start);
		if (off >= data.len)
			break;
		json_error_t je;
		json_t *doc = json_loadb(data.data + off, data.len - off,
					 JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
		documents++;
		if (!doc) {
			/* jansson counts from the document's start; say where in the file. */
			size_t col0 = 0;
			while (col0 < off && data.data[off - col0 - 1] != '\n')
				col0++;
			uint32_t at = line + (uint32_t)(je.line > 0 ? je.line - 1 : 0);
			pb_ledger_reject(o->l, o->input, at, "invalid JSON at line %u, column %d: %s%s", at,
					 je.column + (je.line <= 1 ? (int)col0 : 0), je.text, depth_note(&je));
			break; /* the rest of the file cannot be framed */
		}
		const char *not_ocds = import_document(o, doc, line);
		json_decref(doc);
		if (not_ocds && documents == 1) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: not OCDS: %s", o->path, not_ocds);
			rc = -1;
			break;
		}
		if (not_ocds)
			pb_ledger_reject(o->l, o->input, line, "document is not OCDS: %s", not_ocds);
		size_t used = je.position > 0 ? (size_t)je.position : data.len - off;
		line += count_lines(data.data + off, used);
		off += used;
	}
	pb_buf_release(&data);
	if (!documents) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", o->path);
		return -1;
	}
	return rc;
}

/* One line of a .jsonl file: a release, a record, or a package. */
static void import_line(struct ocds *o, const char *s, size_t len, uint32_t no)
{
	json_error_t je;
	json_t *r = json_loadb(s, len, 0, &je);

	if (!r) {
		pb_ledger_reject(o->l, o->input, no, "invalid JSON at line %u, column %d: %s%s", no,
				 je.column, je.text, depth_note(&je));
	} else if (!json_is_object(r)) {
		pb_ledger_reject(o->l, o->input, no, "line is not a JSON object");
	} else if (!json_object_get(r, "ocid") && !json_object_get(r, "releases") &&
		   !json_object_get(r, "records")) {
		pb_ledger_reject(o->l, o->input, no, "release has no ocid");
	} else if (import_document(o, r, no)) {
		pb_ledger_reject(o->l, o->input, no, "line is not an OCDS release, record or package");
	}
	json_decref(r);
}

/* Line-delimited releases, one at a time, in bounded memory. */
static int import_lines(struct ocds *o, gzFile f, pb_error *err)
{
	char chunk[65536];
	pb_buf line;
	uint32_t no = 1, content = 0;
	int too_long = 0, n, zerr;

	pb_buf_init(&line);
	while ((n = gzread(f, chunk, sizeof(chunk))) > 0) {
		const char *p = chunk, *end = chunk + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl ? nl : end) - p);
			if (!too_long && line.len + len > OCDS_MAX_LINE)
				too_long = 1;
			if (!too_long)
				pb_buf_add(&line, p, len);
			p += len;
			if (!nl)
				break;
			p++;
			/* A whole line: parse it, then start the next. */
			const char *s = line.data;
			size_t sl = line.len;
			if (no == 1 && sl >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
				s += 3, sl -= 3;
			pb_trim(&s, &sl);
			content += too_long || sl;
			if (too_long)
				pb_ledger_reject(o->l, o->input, no, "line longer than the 64 MiB limit");
			else if (sl)
				import_line(o, s, sl, no);
			pb_buf_reset(&line);
			too_long = 0;
			no++;
		}
	}
	if (n < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot read: %s", o->path, gzerror(f, &zerr));
		pb_buf_release(&line);
		return -1;
	}
	/* The last line, without a newline. */
	const char *s = line.data;
	size_t sl = line.len;
	if (no == 1 && sl >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3, sl -= 3;
	pb_trim(&s, &sl);
	content += too_long || sl;
	if (too_long)
		pb_ledger_reject(o->l, o->input, no, "line longer than the 64 MiB limit");
	else if (sl)
		import_line(o, s, sl, no);
	pb_buf_release(&line);
	if (content == 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", o->path);
		return -1;
	}
	return 0;
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
	memset(&o, 0, sizeof(o));
	o.l = l;
	o.cfg = cfg;
	o.path = pb_ledger_intern(l, path, strlen(path));
	o.input = pb_ledger_add_input(l, path, "mixed", "ocds");
	int lines = has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") ||
		    has_suffix(path, ".jsonl.gz") || has_suffix(path, ".ndjson.gz");
	int rc = lines ? import_lines(&o, f, err) : import_documents(&o, f, err);
	gzclose(f);
	return rc;
}

static const char *const ocds_extensions[] = {"json", "jsonl", "ndjson", NULL};

const pb_importer pb_importer_ocds = {
	.name = "ocds",
	.extensions = ocds_extensions,
	.help = "OCDS 1.0/1.1 release and record packages, releases, .jsonl",
	.import = ocds_import,
};
