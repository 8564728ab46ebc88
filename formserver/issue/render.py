"""Fill a document template (``documents/*.html``) with an issued document's data, as HTML.

Templates run in a sandboxed Jinja environment with autoescaping: offices edit them, and every
value in the context was typed by an applicant or an officer. The context of every document type:

    {
      "document": {"id", "type", "number", "issued_at": ISO 8601 datetime, "status",
                   "revoked": {"at", "by", "reason"} | None,
                   "superseded": {"at", "by_document", "by_number"} | None},
      "office": {"name": "DPMPTSP Kabupaten Kampar", "parent_line": "PEMERINTAH KABUPATEN KAMPAR", "address",
                 "city": "Bangkinang", "province": "Riau", "phone", "email", "website", "motto",
                 "place_of_issue": "Bangkinang", "signatory": {"name", "title", "nip"}, "example"?},
                 # the office identity the document was issued with; older documents have the flat keys
                 # "signatory_name" and "signatory_title" instead (letterhead.document_office reads both)
      "images": {"crest"?: "data:image/png;base64,...", "logo"?: ...},  # optional: the letterhead's images
      "holder": {"nama", "nik", "alamat", "email", "nomor_telepon", "npwp",
                 "kewarganegaraan", "nomor_paspor"},        # the last two for a foreign national only
      "nib": "1234567890123",
      "activities": [{"kbli", "judul", "skala", "tingkat_risiko", "nama_usaha",
                      "alamat_usaha", "modal_usaha",
                      "produk": [{"jenis_produk", "nomor_sni"?, "sni_berlaku_sampai"?,
                                  "nomor_halal"?, "halal_terbit"?, "halal_berakhir"?}]}],
      "activity": {... one of activities ...},   # Sertifikat Standar: one per activity
      "statements": [str],                        # Pernyataan Mandiri: the ticked declarations
      "approval": {"jenis", "nomor", "tanggal", "penerbit"} | None,  # PKPLH: the environmental approval recorded
      "qr_png_data_uri": "data:image/png;base64,...",
      "verify_url": "https://.../verifikasi/<code>",
    }

``fonts`` (the names of the TrueType files embedded in the PDF, resolved by pdf.py) is added
here, and ``office`` becomes the complete shape of ``letterhead.document_office`` (every key
present). ``status`` ``DRAF`` prints a draft banner (the preview before issuance);
``MENUNGGU_PERSETUJUAN_LINGKUNGAN``, ``REVOKED`` and ``SUPERSEDED`` print a mark on every page.
Keys may be missing where the document type does not use them; a missing key a template does
use is an error, not a blank.
"""
import functools
import os
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from .. import labels
from ..config import PROJECT_ROOT, ConfigError
from ..dates import format_date
from ..i18n import gettext
from .letterhead import document_office, print_image

TEMPLATE_DIR = PROJECT_ROOT / "documents"
# documents are official papers in Bahasa Indonesia, whatever language the page that asked for them speaks
DOCUMENT_LOCALE = "id"

# the document type -> its template; the issuance service and the tests iterate over it
DOCUMENT_TYPES = {
    "NIB": "nib.html",
    "SERTIFIKAT_STANDAR": "sertifikat_standar.html",
    "PERNYATAAN_MANDIRI": "pernyataan_mandiri.html",
    "SPPL": "sppl.html",
    "PKPLH": "pkplh.html",
}

# The documents' typeface: Liberation Sans (SIL Open Font License 1.1), metric-compatible with Arial, the face the
# Indonesian rules for official papers (tata naskah dinas) prescribe; Debian's fonts-liberation2 installs it (see
# docs/DECISIONS.md). FORMSERVER_FONT_DIR names another folder holding the same four files. The font registry of
# the PDF library is one per process, hence an environment variable rather than an app setting.
FONT_PACKAGE = "fonts-liberation2"
FONT_FACES = {"regular": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf",
              "italic": "LiberationSans-Italic.ttf", "bolditalic": "LiberationSans-BoldItalic.ttf"}
# bookworm installs the 2.x fonts in liberation2/, trixie (where fonts-liberation carries 2.x) in liberation/
DEFAULT_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))


class FontsMissing(ConfigError):
    """The typeface the documents embed is not installed."""


