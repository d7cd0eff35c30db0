#!/usr/bin/env bash
# hostile.sh - provbox-dhcpd on a hostile LAN (issue #13): an attacker on
# the phones' segment poisons the pool with DECLINEs, starves it with
# DISCOVERs from random MACs, and forges a phone's RELEASE and DECLINE.
# Each test plays the attacker and asserts what the attacker did NOT get,
# and that the server counted (SIGUSR1 stats) and logged what it refused.
#
#   sudo bash tests/integration/hostile.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must hold
# provbox-dhcpd, provboxctl, tests/tools/pbprobe and tests/tools/pbcraft
# (built here if missing). Needs root: it builds its own network in
# namespaces named from pbt<PID> (see lib.sh) and removes it at the end,
# also on failure or Ctrl-C:
#
#   $T-ph   the registered phones (pbprobe with their MACs); ${T}p
#   $T-att  the attacker, ${T}a: 10.42.0.50, and in the poisoning test
#           the other addresses of 10.42.0.2-99 as well (a host may use
#           any source address it likes)
#   $T-srv  bridge ${T}br 10.42.0.1/24; provbox-dhcpd
#
# The config is the shipped etc/provbox.conf (pool 10.42.0.100-249, 150
# addresses) with the registry and run_dir in the temporary directory and
# dhcp.decline_after_ack = 5 (so that a forged DECLINE can be "late"
# within a test); vendors.conf as shipped; users.conf of the suite's own:
# 150 registered yealink phones (10 users, 15 each), MACs 80:5e:c0:42:00:01
# counting up. The limits the assertions use (dhcp.reserve,
# decline_max_share, limits.declines, limits.window) are read from that
# config, their documented defaults when it does not set them. Drop
# reasons are matched by the text dhcp_drop_str() gives them, read from
# dhcpd/server.c. Each group starts on an empty registry with a freshly
# started server (setup-X):
#
#   a  decline-poisoning: 300 random-MAC clients, 40 at a time, each
#      DISCOVER, REQUEST, then DECLINE of its address at once, every
#      DECLINE from another source address. At most decline_max_share of
#      the pool ends up quarantined, the rest of the DECLINEs are counted
#      and logged as over the cap, and registered phones booting after it
#      get addresses. decline-reclaim: then more registered phones than
#      there are free addresses boot: all are bound, the ones beyond the
#      free addresses on quarantined addresses, the oldest quarantined
#      first (RFC 2131 allows it; Kea and ISC do it).
#   b  starvation: 50,000 DISCOVERs from random MACs (pbcraft flood)
#      while 20 registered phones boot, each retrying as a client does:
#      all 20 bound before the flood ends; unregistered clients never
#      held more than (100 - reserve)% of the pool (sampled through the
#      flood); the admission-limit drops counted and logged once per
#      burst, not per packet.
#   c  forgery: a phone bound, then from the attacker's address a RELEASE
#      with the phone's identity (RFC 2131 4.3.4 trusts the identity
#      alone): ignored and counted, the lease still bound, the phone's
#      renewal (4.4.5) ACKed; later than decline_after_ack after the
#      binding, a DECLINE with its identity: ignored, counted, the phone
#      renews. Then the phone's own RELEASE, from its address, is taken
#      (the check is the source, not a blanket refusal).
#   d  decline-flood: 20 clients bound, then their 20 DECLINEs from one
#      source at once: at most limits.declines (plus what the window gave
#      back meanwhile) are taken, the rest counted as DECLINE rate drops
#      and logged once.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "hostile-integration: N passed, N failed". It runs in about a minute.
# Environment: PB_ONLY, PB_KEEP as for the other suites (a group's tests
# need its setup-X; decline-reclaim needs decline-poisoning); PB_FLOOD
# (50000) DISCOVERs in the starvation run and PB_FLOOD_RATE (5000) per
# second.

# shellcheck disable=SC2015 # "a && b || die": die ends the test
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="python3=python3 ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" hostile-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_ATT=$T-att
NS_PH=$T-ph
BR=${T}br
ATT_IF=${T}a
PH_IF=${T}p
SRV_IP=10.42.0.1
ATT_IP=10.42.0.50
POOL_START=10.42.0.100		# etc/provbox.conf
POOL_END=10.42.0.249
POOL_SIZE=150
PHONE_BASE=80:5e:c0:42:00:01	# pbprobe -n counts up from it
PHONES_N=150
CRAFT=$PB_BUILD/tests/tools/pbcraft
FLOOD=${PB_FLOOD:-50000}
FLOOD_RATE=${PB_FLOOD_RATE:-5000}
DECLINE_AFTER_ACK=5

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
LOGS=$PB_TMP/logs
DHCPD_LOG=$LOGS/dhcpd.log
OUT=$PB_TMP/out
PY=$PB_TMP/hostile.py
REGISTERED=$PB_TMP/registered	# the phones' MACs, one a line
mkdir -p "$LOGS" "$OUT" "$CONF_DIR"
: >"$DHCPD_LOG"

if [ ! -x "$CRAFT" ] && [ -f "$PB_BUILD/Makefile" ]; then
	pb_note "building tests/tools/pbcraft"
	timeout 300 make -C "$PB_BUILD" tests/tools/pbcraft \
	    >>"$PB_TMP/make.out" 2>&1
fi

# ------------------------------------------------------------- python

# The attacker's DORA+DECLINE rounds (one socket, many clients at once,
# each DECLINE's source address chosen with IP_PKTINFO), a burst of
# DECLINEs, a phone's renewal and RELEASE from its address, and the
# readers: drop texts from server.c, counters from the stats, settings
# from the config, counts from provboxctl --json leases.
cat >"$PY" <<'EOF'
import json, random, re, select, socket, struct, sys, time

