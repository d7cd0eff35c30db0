#!/usr/bin/env bash
# durability.sh - crash durability of provbox-dhcpd and of the registry sync.
#
#   bash tests/integration/durability.sh [BUILD_DIR [RESULTS_FILE]]
#
# BUILD_DIR defaults to ../../build from this script and must hold
# provbox-dhcpd and provboxctl (and tests/tools/pbprobe, which lib.sh
# builds when missing). Needs root: it builds its own network in two
# namespaces (names from lib.sh's PB_TAG) and removes it at the end, also
# on failure or Ctrl-C:
#
#   $T-c1: perfdhcp, ${T}c1 10.42.0.2/20 --- ${T}s1 10.42.0.1/20: $T-srv,
#          a relay to the server           provbox-dhcpd, dumpcap
#
# perfdhcp (kea-admin) acts as a relay: it sends from port 67 with giaddr
# 10.42.0.2, so the server picks the subnet from giaddr and answers
# unicast to 10.42.0.2:67. Nothing is sent to any other address.
#
# The tests:
#   kill-under-load      perfdhcp at PB_DUR_RATE (500) exchanges a second
#                        over PB_DUR_CLIENTS (1,000) MACs; provbox-dhcpd
#                        is killed (SIGKILL) 0.3-3 s after its first ACK
#                        and restarted; every lease ACKed on the wire so
#                        far (dumpcap on the server's veth) must be in the
#                        registry, bound to its client at least until the
#                        end that ACK gave; no address ACKed to two
#                        clients.
#                        PB_DUR_KILLS (10) times.
#   kill-during-reload   users.conf alternates between two configs of
#                        PB_DUR_USERS (2,000) users, half of them in both;
#                        SIGHUP, then SIGKILL at a random moment of the
#                        reload, PB_DUR_RELOAD_KILLS (8) times: right after
#                        the kill the registry is the old state or the new
#                        one, never a mix; after the restart (which syncs
#                        again) it is the new one, and the users kept keep
#                        their tokens.
#   kill-ctl-sync        the same with provboxctl sync killed midway,
#                        PB_DUR_SYNC_KILLS (6) times.
#   server-stop-sanitizers  a clean SIGTERM stop, no sanitizer report.
#
# A kill -9 leaves the page cache alone: these tests find an ACK sent
# before its lease was committed, or a sync that is not one transaction;
# a missing fsync would take a power cut to find.
#
# Each test prints "PASS name" or "FAIL name: reason"; the last line is
# "durability-integration: N passed, N failed", and RESULTS_FILE gets
# "durability-integration PASSED FAILED". Exit 0 if all passed, 1 if not,
# 77 if not root or a tool is missing that apt-get cannot provide.
#
# Environment: PB_ONLY, PB_KEEP (see lib.sh); PB_DUR_SEED makes the kill
# moments repeatable (the seed is printed; the moments inside a sync also
# follow the machine's speed); PB_DUR_KILLS, PB_DUR_RELOAD_KILLS,
# PB_DUR_SYNC_KILLS, PB_DUR_RATE, PB_DUR_CLIENTS and PB_DUR_USERS change
# the amounts.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
# Read by pb_need_tools. dumpcap comes with tshark (wireshark-common);
# tshark decodes what it captured.
# shellcheck disable=SC2034
PB_TOOLS="perfdhcp=kea-admin tshark=tshark dumpcap=wireshark-common
	mdb_dump=lmdb-utils python3=python3 ip=iproute2"
pb_init "${1:-$here/../../build}" "${2:-}" durability-integration

T=$PB_TAG
NS_SRV=$T-srv
NS_LD=$T-c1
IF_SRV=${T}s1
IF_LD=${T}c1
SRV_IP=10.42.0.1
LD_IP=10.42.0.2

KILLS=${PB_DUR_KILLS:-10}
RELOAD_KILLS=${PB_DUR_RELOAD_KILLS:-8}
SYNC_KILLS=${PB_DUR_SYNC_KILLS:-6}
# 1,000 MACs against a pool of 3,991: perfdhcp takes its -R clients in
# turn, so after the first round every ACK renews a lease of an earlier
# round, as phones do after a server restart, and each client expects its
# address back.
RATE=${PB_DUR_RATE:-500}
CLIENTS=${PB_DUR_CLIENTS:-1000}
BASE_MAC=02:00:00:d0:00:00
USERS=${PB_DUR_USERS:-2000}
SEED=${PB_DUR_SEED:-$((($(date +%s%N) / 1000) % 32768))}

CONF_DIR=$PB_TMP/etc
CONF=$CONF_DIR/provbox.conf
REG=$PB_TMP/registry
SRV_LOG=$PB_TMP/dhcpd.log
CTL_ERR=$PB_TMP/provboxctl.err
CHECK=$PB_TMP/durability-check.py
: >"$SRV_LOG"
: >"$CTL_ERR"

# ------------------------------------------------------------------ checker

