"""A run's outputs are whole or absent: written into a staged folder, swapped in with the run's manifest (_run.json)
last; a failed or refused run leaves the previous outputs and one line; reports rebuild a folder the manifest does not
vouch for."""
import errno
import hashlib
import json
import shutil

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.fsio import FolderLock
from helpers.pipeline import corpus
from helpers.pipeline.outputs import RUN_MANIFEST, check_outputs, hash_files, outputs_digest, write_run_manifest
from helpers.report.runner import ensure_processed
from reporting import bundled_raw, output_hashes

DOC = "luoyang-luolong_2024"


def _process(raw, out, *extra) -> int:
    return main(["process", "--raw-dir", str(raw), "--out-dir", str(out), *extra])


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """One document processed once: the 'previous outputs' of the tests below (copied, never changed)."""
    root = tmp_path_factory.mktemp("processed")
    raw = bundled_raw(root / "raw", [DOC])
    assert _process(raw, root / "out") == 0
    return raw, root / "out"


@pytest.fixture
def previous(processed, tmp_path):
    raw, out = processed
    shutil.copytree(out, tmp_path / "out")
    return raw, tmp_path / "out", output_hashes(out)


def test_run_manifest_lists_every_file_of_the_run_with_its_size_and_sha256(processed):
    _, out = processed
    listed = json.loads((out / RUN_MANIFEST).read_text(encoding="utf-8"))["files"]
    files = sorted(p for p in out.iterdir() if p.name != RUN_MANIFEST)
    assert sorted(listed) == [p.name for p in files] and "problems.csv" in listed and "comparison.parquet" in listed
    for path in files:
        assert listed[path.name] == {"bytes": path.stat().st_size,
                                     "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert check_outputs(out) == []


def test_the_manifest_takes_a_file_hashed_before_only_while_it_is_unchanged(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    (tmp_path / "b.csv").write_text("2")
    (tmp_path / ".partial.tmp").write_text("still being written")
    hashed = hash_files(tmp_path)
    assert sorted(hashed) == ["a.csv", "b.csv"]
    (tmp_path / "b.csv").write_text("22")  # changed after it was hashed
    size_and_time, entry = hashed["a.csv"]
    hashed["a.csv"] = (size_and_time, {**entry, "sha256": "taken as hashed"})
    write_run_manifest(tmp_path, hashed)
    listed = json.loads((tmp_path / RUN_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert listed["a.csv"]["sha256"] == "taken as hashed"
    assert listed["b.csv"] == {"bytes": 2, "sha256": hashlib.sha256(b"22").hexdigest()}
    assert ".partial.tmp" in listed  # every file of the folder is listed, hashed when the manifest is written


def test_check_outputs_names_a_csv_cut_mid_row_and_a_missing_parquet(previous):
    _, out, _ = previous
    data = (out / "projects.csv").read_bytes()
    (out / "projects.csv").write_bytes(data[: len(data) // 2])  # pandas reads this without complaint
    (out / "tables.parquet").unlink()
    assert check_outputs(out) == [f"{out / 'projects.csv'}: {len(data) // 2} bytes where the run wrote {len(data)}",
                                  f"{out / 'tables.parquet'}: missing"]
    assert outputs_digest(out) is None


def test_check_outputs_refuses_a_folder_without_a_run_manifest(tmp_path):
    assert check_outputs(tmp_path) == [f"{tmp_path / RUN_MANIFEST}: missing: not the outputs of a complete run"]


def test_reports_reprocess_a_folder_whose_csv_was_cut_and_skip_a_whole_one(tmp_path, capsys):
    raw = bundled_raw(tmp_path / "raw", [DOC])
    out = tmp_path / "out"
    assert ensure_processed(raw, out, "code") == (True, 0)
    whole = output_hashes(out)
    assert ensure_processed(raw, out, "code") == (False, 0)  # up to date
    (out / "budget_lines.csv").write_bytes((out / "budget_lines.csv").read_bytes()[:-100])
    assert ensure_processed(raw, out, "code") == (True, 0)
    assert output_hashes(out) == whole


def test_a_run_that_fills_the_disk_leaves_the_previous_outputs_and_one_line(previous, monkeypatch, capsys):
    raw, out, before = previous

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(corpus, "write_comparison", full)  # after every table is written
    assert corpus.run_process(raw, out) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {out}: cannot write: the disk is full; {out} left as it was"]
    assert output_hashes(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".out.lock", "out"]  # no staged folder left


def test_a_read_only_disk_is_one_line(previous, monkeypatch, capsys):
    raw, out, before = previous

    def read_only(target):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(corpus, "staging_folder", read_only)
    assert corpus.run_process(raw, out) == 1
    assert capsys.readouterr().err == f"error: {out}: cannot write: the file system is read-only; {out} left as it was\n"
    assert output_hashes(out) == before


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_holds_it(previous, capsys):
    raw, out, before = previous
    with FolderLock(out):
        assert corpus.run_process(raw, out) == 1
    assert "another run is writing this folder" in capsys.readouterr().err
    assert output_hashes(out) == before


def test_a_folder_holding_other_files_is_not_replaced(tmp_path, capsys):
    raw = bundled_raw(tmp_path / "raw", [DOC])
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"PK")
    assert _process(raw, out) == 1
    assert "holds files that are not outputs of a run (thesis.docx)" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_what_a_killed_run_left_is_cleared_and_gitkeep_kept(previous):
    raw, out, _ = previous
    (out / ".gitkeep").write_bytes(b"")
    stale = out.parent / ".out.new-abc123"
    stale.mkdir()
    (stale / "documents.csv").write_text("doc_id\n")
    assert corpus.run_process(raw, out) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == [".out.lock", "out"]
    assert (out / ".gitkeep").is_file() and check_outputs(out) == []


def test_an_unreadable_manifest_refuses_the_run_and_keeps_the_outputs(previous, capsys):
    raw, out, before = previous
    raw = shutil.copytree(raw, out.parent / "raw")
    (raw / "manifest.csv").write_bytes(b"\x00\x01\x02binary")
    assert corpus.run_process(raw, out) == 1
    assert capsys.readouterr().err == (f"error: {raw / 'manifest.csv'}: file is binary (contains NUL bytes), not "
                                       f"extracted text; {out} left as it was\n")
    assert output_hashes(out) == before


def test_problems_table_is_written_even_when_there_is_none(processed):
    _, out = processed
    problems = pd.read_csv(out / "problems.csv", encoding="utf-8-sig")
    assert list(problems.columns) == ["doc_id", "file", "stage", "severity", "message"] and problems.empty
