#!/usr/bin/env bash
# valgrind.sh - runs integration suites with provbox-dhcpd,
# provbox-provisiond and provboxctl under valgrind's memcheck, then reads
# every valgrind log for invalid accesses, uninitialised values, bad frees
# and leaks.
#
#   sudo bash tests/valgrind.sh [RESULTS_FILE]
#
# It builds its own tree without sanitizers (valgrind and ASan do not mix)
# in $PB_VG_BUILD (default build-valgrind next to the sources; CFLAGS
# "-g -O1"), and beside the binaries a directory vg/ that the suites take as
# their BUILD_DIR: symlinks to the tools, and for the three programs small
# scripts that exec valgrind on the real binary. exec keeps the PID, so the
# suites' PID tracking, signals and provboxctl's pid files still reach the
# daemon. Each suite's logs are in $PB_VG_BUILD/logs/SUITE/vg.PID.log.
#
# A suite's tests count as the suite reports them; each suite adds one check
# of its own, "SUITE-memcheck", which passes when every log of the suite is
# clean. The last line is "valgrind: N passed, N failed"; RESULTS_FILE gets
# "valgrind PASSED FAILED" (for tests/summary.sh). Exit 0 if all passed, 1 if
# not, 77 if not root or valgrind is missing.
#
# Environment:
#   PB_VG_SUITES  suites to run ("prov ctl ctlsock malformed dhcp https")
#   PB_VG_CTL=0   run provboxctl without valgrind (faster, daemons only)
#   PB_VG_BUILD   the build tree (default $src/build-valgrind)
#   PB_VG_REBUILD 1: make in the tree (the default); 0: use it as it is;
#                 clean: remove it and build from scratch (run-tests)
#   PB_ONLY       passed to every suite (see tests/integration/README.md)
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PB_VG_BUILD:-$src/build-valgrind}
results=${1:-}
suites=${PB_VG_SUITES:-prov ctl ctlsock malformed dhcp https}
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

# suite_tests SCRIPT: the names of SCRIPT's tests (its pb_run lines).
suite_tests() {
	sed -n 's/^[[:space:]]*pb_run \([A-Za-z0-9_-]*\) .*/\1/p' "$1"
}

# https.sh without the two tests that time the server's deadlines against
# slow clients: a slow header must be cut at 5 s (valgrind makes it 6-7 s),
# and 1000 slowloris connections must all be open at once (valgrind's
# single-threaded server accepts about half of them in the test's time).
# The deadline code itself runs in slowloris-hello-deadline and -1000.
https_skip="slowloris-header-deadline slowloris-header-1000"
# And its bound on the server's memory growth during an abuse (100 MB) at
# 300: under valgrind every byte of the heap has its shadow, and 20 MB of
# freed blocks are held back to catch a use after free. A leak is found
# at exit here, whatever the bound.
https_mem=300

# malformed.sh: the whole corpus (read from the suite's CORPUS list), the
# host name and restart tests, in both rounds (info and debug logging);
# not the floods: a million DISCOVERs after a warm-up of 100,000, with a
# bound on the server's RSS growth that valgrind's own heap (it holds
# freed blocks back to catch use after free) does not keep.
malformed_only() {
	local n

	for n in $(sed -n '/^CORPUS=(/,/^)/s/^[[:space:]]*"\([^|"]*\)|.*/\1/p' \
	    "$1") hostnames-escaped restart-hostile-leases; do
		printf '%s debug-%s ' "$n" "$n"
	done
}

if [ "$(id -u)" -ne 0 ]; then
	echo "valgrind: needs root (the suites build network namespaces)"
	exit 77
fi
vg=$(command -v valgrind) || { echo "valgrind: not installed" \
    "(apt-get install valgrind)"; exit 77; }
# Debian's /usr/bin/valgrind is a shell script that execs valgrind.bin.
# The launcher passes its argv[0] on to the process it becomes, so
# exec -a gives the daemon the name provboxctl looks for in
# /proc/PID/cmdline before it signals a pid file's process.
[ -x "$vg.bin" ] && vg=$vg.bin

fail_early() {
	echo "valgrind: $1" >&2
	echo "valgrind: 0 passed, 1 failed"
	[ -n "$results" ] && echo "valgrind 0 1" >>"$results"
	exit 1
}

# ------------------------------------------------------------------ build

