"""The PDF → text layer step (helpers.ingest.pdf): tiny PDFs drawn here with reportlab, then the real corpus
(../shared/corpus-pdf, skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from helpers.ingest.pdf import PdfError, PdfLayer, extract_pdf

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
CJK = "STSong-Light"  # reportlab's built-in CID font: pdfminer extracts it as Unicode
W, H = 595, 842  # A4 portrait, points


# --------------------------------------------------------------------------- builders
def text(
    c: canvas.Canvas, x: float, top: float, s: str, size: float = 12, font: str = CJK
):
    """Draw s with its baseline `top` points below the top edge of the page."""
    c.setFont(font, size)
    c.drawString(x, H - top, s)
    return x + pdfmetrics.stringWidth(s, font, size)


def cell_box(c: canvas.Canvas, x0: float, top: float, x1: float, bottom: float):
    c.rect(x0, H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)


def cell_lines(c, x0, top, lines, size=12, pad=4, font=CJK):
    """Text lines inside a cell, first baseline `size + pad` below the cell top."""
    for k, s in enumerate(lines):
        text(c, x0 + pad, top + pad + size * (k + 1) + 2 * k, s, size, font)


def save(c: canvas.Canvas) -> None:
    c.showPage()
    c.save()


@pytest.fixture
def pdf_path(tmp_path):
    counter = iter(range(1000))
    return lambda: tmp_path / f"t{next(counter)}.pdf"


def budget_table_pdf(path: Path) -> Path:
    """Title, unit line, a ruled table (merged header, wrapped cells, an empty cell),
    a note below it and a page-number footer."""
    c = canvas.Canvas(str(path), pagesize=(W, H))
    text(c, 200, 60, "2026年部门收支总表", 16)
    text(c, 72, 90, "部门名称：测试局")
    text(c, 440, 90, "单位：万元")
    xs = [72, 232, 392, 512]
    # row 0: 项目 | 预算数 merged over two columns
    cell_box(c, xs[0], 100, xs[1], 120)
    cell_box(c, xs[1], 100, xs[3], 120)
    cell_lines(c, xs[0], 100, ["项目"])
    cell_lines(c, xs[1], 100, ["预算数"])
    # row 1: (empty) | 本年 | 上年
    for k in range(3):
        cell_box(c, xs[k], 120, xs[k + 1], 140)
    cell_lines(c, xs[1], 120, ["本年"])
    cell_lines(c, xs[2], 120, ["上年"])
    # row 2: a name and an amount that wrap over two lines, an empty cell
    for k in range(3):
        cell_box(c, xs[k], 140, xs[k + 1], 176)
    cell_lines(c, xs[0], 140, ["一般公共", "服务支出"])
    cell_lines(c, xs[1], 140, ["264344.9", "0"])
    # row 3: ASCII words wrapping, a code wrapping
    for k in range(3):
        cell_box(c, xs[k], 176, xs[k + 1], 212)
    cell_lines(c, xs[0], 176, ["Budget", "Report"], font="Helvetica")
    cell_lines(c, xs[1], 176, ["4103112400000000803", "9"], font="Helvetica")
    cell_lines(c, xs[2], 176, ["12.00"])
    # row 4: the total
    for k in range(3):
        cell_box(c, xs[k], 212, xs[k + 1], 232)
    cell_lines(c, xs[0], 212, ["合计"])
    cell_lines(c, xs[1], 212, ["1,830.55"])
    cell_lines(c, xs[2], 212, ["12.00"])
    text(c, 72, 252, "注：本表反映部门收支情况。")
    text(c, 285, 815, "- 1 -", 10, "Helvetica")
    save(c)
    return path


def layout_of(path: Path) -> list[str]:
    return extract_pdf(path).pages[0].lines


# --------------------------------------------------------------------------- tables
def test_ruled_table_rows_and_reading_order(pdf_path):
    layer = extract_pdf(budget_table_pdf(pdf_path()))
    page = layer.pages[0]
    assert (
        page.lines
        == [
            "2026年部门收支总表",
            "部门名称：测试局 单位：万元",
            "项目\t预算数\t",  # the merge covers the third column: an empty cell
            "\t本年\t上年",
            "一般公共服务支出\t264344.90\t",  # wrapped CJK and digits joined, empty cell kept
            "Budget Report\t41031124000000008039\t12.00",  # ASCII words keep one space
            "合计\t1,830.55\t12.00",
            "注：本表反映部门收支情况。",  # text below the table comes after its rows
        ]
    )
    assert page.dropped == ["- 1 -"]
    assert page.n_tables == 1 and page.n_fake_tables == 0
    # nothing vanishes: every character is in a line or in the dropped furniture
    assert (
        sum(len("".join(s.split())) for s in page.lines + page.dropped) == page.n_chars
    )
    assert page.n_chars > 50 and page.n_images == 0 and page.rotated == 0


def test_one_cell_row_still_has_a_tab(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    cell_box(c, 72, 100, 372, 120)  # a title row across the grid
    cell_lines(c, 72, 100, ["收支总表（预算表1）"])
    cell_box(c, 72, 120, 222, 140)
    cell_box(c, 222, 120, 372, 140)
    cell_lines(c, 72, 120, ["项目"])
    cell_lines(c, 222, 120, ["金额"])
    save(c)
    assert layout_of(path) == ["收支总表（预算表1）\t", "项目\t金额"]


def test_vertical_header_one_character_per_line(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    cell_box(c, 72, 100, 92, 180)
    cell_box(c, 92, 100, 200, 180)
    cell_lines(c, 72, 100, list("国有资本"), size=10, pad=3)
    cell_lines(c, 92, 100, ["收入"])
    save(c)
    assert layout_of(path) == ["国有资本\t收入"]


def test_word_gap_and_cjk_joining(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    text(c, 72, 100, "部门名称：杭州市气象局")
    text(c, 450, 100, "单位：万元")
    text(c, 72, 130, "合")  # letter-spaced total: a visible gap of one em
    text(c, 96, 130, "计")
    save(c)
    assert layout_of(path) == ["部门名称：杭州市气象局 单位：万元", "合 计"]


def test_lines_cluster_by_vertical_overlap_not_identical_top(pdf_path):
    """The year and the colon on their own baseline, as in typeset (WPS/方正) PDFs."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    x = text(c, 150, 102.5, "2026", 18, "Helvetica")  # 2.5 pt below the CJK baseline
    text(c, x, 100, "年部门收支总体情况表", 18)
    x = text(c, 72, 130, "单位名称")
    x = text(c, x, 131.5, ":", 12, "Helvetica")
    text(c, x, 130, "重庆市科学技术局")
    text(c, 72, 160, "一")
    text(c, 84, 161.5, "、", 12)
    text(c, 96, 160, "一般公共预算资金")
    save(c)
    assert layout_of(path) == [
        "2026年部门收支总体情况表",
        "单位名称:重庆市科学技术局",
        "一、一般公共预算资金",
    ]


