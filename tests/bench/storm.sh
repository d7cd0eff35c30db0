#!/usr/bin/env bash
# storm.sh - boot storm: PHONES emulated phones boot at once, as after a
# power cut: DHCP (DISCOVER, OFFER, REQUEST, ACK), then each fetches its
# two files over HTTPS from its leased address.
#
#   sudo bash tests/bench/storm.sh [--smoke] [BUILD_DIR]
#
# BUILD_DIR: $PB_BENCH_BUILD, else build-bench2 next to the sources
# (configured -O2 without sanitizers and made here).
#
# The phones are tests/phones.sh's vendors (snom, Yealink, Polycom, Cisco,
# Grandstream, Fanvil, Gigaset, Aastra): PHONES/8 of each, MACs counting
# up in the vendor's OUI, the vendor's Option 60 and Option 55, each a
# user of its own in users.conf. The config is the shipped one
# (provbox.conf, vendors.conf, templates) with the registry and run_dir in
# the temporary directory, the subnet widened to a /21 and the guard
# relaxed; registry.sync stays true (every lease on disk before its ACK).
#
# Network: pbh<PID>-srv holds bridge pbh<PID>br (10.42.0.1/21) and both
# daemons (pinned to CPU 0); one namespace per vendor, pbh<PID>-<vendor>,
# with one veth onto the bridge, created inside the namespaces. The
# phones are one process on CPU 1, tests/bench/pbstorm.c (built here):
# at time 0 it starts one pbprobe -n per vendor in the vendor's namespace
# (each sends its DISCOVERs at once); as each "ack MAC IP" line comes, it
# puts the address on the vendor's interface (rtnetlink), connects from
# that address, does a full TLS handshake trusting the bench CA and
# fetches with the vendor's User-Agent the common file then the phone's
# own file (only the own file for Gigaset, which fetches one) on that one
# connection (keep-alive); every phone's connection is in its one epoll
# loop. A phone is provisioned when every answer is 200 with a body of
# its Content-Length.
#
# Reported per run: the time from time 0 until the last phone is
# provisioned, p50 and p99 of the per-phone time (time 0, its DISCOVER, to
# its last file), when the last pbprobe ended (every phone ACKed), the
# p50/p99 of its ACK alone and of ACK to last file (the HTTPS part),
# errors (no ACK, a status other than 200, a failed or timed-out fetch),
# the CPU time the two daemons used and the emulator's (pbstorm and the
# pbprobes). Each run starts from the registry as synced (no leases) with
# both daemons restarted. Full mode: RUNS runs (3), median and min-max.
# --smoke: 40 phones, one run; exit 0 when all were provisioned.
# PB_STORM_DEADLINE (ms, 90000): pbstorm's limit for a whole storm;
# PB_STORM_CONN_MS (30000): for one phone, from its ACK to its last byte.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/https-lib.sh"
. "$BH_TOP/tests/phones.sh"

smoke=0
build=
for a in "$@"; do
	case $a in
	--smoke) smoke=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) bh_log "usage: $0 [--smoke] [BUILD_DIR]"; exit 2 ;;
	*) build=$a ;;
	esac
done
if [ "$smoke" -eq 1 ]; then
	PHONES=${PB_STORM_PHONES:-40} RUNS=1
else
	PHONES=${PB_STORM_PHONES:-1000} RUNS=${PB_BENCH_RUNS:-3}
fi
PER=$(((PHONES + 7) / 8))
PHONES=$((PER * 8))
SRV_CPU=0
CLI_CPU=1

bh_need_root storm.sh
bh_need_tools openssl=openssl taskset=util-linux ip=iproute2 \
    stdbuf=coreutils cc=gcc pkg-config=pkg-config
pkg-config --exists openssl || bh_install libssl-dev
pkg-config --exists openssl || bh_die "missing OpenSSL's headers (libssl-dev)"
bh_build "$build"
bh_start

# The emulated phones: one process, built against the system's OpenSSL.
PBSTORM=$BH_TMP/pbstorm
# shellcheck disable=SC2046 # the flags are words
${CC:-cc} -O2 -g -Wall -o "$PBSTORM" "$here/pbstorm.c" \
    $(pkg-config --cflags --libs openssl) 2>"$BH_TMP/cc.out" ||
    bh_die "cannot build pbstorm: $(head -n 3 "$BH_TMP/cc.out")"
