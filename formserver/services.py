"""The app's stages wired together once per process: store, reference data, forms, logic, messages."""
from pathlib import Path

from . import upgrades
from .accounts.codes import Codes
from .accounts.messages import Messenger
from .definition.check import checked
from .definition.load import FormRegistry, registries
from .logic import Logic
from .reference import lingkungan
from .reference.bupm import BupmTables
from .reference.kbli import Kbli
from .reference.options import References
from .reference.risk import RiskTables
from .reference.wilayah import Wilayah
from .state import Evaluator
from .submissions import Submissions
from .validate import StepValidator
from .variants import ReferenceValues, RunningVariant
from .variants.identity import signature

# read-only reference data: one copy per process, loaded on first use
_WILAYAH = Wilayah()
_KBLI = Kbli()


class Services:
    """Everything a request needs beyond the request itself."""

    def __init__(self, config: dict, store=None):
        self.config = config
        # records of an older shape are upgraded first, once per store (the forms' modules say how)
        self.store = upgrades.open_upgraded(config, store)
        # the office this server runs (FORMSERVER_VARIANT): identity, overlays, templates, local reference data
        self.variant = RunningVariant.from_config(config)
        self.wilayah = _WILAYAH
        flags = self.variant.variant.reference_file("perizinan_tunggal.csv")
        self.kbli = Kbli(flags_path=flags) if flags else _KBLI
        # checked entry by entry at start: a mistake in an office's edit stops the start, naming the entry
        own = self.variant.variant.reference_file("lingkungan.json")
        self.lingkungan = lingkungan.load(own, self.kbli) if own else lingkungan.shipped()
        self.bupm = BupmTables(self.store, self.kbli, self.variant.variant.reference_file("bupm_kegiatan.csv"))
        self.bupm.load_all()
        self.references = References(self.wilayah, lingkungan=self.lingkungan, bupm=self.bupm)
        self.logic = Logic(wilayah=self.wilayah, kbli=self.kbli, lingkungan=self.lingkungan)
        self.risk = RiskTables(self.store, self.kbli, self.logic)
        self.logic.context["risk"] = self.risk
        self.variant.bind(ReferenceValues(self.wilayah, self.lingkungan),
                          lambda definition: checked(definition, registries(), self.logic))
        self.forms = FormRegistry(self.logic, self.store, config.get("FORMS_REFRESH_SECONDS", 2.0),
                                  transform=self.variant.transform)
        from .versions import FormVersions
        self.versions = FormVersions(self)
        self.versions.import_shipped(Path(config["FORMS_DIR"]))  # what a deploy brings (docs/DECISIONS.md)
        from .variant_versions import VariantVersions
        self.variant_versions = VariantVersions(self, config.get("FORMS_REFRESH_SECONDS", 2.0))
        self.variant_versions.start()  # the folder imported, the published version of the variant served
        self.evaluator = Evaluator(self.references)
        self.validator = StepValidator(self.evaluator, self.wilayah)
        self.messenger = Messenger(config, signature=lambda: signature(self.variant.identity))
        self.codes = Codes(self.store, config["SECRET_KEY"])
        self.submissions = Submissions(self)
        from .issue.issuance import Issuer
        self.issuer = Issuer(self)
