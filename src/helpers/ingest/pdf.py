"""PDF → text layer: the plain-text format every later stage of the pipeline reads.

The text layer is UTF-8 text, lines separated by ``\\n``.  Each PDF page starts with a
page-marker line, a form feed followed by the page number (``\\f12``), then the page's
content in reading order (top to bottom):

* text outside ruled tables: one line per visual line, CJK joined without spaces, one
  space where the PDF shows a real gap between words;
* ruled tables (pdfplumber ``find_tables``): one line per row, cells joined by TAB,
  every cell kept (a cell covered by a merge is empty), a line break inside a cell
  joined (nothing between CJK characters or digits, one space between ASCII words);
* running page furniture (page numbers, a running header or footer) dropped and
  recorded per page in :attr:`PageLayer.dropped`.

The rules live in ``pdf_glyphs`` (lines), ``pdf_grid`` (tables), ``pdf_page`` (one page) and
``pdf_furniture`` (page numbers, running headers). Entry point: :func:`extract_pdf`.  Damaged, encrypted and empty files raise
:class:`PdfError` with a one-line message.
"""
from __future__ import annotations

import mmap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from helpers.ingest.pdf_furniture import find_furniture
from helpers.ingest.pdf_page import RawPage, layout_page, parse_page

__all__ = ["PageLayer", "PdfError", "PdfLayer", "extract_pdf"]


class PdfError(Exception):
    """A PDF that cannot be turned into a text layer (one-line, human message)."""


@dataclass(frozen=True)
class PageLayer:
    number: int  # 1-based
    lines: list[str]  # content lines (no marker)
    n_chars: int  # characters with text on the page
    n_images: int  # images on the page
    dropped: list[str]  # furniture lines dropped (page numbers, running headers)
    rotated: int  # page rotation in degrees as read
    n_tables: int = 0  # ruled tables emitted as TAB rows
    n_fake_tables: int = 0  # ruled "tables" read as text (boxes behind narrative)
    n_unmapped: int = 0  # chars without a Unicode mapping, extracted as "(cid:N)"
    text_direction: int = 0  # text drawn turned (90/180/270° ccw) and read upright here


@dataclass(frozen=True)
class PdfLayer:
    pages: list[PageLayer] = field(default_factory=list)

    def text(self, first_page: int = 1) -> str:
        """The serialized layer; page markers numbered from ``first_page``."""
        out: list[str] = []
        for i, page in enumerate(self.pages):
            out.append(f"\f{first_page + i}")
            out.extend(page.lines)
        return "\n".join(out) + "\n" if out else ""

    @property
    def scanned_pages(self) -> list[int]:
        """Pages with images but no text characters (need OCR)."""
        return [p.number for p in self.pages if p.n_images and not p.n_chars]

    @property
    def dropped(self) -> int:
        return sum(len(p.dropped) for p in self.pages)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise PdfError(f"{path.name}: file not found")
    if path.is_dir():
        raise PdfError(f"{path.name}: is a directory, not a PDF file")
    size = path.stat().st_size
    if size == 0:
        raise PdfError(f"{path.name}: empty file (0 bytes), not a PDF")
    with path.open("rb") as fh:
        head = fh.read(1024)
        if b"%PDF-" not in head:
            raise PdfError(f"{path.name}: not a PDF file (no %PDF- header)")
        fh.seek(max(0, size - 1024))
        tail = fh.read()
        if b"%%EOF" not in tail:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                if mm.rfind(b"%%EOF") < 0:
                    raise PdfError(
                        f"{path.name}: truncated PDF (no %%EOF end-of-file marker; "
                        f"the file ends after {size} bytes)"
                    )


def _describe(exc: BaseException) -> str:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, BaseException):
        msg = str(inner).strip() or inner.__class__.__name__
        return f"{inner.__class__.__name__}: {msg}".splitlines()[0][:200]
    return str(inner).splitlines()[0][:200] if str(inner) else exc.__class__.__name__


def _is_encryption(exc: BaseException) -> bool:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    return isinstance(inner, (PDFEncryptionError, PDFPasswordIncorrect))


def extract_pdf(path: Path) -> PdfLayer:
    """Read a PDF into its text layer; raise :class:`PdfError` for an unusable file.

    Pages without a text layer are not an error: they come back with no lines, and
    :attr:`PdfLayer.scanned_pages` lists those that carry images.
    """
    path = Path(path)
    _check_file(path)
    name = path.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pdf = pdfplumber.open(path)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
            if _is_encryption(exc):
                inner = exc.args[0] if exc.args else exc
                if isinstance(inner, PDFPasswordIncorrect):
                    raise PdfError(
                        f"{name}: encrypted PDF, needs a password to open"
                    ) from None
                raise PdfError(
                    f"{name}: encrypted PDF, cannot be decrypted ({_describe(exc)})"
                ) from None
            raise PdfError(
                f"{name}: corrupt PDF, cannot be opened ({_describe(exc)})"
            ) from None
        raws: list[RawPage] = []
        with pdf:
            try:
                pages = pdf.pages
            except Exception as exc:  # noqa: BLE001
                raise PdfError(
                    f"{name}: corrupt PDF, page tree unreadable ({_describe(exc)})"
                ) from None
            if not pages:
                raise PdfError(f"{name}: PDF has no pages")
            for page in pages:
                try:
                    parsed = parse_page(page)
                except Exception as exc:  # noqa: BLE001 - any parser failure on a damaged page
                    if _is_encryption(exc):
                        raise PdfError(
                            f"{name}: encrypted PDF, needs a password to open"
                        ) from None
                    raise PdfError(
                        f"{name}: corrupt PDF, page {page.page_number} cannot be read"
                        f" ({_describe(exc)})"
                    ) from None
                finally:
                    page.close()  # release the page's parsed objects before the next
                raws.append(layout_page(parsed))
                del parsed
    drop = find_furniture(raws)
    layers = []
    for p, raw in enumerate(raws):
        lines: list[str] = []
        dropped: list[str] = []
        gone = drop.get(p, ())
        for i, block in enumerate(raw.blocks):
            (dropped if i in gone else lines).extend(block.lines)
        layers.append(
            PageLayer(
                number=raw.number,
                lines=lines,
                n_chars=raw.n_chars,
                n_images=raw.n_images,
                dropped=dropped,
                rotated=raw.rotated,
                n_tables=raw.n_tables,
                n_fake_tables=raw.n_fake,
                n_unmapped=raw.n_unmapped,
                text_direction=raw.text_direction,
            )
        )
    return PdfLayer(layers)
