"""Signed returns: each installation's Ed25519 key pair, the signature of a report's content
hash, and its check (docs/report-format.md, "Signature").

The private key lives in the data folder (``signing-key.pem``, readable by its owner only) and
never leaves it; the report carries the public key and the signature in its hidden metadata and
the key's fingerprint on its cover. An editor who recomputes the hash cannot sign it with this
key. What the signature alone cannot tell is *whose* key it is: the office pins each unit's key
(store/keys.py) and :func:`pin_refusal` says when a return's key is not the one on record.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "signing-key.pem"


class SigningError(RuntimeError):
    """The key could not be made or read; ``str(error)`` says why, in Chinese."""


@dataclass(frozen=True)
class Signer:
    """Signs with one installation's private key."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        """The raw 32-byte public key, base64."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, content_hash: str) -> str:
        """The signature (base64) of a report's content hash (its 64 hex digits, as ASCII)."""
        return base64.b64encode(self.private_key.sign(content_hash.encode("ascii"))).decode("ascii")


def fingerprint(public_key: str) -> str:
    """What the cover prints: the first 16 bytes of SHA-256 of the raw public key, in groups."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        return ""
    digest = hashlib.sha256(raw).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def verify(public_key: str, signature: str, content_hash: str) -> bool:
    """True when ``signature`` is ``public_key``'s signature of ``content_hash``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), content_hash.encode("ascii"))
    except (ValueError, InvalidSignature, UnicodeEncodeError):
        return False
    return True


def pin_refusal(fingerprint: str, signature: str, trusted: frozenset[str] | None) -> str:
    """Why a return is 签名不符 against the unit's keys on record, or "" when it is not.

    ``signature`` is the report's own check (``valid``, ``unsigned``, ``bad``, ``""`` for
    formats before signatures); ``trusted`` the unit's active fingerprints, None when the office
    has no key of the unit on record at all (then the first accepted return pins its key)."""
    if trusted is None:
        return ""
    if signature != "valid":
        return "办公室已登记本单位的签名密钥，此报表却没有有效签名"
    if not trusted:
        return f"本单位登记的签名密钥均已撤销，报表的密钥 {fingerprint} 未在办公室登记"
    if fingerprint not in trusted:
        shown = "、".join(sorted(trusted))
        return (
            f"报表的签名密钥 {fingerprint} 不是办公室为本单位登记的密钥({shown});"
            "如联络员更换了电脑，请核实后在办公室登记新密钥"
        )
    return ""


def load_or_create(data_dir: Path) -> Signer:
    """This installation's key, made on first use: written with mode 0600, never replaced."""
    path = data_dir / KEY_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_name(path.name + ".part")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)  # never over a key another process made meanwhile
            except FileExistsError:
                pass
            except OSError:
                if not path.exists():
                    os.replace(temporary, path)
        except OSError as exc:
            raise SigningError(f"无法在数据文件夹中保存签名密钥:{exc.strerror or exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningError(f"签名密钥文件 {path.name} 无法读取或已损坏") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningError(f"签名密钥文件 {path.name} 不是 Ed25519 密钥")
    return Signer(loaded)
