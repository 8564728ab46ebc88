"""Turn every inline pair ``bi("Indonesian", "English")`` / ``Bi(...)`` into a gettext call and a catalog entry.

    python scripts/bi_to_gettext.py            # rewrite formserver/, refresh messages.pot and the en catalog
    python scripts/bi_to_gettext.py --check    # list the pairs left (exit 1 when any): nothing is written

Python: ``bi(a, b)`` becomes ``gettext(a)``, ``Bi(a, b)`` ``lazy_gettext(a)``; f-string pairs become a
format string with named placeholders, ``gettext("Isian {key!r} tidak ada").format(key=key)``.
Templates: ``bi("a", "b")`` becomes ``_("a")``. The English text of each pair becomes the msgstr of the
Indonesian msgid in ``formserver/translations/en/LC_MESSAGES/messages.po``; one Indonesian text with two
English texts gets a message context (``pgettext``) named after its module. A pair the script cannot
rewrite safely (a pair of variables, ``bi(*pair)``, a concatenation) is listed and left as it is.
Re-runnable: a second run finds nothing to do and keeps the catalog's translations.
"""
from __future__ import annotations

import argparse
import ast
import io
import keyword
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("formserver",)
TRANSLATIONS = ROOT / "formserver" / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
FUNCTIONS = {"bi": "gettext", "Bi": "lazy_gettext"}
CONTEXT_FUNCTIONS = {"gettext": "pgettext", "lazy_gettext": "lazy_pgettext", "_": "pgettext"}
WIDTH = 150


@dataclass
class Pair:
    path: Path
    line: int
    msgid: str
    english: str
    context: str | None = None


@dataclass
class Work:
    pairs: list[Pair] = field(default_factory=list)
    hard: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    edits: dict[Path, list[tuple[int, int, str, Pair | None]]] = field(default_factory=dict)


# ---------------------------------------------------------------- Python


def _offsets(source: bytes) -> list[int]:
    """Where each line starts, in bytes: the offsets ast gives are UTF-8 byte offsets."""
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _span(node: ast.AST, starts: list[int]) -> tuple[int, int]:
    return starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset


def _name_for(expr: ast.expr, taken: dict[str, str]) -> str:
    if isinstance(expr, ast.Name):
        base = expr.id
    elif isinstance(expr, ast.Attribute):
        base = expr.attr
    elif isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str):
        base = expr.slice.value
    elif (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and expr.args
          and isinstance(expr.args[0], ast.Constant) and isinstance(expr.args[0].value, str)):
        base = expr.args[0].value
    elif isinstance(expr, ast.BoolOp):
        return _name_for(expr.values[0], taken)
    elif isinstance(expr, ast.Call) and isinstance(expr.func, (ast.Name, ast.Attribute)):
        base = expr.func.id if isinstance(expr.func, ast.Name) else expr.func.attr
    else:
        base = "value"
    base = re.sub(r"\W", "_", base).strip("_").lower() or "value"
    if keyword.iskeyword(base) or base[0].isdigit():
        base = f"value_{base}"
    name, n = base, 2
    while name in taken.values():
        name, n = f"{base}_{n}", n + 1
    return name


