#!/usr/bin/env bash
# conflict.sh - conflict detection in provbox-dhcpd (issue 13, point 3):
# before it offers an address no client held, the server pings it; an
# address that answers is set aside and another one is probed, and the
# client whose OFFER waits for a probe is the only one that waits.
#
#   bash tests/integration/conflict.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces (see lib.sh for the names) and removes it
# at the end, also on failure or Ctrl-C:
#
#   $T-c1 (pbprobe)          --+
#   $T-c2 (pbprobe)          --+   $T-srv: bridge ${T}br 10.42.0.1/24,
#   $T-c3 (dhclient, udhcpc, --+-- provbox-dhcpd (pool 10.42.0.100-150,
#          dhcpcd)             |   log level debug)
#   $T-h1 (a host the server --+
#          does not know: 10.42.0.100, the pool's first address; it
#          answers pings, as every Linux host does)
#
# Order of events is read from the server's log (one process, one event
# loop: its lines are in the order things happened) and from a capture on
# the bridge (DHCP and ICMP), never from wall-clock thresholds.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "conflict-integration: N passed, N failed", and RESULTS_FILE gets
# "conflict-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77
# if not root or a client or tshark is missing and cannot be installed.
# PB_ONLY="name ..." runs only those tests (they build on each other: pick
# a prefix); PB_KEEP=1 keeps the temporary directory.

# shellcheck disable=SC2034 # some variables are read by name (${!name})
# shellcheck disable=SC2015 # "[ a ] && [ b ] || die": die ends the test
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
pb_init "${1:-$here/../../build}" "${2:-}" conflict-integration

T=$PB_TAG
NS_SRV=$T-srv
BR=${T}br
NS_C1=$T-c1 IF_C1=${T}c1 MAC_C1=02:00:00:cf:00:01
NS_C2=$T-c2 IF_C2=${T}c2 MAC_C2=02:00:00:cf:00:02
NS_C3=$T-c3 IF_C3=${T}c3 MAC_C3=02:00:00:cf:00:03
NS_H1=$T-h1 IF_H1=${T}h1 MAC_H1=02:00:00:cf:00:99

SRV_IP=10.42.0.1
SQUAT=10.42.0.100	# held by $T-h1; the server's first pick
POOL_LO=100
POOL_HI=150
TIMEOUT_MS=1500		# dhcp.conflict_timeout

# The clients, one MAC each (pbprobe -m).
MAC_P1=02:00:00:c0:00:01	# gets an address despite the squatter
MAC_P2=02:00:00:c0:00:02	# probed while P1 renews
MAC_P4=02:00:00:c0:00:04	# every address answers
MAC_P5=02:00:00:c0:00:05	# conflict_check off
MAC_P6=02:00:00:c0:00:06	# conflict_check on again
MAC_UDHCPC=02:00:00:c0:00:11
MAC_DHCLIENT=02:00:00:c0:00:12
MAC_DHCPCD=02:00:00:c0:00:13

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
CTL_ERR=$PB_TMP/provboxctl.err
: >"$SRV_LOG"
: >"$CTL_ERR"
PB_CREATED_FILES+=("/var/lib/dhcpcd/$IF_C3.lease" "/run/dhcpcd/$IF_C3-4.pid"
	"/run/dhcpcd/$IF_C3-4.sock" "/run/dhcpcd/$IF_C3-4.unpriv.sock")
[ -d /run/dhcpcd ] || PB_CREATED_DIRS+=(/run/dhcpcd)

# ------------------------------------------------------------------ config

