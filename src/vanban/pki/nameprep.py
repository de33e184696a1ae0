"""Certificate names compared without preparing the same strings again, installed into
asn1crypto.

RFC 5280 compares names after "internationalized string preparation" (normalisation, case
folding, prohibited characters), which asn1crypto does in Python for every name attribute of
every freshly parsed certificate: validating a PDF with a person and a seal signature prepared
about 60 strings, a fifth of the validation's time (bench/RESULTS.md, "pki"). The result
depends on the string alone, and the same few agencies' names come back in every document, so
it is remembered per process (an LRU of at most 4 096 strings). A string that is refused
raises as before, every time (errors are not remembered); tests/pki/test_nameprep.py compares
both on arbitrary text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from asn1crypto import x509

__all__ = ["install", "prepare"]

_asn1crypto_prep = x509.NameTypeAndValue._ldap_string_prep


@lru_cache(maxsize=4096)
def prepare(string: str) -> str:
    """asn1crypto's `NameTypeAndValue._ldap_string_prep`, remembered (it uses no state)."""
    prepared: str = _asn1crypto_prep(None, string)  # self is unused
    return prepared


def _prep(self: Any, string: str) -> str:
    return prepare(string)


def install() -> None:
    """Make asn1crypto's name comparison use `prepare` (idempotent)."""
    x509.NameTypeAndValue._ldap_string_prep = _prep
