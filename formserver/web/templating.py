"""What makes page rendering cheaper without changing a byte of a page.

**Dictionary keys read as attributes.** Templates read ``doc.id``, ``s.status``, ``f.spec.label``: Jinja looks
for an attribute first and takes the item only after an AttributeError (a missing key: after a KeyError too), about
2 µs each time, dozens of times per page. :class:`Environment` reads a plain dict's key (or finds it missing) at
once when dict has no attribute of that name: exactly what Jinja ends up with, so every template reads the same.

**Plain functions called at once.** Every call in a template (``_(…)``, ``url_for(…)``, ``text(…)``: about 40 per
step page) goes through ``Context.call``, which asks the callable and its ``__call__`` whether it wants the context,
the eval context or the environment first. A plain Python function or method marked with none of Jinja's
``pass_*`` decorators wants none of them: :class:`Context` calls it directly, with the same arguments and the
same result (a ``StopIteration`` still gives an undefined value); anything else goes Jinja's way. Whether a
function carries a marker is looked up once per function (a method's marker is its function's; a built-in has no
attributes at all). Templates' ``_`` is the catalogs' gettext itself, not Jinja's alias that looks ``gettext`` up
in the context and calls it through the slow path (no render gives ``gettext`` a value of its own).

**Fragments: parts of pages that are the same for every visitor,** rendered once per process, then reused.
``{% call fragment("footer") %}…{% endcall %}`` in a template renders its body the first time and then gives the
same HTML for as long as the locale, the script root (links) and the running variant (the office identity, the
variant's templates) are the same: the page chrome (header, footer) costs dozens of
template calls per page otherwise. A fragment's body must therefore read nothing but texts in the current locale,
links without parameters and the office identity: never the session, the request's arguments or the view's
values (the logged-in header carries the session's CSRF token, so it is not a fragment). Off when templates
reload (development), so an edited template shows at once.

**Globals read as a dict.** Jinja gives each template its globals as a ChainMap over the environment's (a
template may have globals of its own); every context made from it (the page, the imported macros, each include)
walks that ChainMap key by key in Python, twice. A template without globals of its own has exactly the environment's:
:class:`Template` hands its contexts that dict itself, which they only read. Loaded templates are kept in a plain
dict (``cache_size=-1``): Jinja's LRU cache takes a lock and reorders a list on each of a page's five look-ups.

**Modules imported with context let go after the page.** ``{% import "macros.html" as m with context %}`` makes a
module per page whose macros refer to its context and the context to them: a reference cycle, and everything the
context holds (the page's values: the form state, the submission) waits for the garbage collector instead of going
when the page is done. About 116 objects per step page did, a young-generation collection every six pages (about
a tenth of a step GET's CPU). Once the page is rendered, :class:`Template` empties such a module's context: the cycle
keeps only the macros, and the page's values go at once. A module Jinja keeps (imported without context) is left
alone.

**Links built from a pattern.** ``url_for('pages.step', submission_id=doc.id, step_key=step.key)`` in a template
(five per step page) goes through Flask's and werkzeug's whole build: about 7 µs each. :class:`Links` builds a link
of an endpoint with a given set of argument names once per script root and host, with stand-ins for the values,
and then puts each call's values in their places: for values made only of the characters URL quoting never
changes (letters, digits, ``-._~``) that is the very text ``url_for`` gives. Anything else (another value, an
``_anchor``/``_external``…, a relative or the static endpoint, a rule with defaults, a url_defaults hook, outside a
request) goes to ``url_for`` itself.

**Output escaped without markupsafe's Python layers.** Every ``{{ … }}`` of an autoescaped template is
``escape(value)`` (about 80 per step page): markupsafe's ``escape`` and then ``Markup.__new__`` each ask for
``__html__`` in Python before the C code runs. A template's code reads :func:`escape` instead: a ``str`` escaped by
markupsafe's own C function and made a ``Markup`` without the second look, a ``Markup`` given back as it is (its
``__html__`` is itself), an ``int`` as its digits (nothing in them to escape); anything else goes to markupsafe's
``escape``. The same text and the same type every time.
"""
import re
from collections import ChainMap
from contextvars import ContextVar
from types import BuiltinFunctionType, FunctionType, MethodType