[ "${PB_VG_REBUILD:-1}" = clean ] && rm -rf "$build"
mkdir -p "$build" || fail_early "cannot make $build"
if [ "${PB_VG_REBUILD:-1}" != 0 ] || [ ! -x "$build/provbox-dhcpd" ]; then
	echo "== build without sanitizers (CFLAGS=-g -O1) in $build"
	if [ ! -x "$src/configure" ]; then
		(cd "$src" && ./autogen.sh) >"$build/autogen.log" 2>&1 ||
		    fail_early "autogen.sh failed (see $build/autogen.log)"
	fi
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$src/configure" CFLAGS="-g -O1" \
		    >configure.out 2>&1) ||
		    fail_early "configure failed (see $build/configure.out)"
	fi
	# Then the test tools the suites run, whichever Makefile.am lists
	# (one goal per make: "all" and a tool in one parallel make would
	# both build the convenience libraries).
	tools=$(sed -n 's/^check_PROGRAMS *=//p' "$src/Makefile.am" |
	    tr ' ' '\n' | grep '^tests/tools/')
	# shellcheck disable=SC2086 # one word per tool
	{ make -C "$build" -j"$jobs" all && make -C "$build" -j"$jobs" $tools; } \
	    >"$build/make.out" 2>&1 ||
	    { grep -E 'error|Error' "$build/make.out" | head -n 40
	    fail_early "build failed (see $build/make.out)"; }
fi

# ----------------------------------------------------- the wrapped tree

wrapped=$build/vg
rm -rf "$wrapped"
mkdir -p "$wrapped/tests/tools" "$build/logs" ||
    fail_early "cannot make $wrapped"
