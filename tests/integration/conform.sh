#!/usr/bin/env bash
# conform.sh - the conformance points of issue 13 that no other suite
# covers over the wire: Cisco SPA / Linksys / Sipura phones without Option
# 60 classed by their OUI, the shipped Option 150 following a moved subnet,
# NAK texts (Option 56) that say what happened, and `provboxctl check` /
# `provbox-dhcpd -t` on addresses a pool must not hold or an option should
# not name.
#
#   bash tests/integration/conform.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must also hold
# tests/tools/pbcraft. Needs root: it builds its own network in namespaces
# (names from lib.sh's PB_TAG) and removes it at the end, also on failure
# or Ctrl-C:
#
#   $T-c1 (dhclient; MAC 00:0e:08:.., --+
#          a registered SPA phone)      |
#   $T-c2 (udhcpc; MAC 00:0e:08:..,   --+   $T-srv: bridge ${T}br
#          an unregistered one)         +-- 192.168.77.1/24, provbox-dhcpd
#   $T-c3 (pbprobe, pbcraft;          --+   (the SHIPPED etc/vendors.conf,
#          192.168.77.30)               |   the subnet moved off 10.42.0.0)
#   $T-c4 (dhclient back from         --+
#          another network)
#
# The server runs with etc/vendors.conf as shipped, on 192.168.77.0/24
# with base_url https://192.168.77.1: where the shipped file used to
# hard-code 10.42.0.1 (the demo subnet), every answer must now name the
# moved network. Texts the tests expect (NAK messages) are read from
# dhcpd/alloc.c and dhcpd/server.c at run time, so a reworded message
# fails no test while a message that says something else does.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "conform-integration: N passed, N failed", and RESULTS_FILE gets
# "conform-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77
# if not root or a tool is missing that cannot be installed. PB_ONLY="name
# ..." and PB_KEEP=1 work as in dhcp.sh.

# shellcheck disable=SC2034 # some variables are read by name (${!name})
# shellcheck disable=SC2015 # "[ a ] && [ b ] || die": die ends the test
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
PB_TOOLS="dhclient=isc-dhcp-client udhcpc=udhcpc tshark=tshark ip=iproute2
	openssl=openssl python3=python3"
pb_init "${1:-$here/../../build}" "${2:-}" conform-integration

T=$PB_TAG
NS_SRV=$T-srv
BR=${T}br
# 00:0e:08 is the cisco class's OUI rule in etc/vendors.conf (Sipura,
# then Linksys, then Cisco Small Business SPA phones).
NS_C1=$T-c1 IF_C1=${T}c1 MAC_C1=00:0e:08:5a:00:01	# SPA, registered
NS_C2=$T-c2 IF_C2=${T}c2 MAC_C2=00:0e:08:5a:00:02	# SPA, unregistered
NS_C3=$T-c3 IF_C3=${T}c3 MAC_C3=02:00:00:cc:00:03	# pbprobe, pbcraft
NS_C4=$T-c4 IF_C4=${T}c4 MAC_C4=02:00:00:cc:00:04	# dhclient, moved
C3_IP=192.168.77.30					# outside the pool

SRV_IP=192.168.77.1
OLD_IP=10.42.0.1	# what the shipped Option 150 used to say
BASE_URL=https://$SRV_IP
TOKEN_URL_RE='^https://192\.168\.77\.1/p/[A-Za-z0-9_-]{32}/$'
MAC_SPA_PROBE=00:0e:08:5a:00:03	# registered too; pbprobe plays it
MAC_RESERVED=02:00:00:cc:0e:50	# the reservation's owner (never shows)
RESERVED_IP=192.168.77.50
OFF_POOL_IP=192.168.77.20	# in the subnet, in no pool, nobody's
FREE_IP=192.168.77.180		# in the pool, never given out
MOVED_IP=10.99.0.5		# the address c4 brings from elsewhere

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
PY=$PB_TMP/ctext.py
PY_OUI=$PB_TMP/ouis.py
PBCRAFT=$PB_BUILD/tests/tools/pbcraft
: >"$SRV_LOG"

# ------------------------------------------------------------------ config

