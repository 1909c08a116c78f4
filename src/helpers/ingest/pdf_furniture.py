"""Running page furniture, told by position and repetition, never by its words: page numbers in the top or bottom
margin, and a running header or footer repeated at the same place on most pages.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from helpers.ingest.pdf_page import RawPage

# Top/bottom share of the page height where page furniture may sit.
MARGIN_BAND = 0.12


# A running header/footer is on at least this share of the pages, and this many.
FURNITURE_SHARE = 0.5


FURNITURE_MIN_PAGES = 3


# Points: "the same place" on two pages.
FURNITURE_SLACK = 3.0


# A page number by its shape: "13", "- 13 -", "— 8 —", "第 3 页", "3/41", "第3页 共41页",
# "Page 3 of 41".  Only ever tested on the outermost line of the top/bottom margin.
_PAGE_NO_RE = re.compile(
    r"^[-—–－~·•\s]*(?:第\s*)?\d{1,3}\s*(?:页)?\s*"
    r"(?:(?:/|／|of|共)\s*\d{1,4}\s*页?)?[-—–－~·•\s]*$"
    r"|^(?:page|p\.)\s*\d{1,3}(?:\s*(?:/|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)


_DIGITS_RE = re.compile(r"\d+")


def _norm(text: str) -> str:
    return _DIGITS_RE.sub("#", text.replace(" ", ""))


def _edge_candidates(raw: RawPage) -> list[tuple[str, int, float]]:
    """Outermost text lines in the top and bottom margin bands: (side, index, offset)."""
    out = []
    blocks = raw.blocks
    band = MARGIN_BAND * raw.height
    for i in range(min(2, len(blocks))):  # top: at most the two first lines
        b = blocks[i]
        if b.is_table or b.bottom > band:
            break
        out.append(("top", i, b.top))
    for j in range(min(2, len(blocks))):  # bottom: at most the two last lines
        i = len(blocks) - 1 - j
        b = blocks[i]
        if b.is_table or b.top < raw.height - band or any(i == c[1] for c in out):
            break
        out.append(("bottom", i, raw.height - b.bottom))
    return out


def _numbers_follow_pages(raws: list[RawPage], members: dict[int, int]) -> bool:
    """Lines equal once digits are masked: a running header or footer may carry the page
    number (it then grows with the page), never another changing number (``表1``,
    ``表2`` … labels at the top of successive tables)."""
    numbers = {
        p: [int(n) for n in _DIGITS_RE.findall(raws[p].blocks[i].lines[0])]
        for p, i in members.items()
    }
    columns = list(zip(*numbers.values(), strict=False)) if numbers else []
    for k, column in enumerate(columns):
        if len(set(column)) == 1:
            continue
        offsets = Counter(nums[k] - p for p, nums in numbers.items())
        if offsets.most_common(1)[0][1] < 0.8 * len(numbers):
            return False
    return True


def find_furniture(raws: list[RawPage]) -> dict[int, set[int]]:
    """Block indexes to drop per page: page numbers and running headers/footers.

    Page number: the outermost line of the top or bottom margin band, shaped like a
    page number (``13``, ``- 13 -``, ``第 3 页``, ``3/41``).

    Running header/footer: a line of the two outermost in a margin band whose text
    (digits masked) recurs at the same distance from the page edge on at least half of
    the pages (and three), with differing content next to it towards the page body.
    A table title repeated on every continuation page is followed each time by the
    same unit line (and that by the same header row), so it stays. Groups are judged
    innermost first, and a line judged furniture is looked past when judging the one
    beyond it (a two-line running header).
    """
    drop: dict[int, set[int]] = defaultdict(set)
    cands = {}
    for p, raw in enumerate(raws):
        cands[p] = _edge_candidates(raw)
        for side, i, _ in cands[p]:
            text = raw.blocks[i].lines[0]
            outermost = (side == "top" and i == 0) or (
                side == "bottom" and i == len(raw.blocks) - 1
            )
            if outermost and _PAGE_NO_RE.match(text.strip()):
                drop[p].add(i)

    # repeated margin lines: key = (side, masked text); offsets must agree within slack
    seen: dict[tuple[str, str], list[tuple[int, int, float]]] = defaultdict(list)
    for p, cs in cands.items():
        for side, i, off in cs:
            if i not in drop[p]:
                seen[(side, _norm(raws[p].blocks[i].lines[0]))].append((p, i, off))
    need = max(FURNITURE_MIN_PAGES, FURNITURE_SHARE * len(raws))
    groups: list[tuple[str, dict[int, int]]] = []  # (side, {page: block index})
    for (side, _), occ in seen.items():
        if len({p for p, _, _ in occ}) < need:
            continue
        offs = Counter(round(off / FURNITURE_SLACK) for _, _, off in occ)
        centre = offs.most_common(1)[0][0] * FURNITURE_SLACK
        members = {}
        for p, i, off in occ:
            if abs(off - centre) <= FURNITURE_SLACK * 1.5 and p not in members:
                members[p] = i
        if len(members) >= need and _numbers_follow_pages(raws, members):
            groups.append((side, members))
    if not groups:
        return drop

    # innermost first: a line that goes exposes the one beyond it (two-line headers)
    def depth(group: tuple[str, dict[int, int]]) -> float:
        side, members = group
        p, i = next(iter(members.items()))
        b = raws[p].blocks[i]
        return b.top if side == "top" else raws[p].height - b.bottom

    for side, members in sorted(groups, key=depth, reverse=True):
        neighbours: Counter = Counter()
        step = 1 if side == "top" else -1
        for p, i in members.items():
            blocks = raws[p].blocks
            j = i + step
            while 0 <= j < len(blocks) and j in drop[p]:
                j += step
            neighbours[
                blocks[j].lines[0].replace(" ", "") if 0 <= j < len(blocks) else ""
            ] += 1
        share = neighbours.most_common(1)[0][1] / len(members)
        if share < FURNITURE_SHARE or (len(neighbours) >= 3 and share < 0.8):
            for p, i in members.items():
                drop[p].add(i)
    return drop
