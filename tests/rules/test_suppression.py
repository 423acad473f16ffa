"""Table tests for small-cell suppression (SECURITY 22; the contract imports it as
`services.reports.suppress`, see tests/test_contracts.py)."""

import random

import pytest

from services.rules import suppression
from services.rules.suppression import suppress, suppress_with_previous

N = None  # a hidden cell, short so the tables line up

SUPPRESS_CASES = [
    # No total: only the small cells go.
    pytest.param(
        {"a": 5, "b": 20, "c": 0},
        11,
        {"a": N, "b": 20, "c": 0},
        id="without-a-total-only-small-cells-are-hidden",
    ),
    pytest.param(
        {"a": 12, "b": 40},
        11,
        {"a": 12, "b": 40},
        id="without-a-total-large-cells-are-all-shown",
    ),
    pytest.param(
        {"a": 1, "b": 2},
        11,
        {"a": N, "b": N},
        id="without-a-total-every-small-cell-is-hidden",
    ),
    # Zeros.
    pytest.param(
        {"a": 0, "b": 0, "total": 0},
        11,
        {"a": 0, "b": 0, "total": 0},
        id="an-all-zero-row-is-shown-as-zeros",
    ),
    pytest.param(
        {"a": 0, "b": 3, "c": 40, "total": 43},
        11,
        {"a": 0, "b": N, "c": N, "total": 43},
        id="a-zero-cell-stays-zero-and-is-never-picked-for-secondary-suppression",
    ),
    pytest.param({"total": 0}, 11, {"total": 0}, id="a-row-holding-only-a-zero-total-is-shown"),
    pytest.param({}, 11, {}, id="an-empty-table-gives-an-empty-row"),
    # Threshold boundaries.
    pytest.param({"a": 10}, None, {"a": N}, id="ten-is-hidden-with-the-default-threshold"),
    pytest.param({"a": 11}, None, {"a": 11}, id="eleven-is-shown-with-the-default-threshold"),
    pytest.param({"a": 1}, None, {"a": N}, id="one-is-hidden-with-the-default-threshold"),
    pytest.param(
        {"a": 4, "b": 5},
        5,
        {"a": N, "b": 5},
        id="a-custom-threshold-of-five-hides-four-and-shows-five",
    ),
    pytest.param(
        {"a": 19, "b": 20},
        20,
        {"a": N, "b": 20},
        id="a-custom-threshold-of-twenty-hides-nineteen",
    ),
    pytest.param(
        {"a": 1, "b": 2, "total": 3},
        1,
        {"a": 1, "b": 2, "total": 3},
        id="a-threshold-of-one-hides-nothing",
    ),
    # Primary suppression alone when the hidden cells are already safe.
    pytest.param(
        {"a": 5, "b": 6, "c": 30, "total": 41},
        11,
        {"a": N, "b": N, "c": 30, "total": 41},
        id="two-small-cells-that-are-not-both-one-need-no-secondary-cell",
    ),
    pytest.param(
        {"a": 5, "b": 6, "c": 7, "total": 18},
        11,
        {"a": N, "b": N, "c": N, "total": 18},
        id="all-cells-small-under-a-large-total-are-hidden-and-the-total-shown",
    ),
    pytest.param(
        {"a": 1, "b": 2, "c": 30, "total": 33},
        11,
        {"a": N, "b": N, "c": 30, "total": 33},
        id="a-one-and-a-two-hidden-together-leave-each-two-possible-values",
    ),
    # Secondary suppression.
    pytest.param(
        {"a": 5, "b": 20, "c": 30, "total": 55},
        11,
        {"a": N, "b": N, "c": 30, "total": 55},
        id="one-small-cell-under-a-shown-total-takes-the-smallest-other-cell-with-it",
    ),
    pytest.param(
        {"a": 5, "b": 50, "c": 12, "total": 67},
        11,
        {"a": N, "b": 50, "c": N, "total": 67},
        id="the-secondary-cell-is-the-smallest-not-the-first",
    ),
    pytest.param(
        {"a": 1, "b": 1, "c": 50, "total": 52},
        11,
        {"a": N, "b": N, "c": N, "total": 52},
        id="two-hidden-ones-would-each-be-pinned-so-a-third-cell-is-hidden",
    ),
    pytest.param(
        {"a": 1, "b": 1, "c": 1, "d": 40, "e": 50, "total": 93},
        11,
        {"a": N, "b": N, "c": N, "d": N, "e": 50, "total": 93},
        id="three-hidden-ones-take-only-the-smallest-large-cell-with-them",
    ),
    pytest.param(
        {"a": 5, "b": 30, "c": 20, "d": 20, "total": 75},
        11,
        {"a": N, "b": 30, "c": N, "d": 20, "total": 75},
        id="equal-smallest-cells-are-broken-by-key-order",
    ),
    pytest.param(
        {"z": 5, "y": 20, "x": 20, "total": 45},
        11,
        {"z": N, "y": N, "x": 20, "total": 45},
        id="ties-go-to-the-earlier-key-in-the-row-not-the-alphabetically-first",
    ),
    pytest.param(
        {"a": 3, "b": 0, "c": 12, "d": 15, "total": 30},
        11,
        {"a": N, "b": 0, "c": N, "d": 15, "total": 30},
        id="secondary-suppression-skips-a-zero-even-though-it-is-smaller",
    ),
    # The total itself.
    pytest.param(
        {"a": 3, "b": 4, "total": 7},
        11,
        {"a": N, "b": N, "total": N},
        id="a-small-total-is-hidden",
    ),
    pytest.param(
        {"a": 0, "b": 7, "total": 7},
        11,
        {"a": 0, "b": N, "total": N},
        id="a-small-total-equal-to-one-cell-is-hidden-with-it",
    ),
    pytest.param(
        {"a": 10, "b": 0, "total": 10},
        None,
        {"a": N, "b": 0, "total": N},
        id="a-total-of-ten-is-hidden-with-the-default-threshold",
    ),
    pytest.param(
        {"a": 1, "b": 1, "c": 1, "total": 3},
        3,
        {"a": N, "b": N, "c": N, "total": N},
        id="when-every-non-zero-cell-is-a-hidden-one-the-total-is-hidden-too",
    ),
    pytest.param(
        {**{f"c{i}": 1 for i in range(11)}, "z": 0, "total": 11},
        None,
        {**{f"c{i}": N for i in range(11)}, "z": 0, "total": N},
        id="eleven-ones-under-a-total-of-eleven-hide-the-total",
    ),
    # Key order.
    pytest.param(
        {"total": 55, "c": 30, "a": 5, "b": 20},
        11,
        {"total": 55, "c": 30, "a": N, "b": N},
        id="a-total-placed-first-stays-first",
    ),
    pytest.param(
        {"b": 40, "total": 52, "a": 12},
        11,
        {"b": 40, "total": 52, "a": 12},
        id="a-total-placed-in-the-middle-stays-in-the-middle",
    ),
]


