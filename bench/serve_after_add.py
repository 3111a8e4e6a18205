#!/usr/bin/env python3
"""Time from saving a content file to `nqsite serve` having written the new
page, after a page was added while serving: the site's link table changed
once during the session, as it does each time an editor adds a document.

usage: serve_after_add.py SITE_ROOT CONTENT_REL PAGE_REL [--runs N] [--bin PATH]

Like serve_edit.py it edits CONTENT_REL in place (restored at the end); it
first writes `moi-them.md` beside it (removed at the end) and waits for that
page. Prints each save and the median, in milliseconds.
"""
import argparse, os, statistics, time

from serving import DEFAULT_BIN, serving, wait_for


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root"); ap.add_argument("content"); ap.add_argument("page")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    a = ap.parse_args()
    folder = os.path.dirname(a.content)
    added = os.path.join(a.root, "content", folder, "moi-them.md")
    src = os.path.join(a.root, "content", a.content)
    original = open(src, encoding="utf-8").read()
    times = []
    with serving(a.bin, a.root) as (_, served, _):
        try:
            with open(added, "w", encoding="utf-8") as f:
                f.write("---\ntitle: Trang mới thêm\n---\n\nNội dung.\n")
            wait_for(os.path.join(served, folder, "moi-them", "index.html"), "Nội dung.", time.perf_counter())
            time.sleep(0.5)
            for i in range(a.runs):
                marker = f"MOC-DO-THOI-GIAN-{i}-{time.time_ns()}"
                t0 = time.perf_counter()
                with open(src, "w", encoding="utf-8") as f:
                    f.write(original + f"\n{marker}\n")
                wait_for(os.path.join(served, a.page), marker, t0)
                times.append((time.perf_counter() - t0) * 1000)
                print(f"run {i}: {times[-1]:.0f} ms")
                time.sleep(0.3)
        finally:
            with open(src, "w", encoding="utf-8") as f:
                f.write(original)
            if os.path.exists(added):
                os.remove(added)
    print(f"median: {statistics.median(times):.0f} ms over {len(times)} saves after a page was added")


if __name__ == "__main__":
    main()
