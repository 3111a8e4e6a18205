#!/usr/bin/env python3
"""Fidelity gate: every word of content/ against the sources in sources/.

Usage:
    python3 scripts/fidelity.py [--check] [--verbose] [--content DIR] [--sources DIR]

Prints every difference between a content file and its source that is not in
the reviewed allow-list scripts/fidelity_allow.tsv, as
`content/FILE:LINE: lỗi: …` with a `cách sửa:` line, then a summary per
document.  --check: exit status 1 when there is any.  --verbose: also lists
the allowed differences.  Standard library only (Python 3.11); about 2 s.

Modules: corpus_read (reading content and sources), fidelity_compare (word
alignment, differences, allow-list, foot-note markers), fidelity_units (the
units of each document and their comparison), fidelity_checks (front matter,
targets, typos), restoration (the restoration of 004 against its scan).

What is compared
----------------
Units, each compared in order, word for word:

  000 -> huong-dan/tinh-uy.md     title, letterhead, the text before the first
  001 -> huong-dan/binh-phuoc.md  heading, one unit per heading (#id)
  004 -> huong-dan/quang-yen.md   (004 through its reviewed restoration, below)
  002 -> infographic.md           title, one unit per heading
  003 -> hoi-dap/**               the editorial board (_index.md), the preface,
                                  the speech, each part, each section heading,
                                  each question; and, per unit, its foot-notes
  nghi-quyet/**, _index.md        quotations: each file against the words of
                                  000 or 002 it quotes (the viewpoint's item,
                                  the task's "(N)" item, the goals section …);
                                  the passage is found through the Markdown
                                  twin of that source (tinh-uy.md,
                                  infographic.md), whose blocks give its ends

A word is a whitespace-separated token after Markdown stripping (headings,
emphasis, links and typed references keep their words), NFC-normalised, with
its case and its punctuation ("Đảng," and "đảng" differ); the words of
front-matter fields (titles, headings, labels) match without case, since the
sources print them in capitals.  Tokens that are
only punctuation ("-", "+", "–", "|") are not compared: in the sources they are
list bullets and table rules.  Source readers drop PDF layout only: page
numbers, "-----" rules, bare URL lines, foot-note separators, the book's table
of contents and its "Trả lời:" labels (the question template prints them);
broken lines are joined ("57-" + "NQ/TW" -> "57-NQ/TW").

In each unit every source word missing from the content, every content word
not in the source and every changed word is an error, unless the same
difference (unit, kind, source words, content words) is listed in
scripts/fidelity_allow.tsv with a reason.  A listed difference that no longer
occurs is an error too (the list stays exact).  On top of the words:

  * figures: a difference that changes a number, percentage, date or document
    number is an error even when its words are allowed; every figure in a
    front-matter field must occur in the file's source;
  * foot-note markers: each [^n] must sit after the same word as the source's
    marker, and note n's text must be the source's note, word for word;
  * front-matter fields that carry source text: titles are compared in order
    with the text; letterhead fields (issuer, number, place, date_text, quoted
    passages of notes) must cover the letterhead's words; the other fields
    (question, signer, description, summary_*, toc_title, groups …) must occur
    in their source; date must match date_text; every passage of `notes` in
    curly quotes “…” must occur in a source;
  * targets: source_text must occur in 000's goals section under the heading
    of its `year`; `value` inside source_text; `figure` with the value's numbers
    and comparison ("trên" >, "tối thiểu"/"ít nhất" ≥, "tăng" +); `group` as in
    the book (muc-tieu/_index.md groups -> questions 15-20: the target is
    referenced in its group's question and in no other of them);
  * source typos kept as printed: every word repeated in a row ("trị trị") and
    every entry of a note "Giữ nguyên như bản gốc: «…»" must be in the
    document's `notes`, and that text must occur in the source;
  * 004 (OCR, diacritics lost): the content is compared WITH diacritics against
    sources/restoration/004.txt, the reviewed restoration, and restoration.py
    checks that restoration word for word against the scan (every restored
    word that is not certain is listed in sources/restoration/004-uncertain.tsv
    with its OCR form);
  * every content file is either made from a source (SOURCES_OF) or listed as
    editorial (no source text).

What it does not guarantee: punctuation-only tokens (a dash removed); the
order of letterhead fields; paragraph and list boundaries (a paragraph split
in two keeps every word); the meaning of editorial text (notes, short titles,
descriptions beyond their figures: fields not named in
fidelity_checks.PHRASE_FIELDS are checked for figures only); the case of
titles; the correctness of the sources
themselves; and, in 004, the restoration of words the scan lost entirely
(they are listed in the restoration's uncertain list).
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402
import restoration  # noqa: E402
from fidelity_checks import SourceTexts, check_fields, check_sic, check_targets  # noqa: E402
from fidelity_compare import ALLOW, Problem, Report, read_allow  # noqa: E402
from fidelity_units import DOCUMENTS, Twin, compare_book, compare_guidance, compare_quotations  # noqa: E402


def run(content: str = cr.CONTENT, sources: str = cr.SOURCES, allow_path: str = ALLOW) -> Report:
    rep = Report()
    allow = read_allow(allow_path)
    twins: dict[str, Twin] = {}
    for relp, sid in DOCUMENTS:
        twins[relp] = compare_guidance(rep, allow, content, sources, relp, sid)
    compare_book(rep, allow, content, sources)
    compare_quotations(rep, allow, content, twins)
    texts = SourceTexts(sources)
    check_fields(rep, allow, content, texts)
    check_targets(rep, content, sources)
    check_sic(rep, allow, content, texts)
    rep.current = "004 bản khôi phục"
    for k, n in restoration.counts(sources).items():
        rep.stat(rep.current, k, n)
    for where, message, hint in restoration.check(sources):
        rep.add(where, message, hint)
    rep.current = "scripts/fidelity_allow.tsv"
    for a in allow.values():
        rep.stat(rep.current, "entries")
        if not a.used:
            rep.add(f"scripts/fidelity_allow.tsv:{a.line}",
                    f"mục cho phép không còn khớp khác biệt nào: [{a.unit}] {a.kind} «{a.source}» → «{a.content}»",
                    "xoá dòng này (nội dung đã khớp bản gốc) hoặc sửa cho đúng khác biệt hiện có")
    return rep


STAT_NAMES = {"fields": "trường", "figures": "số liệu", "targets": "mục tiêu", "sic": "ghi chú giữ nguyên",
              "entries": "mục", "allowed": "khác biệt cho phép", "words": "chữ khôi phục",
              "scan": "chắc chắn theo bản quét", "parallel": "chắc chắn theo 000/001",
              "listed": "không chắc chắn (có trong danh sách)"}


def report(rep: Report, verbose: bool = False, out=sys.stdout) -> int:
    """Prints the problems (sorted by file and line), the allowed differences
    with --verbose, and a summary; returns the exit status."""
    p = lambda *x: print(*x, file=out)  # noqa: E731
    for pr in sorted(rep.problems, key=Problem.sort_key):
        p(f"{pr.where}: lỗi: {pr.message}")
        if pr.hint:
            p(f"  cách sửa: {pr.hint}")
    if verbose and rep.allowed:
        p("")
        p("Khác biệt được cho phép (scripts/fidelity_allow.tsv):")
        for d, a in sorted(rep.allowed, key=lambda x: x[1].line):
            p(f"  {d.where}: [{d.unit}] {d.kind} «{cr.join_text(d.src, 20)}» → «{cr.join_text(d.dst, 20)}»: {a.reason}")
    errors: dict[str, int] = {}
    for pr in rep.problems:
        errors[pr.doc] = errors.get(pr.doc, 0) + 1
    p("")
    p(f"{'văn bản':34} {'đơn vị':>7} {'chữ':>7} {'số liệu':>8} {'chú thích':>9} {'cho phép':>8} {'lỗi':>5}")
    docs = sorted(d for d in rep.stats if rep.stats[d].get("units"))
    for doc in docs:
        s = rep.stats[doc]
        p(f"{doc:34} {s.get('units', 0):7d} {s.get('words', 0):7d} {s.get('figures', 0):8d} "
          f"{s.get('marks', 0):9d} {s.get('allowed', 0):8d} {errors.get(doc, 0):5d}")
    for doc in sorted(set(rep.stats) - set(docs)):
        items = ", ".join(f"{n} {STAT_NAMES.get(k, k)}" for k, n in sorted(rep.stats[doc].items()))
        p(f"{doc}: {items}; {errors.get(doc, 0)} lỗi")
    n = len(rep.problems)
    p("")
    p(f"Đối chiếu: {n} lỗi." if n else "Đối chiếu: khớp bản gốc, không có lỗi.")
    return 1 if n else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 on any difference not allowed")
    ap.add_argument("--verbose", action="store_true", help="also list the allowed differences")
    ap.add_argument("--content", default=cr.CONTENT)
    ap.add_argument("--sources", default=cr.SOURCES)
    ap.add_argument("--allow", default=ALLOW)
    args = ap.parse_args(argv)
    rc = report(run(args.content, args.sources, args.allow), args.verbose)
    return rc if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
