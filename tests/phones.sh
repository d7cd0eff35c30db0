# shellcheck shell=bash
# shellcheck disable=SC2034 # the PH_* variables are read by the callers
# phones.sh - emulated IP phones, one per vendor (sourced, not run).
#
# Used by ./quickstart (the demo) and tests/integration/e2e.sh. A phone is
# what ../shared/VENDORS.md and phones/fingerprints.tsv say the vendor's
# phones do: DHCP with the vendor's Option 60 and Option 55 from a MAC in
# its OUI (tests/tools/pbprobe), then, from the leased address, the HTTPS
# fetches the vendor makes in its order, with its User-Agent (curl).
#
# It also keeps what its own file tells it to keep, as the real ones do
# (etc/templates/README.md, "Pinning"): the URL that file names (Yealink
# static.auto_provision.server.url, snom setting_server, Polycom
# device.prov.serverName, Cisco Profile_Rule, Grandstream P237, Fanvil
# Flash Server IP) goes to its flash, a file in OUTDIR. A phone that
# fetched from another URL than the one it pinned (the first-access URL
# DHCP gave, or an old URL after a rotation) applies the file and fetches
# once more, from the pinned URL. From then on it boots from its flash: it
# still asks DHCP for an address, but no longer where to fetch. A factory
# reset wipes the flash. The legacy vendors (PH_LEGACY: Gigaset and
# Aastra cannot pin) always fetch from the flat folder DHCP names.
#
#   ph_boot NS IFACE VENDOR MAC OUTDIR   DHCP, address, fetches
#   ph_dhcp NS IFACE VENDOR MAC OUTDIR   its first half: DHCP, address
#   ph_provision NS VENDOR MAC OUTDIR    its second half: the fetches
#   ph_factory_reset OUTDIR              wipes the phone's flash
#   ph_report OUTDIR [STATE]             a short readable report of a boot
#
# The caller sets PH_PROBE (pbprobe) and PH_CACERT (the CA phones trust),
# and PH_PREFIX when the LAN is not a /24.
# Each phone is alone in its namespace NS on IFACE, whose MAC is the
# phone's; ph_boot configures the leased address there. What a boot saw
# goes to OUTDIR (every boot starts these afresh; flash.url stays):
#   dhcp             pbprobe's output (type=, yiaddr=, hexN=/optN= lines)
#   ip               the address
#   dhcp.url         the URL the DHCP answer names (empty: none)
#   url, from        where the boot fetched first; "dhcp" or "flash"
#   fetches          "STATUS CONTENT-TYPE NAME" per request, in order
#   files/NAME       each body; .hdr the headers
#   pinned           the URL the phone's own file pins (not legacy)
#   refetches        when that is not where the boot started: the fetches
#   refiles/NAME     from the pinned URL (same formats)
#   sip              "USER PASSWORD" read from the phone's own file
#   flash.url        the phone's flash: the pinned URL, across boots
#   error            why ph_boot failed
# Nothing outside OUTDIR and the namespace is touched.

# The vendors, in the order the demo boots them.
PH_VENDORS="snom yealink polycom cisco grandstream fanvil gigaset aastra"
# The vendors whose phones cannot pin a URL: the legacy classes of the
# shipped etc/vendors.conf, served from the flat folder DHCP names.
PH_LEGACY="gigaset aastra"

# ph_legacy VENDOR: 0 when the vendor's phones cannot pin a URL.
ph_legacy() {
	[[ " $PH_LEGACY " == *" $1 "* ]]
}

