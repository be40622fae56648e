#!/bin/sh
# tests/e2e/manpage.sh - every option and command in `probity --help` is in
# docs/probity.1, and the other way round.
# Usage: PROBITY=build/probity sh tests/e2e/manpage.sh
set -u
PROBITY=${PROBITY:-build/probity}
MAN=$(dirname "$0")/../../docs/probity.1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PROBITY" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help"
sed 's/\\-/-/g; s/\\f[BIR]//g' "$MAN" | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/man"
"$PROBITY" --help | sed -n '/^commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }' | tr -d , | sort -u >"$T/hcmd"
sed -n '/^\.SH COMMANDS/,/^\.SH OPTIONS/p' "$MAN" | awk 'tp { print $2; tp = 0 } /^\.TP/ { tp = 1 }' |
	tr -d '",' | sort -u >"$T/mcmd"
fails=0
for f in help man hcmd mcmd; do
	[ -s "$T/$f" ] || { echo "FAIL manpage: nothing read for $f"; fails=$((fails + 1)); }
done
comm -23 "$T/help" "$T/man" | while read -r o; do echo "FAIL manpage: $o is in --help, not in docs/probity.1"; done
comm -13 "$T/help" "$T/man" | while read -r o; do echo "FAIL manpage: $o is in docs/probity.1, not in --help"; done
comm -3 "$T/hcmd" "$T/mcmd" | while read -r c; do echo "FAIL manpage: command $c is not in both"; done
n=$( { comm -3 "$T/help" "$T/man"; comm -3 "$T/hcmd" "$T/mcmd"; } | wc -l)
if [ $((n + fails)) -ne 0 ]; then
	exit 1
fi
echo "manpage: $(wc -l <"$T/help") options and $(wc -l <"$T/hcmd") commands in both --help and docs/probity.1"
