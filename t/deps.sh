#!/bin/sh
# t/deps.sh (make deps): installs the Debian packages pperf needs when they
# are missing and we are root; otherwise prints the command to run.
# Prints nothing when everything is present.

pkgs="libjansson-dev libcurl4-openssl-dev libpcre2-dev check pkg-config mandoc"

if ! command -v dpkg >/dev/null 2>&1; then
	if pkg-config --exists jansson libcurl libpcre2-8 check 2>/dev/null; then
		exit 0
	fi
	echo "deps: not a Debian system; install jansson, libcurl, pcre2, check, pkg-config and mandoc" >&2
	exit 2
fi

# optional: the PostgreSQL integration test (t/e2e/60-pg-notify.sh) skips without them;
# make bench times ripgrep as the floor when it is installed; t/e2e/33-formats.sh
# renders the HTML report in headless chromium and skips that part without it;
# make fuzz uses clang's libFuzzer (else its own mutation loop), make valgrind valgrind;
# t/e2e/35-ci.sh needs git (--since), script of util-linux (the progress line on
# a terminal) and python3-yaml (the CI files) for those parts
optional="python3-psycopg2 ripgrep chromium clang libclang-rt-14-dev valgrind git util-linux python3-yaml"

if [ "$(id -u)" -eq 0 ]; then
	for p in $optional; do
		if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
			echo "deps: installing optional $p" >&2
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p"; } >/dev/null 2>&1 ||
				echo "deps: could not install $p (the tests that need it will skip)" >&2
		fi
	done
fi

missing=
for p in $pkgs; do
	if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing$missing" >&2
	apt-get update -qq || exit 4
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing || exit 4
	exit 0
fi
echo "deps: missing packages; run:" >&2
echo "sudo apt-get install$missing" >&2
exit 2
