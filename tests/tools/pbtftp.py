#!/usr/bin/env python3
"""pbtftp.py - a TFTP client that does what the Debian clients cannot:
windowsize (RFC 7440), a client that stops acknowledging, several
transfers at once, and raw packets. For tests/integration/tftp.sh.

  pbtftp.py get SERVER NAME OUT [blksize=N] [windowsize=N] [tsize]
      fetches NAME to OUT; prints "ok BYTES oack=..." or "error CODE MSG"
  pbtftp.py noack SERVER NAME SECONDS
      asks for NAME and never acknowledges: prints how many DATA packets
      (first send and retries) came within SECONDS, "data N"
  pbtftp.py hold SERVER NAME COUNT
      COUNT requests from COUNT ports at once, none acknowledged: prints
      "data N error M" (how many got a first block, how many an error)
  pbtftp.py raw SERVER HEX...
      sends each HEX string as a packet from one port; prints what came
      back within a second, one line each ("none" if nothing)
"""
import socket
import struct
import sys
import time

PORT = 69


def rrq(name, opts):
    p = struct.pack("!H", 1) + name.encode() + b"\0octet\0"
    for k, v in opts:
        p += k.encode() + b"\0" + str(v).encode() + b"\0"
    return p


def parse_oack(p):
    parts = p[2:].split(b"\0")
    return {parts[i].decode(): parts[i + 1].decode()
            for i in range(0, len(parts) - 1, 2)}


def get(server, name, out, args):
    opts = []
    for a in args:
        if a == "tsize":
            opts.append(("tsize", 0))
        else:
            k, v = a.split("=")
            opts.append((k, int(v)))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(rrq(name, opts), (server, PORT))
    blksize, window, oack = 512, 1, {}
    data, expect, peer = b"", 1, None
    while True:
        p, addr = s.recvfrom(70000)
        op = struct.unpack("!H", p[:2])[0]
        if peer is None and op != 5:
            # RFC 1350 4: a transfer comes from a port of its own.
            peer = addr
            if addr[1] == PORT:
                print("error transfer-from-port-69")
                return 1
        elif peer is not None and addr != peer:
            continue
        if op == 5:
            code = struct.unpack("!H", p[2:4])[0]
            print("error %d %s" % (code, p[4:].rstrip(b"\0").decode()))
            return 1
        if op == 6:
            oack = parse_oack(p)
            blksize = int(oack.get("blksize", 512))
            window = int(oack.get("windowsize", 1))
            s.sendto(struct.pack("!HH", 4, 0), peer)
            continue
        if op != 3:
            continue
        blk = struct.unpack("!H", p[2:4])[0]
        if blk != expect & 0xffff:
            continue
        data += p[4:]
        last = len(p) - 4 < blksize
        if last or expect % window == 0:
            s.sendto(struct.pack("!HH", 4, blk), peer)
        expect += 1
        if last:
            break
    with open(out, "wb") as f:
        f.write(data)
    print("ok %d oack=%s" % (len(data), ",".join(
        "%s:%s" % kv for kv in sorted(oack.items()))))
    return 0


def noack(server, name, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(rrq(name, []), (server, PORT))
    n, end = 0, time.time() + seconds
    while time.time() < end:
        try:
            p, _ = s.recvfrom(70000)
        except socket.timeout:
            continue
        if p[:2] == b"\0\3":
            n += 1
    print("data %d" % n)
    return 0


def hold(server, name, count):
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(rrq(name, []), (server, PORT))
        socks.append(s)
    data = err = 0
    for s in socks:
        try:
            p, _ = s.recvfrom(70000)
        except socket.timeout:
            continue
        data += p[:2] == b"\0\3"
        err += p[:2] == b"\0\5"
    print("data %d error %d" % (data, err))
    return 0


def raw(server, packets):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    for h in packets:
        s.sendto(bytes.fromhex(h), (server, PORT))
        try:
            p, _ = s.recvfrom(70000)
            print(p[:4].hex() + " " + p[4:].rstrip(b"\0").decode(
                errors="replace"))
        except socket.timeout:
            print("none")
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, server = argv[1], argv[2]
    if cmd == "get":
        return get(server, argv[3], argv[4], argv[5:])
    if cmd == "noack":
        return noack(server, argv[3], float(argv[4]))
    if cmd == "hold":
        return hold(server, argv[3], int(argv[4]))
    if cmd == "raw":
        return raw(server, argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except socket.timeout:
        print("error timeout")
        sys.exit(1)
