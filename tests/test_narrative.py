"""Key figures stated in the 情况说明 narrative: the first statement of each (narrative.statements → analysis.key_figures)."""

from __future__ import annotations

import csv

import pandas as pd

from helpers.analysis.key_figures import NARRATIVE_FIGURES as FIGURES
from helpers.analysis.key_figures import narrative_key_figures
from helpers.config import MAPS_DIR
from helpers.narrative.statements import extract_narrative_statements
from helpers.narrative.text import _open_brackets, bracketed_asides, join_paragraphs

COLUMNS = ["figure", "scope", "value_wan", "table_kind", "line", "basis", "evidence", "note"]


def extract_narrative_figures(lines, maps=None) -> pd.DataFrame:
    return narrative_key_figures(extract_narrative_statements(lines, maps=maps))


def numbered(*texts: str, start: int = 1) -> list[tuple[int, str]]:
    return list(enumerate(texts, start))


def figures(lines) -> dict[str, tuple[float, int]]:
    df = extract_narrative_figures(lines)
    return {r.figure: (r.value_wan, r.line) for r in df.itertuples()}


# --------------------------------------------------------------- Henan style

HENAN = numbered(
    "一、收入支出预算总体情况说明",
    "",
    "区医疗保障局 2024 年收入总计 5091.25 万元，支出总计 5091.25 万元，与 2023 年预算相比，收入增加 366.11 万元，上升 7.74%。",
    "",
    "三、支出预算总体情况说明",
    "",
    "区医疗保障局 2024 年支出合计 5091.00 万元，其中：基本支出 330.47 万元，占 6.49%；项目支出 4760.78",
    "",
    "万元，占 93.51%。",
    "",
    "区医疗保障局 2024 年一般公共预算基本支出年初预算为 330.47 万元。其中：人员经费支出 309.13 万元，"
    "占 93.54%；公用经费支出 21.34 万元，占 6.46%。",
    "",
    "区医疗保障局 2024 年“三公”经费支出预算为 0 万元。2024 年“三公”经费支出预算数比 2023 年增加 3 万元。",
    "（三）公务用车购置及运行费 2.00 万元。其中：一是公务用车购置费 0 万元，"
    "预算数比 2023 年增加 0 万元；二是公务用车运行维护费 2.00 万元。",
    "区医疗保障局2024年机构运行经费支出预算21.34万元，主要保障机构正常运转。",
    "区医疗保障局2024年政府采购预算安排0万元，其中采购货物预算0万元。",
    "2024年区医疗保障局对项目支出全面实施绩效目标管理，涉及预算拨款4760.78万元，共12个项目。",
)


def test_henan_totals_are_the_stated_totals_not_the_year_on_year_increase():
    got = figures(HENAN)
    assert got["total_income"] == (5091.25, 3)
    assert got["total_expenditure"] == (5091.25, 3)  # the later 支出合计 5091.00 loses


def test_number_split_across_lines_is_read_and_placed_on_the_line_of_the_number():
    got = figures(HENAN)
    assert got["project_expenditure"] == (4760.78, 7)
    assert got["basic_expenditure"] == (330.47, 7)


def test_henan_personnel_public_operating_procurement_and_project_count():
    got = figures(HENAN)
    assert got["personnel_expenditure"] == (309.13, 11)
    assert got["public_expenditure"] == (21.34, 11)
    assert got["operating_expenses"] == (21.34, 15)
    assert got["procurement_total"] == (0.0, 16)
    assert got["project_count"] == (12.0, 17)


def test_three_public_total_is_the_budget_not_the_change_and_vehicle_sum_is_not_purchase():
    got = figures(HENAN)
    assert got["three_public_total"] == (0.0, 13)
    assert got["three_public_vehicle_purchase"] == (0.0, 14)
    assert got["three_public_vehicle_operation"] == (2.0, 14)