# write_config CONFLICT_CHECK: true or false.
write_config() {
	mkdir -p "$CONF_DIR"
	cat >"$CONF" <<EOF
# Written by tests/integration/conflict.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
# debug: the "probing ADDRESS before the offer" lines order the events.
log = { level = "debug"; warn_burst = 1000; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  offer_time = 60;
  conflict_check = $1;
  conflict_timeout = $TIMEOUT_MS;
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.$POOL_LO"; end = "10.42.0.$POOL_HI"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  base_url = "https://$SRV_IP";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
vendors = ( { name = "other"; default = true; } );
users = ( );
EOF
}

# ----------------------------------------------------------------- network

veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	[ -z "${5:-}" ] || ip -n "$3" link set "$4" address "$5" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

setup_network() {
	local n ns ifc mac

	for ns in "$NS_SRV" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_H1"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	for n in C1 C2 C3 H1; do
		ns=NS_$n ifc=IF_$n mac=MAC_$n
		veth "$NS_SRV" "${T}s${n,,}" "${!ns}" "${!ifc}" "${!mac}" ||
		    return 1
		ip -n "$NS_SRV" link set "${T}s${n,,}" master "$BR" || return 1
	done
	# The host the server does not know, on the pool's first address.
	ip -n "$NS_H1" addr add "$SQUAT/24" dev "$IF_H1"
}

# ------------------------------------------------------------------ server

srv_pid() {
	pb_daemon_pid server
}

srv_start() {
	pb_daemon_start server "$NS_SRV" "$SRV_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF"
}

# srv_reload CONFLICT_CHECK: rewrites the config, SIGHUP; 0 once reloaded.
srv_reload() {
	local mark

	write_config "$1"
	mark=$(pb_lines "$SRV_LOG")
	kill -HUP "$(srv_pid)" || return 1
	pb_wait_for 15 pb_grep_after "$SRV_LOG" "$mark" \
	    "reloaded |reload refused" || return 1
	pb_grep_after "$SRV_LOG" "$mark" "reloaded "
}

# leases FILE: provboxctl's lease list.
leases() {
	timeout 30 "$CTL" -c "$CONF" leases >"$1" 2>>"$CTL_ERR"
}

# probe_in OUT NS IFACE ARGS...: pbprobe, bounded.
probe_in() {
	local out=$1 ns=$2 ifc=$3

	shift 3
	ip netns exec "$ns" timeout 60 "$PROBE" -i "$ifc" "$@" \
	    >"$out" 2>"$out.err"
}

# line_of MARK REGEX: the number of the first log line after MARK
# matching REGEX (0: none).
line_of() {
	awk -v m="$1" -v re="$2" 'NR > m && $0 ~ re { print NR; f = 1; exit }
	    END { if (!f) print 0 }' "$SRV_LOG"
}

# ---------------------------------------------------------------- captures

# cap_start FILE: DHCP, ICMP and ARP on the bridge (every host's traffic).
cap_start() {
	pb_bg ip netns exec "$NS_SRV" timeout 120 tshark -i "$BR" \
	    -f "udp port 67 or udp port 68 or icmp or arp" -w "$1" -q \
	    >"$1.log" 2>&1
	PB_CAP_PID=$PB_BG_PID
	pb_wait_for 15 grep -q "Capturing on" "$1.log" || return 1
	sleep 0.3
}

# events FILE: one line per frame, in capture order:
#   FRAME icmp TYPE SRC DST            (8: echo request, 0: echo reply)
#   FRAME arp OPCODE SENDER TARGET     (1: who-has TARGET)
#   FRAME dhcp MSGTYPE CHADDR YIADDR   (1 DISCOVER, 2 OFFER, 3 REQUEST, 5 ACK)
# An echo to an address nobody holds never reaches the wire: the server's
# kernel asks for its MAC (ARP who-has ADDRESS tell 10.42.0.1) and gets no
# answer. That ARP request is the probe as the wire sees it.
events() {
	tshark -r "$1" -T fields -E separator=, -E aggregator=/ \
	    -e frame.number -e icmp.type -e ip.src -e ip.dst \
	    -e dhcp.option.dhcp -e dhcp.hw.mac_addr -e dhcp.ip.your \
	    -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 \
	    2>/dev/null | awk -F, '
	    $5 != "" { print $1, "dhcp", $5, $6, $7; next }
	    $2 != "" { print $1, "icmp", $2, $3, $4; next }
	    $8 != "" { print $1, "arp", $8, $9, $10 }'
}

# probe_frame EVENTS IP: the first frame of the server's probe of IP on
# the wire (its echo request, or its ARP request for IP); 0: none.
probe_frame() {
	first_frame "$1" "(\$2 == \"icmp\" && \$3 == 8 && \$4 == \"$SRV_IP\" &&
	    \$5 == \"$2\") || (\$2 == \"arp\" && \$3 == 1 &&
	    \$4 == \"$SRV_IP\" && \$5 == \"$2\")"
}

# first_frame EVENTS AWK_CONDITION: the first frame matching (0: none).
first_frame() {
	awk "$2 { print \$1; f = 1; exit } END { if (!f) print 0 }" "$1"
}

# ------------------------------------------------------------ real clients

write_client_scripts() {
	cat >"$PB_TMP/dhclient-script" <<EOF
#!/bin/sh
case "\$reason" in
PREINIT)
	ip link set dev "\$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	ip -4 addr replace "\$new_ip_address/\${new_subnet_mask:-255.255.255.0}" \\
	    dev "\$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -n "\$old_ip_address" ] && ip -4 addr flush dev "\$interface" ;;
esac
exit 0
EOF
	cat >"$PB_TMP/udhcpc-script" <<EOF
#!/bin/sh
case "\$1" in
deconfig)
	ip -4 addr flush dev "\$interface"
	ip link set dev "\$interface" up ;;
