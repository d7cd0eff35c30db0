#!/usr/bin/env bash
# prov.sh - integration tests of provbox-provisiond with real HTTPS clients.
#
#   bash tests/integration/prov.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces (see lib.sh for the names) and removes it
# at the end, also on failure or Ctrl-C:
#
#   $T-c1 phone: carol's Aastra (legacy, client cert), address by DHCP --+
#   $T-c2 another host, 10.42.0.20 (holds no phone's lease)             --+
#   $T-c3 phone: dave's Grandstream (legacy, bootstrap), address by DHCP --+
#   $T-c4 curl, openssl, h2load: 10.42.0.30, one more address per test  --+
#                                                                          |
#   $T-srv: bridge ${T}br 10.42.0.1/24 and 10.42.0.2/24; provbox-dhcpd and
#           provbox-provisiond on one registry (HTTPS 10.42.0.1:443, plain
#           HTTP 10.42.0.1:80; a second provisiond on 10.42.0.2:443 without
#           plain HTTP for one test)
#
# The suite makes its own CAs (server, phones, a foreign one), server and
# per-device client certificates (EC P-256, the MAC in the CN), config and
# templates. Each test prints "PASS name" or "FAIL name: reason"; the last
# line is "prov-integration: N passed, N failed", and RESULTS_FILE gets
# "prov-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77 if
# not root or a tool is missing and cannot be installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final log
# and sanitizer checks); PB_KEEP=1 keeps the temporary directory (config,
# certificates, logs, client output).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
# Read by pb_need_tools. udhcpc is not needed: pbprobe gets the phones
# their leases.
# shellcheck disable=SC2034
PB_TOOLS="curl=curl openssl=openssl mdb_dump=lmdb-utils ip=iproute2"
# Without h2load the load test falls back to curl.
# shellcheck disable=SC2034
PB_TOOLS_OPTIONAL="h2load=nghttp2-client"
pb_init "${1:-$here/../../build}" "${2:-}" prov-integration

T=$PB_TAG
NS_SRV=$T-srv
BR=${T}br
# Client namespaces, each with one veth: ${T}cN inside, ${T}sN on the
# server's bridge.
NS_C1=$T-c1 IF_C1=${T}c1	# carol's phone
NS_C2=$T-c2 IF_C2=${T}c2	# a host without a lease
NS_C3=$T-c3 IF_C3=${T}c3	# dave's phone
NS_C4=$T-c4 IF_C4=${T}c4	# the test client

SRV_IP=10.42.0.1
SRV2_IP=10.42.0.2		# the second provisiond, without plain HTTP
C2_IP=10.42.0.20
C4_IP=10.42.0.30		# the primary address of c4 (openssl, h2load)
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond

# Users and their phones. No password is 32 characters long, so none can
# be taken for a token.
MAC_ALICE=80:5e:c0:10:00:01	# yealink (token folder)
MAC_BOB=80:5e:c0:10:00:02	# yealink
MAC_FRANK=80:5e:c0:10:00:06	# yealink, added by a SIGHUP
MAC_CAROL=00:08:5d:aa:bb:01	# aastra (legacy: lease, cert, allowlist)
MAC_CAROL2=00:08:5d:aa:bb:02	# not registered: the other-MAC certificate
MAC_UNREG=00:08:5d:aa:bb:99	# aastra OUI, not registered
MAC_DAVE=c0:74:ad:cc:dd:01	# gsboot (legacy, bootstrap)
PW_ALICE=alice-Sip-Pw-4711
PW_BOB=bob-Sip-Pw-4712
PW_CAROL=carol-Sip-Pw-4713
PW_DAVE=dave-Sip-Pw-4714
PW_FRANK=frank-Sip-Pw-4716
PW_MALLORY=mallory-Sip-Pw-4719	# only in the broken config
ALL_PW="$PW_ALICE $PW_BOB $PW_CAROL $PW_DAVE $PW_FRANK $PW_MALLORY"

# Guard: more than 10 misses in 60 s from one address blocks it for 3 s.
# Tests that collect misses use their own source address.
GUARD_MAX=10
GUARD_BLOCK=3
MAX_HEADER=4096

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
CONF2=$CONF_DIR/provbox-nohttp.conf
TLS=$CONF_DIR/tls
LOGS=$PB_TMP/logs
PROV_LOG=$LOGS/provisiond.log
PROV2_LOG=$LOGS/provisiond-nohttp.log
DHCPD_LOG=$LOGS/dhcpd.log
OUT=$PB_TMP/out
mkdir -p "$LOGS" "$OUT" "$TLS"
: >"$PROV_LOG"
: >"$PROV2_LOG"
: >"$DHCPD_LOG"

# plain_mac [-u] MAC: 00:08:5d:aa:bb:01 -> 00085daabb01 (-u: 00085DAABB01)
plain_mac() {
	if [ "$1" = -u ]; then
		tr -d : <<<"$2" | tr 'a-f' 'A-F'
	else
		tr -d : <<<"$1" | tr 'A-F' 'a-f'
	fi
}

# ------------------------------------------------------------ certificates

# ec_key FILE: a P-256 key, mode 0600.
ec_key() {
	(umask 077 && openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>>"$PB_TMP/openssl.err")
}

# make_ca NAME FILE_PREFIX: a self-signed CA (FILE_PREFIX.crt, .key).
make_ca() {
	ec_key "$2.key" &&
	    openssl req -new -x509 -key "$2.key" -out "$2.crt" -days 2 \
	    -subj "/O=provbox tests/CN=$1" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    2>>"$PB_TMP/openssl.err"
}

# make_cert CA_PREFIX FILE_PREFIX SUBJECT EXTENSIONS: a certificate signed
# by the CA (FILE_PREFIX.crt, .key).
make_cert() {
	local ca=$1 f=$2

	ec_key "$f.key" &&
	    openssl req -new -key "$f.key" -subj "$3" -out "$f.csr" \
	    2>>"$PB_TMP/openssl.err" &&
	    printf '%s\n' "$4" >"$f.ext" &&
	    openssl x509 -req -in "$f.csr" -CA "$ca.crt" -CAkey "$ca.key" \
	    -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$f.ext" \
	    -out "$f.crt" 2>>"$PB_TMP/openssl.err"
}

# server_cert FILE_PREFIX: a server certificate for both listen addresses.
server_cert() {
	make_cert "$PB_TMP/ca-server" "$1" "/O=provbox tests/CN=$SRV_IP" \
	    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:$SRV_IP,IP:$SRV2_IP"
}

# device_cert CA_PREFIX FILE_PREFIX MAC: a phone's factory certificate,
# the MAC (upper case, no separators) in the CN as snom does.
device_cert() {
	make_cert "$1" "$2" "/O=provbox tests/CN=$(plain_mac -u "$3")" \
	    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
}

make_certs() {
	make_ca "provbox test server CA" "$PB_TMP/ca-server" &&
	    make_ca "provbox test phones CA" "$PB_TMP/ca-phones" &&
	    make_ca "a foreign CA" "$PB_TMP/ca-foreign" &&
	    server_cert "$PB_TMP/server1" &&
	    cp "$PB_TMP/server1.crt" "$TLS/server.crt" &&
	    cp "$PB_TMP/server1.key" "$TLS/server.key" &&
	    cp "$PB_TMP/ca-phones.crt" "$TLS/phones-ca.crt" &&
	    device_cert "$PB_TMP/ca-phones" "$PB_TMP/dev-carol" "$MAC_CAROL" &&
	    device_cert "$PB_TMP/ca-phones" "$PB_TMP/dev-other" "$MAC_CAROL2" &&
	    device_cert "$PB_TMP/ca-foreign" "$PB_TMP/dev-foreign" "$MAC_CAROL"
}

# fingerprint CERT_FILE: its SHA-256 fingerprint ("AB:CD:...").
fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/.*=//'
}

# ------------------------------------------------------------------ config

