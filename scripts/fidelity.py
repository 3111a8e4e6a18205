#!/usr/bin/env python3
"""Fidelity check of content/ against the read-only source documents.

Usage:
    python3 scripts/fidelity.py [--check] [--verbose] [--content DIR] [--seeds DIR]

For every source document in ../shared/seeds/ it prints how many of the
source's words are found, in order, in its Markdown version, the share, and
how many content words are NOT found in the source ("inserted", should be ~0).
Standard library only (Python 3.11).

    000 -> content/huong-dan/tinh-uy.md         words, in order   >= 99 %
    001 -> content/huong-dan/binh-phuoc.md      words, in order   >= 99 %
    002 -> content/infographic.md               words, in order   >= 99 %
    003 -> content/hoi-dap/**                   words, in order   >= 99 %
    004 -> content/huong-dan/quang-yen.md       diacritic-folded; characters >= 0.85
    nghi-quyet/** quotations of 000 (and 002)   100 % of quotations found verbatim

--check   exit status 1 if any document is below its threshold; one verdict line
          per document.
--verbose the first 20 unmatched source spans of each document (source line
          number, a few words of context, and what the content has there), the
          first inserted content spans (file:line), and every quotation that
          was not found with the point where it stops matching.

How words are compared
----------------------
A "word" is a whitespace-separated token, NFC-normalised, lower-cased, with
punctuation stripped from its edges ("“Khoán", "10”." -> "khoán", "10"); tokens
that are only punctuation ("-", "–", "|") are dropped.  A foot-note marker glued
to a word is removed on both sides in the same way ("ASEAN1." in the PDF dump
and "ASEAN[^1]." in Markdown both become "asean"; "chúng”1." -> "chúng";
"năm 20251." (year + marker) -> "2025"): a single trailing digit 1-9 glued to a
letter, to a closing quote/bracket or to punctuation after a non-digit is cut.
The same rule runs on both sides, so "CO2"/"G7" still compare equal.
The in-order measure is the length of a longest common subsequence of the two
word-key lists, computed exactly with a bit-parallel LCS (lcs_blocks(); same
figure as an LCS table, far faster); above LCS_MAX_CELLS word pairs it falls
back to difflib.SequenceMatcher(None, a, b, autojunk=False).  The book is
compared question by question (chunks cut at "Câu hỏi N:" on both sides, paired
by number).  The whole run takes about a second.

Source side (PDF artefacts removed): lines are NFC'd and joined with the book
converter's join_two() (a hyphen glued to the end of a line is a break inside
one token: "57-" + "NQ/TW" -> "57-NQ/TW"); page-number lines, "-----" rules,
bare URL lines (the repeated hyperlink lines of the dump), the "____" foot-note
separators and, in the book, the table of contents ("MỤC LỤC" to the end) and
the "Trả lời:" labels (the question template prints them) are dropped; the
stray glyphs listed in qa_book.ARTEFACT_CHARS are cleaned and the book's drop
capital ("H" printed on a line of its own) is put back in front of "iện nay".
002 is itself Markdown; its Markdown syntax is stripped like the content's.

Content side (Markdown syntax stripped): front matter, "#" heading markers,
"{#id}" heading ids, **/*/~~ emphasis, "- "/"+ "/"* " list markers, ">"
quote markers, links "[text](dest)" -> text (also "![alt](src)" and
"<https://...>"), HTML tags, backslash escapes and hard breaks, foot-note
markers "[^n]" and the labels "[^n]:" of foot-note definitions.  Ordered-list
numbers ("1.", "1.1.") are kept: the sources print them.  Front matter counts
only where it carries source text:
  * every document: its title (it is the source's heading);
  * guidances: issuer, number, place, date_text and signer (the letterhead
    and signature; signer only when the body does not already print the name),
    and, for a guidance not restored from a scan, the passages of `notes` in
    curly quotes “...” (they quote what the source prints, e.g. binh-phuoc's
    blank "Số -HD/BTGTU", "ĐẢNG CỘNG SẢN VIỆT NAM", "Bình Phước, ngày tháng
    01 năm 2025"); the rest of `notes` is editorial and ignored.  These fields
    are matched as whole phrases, in any order, among the source words left
    unmatched before the first / after the last in-order match (the letterhead
    and signature zones; see Alignment.add_loose): a letterhead is a layout of
    boxes whose order the fields do not follow.  A field found nowhere there
    is reported as inserted front matter (e.g. tinh-uy's issuer "Ban Tuyên giáo
    Tỉnh uỷ", which the source does not print as a letterhead);
  * the book (hoi-dap/_index.md): editorial_board_title and the names and lines
    of editorial_board (the dump prints them before the preface); its `title`
    is NOT counted: it is taken from a sentence of the preface, the dump prints
    no title page;
  * parts: `label` and `heading` (the heading as printed); the sentence-case
    `title` is derived from the preface's list and is not counted; part 2's
    `sections[].heading` is counted before the first question of its section;
  * questions: `title` ("Câu hỏi N: ..."); the speech: title, author,
    author_title, and `title_note` as a foot-note (it is the "*" note).
Inserted words are reported split by origin: front matter vs body.

The book's foot-notes
---------------------
The PDF prints foot-notes at the foot of each page; the Markdown moved them to
the end of each question and renumbered them per question.  Compared as one
stream, every moved note would count as dropped.  So the book is compared as
two streams: the running text (all text outside the note areas, in order)
against the content bodies without definitions, and the foot-note text (note
areas in page order, note numbers "1." / "*" removed) against the definitions
in file order (the speech's title_note first).  The reported figure is
(matched text + matched notes) / (text words + note words).

004 (OCR without diacritics)
----------------------------
Both sides are folded: NFD, combining marks removed, đ -> d, lower-case, and
only letters and digits kept in a word.  The word share is reported, but OCR
misreadings ("nhén thic" for "nhận thức") make it low, so the pass criterion
is the character-level similarity: difflib's ratio 2*M/(len(a)+len(b)) on the
folded texts (words joined by single spaces; the letterhead fields first, then
title and body), where M is computed inside the word alignment: matched word
blocks of >= CHAR_ANCHOR_WORDS words count fully, the stretches between them
are compared character by character with SequenceMatcher (one character
SequenceMatcher over the whole 16,000-character texts takes ~10 s).
Threshold 0.85 (FOLDED_CHAR_THRESHOLD).  With --verbose, 004 lists the
stretches of >= OCR_MIN_CHARS folded characters that the character comparison
could not match (single misread words are not listed: there are hundreds).

Quotations (content/nghi-quyet/**)
----------------------------------
Every target's `source_text`, every block (paragraph or list item) of the
viewpoint and task bodies and of muc-tieu/_index.md must occur verbatim in 000;
every block of to-chuc-thuc-hien.md and of nghi-quyet/_index.md in 002.
"Verbatim" = character substring after NFC, Markdown stripping, whitespace
collapsing and the hyphen-aware line joining of the source.
"""
from __future__ import annotations

