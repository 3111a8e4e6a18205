"""The units of the corpus: each source read into words, each content file
into words, paired unit by unit and compared (fidelity_compare.compare).

  * the guidances and the summary (000, 001, 004 through its restoration,
    002): title, letterhead, one unit per heading;
  * the book (003), read by the converter's own rules (qa_book.parse and
    split_docs): editorial board, preface, speech, parts, section headings,
    questions, each with its foot-notes;
  * the quotations of the resolution (nghi-quyet/**, the home page): each
    against the passage of 000 or 002 it quotes.
Standard library only.
"""
from __future__ import annotations

import bisect
import fnmatch
import os
import re
from dataclasses import dataclass

import corpus_read as cr
import qa_book as qb
from fidelity_compare import Diff, Report, align, check_marks, compare, diff_problems, gap_diffs, match_loose


# The guidances and the summary: content file -> source id.
DOCUMENTS = [("huong-dan/tinh-uy.md", "000"), ("huong-dan/binh-phuoc.md", "001"),
             ("huong-dan/quang-yen.md", "004"), ("infographic.md", "002")]


# Quotations: content file (with {id}) -> the twin file and the passage it
# quotes: ("section", heading id[, last words]) a whole section, up to the
# block ending with `last words`; ("item", heading id) the id-th list item of
# the section; ("enum", heading id) the block that starts with "(id)", the
# "(id)" not quoted; ("intro",) the blocks before the first heading.
QUOTATIONS = [
    ("nghi-quyet/_index.md", "infographic.md", ("intro",)),
    ("nghi-quyet/to-chuc-thuc-hien.md", "infographic.md", ("section", "to-chuc-thuc-hien", "đến từng chi bộ.")),
    ("nghi-quyet/muc-tieu/_index.md", "huong-dan/tinh-uy.md", ("section", "ve-muc-tieu")),
    ("nghi-quyet/quan-diem/quan-diem-{id}.md", "huong-dan/tinh-uy.md", ("item", "ve-quan-diem-chi-dao")),
    ("nghi-quyet/nhiem-vu/nhiem-vu-{id}.md", "huong-dan/tinh-uy.md", ("enum", "ve-nhiem-vu-giai-phap")),
    ("_index.md", "infographic.md", ("section", "thoi-co-lich-su")),
]


RULE = re.compile(r"^\s*-{3,}\s*$")


class Joined:
    """Lines joined into one text (qa_book.join_two) with offset -> line."""

    def __init__(self, label: str):
        self.label = label
        self.text = ""
        self.starts: list[int] = []
        self.nos: list[int] = []

    def add(self, line: str, no: int):
        before = self.text
        self.text = qb.join_two(self.text, line)
        start = len(before.rstrip())
        if self.text[start:start + 1] == " ":
            start += 1
        self.starts.append(start)
        self.nos.append(no)

    def where(self, off: int) -> str:
        i = bisect.bisect_right(self.starts, off) - 1
        return f"{self.label}:{self.nos[max(i, 0)]}" if self.nos else self.label

    def tokens(self, keyf=cr.word_key) -> list[cr.Tok]:
        return cr.tokenize(self.text, self.where, keyf)


def read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [qb.clean_chars(cr.nfc(l.rstrip("\n"))) for l in f]


@cr.by_file
def source_joined(path: str, markdown: bool = False) -> Joined:
    """A guidance, the summary or the restoration: lines joined, layout dropped."""
    j = Joined(cr.rel(path))
    for no, l in enumerate(read_lines(path), 1):
        s = l.strip()
        if not s or RULE.match(s) or qb.is_page_number(l) or qb.BARE_URL.match(s):
            continue
        if markdown:
            s = cr.strip_line(s).strip()
            if not s:
                continue
        j.add(s, no)
    return j


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", cr.drop_marks(text)).strip().casefold()


@cr.by_file
def book_source(path: str):
    """The book read by the converter's own rules (qa_book.parse and
    split_docs): (docs, notes, front lines)."""
    with open(path, encoding="utf-8") as f:
        parsed = qb.parse(f.readlines())
    return qb.split_docs(parsed), parsed.notes, parsed.front_src


def book_tokens(lines, label: str) -> list[cr.Tok]:
    """Tokens of source Lines; note placeholders become marks; the question
    template's "Trả lời:" label is layout."""
    j = Joined(label)
    for ln in lines:
        if qb.ANSWER_LABEL.match(ln.text):
            continue
        j.add(re.sub(qb.MARK + r"(\d+)" + qb.MARK, lambda m: cr.mark(m.group(1)), ln.text), ln.no)
    return j.tokens()


