#!/usr/bin/env bash
# mkcorpus.sh - regenerates the fuzz seed corpora in tests/fuzz/corpus/.
#
# The corpus is committed: nothing here runs at build time. Run it again
# (from any directory) after changing what the seeds should cover, and
# commit the result. Needs cc and openssl. The certificates get new keys on
# every run; everything else comes out the same.
#
#   dhcp/, options/  DHCP messages of every type, each vendor's DISCOVER
#                    (Option 60 and 55 as real phones send them: see
#                    VENDORS.md and phones/fingerprints.tsv of the project
#                    notes), relayed requests with option 82, option
#                    overload, RFC 3396 split options, near-full messages
#   route/           requests for every vendor's file names, in a token
#                    folder and the flat folder, with headers; traversal
#   certmac/         MAC texts, and DER certificates with the MAC in the
#                    CN, another attribute or each kind of SAN
#   render/          the shipped templates (etc/templates)
#   cfg/             the shipped config files and broken variants
#   ctlreq/          control-socket requests: every command with its
#                    arguments, and the malformed kinds the parser refuses
#   tftp/            TFTP conversations (fuzz_tftp.c): requests as atftp,
#                    tftp-hpa and Cisco phones send them, with options,
#                    then ACKs, errors and timeouts
#   sip/             SIP PnP SUBSCRIBEs in each vendor's form (snom, snom
#                    M700, Yealink, Grandstream, PLANET, AudioCodes:
#                    see provisiond/sippnp.h), responses to a NOTIFY, and
#                    broken ones (wrong event, missing headers, many Vias,
#                    control bytes, near the 4 KB cap)
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$here/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O1 -Wall -Wextra -o "$tmp/mkpacket" "$here/mkpacket.c"
pk="$tmp/mkpacket"

rm -rf "$out"
mkdir -p "$out"/{dhcp,options,route,certmac,render,cfg,ctlreq,tftp,sip}

# ------------------------------------------------------------------ dhcp
d="$out/dhcp"
SRV=10.42.0.1
# The fuzz target's registry knows these MACs (fuzz_dhcp.c devices[]).
BOB=00:04:13:20:00:02	# snom D785, lease 10.42.0.150
ALICE=80:5e:c0:10:00:01	# yealink, reserved 10.42.0.20
CAROL=00:08:5d:00:00:05	# aastra, legacy
DAVE=00:04:f2:00:00:04	# polycom, token revoked
ERIN=00:1b:54:00:00:03	# cisco, no such user
FRANK=7c:2f:80:00:00:06	# gigaset, class removed
GRACE=00:0b:82:00:00:07	# grandstream

SNOM_PRL=1,3,6,12,15,42,66,67,120
YEA_PRL=1,2,3,4,6,7,12,15,28,42,66,67,43,120
POLY_PRL=128,66,160,43,7,54,42,15,6,4,3,2,1
CISCO_PRL=1,3,6,15,35,66,150,2,7,42,43,58,59,159,160
MITEL_PRL=1,3,6,12,42,44,51,54,58,59,128,66,120,129,130,131,132,133,134,135,224,138,125,43

# Each vendor's DISCOVER: name, MAC, Option 60, Option 55 (- for none),
# separated by tabs.
while IFS=$'\t' read -r name mac vc prl; do
	args=(type=1 "mac=$mac" flags=0x8000)
	[ "$vc" != - ] && args+=("vc=$vc")
	[ "$prl" != - ] && args+=("prl=$prl")
	"$pk" "$d/discover-$name" "${args[@]}"
done <<'EOF'
snom-d785	00:04:13:20:00:02	snomD785	1,3,6,12,15,42,66,67,120
snom-320	00:04:13:92:2d:24	snom320	1,3,6,12,15,42,66,67,120
snom-m3	00:04:13:aa:00:01	snom-m3-SIP/02.11//18-Aug-10 15:36	1,3,6,15,42,66,67
yealink-t46s	80:5e:c0:10:00:01	yealink	1,2,3,4,6,7,12,15,28,42,66,67,43,120
yealink-t38g	00:15:65:4a:a9:37	SIP-T38G	1,2,3,4,6,7,12,15,28,42,66,67,43,120
polycom-vvx310	00:04:f2:00:00:04	Polycom-VVX310	128,66,160,43,7,54,42,15,6,4,3,2,1
polycom-spip335	00:04:f2:11:22:33	Polycom-SPIP335	1,28,160,66,3,4,42,2,6,15
poly-edge	64:16:7f:01:02:03	Poly-EdgeE220	-
poly-studiox70	64:16:7f:04:05:06	Poly-StudioX70	1,33,3,6,15,28,42,51,58,59,66,160
cisco-7841	00:1b:54:00:00:03	Cisco Systems, Inc. IP Phone CP-7841	1,3,6,15,35,66,150,2,7,42,43,58,59,159,160
cisco-mpp	00:56:2b:04:36:15	CP-7841-3PCC	1,3,6,15,35,66,150,2,7,42,43,58,59,159,160
cisco-8851	00:56:2b:04:36:16	CP-8851	1,3,6,15,35,66,150,2,7,42,43,58,59,159,160
cisco-spa525	00:02:fd:ff:21:03	Cisco SPA525G2	1,3,6,15,42,66,150
linksys-spa942	00:0e:08:ab:cd:ef	LINKSYS SPA-942	1,3,42,6,7,15,58,59,44,66,150,2,151
grandstream-gxp1405	00:0b:82:00:00:07	Grandstream GXP1405 dslforum.org	1,3,6,12,15,28,43,125
grandstream-dp7	c0:74:ad:2b:d8:59	DP7XX dslforum.org	1,3,6,12,15,28,43,125
fanvil-x4	0c:38:3e:07:e1:6c	Fanvil X4	1,3,6,15,66,43
gigaset-n720	7c:2f:80:00:00:06	Gigaset_N720_DM_PRO	1,3,6,15,120,114,125
gigaset-n510	00:04:13:44:55:66	N510_IP_PRO	1,3,6,15,120,114,125
gigaset-c470	58:9e:c6:01:02:03	C470IP	1,3,6,15,120,114,125
aastra-6737i	00:08:5d:00:00:05	AastraIPPhone6737i	1,3,6,42,43,66,159,160
aastra-55i	00:08:5d:23:74:29	AastraIPPhone55i	1,3,6,42,43,2,66
mitel	14:00:e9:01:02:03	ipphone.mitel.com	1,3,6,12,42,44,51,54,58,59,128,66,120,129,130,131,132,133,134,135,224,138,125,43
avaya	00:1b:4f:01:02:03	ccp.avaya.com	1,28,3,6,15,42,43,176,66
siemens-openstage	00:1a:e8:01:02:03	OptiIpPhone	1,2,3,6,12,15,28,33,42,43,120
siemens-optipoint	00:1a:e8:04:05:06	OptiPoint	1,28,43,3
nortel	00:1e:ca:01:02:03	-	1,28,3,43,128,131,144,157,188,191,205,219,223,232,247,251,58,59,66
sipura	00:0e:08:01:02:03	-	1,15,3,6,44,46,47,66
laptop	02:00:00:00:00:0a	MSFT 5.0	1,3,6,15,31,33,43,44,46,47,119,121,249,252
EOF

