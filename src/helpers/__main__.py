"""Command line: python -m helpers process [--raw-dir DIR] [--out-dir DIR] [--jobs J] [--workbook] [--executor local|dask
--scheduler ADDRESS] | reports | audit [--raw-dir DIR]
| synth --n N --out-dir DIR | mutate [--n N] [--seed S] [--out CSV]. It parses the arguments and calls one stage."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.config import INTERIM_DIR, PROCESSED_DIR, RAW_DIR
from helpers.pipeline.executor import add_executor_arguments
from helpers.report import runner

# The stages are imported by the command that needs them: `reports` with nothing changed answers before pandas loads.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers")
    sub = parser.add_subparsers(dest="command", required=True)
    process = sub.add_parser("process", help="extract, clean and write every document of a folder")
    process.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    process.add_argument("--out-dir", type=Path, default=PROCESSED_DIR)
    process.add_argument("--jobs", type=int, default=1, help="worker processes (documents are independent)")
    process.add_argument("--interim-dir", type=Path, default=INTERIM_DIR,
                         help="cache of the PDFs' text layers, by content (default: data/interim)")
    process.add_argument("--workbook", action="store_true",
                         help="also write budget_disclosures.xlsx (for a corpus Excel can hold)")
    add_executor_arguments(process)
    synth = sub.add_parser("synth", help="write a synthetic corpus of N perturbed copies of the bundled documents")
    synth.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    synth.add_argument("--out-dir", type=Path, required=True)
    synth.add_argument("--n", type=int, default=200)
    synth.add_argument("--seed", type=int, default=1)
    mutate = sub.add_parser("mutate", help="change single amounts of copies and report the share the findings catch")
    mutate.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    mutate.add_argument("--n", type=int, default=200, help="number of mutations")
    mutate.add_argument("--seed", type=int, default=1)
    mutate.add_argument("--out", type=Path, help="CSV of every mutation and its outcome")
    audit_parser = sub.add_parser("audit", help="how well a corpus reads: per document and in sum (nothing written)")
    audit_parser.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    audit_parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    audit_parser.add_argument("--interim-dir", type=Path, default=INTERIM_DIR, help="cache of the PDFs' text layers")
    audit_parser.add_argument("--csv", type=Path, help="also write the per-document figures to this CSV")
    reports_parser = sub.add_parser("reports", help="process if the raw files changed, then build the HTML reports")
    runner.add_arguments(reports_parser)
    args = parser.parse_args(argv)
    if args.command == "reports":
        return runner.run(args)
    if args.command == "audit":
        from helpers.tools import audit

        return audit.audit(args.raw_dir, args.jobs, args.interim_dir, args.csv)
    if args.command == "mutate":
        from helpers.tools import mutation

        return mutation.report(args.raw_dir, args.n, args.seed, args.out)
    if args.command == "synth":
        from helpers.tools.synth import generate

        manifest = generate(args.raw_dir, args.out_dir, args.n, args.seed)
        print(f"{len(manifest)} synthetic documents → {args.out_dir}")
        return 0
    from helpers.pipeline.corpus import run_process

    return run_process(args.raw_dir, args.out_dir, args.jobs, args.interim_dir, args.executor, args.scheduler,
                       args.workbook)


if __name__ == "__main__":
    sys.exit(main())
