#!/usr/bin/env python3
"""Instructions of one clean build, counted by callgrind: a measure of CPU
work that the noise of a shared machine does not move.

usage: instructions.py BIN [BIN ...] [--root DIR]

Each binary (`BIN` or `BIN=DIR` to build DIR instead of `--root`, default:
the repository, i.e. the shipped site) builds the site once into a new
folder under /dev/shm (tmpfs: no disk in the measure) under
`valgrind --tool=callgrind`, and the total of instructions executed (the
`Collected` line) is printed in millions. Counts are exact for a given
binary and input but for the order in which threads take work: two runs of
the same build differ by well under 0.5%. Wall time is not measured (a
build runs about 50 times slower under valgrind: half a minute for 1,000
pages). What it does not see: the kernel's work (writing files) and cache
misses. Needs valgrind (`apt-get install valgrind`).

Before the site is measured, each binary builds it once into a folder of
its own, so that what a build keeps in `.nqsite-cache` (share images, the
record of parsed templates) is there, as it is for an editor's build.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def count(binary: str, root: str) -> int:
    """Instructions of a clean build of `root` by `binary`."""
    scratch = tempfile.mkdtemp(prefix="nqsite-instructions-", dir="/dev/shm")
    try:
        build = [binary, "build", "-q", "--root", root]
        subprocess.run(build + ["--output", os.path.join(scratch, "warm")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                              *build, "--output", os.path.join(scratch, "out")],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"failed: {binary} on {root}\n{out.stderr[-2000:]}")
        found = re.search(r"Collected : (\d+)", out.stderr)
        if not found:
            sys.exit(f"no count in valgrind's output:\n{out.stderr[-2000:]}")
        return int(found.group(1))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binaries", nargs="+", help="BIN or BIN=DIR")
    ap.add_argument("--root", default=REPO)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind not found: apt-get install valgrind")
    for spec in args.binaries:
        binary, _, root = spec.partition("=")
        n = count(binary, root or args.root)
        print(f"{binary}  {root or args.root}  {n / 1e6:,.0f} M instructions")


if __name__ == "__main__":
    main()
