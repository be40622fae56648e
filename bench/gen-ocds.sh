#!/bin/sh
# bench/gen-ocds.sh - write the same ministry as bench/gen-shape.sh as OCDS
# 1.1 compiled releases, one JSON object per line (.jsonl), for the OCDS
# importer's throughput in MB/s (issue #13).
#
# Usage: sh bench/gen-ocds.sh FILE.jsonl BUYERS SUPPLIERS TENDERS
#
# One release per tender: buyer and supplier parties with registry ids, the
# tender with its period, four bids (bids extension), the award, the
# contract and its two payments as implementation transactions.  Fixed seed.
# Officials and directors are not OCDS parties, so they are not here.
set -eu
[ $# -eq 4 ] || { echo "usage: gen-ocds.sh FILE.jsonl BUYERS SUPPLIERS TENDERS" >&2; exit 2; }
FILE=$1 B=$2 SUP=$3 CON=$4
export LC_ALL=C

DATE_FN='function date(n,  m) { split("31 29 31 30 31 30 31 31 30 31 30 31", dim, " ");
	m = 1; while (n >= dim[m]) { n -= dim[m]; m++ } return sprintf("2024-%02d-%02dT10:00:00Z", m, n + 1) }'
awk -v nb="$B" -v con="$CON" -v sup="$SUP" "$DATE_FN"'
function org(id, name, role, reg) {
	return sprintf("{\"id\":\"%s\",\"name\":\"%s\",\"roles\":[\"%s\"],\"identifier\":{\"scheme\":\"UA-EDR\",\"id\":\"%s\",\"legalName\":\"%s\"},\"address\":{\"streetAddress\":\"%s\",\"countryName\":\"Ukraine\"}}",
		id, name, role, reg, name, role == "buyer" ? "Defence Street Kyiv" : "Industrial Road Lviv")
}
function ref(id, name) { return sprintf("{\"id\":\"%s\",\"name\":\"%s\"}", id, name) }
function money(x) { return sprintf("{\"amount\":%d,\"currency\":\"EUR\"}", x) }
BEGIN {
	srand(19);
	for (k = 0; k < con; k++) {
		d = k % 250; b = k % nb; s = int(rand() * sup);
		m = k % 10 == 0 ? "direct" : "open";
		v = m == "open" || k % 500 == 0 ? 10000 + int(rand() * 900000) : 5000 + int(rand() * 90000);
		buyer = "MOD-" b; bname = "Ministry unit " b;
		parties = org(buyer, bname, "buyer", 90000000 + b);
		bids = "";
		for (j = 0; j < 4; j++) {
			bidder = j ? int(rand() * sup) : s;
			if (j) parties = parties "," org("SUP-" bidder, "Supplier " bidder " LLC", "tenderer", bidder + 100);
			bids = bids (j ? "," : "") sprintf("{\"id\":\"B-%d-%d\",\"date\":\"%s\",\"status\":\"valid\",\"tenderers\":[%s],\"value\":%s}",
				k, j, date(d + 10 + j), ref("SUP-" bidder, "Supplier " bidder " LLC"), money(v + int(v * (j * 0.05 + rand() * 0.15))));
		}
		parties = parties "," org("SUP-" s, "Supplier " s " LLC", "supplier", s + 100);
		tx = sprintf("{\"id\":\"P-%d-0\",\"date\":\"%s\",\"value\":%s,\"payer\":%s,\"payee\":%s},{\"id\":\"P-%d-1\",\"date\":\"%s\",\"value\":%s,\"payer\":%s,\"payee\":%s}",
			k, date(d + 60), money(v / 2), ref(buyer, bname), ref("SUP-" s, "Supplier " s " LLC"),
			k, date(d + 90), money(v / 2), ref(buyer, bname), ref("SUP-" s, "Supplier " s " LLC"));
		printf "{\"ocid\":\"ocds-b3nch-%d\",\"id\":\"ocds-b3nch-%d-compiled\",\"date\":\"%s\",\"tag\":[\"compiled\"],\"initiationType\":\"tender\",", k, k, date(d + 90);
		printf "\"parties\":[%s],\"buyer\":%s,", parties, ref(buyer, bname);
		printf "\"tender\":{\"id\":\"T-%d\",\"status\":\"complete\",\"procurementMethod\":\"%s\",\"procuringEntity\":%s,\"value\":%s,\"tenderPeriod\":{\"startDate\":\"%s\",\"endDate\":\"%s\"},\"numberOfTenderers\":4},",
			k, m == "direct" ? "limited" : "open", ref(buyer, bname), money(v), date(d), date(d + 30);
		printf "\"bids\":{\"details\":[%s]},", bids;
		printf "\"awards\":[{\"id\":\"AW-%d\",\"status\":\"active\",\"date\":\"%s\",\"value\":%s,\"suppliers\":[%s]}],",
			k, date(d + 45), money(v), ref("SUP-" s, "Supplier " s " LLC");
		printf "\"contracts\":[{\"id\":\"C-%d\",\"awardID\":\"AW-%d\",\"status\":\"active\",\"value\":%s,\"dateSigned\":\"%s\",\"period\":{\"startDate\":\"%s\",\"endDate\":\"2025-06-30T00:00:00Z\"},\"implementation\":{\"transactions\":[%s]}}]}\n",
			k, k, money(v), date(d + 46), date(d + 50), tx;
	}
}' >"$FILE"
