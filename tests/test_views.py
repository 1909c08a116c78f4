"""What the report notebooks show: tables and sentences computed from the processed tables."""
import pandas as pd
import pytest

from helpers.report import compare_views, evidence, tables, views


def test_spending_parts_add_up_to_the_total():
    values = {"total_expenditure_wan": 100.0, "personnel_basic_wan": 10.0, "public_basic_wan": 5.0,
              "project_personnel_wan": 2.0, "project_admin_wan": 3.0, "transfers_insurance_fund_wan": 60.0,
              "transfers_medical_assistance_wan": 20.0, "admin_budget_wan": 20.0}
    parts = views.spending_parts(values)
    assert parts["amount_wan"].sum() == pytest.approx(100.0)
    assert parts.set_index("part").loc["对医保基金补助", "share_pct"] == pytest.approx(60.0)
    admin = views.admin_parts(values)
    assert admin["share_pct"].sum() == pytest.approx(100.0)
    assert set(admin["group"]) == {"administration"}


def test_comparison_groups_like_with_like_and_keeps_other_units_apart():
    comparison = pd.DataFrame({
        "doc_id": ["a", "b", "c"], "bureau_name": ["甲市医疗保障局", "乙区医疗保障局", "丙区民政局"],
        "admin_level": ["prefecture_city", "district", "district"], "fiscal_year": [2026, 2024, 2024],
        **{measure: [1.0, 2.0, 3.0] for measure, _, _ in views.SPENDING_PARTS},
    })
    grouped = compare_views.add_groups(comparison)
    assert grouped["doc_id"].tolist() == ["b", "a", "c"]  # medical security bureaus first, by level and year
    assert grouped["group"].tolist() == ["医保局 medical security · 区 · 2024", "医保局 medical security · 地市级 · 2026",
                                         "非医保单位 other unit · 区 · 2024"]
    assert "丙区民政局 2024" in compare_views.groups_sentence(grouped)
    assert compare_views.comparison_parts(grouped, "admin").index.tolist() == [
        "乙区医疗保障局 2024", "甲市医疗保障局 2026", "丙区民政局 2024"]


def test_log_scale_when_values_differ_by_two_orders_of_magnitude():
    assert compare_views.needs_log_scale(pd.Series([265014.94, 1830.55]))
    assert not compare_views.needs_log_scale(pd.Series([5091.25, 1830.55]))


def test_year_on_year_from_the_stated_change():
    comparison = compare_views.add_groups(pd.DataFrame({
        "doc_id": ["z"], "bureau_name": ["招远市医疗保障局"], "admin_level": ["county_level_city"], "fiscal_year": [2024],
        "total_expenditure_wan": [4643.47], "three_public_wan": [5.76], "operating_expenses_wan": [40.06]}))
    statements = pd.DataFrame({"doc_id": ["z", "z"], "line": [464, 470], "page": pd.array([None, None], dtype="Int64"),
                               "kind": ["change_amount", "change_amount"],
                               "subject": ["total_expenditure", "three_public_total"], "value": [359.82, -1.30]})
    key_figures = pd.DataFrame(columns=["doc_id", "figure", "source", "value_wan", "table_kind", "line", "page"])
    yoy = compare_views.year_on_year(comparison, statements, key_figures)
    assert yoy["previous_wan"].round(2).tolist() == [4283.65, 7.06]
    assert yoy["change_pct"].round(2).tolist() == [8.40, -18.41]  # the narrative's L470 states 下降 18.41%


def test_document_header_escapes_names():
    meta = pd.Series({"doc_id": "x", "bureau_name": "<script>alert(1)</script>局", "fiscal_year": 2024, "province": "河南",
                      "prefecture": "", "county": "", "admin_level": "district", "template_family": "henan",
                      "source_file": "x.txt", "sha256": "ab" * 32, "input_format": "text", "n_pages": 0})
    header = views.document_header(meta, "../raw/x.txt", "../processed")
    assert "<script>" not in header and "&lt;script&gt;" in header and 'href="../raw/x.txt"' in header


def test_verdict_says_which_key_figures_tie_out_and_why_one_is_contested():
    key_figures = pd.DataFrame({
        "figure": ["total_expenditure", "total_expenditure", "basic_expenditure", "basic_expenditure"],
        "source": ["table", "narrative", "table", "narrative"], "value_wan": [4643.47, 4643.47, 831.2, 831.2],
        "table_kind": ["summary", None, "expenditure", None], "line": [103, 458, 144, 458],
        "page": pd.array([3, None, 5, None], dtype="Int64")})
    findings = pd.DataFrame({"check": ["table.rows"], "severity": ["error"], "cause": ["extraction"], "lines": ["144 150"]})
    verdict = evidence.verdict(key_figures, findings).set_index("figure")
    assert verdict.loc["支出总计 · total expenditure", "state"] == "ties"
    assert verdict.loc["支出总计 · total expenditure", "table_at"] == "收支总表 p. 3, L103"
    basic = verdict.loc["基本支出 · basic expenditure"]
    assert basic["state"] == "contested" and "提取丢失" in basic["status"] and basic["checks"] == "table.rows"


def test_verdict_compares_a_figure_in_the_scope_both_sides_give_and_skips_missing_values():
    key_figures = pd.DataFrame({
        "figure": ["personnel_expenditure"] * 3 + ["three_public_total"] * 2,
        "source": ["table", "table", "narrative", "table", "narrative"],
        "scope": ["all", "general", "general", "general", "general"],
        "value_wan": [512.4, 309.13, 309.13, None, 0.0],
        "table_kind": ["expenditure", "general_basic_econ", None, "three_public", None],
        "line": [225, 314, 89, 379, 93], "page": pd.array([None] * 5, dtype="Int64"),
        "basis": ["printed", "printed", "stated", "missing", "stated"]})
    findings = pd.DataFrame({"check": [], "severity": [], "cause": [], "lines": []})
    verdict = evidence.verdict(key_figures, findings).set_index("figure")
    personnel = verdict.loc["人员经费 · personnel"]
    assert personnel["state"] == "ties" and personnel["table_wan"] == 309.13 and "L314" in personnel["table_at"]
    three = verdict.loc["“三公”经费合计 · 三公 total"]
    assert three["state"] == "single" and pd.isna(three["table_wan"]) and three["narrative_wan"] == 0.0


