#!/usr/bin/env bash
# resync.sh - provboxctl resync (issue #15 item 2): the check-sync NOTIFY
# to each phone's leased address, answered by emulated phones (a python3
# UDP listener on the phone's 5060).
#
#   sudo bash tests/integration/resync.sh [BUILD_DIR [RESULTS_FILE]]
#
#   $T-c1: ${T}c1, bob's snom D785 00:04:13:51:00:01 (SIP user 201),
#          lease by pbprobe                                          --+
#   $T-c2: ${T}c2, carol's snom 00:04:13:51:00:02 (SIP user 202), lease
#          by pbprobe; never answers                                 --+
#   carol's second phone 00:04:13:51:00:03 has no lease                |
#                                                                      |
#   $T-srv: bridge ${T}br 10.51.0.1/24; provbox-dhcpd (the leases)
#
# Tests (each prints "PASS name" or "FAIL name: reason"; the last line is
# "resync-integration: N passed, N failed", RESULTS_FILE gets
# "resync-integration PASSED FAILED"):
#   start      dhcpd starts
#   lease      both phones' DORA; their addresses set
#   ack        the phone answers 200: "sent check-sync; 200 OK", exit 0;
#              the listener saw Event: check-sync, the Request-URI and To
#              sip:201@<lease>:5060, and its 200 (which echoes Call-ID and
#              CSeq) was taken; --json says acknowledged
#   digest     the phone answers 401 with a digest challenge (qop auth);
#              the resent NOTIFY (same Call-ID, CSeq + 1) carries an
#              Authorization whose response the listener computes itself
#              from the SIP password; its 200 is reported "200 OK (after
#              a digest challenge)"
#   timeout    resync carol: the silent phone got the NOTIFY again on
#              Timer E and is reported "timeout after 2 s" (the test knob
#              PROVBOX_RESYNC_TIMEOUT_MS=2000); the phone without a lease
#              "no lease, not sent"; exit 1
#   no-lease   resync of a MAC without a lease: nothing sent, exit 1
#   reboot     --reboot sends Event: check-sync;reboot=true
#   all        --all: three lines in about 2 s, not one after another
#   rotate     rotate bob --resync: a new token, then bob's phone gets the
#              NOTIFY and answers 200; --json gives one document with the
#              resync array in it
#   no-secret  the SIP passwords appear in no output, log or packet
#
# Exit 0 if all passed, 1 if not, 77 if not root or a tool is missing.
# PB_ONLY="name ..." and PB_KEEP=1 as in lib.sh.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="python3=python3 openssl=openssl ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" resync-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_P1=$T-c1
NS_P2=$T-c2
BR=${T}br
IF_P1=${T}c1
IF_P2=${T}c2
SRV_IP=10.51.0.1

MAC1=00:04:13:51:00:01
MAC2=00:04:13:51:00:02
MAC3=00:04:13:51:00:03
PW_BOB=bob-Sip-Pw-5101
PW_CAROL=carol-Sip-Pw-5102
ALL_PW="$PW_BOB $PW_CAROL"

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
RUN=$PB_TMP/run
REG=$PB_TMP/registry
OUT=$PB_TMP/out
LOGS=$PB_TMP/logs
DLOG=$LOGS/dhcpd.log
CTL_ERR=$OUT/provboxctl.err
PHONE=$PB_TMP/phone.py
mkdir -p "$OUT" "$LOGS"
: >"$DLOG"
: >"$CTL_ERR"

# ------------------------------------------------------------------ config

write_config() {
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	mkdir -p "$RUN" "$REG" && chmod 700 "$RUN" "$REG" || return 1
	pb_conf_simple "$CONF" 10.51.0 "$SRV_IP" "$REG" "$RUN" "" info ||
	    return 1
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "bob"; display_name = "Bob Resync";
    sip = { user = "201"; password = "$PW_BOB"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC1"; vendor = "snom"; model = "D785"; } ); },
  { name = "carol"; display_name = "Carol Resync";
    sip = { user = "202"; password = "$PW_CAROL"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC2"; vendor = "snom"; model = "D785"; },
      { mac = "$MAC3"; vendor = "snom"; model = "D785"; } ); }
);
EOF
}