# Cisco 79xx: Option 60 ends with a NUL byte.
"$pk" "$d/discover-cisco-7960-nul" type=1 mac=00:1b:54:00:00:03 \
    'vc=Cisco Systems, Inc. IP Phone CP-7960G\0' prl=1,66,6,3,15,150,35
# Polycom bootROM: binary Option 60, enterprise 13885 then sub-options.
hexof() {
	printf '%s' "$1" | od -v -An -tx1 | tr -d ' \n'
}
subopt() {
	printf '%02x%02x%s' "$1" "${#2}" "$(hexof "$2")"
}
body=$(subopt 1 Polycom)$(subopt 2 SoundPointIP-SPIP_335)$(subopt 3 \
    2345-12375-001,2)$(subopt 5 SIP/4.0.4.0169/08-Jun-15)
"$pk" "$d/discover-polycom-bootrom" type=1 mac=00:04:f2:aa:bb:cc \
    "vchex=0000363d$(printf '%02x' $((${#body} / 2)))$body" \
    prl=1,28,160,66,3,4,42,2,6,15
"$pk" "$d/discover-clientid" type=1 mac=$ALICE cid=01805ec0100001 \
    vc=yealink prl=$YEA_PRL host=reception lease=7200
"$pk" "$d/discover-clientid-text" type=1 mac=02:00:00:00:00:0b \
    cid=00:6c:61:70:74:6f:70:2d:62 host=laptop-b
"$pk" "$d/discover-requested" type=1 mac=02:00:00:00:00:0c \
    req=10.42.0.123 prl=1,3,6
"$pk" "$d/discover-reserved" type=1 mac=02:00:00:00:aa:02 prl=1,3,6,15
"$pk" "$d/discover-noprl" type=1 mac=$BOB vc=snomD785
"$pk" "$d/discover-bigreply" type=1 mac=$BOB vc=snomD785 maxsize=1500 \
    prl=1,3,6,15,42,43,66,67,224,28
# Bob's class sends a 600-byte option: split, and overloaded at these sizes.
for max in 900 1000 1100; do
	"$pk" "$d/request-bigreply-$max" type=3 mac=$BOB sid=$SRV \
	    req=10.42.0.150 vc=snomD785 maxsize=$max \
	    prl=1,3,6,15,42,43,66,67,224,225,28,120
done
"$pk" "$d/discover-smallmax" type=1 mac=$GRACE maxsize=576 \
    'vc=Grandstream GXP1405 dslforum.org' prl=1,3,6,12,15,28,43,66,125,224
"$pk" "$d/discover-infiniband" type=1 htype=32 hlen=0 mac=00 \
    cid=ff:00:00:00:01:00:02:c9:03:00:12:34:56
"$pk" "$d/discover-hlen16" type=1 htype=6 hlen=16 \
    mac=00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff
"$pk" "$d/discover-relayed" type=1 mac=$ERIN giaddr=10.43.0.1 hops=1 \
    'vc=Cisco Systems, Inc. IP Phone CP-7841' prl=$CISCO_PRL \
    relay=01:06:00:04:00:0a:01:07:02:06:00:1b:54:00:00:03
"$pk" "$d/discover-other-subnet" type=1 mac=02:00:00:00:00:0e \
    giaddr=10.44.0.1 prl=1,3,6
"$pk" "$d/discover-unknown-relay" type=1 mac=02:00:00:00:00:0f \
    giaddr=192.168.7.1 prl=1,3,6
"$pk" "$d/discover-device-fails" type=1 mac=02:00:00:00:ee:01 vc=yealink
"$pk" "$d/discover-user-fails" type=1 mac=02:00:00:00:ee:02 vc=yealink
"$pk" "$d/discover-revoked" type=1 mac=$DAVE vc=Polycom-VVX310 prl=$POLY_PRL
"$pk" "$d/discover-legacy" type=1 mac=$CAROL vc=AastraIPPhone6737i \
    prl=1,3,6,42,43,66,159,160