# ph_vendor VENDOR: sets PH_OUI (first three bytes of the MAC), PH_V60
# (Option 60), PH_P55 (Option 55), PH_MODEL. Option 60 and 55 are real
# fingerprints where one is known (fingerprints.tsv, VENDORS.md); Fanvil's
# are unconfirmed, so its phone sends its model name and a common list.
ph_vendor() {
	case $1 in
	snom)
		PH_OUI=00:04:13 PH_V60=snomD785 PH_MODEL=D785
		PH_P55=1,3,6,12,15,42,66,67,120 ;;
	yealink)
		PH_OUI=80:5e:c0 PH_V60=yealink PH_MODEL=T46S
		PH_P55=1,2,3,4,6,7,12,15,28,42,66,67,43,120 ;;
	polycom)
		PH_OUI=00:04:f2 PH_V60=Polycom-VVX310 PH_MODEL=VVX310
		PH_P55=128,66,160,43,7,54,42,15,6,4,3,2,1 ;;
	cisco)
		PH_OUI=00:56:2b PH_V60=CP-7841-3PCC PH_MODEL=CP-7841
		PH_P55=1,3,6,15,35,66,150,2,7,42,43,58,59,159,160 ;;
	grandstream)
		PH_OUI=c0:74:ad PH_V60="Grandstream GXP1405 dslforum.org"
		PH_MODEL=GXP1405 PH_P55=1,3,6,12,15,28,43,125 ;;
	fanvil)
		PH_OUI=0c:38:3e PH_V60="Fanvil X4" PH_MODEL=X4
		PH_P55=1,3,6,15,42,43,66 ;;
	gigaset)
		PH_OUI=7c:2f:80 PH_V60=Gigaset_N720_DM_PRO PH_MODEL=N720
		PH_P55=1,3,6,15,120,114,125 ;;
	aastra)
		PH_OUI=00:08:5d PH_V60=AastraIPPhone6737i PH_MODEL=6737i
		PH_P55=1,3,6,42,43,66,159,160 ;;
	*)
		return 1 ;;
	esac
}

# ph_mac_plain [-u] MAC: 00:04:13:20:00:02 -> 000413200002 (-u: upper).
ph_mac_plain() {
	if [ "$1" = -u ]; then
		tr -d : <<<"$2" | tr 'a-f' 'A-F'
	else
		tr -d : <<<"$1" | tr 'A-F' 'a-f'
	fi
}

# ph_user_agent VENDOR MAC: the User-Agent the vendor's phones send.
ph_user_agent() {
	local m u

	m=$(ph_mac_plain "$2")
	u=$(ph_mac_plain -u "$2")
	case $1 in
	snom) echo "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 $u SXM:0 UXM:0)" ;;
	yealink) echo "Yealink SIP-T46S 66.86.0.15 $2" ;;
	polycom) echo "FileTransport PolycomVVX-VVX_310-UA/5.9.0.9373 Type/Application" ;;
	cisco) echo "Cisco-CP-7841-3PCC/11.3.1 ($m)" ;;
	grandstream) echo "Grandstream Model HW GXP1405 SW 1.0.8.6 DevId $m" ;;
	fanvil) echo "Fanvil X4 2.10.2.6887 $m" ;;
	gigaset) echo "Gigaset N720 DM PRO/70.089.00.000.000;$u" ;;
	aastra) echo "Aastra6737i MAC:$(sed 's/:/-/g' <<<"${2^^}") V:3.3.1.4305-SIP" ;;
	esac
}

# ph_files VENDOR MAC: the files the phone asks for, in its order, one per
# line; a leading "?" marks a name provbox deliberately does not serve
# (etc/templates/README.md), which the phone skips on a 404.
ph_files() {
	local m u

	m=$(ph_mac_plain "$2")
	u=$(ph_mac_plain -u "$2")
	case $1 in
	snom) printf '%s\n' snomD785.htm snomD785.xml "snomD785-$u.htm" "$u.xml" ;;
	yealink) printf '%s\n' "$m.boot" y000000000066.cfg "$m.cfg" "?$m-local.cfg" ;;
	# The per-phone master <mac>.cfg takes the place of 000000000000.cfg;
	# without a <mac>-directory.xml the phone takes the default one.
	polycom) printf '%s\n' "$m.cfg" "$m-phone.cfg" "?$m-license.cfg" \
	    "?$m-directory.xml" 000000000000-directory.xml ;;
	cisco) printf '%s\n' CP-7841-3PCC.xml "$m.xml" ;;
	grandstream) printf '%s\n' "?cfg$m" "cfg$m.xml" cfgGXP1405.xml cfg.xml ;;
	fanvil) printf '%s\n' f0X4hw1.100.cfg "$m.cfg" ;;
	gigaset) printf '%s\n' "$u.xml" ;;
	aastra) printf '%s\n' aastra.cfg 6737i.cfg "$u.cfg" ;;
	esac
}

# ph_own_file VENDOR MAC: the phone's own file (the one with its password).
ph_own_file() {
	local m u

	m=$(ph_mac_plain "$2")
	u=$(ph_mac_plain -u "$2")
	case $1 in
	snom) echo "$u.xml" ;;
	yealink|fanvil) echo "$m.cfg" ;;
	polycom) echo "$m-phone.cfg" ;;
	cisco) echo "$m.xml" ;;
	grandstream) echo "cfg$m.xml" ;;
	gigaset) echo "$u.xml" ;;
	aastra) echo "$u.cfg" ;;
	esac
}

