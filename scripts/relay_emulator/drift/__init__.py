"""Drift detection inside the emulator: template-declared properties against moto's live state.

The API layer (`scripts/relay_emulator/drift/api.py`) only wires these modules into moto; the
comparison lives here so each resource type stays one small module (`resources/`).
"""
