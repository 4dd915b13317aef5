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
from typing import TYPE_CHECKING

from app.config import get_settings

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

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

    signer = _signer(str(info.path), info.password, _mtime(info.path))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="TandaTanganElektronik",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def _mtime(path: Path) -> float:
    return path.stat().st_mtime  # a replaced key file is read again


@lru_cache(maxsize=4)
def _signer(path: str, password: bytes | None, _mtime: float) -> SimpleSigner:
    """The signer of a key file, read once per process. pyHanko reads the PKCS#12 file (0.2 s,
    its key derivation) and parses the private key again for every signature (0.14 s for
    RSA-3072, as the `cryptography` package checks the key on each parse; two signatures per
    certificate, one only to size the other): half a second per certificate that this avoids."""
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_der_private_key
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class ParsedKeySigner(signers.SimpleSigner):
        key: object = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism == "rsassa_pkcs1v15" and isinstance(self.key, RSAPrivateKey):
                return self.key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return super().sign_raw(data, digest_algorithm)  # any other key: pyHanko's way

    loaded = signers.SimpleSigner.load_pkcs12(path, passphrase=password)
    assert loaded is not None, "the signing key could not be read"
    assert loaded.signing_cert is not None and loaded.cert_registry is not None
    signer = ParsedKeySigner(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
        signature_mechanism=loaded.signature_mechanism,
    )
    signer.key = load_der_private_key(loaded.signing_key.dump(), password=None)
    return signer
