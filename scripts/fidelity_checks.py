"""The checks of scripts/fidelity.py beyond the words of each unit:
front-matter fields that carry source text, figures in front matter, dates,
quotations in notes, the targets' value, figure, year and group, and the
source's typos kept as printed.  Standard library only.
"""
from __future__ import annotations

import fnmatch
import os
import re

import corpus_read as cr
from fidelity_compare import Diff, Report
from fidelity_units import Joined, body_tokens, flat, note_tokens, source_joined


# Which source each content file is made from ("004" = the restoration of 004);
# None: editorial page, no source text.  First match wins.
SOURCES_OF: list[tuple[str, list[str] | None]] = [
    ("huong-dan/tinh-uy.md", ["000"]),
    ("huong-dan/binh-phuoc.md", ["001"]),
    ("huong-dan/quang-yen.md", ["004"]),
    ("huong-dan/_index.md", None),
    ("infographic.md", ["002"]),
    ("_index.md", ["002"]),
    ("ma-tran.md", None),
    ("hoi-dap/ban-in.md", None),
    ("hoi-dap/*", ["003"]),
    ("nghi-quyet/to-chuc-thuc-hien.md", ["002"]),
    ("nghi-quyet/*", ["000", "002", "003"]),
    ("huong-dan-bien-tap/*", None),
]


def sources_of(relp: str):
    for pat, sids in SOURCES_OF:
        if fnmatch.fnmatch(relp, pat):
            return True, sids
    return False, None


class SourceTexts:
    """The flattened, case-folded text of each source (and the scan of 004)."""

    def __init__(self, sources: str):
        self.flat: dict[str, str] = {}
        self.figs: dict[str, set[str]] = {}
        for sid in cr.SOURCE_FILES:
            p = os.path.join(sources, cr.RESTORATION) if sid == "004" else cr.source_path(sid, sources)
            text = source_joined(p, markdown=(sid == "002")).text
            self.flat[sid] = flat(text)
            self.figs[sid] = set(cr.figures(text))
        scan = source_joined(cr.source_path("004", sources)).text
        self.flat["004-scan"] = flat(scan)
        self.figs["004"] |= set(cr.figures(scan))

    def contains(self, sids, phrase: str) -> bool:
        p = flat(phrase)
        return any(p in self.flat[s] for s in sids)


# (type, field) -> the field must occur in the file's sources (case-insensitive).
PHRASE_FIELDS = {
    "book": ["title", "short_title", "publisher", "month"],
    "preface": ["month", "signed"],
    "speech": ["toc_title"],
    "part": ["title", "sections.title"],
    "guidance": ["signer", "signer_title", "province"],
    "viewpoint": ["title", "summary_title", "summary_text"],
    "task": ["title"],
    "resolution": ["number", "issuer", "subject", "signer", "signer_title", "title"],
    "targets": ["title", "groups.title"],
    "target": ["title", "indicator"],
    "infographic": ["figures.summary_text", "figures.summary_caption", "figures.summary_figure"],
    "page": ["description", "title"],
    "home": ["description"],
}


NO_FIGURE_FIELDS = {"type", "id", "slug", "weight", "date", "year", "number", "part", "section", "group",
                    "targets", "tasks", "viewpoints", "questions", "paper_variants", "restored_from_scan",
                    "source", "editor_only", "also_targets", "figures", "groups", "sections",
                    "editorial_board", "signed"}


def field_values(doc: cr.ContentDoc, spec: str) -> list[str]:
    key, _, sub = spec.partition(".")
    v = doc.get(key)
    if sub:
        return [x.get(sub) for x in v or [] if isinstance(x, dict) and isinstance(x.get(sub), str)]
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return [v] if isinstance(v, str) and v else []


