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
 * nodes); its messages are captured, never printed.  Files over 64 MiB
 * are refused.  One file is one notice: imported, or rejected at the line
 * of the problem.
 *
 * Mapping (FORMATS.md, standard formats): the procedure becomes a tender,
 * one per lot when the notice has several lots ("<procedure>/LOT-0001");
 * each awarded tender a contract with its winner; buyers and winners
 * parties with their registry ids and addresses.  eForms procedure codes
 * and TED PT_* elements map onto open/selective/limited/direct; the raw
 * code is kept in method_details.  The tenders an award notice lists are
 * not imported as bids: a notice names the winners and a few ranked
 * others, not every bid, and a partial bids table would hide the number
 * of tenders received that it also states.
 */
#include <errno.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importer.h"

#define XML_MAX_FILE (64u << 20)

static const char dtd_refused[] = "DTD/entity declarations are not allowed (possible XXE or "
				  "entity expansion attack); the notice was refused unread";

struct notice {
	pb_ledger *l;
	size_t input;
	const char *path;
	uint32_t line;
	const char *prefix; /* "eforms:" or "ted:" */
	const char *id;     /* procedure id, prefixed */
	const char *notice; /* this notice's own id, prefixed */
	xmlNodePtr root, results;
	int per_lot;        /* several lots: one tender row each */
	int award;          /* an award notice: its date is not the tender's */
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

/* First descendant with this name, depth first (depth is at most 256). */
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
	return PB_DATE_NONE;
}

static int64_t int_of(struct notice *o, xmlNodePtr n)
{
	const char *s = text(o, n), *why;
	int64_t v;

	return s && pb_int_parse(s, strlen(s), &v, &why) == 0 && v >= 0 ? v : PB_INT_NONE;
}

/* An amount element with its currency (attribute currencyID or CURRENCY),
 * parsed exactly from its text. */
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
	if (pb_amount_parse(v, strlen(v), pb_currency_exponent(cur), pb_numfmt_default, amount, &why) < 0)
		*amount = PB_AMOUNT_NONE;
	else
		*currency = cur;
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

static void path_add(pb_buf *b, xmlNodePtr n)
{
	size_t index = 0, count = 0;

	if (!n || n->type != XML_ELEMENT_NODE)
		return;
	path_add(b, n->parent);
	for (xmlNodePtr s = n->parent ? n->parent->children : n; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, (const char *)n->name))
			continue;
		count++;
		if (s == n)
			index = count;
	}
	pb_buf_addch(b, '/');
	if (n->ns && n->ns->prefix)
		pb_buf_addf(b, "%s:", (const char *)n->ns->prefix);
	pb_buf_addstr(b, (const char *)n->name);
	if (count > 1)
		pb_buf_addf(b, "[%zu]", index);
}

static void src(struct notice *o, pb_row *r, xmlNodePtr n)
{
	long line = n ? xmlGetLineNo(n) : -1;
	pb_buf b;

	r->src.file = o->path;
	r->src.line = line > 0 ? (uint32_t)line : o->line;
	pb_buf_init(&b);
	path_add(&b, n);
	r->src.path = b.len ? pb_ledger_intern(o->l, b.data, b.len) : NULL;
	pb_buf_release(&b);
}

/* --- adding: a record seen before (a contract notice, then its award)
 * keeps what it had and gains what it lacked --- */

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

/* Returns the record in the ledger (valid until the next insert). */
static void *add(struct notice *o, pb_table t, const void *rec)
{
	const void *existing;
	const pb_table_def *def = pb_table_get(t);

	if (pb_ledger_insert(o->l, t, rec, &existing) != 1)
		return NULL;
	/* The importer owns records until the ledger is sealed. */
	unsigned char *dst = (unsigned char *)existing;
	const unsigned char *from = rec;
	for (size_t c = 0; c < def->ncolumns; c++) {
		const pb_column *col = &def->columns[c];
		if (!pb_field_known(col, dst) && pb_field_known(col, from))
			memcpy(dst + col->offset, from + col->offset, field_size(col->type));
	}
	return dst;
}

