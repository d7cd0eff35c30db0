#!/usr/bin/env bash
# tftp.sh - the read-only TFTP server (issue #15) with Debian's clients
# (atftp, tftp-hpa) and as an attacker on the LAN would use it.
#
#   sudo bash tests/integration/tftp.sh [BUILD_DIR [RESULTS_FILE]]
#
#   $T-c1: ${T}c1, a Cisco 7965 (enterprise firmware) 00:1b:d4:49:00:01,
#          lease by pbprobe with its Option 60                        --+
#   $T-c2: ${T}c2, another host, 10.49.0.20, no lease                 --+
#                                                                        |
#   $T-srv: bridge ${T}br 10.49.0.1/24; provbox-dhcpd and provbox-provisiond
#           (HTTPS 10.49.0.1:443, TFTP 10.49.0.1:69) on one registry
#
# The config is the shipped vendors.conf and templates (its
# cisco-enterprise class: legacy, tftp = true, option 150) with
# provisioning.tftp_listen set; one user with the 7965 and an Aastra
# phone (a legacy class without tftp). A firmware file in static_dir.
#
# Tests (each prints "PASS name" or "FAIL name: reason"; the last line is
# "tftp-integration: N passed, N failed", RESULTS_FILE gets
# "tftp-integration PASSED FAILED"):
#   start          both daemons start; provisiond listens on TFTP
#   lease          the enrolled 7965's DORA: class cisco-enterprise, option
#                  150 names 10.49.0.1
#   atftp          atftp from the phone's address, blksize 1428 and tsize:
#                  the OACK names both, the file holds the phone's line and
#                  password; the audit line says tftp-served
#   tftp-hpa       tftp-hpa's client (netascii, its default, and octet):
#                  the same file
#   other-host     the same name from an address without the lease: "file
#                  not found", no password; the audit line says why
#   no-tftp-class  the Aastra phone's own file over TFTP from its own
#                  enrolled lease: refused (its class has no tftp); its
#                  common file is served
#   escape         ../, absolute paths, folders, a token folder, odd
#                  bytes, netascii for a static file: refused, nothing of
#                  the host's files in any answer
#   write          PUT (WRQ) with both clients: refused, nothing written
#                  anywhere under the config, static or registry directory
#   static         a 300 KB firmware file: tftp-hpa, atftp (blksize 1468)
#                  and windowsize 8 (RFC 7440) all get it byte for byte
#   retries        a client that never acknowledges gets the first block
#                  at most 5 times, then nothing; the transfer is counted
#                  as timed out
#   sessions       6 requests at once from one address: 4 transfers, 2
#                  refused ("too many transfers")
#   malformed      garbage, truncated and oversized packets, unknown
#                  opcodes and modes: answered with an error or dropped,
#                  counted; the daemon serves on
#   guard          misses over TFTP feed the enumeration guard: past
#                  max_misses the other host is refused even for a common
#                  file, while the phone is still served
#   logs-clean     both daemons stop on SIGTERM; no sanitizer report, no
#                  password in either log
#
# Exit 0 if all passed, 1 if not, 77 if not root or a tool is missing.
# PB_ONLY="name ..." and PB_KEEP=1 as in lib.sh.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="atftp=atftp tftp=tftp-hpa python3=python3 openssl=openssl ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" tftp-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_PH=$T-c1
NS_OT=$T-c2
BR=${T}br
IF_PH=${T}c1
IF_OT=${T}c2
SRV_IP=10.49.0.1
OT_IP=10.49.0.20
PROVD=$PB_BUILD/provbox-provisiond
TFTPC="python3 $here/../tools/pbtftp.py"

MAC=00:1b:d4:49:00:01		# the 7965
MACU=001BD4490001		# in its file names
AMAC=00:08:5d:49:00:02		# the Aastra (legacy, no tftp)
AMACU=00085D490002
USER_NAME=tina
PW_SIP=tina-Sip-Pw-4901
PW_ASIP=tina-Aastra-Pw-4902
PW_ADM=tina-Unlock-Pw-7391
ALL_PW="$PW_SIP $PW_ASIP $PW_ADM"
FW=SIP75.9-4-2SR3-1S.loads

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
RUN=$PB_TMP/run
REG=$PB_TMP/registry
OUT=$PB_TMP/out
LOGS=$PB_TMP/logs
DLOG=$LOGS/dhcpd.log
PLOG=$LOGS/provisiond.log
CTL_ERR=$OUT/provboxctl.err
mkdir -p "$OUT" "$LOGS"
: >"$DLOG"
: >"$PLOG"
: >"$CTL_ERR"

