#!/bin/sh
# bench/gen-eforms.sh - write one eForms contract award notice with N
# settled contracts, each citing its own tender among N (in reverse
# order), each tender won by one of N tendering parties: what the eForms
# importer matches by id.  `make bench` times it at two sizes, so that a
# match that became a nested scan would show as growth (issue #13; the
# unit tests no longer time themselves).
#
# Usage: sh bench/gen-eforms.sh FILE.xml N
# (BENCH_MATCH in bench/run.sh sets the sizes.)
#
# N at most 31 000: a notice holds at most 500 000 elements
# (XML_MAX_ELEMENTS, docs/limits.md), and each contract brings 16.
set -eu
[ $# -eq 2 ] || { echo "usage: gen-eforms.sh FILE.xml N" >&2; exit 2; }
FILE=$1 N=$2
export LC_ALL=C

awk -v n="$N" 'BEGIN {
	ns = "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2\" " \
	     "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" " \
	     "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" " \
	     "xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\" " \
	     "xmlns:efext=\"http://data.europa.eu/p27/eforms-ubl-extensions/1\" " \
	     "xmlns:efac=\"http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1\" " \
	     "xmlns:efbc=\"http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1\""
	printf "<?xml version=\"1.0\"?>\n<ContractAwardNotice %s>\n", ns
	printf "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>\n"
	printf "<efac:Organizations>"
	for (o = 1; o <= 5; o++)
		printf "<efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID schemeName=\"organization\">ORG-%04d</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>Company %d</cbc:Name></cac:PartyName><cac:PostalAddress><cbc:CityName>Lyon</cbc:CityName><cac:Country><cbc:IdentificationCode listName=\"country\">FRA</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:CompanyID>%d00</cbc:CompanyID></cac:PartyLegalEntity></efac:Company></efac:Organization>\n", o, o, o
	printf "</efac:Organizations>\n<efac:NoticeResult>\n"
	for (i = 0; i < n; i++)
		printf "<efac:LotTender><cbc:ID>TEN-%d</cbc:ID><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID=\"EUR\">%d</cbc:PayableAmount></cac:LegalMonetaryTotal><efac:TenderingParty><cbc:ID>TPA-%d</cbc:ID></efac:TenderingParty><efac:TenderLot><cbc:ID>LOT-0001</cbc:ID></efac:TenderLot></efac:LotTender>\n", i, (i + 1) * 100, i
	for (i = 0; i < n; i++)
		printf "<efac:SettledContract><cbc:ID>CON-%d</cbc:ID><efac:LotTender><cbc:ID>TEN-%d</cbc:ID></efac:LotTender></efac:SettledContract>\n", i, n - 1 - i
	for (i = 0; i < n; i++)
		printf "<efac:TenderingParty><cbc:ID>TPA-%d</cbc:ID><efac:Tenderer><cbc:ID>ORG-%04d</cbc:ID></efac:Tenderer></efac:TenderingParty>\n", i, i % 4 + 2
	printf "</efac:NoticeResult>\n"
	printf "</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>\n"
	printf "<cbc:ID>notice-1</cbc:ID><cbc:ContractFolderID>P-1</cbc:ContractFolderID><cbc:IssueDate>2024-09-01Z</cbc:IssueDate>\n"
	printf "<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification></cac:Party></cac:ContractingParty>\n"
	printf "<cac:TenderingProcess><cbc:ProcedureCode listName=\"procurement-procedure-type\">open</cbc:ProcedureCode></cac:TenderingProcess>\n"
	printf "<cac:ProcurementProjectLot><cbc:ID schemeName=\"Lot\">LOT-0001</cbc:ID></cac:ProcurementProjectLot>\n"
	printf "</ContractAwardNotice>\n"
}' >"$FILE"