# ph_options VENDOR: the DHCP options the vendor's class is given in the
# default etc/vendors.conf (what the tests expect in the ACK).
ph_options() {
	case $1 in
	snom) echo "66 67 43" ;;
	yealink|grandstream|fanvil) echo 66 ;;
	polycom) echo "160 66" ;;
	cisco) echo "66 150" ;;
	gigaset) echo "114 66" ;;
	aastra) echo "43 66" ;;
	esac
}

# ph_unhex HEX: the bytes as text.
ph_unhex() {
	local h=$1 out='' i

	for ((i = 0; i < ${#h}; i += 2)); do
		out+="\\x${h:i:2}"
	done
	printf '%b' "$out"
}

# ph_sub HEX CODE: sub-option CODE of an encapsulated option, as hex.
ph_sub() {
	local h=$1 i=0 c l

	while [ $((i + 4)) -le ${#h} ]; do
		c=$((16#${h:i:2}))
		l=$((16#${h:i+2:2}))
		if [ "$c" -eq "$2" ]; then
			echo "${h:i+4:l*2}"
			return 0
		fi
		i=$((i + 4 + l * 2))
	done
	return 1
}

# ph_opt DHCP_OUT CODE: option CODE of the answer as text (empty if none).
ph_opt() {
	ph_unhex "$(sed -n "s/^hex$2=//p" "$1" | head -n 1)"
}

# ph_url VENDOR DHCP_OUT: the folder the phone fetches from, read from the
# options the vendor prefers (VENDORS.md): snom 43 (66 + 67) over 66 + 67,
# Polycom 160 over 66, Gigaset 114 over 66, Aastra 43.2 over 66; Cisco's
# 150 is a TFTP server, so the HTTPS phone takes 66.
ph_url() {
	local v=$1 o=$2 h43 a b u=''

	h43=$(sed -n 's/^hex43=//p' "$o" | head -n 1)
	case $v in
	snom)
		if [ -n "$h43" ] && a=$(ph_sub "$h43" 66) &&
		    b=$(ph_sub "$h43" 67); then
			u="$(ph_unhex "$a")/$(ph_unhex "$b")"
		elif [ -n "$(ph_opt "$o" 66)" ]; then
			u="$(ph_opt "$o" 66)/$(ph_opt "$o" 67)"
		fi
		# The settings URL names the model file: its folder is the
		# phone's.
		[ -n "$u" ] && u=${u%/*}/ ;;
	polycom) u=$(ph_opt "$o" 160); [ -n "$u" ] || u=$(ph_opt "$o" 66) ;;
	gigaset) u=$(ph_opt "$o" 114); [ -n "$u" ] || u=$(ph_opt "$o" 66) ;;
	aastra)
		[ -n "$h43" ] && a=$(ph_sub "$h43" 2) && u=$(ph_unhex "$a")
		[ -n "$u" ] || u=$(ph_opt "$o" 66) ;;
	*) u=$(ph_opt "$o" 66) ;;
	esac
	case $u in
	'') return 1 ;;
	*/) echo "$u" ;;
	*) echo "$u/" ;;
	esac
}

# ph_settings VENDOR FILE: the named settings (issue 14) a phone's own
# file carries, in the vendor's syntax, as "name=value" lines: accounts
# (how many carry a password), admin (the web admin password), tz (the
# vendor's main time-zone value), ntp (the first server), lang (the
# vendor's word for the language), vlan (the voice VLAN ID), blf (how
# many BLF keys), fw (the firmware URL or file), cloud (off when the
# file turns the vendor's cloud or redirection off), sync (the value of
# the setting that limits who may trigger a check-sync / resync NOTIFY,
# etc/templates/README.md "check-sync"). "-" where the file says nothing.
ph_settings() {
	local v=$1 f=$2 acc=0 admin='' tz='' ntp='' lang='' vlan='' blf=0 \
	    fw='' cloud='' sync=''

	_first() { sed -n "$1" "$f" | head -n 1; }
	case $v in
	yealink)
		acc=$(grep -c '^account\.[0-9]*\.password = .' "$f")
		admin=$(_first 's/^static\.security\.user_password = admin://p')
		tz=$(_first 's/^local_time\.time_zone = //p')
		ntp=$(_first 's/^local_time\.ntp_server1 = //p')
		lang=$(_first 's/^lang\.gui = //p')
		vlan=$(_first 's/^static\.network\.vlan\.internet_port_vid = //p')
		blf=$(grep -c '^linekey\.[0-9]*\.type = 16$' "$f")
		fw=$(_first 's/^static\.firmware\.url = //p')
		sync=$(_first 's/^sip\.trust_ctrl = //p') ;;
	snom)
		acc=$(grep -c '<user_pass idx="[0-9]*" perm="R">[^<]' "$f")
		admin=$(_first 's/.*<admin_mode_password perm="R">\([^<]*\)<.*/\1/p')
		tz=$(_first 's/.*<timezone perm="R">\([^<]*\)<.*/\1/p')
		ntp=$(_first 's/.*<ntp_server perm="R">\([^<]*\)<.*/\1/p')
		lang=$(_first 's/.*<language perm="R">\([^<]*\)<.*/\1/p')
		vlan=$(_first 's/.*<vlan_id perm="R">\([^<]*\)<.*/\1/p')
		# The firmware settings file that holds the image URL.
		fw=$(_first 's/.*<firmware_status perm="R">\([^<]*\)<.*/\1/p')
		blf=$(grep -c 'perm="R">blf sip:' "$f")
		sync=$(_first 's/.*<challenge_checksync perm="R">\([^<]*\)<.*/\1/p')
		# The redirection service (SRAPS) left out of the order.
		grep -q '<provisioning_order perm="R">' "$f" &&
		    ! grep -q '<provisioning_order perm="R">[^<]*redirection' \
		    "$f" && cloud=off ;;
	polycom)
		# <mac>-phone.cfg; fw only from the per-phone master file
		# <mac>.cfg (APP_FILE_PATH, "sip.ld" being the default).
		acc=$(grep -c 'reg\.[0-9]*\.auth\.password="[^"]' "$f")
		admin=$(_first 's/.*device\.auth\.localAdminPassword="\([^"]*\)".*/\1/p')
		tz=$(_first 's/.*tcpIpApp\.sntp\.gmtOffset="\([^"]*\)".*/\1/p')
		ntp=$(_first 's/.*tcpIpApp\.sntp\.address="\([^"]*\)".*/\1/p')
		lang=$(_first 's/.*lcl\.ml\.lang="\([^"]*\)".*/\1/p')
		vlan=$(_first 's/.*device\.net\.vlanId="\([^"]*\)".*/\1/p')
		blf=$(grep -c 'attendant\.resourceList\.[0-9]*\.type="normal"' "$f")
		fw=$(_first 's/.*APP_FILE_PATH="\([^"]*\)".*/\1/p')
		[ "$fw" = sip.ld ] && fw=''
		sync=$(_first 's/.*voIpProt\.SIP\.requestValidation\.1\.method="\([^"]*\)".*/\1/p')
		grep -q 'device\.prov\.ztpEnabled="0"' "$f" && cloud=off ;;
	cisco)
		acc=$(grep -c '<Password_[0-9]*_>[^<]' "$f")
		admin=$(_first 's/.*<Admin_Password>\([^<]*\)<.*/\1/p')
		tz=$(_first 's/.*<Time_Zone>\([^<]*\)<.*/\1/p')
		ntp=$(_first 's/.*<Primary_NTP_Server>\([^<]*\)<.*/\1/p')
		lang=$(_first 's/.*<Language_Selection>\([^<]*\)<.*/\1/p')
		grep -q '<Enable_VLAN>Yes<' "$f" &&
		    vlan=$(_first 's/.*<VLAN_ID>\([^<]*\)<.*/\1/p')
		blf=$(grep -c '<Extended_Function_[0-9]*_>fnc=blf' "$f")
		fw=$(_first 's/.*<Upgrade_Rule>\([^<]*\)<.*/\1/p')
		grep -q '<Resync_From_SIP>Yes<' "$f" &&
		    sync=$(_first 's/.*<Auth_Resync-Reboot_1_>\([^<]*\)<.*/\1/p') ;;
	grandstream)
		# Account 1's password is P34, accounts 2-6' P406 .. P1806.
		acc=$(grep -cE '<P(34|(4|5|6|17|18)06)>[^<]' "$f")
		# BLF keys 1-7: mode 1 at P323..P329.
		blf=$(grep -cE '<P32[3-9]>1</P32[3-9]>' "$f")
		admin=$(_first 's/.*<P2>\([^<]*\)<.*/\1/p')
		tz=$(_first 's/.*<P246>\([^<]*\)<.*/\1/p')
		ntp=$(_first 's/.*<P30>\([^<]*\)<.*/\1/p')
		lang=$(_first 's/.*<P1362>\([^<]*\)<.*/\1/p')
		vlan=$(_first 's/.*<P51>\([^<]*\)<.*/\1/p')
		fw=$(_first 's/.*<P192>\([^<]*\)<.*/\1/p')
		# TR-069, over which GDMS manages the phone, off.
		grep -q '<P1409>0<' "$f" && cloud=off ;;
	fanvil)
		acc=$(grep -c '^SIP[0-9]* Register Pswd *:.' "$f")
		admin=$(_first 's/^Account1 Password *://p')
		tz=$(_first 's/^Time Zone *://p')
		ntp=$(_first 's/^SNTP Server *://p')
		lang=$(_first 's/^Language *://p')
		vlan=$(_first 's/^VLAN ID *://p')
		# A memory key (type 1) whose value is a BLF: NUMBER@LINE/b...
		blf=$(grep -c '^Fkey[0-9]* Value *:[^@]*@[0-9]*/b' "$f")
		fw=$(_first 's/^Auto Image URL *://p')
		grep -q '^FDPS Enable *:0$' "$f" && cloud=off ;;
	gigaset)
		acc=$(grep -c "aucS_SIP_PASSWORD\[0\]\" class=\"symb_item\" value='\"[^\"]" "$f")
		[ "$acc" -gt 0 ] ||
		    acc=$(grep -c 'SipAccount\.[0-9]*\.AuthPassword" value="[^"]' "$f")
		ntp=$(_first "s/.*aucS_TIME_NTP_SERVER\[%\]\" class=\"symb_item\" value='\"\([^\"]*\)\"'.*/\1/p")
		admin=$(_first "s/.*\"BS_CUSTOM\.WebUIPassword\" class=\"symb_item\" value='\"\([^\"]*\)\"'.*/\1/p")
		# The N870 format.
		[ -n "$ntp" ] ||
		    ntp=$(_first 's/.*"DmGlobal\.0\.NtpServer" value="\([^"]*\)".*/\1/p')
		[ -n "$admin" ] ||
		    admin=$(_first 's/.*"WebUIAccounts\.1\.Password" value="\([^"]*\)".*/\1/p')
		tz=$(_first 's/.*"DmGlobal\.0\.TimeZone" value="\([^"]*\)".*/\1/p')
		# N510/N720: the VLAN ID is a hex number.
		if grep -q 'VLAN_ENABLED" class="symb_item" value="1"' "$f"; then
			vlan=$(_first 's/.*uiI_VLAN_ID" class="symb_item" value="\(0x[0-9a-fA-F]*\)".*/\1/p')
			if [ -n "$vlan" ]; then vlan=$((vlan)); fi
		fi ;;
	aastra)
		acc=$(grep -c '^sip line[0-9]* password: .' "$f")
		admin=$(_first 's/^admin password: //p')
		tz=$(_first 's/^time zone minutes: //p')
		ntp=$(_first 's/^time server1: //p')
		lang=$(_first 's/^language 1: //p')
		vlan=$(_first 's/^vlan id: //p')
		blf=$(grep -c '^softkey[0-9]* type: blf$' "$f")
		sync=$(_first 's/^sip whitelist: //p')
		grep -qx 'contact rcs: 0' "$f" && cloud=off ;;
	esac
	unset -f _first
	printf 'accounts=%s\nadmin=%s\ntz=%s\nntp=%s\nlang=%s\nvlan=%s\nblf=%s\nfw=%s\ncloud=%s\nsync=%s\n' \
	    "$acc" "${admin:--}" "${tz:--}" "${ntp:--}" "${lang:--}" \
	    "${vlan:--}" "$blf" "${fw:--}" "${cloud:--}" "${sync:--}"
}

