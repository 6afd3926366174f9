"""A tiny IMAP4rev1 server on localhost, just enough for ImapSource and the real imaplib.

It behaves like a real server where it matters for us: FETCH BODY[] sets \\Seen and
BODY.PEEK[] does not; UIDs are stable; UIDVALIDITY can be changed to simulate a renumbered
folder. Plain TCP only (ImapSource(ssl=False)).
"""
from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field

_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class Mailbox:
    user: str = "lavs"
    password: str = 'geheim "wachtwoord"'
    folder: str = "LAVS meldingen"
    uidvalidity: int = 42
    messages: dict[int, tuple[bytes, set[str]]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, data: bytes, *flags: str) -> int:
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = (data, set(flags))
        return uid

    def seen(self, uid: int) -> bool:
        return "\\Seen" in self.messages[uid][1]


def _tokens(line: bytes) -> list[str]:
    """Split a command line into atoms and (unescaped) quoted strings."""
    return [(plain or re.sub(rb"\\(.)", rb"\1", quoted)).decode() for quoted, plain in _TOKEN.findall(line)]


class _Handler(socketserver.StreamRequestHandler):
    def send(self, text: str | bytes):
        self.wfile.write(text if isinstance(text, bytes) else text.encode())

    def handle(self):
        box = self.server.mailbox
        self.send("* OK fake IMAP4rev1 ready\r\n")
        selected = False
        for raw in self.rfile:
            tokens = _tokens(raw.rstrip(b"\r\n"))
            if len(tokens) < 2:
                self.send("* BAD no command\r\n")
                continue
            tag, command, *args = tokens
            command = command.upper()
            with box.lock:
                box.commands.append(" ".join([command, *args]))
                if command == "CAPABILITY":
                    self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
                elif command == "LOGIN":
                    if args == [box.user, box.password]:
                        self.send(f"{tag} OK logged in\r\n")
                    else:
                        self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
                elif command == "SELECT":
                    if args != [box.folder]:
                        self.send(f"{tag} NO [NONEXISTENT] Unknown mailbox\r\n")
                        continue
                    selected = True
                    self.send(f"* {len(box.messages)} EXISTS\r\n* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid\r\n"
                              f"{tag} OK [READ-WRITE] SELECT completed\r\n")
                elif command == "UID" and selected:
                    self.uid(box, tag, args)
                elif command == "LOGOUT":
                    self.send(f"* BYE\r\n{tag} OK bye\r\n")
                    return
                else:
                    self.send(f"{tag} BAD unsupported\r\n")

    def uid(self, box: Mailbox, tag: str, args: list[str]):
        sub, *rest = args
        sub = sub.upper()
        seqs = {uid: n for n, uid in enumerate(sorted(box.messages), start=1)}
        if sub == "SEARCH" and rest == ["UNSEEN"]:
            found = "".join(f" {uid}" for uid in sorted(box.messages) if not box.seen(uid))
            self.send(f"* SEARCH{found}\r\n{tag} OK search done\r\n")
        elif sub == "FETCH" and rest[1] in ("(BODY[])", "(BODY.PEEK[])"):
            uid = int(rest[0])
            if uid in box.messages:
                data, flags = box.messages[uid]
                if rest[1] == "(BODY[])":
                    flags.add("\\Seen")  # what a real server does on a non-PEEK fetch
                self.send(f"* {seqs[uid]} FETCH (UID {uid} BODY[] {{{len(data)}}}\r\n".encode() + data + b")\r\n")
            self.send(f"{tag} OK fetch done\r\n")
        elif sub == "STORE" and rest[1:] == ["+FLAGS", "(\\Seen)"]:
            uid = int(rest[0])
            if uid in box.messages:
                box.messages[uid][1].add("\\Seen")
                self.send(f"* {seqs[uid]} FETCH (UID {uid} FLAGS (\\Seen))\r\n")
            self.send(f"{tag} OK store done\r\n")
        else:
            self.send(f"{tag} BAD unsupported UID command\r\n")


class FakeImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()
