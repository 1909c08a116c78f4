"""A value the files cannot hold fails its document where it is read (schema.check_schema), not the whole run."""
import pandas as pd
import pytest

from helpers.schema import check_schema


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
