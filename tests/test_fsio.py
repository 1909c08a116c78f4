"""File-system primitives: whole-file writes, one run per output folder, a folder swapped in whole."""
import pytest

from helpers.fsio import FolderLock, OutputError, replace_folder, staging_folder, write_atomic


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


def test_replace_folder_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "processed"
    target.mkdir()
    (target / "old.csv").write_text("old")
    staged = staging_folder(target)
    (staged / "new.csv").write_text("new")
    replace_folder(staged, target)
    assert [p.name for p in target.iterdir()] == ["new.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["processed"]
