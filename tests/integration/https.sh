#!/usr/bin/env bash
# https.sh - provbox-provisiond's HTTPS under abuse, and a TLS audit.
#
#   bash tests/integration/https.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must hold
# provbox-provisiond, provboxctl and tests/tools/pbslow (built here when
# missing). Needs root: everything runs on the loopback interface of one
# network namespace the suite makes and removes ($PB_TAG-srv, see lib.sh),
# so no packet can leave it, also not testssl's:
#
#   $T-srv: provbox-provisiond on 127.0.0.1:443 (HTTPS only); curl (the good
#           client), the abusive clients, pbslow and testssl on 127.0.0.1
#
# The good client is curl fetching alice's phone file from her token folder,
# a new TLS connection per request. Its latency is measured before the
# abuse (the baseline) and while each abuse goes on: every request must be
# answered 200, and the median during the abuse must stay under
# LAT_FACTOR times the baseline (plus LAT_SLACK_MS, for tiny baselines) and
# under LAT_MAX_MS, and no request may take LAT_ONE_MAX_MS. Both medians
# are printed. The server's resident memory must stay within MEM_GROWTH_MB
# of what it was before the abuse.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "https-integration: N passed, N failed", and RESULTS_FILE gets
# "https-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77 if
# not root or a tool is missing and cannot be installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final
# sanitizer check); PB_KEEP=1 keeps the temporary directory (config,
# certificates, logs, client output); PB_HTTPS_MEM_GROWTH_MB changes
# MEM_GROWTH_MB (100).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
# Read by pb_need_tools.
# shellcheck disable=SC2034
PB_TOOLS="curl=curl openssl=openssl testssl=testssl.sh ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" https-integration

T=$PB_TAG
NS=$T-srv
SRV_IP=127.0.0.1
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
SLOW=$PB_BUILD/tests/tools/pbslow

MAC_ALICE=80:5e:c0:20:00:01
PW_ALICE=alice-Sip-Pw-5711

# The limits the service runs with here. The deadlines are short so that
# a slow client's connection ends within the test; the header limit is
# large so that 20,000 escapes and 10,000 header fields reach provbox's
# own checks, while a 1 MB header does not.
MAX_HEADER=131072
HANDSHAKE_TIMEOUT=5
REQUEST_TIMEOUT=5
MAX_CONNS=128
# Slowloris: connections, one byte every SLOW_INTERVAL_MS.
SLOW_MANY=1000
SLOW_FEW=40
SLOW_INTERVAL_MS=10000
# The good client: requests per measurement; the bounds.
LAT_N=15
LAT_FACTOR=10
LAT_SLACK_MS=100
LAT_MAX_MS=1000
# No single request may take longer: a good client that waits seconds for
# a connection is locked out, whatever the median says.
LAT_ONE_MAX_MS=3000
# AddressSanitizer's allocator keeps what 128 TLS connections took (some
# 50 MB); a leak of a few kB per connection (the suite makes some 7,000)
# goes over. tests/valgrind.sh sets PB_HTTPS_MEM_GROWTH_MB: under valgrind
# every byte has its shadow, and freed blocks are held back.
MEM_GROWTH_MB=${PB_HTTPS_MEM_GROWTH_MB:-100}

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
TLS=$CONF_DIR/tls
LOGS=$PB_TMP/logs
PROV_LOG=$LOGS/provisiond.log
OUT=$PB_TMP/out
mkdir -p "$LOGS" "$OUT" "$TLS"
: >"$PROV_LOG"

# ------------------------------------------------------------ certificates

ec_key() {
	(umask 077 && openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>>"$PB_TMP/openssl.err")
}

