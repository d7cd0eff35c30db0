#!/bin/bash
# ctlsock.sh - the daemons' control sockets (issue #16 point 1): every
# command against both running daemons, through a python3 client that
# sends raw bytes and through provboxctl.
#
#   sudo bash tests/integration/ctlsock.sh [BUILD_DIR [RESULTS_FILE]]
#
#   $T-c1: ${T}c1 (udhcpc, MAC A) --+
#   $T-c2: ${T}c2 (udhcpc, MAC B) --+-- bridge ${T}br 10.44.0.1/24 in $T-srv:
#                                       provbox-dhcpd (pool: ONE address),
#                                       provbox-provisiond, as nobody
#
# What it asserts: the socket files (0660, root and the daemons' group);
# list-commands, version-get, status, log-level-set, config-test,
# config-reload (applied, and refused with every error while the old
# config keeps serving), statistic-get (counters that match what the
# clients did), lease-list, lease-get, lease-release (the one address goes
# to the next client at once), lease-delete, device-get (no secret in
# it), an unsupported command; malformed, duplicate-key, too deep and
# oversized requests answered with errors and counted while the daemon
# serves on; a peer neither root nor in the group refused by the file and,
# with the file opened to all, by SO_PEERCRED; a stale socket file
# replaced at start; provboxctl ctl, status, lease, reload [--daemon]
# through the sockets and their fallbacks when the daemon is gone.

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="openssl=openssl ip=iproute2 python3=python3 jq=jq udhcpc=udhcpc setpriv=util-linux"
pb_init "${1:-$here/../../build}" "${2:-}" ctlsock-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_C1=$T-c1
NS_C2=$T-c2
BR=${T}br
SRV_IP=10.44.0.1
POOL_IP=10.44.0.100
MAC_A=02:00:00:44:00:0a
MAC_B=02:00:00:44:00:0b
MAC_PHONE=80:5e:c0:44:00:01
PROVD=$PB_BUILD/provbox-provisiond
RUN_USER=nobody
STRANGER=54321		# neither root, nor nobody, nor in its group
CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
RUN=$PB_TMP/run
REG=$PB_TMP/registry
OUT=$PB_TMP/out
LOGS=$PB_TMP/logs
DLOG=$LOGS/dhcpd.log
PLOG=$LOGS/provisiond.log
DSOCK=$RUN/provbox-dhcpd.ctl
PSOCK=$RUN/provbox-provisiond.ctl
mkdir -p "$OUT" "$LOGS"
: >"$DLOG"
: >"$PLOG"

# --------------------------------------------------------------- set-up

