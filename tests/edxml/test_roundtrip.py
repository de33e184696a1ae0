"""Property: build → parse gives back the model, for generated Vietnamese packages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanban.core.clock import VN_TZ
from vanban.edxml import (
    Attachment,
    Business,
    BusinessDocType,
    BusinessDocumentInfo,
    Code,
    DocumentPackage,
    DocumentType,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusPackage,
    TraceHeader,
    build_package,
    build_status,
    parse_package,
)

pytestmark = pytest.mark.unit

VIET = ("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
        "ùúủũụừứửữựỳýỷỹỵAĂÂĐÊÔƠƯQUYẾTĐỊNH0123456789 ,.-/()<>&\"'")
text = st.text(alphabet=VIET, min_size=1, max_size=40).map(str.strip).filter(bool)
optional_text = st.one_of(st.just(""), text)
agency_code = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-HK](0[1-9]|[1-9][0-9])", fullmatch=True)
days = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
moments = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=VN_TZ))
file_names = st.tuples(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_ ăđêôơư", min_size=1, max_size=20)
    # names as the sanitizer keeps them: whitespace runs become one space (names.sanitize_name)
    .map(lambda s: " ".join(s.split())).filter(lambda s: bool(s) and s.strip(".") == s),
    st.sampled_from(["pdf", "doc", "docx", "xlsx", "zip", "txt"]),
).map(lambda t: f"{t[0]}.{t[1]}")


def organizations(code=agency_code):
    return st.builds(Organization, code, optional_text, optional_text, optional_text, optional_text,
                     optional_text, optional_text, optional_text)


staff = st.builds(StaffInfo, optional_text, optional_text, optional_text, optional_text)

business = st.builds(
    Business,
    st.sampled_from(list(BusinessDocType)),
    optional_text,
    st.booleans(),
    optional_text,
    st.one_of(st.none(), staff),
    st.one_of(st.none(), st.builds(BusinessDocumentInfo, st.booleans(), st.booleans(),
                                   st.lists(st.builds(Receiver, agency_code, st.integers(0, 1)),
                                            max_size=3).map(tuple))),
    st.lists(st.builds(ReplacementInfo, text, st.lists(agency_code, max_size=3).map(tuple)),
             max_size=2).map(tuple),
)


@st.composite
def documents(draw) -> DocumentPackage:
    recipients = draw(st.lists(organizations(), min_size=1, max_size=25,
                               unique_by=lambda o: o.organ_id))
    attachments = draw(st.lists(
        st.builds(Attachment, file_names, st.binary(max_size=3000),
                  st.sampled_from(["application/pdf", "application/msword", "text/plain"]),
                  optional_text, st.uuids().map(str)),
        max_size=4, unique_by=lambda a: a.content_id))
    return DocumentPackage(
        from_=draw(organizations()),
        to=tuple(recipients),
        document_id=draw(text),
        code=Code(draw(text), draw(text)),
        promulgation_info=PromulgationInfo(draw(days), draw(optional_text)),
        document_type=DocumentType(draw(text), draw(st.sampled_from(["1", "2", "18"])),
                                   draw(st.sampled_from(["", "0", "1"]))),
        subject=draw(text),
        content=draw(optional_text),
        signer_info=draw(st.builds(SignerInfo, optional_text, optional_text, optional_text)),
        due_date=draw(st.one_of(st.none(), days)),
        to_places=tuple(draw(st.lists(text, max_size=4))),
        other_info=draw(st.builds(
            OtherInfo, st.sampled_from(list(Priority)), optional_text, optional_text,
            st.one_of(st.none(), st.integers(0, 65535)), st.one_of(st.none(), st.integers(0, 65535)),
            st.lists(text, max_size=3).map(tuple), st.one_of(st.none(), st.booleans()))),
        response_for=tuple(draw(st.lists(
            st.builds(ResponseFor, agency_code, optional_text, st.one_of(st.none(), days),
                      optional_text), max_size=3))),
        steering_type=draw(st.integers(0, 3)),
        trace_headers=tuple(draw(st.lists(st.builds(TraceHeader, agency_code, moments), max_size=3))),
        business=draw(st.one_of(st.none(), business)),
        attachments=tuple(attachments),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_document_round_trip(pkg: DocumentPackage):
    data = build_package(pkg)
    parsed = parse_package(data)
    assert parsed.kind == "document"
    assert parsed.warnings == ()
    assert parsed.materialize() == pkg
    assert build_package(parsed.materialize()) == data


@settings(max_examples=60, deadline=None)
@given(st.builds(
    StatusPackage, organizations(),
    st.builds(ResponseFor, agency_code, text, st.one_of(st.none(), days), text),
    st.sampled_from(list(StatusCode)), moments, optional_text, st.one_of(st.none(), staff)))
def test_status_round_trip(status: StatusPackage):
    parsed = parse_package(build_status(status))
    assert parsed.kind == "status" and parsed.warnings == ()
    assert parsed.status == status