# The checks read the records through provboxctl --json (users, devices,
# leases: what the registry holds, decoded by provbox itself, whatever the
# record layout), and the index tables with mdb_dump -a, whose keys and
# values registry.h documents: tokens (SHA-256 of a token -> user name),
# lease_client (client key -> IPv4) and lease_mac (MAC -> IPv4). Only
# names and keys are compared there, never decoded records.
write_checker() {
	cat >"$CHECK" <<'EOF'
import json, sys


def dump_tables(path):
    """mdb_dump -a output: {table: [(key, value), ...]} as bytes."""
    dbs, cur, rows, pending, data = {}, None, None, None, False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not data:
                if line.startswith("database="):
                    cur = line[len("database="):]
                elif line == "HEADER=END":
                    data, pending = True, None
                    rows = dbs.setdefault(cur, [])
                continue
            if line == "DATA=END":
                data, cur = False, None
                continue
            b = bytes.fromhex(line.strip())
            if pending is None:
                pending = b
            else:
                rows.append((pending, b))
                pending = None
    return dbs


def load(path):
    with open(path) as f:
        return json.load(f)


def ip_str(b):
    return ".".join(str(c) for c in b)


def mac_str(b):
    return ":".join("%02x" % c for c in b)


# ---------------------------------------------------------------- acks

def dhcp_fields(h):
    """(op, type, xid, chaddr, yiaddr, client key, lease time) of a DHCP
    payload."""
    b = bytes.fromhex(h.replace(":", ""))
    if len(b) < 240 or b[236:240] != b"\x63\x82\x53\x63":
        return None
    op, htype, hlen = b[0], b[1], min(b[2], 16)
    xid, chaddr = b[4:8], b[28:28 + hlen]
    opts, i = {}, 240
    while i < len(b):
        c = b[i]
        if c == 255:
            break
        if c == 0:
            i += 1
            continue
        if i + 2 > len(b) or i + 2 + b[i + 1] > len(b):
            return None
        opts[c] = b[i + 2:i + 2 + b[i + 1]]
        i += 2 + b[i + 1]
    mt = opts.get(53, b"\0")[0]
    # How the server knows the client (registry.h, struct reg_lease):
    # 'I' + Option 61, or 'H' + htype + chaddr without one.
    if opts.get(61):
        key = b"I" + opts[61]
    else:
        key = b"H" + bytes([htype]) + chaddr
    lt = opts.get(51, b"")
    lt = int.from_bytes(lt, "big") if len(lt) == 4 else 0
    return op, mt, xid, chaddr, ip_str(b[16:20]), key, lt


def cmd_acks(fields, out):
    """The DHCPACKs of a capture (tshark fields: frame number, time,
    payload), one 'MAC IP CLIENTKEY ENDS FRAME' line each: the client key
    from the REQUEST the ACK answers (same xid and chaddr), ENDS the
    capture time plus the lease time the ACK gives (Option 51), less a
    second (the server takes whole seconds). Prints 'ACKS LEASES UNPAIRED'.
    """
    keys, acks, unpaired = {}, [], 0
    with open(fields) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            d = dhcp_fields(parts[2])
            if d is None:
                continue
            op, mt, xid, chaddr, yiaddr, key, lt = d
            if op == 1 and mt == 3:
                keys[(xid, chaddr)] = key
            elif op == 2 and mt == 5 and yiaddr != "0.0.0.0":
                k = keys.get((xid, chaddr))
                if k is None:
                    unpaired += 1
                ends = int(float(parts[1])) - 1 + lt
                acks.append("%s %s %s %d %s" % (mac_str(chaddr), yiaddr,
                            k.hex() if k else "-", ends, parts[0]))
    with open(out, "w") as f:
        for a in acks:
            f.write(a + "\n")
    print("%d %d %d" % (len(acks), len({tuple(a.split()[:2]) for a in acks}),
                        unpaired))


def cmd_leases(leases_json, dump, acks_all, now, prefix):
    """Every lease ever ACKed is bound to its client until at least the
    end the ACK gave it (a lost renewal leaves an older end), and the
    indexes agree with the leases; no address was ACKed to two clients."""
    problems, lost, dup = [], [], []
    leases = {l["address"]: l for l in load(leases_json)}
    dbs = dump_tables(dump)
    by_client = {(k, ip_str(v)) for k, v in dbs.get("lease_client", [])}
    by_mac = {(mac_str(k), ip_str(v)) for k, v in dbs.get("lease_mac", [])}
    # The indexes: one client key per lease, a MAC entry per MAC lease.
    cips = [ip for _, ip in by_client]
    if sorted(cips) != sorted(leases):
        extra = sorted(set(cips) - set(leases))[:3]
        miss = sorted(set(leases) - set(cips))[:3]
        twice = sorted({ip for ip in cips if cips.count(ip) > 1})[:3] \
            if len(cips) != len(set(cips)) else []
        problems.append("lease_client: stale %s, missing %s, twice %s" %
                        (extra, miss, twice))
    want_mac = {(l["mac"], ip) for ip, l in leases.items() if l["mac"]}
    if by_mac != want_mac:
        problems.append("lease_mac: stale %s, missing %s" %
                        (sorted(by_mac - want_mac)[:3],
                         sorted(want_mac - by_mac)[:3]))
    acked, holders = {}, {}
    with open(acks_all) as f:
        for line in f:
            mac, ip, key, ends = line.split()[:4]
            k, e = acked.get((mac, ip), (key, 0))
            acked[(mac, ip)] = (k if key == "-" else key, max(e, int(ends)))
            holders.setdefault(ip, set()).add(mac)
    for (mac, ip), (key, ends) in sorted(acked.items()):
        l = leases.get(ip)
        if l is None:
            lost.append("%s (%s): no record" % (ip, mac))
        elif l["mac"] != mac:
            lost.append("%s (%s): held by %s" % (ip, mac, l["mac"]))
        elif l["state"] != "bound":
            lost.append("%s (%s): %s" % (ip, mac, l["state"]))
        elif l["ends"] <= now:
            lost.append("%s (%s): ended at %d" % (ip, mac, l["ends"]))
        elif l["ends"] < ends:
            lost.append("%s (%s): ends at %d, the last ACK said %d "
                        "(a renewal lost)" % (ip, mac, l["ends"], ends))
        elif key != "-" and (bytes.fromhex(key), ip) not in by_client:
            lost.append("%s (%s): not indexed under its client key %s" %
                        (ip, mac, key))
    dup = ["%s ACKed to %s" % (ip, " and ".join(sorted(m)))
           for ip, m in sorted(holders.items()) if len(m) > 1]
    # And in the registry: one live address per client of the load.
    per = {}
    for ip, l in leases.items():
        if l["mac"].startswith(prefix) and l["state"] == "bound" and \
                l["ends"] > now:
            per.setdefault(l["mac"], []).append(ip)
    dup += ["%s is bound to %s" % (m, " and ".join(sorted(ips)))
            for m, ips in sorted(per.items()) if len(ips) > 1]
    print("checked %d lost %d duplicates %d" % (len(acked), len(lost),
                                                len(dup)))
    for p in problems[:5] + lost[:5] + dup[:5]:
        print("  " + p)
    return 1 if problems or lost or dup else 0


# ---------------------------------------------------------------- users

def cmd_gen(first, last, variant, users_conf, expect):
    """users.conf for users FIRST..LAST, and what the registry must hold.

    Variant b changes what the same users look like: another display name
    (every 7th), another password (every 13th), another model (every 5th
    user's second phone), and every 11th user's first phone moved to the
    next user."""
    users, devices, out = {}, {}, ["users = ("]
    b = variant == "b"
    for i in range(first, last + 1):
        name = "u%04d" % i
        disp = "User %d%s" % (i, " (b)" if b and i % 7 == 0 else "")
        pw = "pw-%d%s" % (i, "-b" if b and i % 13 == 0 else "")
        users[name] = [disp, "%d@10.42.0.1:5060" % (10000 + i)]
        devs = []

        def phone(j, k, vendor, model):
            mac = "02:5b:00:%02x:%02x:%02x" % (j >> 8, j & 255, k)
            devs.append((mac, vendor, model))

        if not (b and i % 11 == 0 and i < last):
            phone(i, 0, "yealink", "T46S")
        if b and (i - 1) % 11 == 0 and i - 1 >= first:
            phone(i - 1, 0, "yealink", "T46S")
        if i % 3 == 0:
            phone(i, 1, "snom", "D717" if b and i % 5 == 0 else "D785")
        for mac, vendor, model in devs:
            devices[mac] = [name, vendor, model]
        ds = ", ".join('{ mac = "%s"; vendor = "%s"; model = "%s"; }' % d
                       for d in devs)
        out.append('  { name = "%s"; display_name = "%s";' % (name, disp))
        out.append('    sip = { user = "%d"; password = "%s"; '
                   'server = "10.42.0.1"; };' % (10000 + i, pw))
        if ds:
            out.append("    devices = ( %s );" % ds)
        out.append("  }%s" % ("," if i < last else ""))
    out.append(");")
    with open(users_conf, "w") as f:
        f.write("\n".join(out) + "\n")
    with open(expect, "w") as f:
        json.dump({"users": users, "devices": devices}, f)


def diffs(users, devs, want):
    out = []
    wu, wd = want["users"], want["devices"]
    for n in sorted(set(wu) - set(users))[:3]:
        out.append("user %s missing" % n)
    for n in sorted(set(users) - set(wu))[:3]:
        out.append("user %s should be gone" % n)
    for n in sorted(set(wu) & set(users)):
        have = [users[n]["display_name"], users[n]["sip"]]
        if have != wu[n]:
            out.append("user %s is %s, not %s" % (n, have, wu[n]))
            break
    for m in sorted(set(wd) - set(devs))[:3]:
        out.append("device %s missing" % m)
    for m in sorted(set(devs) - set(wd))[:3]:
        out.append("device %s should be gone" % m)
    for m in sorted(set(wd) & set(devs)):
        if devs[m] != wd[m]:
            out.append("device %s is %s, not %s" % (m, devs[m], wd[m]))
            break
    return out


def cmd_reg(users_json, devices_json, dump, argv):
    """The registry is one whole state: the new config's or (with --old)
    exactly the one before; the token index in step with the users; the
    users kept from --prev keep their tokens."""
    opt = dict(zip(argv[::2], argv[1::2]))
    problems = []
    users = {u["user"]: u for u in load(users_json)}
    for u in users.values():
        u["token"] = u["token"] or ""	# null: revoked
    devs = {d["mac"]: [d["user"], d["class"], d["model"]]
            for d in load(devices_json)}
    dbs = dump_tables(dump)
    index = {k.hex(): v.decode("utf-8", "replace")
             for k, v in dbs.get("tokens", [])}
    # The token index: exactly one entry for each user with a token.
    named = {}
    for h, n in index.items():
        named.setdefault(n, []).append(h)
    for n, hs in sorted(named.items()):
        if n not in users:
            problems.append("token index entry %s... names %s, who is not "
                            "a user" % (hs[0][:8], n))
        elif users[n]["token"] == "":
            problems.append("token index entry %s... names %s, whose "
                            "token is revoked" % (hs[0][:8], n))
        elif len(hs) > 1:
            problems.append("%d token index entries name %s" % (len(hs), n))
    for n, u in sorted(users.items()):
        if u["token"] != "" and n not in named:
            problems.append("the token of %s is not in the index" % n)
    for m, d in sorted(devs.items()):
        if d[0] not in users:
            problems.append("device %s belongs to %s, who is not a user" %
                            (m, d[0]))
    want = load(opt["--expect"])
    prev = load(opt["--prev"]) if "--prev" in opt else None
    state = "new"
    dn = diffs(users, devs, want)
    if dn and "--old" in opt and not diffs(users, devs, load(opt["--old"])):
        state = "old"
    if dn and state == "new":
        problems.append(("neither the old nor the new config: "
                         if "--old" in opt else "not the config: ") +
                        "; ".join(dn[:4]))
    now_tok = {n: [u["token"], u["token_created"],
                   sorted(named.get(n, []))] for n, u in users.items()}
    kept = changed = 0
    if prev is not None:
        old_tok = prev["users"]
        if state == "old" and (set(old_tok) != set(now_tok) or
                               prev["index"] != index):
            problems.append("the old state is not the one before the "
                            "kill: %s" % sorted(set(old_tok) ^
                                                set(now_tok))[:3])
        old_hashes = set(prev["index"])
        for n in sorted(now_tok):
            if n in old_tok:
                # The same shortened token, creation time and index
                # entry (SHA-256 of the whole token): the same token.
                if now_tok[n] != old_tok[n]:
                    changed += 1
                    if changed <= 3:
                        problems.append("user %s: token %s created %s, "
                                        "was %s created %s" %
                                        (n, now_tok[n][0], now_tok[n][1],
                                         old_tok[n][0], old_tok[n][1]))
                else:
                    kept += 1
            elif now_tok[n][0] == "":
                problems.append("new user %s has no token" % n)
            elif set(now_tok[n][2]) & old_hashes:
                problems.append("new user %s has a token of before" % n)
    if "--leases" in opt:
        ref = dump_tables(opt["--leases"])
        for t in ("leases", "lease_client", "lease_mac"):
            if ref.get(t, []) != dbs.get(t, []):
                problems.append("table %s changed (%d records, were %d)" %
                                (t, len(dbs.get(t, [])),
                                 len(ref.get(t, []))))
    if "--out" in opt:
        with open(opt["--out"], "w") as f:
            json.dump({"users": now_tok, "index": index}, f)
    print("%s: users %d, devices %d, tokens %d; kept %d, changed %d" %
          (state, len(users), len(devs), len(index), kept, changed))
    for p in problems[:8]:
        print("  " + p)
    return 1 if problems else 0


def main(a):
    if a[0] == "acks":
        return cmd_acks(a[1], a[2])
    if a[0] == "leases":
        return cmd_leases(a[1], a[2], a[3], int(a[4]), a[5])
    if a[0] == "gen":
        return cmd_gen(int(a[1]), int(a[2]), a[3], a[4], a[5])
    if a[0] == "reg":
        return cmd_reg(a[1], a[2], a[3], a[4:])
    return 2


sys.exit(main(sys.argv[1:]))
EOF
}

