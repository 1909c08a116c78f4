"""What the report notebooks show: tables and sentences computed from the processed tables."""
import pandas as pd
import pytest

from helpers.report import views


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


def test_comparison_parts_sort_by_transfer_share():
    comparison = pd.DataFrame({
        "doc_id": ["a", "b"], "bureau_name": ["甲局", "乙局"], "fiscal_year": [2024, 2024],
        "transfers_share_pct": [50.0, 90.0], "personnel_share_of_admin_pct": [80.0, 30.0],
        **{measure: [1.0, 2.0] for measure, _, _ in views.SPENDING_PARTS},
    })
    assert views.comparison_parts(comparison, "total").index.tolist() == ["乙局 2024", "甲局 2024"]
    assert views.comparison_parts(comparison, "admin").index.tolist() == ["甲局 2024", "乙局 2024"]


def test_document_header_escapes_names():
    meta = pd.Series({"bureau_name": "<script>alert(1)</script>局", "fiscal_year": 2024, "province": "河南",
                      "prefecture": "", "county": "", "template_family": "henan", "source_file": "x.txt",
                      "sha256": "ab" * 32, "n_findings_error": 0, "n_findings_warning": 0, "n_unparsed": 0})
    header = views.document_header(meta)
    assert "<script>" not in header and "&lt;script&gt;" in header


def test_load_document_names_an_unknown_id(tmp_path):
    from helpers.config import RAW_DIR
    from helpers.pipeline.corpus import run_process

    assert run_process(RAW_DIR, tmp_path) == 0
    with pytest.raises(views.UnknownDocument, match="no document 'nowhere_2024'"):
        views.load_document(tmp_path, "nowhere_2024")
    doc = views.load_document(tmp_path, "dazhou-dachuan_2024")
    assert set(doc["documents"]["doc_id"]) == {"dazhou-dachuan_2024"}
    assert views.measures(doc["spending_profile"])["headcount"] == 41
