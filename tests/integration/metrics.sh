#!/bin/bash
# metrics.sh - the Prometheus metrics of both daemons (issue #16 point 2):
# off unless configured; both endpoints scraped while the daemons serve,
# as nobody under their seccomp filters, every scrape passing
# `promtool check metrics` (Debian package prometheus) with no output;
# the counters equal to what the suite did (N DISCOVERs -> N counted, M
# HTTPS requests by status and refusal), pool gauges equal to the leases,
# histograms' _count equal to what they count; the admin listener's 404,
# 405 and content type, its connection cap, deadline and header cap; the
# process_* families read from /proc/self; metrics.tls serving HTTPS with
# the provisioning certificate.
#
#   sudo bash tests/integration/metrics.sh [BUILD_DIR [RESULTS_FILE]]
#
# The daemons run as "nobody" in $T-srv (a veth to $T-c1, where pbprobe
# and curl are the clients); the metrics listen on 127.0.0.1 of $T-srv.
# Everything is named from pbt<PID> and removed at the end (see lib.sh).

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

PB_TOOLS="curl=curl openssl=openssl ip=iproute2 promtool=prometheus
	ss=iproute2 python3=python3"
pb_init "${1:-$here/../../build}" "${2:-}" metrics-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_CLI=$T-c1
IF_SRV=${T}s1
IF_CLI=${T}c1
SRV_IP=10.42.0.1
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
RUN_USER=nobody
MAC_ALICE=80:5e:c0:10:00:01
MAC_FIRST=02:00:00:00:10:01	# the N clients count up from here
N_CLIENTS=6
POOL_SIZE=101			# 10.42.0.100 - 10.42.0.200
M_DHCPD=127.0.0.1:9167
M_PROVD=127.0.0.1:9168
CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
CONF_OFF=$CONF_DIR/provbox-off.conf
CONF_TLS=$CONF_DIR/provbox-tls.conf
REG=$PB_TMP/registry
RUN=$PB_TMP/run
LOGS=$PB_TMP/logs
DHCPD_LOG=$LOGS/dhcpd.log
PROV_LOG=$LOGS/provisiond.log
OUT=$PB_TMP/out

# ------------------------------------------------------------------ set-up

# write_conf FILE METRICS: the config, with METRICS (a group, or nothing).
write_conf() {
	pb_conf_simple "$1" 10.42.0 "$SRV_IP" "$REG" "$RUN" "$RUN_USER" info \
	    "  conflict_check = false;" "$2"
}

# As privsep.sh: the daemons read the tree as nobody on a reload.
write_config() {
	mkdir -p "$LOGS" "$OUT" || return 1
	: >"$DHCPD_LOG"
	: >"$PROV_LOG"
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	write_conf "$CONF" "metrics = {
  dhcpd_listen = \"$M_DHCPD\";
  provisiond_listen = \"$M_PROVD\";
};" && write_conf "$CONF_OFF" "" && write_conf "$CONF_TLS" "metrics = {
  dhcpd_listen = \"$M_DHCPD\";
  provisiond_listen = \"$M_PROVD\";
  tls = true;
};" || return 1
	pb_users_one "$CONF_DIR/users.conf" alice 201 alice-Metrics-Pw-1 \
	    "$SRV_IP" "$MAC_ALICE" || return 1
	pb_conf_share "$CONF_DIR" "$RUN_USER" "$RUN" "$REG"
}

setup_network() {
	pb_ns_add "$NS_SRV" && pb_ns_add "$NS_CLI" &&
	    pb_veth "$NS_SRV" "$IF_SRV" "$NS_CLI" "$IF_CLI" "$SRV_IP" "$MAC_ALICE"
}

dhcpd_start() {
	pb_daemon_start dhcpd "$NS_SRV" "$DHCPD_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "${1:-$CONF}"
}

prov_start() {
	pb_daemon_start provisiond "$NS_SRV" "$PROV_LOG" \
	    "provbox-provisiond started" "$PROVD" -f -c "${1:-$CONF}"
}

# ----------------------------------------------------------------- helpers

