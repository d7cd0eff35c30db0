#!/usr/bin/env bash
# e2e.sh - end-to-end: the shipped default config (etc/), both daemons, and
# one emulated phone per vendor booting as the real ones do
# (tests/phones.sh: DHCP with the vendor's Option 60 and 55 from a MAC in
# its OUI, then its HTTPS fetches in order, with its User-Agent; a token
# class's phone keeps the URL its own file pins and comes back to it).
#
#   sudo bash tests/integration/e2e.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces named from pbt<PID> (see lib.sh) and
# removes it at the end, also on failure or Ctrl-C:
#
#   $T-<vendor>  one phone per vendor, its veth carrying the phone's MAC
#   $T-c79       ivan's Cisco 7965 on enterprise firmware (TFTP)
#   $T-pnp       judy's Yealink, set to SIP plug-and-play
#   $T-lan       the attacker, 10.42.0.50, holding no lease
#   $T-storm     200 phones at once (one interface, 200 leased addresses)
#   $T-srv       bridge ${T}br 10.42.0.1/22; provbox-dhcpd, provisiond
#
# The config is a copy of etc/ in the temporary directory: provbox.conf
# with the registry and run_dir moved there, a /22 subnet and a pool big
# enough for the storm, the guard relaxed (the attacker's misses must show
# the guard that refused them, not a block), and, for one test, the
# phones' CA as tls.client_ca; vendors.conf, users.conf and the templates
# as shipped, plus 200 storm users. Every device is new until the suite
# opens one enrollment window for all (provboxctl enroll --all); each
# phone then provisions through its first-access URL and the permanent
# URL its file pins. Each test prints "PASS name" or "FAIL name: reason";
# the last line is "e2e-integration: N passed, N failed".
# Environment: PB_ONLY, PB_KEEP as for the other suites (enroll-all and
# logs-clean always run; the tests after the boots need the phones they
# booted); PB_STORM_PHONES (200) phones in the storm.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
. "$top/tests/phones.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="curl=curl openssl=openssl jq=jq ip=iproute2"
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
	    -e "s|^\( *global_max_misses = \)500;|\1100000;|" \
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

# The demo phones' models, one a class: each gets a firmware file.
MODELS="yealink=T46S snom=D785 polycom=VVX310 cisco=CP-7841 grandstream=GXP1405
fanvil=X4 gigaset=N720 aastra=6737i"

# The named settings (issue 14) on top of the shipped ones (Europe/Berlin,
# NTP on the box, en, DE): three BLF keys for every phone, a second SIP
# account for every shipped user, a firmware file for every demo model.
setup_settings() {
	local vm v m

	sed -i -e 's|^  # keys = .*|  keys = ( { type = "line"; },\
    { type = "blf"; value = "201"; label = "Reception"; },\
    { type = "blf"; value = "202"; label = "Sales"; },\
    { type = "blf"; value = "203"; label = "Support"; } );|' "$CONF"
	grep -q '^    { type = "blf"; value = "203"' "$CONF" || return 1
	# German, a voice VLAN: what each vendor writes in its own words.
	sed -i -e 's|^  language = "en";|  language = "de";|' \
	    -e 's|^  # voice_vlan = 20;|  voice_vlan = 20;|' "$CONF"
	grep -q '^  voice_vlan = 20;' "$CONF" &&
	    grep -q '^  language = "de";' "$CONF" || return 1
	# alice's own keys (the user's scope wins): a line key and three BLF.
	sed -i 's|^\( *\){ type = "blf"; value = "202"; label = "Bob"; } );|\1{ type = "blf"; value = "202"; label = "Bob"; },\
\1{ type = "blf"; value = "203"; label = "Carol"; },\
\1{ type = "blf"; value = "204"; label = "Dave"; } );|' \
	    "$CONF_DIR/users.conf"
	grep -q 'value = "204"; label = "Dave"' "$CONF_DIR/users.conf" ||
	    return 1
	for vm in $MODELS; do
		v=${vm%%=*} m=${vm#*=}
		sed -i "/^    name = \"$v\";/,/^    files = (/ s|^    files = (|    models = ( { name = \"$m\"; firmware = \"fw-$v.bin\"; } );\n    files = (|" \
		    "$CONF_DIR/vendors.conf"
		grep -q "firmware = \"fw-$v.bin\"" "$CONF_DIR/vendors.conf" ||
		    return 1
	done
	# sip = { user = "201"; password = "P"; ... }; then account 2:
	# user 8201, password P-line2.
	sed -i 's|^\( *\)sip = { user = "\(2[0-9][0-9]\)"; password = "\([^"]*\)"; \(.*\)$|&\n\1accounts = ( { user = "8\2"; password = "\3-line2"; label = "Line 2"; } );|' \
	    "$CONF_DIR/users.conf"
	[ "$(grep -c 'label = "Line 2"' "$CONF_DIR/users.conf")" -ge 8 ]
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
	write_config && setup_settings
}

# What each vendor's own file says of the named settings in this
# config, as ph_settings prints it (accounts admin tz ntp lang vlan blf
# fw cloud sync); ADMIN stands for the phone's own password (provboxctl
# device show --secrets), FOLDER for its token folder. A "-" is a setting the
# vendor's template does not write: etc/templates/README.md says why
# (Gigaset's N720 DECT base has no keys, no documented time zone code or
# language table, and its own firmware scheme; Aastra loads <model>.st;
# no setting turns Yealink's RPS or Cisco's EDOS off; no documented
# setting limits who may send Grandstream, Fanvil or Gigaset a check-sync).
# Gigaset's VLAN is hex in the file (0x14), printed in decimal by
# ph_settings.
settings_want() {
	local fw=$BASE_URL/static/fw-$1.bin

	case $1 in
	yealink) echo "2 ADMIN +1 $SRV_IP German 20 3 $fw - 1" ;;
	snom) echo "2 ADMIN GER+1 $SRV_IP Deutsch 20 3 FOLDER$(ph_mac_plain -u "$MAC")-firmware.xml off on" ;;
	polycom) echo "2 ADMIN 3600 $SRV_IP German_Germany 20 3 - off digest" ;;
	cisco) echo "2 ADMIN GMT+01:00 $SRV_IP German 20 3 $fw - Yes" ;;
	grandstream) echo "2 ADMIN CET-1CEST,M3.5.0,M10.5.0/3 $SRV_IP de 20 3 $BASE_URL/static off -" ;;
	fanvil) echo "2 ADMIN 4 $SRV_IP de 20 3 $fw off -" ;;
	gigaset) echo "2 ADMIN - $SRV_IP - 20 0 - - -" ;;
	aastra) echo "2 ADMIN -60 $SRV_IP lang_de.txt 20 3 - off 1" ;;
	esac
}

