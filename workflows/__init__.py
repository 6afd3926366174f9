"""Domain rules for a CKI's asbestos certification workflows (Bijlage XIIIa, SC-540 and SC-530).

Pure Python: no web framework or database. Every term, table and threshold is versioned
scheme data (``workflows/schemes/data``) with its source; the code only applies it.

- :mod:`workflows.calendar`: working days (werkdagen) and explained deadlines.
- :mod:`workflows.schemes`: the scheme versions and their parameters.
- :mod:`workflows.rules`: deadlines, timelines and counts that explain themselves.
"""
