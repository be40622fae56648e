/*
 * xml.c - EU procurement notices in XML: eForms (UBL 2.3) and TED
 * R2.0.9 exports, read with libxml2's streaming reader.
 *
 * Safety first: a notice never needs a DTD, so a file that declares one
 * (<!DOCTYPE, <!ENTITY) is refused before libxml2 sees it, and the reader
 * refuses it again if it meets a document type or entity node (a UTF-16
 * file hides its declarations from the byte scan): no external entity is
 * fetched (XXE) and no entity is expanded (billion laughs).  The reader
 * runs with network access off, no DTD loading, no entity substitution
 * and libxml2's default limits (no XML_PARSE_HUGE: depth 256, 10 MB text
 * nodes); its messages are captured, never printed.  Files over 64 MiB,
 * an element with more than XML_MAX_ATTRIBUTES attributes (libxml2's
 * duplicate-attribute check is quadratic) and a notice of more than
 * XML_MAX_ELEMENTS elements are refused by a byte scan before parsing.
 * Everything after parsing is linear: ids are looked up in hash maps.
 * One file is one notice: imported, or rejected at the line of the
 * problem.
 *
 * Mapping (docs/formats.md): the procedure is one tender row, whatever
 * its number of lots (a lot is not a procedure: its method, rationale and
 * buyer are the procedure's), with the lot count as an extra; the
 * procedure code is kept as published in method_details and mapped to a
 * canonical method through the procedure table (config/procedures.txt).
 * Only award notices yield contracts: each settled contract (eForms) or
 * awarded contract (TED) with all its winners; lots not awarded yield
 * none, and a procedure none of whose lots was awarded is unsuccessful
 * (or cancelled).  eForms modification notices yield amendments of the
 * contract they modify; a TED F20 its contract as awarded and one
 * amendment (values before and after).  The tenders an award notice lists are not
 * imported as bids: a notice names the winners and a few ranked others,
 * not every bid, and a partial bids table would hide the number of
 * tenders received that it also states.
 */
#include <ctype.h>
#include <errno.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../engine/importer.h"

#define XML_MAX_FILE (64u << 20)
/* Real notices have at most a dozen attributes on an element (the
 * namespace declarations of the root) and 51 000 elements (a TED award
 * notice of 2 064 awards); these limits are far above both. */
#define XML_MAX_ATTRIBUTES 256
#define XML_MAX_ELEMENTS 500000
#define XML_MAX_EXTRAS 6

static const char dtd_refused[] = "DTD/entity declarations are not allowed (possible XXE or "
				  "entity expansion attack); the notice was refused unread";

/* A string-keyed hash map (open addressing); keys are not copied. */
struct map {
	const char **keys;
	void **vals;
	size_t cap, n;
};

struct notice {
	pb_ledger *l;
	size_t input;
	const char *path;
	uint32_t line;
	const pb_procedures *procedures; /* NULL: methods stay unknown */
	const char *prefix; /* "eforms:" or "ted:" */
	const char *id;     /* procedure id, prefixed: the tender row */
	const char *notice; /* this notice's own id, prefixed */
	xmlNodePtr root, results;
	int award;          /* an award notice: its date is not the tender's */
	int modification;   /* a contract modification notice */
	/* eForms look-ups, built once per notice */
	struct map lots, lot_tenders, parties, orgs, result_of;
	pb_buf error;       /* first libxml2 message */
	struct unread *unread; /* values not read, listed if the notice is */
	size_t nunread, unread_cap;
	pb_ptrmap *unread_nodes; /* their nodes: one read twice is listed once */
};

/* A value of the notice that could not be read (pb_ledger_unread), held
 * until the notice is imported: a rejected notice lists none. */
struct unread {
	uint32_t line;
	char *where, *value;
	const char *why;
};

/* --- hash map --- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void map_release(struct map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t map_slot(const struct map *m, const char *key)
{
	size_t i = hash_str(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Adds key -> val unless key is there already (the first one wins, as in
 * a notice that repeats an id). */
static void map_put(struct map *m, const char *key, void *val)
{
	if (!key)
		return;
	if ((m->n + 1) * 2 > m->cap) {
		struct map big = {NULL, NULL, m->cap ? m->cap * 2 : 16, 0};
		big.keys = pb_xcalloc(big.cap, sizeof(*big.keys));
		big.vals = pb_xcalloc(big.cap, sizeof(*big.vals));
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				map_put(&big, m->keys[i], m->vals[i]);
		map_release(m);
		*m = big;
	}
	size_t i = map_slot(m, key);
	if (m->keys[i])
		return;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

static void *map_get(const struct map *m, const char *key)
{
	if (!key || !m->cap)
		return NULL;
	size_t i = map_slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

/* --- tree helpers, by local name (namespaces vary between versions) --- */

static int named(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

/* child(child(...)) along a '/'-separated path. */
static xmlNodePtr at(xmlNodePtr n, const char *path)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *p = strtok_r(buf, "/", &save); n && p; p = strtok_r(NULL, "/", &save))
		n = child(n, p);
	return n;
}

static xmlNodePtr next_named(xmlNodePtr n, const char *name)
{
	for (n = n ? n->next : NULL; n; n = n->next)
		if (named(n, name))
			return n;
	return NULL;
}

#define FOR_EACH(var, parent, name) \
	for (xmlNodePtr var = child(parent, name); var; var = next_named(var, name))

/* First descendant with this name, depth first (depth is at most 256).
 * Called a fixed number of times per notice, never per record. */
static xmlNodePtr find(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
		if (named(c, name))
			return c;
		xmlNodePtr d = find(c, name);
		if (d)
			return d;
	}
	return NULL;
}

static const char *S(struct notice *o, const char *s)
{
	return s ? pb_ledger_intern(o->l, s, strlen(s)) : NULL;
}

/* The content of n (free it with xmlFree), and *s, *len its text
 * trimmed; NULL when n is. */
static xmlChar *trimmed_content(xmlNodePtr n, const char **s, size_t *len)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;

	*s = (const char *)t;
	*len = t ? strlen(*s) : 0;
	pb_trim(s, len);
	return t;
}

/* The trimmed text of n, interned, or with `keep` copied as free text
 * (pb_ledger_keep: a title or a description is never compared by
 * pointer). */
static const char *node_text(struct notice *o, xmlNodePtr n, int keep)
{
	const char *s;
	size_t len;
	xmlChar *t = trimmed_content(n, &s, &len);
	const char *r = !len ? NULL : keep ? pb_ledger_keep(o->l, s, len) : pb_ledger_intern(o->l, s, len);

	xmlFree(t);
	return r;
}

static const char *text(struct notice *o, xmlNodePtr n)
{
	return node_text(o, n, 0);
}

/* Free text (a title, a description), copied. */
static const char *free_text(struct notice *o, xmlNodePtr n)
{
	return node_text(o, n, 1);
}

/* The free text of n with runs of white space (the line breaks and
 * indents between TED's <P> paragraphs) made one space, copied. */
static const char *prose(struct notice *o, xmlNodePtr n)
{
	const char *s;
	size_t len;
	xmlChar *t = trimmed_content(n, &s, &len);
	pb_buf b;

	pb_buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		int space = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
		if (!space)
			pb_buf_addch(&b, s[i]);
		else if (b.len && b.data[b.len - 1] != ' ')
			pb_buf_addch(&b, ' ');
	}
	const char *r = pb_ledger_keep(o->l, b.data, b.len);
	pb_buf_release(&b);
	xmlFree(t);
	return r;
}

static const char *attr_text(struct notice *o, xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	const char *r = v && *v ? S(o, (const char *)v) : NULL;

	xmlFree(v);
	return r;
}

static int same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static const char *join(struct notice *o, const char *a, const char *sep, const char *b)
{
	return S(o, pb_arena_printf(pb_ledger_arena(o->l), "%s%s%s", a, sep, b));
}

/* n's path by element names ("/TED_EXPORT/FORM_SECTION/F03_2014/...",
 * "cac:LegalMonetaryTotal"): libxml2's xmlGetNodePath writes "*" for
 * every element of a default namespace, which is all of TED.  No
 * position among siblings: the line says which, and counting siblings
 * for each value would be quadratic in a notice of many lots. */
static void node_path(pb_buf *b, xmlNodePtr n)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return;
	node_path(b, n->parent);
	pb_buf_addch(b, '/');
	if (n->ns && n->ns->prefix)
		pb_buf_addf(b, "%s:", (const char *)n->ns->prefix);
	pb_buf_addstr(b, (const char *)n->name);
}

/* attr: NULL for n's text, else the attribute of n that held the value. */
static void unread(struct notice *o, xmlNodePtr n, const char *attr, const char *value, const char *why)
{
	uint32_t seen;

	if (!o->unread_nodes)
		o->unread_nodes = pb_ptrmap_new();
	if (pb_ptrmap_get(o->unread_nodes, n, &seen))
		return;
	pb_ptrmap_put(o->unread_nodes, n, 1);
	PB_GROW(o->unread, o->nunread + 1, o->unread_cap);
	struct unread *u = &o->unread[o->nunread++];
	long line = xmlGetLineNo(n);
	pb_buf where;
	pb_buf_init(&where);
	node_path(&where, n);
	if (attr)
		pb_buf_addf(&where, "/@%s", attr);
	u->line = line > 0 && line <= PB_ROW_LINE_MAX ? (uint32_t)line : o->line;
	u->where = pb_buf_detach(&where);
	u->value = pb_xstrdup(value);
	u->why = why;
}