# ------------------------------------------------------------------ config

write_config() {
	mkdir -p "$CONF_DIR"
	# The shipped classes and the templates they name: both daemons
	# read the templates at load (issue 14).
	cp "$here/../../etc/vendors.conf" "$CONF_DIR/vendors.conf" &&
	    cp -r "$here/../../etc/templates" "$CONF_DIR/" || return 1
	cat >"$CONF" <<EOF
# Written by tests/integration/durability.sh.
registry = { path = "$REG"; map_size_mb = 256; sync = true; };
log = { level = "info"; };
run_dir = "$PB_TMP/run";
dhcp = {
  authoritative = true;
  lease_time = 3600;
  # perfdhcp's giaddr (10.42.0.2) is in this subnet: the server picks it
  # from giaddr and answers the relay. No DNS or NTP options.
  subnets = (
    { subnet = "10.42.0.0/20";
      pools = ( { start = "10.42.0.100"; end = "10.42.15.250"; } );
      routers = [ "10.42.0.1" ]; }
  );
};
provisioning = {
  base_url = "https://10.42.0.1";
  tls = { cert = "tls/server.crt"; key = "tls/server.key"; };
};
@include "vendors.conf"
@include "users.conf"
EOF
	cat >"$CONF_DIR/users.conf" <<EOF
users = (
  { name = "alice"; display_name = "Alice Reception";
    sip = { user = "201"; password = "alice-sip-secret"; server = "10.42.0.1"; };
    devices = ( { mac = "80:5e:c0:10:00:01"; vendor = "yealink"; model = "T46S"; } ); }
);
EOF
	# It holds SIP passwords: the mode an installed one has, or stricter.
	chmod 600 "$CONF_DIR/users.conf"
}

