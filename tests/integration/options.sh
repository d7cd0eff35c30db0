#!/usr/bin/env bash
# options.sh - T1/T2, siaddr (next_server), short leases and Option 2 over
# the wire, each as real clients see them.
#
#   bash tests/integration/options.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces (names from lib.sh's PB_TAG) and removes it
# at the end, also on failure or Ctrl-C:
#
#   $T-c1 (dhclient)         --+
#   $T-c2 (udhcpc)           --+   $T-srv: bridge ${T}br 10.42.0.1/24,
#   $T-c3 (dhcpcd)           --+-- provbox-dhcpd
#   $T-c4 (nmap, dhcping,    --+
#          pbprobe; 10.42.0.30)
#   $T-c5 (systemd-networkd) --+
#
# systemd-networkd runs in a mount namespace of its own (unshare -m) with
# tmpfs over /etc/systemd/network and /run/systemd and /sys read-only (so
# it does not wait for udev): the host's networkd config and state are
# never seen or touched.
#
# The server's config sets T1 in the dhcp group and T2 in the subnet (a
# default-class client gets both: nearest wins, level by level), siaddr in
# the subnet and in the dhcp group, and all three in a vendor class that
# Option 60 "pb-labphone" selects. Each test cites the RFC section it
# checks. One test per behaviour; a client that shows the value is used
# where one exists, a capture otherwise (siaddr is shown by udhcpc only).
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "options-integration: N passed, N failed", and RESULTS_FILE gets
# "options-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77
# if not root or a client cannot be installed. PB_ONLY="name ..." and
# PB_KEEP=1 work as in dhcp.sh.

# shellcheck disable=SC2034 # some variables are read by name (${!name})
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
PB_TOOLS="dhclient=isc-dhcp-client udhcpc=udhcpc dhcpcd=dhcpcd-base
	tshark=tshark ip=iproute2 nmap=nmap dhcping=dhcping networkctl=systemd
	unshare=util-linux nsenter=util-linux"
pb_init "${1:-$here/../../build}" "${2:-}" options-integration

T=$PB_TAG
NS_SRV=$T-srv
BR=${T}br
NS_C1=$T-c1 IF_C1=${T}c1 MAC_C1=02:00:00:bb:00:01	# dhclient
NS_C2=$T-c2 IF_C2=${T}c2 MAC_C2=02:00:00:bb:00:02	# udhcpc
NS_C3=$T-c3 IF_C3=${T}c3 MAC_C3=02:00:00:bb:00:03	# dhcpcd
NS_C4=$T-c4 IF_C4=${T}c4 MAC_C4=02:00:00:bb:00:04	# nmap, dhcping, pbprobe
NS_C5=$T-c5 IF_C5=${T}c5 MAC_C5=02:00:00:bb:00:05	# systemd-networkd
NETWORKD=/lib/systemd/systemd-networkd
C4_IP=10.42.0.30					# outside the pool

SRV_IP=10.42.0.1
# What the config says, and so what the clients must see.
T1_DHCP=1000		# dhcp.renew_time
T2_SUBNET=2500		# the subnet's rebind_time
LEASE=3600
T1_CLASS=300		# the labphone class
T2_CLASS=600
NEXT_DHCP=192.0.2.7	# dhcp.next_server (shadowed by the subnet's)
NEXT_SUBNET=10.42.0.5
NEXT_CLASS=10.42.0.6
VCLASS=pb-labphone
OFFSET=-18000		# Option 2, UTC-5

CONF=$PB_TMP/provbox.conf
SRV_LOG=$PB_TMP/dhcpd.log
: >"$SRV_LOG"
PB_CREATED_FILES+=("/var/lib/dhcpcd/$IF_C3.lease" "/run/dhcpcd/$IF_C3-4.pid"
	"/run/dhcpcd/$IF_C3-4.sock" "/run/dhcpcd/$IF_C3-4.unpriv.sock")
[ -d /run/dhcpcd ] || PB_CREATED_DIRS+=(/run/dhcpcd)

# ------------------------------------------------------------------ config

