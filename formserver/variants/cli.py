"""`formserver variant render|check NAME`: a variant's effective definitions, and what in it no longer fits the base.

The base is the definitions the server imports at start (FORMSERVER_FORMS_DIR, or ``--forms-dir``): what a
deploy publishes; with ``--store``, the versions the configured store publishes now (an administrator's too).
``check`` exits 1 on any problem and prints each with its JSON pointer into variant.json.
"""
import json
import sys
from pathlib import Path

from ..definition.check import Problem
from ..i18n import gettext
from .variant import VARIANT_FILE, VariantError, read_variant, validate_overlay, variant_path


def base_definitions(forms_dir=None, files=()) -> dict:
    """{form id: definition} of the forms directory, with ``files`` (paths) replacing those of the same key."""
    from ..config import from_environment
    from ..definition.load import DefinitionError, read_json
    found = {}
    for path in [*sorted(Path(forms_dir or from_environment()["FORMS_DIR"]).glob("*.json")), *map(Path, files)]:
        try:
            doc = read_json(path)
        except DefinitionError:
            continue  # the definition's own check reports it
        if isinstance(doc, dict) and isinstance(doc.get("key"), str):
            found[doc["key"]] = doc
    return found


def published_definitions() -> dict:
    """{form id: definition} of the versions the configured store publishes now (what a running server serves)."""
    from ..config import from_environment
    from ..upgrades import open_upgraded
    store = open_upgraded(from_environment())
    try:
        return {form_id: store.get_form_version(form_id, number)["definition"]
                for form_id, number in store.published_versions().items()}
    finally:
        store.close()


def _bases(args) -> dict:
    return published_definitions() if args.store else base_definitions(args.forms_dir)


def _definition_check():
    from ..definition.check import check
    from ..definition.load import registries
    from ..logic import Logic
    engine = Logic().engine
    return lambda definition: check(definition, registries(), engine)


def variant_problems(name: str, bases: dict, variants_dir=None) -> list[Problem]:
    """Every problem of the variant: its files, and each overlay entry against ``bases``."""
    try:
        variant = read_variant(name, variants_dir)
    except VariantError as error:
        return error.problems
    return validate_overlay(variant.doc, bases, check_definition=_definition_check())


def report(name: str, problems: list[Problem], variants_dir=None, out=None) -> int:
    out = out or sys.stdout  # looked up when called: a default bound at import outlives a replaced stdout
    where = variant_path(name, variants_dir) / VARIANT_FILE
    for problem in problems:
        print(f"{where}:{problem.pointer or '/'}: {problem.message}", file=out)
    if not problems:
        print(f"{where}: OK", file=out)
    return 1 if problems else 0


def _variants_dir(args):
    from ..config import from_environment
    return args.variants_dir or from_environment()["VARIANTS_DIR"]


def _check(args) -> int:
    args.variants_dir = _variants_dir(args)
    return report(args.name, variant_problems(args.name, _bases(args), args.variants_dir), args.variants_dir)


def _render(args) -> int:
    from .overlay import apply_overlay
    args.variants_dir = _variants_dir(args)
    try:
        variant = read_variant(args.name, args.variants_dir)
    except VariantError as error:
        return report(args.name, error.problems, args.variants_dir, out=sys.stderr)
    bases = _bases(args)
    if args.form and args.form not in bases:
        print("formserver: " + gettext("tidak ada formulir '{form}'").format(form=args.form), file=sys.stderr)
        return 1
    chosen = [args.form] if args.form else sorted(bases)
    rendered = {key: apply_overlay(bases[key], variant.overlays.get(key) or []) for key in chosen}
    print(json.dumps(rendered[args.form] if args.form else rendered, ensure_ascii=False, indent=2))
    return 0


def add_commands(commands) -> None:
    group = commands.add_parser("variant", help="regional variants (variants/<name>/)").add_subparsers(
        dest="variant_command", required=True)
    render = group.add_parser("render", help="print the effective definition(s), base + overlay, as JSON")
    check = group.add_parser("check", help="report every overlay entry the base no longer fits; exit 1 on any")
    for parser in (render, check):
        parser.add_argument("name", help="the variant's folder name, e.g. kampar")
        parser.add_argument("--forms-dir", help="the base definitions (default FORMSERVER_FORMS_DIR)")
        parser.add_argument("--variants-dir", help="where the variants are (default FORMSERVER_VARIANTS_DIR)")
        parser.add_argument("--store", action="store_true",
                            help="the base is what the configured store publishes now (FORMSERVER_STORE, DATA_DIR), "
                                 "not the forms directory")
    render.add_argument("--form", help="only this form id")
    render.set_defaults(run=_render)
    check.set_defaults(run=_check)
