#!/bin/sh
# bench/gen-shape.sh - write a defence ministry's ledger at realistic shape
# (issue #13) as canonical CSV tables into DIR.
#
# Usage: sh bench/gen-shape.sh DIR BUYERS OFFICIALS_PER_BUYER SUPPLIERS TENDERS
#
# Shape (bench/run.sh picks the numbers per size): BUYERS ministry units,
# each with OFFICIALS_PER_BUYER officials; SUPPLIERS suppliers, each with a
# director; TENDERS tenders, each with one contract, four bids and two
# payments; an amendment on one contract in ten, an offset on one in a
# hundred, forty budget lines per buyer.  People are drawn from 200 given
# names and 300 surnames, so namesakes are common (as they are).  A few
# findings are planted at fixed rates (a relative of an official directing a
# supplier, a shared address or account, a duplicate payment, an overspent
# budget line...) so every rule family has work and findings stay the
# exception, as in real ledgers.  Fixed seeds: the same arguments give the
# same bytes with the same awk (mawk, Debian's default awk; gawk's rand()
# differs).  mawk writes ~1M rows in two seconds, 11M in twenty.
set -eu
[ $# -eq 5 ] || { echo "usage: gen-shape.sh DIR BUYERS OFFICIALS_PER_BUYER SUPPLIERS TENDERS" >&2; exit 2; }
DIR=$1 B=$2 OPB=$3 SUP=$4 CON=$5
mkdir -p "$DIR"
export LC_ALL=C

awk -v nb="$B" -v opb="$OPB" -v sup="$SUP" 'BEGIN {
	srand(13);
	print "party_id,name,kind,roles,country,registry_id,registered_on,address,bank_account,position,employer_id";
	for (b = 0; b < nb; b++)
		printf "MOD-%d,Ministry unit %d,organisation,buyer,UA,UA-EDR:9%07d,1992-01-01,%d Defence Street Kyiv,UA%020d,,\n", b, b, b, b + 1, b;
	for (i = 0; i < nb * opb; i++) {
		# One official in 3000 lives at a supplier address, one in 3001
		# shares a supplier account: conflicts.shared-address / -bank-account.
		addr = i % 3000 == 7 ? sprintf("%d Industrial Road Lviv", (i * 7) % sup + 1) : sprintf("Flat %d Housing Block %d Kyiv", i % 97, int(i / 97));
		acct = i % 3001 == 11 ? sprintf("UA%020d", 500000000 + (i * 13) % sup) : sprintf("UA%020d", 900000000 + i);
		printf "OFF-%d,G%d S%d,person,official,UA,,,%s,%s,officer,MOD-%d\n", i, int(rand() * 200), int(rand() * 300), addr, acct, i % nb;
	}
	for (i = 0; i < sup; i++) {
		# One supplier in 1000 registered weeks before its award, one in
		# 997 in the Virgin Islands, one in 499 with no registry id.
		reg = i % 499 == 5 ? "" : sprintf("UA-EDR:%08d", i + 100);
		printf "SUP-%d,Supplier %d LLC,organisation,supplier,%s,%s,%s,%d Industrial Road Lviv,UA%020d,,\n", i, i,
			i % 997 == 3 ? "VG" : "UA", reg, i % 1000 == 1 ? "2024-01-02" : "2015-01-01", i + 1, 500000000 + i;
		printf "DIR-%d,G%d S%d,person,owner,UA,,,,,,\n", i, int(rand() * 200), int(rand() * 300);
	}
}' >"$DIR/parties.csv"

awk -v nb="$B" -v opb="$OPB" -v sup="$SUP" 'BEGIN {
	srand(17);
	print "from_id,to_id,kind,share_pct,start_on,end_on,source";
	for (i = 0; i < sup; i++) printf "DIR-%d,SUP-%d,director,,2015-01-01,,registry\n", i, i;
	# One official in 1000 has a relative who directs some supplier.
	for (i = 0; i < nb * opb; i += 1000) printf "OFF-%d,DIR-%d,relative,,,,declaration\n", i, int(rand() * sup);
}' >"$DIR/relationships.csv"

# Dates of 2024 by day number (n < 366); each tender is published on day d,
# closes 30 days later and is awarded 15 days after that; each contract is
# paid in two halves, 60 and 90 days after publication.
DATE_FN='function date(n,  m) { split("31 29 31 30 31 30 31 31 30 31 30 31", dim, " ");
	m = 1; while (n >= dim[m]) { n -= dim[m]; m++ } return sprintf("2024-%02d-%02d", m, n + 1) }'
