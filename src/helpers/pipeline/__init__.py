"""Stage 6, pipeline: one document through the stages (``document``), a folder of them (``corpus``), writing."""