# t_phonebook: every vendor's phone book, in its own format, lists every
# user (by the first account's number) and the admin's entries, from the
# phone's own folder, and holds no password.
t_phonebook() {
	local v f o perm c n u re

	for v in $PH_VENDORS; do
		# The file, and how a number N is written in it.
		case $v in
		yealink) f=yealink-phonebook.xml re='>N<' ;;
		snom) f=snom-phonebook.xml re='>N<' ;;
		polycom) f=000000000000-directory.xml re='<ct>N</ct>' ;;
		cisco) f=cisco-directory.xml re='>N<' ;;
		grandstream) f=grandstream-phonebook.xml re='>N<' ;;
		fanvil) f=fanvil-phonebook.xml re='<Telephone>N</Telephone>' ;;
		gigaset) f=gigaset-phonebook.xml re='office1="N"' ;;
		aastra) f=aastra-directory.csv re=', "N"$' ;;
		*) die "no phone book known for $v" ;;
		esac
		user_of "$v" || die "no $v phone"
		perm=$(url_of "$USER")
		o=$OUT/book-$v
		c=$(fetch "$T-$v" "$o" "$perm$f")
		[ "$c" = 200 ] || die "$v: $f: status $c"
		grep -q "{{\|}}" "$o.body" && die "$v: $f: template text left"
		for n in 201 202 203 204 205 206 207 208 2099; do
			grep -q "${re//N/$n}" "$o.body" ||
			    die "$v: $f does not list $n"
		done
		# Every storm user too: the whole users table.
		u=$(grep -c "${re//N/9[0-9][0-9][0-9]}" "$o.body")
		[ "$u" -eq "$STORM" ] ||
		    die "$v: $f lists $u of the $STORM storm users"
		if grep -qE "demo-[a-z]+-sip-pw" "$o.body"; then
			die "$v: $f holds a password"
		fi
	done
	pb_pass
}