# The line numbers matter: the short-lease-warning test names line 9.
write_config() {
	cat >"$CONF" <<EOF
# Written by tests/integration/options.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$PB_TMP/run";
dhcp = {
  lease_time = $LEASE;
  # A client may ask for 10 s (a lab): allowed, with a warning at load.
  # This is line 9:
  min_lease_time = 5;
  renew_time = $T1_DHCP;
  next_server = "$NEXT_DHCP";
  # Conflict probes are another suite's; here they would only add time.
  conflict_check = false;
  options = ( { name = "time-offset"; value = $OFFSET; } );
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.199"; } );
      routers = [ "$SRV_IP" ];
      rebind_time = $T2_SUBNET;
      next_server = "$NEXT_SUBNET"; }
  );
};
vendors = (
  { name = "labphone";
    match = { vendor_class_exact = [ "$VCLASS" ]; };
    renew_time = $T1_CLASS; rebind_time = $T2_CLASS;
    next_server = "$NEXT_CLASS"; },
  { name = "other"; default = true; }
);
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

	for ns in "$NS_SRV" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_C4" "$NS_C5"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	for n in 1 2 3 4 5; do
		ns=NS_C$n ifc=IF_C$n mac=MAC_C$n
		veth "$NS_SRV" "${T}s$n" "${!ns}" "${!ifc}" "${!mac}" || return 1
		ip -n "$NS_SRV" link set "${T}s$n" master "$BR" || return 1
	done
	ip -n "$NS_C4" addr add "$C4_IP/24" dev "$IF_C4"
}

srv_start() {
	pb_daemon_start dhcpd "$NS_SRV" "$SRV_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF"
}

# ----------------------------------------------------------------- clients

# dhclient_script NAME: a dhclient script that records the reason and the
# options this suite checks in $PB_TMP/NAME.script.log (dhclient gives its
# script its own environment only), and configures the address only
# (Debian's dhclient-script would run /etc/dhcp hooks that act on the
# host).
dhclient_script() {
	cat >"$PB_TMP/$1.dhclient-script" <<EOF
#!/bin/sh
echo "\$reason ip=\$new_ip_address t1=\$new_dhcp_renewal_time t2=\$new_dhcp_rebinding_time lease=\$new_dhcp_lease_time offset=\$new_time_offset" >>"$PB_TMP/$1.script.log"
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

write_client_scripts() {
	# udhcpc: every variable it exports (siaddr, timezone, optNN, ...).
	cat >"$PB_TMP/udhcpc-script" <<EOF
#!/bin/sh
{ echo "== \$1"; env | grep -E '^(ip|siaddr|timezone|lease|opt[0-9]+)=' | sort; } \\
    >>"\${PB_SCRIPT_LOG:-/dev/null}"
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
echo "\$reason \$new_ip_address t1=\$new_dhcp_renewal_time t2=\$new_dhcp_rebinding_time" >>"$PB_TMP/dhcpcd-script.log"
exit 0
EOF
	chmod +x "$PB_TMP/udhcpc-script" "$PB_TMP/dhcpcd-script"
	# systemd-networkd, in the mount namespace unshare -m gave it.
	cat >"$PB_TMP/networkd.sh" <<EOF
#!/bin/sh
set -e
mount --make-rprivate /
mount --bind /sys /sys
mount -o remount,bind,ro /sys
mount -t tmpfs tmpfs /etc/systemd/network
mkdir -p /run/systemd
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/netif
chown systemd-network:systemd-network /run/systemd/netif
cat >/etc/systemd/network/10-$IF_C5.network <<EON
[Match]
Name=$IF_C5
[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
[DHCPv4]
SendHostname=no
UseDNS=no
UseNTP=no
EON
exec $NETWORKD
EOF
	chmod +x "$PB_TMP/networkd.sh"
	cat >"$PB_TMP/dhcpcd.conf" <<EOF
ipv4only
noipv4ll
noarp
option subnet_mask, routers
EOF
}

# dhclient_conf NAME LINES...: a dhclient.conf for one test.
dhclient_conf() {
	local f=$PB_TMP/$1.dhclient.conf

	shift
	printf '%s\n' "request subnet-mask, routers, time-offset;" "$@" >"$f"
	echo "$f"
}

# dhclient_run NAME CONF: dhclient in c1 in the foreground (pb_bg), with
# the test's own lease, pid and script log files: $PB_TMP/NAME.*.
dhclient_run() {
	local name=$1 conf=$2

	rm -f "$PB_TMP/$name.leases"
	dhclient_script "$name"
	pb_bg ip netns exec "$NS_C1" timeout 100 dhclient -4 -d -v \
	    -cf "$conf" -sf "$PB_TMP/$name.dhclient-script" \
	    -lf "$PB_TMP/$name.leases" -pf "$PB_TMP/$name.pid" "$IF_C1" \
	    >"$PB_TMP/$name.dhclient.out" 2>&1
}

# dhclient_release NAME CONF: dhclient -r, which stops the running one.
dhclient_release() {
	ip netns exec "$NS_C1" timeout 20 dhclient -4 -r -cf "$2" \
	    -sf "$PB_TMP/$1.dhclient-script" -lf "$PB_TMP/$1.leases" \
	    -pf "$PB_TMP/$1.pid" "$IF_C1" >/dev/null 2>&1
}

# lease_opt FILE NAME: the value of "option NAME VALUE;" in the last lease
# of a dhclient lease file.
lease_opt() {
	awk -v o="$2" '/^lease /{ v = "" } $1 == "option" && $2 == o {
	    v = $3; sub(/;$/, "", v) } END { print v }' "$1"
}

# udhcpc_run NAME ARGS...: udhcpc in c2, once (-q: leave after the lease,
# without releasing), its script's environment in $PB_TMP/NAME.env.
udhcpc_run() {
	local name=$1

	shift
	ip netns exec "$NS_C2" timeout 30 env \
	    PB_SCRIPT_LOG="$PB_TMP/$name.env" udhcpc -f -q -i "$IF_C2" \
	    -s "$PB_TMP/udhcpc-script" -t 5 -T 1 -A 1 "$@" \
	    >"$PB_TMP/$name.udhcpc.out" 2>&1
}

# env_of FILE VAR: VAR in the "bound" block of a udhcpc script log.
env_of() {
	awk -v v="$2" '/^== /{ b = ($2 == "bound") } b && index($0, v "=") == 1 {
	    print substr($0, length(v) + 2) }' "$1" | tail -n 1
}

