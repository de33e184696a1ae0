"""`/xac-thuc/<code>/`: no login; shows only what the printed paper already says (issuer,
number and notation, date, subject) plus the signature verdict, and compares an uploaded
PDF with the issued one. Unknown codes, drafts and other agencies' secrets look the same:
not found. Rate-limited per address."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect

from vanban.accounts.signals import client_ip
from vanban.documents.signatures import signature_panel
from vanban.outgoing import verification

WINDOW_SECONDS = 600
MAX_UPLOAD = 50 * 1024 * 1024


class CompareForm(forms.Form):
    file = forms.FileField(label="Tệp PDF bạn nhận được")


def _limited(request: HttpRequest) -> bool:
    key = f"vanban:verify:{client_ip(request)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > getattr(settings, "VANBAN_VERIFY_RATE", 30)


class CodeForm(forms.Form):
    code = forms.CharField(label="Mã xác thực in trên văn bản", max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": "ví dụ: 7KQ2-M9TX-4HDA",
                                                         "autocomplete": "off"}))


def enter_code(request: HttpRequest) -> HttpResponse:
    """`/xac-thuc/`: a box to type the code printed under the QR code (for a paper without a phone)."""
    form = CodeForm(request.GET or None)
    if form.is_valid():
        code = "".join(ch for ch in verification.normalize(form.cleaned_data["code"]) if ch.isascii() and ch.isalnum())
        if code:
            return redirect("public_verify", code=code)
        form.add_error("code", "Mã xác thực gồm các chữ cái và chữ số in dưới mã QR.")
    return render(request, "outgoing/public_enter_code.html", {"form": form})


@csrf_protect
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if _limited(request):
        return render(request, "outgoing/public_verify.html",
                      {"limited": True}, status=429)
    doc = verification.find(code)
    if doc is None:
        return render(request, "outgoing/public_verify.html", {"not_found": True}, status=404)
    form = CompareForm(request.POST or None, request.FILES or None)
    comparison = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "Tệp quá lớn.")
        else:
            comparison = verification.compare(doc, upload.read())
    panel = signature_panel(doc)
    return render(request, "outgoing/public_verify.html", {
        "doc": doc, "code": verification.display(doc.outgoing.verification_code or ""), "panel": panel,
        "form": form, "comparison": comparison})
