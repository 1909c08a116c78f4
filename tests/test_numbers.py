"""Tests for helpers.numbers: amounts, codes and indicator targets from extracted cells."""

from __future__ import annotations

from decimal import Decimal

import pytest

from helpers.tables.numbers import (
    Target,
    is_amount,
    join_code,
    normalise_text,
    parse_amount,
    parse_target,
    to_wan,
)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\xa0\t\n"])
def test_parse_amount_blank_cell_is_none(text: str) -> None:
    assert parse_amount(text) is None


def test_parse_amount_plain_decimal() -> None:
    assert parse_amount("1830.55") == Decimal("1830.55")


def test_parse_amount_strips_surrounding_spaces() -> None:
    assert parse_amount("  12.30 \u3000") == Decimal("12.30")


def test_parse_amount_thousands_separators() -> None:
    assert parse_amount("1,830.55") == Decimal("1830.55")


def test_parse_amount_fullwidth_digits_and_commas() -> None:
    assert parse_amount("１，８３０．５５") == Decimal("1830.55")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("264344.9 0", Decimal("264344.90")),
        ("4,028.0 1", Decimal("4028.01")),
        ("169048.0 0", Decimal("169048.00")),
        ("12. 5", Decimal("12.5")),
    ],
)
def test_parse_amount_joins_split_decimal(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["—", "－", "-", "--", "–", "——"])
def test_parse_amount_dash_is_zero(text: str) -> None:
    assert parse_amount(text) == Decimal(0)


@pytest.mark.parametrize("text", ["(1.5)", "（1.5）", "（１.５）"])
def test_parse_amount_parentheses_are_negative(text: str) -> None:
    assert parse_amount(text) == Decimal("-1.5")


@pytest.mark.parametrize("text", ["-3.2", "－3.2", "- 3.2"])
def test_parse_amount_leading_minus_is_negative(text: str) -> None:
    assert parse_amount(text) == Decimal("-3.2")


@pytest.mark.parametrize("text", ["95%", "95 %", "９５％"])
def test_parse_amount_rejects_percentage(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["合计", "1.5万元", "abc", "12a"])
def test_parse_amount_rejects_text(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["12 34 56", "30.2 30.2", "1234 5", "30.2 30", "12 34.5"])
def test_parse_amount_rejects_separate_numbers(text: str) -> None:
    with pytest.raises(ValueError, match=text):
        parse_amount(text)


@pytest.mark.parametrize("text", ["18,30.55", "1,830,55", "1.2.3", "()"])
def test_parse_amount_rejects_malformed_number(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_parse_amount_rejects_non_ascii_digits() -> None:
    with pytest.raises(ValueError):
        parse_amount("١٢٣")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,830.55", True), ("—", True), ("", False), ("合计", False), ("95%", False)],
)
def test_is_amount(text: str, expected: bool) -> None:
    assert is_amount(text) is expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("万元", Decimal("1830.55")),
        ("元", Decimal("0.183055")),
        ("千元", Decimal("183.055")),
        ("亿元", Decimal(18305500)),
    ],
)
def test_to_wan_converts_exactly(unit: str, expected: Decimal) -> None:
    assert to_wan(Decimal("1830.55"), unit) == expected


def test_to_wan_rejects_unknown_unit() -> None:
    with pytest.raises(ValueError, match="美元"):
        to_wan(Decimal(1), "美元")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4103112400000000803 9", "41031124000000008039"),
        ("31200 1", "312001"),
        ("4103002100000Y816001 8", "4103002100000Y8160018"),
        ("２０８ ０１", "20801"),
        ("208", "208"),
    ],
)
def test_join_code_removes_spaces(text: str, expected: str) -> None:
    assert join_code(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "社会保障 和就业支出", "ABC", "208a01", "208-01"])
def test_join_code_rejects_non_code(text: str) -> None:
    assert join_code(text) is None


def test_normalise_text_removes_all_whitespace() -> None:
    assert normalise_text(" 医疗 保障\u3000服务\xa0能力\t提升\n项目 ") == "医疗保障服务能力提升项目"


def test_normalise_text_converts_fullwidth_letters_and_digits() -> None:
    assert normalise_text("２０２６年ＤＲＧ改革ｐｌａｎ") == "2026年DRG改革plan"


def test_normalise_text_keeps_fullwidth_punctuation() -> None:
    assert normalise_text("项目（一期）：１") == "项目（一期）：1"


def _target(
    raw: str,
    op: str | None,
    value: float | None,
    high: float | None,
    unit: str | None,
    text: str | None,
) -> Target:
    return Target(op, value, high, unit, text, raw)


