"""The office identity a variant sets, as the pages, e-mails and documents read it.

The variant's ``identity`` (docs/VARIANTS.md) is the model; :func:`office_of` gives the dict documents embed
and templates read as ``office``: every identity key except the service texts (``layanan``), plus the flat
keys the document templates have always read (``signatory_name``, ``signatory_title``) and empty strings for
the optional keys, so a template never meets a missing one.
"""
SERVICE_STANDARD = "layanan"  # the service-information page's texts: not part of what documents embed and sign
OPTIONAL = ("parent_line", "phone", "email", "website", "logo", "crest", "motto", "place_of_issue")


def office_of(identity: dict) -> dict:
    """The office as documents embed it (signed with them) and templates read it."""
    office = {key: value for key, value in identity.items() if key != SERVICE_STANDARD}
    for key in OPTIONAL:
        office[key] = office.get(key) or ""
    signatory = identity.get("signatory") or {}
    office["signatory"] = {"name": signatory.get("name", ""), "title": signatory.get("title", ""),
                           "nip": signatory.get("nip", "")}
    office["signatory_name"], office["signatory_title"] = office["signatory"]["name"], office["signatory"]["title"]
    office["place_of_issue"] = office["place_of_issue"] or identity.get("city", "")
    office["complaint_channels"] = list(identity.get("complaint_channels") or [])
    return office


def service_standard(identity: dict) -> dict:
    """The service-information page's texts (its 14 components), ``{"components": []}`` when the office has none."""
    return identity.get(SERVICE_STANDARD) or {"components": []}


def _address(identity: dict) -> str:
    address, city = identity.get("address") or "", identity.get("city") or ""
    return address if city in address else ", ".join(p for p in (address, city) if p)


def signature(identity: dict) -> str:
    """The signature lines of the office's e-mails: name, parent government, address, contacts, motto."""
    from ..i18n import gettext
    contacts = [f"{gettext('Telepon/WhatsApp')} {identity['phone']}" if identity.get("phone") else "",
                identity.get("email") or "", identity.get("website") or ""]
    lines = [identity.get("name"), identity.get("parent_line"),
             _address(identity),
             " · ".join(c for c in contacts if c), identity.get("motto")]
    return "\n".join(line for line in lines if line)


def current_identity() -> dict:
    """The identity of the variant the running app serves (inside an app context)."""
    from flask import current_app
    return current_app.extensions["formserver"].variant.identity


def current_office() -> dict:
    """:func:`office_of` the running app's identity (inside an app context)."""
    return office_of(current_identity())