DEADLINE_MS=${PB_STORM_DEADLINE:-90000}
CONN_MS=${PB_STORM_CONN_MS:-30000}

T=$BH_TAG
NS_SRV=$T-srv
BR=${T}br
SRV_IP=10.42.0.1
CONF_DIR=$BH_TMP/etc
CONF=$CONF_DIR/provbox.conf
CTL=$BH_BUILD/provboxctl
mkdir -p "$CONF_DIR/tls" "$CONF_DIR/static" "$BH_TMP/runs"

# ------------------------------------------------------------------ set-up

bh_certs "$BH_TMP" "$SRV_IP"
cp "$BH_TMP/server.crt" "$CONF_DIR/tls/server.crt"
(umask 077 && cp "$BH_TMP/server.key" "$CONF_DIR/tls/server.key")
cp "$BH_TOP/etc/vendors.conf" "$CONF_DIR/"
cp -r "$BH_TOP/etc/templates" "$CONF_DIR/"

sed -e "s|^\( *path = \)\"/var/lib/provbox\";|\1\"$BH_TMP/registry\";|" \
    -e "s|^run_dir = \"/run/provbox\";|run_dir = \"$BH_TMP/run\";|" \
    -e "s|subnet = \"10.42.0.0/24\";|subnet = \"10.42.0.0/21\";|" \
    -e "s|end = \"10.42.0.249\"|end = \"10.42.7.250\"|" \
    -e "s|^\( *max_misses = \)10;|\1100000;|" \
    "$BH_TOP/etc/provbox.conf" >"$CONF"
grep -q '10.42.0.0/21' "$CONF" && grep -q '10.42.7.250' "$CONF" ||
    bh_die "the shipped provbox.conf changed: cannot widen its subnet"

# mac_of VENDOR I: the I-th phone's MAC (OUI, then a0 and I), as pbprobe
# counts up from the first.
mac_of() {
	ph_vendor "$1"
	printf '%s:a0:%02x:%02x\n' "$PH_OUI" $(($2 / 256)) $(($2 % 256))
}

# The phones' users; phones.tsv: "VENDOR MAC USER".
: >"$BH_TMP/phones.tsv"
{
	echo "users = ("
	n=0
	for v in $PH_VENDORS; do
		ph_vendor "$v"
		for ((i = 0; i < PER; i++)); do
			m=$(mac_of "$v" "$i")
			[ "$n" -gt 0 ] && echo ","
			printf '  { name = "%s%04d"; sip = { user = "8%04d"; password = "storm-%s-%04d-pw"; server = "%s"; };\n' \
			    "$v" "$i" "$n" "$v" "$i" "$SRV_IP"
			printf '    devices = ( { mac = "%s"; vendor = "%s"; model = "%s"; } ); }' \
			    "$m" "$v" "$PH_MODEL"
			printf '%s %s %s%04d\n' "$v" "$m" "$v" "$i" >>"$BH_TMP/phones.tsv"
			n=$((n + 1))
		done
	done
	printf '\n);\n'
} >"$CONF_DIR/users.conf"
"$CTL" -c "$CONF" check >"$BH_TMP/check.out" 2>&1 ||
    bh_die "config: $(head -n 5 "$BH_TMP/check.out")"
"$CTL" -c "$CONF" sync >"$BH_TMP/sync.out" 2>&1 ||
    bh_die "provboxctl sync: $(tail -n 3 "$BH_TMP/sync.out")"
# The phones have been enrolled before (the token-class ones pinned their
# folder, which they fetch from below); the window is open, so the legacy
# ones (the flat folder) bind to their identity at their first fetch, and
# each storm writes what a real one would.
"$CTL" -c "$CONF" enroll --all --for 1d >"$BH_TMP/enroll.out" 2>&1 ||
    bh_die "provboxctl enroll: $(tail -n 3 "$BH_TMP/enroll.out")"
# Every run starts from this copy: users and tokens, no lease.
cp -a "$BH_TMP/registry" "$BH_TMP/registry.synced"

