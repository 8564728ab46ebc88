"""The reference data's values, for the overlay checks: is a code in a set's level, and under which parent."""


class ReferenceValues:
    """``known(source, value)``/``parent_of(source, value)`` over the region tables and the environmental kinds.

    A set this class cannot check answers None, and the overlay refuses to restrict it (never a guess)."""

    def __init__(self, wilayah=None, lingkungan=None):
        self._wilayah, self._lingkungan = wilayah, lingkungan

    @property
    def wilayah(self):
        if self._wilayah is None:
            from ..reference.wilayah import Wilayah
            self._wilayah = Wilayah()
        return self._wilayah

    @property
    def lingkungan(self):
        if self._lingkungan is None:
            from ..reference import lingkungan
            self._lingkungan = lingkungan.shipped()
        return self._lingkungan

    def known(self, source: dict, value) -> bool | None:
        reference, level = source.get("reference"), source.get("level")
        if reference == "wilayah":
            from ..reference.wilayah import LEVELS
            return level in LEVELS and isinstance(value, str) and self.wilayah.exists(level, value)
        if reference == "lingkungan" and level == "jenis_usaha":
            return value in self.lingkungan.kinds
        return None

    def parent_of(self, source: dict, value):
        if source.get("reference") == "wilayah" and isinstance(value, str):
            return self.wilayah.parent_of(source.get("level"), value)
        return None