def check_fields(rep: Report, allow: dict, content: str, texts: SourceTexts):
    name = rep.current = "trường front matter"
    for relp in cr.content_files(content):
        known, sids = sources_of(relp)
        doc = cr.read_content(os.path.join(content, relp), relp)
        if not known:
            rep.add(f"{doc.where}:1", "tệp nội dung không rõ nguồn: không có trong SOURCES_OF của scripts/fidelity.py",
                    "ghi tệp vào SOURCES_OF với văn bản nguồn của nó, hoặc None nếu là trang biên tập")
            continue
        typ = doc.get("type")
        check_curly(rep, doc, texts)
        if sids is None:
            sids = list(cr.SOURCE_FILES)   # editorial page: its figures still come from some source
        for spec in PHRASE_FIELDS.get(typ, []):
            for v in field_values(doc, spec):
                rep.stat(name, "fields")
                if texts.contains(sids, v):
                    continue
                d = Diff(f"{relp}:{spec}", [], cr.tokenize(v, f"{doc.where}:{doc.line_of(spec.split('.')[0])}"),
                         f"{doc.where}:{doc.line_of(spec.split('.')[0])}")
                if allow.get(d.key):
                    allow[d.key].used += 1
                    rep.allowed.append((d, allow[d.key]))
                    continue
                rep.add(d.where, f"trường `{spec}` «{v}» không có trong văn bản nguồn ({', '.join(sids)})",
                        "chép đúng chữ của bản gốc; nếu là chữ biên tập có chủ ý, thêm vào scripts/fidelity_allow.tsv "
                        f"(đơn vị `{relp}:{spec}`, loại `added`)")
        figs = set().union(*(texts.figs[s] for s in sids))
        for key, f in doc.front.items():
            if key in NO_FIGURE_FIELDS or not isinstance(f.value, str):
                continue
            for x in cr.figures(f.value):
                rep.stat(name, "figures")
                if x not in figs:
                    rep.add(f"{doc.where}:{f.line}", f"số liệu «{x}» của trường `{key}` không có trong văn bản nguồn "
                            f"({', '.join(sids)})", "sửa cho đúng số liệu của bản gốc")
        check_dates(rep, doc)


def check_curly(rep: Report, doc: cr.ContentDoc, texts: SourceTexts):
    """Passages of notes in curly quotes quote a source."""
    for q in cr.CURLY.findall(doc.get("notes") or ""):
        if not any(flat(q) in t for t in texts.flat.values()):
            rep.add(f"{doc.where}:{doc.line_of('notes')}",
                    f"đoạn trích «{q}» trong `notes` không có trong văn bản nguồn nào",
                    "trích đúng chữ của bản gốc trong dấu “…”, hoặc bỏ dấu ngoặc kép nếu là lời biên tập")


MONTHS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def check_dates(rep: Report, doc: cr.ContentDoc):
    """`date` against `date_text` (guidances) or the speech's note."""
    date = doc.get("date")
    if not isinstance(date, str):
        return
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date)
    if not m:
        return
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    for key in ("date_text", "title_note"):
        t = doc.get(key)
        if not isinstance(t, str):
            continue
        found = [(int(a), int(b), int(c)) for a, b, c in MONTHS.findall(t)]
        found += [(int(a), int(b), int(c)) for a, b, c in re.findall(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)]
        if found and (d, mo, y) not in found:
            rep.add(f"{doc.where}:{doc.line_of('date')}", f"`date: {date}` không khớp `{key}` «{t}»",
                    f"sửa `date` theo `{key}`")


# Target figures: comparison words before the first number -> symbol.
COMPARATORS = [("tối thiểu", "≥"), ("ít nhất", "≥"), ("trên", ">"), ("hơn", ">"), ("tăng", "+")]


# Words a figure may use that its value words differently.
FIGURE_WORDS = {"top": "nhóm", "asean": "đông nam á"}


def goals_years(j: Joined) -> list[tuple[int, int, int]]:
    """(start offset, end offset, year) of the year blocks of 000's goals
    section ("- Đến năm 2030", "- Tầm nhìn đến năm 2045")."""
    text = j.text
    s = text.find("2. Về mục tiêu")
    e = text.find("3. Về nhiệm vụ, giải pháp", s)
    heads = [(m.start(), int(m.group(1))) for m in re.finditer(r"- (?:Tầm nhìn )?[Đđ]ến năm (\d{4})", text[s:e])]
    out = []
    for k, (off, year) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else e - s
        out.append((s + off, s + end, year))
    return out


def comparator(value: str) -> str:
    m = re.search(r"\d", value)
    if not m:
        return ""
    before = value[:m.start()].casefold()
    for words, sym in COMPARATORS:
        if re.search(r"(?:^|\s)" + words + r"(?:\s+\w+){0,2}\s*$", before):
            return sym
    return ""


