"""A mail server on 127.0.0.1 for tests: speaks enough SMTP to take messages and keeps them."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0


@contextmanager
def local_mail_server() -> Iterator[Mailbox]:
    """An SMTP server (no TLS: a relay on the same host) for the block; what it received."""
    box = Mailbox()

    class Session(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 localhost test mail server")
            while line := self.rfile.readline():
                verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
                if verb == "EHLO":
                    self.reply("250 localhost")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    data = b""
                    while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    box.messages.append(message_from_bytes(data, policy=policy.default))  # type: ignore[arg-type]
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.reply("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
    server.daemon_threads = True
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
