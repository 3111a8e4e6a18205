"""Tests for scripts/fidelity.py.

Run: python3 -m unittest discover -s scripts -p 'test_*.py'
"""
import os
import random
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fidelity as fd  # noqa: E402

CONTENT = os.environ.get("FIDELITY_CONTENT", fd.DEFAULT_CONTENT)
SEEDS = os.environ.get("FIDELITY_SEEDS", fd.DEFAULT_SEEDS)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def keys(text):
    return [fd.word_key(w) for w in text.split() if fd.word_key(w)]


class TestMarkdownStripping(unittest.TestCase):
    def test_heading_marker_and_id(self):
        self.assertEqual(fd.strip_line("## I- MỤC ĐÍCH, YÊU CẦU {#muc-dich-yeu-cau}"), "I- MỤC ĐÍCH, YÊU CẦU")
        self.assertEqual(fd.strip_line("#### Ban Tuyên giáo Trung ương {#ban-tuyen-giao-trung-uong}"),
                         "Ban Tuyên giáo Trung ương")

    def test_emphasis(self):
        self.assertEqual(fd.strip_line("là **yếu tố quyết định** và *(Trích)* ***Yêu cầu***"),
                         "là yếu tố quyết định và (Trích) Yêu cầu")

    def test_links(self):
        self.assertEqual(fd.strip_inline("đạt [trên 55%](target:tfp-2030) và [TFP][tfp] <https://x.vn>"),
                         "đạt trên 55% và TFP https://x.vn")
        # link text holding a foot-note marker, link with a title
        self.assertEqual(fd.strip_inline('[Khoán 10[^2]](/hoi-dap/cau-01 "Câu 1").'), "Khoán 10.")

    def test_footnote_markers(self):
        self.assertEqual(fd.strip_inline("các nước ASEAN[^1]. Người căn dặn: “chúng”[^12]."),
                         "các nước ASEAN. Người căn dặn: “chúng”.")

    def test_list_markers_kept_numbers(self):
        self.assertEqual(fd.strip_line("- Nâng cao nhận thức"), "Nâng cao nhận thức")
        self.assertEqual(fd.strip_line("  + Tiềm lực"), "  Tiềm lực")
        self.assertEqual(fd.strip_line("1.1. Các quan điểm"), "1.1. Các quan điểm")   # the source prints it
        self.assertEqual(fd.strip_line("1\\. Thống nhất"), "1. Thống nhất")             # escaped
        self.assertEqual(fd.strip_line("**T/M BỘ CHÍNH TRỊ\\"), "T/M BỘ CHÍNH TRỊ")        # hard break

    def test_front_matter_and_definitions(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.md")
            write(p, '---\ntitle: "Câu hỏi 5: \\"Khoán 10\\" là gì?"\ntype: question\nnumber: 5\n'
                     'notes: null\nsections:\n  - number: 1\n    heading: "I- NỘI DUNG"\n---\n\n'
                     'Trả lời ASEAN[^1] và [TFP](target:tfp-2030).\n\n[^1]: Xem Tạp chí, số 8.\n')
            doc = fd.read_content(p, "x.md")
            self.assertEqual(doc.front["title"], 'Câu hỏi 5: "Khoán 10" là gì?')
            self.assertEqual(doc.front["number"], "5")
            self.assertIsNone(doc.front["notes"])
            self.assertEqual(fd.block_values(doc.front["sections"], "heading"), ["I- NỘI DUNG"])
            self.assertEqual([t for _, t in doc.body if t.strip()], ["Trả lời ASEAN và TFP."])
            self.assertEqual([t for _, t in doc.notes], ["Xem Tạp chí, số 8."])
            toks = fd.page_tokens(doc)
            self.assertEqual(toks[0].origin, "front")
            self.assertEqual([t.key for t in toks][-4:], ["tạp", "chí", "số", "8"])


class TestWordKeys(unittest.TestCase):
    def test_edges_and_case(self):
        self.assertEqual(keys("“Khoán 10”, (R&D) 57-NQ/TW; - |"), ["khoán", "10", "r&d", "57-nq/tw"])

    def test_note_markers_equal_on_both_sides(self):
        self.assertEqual(fd.word_key("ASEAN1."), fd.word_key("ASEAN."))
        self.assertEqual(fd.word_key("chúng”1."), fd.word_key("chúng”."))
        self.assertEqual(fd.word_key("gia)1"), "gia")
        self.assertEqual(fd.word_key("20251."), "2025")       # year + marker 1
        self.assertEqual(fd.word_key("2,1"), "2,1")            # a number is not a marker
        self.assertEqual(fd.word_key("4.0"), "4.0")
        self.assertEqual(fd.word_key("NFC") , "nfc")

    def test_nfc(self):
        self.assertEqual(fd.word_key("Quy\u0301"), fd.word_key("Quý"))

    def test_folding(self):
        self.assertEqual(fd.fold_key("Quảng"), "quang")
        self.assertEqual(fd.fold_key("Đảng"), "dang")
        self.assertEqual(fd.fold_key("ĐỔI"), "doi")
        self.assertEqual(fd.fold_key("“thực”,"), "thuc")
        self.assertEqual(fd.fold_key("91-HD/BTGTU"), "91hdbtgtu")
        self.assertEqual(fd.fold_key("Yén,"), fd.fold_key("Yên"))


class TestSources(unittest.TestCase):
    def test_guidance_rule_and_hyphen_break(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "g.txt")
            write(p, " HƯỚNG DẪN \nquán triệt\n\n----- \n \nNghị quyết số 57-\n\nNQ/TW như sau: \n"
                     "kinh tế -\nxã hội \n 12 \n")
            j = fd.source_plain(p)
            self.assertEqual(j.text, "HƯỚNG DẪN quán triệt Nghị quyết số 57-NQ/TW như sau: kinh tế - xã hội")
            toks = fd.source_tokens(p)
            self.assertEqual(toks[7].text, "57-NQ/TW")
            self.assertEqual(toks[7].where, "line 6")

    def test_book_artefacts(self):
        book = "\n".join([
            " BAN CHỈ ĐẠO ", "NGUYỄN VĂN A ",
            " LỜI NÓI ĐẦU ", "iện nay, khoa học ", "các nước ASEAN1. ", "H ",
            "___________ ", "1. Xem Tạp chí Cộng sản, ", "https://tapchi.vn. ",
            " 61 ",
            " Câu hỏi 1: Vì sao? ", "Trả lời: ", "Vì đây là tiền đề ",
            "https://nhandan.vn/post-855750.html", "https://nhandan.vn/post-855750.html",
            " và có bài phát biểu.  ",
            " MỤC LỤC ", "Lời nói đầu 5 ", "Câu hỏi 1: Vì sao? 9 ", ""])
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "b.txt")
            write(p, "\n\n".join(book.split("\n")))
            text, notes = fd.book_source(p)
            tk = [t.key for t in text]
            self.assertEqual(tk, ["ban", "chỉ", "đạo", "nguyễn", "văn", "a", "lời", "nói", "đầu",
                                  "hiện", "nay", "khoa", "học", "các", "nước", "asean",
                                  "câu", "hỏi", "1", "vì", "sao", "vì", "đây", "là", "tiền", "đề",
                                  "và", "có", "bài", "phát", "biểu"])
            self.assertEqual([t.key for t in notes], ["xem", "tạp", "chí", "cộng", "sản", "https://tapchi.vn"])


