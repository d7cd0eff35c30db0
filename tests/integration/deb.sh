#!/usr/bin/env bash
# deb.sh - the Debian package (issue #16): builds it from a copy of the
# tree as a user would, runs lintian on it and checks what it installs.
#
#   bash tests/integration/deb.sh [BUILD_DIR [RESULTS_FILE]]
#
# The tree is copied (git ls-files: tracked and untracked-but-not-ignored
# files, as they are in the working tree; every file but .git and build
# trees without git) into one temporary directory, /tmp/provbox-it.XXXXXX,
# removed at the end (also on failure or Ctrl-C); nothing else is written.
# There it runs dpkg-source -b and "dpkg-buildpackage -us -uc -b" with
# DEB_BUILD_OPTIONS=parallel=2, then lintian on the .dsc and the .changes,
# and reads the .deb with dpkg-deb. No root and no namespaces are needed;
# as root, missing tools (dpkg-dev, debhelper, lintian) are
# installed first, and the sysusers.d and tmpfiles.d snippets are applied
# to a scratch root (systemd-sysusers --root, systemd-tmpfiles --root).
#
# BUILD_DIR (default ../../build) is only looked at for test-suite.log: if
# the unit tests ran there (run-tests runs them with sanitizers before the
# integration suites), the package is built with nocheck, which saves the
# unit tests' build and run; otherwise dh_auto_test runs them (make check,
# the unit tests only). PB_DEB_CHECK=1 or 0 forces either.
#
# Each test prints "PASS name", "FAIL name: reason" or "SKIP name: reason";
# the last line is "deb-integration: N passed, N failed", and RESULTS_FILE
# gets "deb-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77
# if dpkg-buildpackage, dh or lintian is missing and cannot be installed.
# About 1.5 minutes on two cores with nocheck, 2 minutes with the unit
# tests. PB_ONLY and PB_KEEP work as in the other suites.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

# pb_skip REASON...: the current test cannot run here; neither passed nor
# failed.
pb_skip() {
	pb_say "SKIP $PB_TEST: $*"
	printf 'SKIP %s: %s\n' "$PB_TEST" "$*" >>"$PB_TMP/results.log"
}

# Tools as "tool=debian-package"; the optional ones may stay missing.
# No fakeroot: debian/control says Rules-Requires-Root: no.
DEB_TOOLS="dpkg-buildpackage=dpkg-dev dpkg-deb=dpkg dh=debhelper
	lintian=lintian objdump=binutils"
DEB_TOOLS_OPTIONAL="systemd-sysusers=systemd git=git apt-cache=apt"

