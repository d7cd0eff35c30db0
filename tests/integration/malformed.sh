#!/usr/bin/env bash
# malformed.sh - a malformed-input corpus against the running provbox-dhcpd.
#
#   bash tests/integration/malformed.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must hold
# provbox-dhcpd, provboxctl, tests/tools/pbprobe and tests/tools/pbcraft
# (built here if missing). Needs root: it builds its own network in
# namespaces (see lib.sh for the names) and removes it at the end, also on
# failure or Ctrl-C:
#
#   $T-c1: ${T}c1 (pbcraft, pbprobe) --- $T-srv: ${T}s1 10.42.0.1/24,
#                                        provbox-dhcpd
#
# pbcraft sends each message of the corpus (tests/tools/pbcraft.c, one case
# per advisory it comes from) over the wire from port 68. Every case
# checks three things: the message is dropped or answered safely, the
# server's counters (SIGUSR1) count it under its own reason, and the next
# good client (pbprobe, a fresh MAC) still gets its ACK. Then: no client
# byte reaches the log or a lease listing unescaped, hostile leases survive
# a restart and a reload, and a flood of DISCOVERs from random MACs against
# an exhausted pool keeps the memory flat. Everything runs twice: with the
# log at info, then again with a fresh registry and debug logging (-d),
# since Kea CVE-2015-8373 crashed only there.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "malformed-integration: N passed, N failed", and RESULTS_FILE gets
# "malformed-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77
# if not root or a tool is missing and cannot be installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final
# sanitizer check; the debug round's tests are named debug-NAME);
# PB_FLOOD and PB_FLOOD_DEBUG (1000000 each) set the floods' sizes;
# PB_KEEP=1 keeps the temporary directory (server log, pbcraft output).

# shellcheck disable=SC2034 # PB_TOOLS is read by lib.sh
# shellcheck disable=SC2015 # "[ a ] && [ b ] || die": die ends the test
# shellcheck disable=SC2016 # ${base_url} is for provbox, not the shell
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
PB_TOOLS="ip=iproute2 mdb_dump=lmdb-utils python3=python3"
pb_init "${1:-$here/../../build}" "${2:-}" malformed-integration

CRAFT=$PB_BUILD/tests/tools/pbcraft
if [ ! -x "$CRAFT" ] && [ -f "$PB_BUILD/Makefile" ]; then
	pb_note "building tests/tools/pbcraft"
	timeout 300 make -C "$PB_BUILD" tests/tools/pbcraft \
	    >>"$PB_TMP/make.out" 2>&1
fi
if [ ! -x "$CRAFT" ]; then
	pb_fail build "$CRAFT is missing (build first: make tests/tools/pbcraft)"
	pb_finish
fi

T=$PB_TAG
NS_SRV=$T-srv
NS_C1=$T-c1
IF_S1=${T}s1
IF_C1=${T}c1
SRV_IP=10.42.0.1
# The flood's good clients: one with a reservation, one returning.
MAC_RESERVED=02:00:00:ee:00:01
IP_RESERVED=10.42.0.20
MAC_RETURNING=02:00:00:ee:00:02
# 1M DISCOVERs in each round: at debug level too, since exhaustion is
# logged rate-limited at any level, a full round takes about 25 s.
FLOOD_N=${PB_FLOOD:-1000000}
FLOOD_DEBUG_N=${PB_FLOOD_DEBUG:-1000000}
FLOOD_WARMUP=100000

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
CTL_ERR=$PB_TMP/provboxctl.err
: >"$SRV_LOG"
: >"$CTL_ERR"

# The round: "info", then "debug" (registry, MACs and test names apart);
# the server's extra argument in the debug round.
ROUND=info
DEBUG_FLAG=
FLOOD_TOTAL=0

# ------------------------------------------------------------------ config

