#!/bin/bash
# privsep.sh - both daemons as an unprivileged user: what they keep
# (capabilities, seccomp, no_new_privs, no core dumps), that they still
# serve and reload that way, that they refuse a TLS key or registry other
# users may read, and that no SIP password or token is left in the
# registry file, the logs or a crash's output.
#
#   sudo bash tests/integration/privsep.sh [BUILD_DIR [RESULTS_FILE]]
#
# The daemons run as "nobody" (uid 65534, present on every Debian system),
# so nothing is added to the host's users. Everything else is named from
# pbt<PID> and removed at the end (see lib.sh).

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

PB_TOOLS="curl=curl openssl=openssl ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" privsep-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_CLI=$T-c1
IF_SRV=${T}s1
IF_CLI=${T}c1
SRV_IP=10.42.0.1
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
RUN_USER=nobody
MAC_ALICE=80:5e:c0:10:00:01
PW_ALICE=alice-Priv-Pw-5511
PW_BOB=bob-Priv-Pw-5512
CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
REG=$PB_TMP/registry
RUN=$PB_TMP/run
LOGS=$PB_TMP/logs
DHCPD_LOG=$LOGS/dhcpd.log
PROV_LOG=$LOGS/provisiond.log
OUT=$PB_TMP/out
# CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13).
DHCPD_CAPS=0000000000002400

# ------------------------------------------------------------------ set-up

# The daemons read their config again on SIGHUP, as nobody: the tree is
# root's, readable by nobody's group only where it must be.
write_config() {
	mkdir -p "$LOGS" "$OUT" || return 1
	: >"$DHCPD_LOG"
	: >"$PROV_LOG"
	pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	pb_conf_simple "$CONF" 10.42.0 "$SRV_IP" "$REG" "$RUN" "$RUN_USER" \
	    debug || return 1
	pb_users_one "$CONF_DIR/users.conf" alice 201 "$PW_ALICE" "$SRV_IP" \
	    "$MAC_ALICE" || return 1
	# The temporary directory is 0700: nobody may pass through it to
	# the config, the run directory and the registry, nothing more.
	pb_conf_share "$CONF_DIR" "$RUN_USER" "$RUN" "$REG"
}

setup_network() {
	pb_ns_add "$NS_SRV" && pb_ns_add "$NS_CLI" &&
	    pb_veth "$NS_SRV" "$IF_SRV" "$NS_CLI" "$IF_CLI" "$SRV_IP" "$MAC_ALICE"
}

daemon_pid() {
	pb_daemon_pid "$1"
}

daemon_stop() {
	pb_daemon_stop "$1"
}

dhcpd_start() {
	pb_daemon_start dhcpd "$NS_SRV" "$DHCPD_LOG" "provbox-dhcpd started" \
	    "$DHCPD" -f -c "$CONF"
}

prov_start() {
	pb_daemon_start provisiond "$NS_SRV" "$PROV_LOG" \
	    "provbox-provisiond started" "$PROVD" -f -c "$CONF"
}

# status_field PID FIELD: a line of /proc/PID/status, value only.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }' \
	    "/proc/$1/status"
}

# url_of USER: the token folder URL provboxctl prints.
url_of() {
	timeout 20 "$CTL" -c "$CONF" url "$1" 2>"$OUT/ctl.err" | head -n 1
}

# fetch OUT URL: GET from the client namespace; the body in OUT, the
# status in OUT.code.
fetch() {
	ip netns exec "$NS_CLI" timeout 20 curl -sk -o "$1" \
	    -w '%{http_code}' "$2" >"$1.code" 2>"$1.err"
}

# ------------------------------------------------------------------- tests

# 1. What each daemon keeps after start-up.
t_credentials() {
	local d pid uid caps want

	for d in dhcpd provisiond; do
		pid=$(daemon_pid $d)
		uid=$(status_field "$pid" Uid)
		[ "$uid" = "65534 65534 65534 65534" ] ||
		    die "$d runs with uids '$uid', not nobody's"
		[ "$(status_field "$pid" Gid | awk '{ print $1 }')" = \
		    "$(id -g "$RUN_USER")" ] || die "$d kept root's group"
		caps=$(status_field "$pid" CapEff)
		want=0000000000000000
		[ $d = dhcpd ] && want=$DHCPD_CAPS
		[ "$caps" = "$want" ] ||
		    die "$d has effective capabilities $caps, expected $want"
		[ "$(status_field "$pid" CapPrm)" = "$want" ] ||
		    die "$d has permitted capabilities $(status_field "$pid" CapPrm)"
		[ "$(status_field "$pid" NoNewPrivs)" = 1 ] ||
		    die "$d has no_new_privs off"
		[ "$(status_field "$pid" Seccomp)" = 2 ] ||
		    die "$d has no seccomp filter (Seccomp: $(status_field "$pid" Seccomp))"
		grep -q '^Max core file size *0 *0 ' "/proc/$pid/limits" ||
		    die "$d may dump core: $(grep core "/proc/$pid/limits")"
	done
	pb_pass
}