# scrape ADDR OUT: GET /metrics from the server's namespace into OUT
# (headers in OUT.h), then promtool check metrics, which must say
# nothing; 1 (with the reason on stderr) otherwise.
scrape() {
	local code

	code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -D "$2.h" \
	    -o "$2" -w '%{http_code}' "http://$1/metrics" 2>"$2.err")
	if [ "$code" != 200 ]; then
		echo "GET http://$1/metrics: status '$code' $(cat "$2.err")" >&2
		return 1
	fi
	if ! promtool check metrics <"$2" >"$2.lint" 2>&1 ||
	    [ -s "$2.lint" ]; then
		echo "promtool check metrics on $1: $(head -n 5 "$2.lint")" >&2
		return 1
	fi
}

# val FILE SAMPLE: the value of SAMPLE (name and labels exactly as
# written, e.g. 'x_total{type="discover"}'); "" when absent.
val() {
	awk -v k="$2" '!/^#/ { i = match($0, / [^ ]+$/);
	    if (i > 0 && substr($0, 1, i - 1) == k) { print substr($0, i + 1);
	    exit } }' "$1"
}

# delta BEFORE AFTER SAMPLE: the increase of SAMPLE (absent: 0).
delta() {
	local a b

	a=$(val "$1" "$3")
	b=$(val "$2" "$3")
	awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { printf "%.0f\n", b - a }'
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || die "$1: $2, expected $3"
}

# sum FILE PREFIX: the sum of every sample whose name starts PREFIX{.
sum() {
	awk -v p="$2{" '!/^#/ && index($0, p) == 1 { s += $NF }
	    END { printf "%.0f\n", s }' "$1"
}

# fetch OUT URL [CURL ARGS]: HTTPS from the client namespace; the status in
# OUT.code.
fetch() {
	local o=$1 url=$2

	shift 2
	ip netns exec "$NS_CLI" timeout 20 curl -sk -o "$o" \
	    -w '%{http_code}' "$@" "$url" >"$o.code" 2>"$o.err"
}

# ------------------------------------------------------------------- tests

# 1. No metrics group: nothing listens (the daemon serves DHCP as ever).
t_off_by_default() {
	dhcpd_start "$CONF_OFF" ||
	    die "provbox-dhcpd without metrics: $(tail -n 2 "$DHCPD_LOG")"
	prov_start "$CONF_OFF" ||
	    die "provbox-provisiond without metrics: $(tail -n 2 "$PROV_LOG")"
	! ip netns exec "$NS_SRV" ss -Hltn | grep -qE ':916[78] ' ||
	    die "something listens: $(ip netns exec "$NS_SRV" ss -Hltn)"
	ip netns exec "$NS_SRV" timeout 10 curl -s -o /dev/null \
	    "http://$M_DHCPD/metrics" && die "GET /metrics answered"
	! grep -q "metrics: serving" "$DHCPD_LOG" "$PROV_LOG" ||
	    die "a daemon says it serves metrics"
	pb_daemon_stop dhcpd
	pb_daemon_stop provisiond
	pb_pass
}