# pbstorm's spec (tab-separated, see pbstorm.c): per vendor a "net" line,
# its namespace, interface and pbprobe command, then a "phone" line per
# phone with its User-Agent and its files as full URLs in the order it
# fetches them. The folder is the one each phone pinned (provboxctl url):
# after a power cut, phones come back to the URL their file gave them.
SPEC=$BH_TMP/storm.spec
: >"$SPEC"
k=0
for v in $PH_VENDORS; do
	k=$((k + 1))
	ph_vendor "$v"
	first=$(mac_of "$v" 0)
	printf 'net\t%s\t%s\t%s\t21\t%s\n' "$v" "$T-$v" "${T}p$k" \
	    "$(printf '%s\t' stdbuf -oL "$BH_BUILD/tests/tools/pbprobe" \
	    -i "${T}p$k" -m "$first" -V "$PH_V60" -P "$PH_P55" -n "$PER" \
	    -T 60000 dora | sed 's/\t$//')" >>"$SPEC"
	while read -r pv m _; do
		[ "$pv" = "$v" ] || continue
		url=$("$CTL" -c "$CONF" url "$m" 2>/dev/null | head -n 1)
		url=${url%% *}
		case $url in
		https://*/) ;;
		*) bh_die "provboxctl url $m: '$url'" ;;
		esac
		p=$(ph_mac_plain "$m")
		P=$(ph_mac_plain -u "$m")
		case $v in
		snom) f="snomD785.htm $P.xml" ;;
		yealink) f="y000000000066.cfg $p.cfg" ;;
		polycom) f="000000000000.cfg $p-phone.cfg" ;;
		cisco) f="CP-7841-3PCC.xml $p.xml" ;;
		grandstream) f="cfgGXP1405.xml cfg$p.xml" ;;
		fanvil) f="f0X4hw1.100.cfg $p.cfg" ;;
		gigaset) f="$P.xml" ;;
		aastra) f="aastra.cfg $P.cfg" ;;
		esac
		printf 'phone\t%s\t%s\t%s' "$v" "$m" \
		    "$(ph_user_agent "$v" "$m")"
		for x in $f; do
			printf '\t%s%s' "$url" "$x"
		done
		echo
	done <"$BH_TMP/phones.tsv" >>"$SPEC"
done

# ----------------------------------------------------------------- network

bh_ns_add "$NS_SRV"
ip -n "$NS_SRV" link add "$BR" type bridge &&
    ip -n "$NS_SRV" addr add "$SRV_IP/21" dev "$BR" &&
    ip -n "$NS_SRV" link set "$BR" up || bh_die "cannot make the bridge"
k=0
for v in $PH_VENDORS; do
	k=$((k + 1))
	bh_ns_add "$T-$v"
	ip -n "$NS_SRV" link add "${T}s$k" type veth peer name "${T}p$k" \
	    netns "$T-$v" &&
	    ip -n "$NS_SRV" link set "${T}s$k" master "$BR" &&
	    ip -n "$NS_SRV" link set "${T}s$k" up &&
	    ip -n "$T-$v" link set "${T}p$k" up || bh_die "cannot make $T-$v"
	# The kernel's ARP table holds every phone the bridge sees.
	ip netns exec "$T-$v" sysctl -qw net.ipv4.neigh.default.gc_thresh3=4096 \
	    >/dev/null 2>&1
done
ip netns exec "$NS_SRV" sysctl -qw net.ipv4.neigh.default.gc_thresh1=2048 \
    net.ipv4.neigh.default.gc_thresh2=4096 \
    net.ipv4.neigh.default.gc_thresh3=8192 >/dev/null 2>&1

# ----------------------------------------------------------------- daemons

DHCPD_PID=
PROVD_PID=
# start NAME LOG: the daemon in the server namespace on CPU 0.
start() {
	local name=$1 log=$2 pid i

	: >"$log"
	ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$BH_BUILD/$name" -f \
	    -c "$CONF" >"$log" 2>&1 &
	pid=$!
	bh_track "$pid"
	for ((i = 0; i < 100; i++)); do
		grep -q "$name started" "$log" && { echo "$pid"; return 0; }
		bench_alive "$pid" || break
		sleep 0.1
	done
	bh_log "$name did not start: $(tail -n 3 "$log")"
	return 1
}

stop_daemons() {
	[ -n "$DHCPD_PID" ] && bh_stop "$DHCPD_PID"
	[ -n "$PROVD_PID" ] && bh_stop "$PROVD_PID"
	DHCPD_PID='' PROVD_PID=''
}

# ------------------------------------------------------------------ phones

