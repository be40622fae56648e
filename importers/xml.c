/*
 * xml.c - EU procurement notices in XML: eForms (UBL 2.3) and TED
 * R2.0.9 exports, read with libxml2's streaming reader.
 *
 * Safety first: a notice never needs a DTD, so a file that declares one
 * (<!DOCTYPE, <!ENTITY) is refused before libxml2 sees it: no external
 * entity is fetched (XXE) and no entity is expanded (billion laughs).  The
 * reader runs with network access off, no DTD loading, no entity
 * substitution and libxml2's default size limits (no XML_PARSE_HUGE);
 * its messages are captured, never printed.  Files over 64 MiB are
 * refused.  One file is one notice: imported or rejected with the line
 * of the problem.
 *
 * Mapping (FORMATS.md, standard formats): the procedure becomes a tender
 * (one per lot when results are given per lot), each awarded lot tender a
 * contract with its winner, and buyers and winners parties with their
 * registry ids and addresses.  eForms procedure codes and TED PT_*
 * elements map onto open/selective/limited/direct; the raw code is kept in
 * method_details.
 */
#include <errno.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"

#define XML_MAX_FILE (64u << 20)

struct notice {
	pb_ledger *l;
	size_t input;
	const char *path;
	uint32_t line;
	const char *prefix; /* "eforms:" or "ted:" */
	const char *id;     /* procedure id, prefixed */
	pb_buf error;       /* first libxml2 message */
};

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

/* First descendant with this name, depth first. */
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

static const char *text(struct notice *o, xmlNodePtr n)
{
	if (!n)
		return NULL;
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = (const char *)t;
	size_t len = t ? strlen(s) : 0;
	pb_trim(&s, &len);
	const char *r = len ? pb_ledger_intern(o->l, s, len) : NULL;
	xmlFree(t);
	return r;
}

static const char *attr_text(struct notice *o, xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	const char *r = v && *v ? pb_ledger_intern(o->l, (const char *)v, strlen((const char *)v)) : NULL;

	xmlFree(v);
	return r;
}

static const char *join(struct notice *o, const char *a, const char *b)
{
	return pb_ledger_intern(o->l, pb_arena_printf(pb_ledger_arena(o->l), "%s%s", a, b),
				strlen(a) + strlen(b));
}

static pb_date date_of(struct notice *o, xmlNodePtr n)
{
	const char *s = text(o, n), *why;
	pb_date d;

	if (!s)
		return PB_DATE_NONE;
	/* eForms dates carry an offset ("2019-09-03+02:00"), TED ones none
	 * ("20180406"). */
	if (strlen(s) == 8 && pb_date_parse(s, 8, "YYYYMMDD", &d, &why) == 0)
		return d;
	if (strlen(s) >= 10 && pb_date_parse(s, 10, NULL, &d, &why) == 0)
		return d;
	return PB_DATE_NONE;
}

/* An amount element with its currency (attribute currencyID or CURRENCY). */
static void money(struct notice *o, xmlNodePtr n, int64_t *amount, const char **currency)
{
	const char *v = text(o, n), *why;
	const char *cur = attr_text(o, n, "currencyID");

	*amount = PB_AMOUNT_NONE;
	*currency = NULL;
	if (!cur)
		cur = attr_text(o, n, "CURRENCY");
	if (!v || !cur || pb_currency_exponent(cur) < 0)
		return;
	*currency = cur;
	if (pb_amount_parse(v, strlen(v), pb_currency_exponent(cur), pb_numfmt_default, amount, &why) < 0)
		*amount = PB_AMOUNT_NONE;
}

static void src(struct notice *o, pb_row *r, xmlNodePtr n, const char *path)
{
	long line = n ? xmlGetLineNo(n) : -1;

	r->src.file = o->path;
	r->src.line = line > 0 ? (uint32_t)line : o->line;
	r->src.path = pb_ledger_intern(o->l, path, strlen(path));
}

static void add(struct notice *o, pb_table t, const void *rec)
{
	const void *existing;

	pb_ledger_insert(o->l, t, rec, &existing);
}

/* --- procedure codes --- */