/* The notice's values not read, listed now that it is imported. */
static void unread_flush(struct notice *o, int imported)
{
	for (size_t i = 0; i < o->nunread; i++) {
		struct unread *u = &o->unread[i];
		if (imported)
			pb_ledger_unread(o->l, o->input, u->line, u->where, u->value, u->why);
		free(u->where);
		free(u->value);
	}
	free(o->unread);
	pb_ptrmap_free(o->unread_nodes);
	o->unread = NULL;
	o->unread_nodes = NULL;
	o->nunread = o->unread_cap = 0;
}

static pb_date date_of(struct notice *o, xmlNodePtr n)
{
	const char *s = text(o, n), *why;
	pb_date d;

	if (!s)
		return PB_DATE_NONE;
	/* eForms dates carry an offset ("2019-09-03+02:00"), TED ones none
	 * ("20180406" in the coded data, "2018-04-06" in the forms). */
	if (strlen(s) == 8 && pb_date_parse(s, 8, "YYYYMMDD", &d, &why) == 0)
		return d;
	if (strlen(s) >= 10 && pb_date_parse(s, 10, NULL, &d, &why) == 0)
		return d;
	if (strlen(s) < 10)
		why = "is not a date (YYYY-MM-DD or YYYYMMDD)";
	unread(o, n, NULL, s, why);
	return PB_DATE_NONE;
}

/* A count or a duration: a whole number, not negative. */
static int64_t int_of(struct notice *o, xmlNodePtr n)
{
	const char *s = text(o, n), *why;
	int64_t v;

	if (!s)
		return PB_INT_NONE;
	if (pb_int_parse(s, strlen(s), &v, &why) < 0) {
		unread(o, n, NULL, s, why);
		return PB_INT_NONE;
	}
	if (v < 0) {
		unread(o, n, NULL, s, "is negative");
		return PB_INT_NONE;
	}
	return v;
}

/* The last day of a period of `count` units ("MONTH", "YEAR", "DAY")
 * that starts on `start`: 2016-06-01 and 120 months end on 2026-05-31. */
static pb_date period_end(pb_date start, const char *unit, int64_t count)
{
	int y, m, d;

	if (start == PB_DATE_NONE || count == PB_INT_NONE || count <= 0 || !unit)
		return PB_DATE_NONE;
	if (!strcmp(unit, "DAY"))
		return count <= 36600 ? start + (pb_date)count - 1 : PB_DATE_NONE;
	if (!strcmp(unit, "YEAR"))
		count = count <= 100 ? count * 12 : 0;
	else if (strcmp(unit, "MONTH"))
		return PB_DATE_NONE;
	if (count <= 0 || count > 1200)
		return PB_DATE_NONE;
	pb_date_to_ymd(start, &y, &m, &d);
	int64_t months = (int64_t)y * 12 + (m - 1) + count;
	int ny = (int)(months / 12), nm = (int)(months % 12) + 1, last;
	pb_date_to_ymd(pb_date_from_ymd(nm == 12 ? ny + 1 : ny, nm == 12 ? 1 : nm + 1, 1) - 1, &y, &m, &last);
	return pb_date_from_ymd(ny, nm, d < last ? d : last) - 1;
}

/* An amount element with its currency (attribute currencyID or CURRENCY),
 * parsed exactly from its text. */
static void money(struct notice *o, xmlNodePtr n, int64_t *amount, const char **currency)
{
	const char *v = text(o, n), *why;
	const char *attr = "currencyID", *cur = attr_text(o, n, attr);

	*amount = PB_AMOUNT_NONE;
	*currency = NULL;
	if (!cur)
		cur = attr_text(o, n, attr = "CURRENCY");
	if (!v)
		return;
	if (!cur) {
		unread(o, n, NULL, v, "has no currency");
		return;
	}
	if (pb_currency_exponent(cur) < 0) {
		unread(o, n, attr, cur, "is not an ISO 4217 currency");
		return;
	}
	if (pb_amount_parse(v, strlen(v), pb_currency_exponent(cur), pb_numfmt_default, amount, &why) < 0) {
		*amount = PB_AMOUNT_NONE;
		unread(o, n, NULL, v, why);
	} else {
		*currency = cur;
	}
}

/* money() into a record's amount and currency (a pb_text). */
static void money_text(struct notice *o, xmlNodePtr n, int64_t *amount, pb_text *currency)
{
	const char *cur = pb_str(*currency);

	money(o, n, amount, &cur);
	*currency = pb_text_of(cur);
}

/* --- extra attributes of a row (shown with its evidence) --- */

struct extras {
	pb_attr a[XML_MAX_EXTRAS];
	uint32_t n;
};

static void extra(struct notice *o, struct extras *e, const char *name, const char *value)
{
	if (!value || e->n >= XML_MAX_EXTRAS)
		return;
	e->a[e->n].name = S(o, name);
	e->a[e->n].value = value;
	e->n++;
}

static void extras_set(struct notice *o, pb_row *r, const struct extras *e)
{
	if (!e->n)
		return;
	pb_attr *a = pb_arena_alloc(pb_ledger_arena(o->l), e->n * sizeof(*a));
	memcpy(a, e->a, e->n * sizeof(*a));
	pb_row_set_extras(o->l, r, a, e->n);
}

/* ISO 3166 alpha-3 code followed by its alpha-2 code, sorted: eForms
 * writes countries as "DEU", the rest of the ledger (and TED) as "DE". */
static const char alpha3[] =
	"ABWAWAFGAFAGOAOAIAAIALAAXALBALANDADAREAEARGARARMAMASMASATAAQATFTFATGAG"
	"AUSAUAUTATAZEAZBDIBIBELBEBENBJBESBQBFABFBGDBDBGRBGBHRBHBHSBSBIHBABLMBL"
	"BLRBYBLZBZBMUBMBOLBOBRABRBRBBBBRNBNBTNBTBVTBVBWABWCAFCFCANCACCKCCCHECH"
	"CHLCLCHNCNCIVCICMRCMCODCDCOGCGCOKCKCOLCOCOMKMCPVCVCRICRCUBCUCUWCWCXRCX"
	"CYMKYCYPCYCZECZDEUDEDJIDJDMADMDNKDKDOMDODZADZECUECEGYEGERIERESHEHESPES"
	"ESTEEETHETFINFIFJIFJFLKFKFRAFRFROFOFSMFMGABGAGBRGBGEOGEGGYGGGHAGHGIBGI"
	"GINGNGLPGPGMBGMGNBGWGNQGQGRCGRGRDGDGRLGLGTMGTGUFGFGUMGUGUYGYHKGHKHMDHM"
	"HNDHNHRVHRHTIHTHUNHUIDNIDIMNIMINDINIOTIOIRLIEIRNIRIRQIQISLISISRILITAIT"
	"JAMJMJEYJEJORJOJPNJPKAZKZKENKEKGZKGKHMKHKIRKIKNAKNKORKRKWTKWLAOLALBNLB"
	"LBRLRLBYLYLCALCLIELILKALKLSOLSLTULTLUXLULVALVMACMOMAFMFMARMAMCOMCMDAMD"
	"MDGMGMDVMVMEXMXMHLMHMKDMKMLIMLMLTMTMMRMMMNEMEMNGMNMNPMPMOZMZMRTMRMSRMS"
	"MTQMQMUSMUMWIMWMYSMYMYTYTNAMNANCLNCNERNENFKNFNGANGNICNINIUNUNLDNLNORNO"
	"NPLNPNRUNRNZLNZOMNOMPAKPKPANPAPCNPNPERPEPHLPHPLWPWPNGPGPOLPLPRIPRPRKKP"
	"PRTPTPRYPYPSEPSPYFPFQATQAREUREROURORUSRURWARWSAUSASDNSDSENSNSGPSGSGSGS"
	"SHNSHSJMSJSLBSBSLESLSLVSVSMRSMSOMSOSPMPMSRBRSSSDSSSTPSTSURSRSVKSKSVNSI"
	"SWESESWZSZSXMSXSYCSCSYRSYTCATCTCDTDTGOTGTHATHTJKTJTKLTKTKMTMTLSTLTONTO"
	"TTOTTTUNTNTURTRTUVTVTWNTWTZATZUGAUGUKRUAUMIUMURYUYUSAUSUZBUZVATVAVCTVC"
	"VENVEVGBVGVIRVIVNMVNVUTVUWLFWFWSMWSYEMYEZAFZAZMBZMZWEZW";

