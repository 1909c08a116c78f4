"""Reconciliation (helpers.reconcile): tiny tables for each check, then the real documents."""
import pandas as pd
import pytest

from helpers.checks.ledger import Ledger
from helpers.checks.within import check_column_identities, check_row_sums, check_summary_sides, tree_parents


def lines(rows: list[dict], kind: str = "expenditure") -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["table_kind"] = kind
    for column in ("name", "func_code", "unit_code", "side"):
        if column not in frame:
            frame[column] = None
    return frame


def findings(check, *args) -> pd.DataFrame:
    ledger = Ledger("doc")
    check(ledger, *args)
    return ledger.frame()


def test_tree_parents_follow_levels_and_code_prefixes():
    types = ["total", "unit", "class", "kuan", "item", "item", "class", "item"]
    codes = [None, None, "210", "21011", "2101101", "2101301", "221", "2210201"]
    # 2101301 has no 款 row of its own: it sits under its 类, not under 款 21011.
    assert tree_parents(types, codes, [None] * 8) == [None, 0, 1, 2, 3, 2, 1, 6]


def test_tree_parents_nest_units_by_code():
    assert tree_parents(["total", "unit", "unit", "item"], [None, None, None, "2101101"],
                        [None, "116", "116101", None]) == [None, 0, 1, 2]


FUNCTION_TABLE = [
    {"line": 10, "row_type": "total", "name": "合计", "total_wan": 100.00},
    {"line": 11, "row_type": "class", "func_code": "210", "name": "卫生健康支出", "total_wan": 100.00},
    {"line": 12, "row_type": "kuan", "func_code": "21015", "name": "医疗保障管理事务", "total_wan": 60.00},
    {"line": 13, "row_type": "item", "func_code": "2101501", "name": "行政运行", "total_wan": 60.00},
    {"line": 14, "row_type": "item", "func_code": "2101301", "name": "城乡医疗救助", "total_wan": 40.00},
]


def test_row_sums_that_tie_give_no_finding():
    assert findings(check_row_sums, lines(FUNCTION_TABLE), "func_code").empty


def test_row_sums_name_the_total_and_every_part():
    rows = [dict(r) for r in FUNCTION_TABLE]
    rows[3]["total_wan"] = 50.00  # 行政运行 no longer reaches its 款
    found = findings(check_row_sums, lines(rows), "func_code")
    assert list(found["check"]) == ["table.rows"]
    assert found.iloc[0][["expected", "actual", "difference", "severity"]].tolist() == [60.0, 50.0, -10.0, "error"]
    assert found.iloc[0]["lines"] == "12 13"


def test_row_sums_keep_a_rounding_gap_as_info():
    rows = [
        {"line": 1, "row_type": "total", "total_wan": 10.01},
        {"line": 2, "row_type": "item", "func_code": "2101501", "total_wan": 3.33},
        {"line": 3, "row_type": "item", "func_code": "2101502", "total_wan": 3.33},
        {"line": 4, "row_type": "item", "func_code": "2101503", "total_wan": 3.34},
    ]
    found = findings(check_row_sums, lines(rows), "func_code")
    assert list(found["severity"]) == ["info"] and found.iloc[0]["tolerance"] == pytest.approx(0.015)


def test_column_identities_check_basic_plus_project_on_each_row():
    rows = [
        {"line": 5, "row_type": "item", "name": "行政运行", "total_wan": 10.0, "basic_wan": 6.0, "project_wan": 4.0},
        {"line": 6, "row_type": "item", "name": "城乡医疗救助", "total_wan": 10.0, "basic_wan": None,
         "project_wan": 9.0},
    ]
    found = findings(check_column_identities, lines(rows), "budget")
    assert found["lines"].tolist() == ["6"]
    assert found.iloc[0][["expected", "actual"]].tolist() == [10.0, 9.0]


def test_summary_sides_add_sections_and_totals_and_balance():
    rows = [
        {"line": 1, "side": "income", "row_type": "source", "name": "一、财政拨款", "total_wan": 90.0},
        {"line": 2, "side": "income", "row_type": "source", "name": "一般公共预算拨款收入", "total_wan": 90.0},
        {"line": 3, "side": "income", "row_type": "source", "name": "二、事业收入", "total_wan": 10.0},
        {"line": 4, "side": "income", "row_type": "current_total", "name": "本年收入合计", "total_wan": 100.0},
        {"line": 5, "side": "income", "row_type": "carryover", "name": "上年结转", "total_wan": 5.0},
        {"line": 6, "side": "income", "row_type": "grand_total", "name": "收入总计", "total_wan": 105.0},
        {"line": 6, "side": "expenditure", "row_type": "grand_total", "name": "支出总计", "total_wan": 104.0},
    ]
    assert findings(check_summary_sides, lines(rows[:6], "summary")).empty
    found = findings(check_summary_sides, lines(rows, "summary"))
    assert found["check"].tolist() == ["table.balance"]
    assert found.iloc[0][["expected", "actual"]].tolist() == [105.0, 104.0]


# ---------------------------------------------------------------- the five documents


