"""Choices from reference data for fields with a ``source``: a registry of named reference sets.

Each set answers ``options(level, parent_value)`` and declares its levels with the level its parent
field must list (``None``: no parent; ``"*"``: any earlier field, e.g. the KBLI code). The definition
check reads the same declaration, so a form cannot name a level the server does not serve.
"""
from .lingkungan import ANY_FIELD


class WilayahSource:
    """The region cascade: provinsi → kabupaten → kecamatan → kelurahan."""

    def __init__(self, wilayah):
        self.wilayah = wilayah

    @staticmethod
    def levels() -> dict[str, str | None]:
        from .wilayah import LEVELS
        return {level: (LEVELS[i - 1] if i else None) for i, level in enumerate(LEVELS)}

    def options(self, level: str, parent_value) -> list[tuple[str, str]]:
        return list(self.wilayah.pairs(level, parent_value))


class References:
    """Reference sets by name: ``wilayah`` always, others (``lingkungan``, ``bupm``) as given."""

    def __init__(self, wilayah, **sources):
        self.sources = {"wilayah": WilayahSource(wilayah), **sources}

    def levels(self) -> dict[str, dict[str, str | None]]:
        """{set name: {level: parent level}} for the definition check."""
        return {name: source.levels() for name, source in self.sources.items()}

    def options(self, source: dict, parent_value) -> list[tuple[str, object]]:
        """(code, label) choices for a field's source, filtered by its parent's answer."""
        found = self.sources.get(source.get("reference"))
        if found is None:
            return []
        options = found.options(source["level"], parent_value if source.get("parent") else None)
        only = source.get("only")
        if only is None:
            return options
        allowed = {str(value) for value in only}  # a variant's restriction (formserver/variants)
        return [(code, label) for code, label in options if str(code) in allowed]


__all__ = ["ANY_FIELD", "References", "WilayahSource"]
