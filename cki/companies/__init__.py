"""Certificate holders and candidates: companies and their branches."""
