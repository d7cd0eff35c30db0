# lib.sh - helpers for the provbox integration suites (sourced, not run).
#
# A suite calls pb_init BUILD_DIR RESULTS_FILE NAME first. Everything the
# suite creates is named from one tag, PB_TAG ("pbt" + the suite's PID), so
# two runs never meet and nothing of the host is touched:
#   network namespaces  $PB_TAG-srv, $PB_TAG-c1, ...
#   interfaces          ${PB_TAG}br, ${PB_TAG}s1, ${PB_TAG}c1, ... (<= 15
#                       chars; created inside those namespaces, never in the
#                       host's)
#   files               one temporary directory, $PB_TMP (and what a suite
#                       lists in PB_CREATED_FILES / PB_CREATED_DIRS)
# pb_cleanup (run by the EXIT trap, also on failure and Ctrl-C) stops every
# process the suite started, by PID, removes the namespaces (which takes
# their interfaces with them) and the temporary directory.
#
# Tests run one at a time in a subshell (pb_run), bounded by a watchdog; a
# test reports with pb_pass, or fails with pb_fail/die, and every external
# command inside it is bounded by timeout(1).

# shellcheck disable=SC2034 # PB_* variables are for the suites
PB_PASSED=0
PB_FAILED=0
PB_NETNS=()
PB_CREATED_FILES=()
PB_CREATED_DIRS=()

# ---------------------------------------------------------------- reporting

pb_say() {
	printf '%s\n' "$*"
}

pb_note() {
	printf '  %s\n' "$*" >&2
}

# pb_pass [NAME]: the current test (or NAME) passed.
pb_pass() {
	local name=${1:-$PB_TEST}

	pb_say "PASS $name"
	printf 'PASS %s\n' "$name" >>"$PB_TMP/results.log"
}

# pb_fail NAME REASON...: reports a failure; the caller goes on.
pb_fail() {
	local name=$1

	shift
	pb_say "FAIL $name: $*"
	printf 'FAIL %s: %s\n' "$name" "$*" >>"$PB_TMP/results.log"
}

# die REASON...: fails the current test and leaves it (tests run in a
# subshell, so exit ends the test, not the suite).
die() {
	pb_fail "$PB_TEST" "$*"
	exit 1
}

# ------------------------------------------------------------ set-up, tools

# The tools a suite needs, as "tool=debian-package" words. A suite sets
# PB_TOOLS before pb_init; the default is what dhcp.sh needs. Tools in
# PB_TOOLS_OPTIONAL are installed when missing, but the suite runs without
# them (it checks with command -v and falls back).
PB_TOOLS_DHCP="dhclient=isc-dhcp-client udhcpc=udhcpc dhcpcd=dhcpcd-base
	dhcrelay=isc-dhcp-relay tshark=tshark ip=iproute2"

