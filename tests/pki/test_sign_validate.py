"""Signing and validation with real cryptography against the live test PKI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from vanban.pki import PkiError, SignatureBox, TrustStore, sign_pdf, validate_pdf
from vanban.pki.appearance import has_unicode_font

from .conftest import AGENCY, CODE

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def both_signed(env, pdf) -> bytes:
    once = sign_pdf(pdf, env.signer(env.person), role="person", reason="Ký ban hành")
    return sign_pdf(once, env.signer(env.seal), role="seal", timestamper=env.server.tsa_url)


def test_person_and_seal_on_one_pdf_are_both_valid(env, both_signed):
    report = validate_pdf(both_signed, env.trust(), allow_fetching=True)
    assert report.verdict == "valid", report.explanation
    person, seal = report.signatures
    assert person.signer.common_name == "Nguyễn Văn An"
    assert person.signer.title == "Chủ tịch"
    assert person.modification == "allowed"  # the seal came after, as an incremental update
    assert person.modification_detail == "FORM_FILLING"
    assert person.timestamp == "none" and person.level == "B-B"
    assert seal.signer.agency_code == CODE and seal.signer.organization == AGENCY
    assert seal.modification == "none"
    assert seal.timestamp == "valid" and seal.level == "B-T"
    assert seal.signing_time_timestamped is not None
    assert {s.chain for s in report.signatures} == {"trusted"}
    assert {s.revocation for s in report.signatures} == {"good"}
    assert report.as_dict()["signatures"][1]["agency_code"] == CODE


def test_appearance_sits_in_the_requested_box_with_a_vietnamese_font(env, pdf):
    box = SignatureBox(0, 100, 100, 300, 180)
    signed = sign_pdf(pdf, env.signer(env.person), appearance=box)
    reader = PdfFileReader(BytesIO(signed))
    field = reader.embedded_signatures[0].sig_field
    assert [round(float(x)) for x in field["/Rect"]] == [100, 100, 300, 180]
    first_page = reader.root["/Pages"]["/Kids"][0].get_object()
    assert any(a.get_object() is field or a.get_object().get("/T") == field.get("/T")
               for a in first_page.get("/Annots", []))
    if has_unicode_font():
        assert any("DejaVuSans" in name for name in _font_names(field["/AP"]["/N"]))


@pytest.mark.skipif(not has_unicode_font(), reason="needs DejaVu Sans (fonts-dejavu-core)")
def test_the_stamps_font_is_subset_without_reading_its_layout_tables(env, pdf, monkeypatch, tmp_path):
    """fontTools reads GSUB/GPOS whole before subsetting, though pyHanko drops them: 0.15 s of a
    0.27 s signature. The text is the same: pdftotext reads the Vietnamese words off the page."""
    import shutil
    import subprocess

    from fontTools.ttLib.tables import otBase

    read: list[str] = []
    real = otBase.BaseTTXConverter.decompile

    def spy(self, data, font):  # type: ignore[no-untyped-def]
        read.append(self.tableTag)
        return real(self, data, font)

    monkeypatch.setattr(otBase.BaseTTXConverter, "decompile", spy)
    signed = sign_pdf(pdf, env.signer(env.person), appearance=SignatureBox(0, 100, 100, 300, 180))
    assert read == []
    if shutil.which("pdftotext"):
        (tmp_path / "signed.pdf").write_bytes(signed)
        text = subprocess.run(["pdftotext", str(tmp_path / "signed.pdf"), "-"], capture_output=True,
                              check=True, text=True).stdout
        assert "Ký bởi" in text and "Thời gian ký" in text, text


def _font_names(obj, depth=0) -> set[str]:
    """Every /BaseFont reachable from an appearance stream's resources."""
    obj = obj.get_object()
    names: set[str] = set()
    if depth > 6 or not hasattr(obj, "get"):
        return names
    if "/BaseFont" in obj:
        names.add(str(obj["/BaseFont"]))
    for key in ("/Resources", "/Font", "/XObject"):
        if key in obj:
            sub = obj[key].get_object()
            names |= _font_names(sub, depth + 1)
            if key in ("/Font", "/XObject"):
                for value in sub.values():
                    names |= _font_names(value, depth + 1)
    return names


def test_default_seal_box_overlaps_left_third_of_person_box():
    from vanban.pki.appearance import default_box

    person, seal = default_box("person"), default_box("seal")
    width = person.x2 - person.x1
    assert seal.x2 == pytest.approx(person.x1 + width / 3)
    assert seal.page == person.page == -1


def test_content_changed_after_signing_is_invalid(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.person))
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 14 Tf 72 760 Td (NOI DUNG DA BI SUA) Tj ET"))
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), env.trust(), allow_fetching=True)
    sig = report.signatures[0]
    assert sig.integrity == "intact"  # the signed bytes are untouched...
    assert sig.modification == "content_changed"  # ...but what is shown changed
    assert sig.verdict == "invalid" and report.verdict == "invalid"
    assert "MOD_CONTENT_CHANGED" in {f.code for f in sig.reasons}


