"""Paths in one place."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MAPS_DIR = PACKAGE_DIR / "maps"
REPO_ROOT = PACKAGE_DIR.parent.parent
RAW_DIR = REPO_ROOT / "data" / "raw"
INTERIM_DIR = REPO_ROOT / "data" / "interim"  # text layers of PDFs, cached by content (a build product)
PROCESSED_DIR = REPO_ROOT / "data" / "processed"
REPORTS_DIR = REPO_ROOT / "reports"
MANIFEST_NAME = "manifest.csv"