# users_conf FIRST LAST VARIANT NAME: writes users.conf (through a rename,
# so a daemon never reads half a file) and $PB_TMP/NAME.json, what the
# registry must hold after a sync of it.
users_conf() {
	python3 "$CHECK" gen "$1" "$2" "$3" "$CONF_DIR/users.conf.new" \
	    "$PB_TMP/$4.json" &&
	    chmod 600 "$CONF_DIR/users.conf.new" &&
	    mv "$CONF_DIR/users.conf.new" "$CONF_DIR/users.conf"
}

# ----------------------------------------------------------------- network

setup_network() {
	local ns

	for ns in "$NS_SRV" "$NS_LD"; do
		if ip netns list | grep -q "^$ns\b"; then
			echo "network namespace $ns exists already" >&2
			return 1
		fi
		pb_ns_add "$ns" || return 1
	done
	ip -n "$NS_SRV" link add "$IF_SRV" type veth peer name "$IF_LD" \
	    netns "$NS_LD" || return 1
	ip -n "$NS_SRV" addr add "$SRV_IP/20" dev "$IF_SRV" || return 1
	ip -n "$NS_LD" addr add "$LD_IP/20" dev "$IF_LD" || return 1
	ip -n "$NS_SRV" link set "$IF_SRV" up &&
	    ip -n "$NS_LD" link set "$IF_LD" up
}

# ------------------------------------------------------------------ server

srv_pid() {
	cat "$PB_TMP/server.pid" 2>/dev/null
}

# srv_start: starts provbox-dhcpd in the server namespace, logging to
# SRV_LOG, and returns once it serves (it syncs users.conf first).
srv_start() {
	local mark pid

	mark=$(pb_lines "$SRV_LOG")
	ip netns exec "$NS_SRV" "$DHCPD" -f -c "$CONF" >>"$SRV_LOG" 2>&1 &
	pid=$!
	# Killed on purpose: no job report from bash about it.
	disown "$pid"
	pb_track "$pid"
	echo "$pid" >"$PB_TMP/server.pid"
	pb_wait_for 30 pb_grep_after "$SRV_LOG" "$mark" \
	    "provbox-dhcpd started" && pb_alive "$pid"
}