from flask import current_app, request
from flask.globals import _cv_request
from flask.templating import Environment as FlaskEnvironment
from jinja2 import Template as JinjaTemplate
from jinja2.environment import TemplateModule
from jinja2.runtime import Context as JinjaContext
from jinja2.runtime import new_context
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # markupsafe without its C module
    from markupsafe._native import _escape_inner

from .. import i18n

LIMIT = 1000  # entries: names x locales x script roots, a handful in practice; a guard, not a working size


_DICT_ATTRIBUTES = frozenset(dir(dict))


_MODULES: ContextVar[list | None] = ContextVar("template_modules", default=None)  # made with context by this render
_PLAIN_FUNCTIONS: dict = {}  # function -> whether it carries none of Jinja's pass_* markers


def _plain(func) -> bool:
    if len(_PLAIN_FUNCTIONS) >= LIMIT:  # functions made at run time (closures) must not pile up
        _PLAIN_FUNCTIONS.clear()
    plain = _PLAIN_FUNCTIONS[func] = not hasattr(func, "jinja_pass_arg")
    return plain


class Context(JinjaContext):
    """Jinja's template context, calling a plain function without looking for ``pass_*`` markers twice (see above)."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature: keyword arguments may be named self)
        kind = type(__obj)
        if kind is BuiltinFunctionType:
            plain = True  # a built-in function or method has no attributes of its own: never a pass_* marker
        elif kind is FunctionType or kind is MethodType:
            func = __obj.__func__ if kind is MethodType else __obj  # a method's marker is its function's
            plain = _PLAIN_FUNCTIONS.get(func)
            if plain is None:
                plain = _plain(func)
        else:
            plain = False
        if plain:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a"
                                                    " StopIteration exception")
        return super().call(__obj, *args, **kwargs)


_new_str = str.__new__


def escape(value) -> Markup:
    """markupsafe's ``escape``, without its Python layers for the values templates output most (see above)."""
    kind = type(value)
    if kind is str:
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value
    if kind is int:
        return _new_str(Markup, str(value))
    return markupsafe_escape(value)


