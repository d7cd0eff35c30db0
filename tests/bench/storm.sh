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
# phones run on CPU 1: one pbprobe -n per vendor, all eight started
# together (time 0: each sends its DISCOVERs at once); as each ACK is
# printed, the phone's address goes on its vendor's interface and its
# fetch starts at once: one curl from that address with the vendor's
# User-Agent, its common file then its own file (the own file only for
# Gigaset, which fetches one), on one connection (keep-alive), trusting
# the bench CA. A phone is provisioned when both answers are 200 with a
# body.
#
# Reported per run: the time from time 0 until the last phone is
# provisioned, p50 and p99 of the per-phone time (time 0, its DISCOVER, to
# its last file), the p50/p99 of its ACK alone, errors (no ACK, a status
# other than 200, a failed fetch), and the CPU time the two daemons used.
# Each run starts from the registry as synced (no leases) with both
# daemons restarted. Full mode: RUNS runs (3), median and min-max.
# --smoke: 40 phones, one run; exit 0 when all were provisioned.
# The emulated phones share the machine's second core: the times include
# the client's own work (1,000 curl processes), see the README.

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
bh_need_tools curl=curl openssl=openssl taskset=util-linux ip=iproute2 \
    stdbuf=coreutils
bh_build "$build"
bh_start

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
# Every run starts from this copy: users and tokens, no lease.
cp -a "$BH_TMP/registry" "$BH_TMP/registry.synced"

# The two files per phone, as full URLs: jobs.VENDOR "MAC URL1 [URL2]".
# The folder is what the DHCP server hands the phone (provboxctl url).
for v in $PH_VENDORS; do
	: >"$BH_TMP/jobs.$v"
done
while read -r v m u; do
	url=$("$CTL" -c "$CONF" url "$m" 2>/dev/null | head -n 1)
	url=${url%% *}
	case $url in https://*/) ;; *) bh_die "provboxctl url $m: '$url'" ;; esac
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
	{
		printf '%s\t%s\t' "$m" "$(ph_user_agent "$v" "$m")"
		for x in $f; do printf '%s%s ' "$url" "$x"; done
		echo
	} >>"$BH_TMP/jobs.$v"
done <"$BH_TMP/phones.tsv"

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

	ip netns exec "$NS_SRV" taskset -c "$SRV_CPU" "$BH_BUILD/$name" -f \
	    -c "$CONF" >"$log" 2>&1 &
	pid=$!
	bh_track "$pid"
	for ((i = 0; i < 100; i++)); do
		grep -q "$name started" "$log" && { echo "$pid"; return 0; }
		bh_alive "$pid" || break
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

# phone_batch V RUNDIR T0: the vendor's phones, in its namespace: one
# pbprobe for all of them; as each ACK comes, the address goes on the
# interface and the phone's fetch starts. RUNDIR/V.res gets one line per
# phone: "MAC ACK_MS DONE_MS CODES" (ms since T0, CODES the statuses).
phone_batch() {
	local v=$1 d=$2 t0=$3 k=0 w m ip ifc first now x ua urls
	local -A UA URLS

	for x in $PH_VENDORS; do
		k=$((k + 1))
		[ "$x" = "$v" ] && break
	done
	ifc=${T}p$k
	ph_vendor "$v"
	while IFS=$'\t' read -r m ua urls; do
		UA[$m]=$ua
		URLS[$m]=$urls
	done <"$BH_TMP/jobs.$v"
	first=$(awk 'NR == 1 { print $1 }' "$BH_TMP/jobs.$v")
	: >"$d/$v.res"
	# The loop only notes the time and forks: the phone's address and
	# its fetch are in the child, so one phone's set-up does not delay
	# the next one's ACK time.
	# RUNDIR/V.dhcp: when pbprobe ended (every phone of V ACKed), taken
	# on this side of the pipe, which the busy phones do not hold up.
	{
		ip netns exec "$T-$v" timeout 120 stdbuf -oL \
		    "$BH_BUILD/tests/tools/pbprobe" -i "$ifc" -m "$first" \
		    -V "$PH_V60" -P "$PH_P55" -n "$PER" -T 60000 dora \
		    2>"$d/$v.probe.err"
		x=${EPOCHREALTIME/./}
		echo $(((x - t0) / 1000)) >"$d/$v.dhcp"
	} | tee "$d/$v.probe" | {
	while read -r w m ip; do
		[ "$w" = ack ] || continue
		now=${EPOCHREALTIME/./}
		(
			ip -n "$T-$v" addr add "$ip/21" dev "$ifc" 2>>"$d/$v.ip.err"
			args=()
			for u in ${URLS[$m]}; do
				args+=(-o "$d/files/$m.${u##*/}" "$u")
			done
			codes=$(ip netns exec "$T-$v" curl -sS --max-time 60 \
			    --cacert "$BH_TMP/ca.crt" --interface "$ip" \
			    -A "${UA[$m]}" -w '%{http_code},' "${args[@]}" \
			    2>>"$d/$v.curl.err")
			end=${EPOCHREALTIME/./}
			echo "$m $(((now - t0) / 1000)) $(((end - t0) / 1000)) ${codes:-000,}" >>"$d/$v.res"
		) &
	done
	# The phones are children of this side of the pipe.
	wait
	}
}