# ------------------------------------------------------------------ config

write_config() {
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	mkdir -p "$RUN" "$REG" "$CONF_DIR/static" &&
	    chmod 700 "$RUN" "$REG" || return 1
	pb_conf_simple "$CONF" 10.49.0 "$SRV_IP" "$REG" "$RUN" "" info \
	    "" "" "tftp_listen = [ \"$SRV_IP:69\" ];" || return 1
	grep -q 'tftp_listen' "$CONF" || return 1
	head -c 300000 /dev/urandom >"$CONF_DIR/static/$FW" || return 1
	# The 7965G's firmware: the load id, which the phone asks for with
	# ".loads" appended (etc/templates/README.md, "Cisco").
	sed -i 's|^    name = "cisco-enterprise";$|&\
    models = ( { name = "CP-7965G"; firmware = "'"${FW%.loads}"'"; } );|' \
	    "$CONF_DIR/vendors.conf" || return 1
	grep -qF "firmware = \"${FW%.loads}\"" "$CONF_DIR/vendors.conf" ||
	    return 1
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "$USER_NAME"; display_name = "Tina Tftp";
    sip = { user = "491"; password = "$PW_SIP"; server = "$SRV_IP"; };
    settings = { timezone = "America/Chicago"; date_format = "mdy";
      ntp_servers = [ "$SRV_IP" ]; admin_password = "$PW_ADM"; };
    devices = (
      { mac = "$MAC"; vendor = "cisco-enterprise"; model = "CP-7965G"; },
      { mac = "$AMAC"; vendor = "aastra"; model = "6737i"; }
    ); },
  { name = "tom"; display_name = "Tom Aastra";
    sip = { user = "492"; password = "$PW_ASIP"; server = "$SRV_IP"; };
    devices = ( ); }
);
EOF
}

# ----------------------------------------------------------------- network

setup_network() {
	pb_bridge "$NS_SRV" "$BR" "$SRV_IP/24" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_PH" "$IF_PH" "$MAC" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_OT" "$IF_OT" \
	    02:00:00:49:00:20 &&
	    ip -n "$NS_OT" addr add "$OT_IP/24" dev "$IF_OT"
}

# ----------------------------------------------------------------- helpers

start_dhcpd() {
	pb_start_dhcpd "$NS_SRV" "$CONF" "$DLOG" "$RUN"
}

start_provd() {
	pb_start_provd "$NS_SRV" "$CONF" "$PLOG" "$RUN"
}

ctl() {
	timeout 30 "$CTL" -c "$CONF" "$@" 2>>"$CTL_ERR"
}

# nsx NS CMD...: CMD in namespace NS, at most 30 s.
nsx() {
	local ns=$1

	shift
	ip netns exec "$ns" timeout 30 "$@"
}

# nopw FILE WHAT: dies if FILE holds a password.
nopw() {
	local pw

	[ -f "$1" ] || return 0
	for pw in $ALL_PW; do
		grep -qF "$pw" "$1" && die "$2: a password in the answer"
	done
	return 0
}

# stats: provisiond's "stats: tftp:" line after a SIGUSR1.
stats() {
	local mark

	mark=$(pb_lines "$PLOG")
	kill -USR1 "$(pb_daemon_pid provd)" 2>/dev/null || return 1
	pb_wait_for 5 pb_grep_after "$PLOG" "$mark" "stats: tftp:" || return 1
	tail -n +"$((mark + 1))" "$PLOG" | grep "stats: tftp:" | tail -n 1
}

# stat_n NAME: a number of the stats line ("requests", "malformed", ...).
stat_n() {
	stats | grep -oE "$1 [0-9]+" | head -n 1 | grep -oE '[0-9]+$'
}

# ------------------------------------------------------------------- tests

