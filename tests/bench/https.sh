#!/usr/bin/env bash
# https.sh - HTTPS rate: provbox-provisiond against nginx (nginx-light).
#
#   sudo bash tests/bench/https.sh [--smoke] [BUILD_DIR]
#
# BUILD_DIR: $PB_BENCH_BUILD, else build-bench2 next to the sources
# (configured -O2 without sanitizers and made here). Both servers run in
# one network namespace, pbh<PID>-srv, on its loopback only, one process
# each pinned to CPU 0; the clients are pinned to CPU 1. Same EC P-256
# certificate and key, same TLS settings (TLS 1.2-1.3, ECDHE with AEAD,
# X25519/P-256/P-384, session resumption), same URLs and bytes:
#
#   provbox-provisiond  renders each file from templates and the registry:
#                       USERS users with a Yealink phone each, two files in
#                       each user's token folder (/p/<token>/<mac>.cfg and
#                       /p/<token>/y000000000066.cfg), the templates padded
#                       to about 2 KiB
#   nginx               the same files, fetched once from provisiond, from a
#                       static directory under the same paths;
#                       master_process off: the one process serves
#
# Cases (one after another, both servers in each run, RUNS runs):
#   keep-alive    h2load --h1, 16 connections, every URL in turn, DUR s
#   new-full      openssl s_time -new: a new TLS connection and a full
#                 handshake per request (GET, HTTP/1.0), 2 clients
#   new-resumed   openssl s_time -reuse: a new connection per request,
#                 the session resumed (counted from s_time's marks)
# For each: requests/s and the server's CPU time per request (user+system
# of its process, from /proc). Table rows on stdout, the rest on stderr.
# --smoke: one short run of each case, a few users; exit 0 when every
# request of every case was answered 200.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/https-lib.sh"

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
	USERS=${PB_BENCH_USERS:-4} RUNS=1 DUR=1
else
	USERS=${PB_BENCH_USERS:-100} RUNS=${PB_BENCH_RUNS:-3} DUR=${PB_BENCH_DUR:-8}
fi
CONNS=16		# h2load keep-alive connections
STIME_CLIENTS=2		# s_time processes at once
SRV_CPU=0
CLI_CPU=1

bh_need_root https.sh
bh_need_tools h2load=nghttp2-client nginx=nginx-light openssl=openssl \
    curl=curl taskset=util-linux ip=iproute2
bh_build "$build"
bh_start

NS=$BH_TAG-srv
IP=127.0.0.1
PORT_PB=8443
PORT_NG=9443
CONF_DIR=$BH_TMP/etc
CONF=$CONF_DIR/provbox.conf
WWW=$BH_TMP/www
CTL=$BH_BUILD/provboxctl
mkdir -p "$CONF_DIR/tls" "$CONF_DIR/static" "$WWW" "$BH_TMP/out" \
    "$BH_TMP/ngx"
bh_ns_add "$NS"

# ------------------------------------------------------------------ set-up

bh_certs "$BH_TMP" "$IP"
cp "$BH_TMP/server.crt" "$CONF_DIR/tls/server.crt"
(umask 077 && cp "$BH_TMP/server.key" "$CONF_DIR/tls/server.key")

# The shipped vendors and templates; the two Yealink templates served here
# padded to about 2 KiB with settings lines, as a real file would be.
cp "$BH_TOP/etc/vendors.conf" "$CONF_DIR/"
cp -r "$BH_TOP/etc/templates" "$CONF_DIR/"
pad() {
	local i

	for ((i = 0; i < $2; i++)); do
		printf 'features.bench.setting_%03d = value-%03d-of-the-bench-padding\n' "$i" "$i"
	done >>"$1"
}
pad "$CONF_DIR/templates/yealink/device.cfg" 25
pad "$CONF_DIR/templates/yealink/common.cfg" 32

