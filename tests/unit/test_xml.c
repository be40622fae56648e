/* test_xml.c - eForms and TED notices, and hostile XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../importers/importer.h"

static char dir[] = "/tmp/probity-xml-XXXXXX";

static const char *write_file(const char *name, const char *text, size_t n)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
	return path;
}

/* Imports files (name, text pairs, NULL-terminated) into one ledger. */
static pb_ledger *import_all(const char *name, ...)
{
	pb_config cfg;
	pb_error err;
	va_list ap;

	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	va_start(ap, name);
	for (; name; name = va_arg(ap, const char *)) {
		const char *text = va_arg(ap, const char *);
		const char *path = write_file(name, text, strlen(text));
		assert_int_equal(pb_import_path(l, path, NULL, &cfg, &err), 0);
	}
	va_end(ap);
	pb_ledger_seal(l);
	pb_config_release(&cfg);
	return l;
}

#define import(name, text) import_all(name, text, NULL)

static const void *find(pb_ledger *l, pb_table t, const char *id)
{
	return pb_ledger_find(l, t, pb_ledger_intern(l, id, strlen(id)));
}

static const char *reason(pb_ledger *l)
{
	assert_int_equal(pb_ledger_nrejections(l), 1);
	return pb_ledger_rejections(l)[0].reason;
}

#define NS(root) "<" root " xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:" root "-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" " \
	"xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\" " \
	"xmlns:efext=\"http://data.europa.eu/p27/eforms-ubl-extensions/1\" " \
	"xmlns:efac=\"http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1\" " \
	"xmlns:efbc=\"http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1\">\n"

#define ORG(id, name, city, country, company) \
	"<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID schemeName=\"organization\">" id \
	"</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>" name "</cbc:Name></cac:PartyName>" \
	"<cac:PostalAddress><cbc:StreetName>1 Rue</cbc:StreetName><cbc:CityName>" city "</cbc:CityName>" \
	"<cac:Country><cbc:IdentificationCode listName=\"country\">" country "</cbc:IdentificationCode>" \
	"</cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:CompanyID>" company \
	"</cbc:CompanyID></cac:PartyLegalEntity></efac:Company></efac:Organization>\n"

/* A contract award notice shaped like the SDK's can_24_minimal: one lot,
 * two tenders, one settled contract. */
