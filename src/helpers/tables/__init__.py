"""Stage 2, tables: the format-only split of a document (narrative lines, tables with every cell as text and its
line), amounts and codes, the role of each column from its header, and the cleaning of each table family into tidy
records."""