def _call_suppress(table, threshold):
    return suppress(table) if threshold is None else suppress(table, threshold)


@pytest.mark.parametrize(("table", "threshold", "expected"), SUPPRESS_CASES)
def test_suppress_publishes_the_expected_row_in_the_same_key_order(table, threshold, expected):
    assert list(_call_suppress(table, threshold).items()) == list(expected.items())


def test_suppress_leaves_its_input_unchanged():
    table = {"a": 5, "b": 20, "c": 30, "total": 55}
    suppress(table)
    assert table == {"a": 5, "b": 20, "c": 30, "total": 55}


@pytest.mark.parametrize(
    ("table", "threshold", "message"),
    [
        pytest.param([("a", 1)], 11, "table must be a dict", id="a-list-of-pairs-is-not-a-table"),
        pytest.param(None, 11, "table must be a dict", id="none-is-not-a-table"),
        pytest.param({"a": "5"}, 11, "'a'", id="a-string-count-is-rejected-naming-its-key"),
        pytest.param({"a": 5.0}, 11, "'a'", id="a-float-count-is-rejected-naming-its-key"),
        pytest.param(
            {"a": 5, "b": -1},
            11,
            "'b'",
            id="a-negative-count-is-rejected-naming-its-key",
        ),
        pytest.param({"flag": True}, 11, "'flag'", id="a-bool-count-is-rejected-naming-its-key"),
        pytest.param({"a": None}, 11, "'a'", id="an-already-hidden-cell-is-not-valid-input"),
        pytest.param({1: 5}, 11, "key 1", id="a-non-string-key-is-rejected-naming-it"),
        pytest.param(
            {"a": 5, "b": 20, "total": 26},
            11,
            "'total'",
            id="a-total-that-is-not-the-sum-is-rejected",
        ),
        pytest.param({"total": 5}, 11, "'total'", id="a-non-zero-total-without-cells-is-rejected"),
        pytest.param({"a": 5, "total": -5}, 11, "'total'", id="a-negative-total-is-rejected"),
        pytest.param({"a": 5}, 0, "threshold", id="a-threshold-of-zero-is-rejected"),
        pytest.param({"a": 5}, -3, "threshold", id="a-negative-threshold-is-rejected"),
        pytest.param({"a": 5}, True, "threshold", id="a-bool-threshold-is-rejected"),
        pytest.param({"a": 5}, 11.0, "threshold", id="a-float-threshold-is-rejected"),
    ],
)
def test_suppress_rejects_bad_input_with_a_message_naming_the_culprit(table, threshold, message):
    with pytest.raises(ValueError, match=message):
        suppress(table, threshold)


