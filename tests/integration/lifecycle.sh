#!/bin/bash
# lifecycle.sh - both daemons as a non-systemd init starts them: without
# -f, through daemon_main()'s fork (issue #16 point 4). The command returns
# only once the daemon serves (exit 0), or with the child's error and exit
# 1 when it cannot start; the registry is opened after the fork, never by
# the process that returns; the daemon is a session leader with its
# standard streams on /dev/null, runs as its user with only its
# capabilities (libcap-ng), reloads and stops by signal.
#
#   sudo bash tests/integration/lifecycle.sh [BUILD_DIR [RESULTS_FILE]]
#
# The daemons run as "nobody"; everything else is named from pbt<PID> and
# removed at the end (see lib.sh).

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

PB_TOOLS="curl=curl openssl=openssl ip=iproute2 strace=strace"
pb_init "${1:-$here/../../build}" "${2:-}" lifecycle-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_CLI=$T-c1
IF_SRV=${T}s1
IF_CLI=${T}c1
SRV_IP=10.43.0.1
PROVD=$PB_BUILD/provbox-provisiond
RUN_USER=nobody
MAC=80:5e:c0:10:00:07
CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
REG=$PB_TMP/registry
RUN=$PB_TMP/run
OUT=$PB_TMP/out
# CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13).
DHCPD_CAPS=0000000000002400

write_config() {
	mkdir -p "$OUT" && pb_conf_tree "$CONF_DIR" "$SRV_IP" || return 1
	pb_conf_simple "$CONF" 10.43.0 "$SRV_IP" "$REG" "$RUN" "$RUN_USER" \
	    info || return 1
	pb_users_one "$CONF_DIR/users.conf" gina 207 gina-Life-Pw-7001 \
	    "$SRV_IP" "$MAC" || return 1
	pb_conf_share "$CONF_DIR" "$RUN_USER" "$RUN" "$REG"
}

setup_network() {
	pb_ns_add "$NS_SRV" && pb_ns_add "$NS_CLI" &&
	    pb_veth "$NS_SRV" "$IF_SRV" "$NS_CLI" "$IF_CLI" "$SRV_IP" "$MAC" &&
	    ip -n "$NS_CLI" addr add 10.43.0.50/24 dev "$IF_CLI"
}

status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print; exit }' \
	    "/proc/$1/status"
}

# pidfile_pid NAME: the pid the daemon wrote, if that process lives.
pidfile_pid() {
	local pid

	pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && pb_alive "$pid" && echo "$pid"
}

# start_daemon NAME BINARY: without -f, under strace -D -f: the command is
# the shell's child as it would be without strace (its exit status in
# OUT/NAME.rc, its stderr in OUT/NAME.err), and strace, detached as a
# grandchild, records the opens of it and of the daemon it forks until the
# daemon exits. strace buffers its record: it is read once strace is done.
start_daemon() {
	local name=$1 bin=$2 pid

	: >"$OUT/$name.strace"
	ip netns exec "$NS_SRV" timeout 30 strace -D -f -q -e trace=openat \
	    -o "$OUT/$name.strace" "$bin" -c "$CONF" 2>"$OUT/$name.err"
	echo $? >"$OUT/$name.rc"
	pid=$(pidfile_pid "provbox-$name") || return 0
	pb_track "$pid"
	echo "$pid" >"$OUT/$name.pid"
}

# comm_count NAME: processes in the server namespace whose name is NAME
# (the kernel keeps 15 characters).
comm_count() {
	local p n=0

	for p in $(ip netns pids "$NS_SRV"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "${1:0:15}" ] &&
		    n=$((n + 1))
	done
	echo $n
}

