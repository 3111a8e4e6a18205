#!/usr/bin/env python3
"""The reviewed restoration of 004, checked against the scan.

Usage:
    python3 scripts/restoration.py [--check] [--sources DIR]
    python3 scripts/restoration.py --draft [--content DIR] [--sources DIR] > draft.txt

004 (sources/004_de24966907debdd2.txt) is the OCR of a scanned guidance: the
Vietnamese diacritics are lost and many letters are misread ("nhén thic" for
"nhận thức").  sources/restoration/004.txt is its restoration with
diacritics, reviewed by hand: line N of the restoration restores line N of the
scan (a word broken by a hyphen at a line end stays broken the same way).
fidelity.py compares huong-dan/quang-yen.md with the restoration word for word
(diacritics included); this script checks the restoration against the scan.

Every restored word is one of:

  * certain by the scan: the same letters as the scan once diacritics are
    removed ("Quảng" for "Quang"), and attested: the word with a neighbour
    occurs, with these diacritics, in one of the other sources (000-003),
    so the diacritics are not a guess ("nghiêm túc" is attested, "nghiêm tục"
    is not);
  * certain by a parallel text: the scan misread it ("nhận thức" for "nhén
    thic"), but the restored passage of at least PARALLEL_WORDS words around
    it occurs word for word in 000 or 001, the other guidances that print the
    same text, and the scan's letters are close (folded similarity >=
    OCR_SIMILARITY);
  * listed in sources/restoration/004-uncertain.tsv (line, scan, restored,
    note; line "*" for a name the document repeats, "Thị uỷ"): every other
    word, with its OCR form.

Problems (fidelity.py reports them with the content's): a restored word that
is neither certain nor listed; a listed entry whose scan form or restored form
is not on its line; a line count different from the scan's.

--draft prints a first restoration from huong-dan/quang-yen.md, its words
distributed over the scan's lines by a character alignment (for a new scan;
it must then be reviewed line by line).
"""
from __future__ import annotations

import argparse
import bisect
import difflib
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402
import fidelity_units as fu  # noqa: E402
from fidelity_compare import lcs_blocks  # noqa: E402

PARALLEL_WORDS = 6        # restored words around a misread word found in 000/001
OCR_SIMILARITY = 0.5      # folded character similarity of a misread word and its restoration
ATTEST_SOURCES = ("000", "001", "002", "003")


def raw_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [cr.nfc(l.rstrip("\n")) for l in f]


def line_tokens(lines: list[str], keyf) -> list[tuple[int, str, str]]:
    """(line number, text, key) of every word with a non-empty key."""
    out = []
    for no, l in enumerate(lines, 1):
        for w in l.split():
            k = keyf(w)
            if k:
                out.append((no, w, k))
    return out


def joined_tokens(lines: list[str]) -> list[tuple[int, str, str]]:
    """Restoration words with a word broken at a line end ("124-" / "HD/BTGTU")
    joined on the line where it starts, as the other source readers join it."""
    out: list[list] = []
    carry = None
    for no, l in enumerate(lines, 1):
        words = l.split()
        for k, w in enumerate(words):
            if carry is not None and k == 0:
                carry[1] += w
                carry[2] = cr.fold_key(carry[1])
                out.append(carry)
                carry = None
                continue
            if k == len(words) - 1 and w.endswith("-") and len(w) > 1:
                carry = [no, w, cr.fold_key(w)]
                continue
            if cr.fold_key(w):
                out.append([no, w, cr.fold_key(w)])
        if carry is not None and not words:
            continue
    if carry is not None:
        out.append(carry)
    return [tuple(x) for x in out]


TONES = "\u0300\u0301\u0303\u0309\u0323"    # grave, acute, tilde, hook, dot below


def plain(w: str) -> str:
    """A word without its edge punctuation, lower case, its tone mark moved to
    the end ("uỷ" and "ủy", "hoá" and "hóa" are one spelling)."""
    w = re.sub(r"^[\W_]+|[\W_]+$", "", w).casefold()
    if re.search(r"\d", w):
        return "#"                       # any number, date or document number
    w = unicodedata.normalize("NFD", w)
    tone = "".join(c for c in w if c in TONES)
    return unicodedata.normalize("NFC", "".join(c for c in w if c not in TONES)) + tone


def attested(sources: str) -> tuple[set[tuple[str, str]], dict[str, set[str]]]:
    """The word pairs of 000-003, and the spellings of each folded word."""
    pairs: set[tuple[str, str]] = set()
    forms: dict[str, set[str]] = {}
    for sid in ATTEST_SOURCES:
        words = [plain(w) for w in fu.source_joined(cr.source_path(sid, sources), markdown=(sid == "002")).text.split()]
        words = [w for w in words if w]
        pairs.update(zip(words, words[1:]))
        for w in words:
            forms.setdefault(cr.fold_key(w), set()).add(w)
    return pairs, forms