# Cross-period differencing: cumulative rows, previous row as it was published.
PREVIOUS_CASES = [
    pytest.param(
        {"a": 5, "b": 20, "c": 30, "total": 55},
        None,
        11,
        {"a": N, "b": N, "c": 30, "total": 55},
        id="with-no-previous-row-it-is-plain-suppression",
    ),
    pytest.param({"a": 30}, {"a": 20}, 11, {"a": N}, id="a-cell-that-grew-by-ten-is-hidden"),
    pytest.param({"a": 31}, {"a": 20}, 11, {"a": 31}, id="a-cell-that-grew-by-eleven-is-shown"),
    pytest.param({"a": 21}, {"a": 20}, 11, {"a": N}, id="a-cell-that-grew-by-one-is-hidden"),
    pytest.param({"a": 20}, {"a": 20}, 11, {"a": 20}, id="a-cell-that-did-not-change-is-shown"),
    pytest.param({"a": 25}, {"a": 30}, 11, {"a": N}, id="a-cell-corrected-down-by-five-is-hidden"),
    pytest.param(
        {"a": 0},
        {"a": 12},
        11,
        {"a": 0},
        id="a-cell-corrected-to-zero-from-twelve-stays-zero",
    ),
    pytest.param(
        {"a": 15, "b": 30},
        {"a": N, "b": 12},
        11,
        {"a": 15, "b": 30},
        id="a-previously-hidden-cell-is-not-differenced",
    ),
    pytest.param(
        {"a": 24, "b": 40},
        {"a": 20, "b": 30},
        5,
        {"a": N, "b": 40},
        id="a-custom-threshold-sets-what-a-small-difference-is",
    ),
    pytest.param(
        {"a": 25, "b": 40, "c": 60, "total": 125},
        {"a": 20, "b": 25, "c": 45, "total": 90},
        11,
        {"a": N, "b": N, "c": 60, "total": 125},
        id="a-differenced-cell-under-a-shown-total-takes-a-secondary-cell-with-it",
    ),
    pytest.param(
        {"a": 20, "b": 35, "total": 55},
        {"a": 20, "b": 30, "total": 50},
        11,
        {"a": 20, "b": N, "total": N},
        id="a-total-that-grew-by-a-small-amount-is-hidden",
    ),
    pytest.param(
        {"a": 25, "b": 30, "c": 50, "total": 105},
        {"a": 20, "b": 30, "c": 40, "total": 90},
        11,
        {"a": N, "b": 30, "c": N, "total": 105},
        id="two-differenced-cells-protect-each-other-without-a-secondary-cell",
    ),
    pytest.param(
        {"p": 14, "q": 8, "b": 13, "c": 30, "total": 65},
        {"p": N, "q": N, "b": 12, "c": 25, "total": 48},
        11,
        {"p": 14, "q": N, "b": N, "c": N, "total": 65},
        id="a-cell-shown-again-when-secondary-suppression-is-rerun-is-differenced-too",
    ),
    pytest.param(
        {"a": 40, "b": 15, "total": 55},
        {"a": 20, "b": 30, "total": 50},
        11,
        {"a": 40, "b": N, "total": N},
        id="a-total-that-moved-a-little-while-its-cells-moved-far-keeps-a-cell-hidden-too",
    ),
    pytest.param(
        {"total": 40, "b": 25, "a": 15},
        {"total": 30, "b": 20, "a": 10},
        11,
        {"total": N, "b": N, "a": N},
        id="key-order-is-kept-across-periods",
    ),
]


