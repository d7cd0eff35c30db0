#!/usr/bin/env bash
# e2e.sh - end-to-end: the shipped default config (etc/), both daemons, and
# one emulated phone per vendor booting as the real ones do
# (tests/phones.sh: DHCP with the vendor's Option 60 and 55 from a MAC in
# its OUI, then its HTTPS fetches in order, with its User-Agent).
#
#   sudo bash tests/integration/e2e.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces named from pbt<PID> (see lib.sh) and
# removes it at the end, also on failure or Ctrl-C:
#
#   $T-<vendor>  one phone per vendor, its veth carrying the phone's MAC
#   $T-lan       the attacker, 10.42.0.50, holding no lease
#   $T-storm     200 phones at once (one interface, 200 leased addresses)
#   $T-srv       bridge ${T}br 10.42.0.1/22; provbox-dhcpd, provisiond
#
# The config is a copy of etc/ in the temporary directory: provbox.conf
# with the registry and run_dir moved there, a /22 subnet and a pool big
# enough for the storm, the guard relaxed (the attacker's misses must show
# the guard that refused them, not a block), and, for one test, the
# phones' CA as tls.client_ca; vendors.conf, users.conf and the templates
# as shipped, plus 200 storm users. Each test prints "PASS name" or "FAIL
# name: reason"; the last line is "e2e-integration: N passed, N failed".
# Environment: PB_ONLY, PB_KEEP as for the other suites; PB_STORM_PHONES
# (200) phones in the storm.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
. "$top/tests/phones.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="curl=curl openssl=openssl udhcpc=udhcpc ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" e2e-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_LAN=$T-lan
NS_STORM=$T-storm
BR=${T}br
SRV_IP=10.42.0.1
LAN_IP=10.42.0.50
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
STORM=${PB_STORM_PHONES:-200}
STORM_MAC=80:5e:0c:00:10:00	# yealink OUI; pbprobe counts up from it

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
TLS=$CONF_DIR/tls
LOGS=$PB_TMP/logs
DHCPD_LOG=$LOGS/dhcpd.log
PROV_LOG=$LOGS/provisiond.log
OUT=$PB_TMP/out
PHONES=$PB_TMP/phones
mkdir -p "$LOGS" "$OUT" "$PHONES" "$TLS"
: >"$DHCPD_LOG"
: >"$PROV_LOG"
PH_PROBE=$PROBE
PH_CACERT=$PB_TMP/ca-server.crt
PH_PREFIX=22

# ------------------------------------------------------------- the users

# The default users.conf, one line per device: "MAC VENDOR USER SIP PW".
users_table() {
	awk '
	/^[ \t]*name = "/ { split($0, a, "\""); user = a[2] }
	/sip = \{/ {
		s = $0; sub(/.*user = "/, "", s); sub(/".*/, "", s); sip = s
		p = $0; sub(/.*password = "/, "", p); sub(/".*/, "", p); pw = p
	}
	/mac = "/ {
		m = $0; sub(/.*mac = "/, "", m); sub(/".*/, "", m)
		v = $0; sub(/.*vendor = "/, "", v); sub(/".*/, "", v)
		print m, v, user, sip, pw
	}' "$top/etc/users.conf"
}

# user_of VENDOR: sets MAC, USER, SIP, PW of the default config's phone of
# that vendor.
user_of() {
	local m v u s p

	while read -r m v u s p; do
		if [ "$v" = "$1" ]; then
			MAC=$m USER=$u SIP=$s PW=$p
			return 0
		fi
	done <"$PB_TMP/users.tsv"
	return 1
}

# ------------------------------------------------------------ certificates

ossl() {
	openssl "$@" 2>>"$PB_TMP/openssl.err"
}

