"""The peak memory a run reports is its own: not what its parent held when it started the run; freed memory goes back
to the system; the objects of the imports are set aside from the garbage collector while a run processes."""
import gc
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.pipeline.executor import LocalExecutor
from helpers.pipeline.memory import imports_set_aside
from helpers.tools.synth import generate

PEAK = "from helpers.pipeline.memory import peak_memory_mb; print(peak_memory_mb())"


def test_a_run_started_by_a_large_parent_reports_its_own_peak():
    held = bytearray(300 * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # touched: resident in this process
    done = subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, check=True)
    assert float(done.stdout) < 200, done.stdout  # a Python with pandas; ru_maxrss would say 300 MB or more
    del held


RELEASE = """
from pathlib import Path
from helpers.pipeline.memory import release_free_memory

def rss_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

blocks = [bytearray(4000) for _ in range(25_000)]  # ~100 MB on the heap, below malloc's mmap threshold
pin = bytearray(4000)  # the heap's top stays in use, so free() alone cannot shrink it
del blocks
before = rss_mb()
released = release_free_memory()
print(released, before - rss_mb())
"""


@pytest.mark.skipif(not Path("/proc/self/statm").is_file() or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's; resident size read from /proc")
def test_freed_heap_pages_go_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", RELEASE], capture_output=True, text=True, check=True)
    released, dropped_mb = done.stdout.split()
    assert released == "True"
    assert float(dropped_mb) > 50, done.stdout  # without the trim the freed 100 MB stay resident


def test_a_run_reports_the_peak_of_each_kind_of_process(tmp_path, capsys):
    generate(RAW_DIR, tmp_path / "raw", n=2, seed=3)
    assert main(["process", "--raw-dir", str(tmp_path / "raw"), "--out-dir", str(tmp_path / "out"), "--jobs", "2"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    hit = re.search(r"peak memory (\d+) MB, workers (\d+) MB, database (\d+) MB", line)
    assert hit, line
    main_mb, workers_mb, database_mb = map(int, hit.groups())
    assert min(main_mb, workers_mb, database_mb) > 20, line  # each a Python process with pandas, its own figure


def _set_aside(_task: int) -> int:
    return gc.get_freeze_count()


def test_imports_are_set_aside_during_the_block_in_its_workers_too_and_come_back_after_an_error():
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), imports_set_aside():
        assert gc.get_freeze_count() > 10_000  # every module's objects
        executor = LocalExecutor(2)
        try:
            assert all(done.value > 10_000 for done in executor.map(_set_aside, range(4)))  # forked: inherited
        finally:
            executor.close()
        raise RuntimeError("a stage failed")
    assert gc.get_freeze_count() == 0
