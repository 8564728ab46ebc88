"""Texts an office writes (labels, identity, service texts) are plain text: markup is refused, and every page and
document escapes them anyway."""
import re

from ..i18n import gettext

# "<" opens every tag; the rest would be script in an attribute or a link, should a text ever reach one unescaped
MARKUP = re.compile(r"<|javascript\s*:|vbscript\s*:|data\s*:\s*text/html|\bon[a-z]+\s*=", re.IGNORECASE)
# properties holding rules or patterns, not texts ("<" is an operator there)
NOT_TEXT = frozenset({"visible_if", "required_if", "compute", "prefill", "pattern", "item_visible_if", "checks",
                      "columns", "rule", "of"})


def _escape(segment) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def markup_problems(value, pointer: str = "") -> list[tuple[str, str]]:
    """(JSON pointer, message) of every string in ``value`` that carries markup or script."""
    if isinstance(value, str):
        match = MARKUP.search(value)
        if match:
            return [(pointer, gettext("Teks tidak boleh berisi markup atau skrip ({group!r}); tulis teks biasa.").format(group=match.group(0)))]
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() if k not in NOT_TEXT for p in markup_problems(v, f"{pointer}/{_escape(k)}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in markup_problems(v, f"{pointer}/{i}")]
    return []