@pytest.mark.parametrize(("current", "previous", "threshold", "expected"), PREVIOUS_CASES)
def test_suppress_with_previous_publishes_the_expected_row(current, previous, threshold, expected):
    result = suppress_with_previous(current, previous, threshold)
    assert list(result.items()) == list(expected.items())


@pytest.mark.parametrize(
    ("current", "previous", "threshold", "message"),
    [
        pytest.param(
            {"a": 12, "b": 15},
            {"a": 12},
            11,
            "lacks key 'b'",
            id="a-previous-row-missing-a-key-is-rejected",
        ),
        pytest.param(
            {"a": 12},
            {"a": 12, "z": 3},
            11,
            "key 'z'",
            id="a-previous-row-with-an-extra-key-is-rejected",
        ),
        pytest.param({"a": 12}, {"a": -1}, 11, "'a'", id="a-negative-previous-cell-is-rejected"),
        pytest.param({"a": 12}, {"a": True}, 11, "'a'", id="a-bool-previous-cell-is-rejected"),
        pytest.param({"a": 12}, {"a": "12"}, 11, "'a'", id="a-string-previous-cell-is-rejected"),
        pytest.param(
            {"a": 12},
            [("a", 12)],
            11,
            "previous_published must be a dict",
            id="a-previous-list-is-rejected",
        ),
        pytest.param(
            {"a": -2},
            {"a": 12},
            11,
            "'a'",
            id="a-bad-current-row-is-rejected-as-in-suppress",
        ),
        pytest.param(
            {"a": 12},
            {"a": 12},
            0,
            "threshold",
            id="a-bad-threshold-is-rejected-with-a-previous-row",
        ),
    ],
)
def test_suppress_with_previous_rejects_bad_input_naming_the_culprit(
    current, previous, threshold, message
):
    with pytest.raises(ValueError, match=message):
        suppress_with_previous(current, previous, threshold)


# Property-style checks: fixed-seed random tiny tables and a brute-force onlooker.


def _possible_hidden_values(published):
    """Every value each hidden cell can take, to an onlooker who knows the shown total and cells
    and that each hidden cell is at least 1: found by trying every whole-number assignment."""
    hidden = [key for key, value in published.items() if key != "total" and value is None]
    shown_sum = sum(
        value for key, value in published.items() if key != "total" and value is not None
    )
    remaining = published["total"] - shown_sum
    possible = {key: set() for key in hidden}

    def assign(index, left, chosen):
        if index == len(hidden):
            if left == 0:
                for key, value in zip(hidden, chosen, strict=True):
                    possible[key].add(value)
            return
        for value in range(1, left + 1):
            assign(index + 1, left - value, [*chosen, value])

    assign(0, remaining, [])
    return possible


def _pinned_cells(published):
    """Hidden cells an onlooker can work out exactly (the total must be shown)."""
    return {key for key, values in _possible_hidden_values(published).items() if len(values) <= 1}


def _random_table(rng, threshold):
    size = rng.randint(0, 4)
    pool = [0, 1, 1, 2, threshold - 1, threshold, threshold + 1]
    cells = {
        f"k{index}": rng.choice(pool) if rng.random() < 0.5 else rng.randint(0, 2 * threshold)
        for index in rng.sample(range(9), size)
    }
    cells = {key: max(value, 0) for key, value in cells.items()}
    if rng.random() < 0.75:
        items = list(cells.items())
        items.insert(rng.randint(0, len(items)), ("total", sum(cells.values())))
        cells = dict(items)
    return cells


