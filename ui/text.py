"""Stored and typed text inside Streamlit's markdown strings (SECURITY 19, 32).

Labels, `help=`, captions, headings, toasts and st.success/error/info/warning bodies are all
markdown in Streamlit 1.67: bold, `:red[colour]`, `$KaTeX$`, links, `www.` autolinks, external
images (a beacon in every viewer's browser) and `:material/icon:` shortcodes. A stored value
(a site setting, a name, a LEAD id, an error message quoting what was typed) goes into such a
string only through `plain`, which makes every character render as itself.
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, and the escaped character is then
# literal text. Escaping all of it closes emphasis, links, images, autolinks (`www\.`,
# `http\:`), HTML, headings and lists; `\$` is what Streamlit's KaTeX detection skips; `\:`
# stops colour, badge and `:material/...:` directives and leaves no `:word:` emoji shortcode.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def plain(value: object) -> str:
    r"""`value` as text that Streamlit's markdown shows literally.

    >>> print(plain("**b** :red[x] $x^2$ [l](http://e.x) www.e.x"))
    \*\*b\*\* \:red\[x\] \$x\^2\$ \[l\]\(http\:\/\/e\.x\) www\.e\.x
    >>> plain(None)
    ''
    """
    if value is None:
        return ""
    # A line break would start a new block (a heading, a list, a quote): keep one line.
    text = " ".join(str(value).splitlines())
    return _PUNCTUATION.sub(r"\\\1", text)