# 1. Each command returns 0, and by then its daemon serves: no wait.
t_start() {
	local d pid rc

	for d in dhcpd provisiond; do
		rc=$(cat "$OUT/$d.rc")
		[ "$rc" = 0 ] || die "provbox-$d exited $rc: $(tail -n 5 "$OUT/$d.err" | tr '\n' '|')"
		pid=$(cat "$OUT/$d.pid" 2>/dev/null)
		[ -n "$pid" ] || die "provbox-$d left no live process in its pid file"
		[[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *provbox-$d* ]] ||
		    die "pid file of $d names another program"
	done
	# Right after the return: an HTTPS answer and a DHCP lease.
	ip netns exec "$NS_CLI" timeout 10 curl -sk -o /dev/null \
	    -w '%{http_code}' "https://$SRV_IP/prov/nothing.cfg" \
	    >"$OUT/curl.code" 2>"$OUT/curl.err"
	grep -qE '^[1-5][0-9]{2}$' "$OUT/curl.code" ||
	    die "provisiond right after its start: status $(cat "$OUT/curl.code") $(cat "$OUT/curl.err")"
	ip -n "$NS_CLI" addr flush dev "$IF_CLI"
	ip netns exec "$NS_CLI" timeout 30 "$PROBE" -i "$IF_CLI" -m "$MAC" \
	    -V yealink -P 1,3,66 dora >"$OUT/dora" 2>&1 ||
	    die "dhcpd right after its start: no ACK: $(head -n 2 "$OUT/dora")"
	pb_pass
}

# 2. A daemon: its own session, / as its directory, stdin, stdout and
# stderr on /dev/null, its user, its capabilities and no more.
t_detached() {
	local d pid sid fd caps want

	for d in dhcpd provisiond; do
		pid=$(cat "$OUT/$d.pid")
		sid=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[4] }' \
		    "/proc/$pid/stat")
		[ "$sid" = "$pid" ] || die "$d is not a session leader (sid $sid)"
		[ "$(readlink "/proc/$pid/cwd")" = / ] ||
		    die "$d runs in $(readlink "/proc/$pid/cwd")"
		for fd in 0 1 2; do
			[ "$(readlink "/proc/$pid/fd/$fd")" = /dev/null ] ||
			    die "$d fd $fd is $(readlink "/proc/$pid/fd/$fd")"
		done
		[ "$(status_field "$pid" Uid)" = "65534 65534 65534 65534" ] ||
		    die "$d runs with uids $(status_field "$pid" Uid)"
		want=0000000000000000
		[ $d = dhcpd ] && want=$DHCPD_CAPS
		caps=$(status_field "$pid" CapEff)
		[ "$caps" = "$want" ] || die "$d: CapEff $caps, expected $want"
		[ "$(status_field "$pid" CapPrm)" = "$want" ] ||
		    die "$d: CapPrm $(status_field "$pid" CapPrm)"
		[ "$(status_field "$pid" CapAmb)" = 0000000000000000 ] ||
		    die "$d: ambient capabilities $(status_field "$pid" CapAmb)"
		caps=$(status_field "$pid" CapBnd)
		[ "$caps" = 0000000000000000 ] || [ "$caps" = "$want" ] ||
		    die "$d: bounding set $caps kept"
		[ "$(status_field "$pid" NoNewPrivs)" = 1 ] ||
		    die "$d has no_new_privs off"
		[ "$(status_field "$pid" Seccomp)" = 2 ] ||
		    die "$d has no seccomp filter"
	done
	pb_pass
}

