"""The reconciliation's parent search: linear, and the same parents as the scan upward it replaced."""
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.checks.within import FUNCTION_LEVELS, tree_parents


def scan_upward(types: list[str], codes: list[str | None], units: list[str | None]) -> list[int | None]:
    """The definition, as the quadratic search stated it: for each row, the nearest row above that qualifies."""
    parents: list[int | None] = []
    for i, row_type in enumerate(types):
        level = FUNCTION_LEVELS.get(row_type)
        parent = None
        for j in range(i - 1, -1, -1):
            other = FUNCTION_LEVELS.get(types[j])
            if level is None or other is None:
                continue
            if row_type == "unit" and types[j] == "unit":
                if units[i] and units[j] and units[i] != units[j] and units[i].startswith(units[j]):
                    parent = j
                    break
                continue
            if other >= level:
                continue
            if codes[i] and codes[j] and not codes[i].startswith(codes[j]):
                continue
            parent = j
            break
        parents.append(parent)
    return parents


ROW_TYPES = [*FUNCTION_LEVELS, "note", "section"]  # and two types of no level
rows = st.lists(st.tuples(st.sampled_from(ROW_TYPES), st.one_of(st.none(), st.just(""), st.text("2105", max_size=5)),
                          st.one_of(st.none(), st.text("81", max_size=4))), max_size=60)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rows)
def test_tree_parents_equal_the_scan_upward_on_any_table(table):
    types, codes, units = (list(column) for column in zip(*table, strict=True)) if table else ([], [], [])
    assert tree_parents(types, codes, units) == scan_upward(types, codes, units)


def test_tree_parents_of_a_table_whose_rows_find_no_parent_but_the_total():
    """The case that made the scan quadratic: every item's code differs, so each looked back to the top."""
    n = 2000
    types = ["total", *["item"] * n]
    codes = [None, *(f"9{k:06d}" for k in range(n))]
    assert tree_parents(types, codes, [None] * (n + 1)) == [None, *[0] * n]
