#!/usr/bin/env bash
# pnp.sh - SIP plug-and-play (issue #15): phones that multicast a
# ua-profile SUBSCRIBE to 224.0.1.75:5060 get a NOTIFY with their
# provisioning URL under the DHCP answer's rules, and an attacker on the
# LAN gets nothing.
#
#   sudo bash tests/integration/pnp.sh [BUILD_DIR [RESULTS_FILE]]
#
#   $T-c1: ${T}c1, sam's snom D785 00:04:13:51:00:01, enrolled     --+
#   $T-c2: ${T}c2, yara's Yealink T46S 80:5e:c0:51:00:02, enrolled --+
#   $T-c3: ${T}c3, sid's snom D785 00:04:13:51:00:03, not enrolled --+
#   $T-c4: ${T}c4, another host, 10.51.0.20, no lease               --+
#                                                                      |
#   $T-srv: bridge ${T}br 10.51.0.1/24; provbox-dhcpd and provisiond
#           (HTTPS, sip_pnp = true: 224.0.1.75:5060 joined on the bridge)
#
# The SUBSCRIBEs are the phones' own forms (tests/tools/pbsip.py, from
# the sources provisiond/sippnp.h cites): snom's "MAC%3a<MAC>" user part
# with a branchless Via, Yealink's "MAC<mac>". The config is the shipped
# vendors.conf (pnp_url for snom, yealink and grandstream) and templates.
#
# Tests (each prints "PASS name" or "FAIL name: reason"; the last line is
# "pnp-integration: N passed, N failed", RESULTS_FILE gets
# "pnp-integration PASSED FAILED"):
#   start          provisiond joins 224.0.1.75 on the bridge
#   lease          the three phones' DORAs (sam and yara enrolled)
#   snom           sam's snom multicasts its SUBSCRIBE from its leased
#                  address: 200 OK, then a NOTIFY (application/url,
#                  terminated) with its first-access settings URL, which
#                  then provisions it: its own file with its password; the
#                  audit line shows the token shortened
#   yealink        the same for yara's Yealink in Yealink's form
#   other-host     sam's MAC from an address without its lease: silence,
#                  refused lease-binding
#   not-enrolled   sid's registered snom, from its own lease but outside
#                  any enrollment window: silence; an unregistered MAC:
#                  silence; neither answer differs from the other
#   retransmit     three copies of one SUBSCRIBE get three 200 OKs and one
#                  transaction; a phone that never answers the NOTIFY gets
#                  it again on RFC 3261 Timer E (0, 0.5, 1.5, 3.5 s)
#   malformed      garbage, a response to nothing, a 5000-byte datagram,
#                  a SUBSCRIBE for another event: dropped and counted; the
#                  daemon answers on
#   guard          refused SUBSCRIBEs from one host block it (its own
#                  guard: the phone's HTTPS is untouched)
#   logs-clean     both daemons stop on SIGTERM; no sanitizer report, no
#                  password or whole token in either log
#
# Exit 0 if all passed, 1 if not, 77 if not root or a tool is missing.
# PB_ONLY="name ..." and PB_KEEP=1 as in lib.sh.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="curl=curl python3=python3 openssl=openssl ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" pnp-integration

T=$PB_TAG
NS_SRV=$T-srv
BR=${T}br
SRV_IP=10.51.0.1
OT_IP=10.51.0.20
PROVD=$PB_BUILD/provbox-provisiond
SIPC="python3 $here/../tools/pbsip.py"

