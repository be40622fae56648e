/*
 * ocds.c - Open Contracting Data Standard importer (jansson).
 *
 * Reads release packages, record packages (their compiledRelease), bare
 * releases, several JSON documents concatenated in one file, and
 * line-delimited releases (.jsonl), mapping each release onto the
 * canonical tables (FORMATS.md, "Standard formats").
 *
 * The unit counted for reconciliation is the release (a record, a jsonl
 * line): each is imported or rejected with its line and a reason.  A
 * release adds many records; parties shared by many releases, and later
 * releases of the same process, fill in what earlier ones left unknown
 * (first value wins), so a release package compiles the obvious way.
 * Gzip-compressed files (.json.gz, .jsonl.gz) are read through zlib,
 * which passes uncompressed files through unchanged.
 * Limits: a jsonl line over 64 MiB or a document file over 1 GiB is
 * refused with the limit named; nesting is bounded by jansson (2048).
 * Money: JSON numbers become exact minor units through their shortest
 * round-trip decimal text; a value finer than its currency allows is
 * left unknown, never rounded.
 */
#include <errno.h>
#include <jansson.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importer.h"

#define OCDS_MAX_LINE (64u << 20)
#define OCDS_MAX_FILE ((size_t)1 << 30)

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

/* Text of a string or number member (ids are numbers in some feeds). */
static const char *text_of(struct ocds *o, json_t *v)
{
	char buf[64];

	if (json_is_string(v))
		return S(o, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return S(o, buf);
	}
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

/* {amount, currency} into minor units; unknown when not exact. */
static void get_money(struct ocds *o, json_t *value, int64_t *amount, const char **currency)
{
	json_t *a = json_object_get(value, "amount");
	const char *cur = json_string_value(json_object_get(value, "currency"));
	const char *why;
	char buf[40];

	*amount = PB_AMOUNT_NONE;
	*currency = a ? pb_ledger_base_currency(o->l) : NULL;
	if (!a && !cur)
		return;
	if (cur && pb_currency_exponent(cur) >= 0)
		*currency = S(o, cur);
	else if (cur)
		return; /* a currency we cannot size: the amount stays unknown */
	int exp = pb_currency_exponent(*currency);
	if (json_is_integer(a)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(a));
	} else if (json_is_real(a)) {
		double d = json_real_value(a);
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		if (strchr(buf, 'e') || strchr(buf, 'E')) {
			o->odd_amounts++;
			return;
		}
	} else if (json_is_string(a)) {
		snprintf(buf, sizeof(buf), "%.39s", json_string_value(a));
	} else {
		return;
	}
	if (pb_amount_parse(buf, strlen(buf), exp, pb_numfmt_default, amount, &why) < 0) {
		*amount = PB_AMOUNT_NONE;
		o->odd_amounts++;
	}
}

/* --- merging: later releases fill what earlier ones left unknown --- */

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

