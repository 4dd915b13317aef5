"""Passphrase encryption of a backup as a stream: scrypt derives the key, AES-256-GCM seals
1 MiB chunks, so memory stays flat whatever the size.

Layout: a header (magic, parameters, salt, nonce prefix, key check), then chunks, each a 4-byte
length and its ciphertext. A chunk's nonce is the prefix, its counter and a final-chunk flag,
and the header is authenticated with every chunk: reordered, dropped, truncated or changed
chunks fail, and so does a file cut after any chunk but the last."""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CAKAPENC"
VERSION = 1
CHUNK = 1024 * 1024
SCRYPT_LOG_N = 15  # 2**15 * 8 * 128 bytes = 32 MiB of memory, about a tenth of a second
SCRYPT_R = 8
SCRYPT_P = 1
_HEADER = struct.Struct(">8sBBBBB16s7s16s")  # magic, version, kdf, log n, r, p, salt, prefix, check
_LENGTH = struct.Struct(">I")


class BackupCryptoError(Exception):
    """The file cannot be decrypted; the message says why, in the interface language."""


class WrongPassphrase(BackupCryptoError):
    pass


class Tampered(BackupCryptoError):
    pass


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def check_passphrase(passphrase: str) -> bytes:
    if not passphrase or not passphrase.strip():
        raise BackupCryptoError("Frasa sandi cadangan kosong; cadangan tidak dibuat tanpa sandi.")
    return passphrase.encode("utf-8")


def _derive(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=2**log_n, r=r, p=p).derive(
        check_passphrase(passphrase)
    )
    key, check_key = material[:32], material[32:]
    check = hmac.new(check_key, b"cakap-backup-key-check", hashlib.sha256).digest()[:16]
    return key, check


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A write-only binary stream that seals what it is given into `target` (zipfile writes
    to it as to an unseekable file)."""

    def __init__(self, target: BinaryIO, passphrase: str) -> None:
        salt = os.urandom(16)
        self._prefix = os.urandom(7)
        self._key, check = _derive(passphrase, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
        self._header = _HEADER.pack(
            MAGIC, VERSION, 1, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, salt, self._prefix, check
        )
        self._aead = AESGCM(self._key)
        self._target = target
        self._buffer = bytearray()
        self._counter = 0
        self._position = 0
        self.closed = False
        target.write(self._header)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._position += len(data)
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._target.flush()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._counter += 1
        self._target.write(_LENGTH.pack(len(sealed)))
        self._target.write(sealed)

    def close(self) -> None:
        if self.closed:
            return
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._target.flush()
        self.closed = True


def decrypt(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Decrypt `source` into `target`, chunk by chunk; raises WrongPassphrase or Tampered."""
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise Tampered("Berkas cadangan terpotong (kepala berkas tidak lengkap).")
    magic, version, kdf, log_n, r, p, salt, prefix, check = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or kdf != 1:
        raise Tampered("Berkas ini bukan cadangan Cakap terenkripsi yang dikenali.")
    if not (10 <= log_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise Tampered("Parameter enkripsi berkas cadangan tidak wajar.")
    key, expected = _derive(passphrase, salt, log_n, r, p)
    if not hmac.compare_digest(check, expected):
        raise WrongPassphrase("Frasa sandi salah: berkas cadangan tidak dapat dibuka.")
    aead = AESGCM(key)
    counter = 0
    while True:
        raw = source.read(_LENGTH.size)
        if len(raw) < _LENGTH.size:
            raise Tampered("Berkas cadangan terpotong: bagian terakhir tidak ada.")
        (length,) = _LENGTH.unpack(raw)
        if length > CHUNK + 16:
            raise Tampered("Berkas cadangan rusak atau telah diubah.")
        sealed = source.read(length)
        if len(sealed) < length:
            raise Tampered("Berkas cadangan terpotong.")
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(prefix, counter, last), sealed, header)
            except InvalidTag:
                continue
            break
        else:
            raise Tampered(
                "Berkas cadangan rusak atau telah diubah (pemeriksaan integritas gagal)."
            )
        target.write(plain)
        counter += 1
        if last:
            if source.read(1):
                raise Tampered("Berkas cadangan memuat data setelah bagian terakhir.")
            return