@pytest.mark.parametrize(
    ("raw", "op", "value", "unit"),
    [
        ("≥9 5%", ">=", 95.0, "%"),
        ("≤4028.0 1万元", "<=", 4028.01, "万元"),
        ("≤1.5 万/人 次", "<=", 1.5, "万/人次"),
        ("≥1 篇", ">=", 1.0, "篇"),
        ("≤5 个、 台", "<=", 5.0, "个、台"),
        ("≤1.3 人均元 /年", "<=", 1.3, "人均元/年"),
        (">=90%", ">=", 90.0, "%"),
        ("≧90%", ">=", 90.0, "%"),
        ("不低于90%", ">=", 90.0, "%"),
        ("不少于3次/年", ">=", 3.0, "次/年"),
        ("大于等于98%", ">=", 98.0, "%"),
        ("至少2家", ">=", 2.0, "家"),
        ("<=10天", "<=", 10.0, "天"),
        ("≦10天", "<=", 10.0, "天"),
        ("不高于5%", "<=", 5.0, "%"),
        ("不超过24小时", "<=", 24.0, "小时"),
        ("不多于3个月", "<=", 3.0, "个月"),
        ("小于等于1.2元/年/人", "<=", 1.2, "元/年/人"),
        ("10个工作日以内", "<=", 10.0, "个工作日"),
        ("90%以上", ">=", 90.0, "%"),
        ("＝１００％", "=", 100.0, "%"),
        ("=3份", "=", 3.0, "份"),
        (">0.5万人", ">", 0.5, "万人"),
        ("大于80分", ">", 80.0, "分"),
        ("高于80分", ">", 80.0, "分"),
        ("＞80分", ">", 80.0, "分"),
        ("<5度/年", "<", 5.0, "度/年"),
        ("小于5%", "<", 5.0, "%"),
        ("低于5%", "<", 5.0, "%"),
        ("＜5%", "<", 5.0, "%"),
        ("7人", "=", 7.0, "人"),
        ("100%", "=", 100.0, "%"),
        ("0人", "=", 0.0, "人"),
        ("2.5万", "=", 2.5, "万"),
        ("2026", "=", 2026.0, None),
        ("1300元", "=", 1300.0, "元"),
        ("1医保 年度", "=", 1.0, "医保年度"),
        ("≥1,000人次", ">=", 1000.0, "人次"),
        ("≥13459.00(平方米)", ">=", 13459.0, "平方米"),
        ("=100.00(%)", "=", 100.0, "%"),
        ("=100.00（%）", "=", 100.0, "%"),
        ("≥95%。", ">=", 95.0, "%"),
    ],
)
def test_parse_target_operator_value_unit(
    raw: str, op: str, value: float, unit: str | None
) -> None:
    assert parse_target(raw) == _target(raw, op, value, None, unit, None)


@pytest.mark.parametrize(
    ("raw", "low", "high", "unit"),
    [
        ("60-80%", 60.0, 80.0, "%"),
        ("60～80%", 60.0, 80.0, "%"),
        ("60%-80%", 60.0, 80.0, "%"),
        ("6 0~8 0 %", 60.0, 80.0, "%"),
        ("2-3个", 2.0, 3.0, "个"),
    ],
)
def test_parse_target_range(raw: str, low: float, high: float, unit: str) -> None:
    assert parse_target(raw) == _target(raw, "range", low, high, unit, None)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("及时", "及时"),
        ("有效保障", "有效保障"),
        ("显著", "显著"),
        ("优", "优"),
        ("全面 开展", "全面开展"),
        ("2026全年", "2026全年"),
        ("不超过报销标准", "不超过报销标准"),
        ("不低于上年", "不低于上年"),
        ("2026年6月底前", "2026年6月底前"),
        ("满意度95%", "满意度95%"),
        ("≥95%的参保群众满意", "≥95%的参保群众满意"),
        ("≥90%且≤100%", "≥90%且≤100%"),
        ("60%-80万元", "60%-80万元"),
        ("≥5个以内", "≥5个以内"),
        ("95个参保人员满意程度", "95个参保人员满意程度"),
    ],
)
def test_parse_target_qualitative(raw: str, text: str) -> None:
    assert parse_target(raw) == _target(raw, "qualitative", None, None, None, text)


def test_parse_target_keeps_bracketed_remark() -> None:
    raw = "1.45 元/人 (以中 标价为 准)"
    assert parse_target(raw) == _target(raw, "=", 1.45, None, "元/人", "以中标价为准")


def test_parse_target_operator_word_inside_label() -> None:
    raw = "补贴对象生活改善度不低于80%"
    assert parse_target(raw) == _target(raw, ">=", 80.0, None, "%", "补贴对象生活改善度")


@pytest.mark.parametrize("raw", ["", "  \u3000"])
def test_parse_target_blank_cell_has_no_operator(raw: str) -> None:
    assert parse_target(raw) == _target(raw, None, None, None, None, None)


def test_parse_target_keeps_raw_verbatim() -> None:
    raw = " ≥9 5% "
    assert parse_target(raw).raw == raw