# --------------------------------------------------------------------------- fake tables
def test_boxes_behind_narrative_are_text_not_tables(pdf_path):
    """长沙-style narrative: a box behind each run of text, cut through a number."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    x0 = 72
    runs = ["2026年本单位收入预算1935.", "36", "万元，其中一般公共预算拨款"]
    x = x0
    for run in runs:
        x1 = x + pdfmetrics.stringWidth(run, CJK, 12)
        cell_box(c, x, 100, x1, 118)  # the boxes abut: one "row" of three "cells"
        text(c, x, 114, run)
        x = x1
    # a one-column stack of boxes, one behind each line of a paragraph
    cell_box(c, 72, 140, 500, 160)
    cell_box(c, 72, 160, 500, 180)
    cell_lines(c, 72, 140, ["（一）机关运行经费：2026年机关运行经费122.98万元，"])
    cell_lines(c, 72, 160, ["比上年预算增加7.20万元。"])
    save(c)
    page = extract_pdf(path).pages[0]
    assert page.lines == [
        "2026年本单位收入预算1935.36万元，其中一般公共预算拨款",
        "（一）机关运行经费：2026年机关运行经费122.98万元，",
        "比上年预算增加7.20万元。",
    ]
    assert page.n_tables == 0 and page.n_fake_tables == 2


def test_real_one_row_table_is_kept(pdf_path):
    """苏州-style continuation: one row of a table at the top of a new page."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    xs = [30, 90, 280, 380, 480, 560]
    for k in range(5):
        cell_box(c, xs[k], 40, xs[k + 1], 60)
    cell_lines(c, xs[0], 40, ["30399"])
    cell_lines(c, xs[1], 40, ["其他对个人和家庭的补助"])
    text(c, xs[3] - 4 - pdfmetrics.stringWidth("6.00", CJK, 12), 56, "6.00")
    text(c, xs[4] - 4 - pdfmetrics.stringWidth("6.00", CJK, 12), 56, "6.00")
    save(c)
    page = extract_pdf(path).pages[0]
    assert page.lines == ["30399\t其他对个人和家庭的补助\t6.00\t6.00\t"]
    assert page.n_tables == 1 and page.n_fake_tables == 0


