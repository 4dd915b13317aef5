"""The issuing agency and signatory printed on certificates: admin settings in the database,
falling back to the CAKAP_ISSUER_* / CAKAP_SIGNATORY_* configuration."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from app.asn.nip import InvalidNip, validate_nip
from app.audit import service as audit
from app.config import get_settings
from app.core.errors import Invalid
from app.models import AppSetting, User

KEY = "certificate.issuer"
MAX_LOGO_BYTES = 200 * 1024
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png"}


@dataclass
class Issuer:
    parent: str
    name: str
    code: str
    place: str
    signatory_name: str
    signatory_nip: str
    signatory_title: str
    logo: str | None = None  # a data: URI, or None for the design's own logo


def current(session: Session) -> Issuer:
    settings = get_settings()
    base = Issuer(
        parent=settings.issuer_parent,
        name=settings.issuer_name,
        code=settings.issuer_code,
        place=settings.issuer_place,
        signatory_name=settings.signatory_name,
        signatory_nip=settings.signatory_nip,
        signatory_title=settings.signatory_title,
    )
    row = session.get(AppSetting, KEY)
    if row is not None and isinstance(row.value, dict):
        for field, value in row.value.items():
            if hasattr(base, field) and value:
                setattr(base, field, value)
    return base


def _logo_uri(data: bytes) -> str:
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid("Logo maksimal 200 KB.")
    for magic, mime in LOGO_TYPES.items():
        if data.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(data).decode()}"
    raise Invalid("Logo harus berkas PNG.")


def update(session: Session, *, values: dict[str, str], logo: bytes | None, actor: User) -> Issuer:
    clean = {
        k: (values.get(k) or "").strip()
        for k in (
            "parent",
            "name",
            "code",
            "place",
            "signatory_name",
            "signatory_nip",
            "signatory_title",
        )
    }
    missing = [k for k, v in clean.items() if not v]
    if missing:
        raise Invalid("Semua isian wajib diisi.")
    if not clean["code"].replace("-", "").isalnum() or len(clean["code"]) > 30:
        raise Invalid("Kode penerbit berupa huruf, angka, dan tanda hubung (maksimal 30).")
    try:
        clean["signatory_nip"] = validate_nip(clean["signatory_nip"]).number
    except InvalidNip as exc:
        raise Invalid(f"NIP penanda tangan tidak valid: {exc.message}") from None
    row = session.get(AppSetting, KEY)
    previous = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
    value: dict[str, str | None] = {**clean, "logo": previous.get("logo")}
    if logo:
        value["logo"] = _logo_uri(logo)
    if row is None:
        session.add(AppSetting(key=KEY, value=value))
    else:
        row.value = value
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="settings.issuer",
        object_type="setting",
        object_id=KEY,
        detail={k: v for k, v in clean.items() if k != "signatory_nip"}
        | {"logo": bool(value["logo"])},
    )
    return current(session)


def as_dict(issuer: Issuer) -> dict[str, str | None]:
    return asdict(issuer)
