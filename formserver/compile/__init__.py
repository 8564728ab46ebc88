"""Compile a checked definition once: parsed rules, each field's converter from its field type, a field index."""
from .form import CompiledField, CompiledForm, CompiledStep, compile_form

__all__ = ["CompiledField", "CompiledForm", "CompiledStep", "compile_form"]