static void add(struct ocds *o, pb_table t, void *rec)
{
	const void *existing;
	const pb_table_def *def = pb_table_get(t);

	if (pb_ledger_insert(o->l, t, rec, &existing) != 1)
		return;
	/* Import owns the record until the ledger is sealed. */
	unsigned char *dst = (unsigned char *)existing;
	const unsigned char *src = rec;
	for (size_t c = 0; c < def->ncolumns; c++) {
		const pb_column *col = &def->columns[c];
		if (!pb_field_known(col, dst) && pb_field_known(col, src))
			memcpy(dst + col->offset, src + col->offset, field_size(col->type));
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

static const char *party_ref(struct ocds *o, json_t *ref);

static void join(pb_buf *b, const char *part)
{
	if (part && *part)
		pb_buf_addf(b, "%s%s", b->len ? ", " : "", part);
}

static void add_party(struct ocds *o, json_t *p, size_t i)
{
	static const struct {
		const char *ocds, *ours;
	} role_map[] = {{"buyer", "buyer"}, {"procuringEntity", "buyer"},
			{"supplier", "supplier"}, {"tenderer", "tenderer"},
			{"payer", "payer"}, {"payee", "payee"}};
	pb_party rec;
	pb_buf roles, addr;
	json_t *id = json_object_get(p, "id"), *ident = json_object_get(p, "identifier");
	json_t *a = json_object_get(p, "address"), *r;
	size_t k;

	pb_record_blank(PB_T_PARTIES, &rec);
	row(o, &rec.row, pointer(o, "/parties/%zu", i));
	const char *scheme = get_text(o, ident, "scheme"), *rid = get_text(o, ident, "id");
	if (scheme && rid)
		rec.registry_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s:%s", scheme, rid));
	const char *local = text_of(o, id);
	rec.party_id = rec.registry_id ? rec.registry_id
		       : local ? S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", o->ocid, local))
			       : NULL;
	if (!rec.party_id)
		return;
	if (local)
		json_object_set_new(o->parties, local, json_string(rec.party_id));
	rec.name = get_text(o, p, "name");
	if (!rec.name)
		rec.name = get_text(o, ident, "legalName");
	rec.kind = S(o, "organisation");
	pb_buf_init(&roles);
	json_array_foreach(json_object_get(p, "roles"), k, r) {
		for (size_t m = 0; m < sizeof(role_map) / sizeof(role_map[0]); m++)
			if (json_is_string(r) && !strcmp(json_string_value(r), role_map[m].ocds) &&
			    !strstr(roles.data, role_map[m].ours))
				pb_buf_addf(&roles, "%s%s", roles.len ? ";" : "", role_map[m].ours);
	}
	rec.roles = S(o, roles.data);
	pb_buf_release(&roles);
	pb_buf_init(&addr);
	join(&addr, json_string_value(json_object_get(a, "streetAddress")));
	join(&addr, json_string_value(json_object_get(a, "locality")));
	join(&addr, json_string_value(json_object_get(a, "postalCode")));
	join(&addr, json_string_value(json_object_get(a, "countryName")));
	rec.address = S(o, addr.data);
	pb_buf_release(&addr);
	rec.country = get_text(o, a, "countryName");
	add(o, PB_T_PARTIES, &rec);
}

/* A reference {id, name} to a party: its canonical id; parties the
 * release does not list are added with the name the reference gives. */
static const char *party_ref(struct ocds *o, json_t *ref)
{
	const char *local = get_text(o, ref, "id");
	json_t *known;

	if (!local) {
		/* OCDS 1.0 organisation references carry an identifier. */
		json_t *ident = json_object_get(ref, "identifier");
		const char *scheme = get_text(o, ident, "scheme"), *rid = get_text(o, ident, "id");
		if (scheme && rid)
			return S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s:%s", scheme, rid));
		return NULL;
	}
	if ((known = json_object_get(o->parties, local)))
		return S(o, json_string_value(known));
	pb_party rec;
	pb_record_blank(PB_T_PARTIES, &rec);
	row(o, &rec.row, o->base);
	rec.party_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", o->ocid, local));
	rec.name = get_text(o, ref, "name");
	rec.kind = S(o, "organisation");
	add(o, PB_T_PARTIES, &rec);
	json_object_set_new(o->parties, local, json_string(rec.party_id));
	return rec.party_id;
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

static const char *classifications(struct ocds *o, json_t *tender)
{
	pb_buf b;
	size_t i;
	json_t *item;

	pb_buf_init(&b);
	json_array_foreach(json_object_get(tender, "items"), i, item) {
		json_t *c = json_object_get(item, "classification");
		const char *scheme = get_text(o, c, "scheme"), *id = get_text(o, c, "id");
		if (id)
			pb_buf_addf(&b, "%s%s%s%s", b.len ? ";" : "", scheme ? scheme : "",
				    scheme ? ":" : "", id);
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
	rec.buyer_id = party_ref(o, buyer ? buyer : json_object_get(t, "procuringEntity"));
	rec.title = get_text(o, t, "title");
	rec.description = get_text(o, t, "description");
	const char *method = get_text(o, t, "procurementMethod");
	rec.method = one_of(o, method, methods);
	rec.method_details = get_text(o, t, "procurementMethodDetails");
	if (!rec.method_details && method && !rec.method)
		rec.method_details = method;
	rec.method_rationale = get_text(o, t, "procurementMethodRationale");
	rec.category = one_of(o, get_text(o, t, "mainProcurementCategory"), categories);
	get_money(o, json_object_get(t, "value"), &rec.estimated_value, &rec.currency);
	json_t *period = json_object_get(t, "tenderPeriod");
	rec.published_on = get_date(t, "datePublished");
	if (rec.published_on == PB_DATE_NONE)
		rec.published_on = get_date(period, "startDate");
	rec.submission_deadline = get_date(period, "endDate");
	json_t *nt = json_object_get(t, "numberOfTenderers");
	if (json_is_integer(nt))
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
		pb_record_blank(PB_T_BIDS, &rec);
		row(o, &rec.row, pointer(o, "/bids/details/%zu", i));
		rec.bid_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/bid/%s", o->ocid,
						  id ? id : pb_arena_printf(pb_ledger_arena(o->l), "%zu", i)));
		rec.tender_id = o->ocid;
		json_t *tenderers = json_object_get(b, "tenderers");
		rec.bidder_id = party_ref(o, json_array_get(tenderers, 0));
		if (json_array_size(tenderers) > 1) {
			pb_buf all;
			size_t k;
			json_t *tr;
			pb_buf_init(&all);
			json_array_foreach(tenderers, k, tr) {
				const char *who = party_ref(o, tr);
				if (who)
					pb_buf_addf(&all, "%s%s", all.len ? ";" : "", who);
			}
			add_extra(o, &rec.row, "tenderers", S(o, all.data));
			pb_buf_release(&all);
		}
		get_money(o, json_object_get(b, "value"), &rec.value, &rec.currency);
		rec.submitted_on = get_date(b, "date");
		const char *st = get_text(o, b, "status");
		rec.status = st && !strcmp(st, "invited") ? S(o, "pending") : one_of(o, st, statuses);
		add(o, PB_T_BIDS, &rec);
	}
}

static void add_payments(struct ocds *o, json_t *contract, const char *contract_id, size_t ci)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(json_object_get(contract, "implementation"), "transactions"), i, t) {
		pb_payment rec;
		const char *id = get_text(o, t, "id");
		pb_record_blank(PB_T_PAYMENTS, &rec);
		row(o, &rec.row, pointer(o, "/contracts/%zu/implementation/transactions/%zu", ci, i));
		rec.payment_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/tx/%s", contract_id,
						      id ? id : pb_arena_printf(pb_ledger_arena(o->l), "%zu", i)));
		rec.contract_id = contract_id;
		json_t *payer = json_object_get(t, "payer"), *payee = json_object_get(t, "payee");
		rec.payer_id = party_ref(o, payer ? payer : json_object_get(t, "providerOrganization"));
		rec.payee_id = party_ref(o, payee ? payee : json_object_get(t, "receiverOrganization"));
		json_t *value = json_object_get(t, "value");
		get_money(o, value ? value : json_object_get(t, "amount"), &rec.amount, &rec.currency);
		rec.paid_on = get_date(t, "date");
		rec.description = get_text(o, t, "uri");
		add(o, PB_T_PAYMENTS, &rec);
	}
}

