#!/usr/bin/env python3
"""Time from saving a content file to `nqsite serve` having written the new page.

usage: serve_edit.py SITE_ROOT CONTENT_REL PAGE_REL [--runs N] [--bin PATH] [--server-times]

Copies nothing: edits CONTENT_REL in place (restored at the end), appends a marker
line, and polls the served output folder until PAGE_REL (relative to the output)
holds the marker. Prints each run and the median, in milliseconds.

With --server-times it also prints the median of the rebuild times the server
reports for the saves (`NQSITE_TIMINGS`, from the start of the rebuild to the
last file written): the part of a save that is nqsite's own work, without the
file system's notice, the wait for the end of the save and the polling.
"""
import argparse, os, re, statistics, time

from serving import DEFAULT_BIN, serving, wait_for

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root"); ap.add_argument("content"); ap.add_argument("page")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--server-times", action="store_true")
    a = ap.parse_args()
    if a.server_times:
        os.environ["NQSITE_TIMINGS"] = "1"
    with serving(a.bin, a.root) as (_, served, _):
        src = os.path.join(a.root, "content", a.content)
        page = os.path.join(served, a.page)
        original = open(src, encoding="utf-8").read()
        times = []
        for i in range(a.runs):
            marker = f"MOC-DO-THOI-GIAN-{i}-{time.time_ns()}"
            t0 = time.perf_counter()
            with open(src, "w", encoding="utf-8") as f:
                f.write(original + f"\n{marker}\n")
            wait_for(page, marker, t0)
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            print(f"run {i}: {ms:.0f} ms", flush=True)
            time.sleep(0.5)
        with open(src, "w", encoding="utf-8") as f:
            f.write(original)
        print(f"median: {statistics.median(times):.0f} ms over {len(times)} saves")
        if a.server_times:
            # (serving.py keeps the server's messages beside the output.)
            log = open(os.path.join(os.path.dirname(served), "serve.log"), encoding="utf-8").read()
            # The first rebuild is the initial build; then one per save.
            rebuilds = [int(m) for m in re.findall(r"trong (\d+) ms", log)][1 : 1 + a.runs]
            print(f"server: median rebuild {statistics.median(rebuilds):.0f} ms over {len(rebuilds)} saves")

if __name__ == "__main__":
    main()
