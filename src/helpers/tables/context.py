"""What every cleaner of a table shares: the table kinds each reads, amount roles, the context that carries
the document's id, the table's unit and the cells left unparsed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.schema import dictionary_columns
from helpers.tables.layout import ParsedRow
from helpers.tables.numbers import normalise_text, to_wan
from helpers.tables.split import RawTable, squeeze


@lru_cache(maxsize=1)
def kinds_of_family() -> dict[str, frozenset[str]]:
    """Table kinds by the family of cleaner that reads them (maps/table_kinds.csv, column family)."""
    table = pd.read_csv(MAPS_DIR / "table_kinds.csv", dtype=str)
    return {family: frozenset(group["kind"]) for family, group in table.groupby("family")}


def family_of(kind: str) -> str:
    """The cleaner family of a table kind ("" for an unknown kind)."""
    return next((family for family, kinds in kinds_of_family().items() if kind in kinds), "")


FUNCTION_KINDS = kinds_of_family()["function"]
ECON_KINDS = kinds_of_family()["econ"]
SUMMARY_KINDS = kinds_of_family()["summary"]
PROJECT_KINDS = kinds_of_family()["projects"]
PERFORMANCE_KINDS = kinds_of_family()["performance"]
THREE_PUBLIC_KINDS = kinds_of_family()["three_public"]
TOTAL_RE = re.compile(r"^(合计|总计|小计|合计数)[：:]?$")


@lru_cache(maxsize=1)
def amount_roles() -> list[str]:
    """The amount roles of maps/header_roles.csv, in the order the data dictionary lists their ``<role>_wan``
    columns (a role the dictionary lacks comes last, and writing then fails naming its column)."""
    rules = pd.read_csv(MAPS_DIR / "header_roles.csv", dtype=str, keep_default_na=False)
    roles = [r for r in dict.fromkeys(rules["role"]) if r not in ("detail", "note")]
    order = {c.removesuffix("_wan"): i for i, c in enumerate(dictionary_columns()["budget_lines"])}
    return sorted(roles, key=lambda r: order.get(r, len(order)))


@lru_cache(maxsize=1)
def _scopes() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    defaults = pd.read_csv(MAPS_DIR / "table_scopes.csv", dtype=str)
    titles = pd.read_csv(MAPS_DIR / "title_scopes.csv", dtype=str)
    return (dict(zip(defaults["table_kind"], defaults["scope"], strict=True)),
            [(re.compile(p), s) for p, s in zip(titles["pattern"], titles["scope"], strict=True)])


def table_scope(kind: str, title: str) -> str:
    """The funds a table covers: what its title says (maps/title_scopes.csv: 一般公共预算 → general, 财政拨款 →
    fiscal …), else its kind's scope (maps/table_scopes.csv), else all funds."""
    defaults, by_title = _scopes()
    flat = squeeze(title)
    # The kind's scope wins for tables whose title names a source inside a wider table (财政拨款收支总表 is fiscal
    # by its kind already); the title decides where the kind is scope-neutral (三公, 项目, 采购 tables).
    if kind in defaults and defaults[kind] != "all" and kind not in kinds_of_family().get("three_public", ()):
        return defaults[kind]
    return next((scope for regex, scope in by_title if regex.search(flat)), defaults.get(kind, "all"))


@dataclass
class TableContext:
    """What every record of one table shares."""

    doc_id: str
    table: RawTable
    unit: str
    fiscal_year: int | None
    unparsed: list[dict] = field(default_factory=list)
    units: frozenset[str] = frozenset()  # the document's budget units, as its income table names them

    def is_unit(self, name: str) -> bool:
        """A row naming one of the document's units (or, failing a unit list, a name that reads as a unit's)."""
        return normalise_text(name) in self.units or is_unit_name(name)

    @property
    def scope(self) -> str:
        return table_scope(self.table.kind, self.table.title)

    def wan(self, value: Decimal) -> float:
        return float(to_wan(value, self.unit))

    def wan_in(self, value: Decimal, unit: str) -> float:
        return float(to_wan(value, unit))

    def amounts(self, parsed: ParsedRow) -> dict[str, float]:
        return {f"{role}_wan": self.wan(v) for role, v in parsed.amounts.items()}

    def leave(self, line: int, col: int | None, text: str, reason: str) -> None:
        self.unparsed.append({
            "doc_id": self.doc_id, "table_kind": self.table.kind, "line": line,
            "column": col, "text": text, "reason": reason,
        })

    def leave_leftovers(self, parsed: ParsedRow) -> None:
        for col, text, reason in parsed.leftover:
            self.leave(parsed.line, col, text, reason)
        for role, value in parsed.prev_amounts.items():
            self.leave(parsed.line, None, str(value), f"previous-year column ({role})")


@lru_cache(maxsize=1)
def _unit_name_rules() -> tuple[re.Pattern, re.Pattern]:
    table = pd.read_csv(MAPS_DIR / "unit_names.csv", dtype=str)
    rules = dict(zip(table["kind"], table["pattern"], strict=True))
    return re.compile(rules["unit_end"]), re.compile(rules["not_unit"])


def is_unit_name(name: str) -> bool:
    """A budget unit's name (maps/unit_names.csv): it ends with an organisation word and names no project."""
    text = squeeze(name)
    unit_end, not_unit = _unit_name_rules()
    return bool(unit_end.search(text)) and not not_unit.search(text)