# A CA and a server certificate as a deployment would have them (testssl
# rates a short validity or a certificate without any revocation URI as
# HIGH): a year, and a CRL URI on the server, which nothing fetches.
make_certs() {
	local ca=$PB_TMP/ca f=$PB_TMP/server

	ec_key "$ca.key" &&
	    openssl req -new -x509 -key "$ca.key" -out "$ca.crt" -days 365 \
	    -subj "/O=provbox tests/CN=provbox test server CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    2>>"$PB_TMP/openssl.err" &&
	    ec_key "$f.key" &&
	    openssl req -new -key "$f.key" -subj "/O=provbox tests/CN=$SRV_IP" \
	    -out "$f.csr" 2>>"$PB_TMP/openssl.err" &&
	    printf '%s\n' "basicConstraints=CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" "subjectAltName=IP:$SRV_IP" \
	    "crlDistributionPoints=URI:http://$SRV_IP/ca.crl" >"$f.ext" &&
	    openssl x509 -req -in "$f.csr" -CA "$ca.crt" -CAkey "$ca.key" \
	    -set_serial "0x$(openssl rand -hex 8)" -days 365 -extfile "$f.ext" \
	    -out "$f.crt" 2>>"$PB_TMP/openssl.err" &&
	    cat "$f.crt" "$ca.crt" >"$TLS/server.crt" &&
	    (umask 077 && cp "$f.key" "$TLS/server.key")
}

# ------------------------------------------------------------------ config

