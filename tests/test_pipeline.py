"""Figures a person can check in the documents (line numbers are those of data/raw)."""
import pandas as pd
import pytest

from helpers.config import RAW_DIR
from helpers.ingest.raw_text import read_text
from helpers.tables.numbers import is_amount
from helpers.tables.split import extract_document


def figure(result, name, source="table"):
    kf = result.frames["key_figures"]
    hit = kf[(kf["figure"] == name) & (kf["source"] == source)]
    assert len(hit) == 1, f"{name}/{source}: {len(hit)} rows"
    return hit.iloc[0]


@pytest.mark.parametrize("doc_id, name, value, line", [
    ("luoyang-luolong_2024", "total_income", 5091.25, 201),
    ("luoyang-luolong_2024", "basic_expenditure", 330.47, 225),
    ("luoyang-luolong_2024", "personnel_expenditure", 309.13, 314),
    ("luoyang-luolong_2024", "operating_expenses", 21.34, 409),
    ("luoyang_2026", "total_expenditure", 265014.94, 212),
    ("luoyang_2026", "three_public_reception", 2.75, 354),
    ("kaifeng-xiangfu_2024", "project_expenditure", 1830.55, 242),
    ("dazhou-dachuan_2024", "public_expenditure", 92.12, 364),
    ("zhaoyuan_2024", "three_public_total", 5.76, 327),
    ("zhaoyuan_2024", "three_public_total_prev_year", 7.06, 327),
    ("zhaoyuan_2024", "procurement_total", 2.30, 443),
])
def test_table_key_figures(corpus, doc_id, name, value, line):
    row = figure(corpus[doc_id], name)
    assert row["value_wan"] == pytest.approx(value, abs=1e-9) and row["line"] == line


def test_narrative_figures_are_kept_beside_table_figures(corpus):
    row = figure(corpus["luoyang_2026"], "operating_expenses", "narrative")
    assert row["value_wan"] == 55.95 and row["line"] == 121
    assert figure(corpus["kaifeng-xiangfu_2024"], "operating_expenses", "narrative")["value_wan"] == 88.3


@pytest.mark.parametrize("doc_id, count", [
    ("luoyang-luolong_2024", 12), ("luoyang_2026", 22), ("kaifeng-xiangfu_2024", 6),
    ("dazhou-dachuan_2024", 6), ("zhaoyuan_2024", 7),
])
def test_project_lists_are_complete(corpus, doc_id, count):
    assert len(corpus[doc_id].frames["projects"]) == count


def test_project_names_are_repaired_and_coded(corpus):
    projects = corpus["luoyang-luolong_2024"].frames["projects"].set_index("project_name")
    row = projects.loc["人员类-2024年劳务派遣"]
    assert row["amount_wan"] == 30.19 and row["project_type"] == "其他运转类"
    assert row["project_code"] == "41031124000000008039" and row["line"] == 434
    assert projects.loc["2024年离休干部住院及门诊医疗补助", "amount_wan"] == 55.0


def test_project_with_carry_over_funding(corpus):
    projects = corpus["luoyang_2026"].frames["projects"]
    row = projects[projects["line"] == 421].iloc[0]
    assert row["amount_wan"] == 4.11 and row["carryover_general_budget_wan"] == 4.11
    assert pd.isna(row["general_budget_wan"])


def test_sichuan_projects_carry_their_function_code(corpus):
    projects = corpus["dazhou-dachuan_2024"].frames["projects"].set_index("project_name")
    assert projects.loc["2024年度居民参保“零跑腿、一站结”专项经费项目", "func_code"] == "2101502"
    assert projects.loc["2024年度居民参保“零跑腿、一站结”专项经费项目", "amount_wan"] == 18.72


def test_shifted_expenditure_row_is_realigned(corpus):
    lines = corpus["kaifeng-xiangfu_2024"].frames["budget_lines"]
    total = lines[(lines["table_kind"] == "expenditure") & (lines["row_type"] == "total")].iloc[0]
    assert (total["project_wan"], total["project_other_wan"], total["project_specific_wan"]) == (1830.55, 732.55, 1098.0)
    assert total["realigned"]


def test_economic_lines_keep_the_printed_value(corpus):
    econ = corpus["kaifeng-xiangfu_2024"].frames["economic_lines"]
    row = econ[econ["econ_code"] == "30112"].iloc[0]
    assert row["total_wan"] == 682.55 and row["line"] == 339


def indicator(result, project, name):
    ind = result.frames["indicators"]
    hit = ind[(ind["project_name"] == project) & (ind["indicator"] == name)]
    assert len(hit) == 1, f"{project}/{name}: {len(hit)}"
    return hit.iloc[0]


def test_henan_wide_indicator_in_a_shifted_row(corpus):
    row = indicator(corpus["luoyang_2026"], "提前下达2026年城乡居民基本医疗保险中央补助资金-实际下达", "基本医保参保人数(万人)")
    assert (row["level1"], row["operator"], row["target_value"], row["unit"]) == ("产出指标", ">=", 510.0, "万人")


