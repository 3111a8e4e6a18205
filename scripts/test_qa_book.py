"""Tests for scripts/qa_book.py.

Run: python3 -m unittest discover -s scripts -p 'test_*.py'
"""
import glob
import os
import re
import sys
import tempfile
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402
import qa_book as qb  # noqa: E402

SOURCE = cr.source_path("003")     # the book, in sources/


class TestJoining(unittest.TestCase):
    def test_document_number_hyphen(self):
        self.assertEqual(qb.join_two("Phần thứ ba: Triển khai thực hiện Nghị quyết số 57-",
                                     " NQ/TW về đột phá phát triển khoa học"),
                         "Phần thứ ba: Triển khai thực hiện Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học")
        self.assertEqual(qb.join_two("năng lượng tái tạo, pin Lithium-", "Ion, thu giữ"),
                         "năng lượng tái tạo, pin Lithium-Ion, thu giữ")

    def test_dash_with_spaces_kept(self):
        self.assertEqual(qb.join_two("chính sách hợp tác công -", "tư để nghiên cứu"),
                         "chính sách hợp tác công - tư để nghiên cứu")

    def test_url_broken_across_lines(self):
        self.assertEqual(qb.join_lines(["https://www.most.gov.vn/vn/ tin-",
                                        "tuc/24913/he-sinh-thai-khoi-nghiep-sang-tao-cua-viet-nam-da-",
                                        "phat-trien-manh-me.aspx."]),
                         "https://www.most.gov.vn/vn/ tin-tuc/24913/he-sinh-thai-khoi-nghiep-sang-tao-"
                         "cua-viet-nam-da-phat-trien-manh-me.aspx.")

    def test_double_spaces_collapsed(self):
        self.assertEqual(qb.join_lines(["dự án để đảm bảo phù hợp với Nghị quyết số  57-", "NQ/TW, tránh"]),
                         "dự án để đảm bảo phù hợp với Nghị quyết số 57-NQ/TW, tránh")


class TestPageNumbers(unittest.TestCase):
    def test_is_page_number(self):
        self.assertTrue(qb.is_page_number(" 61 "))
        self.assertTrue(qb.is_page_number(" 108 "))
        self.assertFalse(qb.is_page_number("2045, chúng ta phải coi khoa học, công nghệ, đổi mới "))
        self.assertFalse(qb.is_page_number("19 địa phương2. "))

    def test_parse_drops_page_numbers_urls_and_notes(self):
        raw = [" LỜI NÓI ĐẦU \n", "\n",
               "khí thế mới trong toàn xã hội về phát triển khoa học, \n", "\n",
               " 61 \n", "\n",
               "công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.  \n",
               "https://nhandan.vn/post-855750.html\n",
               "toán học và vật lý luôn đứng ở Top đầu các nước \n", "\n",
               "ASEAN1. Một số tổ chức khoa học và công nghệ tiên tiến \n", "\n",
               "___________ \n", "\n",
               "1. Xem GS.TS. Tô Lâm: “Chính sách phát triển khoa học, công \n", "\n",
               "sản điện tử, ngày 13/3/2025. \n",
               " - Công nghệ thông tin, trí tuệ nhân tạo, dữ liệu lớn, \n"]
        p = qb.parse(raw)
        texts = [l.text for l in p.lines]
        self.assertNotIn("61", texts)
        self.assertFalse(any(t.startswith("https://") for t in texts))
        self.assertFalse(any(t.startswith("1. Xem") for t in texts))
        self.assertIn("- Công nghệ thông tin, trí tuệ nhân tạo, dữ liệu lớn,", texts)
        self.assertEqual(len(p.notes), 1)
        note = next(iter(p.notes.values()))
        self.assertEqual(note.text, "Xem GS.TS. Tô Lâm: “Chính sách phát triển khoa học, công sản điện tử, ngày 13/3/2025.")
        self.assertTrue(any(f"ASEAN{qb.MARK}{note.id}{qb.MARK}." in t for t in texts))


