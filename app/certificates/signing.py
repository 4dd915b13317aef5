"""PAdES signatures on certificate PDFs with pyHanko and a PKCS#12 key.

Production uses the agency's BSrE certificate (CAKAP_SIGNING_KEY_PATH, a file every app node
can read, and CAKAP_SIGNING_KEY_PASSWORD). `cakap init` creates a clearly labelled development
signer when none is configured; without any key, certificates say they are not signed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from app.config import get_settings

DEV_SIGNER_NAME = "Cakap Development Signer - BUKAN UNTUK PRODUKSI"


@dataclass(frozen=True)
class SignerInfo:
    path: Path
    password: bytes | None
    subject: str
    development: bool


def key_path() -> Path:
    settings = get_settings()
    return settings.signing_key_path or settings.data_dir / "signing" / "dev-signer.p12"


def signer_info() -> SignerInfo | None:
    settings = get_settings()
    path = key_path()
    if not path.is_file():
        return None
    password = settings.signing_key_password.encode() if settings.signing_key_password else None
    return _describe(str(path), password)


@lru_cache(maxsize=4)
def _describe(path: str, password: bytes | None) -> SignerInfo:
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    _, cert, _ = pkcs12.load_key_and_certificates(Path(path).read_bytes(), password)
    assert cert is not None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    subject = str(names[0].value) if names else cert.subject.rfc4514_string()
    return SignerInfo(Path(path), password, subject, subject == DEV_SIGNER_NAME)


def signer_certificate_der() -> bytes | None:
    """The configured signing certificate (DER), the one trust anchor of the upload check."""
    info = signer_info()
    if info is None:
        return None
    return _certificate_der(str(info.path), info.password)


@lru_cache(maxsize=4)
def _certificate_der(path: str, password: bytes | None) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _, cert, _ = pkcs12.load_key_and_certificates(Path(path).read_bytes(), password)
    assert cert is not None
    return cert.public_bytes(Encoding.DER)


def create_development_signer(path: Path) -> None:
    """A self-signed RSA key and certificate, named so nobody mistakes it for a real one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_SIGNER_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cakap (pengembangan)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(
        b"cakap-dev", key, cert, None, serialization.NoEncryption()
    )
    path.write_bytes(data)
    path.chmod(0o600)


def sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """PAdES-sign the PDF; returns it unchanged when no signer is configured."""
    info = signer_info()
    if info is None:
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(info.path), passphrase=info.password)
    assert signer is not None, "the signing key could not be read"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()
