# shellcheck shell=bash
# benchlib.sh - shared by tests/bench/dhcp.sh and tests/bench/leases.sh
# (sourced, not run): namespaces, processes started and stopped by PID,
# cleanup on any exit, CPU time of a process, medians.
#
# Everything a part creates is named from its tag (BENCH_TAG, e.g.
# pbb1234): namespaces BENCH_TAG-srv and BENCH_TAG-cli, interfaces
# BENCH_TAG[sc...] created inside them, one directory /tmp/provbox-bench.*.
# Results (Markdown rows, lines starting with "|") go to stdout; the rest
# goes to stderr.

BENCH_NETNS=()
BENCH_PIDS=()

bench_note() {
	echo "${BENCH_PART:-bench}: $*" >&2
}

bench_die() {
	bench_note "error: $*"
	exit 1
}

# bench_init TAG_PREFIX: BENCH_TAG, BENCH_TMP and the cleanup traps.
bench_init() {
	# shellcheck disable=SC2034 # read by the scripts that source this
	BENCH_TAG=$1$$
	[ "$(id -u)" -eq 0 ] || bench_die "needs root (network namespaces)"
	BENCH_TMP=$(mktemp -d /tmp/provbox-bench.XXXXXX) || exit 1
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# Start time of a PID (field 22 of /proc/PID/stat), to tell our process
# from a later one that got the same PID.
bench_starttime() {
	local s

	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split into the stat fields
	set -- $s
	printf '%s\n' "${20}"
}

bench_alive() {
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# bench_track PID: a process this part started.
bench_track() {
	BENCH_PIDS+=("$1:$(bench_starttime "$1")")
}

# bench_stop PID: SIGTERM, SIGKILL after 10 s; only a tracked PID that is
# still the same process.
bench_stop() {
	local pid=$1 w i

	for w in "${BENCH_PIDS[@]}"; do
		[ "${w%%:*}" = "$pid" ] || continue
		[ "$(bench_starttime "$pid")" = "${w#*:}" ] || return 0
		kill -TERM "$pid" 2>/dev/null || return 0
		for ((i = 0; i < 100; i++)); do
			bench_alive "$pid" || break
			sleep 0.1
		done
		bench_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 0
	done
	return 0
}

bench_ns_add() {
	if ip netns list | grep -q "^$1\b"; then
		bench_note "network namespace $1 exists already"
		return 1
	fi
	ip netns add "$1" || return 1
	BENCH_NETNS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	return 0
}

bench_cleanup() {
	local rc=$? w pid ns p

	trap - EXIT INT TERM HUP
	set +e
	for ((w = ${#BENCH_PIDS[@]} - 1; w >= 0; w--)); do
		pid=${BENCH_PIDS[w]%%:*}
		bench_stop "$pid"
	done
	# Whatever still runs inside our namespaces was started by us.
	for ns in "${BENCH_NETNS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for ns in "${BENCH_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${PB_KEEP:-}" ]; then
		echo "kept $BENCH_TMP" >&2
	elif [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
		rm -rf -- "$BENCH_TMP"
	fi
	exit "$rc"
}

# bench_cpu_ticks PID: utime + stime (clock ticks) of PID.
bench_cpu_ticks() {
	local s

	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split into the stat fields
	set -- $s
	echo $((${12} + ${13}))
}

# bench_rss_kb PID: resident set size in KiB.
bench_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# bench_wait_for SECONDS COMMAND...: polls COMMAND every 20 ms.
bench_wait_for() {
	local end

	end=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	while :; do
		"$@" && return 0
		[ $(($(date +%s%N) / 1000000)) -ge "$end" ] && return 1
		sleep 0.02
	done
}

# bench_daemons: PIDs of the servers these packages bring, sorted (pgrep
# takes a pattern of at most 15 characters: one name at a time).
bench_daemons() {
	local n

	for n in kea-dhcp4 dhcpd dnsmasq nginx; do
		pgrep -x "$n"
	done | sort
}

# bench_install PACKAGE...: installs the Debian packages that are missing
# without letting their maintainer scripts start any service on the host:
# a policy-rc.d that refuses every start is in place during the install
# (and removed after, if this function put it there). A kea-dhcp4,
# dhcpd, dnsmasq or nginx in the host's network namespace that the
# install started anyway is stopped by its PID.
bench_install() {
	local pkgs=() p made='' before after pid

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || pkgs+=("$p")
	done
	[ ${#pkgs[@]} -eq 0 ] && return 0
	bench_note "installing ${pkgs[*]} (services kept from starting)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# provbox bench: no service starts\nexit 101\n' \
		    >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made=1
	fi
	before=$(bench_daemons)
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "${pkgs[@]}" >"$BENCH_TMP/apt.out" 2>&1 ||
	    { apt-get update -qq >/dev/null 2>&1 &&
	    apt-get install -y -qq "${pkgs[@]}" >"$BENCH_TMP/apt.out" 2>&1; }
	p=$?
	[ -n "$made" ] && rm -f /usr/sbin/policy-rc.d
	after=$(bench_daemons)
	for pid in $(comm -13 <(echo "$before") <(echo "$after")); do
		# Only a daemon that runs in the host's network namespace,
		# started during our install: not one of our benchmarks.
		[ "$(readlink "/proc/$pid/ns/net")" = \
		    "$(readlink /proc/1/ns/net)" ] || continue
		bench_note "stopping $(cat "/proc/$pid/comm") (PID $pid), started by the install"
		kill -TERM "$pid" 2>/dev/null
	done
	return "$p"
}

# bench_stats VALUE...: "median min max" (numbers; the median of an even
# count is the lower middle one, so it is always a measured value).
bench_stats() {
	printf '%s\n' "$@" | sort -g | awk '
	    { v[NR] = $1 }
	    END { if (NR == 0) { print "- - -"; exit }
		  print v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# bench_cell MEDIAN MIN MAX RUNS: "M" for one run, "M (min–max)" else.
bench_cell() {
	if [ "$4" -le 1 ] || [ "$2" = "$3" ]; then
		printf '%s' "$1"
	else
		printf '%s (%s–%s)' "$1" "$2" "$3"
	fi
}
