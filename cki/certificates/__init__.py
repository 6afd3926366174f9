"""Certificates (procescertificaten): number, holder, branches, validity, status, PDF (RULES.md §3)."""
