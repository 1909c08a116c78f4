"""The literal text a regular expression cannot match without: a cheap ``in`` test that skips a search bound to fail.

A paragraph is searched with every subject pattern of the narrative map, and most paragraphs name few subjects:
``required_literals(regex)`` gives a set of strings one of which every match contains, read from the pattern's own
parse tree, so ``any(s in text for s in found)`` is False only where the search would find nothing. Where the
pattern gives no such set (a case-insensitive pattern, a subject made of character classes only), it is None and
the pattern is always searched.
"""
from __future__ import annotations

import re

try:  # the parser behind re.compile: re._parser since Python 3.11, sre_parse before
    from re import _constants as constants
    from re import _parser as parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as constants  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

Options = frozenset[str] | None  # every match contains one of these strings; None: nothing known
REPEATS = {constants.MAX_REPEAT, constants.MIN_REPEAT, getattr(constants, "POSSESSIVE_REPEAT", constants.MAX_REPEAT)}


def required_literals(regex: re.Pattern, at_most: int = 8) -> Options:
    """Strings one of which every match of regex contains, the most selective set found; None when none is known or
    the set has more than ``at_most`` strings (testing each would cost more than the search it might save)."""
    if regex.flags & re.IGNORECASE or not isinstance(regex.pattern, str):
        return None
    try:
        tree = parser.parse(regex.pattern, regex.flags)
    except (re.error, RecursionError, AttributeError):  # a parser this module does not know: no pre-test
        return None
    found = _required(list(tree))
    return found if found is not None and len(found) <= at_most else None


def _required(items: list) -> Options:
    """Over a sequence, every element is needed: the best of the runs of literal characters and of the elements'
    own sets."""
    best: Options = None
    run: list[str] = []
    for op, av in [*items, (None, None)]:  # a sentinel closes the last run
        if op is constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        best = _better(best, _element(op, av))
    return best


def _element(op, av) -> Options:
    if op is constants.SUBPATTERN:  # (group, add_flags, del_flags, pattern)
        return None if av[1] & re.IGNORECASE else _required(list(av[3]))
    if op in REPEATS:  # (min, max, pattern): needed only when it must occur
        return _required(list(av[2])) if av[0] >= 1 else None
    if op is getattr(constants, "ATOMIC_GROUP", None):
        return _required(list(av))
    if op is constants.BRANCH:  # (None, [alternatives]): one of them, so one of their sets
        options = [_required(list(branch)) for branch in av[1]]
        return None if any(o is None for o in options) else frozenset().union(*options)
    return None  # classes, any character, anchors, look-arounds, back-references: no literal needed


def _better(a: Options, b: Options) -> Options:
    """The more selective set: its shortest string longer, then fewer strings."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))
