"""Surveillance (toezicht) after the grant: programmes per period, audits, catch-up (RULES.md §4)."""
