"""Office variants versioned in the store: draft → published → retired, as form definitions are (versions.py).

A version holds the variant's document (what ``variants/<name>/variant.json`` holds) and its images
(``assets``: {file name: {"file", "content_type", "size", "sha256"}}, the bytes in the store's files). A draft may
change; a version once published never does. The published version is the one published last (publishing an
earlier one again is the roll-back). The shipped folders' content that the store does not hold is imported at
start as a new published version (:meth:`VariantVersions.import_shipped`), as ``forms/*.json`` are.

The variant's own checks are formserver.variants' (``variant_problems``); this module stores, publishes and
audits. The admin pages and the admin API call it; they only translate requests.
"""
import copy
import hashlib
import json
import logging
import time
from collections import Counter

from . import audit
from .definition.check import Problem, listing
from .i18n import gettext
from .store import DuplicateKey, StaleVersion
from .versions import DRAFT, PUBLISHED, RETIRED, FormVersions, NoSuchVersion, VersionConflict

SYSTEM = "system:variants-dir"  # the actor of what the shipped folders bring
COUNTER = "variant_publications"
ASSET_PREFIX = "variant-asset:"
IMAGE_ROLES = ("logo", "crest")  # identity properties naming an image of the variant's assets
log = logging.getLogger(__name__)

__all__ = ["DRAFT", "PUBLISHED", "RETIRED", "NoSuchVersion", "VariantRefused", "VariantVersions", "VersionConflict"]


