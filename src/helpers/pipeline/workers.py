"""The per-document tasks of a run, for any executor: each PDF's text layer extracted once (per file, as tasks
complete), then every document through the pipeline (results in document order, so the bytes written do not depend
on the executor or the number of workers). A task carries all it needs (the document's files, its manifest rows,
the interim folder), so a worker needs no set-up; each failure is that document's one-line error.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError
from helpers.frames import plain_strings
from helpers.ingest.layer import LayerRun, ensure_layer
from helpers.ingest.metadata import manifest_rows
from helpers.ingest.sources import DocumentSource, kind_of
from helpers.pipeline.document import DocumentResult, process_document
from helpers.pipeline.executor import Done, Executor, LocalExecutor
from helpers.pipeline.memory import peak_memory_mb
from helpers.pipeline.reuse import compact_keys
from helpers.pipeline.writer import CORPUS_TABLES

Outcome = tuple[DocumentSource, DocumentResult | None, DocumentError | None]


@dataclass(frozen=True)
class DocumentTask:
    source: DocumentSource
    manifest: dict[str, dict]  # the document's own manifest row by its doc_id (empty when the manifest lacks it)
    interim_dir: Path


def process_one(task: DocumentTask) -> DocumentResult:
    """One document, with its indicators' reuse keys, packed to leave its worker; raises DocumentError with a
    one-line message and a stage (no traceback)."""
    with plain_strings():
        result = process_document(task.source.doc_id, task.source, task.manifest, task.interim_dir)
    result.reuse_keys = compact_keys(result.unpaged["indicators"])
    result.pack(apart=CORPUS_TABLES)
    result.peak_mb = peak_memory_mb()
    return result


def _as_document_error(error: BaseException, executor: Executor) -> DocumentError:
    if isinstance(error, DocumentError):
        return error
    # not the document's fault as far as we know: its worker died or the cluster lost the task
    message = " ".join(str(error).split())[:200]
    return DocumentError(f"{executor.name} worker failed: {type(error).__name__}{': ' if message else ''}{message}",
                         "worker")


def process_all(documents: list[DocumentSource], manifest: pd.DataFrame, executor: Executor | int = 1,
                interim_dir: Path = INTERIM_DIR) -> Iterator[Outcome]:
    """Results in document order, whatever the executor (an int: that many local worker processes)."""
    own = isinstance(executor, int)
    runner: Executor = LocalExecutor(executor) if own else executor
    # Each task carries its document's row, a dict of plain objects: taking a frame of it cost half a millisecond a
    # document, and pickling a row of Arrow strings three times what the same Python strings cost.
    rows = manifest_rows(manifest.astype(object))
    tasks = (DocumentTask(source, {source.doc_id: rows[source.doc_id]} if source.doc_id in rows else {}, interim_dir)
             for source in documents)
    try:
        done: Done[DocumentTask, DocumentResult]
        for done in runner.map(process_one, tasks, ordered=True):
            if done.error is None:
                yield done.task.source, done.value, None
            else:
                yield done.task.source, None, _as_document_error(done.error, runner)
    finally:
        if own:
            runner.close()


@dataclass
class Extraction:
    """What extracting a corpus's PDFs did: pages extracted (and in how long, wall clock), pages already cached."""

    files: int = 0
    pages_extracted: int = 0
    pages_cached: int = 0
    seconds: float = 0.0
    workers: int = 1

    def line(self, interim_dir: Path) -> str:
        rate = f", {self.pages_extracted / self.seconds:.1f} pages/s on {self.workers} worker(s)" \
            if self.pages_extracted and self.seconds else ""
        return (f"PDF: {self.files} files, {self.pages_extracted} pages extracted in {self.seconds:.1f} s{rate}; "
                f"{self.pages_cached} pages read from the cache ({interim_dir})")


def extract_all(documents: list[DocumentSource], executor: Executor, interim_dir: Path = INTERIM_DIR) -> Extraction:
    """Every PDF's text layer into the cache, one task per file (so a document of several PDFs is spread over the
    workers too), as tasks complete. A PDF that cannot be read is left to its document's processing, which says so."""
    paths = list(dict.fromkeys(p for source in documents for p in source.files if kind_of(p) == "pdf"))
    run = Extraction(files=len(paths), workers=executor.workers)
    if not paths:
        return run
    start = time.perf_counter()
    done: Done[tuple[Path, Path], LayerRun]
    for done in executor.map(_extract_one, ((path, interim_dir) for path in paths), ordered=False):
        if done.value is not None:
            if done.value.cached:
                run.pages_cached += done.value.pages
            else:
                run.pages_extracted += done.value.pages
    run.seconds = time.perf_counter() - start
    return run


def _extract_one(task: tuple[Path, Path]) -> LayerRun | None:
    path, interim_dir = task
    return ensure_layer(path, interim_dir)
