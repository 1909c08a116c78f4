"""Mutation testing: where amounts stand, what a typo changes, and a small run end to end."""
import hashlib
import random
import re

import pandas as pd
import pytest

from helpers.checks.ledger import FINDING_COLUMNS
from helpers.config import RAW_DIR
from helpers.ingest.manifest import load_manifest
from helpers.tables.numbers import parse_amount
from helpers.tools.mutation import (
    RESULT_COLUMNS,
    Baseline,
    Site,
    amount_sites,
    load_baselines,
    mutate,
    mutate_documents,
    names_line,
    new_findings,
    sample_sites,
)

TABLE = "2024年部门收支总体情况表\n收入总计\t1,830.55\t支出总计\t1,830.55\n尾注\n"
FULLWIDTH = "０１２３４５６７８９"
TOTAL = Site(2, 5, 13, "1,830.55", "table:summary")  # the first of the two totals


def _changed(text: str, new_text: str, site: Site) -> str:
    """The printed number that replaced the site's, after checking the rest is unchanged."""
    lines, new_lines = text.split("\n"), new_text.split("\n")
    assert lines[:site.line - 1] == new_lines[:site.line - 1] and lines[site.line:] == new_lines[site.line:]
    old_line, new_line = lines[site.line - 1], new_lines[site.line - 1]
    tail = len(old_line) - site.end
    assert new_line[:site.start] == old_line[:site.start] and new_line[len(new_line) - tail:] == old_line[site.end:]
    return new_line[site.start:len(new_line) - tail]


def test_mutate_changes_one_amount_and_keeps_the_rest_byte_identical():
    typos = set()
    for seed in range(60):
        new_text, typo = mutate(TABLE, TOTAL, random.Random(seed))
        number = _changed(TABLE, new_text, TOTAL)
        assert parse_amount(number) != parse_amount(TOTAL.text)
        assert re.fullmatch(r"[1-9][0-9]{0,2}(,[0-9]{3})*\.[0-9]{2}", number), number  # separators, two decimals
        assert abs(parse_amount(number) - parse_amount(TOTAL.text)) <= 183.06 or typo.startswith("digit")
        typos.add(typo.split()[0][0])
    assert typos == {"d", "+", "-"}  # changed digits, additions and subtractions all occur


def test_mutate_keeps_split_and_fullwidth_digits_in_place():
    for printed in ("264344.9 0", "４５.００", "（1.5）"):
        text = f"合计\t{printed}\n"
        site = Site(1, 3, 3 + len(printed), printed, "table:expenditure")
        for seed in range(20):
            number = _changed(text, mutate(text, site, random.Random(seed))[0], site)
            differs = [i for i, (a, b) in enumerate(zip(printed, number, strict=True)) if a != b]
            assert len(differs) == 1  # one digit, spaces, brackets and decimals in place
            alphabet = FULLWIDTH if printed[differs[0]] in FULLWIDTH else "0123456789"
            assert number[differs[0]] in alphabet
            assert parse_amount(number) != parse_amount(printed)


def test_mutate_refuses_a_site_that_does_not_stand_in_the_text():
    with pytest.raises(ValueError, match="does not print"):
        mutate(TABLE, Site(2, 4, 12, "1,830.55", "table:summary"), random.Random(0))


def test_narrative_sites_are_amounts_and_shares_not_years_counts_or_thresholds():
    text = ("2024年收入总计1,830.55万元，比2023年减少21.46%。\n"
            "单价50万元以上设备0台，社会保障支出80.05万\n\n元，共6个项目。\n")
    sites = amount_sites(text, {})
    assert [(s.line, s.text, s.region) for s in sites] == [
        (1, "1,830.55", "narrative"), (1, "21.46", "narrative"), (2, "80.05", "narrative")]
    assert all(text.split("\n")[s.line - 1][s.start:s.end] == s.text for s in sites)


def test_new_findings_name_a_line_only_among_their_lines():
    base = pd.DataFrame([["d", "sum", "t", "error", "", "m", 1.0, 2.0, 1.0, 0.0, "a", "215 242", ""]], columns=FINDING_COLUMNS)
    changed = base.assign(actual=3.0, lines="215 242 305")
    other = base.assign(check="share", lines="24")
    new = new_findings(base, pd.concat([base, changed, other], ignore_index=True))
    assert new["check"].tolist() == ["sum", "share"]
    assert names_line(new, 242).tolist() == [True, False] and names_line(new, 24).tolist() == [False, True]
    assert new_findings(base, base.copy()).empty


@pytest.fixture(scope="module")
def baselines() -> dict[str, Baseline]:
    if not (RAW_DIR / "manifest.csv").exists():
        pytest.skip("data/raw is not beside the tests")
    return {b.doc_id: b for b in load_baselines(RAW_DIR)}


def test_sites_of_the_kaifeng_tables_are_the_amounts_read_not_codes(baselines):
    sites = baselines["kaifeng-xiangfu_2024"].sites
    on = {line: [(s.text, s.region) for s in sites if s.line == line] for line in (89, 217, 230, 244)}
    assert on[217] == [("1,830.55", "table:summary")] * 2  # 收入总计 | 1,830.55 | 支出总计 | 1,830.55
    assert Site(217, 5, 13, "1,830.55", "table:summary") in sites
    assert on[230] == [("1,830.55", "table:income")] * 4  # unit code 116101 is not an amount
    assert on[244] == [("2.50", "table:expenditure")] * 3  # function code 208 05 05 is not either
    assert [t for t, _ in on[89]] == ["1830.55", "1830.55", "500.08", "21.46"]  # not the years 2024, 2023


def test_sampling_is_seeded_and_stratified_by_document(baselines):
    docs = list(baselines.values())
    picks = sample_sites(docs, 12, random.Random(3))
    assert picks == sample_sites(docs, 12, random.Random(3))
    per_doc = pd.Series([b.doc_id for b, _ in picks]).value_counts()
    assert sorted(per_doc) == [2, 2, 2, 3, 3]  # 12 over 5 documents; the two extra go to random ones
    assert all(len({s for b, s in picks if b.doc_id == d}) == n for d, n in per_doc.items())  # no site twice


def test_a_small_run_mutates_copies_and_reports_every_mutation(baselines):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in RAW_DIR.iterdir()}
    results = mutate_documents(list(baselines.values()), load_manifest(RAW_DIR), 10, seed=7)
    assert list(results.columns) == RESULT_COLUMNS and len(results) == 10
    assert results["doc_id"].value_counts().eq(2).all()
    assert (results["old"] != results["new"]).all() and (results["error"] == "").all()
    assert results["caught"].dtype == bool
    # Every table amount of the sample is tied by some identity, so a typo in it must be found.
    assert results.loc[results["region"] != "narrative", "caught"].all()
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in RAW_DIR.iterdir()} == before
