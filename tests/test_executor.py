"""The executor seam: local processes and a Dask cluster run the same per-document tasks, results in order or as they
complete, a failure that task's alone; process on a local Dask cluster writes the same bytes as local processes."""
from __future__ import annotations

import signal
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.ingest.sources import DocumentSource
from helpers.pipeline.executor import ExecutorError, LocalExecutor, make_executor
from helpers.pipeline.workers import extract_all
from helpers.tools.synth import generate
from reporting import output_hashes


def square_or_fail(n: int) -> int:
    if n == 3:
        raise ValueError("three is refused")
    return n * n


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_executor_gives_each_task_its_result_or_its_own_error(jobs):
    with closing(LocalExecutor(jobs)) as runner:
        ordered = list(runner.map(square_or_fail, range(6)))
        assert [d.task for d in ordered] == list(range(6))
        assert [d.value for d in ordered] == [0, 1, 4, None, 16, 25]
        assert [type(d.error).__name__ for d in ordered if d.error] == ["ValueError"]
        assert str(ordered[3].error) == "three is refused"
        unordered = list(runner.map(square_or_fail, range(6), ordered=False))
        assert sorted((d.task, d.value) for d in unordered) == [(d.task, d.value) for d in ordered]


def test_dask_needs_a_scheduler_address():
    with pytest.raises(ExecutorError, match="--scheduler"):
        make_executor("dask", 1, None)
    assert main(["process", "--raw-dir", str(RAW_DIR), "--out-dir", "/nonexistent/out", "--executor", "dask"]) == 1


def test_pdfs_are_extracted_once_per_file_then_read_from_the_cache(tmp_path):
    from test_ingest import write_pdf  # the tiny-PDF writer of the ingest tests

    a = write_pdf(tmp_path / "a.pdf", [["收支总表"], ["单位：万元"]])
    b = write_pdf(tmp_path / "b.pdf", [["支出总表"]])
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 cut here")
    documents = [DocumentSource("ab", (a, b)), DocumentSource("b", (b,)), DocumentSource("bad", (bad,))]
    with closing(LocalExecutor(2)) as runner:
        first = extract_all(documents, runner, tmp_path / "interim")
        again = extract_all(documents, runner, tmp_path / "interim")
    assert (first.files, first.pages_extracted, first.pages_cached) == (3, 3, 0)  # b once; bad left to its document
    assert (again.pages_extracted, again.pages_cached) == (0, 3)
    assert "3 pages extracted" in first.line(tmp_path) and "pages/s on 2 worker(s)" in first.line(tmp_path)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as local:
        yield local


def test_dask_executor_gives_each_task_its_result_or_its_own_error(cluster):
    with closing(make_executor("dask", scheduler=cluster.scheduler_address)) as runner:
        assert runner.workers == 2
        done = list(runner.map(square_or_fail, range(6)))
        assert [d.value for d in done] == [0, 1, 4, None, 16, 25]
        assert isinstance(done[3].error, ValueError)
        assert sorted(d.task for d in runner.map(square_or_fail, range(6), ordered=False)) == list(range(6))


def test_process_on_a_dask_cluster_writes_what_local_processes_write(cluster, tmp_path):
    raw = tmp_path / "raw"
    generate(RAW_DIR, raw, n=3, seed=5)
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02 binary")  # one document's failure, one line, on both executors
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(local), "--jobs", "2"]) == 1
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(dask), "--executor", "dask",
                 "--scheduler", cluster.scheduler_address]) == 1
    assert output_hashes(local) == output_hashes(dask)  # every file alike (a DuckDB file by its content)
    problems = pd.read_parquet(dask / "problems.parquet")
    assert problems["doc_id"].tolist() == ["broken"] and problems["severity"].tolist() == ["error"]
    assert len(pd.read_parquet(dask / "documents.parquet")) == 3


def test_a_document_whose_worker_fails_is_that_documents_problem(tmp_path, monkeypatch):
    from helpers.pipeline import workers

    def crash(task):  # not a DocumentError: what a dying worker or a lost task looks like to the run
        if task.source.doc_id == second:
            raise MemoryError("worker ran out of memory")
        return real(task)

    real = workers.process_one
    monkeypatch.setattr(workers, "process_one", crash)
    raw = tmp_path / "raw"
    generate(RAW_DIR, raw, n=3, seed=5)
    sources = _sources(raw)
    second = sources[1].doc_id
    outcomes = list(workers.process_all(sources, _manifest(raw), 1, tmp_path))
    errors = {s.doc_id: (str(e), e.stage) for s, _, e in outcomes if e is not None}
    assert errors == {second: ("local worker failed: MemoryError: worker ran out of memory", "worker")}
    assert sum(r is not None for _, r, _ in outcomes) == 2


def _sources(raw: Path):
    from helpers.ingest.sources import discover

    return discover(raw)[0]


def _manifest(raw: Path):
    from helpers.ingest.manifest import load_manifest

    return load_manifest(raw)


WINDOW = """
import multiprocessing, os, signal, sys, time
from helpers.pipeline.executor import _start_local_worker, held_while_forking

def interrupt(signum, frame):  # what a run's handler does: raise where the process is
    raise KeyboardInterrupt(signum)

def worker(parent):
    time.sleep(0.5)  # a worker forked, not yet at its initializer: the window
    _start_local_worker(parent)
    time.sleep(0.2)  # after it, a signal is ignored

signal.signal(signal.SIGTERM, interrupt)
context = multiprocessing.get_context("fork")
if sys.argv[1] == "held":
    with held_while_forking():
        child = context.Process(target=worker, args=(os.getpid(),))
        child.start()
else:
    child = context.Process(target=worker, args=(os.getpid(),))
    child.start()
time.sleep(0.1)
os.kill(child.pid, signal.SIGTERM)  # lands in the window
child.join()
print(child.exitcode)
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_sigterm_in_a_forked_workers_first_moments_waits_for_its_initializer():
    def run(mode: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", WINDOW, mode], capture_output=True, text=True, timeout=60)
        return done.stdout.strip(), done.stderr

    exitcode, err = run("held")
    assert exitcode == "0" and "Traceback" not in err, err  # discarded when the worker began to ignore it
    exitcode, err = run("not held")
    assert exitcode == "1" and "KeyboardInterrupt" in err  # the parent's handler ran in the worker


def _signal_state(_: int) -> tuple[bool, bool]:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_IGN, signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_local_workers_ignore_termination_signals_and_the_caller_gets_its_mask_back():
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with closing(LocalExecutor(2)) as runner:
        states = {done.value for done in runner.map(_signal_state, range(4))}
    assert states == {(True, False)}  # ignored, not held: nothing left pending in a worker
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