/* A country as ISO 3166 alpha-2; TED's EU codes UK and EL become GB, GR. */
static const char *country_of(struct notice *o, const char *code)
{
	if (!code)
		return NULL;
	if (!strcmp(code, "UK") || !strcmp(code, "EL"))
		return S(o, code[0] == 'U' ? "GB" : "GR");
	if (strlen(code) != 3)
		return code;
	for (const char *p = alpha3; *p; p += 5)
		if (!memcmp(p, code, 3))
			return pb_ledger_intern(o->l, p + 3, 2);
	return code;
}

/* A registry number worth joining on: notices fill the field with "n/a",
 * "not available" or "-" too, and those would make one party of every
 * supplier that has none.  Real company numbers have digits. */
static const char *registry_number(const char *id)
{
	for (const char *p = id; p && *p; p++)
		if (*p >= '0' && *p <= '9')
			return id;
	return NULL;
}

/* --- provenance: "/ContractAwardNotice/.../efac:LotResult[2]" --- */

/*
 * Each element's position among its same-named siblings, computed once
 * for the whole tree (counting siblings per record would be quadratic
 * in a notice of thousands of awards) and kept in the node's _private
 * (the reader leaves it to the application): index << 1 | several.
 */
static void index_siblings(xmlNodePtr parent)
{
	struct map count = {0};
	size_t nchildren = 0;

	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			uintptr_t k = (uintptr_t)map_get(&count, (const char *)c->name);
			if (!k)
				map_put(&count, (const char *)c->name, (void *)(uintptr_t)1);
			else
				count.vals[map_slot(&count, (const char *)c->name)] = (void *)(k + 1);
			nchildren++;
		}
	if (!nchildren) {
		map_release(&count);
		return;
	}
	struct map seen = {0};
	for (xmlNodePtr c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		uintptr_t k = (uintptr_t)map_get(&seen, name) + 1;
		if (k == 1)
			map_put(&seen, name, (void *)k);
		else
			seen.vals[map_slot(&seen, name)] = (void *)k;
		c->_private = (void *)(k << 1 | ((uintptr_t)map_get(&count, name) > 1));
		index_siblings(c);
	}
	map_release(&seen);
	map_release(&count);
}

static void path_add(pb_buf *b, xmlNodePtr n)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return;
	path_add(b, n->parent);
	uintptr_t pos = (uintptr_t)n->_private;
	pb_buf_addch(b, '/');
	if (n->ns && n->ns->prefix)
		pb_buf_addf(b, "%s:", (const char *)n->ns->prefix);
	pb_buf_addstr(b, (const char *)n->name);
	if (pos & 1)
		pb_buf_addf(b, "[%zu]", (size_t)(pos >> 1));
}

static void src(struct notice *o, pb_row *r, xmlNodePtr n)
{
	long line = n ? xmlGetLineNo(n) : -1;
	pb_buf b;

	pb_buf_init(&b);
	path_add(&b, n);
	/* libxml2 counts lines in an int: every line fits a row. */
	pb_row_set(o->l, r, o->path, line > 0 ? (uint32_t)line : o->line,
		   b.len ? pb_ledger_intern(o->l, b.data, b.len) : NULL);
	pb_buf_release(&b);
}

/* --- adding: a record seen before (a contract notice, then its award)
 * keeps what it had and gains what it lacked --- */

/* Returns the record already in the ledger (valid until the next
 * insert), or NULL when rec was added. */
static void *add(struct notice *o, pb_table t, const void *rec)
{
	const void *existing;

	if (pb_ledger_insert(o->l, t, rec, &existing) != 1)
		return NULL;
	/* The importer owns records until the ledger is sealed. */
	void *dst = (void *)(uintptr_t)existing;
	pb_ledger_merge_fields(t, dst, rec, 1);
	return dst;
}

/* A tender: a notice that ends the procedure (cancelled, unsuccessful)
 * has the last word on its status, whichever file was read first; award
 * notices of one procedure may each report other lots, so the fewest
 * tenders is the fewest any of them reports (with its extras naming the
 * lot). */
static void add_tender(struct notice *o, const pb_tender *t)
{
	pb_tender *old = add(o, PB_T_TENDERS, t);

	if (!old)
		return;
	const char *status = pb_str(t->status);
	if (status && (!strcmp(status, "cancelled") || !strcmp(status, "unsuccessful")))
		old->status = t->status;
	if (t->number_of_tenderers != PB_INT_NONE && t->number_of_tenderers < old->number_of_tenderers) {
		old->number_of_tenderers = t->number_of_tenderers;
		pb_ledger_merge_extras(o->l, &old->row, &t->row, &old->row);
		/* The row's source is the first notice; a reviewer checking the
		 * count needs the one that gave it. */
		pb_row_add_extra(o->l, &old->row, S(o, "fewest_tenders_notice"),
				 pb_arena_printf(pb_ledger_arena(o->l), "%s:%u", pb_row_file(&t->row),
						 (unsigned)t->row.line));
	}
}

/* A party seen as buyer in one notice and supplier in another has both roles. */
static void add_party(struct notice *o, pb_party *p)
{
	pb_party *old = add(o, PB_T_PARTIES, p);

	if (old && old->roles && p->roles && !strstr(pb_str(old->roles), pb_str(p->roles)))
		old->roles = pb_text_of(join(o, pb_str(old->roles), ";", pb_str(p->roles)));
}

static const char *address(struct notice *o, const char *const parts[4])
{
	pb_buf b;

	pb_buf_init(&b);
	for (size_t i = 0; i < 4; i++)
		if (parts[i])
			pb_buf_addf(&b, "%s%s", b.len ? ", " : "", parts[i]);
	const char *r = b.len ? pb_ledger_intern(o->l, b.data, b.len) : NULL;
	pb_buf_release(&b);
	return r;
}

/* A supplier and its partners: the first id is the contract's
 * supplier_id, the others its co_supplier_ids (';'-separated). */
struct winners {
	const char *first;
	pb_buf others;
};

static void winner_add(struct winners *w, const char *id)
{
	if (!id || same(id, w->first))
		return;
	if (!w->first) {
		w->first = id;
		return;
	}
	pb_buf_addf(&w->others, "%s%s", w->others.len ? ";" : "", id);
}

static void winners_set(struct notice *o, struct winners *w, pb_contract *c)
{
	c->supplier_id = pb_text_of(w->first);
	c->co_supplier_ids = pb_text_of(
		w->others.len ? pb_ledger_intern(o->l, w->others.data, w->others.len) : NULL);
	pb_buf_release(&w->others);
}

/* --- procedure codes --- */

/* The canonical method of a procedure code, as the procedure table
 * (config/procedures.txt and the configuration's [procedures]) says. */
static const char *method_of(struct notice *o, const char *code)
{
	const pb_procedure *p = code && o->procedures ? pb_procedures_find(o->procedures, code) : NULL;

	return p && p->method ? S(o, p->method) : NULL;
}

static const char *category_of(struct notice *o, const char *code)
{
	static const char *const map[][2] = {{"works", "works"}, {"supplies", "goods"},
		{"services", "services"}, {"WORKS", "works"}, {"SUPPLIES", "goods"},
		{"SERVICES", "services"}};

	for (size_t i = 0; code && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(code, map[i][0]))
			return S(o, map[i][1]);
	return NULL;
}

/* --- eForms --- */

static int ef_is_lot(struct notice *o, xmlNodePtr lot)
{
	xmlNodePtr id = child(lot, "ID");
	const char *scheme = attr_text(o, id, "schemeName"), *v = text(o, id);

	return scheme ? !strcmp(scheme, "Lot") : v && !strncmp(v, "LOT-", 4);
}

/* The look-ups every record needs, built in one pass each. */
static void ef_index(struct notice *o)
{
	FOR_EACH(lot, o->root, "ProcurementProjectLot")
		if (ef_is_lot(o, lot))
			map_put(&o->lots, text(o, child(lot, "ID")), lot);
	FOR_EACH(lt, o->results, "LotTender")
		map_put(&o->lot_tenders, text(o, child(lt, "ID")), lt);
	FOR_EACH(tp, o->results, "TenderingParty")
		map_put(&o->parties, text(o, child(tp, "ID")), tp);
	FOR_EACH(lr, o->results, "LotResult")
		FOR_EACH(ref, lr, "LotTender")
			map_put(&o->result_of, text(o, child(ref, "ID")), lr);
	FOR_EACH(org, find(o->root, "Organizations"), "Organization") {
		xmlNodePtr co = child(org, "Company");
		map_put(&o->orgs, text(o, at(co, "PartyIdentification/ID")), co);
	}
}

/* A party row for an eForms organisation; returns its party_id: the
 * registry id when the notice gives one, so that one company is one
 * party across notices. */
