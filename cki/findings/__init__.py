"""Findings and the procedures they run: category A (T1–T6), the non-A path, B raised to A (RULES.md §6)."""
