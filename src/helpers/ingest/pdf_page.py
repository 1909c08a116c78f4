"""One PDF page read once (its characters, ``find_tables`` once, its images) and laid out as blocks of text lines
and table rows, top to bottom.
"""
from __future__ import annotations

from dataclasses import dataclass

from helpers.ingest.pdf_glyphs import BOT, HX, TOP, VY, cluster_lines, detect_direction, line_text, read_glyphs, turn_box
from helpers.ingest.pdf_grid import Grid


@dataclass
class Block:
    top: float
    bottom: float
    lines: list[str]
    is_table: bool


@dataclass
class RawPage:
    number: int
    height: float
    blocks: list[Block]
    n_chars: int
    n_images: int
    rotated: int
    n_tables: int
    n_fake: int
    n_unmapped: int
    text_direction: int


@dataclass
class ParsedPage:
    """What pdfplumber reads from one page (the only part that parses the PDF)."""

    number: int
    width: float
    height: float
    rotation: int
    chars: list[dict]
    cells: list[list[tuple]]  # per table found, its cell boxes
    n_images: int


def parse_page(page) -> ParsedPage:
    """The page's chars, ``find_tables`` once, its images; nothing cropped or filtered."""
    chars = page.chars
    cells = [[tuple(c) for c in t.cells] for t in page.find_tables() if t.cells]
    return ParsedPage(
        number=page.page_number,
        width=float(page.width),
        height=float(page.height),
        rotation=int(page.rotation or 0),
        chars=chars,
        cells=cells,
        n_images=len(page.images),
    )


def layout_page(parsed: ParsedPage) -> RawPage:
    """One pass over the chars: cells by bbox lookup, the rest into visual lines."""
    chars, width, height = parsed.chars, parsed.width, parsed.height
    direction = detect_direction(chars) if chars else 0
    glyphs, n_text, n_cid = read_glyphs(chars, direction, width, height)
    grids = [
        Grid([turn_box(c, direction, width, height) for c in cells])
        for cells in parsed.cells
    ]
    if direction in (90, 270):
        width, height = height, width
    for grid in grids:
        if grid.n_cols == 1:  # a box, or a stack of boxes, around text
            grid.fake = True
    live = [g for g in grids if not g.fake]

    free: list[tuple] = []
    if live:
        for g in glyphs:
            hx, vy = g[HX], g[VY]
            for grid in live:
                k = grid.locate(hx, vy)
                if k >= 0:
                    grid.content[k].append(g)
                    break
            else:
                free.append(g)
        # one-row grids: real unless text runs through their rulings or they are prose
        for grid in live:
            if grid.n_rows == 1 and (
                grid.text_flows_through(free) or grid.is_sentence_row()
            ):
                grid.fake = True
                for cell in grid.content:
                    free.extend(cell)
    else:
        free = glyphs

    blocks: list[Block] = []
    for line in cluster_lines(free):
        text = line_text(line).strip()
        if text:
            blocks.append(
                Block(
                    min(g[TOP] for g in line),
                    max(g[BOT] for g in line),
                    [text],
                    False,
                )
            )
    n_tables = 0
    for grid in grids:
        if grid.fake:
            continue
        rows = grid.rows()
        if rows:
            n_tables += 1
            blocks.append(Block(grid.bbox[1], grid.bbox[3], rows, True))
    blocks.sort(key=lambda b: b.top)
    return RawPage(
        number=parsed.number,
        height=height,
        blocks=blocks,
        n_chars=n_text,
        n_images=parsed.n_images,
        rotated=parsed.rotation,
        n_tables=n_tables,
        n_fake=sum(1 for g in grids if g.fake),
        n_unmapped=n_cid,
        text_direction=direction,
    )
