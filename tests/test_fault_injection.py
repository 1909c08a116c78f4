"""Fault injection: `python -m helpers process` killed at random points (SIGKILL to the run, SIGTERM to its process
group) while it replaces a folder of outputs: the folder is then the old set or the new set, whole, never a mixture;
a SIGTERM leaves nothing beside it and says so in one line; what a SIGKILL left is cleared by the next run; the workers
die with the run."""
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.pipeline.outputs import check_outputs
from reporting import bundled_raw, output_hashes

SEEDS = range(8)  # even seeds SIGKILL, odd ones SIGTERM; each costs about one run of three documents
OLD = ["dazhou-dachuan_2024", "kaifeng-xiangfu_2024"]
NEW = ["luoyang-luolong_2024", "luoyang_2026", "zhaoyuan_2024"]


def _start(raw: Path, out: Path, jobs: int = 2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "helpers", "process", "--raw-dir", str(raw), "--out-dir", str(out),
                             "--jobs", str(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """The old set (two documents), the new set (three others) and how long a run that writes it takes."""
    root = tmp_path_factory.mktemp("faults")
    old_raw, new_raw = bundled_raw(root / "old_raw", OLD), bundled_raw(root / "new_raw", NEW)
    assert _start(old_raw, root / "old").wait(timeout=120) == 0
    start = time.perf_counter()
    assert _start(new_raw, root / "new").wait(timeout=120) == 0
    return root / "old", new_raw, output_hashes(root / "old"), output_hashes(root / "new"), time.perf_counter() - start


@pytest.mark.parametrize("seed", SEEDS)
def test_process_killed_at_a_random_point_leaves_the_old_or_the_new_outputs_whole(sets, tmp_path, seed):
    old, new_raw, old_set, new_set, seconds = sets
    rng = random.Random(seed)
    out = tmp_path / "processed"
    shutil.copytree(old, out)
    kill = signal.SIGKILL if seed % 2 == 0 else signal.SIGTERM
    run = _start(new_raw, out)
    time.sleep(rng.uniform(0, 1.1 * seconds))  # anywhere from the imports to just after the swap
    if kill == signal.SIGKILL:
        run.kill()  # the run alone: its workers must die with it
    else:
        os.killpg(run.pid, kill)  # the whole group, as a terminal or a service manager does: workers included
    _, err = run.communicate(timeout=60)  # a worker killed mid-message would hang the pool: this fails instead
    outcome = "old" if output_hashes(out) == old_set else "new" if output_hashes(out) == new_set else "mixed"
    print(f"seed {seed}: {kill.name} → exit {run.returncode}, {outcome} set")
    assert outcome in ("old", "new") and check_outputs(out) == []
    assert "Traceback" not in err
    if kill == signal.SIGTERM:  # before the run began (still importing) it just ends; after, it cleans up and says so
        assert run.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM), err
        if run.returncode == 128 + signal.SIGTERM:
            assert err.splitlines()[-1] == f"error: interrupted; {out} left as it was"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".processed.lock") == ["processed"]
    if kill == signal.SIGKILL:  # nothing runs after SIGKILL: the next run clears what it left, then writes
        assert _start(new_raw, out).wait(timeout=120) == 0
        assert output_hashes(out) == new_set
        assert sorted(p.name for p in tmp_path.iterdir()) == [".processed.lock", "processed"]


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except OSError:
        return False


def test_workers_die_with_a_killed_run(sets):
    _, new_raw, *_ = sets
    out = new_raw.parent / "killed"
    run = _start(new_raw, out)
    deadline = time.monotonic() + 30
    while not (workers := _children(run.pid)) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert workers, "the run started no worker"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


def test_a_signal_python_swallows_still_stops_the_run_before_the_swap(capsys):
    """SIGTERM landing where Python cannot raise (an at-fork callback, a __del__) is remembered, not printed."""
    from helpers.pipeline.interrupts import Interrupted, signals_interrupt

    class SignalsInDel:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)  # the handler runs here, inside __del__, where its exception is swallowed

    with signals_interrupt() as stop_if_signalled:
        SignalsInDel()
        with pytest.raises(Interrupted):
            stop_if_signalled()
    assert "Traceback" not in capsys.readouterr().err


def test_a_signal_a_library_turns_into_its_own_error_is_still_an_interruption():
    from helpers.pipeline.interrupts import Interrupted, signals_interrupt

    with pytest.raises(Interrupted), signals_interrupt():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
        except Interrupted:
            raise RuntimeError("Query interrupted") from None  # what DuckDB raises when a signal lands in a query