# write_main [POOL_END]: the main file (a bad POOL_END breaks it).
write_main() {
	cat >"$CONF" <<EOF
# Written by tests/integration/ctlsock.sh.
registry = { path = "$REG"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$RUN";
user = "$RUN_USER";
dhcp = {
  authoritative = true;
  reserve = 0;
  lease_time = 3600;
  subnets = (
    { subnet = "10.44.0.0/24";
      pools = ( { start = "$POOL_IP"; end = "${1:-$POOL_IP}"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  listen = [ "$SRV_IP:443" ];
  base_url = "https://$SRV_IP";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
}

write_config() {
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	write_main
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "hugo"; display_name = "Hugo";
    sip = { user = "208"; password = "hugo-Ctl-Pw-8001"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_PHONE"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
	pb_conf_share "$CONF_DIR" "$RUN_USER" "$RUN" "$REG" || return 1
	# run_dir lets anyone through to the socket, whose own mode decides.
	chmod 711 "$RUN" && chmod 750 "$REG"
}

setup_network() {
	local ns ifc mac

	pb_ns_add "$NS_SRV" && pb_ns_add "$NS_C1" && pb_ns_add "$NS_C2" ||
	    return 1
	ip -n "$NS_SRV" link add "$BR" type bridge &&
	    ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" &&
	    ip -n "$NS_SRV" link set "$BR" up || return 1
	for ns in c1 c2; do
		ifc=${T}$ns
		mac=$MAC_A
		[ $ns = c2 ] && mac=$MAC_B
		ip -n "$NS_SRV" link add "${ifc}p" type veth peer name "$ifc" \
		    netns "$T-$ns" || return 1
		ip -n "$NS_SRV" link set "${ifc}p" master "$BR" up &&
		    ip -n "$T-$ns" link set "$ifc" address "$mac" &&
		    ip -n "$T-$ns" link set "$ifc" up || return 1
	done
}

# The client: one request (stdin's bytes as they are) on socket $1, the
# answer on stdout; exit 3 when the connection was refused or reset.
cat >"$PB_TMP/ctlreq.py" <<'EOF'
import socket, sys
data = sys.stdin.buffer.read()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect: %s" % e.strerror, file=sys.stderr)
    sys.exit(3)
s.settimeout(20)
try:
    s.sendall(data)
    if len(sys.argv) < 3:
        s.shutdown(socket.SHUT_WR)
except OSError:
    pass    # an oversized request: the daemon may stop reading
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except OSError as e:
    if not out:
        print("recv: %s" % e, file=sys.stderr)
        sys.exit(3)
sys.stdout.buffer.write(out)
EOF

# req SOCKET JSON: the answer to one request (ended by EOF); "{}" when
# there was none, so that no jq test passes on nothing.
req() {
	local a

	a=$(printf '%s' "$2" | python3 "$PB_TMP/ctlreq.py" "$1")
	[ -n "$a" ] || a="{}"
	printf '%s\n' "$a"
}

# cmd SOCKET COMMAND [ARGS-JSON]
cmd() {
	if [ -n "${3:-}" ]; then
		req "$1" "{\"command\": \"$2\", \"arguments\": $3}"
	else
		req "$1" "{\"command\": \"$2\"}"
	fi
}

# jq_e ARGS...: jq -e on stdin, false when stdin is empty (jq -e is
# true on no input at all).
jq_e() {
	local in

	in=$(cat)
	[ -n "$in" ] && jq -e "$@" <<<"$in"
}

# result ANSWER: its result code.
result() { jq -r '.result' <<<"$1" 2>/dev/null; }

ctl() {
	"$CTL" -c "$CONF" "$@" 2>>"$OUT/provboxctl.err"
}

# udhcpc_once NS IF: one udhcpc run that gets a lease and quits without
# releasing it; the address it got on stdout (nothing if none).
udhcpc_once() {
	local ns=$1 ifc=$2 log=$OUT/udhcpc.$1.$(date +%s%N)

	cat >"$PB_TMP/udhcpc-script" <<EOF
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" >"$log.ip"
exit 0
EOF
	chmod +x "$PB_TMP/udhcpc-script"
	timeout 20 ip netns exec "$ns" udhcpc -f -q -n -t 4 -T 1 -A 1 \
	    -i "$ifc" -s "$PB_TMP/udhcpc-script" >"$log" 2>&1
	cat "$log.ip" 2>/dev/null
}

start_dhcpd() {
	pb_daemon_start dhcpd "$NS_SRV" "$DLOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF" && pb_wait_for 10 test -S "$DSOCK"
}

start_provd() {
	pb_daemon_start provd "$NS_SRV" "$PLOG" "provbox-provisiond started" \
	    "$PROVD" -f -c "$CONF" && pb_wait_for 10 test -S "$PSOCK"
}

# ---------------------------------------------------------------- tests

t_start() {
	local grp

	grp=$(id -gn "$RUN_USER")
	"$CTL" -c "$CONF" sync >"$OUT/sync.out" 2>&1 &&
	    chown -R "$RUN_USER:$grp" "$REG" || {
		pb_fail start "provboxctl sync: $(cat "$OUT/sync.out")"
		return
	}
	# A socket file a crashed daemon left behind: replaced at start.
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$DSOCK"
	[ -S "$DSOCK" ] || { pb_fail start "cannot make a stale socket"; return; }
	start_dhcpd || { pb_fail start "dhcpd did not start: $(tail -n 5 "$DLOG")"; return; }
	start_provd || { pb_fail start "provisiond did not start: $(tail -n 5 "$PLOG")"; return; }
	pb_pass start
}

t_socket_files() {
	local grp s m

	grp=$(id -gn "$RUN_USER")
	for s in "$DSOCK" "$PSOCK"; do
		m=$(stat -c '%a %U %G %F' "$s")
		[ "$m" = "660 root $grp socket" ] || {
			pb_fail socket-files "$s: $m, not 660 root $grp socket"
			return
		}
	done
	pb_pass socket-files
}

t_list_commands() {
	local a c

	a=$(cmd "$DSOCK" list-commands)
	for c in list-commands version-get status config-reload config-test \
	    log-level-set statistic-get lease-list lease-get lease-release \
	    lease-delete; do
		jq_e --arg c "$c" '.result == 0 and
		    any(.arguments.commands[]; .name == $c)' <<<"$a" \
		    >/dev/null || { pb_fail list-commands "dhcpd: no $c: $a"; return; }
	done
	a=$(cmd "$PSOCK" list-commands)
	for c in status config-reload statistic-get device-get; do
		jq_e --arg c "$c" 'any(.arguments.commands[]; .name == $c)' \
		    <<<"$a" >/dev/null || { pb_fail list-commands "provisiond: no $c: $a"; return; }
	done
	pb_pass list-commands
}

t_version_status() {
	local a v pid

	v=$("$DHCPD" --version | awk '{ print $2 }')
	a=$(cmd "$DSOCK" version-get)
	jq_e --arg v "$v" '.result == 0 and .arguments.version == $v and
	    .arguments.name == "provbox-dhcpd"' <<<"$a" >/dev/null || {
		pb_fail version-status "version-get: $a (want $v)"; return; }
	pid=$(cat "$RUN/provbox-provisiond.pid")
	a=$(cmd "$PSOCK" status)
	jq_e --argjson p "$pid" --arg c "$CONF" '.result == 0 and
	    .arguments.pid == $p and .arguments.config == $c and
	    .arguments.uptime >= 0 and .arguments.log_level == "info"' \
	    <<<"$a" >/dev/null || { pb_fail version-status "status: $a"; return; }
	pb_pass version-status
}

t_log_level() {
	local a mark

	a=$(cmd "$DSOCK" log-level-set '{"level": "debug"}')
	jq_e '.result == 0 and .arguments.level == "debug" and
	    .arguments.previous == "info"' <<<"$a" >/dev/null || {
		pb_fail log-level "$a"; return; }
	jq_e '.arguments.log_level == "debug"' <<<"$(cmd "$DSOCK" status)" \
	    >/dev/null || { pb_fail log-level "status does not say debug"; return; }
	a=$(cmd "$DSOCK" log-level-set '{"level": "loud"}')
	jq_e '.result == 1 and (.text | test("level"))' <<<"$a" >/dev/null ||
	    { pb_fail log-level "a bad level: $a"; return; }
	mark=$(pb_lines "$DLOG")
	cmd "$DSOCK" log-level-set '{"level": "info"}' >/dev/null
	pb_wait_for 5 pb_grep_after "$DLOG" "$mark" "log level info" || {
		pb_fail log-level "no log line for the change"; return; }
	pb_pass log-level
}

# The pool's one address to client A; B gets none; released through the
# socket, B gets it; deleted through provboxctl (through dhcpd), A gets
# it back.
t_lease_release() {
	local a ip

	ip=$(udhcpc_once "$NS_C1" "${T}c1")
	[ "$ip" = "$POOL_IP" ] || { pb_fail lease-release "A got '$ip'"; return; }
	ip=$(udhcpc_once "$NS_C2" "${T}c2")
	[ -z "$ip" ] || { pb_fail lease-release "B got '$ip' from a full pool"; return; }
	a=$(cmd "$DSOCK" lease-get "{\"ip\": \"$POOL_IP\"}")
	jq_e --arg m "$MAC_A" '.result == 0 and .arguments.leases[0].mac == $m
	    and .arguments.leases[0].state == "bound"' <<<"$a" >/dev/null ||
	    { pb_fail lease-release "lease-get ip: $a"; return; }
	a=$(cmd "$DSOCK" lease-get "{\"mac\": \"$MAC_A\"}")
	jq_e --arg i "$POOL_IP" '.result == 0 and
	    .arguments.leases[0].address == $i' <<<"$a" >/dev/null ||
	    { pb_fail lease-release "lease-get mac: $a"; return; }
	a=$(cmd "$DSOCK" lease-list '{"state": "bound"}')
	jq_e '.result == 0 and .arguments.count == 1 and
	    (.arguments.leases | length) == 1' <<<"$a" >/dev/null ||
	    { pb_fail lease-release "lease-list: $a"; return; }
	a=$(cmd "$DSOCK" lease-release "{\"ip\": \"$POOL_IP\"}")
	jq_e --arg m "$MAC_A" '.result == 0 and .arguments.action == "released"
	    and .arguments.was.mac == $m and .arguments.was.state == "bound"' \
	    <<<"$a" >/dev/null || { pb_fail lease-release "lease-release: $a"; return; }
	ip=$(udhcpc_once "$NS_C2" "${T}c2")
	[ "$ip" = "$POOL_IP" ] || {
		pb_fail lease-release "B got '$ip' after the release"; return; }
	a=$(ctl --json lease delete "$POOL_IP")
	jq_e --arg m "$MAC_B" '.via == "dhcpd" and .action == "deleted" and
	    .was.mac == $m' <<<"$a" >/dev/null ||
	    { pb_fail lease-release "provboxctl lease delete: $a"; return; }
	a=$(cmd "$DSOCK" lease-get "{\"ip\": \"$POOL_IP\"}")
	[ "$(result "$a")" = 3 ] || { pb_fail lease-release "deleted, lease-get: $a"; return; }
	ip=$(udhcpc_once "$NS_C1" "${T}c1")
	[ "$ip" = "$POOL_IP" ] || {
		pb_fail lease-release "A got '$ip' after the delete"; return; }
	a=$(cmd "$DSOCK" lease-release '{"ip": "10.99.0.1"}')
	jq_e '.result == 1 and (.text | test("no configured subnet"))' \
	    <<<"$a" >/dev/null || { pb_fail lease-release "off-subnet: $a"; return; }
	a=$(cmd "$DSOCK" lease-delete '{"ip": "10.44.0.7"}')
	[ "$(result "$a")" = 3 ] || { pb_fail lease-release "no record: $a"; return; }
	pb_pass lease-release
}

# Counters match the exchanges above: 3 leases bound (A, B, A again), B's
# failed try offered nothing.
t_statistics() {
	local a

	a=$(cmd "$DSOCK" statistic-get)
	jq_e '.result == 0 and .arguments.sent.DHCPACK == 3 and
	    .arguments.sent.DHCPOFFER == 3 and .arguments.pool_size == 1 and
	    .arguments.pool_used == 1 and .arguments.leases.bound == 1 and
	    .arguments.received >= 6' <<<"$a" >/dev/null || {
		pb_fail statistics "dhcpd: $a"; return; }
	a=$(cmd "$PSOCK" statistic-get)
	jq_e '.result == 0 and (.arguments.requests | type) == "number" and
	    (.arguments.by_status["4xx"] | type) == "number" and
	    (.arguments.connections.accepted | type) == "number" and
	    (.arguments.connections.open | type) == "number" and
	    (.arguments.guard.misses | type) == "number"' <<<"$a" \
	    >/dev/null || { pb_fail statistics "provisiond: $a"; return; }
	pb_pass statistics
}

t_device_get() {
	local a

	a=$(cmd "$PSOCK" device-get "{\"mac\": \"$MAC_PHONE\"}")
	jq_e '.result == 0 and .arguments.registered and
	    .arguments.user == "hugo" and .arguments.class == "yealink" and
	    .arguments.token.state == "active" and
	    (.arguments.enrollment.state | type) == "string" and
	    (.arguments.events | type) == "array"' <<<"$a" >/dev/null || {
		pb_fail device-get "$a"; return; }
	# No token and no password in it.
	if grep -qE '[A-Za-z0-9_-]{32}|hugo-Ctl-Pw' <<<"$a"; then
		pb_fail device-get "a secret in the answer: $a"; return
	fi
	a=$(cmd "$PSOCK" device-get '{"mac": "02:99:99:99:99:99"}')
	[ "$(result "$a")" = 3 ] || { pb_fail device-get "unknown MAC: $a"; return; }
	a=$(cmd "$PSOCK" device-get '{"mac": 7}')
	[ "$(result "$a")" = 1 ] || { pb_fail device-get "a number as MAC: $a"; return; }
	pb_pass device-get
}

t_config_test() {
	local a bad=$CONF_DIR/bad.conf

	a=$(cmd "$DSOCK" config-test)
	jq_e '.result == 0 and .arguments.ok and .arguments.errors == []' \
	    <<<"$a" >/dev/null || { pb_fail config-test "good: $a"; return; }
	sed 's/routers = \[ "10.44.0.1" \];/routers = [ "10.44.0.1" ]; bogus = 1;/' \
	    "$CONF" >"$bad"
	a=$(cmd "$PSOCK" config-test "{\"path\": \"$bad\"}")
	jq_e --arg f "$bad" '.result == 1 and (.arguments.ok | not) and
	    any(.arguments.errors[]; .file == $f and .line > 0 and
	    (.message | length) > 0)' <<<"$a" >/dev/null ||
	    { pb_fail config-test "bad: $a"; return; }
	pb_pass config-test
}

# A config with two errors: config-reload refuses it with both, the old
# one serves on; provboxctl reload says so and exits 1; then a good one.
t_reload() {
	local a ip

	cp "$CONF" "$PB_TMP/good.conf"
	write_main 10.44.0.300
	sed -i 's/lease_time = 3600;/lease_time = -5;/' "$CONF"
	a=$(cmd "$DSOCK" config-reload)
	jq_e '.result == 1 and (.arguments.applied | not) and
	    (.arguments.errors | length) >= 2 and
	    all(.arguments.errors[]; (.message | length) > 0 and
	    (.file | type) == "string" and (.line | type) == "number")' \
	    <<<"$a" >/dev/null || { pb_fail reload "refused: $a"; return; }
	# The old config serves: A renews its address, status says refused.
	ip=$(udhcpc_once "$NS_C1" "${T}c1")
	[ "$ip" = "$POOL_IP" ] || { pb_fail reload "after the refusal A got '$ip'"; return; }
	jq_e '.arguments.last_reload.ok == false' <<<"$(cmd "$DSOCK" status)" \
	    >/dev/null || { pb_fail reload "status: no refused reload"; return; }
	a=$(ctl --json reload)
	[ $? -eq 1 ] || { pb_fail reload "provboxctl reload of a bad config exited 0"; return; }
	jq_e '.config_ok == false and (.errors | length) >= 2' <<<"$a" \
	    >/dev/null || { pb_fail reload "provboxctl reload --json: $a"; return; }
	cp "$PB_TMP/good.conf" "$CONF"
	a=$(cmd "$PSOCK" config-reload)
	jq_e '.result == 0 and .arguments.applied and .arguments.errors == []' \
	    <<<"$a" >/dev/null || { pb_fail reload "good: $a"; return; }
	a=$(ctl --json reload)
	jq_e '.config_ok and ([.daemons[] | select(.result == "reloaded" and
	    .via == "socket")] | length) == 2' <<<"$a" >/dev/null ||
	    { pb_fail reload "provboxctl reload: $a"; return; }
	ctl reload --daemon dhcpd >"$OUT/reload-d.out" &&
	    grep -q "provbox-dhcpd (pid [0-9]*): reloaded" "$OUT/reload-d.out" &&
	    ! grep -q provisiond "$OUT/reload-d.out" ||
	    { pb_fail reload "reload --daemon dhcpd: $(cat "$OUT/reload-d.out")"; return; }
	pb_pass reload
}

