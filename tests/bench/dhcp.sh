#!/usr/bin/env bash
# dhcp.sh - DHCPv4 rate: provbox-dhcpd against Kea, ISC dhcpd and dnsmasq.
#
#   sudo tests/bench/dhcp.sh [--smoke] [--runs N] [--build DIR]
#       [--servers "provbox kea isc dnsmasq"] [--conflict]
#
# Network (created here, removed at the end, also on failure or Ctrl-C):
#
#   pbb<PID>-cli: perfdhcp, pbb<PID>c 10.40.0.2/16 --- pbb<PID>s 10.40.0.1/16:
#                 a relay (giaddr)                      pbb<PID>-srv, one server
#
# provbox-dhcpd runs with dhcp.conflict_check = false, as the others run
# with their pings off (ISC ping-check false, dnsmasq --no-ping; Kea has
# none). --conflict (or PB_BENCH_CONFLICT=1) adds the row
# "provbox-probing": the same server with conflict_check on (an ICMP
# echo to every new address, 500 ms timeout), for the cost of it.
#
# perfdhcp (kea-admin) acts as a relay: it sends from port 67 with giaddr
# 10.40.0.2 and takes unicast replies there. Every server has the same
# subnet 10.40.0.0/16, the same 50,000-address pool (10.40.1.0 -
# 10.40.196.79), 3,600 s leases and a fresh, empty lease store for every
# step. perfdhcp runs on core 0, the server on core 1 (taskset).
#
# For each server, the offered rate (perfdhcp -r) steps up through RATES
# until the share of DORAs that do not complete reaches 1 % (in full mode
# twice in a row at that rate: one stall of the disk or of the machine
# does not end the search), then one step halfway between the last good
# rate and the first bad one. Reported at the
# highest good rate: the rate perfdhcp achieved, mean latency (DISCOVER-
# OFFER plus REQUEST-ACK averages), the worst REQUEST-ACK delay, server CPU
# (utime + stime from /proc/PID/stat over the step) as % of one core and
# as microseconds per completed DORA. perfdhcp 2.2 prints no percentiles:
# the max is given instead of a p99.
#
# Full mode: N (3) searches per server, medians and (min–max). --smoke:
# one short search over two low rates, to prove the harness works.
# Results are Markdown rows on stdout; notes go to stderr.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_PART=dhcp
. "$here/benchlib.sh"

SMOKE=''
RUNS=3
BUILD=${PB_BENCH_BUILD:-$here/../../build-bench}
SERVERS="provbox kea isc dnsmasq"
CONFLICT=${PB_BENCH_CONFLICT:-}
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1 ;;
	--runs) RUNS=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--servers) SERVERS=$2; shift ;;
	--conflict) CONFLICT=1 ;;
	*) echo "usage: dhcp.sh [--smoke] [--runs N] [--build DIR] [--servers LIST] [--conflict]" >&2
	   exit 2 ;;
	esac
	shift
done
# --conflict: provbox-dhcpd again with conflict_check on, right after it.
if [ -n "$CONFLICT" ] && [[ " $SERVERS " != *" provbox-probing "* ]]; then
	if [[ " $SERVERS " == *" provbox "* ]]; then
		with=''
		for s in $SERVERS; do
			with+="$s "
			[ "$s" = provbox ] && with+="provbox-probing "
		done
		SERVERS=${with% }
	else
		SERVERS="provbox-probing $SERVERS"
	fi
fi
if [ -n "$SMOKE" ]; then
	RUNS=1
	RATES=${PB_BENCH_RATES:-"200 500"}
	PERIOD=${PB_BENCH_PERIOD:-2}
	REFINE=''
else
	RATES=${PB_BENCH_RATES:-"250 500 1000 2000 3000 4000 5000 6000 7000 8000 10000"}
	PERIOD=${PB_BENCH_PERIOD:-6}
	REFINE=1
fi
DHCPD=$BUILD/provbox-dhcpd
[ -x "$DHCPD" ] || { echo "dhcp: $DHCPD missing (build first)" >&2; exit 1; }

bench_init pbb
bench_install kea-admin kea-dhcp4-server isc-dhcp-server dnsmasq ||
    bench_die "apt-get install failed: $(tail -n 2 "$BENCH_TMP/apt.out")"
