"""Stored and typed text inside Streamlit's markdown strings (SECURITY 19, 32).

Labels, `help=`, captions, headings, toasts and st.success/error/info/warning bodies are all
markdown in Streamlit 1.67: bold, `:red[colour]`, `$KaTeX$`, links, `www.` autolinks, external
images (a beacon in every viewer's browser) and `:material/icon:` shortcodes. A stored value
(a site setting, a name, a LEAD id, an error message quoting what was typed) goes into such a
string only through `plain`, which makes every character render as itself.
"""

from __future__ import annotations

import re

# Checked against Streamlit 1.67's markdown renderer (StreamlitMarkdown.js: remark-gfm,
# remark-directive, remark-math, its own icon and emoji steps) and in Chromium
# (tests/stories/test_browser_markdown.py). A backslash before ASCII punctuation makes it literal
# (CommonMark). Escaped everywhere: emphasis, strike and code (* _ ~ `), links, images and
# directive labels ([ ]), attributes ({ }), HTML and <autolinks> (< >), KaTeX ($: Streamlit
# skips an escaped dollar when it looks for maths), @, entities (&: `&#58;` would make a
# colon), "/" (Streamlit turns ":material/" into an icon before parsing, escaped or not) and
# the backslash itself.
_ALWAYS = re.compile(r"([\\`*_~\[\]{}<>$@&/])")
# A colon starts a directive (:red[x]), an emoji (:smile:) or an autolink (http://) only when
# something follows it at once: "Reason: required" keeps its colon as typed. The colon that
# closes a shortcode is escaped too: Streamlit loads its emoji step when the source holds
# ":word:" (escaped or not) and then swaps the parsed text.
_COLON = re.compile(r":(?=\S)")
_CLOSING = re.compile(r"(\\:[\w+-]+):")
# A heading, quote or list marker only starts a line.
_LEADING = re.compile(r"^([#>+\-=|])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
# Found in the parsed text, where a backslash no longer counts, so an invisible word joiner
# breaks them: web and email autolinks (remark-gfm: "http://", "www.", "a@b.c") and the
# ":streamlit:" logo. They read the same; a copy holds the joiner.
JOINER = "\u2060"
_AFTER_TEXT = re.compile(r"(?i)(https?(?=://)|www(?=\.)|@|:(?=streamlit:))")


def plain(value: object) -> str:
    r"""`value` as text that Streamlit's markdown shows literally; ordinary sentences unchanged.

    >>> print(plain("**b** :red[x] $x^2$ [l](e.x) :material/home: :smile:"))
    \*\*b\*\* \:red\[x\] \$x^2\$ \[l\](e.x) \:material\/home: \:smile\:
    >>> plain("www.e.x") == "www" + JOINER + ".e.x"
    True
    >>> plain("Reason: required (the date the release ends).")
    'Reason: required (the date the release ends).'
    >>> plain(None)
    ''
    """
    if value is None:
        return ""
    # A line break would start a new block (a heading, a list, a quote, a table): keep one
    # line; leading spaces would make a code block.
    text = " ".join(str(value).splitlines()).strip()
    text = _AFTER_TEXT.sub(lambda found: found.group(1) + JOINER, text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _COLON.sub(r"\\:", text)
    text = _CLOSING.sub(r"\1\\:", text)
    text = _LEADING.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)