static const char *ef_party(struct notice *o, const char *org_id, const char *role)
{
	xmlNodePtr co = map_get(&o->orgs, org_id);
	pb_party p;

	if (!org_id)
		return NULL;
	pb_record_blank(PB_T_PARTIES, &p);
	src(o, &p.row, co ? co : o->root);
	const char *country = text(o, at(co, "PostalAddress/Country/IdentificationCode"));
	p.country = pb_text_of(country_of(o, country));
	const char *company = registry_number(text(o, at(co, "PartyLegalEntity/CompanyID")));
	if (company)
		p.registry_id =
			pb_text_of(p.country ? join(o, pb_str(p.country), ":", company) : company);
	p.party_id = p.registry_id ? p.registry_id : pb_text_of(join(o, o->id, "/", org_id));
	p.name = pb_text_of(text(o, at(co, "PartyName/Name")));
	p.kind = pb_text_of(S(o, "organisation"));
	p.roles = pb_text_of(S(o, role));
	const char *parts[4] = {text(o, at(co, "PostalAddress/StreetName")),
				text(o, at(co, "PostalAddress/CityName")),
				text(o, at(co, "PostalAddress/PostalZone")), pb_str(p.country)};
	p.address = pb_text_of(address(o, parts));
	add_party(o, &p);
	return pb_str(p.party_id);
}

/* The direct-award justification (BT-136 code, BT-135 text): the text is
 * the rationale, the code an extra.  A code alone is a ticked box, not a
 * reason, so it is not made into a rationale.  Other justifications (an
 * accelerated procedure) do not explain the method. */
static const char *ef_rationale(struct notice *o, xmlNodePtr process, struct extras *e)
{
	FOR_EACH(j, process, "ProcessJustification") {
		xmlNodePtr code = child(j, "ProcessReasonCode");
		if (!same(attr_text(o, code, "listName"), "direct-award-justification"))
			continue;
		extra(o, e, "justification_code", text(o, code));
		return prose(o, child(j, "ProcessReason"));
	}
	return NULL;
}

static const char *ef_nature(struct notice *o, xmlNodePtr project)
{
	FOR_EACH(c, project, "ProcurementTypeCode") {
		const char *list = attr_text(o, c, "listName");
		if (!list || !strcmp(list, "contract-nature"))
			return category_of(o, text(o, c));
	}
	return NULL;
}

static pb_date ef_deadline(struct notice *o, xmlNodePtr lot)
{
	xmlNodePtr tp = child(lot, "TenderingProcess");
	pb_date d = date_of(o, at(tp, "TenderSubmissionDeadlinePeriod/EndDate"));

	/* Restricted procedures: the deadline for requests to participate. */
	return d != PB_DATE_NONE ? d : date_of(o, at(tp, "ParticipationRequestReceptionPeriod/EndDate"));
}

/* What the lot results say about the procedure: the fewest tenders any
 * lot received (and which lot), and the status: unsuccessful when no
 * lot was awarded and the procedure is closed (clos-nw), complete when
 * every lot is decided and one at least awarded. */
static void ef_results(struct notice *o, pb_tender *t, struct extras *e)
{
	size_t won = 0, closed = 0, open = 0, nfewest = 0;
	const char *fewest_lot = NULL;

	FOR_EACH(lr, o->results, "LotResult") {
		const char *code = text(o, child(lr, "TenderResultCode"));
		won += (size_t)same(code, "selec-w");
		closed += (size_t)same(code, "clos-nw");
		open += (size_t)same(code, "open-nw");
		FOR_EACH(st, lr, "ReceivedSubmissionsStatistics") {
			int64_t v = int_of(o, child(st, "StatisticsNumeric"));
			if (!same(text(o, child(st, "StatisticsCode")), "tenders") || v == PB_INT_NONE)
				continue;
			if (t->number_of_tenderers == PB_INT_NONE || v < t->number_of_tenderers) {
				t->number_of_tenderers = v;
				fewest_lot = text(o, at(lr, "TenderLot/ID"));
				nfewest = 0;
			}
			nfewest += v == t->number_of_tenderers;
		}
	}
	if (o->lots.n > 1 && fewest_lot) {
		extra(o, e, "fewest_tenders_lot", fewest_lot);
		extra(o, e, "lots_with_fewest_tenders", pb_arena_printf(pb_ledger_arena(o->l), "%zu", nfewest));
	}
	if (!won && closed && !open)
		t->status = pb_text_of(S(o, "unsuccessful"));
	else if (won && !open)
		t->status = pb_text_of(S(o, "complete"));
}

/* A change notice that cancels the notice it changes (BT-140 "cancel"). */
static int ef_cancels(struct notice *o)
{
	FOR_EACH(ch, find(o->root, "EformsExtension"), "Changes")
		FOR_EACH(r, ch, "ChangeReason")
			if (same(text(o, child(r, "ReasonCode")), "cancel"))
				return 1;
	return 0;
}

/* The procedure's tender row; its lots are not tenders of their own. */
/* Adds "SCHEME:code" to a ';'-separated list of item classes, once:
 * the tenders' `classifications` extra, as the OCDS importer keeps it
 * (bidding.heterogeneous-supplier counts their classes). */
static void class_add(pb_buf *classes, const char *scheme, const char *code)
{
	pb_buf item;

	if (!code)
		return;
	pb_buf_init(&item);
	for (const char *c = scheme && *scheme ? scheme : "CPV"; *c; c++)
		pb_buf_addch(&item, (char)toupper((unsigned char)*c));
	pb_buf_addf(&item, ":%s", code);
	pb_tokens_add(classes, item.data, item.len);
	pb_buf_release(&item);
}

static void class_extra(struct notice *o, struct extras *e, pb_buf *classes)
{
	if (classes->len)
		extra(o, e, "classifications", pb_ledger_intern(o->l, classes->data, classes->len));
	pb_buf_release(classes);
}

/* A ProcurementProject's main and additional commodity classes. */
static void ef_classes(struct notice *o, xmlNodePtr proj, pb_buf *classes)
{
	xmlNodePtr code = at(proj, "MainCommodityClassification/ItemClassificationCode");

	class_add(classes, attr_text(o, code, "listName"), text(o, code));
	FOR_EACH(more, proj, "AdditionalCommodityClassification") {
		code = child(more, "ItemClassificationCode");
		class_add(classes, attr_text(o, code, "listName"), text(o, code));
	}
}

static void ef_tender(struct notice *o, const char *buyer)
{
	xmlNodePtr rproj = child(o->root, "ProcurementProject"), process = child(o->root, "TenderingProcess");
	xmlNodePtr first = NULL;
	struct extras e = {0};
	pb_tender t;
	int64_t sum = 0;
	const char *sum_currency = NULL;
	int summable = 1;

	pb_buf classes;

	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, process ? process : o->root);
	t.tender_id = pb_text_of(o->id);
	t.buyer_id = pb_text_of(buyer);
	pb_buf_init(&classes);
	ef_classes(o, rproj, &classes);
	/* One pass over the lots: the earliest deadline, the sum of the
	 * lots' estimates when every lot has one in one currency, the
	 * lots' item classes. */
	FOR_EACH(lot, o->root, "ProcurementProjectLot") {
		if (!ef_is_lot(o, lot))
			continue;
		if (!first)
			first = lot;
		ef_classes(o, child(lot, "ProcurementProject"), &classes);
		pb_date d = ef_deadline(o, lot);
		if (d != PB_DATE_NONE && (t.submission_deadline == PB_DATE_NONE || d < t.submission_deadline))
			t.submission_deadline = d;
		int64_t v;
		const char *cur;
		money(o, at(lot, "ProcurementProject/RequestedTenderTotal/EstimatedOverallContractAmount"), &v, &cur);
		if (v == PB_AMOUNT_NONE || (sum_currency && cur != sum_currency) || (v > 0 && sum > INT64_MAX - v))
			summable = 0;
		else {
			sum += v;
			sum_currency = cur;
		}
	}
	xmlNodePtr proj = child(first, "ProcurementProject");
	t.title = pb_text_of(free_text(o, child(rproj, "Name")));
	if (!t.title)
		t.title = pb_text_of(free_text(o, child(proj, "Name")));
	t.description = pb_text_of(free_text(o, child(rproj, "Description")));
	if (!t.description)
		t.description = pb_text_of(free_text(o, child(proj, "Description")));
	t.method_details = pb_text_of(text(o, child(process, "ProcedureCode")));
	t.method = pb_text_of(method_of(o, pb_str(t.method_details)));
	t.method_rationale = pb_text_of(ef_rationale(o, process, &e));
	t.category = pb_text_of(ef_nature(o, rproj));
	if (!t.category)
		t.category = pb_text_of(ef_nature(o, proj));
	money_text(o, at(rproj, "RequestedTenderTotal/EstimatedOverallContractAmount"),
		   &t.estimated_value, &t.currency);
	if (t.estimated_value == PB_AMOUNT_NONE && summable && sum_currency) {
		t.estimated_value = sum;
		t.currency = pb_text_of(sum_currency);
	}
	if (!o->award)
		t.published_on = date_of(o, child(o->root, "IssueDate"));
	if (o->lots.n > 1)
		extra(o, &e, "lots", pb_arena_printf(pb_ledger_arena(o->l), "%zu", o->lots.n));
	class_extra(o, &e, &classes);
	if (o->award)
		ef_results(o, &t, &e);
	if (ef_cancels(o))
		t.status = pb_text_of(S(o, "cancelled"));
	extras_set(o, &t.row, &e);
	add_tender(o, &t);
}

/* The winners of a tender: the group leader first, then the other
 * members of the tendering party in their order. */