static void add_amendments(struct ocds *o, json_t *contract, const char *contract_id, size_t ci)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(contract, "amendments"), i, a) {
		pb_amendment rec;
		const char *id = get_text(o, a, "id");
		pb_record_blank(PB_T_AMENDMENTS, &rec);
		row(o, &rec.row, pointer(o, "/contracts/%zu/amendments/%zu", ci, i));
		rec.amendment_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/amendment/%s", contract_id,
							id ? id : pb_arena_printf(pb_ledger_arena(o->l), "%zu", i)));
		rec.contract_id = contract_id;
		rec.amended_on = get_date(a, "date");
		rec.rationale = get_text(o, a, "rationale");
		if (!rec.rationale)
			rec.rationale = get_text(o, a, "description");
		rec.currency = pb_ledger_base_currency(o->l);
		add(o, PB_T_AMENDMENTS, &rec);
	}
}

/* What an OCDS contract adds to its row: signature, period, a value
 * when it has one, its status; and its payments and amendments. */
static void contract_details(struct ocds *o, json_t *c, size_t k, pb_contract *rec)
{
	json_t *period = json_object_get(c, "period");
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
	add_payments(o, c, rec->contract_id, k);
	add_amendments(o, c, rec->contract_id, k);
}

/* One contracts row per award, completed by the contract that cites it;
 * a contract citing no award becomes its own row. */
