"""A subject pattern is searched only where the text holds one of its required literals: the literals must be in
every match, or the pre-test would drop a statement."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.config import RAW_DIR
from helpers.ingest.raw_text import read_text
from helpers.narrative.literals import required_literals
from helpers.narrative.statements import load_statement_maps


def test_literals_of_sequences_alternations_and_repeats():
    assert required_literals(re.compile(r"上年结转(?:结余)?的[^，]{2,14}收入")) == {"上年结转"}
    assert required_literals(re.compile(r"收、?支(?:总计|预算)")) == {"总计", "预算"}  # the longest need
    assert required_literals(re.compile(r"事业收入|经营(?:收入)+")) == {"事业收入", "经营"}  # each branch its own
    assert required_literals(re.compile(r"(?<!基本)支出(?=\s*\d)")) == {"支出"}  # look-arounds need nothing
    assert required_literals(re.compile(r"(?:中小企业)?项目")) == {"项目"}  # an optional part is not needed


def test_nothing_known_is_none_and_the_pattern_always_searched():
    assert required_literals(re.compile(r"\d+[万亿]元")) == {"元"}
    assert required_literals(re.compile(r"[甲乙]\d")) is None
    assert required_literals(re.compile(r"a|\d")) is None  # one alternative needs no literal
    assert required_literals(re.compile(r"abc", re.IGNORECASE)) is None
    assert required_literals(re.compile(r"(?i:abc)d")) == {"d"}


SUBJECT_RULES = [r for r in load_statement_maps().subjects if r.needs is not None]


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(SUBJECT_RULES).flatmap(lambda rule: st.tuples(st.just(rule), st.from_regex(rule.regex))))
def test_every_match_of_a_subject_pattern_holds_one_of_its_literals(drawn):
    rule, text = drawn  # text holds a match of the rule's pattern, among other characters
    matches = [m.group(0) for m in rule.regex.finditer(text)]
    assert matches
    assert all(any(s in m for s in rule.needs) for m in matches), (rule.regex.pattern, matches)


def test_the_pre_test_never_skips_a_pattern_that_matches_the_bundled_narratives():
    texts = [read_text(p).text for p in sorted(RAW_DIR.glob("*.txt"))]
    matched = 0
    for rule in SUBJECT_RULES:
        for text in texts:
            if rule.regex.search(text):
                matched += 1
                assert any(s in text for s in rule.needs), rule.regex.pattern
    assert matched > 50  # the check saw the patterns at work


def test_a_set_too_large_to_test_cheaply_is_no_pre_test():
    many = re.compile("教育|科学技术|外交|国防|公共安全|节能环保|金融|住房保障|交通运输|农林水")
    assert required_literals(many) is None
    assert len(required_literals(many, at_most=10)) == 10
