"""Tables as column arrays (pipeline.parts): what a worker sends and the writer joins must be what pandas would give."""
import pickle

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from helpers.frames import plain_strings
from helpers.pipeline.document import paged_frame, paged_part
from helpers.pipeline.outputs import columns_of
from helpers.pipeline.parts import Part, join
from helpers.pipeline.writer import TableWriter


def _frame(**columns) -> pd.DataFrame:
    with plain_strings():  # as a worker builds them: strings as Python objects
        return pd.DataFrame(columns)


def test_a_part_gives_back_its_frame_through_pickle():
    frame = _frame(doc_id=["a", None], value_wan=[1.5, np.nan], line=[3, 4], flag=[True, False],
                   n=pd.array([1, None], dtype="Int64"))
    part = pickle.loads(pickle.dumps(Part.of(frame)))
    assert part.rows == 2 and part.columns == tuple(frame.columns)
    pdt.assert_frame_equal(part.frame(), frame)
    assert part.column("doc_id").tolist() == ["a", None]


def test_a_pickled_part_keeps_every_column_bit_for_bit():
    # a NaN of other bits than numpy's own (x86's 0 * inf): not an empty column, sent as it is
    other_nan = np.array([0xFFF8000000000000] * 2, dtype=np.uint64).view(np.float64)
    frame = _frame(empty_wan=[np.nan, np.nan], other_wan=other_nan, value_wan=[1.5, np.nan], line=[3, 4],
                   flag=[True, False], doc_id=["a", None], note=[None, None], n=pd.array([1, None], dtype="Int64"),
                   share=pd.array([0.5, None], dtype="Float64"))
    part = pickle.loads(pickle.dumps(Part.of(frame)))
    assert part.columns == tuple(frame.columns)
    for sent, received in zip(Part.of(frame).arrays, part.arrays, strict=True):
        assert type(received) is type(sent) and received.dtype == sent.dtype
        if isinstance(sent, np.ndarray) and sent.dtype == np.float64:
            assert received.view(np.uint64).tolist() == sent.view(np.uint64).tolist()
        else:
            assert pd.Series(received).equals(pd.Series(sent))
    pdt.assert_frame_equal(part.frame(), frame)


def test_a_pickled_part_without_rows_keeps_its_columns():
    frame = _frame(doc_id=pd.Series([], dtype=object), value_wan=pd.Series([], dtype=float),
                   line=pd.Series([], dtype="int64"))
    part = pickle.loads(pickle.dumps(Part.of(frame)))
    assert part.rows == 0
    pdt.assert_frame_equal(part.frame(), frame)


def test_join_is_concat_when_types_agree_and_when_they_differ():
    a = _frame(doc_id=["a"], value_wan=[1.0], note=[np.nan], n=pd.array([1], dtype="Int64"))
    b = _frame(doc_id=["b", "b"], value_wan=[2.0, 3.0], note=["printed", None], n=pd.array([None, 2], dtype="Int64"))
    joined = join([Part.of(a), Part.of(b)])
    with plain_strings():
        expected = pd.concat([a, b], ignore_index=True)
    pdt.assert_frame_equal(joined, expected)
    assert joined["note"].dtype == object and joined["value_wan"].dtype == np.float64


def test_join_of_parts_with_other_columns_aligns_them_by_name():
    a = _frame(doc_id=["a"], value_wan=[1.0])
    b = _frame(value_wan=[2.0], doc_id=["b"], extra=["x"])
    with plain_strings():
        expected = pd.concat([a, b], ignore_index=True)
    pdt.assert_frame_equal(join([Part.of(a), Part.of(b)]), expected)


def test_a_frame_without_rows_is_a_part_of_none():
    part = Part.of(_frame(doc_id=pd.Series([], dtype=object)))
    assert part.rows == 0 and part.frame().empty


def test_a_table_closed_early_is_complete_and_takes_no_more_rows(tmp_path):
    writer = TableWriter(tmp_path)
    row = {c: [None] for c in columns_of("unparsed")} | {"doc_id": ["a"], "line": [7], "text": ["12.5"]}
    writer.add_document({"unparsed": Part.of(_frame(**row))})
    writer.close(["unparsed"])
    assert pd.read_parquet(tmp_path / "unparsed.parquet")["line"].tolist() == [7]  # its last rows written at close
    with pytest.raises(ValueError, match="unparsed"):
        writer.add_document({"unparsed": Part.of(_frame(**row))})
    writer.close()  # the others; the closed one is left as it is
    assert pd.read_parquet(tmp_path / "unparsed.parquet")["line"].tolist() == [7]


@pytest.mark.parametrize("pages", [(7, 7, 8, None), None], ids=["PDF", "text"])
def test_a_part_packed_with_its_pages_is_the_paged_frame_packed(pages):
    frame = _frame(doc_id=["a", "a", "a"], title_line=[1, 3, 9], page=[0, 0, 0], last_line=[2, 4, 3],
                   n=pd.array([1, None, 2], dtype="Int64"))
    placed = {"title_line": "page", "last_line": "last_page"}
    got, want = paged_part(frame, pages, placed), Part.of(paged_frame(frame, pages, placed))
    assert got.columns == want.columns == ("doc_id", "title_line", "page", "last_line", "last_page", "n")
    pdt.assert_frame_equal(got.frame(), want.frame())
    expected = [7, 8, None] if pages else [None, None, None]
    assert [None if pd.isna(p) else p for p in got.column("page")] == expected
    with pytest.raises(KeyError, match="no column line"):
        paged_part(frame, pages, {"line": "page"})
