"""Key material for tests that import a public key: a fresh OpenSSH ed25519 public key per call."""

from __future__ import annotations

import base64
import secrets
import struct


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def public_key_text(comment: str = "dcconf") -> str:
    """An OpenSSH ``ssh-ed25519`` public key line.

    A real key from ``cryptography`` when it is installed; otherwise 32 random bytes in the
    same wire format, which every parser of the format accepts (only a signature check could
    tell, and importing a public key involves none).
    """
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        raw = secrets.token_bytes(32)
    else:
        raw = Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                     serialization.PublicFormat.Raw)
    blob = _string(b"ssh-ed25519") + _string(raw)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"
