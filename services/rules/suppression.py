"""Small-cell suppression for public report-back rows (SECURITY 22).

Pure rules over plain dicts, standard library only, so pages and exports can share them; the
contract imports `suppress` as `services.reports.suppress` (CONTRACTS.md).

The onlooker these rules defend against (the contract's model): they see the published row,
know that every hidden (``None``) cell is a whole number of at least 1, and, when the total is
published, know that the cells add up to it. A cell is "worked out" when those facts leave it
exactly one possible value.

Stronger threat, not covered here: an onlooker who also knows the rule itself knows that a
primary-hidden cell is at most threshold-1 and that a hidden total is at most threshold-1.
That can still narrow or pin a hidden cell: ten hidden cells under a hidden total with the
default threshold must all be 1. Closing that needs interval (protection-range) auditing
over the published tables, which the contract does not ask for.

Under the contract's model one secondary cell is always enough: once any cell is primary
hidden the threshold is at least 2, so adding a shown cell (>= threshold) leaves k >= 2
hidden cells whose sum exceeds k.
"""

from __future__ import annotations

TOTAL_KEY = "total"
DEFAULT_THRESHOLD = 11  # SECURITY 22: site setting, default 11


def suppress(table: dict[str, int], threshold: int = DEFAULT_THRESHOLD) -> dict[str, int | None]:
    """Hide small counts in one row, plus whatever would let them be worked out from the total.

    Cells from 1 to threshold-1 become ``None``; zero stays 0. A ``"total"`` key must equal the
    sum of the other cells; it is ``None`` when it is from 1 to threshold-1. When the total is
    shown, the smallest shown non-zero cell (ties: the earlier key) is hidden too until no hidden
    cell has a single possible value. Keys and their order are kept. Raises ``ValueError``
    naming the offending key for bad input.

    >>> suppress({"a": 5, "b": 20, "c": 30, "total": 55})
    {'a': None, 'b': None, 'c': 30, 'total': 55}
    >>> suppress({"a": 0, "b": 3, "c": 40})
    {'a': 0, 'b': None, 'c': 40}
    """
    return _suppress(table, threshold, forced=frozenset())


def suppress_with_previous(
    current: dict[str, int],
    previous_published: dict[str, int | None] | None,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, int | None]:
    """Suppress a cumulative row so it cannot be differenced against last period's row.

    For cumulative figures only (year-to-date, since-launch): there ``current - previous`` for
    a key is the count added this period, so an onlooker holding both published rows learns it.
    Callers use this for cumulative rows; rows of disjoint periods go through ``suppress``.

    Model: the onlooker subtracts the previous published value of a key from the current one,
    for every key (``"total"`` included) shown in both rows. Any such difference whose size is
    from 1 to threshold-1 (a negative one means a correction and is treated alike) hides the
    current cell; ``suppress`` then reruns with those cells hidden, secondary suppression
    included, until no shown pair differs by a small amount. Not covered: bounds from
    monotonicity combined with hidden-cell sums across the two rows, and rows older than
    ``previous_published`` (callers wanting that pass, per key, the last value they published).

    ``previous_published`` has the same keys as ``current`` with published values or ``None``;
    ``None`` for the whole row means no earlier period, and this equals ``suppress``.

    >>> suppress_with_previous({"a": 25, "b": 40}, {"a": 20, "b": 25})
    {'a': None, 'b': 40}
    >>> suppress_with_previous(
    ...     {"a": 25, "b": 40, "c": 60, "total": 125}, {"a": 20, "b": 25, "c": 45, "total": 90}
    ... )
    {'a': None, 'b': None, 'c': 60, 'total': 125}
    """
    if previous_published is None:
        return suppress(current, threshold)
    published = suppress(current, threshold)  # validates current and threshold first
    _check_previous(current, previous_published)
    forced: set[str] = set()
    while True:
        differenced = {
            key
            for key, value in published.items()
            if value is not None
            and previous_published[key] is not None
            and 1 <= abs(value - previous_published[key]) < threshold
        }
        if not differenced:
            return published
        # A shown zero differs from a shown previous value by 0 or >= threshold, so it is never
        # forced; forced cells are non-zero, as the onlooker model in _suppress needs.
        forced |= differenced
        published = _suppress(current, threshold, forced=frozenset(forced))


