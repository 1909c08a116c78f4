"""Bad input: each problem gets one line naming the file, and the good documents' outputs do not change."""
import shutil

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR

GOOD = "dazhou-dachuan_2024"
OUTPUTS = ["documents", "budget_lines", "projects", "indicators", "findings", "spending_profile", "unparsed"]


def _folder(tmp_path, name: str) -> "pd.Path":
    raw = tmp_path / name
    raw.mkdir()
    shutil.copy(RAW_DIR / f"{GOOD}.txt", raw / f"{GOOD}.txt")
    manifest = pd.read_csv(RAW_DIR / "manifest.csv", dtype=str)
    manifest[manifest["doc_id"] == GOOD].to_csv(raw / "manifest.csv", index=False)
    return raw


def _lines(doc_id: str) -> list[str]:
    return (RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8").split("\n")


def _run(raw, out, capsys) -> tuple[int, list[str], list[str]]:
    code = main(["process", "--raw-dir", str(raw), "--out-dir", str(out)])
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    return code, [e for e in err if e.startswith("error:")], [e for e in err if e.startswith("warning:")]


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """The good document processed on its own: what every bad neighbour must leave unchanged."""
    tmp = tmp_path_factory.mktemp("alone")
    raw = _folder(tmp, "raw")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp / "out")]) == 0
    return tmp / "out"


def _assert_good_unchanged(alone, out) -> None:
    for name in OUTPUTS:
        before = pd.read_parquet(alone / f"{name}.parquet")
        after = pd.read_parquet(out / f"{name}.parquet")
        after = after[after["doc_id"] == GOOD].reset_index(drop=True)
        pd.testing.assert_frame_equal(before, after, check_dtype=False, obj=name)


def test_truncated_document_is_named_and_what_it_holds_is_kept(tmp_path, capsys, alone):
    raw = _folder(tmp_path, "raw")
    lines = _lines("kaifeng-xiangfu_2024")
    (raw / "cut_2024.txt").write_text("\n".join(lines[:400]), encoding="utf-8")
    code, errors, _ = _run(raw, tmp_path / "out", capsys)
    assert code == 1
    assert errors == [f"error: {raw / 'cut_2024.txt'}: truncated: the text ends at line 400 inside 2024年项目支出表; "
                      "the contents list 2 more table(s): 十一、部门（单位）整体绩效目标表, 十二、部门预算项目绩效目标汇总表"]
    projects = pd.read_parquet(tmp_path / "out" / "projects.parquet")
    assert (projects["doc_id"] == "cut_2024").sum() == 3  # L398-L400 were read before the cut
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert docs.loc["cut_2024", "problems"].startswith("error: truncated")
    _assert_good_unchanged(alone, tmp_path / "out")


def test_unknown_table_title_is_reported_and_its_cells_kept(tmp_path, capsys, alone):
    raw = _folder(tmp_path, "raw")
    lines = _lines("kaifeng-xiangfu_2024")
    at = lines.index("2024年项目支出表")
    extra = ["2024年部门人员编制情况表", "单位：人", "项目\t编制数\t实有人数", "合计\t12\t11", "行政编制\t10\t9"]
    (raw / "extra_2024.txt").write_text("\n".join(lines[:at] + extra + lines[at:]), encoding="utf-8")
    code, errors, warnings = _run(raw, tmp_path / "out", capsys)
    assert code == 0 and errors == []
    assert (f"warning: {raw / 'extra_2024.txt'}: table '2024年部门人员编制情况表' (line {at + 1}) matches no title of "
            "maps/table_kinds.csv: its 4 numbers are kept in unparsed") in warnings
    unparsed = pd.read_parquet(tmp_path / "out" / "unparsed.parquet")
    kept = unparsed[(unparsed["doc_id"] == "extra_2024") & (unparsed["line"].isin([at + 4, at + 5]))]
    assert sorted(kept["text"]) == ["10", "11", "12", "9"]
    _assert_good_unchanged(alone, tmp_path / "out")


