#!/bin/sh
# tests/layering/run.sh - the layers run one way (docs/architecture.md):
#
#   cli/                          the command line; may use everything
#   importers/  rules/  reports/  plug-ins; each uses engine/ and itself only
#   engine/                       data model, runner, plug-in contracts
#
# Checked twice, on the sources and on the objects the build made:
#  1. every #include "..." points to a layer the file may use;
#  2. every symbol an object uses is defined in a layer it may use;
#  3. no cycle between modules (one object file is one module), so each
#     can be read, tested and replaced knowing only those below it;
#  4. below cli/, nothing prints errors or exits: only engine/pb.c's
#     pb_fatal (out of memory, a bug) touches stderr, exit or abort.
#
# Usage: sh tests/layering/run.sh [BUILD]   (make layering)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
cd "$ROOT" || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# may FROM-DIR TO-DIR: may code in one use the other?
may() {
	[ "$1" = "$2" ] && return 0
	case $1 in
	cli) return 0 ;;
	importers | rules | reports) [ "$2" = engine ] ;;
	*) return 1 ;;
	esac
}

bad() {
	echo "FAIL layering: $*"
	fails=$((fails + 1))
}

# 1. includes
for f in engine/*.[ch] importers/*.[ch] rules/*.[ch] reports/*.[ch] cli/*.[ch]; do
	from=${f%%/*}
	sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		target=$(dirname "$f")/$inc
		if [ ! -e "$target" ]; then
			# generated tables (build/gen/*.inc) belong to their includer
			case $inc in *.inc) continue ;; esac
			echo "FAIL layering: $f includes missing \"$inc\""
			continue
		fi
		to=$(realpath --relative-to="$ROOT" "$target")
		to=${to%%/*}
		may "$from" "$to" || echo "FAIL layering: $f includes \"$inc\" ($from/ may not use $to/)"
	done
done >"$T/inc"
n=$(grep -c . "$T/inc")
cat "$T/inc"
fails=$((fails + n))

# 2. symbols
objs=
for d in engine importers rules reports cli; do
	for o in "$BUILD/$d"/*.o; do
		[ -e "$o" ] || { bad "no objects in $BUILD/$d: build first (make layering builds them)"; continue; }
		src=$d/$(basename "$o" .o).c
		[ -e "$src" ] || continue # a stale object of a deleted file
		objs="$objs $o"
	done
done
for o in $objs; do
	m=${o#"$BUILD"/}
	m=${m%.o}
	nm --defined-only -g "$o" | awk -v m="$m" 'NF == 3 { print $3, m }'
done | sort -k1,1 >"$T/defs"
for o in $objs; do
	m=${o#"$BUILD"/}
	m=${m%.o}
	nm -u "$o" | awk -v m="$m" '{ print $2, m }'
done | sort -k1,1 >"$T/uses"
join "$T/uses" "$T/defs" | awk '$2 != $3 { print $2, $3, $1 }' | sort -u >"$T/edges"
while read -r from to sym; do
	may "${from%%/*}" "${to%%/*}" || echo "FAIL layering: $from.o uses $sym from $to.o (${from%%/*}/ may not use ${to%%/*}/)"
done <"$T/edges" >"$T/sym"
n=$(grep -c . "$T/sym")
cat "$T/sym"
fails=$((fails + n))

# 3. cycles between modules
awk '{ print $1, $2 }' "$T/edges" | sort -u >"$T/graph"
if ! tsort "$T/graph" >/dev/null 2>"$T/loop"; then
	bad "a cycle between modules:"
	grep -v 'input contains a loop' "$T/loop" | sed 's/^tsort: /    /' | head -20
fi

# 4. printing errors and exiting belong to cli/
for o in $objs; do
	m=${o#"$BUILD"/}
	m=${m%.o}
	case $m in cli/* | engine/pb) continue ;; esac
	for sym in $(nm -u "$o" | awk '{ print $2 }' | grep -xE 'exit|_exit|_Exit|abort|stderr|perror|err|errx|warn|warnx'); do
		bad "$m.o uses $sym: below cli/ report a pb_error, or pb_fatal for a bug"
	done
done

if [ "$fails" -gt 0 ]; then
	echo "layering: $fails problem(s)"
	exit 1
fi
echo "ok   layering: $(echo $objs | wc -w) modules, $(wc -l <"$T/graph") dependencies, one way, no cycle"
