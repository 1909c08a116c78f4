"""Plotting stage: the project's CJK font, the chart style and the few chart types the reports use.

The font comes from the PyPI package `pylopdf-fonts-zh-cn` (Noto Sans SC Regular, SIL OFL 1.1, its licence text in the
package's dist-info), installed by the project's own setup: no system font is assumed.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from helpers.report.text import clean, mathtext

# Latin fallback bundled with matplotlib, for the odd symbol the CJK font lacks.
FALLBACK_FAMILY = "DejaVu Sans"
WAN_LABEL = "金额（万元）"
SHARE_LABEL = "占比（%）"
# Room added around a figure for what its tight crop takes in beyond the figure's edges (long tick labels left of the
# axes, a legend right of them): inches left, bottom, right, top. A chart reaching further is saved by savefig.
SPILL_INCHES = (5.0, 1.0, 7.0, 1.0)


def font_path() -> Path:
    """The project's CJK font file (Noto Sans SC Regular, SIL OFL 1.1)."""
    import pylopdf_fonts_zh_cn  # the only thing this package provides is the font files

    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the CJK font is missing; reinstall with `make setup`")
    return path


@cache
def _registered_family() -> str:
    path = font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font() -> str:
    """Register the project's font with matplotlib by file path, make it the default family and return its name."""
    family = _registered_family()
    matplotlib.rcParams["font.family"] = [family, FALLBACK_FAMILY]
    # U+2212 (the typographic minus) is drawn in the fallback font at another height; a hyphen is in the CJK font.
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def set_style() -> str:
    """Seaborn's white-grid theme with the CJK font and a figure size that reads well in an HTML report."""
    import matplotlib.pyplot  # noqa: F401  # the notebook's inline backend sets its own rc on first import: go first
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    family = use_cjk_font()  # after set_theme, which resets font.family
    matplotlib.rcParams.update({
        "figure.figsize": (8.0, 4.5),
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "axes.titlelocation": "left",
        # the title just above the axes, where matplotlib's automatic placement puts it when no tick label is on top
        # (ours are below): the automatic placement measured every y tick label again (a tenth of a chart's time)
        "axes.titley": 1.0,
    })
    return family


@cache
def _font_file(family: str | None) -> tuple[str, int]:
    if family is None:
        return str(font_path()), 0
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return str(found), getattr(found, "face_index", 0)  # matplotlib >= 3.10 returns a FontPath for collections


def missing_glyphs(text: str, family: str | None = None) -> set[str]:
    """Characters of `text` the font (the project's by default) has no glyph for; whitespace and control characters aside."""
    path, face = _font_file(family)
    font = ft2font.FT2Font(path, face_index=face) if face else ft2font.FT2Font(path)
    return {
        ch for ch in set(text)
        if not ch.isspace() and unicodedata.category(ch) != "Cc" and font.get_char_index(ord(ch)) == 0
    }


def format_wan(value: float, decimals: int = 2) -> str:
    """1234.5 → '1,234.50' (amounts in 万元 keep the two decimals the documents print)."""
    return f"{value:,.{decimals}f}"


def shorten(label: str, width: int) -> str:
    """Cut a long name to `width` characters, ellipsis in the middle (project names often differ only at the end);
    the result is inert for matplotlib (no mathtext span, no line break, no bidi control)."""
    label = clean(label)
    if len(label) > width:
        head = (width - 1) // 2
        label = label[:head] + "…" + label[len(label) - (width - 1 - head):]
    return mathtext(label)


def _new_axes(n_bars: int) -> Axes:
    import matplotlib.pyplot as plt

    width = matplotlib.rcParams["figure.figsize"][0]
    _, ax = plt.subplots(figsize=(width, max(2.5, 0.4 * n_bars + 1.2)))
    return ax


