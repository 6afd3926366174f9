"""Global search (zoeken): one box on every staff page for a company (name, KvK number), a
certificate (number, holder), a melding (number, postcode, LAVS project) or a dossier (number)."""