# 2. Configured: both serve, as nobody and filtered; both scrapes pass
# promtool; the process metrics come from /proc/self after the drop.
t_scrape_and_process() {
	local d addr f pid now start fds

	dhcpd_start || die "provbox-dhcpd: $(tail -n 2 "$DHCPD_LOG")"
	prov_start || die "provbox-provisiond: $(tail -n 2 "$PROV_LOG")"
	now=$(date +%s)
	for d in dhcpd provisiond; do
		addr=$M_DHCPD
		[ $d = provisiond ] && addr=$M_PROVD
		f=$OUT/first-$d
		pid=$(pb_daemon_pid $d)
		[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" = \
		    65534 ] || die "$d does not run as nobody"
		[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")" \
		    = 2 ] || die "$d has no seccomp filter"
		scrape "$addr" "$f" || die "$d's first scrape"
		grep -qi '^Content-Type: text/plain; version=0.0.4' "$f.h" ||
		    die "$d: $(grep -i '^content-type' "$f.h")"
		for m in process_cpu_seconds_total process_resident_memory_bytes \
		    process_virtual_memory_bytes process_open_fds \
		    process_max_fds process_start_time_seconds; do
			[ -n "$(val "$f" $m)" ] || die "$d: no $m"
		done
		# Its sockets, the registry, the log: more than a few.
		fds=$(ls "/proc/$pid/fd" | wc -l)
		[ "$(val "$f" process_open_fds)" -ge 4 ] &&
		    [ "$(val "$f" process_open_fds)" -le "$((fds + 2))" ] ||
		    die "$d: process_open_fds $(val "$f" process_open_fds), /proc says $fds"
		start=$(val "$f" process_start_time_seconds)
		start=${start%.*}
		[ "$start" -le "$now" ] && [ "$start" -ge $((now - 60)) ] ||
		    die "$d: start time $start, now $now"
		[ "$(val "$f" process_max_fds)" -gt 0 ] || die "$d: no max fds"
	done
	pb_pass
}

# 3. N clients' DORA: N DISCOVERs and N REQUESTs counted, N OFFERs and
# ACKs sent, N addresses used of the pool, N leases bound; batch sizes
# add up to the messages; the commit histogram counts the commits.
t_dhcp_counters() {
	local a=$OUT/dhcp-before b=$OUT/dhcp-after o=$OUT/dora-n n

	scrape "$M_DHCPD" "$a" || die "scrape before"
	ip netns exec "$NS_CLI" timeout 60 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_FIRST" -n "$N_CLIENTS" dora >"$o" 2>&1 ||
	    die "pbprobe -n $N_CLIENTS: $(tail -n 2 "$o")"
	grep -q "^acked $N_CLIENTS of $N_CLIENTS" "$o" ||
	    die "pbprobe: $(tail -n 1 "$o")"
	scrape "$M_DHCPD" "$b" || die "scrape after"
	n=$N_CLIENTS
	expect discovers "$(delta "$a" "$b" \
	    'provbox_dhcp_messages_received_total{type="discover"}')" "$n"
	expect requests "$(delta "$a" "$b" \
	    'provbox_dhcp_messages_received_total{type="request"}')" "$n"
	expect offers "$(delta "$a" "$b" \
	    'provbox_dhcp_messages_sent_total{type="offer"}')" "$n"
	expect acks "$(delta "$a" "$b" \
	    'provbox_dhcp_messages_sent_total{type="ack"}')" "$n"
	expect naks "$(delta "$a" "$b" \
	    'provbox_dhcp_messages_sent_total{type="nak"}')" 0
	expect datagrams "$(delta "$a" "$b" \
	    provbox_dhcp_datagrams_received_total)" $((2 * n))
	expect "malformed (sum)" "$(sum "$b" provbox_dhcp_malformed_total)" 0
	# Pool and leases: the registry holds exactly these N bindings.
	local pool='{subnet="10.42.0.0/24",pool="10.42.0.100-10.42.0.200"}'
	expect "pool size" "$(val "$b" "provbox_dhcp_pool_addresses$pool")" \
	    "$POOL_SIZE"
	expect "pool used" \
	    "$(val "$b" "provbox_dhcp_pool_used_addresses$pool")" "$n"
	expect "pool quarantined" \
	    "$(val "$b" "provbox_dhcp_pool_quarantined_addresses$pool")" 0
	expect "bound leases" "$(val "$b" 'provbox_dhcp_leases{state="bound"}')" \
	    "$n"
	expect "offered leases" \
	    "$(val "$b" 'provbox_dhcp_leases{state="offered"}')" 0
	# Histograms: +Inf equals _count; batches add up to the messages
	# (no malformed ones, no probes); one commit per batch that stored.
	expect "batch +Inf vs count" \
	    "$(val "$b" 'provbox_dhcp_batch_messages_bucket{le="+Inf"}')" \
	    "$(val "$b" provbox_dhcp_batch_messages_count)"
	expect "batch messages sum" \
	    "$(printf '%.0f' "$(val "$b" provbox_dhcp_batch_messages_sum)")" \
	    "$(sum "$b" provbox_dhcp_messages_received_total)"
	expect "commit histogram count" \
	    "$(val "$b" provbox_dhcp_commit_duration_seconds_count)" \
	    "$(val "$b" provbox_dhcp_registry_commits_total)"
	expect "commit +Inf vs count" \
	    "$(val "$b" 'provbox_dhcp_commit_duration_seconds_bucket{le="+Inf"}')" \
	    "$(val "$b" provbox_dhcp_commit_duration_seconds_count)"
	[ "$(delta "$a" "$b" provbox_dhcp_registry_commits_total)" -ge 1 ] ||
	    die "no commit counted"
	expect "commit failures" \
	    "$(val "$b" provbox_dhcp_registry_commit_failures_total)" 0
	pb_pass
}

# 4. M HTTPS requests of known outcome: a phone enrolling (its file
# through the first-access URL, then through its permanent folder: 200
# twice), 3 guesses of a folder (404, refused "token"), 2 POSTs (405,
# refused "method"). Counted by code and refusal; the latency histogram
# counts every request; the enrollment events (the DHCP server's, the
# provisioning server's); one handshake each, no connection left open.
t_https_counters() {
	local a=$OUT/prov-before b=$OUT/prov-after o=$OUT/https url fa mac i
	local total

	mac=$(echo "$MAC_ALICE" | tr -d :)
	scrape "$M_PROVD" "$a" && scrape "$M_DHCPD" "$a.d" ||
	    die "scrape before"
	timeout 20 "$CTL" -c "$CONF" enroll "$MAC_ALICE" --for 10m \
	    >"$o.enroll" 2>&1 || die "provboxctl enroll: $(cat "$o.enroll")"
	ip netns exec "$NS_CLI" timeout 60 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_ALICE" -V yealink -P 1,3,66 dora >"$o.dora" 2>&1 ||
	    die "no ACK: $(head -n 2 "$o.dora")"
	ip -n "$NS_CLI" addr add "$(pb_kv yiaddr "$o.dora")/24" \
	    dev "$IF_CLI" || die "cannot configure the leased address"
	fa=$(pb_kv opt66 "$o.dora")
	[[ $fa == https://*/p/*/ ]] || die "option 66 is '$fa'"
	# The DHCP server recorded the first-access URL it handed out.
	scrape "$M_DHCPD" "$b.d" || die "dhcpd scrape"
	expect "first-access URLs handed" "$(delta "$a.d" "$b.d" \
	    'provbox_dhcp_enrollment_events_total{event="first-access-handed"}')" 1
	url=$(timeout 20 "$CTL" -c "$CONF" url alice 2>"$o.ctl" | head -n 1)
	[ -n "$url" ] || die "provboxctl url alice: $(cat "$o.ctl")"
	fetch "$o.fa" "$fa$mac.cfg"
	expect "first-access fetch" "$(cat "$o.fa.code")" 200
	fetch "$o.cfg" "$url$mac.cfg"
	expect "permanent fetch" "$(cat "$o.cfg.code")" 200
	for i in 1 2 3; do
		fetch "$o.guess$i" \
		    "$BASE_URL/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0$i/$mac.cfg"
		expect "guess $i" "$(cat "$o.guess$i.code")" 404
	done
	for i in 1 2; do
		fetch "$o.post$i" "$url$mac.cfg" -X POST
		expect "POST $i" "$(cat "$o.post$i.code")" 405
	done
	# The last connection may still be closing: wait for none open.
	pb_wait_for 10 eval 'scrape "$M_PROVD" "$b" &&
	    [ "$(val "$b" provbox_prov_open_connections)" = 0 ]' ||
	    die "connections open: $(val "$b" provbox_prov_open_connections)"
	expect "200s" "$(delta "$a" "$b" \
	    'provbox_prov_requests_total{scheme="https",code="200"}')" 2
	expect "404s" "$(delta "$a" "$b" \
	    'provbox_prov_requests_total{scheme="https",code="404"}')" 3
	expect "405s" "$(delta "$a" "$b" \
	    'provbox_prov_requests_total{scheme="https",code="405"}')" 2
	total=$(sum "$b" provbox_prov_requests_total)
	expect "all requests" "$total" 7
	expect "refused token" "$(delta "$a" "$b" \
	    'provbox_prov_refusals_total{reason="token"}')" 3
	expect "refused method" "$(delta "$a" "$b" \
	    'provbox_prov_refusals_total{reason="method"}')" 2
	expect "refusals (sum)" "$(sum "$b" provbox_prov_refusals_total)" 5
	expect "latency count" \
	    "$(val "$b" provbox_prov_request_duration_seconds_count)" "$total"
	expect "latency +Inf" "$(val "$b" \
	    'provbox_prov_request_duration_seconds_bucket{le="+Inf"}')" "$total"
	expect "by class (sum)" \
	    "$(sum "$b" provbox_prov_requests_by_class_total)" "$total"
	expect "yealink requests" "$(val "$b" \
	    'provbox_prov_requests_by_class_total{class="yealink"}')" 2
	expect "first-access fetches" "$(val "$b" \
	    'provbox_prov_enrollment_events_total{event="first_access_fetched"}')" 1
	expect "provisioned" "$(val "$b" \
	    'provbox_prov_enrollment_events_total{event="provisioned"}')" 1
	expect "accepted" "$(val "$b" \
	    provbox_prov_connections_accepted_total)" 7
	expect "handshakes" "$(val "$b" provbox_prov_tls_handshakes_total)" 7
	expect "resumptions" "$(val "$b" provbox_prov_tls_resumptions_total)" 0
	expect "guard misses" "$(val "$b" provbox_prov_guard_misses_total)" 3
	pb_pass
}

# 5. The admin listener: only GET/HEAD /metrics; 405 with Allow for other
# methods, 404 elsewhere; both daemons still serve after all that.
t_listener() {
	local o=$OUT/listener code m

	for m in POST PUT DELETE; do
		code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -X $m \
		    -D "$o.h" -o "$o" -w '%{http_code}' \
		    "http://$M_DHCPD/metrics")
		expect "$m /metrics" "$code" 405
		grep -qi '^Allow: GET, HEAD' "$o.h" || die "$m: no Allow header"
	done
	code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -o "$o" \
	    -w '%{http_code}' "http://$M_PROVD/")
	expect "GET /" "$code" 404
	code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -o "$o" \
	    -w '%{http_code}' "http://$M_PROVD/metricsx")
	expect "GET /metricsx" "$code" 404
	code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -I -o "$o" \
	    -w '%{http_code}' "http://$M_PROVD/metrics")
	expect "HEAD /metrics" "$code" 200
	scrape "$M_DHCPD" "$o.d" && scrape "$M_PROVD" "$o.p" ||
	    die "a scrape after the bad requests"
	pb_alive "$(pb_daemon_pid dhcpd)" && pb_alive "$(pb_daemon_pid provisiond)" ||
	    die "a daemon died"
	pb_pass
}

