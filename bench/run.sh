#!/bin/sh
# bench/run.sh - `make bench`: probity on a defence ministry's ledger at
# realistic shape (bench/gen-shape.sh) at ~100k, ~1M and ~10M rows, against
# a bare libcsv parse of the same files (bench/csvparse.c) and, where
# pandas is installed, eight rules written in pandas (bench/pandas_rules.py);
# and the OCDS importer's throughput on compiled releases (bench/gen-ocds.sh),
# and the eForms and OCDS importers on one notice or release of many
# contracts at two sizes (bench/gen-eforms.sh, bench/gen-ocds-awards.sh),
# whose growth shows whether matching contracts by id stays linear.
# Results and how to read them: bench/RESULTS.md.
#
# Usage: sh bench/run.sh PROBITY CSVPARSE [MEMLAT]
# MEMLAT (bench/memlat.c), when given, first prints the machine's latency
# of a load at random in 64 MiB, 1 GiB and 4 GiB: the import and many rules
# look up at random, so their time per row follows it (about 25 s).
# Environment:
#   BENCH_SIZES   sizes to run, from 100k 1m 10m 20m 50m (default the first
#                 three, about 12 minutes on 2 cores; 100k alone under a
#                 minute; 50m writes 4.1 GiB of CSV, and pandas there would
#                 need about five times its 2 GiB at 10m)
#   BENCH_RUNS    runs of each timed command; the best is kept (default 2)
#   BENCH_DATA    where generated ledgers are kept between runs (default
#                 bench-data beside PROBITY; never in the repository)
#   BENCH_BASE    another probity binary to time end to end beside this one
#                 (e.g. an older build), on BENCH_BASE_SIZES (default 1m)
#   BENCH_OCDS    OCDS releases to generate for the MB/s figure (default
#                 60000, about 180 MB; 0 skips it)
#   BENCH_MATCH   contracts in the eForms notice and the OCDS release
#                 timed, two sizes (default "3000 30000"; 0 skips them)
#   BENCH_PANDAS  0 skips the pandas comparison (default: run it when
#                 /usr/bin/python3 can import pandas, else say it is skipped)
# It never fails on speed: targets live in RESULTS.md, not in tests.  It
# fails (exit 1) when a command it times fails.
set -eu
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: bench/run.sh PROBITY CSVPARSE [MEMLAT]" >&2; exit 2; }
PROBITY=$1 CSVPARSE=$2 MEMLAT=${3:-}
HERE=$(dirname "$0")
SIZES=${BENCH_SIZES:-100k 1m 10m}
RUNS=${BENCH_RUNS:-2}
DATA=${BENCH_DATA:-$(dirname "$PROBITY")/bench-data}
BASE=${BENCH_BASE:-}
BASE_SIZES=${BENCH_BASE_SIZES:-1m}
OCDS=${BENCH_OCDS:-60000}
MATCH=${BENCH_MATCH:-3000 30000}
PY=/usr/bin/python3
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$DATA"

say() { echo "bench: $*"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# div A B [FORMAT [SCALE]]: A / (B x SCALE), or "-" when B is 0 or empty.
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" -v s="${4:-1}" 'BEGIN { if (b * s > 0) printf f, a / (b * s); else printf "-" }'; }
timing() { sed -n "s/^probity: timing $1 \([0-9.]*\).*/\1/p" "$2" | head -1; }

# Shape of each size: buyers, officials per buyer, suppliers (each with a
# director), tenders (each with a contract, 4 bids, 2 payments).
shape() {
	case $1 in
	100k) echo "2 1200 4800 12000" ;;
	1m) echo "3 7200 48000 120000" ;;
	10m) echo "30 7200 480000 1200000" ;;
	20m) echo "60 7200 960000 2400000" ;; # not by default: for sizing
	50m) echo "150 7200 2400000 6000000" ;; # not by default: for sizing
	*) echo "bench: unknown size '$1' (100k, 1m, 10m, 20m or 50m)" >&2; return 1 ;;
	esac
}