IP_PKTINFO = 8
SO_BINDTODEVICE = 25
SO_RCVBUFFORCE = 33
COOKIE = b'\x63\x82\x53\x63'
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE = 1, 2, 3, 4, 5, 6, 7
NAMES = {OFFER: 'OFFER', ACK: 'ACK', NAK: 'NAK'}


def client_socket(ifname, addr=''):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    except OSError:
        pass
    s.bind((addr, 68))
    s.setblocking(False)
    return s


def message(kind, xid, mac, ciaddr='0.0.0.0', opts=b''):
    """A BOOTREQUEST of type kind from mac (6 bytes), broadcast bit set."""
    hdr = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, 0,
                      0x8000, socket.inet_aton(ciaddr), b'\0' * 4, b'\0' * 4,
                      b'\0' * 4, mac + b'\0' * 10, b'', b'')
    pkt = hdr + COOKIE + bytes([53, 1, kind]) + opts + \
        bytes([55, 4, 1, 3, 6, 66, 255])
    return pkt + b'\0' * max(0, 300 - len(pkt))


def opt_ip(code, ip):
    return bytes([code, 4]) + socket.inet_aton(ip)


def parse(msg):
    """(xid, chaddr, yiaddr, {code: bytes}) of a BOOTREPLY, or None."""
    if len(msg) < 240 or msg[0] != 2 or msg[236:240] != COOKIE:
        return None
    o, i = {}, 240
    while i < len(msg) and msg[i] != 255:
        if msg[i] == 0:
            i += 1
            continue
        if i + 1 >= len(msg):
            return None
        n = msg[i + 1]
        o[msg[i]] = o.get(msg[i], b'') + msg[i + 2:i + 2 + n]
        i += 2 + n
    return (struct.unpack('!I', msg[4:8])[0], msg[28:34],
            socket.inet_ntoa(msg[16:20]), o)


def mtype(o):
    return o.get(53, b'\0')[0]


def send_from(s, pkt, src, ifindex, dst='255.255.255.255'):
    """pkt to dst:67 with IP source src (an address of the interface)."""
    info = struct.pack('=I4s4s', ifindex, socket.inet_aton(src), b'\0' * 4)
    s.sendmsg([pkt], [(socket.IPPROTO_IP, IP_PKTINFO, info)], 0, (dst, 67))


def poison(ifname, rounds, conc, sources, out):
    """rounds random-MAC clients, conc at a time: DISCOVER, REQUEST, and
    at the ACK a DECLINE of the address, each DECLINE from the next source
    address of the list (no per-source limit holds them back). Each step
    is tried three times, a second apart, as a client would."""
    rounds, conc = int(rounds), int(conc)
    srcs = sources.split(',')
    s = client_socket(ifname)
    ifindex = socket.if_nametoindex(ifname)
    rng = random.Random()
    pending = list(range(rounds))
    active = {}
    res = dict(rounds=rounds, offered=0, acked=0, declines_sent=0,
               no_offer=0, no_ack=0, naks=0, declined=[])
    t0 = time.time()

    def start():
        mac = bytes([0x02, 0xde, 0xc1] + [rng.randrange(256)
                                          for _ in range(3)])
        c = dict(mac=mac, xid=rng.getrandbits(32), state='discover', tries=0,
                 due=0, ip=None, sid=None)
        active[c['xid']] = c

    def step(c, now):
        if c['tries'] >= 3:
            res['no_offer' if c['state'] == 'discover' else 'no_ack'] += 1
            del active[c['xid']]
            return
        c['tries'] += 1
        c['due'] = now + 1.0
        if c['state'] == 'discover':
            pkt = message(DISCOVER, c['xid'], c['mac'])
        else:
            pkt = message(REQUEST, c['xid'], c['mac'],
                          opts=opt_ip(50, c['ip']) + opt_ip(54, c['sid']))
        s.sendto(pkt, ('255.255.255.255', 67))

    while pending or active:
        now = time.time()
        while pending and len(active) < conc:
            pending.pop()
            start()
        for c in list(active.values()):
            if c['due'] <= now:
                step(c, now)
        if not select.select([s], [], [], 0.05)[0]:
            continue
        while True:
            try:
                msg = s.recv(4096)
            except BlockingIOError:
                break
            p = parse(msg)
            if p is None or p[0] not in active or p[1] != active[p[0]]['mac']:
                continue
            c, t = active[p[0]], mtype(p[3])
            if c['state'] == 'discover' and t == OFFER:
                res['offered'] += 1
                c.update(state='request', tries=0, due=0, ip=p[2],
                         sid=socket.inet_ntoa(p[3].get(54, b'\0' * 4)))
            elif c['state'] == 'request' and t == ACK:
                res['acked'] += 1
                src = srcs[res['declines_sent'] % len(srcs)]
                send_from(s, message(DECLINE, c['xid'], c['mac'],
                                     opts=opt_ip(50, c['ip']) +
                                     opt_ip(54, c['sid'])), src, ifindex)
                res['declines_sent'] += 1
                res['declined'].append([c['mac'].hex(':'), c['ip'], src])
                del active[c['xid']]
            elif c['state'] == 'request' and t == NAK:
                res['naks'] += 1
                del active[c['xid']]
    res['seconds'] = round(time.time() - t0, 2)
    with open(out, 'w') as f:
        json.dump(res, f)
    return 0


