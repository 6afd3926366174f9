"""Meldingen (work notifications) from LAVS and from companies, project overviews, logbooks."""