def field_tokens(doc: cr.ContentDoc, key: str, value=None) -> list[cr.Tok]:
    v = doc.get(key) if value is None else value
    if not isinstance(v, str) or not v:
        return []
    return cr.tokenize(cr.nfc(v), f"{doc.where}:{doc.line_of(key)}", fieldname=key)


def body_tokens(doc: cr.ContentDoc) -> list[tuple[int, list[cr.Tok]]]:
    """(line, tokens) of the body, line by line."""
    return [(no, cr.tokenize(text, f"{doc.where}:{no}")) for no, text in doc.body]


def note_tokens(doc: cr.ContentDoc) -> list[tuple[str, list[cr.Tok]]]:
    return [(lab, cr.tokenize(text, f"{doc.where}:{no}")) for lab, (no, text) in doc.notes.items()]


def check_note_refs(rep: Report, doc: cr.ContentDoc, toks: list[cr.Tok]):
    used = {m for t in toks for m in t.marks}
    for lab, (no, _) in doc.notes.items():
        if lab not in used:
            rep.add(f"{doc.where}:{no}", f"chú thích [^{lab}] không được dẫn ở đâu trong bài",
                    "xoá định nghĩa chú thích hoặc đặt lại dấu [^n] đúng chỗ như bản gốc")
    for t in toks:
        for m in t.marks:
            if m not in doc.notes and m != "title_note":
                rep.add(t.where, f"dấu chú thích [^{m}] không có định nghĩa", "thêm dòng `[^n]: …` như bản gốc")


@dataclass
class Twin:
    """A content file compared with its source, for quotations: its blocks
    (tokens by line) and, for each of its words, the source word it matched."""
    doc: cr.ContentDoc
    line_toks: dict[int, list[cr.Tok]]
    src: list[cr.Tok]
    src_index: dict[int, int]          # id(content token) -> index in src


def letterhead_phrases(doc: cr.ContentDoc) -> list[list[cr.Tok]]:
    items = []
    for k in ("issuer", "number", "place", "date_text"):
        items.append(field_tokens(doc, k))
    if isinstance(doc.get("number"), str):      # printed "Số 91-HD/BTGTU"
        items.append(field_tokens(doc, "number", "Số " + doc.get("number")))
    if doc.get("restored_from_scan") is not True:
        for q in cr.CURLY.findall(doc.get("notes") or ""):
            items.append(cr.tokenize(q, f"{doc.where}:{doc.line_of('notes')}", fieldname="notes"))
    return [p for p in items if p]


def compare_guidance(rep: Report, allow: dict, content: str, sources: str, relpath: str, sid: str) -> Twin:
    doc = cr.read_content(os.path.join(content, relpath), relpath)
    name = rep.current = f"{sid} {relpath}"
    if sid == "004":
        j = source_joined(os.path.join(sources, cr.RESTORATION))
    else:
        j = source_joined(cr.source_path(sid, sources), markdown=(sid == "002"))
    src = j.tokens()
    # content: title, then the body line by line; each token knows its unit
    dst = field_tokens(doc, "title")
    units = [f"{relpath}#title"] * len(dst)
    line_toks: dict[int, list[cr.Tok]] = {}
    cur = f"{relpath}#intro"
    for no, toks in body_tokens(doc):
        h = next((x for x in doc.headings if x.line == no), None)
        if h is not None:
            cur = f"{relpath}#{h.id or qb_slug(h.text)}"
        line_toks[no] = toks
        dst += toks
        units += [cur] * len(toks)
    check_note_refs(rep, doc, dst)
    # letterhead phrases in the words left before the first / after the last match
    first = align(src, dst)
    matched_a = sorted(first.pairs.values())
    lo, hi = (matched_a[0], matched_a[-1]) if matched_a else (len(src), -1)
    zone = set(range(0, lo)) | set(range(hi + 1, len(src)))
    covered, missing = match_loose(src, letterhead_phrases(doc), zone)
    al = align(src, dst, covered) if covered else first
    rep.stat(name, "units", len(set(units)))
    rep.stat(name, "words", len(src))
    rep.stat(name, "figures", sum(len(cr.figures(t.text)) for t in src))

    def unit_of(jx: int) -> str:
        return units[jx] if 0 <= jx < len(units) else f"{relpath}#title"

    diffs = gap_diffs(al, unit_of, f"{doc.where}:1")
    before_title = {id(t) for t in src[:lo]}
    for d in diffs:     # source words before the title: the letterhead
        if not d.dst and d.src and all(id(t) in before_title for t in d.src):
            d.unit = f"{relpath}#letterhead"
    for ph in missing:
        diffs.append(Diff(f"{relpath}#letterhead", [], ph, ph[0].where))
    diff_problems(rep, allow, name, diffs)
    check_marks(rep, name, al, {}, {}, unit_of)
    return Twin(doc, line_toks, src, {id(al.b[jx]): ix for jx, ix in al.pairs.items()})