import argparse
import bisect
import difflib
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qa_book as qb  # noqa: E402  (reused: join_two, clean_chars, page/URL/separator rules)

# --------------------------------------------------------------------------
# Thresholds (module constants; see the docstring).
WORD_THRESHOLD = 0.99          # 000, 001, 002, 003: share of source words found in order
FOLDED_CHAR_THRESHOLD = 0.85   # 004: character similarity of the diacritic-folded texts
QUOTE_THRESHOLD = 1.0          # nghi-quyet: share of quotations found verbatim (all of them)
CHAR_ANCHOR_WORDS = 12         # 004: word blocks this long anchor the character comparison
OCR_MIN_CHARS = 12             # 004 --verbose: unmatched folded stretches this long are shown
OCR_VERBOSE_ANCHOR = 3         # 004 --verbose: finer anchors, so repeated phrases are not cross-paired
LCS_MAX_CELLS = 40_000_000     # exact LCS up to this many word pairs, else SequenceMatcher
VERBOSE_SPANS = 20             # unmatched spans printed per document with --verbose
CONTEXT_WORDS = 4              # words of context either side of a span

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_CONTENT = os.path.join(ROOT, "content")
DEFAULT_SEEDS = os.path.normpath(os.path.join(ROOT, "..", "shared", "seeds"))

SEED = {
    "000": "000_fdf01c882f3e8120.txt",
    "001": "001_b90b438534ac00cd.txt",
    "002": "002_1577c55bac7e65d2.txt",
    "003": "003_94f6ecfe059fc2b6.txt",
    "004": "004_de24966907debdd2.txt",
}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------
# Word keys

EDGE = re.compile(r"^[\W_]+|[\W_]+$")
# a foot-note marker digit glued to a word (same cases as qa_book.MARKER_RE)
MARKER_TAIL = re.compile(r"^(.*(?:[^\W\d_]|\S[”\"’)\]]|[^\d\s][.,;:%]))[1-9]$")
YEAR_MARKER = re.compile(r"^((?:19|20)\d\d)[1-9]$")


def word_key(tok: str) -> str:
    """Comparison key of one whitespace token ('' = not a word)."""
    t = EDGE.sub("", nfc(tok).lower())
    m = MARKER_TAIL.match(t) or YEAR_MARKER.match(t)
    if m:
        t = EDGE.sub("", m.group(1))
    return t


def fold(s: str) -> str:
    """Diacritic folding: NFD, combining marks removed, đ -> d, lower-case."""
    s = unicodedata.normalize("NFD", s.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c))


def fold_key(tok: str) -> str:
    """Folded key: letters and digits only."""
    return "".join(c for c in fold(tok) if c.isalnum())


@dataclass
class Tok:
    key: str
    text: str      # the token as written (for display)
    where: str     # "line 123" (source) or "file.md:12" (content)
    origin: str = "body"   # content side: "body" | "front" (front matter)


def tokenize(text: str, where_of, keyf=word_key, origin="body") -> list[Tok]:
    """Tokens of text; where_of(offset) -> location label."""
    out = []
    for m in re.finditer(r"\S+", text):
        k = keyf(m.group())
        if k:
            out.append(Tok(k, m.group(), where_of(m.start()), origin))
    return out


class Joined:
    """Lines joined into one text with an offset -> line-number map."""

    def __init__(self):
        self.text = ""
        self.starts: list[int] = []
        self.nos: list[int] = []

    def add(self, line: str, no: int):
        before = self.text
        self.text = qb.join_two(self.text, line)
        # the new line's text starts where the joined text grew from
        start = len(before.rstrip())
        if self.text[start:start + 1] == " ":
            start += 1
        self.starts.append(start)
        self.nos.append(no)

    def where(self, prefix=""):
        def f(off: int) -> str:
            i = bisect.bisect_right(self.starts, off) - 1
            return f"{prefix}line {self.nos[max(i, 0)]}" if self.nos else prefix
        return f


# --------------------------------------------------------------------------
# Markdown stripping

LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
REF_LINK = re.compile(r"\[([^\[\]^][^\[\]]*)\]\[[^\[\]]*\]")
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:\s?")
AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
HEADING = re.compile(r"^\s{0,3}#{1,6}(\s+|$)")
HEADING_ID = re.compile(r"\s*\{#[^}]*\}\s*$")
HEADING_CLOSE = re.compile(r"\s+#+\s*$")
LIST_MARK = re.compile(r"^(\s*)[-+*](\s+)")
QUOTE_MARK = re.compile(r"^\s*>\s?")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def strip_inline(s: str) -> str:
    s = FOOTNOTE_REF.sub("", s)
    prev = None
    while prev != s:          # nested link text
        prev = s
        s = LINK.sub(r"\1", s)
    s = REF_LINK.sub(r"\1", s)
    s = AUTOLINK.sub(r"\1", s)
    s = HTML_TAG.sub("", s)
    s = s.replace("**", "").replace("~~", "").replace("`", "")
    s = re.sub(r"(?<!\\)\*", "", s)
    s = re.sub(r"\\$", "", s)          # hard line break
    s = ESCAPE.sub(r"\1", s)
    return s


def strip_line(line: str) -> str:
    """Markdown syntax of one line removed (block markers and inline)."""
    s = line.rstrip("\n")
    if HEADING.match(s):
        s = HEADING.sub("", s)
        s = HEADING_ID.sub("", s)
        s = HEADING_CLOSE.sub("", s)
    s = QUOTE_MARK.sub("", s) if s.lstrip().startswith(">") else s
    s = LIST_MARK.sub(r"\1", s)
    return strip_inline(s)