# write_main FILE HTTPS_LISTEN HTTP_LISTEN RUN_DIR: the main file; both
# provisiond configs include the same vendors and users.
write_main() {
	local http=''

	[ -n "$3" ] && http="http_listen = [ \"$3\" ];"
	cat >"$1" <<EOF
# Written by tests/integration/prov.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$4";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  min_lease_time = 60;
  max_lease_time = 86400;
  offer_time = 60;
  # No DNS, domain or NTP options.
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.200"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  listen = [ "$2" ];
  $http
  base_url = "$BASE_URL";
  token_path = "/p";
  legacy_path = "/prov";
  templates_dir = "templates";
  static_dir = "static";
  tls = { cert = "tls/server.crt"; key = "tls/server.key";
          client_ca = "tls/phones-ca.crt"; };
  guard = { max_misses = $GUARD_MAX; window = 60; block = $GUARD_BLOCK; };
  limits = { max_header_size = $MAX_HEADER;
             timeout = 10; max_connections = 64; };
};
@include "vendors.conf"
@include "users.conf"
EOF
}

write_vendors() {
	cat >"$CONF_DIR/vendors.conf" <<'EOF'
vendors = (
  { # Token folder: each user's phones fetch from /p/<token>/.
    name = "yealink";
    match = { vendor_class_prefix = [ "yealink" ]; oui = [ "80:5e:c0" ]; };
    mode = "token";
    options = ( { code = 66; value = "${base_url}/p/${token}/"; } );
    files = (
      { name = "${mac}.cfg"; template = "yealink-mac.cfg"; },
      { name = "y000000000000.cfg"; template = "yealink-common.cfg"; }
    );
  },
  { # The guarded flat folder, every guard on.
    name = "aastra";
    match = { vendor_class_prefix = [ "AastraIPPhone" ]; oui = [ "00:08:5d" ]; };
    mode = "legacy";
    options = ( { code = 66; value = "${base_url}/prov/"; } );
    unregistered = ( { code = 66; value = "${base_url}/prov/"; } );
    files = (
      { name = "${MAC}.cfg"; template = "aastra-mac.cfg"; },
      { name = "aastra.cfg"; template = "aastra-common.cfg"; }
    );
    legacy = { lease_binding = true; client_cert = true; allowlist = true; };
  },
  { # The flat folder as a bootstrap: credentials blanked, the phone
    # pointed at its token folder.
    name = "gsboot";
    match = { vendor_class_prefix = [ "Grandstream" ]; oui = [ "c0:74:ad" ]; };
    mode = "legacy";
    options = ( { code = 66; value = "${base_url}/prov/"; } );
    files = ( { name = "cfg${mac}.xml"; template = "gs-mac.xml"; } );
    legacy = { lease_binding = true; client_cert = false; allowlist = true;
               bootstrap = true; };
  },
  { name = "other"; default = true; }
);
EOF
}