# make_ca CN PREFIX / make_cert CA PREFIX SUBJECT EXT: as prov.sh does.
make_ca() {
	(umask 077 && ossl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$2.key") &&
	    ossl req -new -x509 -key "$2.key" -out "$2.crt" -days 2 \
	    -subj "/O=provbox tests/CN=$1" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

make_cert() {
	(umask 077 && ossl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$2.key") &&
	    ossl req -new -key "$2.key" -subj "$3" -out "$2.csr" &&
	    printf '%s\n' "$4" >"$2.ext" &&
	    ossl x509 -req -in "$2.csr" -CA "$1.crt" -CAkey "$1.key" \
	    -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$2.ext" \
	    -out "$2.crt"
}

# The server certificate, the phones' CA, the Aastra phone's factory
# certificate (its MAC in the CN) and one for another MAC.
make_certs() {
	local dev="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

	user_of aastra || return 1
	make_ca "provbox e2e server CA" "$PB_TMP/ca-server" &&
	    make_ca "provbox e2e phones CA" "$PB_TMP/ca-phones" &&
	    make_cert "$PB_TMP/ca-server" "$PB_TMP/server" \
	    "/O=provbox tests/CN=$SRV_IP" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:$SRV_IP" &&
	    make_cert "$PB_TMP/ca-phones" "$PB_TMP/dev-aastra" \
	    "/O=provbox tests/CN=$(ph_mac_plain -u "$MAC")" "$dev" &&
	    make_cert "$PB_TMP/ca-phones" "$PB_TMP/dev-other" \
	    "/O=provbox tests/CN=00085DFFFFFF" "$dev" &&
	    cp "$PB_TMP/server.crt" "$TLS/server.crt" &&
	    (umask 077 && cp "$PB_TMP/server.key" "$TLS/server.key") &&
	    cp "$PB_TMP/ca-phones.crt" "$TLS/phones-ca.crt"
}

# ------------------------------------------------------------------ config

# write_config [CLIENT_CA]: the shipped provbox.conf, moved into the
# suite's directory; with CLIENT_CA, tls.client_ca is set.
write_config() {
	local ca=''

	[ -n "${1:-}" ] && ca="client_ca = \"$1\";"
	sed -e "s|^\( *path = \)\"/var/lib/provbox\";|\1\"$PB_TMP/registry\";|" \
	    -e "s|^run_dir = \"/run/provbox\";|run_dir = \"$PB_TMP/run\";|" \
	    -e "s|subnet = \"10.42.0.0/24\";|subnet = \"10.42.0.0/22\";|" \
	    -e "s|end = \"10.42.0.249\"|end = \"10.42.2.250\"|" \
	    -e "s|^\( *max_misses = \)10;|\11000;|" \
	    -e "s|^ *# client_ca = .*|    $ca|" \
	    "$top/etc/provbox.conf" >"$CONF.new" && mv "$CONF.new" "$CONF"
}

# The storm's users: one yealink phone each, MACs counting up as pbprobe
# makes them.
storm_users() {
	local i m base=$((16#${STORM_MAC//:/}))

	for ((i = 0; i < STORM; i++)); do
		m=$(printf '%012x' $((base + i)) | sed 's/../&:/g; s/:$//')
		printf ',\n  { name = "storm%03d"; sip = { user = "9%03d"; password = "storm-pw-%03d-x"; server = "%s"; };\n    devices = ( { mac = "%s"; vendor = "yealink"; model = "T46S"; } ); }' \
		    "$i" "$i" "$i" "$SRV_IP" "$m"
		printf '%s storm%03d 9%03d storm-pw-%03d-x\n' "$m" "$i" "$i" "$i" \
		    >>"$PB_TMP/storm.tsv"
	done
}

setup_config() {
	cp "$top/etc/vendors.conf" "$CONF_DIR/" &&
	    cp -r "$top/etc/templates" "$CONF_DIR/" &&
	    mkdir -p "$CONF_DIR/static" || return 1
	users_table >"$PB_TMP/users.tsv"
	[ "$(wc -l <"$PB_TMP/users.tsv")" -ge 8 ] || return 1
	: >"$PB_TMP/storm.tsv"
	# The shipped users, and the storm's after the last one.
	{
		sed '$d' "$top/etc/users.conf"
		storm_users
		printf '\n);\n'
	} >"$CONF_DIR/users.conf"
	write_config
}

# ----------------------------------------------------------------- network

setup_network() {
	local n=0 v

	pb_ns_add "$NS_SRV" || return 1
	ip -n "$NS_SRV" link add "$BR" type bridge &&
	    ip -n "$NS_SRV" addr add "$SRV_IP/22" dev "$BR" &&
	    ip -n "$NS_SRV" link set "$BR" up || return 1
	for v in $PH_VENDORS; do
		n=$((n + 1))
		user_of "$v" || return 1
		port "$T-$v" "${T}p$n" "${T}s$n" "$MAC" || return 1
	done
	port "$NS_LAN" "${T}a" "${T}sa" && port "$NS_STORM" "${T}x" "${T}sx" &&
	    ip -n "$NS_LAN" addr add "$LAN_IP/22" dev "${T}a"
}

# port NS IF_IN IF_BR [MAC]: a namespace with a veth on the bridge.
port() {
	pb_ns_add "$1" || return 1
	ip -n "$NS_SRV" link add "$3" type veth peer name "$2" netns "$1" ||
	    return 1
	[ -z "${4:-}" ] || ip -n "$1" link set "$2" address "$4" || return 1
	ip -n "$NS_SRV" link set "$3" master "$BR" &&
	    ip -n "$NS_SRV" link set "$3" up && ip -n "$1" link set "$2" up
}

iface_of() {
	local n=0 v

	for v in $PH_VENDORS; do
		n=$((n + 1))
		[ "$v" = "$1" ] && echo "${T}p$n"
	done
}

# ----------------------------------------------------------------- helpers

# fetch NS OUT URL [CURL_ARGS...]: prints the status; OUT.hdr, OUT.body.
fetch() {
	local ns=$1 out=$2 url=$3 c

	shift 3
	c=$(ip netns exec "$ns" timeout 20 curl -sS --max-time 15 \
	    --cacert "$PH_CACERT" -D "$out.hdr" -o "$out.body" \
	    -w '%{http_code}' "$@" "$url" 2>"$out.err") || true
	echo "${c:-000}"
}

# audit_reason MARK REGEX: the guard named by the first audit line after
# MARK that matches REGEX.
audit_reason() {
	local i line

	for ((i = 0; i < 30; i++)); do
		line=$(tail -n "+$(($1 + 1))" "$PROV_LOG" | grep -E -m 1 -- "$2")
		if [ -n "$line" ]; then
			sed -n 's/.* refused \([^ ]*\).*/\1/p' <<<"$line"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

url_of() {
	timeout 20 "$CTL" -c "$CONF" url "$1" 2>/dev/null | head -n 1
}

# expect_refused NS OUT URL CODE REASON WHAT [CURL_ARGS...]: a GET that
# must get CODE, its audit line naming REASON (a regex: a|b).
expect_refused() {
	local ns=$1 out=$2 url=$3 want=$4 why=$5 what=$6 mark c r

	shift 6
	mark=$(pb_lines "$PROV_LOG")
	c=$(fetch "$ns" "$out" "$url" "$@")
	[ "$c" = "$want" ] || die "$what: status $c, expected $want"
	r=$(audit_reason "$mark" " GET .* $want ") ||
	    die "$what: no audit line with $want"
	[[ $r =~ ^($why)$ ]] || die "$what: refused by '$r', expected '$why'"
}

# ------------------------------------------------------------------- tests

# One phone per vendor boots: class, options, its own file with exactly
# its credentials, the Content-Type of every file.
t_boot() {
	local v=$1 d=$PHONES/$1 url cls opt h want ct own st f p
	local m u s pw

	user_of "$v" || die "no $v phone in etc/users.conf"
	ph_vendor "$v"
	[ "${MAC:0:8}" = "$PH_OUI" ] ||
	    die "$MAC (etc/users.conf) is not in $v's OUI $PH_OUI"
	ph_boot "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" ||
	    die "boot: $(cat "$d/error" 2>/dev/null)"
	pb_wait_for 3 grep -q "DHCPACK [0-9.]* to $MAC " "$DHCPD_LOG"
	cls=$(ph_class "$DHCPD_LOG" "$MAC")
	[ "$cls" = "$v, $USER" ] || die "classed '$cls', expected '$v, $USER'"
	for opt in $(ph_options "$v"); do
		grep -q "^hex$opt=" "$d/dhcp" || die "no option $opt in the ACK"
	done
	url=$(cat "$d/url")
	if [ "$v" = aastra ]; then
		want=$BASE_URL/prov/
	else
		want=$(url_of "$USER")
		[[ $want == "$BASE_URL/p/"* ]] ||
		    die "provboxctl url $USER: '$want'"
	fi
	[ "$url" = "$want" ] || die "URL '$url', expected '$want'"
	# Every option that carries the URL carries this phone's.
	case $v in
	snom)
		[ "$(ph_opt "$d/dhcp" 66)" = "$BASE_URL" ] ||
		    die "66 is '$(ph_opt "$d/dhcp" 66)'"
		[ "$(ph_opt "$d/dhcp" 67)" = "${want#"$BASE_URL/"}snomD785.htm" ] ||
		    die "67 is '$(ph_opt "$d/dhcp" 67)'" ;;
	cisco)
		[ "$(sed -n 's/^opt150=//p' "$d/dhcp")" = "$SRV_IP" ] ||
		    die "150 is '$(sed -n 's/^opt150=//p' "$d/dhcp")'"
		[ "$(ph_opt "$d/dhcp" 66)" = "$want" ] || die "66 is not the URL" ;;
	aastra)
		h=$(sed -n 's/^hex43=//p' "$d/dhcp")
		[ "$(ph_unhex "$(ph_sub "$h" 2)")" = "$want" ] ||
		    die "43.2 is not $want"
		[ "$(ph_opt "$d/dhcp" 66)" = "$want" ] || die "66 is not $want" ;;
	*)
		for opt in $(ph_options "$v"); do
			[ "$(ph_opt "$d/dhcp" "$opt")" = "$want" ] ||
			    die "$opt is '$(ph_opt "$d/dhcp" "$opt")', not the URL"
		done ;;
	esac
	# Every file: 200 unless deliberately not served; the Content-Type
	# follows the template (.xml/.htm and Polycom's XML .cfg: XML).
	own=$(ph_own_file "$v" "$MAC")
	while read -r st ct f; do
		case $f in
		\?*) [ "$st" = 404 ] || die "${f#\?}: $st, expected 404"
		     continue ;;
		esac
		[ "$st" = 200 ] || die "$f: status $st"
		case $v:$f in
		polycom:*|*.xml|*.htm) want=application/xml ;;
		*) want=text/plain ;;
		esac
		[ "${ct%%;*}" = "$want" ] || die "$f: Content-Type $ct, expected $want"
	done <"$d/fetches"
	read -r s pw <"$d/sip"
	[ "$s" = "$SIP" ] || die "$own: SIP user '$s', expected '$SIP'"
	[ "$pw" = "$PW" ] || die "$own: not $USER's password"
	tr -d '\r' <"$d/files/$own.hdr" | grep -qi '^cache-control: no-store' ||
	    die "$own: no Cache-Control: no-store"
	# No other user's password in any file the phone got, and its own
	# only in its own file(s).
	while read -r m p u s pw; do
		for f in "$d"/files/*; do
			case $f in *.hdr|*.err) continue ;; esac
			if grep -qF -- "$pw" "$f"; then
				[ "$u" = "$USER" ] ||
				    die "$(basename "$f") holds $u's password"
				case $(basename "$f") in
				"$own"|snomD785-*.htm) ;;
				*) die "common file $(basename "$f") holds a password" ;;
				esac
			fi
		done
	done <"$PB_TMP/users.tsv"
	pb_pass
}

t_boot_snom() { t_boot snom; }
t_boot_yealink() { t_boot yealink; }
t_boot_polycom() { t_boot polycom; }
t_boot_cisco() { t_boot cisco; }
t_boot_grandstream() { t_boot grandstream; }
t_boot_fanvil() { t_boot fanvil; }
t_boot_gigaset() { t_boot gigaset; }
t_boot_aastra() { t_boot aastra; }

# The LAN attacker knows every phone's MAC: the flat folder and a guessed
# token folder refuse each phone's own file, token and legacy classes.
t_attacker() {
	local v own o guess mark c pw

	for v in $PH_VENDORS; do
		user_of "$v"
		own=$(ph_own_file "$v" "$MAC")
		o=$OUT/attack-$v
		guess=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
		# A token class's phone is not in the flat folder at all:
		# its file name is either no legacy class's (not-found) or
		# names a MAC no legacy class has (allowlist). Polycom's
		# <mac>-phone.cfg also fits Aastra's common ${model}.cfg: that
		# answer is Aastra's common file, with nobody's credentials.
		if [ "$v" = aastra ]; then
			expect_refused "$NS_LAN" "$o.flat" "$BASE_URL/prov/$own" \
			    403 lease-binding "$v: flat folder"
		elif [ "$v" = polycom ]; then
			mark=$(pb_lines "$PROV_LOG")
			c=$(fetch "$NS_LAN" "$o.flat" "$BASE_URL/prov/$own")
			pb_wait_for 3 pb_grep_after "$PROV_LOG" "$mark" \
			    " GET legacy $own $c .* user - vendor aastra " ||
			    die "$v: flat folder: $c, not Aastra's common file"
		else
			expect_refused "$NS_LAN" "$o.flat" "$BASE_URL/prov/$own" \
			    404 "allowlist|not-found" "$v: flat folder"
		fi
		expect_refused "$NS_LAN" "$o.tok" "$BASE_URL/p/$guess/$own" \
		    404 token "$v: a guessed token folder"
		for pw in $(awk '{ print $5 }' "$PB_TMP/users.tsv"); do
			grep -qF -- "$pw" "$o.flat.body" "$o.tok.body" \
			    2>/dev/null && die "$v: a password reached the attacker"
		done
	done
	pb_pass
}

# Client certificates on: the Aastra phone (legacy) needs its factory
# certificate as well as its lease; the attacker with that certificate but
# no lease, and the phone without it or with another MAC's, are refused.
t_client_cert() {
	local ns=$T-aastra ifc d=$PHONES/aastra-cert mark url o=$OUT/cert
	local crt=$PB_TMP/dev-aastra

	user_of aastra
	ifc=$(iface_of aastra)
	write_config tls/phones-ca.crt || die "cannot write the config"
	mark=$(pb_lines "$PROV_LOG")
	kill -HUP "$(pb_daemon_pid provisiond)" || die "provisiond is gone"
	pb_wait_for 15 pb_grep_after "$PROV_LOG" "$mark" \
	    "reloaded |reload refused" || die "no reload"
	pb_grep_after "$PROV_LOG" "$mark" "reload refused" &&
	    die "reload refused: $(tail -n 3 "$PROV_LOG")"
	ph_boot "$ns" "$ifc" aastra "$MAC" "$d" --cert "$crt.crt" \
	    --key "$crt.key" || die "boot with its certificate: $(cat "$d/error")"
	read -r _ pw <"$d/sip"
	[ "$pw" = "$PW" ] || die "not heidi's password"
	url=$BASE_URL/prov/$(ph_own_file aastra "$MAC")
	expect_refused "$ns" "$o.none" "$url" 403 client-cert-missing \
	    "the phone without a certificate"
	expect_refused "$ns" "$o.other" "$url" 403 client-cert-mac \
	    "the phone with another MAC's certificate" \
	    --cert "$PB_TMP/dev-other.crt" --key "$PB_TMP/dev-other.key"
	expect_refused "$NS_LAN" "$o.lan" "$url" 403 lease-binding \
	    "the attacker with the phone's certificate" \
	    --cert "$crt.crt" --key "$crt.key"
	# Token classes do not ask for one.
	user_of yealink
	[ "$(fetch "$T-yealink" "$o.tok" \
	    "$(url_of "$USER")$(ph_own_file yealink "$MAC")")" = 200 ] ||
	    die "a token folder wants a client certificate"
	pb_pass
}

# provboxctl rotate: at its next renewal the phone gets the new URL, the
# old one stops working, the new one serves its file. The phone's DHCP
# client is busybox udhcpc here (its Option 60, no client identifier: the
# lease is the MAC's): SIGUSR1 makes it renew as at T1, a unicast REQUEST
# from its address (RFC 2131 4.3.2, RENEWING). It exports Option 160,
# which it does not know, as opt160 in hex.
t_rotate() {
	local v=polycom d=$PHONES/polycom o=$OUT/rotate old new ip own got
	local pid n acks

	user_of "$v"
	old=$(cat "$d/url" 2>/dev/null)
	ip=$(cat "$d/ip" 2>/dev/null)
	[ -n "$old" ] && [ -n "$ip" ] || die "the polycom phone did not boot"
	printf '#!/bin/sh\necho "$1 $ip $opt160" >>"%s"\n' "$o.events" >"$o.sh"
	chmod 755 "$o.sh"
	: >"$o.events"
	pb_bg ip netns exec "$T-$v" udhcpc -f -C -i "$(iface_of "$v")" \
	    -V Polycom-VVX310 -O 160 -r "$ip" -s "$o.sh" -t 5 -T 2 \
	    >"$o.udhcpc" 2>&1
	pid=$PB_BG_PID
	pb_wait_for 20 grep -q "^bound $ip " "$o.events" ||
	    die "udhcpc: no lease: $(tail -n 2 "$o.udhcpc")"
	got=$(ph_unhex "$(awk '$1 == "bound" { print $3 }' "$o.events")")
	[ "$got" = "$old" ] || die "before the rotation 160 is '$got', not $old"
	timeout 20 "$CTL" -c "$CONF" rotate "$USER" >"$o.ctl" 2>&1 ||
	    die "provboxctl rotate $USER: $(cat "$o.ctl")"
	new=$(url_of "$USER")
	[ -n "$new" ] && [ "$new" != "$old" ] || die "the URL did not change"
	acks=$(grep -c "DHCPACK $ip to $MAC " "$DHCPD_LOG")
	kill -USR1 "$pid" || die "udhcpc is gone"
	pb_wait_for 15 grep -q "^renew $ip " "$o.events" ||
	    die "no renewal: $(tail -n 2 "$o.udhcpc")"
	n=$(grep -c "DHCPACK $ip to $MAC ($v, $USER)" "$DHCPD_LOG")
	[ "$n" -gt "$acks" ] || die "no DHCPACK for the renewal in the log"
	got=$(ph_unhex "$(awk '$1 == "renew" { print $3 }' "$o.events" |
	    tail -n 1)")
	[ "$got" = "$new" ] || die "the renewal brought '$got', expected $new"
	own=$(ph_own_file "$v" "$MAC")
	expect_refused "$T-$v" "$o.old" "$old$own" 404 token \
	    "the old URL from the phone"
	[ "$(fetch "$T-$v" "$o.new" "$new$own")" = 200 ] ||
	    die "the new URL: $(cat "$o.new.err")"
	grep -qF -- "$PW" "$o.new.body" || die "the new file lacks the password"
	pb_pass
}

# Power comes back: STORM phones ask DHCP at once, then all fetch their
# files at once; every one gets its own address and its own credentials.
t_storm() {
	local o=$OUT/storm ns=$NS_STORM ifc=${T}x n dup bad i

	ip netns exec "$ns" timeout 120 "$PROBE" -i "$ifc" -m "$STORM_MAC" \
	    -V yealink -P 1,2,3,4,6,7,12,15,28,42,66,67,43,120 -n "$STORM" \
	    -T 60000 dora >"$o.dhcp" 2>&1
	grep -q "^acked $STORM of $STORM$" "$o.dhcp" ||
	    die "DHCP: $(tail -n 1 "$o.dhcp")"
	n=$(awk '$1 == "ack" { print $3 }' "$o.dhcp" | sort -u | wc -l)
	[ "$n" -eq "$STORM" ] || die "$n distinct addresses for $STORM phones"
	dup=$(grep -h '^yiaddr=' "$PHONES"/*/dhcp 2>/dev/null |
	    sed 's/yiaddr=//' | grep -xFf - <(awk '$1 == "ack" { print $3 }' \
	    "$o.dhcp") | head -n 1)
	[ -z "$dup" ] || die "$dup was given to a storm phone and a vendor phone"
	awk '$1 == "ack" { print "addr add " $3 "/22 dev '"$ifc"'" }' \
	    "$o.dhcp" | ip -n "$ns" -batch - || die "cannot add the addresses"
	# What each phone fetches: its URL (provboxctl url prints what DHCP
	# hands out) and the MAC's file, from the MAC's leased address.
	awk '$1 == "ack" { print $2, $3 }' "$o.dhcp" | while read -r m ip; do
		printf '%s %s %s%s.cfg\n' "$m" "$ip" "$(url_of "$m")" \
		    "$(ph_mac_plain "$m")"
	done >"$o.jobs"
	mkdir -p "$o.d"
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$ns" timeout 180 xargs -P 16 -L 1 sh -c \
	    'curl -sS --max-time 60 --cacert "$0" --interface "$2" \
	    -A "Yealink SIP-T46S 66.86.0.15 $1" -o "$4/$1.cfg" \
	    -w "%{http_code} $1\n" "$3" >"$4/$1.code" 2>&1' \
	    "$PH_CACERT" <<<"$(sed "s|\$| $o.d|" "$o.jobs")"
	bad=0
	i=0
	while read -r m _ s pw; do
		i=$((i + 1))
		grep -q "^200 " "$o.d/$m.code" 2>/dev/null ||
		    { bad=$((bad + 1)); continue; }
		grep -qFx "account.1.password = $pw" "$o.d/$m.cfg" ||
		    bad=$((bad + 1))
	done <"$PB_TMP/storm.tsv"
	[ "$bad" -eq 0 ] || die "$bad of $i phones not provisioned ($(cat \
	    "$o.d"/*.code | awk '{ print $1 }' | sort | uniq -c | tr '\n' ' '))"
	pb_pass
}

