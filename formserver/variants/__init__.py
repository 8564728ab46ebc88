"""Regional variants: an office's identity and its overlays on the national forms (``variants/<name>/``).

The public surface (docs/VARIANTS.md):

- :func:`read_variant` (a folder, checked) and :class:`Variant`; :class:`RunningVariant` (FORMSERVER_VARIANT);
- :func:`validate_overlay` (a variant document against the base definitions: problems with JSON pointers),
  :func:`apply_overlay` / :func:`overlay_problems` / :func:`effective` (one form's operations);
- :func:`office_of` / :func:`current_identity` / :func:`current_office` (the identity as pages and documents
  read it); :func:`image_problems` (logo and crest uploads: PNG/JPEG, 1 MB at most).
"""
from .identity import current_identity, current_office, office_of, service_standard
from .images import MAX_IMAGE_BYTES, image_problems, image_type
from .overlay import OPERATIONS, apply_overlay, effective, locate, overlay_problems
from .references import ReferenceValues
from .runtime import RunningVariant
from .texts import markup_problems
from .variant import DEFAULT_VARIANT, SCHEMA, VARIANTS_DIR, Variant, VariantError, read_variant, schema_problems, validate_overlay

__all__ = ["DEFAULT_VARIANT", "MAX_IMAGE_BYTES", "OPERATIONS", "SCHEMA", "VARIANTS_DIR", "ReferenceValues",
           "RunningVariant", "Variant", "VariantError", "apply_overlay", "current_identity", "current_office",
           "effective", "image_problems", "image_type", "locate", "markup_problems", "office_of", "overlay_problems",
           "read_variant", "schema_problems", "service_standard", "validate_overlay"]