# ---------------------------------------------------------------- captures

# bootp_fields PCAP: "FRAME MSGTYPE SIADDR SRC DST" per DHCP message, from
# the raw UDP payload (siaddr: bytes 20-23 of the BOOTP header).
bootp_fields() {
	local frame src dst h mt si

	tshark -r "$1" -T fields -e frame.number -e ip.src -e ip.dst \
	    -e udp.payload 2>/dev/null |
	while read -r frame src dst h; do
		h=${h//:/}
		mt=$(pb_dhcp_opts "$h" | awk '$1 == 53 { print $2 }')
		si=$(printf '%d.%d.%d.%d' "0x${h:40:2}" "0x${h:42:2}" \
		    "0x${h:44:2}" "0x${h:46:2}")
		echo "$frame ${mt:-00} $si $src $dst"
	done
}

# capture NAME: tshark on the server's bridge into $PB_TMP/NAME.pcap.
capture() {
	pb_capture_start "$NS_SRV" "$BR" "$PB_TMP/$1.pcap" ||
	    die "tshark did not start: $(tail -n 1 "$PB_TMP/$1.pcap.log")"
}

log_after() {
	pb_grep_after "$SRV_LOG" "$1" "$2"
}

# ------------------------------------------------------------------- tests

# RFC 2131 4.4.5, RFC 2132 9.11/9.12: T1 and T2 come from renew_time and
# rebind_time, nearest level wins (T1 from the dhcp group, T2 from the
# subnet): dhclient's lease file and dhcpcd's own timers both show them.
t_t1_t2() {
	local n=t1-t2 conf mark t1 t2 lt

	mark=$(pb_lines "$SRV_LOG")
	conf=$(dhclient_conf "$n")
	dhclient_run "$n" "$conf"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	t1=$(lease_opt "$PB_TMP/$n.leases" dhcp-renewal-time)
	t2=$(lease_opt "$PB_TMP/$n.leases" dhcp-rebinding-time)
	lt=$(lease_opt "$PB_TMP/$n.leases" dhcp-lease-time)
	[ "$lt" = "$LEASE" ] || die "dhclient: lease time '$lt', expected $LEASE"
	[ "$t1" = "$T1_DHCP" ] ||
	    die "dhclient: T1 (option 58) '$t1', expected dhcp.renew_time $T1_DHCP"
	[ "$t2" = "$T2_SUBNET" ] ||
	    die "dhclient: T2 (option 59) '$t2', expected the subnet's rebind_time $T2_SUBNET"
	log_after "$mark" "DHCPACK .* to $MAC_C1 \(other\) .*lease ${LEASE}s" ||
	    die "no 'DHCPACK ... to $MAC_C1 (other) ... lease ${LEASE}s' in the log"
	dhclient_release "$n" "$conf"

	# dhcpcd schedules its renew and rebind from them.
	pb_bg ip netns exec "$NS_C3" timeout 60 dhcpcd -B -d -4 \
	    -f "$PB_TMP/dhcpcd.conf" -c "$PB_TMP/dhcpcd-script" "$IF_C3" \
	    >"$PB_TMP/$n.dhcpcd.out" 2>&1
	pb_wait_for 25 grep -q "leased .* for" "$PB_TMP/$n.dhcpcd.out" ||
	    die "dhcpcd: no lease: $(tail -n 1 "$PB_TMP/$n.dhcpcd.out")"
	pb_wait_for 5 grep -q "renew in $T1_DHCP seconds, rebind in $T2_SUBNET seconds" \
	    "$PB_TMP/$n.dhcpcd.out" ||
	    die "dhcpcd: $(grep -m1 'renew in' "$PB_TMP/$n.dhcpcd.out"), expected renew in $T1_DHCP, rebind in $T2_SUBNET"
	ip netns exec "$NS_C3" timeout 10 dhcpcd -4 -k "$IF_C3" >/dev/null 2>&1
	pb_pass
}

# RFC 2131 4.4.5 and table 3 for systemd-networkd: the lease it keeps
# holds T1 and T2 (dhcp group, subnet) and NEXT_SERVER, the siaddr of the
# ACK (the subnet's next_server).
t_networkd() {
	local out=$PB_TMP/networkd.out lease=$PB_TMP/networkd.lease pid idx v k

	[ -x "$NETWORKD" ] || die "$NETWORKD is missing (package systemd)"
	pb_bg ip netns exec "$NS_C5" unshare -m "$PB_TMP/networkd.sh" \
	    >"$out" 2>&1
	pid=$PB_BG_PID
	pb_wait_for 25 grep -q "DHCPv4 address .* acquired from $SRV_IP" "$out" ||
	    die "networkd: no lease: $(tail -n 1 "$out")"
	idx=$(ip -n "$NS_C5" -o link show dev "$IF_C5" | cut -d: -f1)
	# ip netns exec and unshare exec: the PID is networkd's own.
	nsenter -t "$pid" -m cat "/run/systemd/netif/leases/$idx" >"$lease" ||
	    die "cannot read networkd's lease file"
	for k in T1=$T1_DHCP T2=$T2_SUBNET LIFETIME=$LEASE \
	    NEXT_SERVER=$NEXT_SUBNET; do
		grep -qx "$k" "$lease" || {
			v=$(grep "^${k%%=*}=" "$lease")
			die "networkd's lease: '${v:-no ${k%%=*}}', expected $k"
		}
	done
	pb_pass
}

# RFC 2131 4.4.5 with a vendor class: the class's renew_time and
# rebind_time beat the subnet's and the dhcp group's for a client whose
# Option 60 selects it (dhclient's send vendor-class-identifier).
t_t1_t2_class() {
	local n=t1-t2-class conf mark t1 t2

	mark=$(pb_lines "$SRV_LOG")
	conf=$(dhclient_conf "$n" "send vendor-class-identifier \"$VCLASS\";")
	dhclient_run "$n" "$conf"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	log_after "$mark" "DHCPACK .* to $MAC_C1 \(labphone\) " ||
	    die "Option 60 $VCLASS did not select the labphone class: $(grep DHCPACK "$SRV_LOG" | tail -n 1)"
	t1=$(lease_opt "$PB_TMP/$n.leases" dhcp-renewal-time)
	t2=$(lease_opt "$PB_TMP/$n.leases" dhcp-rebinding-time)
	[ "$t1" = "$T1_CLASS" ] && [ "$t2" = "$T2_CLASS" ] ||
	    die "dhclient: T1 '$t1' T2 '$t2', expected the class's $T1_CLASS and $T2_CLASS"
	grep -q "t1=$T1_CLASS t2=$T2_CLASS" "$PB_TMP/$n.script.log" ||
	    die "dhclient-script did not get T1/T2 $T1_CLASS/$T2_CLASS: $(tail -n 1 "$PB_TMP/$n.script.log")"
	dhclient_release "$n" "$conf"
	pb_pass
}

# RFC 2131 4.4.5: the times configured are sent only while T1 < T2 < the
# lease; a client asking for a 60 s lease (Option 51) gets half and 7/8
# of it, not T1 = 1000 past its lease's end.
t_t1_t2_fallback() {
	local n=t1-t2-fallback conf t1 t2 lt

	conf=$(dhclient_conf "$n" "send dhcp-lease-time 60;")
	dhclient_run "$n" "$conf"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	lt=$(lease_opt "$PB_TMP/$n.leases" dhcp-lease-time)
	t1=$(lease_opt "$PB_TMP/$n.leases" dhcp-renewal-time)
	t2=$(lease_opt "$PB_TMP/$n.leases" dhcp-rebinding-time)
	[ "$lt" = 60 ] || die "lease time '$lt', expected the 60 s asked for"
	[ "$t1" = 30 ] && [ "$t2" = 52 ] ||
	    die "T1 '$t1' T2 '$t2' for a 60 s lease, expected the defaults 30 and 52"
	dhclient_release "$n" "$conf"
	pb_pass
}

# RFC 2131 4.4.5 and 4.4.1: a 10-second lease (min_lease_time 5) is
# granted, and dhclient renews it at T1 (5 s) from the same server,
# unicast, twice before the test ends, keeping its address.
t_short_lease_renew() {
	local n=short-lease conf mark ip

	mark=$(pb_lines "$SRV_LOG")
	conf=$(dhclient_conf "$n" "send dhcp-lease-time 10;")
	dhclient_run "$n" "$conf"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	ip=$(sed -n 's/^bound to \([0-9.]*\) .*/\1/p' "$PB_TMP/$n.dhclient.out" |
	    head -n 1)
	log_after "$mark" "DHCPACK $ip to $MAC_C1 .*lease 10s" ||
	    die "no 'DHCPACK $ip to $MAC_C1 ... lease 10s' in the log"
	[ "$(lease_opt "$PB_TMP/$n.leases" dhcp-renewal-time)" = 5 ] ||
	    die "T1 for a 10 s lease is not 5"
	pb_wait_for 25 eval "[ \$(grep -c '^RENEW ip=$ip ' \
	    '$PB_TMP/$n.script.log') -ge 2 ]" ||
	    die "dhclient did not renew twice within 25 s: $(cut -d' ' -f1 "$PB_TMP/$n.script.log" | tr '\n' ' ')"
	grep -q "DHCPREQUEST for $ip on $IF_C1 to $SRV_IP port 67" \
	    "$PB_TMP/$n.dhclient.out" || die "the renew was not unicast to $SRV_IP"
	[ "$(pb_count_after "$SRV_LOG" "$mark" "DHCPACK $ip to $MAC_C1 .*lease 10s")" -ge 3 ] ||
	    die "fewer than three ACKs (bind and two renews) in the log"
	grep -q "^EXPIRE" "$PB_TMP/$n.script.log" && die "the lease expired"
	dhclient_release "$n" "$conf"
	pb_pass
}

# A lease time below a minute is allowed with a warning at load (the
# issue: "lease times down to a few seconds allowed, with a warning").
t_short_lease_warning() {
	local out=$PB_TMP/check.out want

	want="provbox.conf:9: dhcp.min_lease_time: warning: 5 s is below a minute"
	timeout 20 "$CTL" -c "$CONF" check >"$out" 2>"$out.err" ||
	    die "provboxctl check refused the config: $(tail -n 2 "$out.err")"
	grep -q "$want" "$out.err" ||
	    die "provboxctl check did not warn '$want': $(head -n 2 "$out.err")"
	grep -q "$want" "$SRV_LOG" ||
	    die "the server did not log '$want' when it loaded the config"
	pb_pass
}

# RFC 2131 table 3: siaddr, "IP address of next bootstrap server", in the
# OFFER and the ACK; the subnet's next_server beats the dhcp group's.
# udhcpc hands it to its script as $siaddr; the capture shows both
# messages.
t_siaddr() {
	local n=siaddr got rows

	capture "$n"
	udhcpc_run "$n" || die "udhcpc: $(tail -n 1 "$PB_TMP/$n.udhcpc.out")"
	pb_capture_stop
	got=$(env_of "$PB_TMP/$n.env" siaddr)
	[ "$got" = "$NEXT_SUBNET" ] ||
	    die "udhcpc's \$siaddr is '$got', expected the subnet's next_server $NEXT_SUBNET"
	rows=$(bootp_fields "$PB_TMP/$n.pcap")
	grep -q "^[0-9]* 02 $NEXT_SUBNET " <<<"$rows" ||
	    die "no OFFER with siaddr $NEXT_SUBNET: $(grep ' 02 ' <<<"$rows" | head -n 1)"
	grep -q "^[0-9]* 05 $NEXT_SUBNET " <<<"$rows" ||
	    die "no ACK with siaddr $NEXT_SUBNET: $(grep ' 05 ' <<<"$rows" | head -n 1)"
	grep -E "^[0-9]+ 0[25] " <<<"$rows" | grep -qv " $NEXT_SUBNET " &&
	    die "an OFFER or ACK with another siaddr: $(grep -E '^[0-9]+ 0[25] ' <<<"$rows" | grep -v " $NEXT_SUBNET " | head -n 1)"
	pb_pass
}

# RFC 2131 table 3 with a vendor class: its next_server beats the
# subnet's for a client whose Option 60 selects it (udhcpc -V).
t_siaddr_class() {
	local n=siaddr-class mark got

	mark=$(pb_lines "$SRV_LOG")
	udhcpc_run "$n" -V "$VCLASS" ||
	    die "udhcpc: $(tail -n 1 "$PB_TMP/$n.udhcpc.out")"
	log_after "$mark" "DHCPACK .* to $MAC_C2 \(labphone\) " ||
	    die "Option 60 $VCLASS did not select the labphone class"
	got=$(env_of "$PB_TMP/$n.env" siaddr)
	[ "$got" = "$NEXT_CLASS" ] ||
	    die "udhcpc's \$siaddr is '$got', expected the class's next_server $NEXT_CLASS"
	pb_pass
}

# RFC 2131 table 3: the DHCPACK to an INFORM carries siaddr too; RFC
# 2131 4.3.5: but no lease time, hence no T1 or T2 (dhcping -i sends the
# INFORM from 10.42.0.30).
t_siaddr_inform() {
	local n=siaddr-inform out=$PB_TMP/siaddr-inform.out row opts c

	capture "$n"
	ip netns exec "$NS_C4" timeout 20 dhcping -i -c "$C4_IP" -s "$SRV_IP" \
	    -h "$MAC_C4" -t 5 >"$out" 2>&1 ||
	    die "dhcping: $(tail -n 1 "$out")"
	pb_capture_stop
	grep -q "Got answer from: $SRV_IP" "$out" ||
	    die "dhcping got no answer: $(tail -n 1 "$out")"
	row=$(bootp_fields "$PB_TMP/$n.pcap" | awk '$2 == "05"' | head -n 1)
	[ -n "$row" ] || die "no DHCPACK in the capture"
	[ "$(awk '{ print $3 }' <<<"$row")" = "$NEXT_SUBNET" ] ||
	    die "the ACK to the INFORM has siaddr $(awk '{ print $3 }' <<<"$row"), expected $NEXT_SUBNET"
	opts=$(pb_capture_options "$PB_TMP/$n.pcap" | awk '$4 == "05" { print $6 }' |
	    tr '\n' ' ')
	for c in 51 58 59; do
		[[ " $opts" == *" $c "* ]] &&
		    die "the ACK to the INFORM carries option $c (options: $opts)"
	done
	pb_pass
}

# RFC 2131 table 3: siaddr is 0 in a DHCPNAK (an INIT-REBOOT for an
# address of another network, answered by the authoritative server).
t_siaddr_nak() {
	local n=siaddr-nak o=$PB_TMP/siaddr-nak.probe row

	capture "$n"
	ip netns exec "$NS_C4" timeout 30 "$PROBE" -i "$IF_C4" \
	    -m 02:00:00:bb:01:01 reboot 10.99.0.5 >"$o" 2>&1
	pb_capture_stop
	[ "$(pb_kv type "$o")" = NAK ] ||
	    die "INIT-REBOOT for 10.99.0.5: type=$(pb_kv type "$o"), expected NAK"
	row=$(bootp_fields "$PB_TMP/$n.pcap" | awk '$2 == "06"' | head -n 1)
	[ -n "$row" ] || die "no DHCPNAK in the capture"
	[ "$(awk '{ print $3 }' <<<"$row")" = 0.0.0.0 ] ||
	    die "the NAK has siaddr $(awk '{ print $3 }' <<<"$row"), expected 0.0.0.0"
	pb_pass
}

# RFC 2131 table 3 (OFFER: T1, T2 MAY): nmap's broadcast-dhcp-discover,
# a DISCOVER that never REQUESTs, reads T1 and T2 from the OFFER itself.
t_nmap_offer() {
	local out=$PB_TMP/nmap.out

	ip netns exec "$NS_C4" timeout 60 nmap -n -e "$IF_C4" \
	    --script broadcast-dhcp-discover \
	    --script-args broadcast-dhcp-discover.timeout=5 >"$out" 2>&1 ||
	    die "nmap failed: $(tail -n 2 "$out" | head -n 1)"
	grep -q "DHCP Message Type: DHCPOFFER" "$out" ||
	    die "nmap saw no OFFER: $(grep -m1 -i dhcp "$out")"
	# 1000 s and 2500 s, as nmap writes durations.
	grep -q "Renewal Time Value: 16m40s" "$out" ||
	    die "nmap: $(grep -m1 'Renewal' "$out" || echo 'no Renewal Time Value'), expected 16m40s ($T1_DHCP s)"
	grep -q "Rebinding Time Value: 41m40s" "$out" ||
	    die "nmap: $(grep -m1 'Rebinding' "$out" || echo 'no Rebinding Time Value'), expected 41m40s ($T2_SUBNET s)"
	pb_pass
}

# RFC 2132 3.4: Option 2 is a signed offset from UTC, in two's
# complement; -18000 written by name (time-offset) reaches dhclient (lease
# file, script) as -18000, and the ACK on the wire holds ff ff b9 b0.
# (udhcpc 1.35 and nmap 7.93 print Option 2 as unsigned, 4294949296:
# they cannot show a negative offset, so the capture stands in for them.)
t_time_offset() {
	local n=time-offset conf v

	capture "$n"
	conf=$(dhclient_conf "$n")
	dhclient_run "$n" "$conf"
	pb_wait_for 20 grep -q "^bound to " "$PB_TMP/$n.dhclient.out" ||
	    die "dhclient: no lease: $(tail -n 1 "$PB_TMP/$n.dhclient.out")"
	pb_capture_stop
	v=$(lease_opt "$PB_TMP/$n.leases" time-offset)
	[ "$v" = "$OFFSET" ] || die "dhclient's lease file: time-offset '$v', expected $OFFSET"
	grep -q "offset=$OFFSET\$" "$PB_TMP/$n.script.log" ||
	    die "dhclient-script: \$new_time_offset is not $OFFSET: $(tail -n 1 "$PB_TMP/$n.script.log")"
	v=$(pb_capture_options "$PB_TMP/$n.pcap" |
	    awk '$4 == "05" && $6 == 2 { print $7 }' | sort -u)
	[ "$v" = ffffb9b0 ] || die "Option 2 in the ACK is '$v', expected ffffb9b0"
	dhclient_release "$n" "$conf"
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
	    "$PB_TMP"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_config
write_client_scripts
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/dhcpd-t.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/dhcpd-t.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi

pb_run t1-t2-renew-rebind 90 t_t1_t2
pb_run t1-t2-next-server-networkd 60 t_networkd
pb_run t1-t2-vendor-class 60 t_t1_t2_class
pb_run t1-t2-default-when-lease-shorter 60 t_t1_t2_fallback
pb_run short-lease-renews 60 t_short_lease_renew
pb_run short-lease-warning 30 t_short_lease_warning
pb_run siaddr-next-server 60 t_siaddr
pb_run siaddr-vendor-class 60 t_siaddr_class
pb_run siaddr-inform 60 t_siaddr_inform
pb_run siaddr-zero-in-nak 60 t_siaddr_nak
pb_run t1-t2-in-offer-nmap 90 t_nmap_offer
pb_run time-offset-negative 60 t_time_offset
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
pb_finish