# ph_sip VENDOR FILE: "USER PASSWORD" of account 1 in the phone's own file.
ph_sip() {
	local f=$2 u p

	case $1 in
	snom)
		u=$(sed -n 's/.*<user_name idx="1"[^>]*>\([^<]*\)<.*/\1/p' "$f")
		p=$(sed -n 's/.*<user_pass idx="1"[^>]*>\([^<]*\)<.*/\1/p' "$f") ;;
	yealink)
		u=$(sed -n 's/^account\.1\.user_name = //p' "$f")
		p=$(sed -n 's/^account\.1\.password = //p' "$f") ;;
	polycom)
		u=$(sed -n 's/.*reg\.1\.address="\([^"]*\)".*/\1/p' "$f")
		p=$(sed -n 's/.*reg\.1\.auth\.password="\([^"]*\)".*/\1/p' "$f") ;;
	cisco)
		u=$(sed -n 's/.*<User_ID_1_>\([^<]*\)<.*/\1/p' "$f")
		p=$(sed -n 's/.*<Password_1_>\([^<]*\)<.*/\1/p' "$f") ;;
	grandstream)
		u=$(sed -n 's/.*<P35>\([^<]*\)<.*/\1/p' "$f")
		p=$(sed -n 's/.*<P34>\([^<]*\)<.*/\1/p' "$f") ;;
	fanvil)
		u=$(sed -n 's/^SIP1 Register User *://p' "$f")
		p=$(sed -n 's/^SIP1 Register Pswd *://p' "$f") ;;
	gigaset)
		# The N870 format, or the N510/N720 ProviderFrame one.
		u=$(sed -n 's/.*"SipAccount\.00001\.UserName" value="\([^"]*\)".*/\1/p' "$f")
		p=$(sed -n 's/.*"SipAccount\.00001\.AuthPassword" value="\([^"]*\)".*/\1/p' "$f")
		if [ -z "$u" ]; then
			u=$(sed -n "s/.*astVoipAccounts\[0\]\.aucS_SIP_USER_ID\[0\]\" class=\"symb_item\" value='\"\([^\"]*\)\"'.*/\1/p" "$f")
			p=$(sed -n "s/.*astVoipAccounts\[0\]\.aucS_SIP_PASSWORD\[0\]\" class=\"symb_item\" value='\"\([^\"]*\)\"'.*/\1/p" "$f")
		fi ;;
	aastra)
		u=$(sed -n 's/^sip line1 user name: //p' "$f")
		p=$(sed -n 's/^sip line1 password: //p' "$f") ;;
	esac
	[ -n "$u" ] || return 1
	printf '%s %s\n' "$(head -n 1 <<<"$u")" "$(head -n 1 <<<"$p")"
}

