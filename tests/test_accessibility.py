"""Every page meets WCAG 2.1 AA as axe-core measures it: no serious or critical violation."""

import pytest

from demo.seed import seed_demo
from tests.browser import app_server
from tests.checks_accessibility import axe_scan, demo_users_by_role

pytestmark = pytest.mark.browser


def test_every_page_has_no_serious_accessibility_violation(db_url, engine):
    seed_demo(engine)
    with app_server(db_url) as base:
        result = axe_scan(base, demo_users_by_role(), every_role=False)
    from services.access.policy import PAGES

    assert result["pages"] == len(PAGES)
    assert result["violations"] == []
