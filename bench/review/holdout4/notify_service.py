import logging
import os
import smtplib
from email.message import EmailMessage

import httpx

log = logging.getLogger(__name__)
SLACK_WEBHOOK = os.environ["SLACK_WEBHOOK"]


def send_email(to: str, subject: str, body: str) -> bool:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = to, subject
    msg.set_content(body)
    try:
        with smtplib.SMTP(os.environ["SMTP_HOST"], 587, timeout=10) as smtp:
            smtp.starttls()
            smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError):
        log.exception("email to %s failed", to)
        return False
    return True


def post_to_slack(text: str) -> None:
    httpx.post(SLACK_WEBHOOK, json={"text": text})  # expect: unhandled_external_call


def notify_user(user, reset_token: str) -> None:
    log.info("sending reset link to %s", user.email)
    log.debug("reset token for %s is %s", user.email, reset_token)  # expect: sensitive_data_in_logs
