"""Accounts: authentication, sessions, throttling, passwords, roles, the privacy notice."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.accounts import repository
from app.accounts import scope as access
from app.accounts.principal import Principal
from app.accounts.scope import Scope
from app.asn.nip import InvalidNip, looks_like_nip, normalise_nip, validate_nip
from app.audit import service as audit
from app.config import get_settings
from app.core import clock, security
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import MAX_EMAIL, normalise_email
from app.models import (
    ApiToken,
    Instansi,
    LoginThrottle,
    Role,
    Unit,
    User,
    UserRole,
    UserSession,
)

PRIVACY_NOTICE_VERSION = "2026-11"
HR_NEEDS_INSTANSI = (
    "Peran BKPSDM (HR) selalu terikat pada satu instansi: tetapkan instansi pengguna terlebih "
    "dahulu."
)


@dataclass(frozen=True)
class LoginCheck:
    """The verdict on a login attempt, reached by reading only (the Argon2 check is slow and
    runs outside any write transaction); `record_failed_login` or `complete_login` writes it."""

    user_id: int | None
    throttle_key: str  # the (account, address) pair, see `_throttle_key`
    ok: bool = False
    error: str | None = None
    throttled: bool = False
    retry_after: int | None = None  # seconds, when throttled
    new_hash: str | None = None  # the password rehashed with today's parameters


def find_user(session: Session, username: str, *, details: bool = True) -> User | None:
    """The account a NIP or an e-mail address names. `details=False` loads its own columns
    only, in one statement whether or not it exists (for answers that must not tell)."""
    username = (username or "").strip()
    if not username or len(username) > MAX_EMAIL:
        return None  # nobody's NIP or address is that long: no lookup
    if "@" in username:
        return repository.user_by_email(session, username, details=details)
    if looks_like_nip(username):
        return repository.user_by_nip(session, normalise_nip(username), details=details)
    return None


def _throttle_key(username: str, user: User | None, address: str) -> str:
    """One counter per (account, address) pair (PRODUCT.md §6, NIST SP 800-63B §5.2.2).

    Not per account: an attacker elsewhere could then lock the owner out. Not per address: one
    office behind one address would lock itself out. An account is known by its id, so its NIP
    and its e-mail share one counter; a name that matches no account is counted by what was
    typed, so that an unknown NIP is throttled exactly like a known one and the answers reveal
    nothing. Hashed: the key has a fixed length and stores no typed text."""
    who = f"user:{user.id}" if user else "name:" + _typed_name(username)
    return "pair:" + hashlib.sha256(f"{who}|{address}".encode()).hexdigest()


def _typed_name(username: str) -> str:
    username = (username or "").strip().lower()
    return normalise_nip(username) if looks_like_nip(username) else username


def _retry_after(row: LoginThrottle | None) -> int | None:
    """Seconds until the pair may try again, or None when it is not throttled."""
    if row is None or row.locked_until is None:
        return None
    left = (row.locked_until - clock.now()).total_seconds()
    return math.ceil(left) if left > 0 else None


def count_failure(session: Session, key: str, limit: int) -> bool:
    """Count one failure for the pair; True when this one locks it."""
    settings = get_settings()
    now = clock.now()
    window = timedelta(minutes=settings.login_lock_minutes)
    row = repository.throttle_for_update(session, key, now=now)
    if row.window_started_at + window < now:
        row.failures = 0
        row.window_started_at = now
        row.locked_until = None
    row.failures += 1
    locks = row.failures >= limit and row.locked_until is None
    if row.failures >= limit:
        row.locked_until = now + window
    session.flush()
    return locks


def retry_after(session: Session, key: str) -> int | None:
    """Seconds until a throttled key may try again, or None."""
    return _retry_after(repository.throttle(session, key))


def within_limit(session: Session, *, key: str, limit: int, window: timedelta) -> bool:
    """Count one request under `key`; False (and not counted) once `limit` were counted in
    the window that began with the first of them. The login throttle's table and row lock,
    so every app process shares the count: the limits of self-service password reset
    (app/password_reset) use it under keys of their own."""
    now = clock.now()
    row = repository.throttle_for_update(session, key, now=now)
    if row.window_started_at + window <= now:
        row.failures = 0
        row.window_started_at = now
    allowed = row.failures < limit
    if allowed:
        row.failures += 1
    session.flush()
    return allowed


def throttled_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    # The same words whether or not the NIP or e-mail belongs to an account.
    return (
        "Terlalu banyak percobaan masuk yang gagal dengan NIP/email ini dari perangkat atau "
        f"jaringan Anda. Coba lagi dalam {minutes} menit, atau hubungi BKPSDM bila lupa "
        "kata sandi."
    )


def check_credentials(
    session: Session, *, username: str, password: str, address: str
) -> LoginCheck:
    """Check credentials against the throttle and the stored hash. Writes nothing."""
    user = find_user(session, username)
    key = _throttle_key(username, user, address)
    retry_after = _retry_after(repository.throttle(session, key))
    if retry_after is not None:
        # Refused before the password is checked: no Argon2 work for a throttled pair.
        return LoginCheck(
            None,
            key,
            error=throttled_message(retry_after),
            throttled=True,
            retry_after=retry_after,
        )

    ok = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        message = "NIP/email atau kata sandi salah, atau akun tidak aktif."
        return LoginCheck(user.id if user else None, key, error=message)
    if security.is_first_login_code(user.password_hash) and not _code_still_valid(user):
        # Said only to whoever typed the right code: reveals nothing to a guesser.
        message = (
            "Kata sandi sementara Anda sudah kedaluwarsa. Mintalah kata sandi sementara yang "
            "baru kepada BKPSDM atau admin instansi Anda."
        )
        return LoginCheck(user.id, key, error=message)
    new_hash = None
    if user.password_hash and security.needs_rehash(user.password_hash):
        new_hash = security.hash_password(password)
    return LoginCheck(user.id, key, ok=True, new_hash=new_hash)


def _code_still_valid(user: User) -> bool:
    expires = user.temporary_password_expires_at
    return expires is not None and expires > clock.now()


def issue_first_login_code(user: User) -> str:
    """Give the account a random first-login code; returns it (shown once, never stored).

    The code opens one session (or one API token), in which the holder must choose her own
    password; it is accepted once and only for `CAKAP_TEMPORARY_PASSWORD_DAYS` days. So a
    code that HR saw on an import report cannot be used behind the owner's back for long:
    if HR uses it, the owner's code no longer works and she asks for a new one."""
    code = temporary_password()
    user.password_hash = security.hash_first_login_code(code)
    user.must_change_password = True
    user.temporary_password_expires_at = clock.now() + timedelta(
        days=get_settings().temporary_password_days
    )
    return code