# Generated once per shape and generator; kept for the next run.
ledger() {
	dir="$DATA/$1"
	stamp="$(shape "$1") $(cksum <"$HERE/gen-shape.sh")"
	if [ ! -f "$dir/.stamp" ] || [ "$(cat "$dir/.stamp")" != "$stamp" ]; then
		rm -rf "$dir"
		s=$(date +%s.%N)
		# shellcheck disable=SC2046
		sh "$HERE/gen-shape.sh" "$dir" $(shape "$1")
		say "$1: generated in $(secs "$(date +%s.%N)" "$s")s" >&2
		echo "$stamp" >"$dir/.stamp"
	fi
	echo "$dir"
}

# best N CMD...: run CMD N times; BEST is the best wall time, $T/best.out
# and $T/best.err its standard output and error, BEST_RSS its peak RSS in KiB (from /usr/bin/time).
best() {
	_n=$1
	shift
	BEST='' BEST_RSS=''
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_s=$(date +%s.%N)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err" || {
				say "failed: $*"; tail -5 "$T/err" >&2; exit 1; }
		else
			"$@" >"$T/out" 2>"$T/err" || { say "failed: $*"; tail -5 "$T/err" >&2; exit 1; }
			echo "" >"$T/rss"
		fi
		_w=$(secs "$(date +%s.%N)" "$_s")
		if [ -z "$BEST" ] || awk -v a="$_w" -v b="$BEST" 'BEGIN { exit !(a < b) }'; then
			BEST=$_w
			BEST_RSS=$(tail -1 "$T/rss")
			cp "$T/err" "$T/best.err"
			cp "$T/out" "$T/best.out"
		fi
		_i=$((_i + 1))
	done
}

# record SIZE KEY VALUE: one figure, for the tables at the end.
record() { echo "$2 $3" >>"$T/$1.res"; }
fig() { sed -n "s/^$2 //p" "$T/$1.res" | tail -1; }

audit_phases() { # size, tag (j1 | j2 | base), stderr file
	for ph in import index reports peak_rss_kib; do
		record "$1" "$2.$ph" "$(timing "$ph" "$3")"
	done
	record "$1" "$2.rules" "$(timing rules "$3")"
	sed -n 's/^probity: timing family \([^ ]*\) \([0-9.]*\)$/\1 \2/p' "$3" | while read -r fam s; do
		record "$1" "$2.family.$fam" "$s"
	done
	sed -n 's/^probity: timing rule \([^ ]*\) \([0-9.]*\)$/\1 \2/p' "$3" | while read -r id s; do
		record "$1" "$2.rule.$id" "$s"
	done
}

eight_rules_ini() { # probity.ini with only the eight rules pandas_rules.py computes
	"$PROBITY" rules | awk '/^[a-z]/ { print $1 }' | while read -r id; do
		case $id in
		competition.single-source | splitting.below-threshold | payments.duplicate | \
			execution.overpayment | execution.value-increase | payments.round-amount | \
			timing.year-end-spike | budget.overspend) ;;
		*) printf '[rule %s]\nenabled = false\n\n' "$id" ;;
		esac
	done >"$T/eight.ini"
}

have_pandas() {
	[ "${BENCH_PANDAS:-1}" != 0 ] && [ -x "$PY" ] && "$PY" -c 'import pandas' 2>/dev/null
}