# Bad requests: each answered result 1 with its reason (2 for an unknown
# command), counted, and the daemon answers the next one.
t_malformed() {
	local a n0 n1 big

	n0=$(cmd "$DSOCK" status | jq '.arguments.control_socket.malformed')
	check() {	# check REQUEST RESULT REGEX
		a=$(req "$DSOCK" "$1")
		jq_e --argjson r "$2" --arg re "$3" '.result == $r and
		    (.text | test($re))' <<<"$a" >/dev/null || {
			pb_fail malformed "request '${1:0:60}': $a"; return 1; }
	}
	check 'hello' 1 'not JSON' || return
	check '' 1 'empty request' || return
	check '[1,2]' 1 'JSON object' || return
	check '{"command": "status", "command": "status"}' 1 'duplicate' || return
	check '{"arguments": {}}' 1 'no "command"' || return
	check '{"command": 5}' 1 'must be a string' || return
	check '{"command": "St@tus"}' 1 'a-z' || return
	check '{"command": "status", "arguments": [1]}' 1 'must be an object' || return
	check '{"command": "status", "extra": 1}' 1 'unknown key' || return
	check '{"command": "status", "arguments": {"a": [[[[[[[[[[1]]]]]]]]]]}}' \
	    1 'nested deeper' || return
	check "$(printf '%*s' 30000 '' | tr ' ' '[')" 1 'nested deeper' || return
	check '{"command": "no-such-thing"}' 2 'unsupported command' || return
	check $'{"command": "\xff\xfe"}' 1 'not JSON' || return
	# 200 KB without a newline: refused before the end.
	big=$PB_TMP/big.json
	python3 -c 'import sys; sys.stdout.write("{\"command\": \"status\", \"arguments\": {\"x\": \"" + "a" * 200000 + "\"}}")' >"$big"
	a=$(python3 "$PB_TMP/ctlreq.py" "$DSOCK" <"$big")
	jq_e '.result == 1 and (.text | test("too large"))' <<<"$a" \
	    >/dev/null || { pb_fail malformed "oversized: ${a:0:200}"; return; }
	# Said nothing: answered with a timeout after 10 s (the client keeps
	# its end open: "keep" sends no EOF).
	a=$(printf '{"command"' | python3 "$PB_TMP/ctlreq.py" "$DSOCK" keep)
	jq_e '.result == 1 and (.text | test("timeout"))' <<<"$a" \
	    >/dev/null || { pb_fail malformed "slow client: $a"; return; }
	n1=$(cmd "$DSOCK" status | jq '.arguments.control_socket.malformed')
	[ "$((n1 - n0))" -eq 13 ] || {
		pb_fail malformed "malformed counted $((n1 - n0)), want 13"; return; }
	a=$(cmd "$DSOCK" lease-get "{\"ip\": \"$POOL_IP\"}")
	[ "$(result "$a")" = 0 ] && pb_alive "$(pb_daemon_pid dhcpd)" || {
		pb_fail malformed "the daemon no longer answers: $a"; return; }
	pb_pass malformed
}

