"""JSON request bodies nested deeper than MAX_DEPTH are refused with a 400 before they are parsed.

Python's json module recurses once per level, so a body of a few thousand brackets would end in a
RecursionError (a 500) in every endpoint that reads JSON. The app's JSON provider counts the depth
on the raw text first: string contents are removed in one regular-expression pass, and only when
there are more opening brackets than the limit are the brackets walked, so an ordinary body costs
one scan in C.
"""
import re

from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from ..i18n import gettext

MAX_DEPTH = 64
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")


class TooDeep(BadRequest):
    """A JSON body nested deeper than MAX_DEPTH."""

    def __init__(self):
        super().__init__()
        self.formserver_message = gettext("Data JSON bersarang terlalu dalam (paling banyak "
                                          "{max_depth} tingkat).").format(max_depth=MAX_DEPTH)


def too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH in a JSON text (strings' contents do not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False  # too few brackets to nest that deep: no need to walk them
    level = 0
    for bracket in BRACKETS.findall(STRINGS.sub("", text)):
        if bracket in "[{":
            level += 1
            if level > MAX_DEPTH:
                return True
        else:
            level -= 1
    return False


class DepthLimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing request bodies nested deeper than MAX_DEPTH."""

    def loads(self, s, **kwargs):
        text = s.decode("utf-8", "replace") if isinstance(s, bytes | bytearray) else s
        if too_deep(text):
            raise TooDeep()
        return super().loads(s, **kwargs)