def _template(node: ast.expr, names: dict[str, str]) -> str | None:
    """The format string of a str constant or an f-string; placeholders named through ``names`` (source -> name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(part.value.replace("{", "{{").replace("}", "}}"))
            continue
        source = ast.unparse(part.value)
        if source not in names:
            names[source] = _name_for(part.value, names)
        conversion = "" if part.conversion == -1 else "!" + chr(part.conversion)
        spec = ""
        if part.format_spec is not None:
            inner = _template(part.format_spec, names)
            if inner is None or "{" in inner:
                return None
            spec = ":" + inner.replace("{{", "{").replace("}}", "}")
        out.append("{" + names[source] + conversion + spec + "}")
    return "".join(out)


def _literal(text: str, indent: int) -> str:
    """A double-quoted literal; split over lines (implicit concatenation) when long."""
    def quote(piece):
        return '"' + piece.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if len(text) <= WIDTH - indent - 40:
        return quote(text)
    pieces, current = [], ""
    for word in re.split(r"(?<= )", text):
        if current and len(current) + len(word) > WIDTH - indent - 50:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return ("\n" + " " * indent).join(quote(p) for p in pieces)


def _plain_value(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_pairs(path: Path, work: Work) -> None:
    source = path.read_text(encoding="utf-8")
    if "bi(" not in source and "Bi(" not in source and "Bi." not in source:
        return
    tree = ast.parse(source)
    raw = source.encode("utf-8")
    starts = _offsets(raw)

    def text_of(node):
        return raw[slice(*_span(node, starts))].decode("utf-8")

    edits, seen = [], set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            continue
        seen.add(id(node.func))  # converted here, or left whole for a person to convert
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if node.keywords or len(node.args) != 2 or any(isinstance(a, ast.Starred) for a in node.args):
            work.hard.append(f"{where}: {ast.unparse(node)[:100]}")
            continue
        first, second = node.args
        names: dict[str, str] = {}
        msgid, english = _template(first, names), _template(second, names)
        if msgid is None or english is None:
            work.hard.append(f"{where}: {ast.unparse(node)[:100]}")
            continue
        if not names:  # no placeholder of ours: the texts stay as written ({min} is marshmallow's, filled later)
            msgid, english = _plain_value(first), _plain_value(second)
        else:
            def uses(template, name):
                return re.search(r"(?<!\{)\{" + name + r"[!:}]", template) is not None
            one_sided = [n for n in names.values() if not (uses(msgid, n) and uses(english, n))]
            if one_sided:
                work.warnings.append(f"{where}: placeholder(s) {', '.join(one_sided)} in one language only: "
                                     "give both languages the same value")
        function = FUNCTIONS[node.func.id]
        start, end = _span(node, starts)
        prefix = raw[_span(node.func, starts)[1] + 1:_span(first, starts)[0]].decode("utf-8")  # "(" to the text
        indent = node.col_offset + len(function) + 1
        if names:
            call = f"{function}({prefix}{_literal(msgid, indent)})"
            arguments = ", ".join(f"{n}={s}" for s, n in names.items())
            last = call.rsplit("\n", 1)[-1]
            width = len(last) + (0 if "\n" in call else node.col_offset)
            if width + len(arguments) < WIDTH - 10:
                call += f".format({arguments})"
            else:  # the arguments on lines of their own
                lines, line, pad = [], "", " " * (node.col_offset + 4)
                for argument in (f"{n}={s}" for s, n in names.items()):
                    if line and len(pad) + len(line) + len(argument) > WIDTH - 10:
                        lines.append(line + ",")
                        line = ""
                    line += (", " if line else "") + argument
                call += ".format(\n" + "\n".join(pad + x for x in [*lines, line]) + ")"
        elif isinstance(first, ast.Constant):  # the literal as written (its line breaks, its quotes)
            call = f"{function}({prefix}{text_of(first)})"
        else:
            call = f"{function}({prefix}{_literal(msgid, indent)})"
        pair = Pair(path, node.lineno, msgid, english)
        edits.append((start, end, call, pair))
        work.pairs.append(pair)
    for node in ast.walk(tree):  # Bi left as a type or a class (annotations, isinstance, Bi.of): LazyText
        if isinstance(node, ast.Name) and node.id == "Bi" and id(node) not in seen:
            edits.append((*_span(node, starts), "LazyText", None))
    if edits:
        work.edits[path] = edits


def _imports(source: str, used: set[str]) -> str:
    """``from …i18n import Bi, bi`` lines name the new functions instead."""
    def fix(match):
        names = [n.strip() for n in match.group(2).replace("(", "").replace(")", "").split(",") if n.strip()]
        if not any(n in FUNCTIONS for n in names):
            return match.group(0)  # an import of other names (offered_locales inside a function)
        kept = [n for n in names if n not in FUNCTIONS]
        kept += sorted(u for u in used if u not in kept)
        return f"{match.group(1)}{', '.join(sorted(set(kept), key=lambda n: (n[0].islower(), n)))}"
    return re.sub(r"^(\s*from (?:formserver|\.+)\.?i18n import )([^\n]+)$", fix, source, flags=re.M)


# ---------------------------------------------------------------- templates

_STRING = re.compile(r"""\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", re.S)


def _strings(text: str, at: int) -> tuple[list[str], int]:
    """Adjacent string literals from ``at``: their sources and where they end."""
    found = []
    while (m := _STRING.match(text, at)):
        found.append(m.group(1))
        at = m.end()
    return found, at


def template_pairs(path: Path, work: Work) -> None:
    source = path.read_text(encoding="utf-8")
    edits = []
    for m in re.finditer(r"(?<![\w.])bi\(", source):
        line = source.count("\n", 0, m.start()) + 1
        where = f"{path.relative_to(ROOT)}:{line}"
        first, at = _strings(source, m.end())
        comma = re.compile(r"\s*,").match(source, at)
        second, at = _strings(source, comma.end()) if comma and first else ([], at)
        close = re.compile(r"\s*,?\s*\)").match(source, at)
        if not (first and second and close):
            work.hard.append(f"{where}: {source[m.start():m.start() + 100].splitlines()[0]}")
            continue
        msgid = "".join(ast.literal_eval(s) for s in first)
        english = "".join(ast.literal_eval(s) for s in second)
        pair = Pair(path, line, msgid, english)
        edits.append((m.start(), close.end(), "_(" + " ".join(first) + ")", pair))
        work.pairs.append(pair)
    if edits:
        work.edits[path] = edits