def check_target_figure(value: str, figure: str, source_text: str) -> str:
    """Why `figure` does not say what `value` says ('' = it does)."""
    nv = re.findall(r"\d+(?:[.,]\d+)?", value)
    nf = re.findall(r"\d+(?:[.,]\d+)?", figure)
    if nv != nf:
        return f"số của `figure` ({' '.join(nf) or 'không có'}) khác số của `value` ({' '.join(nv) or 'không có'})"
    if ("%" in value) != ("%" in figure):
        return "dấu % của `figure` và `value` không khớp"
    sym = comparator(value)
    fsym = figure.strip()[:1] if figure.strip()[:1] in "≥>+<≤" else ""
    if nv and sym != fsym:
        return f"`figure` phải bắt đầu bằng «{sym}» theo `value` «{value}»" if sym else \
            f"`figure` bắt đầu bằng «{fsym}» nhưng `value` «{value}» không có từ so sánh"
    words = cr.fold(value + " " + source_text)
    for w in re.findall(r"[^\W\d_]+", figure):
        wf = cr.fold(w)
        if wf not in re.findall(r"\w+", words) and cr.fold(FIGURE_WORDS.get(wf, "\x00")) not in words:
            return f"chữ «{w}» của `figure` không có trong `value` hay `source_text`"
    return ""


def check_targets(rep: Report, content: str, sources: str):
    name = rep.current = "mục tiêu"
    j = source_joined(cr.source_path("000", sources))
    text = j.text
    years = goals_years(j)
    gi = os.path.join(content, "nghi-quyet", "muc-tieu", "_index.md")
    groups = {}
    if os.path.exists(gi):
        for g in cr.read_content(gi, "nghi-quyet/muc-tieu/_index.md").get("groups") or []:
            groups[g.get("id")] = g.get("question")
    group_q = set(groups.values())
    # inline target references in the group questions
    refs_in_q: dict[int, dict[str, list[str]]] = {}
    for relp in cr.content_files(content):
        m = re.match(r"hoi-dap/phan-\d+/cau-(\d+)\.md$", relp)
        if m and int(m.group(1)) in group_q:
            with open(os.path.join(content, relp), encoding="utf-8") as f:
                raw = f.read()
            d = refs_in_q.setdefault(int(m.group(1)), {})
            for words, typ, ident, _ in cr.typed_refs(cr.nfc(raw)):
                if typ == "target":
                    d.setdefault(ident, []).append(cr.strip_inline(words))
    for relp in cr.content_files(content):
        if not relp.startswith("nghi-quyet/muc-tieu/") or relp.endswith("_index.md"):
            continue
        doc = cr.read_content(os.path.join(content, relp), relp)
        if doc.get("type") != "target":
            continue
        rep.stat(name, "targets")
        ident, where = doc.get("id"), lambda k: f"{doc.where}:{doc.line_of(k)}"  # noqa: E731
        st, value, figure = doc.get("source_text") or "", doc.get("value") or "", doc.get("figure") or ""
        year, group = doc.get("year"), doc.get("group")
        at = re.sub(r"\s+", " ", text).find(cr.strip_inline(st)) if st else -1
        if at < 0:
            rep.add(where("source_text"), f"[{ident}] `source_text` không có nguyên văn trong Hướng dẫn (000)",
                    "chép đúng câu của Hướng dẫn, mục “2. Về mục tiêu”")
        else:
            ys = [y for s, e, y in years if s <= at < e]
            if not ys:
                rep.add(where("source_text"), f"[{ident}] `source_text` không nằm trong mục “2. Về mục tiêu” của 000",
                        "chép câu từ mục tiêu của Nghị quyết")
            elif year != ys[0]:
                rep.add(where("year"), f"[{ident}] `year: {year}` nhưng `source_text` nằm dưới «đến năm {ys[0]}» của 000",
                        f"sửa thành `year: {ys[0]}`")
        if isinstance(ident, str) and isinstance(year, int) and not ident.endswith(f"-{year}"):
            rep.add(where("year"), f"[{ident}] `year: {year}` không khớp năm trong id", "sửa `year` hoặc id")
        if value and value not in st:
            rep.add(where("value"), f"[{ident}] `value` «{value}» không có nguyên văn trong `source_text`",
                    "chép `value` đúng chữ từ `source_text`")
        why = check_target_figure(value, figure, st)
        if why:
            rep.add(where("figure"), f"[{ident}] `figure` «{figure}»: {why}", "viết lại `figure` theo `value`")
        if group not in groups:
            rep.add(where("group"), f"[{ident}] nhóm `{group}` không có trong nghi-quyet/muc-tieu/_index.md",
                    f"chọn một trong: {', '.join(map(str, groups))}")
            continue
        q = groups[group]
        in_q = [n for n, refs in refs_in_q.items() if ident in refs]
        if in_q != [q]:
            rep.add(where("group"), f"[{ident}] `group: {group}` là nhóm của Câu hỏi {q}, nhưng mục tiêu này "
                    f"được nêu ở câu hỏi {', '.join(map(str, sorted(in_q))) or '(không câu nào)'} trong các câu 15-20",
                    "sửa `group` theo câu hỏi của sách nêu mục tiêu này")
            continue
        nv = re.findall(r"\d+(?:[.,]\d+)?", value)
        said = " ".join(refs_in_q[q][ident])
        if nv and re.findall(r"\d+(?:[.,]\d+)?", said) != nv:
            rep.add(where("value"), f"[{ident}] Câu hỏi {q} nêu mục tiêu này là «{said}», số liệu khác `value` «{value}»",
                    "đối chiếu lại số liệu")