srv_stop() {
	local pid

	pid=$(srv_pid)
	[ -n "$pid" ] && pb_stop "$pid" 20
	rm -f "$PB_TMP/server.pid"
}

# srv_kill: SIGKILL, and returns once the process is gone.
srv_kill() {
	local pid

	pid=$(srv_pid)
	[ -n "$pid" ] || return 1
	kill -KILL "$pid" 2>/dev/null
	pb_wait_for 10 eval "! pb_alive $pid" || return 1
	rm -f "$PB_TMP/server.pid"
}

ctl() {
	timeout 60 "$CTL" -c "$CONF" "$@" 2>>"$CTL_ERR"
}

# --------------------------------------------------------------- helpers

# rand_ms LO HI: MS, a random whole number of milliseconds in [LO, HI].
# It sets a variable rather than printing: bash reseeds RANDOM in a
# subshell, and the moments must follow from PB_DUR_SEED.
rand_ms() {
	MS=$(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1)))
}

# secs MS: "1.234"
secs() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# now_ms: milliseconds, from bash itself (no fork: the kill moments are
# taken with it).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# cap_start FILE: dumpcap on the server's veth, DHCP only (dumpcap starts
# in a tenth of the time tshark takes); CAP_PID is its PID.
cap_start() {
	pb_bg ip netns exec "$NS_SRV" timeout 120 dumpcap -q -i "$IF_SRV" \
	    -f "udp port 67 or udp port 68" -w "$1" 2>"$1.log"
	CAP_PID=$PB_BG_PID
	pb_wait_for 15 grep -q "Capturing on" "$1.log" || return 1
	sleep 0.1
}

# cap_stop FILE: SIGTERM; dumpcap writes what it holds and says how many
# packets the kernel dropped, which must be none.
cap_stop() {
	pb_stop "$CAP_PID" 10
	if grep -qE "dropped on interface.*/[1-9]" "$1.log"; then
		echo "dumpcap: $(grep dropped "$1.log")"
		return 1
	fi
	return 0
}

# snapshot NAME WHAT...: the registry as the checker reads it, in
# $PB_TMP/NAME.*: provboxctl --json WHAT (users, devices, leases) and
# mdb_dump -a (every table, one read transaction).
snapshot() {
	local f=$PB_TMP/$1 w p bad=''
	local -a pids=()

	shift
	# Each provboxctl reads the whole config first: two at once.
	for w in "$@"; do
		ctl --json "$w" >"$f.$w" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || bad=1
	done
	if [ -n "$bad" ]; then
		echo "provboxctl $*: $(tail -n 1 "$CTL_ERR")"
		return 1
	fi
	timeout 60 mdb_dump -a "$REG" >"$f.dump" 2>"$f.dump.err" || {
		echo "mdb_dump: $(head -n 1 "$f.dump.err")"
		return 1
	}
}

# --------------------------------------------------------------- tests

# kill -9 at a random moment under perfdhcp load, KILLS times. After each
# restart, every lease ACKed on the wire since the test began (not only in
# this round: a later crash must not lose an earlier lease either) is in
# the registry at its address, bound to that MAC and client key until at
# least the end its last ACK gave, and no address was ever ACKed to two
# clients.
t_kill_load() {
	local o=$PB_TMP/load k delay mark mark2 ld r n_ack n_lease unpaired
	local logged missing total_ack=0 res

	RANDOM=$SEED
	: >"$o.acks"
	for ((k = 1; k <= KILLS; k++)); do
		rand_ms 300 3000
		delay=$MS
		cap_start "$o.$k.pcap" ||
		    die "dumpcap did not start: $(tail -n 2 "$o.$k.pcap.log")"
		mark=$(pb_lines "$SRV_LOG")
		# -p: longer than any delay, the load only ends with the kill;
		# -d/-W: slow answers are not counted as drops.
		pb_bg ip netns exec "$NS_LD" timeout 60 perfdhcp -4 \
		    -l "$LD_IP" -r "$RATE" -R "$CLIENTS" -b "mac=$BASE_MAC" \
		    -p 20 -d 2 -W 500000 "$SRV_IP" >"$o.$k.perfdhcp" 2>&1
		ld=$PB_BG_PID
		# The delay counts from the first ACK: load is on by then.
		pb_wait_for 20 pb_grep_after "$SRV_LOG" "$mark" "DHCPACK " ||
		    die "kill $k: no DHCPACK within 20 s of starting perfdhcp: $(tail -n 2 "$o.$k.perfdhcp")"
		sleep "$(secs "$delay")"
		srv_kill || die "kill $k: the server survived SIGKILL"
		mark2=$(pb_lines "$SRV_LOG")
		# The last packets before the kill may still be in the kernel's
		# capture buffer: give dumpcap time to write them.
		sleep 0.7
		cap_stop "$o.$k.pcap" >"$o.$k.capstop" ||
		    die "kill $k: $(cat "$o.$k.capstop")"
		pb_stop "$ld" 5
		srv_start ||
		    die "kill $k: the server did not restart: $(tail -n 3 "$SRV_LOG")"

		timeout 60 tshark -r "$o.$k.pcap" -T fields -e frame.number \
		    -e frame.time_epoch -e udp.payload >"$o.$k.fields" \
		    2>/dev/null ||
		    die "kill $k: tshark cannot read the capture"
		read -r n_ack n_lease unpaired < <(python3 "$CHECK" acks \
		    "$o.$k.fields" "$o.$k.acks") ||
		    die "kill $k: cannot decode the capture"
		[ "$n_ack" -gt 0 ] ||
		    die "kill $k: no ACK on the wire before the kill"
		[ "$unpaired" -eq 0 ] ||
		    die "kill $k: $unpaired ACKs whose REQUEST is not in the capture"
		cat "$o.$k.acks" >>"$o.acks"
		total_ack=$((total_ack + n_ack))
		# The capture is complete: every ACK the server logged before
		# it died is in it (the log line comes after the send).
		sed -n "$((mark + 1)),${mark2}p" "$SRV_LOG" |
		    sed -n 's/.*DHCPACK \([0-9.]*\) to \([0-9a-f:]*\) .*/\2 \1/p' |
		    sort -u >"$o.$k.logged"
		logged=$(wc -l <"$o.$k.logged")
		missing=$(awk '{ print $1, $2 }' "$o.$k.acks" | sort -u |
		    comm -23 "$o.$k.logged" - | head -n 3 | tr '\n' ' ')
		[ -z "$missing" ] ||
		    die "kill $k: the capture lacks ACKs the server logged: $missing"

		snapshot "load.$k" leases >"$o.err" || die "kill $k: $(cat "$o.err")"
		res=$(python3 "$CHECK" leases "$o.$k.leases" "$o.$k.dump" \
		    "$o.acks" "$(date +%s)" "${BASE_MAC%:*:*}")
		r=$?
		pb_note "kill $k at $(secs "$delay") s after the first ACK: ACKs on the wire $n_ack ($n_lease leases; the log has $logged), $(head -n 1 <<<"$res")"
		[ "$r" -eq 0 ] || die "kill $k: $(tr '\n' ' ' <<<"$res")"
	done
	pb_note "kill-under-load: $KILLS kills, $total_ack ACKs on the wire, $(awk '{ print $1, $2 }' "$o.acks" | sort -u | wc -l) leases (perfdhcp -r $RATE -R $CLIENTS)"
	pb_pass
}