# 6. A local client holding 24 idle connections: the daemon accepts 16
# (METRICS_MAX_CONNS in common/metrics.c), its descriptors grow by no
# more; once they close, a scrape is answered again.
t_connection_cap() {
	local pid fds0 o=$OUT/cap hold

	pid=$(pb_daemon_pid dhcpd)
	fds0=$(ls "/proc/$pid/fd" | wc -l)
	cat >"$o.py" <<'EOF'
import socket, sys, time
host, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(24):
    s = socket.socket()
    s.settimeout(5)
    s.connect((host, port))
    socks.append(s)
open(ready, "w").close()
time.sleep(3)
for s in socks:
    s.close()
EOF
	pb_bg ip netns exec "$NS_SRV" timeout 20 python3 "$o.py" \
	    "${M_DHCPD%:*}" "${M_DHCPD#*:}" "$o.ready"
	hold=$PB_BG_PID
	pb_wait_for 10 test -e "$o.ready" || die "the client did not connect"
	pb_wait_for 3 eval '[ "$(ls "/proc/$pid/fd" | wc -l)" -ge $((fds0 + 16)) ]' ||
	    die "fewer than 16 accepted: $(ls "/proc/$pid/fd" | wc -l) descriptors, $fds0 before"
	sleep 0.5
	[ "$(ls "/proc/$pid/fd" | wc -l)" -le $((fds0 + 17)) ] ||
	    die "more than 16 accepted: $(ls "/proc/$pid/fd" | wc -l) descriptors, $fds0 before"
	wait "$hold"
	pb_wait_for 10 scrape "$M_DHCPD" "$o.after" ||
	    die "no scrape after the connections closed"
	pb_wait_for 10 eval '[ "$(ls "/proc/$pid/fd" | wc -l)" -le $((fds0 + 1)) ]' ||
	    die "descriptors left: $(ls "/proc/$pid/fd" | wc -l), $fds0 before"
	pb_pass
}