def qb_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", cr.fold(text)).strip("-")


def compare_book(rep: Report, allow: dict, content: str, sources: str):
    name = rep.current = "003 hoi-dap/**"
    path = cr.source_path("003", sources)
    label = cr.rel(path)
    docs, notes, front = book_source(path)
    book = os.path.join(content, "hoi-dap")

    def read(relp):
        p = os.path.join(book, relp)
        return cr.read_content(p, "hoi-dap/" + relp) if os.path.exists(p) else None

    def src_notes(toks):
        order = []
        for t in toks:
            for m in t.marks:
                if m not in order:
                    order.append(m)
        out = []
        for m in order:
            n = notes[int(m)]
            out.append((m, cr.tokenize(n.text, f"{label}:{n.no}")))
        return out

    def missing_file(relp, srcs):
        rep.add(f"content/hoi-dap/{relp}:1", f"thiếu tệp: bản gốc có đơn vị này ({srcs[0].where if srcs else label})",
                "tạo lại tệp từ bản gốc (scripts/qa_book.py)")

    # the editorial board
    idx = read("_index.md")
    src = book_tokens(front, label)
    if idx is not None:
        dst = field_tokens(idx, "editorial_board_title")
        for m in idx.get("editorial_board") or []:
            w = f"{idx.where}:{idx.line_of('editorial_board')}"
            dst += cr.tokenize(m.get("name", ""), w, fieldname="editorial_board")
            for l in m.get("lines") or []:
                dst += cr.tokenize(l, w, fieldname="editorial_board")
        compare(rep, allow, name, "hoi-dap/_index.md", src, dst, f"{idx.where}:1")
    parts: dict[int, cr.ContentDoc] = {}
    for d in docs:
        src = book_tokens(d.src, label)
        if d.kind == "preface":
            relp, pre = "loi-noi-dau.md", ["title"]
        elif d.kind == "speech":
            relp, pre = "phat-bieu.md", ["title", "author", "author_title"]
        elif d.kind == "part":
            relp, pre = f"phan-{d.part}/_index.md", ["label", "heading"]
        elif d.kind == "section":
            relp = f"phan-{d.part}/_index.md"
            pdoc = parts.get(d.part) or read(relp)
            secs = (pdoc.get("sections") or []) if pdoc else []
            sec = next((s for s in secs if s.get("number") == d.section), None)
            unit = f"hoi-dap/{relp}#section-{d.section}"
            if sec is None:
                missing_file(f"{relp} (sections: number {d.section})", src)
                continue
            compare(rep, allow, name, unit, src,
                    field_tokens(pdoc, "sections", sec.get("heading", "")), f"{pdoc.where}:{pdoc.line_of('sections')}")
            continue
        else:
            relp = f"phan-{d.part}/cau-{d.number:02d}.md"
            pre = ["title"]
        cdoc = read(relp)
        if cdoc is None:
            missing_file(relp, src)
            continue
        if d.kind == "part":
            parts[d.part] = cdoc
        dst = [t for k in pre for t in field_tokens(cdoc, k)]
        dnotes = note_tokens(cdoc)
        if d.kind == "speech" and cdoc.get("title_note"):
            titles = [t for t in dst if t.field == "title"]
            if titles:
                titles[-1].marks += ("title_note",)
            dnotes = [("title_note", field_tokens(cdoc, "title_note"))] + dnotes
        body = [t for _, toks in body_tokens(cdoc) for t in toks]
        check_note_refs(rep, cdoc, body)
        compare(rep, allow, name, cdoc.rel, src, dst + body, f"{cdoc.where}:{cdoc.line_of('title')}",
                src_notes(src), dnotes, f"{cdoc.where}:{len(cdoc.raw)}")
        check_book_fields(rep, d, cdoc)
    # every content file of the book has a source unit
    expected = {"_index.md", "loi-noi-dau.md", "phat-bieu.md"}
    for d in docs:
        if d.kind == "part":
            expected.add(f"phan-{d.part}/_index.md")
        elif d.kind == "question":
            expected.add(f"phan-{d.part}/cau-{d.number:02d}.md")
    for relp in cr.content_files(book):
        if relp not in expected and relp != "ban-in.md":
            rep.add(f"content/hoi-dap/{relp}:1", "tệp này không ứng với đơn vị nào của sách trong bản gốc",
                    "xoá tệp, hoặc nếu là trang biên tập thì ghi nó vào SOURCES_OF trong scripts/fidelity.py")


