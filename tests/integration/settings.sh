#!/usr/bin/env bash
# settings.sh - phone settings (issue #14) end to end: what a phone finds
# in its own file, and a reload that a broken template must not split.
#
#   sudo bash tests/integration/settings.sh [BUILD_DIR [RESULTS_FILE]]
#
#   $T-c1: ${T}c1, Yealink T46S 80:5e:c0:47:00:01, lease by pbprobe --+
#   $T-c2: ${T}c2, another host, 10.47.0.20, no lease               --+
#                                                                       |
#   $T-srv: bridge ${T}br 10.47.0.1/24; provbox-dhcpd and provbox-provisiond
#           (HTTPS 10.47.0.1:443) with -f on one registry and one run_dir
#
# The config is the shipped vendors.conf and templates (pb_conf_tree) with
# settings at every scope: defaults in provbox.conf (timezone
# Europe/Berlin, language en, tone DE), the yealink class (voice_vlan 30)
# and its model T46S (voice_vlan 20), the user (tone US, an admin
# password, a line key on account 2) and the device (another admin
# password). The user has two SIP accounts (sip and one accounts entry).
# The shipped Yealink template writes neither a voice VLAN nor a language,
# so one extra file rule of the class, ${mac}-settings.txt from the suite's
# own template, shows those two merged values.
#
# Tests (each prints "PASS name" or "FAIL name: reason"; the last line is
# "settings-integration: N passed, N failed", RESULTS_FILE gets
# "settings-integration PASSED FAILED"):
#   start            both daemons start on the config
#   lease            the phone enrolled (provboxctl enroll): its DORA's ACK
#                    (class yealink, its user) carries a first-access URL
#   other-host       that URL from an address without the phone's lease:
#                    404 (refused first-access-lease), no password in it
#   own-file         the phone's file through the first-access URL, then
#                    through the URL the file pins: both accounts with their
#                    passwords, the line key on account 2, time zone +1 with
#                    DST (defaults), the user's tone zone, the device's
#                    admin password (not the user's), the model's VLAN (not
#                    the class's), no blank line, no tag left; then the used
#                    first-access URL from the other host: 404, no password
#   reload-broken    {{settings.lang}} put into the Yealink template:
#                    provboxctl reload fails naming file:line, both daemons
#                    keep their PIDs and the old config (the same file
#                    served, a DHCP ACK, no reload applied); provboxctl
#                    check, provbox-dhcpd -t and provbox-provisiond -t refuse
#                    it with the same file:line
#   key-account      a key on account 3 of a user with 2: check refuses it
#                    naming the device's MAC and its user
#   reload-fixed     the template restored, language en -> de and timezone
#                    Europe/Berlin -> America/New_York: reload applied, the
#                    next fetch shows the new values
#   logs-clean       both daemons stop on SIGTERM; no sanitizer report, no
#                    password in either log
#
# Exit 0 if all passed, 1 if not, 77 if not root or a tool is missing.
# PB_ONLY="name ..." and PB_KEEP=1 as in lib.sh.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by pb_need_tools
PB_TOOLS="curl=curl openssl=openssl jq=jq ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" settings-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_PH=$T-c1
NS_OT=$T-c2
BR=${T}br
IF_PH=${T}c1
IF_OT=${T}c2
SRV_IP=10.47.0.1
OT_IP=10.47.0.20
PROVD=$PB_BUILD/provbox-provisiond

MAC=80:5e:c0:47:00:01		# Yealink OUI, class yealink (token)
MACP=805ec0470001		# its file names
USER_NAME=ulla
PW_SIP1=ulla-Sip1-Pw-4701	# account 1 (the user's sip)
PW_SIP2=ulla-Sip2-Pw-4702	# account 2 (accounts entry)
PW_ADM_USER=ulla-UserAdm-4703	# the user's admin password (overridden)
PW_ADM_DEV=ulla-DevAdm-4704	# the device's admin password
ALL_PW="$PW_SIP1 $PW_SIP2 $PW_ADM_USER $PW_ADM_DEV"

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
TMPL=$CONF_DIR/templates/yealink/device.cfg
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

# write_main TIMEZONE LANGUAGE: provbox.conf with the default settings.
write_main() {
	pb_conf_simple "$CONF" 10.47.0 "$SRV_IP" "$REG" "$RUN" "" info \
	    "" "settings = {
  timezone = \"$1\";
  language = \"$2\";
  tone_zone = \"DE\";
  date_format = \"dmy\";
  time_format = \"24\";
};"
}

