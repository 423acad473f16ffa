"""Clearly fake demo data: the demo seed and the scale generator (tests and operators only)."""