# deb_init BUILD RESULTS NAME: pb_init without what the network suites
# need (root, namespaces, pbprobe).
deb_init() {
	local pkgs=() missing=() w

	PB_BUILD=$(cd "$1" 2>/dev/null && pwd) || PB_BUILD=$1
	# shellcheck disable=SC2034 # PB_RESULTS and PB_START are lib.sh's
	PB_RESULTS=$2
	PB_SUITE=$3
	# shellcheck disable=SC2034
	PB_START=$(date +%s)
	for w in $DEB_TOOLS $DEB_TOOLS_OPTIONAL; do
		command -v "${w%%=*}" >/dev/null 2>&1 || pkgs+=("${w#*=}")
	done
	if [ ${#pkgs[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
		pb_note "installing: ${pkgs[*]}"
		export DEBIAN_FRONTEND=noninteractive
		for w in "${pkgs[@]}"; do
			apt-get install -y -qq "$w" >/dev/null 2>&1 ||
			    { apt-get update -qq >/dev/null 2>&1 &&
			    apt-get install -y -qq "$w" >/dev/null 2>&1; }
		done
	fi
	for w in $DEB_TOOLS timeout tar; do
		command -v "${w%%=*}" >/dev/null 2>&1 || missing+=("${w%%=*}")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		pb_say "SKIP $PB_SUITE: missing ${missing[*]}"
		exit 77
	fi
	PB_TMP=$(mktemp -d /tmp/provbox-it.XXXXXX) || exit 1
	: >"$PB_TMP/results.log"
	: >"$PB_TMP/pids"
	trap pb_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

deb_init "${1:-$here/../../build}" "${2:-}" deb-integration

# The version of AC_INIT, which the package's version must be.
VERSION=$(sed -n 's/^AC_INIT(\[provbox\], \[\([^]]*\)\].*/\1/p' \
    "$src/configure.ac")
ARCH=$(dpkg --print-architecture)
TREE=$PB_TMP/src/provbox-$VERSION
DEB=$PB_TMP/src/provbox_${VERSION}_$ARCH.deb
CHANGES=$PB_TMP/src/provbox_${VERSION}_$ARCH.changes
DSC=$PB_TMP/dsc/provbox_$VERSION.dsc
ROOT=$PB_TMP/root

# The files of the tree, NUL-separated and relative to $src: what git
# tracks or would track (untracked files not ignored: others' new files
# not yet committed), as they are in the working tree, without what a
# package build in the tree itself would have left in debian/.
tree_files() {
	local f

	if command -v git >/dev/null 2>&1 &&
	    git -c safe.directory="$src" -C "$src" rev-parse --git-dir \
	    >/dev/null 2>&1; then
		git -c safe.directory="$src" -C "$src" ls-files -z --cached \
		    --others --exclude-standard
	else
		(cd "$src" && find . \( -path ./.git -o -path './build*' -o \
		    -path ./autom4te.cache \) -prune -o -type f -print0 |
		    sed -z 's|^\./||')
	fi | while IFS= read -r -d '' f; do
		case $f in
		debian/provbox/* | debian/provbox-dbgsym/* | \
		    debian/.debhelper/* | debian/tmp/* | debian/files | \
		    debian/*.substvars | debian/*debhelper* | debian/*.log)
			continue ;;
		esac
		# A tracked file someone just deleted is not in the tree.
		[ -e "$src/$f" ] && printf '%s\0' "$f"
	done
}

# copy_tree DEST: the tree's files into DEST.
copy_tree() {
	mkdir -p "$1" &&
	    tree_files | (cd "$src" && tar --null -T - -cf -) |
	    tar -C "$1" -xf -
}

# lint FILE OUT: lintian on FILE, every tag, overrides shown; 0 when it ran.
lint() {
	timeout 600 lintian -I --show-overrides --fail-on none "$1" \
	    >"$2" 2>"$2.err"
}

# lint_check OUT: no error or warning, no override that matched nothing
# or matched wrongly (lintian 2.116 reports those as I: unused-override
# and W: mismatched-override).
lint_check() {
	local bad

	bad=$(grep -E '^(E|W): |unused-override|mismatched-override' "$1")
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad" | head -n 20 >&2
	return 1
}

need_deb() {
	[ -f "$DEB" ] || die "no package: the build failed"
}

# ------------------------------------------------------------------ tests

# The tarball make dist makes holds every file of debian/ (EXTRA_DIST in
# Makefile.am), so that it builds with dpkg-buildpackage as the git tree
# does.
t_dist_lists_debian() {
	local f missing=()

	while IFS= read -r -d '' f; do
		case $f in debian/*) ;; *) continue ;; esac
		grep -qF -- "$f" "$src/Makefile.am" || missing+=("$f")
	done < <(tree_files)
	[ ${#missing[@]} -eq 0 ] ||
	    die "not in Makefile.am's EXTRA_DIST: ${missing[*]}"
	pb_pass
}

# Every lintian override has a comment saying why: the line above each
# override is a comment or another override under the same comment.
t_overrides_commented() {
	local f bad

	for f in "$src"/debian/source/lintian-overrides \
	    "$src"/debian/*.lintian-overrides; do
		[ -f "$f" ] || continue
		bad=$(awk '/^[ \t]*#/ { c = 1; next }
		    /^[ \t]*$/ { c = 0; next }
		    { if (!c) print FILENAME ":" FNR ": " $0 }' "$f")
		[ -z "$bad" ] || die "override without a comment: $bad"
	done
	pb_pass
}

# The Build-Depends are installed (what a bare Debian 12 needs beside
# build-essential).
t_build_deps() {
	local out

	out=$(cd "$TREE" && timeout 60 dpkg-checkbuilddeps 2>&1) ||
	    die "$out (apt-get install them)"
	pb_pass
}

# The source package: dpkg-source -b in a clean copy, lintian on the .dsc
# with debian/source/lintian-overrides.
t_source() {
	local t0

	mkdir -p "$PB_TMP/dsc" &&
	    cp -a "$TREE" "$PB_TMP/dsc/" || die "cannot copy the tree"
	(cd "$PB_TMP/dsc" && timeout 300 dpkg-source -b "provbox-$VERSION") \
	    >"$PB_TMP/dpkg-source.out" 2>&1 ||
	    die "dpkg-source -b failed: $(tail -n 5 "$PB_TMP/dpkg-source.out")"
	rm -rf "$PB_TMP/dsc/provbox-$VERSION"
	[ -f "$DSC" ] || die "no $DSC"
	t0=$(date +%s)
	lint "$DSC" "$PB_TMP/lintian-source.out" ||
	    die "lintian failed: $(tail -n 3 "$PB_TMP/lintian-source.out.err")"
	pb_note "lintian on the .dsc: $(($(date +%s) - t0)) s"
	lint_check "$PB_TMP/lintian-source.out" ||
	    die "lintian on the source package (above)"
	pb_pass
}

# dpkg-buildpackage -us -uc -b, as README.Debian says, timed.
t_build() {
	local t0 opts=parallel=2 check

	check=${PB_DEB_CHECK:-}
	if [ -z "$check" ]; then
		check=1
		[ -f "$PB_BUILD/test-suite.log" ] && check=0
	fi
	[ "$check" = 0 ] && opts="$opts nocheck"
	t0=$(date +%s)
	(cd "$TREE" && DEB_BUILD_OPTIONS=$opts timeout 900 \
	    dpkg-buildpackage -us -uc -b) >"$PB_TMP/build.out" 2>&1 ||
	    die "dpkg-buildpackage failed ($PB_TMP/build.out):" \
	    "$(grep -E ': error:|\*\*\*|^(FAIL|ERROR):|^dh_[a-z_]+: error' \
	    "$PB_TMP/build.out" | head -n 5)"
	pb_note "dpkg-buildpackage -b ($opts): $(($(date +%s) - t0)) s"
	if [ "$check" = 1 ]; then
		grep -q '^# FAIL: *0$' "$PB_TMP/build.out" ||
		    die "dh_auto_test ran no unit tests"
	fi
	[ -f "$DEB" ] && [ -f "$CHANGES" ] || die "no $DEB or $CHANGES"
	pb_pass
}

# lintian on the .changes (the .deb, with debian/provbox.lintian-overrides
# as the package installs them): no error, no warning.
t_lintian() {
	local t0

	need_deb
	t0=$(date +%s)
	lint "$CHANGES" "$PB_TMP/lintian.out" ||
	    die "lintian failed: $(tail -n 3 "$PB_TMP/lintian.out.err")"
	pb_note "lintian on the .changes: $(($(date +%s) - t0)) s"
	lint_check "$PB_TMP/lintian.out" || die "lintian (above)"
	pb_pass
}

# has MODE PATH: the package holds PATH with MODE (ls -l style).
has() {
	grep -qxF -- "$1 $2" "$PB_TMP/contents"
}

# What the package installs, read with dpkg-deb -c.
t_contents() {
	local f p missing=()

	need_deb
	# "mode path" per entry, the leading "." dropped.
	dpkg-deb -c "$DEB" | awk '{ sub(/^\./, "", $6); print $1, $6 }' \
	    >"$PB_TMP/contents" || die "dpkg-deb -c failed"
	for p in provbox-dhcpd provbox-provisiond provboxctl; do
		has -rwxr-xr-x "/usr/sbin/$p" ||
		    missing+=("/usr/sbin/$p (0755)")
	done
	has -rwxr-xr-x /lib/systemd/system-generators/provbox-generator ||
	    missing+=("/lib/systemd/system-generators/provbox-generator (0755)")
	for f in /lib/systemd/system/provbox-dhcpd.service \
	    /lib/systemd/system/provbox-provisiond.service \
	    /usr/lib/sysusers.d/provbox.conf /usr/lib/tmpfiles.d/provbox.conf \
	    /usr/share/man/man8/provbox-dhcpd.8.gz \
	    /usr/share/man/man8/provbox-provisiond.8.gz \
	    /usr/share/man/man8/provboxctl.8.gz \
	    /usr/share/man/man5/provbox.conf.5.gz \
	    /usr/share/bash-completion/completions/provboxctl \
	    /usr/share/doc/provbox/README.Debian \
	    /usr/share/doc/provbox/copyright \
	    /etc/provbox/provbox.conf /etc/provbox/vendors.conf; do
		has -rw-r--r-- "$f" || missing+=("$f (0644)")
	done
	has -rw-r----- /etc/provbox/users.conf ||
	    missing+=("/etc/provbox/users.conf (0640: SIP passwords)")
	while IFS= read -r f; do
		has -rw-r--r-- "/etc/provbox/templates/$f" ||
		    missing+=("/etc/provbox/templates/$f")
	done < <(cd "$TREE/etc/templates" && find . -type f | sed 's|^\./||')
	[ ${#missing[@]} -eq 0 ] || die "missing or wrong mode: ${missing[*]}"
	# The TLS key is made on the admin's machine, never shipped.
	grep -q ' /etc/provbox/tls' "$PB_TMP/contents" &&
	    die "the package ships /etc/provbox/tls"
	pb_pass
}

# Every file under /etc is a conffile, and every conffile is a file under
# /etc/provbox the package ships.
t_conffiles() {
	local conff shipped

	need_deb
	mkdir -p "$PB_TMP/control" &&
	    dpkg-deb -e "$DEB" "$PB_TMP/control" || die "dpkg-deb -e failed"
	conff=$(sort "$PB_TMP/control/conffiles" 2>/dev/null)
	shipped=$(dpkg-deb -c "$DEB" | awk '$1 ~ /^-/ { sub(/^\./, "", $6);
	    print $6 }' | grep '^/etc/' | sort)
	[ -n "$conff" ] || die "no conffiles"
	[ "$conff" = "$shipped" ] ||
	    die "conffiles differ from the files under /etc:" \
	    "$(diff <(printf '%s\n' "$conff") <(printf '%s\n' "$shipped") |
	    grep '^[<>]' | head -n 5 | tr '\n' ' ')"
	printf '%s\n' "$conff" | grep -qx /etc/provbox/users.conf ||
	    die "users.conf is not a conffile"
	pb_note "$(printf '%s\n' "$conff" | wc -l) conffiles"
	pb_pass
}

# The units and snippets name the installed paths (sbindir /usr/sbin,
# sysconfdir /etc), with nothing of make's @...@ left.
t_units() {
	local u f out

	need_deb
	rm -rf "$ROOT" && mkdir -p "$ROOT" &&
	    dpkg-deb -x "$DEB" "$ROOT" || die "dpkg-deb -x failed"
	for u in provbox-dhcpd provbox-provisiond; do
		f=$ROOT/lib/systemd/system/$u.service
		grep -qE "^ExecStart=/usr/sbin/$u( |\$)" "$f" ||
		    die "$u.service: no ExecStart= of /usr/sbin/$u"
		grep -q '^ExecStart=.* /etc/provbox/provbox.conf' "$f" ||
		    die "$u.service: ExecStart= does not name /etc/provbox"
		grep -qx 'ConfigurationDirectory=provbox' "$f" ||
		    die "$u.service: no ConfigurationDirectory=provbox"
		grep -qx 'User=provbox' "$f" ||
		    die "$u.service: no User=provbox"
	done
	grep -q '@[a-z_]*@' "$ROOT"/lib/systemd/system/*.service \
	    "$ROOT"/usr/lib/tmpfiles.d/provbox.conf &&
	    die "an @...@ left unsubstituted"
	grep -q '^z /etc/provbox/users.conf 0640 root provbox' \
	    "$ROOT/usr/lib/tmpfiles.d/provbox.conf" ||
	    die "tmpfiles.d: no group for /etc/provbox/users.conf"
	# systemd-analyze verify on the packaged units, their /usr/sbin
	# pointed at the extracted binaries (--root would need a whole
	# system there); the man pages are not installed on the host.
	if command -v systemd-analyze >/dev/null 2>&1; then
		mkdir -p "$PB_TMP/verify"
		for u in provbox-dhcpd provbox-provisiond; do
			sed "s|/usr/sbin/|$ROOT/usr/sbin/|g" \
			    "$ROOT/lib/systemd/system/$u.service" \
			    >"$PB_TMP/verify/$u.service"
		done
		out=$(cd "$PB_TMP" && timeout 60 systemd-analyze verify \
		    --man=no "$PB_TMP"/verify/*.service 2>&1) &&
		    [ -z "$out" ] || die "systemd-analyze verify: $out"
	fi
	pb_pass
}

# Maintainer scripts: the user first (systemd-sysusers), then its
# directories (systemd-tmpfiles), then the units; the units are never
# enabled by a first install (only the admin's state is kept on upgrades)
# and deb-systemd-invoke starts only enabled ones; purge removes the
# registry.
t_maintscripts() {
	local pi pr u l1 l2 l3

	need_deb
	[ -f "$PB_TMP/control/postinst" ] ||
	    dpkg-deb -e "$DEB" "$PB_TMP/control"
	pi=$PB_TMP/control/postinst
	pr=$PB_TMP/control/postrm
	l1=$(grep -n 'systemd-sysusers .*provbox.conf' "$pi" | head -n 1)
	l2=$(grep -n 'systemd-tmpfiles .*--create provbox.conf' "$pi" |
	    head -n 1)
	l3=$(grep -n 'deb-systemd-invoke' "$pi" | head -n 1)
	[ -n "$l1" ] || die "postinst: no systemd-sysusers provbox.conf"
	[ -n "$l2" ] ||
	    die "postinst: no systemd-tmpfiles --create provbox.conf"
	[ -n "$l3" ] || die "postinst: no deb-systemd-invoke"
	[ "${l1%%:*}" -lt "${l2%%:*}" ] && [ "${l2%%:*}" -lt "${l3%%:*}" ] ||
	    die "postinst: not sysusers, tmpfiles, units in this order"
	for u in provbox-dhcpd provbox-provisiond; do
		# dh_installsystemd --no-enable: "enable" only for a unit
		# deb-systemd-helper knows was enabled before.
		awk -v u="'$u.service'" '
		    $0 ~ "debian-installed " u { guarded = 1 }
		    $0 ~ "deb-systemd-helper enable " u && !guarded { bad = 1 }
		    END { exit bad }' "$pi" ||
		    die "postinst enables $u.service on a first install"
		grep -q "debian-installed '$u.service'" "$pi" ||
		    die "postinst: $u.service not handled by dh_installsystemd"
		grep -q "deb-systemd-invoke stop '$u.service'" \
		    "$PB_TMP/control/prerm" 2>/dev/null ||
		    grep -q "deb-systemd-invoke stop .*'$u.service'" \
		    "$PB_TMP/control/prerm" 2>/dev/null ||
		    die "prerm does not stop $u.service"
	done
	grep -q 'rm -rf /var/lib/provbox' "$pr" ||
	    die "postrm: purge keeps /var/lib/provbox"
	pb_pass
}

# The sysusers.d and tmpfiles.d snippets applied to a scratch root as the
# postinst applies them to /: the system user provbox, its directories,
# users.conf readable by the group provbox only.
t_sysusers_tmpfiles() {
	local pw uid gid w got

	need_deb
	if [ "$(id -u)" -ne 0 ]; then
		pb_skip "needs root (chown in the scratch root)"
		return 0
	fi
	command -v systemd-sysusers >/dev/null 2>&1 || {
		pb_skip "no systemd-sysusers"
		return 0
	}
	[ -d "$ROOT/usr" ] || dpkg-deb -x "$DEB" "$ROOT" ||
	    die "dpkg-deb -x failed"
	mkdir -p "$ROOT/etc" && : >>"$ROOT/etc/passwd" &&
	    : >>"$ROOT/etc/group" || die "cannot write the scratch root"
	timeout 60 systemd-sysusers --root="$ROOT" provbox.conf \
	    >"$PB_TMP/sysusers.out" 2>&1 ||
	    die "systemd-sysusers: $(head -n 3 "$PB_TMP/sysusers.out")"
	pw=$(grep '^provbox:' "$ROOT/etc/passwd") || die "no user provbox"
	IFS=: read -r _ _ uid gid _ _ _ <<<"$pw"
	[ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] ||
	    die "provbox is not a system user: $pw"
	case $pw in
	*:/var/lib/provbox:/usr/sbin/nologin) ;;
	*:/var/lib/provbox:/sbin/nologin) ;;
	*) die "home or shell: $pw" ;;
	esac
	grep -q "^provbox:x:$gid:" "$ROOT/etc/group" || die "no group provbox"
	timeout 60 systemd-tmpfiles --root="$ROOT" --create provbox.conf \
	    >"$PB_TMP/tmpfiles.out" 2>&1 ||
	    die "systemd-tmpfiles: $(head -n 3 "$PB_TMP/tmpfiles.out")"
	for w in "var/lib/provbox 700 $uid $gid" "run/provbox 755 $uid $gid" \
	    "etc/provbox/users.conf 640 0 $gid"; do
		got=$(stat -c '%a %u %g' "$ROOT/${w%% *}")
		[ "$got" = "${w#* }" ] ||
		    die "${w%% *}: mode uid gid $got, not ${w#* }"
	done
	pb_pass
}

# Depends: every alternative names a package apt knows, and every library
# the binaries need comes from a package in Depends.
t_depends() {
	local dep alt names=() n found unknown=() lib pkg b

	need_deb
	dep=$(dpkg-deb -f "$DEB" Depends) || die "dpkg-deb -f failed"
	[ -n "$dep" ] || die "no Depends"
	if command -v apt-cache >/dev/null 2>&1; then
		while IFS= read -r alt; do
			found=0
			IFS='|' read -r -a names <<<"$alt"
			for n in "${names[@]}"; do
				n=$(printf '%s' "$n" |
				    sed 's/(.*//; s/[[:space:]]//g')
				apt-cache show -q "$n" >/dev/null 2>&1 &&
				    found=1
				dpkg-query -W "$n" >/dev/null 2>&1 && found=1
			done
			[ "$found" = 1 ] || unknown+=("$alt")
		done < <(printf '%s\n' "$dep" | tr ',' '\n')
		[ ${#unknown[@]} -eq 0 ] ||
		    die "no such package: ${unknown[*]}"
	fi
	[ -d "$ROOT/usr" ] || dpkg-deb -x "$DEB" "$ROOT" ||
	    die "dpkg-deb -x failed"
	for b in provbox-dhcpd provbox-provisiond provboxctl; do
		for lib in $(objdump -p "$ROOT/usr/sbin/$b" 2>/dev/null |
		    awk '$1 == "NEEDED" { print $2 }'); do
			pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1)
			pkg=${pkg%%:*}
			[ -n "$pkg" ] || die "$b needs $lib, from no package"
			printf '%s\n' "$dep" |
			    grep -qE "(^|[ ,|])$pkg( |,|\$)" ||
			    die "$b needs $lib ($pkg), not in Depends: $dep"
		done
	done
	pb_pass
}

# The package's version is AC_INIT's, and so is what the installed
# binaries print for --version (a copy of the tree has no .git).
t_version() {
	local v b out

	need_deb
	v=$(dpkg-deb -f "$DEB" Version)
	[ "$v" = "$VERSION" ] || die "package version $v, configure.ac $VERSION"
	[ -d "$ROOT/usr" ] || dpkg-deb -x "$DEB" "$ROOT" ||
	    die "dpkg-deb -x failed"
	for b in provbox-dhcpd provbox-provisiond provboxctl; do
		out=$(timeout 10 "$ROOT/usr/sbin/$b" --version 2>&1) ||
		    die "$b --version failed: $out"
		printf '%s\n' "$out" | grep -qF "$VERSION" ||
		    die "$b --version: $out"
	done
	pb_pass
}

# ------------------------------------------------------------------ run

[ -n "$VERSION" ] || { pb_fail setup "no version in configure.ac"; pb_finish; }
copy_tree "$TREE" || { pb_fail setup "cannot copy the tree"; pb_finish; }
pb_note "source: $(tree_files | tr -cd '\0' | wc -c) files in $TREE"

pb_run dist-lists-debian 30 t_dist_lists_debian
pb_run overrides-commented 10 t_overrides_commented
pb_run build-deps 60 t_build_deps
pb_run source-package 300 t_source
pb_run build 960 t_build
pb_run lintian 600 t_lintian
pb_run contents 30 t_contents
pb_run conffiles 30 t_conffiles
pb_run units 30 t_units
pb_run maintscripts 30 t_maintscripts
pb_run sysusers-tmpfiles 60 t_sysusers_tmpfiles
pb_run depends 60 t_depends
pb_run version 30 t_version
pb_finish