# --------------------------------------------------------------------------- furniture
def test_running_header_and_page_numbers_dropped_and_counted(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    bodies = [
        ["第一部分 部门概况", "一、主要职能"],
        ["2026年部门支出总体情况表", "单位：万元", "合计 100.00"],
        ["2026年部门支出总体情况表", "单位：万元", "续表 50.00"],
        ["第四部分 名词解释", "一、财政拨款收入：指财政当年拨付的资金。"],
        ["第五部分 附件"],
    ]
    for n, body in enumerate(bodies, 1):
        text(c, 150, 30, "测试局2026年度部门预算公开", 10)
        for k, s in enumerate(body):
            text(c, 72, 120 + 24 * k, s)
        text(c, 285, 815, f"- {n} -", 10, "Helvetica")
        c.showPage()
    c.save()
    layer = extract_pdf(path)
    for n, (page, body) in enumerate(zip(layer.pages, bodies, strict=True), 1):
        assert page.lines == body
        assert page.dropped == ["测试局2026年度部门预算公开", f"- {n} -"]
    assert layer.dropped == 10
    assert "预算公开" not in layer.text()


def test_repeated_title_followed_by_same_line_is_kept(pdf_path):
    """A title and unit line repeated on each continuation page (then the repeated
    header row) are content, not a running header."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for n in range(1, 5):
        text(c, 150, 40, "2026年项目支出绩效目标表", 14)
        text(c, 72, 60, "部门名称：测试局 单位：万元")
        for r, (a, b) in enumerate([("项目名称", "金额"), (f"项目{n}", f"{n}.00")]):
            cell_box(c, 72, 70 + 20 * r, 272, 90 + 20 * r)
            cell_box(c, 272, 70 + 20 * r, 472, 90 + 20 * r)
            cell_lines(c, 72, 70 + 20 * r, [a])
            cell_lines(c, 272, 70 + 20 * r, [b])
        c.showPage()
    c.save()
    for n, page in enumerate(extract_pdf(path).pages, 1):
        assert page.lines == [
            "2026年项目支出绩效目标表",
            "部门名称：测试局 单位：万元",
            "项目名称\t金额",
            f"项目{n}\t{n}.00",
        ]
        assert page.dropped == []


def test_two_line_running_header(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for n in range(1, 5):
        text(c, 150, 24, "测试局", 9)
        text(c, 150, 38, "2026年度部门预算公开", 9)
        text(c, 72, 120, f"正文第{n}页：" + "甲乙丙丁"[n - 1] * n)
        c.showPage()
    c.save()
    for page in extract_pdf(path).pages:
        assert page.dropped == ["测试局", "2026年度部门预算公开"]
        assert len(page.lines) == 1


def test_table_labels_at_the_top_are_not_a_running_header(pdf_path):
    """表1, 表2 … at the same place on every page: equal once digits are masked, but
    the number does not follow the page number."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    titles = [
        "收支总体情况表",
        "收入总体情况表",
        "支出总体情况表",
        "财政拨款收支总体情况表",
    ]
    for n, title in enumerate(titles, 1):
        text(c, 72, 40, f"表{2 * n - 1}")
        text(c, 200, 70, title, 14)
        text(c, 72, 300, f"正文{n}")
        c.showPage()
    c.save()
    for n, (page, title) in enumerate(zip(extract_pdf(path).pages, titles, strict=True), 1):
        assert (
            page.lines == [f"表{2 * n - 1}", title, f"正文{n}"] and page.dropped == []
        )