def test_two_files_claiming_one_doc_id_are_both_refused(tmp_path, capsys, alone):
    raw = _folder(tmp_path, "raw")
    shutil.copy(RAW_DIR / "zhaoyuan_2024.txt", raw / "Zhaoyuan_2024.txt")
    shutil.copy(RAW_DIR / "kaifeng-xiangfu_2024.txt", raw / "zhaoyuan_2024.txt")
    code, errors, _ = _run(raw, tmp_path / "out", capsys)
    assert code == 1
    assert errors == [f"error: {raw}: files Zhaoyuan_2024.txt, zhaoyuan_2024.txt claim one doc_id "
                      "(ids differ only by case); none is processed"]
    assert set(pd.read_parquet(tmp_path / "out" / "documents.parquet")["doc_id"]) == {GOOD}
    _assert_good_unchanged(alone, tmp_path / "out")


def test_file_without_manifest_row_is_processed_with_a_warning(tmp_path, capsys, alone):
    raw = _folder(tmp_path, "raw")
    shutil.copy(RAW_DIR / "zhaoyuan_2024.txt", raw / "zhaoyuan_2024.txt")
    code, errors, warnings = _run(raw, tmp_path / "out", capsys)
    assert code == 0 and errors == []
    assert warnings == [f"warning: {raw / 'zhaoyuan_2024.txt'}: no manifest row: bureau, year and unit read from the "
                        "text (metadata_inferred)"]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert bool(docs.loc["zhaoyuan_2024", "metadata_inferred"]) and docs.loc["zhaoyuan_2024", "fiscal_year"] == 2024
    _assert_good_unchanged(alone, tmp_path / "out")


def test_path_characters_and_stray_files_are_refused(tmp_path, capsys, alone):
    raw = _folder(tmp_path, "raw")
    manifest = pd.read_csv(raw / "manifest.csv", dtype=str)
    hostile = manifest.assign(doc_id="../../etc/passwd")
    pd.concat([manifest, hostile]).to_csv(raw / "manifest.csv", index=False)
    (raw / "notes.docx").write_bytes(b"PK")
    (raw / "a b.txt").write_text("x", encoding="utf-8")
    code, errors, _ = _run(raw, tmp_path / "out", capsys)
    assert code == 1
    assert f"error: {raw / 'manifest.csv'}: row '../../etc/passwd' has a doc_id with path or other characters" in errors
    assert f"error: {raw / 'notes.docx'}: not a document: raw documents are <doc_id>.pdf or <doc_id>.txt" in errors
    assert f"error: {raw / 'a b.txt'}: doc_id 'a b' has characters other than letters, digits, '-', '_', '.'" in errors
    assert not (tmp_path / "etc").exists() and not (tmp_path / "out" / "passwd").exists()
    _assert_good_unchanged(alone, tmp_path / "out")


def test_amounts_in_every_printed_form_read_the_same(tmp_path, capsys):
    """项目支出表 of Kaifeng (L398-L403) with its amounts rewritten: full-width digits, a split decimal,
    commas dropped (the file prints 1,028.00)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = _lines("kaifeng-xiangfu_2024")
    forms = {398: ("82.55", "８２.５５"), 400: ("1,028.00", "1028.00"), 401: ("30.00", "30.0 0")}
    for index, (old, new) in forms.items():
        assert old in lines[index], lines[index]
        lines[index] = lines[index].replace(old, new)
    (raw / "forms_2024.txt").write_text("\n".join(lines), encoding="utf-8")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 0
    projects = pd.read_parquet(tmp_path / "out" / "projects.parquet").set_index("line")
    assert projects.loc[[399, 401, 402], "amount_wan"].tolist() == [82.55, 1028.0, 30.0]
    unparsed = pd.read_parquet(tmp_path / "out" / "unparsed.parquet")
    assert unparsed[unparsed["line"].between(398, 403)].empty