def record_failed_login(session: Session, *, check: LoginCheck) -> None:
    """Count a failure for the (account, address) pair; lock the pair past the limit. The
    failure is audited in the same unit of work: the account it was against (if one exists)
    and the address, never what was typed (a password typed into the NIP field stays
    unrecorded). Attempts refused by the throttle are neither checked nor counted (only
    failures count), and not audited one by one: the lock itself is (login.locked)."""
    settings = get_settings()
    audit.record(
        session,
        actor=None,
        action="login.failed",
        object_type="user" if check.user_id is not None else None,
        object_id=check.user_id,
    )
    if count_failure(session, check.throttle_key, settings.login_max_failures):
        user = session.get(User, check.user_id) if check.user_id is not None else None
        audit.record(
            session,
            actor=None,
            action="login.locked",
            object_type="user" if user else None,
            object_id=user.id if user else None,
            instansi_id=user.instansi_id if user else None,
        )


def complete_login(session: Session, *, check: LoginCheck) -> User:
    """The writes of a successful login: the account's failures forgotten, last login."""
    if not check.ok or check.user_id is None:
        raise Invalid(check.error or "Login gagal.")
    user = session.get(User, check.user_id)
    if user is None or not user.is_active:
        raise Invalid("NIP/email atau kata sandi salah, atau akun tidak aktif.")
    if row := repository.throttle(session, check.throttle_key):
        session.delete(row)  # the pair's failures are forgotten once it gets in
    if check.new_hash:
        user.password_hash = check.new_hash
    if security.is_first_login_code(user.password_hash):
        # Single use: the code is spent by this login; the session (or token) it opened may
        # only set the holder's own password (must_change_password stays until she does).
        user.password_hash = None
        user.temporary_password_expires_at = None
    user.last_login_at = clock.now()
    # Audited in the login's own transaction, flushed with its other writes.
    audit.record(
        session,
        actor=user,
        action="login",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
    )
    return user


