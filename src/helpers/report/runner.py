"""Reporting stage: run the notebooks (one per bureau, one across bureaus), render HTML, write the index.

- In-process execution: worker processes each keep one IPython shell and run every notebook given to them in a fresh
  namespace (execute.py), so no kernel starts per notebook; the HTML is the one a kernel gives (a test compares).
- A report is rebuilt only when its inputs changed (its fingerprint: notebook, code, raw files, manifest row and the
  digest of its own rows that processing wrote); a run with nothing changed returns before importing pandas.
- Whole or not at all: one lock per reports folder (fsio.FolderLock); a run builds into a staging folder beside it
  (unchanged pages hard-linked in) and swaps it in whole (fsio.replace_folder). Workers die with the parent
  (PR_SET_PDEATHSIG) and only return HTML: an interrupted run leaves the old reports, whole, and no litter.
- A bureau whose notebook fails is listed in the index with its one-line error while the others build.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers.config import INTERIM_DIR, PROCESSED_DIR, RAW_DIR, REPO_ROOT, REPORTS_DIR
from helpers.fsio import FolderLock, OutputError, describe_os_error, replace_folder, staging_folder, write_atomic
from helpers.pipeline.executor import ExecutorError, add_executor_arguments, make_executor
from helpers.pipeline.interrupts import INTERRUPTED_BASE, Interrupted, signals_interrupt
from helpers.pipeline.outputs import RUN_MANIFEST, outputs_digest, problem_lines
from helpers.report import site
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
RUN_NAME = ".run.json"  # in the out dir: the inputs of the last complete run, for the nothing-changed shortcut
MAX_ERROR_CHARS = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Job:
    name: str  # doc_id, or COMPARISON
    notebook: Path
    parameters: dict[str, str]
    title: str
    fingerprint: str
    inputs: tuple[tuple[str, str], ...] = ()  # shown in the page footer


@dataclass
class Outcome:
    name: str
    status: str  # built | skipped | failed
    seconds: float = 0.0
    error: str = ""  # one line, for the index
    detail: str = ""  # the traceback, for stderr
    built_at: str = ""
    fingerprint: str = ""
    html: str = field(default="", repr=False)


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)


def ensure_processed(raw_dir: Path, processed_dir: Path, source_fp: str, jobs: int = 1,
                     interim_dir: Path = INTERIM_DIR, executor: str = "local",
                     scheduler: str | None = None, workbook: bool = False) -> tuple[bool, int]:
    """Run `process` unless the stamp says the tables come from these raw files and this code (and the workbook was
    written if asked for); (ran, exit status)."""
    inputs = digest([("raw", raw_fingerprint(raw_dir).encode()), ("source", source_fp.encode()),
                     *([("workbook", b"1")] if workbook else [])])
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

    from helpers.pipeline.corpus import run_process

    before = _folder_id(processed_dir)
    status = run_process(raw_dir, processed_dir, jobs, interim_dir, executor, scheduler, workbook)
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


def discover_sources(raw_dir: Path) -> dict[str, list[Path]]:
    """Documents of the raw folder that can have a report, with their files (process reports the ones that cannot)."""
    from helpers.ingest.sources import discover

    return {s.doc_id: list(s.files) for s in discover(raw_dir)[0]}


def reserved_problems(doc_ids: list[str]) -> list[str]:
    """A document named like a page of its own would overwrite it."""
    return [f"{d}: doc_id '{d}' is the name of another report; rename the file" for d in doc_ids if d in site.RESERVED]


def _is_current(name: str, fingerprint: str, html_path: Path, state: dict[str, dict]) -> bool:
    entry = state.get(name, {})
    return entry.get("status") == "built" and entry.get("fingerprint") == fingerprint and html_path.is_file()


def plan_reports(doc_ids: list[str], sources: dict[str, list[Path]], raw_dir: Path, processed_dir: Path, out_dir: Path,
                 notebooks_dir: Path, source_fp: str, state: dict[str, dict], force: bool) -> Plan:
    from helpers.ingest.manifest import DOC_ID_RE, manifest_records
    from helpers.pipeline.outputs import failed_documents

    plan = Plan()
    rows_digest = document_digests(processed_dir)
    manifest = manifest_records(raw_dir)
    failed = failed_documents(processed_dir)  # the problems table names a document, but it has no rows
    dirs = {"processed_dir": str(processed_dir.resolve()), "raw_dir": str(raw_dir.resolve()),
            "out_dir": str(out_dir.resolve())}
    candidates: list[tuple[str, Path, dict[str, str], str, list[tuple[str, str]]]] = []
    comparison_nb = notebooks_dir / COMPARISON_NOTEBOOK
    if comparison_nb.is_file():
        inputs = [("comparison.parquet", sha256_file(processed_dir / "comparison.parquet"))]
        for name in ("findings", "spending_profile", "narrative_statements"):
            inputs.append((f"{name}.parquet", sha256_file(processed_dir / f"{name}.parquet")))
        candidates.append((COMPARISON, comparison_nb, {"processed_dir": dirs["processed_dir"]}, "医疗保障局预算比较", inputs))
    else:
        plan.failed.append(Outcome(COMPARISON, "failed", error=f"{comparison_nb}: no such notebook"))
    bureau_nb = notebooks_dir / BUREAU_NOTEBOOK
    for doc_id in doc_ids:
        if doc_id not in sources or not DOC_ID_RE.match(doc_id):
            plan.failed.append(Outcome(doc_id, "failed", error=f"{raw_dir}: no document {doc_id}"))
        elif doc_id not in rows_digest or doc_id in failed:
            error = failed.get(doc_id, "no rows in the processed tables: processing failed (see above)")
            plan.failed.append(Outcome(doc_id, "failed", error=error))
        elif not bureau_nb.is_file():
            plan.failed.append(Outcome(doc_id, "failed", error=f"{bureau_nb}: no such notebook"))
        else:
            inputs = [*((path.name, sha256_file(path)) for path in sources[doc_id]),
                      ("manifest row", digest([("row", json.dumps(manifest.get(doc_id), sort_keys=True,
                                                                   ensure_ascii=False).encode())])),
                      ("processed rows", rows_digest[doc_id])]
            candidates.append((doc_id, bureau_nb, {"doc_id": doc_id, **dirs}, doc_id, inputs))

    for name, notebook, params, title, inputs in candidates:
        fingerprint = digest([("notebook", notebook.read_bytes()), ("source", source_fp.encode()),
                              ("parameters", json.dumps(params, sort_keys=True).encode()),
                              *((k, v.encode()) for k, v in inputs)])
        if not force and _is_current(name, fingerprint, out_dir / f"{name}.html", state):
            plan.skipped.append(Outcome(name, "skipped", fingerprint=fingerprint))
        else:
            plan.jobs.append(Job(name, notebook, params, title, fingerprint, tuple(inputs)))
    return plan


def one_line_error(exc: BaseException) -> str:
    """The error's type and first line of message, for the index."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)  # the notebook's own error
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    line = next((ln.strip() for ln in _ANSI.sub("", text).splitlines() if ln.strip()), type(exc).__name__)
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def build_report(job: Job, version: str) -> Outcome:
    """Execute one notebook in this process and render its HTML; any error becomes a failed outcome, never raised."""
    from helpers.report.execute import execute_in_process
    from helpers.report.render import PageInfo, render_html

    start = time.perf_counter()
    built_at = now_text()
    try:
        nb = execute_in_process(job.notebook, job.parameters)
        page = render_html(nb, job.title, PageInfo(version, built_at, job.inputs))
    except Exception as exc:  # one bureau's failure must not stop the batch
        detail = _ANSI.sub("", "".join(getattr(exc, "traceback", None) or traceback.format_exception(exc)))
        return Outcome(job.name, "failed", time.perf_counter() - start, one_line_error(exc), detail)
    return Outcome(job.name, "built", time.perf_counter() - start, built_at=built_at, fingerprint=job.fingerprint,
                   html=page)