# check_reg NAME ARGS...: a snapshot NAME checked by the checker's reg
# rules (ARGS); its summary line goes to $PB_TMP/NAME.res.
check_reg() {
	local name=$1 f=$PB_TMP/$1 r

	shift
	snapshot "$name" users devices || return 1
	python3 "$CHECK" reg "$f.users" "$f.devices" "$f.dump" "$@" >"$f.res"
	r=$?
	[ "$r" -eq 0 ] || tr '\n' ' ' <"$f.res"
	return "$r"
}

# The two configs the kill tests alternate between: users 1..USERS (a)
# and USERS/2+1..USERS*3/2 (b, with changes to the users in both).
cfg_a() {
	users_conf 1 "$USERS" a "$1"
}

cfg_b() {
	users_conf $((USERS / 2 + 1)) $((USERS * 3 / 2)) b "$1"
}

# follow_log: from now on, the server log's new lines on fd LOG_FD (tail
# -f from the current end, so nothing has to be skipped later);
# LOG_TAIL is tail's PID.
follow_log() {
	exec {LOG_FD}< <(exec tail -c "+$(($(stat -c %s "$SRV_LOG") + 1))" \
	    -f "$SRV_LOG")
	LOG_TAIL=$!
	pb_track "$LOG_TAIL"
}

# reload_times T0: RT_SYNCED and RT_DONE, the milliseconds from T0 to the
# log's "registry: users" line (written once the sync has committed) and
# to "reloaded" (or "reload refused"), read from follow_log's fd as the
# lines come; then stops following.
reload_times() {
	local line t

	RT_SYNCED=-1
	while IFS= read -r -t 60 -u "$LOG_FD" line; do
		t=$(($(now_ms) - $1))
		if [[ $line == *"registry: users "* ]] && [ "$RT_SYNCED" -lt 0 ]
		then
			RT_SYNCED=$t
		elif [[ $line == *"reloaded "* || $line == *"reload refused"* ]]
		then
			break
		fi
	done
	RT_DONE=$(($(now_ms) - $1))
	kill "$LOG_TAIL" 2>/dev/null
	exec {LOG_FD}<&-
}

# reload_phase MARK: how far the reload got before the kill, from the log.
reload_phase() {
	if pb_grep_after "$SRV_LOG" "$1" "reloaded |reload refused"; then
		echo reloaded
	elif pb_grep_after "$SRV_LOG" "$1" "registry: users "; then
		echo synced
	elif pb_grep_after "$SRV_LOG" "$1" "reloading "; then
		echo reloading
	else
		echo before
	fi
}

# toggle: users.conf becomes the other config (CUR a or b, OLD the one
# before).
toggle() {
	OLD=$CUR
	if [ "$CUR" = a ]; then
		CUR=b
		cfg_b rl-b
	else
		CUR=a
		cfg_a rl-a
	fi
}

# aim K N WIN COMMIT: DELAY, the K-th of N kill moments (ms): odd K spread
# over the whole WIN (two slices of it each), even K in the last 30 % before
# COMMIT, the moment the sync commits, where its transaction runs (parsing
# the config takes most of the time before it).
aim() {
	if (($1 % 2)); then
		rand_ms $((($1 - 1) * $3 / $2)) $((($1 + 1) * $3 / $2))
	else
		rand_ms $(($4 * 7 / 10)) "$4"
	fi
	DELAY=$MS
}

