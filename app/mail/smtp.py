"""Sending one message through the SMTP server of CAKAP_SMTP_URL.

smtp://user:password@host:587          STARTTLS (required), then login if a user is given
smtps://user:password@host:465         TLS from the first byte
smtp://host:25?tls=none                no TLS: only for a relay on the same host or network
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: str  # "starttls" | "implicit" | "none"
    username: str | None
    password: str | None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError("CAKAP_SMTP_URL must look like smtp://user:pass@host:587")
        query = parse_qs(parts.query)
        if parts.scheme == "smtps":
            tls = "implicit"
        elif query.get("tls", [""])[0] == "none":
            tls = "none"
        else:
            tls = "starttls"
        default_port = {"implicit": 465, "starttls": 587, "none": 25}[tls]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.tls == "implicit":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if self.tls == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)