# pb_need_tools: exits 77 unless root and every tool of PB_TOOLS is there;
# installs the Debian packages of missing ones (and of missing
# PB_TOOLS_OPTIONAL ones) first.
pb_need_tools() {
	local missing=() pkgs=() names=() w t

	if [ "$(id -u)" -ne 0 ]; then
		pb_say "SKIP $PB_SUITE: needs root (network namespaces)"
		exit 77
	fi
	for w in ${PB_TOOLS:-$PB_TOOLS_DHCP} ${PB_TOOLS_OPTIONAL:-}; do
		command -v "${w%%=*}" >/dev/null 2>&1 || pkgs+=("${w#*=}")
	done
	if [ ${#pkgs[@]} -gt 0 ]; then
		pb_note "installing: ${pkgs[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq "${pkgs[@]}" >/dev/null 2>&1 ||
		    { apt-get update -qq >/dev/null 2>&1 &&
		    apt-get install -y -qq "${pkgs[@]}" >/dev/null 2>&1; }
		# One missing optional package must not keep the others out.
		for w in "${pkgs[@]}"; do
			dpkg-query -W -f='${Status}' "$w" 2>/dev/null |
			    grep -q 'install ok installed' ||
			    apt-get install -y -qq "$w" >/dev/null 2>&1
		done
	fi
	for w in ${PB_TOOLS:-$PB_TOOLS_DHCP}; do
		names+=("${w%%=*}")
	done
	for t in "${names[@]}" timeout od ps; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		pb_say "SKIP $PB_SUITE: missing ${missing[*]}"
		exit 77
	fi
	if ! ip netns list >/dev/null 2>&1; then
		pb_say "SKIP $PB_SUITE: no network namespace support"
		exit 77
	fi
}

# pb_init BUILD RESULTS NAME
pb_init() {
	PB_BUILD=$(cd "$1" 2>/dev/null && pwd) || PB_BUILD=$1
	PB_RESULTS=$2
	PB_SUITE=$3
	PB_START=$(date +%s)
	PB_TAG=pbt$$
	pb_need_tools
	PB_TMP=$(mktemp -d /tmp/provbox-it.XXXXXX) || exit 1
	: >"$PB_TMP/results.log"
	: >"$PB_TMP/pids"
	trap pb_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	DHCPD=$PB_BUILD/provbox-dhcpd
	CTL=$PB_BUILD/provboxctl
	PROBE=$PB_BUILD/tests/tools/pbprobe
	if [ ! -x "$PROBE" ] && [ -f "$PB_BUILD/Makefile" ]; then
		pb_note "building tests/tools/pbprobe"
		timeout 300 make -C "$PB_BUILD" tests/tools/pbprobe \
		    >"$PB_TMP/make.out" 2>&1
	fi
	local b
	for b in "$DHCPD" "$CTL" "$PROBE"; do
		if [ ! -x "$b" ]; then
			pb_fail build "$b is missing (build first:" \
			    "make && make tests/tools/pbprobe)"
			pb_finish
		fi
	done
}

# ------------------------------------------------------------- processes

# Start time of a PID (field 22 of /proc/PID/stat), to tell our process
# from a later one that got the same PID.
pb_starttime() {
	local s

	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split into the stat fields
	set -- $s
	printf '%s\n' "${20}"
}

# pb_track PID: remembers a process this suite started.
pb_track() {
	printf '%s %s\n' "$1" "$(pb_starttime "$1")" >>"$PB_TMP/pids"
}

# pb_alive PID: the process is there and not a zombie.
pb_alive() {
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# pb_ours PID: PID is a process this suite started (pb_track), not a
# later one that got its number.
pb_ours() {
	local want

	want=$(awk -v p="$1" '$1 == p { s = $2 } END { print s }' \
	    "$PB_TMP/pids" 2>/dev/null)
	[ -n "$want" ] && [ "$(pb_starttime "$1")" = "$want" ]
}

# pb_stop PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 5).
# Only for PIDs this suite started and tracked; returns when the process
# is gone.
pb_stop() {
	local pid=$1 limit=${2:-5} i

	[ -n "$pid" ] || return 0
	pb_ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < limit * 10; i++)); do
		pb_alive "$pid" || break
		sleep 0.1
	done
	if pb_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# pb_wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; 1 if it never does.
pb_wait_for() {
	local limit=$1 end

	shift
	end=$(($(date +%s%N) / 1000000 + limit * 1000))
	while :; do
		"$@" && return 0
		[ $(($(date +%s%N) / 1000000)) -ge "$end" ] && return 1
		sleep 0.1
	done
}

# pb_grep_after FILE LINE REGEX: REGEX in FILE after line LINE.
pb_grep_after() {
	tail -n "+$(($2 + 1))" "$1" 2>/dev/null | grep -qE -- "$3"
}

# pb_count_after FILE LINE REGEX
pb_count_after() {
	tail -n "+$(($2 + 1))" "$1" 2>/dev/null | grep -cE -- "$3"
}

pb_lines() {
	wc -l <"$1" 2>/dev/null || echo 0
}

# pb_run NAME SECONDS FUNCTION: runs one test in a subshell with a
# watchdog. The test reports itself; a test that reports nothing or runs
# past SECONDS is a failure. With PB_ONLY set, only the tests it names run.
pb_run() {
	local name=$1 limit=$2 fn=$3 pid wd before after

	if [ -n "${PB_ONLY:-}" ] && [[ " $PB_ONLY " != *" $name "* ]]; then
		return 0
	fi
	before=$(pb_lines "$PB_TMP/results.log")
	(
		PB_TEST=$name
		PB_TEST_PIDS=()
		trap pb_test_cleanup EXIT
		trap 'exit 124' TERM
		"$fn"
	) &
	pid=$!
	pb_track "$pid"
	(
		trap 'kill "${s:-}" 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		s=$!
		wait "$s"
		echo "$limit" >"$PB_TMP/timed-out.$pid"
		kill -TERM "$pid" 2>/dev/null
	) &
	wd=$!
	pb_track "$wd"
	wait "$pid"
	kill -TERM "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	after=$(pb_lines "$PB_TMP/results.log")
	if [ -e "$PB_TMP/timed-out.$pid" ]; then
		pb_fail "$name" "timed out after ${limit}s"
	elif [ "$after" -eq "$before" ]; then
		pb_fail "$name" "the test ended without a result"
	fi
}

# pb_bg COMMAND...: starts COMMAND in the background for the current test;
# PB_BG_PID is its PID. The test's EXIT trap stops it.
pb_bg() {
	"$@" &
	PB_BG_PID=$!
	PB_TEST_PIDS+=("$PB_BG_PID")
	pb_track "$PB_BG_PID"
}

pb_test_cleanup() {
	local p

	for p in "${PB_TEST_PIDS[@]}"; do
		pb_stop "$p" 3
	done
}

# ------------------------------------------------ config trees and users

# pb_conf_tree DIR SERVER_IP: DIR/tls with a fresh key pair for
# SERVER_IP (the key 0600), and the shipped vendors.conf and templates
# copied into DIR. The suite writes provbox.conf and users.conf there.
pb_conf_tree() {
	local dir=$1 ip=$2 top

	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$dir/tls" || return 1
	cp "$top/etc/vendors.conf" "$dir/" &&
	    cp -r "$top/etc/templates" "$dir/" || return 1
	(umask 077 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -keyout "$dir/tls/server.key" -out "$dir/tls/server.crt" \
	    -subj "/CN=$ip" -addext "subjectAltName=IP:$ip" \
	    2>"$PB_TMP/openssl.err")
}

# pb_conf_share DIR USER RUN_DIR REG_DIR: the tree as daemons that run as
# USER read it again on a reload: root's, readable by USER's group only
# (the key 0640), the suite's directory passable (0711); RUN_DIR and
# REG_DIR USER's own, mode 0700.
pb_conf_share() {
	local dir=$1 user=$2 run=$3 reg=$4 grp

	grp=$(id -gn "$user") || return 1
	mkdir -p "$run" "$reg" || return 1
	chmod 711 "$PB_TMP" || return 1
	chgrp -R "$grp" "$dir" && chmod -R g+rX,o-rwx "$dir" &&
	    chmod 640 "$dir/tls/server.key" || return 1
	chown "$user:$grp" "$run" "$reg" && chmod 700 "$run" "$reg"
}

# pb_conf_simple FILE NET SRV_IP REG RUN USER LEVEL [DHCP_EXTRA [TOP_EXTRA
# [PROV_EXTRA]]]:
# a provbox.conf for one /24 (NET: "10.42.0"), its pool .100-.200, the
# router and HTTPS on SRV_IP with pb_conf_tree's key pair, the registry
# in REG (no fsync: tests), run_dir RUN, user USER ("" for none), log
# LEVEL; DHCP_EXTRA lines go into the dhcp group, TOP_EXTRA before the
# includes of vendors.conf and users.conf, PROV_EXTRA into the
# provisioning group.
pb_conf_simple() {
	local user=""

	[ -n "$6" ] && user="user = \"$6\";"
	cat >"$1" <<EOF
# Written by $(basename "$0").
registry = { path = "$4"; map_size_mb = 64; sync = false; };
log = { level = "$7"; };
run_dir = "$5";
$user
dhcp = {
  authoritative = true;
${8:-}
  subnets = (
    { subnet = "$2.0/24";
      pools = ( { start = "$2.100"; end = "$2.200"; } );
      routers = [ "$3" ]; }
  );
};
provisioning = {
  listen = [ "$3:443" ];
  base_url = "https://$3";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
${10:-}
};
${9:-}
@include "vendors.conf"
@include "users.conf"
EOF
}

# pb_users_one FILE NAME EXTENSION PASSWORD SRV_IP MAC: a users.conf of
# one user with one Yealink T46S.
pb_users_one() {
	cat >"$1" <<EOF
users = (
  { name = "$2"; display_name = "${2^}";
    sip = { user = "$3"; password = "$4"; server = "$5"; };
    devices = ( { mac = "$6"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
}

# ----------------------------------------------------------------- daemons

# pb_daemon_start NAME NS LOG READY_RE COMMAND...: starts COMMAND in
# namespace NS, its output appended to LOG, and records its PID under
# NAME; 0 once READY_RE shows in LOG (after what was there) and it lives.
pb_daemon_start() {
	local name=$1 ns=$2 log=$3 re=$4 mark pid

	shift 4
	mark=$(pb_lines "$log")
	ip netns exec "$ns" "$@" >>"$log" 2>&1 &
	pid=$!
	# Some tests kill it on purpose: no job report from bash about it.
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/$name.pid"
	pb_wait_for 20 pb_grep_after "$log" "$mark" "$re" && pb_alive "$pid"
}

# pb_daemon_pid NAME: the PID pb_daemon_start recorded, if any.
pb_daemon_pid() {
	cat "$PB_TMP/$1.pid" 2>/dev/null
}

# pb_daemon_stop NAME: SIGTERM (SIGKILL after 20 s); 1 if it was not
# running.
pb_daemon_stop() {
	local pid

	pid=$(pb_daemon_pid "$1")
	rm -f "$PB_TMP/$1.pid"
	[ -n "$pid" ] && pb_alive "$pid" || return 1
	pb_stop "$pid" 20
}

# -------------------------------------------------------------- namespaces

pb_ns_add() {
	ip netns add "$1" || return 1
	PB_NETNS+=("$1")
	ip -n "$1" link set lo up
	# IPv6 would only add noise (router solicitations, DAD) to captures.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	return 0
}

# pb_bridge NS BR ADDR/PREFIX [BRIDGE_OPTIONS...]: namespace NS with a
# bridge BR holding ADDR, up.
pb_bridge() {
	local ns=$1 br=$2 addr=$3

	shift 3
	pb_ns_add "$ns" &&
	    ip -n "$ns" link add "$br" type bridge "$@" &&
	    ip -n "$ns" addr add "$addr" dev "$br" &&
	    ip -n "$ns" link set "$br" up
}

# pb_bridge_port NS_BR BR NS IF [MAC]: namespace NS with IF (MAC, if
# given), a veth whose other end, IFp, is a port of BR in NS_BR; all up.
pb_bridge_port() {
	pb_ns_add "$3" &&
	    ip -n "$1" link add "${4}p" type veth peer name "$4" netns "$3" &&
	    ip -n "$1" link set "${4}p" master "$2" up || return 1
	[ -z "${5:-}" ] || ip -n "$3" link set "$4" address "$5" || return 1
	ip -n "$3" link set "$4" up
}

# pb_start_dhcpd NS CONF LOG RUN / pb_start_provd NS CONF LOG RUN: the
# daemon with -f on CONF in namespace NS, its output in LOG, recorded as
# "dhcpd" / "provd" (pb_daemon_pid); 0 once it said it started and its
# control socket is in RUN.
pb_start_dhcpd() {
	pb_daemon_start dhcpd "$1" "$3" "provbox-dhcpd started" \
	    "$PB_BUILD/provbox-dhcpd" -f -c "$2" &&
	    pb_wait_for 10 test -S "$4/provbox-dhcpd.ctl"
}

pb_start_provd() {
	pb_daemon_start provd "$1" "$3" "provbox-provisiond started" \
	    "$PB_BUILD/provbox-provisiond" -f -c "$2" &&
	    pb_wait_for 10 test -S "$4/provbox-provisiond.ctl"
}

# pb_fetch NS CACERT OUT URL: curl in NS trusting CACERT; OUT.code the
# status ("000": no answer), OUT.body, OUT.err.
pb_fetch() {
	ip netns exec "$1" timeout 20 curl -sS --max-time 15 \
	    --cacert "$2" -o "$3.body" -w '%{http_code}' "$4" \
	    >"$3.code" 2>"$3.err"
	[ -s "$3.code" ] || echo 000 >"$3.code"
}

# pb_logs_clean SECRETS FILE...: dies (die) naming the file if any FILE
# holds a sanitizer report or one of the words of SECRETS (passwords,
# tokens); 0 otherwise.
pb_logs_clean() {
	local secrets=$1 f s

	shift
	for f in "$@"; do
		grep -qE "runtime error|Sanitizer" "$f" &&
		    die "$(basename "$f"): $(grep -m 1 -E "runtime error|Sanitizer" "$f")"
		for s in $secrets; do
			grep -qF -- "$s" "$f" &&
			    die "a password or token in $(basename "$f")"
		done
	done
	return 0
}

# pb_veth NS_A IF_A NS_B IF_B IP_A [MAC_B]: a veth pair from NS_A to NS_B,
# IP_A/24 on IF_A, MAC_B (if given) on IF_B, both up.
pb_veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	if [ -n "${6:-}" ]; then
		ip -n "$3" link set "$4" address "$6" || return 1
	fi
	ip -n "$1" addr add "$5/24" dev "$2" && ip -n "$1" link set "$2" up &&
	    ip -n "$3" link set "$4" up
}

# pb_ns_exec NS COMMAND...
pb_ns_exec() {
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# ----------------------------------------------------------------- cleanup

pb_cleanup() {
	local rc=$? pid start now ns p f

	trap - EXIT INT TERM HUP
	set +e
	# Processes the suite started, newest first, if still the same ones.
	if [ -f "$PB_TMP/pids" ]; then
		tac "$PB_TMP/pids" | while read -r pid start; do
			now=$(pb_starttime "$pid") || continue
			[ "$now" = "$start" ] && pb_stop "$pid" 3
		done
	fi
	# Whatever still runs inside our namespaces was started by us.
	for ns in "${PB_NETNS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -TERM "$p" 2>/dev/null
		done
	done
	sleep 0.3
	for ns in "${PB_NETNS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for ns in "${PB_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for f in "${PB_CREATED_FILES[@]}"; do
		rm -f -- "$f"
	done
	for f in "${PB_CREATED_DIRS[@]}"; do
		rmdir -- "$f" 2>/dev/null
	done
	if [ -n "${PB_KEEP:-}" ]; then
		echo "kept $PB_TMP" >&2
	elif [ -n "${PB_TMP:-}" ] && [ -d "$PB_TMP" ]; then
		rm -rf -- "$PB_TMP"
	fi
	exit "$rc"
}

# pb_finish: the results line and the last line; exits 0 or 1.
pb_finish() {
	PB_PASSED=$(grep -c '^PASS ' "$PB_TMP/results.log")
	PB_FAILED=$(grep -c '^FAIL ' "$PB_TMP/results.log")
	[ -n "$PB_RESULTS" ] &&
	    echo "$PB_SUITE $PB_PASSED $PB_FAILED" >>"$PB_RESULTS"
	pb_note "run time: $(($(date +%s) - PB_START))s"
	pb_say "$PB_SUITE: $PB_PASSED passed, $PB_FAILED failed"
	[ "$PB_FAILED" -eq 0 ] && [ "$PB_PASSED" -gt 0 ]
	exit $?
}

# ---------------------------------------------------------------- captures

# pb_capture_start NS IFACE FILE: tshark on IFACE in NS, DHCP only;
# PB_CAP_PID is its PID. Returns once the capture runs.
pb_capture_start() {
	pb_bg ip netns exec "$1" timeout 120 tshark -i "$2" \
	    -f "udp port 67 or udp port 68" -w "$3" -q >"$3.log" 2>&1
	PB_CAP_PID=$PB_BG_PID
	pb_wait_for 15 grep -q "Capturing on" "$3.log" || return 1
	sleep 0.3
}

# pb_capture_stop: ends the capture and lets it write its file.
pb_capture_stop() {
	sleep 0.3
	pb_stop "$PB_CAP_PID" 5
}

# pb_capture_options FILE: one line per DHCP option of every packet:
# "FRAME SRC DST MSGTYPE CHADDR CODE HEXVALUE" (from the raw UDP payload,
# so nothing is lost to a dissector's idea of the option).
pb_capture_options() {
	local frame src dst h mt mac code val

	tshark -r "$1" -T fields -e frame.number -e ip.src -e ip.dst \
	    -e udp.payload 2>/dev/null |
	while read -r frame src dst h; do
		h=${h//:/}
		mt=$(pb_dhcp_opts "$h" | awk '$1 == 53 { print $2 }')
		mac=${h:56:12}
		mac=$(sed 's/../&:/g; s/:$//' <<<"$mac")
		pb_dhcp_opts "$h" | while read -r code val; do
			echo "$frame $src $dst ${mt:-00} $mac $code $val"
		done
	done
}

# --------------------------------------------------------------- DHCP bytes

# pb_dhcp_opts HEX: "CODE HEXVALUE" for each option of a DHCP message
# given as hex (header 236 bytes, magic cookie, options).
pb_dhcp_opts() {
	local h=$1 i=480 n=${#1} code len

	[ "${h:472:8}" = 63825363 ] || return 1
	while [ $((i + 4)) -le "$n" ]; do
		code=$((16#${h:i:2}))
		[ "$code" -eq 255 ] && break
		if [ "$code" -eq 0 ]; then
			i=$((i + 2))
			continue
		fi
		len=$((16#${h:i+2:2}))
		echo "$code ${h:i+4:len*2}"
		i=$((i + 4 + len * 2))
	done
}

# pb_tlv HEX CODE: the value (hex) of sub-option CODE in HEX.
pb_tlv() {
	local h=$1 want=$2 i=0 c l

	while [ $((i + 4)) -le ${#h} ]; do
		c=$((16#${h:i:2}))
		l=$((16#${h:i+2:2}))
		if [ "$c" -eq "$want" ]; then
			echo "${h:i+4:l*2}"
			return 0
		fi
		i=$((i + 4 + l * 2))
	done
	return 1
}

# pb_hex TEXT: TEXT as lower-case hex.
pb_hex() {
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

# pb_unhex HEX: the bytes (text without NULs).
pb_unhex() {
	local h=$1 out='' i

	for ((i = 0; i < ${#h}; i += 2)); do
		out+="\\x${h:i:2}"
	done
	printf '%b' "$out"
}

# pb_kv KEY FILE: the value of "KEY=value" in pbprobe output.
pb_kv() {
	sed -n "s/^$1=//p" "$2" | head -n 1
}
