#!/usr/bin/env python3
"""How long this machine takes to touch memory it has not touched lately.

usage: python3 bench/touch_memory.py [MB] [--rounds N]

Maps MB megabytes of anonymous memory (2000 unless given), writes one byte
in each 4 KB page, unmaps it, N times (3 unless given), and prints the time
of each round per page. On a virtual machine whose free memory goes back to
its host (virtio-balloon free page reporting) the first touch of a page
costs a fault on the host as well as the guest's own: the README's
"Growing to 100,000 pages on this machine" explains why that decides how
the benchmarks' times grow. The loop's own cost is measured on memory
already touched and printed beside it.
"""
import argparse
import mmap
import time

PAGE = 4096


def touch(m: mmap.mmap, size: int) -> float:
    start = time.perf_counter()
    for i in range(0, size, PAGE):
        m[i] = 1
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mb", type=int, nargs="?", default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    size = a.mb << 20
    pages = size // PAGE
    for r in range(a.rounds):
        m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        first = touch(m, size)
        again = touch(m, size)
        m.close()
        print(f"round {r}: {a.mb} MB, first touch {first:.2f} s ({first * 1e6 / pages:.2f} µs a page), "
              f"touched again {again:.2f} s (the loop itself)")


if __name__ == "__main__":
    main()
