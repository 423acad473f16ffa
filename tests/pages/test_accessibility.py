"""Every page meets WCAG 2.1 AA as axe-core measures it: no serious or critical violation."""

import pytest

from tests.checks_accessibility import axe_scan, demo_users_by_role

# `db` as before (it took a per-test database then): `make test-postgres` scans on PostgreSQL too.
pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_every_page_has_no_serious_accessibility_violation(server):
    result = axe_scan(server, demo_users_by_role(), every_role=False)
    from services.access.policy import PAGES

    assert result["pages"] == len(PAGES)
    assert result["violations"] == []