t_start() {
	start_dhcpd || die "dhcpd did not start: $(tail -n 5 "$DLOG")"
	start_provd || die "provisiond did not start: $(tail -n 5 "$PLOG")"
	grep -q "listening on $SRV_IP:69 (TFTP, read-only)" "$PLOG" ||
	    die "provisiond does not say it listens on TFTP"
	pb_pass
}

t_lease() {
	local o=$OUT/lease ip

	ctl enroll "$MAC" --for 10m >"$o.enroll" ||
	    die "provboxctl enroll: $(tail -n 2 "$CTL_ERR")"
	nsx "$NS_PH" "$PROBE" -i "$IF_PH" -m "$MAC" \
	    -V "Cisco Systems, Inc. IP Phone CP-7965G" -P 1,3,6,15,66,150 \
	    dora >"$o" 2>&1 || die "pbprobe as the 7965: $(head -n 2 "$o")"
	ip=$(pb_kv yiaddr "$o")
	[ -n "$ip" ] || die "no lease: $(head -n 3 "$o")"
	grep -q "DHCPACK $ip to $MAC (cisco-enterprise, $USER_NAME)" "$DLOG" ||
	    die "no 'DHCPACK $ip to $MAC (cisco-enterprise, $USER_NAME)' in dhcpd's log"
	grep -qE "^opt150=.*$SRV_IP" "$o" ||
	    die "option 150 does not name $SRV_IP: $(grep opt150 "$o")"
	ip -n "$NS_PH" -4 addr flush dev "$IF_PH"
	ip -n "$NS_PH" addr add "$ip/24" dev "$IF_PH" || die "cannot set $ip"
	echo "$ip" >"$OUT/phone.ip"
	pb_pass
}

t_atftp() {
	local o=$OUT/atftp mark ip

	ip=$(cat "$OUT/phone.ip" 2>/dev/null) || die "no lease"
	mark=$(pb_lines "$PLOG")
	(cd "$OUT" && nsx "$NS_PH" atftp --trace --option "blksize 1428" \
	    --option "tsize 0" -g -r "SEP$MACU.cnf.xml" -l "$o.xml" \
	    "$SRV_IP" >"$o.out" 2>&1) ||
	    die "atftp failed: $(tail -n 3 "$o.out")"
	# atftp --trace: "received OACK <tsize: 1397, blksize: 1428, >"
	grep -q 'received OACK.*blksize: 1428' "$o.out" ||
	    die "no blksize 1428 in the OACK: $(grep -i oack "$o.out" | head -n 2)"
	grep -q "received OACK.*tsize: $(stat -c %s "$o.xml")," "$o.out" ||
	    die "no tsize of $(stat -c %s "$o.xml") in the OACK: $(grep -i oack "$o.out" | head -n 2)"
	grep -qF "<authPassword>$PW_SIP</authPassword>" "$o.xml" ||
	    die "the file has no line with the phone's password"
	grep -qF "<name>491</name>" "$o.xml" || die "the file has no line 491"
	# The named settings in the phone's own keys.
	for want in \
	    "<timeZone>Central Standard/Daylight Time</timeZone>" \
	    "<dateTemplate>M/D/Y</dateTemplate>" "<name>$SRV_IP</name>" \
	    "<phonePassword>$PW_ADM</phonePassword>" \
	    "<loadInformation>${FW%.loads}</loadInformation>"; do
		grep -qF "$want" "$o.xml" || die "the file has no $want"
	done
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "$ip RRQ legacy SEP$MACU\\.cnf\\.xml 200 .*mac $MAC user $USER_NAME vendor cisco-enterprise .*refused -" ||
	    die "no audit line for the transfer"
	pb_pass
}

t_tftp_hpa() {
	local o=$OUT/hpa

	(cd "$OUT" && nsx "$NS_PH" tftp "$SRV_IP" -c get "SEP$MACU.cnf.xml" \
	    "$o.ascii" >"$o.out" 2>&1) || die "tftp (netascii): $(cat "$o.out")"
	(cd "$OUT" && nsx "$NS_PH" tftp -m binary "$SRV_IP" -c get \
	    "SEP$MACU.cnf.xml" "$o.octet" >>"$o.out" 2>&1) ||
	    die "tftp (octet): $(cat "$o.out")"
	cmp -s "$o.octet" "$OUT/atftp.xml" ||
	    die "tftp-hpa's octet copy differs from atftp's"
	cmp -s "$o.ascii" "$OUT/atftp.xml" ||
	    die "tftp-hpa's netascii copy differs from atftp's"
	pb_pass
}

