"""One document, one fate: each bad manifest cell or row and each document's failure is one line and one row of the
problems table, and every other document is written; manifests as Excel saves them are read; problems are repeated on
reruns while the input stays the same."""
import shutil

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.errors import DocumentError, Problem
from helpers.ingest.manifest import read_manifest
from helpers.ingest.metadata import infer_metadata
from helpers.pipeline import document
from helpers.pipeline.outputs import failed_documents
from helpers.report.runner import NOTEBOOKS_DIR, discover_sources, ensure_processed, plan_reports

DOC_IDS = ["luoyang-luolong_2024", "luoyang_2026", "kaifeng-xiangfu_2024", "dazhou-dachuan_2024", "zhaoyuan_2024"]


def _corpus(tmp_path, manifest: pd.DataFrame | bytes | None = None):
    raw = tmp_path / "raw"
    raw.mkdir()
    for doc_id in DOC_IDS:
        shutil.copy(RAW_DIR / f"{doc_id}.txt", raw / f"{doc_id}.txt")
    if isinstance(manifest, bytes):
        (raw / "manifest.csv").write_bytes(manifest)
    elif manifest is not None:
        manifest.to_csv(raw / "manifest.csv", index=False)
    return raw


def _original() -> pd.DataFrame:
    return pd.read_csv(RAW_DIR / "manifest.csv", dtype=str, keep_default_na=False)


def _run(raw, out, capsys) -> tuple[int, list[str], pd.DataFrame, pd.DataFrame]:
    code = main(["process", "--raw-dir", str(raw), "--out-dir", str(out)])
    err = capsys.readouterr().err.splitlines()
    return code, err, pd.read_parquet(out / "problems.parquet"), pd.read_parquet(out / "documents.parquet")


@pytest.mark.parametrize("encoding, sep", [("gb18030", ","), ("utf-16", "\t"), ("utf-8-sig", ","), ("utf-16", ",")])
def test_manifest_saved_by_excel_reads_like_its_utf8_original(tmp_path, encoding, sep):
    _original().to_csv(tmp_path / "manifest.csv", index=False, sep=sep, encoding=encoding)
    frame, problems = read_manifest(tmp_path)
    assert problems == []
    pd.testing.assert_frame_equal(frame, read_manifest(RAW_DIR)[0])


def test_each_bad_manifest_cell_is_one_line_and_every_document_is_written(tmp_path, capsys):
    manifest = _original().set_index("doc_id")
    manifest.loc["luoyang-luolong_2024", "fiscal_year"] = "2024年"
    manifest.loc["kaifeng-xiangfu_2024", "fiscal_year"] = ""
    manifest.loc["dazhou-dachuan_2024", "fiscal_year"] = "２０２４"
    manifest.loc["zhaoyuan_2024", "amount_unit"] = "千元"
    raw = _corpus(tmp_path, manifest.reset_index())
    code, err, problems, docs = _run(raw, tmp_path / "out", capsys)
    where = raw / "manifest.csv"
    assert code == 1
    assert [e for e in err if "manifest" in e] == [
        f"warning: {where}: line 5: fiscal_year '２０２４' read as 2024 (full-width digits)",
        f"error: {where}: line 2: fiscal_year '2024年' is not a year (four digits, e.g. 2024): left empty",
        f"error: {where}: line 6: amount_unit '千元' is not a unit (万元 or 元): left empty",
        f"warning: {raw / 'kaifeng-xiangfu_2024.txt'}: the manifest row gives no fiscal_year: '2024' read from the text",
        f"warning: {raw / 'luoyang-luolong_2024.txt'}: the manifest row gives no fiscal_year: '2024' read from the text",
        f"warning: {raw / 'zhaoyuan_2024.txt'}: the manifest row gives no amount_unit: '万元' read from the text",
    ]
    assert sorted(docs["doc_id"]) == sorted(DOC_IDS)
    assert docs.set_index("doc_id")["fiscal_year"].to_dict() == {
        "dazhou-dachuan_2024": 2024, "kaifeng-xiangfu_2024": 2024, "luoyang-luolong_2024": 2024, "luoyang_2026": 2026,
        "zhaoyuan_2024": 2024}
    row = problems[(problems["doc_id"] == "luoyang-luolong_2024") & (problems["severity"] == "error")].iloc[0]
    assert (row["file"], row["stage"]) == (str(where), "manifest")


