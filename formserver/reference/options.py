"""Choices from reference data for fields with a ``source``."""


class References:
    """Reference data sets by name; the ``wilayah`` set serves the region cascade."""

    def __init__(self, wilayah):
        self.wilayah = wilayah

    def options(self, source: dict, parent_value) -> list[tuple[str, str]]:
        """(code, name) choices for a field's source, filtered by its parent's answer."""
        if source.get("reference") != "wilayah":
            return []
        rows = self.wilayah.children(source["level"], parent_value if source.get("parent") else None)
        return [(row["kode"], row["nama"]) for row in rows]