# write_vendors: the shipped vendors.conf; its yealink class gets class
# and model settings and one more file rule (the suite's template).
write_vendors() {
	local v=$CONF_DIR/vendors.conf

	awk '
	/name = "yealink";/ { y = 1 }
	y && /mode = "token";/ {
		print
		print "    settings = { voice_vlan = 30; };"
		print "    models = ( { name = \"t46s\"; settings = { voice_vlan = 20; }; } );"
		next
	}
	y && /name = "\$\{mac\}\.boot"/ {
		print "      { name = \"${mac}-settings.txt\"; template = \"settings-probe.txt\"; },"
		y = 0
	}
	{ print }' "$v" >"$v.new" && mv "$v.new" "$v" || return 1
	if ! grep -q 'voice_vlan = 30' "$v" || ! grep -q 'settings-probe' "$v"
	then
		echo "the yealink class of vendors.conf was not found" >&2
		return 1
	fi
	cat >"$CONF_DIR/templates/settings-probe.txt" <<'EOF'
{{#if settings.voice_vlan}}
vlan={{settings.voice_vlan}}
{{/if}}
language={{settings.language}}
EOF
}

# write_users KEY_ACCOUNT: one user with two accounts and one phone; the
# user's line key uses account KEY_ACCOUNT.
write_users() {
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "$USER_NAME"; display_name = "Ulla Settings";
    sip = { user = "471"; password = "$PW_SIP1"; server = "$SRV_IP"; };
    accounts = (
      { user = "472"; password = "$PW_SIP2"; server = "$SRV_IP";
        label = "Hotline"; display_name = "Ulla Hotline"; }
    );
    settings = {
      tone_zone = "US";
      admin_password = "$PW_ADM_USER";
      keys = ( { type = "line"; label = "Hotline"; account = $1; } );
    };
    devices = (
      { mac = "$MAC"; vendor = "yealink"; model = "T46S";
        settings = { admin_password = "$PW_ADM_DEV"; }; }
    ); }
);
EOF
}

write_config() {
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	mkdir -p "$RUN" "$REG" && chmod 700 "$RUN" "$REG" || return 1
	write_main Europe/Berlin en && write_vendors && write_users 2
}

# ----------------------------------------------------------------- network

