"""What makes page rendering cheaper without changing a byte of a page.

**Dictionary keys read as attributes.** Templates read ``doc.id``, ``s.status``, ``f.spec.label``: Jinja looks
for an attribute first and takes the item only after an AttributeError (a missing key: after a KeyError too), about
2 µs each time, dozens of times per page. :class:`Environment` reads a plain dict's key (or finds it missing) at
once when dict has no attribute of that name: exactly what Jinja ends up with, so every template reads the same.

**Plain functions called at once.** Every call in a template (``_(…)``, ``url_for(…)``, ``text(…)``: about 40 per
step page) goes through ``Context.call``, which asks the callable and its ``__call__`` whether it wants the context,
the eval context or the environment first. A plain Python function or method marked with none of Jinja's
``pass_*`` decorators wants none of them: :class:`Context` calls it directly, with the same arguments and the
same result (a ``StopIteration`` still gives an undefined value); anything else goes Jinja's way.

**Fragments: parts of pages that are the same for every visitor,** rendered once per process, then reused.
``{% call fragment("footer") %}…{% endcall %}`` in a template renders its body the first time and then gives the
same HTML for as long as the locale, the script root (links) and the running variant (the office identity, the
variant's templates) are the same: the page chrome (header, footer) costs dozens of
template calls per page otherwise. A fragment's body must therefore read nothing but texts in the current locale,
links without parameters and the office identity: never the session, the request's arguments or the view's
values (the logged-in header carries the session's CSRF token, so it is not a fragment). Off when templates
reload (development), so an edited template shows at once.
"""
from types import BuiltinFunctionType, FunctionType, MethodType

from flask import current_app, request
from flask.templating import Environment as FlaskEnvironment
from jinja2.runtime import Context as JinjaContext
from markupsafe import Markup

from .. import i18n

LIMIT = 1000  # entries: names x locales x script roots, a handful in practice; a guard, not a working size


_DICT_ATTRIBUTES = frozenset(dir(dict))


_PLAIN_CALLABLES = (FunctionType, MethodType, BuiltinFunctionType)


class Context(JinjaContext):
    """Jinja's template context, calling a plain function without looking for ``pass_*`` markers twice (see above)."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature: keyword arguments may be named self)
        if type(__obj) in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg"):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a"
                                                    " StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class Environment(FlaskEnvironment):
    """Flask's template environment reading a plain dict's keys without an exception first (see above)."""

    context_class = Context

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
        key = (name, i18n.current_locale.get(), request.script_root)
        source = current_app.extensions["formserver"].variant.variant  # replaced as a whole when an office publishes
        found = self._rendered.get(key)
        if found is not None and found[0] is source:
            return found[1]
        html = Markup(caller())
        if len(self._rendered) >= LIMIT:
            self._rendered.clear()
        self._rendered[key] = (source, html)  # the entry holds its variant: `is` cannot match a new one by reuse
        return html


def use_environment(app) -> None:
    """Before anything creates the app's template environment (extensions add to it)."""
    if "jinja_env" in app.__dict__:
        raise RuntimeError("the template environment exists already")
    app.jinja_environment = Environment


def init_app(app) -> None:
    fragments = Fragments(enabled=not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")))
    app.extensions["fragments"] = fragments
    app.jinja_env.globals["fragment"] = fragments