"$pk" "$d/discover-removed-class" type=1 mac=$FRANK vc=Gigaset_N720 \
    prl=1,3,6,15,120,114,125

# REQUEST in each RFC 2131 4.3.2 state.
"$pk" "$d/request-selecting" type=3 mac=$BOB sid=$SRV req=10.42.0.150 \
    vc=snomD785 prl=$SNOM_PRL host=snom-bob
"$pk" "$d/request-selecting-other" type=3 mac=$BOB sid=10.42.0.99 \
    req=10.42.0.150 prl=$SNOM_PRL
"$pk" "$d/request-selecting-taken" type=3 mac=02:00:00:00:00:0a \
    sid=$SRV req=10.42.0.150 prl=1,3,6
"$pk" "$d/request-init-reboot" type=3 mac=$BOB req=10.42.0.150 \
    vc=snomD785 prl=$SNOM_PRL
"$pk" "$d/request-init-reboot-wrongnet" type=3 mac=$BOB \
    req=192.168.1.50 prl=1,3,6
"$pk" "$d/request-init-reboot-unknown" type=3 mac=02:00:00:00:00:0a \
    req=10.42.0.200 prl=1,3,6
"$pk" "$d/request-renewing" type=3 mac=$BOB ciaddr=10.42.0.150 \
    xid=1d2c3b4b vc=snomD785 prl=$SNOM_PRL
"$pk" "$d/request-rebinding" type=3 mac=02:00:00:00:00:0b \
    ciaddr=10.42.0.151 xid=1d2c3b4c cid=01:02:00:00:00:00:0b prl=1,3,6
"$pk" "$d/request-rebinding-other" type=3 mac=02:00:00:00:00:0a \
    ciaddr=10.42.0.150 xid=1d2c3b4c prl=1,3,6
"$pk" "$d/request-reserved" type=3 mac=$ALICE sid=$SRV req=10.42.0.20 \
    vc=yealink prl=$YEA_PRL maxsize=1400 lease=86400000
"$pk" "$d/request-relayed-82" type=3 mac=$ERIN giaddr=10.43.0.1 hops=1 \
    sid=$SRV req=10.43.0.59 'vc=Cisco Systems, Inc. IP Phone CP-7841' \
    prl=$CISCO_PRL \
    relay=01:06:00:04:00:0a:01:07:02:06:00:1b:54:00:00:03
"$pk" "$d/request-relayed-nak" type=3 mac=02:00:00:00:00:0c \
    giaddr=10.43.0.1 req=10.42.0.150 relay=01:04:65:74:68:30
"$pk" "$d/request-noaddress" type=3 mac=02:00:00:00:00:0d prl=1,3,6
"$pk" "$d/request-broken-registry" type=3 mac=02:00:00:00:00:0d \
    sid=$SRV req=10.42.0.66

# DECLINE, RELEASE, INFORM.
"$pk" "$d/decline" type=4 mac=$BOB sid=$SRV req=10.42.0.150
"$pk" "$d/decline-notours" type=4 mac=02:00:00:00:00:0a sid=$SRV \
    req=10.42.0.150
"$pk" "$d/release" type=7 mac=$BOB sid=$SRV ciaddr=10.42.0.150 \
    xid=1d2c3b4d
"$pk" "$d/release-clientid" type=7 mac=02:00:00:00:00:0b \
    cid=01:02:00:00:00:00:0b ciaddr=10.42.0.151 xid=1d2c3b4d
"$pk" "$d/inform" type=8 mac=$ALICE ciaddr=10.42.0.77 xid=1d2c3b4f \
    vc=yealink prl=$YEA_PRL
"$pk" "$d/inform-nociaddr" type=8 mac=02:00:00:00:00:0a prl=1,3,6,15,66
"$pk" "$d/inform-relayed" type=8 mac=$GRACE giaddr=10.43.0.1 \
    ciaddr=10.43.0.77 prl=1,3,6,43,66

# Messages only servers send, and BOOTP: parsed, then dropped.
"$pk" "$d/offer" op=2 type=2 mac=$BOB yiaddr=10.42.0.150 sid=$SRV \
    lease=3600 opt=1:ffffff00 opt=3:0a2a0001 opt=6:0a2a00010a2a0002 \
    opt=66:68747470733a2f2f31302e34322e302e31
"$pk" "$d/ack" op=2 type=5 mac=$BOB yiaddr=10.42.0.150 sid=$SRV \
    lease=3600 opt=58:00000708 opt=59:00000c4e opt=1:ffffff00
"$pk" "$d/nak" op=2 type=6 mac=$BOB sid=$SRV \
    opt=56:7265717565737465642061646472657373206e6f7420617661696c61626c65
"$pk" "$d/bootp" type=none mac=02:00:00:00:00:10 pad=60

# The codec's corners: overload, RFC 3396, padding, zero-length options.
"$pk" "$d/request-overloaded" type=3 mac=$BOB sid=$SRV req=10.42.0.150 \
    overload=3 vc=snomD785 prl=$SNOM_PRL host=snom-bob \
    maxsize=1500 \
    "opt=81:000000$(hexof snom-bob.office.lan)" \
    "opt=77:$(hexof provbox-fuzz-user-class-0123456789)" \
    "opt=124:00000de9$(printf '%02x' 18)$(hexof snomD785-0123456789)"
"$pk" "$d/discover-overload-file" type=1 mac=$ALICE overload=1 \
    vc=yealink prl=$YEA_PRL
"$pk" "$d/discover-overload-sname" type=1 mac=$GRACE overload=2 \
    'vc=Grandstream GXP1405 dslforum.org' prl=1,3,6
"$pk" "$d/discover-split60" type=1 mac=$CAROL split=60 \
    vc=AastraIPPhone6737i prl=1,3,6,42,43,66,159,160