def split_front_matter(text: str) -> tuple[list[str], list[str], int]:
    """(front-matter lines, body lines, line number of the first body line)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return lines[1:i], lines[i + 1:], i + 2
    return [], lines, 1


def yaml_scalar(v: str):
    """A YAML scalar as written on one line: "double" (JSON-decoded), 'single',
    null/~, or plain (comment cut)."""
    v = v.strip()
    if v.startswith('"'):
        end = len(v) - 1
        while end > 0 and v[end] != '"':
            end -= 1
        raw = v[:end + 1]
        try:
            return json.loads(raw)
        except ValueError:
            return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if v.startswith("'"):
        return v[1:v.rfind("'")].replace("''", "'")
    v = re.sub(r"\s+#.*$", "", v)
    if v in ("", "null", "~", "Null", "NULL"):
        return None
    return v


def parse_front(fm: list[str]) -> dict:
    """Top-level scalar fields; nested blocks are kept as their raw lines
    under the key (see block_values)."""
    d: dict = {}
    key = None
    for line in fm:
        m = re.match(r"^([A-Za-z_][\w-]*):(?:\s+(.*))?$", line)
        if m and not line[:1].isspace():
            key = m.group(1)
            val = m.group(2)
            if val is None or val.strip() == "":
                d[key] = []          # a nested block follows
            else:
                d[key] = yaml_scalar(val)
        elif key is not None and isinstance(d.get(key), list):
            d[key].append(line)
    return d


def block_values(lines, only_key: str | None = None) -> list[str]:
    """Scalar values of a nested block in order ('- "x"', 'name: "x"');
    only_key restricts to 'only_key: value' items."""
    out = []
    for line in lines or []:
        m = re.match(r"^\s*(?:-\s+)?(?:([A-Za-z_][\w-]*):\s*)?(.*)$", line)
        k, v = m.group(1), m.group(2)
        if only_key is not None and k != only_key:
            continue
        if not v.strip():
            continue
        val = yaml_scalar(v)
        if isinstance(val, str):
            out.append(val)
    return out


def curly_quotes(s: str | None) -> list[str]:
    return re.findall(r"“([^”]*)”", s or "")


@dataclass
class ContentDoc:
    path: str
    rel: str
    front: dict
    body: list[tuple[int, str]]            # (line number, stripped text), no definitions
    notes: list[tuple[int, str]]           # foot-note definitions, label removed


def read_content(path: str, rel: str) -> ContentDoc:
    with open(path, encoding="utf-8") as f:
        text = nfc(f.read())
    fm, body, first = split_front_matter(text)
    front = parse_front(fm)
    out: list[tuple[int, str]] = []
    notes: list[tuple[int, str]] = []
    in_def = False
    for i, line in enumerate(body):
        no = first + i
        if FOOTNOTE_DEF.match(line):
            notes.append((no, strip_inline(FOOTNOTE_DEF.sub("", line))))
            in_def = True
            continue
        if in_def and (line.startswith("    ") or line.startswith("\t")):
            notes.append((no, strip_inline(line.strip())))
            continue
        in_def = False if line.strip() else in_def
        out.append((no, strip_line(line)))
    return ContentDoc(path, rel, front, out, notes)


def content_tokens(rel: str, items: list[tuple[str, str]], keyf=word_key) -> list[Tok]:
    """items: (text, location or 'front:<field>'); lines are tokenised apart."""
    toks: list[Tok] = []
    for text, loc in items:
        if not text:
            continue
        origin = "front" if loc.startswith("front") else "body"
        toks += tokenize(text, lambda _o, loc=loc: f"{rel}:{loc}", keyf, origin)
    return toks


def body_items(doc: ContentDoc) -> list[tuple[str, str]]:
    return [(t, str(no)) for no, t in doc.body]


def note_items(doc: ContentDoc) -> list[tuple[str, str]]:
    return [(t, str(no)) for no, t in doc.notes]


def fm_item(doc: ContentDoc, key: str) -> list[tuple[str, str]]:
    v = doc.front.get(key)
    return [(v, f"front:{key}")] if isinstance(v, str) and v else []


def guidance_tokens(doc: ContentDoc, keyf=word_key) -> tuple[list[Tok], list[list[Tok]]]:
    """(in-order tokens: title, body, foot-notes; letterhead phrases: issuer,
    number, place, date_text, quoted passages of notes, signer).  The
    letterhead phrases are matched as whole phrases anywhere in the source
    words the in-order alignment left over (see Alignment.add_loose): a
    letterhead is a layout of separate boxes whose order the front-matter
    fields do not follow."""
    items = []
    for k in ("issuer", "number", "place", "date_text"):
        items += fm_item(doc, k)
    if doc.front.get("restored_from_scan") not in ("true", True):
        items += [(q, "front:notes") for q in curly_quotes(doc.front.get("notes"))]
    signer = doc.front.get("signer")
    if isinstance(signer, str) and signer:
        body_keys = " " + " ".join(keyf(w) for _, t in doc.body for w in t.split()) + " "
        sk = " " + " ".join(keyf(w) for w in signer.split()) + " "
        if sk not in body_keys:
            items.append((signer, "front:signer"))
    loose = [content_tokens(doc.rel, [it], keyf) for it in items]
    ordered = content_tokens(doc.rel, fm_item(doc, "title") + body_items(doc) + note_items(doc), keyf)
    return ordered, [p for p in loose if p]


def page_tokens(doc: ContentDoc, keyf=word_key) -> list[Tok]:
    items = fm_item(doc, "title") + body_items(doc) + note_items(doc)
    return content_tokens(doc.rel, items, keyf)


# --------------------------------------------------------------------------
# Sources

RULE = re.compile(r"^\s*-{3,}\s*$")


def read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [qb.clean_chars(nfc(l.rstrip("\n"))) for l in f]


def source_plain(path: str, markdown: bool = False) -> Joined:
    """A guidance (or 002): lines joined, PDF artefacts dropped."""
    j = Joined()
    for no, l in enumerate(read_lines(path), 1):
        s = l.strip()
        if not s or RULE.match(s) or qb.is_page_number(l) or qb.BARE_URL.match(s):
            continue
        if markdown:
            s = strip_line(s).strip()
            if not s:
                continue
        j.add(s, no)
    return j


def source_tokens(path: str, keyf=word_key, markdown=False) -> list[Tok]:
    j = source_plain(path, markdown)
    return tokenize(j.text, j.where(), keyf)


def book_source(path: str) -> tuple[list[Tok], list[Tok]]:
    """The book: (running-text tokens, foot-note tokens).  Front (editorial
    board) .. before MỤC LỤC; the page / note geometry rules of qa_book."""
    raw = read_lines(path)
    start = next(i for i, l in enumerate(raw) if l.strip() == "LỜI NÓI ĐẦU")
    end = next((i for i, l in enumerate(raw) if l.strip() == "MỤC LỤC" and i > start), len(raw))
    text: list[tuple[int, str]] = []
    notes = Joined()
    in_notes = False
    drop_cap = None
    for i in range(0, end):
        l = raw[i]
        s = l.strip()
        if not s:
            continue
        if i >= start and (qb.is_page_number(l) or l.startswith(" ")):
            in_notes = False
        if qb.is_page_number(l):
            continue
        if qb.SEPARATOR.match(s):
            in_notes = True
            continue
        if in_notes:
            s = re.sub(r"^(\d{1,2}\.|\*)\s+", "", s)   # the note's number
            notes.add(s, i + 1)
            continue
        if qb.BARE_URL.match(s) or s == "Trả lời:":
            continue
        if len(s) == 1 and s.isupper() and i >= start:
            drop_cap = s                                 # drop capital, see below
            continue
        text.append((i + 1, s))
    if drop_cap:
        # the drop capital belongs to the first line after the last heading
        # before it that starts in lower case ("H" + "iện nay")
        for k, (no, s) in enumerate(text):
            if s[:1].islower():
                text[k] = (no, drop_cap + s)
                break
    j = Joined()
    for no, s in text:
        j.add(s, no)
    return tokenize(j.text, j.where()), tokenize(notes.text, notes.where())


def book_content(book_dir: str) -> tuple[list[Tok], list[Tok]]:
    """The book's content: (running-text tokens, foot-note tokens), file order:
    _index, preface, speech, then each part's _index and questions by number."""
    files = ["_index.md", "loi-noi-dau.md", "phat-bieu.md"]
    for part in sorted(d for d in os.listdir(book_dir) if re.match(r"^phan-\d+$", d)
                       and os.path.isdir(os.path.join(book_dir, d))):
        pdir = os.path.join(book_dir, part)
        files.append(f"{part}/_index.md")
        qs = [f for f in os.listdir(pdir) if re.match(r"^cau-\d+\.md$", f)]
        files += [f"{part}/{f}" for f in sorted(qs, key=lambda f: int(re.findall(r"\d+", f)[0]))]
    files.sort(key=lambda r: (int(re.search(r"phan-(\d+)", r).group(1)) if "phan-" in r else 0))
    text: list[Tok] = []
    notes: list[Tok] = []
    sec_headings: list[str] = []
    cur_section = 0
    for rel in files:
        path = os.path.join(book_dir, rel)
        if not os.path.exists(path):
            continue
        doc = read_content(path, "hoi-dap/" + rel)
        f = doc.front
        typ = f.get("type")
        pre: list[tuple[str, str]] = []
        pre_notes: list[tuple[str, str]] = []
        if typ == "book":
            pre += fm_item(doc, "editorial_board_title")
            pre += [(v, "front:editorial_board") for v in block_values(f.get("editorial_board"))]
        elif typ == "speech":
            pre = fm_item(doc, "title") + fm_item(doc, "author") + fm_item(doc, "author_title")
            pre_notes = fm_item(doc, "title_note")
        elif typ == "part":
            pre = fm_item(doc, "label") + fm_item(doc, "heading")
            sec_headings = block_values(f.get("sections"), "heading")
            cur_section = 0
        elif typ == "question":
            sec = f.get("section")
            sec = int(sec) if isinstance(sec, str) and sec.isdigit() else 0
            if sec and sec != cur_section and sec <= len(sec_headings):
                pre.append((sec_headings[sec - 1], "front:sections"))
                cur_section = sec
            pre += fm_item(doc, "title")
        else:
            pre = fm_item(doc, "title")
        text += content_tokens(doc.rel, pre + body_items(doc))
        notes += content_tokens(doc.rel, pre_notes + note_items(doc))
    return text, notes