awk -v nb="$B" -v opb="$OPB" -v con="$CON" -v sup="$SUP" -v dir="$DIR" "$DATE_FN"'
BEGIN {
	srand(19);
	T = dir "/tenders.csv"; C = dir "/contracts.csv"; BI = dir "/bids.csv"; P = dir "/payments.csv";
	A = dir "/amendments.csv"; O = dir "/offsets.csv"; BU = dir "/budget.csv";
	print "tender_id,buyer_id,method,method_rationale,published_on,submission_deadline,number_of_tenderers" >T;
	print "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,signed_on,start_on,end_on" >C;
	print "bid_id,tender_id,bidder_id,value,currency,submitted_on,status" >BI;
	print "payment_id,payer_id,payee_id,contract_id,invoice_id,amount,currency,paid_on,budget_line,approver_id" >P;
	print "amendment_id,contract_id,amended_on,value_before,value_after,end_before,end_after,rationale" >A;
	print "offset_id,contract_id,obligor_id,beneficiary_id,kind,obligation_value,credited_value,multiplier,currency,due_on,fulfilled_on,status,penalty,penalty_collected" >O;
	for (k = 0; k < con; k++) {
		# One tender in ten is a direct award, mostly below the 100k threshold.
		d = k % 250; b = k % nb; s = int(rand() * sup);
		m = k % 10 == 0 ? "direct" : "open";
		v = m == "open" || k % 500 == 0 ? 10000 + int(rand() * 900000) : 5000 + int(rand() * 90000);
		why = m == "open" ? "" : k % 500 == 0 ? "" : "Sole manufacturer of spare part " k " under licence";
		printf "T-%d,MOD-%d,%s,%s,%s,%s,4\n", k, b, m, why, date(d), date(d + 30) >T;
		printf "C-%d,T-%d,MOD-%d,SUP-%d,%d.00,EUR,%s,%s,%s,2025-06-30\n", k, k, b, s, v, date(d + 45), date(d + 46), date(d + 50) >C;
		for (j = 0; j < 4; j++)
			printf "B-%d-%d,T-%d,SUP-%d,%d.00,EUR,%s,valid\n", k, j, k, j ? int(rand() * sup) : s,
				v + int(v * (j * 0.05 + rand() * 0.15)), date(d + 10 + j) >BI;
		line = "L-" b "-" (k % 40);
		np = k % 2000 == 11 ? 3 : 2;    # one contract in 2000 is paid a half twice
		for (j = 0; j < np; j++) {
			jj = j < 2 ? j : 1;
			printf "P-%d-%d,MOD-%d,SUP-%d,C-%d,INV-%d-%d,%d.00,EUR,%s,%s,OFF-%d\n", k, j, b, s, k, k, jj,
				v / 2, date(d + 60 + 30 * jj + (j == 2)), line, nb * int(rand() * opb) + b >P;
			spent[line] += int(v / 2);
		}
		if (k % 10 == 3) {
			up = k % 100 == 3 ? 1.3 : 1.1;
			printf "A-%d,C-%d,%s,%d.00,%d.00,2025-06-30,2025-07-31,Additional scope agreed\n", k, k, date(d + 70), v, int(v * up) >A;
		}
		if (k % 100 == 5)
			printf "OF-%d,C-%d,SUP-%d,SUP-%d,indirect,%d.00,%d.00,%d,EUR,2025-12-31,,pending,,\n", k, k, s,
				int(rand() * sup), v / 2, v / 4, k % 1000 == 5 ? 3 : 1 >O;
	}
	# Appropriations 5% above what was paid; one line in 20 overspent.
	print "budget_line,fiscal_year,org_id,description,classified,appropriated,revised,committed,spent,currency" >BU;
	for (b = 0; b < nb; b++)
		for (l = 0; l < 40; l++) {
			line = "L-" b "-" l; x = spent[line];
			r = l % 20 == 7 ? int(x * 0.9) : int(x * 1.05);
			printf "%s,2024,MOD-%d,Procurement line %d,false,%d.00,%d.00,%d.00,%d.00,EUR\n", line, b, l, r, r, x, x >BU;
		}
}'