def test_only_a_year_on_year_change_gives_no_figure():
    lines = numbered(
        "2024年“三公”经费支出预算数比2023年减少14万元",
        "。",
        "公务用车运行维护费预算数比2023年减少14万元，主要原因：压缩三公经费开支。",
        "收入预算比上年增加359.82万元。",
        "其中基本支出增加9.22万元，项目支出减少350.60万元。",
        "公务接待费较预算下降0.20万元。",
    )
    df = extract_narrative_figures(lines)
    assert df.empty
    assert list(df.columns) == COLUMNS


def test_previous_year_execution_value_is_not_taken():
    lines = numbered(
        "“三公”经费上年预算执行数为7.06万元。",
        "2024年通过一般公共预算财政拨款安排的“三公”经费预算共5.76万元，比上年减少1.30万元，下降18.41%。",
        "机关运行经费上年执行数为50.00万元，去年预算为49.00万元。",
        "2023年当年预算执行数为54.60万元，2024年机关运行经费预算为48.00万元。",
    )
    got = figures(lines)
    assert got["three_public_total"] == (5.76, 2)
    assert got["operating_expenses"] == (48.0, 4)


def test_share_in_percent_is_not_an_amount():
    assert "basic_expenditure" not in figures(numbered("其中：基本支出占 6.49%。"))


# ------------------------------------------------------------ Sichuan style


SICHUAN = numbered(
    "达川区医疗保障局 2024 年收支预算总数 4187.90 万元，比 2023 年收支预算总数增加 3435.38 万元。",
    "达川区医疗保障局 2024 年“三公”经费财政拨款预算数为 1.5 万元，其中：公务接待费 1.5 万元，"
    "公务用车购置及运行维护费 0 万元，因公出国（境）经费 0 万元。",
    "（一）公务接待费较 2023 年预算下降 33.33%。",
    "2024 年未安排公务用车购置费。",
    "2024 年安排公务用车运行维护费 0 万元。",
    "2024 年，达川区医疗保障局机关运行经费财政拨款预算为 92.12 万元，比 2023 年预算减少 11.21 万元。",
    "达川区医疗保障局 2024 年无政府采购项目，未安排政府采购预算。",
    "2024 年达川区医疗保障局开展绩效目标管理的项目 6 个，涉及预算 3541.72 万元。",
    start=130,
)


def test_sichuan_income_and_expenditure_from_shoushi_yusuan_zongshu():
    got = figures(SICHUAN)
    assert got["total_income"] == (4187.90, 130)
    assert got["total_expenditure"] == (4187.90, 130)


def test_sichuan_three_public_items():
    got = figures(SICHUAN)
    assert got["three_public_total"] == (1.5, 131)
    assert got["three_public_reception"] == (1.5, 131)
    assert got["three_public_abroad"] == (0.0, 131)
    assert got["three_public_vehicle_operation"] == (0.0, 134)


def test_not_arranged_statements_give_zero():
    got = figures(SICHUAN)
    assert got["three_public_vehicle_purchase"] == (0.0, 133)
    assert got["procurement_total"] == (0.0, 136)


def test_sichuan_operating_expenses_and_project_count():
    got = figures(SICHUAN)
    assert got["operating_expenses"] == (92.12, 135)
    assert got["project_count"] == (6.0, 137)


# ----------------------------------------------------------- Shandong style


def test_shandong_thousands_separator_and_project_count():
    lines = numbered(
        "（一）收入预算：2024年收入预算4,643.47万元，其中：一般公共预算收入4,643.47万元。",
        "（二）支出预算：2024年支出预算4,643.47万元，其中：基本支出831.20万元，项目支出3,812.27万元。",
        "2024年本部门机关运行经费安排40.06万元，较2023年预算增加0.47万元。",
        "招远市医疗保障局部门2024年项目支出全面实施绩效目标管理，涉及预算项目支出7个，预算资金3812.27万元。",
        start=456,
    )
    got = figures(lines)
    assert got["total_income"] == (4643.47, 456)
    assert got["total_expenditure"] == (4643.47, 457)
    assert got["project_expenditure"] == (3812.27, 457)
    assert got["operating_expenses"] == (40.06, 458)
    assert got["project_count"] == (7.0, 459)