# The phone: answers NOTIFYs on UDP 5060 as MODE says, writes each request
# it gets (and a verdict line) to LOG. Modes: ok (200), silent (nothing),
# digest (401 with a challenge, then 200 only for a right Authorization).
write_phone() {
	cat >"$PHONE" <<'EOF'
import hashlib, re, socket, sys

mode, log, user, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
REALM, NONCE = "snom-test", "5b0c9d3e1f2a4b6c"
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()

def hdr(msg, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else None

def answer(msg, code, extra=""):
    lines = ["SIP/2.0 " + code]
    for l in msg.split("\r\n")[1:]:
        if re.match(r"(via|from|call-id|cseq):", l, re.I):
            lines.append(l)
        elif re.match(r"to:", l, re.I):
            lines.append(l + ";tag=ph1")
    return "\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n"

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5060))
out = open(log, "a", buffering=1)
first = None
while True:
    data, peer = s.recvfrom(65535)
    msg = data.decode("latin-1")
    out.write("=== from %s:%d\n%s\n" % (peer[0], peer[1], msg))
    if mode == "silent":
        continue
    if mode == "ok":
        s.sendto(answer(msg, "200 OK").encode(), peer)
        continue
    auth = hdr(msg, "Authorization")
    if auth is None:
        first = msg
        s.sendto(answer(msg, "401 Unauthorized",
            'WWW-Authenticate: Digest realm="%s", nonce="%s", '
            'qop="auth", algorithm=MD5\r\n' % (REALM, NONCE)).encode(), peer)
        continue
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', auth.split(" ", 1)[1]))
    uri = msg.split(" ")[1]
    ha1 = md5("%s:%s:%s" % (user, REALM, password))
    ha2 = md5("NOTIFY:" + uri)
    want = md5(":".join([ha1, NONCE, p.get("nc", ""), p.get("cnonce", ""),
        "auth", ha2]))
    same_call = first is not None and hdr(first, "Call-ID") == hdr(msg, "Call-ID")
    n1 = int(hdr(first, "CSeq").split()[0]) if first else -1
    n2 = int(hdr(msg, "CSeq").split()[0])
    ok = (p.get("response") == want and p.get("username") == user and
        p.get("realm") == REALM and p.get("nonce") == NONCE and
        p.get("uri") == uri and p.get("qop") == "auth" and
        p.get("nc") == "00000001" and same_call and n2 == n1 + 1)
    out.write("VERDICT %s\n" % ("digest-ok" if ok else "digest-bad " + repr(p)))
    s.sendto(answer(msg, "200 OK" if ok else "403 Forbidden").encode(), peer)
EOF
}

# ----------------------------------------------------------------- network

setup_network() {
	pb_bridge "$NS_SRV" "$BR" "$SRV_IP/24" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_P1" "$IF_P1" "$MAC1" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_P2" "$IF_P2" "$MAC2"
}

# ----------------------------------------------------------------- helpers

# ctl ARGS...: provboxctl in the server's namespace (it sends from there).
ctl() {
	ip netns exec "$NS_SRV" timeout 60 "$CTL" -c "$CONF" "$@" \
	    2>>"$CTL_ERR"
}

# nsx NS CMD...: CMD in namespace NS, at most 30 s.
nsx() {
	local ns=$1

	shift
	ip netns exec "$ns" timeout 30 "$@"
}

# phone NS MODE LOG USER PASSWORD: the listener, for this test; waits
# until it listens.
phone() {
	: >"$3"
	pb_bg ip netns exec "$1" python3 "$PHONE" "$2" "$3" "$4" "$5"
	pb_wait_for 10 sh -c "ip netns exec '$1' ss -lnu | grep -q ':5060 '"
}

ip_of() {
	cat "$OUT/$1.ip" 2>/dev/null
}

# lease NS IF MAC NAME: the phone's DORA, its address set.
lease() {
	local o=$OUT/lease.$4 ip

	nsx "$1" "$PROBE" -i "$2" -m "$3" -V "snom-D785-10.1.33.33" dora \
	    >"$o" 2>&1 || return 1
	ip=$(pb_kv yiaddr "$o")
	[ -n "$ip" ] || return 1
	ip -n "$1" -4 addr flush dev "$2"
	ip -n "$1" addr add "$ip/24" dev "$2" || return 1
	echo "$ip" >"$OUT/$4.ip"
}

# ------------------------------------------------------------------- tests

t_start() {
	pb_start_dhcpd "$NS_SRV" "$CONF" "$DLOG" "$RUN" ||
	    die "dhcpd did not start: $(tail -n 5 "$DLOG")"
	ctl sync >"$OUT/sync" || die "sync: $(tail -n 2 "$CTL_ERR")"
	pb_pass
}

