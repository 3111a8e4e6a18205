#!/usr/bin/env python3
"""Convert the PDF-to-text dump of the book "Hỏi - đáp về Nghị quyết số 57-NQ/TW"
(seed 003) into the Markdown files described in docs/content-format.md.

Usage:  python3 scripts/qa_book.py SOURCE.txt OUTDIR

Writes OUTDIR/_index.md, loi-noi-dau.md, phat-bieu.md, phan-N/_index.md and
phan-N/cau-NN.md.  Standard library only (Python 3.11).

How the dump is laid out (what the rules below rely on):
  * every text line is followed by an empty line; empty lines carry no meaning;
  * the first line of every PDF page starts with one space (" những nhà ..."),
    some pages start with a page-number line (" 61 ") instead;
  * foot-notes are printed after a "___________" line at the end of the page's
    text, until the next page starts; a note starts with "1. ", "2. " or "* ";
    a note line without a number at the top of a block continues the last note
    of the previous page (the STEAM note of question 62);
  * note markers are digits glued to the previous word ("ASEAN1.", "chúng”1.",
    "năm 20251." = year 2025 + marker 1); a marker is accepted only if a note
    with that number is printed on the same page;
  * bare URL lines (no spaces) at page ends are hyperlink artefacts;
  * the table of contents ("MỤC LỤC") closes the book and is not converted.

PDF artefacts removed or repaired (complete list):
  * "©" glued after "nhiều thách thức." (preface, source line ~89): stray glyph, removed;
  * U+202F NARROW NO-BREAK SPACE in "Nghị quyết\u202fsố 57-NQ/TW" (heading of
    question 67, source line ~6478): replaced by an ordinary space;
  * the drop capital "H" of the preface's first word, printed as a line of its
    own at the end of the first page (source line ~76), is put back in front of
    "iện nay" -> "Hiện nay";
  * decomposed (NFD) characters (source line ~7270-7272) are NFC-normalised;
  * page numbers, empty lines, bare URL lines, the "___________" note separators
    and the leading space of each page's first line are dropped.
"""
from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field

# --------------------------------------------------------------------------
# Stray glyphs (see the module docstring).  (character, replacement)
ARTEFACT_CHARS = [
    ("\u00a9", ""),   # "©" after "thách thức." in the preface
    ("\u202f", " "),  # narrow no-break space in the heading of question 67
]

# Explicit paragraph fix-ups for cases the line-geometry rules cannot decide.
# Each entry: (text of the line BEFORE the join point, start of the next line,
# True = force a paragraph break / False = force a join).  Matched on the
# stripped source lines.  Kept small and commented.
PARA_FIXUPS: list[tuple[str, str, bool]] = [
    # Preface: the first (drop-cap) paragraph ends on a full-width line, so
    # neither the width rule nor a double space shows the break before
    # "Thời gian qua, ...", which opens the review of the past period.
    ("kỷ nguyên vươn mình của dân tộc Việt Nam.", "Thời gian qua, Đảng và Nhà nước ta", True),
    # Question 71: "Thứ năm, ..." ends with ";" (sic) and the next line opens the
    # second half of the answer ("Để đưa Nghị quyết ... người dân cần:").
    ("dân vào quản trị xã hội và phát triển cộng đồng;", "Để đưa Nghị quyết số 57-NQ/TW", True),
]

# The paragraph-break width rule: a line that ends a sentence and had room for
# the next line's first word ends its paragraph (see should_break()).
FIT_WIDTH = 50

LIST_CUE = re.compile(r"^- ")
STRONG_CUE = re.compile(
    r"^(Thứ (nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b"
    r"|(Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười) là,"
    r"|\(\d+\)"
    r"|[a-zđ]\) "
    r"|Thưa "
    r"|Phần thứ (nhất|hai|ba): )"
)
# Sentence openers that in this book start a paragraph after a full stop
# (seen after a double-spaced paragraph end, e.g. source lines ~3022, ~3484).
PARA_OPENERS = re.compile(r"^(Về nội dung này, Tổng Bí thư|Để thực hiện nhiệm vụ này,"
                          r"|Để thực hiện hiệu quả Nghị quyết)")