# --------------------------------------------------------------------------
# Comparison

@dataclass
class Span:
    a0: int
    a1: int
    b0: int
    b1: int


@dataclass
class Alignment:
    a: list[Tok]
    b: list[Tok]
    blocks: list[tuple[int, int, int]]   # (i, j, size), matching blocks of a and b
    loose: list[list[Tok]] = field(default_factory=list)     # letterhead phrases
    loose_hits: list[tuple[int, int]] = field(default_factory=list)  # (phrase index, start in a)

    @property
    def matched(self) -> int:
        return sum(n for _, _, n in self.blocks) + sum(len(self.loose[k]) for k, _ in self.loose_hits)

    def matched_a(self) -> set[int]:
        used = set()
        for i, _, n in self.blocks:
            used.update(range(i, i + n))
        for k, st in self.loose_hits:
            used.update(range(st, st + len(self.loose[k])))
        return used

    def unmatched_b(self) -> list[Tok]:
        used = set()
        for _, j, n in self.blocks:
            used.update(range(j, j + n))
        out = [t for k, t in enumerate(self.b) if k not in used]
        hit = {k for k, _ in self.loose_hits}
        for k, ph in enumerate(self.loose):
            if k not in hit:
                out += ph
        return out

    def add_loose(self, phrases: list[list[Tok]]):
        """Match each phrase (longest first) as a contiguous run of keys
        among the source words left unmatched BEFORE the first or AFTER the
        last in-order match (the letterhead and signature zones, so that a
        front-matter field cannot hide words dropped from the body); a phrase
        found nowhere counts as inserted front matter."""
        self.loose = phrases
        used = self.matched_a()
        keys = [t.key for t in self.a]
        first = min((i for i, _, _ in self.blocks), default=len(keys))
        last = max((i + n for i, _, n in self.blocks), default=len(keys))
        for k in sorted(range(len(phrases)), key=lambda k: -len(phrases[k])):
            pk = [t.key for t in phrases[k]]
            n = len(pk)
            for st in range(0, len(keys) - n + 1):
                if not (st + n <= first or st >= last):
                    continue
                if keys[st:st + n] == pk and not any(x in used for x in range(st, st + n)):
                    self.loose_hits.append((k, st))
                    used.update(range(st, st + n))
                    break

    def gaps(self) -> list[Span]:
        """Unmatched runs of a, each with the b region between the same blocks;
        and unmatched runs of b (a0 == a1)."""
        out = []
        used = self.matched_a()
        i = j = 0
        for bi, bj, n in self.blocks + [(len(self.a), len(self.b), 0)]:
            runs = []
            k = i
            while k < bi:
                if k in used:
                    k += 1
                    continue
                st = k
                while k < bi and k not in used:
                    k += 1
                runs.append((st, k))
            if not runs and bj > j:
                out.append(Span(i, i, j, bj))
            for r, (st, en) in enumerate(runs):
                # the whole b region goes with the first run
                out.append(Span(st, en, j if r == 0 else bj, bj))
            i, j = bi + n, bj + n
        return out


def _chunks(toks: list[Tok]) -> list[int]:
    """Cut points at "Câu hỏi N" (question headings) for the book."""
    cuts = [0]
    for k in range(len(toks) - 2):
        if toks[k].key == "câu" and toks[k + 1].key == "hỏi" and toks[k + 2].key.isdigit() \
                and toks[k + 2].text.endswith(":"):
            cuts.append(k)
    return cuts


def align(a: list[Tok], b: list[Tok], chunk: bool = False) -> Alignment:
    """Matching blocks of the key sequences.  chunk=True: cut both sides at
    "Câu hỏi N:" headings and align chunks with the same question number
    (falls back to one alignment when the headings do not pair up)."""
    if chunk:
        ca, cb = _chunks(a), _chunks(b)
        na = [a[c + 2].key if c else "" for c in ca]
        nb = [b[c + 2].key if c else "" for c in cb]
        if na == nb and len(ca) > 1:
            blocks = []
            ea, eb = ca[1:] + [len(a)], cb[1:] + [len(b)]
            for a0, a1, b0, b1 in zip(ca, ea, cb, eb):
                sub = align(a[a0:a1], b[b0:b1]).blocks
                blocks += [(i + a0, j + b0, n) for i, j, n in sub]
            return Alignment(a, b, blocks)
    ka, kb = [t.key for t in a], [t.key for t in b]
    if len(ka) * len(kb) <= LCS_MAX_CELLS:
        return Alignment(a, b, lcs_blocks(ka, kb))
    sm = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    return Alignment(a, b, [tuple(x) for x in sm.get_matching_blocks() if x.size])