def bar_wan(values: pd.Series, ax: Axes | None = None, *, title: str | None = None, xlabel: str = WAN_LABEL,
            max_label: int = 28, decimals: int = 2, log: bool = False) -> Axes:
    """Horizontal bars of amounts in 万元, largest on top, each labelled with its value; the index gives the labels.
    log: a logarithmic axis, so that bureaus two orders of magnitude smaller stay visible."""
    values = pd.to_numeric(values, errors="raise").dropna().sort_values()  # barh draws bottom-up: largest ends on top
    ax = ax or _new_axes(len(values))
    positions = range(len(values))
    bars = ax.barh(positions, values.to_numpy(), color=matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0])
    ax.set_yticks(list(positions), [shorten(str(label), max_label) for label in values.index])
    ax.bar_label(bars, labels=[format_wan(v, decimals) for v in values], padding=3, fontsize="small")
    if log:
        ax.set_xscale("log")
        xlabel += "，对数刻度 log scale"
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_wan(x, 0)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.margins(x=0.25 if log else 0.15)  # room for the value labels right of the longest bar
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(mathtext(title))
    return ax


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's values as percentages of the row total (0–100); a row with a zero total stays empty (NaN)."""
    numbers = frame.apply(pd.to_numeric, errors="raise").astype(float)
    if (numbers < 0).any().any():
        raise ValueError("shares of a total need non-negative parts")
    totals = numbers.sum(axis=1)
    return numbers.div(totals.where(totals > 0), axis=0) * 100


def stacked_share(frame: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None, xlabel: str = SHARE_LABEL,
                  min_label: float = 6.0, max_label: int = 28) -> Axes:
    """Composition bars: one bar per row, its columns stacked as shares of the row total (0–100%), in frame order."""
    pct = shares(frame).iloc[::-1]  # first row on top
    ax = ax or _new_axes(len(pct))
    positions = list(range(len(pct)))
    left = pd.Series(0.0, index=pct.index)
    for column in pct.columns:
        part = pct[column].fillna(0.0)
        bars = ax.barh(positions, part.to_numpy(), left=left.to_numpy(), label=shorten(str(column), 40))
        # label only segments wide enough to hold their number
        ax.bar_label(bars, labels=[f"{v:.0f}%" if v >= min_label else "" for v in part], label_type="center",
                     fontsize="small", color="white")
        left += part
    ax.set_yticks(positions, [shorten(str(label), max_label) for label in pct.index])
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)  # outside: the bars fill the axes
    if title:
        ax.set_title(mathtext(title))
    return ax


def distinct_characters(texts: Iterable[object]) -> str:
    """Every distinct character of some labels, for a glyph check (missing values skipped)."""
    return "".join(sorted({ch for text in texts if isinstance(text, str) for ch in text}))


def count_bars(frame: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None, xlabel: str = "数量") -> Axes:
    """Stacked horizontal bars of counts: one bar per row, its columns stacked, each segment labelled."""
    ax = ax or _new_axes(len(frame))
    frame = frame.iloc[::-1]  # first row on top
    left = pd.Series(0.0, index=frame.index)
    positions = list(range(len(frame)))
    for column in frame.columns:
        part = frame[column].fillna(0).astype(float)
        bars = ax.barh(positions, part.to_numpy(), left=left.to_numpy(), label=shorten(str(column), 40))
        ax.bar_label(bars, labels=[f"{v:.0f}" if v else "" for v in part], label_type="center", fontsize="small",
                     color="white")
        left += part
    ax.set_yticks(positions, [shorten(str(label), 28) for label in frame.index])
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    if title:
        ax.set_title(mathtext(title))
    return ax


def paired_bars(frame: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None, xlabel: str = SHARE_LABEL,
                max_label: int = 28) -> Axes:
    """Side-by-side horizontal bars of two or three percentages per row, each labelled, in frame order."""
    ax = ax or _new_axes(len(frame) * max(1, len(frame.columns) - 1))
    frame = frame.iloc[::-1]
    height = 0.8 / len(frame.columns)
    for i, column in enumerate(frame.columns):
        positions = [p + (i - (len(frame.columns) - 1) / 2) * height for p in range(len(frame))]
        bars = ax.barh(positions, frame[column].fillna(0).to_numpy(), height=height, label=shorten(str(column), 40))
        ax.bar_label(bars, labels=[f"{v:.1f}%" if pd.notna(v) else "" for v in frame[column]], padding=3,
                     fontsize="small")
    ax.set_yticks(list(range(len(frame))), [shorten(str(label), max_label) for label in frame.index])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.set_xlabel(xlabel)
    ax.margins(x=0.12)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=False)
    if title:
        ax.set_title(mathtext(title))
    return ax


