#!/usr/bin/env bash
# dhcp.sh - integration tests of provbox-dhcpd with real DHCP clients.
#
#   bash tests/integration/dhcp.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces (see lib.sh for the names) and removes it
# at the end, also on failure or Ctrl-C:
#
#   $T-c1 (dhclient)  --+
#   $T-c2 (udhcpc)    --+   $T-srv: bridge ${T}br 10.42.0.1/20,
#   $T-c3 (dhcpcd)    --+-- provbox-dhcpd, route to 10.43.0.0/24 via
#   $T-c4 (pbprobe)   --+   10.42.0.2
#   $T-rly (dhcrelay) --+
#     10.42.0.2/20 up, 10.43.0.1/24 down --- $T-rc (relayed client)
#
# The direct subnet is a /20, not a /24: the load tests need more than 700
# addresses.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "dhcp-integration: N passed, N failed", and RESULTS_FILE gets
# "dhcp-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77 if
# not root or a client, the relay or tshark is missing and cannot be
# installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final
# sanitizer check); PB_STORM_CLIENTS (200) and PB_RESTART_CLIENTS (500) set
# the load; PB_KEEP=1 keeps the temporary directory (logs, captures).

# shellcheck disable=SC2034 # some variables are read by name (${!name})
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
pb_init "${1:-$here/../../build}" "${2:-}" dhcp-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_RLY=$T-rly
NS_RC=$T-rc
BR=${T}br
# Client namespaces c1..c4, each with one veth: ${T}cN inside, ${T}sN on
# the server's bridge (setup_network reads these by name).
NS_C1=$T-c1 IF_C1=${T}c1 MAC_C1=02:00:00:aa:00:01	# dhclient
NS_C2=$T-c2 IF_C2=${T}c2 MAC_C2=02:00:00:aa:00:02	# udhcpc
NS_C3=$T-c3 IF_C3=${T}c3 MAC_C3=02:00:00:aa:00:03	# dhcpcd
NS_C4=$T-c4 IF_C4=${T}c4 MAC_C4=02:00:00:aa:00:04	# pbprobe
IF_RU=${T}ru IF_RD=${T}rd IF_SR=${T}sr IF_RC=${T}rc

SRV_IP=10.42.0.1
# Load: clients at once in the storm test and in the restart test (the
# pool holds 3,991 addresses; both runs together must fit).
STORM_N=${PB_STORM_CLIENTS:-200}
RESTART_N=${PB_RESTART_CLIENTS:-500}
BASE_URL=https://10.42.0.1
TOKEN_URL_RE='^https://10\.42\.0\.1/p/[A-Za-z0-9_-]{32}/$'

# Phones registered in users.conf (vendor from etc/vendors.conf).
MAC_ALICE=80:5e:c0:10:00:01	# yealink
MAC_ERIN=80:5e:c0:10:00:05	# yealink
MAC_FRANK=80:5e:c0:10:00:06	# yealink, added by the SIGHUP test
MAC_BOB=00:04:13:20:00:02	# snom D785
MAC_CAROL=00:04:f2:30:00:03	# polycom VVX310
MAC_DAVE=00:1b:d4:40:00:04	# cisco CP-7960G
MAC_YEALINK_UNREG=80:5e:c0:99:00:09

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
CTL_ERR=$PB_TMP/provboxctl.err
: >"$SRV_LOG"
: >"$CTL_ERR"
# dhcpcd keeps its lease in /var/lib/dhcpcd and its pid and sockets in
# /run/dhcpcd, named after our interface: removed at the end if left over.
PB_CREATED_FILES+=("/var/lib/dhcpcd/$IF_C3.lease" "/run/dhcpcd/$IF_C3-4.pid"
	"/run/dhcpcd/$IF_C3-4.sock" "/run/dhcpcd/$IF_C3-4.unpriv.sock")
# /run/dhcpcd itself goes too (if empty) when dhcpcd created it.
[ -d /run/dhcpcd ] || PB_CREATED_DIRS+=(/run/dhcpcd)

# ------------------------------------------------------------------ config