bound|renew)
	ip -4 addr replace "\$ip/\${mask:-24}" dev "\$interface" ;;
esac
exit 0
EOF
	cat >"$PB_TMP/dhcpcd-script" <<EOF
#!/bin/sh
exit 0
EOF
	chmod +x "$PB_TMP/dhclient-script" "$PB_TMP/udhcpc-script" \
	    "$PB_TMP/dhcpcd-script"
	cat >"$PB_TMP/dhclient.conf" <<EOF
request subnet-mask, broadcast-address, routers;
EOF
	cat >"$PB_TMP/dhcpcd.conf" <<EOF
ipv4only
noipv4ll
noarp
clientid
option subnet_mask, routers
EOF
}

# c3_mac MAC: c3's interface takes that MAC, without an address.
c3_mac() {
	ip -n "$NS_C3" -4 addr flush dev "$IF_C3"
	ip -n "$NS_C3" link set "$IF_C3" down
	ip -n "$NS_C3" link set "$IF_C3" address "$1"
	ip -n "$NS_C3" link set "$IF_C3" up
}

# ------------------------------------------------------------------- tests

# The address of the server's own interface inside a pool: the start is
# refused with the config check's message (before any socket is opened).
t_own_address() {
	local out=$PB_TMP/own-address.out rc

	ip -n "$NS_SRV" addr add 10.42.0.140/24 dev "$BR" ||
	    die "cannot add 10.42.0.140 to $BR"
	ip netns exec "$NS_SRV" timeout 20 "$DHCPD" -f -c "$CONF" >"$out" 2>&1
	rc=$?
	ip -n "$NS_SRV" addr del 10.42.0.140/24 dev "$BR"
	[ "$rc" -ne 0 ] || die "the server started with its address in a pool"
	[ "$rc" -ne 124 ] || die "the server did not stop: $(tail -n 1 "$out")"
	grep -q "10\.42\.0\.140 is inside the pool 10\.42\.0\.100-10\.42\.0\.150" \
	    "$out" || die "no message naming the address and the pool: $(tail -n 2 "$out")"
	grep -q "provbox-dhcpd started" "$out" && die "the server said it started"
	pb_pass
}

# Started with conflict_check off, reloaded with it on: the ICMP socket
# is opened after the privileges were dropped and the seccomp filter is
# on (CAP_NET_RAW is kept for this). The next tests use it.
t_reload_on() {
	srv_reload true ||
	    die "the reload was refused: $(grep 'reload refused' "$SRV_LOG" | tail -n 1)"
	pb_alive "$(srv_pid)" || die "the server died: $(tail -n 2 "$SRV_LOG")"
	pb_pass
}

