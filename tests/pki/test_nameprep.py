"""The remembered name preparation gives exactly what asn1crypto's gives — the same string, or
the same error — on any text, and it is what asn1crypto's name comparison uses."""

from __future__ import annotations

import pytest
from asn1crypto import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.pki import nameprep, pdfio  # noqa: F401 - importing pdfio installs it

pytestmark = pytest.mark.unit


def _outcome(prep: object, text: str) -> tuple[object, ...]:
    try:
        return ("ok", prep(text))  # type: ignore[operator]  # both take the string
    except Exception as exc:  # the error itself is what is compared
        return ("error", type(exc), str(exc))


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60))
def test_same_as_asn1crypto_on_any_text(text: str) -> None:
    original = _outcome(lambda t: nameprep._asn1crypto_prep(None, t), text)
    assert _outcome(nameprep.prepare, text) == original
    assert _outcome(nameprep.prepare, text) == original  # remembered: the same again


def test_vietnamese_names_compare_as_rfc_5280_says() -> None:
    def name(common: str) -> x509.Name:
        return x509.Name.build({"common_name": common, "organization_name": "UBND tỉnh Đắk Lắk"})

    assert x509.NameTypeAndValue._ldap_string_prep is nameprep._prep
    assert name("Nguyễn Văn  An") == name("nguyễn văn an")  # case and inner spaces do not count
    assert name("Nguyễn Văn An") == name("Nguye\u0302\u0303n Văn An")  # decomposed marks normalised
    assert name("Nguyễn Văn An") != name("Nguyễn Văn Anh")


def test_a_refused_string_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError):
            nameprep.prepare("\ufffd")