write_config() {
	mkdir -p "$CONF_DIR"
	# The shipped classes and the templates they name: both daemons
	# read the templates at load (issue 14).
	cp "$here/../../etc/vendors.conf" "$CONF_DIR/vendors.conf" &&
	    cp -r "$here/../../etc/templates" "$CONF_DIR/" || return 1
	cat >"$CONF" <<EOF
# Written by tests/integration/dhcp.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = true; };
log = { level = "info"; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  min_lease_time = 60;     # dhclient asks for 60 s: T1 = 30 s, a renew
  max_lease_time = 86400;
  offer_time = 60;
  # No DNS, domain or NTP options: nothing for a client to write outside
  # its namespace.
  subnets = (
    { subnet = "10.42.0.0/20";
      pools = ( { start = "10.42.0.100"; end = "10.42.15.250"; } );
      routers = [ "10.42.0.1" ]; },
    { subnet = "10.43.0.0/24";
      pools = ( { start = "10.43.0.100"; end = "10.43.0.200"; } );
      routers = [ "10.43.0.1" ]; }
  );
};
provisioning = {
  base_url = "$BASE_URL";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
	write_users
}

# write_users [EXTRA_USER_ENTRIES]
write_users() {
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice Reception";
    sip = { user = "201"; password = "alice-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "$MAC_ALICE"; vendor = "yealink"; model = "T46S"; } ); },
  { name = "erin"; display_name = "Erin Support";
    sip = { user = "205"; password = "erin-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "$MAC_ERIN"; vendor = "yealink"; model = "T46G"; } ); },
  { name = "bob"; display_name = "Bob Sales";
    sip = { user = "202"; password = "bob-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "$MAC_BOB"; vendor = "snom"; model = "D785"; } ); },
  { name = "carol"; display_name = "Carol Ops";
    sip = { user = "203"; password = "carol-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "$MAC_CAROL"; vendor = "polycom"; model = "VVX310"; } ); },
  { name = "dave"; display_name = "Dave Lab";
    sip = { user = "204"; password = "dave-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "$MAC_DAVE"; vendor = "cisco"; model = "CP-7960G"; } ); }${1:-}
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
	local n ns

	for ns in "$NS_SRV" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_C4" "$NS_RLY" \
	    "$NS_RC"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/20" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	for n in 1 2 3 4; do
		ns=NS_C$n
		local ifc=IF_C$n mac=MAC_C$n
		veth "$NS_SRV" "${T}s$n" "${!ns}" "${!ifc}" "${!mac}" || return 1
		ip -n "$NS_SRV" link set "${T}s$n" master "$BR" || return 1
	done
	# The relay: upstream on the bridge, downstream to its own client.
	veth "$NS_SRV" "$IF_SR" "$NS_RLY" "$IF_RU" || return 1
	ip -n "$NS_SRV" link set "$IF_SR" master "$BR" || return 1
	ip -n "$NS_RLY" addr add 10.42.0.2/20 dev "$IF_RU" || return 1
	veth "$NS_RLY" "$IF_RD" "$NS_RC" "$IF_RC" 02:00:00:aa:00:43 || return 1
	ip -n "$NS_RLY" addr add 10.43.0.1/24 dev "$IF_RD" || return 1
	ip -n "$NS_SRV" route add 10.43.0.0/24 via 10.42.0.2 || return 1
}

# ------------------------------------------------------------------ server

srv_pid() {
	cat "$PB_TMP/server.pid" 2>/dev/null
}

# srv_start: starts provbox-dhcpd in the server namespace, logging to
# SRV_LOG, and returns once it serves.
srv_start() {
	local mark pid

	mark=$(pb_lines "$SRV_LOG")
	ip netns exec "$NS_SRV" "$DHCPD" -f -c "$CONF" >>"$SRV_LOG" 2>&1 &
	pid=$!
	# Killed on purpose by one test: no job report from bash about it.
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

srv_hup() {
	kill -HUP "$(srv_pid)"
}

# leases FILE: provboxctl's lease list ("IP MAC state +Ns hostname").
leases() {
	timeout 30 "$CTL" -c "$CONF" leases >"$1" 2>>"$CTL_ERR"
}

# lease_state IP MAC: the state of IP's record if MAC holds it.
lease_state() {
	local f=$PB_TMP/leases.$$.$RANDOM

	leases "$f" || return 1
	awk -v ip="$1" -v mac="$2" '$1 == ip && $2 == mac { print $3 }' "$f"
	rm -f "$f"
}

# udp_drops NS: datagrams the kernel dropped in NS for a full receive
# buffer (UDP RcvbufErrors), for diagnostics under load.
udp_drops() {
	ip netns exec "$1" awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++)
	    if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# --------------------------------------------------------------- clients

# probe_in OUT NS IFACE ARGS...: pbprobe, bounded; probe OUT ARGS...: in c4.
probe_in() {
	local out=$1 ns=$2 ifc=$3

	shift 3
	ip netns exec "$ns" timeout 90 "$PROBE" -i "$ifc" "$@" \
	    >"$out" 2>"$out.err"
}

probe() {
	local out=$1

	shift
	probe_in "$out" "$NS_C4" "$IF_C4" "$@"
}

# enroll MAC...: open an enrollment window for registered phones, so their
# answers carry their (first-access) token URL; a DHCP answer never
# carries a user's permanent token.
enroll() {
	local m

	for m in "$@"; do
		timeout 30 "$CTL" -c "$CONF" enroll "$m" --for 30m \
		    >>"$PB_TMP/enroll.out" 2>>"$CTL_ERR" || return 1
	done
}

# cid MAC: the client identifier udhcpc sends (type 1, the MAC), in hex,
# for pbprobe -C: the same client as udhcpc was. One live lease per MAC:
# another identity would be refused while udhcpc's lease lives.
cid() {
	echo "01${1//:/}"
}

# The client scripts configure the leased address on the interface and
# nothing else: Debian's /sbin/dhclient-script would also run the hooks in
# /etc/dhcp (timesyncd, resolv.conf), which act on the host's files.
write_client_scripts() {
	cat >"$PB_TMP/dhclient-script" <<EOF
#!/bin/sh
echo "\$reason \$new_ip_address \$old_ip_address" >>"$PB_TMP/dhclient-script.log"
case "\$reason" in
PREINIT)
	ip link set dev "\$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	if [ -n "\$old_ip_address" ] &&
	    [ "\$old_ip_address" != "\$new_ip_address" ]; then
		ip -4 addr flush dev "\$interface"
	fi
	ip -4 addr replace "\$new_ip_address/\${new_subnet_mask:-255.255.255.0}" \\
	    dev "\$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -n "\$old_ip_address" ] && ip -4 addr flush dev "\$interface" ;;
esac
exit 0
EOF
	cat >"$PB_TMP/udhcpc-script" <<EOF
#!/bin/sh
echo "\$1 \$ip" >>"$PB_TMP/udhcpc-script.log"
case "\$1" in
deconfig)
	ip -4 addr flush dev "\$interface"
	ip link set dev "\$interface" up ;;
bound|renew)
	ip -4 addr replace "\$ip/\${mask:-24}" dev "\$interface" ;;
esac
exit 0
EOF
	# dhcpcd configures the address itself; its script only records.
	cat >"$PB_TMP/dhcpcd-script" <<EOF
#!/bin/sh
echo "\$reason \$new_ip_address" >>"$PB_TMP/dhcpcd-script.log"
exit 0
EOF
	chmod +x "$PB_TMP/dhclient-script" "$PB_TMP/udhcpc-script" \
	    "$PB_TMP/dhcpcd-script"
	cat >"$PB_TMP/dhclient.conf" <<EOF
send dhcp-lease-time 60;
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

# dhclient with the test's config, script, lease and pid files.
DHCLIENT=(dhclient -4 -cf "$PB_TMP/dhclient.conf" -sf "$PB_TMP/dhclient-script"
	-lf "$PB_TMP/dhclient.leases" -pf "$PB_TMP/dhclient.pid")

# dhclient_bg ARGS...: a long-running dhclient in c1 (pb_bg: PB_BG_PID).
dhclient_bg() {
	pb_bg ip netns exec "$NS_C1" timeout 150 "${DHCLIENT[@]}" "$@"
}

# dhclient_cmd ARGS...: a short one (-r, -x).
dhclient_cmd() {
	ip netns exec "$NS_C1" timeout 20 "${DHCLIENT[@]}" "$@"
}

has_addr() {
	ip -n "$1" -4 -o addr show dev "$2" | grep -q " $3/"
}

# log_lines MARK REGEX: the server log lines after MARK matching REGEX.
log_lines() {
	tail -n "+$(($1 + 1))" "$SRV_LOG" | grep -E -- "$2" | head -n 3 |
	    cut -c 21- | tr '\n' ' '
}

# ------------------------------------------------------------------- tests

# 1. dhclient: lease, renew at T1 (unicast), release.
t_dhclient() {
	local out=$PB_TMP/dhclient.out mark ip n

	mark=$(pb_lines "$SRV_LOG")
	dhclient_bg -d -v "$IF_C1" >"$out" 2>&1
	pb_wait_for 20 grep -q "^bound to " "$out" ||
	    die "no lease: $(tail -n 1 "$out")"
	ip=$(sed -n 's/^bound to \([0-9.]*\) .*/\1/p' "$out" | head -n 1)
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $MAC_C1 .*lease 60s" ||
	    die "no 'DHCPACK $ip to $MAC_C1 ... lease 60s' in the server log"
	has_addr "$NS_C1" "$IF_C1" "$ip" ||
	    die "$ip is not configured on $IF_C1"
	[ "$(lease_state "$ip" "$MAC_C1")" = bound ] ||
	    die "registry: $ip is not bound to $MAC_C1"
	# T1 is 30 s; the renew goes to the server, unicast.
	pb_wait_for 50 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'DHCPACK $ip to $MAC_C1 ') -ge 2 ]" ||
	    die "no second DHCPACK of $ip within 50 s (renew at T1 = 30 s)"
	pb_wait_for 5 grep -q "DHCPREQUEST for $ip on $IF_C1 to $SRV_IP port 67" \
	    "$out" || die "the renew was not unicast to $SRV_IP"
	has_addr "$NS_C1" "$IF_C1" "$ip" || die "$ip gone after the renew"
	# Release: dhclient -r stops the running one and sends DHCPRELEASE.
	dhclient_cmd -r -v "$IF_C1" >"$out.release" 2>&1
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPRELEASE of $ip from $MAC_C1 " ||
	    die "no 'DHCPRELEASE of $ip from $MAC_C1' in the server log"
	n=$(lease_state "$ip" "$MAC_C1")
	[ "$n" = released ] || die "registry: $ip of $MAC_C1 is '$n', not released"
	has_addr "$NS_C1" "$IF_C1" "$ip" && die "$ip still configured after release"
	pb_pass
}

# 1. udhcpc (busybox): lease, renew on SIGUSR1 (unicast), release on SIGUSR2.
t_udhcpc() {
	local out=$PB_TMP/udhcpc.out pidf=$PB_TMP/udhcpc.pid mark ip n pid

	mark=$(pb_lines "$SRV_LOG")
	pb_bg ip netns exec "$NS_C2" timeout 100 udhcpc -f -i "$IF_C2" \
	    -s "$PB_TMP/udhcpc-script" -p "$pidf" -t 5 -T 1 -A 2 >"$out" 2>&1
	pb_wait_for 20 grep -q "lease of .* obtained" "$out" ||
	    die "no lease: $(tail -n 1 "$out")"
	ip=$(sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' "$out" | head -n 1)
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $MAC_C2 " ||
	    die "no 'DHCPACK $ip to $MAC_C2' in the server log"
	has_addr "$NS_C2" "$IF_C2" "$ip" || die "$ip is not configured on $IF_C2"
	[ "$(lease_state "$ip" "$MAC_C2")" = bound ] ||
	    die "registry: $ip is not bound to $MAC_C2"
	pid=$(cat "$pidf")
	kill -USR1 "$pid" || die "cannot signal udhcpc"
	pb_wait_for 15 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'DHCPACK $ip to $MAC_C2 ') -ge 2 ]" ||
	    die "no second DHCPACK of $ip after SIGUSR1 (renew)"
	grep -q "sending renew to server $SRV_IP" "$out" ||
	    die "udhcpc did not renew unicast: $(tail -n 2 "$out" | head -n 1)"
	kill -USR2 "$pid" || die "cannot signal udhcpc"
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPRELEASE of $ip from $MAC_C2 " ||
	    die "no 'DHCPRELEASE of $ip from $MAC_C2' in the server log"
	n=$(lease_state "$ip" "$MAC_C2")
	[ "$n" = released ] || die "registry: $ip of $MAC_C2 is '$n', not released"
	pb_wait_for 5 eval "! has_addr '$NS_C2' '$IF_C2' '$ip'" ||
	    die "$ip still configured after release"
	pb_pass
}

# 1. dhcpcd: lease, renew (dhcpcd -N), release (dhcpcd -k).
t_dhcpcd() {
	local out=$PB_TMP/dhcpcd.out mark ip n

	mark=$(pb_lines "$SRV_LOG")
	pb_bg ip netns exec "$NS_C3" timeout 100 dhcpcd -B -d -4 \
	    -f "$PB_TMP/dhcpcd.conf" -c "$PB_TMP/dhcpcd-script" "$IF_C3" \
	    >"$out" 2>&1
	pb_wait_for 25 grep -q "leased .* for" "$out" ||
	    die "no lease: $(tail -n 1 "$out")"
	ip=$(sed -n 's/.*: leased \([0-9.]*\) for.*/\1/p' "$out" | head -n 1)
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $MAC_C3 " ||
	    die "no 'DHCPACK $ip to $MAC_C3' in the server log"
	pb_wait_for 5 has_addr "$NS_C3" "$IF_C3" "$ip" ||
	    die "$ip is not configured on $IF_C3"
	[ "$(lease_state "$ip" "$MAC_C3")" = bound ] ||
	    die "registry: $ip is not bound to $MAC_C3"
	ip netns exec "$NS_C3" timeout 10 dhcpcd -4 -N "$IF_C3" \
	    >"$out.renew" 2>&1 || die "dhcpcd -N failed: $(tail -n 1 "$out.renew")"
	pb_wait_for 15 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'DHCPACK $ip to $MAC_C3 ') -ge 2 ]" ||
	    die "no second DHCPACK of $ip after dhcpcd -N (renew)"
	pb_wait_for 5 grep -q "renewing lease of $ip" "$out" ||
	    die "dhcpcd did not renew (unicast): $(tail -n 1 "$out")"
	ip netns exec "$NS_C3" timeout 10 dhcpcd -4 -k "$IF_C3" \
	    >"$out.release" 2>&1
	pb_wait_for 10 pb_grep_after "$SRV_LOG" "$mark" \
	    "DHCPRELEASE of $ip from $MAC_C3 " ||
	    die "no 'DHCPRELEASE of $ip from $MAC_C3' in the server log"
	n=$(lease_state "$ip" "$MAC_C3")
	[ "$n" = released ] || die "registry: $ip of $MAC_C3 is '$n', not released"
	pb_wait_for 5 eval "! has_addr '$NS_C3' '$IF_C3' '$ip'" ||
	    die "$ip still configured after release"
	pb_pass
}

# 2. dhclient restarted with its lease file: INIT-REBOOT, same address,
# no DISCOVER/OFFER.
t_reboot_dhclient() {
	local out=$PB_TMP/dhclient-reboot.out mark ip pid

	dhclient_bg -d -v "$IF_C1" >"$out.1" 2>&1
	pid=$PB_BG_PID
	pb_wait_for 20 grep -q "^bound to " "$out.1" ||
	    die "first run: no lease: $(tail -n 1 "$out.1")"
	ip=$(sed -n 's/^bound to \([0-9.]*\) .*/\1/p' "$out.1" | head -n 1)
	# Stop it without releasing: the lease file keeps the lease.
	dhclient_cmd -x "$IF_C1" >"$out.stop" 2>&1
	pb_wait_for 10 eval "! pb_alive $pid" || die "dhclient -x did not stop it"
	mark=$(pb_lines "$SRV_LOG")
	dhclient_bg -d -v "$IF_C1" >"$out" 2>&1
	pb_wait_for 20 grep -q "^bound to " "$out" ||
	    die "second run: no lease: $(tail -n 1 "$out")"
	grep -q "^bound to $ip " "$out" ||
	    die "second run got $(sed -n 's/^bound to \([0-9.]*\) .*/\1/p' "$out") instead of $ip"
	grep -q "DHCPDISCOVER" "$out" &&
	    die "dhclient fell back to DISCOVER (the INIT-REBOOT REQUEST was not answered)"
	grep -q "DHCPREQUEST for $ip on $IF_C1 to 255.255.255.255" "$out" ||
	    die "no INIT-REBOOT REQUEST for $ip in dhclient's output"
	pb_grep_after "$SRV_LOG" "$mark" "DHCPOFFER .* to $MAC_C1 " &&
	    die "the server sent an OFFER to a rebooting client"
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK $ip to $MAC_C1 " ||
	    die "no 'DHCPACK $ip to $MAC_C1' after the restart"
	dhclient_cmd -r "$IF_C1" >"$out.release" 2>&1
	pb_pass
}

# 2. pbprobe: DORA, then an INIT-REBOOT REQUEST for the same address.
t_reboot_probe() {
	local o=$PB_TMP/reboot-probe m=02:00:00:02:00:01 ip

	probe "$o.dora" -m "$m" dora || die "DORA: $(head -n 1 "$o.dora")"
	ip=$(pb_kv yiaddr "$o.dora")
	probe "$o" -m "$m" reboot "$ip"
	[ "$(pb_kv type "$o")" = ACK ] || die "INIT-REBOOT for $ip: type=$(pb_kv type "$o"), expected ACK"
	[ "$(pb_kv yiaddr "$o")" = "$ip" ] ||
	    die "INIT-REBOOT for $ip: yiaddr=$(pb_kv yiaddr "$o")"
	[ "$(pb_kv opt51 "$o")" -gt 0 ] 2>/dev/null || die "ACK without a lease time"
	pb_pass
}

# 3. A client that moved to another subnet asks for its old address.
t_moved_nak() {
	local o=$PB_TMP/moved-nak

	probe "$o" -m 02:00:00:03:00:01 reboot 10.99.0.5
	[ "$(pb_kv type "$o")" = NAK ] ||
	    die "INIT-REBOOT for 10.99.0.5: type=$(pb_kv type "$o"), expected NAK"
	[ -n "$(pb_kv opt56 "$o")" ] || die "NAK without a message (option 56)"
	[ "$(pb_kv opt54 "$o")" = "$SRV_IP" ] || die "NAK without server id $SRV_IP"
	[ "$(pb_kv yiaddr "$o")" = 0.0.0.0 ] || die "NAK with yiaddr $(pb_kv yiaddr "$o")"
	pb_pass
}

# 3. The same, for real: a phone with a lease on 10.42 moves behind the
# relay (10.43) and INIT-REBOOTs its old address.
t_moved_nak_relay() {
	local o=$PB_TMP/moved-relay m=02:00:00:03:00:02 ip

	probe "$o.dora" -m "$m" dora || die "DORA: $(head -n 1 "$o.dora")"
	ip=$(pb_kv yiaddr "$o.dora")
	pb_bg ip netns exec "$NS_RLY" timeout 60 dhcrelay -d -4 -a \
	    -iu "$IF_RU" -id "$IF_RD" "$SRV_IP" >"$o.relay" 2>&1
	pb_wait_for 10 grep -q "Sending on *Socket" "$o.relay" ||
	    die "dhcrelay did not start: $(tail -n 1 "$o.relay")"
	probe_in "$o" "$NS_RC" "$IF_RC" -m "$m" reboot "$ip"
	[ "$(pb_kv type "$o")" = NAK ] ||
	    die "INIT-REBOOT for $ip behind the relay: type=$(pb_kv type "$o"), expected NAK"
	[ -n "$(pb_kv opt56 "$o")" ] || die "NAK without a message (option 56)"
	grep -q "DHCPNAK to $m .*(relay 10.43.0.1)" "$SRV_LOG" ||
	    die "no 'DHCPNAK to $m ... (relay 10.43.0.1)' in the server log"
	pb_pass
}

# 4. STORM_N (200) clients at once: all ACKed, no address twice, all bound
# in the registry.
t_storm() {
	local o=$PB_TMP/storm n dup lf=$PB_TMP/storm.leases missing N=$STORM_N

	probe "$o" -m 02:00:00:04:00:00 -n "$N" -T 40000 dora
	grep -q "^acked $N of $N\$" "$o" ||
	    die "pbprobe: $(tail -n 1 "$o") (receive buffer drops: server $(udp_drops "$NS_SRV"), clients $(udp_drops "$NS_C4"))"
	n=$(grep -c '^ack ' "$o")
	[ "$n" -eq "$N" ] || die "$n ack lines, expected $N"
	dup=$(awk '/^ack /{ print $3 }' "$o" | sort | uniq -d | head -n 3)
	[ -z "$dup" ] || die "addresses given to two clients: $dup"
	[ "$(awk '/^ack /{ print $2 }' "$o" | sort -u | wc -l)" -eq "$N" ] ||
	    die "fewer than $N distinct MACs ACKed"
	leases "$lf" || die "provboxctl leases failed"
	missing=$(awk 'NR == FNR { if ($3 == "bound") have[$1 " " $2] = 1; next }
	    /^ack / && !(($3 " " $2) in have) { print $3 " " $2 }' "$lf" "$o" |
	    head -n 3)
	[ -z "$missing" ] || die "ACKed but not bound in the registry: $missing"
	n=$(awk '$2 ~ /^02:00:00:04:/ && $3 == "bound" { print $1 }' "$lf" |
	    sort -u | wc -l)
	[ "$n" -eq "$N" ] ||
	    die "registry: $n distinct bound addresses for the $N clients"
	pb_pass
}

# 5. A client behind ISC dhcrelay (-a: Option 82) gets a 10.43 address;
# the server's replies to the relay carry the relay's Option 82 unchanged.
t_relay() {
	local o=$PB_TMP/relay cap=$PB_TMP/relay.pcap opts=$PB_TMP/relay.opts
	local ip req rep bad

	pb_capture_start "$NS_SRV" "$IF_SR" "$cap" || die "tshark did not start"
	pb_bg ip netns exec "$NS_RLY" timeout 60 dhcrelay -d -4 -a \
	    -iu "$IF_RU" -id "$IF_RD" "$SRV_IP" >"$o.relay" 2>&1
	pb_wait_for 10 grep -q "Sending on *Socket" "$o.relay" ||
	    die "dhcrelay did not start: $(tail -n 1 "$o.relay")"
	ip netns exec "$NS_RC" timeout 30 udhcpc -f -q -n -i "$IF_RC" \
	    -s "$PB_TMP/udhcpc-script" -t 5 -T 2 >"$o.udhcpc" 2>&1 ||
	    die "udhcpc behind the relay got no lease: $(tail -n 1 "$o.udhcpc")"
	ip=$(sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' "$o.udhcpc" |
	    head -n 1)
	case $ip in
	10.43.0.*) ;;
	*) die "the relayed client got '$ip', not a 10.43.0.x address" ;;
	esac
	grep -q "DHCPACK $ip to 02:00:00:aa:00:43 .*(relay 10.43.0.1)" \
	    "$SRV_LOG" || die "no 'DHCPACK $ip ... (relay 10.43.0.1)' in the log"
	pb_capture_stop
	pb_capture_options "$cap" >"$opts"
	# Requests: relay -> server; replies: server -> relay (giaddr).
	req=$(awk '$2 == "10.42.0.2" && $3 == "'$SRV_IP'" && $6 == 82 { print $7 }' \
	    "$opts" | sort -u)
	rep=$(awk '$2 == "'$SRV_IP'" && $3 == "10.43.0.1" && $6 == 82 { print $7 }' \
	    "$opts" | sort -u)
	[ -n "$req" ] || die "no Option 82 in the relay's requests (capture)"
	[ "$(wc -l <<<"$req")" -eq 1 ] || die "the relay sent different Option 82s"
	[ "$(awk '$2 == "'$SRV_IP'" && $3 == "10.43.0.1" && $6 == 53 { n++ } END { print n + 0 }' "$opts")" -ge 2 ] ||
	    die "fewer than 2 replies (OFFER, ACK) to the relay in the capture"
	# Every reply to the relay, OFFER and ACK alike, echoes it.
	bad=$(awk -v want="$req" '$2 == "'$SRV_IP'" && $3 == "10.43.0.1" {
	    f[$1] = 1; if ($6 == 82) { if ($7 == want) ok[$1] = 1 } }
	    END { for (k in f) if (!(k in ok)) print k }' "$opts")
	[ -z "$bad" ] || die "replies (frames $bad) lack the relay's Option 82 $req (got: ${rep:-none})"
	pb_pass
}

# 6. udhcpc -V yealink -O 66: a registered phone gets a token URL (its
# first-access URL: it is enrolling), two users' phones different ones.
t_yealink_token() {
	local cap=$PB_TMP/yealink.pcap opts=$PB_TMP/yealink.opts o=$PB_TMP/yealink
	local mac url_alice url_erin url_unreg url_probe

	enroll "$MAC_ALICE" "$MAC_ERIN" || die "provboxctl enroll failed"
	pb_capture_start "$NS_SRV" "${T}s2" "$cap" || die "tshark did not start"
	for mac in "$MAC_ALICE" "$MAC_ERIN" "$MAC_YEALINK_UNREG"; do
		ip -n "$NS_C2" -4 addr flush dev "$IF_C2"
		ip -n "$NS_C2" link set "$IF_C2" down
		ip -n "$NS_C2" link set "$IF_C2" address "$mac"
		ip -n "$NS_C2" link set "$IF_C2" up
		ip netns exec "$NS_C2" timeout 30 udhcpc -f -q -n -i "$IF_C2" \
		    -s "$PB_TMP/udhcpc-script" -V yealink -O 66 -t 5 -T 1 \
		    >"$o.$mac" 2>&1 ||
		    die "udhcpc as $mac got no lease: $(tail -n 1 "$o.$mac")"
	done
	ip -n "$NS_C2" -4 addr flush dev "$IF_C2"
	pb_capture_stop
	pb_capture_options "$cap" >"$opts"
	# What udhcpc got in the ACK (it prints option 66 as "bad").
	ack66() {
		local h

		h=$(awk -v m="$1" '$4 == "05" && $5 == m && $6 == 66 { print $7 }' \
		    "$opts" | tail -n 1)
		pb_unhex "$h"
	}
	[ "$(awk -v m="$MAC_ALICE" '$4 == "05" && $5 == m' "$opts" | wc -l)" -gt 0 ] ||
	    die "no ACK to $MAC_ALICE in the capture"
	url_alice=$(ack66 "$MAC_ALICE")
	url_erin=$(ack66 "$MAC_ERIN")
	url_unreg=$(ack66 "$MAC_YEALINK_UNREG")
	[[ $url_alice =~ $TOKEN_URL_RE ]] ||
	    die "alice's phone got option 66 '$url_alice', not a token URL"
	[[ $url_erin =~ $TOKEN_URL_RE ]] ||
	    die "erin's phone got option 66 '$url_erin', not a token URL"
	[ "$url_alice" != "$url_erin" ] ||
	    die "two users' phones got the same URL $url_alice"
	[ "$(awk -v m="$MAC_YEALINK_UNREG" '$4 == "05" && $5 == m' "$opts" | wc -l)" -gt 0 ] ||
	    die "no ACK to the unregistered phone in the capture"
	[[ $url_unreg == *"/p/"* ]] &&
	    die "an unregistered yealink got a token URL: $url_unreg"
	# pbprobe as the same client (MAC, client id, Option 60 and 55) sees
	# the same URL.
	probe "$o.probe" -m "$MAC_ALICE" -C "$(cid "$MAC_ALICE")" -V yealink \
	    -P 1,3,6,12,15,28,42,66 dora ||
	    die "pbprobe as alice's phone: $(head -n 1 "$o.probe")"
	url_probe=$(pb_kv opt66 "$o.probe")
	[ "$url_probe" = "$url_alice" ] ||
	    die "pbprobe got '$url_probe', udhcpc got '$url_alice'"
	grep -q "DHCPACK .* to $MAC_ALICE (yealink, alice)" "$SRV_LOG" ||
	    die "no 'DHCPACK ... to $MAC_ALICE (yealink, alice)' in the log"
	echo "$url_alice" >"$PB_TMP/url.alice"
	echo "$url_erin" >"$PB_TMP/url.erin"
	pb_pass
}

# 7. snom: 66 + 67 and the same pair inside 43.
t_snom() {
	local o=$PB_TMP/snom f67 h43 s66 s67

	enroll "$MAC_BOB" || die "provboxctl enroll failed"
	probe "$o" -m "$MAC_BOB" -V snomD785 -P 1,3,6,12,15,42,66,67,120 dora ||
	    die "no ACK: $(head -n 1 "$o")"
	[ "$(pb_kv hex66 "$o")" = "$(pb_hex "$BASE_URL")" ] ||
	    die "option 66 is '$(pb_kv opt66 "$o")', expected $BASE_URL"
	f67=$(pb_unhex "$(pb_kv hex67 "$o")")
	[[ $f67 =~ ^p/[A-Za-z0-9_-]{32}/snomD785\.htm$ ]] ||
	    die "option 67 is '$f67', expected p/<token>/snomD785.htm"
	h43=$(pb_kv hex43 "$o")
	[ -n "$h43" ] || die "no option 43"
	s66=$(pb_tlv "$h43" 66) || die "option 43 has no sub-option 66: $h43"
	s67=$(pb_tlv "$h43" 67) || die "option 43 has no sub-option 67: $h43"
	[ "$s66" = "$(pb_hex "$BASE_URL")" ] ||
	    die "43.66 is '$(pb_unhex "$s66")', expected $BASE_URL"
	[ "$s67" = "$(pb_hex "$f67")" ] ||
	    die "43.67 is '$(pb_unhex "$s67")', expected $f67"
	grep -q "DHCPACK .* to $MAC_BOB (snom, bob)" "$SRV_LOG" ||
	    die "no 'DHCPACK ... to $MAC_BOB (snom, bob)' in the log"
	pb_pass
}

# 7. Polycom: option 160 with the token URL.
t_polycom() {
	local o=$PB_TMP/polycom u

	enroll "$MAC_CAROL" || die "provboxctl enroll failed"
	probe "$o" -m "$MAC_CAROL" -V Polycom-VVX310 \
	    -P 128,66,160,43,7,54,42,15,6,4,3,2,1 dora ||
	    die "no ACK: $(head -n 1 "$o")"
	u=$(pb_unhex "$(pb_kv hex160 "$o")")
	[[ $u =~ $TOKEN_URL_RE ]] || die "option 160 is '$u', not a token URL"
	grep -q "DHCPACK .* to $MAC_CAROL (polycom, carol)" "$SRV_LOG" ||
	    die "no 'DHCPACK ... to $MAC_CAROL (polycom, carol)' in the log"
	pb_pass
}

# 7. Cisco 79xx (Option 60 ends with a NUL): option 150 as IPv4 addresses.
t_cisco() {
	local o=$PB_TMP/cisco h vc='Cisco Systems, Inc. IP Phone CP-7960G\x00'

	enroll "$MAC_DAVE" || die "provboxctl enroll failed"
	probe "$o" -m "$MAC_DAVE" -V "$vc" -P 1,3,6,15,35,66,150 dora ||
	    die "no ACK: $(head -n 1 "$o")"
	h=$(pb_kv hex150 "$o")
	[ -n "$h" ] || die "no option 150"
	[ $((${#h} % 8)) -eq 0 ] || die "option 150 is not a list of IPv4 addresses: $h"
	[ "$(pb_kv opt150 "$o")" = "$SRV_IP" ] ||
	    die "option 150 is $(pb_kv opt150 "$o"), expected $SRV_IP"
	[[ $(pb_kv opt66 "$o") =~ $TOKEN_URL_RE ]] ||
	    die "option 66 is '$(pb_kv opt66 "$o")', not a token URL"
	grep -q "DHCPACK .* to $MAC_DAVE (cisco, dave)" "$SRV_LOG" ||
	    die "no 'DHCPACK ... to $MAC_DAVE (cisco, dave)' in the log"
	# An unregistered phone with that Option 60 (NUL-terminated) is put
	# in the enterprise phones' class, which comes before "cisco".
	probe "$o.unreg" -m 00:1b:d4:40:00:99 -V "$vc" -P 1,3,6,15,35,66,150 dora ||
	    die "unregistered Cisco: no ACK"
	grep -q "DHCPACK .* to 00:1b:d4:40:00:99 (cisco-enterprise)" "$SRV_LOG" ||
	    die "an unregistered phone with the NUL-terminated Cisco Option 60 was not classed cisco-enterprise"
	pb_pass
}

# 8. kill -9 under load (RESTART_N clients, 500), restart: every ACK the clients saw is in the
# registry, bound to that client; no address held by two clients.
t_restart_load() {
	local o=$PB_TMP/restart lf=$PB_TMP/restart.leases mark pid probe_pid
	local n_before n_after n1 n2 dup missing multi base=02:00:00:08:00:00
	local N=$RESTART_N

	mark=$(pb_lines "$SRV_LOG")
	# Phones come back at 100 a second, so the storm is still on when
	# the server dies and goes on into the restarted one.
	pb_bg ip netns exec "$NS_C4" timeout 90 "$PROBE" -i "$IF_C4" -m "$base" \
	    -n "$N" -R 100 -T 40000 dora >"$o.1" 2>"$o.1.err"
	probe_pid=$PB_BG_PID
	pb_wait_for 30 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'DHCPACK .* to 02:00:00:08:') -ge 60 ]" ||
	    die "fewer than 60 ACKs logged within 30 s"
	pid=$(srv_pid)
	kill -KILL "$pid"
	pb_wait_for 10 eval "! pb_alive $pid" || die "the server survived kill -9"
	n_before=$(pb_count_after "$SRV_LOG" "$mark" 'DHCPACK .* to 02:00:00:08:')
	pb_note "restart-under-load: killed the server after $n_before ACKs"
	mark=$(pb_lines "$SRV_LOG")
	srv_start || die "the server did not restart: $(tail -n 2 "$SRV_LOG")"
	pb_wait_for 80 eval "! pb_alive $probe_pid" || die "the first probe run did not end"
	wait "$probe_pid" 2>/dev/null
	n_after=$(pb_count_after "$SRV_LOG" "$mark" 'DHCPACK .* to 02:00:00:08:')
	n1=$(grep -c '^ack ' "$o.1")
	# The clients that gave up during the restart try again.
	probe "$o.2" -m "$base" -n "$N" -T 40000 dora
	n2=$(grep -c '^ack ' "$o.2")
	pb_note "restart-under-load: first run $(tail -n 1 "$o.1") ($n_after after the restart), second run $(tail -n 1 "$o.2")"
	[ "$n_after" -gt 0 ] || [ "$n_before" -ge "$N" ] ||
	    die "the restarted server ACKed none of the first run's clients ($n1 ACKs)"
	cat "$o.1" "$o.2" | awk '/^ack /{ print $2, $3 }' | sort -u >"$o.acks"
	dup=$(awk '{ print $2 }' "$o.acks" | sort | uniq -d | head -n 3)
	[ -z "$dup" ] || die "addresses ACKed to two clients: $(for d in $dup; do grep " $d\$" "$o.acks" | tr '\n' ' '; done)"
	multi=$(awk '{ print $1 }' "$o.acks" | sort | uniq -d | head -n 3)
	[ -z "$multi" ] || die "clients ACKed two different addresses: $(for d in $multi; do grep "^$d " "$o.acks" | tr '\n' ' '; done)"
	leases "$lf" || die "provboxctl leases failed"
	missing=$(awk 'NR == FNR { st[$1] = $2 " " $3; next }
	    st[$2] != $1 " bound" { print $2 " (" $1 "): " (($2 in st) ? st[$2] : "no record") }' \
	    "$lf" "$o.acks" | head -n 5)
	[ -z "$missing" ] ||
	    die "ACKed but not bound to that MAC in the registry: $missing"
	dup=$(awk '$2 ~ /^02:00:00:08:/ && $3 == "bound" { print $2 }' "$lf" |
	    sort | uniq -d | head -n 3)
	[ -z "$dup" ] || die "registry: MACs bound to two addresses: $dup"
	[ "$n2" -eq "$N" ] || die "second run: $(tail -n 1 "$o.2") (receive buffer drops: server $(udp_drops "$NS_SRV"), clients $(udp_drops "$NS_C4"))"
	pb_pass
}

# 9. SIGHUP with a broken users.conf: refused, old config serves on.
t_hup_broken() {
	local o=$PB_TMP/hup-broken mark before after bad_line

	probe "$o.before" -m "$MAC_ALICE" -C "$(cid "$MAC_ALICE")" -V yealink \
	    -P 1,3,66 dora ||
	    die "alice's phone before the reload: $(head -n 1 "$o.before")"
	before=$(pb_kv opt66 "$o.before")
	cp "$CONF_DIR/users.conf" "$PB_TMP/users.conf.good"
	# A typo in a new entry: a value without its quotes (a syntax error).
	head -n -1 "$PB_TMP/users.conf.good" >"$CONF_DIR/users.conf"
	cat >>"$CONF_DIR/users.conf" <<EOF
  , { name = "mallory";
    sip = { user = "299"; password = "mallory-secret"; server = "10.42.0.1"; };
EOF
	bad_line=$(($(pb_lines "$CONF_DIR/users.conf") + 1))
	cat >>"$CONF_DIR/users.conf" <<EOF
    devices = ( { mac = "80:5e:c0:10:00:66"; vendor = yealink; } ); }
);
EOF
	mark=$(pb_lines "$SRV_LOG")
	srv_hup
	pb_wait_for 15 pb_grep_after "$SRV_LOG" "$mark" "reload refused" ||
	    { cp "$PB_TMP/users.conf.good" "$CONF_DIR/users.conf"
	    die "no 'reload refused' in the log after SIGHUP with a broken file"; }
	cp "$PB_TMP/users.conf.good" "$CONF_DIR/users.conf"
	pb_grep_after "$SRV_LOG" "$mark" "users\.conf:$bad_line: " ||
	    die "the error does not name users.conf:$bad_line: $(log_lines "$mark" 'warning')"
	sleep 0.5
	pb_alive "$(srv_pid)" || die "the server died on a broken reload"
	probe "$o.new" -m 02:00:00:09:00:01 dora ||
	    die "a new client after the refused reload: $(head -n 1 "$o.new")"
	probe "$o.after" -m "$MAC_ALICE" -C "$(cid "$MAC_ALICE")" -V yealink \
	    -P 1,3,66 dora ||
	    die "alice's phone after the refused reload: $(head -n 1 "$o.after")"
	after=$(pb_kv opt66 "$o.after")
	[ "$after" = "$before" ] ||
	    die "alice's URL changed across a refused reload: $before -> $after"
	pb_pass
}

# 9. SIGHUP with a new user: the user's phone is registered at once (and
# gets a token URL once it is enrolling).
t_hup_new_user() {
	local o=$PB_TMP/hup-user mark u

	probe "$o.before" -m "$MAC_FRANK" -V yealink -P 1,3,66 dora ||
	    die "frank's phone before: $(head -n 1 "$o.before")"
	[ -z "$(pb_kv opt66 "$o.before")" ] ||
	    die "an unregistered phone got option 66: $(pb_kv opt66 "$o.before")"
	write_users ",
  { name = \"frank\"; display_name = \"Frank New\";
    sip = { user = \"206\"; password = \"frank-sip-secret\"; server = \"10.42.0.1\"; };
    devices = ( { mac = \"$MAC_FRANK\"; vendor = \"yealink\"; model = \"T46S\"; } ); }"
	mark=$(pb_lines "$SRV_LOG")
	srv_hup
	pb_wait_for 15 pb_grep_after "$SRV_LOG" "$mark" "reloaded " ||
	    die "no 'reloaded' in the log: $(tail -n 1 "$SRV_LOG")"
	# Registered now; not enrolling: still nothing secret.
	probe "$o.reg" -m "$MAC_FRANK" -V yealink -P 1,3,66 dora ||
	    die "frank's phone after the reload: $(head -n 1 "$o.reg")"
	[ -z "$(pb_kv opt66 "$o.reg")" ] ||
	    die "frank's phone, not enrolling, got option 66: $(pb_kv opt66 "$o.reg")"
	enroll "$MAC_FRANK" || die "provboxctl enroll $MAC_FRANK failed"
	probe "$o" -m "$MAC_FRANK" -V yealink -P 1,3,66 dora ||
	    die "frank's phone after the reload: $(head -n 1 "$o")"
	u=$(pb_kv opt66 "$o")
	[[ $u =~ $TOKEN_URL_RE ]] || die "frank's phone got option 66 '$u', not a token URL"
	for f in "$PB_TMP/url.alice" "$PB_TMP/url.erin"; do
		[ -f "$f" ] && [ "$u" = "$(cat "$f")" ] &&
		    die "frank got another user's URL $u"
	done
	pb_grep_after "$SRV_LOG" "$mark" "DHCPACK .* to $MAC_FRANK \(yealink, frank\)" ||
	    die "no 'DHCPACK ... to $MAC_FRANK (yealink, frank)' in the log"
	pb_pass
}

# 9. SIGHUP while 500 clients get addresses: the reload loses no client
# and gives no address twice.
t_hup_load() {
	local o=$PB_TMP/hup-load mark pid i N=500 dup

	mark=$(pb_lines "$SRV_LOG")
	pb_bg ip netns exec "$NS_C4" timeout 60 "$PROBE" -i "$IF_C4" \
	    -m 02:00:00:0b:00:00 -n "$N" -T 30000 dora >"$o" 2>"$o.err"
	pid=$PB_BG_PID
	pb_wait_for 20 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'DHCPACK .* to 02:00:00:0b:') -ge 50 ]" ||
	    die "fewer than 50 ACKs within 20 s"
	for i in 1 2 3; do
		srv_hup
		sleep 0.2
	done
	pb_wait_for 50 eval "! pb_alive $pid" || die "the probe did not end"
	pb_wait_for 10 eval "[ \$(pb_count_after '$SRV_LOG' '$mark' \
	    'reloaded ') -ge 1 ]" || die "no 'reloaded' in the log"
	pb_alive "$(srv_pid)" || die "the server died: $(tail -n 2 "$SRV_LOG")"
	dup=$(awk '/^ack /{ print $3 }' "$o" | sort | uniq -d | head -n 3)
	[ -z "$dup" ] || die "addresses given to two clients: $dup"
	grep -q "^acked $N of $N\$" "$o" ||
	    die "pbprobe: $(tail -n 1 "$o") (receive buffer drops: server $(udp_drops "$NS_SRV"), clients $(udp_drops "$NS_C4"))"
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
	    "$CTL_ERR" "$PB_TMP"/*.err 2>/dev/null | head -n 3)
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
write_client_scripts
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/check.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/check.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi

pb_run snom-66-67-43 60 t_snom
pb_run polycom-160 60 t_polycom
pb_run cisco-150 60 t_cisco
pb_run moved-client-nak 60 t_moved_nak
pb_run reboot-pbprobe 60 t_reboot_probe
pb_run dhclient-lease-renew-release 120 t_dhclient
pb_run udhcpc-lease-renew-release 60 t_udhcpc
pb_run dhcpcd-lease-renew-release 60 t_dhcpcd
pb_run reboot-dhclient 90 t_reboot_dhclient
pb_run yealink-token-udhcpc 90 t_yealink_token
pb_run relay-option82 60 t_relay
pb_run moved-client-nak-relay 60 t_moved_nak_relay
pb_run storm-distinct-addresses 90 t_storm
pb_run hup-broken-config 60 t_hup_broken
pb_run hup-new-user 60 t_hup_new_user
pb_run hup-under-load 90 t_hup_load
pb_run restart-under-load 200 t_restart_load
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
srv_stop
pb_finish