# A user neither root nor in the group: the file keeps it out; with the
# file opened to all, the daemon's own check refuses it. nobody's group is
# let in.
t_peer() {
	local a

	# A python3 the stranger may run (not one under root's home).
	SYS_PY=$(command -v /usr/bin/python3 /bin/python3 | head -n 1)
	[ -n "$SYS_PY" ] || { pb_fail peer "no /usr/bin/python3"; return; }
	chmod 644 "$PB_TMP/ctlreq.py"

	a=$(printf '{"command": "status"}' | setpriv --reuid "$STRANGER" \
	    --regid "$STRANGER" --clear-groups "$SYS_PY" "$PB_TMP/ctlreq.py" \
	    "$DSOCK" 2>&1)
	[[ $a == "connect: Permission denied"* ]] || {
		pb_fail peer "stranger through the file: $a"; return; }
	chmod 666 "$DSOCK"
	a=$(printf '{"command": "status"}' | setpriv --reuid "$STRANGER" \
	    --regid "$STRANGER" --clear-groups "$SYS_PY" "$PB_TMP/ctlreq.py" \
	    "$DSOCK" 2>&1)
	chmod 660 "$DSOCK"
	jq_e '.result == 1 and (.text | test("permission denied"))' \
	    <<<"$a" >/dev/null || { pb_fail peer "stranger, file open: $a"; return; }
	a=$(printf '{"command": "status"}' | setpriv --reuid "$STRANGER" \
	    --regid "$STRANGER" --groups "$(id -g "$RUN_USER")" \
	    "$SYS_PY" "$PB_TMP/ctlreq.py" "$DSOCK" 2>&1)
	jq_e '.result == 0' <<<"$a" >/dev/null || {
		pb_fail peer "a member of the group: $a"; return; }
	pb_pass peer
}

