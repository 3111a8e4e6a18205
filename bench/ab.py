#!/usr/bin/env python3
"""Two nqsite binaries (or more) building the same site, in alternation.

usage: ab.py BIN_A BIN_B [BIN ...] [--root DIR] [--runs N] [--edit REL | --restyle]

Each binary builds DIR (default: the repository, i.e. the shipped site) into
its own `public/` again and again: two warm-up builds each, then N rounds in
which every binary builds once, in turn, so that the noise of a shared
machine falls on all of them alike. Prints, per binary, the median and the
fastest wall time and the median CPU time (user + system, from getrusage),
in milliseconds. The output folder is the site's `public/` (the editor's
`nqsite build` again, into an existing output).

A binary written `BIN=DIR` builds DIR instead of `--root`: an older binary
whose theme differs builds a checkout of its own commit (`git worktree add
/tmp/old <commit>`), so each binary builds the site as it shipped it. Two
binaries that both take the search index from the output (from 867fc0f)
must build roots of their own: the index is kept for the binary that made
it, so in one root they would make it again for each other every time.

With `--edit REL`, each build follows an edit: a line is added to
`content/REL` of the root before every build (restored at the end), so the
search index and the edited page are made again every time. With
`--restyle`, a comment is added to the theme's stylesheet
(`themes/default/static/style.css`) before every build instead: its hashed
name is on every page, so every page is rendered again (a build into its
output otherwise copies the pages whose context did not change).
"""
import argparse
import os
import resource
import statistics
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(binary, root):
    """Wall and CPU time of one `build -q`, in milliseconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "build", "-q", "--root", root], stderr=subprocess.DEVNULL, check=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--root", default=REPO)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--edit", metavar="REL")
    ap.add_argument("--restyle", action="store_true")
    a = ap.parse_args()
    roots = {b: (b.split("=", 1) + [a.root])[1] for b in a.bins}
    times = {b: [] for b in a.bins}
    for b in a.bins:
        for _ in range(2):
            build(b.split("=", 1)[0], roots[b])
    # The file edited before each build, and the line added to it.
    edit = None
    if a.edit:
        edit = (os.path.join("content", a.edit), "\nDòng sửa {n}.\n")
    elif a.restyle:
        edit = (os.path.join("themes", "default", "static", "style.css"), "\n/* {n} */\n")
    edited = {}
    if edit:
        for root in set(roots.values()):
            path = os.path.join(root, edit[0])
            with open(path, encoding="utf-8") as f:
                edited[path] = f.read()
    try:
        for n in range(a.runs):
            for b in a.bins:
                if edit:
                    path = os.path.join(roots[b], edit[0])
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(edited[path] + edit[1].format(n=n))
                times[b].append(build(b.split("=", 1)[0], roots[b]))
    finally:
        for path, text in edited.items():
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    for b, runs in times.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        print(f"{b}: wall median {statistics.median(wall):.0f} ms (fastest {min(wall):.0f}), "
              f"CPU median {statistics.median(cpu):.0f} ms, {len(runs)} builds")


if __name__ == "__main__":
    main()