# A small pool: the flood exhausts it at once. An OFFER holds its address
# for 600 s, so the flood's offers keep the pool full for the whole run.
# warn_burst 20: each round's malformed cases (15) are all logged, the
# flood's exhaustion warnings are not. No reserve and no admission limits:
# the flood is to reach the full pool's path with every DISCOVER
# (hostile.sh tests the defences at their defaults).
write_config() {
	mkdir -p "$CONF_DIR"
	cat >"$CONF" <<EOF
# Written by tests/integration/malformed.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = true; };
log = { level = "info"; warn_burst = 20; warn_interval = 60; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  offer_time = 600;
  reserve = 0;
  limits = { per_mac = 0; per_relay = 0; per_interface = 0; };
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.199"; } );
      routers = [ "10.42.0.1" ];
      reservations = (
        { mac = "$MAC_RESERVED"; ip = "$IP_RESERVED"; hostname = "reserved"; }
      ); }
  );
};
provisioning = {
  base_url = "https://10.42.0.1";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
# One user: common/sync.c passes NULL to qsort() for an empty list, which
# UBSan stops the server for (reported, not this suite's to fix).
users = (
  { name = "pat"; sip = { user = "299"; password = "pat-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "80:5e:c0:99:00:01"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
	# "pbmany": more options than any reply holds (maxsize-* cases);
	# "yealink": a class that answers with its own option (vendor43-bad).
	{
		echo 'vendors = ('
		echo '  { name = "pbmany"; match = { vendor_class_exact = [ "pbmany" ]; };'
		echo '    mode = "token"; unregistered = ('
		local c sep=''
		for c in $(seq 224 239); do
			printf '%s      { code = %d; type = "string"; value = "%s"; }\n' "$sep" "$c" \
			    "$(printf 'opt%d-%0100d' "$c" 0)"
			sep=','
		done
		echo '    ); },'
		echo '  { name = "yealink"; match = { vendor_class_prefix = [ "yealink" ]; };'
		echo '    mode = "token";'
		echo '    unregistered = ( { code = 66; value = "${base_url}/unregistered/"; } ); }'
		echo ');'
	} >"$CONF_DIR/vendors.conf"
}

# ----------------------------------------------------------------- network

setup_network() {
	local ns

	for ns in "$NS_SRV" "$NS_C1"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$IF_S1" type veth peer name "$IF_C1" \
	    netns "$NS_C1" || return 1
	ip -n "$NS_C1" link set "$IF_C1" address 02:00:00:aa:00:01 || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$IF_S1" || return 1
	ip -n "$NS_SRV" link set "$IF_S1" up && ip -n "$NS_C1" link set "$IF_C1" up
}

# ------------------------------------------------------------------ server

srv_pid() {
	cat "$PB_TMP/server.pid" 2>/dev/null
}

# srv_start [-d]: provbox-dhcpd in the server namespace, logging to
# SRV_LOG, working directory PB_TMP (where a hostname's "touch pbpwned"
# would land, if anything ever ran it); returns once it serves.
srv_start() {
	local mark pid

	mark=$(pb_lines "$SRV_LOG")
	(cd "$PB_TMP" && exec ip netns exec "$NS_SRV" "$DHCPD" -f -c "$CONF" \
	    "$@" >>"$SRV_LOG" 2>&1) &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/server.pid"
	pb_wait_for 20 pb_grep_after "$SRV_LOG" "$mark" \
	    "provbox-dhcpd started" && pb_alive "$pid"
}

srv_stop() {
	local pid

	pid=$(srv_pid)
	[ -n "$pid" ] && pb_stop "$pid" 20
	rm -f "$PB_TMP/server.pid"
}

# stats OUT: the server's counters (SIGUSR1) as "key<TAB>value" lines:
# received, malformed, ignored, offers, acks, naks, used, total, and
# "m:REASON" / "i:REASON" for the malformed and ignored ones by reason.
stats() {
	local out=$1 mark

	mark=$(pb_lines "$SRV_LOG")
	kill -USR1 "$(srv_pid)" 2>/dev/null || return 1
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" "stats: received " ||
	    return 1
	tail -n "+$((mark + 1))" "$SRV_LOG" | awk '
	function reasons(kind, s,   n, i, a, num) {
		sub(/.* by reason: /, "", s)
		n = split(s, a, ", ")
		for (i = 1; i <= n; i++) {
			num = a[i]
			sub(/.* /, "", num)
			sub(/ [0-9]+$/, "", a[i])
			printf "%s:%s\t%s\n", kind, a[i], num
		}
	}
	/stats: malformed by reason: / { reasons("m", $0); next }
	/stats: ignored by reason: / { reasons("i", $0); next }
	/stats: received / {
		s = $0
		sub(/.*stats: /, "", s)
		gsub(/[,;()]/, "", s)
		n = split(s, a, " ")
		for (i = 1; i < n; i++)
			if (a[i + 1] ~ /^[0-9]+$/ && a[i] ~ /^(received|malformed|ignored|offers|acks|naks)$/)
				printf "%s\t%s\n", a[i], a[i + 1]
		if (match($0, /used [0-9]+ of [0-9]+/)) {
			split(substr($0, RSTART, RLENGTH), u, " ")
			printf "used\t%s\ntotal\t%s\n", u[2], u[4]
		}
		exit
	}' >"$out"
	[ -s "$out" ]
}

# sval FILE KEY: a counter from stats (0 when not listed).
sval() {
	awk -F '\t' -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"
}

# stats_after OUT BEFORE N: waits until the server has received N more
# datagrams than in BEFORE, then leaves its counters in OUT.
stats_after() {
	local want=$(($(sval "$2" received) + $3))

	pb_wait_for 15 eval "stats '$1' && [ \$(sval '$1' received) -ge $want ]"
}

# stats_settled OUT: waits until the server has drained its socket (two
# readings 0.5 s apart agree), then leaves its counters in OUT.
stats_settled() {
	local prev=-1 cur i

	for ((i = 0; i < 120; i++)); do
		stats "$1" || return 1
		cur=$(sval "$1" received)
		[ "$cur" -eq "$prev" ] && return 0
		prev=$cur
		sleep 0.5
	done
	return 1
}

rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

# ---------------------------------------------------------------- clients

# craft OUT ARGS...: pbcraft in c1, bounded.
craft() {
	local out=$1

	shift
	ip netns exec "$NS_C1" timeout 60 "$CRAFT" -i "$IF_C1" "$@" \
	    >"$out" 2>"$out.err"
}

# probe OUT ARGS...: pbprobe in c1, bounded.
probe() {
	local out=$1

	shift
	ip netns exec "$NS_C1" timeout 60 "$PROBE" -i "$IF_C1" "$@" \
	    >"$out" 2>"$out.err"
}

leases_json() {
	timeout 30 "$CTL" -c "$CONF" leases --json >"$1" 2>>"$CTL_ERR"
}

# A MAC of the round: 02:00:00:KIND:ROUND:N (KIND c0 crafted, d0 good).
round_mac() {
	local r=01

	[ "$ROUND" = debug ] && r=02
	printf '02:00:00:%s:%s:%02x\n' "$1" "$r" "$2"
}

# good_client N: a fresh client (02:00:00:d0:ROUND:N) gets its ACK: the
# server still serves.
good_client() {
	local o=$PB_TMP/good.$ROUND.$1 mac

	mac=$(round_mac d0 "$1")
	probe "$o" -m "$mac" dora ||
	    { echo "the next good client ($mac) got $(pb_kv type "$o")"; return 1; }
	[ "$(pb_kv type "$o")" = ACK ] ||
	    { echo "the next good client ($mac) got $(pb_kv type "$o")"; return 1; }
}

# ------------------------------------------------------------------ corpus

# NAME  EXPECT: m:REASON (dropped, counted malformed), i:REASON (dropped,
# counted ignored) or OFFER (answered). The advisories are in pbcraft.c.
CORPUS=(
	# ISC CVE-2012-3571 ("3d 00" looped for ever), Kea CVE-2019-6472
	"clientid-0|m:client identifier under 2 bytes"
	"clientid-1|m:client identifier under 2 bytes"
	# Kea CVE-2019-6472: the longest client identifiers, echoed whole
	"clientid-254|OFFER"
	"clientid-255|OFFER"
	# RFC 3396: two 61s, one identifier of 510 bytes: served, keyed by
	# its SHA-256 (RFC 2132 9.14 sets only a minimum length)
	"clientid-split|OFFER"
	# Kea CVE-2019-6473, CVE-2011-0997: host names
	"hostname-empty|OFFER"
	"hostname-nul|OFFER"
	"hostname-trunc|m:an option runs past the end"
	"hostname-shell|OFFER"
	"hostname-nonprint|OFFER"
	# RFC 4702 client FQDN: a 64-byte label, zero length
	"fqdn-long-label|OFFER"
	"fqdn-empty|OFFER"
	# An option running past the end; no END
	"opt-past-end|m:an option runs past the end"
	"no-end|m:no END option"
	# Fixed-size options with the wrong length (RFC 2132)
	"len-1|m:a fixed-size option with the wrong length"
	"len-50|m:a fixed-size option with the wrong length"
	"len-51|m:a fixed-size option with the wrong length"
	"len-54|m:a fixed-size option with the wrong length"
	"len-57|m:a fixed-size option with the wrong length"
	# ISC CVE-2007-0062: maximum message size with many options due
	"maxsize-0|OFFER"
	"maxsize-575|OFFER"
	"maxsize-65535|OFFER"
	# dnsmasq CVE-2021-45956: hlen and htype
	"hlen-0|i:no client identifier or hardware address"
	"hlen-0-clientid|OFFER"
	"hlen-17|m:hardware address length above 16"
	"hlen-255|m:hardware address length above 16"
	"htype-0|OFFER"
	# ISC CVE-2021-25217: sub-options of 82; and of 43 and 125
	"relay82-bad|OFFER"
	"vendor43-bad|OFFER"
	"vivso125-bad|OFFER"
	# Beyond the issue: the other refusals of the codec. Type 9 is RFC
	# 3203 FORCERENEW, a server's message: well-formed, ignored; 19 is
	# registered to nobody (IANA "DHCP Message Type 53 Values").
	"msgtype-9|i:a server's message type"
	"wire-msgtype-19|m:unknown message type"
	"short|m:shorter than a DHCP header"
	"bad-magic|m:no DHCP magic cookie"
	# Issue 13, conformance (the wire-* cases are built by wire_args):
	# RFC 4388 DHCPLEASEQUERY (type 10) is a registered type this server
	# does not serve: counted as unsupported, not as malformed.
	"wire-leasequery|i:unsupported message type"
	# RFC 2131 4.3.5: an INFORM is answered to ciaddr, else to the IP
	# source; ciaddr 0.0.0.0 sent from 0.0.0.0 (c1 has no address) has
	# nowhere to go (RFC 1122 3.2.1.3: 0.0.0.0 is no destination).
	"wire-inform-no-address|i:INFORM with no address to answer to"
	# An INFORM whose ciaddr is in no configured subnet gets no ACK (the
	# link's mask and router are wrong for it, and it would go off-link).
	"wire-inform-off-subnet|i:INFORM from outside every subnet"
)

# wire_args NAME MAC: pbcraft's arguments for a wire-* case, built here
# from pbcraft's opts (a DISCOVER header with HEX as its options) or raw
# (HEX as the whole payload).
wire_args() {
	local mac=${2//:/} hdr

	case $1 in
	wire-msgtype-19) echo "opts 350113ff" ;;
	wire-leasequery) echo "opts 35010aff" ;;
	wire-inform-no-address) echo "opts 350108ff" ;;
	wire-inform-off-subnet)
		# op htype hlen hops, xid, secs, flags (broadcast), ciaddr
		# 192.168.77.5, yiaddr, siaddr, giaddr, chaddr (16), sname
		# (64) and file (128), the cookie, 53 = INFORM, END, padding
		# to the 300 bytes of BOOTP.
		hdr="010106001300cafe00008000c0a84d05"
		hdr+="000000000000000000000000"
		hdr+="$mac$(printf '%020d' 0)"
		hdr+=$(printf '%0384d' 0)
		hdr+="63825363350108ff"
		hdr+=$(printf '%0112d' 0)
		echo "raw $hdr"
		;;
	*) return 1 ;;
	esac
}

