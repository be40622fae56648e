# tests/browser/gen-large.awk - a ledger that yields well over 100 000
# findings, for the HTML report's large-page test (run.sh).
# Usage: awk -v dir=DIR -v pairs=N -f gen-large.awk
# N pairs of payments, the same payee and amount a day apart, on no
# contract with the payer (one contract exists, so the rule can judge):
# N payments.duplicate + about 2N execution.payment-without-contract
# findings, and a payments.round-amount or two.  An unknown column
# `note` carries markup on the first and last pair: the page must show it
# as text, in rows it was served with and in rows its script builds.
BEGIN {
	OFS = ","
	p = dir "/parties.csv"
	print "party_id,name,kind,roles,country,registry_id,registered_on,address,bank_account,position,employer_id" > p
	for (b = 1; b <= 20; b++)
		print "B" b, "Buyer " b, "organisation", "buyer", "VL", "VL-GOV:" b, "1990-01-01", b " Gov Street", "", "", "" > p
	for (s = 1; s <= 2000; s++)
		print "S" s, "Supplier " s, "organisation", "supplier", "VL", "VL-REG:" s, "2000-01-01", s " Trade Road", "", "", "" > p
	c = dir "/contracts.csv"
	print "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,signed_on,start_on,end_on,status,contract_title" > c
	print "C-1,,B1,S1,50000.00,EUR,2024-01-08,2024-01-08,2024-01-09,2024-12-31,active,The only contract" > c
	y = dir "/payments.csv"
	print "payment_id,payer_id,payee_id,contract_id,invoice_id,amount,currency,paid_on,budget_line,description,approver_id,note" > y
	for (i = 1; i <= pairs; i++) {
		d = 1 + i % 27
		m = 1 + int(i / 27) % 12
		note = (i == 1 || i == pairs) ? "<script>window.pwned=1</script>" : ""
		for (k = 0; k < 2; k++)
			printf "P%d-%d,B%d,S%d,,INV-%d-%d,%d.%02d,EUR,2024-%02d-%02d,,Payment %d,,%s\n",
				i, k, 1 + i % 20, 1 + i % 2000, i, k, 100000 + i, i % 100, m, d + k, i, note > y
	}
}
