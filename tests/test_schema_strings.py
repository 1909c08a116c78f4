"""Strings inside a document's processing are Python objects (schema.plain_strings); a missing one stays missing."""
import pandas as pd
import pytest

from helpers.frames import plain_strings, text_array
from helpers.schema import apply_schema


def test_plain_strings_holds_objects_inside_and_restores_the_default_after_an_error():
    default = pd.Series(["a"]).dtype
    with pytest.raises(RuntimeError), plain_strings():
        assert pd.Series(["a"]).dtype == object
        raise RuntimeError("stage failed")
    assert pd.Series(["a"]).dtype == default


def test_text_array_keeps_a_missing_string_missing_in_both_forms():
    with plain_strings():
        inside = text_array(["quantitative", None])
    outside = text_array(["quantitative", None])
    for values in (inside, outside):
        assert values[0] == "quantitative"
        assert pd.isna(values[1]), values  # never the text "None"


def test_apply_schema_casts_a_frame_of_python_strings_and_keeps_missing_missing():
    with plain_strings():
        frame = pd.DataFrame({"doc_id": ["a", None], "line": [1.0, 2.0]})
    typed = apply_schema(frame, "unparsed")
    assert str(typed["line"].dtype) == "Int64" and typed["line"].tolist() == [1, 2]
    assert typed["doc_id"].dtype != object and typed["doc_id"].isna().tolist() == [False, True]
