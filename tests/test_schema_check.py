"""A value the files cannot hold fails its document where it is read (schema.check_schema), not the whole run."""
import pandas as pd
import pytest

from helpers.schema import CASTS_ANYWAY, cast_column, check_schema


def test_a_column_the_dictionary_lacks_is_an_error():
    with pytest.raises(KeyError, match="projects lacks column no_such_column"):
        check_schema(pd.DataFrame({"no_such_column": [1]}), "projects")


def test_text_where_the_dictionary_wants_a_number_is_an_error():
    with pytest.raises((ValueError, TypeError)):
        check_schema(pd.DataFrame({"line": pd.Series([3, "three"], dtype=object)}), "projects")
    with pytest.raises((ValueError, TypeError)):
        check_schema(pd.DataFrame({"amount_wan": pd.Series([None, "1,2"], dtype=object)}), "projects")


def test_numbers_and_columns_without_a_value_pass():
    check_schema(pd.DataFrame({"line": pd.Series([3, None], dtype=object),
                               "amount_wan": pd.Series([None, None], dtype=object)}), "projects")
    check_schema(pd.DataFrame({"line": [3, 4], "amount_wan": [1.5, float("nan")]}), "projects")


def test_the_types_passed_without_a_cast_cast_whatever_their_values():
    samples = {bool: [True, False], float: [1.5, float("nan"), -0.0, 1e308], type(None): [None]}
    for kind, passed in CASTS_ANYWAY.items():
        values = [value for kind_of_value in passed for value in samples[kind_of_value]]
        assert cast_column(pd.Series(values, dtype=object), kind).dtype == kind


def test_each_frame_is_looked_at_though_another_of_its_columns_and_types_passed():
    good = pd.DataFrame({"line": pd.Series([3, None], dtype=object), "code_repaired": [True, float("nan")]})
    check_schema(good, "budget_lines")
    with pytest.raises((ValueError, TypeError)):
        check_schema(pd.DataFrame({"line": pd.Series([3, "three"], dtype=object),
                                   "code_repaired": [True, float("nan")]}), "budget_lines")
