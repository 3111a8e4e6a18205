"""Tests for scripts/corpus_check.py.

Run: python3 -m unittest discover -s scripts -p 'test_*.py'
"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_check as cc  # noqa: E402
import corpus_read as cr  # noqa: E402


class TestCorpusShape(unittest.TestCase):
    def test_the_shipped_corpus_has_its_shape(self):
        self.assertEqual(cc.Checker(cr.CONTENT).run(), [])

    def test_each_broken_fact_is_reported_with_its_place(self):
        cases = [
            (lambda c: os.remove(os.path.join(c, "hoi-dap/phan-2/cau-40.md")),
             ["content/hoi-dap/: lỗi: số câu hỏi: có 74, cần 75", "câu hỏi 40 có 0 tệp"]),
            (lambda c: edit(c, "nghi-quyet/muc-tieu/tfp-2030.md", "year: 2030", "year: 2031"),
             ["content/nghi-quyet/muc-tieu/: lỗi: mục tiêu theo năm"]),
            (lambda c: edit(c, "nghi-quyet/quan-diem/quan-diem-5.md", "id: 5", "id: 4"),
             ["id của các viewpoint: có [1, 2, 3, 4, 4], cần [1, 2, 3, 4, 5]"]),
            (lambda c: edit(c, "huong-dan/tinh-uy.md", "place: null\n", ""),
             ["content/huong-dan/tinh-uy.md:1: lỗi: hướng dẫn `tinh-uy` thiếu trường `place`"]),
            (lambda c: edit(c, "hoi-dap/phan-1/cau-03.md", "part: 1", "part: 2"),
             ["content/hoi-dap/phan-1/cau-03.md:5: lỗi: câu hỏi 3 thuộc phần 1"]),
            (lambda c: edit(c, "huong-dan/tinh-uy.md", "](target:tfp-2030)", "]"),
             ["content/nghi-quyet/muc-tieu/tfp-2030.md:10: lỗi: hướng dẫn `tinh-uy` nêu mục tiêu `tfp-2030` 0 lần"]),
            (lambda c: edit(c, "infographic.md", 'target: "tfp-2030"', 'target: "tfp-2031"'),
             ["content/infographic.md:8: lỗi: infographic nêu mục tiêu không có: `tfp-2031`"]),
        ]
        for mutate, needles in cases:
            with self.subTest(needles=needles[0]), tempfile.TemporaryDirectory() as tmp:
                content = os.path.join(tmp, "content")
                shutil.copytree(cr.CONTENT, content)
                mutate(content)
                problems = "\n".join(cc.Checker(content).run())
                for n in needles:
                    self.assertIn(n, problems)


def edit(content, rel, old, new):
    p = os.path.join(content, rel)
    with open(p, encoding="utf-8") as f:
        text = f.read()
    assert text.count(old) == 1, (rel, old)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))


if __name__ == "__main__":
    unittest.main()