# The daemons stop cleanly; no error, warning, sanitizer report, SIP
# password or full token in their logs.
t_logs() {
	local bad u tok m pw

	for u in provisiond dhcpd; do
		pb_daemon_stop "$u" || die "$u was not running at the end"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:|\[(warning|error|err|crit|alert|emerg)\]" \
	    "$DHCPD_LOG" "$PROV_LOG" | head -n 3)
	[ -z "$bad" ] || die "in the logs: $bad"
	while read -r m _ u _ pw; do
		grep -qF -- "$pw" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "$u's password is in a log"
		tok=$(url_of "$u" | grep -oE '[A-Za-z0-9_-]{32}')
		[ -n "$tok" ] && grep -qF -- "$tok" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "$u's token is in a log"
	done <"$PB_TMP/users.tsv"
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$PROVD" ]; then
	pb_fail build "$PROVD is missing (build first: make)"
	pb_finish
fi
setup_config || { pb_fail setup "cannot write the config"; pb_finish; }
make_certs || { pb_fail setup "certificates: $(tail -n 2 "$PB_TMP/openssl.err")"; pb_finish; }
setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
if ! timeout 60 "$CTL" -c "$CONF" sync >"$LOGS/sync.log" 2>&1; then
	pb_fail setup "provboxctl sync: $(tail -n 3 "$LOGS/sync.log")"
	pb_finish
fi
pb_daemon_start dhcpd "$NS_SRV" "$DHCPD_LOG" "provbox-dhcpd started" \
    "$DHCPD" -f -c "$CONF" ||
    { pb_fail setup "provbox-dhcpd: $(tail -n 3 "$DHCPD_LOG")"; pb_finish; }
pb_daemon_start provisiond "$NS_SRV" "$PROV_LOG" \
    "provbox-provisiond started" "$PROVD" -f -c "$CONF" ||
    { pb_fail setup "provisiond: $(tail -n 3 "$PROV_LOG")"; pb_finish; }

for v in $PH_VENDORS; do
	pb_run "boot-$v" 60 "t_boot_$v"
done
pb_run lan-attacker 60 t_attacker
pb_run rotate-renewal 60 t_rotate
pb_run legacy-client-cert 60 t_client_cert
pb_run "storm-$STORM" 200 t_storm
PB_ONLY='' pb_run logs-clean 60 t_logs
pb_finish
