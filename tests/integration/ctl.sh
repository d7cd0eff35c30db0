#!/usr/bin/env bash
# ctl.sh - integration tests of provboxctl against running daemons.
#
#   bash tests/integration/ctl.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script. Needs root: it builds
# its own network in namespaces (see lib.sh for the names) and removes it
# at the end, also on failure or Ctrl-C:
#
#   $T-c1: ${T}c1 10.42.0.30/24 -- veth -- $T-srv: ${T}s1 10.42.0.1/24
#   curl, and pbprobe as             provbox-dhcpd, provbox-provisiond
#   the phones (their MACs)          (HTTPS on 10.42.0.1:443), one registry
#
# The suite writes its own config (a token-mode "yealink" class with a
# ${mac}.cfg template, users alice and bob with one phone each, a
# self-signed server certificate), builds the registry with provboxctl
# sync, starts both daemons with -f (their pid and reload status files go
# to the suite's run_dir) and drives them with provboxctl, checking each
# answer against what the daemons really do: curl for the provisioning
# folders, pbprobe DHCP exchanges for the leases and the options. The
# lease tests release and delete leases (bound, declined, unknown) and,
# with provbox-dhcpd running on a full pool of four of its own, show the
# server offering what lease delete and lease release freed. Every
# command's --json output is checked with jq against the schema
# provboxctl(8) documents (write_schemas), --version and --help against
# the build, and the bash completion (contrib/) against the registry.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "ctl-integration: N passed, N failed", and RESULTS_FILE gets
# "ctl-integration PASSED FAILED". Exit 0 if all passed, 1 if not, 77 if
# not root or a tool is missing and cannot be installed.
#
# Environment: PB_ONLY="name ..." runs only those tests (and the final log
# and sanitizer checks; later tests use what earlier ones set up, so pick
# a prefix of the list); PB_KEEP=1 keeps the temporary directory (config,
# logs, every provboxctl output).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
# Read by pb_need_tools: python3 and jq parse the --json output;
# bash-completion's functions run provboxctl's completion (stand-ins when
# the package is missing).
# shellcheck disable=SC2034
PB_TOOLS="curl=curl openssl=openssl python3=python3 ip=iproute2 jq=jq"
pb_init "${1:-$here/../../build}" "${2:-}" ctl-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_C1=$T-c1
IF_S1=${T}s1
IF_C1=${T}c1
SRV_IP=10.42.0.1
C1_IP=10.42.0.30
BASE_URL=https://$SRV_IP
PROVD=$PB_BUILD/provbox-provisiond
COMPLETION=$here/../../contrib/bash-completion/provboxctl
TOKEN_URL_RE="^https://10\\.42\\.0\\.1/p/([A-Za-z0-9_-]{32})/\$"
UNREG_URL=$BASE_URL/unregistered/

# The phones. No password is 32 characters long, so none can be taken for
# a token.
MAC_ALICE=80:5e:c0:10:00:01
MAC_BOB=80:5e:c0:10:00:02
MAC_CAROL=80:5e:c0:10:00:03	# added by reload-new-user
MAC_UNREG=80:5e:c0:10:00:99
PW_ALICE=alice-Sip-Pw-5711
PW_BOB=bob-Sip-Pw-5712
PW_CAROL=carol-Sip-Pw-5713
PW_MALLORY=mallory-Sip-Pw-5719	# only in the broken users.conf
# Display names that JSON must escape and that take more bytes than
# columns; a DHCP hostname with bytes provboxctl escapes, in the table and
# in --json as in log lines: every byte outside printable ASCII as \xNN,
# also valid UTF-8 (a client's bytes are not text).
BOB_NAME='Bob "Boss" Sales\East'
BOB_NAME_CONF='Bob \"Boss\" Sales\\East'	# as written in users.conf
CAROL_NAME='Carol Öztürk'
ODD_HOST=$'pc"7\\q\001\xc3\xa9\xff'
ODD_HOST_SHOWN='pc\"7\\q\x01\xc3\xa9\xff'	# as provboxctl shows it
ODD_HOST_JSON=$ODD_HOST_SHOWN			# the JSON string's value

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
RUN_DIR=$PB_TMP/run
LOGS=$PB_TMP/logs
DHCPD_LOG=$LOGS/dhcpd.log
PROV_LOG=$LOGS/provisiond.log
CTL_ERR=$LOGS/provboxctl.err	# every provboxctl run's stderr
OUT=$PB_TMP/out
TOKENS=$PB_TMP/tokens		# every full token the suite saw
mkdir -p "$LOGS" "$OUT" "$CONF_DIR/tls" "$CONF_DIR/templates" \
    "$CONF_DIR/static"
: >"$DHCPD_LOG"
: >"$PROV_LOG"
: >"$CTL_ERR"
: >"$TOKENS"

# ------------------------------------------------------------------ config

write_main() {
	cat >"$CONF" <<EOF
# Written by tests/integration/ctl.sh.
registry = { path = "$PB_TMP/registry"; map_size_mb = 64; sync = false; };
log = { level = "info"; };
run_dir = "$RUN_DIR";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  min_lease_time = 60;
  max_lease_time = 86400;
  offer_time = 60;
  # No DNS, domain or NTP options.
  subnets = (
    { subnet = "10.42.0.0/24";
      pools = ( { start = "10.42.0.100"; end = "10.42.0.200"; } );
      routers = [ "$SRV_IP" ]; }
  );
};
provisioning = {
  listen = [ "$SRV_IP:443" ];
  base_url = "$BASE_URL";
  templates_dir = "templates";
  static_dir = "static";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
  # The tests' own 404s must not get the test client blocked.
  guard = { max_misses = 1000; window = 60; block = 1; };
};
@include "vendors.conf"
@include "users.conf"
EOF
}

write_vendors() {
	cat >"$CONF_DIR/vendors.conf" <<'EOF'
vendors = (
  { name = "yealink";
    match = { vendor_class_prefix = [ "yealink" ]; oui = [ "80:5e:c0" ]; };
    mode = "token";
    options = ( { code = 66; value = "${base_url}/p/${token}/"; } );
    unregistered = ( { code = 66; value = "${base_url}/unregistered/"; } );
    files = (
      { name = "${mac}.cfg"; template = "yealink-mac.cfg"; },
      { name = "y000000000000.cfg"; template = "yealink-common.cfg"; }
    );
  }
);
EOF
}

# write_users [EXTRA_USER_ENTRIES]
write_users() {
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice Reception";
    sip = { user = "201"; password = "$PW_ALICE"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_ALICE"; vendor = "yealink"; model = "T46S"; } ); },
  { name = "bob"; display_name = "$BOB_NAME_CONF";
    sip = { user = "202"; password = "$PW_BOB"; server = "$SRV_IP"; };
    devices = ( { mac = "$MAC_BOB"; vendor = "yealink"; model = "T46G"; } ); }${1:-}
);
EOF
}

# The line of the device template that a test breaks (reload-refused).
TMPL_MAC=$CONF_DIR/templates/yealink-mac.cfg
write_templates() {
	cat >"$TMPL_MAC" <<'EOF'
#!version:1.0.0.1
## {{ device.mac }} ({{ device.model }}) of {{ user.name }}
account.1.enable = 1
account.1.label = {{ user.display_name }}
account.1.user_name = {{ sip.user }}
account.1.password = {{ sip.password }}
account.1.sip_server.1.address = {{ sip.server }}
static.auto_provision.server.url = {{ provisioning_url }}
static.security.user_password = admin:{{ settings.admin_password }}
EOF
	cat >"$CONF_DIR/templates/yealink-common.cfg" <<'EOF'
#!version:1.0.0.1
## common file of {{ vendor }}
local_time.time_zone = +1
EOF
}

# A self-signed server certificate for the listen address.
make_cert() {
	(umask 077 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -subj "/O=provbox tests/CN=$SRV_IP" \
	    -addext "subjectAltName=IP:$SRV_IP" \
	    -keyout "$CONF_DIR/tls/server.key" \
	    -out "$CONF_DIR/tls/server.crt" >"$PB_TMP/openssl.err" 2>&1)
}

write_config() {
	write_main && write_vendors && write_users && write_templates &&
	    make_cert
}

# Output checkers, in python3: pbtable.py FILE COLUMN... checks that the
# header is exactly those columns and that every row's cells start at the
# header's offsets, and prints the rows as tab-separated cells; pbjson.py
# FILE KEY... parses FILE as a JSON array of objects and prints, per
# object, "str:VALUE", "num:VALUE", "null" or "<missing>" per KEY.
write_checkers() {
	cat >"$PB_TMP/pbtable.py" <<'EOF'
import re, sys
path, cols = sys.argv[1], sys.argv[2:]
lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
if lines and lines[-1] == '':
    lines.pop()
if not lines:
    sys.exit('no output at all')
hdr = lines[0]
names = [m.group() for m in re.finditer(r'\S+', hdr)]
offs = [m.start() for m in re.finditer(r'\S+', hdr)]
if names != cols:
    sys.exit('header is %r, expected the columns %s' % (hdr, ' '.join(cols)))
for i in range(1, len(offs)):
    if hdr[offs[i] - 2:offs[i]] != '  ':
        sys.exit('header %r: columns not two spaces apart' % hdr)
for n, row in enumerate(lines[1:], 2):
    cells = []
    for i, o in enumerate(offs):
        end = offs[i + 1] if i + 1 < len(offs) else len(row)
        # Trailing empty cells leave no blanks behind: the line ends.
        if i > 0 and len(row) <= o - 2 and row.rstrip(' ') == row:
            cells.append('')
            continue
        if i > 0 and row[o - 2:o] != '  ':
            sys.exit('line %d %r: column %s does not start at offset %d '
                     'as in the header' % (n, row, names[i], o))
        cell = row[o:end].rstrip(' ')
        if cell.startswith(' '):
            sys.exit('line %d %r: column %s starts after offset %d'
                     % (n, row, names[i], o))
        cells.append(cell)
    print('\t'.join(cells))
EOF
	cat >"$PB_TMP/pbjson.py" <<'EOF'
import json, sys
path, keys = sys.argv[1], sys.argv[2:]
try:
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
except ValueError as e:
    sys.exit('not JSON: %s' % e)
if not isinstance(data, list):
    sys.exit('not a JSON array')
for o in data:
    if not isinstance(o, dict):
        sys.exit('an element is not an object: %r' % (o,))
    out = []
    for k in keys:
        v = o.get(k, KeyError)
        if v is KeyError:
            out.append('<missing>')
        elif v is None:
            out.append('null')
        elif isinstance(v, bool):
            out.append('bool:%s' % v)
        elif isinstance(v, (int, float)):
            out.append('num:%s' % v)
        elif isinstance(v, str):
            out.append('str:' + v)
        else:
            out.append('other:%r' % (v,))
    print('\t'.join(out))
EOF
}

