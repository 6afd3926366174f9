"""The public rules API and CLI: the werkdagen calendar and scheme rules of ``workflows``.

No login: companies' own systems, the UI and acceptance checks use it. Every answer
carries the rule that set it and the non-working days it skipped.
"""
