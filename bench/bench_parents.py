"""Time the reconciliation's parent search and row-sum check by table size: time per row should stay flat.

    .venv/bin/python bench/bench_parents.py [--sizes 1000 10000 50000 200000] [--scan-up-to 20000]

Two table shapes: a function table as the documents print it (合计, then 类 / 款 / 项 rows whose sums hold), and the
shape that made the former scan upward quadratic (every item's code differs from the rows above, so each looked back
to the top). ``tree_parents`` is timed on both, ``check_row_sums`` (the check that calls it) on the first; the former
scan is timed up to ``--scan-up-to`` rows for comparison. Printed as a Markdown table (not committed).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from helpers.checks.ledger import Ledger
from helpers.checks.within import check_row_sums, tree_parents

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_tree_parents import scan_upward  # noqa: E402  (the former search, as the test states it)


def function_table(n: int) -> pd.DataFrame:
    """About n rows: 合计, then classes of 10 款 of 10 项 each, every total the sum of the rows under it."""
    rows = [("total", None)]
    k = 0
    while len(rows) < n:
        rows.append(("class", f"{200 + k:03d}"))
        for kuan in range(10):
            rows.append(("kuan", f"{200 + k:03d}{kuan:02d}"))
            rows += [("item", f"{200 + k:03d}{kuan:02d}{item:02d}") for item in range(10)]
        k += 1
    rows = rows[:n]
    frame = pd.DataFrame(rows, columns=["row_type", "func_code"])
    amounts = [1.0 if t == "item" else 0.0 for t in frame["row_type"]]
    # totals filled bottom-up from the parents, so the check finds nothing to report and times the search and sums
    parents = tree_parents(frame["row_type"].tolist(), frame["func_code"].tolist(), [None] * len(frame))
    for i in range(len(frame) - 1, -1, -1):
        if parents[i] is not None:
            amounts[parents[i]] += amounts[i]
    return frame.assign(doc_id="bench", table_kind="expenditure", line=range(1, len(frame) + 1), name="x",
                        unit_code=None, total_wan=amounts, basic_wan=0.0, project_wan=amounts)


def unmatched_items(n: int) -> tuple[list[str], list[str | None], list[str | None]]:
    return ["total", *["item"] * (n - 1)], [None, *(f"9{k:07d}" for k in range(n - 1))], [None] * n


def per_row_us(function, *args, rows: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return 1e6 * best / rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000, 200_000])
    parser.add_argument("--scan-up-to", type=int, default=20_000, help="largest size the former scan is timed at")
    args = parser.parse_args()
    print("| rows | tree_parents, function table (µs/row) | tree_parents, unmatched items (µs/row) "
          "| check_row_sums (µs/row) | former scan, unmatched items (µs/row) |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        table = function_table(n)
        columns = (table["row_type"].tolist(), table["func_code"].tolist(), [None] * n)
        unmatched = unmatched_items(n)
        tree = per_row_us(tree_parents, *columns, rows=n)
        worst = per_row_us(tree_parents, *unmatched, rows=n)
        checks = per_row_us(lambda t: check_row_sums(Ledger("bench"), t, "func_code"), table, rows=n, repeat=1)
        scan = f"{per_row_us(scan_upward, *unmatched, rows=n, repeat=1):.1f}" if n <= args.scan_up_to else "—"
        print(f"| {n:,} | {tree:.2f} | {worst:.2f} | {checks:.1f} | {scan} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