t_other_host() {
	local o=$OUT/other mark

	mark=$(pb_lines "$PLOG")
	nsx "$NS_OT" $TFTPC get "$SRV_IP" "SEP$MACU.cnf.xml" "$o.xml" \
	    blksize=1428 tsize >"$o.out" 2>&1
	grep -q '^error 1 file not found' "$o.out" ||
	    die "from $OT_IP: '$(head -n 1 "$o.out")', expected error 1"
	[ -e "$o.xml" ] && die "a file came to $OT_IP"
	(cd "$OUT" && nsx "$NS_OT" atftp -g -r "SEP$MACU.cnf.xml" -l "$o.a" \
	    "$SRV_IP" >"$o.a.out" 2>&1) && die "atftp from $OT_IP got the file"
	nopw "$o.a" "atftp from $OT_IP"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "$OT_IP RRQ legacy SEP$MACU\\.cnf\\.xml 404 .*refused lease-binding" ||
	    die "no 'refused lease-binding' audit line for $OT_IP"
	pb_pass
}

t_no_tftp_class() {
	local o=$OUT/aastra aip

	ctl enroll "$AMAC" --for 10m >"$o.enroll" ||
	    die "provboxctl enroll: $(tail -n 2 "$CTL_ERR")"
	nsx "$NS_OT" "$PROBE" -i "$IF_OT" -m "$AMAC" -V "aastra" \
	    dora >"$o.dhcp" 2>&1
	aip=$(pb_kv yiaddr "$o.dhcp")
	[ -n "$aip" ] || die "the Aastra got no lease: $(head -n 3 "$o.dhcp")"
	ip -n "$NS_OT" addr add "$aip/24" dev "$IF_OT" || die "cannot add $aip"
	nsx "$NS_OT" python3 - "$SRV_IP" "$aip" "$AMACU.cfg" "$o.own" \
	    >"$o.out" 2>&1 <<'EOF'
import socket, struct, sys
srv, src, name, out = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(5)
s.sendto(struct.pack("!H", 1) + name.encode() + b"\0octet\0", (srv, 69))
p, _ = s.recvfrom(70000)
print(p[:4].hex(), p[4:].rstrip(b"\0").decode())
open(out, "wb").write(p)
EOF
	grep -q '^00050001 file not found' "$o.out" ||
	    die "the Aastra's own file over TFTP: '$(head -n 1 "$o.out")'"
	nopw "$o.own" "the Aastra's own file over TFTP"
	nsx "$NS_OT" $TFTPC get "$SRV_IP" aastra.cfg "$o.common" >"$o.c.out" 2>&1
	grep -q '^ok ' "$o.c.out" ||
	    die "aastra.cfg over TFTP: $(head -n 1 "$o.c.out")"
	nopw "$o.common" "aastra.cfg"
	ip -n "$NS_OT" addr del "$aip/24" dev "$IF_OT"
	pb_pass
}

t_escape() {
	local o=$OUT/escape n tok

	tok=$(ctl --json user show "$USER_NAME" 2>/dev/null |
	    grep -oE '"token": *"[A-Za-z0-9_-]{32}"' | grep -oE '[A-Za-z0-9_-]{32}')
	n=0
	for name in ../../../../etc/passwd /etc/passwd etc/passwd \
	    "static/$FW" "p/${tok:-x}/SEP$MACU.cnf.xml" ".." "." \
	    "..%2f..%2fetc%2fpasswd" "SEP$MACU.cnf.xml/" 'a\b' \
	    "../etc/provbox/users.conf" "../users.conf" "users.conf" \
	    "provbox.conf" "tls/server.key" "server.key"; do
		n=$((n + 1))
		nsx "$NS_PH" $TFTPC get "$SRV_IP" "$name" "$o.$n" \
		    >"$o.$n.out" 2>&1
		grep -q '^error 1 ' "$o.$n.out" ||
		    die "'$name': '$(head -n 1 "$o.$n.out")', expected error 1"
		[ -e "$o.$n" ] && die "'$name': a file came back"
	done
	# netascii of a static file would corrupt it: refused.
	(cd "$OUT" && nsx "$NS_PH" tftp "$SRV_IP" -c get "$FW" "$o.fw" \
	    >"$o.fw.out" 2>&1)
	grep -qi 'octet mode only' "$o.fw.out" ||
	    die "netascii of a static file: $(head -n 2 "$o.fw.out")"
	pb_pass
}