# 7. The deadline no byte moves: a client sending its request a byte a
# second is cut off 5 s after it connected (METRICS_DEADLINE); headers
# over 8 KB are answered 431.
t_deadline() {
	local o=$OUT/deadline code took big

	cat >"$o.py" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
t0 = time.monotonic()
s.settimeout(0.2)
try:
    for c in b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 30:
        s.sendall(bytes([c]))
        try:
            if s.recv(1) == b"":
                break
        except socket.timeout:
            pass
        time.sleep(0.8)
except OSError:
    pass
print("%.1f" % (time.monotonic() - t0))
EOF
	took=$(ip netns exec "$NS_SRV" timeout 30 python3 "$o.py" \
	    "${M_DHCPD%:*}" "${M_DHCPD#*:}" 2>"$o.err") ||
	    die "the slow client: $(cat "$o.err")"
	awk -v t="$took" 'BEGIN { exit !(t >= 4.5 && t <= 7) }' ||
	    die "the slow client was cut off after ${took}s, not 5"
	big=$(head -c 9000 /dev/zero | tr '\0' a)
	code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -o /dev/null \
	    -H "X-Big: $big" -w '%{http_code}' "http://$M_DHCPD/metrics")
	expect "9000-byte header" "$code" 431
	scrape "$M_DHCPD" "$o.after" || die "no scrape afterwards"
	pb_pass
}

