"""Appraisal and destruction pages (records.destruction): the archivist lists and records,
the leader decides, the archivist destroys; holds on a dossier. Thin: parse, call, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.agencies.models import Agency
from vanban.blobs import get_store
from vanban.records import destruction, permissions
from vanban.records.errors import RecordsError
from vanban.records.models import ARCHIVE_STATES, DestructionReview, Dossier
from vanban.records.views import _dossier, _fail, agency_of


def _archive_agency(request: HttpRequest) -> Agency:
    agency = agency_of(request)
    if not permissions.can_view_archive(request.user, agency.pk):
        raise PermissionDenied
    return agency


def _review(request: HttpRequest, pk: int) -> DestructionReview:
    agency = _archive_agency(request)
    review = DestructionReview.objects.select_related("agency", "created_by", "decided_by", "destroyed_by").filter(
        pk=pk, agency=agency).first()
    if review is None:
        raise Http404
    return review


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    agency = _archive_agency(request)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("dossier") if x.isdigit()]
        proposals = [destruction.Proposal(i, request.POST.get(f"grounds_{i}", "")) for i in ids]
        extra = (request.POST.get("extra_code") or "").strip()
        if extra:
            match = [d for d in Dossier.objects.filter(agency=agency, state=Dossier.State.ARCHIVED)
                     if d.file_code == extra]
            if not match:
                messages.error(request, f"Không tìm thấy hồ sơ {extra} trong lưu trữ.")
                return redirect("records:destructions")
            proposals.append(destruction.Proposal(match[0].pk, request.POST.get("extra_grounds", "")))
        try:
            review = destruction.start_review(actor=request.user, agency=agency,
                                              title=request.POST.get("title", ""), proposals=proposals)
        except RecordsError as exc:
            _fail(request, exc)
            return redirect("records:destructions")
        messages.success(request, f"Đã lập đợt xét hủy với {review.items.count()} hồ sơ; chờ Hội đồng xem xét.")
        return redirect("records:destruction", pk=review.pk)
    return render(request, "records/destructions.html", {
        "reviews": DestructionReview.objects.filter(agency=agency).select_related("created_by")[:100],
        "expired": [(d, destruction.expires_on(d)) for d in destruction.expired_dossiers(agency)],
        "held": Dossier.objects.filter(agency=agency, state__in=ARCHIVE_STATES).exclude(hold_reason="")
        .select_related("agency"),
        "is_archivist": permissions.is_archivist(request.user, agency.pk)})


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    return render(request, "records/destruction.html", {
        "review": review, "items": review.items.select_related("dossier__agency"),
        "is_archivist": permissions.is_archivist(request.user, review.agency_id),
        "is_leader": permissions.is_leader(request.user, review.agency_id),
        "carry_out_by": destruction.carry_out_by(review),
        "today": date.today().isoformat()})


@login_required
@require_POST
def review_act(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    action, post = request.POST.get("action"), request.POST
    try:
        if action == "council":
            verdicts = [destruction.Verdict(i.dossier_id, post.get(f"verdict_{i.dossier_id}") != "keep",
                                            int(y) if (y := post.get(f"keep_{i.dossier_id}", "")).isdigit() else None,
                                            post.get(f"note_{i.dossier_id}", ""))
                        for i in review.items.all()]
            destruction.record_council(actor=request.user, review=review, members=post.get("members", ""),
                                       meeting_date=_date(post.get("meeting_date", "")),
                                       conclusion=post.get("conclusion", ""), verdicts=verdicts,
                                       appraisal_reference=post.get("appraisal_reference", ""))
            messages.success(request, "Đã ghi kết luận của Hội đồng; trình lãnh đạo quyết định.")
        elif action in ("approve", "send_back"):
            destruction.decide(actor=request.user, review=review, approve=action == "approve",
                               number=post.get("number", ""), decision_date=_date(post.get("decision_date", "")),
                               reason=post.get("reason", ""))
            messages.success(request, "Đã ghi quyết định hủy tài liệu." if action == "approve"
                             else "Đã trả lại Hội đồng xem xét lại.")
        elif action == "destroy":
            destruction.destroy(actor=request.user, review=review)
            messages.success(request, "Đã hủy tài liệu theo quyết định; biên bản hủy đã được lập.")
        elif action == "cancel":
            destruction.cancel(actor=request.user, review=review, reason=post.get("reason", ""))
            messages.success(request, "Đã dừng đợt xét hủy; hồ sơ trở lại lưu trữ.")
        else:
            raise Http404
    except RecordsError as exc:
        _fail(request, exc)
    return redirect("records:destruction", pk=review.pk)


@login_required
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if not review.record_sha256:
        raise Http404
    response = HttpResponse(get_store().get(review.record_sha256), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-huy-{review.pk}.pdf"'
    return response


@login_required
@require_POST
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    try:
        if request.POST.get("action") == "lift":
            destruction.lift_hold(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã gỡ phong tỏa hồ sơ.")
        else:
            destruction.set_hold(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã phong tỏa hồ sơ: không được đưa vào xét hủy cho tới khi gỡ.")
    except RecordsError as exc:
        _fail(request, exc)
    return redirect("records:dossier", pk=dossier.pk)

