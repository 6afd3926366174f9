"""Files people upload: their names are the sender's, so they are cleaned before they are kept."""
import re
from pathlib import PurePosixPath

#: Control characters, and what cannot be stored as UTF-8 (a lone surrogate).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
MAX_NAME = 200


def safe_filename(filename: str | None, fallback: str | None = None) -> str | None:
    """The file name without directories, control characters or surrogates, at most 200
    characters; ``fallback`` when nothing usable is left."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = _UNSAFE.sub("", name).strip()[-MAX_NAME:]
    return name if name not in ("", ".", "..") else fallback