class TestMarkers(unittest.TestCase):
    def test_marker_after_letter(self):
        t = "ASEAN1. Một số tổ chức khoa học và công nghệ tiên tiến"
        self.assertEqual(qb.find_marker_candidates(t, "1"), [(5, 6)])

    def test_marker_after_closing_quote_and_bracket(self):
        self.assertEqual(len(qb.find_marker_candidates("phục vụ quần chúng”1. Sự kiện này", "1")), 1)
        self.assertEqual(len(qb.find_marker_candidates("(5) Nghị quyết được xác định là “Khoán 10”1 trong", "1")), 1)
        self.assertEqual(len(qb.find_marker_candidates("quốc tăng 15 bậc (lên vị trí 71/193 quốc gia)1.", "1")), 1)
        self.assertEqual(len(qb.find_marker_candidates("pháp hữu ích tại Việt Nam là 9,8%/năm3.", "3")), 1)

    def test_ordinary_numbers_are_not_markers(self):
        for t in ["khoảng 2,1 triệu) có hồ sơ số hóa", "xây dựng các trạm gốc 5G, mở",
                  "Việt Nam thuộc nhóm 3 nước dẫn đầu", "các ngành công nghiệp 4.0. Tập trung",
                  "Nghị quyết số 57-NQ/TW", "duy trì Top 11 thế giới"]:
            for label in "12345":
                self.assertEqual(qb.find_marker_candidates(t, label), [], (t, label))

    def test_marker_glued_to_year(self):
        t = "14 - 15% GDP năm 20251. Năm 2024, công nghiệp công"
        self.assertEqual(qb.find_marker_candidates(t, "1"), [])
        self.assertEqual(qb.find_year_marker(t, "1"), [(21, 22)])

    def test_footnotes_renumbered_per_file(self):
        notes = {7: qb.Note(7, 1, "2", ["Mạnh Tuyền"]), 3: qb.Note(3, 1, "1", ["Thông báo số 06/TB-VPCP"])}
        text, defs = qb.finish_notes(f"a{qb.MARK}3{qb.MARK} b{qb.MARK}7{qb.MARK}.", notes)
        self.assertEqual(text, "a[^1] b[^2].")
        self.assertEqual(defs, ["[^1]: Thông báo số 06/TB-VPCP", "[^2]: Mạnh Tuyền"])


class TestParagraphs(unittest.TestCase):
    def test_short_sentence_end_breaks(self):
        # (the note digit has already been replaced by a placeholder here)
        self.assertTrue(qb.should_break(f"quốc tăng 15 bậc (lên vị trí 71/193 quốc gia){qb.MARK}1{qb.MARK}. ",
                                        "Năm 2024, Chính phủ đã giao 5.117 nhiệm vụ cho"))

    def test_full_line_sentence_end_joins(self):
        self.assertFalse(qb.should_break("xử lý công việc. Dịch vụ công trực tuyến được mở rộng. ",
                                         "Chính phủ đã xác định 10 cơ sở dữ liệu quốc gia, trong"))

    def test_double_space_ends_paragraph(self):
        self.assertTrue(qb.should_break("và có bài phát biểu chỉ đạo quan trọng tại Hội nghị.  ",
                                        "Nhằm giúp các cấp ủy, tổ chức đảng, cán bộ, đảng viên"))

    def test_no_break_inside_sentence(self):
        self.assertFalse(qb.should_break("Đảng ta phải ban hành nghị quyết về đột phá khoa",
                                         "học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc"))

    def test_cues(self):
        self.assertTrue(qb.should_break("gia vì những lý do sau:  ", "Thứ nhất, trong bối cảnh cạnh tranh toàn cầu ngày"))
        self.assertTrue(qb.should_break("nhiệm vụ trọng tâm của đất nước. ", "(3) Xác lập nguyên tắc triển khai khoa học, công"))
        self.assertTrue(qb.should_break("thức như: biến động", "x") is False)

    def test_list_items(self):
        lines = ["Một số kết quả nổi bật của khoa học, công nghệ ở ",
                 "nước ta thời gian qua là: ",
                 "- Nhiều công trình nghiên cứu khoa học được áp ",
                 "dụng vào thực tế. ",
                 "- Cả nước có 5 khu công nghệ cao được thành lập. "]
        blocks = qb.paragraphs(lines)
        self.assertEqual(blocks, ["Một số kết quả nổi bật của khoa học, công nghệ ở nước ta thời gian qua là:",
                                  "- Nhiều công trình nghiên cứu khoa học được áp dụng vào thực tế.",
                                  "- Cả nước có 5 khu công nghệ cao được thành lập."])
        self.assertEqual(qb.render_blocks(blocks).count("\n\n"), 1)

    def test_dash_at_line_start_that_is_not_an_item(self):
        lines = ["- Chiến lược phát triển kinh tế - xã hội 10 năm 2021 ",
                 "- 2030 tại Đại hội đại biểu toàn quốc lần thứ XIII của Đảng"]
        self.assertEqual(qb.paragraphs(lines),
                         ["- Chiến lược phát triển kinh tế - xã hội 10 năm 2021 - 2030 tại Đại hội đại biểu toàn quốc lần thứ XIII của Đảng"])

    def test_escape_ordered_list_lookalike(self):
        self.assertEqual(qb.escape_md("1. Công ước"), "1\\. Công ước")
        self.assertEqual(qb.escape_md("(1) Hiến pháp"), "(1) Hiến pháp")


def read_md(path):
    with open(path, encoding="utf-8") as f:
        txt = f.read()
    assert txt.startswith("---\n"), path
    fm, _, body = txt[4:].partition("\n---\n")
    return fm, body, txt


