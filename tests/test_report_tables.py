"""Report tables are written in the very form DataFrame.to_html gives (the pages stay the same), faster."""
import pandas as pd

from helpers.report.tables import MISSING, Column, clean, format_value, table_html


def pandas_html(frame: pd.DataFrame, cols: list[Column]) -> str:
    """What table_html wrote through pandas before: the formatted values under a (中文, English) MultiIndex header."""
    display = pd.DataFrame({i: [format_value(v, c.kind, c.missing) for v in frame[c.name].tolist()]
                            for i, c in enumerate(cols)}, index=range(len(frame)))
    display.columns = pd.MultiIndex.from_tuples([(clean(c.zh), clean(c.en)) for c in cols])
    return display.to_html(index=False, escape=True, border=0, justify="left", na_rep=MISSING, classes="report-table")


def ours(frame: pd.DataFrame, cols: list[Column]) -> str:
    numeric = " ".join(str(i) for i, c in enumerate(cols) if c.kind in {"wan", "pct", "int", "num1", "num2", "year"})
    return table_html(frame, cols, table_id="x").replace(f'<table id="x" data-num="{numeric}" ', "<table ", 1)


def test_table_html_is_what_pandas_writes_for_awkward_text():
    cols = [Column("a", "名称", "name"), Column("b", "名称", "name  again"), Column("c", "金额 <万元> & 其他", "wan", "wan"),
            Column("d", "行", "line", "line"), Column("e", "名称", "third")]
    frame = pd.DataFrame({
        "a": ["tab\there", "  outer and  double  spaces  ", None, "\u3000全角空格\u3000", "a'quote\"", "line\nbreak"],
        "b": ["<b>bold</b>", "&amp; already", "", " ", "中文 English", "x\r\ny"],
        "c": [1234.5, None, -0.004, 1e9, float("nan"), 0.0],
        "d": [12, None, 3, 4, 5, 6],
        "e": ["end", "end", "end", "end", "end", "end"],
    })
    assert ours(frame, cols) == pandas_html(frame, cols)


def test_table_html_of_no_rows_and_of_one_column_is_what_pandas_writes():
    cols = [Column("a", "说明", "note")]
    assert ours(pd.DataFrame({"a": []}), cols) == pandas_html(pd.DataFrame({"a": []}), cols)
    assert ours(pd.DataFrame({"a": ["x"]}), cols) == pandas_html(pd.DataFrame({"a": ["x"]}), cols)
