"""Stage 7, report: parameterized notebooks run per bureau and across bureaus, rendered to HTML."""