def lcs_blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """A longest common subsequence of a and b as matching blocks (i, j, n).
    Bit-parallel LCS (Allison-Dix / Hyyrö): one big-integer row per word of a,
    bit j of row i is 0 where the DP row L[i][.] steps up, so
    L[i][j] = j - popcount(row_i & (2**j - 1)); the traceback reads L from the
    stored rows.  Exact, unlike SequenceMatcher's greedy longest-block-first
    matching (which on OCR text can pair a phrase of the title with the same
    phrase in the next paragraph)."""
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


def _char_segments(al: Alignment, anchor: int):
    """(a0, a1, b0, b1, same): anchors (word blocks of >= anchor words) and
    the stretches between them, in order."""
    anchors = [blk for blk in al.blocks if blk[2] >= anchor]
    i = j = 0
    for bi, bj, n in anchors + [(len(al.a), len(al.b), 0)]:
        yield i, bi, j, bj, False
        if n:
            yield bi, bi + n, bj, bj + n, True
        i, j = bi + n, bj + n


def char_similarity(al: Alignment, anchor: int = CHAR_ANCHOR_WORDS) -> tuple[float, int, int, int]:
    """difflib-style ratio 2*M/(len a + len b) on the texts (keys joined by
    single spaces).  M is computed inside the word alignment: matching word
    blocks of at least `anchor` words are anchors and count fully; the text
    between two anchors is compared character by character (SequenceMatcher).
    Short word matches are not used as anchors: in OCR text they are often
    chance hits.  (On quang-yen.md: 0.936 over the LCS word alignment; one
    greedy character SequenceMatcher over the whole texts gives 0.920 in ~10 s,
    because it pairs a phrase of the title with the same phrase in the next
    paragraph.)"""
    m = la = lb = 0
    for a0, a1, b0, b1, same in _char_segments(al, anchor):
        # each non-empty segment is followed by one separating space
        sa = " ".join(t.key for t in al.a[a0:a1]) + " " if a1 > a0 else ""
        sb = " ".join(t.key for t in al.b[b0:b1]) + " " if b1 > b0 else ""
        la += len(sa)
        lb += len(sb)
        if same:
            m += len(sa)
        elif sa and sb:
            sm = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
            m += sum(x.size for x in sm.get_matching_blocks())
    la, lb, m = max(0, la - 1), max(0, lb - 1), max(0, min(m - 1, la - 1, lb - 1))
    return (2.0 * m / (la + lb) if la + lb else 1.0), m, la, lb


def char_missing(al: Alignment, min_chars: int = OCR_MIN_CHARS,
                 anchor: int = CHAR_ANCHOR_WORDS, side: str = "a") -> list[Span]:
    """Stretches of at least min_chars folded characters that the character
    comparison left unmatched (for --verbose on 004).  side="a": source
    stretches, as word spans of a with the content stretch of the same
    segment; side="b": content stretches (a0 == a1)."""
    out = []
    for a0, a1, b0, b1, same in _char_segments(al, anchor):
        if same:
            continue
        x0, x1, toks = (a0, a1, al.a) if side == "a" else (b0, b1, al.b)
        if x1 == x0:
            continue
        offs, pos = [], 0
        for t in toks[x0:x1]:
            offs.append(pos)
            pos += len(t.key) + 1
        sa = " ".join(t.key for t in al.a[a0:a1])
        sb = " ".join(t.key for t in al.b[b0:b1])
        mine = sa if side == "a" else sb
        holes, last = [], 0
        if sa and sb:
            for x in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_matching_blocks():
                at = x.a if side == "a" else x.b
                if at - last >= min_chars:
                    holes.append((last, at))
                last = at + x.size
        elif len(mine) >= min_chars:
            holes.append((0, len(mine)))
        for h0, h1 in holes:
            w0 = max(bisect.bisect_right(offs, h0) - 1, 0)
            w1 = bisect.bisect_left(offs, h1)
            if side == "a":
                out.append(Span(a0 + w0, a0 + w1, b0, b1))
            else:
                out.append(Span(a0, a0, b0 + w0, b0 + w1))
    return out


# --------------------------------------------------------------------------
# Quotations

def source_flat(path: str, markdown: bool = False) -> str:
    return re.sub(r"\s+", " ", source_plain(path, markdown).text).strip()


def quote_blocks(doc: ContentDoc) -> list[tuple[int, str]]:
    """Body blocks with Markdown stripped: a paragraph, a list item (with its
    continuation lines) or a heading each make one block."""
    blocks: list[tuple[int, list[str]]] = []
    new_block = True
    for no, line in doc.body:
        if not line.strip():
            new_block = True
            continue
        raw = _raw_line(doc, no)
        if new_block or LIST_MARK.match(raw) or HEADING.match(raw) or not blocks:
            blocks.append((no, [line.strip()]))
        else:
            blocks[-1][1].append(line.strip())
        new_block = bool(HEADING.match(raw))
    return [(no, " ".join(ls)) for no, ls in blocks]


_RAW_CACHE: dict[str, list[str]] = {}


def _raw_line(doc: ContentDoc, no: int) -> str:
    if doc.path not in _RAW_CACHE:
        with open(doc.path, encoding="utf-8") as f:
            _RAW_CACHE[doc.path] = nfc(f.read()).split("\n")
    lines = _RAW_CACHE[doc.path]
    return lines[no - 1] if 0 < no <= len(lines) else ""


