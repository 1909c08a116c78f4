from helpers.tables.split import extract_document, kind_of_title


def test_kind_of_title_maps_provincial_titles_to_one_kind():
    assert kind_of_title("2024 年部门收支预算表") == "summary"
    assert kind_of_title("收支总体情况表") == "summary"
    assert kind_of_title("2024年预算单位财务收支预算总表") == "summary"
    assert kind_of_title("2024年一般公共预算“三公”经费支出情况表") == "three_public"
    assert kind_of_title("政府性基金预算“三公”经费支出预算表") == "gov_fund_three_public"
    assert kind_of_title("本级部门预算项目绩效目标汇总表") == "project_performance"


def test_extract_merges_repeated_title_and_records_empty_page():
    text = "\n".join([
        "收入总体情况表", "单位：万元", "科目编码\t科目名称\t合计", "208\t社会保障\t1.00",
        "", "收入总体情况表", "单位  万元", "", "支出总体情况表", "单位：万元",
        "科目编码\t科目名称\t合计", "208\t社会保障\t1.00",
    ])
    doc = extract_document(text)
    assert [t.kind for t in doc.tables] == ["income", "expenditure"]
    income = doc.tables[0]
    assert income.page_lines == [6] and income.empty_pages == [6]
    assert [r.line for r in income.body] == [4]


def test_extract_joins_unit_split_over_two_lines():
    doc = extract_document("2024 年部门支出预算表\n单位：万\n元\n科目\t合计\n210\t1.00")
    assert doc.tables[0].unit == "万元"


def test_extract_keeps_debris_out_of_cells_and_titles():
    doc = extract_document("## 2026 年单位收入预算表\n**单位：元**\n项目\t<p>合计</p>\n**x**\t12.00")
    table = doc.tables[0]
    assert table.kind == "income" and table.unit == "元"
    assert table.header[0].cells == ["项目", "合计"]


def test_rows_after_an_empty_table_note_start_an_untitled_table_named_by_the_toc():
    text = "\n".join([
        "- 一、国有资本经营支出预算表", "- 二、行政（事业）单位机构运转经费预算表", "- 三、项目支出预算表",
        "国有资本经营支出预算表", "单位：万元", "科目\t合计", "备注：本单位无国有资本经营预算拨款安排的支出，故此表无数据。",
        "30201\t办公费\t6.10", "项目支出预算表", "单位：万元", "项目名称\t合计", "办公\t1.00",
    ])
    doc = extract_document(text)
    assert [t.kind for t in doc.tables] == ["state_capital", "operating_expenses", "projects"]
    assert doc.tables[1].title_inferred and doc.tables[1].body[0].line == 8


def test_a_cross_reference_to_a_table_is_no_empty_table():
    doc = extract_document("七、绩效目标\n详见单位的项目绩效目标表\n八、其他")
    assert doc.tables == [] and [t for _, t in doc.narrative] == ["七、绩效目标", "详见单位的项目绩效目标表", "八、其他"]