# ph_class LOG MAC: "class, user" from the DHCP server's last ACK to MAC
# ("DHCPACK 10.42.0.101 to 80:5e:c0:10:00:01 (yealink, alice) via ...").
ph_class() {
	grep -E "DHCPACK [0-9.]+ to $2 \(" "$1" 2>/dev/null | tail -n 1 |
	    sed -E 's/.* to [0-9a-f:]+ \(([^)]*)\).*/\1/'
}

# ph_short_url URL: the URL with its token shortened as provboxctl shows
# tokens: the first 4 characters and "...(32)".
ph_short_url() {
	sed -E 's#/p/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{28}/#/p/\1...(32)/#' <<<"$1"
}

# ph_fetch NS VENDOR MAC URL OUT [CURL_ARGS...]: one GET as the phone;
# OUT gets the body, OUT.hdr the headers; prints "STATUS CONTENT-TYPE".
ph_fetch() {
	local ns=$1 v=$2 mac=$3 url=$4 out=$5 code ct

	shift 5
	code=$(ip netns exec "$ns" timeout 20 curl -sS --max-time 15 \
	    --cacert "$PH_CACERT" -A "$(ph_user_agent "$v" "$mac")" \
	    -D "$out.hdr" -o "$out" -w '%{http_code}' "$@" "$url" \
	    2>"$out.err") || true
	[ -n "$code" ] || code=000
	ct=$(tr -d '\r' <"$out.hdr" 2>/dev/null |
	    sed -n 's/^content-type: *//Ip' | tail -n 1)
	echo "$code ${ct:--}"
}

