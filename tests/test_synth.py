"""Synthetic corpus: perturbed copies keep their tables' identities; parallel processing writes the same bytes."""
import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.tools.synth import chinese_number, generate, scale_printed
from reporting import same_output


@pytest.mark.parametrize("printed, factor, expected", [
    ("1,830.55", 2, "3,661.10"),
    ("82.55", 3, "247.65"),
    ("30.2", 4, "120.8"),      # the printed precision is kept
    ("264344.9 0", 1, "264344.90"),  # a number split by the extraction is printed whole
    ("—", 5, "—"),             # zero stays zero
])
def test_scale_printed_keeps_the_printed_style(printed, factor, expected):
    assert scale_printed(printed, factor) == expected


def test_chinese_number_has_no_digit_an_amount_parser_would_read():
    assert chinese_number(105) == "一〇五"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    manifest = generate(RAW_DIR, root / "raw", n=5, seed=3)
    for jobs in ("1", "2"):
        main(["process", "--raw-dir", str(root / "raw"), "--out-dir", str(root / f"jobs{jobs}"), "--jobs", jobs])
    main(["process", "--raw-dir", str(RAW_DIR), "--out-dir", str(root / "bundled")])
    return root, manifest


def test_copies_keep_every_table_identity_of_their_base(synthetic):
    root, manifest = synthetic
    assert sorted(manifest["synth_base"]) == sorted(pd.read_csv(RAW_DIR / "manifest.csv")["doc_id"])
    base = pd.read_parquet(root / "bundled" / "findings.parquet")
    copy = pd.read_parquet(root / "jobs1" / "findings.parquet")
    within = ["table.balance", "table.summary", "table.rows", "table.columns", "table.three_public"]
    for row in manifest.itertuples():
        expected = base[(base["doc_id"] == row.synth_base) & base["check"].isin(within) & (base["severity"] == "error")]
        got = copy[(copy["doc_id"] == row.doc_id) & copy["check"].isin(within) & (copy["severity"] == "error")]
        assert sorted(got["check"]) == sorted(expected["check"]), row.doc_id


def test_copies_scale_every_amount_by_their_factor(synthetic):
    root, manifest = synthetic
    base = pd.read_parquet(root / "bundled" / "spending_profile.parquet").set_index(["doc_id", "measure"])["value"]
    copy = pd.read_parquet(root / "jobs1" / "spending_profile.parquet").set_index(["doc_id", "measure"])["value"]
    for row in manifest.itertuples():
        for measure in ("total_expenditure_wan", "transfers_wan", "personnel_total_wan"):
            assert copy[(row.doc_id, measure)] == pytest.approx(base[(row.synth_base, measure)] * row.synth_factor)
        assert copy[(row.doc_id, "transfers_share_pct")] == pytest.approx(base[(row.synth_base, "transfers_share_pct")])


def test_parallel_processing_writes_the_same_bytes(synthetic):
    root, _ = synthetic
    files = sorted(p.name for p in (root / "jobs1").iterdir())
    assert files == sorted(p.name for p in (root / "jobs2").iterdir())
    for name in files:
        assert same_output(root / "jobs1" / name, root / "jobs2" / name), name


def test_generate_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        generate(RAW_DIR, tmp_path, n=1)