# provboxctl ctl and status through the sockets.
t_provboxctl() {
	local a

	a=$(ctl --json ctl dhcpd lease-get "{\"ip\": \"$POOL_IP\"}")
	jq_e '.result == 0 and (.arguments.leases | length) == 1' <<<"$a" \
	    >/dev/null || { pb_fail provboxctl "ctl --json: $a"; return; }
	ctl ctl provisiond version-get >"$OUT/ctl.out" &&
	    grep -q '^provbox-provisiond ' "$OUT/ctl.out" ||
	    { pb_fail provboxctl "ctl: $(cat "$OUT/ctl.out")"; return; }
	ctl ctl dhcpd no-such-command >/dev/null &&
	    { pb_fail provboxctl "an unsupported command exited 0"; return; }
	a=$(ctl --json status)
	jq_e 'all(.daemons[]; .running and .status.pid > 0 and
	    (.statistics | type) == "object") and .registry.leases == 1' \
	    <<<"$a" >/dev/null || { pb_fail provboxctl "status --json: $a"; return; }
	ctl status >"$OUT/status.out" &&
	    grep -q '^provbox-dhcpd: running' "$OUT/status.out" ||
	    { pb_fail provboxctl "status: $(cat "$OUT/status.out")"; return; }
	pb_pass provboxctl
}

