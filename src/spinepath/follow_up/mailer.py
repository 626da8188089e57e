"""Sending email: an interface, and the SMTP implementation the worker uses.

A failure is *temporary* (the server could not be reached, or answered 4xx: try again later) or
*permanent* (5xx, a refused address: retrying will not help). A send that the server accepted
never raises, even if closing the connection afterwards fails, so an accepted email is never
sent twice because of a late network error.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from spinepath.settings import Settings


class MailTemporaryFailure(Exception):
    pass


class MailPermanentFailure(Exception):
    pass


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout_seconds: float = 10,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout_seconds = timeout_seconds
        self.starttls = starttls
        self.username = username
        self.password = password

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            timeout_seconds=settings.smtp_timeout_seconds,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
        except (OSError, smtplib.SMTPException) as error:
            raise MailTemporaryFailure(f"cannot reach {self.host}:{self.port}: {error}") from None
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise MailPermanentFailure(f"recipient refused: {error.recipients}") from None
        except smtplib.SMTPResponseException as error:
            kind = MailPermanentFailure if 500 <= error.smtp_code < 600 else MailTemporaryFailure
            raise kind(f"server answered {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise MailTemporaryFailure(f"sending failed: {error}") from None
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        if refused:
            raise MailPermanentFailure(f"recipient refused: {sorted(refused)}")