static const char *const can_parts[] = {
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" NS("ContractAwardNotice")
	"<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>\n",
	"<efac:NoticeResult>\n",
	"<efac:LotResult><cbc:ID schemeName=\"result\">RES-0001</cbc:ID>"
	"<cbc:TenderResultCode listName=\"winner-selection-status\">selec-w</cbc:TenderResultCode>"
	"<efac:LotTender><cbc:ID schemeName=\"tender\">TEN-0001</cbc:ID></efac:LotTender>"
	"<efac:LotTender><cbc:ID schemeName=\"tender\">TEN-0002</cbc:ID></efac:LotTender>"
	"<efac:ReceivedSubmissionsStatistics><efbc:StatisticsCode listName=\"received-submission-type\">"
	"tenders</efbc:StatisticsCode><efbc:StatisticsNumeric>2</efbc:StatisticsNumeric>"
	"</efac:ReceivedSubmissionsStatistics>"
	"<efac:TenderLot><cbc:ID schemeName=\"Lot\">LOT-0000</cbc:ID></efac:TenderLot></efac:LotResult>\n",
	"<efac:LotTender><cbc:ID schemeName=\"tender\">TEN-0001</cbc:ID><cac:LegalMonetaryTotal>"
	"<cbc:PayableAmount currencyID=\"EUR\">250000.50</cbc:PayableAmount></cac:LegalMonetaryTotal>"
	"<efac:TenderingParty><cbc:ID>TPA-0001</cbc:ID></efac:TenderingParty>"
	"<efac:TenderLot><cbc:ID schemeName=\"Lot\">LOT-0000</cbc:ID></efac:TenderLot></efac:LotTender>\n",
	"<efac:LotTender><cbc:ID schemeName=\"tender\">TEN-0002</cbc:ID><cac:LegalMonetaryTotal>"
	"<cbc:PayableAmount currencyID=\"EUR\">199000</cbc:PayableAmount></cac:LegalMonetaryTotal>"
	"<efac:TenderingParty><cbc:ID>TPA-0002</cbc:ID></efac:TenderingParty>"
	"<efac:TenderLot><cbc:ID schemeName=\"Lot\">LOT-0000</cbc:ID></efac:TenderLot></efac:LotTender>\n",
	"<efac:SettledContract><cbc:ID schemeName=\"contract\">CON-0001</cbc:ID>"
	"<cbc:AwardDate>2024-02-28+01:00</cbc:AwardDate><cbc:IssueDate>2024-03-05+01:00</cbc:IssueDate>"
	"<efac:LotTender><cbc:ID schemeName=\"tender\">TEN-0001</cbc:ID></efac:LotTender></efac:SettledContract>\n",
	"<efac:TenderingParty><cbc:ID>TPA-0001</cbc:ID>"
	"<efac:Tenderer><cbc:ID>ORG-0003</cbc:ID></efac:Tenderer>"
	"<efac:Tenderer><cbc:ID>ORG-0002</cbc:ID><efbc:GroupLeadIndicator>true</efbc:GroupLeadIndicator></efac:Tenderer>"
	"</efac:TenderingParty>\n",
	"<efac:TenderingParty><cbc:ID>TPA-0002</cbc:ID><efac:Tenderer><cbc:ID>ORG-0003</cbc:ID></efac:Tenderer>"
	"</efac:TenderingParty>\n",
	"</efac:NoticeResult>\n<efac:Organizations>\n",
	ORG("ORG-0001", "Ministry &amp; Co", "Rouen", "FRA", "123 456"),
	ORG("ORG-0002", "Winner SA", "Lyon", "FRA", "n/a"),
	ORG("ORG-0003", "Partner SARL", "Nantes", "FRA", "987 654"),
	"</efac:Organizations>\n",
	"</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n",
	"<cbc:ID schemeName=\"notice-id\">n-1</cbc:ID><cbc:ContractFolderID>F-1</cbc:ContractFolderID>"
	"<cbc:IssueDate>2024-03-10+01:00</cbc:IssueDate>\n",
	"<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID>"
	"</cac:PartyIdentification></cac:Party></cac:ContractingParty>\n",
	"<cac:TenderingProcess><cbc:ProcedureCode listName=\"procurement-procedure-type\">neg-wo-call</cbc:ProcedureCode>"
	"<cac:ProcessJustification><cbc:ProcessReasonCode listName=\"direct-award-justification\">urgency"
	"</cbc:ProcessReasonCode><cbc:ProcessReason>Flood damage</cbc:ProcessReason></cac:ProcessJustification>"
	"</cac:TenderingProcess>\n",
	"<cac:ProcurementProject><cbc:Name>Radar spares</cbc:Name>"
	"<cbc:ProcurementTypeCode listName=\"contract-nature\">supplies</cbc:ProcurementTypeCode></cac:ProcurementProject>\n",
	"<cac:ProcurementProjectLot><cbc:ID schemeName=\"Lot\">LOT-0000</cbc:ID></cac:ProcurementProjectLot>\n",
	"</ContractAwardNotice>\n",
	NULL};
static char *can;