# check_settings VENDOR MAC FILE: the named settings in the phone's own
# file, in its vendor's syntax; its admin password is its own (from the
# registry, not the factory's, not another phone's). Where a vendor puts
# the firmware in another file (snom's <MAC>-firmware.xml, Polycom's
# per-phone master <mac>.cfg), that file is fetched from the phone's
# folder and must name the model's firmware.
check_settings() {
	local f=$3 got want pw folder o fw=$BASE_URL/static/fw-$1.bin

	got=$(ph_settings "$1" "$f" | cut -d= -f2- | tr '\n' ' ')
	pw=$(timeout 20 "$CTL" -c "$CONF" --json device show "$2" --secrets \
	    2>/dev/null | jq -r .admin_password)
	[[ $pw =~ ^[A-Za-z2-9]{16}$ ]] || die "device show --secrets: '$pw'"
	folder=$(url_of "$USER")
	want=$(settings_want "$1")
	want=${want//ADMIN/$pw}
	want=${want//FOLDER/$folder}
	[ "$got" = "$want " ] ||
	    die "$(basename "$f"): settings (accounts admin tz ntp lang vlan blf fw cloud sync) '$got', expected '$want'"
	if [[ $want == *"$pw"* ]]; then
		grep -qxF "$pw" "$PB_TMP/admins" 2>/dev/null &&
		    die "$(basename "$f"): another phone has the same admin password"
		echo "$pw" >>"$PB_TMP/admins"
	fi
	o=$OUT/fw-$1
	case $1 in
	snom)
		[ "$(fetch "$T-$1" "$o" "$folder$(ph_mac_plain -u "$2")-firmware.xml")" = 200 ] ||
		    die "snom firmware file: not served: $(head -c 200 "$o.err")"
		grep -qF "<firmware perm=\"R\">$fw</firmware>" "$o.body" ||
		    die "snom firmware file does not name $fw: $(head -c 300 "$o.body")"
		;;
	polycom)
		[ "$(fetch "$T-$1" "$o" "$folder$(ph_mac_plain "$2").cfg")" = 200 ] ||
		    die "polycom <mac>.cfg: not served"
		grep -qF "APP_FILE_PATH=\"$fw\"" "$o.body" ||
		    die "polycom <mac>.cfg does not name $fw: $(grep -o 'APP_FILE_PATH="[^"]*"' "$o.body")"
		;;
	esac
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
	# The Cisco 7965 on enterprise firmware (TFTP): ivan's phone.
	user_of cisco-enterprise || return 1
	port "$T-c79" "${T}p79" "${T}s79" "$MAC" || return 1
	# judy's Yealink, set to SIP plug-and-play.
	pnp_user || return 1
	port "$T-pnp" "${T}ppn" "${T}spn" "$MAC" &&
	    ip -n "$T-pnp" route add 224.0.0.0/4 dev "${T}ppn" || return 1
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

# expect_state MAC STATE WHEN: dies unless the device is in STATE within
# 3 s: provisiond answers a request before it commits what the request
# taught the device's enrollment, so a status read right after a phone's
# last fetch may see the state before it.
expect_state() {
	expect_states "$2" "$3" "$1"
}

# expect_states STATE WHEN MAC...: the same for several devices, asked
# all at once (each provboxctl opens the registry on its own).
expect_states() {
	local want=$1 what=$2 m s try todo pids

	shift 2
	mkdir -p "$OUT/state"
	todo=("$@")
	for ((try = 0; try < 10 && ${#todo[@]} > 0; try++)); do
		[ "$try" -eq 0 ] || sleep 0.3
		pids=()
		for m in "${todo[@]}"; do
			timeout 20 "$CTL" -c "$CONF" status "$m" --json \
			    >"$OUT/state/$m" 2>&1 &
			pids+=("$!")
		done
		wait "${pids[@]}"
		for m in "${todo[@]}"; do
			s=$(jq -r .state "$OUT/state/$m" 2>/dev/null)
			[ "$s" = "$want" ] && todo=("${todo[@]/$m}")
		done
		# shellcheck disable=SC2206 # drops the emptied entries
		todo=(${todo[@]})
	done
	for m in "${todo[@]}"; do
		die "$what: $m is '$(jq -r .state "$OUT/state/$m" 2>/dev/null)', expected $want"
	done
}

# tok URL: the token of a token-folder URL (empty if none).
tok() {
	sed -nE 's#^'"$BASE_URL"'/p/([A-Za-z0-9_-]{32})/.*#\1#p' <<<"$1"
}

# short TOKEN: as the audit lines show it, as a regex ("Xy3k\.\.\.\(32\)").
short() {
	printf '%s\\.\\.\\.\\(32\\)' "${1:0:4}"
}

# no_token DHCP_OUT WHAT: no option of the answer names a token folder
# (as text, or inside an encapsulated option: "/p/" is 2f702f).
no_token() {
	grep -qE '^opt[0-9]+=.*/p/' "$1" && die "$2 names a token folder"
	grep -qiE '^hex[0-9]+=([0-9a-f]{2})*2f702f' "$1" &&
	    die "$2 names a token folder (encapsulated)"
	return 0
}

# log_has LOG MARK REGEX WHAT: REGEX in LOG after line MARK (waits 3 s).
log_has() {
	pb_wait_for 3 pb_grep_after "$1" "$2" "$3" || die "no $4 in the log"
}

# check_round V MAC DIR LIST: every file of one round of fetches is 200
# (the deliberately unserved ones 404) with the template's Content-Type.
check_round() {
	local v=$1 d=$3 list=$4 st ct f want

	[ -s "$d/$list" ] || die "no $list"
	while read -r st ct f; do
		case $f in
		\?*) [ "$st" = 404 ] || die "$list: ${f#\?}: $st, expected 404"
		     continue ;;
		esac
		[ "$st" = 200 ] || die "$list: $f: status $st"
		case $v:$f in
		polycom:*|*.xml|*.htm) want=application/xml ;;
		*) want=text/plain ;;
		esac
		[ "${ct%%;*}" = "$want" ] ||
		    die "$list: $f: Content-Type $ct, expected $want"
	done <"$d/$list"
}

# check_own V MAC FILE: FILE (the phone's own, as served) has exactly its
# user's SIP account and Cache-Control: no-store.
check_own() {
	local f=$3 s pw

	read -r s pw < <(ph_sip "$1" "$f") || die "no SIP account in $f"
	[ "$s" = "$SIP" ] || die "$(basename "$f"): SIP user '$s', expected '$SIP'"
	[ "$pw" = "$PW" ] || die "$(basename "$f"): not $USER's password"
	tr -d '\r' <"$f.hdr" | grep -qi '^cache-control: no-store' ||
	    die "$(basename "$f"): no Cache-Control: no-store"
}

# no_leak DIR...: no other user's password in any file the phone got,
# and its own only in its own file(s).
no_leak() {
	local own m p u s pw f dir

	own=$(ph_own_file "$V" "$MAC")
	for dir in "$@"; do
		for f in "$dir"/*; do
			[ -f "$f" ] || continue
			case $f in *.hdr|*.err) continue ;; esac
			while read -r m p u s pw; do
				grep -qF -- "$pw" "$f" || continue
				[ "$u" = "$USER" ] ||
				    die "$(basename "$f") holds $u's password"
				case $(basename "$f") in
				"$own"|snomD785-*.htm) ;;
				*) die "common file $(basename "$f") holds a password" ;;
				esac
			done <"$PB_TMP/users.tsv"
		done
	done
}

# pinned_want V MAC PERM: the URL the phone's file must pin: its user's
# folder, or, for snom and Cisco, its own file there.
pinned_want() {
	case $1 in
	snom) echo "$3$(ph_mac_plain -u "$2").xml" ;;
	cisco) echo "$3$(ph_mac_plain "$2").xml" ;;
	*) echo "$3" ;;
	esac
}

# ------------------------------------------------------------------- tests

# Every device starts new; one window for all: enrolling.
t_enroll() {
	local m n now until macs

	macs=$(awk '{ print $1 }' "$PB_TMP/users.tsv")
	# shellcheck disable=SC2086 # one word per MAC
	expect_states new "before provboxctl enroll" $macs
	timeout 60 "$CTL" -c "$CONF" enroll --all >"$OUT/enroll.out" 2>&1 ||
	    die "provboxctl enroll --all: $(tail -n 2 "$OUT/enroll.out")"
	n=$(wc -l <"$PB_TMP/users.tsv")
	n=$((n + STORM))
	grep -q "^$n devices enrolling for 3600s" "$OUT/enroll.out" ||
	    die "enroll --all: $(tail -n 1 "$OUT/enroll.out")"
	now=$(date +%s)
	# shellcheck disable=SC2086 # one word per MAC
	expect_states enrolling "after provboxctl enroll --all" $macs
	for m in $macs; do
		until=$(jq -r .window_until "$OUT/state/$m")
		[ "$until" -gt "$((now + 3500))" ] 2>/dev/null ||
		    die "$m: window until '$until'"
	done
	pb_pass
}

# One phone per vendor boots: class, options, the first-access URL from
# DHCP (token classes) or the flat folder (legacy), its own file with
# exactly its credentials, pinning the permanent URL, which it fetches
# again; the Content-Type of every file; then the device is provisioned.
t_boot() {
	local v=$1 d=$PHONES/$1 url cls opt h want own perm fa pin ip
	local mp md

	V=$v
	user_of "$v" || die "no $v phone in etc/users.conf"
	ph_vendor "$v"
	[ "${MAC:0:8}" = "$PH_OUI" ] ||
	    die "$MAC (etc/users.conf) is not in $v's OUI $PH_OUI"
	mp=$(pb_lines "$PROV_LOG")
	md=$(pb_lines "$DHCPD_LOG")
	ph_boot "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" ||
	    die "boot: $(cat "$d/error" 2>/dev/null)"
	ip=$(cat "$d/ip")
	pb_wait_for 3 grep -q "DHCPACK [0-9.]* to $MAC " "$DHCPD_LOG"
	cls=$(ph_class "$DHCPD_LOG" "$MAC")
	[ "$cls" = "$v, $USER" ] || die "classed '$cls', expected '$v, $USER'"
	for opt in $(ph_options "$v"); do
		grep -q "^hex$opt=" "$d/dhcp" || die "no option $opt in the ACK"
	done
	url=$(cat "$d/url")
	[ "$(cat "$d/from")" = dhcp ] || die "a new phone did not use DHCP's URL"
	own=$(ph_own_file "$v" "$MAC")
	if ph_legacy "$v"; then
		want=$BASE_URL/prov/
		[ "$url" = "$want" ] || die "URL '$url', expected '$want'"
		[ ! -e "$d/pinned" ] || die "a legacy phone pinned a URL"
	else
		perm=$(url_of "$USER")
		[[ $perm == "$BASE_URL/p/"* ]] ||
		    die "provboxctl url $USER: '$perm'"
		fa=$(tok "$url")
		[ -n "$fa" ] && [ "$url" = "$BASE_URL/p/$fa/" ] ||
		    die "DHCP's URL '$url' is no token folder"
		[ "$url" != "$perm" ] || die "DHCP carried the permanent URL"
		echo "$url" >"$PHONES/$v.fa"
		want=$url
	fi
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
	check_round "$v" "$MAC" "$d" fetches
	check_own "$v" "$MAC" "$d/files/$own"
	if ph_legacy "$v"; then
		[ ! -e "$d/refetches" ] || die "a legacy phone fetched twice"
		log_has "$PROV_LOG" "$mp" " GET legacy $own 200 .* mac $MAC " \
		    "audit line of its own file"
		log_has "$PROV_LOG" "$mp" "enroll: $MAC provisioned ip $ip: flat folder: $own\$" \
		    "provisioned line"
	else
		pin=$(cat "$d/pinned")
		[ "$pin" = "$(pinned_want "$v" "$MAC" "$perm")" ] ||
		    die "its file pins '$(ph_short_url "$pin")', not its permanent URL"
		[ "$(cat "$d/flash.url")" = "$pin" ] || die "the flash is not the pinned URL"
		check_round "$v" "$MAC" "$d" refetches
		check_own "$v" "$MAC" "$d/refiles/$own"
		log_has "$DHCPD_LOG" "$md" "enroll: $MAC first-access-handed ip $ip: to hw 01:$MAC\$" \
		    "first-access-handed line"
		log_has "$PROV_LOG" "$mp" " GET first-access $(short "$fa")/$own 200 .* mac $MAC user $USER vendor $v " \
		    "first-access audit line of its own file"
		# The first of its own files it fetched: .boot, snom's .htm.
		log_has "$PROV_LOG" "$mp" "enroll: $MAC first-access-used ip $ip: file: " \
		    "first-access-used line"
		log_has "$PROV_LOG" "$mp" " GET token $(short "$(tok "$perm")")/$own 200 .* mac $MAC user $USER vendor $v " \
		    "permanent-URL audit line of its own file"
		log_has "$PROV_LOG" "$mp" "enroll: $MAC provisioned ip $ip: permanent URL used" \
		    "provisioned line"
	fi
	check_settings "$v" "$MAC" "$d/files/$own"
	no_leak "$d/files" "$d/refiles"
	expect_state "$MAC" provisioned "after the boot"
	pb_pass
}

# pnp_user: MAC, USER, SIP, PW of judy's phone, which the shipped
# users.conf sets to SIP plug-and-play.
pnp_user() {
	read -r MAC _ USER SIP PW < <(awk '$3 == "judy"' "$PB_TMP/users.tsv")
	[ -n "${MAC:-}" ]
}

# judy's Yealink boots with SIP plug-and-play: DHCP for its address,
# then a SUBSCRIBE to 224.0.1.75 in Yealink's form (tests/tools/pbsip.py);
# the NOTIFY's first-access URL provisions it as Option 66 would (its
# file pins the permanent URL, fetched again).
t_boot_pnp() {
	local d=$PHONES/pnp ip mp url

	pnp_user || die "no judy in etc/users.conf"
	rm -rf "$d"
	mkdir -p "$d"
	mp=$(pb_lines "$PROV_LOG")
	ip netns exec "$T-pnp" timeout 30 "$PROBE" -i "${T}ppn" -m "$MAC" \
	    -V yealink -P 1,3,6,15 dora >"$d/dhcp" 2>&1 ||
	    die "DORA: $(head -n 2 "$d/dhcp")"
	ip=$(sed -n 's/^yiaddr=//p' "$d/dhcp")
	[ -n "$ip" ] || die "no lease: $(head -n 2 "$d/dhcp")"
	ip -n "$T-pnp" addr add "$ip/$PH_PREFIX" dev "${T}ppn" ||
	    die "cannot set $ip"
	ip netns exec "$T-pnp" timeout 30 python3 "$top/tests/tools/pbsip.py" \
	    subscribe yealink "$MAC" T46S "$ip" --wait 5 >"$d/pnp" 2>&1
	grep -qx 'ok 200' "$d/pnp" || die "SUBSCRIBE: $(head -n 2 "$d/pnp")"
	url=$(sed -n 's/^notify //p' "$d/pnp")
	[[ $url =~ ^$BASE_URL/p/[A-Za-z0-9_-]{32}/$ ]] ||
	    die "the NOTIFY carries '$url'"
	[ "$url" != "$(url_of "$USER")" ] || die "PnP carried the permanent URL"
	echo "$url" >"$d/dhcp.url"
	ph_provision "$T-pnp" yealink "$MAC" "$d" ||
	    die "provisioning: $(cat "$d/error" 2>/dev/null)"
	[ "$(cat "$d/pinned")" = "$(url_of "$USER")" ] ||
	    die "its file pins '$(ph_short_url "$(cat "$d/pinned")")'"
	log_has "$PROV_LOG" "$mp" "$ip SUBSCRIBE pnp vendor \"Yealink\" model \"T46S\" -> first-access .* mac $MAC user $USER class yealink refused -" \
	    "audit line of the SUBSCRIBE"
	expect_state "$MAC" provisioned "after the boot"
	pb_pass
}

# The Cisco 7965 on enterprise firmware: Option 150 names the TFTP
# server, where it asks for SEP<MAC>.cnf.xml (curl speaks TFTP): both
# accounts with their passwords, the audit line, then provisioned.
t_boot_tftp() {
	local d=$PHONES/cisco79 ip mp own f

	user_of cisco-enterprise || die "no cisco-enterprise phone in etc/users.conf"
	mkdir -p "$d"
	mp=$(pb_lines "$PROV_LOG")
	ip netns exec "$T-c79" timeout 30 "$PROBE" -i "${T}p79" -m "$MAC" \
	    -V "Cisco Systems, Inc. IP Phone CP-7965G" -P 1,66,6,3,15,150,35 \
	    dora >"$d/dhcp" 2>&1 || die "DORA: $(head -n 2 "$d/dhcp")"
	ip=$(sed -n 's/^yiaddr=//p' "$d/dhcp")
	[ -n "$ip" ] || die "no lease: $(head -n 2 "$d/dhcp")"
	[ "$(ph_class "$DHCPD_LOG" "$MAC")" = "cisco-enterprise, $USER" ] ||
	    die "classed '$(ph_class "$DHCPD_LOG" "$MAC")'"
	[ "$(sed -n 's/^opt150=//p' "$d/dhcp")" = "$SRV_IP" ] ||
	    die "150 is '$(sed -n 's/^opt150=//p' "$d/dhcp")'"
	ip -n "$T-c79" addr add "$ip/$PH_PREFIX" dev "${T}p79" ||
	    die "cannot set $ip"
	own=SEP$(ph_mac_plain -u "$MAC").cnf.xml
	f=$d/$own
	ip netns exec "$T-c79" timeout 20 curl -sS --max-time 15 -o "$f" \
	    "tftp://$SRV_IP/$own" 2>"$d/tftp.err" ||
	    die "TFTP: $(head -n 1 "$d/tftp.err")"
	grep -qF "<authPassword>$PW</authPassword>" "$f" ||
	    die "$own has no line with $USER's password"
	grep -qF "<authPassword>$PW-line2</authPassword>" "$f" ||
	    die "$own has no second account"
	log_has "$PROV_LOG" "$mp" "$ip RRQ legacy $own 200 .* mac $MAC user $USER vendor cisco-enterprise " \
	    "audit line of its own file"
	log_has "$PROV_LOG" "$mp" "enroll: $MAC provisioned ip $ip: flat folder: $own\$" \
	    "provisioned line"
	expect_state "$MAC" provisioned "after the boot"
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

# The LAN attacker knows every phone's MAC: the flat folder, a guessed
# token folder and the first-access URL each phone was given (now used
# up) refuse each phone's own file, all with the same 404.
t_attacker() {
	local v own o guess mark c pw fa

	for v in $PH_VENDORS; do
		user_of "$v"
		own=$(ph_own_file "$v" "$MAC")
		o=$OUT/attack-$v
		guess=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
		# A legacy phone's file needs its lease. A token class's
		# phone is not in the flat folder at all: its file name is
		# either no legacy class's (not-found) or names a MAC no
		# legacy class has (allowlist). Polycom's <mac>-phone.cfg also
		# fits Aastra's common ${model}.cfg: that answer is Aastra's
		# common file, with nobody's credentials.
		if ph_legacy "$v"; then
			expect_refused "$NS_LAN" "$o.flat" "$BASE_URL/prov/$own" \
			    404 lease-binding "$v: flat folder"
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
		: >"$o.fa.body"
		if fa=$(cat "$PHONES/$v.fa" 2>/dev/null) && [ -n "$fa" ]; then
			expect_refused "$NS_LAN" "$o.fa" "$fa$own" 404 \
			    "token|first-access-closed" "$v: its used first-access URL"
		fi
		for pw in $(awk '{ print $5 }' "$PB_TMP/users.tsv"); do
			grep -qF -- "$pw" "$o.flat.body" "$o.tok.body" \
			    "$o.fa.body" 2>/dev/null &&
			    die "$v: a password reached the attacker"
		done
	done
	pb_pass
}

# The attacker asks DHCP as every phone (its MAC, no client identifier,
# as the phones send): an INFORM and a DISCOVER bring no token folder,
# and change nothing. With another client identifier the MAC's DISCOVER
# is dropped (the phone holds the MAC's lease) and the device turns
# suspect; the admin clears it and enrolls it again, and the phone
# (pinned) provisions again at its next boot.
t_dhcp_attacker() {
	local v o ifc=${T}a md d=$PHONES/fanvil

	for v in $PH_VENDORS; do
		user_of "$v"
		ph_vendor "$v"
		o=$OUT/dhcp-$v
		ip netns exec "$NS_LAN" timeout 20 "$PROBE" -i "$ifc" -m "$MAC" \
		    -V "$PH_V60" -P "$PH_P55" -T 3000 inform "$LAN_IP" \
		    >"$o.inform" 2>&1
		grep -q '^type=ACK' "$o.inform" ||
		    die "$v: INFORM: $(head -n 1 "$o.inform")"
		no_token "$o.inform" "$v: the INFORM's answer"
		ip netns exec "$NS_LAN" timeout 20 "$PROBE" -i "$ifc" -m "$MAC" \
		    -V "$PH_V60" -P "$PH_P55" -T 3000 discover >"$o.discover" 2>&1
		grep -q '^type=OFFER' "$o.discover" ||
		    die "$v: DISCOVER: $(head -n 1 "$o.discover")"
		no_token "$o.discover" "$v: the OFFER"
	done
	# shellcheck disable=SC2046 # one word per MAC
	expect_states provisioned "after the attacker's INFORMs and DISCOVERs" \
	    $(awk '{ print $1 }' "$PB_TMP/users.tsv")
	user_of fanvil
	ph_vendor fanvil
	md=$(pb_lines "$DHCPD_LOG")
	ip netns exec "$NS_LAN" timeout 20 "$PROBE" -i "$ifc" -m "$MAC" \
	    -C 01020304050607 -V "$PH_V60" -P "$PH_P55" -T 1000 dora \
	    >"$OUT/dhcp-dup" 2>&1
	grep -q '^type=TIMEOUT' "$OUT/dhcp-dup" ||
	    die "another client identity for $MAC: $(head -n 1 "$OUT/dhcp-dup")"
	log_has "$DHCPD_LOG" "$md" "\\[warning\\]: DHCPDISCOVER from $MAC via $BR refused: duplicate MAC: hw 01:$MAC holds $(cat "$d/ip"), id 01:02:03:04:05:06:07 asked" \
	    "duplicate MAC line"
	expect_state "$MAC" suspect "after another client identity asked"
	timeout 20 "$CTL" -c "$CONF" device clear "$MAC" >"$OUT/clear.out" 2>&1 ||
	    die "provboxctl device clear: $(cat "$OUT/clear.out")"
	expect_state "$MAC" new "after device clear"
	timeout 20 "$CTL" -c "$CONF" enroll "$MAC" >"$OUT/reenroll.out" 2>&1 ||
	    die "provboxctl enroll $MAC: $(cat "$OUT/reenroll.out")"
	ph_boot "$T-fanvil" "$(iface_of fanvil)" fanvil "$MAC" "$d" ||
	    die "the phone's boot after: $(cat "$d/error")"
	[ "$(cat "$d/from")" = flash ] || die "the phone did not boot from flash"
	expect_state "$MAC" provisioned "after the phone's next boot"
	pb_pass
}

# Every phone boots again: a token class's phone from the URL in its
# flash, its DHCP answer naming no token folder any more; a legacy phone
# from the flat folder DHCP names. All stay provisioned.
t_reboot() {
	local v d own mp macs=()

	for v in $PH_VENDORS; do
		V=$v
		user_of "$v"
		d=$PHONES/$v
		own=$(ph_own_file "$v" "$MAC")
		mp=$(pb_lines "$PROV_LOG")
		ph_boot "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" ||
		    die "$v: boot: $(cat "$d/error")"
		if ph_legacy "$v"; then
			[ "$(cat "$d/url")" = "$BASE_URL/prov/" ] ||
			    die "$v: fetched from $(cat "$d/url")"
		else
			no_token "$d/dhcp" "$v: the ACK of a provisioned phone"
			[ -s "$d/dhcp.url" ] && die "$v: the ACK names a URL"
			[ "$(cat "$d/from")" = flash ] ||
			    die "$v: did not boot from its flash"
			[ "$(cat "$d/url")" = "$(cat "$d/pinned")" ] ||
			    die "$v: its file pins another URL now"
			[ ! -e "$d/refetches" ] || die "$v: fetched twice"
			log_has "$PROV_LOG" "$mp" " GET token $(short "$(tok "$(cat "$d/pinned")")")/$own 200 .* mac $MAC " \
			    "$v: permanent-URL audit line"
		fi
		check_round "$v" "$MAC" "$d" fetches
		check_own "$v" "$MAC" "$d/files/$own"
		macs+=("$MAC")
	done
	expect_states provisioned "after the reboots" "${macs[@]}"
	pb_pass
}

# A factory reset wipes the phone's flash: its DHCP answer names no URL,
# the flat folder and its old first-access URL refuse it, until the admin
# enrolls it again. Its new first-access URL, replayed from the
# attacker's address, is refused; the phone provisions with it.
t_factory() {
	local v=grandstream d=$PHONES/grandstream o=$OUT/reset own old url mp
	local perm

	V=$v
	user_of "$v"
	own=$(ph_own_file "$v" "$MAC")
	old=$(cat "$PHONES/$v.fa" 2>/dev/null)
	[ -n "$old" ] || die "the grandstream phone did not boot"
	ph_factory_reset "$d"
	ph_boot "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" &&
	    die "a phone without flash or window provisioned"
	[ -s "$d/ip" ] || die "no address: $(cat "$d/error")"
	no_token "$d/dhcp" "the reset phone's ACK"
	[ -s "$d/dhcp.url" ] && die "the reset phone's ACK names $(cat "$d/dhcp.url")"
	expect_refused "$T-$v" "$o.flat" "$BASE_URL/prov/$own" 404 \
	    "allowlist|not-found" "the flat folder from the phone"
	expect_refused "$T-$v" "$o.old" "$old$own" 404 \
	    "token|first-access-closed" "its old first-access URL"
	timeout 20 "$CTL" -c "$CONF" enroll "$MAC" >"$o.ctl" 2>&1 ||
	    die "provboxctl enroll $MAC: $(cat "$o.ctl")"
	expect_state "$MAC" enrolling "after provboxctl enroll $MAC"
	ph_dhcp "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" ||
	    die "DHCP: $(cat "$d/error")"
	url=$(cat "$d/dhcp.url")
	[ -n "$(tok "$url")" ] || die "no first-access URL after enroll"
	[ "$url" != "$old" ] || die "the same first-access URL again"
	mp=$(pb_lines "$PROV_LOG")
	expect_refused "$NS_LAN" "$o.replay" "$url$own" 404 first-access-lease \
	    "the live first-access URL from $LAN_IP"
	log_has "$PROV_LOG" "$mp" "\\[warning\\]: enroll: $MAC refused ip $LAN_IP: first-access URL from an address without the device's lease: $own\$" \
	    "enroll refused line"
	grep -qF -- "$PW" "$o.replay.body" && die "the replay got the password"
	expect_state "$MAC" enrolling "after the replay"
	ph_provision "$T-$v" "$v" "$MAC" "$d" ||
	    die "the phone with its first-access URL: $(cat "$d/error")"
	perm=$(url_of "$USER")
	[ "$(cat "$d/flash.url")" = "$perm" ] || die "it pinned another URL"
	check_own "$v" "$MAC" "$d/refiles/$own"
	expect_state "$MAC" provisioned "after the phone's fetches"
	pb_pass
}

# provboxctl rotate while a phone is pinned to the old URL: at its next
# fetch the old URL still answers, with a file that pins the new one;
# the phone fetches from the new URL at once, all 200, the guard never
# involved; then the old URL is closed for that device.
t_rotate() {
	local v=polycom d=$PHONES/polycom o=$OUT/rotate old new own mp st f
	local l

	V=$v
	user_of "$v"
	own=$(ph_own_file "$v" "$MAC")
	old=$(cat "$d/flash.url" 2>/dev/null)
	[ -n "$old" ] && [ "$old" = "$(url_of "$USER")" ] ||
	    die "the polycom phone is not pinned to $USER's URL"
	timeout 20 "$CTL" -c "$CONF" rotate "$USER" >"$o.ctl" 2>&1 ||
	    die "provboxctl rotate $USER: $(cat "$o.ctl")"
	new=$(url_of "$USER")
	[ -n "$new" ] && [ "$new" != "$old" ] || die "the URL did not change"
	mp=$(pb_lines "$PROV_LOG")
	ph_boot "$T-$v" "$(iface_of "$v")" "$v" "$MAC" "$d" ||
	    die "boot: $(cat "$d/error")"
	no_token "$d/dhcp" "the ACK"
	[ "$(cat "$d/from")" = flash ] && [ "$(cat "$d/url")" = "$old" ] ||
	    die "the phone did not start from the old URL in its flash"
	[ "$(cat "$d/pinned")" = "$new" ] ||
	    die "the old URL's file pins $(ph_short_url "$(cat "$d/pinned")")"
	[ "$(cat "$d/flash.url")" = "$new" ] || die "the flash kept the old URL"
	for l in fetches refetches; do
		check_round "$v" "$MAC" "$d" "$l"
		while read -r st _ f; do
			[ "$st" = 404 ] && [ "${f#\?}" = "$f" ] &&
			    die "$l: $f: 404"
		done <"$d/$l"
	done
	check_own "$v" "$MAC" "$d/refiles/$own"
	log_has "$PROV_LOG" "$mp" " GET token $(short "$(tok "$old")")/$own 200 .* mac $MAC " \
	    "old-URL audit line"
	log_has "$PROV_LOG" "$mp" " GET token $(short "$(tok "$new")")/$own 200 .* mac $MAC " \
	    "new-URL audit line"
	log_has "$PROV_LOG" "$mp" "enroll: $MAC rotated ip $(cat "$d/ip"): new URL in use" \
	    "rotated line"
	pb_grep_after "$PROV_LOG" "$mp" "guard: " &&
	    die "the guard: $(tail -n "+$((mp + 1))" "$PROV_LOG" | grep -m 1 'guard: ')"
	expect_refused "$T-$v" "$o.old" "$old$own" 404 rotated \
	    "the old URL from the phone, after"
	expect_state "$MAC" provisioned "after the rotation"
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
	expect_refused "$ns" "$o.none" "$url" 404 client-cert-missing \
	    "the phone without a certificate"
	expect_refused "$ns" "$o.other" "$url" 404 client-cert-mac \
	    "the phone with another MAC's certificate" \
	    --cert "$PB_TMP/dev-other.crt" --key "$PB_TMP/dev-other.key"
	expect_refused "$NS_LAN" "$o.lan" "$url" 404 lease-binding \
	    "the attacker with the phone's certificate" \
	    --cert "$crt.crt" --key "$crt.key"
	# Token classes do not ask for one.
	user_of yealink
	[ "$(fetch "$T-yealink" "$o.tok" \
	    "$(url_of "$USER")$(ph_own_file yealink "$MAC")")" = 200 ] ||
	    die "a token folder wants a client certificate"
	pb_pass
}

# What one storm phone does after the storm's DORA, in the storm's
# namespace: "MAC IP DIR" on the command line. pbprobe -n prints no
# options, so the phone asks again with an INIT-REBOOT for its address
# (RFC 2131 4.3.2) and reads its first-access URL from that ACK's 66;
# then its file through it, and its file again from the URL that file
# pins. DIR/MAC.code: "FA-STATUS PERMANENT-STATUS".
storm_phone_script() {
	cat <<EOF
#!/bin/sh
m=\$1 ip=\$2 o=\$3/\$1 p=\$(echo "\$1" | tr -d :)
"$PROBE" -i "${T}x" -m "\$m" -V yealink -P 1,3,6,66 -T 20000 reboot "\$ip" \\
    >"\$o.dhcp" 2>&1
fa=\$(sed -n 's/^opt66=//p' "\$o.dhcp")
get() {
	curl -sS --max-time 60 --cacert "$PH_CACERT" --interface "\$ip" \\
	    -A "Yealink SIP-T46S 66.86.0.15 \$m" -o "\$2" -w '%{http_code}' \\
	    "\$1" 2>>"\$o.err" || true
}
a=\$(get "\$fa\$p.cfg" "\$o.fa.cfg")
pin=\$(sed -n 's/^static\\.auto_provision\\.server\\.url = //p' "\$o.fa.cfg")
echo "\$fa" >"\$o.urls"
echo "\$pin" >>"\$o.urls"
b=\$(get "\$pin\$p.cfg" "\$o.cfg")
echo "\${a:-000} \${b:-000}" >"\$o.code"
EOF
}

# Power comes back: STORM phones ask DHCP at once, then all fetch their
# files at once, 16 at a time, each as a new phone does: through the
# first-access URL its ACK carries, then from the permanent URL its file
# pins. Every one gets its own address and its own credentials and is
# provisioned.
t_storm() {
	local o=$OUT/storm ns=$NS_STORM ifc=${T}x n dup bad i m mp

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
	storm_phone_script >"$o.sh"
	chmod 755 "$o.sh"
	mkdir -p "$o.d"
	mp=$(pb_lines "$PROV_LOG")
	awk -v d="$o.d" '$1 == "ack" { print $2, $3, d }' "$o.dhcp" |
	    ip netns exec "$ns" timeout 180 xargs -P 16 -L 1 "$o.sh"
	# The devices provisiond moved to provisioned meanwhile.
	pb_wait_for 5 test "$(pb_count_after "$PROV_LOG" "$mp" \
	    "enroll: [0-9a-f:]+ provisioned ")" -ge "$STORM"
	tail -n "+$((mp + 1))" "$PROV_LOG" |
	    sed -nE 's/.*enroll: ([0-9a-f:]+) provisioned .*/\1/p' >"$o.prov"
	# Each phone: both answers 200, two different token folders, its own
	# password from the permanent one, provisioned. One awk over all.
	awk -v tsv="$PB_TMP/storm.tsv" -v prov="$o.prov" '
	FILENAME == tsv { mac[++n] = $1; pw[$1] = $4; next }
	FILENAME == prov { ok[$1] = 1; next }
	{
		m = FILENAME; sub(/.*\//, "", m); sub(/\..*$/, "", m)
		if (FILENAME ~ /\.code$/) code[m] = $0
		else if (FILENAME ~ /\.urls$/) url[m, FNR] = $0
		else if (sub(/^account\.1\.password = /, "")) got[m] = $0
	}
	END {
		re = "/p/[A-Za-z0-9_-]+/$"
		for (i = 1; i <= n; i++) {
			m = mac[i]; why = ""
			if (code[m] != "200 200") why = "answers " code[m]
			else if (url[m, 1] !~ re || url[m, 2] !~ re ||
			    url[m, 1] == url[m, 2]) why = "URLs"
			else if (got[m] != pw[m]) why = "password"
			else if (!ok[m]) why = "not provisioned"
			if (why != "") { bad++; if (!first) first = m " " why }
		}
		printf "%d %d %s\n", bad + 0, n, first
	}' "$PB_TMP/storm.tsv" "$o.prov" "$o.d"/*.code "$o.d"/*.urls \
	    "$o.d"/*:??.cfg >"$o.check"
	read -r bad i m <"$o.check"
	[ "$bad" -eq 0 ] || die "$bad of $i phones not provisioned (the first: $m; $(cat \
	    "$o.d"/*.code | sort | uniq -c | tr '\n' ' '))"
	m=$(head -n 1 "$PB_TMP/storm.tsv" | cut -d ' ' -f 1)
	expect_state "$m" provisioned "the first storm phone"
	m=$(tail -n 1 "$PB_TMP/storm.tsv" | cut -d ' ' -f 1)
	expect_state "$m" provisioned "the last storm phone"
	pb_pass
}

# The daemons stop cleanly; no error, sanitizer report, SIP password or
# full token (users' or first-access) in their logs; no warning but the
# ones the attacker tests provoked and checked (a refused first-access
# URL, a duplicate MAC and the device it made suspect).
t_logs() {
	local bad u t m pw f

	for u in provisiond dhcpd; do
		pb_daemon_stop "$u" || die "$u was not running at the end"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:|\[(warning|error|err|crit|alert|emerg)\]" \
	    "$DHCPD_LOG" "$PROV_LOG" |
	    grep -vE "\[warning\]: (enroll: [0-9a-f:]+ (refused|suspect) ip |DHCPDISCOVER from [0-9a-f:]+ via $BR refused: duplicate MAC: )" |
	    head -n 3)
	[ -z "$bad" ] || die "in the logs: $bad"
	while read -r m _ u _ pw; do
		grep -qF -- "$pw" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "$u's password is in a log"
		t=$(url_of "$u" | grep -oE '[A-Za-z0-9_-]{32}')
		[ -n "$t" ] && grep -qF -- "$t" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "$u's token is in a log"
	done <"$PB_TMP/users.tsv"
	for f in "$PHONES"/*.fa; do
		[ -f "$f" ] || continue
		t=$(tok "$(cat "$f")")
		[ -n "$t" ] && grep -qF -- "$t" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "a first-access token is in a log"
	done
	# The registry holds every password sealed: none in clear in
	# data.mdb, nor a phone's admin password in a log.
	f=$PB_TMP/registry/data.mdb
	[ -s "$f" ] || die "no $f"
	while read -r m _ u _ pw; do
		grep -qaF -- "$pw" "$f" && die "$u's SIP password is in data.mdb"
	done <"$PB_TMP/users.tsv"
	[ "$(wc -l <"$PB_TMP/admins" 2>/dev/null)" -ge 8 ] ||
	    die "fewer admin passwords checked than phones booted"
	while read -r pw; do
		grep -qF -- "$pw" "$DHCPD_LOG" "$PROV_LOG" &&
		    die "a phone's admin password is in a log"
		grep -qaF -- "$pw" "$f" && die "a phone's admin password is in data.mdb"
	done <"$PB_TMP/admins"
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

PB_ONLY='' pb_run enroll-all 60 t_enroll
for v in $PH_VENDORS; do
	pb_run "boot-$v" 60 "t_boot_$v"
done
pb_run boot-cisco-enterprise 60 t_boot_tftp
pb_run boot-pnp 60 t_boot_pnp
pb_run phonebook 60 t_phonebook
pb_run lan-attacker 60 t_attacker
pb_run lan-attacker-dhcp 60 t_dhcp_attacker
pb_run reboot-pinned 60 t_reboot
pb_run factory-reset 60 t_factory
pb_run rotate-pinned 60 t_rotate
pb_run legacy-client-cert 60 t_client_cert
pb_run "storm-$STORM" 200 t_storm
PB_ONLY='' pb_run logs-clean 60 t_logs
pb_finish
