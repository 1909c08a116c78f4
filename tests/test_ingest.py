"""Ingest: the documents of a raw folder, PDF text layers cached by content, a document of several files, pages."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from helpers.errors import DocumentError
from helpers.ingest import layer
from helpers.ingest.document import read_document
from helpers.ingest.layer import split_pages
from helpers.ingest.manifest import MANIFEST_COLUMNS
from helpers.ingest.sources import DocumentSource, discover

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
H = 842


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with one text line per entry on each page (no table)."""
    c = canvas.Canvas(str(path), pagesize=(595, H))
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for k, line in enumerate(lines):
            c.drawString(72, H - 100 - 20 * k, line)
        c.showPage()
    c.save()
    return path


def write_scan(path: Path, n_pages: int) -> Path:
    """A PDF of pages that are only an image: no text layer."""
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (40, 40), "gray").save(image)
    c = canvas.Canvas(str(path), pagesize=(595, H))
    for _ in range(n_pages):
        c.drawImage(str(image), 100, 400, 200, 200)
        c.showPage()
    c.save()
    return path


def test_page_markers_give_each_line_its_page_and_are_blanked():
    text, pages = split_pages("\f1\n甲\n乙\n\f2\n丙")
    assert text.split("\n") == ["", "甲", "乙", "", "丙"]
    assert pages == (1, 1, 1, 2, 2)
    assert split_pages("甲\n乙") == ("甲\n乙", None)


def test_a_pdf_is_extracted_once_then_read_from_the_cache(tmp_path, monkeypatch):
    pdf = write_pdf(tmp_path / "a.pdf", [["收支总表"], ["单位：万元"]])
    first = read_document(DocumentSource("a", (pdf,)), tmp_path / "interim")
    assert (first.extracted_pages, first.cached_pages) == (2, 0)
    assert [line for line, page in zip(first.text.split("\n"), first.pages, strict=True) if line] == ["收支总表",
                                                                                                     "单位：万元"]
    assert {p for line, p in zip(first.text.split("\n"), first.pages, strict=True) if line == "单位：万元"} == {2}

    def never(path):
        raise AssertionError("extracted again")

    monkeypatch.setattr("helpers.ingest.pdf.extract_pdf", never)
    again = read_document(DocumentSource("a", (pdf,)), tmp_path / "interim")
    assert (again.extracted_pages, again.cached_pages) == (0, 2)
    assert again.text == first.text and again.pages == first.pages
    copy = tmp_path / "b.pdf"  # the same bytes under another name: the same cache entry
    copy.write_bytes(pdf.read_bytes())
    assert read_document(DocumentSource("b", (copy,)), tmp_path / "interim").cached_pages == 2


def test_a_cache_entry_of_another_layer_version_is_made_again(tmp_path, monkeypatch):
    pdf = write_pdf(tmp_path / "a.pdf", [["收支总表"]])
    read_document(DocumentSource("a", (pdf,)), tmp_path)
    monkeypatch.setattr(layer, "LAYER_VERSION", layer.LAYER_VERSION + 1)
    assert read_document(DocumentSource("a", (pdf,)), tmp_path).extracted_pages == 1


def test_a_document_of_several_files_numbers_its_pages_on(tmp_path):
    first = write_pdf(tmp_path / "说明.pdf", [["一、部门概况"], ["二、预算情况说明"]])
    second = write_pdf(tmp_path / "报表.pdf", [["收支总表"]])
    raw = read_document(DocumentSource("d", (first, second)), tmp_path / "interim")
    lines = raw.text.split("\n")
    assert raw.pages[lines.index("收支总表")] == 3
    assert [p.label() for p in raw.parts] == ["说明.pdf:1-2", "报表.pdf:3-3"]
    assert raw.layer_file == "documents/d.txt"
    assert (tmp_path / "interim" / raw.layer_file).read_text(encoding="utf-8").split("\n")[lines.index("收支总表")] \
        == "收支总表"


def test_manifest_files_make_one_document_of_several_pdfs(tmp_path):
    write_pdf(tmp_path / "说明.pdf", [["x"]])
    write_pdf(tmp_path / "报表.pdf", [["y"]])
    write_pdf(tmp_path / "other.pdf", [["z"]])
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    row = dict.fromkeys(MANIFEST_COLUMNS, "") | {"doc_id": "dept", "files": "说明.pdf;报表.pdf"}
    pd.DataFrame([row]).to_csv(tmp_path / "manifest.csv", index=False)
    sources, problems = discover(tmp_path)
    assert [(s.doc_id, [f.name for f in s.files]) for s in sources] == [
        ("dept", ["说明.pdf", "报表.pdf"]), ("other", ["other.pdf"])]
    assert problems == []


def test_a_pdf_and_a_text_of_one_doc_id_are_both_refused(tmp_path):
    write_pdf(tmp_path / "a.pdf", [["x"]])
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    sources, problems = discover(tmp_path, pd.DataFrame(columns=["doc_id"]))
    assert sources == []
    assert [str(p) for p in problems] == [f"{tmp_path}: files a.pdf, a.txt claim one doc_id 'a'; none is processed "
                        "(keep one, or list them in the manifest's files column)"]


def test_a_scan_without_text_layer_is_refused_in_one_line(tmp_path):
    scan = write_scan(tmp_path / "scan.pdf", 3)
    with pytest.raises(DocumentError, match=r"^no text layer on any of its 3 pages \(a scanned PDF\?\); OCR is not "
                                            r"supported$"):
        read_document(DocumentSource("scan", (scan,)), tmp_path / "interim")


def test_scanned_pages_inside_a_pdf_are_named(tmp_path):
    text_part = write_pdf(tmp_path / "t.pdf", [["收支总表"]])
    scan = write_scan(tmp_path / "s.pdf", 2)
    raw = read_document(DocumentSource("d", (text_part, scan)), tmp_path / "interim")
    assert [p.scanned_pages for p in raw.parts] == [(), (2, 3)]  # in the document's numbering
    assert raw.problems == (("warning", "s.pdf: pages 1, 2 have images but no text layer (scanned?): whatever they "
                                        "print is not read"),)


def test_page_values_gives_each_line_its_page():
    pages = (1, 1, None, 2)  # line 3 is on no page (a blanked page marker)
    values = layer.page_values(pages, np.array([1, 3, 4, 5, 0]))
    assert values.dtype == "Int64"
    # Lines outside the layer (5, 0) and a line on no page have no page.
    assert values.tolist() == [1, pd.NA, 2, pd.NA, pd.NA]


def test_page_values_leaves_a_row_without_line_without_page():
    lines = np.array([2.0, float("nan")])
    assert layer.page_values((7, 8), lines).tolist() == [8, pd.NA]
    assert layer.page_values(None, lines).tolist() == [pd.NA, pd.NA]
