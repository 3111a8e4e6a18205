#!/usr/bin/env python3
"""The shape of the shipped corpus (Resolution 57-NQ/TW), checked.

Usage:
    python3 scripts/corpus_check.py [--content DIR]

The tool's own tests (tests/suite/) must not depend on one resolution; the
facts of this corpus are checked here instead, from content/:

  * the book: 75 questions numbered 1-75 once each, in three parts (1-12,
    13-47, 48-75) and in the folder of their part, part 2 in two sections
    (13-28, 29-47), every question with its `question` and an answer; one
    preface, one speech, three parts;
  * three guidances (tinh-uy, binh-phuoc, quang-yen), each with the fields a
    guidance page shows (issuer, number, date, place, signer; null when the
    source gives none);
  * five viewpoints (ids 1-5) and seven task groups (ids 1-7), each with text;
  * 43 targets, 36 for 2030 and 7 for 2045, in the six groups of questions
    15-20 (9, 7, 9, 5, 6 and 7 targets), every field filled, each stated once
    by a reference in the guidance it names as `source`;
  * the infographic's figures name existing targets.

Prints `content/FILE:LINE: lỗi: …` for each problem and exits 1 if there is
any.  Standard library only.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402

QUESTIONS = 75
PARTS = {1: range(1, 13), 2: range(13, 48), 3: range(48, 76)}
SECTIONS = {1: range(13, 29), 2: range(29, 48)}          # of part 2
GUIDANCES = ["binh-phuoc", "quang-yen", "tinh-uy"]
GUIDANCE_FIELDS = ["issuer", "number", "date", "place", "signer"]
VIEWPOINTS = [1, 2, 3, 4, 5]
TASKS = [1, 2, 3, 4, 5, 6, 7]
TARGETS_PER_YEAR = {2030: 36, 2045: 7}
TARGETS_PER_GROUP = {"tiem-luc": 9, "kinh-te-xa-hoi": 7, "nguon-luc": 9, "ha-tang": 5,
                     "quan-ly-nha-nuoc": 6, "tam-nhin-2045": 7}
TARGET_FIELDS = ["id", "indicator", "value", "figure", "source_text", "group", "source"]
ANSWER_CHARS = 50          # an answer shorter than this is missing


class Checker:
    def __init__(self, content: str):
        self.content = content
        self.problems: list[str] = []
        self.docs = {rel: cr.read_content(os.path.join(content, rel), rel) for rel in cr.content_files(content)}

    def of_type(self, kind: str) -> list[cr.ContentDoc]:
        return [d for d in self.docs.values() if d.get("type") == kind]

    def fail(self, doc: cr.ContentDoc | str, key: str, message: str):
        """A problem of a file (its field `key`) or of a folder."""
        where = f"{doc.where}:{doc.line_of(key) if key else 1}" if isinstance(doc, cr.ContentDoc) else doc
        self.problems.append(f"{where}: lỗi: {message}")

    def count(self, folder: str, what: str, found, expected):
        if found != expected:
            self.fail(f"content/{folder}", "", f"{what}: có {found}, cần {expected}")

    def book(self):
        qs = self.of_type("question")
        numbers = Counter(d.get("number") for d in qs)
        self.count("hoi-dap/", "số câu hỏi", len(qs), QUESTIONS)
        for n in range(1, QUESTIONS + 1):
            if numbers[n] != 1:
                self.fail("content/hoi-dap/", "", f"câu hỏi {n} có {numbers[n]} tệp, cần đúng 1")
        for d in qs:
            n = d.get("number")
            part = next((p for p, r in PARTS.items() if n in r), None)
            if d.get("part") != part:
                self.fail(d, "part", f"câu hỏi {n} thuộc phần {part}, không phải {d.get('part')!r}")
            if isinstance(n, int) and d.rel != f"hoi-dap/phan-{part}/cau-{n:02d}.md":
                self.fail(d, "number", f"câu hỏi {n} phải ở hoi-dap/phan-{part}/cau-{n:02d}.md")
            section = next((s for s, r in SECTIONS.items() if n in r), None)
            if part == 2 and d.get("section") != section:
                self.fail(d, "section", f"câu hỏi {n} thuộc mục {section} của phần hai, không phải {d.get('section')!r}")
            if not (d.get("question") or "").strip():
                self.fail(d, "question", f"câu hỏi {n} thiếu trường `question`")
            if len(" ".join(t for _, t in d.body).strip()) < ANSWER_CHARS:
                self.fail(d, "title", f"câu hỏi {n} không có câu trả lời")
        self.count("hoi-dap/", "các phần của sách", sorted(d.get("part") for d in self.of_type("part")), sorted(PARTS))
        self.count("hoi-dap/", "số lời nói đầu", len(self.of_type("preface")), 1)
        self.count("hoi-dap/", "số bài phát biểu", len(self.of_type("speech")), 1)
        for d in self.of_type("part"):
            if d.get("part") == 2:
                secs = [s.get("number") for s in d.get("sections") or []]
                if secs != sorted(SECTIONS):
                    self.fail(d, "sections", f"phần hai có các mục {secs}, cần {sorted(SECTIONS)}")

    def resolution(self):
        gs = self.of_type("guidance")
        self.count("huong-dan/", "các hướng dẫn", sorted(d.get("id") for d in gs), GUIDANCES)
        for d in gs:
            for k in GUIDANCE_FIELDS:
                if k not in d.front:
                    self.fail(d, "", f"hướng dẫn `{d.get('id')}` thiếu trường `{k}` (ghi null nếu nguồn không có)")
        for kind, ids in (("viewpoint", VIEWPOINTS), ("task", TASKS)):
            docs = self.of_type(kind)
            self.count("nghi-quyet/", f"id của các {kind}", sorted(d.get("id") for d in docs), ids)
            for d in docs:
                if not " ".join(t for _, t in d.body).strip():
                    self.fail(d, "title", f"{kind} {d.get('id')} không có nội dung")

    def targets(self):
        ts = self.of_type("target")
        folder = "nghi-quyet/muc-tieu/"
        self.count(folder, "số mục tiêu", len(ts), sum(TARGETS_PER_YEAR.values()))
        self.count(folder, "mục tiêu theo năm", dict(sorted(Counter(d.get("year") for d in ts).items())), TARGETS_PER_YEAR)
        self.count(folder, "mục tiêu theo nhóm", dict(Counter(d.get("group") for d in ts)), TARGETS_PER_GROUP)
        ids = Counter(d.get("id") for d in ts)
        stated: dict[str, Counter] = {}
        for g in GUIDANCES:
            doc = self.docs.get(f"huong-dan/{g}.md")
            raw = "\n".join(doc.raw) if doc else ""
            stated[g] = Counter(i for _, t, i, _ in cr.typed_refs(raw) if t == "target")
        for d in ts:
            for k in TARGET_FIELDS:
                if not str(d.get(k) or "").strip():
                    self.fail(d, k, f"mục tiêu `{d.get('id')}` thiếu trường `{k}`")
            if ids[d.get("id")] > 1:
                self.fail(d, "id", f"id `{d.get('id')}` trùng")
            src = d.get("source")
            if src in stated and stated[src][d.get("id")] != 1:
                self.fail(d, "source", f"hướng dẫn `{src}` nêu mục tiêu `{d.get('id')}` "
                          f"{stated[src][d.get('id')]} lần bằng tham chiếu, cần đúng 1")
        known = set(ids)
        for d in self.of_type("infographic"):
            for f in d.get("figures") or []:
                for t in [f.get("target")] + list(f.get("also_targets") or []):
                    if t not in known:
                        self.fail(d, "figures", f"infographic nêu mục tiêu không có: `{t}`")

    def run(self) -> list[str]:
        self.book()
        self.resolution()
        self.targets()
        return self.problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", default=cr.CONTENT)
    args = ap.parse_args(argv)
    problems = Checker(args.content).run()
    for p in problems:
        print(p)
    print(f"Kho nội dung Nghị quyết 57: {len(problems)} lỗi." if problems else
          f"Kho nội dung Nghị quyết 57: đúng hình dạng ({QUESTIONS} câu hỏi, {len(GUIDANCES)} hướng dẫn, "
          f"{len(VIEWPOINTS)} quan điểm, {len(TASKS)} nhóm nhiệm vụ, {sum(TARGETS_PER_YEAR.values())} mục tiêu).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