def test_random_tables_never_show_a_small_count_or_let_a_hidden_cell_be_worked_out():
    rng = random.Random(20240622)
    checked_with_total_and_hidden = 0
    secondary_seen = 0
    for _ in range(3000):
        threshold = rng.choice([1, 2, 3, 5, 11])
        table = _random_table(rng, threshold)
        published = suppress(table, threshold)

        assert list(published) == list(table), table
        for key, value in published.items():
            if value is not None:
                assert value == table[key], table
                assert not 1 <= value < threshold, table
            else:
                assert table[key] != 0, table
        if published.get("total") is None:
            continue
        hidden = [key for key, value in published.items() if value is None]
        if not hidden:
            continue
        checked_with_total_and_hidden += 1
        assert _pinned_cells(published) == set(), (table, threshold, published)

        # As few as needed: showing any secondary cell again would pin some hidden cell,
        # and each secondary cell is the smallest shown one (earlier key on a tie).
        secondary = [key for key in hidden if table[key] >= threshold]
        secondary_seen += bool(secondary)
        for key in secondary:
            assert _pinned_cells({**published, key: table[key]}), (
                table,
                threshold,
                published,
            )
            for other, value in published.items():
                if other != "total" and value not in (None, 0):
                    assert (table[key], list(table).index(key)) < (
                        value,
                        list(table).index(other),
                    ), table
    # The checks above must actually have run on enough interesting tables.
    assert checked_with_total_and_hidden > 300
    assert secondary_seen > 100


def test_a_hidden_total_is_hidden_only_when_small_or_when_showing_it_would_pin_a_cell():
    rng = random.Random(7)
    fallback_seen = 0
    for _ in range(3000):
        threshold = rng.choice([2, 3, 5])
        table = _random_table(rng, threshold)
        published = suppress(table, threshold)
        if "total" not in table or published["total"] is not None:
            continue
        if table["total"] >= threshold:
            fallback_seen += 1
            assert _pinned_cells({**published, "total": table["total"]}), (
                table,
                threshold,
            )
        else:
            assert 1 <= table["total"] < threshold
    assert fallback_seen > 10


def test_random_cumulative_rows_cannot_be_differenced_against_the_previous_period():
    rng = random.Random(99)
    differenced_seen = 0
    for _ in range(1500):
        threshold = rng.choice([2, 3, 5, 11])
        start = _random_table(rng, threshold)
        previous_published = None
        for _period in range(3):
            growth = {
                key: rng.choice([0, 0, 1, threshold - 1, threshold, 2 * threshold]) for key in start
            }
            raw = {key: value + growth[key] for key, value in start.items() if key != "total"}
            current = {key: sum(raw.values()) if key == "total" else raw[key] for key in start}
            published = suppress_with_previous(current, previous_published, threshold)

            assert list(published) == list(current)
            for key, value in published.items():
                if value is not None:
                    assert value == current[key]
                    assert not 1 <= value < threshold
                    if previous_published is not None and previous_published[key] is not None:
                        assert not 1 <= abs(value - previous_published[key]) < threshold
                if value is None and previous_published is not None:
                    plain = suppress(current, threshold)
                    differenced_seen += plain[key] is not None
            if published.get("total") is not None:
                assert _pinned_cells(published) == set(), (
                    current,
                    previous_published,
                    published,
                )
            previous_published, start = published, current
    assert differenced_seen > 100