static void test_eforms_award(void **state)
{
	(void)state;
	pb_ledger *l = import("can.xml", can);
	const pb_input *in = pb_ledger_inputs(l);
	assert_string_equal(in[0].format, "eforms");
	assert_int_equal(in[0].rows_read, 1);
	assert_int_equal(in[0].rows_imported, 1);

	const pb_tender *t = find(l, PB_T_TENDERS, "eforms:F-1");
	assert_non_null(t);
	assert_string_equal(t->method, "direct");
	assert_string_equal(t->method_details, "neg-wo-call");
	assert_string_equal(t->method_rationale, "Flood damage");
	assert_string_equal(t->category, "goods");
	assert_string_equal(t->title, "Radar spares");
	assert_int_equal(t->number_of_tenderers, 2);
	/* An award notice's date is not the tender's publication. */
	assert_int_equal(t->published_on, PB_DATE_NONE);
	assert_string_equal(t->buyer_id, "FR:123 456");

	const pb_party *b = find(l, PB_T_PARTIES, "FR:123 456");
	assert_non_null(b);
	assert_string_equal(b->name, "Ministry & Co");
	assert_string_equal(b->country, "FR");
	assert_string_equal(b->registry_id, "FR:123 456");
	assert_string_equal(b->address, "1 Rue, Rouen, FR");
	assert_string_equal(b->roles, "buyer");

	/* One contract: the settled tender; the losing tender is none. */
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 1);
	assert_int_equal(pb_ledger_count(l, PB_T_BIDS), 0);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "eforms:F-1/CON-0001");
	assert_non_null(c);
	assert_string_equal(c->tender_id, "eforms:F-1");
	assert_int_equal(c->value, 25000050);
	assert_string_equal(c->currency, "EUR");
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2024, 2, 28));
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 3, 5));
	/* The group leader wins; "n/a" is no registry id. */
	assert_string_equal(c->supplier_id, "eforms:F-1/ORG-0002");
	const pb_party *w = find(l, PB_T_PARTIES, "eforms:F-1/ORG-0002");
	assert_non_null(w);
	assert_null(w->registry_id);
	assert_string_equal(w->roles, "supplier");
	assert_null(find(l, PB_T_PARTIES, "FR:987 654"));
	/* Provenance: the line and path of the settled contract. */
	assert_string_equal(c->row.src.path, "/ContractAwardNotice/ext:UBLExtensions/ext:UBLExtension/"
			    "ext:ExtensionContent/efext:EformsExtension/efac:NoticeResult/efac:SettledContract");
	assert_int_equal(c->row.src.line, 8);
	pb_ledger_free(l);
}

/* A contract notice with two lots: a tender row each, its own title and
 * deadline; an accelerated-procedure justification is not a rationale. */
static const char *const cn_parts[] = {
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" NS("ContractNotice")
	"<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>\n",
	"<efac:Organizations>" ORG("ORG-0001", "Ministry", "Rouen", "FRA", "123 456") "</efac:Organizations>\n",
	"</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n",
	"<cbc:ID>n-0</cbc:ID><cbc:ContractFolderID>F-2</cbc:ContractFolderID><cbc:IssueDate>2024-01-10Z</cbc:IssueDate>\n",
	"<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID>"
	"</cac:PartyIdentification></cac:Party></cac:ContractingParty>\n",
	"<cac:TenderingProcess><cbc:ProcedureCode listName=\"procurement-procedure-type\">open</cbc:ProcedureCode>"
	"<cac:ProcessJustification><cbc:ProcessReasonCode listName=\"accelerated-procedure\">true</cbc:ProcessReasonCode>"
	"<cbc:ProcessReason>Hurry</cbc:ProcessReason></cac:ProcessJustification></cac:TenderingProcess>\n",
	"<cac:ProcurementProject><cbc:Name>Boots</cbc:Name><cbc:ProcurementTypeCode listName=\"contract-nature\">"
	"supplies</cbc:ProcurementTypeCode><cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount "
	"currencyID=\"EUR\">900000</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal></cac:ProcurementProject>\n",
	"<cac:ProcurementProjectLot><cbc:ID schemeName=\"Lot\">LOT-0001</cbc:ID>"
	"<cac:TenderingProcess><cac:AdditionalInformationRequestPeriod><cbc:EndDate>2024-01-20Z</cbc:EndDate>"
	"</cac:AdditionalInformationRequestPeriod><cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2024-02-15+01:00"
	"</cbc:EndDate></cac:TenderSubmissionDeadlinePeriod></cac:TenderingProcess>"
	"<cac:ProcurementProject><cbc:Name>Winter boots</cbc:Name><cac:RequestedTenderTotal>"
	"<cbc:EstimatedOverallContractAmount currencyID=\"EUR\">600000</cbc:EstimatedOverallContractAmount>"
	"</cac:RequestedTenderTotal></cac:ProcurementProject></cac:ProcurementProjectLot>\n",
	"<cac:ProcurementProjectLot><cbc:ID schemeName=\"Lot\">LOT-0002</cbc:ID>"
	"<cac:TenderingProcess><cac:ParticipationRequestReceptionPeriod><cbc:EndDate>2024-02-01Z</cbc:EndDate>"
	"</cac:ParticipationRequestReceptionPeriod></cac:TenderingProcess></cac:ProcurementProjectLot>\n",
	"<cac:ProcurementProjectLot><cbc:ID schemeName=\"LotsGroup\">GLO-0001</cbc:ID></cac:ProcurementProjectLot>\n",
	"</ContractNotice>\n",
	NULL};