static void ef_winners(struct notice *o, xmlNodePtr lt, pb_contract *c)
{
	xmlNodePtr party = map_get(&o->parties, text(o, at(lt, "TenderingParty/ID")));
	struct winners w = {NULL, {0}};

	pb_buf_init(&w.others);
	FOR_EACH(t, party, "Tenderer")
		if (same(text(o, child(t, "GroupLeadIndicator")), "true"))
			winner_add(&w, ef_party(o, text(o, child(t, "ID")), "supplier"));
	FOR_EACH(t, party, "Tenderer")
		winner_add(&w, ef_party(o, text(o, child(t, "ID")), "supplier"));
	winners_set(o, &w, c);
}

/* The lot of a tender: its own TenderLot, else the result that lists it
 * (a tender may name a group of lots, GLO-0001, which is no lot). */
static const char *ef_lot_of(struct notice *o, xmlNodePtr lt, const char *ten)
{
	const char *lot = text(o, at(lt, "TenderLot/ID"));

	if (map_get(&o->lots, lot))
		return lot;
	lot = text(o, at((xmlNodePtr)map_get(&o->result_of, ten), "TenderLot/ID"));
	return map_get(&o->lots, lot) ? lot : NULL;
}

/* The award's status from the result of its lot: a settled contract is
 * an award unless the result says no winner was chosen. */
static const char *ef_award_status(struct notice *o, const char *ten)
{
	xmlNodePtr lr = map_get(&o->result_of, ten);
	const char *code = text(o, child(lr, "TenderResultCode"));

	if (same(code, "clos-nw"))
		return S(o, "unsuccessful");
	if (same(code, "open-nw"))
		return S(o, "pending");
	return S(o, "active");
}

/* The contract key within the procedure: a settled contract citing
 * several tenders is one row per tender. */
static const char *ef_key(struct notice *o, const char *con, const char *ten, int several)
{
	return con && several && ten ? join(o, con, "/", ten) : con ? con : ten ? ten : "tender";
}

/* The last day of a lot's planned period: its end date, else its start
 * and duration. */
static pb_date ef_lot_end(struct notice *o, xmlNodePtr lot)
{
	xmlNodePtr pp = at(lot, "ProcurementProject/PlannedPeriod");
	pb_date end = date_of(o, child(pp, "EndDate"));

	if (end != PB_DATE_NONE)
		return end;
	xmlNodePtr dur = child(pp, "DurationMeasure");
	return period_end(date_of(o, child(pp, "StartDate")), attr_text(o, dur, "unitCode"), int_of(o, dur));
}

/* A contract for tender `lt`, settled by `sc` when the notice says so. */
static void ef_contract(struct notice *o, xmlNodePtr sc, xmlNodePtr lt, int several, size_t ncontracts,
			       const char *buyer)
{
	const char *ten = text(o, child(lt, "ID"));
	const char *con = text(o, child(sc, "ID"));
	const char *key = ef_key(o, con, ten, several);
	const char *lot = ef_lot_of(o, lt, ten);
	struct extras e = {0};
	pb_contract c;

	pb_record_blank(PB_T_CONTRACTS, &c);
	src(o, &c.row, sc ? sc : lt);
	c.contract_id = pb_text_of(join(o, o->id, "/", key));
	c.tender_id = pb_text_of(o->id);
	c.buyer_id = pb_text_of(buyer);
	ef_winners(o, lt, &c);
	/* A modification notice states the contract as modified: its value
	 * is the amendment's value_after, not the contract's. */
	if (!o->modification) {
		money_text(o, at(lt, "LegalMonetaryTotal/PayableAmount"), &c.value, &c.currency);
		/* A notice with one contract may state its value only as the total. */
		if (c.value == PB_AMOUNT_NONE && ncontracts == 1)
			money_text(o, child(o->results, "TotalAmount"), &c.value, &c.currency);
	}
	c.awarded_on = date_of(o, child(sc, "AwardDate"));
	c.signed_on = date_of(o, child(sc, "IssueDate"));
	c.status = pb_text_of(S(o, "active"));
	c.award_status = pb_text_of(ef_award_status(o, ten));
	extra(o, &e, "lot", lot);
	extras_set(o, &c.row, &e);
	const pb_contract *old = add(o, PB_T_CONTRACTS, &c);
	/* Contract numbers are the notice's own: another notice of the same
	 * procedure may reuse CON-0001 for another winner. */
	if (old && !same(pb_str(old->supplier_id), pb_str(c.supplier_id))) {
		c.contract_id = pb_text_of(join(o, o->notice, "/", key));
		add(o, PB_T_CONTRACTS, &c);
	}
}

/* An amendment of the procedure's contract `key` from modification `mod`:
 * the contract's value and end as modified, dated by the notice. */
static void ef_amendment(struct notice *o, xmlNodePtr mod, size_t k, const char *key, xmlNodePtr lt,
			 size_t ncontracts)
{
	xmlNodePtr reason = child(mod, "ChangeReason"), change = child(mod, "Change");
	struct extras e = {0};
	pb_amendment a;

	pb_record_blank(PB_T_AMENDMENTS, &a);
	src(o, &a.row, mod);
	a.amendment_id = pb_text_of(join(o, o->notice, "/", pb_arena_printf(pb_ledger_arena(o->l), "%s#%zu", key, k)));
	a.contract_id = pb_text_of(join(o, o->id, "/", key));
	a.amended_on = date_of(o, child(o->root, "IssueDate"));
	money_text(o, at(lt, "LegalMonetaryTotal/PayableAmount"), &a.value_after, &a.currency);
	if (a.value_after == PB_AMOUNT_NONE && ncontracts == 1)
		money_text(o, child(o->results, "TotalAmount"), &a.value_after, &a.currency);
	a.end_after = ef_lot_end(o, map_get(&o->lots, ef_lot_of(o, lt, text(o, child(lt, "ID")))));
	const char *what = prose(o, child(change, "ChangeDescription"));
	a.rationale = pb_text_of(prose(o, child(reason, "ReasonDescription")));
	if (!a.rationale)
		a.rationale = pb_text_of(what);
	extra(o, &e, "reason_code", text(o, child(reason, "ReasonCode")));
	if (pb_str(a.rationale) != what && !same(pb_str(a.rationale), what))
		extra(o, &e, "change", what);
	extras_set(o, &a.row, &e);
	add(o, PB_T_AMENDMENTS, &a);
}

/* Contracts: every tender a settled contract names; a notice without
 * settled contracts falls back on the tenders of lots with a winner.
 * Then the amendments a modification notice makes. */
static void ef_contracts(struct notice *o, const char *buyer)
{
	struct map settled = {0};
	size_t n = 0;

	FOR_EACH(sc, o->results, "SettledContract") {
		map_put(&settled, text(o, child(sc, "ID")), sc);
		FOR_EACH(ref, sc, "LotTender")
			n++;
	}
	FOR_EACH(sc, o->results, "SettledContract") {
		size_t refs = 0;
		FOR_EACH(ref, sc, "LotTender")
			refs++;
		FOR_EACH(ref, sc, "LotTender") {
			xmlNodePtr lt = map_get(&o->lot_tenders, text(o, child(ref, "ID")));
			if (lt)
				ef_contract(o, sc, lt, refs > 1, n, buyer);
		}
	}
	if (!n) {
		FOR_EACH(lr, o->results, "LotResult") {
			if (!same(text(o, child(lr, "TenderResultCode")), "selec-w"))
				continue;
			FOR_EACH(ref, lr, "LotTender") {
				xmlNodePtr lt = map_get(&o->lot_tenders, text(o, child(ref, "ID")));
				if (lt)
					ef_contract(o, NULL, lt, 0, 0, buyer);
			}
		}
	}
	size_t k = 0;
	FOR_EACH(mod, find(o->root, "EformsExtension"), "ContractModification") {
		const char *con = text(o, child(mod, "ModifiedContractIdentifier"));
		xmlNodePtr sc = map_get(&settled, con);
		size_t refs = 0, done = 0;
		k++;
		FOR_EACH(ref, sc, "LotTender")
			refs++;
		FOR_EACH(ref, sc, "LotTender") {
			const char *ten = text(o, child(ref, "ID"));
			xmlNodePtr lt = map_get(&o->lot_tenders, ten);
			if (!lt)
				continue;
			ef_amendment(o, mod, k, ef_key(o, con, ten, refs > 1), lt, n);
			done++;
		}
		/* A modification of a contract this notice does not describe. */
		if (!done && con)
			ef_amendment(o, mod, k, con, NULL, 0);
	}
	map_release(&settled);
}