def parallel_text(sources: str) -> str:
    return " ".join(" ".join(plain(w) for w in fu.source_joined(cr.source_path(s, sources)).text.split())
                    for s in ("000", "001"))


ANY_LINE = -1     # an entry for a spelling the restoration uses on every line ("*")


def read_uncertain(path: str) -> list[tuple[int, int, str, str, str]]:
    """(tsv line, scan line, scan form, restored form, note)."""
    return [(k, int(c[0]) if c[0].isdigit() else ANY_LINE if c[0] == "*" else 0, c[1], c[2], c[3])
            for k, c in cr.read_tsv(path, ["line", "scan", "restored", "note"])]


def classify(sources: str):
    """See _classify (cached while the restoration file is unchanged)."""
    return _classify(os.path.join(sources, cr.RESTORATION), sources)


@cr.by_file
def _classify(_rpath: str, sources: str):
    """Each restored word with its status: 'scan' (the scan's letters,
    attested diacritics), 'parallel' (misread, confirmed by 000/001) or ''
    (not certain); and the scan's words it restores.  Returns (restored words,
    statuses, scan form per word, scan line count, restoration line count)."""
    scan = raw_lines(cr.source_path("004", sources))
    rest = raw_lines(os.path.join(sources, cr.RESTORATION))
    a = line_tokens(scan, cr.fold_key)
    b = joined_tokens(rest)
    ka, kb = [k for _, _, k in a], [k for _, _, k in b]
    ocr_of: dict[int, str] = {}
    sim: dict[int, float] = {}
    status = [""] * len(b)
    i = j = 0
    for bi, bj, n in lcs_blocks(ka, kb) + [(len(a), len(b), 0)]:
        gap_words(a[i:bi], b[j:bj], j, ocr_of, sim)
        for x in range(n):
            ocr_of[bj + x] = a[bi + x][1]
            status[bj + x] = "scan"
        i, j = bi + n, bj + n
    bigrams, forms = attested(sources)
    par = f" {parallel_text(sources)} "
    words = [plain(w) for _, w, _ in b]
    for x in range(len(b)):
        left = (words[x - 1], words[x]) if x else None
        right = (words[x], words[x + 1]) if x + 1 < len(b) else None
        in_pair = left in bigrams or right in bigrams
        if status[x] == "scan":
            only = forms.get(cr.fold_key(words[x])) == {words[x]}
            status[x] = "scan" if (in_pair or only or not re.search(r"[^\W\d_]", words[x])) else ""
            continue
        windows = (" ".join(words[st:st + PARALLEL_WORDS]) for st in range(max(0, x - PARALLEL_WORDS + 1), x + 1)
                   if st + PARALLEL_WORDS <= len(words))
        if sim.get(x, 0) >= OCR_SIMILARITY and (in_pair or any(f" {w} " in par for w in windows)):
            status[x] = "parallel"
    return b, status, ocr_of, len(scan), len(rest)


def gap_words(a, b, j0: int, ocr_of: dict, sim: dict):
    """Between two matched words: each restored word gets the scan words its
    letters line up with (character alignment) and its similarity to them."""
    if not b:
        return
    sa = " ".join(k for _, _, k in a)
    a_starts, pos = [], 0
    for _, _, k in a:
        a_starts.append(pos)
        pos += len(k) + 1
    pos = 0
    blocks = difflib.SequenceMatcher(None, sa, " ".join(k for _, _, k in b), autojunk=False).get_matching_blocks()
    for x, (_, w, k) in enumerate(b):
        lo, hi = pos, pos + len(k)
        pos = hi + 1
        hits = set()
        same = 0
        for bl in blocks:
            o0, o1 = max(lo, bl.b), min(hi, bl.b + bl.size)
            if o1 > o0:
                same += o1 - o0
                for c in range(bl.a + o0 - bl.b, bl.a + o1 - bl.b):
                    hits.add(bisect.bisect_right(a_starts, c) - 1)
        ocr_of[j0 + x] = " ".join(a[h][1] for h in sorted(hits)) if hits else ""
        sim[j0 + x] = same / len(k) if k else 0.0


