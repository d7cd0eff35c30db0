#!/usr/bin/env bash
# install.sh - integration tests of make install and make uninstall.
#
#   bash tests/integration/install.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must be a
# configured build tree (it holds a Makefile). Everything is installed with
# DESTDIR into one temporary directory, /tmp/provbox-it.XXXXXX, removed at
# the end (also on failure or Ctrl-C); nothing outside it is written, but
# for what make itself rebuilds in BUILD_DIR. Root is not needed: as root,
# missing tools (man-db, systemd for systemd-analyze) are installed first.
#
# Each test prints "PASS name", "FAIL name: reason" or "SKIP name: reason";
# the last line is "install-integration: N passed, N failed", and
# RESULTS_FILE gets "install-integration PASSED FAILED". Exit 0 if all
# passed, 1 if not, 77 if make, man or cmp is missing and cannot be
# installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (after the first
# install); PB_KEEP=1 keeps the temporary directory (the installed tree,
# make's output).

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
INST_TOOLS="make=make man=man-db cmp=diffutils"
INST_TOOLS_OPTIONAL="systemd-analyze=systemd"

# inst_init BUILD RESULTS NAME: pb_init without what the network suites
# need (root, namespaces, pbprobe).
inst_init() {
	local pkgs=() missing=() w

	PB_BUILD=$(cd "$1" 2>/dev/null && pwd) || PB_BUILD=$1
	# shellcheck disable=SC2034 # PB_RESULTS and PB_START are lib.sh's
	PB_RESULTS=$2
	PB_SUITE=$3
	# shellcheck disable=SC2034
	PB_START=$(date +%s)
	for w in $INST_TOOLS $INST_TOOLS_OPTIONAL; do
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
	for w in $INST_TOOLS timeout; do
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
	if [ ! -f "$PB_BUILD/Makefile" ]; then
		pb_fail setup "$PB_BUILD is not a configured build tree" \
		    "(no Makefile)"
		pb_finish
	fi
}

inst_init "${1:-$here/../../build}" "${2:-}" install-integration

D=$PB_TMP/dest
# Set by read_dirs.
prefix='' sbindir='' sysconfdir='' mandir='' unitdir='' generatordir=''

# The installation directories, as the build tree's Makefile has them
# (fully expanded by make), into shell variables of the same names.
read_dirs() {
	local out v

	printf 'pb-print-dirs:\n' >"$PB_TMP/dirs.mk"
	for v in prefix sbindir sysconfdir mandir systemdsystemunitdir \
	    systemdsystemgeneratordir; do
		printf "\t@echo \"%s='\$(%s)'\"\n" "${v#systemdsystem}" "$v" \
		    >>"$PB_TMP/dirs.mk"
	done
	out=$(timeout 120 make --no-print-directory -s -C "$PB_BUILD" \
	    -f Makefile -f "$PB_TMP/dirs.mk" pb-print-dirs \
	    2>"$PB_TMP/dirs.err") || return 1
	eval "$out"
	[ -n "${sbindir:-}" ] && [ -n "${sysconfdir:-}" ] &&
	    [ -n "${mandir:-}" ] && [ -n "${unitdir:-}" ]
}

# make install or uninstall into $D; output in $PB_TMP/make-NAME.out.
run_make() {
	local name=$1

	shift
	timeout 900 make -C "$PB_BUILD" "$@" DESTDIR="$D" \
	    >"$PB_TMP/make-$name.out" 2>&1
}

# mode PATH: the permission bits, in octal.
mode() {
	stat -c %a "$1"
}

CONF=
PAGES="man8/provbox-dhcpd.8 man8/provbox-provisiond.8 man8/provboxctl.8
	man5/provbox.conf.5"
UNITS="provbox-dhcpd provbox-provisiond"

# ------------------------------------------------------------------- tests