/* A party seen as buyer in one notice and supplier in another has both roles. */
static void add_party(struct notice *o, pb_party *p)
{
	pb_party *old = add(o, PB_T_PARTIES, p);

	if (old && old->roles && p->roles && !strstr(old->roles, p->roles))
		old->roles = join(o, old->roles, ";", p->roles);
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
		{"PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION", "limited"},
	};
	for (size_t i = 0; code && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(code, map[i].code))
			return S(o, map[i].method);
	return NULL;
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

/* The procedure's tender id, or its lot's when the notice has several. */
static const char *tender_for(struct notice *o, const char *lot)
{
	return o->per_lot && lot ? join(o, o->id, "/", lot) : o->id;
}

/* --- eForms --- */

static xmlNodePtr ef_by_id(struct notice *o, xmlNodePtr parent, const char *name, const char *id)
{
	FOR_EACH(n, parent, name)
		if (id && same(text(o, child(n, "ID")), id))
			return n;
	return NULL;
}

static xmlNodePtr ef_company(struct notice *o, const char *org_id)
{
	xmlNodePtr orgs = find(o->root, "Organizations");

	FOR_EACH(org, orgs, "Organization") {
		xmlNodePtr co = child(org, "Company");
		if (same(text(o, at(co, "PartyIdentification/ID")), org_id))
			return co;
	}
	return NULL;
}

/* A party row for an eForms organisation; returns its party_id: the
 * registry id when the notice gives one, so that one company is one
 * party across notices. */
static const char *ef_party(struct notice *o, const char *org_id, const char *role)
{
	xmlNodePtr co = ef_company(o, org_id);
	pb_party p;

	if (!org_id)
		return NULL;
	pb_record_blank(PB_T_PARTIES, &p);
	src(o, &p.row, co ? co : o->root);
	p.country = country_of(o, text(o, at(co, "PostalAddress/Country/IdentificationCode")));
	const char *company = registry_number(text(o, at(co, "PartyLegalEntity/CompanyID")));
	if (company)
		p.registry_id = p.country ? join(o, p.country, ":", company) : company;
	p.party_id = p.registry_id ? p.registry_id : join(o, o->id, "/", org_id);
	p.name = text(o, at(co, "PartyName/Name"));
	p.kind = S(o, "organisation");
	p.roles = S(o, role);
	const char *parts[4] = {text(o, at(co, "PostalAddress/StreetName")),
				text(o, at(co, "PostalAddress/CityName")),
				text(o, at(co, "PostalAddress/PostalZone")), p.country};
	p.address = address(o, parts);
	add_party(o, &p);
	return p.party_id;
}

/* The direct-award justification; other justifications (an accelerated
 * procedure) do not explain the method. */