t_write() {
	local o=$OUT/write before after mark

	mark=upload-$RANDOM-$RANDOM-$$
	echo "$mark" >"$o.src"
	before=$(find "$CONF_DIR" "$REG" -newer "$CONF" -type f | sort)
	(cd "$OUT" && nsx "$NS_PH" tftp -m binary "$SRV_IP" -c put "$o.src" \
	    "SEP$MACU.cnf.xml" >"$o.hpa" 2>&1)
	grep -qi 'read-only\|violation' "$o.hpa" ||
	    die "tftp-hpa put: '$(head -n 2 "$o.hpa")'"
	(cd "$OUT" && nsx "$NS_PH" atftp -p -l "$o.src" -r "$FW" "$SRV_IP" \
	    >"$o.atftp" 2>&1) && die "atftp put succeeded"
	sleep 1
	after=$(find "$CONF_DIR" "$REG" -newer "$CONF" -type f | sort)
	# The registry's data file changes with every request (fetch
	# records): compare everything else.
	before=$(grep -v '/registry/' <<<"$before")
	after=$(grep -v '/registry/' <<<"$after")
	[ "$before" = "$after" ] || die "files written: $after"
	grep -rqF "$mark" "$CONF_DIR" "$REG" &&
	    die "the upload landed in the config or the registry"
	pb_pass
}

t_static() {
	local o=$OUT/static want

	want=$(sha256sum <"$CONF_DIR/static/$FW" | cut -d ' ' -f 1)
	(cd "$OUT" && nsx "$NS_PH" tftp -m binary "$SRV_IP" -c get "$FW" \
	    "$o.hpa" >"$o.hpa.out" 2>&1) || die "tftp-hpa: $(cat "$o.hpa.out")"
	[ "$(sha256sum <"$o.hpa" | cut -d ' ' -f 1)" = "$want" ] ||
	    die "tftp-hpa's copy differs"
	(cd "$OUT" && nsx "$NS_PH" atftp --option "blksize 1468" \
	    --option "tsize 0" -g -r "$FW" -l "$o.atftp" "$SRV_IP" \
	    >"$o.atftp.out" 2>&1) || die "atftp: $(tail -n 2 "$o.atftp.out")"
	[ "$(sha256sum <"$o.atftp" | cut -d ' ' -f 1)" = "$want" ] ||
	    die "atftp's copy differs"
	nsx "$NS_PH" $TFTPC get "$SRV_IP" "$FW" "$o.win" blksize=1428 \
	    windowsize=8 tsize >"$o.win.out" 2>&1
	grep -q '^ok 300000 oack=blksize:1428,tsize:300000,windowsize:8$' \
	    "$o.win.out" || die "windowsize 8: $(head -n 1 "$o.win.out")"
	[ "$(sha256sum <"$o.win" | cut -d ' ' -f 1)" = "$want" ] ||
	    die "the windowsize copy differs"
	pb_pass
}

t_retries() {
	local o=$OUT/retries before after n

	before=$(stat_n "timed out") || die "no stats line"
	# Default timeout 2 s, 5 sends: over after about 10 s.
	nsx "$NS_PH" $TFTPC noack "$SRV_IP" "$FW" 16 >"$o" 2>&1
	n=$(grep -oE '^data [0-9]+' "$o" | grep -oE '[0-9]+')
	[ -n "$n" ] || die "pbtftp: $(head -n 2 "$o")"
	[ "$n" -ge 2 ] && [ "$n" -le 5 ] ||
	    die "$n copies of the first block, expected 2 to 5"
	after=$(stat_n "timed out")
	[ "$after" -eq $((before + 1)) ] ||
	    die "timed-out transfers $before -> $after, expected one more"
	pb_pass
}