t_lease() {
	lease "$NS_P1" "$IF_P1" "$MAC1" p1 ||
	    die "no lease for $MAC1: $(head -n 3 "$OUT/lease.p1")"
	lease "$NS_P2" "$IF_P2" "$MAC2" p2 ||
	    die "no lease for $MAC2: $(head -n 3 "$OUT/lease.p2")"
	pb_pass
}

t_ack() {
	local o=$OUT/ack log=$OUT/ack.phone ip rc

	ip=$(ip_of p1) || die "no lease"
	phone "$NS_P1" ok "$log" 201 "$PW_BOB" || die "the phone does not listen"
	ctl resync "$MAC1" >"$o" && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || die "exit $rc: $(cat "$o") $(tail -n 2 "$CTL_ERR")"
	grep -qxF "$MAC1 bob $ip: sent check-sync; 200 OK" "$o" ||
	    die "report: $(cat "$o")"
	grep -q "^NOTIFY sip:201@$ip:5060 SIP/2.0" "$log" ||
	    die "Request-URI: $(grep -m 1 NOTIFY "$log")"
	grep -qi "^Event: check-sync.\$" "$log" ||
	    die "Event: $(grep -i '^event' "$log")"
	grep -qi "^To: <sip:201@$ip:5060>.\$" "$log" ||
	    die "To: $(grep -i '^to:' "$log")"
	grep -qi "^Call-ID: [0-9a-f]\{32\}@provbox.\$" "$log" ||
	    die "Call-ID: $(grep -i '^call-id' "$log")"
	grep -qi "^Via: SIP/2.0/UDP $SRV_IP:[0-9]*;branch=z9hG4bK" "$log" ||
	    die "Via: $(grep -i '^via' "$log")"
	[ "$(grep -c '^NOTIFY' "$log")" -eq 1 ] ||
	    die "$(grep -c '^NOTIFY' "$log") NOTIFYs for one answered at once"
	ctl --json resync "$MAC1" >"$o.json" || die "--json: exit $?"
	python3 - "$o.json" "$ip" <<'EOF' || die "--json: $(cat "$o.json")"
import json, sys
a = json.load(open(sys.argv[1]))
p = a[0]
assert len(a) == 1 and p["result"] == "acknowledged" and p["status"] == 200
assert p["address"] == sys.argv[2] and p["sent"] and not p["digest"]
assert p["event"] == "check-sync" and p["user"] == "bob" and p["class"] == "snom"
EOF
	pb_pass
}

t_digest() {
	local o=$OUT/digest log=$OUT/digest.phone ip rc

	ip=$(ip_of p1) || die "no lease"
	phone "$NS_P1" digest "$log" 201 "$PW_BOB" ||
	    die "the phone does not listen"
	ctl resync bob >"$o" && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || die "exit $rc: $(cat "$o") $(grep -m 1 VERDICT "$log")"
	grep -qxF "$MAC1 bob $ip: sent check-sync; 200 OK (after a digest challenge)" \
	    "$o" || die "report: $(cat "$o")"
	grep -q "^VERDICT digest-ok" "$log" ||
	    die "the phone's check: $(grep VERDICT "$log")"
	grep -qi "^Authorization: Digest username=\"201\", realm=\"snom-test\"" \
	    "$log" || die "no Authorization header"
	pb_pass
}

t_timeout() {
	local o=$OUT/timeout log=$OUT/timeout.phone ip rc n

	ip=$(ip_of p2) || die "no lease"
	phone "$NS_P2" silent "$log" 202 "$PW_CAROL" ||
	    die "the phone does not listen"
	PROVBOX_RESYNC_TIMEOUT_MS=2000 ctl resync carol >"$o" && rc=0 ||
	    rc=$?
	[ "$rc" -eq 1 ] || die "exit $rc, not 1: $(cat "$o")"
	grep -qxF "$MAC2 carol $ip: sent check-sync; timeout after 2 s" "$o" ||
	    die "report: $(cat "$o")"
	grep -qxF "$MAC3 carol: no lease, not sent" "$o" ||
	    die "report: $(cat "$o")"
	# Timer E: sent at 0, 0.5 and 1.5 s before 2 s.
	n=$(grep -c '^NOTIFY' "$log")
	[ "$n" -eq 3 ] || die "$n NOTIFYs in 2 s, expected 3 (Timer E)"
	[ "$(grep -i '^call-id' "$log" | sort -u | wc -l)" -eq 1 ] ||
	    die "the retransmissions changed the Call-ID"
	pb_pass
}

