#!/usr/bin/env python3
# Slow clients for tests/live/test_slow_clients.sh: EACH connections from
# every source address to SERVER:PORT at once, each sending one byte a
# second of a request whose headers never end (or of a TLS record that
# never ends), for SECONDS; then one line of what became of them:
#   connected=N open_at_1s=N open_at_end=N closed_after=T1,T2,...
# where closed_after lists, in seconds, when the server closed each one
# that it had kept open for at least 0.5 s (those closed sooner, or never
# connected, were refused).
import argparse
import selectors
import socket
import time

HTTP = b"GET /metrics HTTP/1.1\r\nHost: vsva\r\nX-Slow: "
# a TLS handshake record announcing 512 bytes that never all come
TLS = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"


def open_one(server, port, source):
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.bind((source, 0))
        s.connect((server, port))
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("port", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("each", type=int)
    ap.add_argument("sources", nargs="+")
    ap.add_argument("--tls", action="store_true")
    a = ap.parse_args()

    start = time.monotonic()
    conns = []                  # [socket, opened at, closed after or None]
    for src in a.sources:
        for _ in range(a.each):
            s = open_one(a.server, a.port, src)
            if s:
                conns.append([s, time.monotonic(), None])
    sel = selectors.DefaultSelector()
    for c in conns:
        sel.register(c[0], selectors.EVENT_READ, c)
    prefix = TLS if a.tls else HTTP
    sent = 0
    open_at_1s = None
    while time.monotonic() - start < a.seconds:
        now = time.monotonic()
        if open_at_1s is None and now - start >= 1:
            open_at_1s = sum(c[2] is None for c in conns)
        # one byte a second on every open connection
        if now - start >= sent:
            byte = prefix[sent:sent + 1] or (b"\0" if a.tls else b"a")
            for c in conns:
                if c[2] is None:
                    try:
                        c[0].send(byte)
                    except OSError:
                        c[2] = time.monotonic() - c[1]
            sent += 1
        for key, _ in sel.select(timeout=0.05):
            c = key.data
            try:
                data = c[0].recv(4096)
            except OSError:
                data = b""
            if not data and c[2] is None:
                c[2] = time.monotonic() - c[1]
                sel.unregister(c[0])
    if open_at_1s is None:
        open_at_1s = sum(c[2] is None for c in conns)
    held = sorted(c[2] for c in conns if c[2] is not None and c[2] >= 0.5)
    print("connected=%d open_at_1s=%d open_at_end=%d closed_after=%s" % (
        len(conns), open_at_1s, sum(c[2] is None for c in conns),
        ",".join("%.2f" % t for t in held) or "none"))
    for c in conns:
        c[0].close()


if __name__ == "__main__":
    main()
