"""Ruang kerja: the planner's and the committee's workspace in the browser.

Server-rendered pages (Jinja2, Bahasa Indonesia) at ``/`` over the same service
functions as the JSON API (:mod:`api.services`), static CSS and a small script at
``/static`` (no inline script or style, so a strict Content-Security-Policy holds).
:func:`mount` adds them to the application.

Modules: :mod:`~api.web.auth` (sign-in, sessions, CSRF), :mod:`~api.web.pages`
(the routes), :mod:`~api.web.plans` (what the pages show of a plan),
:mod:`~api.web.problems` (validation messages as a table), :mod:`~api.web.downloads`
(CSV and the SK annex workbook).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.auth import BadCsrf, Forbidden, NotSignedIn

STATIC_DIR = Path(__file__).parent / "static"
# Pages use only their own static files; nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
_NOT_PAGES = ("/api/", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")


def is_page(path: str) -> bool:
    return not path.startswith(_NOT_PAGES)


class PageHeaders:
    """Security headers on the workspace's responses (the JSON API sets its own)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {
                    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"no-referrer",
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def mount(app: FastAPI) -> None:
    """Add the workspace pages, their static files and error pages to ``app``."""
    from api.web import pages

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.add_middleware(PageHeaders)

    @app.exception_handler(NotSignedIn)
    async def _sign_in(request: Request, exc: NotSignedIn) -> Response:
        target = "/masuk" + (f"?alasan={quote(exc.reason)}" if exc.reason else "")
        if request.url.path.endswith("/kemajuan"):  # the progress script
            return Response(status_code=401)
        response = RedirectResponse(target, status_code=303)
        if exc.reason:
            response.delete_cookie(pages.SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        needed = " atau ".join(pages.ROLE_LABELS.get(r, r) for r in exc.needed)
        return pages.message_page(request, None, 403, "Tidak diizinkan",
                                  [f"Peran {pages.ROLE_LABELS.get(exc.role, exc.role)} "
                                   f"tidak boleh melakukan ini; perlu peran {needed}."])

    @app.exception_handler(BadCsrf)
    async def _bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return pages.message_page(request, None, 403, "Formulir ditolak",
                                  ["Formulir ini tidak membawa token keamanan sesi yang "
                                   "benar. Muat ulang halaman lalu coba lagi."])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page(request.url.path):
            return await http_exception_handler(request, exc)
        titles = {404: "Tidak ditemukan", 409: "Belum siap", 422: "Tidak dapat diproses"}
        detail = exc.detail if isinstance(exc.detail, list) else [str(exc.detail)]
        return pages.message_page(request, None, exc.status_code,
                                  titles.get(exc.status_code, "Kesalahan"),
                                  [str(d) for d in detail])
