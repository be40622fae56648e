/* test_xml.c - eForms and TED notices, and hostile XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../importers/importer.h"

static char dir[] = "/tmp/probity-xml-XXXXXX";

static pb_ledger *import(const char *name, const char *text)
{
	char path[256];
	pb_config cfg;
	pb_error err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	assert_int_equal(pb_import_path(l, path, NULL, &cfg, &err), 0);
	pb_ledger_seal(l);
	pb_config_release(&cfg);
	return l;
}

static const void *find(pb_ledger *l, pb_table t, const char *id)
{
	return pb_ledger_find(l, t, pb_ledger_intern(l, id, strlen(id)));
}

#define NS "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2\" " \
	"xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	"xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" " \
	"xmlns:efac=\"http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1\" " \
	"xmlns:efbc=\"http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1\""

static const char can[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ContractAwardNotice " NS ">\n"
	"<efac:NoticeResult><efac:LotResult>"
	"<efac:LotTender><cbc:ID>TEN-1</cbc:ID></efac:LotTender>"
	"<efac:ReceivedSubmissionsStatistics><efbc:StatisticsCode>tenders</efbc:StatisticsCode>"
	"<efbc:StatisticsNumeric>1</efbc:StatisticsNumeric></efac:ReceivedSubmissionsStatistics>"
	"<efac:TenderLot><cbc:ID>LOT-0000</cbc:ID></efac:TenderLot></efac:LotResult>\n"
	"<efac:LotTender><cbc:ID>TEN-1</cbc:ID><cac:LegalMonetaryTotal>"
	"<cbc:PayableAmount currencyID=\"EUR\">250000.50</cbc:PayableAmount></cac:LegalMonetaryTotal>"
	"<efac:TenderingParty><cbc:ID>TPA-1</cbc:ID></efac:TenderingParty></efac:LotTender>\n"
	"<efac:SettledContract><cbc:ID>CON-1</cbc:ID><cbc:IssueDate>2024-03-05+01:00</cbc:IssueDate>"
	"<efac:LotTender><cbc:ID>TEN-1</cbc:ID></efac:LotTender></efac:SettledContract>\n"
	"<efac:TenderingParty><cbc:ID>TPA-1</cbc:ID><efac:Tenderer><cbc:ID>ORG-2</cbc:ID></efac:Tenderer></efac:TenderingParty>"
	"</efac:NoticeResult>\n<efac:Organizations>"
	"<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-1</cbc:ID></cac:PartyIdentification>"
	"<cac:PartyName><cbc:Name>Ministry &amp; Co</cbc:Name></cac:PartyName><cac:PostalAddress>"
	"<cbc:CityName>Rouen</cbc:CityName><cac:Country><cbc:IdentificationCode>FRA</cbc:IdentificationCode></cac:Country>"
	"</cac:PostalAddress><cac:PartyLegalEntity><cbc:CompanyID>123</cbc:CompanyID></cac:PartyLegalEntity></efac:Company></efac:Organization>\n"
	"<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-2</cbc:ID></cac:PartyIdentification>"
	"<cac:PartyName><cbc:Name>Winner SA</cbc:Name></cac:PartyName></efac:Company></efac:Organization>"
	"</efac:Organizations>\n"
	"<cbc:ID>n-1</cbc:ID><cbc:ContractFolderID>F-1</cbc:ContractFolderID><cbc:IssueDate>2024-03-10+01:00</cbc:IssueDate>\n"
	"<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-1</cbc:ID></cac:PartyIdentification></cac:Party></cac:ContractingParty>\n"
	"<cac:TenderingProcess><cbc:ProcedureCode>neg-wo-call</cbc:ProcedureCode></cac:TenderingProcess>\n"
	"<cac:ProcurementProject><cbc:Name>Radar spares</cbc:Name><cbc:ProcurementTypeCode>supplies</cbc:ProcurementTypeCode></cac:ProcurementProject>\n"
	"</ContractAwardNotice>\n";

static void test_eforms(void **state)
{
	(void)state;
	pb_ledger *l = import("can.xml", can);
	const pb_input *in = pb_ledger_inputs(l);
	assert_string_equal(in[0].format, "eforms");
	assert_int_equal(in[0].rows_imported, 1);
	const pb_tender *t = find(l, PB_T_TENDERS, "eforms:F-1");
	assert_non_null(t);
	assert_string_equal(t->method, "direct");
	assert_string_equal(t->method_details, "neg-wo-call");
	assert_string_equal(t->category, "goods");
	assert_int_equal(t->number_of_tenderers, 1);
	assert_string_equal(t->buyer_id, "eforms:FRA:123");
	const pb_party *b = find(l, PB_T_PARTIES, "eforms:FRA:123");
	assert_string_equal(b->name, "Ministry & Co");
	assert_string_equal(b->address, "Rouen, FRA");
	const pb_contract *c = find(l, PB_T_CONTRACTS, "eforms:F-1/CON-1/TEN-1");
	assert_non_null(c);
	assert_int_equal(c->value, 25000050);
	assert_string_equal(c->currency, "EUR");
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 3, 5));
	assert_string_equal(c->supplier_id, "eforms:F-1/ORG-2");
	assert_true(c->row.src.line > 1);
	pb_ledger_free(l);
}

static void test_ted(void **state)
{
	(void)state;
	pb_ledger *l = import("ted.xml",
		"<?xml version=\"1.0\"?>\n<TED_EXPORT xmlns=\"ted/R2.0.9.S02/publication\" DOC_ID=\"1-2018\">\n"
		"<CODED_DATA_SECTION><REF_OJS><DATE_PUB>20180406</DATE_PUB></REF_OJS>"
		"<NOTICE_DATA><NO_DOC_OJS>2018/S 067-1</NO_DOC_OJS></NOTICE_DATA></CODED_DATA_SECTION>\n"
		"<FORM_SECTION><F03_2014 CATEGORY=\"TRANSLATION\" LG=\"EN\"/>"
		"<F03_2014 CATEGORY=\"ORIGINAL\" LG=\"DE\">\n"
		"<CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY><OFFICIALNAME>Bundesamt</OFFICIALNAME>"
		"<NATIONALID>DE-1</NATIONALID><TOWN>Koblenz</TOWN><COUNTRY VALUE=\"DE\"/></ADDRESS_CONTRACTING_BODY></CONTRACTING_BODY>\n"
		"<OBJECT_CONTRACT><TITLE><P>Stiefel</P></TITLE><TYPE_CONTRACT CTYPE=\"SUPPLIES\"/></OBJECT_CONTRACT>\n"
		"<PROCEDURE><PT_AWARD_CONTRACT_WITHOUT_CALL/></PROCEDURE>\n"
		"<AWARD_CONTRACT ITEM=\"1\"><AWARDED_CONTRACT><DATE_CONCLUSION_CONTRACT>2018-03-01</DATE_CONCLUSION_CONTRACT>"
		"<TENDERS><NB_TENDERS_RECEIVED>1</NB_TENDERS_RECEIVED></TENDERS>"
		"<CONTRACTORS><CONTRACTOR><ADDRESS_CONTRACTOR><OFFICIALNAME>Stiefel GmbH</OFFICIALNAME>"
		"<COUNTRY VALUE=\"DE\"/></ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS>"
		"<VALUES><VAL_TOTAL CURRENCY=\"EUR\">150000.00</VAL_TOTAL></VALUES></AWARDED_CONTRACT></AWARD_CONTRACT>\n"
		"</F03_2014></FORM_SECTION></TED_EXPORT>\n");
	const pb_input *in = pb_ledger_inputs(l);
	assert_string_equal(in[0].format, "ted");
	assert_int_equal(in[0].rows_imported, 1);
	const pb_tender *t = find(l, PB_T_TENDERS, "ted:2018/S 067-1");
	assert_non_null(t);
	assert_string_equal(t->method, "direct");
	assert_string_equal(t->title, "Stiefel");
	assert_int_equal(t->published_on, pb_date_from_ymd(2018, 4, 6));
	assert_string_equal(t->buyer_id, "ted:DE:DE-1");
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ted:2018/S 067-1/1");
	assert_non_null(c);
	assert_int_equal(c->value, 15000000);
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2018, 3, 1));
	pb_ledger_free(l);
}

static void test_hostile(void **state)
{
	(void)state;
	pb_ledger *l = import("xxe.xml",
		"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<ContractAwardNotice><ContractFolderID>&x;</ContractFolderID></ContractAwardNotice>");
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	const char *why = pb_ledger_rejections(l)[0].reason;
	assert_non_null(strstr(why, "not allowed"));
	assert_null(strstr(why, "root:"));
	assert_int_equal(pb_ledger_count(l, PB_T_TENDERS), 0);
	pb_ledger_free(l);

	l = import("ext.xml", "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://example.invalid/x.dtd\"><r/>");
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	pb_ledger_free(l);

	l = import("broken.xml", "<?xml version=\"1.0\"?>\n<ContractAwardNotice>\n<cbc:ID>x\n");
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	assert_true(pb_ledger_rejections(l)[0].line >= 3);
	pb_ledger_free(l);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eforms),
		cmocka_unit_test(test_ted),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