{
	echo "users = ("
	for ((i = 0; i < USERS; i++)); do
		[ "$i" -gt 0 ] && echo ","
		printf '  { name = "bench%04d"; display_name = "Bench User %04d";\n' "$i" "$i"
		printf '    sip = { user = "7%04d"; password = "bench-pw-%04d-x"; server = "%s"; };\n' "$i" "$i" "$IP"
		printf '    devices = ( { mac = "80:5e:c0:%02x:%02x:01"; vendor = "yealink"; model = "T46S"; } ); }' \
		    $((i / 256)) $((i % 256))
	done
	printf '\n);\n'
} >"$CONF_DIR/users.conf"

cat >"$CONF" <<EOF
# Written by tests/bench/https.sh.
registry = { path = "$BH_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$BH_TMP/run";
provisioning = {
  listen = [ "$IP:$PORT_PB" ];
  base_url = "https://$IP:$PORT_PB";
  templates_dir = "templates";
  static_dir = "static";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
  guard = { max_misses = 1000000; window = 60; block = 1; };
  limits = { max_connections = 1024; };
};
@include "vendors.conf"
@include "users.conf"
EOF
"$CTL" -c "$CONF" check >"$BH_TMP/check.out" 2>&1 ||
    bh_die "config: $(head -n 5 "$BH_TMP/check.out")"
"$CTL" -c "$CONF" sync >"$BH_TMP/sync.out" 2>&1 ||
    bh_die "provboxctl sync: $(tail -n 3 "$BH_TMP/sync.out")"

# The paths both servers answer: two per user.
: >"$BH_TMP/paths"
for ((i = 0; i < USERS; i++)); do
	u=$("$CTL" -c "$CONF" url "bench$(printf %04d "$i")" 2>/dev/null | head -n 1)
	p=${u#https://*/}
	[ -n "$p" ] && [ "$p" != "$u" ] || bh_die "provboxctl url bench$i: '$u'"
	mac=$(printf '805ec0%02x%02x01' $((i / 256)) $((i % 256)))
	printf '/%s%s.cfg\n/%sy000000000066.cfg\n' "${p%/}/" "$mac" "${p%/}/" \
	    >>"$BH_TMP/paths"
done

# ----------------------------------------------------------------- servers

PB_PID=
NG_PID=
start_provisiond() {
	# PB_BENCH_WRAP: a command provisiond runs under, for a profile:
	# PB_BENCH_WRAP="valgrind --tool=callgrind --callgrind-out-file=F".
	# PB_PID is then the wrapper's PID, which is the same process.
	ip netns exec "$NS" taskset -c "$SRV_CPU" ${PB_BENCH_WRAP:-} \
	    "$BH_BUILD/provbox-provisiond" \
	    -f -c "$CONF" >"$BH_TMP/provisiond.log" 2>&1 &
	PB_PID=$!
	bh_track "$PB_PID"
	for ((i = 0; i < 600; i++)); do
		grep -q "provbox-provisiond started" "$BH_TMP/provisiond.log" &&
		    return 0
		bench_alive "$PB_PID" || break
		sleep 0.1
	done
	bh_die "provisiond did not start: $(tail -n 3 "$BH_TMP/provisiond.log")"
}

# nginx from a config in the temporary directory: its own prefix, pid
# file, logs and temp paths; nothing of /etc/nginx is read.
start_nginx() {
	local n=$BH_TMP/ngx

	cat >"$n/nginx.conf" <<EOF
# Written by tests/bench/https.sh.
daemon off;
master_process off;
worker_processes 1;
pid $n/nginx.pid;
error_log $n/error.log warn;
events { worker_connections 1024; }
http {
    types { text/plain cfg; }
    default_type text/plain;
    access_log $n/access.log;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    server {
        listen $IP:$PORT_NG ssl;
        ssl_certificate $CONF_DIR/tls/server.crt;
        ssl_certificate_key $CONF_DIR/tls/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
        ssl_ecdh_curve X25519:P-256:P-384;
        ssl_prefer_server_ciphers on;
        ssl_session_cache shared:pbbench:4m;
        ssl_session_timeout 1h;
        root $WWW;
        location / { }
    }
}
EOF
	ip netns exec "$NS" taskset -c "$SRV_CPU" nginx -p "$n" \
	    -c "$n/nginx.conf" -e "$n/error.log" >"$n/stdout" 2>&1 &
	NG_PID=$!
	bh_track "$NG_PID"
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NS" curl -s -o /dev/null --cacert "$BH_TMP/ca.crt" \
		    "https://$IP:$PORT_NG/" 2>/dev/null && return 0
		bench_alive "$NG_PID" || break
		sleep 0.1
	done
	bh_die "nginx did not start: $(tail -n 3 "$n/error.log" "$n/stdout")"
}

start_provisiond
# The files nginx serves: what provisiond answers, fetched once.
while read -r p; do
	mkdir -p "$WWW${p%/*}"
	c=$(ip netns exec "$NS" curl -sS --cacert "$BH_TMP/ca.crt" \
	    -o "$WWW$p" -w '%{http_code}' "https://$IP:$PORT_PB$p" 2>&1)
	[ "$c" = 200 ] || bh_die "provisiond: $p: $c"
done <"$BH_TMP/paths"
start_nginx
sizes=$(while read -r p; do wc -c <"$WWW$p"; done <"$BH_TMP/paths" | bh_stats)
bh_log "https: $USERS users, $(wc -l <"$BH_TMP/paths") files of $(
    awk '{ print $2 "-" $3 }' <<<"$sizes") bytes; provisiond pid $PB_PID" \
    "(:$PORT_PB), nginx pid $NG_PID (:$PORT_NG); servers on CPU $SRV_CPU," \
    "clients on CPU $CLI_CPU; $RUNS run(s) of ${DUR}s per case"
for port in "$PORT_PB" "$PORT_NG"; do
	while read -r p; do echo "https://$IP:$port$p"; done <"$BH_TMP/paths" \
	    >"$BH_TMP/urls.$port"
done

# ------------------------------------------------------------ measurements

client() {
	ip netns exec "$NS" taskset -c "$CLI_CPU" timeout $((DUR + 30)) "$@"
}

# keepalive PORT OUT: h2load's req/s; "ERR" when a request failed.
keepalive() {
	local out=$2 n ok

	client h2load --h1 -t 1 -c "$CONNS" -D "$DUR" --warm-up-time 1 \
	    -i "$BH_TMP/urls.$1" >"$out" 2>&1
	ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$out")
	n=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$out")
	if [ -z "$ok" ] || [ "$ok" -eq 0 ] || [ "$n" != "$ok" ] ||
	    grep -q 'requests: .* [1-9][0-9]* failed' "$out"; then
		bh_log "  ($(grep -E '^(requests|status codes):' "$out" | tr '\n' ' '))"
		echo ERR
		return
	fi
	sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$out"
}

# stime PORT MODE OUT: STIME_CLIENTS s_time clients at once (-new or
# -reuse), each fetching one of the files; prints the summed requests/s,
# "ERR" if a client failed or, with -reuse, a handshake was not resumed.
stime() {
	local port=$1 mode=$2 out=$3 k pids=() p rate=0 r conns new

	for ((k = 0; k < STIME_CLIENTS; k++)); do
		p=$(sed -n "$((k + 1))p" "$BH_TMP/paths")
		client openssl s_time -connect "$IP:$port" "$mode" \
		    -CAfile "$BH_TMP/ca.crt" -www "$p" -time "$DUR" \
		    >"$out.$k" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || { echo ERR; return; }
	done
	for ((k = 0; k < STIME_CLIENTS; k++)); do
		# "N connections in T real seconds, B bytes read per connection"
		r=$(sed -n 's/^\([0-9]*\) connections in \([0-9.]*\) real seconds.*/\1 \2/p' \
		    "$out.$k" | tail -n 1)
		conns=${r%% *}
		[ -n "$r" ] && [ "$conns" -gt 0 ] || { echo ERR; return; }
		if [ "$mode" = -reuse ]; then
			# One full handshake ('*') first, then 'r' per resumed one.
			new=$(tr -cd '*' <"$out.$k" | wc -c)
			[ "$new" -le 1 ] || { echo ERR; return; }
		fi
		rate=$(awk -v a="$rate" -v c="$conns" -v t="${r#* }" \
		    'BEGIN { printf "%.1f", a + c / t }')
	done
	echo "$rate"
}

# measure SERVER CASE RUN: one measurement; appends "rate cpu_us" to
# $BH_TMP/res.SERVER.CASE.
measure() {
	local srv=$1 cs=$2 run=$3 port pid t0 t1 o rate reqs us

	if [ "$srv" = provisiond ]; then port=$PORT_PB pid=$PB_PID
	else port=$PORT_NG pid=$NG_PID; fi
	o=$BH_TMP/out/$srv.$cs.$run
	t0=$(bh_cpu_ticks "$pid")
	case $cs in
	keep-alive) rate=$(keepalive "$port" "$o") ;;
	new-full) rate=$(stime "$port" -new "$o") ;;
	new-resumed) rate=$(stime "$port" -reuse "$o") ;;
	esac
	t1=$(bh_cpu_ticks "$pid")
	if [ "$rate" = ERR ] || [ -z "$rate" ]; then
		bh_log "  $srv $cs run $run: FAILED (see $o*)"
		echo "$srv $cs" >>"$BH_TMP/errors"
		return
	fi
	# CPU per request over the case's whole duration (h2load's warm-up
	# second included, so slightly more requests than rate x DUR).
	reqs=$(awk -v r="$rate" -v d="$DUR" 'BEGIN { print r * d }')
	[ "$cs" = keep-alive ] && reqs=$(awk -v r="$rate" -v d="$DUR" \
	    'BEGIN { print r * (d + 1) }')
	us=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
	    'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
	bh_log "  $srv $cs run $run: $rate req/s, server CPU ${us} us/req"
	echo "$rate $us" >>"$BH_TMP/res.$srv.$cs"
}

