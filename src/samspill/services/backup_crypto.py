"""Backups encrypted with a passphrase (issue 21, item 12): AES-256-GCM in 1 MiB chunks, the
key from the passphrase by scrypt.

Layout: ``MAGIC``, 16 bytes of salt, 8 bytes of nonce prefix, then chunks of a 4-byte length
and the chunk's ciphertext with its tag. Chunk *i* has the nonce prefix + *i* and, as
associated data, whether it is the last: a chunk dropped, reordered or cut off at the end
fails to decrypt, as does a wrong passphrase. Needs the ``cryptography`` package.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path
from typing import Any

from samspill.core.errors import InputError

MAGIC = b"SAMSPILL-BACKUP-AES256GCM-1\n"
CHUNK = 1 << 20
SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 2**26, "dklen": 32}
MIN_PASSPHRASE = 12


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _aead(passphrase: str, salt: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import (  # type: ignore[import-not-found,unused-ignore]
            AESGCM,
        )
    except ImportError as exc:
        raise InputError(
            "encrypted backups need the 'cryptography' package, which is not installed",
            fix="install it (pip install cryptography), or back up without --encrypt onto an "
            "encrypted disk",
        ) from exc
    return AESGCM(hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **SCRYPT))


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"the backup passphrase is shorter than {MIN_PASSPHRASE} characters",
            fix="choose a longer passphrase (several words), and keep it apart from the backup",
        )
    return passphrase


def encrypt_file(source: Path, target: Path, passphrase: str) -> None:
    salt, prefix = os.urandom(16), os.urandom(8)
    aead = _aead(check_passphrase(passphrase), salt)
    size = source.stat().st_size
    with source.open("rb") as src, target.open("wb") as dst:
        dst.write(MAGIC + salt + prefix)
        number, done = 0, 0
        while True:
            plain = src.read(CHUNK)
            done += len(plain)
            last = done >= size
            sealed = aead.encrypt(_nonce(prefix, number), plain, b"last" if last else b"more")
            dst.write(struct.pack(">I", len(sealed)) + sealed)
            number += 1
            if last:
                break
        dst.flush()
        os.fsync(dst.fileno())


def decrypt_file(source: Path, target: Path, passphrase: str) -> None:
    """Decrypt ``source`` into ``target``; a wrong passphrase or a damaged file is refused."""
    from cryptography.exceptions import InvalidTag  # type: ignore[import-not-found,unused-ignore]

    with source.open("rb") as src, target.open("wb") as dst:
        header = src.read(len(MAGIC) + 24)
        if not header.startswith(MAGIC) or len(header) < len(MAGIC) + 24:
            raise InputError(f"{source} is not an encrypted Samspill backup", fix="check the file")
        salt, prefix = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
        aead, number = _aead(passphrase, salt), 0
        while True:
            length = src.read(4)
            if len(length) < 4:
                raise _damaged(source)
            sealed = src.read(struct.unpack(">I", length)[0])
            last = not src.peek(1)  # nothing follows: this must be the sealed last chunk
            try:
                plain = aead.decrypt(_nonce(prefix, number), sealed, b"last" if last else b"more")
            except InvalidTag as exc:
                raise InputError(
                    f"{source} cannot be decrypted: the passphrase is wrong or the file is "
                    "damaged; nothing was changed",
                    fix="give the passphrase used for this backup, or use another copy",
                ) from exc
            dst.write(plain)
            number += 1
            if last:
                return


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">I", number)


def _damaged(source: Path) -> InputError:
    return InputError(f"{source} is cut short; nothing was changed", fix="use another copy")