# A SIGHUP, then SIGKILL at a random moment of the reload: the registry
# holds the old state or the new one, whole; after the restart (which
# syncs the new config), the new one, with the kept users' tokens.
t_kill_reload() {
	local o=$PB_TMP/rl k i t0 tk syn=999999 win=999999 mark phase url

	RANDOM=$((SEED + 1))
	snapshot rl-leases >"$o.err" || die "$(cat "$o.err")"
	# The first reload into USERS users.
	CUR=a
	cfg_a rl-a || die "cannot write users.conf"
	mark=$(pb_lines "$SRV_LOG")
	kill -HUP "$(srv_pid)"
	pb_wait_for 60 pb_grep_after "$SRV_LOG" "$mark" \
	    "reloaded |reload refused" || die "no reload into $USERS users"
	pb_grep_after "$SRV_LOG" "$mark" "reloaded " ||
	    die "reload refused: $(tail -n 1 "$SRV_LOG")"
	check_reg rl-0 --expect "$PB_TMP/rl-a.json" --out "$o.snap" \
	    --leases "$PB_TMP/rl-leases.dump" >"$o.err" ||
	    die "after the first reload: $(cat "$o.err")"
	# A user of both configs whose token is revoked keeps it revoked.
	ctl revoke "u$((USERS * 3 / 4))" >/dev/null ||
	    die "provboxctl revoke failed: $(tail -n 1 "$CTL_ERR")"
	check_reg rl-rev --expect "$PB_TMP/rl-a.json" --out "$o.snap" \
	    >"$o.err" || die "after the revoke: $(cat "$o.err")"
	# One user's whole URL, read back at the end.
	url=$(ctl url "u$((USERS * 3 / 4 + 1))") || die "provboxctl url failed"
	echo "$url" >"$PB_TMP/url.kept"
	# Three reloads without a kill, to time them: the quickest counts.
	for i in 1 2 3; do
		toggle || die "cannot write users.conf"
		follow_log
		t0=$(now_ms)
		kill -HUP "$(srv_pid)"
		reload_times "$t0"
		[ "$RT_SYNCED" -gt 0 ] ||
		    die "no 'registry: users' line within $RT_DONE ms"
		((RT_SYNCED < syn)) && syn=$RT_SYNCED
		((RT_DONE < win)) && win=$RT_DONE
	done
	cp "$o.snap" "$o.prev"
	check_reg rl-t --expect "$PB_TMP/rl-$CUR.json" --prev "$o.prev" \
	    --out "$o.snap" --leases "$PB_TMP/rl-leases.dump" >"$o.err" ||
	    die "after the timed reloads: $(cat "$o.err")"
	pb_note "kill-during-reload: a reload of $USERS users ($(head -n 1 "$PB_TMP/rl-t.res")) takes $win ms from SIGHUP to 'reloaded', the sync has committed by $syn ms"

	for ((k = 1; k <= RELOAD_KILLS; k++)); do
		toggle || die "cannot write users.conf"
		aim "$k" "$RELOAD_KILLS" "$win" "$syn"
		mark=$(pb_lines "$SRV_LOG")
		t0=$(now_ms)
		kill -HUP "$(srv_pid)"
		sleep "$(secs "$DELAY")"
		tk=$(($(now_ms) - t0))
		srv_kill || die "kill $k: the server survived SIGKILL"
		phase=$(reload_phase "$mark")
		cp "$o.snap" "$o.prev"
		check_reg "rl-$k-killed" --expect "$PB_TMP/rl-$CUR.json" \
		    --old "$PB_TMP/rl-$OLD.json" --prev "$o.prev" \
		    --leases "$PB_TMP/rl-leases.dump" >"$o.err" ||
		    die "kill $k at $tk ms ($phase), before the restart: $(cat "$o.err")"
		# Committed already: aim the next ones earlier.
		grep -q '^new:' "$PB_TMP/rl-$k-killed.res" && ((tk < syn)) &&
		    syn=$tk
		srv_start ||
		    die "kill $k: the server did not restart: $(tail -n 3 "$SRV_LOG")"
		check_reg "rl-$k" --expect "$PB_TMP/rl-$CUR.json" \
		    --prev "$o.prev" --out "$o.snap" \
		    --leases "$PB_TMP/rl-leases.dump" >"$o.err" ||
		    die "kill $k at $tk ms ($phase), after the restart: $(cat "$o.err")"
		pb_note "reload kill $k at $tk ms (log: $phase): $(head -n 1 "$PB_TMP/rl-$k-killed.res" | cut -d';' -f1); restarted: $(head -n 1 "$PB_TMP/rl-$k.res")"
	done
	[ "$(ctl url "u$((USERS * 3 / 4 + 1))")" = "$url" ] ||
	    die "u$((USERS * 3 / 4 + 1))'s URL changed"
	echo "$CUR" >"$PB_TMP/rl.cur"
	pb_pass
}

# txn_id: LMDB's last committed transaction (one more per sync that
# changes something).
txn_id() {
	mdb_stat -e "$REG" 2>/dev/null | sed -n 's/.*Last transaction ID: //p'
}

# wait_mapped PID T0: once PID has mapped the registry (provboxctl has
# parsed the config and opened the registry: its sync transaction comes
# next), OPENED is the milliseconds since T0; -1 if PID ended first.
wait_mapped() {
	OPENED=-1
	while pb_alive "$1"; do
		if grep -qs "$REG/data.mdb" "/proc/$1/maps"; then
			OPENED=$(($(now_ms) - $2))
			return 0
		fi
	done
	return 1
}