"$pk" "$d/discover-split55" type=1 mac=$ALICE split=55 vc=yealink \
    prl=$MITEL_PRL
"$pk" "$d/discover-empty-options" type=1 mac=02:00:00:00:00:11 \
    opt=12: opt=60: opt=77: prl=1
"$pk" "$d/discover-padded" type=1 mac=02:00:00:00:00:12 pad=200 \
    prl=1,3,6

# Near the codec's limits, for the round trip.
kb=$(head -c 1020 /dev/zero | tr '\0' 'A' | od -v -An -tx1 | tr -d ' \n')
"$pk" "$d/ack-nearly-full" op=2 type=5 mac=$BOB sid=$SRV lease=3600 \
    "opt=224:$kb" "opt=225:$kb" "opt=226:$kb" "opt=227:${kb:0:1400}"
"$pk" "$d/ack-overloaded-full" op=2 type=5 mac=$BOB sid=$SRV overload=3 \
    "opt=224:$kb" "opt=225:$kb" "opt=226:$kb" "opt=227:${kb:0:1300}" \
    opt=12:736e6f6d2d626f62 opt=15:6f66666963652e6c616e \
    opt=3:0a2a0001 opt=6:0a2a00010a2a0002 opt=42:0a2a0001 \
    opt=66:68747470733a2f2f31302e34322e302e31 \
    "opt=67:$(hexof p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/snomD785.htm)" \
    "opt=114:$(hexof https://10.42.0.1/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/)" \
    opt=150:0a2a00010a2a0002

# RFC 3396 identifiers over 255 bytes; relay sub-options 1, 5 (RFC 3527)
# and 11 (RFC 5107), and sub-options that run past Option 82's end.
cid300=00$(for i in $(seq 1 299); do printf '%02x' $(((i*7+0xa5)&0xff)); done)
cid600=00$(for i in $(seq 1 599); do printf '%02x' $(((i*7+0xa5)&0xff)); done)
"$pk" "$d/discover-clientid-300" type=1 mac=02:00:00:00:00:13 flags=0x8000 "opt=61:$cid300" prl=1,3,6,15 host=longid
"$pk" "$d/request-clientid-600" type=3 mac=02:00:00:00:00:14 sid=$SRV req=10.42.0.123 "opt=61:$cid600" prl=1,3,6
RAI=01:07:65:74:68:30:2e:31:30:05:04:0a:2b:00:00:0b:04:0a:63:00:01
"$pk" "$d/discover-relayed-subopts" type=1 mac=02:00:00:00:00:15 giaddr=10.99.0.1 hops=1 prl=1,3,6,15 relay=$RAI
"$pk" "$d/request-relayed-override" type=3 mac=02:00:00:00:00:15 giaddr=10.99.0.1 hops=1 sid=10.99.0.1 req=10.43.0.55 prl=1,3,6,15 relay=$RAI
"$pk" "$d/discover-relayed-bad-subopts" type=1 mac=02:00:00:00:00:16 giaddr=10.43.0.1 hops=1 prl=1,3,6 relay=05:04:0a:2b:00:00:01:03:61:62