static const char *eforms_notice(struct notice *o)
{
	const char *kind = (const char *)o->root->name;
	const char *folder = text(o, child(o->root, "ContractFolderID"));
	const char *nid = text(o, child(o->root, "ID"));
	const char *buyer = NULL;

	o->prefix = "eforms:";
	if (!strcmp(kind, "BusinessRegistrationInformationNotice"))
		return "eForms business registration notice: not a procurement notice, nothing to import";
	if (strcmp(kind, "ContractNotice") && strcmp(kind, "ContractAwardNotice") &&
	    strcmp(kind, "PriorInformationNotice"))
		return "XML root is neither an eForms notice nor a TED export";
	if (!folder && !nid)
		return "eForms notice has neither ContractFolderID (BT-04) nor ID (BT-701)";
	o->id = join(o, o->prefix, "", folder ? folder : nid);
	o->notice = nid ? join(o, o->prefix, "", nid) : o->id;
	/* Only an award notice (CAN, VEAT, modification) awards anything:
	 * contract and prior information notices yield no contracts. */
	o->award = !strcmp(kind, "ContractAwardNotice");
	o->results = o->award ? find(o->root, "NoticeResult") : NULL;
	o->modification = o->award && (same(text(o, child(o->root, "NoticeTypeCode")), "can-modif") ||
				       child(find(o->root, "EformsExtension"), "ContractModification"));
	ef_index(o);
	FOR_EACH(cp, o->root, "ContractingParty") {
		const char *b = ef_party(o, text(o, at(cp, "Party/PartyIdentification/ID")), "buyer");
		if (!buyer)
			buyer = b;
	}
	ef_tender(o, buyer);
	ef_contracts(o, buyer);
	return NULL;
}

/* --- TED R2.0.9 --- */

static const char *ted_party(struct notice *o, xmlNodePtr a, const char *role)
{
	pb_party p;

	if (!a)
		return NULL;
	pb_record_blank(PB_T_PARTIES, &p);
	src(o, &p.row, a);
	p.country = pb_text_of(country_of(o, attr_text(o, child(a, "COUNTRY"), "VALUE")));
	const char *nat = registry_number(text(o, child(a, "NATIONALID")));
	p.name = pb_text_of(text(o, child(a, "OFFICIALNAME")));
	if (nat)
		p.registry_id = pb_text_of(p.country ? join(o, pb_str(p.country), ":", nat) : nat);
	p.party_id = p.registry_id ? p.registry_id
				   : pb_text_of(p.name ? join(o, o->notice, "/", pb_str(p.name)) : NULL);
	if (!p.party_id)
		return NULL;
	p.kind = pb_text_of(S(o, "organisation"));
	p.roles = pb_text_of(S(o, role));
	const char *parts[4] = {text(o, child(a, "ADDRESS")), text(o, child(a, "TOWN")),
				text(o, child(a, "POSTAL_CODE")), pb_str(p.country)};
	p.address = pb_text_of(address(o, parts));
	add_party(o, &p);
	return pb_str(p.party_id);
}

/* The form in the notice's original language: each notice repeats its
 * form in translation, and a multilingual one (Switzerland) has several
 * originals; the first LG_ORIG names the one to keep. */
static xmlNodePtr ted_form(struct notice *o)
{
	xmlNodePtr section = child(o->root, "FORM_SECTION"), first = NULL, original = NULL;
	const char *lang = text(o, at(o->root, "CODED_DATA_SECTION/NOTICE_DATA/LG_ORIG"));

	for (xmlNodePtr f = section ? section->children : NULL; f; f = f->next) {
		if (f->type != XML_ELEMENT_NODE)
			continue;
		if (!first)
			first = f;
		if (!same(attr_text(o, f, "CATEGORY"), "ORIGINAL"))
			continue;
		if (same(attr_text(o, f, "LG"), lang))
			return f;
		if (!original)
			original = f;
	}
	return original ? original : first;
}

/* The PT_* element of PROCEDURE (F15 nests it per directive). */
static xmlNodePtr ted_procedure(xmlNodePtr proc)
{
	for (xmlNodePtr n = proc ? proc->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strncmp((const char *)n->name, "PT_", 3))
			return n;
		xmlNodePtr inner = ted_procedure(n);
		if (inner)
			return inner;
	}
	return NULL;
}

/* The annex D grounds ticked under a direct-award PT_* element
 * (D_ACCORDANCE_ARTICLE/D_TECHNICAL, D_OUTSIDE_SCOPE, ...), ';'-separated. */
static void ted_grounds(xmlNodePtr n, pb_buf *b)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strncmp((const char *)c->name, "D_", 2) ||
		    !strcmp((const char *)c->name, "D_JUSTIFICATION"))
			continue;
		size_t before = b->len;
		ted_grounds(c, b);
		if (b->len == before)
			pb_buf_addf(b, "%s%s", b->len ? ";" : "", (const char *)c->name);
	}
}

static int ted_is_award(const char *form)
{
	static const char *const awards[] = {"F03", "F06", "F13", "F15", "F21", "F22", "F23", "F25"};

	for (size_t i = 0; i < sizeof(awards) / sizeof(awards[0]); i++)
		if (!strncmp(form, awards[i], 3))
			return 1;
	return 0;
}

/* What the awards say about the procedure: the fewest tenders any award
 * received (and its lot), and the status when no lot was awarded: the
 * procedure discontinued is cancelled, otherwise unsuccessful. */
static void ted_results(struct notice *o, xmlNodePtr form, pb_tender *t, struct extras *e, int lots)
{
	size_t awarded = 0, none = 0, discontinued = 0, nfewest = 0;
	const char *fewest_lot = NULL;

	FOR_EACH(ac, form, "AWARD_CONTRACT") {
		xmlNodePtr no = child(ac, "NO_AWARDED_CONTRACT");
		awarded += child(ac, "AWARDED_CONTRACT") != NULL;
		none += no != NULL;
		discontinued += child(no, "PROCUREMENT_DISCONTINUED") != NULL;
		int64_t v = int_of(o, at(ac, "AWARDED_CONTRACT/TENDERS/NB_TENDERS_RECEIVED"));
		if (v != PB_INT_NONE && (t->number_of_tenderers == PB_INT_NONE || v < t->number_of_tenderers)) {
			t->number_of_tenderers = v;
			fewest_lot = text(o, child(ac, "LOT_NO"));
			nfewest = 0;
		}
		nfewest += v != PB_INT_NONE && v == t->number_of_tenderers;
	}
	if (lots > 1 && fewest_lot) {
		extra(o, e, "fewest_tenders_lot", fewest_lot);
		extra(o, e, "lots_with_fewest_tenders", pb_arena_printf(pb_ledger_arena(o->l), "%zu", nfewest));
	}
	if (!awarded && none)
		t->status = pb_text_of(S(o, discontinued ? "cancelled" : "unsuccessful"));
	else if (awarded && !none)
		t->status = pb_text_of(S(o, "complete"));
}

/* The procedure's tender row; its lots (OBJECT_DESCR) are not tenders of
 * their own. */
