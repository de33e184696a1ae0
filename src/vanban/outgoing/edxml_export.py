"""An issued document as an edXML document package (QCVN 102:2016).

DocumentId carries the document identifier code `<agency code>-<yyyy>.<N>` of QĐ 16/2019
Art. 11: unique, made by the issuing system, and what the regulation names the document by.
"""

from __future__ import annotations

from django.utils import timezone

from vanban import edxml
from vanban.agencies.models import Agency
from vanban.blobs import get_store
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.documents.models import Document, DocumentFile, Recipient
from vanban.outgoing.models import part_of

PRIORITY = {
    Document.Urgency.NORMAL: edxml.Priority.NORMAL,
    Document.Urgency.URGENT: edxml.Priority.URGENT,
    Document.Urgency.VERY_URGENT: edxml.Priority.VERY_URGENT,
    Document.Urgency.FLASH: edxml.Priority.EXPRESS,
}


def organization(agency: Agency) -> edxml.Organization:
    return edxml.Organization(
        organ_id=agency.code, organ_name=agency.name, organ_add=agency.address,
        email=agency.email, telephone=agency.phone, website=agency.website)


def document_package(document: Document, *, business: edxml.Business | None = None) -> edxml.DocumentPackage:
    recipients = list(document.recipients.select_related("agency"))
    to = tuple(organization(r.agency) for r in recipients if r.kind == Recipient.Kind.AGENCY and r.agency)
    files = list(document.current_files().exclude(role=DocumentFile.Role.WORKING))
    store = get_store()
    number, _, symbol = document.notation.partition("/")
    issued = timezone.localtime(document.issued_at) if document.issued_at else timezone.localtime()
    return edxml.DocumentPackage(
        from_=organization(document.agency),
        to=to,
        document_id=document.identifier_code or "",
        code=edxml.Code(code_number=number, code_notation=symbol),
        promulgation_info=edxml.PromulgationInfo(promulgation_date=document.issued_on or issued.date(),
                                                 place=document.place),
        document_type=edxml.DocumentType(type_name=document.document_type.name),
        subject=document.subject,
        content=document.content,
        signer_info=edxml.SignerInfo(competence=document.signer_competence, position=document.signer_position,
                                     full_name=document.signer_name),
        due_date=document.due_on,
        to_places=tuple(r.name for r in recipients),
        other_info=edxml.OtherInfo(priority=PRIORITY.get(Document.Urgency(document.urgency), edxml.Priority.NORMAL),
                                   sphere_of_promulgation=document.sphere,
                                   promulgation_amount=part_of(document).copies, page_amount=document.page_count,
                                   appendixes=tuple(f.name for f in files if f.role == DocumentFile.Role.APPENDIX)),
        steering_type=document.steering_type,
        response_for=_response_for(document),
        trace_headers=(edxml.TraceHeader(organ_id=document.agency.code, timestamp=issued),),
        business=business or edxml.Business(business_doc_type=edxml.BusinessDocType.NEW,
                                            paper=document.paper_copy),
        attachments=tuple(edxml.Attachment(name=f.name, data=store.get(f.sha256), content_type=f.content_type,
                                           description=f.get_role_display()) for f in files),
    )


def _response_for(document: Document) -> tuple[edxml.ResponseFor, ...]:
    """A reply names the document it answers (received through the hub), so the other system
    can link them — as a consultation letter's answers are linked here."""
    original = document.reply_to
    if original is None or original.direction != Document.Direction.INCOMING or not original.external_id:
        return ()
    try:  # a sender code we could not build into a package must not stop the reply from being issued
        parse_agency_code(original.issuer_code)
    except AgencyCodeError:
        return ()
    return (edxml.ResponseFor(organ_id=original.issuer_code, code=original.notation,
                              promulgation_date=original.issued_on, document_id=original.external_id),)


def document_package_bytes(document: Document, *, business: edxml.Business | None = None) -> bytes:
    return edxml.build_package(document_package(document, business=business))