def test_sentence_running_into_a_list_does_not_lend_its_keyword_to_the_next_number():
    lines = numbered(
        "“三公”经费预算共5.76万元。主要原因是公务用车运行维护费用减少",
        "",
        "其中：",
        "1. 因公出国（境）费0.00万元，与上年基本持平。",
    )
    got = figures(lines)
    assert "three_public_vehicle_operation" not in got
    assert got["three_public_abroad"] == (0.0, 4)


# ----------------------------------------------------------- Shanghai style


SHANGHAI = numbered(
    "2025年，上海市普陀区人民政府办公室收入预算91,016,800.00元，其中：财政拨款收入9,101.68万元，比2024年预算减少2,389.52万",
    "元；事业收入0万元。",
    "支出预算9,101.68万元，其中：财政拨款支出预算9,101.68万元。",
    "其他相关情况说明",
    "一、2025年“三公”经费预算情况说明",
    "2025年“三公”经费预算数为867.50万元，与2024年预算持平。其中：",
    "（二）公务用车购置及运行费0万元，与2024年预算持平。其中：公务用车购置费0万元，与2024年预算持平；公务用车运行费0万",
    "元，与2024年预算持平。",
    "二、机关运行经费预算",
    "2024年上海市普陀区社会福利院无机关运行经费。",
    "2024年度，本单位编报绩效目标的项目共1个，涉及项目预算资金262.00万元。",
    start=67,
)


def test_value_in_yuan_is_converted_to_wan():
    assert figures(SHANGHAI)["total_income"] == (9101.68, 67)


def test_shanghai_wrapped_unit_keeps_the_line_of_the_number():
    got = figures(SHANGHAI)
    assert got["three_public_vehicle_operation"] == (0.0, 73)
    assert got["three_public_total"] == (867.50, 72)
    assert got["total_expenditure"] == (9101.68, 69)


def test_no_operating_expenses_statement_gives_zero():
    assert figures(SHANGHAI)["operating_expenses"] == (0.0, 76)


def test_shanghai_project_count():
    assert figures(SHANGHAI)["project_count"] == (1.0, 77)


def test_shanghai_operating_expenses_after_heading_is_read():
    lines = numbered(
        "二、机关运行经费预算",
        "2025年上海市普陀区人民政府办公室下属1家机关和1家事业单位财政拨款的机关运行经费预算为213.28万元。",
    )
    assert figures(lines)["operating_expenses"] == (213.28, 2)


# --------------------------------------------------------------- text rules


def test_markdown_debris_is_stripped_and_read():
    lines = numbered(
        "## 七、一般公共预算“三公”经费支出预算情况说明",
        "**（二）公务接待费2.75万元**，主要用于按规定开支的各类公务接待支出。",
        "- 因公出国（境）费 0.00 万元，主要用于公务出国。",
        "### **（一）行政（事业）单位机构运转经费支出预算情况**",
        "洛阳市医疗保障局2026年机构运转经费支出预算55.95万元，与2025年预算数相比增加8.51万元。",
        "其中：二是公务用车运行维护费**2.00**万元。",
    )
    got = figures(lines)
    assert got["three_public_reception"] == (2.75, 2)
    assert got["three_public_abroad"] == (0.0, 3)
    assert got["operating_expenses"] == (55.95, 5)
    assert got["three_public_vehicle_operation"] == (2.0, 6)


def test_markdown_heading_stands_alone_even_after_a_truncated_line():
    paras = join_paragraphs(
        numbered(
            "公用经费 55.95 万元，占 8.35%，主要包括：\ufffd",
            "## 七、一般公共预算“三公”经费支出预算情况说明",
            "洛阳市医疗保障局 2026 年一般公共预算“三公”经费支出预算为 4.75 万元。",
        )
    )
    assert [p.text for p in paras] == [
        "公用经费 55.95 万元，占 8.35%，主要包括：\ufffd",
        "七、一般公共预算“三公”经费支出预算情况说明",
        "洛阳市医疗保障局 2026 年一般公共预算“三公”经费支出预算为 4.75 万元。",
    ]
    assert [p.lines for p in paras] == [[1], [2], [3]]