def declines(ifname, src, server, pairs):
    """One DECLINE per MAC=IP pair, all from src, as fast as they go."""
    s = client_socket(ifname)
    ifindex = socket.if_nametoindex(ifname)
    t0, n = time.time(), 0
    for pr in pairs.split(','):
        mac, ip = pr.split('=')
        send_from(s, message(DECLINE, 0x5eed0000 + n,
                             bytes.fromhex(mac.replace(':', '')),
                             opts=opt_ip(50, ip) + opt_ip(54, server)),
                  src, ifindex)
        n += 1
    print('sent=%d' % n)
    print('ms=%d' % int((time.time() - t0) * 1000))
    return 0


def renew(ifname, ciaddr, server, mac, kind='renew'):
    """RFC 2131 4.4.5 RENEWING: a REQUEST with ciaddr, unicast from the
    client's address to the server (no Option 50 or 54), the answer's
    type and yiaddr printed; or, kind "release", the client's RELEASE
    (4.4.6), unicast from its address."""
    s = client_socket(ifname, ciaddr)
    xid = random.getrandbits(32)
    m = bytes.fromhex(mac.replace(':', ''))
    if kind == 'release':
        s.sendto(message(RELEASE, xid, m, ciaddr, opt_ip(54, server)),
                 (server, 67))
        print('type=SENT')
        return 0
    end = time.time() + 4
    for _ in range(3):
        s.sendto(message(REQUEST, xid, m, ciaddr), (server, 67))
        until = min(end, time.time() + 1.3)
        while time.time() < until:
            if not select.select([s], [], [], until - time.time())[0]:
                break
            try:
                p = parse(s.recv(4096))
            except BlockingIOError:
                continue
            if p is None or p[0] != xid:
                continue
            print('type=%s' % NAMES.get(mtype(p[3]), mtype(p[3])))
            print('yiaddr=%s' % p[2])
            return 0 if mtype(p[3]) == ACK else 1
    print('type=TIMEOUT')
    return 1


