import pandas as pd

from helpers.tables.budget import CodeContext, parse_function_table, split_function_code
from helpers.tables.context import TableContext
from helpers.tables.economic import parse_econ_table
from helpers.tables.layout import Layout, build_layout
from helpers.tables.split import RawTable, Row


def _table(kind, header, body, unit="万元"):
    return RawTable(kind=kind, title="t", title_line=1, unit=unit,
                    header=[Row(i + 2, r) for i, r in enumerate(header)],
                    body=[Row(i + 10, r) for i, r in enumerate(body)])


def test_split_function_code_inherits_class_and_repairs_a_mangled_one():
    layout = Layout(roles={4: "total"}, paths={}, code_cols={0: "func_class", 1: "func_kuan", 2: "func_xiang"})
    context = CodeContext()
    assert split_function_code([(0, "210")], layout, "卫生健康支出", context)["func_code"] == "210"
    kuan = split_function_code([(1, "11")], layout, "行政事业单位医疗", context)
    assert kuan["func_code"] == "21011" and kuan["func_level"] == "款"
    mangled = split_function_code([(0, "7"), (1, "11"), (2, "02")], layout, "事业单位医疗", context)
    assert mangled["func_code"] == "2101102" and mangled["code_repaired"]


def test_parse_function_table_converts_yuan_and_types_rows():
    table = _table("expenditure", [["类", "款", "项", "名称", "合计", "基本支出"]],
                   [["208", "05", "05", "养老保险缴费", "767,579", "767,579"], ["合计", "", "", "", "767,579", ""]],
                   unit="元")
    ctx = TableContext("d", table, "元", 2024)
    records = parse_function_table(ctx, build_layout(table.header))
    frame = pd.DataFrame(records)
    assert frame["row_type"].tolist() == ["item", "total"]
    assert frame.loc[0, "func_code"] == "2080505"
    assert frame.loc[0, "total_wan"] == 76.7579 and frame.loc[0, "basic_wan"] == 76.7579


def test_parse_econ_table_joins_split_codes_and_infers_a_missing_one():
    table = _table("general_basic_econ", [["科目编码", "科目名称", "科目编码", "科目名称", "合计", "人员经费"]], [
        ["30107", "绩效工资", "50501", "工资福利支出", "30.65", "30.65"],
        ["", "绩效工资", "50501", "工资福利支出", "10.33", "10.33"],
        ["301", "08", "机关事业单位基本养老保险缴费", "501", "02", "社会保障缴费", "27.25"],
    ])
    ctx = TableContext("d", table, "万元", 2024)
    frame = pd.DataFrame(parse_econ_table(ctx, build_layout(table.header)))
    assert frame["econ_code"].tolist() == ["30107", "30107", "30108"]
    assert frame["code_inferred"].tolist() == [False, True, False]
    assert frame.loc[2, "gov_econ_code"] == "50102"