# The option round trip starts from the same messages.
cp "$d"/* "$out/options/"

# ------------------------------------------------------------------ route
r="$out/route"
TOKEN=AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_
n=0
seed() {
	n=$((n + 1))
	printf '%s' "$1" >"$r/$(printf '%03d' "$n")-$2"
}
ua() {
	printf '%s\nUser-Agent: %s\nHost: 10.42.0.1\nRange: bytes=0-99\nIf-None-Match: "1a2b-5f00"\n' "$1" "$2"
}
while IFS=$'\t' read -r vendor file agent; do
	seed "$(ua "/p/$TOKEN/$file" "$agent")" "$vendor-token"
	seed "$(ua "/prov/$file" "$agent")" "$vendor-legacy"
done <<'EOF'
snom	snomD785.htm	Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)
snom	snomD785.xml	snomD785
snom	snomD785-000413922D24.htm	snomD785
snom	000413922D24.xml	snomD785
yealink	805ec0100001.boot	Yealink SIP-T46G 28.72.0.1 80:5e:c0:10:00:01
yealink	y000000000000.boot	Yealink SIP-T46G 28.72.0.1 80:5e:c0:10:00:01
yealink	y000000000066.cfg	Yealink SIP-T46S 66.86.0.15 80:5e:c0:10:00:01
yealink	805ec0100001.cfg	Yealink SIP-T46G 28.72.0.1 80:5e:c0:10:00:01
yealink	805ec0100001-local.cfg	Yealink SIP-T46G 28.72.0.1 80:5e:c0:10:00:01
polycom	0004f2000004.cfg	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
polycom	000000000000.cfg	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
polycom	0004f2000004-phone.cfg	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
polycom	0004f2000004-license.cfg	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
polycom	0004f2000004-directory.xml	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
polycom	0004f2000004-app.log	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
cisco	spa525G2.cfg	Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)
cisco	0002fdff2103.xml	Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)
cisco	CP-7832-3PCC.xml	Cisco-CP-7832-3PCC/11.0.1 (00562b043615)
cisco	00562b043615.xml	Cisco-CP-7832-3PCC/11.0.1 (00562b043615)
cisco	CTLSEP001B54000003.tlv	-
cisco	SEP001B54000003.cnf.xml	-
cisco	SIP001B54000003.cnf	-
cisco	XMLDefault.cnf.xml	-
grandstream	cfgc074ad2bd859	Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
grandstream	cfgc074ad2bd859.xml	Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
grandstream	cfgGXP1628.xml	Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
grandstream	cfg.xml	Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
fanvil	F0V00X300000.cfg	Fanvil X4 2.10.2.6887 0c383e07e16c
fanvil	f0X4hw1.100.cfg	Fanvil X4 2.10.2.6887 0c383e07e16c
fanvil	0c383e07e16c.cfg	Fanvil X4 2.10.2.6887 0c383e07e16c
gigaset	7C2F80CA21E4.xml	Gigaset N720 DM PRO/70.089.00.000.000;7C2F80CA21E4
gigaset	7c2f80ca21e4.xml	Gigaset N870 IP PRO/83.v2.27.0+build.a546b6f;7C2F80CA21E4
aastra	aastra.cfg	Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
aastra	6737i.cfg	Aastra6737i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
aastra	00085D237429.cfg	Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
aastra	00-08-5D-23-74-29.cfg	Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
EOF
seed "$(ua /static/firmware.rom "Yealink SIP-T46G 28.72.0.1")" static
seed "/static/ringtones-1.wav?x=1#y" static-query
# Ways out of a folder, and bytes that must not get in.
while read -r path; do
	seed "$path" traversal
done <<'EOF'
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/../../etc/passwd
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/..%2f..%2fetc%2fpasswd
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/%2e%2e/%2e%2e/etc/shadow
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/sub/805ec0100001.cfg
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_//805ec0100001.cfg
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-/805ec0100001.cfg
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/.805ec0100001.cfg
/p/./AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/805ec0100001.cfg
/prov/../p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/805ec0100001.cfg
/prov/%2e%2e%2fetc%2fpasswd
/prov/..%5c..%5cwindows%5cwin.ini
/prov/00085D237429.cfg%00.txt
/prov/00085D237429.cfg%0d%0aSet-Cookie:x
/prov/%c0%ae%c0%ae/etc/passwd
/prov/%252e%252e/etc/passwd
/prov/%%32%65
/prov/%2
/prov/.
/prov/..
/prov/
/prov
//prov/aastra.cfg
/PROV/aastra.cfg
/static/../etc/provbox/users.conf
/static/.htaccess
/static/fw.rom/
\prov\aastra.cfg
prov/aastra.cfg
/prov/aastra.cfg?../../x
/prov/aastra.cfg#/../../x
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/000000000000.cfg
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/y0000000000.cfg
/p/AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_/snom-000413922D24.htm
EOF
long=$(head -c 600 /dev/zero | tr '\0' 'a')
seed "/prov/$long.cfg" too-long
seed "/p/$TOKEN/${long:0:128}" longest-name
seed "/p/$TOKEN/${long:0:129}" name-too-long
seed "$(printf '/prov/aastra.cfg\nUser-Agent: \001\002\033[31m\r\n\177\377<>&"'"'"'\nX: %s' "$long")" \
    hostile-headers
# The metrics listener's request lines (metrics_request_parse()).
printf 'GET /metrics HTTP/1.1\nHost: 127.0.0.1:9167\n' >"$r/metrics-get"
printf 'HEAD /metrics?x HTTP/1.0\n' >"$r/metrics-head"

# ------------------------------------------------------------------ certmac
c="$out/certmac"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"$c/text-$(printf '%02d' "$i")"
done <<'EOF'
000413922D24
SEP000413922D24
MAC:00-04-13-92-2D-24
urn:dev:mac:0004f2000004
00:04:13:92:2d:24
0004.1392.2d24
CP-8841-000e08abcdef
Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)
Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)
Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
Gigaset N720 DM PRO/70.089.00.000.000;7C2F80CA21E4
00:04:13:92:2d:24:55
MAC:00:04:13:92:2d:24
000413922D24 and 805ec0100001
000413922D24 same as 00:04:13:92:2D:24
0123456789abcdef
deadbeef cafe
aa-bb-cc-dd-ee-ff-00
EOF
printf '000413922D24\0805ec0100001' >"$c/text-nul"

# DER certificates: the MAC in each place certmac_find() looks.
cat >"$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[dir_sect]
O = Mitel
CN = 00:08:5d:00:00:05
[dir_nomac]
O = Example
EOF
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/key.pem" \
    2>/dev/null
cert() {
	local name=$1 subj=$2
	shift 2
	openssl req -config "$tmp/openssl.cnf" -x509 -new -key "$tmp/key.pem" \
	    -days 7300 -set_serial 4242 -utf8 -multivalue-rdn -subj "$subj" "$@" \
	    -outform DER -out "$c/cert-$name.der"
}
cert snom-cn "/O=snom technology AG/CN=000413922D24"
cert cisco-serial "/O=Cisco Systems Inc./CN=CP-8841-3PCC/serialNumber=000e08abcdef"
cert yealink-san-dns "/O=Yealink/CN=Yealink Device" \
    -addext "subjectAltName=DNS:805ec0100001.yealink.example"
cert polycom-san-uri "/O=Polycom/CN=Polycom Device" \
    -addext "subjectAltName=URI:urn:dev:mac:0004f2000004"
cert grandstream-san-email "/CN=Grandstream GXP1628" \
    -addext "subjectAltName=email:00-0b-82-00-00-07@devices.example"
cert aastra-san-dirname "/CN=Aastra 6737i" \
    -addext "subjectAltName=dirName:dir_sect"
cert gigaset-san-othername "/CN=Gigaset N720" \
    -addext "subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:7c2f80000006"
cert ambiguous-cn "/CN=000413922D24 805ec0100001" \
    -addext "subjectAltName=DNS:no-mac.example,DNS:0004.1392.2d24,email:phone@example.com"
cert no-mac "/O=provbox tests/CN=provisioning client" \
    -addext "subjectAltName=dirName:dir_nomac,IP:10.42.0.20"
cert utf8-multivalue "/O=Téléphones, Inc./CN=Téléphone 00-04-13-92-2D-24+OU=Lab \"A\"\\, B"
cert cn-too-many-digits "/CN=0004139222D24/OU=SEP000413922D24"

# ------------------------------------------------------------------ render
for f in "$top"/etc/templates/*/*; do
	cp "$f" "$out/render/$(basename "$(dirname "$f")")-$(basename "$f")"