class VariantRefused(Exception):
    """The variant (or an upload) has problems; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return listing("", self.problems).removeprefix(": ")


def digest(document: dict, assets: dict) -> str:
    """The content's fingerprint: the document and the bytes of its images."""
    body = {"document": document, "assets": {name: a["sha256"] for name, a in sorted(assets.items())}}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def changes(old, new, pointer: str = "") -> list[dict]:
    """What differs between two JSON documents, by JSON pointer: [{"pointer", "old"?, "new"?}] (the audit's diff)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            at = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in new:
                found.append({"pointer": at, "old": old[key]})
            elif key not in old:
                found.append({"pointer": at, "new": new[key]})
            else:
                found += changes(old[key], new[key], at)
        return found
    return [] if old == new else [{"pointer": pointer, "old": old, "new": new}]


class VariantVersions:
    """The versions of every office variant, over the app's services (store, forms, reference data)."""

    def __init__(self, services, refresh_seconds: float = 2.0, clock=time.monotonic):
        self.services, self.refresh_seconds, self.clock = services, refresh_seconds, clock
        self._published: dict[str, int] = {}
        self._checked_at: float | None = None
        self._served: int | None = None  # the version the running variant serves

    @property
    def store(self):
        return self.services.store

    # reading ------------------------------------------------------------------------------------
    def published_number(self, name: str) -> int | None:
        """The published version of ``name``, read from the store at most every ``refresh_seconds`` (the forms'
        FORMSERVER_FORMS_REFRESH_SECONDS): every worker serves a new publication within that time."""
        now = self.clock()
        if self._checked_at is None or now - self._checked_at >= self.refresh_seconds:
            self._published, self._checked_at = self.store.published_variants(), now
        return self._published.get(name)

    def published(self, name: str) -> dict | None:
        """The published version's record (document and assets), or None when the store has none."""
        number = self.published_number(name)
        return self.store.get_variant_version(name, number) if number is not None else None

    def list_versions(self, name: str) -> list[dict]:
        published = self.store.published_variants().get(name)
        return [FormVersions.summary(r, published) for r in self.store.variant_versions(name)]

    def names(self) -> list[str]:
        return sorted({r["variant"] for r in self.store.variant_versions()})

    def record(self, name: str, number: int) -> dict:
        record = self.store.get_variant_version(name, number)
        if record is None:
            raise NoSuchVersion(f"{name}@{number}")
        return record

    def get(self, name: str, number: int) -> dict:
        """{"version", "status", "document", "assets", ...} of one version."""
        record = self.record(name, number)
        return {**FormVersions.summary(record, self.store.published_variants().get(name)),
                "variant": name, "document": record["document"], "assets": record.get("assets") or {}}

    def asset(self, name: str, number: int, file_name: str) -> dict | None:
        """An image of a version: {"content_type", "data", ...}, or None."""
        held = (self.record(name, number).get("assets") or {}).get(file_name)
        return self.store.get_file(held["file"]) if held else None

    def published_assets(self, name: str) -> dict:
        """The images of the published version (a new draft given as a document alone keeps them)."""
        record = self._latest_published(name)
        return dict(record.get("assets") or {}) if record else {}

    def preview(self, name: str, number: int, form_id: str) -> dict:
        """A form with the version's overlay applied, the office as pages show it, and the version's problems."""
        from .variants.identity import office_of
        from .variants.overlay import apply_overlay
        from .variants.references import ReferenceValues
        record = self.record(name, number)
        base = self.base_definitions().get(form_id)
        if base is None:
            raise NoSuchVersion(form_id)
        document = record["document"]
        svc = self.services
        ops = (document.get("forms") or {}).get(form_id) or []
        return {"form": form_id, "definition": apply_overlay(base, ops, ReferenceValues(svc.wilayah, svc.lingkungan)),
                "office": office_of(document.get("identity") or {}),
                "problems": [{"pointer": p.pointer, "message": p.message}
                             for p in self.problems(name, document, record.get("assets") or {})]}

    # checking -----------------------------------------------------------------------------------
    def problems(self, name: str, document, assets: dict) -> list[Problem]:
        """formserver.variants' checks of the document against the published forms, and its images present."""
        from .definition.check import checked
        from .definition.load import registries
        from .variants.references import ReferenceValues
        from .variants.variant import validate_overlay
        svc = self.services
        bases = self.base_definitions()
        found = validate_overlay(document, bases, ReferenceValues(svc.wilayah, svc.lingkungan),
                                 check_definition=lambda d: checked(d, registries(), svc.logic))
        if not found and document.get("name") != name:
            found.append(Problem("/name", gettext("Nama varian harus '{name}'.").format(name=name)))
        identity = document.get("identity") if isinstance(document, dict) else None
        for role in IMAGE_ROLES:
            file_name = identity.get(role) if isinstance(identity, dict) else None
            if isinstance(file_name, str) and file_name not in assets:
                found.append(Problem(f"/identity/{role}", gettext(
                    "Gambar '{file_name}' belum "
                                                                  "diunggah untuk versi ini.").format(file_name=file_name)))
        return found

    def _checked(self, name: str, document, assets: dict, before: list[Problem] = ()) -> list[Problem]:
        """The document's problems when each of them was there ``before`` (a draft made when the forms were
        different may keep what no longer fits while the rest is edited); VariantRefused when there is a new one."""
        found = self.problems(name, document, assets)
        known = Counter(p.message for p in before)
        if Counter(p.message for p in found) - known:
            raise VariantRefused(found)
        return found

    def base_definitions(self) -> dict:
        """{form id: the published definition as stored}: what an overlay applies to."""
        return {form_id: self.services.versions.record(form_id, number)["definition"]
                for form_id, number in self.store.published_versions().items()}

    # images -------------------------------------------------------------------------------------
    def put_image(self, data: bytes, actor: str) -> dict:
        """Keep an uploaded image (PNG or JPEG by its content, at most 1 MB): its asset entry, or VariantRefused."""
        from .variants.images import image_problems, image_type
        found = image_problems(data)
        if found:
            raise VariantRefused([Problem("", message) for message in found])
        sha = hashlib.sha256(data).hexdigest()
        entry = {"file": ASSET_PREFIX + sha, "content_type": image_type(data), "size": len(data), "sha256": sha}
        try:
            self.store.put_file({"id": entry["file"], "owner": "variants", "name": sha, "content_type": entry["content_type"],
                                 "size": len(data), "sha256": sha, "created_at": audit.now_iso(), "data": bytes(data)})
        except DuplicateKey:  # the same bytes, kept before
            pass
        return entry

    # changing -----------------------------------------------------------------------------------
    def create_draft(self, name: str, document, actor: str, assets: dict | None = None) -> dict:
        """A new draft version (the next number) holding ``document`` (problems refuse it: VariantRefused)."""
        if not self.store.variant_versions(name):
            raise NoSuchVersion(name)  # a variant starts as a folder (variants/<name>/), imported at start
        assets = dict(assets or {})
        self._checked(name, document, assets)
        return self._insert(name, document, assets, actor, "variant.draft_created")

    def copy_version(self, name: str, number: int, actor: str) -> dict:
        """A new draft holding what version ``number`` holds (what no longer fits the forms is shown, not refused:
        the draft is where it gets fixed)."""
        source = self.record(name, number)
        return self._insert(name, source["document"], dict(source.get("assets") or {}), actor, "variant.draft_created",
                            copied_from=number)

    def _insert(self, name, document, assets, actor, event, attempts: int = 5, **extra) -> dict | None:
        """A new version with the next number (None when ``attempts`` numbers were taken meanwhile, with 1)."""
        base = self._latest_published(name)
        for _ in range(attempts):
            number = max((v["number"] for v in self.store.variant_versions(name)), default=0) + 1
            now = audit.now_iso()
            try:
                record = self.store.insert_variant_version({
                    "id": f"{name}@{number}", "variant": name, "number": number, "document": copy.deepcopy(document),
                    "assets": assets, "created_at": now, "created_by": actor, "updated_at": now, "updated_by": actor,
                    **extra})
            except DuplicateKey:  # another administrator (or server) took this number meanwhile
                continue
            self._event(name, event, actor, number, base, record)
            return record
        if attempts == 1:
            return None
        raise VersionConflict(gettext("Versi baru tidak dapat dibuat; coba lagi."))

    def _latest_published(self, name: str) -> dict | None:
        number = self.store.published_variants().get(name)
        return self.store.get_variant_version(name, number) if number is not None else None

    def update_draft(self, name: str, number: int, document, actor: str, assets: dict | None = None) -> dict:
        """Replace a draft's document (and images); a version ever published never changes (VersionConflict)."""
        record = self.record(name, number)
        if record.get("published_seq") is not None:
            raise VersionConflict(gettext("Versi {number} sudah diterbitkan dan tidak dapat diubah "
                                          "lagi; buat versi baru.").format(number=number))
        held = dict(record.get("assets") or {})
        assets = held if assets is None else dict(assets)
        self._checked(name, document, assets, before=self.problems(name, record["document"], held))
        try:
            updated = self.store.update_variant_version({**record, "document": copy.deepcopy(document), "assets": assets,
                                                         "updated_at": audit.now_iso(), "updated_by": actor})
        except StaleVersion:
            raise VersionConflict(gettext("Draf ini diubah orang lain sementara itu; muat ulang lalu coba lagi.")) from None
        self._event(name, "variant.draft_updated", actor, number, record, updated)
        return updated

    def publish(self, name: str, number: int, actor: str) -> dict:
        """Publish a version (again, for a roll-back); a draft is checked once more against today's forms."""
        record = self.record(name, number)
        previous = self._latest_published(name)
        if record.get("published_seq") is None:
            self._checked(name, record["document"], record.get("assets") or {})
        now = audit.now_iso()
        try:
            published = self.store.update_variant_version({
                **record, "published_seq": self.store.next_value(COUNTER), "published_at": now, "published_by": actor,
                "first_published_at": record.get("first_published_at") or now})
        except StaleVersion:
            raise VersionConflict(gettext("Versi ini diubah atau diterbitkan orang lain sementara itu; muat ulang lalu "
                                     "coba lagi.")) from None
        self._checked_at = None  # this process serves it at once
        self._event(name, "variant.published", actor, number, previous, published,
                    previous=previous["number"] if previous else None)
        return {"published_version": number, "previous_version": previous["number"] if previous else None}

    # shipped folders ----------------------------------------------------------------------------
    def import_shipped(self, variant) -> int:
        """Import the folder the server read (a formserver.variants.Variant: variant.json and the images its identity
        names) as the variant's published version unless the store holds that content already; the version holding
        it. The folder was checked when it was read; an overlay entry the forms no longer have is reported by the
        running variant and `formserver variant check`, never fatal here."""
        assets = {}
        for role in IMAGE_ROLES:
            file_name = variant.identity.get(role)
            data = variant.asset(file_name) if isinstance(file_name, str) else None
            if data:
                assets[file_name] = self.put_image(data, SYSTEM)
        fingerprint = digest(variant.doc, assets)
        for _ in range(5):
            held = [v["number"] for v in self.store.variant_versions(variant.name)
                    if (v.get("shipped") or {}).get("digest") == fingerprint]
            if held:
                return held[-1]
            now = audit.now_iso()
            record = self._insert(variant.name, variant.doc, assets, SYSTEM, "variant.published", attempts=1,
                                  shipped={"folder": variant.root.name if variant.root else None, "digest": fingerprint},
                                  published_seq=self.store.next_value(COUNTER), published_at=now, published_by=SYSTEM,
                                  first_published_at=now)
            if record is not None:  # else another server imported meanwhile: look again
                self._checked_at = None
                return record["number"]
        raise VersionConflict(gettext("Varian {name} tidak dapat diimpor; coba lagi.").format(name=variant.name))

    # the running server -------------------------------------------------------------------------
    def start(self) -> None:
        """At start-up: import the served variant's folder (FORMSERVER_VARIANT) and serve the store's published
        version of it (an administrator's later publication wins over an unchanged folder)."""
        running = self.services.variant
        self._served = self.import_shipped(running.variant)
        self.sync()

    def sync(self) -> None:
        """Serve the published version when another one was published since (read at most every
        ``refresh_seconds``); a version the running variant refuses (the forms changed under it) is logged and
        the last good one keeps serving."""
        running = self.services.variant
        number = self.published_number(running.name)
        if number is None or number == self._served:
            return
        record = self.store.get_variant_version(running.name, number)
        images = {name: (self.store.get_file(a["file"]) or {}).get("data") for name, a in (record.get("assets") or {}).items()}
        problems = running.replace(record["document"], self.base_definitions(), images=images, forms=self.services.forms)
        if problems:
            log.error("variant %s version %s is not served (%s); the last good version is",
                      running.name, number, "; ".join(f"{p.pointer}: {p.message}" for p in problems[:5]))
        self._served = number

    # helpers ------------------------------------------------------------------------------------
    def _event(self, name: str, event_type: str, actor: str, number: int, before: dict | None, after: dict,
               **details) -> None:
        old = {"document": before["document"], "assets": before.get("assets") or {}} if before else {}
        new = {"document": after["document"], "assets": after.get("assets") or {}}
        audit.record(self.store, f"variant:{name}", event_type, actor, version=number, diff=changes(old, new),
                     **details)

