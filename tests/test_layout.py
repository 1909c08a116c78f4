from decimal import Decimal

from helpers.tables.layout import build_layout, read_row, role_of_path
from helpers.tables.split import Row


def _header(*rows):
    return [Row(i + 1, list(r)) for i, r in enumerate(rows)]


def test_role_of_path_resolves_subtotal_by_nearest_parent():
    assert role_of_path(["本年收入", "一般公共预算", "小计"]) == "general_budget"
    assert role_of_path(["基本支出", "小计"]) == "basic"
    assert role_of_path(["项目支出", "小计"]) == "project"
    assert role_of_path(["基本支出", "人员经费", "工资福利支出"]) == "personnel"


def test_leaf_columns_under_one_group_are_summed():
    layout = build_layout(_header(
        ["合计", "基本支出", "", "", "", ""],
        ["", "小计", "人员经费", "", "公用经费", ""],
        ["", "", "工资福利支出", "对个人和家庭的补助", "商品和服务支出", "资本性支出"],
    ))
    parsed = read_row(Row(9, ["10.00", "10.00", "6.00", "1.00", "3.00", ""]), layout)
    assert parsed.amounts == {"total": Decimal("10.00"), "basic": Decimal("10.00"),
                              "personnel": Decimal("7.00"), "public": Decimal("3.00")}


def test_read_row_realigns_a_row_that_lost_a_cell_by_the_identities():
    layout = build_layout(_header(
        ["名称", "合计", "基本支出", "", "项目支出", "", ""],
        ["", "", "人员经费", "公用经费", "小计", "其他运转类", "特定目标类"],
    ))
    # The extraction dropped the empty 公用经费 cell: project figures slid one left.
    parsed = read_row(Row(5, ["合计", "9.00", "", "9.00", "4.00", "5.00"]), layout)
    assert parsed.amounts == {"total": Decimal("9.00"), "project": Decimal("9.00"),
                              "project_other": Decimal("4.00"), "project_specific": Decimal("5.00")}
    assert parsed.shifted == 1


def test_read_row_sends_an_unmapped_number_to_leftover():
    layout = build_layout(_header(["名称", "合计", "神秘列"]))
    parsed = read_row(Row(3, ["办公费", "2.00", "7.00"]), layout)
    assert parsed.amounts == {"total": Decimal("2.00")}
    assert parsed.leftover == [(2, "7.00", "no column role for header '神秘列'")]