def font_dir(candidates) -> Path:
    """The first folder among ``candidates`` that holds every face of FONT_FACES; FontsMissing otherwise."""
    candidates = [Path(c) for c in candidates]
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FACES.values()):
            return folder
    raise FontsMissing(gettext(
        "Huruf dokumen (Liberation Sans: {files}) tidak terpasang di {folders}. Pasang dengan `apt-get install "
        "{package}`, atau isi {setting} dengan folder yang memuat keempat berkas itu. Tanpa huruf itu tidak ada "
        "dokumen yang dapat diterbitkan.").format(files=", ".join(FONT_FACES.values()),
                                                    folders=gettext(" atau ").join(str(c) for c in candidates),
                                                    package=FONT_PACKAGE, setting="FORMSERVER_FONT_DIR"))


def _font_dirs() -> tuple:
    explicit = os.environ.get("FORMSERVER_FONT_DIR", "").strip()
    return (Path(explicit),) if explicit else DEFAULT_FONT_DIRS


try:
    FONT_DIR, _FONTS_MISSING = font_dir(_font_dirs()), None
except FontsMissing as missing:  # reported by check_fonts() when the app starts, and by every PDF render
    FONT_DIR, _FONTS_MISSING = None, missing

# Templates name the fonts by these file names only, never by their place on disk: the HTML may
# be shown to people, and a path on the server is nobody's business. pdf.py resolves a name to its
# file when it embeds the font.
FONTS = {face: f"DocSans-{face.capitalize()}.ttf" for face in FONT_FACES}
FONT_FILES = {FONTS[face]: FONT_DIR / name for face, name in FONT_FACES.items()} if FONT_DIR else {}


def check_fonts() -> None:
    """Refuse to start (FontsMissing, with what to install) when the documents' font files are not there."""
    if _FONTS_MISSING is not None:
        raise _FONTS_MISSING


def tanggal(value) -> str:
    """A date as the documents print it, e.g. ``26 November 2026`` (WIB)."""
    return format_date(value, locale=DOCUMENT_LOCALE)


def tanggal_waktu(value) -> str:
    """A date and time as the documents print it, e.g. ``26 November 2026 14.30 WIB``."""
    return format_date(value, with_time=True, locale=DOCUMENT_LOCALE)


def rupiah(value) -> str:
    """An amount of rupiah with Indonesian digit grouping, e.g. ``Rp1.500.000``."""
    if value is None or value == "":
        return ""
    return "Rp" + f"{int(value):,}".replace(",", ".")


def label(code) -> str:
    """A code such as ``MENENGAH_RENDAH`` in the documents' words (``Menengah Rendah``), from the shared table."""
    return labels.label(code, locale=DOCUMENT_LOCALE)


@functools.cache
def environment(template_dirs: tuple = ()) -> SandboxedEnvironment:
    """The sandboxed environment reading a regional variant's templates first (``template_dirs``), then
    ``documents/``: a variant replaces a template by giving a file of the same name."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader([*template_dirs, TEMPLATE_DIR]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=tanggal, tanggal_waktu=tanggal_waktu, rupiah=rupiah, label=label)
    return env


def printed_names(template_dirs: tuple = ()) -> frozenset[str]:
    """Every name the document templates read: variables, attributes (``activity.judul``) and constant keys
    (``a["kbli"]``), over each registered template and every template it extends, includes or imports, as the
    environment finds them (a variant's own first)."""
    env = environment(tuple(template_dirs))
    todo, seen, names = list(DOCUMENT_TYPES.values()), set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = env.parse(env.loader.get_source(env, name)[0])
        names |= {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
        names |= {n.attr for n in tree.find_all(nodes.Getattr)}
        names |= {n.arg.value for n in tree.find_all(nodes.Getitem) if isinstance(n.arg, nodes.Const)}
        todo += [ref for ref in meta.find_referenced_templates(tree) if ref]
    return frozenset(str(n) for n in names)


def check_templates(template_dirs: tuple = ()) -> None:
    """Parse every registered template: a missing file or a syntax error fails at start-up."""
    for name in DOCUMENT_TYPES.values():
        environment(template_dirs).get_template(name)


def render_html(doc_type: str, context: dict, template_dirs: tuple = ()) -> str:
    """The HTML of a document of ``doc_type`` (a key of DOCUMENT_TYPES, else KeyError), from the variant's
    template of that name when ``template_dirs`` has one."""
    template = environment(tuple(template_dirs)).get_template(DOCUMENT_TYPES[doc_type])
    images = {key: print_image(uri) if uri else "" for key, uri in (context.get("images") or {}).items()}
    return template.render({**context, "images": {"logo": "", "crest": "", **images},
                            "office": document_office(context["office"]), "fonts": FONTS})
