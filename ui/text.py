"""Stored text made safe for Streamlit's markdown (headings, labels, captions): SECURITY 19, 32.

Streamlit renders markdown in every heading, label and caption: bold, colour (`:red[x]`), KaTeX
(`$x$`), icons (`:material/home:`), links, images and bare addresses (`www.e.x`, `a@e.x`).
`plain` backslash-escapes every ASCII punctuation mark (CommonMark allows it for all of them) and
puts a zero-width space where GFM would start an autolink, which escaping does not stop
(checked in Streamlit 1.67 in Chromium).
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_AUTOLINK = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?=@)")
_ZWSP = "\u200b"


def plain(text: object) -> str:
    r"""Stored or typed text, shown literally wherever Streamlit reads markdown.

    >>> plain("**Avery** :red[x]")
    '\\*\\*Avery\\*\\* \\:red\\[x\\]'
    >>> plain("www.e.x") == "www\u200b\\.e\\.x"
    True
    """
    flat = " ".join(str(text).split())  # one line: a newline would start a new block
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_ZWSP, flat))