static void add_awards_and_contracts(struct ocds *o, json_t *r, const char *buyer)
{
	json_t *awards = json_object_get(r, "awards"), *contracts = json_object_get(r, "contracts");
	size_t i, k;
	json_t *aw, *c;

	json_array_foreach(awards, i, aw) {
		pb_contract rec;
		const char *aid = get_text(o, aw, "id");
		pb_record_blank(PB_T_CONTRACTS, &rec);
		row(o, &rec.row, pointer(o, "/awards/%zu", i));
		rec.contract_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/%s", o->ocid,
						       aid ? aid : pb_arena_printf(pb_ledger_arena(o->l), "award-%zu", i)));
		rec.tender_id = o->ocid;
		rec.buyer_id = buyer;
		rec.supplier_id = party_ref(o, json_array_get(json_object_get(aw, "suppliers"), 0));
		get_money(o, json_object_get(aw, "value"), &rec.value, &rec.currency);
		rec.awarded_on = get_date(aw, "date");
		rec.status = get_text(o, aw, "status");
		json_array_foreach(contracts, k, c) {
			const char *cited = get_text(o, c, "awardID");
			if (aid && cited && !strcmp(cited, aid))
				contract_details(o, c, k, &rec);
		}
		add(o, PB_T_CONTRACTS, &rec);
	}
	json_array_foreach(contracts, k, c) {
		const char *cited = get_text(o, c, "awardID");
		int matched = 0;
		json_array_foreach(awards, i, aw) {
			const char *aid = get_text(o, aw, "id");
			matched |= cited && aid && !strcmp(cited, aid);
		}
		if (matched)
			continue;
		pb_contract rec;
		const char *cid = get_text(o, c, "id");
		pb_record_blank(PB_T_CONTRACTS, &rec);
		row(o, &rec.row, pointer(o, "/contracts/%zu", k));
		rec.contract_id = S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s/contract/%s", o->ocid,
						       cid ? cid : pb_arena_printf(pb_ledger_arena(o->l), "%zu", k)));
		rec.tender_id = o->ocid;
		rec.buyer_id = buyer;
		contract_details(o, c, k, &rec);
		add(o, PB_T_CONTRACTS, &rec);
	}
}

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
	if (json_is_array(json_object_get(r, "initiationType")) || json_is_array(json_object_get(r, "date")))
		return "versioned release (probity reads compiled releases)";
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

