"""Comparing a content unit with its source unit, word for word.

The engine of scripts/fidelity.py: an exact longest common subsequence of the
two word lists (case-insensitive only for front-matter words: titles,
headings, letterhead fields), every gap reported as a difference (missing,
added or changed words, with the content's words around it), differences
checked against the reviewed allow-list (scripts/fidelity_allow.tsv; a
difference in figures is never allowed), foot-note markers checked on aligned
words.  Standard library only.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import corpus_read as cr

ALLOW = os.path.join(cr.HERE, "fidelity_allow.tsv")


@dataclass
class Problem:
    where: str             # "content/x.md:12"
    message: str           # Vietnamese
    hint: str = ""
    doc: str = ""          # the document or check it belongs to (summary)

    def sort_key(self):
        path, _, line = self.where.partition(":")
        return (path, int(line) if line.isdigit() else 0, self.message)


@dataclass
class Diff:
    unit: str
    src: list[cr.Tok]
    dst: list[cr.Tok]
    where: str             # content place
    src_where: str = ""
    ctx: str = ""          # the content's words around it

    @property
    def kind(self) -> str:
        return "changed" if self.src and self.dst else ("missing" if self.src else "added")

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.unit, self.kind, cr.join_text(self.src), cr.join_text(self.dst))


@dataclass
class Allowed:
    unit: str
    kind: str
    source: str
    content: str
    reason: str
    line: int
    used: int = 0


def read_allow(path: str = ALLOW) -> dict[tuple, Allowed]:
    out: dict[tuple, Allowed] = {}
    for no, cols in cr.read_tsv(path, ["unit", "kind", "source", "content", "reason"]):
        a = Allowed(*cols, line=no)
        out[(a.unit, a.kind, a.source, a.content)] = a
    return out


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    allowed: list[tuple[Diff, Allowed]] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    current: str = ""      # the document or check being run (Problem.doc)

    def stat(self, doc: str, key: str, n: int = 1):
        self.stats.setdefault(doc, {}).setdefault(key, 0)
        self.stats[doc][key] += n

    def add(self, where: str, message: str, hint: str = ""):
        self.problems.append(Problem(where, message, hint, self.current))


def lcs_blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """A longest common subsequence of a and b as matching blocks (i, j, n).
    Bit-parallel LCS (Allison-Dix / Hyyrö): one big-integer row per word of a,
    bit j of row i is 0 where the DP row L[i][.] steps up, so
    L[i][j] = j - popcount(row_i & (2**j - 1)); the traceback reads L from the
    stored rows."""
    m = len(b)
    full = (1 << m) - 1
    pm: dict[str, int] = {}
    for j, k in enumerate(b):
        pm[k] = pm.get(k, 0) | (1 << j)
    rows = [full]
    v = full
    for k in a:
        u = v & pm.get(k, 0)
        v = ((v + u) | (v - u)) & full
        rows.append(v)

    def L(i: int, j: int) -> int:
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    pairs = []
    i, j = len(a), m
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            pairs.append((i - 1, j - 1))
            i -= 1
            j -= 1
        elif L(i - 1, j) >= L(i, j - 1):
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    blocks: list[list[int]] = []
    for i, j in pairs:
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1][2] += 1
        else:
            blocks.append([i, j, 1])
    return [tuple(x) for x in blocks]


@dataclass
class Alignment:
    a: list[cr.Tok]
    b: list[cr.Tok]
    pairs: dict[int, int]                   # b index -> a index
    gaps: list[tuple[list[int], list[int]]]  # (a indexes, b indexes) between matches


def align(a: list[cr.Tok], b: list[cr.Tok], covered: set[int] | None = None) -> Alignment:
    """In-order alignment of two token lists on their keys; `covered` source
    indexes (letterhead phrases) are not reported as missing.  Words of a
    front-matter field (titles, headings, labels) match without case: the
    sources print them in capitals; body words must match exactly."""
    covered = covered or set()
    blocks = lcs_blocks([t.key.casefold() for t in a], [t.key.casefold() for t in b])
    pairs: dict[int, int] = {}
    for bi, bj, n in blocks:
        for k in range(n):
            if a[bi + k].key == b[bj + k].key or b[bj + k].field:
                pairs[bj + k] = bi + k
    gaps = []
    i = j = 0
    for bj in sorted(pairs) + [len(b)]:
        bi = pairs.get(bj, len(a))
        ga = [x for x in range(i, bi) if x not in covered]
        gb = list(range(j, bj))
        if ga or gb:
            gaps.append((ga, gb))
        i, j = bi + 1, bj + 1
    return Alignment(a, b, pairs, gaps)


CONTEXT = 4    # content words shown either side of a difference


def gap_diffs(al: Alignment, unit_of, fallback_where: str) -> list[Diff]:
    out = []
    for ga, gb in al.gaps:
        src = [al.a[x] for x in ga]
        dst = [al.b[x] for x in gb]
        if gb:
            where, unit = dst[0].where, unit_of(gb[0])
            j0, j1 = gb[0], gb[-1] + 1
        else:
            prev = max((j for j in al.pairs if al.pairs[j] < (ga[0] if ga else 0)), default=None)
            where = al.b[prev].where if prev is not None else fallback_where
            unit = unit_of(prev if prev is not None else 0)
            j0 = j1 = prev + 1 if prev is not None else 0
        before = cr.join_text(al.b[max(0, j0 - CONTEXT):j0])
        after = cr.join_text(al.b[j1:j1 + CONTEXT])
        mid = f"[{cr.join_text(dst, 12)}]" if dst else "[…]"
        out.append(Diff(unit, src, dst, where, src[0].where if src else
                        (al.a[al.pairs[gb[0] - 1]].where if gb and gb[0] - 1 in al.pairs else ""),
                        " ".join(x for x in (before, mid, after) if x)))
    return out


def diff_problems(rep: Report, allow: dict, doc: str, diffs: list[Diff]):
    for d in diffs:
        a = allow.get(d.key)
        fa = cr.figures(cr.join_text(d.src))
        fb = cr.figures(cr.join_text(d.dst))
        if a is not None:
            a.used += 1
            rep.allowed.append((d, a))
            rep.stat(doc, "allowed")
            if fa != fb:
                rep.add(d.where, f"số liệu khác bản gốc ({d.src_where}): bản gốc «{' '.join(fa)}», "
                        f"ở đây «{' '.join(fb)}» (mục cho phép ở scripts/fidelity_allow.tsv:{a.line} "
                        "không cho phép đổi số liệu)", "sửa số liệu cho đúng bản gốc")
            continue
        src = cr.join_text(d.src, 40)
        dst = cr.join_text(d.dst, 40)
        fig = "số liệu khác bản gốc; " if fa != fb else ""
        if d.kind == "missing":
            msg = f"{fig}thiếu {len(d.src)} chữ của bản gốc ({d.src_where}): «{src}»"
            hint = "chép lại đúng đoạn này từ bản gốc"
        elif d.kind == "added":
            msg = f"{fig}thêm {len(d.dst)} chữ không có trong bản gốc: «{dst}»"
            hint = "xoá phần thêm"
        else:
            msg = f"{fig}khác bản gốc ({d.src_where}): bản gốc «{src}», ở đây «{dst}»"
            hint = "sửa lại cho đúng bản gốc"
        if d.ctx:
            msg += f"; chỗ này: «{d.ctx}»"
        rep.add(d.where, f"[{d.unit}] {msg}",
                hint + "; nếu khác biệt này có chủ ý, thêm một dòng vào scripts/fidelity_allow.tsv "
                f"(đơn vị `{d.unit}`, loại `{d.kind}`) kèm lý do")


def check_marks(rep: Report, doc: str, al: Alignment, src_index: dict[str, int],
                dst_index: dict[str, int], unit_of):
    """Foot-note markers: on aligned words, the same note (by order in the
    unit) on both sides."""
    for j, i in al.pairs.items():
        s = [src_index.get(m, 0) for m in al.a[i].marks]
        d = [dst_index.get(m, 0) for m in al.b[j].marks]
        rep.stat(doc, "marks", len(s))
        if s == d:
            continue
        w = al.b[j].text
        if not d:
            rep.add(al.b[j].where, f"[{unit_of(j)}] thiếu dấu chú thích sau «{w}»: bản gốc có chú thích "
                    f"số {s[0]} của đơn vị này ở đây ({al.a[i].where})",
                    "đặt lại dấu chú thích [^n] ngay sau chữ này, như bản gốc")
        elif not s:
            rep.add(al.b[j].where, f"[{unit_of(j)}] dấu chú thích [^{al.b[j].marks[0]}] đặt sau «{w}», "
                    f"nhưng bản gốc không có chú thích ở đây ({al.a[i].where})",
                    "chuyển dấu chú thích về đúng chữ mà bản gốc đặt nó")
        else:
            rep.add(al.b[j].where, f"[{unit_of(j)}] chú thích sau «{w}» là chú thích số {d[0]}, "
                    f"bản gốc là chú thích số {s[0]} ({al.a[i].where})", "sửa số thứ tự chú thích")
    for ga, gb in al.gaps:
        s = sorted(src_index.get(m, 0) for x in ga for m in al.a[x].marks)
        d = sorted(dst_index.get(m, 0) for x in gb for m in al.b[x].marks)
        if s != d:
            where = al.b[gb[0]].where if gb else (al.a[ga[0]].where if ga else "")
            rep.add(where, f"[{unit_of(gb[0] if gb else 0)}] chú thích trong đoạn khác bản gốc: "
                    f"bản gốc có chú thích {s or 'không'}, ở đây {d or 'không'}",
                    "đặt dấu chú thích đúng chỗ như bản gốc")


def compare(rep: Report, allow: dict, doc: str, unit: str, src: list[cr.Tok], dst: list[cr.Tok],
            fallback_where: str, src_notes=None, dst_notes=None, notes_where: str = ""):
    """One unit (and its foot-notes) compared in order."""
    rep.stat(doc, "units")
    rep.stat(doc, "words", len(src))
    rep.stat(doc, "figures", sum(len(cr.figures(t.text)) for t in src))
    al = align(src, dst)
    diff_problems(rep, allow, doc, gap_diffs(al, lambda _j: unit, fallback_where))
    if src_notes is None and dst_notes is None:
        if any(t.marks for t in dst):
            check_marks(rep, doc, al, {}, {}, lambda _j: unit)
        return al
    src_notes, dst_notes = src_notes or [], dst_notes or []
    src_index = {nid: k + 1 for k, (nid, _) in enumerate(src_notes)}
    dst_index = {lab: k + 1 for k, (lab, _) in enumerate(dst_notes)}
    check_marks(rep, doc, al, src_index, dst_index, lambda _j: unit)
    for k in range(max(len(src_notes), len(dst_notes))):
        s = src_notes[k][1] if k < len(src_notes) else []
        d = dst_notes[k][1] if k < len(dst_notes) else []
        nunit = f"{unit}#note-{k + 1}"
        rep.stat(doc, "words", len(s))
        nal = align(s, d)
        diff_problems(rep, allow, doc, gap_diffs(nal, lambda _j: nunit, notes_where or fallback_where))
    return al


def loose_key(k: str) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", k).casefold()


def match_loose(src: list[cr.Tok], phrases: list[list[cr.Tok]], zone: set[int]) -> tuple[set[int], list]:
    """Each phrase matched as a run of source words (or two runs: a name
    printed in two boxes) inside `zone` (the letterhead and signature: words
    before the first and after the last in-order match), without case and
    edge punctuation: a letterhead is printed in capitals, in boxes whose order
    the fields do not follow.  Every occurrence in the zone is covered."""
    keys = [loose_key(t.key) for t in src]

    def where(pk: list[str]) -> set[int]:
        n = len(pk)
        return {x for st in range(len(keys) - n + 1) if keys[st:st + n] == pk
                and all(y in zone for y in range(st, st + n)) for x in range(st, st + n)}

    covered: set[int] = set()
    missing = []
    for ph in phrases:
        pk = [loose_key(t.key) for t in ph]
        hits = where(pk)
        for cut in range(1, len(pk)):          # or in two boxes ("BAN TUYÊN GIÁO" / "THỊ UỶ …")
            if hits:
                break
            h1, h2 = where(pk[:cut]), where(pk[cut:])
            if h1 and h2:
                hits = h1 | h2
        if hits:
            covered |= hits
        else:
            missing.append(ph)
    return covered, missing