# write_users [EXTRA_USER_ENTRIES]
write_users() {
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice Reception";
    sip = { user = "201"; password = "$PW_ALICE"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_ALICE"; vendor = "yealink"; model = "T46S"; } ); },
  { name = "bob"; display_name = "Bob Sales";
    sip = { user = "202"; password = "$PW_BOB"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_BOB"; vendor = "yealink"; model = "T46G"; } ); },
  { name = "carol"; display_name = "Carol Ops";
    sip = { user = "203"; password = "$PW_CAROL"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_CAROL"; vendor = "aastra"; model = "6737i"; } ); },
  { name = "dave"; display_name = "Dave Lab";
    sip = { user = "204"; password = "$PW_DAVE"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_DAVE"; vendor = "gsboot"; model = "GXP1628"; } ); }${1:-}
);
EOF
}

write_templates() {
	local t=$CONF_DIR/templates

	mkdir -p "$t" "$CONF_DIR/static" || return 1
	cat >"$t/yealink-mac.cfg" <<'EOF'
#!version:1.0.0.1
## {{ device.mac }} ({{ device.model }}) of {{ user.name }}
account.1.enable = 1
account.1.label = {{ user.display_name }}
account.1.user_name = {{ sip.user }}
account.1.auth_name = {{ sip.user }}
account.1.password = {{ sip.password }}
account.1.sip_server.1.address = {{ sip.server }}
account.1.sip_server.1.port = {{ sip.port }}
static.auto_provision.server.url = {{ provisioning_url }}
EOF
	cat >"$t/yealink-common.cfg" <<'EOF'
#!version:1.0.0.1
## common file of {{ vendor }}
local_time.time_zone = +1
EOF
	cat >"$t/aastra-mac.cfg" <<'EOF'
sip line1 user name: {{ sip.user }}
sip line1 auth name: {{ sip.user }}
sip line1 password: {{ sip.password }}
sip line1 proxy ip: {{ sip.server }}
sip line1 registrar ip: {{ sip.server }}
EOF
	cat >"$t/aastra-common.cfg" <<'EOF'
time server disabled: 0
time server1: 10.42.0.1
EOF
	cat >"$t/gs-mac.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<gs_provision version="1">
<config version="1">
<P271>1</P271>
<P47>{{ sip.server }}</P47>
<P35>{{ sip.user }}</P35>
<P36>{{ sip.user }}</P36>
<P34>{{ sip.password }}</P34>
<P3>{{ user.display_name }}</P3>
<P237>{{ provisioning_url }}</P237>
</config>
</gs_provision>
EOF
}

write_config() {
	write_main "$CONF" "$SRV_IP:443" "$SRV_IP:80" "$PB_TMP/run" &&
	    write_main "$CONF2" "$SRV2_IP:443" "" "$PB_TMP/run2" &&
	    write_vendors && write_users && write_templates
}

# ----------------------------------------------------------------- network

# veth NS_A IF_A NS_B IF_B [MAC_B]: a pair created inside the namespaces.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	[ -z "${5:-}" ] || ip -n "$3" link set "$4" address "$5" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

setup_network() {
	local n ns ifc ns_var if_var mac

	for ns in "$NS_SRV" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_C4"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$BR" type bridge || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" addr add "$SRV2_IP/24" dev "$BR" || return 1
	ip -n "$NS_SRV" link set "$BR" up || return 1
	for n in 1 2 3 4; do
		ns_var=NS_C$n
		if_var=IF_C$n
		case $n in
		1) mac=$MAC_CAROL ;;
		3) mac=$MAC_DAVE ;;
		*) mac=02:00:00:bb:00:0$n ;;
		esac
		veth "$NS_SRV" "${T}s$n" "${!ns_var}" "${!if_var}" "$mac" ||
		    return 1
		ip -n "$NS_SRV" link set "${T}s$n" master "$BR" || return 1
	done
	ip -n "$NS_C2" addr add "$C2_IP/24" dev "$IF_C2" || return 1
	ip -n "$NS_C4" addr add "$C4_IP/24" dev "$IF_C4" || return 1
	# One more source address per test that collects guard misses; the
	# first address stays the primary one.
	for n in 1 2 3 4 5 6 7 8 9; do
		ip -n "$NS_C4" addr add "10.42.0.3$n/24" dev "$IF_C4" ||
		    return 1
	done
	return 0
}

# ------------------------------------------------------------------ servers

# daemon_start NAME LOG MARK_REGEX CMD...: runs CMD in the server
# namespace, logging to LOG; its PID goes to $PB_TMP/NAME.pid. Returns once
# MARK_REGEX is logged.
daemon_start() {
	local name=$1 log=$2 re=$3 mark pid

	shift 3
	mark=$(pb_lines "$log")
	ip netns exec "$NS_SRV" "$@" >>"$log" 2>&1 &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/$name.pid"
	pb_wait_for 20 pb_grep_after "$log" "$mark" "$re" && pb_alive "$pid"
}

daemon_pid() {
	cat "$PB_TMP/$1.pid" 2>/dev/null
}

# daemon_stop NAME: SIGTERM (SIGKILL after 20 s); 1 if it was not running.
daemon_stop() {
	local pid

	pid=$(daemon_pid "$1")
	rm -f "$PB_TMP/$1.pid"
	[ -n "$pid" ] && pb_alive "$pid" || return 1
	pb_stop "$pid" 20
}

prov_start() {
	daemon_start provisiond "$PROV_LOG" "provbox-provisiond started" \
	    "$PROVD" -f -c "$CONF"
}

dhcpd_start() {
	daemon_start dhcpd "$DHCPD_LOG" "provbox-dhcpd started" \
	    "$PB_BUILD/provbox-dhcpd" -f -c "$CONF"
}

# prov_hup: SIGHUP to provisiond; waits for "reloaded" or "reload refused"
# and prints which.
prov_hup() {
	local mark

	mark=$(pb_lines "$PROV_LOG")
	kill -HUP "$(daemon_pid provisiond)" || return 1
	pb_wait_for 15 pb_grep_after "$PROV_LOG" "$mark" \
	    "reloaded |reload refused" || return 1
	if pb_grep_after "$PROV_LOG" "$mark" "reload refused"; then
		echo refused
	else
		echo reloaded
	fi
}

# ----------------------------------------------------------------- clients

# req NS OUT CURL_ARGS...: curl in NS, bounded. OUT.code gets the status
# ("000" when there was no answer), OUT.hdr the headers, OUT.body the body,
# OUT.err curl's messages, OUT.rc curl's exit status.
req() {
	local ns=$1 out=$2

	shift 2
	ip netns exec "$ns" timeout 30 curl -sS --max-time 20 \
	    --cacert "$PB_TMP/ca-server.crt" -D "$out.hdr" -o "$out.body" \
	    -w '%{http_code}' "$@" >"$out.code" 2>"$out.err"
	echo $? >"$out.rc"
	[ -s "$out.code" ] || echo 000 >"$out.code"
	return 0
}

# get OUT SRC_ADDR URL [CURL_ARGS...]: a GET from c4, from SRC_ADDR.
get() {
	local out=$1 src=$2 url=$3

	shift 3
	req "$NS_C4" "$out" --interface "$src" "$@" "$url"
}

code_of() {
	cat "$1.code"
}

# header OUT NAME: the value of header NAME (without CR), empty if absent.
header() {
	tr -d '\r' <"$1.hdr" | sed -n "s/^$2: *//Ip" | head -n 1
}

# expect_code OUT CODE WHAT: dies unless the answer had status CODE.
expect_code() {
	local got

	got=$(code_of "$1")
	[ "$got" = "$2" ] && return 0
	if [ "$got" = 000 ]; then
		die "$3: no answer (curl: $(tail -n 1 "$1.err"))"
	fi
	die "$3: status $got, expected $2 ($(head -c 200 "$1.body" | tr '\n' ' '))"
}

# s_client NS OUT ARGS...: openssl s_client to the server, stdin from
# OUT.in (if present); OUT gets stdout and stderr, OUT.rc the status.
s_client() {
	local ns=$1 out=$2 in=/dev/null

	shift 2
	[ -f "$out.in" ] && in=$out.in
	ip netns exec "$ns" timeout 20 openssl s_client \
	    -connect "$SRV_IP:443" -servername provbox.test \
	    -CAfile "$PB_TMP/ca-server.crt" "$@" <"$in" >"$out" 2>&1
	echo $? >"$out.rc"
}

# raw_get NS OUT PATH ARGS...: a raw "GET PATH HTTP/1.1" through
# openssl s_client; prints the status line ("HTTP/1.1 200 OK").
raw_get() {
	local ns=$1 out=$2 path=$3

	shift 3
	printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' \
	    "$path" "$SRV_IP" >"$out.in"
	s_client "$ns" "$out" -quiet -ign_eof "$@"
	grep -a -m 1 '^HTTP/1\.[01] ' "$out" | tr -d '\r'
}

# audit MARK REGEX: waits (3 s at most) for an audit line after MARK.
audit() {
	pb_wait_for 3 pb_grep_after "$PROV_LOG" "$1" "$2"
}

# log_line MARK REGEX: the first such line after MARK, for messages.
log_line() {
	tail -n "+$(($1 + 1))" "$PROV_LOG" | grep -E -- "$2" | head -n 1 |
	    cut -c 1-240
}

# token_of USER: the user's token, from the URL provboxctl prints (the
# registry holds it sealed).
token_of() {
	timeout 20 "$PB_BUILD/provboxctl" -c "$CONF" url "$1" 2>/dev/null |
	    head -n 1 | grep -oE '/p/[A-Za-z0-9_-]{32}/' |
	    grep -oE '[A-Za-z0-9_-]{32}'
}

# random_token: 32 token characters no user has.
random_token() {
	head -c 24 /dev/urandom | base64 | tr '+/' '-_'
}

# phone_lease NS IFACE MAC VENDOR_CLASS: DORA with pbprobe as the phone;
# the address is configured on IFACE (the phone's only one) and printed.
# Done once per phone; later calls print the same address.
phone_lease() {
	local ns=$1 ifc=$2 mac=$3 vc=$4 o=$OUT/lease.${3//:/} ip

	if [ -s "$o.ip" ]; then
		cat "$o.ip"
		return 0
	fi
	ip netns exec "$ns" timeout 30 "$PROBE" -i "$ifc" -m "$mac" -V "$vc" \
	    -P 1,3,6,15,42,43,66 dora >"$o" 2>"$o.err" || return 1
	ip=$(pb_kv yiaddr "$o")
	[ -n "$ip" ] || return 1
	ip -n "$ns" -4 addr flush dev "$ifc"
	ip -n "$ns" addr add "$ip/24" dev "$ifc" || return 1
	echo "$ip" >"$o.ip"
	echo "$ip"
}

# ------------------------------------------------------------------- tests

# 1. Alice's token folder: her phone's file with her credentials only;
# bob's MAC in her folder is a 404; the common file is served. DHCP never
# hands out her folder: outside a window nothing, inside one a
# first-access URL, which opens nothing from an address without the
# phone's lease.
t_token_folder() {
	local o=$OUT/t1 src=10.42.0.31 tok mark url body fa

	tok=$(token_of alice)
	[ -n "$tok" ] || die "no token for alice in the registry (mdb_dump)"
	ip netns exec "$NS_C4" timeout 30 "$PROBE" -i "$IF_C4" -m "$MAC_ALICE" \
	    -V yealink -P 1,3,6,66 dora >"$o.dhcp0" 2>&1 ||
	    die "pbprobe as alice's phone: $(head -n 1 "$o.dhcp0")"
	[ -z "$(pb_kv opt66 "$o.dhcp0")" ] ||
	    die "not enrolling, yet DHCP option 66 is '$(pb_kv opt66 "$o.dhcp0" | cut -c 1-30)...'"
	grep -qF "$tok" "$o.dhcp0" && die "alice's token in a DHCP answer"
	timeout 20 "$PB_BUILD/provboxctl" -c "$CONF" enroll "$MAC_ALICE" \
	    --for 10m >"$o.enroll" 2>&1 ||
	    die "provboxctl enroll: $(head -n 1 "$o.enroll")"
	ip netns exec "$NS_C4" timeout 30 "$PROBE" -i "$IF_C4" -m "$MAC_ALICE" \
	    -V yealink -P 1,3,6,66 dora >"$o.dhcp" 2>&1 ||
	    die "pbprobe as alice's phone: $(head -n 1 "$o.dhcp")"
	fa=$(pb_kv opt66 "$o.dhcp" | grep -oE '/p/[A-Za-z0-9_-]{32}/' |
	    grep -oE '[A-Za-z0-9_-]{32}')
	[ -n "$fa" ] && [ "$fa" != "$tok" ] ||
	    die "enrolling: DHCP option 66 is '$(pb_kv opt66 "$o.dhcp" | cut -c 1-30)...', expected a first-access URL"
	grep -qF "$tok" "$o.dhcp" && die "alice's token in a DHCP answer"
	mark=$(pb_lines "$PROV_LOG")
	# The first-access URL from an address that does not hold the lease.
	get "$o.fa" "$src" "$BASE_URL/p/$fa/$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.fa" 404 "alice's file through her first-access URL from $src"
	grep -qF "$PW_ALICE" "$o.fa.body" && die "alice's password in a 404"
	audit "$mark" "$src GET first-access ${fa:0:4}\.\.\.\(32\)/$(plain_mac "$MAC_ALICE")\.cfg 404 .*refused first-access-lease" ||
	    die "no 'refused first-access-lease' audit line: $(log_line "$mark" "$src")"
	url=$BASE_URL/p/$tok/
	get "$o.mac" "$src" "$url$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.mac" 200 "alice's phone file"
	[ "$(header "$o.mac" Content-Type)" = text/plain ] ||
	    die "Content-Type '$(header "$o.mac" Content-Type)', expected text/plain"
	[ "$(header "$o.mac" Cache-Control)" = no-store ] ||
	    die "no 'Cache-Control: no-store' on a file with a password"
	body=$o.mac.body
	grep -qFx "account.1.user_name = 201" "$body" ||
	    die "the body lacks 'account.1.user_name = 201'"
	grep -qFx "account.1.password = $PW_ALICE" "$body" ||
	    die "the body lacks alice's password line"
	[ "$(grep -c '^account\.1\.password = ' "$body")" -eq 1 ] ||
	    die "more than one password line"
	for pw in $PW_BOB $PW_CAROL $PW_DAVE; do
		grep -qF "$pw" "$body" && die "alice's file holds another user's password"
	done
	grep -qE '= 20[2-9]$' "$body" && die "alice's file holds another SIP user"
	audit "$mark" "$src GET token ${tok:0:4}\.\.\.\(32\)/$(plain_mac "$MAC_ALICE")\.cfg 200 .* user alice vendor yealink" ||
	    die "no audit line for alice's file: $(log_line "$mark" "$src")"
	# Bob's phone is not in alice's folder: the same 404 as no file.
	get "$o.bob" "$src" "$url$(plain_mac "$MAC_BOB").cfg"
	expect_code "$o.bob" 404 "bob's MAC in alice's folder"
	grep -qF "$PW_BOB" "$o.bob.body" && die "bob's password in a 404"
	audit "$mark" "$src GET token .*/$(plain_mac "$MAC_BOB")\.cfg 404 .*refused not-users-device" ||
	    die "no 'refused not-users-device' audit line: $(log_line "$mark" "$(plain_mac "$MAC_BOB")")"
	get "$o.none" "$src" "${url}nosuchfile.cfg"
	expect_code "$o.none" 404 "a file no rule names"
	# The common file: served; rendered in a user's folder it may name
	# that folder, so no cache keeps it either.
	get "$o.common" "$src" "${url}y000000000000.cfg"
	expect_code "$o.common" 200 "the common file"
	[ "$(header "$o.common" Cache-Control)" = no-store ] ||
	    die "the common file in a token folder has Cache-Control '$(header "$o.common" Cache-Control)'"
	grep -qF "common file of yealink" "$o.common.body" ||
	    die "the common file is not the yealink one: $(head -c 100 "$o.common.body")"
	pb_pass
}

# 2. Wrong tokens are 404s and count toward the guard: after max_misses+1
# of them even the right token gets 429 with Retry-After, until the block
# ends; both ends are logged.
t_guard() {
	local o=$OUT/t2 src=10.42.0.32 tok mark i wrong ra

	tok=$(token_of alice)
	[ -n "$tok" ] || die "no token for alice"
	mark=$(pb_lines "$PROV_LOG")
	for ((i = 1; i <= GUARD_MAX + 1; i++)); do
		wrong=$(random_token)
		echo "$wrong" >>"$PB_TMP/wrong-tokens"
		get "$o.w$i" "$src" "$BASE_URL/p/$wrong/y000000000000.cfg"
		expect_code "$o.w$i" 404 "wrong token $i"
	done
	audit "$mark" "$src GET token ${wrong:0:4}\.\.\.\(32\)/y000000000000\.cfg 404 .*refused token" ||
	    die "no 'refused token' audit line: $(log_line "$mark" "$src")"
	audit "$mark" "guard: $src blocked for ${GUARD_BLOCK}s after more than $GUARD_MAX misses" ||
	    die "no 'guard: $src blocked' line in the log"
	get "$o.blocked" "$src" "$BASE_URL/p/$tok/y000000000000.cfg"
	expect_code "$o.blocked" 429 "the right token from a blocked address"
	ra=$(header "$o.blocked" Retry-After)
	[[ $ra =~ ^[0-9]+$ ]] && [ "$ra" -ge 1 ] && [ "$ra" -le "$GUARD_BLOCK" ] ||
	    die "Retry-After is '$ra', expected 1..$GUARD_BLOCK"
	audit "$mark" "$src GET unread path 429 .*refused guard" ||
	    die "no 'refused guard' audit line: $(log_line "$mark" " 429 ")"
	# Another address is not blocked.
	get "$o.other" 10.42.0.33 "$BASE_URL/p/$tok/y000000000000.cfg"
	expect_code "$o.other" 200 "another address during the block"
	sleep "$ra"
	pb_wait_for 5 eval "get '$o.after' '$src' '$BASE_URL/p/$tok/y000000000000.cfg'; \
	    [ \"\$(code_of '$o.after')\" = 200 ]" ||
	    die "still $(code_of "$o.after") ${ra}s+5s after the block began"
	pb_wait_for 8 pb_grep_after "$PROV_LOG" "$mark" "guard: block of $src ended" ||
	    die "no 'guard: block of $src ended' line in the log"
	pb_pass
}

# 3. The flat folder with lease binding: carol's phone gets its file from
# the address that holds its lease, not from another; an unregistered MAC
# is a 404.
t_legacy_lease() {
	local o=$OUT/t3 ip mark f
	local cert=(--cert "$PB_TMP/dev-carol.crt" --key "$PB_TMP/dev-carol.key")

	f=$(plain_mac -u "$MAC_CAROL").cfg
	mark=$(pb_lines "$DHCPD_LOG")
	ip=$(phone_lease "$NS_C1" "$IF_C1" "$MAC_CAROL" AastraIPPhone6737i) ||
	    die "carol's phone got no lease: $(head -n 1 "$OUT/lease.${MAC_CAROL//:/}")"
	grep -q "DHCPACK $ip to $MAC_CAROL (aastra, carol)" "$DHCPD_LOG" ||
	    die "no 'DHCPACK $ip to $MAC_CAROL (aastra, carol)' in the DHCP log"
	[ "$(pb_kv opt66 "$OUT/lease.${MAC_CAROL//:/}")" = "$BASE_URL/prov/" ] ||
	    die "carol's phone got option 66 '$(pb_kv opt66 "$OUT/lease.${MAC_CAROL//:/}")'"
	mark=$(pb_lines "$PROV_LOG")
	req "$NS_C1" "$o.phone" "${cert[@]}" "$BASE_URL/prov/$f"
	expect_code "$o.phone" 200 "carol's phone from its leased address $ip"
	grep -qFx "sip line1 password: $PW_CAROL" "$o.phone.body" ||
	    die "the file lacks carol's password line"
	[ "$(header "$o.phone" Cache-Control)" = no-store ] ||
	    die "no 'Cache-Control: no-store' on carol's file"
	audit "$mark" "$ip GET legacy $f 200 .*mac $MAC_CAROL user carol vendor aastra" ||
	    die "no audit line for carol's file: $(log_line "$mark" "$ip")"
	# The same request (same certificate) from an address without the lease.
	req "$NS_C2" "$o.other" "${cert[@]}" "$BASE_URL/prov/$f"
	expect_code "$o.other" 404 "carol's file from $C2_IP (no lease)"
	grep -qF "$PW_CAROL" "$o.other.body" && die "the 404 holds carol's password"
	# No oracle: the same answer as for a MAC nobody registered.
	cmp -s "$o.other.body" <(printf '404 Not Found\n') ||
	    die "the refusal's body is not the plain 404's"
	audit "$mark" "$C2_IP GET legacy $f 404 .*refused lease-binding" ||
	    die "no 'refused lease-binding' audit line: $(log_line "$mark" "$C2_IP")"
	# An unregistered MAC: the allowlist answers 404.
	req "$NS_C2" "$o.unreg" "$BASE_URL/prov/$(plain_mac -u "$MAC_UNREG").cfg"
	expect_code "$o.unreg" 404 "an unregistered MAC"
	audit "$mark" "$C2_IP GET legacy $(plain_mac -u "$MAC_UNREG")\.cfg 404 .*refused allowlist" ||
	    die "no 'refused allowlist' audit line: $(log_line "$mark" "$(plain_mac -u "$MAC_UNREG")")"
	# The class's common file needs no lease.
	req "$NS_C2" "$o.common" "$BASE_URL/prov/aastra.cfg"
	expect_code "$o.common" 200 "the flat folder's common file"
	pb_pass
}

# 4. Client certificates on the aastra class, from the leased address:
# curl and openssl s_client, right MAC / other MAC / other CA / none.
t_mtls() {
	local o=$OUT/t4 ip f mark st name want why c
	local -A cert_of=([right]=dev-carol [other-mac]=dev-other
		[other-ca]=dev-foreign [none]='')
	local -A want_of=([right]=200 [other-mac]=404 [other-ca]=404 [none]=404)
	local -A why_of=([right]='-' [other-mac]=client-cert-mac
		[other-ca]=client-cert-ca [none]=client-cert-missing)

	f=$(plain_mac -u "$MAC_CAROL").cfg
	ip=$(phone_lease "$NS_C1" "$IF_C1" "$MAC_CAROL" AastraIPPhone6737i) ||
	    die "carol's phone got no lease"
	for name in right other-mac other-ca none; do
		c=${cert_of[$name]}
		want=${want_of[$name]}
		why=${why_of[$name]}
		mark=$(pb_lines "$PROV_LOG")
		if [ -n "$c" ]; then
			req "$NS_C1" "$o.$name" --cert "$PB_TMP/$c.crt" \
			    --key "$PB_TMP/$c.key" "$BASE_URL/prov/$f"
		else
			req "$NS_C1" "$o.$name" "$BASE_URL/prov/$f"
		fi
		expect_code "$o.$name" "$want" "curl, certificate '$name'"
		audit "$mark" "$ip GET legacy $f $want .*refused $why\$" ||
		    die "curl, certificate '$name': no audit line with 'refused $why': $(log_line "$mark" "$ip")"
		if [ "$want" = 200 ]; then
			grep -qFx "sip line1 password: $PW_CAROL" "$o.$name.body" ||
			    die "curl, right certificate: no password line"
			audit "$mark" "$ip GET legacy $f 200 .*cert \"[^\"]*CN=$(plain_mac -u "$MAC_CAROL")" ||
			    die "the audit line does not name the certificate: $(log_line "$mark" "$ip")"
		else
			grep -qF "$PW_CAROL" "$o.$name.body" &&
			    die "curl, certificate '$name': the 404 holds the password"
		fi
		mark=$(pb_lines "$PROV_LOG")
		if [ -n "$c" ]; then
			st=$(raw_get "$NS_C1" "$o.$name.ossl" "/prov/$f" \
			    -cert "$PB_TMP/$c.crt" -key "$PB_TMP/$c.key")
		else
			st=$(raw_get "$NS_C1" "$o.$name.ossl" "/prov/$f")
		fi
		[[ $st == "HTTP/1.1 $want "* ]] ||
		    die "openssl s_client, certificate '$name': '${st:-no status line}', expected HTTP/1.1 $want ($(grep -a -m 1 -iE 'error|alert' "$o.$name.ossl"))"
		audit "$mark" "$ip GET legacy $f $want .*refused $why\$" ||
		    die "openssl s_client, certificate '$name': no audit line with 'refused $why'"
		if [ "$want" = 200 ]; then
			grep -aqF "sip line1 password: $PW_CAROL" "$o.$name.ossl" ||
			    die "openssl s_client, right certificate: no password line"
		fi
	done
	pb_pass
}

# 5. The bootstrap class: the flat-folder file has the SIP password blank
# and points at the phone's first-access URL (only while it is enrolling,
# never its permanent folder), which holds the real file, pinning the
# permanent folder.
t_bootstrap() {
	local o=$OUT/t5 ip f tok mark url

	f=cfg$(plain_mac "$MAC_DAVE").xml
	ip=$(phone_lease "$NS_C3" "$IF_C3" "$MAC_DAVE" \
	    "Grandstream GXP1628 dslforum.org") ||
	    die "dave's phone got no lease: $(head -n 1 "$OUT/lease.${MAC_DAVE//:/}")"
	tok=$(token_of dave)
	[ -n "$tok" ] || die "no token for dave in the registry"
	mark=$(pb_lines "$PROV_LOG")
	# Not enrolling: nothing to bootstrap to.
	req "$NS_C3" "$o.early" "$BASE_URL/prov/$f"
	expect_code "$o.early" 404 "dave's bootstrap file before any enrollment"
	audit "$mark" "$ip GET legacy $f 404 .*refused not-enrolled" ||
	    die "no 'refused not-enrolled' audit line: $(log_line "$mark" "$ip")"
	timeout 20 "$PB_BUILD/provboxctl" -c "$CONF" enroll "$MAC_DAVE" \
	    --for 10m >"$o.enroll" 2>&1 ||
	    die "provboxctl enroll: $(head -n 1 "$o.enroll")"
	mark=$(pb_lines "$PROV_LOG")
	req "$NS_C3" "$o.boot" "$BASE_URL/prov/$f"
	expect_code "$o.boot" 200 "dave's bootstrap file"
	[ "$(header "$o.boot" Content-Type)" = application/xml ] ||
	    die "Content-Type '$(header "$o.boot" Content-Type)', expected application/xml"
	[ "$(header "$o.boot" Cache-Control)" = no-store ] ||
	    die "no 'Cache-Control: no-store' on the bootstrap file"
	grep -qFx "<P34></P34>" "$o.boot.body" ||
	    die "the SIP password is not blank: $(grep -F '<P34>' "$o.boot.body" | sed "s/$PW_DAVE/<dave's password>/")"
	grep -qF "$PW_DAVE" "$o.boot.body" && die "the bootstrap file holds dave's password"
	grep -qF "$tok" "$o.boot.body" && die "the bootstrap file holds dave's permanent token"
	url=$(sed -n 's:^<P237>\(.*\)</P237>$:\1:p' "$o.boot.body")
	[[ $url == "$BASE_URL/p/"*/ ]] ||
	    die "the provisioning URL is '${url:0:40}...', not a token folder"
	audit "$mark" "$ip GET legacy $f 200 .*mac $MAC_DAVE user dave vendor gsboot" ||
	    die "no audit line for the bootstrap file: $(log_line "$mark" "$ip")"
	# Where it points: the full file, with the password and the folder
	# to keep.
	req "$NS_C3" "$o.full" "$url$f"
	expect_code "$o.full" 200 "dave's file through his first-access URL"
	grep -qFx "<P34>$PW_DAVE</P34>" "$o.full.body" ||
	    die "the first-access file lacks dave's password"
	grep -qFx "<P237>$BASE_URL/p/$tok/</P237>" "$o.full.body" ||
	    die "the first-access file does not pin dave's permanent folder"
	# Not over plain HTTP either, even from the leased address: the file
	# shows a first-access URL.
	mark=$(pb_lines "$PROV_LOG")
	req "$NS_C3" "$o.plain" "http://$SRV_IP/prov/$f"
	expect_code "$o.plain" 403 "dave's bootstrap file over plain HTTP"
	grep -qF "$url" "$o.plain.body" && die "the first-access URL went out over plain HTTP"
	audit "$mark" "$ip GET legacy $f 403 .*refused plain-http" ||
	    die "no 'refused plain-http' audit line: $(log_line "$mark" "$ip")"
	# Lease binding holds for the bootstrap class too, and the first-
	# access URL opens nothing from elsewhere.
	req "$NS_C2" "$o.other" "$BASE_URL/prov/$f"
	expect_code "$o.other" 404 "dave's bootstrap file from $C2_IP (no lease)"
	req "$NS_C2" "$o.replay" "$url$f"
	expect_code "$o.replay" 404 "dave's first-access URL from $C2_IP"
	grep -qF "$PW_DAVE" "$o.replay.body" && die "dave's password in a 404"
	pb_pass
}

# Security: a flat-folder file is guarded by the settings of the device's
# own class. Carol's phone is in the aastra class (client certificate
# required); asking for her MAC under the file name of the gsboot class
# (no certificate) must not serve a file for her.
t_legacy_other_class() {
	local o=$OUT/t5b ip f tok

	f=cfg$(plain_mac "$MAC_CAROL").xml
	ip=$(phone_lease "$NS_C1" "$IF_C1" "$MAC_CAROL" AastraIPPhone6737i) ||
	    die "carol's phone got no lease"
	tok=$(token_of carol)
	req "$NS_C1" "$o" "$BASE_URL/prov/$f"
	if [ "$(code_of "$o")" = 200 ]; then
		if [ -n "$tok" ] && grep -qF "$tok" "$o.body"; then
			die "GET /prov/$f from $ip without a certificate: 200, a gsboot bootstrap file for carol's aastra phone with carol's token URL (the aastra class requires a client certificate)"
		fi
		die "GET /prov/$f from $ip without a certificate: 200, a gsboot file for carol's aastra phone"
	fi
	grep -qF "$PW_CAROL" "$o.body" && die "carol's password in the answer"
	[ -n "$tok" ] && grep -qF "$tok" "$o.body" && die "carol's token in the answer"
	[[ $(code_of "$o") == 4* ]] ||
	    die "GET /prov/$f: status $(code_of "$o"), expected a 4xx refusal"
	pb_pass
}

# 6. Plain HTTP: the token folder is refused (403 plain-http); a server
# without http_listen has the port closed.
t_plain_http() {
	local o=$OUT/t6 src=10.42.0.36 tok mark

	tok=$(token_of alice)
	mark=$(pb_lines "$PROV_LOG")
	get "$o.plain" "$src" "http://$SRV_IP/p/$tok/$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.plain" 403 "alice's folder over plain HTTP"
	grep -qF "$PW_ALICE" "$o.plain.body" && die "the 403 holds alice's password"
	audit "$mark" "$src GET token ${tok:0:4}\.\.\.\(32\)/$(plain_mac "$MAC_ALICE")\.cfg 403 .*refused plain-http" ||
	    die "no 'refused plain-http' audit line: $(log_line "$mark" "$src")"
	# The same over HTTPS is served (the refusal is about the transport).
	get "$o.tls" "$src" "$BASE_URL/p/$tok/$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.tls" 200 "alice's folder over HTTPS"
	# A second server without http_listen, on the same registry.
	daemon_start provisiond2 "$PROV2_LOG" "provbox-provisiond started" \
	    "$PROVD" -f -c "$CONF2" ||
	    die "the second provisiond did not start: $(tail -n 2 "$PROV2_LOG")"
	grep -q "plain HTTP" "$PROV2_LOG" &&
	    die "the server without http_listen listens for plain HTTP: $(grep "plain HTTP" "$PROV2_LOG")"
	get "$o.tls2" "$src" "https://$SRV2_IP/p/$tok/y000000000000.cfg"
	expect_code "$o.tls2" 200 "HTTPS on the server without http_listen"
	get "$o.closed" "$src" "http://$SRV2_IP/p/$tok/y000000000000.cfg"
	[ "$(cat "$o.closed.rc")" = 7 ] && grep -q "Connection refused\|Couldn't connect" "$o.closed.err" ||
	    die "plain HTTP to the server without http_listen: curl status $(cat "$o.closed.rc"), code $(code_of "$o.closed"): $(tail -n 1 "$o.closed.err") (expected: connection refused)"
	daemon_stop provisiond2 || die "the second provisiond died: $(tail -n 2 "$PROV2_LOG")"
	pb_pass
}

# 7. Traversal and junk over the wire, then a good request still works.
t_junk() {
	local o=$OUT/t7 src=10.42.0.37 tok mark c long huge hdr pid w

	tok=$(token_of alice)
	mark=$(pb_lines "$PROV_LOG")
	get "$o.trav" "$src" "$BASE_URL/prov/..%2f..%2fetc%2fpasswd" --path-as-is
	expect_code "$o.trav" 400 "/prov/..%2f..%2fetc%2fpasswd"
	grep -q "root:" "$o.trav.body" && die "/etc/passwd was served"
	get "$o.dots" "$src" "$BASE_URL/prov/../../etc/passwd" --path-as-is
	expect_code "$o.dots" 400 "/prov/../../etc/passwd"
	get "$o.tdots" "$src" "$BASE_URL/p/$tok/..%2e/..%2e/etc/passwd" --path-as-is
	c=$(code_of "$o.tdots")
	[ "$c" = 400 ] || [ "$c" = 404 ] ||
	    die "/p/<token>/..%2e/..%2e/etc/passwd: status $c, expected 400 or 404"
	get "$o.nul" "$src" "$BASE_URL/prov/$(plain_mac -u "$MAC_CAROL")%00.cfg"
	expect_code "$o.nul" 400 "an encoded NUL"
	get "$o.nul2" "$src" "$BASE_URL/p/$tok/y000000000000.cfg%00.txt"
	expect_code "$o.nul2" 400 "an encoded NUL in the token folder"
	audit "$mark" "$src GET malformed path 400 " ||
	    die "no 'malformed path 400' audit line: $(log_line "$mark" "$src")"
	pb_grep_after "$PROV_LOG" "$mark" "passwd|%2f|%00" &&
	    die "the raw path was logged: $(log_line "$mark" "passwd|%2f|%00")"
	long=$(printf 'a%.0s' {1..600})
	get "$o.long" "$src" "$BASE_URL/prov/$long.cfg"
	c=$(code_of "$o.long")
	[ "$c" = 400 ] || [ "$c" = 414 ] ||
	    die "a 611-byte path: status $c, expected 400 or 414"
	huge=$(head -c 20000 /dev/zero | tr '\0' a)
	get "$o.huge" "$src" "$BASE_URL/prov/$huge"
	c=$(code_of "$o.huge")
	[ "$c" = 000 ] || [[ $c == 4* ]] ||
	    die "a 20,000-byte path: status $c, expected a 4xx or a closed connection"
	get "$o.post" "$src" "$BASE_URL/p/$tok/y000000000000.cfg" -d 'x=1'
	expect_code "$o.post" 405 "a POST"
	[ "$(header "$o.post" Allow)" = "GET, HEAD" ] ||
	    die "the 405 has Allow '$(header "$o.post" Allow)', expected 'GET, HEAD'"
	# Uploads, as a Polycom makes them (its log, its local settings):
	# refused, small or large, and nothing is written anywhere.
	get "$o.put" "$src" "$BASE_URL/p/$tok/$(plain_mac "$MAC_ALICE")-app.log" \
	    -X PUT --data-binary 'boot: ok'
	expect_code "$o.put" 405 "a PUT of a phone's log"
	[ "$(header "$o.put" Allow)" = "GET, HEAD" ] ||
	    die "the PUT's 405 has Allow '$(header "$o.put" Allow)'"
	head -c 200000 /dev/zero | tr '\0' L >"$PB_TMP/big.log"
	get "$o.bigput" "$src" "$BASE_URL/p/$tok/$(plain_mac "$MAC_ALICE")-phone.cfg" \
	    -X PUT --data-binary "@$PB_TMP/big.log"
	c=$(code_of "$o.bigput")
	[ "$c" = 413 ] || [ "$c" = 405 ] || [ "$c" = 000 ] ||
	    die "a 200 kB PUT: status $c, expected 413, 405 or a closed connection"
	w=$(find "$PB_TMP" \( -name '*-app.log' -o -name '*-phone.cfg' \) \
	    -not -path "$OUT/*")
	[ -z "$w" ] || die "an upload was written: $w"
	hdr=$(head -c $((MAX_HEADER + 1000)) /dev/zero | tr '\0' b)
	get "$o.hdr" "$src" "$BASE_URL/p/$tok/y000000000000.cfg" -H "X-Junk: $hdr"
	c=$(code_of "$o.hdr")
	[ "$c" = 000 ] || [[ $c == 4* ]] ||
	    die "a header over max_header_size: status $c, expected a 4xx or a closed connection"
	# Not TLS at all on the HTTPS port, and a TLS connection that sends
	# nothing and goes away.
	ip netns exec "$NS_C4" timeout 10 bash -c \
	    "exec 3<>/dev/tcp/$SRV_IP/443; printf 'GET / HTTP/1.0\r\n\r\n' >&3; cat <&3" \
	    >"$o.plain443" 2>&1
	grep -aq "^HTTP/" "$o.plain443" && die "plain HTTP on the HTTPS port got an HTTP answer"
	s_client "$NS_C4" "$o.idle" -brief
	pid=$(daemon_pid provisiond)
	pb_alive "$pid" || die "the server died: $(tail -n 3 "$PROV_LOG")"
	get "$o.good" "$src" "$BASE_URL/p/$tok/$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.good" 200 "a good request after the junk"
	grep -qFx "account.1.password = $PW_ALICE" "$o.good.body" ||
	    die "the good request after the junk has no password line"
	pb_pass
}

# 8. TLS: 1.1 refused, 1.2 and 1.3 accepted, no non-AEAD cipher, session
# resumption.
t_tls() {
	local o=$OUT/t8 sess=$OUT/t8.sess

	# The client must really offer TLS 1.1: Debian's OpenSSL refuses it at
	# its default security level before anything is sent.
	s_client "$NS_C4" "$o.11" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
	grep -q "^New, TLSv1.1\|Cipher is [A-Z]" "$o.11" &&
	    die "TLS 1.1 was accepted: $(grep -m 1 'Cipher is' "$o.11")"
	[ "$(cat "$o.11.rc")" -ne 0 ] ||
	    die "openssl s_client -tls1_1 succeeded"
	grep -qi "alert protocol version\|unsupported protocol\|wrong version\|no protocols available" "$o.11" ||
	    die "TLS 1.1 failed, but not for the version: $(grep -m 1 -i error "$o.11")"
	grep -q "no protocols available" "$o.11" &&
	    die "the client did not offer TLS 1.1 (no protocols available): the check proves nothing"
	s_client "$NS_C4" "$o.12" -tls1_2
	grep -q "^New, TLSv1.2, Cipher is ECDHE-" "$o.12" ||
	    die "TLS 1.2: $(grep -m 1 -E 'Cipher is|error' "$o.12")"
	grep -q "Verify return code: 0 (ok)" "$o.12" ||
	    die "TLS 1.2: the server certificate does not verify: $(grep -m 1 'Verify return code' "$o.12")"
	s_client "$NS_C4" "$o.13" -tls1_3
	grep -q "^New, TLSv1.3, Cipher is TLS_" "$o.13" ||
	    die "TLS 1.3: $(grep -m 1 -E 'Cipher is|error' "$o.13")"
	# TLS 1.2 without forward secrecy or AEAD: refused.
	s_client "$NS_C4" "$o.cbc" -tls1_2 -cipher AES128-SHA
	grep -q "^New, TLSv1.2, Cipher is AES128-SHA" "$o.cbc" &&
	    die "TLS 1.2 with AES128-SHA (no ECDHE, no AEAD) was accepted"
	# Resumption, TLS 1.2 (session id or ticket) ...
	s_client "$NS_C4" "$o.r12a" -tls1_2 -sess_out "$sess.12"
	[ -s "$sess.12" ] || die "TLS 1.2: no session to save"
	s_client "$NS_C4" "$o.r12b" -tls1_2 -sess_in "$sess.12"
	grep -q "^Reused, TLSv1.2" "$o.r12b" ||
	    die "TLS 1.2 session not resumed: $(grep -m 1 -E '^(New|Reused)' "$o.r12b")"
	# ... and TLS 1.3 (a ticket, read after a request).
	printf 'GET /prov/aastra.cfg HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' \
	    "$SRV_IP" >"$o.r13a.in"
	s_client "$NS_C4" "$o.r13a" -tls1_3 -ign_eof -sess_out "$sess.13"
	[ -s "$sess.13" ] || die "TLS 1.3: no session ticket to save"
	cp "$o.r13a.in" "$o.r13b.in"
	s_client "$NS_C4" "$o.r13b" -tls1_3 -ign_eof -sess_in "$sess.13"
	grep -q "^Reused, TLSv1.3" "$o.r13b" ||
	    die "TLS 1.3 session not resumed: $(grep -m 1 -E '^(New|Reused)' "$o.r13b")"
	grep -aq "^HTTP/1.1 200 " "$o.r13b" || die "no 200 on the resumed TLS 1.3 session"
	pb_pass
}

# 9. SIGHUP with a new user: a working token folder without a restart.
t_hup_new_user() {
	local o=$OUT/t9a src=10.42.0.39 pid r tok

	pid=$(daemon_pid provisiond)
	write_users ",
  { name = \"frank\"; display_name = \"Frank New\";
    sip = { user = \"206\"; password = \"$PW_FRANK\"; server = \"$SRV_IP\"; };
    devices = ( { mac = \"$MAC_FRANK\"; vendor = \"yealink\"; model = \"T46S\"; } ); }"
	r=$(prov_hup) || die "no 'reloaded' or 'reload refused' after SIGHUP: $(tail -n 2 "$PROV_LOG")"
	[ "$r" = reloaded ] || die "the reload was refused: $(grep 'warning\|refused' "$PROV_LOG" | tail -n 2)"
	[ "$(daemon_pid provisiond)" = "$pid" ] && pb_alive "$pid" ||
	    die "the server is not the same process after SIGHUP"
	tok=$(token_of frank)
	[ -n "$tok" ] || die "no token for frank in the registry after the reload"
	get "$o" "$src" "$BASE_URL/p/$tok/$(plain_mac "$MAC_FRANK").cfg"
	expect_code "$o" 200 "frank's file after the reload"
	grep -qFx "account.1.password = $PW_FRANK" "$o.body" ||
	    die "frank's file lacks his password line"
	grep -qFx "account.1.user_name = 206" "$o.body" ||
	    die "frank's file lacks 'account.1.user_name = 206'"
	pb_pass
}

# 9. SIGHUP with a broken users.conf: refused, the old config serves on.
t_hup_broken() {
	local o=$OUT/t9b src=10.42.0.39 r tok_a tok_f good=$PB_TMP/users.conf.good
	local mark bad_line

	tok_a=$(token_of alice)
	tok_f=$(token_of frank)
	cp "$CONF_DIR/users.conf" "$good"
	head -n -1 "$good" >"$CONF_DIR/users.conf"
	cat >>"$CONF_DIR/users.conf" <<EOF
  , { name = "mallory";
    sip = { user = "299"; password = "$PW_MALLORY"; server = "$SRV_IP"; };
EOF
	# A value without its quotes: a syntax error on this line.
	bad_line=$(($(pb_lines "$CONF_DIR/users.conf") + 1))
	cat >>"$CONF_DIR/users.conf" <<EOF
    devices = ( { mac = "80:5e:c0:10:00:66"; vendor = yealink; } ); }
);
EOF
	mark=$(pb_lines "$PROV_LOG")
	r=$(prov_hup)
	cp "$good" "$CONF_DIR/users.conf"
	[ "$r" = refused ] || die "SIGHUP with a syntax error: '${r:-no answer}', expected 'reload refused'"
	pb_grep_after "$PROV_LOG" "$mark" "users\.conf:$bad_line: " ||
	    die "the error does not name users.conf:$bad_line: $(log_line "$mark" 'warning')"
	pb_alive "$(daemon_pid provisiond)" || die "the server died on a broken reload"
	[ -z "$(token_of mallory)" ] || die "the broken config's user reached the registry"
	get "$o.alice" "$src" "$BASE_URL/p/$tok_a/$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.alice" 200 "alice's file after the refused reload"
	grep -qFx "account.1.password = $PW_ALICE" "$o.alice.body" ||
	    die "alice's file changed after the refused reload"
	if [ -n "$tok_f" ]; then
		get "$o.frank" "$src" "$BASE_URL/p/$tok_f/$(plain_mac "$MAC_FRANK").cfg"
		expect_code "$o.frank" 200 "frank's file after the refused reload"
	fi
	pb_pass
}

# 9. New certificate files and SIGHUP: new connections see the new
# certificate.
t_hup_cert() {
	local o=$OUT/t9c old new seen r

	old=$(fingerprint "$TLS/server.crt")
	s_client "$NS_C4" "$o.before" -tls1_3
	seen=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$o.before" |
	    openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//')
	[ "$seen" = "$old" ] || die "before the rotation the server shows $seen, not $old"
	server_cert "$PB_TMP/server2" || die "cannot make the new server certificate"
	new=$(fingerprint "$PB_TMP/server2.crt")
	[ "$new" != "$old" ] || die "the new certificate has the old fingerprint"
	(umask 077 && cp "$PB_TMP/server2.key" "$TLS/server.key.new") &&
	    cp "$PB_TMP/server2.crt" "$TLS/server.crt.new" &&
	    mv "$TLS/server.key.new" "$TLS/server.key" &&
	    mv "$TLS/server.crt.new" "$TLS/server.crt" ||
	    die "cannot install the new certificate"
	r=$(prov_hup)
	[ "$r" = reloaded ] || die "SIGHUP with new certificate files: '${r:-no answer}'"
	s_client "$NS_C4" "$o.after" -tls1_3
	seen=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$o.after" |
	    openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//')
	[ "$seen" = "$new" ] ||
	    die "after the rotation the server shows ${seen:-no certificate}, expected $new (old $old)"
	grep -q "Verify return code: 0 (ok)" "$o.after" ||
	    die "the new certificate does not verify: $(grep -m 1 'Verify return code' "$o.after")"
	get "$o.get" 10.42.0.39 "$BASE_URL/prov/aastra.cfg"
	expect_code "$o.get" 200 "a request after the rotation"
	pb_pass
}

# 10. Load: keep-alive connections and new connections all succeed.
t_load() {
	local o=$OUT/t10 tok url mark n i

	tok=$(token_of alice)
	url=$BASE_URL/p/$tok/$(plain_mac "$MAC_ALICE").cfg
	mark=$(pb_lines "$PROV_LOG")
	# curl: three requests on one connection.
	ip netns exec "$NS_C4" timeout 30 curl -sS -v --http1.1 \
	    --cacert "$PB_TMP/ca-server.crt" -w '%{http_code}\n' \
	    -o "$o.ka.1" "$url" -o "$o.ka.2" "$url" -o "$o.ka.3" "$url" \
	    >"$o.ka.code" 2>"$o.ka.err"
	[ "$(tr '\n' ' ' <"$o.ka.code")" = "200 200 200 " ] ||
	    die "curl, three requests on one connection: status $(tr '\n' ' ' <"$o.ka.code")"
	grep -qFx "account.1.password = $PW_ALICE" "$o.ka.3" ||
	    die "curl, the third request on one connection: no password line"
	[ "$(grep -c "Re-using existing connection" "$o.ka.err")" -ge 2 ] ||
	    die "curl did not reuse its connection (no keep-alive)"
	if command -v h2load >/dev/null 2>&1; then
		# 4 connections, 50 requests each ...
		ip netns exec "$NS_C4" timeout 90 h2load --h1 -n 200 -c 4 "$url" \
		    >"$o.h2a" 2>&1
		grep -q "requests: 200 total, 200 started, 200 done, 200 succeeded, 0 failed, 0 errored, 0 timeout" "$o.h2a" ||
		    die "h2load -n 200 -c 4: $(grep -m 1 '^requests:' "$o.h2a" || tail -n 1 "$o.h2a")"
		grep -q "status codes: 200 2xx" "$o.h2a" ||
		    die "h2load -n 200 -c 4: $(grep -m 1 '^status codes:' "$o.h2a")"
		# ... and 50 connections with one request each.
		ip netns exec "$NS_C4" timeout 90 h2load --h1 -n 50 -c 50 "$url" \
		    >"$o.h2b" 2>&1
		grep -q "requests: 50 total, 50 started, 50 done, 50 succeeded, 0 failed, 0 errored, 0 timeout" "$o.h2b" ||
		    die "h2load -n 50 -c 50: $(grep -m 1 '^requests:' "$o.h2b" || tail -n 1 "$o.h2b")"
		n=253
	else
		pb_note "load: h2load is missing; curl with reused connections"
		: >"$o.K"
		for ((i = 0; i < 50; i++)); do
			printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$o.K"
		done
		for i in 1 2 3 4; do
			pb_bg ip netns exec "$NS_C4" timeout 90 curl -sS --http1.1 \
			    --cacert "$PB_TMP/ca-server.crt" -w '%{http_code}\n' \
			    -K "$o.K" >"$o.K.$i" 2>&1
		done
		wait
		[ "$(cat "$o.K".[1-4] | grep -c '^200$')" -eq 200 ] ||
		    die "curl -K, 4 x 50 requests: $(cat "$o.K".[1-4] | sort | uniq -c | tr '\n' ' ')"
		n=203
	fi
	pb_wait_for 5 eval "[ \$(pb_count_after '$PROV_LOG' '$mark' \
	    'GET token .* 200 ') -ge $n ]" ||
	    die "$(pb_count_after "$PROV_LOG" "$mark" 'GET token .* 200 ') audit lines with 200, expected $n"
	pb_alive "$(daemon_pid provisiond)" || die "the server died under load"
	pb_pass
}

# Both daemons stop cleanly on SIGTERM; no sanitizer report in any log.
t_sanitizers() {
	local bad d

	for d in provisiond dhcpd; do
		daemon_stop "$d" || die "$d was not running at the end"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$LOGS"/*.log \
	    "$PB_TMP"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$PROV_LOG" ||
	    die "no clean stop in the provisiond log: $(tail -n 1 "$PROV_LOG")"
	pb_pass
}

# 11. No password and no full token in any log line of the suite.
t_secrets() {
	local f s u tokens=() leaks=''

	for u in alice bob carol dave frank; do
		s=$(token_of "$u")
		[ -n "$s" ] && tokens+=("$s")
	done
	[ ${#tokens[@]} -ge 4 ] || die "only ${#tokens[@]} tokens read from the registry"
	[ -f "$PB_TMP/wrong-tokens" ] && mapfile -t -O ${#tokens[@]} tokens \
	    <"$PB_TMP/wrong-tokens"
	for f in "$LOGS"/*.log; do
		[ -s "$f" ] || continue
		for s in $ALL_PW "${tokens[@]}"; do
			if grep -qF -- "$s" "$f"; then
				leaks+=" $(basename "$f"): ${s:0:4}...(${#s})"
			fi
		done
	done
	[ -z "$leaks" ] || die "secrets in the logs:$leaks"
	# The audit lines do show shortened tokens: the check above saw them.
	grep -qE 'token [A-Za-z0-9_-]{4}\.\.\.\(32\)/' "$PROV_LOG" ||
	    die "no shortened token in the audit lines: is the log complete?"
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$PROVD" ]; then
	pb_fail build "$PROVD is missing (build first: make)"
	pb_finish
fi
if ! setup_network; then
	pb_fail setup "cannot build the test network"
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
if ! dhcpd_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$DHCPD_LOG")"
	pb_finish
fi
if ! prov_start; then
	pb_fail setup "provbox-provisiond did not start: $(tail -n 3 "$PROV_LOG")"
	pb_finish
fi

pb_run token-folder 30 t_token_folder
pb_run guard-429 40 t_guard
pb_run legacy-lease-binding 30 t_legacy_lease
pb_run legacy-client-cert 40 t_mtls
pb_run legacy-bootstrap 30 t_bootstrap
pb_run legacy-class-of-device 30 t_legacy_other_class
pb_run plain-http 40 t_plain_http
pb_run junk-over-the-wire 60 t_junk
pb_run tls-versions-resumption 40 t_tls
pb_run hup-new-user 30 t_hup_new_user
pb_run hup-broken-config 30 t_hup_broken
pb_run hup-cert-rotation 30 t_hup_cert
pb_run load-keepalive 120 t_load
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
PB_ONLY='' pb_run logs-no-secrets 30 t_secrets
daemon_stop provisiond2
daemon_stop provisiond
daemon_stop dhcpd
pb_finish
