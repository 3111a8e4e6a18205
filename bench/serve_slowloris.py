#!/usr/bin/env python3
"""Latency of a normal client of `nqsite serve` while slow clients hold connections.

usage: serve_slowloris.py [SITE_ROOT] [--slow 200] [--addresses 4] [--requests 1000] [--seconds 15] [--bin PATH]

Starts `nqsite serve --port 0` on SITE_ROOT (default: the repository), then
measures sequential GETs of a few pages, each on a new connection, at least
REQUESTS of them and for at least SECONDS (longer than the server's head
deadline): first with no other client, then with SLOW slowloris sockets open. Each slow
socket sends a partial request head and one more byte every second; the
sockets come from ADDRESSES loopback addresses (127.0.0.1, 127.0.0.2, ...)
as several attackers would, and one closed by the server is opened again at
once, so SLOW stay open. Prints the median, p90, p99 and worst latency, in
milliseconds, and how many slow sockets were open while measuring.
"""
import argparse, os, socket, statistics, sys, threading, time

from serving import DEFAULT_BIN, serving

PATHS = ["/", "/hoi-dap/", "/nghi-quyet/", "/__nqsite/status"]


def get(port, path, timeout=10.0):
    """One GET on a new connection: (status, seconds)."""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, time.perf_counter() - t0


class Slowloris:
    """SLOW sockets trickling a request head, reopened when the server closes them."""

    def __init__(self, port, count, addresses):
        self.port, self.addresses = port, addresses
        self.socks = [self.open(i) for i in range(count)]
        self.reopened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.feed, daemon=True)
        self.thread.start()

    def open(self, i):
        s = socket.create_connection(("127.0.0.1", self.port), source_address=(f"127.0.0.{1 + i % self.addresses}", 0))
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nX-Slow: ".encode())
        return s

    def feed(self):
        while not self.stop.wait(1.0):
            for i, s in enumerate(self.socks):
                try:
                    s.sendall(b"x")
                except OSError:
                    s.close()
                    self.socks[i] = self.open(i)
                    self.reopened += 1

    def open_now(self):
        """Slow sockets the server has not closed (a non-blocking peek)."""
        n = 0
        for s in list(self.socks):
            s.setblocking(False)
            try:
                n += s.recv(1, socket.MSG_PEEK) != b""
            except BlockingIOError:
                n += 1
            except OSError:
                pass
            s.setblocking(True)
        return n

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def measure(port, n, seconds):
    times, failed, i = [], 0, 0
    end = time.time() + seconds
    while i < n or time.time() < end:
        i += 1
        try:
            status, t = get(port, PATHS[i % len(PATHS)])
        except OSError:
            status, t = 0, 10.0
        failed += status != 200
        times.append(t * 1000)
    n = len(times)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    return (f"median {statistics.median(times):.2f} ms, p90 {q(0.90):.2f} ms, p99 {q(0.99):.2f} ms, "
            f"worst {times[-1]:.2f} ms, {failed} failed of {n}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--addresses", type=int, default=4)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    a = ap.parse_args()
    with serving(a.bin, a.root) as (port, _, _):
        deadline = time.time() + 60
        while get(port, "/")[0] != 200:
            if time.time() > deadline:
                sys.exit("serve never served /")
            time.sleep(0.1)
        print(f"no slow clients: {measure(port, a.requests, a.seconds)}", flush=True)
        slow = Slowloris(port, a.slow, a.addresses)
        time.sleep(2)
        before = slow.open_now()
        result = measure(port, a.requests, a.seconds)
        after = slow.open_now()
        slow.close()
        where = f"{a.addresses} addresses" if a.addresses > 1 else "1 address"
        print(f"{a.slow} slow clients from {where}: {result}")
        print(f"slow sockets open: {before} before, {after} after measuring "
              f"({slow.reopened} reopened after the server closed them)")


if __name__ == "__main__":
    main()