static const char *method_of(struct notice *o, const char *code)
{
	static const struct {
		const char *code, *method;
	} map[] = {
		{"open", "open"}, {"restricted", "selective"}, {"neg-wo-call", "direct"},
		{"oth-single", "direct"}, {"neg-w-call", "limited"}, {"comp-dial", "limited"},
		{"innovation", "limited"}, {"comp-tend", "limited"}, {"oth-mult", "limited"},
		{"PT_OPEN", "open"}, {"PT_RESTRICTED", "selective"},
		{"PT_AWARD_CONTRACT_WITHOUT_CALL", "direct"},
		{"PT_AWARD_CONTRACT_WITHOUT_PUBLICATION", "direct"},
		{"PT_NEGOTIATED_WITHOUT_PUBLICATION", "direct"},
		{"PT_NEGOTIATED_WITH_PRIOR_CALL", "limited"}, {"PT_COMPETITIVE_NEGOTIATION", "limited"},
		{"PT_COMPETITIVE_DIALOGUE", "limited"}, {"PT_INNOVATION_PARTNERSHIP", "limited"},
		{"PT_INVOLVING_NEGOTIATION", "limited"},
	};
	for (size_t i = 0; code && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(code, map[i].code))
			return pb_ledger_intern(o->l, map[i].method, strlen(map[i].method));
	return NULL;
}

/* --- eForms --- */

static xmlNodePtr ef_org(xmlNodePtr root, const char *org_id, struct notice *o)
{
	xmlNodePtr orgs = find(root, "Organizations");

	FOR_EACH(org, orgs, "Organization") {
		xmlNodePtr co = child(org, "Company");
		const char *id = text(o, at(co, "PartyIdentification/ID"));
		if (id && org_id && !strcmp(id, org_id))
			return co;
	}
	return NULL;
}

/* A party row for an eForms organisation; returns its party_id. */
static const char *ef_party(struct notice *o, xmlNodePtr root, const char *org_id, const char *role)
{
	xmlNodePtr co = ef_org(root, org_id, o);
	pb_party p;
	pb_buf addr;

	if (!org_id)
		return NULL;
	pb_record_blank(PB_T_PARTIES, &p);
	src(o, &p.row, co, "/efac:Organizations");
	const char *country = text(o, at(co, "PostalAddress/Country/IdentificationCode"));
	const char *company = text(o, at(co, "PartyLegalEntity/CompanyID"));
	if (company)
		p.registry_id = country ? join(o, join(o, country, ":"), company) : company;
	p.party_id = p.registry_id ? join(o, o->prefix, p.registry_id)
				   : join(o, join(o, o->id, "/"), org_id);
	p.name = text(o, at(co, "PartyName/Name"));
	p.kind = pb_ledger_intern(o->l, "organisation", 12);
	p.roles = pb_ledger_intern(o->l, role, strlen(role));
	p.country = country;
	pb_buf_init(&addr);
	const char *parts[] = {text(o, at(co, "PostalAddress/StreetName")),
			       text(o, at(co, "PostalAddress/CityName")),
			       text(o, at(co, "PostalAddress/PostalZone")), country};
	for (size_t i = 0; i < 4; i++)
		if (parts[i])
			pb_buf_addf(&addr, "%s%s", addr.len ? ", " : "", parts[i]);
	p.address = addr.len ? pb_ledger_intern(o->l, addr.data, addr.len) : NULL;
	pb_buf_release(&addr);
	p.bank_account = NULL;
	add(o, PB_T_PARTIES, &p);
	return p.party_id;
}

static xmlNodePtr ef_by_id(xmlNodePtr parent, const char *name, const char *id, struct notice *o)
{
	FOR_EACH(n, parent, name) {
		const char *nid = text(o, child(n, "ID"));
		if (nid && id && !strcmp(nid, id))
			return n;
	}
	return NULL;
}

static void ef_tender_row(struct notice *o, xmlNodePtr root, const char *tender_id,
			  const char *buyer, int64_t tenderers, xmlNodePtr where)
{
	static const struct {
		const char *code, *category;
	} cats[] = {{"works", "works"}, {"supplies", "goods"}, {"services", "services"}};
	pb_tender t;

	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, where, "/cac:TenderingProcess");
	t.tender_id = tender_id;
	t.buyer_id = buyer;
	t.title = text(o, at(root, "ProcurementProject/Name"));
	t.description = text(o, at(root, "ProcurementProject/Description"));
	const char *code = text(o, at(root, "TenderingProcess/ProcedureCode"));
	t.method = method_of(o, code);
	t.method_details = code;
	xmlNodePtr just = at(root, "TenderingProcess/ProcessJustification");
	t.method_rationale = text(o, child(just, "ProcessReason"));
	if (!t.method_rationale)
		t.method_rationale = text(o, child(just, "ProcessReasonCode"));
	const char *nature = text(o, at(root, "ProcurementProject/ProcurementTypeCode"));
	for (size_t i = 0; nature && i < 3; i++)
		if (!strcmp(nature, cats[i].code))
			t.category = pb_ledger_intern(o->l, cats[i].category, strlen(cats[i].category));
	money(o, at(root, "ProcurementProject/RequestedTenderTotal/EstimatedOverallContractAmount"),
	      &t.estimated_value, &t.currency);
	t.published_on = date_of(o, child(root, "IssueDate"));
	t.submission_deadline = date_of(o, find(root, "EndDate"));
	t.number_of_tenderers = tenderers;
	add(o, PB_T_TENDERS, &t);
}