# 2. Unprivileged and filtered, both still do their work: a DORA, an
# HTTPS fetch of the phone's file, a reload of each.
t_serves() {
	local o=$OUT/serve url fa mark d log pid

	# Enrolling, the phone's DHCP answer carries its first-access URL;
	# the file it fetches there (enrollment writes, unprivileged and
	# filtered) names the permanent folder, which serves it too.
	timeout 20 "$CTL" -c "$CONF" enroll "$MAC_ALICE" --for 10m \
	    >"$o.enroll" 2>&1 || die "provboxctl enroll: $(cat "$o.enroll")"
	ip netns exec "$NS_CLI" timeout 60 "$PROBE" -i "$IF_CLI" \
	    -m "$MAC_ALICE" -V yealink -P 1,3,66 dora >"$o.dora" 2>&1 ||
	    die "no ACK: $(head -n 2 "$o.dora")"
	ip -n "$NS_CLI" addr add "$(pb_kv yiaddr "$o.dora")/24" \
	    dev "$IF_CLI" || die "cannot configure the leased address"
	url=$(url_of alice)
	[ -n "$url" ] || die "provboxctl url alice: $(cat "$OUT/ctl.err")"
	fa=$(pb_kv opt66 "$o.dora")
	[[ $fa == https://*/p/*/ ]] && [ "$fa" != "$url" ] ||
	    die "option 66 is '$fa', not a first-access URL"
	fetch "$o.fa" "${fa}$(echo "$MAC_ALICE" | tr -d :).cfg"
	[ "$(cat "$o.fa.code")" = 200 ] ||
	    die "alice's config through her first-access URL: status $(cat "$o.fa.code") $(cat "$o.fa.err")"
	grep -qF -- "$url" "$o.fa" ||
	    die "the first-access file does not name alice's folder"
	fetch "$o.cfg" "${url}$(echo "$MAC_ALICE" | tr -d :).cfg"
	[ "$(cat "$o.cfg.code")" = 200 ] ||
	    die "alice's config: status $(cat "$o.cfg.code") $(cat "$o.cfg.err")"
	grep -qF -- "$PW_ALICE" "$o.cfg" ||
	    die "alice's config does not hold her password"
	for d in dhcpd provisiond; do
		log=$DHCPD_LOG
		[ $d = provisiond ] && log=$PROV_LOG
		pid=$(daemon_pid $d)
		mark=$(pb_lines "$log")
		kill -HUP "$pid"
		pb_wait_for 15 pb_grep_after "$log" "$mark" \
		    "reloaded |reload refused" ||
		    die "$d: no reload in the log"
		pb_grep_after "$log" "$mark" "reloaded " ||
		    die "$d refused the reload: $(tail -n 1 "$log")"
		pb_alive "$pid" || die "$d died on the reload"
	done
	pb_pass
}

# 3. A TLS key every user may read: provisiond refuses to start, and
# refuses a reload that would load it.
t_world_readable_key() {
	local key=$CONF_DIR/tls/server.key o=$OUT/key mark pid

	chmod 644 "$key"
	mark=$(pb_lines "$PROV_LOG")
	kill -HUP "$(daemon_pid provisiond)"
	pb_wait_for 15 pb_grep_after "$PROV_LOG" "$mark" "reload refused" ||
	    { chmod 640 "$key"; die "a reload with a world-readable key was not refused"; }
	pb_grep_after "$PROV_LOG" "$mark" "every user may read it" ||
	    { chmod 640 "$key"; die "the refusal does not say why: $(tail -n 2 "$PROV_LOG")"; }
	# A second provisiond on another port, same config but for that.
	sed "s/$SRV_IP:443/$SRV_IP:8443/; s|run_dir = .*|run_dir = \"$PB_TMP/run2\";|" \
	    "$CONF" >"$CONF_DIR/second.conf"
	mkdir -p "$PB_TMP/run2"
	chown "$RUN_USER" "$PB_TMP/run2"
	ip netns exec "$NS_SRV" timeout 20 "$PROVD" -f \
	    -c "$CONF_DIR/second.conf" >"$o.log" 2>&1 &
	pid=$!
	pb_track "$pid"
	wait "$pid"
	local rc=$?
	chmod 640 "$key"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
	    die "provisiond started (or hung: $rc) with a world-readable key"
	grep -q "chmod o-rw" "$o.log" ||
	    die "no fix in the error: $(tail -n 2 "$o.log")"
	pb_pass
}

# 4. A registry every user may read: the DHCP server refuses to start.
t_world_readable_registry() {
	local o=$OUT/reg rc

	daemon_stop dhcpd || die "the DHCP server was not running"
	chmod 644 "$REG/data.mdb"
	ip netns exec "$NS_SRV" timeout 20 "$DHCPD" -f -c "$CONF" \
	    >"$o.log" 2>&1
	rc=$?
	chmod 600 "$REG/data.mdb"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
	    die "provbox-dhcpd started (or hung: $rc) on a world-readable registry"
	grep -q "every user may read it (chmod 600" "$o.log" ||
	    die "the error does not say why: $(tail -n 2 "$o.log")"
	dhcpd_start || die "the DHCP server did not start again: $(tail -n 2 "$DHCPD_LOG")"
	pb_pass
}

# 5. No SIP password or token at rest: not in the registry's files (the
# key file aside), not in the logs (at debug level).
t_secrets_at_rest() {
	local tok f s

	tok=$(url_of alice | grep -oE '/p/[A-Za-z0-9_-]{32}/' | cut -c 4-35)
	[ ${#tok} -eq 32 ] || die "no token for alice: $(cat "$OUT/ctl.err")"
	[ "$(stat -c %a "$REG/secret.key")" = 600 ] ||
	    die "secret.key has mode $(stat -c %a "$REG/secret.key")"
	[ "$(stat -c %U "$REG/secret.key")" = "$RUN_USER" ] ||
	    die "secret.key belongs to $(stat -c %U "$REG/secret.key")"
	# The registry also holds the SIP user in clear: the search works.
	grep -qa "201" "$REG/data.mdb" || die "data.mdb does not hold alice's SIP user"
	for f in "$REG"/*.mdb "$DHCPD_LOG" "$PROV_LOG"; do
		for s in "$PW_ALICE" "$tok"; do
			grep -qaF -- "$s" "$f" &&
			    die "$(basename "$f") holds $( [ "$s" = "$tok" ] && echo "alice's token" || echo "alice's password")"
		done
	done
	pb_pass
}

# 6. A crash (SIGSEGV) of provisiond right after serving a config: its
# output holds no password or token, and no core file is written.
t_crash_output() {
	local pid tok o=$OUT/crash url

	url=$(url_of alice)
	tok=$(echo "$url" | grep -oE '/p/[A-Za-z0-9_-]{32}/' | cut -c 4-35)
	fetch "$o.cfg" "${url}$(echo "$MAC_ALICE" | tr -d :).cfg"
	[ "$(cat "$o.cfg.code")" = 200 ] || die "no config before the crash"
	pid=$(daemon_pid provisiond)
	cp "$PROV_LOG" "$o.before"
	kill -SEGV "$pid"
	pb_wait_for 20 eval "! pb_alive $pid" || die "provisiond survived SIGSEGV"
	rm -f "$PB_TMP/provisiond.pid"
	for s in "$PW_ALICE" "$tok"; do
		grep -qaF -- "$s" "$PROV_LOG" && die "the crash output holds a secret"
	done
	find "$PB_TMP" / -maxdepth 1 -name 'core*' -newer "$o.before" \
	    2>/dev/null | grep -q . && die "a core file was written"
	prov_start || die "provisiond did not start again: $(tail -n 2 "$PROV_LOG")"
	pb_pass
}

# 7. Both stop cleanly on SIGTERM, as nobody, under their filters: no
# sanitizer report, no seccomp kill.
t_stop() {
	local bad d log

	for d in dhcpd provisiond; do
		log=$DHCPD_LOG
		[ $d = provisiond ] && log=$PROV_LOG
		daemon_stop $d || die "$d was not running"
		grep -q "signal 15: stopping" "$log" ||
		    die "$d did not stop cleanly: $(tail -n 2 "$log")"
	done
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" \
	    "$DHCPD_LOG" 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! id "$RUN_USER" >/dev/null 2>&1; then
	pb_say "SKIP privsep-integration: no user $RUN_USER"
	exit 77
fi
setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
timeout 30 "$CTL" -c "$CONF" check >"$OUT/check.out" 2>&1 ||
    { pb_fail setup "provboxctl check: $(tail -n 2 "$OUT/check.out")"; pb_finish; }
dhcpd_start || { pb_fail setup "provbox-dhcpd: $(tail -n 3 "$DHCPD_LOG")"; pb_finish; }
prov_start || { pb_fail setup "provbox-provisiond: $(tail -n 3 "$PROV_LOG")"; pb_finish; }

pb_run credentials 30 t_credentials
pb_run serves-unprivileged 90 t_serves
pb_run world-readable-tls-key 60 t_world_readable_key
pb_run world-readable-registry 60 t_world_readable_registry
pb_run secrets-at-rest 30 t_secrets_at_rest
pb_run crash-output 60 t_crash_output
PB_ONLY='' pb_run stop 60 t_stop
daemon_stop dhcpd
daemon_stop provisiond
pb_finish