done
printf 'a={{ sip.password }}\r\nb={{{{ literal }}\n{{vendor}}{{device.MAC}}' \
    >"$out/render/edge-braces"
printf '<x a="{{ user.display_name }}">{{ provisioning_url }}</x>' \
    >"$out/render/edge-attr.xml"
# The template engine of tmpl.h: sections, loop fields, an #else.
printf '{{#each accounts as a}}account.{{loop.index}}.user = {{a.user}}\n{{#each a.keys as k}}linekey.{{loop.index0}}={{k}}{{#if loop.last}};{{#else}},{{/if}}{{/each}}\n{{/each}}tz={{ timezone }}\n' \
    >"$out/render/tmpl-each.cfg"
printf '<pb>{{#each phonebook as e}}<e n="{{e.name}}">{{e.number}}</e>{{/each}}{{#if device.admin_password}}<pw>{{device.admin_password}}</pw>{{/if}}</pb>' \
    >"$out/render/tmpl-phonebook.xml"

# ------------------------------------------------------------------ cfg
g="$out/cfg"
cp "$top/etc/provbox.conf" "$g/provbox.conf"
cp "$top/etc/vendors.conf" "$g/vendors.conf"
cp "$top/etc/users.conf" "$g/users.conf"
# Everything in one file, includes inlined.
sed -e "/@include \"vendors.conf\"/r $top/etc/vendors.conf" \
    -e "/@include \"users.conf\"/r $top/etc/users.conf" \
    -e '/@include/d' "$top/etc/provbox.conf" >"$g/all-in-one.conf"
# The smallest config that loads, and variants each broken in one way.
min='registry = { path = "reg"; };
dhcp = { subnets = ( { subnet = "10.42.0.0/24";
  pools = ( { start = "10.42.0.100"; end = "10.42.0.200"; } ); } ); };
provisioning = { listen = [ "0.0.0.0:443" ]; base_url = "https://10.42.0.1";
  tls = { cert = "c.pem"; key = "k.pem"; }; };
vendors = ( { name = "other"; default = true; } );
'
printf '%s' "$min" >"$g/minimal.conf"
printf '%s' "$min" | sed 's/end = "10.42.0.200"/end = "10.43.0.200"/' \
    >"$g/broken-pool-outside"
printf '%s' "$min" | sed 's/pools = (/pools = ( (/' >"$g/broken-syntax"
printf '%s' "$min" | sed 's|10.42.0.0/24|10.42.0.0/33|' >"$g/broken-prefix"
printf '%s' "$min" | sed 's/registry = {/registry = { pathh = "x";/' \
    >"$g/broken-unknown-setting"
printf '%s' "$min" | sed 's/"https:\/\/10.42.0.1"/"ftp:\/\/ x"/' \
    >"$g/broken-base-url"
printf '%s\n%s' "$min" 'users = ( { name = "a"; sip = { user = "1"; password = "p"; server = "s"; };
  devices = ( { mac = "00:04:13:zz:00:02"; vendor = "snom"; } ); },
  { name = "a"; sip = { user = "1"; password = "p"; server = "s"; port = 70000; }; } );' \
    >"$g/broken-users"
printf '%s' "$min" | sed 's/{ name = "other"; default = true; }/{ name = "x"; match = { oui = [ "00:04" ]; }; mode = "legacy";\n  options = ( { code = 255; value = "${tok}"; }, { code = 43; suboptions = ( { code = 0; value = 1; } ); } );\n  files = ( { name = "..\/${mac}*${model}*"; template = "..\/..\/etc\/passwd"; } ); }/' \
    >"$g/broken-vendor"
printf '%s' "$min" | sed 's/dhcp = {/dhcp = { options = ( { code = 224; type = "hex"; value = "zz"; }, { name = "nope"; value = 1; }, { code = 1; value = [ "1.2.3.4", 5 ]; } );/' \
    >"$g/broken-options"
printf 'a = { b = { c = { d = { e = { f = ( ( ( [ 1, 2, 3 ] ) ) ); }; }; }; }; };\n@include "missing.conf"\n' \
    >"$g/broken-nesting"
# Option values in the templates' {{ }} syntax, good and broken.
printf '%s' "$min" | sed 's/{ name = "other"; default = true; }/{ name = "x"; match = { oui = [ "00:04:13" ]; };\n  options = ( { code = 66; value = "{{ base_url }}\/p\/{{token}}\/{{ device.model }}$$"; }, { code = 67; value = "{{#if token}}{{ tokne }}{{{{"; }, { code = 150; value = [ "{{ server_ip }}" ]; }, { code = 43; value = "{{ base_url }${token}"; } ); }/' \
    >"$g/option-braces"

