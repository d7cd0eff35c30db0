# deps.sh - sourced by ./quickstart and ./run-tests: installs the Debian
# packages provbox needs when any is missing. Needs root for apt-get.

# pb_install_deps PACKAGE...
pb_install_deps() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}" >&2
		echo "run as root (sudo $0), or: apt-get install ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	# Packages that ship a service (prometheus, for its promtool) must not
	# start it on the host: a policy-rc.d refuses every start during the
	# install, removed after if this function put it there.
	local made='' rc
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# provbox deps: no service starts\nexit 101\n' \
		    >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d &&
		    made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	rc=$?
	[ -n "$made" ] && rm -f /usr/sbin/policy-rc.d
	return $rc
}

# What building provbox needs.
PB_BUILD_DEPS=(build-essential autoconf automake libtool pkg-config
	libevent-dev libssl-dev libconfig-dev liblmdb-dev libseccomp-dev
	libsystemd-dev libcap-ng-dev check libjansson-dev libosip2-dev openssl
	tzdata)

# What the integration tests need on top: real DHCP clients and a relay,
# a capture tool, the network namespace tools, HTTPS clients and a load
# generator, and mdb_dump to read tokens from the registry.
# clang-14 and its runtime build the libFuzzer targets (make fuzz-smoke);
# perfdhcp (kea-admin) is the DHCP load generator, testssl.sh audits TLS,
# valgrind checks the daemons for leaks and invalid accesses; nmap (its
# broadcast-dhcp-discover script), dhcping and systemd's networkd are more
# DHCP clients (tests/integration/options.sh). strace watches the daemons'
# start (lifecycle.sh), promtool (prometheus) checks the metrics scrapes,
# debhelper and lintian build and check the Debian package; atftp and
# tftp-hpa are the TFTP clients (tftp.sh), python3 its raw one.
PB_TEST_DEPS=(isc-dhcp-client udhcpc dhcpcd-base isc-dhcp-relay tshark
	iproute2 curl nghttp2-client lmdb-utils clang-14 libclang-rt-14-dev
	kea-admin testssl.sh valgrind nmap dhcping systemd jq bash-completion
	strace prometheus debhelper lintian atftp tftp-hpa python3)