SIC_LEAD = "Giữ nguyên như bản gốc:"


def sic_items(notes: str) -> list[str]:
    """The «…» items of the sentences "Giữ nguyên như bản gốc: «X» (có lẽ là
    «Y»), «Z»." of a notes text (parenthesised remarks are not items)."""
    out = []
    at = notes.find(SIC_LEAD)
    while at >= 0:
        rest = notes[at + len(SIC_LEAD):]
        end = re.search(r"\.(?:\s|$)(?![^«]*»)", rest)
        seg = rest[:end.start()] if end else rest
        prev = None
        while prev != seg:
            prev = seg
            seg = re.sub(r"\([^()]*\)", "", seg)
        out += re.findall(r"«([^»]+)»", seg)
        at = notes.find(SIC_LEAD, at + len(SIC_LEAD))
    return out


def repeats(toks: list[cr.Tok]) -> list[tuple[int, int]]:
    """(start, length) of a word or phrase (1-3 words) printed twice in a row
    with nothing between ("trị trị", "phát triển phát triển")."""
    out = []
    keys = [t.key for t in toks]
    for n in (1, 2, 3):
        for i in range(len(keys) - 2 * n + 1):
            a, b = keys[i:i + n], keys[i + n:i + 2 * n]
            same_line = toks[i].where == toks[i + 2 * n - 1].where
            if a == b and same_line and re.match(r"^\w", b[0]) and re.search(r"\w$", a[-1]):
                out.append((i, n))
    return out


def check_sic(rep: Report, allow: dict, content: str, texts: SourceTexts):
    """Typos of the source kept as printed are listed in notes
    ("Giữ nguyên như bản gốc: «…»") and occur in the source."""
    name = rep.current = "lỗi in của bản gốc"
    for relp in cr.content_files(content):
        known, sids = sources_of(relp)
        if not known or sids is None:
            continue
        doc = cr.read_content(os.path.join(content, relp), relp)
        notes = doc.get("notes") or ""
        sics = sic_items(notes)
        body = [t for _, toks in body_tokens(doc) for t in toks]
        body_flat = flat(" ".join(t.text for t in body + [t for _, ts in note_tokens(doc) for t in ts]))
        for s in sics:
            rep.stat(name, "sic")
            if flat(s) not in body_flat:
                rep.add(f"{doc.where}:{doc.line_of('notes')}", f"«{s}» được ghi là giữ nguyên như bản gốc, "
                        "nhưng bài không có chữ này", "sửa ghi chú cho đúng chữ trong bài")
            elif not texts.contains(sids, s):
                rep.add(f"{doc.where}:{doc.line_of('notes')}", f"«{s}» được ghi là giữ nguyên như bản gốc, "
                        "nhưng bản gốc không in như vậy", "sửa lại theo bản gốc và bỏ ghi chú")
        for i, n in repeats(body):
            words = " ".join(t.text for t in body[i:i + 2 * n])
            if any(flat(words) in flat(s) or flat(" ".join(t.key for t in body[i:i + 2 * n])) in flat(s)
                   for s in sics):
                continue
            d = Diff(f"{relp}", [], body[i:i + 2 * n], body[i].where)
            key = (relp, "repeat", "", " ".join(t.text for t in body[i:i + 2 * n]))
            if key in allow:
                allow[key].used += 1
                rep.allowed.append((d, allow[key]))
                continue
            rep.add(body[i].where, f"chữ lặp «{words}» chưa được ghi chú là của bản gốc",
                    f"nếu bản gốc in như vậy, thêm vào `notes`: \"Giữ nguyên như bản gốc: «{words}».\"; "
                    f"nếu là cách nói đúng, thêm vào scripts/fidelity_allow.tsv (đơn vị `{relp}`, loại `repeat`)")
