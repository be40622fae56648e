#!/bin/sh
# bench/gen-ocds-awards.sh - write one OCDS release package whose one
# release has N awards and N contracts, the contracts listed in reverse
# order, each naming its award by awardID: what the OCDS importer
# matches by id.  `make bench` times it at two sizes beside the eForms
# notice of bench/gen-eforms.sh (issue #13; the unit tests no longer
# time themselves).
#
# Usage: sh bench/gen-ocds-awards.sh FILE.json N
set -eu
[ $# -eq 2 ] || { echo "usage: gen-ocds-awards.sh FILE.json N" >&2; exit 2; }
FILE=$1 N=$2
export LC_ALL=C

awk -v n="$N" 'BEGIN {
	printf "{\"releases\":[{\"ocid\":\"big\",\"id\":\"big-1\",\"date\":\"2024-01-01T00:00:00Z\",\"tag\":[\"contract\"],"
	printf "\"buyer\":{\"id\":\"MOD\",\"name\":\"Ministry\"},\"awards\":[\n"
	for (i = 0; i < n; i++)
		printf "%s{\"id\":\"a%d\",\"status\":\"active\",\"value\":{\"amount\":%d,\"currency\":\"EUR\"},\"suppliers\":[{\"id\":\"S%d\",\"name\":\"Supplier %d\"}]}\n", i ? "," : "", i, i + 1, i % 97, i % 97
	printf "],\"contracts\":[\n"
	for (i = n - 1; i >= 0; i--)
		printf "%s{\"id\":\"c%d\",\"awardID\":\"a%d\",\"status\":\"active\",\"dateSigned\":\"2024-02-01\"}\n", i < n - 1 ? "," : "", i, i
	printf "]}]}\n"
}' >"$FILE"