# write_main FILE POOL_START POOL_END BASE_URL [ROUTER [DHCP_EXTRA
# [VENDORS]]]: a provbox.conf on 192.168.77.0/24; VENDORS replaces the
# @include of the shipped vendors.conf.
write_main() {
	local f=$1 lo=$2 hi=$3 url=$4 router=${5:-$SRV_IP} extra=${6:-}
	local vendors=${7:-'@include "vendors.conf"'}

	cat >"$f" <<EOF
# Written by tests/integration/conform.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  # Conflict probes are conflict.sh's; here they would only add time.
  conflict_check = false;
  $extra
  subnets = (
    { subnet = "192.168.77.0/24";
      pools = ( { start = "$lo"; end = "$hi"; } );
      routers = [ "$router" ];
      reservations = ( { mac = "$MAC_RESERVED"; ip = "$RESERVED_IP"; } ); }
  );
};
provisioning = {
  base_url = "$url";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
$vendors
@include "users.conf"
EOF
}

write_config() {
	mkdir -p "$CONF_DIR/tls" || return 1
	# As shipped, byte for byte (the option150 test checks it still is),
	# with the templates its classes name (provboxctl check reads them).
	cp "$top/etc/vendors.conf" "$CONF_DIR/vendors.conf" || return 1
	cp -R "$top/etc/templates" "$CONF_DIR/templates" || return 1
	write_main "$CONF" 192.168.77.100 192.168.77.199 "$BASE_URL"
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "sam"; display_name = "Sam Lab";
    sip = { user = "301"; password = "sam-sip-secret"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_C1"; vendor = "cisco"; model = "SPA504G"; } ); },
  { name = "pat"; display_name = "Pat Desk";
    sip = { user = "302"; password = "pat-sip-secret"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_SPA_PROBE"; vendor = "cisco"; model = "SPA303"; } ); }
);
EOF
	(umask 077 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -subj "/O=provbox tests/CN=$SRV_IP" \
	    -addext "subjectAltName=IP:$SRV_IP" \
	    -keyout "$CONF_DIR/tls/server.key" \
	    -out "$CONF_DIR/tls/server.crt" >"$PB_TMP/openssl.err" 2>&1)
}

# ctext.py FILE [FUNCTION] WORDS: the C string (adjacent literals joined)
# in FILE, or in FUNCTION's definition in FILE, that contains WORDS; the
# NAK texts come from the code that writes them.
write_ctext() {
	cat >"$PY" <<'EOF'
import re
import sys

src = open(sys.argv[1], encoding='utf-8').read()
if len(sys.argv) > 3:
    m = re.search(r'^' + re.escape(sys.argv[2]) + r'\(.*?^}', src,
                  re.S | re.M)
    src = m.group(0) if m else ''
words = sys.argv[-1]
for seq in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', src):
    text = ''.join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', seq.group(0)))
    if words in text:
        print(text)
        sys.exit(0)
sys.exit(1)
EOF
	# ouis.py FILE CLASS: the OUI rules of vendor class CLASS in a
	# vendors.conf, one a line.
	cat >"$PY_OUI" <<'EOF'
import re
import sys

src = re.sub(r'#[^\n]*', '', open(sys.argv[1], encoding='utf-8').read())
m = re.search(r'name\s*=\s*"' + re.escape(sys.argv[2]) +
              r'"\s*;(.*?)(?:name\s*=|$)', src, re.S)
o = re.search(r'\boui\s*=\s*\[(.*?)\]', m.group(1), re.S) if m else None
for v in re.findall(r'"([^"]*)"', o.group(1) if o else ''):
    print(v.lower())
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

	for ns in "$NS_SRV" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_C4"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	for n in 1 2 3 4; do
		ns=NS_C$n ifc=IF_C$n mac=MAC_C$n
		veth "$NS_SRV" "${T}s$n" "${!ns}" "${!ifc}" "${!mac}" || return 1
		ip -n "$NS_SRV" link set "${T}s$n" master "$BR" || return 1
	done
	ip -n "$NS_C3" addr add "$C3_IP/24" dev "$IF_C3"
}

srv_start() {
	pb_daemon_start dhcpd "$NS_SRV" "$SRV_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF"
}

# ----------------------------------------------------------------- helpers

log_after() {
	pb_grep_after "$SRV_LOG" "$1" "$2"
}

# re TEXT: TEXT as an extended regex that matches only itself.
re() {
	sed 's/[][\.|$(){}?+*^]/\\&/g' <<<"$1"
}

# enroll MAC: opens an enrollment window, so the phone's answers carry
# the class's options (a DHCP answer never carries a permanent token).
enroll() {
	timeout 30 "$CTL" -c "$CONF" enroll "$1" --for 30m \
	    >>"$PB_TMP/enroll.out" 2>&1 ||
	    die "provboxctl enroll $1: $(tail -n 1 "$PB_TMP/enroll.out")"
}

# capture NAME: tshark on the server's bridge into $PB_TMP/NAME.pcap.
capture() {
	pb_capture_start "$NS_SRV" "$BR" "$PB_TMP/$1.pcap" ||
	    die "tshark did not start: $(tail -n 1 "$PB_TMP/$1.pcap.log")"
}

# probe OUT ARGS...: pbprobe in c3.
probe() {
	local out=$1

	shift
	ip netns exec "$NS_C3" timeout 30 "$PROBE" -i "$IF_C3" "$@" \
	    >"$out" 2>&1
}

# hexip A.B.C.D: the address as eight hex digits.
hexip() {
	local IFS=.

	# shellcheck disable=SC2086 # split at the dots
	printf '%02x%02x%02x%02x' $1
}

# selecting OUT MAC IP: a SELECTING DHCPREQUEST (RFC 2131 4.3.2: server
# identifier 54 and requested address 50, ciaddr 0) for IP from MAC,
# crafted in c3; the answer as pbcraft prints it.
selecting() {
	ip netns exec "$NS_C3" timeout 30 "$PBCRAFT" -i "$IF_C3" -m "$2" \
	    -w 3000 opts "3501033204$(hexip "$3")3604$(hexip "$SRV_IP")ff" \
	    >"$1" 2>&1
}

# nak_text OUT: Option 56 of the NAK in pbcraft/pbprobe output, as text.
nak_text() {
	pb_unhex "$(pb_kv hex56 "$1")"
}

# lease_opt FILE NAME: the value of "option NAME VALUE;" in the last lease
# of a dhclient lease file, without quotes.
lease_opt() {
	awk -v o="$2" '/^lease /{ v = "" } $1 == "option" && $2 == o {
	    v = $3; sub(/;$/, "", v); gsub(/"/, "", v) } END { print v }' "$1"
}

# dhclient_script NAME: a script that configures the address only (Debian's
# dhclient-script would run /etc/dhcp hooks that act on the host).
dhclient_script() {
	cat >"$PB_TMP/$1.dhclient-script" <<EOF
#!/bin/sh
echo "\$reason ip=\$new_ip_address" >>"$PB_TMP/$1.script.log"
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
	chmod +x "$PB_TMP/$1.dhclient-script"
}

# dhclient_run NAME NS IFACE: dhclient in the foreground (pb_bg) with
# $PB_TMP/NAME.dhclient.conf and its own lease, pid and script files.
dhclient_run() {
	dhclient_script "$1"
	pb_bg ip netns exec "$2" timeout 60 dhclient -4 -d -v \
	    -cf "$PB_TMP/$1.dhclient.conf" -sf "$PB_TMP/$1.dhclient-script" \
	    -lf "$PB_TMP/$1.leases" -pf "$PB_TMP/$1.pid" "$3" \
	    >"$PB_TMP/$1.dhclient.out" 2>&1
}

# client_sent_60 PCAP MAC: 0 when a message from MAC carries Option 60.
client_sent_60() {
	pb_capture_options "$1" |
	    awk -v m="$2" '$5 == m && $4 ~ /^0[13]$/ && $6 == 60 { f = 1 }
	    END { exit !f }'
}

# ------------------------------------------------------------------- tests

# Issue 13 point 4 (OUI rules for Cisco SPA/Linksys/Sipura): a registered
# SPA phone whose DHCP client sends no Option 60 (dhclient, MAC in OUI
# 00:0e:08) is put in the cisco class by its MAC: the ACK's log line names
# the class and the user, and dhclient's lease holds the class's options,
# 66 (RFC 2132 9.4, the token URL under the moved base_url) and 150
# (Cisco's TFTP server list: the server's address on this network).
t_spa_dhclient() {
	local n=spa-dhclient mark url tftp

	enroll "$MAC_C1"
	mark=$(pb_lines "$SRV_LOG")
	cat >"$PB_TMP/$n.dhclient.conf" <<EOF
option pb-tftp-servers code 150 = array of ip-address;
request subnet-mask, routers, tftp-server-name, pb-tftp-servers;
EOF
	capture "$n"
	dhclient_run "$n" "$NS_C1" "$IF_C1"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	pb_capture_stop
	client_sent_60 "$PB_TMP/$n.pcap" "$MAC_C1" &&
	    die "dhclient sent Option 60: the OUI rule was not what classed it"
	log_after "$mark" "DHCPACK [0-9.]+ to $MAC_C1 \(cisco, sam\) " ||
	    die "no 'DHCPACK ... to $MAC_C1 (cisco, sam)': $(grep "$MAC_C1" "$SRV_LOG" | tail -n 1)"
	url=$(lease_opt "$PB_TMP/$n.leases" tftp-server-name)
	[[ $url =~ $TOKEN_URL_RE ]] ||
	    die "dhclient's option 66 is '$url', not a token URL under $BASE_URL"
	tftp=$(lease_opt "$PB_TMP/$n.leases" pb-tftp-servers)
	[ "$tftp" = "$SRV_IP" ] ||
	    die "dhclient's option 150 is '$tftp', expected $SRV_IP"
	pb_pass
}

# Issue 13 point 4: an SPA phone nobody registered, no Option 60 (busybox
# udhcpc -V ''), is still classed cisco by its OUI; the class gives
# unregistered phones nothing (no "unregistered" list): no Option 66.
t_spa_udhcpc() {
	local n=spa-udhcpc mark out=$PB_TMP/spa-udhcpc.out opts

	cat >"$PB_TMP/udhcpc-script" <<'EOF'
#!/bin/sh
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set dev "$interface" up ;;
bound|renew)
	ip -4 addr replace "$ip/${mask:-24}" dev "$interface" ;;
esac
exit 0
EOF
	chmod +x "$PB_TMP/udhcpc-script"
	mark=$(pb_lines "$SRV_LOG")
	capture "$n"
	ip netns exec "$NS_C2" timeout 30 udhcpc -f -q -i "$IF_C2" -V '' \
	    -O 66 -O 150 -s "$PB_TMP/udhcpc-script" -t 5 -T 1 -A 1 \
	    >"$out" 2>&1 || die "udhcpc: $(tail -n 1 "$out")"
	pb_capture_stop
	client_sent_60 "$PB_TMP/$n.pcap" "$MAC_C2" &&
	    die "udhcpc -V '' sent Option 60"
	log_after "$mark" "DHCPACK [0-9.]+ to $MAC_C2 \(cisco\) " ||
	    die "no 'DHCPACK ... to $MAC_C2 (cisco)': $(grep "$MAC_C2" "$SRV_LOG" | tail -n 1)"
	opts=$(pb_capture_options "$PB_TMP/$n.pcap" |
	    awk -v m="$MAC_C2" '$5 == m && $4 == "05" { print $6 }' | tr '\n' ' ')
	[ -n "$opts" ] || die "no DHCPACK to $MAC_C2 in the capture"
	[[ " $opts" == *" 66 "* ]] &&
	    die "an unregistered phone got option 66 (options: $opts)"
	pb_pass
}

# Issue 13 point 4: every OUI the shipped cisco class lists (00:0e:08,
# the SPA/Linksys/Sipura one, among them) classes an unregistered phone
# that sends no Option 60 (pbprobe without -V) as cisco.
t_spa_oui_list() {
	local o=$PB_TMP/spa-oui oui mac n=0

	python3 "$PY_OUI" "$top/etc/vendors.conf" cisco >"$o.list"
	grep -qx "00:0e:08" "$o.list" ||
	    die "the cisco class in etc/vendors.conf has no OUI rule 00:0e:08: $(tr '\n' ' ' <"$o.list")"
	while read -r oui; do
		n=$((n + 1))
		mac=$oui:5a:10:$(printf '%02x' "$n")
		probe "$o.$n" -m "$mac" -P 1,3,6,66,150 dora ||
		    die "$mac: no ACK: $(head -n 1 "$o.$n")"
		grep -q "DHCPACK .* to $mac (cisco) " "$SRV_LOG" ||
		    die "$mac (no Option 60) not classed cisco: $(grep "$mac" "$SRV_LOG" | tail -n 1)"
		[ -z "$(pb_kv hex66 "$o.$n")" ] ||
		    die "unregistered $mac got option 66"
	done <"$o.list"
	pb_pass
}

# Issue 13 point 4 (`${server_ip}` in an option value): the shipped
# etc/vendors.conf, unchanged, on a subnet moved to 192.168.77.0/24: an
# SPA phone's Option 150 (an IP list) is the address the reply is sent
# from, 192.168.77.1, not the demo network's 10.42.0.1; `provboxctl check`
# passes the config without a warning about it.
t_option150() {
	local o=$PB_TMP/option150 h

	cmp -s "$top/etc/vendors.conf" "$CONF_DIR/vendors.conf" ||
	    die "the server does not run the shipped vendors.conf"
	enroll "$MAC_SPA_PROBE"
	probe "$o" -m "$MAC_SPA_PROBE" -P 1,3,6,15,42,66,150 dora ||
	    die "no ACK: $(head -n 1 "$o")"
	h=$(pb_kv hex150 "$o")
	[ -n "$h" ] || die "no option 150 in the ACK"
	[ "$h" = "$(hexip "$SRV_IP")" ] ||
	    die "option 150 is $(pb_kv opt150 "$o") ($h), expected $SRV_IP only"
	[ "$h" != "$(hexip "$OLD_IP")" ] || die "option 150 is still $OLD_IP"
	[[ $(pb_kv opt66 "$o") =~ $TOKEN_URL_RE ]] ||
	    die "option 66 is '$(pb_kv opt66 "$o")', not a token URL under $BASE_URL"
	grep -q "DHCPACK .* to $MAC_SPA_PROBE (cisco, pat) " "$SRV_LOG" ||
	    die "no 'DHCPACK ... to $MAC_SPA_PROBE (cisco, pat)' in the log"
	timeout 20 "$CTL" -c "$CONF" check >"$o.check" 2>&1 ||
	    die "provboxctl check refuses the config: $(tail -n 2 "$o.check")"
	grep -qi "warning" "$o.check" &&
	    die "provboxctl check warns: $(grep -i -m1 warning "$o.check")"
	pb_pass
}

# RFC 2131 4.3.2 (SELECTING: "If the requested address is not available
# ... the server SHOULD respond with a DHCPNAK") and RFC 2132 9.9 (Option
# 56, why): a REQUEST for an address another client holds is NAKed with
# the text alloc_unavailable_why() gives a held address.
t_nak_leased() {
	local o=$PB_TMP/nak-leased want ip got

	want=$(python3 "$PY" "$top/dhcpd/alloc.c" alloc_unavailable_why \
	    "leased to another") || die "dhcpd/alloc.c has no 'leased to another' text"
	probe "$o.holder" -m 02:00:00:cc:01:01 dora ||
	    die "the holder got no address: $(head -n 1 "$o.holder")"
	ip=$(pb_kv yiaddr "$o.holder")
	selecting "$o" 02:00:00:cc:01:02 "$ip"
	[ "$(pb_kv reply "$o")" = NAK ] ||
	    die "REQUEST for $ip (held by another): reply=$(pb_kv reply "$o"), expected NAK"
	got=$(nak_text "$o")
	[ "$got" = "$want" ] || die "NAK message '$got', expected '$want'"
	grep -qE "DHCPNAK to 02:00:00:cc:01:02 .*: $(re "$want")\$" "$SRV_LOG" ||
	    die "no 'DHCPNAK to 02:00:00:cc:01:02 ...: $want' in the log"
	pb_pass
}

# RFC 2131 4.3.3 (a declined address is marked not available) and 4.3.2:
# a REQUEST for an address a DECLINE set aside is NAKed saying so, not
# that a client holds it.
t_nak_declined() {
	local o=$PB_TMP/nak-declined want ip got mac=02:00:00:cc:02:01

	want=$(python3 "$PY" "$top/dhcpd/alloc.c" alloc_unavailable_why \
	    "declined") || die "dhcpd/alloc.c has no 'declined' text"
	probe "$o.holder" -m "$mac" dora ||
	    die "the decliner got no address: $(head -n 1 "$o.holder")"
	ip=$(pb_kv yiaddr "$o.holder")
	# RFC 2131 4.4.1: the client that holds the lease declines it.
	probe "$o.decline" -m "$mac" -s "$SRV_IP" decline "$ip"
	pb_wait_for 10 grep -q "DHCPDECLINE of $ip from $mac" "$SRV_LOG" ||
	    die "the DECLINE of $ip was not taken: $(grep "$mac" "$SRV_LOG" | tail -n 1)"
	selecting "$o" 02:00:00:cc:02:02 "$ip"
	[ "$(pb_kv reply "$o")" = NAK ] ||
	    die "REQUEST for declined $ip: reply=$(pb_kv reply "$o"), expected NAK"
	got=$(nak_text "$o")
	[ "$got" = "$want" ] || die "NAK message '$got', expected '$want'"
	pb_pass
}

# RFC 2131 4.3.2 (INIT-REBOOT: "If the requested address is incorrect or
# is on the wrong network, the server SHOULD send a DHCPNAK"): dhclient
# comes back with a lease of 10.99.0.5 and INIT-REBOOTs; the NAK's Option
# 56 (from the capture) says the address is wrong for the network, and
# dhclient goes on to a new address here. pbprobe's INIT-REBOOT agrees.
t_nak_wrong_network() {
	local n=nak-wrong-net want got o=$PB_TMP/nak-wrong-net.probe

	want=$(python3 "$PY" "$top/dhcpd/server.c" "wrong for the network") ||
	    die "dhcpd/server.c has no 'wrong for the network' NAK text"
	cat >"$PB_TMP/$n.dhclient.conf" <<EOF
request subnet-mask, routers;
EOF
	cat >"$PB_TMP/$n.leases" <<EOF
lease {
  interface "$IF_C4";
  fixed-address $MOVED_IP;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 10.99.0.1;
  option dhcp-lease-time 86400;
  renew 4 2099/01/01 00:00:00;
  rebind 4 2099/01/01 00:00:00;
  expire 4 2099/01/01 00:00:00;
}
EOF
	capture "$n"
	dhclient_run "$n" "$NS_C4" "$IF_C4"
	pb_wait_for 25 grep -q "^bound to 192\.168\.77\." \
	    "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no new lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	pb_capture_stop
	grep -q "DHCPREQUEST for $MOVED_IP" "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient did not INIT-REBOOT for $MOVED_IP"
	grep -q "DHCPNAK from $SRV_IP" "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient saw no DHCPNAK from $SRV_IP"
	got=$(pb_capture_options "$PB_TMP/$n.pcap" |
	    awk -v m="$MAC_C4" '$5 == m && $4 == "06" && $6 == 56 { print $7; exit }')
	[ -n "$got" ] || die "no NAK with Option 56 to $MAC_C4 in the capture"
	got=$(pb_unhex "$got")
	[ "$got" = "$want" ] || die "NAK message '$got', expected '$want'"
	probe "$o" -m 02:00:00:cc:03:01 reboot "$MOVED_IP"
	[ "$(pb_kv type "$o")" = NAK ] ||
	    die "pbprobe INIT-REBOOT for $MOVED_IP: type=$(pb_kv type "$o"), expected NAK"
	got=$(nak_text "$o")
	[ "$got" = "$want" ] || die "pbprobe: NAK message '$got', expected '$want'"
	pb_pass
}

# RFC 2132 9.9 and issue 13 ("A NAK says 'address is leased to another
# client' for addresses nobody holds"): a REQUEST for an address of the
# subnet outside every pool, and for one reserved for another MAC, both
# held by nobody, is NAKed with a text that says so and not that a client
# holds it; one for a free pool address is not NAKed at all (4.3.2).
t_nak_free() {
	local o=$PB_TMP/nak-free leased offpool reserved got

	leased=$(python3 "$PY" "$top/dhcpd/alloc.c" alloc_unavailable_why \
	    "leased to another") || die "dhcpd/alloc.c has no 'leased to another' text"
	offpool=$(python3 "$PY" "$top/dhcpd/alloc.c" alloc_unavailable_why \
	    "not in a pool") || die "dhcpd/alloc.c has no 'not in a pool' text"
	reserved=$(python3 "$PY" "$top/dhcpd/alloc.c" alloc_unavailable_why \
	    "reserved for another") || die "dhcpd/alloc.c has no 'reserved for another' text"

	selecting "$o.off" 02:00:00:cc:04:01 "$OFF_POOL_IP"
	[ "$(pb_kv reply "$o.off")" = NAK ] ||
	    die "REQUEST for $OFF_POOL_IP (in no pool): reply=$(pb_kv reply "$o.off"), expected NAK"
	got=$(nak_text "$o.off")
	[ "$got" != "$leased" ] ||
	    die "NAK for $OFF_POOL_IP, which nobody holds, says '$got'"
	[ "$got" = "$offpool" ] ||
	    die "NAK for $OFF_POOL_IP says '$got', expected '$offpool'"

	selecting "$o.res" 02:00:00:cc:04:02 "$RESERVED_IP"
	[ "$(pb_kv reply "$o.res")" = NAK ] ||
	    die "REQUEST for reserved $RESERVED_IP: reply=$(pb_kv reply "$o.res"), expected NAK"
	got=$(nak_text "$o.res")
	[ "$got" != "$leased" ] ||
	    die "NAK for $RESERVED_IP, which nobody holds, says '$got'"
	[ "$got" = "$reserved" ] ||
	    die "NAK for $RESERVED_IP says '$got', expected '$reserved'"

	selecting "$o.free" 02:00:00:cc:04:03 "$FREE_IP"
	[ "$(pb_kv reply "$o.free")" = ACK ] ||
	    die "REQUEST for free $FREE_IP: reply=$(pb_kv reply "$o.free") '$(nak_text "$o.free")', expected ACK"
	[ "$(pb_kv yiaddr "$o.free")" = "$FREE_IP" ] ||
	    die "the ACK for $FREE_IP gives $(pb_kv yiaddr "$o.free")"
	pb_pass
}

# check_refuses NAME CONF WANT...: `provboxctl check` and `provbox-dhcpd
# -t` both exit 1 on CONF with one error, on a line that holds every WANT.
check_refuses() {
	local n=$1 conf=$2 out rc w line

	shift 2
	for w in ctl dhcpd; do
		out=$PB_TMP/$n.$w.out
		if [ "$w" = ctl ]; then
			timeout 20 "$CTL" -c "$conf" check >"$out" 2>&1
		else
			timeout 20 "$DHCPD" -t -c "$conf" >"$out" 2>&1
		fi
		rc=$?
		[ "$rc" -eq 1 ] || die "$w: exit $rc, expected 1: $(tail -n 2 "$out")"
		line=$(cat "$out")
		for want in "$@"; do
			line=$(grep -F -- "$want" <<<"$line")
		done
		[ -n "$line" ] ||
		    die "$w: no line naming $*: $(head -n 2 "$out")"
		grep -q ": 1 error\$" "$out" ||
		    die "$w: not exactly one error: $(tail -n 3 "$out")"
	done
}

# Issue 13 point 4 ("check refuses a pool holding the router"): the pool
# 192.168.77.200-254 holds the subnet's router 192.168.77.254; a client
# could be given the gateway's address (RFC 2131 4.3.1: only addresses the
# server may assign are offered).
t_check_router() {
	local c=$CONF_DIR/router-in-pool.conf

	write_main "$c" 192.168.77.200 192.168.77.254 "$BASE_URL" \
	    192.168.77.254
	check_refuses check-router "$c" "router 192.168.77.254" \
	    "pool 192.168.77.200-192.168.77.254"
	pb_pass
}

# Issue 13 point 4 ("or a server address"): base_url names 192.168.77.150,
# inside the pool 192.168.77.100-199: refused, naming both.
t_check_base_url() {
	local c=$CONF_DIR/base-url-in-pool.conf

	write_main "$c" 192.168.77.100 192.168.77.199 https://192.168.77.150
	check_refuses check-base-url "$c" "192.168.77.150" \
	    "pool 192.168.77.100-192.168.77.199" base_url
	pb_pass
}

# Issue 13 point 4 ("warns when an option carries an address outside
# every subnet"): Option 150 written as the old demo address 10.42.0.1 in
# a vendor class, and dhcp.next_server (siaddr, RFC 2131 table 3)
# 10.42.0.5, both off the only subnet 192.168.77.0/24: `provboxctl check`
# passes (exit 0: a routed TFTP server is legitimate) and warns about each,
# naming it; provbox-dhcpd -t takes the config too.
t_check_warn_off_subnet() {
	local c=$CONF_DIR/off-subnet.conf out=$PB_TMP/off-subnet.out rc
	local vendors

	vendors='vendors = (
  { name = "cisco"; match = { oui = [ "00:0e:08" ]; }; mode = "token";
    options = ( { code = 150; value = [ "'$OLD_IP'" ]; } ); },
  { name = "other"; default = true; }
);'
	write_main "$c" 192.168.77.100 192.168.77.199 "$BASE_URL" "$SRV_IP" \
	    'next_server = "10.42.0.5";' "$vendors"
	timeout 20 "$CTL" -c "$c" check >"$out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || die "provboxctl check: exit $rc, expected 0: $(tail -n 2 "$out")"
	grep -i "warning" "$out" | grep -qF "$OLD_IP" ||
	    die "no warning naming option 150's $OLD_IP: $(head -n 3 "$out")"
	grep -i "warning" "$out" | grep -F "10.42.0.5" | grep -q next_server ||
	    die "no warning naming next_server 10.42.0.5: $(head -n 3 "$out")"
	grep -qi "error" "$out" && die "provboxctl check: $(grep -i -m1 error "$out")"
	timeout 20 "$DHCPD" -t -c "$c" >"$out.t" 2>&1 ||
	    die "provbox-dhcpd -t refuses it: $(tail -n 2 "$out.t")"
	pb_pass
}

# The server stops cleanly; no sanitizer report.
t_sanitizers() {
	local pid bad

	pid=$(pb_daemon_pid dhcpd)
	[ -n "$pid" ] && pb_alive "$pid" ||
	    die "the server was not running: $(tail -n 2 "$SRV_LOG")"
	pb_daemon_stop dhcpd
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$SRV_LOG" \
	    "$PB_TMP"/*.out 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$PBCRAFT" ]; then
	pb_fail build "$PBCRAFT is missing (make tests/tools/pbcraft)"
	pb_finish
fi
if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_ctext
if ! write_config; then
	pb_fail setup "cannot write the config: $(tail -n 1 "$PB_TMP/openssl.err")"
	pb_finish
fi
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/dhcpd-t.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/dhcpd-t.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi

pb_run spa-oui-dhclient 45 t_spa_dhclient
pb_run spa-oui-unregistered-udhcpc 45 t_spa_udhcpc
pb_run spa-oui-rules-listed 45 t_spa_oui_list
pb_run option150-follows-subnet 45 t_option150
pb_run nak-leased-to-another 30 t_nak_leased
pb_run nak-declined 30 t_nak_declined
pb_run nak-wrong-network-dhclient 45 t_nak_wrong_network
pb_run nak-free-not-leased 30 t_nak_free
pb_run check-router-in-pool 30 t_check_router
pb_run check-base-url-in-pool 30 t_check_base_url
pb_run check-warns-off-subnet 30 t_check_warn_off_subnet
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
pb_finish
