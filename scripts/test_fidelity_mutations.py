"""Mutation test of the fidelity gate (scripts/fidelity.py).

Each mutation applies one kind of error to a temporary copy of content/ (the
errors of issue 17 and others: a word, a figure, a date, a document number, a
foot-note, a duplicated sentence, a moved paragraph, a target field …) and
asserts that the gate fails and names the file, the line and the words.

Run: python3 -m unittest scripts/test_fidelity_mutations.py   (about a minute)
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_read as cr  # noqa: E402
import fidelity as fd  # noqa: E402


def replace(old, new, count=1):
    """An edit: `old` (occurring exactly `count` times) -> `new`."""
    def apply(text):
        n = text.count(old)
        if n != count:
            raise AssertionError(f"mutation text found {n} times, expected {count}: {old!r}")
        return text.replace(old, new)
    return apply


def regex(pattern, new, flags=re.S):
    def apply(text):
        out, n = re.subn(pattern, new, text, count=1, flags=flags)
        if n != 1:
            raise AssertionError(f"mutation pattern not found: {pattern!r}")
        return out
    return apply


def body_only(text):
    """The front matter alone: the whole answer deleted."""
    return text.split("\n---\n", 1)[0] + "\n---\n"


def swap_paragraphs(i, j):
    def apply(text):
        head, body = text.split("\n---\n", 1)
        paras = body.split("\n\n")
        paras[i], paras[j] = paras[j], paras[i]
        return head + "\n---\n" + "\n\n".join(paras)
    return apply


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


Q = "hoi-dap/phan-{}/cau-{:02d}.md".format
TINH_UY, QUANG_YEN = "huong-dan/tinh-uy.md", "huong-dan/quang-yen.md"
TASK_1_000 = ("(1) [Nâng cao nhận thức, đột phá về đổi mới tư duy](task:1), xác định quyết tâm chính trị mạnh mẽ, "
              "quyết liệt lãnh đạo, chỉ đạo, tạo xung lực mới, khí thế mới trong toàn xã hội về phát triển khoa học, "
              "công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.")

# (name, [(file, edit)], file the gate must name, words its message must quote)
MUTATIONS = [
    # the errors of issue 17
    ("question 33's whole answer deleted", [(Q(2, 33), body_only)], Q(2, 33), "thiếu"),
    ("an invented sentence added to question 15",
     [(Q(2, 15), replace("mức trên trung bình của thế giới](target:nang-luc-cong-nghe-doanh-nghiep-2030).",
                         "mức trên trung bình của thế giới](target:nang-luc-cong-nghe-doanh-nghiep-2030). "
                         "Mục tiêu này được toàn dân ủng hộ."))],
     Q(2, 15), "Mục tiêu này được toàn dân ủng hộ."),
    ("two paragraphs of question 1 swapped", [(Q(1, 1), swap_paragraphs(2, 3))], Q(1, 1), "Thứ"),
    ("a foot-note marker of question 5 moved to another sentence",
     [(Q(1, 5), replace("các nước ASEAN[^1].", "các nước ASEAN.")),
      (Q(1, 5), replace("tầm quốc tế đã được thành lập", "tầm quốc tế[^1] đã được thành lập"))],
     Q(1, 5), "ASEAN."),
    ("in 004, 000's wording pasted over 004's own",
     [(QUANG_YEN, regex(r"\(1\) \[Nâng cao nhận thức.*?quốc gia\.", TASK_1_000.replace("\\", "\\\\")))],
     QUANG_YEN, "quyết liệt"),
    ("in 004, a wrong tone mark: nghiêm tục", [(QUANG_YEN, replace("nghiêm túc,", "nghiêm tục,"))],
     QUANG_YEN, "nghiêm [tục,]"),
    ("in 004, a wrong tone mark: Quỷ I/2025", [(QUANG_YEN, replace("- Thời gian: Trong Quý I/2025.", "- Thời gian: Trong Quỷ I/2025."))],
     QUANG_YEN, "Quỷ"),
    ("in 004, a wrong tone mark: lửu đồng", [(QUANG_YEN, replace("lưu động", "lửu đồng"))],
     QUANG_YEN, "lửu"),
    ("tfp-2030's figure changed to >65%", [("nghi-quyet/muc-tieu/tfp-2030.md", replace('figure: ">55%"', 'figure: ">65%"'))],
     "nghi-quyet/muc-tieu/tfp-2030.md", ">65%"),
    ("kinh-te-so-2045 given year 2030",
     [("nghi-quyet/muc-tieu/kinh-te-so-2045.md", replace("year: 2045", "year: 2030"))],
     "nghi-quyet/muc-tieu/kinh-te-so-2045.md", "year: 2030"),
    ("30% GDP changed to 50% in a guidance",
     [(TINH_UY, replace("Quy mô kinh tế số đạt tối thiểu 30% GDP", "Quy mô kinh tế số đạt tối thiểu 50% GDP"))],
     TINH_UY, "50%"),
    ("2% GDP changed to 3% in question 17", [(Q(2, 17), replace("đạt 2% GDP", "đạt 3% GDP"))], Q(2, 17), "3%"),
    # other kinds of error
    ("a word changed", [(Q(1, 1), replace("ngày càng gay gắt", "ngày càng quyết liệt"))], Q(1, 1), "quyết liệt"),
    ("a word's case changed", [(Q(1, 1), replace("\nĐảng ta phải ban hành", "\nđảng ta phải ban hành"))], Q(1, 1), "đảng"),
    ("a figure changed in front matter (target value)",
     [("nghi-quyet/muc-tieu/tfp-2030.md", replace('value: "trên 55%"', 'value: "trên 65%"'))],
     "nghi-quyet/muc-tieu/tfp-2030.md", "trên 65%"),
    ("a figure changed in front matter (infographic)",
     [("infographic.md", replace('summary_text: "≥30% GDP Quy mô kinh tế số."', 'summary_text: "≥35% GDP Quy mô kinh tế số."'))],
     "infographic.md", "≥35% GDP"),
    ("a date changed in the text", [("hoi-dap/loi-noi-dau.md", replace("ngày 22/12/2024, Bộ Chính trị", "ngày 23/12/2024, Bộ Chính trị"))],
     "hoi-dap/loi-noi-dau.md", "23/12/2024"),
    ("a date changed in front matter", [("hoi-dap/phat-bieu.md", replace("date: 2025-01-13", "date: 2025-01-14"))],
     "hoi-dap/phat-bieu.md", "2025-01-14"),
    ("a number in a document number changed",
     [(Q(1, 2), replace("Đảng ta ban hành Nghị quyết số 57-NQ/TW vào", "Đảng ta ban hành Nghị quyết số 52-NQ/TW vào"))],
     Q(1, 2), "52-NQ/TW"),
    ("a document number changed in front matter",
     [(QUANG_YEN, replace('number: "91-HD/BTGTU"', 'number: "97-HD/BTGTU"'))], QUANG_YEN, "97-HD/BTGTU"),
    ("a foot-note removed (marker and definition)",
     [(Q(1, 5), replace("là 9,8%/năm[^5].", "là 9,8%/năm.")), (Q(1, 5), regex(r"\n\[\^5\]: [^\n]*", ""))],
     Q(1, 5), "9,8%/năm."),
    ("a foot-note's text changed", [(Q(1, 5), replace("[^5]: Https://vneconomy.vn/, ngày 29/3/2024.",
                                                       "[^5]: Https://vneconomy.vn/, ngày 29/4/2024."))],
     Q(1, 5), "29/4/2024"),
    ("a sentence duplicated",
     [(Q(1, 5), replace("Ngoài ra, nhiều địa phương đang chủ động đầu tư hạ tầng cho nông nghiệp công nghệ cao.",
                        "Ngoài ra, nhiều địa phương đang chủ động đầu tư hạ tầng cho nông nghiệp công nghệ cao. "
                        "Ngoài ra, nhiều địa phương đang chủ động đầu tư hạ tầng cho nông nghiệp công nghệ cao."))],
     Q(1, 5), "Ngoài ra"),
    ("a paragraph moved across units (question 1 -> question 2)",
     [(Q(1, 1), regex(r"\n\nThứ năm, [^\n]*", "")),
      (Q(1, 2), lambda t: t.rstrip("\n") + "\n\n" + re.search(r"Thứ năm, [^\n]*",
                                                             read(os.path.join(cr.CONTENT, Q(1, 1)))).group(0) + "\n")],
     Q(1, 2), "Thứ năm"),
    ("a question's title changed", [(Q(2, 20), regex(r'^title: "Câu hỏi 20: ', 'title: "Câu hỏi 20: Nhóm ', re.M))],
     Q(2, 20), "Nhóm"),
    ("a viewpoint truncated", [("nghi-quyet/quan-diem/quan-diem-1.md", replace(", giàu mạnh trong kỷ nguyên mới.", "."))],
     "nghi-quyet/quan-diem/quan-diem-1.md", "giàu mạnh"),
    ("a task file given another task's text",
     [("nghi-quyet/nhiem-vu/nhiem-vu-3.md", replace("Tăng cường đầu tư, hoàn thiện hạ tầng cho",
                                                    "Phát triển, trọng dụng nhân lực chất lượng cao, nhân tài cho"))],
     "nghi-quyet/nhiem-vu/nhiem-vu-3.md", "nhân tài"),
    ("a target moved to another group", [("nghi-quyet/muc-tieu/tfp-2030.md", replace('group: "kinh-te-xa-hoi"', 'group: "tiem-luc"'))],
     "nghi-quyet/muc-tieu/tfp-2030.md", "group: tiem-luc"),
    ("a source typo silently corrected", [(Q(3, 75), replace("hòi hương, tạo môi trường", "hồi hương, tạo môi trường"))],
     Q(3, 75), "[hồi] hương"),
    ("a source typo kept without a note", [(TINH_UY, regex(r" Giữ nguyên như bản gốc: «hệ thống trị trị tinh gọn»[^«]*«[^»]*»\),", " Giữ nguyên như bản gốc:"))],
     TINH_UY, "trị trị"),
    ("a heading of a guidance changed", [(TINH_UY, replace("### 2. Yêu cầu {#yeu-cau}", "### 2. Các yêu cầu {#yeu-cau}"))],
     TINH_UY, "Các"),
    ("a letterhead field changed", [(QUANG_YEN, replace('date_text: "ngày 24 tháng 01 năm 2025"', 'date_text: "ngày 25 tháng 01 năm 2025"'))],
     QUANG_YEN, "ngày 25 tháng 01 năm 2025"),
    ("a quotation in notes that no source prints",
     [("huong-dan/binh-phuoc.md", replace("chỉ in “Số -HD/BTGTU”", "chỉ in “Số 12-HD/BTGTU”"))],
     "huong-dan/binh-phuoc.md", "Số 12-HD/BTGTU"),
    ("a whole invented question file",
     [(Q(3, 76), lambda _t: '---\ntitle: "Câu hỏi 76: Hỏi thêm?"\ntype: "question"\nnumber: 76\npart: 3\n'
                             'question: "Hỏi thêm?"\nweight: 76\n---\n\nMột câu trả lời không có trong sách.\n')],
     Q(3, 76), "không ứng với đơn vị nào"),
]


class TestMutations(unittest.TestCase):
    """Every mutation fails the gate, naming the file, a line and the words."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.base = os.path.join(cls.tmp, "base")
        shutil.copytree(cr.CONTENT, cls.base)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def mutate(self, k, edits):
        content = os.path.join(self.tmp, f"m{k}")
        shutil.copytree(self.base, content)
        for rel, edit in edits:
            p = os.path.join(content, rel)
            text = ""
            if os.path.exists(p):
                with open(p, encoding="utf-8") as f:
                    text = f.read()
            with open(p, "w", encoding="utf-8") as f:
                f.write(edit(text))
        return content

    def test_the_unchanged_copy_passes(self):
        rep = fd.run(self.base)
        self.assertEqual([f"{p.where}: {p.message}" for p in rep.problems], [])

    def test_every_mutation_fails_and_is_named(self):
        for k, (name, edits, file, quote) in enumerate(MUTATIONS):
            with self.subTest(mutation=name):
                content = self.mutate(k, edits)
                rep = fd.run(content)
                self.assertTrue(rep.problems, f"{name}: the gate passed")
                named = [p for p in rep.problems
                         if re.match(re.escape(f"content/{file}") + r":\d+$", p.where) and quote in p.message]
                self.assertTrue(named, f"{name}: no problem names content/{file}:LINE with «{quote}»; got:\n"
                                + "\n".join(f"{p.where}: {p.message}" for p in rep.problems))
                shutil.rmtree(content)

    def test_exit_status_and_message_format(self):
        content = self.mutate("cli", MUTATIONS[11][1])
        import io
        out = io.StringIO()
        self.assertEqual(fd.report(fd.run(content), out=out), 1)
        text = out.getvalue()
        self.assertRegex(text, r"content/hoi-dap/phan-2/cau-17\.md:\d+: lỗi: .*số liệu khác bản gốc")
        self.assertIn("cách sửa:", text)


class TestRestorationMutations(unittest.TestCase):
    """A wrong restoration of 004 fails even when the content follows it."""

    def test_wrong_tone_mark_in_restoration_and_content(self):
        import restoration
        with tempfile.TemporaryDirectory() as tmp:
            sources = os.path.join(tmp, "sources")
            shutil.copytree(cr.SOURCES, sources)
            p = os.path.join(sources, cr.RESTORATION)
            with open(p, encoding="utf-8") as f:
                text = f.read()
            self.assertEqual(text.count("nghiêm túc,"), 1)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text.replace("nghiêm túc,", "nghiêm tục,"))
            probs = restoration.check(sources)
            self.assertTrue(any(w.startswith(f"sources/{cr.RESTORATION}:") or cr.RESTORATION in w
                                for w, m, _ in probs if "tục" in m), probs)


if __name__ == "__main__":
    unittest.main()
