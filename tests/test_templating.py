"""Page rendering made cheaper without changing a page (formserver/web/templating.py): dict keys read at once,
the page chrome rendered once per locale and office."""
import copy
import dataclasses

import jinja2
import pytest
from flask import url_for

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


# -- issue 12 §5, fourth round: what a step page pays for less, with the same output --------------------------------

def _draft(client) -> str:
    """A registrasi draft of this client's session (no account needed)."""
    response = client.post("/api/v1/forms/registrasi/submissions", json={})
    assert response.status_code == 201
    return response.get_json()["id"]


LINKS = [  # (endpoint, values): plain values, values URL quoting changes, query arguments, what url_for keeps for itself
    ("pages.step", {"submission_id": "abc123", "step_key": "skala"}),
    ("pages.step", {"step_key": "skala", "submission_id": "abc123"}),  # named in another order than the rule's
    ("pages.step", {"submission_id": "abc123", "step_key": "skala", "dari": "periksa"}),
    ("pages.step", {"submission_id": "a b/é?#", "step_key": "x&y"}),
    ("pages.step", {"submission_id": "abc123", "step_key": "skala", "dari": "a b&c=d"}),
    ("pages.step", {"submission_id": "abc123", "step_key": "skala", "_anchor": "main"}),
    ("pages.step", {"submission_id": "abc123", "step_key": "skala", "_external": True}),
    ("pages.login", {"lanjut": None}),
    ("pages.login", {}),
    ("pages.home", {}),
    ("admin.version", {"form_id": "registrasi", "number": 3}),
    ("admin.version", {"form_id": "registrasi", "number": "3"}),
    ("static", {"filename": "css/app.css"}),
    ("api.get_submission", {"submission_id": "Zq0x7Kv"}),  # the stand-in itself
]


@pytest.mark.parametrize("script_root", ["", "/oss"])
def test_template_links_are_url_for_links(app, script_root):
    """templating.Links gives exactly url_for's text, from its pattern for plain values, by url_for otherwise."""
    from formserver.web.templating import Links
    links = Links(app)
    with app.test_request_context("/", environ_base={"SCRIPT_NAME": script_root}):
        for _ in range(2):  # the first call makes the pattern, the second uses it
            for endpoint, values in LINKS:
                assert links.url_for(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)
        made = {key[:2]: pattern for key, pattern in links._patterns.items()}
        assert made[("pages.step", ("submission_id", "step_key"))] is not None  # plain values: a pattern
        assert made[("admin.version", ("form_id", "number"))] is None  # an int converter: url_for every time
    with app.test_request_context("/"):  # another host or script root: its own pattern
        assert links.url_for("pages.home") == url_for("pages.home")
    assert app.jinja_env.globals["url_for"].__self__.__class__ is Links


def test_a_step_page_links_from_patterns_and_translates_with_gettext_itself(app, client):
    from formserver import i18n
    sid = _draft(client)
    page = client.get(f"/isian/{sid}/skala?lang=en").get_data(as_text=True)
    assert f'action="/isian/{sid}/skala"' in page and f'data-draft="/api/v1/submissions/{sid}/steps/skala/draft"' in page
    assert app.jinja_env.globals["_"] is i18n.gettext  # not Jinja's alias that looks gettext up in each context
    assert "Save and continue" in page or "Simpan dan lanjutkan" not in page
    links = app.jinja_env.globals["url_for"].__self__
    assert any(key[0] == "client.save_draft" and parts for key, parts in links._patterns.items())


def test_a_plain_step_get_makes_no_werkzeug_key_error_of_its_own(client, monkeypatch):
    """request.args.get of an absent name, or `in` on response headers, builds a BadRequestKeyError each time."""
    import traceback

    from werkzeug.exceptions import BadRequestKeyError
    sid = _draft(client)
    made, original = [], BadRequestKeyError.__init__

    def counting(self, *args, **kwargs):
        made.append(traceback.format_stack())
        original(self, *args, **kwargs)
    monkeypatch.setattr(BadRequestKeyError, "__init__", counting)
    assert client.get(f"/isian/{sid}/skala").status_code == 200
    ours = [stack for stack in made if any("/formserver/" in frame for frame in stack)]
    assert ours == []
    assert client.get(f"/isian/{sid}/skala?dari=periksa").status_code == 200  # the query still counts


def test_the_page_values_go_when_the_page_is_rendered_without_the_garbage_collector(app):
    """A module imported with context is a reference cycle (its macros and its context); emptied after the page,
    the values the page was given are freed by reference counting alone."""
    import gc
    import weakref

    class Value:
        label = "x"
    template = app.jinja_env.from_string('{% import "macros.html" as m with context %}{{ m.error_text(v.label) }}')
    value = Value()
    gone = weakref.ref(value)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with app.test_request_context("/"):
            assert template.render(v=value) == "x"
        del value
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()


def test_templates_read_the_environments_globals_and_their_own(app):
    """Contexts get the environment's globals dict itself (no ChainMap walk); a template's own globals still count
    and never reach the environment's."""
    template = app.jinja_env.from_string("{{ text is defined }}|{{ own | default('-') }}")
    assert template.new_context({}).parent.get("text") is app.jinja_env.globals["text"]
    own = app.jinja_env.from_string("{{ own }}|{{ text is defined }}", globals={"own": "mine"})
    assert own.render() == "mine|True" and template.render() == "True|-"
    assert "own" not in app.jinja_env.globals
    assert type(app.jinja_env.cache) is dict  # loaded templates without Jinja's locking LRU


def test_a_choices_offered_values_are_its_options_values():
    from formserver.state import FieldState
    assert FieldState(True, False, [("A", "a"), ("B", {"id": "b"})]).option_values == ["A", "B"]
    assert FieldState(True, False, []).option_values == []
    assert FieldState(True, False, None).option_values is None


class _Html:
    def __html__(self):
        return "<i>kept</i>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", ["plain", "a<b & 'c\"", "", jinja2.utils.markupsafe.Markup("<b>safe</b>"), 0, -42,
                                   True, None, 1.5, _Html(), _Text("<sub>"), ["<x>"]])
def test_template_output_is_escaped_as_markupsafe_escapes_it(app, value):
    """Compiled templates call templating.escape for each {{ … }}: the same text and type as markupsafe's escape."""
    from markupsafe import Markup
    from markupsafe import escape as markupsafe_escape

    from formserver.web import templating
    assert app.jinja_env.get_template("step.html").root_render_func.__globals__["escape"] is templating.escape
    ours = templating.escape(value)
    assert type(ours) is Markup and ours == markupsafe_escape(value)
    assert app.jinja_env.from_string("{{ v }}").render(v=value) == jinja2.Environment(autoescape=True).from_string(
        "{{ v }}").render(v=value)
