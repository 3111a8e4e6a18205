#!/usr/bin/env python3
"""Places that state a target of the resolution without a typed reference.

Usage:
    python3 scripts/untagged_targets.py [--check] [--content DIR]

Searches the book (hoi-dap/**) and the guidances (huong-dan/*.md), paragraph
by paragraph, for the words or the figure of each target
(nghi-quyet/muc-tieu/*.md) where the paragraph has no reference to that
target ([words](target:ID)).  A paragraph states a target when it has

  * a run of at least RUN_WORDS consecutive words of the target's `value` or
    `indicator` (diacritics folded, punctuation ignored), one of them a
    distinctive word (in fewer than DISTINCTIVE_SHARE of all paragraphs:
    "thu nhập", "ngân sách", not "khoa học"); or
  * every number of the target's `value` with its unit ("3%", "30% GDP"), a
    distinctive word of the target within NEAR_WORDS words of it.

Each candidate is printed as `content/FILE:LINE: target ID: «words»` with the
paragraph's words around it.  Candidates read by hand and found not to state
the target (a current figure, another indicator …) are listed with the reason
in scripts/untagged_reviewed.tsv (file, target, words, reason); the real ones
are tagged in the content (docs/tagging-notes.md).  --check: exit status 1 if
a candidate is neither tagged nor reviewed, or a reviewed entry no longer
matches a candidate.  Standard library only.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402

REVIEWED = os.path.join(cr.HERE, "untagged_reviewed.tsv")
RUN_WORDS = 5            # consecutive words (syllables) of the target's statement
NEAR_WORDS = 6           # a distinctive word this close to the value's number
DISTINCTIVE_SHARE = 0.03  # a word pair in fewer than this share of paragraphs is distinctive
SEARCHED = ("hoi-dap/", "huong-dan/")
STATEMENTS = "huong-dan/tinh-uy.md"   # quotes the resolution's goals; each target tagged once
FILLERS = {"co", "va", "cac", "cua", "la"}   # có, và, các, của, là
NUMBER = re.compile(r"\d+(?:[.,]\d+)?%?")


def words(text: str) -> list[str]:
    """Folded words of a text: no diacritics, no punctuation, lower case."""
    return [w for w in (cr.fold_key(x) for x in re.split(r"[\s,;:.()“”\"/–-]+", cr.drop_marks(text))) if w]


@dataclass
class Target:
    id: str
    numbers: list[str]          # "3%", "30%", "0,7" from the value
    span: list[str]             # folded words of its statement (the words tagged in 000's guidance)
    value_pairs: set[str]       # folded word pairs of its value


@dataclass
class Paragraph:
    rel: str
    line: int
    words: list[str]            # as written, Markdown stripped
    keys: list[str]             # folded
    tagged: list[bool]          # inside the words of a typed reference
    refs: set[str]              # targets referenced in it


@dataclass
class Candidate:
    rel: str
    line: int
    target: str
    words: str                  # the matched words as written
    context: str

    def key(self) -> tuple[str, str, str]:
        return (self.rel, self.target, self.words)


def read_targets(content: str) -> list[Target]:
    """Each target with the words that state it: the words of its reference
    in the guidance that quotes the resolution (STATEMENTS), else its value."""
    with open(os.path.join(content, STATEMENTS), encoding="utf-8") as f:
        stated = {ident: cr.strip_inline(w) for w, typ, ident, _ in cr.typed_refs(cr.nfc(f.read()))
                  if typ == "target"}
    out = []
    d = os.path.join(content, "nghi-quyet", "muc-tieu")
    for rel in cr.content_files(d):
        doc = cr.read_content(os.path.join(d, rel), rel)
        if doc.get("type") != "target":
            continue
        value = doc.get("value") or ""
        out.append(Target(doc.get("id"), NUMBER.findall(value), words(stated.get(doc.get("id"), value)),
                          set(pairs(words(value)))))
    return out


IN, OUT = "\ue010", "\ue011"      # around the words of a typed reference


def paragraph(rel: str, line: int, raw: str) -> Paragraph:
    refs = {ident for _, typ, ident, _ in cr.typed_refs(raw) if typ == "target"}
    marked = cr.TYPED_REF.sub(lambda m: IN + m.group(1) + OUT, raw)
    ws, tagged, inside = [], [], False
    for w in cr.strip_line(marked).split():
        opened = IN in w
        inside = inside or opened
        clean = cr.drop_marks(w.replace(IN, "").replace(OUT, ""))
        if clean:
            ws.append(clean)
            tagged.append(inside)
        inside = inside and OUT not in w
    return Paragraph(rel, line, ws, [cr.fold_key(w) for w in ws], tagged, refs)


def read_paragraphs(content: str) -> list[Paragraph]:
    out = []
    for rel in cr.content_files(content):
        if not rel.startswith(SEARCHED):
            continue
        doc = cr.read_content(os.path.join(content, rel), rel)
        for b in doc.blocks():
            out.append(paragraph(rel, b.line, " ".join(doc.raw[no - 1] for no, _ in b.lines)))
        for lab, (no, _) in doc.notes.items():
            out.append(paragraph(rel, no, doc.raw[no - 1]))
    return out


def pairs(keys: list[str]) -> list[str]:
    """Word pairs: Vietnamese words are mostly two syllables ("ngân sách")."""
    return [f"{a} {b}" for a, b in zip(keys, keys[1:])]


def distinctive(paragraphs: list[Paragraph]) -> set[str]:
    """Folded word pairs found in fewer than DISTINCTIVE_SHARE of the
    paragraphs ("ngan sach", "thu nhap"; not "khoa hoc")."""
    df: dict[str, int] = {}
    for p in paragraphs:
        for k in set(pairs(p.keys)):
            df[k] = df.get(k, 0) + 1
    limit = DISTINCTIVE_SHARE * len(paragraphs)
    return {k for k, n in df.items() if n < limit}


def find(targets: list[Target], paragraphs: list[Paragraph]) -> list[Candidate]:
    rare = distinctive(paragraphs)
    out: list[Candidate] = []
    for p in paragraphs:
        for t in targets:
            if t.id in p.refs:
                continue
            hit = words_hit(p, t, rare) or number_hit(p, t, rare)
            if hit and not any(p.tagged[hit[0]:hit[1]]):
                i, j = hit
                ctx = " ".join(p.words[max(0, i - 6):i]) + " [" + " ".join(p.words[i:j]) + "] " + \
                    " ".join(p.words[j:j + 6])
                out.append(Candidate(p.rel, p.line, t.id, " ".join(p.words[i:j]), ctx.strip()))
    return out


def words_hit(p: Paragraph, t: Target, rare: set[str]) -> tuple[int, int] | None:
    """The longest run of >= RUN_WORDS consecutive words of the target's
    statement (FILLERS skipped on both sides: "nước phát triển, thu nhập cao"
    states "nước phát triển, có thu nhập cao") that holds a distinctive word
    pair of its value."""
    if not any(w in rare for w in t.value_pairs & set(pairs(p.keys))):
        return None                     # quick test: no distinctive pair of the value at all
    best = None
    at = [i for i, w in enumerate(p.keys) if w not in FILLERS]
    ws = [p.keys[i] for i in at]
    ph = [w for w in t.span if w not in FILLERS]
    for i in range(len(ws)):
        for k in range(len(ph)):
            n = 0
            while i + n < len(ws) and k + n < len(ph) and ws[i + n] == ph[k + n]:
                n += 1
            if n >= RUN_WORDS and (best is None or n > best[1] - best[0]):
                if any(w in t.value_pairs and w in rare for w in pairs(ws[i:i + n])):
                    best = (i, i + n)
    return (at[best[0]], at[best[1] - 1] + 1) if best else None


def number_hit(p: Paragraph, t: Target, rare: set[str]) -> tuple[int, int] | None:
    """Every number of the value, the first with a distinctive word pair of
    the target's value or indicator within NEAR_WORDS words."""
    if not t.numbers:
        return None
    nums = [NUMBER.findall(w) for w in p.words]
    at = [i for i, ns in enumerate(nums) if t.numbers[0] in ns]
    if not at or not all(any(n in ns for ns in nums) for n in t.numbers):
        return None
    own = {w for w in pairs(t.span) if w in rare and not re.search(r"\d", w)}
    for i in at:
        near = pairs(p.keys[max(0, i - NEAR_WORDS):i + NEAR_WORDS + 1])
        if any(w in own for w in near):
            return (max(0, i - 2), min(len(p.keys), i + 3))
    return None


