"""A reference receiver for the signed HTTPS transport, as a register would run it: it checks the
HMAC signature and the timestamp, keeps each message once by its id (deliveries are at least once),
and can fail its first N requests or be down, to test the sender's retries."""
import hashlib
import hmac
import threading
import time

from flask import Flask, request
from werkzeug.serving import make_server


def make_receiver(secret: str, *, fail_first: int = 0) -> Flask:
    app = Flask("register_receiver")
    app.config.update(SECRET=secret, FAIL_FIRST=fail_first)
    app.messages = {}  # message id -> document, in the order first received
    app.requests = 0

    @app.post("/messages")
    def receive():
        app.requests += 1
        if app.requests <= app.config["FAIL_FIRST"]:
            return {"error": "tijdelijk niet beschikbaar"}, 503
        body, timestamp = request.get_data(), request.headers.get("X-CKI-Timestamp", "")
        expected = "sha256=" + hmac.new(app.config["SECRET"].encode(), timestamp.encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-CKI-Signature", "")):
            return {"error": "handtekening klopt niet"}, 401
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return {"error": "tijdstempel te oud"}, 401
        document = request.get_json()
        if str(document["message_id"]) != request.headers.get("X-CKI-Message-Id"):
            return {"error": "bericht-id verschilt"}, 400
        app.messages.setdefault(document["message_id"], document)
        return {"received": document["message_id"]}, 200

    return app


class Running:
    """The receiver served on loopback in a thread."""

    def __init__(self, app: Flask):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
