"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
from cki import create_app

app = create_app()