bench_size() {
	size=$1
	dir=$(ledger "$size")
	: >"$T/$size.res"
	ntables=$(find "$dir" -name '*.csv' | wc -l)
	rows=$(cat "$dir"/*.csv | wc -l)
	rows=$((rows - ntables)) # less the header rows
	bytes=$(cat "$dir"/*.csv | wc -c)
	record "$size" rows "$rows"
	record "$size" bytes "$bytes"
	# shellcheck disable=SC2046
	set -- $(shape "$size")
	say "$size: $rows rows in $ntables tables, $((bytes / 1048576)) MiB of CSV ($1 buyers x $2 officials, $3 suppliers with a director each, $4 tenders)"

	best "$RUNS" "$CSVPARSE" "$dir"/*.csv
	record "$size" parse "$BEST"
	say "$size: bare libcsv parse          $BEST s  $(div "$rows" "$BEST" %.0f) rows/s  $(div "$bytes" "$BEST" %.0f 1048576) MiB/s"

	best "$RUNS" "$PROBITY" check "$dir"
	record "$size" check "$BEST"
	record "$size" check.rss "$BEST_RSS"
	say "$size: import only (check)        $BEST s  $(div "$rows" "$BEST" %.0f) rows/s  peak $(div "$BEST_RSS" 1024 %.0f) MiB"

	# One big file on its own, as a ministry often exports its payments:
	# read in parts on the two threads ([audit] part_bytes), or whole.
	pay=$(wc -c <"$dir/payments.csv")
	best "$RUNS" "$PROBITY" check -j 2 "$dir/payments.csv"
	record "$size" check.payments "$BEST"
	say "$size: payments.csv alone, check -j 2  $BEST s  $(div "$pay" "$BEST" %.1f 1048576) MiB/s  peak $(div "$BEST_RSS" 1024 %.0f) MiB"

	for j in 1 2; do
		best "$RUNS" "$PROBITY" audit -j "$j" --timings --fail-on none -o "$T/out-$size" -f html,json,csv "$dir"
		record "$size" "j$j.wall" "$BEST"
		audit_phases "$size" "j$j" "$T/best.err"
		cp "$T/best.err" "$T/$size.j$j.err"
		say "$size: audit -j $j (html,json,csv)  $BEST s  $(div "$rows" "$BEST" %.0f) rows/s  peak $(div "$(fig "$size" "j$j.peak_rss_kib")" 1024 %.0f) MiB  $(div "$BEST" "$(fig "$size" parse)" %.1f)x the bare parse"
	done
	say "$size: findings: $(sed -n 's/^probity: summary //p' "$T/best.err")"

	# Each report format on its own (one run each, -j 2): the reports phase.
	for f in json csv html; do
		"$PROBITY" audit -j 2 --timings --fail-on none -o "$T/out-$size-$f" -f "$f" "$dir" >/dev/null 2>"$T/err" ||
			{ say "failed: audit -f $f"; exit 1; }
		record "$size" "report.$f" "$(timing reports "$T/err")"
		rm -rf "$T/out-$size-$f"
	done

	if have_pandas; then
		best "$RUNS" "$PY" "$HERE/pandas_rules.py" "$dir"
		record "$size" pandas "$BEST"
		record "$size" pandas.rss "$BEST_RSS"
		sed -n 's/^pandas: \([a-z]*\.[a-z-]*\) \([0-9]*\) \([0-9.]*\)$/\1 \2 \3/p' "$T/best.out" >"$T/$size.pandas"
		cp "$T/best.out" "$T/$size.pandas.out"
		# probity with only those rules, on the five files pandas reads
		# (what the comparison is), then on the whole folder.
		eight_rules_ini
		five="$dir/tenders.csv $dir/contracts.csv $dir/payments.csv $dir/amendments.csv $dir/budget.csv"
		for j in 1 2; do
			# shellcheck disable=SC2086
			best "$RUNS" "$PROBITY" audit -c "$T/eight.ini" -j "$j" --timings --fail-on none -o "$T/out8-$size" -f json $five
			record "$size" "eight.j$j" "$BEST"
			record "$size" "eight.j$j.rss" "$BEST_RSS"
			cp "$T/best.err" "$T/$size.eight.j$j.err"
		done
		best "$RUNS" "$PROBITY" audit -c "$T/eight.ini" -j 2 --fail-on none -o "$T/out8d-$size" -f json "$dir"
		record "$size" eight.dir.j2 "$BEST"
		e=$T/$size.eight.j1.err
		say "$size: pandas, 8 rules on 5 tables   $(fig "$size" pandas) s  peak $(div "$(fig "$size" pandas.rss)" 1024 %.0f) MiB (load $(sed -n 's/^pandas: load //p' "$T/$size.pandas.out"), rules $(awk '{ s += $3 } END { printf "%.3f", s }' "$T/$size.pandas"))"
		say "$size: probity, the same 8 rules, 5 tables  $(fig "$size" eight.j1) s (-j 1; import $(timing import "$e"), index $(timing index "$e"), rules $(timing rules "$e"), reports $(timing reports "$e")), $(fig "$size" eight.j2) s (-j 2), peak $(div "$(fig "$size" eight.j1.rss)" 1024 %.0f) MiB"
		say "$size: probity, the same 8 rules, whole folder  $(fig "$size" eight.dir.j2) s (-j 2)"
		while read -r id n s; do
			p=$(jq -r --arg id "$id" '.coverage[] | select(.rule == $id) | .findings' "$T/out8-$size/findings.json" 2>/dev/null || echo "?")
			say "$size:   $id: pandas $n findings in $s s, probity $p findings in $(fig "$size" "j1.rule.$id") s"
		done <"$T/$size.pandas"
	else
		say "$size: pandas comparison skipped: /usr/bin/python3 cannot import pandas (Debian: apt-get install python3-pandas)"
	fi

	if [ -n "$BASE" ] && [ -x "$BASE" ] && case " $BASE_SIZES " in *" $size "*) true ;; *) false ;; esac; then
		best "$RUNS" "$BASE" audit --fail-on none -o "$T/outb-$size" -f html,json,csv "$dir"
		record "$size" base.wall "$BEST"
		record "$size" base.rss "$BEST_RSS"
		say "$size: BENCH_BASE ($BASE)  $BEST s  peak $(div "$BEST_RSS" 1024 %.0f) MiB"
		say "$size: findings of BENCH_BASE: $(sed -n 's/^probity: summary //p' "$T/best.err")"
	fi
	rm -rf "$T/out-$size" "$T/out8-$size" "$T/out8d-$size" "$T/outb-$size"
}

bench_ocds() {
	n=$1
	file="$DATA/ocds-$n.jsonl"
	stamp="$n $(cksum <"$HERE/gen-ocds.sh")"
	if [ ! -f "$file.stamp" ] || [ "$(cat "$file.stamp")" != "$stamp" ]; then
		sh "$HERE/gen-ocds.sh" "$file" 3 48000 "$n"
		echo "$stamp" >"$file.stamp"
	fi
	bytes=$(wc -c <"$file")
	mb=$(div "$bytes" 1000000 %.1f)
	best "$RUNS" "$PROBITY" check "$file"
	say "ocds: $n compiled releases, $mb MB: import only (check) $BEST s, $(div "$bytes" "$BEST" %.1f 1000000) MB/s, peak $(div "$BEST_RSS" 1024 %.0f) MiB"
	best "$RUNS" "$PROBITY" audit --timings --fail-on none -o "$T/out-ocds" -f json "$file"
	imp=$(timing import "$T/best.err")
	say "ocds: full audit (json) $BEST s, $(div "$bytes" "$BEST" %.1f 1000000) MB/s end to end; import phase $imp s, $(div "$bytes" "$imp" %.1f 1000000) MB/s"
	say "ocds: findings: $(sed -n 's/^probity: summary //p' "$T/best.err")"
	rm -rf "$T/out-ocds"
}

# bench_match NAME GENERATOR EXT WHAT: one file of n contracts per size
# of BENCH_MATCH, each citing a tender or award by id (the importers
# match them through maps): the time per contract should not grow with n.
bench_match() {
	prev_n='' prev_t=''
	for n in $MATCH; do
		file="$DATA/$1-$n.$3"
		stamp="$n $(cksum <"$HERE/$2")"
		if [ ! -f "$file.stamp" ] || [ "$(cat "$file.stamp")" != "$stamp" ]; then
			sh "$HERE/$2" "$file" "$n"
			echo "$stamp" >"$file.stamp"
		fi
		best "$RUNS" "$PROBITY" check "$file"
		grow=''
		[ -n "$prev_t" ] && grow=", x$(div "$n" "$prev_n" %.1f) contracts took x$(div "$BEST" "$prev_t" %.1f) the time"
		say "$1: $4 of $n contracts: import only (check) $BEST s, $(div "$BEST" "$n" %.1f 0.000001) us a contract, peak $(div "$BEST_RSS" 1024 %.0f) MiB$grow"
		prev_n=$n prev_t=$BEST
	done
}

# The growth between consecutive sizes: how much more time per how many
# more rows (1.0 = linear).
growth() {
	prev=
	for size in $SIZES; do
		if [ -n "$prev" ]; then
			r=$(div "$(fig "$size" rows)" "$(fig "$prev" rows)")
			say "growth $prev -> $size: rows x$r"
			for k in parse check j1.wall j2.wall j1.import j1.index j1.rules j2.rules j1.reports j1.peak_rss_kib pandas; do
				a=$(fig "$prev" "$k") b=$(fig "$size" "$k")
				if [ -z "$a" ] || [ -z "$b" ]; then continue; fi
				say "  $k: x$(div "$b" "$a")  (per row x$(div "$b" "$a" %.2f "$r"))"
			done
		fi
		prev=$size
	done
}

table() { # the figures per size as a Markdown table, for bench/RESULTS.md
	printf '\n| figure |'
	for s in $SIZES; do printf ' %s |' "$s"; done
	printf '\n| --- |'
	for s in $SIZES; do printf ' ---: |'; done
	echo
	for k in rows bytes parse check j1.wall j2.wall j1.import j1.index j1.rules j2.rules j1.reports \
		report.json report.csv report.html j1.peak_rss_kib j2.peak_rss_kib pandas eight.j1 eight.j2 eight.dir.j2 base.wall base.rss; do
		printf '| %s |' "$k"
		for s in $SIZES; do printf ' %s |' "$(fig "$s" "$k")"; done
		echo
	done
	fams=$(sed -n 's/^j1\.family\.\([^ ]*\) .*/\1/p' "$T/$(echo "$SIZES" | awk '{ print $1 }').res")
	for fam in $fams; do
		for j in j1 j2; do
			printf '| family %s (%s) |' "$fam" "$j"
			for s in $SIZES; do printf ' %s |' "$(fig "$s" "$j.family.$fam")"; done
			echo
		done
	done
	echo
}

for size in $SIZES; do shape "$size" >/dev/null || exit 2; done
case " $SIZES " in *" 10m "*) say "sizes: $SIZES (about 12 minutes on 2 cores, most of it 10m; BENCH_SIZES=100k for a quick run)" ;;
*) say "sizes: $SIZES" ;; esac
say "probity: $PROBITY ($("$PROBITY" --version 2>/dev/null | head -1)); runs of each command: $RUNS, the best kept"
if [ -n "$MEMLAT" ]; then
	"$MEMLAT" 64 1024 4096 | sed 's/^/bench: /'
fi
for size in $SIZES; do bench_size "$size"; done
[ "$OCDS" -gt 0 ] && bench_ocds "$OCDS"
if [ "$MATCH" != 0 ]; then
	bench_match eforms gen-eforms.sh xml "one notice"
	bench_match ocds-awards gen-ocds-awards.sh json "one release"
fi
growth
table
for size in $SIZES; do
	say "$size: the slowest rules at -j 1:"
	sed -n 's/^probity: timing rule \([^ ]*\) \([0-9.]*\)$/\2 \1/p' "$T/$size.j1.err" | sort -rn | head -8 | sed 's/^/bench:   /'
done
