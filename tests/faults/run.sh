#!/bin/sh
# tests/faults/run.sh - a report is complete or absent, under injected
# faults.  Audits samples/ into a folder that holds a previous report set,
# with the Nth allocation, the Nth file-system call, or every write past B
# bytes failing (tests/faults/shim.c, LD_PRELOAD), for each reporter:
#   json, csv (findings.csv + entities.csv), html, and text (with json;
#   text goes to standard output, also tried on /dev/full); then html once
#   more with 120 suppliers at one address added, a finding of more
#   evidence rows than the page shows at first.
# Each run must either succeed with exactly the reports of a clean run, or
# exit 3 or 4 with "probity: error:" naming what failed and the previous
# set intact and nothing left behind.  A crash, another status, a partial
# or mixed set fails the test.
# By default N is sampled (the first 8, then 16 spread over the range);
# FAULT_STEP=1 tries every allocation and call (minutes).
# Usage: PROBITY=build/probity [FAULT_STEP=1] sh tests/faults/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 runs=0
NAMES="findings.json findings.csv entities.csv report.html"

bad() { echo "FAIL faults: $1"; fails=$((fails + 1)); }

# A sanitizer's runtime must come first and owns malloc: no shim there.
if ldd "$PROBITY" 2>/dev/null | grep -q 'libasan\|libtsan\|libmsan'; then
	echo "skip faults: $PROBITY is built with a sanitizer (LD_PRELOAD shim not possible)"
	exit 0
fi
${CC:-cc} -shared -fPIC -O1 -o "$T/shim.so" "$HERE/shim.c" -ldl || { echo "faults: cannot build the shim"; exit 1; }

LEDGER=$ROOT/samples/valdoria # what try() and sweep() audit

audit() { # OUT FORMAT [input...]: an audit of samples/ (or the inputs given)
	o=$1 f=$2; shift 2
	[ $# -gt 0 ] || set -- "$ROOT/samples/valdoria"
	"$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" -o "$o" --format "$f" "$@"
}

# The previous set: another audit (two tables only), every format.
mkdir -p "$T/small"
cp "$ROOT/samples/valdoria/contracts.csv" "$ROOT/samples/valdoria/tenders.csv" "$T/small/"
audit "$T/prev" html,json,csv "$T/small" >/dev/null 2>&1
audit "$T/ref" html,json,csv,text >"$T/ref.stdout" 2>/dev/null
for n in $NAMES; do
	[ -s "$T/prev/$n" ] && [ -s "$T/ref/$n" ] || { echo "faults: reference runs failed"; exit 1; }
	cmp -s "$T/prev/$n" "$T/ref/$n" && { echo "faults: previous and new $n are the same"; exit 1; }
done

same_set() { # DIR: each documented name equals the one in DIR
	for n in $NAMES; do cmp -s "$T/out/$n" "$1/$n" || return 1; done
}

# The set expected after success: the format's files new, the others kept.
expect_new() { # FORMAT
	rm -rf "$T/want"; mkdir "$T/want"
	for n in $NAMES; do cp "$T/prev/$n" "$T/want/$n"; done
	case $1 in
	*json*) cp "$T/ref/findings.json" "$T/want/" ;;
	esac
	case $1 in
	*csv*) cp "$T/ref/findings.csv" "$T/ref/entities.csv" "$T/want/" ;;
	esac
	case $1 in
	*html*) cp "$T/ref/report.html" "$T/want/" ;;
	esac
}

leftovers() {
	[ "$(ls -a "$T/out" | grep -c '^\.gen-')" -eq 1 ] && ! ls -a "$T/out" | grep -q 'tmp\|\.lnk$'
}

# One run under a fault given as VAR=VALUE.
try() { # FORMAT VAR=VALUE
	fmt=$1 fault=$2
	runs=$((runs + 1))
	rm -rf "$T/out"; cp -a "$T/prev" "$T/out"
	# Standard error through a pipe: a file size limit must not eat the message.
	{ env "$fault" LD_PRELOAD="$T/shim.so" "$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" \
		-o "$T/out" --format "$fmt" "$LEDGER" 2>&1 >"$T/stdout"; echo $? >"$T/rc"; } |
		cat >"$T/stderr"
	rc=$(cat "$T/rc")
	case $rc in
	0|1)
		same_set "$T/want" || { bad "$fmt $fault: exit $rc but the reports are not the new set"; return; }
		case $fmt in *text*)
			cmp -s "$T/stdout" "$T/ref.stdout" || { bad "$fmt $fault: exit $rc, text summary differs"; return; } ;;
		esac ;;
	3|4)
		grep -q '^probity: error: ' "$T/stderr" || { bad "$fmt $fault: exit $rc without a message"; return; }
		if same_set "$T/prev"; then :
		elif grep -q 'standard output\|text summary' "$T/stderr" && same_set "$T/want"; then :
		else bad "$fmt $fault: exit $rc and the previous set was not kept: $(head -c 300 "$T/stderr")"; return
		fi ;;
	*) bad "$fmt $fault: exit $rc (crash?): $(head -c 300 "$T/stderr")"; return ;;
	esac
	leftovers || bad "$fmt $fault: temporaries left behind: $(ls -a "$T/out" | tr '\n' ' ')"
}

# 1..8, then 16 points spread up to max, the last one max (or every STEP).
points() { # MAX
	if [ -n "${FAULT_STEP:-}" ]; then seq 1 "$FAULT_STEP" "$1"; return; fi
	awk -v m="$1" 'BEGIN { for (i = 1; i <= 8 && i <= m; i++) print i;
		for (k = 1; k <= 16; k++) { n = int(8 + (m - 8) * k / 16); if (n > 8) print n } }' | sort -nu
}

