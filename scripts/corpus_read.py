"""Reading the corpus: content/ files and the sources in sources/.

One place for the rules every corpus script shares (fidelity.py,
restoration.py, untagged_targets.py, corpus_check.py):

  * paths: the repository, content/ and sources/ (the five source documents
    and the reviewed restoration of the OCR source 004);
  * Vietnamese text: NFC, diacritic folding;
  * Markdown stripping (front matter, headings, emphasis, links, typed
    references, list and quote markers, escapes) that keeps foot-note markers
    glued to the word they follow;
  * a small YAML reader for front matter (the subset the content uses), with
    the line of every field;
  * tokens: whitespace-separated words with their comparison key, place and
    foot-note marks;
  * figures: numbers, percentages, dates and document numbers in a text.

Standard library only (Python 3.11).
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONTENT = os.path.join(ROOT, "content")
SOURCES = os.path.join(ROOT, "sources")

# The five source documents (sources/README.md says what each one is).
SOURCE_FILES = {
    "000": "000_fdf01c882f3e8120.txt",
    "001": "001_b90b438534ac00cd.txt",
    "002": "002_1577c55bac7e65d2.txt",
    "003": "003_94f6ecfe059fc2b6.txt",
    "004": "004_de24966907debdd2.txt",
}
# The reviewed restoration of 004 (one line per line of the scan) and its
# list of restored words that are not certain (see restoration.py).
RESTORATION = os.path.join("restoration", "004.txt")
RESTORATION_UNCERTAIN = os.path.join("restoration", "004-uncertain.tsv")


def by_file(fn):
    """Caches fn(path, ...) while the file at path keeps its size and
    modification time (the checks read each file several times; the mutation
    test runs them on many copies)."""
    cache: dict = {}

    def wrapper(path, *args, **kw):
        try:
            st = os.stat(path)
            key = (path, st.st_mtime_ns, st.st_size, args, tuple(sorted(kw.items())))
        except OSError:
            return fn(path, *args, **kw)
        if key not in cache:
            cache[key] = fn(path, *args, **kw)
        return cache[key]
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


def read_tsv(path: str, columns: list[str]) -> list[tuple[int, list[str]]]:
    """The rows of a reviewed list (tab-separated, NFC): (line number, the
    row's `columns`, padded with '').  Blank lines, "#" comments and the
    header row (the column names) are skipped; a missing file has no rows."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = nfc(line.rstrip("\n"))
            cols = (line.split("\t") + [""] * len(columns))[:len(columns)]
            if line.strip() and not line.startswith("#") and cols != columns:
                rows.append((no, cols))
    return rows


def source_path(sid: str, sources: str = SOURCES) -> str:
    return os.path.join(sources, SOURCE_FILES[sid])


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """Diacritics removed: NFD, combining marks dropped, đ -> d, lower case."""
    s = unicodedata.normalize("NFD", s.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c))


def fold_key(tok: str) -> str:
    """Folded key of a word: letters and digits only."""
    return "".join(c for c in fold(tok) if c.isalnum())


def rel(path: str) -> str:
    """A path as shown in messages: relative to the repository when inside it."""
    p = os.path.abspath(path)
    return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else path


# --------------------------------------------------------------------------
# Foot-note marks inside text
#
# A foot-note marker is kept in the text as MARK_OPEN label MARK_CLOSE (two
# private-use characters), glued to the word it follows, so that tokenising
# can record on which word each marker sits.

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARK_RE = re.compile(MARK_OPEN + r"([^" + MARK_CLOSE + r"]*)" + MARK_CLOSE)


def mark(label: str) -> str:
    return f"{MARK_OPEN}{label}{MARK_CLOSE}"


def drop_marks(s: str) -> str:
    return MARK_RE.sub("", s)


# --------------------------------------------------------------------------
# Markdown stripping

LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
REF_LINK = re.compile(r"\[([^\[\]^][^\[\]]*)\]\[[^\[\]]*\]")
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s?")
AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
HEADING = re.compile(r"^\s{0,3}(#{1,6})(\s+|$)")
HEADING_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")
HEADING_CLOSE = re.compile(r"\s+#+\s*$")
LIST_MARK = re.compile(r"^(\s*)([-+*]|\d{1,2}[.)])(\s+)")
BULLET = re.compile(r"^(\s*)[-+*](\s+)")
QUOTE_MARK = re.compile(r"^\s*>\s?")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
TYPED_REF = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([a-z]+):([^()\s]+)\)")