static void ted_tender(struct notice *o, xmlNodePtr form, const char *buyer)
{
	xmlNodePtr object = child(form, "OBJECT_CONTRACT"), first = NULL;
	xmlNodePtr pt = ted_procedure(child(form, "PROCEDURE"));
	struct extras e = {0};
	pb_tender t;
	int lots = 0;

	pb_buf classes;

	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, form);
	t.tender_id = pb_text_of(o->id);
	t.buyer_id = pb_text_of(buyer);
	pb_buf_init(&classes);
	class_add(&classes, "CPV", attr_text(o, at(object, "CPV_MAIN/CPV_CODE"), "CODE"));
	FOR_EACH(d, object, "OBJECT_DESCR") {
		if (!first)
			first = d;
		lots++;
		FOR_EACH(more, d, "CPV_ADDITIONAL")
			class_add(&classes, "CPV", attr_text(o, child(more, "CPV_CODE"), "CODE"));
	}
	t.title = pb_text_of(free_text(o, child(object, "TITLE")));
	if (!t.title)
		t.title = pb_text_of(free_text(o, child(first, "TITLE")));
	t.description = pb_text_of(free_text(o, child(object, "SHORT_DESCR")));
	if (!t.description)
		t.description = pb_text_of(free_text(o, child(first, "SHORT_DESCR")));
	t.method_details = pb_text_of(pt ? S(o, (const char *)pt->name) : NULL);
	if (!t.method_details && !strncmp((const char *)form->name, "F15", 3))
		/* F15 is a direct award */
		t.method_details = pb_text_of(S(o, "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION"));
	t.method = pb_text_of(method_of(o, pb_str(t.method_details)));
	t.method_rationale = pb_text_of(prose(o, child(pt, "D_JUSTIFICATION")));
	pb_buf grounds;
	pb_buf_init(&grounds);
	ted_grounds(pt, &grounds);
	if (grounds.len)
		extra(o, &e, "justification_code", pb_ledger_intern(o->l, grounds.data, grounds.len));
	pb_buf_release(&grounds);
	t.category = pb_text_of(category_of(o, attr_text(o, child(object, "TYPE_CONTRACT"), "CTYPE")));
	money_text(o, child(object, "VAL_ESTIMATED_TOTAL"), &t.estimated_value, &t.currency);
	if (t.estimated_value == PB_AMOUNT_NONE && lots == 1)
		money_text(o, child(first, "VAL_OBJECT"), &t.estimated_value, &t.currency);
	if (!o->award) {
		t.published_on = date_of(o, at(o->root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB"));
		t.submission_deadline = date_of(o, at(form, "PROCEDURE/DATE_RECEIPT_TENDERS"));
	}
	if (lots > 1)
		extra(o, &e, "lots", pb_arena_printf(pb_ledger_arena(o->l), "%d", lots));
	class_extra(o, &e, &classes);
	ted_results(o, form, &t, &e, lots);
	extras_set(o, &t.row, &e);
	add_tender(o, &t);
}

/* The contractors of an award: all of them when it went to a group. */
static void ted_winners(struct notice *o, xmlNodePtr aw, pb_contract *c)
{
	struct winners w = {NULL, {0}};

	pb_buf_init(&w.others);
	FOR_EACH(k, child(aw, "CONTRACTORS"), "CONTRACTOR")
		winner_add(&w, ted_party(o, child(k, "ADDRESS_CONTRACTOR"), "supplier"));
	winners_set(o, &w, c);
}

static void ted_contracts(struct notice *o, xmlNodePtr form, const char *buyer)
{
	size_t k = 0;

	FOR_EACH(ac, form, "AWARD_CONTRACT") {
		xmlNodePtr aw = child(ac, "AWARDED_CONTRACT");
		k++;
		if (!aw) /* NO_AWARDED_CONTRACT: the lot was not awarded */
			continue;
		const char *item = attr_text(o, ac, "ITEM");
		struct extras e = {0};
		pb_contract c;
		pb_record_blank(PB_T_CONTRACTS, &c);
		src(o, &c.row, ac);
		/* The notice's own number: award notices of one procedure
		 * each number their awards from 1. */
		c.contract_id = pb_text_of(join(o, o->notice, "/", item ? item : pb_arena_printf(pb_ledger_arena(o->l), "%zu", k)));
		c.tender_id = pb_text_of(o->id);
		c.buyer_id = pb_text_of(buyer);
		ted_winners(o, aw, &c);
		money_text(o, at(aw, "VALUES/VAL_TOTAL"), &c.value, &c.currency);
		/* The date the contract was concluded: awarded and signed. */
		c.awarded_on = date_of(o, child(aw, "DATE_CONCLUSION_CONTRACT"));
		c.signed_on = c.awarded_on;
		c.status = pb_text_of(S(o, "active"));
		c.award_status = pb_text_of(S(o, "active"));
		extra(o, &e, "lot", text(o, child(ac, "LOT_NO")));
		extra(o, &e, "contract_no", text(o, child(ac, "CONTRACT_NO")));
		extras_set(o, &c.row, &e);
		add(o, PB_T_CONTRACTS, &c);
	}
}

/* The last day of a TED period: DATE_END, else DATE_START (or `start`)
 * and DURATION. */
static pb_date ted_end(struct notice *o, xmlNodePtr n, pb_date start)
{
	pb_date end = date_of(o, child(n, "DATE_END"));
	xmlNodePtr dur = child(n, "DURATION");

	if (end != PB_DATE_NONE)
		return end;
	if (date_of(o, child(n, "DATE_START")) != PB_DATE_NONE)
		start = date_of(o, child(n, "DATE_START"));
	return period_end(start, attr_text(o, dur, "TYPE"), int_of(o, dur));
}

/*
 * F20, modification of a contract during its term: the contract as
 * awarded (section V, with its value at conclusion and the duration of
 * section II) and one amendment (section VII: values before and after,
 * the new duration, the reason).  The award notice it cites numbers its
 * awards in its own way, so the contract is keyed by this notice and
 * names the award notice in an extra; it has no tender (F20 states no
 * procedure type).
 */
static const char *ted_modification(struct notice *o, xmlNodePtr form)
{
	xmlNodePtr ac = child(form, "AWARD_CONTRACT"), aw = child(ac, "AWARDED_CONTRACT");
	xmlNodePtr mods = child(form, "MODIFICATIONS_CONTRACT"), info = child(mods, "INFO_MODIFICATIONS");
	xmlNodePtr descr = at(form, "OBJECT_CONTRACT/OBJECT_DESCR"), after = child(mods, "DESCRIPTION_PROCUREMENT");
	const char *item = attr_text(o, ac, "ITEM");
	struct extras ce = {0}, ae = {0};
	pb_contract c;
	pb_amendment a;

	if (!info)
		return "TED F20 notice has no INFO_MODIFICATIONS (section VII.2)";
	o->id = o->notice;
	const char *buyer = ted_party(o, at(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY"), "buyer");
	pb_record_blank(PB_T_CONTRACTS, &c);
	src(o, &c.row, ac ? ac : form);
	c.contract_id = pb_text_of(join(o, o->notice, "/", item ? item : "1"));
	c.buyer_id = pb_text_of(buyer);
	ted_winners(o, aw, &c);
	money_text(o, at(aw, "VALUES/VAL_TOTAL"), &c.value, &c.currency);
	c.awarded_on = date_of(o, child(aw, "DATE_CONCLUSION_CONTRACT"));
	c.signed_on = c.awarded_on;
	c.start_on = date_of(o, child(descr, "DATE_START"));
	c.end_on = ted_end(o, descr, c.start_on != PB_DATE_NONE ? c.start_on : c.signed_on);
	c.status = pb_text_of(S(o, "active"));
	c.award_status = pb_text_of(S(o, "active"));
	extra(o, &ce, "award_notice", text(o, at(form, "PROCEDURE/NOTICE_NUMBER_OJ")));
	extra(o, &ce, "lot", text(o, child(ac, "LOT_NO")));
	extra(o, &ce, "contract_no", text(o, child(ac, "CONTRACT_NO")));
	extras_set(o, &c.row, &ce);
	add(o, PB_T_CONTRACTS, &c);

	pb_record_blank(PB_T_AMENDMENTS, &a);
	src(o, &a.row, info);
	a.amendment_id = pb_text_of(join(o, pb_str(c.contract_id), "#", "1"));
	a.contract_id = pb_text_of(pb_str(c.contract_id));
	a.amended_on = date_of(o, at(form, "COMPLEMENTARY_INFO/DATE_DISPATCH_NOTICE"));
	if (a.amended_on == PB_DATE_NONE)
		a.amended_on = date_of(o, at(o->root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB"));
	int64_t before;
	const char *cur_before;
	money(o, at(info, "VALUES/VAL_TOTAL_BEFORE"), &before, &cur_before);
	money_text(o, at(info, "VALUES/VAL_TOTAL_AFTER"), &a.value_after, &a.currency);
	if (a.value_after == PB_AMOUNT_NONE)
		money_text(o, at(after, "VALUES/VAL_TOTAL"), &a.value_after, &a.currency);
	/* One currency per amendment row. */
	if (before != PB_AMOUNT_NONE && (!a.currency || cur_before == pb_str(a.currency))) {
		a.value_before = before;
		a.currency = pb_text_of(cur_before);
	}
	a.end_before = c.end_on;
	a.end_after = ted_end(o, after, c.start_on != PB_DATE_NONE ? c.start_on : c.signed_on);
	xmlNodePtr why = child(info, "ADDITIONAL_NEED");
	if (!why)
		why = child(info, "UNFORESEEN_CIRCUMSTANCE");
	const char *what = prose(o, child(info, "SHORT_DESCR"));
	a.rationale = pb_text_of(prose(o, why));
	if (!a.rationale)
		a.rationale = pb_text_of(what);
	extra(o, &ae, "reason_code", why ? S(o, (const char *)why->name) : NULL);
	if (pb_str(a.rationale) != what && !same(pb_str(a.rationale), what))
		extra(o, &ae, "change", what);
	extras_set(o, &a.row, &ae);
	add(o, PB_T_AMENDMENTS, &a);
	return NULL;
}

static const char *ted_notice(struct notice *o)
{
	xmlNodePtr form = ted_form(o);
	const char *num = text(o, at(o->root, "CODED_DATA_SECTION/NOTICE_DATA/NO_DOC_OJS"));

	o->prefix = "ted:";
	if (!form)
		return "TED export has no form in FORM_SECTION";
	if (!num)
		num = attr_text(o, o->root, "DOC_ID");
	if (!num)
		return "TED export has no notice number (NO_DOC_OJS)";
	const char *name = (const char *)form->name;
	if (strlen(name) < 3 || name[0] != 'F' || name[1] < '0' || name[1] > '2' || !strstr(name, "_2014"))
		return "TED form is not an R2.0.9 standard form (F01_2014 to F25_2014); older schemas are not supported";
	o->notice = join(o, o->prefix, "", num);
	if (!strncmp(name, "F20", 3))
		return ted_modification(o, form);
	o->award = ted_is_award(name);
	/* An award notice cites the contract notice of its procedure: then
	 * both describe one tender. */
	const char *prior = o->award ? text(o, at(form, "PROCEDURE/NOTICE_NUMBER_OJ")) : NULL;
	o->id = prior ? join(o, o->prefix, "", prior) : o->notice;
	const char *buyer = ted_party(o, at(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY"), "buyer");
	ted_tender(o, form, buyer);
	/* Only award notices award: a contract notice has no AWARD_CONTRACT. */
	if (o->award)
		ted_contracts(o, form, buyer);
	return NULL;
}

/* --- reading --- */

static void capture_error(void *data, xmlErrorPtr e)
{
	struct notice *o = data;

	/* Warnings (a relative namespace URI in TED exports) are not
	 * problems with the data. */
	if (o->error.len || !e || !e->message || e->level < XML_ERR_ERROR)
		return;
	o->line = e->line > 0 ? (uint32_t)e->line : 1;
	pb_buf_addf(&o->error, "malformed XML: %s", e->message);
	while (o->error.len && o->error.data[o->error.len - 1] == '\n')
		o->error.data[--o->error.len] = '\0';
}

/* libxml2's messages without a parser (bytes the declared encoding
 * cannot convert, "xmlParseChunk: encoder error") go to the thread's
 * generic handler, which prints them on standard error naming no file. */
static void capture_generic(void *data, const char *fmt, ...)
{
	struct notice *o = data;
	char msg[256];
	va_list ap;

	if (o->error.len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xmlError e = {.level = XML_ERR_ERROR, .message = msg};
	capture_error(o, &e);
}

/* While a notice is read, every libxml2 message of this thread is the
 * notice's: the reader's handler sees only those its parser raises.
 * The thread's handlers are libxml2's per-thread state; they are put
 * back as they were. */
struct xml_handlers {
	xmlStructuredErrorFunc structured;
	void *structured_data;
	xmlGenericErrorFunc generic;
	void *generic_data;
};

static struct xml_handlers handlers_capture(struct notice *o)
{
	struct xml_handlers was = {xmlStructuredError, xmlStructuredErrorContext,
				   xmlGenericError, xmlGenericErrorContext};

	xmlSetStructuredErrorFunc(o, capture_error);
	xmlSetGenericErrorFunc(o, capture_generic);
	return was;
}

static void handlers_restore(const struct xml_handlers *was)
{
	xmlSetStructuredErrorFunc(was->structured_data, was->structured);
	xmlSetGenericErrorFunc(was->generic_data, was->generic);
}

/* Does the document declare a DTD or entities?  A byte scan, before any
 * parsing; ASCII-compatible encodings only (the reader checks again). */
static int declares_dtd(const char *buf, size_t n)
{
	for (const char *p = buf; (p = memchr(p, '<', n - (size_t)(p - buf))) != NULL; p++) {
		size_t left = n - (size_t)(p - buf);
		if ((left >= 9 && !strncasecmp(p, "<!DOCTYPE", 9)) || (left >= 8 && !memcmp(p, "<!ENTITY", 8)))
			return 1;
	}
	return 0;
}

/*
 * Counts elements and each start tag's attributes in one pass over the
 * bytes, before libxml2 parses anything: libxml2 checks an element's
 * attributes for duplicates in quadratic time, and every element costs
 * a tree node.  NUL bytes are skipped, so that UTF-16 and UTF-32 text is
 * counted as well.  Returns the refusal, with *line set, or NULL.
 */
static const char *over_limits(struct notice *o, const char *buf, size_t n)
{
	enum { TEXT, TAG, QUOTED, SKIP } state = TEXT;
	const char *until = NULL; /* what ends a SKIP: "-->", "]]>", "?>", ">" */
	char quote = 0, prev = 0;
	size_t elements = 0, attrs = 0, matched = 0;
	uint32_t line = 1;

	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];
		if (!ch)
			continue;
		if (ch == '\n')
			line++;
		switch (state) {
		case TEXT:
			if (prev == '<') {
				if (ch == '!' || ch == '?' || ch == '/') {
					state = SKIP;
					until = ch == '?' ? "?>" : ">";
					matched = 0;
				} else {
					state = TAG;
					attrs = 0;
					if (++elements > XML_MAX_ELEMENTS) {
						o->line = line;
						return pb_arena_printf(pb_ledger_arena(o->l),
							"notice has more than %d elements (XML_MAX_ELEMENTS); refused unread",
							XML_MAX_ELEMENTS);
					}
				}
			}
			break;
		case TAG:
			if (ch == '"' || ch == '\'') {
				quote = ch;
				state = QUOTED;
			} else if (ch == '=' && ++attrs > XML_MAX_ATTRIBUTES) {
				o->line = line;
				return pb_arena_printf(pb_ledger_arena(o->l),
					"an element has more than %d attributes (XML_MAX_ATTRIBUTES); refused unread",
					XML_MAX_ATTRIBUTES);
			} else if (ch == '>') {
				state = TEXT;
			}
			break;
		case QUOTED:
			if (ch == quote)
				state = TAG;
			break;
		case SKIP:
			/* "<!--" and "<![CDATA[" end at their own markers. */
			if (until[0] == '>' && prev == '!' && ch == '-')
				until = "-->";
			else if (until[0] == '>' && prev == '!' && ch == '[')
				until = "]]>";
			matched = ch == until[matched] ? matched + 1 : ch == until[0] ? 1 : 0;
			if (!until[matched]) {
				state = TEXT;
				ch = 0;
			}
			break;
		}
		prev = ch;
	}
	return NULL;
}

static int read_file(const char *path, pb_buf *out, pb_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > XML_MAX_FILE) {
			fclose(f);
			pb_error_set(err, PB_EXIT_INPUT, "%s: larger than the 64 MiB limit for one notice", path);
			return -1;
		}
		pb_buf_add(out, chunk, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: read error", path);
		return -1;
	}
	return 0;
}

/* Moves the reader to the root element; a document type or entity node
 * on the way refuses the document before anything is expanded. */
static const char *to_root(struct notice *o, xmlTextReaderPtr r)
{
	int rc;

	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY ||
		    type == XML_READER_TYPE_ENTITY_REFERENCE) {
			o->line = (uint32_t)(xmlTextReaderGetParserLineNumber(r) > 0
					     ? xmlTextReaderGetParserLineNumber(r) : 1);
			return dtd_refused;
		}
		if (type == XML_READER_TYPE_ELEMENT)
			return NULL;
	}
	return o->error.len ? o->error.data : "not an XML document: no root element";
}

static const char *parse_notice(struct notice *o, const pb_buf *data, const char **format)
{
	/* Not XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	xmlTextReaderPtr r = xmlReaderForMemory(data->data, (int)data->len, o->path, NULL, opts);
	const char *why;

	*format = "eforms";
	if (!r)
		return "cannot start the XML reader";
	xmlTextReaderSetStructuredErrorHandler(r, capture_error, o);
	why = to_root(o, r);
	if (!why) {
		o->root = xmlTextReaderExpand(r);
		if (!o->root || o->error.len)
			why = o->error.len ? o->error.data : "malformed XML: the root element cannot be read";
	}
	if (!why) {
		o->root->_private = (void *)(uintptr_t)2; /* the first and only root */
		index_siblings(o->root);
	}
	if (!why && !strcmp((const char *)o->root->name, "TED_EXPORT")) {
		*format = "ted";
		why = ted_notice(o);
	} else if (!why) {
		why = eforms_notice(o);
	}
	/* Rows already added stay: the notice is counted as rejected. */
	if (!why && o->error.len)
		why = o->error.data;
	xmlFreeTextReader(r);
	return why;
}

static int xml_import(pb_ledger *l, const char *path, const char *table,
		      const pb_config *cfg, pb_error *err)
{
	struct notice o;
	pb_buf data;
	const char *format = "eforms", *why;

	if (table) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: --table does not apply to XML notices", path);
		return -1;
	}
	pb_buf_init(&data);
	if (read_file(path, &data, err) < 0) {
		pb_buf_release(&data);
		return -1;
	}
	const char *s = data.data;
	size_t n = data.len;
	pb_trim(&s, &n);
	if (!n) {
		pb_buf_release(&data);
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", path);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.l = l;
	o.path = S(&o, path);
	o.line = 1;
	pb_buf_init(&o.error);
	o.procedures = cfg ? cfg->procedures : NULL;
	o.input = pb_ledger_add_input(l, path, "mixed", "eforms");
	why = declares_dtd(data.data, data.len) ? dtd_refused : over_limits(&o, data.data, data.len);
	if (!why) {
		struct xml_handlers was = handlers_capture(&o);
		why = parse_notice(&o, &data, &format);
		handlers_restore(&was);
	}
	/* The input's format is known only once the root is read. */
	pb_ledger_input(l, o.input)->format = S(&o, format);
	if (why)
		pb_ledger_reject(l, o.input, o.line, "%s", why);
	else
		pb_ledger_count_imported(l, o.input);
	unread_flush(&o, !why);
	map_release(&o.lots);
	map_release(&o.lot_tenders);
	map_release(&o.parties);
	map_release(&o.orgs);
	map_release(&o.result_of);
	pb_buf_release(&o.error);
	pb_buf_release(&data);
	return 0;
}

static const char *const xml_extensions[] = {"xml", NULL};

const pb_importer pb_importer_xml = {
	.name = "xml",
	.extensions = xml_extensions,
	.help = "EU notices: eForms UBL 2.3 and TED R2.0.9 XML",
	.import = xml_import,
};
