#!/usr/bin/env python3
"""Instructions of a save in `nqsite serve`, counted by callgrind: what a
save costs in CPU work, which the noise of a shared machine does not move
(`serve_edit.py` measures its wall time).

usage: save_instructions.py BIN SITE_ROOT CONTENT_REL PAGE_REL [--saves N]

Starts `BIN serve` on SITE_ROOT under `valgrind --tool=callgrind` with the
count switched off, waits for its first build, switches the count on, saves
CONTENT_REL N times (default 5: a line appended, as `serve_edit.py` does),
each time waiting for PAGE_REL in the output to show it and then 1.5 s for
the server to be idle, switches the count off, puts the file back and
prints the instructions per save in millions. What it counts: every thread
of the server from the first save to the last, the file watcher and the
threads left waiting included. Two runs of one binary on the shipped site
gave 54.0 and 53.8 M (2026-12-07). The first build runs about 50 times slower
under valgrind: four minutes for 10,000 pages. Needs valgrind.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from serving import serving, wait_for


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("root")
    ap.add_argument("content")
    ap.add_argument("page")
    ap.add_argument("--saves", type=int, default=5)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nqsite-save-instr-")
    counts = os.path.join(work, "callgrind.out")
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={counts}"]
    src = os.path.join(a.root, "content", a.content)
    with open(src, encoding="utf-8") as f:
        original = f.read()
    try:
        with serving(a.bin, a.root, prefix=valgrind) as (_, served, pid):
            try:
                time.sleep(2)
                subprocess.run(["callgrind_control", "-i", "on", str(pid)], check=True, capture_output=True)
                for i in range(a.saves):
                    marker = f"DEM-LENH-{i}-{time.time_ns()}"
                    t0 = time.perf_counter()
                    with open(src, "w", encoding="utf-8") as f:
                        f.write(original + f"\n{marker}\n")
                    wait_for(os.path.join(served, a.page), marker, t0, limit_s=600, poll_s=0.05)
                    time.sleep(1.5)
                subprocess.run(["callgrind_control", "-i", "off", str(pid)], check=True, capture_output=True)
            finally:
                with open(src, "w", encoding="utf-8") as f:
                    f.write(original)
        with open(counts) as f:
            # (`summary:` counts the last dump only: 0 with the count switched off.)
            total = re.search(r"^totals:\s+(\d+)", f.read(), re.M)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not total:
        sys.exit(f"no count in {counts}")
    per_save = int(total.group(1)) / 1e6 / a.saves
    print(f"{a.bin}  {a.root}  {per_save:,.1f} M instructions per save ({a.saves} saves)")


if __name__ == "__main__":
    main()
