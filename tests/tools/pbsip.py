#!/usr/bin/env python3
"""pbsip.py - a phone's side of SIP plug-and-play, for
tests/integration/pnp.sh. Sends the ua-profile SUBSCRIBE in a vendor's own
form (the forms of provisiond/sippnp.h, cited there) from port 5060 of
the local address, to 224.0.1.75:5060 or to an address given, and prints
what comes back, one line each:

  ok STATUS              a response to the SUBSCRIBE
  notify URL             a NOTIFY (its body), answered 200 unless --no-ack
  none                   nothing within the time

  pbsip.py subscribe FORM MAC MODEL LOCAL_IP [--to IP] [--wait S]
           [--no-ack] [--resend N]
      FORM: snom | yealink. --resend N sends the same SUBSCRIBE N more
      times (a phone that missed the 200 OK). With --no-ack the NOTIFYs
      are counted for --wait seconds: "notifies N".
  pbsip.py raw LOCAL_IP HEX... [--to IP]
      sends each HEX string as one datagram; prints "none" or what came
"""
import random
import socket
import struct
import sys
import time

GROUP = "224.0.1.75"
PORT = 5060


def subscribe_msg(form, mac, model, local):
    m = mac.replace(":", "").lower()
    cid = "%08x@%s" % (random.getrandbits(32), local)
    tag = "%08x" % random.getrandbits(32)
    if form == "snom":
        user = "MAC%3a" + m.upper()
        lines = [
            "SUBSCRIBE sip:%s@%s SIP/2.0" % (user, GROUP),
            "Via: SIP/2.0/UDP %s:%d;rport" % (local, PORT),
            "From: <sip:%s@%s>;tag=%s" % (user, GROUP, tag),
            "To: <sip:%s@%s>" % (user, GROUP),
            "Call-ID: " + cid,
            "CSeq: 1 SUBSCRIBE",
            'Event: ua-profile;profile-type="device";vendor="snom";'
            'model="snom%s";version="10.1.33.33"' % model,
            "Expires: 0",
            "Accept: application/url",
            "Contact: <sip:%s:%d>" % (local, PORT),
            "Content-Length: 0",
        ]
    else:
        user = "MAC" + m
        lines = [
            "SUBSCRIBE sip:%s@%s SIP/2.0" % (user, GROUP),
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d" % (
                local, PORT, random.getrandbits(31)),
            "From: <sip:%s@%s>;tag=%s" % (user, GROUP, tag),
            "To: <sip:%s@%s>" % (user, GROUP),
            "Call-ID: " + cid,
            "CSeq: 1 SUBSCRIBE",
            "Contact: <sip:%s@%s:%d>" % (user, local, PORT),
            "Max-Forwards: 70",
            "User-Agent: Yealink SIP-%s 66.86.0.15" % model,
            "Expires: 0",
            'Event: ua-profile;profile-type="device";vendor="Yealink";'
            'model="%s";version="66.86.0.15"' % model,
            "Accept: application/url",
            "Content-Length: 0",
        ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def header(msg, name):
    for line in msg.split("\r\n"):
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return ""


def ok_for(req):
    """A 200 OK to a request (the NOTIFY), echoing what RFC 3261 8.2.6
    asks for."""
    head = req.split("\r\n\r\n", 1)[0].split("\r\n")
    keep = [line for line in head[1:] if line.split(":", 1)[0].strip().lower()
            in ("via", "from", "to", "call-id", "cseq")]
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) +
            "\r\nContent-Length: 0\r\n\r\n").encode()


def sock(local):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(local))
    s.bind((local, PORT))
    return s


def opt(args, name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def subscribe(args):
    to = opt(args, "--to", GROUP)
    wait = float(opt(args, "--wait", "5"))
    resend = int(opt(args, "--resend", "0"))
    noack = "--no-ack" in args
    args = [a for a in args if a != "--no-ack"]
    form, mac, model, local = args[:4]
    s = sock(local)
    msg = subscribe_msg(form, mac, model, local)
    for _ in range(resend + 1):
        s.sendto(msg, (to, PORT))
    end = time.time() + wait
    got = False
    notifies = 0
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        text = data.decode(errors="replace")
        if text.startswith("SIP/2.0 "):
            print("ok " + text.split(" ")[1])
            got = True
            continue
        if text.startswith("NOTIFY "):
            notifies += 1
            if noack:
                continue
            body = text.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in text else ""
            print("notify " + body.strip())
            print("content-type " + header(text, "Content-Type"))
            print("event " + header(text, "Event"))
            print("state " + header(text, "Subscription-State"))
            s.sendto(ok_for(text), addr)
            return 0
    if noack:
        print("notifies %d" % notifies)
    elif not got:
        print("none")
    return 0


def raw(args):
    to = opt(args, "--to", GROUP)
    local = args[0]
    s = sock(local)
    for h in args[1:]:
        data = open(h[1:], "rb").read() if h.startswith("@") else \
            bytes.fromhex(h)
        s.sendto(data, (to, PORT))
        s.settimeout(1)
        try:
            d, _ = s.recvfrom(65535)
            print(d[:40].decode(errors="replace").split("\r\n")[0])
        except socket.timeout:
            print("none")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "subscribe" and len(argv) >= 6:
        return subscribe(argv[2:])
    if argv[1] == "raw" and len(argv) >= 3:
        return raw(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
