"""People and systems that act: staff, company users, API clients."""
