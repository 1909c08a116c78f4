"""The narrative against the tables: every amount, count, share (recomputed from the tables) and year-on-year
percent (recomputed from the stated change and the base it implies).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from helpers.checks.figures import Figure, carryover_amounts, comparable_scopes
from helpers.checks.ledger import HALF_CENT, Ledger, Ref, differs, fmt_wan, label_of
from helpers.checks.records import Record, Rows, blank, is_missing
from helpers.checks.records import records as to_records
from helpers.frames import with_columns
from helpers.tables.layout import strip_numbering

# Narrative subject → the table concept it restates.
SUBJECT_CONCEPTS = {
    "total_income": "grand_total", "total_expenditure": "grand_total", "current_income": "current_income",
    "current_expenditure": "total:total", "carryover_income": "carryover", "next_year_carryover": "next_year_carryover",
    "fiscal_total": "total:total", "general_budget_total": "total:total", "gov_fund_total": "total:total",
    "basic_expenditure": "total:basic", "project_expenditure": "total:project",
    "personnel_expenditure": "total:personnel", "public_expenditure": "total:public",
    "operating_expenses": "operating_expenses:total", "procurement_total": "procurement:total",
    "project_count": "project_count",
}
# Funds of the projects with performance targets: all projects in most templates, a subset in some.
PERFORMANCE_FUNDS = "performance_funds"
SUBJECT_SCOPES = {"fiscal_total": "fiscal", "general_budget_total": "general", "gov_fund_total": "gov_fund"}
BARE_RE = re.compile(r"[（(][类款项][)）]|支出$")


@dataclass
class Sources:
    """What the narrative is checked against: the table figures by (concept, scope), the scopes
    that hold the same money, and the budget lines (for function names)."""

    index: dict[tuple[str, str], list[Figure]]
    canon: dict[str, str]
    budget: list[Record]

    @cached_property
    def function_names(self) -> dict[str, str]:
        """Function code → its bare name as the tables print it; built on first use (only
        statements naming a function need it)."""
        return {r["func_code"]: _bare(strip_numbering(str(r["name"]))) for r in self.budget
                if not is_missing(r["func_code"])}


def check_narrative(ledger: Ledger, statements: pd.DataFrame, figures: list[Figure],
                    budget: pd.DataFrame | Rows, fiscal_year: int | None) -> pd.DataFrame:
    """Every amount, share, count and change the narrative states, against the tables.
    Returns the statements with how each was checked (column ``check_status``)."""
    if statements.empty:
        return statements.assign(check_status=pd.Series(dtype=str))
    canon = comparable_scopes(figures)
    carryovers = carryover_amounts(figures)
    index: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        index[(f.concept, canon.get(f.scope, f.scope))].append(f)
    sources = Sources(index, canon, Rows.of(budget).records)
    records = to_records(statements, statements.columns)
    status: list[str] = []
    for st in records:
        year = st["year"]
        if not is_missing(year) and fiscal_year and int(year) != fiscal_year:
            status.append("not checked: about another year")
            continue
        kind = st["kind"]
        if kind == "amount" and st["subject"] == PERFORMANCE_FUNDS:
            status.append(_check_performance_funds(ledger, st, sources))
        elif kind in {"amount", "count"}:
            status.append(_check_amount(ledger, st, sources, carryovers))
        elif kind == "share":
            status.append(_check_share(ledger, st, sources))
        elif kind == "change_pct":
            status.append(_check_change(ledger, st, records, sources))
        elif kind == "prev_amount":
            status.append(_check_prev(ledger, st, sources))
        else:
            status.append("not checked: a change amount is checked through its percent")
    return with_columns(statements, {"check_status": status})


def _tolerance(number_text: str, scale: float = 1.0) -> float:
    """Half of the last printed digit: 88.3 is any amount from 88.25 to 88.35; a zero stated in words is exact."""
    text = str(number_text or "").replace(",", "")
    if not text:
        return HALF_CENT * scale
    decimals = len(text.split(".")[1]) if "." in text else 0
    return max(HALF_CENT * scale, 0.5 * 10 ** -decimals * scale)


def _percent_tolerance(number_text: str) -> float:
    """One unit of the last printed digit: authors round or cut a percent (7.748% printed 7.74)."""
    return 2 * _tolerance(number_text)


def _lookup(st: Record, subject: str | None, sources: Sources) -> list[Figure]:
    if subject is None or is_missing(subject):
        return []
    index, canon = sources.index, sources.canon
    scope = SUBJECT_SCOPES.get(subject) or (st["scope"] if isinstance(st["scope"], str) else "all")
    scope = canon.get(scope, scope)
    if subject == "func":
        # A function's amount may be its total or, where the sentence is about 基本支出 or 项目支出, that part.
        code = _func_code_of(st, sources)
        return [f for part in ("total", "basic", "project") for f in index.get((f"func:{code}:{part}", scope), [])
                ] if code else []
    if subject.startswith("income:"):
        return index.get((subject, "all"), [])
    if subject.startswith("three_public"):
        # The scope the sentence names (财政拨款安排“三公”经费 …), else the general budget's, else any table's.
        for wanted in dict.fromkeys([scope, canon.get("general", "general")]):
            if found := index.get((f"{subject}:total", wanted), []):
                return found
        return [f for (c, _), fs in index.items() if c == f"{subject}:total" for f in fs]
    concept = SUBJECT_CONCEPTS.get(subject)
    if concept is None:
        return []
    found = index.get((concept, scope), [])
    if not found and concept in {"operating_expenses:total", "procurement:total", "project_count", "grand_total",
                                 "current_income", "carryover", "next_year_carryover"}:
        found = [f for (c, _), fs in index.items() if c == concept for f in fs]
    return found


def _func_code_of(st: Record, sources: Sources) -> str | None:
    """The code of the most detailed name the narrative gives (类/款/项), as the tables name it.
    A 项 name that several 款 share (一般行政管理事务) needs its 款 name too; if still ambiguous, None."""
    names = [_bare(n) for n in str(st["func_names"] or "").split("/") if n and n != "nan"]
    given = st["func_code"] if isinstance(st["func_code"], str) and st["func_code"] else None
    if len(names) <= 1 and given:
        return given
    if not names:
        return None
    named = sources.function_names
    codes = {c for c, n in named.items() if n == names[-1]}
    if len(codes) > 1 and len(names) > 1:
        codes = {c for c in codes if named.get(c[:-2]) == names[-2]}
    return codes.pop() if len(codes) == 1 else None


def _bare(name: str) -> str:
    return BARE_RE.sub("", name.strip())


def _check_amount(ledger: Ledger, st: Record, sources: Sources, carryovers: list[float]) -> str:
    found = _lookup(st, st["subject"], sources)
    if not found:
        return "not checked: no table prints this figure"
    scale = 1.0
    tolerance = 0.0 if st["kind"] == "count" else _tolerance(st["number_text"], scale)
    stated = float(st["value"])
    if any(not differs(stated, f.value, tolerance) for f in found):
        return "agrees"
    f = found[0]
    what = "count" if st["kind"] == "count" else "amount"
    message = (f"the narrative states “{st['evidence']}” ({what} {st['number_text']}) but {label_of(f.kind)} "
               f"“{f.label}” prints {fmt_wan(f.value)}")
    carry = next((c for c in carryovers if what == "amount" and not differs(abs(stated - f.value), c)), None)
    if carry is not None:
        message += f"; the difference is the carry-over 上年结转 {fmt_wan(carry)}, which the narrative counts in the figure"
    ledger.add("cross.carryover" if carry is not None else "narrative.amount", message, f.value, stated,
               [Ref("narrative", (int(st["line"]),)), Ref(f.kind, f.lines)], tolerance,
               severity="warning" if carry is not None else None, cause="document")
    return "differs"


def _check_performance_funds(ledger: Ledger, st: Record, sources: Sources) -> str:
    found = sources.index.get(("total:project", sources.canon.get("all", "all")), [])
    if not found:
        return "not checked: no table prints project spending"
    return _compare_stated(ledger, st, found[0], "narrative.performance_funds",
                           f"the narrative states “{st['evidence']}” for the projects with performance targets, "
                           f"{label_of(found[0].kind)} prints 项目支出 {fmt_wan(found[0].value)}")


def _compare_stated(ledger: Ledger, st: Record, f: Figure, check: str, message: str) -> str:
    """A narrative number against one table figure, within half of its last printed digit."""
    tolerance = _tolerance(st["number_text"])
    if not differs(float(st["value"]), f.value, tolerance):
        return "agrees"
    ledger.add(check, message, f.value, float(st["value"]),
               [Ref("narrative", (int(st["line"]),)), Ref(f.kind, f.lines)], tolerance, cause="document")
    return "differs"


def _check_share(ledger: Ledger, st: Record, sources: Sources) -> str:
    part = _lookup(st, st["subject"], sources)
    whole = _lookup(st, st["share_of"], sources)
    if not part or not whole:
        return "not checked: the share's part or whole is in no table"
    if whole[0].value == 0:
        return "not checked: the whole is zero"
    computed = 100 * part[0].value / whole[0].value
    tolerance = _percent_tolerance(st["number_text"])
    if not differs(float(st["value"]), computed, tolerance):
        return "agrees"
    ledger.add("narrative.share", f"the narrative states “{st['evidence']}” ({st['number_text']}%) but the tables "
               f"give {fmt_wan(part[0].value)} / {fmt_wan(whole[0].value)} = {computed:.2f}%", round(computed, 4),
               float(st["value"]), [Ref("narrative", (int(st["line"]),)), Ref(part[0].kind, part[0].lines),
                                    Ref(whole[0].kind, whole[0].lines)], tolerance, cause="document")
    return "differs"


def _same_subject(a: Record, b: Record) -> bool:
    """Two statements about one subject (a function subject: the same function names or code); a missing subject
    equals nothing."""
    if is_missing(a["subject"]) or is_missing(b["subject"]) or a["subject"] != b["subject"]:
        return False
    return a["subject"] != "func" or (blank(a["func_names"]), blank(a["func_code"])) == (blank(b["func_names"]),
                                                                                        blank(b["func_code"]))


def _check_change(ledger: Ledger, st: Record, statements: list[Record], sources: Sources) -> str:
    """增加 X 万元，上升 p%: p must be X over the previous year's base, current − X."""
    subject, line = st["subject"], st["line"]
    amounts = [s for s in statements if s["kind"] == "change_amount" and _same_subject(s, st)
               and blank(s["number_text"]) != "" and line - 3 <= s["line"] <= line]
    if not amounts:
        return "not checked: no change amount stated with the percent"
    change = amounts[-1]
    current = _lookup(st, subject, sources)
    if current:
        now, where = current[0].value, Ref(current[0].kind, current[0].lines)
    else:
        stated = [s for s in statements if s["kind"] == "amount" and _same_subject(s, st)]
        if not stated:
            return "not checked: no current amount for the change"
        now, where = float(stated[0]["value"]), Ref("narrative", (int(stated[0]["line"]),))
    base = now - float(change["value"])
    if base <= 0:
        return "not checked: the implied previous-year base is not positive"
    computed = 100 * float(change["value"]) / base
    tolerance = _percent_tolerance(st["number_text"])
    if not differs(abs(float(st["value"])), abs(computed), tolerance) and (float(st["value"]) * computed >= 0):
        return "agrees"
    wrong_base = now and not differs(abs(float(st["value"])), abs(100 * float(change["value"]) / now), tolerance)
    why = f"; {st['number_text']}% is the change over this year's {fmt_wan(now)}, not over the base" if wrong_base else ""
    ledger.add("narrative.change", f"the narrative states “{st['evidence']}” ({st['number_text']}%), but a change of "
               f"{fmt_wan(float(change['value']))} on the implied base {fmt_wan(base)} (= {fmt_wan(now)} − change) is "
               f"{computed:.2f}%{why}", round(computed, 4), float(st["value"]),
               [Ref("narrative", tuple(sorted({int(st["line"]), int(change["line"])}))), where], tolerance,
               cause="document")
    return "differs"


def _check_prev(ledger: Ledger, st: Record, sources: Sources) -> str:
    if not isinstance(st["subject"], str):
        return "not checked: no subject"
    found = [f for (c, _), fs in sources.index.items() if c == f"{st['subject']}:prev" for f in fs]
    if not found:
        return "not checked: no table prints the previous year"
    return _compare_stated(ledger, st, found[0], "narrative.amount",
                           f"the narrative states the previous year as “{st['evidence']}” but "
                           f"{label_of(found[0].kind)} prints {fmt_wan(found[0].value)}")
