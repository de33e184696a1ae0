"""Every API error has the same shape: {"error": {"code", "message"}} and a proper status.

Shared by the office API (`vanban.api.main`, which gathers the apps' routers) and the hub API;
a module of its own below every app, so that a router can use it without importing the API
that gathers it (which would make the two import each other)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str,
                   message: str, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message, **extra}}
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(api, request, 422, "VALIDATION_ERROR",
                              "Dữ liệu gửi lên không hợp lệ.", details=exc.errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "UNAUTHENTICATED",
                              "Cần đăng nhập hoặc khóa API hợp lệ.")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "NOT_FOUND", "Không tìm thấy.")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN",
                 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "TOO_LARGE",
                 429: "TOO_MANY_REQUESTS"}
        return error_response(api, request, exc.status_code,
                              codes.get(exc.status_code, "ERROR"), str(exc))
