"""Text from the documents made inert before it reaches a page or a chart.

A bureau or project name is data: it may hold Markdown (a link, an image, a heading after a newline), HTML, a
matplotlib mathtext span (``$\\undefinedmacro{$`` crashes a chart) or a bidirectional control that reverses what
follows. Every name a report shows passes through one of these functions.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Bidirectional embeddings, overrides and isolates, and the marks: they reorder the text around them.
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\v\f]+")
# CommonMark lets a backslash escape any ASCII punctuation; '&' and ';' are left to the HTML entities made before.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>\"'=^])")


def clean(text: object) -> str:
    """One line of visible text: line breaks become spaces, bidi controls and other control characters go."""
    if text is None:
        return ""
    value = _LINE_BREAKS.sub(" ", str(text))
    value = _BIDI.sub("", value)
    return "".join(ch for ch in value if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def html_text(text: object) -> str:
    """Text for an HTML element or attribute value."""
    return html.escape(clean(text), quote=True)


def markdown_text(text: object) -> str:
    """Text for a Markdown cell: HTML special characters as entities, then every Markdown punctuation escaped."""
    return _MARKDOWN.sub(r"\\\1", html.escape(clean(text), quote=False))


def mathtext(text: object) -> str:
    """Text for a matplotlib label: a dollar sign never opens a mathtext span."""
    return clean(text).replace("$", r"\$")