static char *cn;

static void test_eforms_lots(void **state)
{
	(void)state;
	pb_ledger *l = import("cn.xml", cn);
	assert_int_equal(pb_ledger_count(l, PB_T_TENDERS), 2);
	assert_null(find(l, PB_T_TENDERS, "eforms:F-2"));
	assert_null(find(l, PB_T_TENDERS, "eforms:F-2/GLO-0001"));
	const pb_tender *a = find(l, PB_T_TENDERS, "eforms:F-2/LOT-0001");
	const pb_tender *b = find(l, PB_T_TENDERS, "eforms:F-2/LOT-0002");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->title, "Winter boots");
	assert_string_equal(b->title, "Boots");
	assert_int_equal(a->estimated_value, 60000000);
	/* The procedure's estimate is not one lot's. */
	assert_int_equal(b->estimated_value, PB_AMOUNT_NONE);
	assert_int_equal(a->submission_deadline, pb_date_from_ymd(2024, 2, 15));
	assert_int_equal(b->submission_deadline, pb_date_from_ymd(2024, 2, 1));
	assert_int_equal(a->published_on, pb_date_from_ymd(2024, 1, 10));
	assert_string_equal(a->method, "open");
	assert_null(a->method_rationale);
	assert_int_equal(a->number_of_tenderers, PB_INT_NONE);
	assert_string_equal(a->row.src.path, "/ContractNotice/cac:ProcurementProjectLot[1]");
	pb_ledger_free(l);
}

/* The same procedure's contract notice, then its award: one tender row
 * with what each knows; the buyer is one party. */
static void test_eforms_merge(void **state)
{
	(void)state;
	static const char cn1[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" NS("ContractNotice")
		"<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>\n"
		"<efac:Organizations>" ORG("ORG-0001", "Ministry", "Rouen", "FRA", "123 456") "</efac:Organizations>\n"
		"</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n"
		"<cbc:ID>n-0</cbc:ID><cbc:ContractFolderID>F-1</cbc:ContractFolderID><cbc:IssueDate>2024-01-10Z</cbc:IssueDate>\n"
		"<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID>"
		"</cac:PartyIdentification></cac:Party></cac:ContractingParty>\n"
		"<cac:TenderingProcess><cbc:ProcedureCode>open</cbc:ProcedureCode></cac:TenderingProcess>\n"
		"<cac:ProcurementProjectLot><cbc:ID schemeName=\"Lot\">LOT-0000</cbc:ID></cac:ProcurementProjectLot>\n"
		"</ContractNotice>\n";

	pb_ledger *l = import_all("1cn.xml", cn1, "2can.xml", can, NULL);
	assert_int_equal(pb_ledger_count(l, PB_T_TENDERS), 1);
	const pb_tender *t = find(l, PB_T_TENDERS, "eforms:F-1");
	assert_non_null(t);
	assert_int_equal(t->published_on, pb_date_from_ymd(2024, 1, 10)); /* from the notice */
	assert_int_equal(t->number_of_tenderers, 2);                      /* from the award */
	assert_string_equal(t->method, "open");                           /* the first kept */
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 1);
	const pb_party *b = find(l, PB_T_PARTIES, "FR:123 456");
	assert_string_equal(b->name, "Ministry");
	pb_ledger_free(l);
}