for t in "$build"/tests/tools/*; do
	[ -x "$t" ] && [ -f "$t" ] && ln -s "$t" "$wrapped/tests/tools/"
done
# No Makefile: a suite that finds a tool missing must not build it in here.

# wrap NAME: $wrapped/NAME execs valgrind on $build/NAME.
#
# PROVBOX_SECCOMP=off: the daemons install a seccomp filter at start-up
# (common/sandbox.c). Under valgrind the filter would hold for valgrind's
# own system calls too, and kill the process on the first one outside the
# daemon's list; valgrind runs the daemon's calls itself, so the filter
# would test nothing of the daemon either. The sandbox has its own tests
# (tests/unit/check_sandbox.c, privsep.sh).
#
# --errors-for-leak-kinds=definite,indirect: memory the program lost is an
# error; what is still reachable at exit (libraries' one-time allocations,
# the config of a daemon that exits from its loop) is not. Known noise from
# libraries is in tests/valgrind.supp, one reason per entry.
wrap() {
	local name=$1

	cat >"$wrapped/$name" <<EOF
#!/bin/bash
# Made by tests/valgrind.sh: $name under valgrind's memcheck.
# The seccomp filter would apply to valgrind's own system calls.
PROVBOX_SECCOMP=off
export PROVBOX_SECCOMP
exec -a "\$0" "$vg" --tool=memcheck --error-exitcode=99 \\
    --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --track-origins=yes \\
    --num-callers=30 --track-fds=no \\
    --suppressions="$src/tests/valgrind.supp" \\
    --log-file="\${PB_VG_LOGS:-$build/logs}/vg.%p.log" \\
    "$build/$name" "\$@"
EOF
	chmod 755 "$wrapped/$name"
}

wrap provbox-dhcpd
wrap provbox-provisiond
if [ "${PB_VG_CTL:-1}" = 0 ]; then
	ln -s "$build/provboxctl" "$wrapped/provboxctl"
else
	wrap provboxctl
fi

# --------------------------------------------------------------- the logs

# The kinds of error memcheck reports, as the first line of each report
# reads (after "==PID== "), and a short name for the summary.
kinds=(
	'Invalid read of size|invalid-read'
	'Invalid write of size|invalid-write'
	'Invalid free\(\)|invalid-free'
	'Mismatched free\(\)|mismatched-free'
	'Conditional jump or move depends on uninitialised|uninit-jump'
	'Use of uninitialised value|uninit-use'
	'Syscall param .* uninitialised|uninit-syscall'
	'Syscall param .* unaddressable|bad-syscall-arg'
	'Source and destination overlap|overlap'
	'Argument .* of function .* has a fishy|fishy-arg'
	'Invalid (address|size|alignment) value|bad-arg'
	'Process terminating with default action of signal (4|6|7|8|11) |crash'
)

# check_log FILE: one summary line; 0 if the log is clean.
check_log() {
	local log=$1 pid cmd what k re short n def ind pos errs out='' bad=0

	pid=$(basename "$log" .log)
	pid=${pid#vg.}
	cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$log" | head -n 1)
	what=$(basename "${cmd%% *}")
	[ -n "$what" ] || what=unknown
	for k in "${kinds[@]}"; do
		re=${k%|*}
		short=${k##*|}
		n=$(grep -cE "^==[0-9]+== $re" "$log")
		if [ "$n" -gt 0 ]; then
			out+=" $short=$n"
			bad=1
		fi
	done
	def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" |
	    tr -d , | tail -n 1)
	ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" |
	    tr -d , | tail -n 1)
	if [ "${def:-0}" -gt 0 ]; then
		out+=" definitely-lost=${def}B"
		bad=1
	fi
	if [ "${ind:-0}" -gt 0 ]; then
		out+=" indirectly-lost=${ind}B"
		bad=1
	fi
	# Any other kind of error memcheck counted.
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" |
	    tr -d , | tail -n 1)
	if [ "$bad" -eq 0 ] && [ "${errs:-0}" -gt 0 ]; then
		out+=" other-errors=$errs"
		bad=1
	fi
	# Interior pointers only: reported, not counted.
	pos=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$log" |
	    tr -d , | tail -n 1)
	[ "${pos:-0}" -gt 0 ] && out+=" (possibly lost: ${pos}B)"
	# No summary: the process was killed with SIGKILL (a suite's
	# cleanup, or a kill -9 test), so there was no leak check.
	grep -q 'ERROR SUMMARY' "$log" || out+=" (killed: no exit check)"
	if [ "$bad" -eq 0 ]; then
		out=" clean$out"
	fi
	printf '%s\t%s\t%s\n' "$what" "$pid" "${out# }"
	return "$bad"
}

# check_logs DIR: prints the daemons' logs one by one, provboxctl's
# in one line (there are dozens), every unclean log by name; 0 if all
# are clean.
check_logs() {
	local dir=$1 log line what pid rest bad=0 ctl=0 ctl_bad=0 n=0

	for log in "$dir"/vg.*.log; do
		[ -f "$log" ] || continue
		n=$((n + 1))
		line=$(check_log "$log") || bad=1
		IFS=$'\t' read -r what pid rest <<<"$line"
		if [ "$what" = provboxctl ]; then
			ctl=$((ctl + 1))
			case $rest in
			clean*) continue ;;
			esac
			ctl_bad=$((ctl_bad + 1))
		fi
		printf '  %-20s pid %-7s %s\n' "$what" "$pid" "$rest"
		case $rest in
		clean*) ;;
		*) printf '    %s\n' "$log" ;;
		esac
	done
	[ "$ctl" -gt 0 ] &&
	    printf '  %-20s %d runs, %d clean\n' provboxctl "$ctl" \
	    $((ctl - ctl_bad))
	if [ "$n" -eq 0 ]; then
		echo "  no valgrind log at all: the wrappers never ran"
		bad=1
	fi
	return "$bad"
}

# ------------------------------------------------------------- the suites

passed=0
failed=0
for suite in $suites; do
	script=$src/tests/integration/$suite.sh
	if [ ! -f "$script" ]; then
		echo "$suite: no such suite ($script)"
		failed=$((failed + 1))
		continue
	fi
	logs=$build/logs/$suite
	rm -rf "$logs"
	# Sticky and open to all, like /tmp: a suite runs provboxctl as
	# another user too (refusals as nobody), and its valgrind writes
	# its log here.
	mkdir -p "$logs" && chmod 1777 "$logs"
	only=${PB_ONLY:-}
	extra=()
	# shellcheck disable=SC2086 # https_skip: one name per line
	case $suite in
	malformed) only=${only:-$(malformed_only "$script")} ;;
	https) [ -n "$only" ] || only=$(suite_tests "$script" |
	    grep -vxF -f <(printf '%s\n' $https_skip))
		extra=(PB_HTTPS_MEM_GROWTH_MB="${PB_HTTPS_MEM_GROWTH_MB:-$https_mem}")
		;;
	esac
	# pb_run matches " NAME " in PB_ONLY: one space between names.
	# shellcheck disable=SC2086 # split on any white space
	[ -n "${only// /}" ] && only=$(printf '%s ' $only)
	echo "== $suite.sh under valgrind (logs in $logs)"
	t0=$(date +%s)
	: >"$build/$suite.results"
	env PB_VG_LOGS="$logs" PB_ONLY="$only" "${extra[@]}" \
	    timeout 1800 bash "$script" "$wrapped" "$build/$suite.results" \
	    >"$build/$suite.out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|SKIP)|: [0-9]+ passed, [0-9]+ failed' \
	    "$build/$suite.out"
	if [ "$rc" -eq 77 ]; then
		echo "$suite: skipped (exit 77, see $build/$suite.out)"
		continue
	fi
	if read -r _ p f <"$build/$suite.results" && [ -n "${f:-}" ]; then
		passed=$((passed + p))
		failed=$((failed + f))
	else
		echo "$suite: exit status $rc without a result line"
		failed=$((failed + 1))
	fi
	echo "-- $suite: valgrind logs ($(($(date +%s) - t0)) s)"
	if check_logs "$logs"; then
		echo "PASS $suite-memcheck"
		passed=$((passed + 1))
	else
		echo "FAIL $suite-memcheck: valgrind reported errors (above)"
		failed=$((failed + 1))
	fi
done

echo "  run time: $(($(date +%s) - start)) s"
echo "valgrind: $passed passed, $failed failed"
[ -n "$results" ] && echo "valgrind $passed $failed" >>"$results"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