for t in perfdhcp kea-dhcp4 dhcpd dnsmasq taskset ss; do
	command -v "$t" >/dev/null || bench_die "$t is missing"
done

T=$BENCH_TAG
NS_SRV=$T-srv
NS_CLI=$T-cli
IF_SRV=${T}s
IF_CLI=${T}c
SRV_IP=10.40.0.1
CLI_IP=10.40.0.2
POOL_LO=10.40.1.0
POOL_HI=10.40.196.79	# 50,000 addresses
# Fewer clients than addresses: a long step wraps around to clients that
# renew their own lease, it never exhausts the pool.
CLIENTS=40000
TICK=$(getconf CLK_TCK)
CPU_CLI=0
CPU_SRV=1
[ "$(nproc)" -lt 2 ] && CPU_SRV=0

setup_network() {
	bench_ns_add "$NS_SRV" && bench_ns_add "$NS_CLI" || return 1
	ip -n "$NS_SRV" link add "$IF_SRV" type veth peer name "$IF_CLI" \
	    netns "$NS_CLI" || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/16" dev "$IF_SRV" &&
	    ip -n "$NS_CLI" addr add "$CLI_IP/16" dev "$IF_CLI" &&
	    ip -n "$NS_SRV" link set "$IF_SRV" up &&
	    ip -n "$NS_CLI" link set "$IF_CLI" up
}

# ------------------------------------------------------------- servers

# conf_SERVER DIR: writes that server's config into DIR (empty leases).
# conf_provbox DIR [CONFLICT_CHECK]: false unless told (the peers do not
# probe either).
conf_provbox() {
	# The shipped classes and the templates they name (read at load).
	cp "$here/../../etc/vendors.conf" "$1/vendors.conf" &&
	    cp -r "$here/../../etc/templates" "$1/" || return 1
	cat >"$1/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice";
    sip = { user = "201"; password = "alice-sip-secret"; server = "10.40.0.1"; };
    devices = ( { mac = "80:5e:c0:10:00:01"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
	chmod 600 "$1/users.conf"
	# sync = true: every lease is fsynced before its ACK leaves.
	cat >"$1/provbox.conf" <<EOF
registry = { path = "$1/registry"; map_size_mb = 512; sync = true; };
log = { level = "warning"; };
run_dir = "$1/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  conflict_check = ${2:-false};
  # perfdhcp is one relay with 40,000 new clients: the admission limits
  # for unknown clients (per relay 500 in 10 s by default) and the
  # registered devices' reserve would measure themselves. The peers have
  # neither.
  limits = { per_mac = 0; per_relay = 0; per_interface = 0; };
  reserve = 0;
  subnets = (
    { subnet = "10.40.0.0/16";
      pools = ( { start = "$POOL_LO"; end = "$POOL_HI"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  base_url = "https://$SRV_IP";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
}

conf_provbox-probing() {
	conf_provbox "$1" true
}

conf_kea() {
	cat >"$1/kea.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$IF_SRV" ],
                           "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true,
                        "name": "$1/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "10.40.0.0/16",
                   "pools": [ { "pool": "$POOL_LO - $POOL_HI" } ],
                   "option-data": [ { "name": "routers", "data": "$SRV_IP" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "output_options": [ { "output": "stdout" } ] } ]
} }
EOF
}

conf_isc() {
	: >"$1/dhcpd.leases"
	cat >"$1/dhcpd.conf" <<EOF
ddns-update-style none;
authoritative;
default-lease-time 3600;
max-lease-time 3600;
ping-check false;
subnet 10.40.0.0 netmask 255.255.0.0 {
  range $POOL_LO $POOL_HI;
  option routers $SRV_IP;
}
EOF
}

conf_dnsmasq() {
	:
}

# cmd_SERVER DIR: the server's command line, in the foreground.
cmd_provbox() {
	echo "$DHCPD" -f -c "$1/provbox.conf"
}
cmd_provbox-probing() {
	cmd_provbox "$@"
}
cmd_kea() {
	echo kea-dhcp4 -c "$1/kea.json"
}
cmd_isc() {
	echo dhcpd -4 -f -q -cf "$1/dhcpd.conf" -lf "$1/dhcpd.leases" \
	    -pf "$1/dhcpd.pid" "$IF_SRV"
}
cmd_dnsmasq() {
	echo dnsmasq -k -C /dev/null --port=0 --user=root \
	    --pid-file="$1/dnsmasq.pid" --dhcp-leasefile="$1/dnsmasq.leases" \
	    --dhcp-range="$POOL_LO,$POOL_HI,255.255.0.0,3600" \
	    --dhcp-lease-max=60000 --no-ping --dhcp-authoritative \
	    --quiet-dhcp --interface="$IF_SRV"
}

# The table's name for each server, with what was changed from its default.
label() {
	case $1 in
	provbox) echo "provbox-dhcpd (LMDB, fsync before ACK, conflict_check off)" ;;
	provbox-probing) echo "provbox-dhcpd (LMDB, fsync before ACK, conflict_check on: ICMP probe, 500 ms)" ;;
	kea) echo "Kea $(kea-dhcp4 -v 2>/dev/null) (memfile, persist, no fsync)" ;;
	isc) echo "ISC dhcpd $(dhcpd --version 2>&1 | sed -n 's/^isc-dhcpd-//p') (ping-check off)" ;;
	dnsmasq) echo "dnsmasq $(dnsmasq -v | sed -n '1s/^Dnsmasq version \([^ ]*\).*/\1/p') (--no-ping)" ;;
	esac
}