def suppress_against(
    current: dict[str, int],
    published: list[dict[str, int | None]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    hide: frozenset[str] | set[str] = frozenset(),
) -> dict[str, int | None]:
    """``suppress_with_previous`` against every row published for other periods, in any order.

    Differencing is symmetric: publishing a stock row (active participants, their make-up) for
    a period next to any other period's published row lets an onlooker subtract the two, so a
    shown cell must differ from every shown value of the same key in ``published`` by 0 or by
    at least ``threshold``. Keys missing from an earlier row are skipped (rows gain categories
    over time). ``hide`` names cells to hide from the start (e.g. a population total that is
    hidden elsewhere in the same report), secondary suppression included; a hidden total keeps
    a non-zero cell hidden with it, so that the shown cells do not add up to it. A forced zero cell
    may be hidden too: the onlooker then knows only that each hidden cell is at least 0, and
    with two or more hidden cells none is pinned.

    >>> suppress_against({"a": 25, "b": 40}, [{"a": 20, "b": 25}, {"a": 40, "b": None}])
    {'a': None, 'b': 40}
    >>> suppress_against({"a": 30, "b": 12, "total": 42}, [], hide={"total"})
    {'a': 30, 'b': None, 'total': None}
    """
    _check_threshold(threshold)
    _check_row(current)
    for row in published:
        if not isinstance(row, dict):
            raise ValueError(f"published rows must be dicts, got {type(row).__name__}")  # noqa: TRY004
    unknown = set(hide) - set(current)
    if unknown:
        raise ValueError(f"hide names keys the row lacks: {sorted(unknown)!r}")
    forced = set(hide)
    while True:
        result = _suppress(current, threshold, forced=frozenset(forced))
        differenced = {
            key
            for key, value in result.items()
            if value is not None
            and any(
                isinstance(row.get(key), int) and 1 <= abs(value - row[key]) < threshold
                for row in published
            )
        }
        if not differenced:
            return result
        forced |= differenced


def _suppress(
    table: dict[str, int], threshold: int, forced: frozenset[str]
) -> dict[str, int | None]:
    """``suppress`` with the keys in ``forced`` (cells or the total) hidden as well.

    ``suppress_with_previous`` only forces non-zero cells; ``suppress_against`` may force a
    zero, which only makes the onlooker's bounds looser (see its docstring).
    """
    _check_threshold(threshold)
    _check_row(table)
    cells = {key: value for key, value in table.items() if key != TOTAL_KEY}
    hidden = {key for key, value in cells.items() if 1 <= value < threshold or key in forced}
    total_shown = (
        TOTAL_KEY in table and not 1 <= table[TOTAL_KEY] < threshold and TOTAL_KEY not in forced
    )
    # A hidden total publishes no sum, so with the contract's onlooker nothing follows from it.
    while total_shown and not _is_safe([cells[key] for key in hidden]):
        shown_non_zero = [key for key in cells if key not in hidden and cells[key] != 0]
        if not shown_non_zero:
            # Every non-zero cell is already hidden and all are 1 (e.g. eleven 1s, total 11):
            # only hiding the total protects them.
            total_shown = False
            break
        # min() keeps the first of equal values, so ties go to the earlier key.
        hidden.add(min(shown_non_zero, key=cells.__getitem__))
    non_zero = [key for key in cells if cells[key] != 0]
    if TOTAL_KEY in forced and non_zero and not hidden.intersection(non_zero):
        # A forced-hidden total stays hidden only while some non-zero cell is: otherwise the
        # shown cells add up to it (e.g. cells that moved far in opposite directions since the
        # previous period while their total moved a little).
        hidden.add(min(non_zero, key=cells.__getitem__))
    return {
        key: None if key in hidden or (key == TOTAL_KEY and not total_shown) else value
        for key, value in table.items()
    }


def _is_safe(hidden_values: list[int]) -> bool:
    """True when, knowing their sum and that each is >= 1, no hidden value is pinned down.

    One hidden cell equals the sum. With k >= 2 cells each lies in 1..sum-(k-1), which is a
    single value exactly when sum == k, i.e. every hidden cell is 1.
    """
    count = len(hidden_values)
    if count == 0:
        return True
    if count == 1:
        return False
    return sum(hidden_values) > count


def _check_threshold(threshold: object) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be an int of at least 1, got {threshold!r}")


# The contract asks for ValueError on every bad input, so callers catch one type (hence TRY004).
def _check_row(table: object) -> None:
    if not isinstance(table, dict):
        raise ValueError(f"table must be a dict, got {type(table).__name__}")  # noqa: TRY004
    for key, value in table.items():
        if not isinstance(key, str):
            raise ValueError(f"key {key!r} must be a str")  # noqa: TRY004
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"cell {key!r} must be a non-negative int, got {value!r}")
    if TOTAL_KEY in table:
        cells_sum = sum(value for key, value in table.items() if key != TOTAL_KEY)
        if table[TOTAL_KEY] != cells_sum:
            raise ValueError(
                f"cell {TOTAL_KEY!r} is {table[TOTAL_KEY]} but the other cells sum to {cells_sum}"
            )


def _check_previous(current: dict[str, int], previous: object) -> None:
    if not isinstance(previous, dict):
        raise ValueError(  # noqa: TRY004
            f"previous_published must be a dict or None, got {type(previous).__name__}"
        )
    for key in current:
        if key not in previous:
            raise ValueError(f"previous_published lacks key {key!r}")
    for key, value in previous.items():
        if key not in current:
            raise ValueError(f"previous_published has key {key!r} that current lacks")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError(
                f"previous_published cell {key!r} must be None or a non-negative int, got {value!r}"
            )