def test_a_row_with_a_stray_comma_is_not_used_and_its_document_is_read_from_the_text(tmp_path, capsys):
    lines = (RAW_DIR / "manifest.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("河南,", "河南,,", 1)  # kaifeng-xiangfu_2024
    raw = _corpus(tmp_path, ("\n".join(lines) + "\n").encode())
    code, err, problems, docs = _run(raw, tmp_path / "out", capsys)
    assert code == 1
    assert f"error: {raw / 'manifest.csv'}: line 4: 11 cells where the header has 10 (a stray comma?): the row is not " \
           "used" in err
    assert bool(docs.set_index("doc_id").loc["kaifeng-xiangfu_2024", "metadata_inferred"])
    assert len(docs) == 5 and problems.loc[problems["stage"] == "manifest", "doc_id"].tolist() == ["kaifeng-xiangfu_2024"]


def test_an_empty_manifest_is_a_warning_and_every_document_is_read_from_its_text(tmp_path, capsys):
    raw = _corpus(tmp_path, b"")
    code, err, _, docs = _run(raw, tmp_path / "out", capsys)
    assert code == 0 and err[0] == (f"warning: {raw / 'manifest.csv'}: the manifest is empty: every document's "
                                    "metadata is read from its text")
    assert docs["metadata_inferred"].all() and len(docs) == 5


def test_a_manifest_without_its_columns_is_refused_in_one_line(tmp_path):
    (tmp_path / "manifest.csv").write_text("id,name\na,b\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"manifest lacks columns \['doc_id', 'bureau_name'"):
        read_manifest(tmp_path)


def test_a_cover_with_the_year_on_a_line_of_its_own_gives_the_year():
    meta = infer_metadata("\n\n达州市达川区医疗保障局\n2024\n部门预算\n\n目 录\n")
    assert (meta["fiscal_year"], meta["bureau_name"]) == ("2024", "达州市达川区医疗保障局")


def test_an_exception_in_one_document_is_its_one_line_and_the_others_are_written(tmp_path, capsys, monkeypatch):
    real = document.classify_projects

    def fails_for_one(projects, budget_lines):
        if (projects["doc_id"] == "luoyang_2026").any():
            raise ValueError("boom\nsecond line")
        return real(projects, budget_lines)

    monkeypatch.setattr(document, "classify_projects", fails_for_one)
    raw = _corpus(tmp_path, _original())
    code, err, problems, docs = _run(raw, tmp_path / "out", capsys)
    assert code == 1
    assert err == [f"error: {raw / 'luoyang_2026.txt'}: unexpected ValueError in analysis: boom second line"]
    assert problems.to_dict("records") == [{"doc_id": "luoyang_2026", "file": str(raw / "luoyang_2026.txt"),
                                            "stage": "analysis", "severity": "error",
                                            "message": "unexpected ValueError in analysis: boom second line"}]
    assert sorted(docs["doc_id"]) == sorted(set(DOC_IDS) - {"luoyang_2026"})


def test_reports_repeat_the_problems_on_a_rerun_and_name_the_failed_documents_error(tmp_path, capsys):
    raw = _corpus(tmp_path)
    _original().to_csv(raw / "manifest.csv", index=False, encoding="gb18030")  # as Excel saves it on Chinese Windows
    (raw / "empty_2024.txt").write_bytes(b"  \n")
    out = tmp_path / "out"
    assert ensure_processed(raw, out, "code") == (True, 1)
    first = [e for e in capsys.readouterr().err.splitlines() if e.startswith("error")]
    assert first == [f"error: {raw / 'empty_2024.txt'}: file is empty"]
    assert ensure_processed(raw, out, "code") == (False, 1)  # up to date: not processed again, still said
    assert capsys.readouterr().err.splitlines() == first
    assert failed_documents(out) == {"empty_2024": "read: file is empty"}
    plan = plan_reports([*DOC_IDS, "empty_2024"], discover_sources(raw), raw, out, tmp_path / "reports", NOTEBOOKS_DIR,
                        "code", {}, False)
    assert [(o.name, o.error) for o in plan.failed] == [("empty_2024", "read: file is empty")]
    assert sorted(job.name for job in plan.jobs) == sorted([*DOC_IDS, "comparison"])


def test_problem_prints_as_its_line():
    problem = Problem("error", "raw/a.txt", "file is empty", "read", "a")
    assert (problem.line(), str(problem)) == ("error: raw/a.txt: file is empty", "raw/a.txt: file is empty")
