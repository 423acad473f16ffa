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
# remark-directive, remark-math, its own icon and emoji steps). A backslash before ASCII
# punctuation makes it literal (CommonMark). Escaped everywhere: emphasis, strike and code
# (* _ ~ `), links, images and directive labels ([ ]), attributes ({ }), HTML and <autolinks>
# (< >), KaTeX ($: Streamlit skips an escaped dollar when it looks for maths), email autolinks
# (@), entities (&: `&#58;` would make a colon), "/" (Streamlit turns the text ":material/"
# into an icon before parsing, escaped or not) and the backslash itself.
_ALWAYS = re.compile(r"([\\`*_~\[\]{}<>$@&/])")
# A colon starts a directive (:red[x]), an emoji (:smile:) or an autolink (http://) only when
# something follows it at once: "Reason: required" keeps its colon as typed.
_COLON = re.compile(r":(?=\S)")
# www. starts an autolink; a heading, quote or list marker only starts a line.
_WWW = re.compile(r"(?i)(www)\.")
_LEADING = re.compile(r"^([#>+\-=|])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
# Streamlit swaps the text ":streamlit:" for its logo after parsing, escapes or not: an
# invisible word joiner after the colon breaks the shortcode.
_LOGO = re.compile(r"(?i):(?=streamlit:)")


def plain(value: object) -> str:
    r"""`value` as text that Streamlit's markdown shows literally; ordinary sentences unchanged.

    >>> print(plain("**b** :red[x] $x^2$ [l](http://e.x) www.e.x :material/home:"))
    \*\*b\*\* \:red\[x\] \$x^2\$ \[l\](http\:\/\/e.x) www\.e.x \:material\/home:
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
    text = _LOGO.sub(":\u2060", text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _COLON.sub(r"\\:", text)
    text = _WWW.sub(r"\1\\.", text)
    text = _LEADING.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)