def strip_inline(s: str) -> str:
    """Inline Markdown removed; foot-note references become marks."""
    s = FOOTNOTE_REF.sub(lambda m: mark(m.group(1)), s)
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
    """Markdown syntax of one line removed (block markers and inline).
    Ordered-list numbers ("1.", "1.1.") are kept: the sources print them."""
    s = line.rstrip("\n")
    if HEADING.match(s):
        s = HEADING.sub("", s)
        s = HEADING_ID.sub("", s)
        s = HEADING_CLOSE.sub("", s)
    s = QUOTE_MARK.sub("", s) if s.lstrip().startswith(">") else s
    s = BULLET.sub(r"\1", s)
    return strip_inline(s)


# --------------------------------------------------------------------------
# Front matter: the YAML subset the content uses (scalars, flow lists, block
# lists of scalars or of one-level mappings, which may hold a block list).

@dataclass
class Field:
    value: object
    line: int


def _scalar(v: str):
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
    if v.startswith("["):
        try:
            return json.loads(v)
        except ValueError:
            return [_scalar(x) for x in v.strip("[]").split(",") if x.strip()]
    v = re.sub(r"\s+#.*$", "", v)
    if v in ("", "null", "~", "Null", "NULL"):
        return None
    if v in ("true", "false"):
        return v == "true"
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    return v


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(lines: list[tuple[int, str]], i: int, ind: int):
    """Parses the block starting at lines[i] (indent >= ind): a list or a
    mapping.  Returns (value, next index)."""
    if lines[i][1].lstrip().startswith("- "):
        out = []
        while i < len(lines) and _indent(lines[i][1]) >= ind and lines[i][1].lstrip().startswith("- "):
            no, text = lines[i]
            at = _indent(text)
            item = text.lstrip()[2:]
            m = re.match(r"^([A-Za-z_][\w-]*):(?:\s+(.*))?$", item)
            if m:   # a mapping item: "- key: value" and its "  key: value" lines
                sub = [(no, " " * (at + 2) + item)]
                i += 1
                while i < len(lines) and _indent(lines[i][1]) > at:
                    sub.append(lines[i])
                    i += 1
                val, _ = _mapping(sub, 0, at + 2)
                out.append(val)
            else:
                out.append(_scalar(item))
                i += 1
        return out, i
    return _mapping(lines, i, ind)


def _mapping(lines: list[tuple[int, str]], i: int, ind: int):
    d: dict = {}
    while i < len(lines) and _indent(lines[i][1]) >= ind:
        no, text = lines[i]
        m = re.match(r"^\s*([A-Za-z_][\w-]*):(?:\s+(.*))?$", text)
        if not m:
            i += 1
            continue
        key, val = m.group(1), m.group(2)
        i += 1
        if val is None or not val.strip():
            if i < len(lines) and (_indent(lines[i][1]) > _indent(text)
                                   or lines[i][1].lstrip().startswith("- ")):
                v, i = _block(lines, i, _indent(lines[i][1]))
                d[key] = Field(v, no)
            else:
                d[key] = Field(None, no)
        else:
            d[key] = Field(_scalar(val), no)
    return {k: (f.value if isinstance(f, Field) else f) for k, f in d.items()} if ind else d, i


def parse_front(fm: list[str], first_line: int = 2) -> dict[str, Field]:
    """Top-level fields of a front-matter block: key -> Field(value, line).
    Nested values are plain lists and dicts."""
    lines = [(first_line + k, l) for k, l in enumerate(fm) if l.strip() and not l.lstrip().startswith("#")]
    d, _ = _mapping(lines, 0, 0)
    return d