def test_byte_flipped_inside_signed_range_is_invalid(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.person))
    at = signed.index(b"QUYET DINH")
    tampered = signed[:at] + b"X" + signed[at + 1:]
    report = validate_pdf(tampered, env.trust(), allow_fetching=True)
    assert report.signatures[0].integrity == "broken"
    assert report.verdict == "invalid"
    assert "SIG_BROKEN" in {f.code for f in report.signatures[0].reasons}


def test_revoked_before_signing_is_invalid(env, pdf):
    now = datetime.now(UTC)
    victim = env.pki.issue_person("Trần Văn Thu Hồi", "Phó Chủ tịch", AGENCY, CODE)
    env.pki.revoke(victim.cert, at=now - timedelta(hours=1))
    signed = sign_pdf(pdf, env.signer(victim))
    report = validate_pdf(signed, env.trust(), allow_fetching=True)
    sig = report.signatures[0]
    assert sig.revocation == "revoked"
    assert sig.revocation_time == (now - timedelta(hours=1)).replace(microsecond=0)
    assert sig.verdict == "invalid"
    assert "REV_REVOKED_BEFORE" in {f.code for f in sig.reasons}


def test_revoked_after_timestamped_signing_is_valid_with_a_note(env, pdf):
    t0 = datetime.now(UTC).replace(microsecond=0)
    victim = env.pki.issue_person("Lê Thị Sau", "Giám đốc", "Sở Nội vụ", "000.00.01.H16")
    with env.clock(t0):
        signed = sign_pdf(pdf, env.signer(victim), timestamper=env.server.tsa_url)
    env.pki.revoke(victim.cert, at=t0 + timedelta(minutes=1))
    with env.clock(t0 + timedelta(minutes=2)):
        report = validate_pdf(signed, env.trust(), allow_fetching=True,
                              now=t0 + timedelta(minutes=3))
    sig = report.signatures[0]
    assert sig.revocation == "revoked"
    assert sig.revocation_time == t0 + timedelta(minutes=1)
    assert sig.signing_time_timestamped == t0
    assert sig.verdict == "valid", sig.explanation
    assert "REV_REVOKED_AFTER" in {f.code for f in sig.notes}
    assert "SAU thời điểm ký" in sig.explanation


def test_revoked_after_claimed_time_without_timestamp_is_indeterminate(env, pdf):
    t0 = datetime.now(UTC).replace(microsecond=0)
    victim = env.pki.issue_person("Phạm Văn Khai", "Chánh Văn phòng", AGENCY, CODE)
    signed = sign_pdf(pdf, env.signer(victim))
    env.pki.revoke(victim.cert, at=t0 + timedelta(minutes=1))
    with env.clock(t0 + timedelta(minutes=2)):
        report = validate_pdf(signed, env.trust(), allow_fetching=True,
                              now=t0 + timedelta(minutes=3))
    sig = report.signatures[0]
    assert sig.verdict == "indeterminate"
    assert "REV_REVOKED_NO_POE" in {f.code for f in sig.reasons}


def test_signed_with_expired_certificate_is_invalid(env, pdf):
    now = datetime.now(UTC)
    old = env.pki.issue_person("Đỗ Hết Hạn", "Phó Giám đốc", AGENCY, CODE,
                               not_before=now - timedelta(days=30),
                               not_after=now - timedelta(days=1))
    for timestamper in (None, env.server.tsa_url):
        signed = sign_pdf(pdf, env.signer(old), timestamper=timestamper)
        report = validate_pdf(signed, env.trust(), allow_fetching=True)
        sig = report.signatures[0]
        assert sig.certificate == "expired_at_signing"
        assert sig.verdict == "invalid", sig.explanation
        assert "CERT_EXPIRED_AT_SIGNING" in {f.code for f in sig.reasons}


def test_expired_since_signing_depends_on_a_timestamp(env, pdf):
    t0 = datetime.now(UTC).replace(microsecond=0)
    short = env.pki.issue_person("Vũ Ngắn Hạn", "Trưởng phòng", AGENCY, CODE,
                                 not_after=t0 + timedelta(hours=1))
    later = t0 + timedelta(hours=2)
    stamped = sign_pdf(pdf, env.signer(short), timestamper=env.server.tsa_url)
    plain = sign_pdf(pdf, env.signer(short))
    stamped_sig = validate_pdf(stamped, env.trust(), allow_fetching=True, now=later).signatures[0]
    plain_sig = validate_pdf(plain, env.trust(), allow_fetching=True, now=later).signatures[0]
    assert stamped_sig.verdict == "valid", stamped_sig.explanation
    assert "CERT_EXPIRED_SINCE" in {f.code for f in stamped_sig.notes}
    assert plain_sig.verdict == "indeterminate"
    assert "CERT_EXPIRED_NO_POE" in {f.code for f in plain_sig.reasons}


