"""Stage 5, analysis: key figures, the spending profile, indicators enriched and summarized, the comparison."""
