"""Stage 4, checks: every identity a document implies, each failure a finding (``checks.reconcile``)."""