def start_session(session: Session, *, user: User) -> str:
    """Create a server-side session; returns the cookie token (only its hash is stored)."""
    token = security.new_token()
    now = clock.now()
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    session.add(
        UserSession(
            token_hash=security.hash_token(token),
            user_id=user.id,
            expires_at=now + ttl,
            last_seen_at=now,
        )
    )
    session.flush()
    return token


# The idle clock moves at most this often per session: one small write every few minutes of
# activity instead of one per request, at the cost of this much slack in the idle timeout.
SESSION_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class SessionLookup:
    principal: Principal
    stale: bool  # last seen longer ago than SESSION_TOUCH_INTERVAL: move the idle clock


def session_lookup(session: Session, *, token: str) -> SessionLookup | None:
    """Who holds this session cookie: None once the session ended, expired, sat idle past
    CAKAP_SESSION_IDLE_MINUTES, or the account was deactivated. One query."""
    now = clock.now()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    found = repository.principal_by_token_hash(
        session, security.hash_token(token), now=now, idle_since=now - idle
    )
    if found is None:
        return None
    principal, last_seen = found
    return SessionLookup(principal, last_seen is None or last_seen < now - SESSION_TOUCH_INTERVAL)


def session_principal(session: Session, *, token: str) -> Principal | None:
    found = session_lookup(session, token=token)
    return found.principal if found else None


def touch_session(session: Session, *, token: str) -> None:
    """Move the idle clock of a session (a unit of work of its own, after the request)."""
    repository.touch_session(
        session,
        security.hash_token(token),
        now=clock.now(),
        older_than=clock.now() - SESSION_TOUCH_INTERVAL,
    )


def user_for_principal(session: Session, principal: Principal) -> User:
    user = repository.user_by_id(session, principal.id)
    if user is None:  # read in the principal's own transaction: only a concurrent deletion
        raise NotFound("Akun tidak ditemukan.")
    return user


def end_session(session: Session, *, token: str) -> None:
    user_id = repository.delete_session(session, security.hash_token(token))
    if user_id is not None:
        audit.record(
            session,
            actor=None,
            actor_id=user_id,
            action="logout",
            object_type="user",
            object_id=user_id,
        )


def end_all_sessions(session: Session, *, user: User) -> None:
    repository.delete_sessions_of(session, user.id)


def issue_access_token(session: Session, *, user: User) -> tuple[str, int]:
    token = security.new_token()
    ttl = get_settings().access_token_ttl_minutes * 60
    session.add(
        ApiToken(
            token_hash=security.hash_token(token),
            user_id=user.id,
            kind="access",
            expires_at=clock.now() + timedelta(seconds=ttl),
        )
    )
    session.flush()
    return token, ttl


def create_personal_token(session: Session, *, user: User, name: str) -> str:
    if not user.has_role("hr", "admin"):
        raise Forbidden("Token pribadi hanya untuk petugas BKPSDM dan admin.")
    name = name.strip()
    if not name:
        raise Invalid("Nama token wajib diisi.")
    token = security.new_token()
    lifetime = timedelta(days=get_settings().personal_token_days)
    row = ApiToken(
        token_hash=security.hash_token(token),
        user_id=user.id,
        kind="personal",
        name=name[:100],
        expires_at=clock.now() + lifetime,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=user, action="token.create", object_type="api_token", object_id=row.id
    )
    return token


