"""Property: whatever damage a bundled document suffers (cut, bytes flipped, lines dropped or repeated, another
encoding, control characters, odd Unicode, a garbled manifest row), `process` ends with one line per problem and no
traceback, its outputs are whole, and the undamaged document beside it is written exactly as when processed alone."""
import contextlib
import io
import re
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.pipeline.outputs import RUN_TABLES, TABLE_NAMES, check_outputs

GOOD = "zhaoyuan_2024"  # shares no indicator with the others: none of its rows depends on them
VICTIMS = ["dazhou-dachuan_2024", "kaifeng-xiangfu_2024", "luoyang-luolong_2024", "luoyang_2026"]
LINE_RE = re.compile(r"^(error|warning): \S")
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "gb18030", "big5", "latin-1", "shift_jis"]


def _manifest(doc_ids: list[str]) -> pd.DataFrame:
    manifest = pd.read_csv(RAW_DIR / "manifest.csv", dtype=str, keep_default_na=False)
    return manifest[manifest["doc_id"].isin(doc_ids)]


def _process(raw: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["process", "--raw-dir", str(raw), "--out-dir", str(out)])
    return code, err.getvalue()


def _rows(out: Path, name: str) -> pd.DataFrame:
    frame = pd.read_parquet(out / f"{name}.parquet")
    return frame[frame["doc_id"] == GOOD].reset_index(drop=True)


@cache
def alone() -> dict[str, pd.DataFrame]:
    """The good document processed on its own."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        (raw / f"{GOOD}.txt").write_bytes((RAW_DIR / f"{GOOD}.txt").read_bytes())
        _manifest([GOOD]).to_csv(raw / "manifest.csv", index=False)
        assert _process(raw, Path(tmp) / "out")[0] == 0
        return {name: _rows(Path(tmp) / "out", name) for name in [*TABLE_NAMES, *RUN_TABLES]}


# Each damage: (name, strategy of a function bytes -> bytes), the strategy drawing where and what.
def _at(data_size: int):
    return st.integers(0, max(data_size, 0))


def _lines_op(transform):
    """A damage to a range of lines, decided by two fractions of the document."""
    def apply(fractions, data: bytes) -> bytes:
        lines = data.split(b"\n")
        a, b = sorted(int(f * len(lines)) for f in fractions)
        return b"\n".join(transform(lines, a, max(b, a + 1)))
    return apply


DAMAGES = {
    "cut": lambda f, d: d[: int(f[0] * len(d))],
    "drop lines": _lines_op(lambda lines, a, b: lines[:a] + lines[b:]),
    "repeat lines": _lines_op(lambda lines, a, b: lines[:b] + lines[a:b] + lines[b:]),
    "swap lines": _lines_op(lambda lines, a, b: lines[:a] + [lines[min(b, len(lines) - 1)]] + lines[a + 1:]),
    "tabs to spaces": _lines_op(lambda lines, a, b: lines[:a] + [x.replace(b"\t", b"  ") for x in lines[a:b]] + lines[b:]),
    "digits garbled": _lines_op(lambda lines, a, b: lines[:a] + [re.sub(rb"\d", b"9", x).replace(b".", b",")
                                                                 for x in lines[a:b]] + lines[b:]),
}
fractions = st.tuples(st.floats(0, 1), st.floats(0, 1))
damage = st.one_of(
    st.builds(lambda name, f: (name, lambda d: DAMAGES[name](f, d)), st.sampled_from(sorted(DAMAGES)), fractions),
    st.builds(lambda f, junk: ("insert bytes", lambda d: d[: int(f * len(d))] + junk + d[int(f * len(d)):]),
              st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.builds(lambda f, text: ("insert text", lambda d: d[: int(f * len(d))] + text.encode("utf-8", "surrogatepass")
                               + d[int(f * len(d)):]), st.floats(0, 1), st.text(min_size=1, max_size=40)),
    st.builds(lambda f, b: ("flip byte", lambda d: d[: int(f * len(d))] + bytes([b]) + d[int(f * len(d)) + 1:]),
              st.floats(0, 1), st.integers(0, 255)),
    st.builds(lambda enc: (f"as {enc}", lambda d: d.decode("utf-8", "replace").encode(enc, "replace")),
              st.sampled_from(ENCODINGS)),
    st.builds(lambda n: ("control characters", lambda d: d.replace(b"\n", b"\x07\x1b\n", n)), st.integers(1, 400)),
    st.just(("empty", lambda d: b"")),
)
# What a person types into a cell (a NUL byte makes the manifest binary: refused as a whole, tested elsewhere).
typed = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
manifest_damage = st.one_of(st.none(), st.tuples(st.sampled_from(["bureau_name", "fiscal_year", "amount_unit",
                                                                  "sha256", "county", "files"]), typed))


# Bounded for CI: a fixed sequence of examples, no shrinking (a failure prints its example, which reruns as it is).
@settings(max_examples=30, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(victim=st.sampled_from(VICTIMS), damages=st.lists(damage, min_size=1, max_size=3), cell=manifest_damage)
def test_damaged_documents_give_one_line_each_and_leave_the_undamaged_one_unchanged(victim, damages, cell):
    data = (RAW_DIR / f"{victim}.txt").read_bytes()
    for _, apply in damages:
        data = apply(data)
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "out"
        raw.mkdir()
        (raw / f"{GOOD}.txt").write_bytes((RAW_DIR / f"{GOOD}.txt").read_bytes())
        (raw / f"{victim}.txt").write_bytes(data)
        manifest = _manifest([GOOD, victim]).copy()
        if cell is not None:
            manifest.loc[manifest["doc_id"] == victim, cell[0]] = cell[1]
        manifest.to_csv(raw / "manifest.csv", index=False)
        code, err = _process(raw, out)
        assert code in (0, 1), err
        assert all(LINE_RE.match(line) for line in err.splitlines()), err
        assert check_outputs(out) == []
        for name, before in alone().items():
            pd.testing.assert_frame_equal(_rows(out, name), before, obj=name)
