"""Every map of src/helpers/maps reads as a strict CSV: each row has the header's number of fields."""
import csv

import pytest

from helpers.config import MAPS_DIR


@pytest.mark.parametrize("path", sorted(MAPS_DIR.glob("*.csv")), ids=lambda p: p.name)
def test_map_rows_have_the_header_fields(path):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    bad = [i + 1 for i, row in enumerate(rows) if len(row) != len(rows[0])]
    assert bad == [], f"{path.name}: lines {bad} have another number of fields than the header"