# pct Q: the Q quantile (nearest rank) of the numbers on stdin, "-" for
# none.
pct() {
	sort -n | awk -v q="$1" '{ v[NR] = $1 }
	END { if (NR == 0) { print "-"; exit }
		i = int(q * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
}

# counters NS: the namespace's counters that tell where packets were
# dropped: "SyncookiesSent ListenOverflows ListenDrops UdpRcvbufErrors"
# (a full listen queue; datagrams lost to a full socket buffer), since the
# namespace was made.
counters() {
	ip netns exec "$1" cat /proc/net/netstat /proc/net/snmp | awk '
	/^(TcpExt|Udp):/ && !($1 in h) { n[$1] = split($0, k); h[$1] = 1
		for (i = 2; i <= n[$1]; i++) key[$1, i] = k[i]; next }
	/^(TcpExt|Udp):/ { for (i = 2; i <= n[$1]; i++) v[$1 key[$1, i]] = $i }
	END { print v["TcpExt:SyncookiesSent"] + 0,
		v["TcpExt:ListenOverflows"] + 0, v["TcpExt:ListenDrops"] + 0,
		v["Udp:RcvbufErrors"] + 0 }'
}

# all_counters: counters of the server namespace, then the sum of the
# phones' UdpRcvbufErrors (pbprobe's socket), 5 numbers.
all_counters() {
	local v c=0 x

	for v in $PH_VENDORS; do
		x=$(counters "$T-$v")
		c=$((c + ${x##* }))
	done
	echo "$(counters "$NS_SRV") $c"
}

# one_run N: a storm; RUNDIR/summary gets "total_ms p50 p99 ack50 ack99
# errors cpu_ms_dhcpd cpu_ms_provd all_acked_ms https50 https99
# cpu_ms_client". pbstorm's output is RUNDIR/pbstorm.out (see pbstorm.c):
# "phone MAC VENDOR IP ACK_MS TLS_MS DONE_MS CODES RESULT" per phone,
# "dhcp VENDOR END_MS EXIT ACKED" per pbprobe, "cpu SELF_MS CHILDREN_MS".
one_run() {
	local n=$1 d=$BH_TMP/runs/$1 v c0d c0p c1d c1p hz rc q0 q1
	local ok err total

	mkdir -p "$d"
	rm -rf "$BH_TMP/registry"
	cp -a "$BH_TMP/registry.synced" "$BH_TMP/registry"
	# A fresh registry hands out other addresses than the run before:
	# forget them and every neighbour entry, or the server answers a
	# phone at another namespace's MAC until its ARP entry goes stale.
	for v in $PH_VENDORS; do
		ip -n "$T-$v" -4 addr flush dev "${T}p$(k_of "$v")" 2>/dev/null
		ip -n "$T-$v" neigh flush all 2>/dev/null
	done
	ip -n "$NS_SRV" neigh flush all 2>/dev/null
	DHCPD_PID=$(start provbox-dhcpd "$d/dhcpd.log") || return 1
	bh_track "$DHCPD_PID"
	PROVD_PID=$(start provbox-provisiond "$d/provisiond.log") || return 1
	bh_track "$PROVD_PID"
	sleep 0.5
	c0d=$(bh_cpu_ticks "$DHCPD_PID")
	c0p=$(bh_cpu_ticks "$PROVD_PID")
	q0=$(all_counters)
	# Time 0 is pbstorm's, taken just before it starts the pbprobes.
	taskset -c "$CLI_CPU" "$PBSTORM" -c "$BH_TMP/ca.crt" -o "$CONN_MS" \
	    -t "$DEADLINE_MS" "$SPEC" >"$d/pbstorm.out" 2>"$d/pbstorm.err"
	rc=$?
	c1d=$(bh_cpu_ticks "$DHCPD_PID")
	c1p=$(bh_cpu_ticks "$PROVD_PID")
	q1=$(all_counters)
	hz=$(getconf CLK_TCK)
	stop_daemons
	[ "$rc" -le 1 ] ||
	    bh_die "pbstorm (exit $rc): $(tail -n 3 "$d/pbstorm.err")"
	awk '$1 == "phone"' "$d/pbstorm.out" >"$d/all.res"
	ok=$(awk '$9 == "ok"' "$d/all.res" | wc -l)
	# Errors: phones without an ACK, and phones whose fetch failed.
	err=$((PHONES - ok))
	total=$(awk '$9 == "ok" { print $7 }' "$d/all.res" | sort -n |
	    tail -n 1)
	echo "${total:-0}" \
	    "$(awk '$9 == "ok" { print $7 }' "$d/all.res" | pct 0.50)" \
	    "$(awk '$9 == "ok" { print $7 }' "$d/all.res" | pct 0.99)" \
	    "$(awk '$5 != "-" { print $5 }' "$d/all.res" | pct 0.50)" \
	    "$(awk '$5 != "-" { print $5 }' "$d/all.res" | pct 0.99)" \
	    "$err" \
	    $(((c1d - c0d) * 1000 / hz)) $(((c1p - c0p) * 1000 / hz)) \
	    "$(awk '$1 == "dhcp" { print $3 }' "$d/pbstorm.out" | sort -n |
	    tail -n 1)" \
	    "$(awk '$9 == "ok" { print $7 - $5 }' "$d/all.res" | pct 0.50)" \
	    "$(awk '$9 == "ok" { print $7 - $5 }' "$d/all.res" | pct 0.99)" \
	    "$(awk '$1 == "cpu" { print $2 + $3 }' "$d/pbstorm.out")" \
	    >"$d/summary"
	bh_log "  run $n: $(cat "$d/summary") (total p50 p99 ack-p50 ack-p99" \
	    "errors dhcpd-cpu-ms provisiond-cpu-ms all-acked-ms https-p50" \
	    "https-p99 client-cpu-ms)"
	# shellcheck disable=SC2086 # the counters are words
	bh_log "  run $n: drops: $(echo $q0 $q1 | awk '{ printf \
	    "server syncookies-sent=%d listen-overflows=%d listen-drops=%d" \
	    " udp-rcvbuf=%d, phones udp-rcvbuf=%d", $6 - $1, $7 - $2, \
	    $8 - $3, $9 - $4, $10 - $5 }')"
	[ "$err" -eq 0 ] || bh_log "  run $n: $err errors, $(awk '$5 != "-"' \
	    "$d/all.res" | wc -l) phones acked of $PHONES; $(awk '$9 != "ok" {
		$1 = $2 = $3 = $4 = $5 = $6 = $7 = $8 = ""; print }' \
	    "$d/all.res" | sed 's/^ *//; s/[0-9][0-9]* ms/N ms/g' | sort |
	    uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	return 0
}

k_of() {
	local k=0 x

	for x in $PH_VENDORS; do
		k=$((k + 1))
		[ "$x" = "$1" ] && { echo "$k"; return; }
	done
}

bh_log "storm: $PHONES phones ($PER per vendor), $RUNS run(s); daemons on" \
    "CPU $SRV_CPU, phones on CPU $CLI_CPU"
for ((r = 1; r <= RUNS; r++)); do
	one_run "$r" || bh_die "run $r could not start the daemons"
done

# ------------------------------------------------------------------- table

col() {	# column N of every run's summary -> "median (min–max)"
	cat "$BH_TMP"/runs/*/summary | awk -v c="$1" '{ print $c }' | bh_stats |
	    awk '{ if ($1 == "-") print "-"; else if ($2 == $3) print $1;
		else printf "%s (%s–%s)", $1, $2, $3 }'
}
echo "| Boot storm ($PHONES phones, $RUNS runs) | median (min–max) |"
echo "|---|---|"
echo "| time until the last phone is provisioned, ms | $(col 1) |"
echo "| per phone, DISCOVER to last file, p50 ms | $(col 2) |"
echo "| per phone, DISCOVER to last file, p99 ms | $(col 3) |"
echo "| all phones ACKed (last pbprobe ended), ms | $(col 9) |"
echo "| per phone, DISCOVER to ACK, p50 ms | $(col 4) |"
echo "| per phone, DISCOVER to ACK, p99 ms | $(col 5) |"
echo "| per phone, ACK to last file, p50 ms | $(col 10) |"
echo "| per phone, ACK to last file, p99 ms | $(col 11) |"
echo "| errors (phones not provisioned) | $(col 6) |"
echo "| provbox-dhcpd CPU time during the storm, ms | $(col 7) |"
echo "| provbox-provisiond CPU time during the storm, ms | $(col 8) |"
echo "| emulator CPU time (pbstorm and the pbprobes), ms | $(col 12) |"

errs=$(cat "$BH_TMP"/runs/*/summary | awk '{ s += $6 } END { print s + 0 }')
if [ "$smoke" -eq 1 ] && [ "$errs" -ne 0 ]; then
	bh_log "storm: $errs phones not provisioned"
	exit 1
fi
bh_log "storm: done"
exit 0