class TestRealBook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "content", "hoi-dap")   # as in the site
        cls.warnings = qb.convert(SOURCE, cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_no_warnings(self):
        self.assertEqual(self.warnings, [])

    def test_files_and_parts(self):
        for rel in ["_index.md", "loi-noi-dau.md", "phat-bieu.md",
                    "phan-1/_index.md", "phan-2/_index.md", "phan-3/_index.md"]:
            self.assertTrue(os.path.exists(os.path.join(self.out, rel)), rel)
        numbers = {}
        for path in glob.glob(os.path.join(self.out, "phan-*", "cau-*.md")):
            fm, body, _ = read_md(path)
            n = int(re.search(r"^number: (\d+)$", fm, re.M).group(1))
            part = int(re.search(r"^part: (\d+)$", fm, re.M).group(1))
            self.assertEqual(os.path.basename(path), f"cau-{n:02d}.md")
            self.assertIn(f"phan-{part}", path)
            self.assertRegex(fm, r'(?m)^title: "Câu hỏi %d: .+"$' % n)
            self.assertRegex(fm, r'(?m)^type: "question"$')
            self.assertRegex(fm, r'(?m)^weight: %d$' % n)
            if part == 2:
                sec = int(re.search(r"^section: (\d+)$", fm, re.M).group(1))
                self.assertEqual(sec, 1 if n <= 28 else 2, n)
            else:
                self.assertNotIn("\nsection:", "\n" + fm)
            self.assertTrue(body.strip(), f"empty answer {n}")
            numbers[n] = part
        self.assertEqual(sorted(numbers), list(range(1, 76)))
        for n, part in numbers.items():
            self.assertEqual(part, 1 if n <= 12 else 2 if n <= 47 else 3, n)

    def all_files(self):
        return sorted(glob.glob(os.path.join(self.out, "**", "*.md"), recursive=True))

    def test_clean_text(self):
        for path in self.all_files():
            _, body, txt = read_md(path)
            self.assertEqual(txt, unicodedata.normalize("NFC", txt), path)
            self.assertNotIn("Trả lời:", body, path)
            self.assertNotIn("\u00a9", txt, path)
            self.assertNotIn("\u202f", txt, path)
            self.assertNotIn("___", txt, path)
            self.assertNotIn("MỤC LỤC", txt, path)
            for line in body.splitlines():
                self.assertNotRegex(line, r"^\s*\d{1,3}\s*$", path)
                self.assertNotRegex(line, r"^https?://\S+$", path)
                self.assertFalse(line.endswith(" "), (path, line))

    def test_footnotes_match(self):
        for path in self.all_files():
            _, body, _ = read_md(path)
            defs = re.findall(r"(?m)^\[\^(\d+)\]: \S", body)
            refs = re.findall(r"\[\^(\d+)\](?!:)", body)
            self.assertEqual(sorted(set(refs), key=int), defs, path)
            self.assertEqual(defs, [str(i) for i in range(1, len(defs) + 1)], path)
            self.assertEqual(len(refs), len(set(refs)), path)

    def test_known_footnote_places(self):
        q5 = read_md(os.path.join(self.out, "phan-1", "cau-05.md"))[1]
        self.assertIn("các nước ASEAN[^1].", q5)
        self.assertIn("tại Việt Nam là 9,8%/năm[^5].", q5)
        q7 = read_md(os.path.join(self.out, "phan-1", "cau-07.md"))[1]
        self.assertIn("GDP năm 2025[^3].", q7)
        self.assertIn("khoảng 2,1 triệu)", q7)
        self.assertIn("trên môi trường số[^4].", q7)
        q43 = read_md(os.path.join(self.out, "phan-2", "cau-43.md"))[1]
        self.assertIn("[^1]: Xem “Tổng Bí thư: Đổi mới sáng tạo là “cây gậy thần”", q43)
        q62 = read_md(os.path.join(self.out, "phan-3", "cau-62.md"))[1]
        self.assertIn("cung cấp các kiến thức và kỹ năng toàn diện trong 5 lĩnh vực", q62)
        self.assertIn("giáo dục STEAM[^1], tăng cường liên ngành", q62)

    def test_preface_and_speech(self):
        fm, body, _ = read_md(os.path.join(self.out, "loi-noi-dau.md"))
        self.assertTrue(body.strip().startswith("Hiện nay, phát triển khoa học"))
        self.assertNotIn("\nH\n", body)
        self.assertIn("còn nhiều thách thức.\n\nTrong bối cảnh đó", body)
        fm, body, _ = read_md(os.path.join(self.out, "phat-bieu.md"))
        self.assertIn('author: "GS.TS. TÔ LÂM"', fm)
        self.assertIn("date: 2025-01-13", fm)
        self.assertTrue(body.strip().startswith("Thưa các đồng chí lãnh đạo"))
        self.assertTrue(body.rstrip().endswith("(B.T)."))
        self.assertIn("khí thế và thắng lợi mới.", body)

    def test_output_passes_the_fidelity_gate(self):
        """The converter's files, as content/hoi-dap/, match the book word for
        word (scripts/fidelity.py: every unit, foot-note and marker)."""
        import fidelity_compare as fc
        import fidelity_units as fu
        content = os.path.dirname(self.out)
        rep = fc.Report()
        fu.compare_book(rep, fc.read_allow(), content, cr.SOURCES)
        self.assertEqual([f"{p.where}: {p.message}" for p in rep.problems], [])
        self.assertEqual(rep.stats["003 hoi-dap/**"]["words"], 36566)


if __name__ == "__main__":
    unittest.main()
