#!/bin/bash
# journal.sh - the daemons under systemd without systemd: journal entries
# with their priority and fields, sd_notify, the reload command of the
# units, and systemd-analyze verify on the units make writes.
#
#   sudo bash tests/integration/journal.sh [BUILD_DIR [RESULTS_FILE]]
#
# systemd is not PID 1 here, so a python3 listener stands in for each of
# its sockets: one bound to /run/systemd/journal/socket in a mount
# namespace of its own (a tmpfs over /run, so the host's journal is never
# written to), one bound to the NOTIFY_SOCKET the daemons are given. Each
# records the datagrams it gets, one JSON object per line, parsed the way
# journald and systemd parse them (KEY=value lines; the journal's binary
# form, KEY\n + 64-bit length + value; a memfd passed with SCM_RIGHTS).
# The daemons run in that mount namespace and in a network namespace
# ($T-srv, a veth to $T-c1, where pbprobe and curl are the clients):
#   provbox-dhcpd      stderr is "the journal stream": JOURNAL_STREAM names
#                      its device and inode, as systemd sets it
#   provbox-provisiond log.target = "journal" (stderr is a plain file)
# Everything is named from pbt<PID> and removed at the end (see lib.sh).

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

PB_TOOLS="curl=curl openssl=openssl ip=iproute2 python3=python3
	nsenter=util-linux unshare=util-linux systemd-analyze=systemd"
pb_init "${1:-$here/../../build}" "${2:-}" journal-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_CLI=$T-c1
IF_SRV=${T}s1
IF_CLI=${T}c1
SRV_IP=10.42.0.1
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
MAC_ALICE=80:5e:c0:10:00:01
MAC_OTHER=02:00:00:aa:00:07
CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
CONF_J=$CONF_DIR/provbox-journal.conf
RUN=$PB_TMP/run
LOGS=$PB_TMP/logs
OUT=$PB_TMP/out
LISTENER=$PB_TMP/listen.py
JOURNAL=$LOGS/journal.jsonl
DHCPD_LOG=$LOGS/dhcpd.log
PROV_LOG=$LOGS/provisiond.log
NOTIFY_DHCPD=$PB_TMP/notify-dhcpd.sock
NOTIFY_PROV=$PB_TMP/notify-provisiond.sock

# ------------------------------------------------------------------ set-up

# The stand-in for journald and for systemd's notify socket: binds
# argv[1], appends each datagram to argv[2] as one JSON object of its
# fields, flushed at once.
write_listener() {
	cat >"$LISTENER" <<'EOF'
import array, json, os, socket, struct, sys

def parse(data):
    fields, i = {}, 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode(errors="replace")
            i = nl + 1
        else:
            # KEY\n, a little-endian 64-bit length, the value, \n
            n = struct.unpack_from("<Q", data, nl + 1)[0]
            v = data[nl + 9:nl + 9 + n]
            fields[line.decode()] = v.decode(errors="replace")
            i = nl + 9 + n + 1
    return fields

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
with open(out, "a") as f:
    while True:
        data, anc, _, _ = s.recvmsg(1 << 20, socket.CMSG_SPACE(16))
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(cdata[:len(cdata) - len(cdata) % 4])
                for fd in fds:
                    data = os.pread(fd, 1 << 24, 0)
                    os.close(fd)
        f.write(json.dumps(parse(data)) + "\n")
        f.flush()
EOF
}