# The option a fixed-size case breaks, and its length: named in the log.
declare -A CASE_OPT=(
	[clientid-0]="61, length 0" [clientid-1]="61, length 1"
	[len-1]="1, length 3" [len-50]="50, length 5" [len-51]="51, length 3"
	[len-54]="54, length 5" [len-57]="57, length 1"
	[hostname-trunc]="12, length 32" [opt-past-end]="60, length 200"
)

# The hex of clientid-N's value: type 0, then (i * 7 + 0xa5) & 0xff.
clientid_hex() {
	local i h=00

	for ((i = 1; i < $1; i++)); do
		h+=$(printf '%02x' $(((i * 7 + 0xa5) & 0xff)))
	done
	echo "$h"
}

CASE_I=0
CASE_NAME=
CASE_EXPECT=

# One case: sent, counted under its reason (and nothing else moved), the
# answer (if any) safe, the server alive, the next good client served.
t_case() {
	local name=$CASE_NAME expect=$CASE_EXPECT o mac s0 s1 mark
	local k d extra len want

	o=$PB_TMP/case.$ROUND.$name
	mac=$(round_mac c0 "$CASE_I")
	stats "$o.s0" || die "no stats line from the server"
	mark=$(pb_lines "$SRV_LOG")
	if [ "$expect" = OFFER ]; then
		craft "$o" -m "$mac" -w 3000 case "$name" ||
		    die "no answer: $(cat "$o" "$o.err" | tr '\n' ' ')"
	elif [ "${name#wire-}" != "$name" ]; then
		# shellcheck disable=SC2046 # "opts HEX" / "raw HEX": two words
		craft "$o" -m "$mac" $(wire_args "$name" "$mac") ||
		    die "pbcraft: $(cat "$o.err")"
	else
		craft "$o" -m "$mac" case "$name" ||
		    die "pbcraft: $(cat "$o.err")"
	fi
	stats_after "$o.s1" "$o.s0" 1 ||
	    die "the server did not count the message as received"
	s0=$o.s0
	s1=$o.s1
	# The counters: exactly the expected one moved by one.
	for k in malformed ignored offers acks naks; do
		d=$(($(sval "$s1" "$k") - $(sval "$s0" "$k")))
		case $expect:$k in
		m:*:malformed | i:*:ignored | OFFER:offers) want=1 ;;
		*) want=0 ;;
		esac
		[ "$d" -eq "$want" ] ||
		    die "counter '$k' moved by $d, expected $want"
	done
	case $expect in
	m:* | i:*)
		d=$(($(sval "$s1" "$expect") - $(sval "$s0" "$expect")))
		[ "$d" -eq 1 ] ||
		    die "not counted under '${expect#?:}' ($(grep "^${expect%%:*}:" "$s1" | tr '\t\n' '= '))"
		;;
	esac
	if [ "${expect%%:*}" = m ]; then
		pb_wait_for 5 pb_grep_after "$SRV_LOG" "$mark" \
		    "malformed packet from .* dropped: ${expect#m:}" ||
		    die "no 'malformed packet ... dropped: ${expect#m:}' warning"
		if [ -n "${CASE_OPT[$name]:-}" ]; then
			pb_grep_after "$SRV_LOG" "$mark" \
			    "\(option ${CASE_OPT[$name]}\)" ||
			    die "the warning does not name (option ${CASE_OPT[$name]}): $(tail -n +$((mark + 1)) "$SRV_LOG" | grep malformed | head -n 1)"
		fi
	fi
	if [ "$expect" = OFFER ]; then
		[ "$(pb_kv reply "$o")" = OFFER ] ||
		    die "answered with $(pb_kv reply "$o"), expected OFFER"
		len=$(pb_kv reply_len "$o")
		extra=
		case $name in
		clientid-254 | clientid-255)
			# RFC 6842: echoed as it came, every byte.
			want=$(clientid_hex "${name#clientid-}")
			[ "$(pb_kv hex61 "$o")" = "$want" ] ||
			    die "option 61 not echoed whole: $(pb_kv hex61 "$o" | cut -c 1-40)..."
			;;
		maxsize-0 | maxsize-575)
			# RFC 2132 9.10: below 576 means 576, IP and UDP
			# headers included: 548 bytes of DHCP.
			[ "$len" -le 548 ] || die "a reply of $len bytes (> 548)"
			[ -n "$(pb_kv hex51 "$o")" ] && [ -n "$(pb_kv hex1 "$o")" ] ||
			    die "the reply lost its lease time or mask"
			extra=" (reply $len bytes)"
			;;
		maxsize-65535)
			[ "$len" -gt 548 ] && [ "$len" -le 1472 ] ||
			    die "a reply of $len bytes (want 549..1472: the MTU caps 65535)"
			extra=" (reply $len bytes)"
			;;
		hlen-0-clientid)
			[ "$(pb_kv hlen "$o")" = 0 ] ||
			    die "the reply has hlen $(pb_kv hlen "$o")"
			# No MAC: the log names the client identifier.
			want="DHCPOFFER .* to id 01${mac//:/} "
			pb_grep_after "$SRV_LOG" "$mark" "$want" ||
			    die "no '$want' in the log"
			;;
		htype-0)
			want="DHCPOFFER .* to \\(htype 0, hlen 6\\) "
			pb_grep_after "$SRV_LOG" "$mark" "$want" ||
			    die "no '$want' in the log"
			;;
		relay82-bad)
			# RFC 3046 2.2: echoed byte for byte, unparsed.
			[ "$(pb_kv hex82 "$o")" = 011078022079 ] ||
			    die "option 82 not echoed as sent: $(pb_kv hex82 "$o")"
			;;
		vendor43-bad)
			[ "$(pb_kv opt66 "$o")" = https://10.42.0.1/unregistered/ ] ||
			    die "the yealink class's option 66 is missing"
			;;
		esac
	fi
	pb_alive "$(srv_pid)" || die "the server died: $(tail -n 2 "$SRV_LOG")"
	good_client "$CASE_I" >"$o.good" || die "$(cat "$o.good")"
	[ -z "${extra:-}" ] || pb_note "$PB_TEST:$extra"
	pb_pass
}