static int64_t ef_tenders_received(struct notice *o, xmlNodePtr result)
{
	FOR_EACH(st, result, "ReceivedSubmissionsStatistics") {
		const char *code = text(o, child(st, "StatisticsCode"));
		const char *num = text(o, child(st, "StatisticsNumeric"));
		int64_t v;
		const char *why;
		if (code && !strcmp(code, "tenders") && num && pb_int_parse(num, strlen(num), &v, &why) == 0)
			return v;
	}
	return PB_INT_NONE;
}

static void ef_contract(struct notice *o, xmlNodePtr root, xmlNodePtr nres, xmlNodePtr lt,
			const char *tender_id, const char *buyer)
{
	const char *ten = text(o, child(lt, "ID"));
	xmlNodePtr settled = NULL;
	pb_contract c;

	FOR_EACH(sc, nres, "SettledContract") {
		FOR_EACH(ref, sc, "LotTender") {
			const char *r = text(o, child(ref, "ID"));
			if (r && ten && !strcmp(r, ten))
				settled = sc;
		}
	}
	xmlNodePtr tendering = ef_by_id(nres, "TenderingParty", text(o, at(lt, "TenderingParty/ID")), o);
	const char *org = text(o, at(tendering, "Tenderer/ID"));
	pb_record_blank(PB_T_CONTRACTS, &c);
	src(o, &c.row, lt, "/efac:NoticeResult/efac:LotTender");
	const char *con = settled ? text(o, child(settled, "ID")) : NULL;
	c.contract_id = join(o, join(o, tender_id, "/"), con ? join(o, join(o, con, "/"), ten ? ten : "")
							   : ten ? ten : "tender");
	c.tender_id = tender_id;
	c.buyer_id = buyer;
	c.supplier_id = ef_party(o, root, org, "supplier");
	money(o, at(lt, "LegalMonetaryTotal/PayableAmount"), &c.value, &c.currency);
	c.signed_on = date_of(o, child(settled, "IssueDate"));
	c.awarded_on = date_of(o, child(settled, "AwardDate"));
	if (c.awarded_on == PB_DATE_NONE)
		c.awarded_on = date_of(o, child(root, "IssueDate"));
	c.status = pb_ledger_intern(o->l, "active", 6);
	add(o, PB_T_CONTRACTS, &c);
}

static const char *eforms_notice(struct notice *o, xmlNodePtr root)
{
	const char *folder = text(o, child(root, "ContractFolderID"));
	const char *nid = text(o, child(root, "ID"));

	o->prefix = "eforms:";
	if (!folder && !nid)
		return "eForms notice has neither ContractFolderID nor ID";
	o->id = join(o, o->prefix, folder ? folder : nid);
	const char *buyer_org = text(o, at(root, "ContractingParty/Party/PartyIdentification/ID"));
	const char *buyer = ef_party(o, root, buyer_org, "buyer");
	xmlNodePtr nres = find(root, "NoticeResult");
	size_t nresults = 0;
	FOR_EACH(lr, nres, "LotResult")
		nresults++;
	if (nresults <= 1) {
		xmlNodePtr lr = child(nres, "LotResult");
		ef_tender_row(o, root, o->id, buyer, lr ? ef_tenders_received(o, lr) : PB_INT_NONE, root);
	}
	FOR_EACH(lr, nres, "LotResult") {
		const char *lot = text(o, at(lr, "TenderLot/ID"));
		const char *tid = nresults > 1 && lot ? join(o, join(o, o->id, "/"), lot) : o->id;
		if (nresults > 1)
			ef_tender_row(o, root, tid, buyer, ef_tenders_received(o, lr), lr);
		FOR_EACH(ref, lr, "LotTender") {
			xmlNodePtr lt = ef_by_id(nres, "LotTender", text(o, child(ref, "ID")), o);
			if (lt)
				ef_contract(o, root, nres, lt, tid, buyer);
		}
	}
	return NULL;
}

/* --- TED R2.0.9 --- */

