"""Initial certification dossiers: from application to decision and certificate."""