# A host holds the pool's first address and answers pings: a client is
# never offered it. The server pings it (after storing the hold), the
# host answers, the address is set aside (log line, registry) and the
# client gets another address, probed too, that nobody answers for.
t_never_offered() {
	local o=$PB_TMP/never cap=$PB_TMP/never.pcap ev=$PB_TMP/never.ev
	local mark ip f_echo f_reply f_offer f_echo2 bad lf

	mark=$(pb_lines "$SRV_LOG")
	cap_start "$cap" || die "tshark did not start"
	probe_in "$o" "$NS_C1" "$IF_C1" -m "$MAC_P1" -T 20000 dora ||
	    die "no ACK: $(head -n 1 "$o")"
	pb_capture_stop
	events "$cap" >"$ev"
	ip=$(pb_kv yiaddr "$o")
	echo "$ip" >"$PB_TMP/p1.ip"
	[ "$(pb_kv type "$o")" = ACK ] || die "reply: $(head -n 1 "$o")"
	[ "$ip" != "$SQUAT" ] || die "the client was given $SQUAT, which answers pings"
	pb_grep_after "$SRV_LOG" "$mark" "probing 10\.42\.0\.100 before the offer" ||
	    die "the server did not probe $SQUAT (was it not its first pick?)"
	pb_grep_after "$SRV_LOG" "$mark" \
	    "conflict: 10\.42\.0\.100 answered a ping; set aside for [0-9]+ s" ||
	    die "no 'conflict: $SQUAT answered a ping; set aside for N s' line"
	pb_grep_after "$SRV_LOG" "$mark" "probing ${ip//./\\.} before the offer" ||
	    die "the address given, $ip, was not probed"
	# On the wire: no OFFER or ACK of the squatter's address, ever.
	bad=$(awk -v a="$SQUAT" '$2 == "dhcp" && ($3 == 2 || $3 == 5) &&
	    $5 == a' "$ev")
	[ -z "$bad" ] || die "a reply offered $SQUAT: $bad"
	f_echo=$(first_frame "$ev" "\$2 == \"icmp\" && \$3 == 8 && \$4 == \"$SRV_IP\" && \$5 == \"$SQUAT\"")
	f_reply=$(first_frame "$ev" "\$2 == \"icmp\" && \$3 == 0 && \$4 == \"$SQUAT\" && \$5 == \"$SRV_IP\"")
	f_echo2=$(probe_frame "$ev" "$ip")
	f_offer=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 2 && \$4 == \"$MAC_P1\"")
	[ "$f_echo" -gt 0 ] || die "no echo request to $SQUAT in the capture"
	[ "$f_reply" -gt "$f_echo" ] || die "no echo reply from $SQUAT after the request"
	[ "$f_echo2" -gt "$f_reply" ] ||
	    die "no probe of $ip (echo or ARP) after $SQUAT answered"
	[ "$f_offer" -gt "$f_echo2" ] ||
	    die "the OFFER (frame $f_offer) did not wait for the probe of $ip (frame $f_echo2)"
	lf=$PB_TMP/never.leases
	leases "$lf" || die "provboxctl leases failed"
	grep -q "^$SQUAT .*declined" "$lf" ||
	    die "registry: $SQUAT is not set aside: $(grep "^$SQUAT " "$lf")"
	pb_pass
}