def describe(values: pd.Series | pd.DataFrame, kind: str, title: str, unit: str, limit: int = 15) -> str:
    """Alt text of a chart: what it shows and its values, in the order drawn (the first `limit` rows)."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    rows = []
    for label, row in list(frame.iterrows())[:limit]:
        parts = [f"{clean(c)} {v:,.2f}" if len(frame.columns) > 1 else f"{v:,.2f}" for c, v in row.items() if pd.notna(v)]
        rows.append(f"{clean(label)}: {', '.join(parts)}")
    more = f"; … {len(frame) - limit} more" if len(frame) > limit else ""
    return f"{kind}：{clean(title)}（{unit}）。" + "; ".join(rows) + more


def _savefig_tight(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    return buffer.getvalue()


def _widen(fig: Figure, spill: tuple[float, float, float, float]) -> None:
    """Grow the figure by `spill` inches on each side, every axes kept at its place and size in inches."""
    width, height = fig.get_size_inches()
    left, bottom, right, top = spill
    boxes = [ax.get_position() for ax in fig.axes]
    fig.set_size_inches(width + left + right, height + bottom + top)
    new_width, new_height = width + left + right, height + bottom + top
    for ax, box in zip(fig.axes, boxes, strict=True):
        ax.set_position([(left + box.x0 * width) / new_width, (bottom + box.y0 * height) / new_height,
                         box.width * width / new_width, box.height * height / new_height])


def _ink_box(pixels: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) pixel bounds of everything drawn off the background (the corner pixel's colour)."""
    colours = pixels.view(np.uint32)[..., 0]  # RGBA as one number per pixel: one comparison each
    ink = colours != colours[0, 0]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def png_bytes(fig: Figure, spill: tuple[float, float, float, float] = SPILL_INCHES) -> bytes:
    """The figure as PNG cropped to what it draws plus savefig's padding (what bbox_inches="tight" gives), drawn once.

    savefig(bbox_inches="tight") lays the figure out twice, once to measure it and once to print (the text layout
    dominates: 44% of a bureau report's time). Here the canvas is widened around the axes, drawn once, and the drawn
    pixels cut out with savefig's padding around them. A chart whose drawing reaches the widened canvas's edge, or one
    with figure-level artists or a layout engine, goes through savefig as before: nothing is cut off.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.get_layout_engine() is not None or fig.texts or fig.legends or fig.images:
        return _savefig_tight(fig)
    _widen(fig, spill)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    pad = round(matplotlib.rcParams["savefig.pad_inches"] * fig.dpi)
    box = _ink_box(pixels)
    if box is None or box[0] <= pad or box[2] <= pad or box[1] + pad >= pixels.shape[0] or box[3] + pad >= pixels.shape[1]:
        left, bottom, right, top = spill
        _widen(fig, (-left, -bottom, -right, -top))
        return _savefig_tight(fig)
    return _encode_png(pixels[box[0] - pad: box[1] + pad, box[2] - pad: box[3] + pad], fig.dpi)


def _encode_png(rgba: np.ndarray, dpi: float) -> bytes:
    """PNG of an RGBA array: RGB where every pixel is opaque (savefig writes the alpha channel anyway), zlib level 3:
    a third faster to write than savefig's PNG, and a tenth smaller."""
    from PIL import Image

    opaque = bool((rgba[..., 3] == 255).all())
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else np.ascontiguousarray(rgba))
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=3, dpi=(dpi, dpi))
    return buffer.getvalue()


def show(ax: Axes, alt: str):
    """The chart as a PNG output with its alt text (the page's <img alt>), the figure closed so it is shown once."""
    import matplotlib.pyplot as plt
    from IPython.display import Image

    fig = ax.figure
    data = png_bytes(fig)  # at the size the inline backend showed (the figure's dpi)
    plt.close(fig)
    return Image(data=data, format="png", metadata={"alt": clean(alt)})