# ph_pinned VENDOR FILE MAC: the provisioning URL the phone's own file
# tells it to keep (etc/templates/README.md, "Pinning"), as the phone
# uses it: a folder (ending in /), or, for snom's setting_server and
# Cisco's Profile_Rule, the URL of its own file (Cisco's $MA filled in
# with the MAC). 1 when the file pins nothing (and for legacy vendors,
# which cannot pin).
ph_pinned() {
	local v=$1 f=$2 u=''

	case $v in
	snom) u=$(sed -n 's/.*<setting_server[^>]*>\([^<]*\)<.*/\1/p' "$f") ;;
	yealink) u=$(sed -n 's/^static\.auto_provision\.server\.url = //p' "$f") ;;
	polycom) u=$(sed -n 's/.*device\.prov\.serverName="\([^"]*\)".*/\1/p' "$f") ;;
	cisco)
		u=$(sed -n 's/.*<Profile_Rule>\([^<]*\)<.*/\1/p' "$f")
		u=${u//\$MA/$(ph_mac_plain "$3")} ;;
	grandstream) u=$(sed -n 's/.*<P237>\([^<]*\)<.*/\1/p' "$f") ;;
	fanvil) u=$(sed -n 's/^Flash Server IP *://p' "$f") ;;
	esac
	u=$(head -n 1 <<<"$u" | tr -d '\r')
	case $u in
	https://*) echo "$u" ;;
	*) return 1 ;;
	esac
}

