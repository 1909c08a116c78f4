"""The reports folder as a whole: shared assets (one stylesheet, one font, the bureau list for the navigation), the
methods page, the index, the code version, and the staging moves (unchanged pages hard-linked into the new folder; a
folder a killed run left aside put back).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from helpers.config import PACKAGE_DIR, REPO_ROOT
from helpers.report.state import COMPARISON, INDEX

METHODS = "methods"
RESERVED = {COMPARISON, INDEX, METHODS, "assets"}
ASSETS_VERSION = "3"  # bump when the assets or the methods text change shape (the up-to-date shortcut includes it)
METHODS_FILE = Path(__file__).with_name("methods.md")


def code_version() -> str:
    """"helpers 0.1.0, commit abc123 (modified)" — the package version and the git commit when there is one."""
    try:
        version = metadata.version("helpers")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", str(PACKAGE_DIR)],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return f"helpers {version}, commit {commit}{' (modified)' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return f"helpers {version} (no git commit)"


def recover(out_dir: Path) -> None:
    """Undo what a killed run left: the old folder put back if the swap was cut between its two renames, staging
    folders of dead runs removed (the caller holds the folder's lock, so none is in use)."""
    parent, name = out_dir.parent, out_dir.name
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f".{name}.old-*"))
    if not out_dir.exists() and olds:
        os.replace(olds[-1], out_dir)
    for leftover in [*parent.glob(f".{name}.new-*"), *parent.glob(f".{name}.old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def link_unchanged(out_dir: Path, staged: Path, skip: set[str]) -> None:
    """Every file of the current folder into the staging folder as a hard link (no copy), except the ones to rebuild."""
    if not out_dir.is_dir():
        return
    for path in out_dir.rglob("*"):
        relative = path.relative_to(out_dir)
        if path.is_dir() or relative.as_posix() in skip or relative.name.endswith(".tmp"):
            continue
        target = staged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)  # a file system without hard links


def write_assets(staged: Path, bureaus: list[tuple[str, str]]) -> None:
    """assets/report.css, assets/cjk-font.otf and assets/nav.js in the staging folder. The font is linked from the
    previous run when it is the same file, else copied: a failed copy fails the run, whose folder is then discarded
    (no 0-byte font ever replaces a good one)."""
    from helpers.report.charts import font_path
    from helpers.report.render import nav_script, stylesheet

    assets = staged / "assets"
    assets.mkdir(exist_ok=True)
    _write_if_changed(assets / "report.css", stylesheet())
    _write_if_changed(assets / "nav.js", nav_script(bureaus))
    font, source = assets / "cjk-font.otf", font_path()
    if not font.is_file() or font.stat().st_size != source.stat().st_size:
        font.unlink(missing_ok=True)
        shutil.copyfile(source, font)
        if font.stat().st_size != source.stat().st_size:
            raise OSError(28, "the font copy is incomplete", str(font))


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    path.unlink(missing_ok=True)  # a hard link to the previous run's file: never write through it
    path.write_bytes(data)


def methods_html(footer_html: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from helpers.report.render import page

    body = markdown2html_mistune(METHODS_FILE.read_text(encoding="utf-8"))
    return page("方法与局限 · Methods and limitations", body, footer_html)


def write_site(staged: Path, doc_ids: list[str], raw_dir: Path, processed_dir: Path, state: dict[str, dict],
               version: str) -> None:
    """Assets, the methods page and the index, into the staging folder."""
    import pandas as pd

    from helpers.report.index import render_index
    from helpers.report.render import PageInfo, footer
    from helpers.report.state import now_text

    documents = pd.read_parquet(processed_dir / "documents.parquet", columns=["doc_id", "bureau_name"])
    names = dict(zip(documents["doc_id"], documents["bureau_name"].fillna(""), strict=True))
    built = [(d, names.get(d) or d) for d in doc_ids if state.get(d, {}).get("status") == "built"]
    write_assets(staged, built)
    info = PageInfo(version, now_text(), (("methods.md", _sha(METHODS_FILE)),))
    _write_if_changed(staged / f"{METHODS}.html", methods_html(footer(info)))
    (staged / f"{INDEX}.html").unlink(missing_ok=True)
    (staged / f"{INDEX}.html").write_text(render_index(doc_ids, raw_dir, processed_dir, staged, state, version),
                                          encoding="utf-8")


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