def revoke_personal_token(session: Session, *, user: User, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.kind != "personal":
        raise NotFound()
    session.delete(row)
    audit.record(
        session, actor=user, action="token.revoke", object_type="api_token", object_id=token_id
    )


def token_principal(session: Session, *, token: str) -> Principal | None:
    """Who holds this bearer token: None once it expired, was revoked or the account was
    deactivated."""
    return repository.principal_by_api_token_hash(session, security.hash_token(token))


def new_password_problem(user: User, *, new: str, confirm: str) -> str | None:
    """Why a password the user chose (twice) is refused, or None: the one rule of the
    change-password page and the reset by e-mail (NIST SP 800-63B, security.password_problem)."""
    if new != confirm:
        return "Konfirmasi kata sandi tidak sama."
    return security.password_problem(
        new, user_inputs=(user.nip or "", user.email or "", *user.name.split())
    )


def replace_password(session: Session, *, user: User, password_hash: str) -> None:
    """Give the account a password hashed beforehand (outside the write transaction): any
    first-login code is spent, and every session and API token of the account ends."""
    user.password_hash = password_hash
    user.must_change_password = False
    user.temporary_password_expires_at = None
    repository.delete_sessions_of(session, user.id)
    session.flush()


def accept_privacy(session: Session, *, user: User) -> None:
    if user.privacy_accepted_at is None:
        user.privacy_accepted_at = clock.now()
        session.flush()
        audit.record(
            session,
            actor=user,
            action="privacy.accept",
            object_type="user",
            object_id=user.id,
            detail={"notice": PRIVACY_NOTICE_VERSION},
        )


def record_person_view(session: Session, *, person: User, viewer: User) -> None:
    """A person's details seen by someone else (HR, an admin) are audited (UU PDP): the one
    rule for reads of personal data, audit.record_personal_read."""
    audit.record_personal_read(
        session,
        viewer=viewer,
        holder=person,
        action="person.view",
        object_type="user",
        object_id=person.id,
    )


def set_digest_preference(session: Session, *, user: User, wants: bool) -> None:
    """Whether an HR officer receives the weekly digest of overdue people."""
    if not user.has_role("hr"):
        raise Forbidden("Ringkasan mingguan hanya untuk pengelola kepegawaian.")
    user.wants_digest = wants
    session.flush()


def hr_instansi_id(user: User) -> int | None:
    """The instansi an HR officer is scoped to (the role's scope, else her own). None means
    no scope, and so nobody to see: never "everyone without an instansi"."""
    for role in user.roles:
        if role.role == Role.hr:
            return role.instansi_id or user.instansi_id
    return None


def may_see_records_of(session: Session, viewer: User, owner: User) -> bool:
    """The person herself, HR whose scope covers her, and admins (app/accounts/scope.py)."""
    return access.may_see_records_of(session, viewer, owner)


def scope_of(session: Session, viewer: User) -> Scope:
    return access.scope_of(session, viewer)


def may_manage_person(session: Session, actor: User, person: User) -> bool:
    """Admins anyone; HR the learners in her scope, never trainers, HR or admins
    (app/accounts/scope.py)."""
    return access.may_manage_person(session, actor, person)


def create_user(
    session: Session,
    *,
    nip: str | None,
    name: str,
    password: str | None,
    roles: list[str],
    email: str | None = None,
    instansi: Instansi | None = None,
    unit: Unit | None = None,
    jenis_asn: str | None = "PNS",
    actor: User | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account. Raises Invalid with a message naming what is wrong."""
    number: str | None = None
    if nip and len(nip) > 40:
        raise Invalid("NIP tidak valid: terlalu panjang.")
    if nip:
        try:
            number = validate_nip(nip, kind=jenis_asn or "PNS", today=clock.today()).number
        except InvalidNip as exc:
            raise Invalid(f"NIP tidak valid: {exc.message}") from None
        if repository.user_by_nip(session, number):
            raise Conflict(f"NIP {number} sudah terdaftar.")
    name = (name or "").strip()
    if not name:
        raise Invalid("Nama wajib diisi.")
    if len(name) > 200:
        raise Invalid("Nama maksimal 200 karakter.")
    if email:
        email = normalise_email(email)
        if repository.user_by_email(session, email):
            raise Conflict(f"Email {email} sudah terdaftar.")
    if not number and not email:
        raise Invalid("NIP atau email wajib diisi.")
    bad_roles = [r for r in roles if r not in Role.__members__]
    if bad_roles or not roles:
        raise Invalid("Peran harus salah satu dari: learner, trainer, hr, admin.")
    if password is not None:
        problem = security.password_problem(password, user_inputs=(number or "", email or ""))
        if problem:
            raise Invalid(problem)
    if unit is not None and instansi is not None and unit.instansi_id != instansi.id:
        raise Invalid("Unit kerja tidak berada di instansi yang dipilih.")
    if "hr" in roles and instansi is None:
        raise Invalid(HR_NEEDS_INSTANSI)
    user = User(
        nip=number,
        email=email or None,
        name=name,
        jenis_asn=jenis_asn if number else None,
        instansi_id=instansi.id if instansi else None,
        unit_id=unit.id if unit else None,
        password_hash=security.hash_password(password) if password else None,
        must_change_password=must_change_password,
        is_active=True,
    )
    session.add(user)
    session.flush()
    for role in sorted(set(roles)):
        user.roles.append(
            UserRole(
                role=Role(role), instansi_id=instansi.id if role == "hr" and instansi else None
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
        detail={"roles": sorted(set(roles))},
    )
    return user


def set_roles(session: Session, *, user: User, roles: list[str], actor: User) -> None:
    """Replace a user's roles; removing a role ends every session at once."""
    wanted = set(roles)
    if not wanted or not wanted <= set(Role.__members__):
        raise Invalid("Pilih minimal satu peran yang valid.")
    if user.id == actor.id and "admin" not in wanted:
        raise Invalid("Anda tidak dapat mencabut peran admin Anda sendiri.")
    if "hr" in wanted - user.role_names and user.instansi_id is None:
        raise Invalid(HR_NEEDS_INSTANSI)
    current = user.role_names
    removed = current - wanted
    for row in list(user.roles):
        if row.role.value in removed:
            user.roles.remove(row)
    for name in sorted(wanted - current):
        user.roles.append(
            UserRole(role=Role(name), instansi_id=user.instansi_id if name == "hr" else None)
        )
    session.flush()
    if removed:
        repository.delete_sessions_of(session, user.id)
    audit.record(
        session,
        actor=actor,
        action="user.roles",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
        detail={"added": sorted(wanted - current), "removed": sorted(removed)},
    )


def set_active(session: Session, *, user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise Invalid("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    user.is_active = active
    if not active:
        repository.delete_sessions_of(session, user.id)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
    )


def may_reset_password(actor: User, user: User) -> bool:
    """Who may give someone a temporary password: an admin anyone; HR only learners of its
    own instansi, never staff (a trainer, HR or admin account), so that HR cannot take over
    an account with more rights than a learner's, nor one outside its scope."""
    if actor.has_role("admin"):
        return True
    if not actor.has_role("hr") or user.has_role("trainer", "hr", "admin"):
        return False
    scope = hr_instansi_id(actor)
    return scope is not None and scope == user.instansi_id


def reset_password(session: Session, *, user: User, actor: User) -> str:
    """Give the user a temporary password to change at next login; returns it once.
    Raises Forbidden unless `may_reset_password(actor, user)`."""
    if not may_reset_password(actor, user):
        raise Forbidden("Anda tidak berwenang mengatur ulang kata sandi akun ini.")
    temporary = issue_first_login_code(user)
    repository.delete_sessions_of(session, user.id)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.reset_password",
        object_type="user",
        object_id=user.id,
        instansi_id=user.instansi_id,
    )
    return temporary


def temporary_password() -> str:
    # Readable: no 0/O or 1/l confusion for a password read out over the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    import secrets

    # 16 characters of 31: 79 bits, out of reach of guessing even by someone holding the
    # keyed hash, so a fast hash suffices (security.hash_first_login_code).
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(body[i : i + 4] for i in range(0, 16, 4))


def user_by_id(session: Session, user_id: int, *, for_update: bool = False) -> User | None:
    """The account, or None; `for_update` locks its row for this transaction."""
    if for_update:
        return repository.user_for_update(session, user_id)
    return repository.user_by_id(session, user_id)


def get_user(session: Session, user_id: int) -> User:
    user = repository.user_by_id(session, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user


COUNTER_RETENTION = timedelta(days=1)


def sweep_expired_credentials(session: Session) -> dict[str, int]:
    """Remove expired sessions, tokens and spent login counters (run daily by the worker)."""
    settings = get_settings()
    now = clock.now()
    return repository.delete_expired_credentials(
        session,
        now=now,
        idle_since=now - timedelta(minutes=settings.session_idle_minutes),
        # Longer than any window counted in that table (logins: 15 minutes; password-reset
        # mails: an hour), so no live count is forgotten early.
        throttle_before=now - COUNTER_RETENTION,
    )