# While one client's OFFER waits for its probe (nobody answers: it waits
# the whole timeout), a client that has a lease gets its ACK: the ACK is
# logged and on the wire before the waiting client's OFFER.
t_others_served() {
	local o=$PB_TMP/others cap=$PB_TMP/others.pcap ev=$PB_TMP/others.ev
	local mark ip1 pid probed l_probe l_ack l_offer
	local f_disc f_echo f_req f_ack f_offer

	ip1=$(cat "$PB_TMP/p1.ip" 2>/dev/null)
	[ -n "$ip1" ] || die "no address from the previous test"
	mark=$(pb_lines "$SRV_LOG")
	cap_start "$cap" || die "tshark did not start"
	pb_bg ip netns exec "$NS_C2" timeout 60 "$PROBE" -i "$IF_C2" \
	    -m "$MAC_P2" -T 20000 dora >"$o.p2" 2>"$o.p2.err"
	pid=$PB_BG_PID
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPDISCOVER from $MAC_P2 via .*: probing [0-9.]+ before the offer" ||
	    die "the second client's address was not probed"
	probed=$(tail -n "+$((mark + 1))" "$SRV_LOG" | sed -n \
	    "s/.*DHCPDISCOVER from $MAC_P2 via .*: probing \([0-9.]*\) before.*/\1/p" |
	    head -n 1)
	# The bound client asks for its address again (INIT-REBOOT).
	probe_in "$o.p1" "$NS_C1" "$IF_C1" -m "$MAC_P1" reboot "$ip1" ||
	    die "the bound client: $(head -n 1 "$o.p1")"
	[ "$(pb_kv type "$o.p1")" = ACK ] && [ "$(pb_kv yiaddr "$o.p1")" = "$ip1" ] ||
	    die "the bound client got $(pb_kv type "$o.p1") $(pb_kv yiaddr "$o.p1")"
	pb_wait_for 30 eval "! pb_alive $pid" || die "the probing client did not finish"
	wait "$pid" 2>/dev/null
	pb_capture_stop
	[ "$(pb_kv type "$o.p2")" = ACK ] ||
	    die "the probing client: $(head -n 1 "$o.p2")"
	[ "$(pb_kv yiaddr "$o.p2")" = "$probed" ] ||
	    die "the probing client got $(pb_kv yiaddr "$o.p2"), $probed was probed"
	# The log: probe, then the other client's ACK, then the OFFER.
	l_probe=$(line_of "$mark" "DHCPDISCOVER from $MAC_P2 via .*: probing")
	l_ack=$(line_of "$mark" "DHCPACK ${ip1//./\\.} to $MAC_P1 ")
	l_offer=$(line_of "$mark" "DHCPOFFER ${probed//./\\.} to $MAC_P2 ")
	[ "$l_ack" -gt "$l_probe" ] && [ "$l_offer" -gt "$l_ack" ] ||
	    die "log order: probe line $l_probe, other client's ACK line $l_ack, OFFER line $l_offer"
	# The wire: DISCOVER, probe, the other's REQUEST and ACK, then OFFER.
	events "$cap" >"$ev"
	f_disc=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 1 && \$4 == \"$MAC_P2\"")
	f_echo=$(probe_frame "$ev" "$probed")
	f_req=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 3 && \$4 == \"$MAC_P1\"")
	f_ack=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 5 && \$4 == \"$MAC_P1\"")
	f_offer=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 2 && \$4 == \"$MAC_P2\"")
	[ "$f_disc" -gt 0 ] && [ "$f_echo" -gt "$f_disc" ] &&
	    [ "$f_req" -gt "$f_echo" ] && [ "$f_ack" -gt "$f_req" ] &&
	    [ "$f_offer" -gt "$f_ack" ] ||
	    die "capture order: DISCOVER $f_disc, probe $f_echo, other's REQUEST $f_req, ACK $f_ack, OFFER $f_offer"
	pb_pass
}

