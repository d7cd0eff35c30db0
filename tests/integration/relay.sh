#!/usr/bin/env bash
# relay.sh - provbox-dhcpd over the wire with long client identifiers and
# with relay agents: RFC 3396 / RFC 2132 9.14 (an identifier of 300 bytes
# in two Option 61 instances), RFC 5107 (server identifier override, Option
# 82 sub-option 11), RFC 3527 (link selection, sub-option 5) and RFC 3046
# 2.0 (sub-options echoed; a relay's broken ones refused).
#
#   bash tests/integration/relay.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must hold
# provbox-dhcpd, provboxctl, tests/tools/pbprobe and tests/tools/pbcraft
# (built here if missing). Needs root: it builds its own network in
# namespaces (see lib.sh for the names) and removes it at the end, also on
# failure or Ctrl-C:
#
#   $T-c1 (pbcraft, a client) ---+
#                                +-- $T-srv: bridge ${T}br 10.42.0.1/24,
#   $T-rly (pbcraft -g, a relay  |   provbox-dhcpd; routes to 10.43.0.0/24
#     agent; ISC dhcrelay) ------+   and 10.77.0.0/24 via 10.42.0.2
#     up: ${T}ru 10.42.0.2/24
#     down: ${T}rd 10.43.0.1/24 and 10.77.0.1/24 --- $T-rc (udhcpc)
#
# Subnets served: A 10.42.0.0/24 (the server's link) and B 10.43.0.0/24
# (behind the relay); 10.77.0.0/24 is in none, a giaddr the relay can have
# on a link the server does not serve (RFC 3527 1). pbcraft -g sends from
# port 67 with giaddr and hops 1 and receives on port 67, where the server
# sends replies to giaddr (RFC 2131 4.1): the crafted relayed messages carry
# exactly the Option 82 each test needs (no relay in Debian adds sub-option
# 11; ISC dhcrelay adds 5 with -U, tested on its own).
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "relay-integration: N passed, N failed", and RESULTS_FILE gets
# "relay-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77 if
# not root or a tool is missing and cannot be installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final
# sanitizer check); PB_KEEP=1 keeps the temporary directory (server log,
# pbcraft output).

# shellcheck disable=SC2034 # PB_TOOLS is read by lib.sh
# shellcheck disable=SC2015 # "[ a ] && [ b ] || die": die ends the test
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
PB_TOOLS="ip=iproute2 dhcrelay=isc-dhcp-relay udhcpc=udhcpc"
pb_init "${1:-$here/../../build}" "${2:-}" relay-integration

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
NS_RLY=$T-rly
NS_RC=$T-rc
BR=${T}br
IF_S1=${T}s1 IF_C1=${T}c1
IF_SR=${T}sr IF_RU=${T}ru IF_RD=${T}rd IF_RC=${T}rc
MAC_RC=02:00:00:aa:00:43

SRV_IP=10.42.0.1
RLY_UP=10.42.0.2
RLY_B=10.43.0.1		# the relay on subnet B: giaddr, override address
RLY_X=10.77.0.1		# the relay on a link in no configured subnet

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
: >"$SRV_LOG"

# ------------------------------------------------------------------ config