def test_refs_parse_into_sides_with_pages_and_lines():
    sides = evidence.parse_refs("summary:p.3 L12,L13 vs expenditure:L40")
    assert evidence.cite(sides[0]) == "收支总表 p. 3, L12, L13" and evidence.cite(sides[1]) == "支出总表 L40"


def test_pdf_source_links_open_at_the_page_of_the_file_that_holds_it(tmp_path):
    meta = pd.Series({"source_pages": "a.pdf:1-8;b.pdf:9-40", "source_file": "a.pdf;b.pdf"})
    out = tmp_path / "reports"
    assert evidence.source_href(meta, tmp_path / "raw", out, 12) == "../raw/b.pdf#page=4"
    assert evidence.source_href(meta, tmp_path / "raw", out, 3) == "../raw/a.pdf#page=3"


def test_tables_format_numbers_and_show_missing_with_the_reason():
    frame = pd.DataFrame({"amount_wan": [4187.9, None], "share_pct": [83.5777, 1.0], "name": ["a\nb", "<b>"]})
    html = tables.table_html(frame, [tables.Column("amount_wan", "金额", "amount_wan", "wan", "— 未列出 not printed"),
                                     tables.Column("share_pct", "占比", "share_pct", "pct"),
                                     tables.Column("name", "名称", "name")])
    assert ">4,187.90<" in html and ">— 未列出 not printed<" in html and ">83.6<" in html
    assert "&lt;b&gt;" in html and ">a b<" in html and "NaN" not in html
    assert "<th>金额</th>" in html and "<th>amount_wan</th>" in html and 'data-num="0 1"' in html


def test_load_document_names_an_unknown_id(tmp_path):
    from helpers.config import RAW_DIR
    from helpers.pipeline.corpus import run_process

    assert run_process(RAW_DIR, tmp_path) == 0
    with pytest.raises(views.UnknownDocument, match="no document 'nowhere_2024'"):
        views.load_document(tmp_path, "nowhere_2024")
    doc = views.load_document(tmp_path, "dazhou-dachuan_2024")
    assert set(doc["documents"]["doc_id"]) == {"dazhou-dachuan_2024"}
    assert views.measures(doc["spending_profile"])["headcount"] == 41


def test_year_on_year_prefers_the_previous_year_a_table_prints():
    comparison = compare_views.add_groups(pd.DataFrame({
        "doc_id": ["z"], "bureau_name": ["招远市医疗保障局"], "admin_level": ["county_level_city"], "fiscal_year": [2024],
        "total_expenditure_wan": [None], "three_public_wan": [5.76], "operating_expenses_wan": [None]}))
    statements = pd.DataFrame(columns=["doc_id", "line", "page", "kind", "subject", "value"])
    key_figures = pd.DataFrame({"doc_id": ["z"], "figure": ["three_public_total_prev_year"], "source": ["table"],
                                "value_wan": [7.06], "table_kind": ["three_public"], "line": [327],
                                "page": pd.array([None], dtype="Int64")})
    yoy = compare_views.year_on_year(comparison, statements, key_figures)
    assert yoy[["figure", "previous_wan"]].values.tolist() == [["“三公”经费", 7.06]]
    assert yoy["where"].iloc[0].startswith("一般公共预算“三公”经费表 L327")


def test_year_on_year_takes_a_stated_previous_amount_and_this_years_table_figure():
    comparison = compare_views.add_groups(pd.DataFrame({
        "doc_id": ["z"], "bureau_name": ["招远市医疗保障局"], "admin_level": ["county_level_city"], "fiscal_year": [2024],
        "total_expenditure_wan": [None], "three_public_wan": [None], "operating_expenses_wan": [None]}))
    statements = pd.DataFrame({"doc_id": ["z"], "line": [480], "page": pd.array([None], dtype="Int64"),
                               "kind": ["prev_amount"], "subject": ["operating_expenses"], "value": [31.59]})
    key_figures = pd.DataFrame({"doc_id": ["z"], "figure": ["operating_expenses"], "source": ["table"],
                                "value_wan": [40.06], "table_kind": ["operating_expenses"], "line": [410],
                                "page": pd.array([None], dtype="Int64")})
    yoy = compare_views.year_on_year(comparison, statements, key_figures)
    assert yoy[["figure", "now_wan", "previous_wan"]].values.tolist() == [["机关运行经费", 40.06, 31.59]]
    assert yoy["change_wan"].round(2).tolist() == [8.47] and "L480" in yoy["where"].iloc[0]


def test_findings_by_cause_per_document_is_each_documents_own_count():
    findings = pd.DataFrame({
        "doc_id": ["a", "a", "a", "b", "b", "c"],
        "severity": ["error", "error", "warning", "error", "info", "info"],
        "cause": ["document", "document", "extraction", "extraction", "document", "document"],
    })
    per_doc = evidence.findings_by_cause_per_document(findings)
    assert per_doc == {"a": {("error", "document"): 2, ("warning", "extraction"): 1}, "b": {("error", "extraction"): 1}}
    for doc_id, rows in findings.groupby("doc_id"):
        assert per_doc.get(doc_id, {}) == evidence.findings_by_cause(rows)