write_config() {
	mkdir -p "$CONF_DIR/tls" "$LOGS" "$OUT" "$RUN" || return 1
	: >"$DHCPD_LOG"
	: >"$PROV_LOG"
	: >"$JOURNAL"
	cp "$here/../../etc/vendors.conf" "$CONF_DIR/" &&
	    cp -r "$here/../../etc/templates" "$CONF_DIR/" || return 1
	(umask 077 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -keyout "$CONF_DIR/tls/server.key" -out "$CONF_DIR/tls/server.crt" \
	    -subj "/CN=$SRV_IP" -addext "subjectAltName=IP:$SRV_IP" \
	    2>"$PB_TMP/openssl.err") || return 1
	write_conf "$CONF" "" && write_conf "$CONF_J" 'target = "journal"; '
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice";
    sip = { user = "201"; password = "alice-Journal-Pw-1"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_ALICE"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
}

# write_conf FILE LOG_EXTRA: the config, with LOG_EXTRA in its log group.
write_conf() {
	cat >"$1" <<EOF
# Written by tests/integration/journal.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; $2};
run_dir = "$RUN";
dhcp = {
  authoritative = true;
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.200"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  listen = [ "$SRV_IP:443" ];
  base_url = "$BASE_URL";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
}

setup_network() {
	pb_ns_add "$NS_SRV" && pb_ns_add "$NS_CLI" || return 1
	ip -n "$NS_SRV" link add "$IF_SRV" type veth peer name "$IF_CLI" \
	    netns "$NS_CLI" || return 1
	ip -n "$NS_CLI" link set "$IF_CLI" address "$MAC_ALICE" || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$IF_SRV" &&
	    ip -n "$NS_SRV" link set "$IF_SRV" up &&
	    ip -n "$NS_CLI" link set "$IF_CLI" up
}

# The journal's stand-in, in a mount namespace whose /run is a tmpfs; its
# PID in $PB_TMP/journal.pid. The daemons join that mount namespace.
start_journal() {
	local pid

	unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 \
	    tmpfs /run && mkdir -p /run/systemd/journal &&
	    exec python3 "$1" /run/systemd/journal/socket "$2"' sh \
	    "$LISTENER" "$JOURNAL" 2>"$LOGS/journal.err" &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/journal.pid"
	pb_wait_for 10 test -S "/proc/$pid/root/run/systemd/journal/socket"
}

# start_notify SOCKET OUT: a notify socket's stand-in.
start_notify() {
	local pid

	python3 "$LISTENER" "$1" "$2" 2>>"$LOGS/notify.err" &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	pb_wait_for 10 test -S "$1"
}

# in_journal_ns COMMAND...: COMMAND in the server's network namespace and
# the journal's mount namespace (ip netns exec makes a mount namespace of
# its own; nsenter then joins the journal's).
in_journal_ns() {
	ip netns exec "$NS_SRV" nsenter \
	    --mount="/proc/$(cat "$PB_TMP/journal.pid")/ns/mnt" -- "$@"
}

# journal_daemon NAME LOG COMMAND...: as pb_daemon_start, but the ready
# line ("NAME started") is looked for in the journal: stderr has none.
journal_daemon() {
	local name=$1 log=$2 pid

	shift 2
	# A simple command, not a function: $! is the daemon itself (ip,
	# nsenter and env each exec the next).
	ip netns exec "$NS_SRV" nsenter \
	    --mount="/proc/$(cat "$PB_TMP/journal.pid")/ns/mnt" -- \
	    "$@" >>"$log" 2>&1 &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/$name.pid"
	pb_wait_for 20 entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-$name \
	    "MESSAGE~^provbox-$name started" && pb_alive "$pid"
}

# dhcpd_start: stderr appended to DHCPD_LOG, which JOURNAL_STREAM names as
# systemd would name the journal's stream.
dhcpd_start() {
	journal_daemon dhcpd "$DHCPD_LOG" env \
	    JOURNAL_STREAM="$(stat -c '%d:%i' "$DHCPD_LOG")" \
	    NOTIFY_SOCKET="$NOTIFY_DHCPD" "$DHCPD" -f -c "$CONF"
}

# prov_start: log.target = "journal", stderr a plain file.
prov_start() {
	journal_daemon provisiond "$PROV_LOG" env \
	    NOTIFY_SOCKET="$NOTIFY_PROV" "$PROVD" -f -c "$CONF_J"
}

# entries FILE COND...: 0 when one entry of FILE meets every COND
# (KEY=VALUE exactly, KEY~REGEX, !KEY absent); the first such entry is
# printed with -p as the first argument.
entries() {
	local show=0

	if [ "$1" = -p ]; then
		show=1
		shift
	fi
	python3 - "$show" "$@" <<'EOF'
import json, re, sys
show, path, conds = sys.argv[1] == "1", sys.argv[2], sys.argv[3:]
def ok(e, c):
    if c.startswith("!"):
        return c[1:] not in e
    if "~" in c and ("=" not in c or c.index("~") < c.index("=")):
        k, r = c.split("~", 1)
        return k in e and re.search(r, e[k]) is not None
    k, v = c.split("=", 1)
    return e.get(k) == v
for line in open(path):
    e = json.loads(line)
    if all(ok(e, c) for c in conds):
        if show:
            print(json.dumps(e))
        sys.exit(0)
sys.exit(1)
EOF
}

# count FILE COND...: how many entries meet every COND.
count() {
	python3 - "$@" <<'EOF'
import json, re, sys
path, conds = sys.argv[1], sys.argv[2:]
def ok(e, c):
    if "~" in c and ("=" not in c or c.index("~") < c.index("=")):
        k, r = c.split("~", 1)
        return k in e and re.search(r, e[k]) is not None
    k, v = c.split("=", 1)
    return e.get(k) == v
print(sum(1 for l in open(path) if all(ok(json.loads(l), c) for c in conds)))
EOF
}

lines() {
	wc -l <"$1"
}

# after FILE LINE COND...: entries past line LINE of FILE meet COND.
after() {
	local f=$1 n=$2

	shift 2
	tail -n "+$((n + 1))" "$f" >"$f.tail.$$"
	entries "$f.tail.$$" "$@"
	local rc=$?
	rm -f "$f.tail.$$"
	return $rc
}

# ------------------------------------------------------------------- tests

# 1. The DHCP decision line of a DORA: info priority, the device's MAC,
# address, user and class as fields; stderr has no such line.
t_dhcp_fields() {
	local o=$OUT/dora ip

	ip netns exec "$NS_CLI" timeout 60 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_ALICE" -V yealink dora >"$o" 2>&1 ||
	    die "pbprobe dora: $(head -n 2 "$o")"
	ip=$(pb_kv yiaddr "$o")
	[ -n "$ip" ] || die "pbprobe printed no yiaddr: $(head -n 3 "$o")"
	pb_wait_for 10 entries "$JOURNAL" PROVBOX_EVENT=dhcp-ack ||
	    die "no dhcp-ack entry in the journal"
	entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-dhcpd PRIORITY=6 \
	    PROVBOX_EVENT=dhcp-offer PROVBOX_MAC=$MAC_ALICE PROVBOX_IP="$ip" \
	    "MESSAGE~^DHCPOFFER $ip to $MAC_ALICE " ||
	    die "no DHCPOFFER entry with its fields: $(entries -p "$JOURNAL" PROVBOX_EVENT=dhcp-offer)"
	entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-dhcpd PRIORITY=6 \
	    PROVBOX_EVENT=dhcp-ack PROVBOX_MAC=$MAC_ALICE PROVBOX_IP="$ip" \
	    PROVBOX_USER=alice PROVBOX_CLASS=yealink SYSLOG_FACILITY=3 \
	    "MESSAGE~^DHCPACK $ip to $MAC_ALICE \(yealink, alice\) via $IF_SRV lease [0-9]+s$" ||
	    die "no DHCPACK entry with its fields: $(entries -p "$JOURNAL" PROVBOX_EVENT=dhcp-ack)"
	! grep -q 'DHCPACK' "$DHCPD_LOG" ||
	    die "the DHCPACK line went to stderr too: $(grep -m 1 DHCPACK "$DHCPD_LOG")"
	pb_pass
}

# 2. A refused packet is a warning (priority 4) with the client's MAC: a
# RELEASE of the lease from an address that is not the leased one.
t_warning_priority() {
	local o=$OUT/release ip

	ip=$(pb_kv yiaddr "$OUT/dora")
	[ -n "$ip" ] || die "no lease from the dhcp test"
	ip netns exec "$NS_CLI" timeout 30 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_ALICE" -s "$SRV_IP" release "$ip" >"$o" 2>&1
	pb_wait_for 10 entries "$JOURNAL" PROVBOX_EVENT=dhcp-refused ||
	    die "no dhcp-refused entry in the journal"
	entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-dhcpd PRIORITY=4 \
	    PROVBOX_EVENT=dhcp-refused PROVBOX_MAC=$MAC_ALICE \
	    "MESSAGE~^DHCPRELEASE from $MAC_ALICE via $IF_SRV ignored: RELEASE not sent from the leased address$" ||
	    die "the refused RELEASE: $(entries -p "$JOURNAL" PROVBOX_EVENT=dhcp-refused)"
	# Every entry has a priority and the identifier; none at info is a
	# warning's, nor the other way round.
	[ "$(count "$JOURNAL" 'MESSAGE~.')" -eq \
	    "$(count "$JOURNAL" 'PRIORITY~^[0-7]$' 'SYSLOG_IDENTIFIER~^provbox-')" ] ||
	    die "an entry without PRIORITY or SYSLOG_IDENTIFIER"
	[ "$(count "$JOURNAL" PRIORITY=6 'MESSAGE~refused|ignored: ')" -eq 0 ] ||
	    die "a refusal logged at info: $(entries -p "$JOURNAL" PRIORITY=6 'MESSAGE~refused|ignored: ')"
	pb_pass
}

# 3. provisiond with log.target = "journal": the audit line of a served
# and of a refused request, an enrollment event, each with its fields.
t_provisiond_fields() {
	local o=$OUT/prov ip url fa

	ip=$(pb_kv yiaddr "$OUT/dora")
	[ -n "$ip" ] || die "no lease from the dhcp test"
	timeout 20 "$CTL" -c "$CONF" enroll "$MAC_ALICE" --for 10m \
	    >"$o.enroll" 2>&1 || die "provboxctl enroll: $(cat "$o.enroll")"
	ip netns exec "$NS_CLI" timeout 60 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_ALICE" -V yealink -P 1,3,66 dora >"$o.dora" 2>&1 ||
	    die "no ACK: $(head -n 2 "$o.dora")"
	ip=$(pb_kv yiaddr "$o.dora")
	ip -n "$NS_CLI" addr add "$ip/24" dev "$IF_CLI" ||
	    die "cannot configure the leased address"
	fa=$(pb_kv opt66 "$o.dora")
	[[ $fa == https://*/p/*/ ]] || die "option 66 is '$fa'"
	ip netns exec "$NS_CLI" timeout 20 curl -sk -o "$o.cfg" \
	    -w '%{http_code}' "${fa}$(echo "$MAC_ALICE" | tr -d :).cfg" \
	    >"$o.code" 2>"$o.err"
	[ "$(cat "$o.code")" = 200 ] ||
	    die "the first-access fetch: status $(cat "$o.code") $(cat "$o.err")"
	ip netns exec "$NS_CLI" timeout 20 curl -sk -o /dev/null \
	    "$BASE_URL/nothing-here" 2>"$o.err"
	pb_wait_for 10 entries "$JOURNAL" PROVBOX_EVENT=http-refused ||
	    die "no http-refused entry"
	entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-provisiond PRIORITY=6 \
	    PROVBOX_EVENT=http-served PROVBOX_IP="$ip" PROVBOX_MAC=$MAC_ALICE \
	    PROVBOX_USER=alice PROVBOX_CLASS=yealink \
	    "MESSAGE~^$ip GET first-access .* 200 " ||
	    die "the served request: $(entries -p "$JOURNAL" PROVBOX_EVENT=http-served)"
	entries "$JOURNAL" SYSLOG_IDENTIFIER=provbox-provisiond PRIORITY=6 \
	    PROVBOX_EVENT=http-refused PROVBOX_IP="$ip" '!PROVBOX_MAC' \
	    "MESSAGE~^$ip GET unknown path 404 " ||
	    die "the refused request: $(entries -p "$JOURNAL" PROVBOX_EVENT=http-refused)"
	pb_wait_for 10 entries "$JOURNAL" \
	    SYSLOG_IDENTIFIER=provbox-provisiond PRIORITY=5 \
	    'PROVBOX_EVENT~^enroll-' PROVBOX_MAC=$MAC_ALICE \
	    "MESSAGE~^enroll: $MAC_ALICE " ||
	    die "no enrollment entry: $(entries -p "$JOURNAL" 'PROVBOX_EVENT~^enroll-')"
	! grep -qE "GET (first-access|unknown)" "$PROV_LOG" ||
	    die "an audit line went to stderr too"
	pb_pass
}

# 4. sd_notify: READY=1 once serving, RELOADING=1 then READY=1 around a
# reload, a refused reload's STATUS, STOPPING=1.
t_notify() {
	local d f pid n conf

	for d in dhcpd provisiond; do
		f=$LOGS/notify-$d.jsonl
		conf=$CONF
		[ $d = provisiond ] && conf=$CONF_J
		pid=$(pb_daemon_pid $d)
		entries "$f" READY=1 'STATUS~^serving \(config ' ||
		    die "$d: no READY=1 with its STATUS: $(cat "$f")"
		n=$(lines "$f")
		kill -HUP "$pid" || die "cannot signal $d"
		pb_wait_for 10 after "$f" "$n" READY=1 'STATUS~reloaded' ||
		    die "$d: no READY=1 after a reload: $(tail -n +$((n + 1)) "$f")"
		after "$f" "$n" RELOADING=1 'MONOTONIC_USEC~^[0-9]+$' ||
		    die "$d: no RELOADING=1 with MONOTONIC_USEC"
		tail -n "+$((n + 1))" "$f" | head -n 1 |
		    grep -q '"RELOADING": "1"' ||
		    die "$d: RELOADING=1 was not the first message of the reload"
		# A config with an error: refused, the reason in STATUS.
		cp "$conf" "$conf.good"
		sed -i 's/level = "info"/level = "loud"/' "$conf"
		n=$(lines "$f")
		kill -HUP "$pid" || die "cannot signal $d"
		pb_wait_for 10 after "$f" "$n" READY=1 'STATUS~refused.*level' ||
		    die "$d: no refusal STATUS: $(tail -n +$((n + 1)) "$f")"
		mv "$conf.good" "$conf"
		after "$JOURNAL" 0 PRIORITY=4 SYSLOG_IDENTIFIER=provbox-$d \
		    'MESSAGE~^reload refused' ||
		    die "$d: the refusal is not a warning in the journal"
	done
	pb_pass
}

# The ExecReload= command of a built unit as argv, one per line: what
# systemd would run (continuation lines joined), with the test's
# provboxctl and config (argument 2 and 3).
reload_argv() {
	python3 - "$1" "$2" "$3" <<'EOF'
import shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
line = [l for l in text.splitlines() if l.startswith("ExecReload=")][0]
argv = shlex.split(line[len("ExecReload="):])
assert argv[0].endswith("/provboxctl") and argv[1] == "-c", argv
argv[0], argv[2] = sys.argv[2], sys.argv[3]
print("\n".join(argv))
EOF
}

# 5. The units' ExecReload=: 0 when the daemon took the config, 1 with the
# reason when it refused it.
t_exec_reload() {
	local d unit pid o=$OUT/execreload conf
	local -a argv

	for d in dhcpd provisiond; do
		unit=$PB_BUILD/systemd/provbox-$d.service
		[ -f "$unit" ] || make -C "$PB_BUILD" \
		    "systemd/provbox-$d.service" >/dev/null 2>&1
		conf=$CONF
		[ $d = provisiond ] && conf=$CONF_J
		mapfile -t argv < <(reload_argv "$unit" "$CTL" "$conf")
		[ ${#argv[@]} -gt 3 ] || die "no ExecReload= in $unit"
		[[ " ${argv[*]} " == *" --daemon $d "* ]] ||
		    die "$d's ExecReload= names another daemon: ${argv[*]}"
		pid=$(pb_daemon_pid $d)
		timeout 20 "${argv[@]}" >"$o.$d" 2>&1 ||
		    die "$d: ExecReload= failed on a good config: $(cat "$o.$d")"
		cp "$conf" "$conf.good"
		sed -i 's/level = "info"/level = "loud"/' "$conf"
		timeout 20 "${argv[@]}" >"$o.$d.bad" 2>&1 &&
		    die "$d: ExecReload= succeeded on a refused config"
		mv "$conf.good" "$conf"
		grep -q "level" "$o.$d.bad" && grep -qi "refused\|error" \
		    "$o.$d.bad" ||
		    die "$d: ExecReload= did not say why: $(cat "$o.$d.bad")"
		pb_alive "$pid" || die "$d died"
	done
	pb_pass
}

# 6. JOURNAL_STREAM naming another file (stderr redirected since systemd
# set it): the daemon logs to stderr as always, nothing to the journal.
t_stream_mismatch() {
	local log=$LOGS/dhcpd-check.log n

	: >"$log"
	n=$(lines "$JOURNAL")
	in_journal_ns env JOURNAL_STREAM="$(stat -c '%d:%i' "$DHCPD_LOG")" \
	    timeout 20 "$DHCPD" -t -c "$CONF_DIR/missing.conf" >>"$log" 2>&1 &&
	    die "a missing config passed -t"
	grep -q 'missing.conf' "$log" ||
	    die "the error is not on stderr: $(cat "$log")"
	sleep 0.5
	! after "$JOURNAL" "$n" 'MESSAGE~missing.conf' ||
	    die "the error went to the journal"
	# The same with the stream matching: in the journal, as a warning.
	: >"$log"
	in_journal_ns env JOURNAL_STREAM="$(stat -c '%d:%i' "$log")" \
	    timeout 20 "$DHCPD" -t -c "$CONF_DIR/missing.conf" >>"$log" 2>&1 &&
	    die "a missing config passed -t"
	pb_wait_for 5 after "$JOURNAL" "$n" PRIORITY=4 \
	    SYSLOG_IDENTIFIER=provbox-dhcpd 'MESSAGE~missing.conf' ||
	    die "with JOURNAL_STREAM matching stderr, the error is not a journal warning: $(cat "$log")"
	pb_pass
}

# 7. STOPPING=1 when each daemon stops; no sanitizer report on stderr.
t_stopping() {
	local d bad

	for d in dhcpd provisiond; do
		pb_daemon_stop $d || die "$d was not running"
		entries "$LOGS/notify-$d.jsonl" STOPPING=1 ||
		    die "$d: no STOPPING=1"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:|seccomp" \
	    "$DHCPD_LOG" "$PROV_LOG" 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "on stderr: $bad"
	pb_pass
}

# 8. systemd-analyze verify on both units as make wrote them: no error and
# no warning (an unknown key is only a warning), with the programs where
# the units say (a tmpfs over the unit's sbindir in a mount namespace of
# its own: nothing is installed on the host).
t_analyze_verify() {
	local u sbindir o=$OUT/verify

	for u in dhcpd provisiond; do
		[ -f "$PB_BUILD/systemd/provbox-$u.service" ] ||
		    make -C "$PB_BUILD" "systemd/provbox-$u.service" \
		    >/dev/null 2>&1 || die "make cannot write the $u unit"
	done
	sbindir=$(sed -n 's|^ExecStart=\(.*\)/provbox-dhcpd .*|\1|p' \
	    "$PB_BUILD/systemd/provbox-dhcpd.service")
	[ -d "$sbindir" ] || die "the units' sbindir $sbindir does not exist"
	unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs "$1" &&
	    cp "$2/provbox-dhcpd" "$2/provbox-provisiond" "$2/provboxctl" \
	    "$1/" && cd "$2" && exec systemd-analyze verify --man=no \
	    systemd/provbox-dhcpd.service systemd/provbox-provisiond.service' \
	    sh "$sbindir" "$PB_BUILD" >"$o" 2>&1 ||
	    die "systemd-analyze verify failed: $(cat "$o")"
	[ ! -s "$o" ] || die "systemd-analyze verify: $(cat "$o")"
	grep -q '^Type=notify$' "$PB_BUILD/systemd/provbox-dhcpd.service" &&
	    grep -q '^NotifyAccess=main$' \
	    "$PB_BUILD/systemd/provbox-provisiond.service" ||
	    die "the units are not Type=notify with NotifyAccess=main"
	for u in dhcpd provisiond; do
		for k in ProtectProc=invisible ProcSubset=pid UMask=0077 \
		    RemoveIPC=yes; do
			grep -q "^$k\$" "$PB_BUILD/systemd/provbox-$u.service" ||
			    die "provbox-$u.service lacks $k"
		done
	done
	pb_pass
}

# 9. --version and --help.
t_version_help() {
	local d b o=$OUT/vh

	for d in dhcpd provisiond; do
		b=$PB_BUILD/provbox-$d
		"$b" --version >"$o" 2>&1 || die "$d --version exits $?"
		grep -qE "^provbox-$d [0-9A-Za-z._-]+\$" "$o" ||
		    die "$d --version: $(cat "$o")"
		"$b" --help >"$o" 2>"$o.err" || die "$d --help exits $?"
		grep -q "^usage: provbox-$d" "$o" && [ ! -s "$o.err" ] ||
		    die "$d --help: no usage on stdout"
		"$b" -h >"$o" 2>&1 || die "$d -h exits $?"
		"$b" --no-such-option >"$o" 2>"$o.err"
		[ $? -eq 2 ] && grep -q '^usage:' "$o.err" ||
		    die "$d with a wrong option: not exit 2 with usage on stderr"
	done
	pb_pass
}

# ------------------------------------------------------------------- main

write_listener
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
setup_network || { pb_fail setup "cannot build the network"; pb_finish; }
start_journal || { pb_fail setup "the journal's stand-in did not start: $(cat "$LOGS/journal.err")"; pb_finish; }
start_notify "$NOTIFY_DHCPD" "$LOGS/notify-dhcpd.jsonl" &&
    start_notify "$NOTIFY_PROV" "$LOGS/notify-provisiond.jsonl" ||
    { pb_fail setup "the notify socket stand-ins did not start"; pb_finish; }
dhcpd_start || { pb_fail setup "provbox-dhcpd did not start: $(tail -n 5 "$DHCPD_LOG")"; pb_finish; }
prov_start || { pb_fail setup "provbox-provisiond did not start: $(tail -n 5 "$PROV_LOG")"; pb_finish; }

pb_run version-help 30 t_version_help
pb_run dhcp-fields 60 t_dhcp_fields
pb_run warning-priority 60 t_warning_priority
pb_run provisiond-fields 90 t_provisiond_fields
pb_run notify 90 t_notify
pb_run exec-reload 90 t_exec_reload
pb_run stream-mismatch 60 t_stream_mismatch
pb_run stopping 60 t_stopping
pb_run analyze-verify 60 t_analyze_verify
pb_finish