# ph_pass NS VENDOR MAC URL LIST DIR [CURL_ARGS...]: one round of fetches
# from URL: a folder gets the vendor's files in its order, a file URL
# (what snom and Cisco pin) that file. "STATUS CONTENT-TYPE NAME" lines
# go to LIST, the bodies to DIR/NAME.
ph_pass() {
	local ns=$1 v=$2 mac=$3 url=$4 list=$5 dir=$6 f opt st

	shift 6
	mkdir -p "$dir"
	: >"$list"
	if [ "${url%/}" = "$url" ]; then
		f=${url##*/}
		st=$(ph_fetch "$ns" "$v" "$mac" "$url" "$dir/$f" "$@")
		echo "$st $f" >>"$list"
		return 0
	fi
	while read -r f; do
		opt=
		if [ "${f#\?}" != "$f" ]; then
			opt='?'
			f=${f#\?}
		fi
		st=$(ph_fetch "$ns" "$v" "$mac" "$url$f" "$dir/$f" "$@")
		echo "$st $opt$f" >>"$list"
	done < <(ph_files "$v" "$mac")
}

# ph_dhcp NS IFACE VENDOR MAC OUTDIR: the first half of a boot: DORA
# (broadcast, as a phone without an address), the address on IFACE, and
# the URL the answer names, if any (dhcp.url). 0 when it got an address.
ph_dhcp() {
	local ns=$1 ifc=$2 v=$3 mac=$4 d=$5 ip

	ph_vendor "$v" || return 1
	mkdir -p "$d" || return 1
	rm -rf "$d/files" "$d/refiles"
	rm -f "$d/dhcp" "$d/dhcp.url" "$d/ip" "$d/url" "$d/from" \
	    "$d/fetches" "$d/refetches" "$d/pinned" "$d/sip" "$d/error"
	echo "$v" >"$d/vendor"
	echo "$mac" >"$d/mac"
	ip netns exec "$ns" timeout 30 "$PH_PROBE" -i "$ifc" -m "$mac" \
	    -V "$PH_V60" -P "$PH_P55" dora >"$d/dhcp" 2>"$d/dhcp.err" || true
	ip=$(sed -n 's/^yiaddr=//p' "$d/dhcp")
	if ! grep -q '^type=ACK' "$d/dhcp" || [ -z "$ip" ]; then
		echo "no DHCP ACK: $(head -n 1 "$d/dhcp" "$d/dhcp.err" |
		    tr '\n' ' ')" >"$d/error"
		return 1
	fi
	echo "$ip" >"$d/ip"
	ip -n "$ns" -4 addr flush dev "$ifc"
	ip -n "$ns" addr add "$ip/${PH_PREFIX:-24}" dev "$ifc" || return 1
	ph_url "$v" "$d/dhcp" >"$d/dhcp.url" || : >"$d/dhcp.url"
	return 0
}

# ph_provision NS VENDOR MAC OUTDIR [CURL_ARGS...]: the second half: the
# fetches, from the URL in flash if the phone pinned one, else from the
# one DHCP gave; then, if its own file pins another URL, that URL goes to
# flash and the phone fetches again from it. 0 when its own file was
# served (in the last round) and holds a SIP account. CURL_ARGS (a client
# certificate, say) go to every fetch.
ph_provision() {
	local ns=$1 v=$2 mac=$3 d=$4 url from own pin list=fetches dir=files

	shift 4
	own=$(ph_own_file "$v" "$mac")
	if ! ph_legacy "$v" && [ -s "$d/flash.url" ]; then
		url=$(cat "$d/flash.url")
		from=flash
	else
		url=$(cat "$d/dhcp.url" 2>/dev/null)
		from=dhcp
	fi
	if [ -z "$url" ]; then
		echo "no provisioning URL in the DHCP answer, none in flash" \
		    >"$d/error"
		return 1
	fi
	echo "$url" >"$d/url"
	echo "$from" >"$d/from"
	ph_pass "$ns" "$v" "$mac" "$url" "$d/fetches" "$d/files" "$@"
	if ! ph_legacy "$v" && grep -q "^200 [^ ]* $own\$" "$d/fetches" &&
	    pin=$(ph_pinned "$v" "$d/files/$own" "$mac"); then
		echo "$pin" >"$d/pinned"
		echo "$pin" >"$d/flash.url"
		if [ "$pin" != "$url" ]; then
			list=refetches
			dir=refiles
			ph_pass "$ns" "$v" "$mac" "$pin" "$d/refetches" \
			    "$d/refiles" "$@"
		fi
	fi
	if ! grep -q "^200 [^ ]* $own\$" "$d/$list"; then
		echo "its own file $own was not served ($(awk -v f="$own" \
		    '$3 == f { print $1 }' "$d/$list"))" >"$d/error"
		return 1
	fi
	if ! ph_legacy "$v" && [ ! -s "$d/pinned" ]; then
		echo "its own file $own pins no provisioning URL" >"$d/error"
		return 1
	fi
	ph_sip "$v" "$d/$dir/$own" >"$d/sip" || {
		echo "no SIP account in $own" >"$d/error"
		return 1
	}
	return 0
}

# ph_boot NS IFACE VENDOR MAC OUTDIR [CURL_ARGS...]: boots the phone:
# ph_dhcp, then ph_provision. 0 when it got an address, a URL and its own
# file.
ph_boot() {
	local ns=$1 ifc=$2 v=$3 mac=$4 d=$5

	shift 5
	ph_dhcp "$ns" "$ifc" "$v" "$mac" "$d" &&
	    ph_provision "$ns" "$v" "$mac" "$d" "$@"
}

# ph_factory_reset OUTDIR: the phone forgets the URL it pinned.
ph_factory_reset() {
	rm -f "$1/flash.url"
}

# ph_report_fetches LIST: the lines of one round of fetches.
ph_report_fetches() {
	local st ct f tag

	while read -r st ct f; do
		tag=
		case $f in
		\?*) f=${f#\?}; [ "$st" = 404 ] && tag=" (not served on purpose)" ;;
		esac
		printf '  %-4s %-26s %s%s\n' "$st" "$f" "$ct" "$tag"
	done <"$1"
}

# ph_report OUTDIR [STATE]: what a boot saw, for people; STATE is the
# caller's word on the device's enrollment ("new -> enrolling ->
# provisioned"), shown as it is.
ph_report() {
	local d=$1 state=${2:-} v mac user pw from how

	v=$(cat "$d/vendor")
	mac=$(cat "$d/mac")
	ph_vendor "$v"
	printf '%s phone %s (Option 60 "%s")\n' "$v" "$mac" "$PH_V60"
	if [ ! -s "$d/ip" ]; then
		printf '  FAILED: %s\n' "$(cat "$d/error" 2>/dev/null)"
		[ -z "$state" ] || printf '  state     %s\n' "$state"
		return 1
	fi
	printf '  address   %s, class %s\n' "$(cat "$d/ip")" \
	    "$(sed 's/, /, user /' "$d/class" 2>/dev/null || echo '?')"
	if [ ! -s "$d/url" ]; then
		printf '  FAILED: %s\n' "$(cat "$d/error" 2>/dev/null)"
		[ -z "$state" ] || printf '  state     %s\n' "$state"
		return 1
	fi
	from=$(cat "$d/from" 2>/dev/null)
	case $from in
	flash) how="from its flash" ;;
	*) how="from DHCP" ;;
	esac
	ph_legacy "$v" && how="$how; legacy: nothing to pin"
	printf '  URL       %s (%s)\n' "$(ph_short_url "$(cat "$d/url")")" "$how"
	ph_report_fetches "$d/fetches"
	if [ -s "$d/pinned" ]; then
		if [ -s "$d/refetches" ]; then
			printf '  pinned    %s (to flash; fetched again)\n' \
			    "$(ph_short_url "$(cat "$d/pinned")")"
			ph_report_fetches "$d/refetches"
		else
			printf '  pinned    %s (as in flash)\n' \
			    "$(ph_short_url "$(cat "$d/pinned")")"
		fi
	fi
	if read -r user pw <"$d/sip" 2>/dev/null && [ -n "$user" ]; then
		printf '  SIP user  %s, password %s (masked, %d characters)\n' \
		    "$user" "$(printf '%*s' "${#pw}" '' | tr ' ' '*')" "${#pw}"
	else
		printf '  FAILED: %s\n' "$(cat "$d/error" 2>/dev/null)"
		[ -z "$state" ] || printf '  state     %s\n' "$state"
		return 1
	fi
	[ -z "$state" ] || printf '  state     %s\n' "$state"
	return 0
}
