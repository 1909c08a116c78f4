"""Documents through the pipeline in worker processes: results in document order, a bounded window in flight, each
failure one document's one-line error, and workers that never outlive the run that started them.

A worker asks the kernel to kill it when its parent dies (Linux ``PR_SET_PDEATHSIG``), so a run killed with SIGKILL
leaves no worker computing on; a run stopped by a signal or an error stops its workers before it returns. Workers
ignore Ctrl-C (the terminal sends it to the whole group): the run that started them decides.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path

import pandas as pd

from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError
from helpers.ingest.sources import DocumentSource
from helpers.pipeline.document import DocumentResult, process_document

IN_FLIGHT_PER_JOB = 4  # enough queued work to keep every worker busy while the writer catches up
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_MANIFEST: pd.DataFrame | None = None  # of this process: set once per worker, not pickled with every task
_INTERIM: Path = INTERIM_DIR

Outcome = tuple[DocumentSource, DocumentResult | None, DocumentError | None]


def _use_manifest(manifest: pd.DataFrame, interim_dir: Path = INTERIM_DIR) -> None:
    global _MANIFEST, _INTERIM
    _MANIFEST, _INTERIM = manifest, interim_dir


def _start_worker(manifest: pd.DataFrame, interim_dir: Path, parent: int) -> None:
    """A worker's first act: die with the parent, leave Ctrl-C and SIGTERM to it, then take the manifest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "prctl"):
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    _use_manifest(manifest, interim_dir)


def _process_one(source: DocumentSource) -> Outcome:
    """One document; its failure a DocumentError with a one-line message and a stage (no traceback)."""
    try:
        return source, process_document(source.doc_id, source, _MANIFEST, _INTERIM), None
    except DocumentError as exc:
        return source, None, exc


def process_all(documents: list[DocumentSource], manifest: pd.DataFrame, jobs: int,
                interim_dir: Path = INTERIM_DIR) -> Iterator[Outcome]:
    """Results in document order, whatever the number of worker processes (so the bytes written do not depend on it)."""
    # One manifest object per process: document_metadata indexes it once, instead of once per unpickled copy.
    _use_manifest(manifest, interim_dir)
    if jobs <= 1 or len(documents) <= 1:
        yield from map(_process_one, documents)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(manifest, interim_dir, os.getpid()))
    finished = False
    try:
        # A bounded window of documents in flight, not pool.map's all-at-once: results the writer has not taken
        # yet would otherwise pile up in memory as the corpus grows.
        tasks = iter(documents)
        pending = deque(pool.submit(_process_one, task) for task in islice(tasks, IN_FLIGHT_PER_JOB * jobs))
        while pending:
            yield pending.popleft().result()
            for task in islice(tasks, 1):
                pending.append(pool.submit(_process_one, task))
        finished = True
    finally:
        if not finished:  # interrupted, or the consumer failed: no worker computes on for nothing
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        pool.shutdown(wait=True)


def peak_memory_mb() -> tuple[float, float]:
    """Largest resident size of this process and of its largest finished worker, in MB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, workers / 1024