port67_bound() {
	ip netns exec "$NS_SRV" ss -ulnH 'sport = :67' 2>/dev/null | grep -q .
}

# srv_start SERVER DIR: SRV_PID, once it listens on port 67.
srv_start() {
	local s=$1 d=$2 cmd

	mkdir -p "$d" && chmod 700 "$d"
	"conf_$s" "$d" || return 1
	read -r -a cmd <<<"$("cmd_$s" "$d")"
	KEA_PIDFILE_DIR=$d KEA_LOCKFILE_DIR=$d \
	    ip netns exec "$NS_SRV" taskset -c "$CPU_SRV" "${cmd[@]}" \
	    >"$d/server.log" 2>&1 &
	SRV_PID=$!
	bench_track "$SRV_PID"
	bench_wait_for 30 port67_bound && bench_alive "$SRV_PID" || {
		bench_note "$s did not start: $(tail -n 3 "$d/server.log")"
		return 1
	}
	# Kea and dnsmasq bind before the last of their start-up.
	sleep 0.3
}

# ---------------------------------------------------------------- steps

# rcvbuf_errors: UDP datagrams the server namespace's kernel dropped for a
# full socket receive buffer (the server was not reading fast enough).
rcvbuf_errors() {
	ip netns exec "$NS_SRV" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $6 }' \
	    /proc/net/snmp
}

