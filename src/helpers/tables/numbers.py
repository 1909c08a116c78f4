"""Parse amounts, codes and performance-indicator targets from PDF-extracted table cells.

PDF extraction breaks cells with spaces (``264344.9 0``, ``≥9 5%``) and mixes full-width
and half-width characters; every parser here undoes that before reading the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

# Full-width forms U+FF01..U+FF5E map to ASCII by a fixed offset.
_FULLWIDTH_OFFSET = 0xFEE0
_FULLWIDTH_ASCII = {cp: cp - _FULLWIDTH_OFFSET for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH_ALNUM = {
    cp: cp - _FULLWIDTH_OFFSET
    for block in (range(0xFF10, 0xFF1A), range(0xFF21, 0xFF3B), range(0xFF41, 0xFF5B))
    for cp in block
}
_WHITESPACE = re.compile(r"\s+")  # str patterns match NBSP and U+3000 too

# [0-9], not \d: \d would accept digits of other scripts that Decimal() also reads.
_AMOUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_DASHES = re.compile(r"[-‐‒–—―−]+")
_MINUS = "-−"
# A number wrapped inside its decimals cannot have more digits than the tables print.
_MAX_JOINED_DECIMALS = 2

_WAN_EXPONENT = {"元": -4, "千元": -1, "万元": 0, "亿元": 4}

_CODE = re.compile(r"[0-9A-Z]*[0-9][0-9A-Z]*")

_NUMBER = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_PREFIX_OPERATORS = {
    ">=": ">=",
    "≥": ">=",
    "≧": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "大于等于": ">=",
    "至少": ">=",
    "<=": "<=",
    "≤": "<=",
    "≦": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不多于": "<=",
    "小于等于": "<=",
    "=": "=",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
}
_SUFFIX_OPERATORS = {"以内": "<=", "以下": "<=", "以上": ">="}
# Longest first so that "大于等于" wins over "大于" and "<=" over "<".
_OPERATOR_ALTERNATION = "|".join(
    re.escape(word) for word in sorted(_PREFIX_OPERATORS, key=len, reverse=True)
)
_OPERATOR_NUMBER = re.compile(f"(?P<op>{_OPERATOR_ALTERNATION})(?P<num>{_NUMBER})")
_LEADING_NUMBER = re.compile(f"(?P<op>)(?P<num>{_NUMBER})")
_RANGE = re.compile(
    f"(?P<low>{_NUMBER})(?P<low_unit>[^0-9]*?)[-~〜—–至到](?P<high>{_NUMBER})(?P<rest>.*)"
)
_TAIL = re.compile(r"(?P<unit>[^()]*)(?:\((?P<note>[^()]*)\))?")
_MAX_UNIT_LENGTH = 6
# Characters and words that never occur in a unit but do in prose ("2026全年", "6月底前").
_PROSE_MARKERS = (
    "的",
    "全",
    "前",
    "底",
    "以",
    "为",
    "不",
    "完成",
    "开展",
    "达到",
    "实现",
    "提高",
    "提升",
    "降低",
    "减少",
    "增加",
    "增长",
    "保障",
    "保持",
    "确保",
    "及时",
    "有效",
    "按时",
    "符合",
    "满足",
)
_TRAILING_PUNCTUATION = "。;,、"
# The cell parsers below are pure functions of the cell text, and every table cell is read
# several times (telling text from numbers, settling the layout, parsing the row): they keep
# the answers for this many distinct texts.
_CACHE_SIZE = 1 << 16


@dataclass(frozen=True)
class Target:
    """A performance-indicator target as printed (目标值/指标值).

    ``operator`` is one of ``>=``, ``<=``, ``=``, ``>``, ``<``, ``range`` or ``qualitative``,
    and None for a blank cell. ``target_text`` holds the words that are not operator, number
    or unit: the whole text of a qualitative target, otherwise a label before the number
    and/or a bracketed remark after it.
    """

    operator: str | None
    target_value: float | None
    target_high: float | None
    unit: str | None
    target_text: str | None
    raw: str


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_text(text: str) -> str:
    """Remove all whitespace and turn full-width ASCII letters and digits into half-width."""
    return _WHITESPACE.sub("", text).translate(_FULLWIDTH_ALNUM)


_NOT_AN_AMOUNT = object()  # what _read_amount keeps for a cell parse_amount refuses


def parse_amount(text: str) -> Decimal | None:
    """Parse an amount cell; None for a blank cell, 0 for a dash, ValueError if not an amount."""
    value = _read_amount(text)
    if value is _NOT_AN_AMOUNT:
        raise ValueError(f"not an amount: {text!r}")
    return value


@lru_cache(maxsize=_CACHE_SIZE)
def _read_amount(text: str) -> Decimal | None | object:
    """parse_amount's answer, with _NOT_AN_AMOUNT in place of the error (a cache keeps no errors)."""
    cell = text.translate(_FULLWIDTH_ASCII).strip()
    if not cell:
        return None
    if _DASHES.fullmatch(cell):
        return Decimal(0)
    negative = False
    if cell.startswith("(") and cell.endswith(")"):
        negative, cell = True, cell[1:-1].strip()
    elif cell[0] in _MINUS:
        negative, cell = True, cell[1:].strip()
    digits = _join_split_number(cell.split())
    if digits is None:
        return _NOT_AN_AMOUNT
    value = Decimal(digits.replace(",", ""))
    return -value if negative else value