def drop_text(path, name):
    """The text dhcp_drop_str() gives a drop reason, from server.c."""
    src = open(path, encoding='utf-8').read()
    m = re.search(r'\[' + name + r'\]\s*=\s*((?:"(?:[^"\\]|\\.)*"\s*)+)',
                  src)
    if m is None:
        return 1
    print(''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
    return 0


def reason(path, text):
    """N of "TEXT N" in the last "ignored by reason" stats line (0:
    not listed)."""
    n = 0
    for line in open(path, encoding='utf-8', errors='replace'):
        if 'stats: ignored by reason: ' in line:
            m = re.search(re.escape(text) + r' (\d+)(?:, |$)',
                          line.rstrip('\n'))
            n = int(m.group(1)) if m else 0
    print(n)
    return 0


def cfg_value(path, key, default):
    """KEY (or GROUP.KEY) of the dhcp group of a provbox.conf, a number;
    default when the file does not set it."""
    text = re.sub(r'(#|//)[^\n]*', '', open(path, encoding='utf-8').read())
    m = re.search(r'(?m)^dhcp\s*=\s*\{', text)
    block = ''
    if m is not None:
        depth, i = 0, m.end() - 1
        for i in range(m.end() - 1, len(text)):
            depth += {'{': 1, '}': -1}.get(text[i], 0)
            if depth == 0:
                break
        block = text[m.end():i]
    if '.' in key:
        group, key = key.split('.', 1)
        g = re.search(r'\b' + group + r'\s*=\s*\{([^}]*)\}', block)
        block = g.group(1) if g else ''
    else:
        while re.search(r'\{[^{}]*\}|\([^()]*\)', block):
            block = re.sub(r'\{[^{}]*\}|\([^()]*\)', '', block)
    v = re.search(r'\b' + key + r'\s*=\s*(\d+)\s*;', block)
    print(v.group(1) if v else default)
    return 0


def leases(path, start, end, regfile):
    """Counts of provboxctl --json leases in the pool start..end whose
    lease is not over: declined, held by a registered MAC (regfile, one a
    line) or by another client, and what is left free."""
    now = int(time.time())
    reg = {l.strip() for l in open(regfile) if l.strip()}
    a, b = [struct.unpack('!I', socket.inet_aton(x))[0] for x in (start, end)]
    c = dict(declined=0, live=0, unregistered=0, registered=0)
    for o in json.load(open(path)):
        ip = struct.unpack('!I', socket.inet_aton(o['address']))[0]
        if not a <= ip <= b or o['ends'] is None or o['ends'] <= now:
            continue
        c['live'] += 1
        if o['state'] == 'declined':
            c['declined'] += 1
        elif o['mac'] in reg:
            c['registered'] += 1
        else:
            c['unregistered'] += 1
    c['free'] = b - a + 1 - c['live']
    for k, v in c.items():
        print('%s=%d' % (k, v))
    return 0


def declined_list(path):
    """ADDRESS ENDS of each declined lease, oldest quarantine first."""
    for o in sorted((o for o in json.load(open(path))
                     if o['state'] == 'declined'), key=lambda o: o['ends']):
        print(o['address'], o['ends'])
    return 0


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    fns = dict(poison=poison, declines=declines, renew=renew,
               drop_text=drop_text, reason=reason, cfg=cfg_value,
               leases=leases, declined=declined_list)
    sys.exit(fns[cmd](*args) if cmd in fns else 2)
EOF

# ------------------------------------------------------------------ config

# set_dhcp KEY VALUE: KEY = VALUE; in the dhcp group of the config,
# replacing the line that sets it, else as the group's first setting.
set_dhcp() {
	if grep -qE "^  $1 = " "$CONF"; then
		sed -i -E "s|^(  $1 = )[^;]*;|\\1$2;|" "$CONF"
	else
		sed -i "s|^dhcp = {|&\\n  $1 = $2;|" "$CONF"
	fi
}

# users.conf: 10 users with 15 yealink phones each, MACs from PHONE_BASE.
write_users() {
	python3 - "$CONF_DIR/users.conf" "$REGISTERED" "$PHONE_BASE" \
	    "$PHONES_N" <<'EOF'
import sys
path, regfile, base, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
b = int(base.replace(':', ''), 16)
macs = [':'.join('%02x' % ((b + i) >> s & 255) for s in range(40, -8, -8))
        for i in range(n)]
with open(regfile, 'w') as f:
    f.write('\n'.join(macs) + '\n')
users = []
for u in range(0, n, 15):
    devs = ',\n      '.join('{ mac = "%s"; vendor = "yealink"; model = "T46S"; }'
                           % m for m in macs[u:u + 15])
    k = u // 15 + 1
    users.append('  { name = "hostile%02d"; display_name = "Hostile %d";\n'
                 '    sip = { user = "%d"; password = "hostile-Sip-Pw-%04d"; '
                 'server = "10.42.0.1"; };\n'
                 '    devices = (\n      %s ); }' % (k, k, 300 + k, k, devs))
with open(path, 'w') as f:
    f.write('# Written by tests/integration/hostile.sh.\nusers = (\n%s\n);\n'
            % ',\n'.join(users))
EOF
}

write_config() {
	sed -e "s|^\\( *path = \\)\"/var/lib/provbox\";|\\1\"$PB_TMP/registry\";|" \
	    -e "s|^run_dir = \"/run/provbox\";|run_dir = \"$PB_TMP/run\";|" \
	    "$top/etc/provbox.conf" >"$CONF" &&
	    cp "$top/etc/vendors.conf" "$CONF_DIR/" &&
	    cp -r "$top/etc/templates" "$CONF_DIR/" &&
	    mkdir -p "$CONF_DIR/static" || return 1
	grep -q "$PB_TMP/registry" "$CONF" && grep -q "$PB_TMP/run" "$CONF" ||
	    return 1
	grep -q "start = \"$POOL_START\"; end = \"$POOL_END\";" "$CONF" || {
		echo "etc/provbox.conf no longer has the pool $POOL_START-$POOL_END"
		return 1
	}
	set_dhcp decline_after_ack "$DECLINE_AFTER_ACK"
	write_users || return 1
	RESERVE=$(python3 "$PY" cfg "$CONF" reserve 20)
	DECLINE_SHARE=$(python3 "$PY" cfg "$CONF" decline_max_share 10)
	DECLINES=$(python3 "$PY" cfg "$CONF" limits.declines 5)
	WINDOW=$(python3 "$PY" cfg "$CONF" limits.window 10)
	[ "$(python3 "$PY" cfg "$CONF" decline_after_ack 60)" = \
	    "$DECLINE_AFTER_ACK" ] || { echo "decline_after_ack not set"; return 1; }
}

# The texts of the drop reasons the tests count, from dhcpd/server.c
# (empty when it has none: the tests that need one fail).
drop_text() {
	python3 "$PY" drop_text "$top/dhcpd/server.c" "$1"
}

load_drop_texts() {
	TXT_DECLINE_CAP=$(drop_text DROP_DECLINE_CAP)
	TXT_DECLINE_LATE=$(drop_text DROP_DECLINE_LATE)
	TXT_DECLINE_LIMIT=$(drop_text DROP_DECLINE_LIMIT)
	TXT_RELEASE_SOURCE=$(drop_text DROP_RELEASE_SOURCE)
	TXT_LIMIT_MAC=$(drop_text DROP_LIMIT_MAC)
	TXT_LIMIT_RELAY=$(drop_text DROP_LIMIT_RELAY)
	TXT_LIMIT_IFACE=$(drop_text DROP_LIMIT_IFACE)
}

# need TEXT...: dies unless each drop text is known.
need() {
	local t

	for t in "$@"; do
		[ -n "${!t}" ] ||
		    die "dhcpd/server.c has no text for DROP_${t#TXT_}"
	done
}

# ----------------------------------------------------------------- network

# port NS IF_IN IF_BR: a namespace with a veth on the bridge.
port() {
	pb_ns_add "$1" || return 1
	ip -n "$NS_SRV" link add "$3" type veth peer name "$2" netns "$1" &&
	    ip -n "$NS_SRV" link set "$3" master "$BR" &&
	    ip -n "$NS_SRV" link set "$3" up && ip -n "$1" link set "$2" up
}

setup_network() {
	pb_ns_add "$NS_SRV" || return 1
	ip -n "$NS_SRV" link add "$BR" type bridge &&
	    ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" &&
	    ip -n "$NS_SRV" link set "$BR" up || return 1
	port "$NS_PH" "$PH_IF" "${T}sp" && port "$NS_ATT" "$ATT_IF" "${T}sa" &&
	    ip -n "$NS_ATT" addr add "$ATT_IP/24" dev "$ATT_IF"
}

# ----------------------------------------------------------------- daemons

dhcpd_pid() {
	pb_daemon_pid dhcpd
}

# fresh GROUP: the server stopped, an empty registry, synced, the server
# started again; the phones without an address.
fresh() {
	pb_daemon_stop dhcpd
	rm -rf "$PB_TMP/registry"
	ip -n "$NS_PH" -4 addr flush dev "$PH_IF"
	timeout 60 "$CTL" -c "$CONF" sync >"$LOGS/sync-$1.log" 2>&1 ||
	    { echo "sync: $(tail -n 2 "$LOGS/sync-$1.log")"; return 1; }
	echo "---- group $1" >>"$DHCPD_LOG"
	pb_daemon_start dhcpd "$NS_SRV" "$DHCPD_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF" ||
	    { echo "provbox-dhcpd: $(tail -n 3 "$DHCPD_LOG")"; return 1; }
	pb_lines "$DHCPD_LOG" >"$PB_TMP/mark.$1"
}

# run_group NAME: fresh as a test of its own (setup-NAME).
run_group() {
	# shellcheck disable=SC2317 # called through pb_run
	eval "t_setup_$1() { local e; e=\$(fresh $1) || die \"\$e\"; pb_pass; }"
	pb_run "setup-$1" 60 "t_setup_$1"
}

# group_log GROUP: the server's log since the group's server started.
group_log() {
	tail -n "+$(($(cat "$PB_TMP/mark.$1" 2>/dev/null || echo 0) + 1))" \
	    "$DHCPD_LOG"
}

# ----------------------------------------------------------------- helpers

ctl() {
	timeout 30 "$CTL" -c "$CONF" "$@"
}

# stats NAME: the server's counters (SIGUSR1) into $OUT/NAME.stats.
stats() {
	local mark

	mark=$(pb_lines "$DHCPD_LOG")
	kill -USR1 "$(dhcpd_pid)" 2>/dev/null || die "cannot signal provbox-dhcpd"
	pb_wait_for 10 pb_grep_after "$DHCPD_LOG" "$mark" "stats: received " ||
	    die "no stats line after SIGUSR1"
	tail -n "+$((mark + 1))" "$DHCPD_LOG" >"$OUT/$1.stats"
}

# counted NAME TEXT: how many drops the stats NAME list under TEXT.
counted() {
	python3 "$PY" reason "$OUT/$1.stats" "$2"
}

# stat_line NAME: the stats lines, on one line, for messages.
stat_line() {
	grep -h "stats: " "$OUT/$1.stats" | sed 's/.*stats: //' | tr '\n' '|' |
	    cut -c 1-600
}

# pool NAME: counts of the pool's live leases (python leases) as shell
# variables declined=, live=, unregistered=, registered=, free=.
pool() {
	ctl --json leases >"$OUT/$1.json" 2>"$OUT/$1.err" ||
	    die "provboxctl leases: $(head -c 200 "$OUT/$1.err")"
	python3 "$PY" leases "$OUT/$1.json" "$POOL_START" "$POOL_END" \
	    "$REGISTERED" >"$OUT/$1.pool" || die "cannot read $1.json"
	declined=$(pb_kv declined "$OUT/$1.pool")
	registered=$(pb_kv registered "$OUT/$1.pool")
	unregistered=$(pb_kv unregistered "$OUT/$1.pool")
	free=$(pb_kv free "$OUT/$1.pool")
}

# phone N: the MAC of registered phone N (1-based).
phone() {
	sed -n "${1}p" "$REGISTERED"
}

# boot OUT FIRST COUNT [TIMEOUT_MS]: COUNT registered phones from number
# FIRST boot at once (pbprobe -n: DORA, each retried as a client does).
boot() {
	ip netns exec "$NS_PH" timeout 60 "$PROBE" -i "$PH_IF" -m "$(phone "$2")" \
	    -V yealink -P 1,3,6,66 -n "$3" -T "${4:-20000}" dora >"$1" 2>"$1.err"
}

# lease_state IP: STATE MAC ENDS of IP in provboxctl --json leases.
lease_state() {
	ctl --json leases 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["address"] == sys.argv[1]:
        print(o["state"], o["mac"], o["ends"])' "$1"
}

# ---------------------------------------------------- a: DECLINE poisoning

# The attacker's source addresses: 10.42.0.2-99 but the server, the
# reserved 10.42.0.20 of the shipped config and its own 10.42.0.50.
att_sources() {
	local i s=""

	for ((i = 2; i <= 99; i++)); do
		[ "$i" -eq 20 ] || [ "$i" -eq 50 ] || s+="${s:+,}10.42.0.$i"
	done
	echo "$s"
}

t_decline_poisoning() {
	local o=$OUT/poison src a sent cap capped late limited quarantined n

	need TXT_DECLINE_CAP TXT_DECLINE_LATE TXT_DECLINE_LIMIT
	src=$(att_sources)
	for a in ${src//,/ }; do
		ip -n "$NS_ATT" addr add "$a/24" dev "$ATT_IF" 2>/dev/null
	done
	ip netns exec "$NS_ATT" timeout 120 python3 "$PY" poison "$ATT_IF" 300 40 \
	    "$src" "$o.json" >"$o.out" 2>&1 || die "the attack failed: $(tail -n 3 "$o.out")"
	for a in ${src//,/ }; do
		ip -n "$NS_ATT" addr del "$a/24" dev "$ATT_IF" 2>/dev/null
	done
	sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["declines_sent"])' "$o.json")
	pb_note "poisoning: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("declined"); print(d)' "$o.json")"
	cap=$(((POOL_SIZE * DECLINE_SHARE + 99) / 100))
	[ "$sent" -gt "$cap" ] ||
	    die "only $sent rounds got as far as the DECLINE; the cap ($cap) was never tested"
	pool poison-leases
	quarantined=$declined
	pb_note "pool after the attack: $(tr '\n' ' ' <"$OUT/poison-leases.pool")"
	[ "$quarantined" -ge 1 ] ||
	    die "no DECLINE of the attack was honoured: nothing to cap"
	[ "$quarantined" -le "$cap" ] ||
	    die "$quarantined addresses quarantined, more than decline_max_share $DECLINE_SHARE% of $POOL_SIZE ($cap)"
	[ $((POOL_SIZE - quarantined)) -ge $((POOL_SIZE * (100 - DECLINE_SHARE) / 100)) ] ||
	    die "only $((POOL_SIZE - quarantined)) of $POOL_SIZE addresses are not quarantined"
	stats poison
	capped=$(counted poison "$TXT_DECLINE_CAP")
	late=$(counted poison "$TXT_DECLINE_LATE")
	limited=$(counted poison "$TXT_DECLINE_LIMIT")
	[ "$capped" -ge 1 ] ||
	    die "no DECLINE counted as '$TXT_DECLINE_CAP': $(stat_line poison)"
	# Every DECLINE sent was taken, or dropped for a reason the stats
	# name: none vanished.
	[ $((quarantined + capped + late + limited)) -eq "$sent" ] ||
	    die "$sent DECLINEs sent, $quarantined quarantined + $capped over the cap + $late late + $limited rate-limited: $(stat_line poison)"
	group_log a | grep -qF "refused: $TXT_DECLINE_CAP" ||
	    die "no log line 'refused: $TXT_DECLINE_CAP'"
	# Registered phones booting after it get addresses.
	boot "$o.phones" 1 5 || die "registered phones after the attack: $(tail -n 3 "$o.phones" | tr '\n' '|')"
	grep -q "^acked 5 of 5$" "$o.phones" ||
	    die "registered phones after the attack: $(tail -n 1 "$o.phones")"
	n=$(grep -c "^ack " "$o.phones")
	[ "$n" -eq 5 ] || die "$n acks for 5 phones"
	pb_pass
}

# When nothing else is left, the oldest quarantined address goes to a
# registered phone before it is refused. Boots more phones than there are
# free addresses: each bound, those beyond the free ones on the addresses
# quarantined longest.
t_decline_reclaim() {
	local o=$OUT/reclaim k got reclaimed q

	pool reclaim-before
	q=$declined
	[ "$q" -ge 1 ] || die "no quarantined address left by decline-poisoning"
	python3 "$PY" declined "$OUT/reclaim-before.json" >"$o.declined"
	k=$((free + 3))
	[ $((5 + k)) -le "$PHONES_N" ] || die "$free free addresses: more than the suite's phones"
	pb_note "free $free, quarantined $q: booting $k registered phones"
	boot "$o.phones" 6 "$k" 30000
	got=$(grep -c "^ack " "$o.phones")
	[ "$got" -eq "$k" ] ||
	    die "$got of $k registered phones bound ($free addresses were free, $q quarantined): $(tail -n 1 "$o.phones")"
	# Which of them got a quarantined address, and were those the
	# oldest: none that stays quarantined was set aside before one that
	# was given out.
	python3 - "$o.declined" "$o.phones" >"$o.check" 2>&1 <<'PY' ||
import sys
q = [l.split() for l in open(sys.argv[1]) if l.strip()]
given = {l.split()[2] for l in open(sys.argv[2]) if l.startswith('ack ')}
out = [(int(e), ip) for ip, e in q if ip in given]
kept = [(int(e), ip) for ip, e in q if ip not in given]
print('reclaimed=%d' % len(out))
if out and kept and max(out)[0] > min(kept)[0]:
    sys.exit('%s (quarantined until %d) was given out while %s (until %d) '
             'stays quarantined' % (max(out)[1], max(out)[0], min(kept)[1],
                                    min(kept)[0]))
PY
	    die "$(tail -n 1 "$o.check")"
	reclaimed=$(pb_kv reclaimed "$o.check")
	[ "$reclaimed" -ge 1 ] ||
	    die "no phone got a quarantined address, yet $k phones were bound with $free free"
	pb_note "$reclaimed phones got quarantined addresses"
	pb_pass
}

# -------------------------------------------------------- b: starvation

# phone_loop N OUT: registered phone N retries DORA until it is bound
# (60 s at most), as a phone does; OUT.boundN gets the time it was.
phone_loop() {
	local i=$1 o=$2 mac end=$((SECONDS + 60))

	mac=$(phone "$i")
	while [ "$SECONDS" -lt "$end" ]; do
		if ip netns exec "$NS_PH" timeout 15 "$PROBE" -i "$PH_IF" \
		    -m "$mac" -V yealink -P 1,3,6,66 -T 6000 dora \
		    >"$o.phone$i" 2>&1; then
			date +%s.%N >"$o.bound$i"
			return 0
		fi
	done
	return 1
}

t_starvation() {
	local o=$OUT/starve fl i max=0 s limits t_end late_phones=0 n
	local allowed pids=()

	need TXT_LIMIT_MAC TXT_LIMIT_RELAY TXT_LIMIT_IFACE
	allowed=$((POOL_SIZE * (100 - RESERVE) / 100))
	pb_bg ip netns exec "$NS_ATT" timeout 120 "$CRAFT" -i "$ATT_IF" \
	    -n "$FLOOD" -R "$FLOOD_RATE" flood >"$o.flood" 2>&1
	fl=$PB_BG_PID
	sleep 1.5
	pb_alive "$fl" || die "the flood ended before the phones booted: $(cat "$o.flood")"
	# 20 registered phones, each retrying DORA until it is bound
	# (pbprobe itself retries each step every second).
	for ((i = 1; i <= 20; i++)); do
		pb_bg phone_loop "$i" "$o"
		pids+=("$PB_BG_PID")
	done
	# What unregistered clients hold, sampled while the flood runs.
	while pb_alive "$fl"; do
		pool "starve-sample"
		[ "$unregistered" -gt "$max" ] && max=$unregistered
		[ "$unregistered" -le "$allowed" ] ||
		    die "unregistered clients hold $unregistered of $POOL_SIZE addresses during the flood, more than $allowed ((100 - reserve $RESERVE)%)"
		sleep 0.5
	done
	wait "$fl"
	t_end=$(date +%s.%N)
	grep -q "^flood sent $FLOOD " "$o.flood" ||
	    die "the flood did not send $FLOOD DISCOVERs: $(cat "$o.flood")"
	pb_note "$(cat "$o.flood"); unregistered clients held at most $max addresses"
	# Bound while the flood ran, not once it was over: the order of two
	# events, not a time limit.
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" ||
		    die "registered phone $((i + 1)) ($(phone $((i + 1)))) was never bound: $(head -n 1 "$o.phone$((i + 1))")"
		awk -v b="$(cat "$o.bound$((i + 1))")" -v e="$t_end" \
		    'BEGIN { exit !(b > e) }' && late_phones=$((late_phones + 1))
	done
	[ "$late_phones" -eq 0 ] ||
	    die "$late_phones of 20 registered phones were bound only after the flood ended"
	pool starve-after
	[ "$registered" -ge 20 ] ||
	    die "provboxctl leases shows $registered registered phones bound, expected 20"
	[ "$unregistered" -le "$allowed" ] ||
	    die "unregistered clients hold $unregistered addresses, more than $allowed"
	stats starve
	limits=0
	for s in "$TXT_LIMIT_MAC" "$TXT_LIMIT_RELAY" "$TXT_LIMIT_IFACE"; do
		limits=$((limits + $(counted starve "$s")))
	done
	[ "$limits" -ge 1 ] || die "no admission-limit drop counted: $(stat_line starve)"
	pb_note "admission-limit drops: $limits; $(stat_line starve)"
	# Logged once per burst, not once per packet.
	n=$(group_log b | grep -cF "refused: $TXT_LIMIT_IFACE")
	[ "$n" -ge 1 ] || die "no log line 'refused: $TXT_LIMIT_IFACE'"
	[ "$n" -le 30 ] || die "$n log lines 'refused: $TXT_LIMIT_IFACE' for one flood"
	pb_pass
}

# --------------------------------------------------------- c: forgery

# The phone of group c: registered phone 1, bound, its address on its
# interface.
t_forge_setup() {
	local o=$OUT/forge ip

	boot "$o.dora" 1 1 || die "the phone got no ACK: $(head -n 1 "$o.dora")"
	ip=$(sed -n 's/^yiaddr=//p' "$o.dora")
	[ -n "$ip" ] || die "no address in the phone's ACK"
	ip -n "$NS_PH" addr add "$ip/24" dev "$PH_IF" || die "cannot set $ip"
	echo "$ip" >"$PB_TMP/forge.ip"
	date +%s >"$PB_TMP/forge.acked"
	pb_pass
}

# phone_renews WHAT: the phone's renewal (unicast from its address) is
# ACKed with its address.
phone_renews() {
	local ip o=$OUT/renew.$RANDOM

	ip=$(cat "$PB_TMP/forge.ip")
	ip netns exec "$NS_PH" timeout 10 python3 "$PY" renew "$PH_IF" "$ip" \
	    "$SRV_IP" "$(phone 1)" >"$o" 2>&1 ||
	    die "$1: the phone's renewal got $(head -n 1 "$o")"
	[ "$(pb_kv yiaddr "$o")" = "$ip" ] ||
	    die "$1: the renewal ACKed $(pb_kv yiaddr "$o"), not $ip"
	date +%s >"$PB_TMP/forge.acked"
}

# still_bound WHAT: provboxctl leases has the phone's address bound to it,
# ending in the future.
still_bound() {
	local ip st

	ip=$(cat "$PB_TMP/forge.ip")
	st=$(lease_state "$ip")
	[[ $st =~ ^bound\ $(phone 1)\ ([0-9]+)$ ]] &&
	    [ "${BASH_REMATCH[1]}" -gt "$(date +%s)" ] ||
	    die "$1: the phone's lease of $ip is '$st'"
}

# A RELEASE with the phone's chaddr and ciaddr from the attacker's own
# address (RFC 2131 4.4.6: a client sends it from the address it gives
# back).
t_forged_release() {
	local ip o=$OUT/forged-release n

	ip=$(cat "$PB_TMP/forge.ip" 2>/dev/null)
	[ -n "$ip" ] || die "no phone from forge-setup"
	need TXT_RELEASE_SOURCE
	stats forged-release-0
	n=$(counted forged-release-0 "$TXT_RELEASE_SOURCE")
	ip netns exec "$NS_ATT" timeout 10 "$PROBE" -i "$ATT_IF" -m "$(phone 1)" \
	    release "$ip" >"$o" 2>&1
	sleep 0.5
	stats forged-release
	[ "$(counted forged-release "$TXT_RELEASE_SOURCE")" -eq $((n + 1)) ] ||
	    die "the forged RELEASE was not counted as '$TXT_RELEASE_SOURCE': $(stat_line forged-release)"
	still_bound "after the forged RELEASE"
	phone_renews "after the forged RELEASE"
	pb_pass
}

# A DECLINE with the phone's identity, from the attacker, more than
# decline_after_ack after the phone's last ACK: a client declines an
# address when it finds it in use, right after the ACK (4.4.1).
t_forged_decline() {
	local ip o=$OUT/forged-decline n wait_s text=$TXT_DECLINE_LATE

	ip=$(cat "$PB_TMP/forge.ip" 2>/dev/null)
	[ -n "$ip" ] || die "no phone from forge-setup"
	need TXT_DECLINE_LATE
	wait_s=$(($(cat "$PB_TMP/forge.acked") + DECLINE_AFTER_ACK + 2 - $(date +%s)))
	[ "$wait_s" -le 0 ] || sleep "$wait_s"
	stats forged-decline-0
	n=$(counted forged-decline-0 "$text")
	ip netns exec "$NS_ATT" timeout 10 "$PROBE" -i "$ATT_IF" -m "$(phone 1)" \
	    -s "$SRV_IP" decline "$ip" >"$o" 2>&1
	sleep 0.5
	stats forged-decline
	[ "$(counted forged-decline "$text")" -eq $((n + 1)) ] ||
	    die "the late DECLINE was not counted as '$text': $(stat_line forged-decline)"
	group_log c | grep -qF "refused: $text" || die "no log line 'refused: $text'"
	still_bound "after the forged DECLINE"
	phone_renews "after the forged DECLINE"
	still_bound "after the renewal"
	pb_pass
}

# The phone's own RELEASE, unicast from its address: taken.
t_own_release() {
	local ip

	ip=$(cat "$PB_TMP/forge.ip" 2>/dev/null)
	[ -n "$ip" ] || die "no phone from forge-setup"
	ip netns exec "$NS_PH" timeout 10 python3 "$PY" renew "$PH_IF" "$ip" \
	    "$SRV_IP" "$(phone 1)" release >"$OUT/own-release" 2>&1 ||
	    die "cannot send the phone's RELEASE"
	pb_wait_for 5 eval "lease_state $ip | grep -q '^released '" ||
	    die "the phone's own RELEASE from $ip was not taken: $(lease_state "$ip")"
	pb_pass
}

# ------------------------------------------------------ d: DECLINE flood

t_decline_flood() {
	local o=$OUT/dflood pairs n q limited text=$TXT_DECLINE_LIMIT ms extra

	need TXT_DECLINE_LIMIT
	ip netns exec "$NS_ATT" timeout 30 "$PROBE" -i "$ATT_IF" -m 02:dd:00:00:00:01 \
	    -n 20 -T 15000 dora >"$o.dora" 2>&1 ||
	    die "20 clients were not bound: $(tail -n 1 "$o.dora")"
	pairs=$(awk '$1 == "ack" { printf "%s%s=%s", n++ ? "," : "", $2, $3 }' "$o.dora")
	ip netns exec "$NS_ATT" timeout 10 python3 "$PY" declines "$ATT_IF" \
	    "$ATT_IP" "$SRV_IP" "$pairs" >"$o.sent" 2>&1 ||
	    die "cannot send the DECLINEs: $(cat "$o.sent")"
	n=$(pb_kv sent "$o.sent")
	ms=$(pb_kv ms "$o.sent")
	[ "$n" -eq 20 ] || die "$n DECLINEs sent"
	sleep 0.5
	pool dflood-leases
	q=$declined
	stats dflood
	limited=$(counted dflood "$text")
	# A token bucket: limits.declines at once, then declines/window a
	# second (what the burst's duration gave back, rounded up).
	extra=$(((ms / 1000 + 1) * DECLINES / WINDOW + 1))
	pb_note "20 DECLINEs from $ATT_IP in ${ms} ms: $q quarantined, $limited rate-limited"
	[ "$q" -le $((DECLINES + extra)) ] ||
	    die "$q of 20 DECLINEs from one source taken, limits.declines is $DECLINES per ${WINDOW}s"
	[ "$q" -ge 1 ] || die "no DECLINE taken at all"
	[ $((q + limited)) -eq 20 ] ||
	    die "$q quarantined + $limited counted as '$text' != 20: $(stat_line dflood)"
	n=$(group_log d | grep -cF "refused: $text")
	[ "$n" -ge 1 ] && [ "$n" -le 2 ] ||
	    die "$n log lines 'refused: $text' for one burst, expected 1"
	pb_pass
}

# No sanitizer report; the server stops cleanly.
t_sanitizers() {
	local bad

	pb_daemon_stop dhcpd
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$DHCPD_LOG" \
	    2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$DHCPD_LOG" ||
	    die "provbox-dhcpd did not stop cleanly: $(tail -n 2 "$DHCPD_LOG")"
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$CRAFT" ]; then
	pb_fail build "$CRAFT is missing (build first: make tests/tools/pbcraft)"
	pb_finish
fi
if ! write_config >"$PB_TMP/config.err" 2>&1; then
	pb_fail setup "cannot write the config: $(tail -n 2 "$PB_TMP/config.err")"
	pb_finish
fi
load_drop_texts
if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
pb_note "reserve $RESERVE%, decline_max_share $DECLINE_SHARE%, limits.declines $DECLINES per ${WINDOW}s, decline_after_ack ${DECLINE_AFTER_ACK}s"

run_group a
pb_run decline-poisoning 120 t_decline_poisoning
pb_run decline-reclaim 60 t_decline_reclaim
run_group b
pb_run starvation 120 t_starvation
run_group c
pb_run forge-setup 30 t_forge_setup
pb_run forged-release 30 t_forged_release
pb_run forged-decline 40 t_forged_decline
pb_run own-release 30 t_own_release
run_group d
pb_run decline-flood 60 t_decline_flood
PB_ONLY='' pb_run sanitizers 40 t_sanitizers
pb_finish