# Every sampled fault on an audit of $LEDGER in FORMAT.
sweep() { # FORMAT LABEL
	fmt=$1
	expect_new "$fmt"
	rm -rf "$T/out"; cp -a "$T/prev" "$T/out"
	PB_FAULT_COUNT="$T/count" LD_PRELOAD="$T/shim.so" "$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" \
		-o "$T/out" --format "$fmt" "$LEDGER" >/dev/null 2>&1
	read -r allocs calls <"$T/count" || { bad "$2: the shim counted nothing"; return; }
	before=$fails
	for n in $(points "$allocs"); do try "$fmt" PB_FAULT_ALLOC="$n"; done
	for n in $(seq 1 "$calls"); do try "$fmt" PB_FAULT_CALL="$n"; done
	for b in 0 1 100 4096 5000 20000 60000 100000; do try "$fmt" PB_FAULT_FSIZE="$b"; done
	[ $fails -eq $before ] && echo "ok   faults: $2 ($allocs allocations, $calls calls)"
}

for fmt in json csv html json,text; do
	sweep "$fmt" "$fmt"
done

hruns_() { "$PROBITY" history list --history "$1" -f json 2>/dev/null | jq 'length'; }
# With --history: the run is recorded if and only if its reports were
# written (one transaction), and the history still verifies.  The
# history before each try holds one run, of the previous set.
"$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" -o "$T/hprev" --format html \
	--history "$T/h0.sqlite" "$T/small" >/dev/null 2>&1
[ "$(hruns_ "$T/h0.sqlite")" = 1 ] || { echo "faults: history reference run failed"; exit 1; }
try_history() { # VAR=VALUE
	fault=$1
	runs=$((runs + 1))
	rm -rf "$T/out" "$T/h.sqlite"*; cp -a "$T/prev" "$T/out"; cp "$T/h0.sqlite" "$T/h.sqlite"
	{ env "$fault" LD_PRELOAD="$T/shim.so" "$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" \
		-o "$T/out" --format html --history "$T/h.sqlite" "$ROOT/samples/valdoria" 2>&1 >/dev/null; echo $? >"$T/rc"; } |
		cat >"$T/stderr"
	rc=$(cat "$T/rc") hn=$(hruns_ "$T/h.sqlite")
	"$PROBITY" history verify --history "$T/h.sqlite" >/dev/null 2>&1 ||
		{ bad "history $fault: exit $rc and the history no longer verifies"; return; }
	case $rc in
	0|1) [ "$hn" = 2 ] && [ -s "$T/out/report.html" ] && ! cmp -s "$T/out/report.html" "$T/prev/report.html" ||
		bad "history $fault: exit $rc but $hn runs recorded or report.html not new" ;;
	3|4) grep -q '^probity: error: ' "$T/stderr" || { bad "history $fault: exit $rc without a message"; return; }
		# the reports may be in place when only the commit failed; the
		# run is then not in the history, and the message says so
		if [ "$hn" = 1 ] && same_set "$T/prev"; then :
		elif [ "$hn" = 1 ] && grep -q 'not in the history' "$T/stderr"; then :
		else bad "history $fault: exit $rc with $hn runs recorded: $(head -c 300 "$T/stderr")"
		fi ;;
	*) bad "history $fault: exit $rc (crash?): $(head -c 300 "$T/stderr")" ;;
	esac
}
cp "$T/h0.sqlite" "$T/h.sqlite"
rm -rf "$T/out"; cp -a "$T/prev" "$T/out"
PB_FAULT_COUNT="$T/count" LD_PRELOAD="$T/shim.so" "$PROBITY" audit -c "$ROOT/samples/valdoria/probity.ini" \
	-o "$T/out" --format html --history "$T/h.sqlite" "$ROOT/samples/valdoria" >/dev/null 2>&1
if read -r allocs calls <"$T/count"; then
	before=$fails
	for n in $(points "$allocs"); do try_history PB_FAULT_ALLOC="$n"; done
	for n in $(seq 1 "$calls"); do try_history PB_FAULT_CALL="$n"; done
	for b in 0 4096 100000; do try_history PB_FAULT_FSIZE="$b"; done
	[ $fails -eq $before ] && echo "ok   faults: html with --history ($allocs allocations, $calls calls)"
else
	bad "history: the shim counted nothing"
fi

# The text summary on a full standard output: exit 3, the files in place.
expect_new json
rm -rf "$T/out"; cp -a "$T/prev" "$T/out"
audit "$T/out" json,text >/dev/full 2>"$T/stderr"; rc=$?
[ $rc -eq 3 ] && grep -q 'text summary\|standard output' "$T/stderr" && same_set "$T/want" &&
	echo "ok   faults: text on a full standard output exits 3" ||
	bad "text on /dev/full: exit $rc: $(head -c 300 "$T/stderr")"

# report.html with a finding of more evidence rows than it shows at
# first (the rest as JSON after it): the samples and 120 suppliers at
# one address.
LEDGER=$T/crowd
cp -r "$ROOT/samples/valdoria" "$LEDGER"
awk -v addresses=1 -v per=120 -v bad=100 -f "$ROOT/tests/browser/gen-crowd.awk" >>"$LEDGER/parties.csv"
audit "$T/ref" html,json,csv "$LEDGER" >/dev/null 2>&1
if grep -q 'class="ev-rest"' "$T/ref/report.html"; then
	sweep html "html with long evidence"
else
	bad "the crowded samples' report.html has no finding with long evidence"
fi

if [ $fails -ne 0 ]; then
	echo "faults: $fails failure(s) in $runs runs"
	exit 1
fi
echo "faults: all $runs runs complete or absent"
exit 0