# A worker's start (spawn, imports, shell) costs several reports: the bundled 6 reports took 6.5 s here and 9.3 s in
# two workers (measured); from 8 reports per worker on, workers pay.
REPORTS_PER_WORKER = 8


def _build_task(task: tuple[Job, str]) -> Outcome:
    job, version = task
    return build_report(job, version)


def run_jobs(jobs: list[Job], n_jobs: int, version: str, executor: str = "local",
             scheduler: str | None = None) -> Iterator[Outcome]:
    """Outcomes as they finish, through the executor (pipeline.executor): local worker processes (in this process
    when a few reports would not pay for the workers' start) or a Dask cluster. Each worker makes its IPython shell
    on its first report."""
    if executor == "local":
        n_jobs = min(n_jobs, -(-len(jobs) // REPORTS_PER_WORKER))
    # spawn: the parent has run pyarrow's threads; a forked child could inherit a held lock
    runner = make_executor(executor, n_jobs, scheduler, start_method="spawn")
    try:
        for done in runner.map(_build_task, [(job, version) for job in jobs], ordered=False):
            if done.error is not None:  # a worker that died (killed, out of memory) or a task the cluster lost
                yield Outcome(done.task[0].name, "failed", error=one_line_error(done.error))
            else:
                yield done.value
    finally:
        runner.close()


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _run_key(raw_dir: Path, processed_dir: Path, notebooks_dir: Path, source_fp: str, docs: list[str] | None) -> str:
    """Everything a run reads: when it matches the last complete run's, nothing can have changed."""
    notebooks = [(p.name, p.read_bytes()) for p in sorted(notebooks_dir.glob("*.ipynb"))]
    return digest([("source", source_fp.encode()), ("raw", raw_fingerprint(raw_dir).encode()),
                   ("processed", _read_bytes(processed_dir / RUN_MANIFEST)), *notebooks,
                   ("dirs", f"{raw_dir.resolve()}\0{processed_dir.resolve()}".encode()),
                   ("docs", json.dumps(docs).encode()), ("site", site.ASSETS_VERSION.encode())])


def build_reports(raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR, out_dir: Path = REPORTS_DIR,
                  docs: list[str] | None = None, jobs: int | None = None, force: bool = False,
                  notebooks_dir: Path = NOTEBOOKS_DIR, interim_dir: Path = INTERIM_DIR, executor: str = "local",
                  scheduler: str | None = None, workbook: bool = False) -> int:
    """Bring data/processed up to date, build the reports whose inputs changed, swap the folder in; 1 if any failed."""
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    try:
        with FolderLock(out_dir), signals_interrupt() as stop_if_signalled:
            return _build(raw_dir, processed_dir, out_dir, docs, jobs or default_jobs(), force, notebooks_dir, interim_dir,
                          executor, scheduler, workbook, stop_if_signalled)
    except (KeyboardInterrupt, Interrupted) as exc:  # workers stopped, the staging folder removed
        print(f"error: interrupted; {out_dir} left as it was", file=sys.stderr)
        return INTERRUPTED_BASE + getattr(exc, "signum", signal.SIGINT)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full or read-only disk: one line, the old reports kept
        print(f"error: {describe_os_error(exc, out_dir)}", file=sys.stderr)
        return 1


def _build(raw_dir: Path, processed_dir: Path, out_dir: Path, docs: list[str] | None, jobs: int, force: bool,
           notebooks_dir: Path, interim_dir: Path, executor: str = "local", scheduler: str | None = None,
           workbook: bool = False, stop_if_signalled: Callable[[], None] = lambda: None) -> int:
    start = time.perf_counter()
    site.recover(out_dir)
    source_fp = source_fingerprint()
    ran, status = ensure_processed(raw_dir, processed_dir, source_fp, jobs, interim_dir, executor, scheduler, workbook)
    if status > INTERRUPTED_BASE:  # Ctrl-C or SIGTERM stopped processing (it said so): the run ends there, not on
        return status  # the outputs an earlier run left
    print(f"process: {'ran' if ran else 'up to date'}{'' if status == 0 else ' with problems'}")
    if not (processed_dir / "documents.parquet").is_file():
        print(f"error: {processed_dir}: no documents.parquet, no report built", file=sys.stderr)
        return 1
    run_key = _run_key(raw_dir, processed_dir, notebooks_dir, source_fp, docs)
    last = read_json(out_dir / RUN_NAME)
    if not force and last.get("key") == run_key and (out_dir / f"{INDEX}.html").is_file():
        print(f"reports: nothing changed, {time.perf_counter() - start:.2f} s → {out_dir / (INDEX + '.html')}")
        return int(last.get("status", 0))

    sources = discover_sources(raw_dir)
    all_ids = sorted(sources)
    doc_ids = all_ids if docs is None else list(dict.fromkeys(docs))
    problems = reserved_problems(doc_ids)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    all_ids, doc_ids = ([d for d in ids if d not in site.RESERVED] for ids in (all_ids, doc_ids))
    state = load_state(out_dir)
    plan = plan_reports(doc_ids, sources, raw_dir, processed_dir, out_dir, notebooks_dir, source_fp, state, force)

    staged = staging_folder(out_dir)
    try:
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o777 & ~umask)  # mkdtemp's 0700 would hide the swapped-in reports from other users
        rebuilt = {f"{job.name}.html" for job in plan.jobs} | {f"{o.name}.html" for o in plan.failed}
        # files rewritten below are not linked: writing through a hard link would change the live folder
        site.link_unchanged(out_dir, staged, skip=rebuilt | {STATE_NAME, RUN_NAME, f"{INDEX}.html"})
        version = site.code_version()
        outcomes: list[Outcome] = []
        for outcome in [*plan.skipped, *plan.failed, *run_jobs(plan.jobs, jobs, version, executor, scheduler)]:
            print(_progress(outcome), flush=True)
            if outcome.detail:
                print(outcome.detail, file=sys.stderr)
            if outcome.html:
                (staged / f"{outcome.name}.html").write_text(outcome.html, encoding="utf-8")
            _record(state, outcome)
            outcomes.append(outcome)
        state = prune_state(state, {*all_ids, COMPARISON}, staged)  # a --docs name without a file is not kept
        (staged / STATE_NAME).write_text(json.dumps(state, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        site.write_site(staged, all_ids, raw_dir, processed_dir, state, version)
        counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
        code = 1 if counts["failed"] or problems or status else 0
        (staged / RUN_NAME).write_text(json.dumps({"key": run_key, "status": code}), encoding="utf-8")
        stop_if_signalled()  # a signal a library caught in passing (in a notebook's machinery): no swap
        replace_folder(staged, out_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone after the swap; litter only if the run failed
    print(f"{len(outcomes)} reports: {counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed, "
          f"{time.perf_counter() - start:.1f} s → {out_dir / (INDEX + '.html')}")
    return code


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
    parser.add_argument("--workbook", action="store_true",
                        help="processing also writes budget_disclosures.xlsx (for a corpus Excel can hold)")
    add_executor_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        return build_reports(args.raw_dir, args.processed_dir, args.out_dir, args.docs, args.jobs, args.force,
                             interim_dir=args.interim_dir, executor=args.executor, scheduler=args.scheduler,
                             workbook=args.workbook)
    except ExecutorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
