"""The project's CJK font draws every character the reports plot, and the chart helpers label and order what they draw."""
import importlib.metadata
import io
import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure
from pandas.testing import assert_frame_equal

from helpers.config import MAPS_DIR
from helpers.report import charts

# The names the reports put on axes, legends and titles.
PLOTTED = {
    "documents": ["bureau_name"],
    "projects": ["project_name"],
    "budget_lines": ["name"],
    "economic_lines": ["econ_name", "gov_econ_name"],
    "indicators": ["level1", "level2", "indicator"],
}
PRIVATE_USE = "\ue000"  # no font draws the private use area: the negative control


@pytest.fixture(scope="session")
def plotted_text(corpus) -> str:
    texts = []
    for table, columns in PLOTTED.items():
        frame = pd.concat([result.frames[table] for result in corpus.values()], ignore_index=True)
        for column in columns:
            texts.extend(frame[column].dropna())
    return charts.distinct_characters(texts)


@pytest.fixture
def style():
    """The report style, undone after the test (it changes matplotlib's global rcParams)."""
    with matplotlib.rc_context():
        yield charts.set_style()


def render_png(fig: Figure) -> bytes:
    """Draw to PNG with every warning an error: matplotlib warns 'Glyph … missing from font(s)' and draws a box."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_font_is_noto_sans_sc_under_the_open_font_license():
    assert charts.use_cjk_font() == "Noto Sans SC"
    assert charts.font_path().suffix == ".otf"
    licence = importlib.metadata.distribution("pylopdf-fonts-zh-cn").read_text("licenses/LICENSE") or ""
    assert "SIL Open Font License" in licence


def test_font_draws_every_character_of_the_plotted_names(plotted_text):
    assert len(plotted_text) > 300  # the names of five bureaus' documents, so the check has something to check
    missing = charts.missing_glyphs(plotted_text)
    assert not missing, "no glyph for " + ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in sorted(missing))


def test_font_draws_every_character_of_the_mapping_tables():
    # category names (支出 classes, indicator levels, units) reach the charts from the maps, not only from the documents
    text = "".join(p.read_text(encoding="utf-8-sig") for p in sorted(MAPS_DIR.glob("*.csv")))
    assert not charts.missing_glyphs(text)


def test_missing_glyphs_finds_a_character_outside_the_font():
    assert charts.missing_glyphs(f"医疗保障局 ≥95% {PRIVATE_USE}\n") == {PRIVATE_USE}


def test_missing_glyphs_of_another_family():
    assert charts.missing_glyphs("ab医", family="DejaVu Sans") == {"医"}


def test_figure_with_every_plotted_character_renders_without_missing_glyphs(style, plotted_text, corpus):
    projects = corpus["luoyang_2026"].frames["projects"].set_index("project_name")["amount_wan"]
    fig = Figure(figsize=(8, 8))
    top, bottom = fig.subplots(2, 1)
    charts.bar_wan(projects, top, title="项目支出（洛阳市医疗保障局）")
    charts.stacked_share(pd.DataFrame({"人员经费": [554.06], "公用经费": [92.12], "项目支出": [3541.72]},
                                      index=["达州市达川区医疗保障局"]), bottom, title="支出构成")
    fig.text(0, 0, plotted_text, fontsize=4, wrap=True)
    assert render_png(fig).startswith(b"\x89PNG")


def test_figure_with_a_character_outside_the_font_fails_to_render(style):
    fig = Figure()
    fig.subplots().set_title(f"医疗保障局{PRIVATE_USE}")
    with pytest.raises(UserWarning, match="Glyph .* missing"):
        render_png(fig)


def test_set_style_uses_the_cjk_font_and_a_hyphen_minus(style):
    assert matplotlib.rcParams["font.family"][0] == style == "Noto Sans SC"
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_bar_wan_sorts_largest_on_top_and_labels_values_in_wan(style):
    ax = Figure().subplots()
    charts.bar_wan(pd.Series([12.5, 1830.55, 0.5], index=["办公费", "城乡医疗救助", "会议费"]), ax)
    # barh draws bottom-up: the last tick is the top bar
    assert [t.get_text() for t in ax.get_yticklabels()] == ["会议费", "办公费", "城乡医疗救助"]
    assert [t.get_text() for t in ax.texts] == ["0.50", "12.50", "1,830.55"]
    assert ax.get_xlabel() == "金额（万元）"


def test_shares_are_percent_of_the_row_total():
    frame = pd.DataFrame({"人员": [1.0, 0.0], "项目": [3.0, 0.0]}, index=["甲", "乙"])
    expected = pd.DataFrame({"人员": [25.0, float("nan")], "项目": [75.0, float("nan")]}, index=["甲", "乙"])
    assert_frame_equal(charts.shares(frame), expected)


def test_shares_refuse_negative_parts():
    with pytest.raises(ValueError, match="non-negative"):
        charts.shares(pd.DataFrame({"a": [1.0, -1.0]}))


def test_stacked_share_bars_fill_zero_to_hundred_in_row_order(style):
    ax = Figure().subplots()
    charts.stacked_share(pd.DataFrame({"人员": [1.0, 2.0], "项目": [3.0, 2.0]}, index=["甲局", "乙局"]), ax)
    widths = pd.DataFrame([[p.get_width() for p in c] for c in ax.containers], index=["人员", "项目"])
    assert widths.sum().tolist() == pytest.approx([100.0, 100.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["乙局", "甲局"]  # first row on top
    assert ax.get_xlim() == (0.0, 100.0)


def test_shorten_keeps_the_start_and_end_of_a_long_name():
    name = "提前下达2026年城乡居民基本医疗保险中央补助资金（第二批）"
    short = charts.shorten(name, 20)
    assert len(short) == 20 and short.startswith("提前下达2026年") and short.endswith("（第二批）")
    assert charts.shorten("办公费", 16) == "办公费"


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def _overhanging_chart() -> Figure:
    """Tick labels reaching left of the figure and a legend right of it: what the tight crop must take in."""
    frame = pd.DataFrame({"人员经费（基本支出）很长的分项名称很长的分项名称": [1.0, 2.0], "公用经费": [3.0, 4.0]},
                         index=["某市医疗保障局 2024", "某县医疗保障局某某某某某某某某某某某某某某 2024"])
    return charts.stacked_share(frame, title="部门自身预算构成").figure


def test_png_drawn_once_is_the_tight_savefig_image(style):
    tight = io.BytesIO()
    fig = _overhanging_chart()
    fig.savefig(tight, format="png", dpi=fig.dpi, bbox_inches="tight")  # show() draws at the figure's dpi
    expected, got = _pixels(tight.getvalue()), _pixels(charts.png_bytes(_overhanging_chart()))
    assert expected.shape[1] > fig.dpi * fig.get_size_inches()[0]  # wider than the figure: the labels and the legend overhang it
    # cut at the drawn pixels, savefig at the artists' boxes (a text box is a little wider than its ink)
    assert abs(got.shape[0] - expected.shape[0]) <= 10 and abs(got.shape[1] - expected.shape[1]) <= 10
    h, w = min(got.shape[0], expected.shape[0]), min(got.shape[1], expected.shape[1])
    # the same drawing up to a pixel's shift (the crop is cut at whole pixels, savefig shifts by a fraction)
    diff = min(abs(got[a:a + h - 2, b:b + w - 2] - expected[c:c + h - 2, d:d + w - 2]).mean()
               for a in range(3) for b in range(3) for c in range(3) for d in range(3))
    assert diff < 5  # of 255: antialiasing at a sub-pixel offset; a missing label or bar is far more


def test_png_of_a_chart_beyond_the_spill_goes_through_savefig(style):
    tight = io.BytesIO()
    fig = _overhanging_chart()
    fig.savefig(tight, format="png", dpi=fig.dpi, bbox_inches="tight")  # show() draws at the figure's dpi
    got = charts.png_bytes(_overhanging_chart(), spill=(0.0, 0.0, 0.0, 0.0))  # no room: the crop would cut labels
    assert (_pixels(got) == _pixels(tight.getvalue())).all()