# RFC 2132 3.3: "If both the subnet mask and the router option are
# specified in a DHCP reply, the subnet mask option MUST be first." A
# DISCOVER whose Option 55 ends 6, 3, 1, as a Polycom VVX's does; the
# OFFER's options are read in wire order (python3: pbcraft and pbprobe
# parse the reply, which loses the order), and 1 must come before 3.
t_mask_first() {
	local o=$PB_TMP/maskfirst.$ROUND mac order i pm=-1 pr=-1 n=0

	mac=$(round_mac e0 1)
	ip netns exec "$NS_C1" timeout 20 python3 - "$IF_C1" "$mac" \
	    >"$o" 2>"$o.err" <<'EOF' || die "no OFFER: $(cat "$o" "$o.err" | tr '\n' ' ')"
import os, socket, sys, time
ifname, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.bind(("0.0.0.0", 68))
xid = os.urandom(4)
# BOOTREQUEST, Ethernet, broadcast flag; chaddr; sname and file empty.
msg = bytes([1, 1, 6, 0]) + xid + b"\0\0\x80\0" + bytes(16) + mac + \
    bytes(10) + bytes(192) + b"\x63\x82\x53\x63" + b"\x35\x01\x01" + \
    b"\x37\x07\x42\xa0\x0f\x2a\x06\x03\x01" + b"\xff"
s.sendto(msg.ljust(300, b"\0"), ("255.255.255.255", 67))
s.settimeout(1)
end = time.time() + 10
while time.time() < end:
    try:
        b = s.recv(2048)
    except socket.timeout:
        continue
    if len(b) < 240 or b[0] != 2 or b[4:8] != xid:
        continue
    i, order = 240, []
    while i + 1 < len(b) and b[i] != 255:
        if b[i] == 0:
            i += 1
            continue
        order.append(b[i])
        i += 2 + b[i + 1]
    print(" ".join(map(str, order)))
    sys.exit(0)
sys.exit(1)
EOF
	order=$(cat "$o")
	for i in $order; do
		[ "$i" = 1 ] && [ "$pm" -lt 0 ] && pm=$n
		[ "$i" = 3 ] && [ "$pr" -lt 0 ] && pr=$n
		n=$((n + 1))
	done
	[ "$pm" -ge 0 ] && [ "$pr" -ge 0 ] ||
	    die "the OFFER lacks the mask or the router: options $order"
	[ "$pm" -lt "$pr" ] ||
	    die "router (3) before subnet mask (1): options $order"
	pb_note "$PB_TEST: OFFER options in wire order: $order"
	pb_pass
}