# Every other published period, in any order (stock rows of the report-back, SECURITY 22).
AGAINST_CASES = [
    pytest.param(
        {"a": 25, "b": 40},
        [],
        11,
        set(),
        {"a": 25, "b": 40},
        id="with-nothing-published-it-is-plain-suppression",
    ),
    pytest.param(
        {"a": 25, "b": 40},
        [{"a": 40, "b": 40}, {"a": 20, "b": 12}],
        11,
        set(),
        {"a": N, "b": 40},
        id="a-cell-close-to-an-older-period-is-hidden-even-when-the-newest-is-far",
    ),
    pytest.param(
        {"a": 25},
        [{"a": 36}],
        11,
        set(),
        {"a": 25},
        id="a-later-period-eleven-away-is-fine",
    ),
    pytest.param(
        {"a": 25},
        [{"a": 35}],
        11,
        set(),
        {"a": N},
        id="a-later-period-published-first-is-differenced-too",
    ),
    pytest.param(
        {"a": 25, "b": 30, "total": 55},
        [{"a": N, "b": 12, "total": N}],
        11,
        set(),
        {"a": 25, "b": 30, "total": 55},
        id="hidden-cells-of-another-period-are-not-differenced",
    ),
    pytest.param(
        {"a": 25, "b": 30},
        [{"b": 28}],
        11,
        set(),
        {"a": 25, "b": N},
        id="a-key-missing-from-another-period-is-skipped",
    ),
    pytest.param(
        {"a": 30, "b": 12, "total": 42},
        [],
        11,
        {"total"},
        {"a": 30, "b": N, "total": N},
        id="a-total-hidden-elsewhere-is-hidden-here-with-a-cell-so-the-cells-do-not-add-up",
    ),
    pytest.param(
        {"a": 30, "b": 3, "total": 33},
        [],
        11,
        {"a"},
        {"a": N, "b": N, "total": 33},
        id="a-forced-cell-and-a-small-cell-protect-each-other-under-the-total",
    ),
    pytest.param(
        {"a": 0, "b": 40},
        [{"a": 7, "b": 40}],
        11,
        set(),
        {"a": N, "b": 40},
        id="a-zero-next-to-a-small-number-published-under-a-lower-threshold-is-hidden",
    ),
    pytest.param(
        {"a": 40, "b": 35, "c": 25, "total": 100},
        [{"a": 32, "b": 35, "c": 25, "total": 92}],
        11,
        set(),
        {"a": N, "b": 35, "c": 25, "total": N},
        id="a-grown-cell-and-its-grown-total-hide-with-no-secondary-cell-as-no-sum-is-shown",
    ),
]


@pytest.mark.parametrize(("current", "published", "threshold", "hide", "expected"), AGAINST_CASES)
def test_suppress_against_checks_every_other_published_period(
    current, published, threshold, hide, expected
):
    result = suppression.suppress_against(current, published, threshold, hide=hide)
    assert list(result.items()) == list(expected.items())


@pytest.mark.parametrize(
    ("current", "published", "hide", "message"),
    [
        pytest.param({"a": -1}, [], set(), "'a'", id="a-bad-row-is-rejected-as-in-suppress"),
        pytest.param({"a": 1}, [[("a", 1)]], set(), "dicts", id="a-published-list-is-rejected"),
        pytest.param({"a": 1}, [], {"z"}, "'z'", id="hiding-a-key-the-row-lacks-is-rejected"),
    ],
)
def test_suppress_against_rejects_bad_input_naming_the_culprit(current, published, hide, message):
    with pytest.raises(ValueError, match=message):
        suppression.suppress_against(current, published, 11, hide=hide)


def test_random_stock_rows_never_differ_by_a_small_amount_from_any_published_period():
    rng = random.Random(2026)
    checked = 0
    for _ in range(600):
        threshold = rng.choice([2, 3, 5, 11])
        history: list[dict] = []
        start = _random_table(rng, threshold)
        for _period in range(4):
            raw = {k: max(0, v + rng.randint(-threshold, 2 * threshold)) for k, v in start.items()}
            if "total" in raw:
                raw["total"] = sum(v for k, v in raw.items() if k != "total")
            shown = suppression.suppress_against(raw, history, threshold)
            for key, value in shown.items():
                if value is None:
                    continue
                assert value == raw[key] and not 1 <= value < threshold
                for row in history:
                    if row.get(key) is not None:
                        checked += 1
                        assert not 1 <= abs(value - row[key]) < threshold, (raw, history)
            if shown.get("total") is not None and any(v is None for v in shown.values()):
                assert _pinned_cells(shown) == set(), (raw, shown)
            if shown.get("total") is None and raw.get("total"):
                # A hidden total must not be the sum of shown cells.
                assert any(shown[k] is None for k in raw if k != "total" and raw[k]), (raw, shown)
            rng.shuffle(history)  # order must not matter
            history.append(shown)
    assert checked > 500