@dataclass
class Quote:
    where: str
    text: str
    source: str
    found: bool
    stop: int = 0          # length of the longest prefix found
    source_next: str = ""  # what the source has after that prefix


def check_quote(q: str, src: str) -> tuple[bool, int, str]:
    q = re.sub(r"\s+", " ", q).strip()
    if not q or q in src:
        return True, len(q), ""
    lo, hi = 0, len(q)          # longest prefix that occurs (binary search)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if q[:mid] in src:
            lo = mid
        else:
            hi = mid - 1
    at = src.find(q[:lo]) if lo else -1
    nxt = src[at + lo: at + lo + 40] if at >= 0 else ""
    return False, lo, nxt


def collect_quotes(content: str, srcs: dict[str, str]) -> list[Quote]:
    nq = os.path.join(content, "nghi-quyet")
    out: list[Quote] = []

    def add(where, text, sid):
        found, stop, nxt = check_quote(text, srcs[sid])
        out.append(Quote(where, re.sub(r"\s+", " ", text).strip(), sid, found, stop, nxt))

    for dirpath, _, files in sorted(os.walk(nq)):
        for fn in sorted(files):
            if not fn.endswith(".md"):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, content)
            doc = read_content(path, rel)
            typ = doc.front.get("type")
            if typ == "target":
                st = doc.front.get("source_text")
                if isinstance(st, str) and st.strip():
                    add(f"{rel}: source_text", strip_inline(st), "000")
                else:
                    out.append(Quote(f"{rel}: source_text", "", "000", False, 0, "(missing)"))
            elif typ in ("viewpoint", "task", "targets"):
                for no, b in quote_blocks(doc):
                    add(f"{rel}:{no}", b, "000")
            elif rel.endswith("to-chuc-thuc-hien.md") or typ == "resolution":
                for no, b in quote_blocks(doc):
                    add(f"{rel}:{no}", b, "002")
    return out


# --------------------------------------------------------------------------
# Running the check

@dataclass
class Result:
    doc: str                 # "000 huong-dan/tinh-uy.md"
    metric: str              # "words" | "chars" | "quotes"
    source_words: int = 0
    matched: int = 0
    share: float = 0.0       # word share (or quotes found share)
    inserted: int = 0
    inserted_front: int = 0
    value: float = 0.0       # the value compared with the threshold
    threshold: float = 0.0
    extra: str = ""
    alignments: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    char_alignment: Alignment | None = None

    @property
    def passed(self) -> bool:
        return self.value >= self.threshold - 1e-12


def _result(name: str, als: list[Alignment]) -> Result:
    total = sum(len(al.a) for al in als)
    matched = sum(al.matched for al in als)
    ins = ins_front = 0
    for al in als:
        for t in al.unmatched_b():
            ins += 1
            ins_front += t.origin == "front"
    share = matched / total if total else 1.0
    return Result(name, "words", total, matched, share, ins, ins_front, share, WORD_THRESHOLD,
                  alignments=als)


def run(content: str = DEFAULT_CONTENT, seeds: str = DEFAULT_SEEDS) -> list[Result]:
    sp = {k: os.path.join(seeds, v) for k, v in SEED.items()}
    hd = os.path.join(content, "huong-dan")
    results = []
    for sid, fn in (("000", "tinh-uy.md"), ("001", "binh-phuoc.md")):
        doc = read_content(os.path.join(hd, fn), f"huong-dan/{fn}")
        ordered, loose = guidance_tokens(doc)
        al = align(source_tokens(sp[sid]), ordered)
        al.add_loose(loose)
        results.append(_result(f"{sid} huong-dan/{fn}", [al]))
    doc = read_content(os.path.join(content, "infographic.md"), "infographic.md")
    results.append(_result("002 infographic.md", [align(source_tokens(sp["002"], markdown=True), page_tokens(doc))]))
    # the book: running text and foot-notes compared apart (see docstring)
    a_text, a_notes = book_source(sp["003"])
    b_text, b_notes = book_content(os.path.join(content, "hoi-dap"))
    al_text = align(a_text, b_text, chunk=True)
    al_notes = align(a_notes, b_notes)
    r = _result("003 hoi-dap/**", [al_text, al_notes])
    r.extra = (f"running text {al_text.matched}/{len(a_text)} = {_pct(al_text.matched, len(a_text))}, "
               f"foot-notes {al_notes.matched}/{len(a_notes)} = {_pct(al_notes.matched, len(a_notes))}")
    results.append(r)
    # 004: folded
    doc = read_content(os.path.join(hd, "quang-yen.md"), "huong-dan/quang-yen.md")
    a = source_tokens(sp["004"], fold_key)
    ordered, loose = guidance_tokens(doc, fold_key)
    al = align(a, ordered)
    al.add_loose(loose)
    r = _result("004 huong-dan/quang-yen.md (folded)", [al])
    # characters: the letterhead phrases first, then the text, as one string
    r.char_alignment = align(a, [t for ph in loose for t in ph] + ordered)
    ratio, m, la, lb = char_similarity(r.char_alignment)
    r.metric, r.value, r.threshold = "chars", ratio, FOLDED_CHAR_THRESHOLD
    r.extra = f"character similarity {ratio:.3f} ({m} of {la} source / {lb} content chars)"
    results.append(r)
    # quotations
    srcs = {"000": source_flat(sp["000"]), "002": source_flat(sp["002"], markdown=True)}
    qs = collect_quotes(content, srcs)
    found = sum(q.found for q in qs)
    share = found / len(qs) if qs else 1.0
    results.append(Result("nghi-quyet/** quotations (000, 002)", "quotes", len(qs), found, share, 0, 0,
                          share, QUOTE_THRESHOLD, quotes=qs))
    return results


