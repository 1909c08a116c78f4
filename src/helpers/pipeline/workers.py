"""Documents through the pipeline in worker processes: results in document order, a bounded window in flight, each
failure one document's one-line error, and workers that never outlive the run that started them.

A worker asks the kernel to kill it when its parent dies (Linux ``PR_SET_PDEATHSIG``), so a run killed with SIGKILL
leaves no worker computing on; a run stopped by a signal or an error cancels the documents not started and waits for
each worker to end the one it is reading before it returns. Workers ignore Ctrl-C, SIGTERM and SIGHUP (sent to the
whole process group, they would kill a worker mid-message): the run that started them decides.
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
    """A worker's first act: die with the parent, leave Ctrl-C, SIGTERM and SIGHUP to it, then take the manifest."""
    # A signal to the whole process group (Ctrl-C, kill -TERM -pgid, a closed terminal) must not kill a worker while
    # it sends a result: the parent stops the workers (and its own handler, inherited through fork, is not theirs).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
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
    try:
        # A bounded window of documents in flight, not pool.map's all-at-once: results the writer has not taken
        # yet would otherwise pile up in memory as the corpus grows.
        tasks = iter(documents)
        pending = deque(pool.submit(_process_one, task) for task in islice(tasks, IN_FLIGHT_PER_JOB * jobs))
        while pending:
            yield pending.popleft().result()
            for task in islice(tasks, 1):
                pending.append(pool.submit(_process_one, task))
    finally:
        # Interrupted, or the consumer failed: the documents not started are cancelled and each worker ends with the
        # one it is reading. Not killed: a worker killed while it sends a result leaves half a message in the pipe,
        # and the pool then waits for the rest forever.
        pool.shutdown(wait=True, cancel_futures=True)


def peak_memory_mb() -> tuple[float, float]:
    """Largest resident size of this process and of its largest finished worker, in MB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, workers / 1024