def test_offline_soft_fail_is_reported_and_can_be_required(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.person))
    report = validate_pdf(signed, env.trust(), allow_fetching=False)
    sig = report.signatures[0]
    assert sig.chain == "trusted" and sig.revocation == "unknown"
    assert sig.verdict == "valid"
    assert "REV_UNKNOWN_OFFLINE" in {f.code for f in sig.notes}
    strict = validate_pdf(signed, env.trust(), allow_fetching=False, require_revocation=True)
    assert strict.verdict == "indeterminate"


def test_server_down_is_soft_fail_not_valid_silently(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.person))
    env.server.offline = True
    try:
        report = validate_pdf(signed, env.trust(), allow_fetching=True)
    finally:
        env.server.offline = False
    assert report.signatures[0].revocation == "unknown"


def test_b_lt_embeds_revocation_info_usable_offline(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.seal), role="seal", timestamper=env.server.tsa_url,
                      embed_revocation=True)
    assert b"/DSS" in signed
    env.server.offline = True
    try:
        report = validate_pdf(signed, env.trust(), allow_fetching=True)
    finally:
        env.server.offline = False
    sig = report.signatures[0]
    assert sig.level == "B-LT"
    assert sig.revocation == "good", sig.explanation
    assert sig.revocation_checked_at == "signing"
    assert sig.verdict == "valid"


def test_unknown_root_is_indeterminate_then_valid_once_trusted(env, pdf):
    """A PDF signed by pyHanko directly (an independent tool) under a CA we never saw."""
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec

    from vanban.pki.testpki import TestPki

    foreign = TestPki(prefix="FOREIGN CA", base_url="http://127.0.0.1:9")
    stranger = foreign.issue_person("John Stranger", "Director", "Foreign Agency",
                                    revocation_info=False)
    simple = signers.SimpleSigner.load_pkcs12_data(stranger.pkcs12(b"x"), other_certs=[],
                                                   passphrase=b"x")
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Ext"),
                           signer=simple, new_field_spec=SigFieldSpec("Ext"))
    signed = out.getvalue()

    report = validate_pdf(signed, env.trust())
    assert report.signatures[0].chain == "unknown_root"
    assert report.verdict == "indeterminate"

    store = env.trust()
    store.add_bytes(foreign.root.cert_pem())
    report = validate_pdf(signed, store)
    assert report.verdict == "valid", report.explanation
    # the foreign issuing CA declares a CRL nobody serves: soft-fail, said so
    assert report.signatures[0].revocation == "unknown"


def test_unsigned_pdf_has_no_signatures_and_says_why(env, pdf):
    report = validate_pdf(pdf, env.trust())
    assert report.signatures == []
    assert report.verdict == "invalid"
    assert report.summary.code == "NO_SIGNATURES"
    assert "không có chữ ký số" in report.explanation


@pytest.mark.parametrize(("data", "code"), [
    (b"hello, not a pdf", "PKI_NOT_A_PDF"),
    (b"", "PKI_NOT_A_PDF"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage", "PKI_CORRUPT_PDF"),
])
def test_unreadable_input_raises_a_coded_error(env, data, code):
    with pytest.raises(PkiError) as err:
        validate_pdf(data, env.trust())
    assert err.value.code == code
    assert err.value.message  # Vietnamese text for the clerk


def test_truncated_signed_pdf_is_not_valid(env, pdf):
    signed = sign_pdf(pdf, env.signer(env.person))
    try:
        report = validate_pdf(signed[: len(signed) // 2], env.trust())
    except PkiError as exc:
        assert exc.code == "PKI_CORRUPT_PDF"
    else:
        assert report.verdict != "valid"


def test_sign_refuses_a_non_pdf(env):
    with pytest.raises(PkiError) as err:
        sign_pdf(b"GIF89a", env.signer(env.person))
    assert err.value.code == "PKI_NOT_A_PDF"


def test_empty_trust_store_never_validates(env, both_signed):
    report = validate_pdf(both_signed, TrustStore(), allow_fetching=True)
    assert {s.verdict for s in report.signatures} == {"indeterminate"}


def test_verification_footer_and_signature_boxes_never_overlap(pdf) -> None:
    """A one-page document carries the QR footer and both signatures on the same page."""
    from vanban.pki.appearance import default_box
    from vanban.pki.footer import footer_rect

    url = "https://vanban.daklak.gov.vn/xac-thuc/7Q4K9M2XW8RT3VBN/"  # a long public address
    fx1, fy1, fx2, fy2 = footer_rect(pdf, url, "7Q4K-9M2X-W8RT-3VBN")
    assert fy2 - fy1 >= 60 and fx2 - fx1 > 60  # the QR code and its text were really laid out
    for role in ("person", "seal"):
        box = default_box(role)
        apart = fx2 <= box.x1 or box.x2 <= fx1 or fy2 <= box.y1 or box.y2 <= fy1
        assert apart, (role, (fx1, fy1, fx2, fy2), box.rect())
