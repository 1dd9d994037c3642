"""Key material for the mock's key pairs: made-up generated keys and checked imported public keys.

Generated keys are not real key pairs: the mock hands out a random SHA1-sized fingerprint
and a random PEM-shaped text, as the original did. Imported public keys are parsed for real
(OpenSSH ``<type> <base64> [comment]``) and fingerprinted like ``ssh-keygen -E md5``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import struct
import textwrap

#: Longest public key text accepted for import.
MAX_PUBLIC_KEY = 16 * 1024
_KEY_TYPES = frozenset({
    "ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448",
    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})


def colon_hex(digest: bytes) -> str:
    """``aa:bb:…`` lower-case hex pairs."""
    return ":".join(f"{byte:02x}" for byte in digest)


def generate() -> tuple[str, str]:
    """A random ``(fingerprint, pem)`` pair shaped like an RSA key pair's."""
    fingerprint = colon_hex(secrets.token_bytes(20))
    body = base64.b64encode(secrets.token_bytes(1188)).decode("ascii")
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(textwrap.wrap(body, 64)) + "\n-----END RSA PRIVATE KEY-----"
    return fingerprint, pem


def import_public_key(text: str) -> tuple[str, str]:
    """``(fingerprint, normalised key text)`` of an OpenSSH public key; ``ValueError`` saying what is wrong.

    The fingerprint is the MD5 of the decoded key body in colon hex; the blob must name the
    same key type as the text in front of it.
    """
    if len(text) > MAX_PUBLIC_KEY:
        raise ValueError(f"public key is longer than {MAX_PUBLIC_KEY} characters")
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise ValueError("public key must look like '<type> <base64 body> [comment]'")
    key_type, body = parts[0], parts[1]
    if key_type not in _KEY_TYPES:
        raise ValueError(f"unknown public key type {key_type!r}")
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("public key body is not valid base64") from None
    if len(blob) < 4:
        raise ValueError("public key body is too short")
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + length] != key_type.encode("ascii"):
        raise ValueError(f"public key body is not a {key_type} key")
    return colon_hex(hashlib.md5(blob, usedforsecurity=False).digest()), " ".join(parts)