: >"$BH_TMP/errors"
CASES=${PB_BENCH_CASES:-keep-alive new-full new-resumed}
for ((run = 1; run <= RUNS; run++)); do
	for cs in $CASES; do
		for srv in provisiond nginx; do
			measure "$srv" "$cs" "$run"
		done
	done
done

bench_alive "$PB_PID" || bh_die "provisiond died: $(tail -n 3 "$BH_TMP/provisiond.log")"
bench_alive "$NG_PID" || bh_die "nginx died"

# ------------------------------------------------------------------- table

fmt() {	# "median min max" -> "median (min–max)"
	awk '{ if ($1 == "-") print "-"; else printf "%s (%s–%s)", $1, $2, $3 }'
}
echo "| HTTPS case | provisiond req/s, median (min–max) | nginx req/s, median (min–max) | provisiond / nginx | server CPU µs/req, provisiond | server CPU µs/req, nginx |"
echo "|---|---|---|---|---|---|"
for cs in $CASES; do
	pr=$(awk '{ print $1 }' "$BH_TMP/res.provisiond.$cs" 2>/dev/null | bh_stats)
	nr=$(awk '{ print $1 }' "$BH_TMP/res.nginx.$cs" 2>/dev/null | bh_stats)
	pc=$(awk '{ print $2 }' "$BH_TMP/res.provisiond.$cs" 2>/dev/null | bh_stats)
	nc=$(awk '{ print $2 }' "$BH_TMP/res.nginx.$cs" 2>/dev/null | bh_stats)
	ratio=$(awk -v a="${pr%% *}" -v b="${nr%% *}" \
	    'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
	printf '| %s | %s | %s | %s | %s | %s |\n' "$cs" \
	    "$(fmt <<<"$pr")" "$(fmt <<<"$nr")" "$ratio" "$(fmt <<<"$pc")" \
	    "$(fmt <<<"$nc")"
done

if [ -s "$BH_TMP/errors" ]; then
	bh_log "https: failed measurements: $(sort -u "$BH_TMP/errors" | tr '\n' ' ')"
	exit 1
fi
bh_log "https: done"
exit 0