class Template(JinjaTemplate):
    """A template whose contexts see the environment's globals as the dict they are, whose modules imported with
    context let go of the page's values once the page is rendered, and whose output is escaped by :func:`escape`
    (see above)."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # noqa: A002 (Jinja's own signature)
        if namespace.get("escape") is markupsafe_escape:  # the name the compiled code calls for each output
            namespace["escape"] = escape
        return super()._from_namespace(environment, namespace, globals)

    def render(self, *args, **kwargs):
        made: list = []
        token = _MODULES.set(made)
        try:
            return super().render(*args, **kwargs)
        finally:
            _MODULES.reset(token)
            for ctx in made:  # the page is a string now: nothing reads these contexts again
                ctx.vars, ctx.parent = {}, {}

    def make_module(self, vars=None, shared=False, locals=None):  # noqa: A002 (Jinja's own signature)
        ctx = self.new_context(vars, shared, locals)
        if shared:  # `import … with context`: a module of this render only (Jinja keeps only the context-free one)
            made = _MODULES.get()
            if made is not None:
                made.append(ctx)
        return TemplateModule(self, ctx)

    def new_context(self, vars=None, shared=False, locals=None):  # noqa: A002 (Jinja's own signature)
        found = self.globals
        if type(found) is ChainMap and len(found.maps) == 2 and not found.maps[0]:
            found = found.maps[1]  # no globals of its own: exactly the environment's, without the ChainMap walk
        return new_context(self.environment, self.name, self.blocks, vars, shared, found, locals)


class Environment(FlaskEnvironment):
    """Flask's template environment reading a plain dict's keys without an exception first (see above)."""

    context_class = Context
    template_class = Template

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        try:  # an object's attribute, as Jinja reads it, without a second call
            return getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)


class Fragments:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._rendered: dict[tuple, tuple[object, Markup]] = {}

    def __call__(self, name: str, caller) -> Markup:
        if not self.enabled:
            return Markup(caller())
        ctx = _cv_request.get(None)  # the request itself rather than its proxies, read twice per fragment
        req, app = (ctx.request, ctx.app) if ctx is not None else (request, current_app)
        key = (name, i18n.current_locale.get(), req.script_root)
        source = app.extensions["formserver"].variant.variant  # replaced as a whole when an office publishes
        found = self._rendered.get(key)
        if found is not None and found[0] is source:
            return found[1]
        html = Markup(caller())
        if len(self._rendered) >= LIMIT:
            self._rendered.clear()
        self._rendered[key] = (source, html)  # the entry holds its variant: `is` cannot match a new one by reuse
        return html


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")  # RFC 3986's unreserved characters: quoted by nothing, in a path or a query
_STAND_IN = "Zq{}x7Kv"  # a value of plain characters that no rule's own text contains (checked: it appears once)


class Links:
    """``url_for`` for templates: a link of plain values from its endpoint's pattern (see above)."""

    def __init__(self, app):
        self.app = app
        self._patterns: dict[tuple, tuple | None] = {}

    def url_for(self, endpoint: str, /, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None or not endpoint or endpoint[0] == "." or endpoint == "static":
            return self.app.url_for(endpoint, **values)
        for value in values.values():
            if type(value) is not str or not _PLAIN.fullmatch(value):
                return self.app.url_for(endpoint, **values)
        adapter = ctx.url_adapter
        key = (endpoint, tuple(values), adapter.script_name, adapter.server_name, adapter.subdomain)
        try:
            pattern = self._patterns[key]
        except KeyError:
            pattern = self._pattern(endpoint, values)
            if len(self._patterns) >= LIMIT:
                self._patterns.clear()
            self._patterns[key] = pattern
        if pattern is None:
            return self.app.url_for(endpoint, **values)
        parts, order = pattern
        if not order:
            return parts[0]
        given = list(values.values())
        out = [parts[0]]
        for index, part in zip(order, parts[1:]):
            out.append(given[index])
            out.append(part)
        return "".join(out)

    def _pattern(self, endpoint: str, values: dict) -> tuple | None:
        """(the link's text around the values, which value goes in each gap), or None when this endpoint's links
        must come from url_for."""
        if any(name.startswith("_") for name in values):
            return None  # _anchor, _external, _method, _scheme: url_for's own business
        try:
            rules = list(self.app.url_map.iter_rules(endpoint))
        except KeyError:
            return None
        if not rules or any(rule.defaults for rule in rules):
            return None  # which rule is chosen (or whether any is) would depend on the values themselves
        if any(not getattr(hook, "only_static", False)
               for name in (None, *_blueprints(endpoint)) for hook in self.app.url_default_functions.get(name, ())):
            return None  # a url_defaults hook could add or change values
        stand_ins = [_STAND_IN.format(i) for i in range(len(values))]
        try:
            built = self.app.url_for(endpoint, **dict(zip(values, stand_ins)))
        except Exception:  # a converter that refuses the stand-in (int, uuid…): url_for every time
            return None
        if any(built.count(stand_in) != 1 for stand_in in stand_ins):
            return None
        order = sorted(range(len(stand_ins)), key=lambda i: built.index(stand_ins[i]))
        parts, rest = [], built
        for i in order:
            head, _, rest = rest.partition(stand_ins[i])
            parts.append(head)
        parts.append(rest)
        return tuple(parts), tuple(order)


def _blueprints(endpoint: str) -> list[str]:
    """The blueprint names an endpoint's url_defaults hooks are registered under ("a.b.view": "a", "a.b")."""
    segments = endpoint.split(".")[:-1]
    return [".".join(segments[:i]) for i in range(1, len(segments) + 1)]


def use_environment(app) -> None:
    """Before anything creates the app's template environment (extensions add to it)."""
    if "jinja_env" in app.__dict__:
        raise RuntimeError("the template environment exists already")
    app.jinja_environment = Environment
    # loaded templates in a plain dict: Jinja's default LRU cache takes a lock and reorders a list on every look-up,
    # five per step page (the page, base.html, macros.html, each include); the templates are the app's own files
    app.jinja_options = {**app.jinja_options, "cache_size": -1}


def init_app(app) -> None:
    fragments = Fragments(enabled=not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")))
    app.extensions["fragments"] = fragments
    app.jinja_env.globals["fragment"] = fragments.__call__  # a method: called at once (Context above)
    app.jinja_env.globals["url_for"] = Links(app).url_for