t_sessions() {
	local o=$OUT/sessions

	nsx "$NS_PH" $TFTPC hold "$SRV_IP" "$FW" 6 >"$o" 2>&1
	grep -qx 'data 4 error 2' "$o" ||
	    die "6 transfers at once: '$(cat "$o")', expected 'data 4 error 2'"
	pb_pass
}

t_malformed() {
	local o=$OUT/malformed before after pid big

	pid=$(pb_daemon_pid provd)
	before=$(stat_n malformed) || die "no stats line"
	big=$(printf '0001%01200d' 0)
	nsx "$NS_PH" $TFTPC raw "$SRV_IP" \
	    00 0001 000141414100 "$big" \
	    0009414141006f6374657400 \
	    0001612e63666700 \
	    0001612e636667006d61696c00 \
	    0001612e636667006f6374657400626c6b73697a6500 \
	    0003000141414141 0004000100 0005000048690000 >"$o" 2>&1 ||
	    die "pbtftp raw: $(head -n 2 "$o")"
	[ "$(wc -l <"$o")" -eq 11 ] || die "pbtftp raw: $(cat "$o")"
	# An unknown mode is told so; the rest is dropped without a word.
	grep -q '^00050004 octet or netascii mode only' "$o" ||
	    die "no error for mode \"mail\": $(cat "$o")"
	[ "$(grep -c '^none$' "$o")" -eq 10 ] || die "answers: $(cat "$o")"
	after=$(stat_n malformed)
	[ "$after" -eq $((before + 11)) ] ||
	    die "malformed $before -> $after, expected 11 more"
	pb_alive "$pid" || die "provisiond died"
	nsx "$NS_PH" $TFTPC get "$SRV_IP" XMLDefault.cnf.xml "$o.after" \
	    >"$o.after.out" 2>&1
	grep -q '^ok ' "$o.after.out" ||
	    die "no answer after the garbage: $(head -n 1 "$o.after.out")"
	pb_pass
}

t_guard() {
	local o=$OUT/guard i last

	# max_misses is 10 by default: 12 misses from the other host.
	for i in $(seq 1 12); do
		nsx "$NS_OT" $TFTPC get "$SRV_IP" "SEP001BD449$(printf %04d "$i").cnf.xml" \
		    "$o.$i" >"$o.$i.out" 2>&1
	done
	last=$(head -n 1 "$o.12.out")
	[[ $last == "error 0 too many misses"* ]] ||
	    die "the 12th miss got '$last', expected 'too many misses'"
	nsx "$NS_OT" $TFTPC get "$SRV_IP" XMLDefault.cnf.xml "$o.common" \
	    >"$o.common.out" 2>&1
	[[ $(head -n 1 "$o.common.out") == "error 0 too many misses"* ]] ||
	    die "the blocked host still gets files: $(head -n 1 "$o.common.out")"
	nsx "$NS_PH" $TFTPC get "$SRV_IP" "SEP$MACU.cnf.xml" "$o.phone" \
	    >"$o.phone.out" 2>&1
	grep -q '^ok ' "$o.phone.out" ||
	    die "the phone is refused too: $(head -n 1 "$o.phone.out")"
	pb_pass
}

t_logs_clean() {
	pb_daemon_stop dhcpd || die "dhcpd was not running at the end"
	pb_daemon_stop provd || die "provisiond was not running at the end"
	pb_logs_clean "$ALL_PW" "$DLOG" "$PLOG" "$CTL_ERR"
	pb_pass
}

setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }

pb_run start 40 t_start
pb_run lease 30 t_lease
pb_run atftp 30 t_atftp
pb_run tftp-hpa 30 t_tftp_hpa
pb_run other-host 40 t_other_host
pb_run no-tftp-class 40 t_no_tftp_class
pb_run escape 120 t_escape
pb_run write 40 t_write
pb_run static 60 t_static
pb_run retries 40 t_retries
pb_run sessions 30 t_sessions
pb_run malformed 40 t_malformed
pb_run guard 60 t_guard
pb_run logs-clean 50 t_logs_clean
pb_finish