# Debug logging: a dropped message is logged with its reason ("ignored:
# for another server", "ignored: no subnet for this network").
write_config() {
	mkdir -p "$CONF_DIR"
	# The shipped classes and the templates they name (read at load).
	cp "$here/../../etc/vendors.conf" "$CONF_DIR/vendors.conf" &&
	    cp -r "$here/../../etc/templates" "$CONF_DIR/" || return 1
	cat >"$CONF" <<EOF
# Written by tests/integration/relay.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = true; };
log = { level = "debug"; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  offer_time = 60;
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.200"; } );
      routers = [ "10.42.0.1" ]; },
    { subnet = "10.43.0.0/24";
      pools = ( { start = "10.43.0.100"; end = "10.43.0.200"; } );
      routers = [ "10.43.0.1" ]; }
  );
};
provisioning = {
  base_url = "https://10.42.0.1";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
# One user: the registry sync wants a non-empty list.
users = (
  { name = "pat"; sip = { user = "299"; password = "pat-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "80:5e:c0:99:00:01"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
}

# ----------------------------------------------------------------- network

# veth NS_A IF_A NS_B IF_B [MAC_B]: a pair created inside the namespaces.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	[ -z "${5:-}" ] || ip -n "$3" link set "$4" address "$5" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

setup_network() {
	local ns

	for ns in "$NS_SRV" "$NS_C1" "$NS_RLY" "$NS_RC"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	veth "$NS_SRV" "$IF_S1" "$NS_C1" "$IF_C1" 02:00:00:aa:00:01 || return 1
	ip -n "$NS_SRV" link set "$IF_S1" master "$BR" || return 1
	veth "$NS_SRV" "$IF_SR" "$NS_RLY" "$IF_RU" || return 1
	ip -n "$NS_SRV" link set "$IF_SR" master "$BR" || return 1
	ip -n "$NS_RLY" addr add "$RLY_UP/24" dev "$IF_RU" || return 1
	veth "$NS_RLY" "$IF_RD" "$NS_RC" "$IF_RC" "$MAC_RC" || return 1
	ip -n "$NS_RLY" addr add "$RLY_B/24" dev "$IF_RD" || return 1
	ip -n "$NS_RLY" addr add "$RLY_X/24" dev "$IF_RD" || return 1
	ip -n "$NS_SRV" route add 10.43.0.0/24 via "$RLY_UP" || return 1
	ip -n "$NS_SRV" route add 10.77.0.0/24 via "$RLY_UP" || return 1
}

# ------------------------------------------------------------------ server

srv_pid() {
	pb_daemon_pid server
}

srv_start() {
	pb_daemon_start server "$NS_SRV" "$SRV_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF"
}

srv_stop() {
	pb_daemon_stop server || :
}

# log_after MARK: the server log after line MARK, for messages.
log_after() {
	tail -n "+$(($1 + 1))" "$SRV_LOG" | cut -c 21- | tail -n 4 | tr '\n' ' '
}

# ------------------------------------------------------------ DHCP bytes

# ip_hex A.B.C.D: the address as 8 hex digits.
ip_hex() {
	local IFS=.

	# shellcheck disable=SC2086 # split on the dots
	set -- $1
	printf '%02x%02x%02x%02x' "$1" "$2" "$3" "$4"
}

# opt CODE HEX: option CODE with value HEX, in instances of at most 255
# bytes (RFC 3396), or in the sizes given as further arguments.
opt() {
	local code=$1 v=$2 out='' n

	shift 2
	while :; do
		n=${1:-255}
		[ $# -gt 0 ] && shift
		[ $((${#v} / 2)) -lt "$n" ] && n=$((${#v} / 2))
		out+=$(printf '%02x%02x' "$code" "$n")${v:0:n*2}
		v=${v:n*2}
		[ -n "$v" ] || break
	done
	echo "$out"
}

# sub CODE HEX: one Option 82 sub-option (RFC 3046 2.0).
sub() {
	printf '%02x%02x%s' "$1" $((${#2} / 2)) "$2"
}

# cid_hex LEN [LAST]: a client identifier of LEN bytes: type 0 (not a
# hardware address, RFC 2132 9.14), then (i * 7 + 0xa5) & 0xff; with LAST,
# the last byte is LAST instead.
cid_hex() {
	local i h=00

	for ((i = 1; i < $1; i++)); do
		if [ "$i" -eq $(($1 - 1)) ] && [ -n "${2:-}" ]; then
			h+=$2
		else
			h+=$(printf '%02x' $(((i * 7 + 0xa5) & 0xff)))
		fi
	done
	echo "$h"
}

# The options every request here carries: 57 (1500, so a reply holds a
# long identifier's echo) and 55 (mask, router, server identifier).
COMMON=$(opt 57 05dc)$(opt 55 01030636)

# --------------------------------------------------------------- clients

# client OUT MAC XID HEX: pbcraft in c1 sends a BOOTREQUEST with options
# HEX (END added) broadcast from port 68, and waits 4 s for the answer.
client() {
	ip netns exec "$NS_C1" timeout 30 "$CRAFT" -i "$IF_C1" -m "$2" \
	    -x "$3" -w 4000 opts "${4}ff" >"$1" 2>"$1.err"
}

# relay OUT GIADDR MAC XID HEX [WAIT_MS]: pbcraft in the relay namespace
# plays the relay agent: giaddr GIADDR, hops 1, unicast from port 67 to
# the server, the answer awaited on port 67.
relay() {
	ip netns exec "$NS_RLY" timeout 30 "$CRAFT" -i "$IF_RU" -s "$SRV_IP" \
	    -g "$2" -m "$3" -x "$4" -w "${6:-4000}" opts "${5}ff" \
	    >"$1" 2>"$1.err"
}

kv() {
	pb_kv "$1" "$2"
}

# in_pool IP PREFIX: IP is PREFIX.100 .. PREFIX.200.
in_pool() {
	local last=${1##*.}

	[ "${1%.*}" = "$2" ] && [ "$last" -ge 100 ] && [ "$last" -le 200 ]
}

# reply_is OUT TYPE: the answer in OUT is TYPE (OFFER, ACK, NAK).
reply_is() {
	[ "$(kv reply "$1")" = "$2" ]
}

# ------------------------------------------------------------------- tests

# dora OUT MAC XID IDHEX: DISCOVER and REQUEST (SELECTING, RFC 2131 4.3.2)
# from c1 with IDHEX as client identifier in instances of at most 255
# bytes; leaves OUT.offer and OUT.ack; 0 when ACKed the address offered.
dora() {
	local o=$1 mac=$2 xid=$3 id61 ip sid

	id61=$(opt 61 "$4")
	client "$o.offer" "$mac" "$xid" "$(opt 53 01)$id61$COMMON" ||
	    { echo "no answer to the DISCOVER"; return 1; }
	reply_is "$o.offer" OFFER ||
	    { echo "the DISCOVER got $(kv reply "$o.offer")"; return 1; }
	ip=$(kv yiaddr "$o.offer")
	sid=$(kv hex54 "$o.offer")
	client "$o.ack" "$mac" "$((xid + 1))" \
	    "$(opt 53 03)$id61$(opt 50 "$(ip_hex "$ip")")$(opt 54 "$sid")$COMMON" ||
	    { echo "no answer to the REQUEST for $ip"; return 1; }
	reply_is "$o.ack" ACK ||
	    { echo "the REQUEST for $ip got $(kv reply "$o.ack"): $(kv opt56 "$o.ack")"; return 1; }
	[ "$(kv yiaddr "$o.ack")" = "$ip" ] ||
	    { echo "offered $ip, ACKed $(kv yiaddr "$o.ack")"; return 1; }
}

# (a) RFC 2132 9.14 sets only a minimum length for the client identifier
# (2 bytes); RFC 3396 joins instances of an option, so an identifier of 300
# bytes travels as 255 + 45. Such a DISCOVER and REQUEST are answered (an
# OFFER and an ACK, not dropped as malformed); the replies echo the whole
# identifier (RFC 6842 3). RFC 2131 4.2 / RFC 2132 9.14: the identifier is
# the client's key: a second DORA with it gets the same address, also from
# another MAC; an identifier equal in its first 299 bytes (255 and more)
# is another client, with another address.
t_long_client_id() {
	local o=$PB_TMP/longid mark id id2 id3 ip ip2 f

	mark=$(pb_lines "$SRV_LOG")
	id=$(cid_hex 300)
	id2=$(cid_hex 300 00)
	[ "$(opt 61 "$id" | cut -c 1-4)" = 3dff ] &&
	    [ "$(opt 61 "$id" | cut -c 515-518)" = 3d2d ] ||
	    die "the test's own encoding is not 255 + 45"
	dora "$o.1" 02:00:00:61:00:01 0x61000010 "$id" >"$o.why" ||
	    die "first DORA (RFC 3396, two instances of 61): $(cat "$o.why"); log: $(log_after "$mark")"
	ip=$(kv yiaddr "$o.1.ack")
	in_pool "$ip" 10.42.0 || die "ACKed $ip, not an address of pool A"
	for f in "$o.1.offer" "$o.1.ack"; do
		[ "$(kv hex61 "$f")" = "$id" ] ||
		    die "RFC 6842: $(kv reply "$f") echoes a client identifier of $(($(kv hex61 "$f" | wc -c) / 2)) bytes, not the 300 sent"
	done
	dora "$o.2" 02:00:00:61:00:01 0x61000020 "$id" >"$o.why" ||
	    die "second DORA, same identifier: $(cat "$o.why")"
	[ "$(kv yiaddr "$o.2.ack")" = "$ip" ] ||
	    die "second DORA with the same identifier got $(kv yiaddr "$o.2.ack"), the first $ip"
	dora "$o.3" 02:00:00:61:00:02 0x61000030 "$id" >"$o.why" ||
	    die "the same identifier from another MAC: $(cat "$o.why")"
	[ "$(kv yiaddr "$o.3.ack")" = "$ip" ] ||
	    die "the same identifier from another MAC got $(kv yiaddr "$o.3.ack"), not $ip (keyed by chaddr?)"
	dora "$o.4" 02:00:00:61:00:03 0x61000040 "$id2" >"$o.why" ||
	    die "an identifier differing in byte 300: $(cat "$o.why")"
	ip2=$(kv yiaddr "$o.4.ack")
	[ "$ip2" != "$ip" ] ||
	    die "two identifiers equal in their first 299 bytes got one address $ip (keyed by a cut of the identifier)"
	# Three instances: 600 bytes as 255 + 255 + 90, echoed whole.
	id3=$(cid_hex 600)
	client "$o.5" 02:00:00:61:00:04 0x61000050 \
	    "$(opt 53 01)$(opt 61 "$id3")$COMMON" ||
	    die "no answer to a DISCOVER with 600 bytes of 61 in three instances"
	reply_is "$o.5" OFFER || die "600-byte identifier: $(kv reply "$o.5")"
	[ "$(kv hex61 "$o.5")" = "$id3" ] ||
	    die "RFC 6842: the OFFER does not echo the 600-byte identifier"
	pb_grep_after "$SRV_LOG" "$mark" "malformed" &&
	    die "the server logged a malformed packet: $(log_after "$mark")"
	pb_pass
}

# (b) RFC 5107 4: a relay that sets sub-option 11 (server identifier
# override) to its own address X makes the client talk to X; the server
# puts X in Option 54 of its replies (RFC 5107 4, "MUST use the value"),
# takes a REQUEST naming X in Option 54 as its own (not "for another
# server", RFC 2131 4.3.2), and echoes Option 82 with sub-option 11 (RFC
# 3046 2.0, RFC 5107 4). Without sub-option 11 the same REQUEST is for
# another server and gets nothing.
t_override() {
	local o=$PB_TMP/override mac=02:00:00:51:07:01 mark ri ri2 ip x
	local sel

	x=$(ip_hex "$RLY_B")
	ri=$(sub 1 "$(pb_hex port-7)")$(sub 11 "$x")
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.offer" "$RLY_B" "$mac" 0x51070010 \
	    "$(opt 53 01)$COMMON$(opt 82 "$ri")" ||
	    die "no OFFER to the relayed DISCOVER: $(log_after "$mark")"
	reply_is "$o.offer" OFFER || die "the DISCOVER got $(kv reply "$o.offer")"
	ip=$(kv yiaddr "$o.offer")
	in_pool "$ip" 10.43.0 || die "offered $ip, not an address of pool B (giaddr $RLY_B)"
	[ "$(kv hex54 "$o.offer")" = "$x" ] ||
	    die "RFC 5107: the OFFER's server identifier is $(kv hex54 "$o.offer"), not the override $x ($RLY_B)"
	[ "$(kv hex82 "$o.offer")" = "$ri" ] ||
	    die "RFC 3046 2.0: the OFFER's Option 82 is '$(kv hex82 "$o.offer")', not the relay's $ri"
	sel="$(opt 53 03)$(opt 50 "$(ip_hex "$ip")")$(opt 54 "$x")$COMMON"
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.ack" "$RLY_B" "$mac" 0x51070020 "$sel$(opt 82 "$ri")" ||
	    die "RFC 5107: the REQUEST naming the override $RLY_B got no answer: $(log_after "$mark")"
	reply_is "$o.ack" ACK ||
	    die "the REQUEST got $(kv reply "$o.ack"): $(kv opt56 "$o.ack")"
	[ "$(kv yiaddr "$o.ack")" = "$ip" ] || die "ACKed $(kv yiaddr "$o.ack"), offered $ip"
	[ "$(kv giaddr "$o.ack")" = "$RLY_B" ] || die "the ACK's giaddr is $(kv giaddr "$o.ack")"
	[ "$(kv hex54 "$o.ack")" = "$x" ] ||
	    die "RFC 5107: the ACK's server identifier is $(kv hex54 "$o.ack"), not $x"
	[ "$(kv hex82 "$o.ack")" = "$ri" ] ||
	    die "RFC 3046 2.0: the ACK's Option 82 is '$(kv hex82 "$o.ack")', not $ri"
	[ "$(pb_tlv "$(kv hex82 "$o.ack")" 11)" = "$x" ] ||
	    die "the ACK's Option 82 lacks sub-option 11"
	pb_grep_after "$SRV_LOG" "$mark" "ignored: for another server" &&
	    die "dropped as for another server: $(log_after "$mark")"
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $mac .*\\(relay $RLY_B\\)" ||
	    die "no 'DHCPACK $ip to $mac ... (relay $RLY_B)' in the log"
	# The control: the same REQUEST, its 82 without sub-option 11.
	ri2=$(sub 1 "$(pb_hex port-7)")
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.no11" "$RLY_B" "$mac" 0x51070030 "$sel$(opt 82 "$ri2")" 2500 &&
	    die "without sub-option 11, a REQUEST naming $RLY_B was answered: $(kv reply "$o.no11")"
	pb_wait_for 5 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPREQUEST from $mac .* ignored: for another server" ||
	    die "without sub-option 11: no 'ignored: for another server' in the log: $(log_after "$mark")"
	pb_pass
}

# (c) RFC 3527 3: the link-selection sub-option (5) names the client's
# subnet (its address, "ANDed with the subnet mask"); the server MUST
# allocate on it, not on giaddr's (giaddr is then only where replies go,
# RFC 3527 1). A relayed DISCOVER with giaddr in no configured subnet and
# sub-option 5 = 10.43.0.0 gets an address of B, B's mask and router, sent
# to giaddr, Option 82 echoed (RFC 3046 2.0); the DORA ends in an ACK.
# Without sub-option 5 the same DISCOVER has no subnet and is dropped (RFC
# 2131 4.3.1: giaddr selects the subnet).
t_link_selection() {
	local o=$PB_TMP/linksel mac=02:00:00:35:27:01 mark ri ip sid

	ri=$(sub 1 "$(pb_hex port-9)")$(sub 5 "$(ip_hex 10.43.0.0)")
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.offer" "$RLY_X" "$mac" 0x35270010 \
	    "$(opt 53 01)$COMMON$(opt 82 "$ri")" ||
	    die "no OFFER for giaddr $RLY_X with link selection $RLY_B: $(log_after "$mark")"
	reply_is "$o.offer" OFFER || die "the DISCOVER got $(kv reply "$o.offer")"
	ip=$(kv yiaddr "$o.offer")
	in_pool "$ip" 10.43.0 || die "offered $ip, not an address of subnet B's pool"
	[ "$(kv hex1 "$o.offer")" = ffffff00 ] &&
	    [ "$(kv hex3 "$o.offer")" = "$(ip_hex 10.43.0.1)" ] ||
	    die "the OFFER carries mask $(kv hex1 "$o.offer") and router $(kv hex3 "$o.offer"), not subnet B's"
	[ "$(kv giaddr "$o.offer")" = "$RLY_X" ] ||
	    die "the OFFER's giaddr is $(kv giaddr "$o.offer"), not $RLY_X"
	[ "$(kv hex82 "$o.offer")" = "$ri" ] ||
	    die "RFC 3046 2.0: the OFFER's Option 82 is '$(kv hex82 "$o.offer")', not $ri"
	sid=$(kv hex54 "$o.offer")
	relay "$o.ack" "$RLY_X" "$mac" 0x35270020 \
	    "$(opt 53 03)$(opt 50 "$(ip_hex "$ip")")$(opt 54 "$sid")$COMMON$(opt 82 "$ri")" ||
	    die "no answer to the REQUEST for $ip"
	reply_is "$o.ack" ACK ||
	    die "the REQUEST for $ip got $(kv reply "$o.ack"): $(kv opt56 "$o.ack")"
	[ "$(kv yiaddr "$o.ack")" = "$ip" ] || die "ACKed $(kv yiaddr "$o.ack"), offered $ip"
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $mac .*\\(relay $RLY_X\\)" ||
	    die "no 'DHCPACK $ip to $mac ... (relay $RLY_X)' in the log"
	# The control: no sub-option 5, giaddr in no subnet.
	mac=02:00:00:35:27:02
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.no5" "$RLY_X" "$mac" 0x35270030 \
	    "$(opt 53 01)$COMMON$(opt 82 "$(sub 1 "$(pb_hex port-9)")")" 2500 &&
	    die "without sub-option 5, giaddr $RLY_X (no subnet) was answered: $(kv reply "$o.no5") $(kv yiaddr "$o.no5")"
	pb_wait_for 5 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPDISCOVER from $mac .* ignored: no subnet" ||
	    die "without sub-option 5: no 'ignored: no subnet' in the log: $(log_after "$mark")"
	pb_pass
}

# RFC 3527 3 with a real relay: ISC dhcrelay -U sets giaddr to its upstream
# address (10.42.0.2, in subnet A) and sub-option 5 to the client's link
# (10.43.0.1). udhcpc behind it gets an address of B: the link selection
# wins over a giaddr that is itself in a served subnet. (-U without -iu:
# with both on one interface dhcrelay 4.4.3 dies at the first request.)
t_link_selection_dhcrelay() {
	local o=$PB_TMP/dhcrelay-u ip

	pb_bg ip netns exec "$NS_RLY" timeout 60 dhcrelay -d -4 -U "$IF_RU" \
	    -id "$IF_RD" "$SRV_IP" >"$o.relay" 2>&1
	pb_wait_for 10 grep -q "Sending on *Socket" "$o.relay" ||
	    die "dhcrelay did not start: $(tail -n 2 "$o.relay" | tr '\n' ' ')"
	ip netns exec "$NS_RC" timeout 30 udhcpc -f -q -n -i "$IF_RC" \
	    -s /bin/true -t 5 -T 2 >"$o.udhcpc" 2>&1 ||
	    die "udhcpc behind dhcrelay -U got no lease: $(tail -n 1 "$o.udhcpc")"
	ip=$(sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' "$o.udhcpc" |
	    head -n 1)
	in_pool "$ip" 10.43.0 ||
	    die "udhcpc behind dhcrelay -U got '$ip', not subnet B's (giaddr $RLY_UP is in A)"
	grep -q "DHCPACK $ip to $MAC_RC .*(relay $RLY_UP)" "$SRV_LOG" ||
	    die "no 'DHCPACK $ip to $MAC_RC ... (relay $RLY_UP)' in the log"
	pb_pass
}

# RFC 3046 2.0: Option 82 is sub-options that end where it ends. Here a
# good link selection is followed by a circuit id running past the option.
# Relayed (giaddr 10.77.0.1, in no subnet), the server would have to read
# them (RFC 3527 3: a relay sending link selection "MUST assume" the server
# uses it): the message is refused as malformed, neither served from the
# link selection nor from giaddr. From a client (giaddr 0) Option 82 is
# not read, only echoed byte for byte (RFC 3046 2.0): an OFFER from the
# client's subnet A.
t_bad_subopts() {
	local o=$PB_TMP/badsub mark ri

	ri=$(sub 5 "$(ip_hex 10.43.0.0)")0103aabb
	mark=$(pb_lines "$SRV_LOG")
	relay "$o.x" "$RLY_X" 02:00:00:30:46:01 0x30460010 \
	    "$(opt 53 01)$COMMON$(opt 82 "$ri")" 2500 &&
	    die "a relayed DISCOVER with broken sub-options was answered: $(kv reply "$o.x") $(kv yiaddr "$o.x")"
	pb_wait_for 5 pb_grep_after "$SRV_LOG" "$mark" \
	    "malformed packet from $RLY_UP \\(02:00:00:30:46:01\\) .*dropped: relayed with malformed relay agent information \\(82\\)" ||
	    die "no 'malformed packet from $RLY_UP (02:00:00:30:46:01) ... dropped: relayed with malformed relay agent information (82)' in the log: $(log_after "$mark")"
	mark=$(pb_lines "$SRV_LOG")
	client "$o.c" 02:00:00:30:46:02 0x30460020 \
	    "$(opt 53 01)$COMMON$(opt 82 "$ri")" ||
	    die "no answer to a client's DISCOVER with a broken Option 82: $(log_after "$mark")"
	reply_is "$o.c" OFFER || die "the DISCOVER got $(kv reply "$o.c")"
	in_pool "$(kv yiaddr "$o.c")" 10.42.0 ||
	    die "offered $(kv yiaddr "$o.c"), not an address of the client's subnet A"
	[ "$(kv hex82 "$o.c")" = "$ri" ] ||
	    die "Option 82 not echoed byte for byte: '$(kv hex82 "$o.c")', sent $ri"
	pb_grep_after "$SRV_LOG" "$mark" "malformed" &&
	    die "a client's Option 82 counted as malformed: $(log_after "$mark")"
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
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$SRV_LOG" \
	    "$PB_TMP"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	[ "$alive" -eq 1 ] || die "the server was not running: $(tail -n 2 "$SRV_LOG")"
	pb_alive "$pid" && die "the server ignored SIGTERM"
	rm -f "$PB_TMP/server.pid"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/check.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/check.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi

pb_run long-client-id-rfc3396 90 t_long_client_id
pb_run server-id-override-rfc5107 60 t_override
pb_run link-selection-rfc3527 60 t_link_selection
pb_run link-selection-dhcrelay-rfc3527 60 t_link_selection_dhcrelay
pb_run broken-subopts-rfc3046 60 t_bad_subopts
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
srv_stop
pb_finish