def split_front_matter(text: str) -> tuple[list[str], list[str], int]:
    """(front-matter lines, body lines, line number of the first body line)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return lines[1:i], lines[i + 1:], i + 2
    return [], lines, 1


# --------------------------------------------------------------------------
# Content documents

@dataclass
class Heading:
    line: int
    level: int
    text: str      # stripped
    id: str        # the explicit {#id}, or ""


@dataclass
class Block:
    """A paragraph, a list item (with its continuation lines) or a heading."""
    line: int
    lines: list[tuple[int, str]]           # (line number, stripped text)
    raw: str                                # the first raw line
    heading: Heading | None = None


@dataclass
class ContentDoc:
    path: str
    rel: str                                # relative to content/
    front: dict[str, Field]
    body: list[tuple[int, str]]             # (line, stripped text), definitions excluded
    notes: dict[str, tuple[int, str]]       # label -> (line, stripped text)
    raw: list[str]                          # the file's lines (NFC)
    headings: list[Heading] = field(default_factory=list)

    def get(self, key: str, default=None):
        f = self.front.get(key)
        return f.value if f is not None else default

    def line_of(self, key: str) -> int:
        f = self.front.get(key)
        return f.line if f is not None else 1

    @property
    def where(self) -> str:
        return f"content/{self.rel}"

    def blocks(self) -> list[Block]:
        out: list[Block] = []
        new_block = True
        for no, line in self.body:
            raw = self.raw[no - 1] if 0 < no <= len(self.raw) else ""
            if not line.strip():
                new_block = True
                continue
            h = next((x for x in self.headings if x.line == no), None)
            if new_block or h or LIST_MARK.match(raw) or not out:
                out.append(Block(no, [(no, line.strip())], raw, h))
            else:
                out[-1].lines.append((no, line.strip()))
            new_block = h is not None
        return out


@by_file
def read_content(path: str, relpath: str | None = None) -> ContentDoc:
    with open(path, encoding="utf-8") as f:
        text = nfc(f.read().replace("\r\n", "\n").lstrip("\ufeff"))
    fm, body, first = split_front_matter(text)
    front = parse_front(fm)
    raw = text.split("\n")
    out: list[tuple[int, str]] = []
    notes: dict[str, tuple[int, str]] = {}
    headings: list[Heading] = []
    cur = None
    in_fence = False
    for i, line in enumerate(body):
        no = first + i
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = FOOTNOTE_DEF.match(line)
        if m and not in_fence:
            cur = m.group(1)
            notes[cur] = (no, strip_inline(line[m.end():]))
            continue
        if cur is not None and (line.startswith("    ") or line.startswith("\t")):
            n0, t0 = notes[cur]
            notes[cur] = (n0, t0 + " " + strip_inline(line.strip()))
            continue
        if line.strip():
            cur = None
        hm = HEADING.match(line)
        if hm and not in_fence:
            idm = HEADING_ID.search(line)
            headings.append(Heading(no, len(hm.group(1)), strip_line(line).strip(), idm.group(1) if idm else ""))
        out.append((no, strip_line(line)))
    return ContentDoc(path, relpath or os.path.relpath(path, CONTENT), front, out, notes, raw, headings)


def content_files(content: str = CONTENT) -> list[str]:
    """Every .md file under content/, relative, sorted."""
    out = []
    for dirpath, dirs, files in os.walk(content):
        dirs.sort()
        for fn in sorted(files):
            if fn.endswith(".md"):
                out.append(os.path.relpath(os.path.join(dirpath, fn), content).replace(os.sep, "/"))
    return sorted(out)


# Passages of a `notes` field in curly quotes: they quote a source.
CURLY = re.compile(r"“([^”]*)”")


def typed_refs(text: str) -> list[tuple[str, str, str, int]]:
    """Typed references [words](type:id) of a raw Markdown text: (words, type,
    id, offset)."""
    return [(m.group(1), m.group(2), m.group(3), m.start()) for m in TYPED_REF.finditer(text)]


# --------------------------------------------------------------------------
# Tokens

@dataclass
class Tok:
    text: str                  # the word as written, marks removed
    key: str                   # comparison key ('' = not compared)
    where: str                 # "content/x.md:12" or "sources/000_….txt:34"
    marks: tuple = ()          # foot-note labels (content) or note ids (source) after it
    field: str = ""            # front-matter field it comes from ('' = body)


PUNCT_ONLY = re.compile(r"^[\W_]+$")


def word_key(text: str) -> str:
    """The comparison key: the word as written (NFC, case and punctuation
    kept); tokens that are only punctuation ("-", "–", "+", "|") are not
    compared: list bullets and table rules are layout."""
    return "" if PUNCT_ONLY.match(text) else text


def tokenize(text: str, where, keyf=word_key, fieldname: str = "") -> list[Tok]:
    """Tokens of one line or field; a mark glued to a word (or standing
    alone after it) is recorded on that word.  `where` is a label or a
    function of the token's offset in text."""
    out: list[Tok] = []
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        if MARK_OPEN in raw:
            marks = tuple(MARK_RE.findall(raw))
            t = drop_marks(raw)
        else:
            marks, t = (), raw
        if not t:
            if out and marks:
                out[-1].marks += marks
            continue
        k = keyf(t)
        if not k:
            if out and marks:
                out[-1].marks += marks
            continue
        out.append(Tok(t, k, where(m.start()) if callable(where) else where, marks, fieldname))
    return out


def join_text(toks: list[Tok], limit: int = 0) -> str:
    words = [t.text for t in toks]
    if limit and len(words) > limit:
        half = limit // 2
        return " ".join(words[:half]) + " … " + " ".join(words[-half:])
    return " ".join(words)


# --------------------------------------------------------------------------
# Figures: numbers, percentages, dates and document numbers

FIGURE = re.compile(
    r"\d+(?:[.,/:]\d+)*(?:%|[-/][A-ZĐ][A-ZĐa-zđ]*(?:[-/][A-ZĐa-zđ]+)*)?"
    r"|\b[IVX]+/\d{4}\b")


def figures(text: str) -> list[str]:
    """The figures of a text, in order: "55%", "0,7", "22/12/2024",
    "57-NQ/TW", "569/QĐ-TTg", "I/2025"."""
    return FIGURE.findall(drop_marks(text))
