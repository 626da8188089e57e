"""Words patients read: the reminder email. Plain language, checked at or below grade 6."""

from __future__ import annotations

from datetime import date

from spinepath.follow_up.patient_text import CLINIC_HELP


def questionnaire_email(
    given_name: str, clinic_name: str, url: str, expires_on: date
) -> tuple[str, str]:
    """Subject and plain-text body of the questionnaire reminder."""
    subject = f"Your back check-up from {clinic_name}"
    body = (
        f"Hello {given_name},\n\n"
        "It is time for your back check-up. Please answer a few short questions about your "
        "pain and how you get around. It takes about ten minutes.\n\n"
        f"Open this link on your phone or computer:\n{url}\n\n"
        f"The link is just for you. Please do not share it. It works one time, until "
        f"{expires_on.strftime('%-d %B %Y')}.\n\n"
        f"{CLINIC_HELP}\n\n"
        f"{clinic_name}\n"
    )
    return subject, body
