"""Personal data at rest (security.md SEC-DATA): SM4-GCM with a key from the environment, and a keyed
SM3 hash for exact-match search.

SM4 comes from pyca/cryptography (OpenSSL's implementation); ``JIXIAO_DATA_KEY`` holds 32 hex digits
(16 bytes). A stored value is ``sm4gcm:`` + base64(nonce ‖ ciphertext ‖ tag); an empty value stays
empty. ``EncryptedCharField`` encrypts on save and decrypts on load, so forms and pages see the
plain text and the database only the ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import models

PREFIX = "sm4gcm:"
HASH = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def _key() -> bytes:
    key = bytes.fromhex(settings.JIXIAO_DATA_KEY)
    if len(key) != 16:
        raise ValueError("JIXIAO_DATA_KEY 必须是32位十六进制数（SM4 密钥16字节）")
    return key


def encrypt(text: str) -> str:
    if not text:
        return ""
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(text.encode()) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    raw = base64.b64decode(stored.removeprefix(PREFIX))
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def blind_index(text: str) -> str:
    """A keyed hash of the normalised value: equal values match, the value cannot be read back."""
    normalised = "".join(text.split())
    if not normalised:
        return ""
    return hmac.new(_key() + b"search", normalised.encode(), HASH).hexdigest()


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else ("****" if phone else "")


class EncryptedCharField(models.TextField):
    """A short personal text stored SM4-encrypted; ``max_length`` limits the plain text in forms."""

    def __init__(self, *args: Any, plain_max_length: int = 30, **kwargs: Any) -> None:
        self.plain_max_length = plain_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(label=self.verbose_name, max_length=self.plain_max_length, required=not self.blank,
                               help_text=self.help_text)