def errors(result) -> set[tuple[str, str]]:
    """(check, first line of the finding's own side) of every error."""
    frame = result.frames["findings"]
    frame = frame[frame["severity"] == "error"]
    return {(c, refs.split(":L")[1].split(",")[0].split(" ")[0]) for c, refs in zip(frame["check"], frame["refs"],
                                                                                      strict=True)}


def finding(result, check: str, line: int) -> pd.Series:
    frame = result.frames["findings"]
    hit = frame[(frame["check"] == check) & frame["lines"].str.split().map(lambda ls: str(line) in ls)]
    assert not hit.empty, (check, line)
    return hit.iloc[0]


def test_kaifeng_narrative_misstates_a_function_class(corpus):
    # 情况说明 line 105: 社会保障和就业（类）支出80.05万元; every table prints 85.05 (and 占4.65% fits 85.05).
    row = finding(corpus["kaifeng-xiangfu_2024"], "narrative.amount", 105)
    assert (row["expected"], row["actual"], row["cause"]) == (85.05, 80.05, "document")


def test_luoyang_2026_counts_and_carry_over(corpus):
    result = corpus["luoyang_2026"]
    count = finding(result, "narrative.amount", 133)  # 共21个项目, the 项目支出表 lists 22
    assert (count["expected"], count["actual"]) == (22.0, 21.0)
    carry = result.frames["findings"].query("check == 'cross.carryover'")
    assert set(carry["severity"]) == {"warning"} and (carry["difference"].abs().round(2) == 19.61).all()
    missing = result.frames["findings"].query("check == 'complete.missing_table'")
    assert sorted(missing["lines"]) == ["27", "31"]  # 支出经济分类汇总表, 机构运转经费表 listed, absent


def test_luolong_performance_tables_overstate_the_budget(corpus):
    result = corpus["luoyang-luolong_2024"]
    total = finding(result, "perf.budget_total", 451)  # 整体绩效目标表 预算总额
    assert (total["expected"], total["actual"]) == (5091.25, 5314.3)
    extra = finding(result, "perf.unknown_project", 548)  # 城乡医疗救助中央省级配套资金, in no budget table
    assert extra["actual"] == 223.0
    rounded = finding(result, "perf.amount", 501)  # 劳务派遣 30.19 printed 30.2
    assert rounded["severity"] == "info"


def test_zhaoyuan_name_amount_and_page_losses(corpus):
    result = corpus["zhaoyuan_2024"]
    drg = finding(result, "perf.name_amount", 431)  # DRG试点工作经费项目2024年16万, amount 10.00
    assert (drg["expected"], drg["actual"]) == (16.0, 10.0)
    lost = result.frames["findings"].query("check == 'table.rows' and severity == 'error'")
    assert set(lost["cause"]) == {"extraction"}
    assert {"130", "165", "244", "312", "411"} <= set(
        result.frames["findings"].query("check == 'complete.empty_page'")["lines"])


def test_dazhou_empty_total_missing_tables_and_wrong_percent(corpus):
    result = corpus["dazhou-dachuan_2024"]
    empty = finding(result, "table.rows", 344)  # 一般公共预算支出表 合计 row printed empty
    assert (empty["expected"], empty["actual"]) == (0.0, 4187.9)
    # The contents (L20, L26, L34) list 收入总表, 财政拨款支出预算表（部门经济分类科目） and the 三公 table; none is printed.
    assert sorted(result.frames["findings"].query("check == 'complete.missing_table'")["lines"]) == ["20", "26", "34"]
    change = finding(result, "narrative.change", 212)  # 减少11.21万元，下降12.17%: 11.21 / 92.12, not / 103.33
    assert "not over the base" in change["message"]


def test_every_error_is_a_known_problem_of_its_document(corpus):
    """No identity that holds is flagged: the errors are exactly those read in the documents."""
    assert errors(corpus["kaifeng-xiangfu_2024"]) == {("narrative.amount", "105")}
    assert errors(corpus["luoyang_2026"]) == {("narrative.amount", "133"), ("complete.missing_table", "27"),
                                              ("complete.missing_table", "31")}
    assert errors(corpus["luoyang-luolong_2024"]) == {("perf.budget_total", "451"), ("perf.budget_total", "458"),
                                                      ("perf.budget_total", "499")}
    assert errors(corpus["dazhou-dachuan_2024"]) == {
        ("table.rows", "344"), ("cross.figure", "344"), ("complete.missing_table", "20"),
        ("complete.missing_table", "26"), ("complete.missing_table", "34"), ("narrative.change", "212")}
    zhaoyuan = corpus["zhaoyuan_2024"].frames["findings"]
    document_errors = zhaoyuan[(zhaoyuan["severity"] == "error") & (zhaoyuan["cause"] == "document")]
    assert sorted(document_errors["check"]) == ["perf.name_amount", "perf.name_amount"]


def test_shanghai_template_has_no_false_errors(shanghai):
    for result in shanghai.values():
        frame = result.frames["findings"]
        frame = frame[frame["severity"] == "error"]
        # The only errors are two narrative amounts the documents misstate (read at the lines named).
        assert set(frame["check"]) <= {"narrative.amount"}, result.doc_id