class TestLCS(unittest.TestCase):
    def test_against_dynamic_programming(self):
        rnd = random.Random(57)
        for _ in range(200):
            a = [rnd.choice("abcde") for _ in range(rnd.randint(0, 30))]
            b = [rnd.choice("abcde") for _ in range(rnd.randint(0, 30))]
            L = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
            for i in range(len(a)):
                for j in range(len(b)):
                    L[i + 1][j + 1] = L[i][j] + 1 if a[i] == b[j] else max(L[i][j + 1], L[i + 1][j])
            blocks = fd.lcs_blocks(a, b)
            self.assertEqual(sum(n for _, _, n in blocks), L[len(a)][len(b)])
            pi = pj = -1
            for i, j, n in blocks:          # a valid common subsequence, in order
                self.assertGreater(i, pi)
                self.assertGreater(j, pj)
                self.assertEqual(a[i:i + n], b[j:j + n])
                pi, pj = i + n - 1, j + n - 1


@unittest.skipUnless(os.path.isdir(CONTENT) and os.path.isdir(SEEDS), "corpus not available")
class TestDamageDetected(unittest.TestCase):
    """A damaged temporary copy of content/ must score lower than the original."""

    @classmethod
    def setUpClass(cls):
        cls.base = {r.doc: r for r in fd.run(CONTENT, SEEDS)}

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.content = os.path.join(self.tmp, "content")
        shutil.copytree(CONTENT, self.content)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def edit(self, rel, old, new):
        p = os.path.join(self.content, rel)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text, f"test fixture text not found in {rel}")
        write(p, text.replace(old, new, 1))

    def result(self, prefix):
        return next(r for r in fd.run(self.content, SEEDS) if r.doc.startswith(prefix))

    def test_dropped_sentence_in_guidance(self):
        sentence = "Người dân và doanh nghiệp là trung tâm, là chủ thể, nguồn lực, động lực chính; "
        self.edit("huong-dan/tinh-uy.md", sentence, "")
        r = self.result("000")
        base = self.base[r.doc]
        self.assertEqual(base.matched - r.matched, len(keys(sentence)))
        self.assertLess(r.share, base.share)
        gaps = [g for al in r.alignments for g in al.gaps() if g.a1 > g.a0]
        dropped = [" ".join(t.key for t in al.a[g.a0:g.a1]) for al in r.alignments for g in al.gaps()]
        self.assertIn(" ".join(keys(sentence)), dropped)
        self.assertTrue(gaps)

    def test_dropped_sentence_in_book_question(self):
        path = os.path.join(self.content, "hoi-dap", "phan-2", "cau-15.md")
        with open(path, encoding="utf-8") as f:
            body = f.read().split("\n---\n", 1)[1]
        sentence = re.search(r"[^.\n]{40,}\.", body).group(0).strip()
        self.edit("hoi-dap/phan-2/cau-15.md", sentence, "")
        r = self.result("003")
        self.assertLess(r.matched, self.base[r.doc].matched)
        self.assertGreaterEqual(self.base[r.doc].matched - r.matched, len(keys(sentence)) - 1)

    def test_inserted_words_reported(self):
        self.edit("infographic.md", "- Xác lập quyền sở hữu, kinh doanh dữ liệu.",
                  "- Xác lập quyền sở hữu, kinh doanh dữ liệu rất lớn.")
        r = self.result("002")
        self.assertEqual(r.inserted - self.base[r.doc].inserted, 2)

    def test_changed_figure_in_source_text(self):
        self.edit("nghi-quyet/muc-tieu/tfp-2030.md", "ở mức trên 55%", "ở mức trên 65%")
        r = self.result("nghi-quyet")
        self.assertFalse(r.passed)
        bad = [q for q in r.quotes if not q.found]
        self.assertEqual([q.where for q in bad], ["nghi-quyet/muc-tieu/tfp-2030.md: source_text"])
        self.assertTrue(bad[0].text[:bad[0].stop].endswith("ở mức trên "))

    def test_changed_word_in_viewpoint_body(self):
        self.edit("nghi-quyet/quan-diem/quan-diem-1.md", "đột phá quan trọng hàng đầu, là động lực",
                  "đột phá quan trọng bậc nhất, là động lực")
        r = self.result("nghi-quyet")
        self.assertEqual([q.where.split(":")[0] for q in r.quotes if not q.found],
                         ["nghi-quyet/quan-diem/quan-diem-1.md"])

    def test_link_syntax_is_transparent(self):
        self.edit("huong-dan/tinh-uy.md", "ở mức trên 55%", "ở mức [trên 55%](target:tfp-2030)")
        self.edit("hoi-dap/phan-2/cau-16.md", "55%", "[55%](target:tfp-2030)")
        for r in fd.run(self.content, SEEDS):
            base = self.base[r.doc]
            self.assertEqual((r.matched, r.inserted), (base.matched, base.inserted), r.doc)

    def test_ocr_document_dropped_paragraph(self):
        path = os.path.join(self.content, "huong-dan", "quang-yen.md")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        paras = [p for p in text.split("\n\n") if len(p) > 400 and not p.startswith("---")]
        self.edit("huong-dan/quang-yen.md", paras[0], "")
        r = self.result("004")
        self.assertLess(r.value, self.base[r.doc].value - 0.01)
        # --verbose lists the dropped stretch
        missing = " ".join(" ".join(t.key for t in r.char_alignment.a[g.a0:g.a1])
                           for g in fd.char_missing(r.char_alignment, anchor=fd.OCR_VERBOSE_ANCHOR))
        base_missing = " ".join(" ".join(t.key for t in self.base[r.doc].char_alignment.a[g.a0:g.a1])
                                for g in fd.char_missing(self.base[r.doc].char_alignment,
                                                         anchor=fd.OCR_VERBOSE_ANCHOR))
        self.assertGreater(len(missing), len(base_missing) + 200)


@unittest.skipUnless(os.path.isdir(CONTENT) and os.path.isdir(SEEDS), "corpus not available")
class TestRealCorpus(unittest.TestCase):
    def test_every_document_passes(self):
        results = fd.run(CONTENT, SEEDS)
        self.assertEqual(len(results), 6)
        for r in results:
            with self.subTest(doc=r.doc):
                self.assertTrue(r.passed, f"{r.doc}: {r.value:.4f} below threshold {r.threshold}"
                                          " (run: python3 scripts/fidelity.py --verbose)")

    def test_check_exit_status(self):
        import io
        buf = io.StringIO()
        rc = fd.report(fd.run(CONTENT, SEEDS), check=True, out=buf)
        self.assertEqual(rc, 0, buf.getvalue())
        self.assertEqual(len([l for l in buf.getvalue().splitlines() if l.startswith(("PASS", "FAIL"))]), 6)


if __name__ == "__main__":
    unittest.main()