def check_book_fields(rep: Report, d, cdoc: cr.ContentDoc):
    """The book's structure in front matter: number, part and section as the
    source prints them; `question` = the title without "Câu hỏi N: "."""
    if d.kind != "question":
        return
    title = cdoc.get("title") or ""
    want = {"number": d.number, "part": d.part}
    if d.part == 2:
        want["section"] = d.section
    for k, v in want.items():
        if cdoc.get(k) != v:
            rep.add(f"{cdoc.where}:{cdoc.line_of(k)}", f"trường `{k}` là {cdoc.get(k)!r}, bản gốc: {v}",
                    f"sửa thành `{k}: {v}`")
    q = cdoc.get("question")
    prefix = f"Câu hỏi {d.number}: "
    if not title.startswith(prefix) or q != title[len(prefix):]:
        rep.add(f"{cdoc.where}:{cdoc.line_of('question')}",
                f"trường `question` phải đúng bằng tiêu đề bỏ «{prefix}»", "chép lại từ `title`")


def twin_blocks(tw: Twin, sel: tuple, ident) -> list[list[cr.Tok]] | None:
    blocks = tw.doc.blocks()
    toks = lambda b: [t for no, _ in b.lines for t in tw.line_toks.get(no, [])]  # noqa: E731
    if sel[0] == "intro":
        first = next((k for k, b in enumerate(blocks) if b.heading), len(blocks))
        return [toks(b) for b in blocks[:first]]
    k0 = next((k for k, b in enumerate(blocks) if b.heading and b.heading.id == sel[1]), None)
    if k0 is None:
        return None
    lvl = blocks[k0].heading.level
    k1 = next((k for k in range(k0 + 1, len(blocks))
               if blocks[k].heading and blocks[k].heading.level <= lvl), len(blocks))
    sect = blocks[k0 + 1:k1]
    if sel[0] == "section":
        out = []
        for b in sect:
            out.append(toks(b))
            if len(sel) > 2 and " ".join(t.text for t in out[-1]).endswith(sel[2]):
                break
        return out
    if sel[0] == "item":
        items = [b for b in sect if cr.BULLET.match(b.raw)]
        n = int(ident) if str(ident).isdigit() else 0
        return [toks(items[n - 1])] if 0 < n <= len(items) else None
    if sel[0] == "enum":
        for b in sect:
            t = toks(b)
            if t and t[0].text == f"({ident})":
                return [t]
        return None
    raise ValueError(sel)


def compare_quotations(rep: Report, allow: dict, content: str, twins: dict[str, Twin]):
    name = rep.current = "nghi-quyet/** trích dẫn"
    for pattern, twin, sel in QUOTATIONS:
        glob = pattern.replace("{id}", "*")
        for relp in cr.content_files(content):
            if not fnmatch.fnmatch(relp, glob):
                continue
            doc = cr.read_content(os.path.join(content, relp), relp)
            ident = doc.get("id")
            if "{id}" in pattern and pattern.replace("{id}", str(ident)) != relp:
                rep.add(f"{doc.where}:{doc.line_of('id')}", f"trường `id` ({ident!r}) không khớp tên tệp",
                        "đặt tên tệp theo id")
                continue
            tw = twins.get(twin)
            blocks = twin_blocks(tw, sel, ident) if tw else None
            if blocks is None:
                rep.add(f"{doc.where}:1", f"không tìm thấy đoạn được trích trong {twin} ({sel[0]} {sel[1:]} id {ident})",
                        "kiểm tra `id` của tệp và QUOTATIONS trong scripts/fidelity.py")
                continue
            # the source's words from the first to the last word of the passage
            at = [tw.src_index[id(t)] for b in blocks for t in b if id(t) in tw.src_index]
            src = tw.src[min(at):max(at) + 1] if at else []
            if sel[0] == "enum" and src and src[0].text == f"({ident})":
                src = src[1:]                      # the item's number is not quoted
            dst = [t for _, toks in body_tokens(doc) for t in toks]
            compare(rep, allow, name, relp, src, dst, doc.where)