TERMINAL = re.compile(r"[.:;?!…]([”\")\]]*)(\x00\d+\x00)?[”\")\]]*$")
PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
BARE_URL = re.compile(r"^https?://\S+$")
SEPARATOR = re.compile(r"^_{5,}\s*$")
NOTE_START = re.compile(r"^(\d{1,2})\.\s+(.*)$|^(\*)\s+(.*)$")
QUESTION_START = re.compile(r"^Câu hỏi (\d+):\s*(.*)$")
ANSWER_LABEL = re.compile(r"^Trả lời:\s*$")
PART_START = re.compile(r"^Phần thứ (nhất|hai|ba)\s*$")
SECTION_START = re.compile(r"^(I|II|III|IV)- (.*)$")
MARK = "\x00"  # placeholder delimiter for note markers: \x00<note id>\x00


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def clean_chars(s: str) -> str:
    for a, b in ARTEFACT_CHARS:
        s = s.replace(a, b)
    return s


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line))


def is_upper_line(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


# --------------------------------------------------------------------------
# Joining lines

def join_two(a: str, b: str) -> str:
    """Join line b to text a.  A trailing hyphen glued to a token ("57-",
    "Lithium-", "tin-" in a URL) is a break inside one token: join without a
    space.  A free-standing dash ("công -") keeps its spaces."""
    a = a.rstrip()
    b = b.strip()
    if not a:
        return b
    if not b:
        return a
    if a.endswith("-") and len(a) >= 2 and not a[-2].isspace():
        return a + b
    return a + " " + b


def join_lines(lines: list[str]) -> str:
    out = ""
    for ln in lines:
        out = join_two(out, ln)
    return re.sub(r"[ \t]{2,}", " ", out)


def fit(prev: str, nxt: str) -> int:
    """Length prev would have had if the first word of nxt had been put on it."""
    words = nxt.split()
    first = strip_marks(words[0]) if words else ""
    return len(strip_marks(prev.strip())) + 1 + len(first)


def strip_marks(s: str) -> str:
    return re.sub(MARK + r"\d+" + MARK, "", s)


def should_break(prev: str, cur: str) -> bool:
    """Does cur (a stripped source line) start a new paragraph after prev?"""
    hard = prev.endswith("  ")
    p = prev.strip()
    c = cur.strip()
    for fp, fc, brk in PARA_FIXUPS:
        if p.endswith(fp) and c.startswith(fc):
            return brk
    if not p:
        return True
    terminal = bool(TERMINAL.search(p))
    if not terminal:
        return False
    if hard or LIST_CUE.match(c) or STRONG_CUE.match(c):
        return True
    if p.endswith(".") and PARA_OPENERS.match(c):
        return True
    first = c[:1]
    if not (first.isupper() or first.isdigit() or first in "“\"("):
        return False
    return fit(p, c) <= FIT_WIDTH


def escape_md(par: str) -> str:
    """Stop a paragraph from turning into unintended Markdown syntax."""
    m = re.match(r"^(\d+)([.)])(\s)", par)
    if m:
        par = m.group(1) + "\\" + m.group(2) + par[m.end(2):]
    if re.match(r"^[#>+*]", par):
        par = "\\" + par
    return par


def paragraphs(lines: list[str]) -> list[str]:
    """Rejoin broken lines into Markdown blocks ("- " items stay list items)."""
    blocks: list[list[str]] = []
    prev = ""
    for ln in lines:
        s = ln.strip()
        if not s:
            continue
        # a salutation ("Thưa các đồng chí ..., ") is a paragraph of its own
        salute_end = bool(blocks) and blocks[-1][0].startswith("Thưa ") and prev.strip().endswith(",") \
            and s[:1].isupper() and fit(prev, s) <= FIT_WIDTH
        if not blocks or salute_end or should_break(prev, ln):
            blocks.append([s])
        else:
            blocks[-1].append(s)
        prev = ln
    out = []
    for b in blocks:
        text = join_lines(b)
        if LIST_CUE.match(text):
            out.append(text)  # "- text" is already a Markdown list item
        else:
            out.append(escape_md(text))
    return out


def render_blocks(blocks: list[str]) -> str:
    """Blank line between blocks, except between consecutive list items."""
    out = []
    for i, b in enumerate(blocks):
        if i:
            tight = LIST_CUE.match(b) and LIST_CUE.match(blocks[i - 1])
            out.append("\n" if tight else "\n\n")
        out.append(b)
    return "".join(out)


# --------------------------------------------------------------------------
# Pages, notes and markers

@dataclass
class Note:
    id: int
    page: int
    label: str           # "1", "2", "*"
    lines: list[str] = field(default_factory=list)
    used: bool = False
    no: int = 0          # source line of its first line

    @property
    def text(self) -> str:
        return join_lines(self.lines)


@dataclass
class Line:
    no: int              # 1-based source line number
    page: int
    text: str            # stripped, cleaned, markers replaced by placeholders
    hard: bool = False   # the source line ends with two spaces (paragraph end)


# a note digit glued to a letter ("ASEAN1"), or to a closing quote/bracket or
# punctuation that itself follows a non-digit ("chúng”1", "quốc gia)1") -- so
# "2,1 triệu" or "4.0" are not markers.
MARKER_RE = re.compile(r"(?:(?<=[^\W\d_])|(?<=\S[”\")\]])|(?<=[^\d\s][.,;:%]))([1-9])(?=[\s.,;:)”]|$)")


def find_marker_candidates(text: str, label: str) -> list[tuple[int, int]]:
    """(start, end) spans of the marker digit `label` in text."""
    spans = []
    if label == "*":
        for m in re.finditer(r"(?<=\S)\*", text):
            spans.append((m.start(), m.end()))
        return spans
    for m in MARKER_RE.finditer(text):
        if m.group(1) == label:
            spans.append((m.start(1), m.end(1)))
    return spans


def find_year_marker(text: str, label: str) -> list[tuple[int, int]]:
    """A marker glued to a year: "năm 20251." = 2025 + note 1."""
    spans = []
    for m in re.finditer(r"(?<!\d)(?:19|20)\d\d(" + re.escape(label) + r")(?=[\s.,;:)]|$)", text):
        spans.append((m.start(1), m.end(1)))
    return spans


@dataclass
class Parsed:
    lines: list[Line]
    notes: dict[int, Note]
    toc: list[str]
    front: list[str]
    warnings: list[str]
    front_src: list[Line] = field(default_factory=list)   # the front lines with their numbers


def parse(raw_lines: list[str]) -> Parsed:
    raw0 = [nfc(l.rstrip("\n")) for l in raw_lines]
    # "©" ends a paragraph in the one place it occurs: keep that as a hard end
    raw = [clean_chars(l) + ("  " if l.rstrip().endswith("\u00a9") else "") for l in raw0]
    warnings: list[str] = []
    try:
        start = next(i for i, l in enumerate(raw) if l.strip() == "LỜI NÓI ĐẦU")
    except StopIteration:
        raise SystemExit("no LỜI NÓI ĐẦU heading found")
    toc_at = next((i for i, l in enumerate(raw) if l.strip() == "MỤC LỤC" and i > start), len(raw))
    front = [l.strip() for l in raw[:start] if l.strip()]
    toc = [l.strip() for l in raw[toc_at + 1:] if l.strip()]

    page = 0
    in_notes = False
    notes: dict[int, Note] = {}
    page_notes: dict[int, list[Note]] = {}
    body: list[Line] = []
    last_note: Note | None = None
    nid = 0
    for i in range(start, toc_at):
        l = raw[i]
        if not l.strip():
            continue
        if is_page_number(l):
            page += 1
            in_notes = False
            continue
        if l.startswith(" ") or i == start:
            page += 1
            in_notes = False
        s = l.strip()
        if SEPARATOR.match(s):
            in_notes = True
            continue
        if in_notes:
            m = NOTE_START.match(s)
            if m:
                nid += 1
                label = m.group(1) or m.group(3)
                note = Note(nid, page, label, [m.group(2) if m.group(1) else m.group(4)], no=i + 1)
                notes[nid] = note
                page_notes.setdefault(page, []).append(note)
                last_note = note
            elif last_note is not None:
                last_note.lines.append(s)   # continuation (also across pages)
            else:
                warnings.append(f"line {i+1}: note text without a note: {s!r}")
            continue
        if BARE_URL.match(s):
            continue
        hard = l.endswith("  ")
        body.append(Line(i + 1, page, s, hard))

    # drop capital: a body line that is one capital letter goes in front of the
    # first line of the same text that starts with a lower-case letter.
    out: list[Line] = []
    for k, ln in enumerate(body):
        if len(ln.text) == 1 and ln.text.isupper():
            for prev in reversed(out):
                if prev.text[:1].islower():
                    target = prev
                if prev.text in ("LỜI NÓI ĐẦU",) or QUESTION_START.match(prev.text):
                    break
            else:
                target = None
            if target is not None:
                target.text = ln.text + target.text
                continue
        out.append(ln)
    body = out

    # attach markers to notes, page by page
    by_page: dict[int, list[Line]] = {}
    for ln in body:
        by_page.setdefault(ln.page, []).append(ln)
    for pg, pnotes in page_notes.items():
        # the note's own page first; a stray leading space can make the dump
        # look like a new page started, so the two pages before are tried next
        plines = by_page.get(pg, []) + by_page.get(pg - 1, []) + by_page.get(pg - 2, [])
        for note in pnotes:
            placed = False
            for finder in (find_marker_candidates, find_year_marker):
                hits = [ln for ln in plines if finder(ln.text, note.label)]
                if len(hits) > 1:
                    warnings.append(f"page {pg}: {len(hits)} candidate lines for note {note.label}: "
                                    + " | ".join(h.text[-40:] for h in hits))
                for ln in hits:
                    spans = finder(ln.text, note.label)
                    if spans:
                        a, b = spans[0]
                        ln.text = ln.text[:a] + f"{MARK}{note.id}{MARK}" + ln.text[b:]
                        note.used = True
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                warnings.append(f"page {pg}: no marker for note {note.label}: {note.text[:50]!r}")
    front_src = [Line(i + 1, 0, l.strip()) for i, l in enumerate(raw[:start]) if l.strip()]
    return Parsed(body, notes, toc, front, warnings, front_src)


# --------------------------------------------------------------------------
# Documents

@dataclass
class Doc:
    kind: str                      # preface | speech | part | question
    header: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    number: int = 0
    part: int = 0
    section: int = 0
    meta: dict = field(default_factory=dict)
    src: list = field(default_factory=list)   # every source Line it was made from, in order


PART_NUM = {"nhất": 1, "hai": 2, "ba": 3}


def split_docs(p: Parsed) -> list[Doc]:
    docs: list[Doc] = []
    lines = p.lines
    i = 0
    n = len(lines)
    cur: Doc | None = None
    part = 0
    section = 0
    starts: list[int] = []   # index of each doc's first source line
    while i < n:
        t = lines[i].text
        if t == "LỜI NÓI ĐẦU":
            cur = Doc("preface")
            docs.append(cur)
            starts.append(i)
            i += 1
            continue
        if cur is not None and cur.kind == "preface" and re.match(r"^Tháng \d+ năm \d{4}$", t):
            # sign-off: the date line and the upper-case signers
            cur.meta["month"] = t
            i += 1
            signers = []
            while i < n and is_upper_line(lines[i].text) and lines[i].text.startswith(("BAN ", "NHÀ ")):
                signers.append(lines[i].text)
                i += 1
            cur.meta["signed"] = signers
            starts.append(i)
            # speech header: upper-case title lines up to the author line
            title = []
            while i < n and is_upper_line(lines[i].text) and not lines[i].text.startswith("GS."):
                title.append(lines[i].text)
                i += 1
            cur = Doc("speech")
            docs.append(cur)
            cur.header = title
            if i < n and lines[i].text.startswith("GS."):
                cur.meta["author"] = lines[i].text
                i += 1
            role = []
            while i < n and not lines[i].text.startswith("Thưa"):
                role.append(lines[i].text)
                i += 1
            cur.meta["author_title"] = role
            continue
        m = PART_START.match(t)
        if m:
            part = PART_NUM[m.group(1)]
            section = 0
            starts.append(i)
            i += 1
            heading = []
            while i < n and is_upper_line(lines[i].text) and not SECTION_START.match(lines[i].text):
                heading.append(lines[i].text)
                i += 1
            cur = Doc("part", header=heading, part=part)
            docs.append(cur)
            continue
        m = SECTION_START.match(t)
        if m and is_upper_line(t):
            section += 1
            heading = [t]
            starts.append(i)
            i += 1
            while i < n and is_upper_line(lines[i].text) and not QUESTION_START.match(lines[i].text):
                heading.append(lines[i].text)
                i += 1
            docs.append(Doc("section", header=heading, part=part, section=section))
            continue
        m = QUESTION_START.match(t)
        if m and part:
            head = [t]
            starts.append(i)
            i += 1
            while i < n and not ANSWER_LABEL.match(lines[i].text):
                head.append(lines[i].text)
                i += 1
            i += 1  # drop "Trả lời:"
            cur = Doc("question", header=head, number=int(m.group(1)), part=part,
                      section=section if part == 2 else 0)
            docs.append(cur)
            continue
        if cur is not None:
            cur.lines.append(t + ("  " if lines[i].hard else ""))
        i += 1
    for k, d in enumerate(docs):
        d.src = lines[starts[k]:starts[k + 1] if k + 1 < len(docs) else n]
    return docs


# --------------------------------------------------------------------------
# Footnotes per output file

def finish_notes(text: str, notes: dict[int, Note]) -> tuple[str, list[str]]:
    """Replace marker placeholders by [^n] numbered 1, 2, 3 in order; return
    the text and the definitions."""
    order: dict[int, int] = {}
    defs: list[str] = []

    def repl(m):
        gid = int(m.group(1))
        if gid not in order:
            order[gid] = len(order) + 1
            defs.append(f"[^{order[gid]}]: {notes[gid].text}")
        return f"[^{order[gid]}]"

    text = re.sub(MARK + r"(\d+)" + MARK, repl, text)
    return text, defs


class Raw(str):
    """A front-matter value written without quotes (YAML dates)."""


def yq(s: str) -> str:
    """Double-quoted YAML scalar."""
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def front_matter(items: list[tuple[str, object]]) -> str:
    out = ["---"]
    for k, v in items:
        if isinstance(v, Raw):
            out.append(f"{k}: {v}")
        elif isinstance(v, bool):
            out.append(f"{k}: {'true' if v else 'false'}")
        elif isinstance(v, int):
            out.append(f"{k}: {v}")
        elif isinstance(v, str):
            out.append(f"{k}: {yq(v)}")
        elif isinstance(v, list):
            if not v:
                out.append(f"{k}: []")
                continue
            out.append(f"{k}:")
            for it in v:
                if isinstance(it, str):
                    out.append(f"  - {yq(it)}")
                elif isinstance(it, dict):
                    first = True
                    for kk, vv in it.items():
                        pre = "  - " if first else "    "
                        first = False
                        if isinstance(vv, list):
                            out.append(f"{pre}{kk}:")
                            for x in vv:
                                out.append(f"      - {yq(x)}")
                        elif isinstance(vv, int):
                            out.append(f"{pre}{kk}: {vv}")
                        else:
                            out.append(f"{pre}{kk}: {yq(vv)}")
        else:
            raise TypeError(k)
    out.append("---")
    return "\n".join(out) + "\n"


def body_text(lines: list[str], notes: dict[int, Note], extra_blocks: list[str] | None = None) -> str:
    blocks = paragraphs(lines)
    if extra_blocks:
        blocks += extra_blocks
    text = render_blocks(blocks)
    text, defs = finish_notes(text, notes)
    if defs:
        text += "\n\n" + "\n".join(defs)
    return text + "\n"


def editorial_board(front: list[str]) -> tuple[str, list[dict]]:
    """BAN CHỈ ĐẠO BIÊN SOẠN: upper-case name lines, each followed by its lines."""
    title = ""
    members: list[dict] = []
    for s in front:
        if not title and is_upper_line(s):
            title = s
            continue
        if is_upper_line(s):
            members.append({"name": s, "lines": []})
        elif members:
            members[-1]["lines"].append(s)
    return title, members


def toc_entries(toc: list[str]) -> tuple[dict[int, str], list[str]]:
    """Question titles and section titles as the table of contents prints them
    (used only for checks and for the sentence-case section titles)."""
    joined: list[str] = []
    for s in toc:
        if re.match(r"^(Câu hỏi \d+:|Phần thứ|I+- |Lời nói đầu|GS\.|Trang$)", s) or not joined:
            joined.append(s)
        else:
            joined[-1] = join_two(joined[-1], s)
    qs: dict[int, str] = {}
    secs: list[str] = []
    for e in joined:
        e2 = re.sub(r"\s+\d+\s*$", "", e).strip()
        m = QUESTION_START.match(e2)
        if m:
            qs[int(m.group(1))] = re.sub(r"\s+", " ", m.group(2)).strip()
        m = re.match(r"^I+- (.*)$", e2)
        if m:
            secs.append(re.sub(r"\s+", " ", m.group(1)).strip())
    return qs, secs


def convert(source: str, outdir: str) -> list[str]:
    with open(source, encoding="utf-8") as f:
        raw = f.readlines()
    p = parse(raw)
    docs = split_docs(p)
    warnings = list(p.warnings)
    toc_q, toc_secs = toc_entries(p.toc)
    os.makedirs(outdir, exist_ok=True)

    def write(rel: str, content: str):
        path = os.path.join(outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(nfc(content))

    preface = next(d for d in docs if d.kind == "preface")
    speech = next(d for d in docs if d.kind == "speech")
    pref_text = join_lines(preface.lines)
    m = re.search(r"cuốn sách (Hỏi - đáp về .*? quốc gia)\.", strip_marks(pref_text))
    book_title = m.group(1) if m else "Hỏi - đáp về Nghị quyết số 57-NQ/TW"
    publisher = "Nhà xuất bản Chính trị quốc gia Sự thật"
    if publisher not in pref_text:
        warnings.append("publisher name not found in the preface")
    # part titles in sentence case: the preface's list "Phần thứ nhất: ...".
    part_titles = {}
    for pm in re.finditer(r"Phần thứ (nhất|hai|ba): (.*?)\.(?= Phần thứ| Trân trọng|$)", strip_marks(pref_text)):
        part_titles[PART_NUM[pm.group(1)]] = pm.group(2)

    # book index
    board_title, board = editorial_board(p.front)
    fm = [("title", book_title), ("type", "book"), ("short_title", "Hỏi - đáp về Nghị quyết số 57-NQ/TW"),
          ("publisher", publisher), ("month", preface.meta.get("month", "")), ("weight", 0)]
    if board:
        fm.append(("editorial_board_title", board_title))
        fm.append(("editorial_board", board))
    write("_index.md", front_matter(fm))

    # preface
    sign = []
    if preface.meta.get("month"):
        sign.append(preface.meta["month"])
    if preface.meta.get("signed"):
        sign.append("\\\n".join(preface.meta["signed"]))
    write("loi-noi-dau.md",
          front_matter([("title", "Lời nói đầu"), ("type", "preface"),
                        ("month", preface.meta.get("month", "")),
                        ("signed", preface.meta.get("signed", [])), ("weight", 1)])
          + "\n" + body_text(preface.lines, p.notes, sign))

    # speech: the title note ("*") goes to front matter
    title_raw = join_lines(speech.header)
    title_note = ""
    mm = re.search(MARK + r"(\d+)" + MARK, title_raw)
    if mm:
        title_note = p.notes[int(mm.group(1))].text
    sp_title = strip_marks(title_raw)
    toc_sp = ""
    toc_joined = " ".join(p.toc)
    ts = re.search(r"(Nghị quyết số 57-NQ/TW đã tháo gỡ.*?chuyển đổi số)\s+\d+", toc_joined)
    if ts:
        toc_sp = re.sub(r"\s+", " ", ts.group(1))
    dm = re.search(r"ngày (\d{2})/(\d{2})/(\d{4})", title_note)
    fm = [("title", sp_title), ("type", "speech")]
    if toc_sp:
        fm.append(("toc_title", toc_sp))
    fm += [("author", speech.meta.get("author", "")),
           ("author_title", " ".join(speech.meta.get("author_title", [])))]
    if dm:
        fm.append(("date", Raw(f"{dm.group(3)}-{dm.group(2)}-{dm.group(1)}")))
    if title_note:
        fm.append(("title_note", title_note))
    fm.append(("weight", 2))
    write("phat-bieu.md", front_matter(fm)
          + "\n" + body_text(speech.lines, p.notes))

    # parts and sections
    sections: dict[int, list[dict]] = {}
    for d in docs:
        if d.kind == "section":
            t = toc_secs[d.section - 1] if len(toc_secs) >= d.section else join_lines(d.header)
            t = re.sub(r"^I+- ", "", t)
            sections.setdefault(d.part, []).append({"number": d.section, "title": t,
                                                     "heading": join_lines(d.header)})
    for d in docs:
        if d.kind == "part":
            heading = join_lines(d.header)
            fm = [("title", part_titles.get(d.part, heading)), ("type", "part"), ("part", d.part),
                  ("label", "Phần thứ " + {1: "nhất", 2: "hai", 3: "ba"}[d.part]),
                  ("heading", heading), ("weight", d.part)]
            if d.part in sections:
                fm.append(("sections", sections[d.part]))
            body = body_text(d.lines, p.notes) if d.lines else ""
            write(f"phan-{d.part}/_index.md", front_matter(fm) + ("\n" + body if body.strip() else ""))

    # questions
    for d in docs:
        if d.kind != "question":
            continue
        head = join_lines(d.header)
        m = QUESTION_START.match(head)
        q_text = m.group(2).strip()
        hid = re.search(MARK + r"(\d+)" + MARK, q_text)
        if hid:
            warnings.append(f"question {d.number}: note marker in the question text")
        q_text = strip_marks(q_text)
        if d.number in toc_q and re.sub(r"\s+", " ", toc_q[d.number]) != q_text:
            warnings.append(f"question {d.number}: title differs from TOC:\n  body: {q_text}\n  toc:  {toc_q[d.number]}")
        fm = [("title", f"Câu hỏi {d.number}: {q_text}"), ("type", "question"), ("number", d.number),
              ("part", d.part)]
        if d.part == 2:
            fm.append(("section", d.section))
        fm += [("question", q_text), ("weight", d.number)]
        if not d.lines:
            warnings.append(f"question {d.number}: empty answer")
        write(f"phan-{d.part}/cau-{d.number:02d}.md", front_matter(fm) + "\n" + body_text(d.lines, p.notes))
    unused = [n for n in p.notes.values() if not n.used]
    for n in unused:
        warnings.append(f"note {n.label} (source page {n.page}) was not attached: {n.text[:60]!r}")
    return warnings


def main(argv: list[str]) -> int:
    args = argv[1:]
    if len(args) != 2:
        print(__doc__.splitlines()[3], file=sys.stderr)
        return 2
    source, outdir = args
    warnings = convert(source, outdir)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print("Check the result against the source with scripts/fidelity.py (it compares content/hoi-dap/**).",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
