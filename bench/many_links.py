#!/usr/bin/env python3
"""Time a build whose one page links N times to one other page.

usage: many_links.py [--links 100000] [--runs 3] [--layout lines|paragraph] [--bin PATH]

Writes a site into a temporary folder: `content/dich.md` and `content/nguon.md`,
whose body holds N links `[x](dich.md)`, one per line (`lines`, each its own paragraph) or all in
one paragraph (`paragraph`). Builds it with `nqsite check` (no disk writes) and
`nqsite build`, prints each run's wall time and the medians, in seconds,
with the median CPU time (user + system) of the runs: on a shared machine
the wall time also counts the waits for a free core.
Reference collection (`src/xref.rs`) used to be quadratic in N.
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time


def write_site(root, links, layout):
    content = os.path.join(root, "content")
    os.makedirs(content)
    with open(os.path.join(content, "dich.md"), "w", encoding="utf-8") as f:
        f.write('---\ntitle: "Đích"\n---\nTrang được nhắc tới.\n')
    sep = "\n\n" if layout == "lines" else "\n"
    body = sep.join(f"Lần {i} nhắc tới [trang đích](dich.md)." for i in range(links))
    with open(os.path.join(content, "nguon.md"), "w", encoding="utf-8") as f:
        f.write('---\ntitle: "Nguồn"\n---\n' + body + "\n")


def timed(cmd):
    """(wall seconds, CPU seconds) of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--layout", choices=["lines", "paragraph"], default="lines")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "nqsite"))
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="nqsite-links-")
    try:
        write_site(root, a.links, a.layout)
        for cmd in ("check", "build"):
            runs = [timed([a.bin, "-q", cmd, "--root", root]) for _ in range(a.runs)]
            walls = ", ".join(f"{w:.2f}" for w, _ in runs)
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{cmd}: {a.links} links ({a.layout}): median {wall:.2f} s wall ({walls}), {cpu:.2f} s CPU")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
