"""Suspicious input is a problem or a finding, not a silent number: tables pasted twice, one content under two names,
profile shares outside 0–100% and negative own budgets; an empty table's measures are missing with a reason."""
import math
import shutil

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.analysis.profile import CLASS_COLUMNS, build_profile, check_profile
from helpers.checks.repeats import repeated_tables
from helpers.config import RAW_DIR
from helpers.ingest.manifest import load_manifest
from helpers.pipeline.document import process_document
from helpers.tables.split import extract_document

KAIFENG = (RAW_DIR / "kaifeng-xiangfu_2024.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pasted_twice(tmp_path_factory):
    path = tmp_path_factory.mktemp("twice") / "twice_2024.txt"
    path.write_text(KAIFENG + "\n" + KAIFENG, encoding="utf-8")
    return process_document("twice_2024", path, load_manifest(RAW_DIR))


def test_a_document_pasted_twice_is_an_error_naming_the_repeated_tables(pasted_twice):
    errors = [p for p in pasted_twice.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].stage == "checks"
    assert errors[0].message.startswith("9 table(s) repeat an earlier one of the same title row for row (pasted twice?): "
                                        "table '2024年部门收支总体情况表' (line 678) repeats the one of line 177;")
    assert "error: 9 table(s) repeat" in pasted_twice.frames["documents"].iloc[0]["problems"]


def test_shares_past_100_and_a_negative_own_budget_are_findings_that_contest_their_measure(pasted_twice):
    profile = pasted_twice.frames["spending_profile"].set_index("measure")
    findings = pasted_twice.frames["findings"]
    found = findings[findings["family"] == "profile"].set_index("refs")
    share = profile.loc["transfers_share_pct"]
    assert share["value"] > 100 and share["contested_by"] == "profile.share_range"
    row = found.loc["spending_profile:transfers_share_pct"]
    assert (row["check"], row["severity"], row["expected"], row["actual"]) == ("profile.share_range", "error", 100.0,
                                                                               share["value"])
    own = profile.loc["admin_budget_wan"]
    assert own["value"] < 0 and own["contested_by"] == "profile.negative_remainder"
    assert found.loc["spending_profile:admin_budget_wan", "check"] == "profile.negative_remainder"
    n_errors = pasted_twice.frames["documents"].iloc[0]["n_findings_error"]
    assert n_errors == (findings["severity"] == "error").sum()


def test_a_table_copied_again_after_itself_is_an_error():
    doc = extract_document(KAIFENG)
    projects = next(t for t in doc.tables if t.kind == "projects")
    lines = KAIFENG.split("\n")
    first, last = projects.body[0].line, projects.body[-1].line
    text = "\n".join(lines[:last] + lines[first - 1:last] + lines[last:])  # the rows again, right after themselves
    copied = len(projects.body)
    assert repeated_tables(extract_document(text)) == [
        f"table '2024年项目支出表' (line {projects.title_line}): its rows from line {last + 1} repeat lines "
        f"{first}–{last} cell for cell (pasted twice?): its figures are counted twice"]
    assert copied >= 2 and repeated_tables(doc) == []


def test_one_content_under_two_names_is_an_error_for_both(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "zhaoyuan_2024.txt", raw / "zhaoyuan_2024.txt")
    shutil.copy(RAW_DIR / "zhaoyuan_2024.txt", raw / "zhaoyuan-copy_2024.txt")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 1
    problems = pd.read_parquet(tmp_path / "out" / "problems.parquet")
    same = problems[problems["stage"] == "corpus"]
    assert same["doc_id"].tolist() == ["zhaoyuan-copy_2024", "zhaoyuan_2024"]
    assert same["message"].iloc[1] == ("same content as zhaoyuan-copy_2024 (sha256 fa2eda4f0436…): one document under "
                                       "two names counts twice in every comparison")
    assert capsys.readouterr().err.count("same content as") == 2


def _frames(key_figures: list[tuple[str, float]], budget_lines: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    return {
        "key_figures": pd.DataFrame([(f, "table", v, "expenditure", 10 + i) for i, (f, v) in enumerate(key_figures)],
                                    columns=["figure", "source", "value_wan", "table_kind", "line"]),
        "budget_lines": budget_lines if budget_lines is not None else pd.DataFrame(
            columns=["table_kind", "func_level", "project_wan", "func_code"]),
        "economic_lines": pd.DataFrame(columns=["table_kind", "econ_code", "econ_name", "row_type", "basic_wan",
                                                "project_wan", "total_wan", "line"]),
        "findings": pd.DataFrame(columns=["severity", "check", "lines"]),
        "indicators": pd.DataFrame(columns=["indicator", "unit", "target_value", "line"]),
    }


def _measures(profile: pd.DataFrame) -> dict[str, tuple[float, str]]:
    return {m: (v, n) for m, v, n in zip(profile["measure"], profile["value"], profile["note"], strict=True)}


def test_measures_of_an_empty_project_list_and_function_table_are_missing_with_a_reason_not_zero():
    frames = _frames([("basic_expenditure", 100.0), ("project_expenditure", 50.0), ("personnel_expenditure", 80.0)])
    measures = _measures(build_profile("d", frames, pd.DataFrame(columns=CLASS_COLUMNS), []))
    assert measures["project_share_pct"][0] == pytest.approx(100 * 50 / 150, abs=1e-4)  # printed figures: known
    for name in ("transfers_wan", "transfers_share_pct", "project_personnel_wan", "personnel_total_wan",
                 "personnel_share_of_admin_pct", "admin_budget_wan", "project_admin_wan"):
        value, note = measures[name]
        assert math.isnan(value) and note, name
    assert measures["transfers_wan"][1] == ("no project list (项目支出表 empty or missing) and no function line of "
                                            "project spending (支出总表 empty or missing): unknown")


def test_no_project_spending_keeps_its_true_zeros():
    frames = _frames([("basic_expenditure", 100.0), ("project_expenditure", 0.0), ("personnel_expenditure", 80.0)])
    measures = _measures(build_profile("d", frames, pd.DataFrame(columns=CLASS_COLUMNS), []))
    assert measures["transfers_wan"] == (0.0, "") and measures["transfers_share_pct"] == (0.0, "")
    assert measures["personnel_share_of_admin_pct"] == (80.0, "")


def test_check_profile_leaves_shares_within_bounds_alone():
    profile = pd.DataFrame({"measure": ["a_pct", "b_pct", "admin_budget_wan"], "value": [0.0, 100.0, 0.0],
                            "unit": ["%", "%", "万元"], "basis": "", "table_kind": None, "line": None, "note": "",
                            "contested_by": ""})
    checked, findings = check_profile("d", profile)
    assert findings.empty and checked["contested_by"].tolist() == ["", "", ""]
