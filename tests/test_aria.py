"""Screen-reader ties on every page (issue 12 §4): each error message is named by its input's (or its group's)
aria-describedby, each option hint by its radio's, and computed results (scale, risk, environmental obligation)
sit in a live region so a change is read out. Checked on the served HTML, pages with and without errors."""
from html.parser import HTMLParser

import pytest

from . import test_permohonan as permit
from .conftest import Api
from .test_permohonan import applicant  # noqa: F401  (fixture)

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track", "param"}


class Page(HTMLParser):
    """Elements with their attributes and the attributes of their ancestors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "_ancestors": list(self.stack)}
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def described_ids(self) -> set[str]:
        return {token for e in self.elements for token in e.get("aria-describedby", "").split()}

    def with_class(self, name: str) -> list[dict]:
        return [e for e in self.elements if name in e.get("class", "").split()]


def untied_errors(html: str) -> list[str]:
    page = Page(html)
    described = page.described_ids()
    return [e.get("id", "(no id)") for e in page.with_class("error-message") if e.get("id") not in described]


def untied_option_hints(html: str) -> list[str]:
    page = Page(html)
    problems = []
    for hint in page.with_class("hint"):
        option = next((a for a in reversed(hint["_ancestors"]) if "data-option" in a), None)
        if option is None:
            continue
        radios = [e for e in page.elements if e["tag"] == "input" and option in e["_ancestors"]]
        if not hint.get("id") or not any(hint["id"] in r.get("aria-describedby", "").split() for r in radios):
            problems.append(f"{option['data-option']}: {hint.get('id') or '(no id)'}")
    return problems


def silent_computed(html: str) -> list[str]:
    page = Page(html)
    return [e["data-computed"] for e in page.elements if "data-computed" in e
            and not any(a.get("aria-live") in ("polite", "assertive") or a.get("role") == "status"
                        for a in [e, *e["_ancestors"]])]


def post_empty(client, path: str, **extra) -> str:
    """Send the page's form with every question left empty (what a browser sends: the hidden inputs)."""
    page = Page(client.get(path).get_data(as_text=True))
    hidden = {e["name"]: e.get("value", "") for e in page.elements
              if e["tag"] == "input" and e.get("type") == "hidden" and e.get("name")}
    response = client.post(path, data={**hidden, **extra})
    assert response.status_code in (200, 400, 422), (path, response.status_code)
    return response.get_data(as_text=True)


def test_registration_steps_tie_errors_and_option_hints(client):
    api = Api(client)
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    html = client.get(f"/isian/{sid}/skala").get_data(as_text=True)
    assert untied_option_hints(html) == []
    assert "data-option" in html and 'class="hint"' in html
    with_errors = post_empty(client, f"/isian/{sid}/skala")
    assert "error-message" in with_errors
    assert untied_errors(with_errors) == []
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    for step in ("jenis_pelaku", "kontak"):
        html = post_empty(client, f"/isian/{sid}/{step}")
        assert "error-message" in html, step
        assert untied_errors(html) == [], step
        assert untied_option_hints(html) == [], step
        assert api.put_step(sid, step, {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"}
                            ).status_code == 200 if step == "jenis_pelaku" else True


@pytest.mark.parametrize("path", ["/masuk", "/lupa-sandi"])
def test_account_pages_tie_their_errors(client, path):
    html = post_empty(client, path)
    assert "error-message" in html
    assert untied_errors(html) == []


def test_password_change_ties_its_errors(applicant):  # noqa: F811
    html = post_empty(applicant.client, "/akun/kata-sandi")
    assert "error-message" in html
    assert untied_errors(html) == []


def test_permit_steps_tie_errors_and_announce_computed_results(applicant):  # noqa: F811
    sid = permit.start(applicant)
    permit.activities(applicant, sid, "10298")
    html = post_empty(applicant.client, f"/isian/{sid}/detail_usaha")
    assert "error-message" in html and "data-computed" in html
    assert untied_errors(html) == []
    assert silent_computed(html) == []
    permit.ok(permit.details(applicant, sid, {"modal_usaha": 50_000_000}))
    html = applicant.client.get(f"/isian/{sid}/detail_usaha").get_data(as_text=True)
    assert silent_computed(html) == []  # scale and risk
    permit.ok(permit.products(applicant, sid, permit.ONE_PRODUCT))
    permit.issue(applicant, sid, 1)
    html = post_empty(applicant.client, f"/isian/{sid}/persetujuan_lingkungan")
    assert 'data-computed="kegiatan_usaha.0.kewajiban_lingkungan"' in html
    assert silent_computed(html) == []  # the environmental obligation
    assert untied_errors(html) == []
    bidang = applicant.client.get(f"/isian/{sid}/bidang_usaha").get_data(as_text=True)
    assert untied_option_hints(bidang) == []


def test_the_checks_find_what_they_look_for():
    """The three checks are not empty: an untied error, a hint without its radio and a silent result are found."""
    assert untied_errors('<p class="error-message" id="error-x">!</p><input id="field-x">') == ["error-x"]
    assert untied_option_hints('<div data-option="A"><input type="radio"><p class="hint">h</p></div>') == ["A: (no id)"]
    assert silent_computed('<p class="computed" data-computed="skala">Mikro</p>') == ["skala"]
    assert silent_computed('<div aria-live="polite"><p data-computed="skala">Mikro</p></div>') == []
