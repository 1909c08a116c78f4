"""Reporting stage: run the notebooks (one per bureau, one across bureaus) with papermill, render HTML, write an index.

A report is rebuilt only when its inputs changed (fingerprints in <out>/.fingerprints.json); reports are built in
parallel worker processes, one kernel per notebook run; a bureau whose notebook fails is recorded in the index with its
one-line error while the others still build. papermill and nbconvert are imported only when something is built, so an
up-to-date run stays fast.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from html.parser import HTMLParser
from itertools import chain
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from helpers.config import MANIFEST_NAME, MAPS_DIR, PACKAGE_DIR, PROCESSED_DIR, RAW_DIR, REPO_ROOT, REPORTS_DIR
from helpers.io_raw import DOC_ID_RE

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUREAU_NOTEBOOK = "bureau.ipynb"
COMPARISON_NOTEBOOK = "comparison.ipynb"
COMPARISON = "comparison"
INDEX = "index"
STAMP_NAME = ".process-fingerprint.json"  # in the processed dir: what the tables were built from
STATE_NAME = ".fingerprints.json"  # in the out dir: what each report was built from, and how it went
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


# --- fingerprints -------------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest(parts: Iterable[tuple[str, bytes]]) -> str:
    """sha256 over named byte strings, each framed by its name and length so no two sequences collide."""
    h = hashlib.sha256()
    for name, data in parts:
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _files_digest(paths: Iterable[Path], root: Path) -> str:
    return digest((p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(paths))


def source_fingerprint() -> str:
    """The package's code and maps: a change to either may change every table and report."""
    files = [*PACKAGE_DIR.rglob("*.py"), *MAPS_DIR.glob("*.csv")]
    return _files_digest((p for p in files if "__pycache__" not in p.parts), PACKAGE_DIR)


def raw_fingerprint(raw_dir: Path) -> str:
    """Every file of the raw folder (texts and manifest), by name and bytes."""
    return _files_digest((p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith(".")), raw_dir)


def processed_fingerprint(processed_dir: Path) -> str:
    return _files_digest(processed_dir.glob("*.parquet"), processed_dir)


def document_digests(processed_dir: Path) -> dict[str, str]:
    """sha256 of each document's rows over every processed table. Some columns of a document's rows come from the
    others (indicators reused by other bureaus, comparison ranks): a bureau report must follow them too."""
    hashes: dict[str, hashlib._Hash] = {}
    for path in sorted(processed_dir.glob("*.parquet")):
        frame = pd.read_parquet(path)
        if "doc_id" in frame:
            for doc_id, rows in frame.groupby("doc_id", sort=True):
                hashes.setdefault(str(doc_id), hashlib.sha256()).update(path.name.encode() + rows.to_csv(index=False).encode())
    return {doc_id: h.hexdigest() for doc_id, h in hashes.items()}


def read_manifest_rows(raw_dir: Path) -> dict[str, dict[str, str]]:
    """Manifest rows by doc_id, every field as written: a bureau report's fingerprint includes its row."""
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["doc_id"]: row for row in csv.DictReader(f) if row.get("doc_id")}


# --- processing check ---------------------------------------------------------------------------------------------


def ensure_processed(raw_dir: Path, processed_dir: Path, source_fp: str) -> tuple[bool, int]:
    """Run `process` unless the stamp says the tables come from these raw files and this code; (ran, exit status)."""
    inputs = digest([("raw", raw_fingerprint(raw_dir).encode()), ("source", source_fp.encode())])
    stamp_path = processed_dir / STAMP_NAME
    if stamp_path.is_file() and (processed_dir / "documents.parquet").is_file():
        stamp = _read_json(stamp_path)
        # the outputs' own digest catches tables rewritten by another command since the stamp
        if stamp.get("inputs") == inputs and stamp.get("outputs") == processed_fingerprint(processed_dir):
            return False, 0
    from helpers.__main__ import run_process  # late: __main__ imports this module for its subcommand

    status = run_process(raw_dir, processed_dir)
    if (processed_dir / "documents.parquet").is_file():
        # stamped even after a document failed: the same inputs give the same failure, reported per bureau below
        stamp = {"inputs": inputs, "outputs": processed_fingerprint(processed_dir)}
        _write_atomic(stamp_path, json.dumps(stamp, indent=1))
    return True, status


