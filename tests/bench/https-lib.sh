# shellcheck shell=bash
# https-lib.sh - helpers for tests/bench/https.sh and tests/bench/storm.sh
# (sourced, not run).
#
# Everything a benchmark creates is named from one tag, BH_TAG ("pbh" +
# the script's PID): network namespaces $BH_TAG-*, interfaces created
# inside them, one temporary directory $BH_TMP. bh_cleanup (the EXIT trap,
# also on failure and Ctrl-C) stops the processes the script started, by
# the PIDs it recorded, then whatever still runs inside its namespaces,
# and removes the namespaces and the directory.
#
# Output contract with tests/bench/run: Markdown table rows on stdout,
# everything else on stderr (bh_log).

BH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The process and statistics helpers of dhcp.sh and leases.sh.
. "$BH_TOP/tests/bench/benchlib.sh"
# shellcheck disable=SC2034 # used by the scripts
BH_TAG=pbh$$
BH_NETNS=()
BH_PIDS=()
BH_TMP=

bh_log() {
	printf '%s\n' "$*" >&2
}

bh_die() {
	bh_log "error: $*"
	exit 1
}

# bh_need_root NAME
bh_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		bh_log "$1: needs root (network namespaces, packages)"
		exit 77
	fi
}

# bh_need_tools TOOL=PACKAGE...: installs the Debian packages of missing
# tools (nginx-light without letting its install start the host's nginx:
# see bh_install).
bh_need_tools() {
	local w pkgs=()

	for w in "$@"; do
		command -v "${w%%=*}" >/dev/null 2>&1 || pkgs+=("${w#*=}")
	done
	[ ${#pkgs[@]} -eq 0 ] && return 0
	bh_install "${pkgs[@]}"
	for w in "$@"; do
		command -v "${w%%=*}" >/dev/null 2>&1 ||
		    bh_die "missing ${w%%=*} (apt-get install ${w#*=} failed)"
	done
}

# bh_install PACKAGE...: apt-get install with services kept from starting:
# a policy-rc.d that refuses (exit 101) is put in place only if there is
# none, and removed afterwards. If the host had no nginx running before
# and one runs from /run/nginx.pid after, the install started it: it is
# stopped by that PID.
bh_install() {
	local made=0 before after

	bh_log "installing: $*"
	before=$(cat /run/nginx.pid 2>/dev/null)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
	    { apt-get update -qq >/dev/null 2>&1 &&
	    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }
	[ "$made" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
	after=$(cat /run/nginx.pid 2>/dev/null)
	if [ -z "$before" ] && [ -n "$after" ] && kill -0 "$after" 2>/dev/null; then
		bh_log "stopping the nginx service the install started (pid $after)"
		kill -QUIT "$after" 2>/dev/null
	fi
}

# bh_build [DIR]: sets BH_BUILD: DIR, or $PB_BENCH_BUILD, or
# build-bench2 next to the sources, configured -O2 without sanitizers and
# made here when needed.
bh_build() {
	local b=${1:-${PB_BENCH_BUILD:-$BH_TOP/build-bench2}} jobs

	jobs=$(nproc 2>/dev/null || echo 2)
	mkdir -p "$b" || bh_die "cannot make $b"
	BH_BUILD=$(cd "$b" && pwd)
	if [ ! -f "$BH_BUILD/Makefile" ]; then
		bh_log "configuring $BH_BUILD (-O2, no sanitizers)"
		if [ ! -x "$BH_TOP/configure" ]; then
			(cd "$BH_TOP" && ./autogen.sh) >"$BH_BUILD/autogen.out" 2>&1 ||
			    bh_die "autogen.sh failed ($BH_BUILD/autogen.out)"
		fi
		(cd "$BH_BUILD" && "$BH_TOP/configure" CFLAGS="-g -O2") \
		    >"$BH_BUILD/configure.out" 2>&1 ||
		    bh_die "configure failed ($BH_BUILD/configure.out)"
	fi
	# Always: pbprobe is a check program, which "make all" (and so
	# tests/bench/run) leaves as it was; a stale one skews the storm.
	# One goal after the other: "all" recurses, and two goals built at
	# once both relink common/libprovbox.la.
	(cd "$BH_BUILD" && make -j"$jobs" all &&
	    make -j"$jobs" tests/tools/pbprobe) \
	    >"$BH_BUILD/make-bench.out" 2>&1 ||
	    bh_die "make failed ($BH_BUILD/make-bench.out)"
	for f in provbox-dhcpd provbox-provisiond provboxctl tests/tools/pbprobe; do
		[ -x "$BH_BUILD/$f" ] || bh_die "$BH_BUILD/$f is missing"
	done
}

# bh_start: the temporary directory and the cleanup traps.
bh_start() {
	BH_TMP=$(mktemp -d "/tmp/provbox-bench.XXXXXX") || exit 1
	trap bh_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# bh_track PID: a process to stop at the end.
bh_track() {
	BH_PIDS+=("$1")
}

# bh_stop PID: SIGTERM, SIGKILL after 5 s; only for tracked PIDs.
bh_stop() {
	local i

	kill -TERM "$1" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		bench_alive "$1" || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

bh_cleanup() {
	local rc=$? p ns

	trap - EXIT INT TERM HUP
	set +e
	for p in "${BH_PIDS[@]}"; do
		bh_stop "$p"
	done
	# Whatever still runs in our namespaces was started by this script.
	for ns in "${BH_NETNS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${PB_KEEP:-}" ]; then
		bh_log "kept $BH_TMP"
	elif [ -n "$BH_TMP" ] && [ -d "$BH_TMP" ]; then
		rm -rf -- "$BH_TMP"
	fi
	exit "$rc"
}

# bh_ns_add NAME: a namespace with loopback up, IPv6 off.
bh_ns_add() {
	ip netns add "$1" || bh_die "ip netns add $1"
	BH_NETNS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	return 0
}

# bh_certs DIR IP: DIR/ca.crt, DIR/server.crt, DIR/server.key (EC P-256,
# the server's for IP).
bh_certs() {
	local d=$1 ip=$2 e=$1/openssl.err

	(umask 077 &&
	    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$d/ca.key" 2>>"$e" &&
	    openssl req -new -x509 -key "$d/ca.key" -out "$d/ca.crt" -days 2 \
	    -subj "/O=provbox bench/CN=provbox bench CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$e" &&
	    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$d/server.key" 2>>"$e" &&
	    openssl req -new -key "$d/server.key" -subj "/CN=$ip" \
	    -out "$d/server.csr" 2>>"$e" &&
	    printf '%s\n' "basicConstraints=CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" "subjectAltName=IP:$ip" >"$d/ext" &&
	    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" \
	    -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
	    -days 2 -extfile "$d/ext" -out "$d/server.crt" 2>>"$e") ||
	    bh_die "certificates: $(tail -n 2 "$e")"
}

# bh_stats: reads numbers, one per line; prints "median min max" (the
# lower median for an even count), "- - -" for none.
bh_stats() {
	local v

	mapfile -t v
	if [ ${#v[@]} -eq 0 ]; then
		echo "- - -"
	else
		bench_stats "${v[@]}"
	fi
}

# bh_cpu_ticks PID: user + system clock ticks the process has used.
bh_cpu_ticks() {
	bench_cpu_ticks "$1" || echo 0
}

# bh_now_ms
bh_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
