"""File-system primitives: whole-file writes, one run per output folder, a folder swapped in whole."""
import os
import stat

import pytest

from helpers.fsio import FolderLock, OutputError, clear_staging, replace_folder, staging_folder, write_atomic


def test_write_atomic_leaves_no_temporary_file_after_a_failure(tmp_path, monkeypatch):
    target = tmp_path / "a.csv"
    write_atomic(target, "old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("helpers.fsio.os.replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_second_run_on_a_locked_folder_is_refused_in_one_line(tmp_path):
    out = tmp_path / "processed"
    with FolderLock(out), pytest.raises(OutputError, match="another run is writing this folder"), FolderLock(out):
        pass
    with FolderLock(out):  # released by the first run
        pass


@pytest.mark.parametrize("exchange", [True, False], ids=["atomic exchange", "two renames"])
def test_replace_folder_swaps_the_whole_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr("helpers.fsio._exchange", lambda a, b: False)  # a file system without RENAME_EXCHANGE
    target = tmp_path / "processed"
    target.mkdir()
    (target / "old.csv").write_text("old")
    staged = staging_folder(target)
    (staged / "new.csv").write_text("new")
    replace_folder(staged, target)
    assert [p.name for p in target.iterdir()] == ["new.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["processed"]


def test_clear_staging_puts_back_the_old_folder_a_crash_left_between_two_renames(tmp_path):
    target = tmp_path / "processed"
    old = tmp_path / ".processed.old-x1"  # renamed aside; the crash came before the new one was renamed in
    old.mkdir()
    (old / "documents.csv").write_text("old")
    staged = tmp_path / ".processed.new-x2"
    staged.mkdir()
    (staged / "documents.csv").write_text("half")
    clear_staging(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]
    assert (target / "documents.csv").read_text() == "old"


def test_staged_folders_and_atomic_files_take_the_umask_mode(tmp_path):
    previous = os.umask(0o027)
    try:
        staged = staging_folder(tmp_path / "out")
        write_atomic(staged / "a.csv", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(staged.stat().st_mode) == 0o750 and stat.S_IMODE((staged / "a.csv").stat().st_mode) == 0o640
