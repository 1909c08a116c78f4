"""Budget disclosures of Chinese medical security bureaus → tidy, traceable tables.

Stages, one module each:
  io_raw      read a raw text file (encoding, debris) and the manifest
  extract     format-only: split a document into narrative and tables (cells as text + line numbers)
  numbers     parse amounts and indicator targets
  clean       interpret tables into tidy frames (budget_lines, economic_lines, projects, indicators)
  narrative   figures stated in the 情况说明 text
  pipeline    run a document / a folder and write data/processed
"""
