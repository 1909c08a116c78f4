"""A frame's columns as pandas stores them, for code that reads many columns of small frames.

``frame[c]`` builds a Series around a column each time (tens of microseconds), and ``frame.dtypes`` a Series of
types: for the few hundred columns of one document's tables, more than reading their values costs. The block
manager hands out each column's array as stored (a numpy array, or an extension array such as ``Int64`` or Arrow
strings), the same one ``frame[c].array`` wraps.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

Array = np.ndarray | ExtensionArray


def column_arrays(frame: pd.DataFrame) -> list[Array]:
    """Every column's array, in column order."""
    manager = frame._mgr
    return [manager.iget_values(i) for i in range(frame.shape[1])]


def column_types(frame: pd.DataFrame) -> list:
    """Every column's type, in column order (what ``frame.dtypes`` holds, without its Series)."""
    return list(frame._mgr.get_dtypes())


def column_values(frame: pd.DataFrame, column: str) -> Array:
    """One column's array (the frame has the column once)."""
    return frame._mgr.iget_values(frame.columns.get_loc(column))