static const char *const ted_parts[] = {
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
	"<TED_EXPORT xmlns=\"http://publications.europa.eu/resource/schema/ted/R2.0.9/publication\" DOC_ID=\"1-2018\">\n",
	"<CODED_DATA_SECTION><REF_OJS><DATE_PUB>20180406</DATE_PUB></REF_OJS>"
	"<NOTICE_DATA><NO_DOC_OJS>2018/S 067-1</NO_DOC_OJS><LG_ORIG>FR</LG_ORIG><LG_ORIG>DE</LG_ORIG></NOTICE_DATA>"
	"</CODED_DATA_SECTION>\n",
	"<FORM_SECTION><F03_2014 CATEGORY=\"TRANSLATION\" FORM=\"F03\" LG=\"EN\"><OBJECT_CONTRACT><TITLE><P>Boots</P>"
	"</TITLE></OBJECT_CONTRACT></F03_2014>\n",
	"<F03_2014 CATEGORY=\"ORIGINAL\" FORM=\"F03\" LG=\"DE\"><OBJECT_CONTRACT><TITLE><P>Stiefel</P></TITLE>"
	"</OBJECT_CONTRACT></F03_2014>\n",
	"<F03_2014 CATEGORY=\"ORIGINAL\" FORM=\"F03\" LG=\"FR\">\n",
	"<CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY><OFFICIALNAME>Office f\xc3\xa9" "d\xc3\xa9ral</OFFICIALNAME>"
	"<NATIONALID>CHE-1</NATIONALID><TOWN>Berne</TOWN><COUNTRY VALUE=\"CH\"/></ADDRESS_CONTRACTING_BODY></CONTRACTING_BODY>\n",
	"<OBJECT_CONTRACT><TITLE><P>Bottes</P></TITLE><TYPE_CONTRACT CTYPE=\"SUPPLIES\"/></OBJECT_CONTRACT>\n",
	"<PROCEDURE><PT_AWARD_CONTRACT_WITHOUT_CALL/><NOTICE_NUMBER_OJ>2017/S 200-9</NOTICE_NUMBER_OJ></PROCEDURE>\n",
	"<AWARD_CONTRACT ITEM=\"1\"><LOT_NO>1</LOT_NO><AWARDED_CONTRACT><DATE_CONCLUSION_CONTRACT>2018-03-01"
	"</DATE_CONCLUSION_CONTRACT><TENDERS><NB_TENDERS_RECEIVED>1</NB_TENDERS_RECEIVED></TENDERS>"
	"<CONTRACTORS><CONTRACTOR><ADDRESS_CONTRACTOR><OFFICIALNAME>Boots Ltd</OFFICIALNAME>"
	"<NATIONALID>0123</NATIONALID><ADDRESS>1 High St</ADDRESS><TOWN>Leeds</TOWN><POSTAL_CODE>LS1</POSTAL_CODE>"
	"<COUNTRY VALUE=\"UK\"/></ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS>"
	"<VALUES><VAL_TOTAL CURRENCY=\"CHF\">150000.05</VAL_TOTAL></VALUES></AWARDED_CONTRACT></AWARD_CONTRACT>\n",
	"<AWARD_CONTRACT ITEM=\"2\"><LOT_NO>1</LOT_NO><NO_AWARDED_CONTRACT/></AWARD_CONTRACT>\n",
	"</F03_2014></FORM_SECTION></TED_EXPORT>\n",
	NULL};
static char *ted;

static void test_ted(void **state)
{
	(void)state;
	pb_ledger *l = import("ted.xml", ted);
	const pb_input *in = pb_ledger_inputs(l);
	assert_string_equal(in[0].format, "ted");
	assert_int_equal(in[0].rows_imported, 1);
	/* The award cites its contract notice: that is the tender. */
	assert_int_equal(pb_ledger_count(l, PB_T_TENDERS), 1);
	const pb_tender *t = find(l, PB_T_TENDERS, "ted:2017/S 200-9");
	assert_non_null(t);
	assert_string_equal(t->title, "Bottes"); /* the first original language */
	assert_string_equal(t->method, "direct");
	assert_string_equal(t->method_details, "PT_AWARD_CONTRACT_WITHOUT_CALL");
	assert_string_equal(t->category, "goods");
	assert_int_equal(t->number_of_tenderers, 1);
	assert_int_equal(t->published_on, PB_DATE_NONE);
	assert_string_equal(t->buyer_id, "CH:CHE-1");
	const pb_party *b = find(l, PB_T_PARTIES, "CH:CHE-1");
	assert_string_equal(b->name, "Office f\xc3\xa9" "d\xc3\xa9ral");
	/* One contract: the second award was not made. */
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 1);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ted:2018/S 067-1/1");
	assert_non_null(c);
	assert_string_equal(c->tender_id, "ted:2017/S 200-9");
	assert_int_equal(c->value, 15000005);
	assert_string_equal(c->currency, "CHF");
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2018, 3, 1));
	assert_string_equal(c->supplier_id, "GB:0123");
	const pb_party *s = find(l, PB_T_PARTIES, "GB:0123");
	assert_string_equal(s->country, "GB");
	assert_string_equal(s->address, "1 High St, Leeds, LS1, GB");
	assert_string_equal(c->row.src.path, "/TED_EXPORT/FORM_SECTION/F03_2014[3]/AWARD_CONTRACT[1]");
	assert_int_equal(c->row.src.line, 10);
	pb_ledger_free(l);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Imports one hostile file (n bytes, 0: a string); returns its single
 * rejection reason, given in under a second. */