def test_a_line_ending_a_sentence_is_not_joined_to_the_next():
    lines = numbered("（二）公务接待费预算情况如下：", "3.00万元用于接待。")
    assert [p.lines for p in join_paragraphs(lines)] == [[1], [2]]
    # A paragraph that opens straight into a number goes on about the subject before it ("continuation").
    assert figures(lines)["three_public_reception"] == (3.0, 2)


def test_join_paragraphs_tracks_lines_through_blank_lines():
    (para,) = join_paragraphs(numbered("项目支出 4760.78", "", "万元，占 93.51%。"))
    assert para.text == "项目支出 4760.78万元，占 93.51%。"
    assert para.line_at(para.text.index("4760")) == 1
    assert para.line_at(para.text.index("万元")) == 3


def test_first_statement_in_document_order_wins_over_later_sections():
    lines = numbered(
        "2024年支出合计100.00万元，其中：基本支出40.00万元。",
        "2024年一般公共预算基本支出年初预算为30.00万元。",
    )
    assert figures(lines)["basic_expenditure"] == (40.0, 1)


def test_general_budget_or_appropriation_totals_are_not_the_overall_total():
    lines = numbered(
        "区医疗保障局 2024 年一般公共预算收支预算 5091.25 万元，政府性基金收入预算0万元。",
        "财政拨款支出预算9,101.68万元，一般公共预算支出预算为 265014.94 万元。",
    )
    got = figures(lines)
    assert "total_income" not in got
    assert "total_expenditure" not in got


def test_project_evaluation_count_is_not_the_performance_target_count():
    lines = numbered(
        "2023年，我单位共组织对9个项目进行了预算绩效评价，涉及资金1763.34万元。",
        "2024年，我单位已对6个项目设立了预算绩效目标，涉及资金1830.55万元。",
    )
    assert figures(lines)["project_count"] == (6.0, 2)


# --------------------------------------------------------- frame and patterns


def test_frame_has_exact_columns_types_and_short_evidence():
    df = extract_narrative_figures(HENAN)
    assert list(df.columns) == COLUMNS
    assert df["figure"].is_unique
    assert df["value_wan"].dtype == float
    assert df["line"].dtype.kind == "i"
    assert df["evidence"].str.len().max() <= 80
    assert set(df["figure"]) <= set(FIGURES)


def test_empty_input_gives_empty_frame_with_columns():
    df = extract_narrative_figures([])
    assert df.empty and list(df.columns) == COLUMNS


def test_a_new_phrasing_is_a_new_csv_row(tmp_path):
    """A subject phrase the maps do not know gives no figure, until a row of narrative_subjects.csv names it."""
    from helpers.narrative.statements import load_statement_maps

    for name in ("narrative_cues.csv", "narrative_scopes.csv", "narrative_shares.csv", "narrative_subjects.csv"):
        (tmp_path / name).write_bytes((MAPS_DIR / name).read_bytes())
    lines = numbered("本单位2024年行政保障经费预算12.50万元。")
    assert extract_narrative_figures(lines).empty
    with (tmp_path / "narrative_subjects.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["operating_expenses", "行政保障经费", "new"])
    df = extract_narrative_figures(lines, maps=load_statement_maps(tmp_path))
    assert df[["figure", "value_wan", "line"]].to_dict("records") == [
        {"figure": "operating_expenses", "value_wan": 12.5, "line": 1}
    ]


def test_brackets_outermost_spans_and_those_left_open():
    # A closing bracket with none open is ignored; a nested aside is inside its outer one; one is left open.
    text = "甲）乙（丙(丁)戊）己（庚"
    assert bracketed_asides(text) == [(3, 9)]
    assert _open_brackets(text) == 1
    assert bracketed_asides("无括号") == [] and _open_brackets("无括号") == 0