static const char *ted_party(struct notice *o, xmlNodePtr a, const char *role)
{
	pb_party p;
	pb_buf addr;

	if (!a)
		return NULL;
	pb_record_blank(PB_T_PARTIES, &p);
	src(o, &p.row, a, role[0] == 'b' ? "/ADDRESS_CONTRACTING_BODY" : "/ADDRESS_CONTRACTOR");
	const char *country = attr_text(o, child(a, "COUNTRY"), "VALUE");
	const char *nat = text(o, child(a, "NATIONALID"));
	const char *name = text(o, child(a, "OFFICIALNAME"));
	if (nat)
		p.registry_id = country ? join(o, join(o, country, ":"), nat) : nat;
	p.party_id = p.registry_id ? join(o, o->prefix, p.registry_id)
		     : name ? join(o, join(o, o->id, "/"), name) : NULL;
	if (!p.party_id)
		return NULL;
	p.name = name;
	p.kind = pb_ledger_intern(o->l, "organisation", 12);
	p.roles = pb_ledger_intern(o->l, role, strlen(role));
	p.country = country;
	pb_buf_init(&addr);
	const char *parts[] = {text(o, child(a, "ADDRESS")), text(o, child(a, "TOWN")),
			       text(o, child(a, "POSTAL_CODE")), country};
	for (size_t i = 0; i < 4; i++)
		if (parts[i])
			pb_buf_addf(&addr, "%s%s", addr.len ? ", " : "", parts[i]);
	p.address = addr.len ? pb_ledger_intern(o->l, addr.data, addr.len) : NULL;
	pb_buf_release(&addr);
	add(o, PB_T_PARTIES, &p);
	return p.party_id;
}

/* The form in its original language (CATEGORY="ORIGINAL"), else the first. */
static xmlNodePtr ted_form(xmlNodePtr root)
{
	xmlNodePtr section = child(root, "FORM_SECTION"), first = NULL;

	for (xmlNodePtr f = section ? section->children : NULL; f; f = f->next) {
		if (f->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *cat = xmlGetProp(f, BAD_CAST "CATEGORY");
		int orig = cat && !strcmp((const char *)cat, "ORIGINAL");
		xmlFree(cat);
		if (orig)
			return f;
		if (!first)
			first = f;
	}
	return first;
}

static const char *ted_procedure(xmlNodePtr proc)
{
	for (xmlNodePtr n = proc ? proc->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strncmp((const char *)n->name, "PT_", 3))
			return (const char *)n->name;
		const char *inner = ted_procedure(n); /* F15 nests it per directive */
		if (inner)
			return inner;
	}
	return NULL;
}