# The escaped form (log_escape) of a crafted host name, as provboxctl
# shows it; python3 reads pbcraft's names from its own C source.
hostname_names() {
	python3 - "$here/../tools/pbcraft.c" <<'EOF'
import re, sys
src = open(sys.argv[1], encoding="latin-1").read()
for name in ("SHELL_NAME", "NONPRINT_NAME"):
    m = re.search(r'#define %s\s+((?:"(?:[^"\\]|\\.)*"\s*\\?\s*)+)' % name, src)
    raw = b""
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)):
        raw += lit.encode("latin-1").decode("unicode_escape").encode("latin-1")
    esc = ""
    for b in raw:
        if b == 0x5c: esc += "\\\\"
        elif b == 0x22: esc += '\\"'
        elif 0x20 <= b < 0x7f: esc += chr(b)
        else: esc += "\\x%02x" % b
    print("\t".join((name, raw.hex(), esc)))
EOF
}

# CVE-2011-0997, Kea CVE-2019-6473: what the clients sent as host names
# is in no log line and no listing as it came. The log holds printable
# ASCII only; provboxctl's table and --json show the names escaped; the
# registry keeps the bytes as length-prefixed data (read back whole, not
# cut at a NUL): the record is data, and whoever shows it escapes it.
# provisiond does not use host names (provisiond/render.c has no such
# placeholder), so there is no rendered config to check.
t_hostnames() {
	local o=$PB_TMP/hostnames.$ROUND bad

	hostname_names >"$o.names" || die "cannot read the names from pbcraft.c"
	bad=$(python3 - "$SRV_LOG" 2>&1 <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
for i, b in enumerate(data):
    if not (0x20 <= b < 0x7f or b in (0x0a, 0x09)):
        print("byte 0x%02x at offset %d: %r" % (b, i, data[max(0, i - 40):i + 10]))
        break
EOF
) || bad="checking the log: $bad"
	[ -z "$bad" ] || die "the server log holds a raw client byte: $bad"
	grep -q "touch pbpwned\|forged" "$SRV_LOG" &&
	    die "a crafted host name is in the server log: $(grep -m 1 "touch pbpwned\|forged" "$SRV_LOG")"
	[ -e "$PB_TMP/pbpwned" ] && die "something ran the shell host name"
	leases_json "$o.json" || die "provboxctl leases --json failed: $(tail -n 1 "$CTL_ERR")"
	timeout 30 "$CTL" -c "$CONF" leases >"$o.table" 2>>"$CTL_ERR" ||
	    die "provboxctl leases failed"
	bad=$(python3 - "$o.json" "$o.table" "$o.names" \
	    "$(round_mac c0 "$(case_index hostname-shell)")" \
	    "$(round_mac c0 "$(case_index hostname-nonprint)")" \
	    "$(round_mac c0 "$(case_index hostname-nul)")" 2>&1 <<'EOF'
import json, sys
jf, tf, nf, mac_shell, mac_np, mac_nul = sys.argv[1:7]
raw = open(jf, "rb").read()
for f in (jf, tf):
    for b in open(f, "rb").read():
        if not (0x20 <= b < 0x7f or b == 0x0a):
            print("%s holds byte 0x%02x" % (f, b)); sys.exit()
leases = json.loads(raw)
if isinstance(leases, dict):
    leases = next(v for v in leases.values() if isinstance(v, list))
names = {}
for l in open(nf):
    f = l.rstrip("\n").split("\t")
    names[f[0]] = f[2]
want = {mac_shell: names["SHELL_NAME"], mac_np: names["NONPRINT_NAME"],
        mac_nul: "\\x00" * 16}
by_mac = {l.get("mac"): l for l in leases}
table = open(tf).read()
for mac, esc in want.items():
    l = by_mac.get(mac)
    if l is None:
        print("no lease for %s in --json" % mac); sys.exit()
    if l.get("hostname") != esc:
        print("%s: hostname %r, expected %r" % (mac, l.get("hostname"), esc)); sys.exit()
    if esc not in table:
        print("%s: the table lacks %r" % (mac, esc)); sys.exit()
EOF
) || bad="checking the listings: $bad"
	[ -z "$bad" ] || die "$bad"
	# The registry: each name as a length byte and its bytes.
	timeout 30 mdb_dump -s leases "$PB_TMP/registry" >"$o.dump" 2>&1 ||
	    die "mdb_dump: $(tail -n 1 "$o.dump")"
	bad=$(python3 - "$o.dump" "$o.names" 2>&1 <<'EOF'
import sys
# mdb_dump without -p: every key and value a line of hex after a space.
vals = [bytes.fromhex(l.strip()) for l in open(sys.argv[1])
        if l.startswith(" ")]
for l in open(sys.argv[2]):
    name, hexraw = l.split("\t")[:2]
    raw = bytes.fromhex(hexraw)
    if not any(bytes([len(raw)]) + raw in v for v in vals):
        print("%s is not in the registry as %d length-prefixed bytes" % (name, len(raw)))
        break
EOF
) || bad="checking the registry: $bad"
	[ -z "$bad" ] || die "$bad"
	good_client 240 >"$o.good" || die "$(cat "$o.good")"
	pb_pass
}