# ---------------------------------------------------------------- conflicts, writing


def _contexts(work: Work) -> None:
    """An Indonesian text with two English texts: the English used most keeps no context, each other use gets
    its module as message context (pgettext), so every place keeps the English it had."""
    english: dict[str, dict[str, int]] = {}
    for pair in work.pairs:
        counts = english.setdefault(pair.msgid, {})
        counts[pair.english] = counts.get(pair.english, 0) + 1
    for pair in work.pairs:
        counts = english[pair.msgid]
        if len(counts) > 1 and pair.english != max(counts, key=counts.get):
            pair.context = str(pair.path.relative_to(ROOT).with_suffix("")).removeprefix("formserver/")


def _apply(work: Work) -> None:
    for path, edits in work.edits.items():
        source = path.read_bytes() if path.suffix == ".py" else path.read_text(encoding="utf-8")
        used = set()
        for start, end, call, pair in sorted(edits, key=lambda e: e[0], reverse=True):
            if pair is not None and pair.context is not None:
                function, _, rest = call.partition("(")
                function = CONTEXT_FUNCTIONS[function]
                call = f'{function}("{pair.context}", {rest}'
            used.add(call.partition("(")[0])
            source = source[:start] + (call.encode("utf-8") if isinstance(source, bytes) else call) + source[end:]
        if path.suffix == ".py":
            source = _imports(source.decode("utf-8"), used)
        path.write_text(source, encoding="utf-8")
    python = [str(p) for p in work.edits if p.suffix == ".py"]
    if python and shutil.which("ruff"):  # the imports in ruff's (isort's) order
        subprocess.run(["ruff", "check", "--fix", "--select", "I", "--quiet", *python], check=False)


def extract() -> object:
    """The catalog template from the sources, as `pybabel extract -F babel.cfg -k lazy_gettext …` makes it."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="formserver", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT / "formserver"), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(f"formserver/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def write_catalogs(work: Work) -> list[str]:
    """messages.pot from the sources; the en catalog updated from it, with the English of every converted pair."""
    from babel.messages import pofile

    template = extract()
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.parent.mkdir(parents=True, exist_ok=True)
    with open(POT, "wb") as out:
        pofile.write_po(out, template, width=120, omit_header=False, sort_output=True, include_lineno=False)
    english_po = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    english_po.parent.mkdir(parents=True, exist_ok=True)
    if english_po.exists():
        with open(english_po, "rb") as existing:
            catalog = pofile.read_po(existing, locale="en")
        catalog.update(template, no_fuzzy_matching=True)
    else:
        from babel.messages.catalog import Catalog
        catalog = Catalog(locale="en", project="formserver", fuzzy=False)
        for message in template:
            if message.id:
                catalog.add(message.id, "", message.locations, context=message.context)
    catalog.obsolete.clear()
    for pair in work.pairs:
        message = catalog.get(pair.msgid, pair.context)
        if message is not None:
            message.string = pair.english
    missing = [f"{m.context + ': ' if m.context else ''}{m.id}" for m in catalog if m.id and not m.string]
    catalog.fuzzy = False
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, width=120, sort_output=True, include_lineno=False)
    english_po.write_bytes(buffer.getvalue())
    return missing


def remaining(work: Work) -> list[str]:
    return [f"{p.path.relative_to(ROOT)}:{p.line}: {p.msgid[:80]}" for p in work.pairs] + work.hard


def collect() -> Work:
    work = Work()
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix == ".py" and path.name != "i18n.py":
                python_pairs(path, work)
            elif path.suffix == ".html":
                template_pairs(path, work)
    return work


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="list the pairs left; exit 1 when any")
    args = parser.parse_args(argv)
    work = collect()
    if args.check:
        for line in remaining(work):
            print(line)
        return 1 if remaining(work) else 0
    _contexts(work)
    _apply(work)
    missing = write_catalogs(work)
    contexts = sorted({(p.msgid, p.context) for p in work.pairs if p.context})
    print(f"converted {len(work.pairs)} pairs in {len(work.edits)} files; {len(contexts)} texts with a context")
    for msgid, context in contexts:
        print(f"  context {context}: {msgid[:80]}")
    for line in work.hard:
        print(f"left as it is (convert by hand): {line}")
    for line in work.warnings:
        print(f"warning: {line}")
    for line in missing:
        print(f"no English yet: {line[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
