"""Stage 3, narrative: the numbers the 情况说明 states, with their subject, scope and line."""