# --- planning -----------------------------------------------------------------------------------------------------


def discover_doc_ids(raw_dir: Path) -> list[str]:
    """Documents of the raw folder that can have a report (process reports the files whose names cannot)."""
    return sorted(p.stem for p in raw_dir.glob("*.txt") if p.is_file() and DOC_ID_RE.match(p.stem))


def reserved_problems(doc_ids: list[str]) -> list[str]:
    """A document named like a report of its own would overwrite it."""
    return [f"{d}.txt: doc_id '{d}' is the name of another report; rename the file" for d in doc_ids if d in (COMPARISON, INDEX)]


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}  # a missing or damaged stamp or state only costs a rebuild


def load_state(out_dir: Path) -> dict[str, dict]:
    return _read_json(out_dir / STATE_NAME)


def prune_state(state: dict[str, dict], keep: set[str], out_dir: Path) -> dict[str, dict]:
    """Forget the reports of documents no longer in the raw folder, and delete their pages."""
    for name in set(state) - keep:
        (out_dir / f"{name}.html").unlink(missing_ok=True)
    return {name: entry for name, entry in state.items() if name in keep}


def _is_current(name: str, fingerprint: str, html_path: Path, state: dict[str, dict]) -> bool:
    entry = state.get(name, {})
    return entry.get("status") == "built" and entry.get("fingerprint") == fingerprint and html_path.is_file()