def test_running_footer_with_page_number_inside(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for n in range(1, 5):
        text(c, 72, 120, f"第{n}页的正文，内容各不相同{n * 7}")
        text(c, 200, 815, f"测试局部门预算 第{n + 2}页", 9)
        c.showPage()
    c.save()
    for n, page in enumerate(extract_pdf(path).pages, 1):
        assert page.lines == [f"第{n}页的正文，内容各不相同{n * 7}"]
        assert page.dropped == [f"测试局部门预算 第{n + 2}页"]


def test_number_in_body_is_not_a_page_number(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    text(c, 72, 400, "13")
    text(c, 72, 424, "正文")
    save(c)
    page = extract_pdf(path).pages[0]
    assert page.lines == ["13", "正文"] and page.dropped == []


# --------------------------------------------------------------------------- scans, markers
def test_image_only_page_is_scanned_not_an_error(pdf_path):
    from PIL import Image

    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    text(c, 72, 100, "第一页有文字")
    c.showPage()
    img = Image.new("RGB", (60, 80), (200, 200, 200))
    c.drawImage(ImageReader(img), 72, 300, width=300, height=400)
    c.showPage()
    c.save()
    layer = extract_pdf(path)
    assert [p.n_images for p in layer.pages] == [0, 1]
    assert layer.pages[1].n_chars == 0 and layer.pages[1].lines == []
    assert layer.scanned_pages == [2]
    assert (
        layer.text() == "\f1\n第一页有文字\n\f2\n"
    )  # the marker even for an empty page


def test_page_markers_numbered_from_first_page(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for s in ("甲", "乙", "丙"):
        text(c, 72, 100, s)
        c.showPage()
    c.save()
    layer = extract_pdf(path)
    assert layer.text() == "\f1\n甲\n\f2\n乙\n\f3\n丙\n"
    assert layer.text(first_page=12) == "\f12\n甲\n\f13\n乙\n\f14\n丙\n"
    assert [p.number for p in layer.pages] == [1, 2, 3]


def test_rotated_page(pdf_path):
    """/Rotate 90 with the content drawn turned the other way: reads upright."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.saveState()
    c.translate(100, 100)
    c.rotate(90)
    c.setFont(CJK, 12)
    c.drawString(0, 0, "横向页面的表格标题")
    c.restoreState()
    c.showPage()
    c.save()
    data = path.read_bytes()
    marker = b"/Type /Page"
    k = (
        data.index(marker + b" ")
        if marker + b" " in data
        else data.index(marker + b"\n")
    )
    path.write_bytes(data[: k + len(marker)] + b" /Rotate 90" + data[k + len(marker) :])
    page = extract_pdf(path).pages[0]
    assert page.rotated == 90
    assert page.lines == ["横向页面的表格标题"]


def test_sideways_table_on_portrait_page(pdf_path):
    """A landscape table set turned on a portrait page (no /Rotate): read upright."""
    path = pdf_path()
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.saveState()
    c.translate(W, 0)
    c.rotate(
        90
    )  # now x runs up the page, y to the left: a landscape sheet H wide, W high

    def put(x, top, s, size=12):
        c.setFont(CJK, size)
        c.drawString(x, W - top, s)

    put(300, 60, "2026年部门收支总表", 16)
    xs = [72, 272, 472]
    for r, (a, b) in enumerate([("项目", "金额"), ("合计", "1,830.55")]):
        top = 80 + 20 * r
        for k in range(2):
            c.rect(xs[k], W - top - 20, xs[k + 1] - xs[k], 20, stroke=1, fill=0)
        put(xs[0] + 4, top + 16, a)
        put(xs[1] + 4, top + 16, b)
    put(72, 140, "注：本表为横排。")
    c.restoreState()
    save(c)
    page = extract_pdf(path).pages[0]
    assert page.text_direction == 90 and page.rotated == 0
    assert page.lines == [
        "2026年部门收支总表",
        "项目\t金额",
        "合计\t1,830.55",
        "注：本表为横排。",
    ]


# --------------------------------------------------------------------------- errors
def test_encrypted_pdf_needs_password(pdf_path):
    path = pdf_path()
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("user-pw", "owner-pw"))
    text(c, 72, 100, "机密")
    save(c)
    with pytest.raises(PdfError, match="encrypted.*password") as err:
        extract_pdf(path)
    assert "\n" not in str(err.value)


def test_owner_password_only_is_readable(pdf_path):
    """Restrictions without a user password: pdfminer decrypts with the empty password.
    (Helvetica: reportlab mis-encrypts the CIDSystemInfo strings of its CID fonts.)"""
    path = pdf_path()
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("", "owner-pw", canCopy=0))
    text(c, 72, 100, "Budget 2026", font="Helvetica")
    save(c)
    assert layout_of(path) == ["Budget 2026"]


def test_truncated_pdf(pdf_path):
    good = budget_table_pdf(pdf_path())
    cut = pdf_path()
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PdfError, match="truncated") as err:
        extract_pdf(cut)
    assert cut.name in str(err.value) and "\n" not in str(err.value)


def test_corrupt_pdf(pdf_path):
    good = budget_table_pdf(pdf_path())
    bad = pdf_path()
    data = good.read_bytes()
    bad.write_bytes(
        data[:15] + b"\x00garbage" * 200 + data[-40:]
    )  # header and %%EOF kept
    with pytest.raises(PdfError, match="corrupt") as err:
        extract_pdf(bad)
    assert "\n" not in str(err.value)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text("部门预算公开\t这是文本文件\n", encoding="utf-8")
    with pytest.raises(PdfError, match="not a PDF"):
        extract_pdf(path)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(PdfError, match="empty"):
        extract_pdf(empty)
    with pytest.raises(PdfError, match="not found"):
        extract_pdf(tmp_path / "missing.pdf")


def _minimal_pdf(objects: list[str]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_zero_pages(tmp_path):
    path = tmp_path / "zero.pdf"
    path.write_bytes(
        _minimal_pdf(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [] /Count 0 >>",
            ]
        )
    )
    with pytest.raises(PdfError, match="no pages"):
        extract_pdf(path)


def test_parser_failure_inside_a_page_becomes_pdf_error(pdf_path, monkeypatch):
    path = budget_table_pdf(pdf_path())

    def boom(self):
        raise KeyError("bad font resource")

    monkeypatch.setattr(pdfplumber.page.Page, "chars", property(boom))
    with pytest.raises(PdfError, match=r"corrupt PDF, page 1 cannot be read"):
        extract_pdf(path)


def test_file_is_closed(pdf_path):
    psutil = pytest.importorskip("psutil")
    path = budget_table_pdf(pdf_path())
    extract_pdf(path)
    open_now = {Path(f.path).name for f in psutil.Process(os.getpid()).open_files()}
    assert path.name not in open_now
    with pytest.raises(PdfError):
        bad = pdf_path()
        bad.write_bytes(path.read_bytes()[:300])
        extract_pdf(bad)
    open_now = {Path(f.path).name for f in psutil.Process(os.getpid()).open_files()}
    assert bad.name not in open_now


def test_pdf_layer_accepts_str_path(pdf_path):
    path = budget_table_pdf(pdf_path())
    assert isinstance(extract_pdf(str(path)), PdfLayer)


# --------------------------------------------------------------------------- corpus
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-pdf"
corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus-pdf not present")

_cache: dict[str, PdfLayer] = {}


def doc(name: str) -> PdfLayer:
    if name not in _cache:
        _cache[name] = extract_pdf(CORPUS / f"{name}_2026.pdf")
    return _cache[name]


def page_lines(name: str, number: int) -> list[str]:
    return doc(name).pages[number - 1].lines


@corpus
def test_chongqing_keji_typeset_baselines():
    lines = page_lines("chongqing-chongqing-keji", 8)  # 表一, printed page "— 8 —"
    assert lines[:3] == [
        "表一",
        "2026年部门收支总体情况表",
        "单位名称：重庆市科学技术局 单位：万元",
    ]
    assert "合 计\t168,441.81\t合 计\t168,441.81" in lines
    assert "一、一般公共预算资金\t154,304.22\t一、一般公共服务支出\t5,183.00" in lines
    assert lines[-1] == "注：由于四舍五入因素，部分分项加和与合计可能略有差异，下同。"
    assert doc("chongqing-chongqing-keji").pages[7].dropped == ["— 8 —"]
    assert "30213\t维修（护）费\t1.00\t\t1.00" in page_lines(
        "chongqing-chongqing-keji", 21
    )


@corpus
def test_chongqing_zhengfuban_totals():
    lines = page_lines("chongqing-chongqing-zhengfuban", 9)
    assert "合计\t19,230.18\t合计\t19,230.18" in lines
    assert "五、事业收入资金\t812.48\t五、资源勘探工业信息等支出\t673.17" in lines


@corpus
def test_guangdong_table1_totals_on_its_second_page():
    lines = page_lines("guangdong-guangzhou-weijian", 8)  # printed "- 6 -"
    assert "收入总计\t3,324,258.76\t支出总计\t3,324,258.76" in lines
    assert "上年结转结余\t0.00\t结转结余下年\t0.00" in lines
    assert doc("guangdong-guangzhou-weijian").pages[7].dropped == ["- 6 -"]


@corpus
def test_zhejiang_sangong_row_and_letter_spaced_totals():
    lines = page_lines("zhejiang-hangzhou-qixiang", 21)  # 表7, printed page 20
    assert lines[0] == "表7：2026年市级部门一般公共预算“三公”经费预算表"
    assert "合计\t24.02\t\t18.00\t\t18.00\t6.02" in lines
    assert (
        "杭州市气象服务中心（杭州市预警信息发布中心）\t10.89\t\t10.80\t\t10.80\t0.09"
        in lines
    )
    assert "**\t1\t2\t3\t4\t5\t6" in lines
    assert "收 入 总 计\t5,876.67\t支 出 总 计\t5,876.67" in page_lines(
        "zhejiang-hangzhou-qixiang", 15
    )


@corpus
def test_fujian_sangong_list_and_key_value_grid():
    lines = page_lines("fujian-quanzhou-zhengfuban", 22)  # 十、 printed page 19
    assert lines[:3] == [
        "十、一般公共预算“三公”经费支出预算表",
        "2026年度一般公共预算“三公”经费支出预算表",
        "单位：万元",
    ]
    assert "合计\t312.75" in lines and "2、公务接待费\t18.85" in lines
    grid = page_lines("fujian-quanzhou-zhengfuban", 29)
    assert grid[0] == "市级机关保留公务用车委托管理费项目绩效目标表"
    assert grid[1].startswith("专项资金情况（万元）\t资金总额：\t1778.31")
    assert "\t产出指标\t时效指标\t目标完成率\t≥90%" in grid


@corpus
def test_jilin_vertical_headers_read_horizontally():
    lines = page_lines(
        "jilin-changchun-xinfang", 7
    )  # 收入总表(预算表2), no printed number
    assert lines[0].startswith("收入总表(预算表2)\t")
    header = lines[3].split("\t")
    assert "国有资本经营预算" in header and "事业单位经营收入" in header
    assert lines[4].startswith("105001\t长春市信访局\t1682.76\t1682.76\t1682.76\t0.00")


@corpus
def test_suzhou_running_header_and_continuation_row():
    layer = doc("jiangsu-suzhou-ziranziyuanbenji")
    page = layer.pages[18]  # a one-row continuation of 公开07表, printed "- 18 -"
    assert page.lines == ["30399\t其他对个人和家庭的补助\t6.00\t6.00\t"]
    assert page.dropped == ["苏州市自然资源和规划局2026年度单位预算公开", "- 18 -"]
    assert "苏州市自然资源和规划局2026年度单位预算公开" not in layer.text()
    assert sum(1 for p in layer.pages if p.dropped) == 40
    lines = page_lines("jiangsu-suzhou-ziranziyuan", 11)
    assert lines[:3] == [
        "公开01表",
        "收支总表",
        "部门：苏州市自然资源和规划局 单位：万元",
    ]
    assert "收入总计\t86,999.14\t支出总计\t86,999.14" in lines


@corpus
def test_hunan_narrative_boxes_are_text():
    page = doc("hunan-changsha-xinfang").pages[7]
    assert page.n_fake_tables == 28 and page.n_tables == 0
    assert not any("\t" in line for line in page.lines)
    assert "122.98万元，比上年预算增加7.20万元，上升6.22%。主要是" in page.lines
    assert "（二）“三公”经费预算：2026年长沙市信访局“三公”" in page.lines
    toc = page_lines("hunan-changsha-xinfang", 2)
    assert "1、部门收支总表" in toc and "10、部门整体支出绩效目标表" in toc
    table = page_lines("hunan-changsha-xinfang", 12)  # the real tables stay tables
    assert "收 入 总 计\t1,935.36\t支 出 总 计\t1,935.36" in table


@corpus
def test_no_real_table_read_as_text_anywhere():
    """Every one-row or one-column grid the corpus has outside 湖南 is a real table."""
    for path in sorted(CORPUS.glob("*.pdf")):
        layer = doc(path.name.removesuffix("_2026.pdf"))
        fakes = sum(p.n_fake_tables for p in layer.pages)
        if path.name.startswith("hunan-"):
            assert fakes > 100
        else:
            assert fakes == 0, path.name


@corpus
def test_every_character_is_accounted_for():
    """Per page, the characters of the content lines and of the dropped furniture add
    up to the characters pdfplumber reads: nothing vanishes silently."""
    for path in sorted(CORPUS.glob("*.pdf")):
        for page in doc(path.name.removesuffix("_2026.pdf")).pages:
            got = sum(len("".join(s.split())) for s in page.lines + page.dropped)
            assert got == page.n_chars, (path.name, page.number)
            assert page.n_unmapped == 0 and page.text_direction == 0
