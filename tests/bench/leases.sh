#!/usr/bin/env bash
# leases.sh - lease-store scale: restart time and RSS of provbox-dhcpd and
# of Kea (memfile) with 10k, 100k and 1M leases in their stores.
#
#   sudo tests/bench/leases.sh [--smoke] [--runs N] [--build DIR]
#       [--sizes "10000 100000 1000000"]
#
# Both servers run in a namespace made here, pbl<PID>-srv, on an
# interface pbl<PID>d (10.64.0.1/11, a veth whose peer pbl<PID>e is in the
# same namespace); nothing is sent. Subnet 10.64.0.0/11,
# pool 10.64.1.0 - 10.80.0.255 (1,048,576 addresses), for both.
#
# The stores are filled directly, not by DORA: provbox's registry with
# tests/bench/pbfill.c (the registry API: the records and indexes
# provbox-dhcpd itself writes, one transaction per 10,000 leases), Kea's
# memfile CSV with awk (the format Kea 2.2 writes). Every lease is bound,
# for 3,600 s from now, for its own MAC.
#
# Restart time: from the exec of the server to its "started" log line
# (provbox-dhcpd "provbox-dhcpd started", Kea DHCP4_STARTED: both after
# the leases are loaded and the sockets open). RSS: VmRSS right then. The
# page cache holds the store (it was just written): these are warm
# restarts, as after a crash or an upgrade, not a cold boot.
#
# Full mode: N (3) starts per store, medians and (min–max). --smoke: one
# start of each with 10k leases. Results are Markdown rows on stdout.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_PART=leases
. "$here/benchlib.sh"

SMOKE=''
RUNS=3
BUILD=${PB_BENCH_BUILD:-$here/../../build-bench}
SIZES="10000 100000 1000000"
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1 ;;
	--runs) RUNS=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--sizes) SIZES=$2; shift ;;
	*) echo "usage: leases.sh [--smoke] [--runs N] [--build DIR] [--sizes LIST]" >&2
	   exit 2 ;;
	esac
	shift
done
if [ -n "$SMOKE" ]; then
	RUNS=1
	SIZES=10000
fi
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=$here/../../build-bench
DHCPD=$BUILD/provbox-dhcpd
LIBPB=$BUILD/common/.libs/libprovbox.a
for f in "$DHCPD" "$LIBPB"; do
	[ -e "$f" ] || { echo "leases: $f missing (build first)" >&2; exit 1; }
done

bench_init pbl
bench_install kea-dhcp4-server ||
    bench_die "apt-get install failed: $(tail -n 2 "$BENCH_TMP/apt.out")"
command -v kea-dhcp4 >/dev/null || bench_die "kea-dhcp4 is missing"

NS=$BENCH_TAG-srv
IF=${BENCH_TAG}d
FIRST=10.64.1.0
MAP_MB=2048

# pbfill, with the libraries the project's build links libprovbox with.
FILL=$BENCH_TMP/pbfill
libs=$(sed -n 's/^\(LIBCONFIG_LIBS\|LMDB_LIBS\|OPENSSL_LIBS\|SECCOMP_LIBS\|LIBSYSTEMD_LIBS\) = //p' \
    "$BUILD/Makefile" | tr '\n' ' ')
# shellcheck disable=SC2086 # the library flags are words
${CC:-cc} -O2 -Wall -I"$here/../../common" -I"$BUILD" -D_GNU_SOURCE \
    -o "$FILL" "$here/pbfill.c" "$LIBPB" $libs 2>"$BENCH_TMP/cc.out" ||
    bench_die "cannot build pbfill: $(head -n 3 "$BENCH_TMP/cc.out")"

bench_ns_add "$NS" || bench_die "cannot make the namespace"
# A veth pair with both ends in the namespace (no dummy driver in some
# containers): an interface with an address in the subnet, and no peer.
ip -n "$NS" link add "$IF" type veth peer name "${BENCH_TAG}e" &&
    ip -n "$NS" addr add 10.64.0.1/11 dev "$IF" &&
    ip -n "$NS" link set "$IF" up &&
    ip -n "$NS" link set "${BENCH_TAG}e" up || bench_die "cannot make $IF"

# ------------------------------------------------------------ the stores

# fill_provbox DIR N
fill_provbox() {
	local d=$1

	mkdir -p "$d" && chmod 700 "$d"
	# The shipped classes and the templates they name (read at load).
	cp "$here/../../etc/vendors.conf" "$d/vendors.conf" &&
	    cp -r "$here/../../etc/templates" "$d/" || return 1
	echo 'users = ( );' >"$d/users.conf"
	chmod 600 "$d/users.conf"
	cat >"$d/provbox.conf" <<EOF
registry = { path = "$d/registry"; map_size_mb = $MAP_MB; sync = true; };
log = { level = "info"; };
run_dir = "$d/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  subnets = (
    { subnet = "10.64.0.0/11";
      pools = ( { start = "$FIRST"; end = "10.80.0.255"; } );
      routers = [ "10.64.0.1" ]; }
  );
};
provisioning = {
  base_url = "https://10.64.0.1";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
	"$FILL" "$d/registry" "$MAP_MB" "$FIRST" "$2" 02:00:00:00:00:00
}

