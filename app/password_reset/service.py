"""Self-service password reset by e-mail (offered only when CAKAP_SMTP_URL is set).

The link carries a signed token and no table holds it: `<user id>.<expiry>.<signature>`, the
signature an HMAC (its key derived from CAKAP_SECRET_KEY for this purpose alone) over the id,
the expiry and the account's current password hash, active flag and e-mail address. So a link
dies the moment the password changes (it is single-use: using it changes the password), the
account is deactivated or its address changes, and RESET_MINUTES after it was made. Nothing
to store, clean up or leak from a table.

Asking for a link answers the same whatever is typed (PRODUCT.md §6: nothing may reveal
whether a NIP or an address has an account), and the request does the same work either way:
both limits below are counted for known and unknown names alike, then one audit row and one
job; the worker (`tasks.send_link`) writes the message into the outbox only for an active
account with an address, and delivers it.

Limits, counted in the login throttle's table (shared by every app process): per client
address, REQUESTS_PER_ADDRESS an hour (one address spraying many accounts); per account,
MAILS_PER_ACCOUNT an hour (nobody's inbox is flooded). A request over a limit gets the same
answer and no mail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.asn.nip import looks_like_nip, normalise_nip
from app.audit import service as audit
from app.config import get_settings
from app.core import clock, security
from app.core.db import Database
from app.jobs.queue import after_commit
from app.mail import service as mail
from app.models import User

RESET_MINUTES = 60
RESET_TTL = timedelta(minutes=RESET_MINUTES)
WINDOW = timedelta(hours=1)
MAILS_PER_ACCOUNT = 3
REQUESTS_PER_ADDRESS = 20
TEMPLATE = "password_reset"

_PURPOSE = b"cakap/password-reset/v1"
# <user id>.<expiry, Unix seconds>.<HMAC-SHA256, base64url without padding>
_TOKEN = re.compile(r"^([1-9][0-9]{0,11})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$")

INVALID = (
    "Tautan atur ulang kata sandi ini tidak berlaku. Tautan hanya dapat dipakai satu kali, "
    "tidak berlaku lagi setelah kata sandi diubah, dan harus disalin utuh dari email."
)
EXPIRED = (
    "Tautan atur ulang kata sandi ini sudah kedaluwarsa: tautan hanya berlaku "
    f"{RESET_MINUTES} menit setelah dikirim."
)


def available() -> bool:
    """Self-service reset needs a way to reach the owner: a mail server."""
    return get_settings().mail_configured


def _key() -> bytes:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def _signature(user: User, expires: int) -> str:
    state = "\x00".join(
        (
            str(user.id),
            str(expires),
            user.password_hash or "",
            "active" if user.is_active else "inactive",
            (user.email or "").lower(),
        )
    )
    digest = hmac.new(_key(), state.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(user: User) -> str:
    expires = int((clock.now() + RESET_TTL).timestamp())
    return f"{user.id}.{expires}.{_signature(user, expires)}"


@dataclass(frozen=True)
class TokenCheck:
    """Whose link it is, or why it is refused (status 400: not or no longer valid; 410:
    expired)."""

    user: User | None
    error: str | None = None
    status: int = 200


def check_token(session: Session, token: str, *, for_update: bool = False) -> TokenCheck:
    """`for_update` locks the account's row, so that two uses of one link at once cannot both
    pass: the second then sees the new password hash, and the signature no longer matches."""
    match = _TOKEN.match(token or "")
    if match is None:
        return TokenCheck(None, INVALID, 400)
    user_id, expires = int(match.group(1)), int(match.group(2))
    if expires <= clock.now().timestamp():
        return TokenCheck(None, EXPIRED, 410)
    user = accounts.user_by_id(session, user_id, for_update=for_update)
    if (
        user is None
        or not user.is_active
        or not user.email
        or not hmac.compare_digest(_signature(user, expires), match.group(3))
    ):
        return TokenCheck(None, INVALID, 400)
    return TokenCheck(user)


def _limit_key(kind: str, value: str) -> str:
    # Hashed: the table's keys have a fixed length and hold no typed text and no address.
    return f"reset-{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def _typed_name(username: str) -> str:
    # A NIP typed with spaces or dots is one name, however it is written.
    username = (username or "").strip().lower()
    return normalise_nip(username) if looks_like_nip(username) else username[:254]


def request_reset(session: Session, *, username: str, address: str) -> None:
    """Count the request against both limits; within them, audit it and hand it to the worker,
    which writes the link's message when the account exists, is active and has an address.
    Tells the caller nothing either way, and does the same work for every name typed."""
    if not available():
        return
    user = accounts.find_user(session, username, details=False)
    if not accounts.within_limit(
        session,
        key=_limit_key("address", address),
        limit=REQUESTS_PER_ADDRESS,
        window=WINDOW,
    ):
        return
    who = f"user:{user.id}" if user else "name:" + _typed_name(username)
    if not accounts.within_limit(
        session, key=_limit_key("account", who), limit=MAILS_PER_ACCOUNT, window=WINDOW
    ):
        return
    # From here on the same writes whoever was named (audited like a failed login: the
    # account when there is one, never what was typed) and one job: rendering and queueing
    # the message, and its delivery job, only for real accounts would make them answer
    # measurably slower.
    audit.record(
        session,
        actor=None,
        action="password.reset_request",
        object_type="user" if user else None,
        object_id=user.id if user else None,
        instansi_id=user.instansi_id if user else None,
    )
    from app.password_reset import tasks

    after_commit(session, tasks.send_link, user.id if user else None, clock.token(16))


def send_link(database: Database, *, user_id: int | None, nonce: str) -> bool:
    """The worker's half of a request: queue the link's message to an active account with an
    address (once per request, whatever the retries: keyed by the request's nonce)."""
    if user_id is None or not available():
        return False
    with database.unit_of_work() as session:
        user = accounts.user_by_id(session, user_id)
        if user is None or not user.is_active or not user.email:
            return False
        base = get_settings().base_url.rstrip("/")
        queued = mail.queue(
            session,
            to=user.email,
            template=TEMPLATE,
            context={
                "name": user.name,
                "link": f"{base}/password/reset/{make_token(user)}",
                "minutes": RESET_MINUTES,
            },
            key=f"password-reset:{nonce}",
        )
        return queued is not None


@dataclass(frozen=True)
class PreparedReset:
    """A new password checked and hashed before the write transaction (Argon2 is slow), or
    why it cannot be set (status 400 or 410: the link; 422: the password)."""

    token: str
    new_hash: str | None = None
    error: str | None = None
    status: int = 200


def prepare_reset(session: Session, *, token: str, new: str, confirm: str) -> PreparedReset:
    """Reads only: the link, the password rules of the change-password page, then Argon2."""
    check = check_token(session, token)
    if check.user is None:
        return PreparedReset(token, error=check.error, status=check.status)
    if problem := accounts.new_password_problem(check.user, new=new, confirm=confirm):
        return PreparedReset(token, error=problem, status=422)
    return PreparedReset(token, new_hash=security.hash_password(new))


def complete_reset(session: Session, *, prepared: PreparedReset) -> TokenCheck:
    """Set the prepared password if the link is still valid: checked again with the account's
    row locked, so a link used meanwhile (or a password changed meanwhile) is refused. Every
    session and API token of the account ends; any first-login code is spent."""
    if prepared.new_hash is None:
        raise ValueError("nothing to set: the prepared reset was refused")
    check = check_token(session, prepared.token, for_update=True)
    if check.user is None:
        return check
    accounts.replace_password(session, user=check.user, password_hash=prepared.new_hash)
    audit.record(
        session,
        actor=check.user,
        action="password.reset",
        object_type="user",
        object_id=check.user.id,
        instansi_id=check.user.instansi_id,
    )
    return check
