"""Every number the narrative states, with kind, subject and scope (helpers.narrative.extract_narrative_statements)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from helpers.config import MAPS_DIR, RAW_DIR
from helpers.ingest.raw_text import read_text
from helpers.narrative.statements import (
    KINDS,
    SCOPES,
    STATEMENT_COLUMNS,
    STATEMENT_NUMBER_RE,
    SUBJECTS,
    extract_narrative_statements,
    load_statement_maps,
)
from helpers.narrative.text import CLAUSE_END_RE, SENTENCE_END_RE, ClauseEnds, join_paragraphs
from helpers.tables.split import extract_document

EXTRA_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra"
DOCUMENTS = ["luoyang-luolong_2024", "luoyang_2026", "kaifeng-xiangfu_2024", "dazhou-dachuan_2024", "zhaoyuan_2024"]


def numbered(*texts: str, start: int = 1) -> list[tuple[int, str]]:
    return list(enumerate(texts, start))


def statements(*texts: str, start: int = 1, fiscal_year: int | None = 2024) -> pd.DataFrame:
    return extract_narrative_statements(numbered(*texts, start=start), fiscal_year=fiscal_year)


def frame(*rows: dict) -> pd.DataFrame:
    """Expected rows; columns left out are None."""
    df = pd.DataFrame([{c: r.get(c) for c in STATEMENT_COLUMNS} for r in rows], columns=STATEMENT_COLUMNS)
    df = df.astype({"line": int, "evidence": str, "number_text": str, "kind": str, "scope": str, "value": float})
    for column in ("subject", "share_of", "func_names", "func_code", "project_name"):
        df[column] = df[column].astype(object).where(df[column].notna(), None)
    df["year"] = df["year"].astype("Int64")
    return df


def facts(df: pd.DataFrame, columns=("line", "number_text", "kind", "subject", "scope", "value")) -> list[tuple]:
    """Rows as tuples, a missing year as None."""
    return [tuple(None if v is pd.NA else v for v in r) for r in df[list(columns)].itertuples(index=False)]


# ------------------------------------------------------------------- frame shape


def test_statements_have_the_agreed_columns_even_when_empty():
    df = statements("本单位无政府性基金预算拨款安排的支出。")
    assert list(df.columns) == STATEMENT_COLUMNS
    assert df.empty


def test_change_stated_once_for_both_totals_gives_a_signed_row_for_each():
    got = statements("开封市祥符区医疗保障局2024年收入总计1830.55万元，支出总计1830.55万元，"
                     "与2023年相比，收、支总计各减少500.08万元，减少21.46%。", start=89)
    both = {"line": 89, "scope": "all", "year": 2024}
    expected = frame(
        {**both, "evidence": "开封市祥符区医疗保障局2024年收入总计1830.55万元", "number_text": "1830.55", "kind": "amount",
         "subject": "total_income", "value": 1830.55},
        {**both, "evidence": "支出总计1830.55万元", "number_text": "1830.55", "kind": "amount",
         "subject": "total_expenditure", "value": 1830.55},
        {**both, "evidence": "收、支总计各减少500.08万元", "number_text": "500.08", "kind": "change_amount",
         "subject": "total_income", "value": -500.08},
        {**both, "evidence": "收、支总计各减少500.08万元", "number_text": "500.08", "kind": "change_amount",
         "subject": "total_expenditure", "value": -500.08},
        {**both, "evidence": "收、支总计各减少500.08万元，减少21.46%", "number_text": "21.46", "kind": "change_pct",
         "subject": "total_income", "value": -21.46},
        {**both, "evidence": "收、支总计各减少500.08万元，减少21.46%", "number_text": "21.46", "kind": "change_pct",
         "subject": "total_expenditure", "value": -21.46},
    )
    assert_frame_equal(got, expected)


def test_class_amounts_keep_the_general_scope_of_the_sentence_before_and_take_it_as_whole():
    got = statements(
        "开封市祥符区医疗保障局2024 年一般公共预算支出年初预算为1830.55万元。主要用于以下方面：一般公共服务（类）支出0万元，"
        "占0%；社会保障和就业（类）支出80.05万",
        "",
        "元，占4.65%；卫生健康（类）支出1745.50万元，占95.35%。",
        start=105,
    )
    func = {"subject": "func", "scope": "general"}
    expected = frame(
        {"line": 105, "evidence": "开封市祥符区医疗保障局2024 年一般公共预算支出年初预算为1830.55万元", "number_text": "1830.55",
         "kind": "amount", "subject": "general_budget_total", "scope": "general", "value": 1830.55, "year": 2024},
        {**func, "line": 105, "evidence": "一般公共服务（类）支出0万元", "number_text": "0", "kind": "amount", "value": 0.0,
         "func_names": "一般公共服务", "func_code": "201"},
        {**func, "line": 105, "evidence": "一般公共服务（类）支出0万元，占0%", "number_text": "0", "kind": "share", "value": 0.0,
         "share_of": "general_budget_total", "func_names": "一般公共服务", "func_code": "201"},
        {**func, "line": 105, "evidence": "社会保障和就业（类）支出80.05万元", "number_text": "80.05", "kind": "amount",
         "value": 80.05, "func_names": "社会保障和就业", "func_code": "208"},
        {**func, "line": 107, "evidence": "社会保障和就业（类）支出80.05万元，占4.65%", "number_text": "4.65", "kind": "share",
         "value": 4.65, "share_of": "general_budget_total", "func_names": "社会保障和就业", "func_code": "208"},
        {**func, "line": 107, "evidence": "卫生健康（类）支出1745.50万元", "number_text": "1745.50", "kind": "amount",
         "value": 1745.5, "func_names": "卫生健康", "func_code": "210"},
        {**func, "line": 107, "evidence": "卫生健康（类）支出1745.50万元，占95.35%", "number_text": "95.35", "kind": "share",
         "value": 95.35, "share_of": "general_budget_total", "func_names": "卫生健康", "func_code": "210"},
    )
    assert_frame_equal(got, expected)


# ------------------------------------------------------------------ kinds


def test_share_names_its_part_and_the_whole_stated_before_it():
    got = statements("2024 年支出合计1830.55万元，其中：基本支出0万元，占0%；项目支出1830.55万元，占100%。")
    shares = got[got.kind == "share"]
    assert facts(shares, ("subject", "share_of", "value")) == [
        ("basic_expenditure", "total_expenditure", 0.0),
        ("project_expenditure", "total_expenditure", 100.0),
    ]


def test_personnel_share_is_of_basic_expenditure_and_class_share_skips_basic_for_the_total():
    got = statements(
        "2026 年一般公共预算支出预算为 265014.94 万元，其中：基本支出 670.04 万元，占 0.25%。",
        "主要用于以下方面：卫生健康支出 264876.82 万元，占 99.95%。",
        "2026 年一般公共预算基本支出预算为 670.04 万元。其中：人员经费 614.09 万元，占 91.65%，主要包括：基本工资、公务接待费等；"
        "公用经费 55.95 万元，占 8.35%。",
        fiscal_year=2026,
    )
    shares = got[got.kind == "share"]
    assert facts(shares, ("line", "subject", "share_of", "scope")) == [
        (1, "basic_expenditure", "general_budget_total", "general"),
        (2, "func", "general_budget_total", "general"),
        (3, "personnel_expenditure", "basic_expenditure", "general"),
        (3, "public_expenditure", "basic_expenditure", "general"),
    ]


def test_change_compared_with_a_year_belongs_to_the_item_named_before_it():
    got = statements(
        "2024年“三公”经费支出预算数比2023年减少14万元",
        "。",
        "（三）公务用车购置及运行费0万元，其中，公务用车购置费0万元；公务用车运行维护费0万元。公务用车运行维护费预算数比2023年减少14万元，"
        "主要原因：压缩三公经费开支。",
    )
    changes = got[got.kind == "change_amount"]
    assert facts(changes, ("line", "subject", "value", "year")) == [
        (1, "three_public_total", -14.0, 2024),
        (3, "three_public_vehicle_operation", -14.0, None),
    ]


def test_verbs_of_increase_and_decrease_sign_changes():
    got = statements("2024年机关运行经费安排40.06万元，较2023年预算增加0.47万元，上升1.19%；"
                     "公务接待费比上年下降0.20万元，降低5%。")
    assert facts(got, ("kind", "subject", "value")) == [
        ("amount", "operating_expenses", 40.06),
        ("change_amount", "operating_expenses", 0.47),
        ("change_pct", "operating_expenses", 1.19),
        ("change_amount", "three_public_reception", -0.2),
        ("change_pct", "three_public_reception", -5.0),
    ]


def test_amount_of_an_earlier_year_is_a_previous_amount_with_its_year():
    got = statements(
        "1. “一般公共服务支出（类）统计信息事务（款）统计管理（项）”2.63万元，主要用于统计管理。",
        "2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70 %。",
        "“三公”经费上年预算数为7.06万元。",
        fiscal_year=2023,
    )
    assert facts(got, ("line", "kind", "subject", "value", "year")) == [
        (1, "amount", "func", 2.63, None),
        (2, "prev_amount", "func", 1.48, 2022),  # carried over the PDF line break after 。
        (2, "amount", "func", 2.63, 2023),
        (2, "change_pct", "func", 77.7, 2023),
        (3, "prev_amount", "three_public_total", 7.06, None),
    ]
    assert set(got.func_names[got.subject == "func"]) == {"一般公共服务/统计信息事务/统计管理"}


def test_no_change_gives_a_zero_change_with_no_number_text():
    got = statements("（一）因公出国（境）费0万元，主要用于无。预算数与2023年无差异。主要原因：无。", start=123)
    assert facts(got, ("line", "number_text", "kind", "subject", "value")) == [
        (123, "0", "amount", "three_public_abroad", 0.0),
        (123, "", "change_amount", "three_public_abroad", 0.0),
    ]


def test_counts_of_projects_are_read_and_evaluations_keep_their_year_without_subject():
    got = statements(
        "2023年，我单位共组织对9个项目进行了预算绩效评价，涉及资金1763.34万元。2024年，我单位拟组织对6个项目进行预算绩效评价，"
        "涉及资金1830.55万元。2024年，我单位已对6个项目设立了预算绩效目标，涉及资金1830.55万元。",
        start=145,
    )
    assert facts(got, ("number_text", "kind", "subject", "year")) == [
        ("9", "count", None, 2023),
        ("1763.34", "prev_amount", None, 2023),
        ("6", "count", None, 2024),
        ("1830.55", "amount", None, 2024),
        ("6", "count", "project_count", 2024),
        ("1830.55", "amount", "performance_funds", 2024),
    ]


def test_project_count_wordings_of_four_provinces():
    got = statements(
        "对项目支出全面实施绩效目标管理，涉及预算拨款4760.78万元，共12个项目。",
        "开展绩效目标管理的项目 6 个，涉及预算 3541.72 万元。其中：人员类项目 0 个，涉及预算 0 万元。",
        "全面实施绩效目标管理，涉及预算项目支出7个，预算资金3812.27万元，其中财政拨款3812.27万元。",
        "本单位编报绩效目标的项目共1个，涉及项目预算资金262.00万元。",
    )
    assert facts(got, ("line", "number_text", "kind", "subject", "scope")) == [
        (1, "4760.78", "amount", "performance_funds", "all"),
        (1, "12", "count", "project_count", "all"),
        (2, "6", "count", "project_count", "all"),
        (2, "3541.72", "amount", "performance_funds", "all"),
        (2, "0", "count", None, "all"),  # 人员类项目: a split by type, in no table
        (2, "0", "amount", None, "all"),
        (3, "7", "count", "project_count", "all"),
        (3, "3812.27", "amount", "performance_funds", "all"),
        (3, "3812.27", "amount", "performance_funds", "fiscal"),  # 其中财政拨款
        (4, "1", "count", "project_count", "fiscal"),  # no heading in between: the scope goes on
        (4, "262.00", "amount", "performance_funds", "fiscal"),
    ]


# ------------------------------------------------------------- what is a number


def test_thresholds_dates_headcounts_and_vehicles_are_not_numbers():
    got = statements(
        "2023年期末，我单位共有车辆3辆；单价50万元以上通用设备0台（套），单价100万元（含）以上设备0台。",
        "截至2024年1月1日，在职2000人，电话0371-12345678，参保率稳定在 97% 以上。",
    )
    assert got.empty


def test_yuan_and_thousands_separators_are_read_and_printed_text_is_kept():
    got = statements("2024年收入预算3,016,700元，其中：财政拨款收入3,000,000.50元；事业收入4,643.47万元；其他收入0.01亿元。")
    assert facts(got, ("number_text", "subject", "value")) == [
        ("3,016,700", "total_income", 301.67),
        ("3,000,000.50", "income:fiscal_total", 300.00005),
        ("4,643.47", "income:business_income", 4643.47),
        ("0.01", "income:other_income", 100.0),
    ]


def test_bare_percent_is_kept_without_subject():
    got = statements("公用经费 55.95 万元，覆盖率 95%。")
    assert facts(got, ("number_text", "kind", "subject")) == [("55.95", "amount", "public_expenditure"), ("95", "share", None)]


def test_numbers_about_nothing_in_the_tables_are_returned_without_subject():
    got = statements(
        "区医疗保障局2026年负责管理的专项转移支付项目共有7项，主要是城乡医疗救助1600万元。",
        "本部门流动资产448.82万元。",
        "收支预算增加的主要原因，离休人员医药费追加资金400万元。",
    )
    assert facts(got, ("number_text", "kind", "subject")) == [
        ("7", "count", None), ("1600", "amount", None), ("448.82", "amount", None), ("400", "amount", None),
    ]


# ---------------------------------------------------------------- subject, scope


def test_income_source_words_do_not_change_the_scope():
    got = statements("2024 年收入合计1830.55万元，其中：一般公共预算1830.55万元；政府性基金预算0万元；国有资本经营预算0万元；"
                     "财政专户管理资金收入0万元；其他收入0万元。")
    assert facts(got, ("subject", "scope")) == [
        ("total_income", "all"), ("income:general_budget", "all"), ("income:gov_fund", "all"),
        ("income:state_capital", "all"), ("income:special_account", "all"), ("income:other_income", "all"),
    ]


def test_scope_words_name_general_fiscal_gov_fund_and_state_capital():
    got = statements(
        "支出预算9,101.68万元，其中：财政拨款支出预算9,101.68万元。财政拨款支出预算中，一般公共预算拨款支出预算9,101.68万元；"
        "政府性基金拨款支出预算0万元；国有资本经营预算拨款支出预算0万元。",
        "2024年通过一般公共预算财政拨款安排的“三公”经费预算共5.76万元。",
    )
    assert facts(got, ("subject", "scope")) == [
        ("total_expenditure", "all"), ("fiscal_total", "fiscal"), ("general_budget_total", "general"),
        ("gov_fund_total", "gov_fund"), ("state_capital_total", "state_capital"), ("three_public_total", "general"),
    ]


def test_scope_carries_to_the_next_paragraph_until_a_heading():
    got = statements(
        "七、一般公共预算“三公”经费支出预算情况说明",
        "区医疗保障局 2024 年“三公”经费支出预算为 0 万元。",
        "（二）公务接待费 0万元，主要用于无。",
        "八、其他重要事项情况说明",
        "区医疗保障局2024年机构运行经费支出预算21.34万元。",
    )
    assert facts(got, ("subject", "scope")) == [
        ("three_public_total", "general"), ("three_public_reception", "general"), ("operating_expenses", "all"),
    ]


def test_what_a_sum_pays_for_names_no_subject():
    got = statements("机关运行经费支出预算 88.3万元，包含水费、公务用车运行维护费等，比上年减少 1.2 万元。")
    assert facts(got, ("kind", "subject")) == [("amount", "operating_expenses"), ("change_amount", "operating_expenses")]


def test_function_names_of_class_kuan_xiang_and_shanghai_dashes_with_codes():
    got = statements(
        "4.卫生健康支出（类）财政对基本医疗保险基金的补助（款）财政对城乡居民基本医疗保险基金的补助（项）2024年预算数为3000万元。",
        "1. “一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目1,202.95万元，主要用于行政单位的基本支出。",
        "5. “医疗卫生与计划生育支出（类）行政事业单位医疗（款）事业单位医疗（项）”50.37万元。",
        "2101501 行政运行支出 12.5万元。",
    )
    assert facts(got, ("subject", "func_names", "func_code", "year")) == [
        ("func", "卫生健康/财政对基本医疗保险基金的补助/财政对城乡居民基本医疗保险基金的补助", "210", 2024),
        ("func", "一般公共服务/政府办公厅（室）及相关机构事务/行政运行", "201", None),
        ("func", "医疗卫生与计划生育/行政事业单位医疗/事业单位医疗", "210", None),
        ("func", "行政运行", "2101501", None),
    ]


def test_project_amount_takes_the_project_name():
    got = statements("“医保信息化建设”项目 80万元；基金监管项目预算安排 20万元。")
    assert facts(got, ("subject", "project_name", "value")) == [
        ("project", "医保信息化建设", 80.0), ("project", "基金监管项目", 20.0),
    ]


def test_fiscal_year_is_inferred_from_the_title_line():
    got = statements("2024年洛阳市洛龙区医疗保障局部门预算说明", "2023年预算安排5.00万元。", fiscal_year=None)
    assert facts(got, ("kind", "year")) == [("prev_amount", 2023)]


# -------------------------------------------------------------------- the maps


def test_maps_use_only_the_known_vocabulary():
    maps = load_statement_maps()
    assert {s for rule in maps.subjects for s in rule.subjects} - {None} <= set(SUBJECTS)
    assert {w for _, wholes in maps.shares for w in wholes} <= set(SUBJECTS)
    assert set(maps.scopes.groupindex) <= set(SCOPES)


def test_unknown_subject_in_the_map_fails_loudly(tmp_path):
    for name in ("narrative_subjects.csv", "narrative_cues.csv", "narrative_scopes.csv", "narrative_shares.csv"):
        shutil.copy(MAPS_DIR / name, tmp_path / name)
    with (tmp_path / "narrative_subjects.csv").open("a", encoding="utf-8") as fh:
        fh.write("vehicles,车辆,not a subject\n")
    with pytest.raises(ValueError, match="unknown subject"):
        load_statement_maps(tmp_path)


# ------------------------------------------------------------ real documents


def document_statements(path: Path) -> tuple[list[str], list[tuple[int, str]], pd.DataFrame]:
    doc = extract_document(read_text(path).text)
    return doc.lines, doc.narrative, extract_narrative_statements(doc.narrative)


@pytest.fixture(scope="module")
def documents() -> dict[str, tuple[list[str], list[tuple[int, str]], pd.DataFrame]]:
    return {d: document_statements(RAW_DIR / f"{d}.txt") for d in DOCUMENTS}


def rows_at(df: pd.DataFrame, line: int) -> list[tuple]:
    return facts(df[df.line == line], ("number_text", "kind", "subject", "scope", "value", "share_of", "func_names"))


def test_kaifeng_class_social_security_is_80_05_and_4_65_percent_of_the_general_budget(documents):
    df = documents["kaifeng-xiangfu_2024"][2]
    assert ("80.05", "amount", "func", "general", 80.05, None, "社会保障和就业") in rows_at(df, 105)
    assert ("4.65", "share", "func", "general", 4.65, "general_budget_total", "社会保障和就业") in rows_at(df, 107)


def test_luolong_income_rose_366_11_or_7_74_percent(documents):
    assert rows_at(documents["luoyang-luolong_2024"][2], 67) == [
        ("5091.25", "amount", "total_income", "all", 5091.25, None, None),
        ("5091.25", "amount", "total_expenditure", "all", 5091.25, None, None),
        ("366.11", "change_amount", "total_income", "all", 366.11, None, None),
        ("7.74", "change_pct", "total_income", "all", 7.74, None, None),
    ]


def test_dachuan_fiscal_total_and_project_items_by_function(documents):
    df = documents["dazhou-dachuan_2024"][2]
    assert ("4187.90", "amount", "fiscal_total", "fiscal", 4187.9, None, None) in rows_at(df, 144)
    assert rows_at(df, 172) == [("501.69", "amount", "func", "general", 501.69, None, "卫生健康/医疗保障管理事务/行政运行")]


def test_zhaoyuan_keeps_the_thousands_separator_and_three_public_is_general(documents):
    df = documents["zhaoyuan_2024"][2]
    assert ("4,643.47", "amount", "total_income", "all", 4643.47, None, None) in rows_at(df, 456)
    assert ("5.76", "amount", "three_public_total", "general", 5.76, None, None) in rows_at(df, 470)


def test_luoyang_2026_has_21_projects_and_transfer_payments_have_no_subject(documents):
    df = documents["luoyang_2026"][2]
    assert ("21", "count", "project_count", "all", 21.0, None, None) in rows_at(df, 133)
    assert set(df[df.line == 143].subject.map(str)) == {"None"}


@pytest.mark.parametrize("doc_id", DOCUMENTS)
def test_every_number_with_a_unit_is_returned_and_found_on_its_line(documents, doc_id):
    lines, narrative, df = documents[doc_id]
    maps = load_statement_maps()
    stated = [
        (para.line_at(m.start("num")), m.group("num"))
        for para in join_paragraphs(narrative)
        for m in STATEMENT_NUMBER_RE.finditer(para.text)
        if not any(t.search(para.text[m.end():]) for t in maps.cues["threshold"])
    ]
    numbers = df[(df.number_text != "") & (df.kind != "count")]
    # A number stated once for two subjects (收支总计) gives two rows in a row, alike but for the subject.
    same = ["line", "number_text", "evidence", "kind", "value"]
    once = numbers[(numbers[same] != numbers[same].shift()).any(axis=1)]
    assert sorted(stated) == sorted(zip(once.line, once.number_text, strict=True))
    assert all(r.number_text in lines[r.line - 1] for r in df[df.number_text != ""].itertuples())
    assert set(df.kind) <= set(KINDS) and set(df.scope) <= set(SCOPES)


def test_shanghai_function_list_gives_previous_execution_and_change():
    path = EXTRA_DIR / "shanghai-putuo-wanli_2023.txt"
    if not path.exists():
        pytest.skip("../shared/corpus-extra is not beside the project")
    _, _, df = document_statements(path)
    assert facts(df[df.line == 73], ("number_text", "kind", "subject", "scope", "year")) == [
        ("2.63", "amount", "func", "fiscal", 2023), ("77.70", "change_pct", "func", "fiscal", 2023),
    ]
    line_72 = facts(df[df.line == 72], ("number_text", "kind", "subject", "scope", "year"))
    assert ("1.48", "prev_amount", "func", "fiscal", 2022) in line_72


def test_a_list_item_after_a_total_names_its_own_item_not_the_total():
    got = statements("2026年项目支出预算474.56万元，2026信访接待中心运行费116万元，2026驻京经费312万元。"
                     "机关运行经费预算211万元，其中主要支出为办公费34.82万元，差旅费10万元。")
    assert facts(got, ("number_text", "subject")) == [
        ("474.56", "project_expenditure"), ("116", None), ("312", None), ("211", "operating_expenses"),
        ("34.82", None), ("10", None)]


def test_a_clause_of_generic_words_goes_on_about_the_subject_before_it():
    got = statements("“三公”经费预算数为7.61万元，2025年预算数为9.23万元，和2025年相比预算减少1.62万元。"
                     "绩效目标涉及项目资金4643.47万元，其中财政拨款3812.27万元。")
    assert facts(got, ("number_text", "subject"))[:3] == [
        ("7.61", "three_public_total"), ("9.23", "three_public_total"), ("1.62", "three_public_total")]
    assert facts(got, ("number_text", "subject"))[-1] == ("3812.27", "performance_funds")


def test_a_short_form_of_the_subject_in_the_next_clause_is_the_same_item():
    got = statements("（一）机关运行经费。2026年一般公共预算财政拨款运行经费679.08万元。")
    assert facts(got, ("number_text", "subject")) == [("679.08", "operating_expenses")]


def test_a_project_named_for_temporary_staff_is_no_personnel_expenditure():
    got = statements("基本支出中人员经费997.20万元。项目支出474.56万元，信访局临聘人员经费15.56万元。")
    assert facts(got, ("number_text", "subject")) == [
        ("997.20", "personnel_expenditure"), ("474.56", "project_expenditure"), ("15.56", None)]


def test_basic_and_project_totals_are_no_total_expenditure():
    got = statements("2026年支出总计1682.76万元。其中:基本支出合计为1208.20万元，项目支出合计为474.56万元。")
    assert facts(got, ("number_text", "subject")) == [
        ("1682.76", "total_expenditure"), ("1208.20", "basic_expenditure"), ("474.56", "project_expenditure")]


def test_clause_and_sentence_ends_found_once_are_what_a_search_stopped_there_finds():
    # Every text over the marks that matter (、 ends a clause only after 元, %, ％ or a digit) and every position.
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("元%％1、，。：!?项万") for _ in range(rng.randint(0, 16)))
        ends = ClauseEnds.of(text)
        for position in range(len(text) + 1):
            clauses = [m.end() for m in CLAUSE_END_RE.finditer(text, 0, position)]
            sentences = [m.end() for m in SENTENCE_END_RE.finditer(text, 0, position)]
            stop = CLAUSE_END_RE.search(text, position)
            assert ends.clause_start(position) == (clauses[-1] if clauses else 0)
            assert ends.clause_start(position, back=2) == (clauses[-2] if len(clauses) > 1 else 0)
            assert ends.clause_stop(position, len(text)) == (stop.start() if stop else len(text))
            assert ends.sentence_start(position) == (sentences[-1] if sentences else 0)