static const char *ted_notice(struct notice *o, xmlNodePtr root)
{
	xmlNodePtr form = ted_form(root);
	const char *num = text(o, at(root, "CODED_DATA_SECTION/NOTICE_DATA/NO_DOC_OJS"));
	static const struct {
		const char *ctype, *category;
	} cats[] = {{"WORKS", "works"}, {"SUPPLIES", "goods"}, {"SERVICES", "services"}};

	o->prefix = "ted:";
	if (!form)
		return "TED export has no form in FORM_SECTION";
	if (!num)
		num = attr_text(o, root, "DOC_ID");
	if (!num)
		return "TED export has no notice number (NO_DOC_OJS)";
	if (strncmp((const char *)form->name, "F0", 2) && strncmp((const char *)form->name, "F1", 2) &&
	    strncmp((const char *)form->name, "F2", 2))
		return "TED form is not an R2.0.9 standard form (F01-F25)";
	o->id = join(o, o->prefix, num);
	const char *buyer = ted_party(o, at(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY"), "buyer");
	pb_tender t;
	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, form, (const char *)form->name);
	t.tender_id = o->id;
	t.buyer_id = buyer;
	t.title = text(o, at(form, "OBJECT_CONTRACT/TITLE"));
	t.description = text(o, at(form, "OBJECT_CONTRACT/SHORT_DESCR"));
	const char *pt = ted_procedure(child(form, "PROCEDURE"));
	if (!pt && !strcmp((const char *)form->name, "F15_2014"))
		pt = "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION";
	t.method = method_of(o, pt);
	t.method_details = pt ? pb_ledger_intern(o->l, pt, strlen(pt)) : NULL;
	t.method_rationale = text(o, find(form, "D_JUSTIFICATION"));
	const char *ctype = attr_text(o, at(form, "OBJECT_CONTRACT/TYPE_CONTRACT"), "CTYPE");
	for (size_t i = 0; ctype && i < 3; i++)
		if (!strcmp(ctype, cats[i].ctype))
			t.category = pb_ledger_intern(o->l, cats[i].category, strlen(cats[i].category));
	money(o, at(form, "OBJECT_CONTRACT/VAL_ESTIMATED_TOTAL"), &t.estimated_value, &t.currency);
	t.published_on = date_of(o, at(root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB"));
	t.submission_deadline = date_of(o, at(form, "PROCEDURE/DATE_RECEIPT_TENDERS"));
	size_t nawards = 0;
	int64_t min_tenders = PB_INT_NONE;
	FOR_EACH(ac, form, "AWARD_CONTRACT") {
		xmlNodePtr aw = child(ac, "AWARDED_CONTRACT");
		if (!aw)
			continue;
		const char *nb = text(o, at(aw, "TENDERS/NB_TENDERS_RECEIVED"));
		int64_t v;
		const char *why;
		if (nb && pb_int_parse(nb, strlen(nb), &v, &why) == 0 &&
		    (min_tenders == PB_INT_NONE || v < min_tenders))
			min_tenders = v;
		pb_contract c;
		pb_record_blank(PB_T_CONTRACTS, &c);
		src(o, &c.row, ac, "/AWARD_CONTRACT");
		const char *item = attr_text(o, ac, "ITEM");
		c.contract_id = join(o, join(o, o->id, "/"), item ? item : pb_arena_printf(pb_ledger_arena(o->l), "%zu", nawards + 1));
		c.tender_id = o->id;
		c.buyer_id = buyer;
		c.supplier_id = ted_party(o, at(aw, "CONTRACTORS/CONTRACTOR/ADDRESS_CONTRACTOR"), "supplier");
		money(o, at(aw, "VALUES/VAL_TOTAL"), &c.value, &c.currency);
		c.awarded_on = date_of(o, child(aw, "DATE_CONCLUSION_CONTRACT"));
		c.status = pb_ledger_intern(o->l, "active", 6);
		add(o, PB_T_CONTRACTS, &c);
		nawards++;
	}
	/* One tender row per procedure: the fewest tenders any lot received,
	 * so that a single-bid lot is not hidden by busier ones. */
	t.number_of_tenderers = min_tenders;
	add(o, PB_T_TENDERS, &t);
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
	pb_buf_addf(&o->error, "line %d: %s", e->line, e->message);
	while (o->error.len && (o->error.data[o->error.len - 1] == '\n'))
		o->error.data[--o->error.len] = '\0';
}

static int declares_dtd(const char *buf, size_t n)
{
	static const char *const bad[] = {"<!DOCTYPE", "<!ENTITY", "<!doctype"};

	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(bad[i]);
		for (size_t j = 0; j + k <= n; j++)
			if (buf[j] == '<' && !memcmp(buf + j, bad[i], k))
				return 1;
	}
	return 0;
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
	fclose(f);
	return 0;
}

static const char *parse_notice(struct notice *o, const pb_buf *data, const char **format)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	xmlTextReaderPtr r = xmlReaderForMemory(data->data, (int)data->len, o->path, NULL, opts);
	const char *why = NULL;

	*format = "eforms";
	if (!r)
		return "cannot start the XML reader";
	xmlTextReaderSetStructuredErrorHandler(r, capture_error, o);
	int rc;
	while ((rc = xmlTextReaderRead(r)) == 1 && xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		;
	xmlNodePtr root = rc == 1 ? xmlTextReaderExpand(r) : NULL;
	if (!root || o->error.len) {
		why = o->error.len ? o->error.data : "not an XML document";
	} else if (!strcmp((const char *)root->name, "TED_EXPORT")) {
		*format = "ted";
		why = ted_notice(o, root);
	} else if (strstr((const char *)root->name, "Notice")) {
		why = eforms_notice(o, root);
	} else {
		why = "XML root is neither an eForms notice nor a TED export";
	}
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
	const char *format, *why;

	(void)cfg;
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
	o.path = pb_ledger_intern(l, path, strlen(path));
	o.line = 1;
	pb_buf_init(&o.error);
	if (declares_dtd(data.data, data.len)) {
		o.input = pb_ledger_add_input(l, path, "mixed", "eforms");
		pb_ledger_reject(l, o.input, 1, "DTD or entity declarations are not allowed in a notice "
				 "(refused unread: possible XXE or entity expansion attack)");
	} else {
		/* The input's format is known only once the root is read. */
		o.input = pb_ledger_add_input(l, path, "mixed", "eforms");
		why = parse_notice(&o, &data, &format);
		pb_ledger_input(l, o.input)->format = pb_ledger_intern(l, format, strlen(format));
		if (why)
			pb_ledger_reject(l, o.input, o.line, "%s", why);
		else
			pb_ledger_count_imported(l, o.input);
	}
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
