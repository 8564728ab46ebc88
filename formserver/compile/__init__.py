"""Compile a checked definition once: parsed rules, per-step marshmallow schemas, a field index."""
from .form import CompiledField, CompiledForm, CompiledStep, compile_form

__all__ = ["CompiledField", "CompiledForm", "CompiledStep", "compile_form"]
