"""Reporting stage: notebooks run per bureau and across bureaus, rendered to HTML pages."""
import sys

# jsonschema (under nbformat) imports rfc3987_syntax, a jupyterlab dependency, for its IRI format and builds a grammar
# for several seconds in every process; notebook schemas use no formats, so the reports go without it.
sys.modules.setdefault("rfc3987_syntax", None)