write_config() {
	mkdir -p "$CONF_DIR/templates" "$CONF_DIR/static" || return 1
	cat >"$CONF" <<EOF
# Written by tests/integration/https.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$PB_TMP/run";
provisioning = {
  listen = [ "$SRV_IP:443" ];
  base_url = "$BASE_URL";
  templates_dir = "templates";
  static_dir = "static";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
  # The abusive requests are 4xx but none a miss; keep the guard out of it.
  guard = { max_misses = 100000; window = 60; block = 1; };
  limits = { max_header_size = $MAX_HEADER;
             timeout = 30; handshake_timeout = $HANDSHAKE_TIMEOUT;
             request_timeout = $REQUEST_TIMEOUT;
             max_connections = $MAX_CONNS; };
};
vendors = (
  { name = "yealink";
    match = { vendor_class_prefix = [ "yealink" ]; oui = [ "80:5e:c0" ]; };
    mode = "token";
    options = ( { code = 66; value = "\${base_url}/p/\${token}/"; } );
    files = ( { name = "\${mac}.cfg"; template = "yealink-mac.cfg"; } );
  },
  { name = "other"; default = true; }
);
users = (
  { name = "alice"; display_name = "Alice Reception";
    sip = { user = "201"; password = "$PW_ALICE"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_ALICE"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
	cat >"$CONF_DIR/templates/yealink-mac.cfg" <<'EOF'
#!version:1.0.0.1
account.1.user_name = {{ sip.user }}
account.1.password = {{ sip.password }}
account.1.sip_server.1.address = {{ sip.server }}
EOF
}

# ------------------------------------------------------------------ server

prov_start() {
	local mark pid

	mark=$(pb_lines "$PROV_LOG")
	# AddressSanitizer keeps up to 256 MB of freed memory in quarantine,
	# which would hide the growth measured here; 16 MB still catches a
	# use of memory freed within the request before.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	    ip netns exec "$NS" "$PROVD" -f -c "$CONF" >>"$PROV_LOG" 2>&1 &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/provisiond.pid"
	pb_wait_for 20 pb_grep_after "$PROV_LOG" "$mark" \
	    "provbox-provisiond started" && pb_alive "$pid"
}

prov_pid() {
	cat "$PB_TMP/provisiond.pid" 2>/dev/null
}

# rss_kb: the server's resident memory, kB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$(prov_pid)/status" 2>/dev/null ||
	    echo 0
}

# server_stats FILE: the server's stats line (SIGUSR1) into FILE.
server_stats() {
	local mark

	mark=$(pb_lines "$PROV_LOG")
	kill -USR1 "$(prov_pid)" || return 1
	pb_wait_for 5 pb_grep_after "$PROV_LOG" "$mark" "stats: .*connections: open" ||
	    return 1
	tail -n "+$((mark + 1))" "$PROV_LOG" | grep -m 1 "stats: " >"$1"
}

# stat_of FILE WORDS: the number after WORDS in a stats line.
stat_of() {
	sed -n "s/.*$2 \([0-9]*\).*/\1/p" "$1" | head -n 1
}

alive_or_die() {
	pb_alive "$(prov_pid)" ||
	    die "the server died: $(tail -n 3 "$PROV_LOG" | tr '\n' ' ')"
}

# ----------------------------------------------------------------- clients

# in_ns COMMAND...: COMMAND in the suite's namespace, bounded.
in_ns() {
	ip netns exec "$NS" timeout 60 "$@"
}

# curl_code OUT CURL_ARGS...: one request; OUT.code gets the status
# ("000": no answer), OUT.err curl's messages.
curl_code() {
	local out=$1

	shift
	in_ns curl -sS --max-time 20 --cacert "$PB_TMP/ca.crt" -o "$out.body" \
	    -D "$out.hdr" -w '%{http_code}' "$@" >"$out.code" 2>"$out.err"
	[ -s "$out.code" ] || echo 000 >"$out.code"
}

# good_url: alice's phone file in her token folder.
good_url() {
	cat "$PB_TMP/good.url"
}

# measure OUT: LAT_N requests of the good client, one after another, each
# on a new connection. OUT gets "code seconds" lines, OUT.rss the server's
# memory after each; prints the median latency in ms.
measure() {
	local out=$1 i url r

	url=$(good_url)
	: >"$out"
	: >"$out.rss"
	for ((i = 0; i < LAT_N; i++)); do
		r=$(in_ns curl -sS --max-time 10 --cacert "$PB_TMP/ca.crt" \
		    -o /dev/null -w '%{http_code} %{time_total}' "$url" \
		    2>>"$out.err")
		echo "${r:-000 10}" >>"$out"
		rss_kb >>"$out.rss"
		sleep 0.2
	done
	awk '{ print int($2 * 1000 + 0.5) }' "$out" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# check_latency OUT MEDIAN_MS WHAT: every request 200; the median within
# the bounds of the baseline; the server's memory bounded.
check_latency() {
	local out=$1 during=$2 what=$3 base bad limit peak

	base=$(cat "$PB_TMP/baseline.ms")
	bad=$(awk '$1 != 200' "$out" | head -n 3 | tr '\n' ' ')
	[ -z "$bad" ] || die "$what: the good client was not served: $bad"
	limit=$((base * LAT_FACTOR + LAT_SLACK_MS))
	[ "$limit" -le "$LAT_MAX_MS" ] || limit=$LAT_MAX_MS
	pb_note "$what: good client median ${during} ms (before ${base} ms," \
	    "bound ${limit} ms)"
	[ "$during" -le "$limit" ] ||
	    die "$what: the good client's median latency is ${during} ms, before ${base} ms (bound ${limit} ms)"
	bad=$(awk -v max="$LAT_ONE_MAX_MS" '$2 * 1000 > max' "$out" | head -n 3 |
	    tr '\n' ' ')
	[ -z "$bad" ] ||
	    die "$what: good requests took over ${LAT_ONE_MAX_MS} ms: $bad"
	peak=$(sort -n "$out.rss" | tail -n 1)
	check_memory "$what" "$peak"
}

# check_memory WHAT RSS_KB: within MEM_GROWTH_MB of the baseline.
check_memory() {
	local base

	base=$(cat "$PB_TMP/baseline.rss")
	pb_note "$1: server memory $(($2 / 1024)) MB (before $((base / 1024)) MB)"
	[ $(($2 - base)) -le $((MEM_GROWTH_MB * 1024)) ] ||
	    die "$1: the server grew from $((base / 1024)) MB to $(($2 / 1024)) MB"
}

# abuse_loop OUT SECONDS CURL_ARGS...: the abusive request again and again
# for SECONDS (in the background with pb_bg); OUT gets one status a line.
abuse_loop() {
	local out=$1 secs=$2 end c

	shift 2
	end=$(($(date +%s) + secs))
	: >"$out"
	while [ "$(date +%s)" -lt "$end" ]; do
		c=$(in_ns curl -sS --max-time 10 --cacert "$PB_TMP/ca.crt" \
		    -o /dev/null -w '%{http_code}' "$@" 2>>"$out.err")
		echo "${c:-000}" >>"$out"
	done
}

# abuse NAME OUT EXPECTED_REGEX CURL_ARGS...: runs the abuse in a loop while
# the good client is measured; every answer to the abuse matches
# EXPECTED_REGEX (a status, 000 for a closed connection).
abuse() {
	local name=$1 out=$2 expect=$3 ms bad n

	shift 3
	pb_bg abuse_loop "$out.codes" $((LAT_N / 3 + 4)) "$@"
	sleep 1
	ms=$(measure "$out.lat")
	wait "$PB_BG_PID"
	alive_or_die
	n=$(grep -c . "$out.codes")
	[ "$n" -ge 2 ] || die "$name: only $n abusive requests were made"
	bad=$(grep -cvxE "$expect" "$out.codes")
	pb_note "$name: $n requests, answers: $(sort "$out.codes" | uniq -c |
	    awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')"
	[ "$bad" -eq 0 ] ||
	    die "$name: $bad answers not $expect: $(sort "$out.codes" | uniq -c | tr '\n' ' ')"
	check_latency "$out.lat" "$ms" "$name"
}

# slow OUT ARGS...: pbslow in the namespace, in the background (PB_BG_PID);
# OUT gets its key=value lines.
slow() {
	local out=$1

	shift
	pb_bg ip netns exec "$NS" timeout 120 "$SLOW" "$@" "$SRV_IP" 443 \
	    >"$out" 2>"$out.err"
}

kv() {
	sed -n "s/^$1=//p" "$2" | head -n 1
}

# ------------------------------------------------------------------- tests

# The good client alone: the baseline the other tests compare with.
t_baseline() {
	local o=$OUT/baseline ms rss

	curl_code "$o.one" "$(good_url)"
	[ "$(cat "$o.one.code")" = 200 ] ||
	    die "alice's file: status $(cat "$o.one.code") ($(tail -n 1 "$o.one.err"))"
	grep -qFx "account.1.password = $PW_ALICE" "$o.one.body" ||
	    die "alice's file lacks her password line"
	for h in "X-Content-Type-Options: nosniff" \
	    "Content-Security-Policy: default-src 'none'" \
	    "Cache-Control: no-store"; do
		tr -d '\r' <"$o.one.hdr" | grep -qiFx "$h" ||
		    die "alice's file comes without '$h'"
	done
	ms=$(measure "$o.lat")
	rss=$(sort -n "$o.lat.rss" | tail -n 1)
	[ -z "$(awk '$1 != 200' "$o.lat")" ] ||
	    die "the good client alone was not served: $(awk '$1 != 200' "$o.lat" | head -n 2)"
	echo "$ms" >"$PB_TMP/baseline.ms"
	echo "$rss" >"$PB_TMP/baseline.rss"
	pb_note "baseline: good client median ${ms} ms, server memory $((rss / 1024)) MB"
	pb_pass
}

# The HTTPS listener's backlog holds a whole office's phones connecting
# at once (evhttp's own is 128): ss shows it as the listening socket's
# Send-Q, capped by net.core.somaxconn.
t_backlog() {
	local q max

	q=$(in_ns ss -ltnH "sport = :443" | awk '{ print $3; exit }')
	max=$(in_ns cat /proc/sys/net/core/somaxconn)
	[ -n "$q" ] || die "no listening socket on port 443"
	[ "$max" -lt 4096 ] || max=4096
	[ "$q" -ge "$max" ] ||
	    die "listen backlog $q, wanted $max (somaxconn or 4096)"
	pb_note "listen backlog: $q"
	pb_pass
}

# An answer that ends its connection (HTTP/1.0) ends with a TLS
# close_notify (RFC 8446 6.1). Without it an OpenSSL 3 client reports
# "unexpected eof" and drops the session; with it the next connection
# resumes the session.
t_resume() {
	local o=$OUT/resume u p i

	u=$(good_url)
	p=/${u#https://*/}
	for i in 1 2; do
		printf 'GET %s HTTP/1.0\r\n\r\n' "$p" |
		    in_ns timeout 10 openssl s_client -connect "$SRV_IP:443" \
		    -CAfile "$PB_TMP/ca.crt" -ign_eof \
		    "$([ "$i" = 1 ] && echo -sess_out || echo -sess_in)" \
		    "$o.sess" >"$o.$i" 2>&1
	done
	grep -q '^HTTP/1\.[01] 200' "$o.1" ||
	    die "first connection: no 200 ($(grep -m 1 -E 'HTTP/|error' "$o.1"))"
	! grep -qi 'unexpected eof' "$o.1" ||
	    die "the answer ended without a close_notify: $(grep -i -m 1 'unexpected eof' "$o.1")"
	grep -q '^Reused, ' "$o.2" ||
	    die "the second connection did not resume: $(grep -m 1 -E '^(New|Reused), ' "$o.2")"
	grep -q '^HTTP/1\.[01] 200' "$o.2" ||
	    die "the resumed connection: no 200"
	pb_pass
}

# 20,000 nested brackets in the path: 414 (RFC 9110 15.5.15) from
# provbox's router, which never decodes a path that long.
t_brackets() {
	local p

	p=$(good_url)
	p=${p%/*}/$(head -c 10000 /dev/zero | tr '\0' '[')$(head -c 10000 /dev/zero | tr '\0' ']')
	abuse "20000 brackets" "$OUT/brackets" 414 --globoff --path-as-is "$p"
	pb_pass
}

# 20,000 percent-escapes, nested (%25 is an escaped '%'): 414.
t_escapes() {
	local p

	p=$(good_url)
	p=${p%/*}/$(head -c 20000 /dev/zero | sed 's/\x0/%25/g')
	abuse "20000 escapes" "$OUT/escapes" 414 --globoff --path-as-is "$p"
	pb_pass
}

# A 1 MB header: over max_header_size, so evhttp stops reading and answers
# 413 (libevent 2.1 has no 431 for it; 431 is accepted should it come) and
# closes, or the connection is reset under curl's upload (000).
t_big_header() {
	local f=$PB_TMP/header-1mb

	printf 'X-Junk: %s\r\n' "$(head -c 1048576 /dev/zero | tr '\0' b)" >"$f"
	abuse "1 MB header" "$OUT/bighdr" "413|431|000" -H "@$f" "$(good_url)"
	pb_pass
}

# 10,000 header fields, within max_header_size: 431 (RFC 6585 5), more
# than the 100 fields provisiond reads.
t_many_headers() {
	local f=$PB_TMP/headers-10000

	seq 1 10000 | awk '{ printf "X%d: y\r\n", $1 }' >"$f"
	abuse "10000 headers" "$OUT/manyhdr" 431 -H "@$f" "$(good_url)"
	pb_pass
}

# slowloris_deadline MODE DEADLINE: SLOW_FEW connections (under the limit)
# that send a byte every SLOW_INTERVAL_MS; each must be closed at the
# deadline, not by the limit, while the good client is served.
slowloris_deadline() {
	local mode=$1 deadline=$2 o=$OUT/slow-$1 ms closed life med mark what n
	local secs=$((deadline * 2 + 4))

	mark=$(pb_lines "$PROV_LOG")
	server_stats "$o.stats0" || die "no stats line after SIGUSR1"
	slow "$o" -m "$mode" -n "$SLOW_FEW" -i "$SLOW_INTERVAL_MS" -t "$secs"
	sleep 1
	ms=$(measure "$o.lat")
	wait "$PB_BG_PID"
	alive_or_die
	[ -s "$o" ] || die "pbslow printed nothing: $(head -c 300 "$o.err")"
	closed=$(kv closed_by_server "$o")
	life=$(kv life_max_ms "$o")
	med=$(kv life_median_ms "$o")
	pb_note "slowloris $mode x$SLOW_FEW: $(tr '\n' ' ' <"$o")"
	[ "$(kv connected "$o")" -ge "$SLOW_FEW" ] ||
	    die "only $(kv connected "$o") of $SLOW_FEW slow connections were made"
	if [ "$mode" = header ]; then
		[ "$(kv handshakes "$o")" -ge "$SLOW_FEW" ] ||
		    die "only $(kv handshakes "$o") slow connections completed the handshake"
	fi
	[ "$closed" -ge "$SLOW_FEW" ] ||
	    die "only $closed slow connections were closed by the server in ${secs}s (deadline ${deadline}s)"
	# Closed at the deadline (the timer reads it every 250 ms), not
	# before: under the limit nothing else closes them.
	[ "$life" -le $((deadline * 1000 + 1500)) ] ||
	    die "a slow connection lived ${life} ms, the deadline is ${deadline}s"
	[ "$med" -ge $((deadline * 1000 - 500)) ] ||
	    die "slow connections were closed after ${med} ms (median), before the ${deadline}s deadline"
	server_stats "$o.stats" || die "no stats line after SIGUSR1"
	if [ "$mode" = hello ]; then
		what="without a handshake"
	else
		what="without a request"
	fi
	n=$(($(stat_of "$o.stats" "$what") - $(stat_of "$o.stats0" "$what")))
	[ "$n" -ge "$SLOW_FEW" ] ||
	    die "the server counts $n connections closed $what, pbslow saw $closed closed"
	pb_grep_after "$PROV_LOG" "$mark" "closed 127.0.0.1's connection: no (TLS handshake|complete request) in [0-9.]+s" ||
	    die "no 'closed ...'s connection' line in the log"
	check_latency "$o.lat" "$ms" "slowloris $mode x$SLOW_FEW"
}

t_slow_hello_deadline() {
	slowloris_deadline hello "$HANDSHAKE_TIMEOUT"
	pb_pass
}

t_slow_header_deadline() {
	slowloris_deadline header "$REQUEST_TIMEOUT"
	pb_pass
}

# slowloris_many MODE: SLOW_MANY connections, far over max_connections,
# reopened as the server closes them: the good client is served
# throughout, within its latency bound.
slowloris_many() {
	local mode=$1 o=$OUT/many-$1 ms secs open n

	secs=$((LAT_N / 3 + 12))
	slow "$o" -m "$mode" -n "$SLOW_MANY" -i "$SLOW_INTERVAL_MS" -r 200 \
	    -t "$secs"
	# Until all SLOW_MANY were opened once (200 a second).
	sleep $((SLOW_MANY / 200 + 1))
	server_stats "$o.stats0" || die "no stats line after SIGUSR1"
	ms=$(measure "$o.lat")
	server_stats "$o.stats" || die "no stats line after SIGUSR1"
	wait "$PB_BG_PID"
	alive_or_die
	[ -s "$o" ] || die "pbslow printed nothing: $(head -c 300 "$o.err")"
	pb_note "slowloris $mode x$SLOW_MANY: $(tr '\n' ' ' <"$o")"
	# The server holds at most MAX_CONNS of them; pbslow reopens each
	# one the server closes, so it opens far more than SLOW_MANY.
	[ "$(kv connected "$o")" -ge "$SLOW_MANY" ] ||
	    die "only $(kv connected "$o") slow connections reached the server"
	open=$(stat_of "$o.stats" "connections: open")
	[ "$open" -le "$MAX_CONNS" ] ||
	    die "the server had $open connections open, over max_connections ($MAX_CONNS)"
	n=$(($(stat_of "$o.stats" "for a newcomer") - $(stat_of "$o.stats0" "for a newcomer")))
	pb_note "slowloris $mode x$SLOW_MANY: server: $open open, $n closed for a newcomer while the good client was measured"
	[ "$n" -gt 0 ] || die "the server closed no connection for a newcomer"
	if [ "$mode" = header ]; then
		[ "$(kv handshakes "$o")" -ge "$SLOW_MANY" ] ||
		    die "only $(kv handshakes "$o") slow connections completed the handshake"
	fi
	check_latency "$o.lat" "$ms" "slowloris $mode x$SLOW_MANY"
}

t_slow_hello_many() {
	slowloris_many hello
	pb_pass
}

t_slow_header_many() {
	slowloris_many header
	pb_pass
}

# testssl against the service: no finding rated MEDIUM or worse. It runs
# in the namespace, whose only interface is loopback, so it can reach
# nothing but the server: no DNS lookups (--nodns none), no revocation
# checks (no --phone-out), the test CA given with --add-ca. The checks:
# protocols, cipher categories, forward secrecy, server preferences,
# server defaults (the certificate), the HTTP headers of alice's file, and
# the vulnerabilities; left out are the 370 ciphers one by one (-E) and
# the client simulations (-c), which take minutes and rate nothing.
t_testssl() {
	local o=$OUT/testssl bad path

	path=$(good_url)
	path=${path#"$BASE_URL"}
	rm -f "$o.json"
	ip netns exec "$NS" timeout 240 testssl --quiet --color 0 \
	    --warnings batch --nodns none --connect-timeout 10 \
	    --add-ca "$PB_TMP/ca.crt" \
	    --protocols --std --fs --server-preference --server-defaults \
	    --header --vulnerable --severity LOW --jsonfile "$o.json" \
	    "$SRV_IP:443$path" >"$o.out" 2>&1
	echo $? >"$o.rc"
	[ -s "$o.json" ] || die "testssl wrote no findings (exit $(cat "$o.rc")): $(tail -n 3 "$o.out" | tr '\n' ' ')"
	grep -E "^ (SSLv3|TLS 1(\.[123])?|Strong encryption|Obsolete CBC|(P)?FS is|Has server cipher order\?|Chain of trust|Certificate Validity|Security headers|Strict Transport|Done) " \
	    "$o.out" | sed 's/  */ /g' |
	    while read -r l; do pb_note "testssl: $l"; done
	# One finding per object: "id", "severity", "finding".
	tr -d '\n' <"$o.json" | grep -oE '\{[^{}]*"severity" *: *"[A-Z]+"[^{}]*\}' |
	    sed -E 's/.*"id" *: *"([^"]*)".*"severity" *: *"([A-Z]+)".*"finding" *: *"([^"]*)".*/\2 \1: \3/' \
	    >"$o.findings"
	while read -r l; do pb_note "testssl: $l"; done <"$o.findings"
	bad=$(grep -E '^(MEDIUM|HIGH|CRITICAL) ' "$o.findings" | head -n 5 |
	    tr '\n' ';')
	[ -z "$bad" ] || die "testssl: $bad"
	alive_or_die
	pb_pass
}

# The server stops on SIGTERM; no sanitizer report in its log.
t_sanitizers() {
	local pid bad

	pid=$(prov_pid)
	pb_alive "$pid" || die "the server was not running at the end"
	pb_stop "$pid" 20
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$LOGS"/*.log \
	    2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$PROV_LOG" ||
	    die "no clean stop in the log: $(tail -n 1 "$PROV_LOG")"
	grep "stats: " "$PROV_LOG" | tail -n 1 | sed 's/.*stats: /stats: /' |
	    while read -r l; do pb_note "$l"; done
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$SLOW" ] && [ -f "$PB_BUILD/Makefile" ]; then
	pb_note "building tests/tools/pbslow"
	timeout 300 make -C "$PB_BUILD" tests/tools/pbslow >>"$PB_TMP/make.out" 2>&1
fi
for b in "$PROVD" "$SLOW"; do
	if [ ! -x "$b" ]; then
		pb_fail build "$b is missing (build first: make && make tests/tools/pbslow)"
		pb_finish
	fi
done
if ip netns list | grep -q "^$NS\b" || ! pb_ns_add "$NS"; then
	pb_fail setup "cannot make the network namespace $NS"
	pb_finish
fi
if ! make_certs; then
	pb_fail setup "cannot make the certificates: $(tail -n 2 "$PB_TMP/openssl.err")"
	pb_finish
fi
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
if ! timeout 20 "$PROVD" -t -c "$CONF" >"$LOGS/check.log" 2>&1; then
	pb_fail setup "provbox-provisiond -t refuses the test config: $(tail -n 2 "$LOGS/check.log")"
	pb_finish
fi
if ! prov_start; then
	pb_fail setup "provbox-provisiond did not start: $(tail -n 3 "$PROV_LOG")"
	pb_finish
fi
url=$(timeout 20 "$CTL" -c "$CONF" url alice 2>"$PB_TMP/url.err" | head -n 1)
if [[ $url != "$BASE_URL/p/"*/ ]]; then
	pb_fail setup "provboxctl url alice: '$url' $(head -c 200 "$PB_TMP/url.err")"
	pb_finish
fi
echo "${url}$(tr -d : <<<"$MAC_ALICE").cfg" >"$PB_TMP/good.url"

PB_ONLY='' pb_run baseline 60 t_baseline
pb_run listen-backlog 30 t_backlog
pb_run close-notify-resume 60 t_resume
pb_run path-20000-brackets 60 t_brackets
pb_run path-20000-escapes 60 t_escapes
pb_run header-1mb 60 t_big_header
pb_run headers-10000 60 t_many_headers
pb_run slowloris-hello-deadline 60 t_slow_hello_deadline
pb_run slowloris-header-deadline 60 t_slow_header_deadline
pb_run slowloris-hello-1000 90 t_slow_hello_many
pb_run slowloris-header-1000 90 t_slow_header_many
pb_run testssl 300 t_testssl
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
pb_finish