# 3. A daemon that cannot start says why on the starting command's
# stderr and exits 1; nothing stays behind. A second provisiond finds
# port 443 taken, a dhcpd on a broken config never forks.
t_start_failure() {
	local before rc

	before=$(cat "$OUT/provisiond.pid")
	ip netns exec "$NS_SRV" timeout 20 "$PROVD" -c "$CONF" \
	    2>"$OUT/second.err"
	rc=$?
	[ "$rc" = 1 ] || die "a second provisiond exited $rc, not 1"
	grep -qi "cannot start HTTPS\|address already in use" "$OUT/second.err" ||
	    die "a second provisiond did not say why: $(tail -n 2 "$OUT/second.err")"
	[ "$(cat "$RUN/provbox-provisiond.pid" 2>/dev/null)" = "$before" ] ||
	    die "the pid file no longer names the running daemon"
	[ "$(comm_count provbox-provisiond)" = 1 ] ||
	    die "a second provisiond stayed behind"
	sed 's/authoritative = true;/authoritative = "maybe";/' "$CONF" \
	    >"$CONF_DIR/broken.conf"
	ip netns exec "$NS_SRV" timeout 20 "$DHCPD" -c "$CONF_DIR/broken.conf" \
	    2>"$OUT/broken.err"
	rc=$?
	[ "$rc" = 1 ] || die "dhcpd on a broken config exited $rc, not 1"
	grep -q "broken.conf:[0-9]*: .*authoritative" "$OUT/broken.err" ||
	    die "dhcpd on a broken config did not name the line: $(head -n 2 "$OUT/broken.err")"
	pb_pass
}

# 4. SIGHUP reloads the daemons; provboxctl reload reports both.
t_reload() {
	local d pid

	for d in dhcpd provisiond; do
		pid=$(cat "$OUT/$d.pid")
		rm -f "$RUN/provbox-$d.reload"
		kill -HUP "$pid"
		pb_wait_for 10 grep -qs " ok$" "$RUN/provbox-$d.reload" ||
		    die "$d: no reload status after SIGHUP: $(cat "$RUN/provbox-$d.reload" 2>&1)"
	done
	timeout 30 "$CTL" -c "$CONF" reload >"$OUT/reload.out" 2>&1 ||
	    die "provboxctl reload: $(cat "$OUT/reload.out")"
	pb_pass
}

# 5. SIGTERM: each stops, its pid file gone.
t_stop() {
	local d pid

	for d in dhcpd provisiond; do
		pid=$(cat "$OUT/$d.pid")
		kill -TERM "$pid"
		pb_wait_for 10 eval "! pb_alive $pid" ||
		    die "$d still runs 10 s after SIGTERM"
		[ ! -e "$RUN/provbox-$d.pid" ] || die "$d left its pid file"
	done
	pb_pass
}

# 6. The registry is opened after the fork: in strace's record (complete
# once the daemon has stopped), no process but the daemon opens data.mdb
# or lock.mdb, and the process that returned to the shell (the first one
# traced) never does.
t_registry_after_fork() {
	local d first openers pid

	for d in dhcpd provisiond; do
		pid=$(cat "$OUT/$d.pid")
		# strace writes the record's end when it reaps the daemon,
		# which a loaded machine (the whole suite under sanitizers)
		# delays well past the daemon's own exit. It pads the pid to
		# five columns ("1234  +++ exited"): pids wrap at pid_max.
		pb_wait_for 30 grep -qE "^$pid +\+\+\+ " "$OUT/$d.strace" ||
		    die "$d: strace's record has no end for the daemon"
		first=$(awk 'NR == 1 { print $1 }' "$OUT/$d.strace")
		openers=$(awk '/(data|lock)\.mdb/ && !/ENOENT/ { print $1 }' \
		    "$OUT/$d.strace" | sort -u | tr '\n' ' ')
		[ -n "$openers" ] || die "$d: strace saw no open of the registry"
		[ "$openers" = "$pid " ] ||
		    die "$d: the registry was opened by pids $openers (daemon $pid, starting process $first)"
		[ "$first" != "$pid" ] || die "$d: the daemon is the starting process"
	done
	pb_pass
}

if ! id "$RUN_USER" >/dev/null 2>&1; then
	pb_say "SKIP lifecycle-integration: no user $RUN_USER"
	exit 77
fi
setup_network || { pb_fail setup "cannot build the test network"; pb_finish; }
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
start_daemon dhcpd "$DHCPD"
start_daemon provisiond "$PROVD"

pb_run start 60 t_start
pb_run detached 20 t_detached
pb_run start-failure 60 t_start_failure
pb_run reload 60 t_reload
pb_run stop 60 t_stop
pb_run registry-after-fork 75 t_registry_after_fork
pb_finish
