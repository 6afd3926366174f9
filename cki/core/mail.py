"""Outgoing e-mail through the CKI's SMTP server (MAIL_* settings): one message, plain Dutch text,
files attached. A failure raises :class:`MailError` with the server's reason; the caller keeps its
work undone so nothing is recorded as sent that was not."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailError(Exception):
    pass


def configured() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def send(*, to: str, subject: str, body: str, attachments: tuple[tuple[str, str, bytes], ...] = ()) -> str:
    """Send one message; ``attachments`` are (file name, MIME type, content). Returns its Message-ID."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=cfg["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(body)
    for filename, mimetype, content in attachments:
        main, _, sub = mimetype.partition("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=filename)
    try:
        if cfg["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=float(cfg["MAIL_TIMEOUT"]),
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=float(cfg["MAIL_TIMEOUT"]))
        with smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    return message["Message-ID"]