case_index() {
	local i

	for i in "${!CORPUS[@]}"; do
		[ "${CORPUS[$i]%%|*}" = "$1" ] && { echo $((i + 1)); return; }
	done
}

# Kea CVE-2019-6474 (a lease file it wrote kept it from starting), ISC
# CVE-2021-25217: leases bound from hostile bytes (REQUESTs carrying the
# crafted options) survive a restart and a reload: the server starts,
# every lease is bound as before, and each client gets its address back.
HOSTILE=(hostname-shell hostname-nonprint hostname-nul clientid-255
	htype-0 hlen-0-clientid relay82-bad fqdn-long-label)
t_restart() {
	local o=$PB_TMP/restart.$ROUND c mac ip n=0 mark pid st

	for c in "${HOSTILE[@]}"; do
		n=$((n + 1))
		mac=$(round_mac b0 "$n")
		craft "$o.$c" -m "$mac" -w 3000 -r case "$c" ||
		    die "$c: no answer to the REQUEST"
		[ "$(pb_kv reply "$o.$c")" = ACK ] ||
		    die "$c: REQUEST answered with $(pb_kv reply "$o.$c")"
		pb_kv yiaddr "$o.$c" >"$o.$c.ip"
	done
	srv_stop
	# shellcheck disable=SC2086 # empty or -d
	srv_start $DEBUG_FLAG ||
	    die "the server did not start again on its registry: $(tail -n 3 "$SRV_LOG")"
	mark=$(pb_lines "$SRV_LOG")
	pid=$(srv_pid)
	kill -HUP "$pid"
	pb_wait_for 15 pb_grep_after "$SRV_LOG" "$mark" "reloaded " ||
	    die "no 'reloaded' after SIGHUP: $(tail -n 2 "$SRV_LOG")"
	leases_json "$o.json" || die "provboxctl leases --json failed after the restart"
	n=0
	for c in "${HOSTILE[@]}"; do
		n=$((n + 1))
		mac=$(round_mac b0 "$n")
		ip=$(cat "$o.$c.ip")
		st=$(python3 -c '
import json, sys
ls = json.load(open(sys.argv[1]))
if isinstance(ls, dict):
    ls = next(v for v in ls.values() if isinstance(v, list))
print(" ".join(l["state"] for l in ls if l.get("address") == sys.argv[2]))
' "$o.json" "$ip")
		[ "$st" = bound ] || die "$c: $ip is '$st' after the restart, not bound"
		craft "$o.$c.again" -m "$mac" -w 3000 -r case "$c" ||
		    die "$c: no answer after the restart"
		[ "$(pb_kv reply "$o.$c.again")" = ACK ] &&
		    [ "$(pb_kv yiaddr "$o.$c.again")" = "$ip" ] ||
		    die "$c: after the restart $(pb_kv reply "$o.$c.again") $(pb_kv yiaddr "$o.$c.again"), had $ip"
	done
	pb_alive "$(srv_pid)" || die "the server died"
	good_client 241 >"$o.good" || die "$(cat "$o.good")"
	pb_pass
}

# A flood of DISCOVERs from random MACs against a full pool: exhaustion
# is handled (counted, logged a few times, not once per packet), the
# memory stays flat (VmRSS after a warm-up of 100k, when the pool is full
# and every structure allocated, then after the rest: growth under 5%), and
# the reserved and the returning client are still served.
#
# The warm-up goes as fast as pbcraft can send; the rest at 85% of the
# rate the server kept up with in the warm-up, so that
# what is measured is the server handling the DISCOVERs, not the kernel
# dropping them for a full receive buffer.
#
# The server is restarted for the flood with AddressSanitizer's quarantine
# at 16 MB: the quarantine keeps freed memory out of reuse (up to 256 MB)
# to catch use after free, so under ASan every malloc/free pair per packet
# (LMDB's cursors) shows as growth until that cap. 16 MB still catches a
# use right after a free and is full after the warm-up.
t_flood() {
	local o=$PB_TMP/flood.$ROUND total=$FLOOD_TOTAL mark pid rss0 rss1
	local t0 tw tm t1 pct rx0 rx1 rate lines s sent more i

	probe "$o.ret0" -m "$MAC_RETURNING" dora ||
	    die "the returning client's first lease: $(pb_kv type "$o.ret0")"
	srv_stop
	# shellcheck disable=SC2086 # empty or -d
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16 \
	    srv_start $DEBUG_FLAG ||
	    die "the server did not start again: $(tail -n 3 "$SRV_LOG")"
	pid=$(srv_pid)
	mark=$(pb_lines "$SRV_LOG")
	stats "$o.s0" || die "no stats"
	t0=$(date +%s%N)
	craft "$o.warm" -n "$FLOOD_WARMUP" flood ||
	    die "pbcraft flood: $(cat "$o.warm.err")"
	stats "$o.sw" || die "no stats"
	tw=$(date +%s%N)
	stats_settled "$o.s1" || die "the server did not settle after the warm-up"
	rss0=$(rss_kb "$pid")
	[ "$(sval "$o.s1" used)" -eq "$(sval "$o.s1" total)" ] ||
	    die "the pool is not exhausted after $FLOOD_WARMUP DISCOVERs: $(sval "$o.s1" used) of $(sval "$o.s1" total)"
	rx0=$(($(sval "$o.s1" received) - $(sval "$o.s0" received)))
	rate=$((($(sval "$o.sw" received) - $(sval "$o.s0" received)) * \
	    850000000 / (tw - t0)))
	# A floor, so that a bad estimate cannot stretch the run past its limit.
	[ "$rate" -ge 10000 ] || rate=10000
	tm=$(date +%s%N)
	craft "$o.main" -R "$rate" -n $((total - FLOOD_WARMUP)) flood ||
	    die "pbcraft flood: $(cat "$o.main.err")"
	stats_settled "$o.s2" || die "the server did not settle after the flood"
	rx1=$(($(sval "$o.s2" received) - $(sval "$o.s0" received)))
	sent=$total
	# The estimate is rough (a short warm-up, a deep receive buffer):
	# what the kernel dropped is sent again, at 80% of the rate the
	# server kept in the main run, until it has had 95% of the total.
	for ((i = 0; i < 3 && rx1 < total * 95 / 100; i++)); do
		more=$((total - rx1))
		rate=$(((rx1 - rx0) * 800000000 / ($(date +%s%N) - tm)))
		[ "$rate" -ge 10000 ] || rate=10000
		tm=$(date +%s%N)
		rx0=$rx1
		craft "$o.more$i" -R "$rate" -n "$more" flood ||
		    die "pbcraft flood: $(cat "$o.more$i.err")"
		sent=$((sent + more))
		stats_settled "$o.s2" ||
		    die "the server did not settle after the flood"
		rx1=$(($(sval "$o.s2" received) - $(sval "$o.s0" received)))
	done
	rx0=$(($(sval "$o.s1" received) - $(sval "$o.s0" received)))
	t1=$(date +%s%N)
	rss1=$(rss_kb "$pid")
	pb_alive "$pid" || die "the server died in the flood: $(tail -n 2 "$SRV_LOG")"
	pct=$(awk -v a="$rss0" -v b="$rss1" \
	    'BEGIN { printf "%.2f", (b - a) * 100 / a }')
	lines=$(pb_count_after "$SRV_LOG" "$mark" "no free address in")
	s=$(($(sval "$o.s2" 'i:no free address') - $(sval "$o.s0" 'i:no free address')))
	pb_note "$PB_TEST: sent $sent DISCOVERs in $(((t1 - t0) / 1000000)) ms (warm-up: $(sed -n 's/^flood sent [0-9]* in //p' "$o.warm"); then $(sed -n 's/^flood sent [0-9]* in //p' "$o.main")$([ "$sent" -eq "$total" ] || echo ", and $((sent - total)) again"))"
	pb_note "$PB_TEST: the server received $rx1 ($rx0 in the warm-up), $((rx1 * 1000000000 / (t1 - t0)))/s; $s counted 'no free address', $lines warning lines"
	pb_note "$PB_TEST: VmRSS ${rss0} kB after the warm-up, ${rss1} kB after $rx1 received: ${pct}%"
	awk -v p="$pct" 'BEGIN { exit !(p < 5) }' ||
	    die "RSS grew by ${pct}% (${rss0} kB -> ${rss1} kB)"
	[ "$rx1" -ge $((total * 95 / 100)) ] ||
	    die "the server received only $rx1 of $sent DISCOVERs"
	[ "$s" -ge $((rx1 - 200)) ] ||
	    die "only $s of $rx1 DISCOVERs counted as 'no free address'"
	[ "$lines" -ge 1 ] || die "pool exhaustion was never logged"
	[ "$lines" -le 60 ] ||
	    die "pool exhaustion logged $lines times: not rate-limited"
	# The good clients of a full pool.
	probe "$o.res" -m "$MAC_RESERVED" dora ||
	    die "the reserved client: $(pb_kv type "$o.res")"
	[ "$(pb_kv yiaddr "$o.res")" = "$IP_RESERVED" ] ||
	    die "the reserved client got $(pb_kv yiaddr "$o.res"), not $IP_RESERVED"
	probe "$o.ret1" -m "$MAC_RETURNING" dora ||
	    die "the returning client after the flood: $(pb_kv type "$o.ret1")"
	[ "$(pb_kv yiaddr "$o.ret1")" = "$(pb_kv yiaddr "$o.ret0")" ] ||
	    die "the returning client got $(pb_kv yiaddr "$o.ret1"), had $(pb_kv yiaddr "$o.ret0")"
	pb_pass
}

# The server stops cleanly on SIGTERM; no sanitizer report anywhere.
t_sanitizers() {
	local pid bad alive=0

	pid=$(srv_pid)
	if [ -n "$pid" ] && pb_alive "$pid"; then
		alive=1
		kill -TERM "$pid"
		pb_wait_for 30 eval "! pb_alive $pid"
	fi
	bad=$(grep -ahE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$SRV_LOG" \
	    "$CTL_ERR" "$PB_TMP"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	[ "$alive" -eq 1 ] || die "the server was not running: $(tail -n 2 "$SRV_LOG")"
	pb_alive "$pid" && die "the server ignored SIGTERM"
	rm -f "$PB_TMP/server.pid"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

# round PREFIX FLOOD: the corpus, the host name checks, the restart and
# the flood, with test names PREFIX-NAME.
round() {
	local p=$1 flood=$2 i entry

	for i in "${!CORPUS[@]}"; do
		entry=${CORPUS[$i]}
		CASE_I=$((i + 1))
		CASE_NAME=${entry%%|*}
		CASE_EXPECT=${entry#*|}
		pb_run "$p$CASE_NAME" 40 t_case
	done
	pb_run "${p}mask-before-router" 30 t_mask_first
	pb_run "${p}hostnames-escaped" 60 t_hostnames
	pb_run "${p}restart-hostile-leases" 90 t_restart
	FLOOD_TOTAL=$flood
	pb_run "${p}flood-$((flood / 1000))k" 200 t_flood
}

if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_config
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/check.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/check.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi
round "" "$FLOOD_N"

# Again with debug logging (-d) and a fresh registry.
srv_stop
mv "$PB_TMP/registry" "$PB_TMP/registry.info"
ROUND=debug
DEBUG_FLAG=-d
if ! srv_start -d; then
	pb_fail setup "provbox-dhcpd -d did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi
round debug- "$FLOOD_DEBUG_N"
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
srv_stop
pb_finish