# fill_kea DIR N: Kea 2.2's memfile CSV (schema 2.1), the same leases.
fill_kea() {
	local d=$1

	mkdir -p "$d"
	cat >"$d/kea.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$IF" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true,
                        "name": "$d/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "10.64.0.0/11",
                   "pools": [ { "pool": "$FIRST - 10.80.0.255" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
                   "output_options": [ { "output": "stdout" } ] } ]
} }
EOF
	awk -v n="$2" -v now="$(date +%s)" 'BEGIN {
		print "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
		base = 10 * 16777216 + 64 * 65536 + 1 * 256
		for (i = 0; i < n; i++) {
			a = base + i
			printf "%d.%d.%d.%d,02:00:00:%02x:%02x:%02x,,3600,%d,1,0,0,,0,\n",
			    int(a / 16777216), int(a / 65536) % 256,
			    int(a / 256) % 256, a % 256,
			    int(i / 65536) % 256, int(i / 256) % 256, i % 256,
			    now + 3600
		}
	}' >"$d/kea-leases4.csv"
}

# ------------------------------------------------------------ restarts

# start_once NAME DIR READY_RE COMMAND...: "SECONDS RSS_KiB" of one start.
start_once() {
	local name=$1 d=$2 re=$3 pid t0 t1 rss log

	shift 3
	log=$d/$name.log
	: >"$log"
	t0=$(date +%s%N)
	KEA_PIDFILE_DIR=$d KEA_LOCKFILE_DIR=$d \
	    ip netns exec "$NS" "$@" >"$log" 2>&1 &
	pid=$!
	bench_track "$pid"
	if ! bench_wait_for 300 grep -qE "$re" "$log"; then
		bench_note "$name did not start: $(tail -n 3 "$log")"
		bench_stop "$pid"
		return 1
	fi
	t1=$(date +%s%N)
	rss=$(bench_rss_kb "$pid")
	bench_stop "$pid"
	echo "$(((t1 - t0) / 1000000)) ${rss:-0}"
}

cell() {
	local med mn mx

	read -r med mn mx <<<"$(bench_stats "$@")"
	bench_cell "$med" "$mn" "$mx" $#
}

ms_s() {
	awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'
}

echo "| leases in the store | provbox-dhcpd restart s | Kea memfile restart s | provbox RSS MiB | Kea RSS MiB |"
echo "|---|---|---|---|---|"
for n in $SIZES; do
	pd=$BENCH_TMP/provbox-$n
	kd=$BENCH_TMP/kea-$n
	fill_provbox "$pd" "$n" || bench_die "pbfill $n failed"
	fill_kea "$kd" "$n" || bench_die "Kea CSV $n failed"
	pt=() pr=() kt=() kr=()
	for ((run = 1; run <= RUNS; run++)); do
		read -r t r < <(start_once provbox "$pd" "provbox-dhcpd started" \
		    "$DHCPD" -f -c "$pd/provbox.conf") ||
		    bench_die "provbox-dhcpd with $n leases did not start"
		bench_note "$n leases, run $run: provbox ${t} ms, RSS ${r} KiB"
		pt+=("$(ms_s "$t")") pr+=($((r / 1024)))
		read -r t r < <(start_once kea "$kd" "DHCP4_STARTED" \
		    kea-dhcp4 -c "$kd/kea.json") ||
		    bench_die "kea-dhcp4 with $n leases did not start"
		bench_note "$n leases, run $run: Kea ${t} ms, RSS ${r} KiB"
		kt+=("$(ms_s "$t")") kr+=($((r / 1024)))
	done
	# Both must have loaded every lease: provbox says how many pool
	# addresses are in use when it stops; Kea logs a row it refuses.
	used=$(sed -n 's/.*pool addresses used \([0-9]*\) .*/\1/p' \
	    "$pd/provbox.log" | tail -n 1)
	[ "${used:-0}" -eq "$n" ] ||
	    bench_die "provbox-dhcpd sees ${used:-no} leases in use, not $n"
	! grep -q 'ROW_ERROR\|ERROR' "$kd/kea.log" ||
	    bench_die "Kea refused leases: $(grep -m 1 ERROR "$kd/kea.log")"
	echo "| $n | $(cell "${pt[@]}") | $(cell "${kt[@]}") | $(cell "${pr[@]}") | $(cell "${kr[@]}") |"
	[ -n "${PB_KEEP:-}" ] || rm -rf "$pd" "$kd"
done
