import shutil

import pandas as pd

from helpers.__main__ import main
from helpers.config import RAW_DIR
from reporting import same_output


def _copy(tmp_path, *doc_ids, folder="raw"):
    raw = tmp_path / folder
    raw.mkdir()
    for doc_id in doc_ids:
        shutil.copy(RAW_DIR / f"{doc_id}.txt", raw / f"{doc_id}.txt")
    return raw


def test_process_writes_every_table_as_csv_and_parquet(tmp_path, capsys):
    raw = _copy(tmp_path, "luoyang-luolong_2024")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "luoyang-luolong_2024: 14 tables (henan)" in out
    projects = pd.read_csv(tmp_path / "out" / "projects.csv", encoding="utf-8-sig", dtype={"project_code": str})
    assert len(projects) == 12
    assert (tmp_path / "out" / "indicators.parquet").exists()
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert bool(docs.loc[0, "metadata_inferred"]) and docs.loc[0, "fiscal_year"] == 2024


def test_bad_documents_fail_alone_with_one_line(tmp_path, capsys):
    raw = _copy(tmp_path, "zhaoyuan_2024")
    (raw / "empty.txt").write_text("")
    (raw / "binary.txt").write_bytes(b"\x00\x01PK")
    (raw / "prose.txt").write_text("这是一段没有任何表格的文字。\n")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    errors = [e for e in captured.err.strip().splitlines() if e.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt: file is empty" in e for e in errors)
    assert any("binary.txt: file is binary" in e for e in errors)
    assert any("prose.txt: no recognisable budget table" in e for e in errors)
    assert "zhaoyuan_2024: 14 tables" in captured.out


def test_gb18030_file_reads_like_its_utf8_original(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (RAW_DIR / "zhaoyuan_2024.txt").read_text(encoding="utf-8")
    (raw / "zhaoyuan_2024.txt").write_bytes(text.encode("gb18030"))
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "gb")]) == 0
    utf = _copy(tmp_path, "zhaoyuan_2024", folder="utf8")
    assert main(["process", "--raw-dir", str(utf), "--out-dir", str(tmp_path / "utf")]) == 0
    a = pd.read_parquet(tmp_path / "gb" / "indicators.parquet")
    b = pd.read_parquet(tmp_path / "utf" / "indicators.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_manifest_row_without_file_is_reported(tmp_path, capsys):
    raw = _copy(tmp_path, "luoyang_2026")
    (raw / "manifest.csv").write_text((RAW_DIR / "manifest.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 1
    assert "row 'zhaoyuan_2024' names no file zhaoyuan_2024.pdf or zhaoyuan_2024.txt" in capsys.readouterr().err


def test_two_runs_write_identical_bytes(tmp_path):
    raw = _copy(tmp_path, "luoyang-luolong_2024", "dazhou-dachuan_2024")
    for out in ("a", "b"):
        assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / out)]) == 0
    for path in sorted((tmp_path / "a").iterdir()):
        assert same_output(path, tmp_path / "b" / path.name), path.name