MAC1=00:04:13:51:00:01		# sam, snom D785
MAC2=80:5e:c0:51:00:02		# yara, Yealink T46S
MAC3=00:04:13:51:00:03		# sid, snom D785, never enrolled
PW1=sam-Sip-Pw-5101
PW2=yara-Sip-Pw-5102
PW3=sid-Sip-Pw-5103
ALL_PW="$PW1 $PW2 $PW3"

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
	mkdir -p "$RUN" "$REG" && chmod 700 "$RUN" "$REG" || return 1
	pb_conf_simple "$CONF" 10.51.0 "$SRV_IP" "$REG" "$RUN" "" info \
	    "" "" "sip_pnp = true;" || return 1
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "sam"; sip = { user = "511"; password = "$PW1"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC1"; vendor = "snom"; model = "D785"; } ); },
  { name = "yara"; sip = { user = "512"; password = "$PW2"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC2"; vendor = "yealink"; model = "T46S"; } ); },
  { name = "sid"; sip = { user = "513"; password = "$PW3"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC3"; vendor = "snom"; model = "D785"; } ); }
);
EOF
}

# ----------------------------------------------------------------- network

# client N MAC: namespace $T-cN on the bridge.
client() {
	pb_bridge_port "$NS_SRV" "$BR" "$T-c$1" "${T}c$1" "$2"
}

setup_network() {
	# No IGMP querier here: flood multicast rather than snoop.
	pb_bridge "$NS_SRV" "$BR" "$SRV_IP/24" mcast_snooping 0 || return 1
	client 1 "$MAC1" && client 2 "$MAC2" && client 3 "$MAC3" &&
	    client 4 02:00:00:51:00:20 || return 1
	ip -n "$T-c4" addr add "$OT_IP/24" dev "${T}c4" &&
	    ip -n "$T-c4" route add 224.0.0.0/4 dev "${T}c4"
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

# ip_of N: the address client N leased.
ip_of() {
	cat "$OUT/ip$1" 2>/dev/null
}

# sub N FORM MAC MODEL OUT [ARGS...]: a SUBSCRIBE from client N.
sub() {
	local n=$1 form=$2 mac=$3 model=$4 out=$5 src

	shift 5
	src=$(ip_of "$n")
	[ "$n" = 4 ] && src=$OT_IP
	ip netns exec "$T-c$n" timeout 30 $SIPC subscribe "$form" "$mac" \
	    "$model" "$src" "$@" >"$out" 2>&1
}

# fetch N OUT URL: curl from client N, trusting the suite's certificate.
fetch() {
	pb_fetch "$T-c$1" "$CONF_DIR/tls/server.crt" "$2" "$3"
}

# stat_n NAME: a number of provisiond's "stats: sip-pnp:" line (SIGUSR1).
stat_n() {
	local mark

	mark=$(pb_lines "$PLOG")
	kill -USR1 "$(pb_daemon_pid provd)" 2>/dev/null || return 1
	pb_wait_for 5 pb_grep_after "$PLOG" "$mark" "stats: sip-pnp:" ||
	    return 1
	tail -n +"$((mark + 1))" "$PLOG" | grep "stats: sip-pnp:" | tail -n 1 |
	    grep -oE "$1 [0-9]+" | head -n 1 | grep -oE '[0-9]+$'
}

# ------------------------------------------------------------------- tests

t_start() {
	start_dhcpd || die "dhcpd did not start: $(tail -n 5 "$DLOG")"
	start_provd || die "provisiond did not start: $(tail -n 5 "$PLOG")"
	grep -q "sip-pnp: listening on $BR for 224.0.1.75:5060" "$PLOG" ||
	    die "provisiond did not join 224.0.1.75 on $BR: $(grep sip-pnp "$PLOG" | head -n 2)"
	pb_pass
}

t_lease() {
	local n mac v o ip

	ctl enroll "$MAC1" --for 10m >/dev/null && ctl enroll "$MAC2" --for 10m \
	    >/dev/null || die "provboxctl enroll: $(tail -n 2 "$CTL_ERR")"
	for n in 1 2 3; do
		case $n in
		1) mac=$MAC1 v=snomD785 ;;
		2) mac=$MAC2 v=yealink ;;
		3) mac=$MAC3 v=snomD785 ;;
		esac
		o=$OUT/dhcp$n
		ip netns exec "$T-c$n" timeout 30 "$PROBE" -i "${T}c$n" \
		    -m "$mac" -V "$v" -P 1,3,6,66 dora >"$o" 2>&1 ||
		    die "pbprobe as $mac: $(head -n 2 "$o")"
		ip=$(pb_kv yiaddr "$o")
		[ -n "$ip" ] || die "$mac got no lease: $(head -n 2 "$o")"
		ip -n "$T-c$n" addr add "$ip/24" dev "${T}c$n" &&
		    ip -n "$T-c$n" route add 224.0.0.0/4 dev "${T}c$n" ||
		    die "cannot set $ip"
		echo "$ip" >"$OUT/ip$n"
	done
	pb_pass
}

# The NOTIFY's URL must be a first-access folder and the file it names.
t_snom() {
	local o=$OUT/snom url mark ip

	ip=$(ip_of 1)
	mark=$(pb_lines "$PLOG")
	sub 1 snom "$MAC1" D785 "$o"
	grep -qx 'ok 200' "$o" || die "no 200 OK: $(head -n 3 "$o")"
	url=$(sed -n 's/^notify //p' "$o")
	[[ $url =~ ^https://$SRV_IP/p/[A-Za-z0-9_-]{32}/snomD785\.htm$ ]] ||
	    die "the NOTIFY carries '$url'"
	grep -qx 'content-type application/url' "$o" ||
	    die "NOTIFY Content-Type: $(grep content-type "$o")"
	grep -q '^event ua-profile' "$o" || die "NOTIFY Event: $(grep '^event' "$o")"
	grep -q '^state terminated' "$o" ||
	    die "NOTIFY Subscription-State: $(grep '^state' "$o")"
	# The phone takes it from there: its model file, then its own.
	fetch 1 "$o.model" "$url"
	[ "$(cat "$o.model.code")" = 200 ] || die "the settings URL: $(cat "$o.model.code")"
	fetch 1 "$o.own" "${url%snomD785.htm}000413510001.xml"
	[ "$(cat "$o.own.code")" = 200 ] || die "its own file: $(cat "$o.own.code")"
	grep -qF "$PW1" "$o.own.body" || die "its own file has no password"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "$ip SUBSCRIBE pnp vendor \"snom\" model \"snomD785\" -> first-access [A-Za-z0-9_-]{4}\\.\\.\\.\\(32\\) mac $MAC1 user sam class snom refused -" ||
	    die "no audit line for the SUBSCRIBE"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" "enroll: $MAC1 first-access-used ip $ip" ||
	    die "no first-access-used line"
	pb_pass
}

t_yealink() {
	local o=$OUT/yealink url

	sub 2 yealink "$MAC2" T46S "$o"
	grep -qx 'ok 200' "$o" || die "no 200 OK: $(head -n 3 "$o")"
	url=$(sed -n 's/^notify //p' "$o")
	[[ $url =~ ^https://$SRV_IP/p/[A-Za-z0-9_-]{32}/$ ]] ||
	    die "the NOTIFY carries '$url'"
	fetch 2 "$o.own" "${url}805ec0510002.cfg"
	[ "$(cat "$o.own.code")" = 200 ] || die "its own file: $(cat "$o.own.code")"
	grep -qxF "account.1.password = $PW2" "$o.own.body" ||
	    die "its own file has no account 1 with its password"
	pb_pass
}

t_other_host() {
	local o=$OUT/other mark

	mark=$(pb_lines "$PLOG")
	sub 4 snom "$MAC1" D785 "$o" --wait 3
	grep -qx none "$o" || die "$OT_IP got an answer: $(head -n 3 "$o")"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "$OT_IP SUBSCRIBE pnp .* -> nothing mac $MAC1 user sam class snom refused lease-binding" ||
	    die "no 'refused lease-binding' audit line"
	pb_pass
}

t_not_enrolled() {
	local o=$OUT/notenrolled mark

	mark=$(pb_lines "$PLOG")
	sub 3 snom "$MAC3" D785 "$o" --wait 3
	grep -qx none "$o" || die "sid's phone got an answer: $(head -n 3 "$o")"
	sub 4 snom 00:04:13:51:00:99 D785 "$o.unreg" --wait 3
	cmp -s "$o" "$o.unreg" ||
	    die "an unregistered MAC is answered otherwise: $(cat "$o.unreg")"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "SUBSCRIBE pnp .* mac $MAC3 user sid class snom refused not-enrolling" ||
	    die "no 'refused not-enrolling' audit line"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "SUBSCRIBE pnp .* mac 00:04:13:51:00:99 user - class - refused unregistered" ||
	    die "no 'refused unregistered' audit line"
	pb_pass
}

t_retransmit() {
	local o=$OUT/retx before after n

	before=$(stat_n subscribes) || die "no stats line"
	sub 2 yealink "$MAC2" T46S "$o" --resend 2 --no-ack --wait 4.2
	[ "$(grep -cx 'ok 200' "$o")" -eq 3 ] ||
	    die "three SUBSCRIBEs got $(grep -cx 'ok 200' "$o") 200 OKs"
	n=$(sed -n 's/^notifies //p' "$o")
	[ "${n:-0}" -ge 3 ] && [ "$n" -le 5 ] ||
	    die "$n NOTIFYs in 4 s to a phone that does not answer (Timer E: 4)"
	after=$(stat_n subscribes)
	[ "$after" -eq $((before + 3)) ] ||
	    die "subscribes $before -> $after, expected 3 more"
	pb_pass
}

t_malformed() {
	local o=$OUT/malformed before after pid big

	pid=$(pb_daemon_pid provd)
	before=$(stat_n malformed) || die "no stats line"
	head -c 5000 /dev/zero | tr '\0' 'A' >"$OUT/big"
	sed 's/ua-profile/message-summary/' <<'EOF' | sed 's/$/\r/' >"$OUT/other-event"
SUBSCRIBE sip:MAC%3a000413510001@224.0.1.75 SIP/2.0
Via: SIP/2.0/UDP 10.51.0.20:5060;rport
From: <sip:MAC%3a000413510001@224.0.1.75>;tag=1
To: <sip:MAC%3a000413510001@224.0.1.75>
Call-ID: x1@10.51.0.20
CSeq: 1 SUBSCRIBE
Event: ua-profile
Contact: <sip:10.51.0.20:5060>
Content-Length: 0

EOF
	ip netns exec "$T-c4" timeout 30 $SIPC raw "$OT_IP" 00 \
	    "$(printf 'GARBAGE\r\n\r\n' | xxd -p)" \
	    "$(printf 'SIP/2.0 200 OK\r\nCall-ID: nothing\r\nCSeq: 1 NOTIFY\r\n\r\n' | xxd -p | tr -d '\n')" \
	    "@$OUT/big" "@$OUT/other-event" >"$o" 2>&1 ||
	    die "pbsip raw: $(head -n 2 "$o")"
	[ "$(grep -cx none "$o")" -eq 5 ] || die "answers: $(cat "$o")"
	after=$(stat_n malformed)
	[ "$after" -ge $((before + 3)) ] ||
	    die "malformed $before -> $after, expected at least 3 more"
	pb_alive "$pid" || die "provisiond died"
	sub 2 yealink "$MAC2" T46S "$o.after"
	grep -qx 'ok 200' "$o.after" || die "no answer after the garbage"
	pb_pass
}

t_guard() {
	local o=$OUT/guard i before after

	before=$(stat_n blocked) || die "no stats line"
	for i in $(seq 10 24); do
		sub 4 snom "00:04:13:51:01:$i" D785 "$o.$i" --wait 0.2
	done
	after=$(stat_n blocked)
	[ "$after" -ge $((before + 3)) ] ||
	    die "blocked $before -> $after after 15 refused SUBSCRIBEs"
	grep -q "sip-pnp: $OT_IP blocked for" "$PLOG" ||
	    die "no line saying $OT_IP is blocked"
	# Its HTTPS is not the PnP guard's business: a miss, not 429.
	fetch 4 "$o.https" "https://$SRV_IP/prov/nothing.zzz"
	[ "$(cat "$o.https.code")" = 404 ] || die "HTTPS: $(cat "$o.https.code")"
	pb_pass
}

t_logs_clean() {
	local toks

	pb_daemon_stop dhcpd || die "dhcpd was not running at the end"
	pb_daemon_stop provd || die "provisiond was not running at the end"
	# The first-access tokens the NOTIFYs carried, whole.
	toks=$(grep -ohE '/p/[A-Za-z0-9_-]{32}/' "$OUT"/snom "$OUT"/yealink \
	    2>/dev/null | cut -c 4-35)
	[ -n "$toks" ] || die "no token to look for"
	pb_logs_clean "$ALL_PW $toks" "$DLOG" "$PLOG" "$CTL_ERR"
	pb_pass
}

setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }

pb_run start 40 t_start
pb_run lease 40 t_lease
pb_run snom 30 t_snom
pb_run yealink 30 t_yealink
pb_run other-host 20 t_other_host
pb_run not-enrolled 20 t_not_enrolled
pb_run retransmit 30 t_retransmit
pb_run malformed 30 t_malformed
pb_run guard 40 t_guard
pb_run logs-clean 50 t_logs_clean
pb_finish