setup_network() {
	pb_bridge "$NS_SRV" "$BR" "$SRV_IP/24" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_PH" "$IF_PH" "$MAC" &&
	    pb_bridge_port "$NS_SRV" "$BR" "$NS_OT" "$IF_OT" \
	    02:00:00:47:00:20 &&
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

# fetch NS OUT URL: curl in NS, trusting the suite's server certificate;
# OUT.code the status ("000": no answer), OUT.body, OUT.err.
fetch() {
	pb_fetch "$1" "$CONF_DIR/tls/server.crt" "$2" "$3"
}

# expect_code OUT CODE WHAT
expect_code() {
	local got

	got=$(cat "$1.code")
	[ "$got" = "$2" ] && return 0
	[ "$got" = 000 ] && die "$3: no answer ($(tail -n 1 "$1.err"))"
	die "$3: status $got, expected $2 ($(head -c 200 "$1.body" | tr '\n' ' '))"
}

# has FILE LINE WHAT: dies unless FILE holds LINE (whole line, literal).
has() {
	grep -qFx -- "$2" "$1" || die "$3: no line '$2' in $(basename "$1")"
}

# dora NAME: a DORA as the phone (pbprobe); OUT/NAME holds its output.
dora() {
	ip netns exec "$NS_PH" timeout 30 "$PROBE" -i "$IF_PH" -m "$MAC" \
	    -V yealink -P 1,3,6,42,66 dora >"$OUT/$1" 2>&1
}

# pinned: the URL the phone pinned (from its file); own file under it.
pinned() {
	cat "$OUT/pinned.url" 2>/dev/null
}

# The line reload-broken breaks, and its "file:line" as errors name it.
BROKEN_LINE=8
BROKEN_RE="yealink/device\.cfg:$BROKEN_LINE([^0-9]|$)"

# status_json: provboxctl --json status.
status_json() {
	ctl --json status
}

# ------------------------------------------------------------------- tests

t_start() {
	start_dhcpd || die "dhcpd did not start: $(tail -n 5 "$DLOG")"
	start_provd || die "provisiond did not start: $(tail -n 5 "$PLOG")"
	pb_pass
}

# 1a. The phone enrolled (provboxctl enroll) and booted: a lease whose
# option 66 is its first-access URL, the address put on its interface.
t_lease() {
	local o=$OUT/lease ip url fa

	ctl enroll "$MAC" --for 10m >"$o.enroll" ||
	    die "provboxctl enroll: $(tail -n 2 "$CTL_ERR")"
	dora dhcp1 || die "pbprobe as the phone: $(head -n 2 "$OUT/dhcp1")"
	ip=$(pb_kv yiaddr "$OUT/dhcp1")
	url=$(pb_kv opt66 "$OUT/dhcp1")
	fa=$(grep -oE '/p/[A-Za-z0-9_-]{32}/$' <<<"$url")
	[ -n "$ip" ] && [ -n "$fa" ] ||
	    die "no lease with a first-access URL: ip '$ip', option 66 '$url'"
	grep -q "DHCPACK $ip to $MAC (yealink, $USER_NAME)" "$DLOG" ||
	    die "no 'DHCPACK $ip to $MAC (yealink, $USER_NAME)' in dhcpd's log"
	echo "$url" >"$OUT/fa.url"
	ip -n "$NS_PH" -4 addr flush dev "$IF_PH"
	ip -n "$NS_PH" addr add "$ip/24" dev "$IF_PH" || die "cannot set $ip"
	echo "$ip" >"$OUT/phone.ip"
	pb_pass
}

# 2. The phone's first-access URL from another host, which holds no lease
# for the phone's MAC, before the phone used it: the existing refusal
# (404, first-access-lease), no password in it. (After the phone has
# provisioned, own-file asks again.)
t_other_host() {
	local o=$OUT/other url pw mark

	url=$(cat "$OUT/fa.url" 2>/dev/null)
	[ -n "$url" ] || die "no first-access URL (lease failed)"
	mark=$(pb_lines "$PLOG")
	fetch "$NS_OT" "$o" "$url$MACP.cfg"
	expect_code "$o" 404 "the phone's file from $OT_IP"
	for pw in $ALL_PW; do
		grep -qF "$pw" "$o.body" && die "a password in the 404 from $OT_IP"
	done
	fetch "$NS_OT" "$o.set" "$url$MACP-settings.txt"
	expect_code "$o.set" 404 "the settings file from $OT_IP"
	pb_wait_for 3 pb_grep_after "$PLOG" "$mark" \
	    "$OT_IP GET first-access .*$MACP\\.cfg 404 .*refused first-access-lease" ||
	    die "no 'refused first-access-lease' audit line for $OT_IP"
	pb_pass
}

# 1b. The phone's own file, the way a phone gets it: through the
# first-access URL from its leased address, then again through the URL
# the file pins. Then the first-access URL from the other host again.
t_own_file() {
	local o=$OUT/own url f n pw

	url=$(cat "$OUT/fa.url" 2>/dev/null)
	[ -n "$url" ] || die "no first-access URL (lease failed)"
	fetch "$NS_PH" "$o.fa" "$url$MACP.cfg"
	expect_code "$o.fa" 200 "own file through the first-access URL"
	sed -n 's/^static\.auto_provision\.server\.url = //p' "$o.fa.body" \
	    >"$OUT/pinned.url"
	grep -qE '^https://10\.47\.0\.1/p/[A-Za-z0-9_-]{32}/$' "$OUT/pinned.url" ||
	    die "the file pins '$(pinned)'"
	[ "$(pinned)" != "$url" ] || die "the file pins the first-access URL"
	fetch "$NS_PH" "$o" "$(pinned)$MACP.cfg"
	expect_code "$o" 200 "own file through the pinned URL"
	f=$o.body
	cp "$f" "$OUT/own-before.cfg"
	# Two accounts, each with its password; no third.
	has "$f" "account.1.user_name = 471" "account 1"
	has "$f" "account.1.password = $PW_SIP1" "account 1"
	has "$f" "account.2.user_name = 472" "account 2"
	has "$f" "account.2.password = $PW_SIP2" "account 2"
	has "$f" "account.2.label = Hotline" "account 2"
	grep -q '^account\.3\.' "$f" && die "a third account in the file"
	has "$f" "linekey.1.type = 15" "the user's line key"
	has "$f" "linekey.1.line = 2" "the user's line key"
	# Europe/Berlin from provbox.conf's defaults: UTC+1, with DST.
	has "$f" "local_time.time_zone = +1" "time zone (defaults)"
	has "$f" "local_time.summer_time = 1" "time zone (defaults)"
	# The user's tone zone over the defaults'.
	has "$f" "voice.tone.country = United States" "tone (user over defaults)"
	# The device's admin password over the user's.
	has "$f" "static.security.user_password = admin:$PW_ADM_DEV" \
	    "admin password (device over user)"
	grep -qF "$PW_ADM_USER" "$f" && die "the user's admin password is in the file"
	# Standalone rule: a line with only a section tag writes no line.
	n=$(grep -c '^[[:space:]]*$' "$f")
	[ "$n" -eq 0 ] || die "$n blank line(s) in the file (first at line $(grep -n -m 1 '^[[:space:]]*$' "$f" | cut -d: -f1))"
	grep -q '{{\|}}' "$f" && die "a tag left in the file: $(grep -m 1 '{{\|}}' "$f")"
	# The model's voice VLAN over the class's (the suite's file rule).
	fetch "$NS_PH" "$o.set" "$(pinned)$MACP-settings.txt"
	expect_code "$o.set" 200 "the settings file"
	has "$o.set.body" "vlan=20" "voice VLAN (model over class)"
	has "$o.set.body" "language=en" "language (defaults)"
	n=$(wc -l <"$o.set.body")
	[ "$n" -eq 2 ] || die "the settings file has $n lines, expected 2: $(tr '\n' ' ' <"$o.set.body")"
	# Provisioned: the first-access URL gives the other host nothing.
	fetch "$NS_OT" "$o.other" "$url$MACP.cfg"
	expect_code "$o.other" 404 "the first-access URL from $OT_IP, once used"
	for pw in $ALL_PW; do
		grep -qF "$pw" "$o.other.body" &&
		    die "a password in the 404 from $OT_IP"
	done
	pb_pass
}

# 3. A misspelt name in the template: reload refused as a whole, both
# daemons serve on with the old config; every checker names file:line.
t_reload_broken() {
	local o=$OUT/broken pd pp rc a ip

	[ -n "$(pinned)" ] || die "no pinned URL (own-file failed)"
	pd=$(pb_daemon_pid dhcpd)
	pp=$(pb_daemon_pid provd)
	# What each daemon says of its last reload, before.
	status_json | jq -c '[.daemons[] | {pid: .status.pid,
	    last_reload: .status.last_reload}]' >"$o.status0" ||
	    die "provboxctl --json status: $(tail -n 2 "$CTL_ERR")"
	cp "$TMPL" "$OUT/device.cfg.orig"
	sed -i "${BROKEN_LINE}i language = {{settings.lang}}" "$TMPL"
	[ "$(sed -n "${BROKEN_LINE}p" "$TMPL")" = "language = {{settings.lang}}" ] ||
	    die "cannot break the template"
	timeout 30 "$CTL" -c "$CONF" reload >"$o.reload" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || die "provboxctl reload of a broken template exited 0: $(head -n 3 "$o.reload")"
	grep -qE "$BROKEN_RE" "$o.reload" ||
	    die "provboxctl reload does not name device.cfg:$BROKEN_LINE: $(head -c 300 "$o.reload")"
	grep -q 'settings.lang' "$o.reload" ||
	    die "provboxctl reload does not name settings.lang: $(head -c 300 "$o.reload")"
	# Both daemons: the same processes, running, no reload applied (the
	# config is tested on every daemon before any applies it, so neither
	# even tried: what they say of their last reload has not changed).
	pb_alive "$pd" && pb_alive "$pp" || die "a daemon died on the reload"
	a=$(status_json)
	jq -e --argjson d "$pd" --argjson p "$pp" '
	    (.daemons | length) == 2 and all(.daemons[]; .running) and
	    ([.daemons[].status.pid] | sort) == ([$d, $p] | sort)' \
	    <<<"$a" >/dev/null ||
	    die "status after the refused reload: $(tr -d '\n' <<<"$a" | cut -c 1-400)"
	jq -c '[.daemons[] | {pid: .status.pid,
	    last_reload: .status.last_reload}]' <<<"$a" >"$o.status1"
	cmp -s "$o.status0" "$o.status1" ||
	    die "a daemon's last reload changed: $(cat "$o.status0") -> $(cat "$o.status1")"
	# provisiond serves the old file, byte for byte.
	fetch "$NS_PH" "$o.file" "$(pinned)$MACP.cfg"
	expect_code "$o.file" 200 "own file after the refused reload"
	cmp -s "$o.file.body" "$OUT/own-before.cfg" ||
	    die "the file changed after a refused reload: $(diff "$OUT/own-before.cfg" "$o.file.body" | head -n 4 | tr '\n' ' ')"
	# dhcpd serves: the phone's next DORA is ACKed with its address.
	dora dhcp2 || die "pbprobe after the refused reload: $(head -n 2 "$OUT/dhcp2")"
	ip=$(pb_kv yiaddr "$OUT/dhcp2")
	[ "$ip" = "$(cat "$OUT/phone.ip")" ] ||
	    die "after the refused reload the phone got '$ip'"
	# The checkers refuse it with the same file:line.
	timeout 30 "$CTL" -c "$CONF" check >"$o.check" 2>&1 &&
	    die "provboxctl check passed the broken template"
	grep -qE "$BROKEN_RE" "$o.check" ||
	    die "provboxctl check: $(head -c 300 "$o.check")"
	ip netns exec "$NS_SRV" timeout 30 "$PB_BUILD/provbox-dhcpd" -t \
	    -c "$CONF" >"$o.dt" 2>&1 && die "provbox-dhcpd -t passed it"
	grep -qE "$BROKEN_RE" "$o.dt" ||
	    die "provbox-dhcpd -t: $(head -c 300 "$o.dt")"
	ip netns exec "$NS_SRV" timeout 30 "$PROVD" -t \
	    -c "$CONF" >"$o.pt" 2>&1 && die "provbox-provisiond -t passed it"
	grep -qE "$BROKEN_RE" "$o.pt" ||
	    die "provbox-provisiond -t: $(head -c 300 "$o.pt")"
	pb_pass
}