# step SERVER RATE DIR: one fresh server, one perfdhcp run at RATE.
# Prints "ok|bad achieved_rate latency_ms max_ms cpu_pct us_per_dora drop_pct
# rcvbuf-drops=N" or returns 1.
step() {
	local s=$1 rate=$2 d=$3 c0 c1 t0 t1 e0 e1 out=$3/perfdhcp.out
	local sent ack do_avg ra_avg ra_max achieved

	srv_start "$s" "$d" || return 1
	e0=$(rcvbuf_errors)
	c0=$(bench_cpu_ticks "$SRV_PID")
	t0=$(date +%s%N)
	# -d 2: an answer slower than 2 s is a drop; -W: wait 0.5 s for the
	# last answers before counting.
	ip netns exec "$NS_CLI" taskset -c "$CPU_CLI" timeout $((PERIOD + 30)) \
	    perfdhcp -4 -l "$CLI_IP" -r "$rate" -R "$CLIENTS" \
	    -b mac=02:00:00:00:00:00 -p "$PERIOD" -d 2 -W 500000 \
	    "$SRV_IP" >"$out" 2>&1
	t1=$(date +%s%N)
	c1=$(bench_cpu_ticks "$SRV_PID")
	e1=$(rcvbuf_errors)
	bench_stop "$SRV_PID"
	rm -rf "$d/registry" "$d"/*.csv* "$d"/*.leases*
	# The two "Statistics for" blocks: DISCOVER-OFFER, then REQUEST-ACK.
	read -r sent ack do_avg ra_avg ra_max achieved < <(awk '
	    /^Rate:/ { rate = $2 }
	    /^\*\*\*Statistics for: DISCOVER-OFFER/ { b = 1 }
	    /^\*\*\*Statistics for: REQUEST-ACK/ { b = 2 }
	    /^sent packets:/ { sent[b] = $3 }
	    /^received packets:/ { recv[b] = $3 }
	    /^avg delay:/ { avg[b] = $3 }
	    /^max delay:/ { max[b] = $3 }
	    END { printf "%d %d %s %s %s %s\n", sent[1], recv[2],
		  avg[1] == "" ? 0 : avg[1], avg[2] == "" ? 0 : avg[2],
		  max[2] == "" ? 0 : max[2], rate == "" ? 0 : rate }' "$out")
	if [ "${sent:-0}" -eq 0 ]; then
		bench_note "$s at $rate/s: perfdhcp sent nothing: $(tail -n 2 "$out")"
		return 1
	fi
	awk -v sent="$sent" -v ack="$ack" -v doa="$do_avg" -v raa="$ra_avg" \
	    -v ram="$ra_max" -v ach="$achieved" -v ticks=$((c1 - c0)) \
	    -v tick="$TICK" -v ns=$((t1 - t0)) -v rcvbuf=$((e1 - e0)) 'BEGIN {
		drop = 100 * (sent - ack) / sent
		cpu_s = ticks / tick
		printf "%s %.0f %.2f %.1f %.0f %.0f %.2f rcvbuf-drops=%d\n",
		    (drop < 1 ? "ok" : "bad"), ach, doa + raa, ram,
		    100 * cpu_s / (ns / 1e9),
		    (ack > 0 ? cpu_s * 1e6 / ack : 0), drop, rcvbuf }'
}

# search SERVER RUN: the highest good step, as step's line without its
# first word, or "0 - - - - -" when even the lowest rate lost > 1 %.
search() {
	local s=$1 run=$2 r res good='' lo=0 hi=0 mid

	for r in $RATES; do
		res=$(step "$s" "$r" "$BENCH_TMP/$s") || return 1
		bench_note "$s run $run: -r $r: $res"
		# A step lost to a passing stall (the disk, other work on the
		# machine) must not end the search: a bad step is tried again.
		if [ "${res%% *}" != ok ] && [ -n "$REFINE" ]; then
			res=$(step "$s" "$r" "$BENCH_TMP/$s") || return 1
			bench_note "$s run $run: -r $r again: $res"
		fi
		if [ "${res%% *}" = ok ]; then
			good=${res#ok }
			lo=$r
		else
			hi=$r
			break
		fi
	done
	if [ -n "$REFINE" ] && [ "$hi" -gt 0 ] && [ "$lo" -gt 0 ]; then
		mid=$(((lo + hi) / 2))
		res=$(step "$s" "$mid" "$BENCH_TMP/$s") || return 1
		bench_note "$s run $run: -r $mid: $res"
		[ "${res%% *}" = ok ] && good=${res#ok }
	fi
	echo "${good:-0 - - - - -}"
}

# column_cell ARRAY_NAME: "median (min–max)" of the array's values, "-"
# when it has none.
column_cell() {
	local -n vals=$1
	local med mn mx

	if [ ${#vals[@]} -eq 0 ]; then
		printf -- '-'
	else
		read -r med mn mx <<<"$(bench_stats "${vals[@]}")"
		bench_cell "$med" "$mn" "$mx" ${#vals[@]}
	fi
}

setup_network || bench_die "cannot build the network"

echo "| DHCP server | DORA/s, < 1 % lost | mean latency ms | max REQUEST-ACK ms | server CPU % | server CPU µs/DORA |"
echo "|---|---|---|---|---|---|"
for s in $SERVERS; do
	rates=() lats=() maxs=() cpus=() uss=()
	for ((run = 1; run <= RUNS; run++)); do
		res=$(search "$s" "$run") || bench_die "$s: a step failed"
		read -r a l m c u _ <<<"$res"
		rates+=("$a")
		if [ "$l" != - ]; then
			lats+=("$l") maxs+=("$m") cpus+=("$c") uss+=("$u")
		fi
	done
	row="| $(label "$s") "
	for v in rates lats maxs cpus uss; do
		row+="| $(column_cell "$v") "
	done
	echo "$row|"
done