def test_henan_indicator_name_broken_over_rows_is_joined(corpus):
    row = indicator(corpus["luoyang_2026"], "公务用车运行维护费", "公务人员出行满意度")
    assert (row["level1"], row["operator"], row["target_value"]) == ("满意度指标", ">=", 99.0)


def test_henan_cost_indicator(corpus):
    row = indicator(corpus["luoyang-luolong_2024"], "2024年系统维护费", "系统运行维护响应时间")
    assert (row["level1"], row["operator"], row["target_value"], row["unit"]) == ("产出指标", "<=", 2.0, "小时")


def test_sichuan_indicator_columns(corpus):
    result = corpus["dazhou-dachuan_2024"]
    row = indicator(result, "2024年度医疗保险网络维护费用项目", "网络故障率")
    assert (row["level1"], row["level2"], row["operator"], row["target_value"], row["unit"], row["weight"]) == (
        "产出指标", "质量指标", "<=", 2.0, "%", 15.0)
    row = indicator(result, "2024年度医疗保险网络维护费用项目", "网络维护管理机制健全")
    assert (row["operator"], row["target_text"], row["weight"]) == ("qualitative", "优", 10.0)


def test_department_indicators(corpus):
    ind = corpus["dazhou-dachuan_2024"].frames["indicators"]
    row = ind[(ind["scope"] == "department") & (ind["indicator"] == "2024年单位在职人员数量")].iloc[0]
    assert (row["operator"], row["target_value"], row["unit"]) == ("=", 41.0, "人")


def test_shandong_long_tables(corpus):
    row = indicator(corpus["zhaoyuan_2024"], "DRG试点经费项目2024年16万", "DRG试点项目总成本控制数")
    assert (row["level1"], row["level2"], row["operator"], row["target_value"], row["unit"]) == (
        "成本指标", "经济成本", "<=", 10.0, "万元")


def test_truncated_pages_and_missing_tables_are_recorded(corpus):
    docs = corpus["zhaoyuan_2024"].frames["documents"].iloc[0]
    assert "130" in docs["empty_page_lines"].split(";")
    dazhou = corpus["dazhou-dachuan_2024"].frames["documents"].iloc[0]
    # 五、财政拨款支出预算表（部门经济分类科目） (L26), 二、部门收入总表 and 九、…“三公”经费支出预算表: listed, not printed
    assert set(dazhou["tables_missing"].split(";")) == {"income", "three_public", "fiscal_econ"}


@pytest.mark.parametrize("doc_id", ["luoyang-luolong_2024", "luoyang_2026", "kaifeng-xiangfu_2024",
                                    "dazhou-dachuan_2024", "zhaoyuan_2024"])
def test_every_numeric_cell_of_a_table_lands_somewhere(corpus, doc_id):
    frames = corpus[doc_id].frames
    covered = set()
    for name in ("budget_lines", "economic_lines", "projects", "performance_budgets", "indicators", "unparsed"):
        covered |= set(frames[name]["line"].dropna().astype(int))
    kf = frames["key_figures"]
    covered |= set(kf[kf["source"] == "table"]["line"].dropna().astype(int))
    doc = extract_document(read_text(RAW_DIR / f"{doc_id}.txt").text)
    numeric_lines = {r.line for t in doc.tables for r in t.rows
                     if any(is_amount(c) and ("." in c or "," in c) for c in r.cells)}
    assert numeric_lines - covered == set()


def test_shanghai_template_in_yuan(shanghai):
    welfare = shanghai["shanghai-putuo-welfarehome_2024"]
    assert figure(welfare, "total_income")["value_wan"] == pytest.approx(1212.1164)
    assert figure(welfare, "three_public_total")["value_wan"] == 6.4
    lines = welfare.frames["budget_lines"]
    repaired = lines[(lines["table_kind"] == "expenditure") & lines["code_repaired"].astype(bool)]
    assert repaired["func_code"].tolist() == ["2101102"] and repaired["line"].tolist() == [119]
    office = shanghai["shanghai-putuo-govoffice_2025"]
    assert figure(office, "operating_expenses")["value_wan"] == 213.28
    assert figure(office, "three_public_abroad")["value_wan"] == 839.0
    assert office.frames["documents"].iloc[0]["template_family"] == "shanghai"


def test_income_row_under_a_shifted_header_is_realigned(corpus):
    # 单位收入预算表: 19.61 is 上年结转结余 (合计 and 一般公共预算), not 其他收入.
    lines = corpus["luoyang_2026"].frames["budget_lines"]
    total = lines[(lines["table_kind"] == "income") & (lines["line"] == 223)].iloc[0]
    assert (total["carryover_wan"], total["carryover_general_budget_wan"]) == (19.61, 19.61)
    assert pd.isna(total["other_income_wan"]) and total["current_year_wan"] == 264995.33


def test_shanghai_documents_leave_no_cell_unparsed(shanghai):
    for doc_id, result in shanghai.items():
        assert result.frames["unparsed"].empty, doc_id
        assert result.frames["documents"].iloc[0]["template_family"] == "shanghai", doc_id
