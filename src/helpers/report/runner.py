"""Reporting stage: run the notebooks (one per bureau, one across bureaus) with papermill, render HTML, write an index.

A report is rebuilt only when its inputs changed (fingerprints in <out>/.fingerprints.json); reports are built in
parallel worker processes, one kernel per notebook run; a bureau whose notebook fails is recorded in the index with its
one-line error while the others still build. papermill and nbconvert are imported only when something is built, so an
up-to-date run stays fast.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path

from helpers.config import INTERIM_DIR, PROCESSED_DIR, RAW_DIR, REPO_ROOT, REPORTS_DIR
from helpers.fsio import write_atomic
from helpers.ingest.manifest import DOC_ID_RE, manifest_records
from helpers.ingest.sources import DocumentSource, discover
from helpers.pipeline.corpus import run_process
from helpers.pipeline.outputs import failed_documents, outputs_digest, problem_lines
from helpers.report.index import render_index
from helpers.report.render import render_html
from helpers.report.state import (
    COMPARISON,
    INDEX,
    STAMP_NAME,
    STATE_NAME,
    digest,
    document_digests,
    load_state,
    now_text,
    prune_state,
    raw_fingerprint,
    read_json,
    sha256_file,
    source_fingerprint,
)

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUREAU_NOTEBOOK = "bureau.ipynb"
COMPARISON_NOTEBOOK = "comparison.ipynb"
KERNEL_NAME = "python3"
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Job:
    name: str  # doc_id, or COMPARISON
    notebook: Path
    parameters: dict[str, str]
    html: Path
    title: str
    fingerprint: str


@dataclass
class Outcome:
    name: str
    status: str  # built | skipped | failed
    seconds: float = 0.0
    error: str = ""  # one line, for the index
    detail: str = ""  # the traceback, for stderr
    built_at: str = ""
    fingerprint: str = ""


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)


def ensure_processed(raw_dir: Path, processed_dir: Path, source_fp: str, jobs: int = 1,
                     interim_dir: Path = INTERIM_DIR) -> tuple[bool, int]:
    """Run `process` unless the stamp says the tables come from these raw files and this code; (ran, exit status)."""
    inputs = digest([("raw", raw_fingerprint(raw_dir).encode()), ("source", source_fp.encode())])
    stamp_path = processed_dir / STAMP_NAME
    outputs = outputs_digest(processed_dir)  # None unless every file is as the run wrote it (CSV included)
    if stamp_path.is_file() and outputs is not None:
        stamp = read_json(stamp_path)
        # the outputs' own digest catches tables rewritten by another command since the stamp
        if stamp.get("inputs") == inputs and stamp.get("outputs") == outputs:
            # the same inputs failed the same way: the exit status and the problems say so on every rerun
            for line in problem_lines(processed_dir):
                print(line, file=sys.stderr)
            return False, int(stamp.get("status", 0))

    before = _folder_id(processed_dir)
    status = run_process(raw_dir, processed_dir, jobs, interim_dir)
    after = outputs_digest(processed_dir)
    # stamped even after a document failed (the same inputs give the same failure, reported per bureau below), but
    # not when the run refused the folder and left the previous outputs (a new folder is swapped in otherwise)
    if after is not None and _folder_id(processed_dir) != before:
        stamp = {"inputs": inputs, "outputs": after, "status": status}
        write_atomic(stamp_path, json.dumps(stamp, indent=1))
    return True, status


def _folder_id(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def discover_sources(raw_dir: Path) -> dict[str, DocumentSource]:
    """Documents of the raw folder that can have a report (process reports the files that cannot)."""
    return {s.doc_id: s for s in discover(raw_dir)[0]}


def reserved_problems(doc_ids: list[str]) -> list[str]:
    """A document named like a report of its own would overwrite it."""
    return [f"{d}: doc_id '{d}' is the name of another report; rename the file" for d in doc_ids if d in (COMPARISON, INDEX)]


def _is_current(name: str, fingerprint: str, html_path: Path, state: dict[str, dict]) -> bool:
    entry = state.get(name, {})
    return entry.get("status") == "built" and entry.get("fingerprint") == fingerprint and html_path.is_file()


def plan_reports(doc_ids: list[str], raw_dir: Path, processed_dir: Path, out_dir: Path, notebooks_dir: Path,
                 source_fp: str, state: dict[str, dict], force: bool) -> Plan:
    plan = Plan()
    rows_digest = document_digests(processed_dir)
    manifest = manifest_records(raw_dir)
    failed = failed_documents(processed_dir)  # the problems table names a document, but it has no rows
    dirs = {"processed_dir": str(processed_dir.resolve()), "raw_dir": str(raw_dir.resolve())}

    comparison_nb = notebooks_dir / COMPARISON_NOTEBOOK
    candidates: list[tuple[str, Path, dict[str, str], str, list[tuple[str, bytes]]]] = []
    if comparison_nb.is_file():
        parquet = [(p.name, p.read_bytes()) for p in sorted(processed_dir.glob("*.parquet"))]
        params = {"processed_dir": dirs["processed_dir"]}
        candidates.append((COMPARISON, comparison_nb, params, "医疗保障局预算比较", parquet))
    else:
        plan.failed.append(Outcome(COMPARISON, "failed", error=f"{comparison_nb}: no such notebook"))

    bureau_nb = notebooks_dir / BUREAU_NOTEBOOK
    sources = discover_sources(raw_dir)
    for doc_id in doc_ids:
        if doc_id not in sources or not DOC_ID_RE.match(doc_id):
            plan.failed.append(Outcome(doc_id, "failed", error=f"{raw_dir}: no document {doc_id}"))
        elif doc_id not in rows_digest or doc_id in failed:
            error = failed.get(doc_id, "no rows in the processed tables: processing failed (see above)")
            plan.failed.append(Outcome(doc_id, "failed", error=error))
        elif not bureau_nb.is_file():
            plan.failed.append(Outcome(doc_id, "failed", error=f"{bureau_nb}: no such notebook"))
        else:
            inputs = [*(("raw", sha256_file(path).encode()) for path in sources[doc_id].files),
                      ("manifest", json.dumps(manifest.get(doc_id), sort_keys=True, ensure_ascii=False).encode()),
                      ("processed rows", rows_digest[doc_id].encode())]
            candidates.append((doc_id, bureau_nb, {"doc_id": doc_id, **dirs}, doc_id, inputs))

    for name, notebook, params, title, inputs in candidates:
        fingerprint = digest([("notebook", notebook.read_bytes()), ("source", source_fp.encode()),
                              ("parameters", json.dumps(params, sort_keys=True).encode()), *inputs])
        html_path = out_dir / f"{name}.html"
        if not force and _is_current(name, fingerprint, html_path, state):
            plan.skipped.append(Outcome(name, "skipped", fingerprint=fingerprint))
        else:
            plan.jobs.append(Job(name, notebook, params, html_path, title, fingerprint))
    return plan


@cache
def _kernel_manager_class() -> type:
    import zmq
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        """The ipykernel of this interpreter (the project's venv), whatever kernel specs the user has installed."""

        def __init__(self, **kwargs) -> None:
            # CurveZMQ keys when pyzmq has them: the kernel warns about plain TCP otherwise
            if "transport_encryption" in self.class_trait_names():  # jupyter_client >= 8.7
                kwargs.setdefault("transport_encryption", "auto" if zmq.has("curve") else "disabled")
            super().__init__(**kwargs)

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:  # the kernel is idle when the notebook ends: an interrupt only logs an error
                await super()._async_interrupt_kernel()

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(**get_kernel_dict())  # argv starts with sys.executable
            return self._kernel_spec

    return ThisPythonKernelManager


def execute_notebook(job: Job):
    """One kernel runs the whole notebook; the executed notebook stays in memory."""
    # jsonschema imports rfc3987_syntax (a jupyterlab dependency) for its IRI format, building a grammar for 0.9 s in
    # every process; notebook schemas use no formats, so the runner goes without it
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger warns on frozen modules
    return papermill.execute_notebook(
        str(job.notebook), None, parameters=job.parameters, kernel_name=KERNEL_NAME, cwd=str(job.notebook.parent),
        progress_bar=False, log_output=False, kernel_manager_class=_kernel_manager_class(),
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line_error(exc: BaseException) -> str:
    """The error's type and first line of message, for the index."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)  # papermill's: the notebook's error
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    line = next((ln.strip() for ln in _ANSI.sub("", text).splitlines() if ln.strip()), type(exc).__name__)
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def build_report(job: Job) -> Outcome:
    """Execute one notebook and write its HTML; any error becomes a failed outcome, never an exception."""
    start = time.perf_counter()
    try:
        page = render_html(execute_notebook(job), job.title)
        write_atomic(job.html, page)
    except Exception as exc:  # one bureau's failure must not stop the batch
        detail = _ANSI.sub("", "".join(getattr(exc, "traceback", None) or traceback.format_exception(exc)))
        job.html.unlink(missing_ok=True)  # an old page would pass for a current one
        return Outcome(job.name, "failed", time.perf_counter() - start, one_line_error(exc), detail)
    return Outcome(job.name, "built", time.perf_counter() - start, built_at=now_text(), fingerprint=job.fingerprint)


def run_jobs(jobs: list[Job], n_jobs: int) -> Iterator[Outcome]:
    """Outcomes as they finish, from up to n_jobs worker processes."""
    if n_jobs <= 1 or len(jobs) <= 1:
        yield from map(build_report, jobs)
        return
    # spawn: the parent has run pyarrow's threads; a forked child could inherit a held lock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(build_report, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker that died (killed, out of memory)
                yield Outcome(futures[future].name, "failed", error=one_line_error(exc))


def _progress(outcome: Outcome) -> str:
    line = f"{outcome.name}: {outcome.status} {outcome.seconds:.1f} s"
    return f"{line} — {outcome.error}" if outcome.error else line


def _record(state: dict[str, dict], outcome: Outcome) -> None:
    if outcome.status == "skipped":
        return  # keeps the entry of the build it skipped
    entry = {k: v for k, v in asdict(outcome).items() if k in ("status", "seconds", "error", "built_at", "fingerprint")}
    # a failure keeps no fingerprint: it is retried on the next run
    state[outcome.name] = entry if outcome.status == "built" else {**entry, "fingerprint": ""}


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


def build_reports(raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR, out_dir: Path = REPORTS_DIR,
                  docs: list[str] | None = None, jobs: int | None = None, force: bool = False,
                  notebooks_dir: Path = NOTEBOOKS_DIR, interim_dir: Path = INTERIM_DIR) -> int:
    """Bring data/processed up to date, build the reports whose inputs changed, write the index; 1 if any failed."""
    start = time.perf_counter()
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    source_fp = source_fingerprint()
    ran, status = ensure_processed(raw_dir, processed_dir, source_fp, jobs or default_jobs(), interim_dir)
    print(f"process: {'ran' if ran else 'up to date'}{'' if status == 0 else ' with problems'}")
    if not (processed_dir / "documents.parquet").is_file():
        print(f"error: {processed_dir}: no documents.parquet, no report built", file=sys.stderr)
        return 1

    all_ids = sorted(discover_sources(raw_dir))
    doc_ids = all_ids if docs is None else list(dict.fromkeys(docs))
    problems = reserved_problems(doc_ids)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    all_ids, doc_ids = ([d for d in ids if d not in (COMPARISON, INDEX)] for ids in (all_ids, doc_ids))
    state = load_state(out_dir)
    plan = plan_reports(doc_ids, raw_dir, processed_dir, out_dir, notebooks_dir, source_fp, state, force)
    outcomes: list[Outcome] = []
    # chain, not a list: each line is printed as its report finishes
    for outcome in chain(plan.skipped, plan.failed, run_jobs(plan.jobs, jobs or default_jobs())):
        print(_progress(outcome), flush=True)
        if outcome.detail:
            print(outcome.detail, file=sys.stderr)
        _record(state, outcome)
        outcomes.append(outcome)
    for outcome in plan.failed:
        if DOC_ID_RE.match(outcome.name):
            (out_dir / f"{outcome.name}.html").unlink(missing_ok=True)  # an old page would pass for a current one

    copy_font(out_dir)
    state = prune_state(state, {*all_ids, COMPARISON}, out_dir)  # a --docs name without a file is not kept
    write_atomic(out_dir / STATE_NAME, json.dumps(state, indent=1, ensure_ascii=False, sort_keys=True))
    write_atomic(out_dir / f"{INDEX}.html", render_index(all_ids, raw_dir, processed_dir, out_dir, state))
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    print(f"{len(outcomes)} reports: {counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed, "
          f"{time.perf_counter() - start:.1f} s → {out_dir / (INDEX + '.html')}")
    return 1 if counts["failed"] or problems or status else 0


def copy_font(out_dir: Path) -> None:
    """The project's CJK font beside the pages, for readers whose system has none (SIL OFL: redistribution allowed)."""
    from helpers.report.charts import font_path

    target = out_dir / "assets" / "cjk-font.otf"
    source = font_path()
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    parser.add_argument("--processed-dir", type=Path, default=PROCESSED_DIR)
    parser.add_argument("--interim-dir", type=Path, default=INTERIM_DIR,
                        help="cache of the PDFs' text layers, by content (default: data/interim)")
    parser.add_argument("--out-dir", type=Path, default=REPORTS_DIR)
    parser.add_argument("--docs", type=lambda s: [d.strip() for d in s.split(",") if d.strip()],
                        help="comma-separated doc_ids (default: every document of the raw folder)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the CPUs available)")
    parser.add_argument("--force", action="store_true", help="rebuild every report even if its inputs did not change")


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    return build_reports(args.raw_dir, args.processed_dir, args.out_dir, args.docs, args.jobs, args.force,
                         interim_dir=args.interim_dir)