# udhcpc, dhclient and dhcpcd each get a lease with conflict_check on:
# each new address is probed before it is offered, none is the squatter's.
t_real_clients() {
	local o=$PB_TMP/real mark ip mac

	# udhcpc: one lease, then quit.
	c3_mac "$MAC_UDHCPC"
	mark=$(pb_lines "$SRV_LOG")
	ip netns exec "$NS_C3" timeout 30 udhcpc -f -q -n -i "$IF_C3" \
	    -s "$PB_TMP/udhcpc-script" -t 5 -T 3 >"$o.udhcpc" 2>&1 ||
	    die "udhcpc got no lease: $(tail -n 1 "$o.udhcpc")"
	ip=$(sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' "$o.udhcpc" | head -n 1)
	check_client udhcpc "$MAC_UDHCPC" "$ip" "$mark"
	# dhclient -d: stopped by PID once bound.
	c3_mac "$MAC_DHCLIENT"
	mark=$(pb_lines "$SRV_LOG")
	pb_bg ip netns exec "$NS_C3" timeout 60 dhclient -4 -d -v \
	    -cf "$PB_TMP/dhclient.conf" -sf "$PB_TMP/dhclient-script" \
	    -lf "$PB_TMP/dhclient.leases" -pf "$PB_TMP/dhclient.pid" \
	    "$IF_C3" >"$o.dhclient" 2>&1
	pb_wait_for 30 grep -q "^bound to " "$o.dhclient" ||
	    die "dhclient got no lease: $(tail -n 1 "$o.dhclient")"
	ip=$(sed -n 's/^bound to \([0-9.]*\) .*/\1/p' "$o.dhclient" | head -n 1)
	pb_stop "$PB_BG_PID" 3
	check_client dhclient "$MAC_DHCLIENT" "$ip" "$mark"
	# dhcpcd in the foreground: stopped by PID once bound.
	c3_mac "$MAC_DHCPCD"
	mark=$(pb_lines "$SRV_LOG")
	pb_bg ip netns exec "$NS_C3" timeout 60 dhcpcd -B -d -4 \
	    -f "$PB_TMP/dhcpcd.conf" -c "$PB_TMP/dhcpcd-script" "$IF_C3" \
	    >"$o.dhcpcd" 2>&1
	pb_wait_for 30 grep -q "leased .* for" "$o.dhcpcd" ||
	    die "dhcpcd got no lease: $(tail -n 1 "$o.dhcpcd")"
	ip=$(sed -n 's/.*: leased \([0-9.]*\) for.*/\1/p' "$o.dhcpcd" | head -n 1)
	pb_stop "$PB_BG_PID" 3
	check_client dhcpcd "$MAC_DHCPCD" "$ip" "$mark"
	c3_mac "$MAC_C3"
	pb_pass
}

# check_client NAME MAC IP MARK: IP was probed, then offered and ACKed to
# MAC, and is not the squatter's.
check_client() {
	local l_probe l_offer l_ack re=${3//./\\.}

	[ -n "$3" ] || die "$1: no address in its output"
	[ "$3" != "$SQUAT" ] || die "$1 was given $SQUAT, which answers pings"
	l_probe=$(line_of "$4" "from $2 via .*: probing $re before the offer")
	l_offer=$(line_of "$4" "DHCPOFFER $re to $2 ")
	l_ack=$(line_of "$4" "DHCPACK $re to $2 ")
	[ "$l_probe" -gt 0 ] || die "$1: $3 was not probed before the offer"
	[ "$l_offer" -gt "$l_probe" ] && [ "$l_ack" -gt "$l_offer" ] ||
	    die "$1: log order: probe $l_probe, OFFER $l_offer, ACK $l_ack"
}

# Every free address of the pool answers: the client's probes are
# answered three times, its DISCOVER is dropped (logged and counted), it
# gets nothing; each address that answered is set aside.
t_all_answer() {
	local o=$PB_TMP/all lf=$PB_TMP/all.leases
	local mark a n bad

	leases "$lf" || die "provboxctl leases failed"
	for ((n = POOL_LO + 1; n <= POOL_HI; n++)); do
		a=10.42.0.$n
		grep -q "^$a " "$lf" && continue
		ip -n "$NS_H1" addr add "$a/24" dev "$IF_H1" ||
		    die "cannot add $a to the host"
	done
	mark=$(pb_lines "$SRV_LOG")
	probe_in "$o" "$NS_C2" "$IF_C2" -m "$MAC_P4" -T 4000 discover &&
	    die "the client got an answer: $(head -n 2 "$o" | tr '\n' ' ')"
	[ "$(pb_kv type "$o")" = TIMEOUT ] || die "reply: $(head -n 1 "$o")"
	pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPDISCOVER from $MAC_P4 via .* refused: .*: it may ask again" ||
	    die "no 'DHCPDISCOVER from $MAC_P4 ... refused' line"
	n=$(pb_count_after "$SRV_LOG" "$mark" "conflict: [0-9.]+ answered a ping")
	[ "$n" -ge 3 ] || die "$n conflict lines, expected 3 or more"
	bad=$(tail -n "+$((mark + 1))" "$SRV_LOG" | grep -E "DHCP(OFFER|ACK) .* to $MAC_P4 ")
	[ -z "$bad" ] || die "the client was answered: $bad"
	pb_pass
}

# conflict_check off: the next client is offered an address at once, with
# no ping, even though a host answers for it.
t_check_off() {
	local o=$PB_TMP/off cap=$PB_TMP/off.pcap ev=$PB_TMP/off.ev
	local mark ip n_disc n_echo f_offer

	srv_reload false ||
	    die "the reload was refused: $(grep 'reload refused' "$SRV_LOG" | tail -n 1)"
	mark=$(pb_lines "$SRV_LOG")
	cap_start "$cap" || die "tshark did not start"
	probe_in "$o" "$NS_C2" "$IF_C2" -m "$MAC_P5" -T 4000 discover ||
	    die "no OFFER: $(head -n 1 "$o")"
	pb_capture_stop
	[ "$(pb_kv type "$o")" = OFFER ] || die "reply: $(head -n 1 "$o")"
	ip=$(pb_kv yiaddr "$o")
	ip -n "$NS_H1" -4 -o addr show dev "$IF_H1" | grep -q " $ip/" ||
	    die "offered $ip, which no host holds: the check is not shown to be off"
	pb_grep_after "$SRV_LOG" "$mark" "probing" &&
	    die "the server probed: $(tail -n "+$((mark + 1))" "$SRV_LOG" | grep -m 1 probing)"
	events "$cap" >"$ev"
	f_offer=$(first_frame "$ev" "\$2 == \"dhcp\" && \$3 == 2 && \$4 == \"$MAC_P5\"")
	[ "$f_offer" -gt 0 ] || die "no OFFER in the capture"
	n_disc=$(awk -v f="$f_offer" -v m="$MAC_P5" '$1 < f && $2 == "dhcp" &&
	    $3 == 1 && $4 == m' "$ev" | wc -l)
	n_echo=$(awk -v s="$SRV_IP" '$2 == "icmp" && $3 == 8 && $4 == s' "$ev" |
	    wc -l)
	[ "$n_disc" -eq 1 ] || die "$n_disc DISCOVERs before the OFFER, expected 1"
	[ "$n_echo" -eq 0 ] || die "$n_echo echo requests from the server"
	pb_pass
}

# conflict_check on again: the socket kept open, probes resume.
t_check_on_again() {
	local o=$PB_TMP/again mark

	srv_reload true ||
	    die "the reload was refused: $(grep 'reload refused' "$SRV_LOG" | tail -n 1)"
	mark=$(pb_lines "$SRV_LOG")
	probe_in "$o" "$NS_C1" "$IF_C1" -m "$MAC_P6" -T 2500 discover
	pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPDISCOVER from $MAC_P6 via .*: probing [0-9.]+ before the offer" ||
	    die "no probe after conflict_check was turned on again"
	pb_grep_after "$SRV_LOG" "$mark" "conflict: [0-9.]+ answered a ping" ||
	    die "no probe was answered"
	pb_pass
}

# The counters; a clean stop; no sanitizer report.
t_stats_stop() {
	local pid mark bad

	pid=$(srv_pid)
	pb_alive "$pid" || die "the server is not running: $(tail -n 2 "$SRV_LOG")"
	mark=$(pb_lines "$SRV_LOG")
	kill -USR1 "$pid"
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" "stats: received " ||
	    die "no stats after SIGUSR1"
	pb_grep_after "$SRV_LOG" "$mark" \
	    "stats: conflict probes sent [1-9][0-9]* \(0 could not be sent\), answered [1-9]" ||
	    die "conflict counters: $(tail -n "+$((mark + 1))" "$SRV_LOG" | grep -m 1 'conflict probes')"
	kill -TERM "$pid"
	pb_wait_for 30 eval "! pb_alive $pid" || die "the server ignored SIGTERM"
	rm -f "$PB_TMP/server.pid"
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:|seccomp: forbidden" \
	    "$SRV_LOG" "$CTL_ERR" "$PB_TMP"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer or seccomp report: $bad"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_config false
write_client_scripts
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/check.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/check.out")"
	pb_finish
fi
pb_run own-address-in-pool-refused 30 t_own_address
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi
pb_run reload-turns-check-on 30 t_reload_on
pb_run answering-address-never-offered 60 t_never_offered
pb_run others-served-while-probing 60 t_others_served
pb_run real-clients-probed 120 t_real_clients
pb_run every-address-answers 60 t_all_answer
pb_run check-off-offers-at-once 60 t_check_off
pb_run check-on-again 60 t_check_on_again
PB_ONLY='' pb_run stats-and-clean-stop 60 t_stats_stop
pb_finish