# 8. metrics.tls: both serve HTTPS with the provisioning certificate
# (verified against it), which passes promtool; plain HTTP gets nothing.
t_tls() {
	local d addr o code

	pb_daemon_stop dhcpd || die "provbox-dhcpd was not running"
	pb_daemon_stop provisiond || die "provbox-provisiond was not running"
	dhcpd_start "$CONF_TLS" ||
	    die "provbox-dhcpd with metrics.tls: $(tail -n 2 "$DHCPD_LOG")"
	prov_start "$CONF_TLS" ||
	    die "provbox-provisiond with metrics.tls: $(tail -n 2 "$PROV_LOG")"
	for d in dhcpd provisiond; do
		addr=$M_DHCPD
		[ $d = provisiond ] && addr=$M_PROVD
		o=$OUT/tls-$d
		# The certificate names $SRV_IP: curl checks it for that name.
		code=$(ip netns exec "$NS_SRV" timeout 10 curl -s \
		    --cacert "$CONF_DIR/tls/server.crt" \
		    --resolve "$SRV_IP:${addr#*:}:${addr%:*}" -o "$o" \
		    -w '%{http_code}' "https://$SRV_IP:${addr#*:}/metrics" \
		    2>"$o.err")
		expect "$d over HTTPS" "$code" 200
		promtool check metrics <"$o" >"$o.lint" 2>&1 && [ ! -s "$o.lint" ] ||
		    die "$d: promtool: $(head -n 3 "$o.lint")"
		grep -q '^process_open_fds ' "$o" || die "$d: no process metrics"
		code=$(ip netns exec "$NS_SRV" timeout 10 curl -s -o /dev/null \
		    -w '%{http_code}' "http://$addr/metrics")
		[ "$code" != 200 ] || die "$d answered plain HTTP on its TLS port"
	done
	pb_pass
}

# 9. Both stop cleanly: no seccomp kill from a scrape, no sanitizer report.
t_stop() {
	local d log bad

	for d in dhcpd provisiond; do
		log=$DHCPD_LOG
		[ $d = provisiond ] && log=$PROV_LOG
		pb_daemon_stop $d || die "$d was not running"
		grep -q "signal 15: stopping" "$log" ||
		    die "$d did not stop cleanly: $(tail -n 2 "$log")"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:|seccomp" \
	    "$DHCPD_LOG" "$PROV_LOG" 2>/dev/null | grep -v 'seccomp filter' |
	    head -n 3)
	[ -z "$bad" ] || die "$bad"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! id "$RUN_USER" >/dev/null 2>&1; then
	pb_say "SKIP metrics-integration: no user $RUN_USER"
	exit 77
fi
setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
timeout 30 "$CTL" -c "$CONF" check >"$OUT/check.out" 2>&1 ||
    { pb_fail setup "provboxctl check: $(tail -n 2 "$OUT/check.out")"; pb_finish; }

pb_run off-by-default 60 t_off_by_default
pb_run scrape-and-process 60 t_scrape_and_process
pb_run dhcp-counters 90 t_dhcp_counters
pb_run https-counters 90 t_https_counters
pb_run listener 30 t_listener
pb_run connection-cap 40 t_connection_cap
pb_run deadline 40 t_deadline
pb_run tls 60 t_tls
PB_ONLY='' pb_run stop 60 t_stop
pb_daemon_stop dhcpd
pb_daemon_stop provisiond
pb_finish