t_no_lease() {
	local o=$OUT/nolease rc

	ctl resync "$MAC3" >"$o" && rc=0 || rc=$?
	[ "$rc" -eq 1 ] || die "exit $rc, not 1"
	grep -qxF "$MAC3 carol: no lease, not sent" "$o" ||
	    die "report: $(cat "$o")"
	ctl --json resync "$MAC3" >"$o.json"
	python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))[0]; assert p["result"]=="no-lease" and p["address"] is None and not p["sent"]' \
	    "$o.json" || die "--json: $(cat "$o.json")"
	pb_pass
}

t_reboot() {
	local o=$OUT/reboot log=$OUT/reboot.phone ip

	ip=$(ip_of p1) || die "no lease"
	phone "$NS_P1" ok "$log" 201 "$PW_BOB" || die "the phone does not listen"
	ctl resync --reboot "$MAC1" >"$o" || die "exit $?: $(cat "$o")"
	grep -qxF "$MAC1 bob $ip: sent check-sync;reboot=true; 200 OK" "$o" ||
	    die "report: $(cat "$o")"
	grep -qi "^Event: check-sync;reboot=true.\$" "$log" ||
	    die "Event: $(grep -i '^event' "$log")"
	pb_pass
}

t_all() {
	local o=$OUT/all log1=$OUT/all.p1 log2=$OUT/all.p2 t0 t1 rc

	phone "$NS_P1" ok "$log1" 201 "$PW_BOB" || die "phone 1 does not listen"
	phone "$NS_P2" silent "$log2" 202 "$PW_CAROL" ||
	    die "phone 2 does not listen"
	t0=$(date +%s%N)
	PROVBOX_RESYNC_TIMEOUT_MS=2000 ctl resync --all >"$o" && rc=0 || rc=$?
	t1=$(date +%s%N)
	[ "$rc" -eq 1 ] || die "exit $rc, not 1"
	[ "$(wc -l <"$o")" -eq 3 ] || die "not 3 lines: $(cat "$o")"
	grep -q "^$MAC1 bob .*; 200 OK\$" "$o" || die "report: $(cat "$o")"
	grep -q "^$MAC2 carol .*timeout after 2 s\$" "$o" ||
	    die "report: $(cat "$o")"
	# At once: the silent phone's 2 s, not 2 s per phone.
	[ $(((t1 - t0) / 1000000)) -lt 3500 ] ||
	    die "took $(((t1 - t0) / 1000000)) ms"
	pb_pass
}

t_rotate() {
	local o=$OUT/rotate log=$OUT/rotate.phone ip rc

	ip=$(ip_of p1) || die "no lease"
	phone "$NS_P1" ok "$log" 201 "$PW_BOB" || die "the phone does not listen"
	ctl rotate bob --resync >"$o" && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || die "exit $rc: $(cat "$o")"
	grep -q "^bob: new token" "$o" || die "no rotation: $(head -n 2 "$o")"
	grep -qxF "$MAC1 bob $ip: sent check-sync; 200 OK" "$o" ||
	    die "report: $(cat "$o")"
	[ "$(grep -c '^NOTIFY' "$log")" -eq 1 ] || die "no NOTIFY"
	ctl --json rotate bob --resync >"$o.json" || die "--json: exit $?"
	python3 - "$o.json" <<'EOF' || die "--json: $(cat "$o.json")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["action"] == "rotated" and o["resync"][0]["result"] == "acknowledged"
EOF
	pb_pass
}

t_no_secret() {
	local f pw

	pb_daemon_stop dhcpd || die "dhcpd was not running at the end"
	for f in "$OUT"/* "$DLOG"; do
		[ -f "$f" ] || continue
		grep -qE "runtime error|Sanitizer" "$f" &&
		    die "$(basename "$f"): $(grep -m 1 -E "runtime error|Sanitizer" "$f")"
		for pw in $ALL_PW; do
			grep -qF "$pw" "$f" && die "a password in $(basename "$f")"
		done
	done
	pb_pass
}

setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
write_phone

pb_run start 40 t_start
pb_run lease 30 t_lease
pb_run ack 30 t_ack
pb_run digest 30 t_digest
pb_run timeout 30 t_timeout
pb_run no-lease 30 t_no_lease
pb_run reboot 30 t_reboot
pb_run all 30 t_all
pb_run rotate 30 t_rotate
pb_run no-secret 30 t_no_secret
pb_finish
