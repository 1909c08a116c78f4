"""Tidy records become a frame column by column (frames.records_frame): the frame pandas' from_records makes."""
import pandas as pd
import pytest

from helpers.frames import plain_strings, records_frame

COLUMNS = ["doc_id", "line", "total_wan", "basic_wan", "code", "declared_empty", "note"]
CASES = {
    "no record": [],
    "keys missing here and there": [{"doc_id": "a", "line": 3, "total_wan": 1.5},
                                    {"doc_id": "a", "line": 4, "code": "2101", "declared_empty": True}],
    "integers and a missing one": [{"line": 3}, {"line": None}, {"line": 5}],
    "numbers as floats and integers": [{"total_wan": 2}, {"total_wan": 2.5}],
    "text and None": [{"note": "备注"}, {"note": None}, {"code": "2101"}],
    "booleans with a gap": [{"declared_empty": True}, {"declared_empty": None}],
}


@pytest.mark.parametrize("records", CASES.values(), ids=CASES.keys())
def test_records_frame_is_the_frame_from_records_makes(records):
    with plain_strings():
        want = pd.DataFrame.from_records(records, columns=COLUMNS)
        got = records_frame(records, COLUMNS)
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
    assert list(got.columns) == COLUMNS