static const char *ef_rationale(struct notice *o, xmlNodePtr process)
{
	FOR_EACH(j, process, "ProcessJustification") {
		xmlNodePtr code = child(j, "ProcessReasonCode");
		if (!same(attr_text(o, code, "listName"), "direct-award-justification"))
			continue;
		const char *why = text(o, child(j, "ProcessReason"));
		return why ? why : text(o, code);
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

/* Tenders received: the "tenders" statistic of the lot's results (the
 * fewest, should a lot have several results). */
static int64_t ef_tenders_received(struct notice *o, const char *lot)
{
	int64_t fewest = PB_INT_NONE;

	FOR_EACH(lr, o->results, "LotResult") {
		if (lot && !same(text(o, at(lr, "TenderLot/ID")), lot))
			continue;
		FOR_EACH(st, lr, "ReceivedSubmissionsStatistics") {
			int64_t v = int_of(o, child(st, "StatisticsNumeric"));
			if (same(text(o, child(st, "StatisticsCode")), "tenders") && v != PB_INT_NONE &&
			    (fewest == PB_INT_NONE || v < fewest))
				fewest = v;
		}
	}
	return fewest;
}

static void ef_deadline(struct notice *o, pb_tender *t, xmlNodePtr lot)
{
	xmlNodePtr tp = child(lot, "TenderingProcess");

	t->submission_deadline = date_of(o, at(tp, "TenderSubmissionDeadlinePeriod/EndDate"));
	/* Restricted procedures: the deadline for requests to participate. */
	if (t->submission_deadline == PB_DATE_NONE)
		t->submission_deadline = date_of(o, at(tp, "ParticipationRequestReceptionPeriod/EndDate"));
}

/* One tender row: the procedure's (lot NULL) or one lot's. */
static void ef_tender(struct notice *o, xmlNodePtr lot, const char *buyer)
{
	xmlNodePtr proj = child(lot, "ProcurementProject"), rproj = child(o->root, "ProcurementProject");
	xmlNodePtr process = child(o->root, "TenderingProcess");
	const char *lot_id = text(o, child(lot, "ID"));
	pb_tender t;

	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, o->per_lot ? lot : process ? process : o->root);
	t.tender_id = tender_for(o, lot_id);
	t.buyer_id = buyer;
	t.title = text(o, child(proj, "Name"));
	if (!t.title)
		t.title = text(o, child(rproj, "Name"));
	t.description = text(o, child(proj, "Description"));
	if (!t.description)
		t.description = text(o, child(rproj, "Description"));
	const char *code = text(o, child(process, "ProcedureCode"));
	t.method = method_of(o, code);
	t.method_details = code;
	t.method_rationale = ef_rationale(o, process);
	t.category = ef_nature(o, proj);
	if (!t.category)
		t.category = ef_nature(o, rproj);
	/* A lot's estimate, else the procedure's when it is the only lot. */
	money(o, at(proj, "RequestedTenderTotal/EstimatedOverallContractAmount"), &t.estimated_value, &t.currency);
	if (t.estimated_value == PB_AMOUNT_NONE && !o->per_lot)
		money(o, at(rproj, "RequestedTenderTotal/EstimatedOverallContractAmount"),
		      &t.estimated_value, &t.currency);
	if (!o->award)
		t.published_on = date_of(o, child(o->root, "IssueDate"));
	ef_deadline(o, &t, lot);
	t.number_of_tenderers = ef_tenders_received(o, o->per_lot ? lot_id : NULL);
	add(o, PB_T_TENDERS, &t);
}

static int ef_is_lot(struct notice *o, xmlNodePtr lot)
{
	xmlNodePtr id = child(lot, "ID");
	const char *scheme = attr_text(o, id, "schemeName"), *v = text(o, id);

	return scheme ? !strcmp(scheme, "Lot") : v && !strncmp(v, "LOT-", 4);
}

static void ef_tenders(struct notice *o, const char *buyer)
{
	size_t nlots = 0;
	xmlNodePtr only = NULL;

	FOR_EACH(lot, o->root, "ProcurementProjectLot")
		if (ef_is_lot(o, lot) && !nlots++)
			only = lot;
	o->per_lot = nlots > 1;
	if (!o->per_lot) {
		ef_tender(o, only, buyer);
		return;
	}
	FOR_EACH(lot, o->root, "ProcurementProjectLot")
		if (ef_is_lot(o, lot))
			ef_tender(o, lot, buyer);
}

/* The winner: the group leader of the tendering party, else its first member. */
static const char *ef_winner(struct notice *o, xmlNodePtr lt)
{
	xmlNodePtr party = ef_by_id(o, o->results, "TenderingParty", text(o, at(lt, "TenderingParty/ID")));
	xmlNodePtr first = child(party, "Tenderer");

	FOR_EACH(t, party, "Tenderer")
		if (same(text(o, child(t, "GroupLeadIndicator")), "true"))
			first = t;
	return ef_party(o, text(o, child(first, "ID")), "supplier");
}

static int ef_known_lot(struct notice *o, const char *id)
{
	FOR_EACH(lot, o->root, "ProcurementProjectLot")
		if (ef_is_lot(o, lot) && same(text(o, child(lot, "ID")), id))
			return 1;
	return 0;
}

/* The lot of a tender: its own TenderLot, else the result that lists it
 * (a tender may name a group of lots, GLO-0001, which has no row). */
static const char *ef_lot_of(struct notice *o, xmlNodePtr lt, const char *ten)
{
	const char *lot = text(o, at(lt, "TenderLot/ID"));

	if (ef_known_lot(o, lot))
		return lot;
	FOR_EACH(lr, o->results, "LotResult") {
		lot = text(o, at(lr, "TenderLot/ID"));
		if (ef_by_id(o, lr, "LotTender", ten) && ef_known_lot(o, lot))
			return lot;
	}
	return NULL;
}

/* A contract for tender `lt`, settled by `sc` when the notice says so. */
static void ef_contract(struct notice *o, xmlNodePtr sc, xmlNodePtr lt, int several, size_t ncontracts,
			const char *buyer)
{
	const char *ten = text(o, child(lt, "ID"));
	const char *con = text(o, child(sc, "ID"));
	pb_contract c;

	pb_record_blank(PB_T_CONTRACTS, &c);
	src(o, &c.row, sc ? sc : lt);
	const char *key = con && several && ten ? join(o, con, "/", ten) : con ? con : ten ? ten : "tender";
	c.contract_id = join(o, o->id, "/", key);
	c.tender_id = tender_for(o, ef_lot_of(o, lt, ten));
	c.buyer_id = buyer;
	c.supplier_id = ef_winner(o, lt);
	money(o, at(lt, "LegalMonetaryTotal/PayableAmount"), &c.value, &c.currency);
	/* A notice with one contract may state its value only as the total. */
	if (c.value == PB_AMOUNT_NONE && ncontracts == 1)
		money(o, child(o->results, "TotalAmount"), &c.value, &c.currency);
	c.awarded_on = date_of(o, child(sc, "AwardDate"));
	c.signed_on = date_of(o, child(sc, "IssueDate"));
	c.status = S(o, "active");
	const pb_contract *old = add(o, PB_T_CONTRACTS, &c);
	/* Contract numbers are the notice's own: another notice of the same
	 * procedure may reuse CON-0001 for another winner. */
	if (old && !same(old->supplier_id, c.supplier_id)) {
		c.contract_id = join(o, o->notice, "/", key);
		add(o, PB_T_CONTRACTS, &c);
	}
}

/* Contracts: every tender a settled contract names; a notice without
 * settled contracts falls back on the tenders of lots with a winner. */
static void ef_contracts(struct notice *o, const char *buyer)
{
	size_t n = 0;

	FOR_EACH(sc, o->results, "SettledContract")
		FOR_EACH(ref, sc, "LotTender")
			n++;
	FOR_EACH(sc, o->results, "SettledContract") {
		size_t refs = 0;
		FOR_EACH(ref, sc, "LotTender")
			refs++;
		FOR_EACH(ref, sc, "LotTender") {
			xmlNodePtr lt = ef_by_id(o, o->results, "LotTender", text(o, child(ref, "ID")));
			if (lt)
				ef_contract(o, sc, lt, refs > 1, n, buyer);
		}
	}
	if (n)
		return;
	FOR_EACH(lr, o->results, "LotResult") {
		if (!same(text(o, child(lr, "TenderResultCode")), "selec-w"))
			continue;
		FOR_EACH(ref, lr, "LotTender") {
			xmlNodePtr lt = ef_by_id(o, o->results, "LotTender", text(o, child(ref, "ID")));
			if (lt)
				ef_contract(o, NULL, lt, 0, 0, buyer);
		}
	}
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
	o->award = !strcmp(kind, "ContractAwardNotice");
	o->results = find(o->root, "NoticeResult");
	FOR_EACH(cp, o->root, "ContractingParty") {
		const char *b = ef_party(o, text(o, at(cp, "Party/PartyIdentification/ID")), "buyer");
		if (!buyer)
			buyer = b;
	}
	ef_tenders(o, buyer);
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
	p.country = country_of(o, attr_text(o, child(a, "COUNTRY"), "VALUE"));
	const char *nat = registry_number(text(o, child(a, "NATIONALID")));
	p.name = text(o, child(a, "OFFICIALNAME"));
	if (nat)
		p.registry_id = p.country ? join(o, p.country, ":", nat) : nat;
	p.party_id = p.registry_id ? p.registry_id : p.name ? join(o, o->notice, "/", p.name) : NULL;
	if (!p.party_id)
		return NULL;
	p.kind = S(o, "organisation");
	p.roles = S(o, role);
	const char *parts[4] = {text(o, child(a, "ADDRESS")), text(o, child(a, "TOWN")),
				text(o, child(a, "POSTAL_CODE")), p.country};
	p.address = address(o, parts);
	add_party(o, &p);
	return p.party_id;
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

static int ted_is_award(const char *form)
{
	static const char *const awards[] = {"F03", "F06", "F13", "F15", "F21", "F22", "F23", "F25"};

	for (size_t i = 0; i < sizeof(awards) / sizeof(awards[0]); i++)
		if (!strncmp(form, awards[i], 3))
			return 1;
	return 0;
}

/* The fewest tenders any award of this lot (NULL: of any lot) received. */
static int64_t ted_tenders_received(struct notice *o, xmlNodePtr form, const char *lot)
{
	int64_t fewest = PB_INT_NONE;

	FOR_EACH(ac, form, "AWARD_CONTRACT") {
		if (lot && !same(text(o, child(ac, "LOT_NO")), lot))
			continue;
		int64_t v = int_of(o, at(ac, "AWARDED_CONTRACT/TENDERS/NB_TENDERS_RECEIVED"));
		if (v != PB_INT_NONE && (fewest == PB_INT_NONE || v < fewest))
			fewest = v;
	}
	return fewest;
}

/* One tender row: the procedure's (lot NULL) or one lot's (OBJECT_DESCR). */
static void ted_tender(struct notice *o, xmlNodePtr form, xmlNodePtr lot, const char *lot_no,
		       const char *buyer)
{
	xmlNodePtr object = child(form, "OBJECT_CONTRACT");
	pb_tender t;

	pb_record_blank(PB_T_TENDERS, &t);
	src(o, &t.row, lot ? lot : form);
	t.tender_id = tender_for(o, lot_no ? join(o, "LOT-", "", lot_no) : NULL);
	t.buyer_id = buyer;
	t.title = text(o, child(lot, "TITLE"));
	if (!t.title)
		t.title = text(o, child(object, "TITLE"));
	t.description = text(o, child(lot, "SHORT_DESCR"));
	if (!t.description)
		t.description = text(o, child(object, "SHORT_DESCR"));
	const char *pt = ted_procedure(child(form, "PROCEDURE"));
	if (!pt && !strncmp((const char *)form->name, "F15", 3))
		pt = "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION";
	t.method = method_of(o, pt);
	t.method_details = S(o, pt);
	t.method_rationale = text(o, find(form, "D_JUSTIFICATION"));
	t.category = category_of(o, attr_text(o, child(object, "TYPE_CONTRACT"), "CTYPE"));
	if (lot)
		money(o, child(lot, "VAL_OBJECT"), &t.estimated_value, &t.currency);
	else
		money(o, child(object, "VAL_ESTIMATED_TOTAL"), &t.estimated_value, &t.currency);
	if (!o->award) {
		t.published_on = date_of(o, at(o->root, "CODED_DATA_SECTION/REF_OJS/DATE_PUB"));
		t.submission_deadline = date_of(o, at(form, "PROCEDURE/DATE_RECEIPT_TENDERS"));
	}
	t.number_of_tenderers = ted_tenders_received(o, form, lot_no);
	add(o, PB_T_TENDERS, &t);
}

static void ted_tenders(struct notice *o, xmlNodePtr form, const char *buyer)
{
	xmlNodePtr object = child(form, "OBJECT_CONTRACT");
	size_t nlots = 0;

	FOR_EACH(d, object, "OBJECT_DESCR")
		nlots += text(o, child(d, "LOT_NO")) != NULL;
	o->per_lot = nlots > 1;
	if (!o->per_lot) {
		ted_tender(o, form, NULL, NULL, buyer);
		return;
	}
	FOR_EACH(d, object, "OBJECT_DESCR") {
		const char *no = text(o, child(d, "LOT_NO"));
		if (no)
			ted_tender(o, form, d, no, buyer);
	}
}

static int ted_described(struct notice *o, xmlNodePtr form, const char *lot)
{
	FOR_EACH(d, child(form, "OBJECT_CONTRACT"), "OBJECT_DESCR")
		if (lot && same(text(o, child(d, "LOT_NO")), lot))
			return 1;
	return 0;
}

static void ted_contracts(struct notice *o, xmlNodePtr form, const char *buyer)
{
	size_t k = 0;

	FOR_EACH(ac, form, "AWARD_CONTRACT") {
		xmlNodePtr aw = child(ac, "AWARDED_CONTRACT");
		k++;
		if (!aw) /* NO_AWARDED_CONTRACT: the lot was not awarded */
			continue;
		const char *item = attr_text(o, ac, "ITEM"), *lot = text(o, child(ac, "LOT_NO"));
		const char *tid = tender_for(o, lot ? join(o, "LOT-", "", lot) : NULL);
		if (o->per_lot && !ted_described(o, form, lot))
			ted_tender(o, form, NULL, lot, buyer); /* an award for a lot not described */
		pb_contract c;
		pb_record_blank(PB_T_CONTRACTS, &c);
		src(o, &c.row, ac);
		/* The notice's own number: award notices of one procedure
		 * each number their awards from 1. */
		c.contract_id = join(o, o->notice, "/", item ? item : pb_arena_printf(pb_ledger_arena(o->l), "%zu", k));
		c.tender_id = tid;
		c.buyer_id = buyer;
		c.supplier_id = ted_party(o, at(aw, "CONTRACTORS/CONTRACTOR/ADDRESS_CONTRACTOR"), "supplier");
		money(o, at(aw, "VALUES/VAL_TOTAL"), &c.value, &c.currency);
		/* The date the contract was concluded: awarded and signed. */
		c.awarded_on = date_of(o, child(aw, "DATE_CONCLUSION_CONTRACT"));
		c.signed_on = c.awarded_on;
		c.status = S(o, "active");
		add(o, PB_T_CONTRACTS, &c);
	}
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
	o->award = ted_is_award(name);
	/* An award notice cites the contract notice of its procedure: then
	 * both describe one tender. */
	const char *prior = o->award ? text(o, at(form, "PROCEDURE/NOTICE_NUMBER_OJ")) : NULL;
	o->id = prior ? join(o, o->prefix, "", prior) : o->notice;
	const char *buyer = ted_party(o, at(form, "CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY"), "buyer");
	ted_tenders(o, form, buyer);
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
	o.path = S(&o, path);
	o.line = 1;
	pb_buf_init(&o.error);
	o.input = pb_ledger_add_input(l, path, "mixed", "eforms");
	why = declares_dtd(data.data, data.len) ? dtd_refused : parse_notice(&o, &data, &format);
	/* The input's format is known only once the root is read. */
	pb_ledger_input(l, o.input)->format = S(&o, format);
	if (why)
		pb_ledger_reject(l, o.input, o.line, "%s", why);
	else
		pb_ledger_count_imported(l, o.input);
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
