from pathlib import Path

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
