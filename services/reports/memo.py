"""Results that change only when the data does, kept per process against the audit chain's head.

Every change the app makes appends a row to the audit chain inside the change's own transaction
(SECURITY 8, `services.core.audit.append`), so the chain's head (row count, last hash) names one
state of the data: a figure computed at one head is still right at that head. A page that aggregates
years of history (Funder reports' 12-month summary) is computed once per state instead of on
every rerun. The head is read before the figures, so a change that lands in between can only
make a stored result newer than its key, never older. Writes that bypass the app (the scale
generator, `services.ops.admin restore`) are followed by a server restart, which empties this.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import Engine

from services.core import audit

T = TypeVar("T")


class AuditKeyedCache:
    """A small LRU of results keyed by (database, audit head, arguments); hands out copies."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, engine: Engine, key: Hashable, compute: Callable[[], T]) -> T:
        full = (engine.url.render_as_string(hide_password=True), audit.head(engine), key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                self.hits += 1
                return copy.deepcopy(self._entries[full])
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[full] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return copy.deepcopy(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0