def _join_split_number(pieces: list[str]) -> str | None:
    """Join the pieces of one number broken inside its decimals, or None if they are not."""
    if not pieces:
        return None
    head, *tail = pieces
    if tail:
        # Only a break after the decimal point is unambiguous; "12 34" may be two numbers.
        if "." not in head or not all(_DIGITS.fullmatch(p) for p in tail):
            return None
        if len(head.partition(".")[2] + "".join(tail)) > _MAX_JOINED_DECIMALS:
            return None
    candidate = head + "".join(tail)
    return candidate if _AMOUNT.fullmatch(candidate) else None


def is_amount(text: str) -> bool:
    """True when ``parse_amount`` returns a value for the cell (blank cells are not amounts)."""
    value = _read_amount(text)
    return value is not None and value is not _NOT_AN_AMOUNT


_MALFORMED_NUMBER = re.compile(r"^[+\-−]?(?:[\d.,，．]*\d[\d.,，．\s]*(?:[eE][+\-]?\d+)?|inf(?:inity)?|nan)%?$",
                               re.IGNORECASE)


@lru_cache(maxsize=_CACHE_SIZE)
def is_malformed_number(text: str) -> bool:
    """A cell written as a number that no amount reads (1,2,3 · 12.3.4 · 1e15 · inf · nan): in an amount column it
    is a bad amount to report, never a row's label."""
    cell = text.translate(_FULLWIDTH_ASCII).strip()
    return bool(cell) and not is_amount(cell) and bool(_MALFORMED_NUMBER.match(cell))


def to_wan(value: Decimal, unit: str) -> Decimal:
    """Convert an amount in 元, 千元, 万元 or 亿元 to 万元, exactly (no rounding)."""
    exponent = _WAN_EXPONENT.get(_WHITESPACE.sub("", unit))
    if exponent is None:
        raise ValueError(f"unknown money unit: {unit!r}")
    return value * Decimal(10) ** exponent


@lru_cache(maxsize=_CACHE_SIZE)
def join_code(text: str) -> str | None:
    """Join a classification/project code broken by spaces; None if the cell is not a code."""
    code = normalise_text(text)
    return code if _CODE.fullmatch(code) else None


@lru_cache(maxsize=_CACHE_SIZE)
def parse_target(raw: str) -> Target:
    """Parse a target cell such as ``≥95%``, ``60-80%``, ``=100.00(%)`` or ``及时``."""
    # Cached, as the other cell parsers: targets repeat (≥95%, 100%, 及时), and a Target cannot be changed.
    text = _WHITESPACE.sub("", raw).translate(_FULLWIDTH_ASCII).rstrip(_TRAILING_PUNCTUATION)
    if not text:
        return Target(None, None, None, None, None, raw)
    qualitative = Target("qualitative", None, None, None, text, raw)

    span = _RANGE.fullmatch(text)
    if span:
        tail = _split_tail(span["rest"])
        if tail is None or tail[0] is not None or span["low_unit"] not in ("", tail[1]):
            return qualitative
        return Target(
            "range", _to_float(span["low"]), _to_float(span["high"]), tail[1], tail[2], raw
        )

    # The operator directly before the number counts, even after a label
    # ("补贴对象生活改善度不低于80%"); without an operator the number must lead the cell.
    found = _OPERATOR_NUMBER.search(text) or _LEADING_NUMBER.match(text)
    if found is None:
        return qualitative
    tail = _split_tail(text[found.end() :])
    if tail is None:
        return qualitative
    suffix_operator, unit, note = tail
    operators = {op for op in (_PREFIX_OPERATORS.get(found["op"]), suffix_operator) if op}
    if len(operators) > 1:
        return qualitative
    label = text[: found.start()]
    remark = "；".join(part for part in (label, note) if part) or None
    return Target(
        operators.pop() if operators else "=", _to_float(found["num"]), None, unit, remark, raw
    )


def _split_tail(rest: str) -> tuple[str | None, str | None, str | None] | None:
    """Split the text after a number into (suffix operator, unit, remark); None if prose."""
    parts = _TAIL.fullmatch(rest)
    if parts is None:
        return None
    unit, note = parts["unit"], parts["note"] or None
    operator = None
    for word, symbol in _SUFFIX_OPERATORS.items():
        if unit.endswith(word):
            unit, operator = unit[: -len(word)], symbol
            break
    # Shanghai prints the unit in brackets: "≥13459.00(平方米)".
    if not unit and note and _is_unit(note):
        unit, note = note, None
    if unit and not _is_unit(unit):
        return None
    return operator, unit or None, note


def _is_unit(text: str) -> bool:
    """True when text can be a unit (%, 万元, 元/年/人, 个、台) rather than prose."""
    return (
        len(text) <= _MAX_UNIT_LENGTH
        and not _DIGITS.search(text)
        and not any(marker in text for marker in _PROSE_MARKERS)
    )


def _to_float(number: str) -> float:
    """Read a printed number that may contain thousands separators."""
    return float(number.replace(",", ""))