# one_run N: a storm; RUNDIR/summary gets "total_ms p50 p99 ack50 ack99
# errors cpu_ms_dhcpd cpu_ms_provd".
one_run() {
	local n=$1 d=$BH_TMP/runs/$1 v t0 pids=() p c0d c0p c1d c1p hz
	local ok err total

	mkdir -p "$d/files"
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
	t0=${EPOCHREALTIME/./}
	for v in $PH_VENDORS; do
		taskset -c "$CLI_CPU" bash -c "$(declare -f phone_batch ph_vendor \
		    ph_user_agent ph_mac_plain); PH_VENDORS='$PH_VENDORS' T='$T' \
		    BH_TMP='$BH_TMP' BH_BUILD='$BH_BUILD' PER=$PER; \
		    phone_batch $v '$d' $t0" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	c1d=$(bh_cpu_ticks "$DHCPD_PID")
	c1p=$(bh_cpu_ticks "$PROVD_PID")
	hz=$(getconf CLK_TCK)
	stop_daemons
	cat "$d"/*.res >"$d/all.res"
	ok=$(awk '{ n = split($4, c, ","); good = 1
		for (i = 1; i < n; i++) if (c[i] != "200") good = 0
		if (n < 2) good = 0
		if (good) print }' "$d/all.res" | wc -l)
	# Errors: phones without an ACK, and phones whose fetch failed.
	err=$((PHONES - ok))
	total=$(awk '{ print $3 }' "$d/all.res" | sort -n | tail -n 1)
	[ "$err" -eq 0 ] || total="${total:-0}"
	pct() {
		sort -n | awk -v q="$1" '{ v[NR] = $1 }
		END { if (NR == 0) { print "-"; exit }
			i = int(q * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
	}
	echo "${total:-0}" \
	    "$(awk '{ print $3 }' "$d/all.res" | pct 0.50)" \
	    "$(awk '{ print $3 }' "$d/all.res" | pct 0.99)" \
	    "$(awk '{ print $2 }' "$d/all.res" | pct 0.50)" \
	    "$(awk '{ print $2 }' "$d/all.res" | pct 0.99)" \
	    "$err" \
	    $(((c1d - c0d) * 1000 / hz)) $(((c1p - c0p) * 1000 / hz)) \
	    "$(cat "$d"/*.dhcp 2>/dev/null | sort -n | tail -n 1)" \
	    >"$d/summary"
	bh_log "  run $n: $(cat "$d/summary") (total p50 p99 ack-p50 ack-p99" \
	    "errors dhcpd-cpu-ms provisiond-cpu-ms all-acked-ms)"
	[ "$err" -eq 0 ] || bh_log "  run $n: $err errors: statuses $(awk '{ print $4 }' \
	    "$d/all.res" | sort | uniq -c | sort -rn | head -n 5 | tr '\n' ' ')," \
	    "$(wc -l <"$d/all.res") phones acked of $PHONES; $(sort -u \
	    "$d"/*.curl.err 2>/dev/null | head -n 3 | tr '\n' ' ')"
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
echo "| errors (phones not provisioned) | $(col 6) |"
echo "| provbox-dhcpd CPU time during the storm, ms | $(col 7) |"
echo "| provbox-provisiond CPU time during the storm, ms | $(col 8) |"

errs=$(cat "$BH_TMP"/runs/*/summary | awk '{ s += $6 } END { print s + 0 }')
if [ "$smoke" -eq 1 ] && [ "$errs" -ne 0 ]; then
	bh_log "storm: $errs phones not provisioned"
	exit 1
fi
bh_log "storm: done"
exit 0