def plan_reports(doc_ids: list[str], raw_dir: Path, processed_dir: Path, out_dir: Path, notebooks_dir: Path,
                 source_fp: str, state: dict[str, dict], force: bool) -> Plan:
    plan = Plan()
    rows_digest = document_digests(processed_dir)
    manifest = read_manifest_rows(raw_dir)
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
    for doc_id in doc_ids:
        raw_path = raw_dir / f"{doc_id}.txt"
        if not raw_path.is_file() or not DOC_ID_RE.match(doc_id):
            plan.failed.append(Outcome(doc_id, "failed", error=f"{raw_dir}: no document {doc_id}.txt"))
        elif doc_id not in rows_digest:
            error = "no rows in the processed tables: processing failed (see above)"
            plan.failed.append(Outcome(doc_id, "failed", error=error))
        elif not bureau_nb.is_file():
            plan.failed.append(Outcome(doc_id, "failed", error=f"{bureau_nb}: no such notebook"))
        else:
            inputs = [("raw", sha256_file(raw_path).encode()),
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


# --- executing and rendering (in the worker processes) ------------------------------------------------------------


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


REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- self-contained pages: no require.js (no widgets), no MathJax or Mermaid fetched from a CDN -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- after the notebook CSS, so equal selectors here win -#}
{%- block html_head_css -%}<style type="text/css">@@CSS@@</style>{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}<!--report-toc-->{%- endblock body_header -%}
"""

# Page text in Chinese: a CJK font the reader has, else the project's own, copied beside the pages (assets/).
# It comes first in font-family: listed after system-ui, Chromium drew boxes for some headings instead of falling back.
FONT_FACE_CSS = """
@font-face { font-family: "Report CJK"; src: local("Noto Sans SC"), local("Noto Sans CJK SC"), local("Source Han Sans SC"),
  local("PingFang SC"), local("Microsoft YaHei"), url("assets/cjk-font.otf"); }
"""
REPORT_CSS = FONT_FACE_CSS + """
body, .jp-Notebook { --jp-content-font-family: "Report CJK", system-ui, sans-serif;
  --jp-ui-font-family: "Report CJK", system-ui, sans-serif; font-family: "Report CJK", system-ui, sans-serif; }
main { max-width: 1200px; margin: 0 auto; }
nav.report-toc { font-family: var(--jp-content-font-family); font-size: var(--jp-content-font-size1); line-height: 1.6;
  border: 1px solid #d0d7de; border-radius: 4px; background: #f6f8fa; padding: 0.6em 1.2em; margin: 1em 20px 1.5em; }
nav.report-toc p { font-weight: bold; margin: 0 0 0.3em; }
nav.report-toc ul { list-style: none; margin: 0; padding: 0; }  /* headings carry their own numbers */
nav.report-toc li.toc-h2 { margin-left: 1.2em; } nav.report-toc li.toc-h3 { margin-left: 2.4em; font-size: 0.95em; }
/* wide tables scroll inside the page instead of widening it; text left, numbers right (lab aligns every cell right);
   .jp-Notebook (the body) outranks lab's ":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td" */
.jp-Notebook .jp-RenderedHTMLCommon table { display: block; max-width: 100%; overflow-x: auto; }
.jp-Notebook .jp-RenderedHTMLCommon td, .jp-Notebook .jp-RenderedHTMLCommon th { text-align: left; vertical-align: top; }
.jp-Notebook .jp-RenderedHTMLCommon td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
"""

_NUMERIC_CELL = re.compile(r"<td([^>]*)>(\s*[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?\s*)</td>")


def _mark_numeric(match: re.Match[str]) -> str:
    """A cell holding only a number gets class "num" (kept beside a pandas Styler's own classes)."""
    attrs, value = match.groups()
    attrs = attrs.replace('class="', 'class="num ', 1) if 'class="' in attrs else attrs + ' class="num"'
    return f"<td{attrs}>{value}</td>"


@cache
def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    template = REPORT_TEMPLATE.replace("@@CSS@@", REPORT_CSS)
    return HTMLExporter(
        template_name="lab", template_file="report.html.j2", extra_loaders=[DictLoader({"report.html.j2": template})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, language_code="zh",
    )


class _HeadingParser(HTMLParser):
    """(level, id, text) of the h1–h3 headings nbconvert gave an id, the anchor link's ¶ left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, str]] = []
        self._open: tuple[int, str, list[str]] | None = None
        self._in_anchor = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("h1", "h2", "h3") and a.get("id"):
            self._open = (int(tag[1]), a["id"] or "", [])
        elif tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = False
        elif self._open and tag == f"h{self._open[0]}":
            level, anchor, text = self._open
            self.headings.append((level, anchor, "".join(text).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_anchor:
            self._open[2].append(data)


def table_of_contents(body: str) -> str:
    parser = _HeadingParser()
    parser.feed(body)
    items = "".join(
        f'<li class="toc-h{level}"><a href="#{html.escape(anchor)}">{html.escape(text, quote=False)}</a></li>'
        for level, anchor, text in parser.headings
    )
    return f'<nav class="report-toc" aria-label="目录"><p>目录</p><ul>{items}</ul></nav>'


def render_html(nb, title: str) -> str:
    """HTML without code, with a table of contents from the headings and right-aligned numbers."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = _NUMERIC_CELL.sub(_mark_numeric, body)
    return body.replace("<!--report-toc-->", table_of_contents(body), 1)


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
        _write_atomic(job.html, page)
    except Exception as exc:  # one bureau's failure must not stop the batch
        detail = _ANSI.sub("", "".join(getattr(exc, "traceback", None) or traceback.format_exception(exc)))
        job.html.unlink(missing_ok=True)  # an old page would pass for a current one
        return Outcome(job.name, "failed", time.perf_counter() - start, one_line_error(exc), detail)
    return Outcome(job.name, "built", time.perf_counter() - start, built_at=_now(), fingerprint=job.fingerprint)


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


# --- index --------------------------------------------------------------------------------------------------------

INDEX_CSS = FONT_FACE_CSS + """
body { font-family: "Report CJK", system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #1f2328; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.35em 0.7em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.failed { color: #cf222e; }
code { font-size: 0.85em; }
"""


BUREAU_COLUMNS = ["报告", "医疗保障局", "年度", "错误", "警告", "原始文件 sha256", "构建于"]


def _cell(value: object, cls: str = "") -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{html.escape(text)}</td>"


def _report_cell(name: str, out_dir: Path, state: dict[str, dict]) -> str:
    entry = state.get(name, {})
    if entry.get("status") == "built" and (out_dir / f"{name}.html").is_file():
        href = html.escape(quote(f"{name}.html"))
        return f'<td><a href="{href}">{html.escape(name)}</a></td>'
    if entry.get("status") == "failed":
        return _cell(f"failed: {entry.get('error', '')}", "failed")
    return _cell("not built")


def render_index(doc_ids: list[str], raw_dir: Path, processed_dir: Path, out_dir: Path, state: dict[str, dict]) -> str:
    """The index page; every text from the data or an error message is escaped."""
    documents = pd.read_parquet(processed_dir / "documents.parquet").set_index("doc_id")
    raw_files = sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    hashes = {p.name: sha256_file(p) for p in raw_files}
    rows = []
    for doc_id in doc_ids:
        doc = documents.loc[doc_id] if doc_id in documents.index else pd.Series(dtype=object)
        sha = hashes.get(f"{doc_id}.txt", "")
        entry = state.get(doc_id, {})
        rows.append(
            "<tr>" + _report_cell(doc_id, out_dir, state) + _cell(doc.get("bureau_name")) + _cell(doc.get("fiscal_year"))
            + _cell(doc.get("n_findings_error"), "num") + _cell(doc.get("n_findings_warning"), "num")
            + f'<td><code title="{html.escape(sha)}">{html.escape(sha[:12])}</code></td>'
            + _cell(entry.get("built_at")) + "</tr>"
        )
    comparison = state.get(COMPARISON, {})
    files = "".join(f"<tr>{_cell(name)}<td><code>{html.escape(sha)}</code></td></tr>" for name, sha in hashes.items())
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>医疗保障局预算公开报告</title><style>{INDEX_CSS}</style></head>
<body>
<h1>医疗保障局预算公开报告</h1>
<p>生成于 {html.escape(_now())}；原始文件 {html.escape(str(raw_dir))}。</p>
<h2>比较</h2>
<div class="table-wrap"><table><thead><tr><th>报告</th><th>构建于</th></tr></thead>
<tbody><tr>{_report_cell(COMPARISON, out_dir, state)}{_cell(comparison.get("built_at"))}</tr></tbody></table></div>
<h2>各局报告</h2>
<div class="table-wrap"><table>
<thead><tr>{"".join(f"<th>{h}</th>" for h in BUREAU_COLUMNS)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></div>
<h2>输入文件</h2>
<div class="table-wrap"><table><thead><tr><th>文件</th><th>sha256</th></tr></thead><tbody>{files}</tbody></table></div>
</body>
</html>
"""


# --- command ------------------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


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
                  notebooks_dir: Path = NOTEBOOKS_DIR) -> int:
    """Bring data/processed up to date, build the reports whose inputs changed, write the index; 1 if any failed."""
    start = time.perf_counter()
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    source_fp = source_fingerprint()
    ran, status = ensure_processed(raw_dir, processed_dir, source_fp)
    print(f"process: {'ran' if ran else 'up to date'}{'' if status == 0 else ' with problems'}")
    if not (processed_dir / "documents.parquet").is_file():
        print(f"error: {processed_dir}: no documents.parquet, no report built", file=sys.stderr)
        return 1

    all_ids = discover_doc_ids(raw_dir)
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
    _write_atomic(out_dir / STATE_NAME, json.dumps(state, indent=1, ensure_ascii=False, sort_keys=True))
    _write_atomic(out_dir / f"{INDEX}.html", render_index(all_ids, raw_dir, processed_dir, out_dir, state))
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    print(f"{len(outcomes)} reports: {counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed, "
          f"{time.perf_counter() - start:.1f} s → {out_dir / (INDEX + '.html')}")
    return 1 if counts["failed"] or problems else 0


def copy_font(out_dir: Path) -> None:
    """The project's CJK font beside the pages, for readers whose system has none (SIL OFL: redistribution allowed)."""
    from helpers.charts import font_path

    target = out_dir / "assets" / "cjk-font.otf"
    source = font_path()
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    parser.add_argument("--processed-dir", type=Path, default=PROCESSED_DIR)
    parser.add_argument("--out-dir", type=Path, default=REPORTS_DIR)
    parser.add_argument("--docs", type=lambda s: [d.strip() for d in s.split(",") if d.strip()],
                        help="comma-separated doc_ids (default: every document of the raw folder)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the CPUs available)")
    parser.add_argument("--force", action="store_true", help="rebuild every report even if its inputs did not change")


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    return build_reports(args.raw_dir, args.processed_dir, args.out_dir, args.docs, args.jobs, args.force)
