import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers.config import RAW_DIR
from helpers.ingest.manifest import load_manifest
from helpers.pipeline.document import DocumentResult, process_document

EXTRA_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus-extra"


@pytest.fixture(scope="session")
def corpus() -> dict[str, DocumentResult]:
    """The five bundled documents, processed once for all integration tests."""
    manifest = load_manifest(RAW_DIR)
    return {d: process_document(d, RAW_DIR / f"{d}.txt", manifest) for d in manifest["doc_id"]}


@pytest.fixture(scope="session")
def shanghai() -> dict[str, DocumentResult]:
    if not EXTRA_DIR.is_dir():
        pytest.skip("../shared/corpus-extra is not beside the project")
    manifest = load_manifest(EXTRA_DIR)
    return {p.stem: process_document(p.stem, p, manifest) for p in sorted(EXTRA_DIR.glob("*.txt"))}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real notebooks on the bundled corpus, processed into a tmp folder by the runner itself: once per session."""
    from reporting import run

    root = tmp_path_factory.mktemp("reports")
    return run(RAW_DIR, root / "processed", root / "reports")


@pytest.fixture(scope="session")
def rerun(built):
    from reporting import run

    return run(built.raw_dir, built.processed_dir, built.out_dir)


@pytest.fixture(scope="session")
def stubbed(tmp_path_factory) -> SimpleNamespace:
    """A copy of the corpus with a hostile bureau name, stub notebooks of which one bureau's fails; run, then rerun
    after another bureau's manifest row changed."""
    from reporting import HOSTILE, RENAMED, run, set_bureau_name, write_stub_notebooks

    root = tmp_path_factory.mktemp("stubbed")
    raw_dir, notebooks = root / "raw", root / "notebooks"
    shutil.copytree(RAW_DIR, raw_dir)
    set_bureau_name(raw_dir, RENAMED, HOSTILE)
    write_stub_notebooks(notebooks)
    first = run(raw_dir, root / "processed", root / "reports", notebooks_dir=notebooks)
    set_bureau_name(raw_dir, "dazhou-dachuan_2024", "达州市达川区医疗保障局（改）")
    second = run(raw_dir, root / "processed", root / "reports", notebooks_dir=notebooks)
    return SimpleNamespace(first=first, second=second, notebooks=notebooks)


