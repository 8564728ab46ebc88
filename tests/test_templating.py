"""Page rendering made cheaper without changing a page (formserver/web/templating.py): dict keys read at once,
the page chrome rendered once per locale and office."""
import copy
import dataclasses

import jinja2
import pytest

from formserver.web.templating import Context, Environment

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


CALLS = ("{{ plain(1, k=2) }}|{{ method() }}|{{ builtin([3, 1]) }}|{{ ctx() }}|{{ env_() }}|{{ evalctx() }}"
         "|{{ stops() is defined }}|{{ obj(4) }}|{% for i in [5] %}{{ plain(i, k=loop.index) }}{% endfor %}")


class _Callable:
    def __call__(self, x):
        return x * 2


def _call_values():
    return {"plain": lambda a, k=0: f"{a}+{k}", "method": "abc".upper, "builtin": sorted,
            "ctx": jinja2.pass_context(lambda c: c["marker"]),
            "env_": jinja2.pass_environment(lambda e: type(e).__name__.endswith("Environment")),
            "evalctx": jinja2.pass_eval_context(lambda e: e.autoescape),
            "stops": lambda: next(iter(())), "obj": _Callable(), "marker": "m"}


def test_templates_call_functions_with_the_same_results_as_jinja(app):
    """Plain functions, methods and built-ins are called directly (templating.Context); functions that ask for the
    context, the environment or the eval context still get it; a StopIteration still gives an undefined value."""
    ours = Environment(app, autoescape=True).from_string(CALLS)
    jinjas = jinja2.Environment(autoescape=True).from_string(CALLS)
    assert isinstance(ours.new_context(), Context) and app.jinja_env.context_class is Context
    assert ours.render(_call_values()) == jinjas.render(_call_values()) == "1+2|ABC|[1, 3]|m|True|True|False|8|5+1"


def test_each_hook_is_checked_for_a_coroutine_once_and_async_ones_go_flasks_way(app):
    from flask import Flask

    async def later():
        return None

    def now():
        return None

    assert app.ensure_sync(now) is now and app.ensure_sync(now) is now
    for _ in range(2):  # never remembered: Flask's own answer every time (a wrapper, or its error without asgiref)
        try:
            expected = Flask.ensure_sync(app, later)
        except RuntimeError as error:
            with pytest.raises(RuntimeError, match=str(error)[:20]):
                app.ensure_sync(later)
        else:
            assert app.ensure_sync(later) is not later and expected is not later


def test_blueprints_carry_no_second_copy_of_the_default_context_processor(app, client):
    from flask.templating import _default_template_ctx_processor
    assert app.template_context_processors[None][0] is _default_template_ctx_processor
    for name, processors in app.template_context_processors.items():
        if name is not None:
            assert _default_template_ctx_processor not in processors, name
    page = client.get("/").get_data(as_text=True)  # a blueprint's page still gets request, session and g
    assert "csrf_token" in page or "<html" in page