/* A parsed document: a package, a record package, or one release. */
static void import_document(struct ocds *o, json_t *doc, uint32_t line)
{
	json_t *list, *item;
	size_t i;
	char base[64];

	if ((list = json_object_get(doc, "releases")) && json_is_array(list)) {
		json_array_foreach(list, i, item) {
			snprintf(base, sizeof(base), "/releases/%zu", i);
			release_unit(o, item, line, pb_ledger_intern(o->l, base, strlen(base)));
		}
	} else if ((list = json_object_get(doc, "records")) && json_is_array(list)) {
		json_array_foreach(list, i, item) {
			snprintf(base, sizeof(base), "/records/%zu/compiledRelease", i);
			json_t *compiled = json_object_get(item, "compiledRelease");
			if (!compiled) {
				pb_ledger_reject(o->l, o->input, line,
						 "record /records/%zu has no compiledRelease (only %s)", i,
						 json_object_get(item, "versionedRelease") ? "a versioned release"
											   : "linked releases");
				continue;
			}
			release_unit(o, compiled, line, pb_ledger_intern(o->l, base, strlen(base)));
		}
	} else if (json_is_object(doc) && json_object_get(doc, "ocid")) {
		release_unit(o, doc, line, "");
	} else {
		pb_ledger_reject(o->l, o->input, line,
				 "document is not an OCDS release, release package or record package");
	}
}

static uint32_t count_lines(const char *s, size_t n)
{
	uint32_t lines = 0;

	for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		lines++;
	return lines;
}

/* Whole-file documents, possibly several concatenated. */
static int import_documents(struct ocds *o, gzFile f, pb_error *err)
{
	pb_buf data;
	char chunk[65536];
	int n;

	pb_buf_init(&data);
	while ((n = gzread(f, chunk, sizeof(chunk))) > 0) {
		if (data.len + (size_t)n > OCDS_MAX_FILE) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: larger than the 1 GiB limit for a JSON "
				     "document (split it, or use line-delimited .jsonl)", o->path);
			pb_buf_release(&data);
			return -1;
		}
		pb_buf_add(&data, chunk, (size_t)n);
	}
	if (n < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot decompress: %s", o->path, gzerror(f, &n));
		pb_buf_release(&data);
		return -1;
	}
	size_t off = 0;
	uint32_t line = 1;
	int documents = 0;
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
			pb_ledger_reject(o->l, o->input, line + (uint32_t)(je.line > 0 ? je.line - 1 : 0),
					 "invalid JSON at line %d, column %d: %s%s", je.line, je.column, je.text,
					 strstr(je.text, "depth") ? " (limit: 2048 levels of nesting)" : "");
			break; /* the rest of the file cannot be framed */
		}
		import_document(o, doc, line);
		json_decref(doc);
		size_t used = je.position > 0 ? (size_t)je.position : data.len - off;
		line += count_lines(data.data + off, used);
		off += used;
	}
	pb_buf_release(&data);
	if (!documents) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", o->path);
		return -1;
	}
	return 0;
}

/* Line-delimited releases, one at a time, in bounded memory. */
static int import_lines(struct ocds *o, gzFile f, pb_error *err)
{
	char chunk[65536];
	pb_buf line;
	uint32_t no = 0, content = 0;
	int too_long = 0;

	pb_buf_init(&line);
	for (;;) {
		int eof = !gzgets(f, chunk, sizeof(chunk));
		if (!eof) {
			size_t n = strlen(chunk);
			if (!too_long)
				pb_buf_add(&line, chunk, n);
			too_long |= line.len > OCDS_MAX_LINE;
			if (n && chunk[n - 1] != '\n' && !gzeof(f))
				continue;
		}
		if (eof && !line.len && !too_long)
			break;
		no++;
		const char *s = line.data;
		size_t len = line.len;
		pb_trim(&s, &len);
		content += too_long || len;
		if (too_long) {
			pb_ledger_reject(o->l, o->input, no, "line longer than the 64 MiB limit");
		} else if (len) {
			json_error_t je;
			json_t *r = json_loadb(s, len, 0, &je);
			if (!r)
				pb_ledger_reject(o->l, o->input, no, "invalid JSON at column %d: %s%s",
						 je.column, je.text,
						 strstr(je.text, "depth") ? " (limit: 2048 levels of nesting)" : "");
			else
				release_unit(o, r, no, "");
			json_decref(r);
		}
		pb_buf_reset(&line);
		too_long = 0;
		if (eof)
			break;
	}
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
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
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