t_binaries() {
	local b out

	for b in provbox-dhcpd provbox-provisiond provboxctl; do
		[ -f "$D$sbindir/$b" ] || die "$sbindir/$b is not installed"
		[ -x "$D$sbindir/$b" ] || die "$sbindir/$b is not executable"
	done
	# The daemons' built-in default config is the installed one.
	out=$(timeout 20 "$D$sbindir/provbox-dhcpd" -h 2>&1)
	grep -qF "(default $CONF)" <<<"$out" ||
	    die "provbox-dhcpd -h does not name $CONF: $out"
	pb_pass
}

t_configs() {
	local f want

	for f in provbox.conf:644 vendors.conf:644 users.conf:640; do
		want=${f#*:}
		f=${f%:*}
		[ -f "$D$sysconfdir/provbox/$f" ] ||
		    die "$sysconfdir/provbox/$f is not installed"
		cmp -s "$src/etc/$f" "$D$sysconfdir/provbox/$f" ||
		    die "$sysconfdir/provbox/$f differs from etc/$f"
		[ "$(mode "$D$sysconfdir/provbox/$f")" = "$want" ] ||
		    die "$f has mode $(mode "$D$sysconfdir/provbox/$f"), not $want"
	done
	pb_pass
}

t_templates() {
	local f n=0 dst

	while read -r f; do
		dst=$D$sysconfdir/provbox/templates/$f
		[ -f "$dst" ] || die "templates/$f is not installed"
		cmp -s "$src/etc/templates/$f" "$dst" ||
		    die "templates/$f differs from the source"
		[ "$(mode "$dst")" = 644 ] ||
		    die "templates/$f has mode $(mode "$dst"), not 644"
		n=$((n + 1))
	done < <(cd "$src/etc/templates" && find . -type f | sed 's|^\./||')
	[ "$n" -gt 0 ] || die "no templates in $src/etc/templates"
	# The installed config finds every template its rules name.
	[ -d "$D$sysconfdir/provbox/templates/yealink" ] ||
	    die "templates/yealink is missing"
	pb_pass "templates ($n files)"
}

t_man_pages() {
	local p

	for p in $PAGES; do
		[ -f "$D$mandir/$p" ] || die "$mandir/$p is not installed"
	done
	pb_pass
}

# Every page renders with neither groff nor man warning about anything.
t_man_render() {
	local p err

	for p in $PAGES; do
		err=$PB_TMP/man-$(basename "$p").err
		LC_ALL=C.UTF-8 MANWIDTH=80 timeout 60 man --warnings -l \
		    "$D$mandir/$p" >"$PB_TMP/man.out" 2>"$err" ||
		    die "man -l $p failed: $(head -n 3 "$err")"
		[ -s "$err" ] && die "man -l $p warns: $(head -n 3 "$err")"
		grep -q '^NAME' "$PB_TMP/man.out" ||
		    die "man -l $p renders no NAME section"
		# mandoc's own checker, where it is installed (not required).
		if command -v mandoc >/dev/null 2>&1; then
			timeout 60 mandoc -T lint -W warning "$D$mandir/$p" \
			    >"$err" 2>&1 ||
			    die "mandoc -T lint $p: $(head -n 3 "$err")"
		fi
	done
	pb_pass
}

t_units() {
	local u f

	[ "$unitdir" != no ] || die "configured --without-systemdsystemunitdir"
	for u in $UNITS; do
		f=$D$unitdir/$u.service
		[ -f "$f" ] || die "$unitdir/$u.service is not installed"
		grep -q '@[a-z_]*@' "$f" && die "$u.service has @...@ left"
		grep -qxF "ExecStart=$sbindir/$u -f -c $CONF" "$f" ||
		    die "$u.service does not run $sbindir/$u -f -c $CONF"
		grep -qxF "ExecStartPre=$sbindir/$u -t -c $CONF" "$f" ||
		    die "$u.service does not check the config first"
		# Type=notify; the reload goes through provboxctl, which asks
		# the daemon over its control socket (journal.sh runs it).
		grep -qx 'Type=notify' "$f" || die "$u.service: not Type=notify"
		sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$f" |
		    grep -qxF "ExecReload=$sbindir/provboxctl -c $CONF reload --daemon ${u#provbox-}" ||
		    die "$u.service does not reload through provboxctl"
		grep -qx 'User=provbox' "$f" || die "$u.service: no User=provbox"
		grep -qx 'ProtectSystem=strict' "$f" ||
		    die "$u.service: no ProtectSystem=strict"
	done
	pb_pass
}

# systemd-analyze verify on copies of the installed units whose commands
# point into $D (verify wants them to exist), with the installed man pages
# on MANPATH (verify checks Documentation=man:...). It warns about unknown
# or bad settings on stderr and still exits 0: any output fails the test.
t_units_verify() {
	local v=$PB_TMP/verify u out

	if ! command -v systemd-analyze >/dev/null 2>&1; then
		pb_skip "systemd-analyze is not installed (apt-get install" \
		    "systemd)"
		return
	fi
	mkdir -p "$v"
	# Can it run here at all? A trivial unit must pass.
	printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' \
	    >"$v/pbtrivial.service"
	if ! out=$(timeout 60 systemd-analyze verify --man=no \
	    "$v/pbtrivial.service" 2>&1); then
		pb_skip "systemd-analyze verify cannot run here: $out"
		return
	fi
	for u in $UNITS; do
		sed "s|$sbindir/|$D$sbindir/|g" "$D$unitdir/$u.service" \
		    >"$v/$u.service"
	done
	out=$(cd "$v" && MANPATH="$D$mandir:" timeout 60 systemd-analyze \
	    verify "$v/provbox-dhcpd.service" \
	    "$v/provbox-provisiond.service" 2>&1) ||
	    die "systemd-analyze verify failed: $out"
	[ -z "$out" ] || die "systemd-analyze verify warns: $out"
	pb_pass
}

t_sysusers_tmpfiles() {
	local su=$D$prefix/lib/sysusers.d/provbox.conf
	local tf=$D$prefix/lib/tmpfiles.d/provbox.conf

	[ -f "$su" ] || die "$prefix/lib/sysusers.d/provbox.conf is not installed"
	[ -f "$tf" ] || die "$prefix/lib/tmpfiles.d/provbox.conf is not installed"
	grep -qE '^u provbox - "provbox appliance" /var/lib/provbox$' "$su" ||
	    die "sysusers.d/provbox.conf does not create the user provbox"
	grep -qE '^d /var/lib/provbox 0700 provbox provbox' "$tf" ||
	    die "tmpfiles.d/provbox.conf does not make /var/lib/provbox"
	grep -qE '^d /run/provbox 0755 provbox provbox' "$tf" ||
	    die "tmpfiles.d/provbox.conf does not make /run/provbox"
	grep -qE "^z $sysconfdir/provbox/users.conf 0640 root provbox" "$tf" ||
	    die "tmpfiles.d/provbox.conf does not give users.conf its group"
	grep -q '@sysconfdir@' "$tf" && die "tmpfiles.d has @sysconfdir@ left"
	pb_pass
}

# A second install keeps the admin's provbox.conf and puts the shipped one
# beside it; files the admin did not change get no .new.
t_reinstall() {
	local c=$D$sysconfdir/provbox

	printf '# changed by the admin\n' >>"$c/provbox.conf"
	cp -p "$c/provbox.conf" "$PB_TMP/edited.conf"
	run_make reinstall install ||
	    die "second make install failed: $(tail -n 5 "$PB_TMP/make-reinstall.out")"
	cmp -s "$PB_TMP/edited.conf" "$c/provbox.conf" ||
	    die "the admin's provbox.conf was overwritten"
	[ -f "$c/provbox.conf.new" ] || die "no provbox.conf.new"
	cmp -s "$src/etc/provbox.conf" "$c/provbox.conf.new" ||
	    die "provbox.conf.new is not the shipped file"
	[ -e "$c/users.conf.new" ] && die "users.conf.new for an unchanged file"
	[ "$(mode "$c/users.conf")" = 640 ] ||
	    die "users.conf has mode $(mode "$c/users.conf") after reinstall"
	pb_pass
}

# The generator: installed beside the units, executable; run on configs
# that move the registry and the run directory, it writes both units a
# drop-in naming them; on a path with a space or a config with an error,
# nothing (and exit 0: a generator must not fail the boot).
t_generator() {
	local g=$D$generatordir/provbox-generator run o=$PB_TMP/gen u f

	[ -x "$g" ] || die "$generatordir/provbox-generator is not installed"
	grep -qF "$sbindir/provboxctl -c" "$g" && grep -qF "$CONF" "$g" ||
	    die "the generator does not name $sbindir/provboxctl and $CONF"
	# The installed provboxctl is under DESTDIR here.
	run=$PB_TMP/generator
	sed "s|$sbindir/provboxctl|$D$sbindir/provboxctl|" "$g" >"$run"
	printf 'registry = { path = "/srv/pb-reg"; };\nrun_dir = "/run/pb-run";\n' \
	    >"$PB_TMP/moved.conf"
	PROVBOX_CONF=$PB_TMP/moved.conf sh "$run" "$o" "$o.early" "$o.late" ||
	    die "the generator failed"
	for u in $UNITS; do
		f=$o/$u.service.d/50-provbox-paths.conf
		[ -f "$f" ] || die "no drop-in for $u"
		grep -qx '\[Service\]' "$f" &&
		    grep -qx 'ReadWritePaths=-/srv/pb-reg -/run/pb-run' "$f" ||
		    die "$u's drop-in: $(tr '\n' '|' <"$f")"
	done
	printf 'registry = { path = "/srv/pb reg"; };\n' >"$PB_TMP/space.conf"
	printf 'registry = { path = 7; };\n' >"$PB_TMP/broken.conf"
	for c in space broken; do
		rm -rf "$o.$c"
		PROVBOX_CONF=$PB_TMP/$c.conf sh "$run" "$o.$c" ||
		    die "the generator failed on the $c config"
		[ -z "$(find "$o.$c" -type f 2>/dev/null)" ] ||
		    die "a drop-in from the $c config"
	done
	pb_pass
}

# make uninstall removes every file but the config the admin changed.
t_uninstall() {
	local left want=

	# The config reinstall-keeps-config changed, if that test ran.
	[ -f "$PB_TMP/edited.conf" ] && want=.$sysconfdir/provbox/provbox.conf
	run_make uninstall uninstall ||
	    die "make uninstall failed: $(tail -n 5 "$PB_TMP/make-uninstall.out")"
	left=$(cd "$D" && find . \( -type f -o -type l \) -print | sort)
	[ "$left" = "$want" ] ||
	    die "left after uninstall: $(tr '\n' ' ' <<<"$left")"
	if [ -n "$want" ]; then
		cmp -s "$PB_TMP/edited.conf" "$D$sysconfdir/provbox/provbox.conf" ||
		    die "the admin's provbox.conf changed on uninstall"
	fi
	pb_pass
}

# ------------------------------------------------------------------- main

if ! read_dirs; then
	pb_fail setup "cannot read the install directories from" \
	    "$PB_BUILD/Makefile: $(tail -n 3 "$PB_TMP/dirs.err")"
	pb_finish
fi
CONF=$sysconfdir/provbox/provbox.conf
pb_note "prefix $prefix, units in $unitdir, DESTDIR $D"
if ! run_make install install; then
	pb_fail make-install "$(tail -n 5 "$PB_TMP/make-install.out")"
	pb_finish
fi
pb_pass make-install

pb_run binaries 60 t_binaries
pb_run configs 30 t_configs
pb_run templates 30 t_templates
pb_run man-pages 30 t_man_pages
pb_run man-render 120 t_man_render
pb_run systemd-units 30 t_units
pb_run systemd-verify 120 t_units_verify
pb_run sysusers-tmpfiles 30 t_sysusers_tmpfiles
pb_run generator 30 t_generator
pb_run reinstall-keeps-config 900 t_reinstall
pb_run uninstall 900 t_uninstall
pb_finish