def check(sources: str = cr.SOURCES) -> list[tuple[str, str, str]]:
    """Problems as (place, message, hint)."""
    rpath = os.path.join(sources, cr.RESTORATION)
    upath = os.path.join(sources, cr.RESTORATION_UNCERTAIN)
    rl, ul = cr.rel(rpath), cr.rel(upath)
    if not os.path.exists(rpath):
        return [(rl, "không có bản khôi phục của 004", "tạo bằng `python3 scripts/restoration.py --draft` rồi duyệt")]
    b, status, ocr_of, n_scan, n_rest = classify(sources)
    out = []
    if n_scan != n_rest:
        out.append((f"{rl}:1", f"bản khôi phục có {n_rest} dòng, bản quét có {n_scan}",
                    "mỗi dòng của bản khôi phục ứng với đúng một dòng của bản quét"))
    listed = read_uncertain(upath)
    scan = raw_lines(cr.source_path("004", sources))
    rest = raw_lines(os.path.join(sources, cr.RESTORATION))
    by_line: dict[int, list] = {}
    for e in listed:
        by_line.setdefault(e[1], []).append(e)
        k, no, sform, rform, _ = e
        sline = scan[no - 1] if 0 < no <= len(scan) else ""
        rline = rest[no - 1] if 0 < no <= len(rest) else ""
        if no == ANY_LINE:
            sline, rline = "\n".join(scan), "\n".join(rest)
        if sform not in sline or rform not in rline:
            out.append((f"{ul}:{k}", f"mục «{sform}» → «{rform}» không khớp dòng {no} "
                        f"(bản quét «{sline.strip()}», khôi phục «{rline.strip()}»)",
                        "sửa mục cho đúng dòng, hoặc xoá nếu chữ đã được sửa"))
    used = set()
    for x, (no, w, _) in enumerate(b):
        if status[x]:
            continue
        hit = next((e for e in by_line.get(no, []) + by_line.get(ANY_LINE, [])
                    if plain(w) in [plain(t) for t in e[3].split()]), None)
        if hit is None:
            out.append((f"{rl}:{no}", f"chữ khôi phục «{w}» (bản quét «{ocr_of.get(x, '')}») không chắc chắn "
                        f"và chưa có trong {ul}",
                        f"đối chiếu bản quét; nếu đúng, thêm dòng `{no}\\t{ocr_of.get(x, '')}\\t{w}\\tghi chú` vào {ul}"))
        else:
            used.add(hit[0])
    for e in listed:
        if e[0] not in used:
            out.append((f"{ul}:{e[0]}", f"mục «{e[2]}» → «{e[3]}» (dòng {e[1]}) không còn cần: các chữ này đã chắc chắn",
                        "xoá dòng này"))
    return out


# --------------------------------------------------------------------------
# Drafting a restoration from the content

def draft(content: str = cr.CONTENT, sources: str = cr.SOURCES) -> list[str]:
    scan = raw_lines(cr.source_path("004", sources))
    doc = cr.read_content(os.path.join(content, "huong-dan", "quang-yen.md"), "huong-dan/quang-yen.md")
    keep = lambda t: t  # noqa: E731  (punctuation-only words are restored too)
    words = [t.text for t in cr.tokenize(doc.get("title") or "", "", keep)]
    words += [t.text for _, text in doc.body for t in cr.tokenize(text, "", keep)]
    a = line_tokens(scan, cr.fold_key)
    kb = [cr.fold_key(w) or w for w in words]
    pairs = {j + k: i + k for i, j, n in lcs_blocks([k for _, _, k in a], kb) for k in range(n)}
    anchors = sorted(pairs)
    lines: dict[int, list[str]] = {}
    for j, w in enumerate(words):
        if j in pairs:
            ai = pairs[j]
        else:   # between two anchors: the same share of the way on the scan's side
            k = bisect.bisect_right(anchors, j)
            j0, j1 = (anchors[k - 1] if k else -1), (anchors[k] if k < len(anchors) else len(words))
            i0, i1 = (pairs[j0] if j0 >= 0 else -1), (pairs[j1] if j1 < len(words) else len(a))
            ai = min(max(i0 + round((j - j0) * (i1 - i0) / (j1 - j0)), 0), len(a) - 1)
        lines.setdefault(a[ai][0], []).append(w)
    out = []
    for no, l in enumerate(scan, 1):
        lead = re.match(r"^\s*([-+*])\s", l)     # list bullets are printed words of the scan
        ws = lines.get(no, [])
        out.append(((lead.group(1) + " ") if lead and ws else "") + " ".join(ws))
    return out


def counts(sources: str = cr.SOURCES) -> dict[str, int]:
    """How many restored words are certain by the scan, by a parallel text, or
    listed as not certain."""
    if not os.path.exists(os.path.join(sources, cr.RESTORATION)):
        return {}
    _, status, _, _, _ = classify(sources)
    return {"words": len(status), "scan": status.count("scan"), "parallel": status.count("parallel"),
            "listed": status.count("")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--draft", action="store_true")
    ap.add_argument("--content", default=cr.CONTENT)
    ap.add_argument("--sources", default=cr.SOURCES)
    args = ap.parse_args(argv)
    if args.draft:
        print("\n".join(draft(args.content, args.sources)))
        return 0
    probs = check(args.sources)
    for where, msg, hint in probs:
        print(f"{where}: lỗi: {msg}\n  cách sửa: {hint}")
    print(f"Bản khôi phục 004: {len(probs)} lỗi.")
    return 1 if probs and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
