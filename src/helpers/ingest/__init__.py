"""Stage 1, ingest: raw files and the manifest in, decoded text and metadata out."""
