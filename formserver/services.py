"""The app's stages wired together once per process: store, reference data, forms, logic, messages."""
from pathlib import Path

from .accounts.codes import Codes
from .accounts.messages import Messenger
from .definition.load import FormRegistry
from .logic import Logic
from .reference import lingkungan
from .reference.bupm import BupmTables
from .reference.kbli import Kbli
from .reference.options import References
from .reference.risk import RiskTables
from .reference.wilayah import Wilayah
from .state import Evaluator
from .store import open_store
from .submissions import Submissions
from .validate import StepValidator

# read-only reference data: one copy per process, loaded on first use
_WILAYAH = Wilayah()
_KBLI = Kbli()


class Services:
    """Everything a request needs beyond the request itself."""

    def __init__(self, config: dict, store=None):
        self.config = config
        self.store = store or open_store(config)
        self.wilayah = _WILAYAH
        self.kbli = _KBLI
        # checked entry by entry at start: a mistake in an office's edit stops the start, naming the entry
        self.lingkungan = lingkungan.shipped()
        self.bupm = BupmTables(self.store, self.kbli)
        self.bupm.load_all()
        self.references = References(self.wilayah, lingkungan=self.lingkungan, bupm=self.bupm)
        self.logic = Logic(wilayah=self.wilayah, kbli=self.kbli, lingkungan=self.lingkungan)
        self.risk = RiskTables(self.store, self.kbli, self.logic)
        self.logic.context["risk"] = self.risk
        self.forms = FormRegistry(self.logic, self.store, config.get("FORMS_REFRESH_SECONDS", 2.0))
        from .versions import FormVersions
        self.versions = FormVersions(self)
        self.versions.import_shipped(Path(config["FORMS_DIR"]))  # what a deploy brings (docs/DECISIONS.md)
        self.evaluator = Evaluator(self.references)
        self.validator = StepValidator(self.evaluator, self.wilayah)
        self.messenger = Messenger(config)
        self.codes = Codes(self.store, config["SECRET_KEY"])
        self.submissions = Submissions(self)
        from .issue.issuance import Issuer
        self.issuer = Issuer(self)