# The --json schemas of provboxctl(8), for jq: NAME_problems is the list
# of what in the document (.) differs from the schema of command NAME: a
# key missing or unexpected, a value of another type. Types are JSON's,
# with "integer" for a whole number.
write_schemas() {
	cat >"$PB_TMP/schema.jq" <<'JQ'
def typ: if type == "number" then
	(if . == floor then "integer" else "number" end) else type end;
def problems($spec): . as $o |
	if type != "object" then ["not an object: \(tojson)"] else
	[ keys[] | select($spec[.] == null) | "unexpected key \(.)" ] +
	[ $spec | to_entries[] | . as $e |
	  if ($o | has($e.key) | not) then "missing key \($e.key)"
	  elif ($e.value | split("|") | any(. == ($o[$e.key] | typ))) then empty
	  else "\($e.key): \($o[$e.key] | tojson) is \($o[$e.key] | typ), not \($e.value)"
	  end ] end;
def each($spec): if type != "array" then ["not an array: \(tojson)"]
	else [ .[] | problems($spec) ] | add // [] end;
def opt($spec): if . == null then [] else problems($spec) end;
def counts: problems({added: "integer", changed: "integer",
	removed: "integer", unchanged: "integer"});
def cfg_errors: each({file: "string|null", line: "integer|null",
	setting: "string|null", message: "string"});
def check_problems: problems({config: "string", ok: "boolean",
	errors: "array", subnets: "integer|null", vendor_classes: "integer|null",
	users: "integer|null", devices: "integer|null"}) +
	(.errors | cfg_errors);
def paths_problems: problems({config: "string", registry: "string",
	run_dir: "string"});
def sync_problems: problems({registry: "string", users: "object",
	devices: "object"}) + (.users | counts) + (.devices | counts);
def users_problems: each({user: "string", display_name: "string",
	sip: "string", devices: "integer", token: "string|null",
	token_state: "string", token_created: "integer"});
def devices_problems: each({mac: "string", user: "string",
	class: "string", model: "string|null", address: "string|null",
	lease: "string|null", enrollment: "string"});
def leases_problems: each({address: "string", mac: "string|null",
	state: "string", ends: "integer", user: "string|null",
	hostname: "string|null", vendor_class: "string|null"});
def url_problems: problems({user: "string", mac: "string|null",
	class: "string|null", legacy: "boolean", url: "string",
	options: "array|null", options_while_enrolling: "boolean|null"}) +
	(if .options == null then [] else .options | each({code: "integer",
	suboption: "integer|null", value: "string"}) end);
def token_problems: problems({user: "string", action: "string",
	url: "string|null", old_url_until: "integer|null"});
def status_problems: problems({mac: "string", registered: "boolean",
	user: "string|null", class: "string|null", model: "string|null",
	leases: "array", last_fetch: "object|null", state: "string",
	since: "integer|null", window_until: "integer|null",
	first_access: "object|null", events: "array"}) +
	(.leases | each({address: "string", state: "string",
	ends: "integer"})) +
	(.last_fetch | opt({time: "integer", ip: "string|null",
	file: "string", status: "integer", refused: "string|null"})) +
	(.first_access | opt({identity: "string", ip: "string",
	handed: "integer", fetched: "integer|null"})) +
	(.events | each({time: "integer", event: "string",
	ip: "string|null", detail: "string"}));
def enroll_problems: problems({action: "string", seconds: "integer|null",
	devices: "array", changed: "integer", suspect: "integer"}) +
	(.devices | each({mac: "string", result: "string",
	event: "object|null"})) +
	([ .devices[]?.event | opt({time: "integer", event: "string",
	detail: "string"}) ] | add // []);
def device_problems: problems({mac: "string", action: "string",
	cleared: "boolean"});
def lease_problems: problems({address: "string", action: "string",
	via: "string", was: "object"}) + (.was | problems({state: "string",
	mac: "string|null", client_id: "string|null", ends: "integer"}));
def reload_problems: problems({config: "string", config_ok: "boolean",
	errors: "array", daemons: "array"}) + (.errors | cfg_errors) +
	(.daemons | each({name: "string", pid: "integer|null",
	via: "string|null", result: "string", message: "string|null",
	errors: "array"})) + ([ .daemons[]?.errors | cfg_errors ] | add // []);
def daemons_problems: problems({config: "string", daemons: "array",
	registry: "object"}) + (.daemons | each({name: "string",
	running: "boolean", pid: "integer|null", status: "object|null",
	statistics: "object|null", error: "string|null"})) +
	(.registry | problems({path: "string", users: "integer",
	devices: "integer", leases: "integer"}));
def ctl_problems: problems({result: "integer", text: "string",
	arguments: "object"});
def certificate_problems: problems({key: "string", cert: "string",
	created: "boolean", subject_alt_name: "string|null",
	valid_days: "integer|null"});
JQ
}

# schema NAME KIND [JQ_TEST]: the output of ctl run NAME is one JSON
# document that matches the schema of command KIND and, if given, makes
# the jq expression JQ_TEST true; or dies.
schema() {
	local f=$OUT/$1.out p

	p=$(jq -r "$(cat "$PB_TMP/schema.jq") $2_problems | .[]" "$f" 2>&1) ||
	    die "$1: not JSON ($p): $(head -c 300 "$f")"
	[ -z "$p" ] ||
	    die "$1: differs from the $2 schema: $(head -n 3 <<<"$p" | tr '\n' '|')"
	[ "$(jq -s length "$f")" = 1 ] || die "$1: more than one JSON document"
	[ "$(wc -l <"$f")" -eq 1 ] || die "$1: not one line"
	LC_ALL=C grep -q '[^ -~]' "$f" && die "$1: a byte outside printable ASCII"
	if [ -n "${3:-}" ]; then
		jq -e "$3" "$f" >/dev/null 2>&1 ||
		    die "$1: not ($3): $(head -c 400 "$f" | tr '\n' ' ')"
	fi
}

# table FILE COLUMN...: the rows (tab-separated) of a human table, or dies.
table() {
	local f=$1 rows

	shift
	rows=$(python3 "$PB_TMP/pbtable.py" "$f" "$@" 2>"$f.check") ||
	    die "$(basename "$f"): $(head -c 400 "$f.check")"
	printf '%s\n' "$rows" >"$f.rows"
}

# json FILE KEY...: the objects' values (tab-separated), or dies.
json() {
	local f=$1 rows

	shift
	rows=$(python3 "$PB_TMP/pbjson.py" "$f" "$@" 2>"$f.check") ||
	    die "$(basename "$f"): $(head -c 400 "$f.check")"
	printf '%s\n' "$rows" >"$f.rows"
}

# row FILE FIRST_CELL: the row of FILE.rows whose first cell is FIRST_CELL.
row() {
	awk -F'\t' -v k="$2" '$1 == k' "$1.rows"
}

# cell ROW N: the Nth (from 1) tab-separated cell of ROW.
cell() {
	printf '%s\n' "$1" | awk -F'\t' -v n="$2" '{ print $n }'
}

# ----------------------------------------------------------------- network

setup_network() {
	local ns

	for ns in "$NS_SRV" "$NS_C1"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$IF_S1" type veth peer name "$IF_C1" \
	    netns "$NS_C1" || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$IF_S1" || return 1
	ip -n "$NS_C1" addr add "$C1_IP/24" dev "$IF_C1" || return 1
	ip -n "$NS_SRV" link set "$IF_S1" up && ip -n "$NS_C1" link set "$IF_C1" up
}

# ------------------------------------------------------------------ daemons

# daemon_start NAME LOG BINARY: starts BINARY -f -c CONF in the server
# namespace, logging to LOG; its PID goes to $PB_TMP/NAME.pid. Returns once
# it logs "started".
daemon_start() {
	local name=$1 log=$2 bin=$3 mark pid

	mark=$(pb_lines "$log")
	ip netns exec "$NS_SRV" "$bin" -f -c "$CONF" >>"$log" 2>&1 &
	pid=$!
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/$name.pid"
	pb_wait_for 20 pb_grep_after "$log" "$mark" "$(basename "$bin") started" &&
	    pb_alive "$pid"
}

daemon_pid() {
	cat "$PB_TMP/$1.pid" 2>/dev/null
}

# daemon_stop NAME: SIGTERM (SIGKILL after 20 s); 1 if it was not running.
daemon_stop() {
	local pid

	pid=$(daemon_pid "$1")
	rm -f "$PB_TMP/$1.pid"
	[ -n "$pid" ] && pb_alive "$pid" || return 1
	pb_stop "$pid" 20
}

dhcpd_start() {
	daemon_start dhcpd "$DHCPD_LOG" "$PB_BUILD/provbox-dhcpd"
}

prov_start() {
	daemon_start provisiond "$PROV_LOG" "$PROVD"
}

# ----------------------------------------------------------------- clients

# ctl NAME ARGS...: provboxctl -c CONF ARGS; $OUT/NAME.out gets stdout,
# NAME.err stderr (also appended to CTL_ERR); returns its exit status.
ctl() {
	local o=$OUT/$1 rc

	shift
	timeout 60 "$CTL" -c "$CONF" "$@" >"$o.out" 2>"$o.err"
	rc=$?
	cat "$o.err" >>"$CTL_ERR"
	return "$rc"
}

# ctl_msg NAME: what a provboxctl run printed, on one line, for messages.
ctl_msg() {
	cat "$OUT/$1.out" "$OUT/$1.err" 2>/dev/null | head -c 400 |
	    tr '\n' '|'
}

# get OUT URL: a GET from c1 with curl. OUT.code gets the status ("000"
# when there was no answer), OUT.body the body, OUT.err curl's messages.
get() {
	ip netns exec "$NS_C1" timeout 25 curl -sS --max-time 20 \
	    --cacert "$CONF_DIR/tls/server.crt" -o "$1.body" \
	    -w '%{http_code}' "$2" >"$1.code" 2>"$1.err"
	[ -s "$1.code" ] || echo 000 >"$1.code"
	return 0
}

# expect_code OUT CODE WHAT: dies unless the answer had status CODE.
expect_code() {
	local got

	got=$(cat "$1.code")
	[ "$got" = "$2" ] && return 0
	if [ "$got" = 000 ]; then
		die "$3: no answer (curl: $(tail -n 1 "$1.err"))"
	fi
	die "$3: status $got, expected $2 ($(head -c 200 "$1.body" | tr '\n' ' '))"
}

# dora OUT MAC [PBPROBE_ARGS...]: a DHCP exchange as a yealink phone.
dora() {
	local out=$1 mac=$2

	shift 2
	ip netns exec "$NS_C1" timeout 30 "$PROBE" -i "$IF_C1" -m "$mac" \
	    -V yealink -P 1,3,6,66 "$@" dora >"$out" 2>"$out.err"
}

# opt66 MAC: the option 66 the DHCP server gives that phone now.
opt66() {
	local o=$OUT/dora.${1//:/}.$RANDOM

	dora "$o" "$1" || return 1
	pb_kv opt66 "$o"
}

plain_mac() {
	tr -d : <<<"$1"
}

# user_url USER: the folder URL `provboxctl url USER` prints (and the
# token goes to TOKENS); fails if provboxctl does.
user_url() {
	local u

	ctl "url-$1" url "$1" || return 1
	u=$(head -n 1 "$OUT/url-$1.out")
	[[ $u =~ $TOKEN_URL_RE ]] || return 1
	echo "${BASH_REMATCH[1]}" >>"$TOKENS"
	echo "$u"
}

token_of_url() {
	[[ $1 =~ $TOKEN_URL_RE ]] && echo "${BASH_REMATCH[1]}"
}

# hint TOKEN: how provboxctl and the logs shorten a token.
hint() {
	printf '%s...(%d)\n' "${1:0:4}" "${#1}"
}

# log_line LOG MARK REGEX: the first such line after MARK, for messages.
log_line() {
	tail -n "+$(($2 + 1))" "$1" | grep -E -- "$3" | head -n 1 | cut -c 1-240
}

# ------------------------------------------------------------------- tests

# 1. check: the OK line on the good config; every error of a config with
# two, each as file:line: setting: message, and exit 1.
t_check() {
	local bad=$PB_TMP/bad l_mac l_vendor n

	ctl check check || die "exit $? on a good config: $(ctl_msg check)"
	grep -qFx "$CONF: OK (1 subnet, 1 vendor class, 2 users, 2 devices)" \
	    "$OUT/check.out" || die "no OK line: $(ctl_msg check)"
	# A copy of the config whose users.conf has two errors.
	cp -r "$CONF_DIR" "$bad" || die "cannot copy the config"
	sed -i "s|$CONF_DIR|$bad|g" "$bad/provbox.conf"
	cat >"$bad/users.conf" <<EOF
users = (
  { name = "alice";
    sip = { user = "201"; password = "$PW_ALICE"; server = "$SRV_IP"; };
    devices = (
      { mac = "80:5e:c0:10:00:zz"; vendor = "yealink"; } ); },
  { name = "bob";
    sip = { user = "202"; password = "$PW_BOB"; server = "$SRV_IP"; };
    devices = (
      { mac = "$MAC_BOB"; vendor = "nosuchclass"; } ); }
);
EOF
	l_mac=5
	l_vendor=9
	timeout 30 "$CTL" -c "$bad/provbox.conf" check >"$OUT/check-bad.out" \
	    2>"$OUT/check-bad.err"
	n=$?
	cat "$OUT/check-bad.err" >>"$CTL_ERR"
	[ "$n" -eq 1 ] || die "exit $n on a config with two errors, expected 1"
	grep -qE "^(.*/)?users\\.conf:$l_mac: users\\[0\\]\\.devices\\[0\\]\\.mac: .+" \
	    "$OUT/check-bad.err" ||
	    die "no 'users.conf:$l_mac: users[0].devices[0].mac: ...' line: $(ctl_msg check-bad)"
	grep -qE "^(.*/)?users\\.conf:$l_vendor: users\\[1\\]\\.devices\\[0\\]\\.vendor: .+" \
	    "$OUT/check-bad.err" ||
	    die "no 'users.conf:$l_vendor: users[1].devices[0].vendor: ...' line: $(ctl_msg check-bad)"
	grep -qFx "$bad/provbox.conf: 2 errors" "$OUT/check-bad.err" ||
	    die "no '$bad/provbox.conf: 2 errors' line: $(ctl_msg check-bad)"
	grep -q OK "$OUT/check-bad.out" && die "an OK line for a broken config"
	pb_pass
}

# 2. sync into the empty registry, then again: the counts.
t_sync() {
	local r=$PB_TMP/registry

	# Both ends of the sync: under valgrind it takes seconds.
	date +%s >"$PB_TMP/sync.start"
	ctl sync1 sync || die "exit $?: $(ctl_msg sync1)"
	date +%s >"$PB_TMP/sync.time"
	grep -qFx "registry $r: users 2 added, 0 changed, 0 removed, 0 unchanged; devices 2 added, 0 changed, 0 removed, 0 unchanged" \
	    "$OUT/sync1.out" || die "first sync: $(ctl_msg sync1)"
	ctl sync2 sync || die "second sync: exit $?: $(ctl_msg sync2)"
	grep -qFx "registry $r: users 0 added, 0 changed, 0 removed, 2 unchanged; devices 0 added, 0 changed, 0 removed, 2 unchanged" \
	    "$OUT/sync2.out" || die "second sync: $(ctl_msg sync2)"
	pb_pass
}

# 2b. certificate: a self-signed key and certificate where a config names
# them, made once, never replaced; the result passes provisiond -t.
t_certificate() {
	local d=$PB_TMP/certconf mode

	cp -r "$CONF_DIR" "$d" || die "cannot copy the config"
	sed -i "s|$CONF_DIR|$d|g" "$d/provbox.conf"
	rm -f "$d"/*.crt "$d"/*.key "$d"/*.pem
	sed -i -e 's|cert = "[^"]*";|cert = "newtls/server.crt";|' \
	    -e 's|key = "[^"]*";|key = "newtls/server.key";|' "$d/provbox.conf"
	timeout 30 "$CTL" -c "$d/provbox.conf" certificate >"$OUT/cert1.out" \
	    2>>"$CTL_ERR" || die "certificate: exit $?: $(cat "$OUT/cert1.out")"
	grep -q "^created $d/newtls/server.key and a self-signed certificate for IP:" \
	    "$OUT/cert1.out" || die "no 'created' line: $(cat "$OUT/cert1.out")"
	mode=$(stat -c %a "$d/newtls/server.key")
	[ "$mode" = 600 ] || die "key mode $mode, expected 600"
	openssl x509 -in "$d/newtls/server.crt" -noout -ext subjectAltName |
	    grep -q "IP Address:" || die "no IP subjectAltName in the certificate"
	cp "$d/newtls/server.key" "$PB_TMP/key.before"
	timeout 30 "$CTL" -c "$d/provbox.conf" certificate >"$OUT/cert2.out" \
	    2>>"$CTL_ERR" || die "second run: exit $?"
	grep -q "nothing to do" "$OUT/cert2.out" ||
	    die "second run: $(cat "$OUT/cert2.out")"
	cmp -s "$d/newtls/server.key" "$PB_TMP/key.before" ||
	    die "the second run replaced the key"
	timeout 30 "$PROVD" -t -c "$d/provbox.conf" \
	    >/dev/null 2>&1 || die "provisiond -t refuses the made certificate"
	# With only the key there, nothing is made or replaced.
	rm -f "$d/newtls/server.crt"
	timeout 30 "$CTL" -c "$d/provbox.conf" certificate >/dev/null \
	    2>"$OUT/cert3.err" && die "made a certificate next to a lone key"
	grep -q "not replacing" "$OUT/cert3.err" ||
	    die "no 'not replacing': $(cat "$OUT/cert3.err")"
	pb_pass
}

# 3. leases after a real DHCP exchange: human (aligned, "in 59m") and
# JSON.
t_leases() {
	local o=$OUT/leases-dora ip ip_odd r now

	dora "$o" "$MAC_ALICE" -H alice-phone ||
	    die "pbprobe as alice's phone: $(head -n 1 "$o")"
	ip=$(pb_kv yiaddr "$o")
	[[ $ip =~ ^10\.42\.0\.[0-9]+$ ]] || die "no address from the DHCP server"
	echo "$ip" >"$PB_TMP/ip.alice"
	# A phone nobody registered, with a hostname that needs escaping.
	dora "$o.odd" "$MAC_UNREG" -H "$ODD_HOST" ||
	    die "pbprobe as $MAC_UNREG: $(head -n 1 "$o.odd")"
	ip_odd=$(pb_kv yiaddr "$o.odd")
	ctl leases leases || die "exit $?: $(ctl_msg leases)"
	table "$OUT/leases.out" address mac state ends user hostname
	r=$(row "$OUT/leases.out" "$ip")
	[ -n "$r" ] || die "no row for $ip: $(ctl_msg leases)"
	# A 3600 s lease that began a moment ago ends "in 60m" or "in 59m".
	[[ $r =~ ^"$ip	$MAC_ALICE	bound	in "(59|60)"m	alice	alice-phone"$ ]] ||
	    die "the row of $ip is '$(tr '\t' '|' <<<"$r")', expected '$ip|$MAC_ALICE|bound|in 59m|alice|alice-phone'"
	r=$(row "$OUT/leases.out" "$ip_odd")
	[[ $r =~ ^"$ip_odd	$MAC_UNREG	bound	in "(59|60)"m		$ODD_HOST_SHOWN"$ ]] ||
	    die "the row of $ip_odd is '$(tr '\t' '|' <<<"$r")', expected '$ip_odd|$MAC_UNREG|bound|in 59m||$ODD_HOST_SHOWN'"
	ctl leases-json leases --json || die "--json: exit $?: $(ctl_msg leases-json)"
	json "$OUT/leases-json.out" address mac state ends user hostname
	r=$(row "$OUT/leases-json.out" "str:$ip")
	[ -n "$r" ] || die "--json: no object with address $ip: $(ctl_msg leases-json)"
	[ "$(cell "$r" 2)|$(cell "$r" 3)|$(cell "$r" 5)|$(cell "$r" 6)" = \
	    "str:$MAC_ALICE|str:bound|str:alice|str:alice-phone" ] ||
	    die "--json: $(tr '\t' '|' <<<"$r")"
	now=$(date +%s)
	[[ $(cell "$r" 4) =~ ^num:([0-9]+)$ ]] ||
	    die "--json: ends is $(cell "$r" 4), not an epoch number"
	[ "${BASH_REMATCH[1]}" -gt "$((now + 3500))" ] &&
	    [ "${BASH_REMATCH[1]}" -le "$((now + 3600))" ] ||
	    die "--json: ends is ${BASH_REMATCH[1]}, expected about now ($now) + 3600"
	r=$(row "$OUT/leases-json.out" "str:$ip_odd")
	[ "$(cell "$r" 5)|$(cell "$r" 6)" = "null|str:$ODD_HOST_JSON" ] ||
	    die "--json: the unregistered phone: $(tr '\t' '|' <<<"$r"), expected user null and hostname $ODD_HOST_JSON"
	pb_pass
}

# 3. devices: the phone's class, model and its lease's address.
t_devices() {
	local ip r

	ip=$(cat "$PB_TMP/ip.alice" 2>/dev/null)
	[ -n "$ip" ] || die "no lease from the leases test"
	ctl devices devices || die "exit $?: $(ctl_msg devices)"
	table "$OUT/devices.out" mac user class model address lease enrollment
	r=$(row "$OUT/devices.out" "$MAC_ALICE")
	[ "$r" = "$MAC_ALICE	alice	yealink	T46S	$ip	bound	new" ] ||
	    die "alice's phone: '$(tr '\t' '|' <<<"$r")', expected '$MAC_ALICE|alice|yealink|T46S|$ip|bound|new'"
	r=$(row "$OUT/devices.out" "$MAC_BOB")
	[ "$r" = "$MAC_BOB	bob	yealink	T46G			new" ] ||
	    die "bob's phone (no lease): '$(tr '\t' '|' <<<"$r")'"
	[ "$(wc -l <"$OUT/devices.out.rows")" -eq 2 ] ||
	    die "$(wc -l <"$OUT/devices.out.rows") rows, expected 2"
	ctl devices-json devices --json || die "--json: exit $?: $(ctl_msg devices-json)"
	json "$OUT/devices-json.out" mac user class model address lease enrollment
	r=$(row "$OUT/devices-json.out" "str:$MAC_ALICE")
	[ "$r" = "str:$MAC_ALICE	str:alice	str:yealink	str:T46S	str:$ip	str:bound	str:new" ] ||
	    die "--json: alice's phone: $(tr '\t' '|' <<<"$r")"
	# No lease: null, not "".
	r=$(row "$OUT/devices-json.out" "str:$MAC_BOB")
	[ "$r" = "str:$MAC_BOB	str:bob	str:yealink	str:T46G	null	null	str:new" ] ||
	    die "--json: bob's phone (no lease): $(tr '\t' '|' <<<"$r"), expected address and lease null"
	# The option may also come before the command.
	ctl devices-json2 --json devices || die "--json before the command: exit $?"
	cmp -s "$OUT/devices-json.out" "$OUT/devices-json2.out" ||
	    die "'--json devices' and 'devices --json' differ"
	pb_pass
}

# 3. users: SIP account, device count, the token shortened, its age.
t_users() {
	local t0 ts wait tok_a tok_b r u

	# The tokens were made by the sync: "ago" needs 5 s.
	t0=$(cat "$PB_TMP/sync.time" 2>/dev/null || date +%s)
	ts=$(cat "$PB_TMP/sync.start" 2>/dev/null || echo "$t0")
	wait=$((t0 + 6 - $(date +%s)))
	[ "$wait" -gt 0 ] && sleep "$wait"
	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	tok_a=$(token_of_url "$u")
	u=$(user_url bob) || die "url bob: $(ctl_msg url-bob)"
	tok_b=$(token_of_url "$u")
	ctl users users || die "exit $?: $(ctl_msg users)"
	table "$OUT/users.out" user display_name sip devices token token_created
	r=$(row "$OUT/users.out" alice)
	[[ $r =~ ^alice$'\t'"Alice Reception"$'\t'201@10\.42\.0\.1:5060$'\t'1$'\t'"$(hint "$tok_a")"$'\t'[0-9]+s\ ago$ ]] ||
	    die "alice: '$(tr '\t' '|' <<<"$r")', expected 'alice|Alice Reception|201@10.42.0.1:5060|1|$(hint "$tok_a")|<N>s ago'"
	r=$(row "$OUT/users.out" bob)
	[ "$(cut -f 1-5 <<<"$r")" = "bob	$BOB_NAME	202@10.42.0.1:5060	1	$(hint "$tok_b")" ] ||
	    die "bob: '$(tr '\t' '|' <<<"$r")'"
	grep -qF -e "$tok_a" -e "$tok_b" "$OUT/users.out" &&
	    die "a full token in the users table"
	ctl users-json users --json || die "--json: exit $?: $(ctl_msg users-json)"
	grep -qF -e "$tok_a" -e "$tok_b" "$OUT/users-json.out" &&
	    die "--json: a full token in the output"
	json "$OUT/users-json.out" user display_name sip devices token token_created
	r=$(row "$OUT/users-json.out" str:alice)
	[ "$(cut -f 1-5 <<<"$r")" = "str:alice	str:Alice Reception	str:201@10.42.0.1:5060	num:1	str:$(hint "$tok_a")" ] ||
	    die "--json: alice: $(tr '\t' '|' <<<"$r")"
	[[ $(cell "$r" 6) =~ ^num:([0-9]+)$ ]] &&
	    [ "${BASH_REMATCH[1]}" -ge "$ts" ] && [ "${BASH_REMATCH[1]}" -le "$((t0 + 1))" ] ||
	    die "--json: token_created is $(cell "$r" 6), expected the sync time $ts..$t0"
	# A display name with a quote and a backslash, escaped.
	r=$(row "$OUT/users-json.out" str:bob)
	[ "$(cell "$r" 2)" = "str:$BOB_NAME" ] ||
	    die "--json: bob's display_name is '$(cell "$r" 2)', expected '$BOB_NAME'"
	pb_pass
}

# 4. url USER / url MAC, and the URL really serves the user's phone file.
t_url() {
	local o=$OUT/url u

	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	[ "$(wc -l <"$OUT/url-alice.out")" -eq 1 ] ||
	    die "url alice printed more than the URL: $(ctl_msg url-alice)"
	get "$o.file" "$u$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o.file" 200 "alice's phone file at the URL of 'url alice'"
	grep -qFx "account.1.password = $PW_ALICE" "$o.file.body" ||
	    die "the file lacks alice's password line"
	grep -qFx "account.1.user_name = 201" "$o.file.body" ||
	    die "the file lacks alice's SIP user"
	grep -qFx "static.auto_provision.server.url = $u" "$o.file.body" ||
	    die "the file does not point back at $u"
	# By MAC: the folder and the class options, filled.
	ctl url-mac url "$MAC_ALICE" || die "url $MAC_ALICE: exit $?: $(ctl_msg url-mac)"
	[ "$(head -n 1 "$OUT/url-mac.out")" = "$u" ] ||
	    die "url $MAC_ALICE: first line '$(head -n 1 "$OUT/url-mac.out")', expected $u"
	# DHCP answers are public: never the folder, a first-access URL
	# while the phone enrolls.
	grep -qFx "  option 66: $BASE_URL/p/<first-access-token>/" \
	    "$OUT/url-mac.out" ||
	    die "url $MAC_ALICE: no '  option 66: $BASE_URL/p/<first-access-token>/' line: $(ctl_msg url-mac)"
	grep -qF "$(token_of_url "$u")" <(tail -n +2 "$OUT/url-mac.out") &&
	    die "url $MAC_ALICE shows the token in the DHCP options: $(ctl_msg url-mac)"
	# Unknown user, unknown MAC: an error, and no URL.
	ctl url-nosuch url nosuch && die "url nosuch: exit 0: $(ctl_msg url-nosuch)"
	grep -qF "no user nosuch" "$OUT/url-nosuch.err" ||
	    die "url nosuch: no 'no user nosuch' message: $(ctl_msg url-nosuch)"
	[ -s "$OUT/url-nosuch.out" ] && die "url nosuch printed: $(ctl_msg url-nosuch)"
	ctl url-unreg url "$MAC_UNREG" &&
	    die "url $MAC_UNREG (not registered): exit 0: $(ctl_msg url-unreg)"
	grep -qF "$MAC_UNREG is not in the registry" "$OUT/url-unreg.err" ||
	    die "url $MAC_UNREG: no 'not in the registry' message: $(ctl_msg url-unreg)"
	pb_pass
}

# 6. status MAC: class, user, lease, last fetch (served, then refused).
t_status() {
	local o=$OUT/status ip u f

	ip=$(cat "$PB_TMP/ip.alice" 2>/dev/null)
	[ -n "$ip" ] || die "no lease from the leases test"
	# A DHCP exchange now, so the lease is fresh.
	dora "$o.dora" "$MAC_ALICE" || die "pbprobe: $(head -n 1 "$o.dora")"
	[ "$(pb_kv yiaddr "$o.dora")" = "$ip" ] ||
	    die "alice's phone got $(pb_kv yiaddr "$o.dora"), before $ip"
	ctl status-a status "$MAC_ALICE" || die "exit $?: $(ctl_msg status-a)"
	[ "$(head -n 1 "$OUT/status-a.out")" = "$MAC_ALICE: class yealink, user alice, model T46S" ] ||
	    die "first line: $(head -n 1 "$OUT/status-a.out")"
	grep -qEx "  lease: ${ip//./\\.} bound, ends in (59|60)m" "$OUT/status-a.out" ||
	    die "no '  lease: $ip bound, ends in 59m': $(ctl_msg status-a)"
	# A fetch through provisiond; the records are written once a second.
	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	f=$(plain_mac "$MAC_ALICE").cfg
	get "$o.get" "$u$f"
	expect_code "$o.get" 200 "alice's phone file"
	pb_wait_for 4 eval "ctl status-a2 status $MAC_ALICE &&
	    grep -qE '^  last fetch: (now|[0-9]+s ago) from $C1_IP: $f, 200\$' \
	    '$OUT/status-a2.out'" ||
	    die "no '  last fetch: ... from $C1_IP: $f, 200' after 4 s: $(ctl_msg status-a2)"
	# Bob's MAC in alice's folder: refused, and recorded for bob's phone.
	ctl status-b0 status "$MAC_BOB" || die "status $MAC_BOB: exit $?"
	grep -qFx "  lease: none" "$OUT/status-b0.out" ||
	    die "bob's phone (no lease): $(ctl_msg status-b0)"
	grep -qFx "  last fetch: none recorded" "$OUT/status-b0.out" ||
	    die "bob's phone before any fetch: $(ctl_msg status-b0)"
	f=$(plain_mac "$MAC_BOB").cfg
	get "$o.bob" "$u$f"
	expect_code "$o.bob" 404 "bob's phone file in alice's folder"
	grep -qF "$PW_BOB" "$o.bob.body" && die "bob's password in the 404"
	pb_wait_for 4 eval "ctl status-b status $MAC_BOB &&
	    grep -qE '^  last fetch: (now|[0-9]+s ago) from $C1_IP: $f, 404, refused by not-users-device\$' \
	    '$OUT/status-b.out'" ||
	    die "no '  last fetch: ... $f, 404, refused by not-users-device' after 4 s: $(ctl_msg status-b)"
	# Nothing known of a MAC; not a MAC at all.
	ctl status-u status "$MAC_UNREG" || die "status $MAC_UNREG: exit $?"
	grep -qFx "$MAC_UNREG: not registered (no user has it in users.conf)" \
	    "$OUT/status-u.out" || die "status $MAC_UNREG: $(ctl_msg status-u)"
	ctl status-x status not-a-mac && die "status not-a-mac: exit 0"
	grep -qF "not-a-mac is not a MAC address" "$OUT/status-x.err" ||
	    die "status not-a-mac: $(ctl_msg status-x)"
	pb_pass
}

# 5. rotate: a new URL; the old one answers on through the grace with
# files that name the new one (phones pinned it: DHCP cannot move them);
# DHCP hands out neither.
t_rotate() {
	local o=$OUT/rotate old new f got

	f=$(plain_mac "$MAC_ALICE").cfg
	old=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	get "$o.before" "$old$f"
	expect_code "$o.before" 200 "the old URL before the rotation"
	ctl rotate rotate alice || die "rotate alice: exit $?: $(ctl_msg rotate)"
	grep -qF "alice: new token. The old URL answers for 259200s more" \
	    "$OUT/rotate.out" || die "rotate alice: $(ctl_msg rotate)"
	new=$(tail -n 1 "$OUT/rotate.out")
	[[ $new =~ $TOKEN_URL_RE ]] || die "rotate printed no URL: $(ctl_msg rotate)"
	token_of_url "$new" >>"$TOKENS"
	[ "$new" != "$old" ] || die "rotate alice kept the URL $old"
	get "$o.old" "$old$f"
	expect_code "$o.old" 200 "the old URL in the rotation's grace"
	grep -qFx "static.auto_provision.server.url = $new" "$o.old.body" ||
	    die "the old URL's file points at $(sed -n 's/^static.auto_provision.server.url = //p' "$o.old.body"), not the new URL"
	get "$o.new" "$new$f"
	expect_code "$o.new" 200 "the new URL right after the rotation"
	grep -qFx "account.1.password = $PW_ALICE" "$o.new.body" ||
	    die "the new URL does not serve alice's file"
	grep -qFx "static.auto_provision.server.url = $new" "$o.new.body" ||
	    die "alice's file still points at $(sed -n 's/^static.auto_provision.server.url = //p' "$o.new.body")"
	[ "$(user_url alice)" = "$new" ] ||
	    die "url alice after the rotation: $(ctl_msg url-alice)"
	got=$(opt66 "$MAC_ALICE") || die "pbprobe as alice's phone got no ACK"
	[ "$got" = "$UNREG_URL" ] ||
	    die "DHCP option 66 after the rotation is '$got', expected the unregistered $UNREG_URL"
	ctl rotate-nosuch rotate nosuch &&
	    die "rotate nosuch: exit 0: $(ctl_msg rotate-nosuch)"
	grep -qF "no user nosuch" "$OUT/rotate-nosuch.err" ||
	    die "rotate nosuch: $(ctl_msg rotate-nosuch)"
	echo "$old" >"$PB_TMP/rotated-url"
	pb_pass
}

# 5. revoke: the folder closes at once, url says so, DHCP gives the phone
# the unregistered options; rotate opens a new folder.
t_revoke() {
	local o=$OUT/revoke cur new f got r

	f=$(plain_mac "$MAC_ALICE").cfg
	cur=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	ctl revoke revoke alice || die "revoke alice: exit $?: $(ctl_msg revoke)"
	grep -qFx "alice: token revoked; the folder is closed until provboxctl rotate alice." \
	    "$OUT/revoke.out" || die "revoke alice: $(ctl_msg revoke)"
	get "$o.cur" "$cur$f"
	expect_code "$o.cur" 404 "alice's folder right after revoke"
	# The folder of the rotation before, in its grace until now: closed.
	if [ -s "$PB_TMP/rotated-url" ]; then
		get "$o.rot" "$(cat "$PB_TMP/rotated-url")$f"
		expect_code "$o.rot" 404 "the rotated-out folder after revoke"
	fi
	get "$o.common" "${cur}y000000000000.cfg"
	expect_code "$o.common" 404 "the common file in the revoked folder"
	ctl url-revoked url alice &&
	    die "url alice after revoke: exit 0: $(ctl_msg url-revoked)"
	grep -qF "alice's token is revoked" "$OUT/url-revoked.err" ||
	    die "url alice after revoke: $(ctl_msg url-revoked)"
	grep -q '/p/' "$OUT/url-revoked.out" &&
	    die "url alice after revoke printed a URL: $(ctl_msg url-revoked)"
	ctl url-revoked-mac url "$MAC_ALICE" &&
	    die "url $MAC_ALICE after revoke: exit 0: $(ctl_msg url-revoked-mac)"
	ctl users-revoked users || die "users: exit $?"
	table "$OUT/users-revoked.out" user display_name sip devices token token_created
	r=$(row "$OUT/users-revoked.out" alice)
	[ "$(cell "$r" 5)" = revoked ] ||
	    die "users: alice's token column is '$(cell "$r" 5)', expected revoked"
	got=$(opt66 "$MAC_ALICE") || die "pbprobe as alice's phone got no ACK"
	[ "$got" = "$UNREG_URL" ] ||
	    die "DHCP option 66 after revoke is '$got', expected the unregistered $UNREG_URL"
	grep -q "DHCPACK .* to $MAC_ALICE (yealink, alice)" "$DHCPD_LOG" ||
	    die "no 'DHCPACK ... to $MAC_ALICE (yealink, alice)' in the DHCP log"
	# rotate gives her a working folder again.
	ctl rotate2 rotate alice || die "rotate after revoke: exit $?: $(ctl_msg rotate2)"
	new=$(tail -n 1 "$OUT/rotate2.out")
	[[ $new =~ $TOKEN_URL_RE ]] || die "rotate printed no URL: $(ctl_msg rotate2)"
	token_of_url "$new" >>"$TOKENS"
	[ "$new" != "$cur" ] || die "rotate after revoke gave back the old URL"
	get "$o.new" "$new$f"
	expect_code "$o.new" 200 "the URL of the rotate after revoke"
	get "$o.cur2" "$cur$f"
	expect_code "$o.cur2" 404 "the revoked URL after the new rotate"
	[ "$(user_url alice)" = "$new" ] ||
	    die "url alice after rotate: $(ctl_msg url-alice)"
	got=$(opt66 "$MAC_ALICE") || die "pbprobe as alice's phone got no ACK"
	[ "$got" = "$UNREG_URL" ] ||
	    die "DHCP option 66 after rotate is '$got', expected the unregistered $UNREG_URL"
	ctl revoke-nosuch revoke nosuch &&
	    die "revoke nosuch: exit 0: $(ctl_msg revoke-nosuch)"
	grep -qF "no user nosuch" "$OUT/revoke-nosuch.err" ||
	    die "revoke nosuch: $(ctl_msg revoke-nosuch)"
	pb_pass
}

# 5b. enroll: a window for one phone; status tells its story; DHCP then
# carries a first-access URL (never the folder); --close ends it; bad
# arguments are refused; device clear on a phone that is not suspect.
t_enroll() {
	local o=$OUT/enroll u fa got

	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	ctl enroll-bad enroll "$MAC_ALICE" --for 10x
	[ $? -eq 2 ] || die "enroll --for 10x: not a usage error: $(ctl_msg enroll-bad)"
	grep -qF -- "--for 10x: a duration" "$OUT/enroll-bad.err" ||
	    die "enroll --for 10x: $(ctl_msg enroll-bad)"
	ctl enroll-unreg enroll "$MAC_UNREG" &&
	    die "enroll $MAC_UNREG (not registered): exit 0: $(ctl_msg enroll-unreg)"
	ctl enroll-a enroll "$MAC_ALICE" --for 10m ||
	    die "enroll $MAC_ALICE: exit $?: $(ctl_msg enroll-a)"
	grep -qFx "$MAC_ALICE: window-opened: for 600s" "$OUT/enroll-a.out" ||
	    die "enroll $MAC_ALICE: $(ctl_msg enroll-a)"
	ctl status-e status "$MAC_ALICE" || die "status: exit $?"
	grep -qEx "  enrollment: enrolling, window ends in (9|10)m" \
	    "$OUT/status-e.out" || die "status while enrolling: $(ctl_msg status-e)"
	got=$(opt66 "$MAC_ALICE") || die "pbprobe as alice's phone got no ACK"
	fa=$(token_of_url "$got")
	[ -n "$fa" ] && [ "$got" != "$u" ] ||
	    die "enrolling: DHCP option 66 is '$got', expected a first-access URL"
	ctl status-e2 status "$MAC_ALICE" || die "status: exit $?"
	grep -qE "^  first-access URL: went to hw 01:$MAC_ALICE at [0-9.]+ " \
	    "$OUT/status-e2.out" || die "status after the hand-out: $(ctl_msg status-e2)"
	grep -qE "^    (now|[0-9]+s ago) +first-access-handed " "$OUT/status-e2.out" ||
	    die "status: no first-access-handed event: $(ctl_msg status-e2)"
	grep -qF "$fa" "$OUT/status-e2.out" && die "status shows the first-access token"
	ctl status-j --json status "$MAC_ALICE" || die "status --json: exit $?"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "enrolling", d["state"]
assert d["registered"] is True and d["user"] == "alice"
assert d["first_access"]["identity"] == "hw 01:" + sys.argv[2]
assert [e["event"] for e in d["events"]][:2] == ["first-access-handed", "window-opened"], d["events"]
' "$OUT/status-j.out" "$MAC_ALICE" 2>"$o.py" || die "status --json: $(cat "$o.py") in $(head -c 300 "$OUT/status-j.out")"
	ctl enroll-c enroll "$MAC_ALICE" --close ||
	    die "enroll --close: exit $?: $(ctl_msg enroll-c)"
	grep -qFx "$MAC_ALICE: window-closed: closed" "$OUT/enroll-c.out" ||
	    die "enroll --close: $(ctl_msg enroll-c)"
	got=$(opt66 "$MAC_ALICE") || die "pbprobe as alice's phone got no ACK"
	[ "$got" = "$UNREG_URL" ] ||
	    die "after --close, DHCP option 66 is '$got', expected $UNREG_URL"
	ctl clear-a device clear "$MAC_ALICE" || die "device clear: exit $?"
	grep -qFx "$MAC_ALICE: not suspect; nothing to clear" "$OUT/clear-a.out" ||
	    die "device clear: $(ctl_msg clear-a)"
	pb_pass
}

# The marks of both daemons' logs, "DHCPD_MARK PROV_MARK".
marks() {
	echo "$(pb_lines "$DHCPD_LOG") $(pb_lines "$PROV_LOG")"
}

# serving_alice WHAT: alice's folder serves her file and DHCP answers her
# phone (not enrolling) without it, or dies.
serving_alice() {
	local o=$OUT/serving.$RANDOM u got

	u=$(user_url alice) || die "$1: url alice: $(ctl_msg url-alice)"
	get "$o" "$u$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o" 200 "$1: alice's phone file"
	grep -qFx "account.1.password = $PW_ALICE" "$o.body" ||
	    die "$1: alice's file is not what it was"
	got=$(opt66 "$MAC_ALICE") || die "$1: no DHCP answer to alice's phone"
	[ "$got" = "$UNREG_URL" ] ||
	    die "$1: DHCP option 66 is '$got', expected the unregistered $UNREG_URL"
}

# 7. reload with a syntax error in users.conf: provboxctl says where,
# exits non-zero and signals neither daemon; both serve on.
t_reload_broken() {
	local d p bad_line rc

	serving_alice "before"
	cp "$CONF_DIR/users.conf" "$PB_TMP/users.conf.good"
	head -n -1 "$PB_TMP/users.conf.good" >"$CONF_DIR/users.conf"
	cat >>"$CONF_DIR/users.conf" <<EOF
  , { name = "mallory";
    sip = { user = "299"; password = "$PW_MALLORY"; server = "$SRV_IP"; };
EOF
	bad_line=$(($(pb_lines "$CONF_DIR/users.conf") + 1))
	# A value without its quotes: a syntax error.
	cat >>"$CONF_DIR/users.conf" <<EOF
    devices = ( { mac = "80:5e:c0:10:00:66"; vendor = yealink; } ); }
);
EOF
	read -r d p <<<"$(marks)"
	ctl reload-broken reload
	rc=$?
	cp "$PB_TMP/users.conf.good" "$CONF_DIR/users.conf"
	[ "$rc" -ne 0 ] || die "reload with a broken users.conf: exit 0: $(ctl_msg reload-broken)"
	grep -qE "^(.*/)?users\\.conf:$bad_line: " "$OUT/reload-broken.err" ||
	    die "no 'users.conf:$bad_line: ...' error: $(ctl_msg reload-broken)"
	grep -qF "not reloading" "$OUT/reload-broken.err" ||
	    die "no 'not reloading' message: $(ctl_msg reload-broken)"
	grep -qE "reloaded|refused|not running" "$OUT/reload-broken.out" &&
	    die "it reported on the daemons: $(ctl_msg reload-broken)"
	sleep 1
	pb_grep_after "$DHCPD_LOG" "$d" "reloading" &&
	    die "provbox-dhcpd got a SIGHUP: $(log_line "$DHCPD_LOG" "$d" reload)"
	pb_grep_after "$PROV_LOG" "$p" "reloading" &&
	    die "provbox-provisiond got a SIGHUP: $(log_line "$PROV_LOG" "$p" reload)"
	pb_alive "$(daemon_pid dhcpd)" || die "provbox-dhcpd is gone"
	pb_alive "$(daemon_pid provisiond)" || die "provbox-provisiond is gone"
	serving_alice "after"
	pb_pass
}

# 8. reload with a config only provisiond refuses (a certificate that
# does not match the key: provboxctl check reads neither): provboxctl
# asks both daemons to test the config before either reloads, so neither
# does: per-daemon answers, exit 1, dhcpd keeps its config (no reload in
# its log) and provisiond serves on with the old certificate.
t_reload_refused() {
	local rc d p pd pp crt=$CONF_DIR/tls/server.crt

	serving_alice "before"
	cp "$crt" "$PB_TMP/server.crt.good"
	(umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -days 1 -subj /CN=other -keyout "$PB_TMP/other.key" \
	    -out "$crt" >"$PB_TMP/openssl2.err" 2>&1) ||
	    die "openssl: $(tail -n 1 "$PB_TMP/openssl2.err")"
	if ! ctl reload-refused-check check; then
		cp "$PB_TMP/server.crt.good" "$crt"
		die "provboxctl check refuses the certificate (the test needs a config only provisiond refuses): $(ctl_msg reload-refused-check)"
	fi
	read -r d p <<<"$(marks)"
	ctl reload-refused reload
	rc=$?
	cp "$PB_TMP/server.crt.good" "$crt"
	pd=$(daemon_pid dhcpd)
	pp=$(daemon_pid provisiond)
	[ "$rc" -ne 0 ] || die "exit 0 though provisiond refused: $(ctl_msg reload-refused)"
	grep -qFx "provbox-dhcpd (pid $pd): not reloaded: another daemon refused the config" "$OUT/reload-refused.out" ||
	    die "no 'provbox-dhcpd (pid $pd): not reloaded: another daemon refused the config': $(ctl_msg reload-refused)"
	grep -qE "^provbox-provisiond \\(pid $pp\\): refused the new config: TLS: the key does not match the certificate" \
	    "$OUT/reload-refused.out" ||
	    die "no 'provbox-provisiond (pid $pp): refused the new config: TLS: the key does not match ...': $(ctl_msg reload-refused)"
	pb_grep_after "$DHCPD_LOG" "$d" "reloading\|reloaded " &&
	    die "dhcpd reloaded though provisiond refused the config: $(log_line "$DHCPD_LOG" "$d" reload)"
	pb_grep_after "$PROV_LOG" "$p" "reloading\|reloaded " &&
	    die "provisiond reloaded the refused config: $(log_line "$PROV_LOG" "$p" reload)"
	serving_alice "after"
	pb_pass
}

# 8b. reload with a template that names no setting: check, both daemons'
# -t and reload refuse it alike, with the template's file:line; neither
# daemon is even asked, and provisiond serves the old template.
t_reload_template() {
	local rc d p line

	serving_alice "before"
	cp "$TMPL_MAC" "$PB_TMP/tmpl.good"
	line=$(($(pb_lines "$TMPL_MAC") + 1))
	echo "account.1.nosuch = {{ settings.nosuch }}" >>"$TMPL_MAC"
	read -r d p <<<"$(marks)"
	ctl tmpl-check check
	rc=$?
	ctl tmpl-reload reload
	rc="$rc $?"
	"$PB_BUILD/provbox-dhcpd" -t -c "$CONF" >"$OUT/tmpl-dt.out" 2>&1
	rc="$rc $?"
	"$PB_BUILD/provbox-provisiond" -t -c "$CONF" >"$OUT/tmpl-pt.out" 2>&1
	rc="$rc $?"
	cp "$PB_TMP/tmpl.good" "$TMPL_MAC"
	[ "$rc" = "1 1 1 1" ] ||
	    die "exit codes of check, reload, dhcpd -t, provisiond -t: $rc, expected 1 1 1 1"
	for o in tmpl-check.err tmpl-reload.err tmpl-dt.out tmpl-pt.out; do
		grep -qF "$TMPL_MAC:$line: unknown name 'settings.nosuch'" "$OUT/$o" ||
		    die "$o does not name $TMPL_MAC:$line: $(head -c 300 "$OUT/$o")"
	done
	pb_grep_after "$DHCPD_LOG" "$d" "reloading\|reloaded " &&
	    die "dhcpd reloaded a config with a broken template"
	pb_grep_after "$PROV_LOG" "$p" "reloading\|reloaded " &&
	    die "provisiond reloaded a config with a broken template"
	serving_alice "after"
	grep -q nosuch "$OUT"/serving.*.body && die "provisiond serves the refused template"
	pb_pass
}

# 8c. device show: the record; with --secrets (root), the phone's own
# random admin password, the one its file carries; refused to others.
t_device_show() {
	local o=$OUT/show-file u pw pw_bob

	ctl show-a device show "$MAC_ALICE" || die "device show: exit $?: $(ctl_msg show-a)"
	grep -qFx "user:         alice" "$OUT/show-a.out" || die "device show: $(ctl_msg show-a)"
	grep -qi "password" "$OUT/show-a.out" && die "device show without --secrets shows a password"
	ctl show-s device show "$MAC_ALICE" --secrets ||
	    die "device show --secrets: exit $?: $(ctl_msg show-s)"
	pw=$(sed -n 's/^admin password: //p' "$OUT/show-s.out")
	[[ $pw =~ ^[A-Za-z2-9]{16}$ ]] || die "admin password '$pw' is not 16 letters and digits"
	grep -qFx "SIP password:   $PW_ALICE (account 1)" "$OUT/show-s.out" ||
	    die "device show --secrets: no SIP password: $(ctl_msg show-s)"
	ctl show-b --json device show "$MAC_BOB" --secrets || die "--json: exit $?"
	pw_bob=$(jq -r .admin_password "$OUT/show-b.out")
	[[ $pw_bob =~ ^[A-Za-z2-9]{16}$ ]] && [ "$pw_bob" != "$pw" ] ||
	    die "bob's phone's password '$pw_bob' (alice's: '$pw')"
	jq -e '.mac and .user == "bob" and .class and .enrollment and .sip_password' \
	    "$OUT/show-b.out" >/dev/null || die "--json: $(head -c 300 "$OUT/show-b.out")"
	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	get "$o" "$u$(plain_mac "$MAC_ALICE").cfg"
	expect_code "$o" 200 "alice's phone file"
	grep -qFx "static.security.user_password = admin:$pw" "$o.body" ||
	    die "alice's file does not carry the password device show gave: $(grep user_password "$o.body")"
	# Another user of the machine: no secrets, and says why.
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CTL" -c "$CONF" device show "$MAC_ALICE" --secrets \
	    >"$OUT/show-n.out" 2>"$OUT/show-n.err" &&
	    die "device show --secrets as nobody: exit 0"
	grep -qF "only root may see a phone's passwords" "$OUT/show-n.err" ||
	    die "as nobody: $(cat "$OUT/show-n.err")"
	grep -qF "$pw" "$OUT/show-n.out" "$OUT/show-n.err" && die "nobody saw the password"
	pb_pass
}

# 8c'. device render: the file as the phone gets it from its folder.
# With --secrets (root) the same bytes provisiond served; without, the
# same file with every password empty; refused to others; a name no
# rule answers and a MAC not in the registry are errors.
t_device_render() {
	local o=$OUT/render-file u f

	u=$(user_url alice) || die "url alice: $(ctl_msg url-alice)"
	f=$(plain_mac "$MAC_ALICE").cfg
	get "$o" "$u$f"
	expect_code "$o" 200 "alice's phone file"
	ctl render-s device render "$MAC_ALICE" "$f" --secrets ||
	    die "device render --secrets: exit $?: $(ctl_msg render-s)"
	cmp -s "$o.body" "$OUT/render-s.out" ||
	    die "device render --secrets differs from the served file: $(diff "$o.body" "$OUT/render-s.out" | head -5)"
	grep -qF "$PW_ALICE" "$OUT/render-s.out" || die "render --secrets: no SIP password"
	ctl render-p device render "$MAC_ALICE" "$f" ||
	    die "device render: exit $?: $(ctl_msg render-p)"
	grep -qF "$PW_ALICE" "$OUT/render-p.out" && die "device render without --secrets shows the SIP password"
	grep -qx 'account\.1\.password = ' "$OUT/render-p.out" ||
	    die "device render: account 1's password line: $(grep 'account.1.password' "$OUT/render-p.out")"
	grep -q '^static\.security\.user_password = admin:.' "$OUT/render-p.out" &&
	    die "device render without --secrets shows the admin password"
	# Everything else is the served file.
	diff <(grep -v 'password' "$o.body") <(grep -v 'password' "$OUT/render-p.out") >/dev/null ||
	    die "device render differs from the served file beyond its passwords"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CTL" -c "$CONF" device render "$MAC_ALICE" "$f" --secrets \
	    >"$OUT/render-n.out" 2>"$OUT/render-n.err" &&
	    die "device render --secrets as nobody: exit 0"
	grep -qF "only root may see a phone's passwords" "$OUT/render-n.err" ||
	    die "as nobody: $(cat "$OUT/render-n.err")"
	[ -s "$OUT/render-n.out" ] && die "nobody got a file"
	ctl render-x device render "$MAC_ALICE" nosuch.bin && die "render of a name no rule answers: exit 0"
	grep -qF "no file rule of class" "$OUT/render-x.err" || die "nosuch.bin: $(ctl_msg render-x)"
	ctl render-u device render 02:00:00:00:99:99 "$f" && die "render for a MAC not in the registry: exit 0"
	grep -qF "is not in the registry" "$OUT/render-u.err" || die "unknown MAC: $(ctl_msg render-u)"
	pb_pass
}

# 8d. seal: alice's SIP password sealed with the registry's key in
# users.conf; check and reload take it, and her phone's file carries the
# clear password, which users.conf no longer holds. A value sealed on
# another box is refused by check and reload, and both daemons serve on.
t_seal() {
	local sealed other rc d p

	printf '%s\n' "$PW_ALICE" | timeout 30 "$CTL" -c "$CONF" seal \
	    >"$OUT/seal.out" 2>"$OUT/seal.err" || die "seal: exit $?: $(cat "$OUT/seal.err")"
	sealed=$(cat "$OUT/seal.out")
	[[ $sealed == sealed:* ]] || die "seal printed '$sealed'"
	grep -qF "$PW_ALICE" "$OUT/seal.out" && die "the sealed value holds the password"
	printf 'x\n' | setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CTL" -c "$CONF" seal >"$OUT/seal-n.out" 2>"$OUT/seal-n.err" &&
	    die "seal as nobody: exit 0"
	grep -qF "seal: only root can read the registry's key" "$OUT/seal-n.err" ||
	    die "seal as nobody: $(head -c 300 "$OUT/seal-n.err")"
	cp "$CONF_DIR/users.conf" "$PB_TMP/users.conf.clear"
	sed -i "s|password = \"$PW_ALICE\"|password = \"$sealed\"|" "$CONF_DIR/users.conf"
	grep -qF "$PW_ALICE" "$CONF_DIR/users.conf" && die "users.conf still holds alice's password"
	ctl seal-check check || die "check with a sealed password: $(ctl_msg seal-check)"
	ctl seal-reload reload || die "reload with a sealed password: $(ctl_msg seal-reload)"
	serving_alice "sealed"
	# Sealed with another registry's key.
	sed "s|path = \"$PB_TMP/registry\"|path = \"$PB_TMP/other-registry\"|" \
	    "$CONF" >"$PB_TMP/other.conf"
	cp "$CONF_DIR/vendors.conf" "$CONF_DIR/users.conf" "$PB_TMP/" 2>/dev/null
	ln -sf "$CONF_DIR/templates" "$PB_TMP/templates" 2>/dev/null
	ln -sf "$CONF_DIR/tls" "$PB_TMP/tls" 2>/dev/null
	other=$(printf 'elsewhere\n' | timeout 30 "$CTL" -c "$PB_TMP/other.conf" seal 2>"$OUT/seal-o.err") ||
	    die "seal with another registry: $(cat "$OUT/seal-o.err")"
	sed -i "s|password = \"$sealed\"|password = \"$other\"|" "$CONF_DIR/users.conf"
	read -r d p <<<"$(marks)"
	ctl seal-check2 check
	rc=$?
	ctl seal-reload2 reload
	rc="$rc $?"
	cp "$PB_TMP/users.conf.clear" "$CONF_DIR/users.conf"
	[ "$rc" = "1 1" ] || die "check, reload with another box's sealed value: exit $rc"
	grep -qF "user alice: sip.password: the registry's key does not open" \
	    "$OUT/seal-check2.err" || die "check: $(ctl_msg seal-check2)"
	grep -qF "the registry's key does not open" "$OUT/seal-reload2.out" \
	    "$OUT/seal-reload2.err" || die "reload: $(ctl_msg seal-reload2)"
	pb_grep_after "$DHCPD_LOG" "$d" "reloaded " &&
	    die "dhcpd reloaded a config whose sealed value does not open"
	pb_grep_after "$PROV_LOG" "$p" "reloaded " &&
	    die "provisiond reloaded a config whose sealed value does not open"
	ctl seal-reload3 reload || die "reload back to clear: $(ctl_msg seal-reload3)"
	serving_alice "after"
	pb_pass
}

# 9. reload with a new user: both daemons take it; carol's URL serves her
# phone's file, and DHCP hands her phone no token (it is not enrolling),
# without a restart.
t_reload_new_user() {
	local o=$OUT/carol pd pp u got

	ctl url-carol0 url carol && die "carol has a URL before the reload"
	write_users ",
  { name = \"carol\"; display_name = \"$CAROL_NAME\";
    sip = { user = \"203\"; password = \"$PW_CAROL\"; server = \"$SRV_IP\"; };
    devices = ( { mac = \"$MAC_CAROL\"; vendor = \"yealink\"; model = \"T48S\"; } ); }"
	got=$(opt66 "$MAC_CAROL") || die "no DHCP answer to carol's phone before"
	[ "$got" = "$UNREG_URL" ] || die "carol's phone before the reload got '$got'"
	pd=$(daemon_pid dhcpd)
	pp=$(daemon_pid provisiond)
	ctl reload-carol reload || die "exit $?: $(ctl_msg reload-carol)"
	grep -qFx "provbox-dhcpd (pid $pd): reloaded" "$OUT/reload-carol.out" ||
	    die "no 'provbox-dhcpd (pid $pd): reloaded': $(ctl_msg reload-carol)"
	grep -qFx "provbox-provisiond (pid $pp): reloaded" "$OUT/reload-carol.out" ||
	    die "no 'provbox-provisiond (pid $pp): reloaded': $(ctl_msg reload-carol)"
	u=$(user_url carol) || die "url carol: $(ctl_msg url-carol)"
	get "$o" "$u$(plain_mac "$MAC_CAROL").cfg"
	expect_code "$o" 200 "carol's phone file"
	grep -qFx "account.1.password = $PW_CAROL" "$o.body" ||
	    die "carol's file lacks her password line"
	grep -qFx "account.1.user_name = 203" "$o.body" ||
	    die "carol's file lacks her SIP user"
	grep -qFx "account.1.label = $CAROL_NAME" "$o.body" ||
	    die "carol's file lacks 'account.1.label = $CAROL_NAME'"
	got=$(opt66 "$MAC_CAROL") || die "no DHCP answer to carol's phone"
	[ "$got" = "$UNREG_URL" ] ||
	    die "carol's phone got option 66 '$got', expected the unregistered $UNREG_URL"
	[ "$pd" = "$(daemon_pid dhcpd)" ] && pb_alive "$pd" &&
	    [ "$pp" = "$(daemon_pid provisiond)" ] && pb_alive "$pp" ||
	    die "a daemon was restarted"
	# The others keep their folders.
	serving_alice "after"
	pb_pass
}

# 3. users with a display name of more bytes than characters (carol's,
# from reload-new-user): the columns still line up, and --json has it.
t_users_non_ascii() {
	local r

	ctl users-utf8-json users --json || die "--json: exit $?: $(ctl_msg users-utf8-json)"
	json "$OUT/users-utf8-json.out" user display_name
	r=$(row "$OUT/users-utf8-json.out" str:carol)
	[ "$(cell "$r" 2)" = "str:$CAROL_NAME" ] ||
	    die "--json: carol's display_name is '$(cell "$r" 2)', expected '$CAROL_NAME'"
	ctl users-utf8 users || die "exit $?: $(ctl_msg users-utf8)"
	table "$OUT/users-utf8.out" user display_name sip devices token token_created
	r=$(row "$OUT/users-utf8.out" carol)
	[ "$(cut -f 1-4 <<<"$r")" = "carol	$CAROL_NAME	203@10.42.0.1:5060	1" ] ||
	    die "carol: '$(tr '\t' '|' <<<"$r")'"
	pb_pass
}

# provboxctl reload after a daemon restart: the new process counts its
# reloads from 1 again, and the old process's status file may already
# hold that number.
t_reload_after_restart() {
	local pp p

	daemon_stop provisiond
	prov_start || die "provisiond did not restart: $(tail -n 2 "$PROV_LOG")"
	pp=$(daemon_pid provisiond)
	ctl reload-r1 reload || die "first reload: exit $?: $(ctl_msg reload-r1)"
	grep -qFx "provbox-provisiond (pid $pp): reloaded" "$OUT/reload-r1.out" ||
	    die "first reload: $(ctl_msg reload-r1)"
	# Its status file now says "1 <time> ok". A new process's first
	# reload writes "1 ..." too.
	daemon_stop provisiond
	prov_start || die "provisiond did not restart: $(tail -n 2 "$PROV_LOG")"
	pp=$(daemon_pid provisiond)
	p=$(pb_lines "$PROV_LOG")
	ctl reload-r2 reload
	pb_grep_after "$PROV_LOG" "$p" "reloaded " ||
	    die "provisiond did not reload: $(ctl_msg reload-r2)"
	grep -qFx "provbox-provisiond (pid $pp): reloaded" "$OUT/reload-r2.out" ||
	    die "provisiond reloaded (its log says so), but provboxctl reload says: $(grep provisiond "$OUT/reload-r2.out")"
	pb_pass
}

# 10. reload with a daemon that is not running (pid file gone, or left
# behind by a dead process): "not running" for that one.
t_reload_not_running() {
	local pp pd dead

	pp=$(daemon_pid provisiond)
	pd=$(daemon_pid dhcpd)
	daemon_stop provisiond || die "provisiond was not running"
	[ -e "$RUN_DIR/provbox-provisiond.pid" ] &&
	    die "provisiond left its pid file behind after SIGTERM"
	ctl reload-nr reload
	grep -qFx "provbox-provisiond: not running (no live pid in $RUN_DIR)" \
	    "$OUT/reload-nr.out" || die "no 'provbox-provisiond: not running': $(ctl_msg reload-nr)"
	grep -qFx "provbox-dhcpd (pid $pd): reloaded" "$OUT/reload-nr.out" ||
	    die "dhcpd: $(ctl_msg reload-nr)"
	# A pid file whose process is gone.
	sleep 0 &
	dead=$!
	wait "$dead"
	echo "$dead" >"$RUN_DIR/provbox-provisiond.pid"
	ctl reload-stale reload
	rm -f "$RUN_DIR/provbox-provisiond.pid"
	grep -qFx "provbox-provisiond: not running (no live pid in $RUN_DIR)" \
	    "$OUT/reload-stale.out" ||
	    die "a stale pid file ($dead): $(ctl_msg reload-stale)"
	pb_pass
}

# reload with provisiond's pid file left behind and its PID now another
# process's (here one of ours, a sleep): that process must not get the
# SIGHUP (its default action ends it).
t_reload_pid_reused() {
	local other

	[ -e "$RUN_DIR/provbox-provisiond.pid" ] &&
	    die "provisiond runs (reload-not-running stops it)"
	pb_bg sleep 60
	other=$PB_BG_PID
	# No "Hangup" job report from bash if it dies.
	disown "$other"
	echo "$other" >"$RUN_DIR/provbox-provisiond.pid"
	ctl reload-reused reload
	rm -f "$RUN_DIR/provbox-provisiond.pid"
	sleep 0.2
	pb_alive "$other" ||
	    die "provboxctl reload sent SIGHUP to pid $other (a sleep, not provbox-provisiond) and ended it; it said: $(grep provisiond "$OUT/reload-reused.out")"
	grep -qFx "provbox-provisiond: not running (no live pid in $RUN_DIR)" \
	    "$OUT/reload-reused.out" ||
	    die "$(ctl_msg reload-reused)"
	pb_pass
}

# ------------------------------------------------------------ lease commands

# Unregistered clients of the lease tests (none in users.conf).
MAC_L1=02:c7:1e:00:00:01
MAC_L2=02:c7:1e:00:00:02
MAC_L3=02:c7:1e:00:00:03
MAC_L4=02:c7:1e:00:00:04
MAC_L5=02:c7:1e:00:00:05
# provboxctl's local time stamp, as in "until 2026-12-07 14:03:11, in 59m".
STAMP_RE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'

# lease_row NAME IP: "STATE<TAB>ENDS" of IP in provboxctl --json leases
# (nothing when it has no record), or dies.
lease_row() {
	ctl "$1" --json leases || die "leases --json: exit $?: $(ctl_msg "$1")"
	json "$OUT/$1.out" address state ends
	row "$OUT/$1.out" "str:$2" | cut -f 2,3 | sed 's/str://; s/num://'
}

# dora_ip NAME MAC [ARGS...]: a DORA as an unregistered client; prints
# the address it got, or dies.
dora_ip() {
	local o=$OUT/$1 mac=$2 ip

	shift 2
	dora "$o" "$mac" "$@" || die "$1: no ACK for $mac: $(head -n 1 "$o")"
	ip=$(pb_kv yiaddr "$o")
	[[ $ip =~ ^10\.42\.0\.[0-9]+$ ]] || die "$1: no address for $mac"
	echo "$ip"
}

# 12. lease release of a bound lease: the message says what it was; the
# record is released and over, and keeps its client, which gets the same
# address back at its next DORA. --json says the same as one object.
t_lease_release() {
	local ip ip2 r now

	ip=$(dora_ip lr-dora1 "$MAC_L1") || exit 1
	ctl lr-release lease release "$ip" ||
	    die "lease release $ip: exit $?: $(ctl_msg lr-release)"
	grep -qEx "${ip//./\\.}: released \\(was bound to $MAC_L1 until $STAMP_RE, in (59|60)m\\)" \
	    "$OUT/lr-release.out" ||
	    die "release said '$(ctl_msg lr-release)', expected '$ip: released (was bound to $MAC_L1 until <time>, in 59m)'"
	now=$(date +%s)
	r=$(lease_row lr-leases "$ip")
	[ "$(cut -f 1 <<<"$r")" = released ] ||
	    die "after release $ip is '$(tr '\t' '|' <<<"$r")' in leases, expected released"
	[ "$(cut -f 2 <<<"$r")" -le "$now" ] ||
	    die "the released lease ends at $(cut -f 2 <<<"$r"), after now ($now)"
	# RFC 2131 4.3.4: the record keeps the client, which gets it back.
	ip2=$(dora_ip lr-dora2 "$MAC_L1") || exit 1
	[ "$ip2" = "$ip" ] ||
	    die "$MAC_L1 got $ip2 after the release, expected its old $ip back"
	ctl lr-json --json lease release "$ip" ||
	    die "--json lease release: exit $?: $(ctl_msg lr-json)"
	python3 - "$OUT/lr-json.out" "$ip" "$MAC_L1" "$now" \
	    >"$OUT/lr-json.check" 2>&1 <<'PY' || die "--json: $(head -c 300 "$OUT/lr-json.check")"
import json, sys
path, ip, mac, now = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
o = json.load(open(path))
assert o['address'] == ip, o
assert o['action'] == 'released', o
w = o['was']
assert w['state'] == 'bound' and w['mac'] == mac, o
assert w['client_id'] is None, o
assert now + 3500 <= w['ends'] <= now + 3700, o
PY
	pb_pass
}

# 12. lease delete of a bound lease: the record is gone and the server
# goes on serving: the client that held it is a new client, given an
# address again.
t_lease_delete() {
	local ip ip2 r

	ip=$(dora_ip ld-dora1 "$MAC_L2") || exit 1
	ctl ld-delete lease delete "$ip" ||
	    die "lease delete $ip: exit $?: $(ctl_msg ld-delete)"
	grep -qEx "${ip//./\\.}: deleted \\(was bound to $MAC_L2 until $STAMP_RE, in (59|60)m\\)" \
	    "$OUT/ld-delete.out" ||
	    die "delete said '$(ctl_msg ld-delete)', expected '$ip: deleted (was bound to $MAC_L2 until <time>, in 59m)'"
	r=$(lease_row ld-leases "$ip")
	[ -z "$r" ] || die "after delete, leases still has $ip: $(tr '\t' '|' <<<"$r")"
	ctl ld-again lease delete "$ip" &&
	    die "a second delete of $ip succeeded: $(ctl_msg ld-again)"
	ip2=$(dora_ip ld-dora2 "$MAC_L2") || exit 1
	r=$(lease_row ld-leases2 "$ip2")
	[ "$(cut -f 1 <<<"$r")" = bound ] ||
	    die "$MAC_L2's new lease of $ip2 is '$(tr '\t' '|' <<<"$r")'"
	pb_pass
}

# 12. A declined (quarantined) address: RFC 2131 4.3.3 sets it aside for
# decline_time, and no client gets it; lease release frees it at once (a
# new client asking for it by Option 50 is offered it) and lease delete
# removes it.
t_lease_declined() {
	local ip ip4 o=$OUT/lde r got

	ip=$(dora_ip lde-dora "$MAC_L3") || exit 1
	ip netns exec "$NS_C1" timeout 10 "$PROBE" -i "$IF_C1" -m "$MAC_L3" \
	    decline "$ip" >"$o.decline" 2>&1
	pb_wait_for 5 eval "[ \"\$(lease_row lde-l1 $ip | cut -f 1)\" = declined ]" ||
	    die "the DECLINE of $ip did not set it aside: $(lease_row lde-l1 "$ip" | tr '\t' '|')"
	# A new client asking for it is offered another address.
	ip netns exec "$NS_C1" timeout 10 "$PROBE" -i "$IF_C1" -m "$MAC_L4" \
	    -V yealink -r "$ip" discover >"$o.disc1" 2>&1
	got=$(pb_kv yiaddr "$o.disc1")
	[ -n "$got" ] || die "no OFFER for $MAC_L4: $(head -n 1 "$o.disc1")"
	[ "$got" != "$ip" ] || die "the declined $ip was offered to $MAC_L4"
	ctl lde-release lease release "$ip" ||
	    die "lease release $ip: exit $?: $(ctl_msg lde-release)"
	grep -qEx "${ip//./\\.}: released \\(was declined, set aside until $STAMP_RE, in (23|24)h\\)" \
	    "$OUT/lde-release.out" ||
	    die "release said '$(ctl_msg lde-release)', expected '$ip: released (was declined, set aside until <time>, in 24h)'"
	r=$(lease_row lde-l2 "$ip")
	[ "$(cut -f 1 <<<"$r")" = released ] && [ "$(cut -f 2 <<<"$r")" -le "$(date +%s)" ] ||
	    die "after release $ip is '$(tr '\t' '|' <<<"$r")', expected released and over"
	# Free at once: now it is offered when asked for (to another new
	# client: $MAC_L4 has its OFFER, which 4.3.1 gives it first).
	ip netns exec "$NS_C1" timeout 10 "$PROBE" -i "$IF_C1" -m "$MAC_L5" \
	    -V yealink -r "$ip" discover >"$o.disc2" 2>&1
	got=$(pb_kv yiaddr "$o.disc2")
	[ "$got" = "$ip" ] ||
	    die "$MAC_L5 asked for the released $ip and was offered '${got:-nothing}'"
	# Declined again, then deleted.
	ip4=$(dora_ip lde-dora5 "$MAC_L5" -r "$ip") || exit 1
	[ "$ip4" = "$ip" ] || die "$MAC_L5 was bound to $ip4, not $ip"
	ip netns exec "$NS_C1" timeout 10 "$PROBE" -i "$IF_C1" -m "$MAC_L5" \
	    decline "$ip" >"$o.decline2" 2>&1
	pb_wait_for 5 eval "[ \"\$(lease_row lde-l3 $ip | cut -f 1)\" = declined ]" ||
	    die "the second DECLINE of $ip did not set it aside"
	ctl lde-delete lease delete "$ip" ||
	    die "lease delete $ip: exit $?: $(ctl_msg lde-delete)"
	grep -qEx "${ip//./\\.}: deleted \\(was declined, set aside until $STAMP_RE, in (23|24)h\\)" \
	    "$OUT/lde-delete.out" || die "delete said '$(ctl_msg lde-delete)'"
	[ -z "$(lease_row lde-l4 "$ip")" ] || die "after delete, $ip is still listed"
	pb_pass
}

# 12. Addresses lease release/delete refuse: in a subnet but without a
# record, in no configured subnet (exit 1, and the message says which);
# not an address, or an unknown verb (exit 2). Nothing is changed.
t_lease_unknown() {
	local rc

	lease_row lu-before 10.42.0.1 >/dev/null
	for v in release delete; do
		ctl "lu-$v-norec" lease "$v" 10.42.0.250
		rc=$?
		[ "$rc" -eq 1 ] || die "lease $v 10.42.0.250 (no record): exit $rc, expected 1"
		grep -qFx "provboxctl: 10.42.0.250: no lease record (provboxctl leases lists them)" \
		    "$OUT/lu-$v-norec.err" || die "lease $v 10.42.0.250: $(ctl_msg "lu-$v-norec")"
		ctl "lu-$v-out" lease "$v" 192.0.2.7
		rc=$?
		[ "$rc" -eq 1 ] || die "lease $v 192.0.2.7 (no subnet): exit $rc, expected 1"
		grep -qFx "provboxctl: 192.0.2.7 is in no configured subnet" \
		    "$OUT/lu-$v-out.err" || die "lease $v 192.0.2.7: $(ctl_msg "lu-$v-out")"
		ctl "lu-$v-bad" lease "$v" 10.42.0.999
		rc=$?
		[ "$rc" -eq 2 ] || die "lease $v 10.42.0.999: exit $rc, expected 2"
		grep -qFx "provboxctl: 10.42.0.999 is not an IPv4 address" \
		    "$OUT/lu-$v-bad.err" || die "lease $v 10.42.0.999: $(ctl_msg "lu-$v-bad")"
		[ ! -s "$OUT/lu-$v-norec.out" ] && [ ! -s "$OUT/lu-$v-out.out" ] ||
		    die "lease $v printed on stdout when refusing"
	done
	ctl lu-verb lease free 10.42.0.100
	rc=$?
	[ "$rc" -eq 2 ] || die "lease free: exit $rc, expected 2"
	lease_row lu-after 10.42.0.1 >/dev/null
	cmp -s "$OUT/lu-before.out" "$OUT/lu-after.out" ||
	    die "a refused lease command changed the leases"
	pb_pass
}

# 12. With provbox-dhcpd running on a full pool of four: a fifth client
# gets no OFFER; after lease delete of the pool's last address it gets
# that address, and after lease release of another a sixth client gets
# that one. The server is not reloaded. A config of its own (a copy with
# that pool, its own registry, and dhcp.reserve = 0 so that unregistered
# clients may fill the pool); the suite's dhcpd is started again after.
t_lease_full_pool() {
	local small=$CONF_DIR/small.conf o=$OUT/lfp pd ip last first got
	local conf=$CONF

	sed -e "s|$PB_TMP/registry\"|$PB_TMP/registry-small\"|" \
	    -e 's|end = "10.42.0.200";|end = "10.42.0.103";|' \
	    -e 's|^dhcp = {|&\n  reserve = 0;|' "$CONF" >"$small" ||
	    die "cannot write $small"
	grep -q 'end = "10.42.0.103"' "$small" && grep -q registry-small "$small" ||
	    die "the small config was not written: $(head -c 300 "$small")"
	daemon_stop dhcpd
	CONF=$small
	dhcpd_start || die "provbox-dhcpd did not start with a pool of four: $(tail -n 3 "$DHCPD_LOG")"
	pd=$(daemon_pid dhcpd)
	ip netns exec "$NS_C1" timeout 30 "$PROBE" -i "$IF_C1" -m 02:c7:1f:00:00:01 \
	    -n 4 -T 15000 dora >"$o.fill" 2>&1 ||
	    die "the pool of four did not fill: $(tr '\n' '|' <"$o.fill")"
	for ip in 10.42.0.100 10.42.0.101 10.42.0.102 10.42.0.103; do
		grep -q " $ip\$" "$o.fill" || die "nobody got $ip: $(tr '\n' '|' <"$o.fill")"
	done
	ip netns exec "$NS_C1" timeout 10 "$PROBE" -i "$IF_C1" -m 02:c7:1f:00:00:05 \
	    -T 2500 discover >"$o.full" 2>&1
	[ "$(pb_kv type "$o.full")" = TIMEOUT ] ||
	    die "a fifth client was answered from a full pool of four: $(head -n 2 "$o.full" | tr '\n' ' ')"
	last=10.42.0.103
	ctl lfp-delete lease delete "$last" ||
	    die "lease delete $last: exit $?: $(ctl_msg lfp-delete)"
	dora "$o.5" 02:c7:1f:00:00:05 -T 10000 ||
	    die "after lease delete $last, the fifth client got no ACK: $(head -n 1 "$o.5")"
	got=$(pb_kv yiaddr "$o.5")
	[ "$got" = "$last" ] || die "the fifth client got $got, expected the deleted $last"
	first=10.42.0.100
	ctl lfp-release lease release "$first" ||
	    die "lease release $first: exit $?: $(ctl_msg lfp-release)"
	dora "$o.6" 02:c7:1f:00:00:06 -T 10000 ||
	    die "after lease release $first, a sixth client got no ACK: $(head -n 1 "$o.6")"
	got=$(pb_kv yiaddr "$o.6")
	[ "$got" = "$first" ] || die "the sixth client got $got, expected the released $first"
	[ "$pd" = "$(daemon_pid dhcpd)" ] && pb_alive "$pd" ||
	    die "provbox-dhcpd did not survive"
	daemon_stop dhcpd
	CONF=$conf
	dhcpd_start || die "provbox-dhcpd did not start again: $(tail -n 3 "$DHCPD_LOG")"
	pb_pass
}

# ------------------------------------------------------ JSON, help, completion

# ctl_with NAME CONF ARGS...: as ctl, with another config.
ctl_with() {
	local o=$OUT/$1 conf=$2 rc

	shift 2
	timeout 60 "$CTL" -c "$conf" "$@" >"$o.out" 2>"$o.err"
	rc=$?
	cat "$o.err" >>"$CTL_ERR"
	return "$rc"
}

# 2c. --version prints the build's version (git describe, or the release)
# and --help (-h) the usage, on stdout, exit 0; a bad option or no command
# is a usage error: the usage on stderr, nothing on stdout, exit 2.
t_version_help() {
	local want rc h

	# valgrind.sh's build is the vg/ directory of wrappers beside it.
	h=$PB_BUILD/config.h
	[ -f "$h" ] || h=$PB_BUILD/../config.h
	want=$(sed -n 's/^#define PB_VERSION "\(.*\)"$/\1/p' "$h")
	[ -n "$want" ] || die "no PB_VERSION in $h"
	"$CTL" --version >"$OUT/version.out" 2>"$OUT/version.err" ||
	    die "--version: exit $?"
	[ "$(cat "$OUT/version.out")" = "provboxctl $want" ] ||
	    die "--version printed '$(cat "$OUT/version.out")', expected 'provboxctl $want'"
	[ -s "$OUT/version.err" ] && die "--version wrote to stderr: $(head -c 200 "$OUT/version.err")"
	for h in --help -h; do
		"$CTL" "$h" >"$OUT/help.out" 2>"$OUT/help.err" ||
		    die "$h: exit $?, expected 0"
		head -n 1 "$OUT/help.out" | grep -q '^usage: provboxctl ' ||
		    die "$h: no usage on stdout: $(head -c 200 "$OUT/help.out")"
		grep -qE '^  lease release IP ' "$OUT/help.out" ||
		    die "$h: the usage lacks the commands"
		[ -s "$OUT/help.err" ] && die "$h wrote to stderr"
	done
	for h in --nosuch ""; do
		"$CTL" $h >"$OUT/badopt.out" 2>"$OUT/badopt.err"
		rc=$?
		[ "$rc" -eq 2 ] || die "provboxctl $h: exit $rc, expected 2"
		[ -s "$OUT/badopt.out" ] && die "provboxctl $h: printed on stdout"
		grep -q '^usage: provboxctl ' "$OUT/badopt.err" ||
		    die "provboxctl $h: no usage on stderr"
	done
	pb_pass
}

# 13. Every command's --json output: one JSON document that jq parses and
# that matches the schema provboxctl(8) documents (every key, no other,
# each value of its type, null for what is absent), with spot checks of
# the values; a command that fails prints nothing on stdout. Runs on what
# the suite built up: leases (one with an odd host name), fetches, carol,
# a stopped provisiond; it enrolls, rotates and revokes bob.
t_json() {
	local d=$PB_TMP/certconf ip u rc

	# check: the good config, and t_check's copy with two errors.
	ctl j-check --json check || die "check --json: exit $?: $(ctl_msg j-check)"
	schema j-check check '.ok and .errors == [] and .subnets == 1 and
	    .vendor_classes == 1 and .users >= 2 and .devices >= 2'
	ctl_with j-check-bad "$PB_TMP/bad/provbox.conf" --json check
	rc=$?
	[ "$rc" -eq 1 ] || die "check --json of a broken config: exit $rc"
	schema j-check-bad check '(.ok | not) and .subnets == null and
	    .devices == null and ([.errors[].line] | sort) == [5, 9] and
	    any(.errors[]; .setting == "users[0].devices[0].mac" and
	    (.file | endswith("users.conf")))'
	grep -qE "users\\.conf:5: " "$OUT/j-check-bad.err" ||
	    die "check --json: the errors are not on stderr too"
	ctl j-paths --json paths || die "paths --json: exit $?: $(ctl_msg j-paths)"
	schema j-paths paths ".registry == \"$PB_TMP/registry\" and .run_dir == \"$RUN_DIR\""
	ctl j-sync --json sync || die "sync --json: exit $?: $(ctl_msg j-sync)"
	schema j-sync sync '.users.added == 0 and .users.removed == 0 and
	    .devices.unchanged >= 2'
	# A config string that is not UTF-8 (a Latin-1 display name), in a
	# copy of the config with a registry of its own: U+FFFD.
	cp -r "$CONF_DIR" "$PB_TMP/latin1" || die "cannot copy the config"
	sed -i -e "s|$CONF_DIR|$PB_TMP/latin1|g" \
	    -e "s|$PB_TMP/registry\"|$PB_TMP/registry-latin1\"|" \
	    "$PB_TMP/latin1/provbox.conf"
	sed -i "s/Alice Reception/Alice R$(printf '\351')ception/" \
	    "$PB_TMP/latin1/users.conf"
	ctl_with j-l1-sync "$PB_TMP/latin1/provbox.conf" --json sync ||
	    die "sync --json of the Latin-1 config: exit $?: $(ctl_msg j-l1-sync)"
	schema j-l1-sync sync '.users.added >= 2'
	ctl_with j-l1-users "$PB_TMP/latin1/provbox.conf" --json users ||
	    die "users --json (Latin-1): exit $?"
	schema j-l1-users users 'any(.[]; .display_name == "Alice R\ufffdception")'
	# The listings.
	ctl j-users --json users || die "users --json: exit $?"
	schema j-users users 'any(.[]; .user == "alice" and
	    .token_state == "active" and (.token | test("^.{4}\\.\\.\\.\\(32\\)$")))'
	ctl j-devices --json devices || die "devices --json: exit $?"
	schema j-devices devices 'length >= 2'
	ctl j-leases --json leases || die "leases --json: exit $?"
	schema j-leases leases 'length >= 1'
	jq -e --arg h "$ODD_HOST_JSON" --arg m "$MAC_UNREG" 'any(.[];
	    .mac == $m and .hostname == $h and .user == null and
	    .vendor_class == "yealink")' "$OUT/j-leases.out" >/dev/null ||
	    die "leases --json: no lease of $MAC_UNREG with hostname $ODD_HOST_JSON, user null, vendor_class yealink"
	# url: a user's (no options), a phone's (its class's options).
	ctl j-url --json url alice || die "url --json: exit $?: $(ctl_msg j-url)"
	schema j-url url '.user == "alice" and .mac == null and .class == null
	    and .options == null and .options_while_enrolling == null and
	    (.legacy | not)'
	u=$(jq -r .url "$OUT/j-url.out")
	token_of_url "$u" >>"$TOKENS" || die "url --json: url is '$u'"
	ctl j-url-mac --json url "$MAC_ALICE" || die "url MAC --json: exit $?"
	schema j-url-mac url ".mac == \"$MAC_ALICE\" and .class == \"yealink\"
	    and .url == \"$u\" and .options_while_enrolling and
	    .options[0].code == 66 and .options[0].suboption == null and
	    .options[0].value == \"$BASE_URL/p/<first-access-token>/\""
	ctl j-url-nosuch --json url nosuch && die "url nosuch --json: exit 0"
	[ -s "$OUT/j-url-nosuch.out" ] &&
	    die "url nosuch --json: printed on stdout: $(ctl_msg j-url-nosuch)"
	# status: registered with fetches, refused fetch, unregistered.
	ctl j-status-a --json status "$MAC_ALICE" || die "status --json: exit $?"
	schema j-status-a status '.registered and .user == "alice" and
	    .model == "T46S" and .last_fetch.status == 200 and
	    .last_fetch.refused == null and (.leases | length) >= 1'
	ctl j-status-b --json status "$MAC_BOB" || die "status --json: exit $?"
	schema j-status-b status '.leases == [] and
	    .last_fetch.refused == "not-users-device" and
	    .last_fetch.status == 404 and .first_access == null and
	    .window_until == null'
	ctl j-status-u --json status "$MAC_UNREG" || die "status --json: exit $?"
	schema j-status-u status '(.registered | not) and .user == null and
	    .class == null and .model == null and .last_fetch == null and
	    .state == "new" and (.leases | length) == 1'
	# enroll, the first-access URL handed out, close, clear.
	ctl j-enroll --json enroll "$MAC_BOB" --for 10m ||
	    die "enroll --json: exit $?: $(ctl_msg j-enroll)"
	schema j-enroll enroll ".action == \"open\" and .seconds == 600 and
	    .changed == 1 and .suspect == 0 and .devices[0].mac == \"$MAC_BOB\"
	    and .devices[0].result == \"opened\" and
	    .devices[0].event.event == \"window-opened\""
	dora "$OUT/j-dora-bob" "$MAC_BOB" ||
	    die "pbprobe as bob's phone: $(head -n 1 "$OUT/j-dora-bob")"
	ctl j-status-e --json status "$MAC_BOB" || die "status --json: exit $?"
	schema j-status-e status '.state == "enrolling" and .window_until > now
	    and (.first_access.identity | startswith("hw 01:")) and
	    .first_access.fetched == null and (.leases | length) == 1 and
	    .events[0].event == "first-access-handed"'
	ctl j-close --json enroll "$MAC_BOB" --close ||
	    die "enroll --close --json: exit $?: $(ctl_msg j-close)"
	schema j-close enroll '.action == "close" and .seconds == null and
	    .devices[0].result == "closed" and .devices[0].event != null'
	ctl j-close2 --json enroll "$MAC_BOB" --close ||
	    die "enroll --close --json (none open): exit $?"
	schema j-close2 enroll '.changed == 0 and
	    .devices[0].result == "no-window" and .devices[0].event == null'
	ctl j-clear --json device clear "$MAC_BOB" ||
	    die "device clear --json: exit $?"
	schema j-clear device ".mac == \"$MAC_BOB\" and .action == \"clear\" and
	    (.cleared | not)"
	# rotate, revoke, rotate --now.
	ctl j-rotate --json rotate bob || die "rotate --json: exit $?"
	schema j-rotate token '.user == "bob" and .action == "rotated" and
	    (.url | test("/p/[A-Za-z0-9_-]{32}/$")) and .old_url_until > now'
	token_of_url "$(jq -r .url "$OUT/j-rotate.out")" >>"$TOKENS"
	ctl j-revoke --json revoke bob || die "revoke --json: exit $?"
	schema j-revoke token '.action == "revoked" and .url == null and
	    .old_url_until == null'
	ctl j-users-rev --json users || die "users --json: exit $?"
	schema j-users-rev users 'any(.[]; .user == "bob" and .token == null
	    and .token_state == "revoked")'
	ctl j-rotate-now --json rotate bob --now || die "rotate --now --json: exit $?"
	schema j-rotate-now token '.action == "rotated" and .url != null and
	    .old_url_until == null'
	token_of_url "$(jq -r .url "$OUT/j-rotate-now.out")" >>"$TOKENS"
	# lease release and delete.
	ip=$(dora_ip j-dora-l 02:c7:1e:00:00:0a) || exit 1
	ctl j-lr --json lease release "$ip" || die "lease release --json: exit $?"
	schema j-lr lease ".address == \"$ip\" and .action == \"released\" and
	    .was.state == \"bound\" and .was.mac == \"02:c7:1e:00:00:0a\" and
	    .was.client_id == null"
	ctl j-ld --json lease delete "$ip" || die "lease delete --json: exit $?"
	schema j-ld lease '.action == "deleted" and .was.state == "released"'
	# reload: dhcpd takes it; provisiond was stopped by reload-not-running.
	ctl j-reload --json reload || die "reload --json: exit $?: $(ctl_msg j-reload)"
	schema j-reload reload '.config_ok and .errors == [] and
	    [.daemons[].name] == ["provbox-dhcpd", "provbox-provisiond"] and
	    .daemons[0].result == "reloaded" and
	    (.daemons[0].pid | type) == "number" and
	    .daemons[0].message == null and
	    (.daemons[1] | (.result == "not-running" and .pid == null) or
	    .result == "reloaded")'
	ctl_with j-reload-bad "$PB_TMP/bad/provbox.conf" --json reload &&
	    die "reload --json of a broken config: exit 0"
	schema j-reload-bad reload '(.config_ok | not) and
	    (.errors | length) == 2 and .daemons == []'
	# lease through dhcpd's control socket: "via" says so.
	ip=$(dora_ip j-dora-l2 02:c7:1e:00:00:0b) || exit 1
	ctl j-lr2 --json lease release "$ip" || die "lease release --json: exit $?"
	schema j-lr2 lease ".address == \"$ip\" and .via == \"dhcpd\""
	# status without a MAC: the daemons (dhcpd through its socket) and
	# the registry; ctl: a daemon's answer as it came.
	ctl j-status-all --json status || die "status --json: exit $?"
	schema j-status-all daemons '.daemons[0].running and
	    .daemons[0].status.name == "provbox-dhcpd" and
	    (.daemons[0].statistics.received | type) == "number" and
	    .registry.leases >= 1'
	ctl j-ctl --json ctl dhcpd version-get || die "ctl --json: exit $?"
	schema j-ctl ctl '.result == 0 and .arguments.name == "provbox-dhcpd"'
	# certificate: t_certificate left a lone key (refused: no JSON);
	# made; there.
	ctl_with j-cert0 "$d/provbox.conf" --json certificate &&
	    die "certificate --json next to a lone key: exit 0"
	[ -s "$OUT/j-cert0.out" ] && die "certificate --json printed on a refusal"
	rm -f "$d/newtls/server.key" "$d/newtls/server.crt"
	ctl_with j-cert1 "$d/provbox.conf" --json certificate ||
	    die "certificate --json: exit $?: $(ctl_msg j-cert1)"
	schema j-cert1 certificate ".created and
	    .subject_alt_name == \"IP:$SRV_IP\" and .valid_days == 825 and
	    .key == \"$d/newtls/server.key\""
	ctl_with j-cert2 "$d/provbox.conf" --json certificate ||
	    die "certificate --json (exists): exit $?"
	schema j-cert2 certificate '(.created | not) and
	    .subject_alt_name == null and .valid_days == null'
	pb_pass
}

# complete WORD...: what provboxctl's bash completion offers for the last
# WORD ("" for an empty one), one a line; bash-completion's own functions
# when installed, stand-ins for the three it uses otherwise.
complete_words() {
	PATH=$PB_BUILD:$PATH bash -c '
	    if [ -r /usr/share/bash-completion/bash_completion ]; then
		. /usr/share/bash-completion/bash_completion
	    else
		_init_completion() {
			words=("${COMP_WORDS[@]}")
			cword=$COMP_CWORD
			cur=${words[cword]}
			prev=${words[cword - 1]}
		}
		_filedir() { COMPREPLY=($(compgen -f -- "$cur")); }
		__ltrim_colon_completions() { :; }
	    fi
	    . "$1" || exit 1
	    shift
	    COMP_WORDS=("$@")
	    COMP_CWORD=$(($# - 1))
	    COMP_LINE="$*"
	    COMP_POINT=${#COMP_LINE}
	    _provboxctl provboxctl "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	    printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" provboxctl "$@"
}

# expect_completion WANT WORD...: WANT is among the completions, or dies.
expect_completion() {
	local want=$1 got

	shift
	got=$(complete_words "$@" 2>&1)
	grep -qFx -- "$want" <<<"$got" ||
	    die "provboxctl $* <TAB>: no '$want' in: $(tr '\n' ' ' <<<"$got")"
}

# 14. The bash completion: commands, options, and the registry's users,
# MACs and leased addresses (read with the config of -c).
t_completion() {
	local ip

	bash -n "$COMPLETION" || die "$COMPLETION: a syntax error"
	expect_completion status ""
	expect_completion lease le
	expect_completion --json --j
	expect_completion --version --ver
	expect_completion --close -c "$CONF" enroll "$MAC_ALICE" --c
	expect_completion carol -c "$CONF" rotate ""
	expect_completion "$MAC_ALICE" -c "$CONF" status ""
	expect_completion "$MAC_BOB" -c "$CONF" device clear ""
	expect_completion release -c "$CONF" lease ""
	ip=$(cat "$PB_TMP/ip.alice" 2>/dev/null)
	[ -n "$ip" ] || die "no lease from the leases test"
	expect_completion "$ip" -c "$CONF" lease release ""
	pb_pass
}

# 11. No SIP password and no full token in the daemons' logs.
t_no_secrets() {
	local s f

	[ -s "$TOKENS" ] || die "no token was seen"
	for f in "$DHCPD_LOG" "$PROV_LOG"; do
		for s in "$PW_ALICE" "$PW_BOB" "$PW_CAROL" "$PW_MALLORY"; do
			grep -qF -- "$s" "$f" && die "$(basename "$f") holds a SIP password"
		done
		while read -r s; do
			grep -qF -- "$s" "$f" &&
			    die "$(basename "$f") holds a full token ($(hint "$s"))"
		done <"$TOKENS"
	done
	pb_pass
}

# 11. Both daemons stop cleanly on SIGTERM; no sanitizer report from them
# or from any provboxctl run.
t_sanitizers() {
	local pid bad

	pid=$(daemon_pid dhcpd)
	if [ -n "$pid" ] && pb_alive "$pid"; then
		daemon_stop dhcpd
	fi
	pid=$(daemon_pid provisiond)
	if [ -n "$pid" ] && pb_alive "$pid"; then
		daemon_stop provisiond
	fi
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$DHCPD_LOG" \
	    "$PROV_LOG" "$CTL_ERR" "$OUT"/*.err 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	grep -q "signal 15: stopping" "$DHCPD_LOG" ||
	    die "provbox-dhcpd did not stop cleanly: $(tail -n 2 "$DHCPD_LOG")"
	grep -q "signal 15: stopping" "$PROV_LOG" ||
	    die "provbox-provisiond did not stop cleanly: $(tail -n 2 "$PROV_LOG")"
	pb_pass
}

# ------------------------------------------------------------------- main

if [ ! -x "$PROVD" ]; then
	pb_fail build "$PROVD is missing (build first: make)"
	pb_finish
fi
if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_config || { pb_fail setup "cannot write the config: $(tail -n 2 "$PB_TMP/openssl.err")"; pb_finish; }
write_checkers
write_schemas

# check and sync work on the registry before any daemon runs.
pb_run check 30 t_check
pb_run sync 30 t_sync
pb_run certificate 30 t_certificate
pb_run version-help 30 t_version_help
if ! dhcpd_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$DHCPD_LOG")"
	pb_finish
fi
if ! prov_start; then
	pb_fail setup "provbox-provisiond did not start: $(tail -n 3 "$PROV_LOG")"
	pb_finish
fi
pb_run leases 30 t_leases
pb_run devices 30 t_devices
pb_run users 30 t_users
pb_run url 30 t_url
pb_run status 30 t_status
pb_run rotate 30 t_rotate
pb_run revoke 30 t_revoke
pb_run enroll 40 t_enroll
pb_run reload-broken-config 30 t_reload_broken
pb_run reload-refused-by-daemon 40 t_reload_refused
pb_run reload-template-refused 40 t_reload_template
pb_run device-show 40 t_device_show
pb_run device-render 40 t_device_render
pb_run seal 60 t_seal
pb_run reload-new-user 40 t_reload_new_user
pb_run users-non-ascii 30 t_users_non_ascii
pb_run reload-after-restart 60 t_reload_after_restart
pb_run reload-not-running 60 t_reload_not_running
pb_run reload-pid-reused 40 t_reload_pid_reused
pb_run lease-release 40 t_lease_release
pb_run lease-delete 40 t_lease_delete
pb_run lease-declined 90 t_lease_declined
pb_run lease-unknown 40 t_lease_unknown
pb_run lease-full-pool 120 t_lease_full_pool
pb_run json 120 t_json
pb_run completion 60 t_completion
PB_ONLY='' pb_run no-secrets-in-logs 30 t_no_secrets
PB_ONLY='' pb_run sanitizers 60 t_sanitizers
daemon_stop dhcpd
daemon_stop provisiond
pb_finish
