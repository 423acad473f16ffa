"""Progress reporting: the callback the generator calls and a one-line text bar for the terminal."""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[float, str], None]


def text_progress(stream) -> Progress:
    """A one-line text progress bar: `[#########...........]  45% participants and contacts`."""
    started = time.perf_counter()
    last = {"shown": -1}

    def show(fraction: float, label: str) -> None:
        percent = int(fraction * 100)
        if percent == last["shown"] and fraction < 1:
            return
        last["shown"] = percent
        filled = int(fraction * 30)
        bar = "#" * filled + "." * (30 - filled)
        elapsed = time.perf_counter() - started
        end = "\n" if fraction >= 1 else ""
        stream.write(f"\r[{bar}] {percent:3d}% {label:<28} {elapsed:6.1f} s{end}")
        stream.flush()

    return show
