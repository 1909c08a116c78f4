"""Performance tables of the provincial templates, on tiny inline tables shaped as the PDFs print them."""
from helpers.tables.context import TableContext
from helpers.tables.performance import parse_performance_table
from helpers.tables.performance_long import project_of_title
from helpers.tables.split import RawTable, Row


def _read(kind, header, body, title="t", page_titles=(), units=frozenset()):
    table = RawTable(kind=kind, title=title, title_line=1, unit="万元",
                     header=[Row(i + 2, r) for i, r in enumerate(header)],
                     body=[Row(i + 10, r) for i, r in enumerate(body)], page_titles=list(page_titles))
    ctx = TableContext("d", table, "万元", 2026)
    ctx.units = units
    indicators, budgets = parse_performance_table(ctx)
    return indicators, budgets, ctx


HUNAN_HEADER = [["单位编码", "单位（项目）名称", "资金总额", "绩效目标", "绩效指标"],
                ["", "", "", "", "一级指标", "二级指标", "三级指标", "指标值", "指标值内容", "评（扣）分标准",
                 "度量单位", "指标值类型", "备注"]]


def test_hunan_grid_reads_projects_from_their_column_and_totals_apart():
    body = [["合计", "", "270.00"],
            ["201056", "某某办公室", "270.00"],
            ["201056", "经常性运转经费", "270.00", "保障运转", "成本指标", "经济成本指标", "水费", "120", "水费总费用",
             "偏离目标40%不得分", "万元", "＝", "7"],
            ["", "", "", "", "", "", "电费", "140", "电费财政拨款总费用", "偏离目标40%不得分", "万元", "＝", "7"],
            ["201056", "经常性运转经费", "270.00", "保障运转", "产出指标", "质量指标", "安全率", "100", "安全率",
             "偏离", "%", "≥", ""]]  # a page break repeats the project row
    indicators, budgets, _ = _read("project_performance", HUNAN_HEADER, body, units=frozenset({"某某办公室"}))
    assert [(b["project_name"], b["label"], b["amount_wan"]) for b in budgets] == [
        (None, "unit_total:资金总额", 270.0), (None, "unit_total:资金总额", 270.0), ("经常性运转经费", "资金总额", 270.0)]
    assert [(i["indicator"], i["level1"], i["level2"], i["raw"]) for i in indicators] == [
        ("水费", "成本指标", "经济成本指标", "＝120万元"), ("电费", "成本指标", "经济成本指标", "＝140万元"),
        ("安全率", "产出指标", "质量指标", "≥100%")]
    assert {i["project_name"] for i in indicators} == {"经常性运转经费"}


def test_hunan_department_row_amounts_take_the_header_labels_and_its_indicator_is_no_budget():
    header = [["单位编码", "单位名称", "年度预算申请", "", "", "整体绩效目标", "部门整体支出年度绩效目标"],
              ["", "", "资金总额", "按支出性质分"],
              ["", "", "", "基本支出", "项目支出", "", "一级指标", "二级指标", "三级指标", "指标值类型", "指标值",
               "计量单位"]]
    body = [["201056", "某某办公室", "656.73", "386.73", "270.00", "目标", "成本指标", "经济成本指标", "项目支出", "≤",
             "270", "万元"]]
    indicators, budgets, _ = _read("dept_performance", header, body)
    assert [(b["label"], b["amount_wan"]) for b in budgets] == [("资金总额", 656.73), ("基本支出", 386.73),
                                                                ("项目支出", 270.0)]
    assert [(i["indicator"], i["raw"]) for i in indicators] == [("项目支出", "≤270万元")]


def test_chongqing_indicator_grid_without_levels():
    header = [["绩效指标", "指标名称", "指标性质", "指标值", "计量单位", "指标权重(%)", "是否核心"]]
    body = [["", "获批项目数量", "≥", "800", "项", "20", "是"], ["", "保障运行天数", "=", "365", "天", "5", "否"]]
    indicators, budgets, _ = _read("dept_performance", header, body)
    assert budgets == []  # 800 is a target, never an amount
    assert [(i["indicator"], i["operator"], i["target_value"], i["unit"], i["weight"]) for i in indicators] == [
        ("获批项目数量", ">=", 800.0, "项", 20.0), ("保障运行天数", "=", 365.0, "天", 5.0)]


def test_fujian_per_project_tables_are_named_by_their_titles():
    body = [["专项资金情况（万元）", "资金总额：", "85.50"], ["", "财政拨款：", "85.50"],
            ["绩效目标指标", "一级指标", "二级指标", "三级指标", "目标值"],
            ["", "成本指标", "经济成本指标", "预算执行率", "≥90%"],
            ["专项资金情况（万元）", "资金总额：", "28.50"]]
    indicators, budgets, _ = _read("project_performance", [], body, title="“泉州政务”新媒体号运营资金项目绩效目标表",
                                   page_titles=[(14, "驻沪办房屋修缮经费项目绩效目标表")])
    assert [(b["project_name"], b["amount_wan"]) for b in budgets] == [
        ("“泉州政务”新媒体号运营资金", 85.5), ("“泉州政务”新媒体号运营资金", 85.5), ("驻沪办房屋修缮经费", 28.5)]
    assert indicators[0]["project_name"] == "“泉州政务”新媒体号运营资金" and indicators[0]["indicator"] == "预算执行率"


def test_a_code_beside_its_label_is_no_amount():
    body = [["部门名称", "某部门", "部门预算编码", "103"], ["年度预算安排（万元）", "资金总额", "8200.95"]]
    _, budgets, ctx = _read("dept_performance", [], body)
    assert [(b["label"], b["amount_wan"]) for b in budgets] == [("资金总额", 8200.95)]
    assert [(u["text"], u["reason"]) for u in ctx.unparsed] == [("103", "a code beside its label (部门预算编码), no amount")]


def test_generic_titles_name_no_project():
    assert project_of_title("2026年项目支出绩效目标表") is None
    assert project_of_title("部门（单位）整体绩效目标表") is None
    assert project_of_title("2026年市级一般性项目绩效目标表（一级项目）") is None
    assert project_of_title("泉州城市形象专题宣传经费项目绩效目标表") == "泉州城市形象专题宣传经费"
