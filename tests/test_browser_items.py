"""Several activities in a real Chromium with JavaScript: answers follow their activity (by ``_id``).

Every order of 2 and 3 activities (Rendah, Menengah Rendah, Menengah Rendah needing UKL-UPL), as
the API and HTML paths run them in tests/test_items_by_id.py: the stored answers and the documents
must be the same as through the API.
"""
import os
from pathlib import Path

import pytest

from .browser_support import skip_without_chromium

skip_without_chromium()


from .conftest import PASSWORD, Api, make_app  # noqa: E402
from .items_browser import (  # noqa: E402
    artifacts,
    fill_environment,
    fill_first_steps,
    finish,
    log_in_and_start,
    open_page,
    served_applicant_app,
)
from .items_scenarios import MR, MRU, ORDERS, R, add_applicant, apply_via_api, check_outcome, order_id, outcome  # noqa: E402


@pytest.mark.parametrize("order", ORDERS, ids=order_id)
def test_activities_in_the_browser_match_the_api(browser, tmp_path, smtp, whatsapp, order):
    screenshots = artifacts(f"browser_items_{order_id(order)}")
    with served_applicant_app(tmp_path / "web", smtp, whatsapp) as (app, base_url):
        page = open_page(browser, base_url)
        log_in_and_start(page)
        fill_first_steps(page, order)
        fill_environment(page, order)
        sid = finish(page, screenshots, order)
        assert page.js_errors == []
        page.context.close()
        via_browser = outcome(app, sid)
    check_outcome(via_browser, order)

    api_app = make_app(tmp_path / "api", smtp, whatsapp)
    add_applicant(api_app)
    api = Api(api_app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    via_api = outcome(api_app, apply_via_api(api, order))
    assert via_browser == via_api