# provboxctl sync killed midway: the registry is the old state or the new
# one, checked with no daemon syncing in between; the next sync completes
# it. Odd kills are spread over a whole sync; even ones come when the
# process has mapped the registry, within the time from there to the
# commit (found by watching LMDB's transaction id during three timed
# syncs): inside the sync's transaction.
t_kill_ctl_sync() {
	local o=$PB_TMP/cs k i t0 tc tk gap=999999 win=999999 pid r outcome
	local url id0 at

	RANDOM=$((SEED + 2))
	CUR=$(cat "$PB_TMP/rl.cur" 2>/dev/null) ||
	    die "needs kill-during-reload first"
	url=$(cat "$PB_TMP/url.kept")
	snapshot cs-leases >"$o.err" || die "$(cat "$o.err")"
	check_reg cs-0 --expect "$PB_TMP/rl-$CUR.json" --out "$o.snap" \
	    >"$o.err" || die "before: $(cat "$o.err")"
	for i in 1 2 3; do
		toggle || die "cannot write users.conf"
		id0=$(txn_id)
		t0=$(now_ms)
		"$CTL" -c "$CONF" sync >"$o.timing" 2>>"$CTL_ERR" &
		pid=$!
		pb_track "$pid"
		wait_mapped "$pid" "$t0"
		tc=-1
		while pb_alive "$pid"; do
			if [ "$(txn_id)" != "$id0" ]; then
				tc=$(($(now_ms) - t0))
				break
			fi
		done
		wait "$pid" ||
		    die "provboxctl sync failed: $(tail -n 1 "$CTL_ERR")"
		tk=$(($(now_ms) - t0))
		[ "$OPENED" -ge 0 ] && [ "$tc" -ge "$OPENED" ] &&
		    ((tc - OPENED < gap)) && gap=$((tc - OPENED))
		((tk < win)) && win=$tk
	done
	[ "$gap" -lt 999999 ] ||
	    die "could not see a timed sync map the registry and commit"
	cp "$o.snap" "$o.prev"
	check_reg cs-t --expect "$PB_TMP/rl-$CUR.json" --prev "$o.prev" \
	    --out "$o.snap" --leases "$PB_TMP/cs-leases.dump" >"$o.err" ||
	    die "after the timed syncs: $(cat "$o.err")"
	pb_note "kill-ctl-sync: provboxctl sync ($(sed 's/^registry [^:]*: //' "$o.timing")) takes $win ms, its transaction commits $gap ms after it has mapped the registry"
	for ((k = 1; k <= SYNC_KILLS; k++)); do
		toggle || die "cannot write users.conf"
		t0=$(now_ms)
		"$CTL" -c "$CONF" sync >"$o.$k.out" 2>>"$CTL_ERR" &
		pid=$!
		pb_track "$pid"
		if ((k % 2)); then
			rand_ms $(((k - 1) * win / SYNC_KILLS)) \
			    $(((k + 1) * win / SYNC_KILLS))
			sleep "$(secs "$MS")"
			at=''
		else
			wait_mapped "$pid" "$t0"
			rand_ms 0 "$gap"
			sleep "$(secs "$MS")"
			at=", $MS ms after it mapped the registry"
		fi
		tk=$(($(now_ms) - t0))
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		r=$?
		if [ "$r" -eq 0 ]; then
			outcome=finished
		else
			outcome=killed
		fi
		cp "$o.snap" "$o.prev"
		check_reg "cs-$k-killed" --expect "$PB_TMP/rl-$CUR.json" \
		    --old "$PB_TMP/rl-$OLD.json" --prev "$o.prev" \
		    --leases "$PB_TMP/cs-leases.dump" >"$o.err" ||
		    die "kill $k at $tk ms$at ($outcome): $(cat "$o.err")"
		ctl sync >/dev/null ||
		    die "kill $k: the next provboxctl sync failed: $(tail -n 1 "$CTL_ERR")"
		check_reg "cs-$k" --expect "$PB_TMP/rl-$CUR.json" \
		    --prev "$o.prev" --out "$o.snap" \
		    --leases "$PB_TMP/cs-leases.dump" >"$o.err" ||
		    die "kill $k at $tk ms$at ($outcome), after the next sync: $(cat "$o.err")"
		pb_note "sync kill $k at $tk ms$at ($outcome): $(head -n 1 "$PB_TMP/cs-$k-killed.res" | cut -d';' -f1); synced again: $(head -n 1 "$PB_TMP/cs-$k.res")"
	done
	[ "$(ctl url "u$((USERS * 3 / 4 + 1))")" = "$url" ] ||
	    die "u$((USERS * 3 / 4 + 1))'s URL changed"
	pb_pass
}

# The server stops cleanly on SIGTERM; no sanitizer report anywhere.
t_sanitizers() {
	local pid bad alive=0

	pid=$(srv_pid)
	# A test that failed between a kill and the restart left it down.
	if [ -z "$pid" ] || ! pb_alive "$pid"; then
		srv_start || die "the server does not start: $(tail -n 2 "$SRV_LOG")"
		pid=$(srv_pid)
	fi
	if [ -n "$pid" ] && pb_alive "$pid"; then
		alive=1
		kill -TERM "$pid"
		pb_wait_for 30 eval "! pb_alive $pid"
	fi
	bad=$(grep -hE "ERROR: [A-Za-z]*Sanitizer|runtime error:" "$SRV_LOG" \
	    "$CTL_ERR" 2>/dev/null | head -n 3)
	[ -z "$bad" ] || die "sanitizer report: $bad"
	[ "$alive" -eq 1 ] || die "the server was not running: $(tail -n 2 "$SRV_LOG")"
	pb_alive "$pid" && die "the server ignored SIGTERM"
	rm -f "$PB_TMP/server.pid"
	grep -q "signal 15: stopping" "$SRV_LOG" || die "no clean stop in the log"
	pb_pass
}

# ------------------------------------------------------------------- main

if ! setup_network; then
	pb_fail setup "cannot build the test network"
	pb_finish
fi
write_checker
write_config || { pb_fail setup "cannot write the config"; pb_finish; }
if ! timeout 20 "$DHCPD" -t -c "$CONF" >"$PB_TMP/check.out" 2>&1; then
	pb_fail setup "provbox-dhcpd -t refuses the test config: $(tail -n 2 "$PB_TMP/check.out")"
	pb_finish
fi
if ! srv_start; then
	pb_fail setup "provbox-dhcpd did not start: $(tail -n 3 "$SRV_LOG")"
	pb_finish
fi
pb_note "seed $SEED (PB_DUR_SEED=$SEED repeats these kill moments)"

pb_run kill-under-load 200 t_kill_load
pb_run kill-during-reload 120 t_kill_reload
pb_run kill-ctl-sync 90 t_kill_ctl_sync
PB_ONLY='' pb_run server-stop-sanitizers 60 t_sanitizers
srv_stop
pb_finish
