"""Budget disclosures of Chinese medical security bureaus → tidy, traceable tables.

One subpackage per stage, in the order the data flows (a module never imports a later stage):
  ingest      raw files, the manifest, metadata
  tables      format-only split into narrative and tables, amounts, header layout, cleaning per table family
  narrative   the numbers the 情况说明 states
  checks      reconciliation: every identity, each failure a finding
  analysis    key figures, spending profile, indicators, comparison
  pipeline    one document through the stages, a folder of them, writing data/processed
  report      notebooks per bureau and across bureaus, rendered to HTML
  tools       synthetic corpus, mutation testing
"""
