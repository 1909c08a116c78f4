"""The peak memory a run reports is its own: not what its parent held when it started the run."""
import subprocess
import sys

PEAK = "from helpers.pipeline.workers import peak_memory_mb; print(peak_memory_mb()[0])"


def test_a_run_started_by_a_large_parent_reports_its_own_peak():
    held = bytearray(300 * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # touched: resident in this process
    done = subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, check=True)
    assert float(done.stdout) < 200, done.stdout  # a Python with pandas; ru_maxrss would say 300 MB or more
    del held