static const char *refused(pb_ledger **l, const char *name, const char *text, size_t n)
{
	pb_config cfg;
	pb_error err;
	struct timespec t0;

	pb_config_init(&cfg);
	*l = pb_ledger_new("EUR");
	const char *path = write_file(name, text, n ? n : strlen(text));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pb_import_path(*l, path, NULL, &cfg, &err), 0);
	assert_true(seconds_since(&t0) < 1.0);
	pb_ledger_seal(*l);
	pb_config_release(&cfg);
	assert_int_equal(pb_ledger_inputs(*l)[0].rows_rejected, 1);
	assert_int_equal(pb_ledger_inputs(*l)[0].rows_imported, 0);
	assert_int_equal(pb_ledger_count(*l, PB_T_TENDERS), 0);
	return reason(*l);
}

static void test_entities(void **state)
{
	pb_ledger *l;
	const char *why;

	(void)state;
	why = refused(&l, "xxe.xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		      "<ContractAwardNotice><ContractFolderID>&x;</ContractFolderID></ContractAwardNotice>", 0);
	assert_non_null(strstr(why, "DTD/entity declarations are not allowed"));
	assert_non_null(strstr(why, "XXE"));
	assert_null(strstr(why, "root:"));
	pb_ledger_free(l);

	char laughs[2048] = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
	for (int i = 1; i < 10; i++) {
		size_t n = strlen(laughs);
		n += (size_t)snprintf(laughs + n, sizeof(laughs) - n, "<!ENTITY lol%d \"", i);
		for (int k = 0; k < 10; k++)
			n += (size_t)snprintf(laughs + n, sizeof(laughs) - n, "&lol%s;", i > 1 ? (char[]){(char)('0' + i - 1), 0} : "");
		snprintf(laughs + n, sizeof(laughs) - n, "\">");
	}
	strcat(laughs, "]>\n<lolz>&lol9;</lolz>\n");
	why = refused(&l, "laughs.xml", laughs, strlen(laughs));
	assert_non_null(strstr(why, "not allowed"));
	pb_ledger_free(l);

	/* UTF-16 hides the declaration from a byte scan: the reader refuses it. */
	static const char xxe[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
				  "\"file:///etc/passwd\">]><ContractAwardNotice><ID>&x;</ID></ContractAwardNotice>";
	char wide[2 + 2 * sizeof(xxe)];
	wide[0] = '\xff';
	wide[1] = '\xfe';
	for (size_t i = 0; i < sizeof(xxe) - 1; i++) {
		wide[2 + 2 * i] = xxe[i];
		wide[3 + 2 * i] = 0;
	}
	why = refused(&l, "xxe16.xml", wide, 2 + 2 * (sizeof(xxe) - 1));
	assert_non_null(strstr(why, "not allowed"));
	assert_null(strstr(why, "root:"));
	pb_ledger_free(l);

	/* An external DTD: refused, never fetched (the host does not exist). */
	why = refused(&l, "ext.xml", "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://example.invalid/x.dtd\"><r/>", 0);
	assert_non_null(strstr(why, "not allowed"));
	pb_ledger_free(l);

	/* No DTD, an undefined entity: malformed, and named. */
	why = refused(&l, "undef.xml", "<?xml version=\"1.0\"?>\n<ContractNotice><ID>&x;</ID></ContractNotice>", 0);
	assert_non_null(strstr(why, "malformed XML"));
	assert_non_null(strstr(why, "'x'"));
	assert_int_equal(pb_ledger_rejections(l)[0].line, 2);
	pb_ledger_free(l);
}

static void test_malformed(void **state)
{
	pb_ledger *l;
	const char *why;

	(void)state;
	why = refused(&l, "broken.xml", "<?xml version=\"1.0\"?>\n<ContractAwardNotice>\n<ID>x\n<a>", 0);
	assert_non_null(strstr(why, "malformed XML"));
	assert_true(pb_ledger_rejections(l)[0].line >= 4);
	pb_ledger_free(l);

	/* 100000 levels: libxml2's depth limit (256) stops it. */
	size_t depth = 100000;
	char *deep = malloc(7 * depth);
	for (size_t i = 0; i < depth; i++) {
		memcpy(deep + 3 * i, "<a>", 3);
		memcpy(deep + 3 * depth + 4 * i, "</a>", 4);
	}
	why = refused(&l, "deep.xml", deep, 7 * depth);
	assert_non_null(strstr(why, "depth"));
	free(deep);
	pb_ledger_free(l);

	/* A text node over libxml2's 10 MB limit. */
	size_t big = 11u << 20;
	char *huge = malloc(big + 64);
	strcpy(huge, "<ContractNotice><ID>");
	memset(huge + 20, 'A', big);
	strcpy(huge + 20 + big, "</ID></ContractNotice>");
	why = refused(&l, "huge.xml", huge, strlen(huge));
	assert_non_null(strstr(why, "huge text node"));
	free(huge);
	pb_ledger_free(l);

	why = refused(&l, "text.xml", "id,name\n1,x\n", 0);
	assert_non_null(strstr(why, "malformed XML"));
	pb_ledger_free(l);

	why = refused(&l, "other.xml", "<?xml version=\"1.0\"?><catalog><book/></catalog>", 0);
	assert_string_equal(why, "XML root is neither an eForms notice nor a TED export");
	pb_ledger_free(l);

	why = refused(&l, "brin.xml", "<BusinessRegistrationInformationNotice><ID>1</ID></BusinessRegistrationInformationNotice>", 0);
	assert_non_null(strstr(why, "not a procurement notice"));
	pb_ledger_free(l);

	why = refused(&l, "noid.xml", "<ContractAwardNotice><ID></ID></ContractAwardNotice>", 0);
	assert_non_null(strstr(why, "neither ContractFolderID"));
	pb_ledger_free(l);

	why = refused(&l, "r208.xml", "<TED_EXPORT><CODED_DATA_SECTION><NOTICE_DATA><NO_DOC_OJS>1</NO_DOC_OJS></NOTICE_DATA>"
		      "</CODED_DATA_SECTION><FORM_SECTION><CONTRACT_AWARD CATEGORY=\"ORIGINAL\"/></FORM_SECTION></TED_EXPORT>", 0);
	assert_non_null(strstr(why, "not an R2.0.9 standard form"));
	pb_ledger_free(l);
}

/* An empty file is a file error, not a rejected notice. */
static void test_empty(void **state)
{
	pb_config cfg;
	pb_error err;

	(void)state;
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	const char *path = write_file("empty.xml", " \n", 2);
	assert_int_equal(pb_import_path(l, path, NULL, &cfg, &err), -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "empty"));
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* The documents exceed what C99 promises for one literal: joined here. */
static char *joined(const char *const *parts)
{
	size_t n = 1;

	for (size_t i = 0; parts[i]; i++)
		n += strlen(parts[i]);
	char *s = malloc(n);
	s[0] = '\0';
	for (size_t i = 0; parts[i]; i++)
		strcat(s, parts[i]);
	return s;
}

static int setup(void **state)
{
	(void)state;
	can = joined(can_parts);
	cn = joined(cn_parts);
	ted = joined(ted_parts);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(can);
	free(cn);
	free(ted);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eforms_award),
		cmocka_unit_test(test_eforms_lots),
		cmocka_unit_test(test_eforms_merge),
		cmocka_unit_test(test_ted),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
