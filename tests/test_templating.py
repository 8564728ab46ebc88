"""Page rendering made cheaper without changing a page (formserver/web/templating.py): dict keys read at once,
the page chrome rendered once per locale and office."""
import copy
import dataclasses

import jinja2
import pytest

from formserver.web.templating import Environment

TEMPLATE = ("{{ d.id }}|{{ d.items is callable }}|{{ d.get('x') }}|{{ d.nope is defined }}"
            "|{{ d.keys() | list | length }}|{{ s.id }}|{{ d.inner.label }}")


def test_a_dict_reads_exactly_as_jinja_reads_it(app):
    """Keys, missing keys (undefined), and dict's own methods even when a key has their name."""
    values = {"d": {"id": 7, "items": "a key named like a method", "x": 2, "inner": {"label": "<b>"}},
              "s": "text"}
    ours = Environment(app, autoescape=True).from_string(TEMPLATE).render(values)
    jinjas = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(values)
    assert ours == jinjas == "7|True|2|False|4||&lt;b&gt;"
    assert app.jinja_env.__class__ is Environment


def test_the_page_chrome_follows_the_locale(client):
    indonesian = client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    again = client.get("/?lang=id").get_data(as_text=True)
    assert "Informasi layanan" in indonesian and "Langsung ke isi" in indonesian
    assert "Service information" in english and "Skip to main content" in english
    assert "Informasi layanan" not in english
    assert again == indonesian


def test_the_page_chrome_follows_a_newly_published_office_identity(app, client):
    running = app.extensions["formserver"].variant
    name = running.identity["name"]
    before = client.get("/").get_data(as_text=True)
    assert before.count(name) >= 2  # the header and the footer
    doc = copy.deepcopy(running.variant.doc)
    doc["identity"]["name"] = "Dinas Uji Terbitan Baru"
    running.variant = dataclasses.replace(running.variant, doc=doc)  # what a publication does (RunningVariant.replace)
    after = client.get("/").get_data(as_text=True)
    assert after.count("Dinas Uji Terbitan Baru") == before.count(name)
    assert name not in after


@pytest.mark.parametrize("debug", [False, True])
def test_fragments_are_kept_only_when_templates_do_not_reload(app, debug):
    from formserver.web.templating import Fragments
    fragments = Fragments(enabled=not debug)
    calls = []

    def body():
        calls.append(1)
        return "<p>x</p>"

    with app.test_request_context("/"):
        first, second = fragments("part", caller=body), fragments("part", caller=body)
    assert first == second == "<p>x</p>"
    assert len(calls) == (2 if debug else 1)