# 4. A key on an account the user does not have: check names the device
# and its user (a copy of the config, so the daemons never see it).
t_key_account() {
	local d=$PB_TMP/etc-key o=$OUT/key

	cp -a "$CONF_DIR" "$d" || die "cannot copy the config"
	cp "$OUT/device.cfg.orig" "$d/templates/yealink/device.cfg" 2>/dev/null
	sed -i 's/account = 2; }/account = 3; }/' "$d/users.conf"
	grep -q 'account = 3;' "$d/users.conf" || die "cannot write the key"
	sed -i "s|$CONF_DIR|$d|g" "$d/provbox.conf"
	timeout 30 "$CTL" -c "$d/provbox.conf" check >"$o" 2>&1 &&
	    die "provboxctl check passed a key on account 3"
	grep -F "$MAC" "$o" | grep -q "$USER_NAME" ||
	    die "check does not name $MAC and $USER_NAME: $(head -c 300 "$o")"
	grep -F "$MAC" "$o" | grep -q "account 3" ||
	    die "check does not name account 3: $(head -c 300 "$o")"
	pb_pass
}

# 5. The template fixed, language and time zone changed: the reload is
# applied by both daemons and the next fetch shows the new values.
t_reload_fixed() {
	local o=$OUT/fixed pd pp a

	[ -s "$OUT/device.cfg.orig" ] || die "no saved template (reload-broken failed)"
	cp "$OUT/device.cfg.orig" "$TMPL"
	write_main America/New_York de || die "cannot write provbox.conf"
	pd=$(pb_daemon_pid dhcpd)
	pp=$(pb_daemon_pid provd)
	timeout 30 "$CTL" -c "$CONF" reload >"$o.reload" 2>&1 ||
	    die "provboxctl reload: $(head -c 300 "$o.reload")"
	[ "$(grep -c '): reloaded$' "$o.reload")" -eq 2 ] ||
	    die "provboxctl reload: $(head -c 300 "$o.reload")"
	a=$(status_json)
	jq -e --argjson d "$pd" --argjson p "$pp" '
	    all(.daemons[]; .running and .status.last_reload.ok == true) and
	    ([.daemons[].status.pid] | sort) == ([$d, $p] | sort)' \
	    <<<"$a" >/dev/null ||
	    die "status after the reload: $(tr -d '\n' <<<"$a" | cut -c 1-400)"
	fetch "$NS_PH" "$o" "$(pinned)$MACP.cfg"
	expect_code "$o" 200 "own file after the reload"
	has "$o.body" "local_time.time_zone = -5" "time zone America/New_York"
	grep -qFx "local_time.time_zone = +1" "$o.body" &&
	    die "the old time zone is still in the file"
	has "$o.body" "account.2.password = $PW_SIP2" "account 2 after the reload"
	fetch "$NS_PH" "$o.set" "$(pinned)$MACP-settings.txt"
	expect_code "$o.set" 200 "the settings file after the reload"
	has "$o.set.body" "language=de" "language after the reload"
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
pb_run other-host 20 t_other_host
pb_run own-file 30 t_own_file
pb_run reload-broken 40 t_reload_broken
pb_run key-account 20 t_key_account
pb_run reload-fixed 30 t_reload_fixed
pb_run logs-clean 50 t_logs_clean
pb_finish