# ---------------------------------------------------------------- ctlreq
c="$out/ctlreq"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >"$c/req-$(printf '%02d' $n)"
done <<'EOF'
{"command": "list-commands"}
{"command": "version-get"}
{"command": "status"}
{"command": "config-reload"}
{"command": "config-test", "arguments": {"path": "/etc/provbox/provbox.conf"}}
{"command": "log-level-set", "arguments": {"level": "debug"}}
{"command": "statistic-get"}
{"command": "lease-list", "arguments": {"state": "bound", "mac": "80:5e:c0:10:00:01", "limit": 10}}
{"command": "lease-get", "arguments": {"ip": "10.42.0.150"}}
{"command": "lease-release", "arguments": {"ip": "10.42.0.150"}}
{"command": "lease-delete", "arguments": {"ip": "10.42.0.150"}}
{"command": "device-get", "arguments": {"mac": "80:5e:c0:10:00:01"}}
{"command": "status", "command": "status"}
{"command": "status", "arguments": {"a": [[[[[[[1]]]]]]]}}
{"command": "St@tus", "arguments": []}
{"command": 1, "service": ["dhcp4"]}
{"command": "lease-get", "arguments": {"ip": "\u00e9\ud83d\ude00", "x": [true, false, null, 1.5e300, -0]}}
EOF
printf '{"command": "status"}' >"$c/no-newline"
printf '{"command": "\xff\xfe"}\n' >"$c/not-utf8"
printf '%*s' 40 '' | tr ' ' '[' >"$c/brackets"

# ------------------------------------------------------------------ tftp
# A record: its length as one byte, then the bytes. The first record is
# the request; an empty record is a timeout.
f="$out/tftp"
rec() {
	printf "\\x$(printf %02x "$(printf '%s' "$1" | xxd -r -p | wc -c)")"
	printf '%s' "$1" | xxd -r -p
}
hexs() {
	printf '%s\0' "$@" | xxd -p | tr -d '\n'
}
ack() {
	printf '0004%04x' "$1"
}
{ rec "0001$(hexs SEP001BD4AABB09.cnf.xml octet)"; rec "$(ack 1)"; rec "$(ack 2)"; rec "$(ack 3)"; } >"$f/lockstep"
{ rec "0001$(hexs SEP001BD4AABB09.cnf.xml netascii)"; rec ""; rec ""; rec "$(ack 1)"; } >"$f/netascii-timeouts"
{ rec "0001$(hexs SIP75.9-4-2SR3-1S.loads octet blksize 1428 tsize 0)"; rec "$(ack 0)"; rec "$(ack 1)"; rec "$(ack 1)"; rec "$(ack 2)"; } >"$f/atftp-options"
{ rec "0001$(hexs firmware.bin octet blksize 512 windowsize 8 timeout 1 tsize 0)"; rec "$(ack 0)"; rec "$(ack 5)"; rec "$(ack 8)"; rec "$(ack 16)"; rec "0005000048690000"; } >"$f/windowsize"
{ rec "0001$(hexs XMLDefault.cnf.xml OCTET BLKSIZE 8)"; rec "$(ack 0)"; for i in 1 2 3 4 5 6; do rec "$(ack $i)"; done; } >"$f/tiny-blocks"
{ rec "0002$(hexs SEP001BD4AABB09.cnf.xml octet)"; } >"$f/write"
{ rec "0001$(hexs ../etc/passwd octet)"; } >"$f/traversal"
{ rec "0001$(hexs a.cfg mail)"; } >"$f/mode-mail"
{ rec "0001$(hexs a.cfg octet blksize)"; } >"$f/option-no-value"

# ---------------------------------------------------------------- sip
# One datagram per file, lines joined with CRLF and a blank line after the
# headers. sub NAME RURI-USER FROM-USER EVENT [EXTRA-HEADER...]
s="$out/sip"
crlf() { local l; for l in "$@"; do printf '%s\r\n' "$l"; done; printf '\r\n'; }
sub() {
	local name=$1 ruser=$2 fuser=$3 ev=$4
	shift 4
	crlf "SUBSCRIBE sip:$ruser@224.0.1.75 SIP/2.0" \
	    "Via: SIP/2.0/UDP 10.42.0.150:5060;branch=z9hG4bK$name" \
	    "From: <sip:$fuser@224.0.1.75>;tag=t$name" \
	    "To: <sip:$ruser@224.0.1.75>" \
	    "Call-ID: $name@10.42.0.150" "CSeq: 1 SUBSCRIBE" \
	    "Contact: <sip:10.42.0.150:5060>" "Event: $ev" "Expires: 0" \
	    "Accept: application/url" "$@" "Content-Length: 0" >"$s/$name"
}
UA='ua-profile;profile-type="device"'
crlf 'SUBSCRIBE sip:MAC%3a00135E874B49@intern.snom.de SIP/2.0' \
    'Via: SIP/2.0/UDP 192.168.10.67:5060;rport' \
    'From: <sip:MAC%3a00135E874B49@intern.snom.de>;tag=658512961' \
    'To: <sip:MAC%3a00135E874B49@intern.snom.de>' \
    'Call-ID: 1930770594@192.168.10.67' 'CSeq: 1 SUBSCRIBE' \
    "Event: $UA;vendor=\"OEM\";model=\"OEM\";version=\"7.1.19\"" \
    'Expires: 0' 'Accept: application/url' \
    'Contact: <sip:192.168.10.67:5060>' 'Content-Length: 0' >"$s/snom"
crlf 'SUBSCRIBE sip:MAC%3a000413612345@224.0.1.75 SIP/2.0' \
    'Via: SIP/2.0/UDP 10.0.0.90:5060;branch=z9hG4bKl1d23iyadenuaa1jr4vm' \
    'Max-Forwards: 70' 'From: <sip:512@10.0.0.90>;tag=dmrud.mzfyg66' \
    'To: <sip:MAC%3a000413612345@224.0.1.75>' \
    'Call-ID: 6cm70qdo.o.8i@10.0.0.90' 'CSeq: 20264 SUBSCRIBE' \
    'Contact: <sip:512@10.0.0.90>' 'Accept: application/url' \
    'Allow: INVITE, CANCEL, BYE, ACK, REGISTER, OPTIONS, REFER, SUBSCRIBE, NOTIFY' \
    'Allow-Events: dialog,message-summary' \
    "Event: $UA;vendor=\"snom\";model=\"snomM700\";version=\"03.23.0005\"" \
    'Expires: 0' 'Supported: replaces,100rel' \
    'User-Agent: snomM700/03.23.0005 (MAC=000413612345; SER= 00000; HW=255)' \
    'Content-Length: 0' >"$s/snom-m700"
