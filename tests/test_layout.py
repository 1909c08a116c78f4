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


def test_columns_under_a_carry_over_group_are_the_carry_over_s():
    assert role_of_path(["当年预算", "基本支出", "小计"]) == "basic"
    assert role_of_path(["上年结转结余", "基本支出", "小计"]) == "carryover_basic"
    assert role_of_path(["上年结转结余", "基本支出", "人员经费"]) == "carryover_personnel"
    assert role_of_path(["上年结转结余", "项目支出"]) == "carryover_project"
    assert role_of_path(["财政拨款结转", "一般公共预算"]) == "carryover_general_budget"
    assert role_of_path(["上年结转结余", "小计"]) == "carryover"


def test_each_side_of_a_two_sided_table_keeps_its_columns():
    from helpers.tables.read import read_tables
    from helpers.tables.split import RawDocument, RawTable, Row

    header = [["收入", "", "", "", "支出"],
              ["项目", "本年预算", "编制预算", "上年结转", "项目", "本年预算", "编制预算", "上年结转"]]
    body = [["一、本年收入", "1682.76", "1682.76", "0.00", "一、本年支出", "1682.76", "1682.76", "0.00"],
            ["一般公共预算拨款", "1682.76", "1682.76", "0.00", "一、一般公共服务支出", "1378.41", "1378.41", "0.00"],
            ["", "", "", "", "二、社会保障和就业支出", "304.35", "304.35", "0.00"],
            ["收入总计", "1682.76", "1682.76", "0.00", "支出总计", "1682.76", "1682.76", "0.00"]]
    table = RawTable(kind="fiscal_summary", title="财政拨款收支总表", title_line=1, unit="万元",
                     header=[Row(i + 2, r) for i, r in enumerate(header)],
                     body=[Row(i + 10, r) for i, r in enumerate(body)])
    reading = read_tables("d", RawDocument(lines=[], tables=[table], narrative=[], toc=[]), "万元", 2026)
    lines = reading.frames["budget_lines"]
    income = lines[lines["side"] == "income"]
    assert income["total_wan"].tolist() == [1682.76, 1682.76, 1682.76]
    assert income["current_year_wan"].tolist() == [1682.76, 1682.76, 1682.76]
    assert reading.frames["unparsed"].empty


def test_a_malformed_number_in_an_amount_column_is_left_unparsed_not_read_as_the_row_label():
    layout = build_layout([Row(1, ["科目", "合计", "基本支出", "项目支出"])])
    for bad in ("1,2,3", "1e15", "inf", "12.3.4", "nan"):
        parsed = read_row(Row(9, ["卫生健康支出", bad, "5.00", "6.00"]), layout)
        assert [text for _, text in parsed.labels] == ["卫生健康支出"]
        assert "total" not in parsed.amounts and parsed.amounts["basic"] == Decimal("5.00")
        assert parsed.leftover == [(1, bad, "not a number in an amount column")]
    # a label that merely holds digits stays a label
    parsed = read_row(Row(9, ["2024年度项目", "11.00", "5.00", "6.00"]), layout)
    assert [text for _, text in parsed.labels] == ["2024年度项目"] and parsed.amounts["total"] == Decimal("11.00")


def test_a_header_read_again_gives_a_layout_of_its_own_with_the_same_roles():
    header = ["科目", "2025年预算数", "2026年预算数"]
    first, again = build_layout(_header(header), 2026), build_layout(_header(list(header)), 2026)
    assert again is not first and again == first and again.period == {1: "prev"}
    row = Row(5, ["行政运行", "1.00", "2.00"])
    assert read_row(row, first) is read_row(row, first)  # rows read are remembered by their layout …
    assert not again._read  # … and by it alone
    assert build_layout(_header(header), 2024).period == {}  # another year, another layout
