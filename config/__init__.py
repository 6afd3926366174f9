"""Configuration: defaults in :mod:`config.defaults`, overridden by the environment.

Every key can be set as an environment variable of the same name; ``create_app``
overrides win over both (tests use them).
"""
import os

from . import defaults

_BOOL = {"1": True, "true": True, "yes": True, "on": True,
         "0": False, "false": False, "no": False, "off": False, "": False}


def _coerce(default, raw: str):
    if isinstance(default, bool):
        return _BOOL.get(raw.strip().lower(), False)
    if isinstance(default, int):
        return int(raw)
    return raw


def load(environ=os.environ) -> dict:
    """Return the settings: every upper-case name in ``defaults``, env wins."""
    settings = {}
    for key in dir(defaults):
        if not key.isupper():
            continue
        value = getattr(defaults, key)
        if key in environ:
            value = _coerce(value, environ[key])
        settings[key] = value
    return settings
