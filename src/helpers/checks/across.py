"""The same figure wherever it is printed, scope for scope; a difference equal to a disclosed carry-over is
reported as such.
"""
from __future__ import annotations

from collections import defaultdict

from helpers.checks.figures import Figure, comparable_scopes
from helpers.checks.ledger import FLOAT_NOISE, HALF_CENT, Ledger, Ref, fmt_wan, label_of, role_label


def check_across_tables(ledger: Ledger, figures: list[Figure], carryovers: list[float]) -> None:
    """The same figure wherever it is printed, scope for scope; where the document discloses a carry-over, period
    for period too (a table of this year's appropriations does not print what carried-over funds pay)."""
    canon = comparable_scopes(figures)
    groups: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        groups[(f.concept, canon.get(f.scope, f.scope), f.period if carryovers else "all")].append(f)
    for (concept, _, _), members in groups.items():
        tables = {f.kind for f in members}
        if len(tables) < 2:
            continue
        ledger.checked += len(members) - 1  # each printing against the others
        counts: dict[float, list[Figure]] = defaultdict(list)
        for f in members:
            counts[round(f.value, 2)].append(f)
        if len(counts) == 1:
            continue
        # The value most tables print is the reference; ties go to the table listed first.
        reference = max(counts.items(), key=lambda kv: (len({f.kind for f in kv[1]}), -members.index(kv[1][0])))
        expected, agreeing = reference
        for value, odd in counts.items():
            if value == expected:
                continue
            for f in odd:
                diff = round(f.value - expected, 6)
                carry = next((c for c in carryovers if c and abs(abs(diff) - c) < FLOAT_NOISE + HALF_CENT), None)
                what = _concept_text(concept)
                refs = [Ref(f.kind, f.lines), Ref(agreeing[0].kind, tuple(sorted({n for g in agreeing for n in g.lines})))]
                others = "、".join(sorted({label_of(g.kind) for g in agreeing}))
                message = (f"{what}: {label_of(f.kind)} “{f.label}” prints {fmt_wan(f.value)}, "
                           f"{others} print {fmt_wan(expected)}")
                if carry is not None:
                    message += (f"; the difference is the carry-over 上年结转 {fmt_wan(carry)}: one table counts "
                                f"it in the year, the other does not")
                    ledger.add("cross.carryover", message, expected, f.value, refs, severity="warning",
                               cause="document")
                else:
                    ledger.add("cross.figure", message, expected, f.value, refs)


def _concept_text(concept: str) -> str:
    parts = concept.split(":")
    role = role_label(parts[-1]) if len(parts) > 1 else ""
    head = parts[0]
    if head == "func":
        return f"function code {parts[1]}, {role}"
    if head == "econ":
        return f"economic code {parts[1]}, {role}"
    if head == "total":
        return f"total {role}"
    if head == "income":
        return f"income from {role_label(parts[1])}"
    if head == "carryover" and len(parts) > 1:
        return f"上年结转 of {role_label(parts[1])}"
    return {"grand_total": "收入/支出总计", "current_income": "本年收入合计", "carryover": "上年结转",
            "next_year_carryover": "年终结转结余", "operating_expenses": "机关运行经费"}.get(head, concept)