def inserted_runs(al: Alignment) -> list[tuple[list[Tok], int, int]]:
    """Runs of content words not matched: (token list, start, end)."""
    used = set()
    for _, j, n in al.blocks:
        used.update(range(j, j + n))
    out = []
    k = 0
    while k < len(al.b):
        if k in used:
            k += 1
            continue
        st = k
        while k < len(al.b) and k not in used:
            k += 1
        out.append((al.b, st, k))
    hit = {x for x, _ in al.loose_hits}
    out += [(ph, 0, len(ph)) for x, ph in enumerate(al.loose) if x not in hit]
    return out


def _pct(n, d) -> str:
    return f"{100.0 * n / d:.2f}%" if d else "-"


def _ctx(toks: list[Tok], i0: int, i1: int, limit: int = 30) -> str:
    mid = toks[i0:i1]
    shown = " ".join(t.text for t in mid[:limit]) + (f" …(+{len(mid) - limit} words)" if len(mid) > limit else "")
    before = " ".join(t.text for t in toks[max(0, i0 - CONTEXT_WORDS):i0])
    after = " ".join(t.text for t in toks[i1:i1 + CONTEXT_WORDS])
    return f"…{before} [[{shown}]] {after}…"


def report(results: list[Result], verbose: bool = False, check: bool = False, out=sys.stdout) -> int:
    p = lambda *x: print(*x, file=out)  # noqa: E731
    p(f"{'document':40} {'source':>7} {'matched':>7} {'share':>8} {'inserted':>9}")
    for r in results:
        if r.metric == "quotes":
            p(f"{r.doc:40} {r.source_words:7d} {r.matched:7d} {100 * r.share:7.2f}%   (quotations)")
            continue
        p(f"{r.doc:40} {r.source_words:7d} {r.matched:7d} {100 * r.share:7.2f}% {r.inserted:6d}"
          f" (front matter {r.inserted_front})")
        if r.extra:
            p(f"{'':40}   {r.extra}")
    if verbose:
        for r in results:
            p("")
            p(f"== {r.doc}")
            if r.metric == "quotes":
                bad = [q for q in r.quotes if not q.found]
                p(f"   {len(bad)} quotation(s) not found in {', '.join(sorted({q.source for q in r.quotes}))}")
                for q in bad:
                    p(f"   NOT FOUND {q.where} (source {q.source}): matches up to "
                      f"…{q.text[max(0, q.stop - 40):q.stop]}|| then quote has "
                      f"{q.text[q.stop:q.stop + 40]!r}, source has {q.source_next!r}")
                continue
            n = 0
            if r.metric == "chars":
                # OCR: a word-level gap is mostly a misread word; show the
                # stretches the character comparison could not match at all
                spans = [(r.char_alignment, g) for g in char_missing(r.char_alignment, anchor=OCR_VERBOSE_ANCHOR)]
                p(f"   (004: source stretches of >= {OCR_MIN_CHARS} folded characters left unmatched"
                  f" by the character comparison; single misread words are not listed)")
            else:
                spans = [(al, g) for al in r.alignments for g in al.gaps() if g.a1 > g.a0]
            for al, g in spans[:VERBOSE_SPANS]:
                n += 1
                content = " ".join(t.text for t in al.b[g.b0:g.b1][:15]) or "(nothing)"
                if g.b1 - g.b0 > 15:
                    content += f" …(+{g.b1 - g.b0 - 15} words)"
                where_b = al.b[g.b0].where if g.b1 > g.b0 else (al.b[g.b0 - 1].where if g.b0 else "")
                p(f"   missing {g.a1 - g.a0} word(s) at source {al.a[g.a0].where}: {_ctx(al.a, g.a0, g.a1)}")
                p(f"      content has there ({where_b}): {content}")
            if len(spans) > n:
                p(f"   … {len(spans) - n} more unmatched source span(s)")
            if r.metric == "chars":
                runs = [(r.char_alignment.b, g.b0, g.b1)
                        for g in char_missing(r.char_alignment, anchor=OCR_VERBOSE_ANCHOR, side="b")]
            else:
                runs = [run for al in r.alignments for run in inserted_runs(al)]
            for toks, i0, i1 in runs[:VERBOSE_SPANS]:
                p(f"   inserted {i1 - i0} word(s) at {toks[i0].where}: {_ctx(toks, i0, i1)}")
            if len(runs) > VERBOSE_SPANS:
                p(f"   … {len(runs) - VERBOSE_SPANS} more inserted span(s)")
    if check:
        p("")
        for r in results:
            what = {"words": "source words found in order",
                    "chars": "folded character similarity",
                    "quotes": "quotations found verbatim"}[r.metric]
            val = f"{r.value:.3f}" if r.metric == "chars" else f"{100 * r.value:.2f}%"
            thr = f"{r.threshold:.2f}" if r.metric == "chars" else f"{100 * r.threshold:.0f}%"
            p(f"{'PASS' if r.passed else 'FAIL'} {r.doc}: {what} {val} (threshold {thr})")
    return 0 if all(r.passed for r in results) else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a document is below its threshold")
    ap.add_argument("--verbose", action="store_true", help="print unmatched spans")
    ap.add_argument("--content", default=DEFAULT_CONTENT)
    ap.add_argument("--seeds", default=DEFAULT_SEEDS)
    args = ap.parse_args(argv)
    results = run(args.content, args.seeds)
    rc = report(results, args.verbose, args.check)
    return rc if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