crlf 'SUBSCRIBE sip:MAC001565f4f9e1@224.0.1.75 SIP/2.0' \
    'Via: SIP/2.0/UDP 10.1.3.239:5059;branch=z9hG4bK1536537630' \
    'From: <sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630' \
    'To: <sip:MAC001565f4f9e1@224.0.1.75>' \
    'Call-ID: 1536537630@10.1.3.239' 'CSeq: 1 SUBSCRIBE' \
    'Contact: <sip:MAC001565f4f9e1@10.1.3.239:5059>' 'Max-Forwards: 70' \
    'User-Agent: Yealink W52P 25.81.0.10' 'Expires: 0' \
    "Event: $UA;vendor=\"yealink\";model=\"W52P\";version=\"25.81.0.10\"" \
    'Accept: application/url' 'Content-Length: 0' >"$s/yealink-w52p"
crlf 'SUBSCRIBE sip:224.0.1.75:5060 SIP/2.0' \
    'From: <sip:00000001@10.13.2.37:5060>;tag=87a5a8-25020d0a-13c4-50029-386d4398-66dc40c-386d4398' \
    'To: <sip:224.0.1.75:5060>' \
    'Call-ID: 8884c8-25020d0a-13c4-50029-386d4398-3e2bcb8e-386d4398' \
    'CSeq: 1 SUBSCRIBE' \
    'Via: SIP/2.0/UDP 10.13.2.37:5060;rport;branch=z9hG4bK-386d4398-6ad00ca2-7ca3606e' \
    'Expires: 0' \
    'Event: ua-profile;profile-type="application";model="440HD";version="2.2.2"' \
    'Max-Forwards: 70' 'Supported: replaces,100rel' 'Accept: application/url' \
    'Contact: <sip:00000001@10.13.2.37:5060>' \
    'User-Agent: AUDC-IPPhone/2.2.2' 'Content-Length: 0' >"$s/audiocodes-440hd"
sub grandstream MAC%3AC074AD112233 MAC%3AC074AD112233 \
    "$UA;vendor=\"Grandstream\";model=\"GRP2612W\";version=\"1.0.5.67\""
sub planet MAC=00304fa99948 MAC=00304fa99948 \
    "ua-profile;profile-type=\"device\";vendor=\"PLANET\";model=\"VIP-2140PT\";version=\"2.0.3.2991\""
sub unquoted MAC000413200002 anon \
    'ua-profile ; profile-type=device ; vendor=snom;model=snomD785;version=10.1.54.13'
sub compact-event MAC-00-04-13-20-00-02 x "$UA" 'o: ua-profile'
sub mac-conflict MAC000413200002 MAC000413200003 "$UA"
sub mac-colon MAC:000413200002 x "$UA"
sub wrong-event MAC000413200002 x presence
sub check-sync 000413200002 x 'check-sync;reboot=true'
sub quoted-pair MAC000413200002 x 'ua-profile;model="a\"b";vendor="unterminated'
sub many-vias MAC000413200002 x "$UA" 'Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c, SIP/2.0/UDP d'
sub expires-big MAC000413200002 x "$UA" 'Expires: 99999999999'
sub folded MAC000413200002 x "$UA" 'X-Folded: a' ' b'
sed 's/^CSeq: 1 SUBSCRIBE/CSeq: 1 NOTIFY/' "$s/snom" >"$s/cseq-method"
sed '/^Contact:/d' "$s/yealink-w52p" >"$s/no-contact"
sed '/^Call-ID:/d' "$s/yealink-w52p" >"$s/no-callid"
sed 's/^SUBSCRIBE /OPTIONS /' "$s/yealink-w52p" >"$s/options"
sed 's/OEM/O\x01M/' "$s/snom" >"$s/control-byte"
# Near the cap: the snom trace padded to 4096 bytes.
{ head -c -2 "$s/snom"; printf 'X-Pad: %*s\r\n\r\n' $((4096 - $(wc -c <"$s/snom") - 9)) '' | tr ' ' a; } >"$s/near-cap"
# Responses to our NOTIFY.
crlf 'SIP/2.0 200 OK' \
    'Via: SIP/2.0/UDP 10.42.0.1:5060;branch=z9hG4bKn1' \
    'From: <sip:MAC001565f4f9e1@224.0.1.75>;tag=srv1' \
    'To: <sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630' \
    'Call-ID: 1536537630@10.1.3.239' 'CSeq: 1 NOTIFY' \
    'Content-Length: 0' >"$s/resp-200"
sed 's/^SIP\/2.0 200 OK/SIP\/2.0 481 Call\/Transaction Does Not Exist/' \
    "$s/resp-200" >"$s/resp-481"
sed 's/^SIP\/2.0 200 OK/SIP\/2.0 999 Odd/' "$s/resp-200" >"$s/resp-999"

echo "corpus written to $out:"
for t in dhcp options route certmac render cfg ctlreq tftp sip; do
	printf '  %-8s %3d files, %6d bytes\n' "$t" "$(ls "$out/$t" | wc -l)" \
	    "$(cat "$out/$t"/* | wc -c)"
done
