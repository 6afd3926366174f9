"""How register messages reach the SCA register: an e-mail with the certificate PDF attached to the
register's address (the annex asks for the certificate "elektronisch, in pdf-format"), or a JSON
POST over HTTPS signed with HMAC-SHA256 over the timestamp and the body with a shared secret, for a
register that offers an endpoint. Each raises :class:`DeliveryError` with the reason; the message
id in every delivery lets the receiver drop repeats (delivery is at least once)."""
import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from flask import current_app

from cki.core import mail


class DeliveryError(Exception):
    pass


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp.body``: what the receiver recomputes to trust a message."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _document(message, pdf: bytes | None) -> dict:
    document = {"message_id": message.id, "kind": message.kind, "certificate": message.payload,
                "created_at": message.created_at.isoformat()}
    if pdf is not None:
        document["certificate_pdf_base64"] = base64.b64encode(pdf).decode()
    return document


def send_email(message, pdf: bytes | None) -> None:
    cfg = current_app.config
    number = message.payload.get("number") or f"dossier {message.payload.get('dossier_id', '')}"
    attachments = ((f"certificaat-{number.replace('/', '-')}.pdf", "application/pdf", pdf),) if pdf else ()
    try:
        mail.send(to=cfg["REGISTER_EMAIL"], subject=f"Certificatenregister: {message.kind} {number} "
                                                    f"(bericht {message.id})",
                  body=json.dumps(_document(message, None), ensure_ascii=False, indent=2), attachments=attachments)
    except mail.MailError as error:
        raise DeliveryError(str(error)) from error


def send_https(message, pdf: bytes | None) -> None:
    cfg = current_app.config
    body = json.dumps(_document(message, pdf), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(cfg["REGISTER_URL"], data=body, method="POST", headers={
        "Content-Type": "application/json", "X-CKI-Message-Id": str(message.id), "X-CKI-Timestamp": timestamp,
        "X-CKI-Signature": signature(cfg["REGISTER_SECRET"], timestamp, body)})
    try:
        with urllib.request.urlopen(request, timeout=float(cfg["REGISTER_TIMEOUT"])) as answer:
            if not 200 <= answer.status < 300:
                raise DeliveryError(f"HTTP {answer.status}")
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}: {error.read()[:300].decode(errors='replace')}") from error
    except OSError as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error


TRANSPORTS = {"email": send_email, "https": send_https}
