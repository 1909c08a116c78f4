"""The comparison table builds from data/processed alone and is documented column by column."""
import shutil

import pandas as pd
import pytest

from helpers.analysis.compare import build_comparison
from helpers.config import PACKAGE_DIR, RAW_DIR
from helpers.pipeline.corpus import run_process


@pytest.fixture(scope="module")
def processed_only(tmp_path_factory):
    """Processed Parquet files copied to a folder with nothing else beside them."""
    built = tmp_path_factory.mktemp("built")
    assert run_process(RAW_DIR, built) == 0
    alone = tmp_path_factory.mktemp("alone")
    for path in built.glob("*.parquet"):
        if path.stem != "comparison":
            shutil.copy(path, alone / path.name)
    return built, alone


def test_comparison_builds_from_processed_files_alone(processed_only):
    built, alone = processed_only
    comparison = build_comparison(alone)
    assert comparison["doc_id"].tolist() == sorted(pd.read_parquet(alone / "documents.parquet")["doc_id"])
    # The file the process command writes is the same table.
    pd.testing.assert_frame_equal(pd.read_parquet(built / "comparison.parquet"), comparison)


def test_comparison_columns_are_in_the_data_dictionary(processed_only):
    _, alone = processed_only
    dictionary = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    assert set(build_comparison(alone).columns) == set(dictionary.loc[dictionary["table"] == "comparison", "column"])


def test_comparison_row_carries_profile_indicators_and_record(processed_only):
    _, alone = processed_only
    row = build_comparison(alone).set_index("doc_id").loc["kaifeng-xiangfu_2024"]
    assert row["basic_wan"] == 0 and row["personnel_total_wan"] == pytest.approx(44.0)
    assert row["transfers_share_pct"] == pytest.approx(100 * 1710.55 / 1830.55)
    indicators = pd.read_parquet(alone / "indicators.parquet")
    assert row["n_indicators"] == (indicators["doc_id"] == "kaifeng-xiangfu_2024").sum()
    assert row["n_findings_error"] == 1


def test_comparison_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="documents.parquet"):
        build_comparison(tmp_path)