# dhcpd gone: provboxctl falls back to the registry (lease) and says so
# (status, ctl); reload --daemon of a daemon not running fails.
t_fallback() {
	local a

	pb_daemon_stop dhcpd
	[ ! -e "$DSOCK" ] || { pb_fail fallback "the socket file stayed"; return; }
	a=$(ctl --json lease release "$POOL_IP")
	jq_e '.via == "registry" and .action == "released"' <<<"$a" \
	    >/dev/null || { pb_fail fallback "lease release: $a"; return; }
	a=$(ctl --json status)
	jq_e '.daemons[0].running == false and .daemons[1].running' \
	    <<<"$a" >/dev/null || { pb_fail fallback "status: $a"; return; }
	ctl ctl dhcpd status >/dev/null && { pb_fail fallback "ctl exited 0"; return; }
	grep -q "provbox-dhcpd is not running" "$OUT/provboxctl.err" ||
	    { pb_fail fallback "ctl did not say not running"; return; }
	ctl reload --daemon dhcpd >/dev/null &&
	    { pb_fail fallback "reload --daemon of a stopped daemon exited 0"; return; }
	pb_pass fallback
}

# Both daemons stopped; no sanitizer report from them or from any
# provboxctl run (a build with --enable-sanitizers).
t_sanitizers() {
	local f

	pb_daemon_stop provd
	[ ! -e "$PSOCK" ] || { pb_fail sanitizers "provisiond left its socket file"; return; }
	for f in "$DLOG" "$PLOG" "$OUT/provboxctl.err"; do
		if grep -qE "runtime error|Sanitizer" "$f"; then
			pb_fail sanitizers "$(basename "$f"): $(grep -m1 -E \
			    "runtime error|Sanitizer" "$f")"
			return
		fi
	done
	pb_pass sanitizers
}

setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }

pb_run start 60 t_start
pb_run socket-files 10 t_socket_files
pb_run list-commands 10 t_list_commands
pb_run version-status 10 t_version_status
pb_run log-level 20 t_log_level
pb_run lease-release 90 t_lease_release
pb_run statistics 10 t_statistics
pb_run device-get 10 t_device_get
pb_run config-test 10 t_config_test
pb_run reload 60 t_reload
pb_run malformed 60 t_malformed
pb_run peer 20 t_peer
pb_run provboxctl 30 t_provboxctl
pb_run fallback 40 t_fallback
pb_run sanitizers 30 t_sanitizers
pb_finish