def read_reviewed(path: str = REVIEWED) -> dict[tuple[str, str, str], tuple[int, str]]:
    return {tuple(c[:3]): (no, c[3]) for no, c in cr.read_tsv(path, ["file", "target", "words", "reason"])}


def report(cands: list[Candidate], reviewed: dict, out=sys.stdout) -> int:
    """Prints each candidate (reviewed or an error) and each stale reviewed
    entry; returns the number of errors."""
    errors = 0
    seen = set()
    for c in cands:
        r = reviewed.get(c.key())
        seen.add(c.key())
        if r:
            print(f"content/{c.rel}:{c.line}: đã duyệt, không gắn: {c.target}: «{c.words}» ({r[1]})", file=out)
            continue
        errors += 1
        print(f"content/{c.rel}:{c.line}: lỗi: nêu mục tiêu {c.target} mà không có tham chiếu: «{c.context}»\n"
              f"  cách sửa: gắn [chữ nêu mục tiêu](target:{c.target}), hoặc nếu không phải mục tiêu này, thêm "
              f"`{c.rel}\\t{c.target}\\t{c.words}\\tlý do` vào scripts/untagged_reviewed.tsv", file=out)
    for key, (no, _) in reviewed.items():
        if key not in seen:
            errors += 1
            print(f"scripts/untagged_reviewed.tsv:{no}: lỗi: mục đã duyệt không còn ứng với chỗ nào: "
                  f"{' / '.join(key)}\n  cách sửa: xoá dòng này", file=out)
    hits = sum(1 for c in cands if c.key() in reviewed)
    print(f"{len(cands)} chỗ nêu mục tiêu mà không có tham chiếu, {hits} trong đó đã duyệt; {errors} lỗi.", file=out)
    return errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 on a candidate neither tagged nor reviewed")
    ap.add_argument("--content", default=cr.CONTENT)
    args = ap.parse_args(argv)
    errors = report(find(read_targets(args.content), read_paragraphs(args.content)), read_reviewed())
    return 1 if errors and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
