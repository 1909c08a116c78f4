"""Fault injection: `python -m helpers reports` killed at random points leaves the reports folder as the old set or the
new set, whole; its workers die with it; no staging folder outlives the next run (nor a SIGTERM'd one); two runs at
once do not interleave."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import RAW_DIR
from helpers.fsio import FolderLock

DOCS = ["dazhou-dachuan_2024", "kaifeng-xiangfu_2024"]
SEEDS = [1, 2, 3]


def reports_cmd(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "helpers", "reports", "--raw-dir", str(root / "raw"), "--processed-dir",
            str(root / "processed"), "--out-dir", str(root / "reports"), "--jobs", "2", *extra]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def assert_whole(folder: Path, old: dict[str, bytes]) -> str:
    """'old' if the folder is byte for byte the previous set; else it must be a complete new set."""
    now = snapshot(folder)
    if now == old:
        return "old"
    assert set(now) == set(old), sorted(set(now) ^ set(old))
    for name, data in now.items():
        if name.endswith(".html"):
            assert data.rstrip().endswith(b"</html>"), name
    state = json.loads(now[".fingerprints.json"])
    assert all(state[d]["status"] == "built" for d in [*DOCS, "comparison"])
    assert json.loads(now[".run.json"])["key"]
    return "new"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, float]:
    """Two bureaus processed and reported once, then rebuilt with --force: the folder and that rebuild's duration."""
    root = tmp_path_factory.mktemp("faults")
    (root / "raw").mkdir()
    for doc_id in DOCS:
        (root / "raw" / f"{doc_id}.txt").write_bytes((RAW_DIR / f"{doc_id}.txt").read_bytes())
    rows = pd.read_csv(RAW_DIR / "manifest.csv", dtype=str)
    rows[rows["doc_id"].isin(DOCS)].to_csv(root / "raw" / "manifest.csv", index=False)
    done = subprocess.run(reports_cmd(root), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    start = time.perf_counter()
    forced = subprocess.run(reports_cmd(root, "--force"), capture_output=True, text=True, timeout=300)
    assert forced.returncode == 0, forced.stderr
    return root, time.perf_counter() - start


def litter(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".reports.") and not p.name.endswith(".lock"))


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_reports_leave_the_old_or_the_new_set_whole_and_no_worker(site, seed):
    site, duration = site
    old = snapshot(site / "reports")
    delay = random.Random(seed).uniform(0.3, duration)
    process = subprocess.Popen(reports_cmd(site, "--force"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    workers = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if alive(p)], "workers outlived their parent"
    outcome = assert_whole(site / "reports", old)
    after = subprocess.run(reports_cmd(site), capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr
    assert litter(site) == []  # the next run removed what the killed one left
    assert assert_whole(site / "reports", old) in ("old", "new")
    print(f"seed {seed}: killed after {delay:.1f} of {duration:.1f} s → {outcome}")


def test_terminated_reports_clean_up_at_once(site):
    site, _ = site
    old = snapshot(site / "reports")
    process = subprocess.Popen(reports_cmd(site, "--force"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)
    workers = descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    time.sleep(0.5)
    assert litter(site) == [] and not [p for p in workers if alive(p)]
    assert assert_whole(site / "reports", old) in ("old", "new")


def test_a_second_run_says_another_is_running(site):
    site, _ = site
    with FolderLock(site / "reports"):
        done = subprocess.run(reports_cmd(site), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "another run is writing this folder" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_gives_one_line(site, tmp_path):
    site, _ = site
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        done = subprocess.run([*reports_cmd(site)[:-4], "--out-dir", str(out / "reports"), "--jobs", "1"],
                              capture_output=True, text=True, timeout=120)
    finally:
        out.chmod(0o700)
    assert done.returncode == 1 and "cannot write" in done.stderr


def test_full_disk_keeps_the_old_reports_and_font_and_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    import errno
    import shutil as shutil_module

    from helpers.report import charts
    from helpers.report.runner import build_reports
    from reporting import write_stub_notebooks

    raw, notebooks, out = tmp_path / "raw", tmp_path / "notebooks", tmp_path / "reports"
    raw.mkdir()
    for doc_id in DOCS:
        (raw / f"{doc_id}.txt").write_bytes((RAW_DIR / f"{doc_id}.txt").read_bytes())
    write_stub_notebooks(notebooks)
    assert build_reports(raw, tmp_path / "processed", out, jobs=1, notebooks_dir=notebooks) == 1  # kaifeng's stub fails
    before = snapshot(out)
    bigger = tmp_path / "font.otf"
    bigger.write_bytes(charts.font_path().read_bytes() + b"\0" * 10)

    def full_disk(source, target, *args, **kwargs):
        Path(target).write_bytes(b"")  # what a full disk leaves: a 0-byte file, then the error
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(charts, "font_path", lambda: bigger)
    monkeypatch.setattr(shutil_module, "copyfile", full_disk)
    capsys.readouterr()
    assert build_reports(raw, tmp_path / "processed", out, jobs=1, notebooks_dir=notebooks, force=True) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and "the disk is full" in err[-1]
    assert snapshot(out) == before and (out / "assets" / "cjk-font.otf").stat().st_size > 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".reports.")) == [".reports.lock"]
