#!/bin/sh
# fuzz/deps.sh - clang and libFuzzer's runtime, as ../.ci/deps does for the
# build: as root it installs what is missing, otherwise it prints the
# exact command and fails.
set -eu
PKGS="clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "probity: installing missing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || true
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
else
	echo "probity: missing Debian packages:$missing" >&2
	echo "probity: run as root:  apt-get install -y$missing" >&2
	exit 1
fi
