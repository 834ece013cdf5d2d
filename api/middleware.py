"""ASGI middleware: the request body size limit (413) and the security headers."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web import is_page


def too_large_detail(limit: int) -> str:
    return f"Request body is larger than the limit of {limit} bytes"


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413, by Content-Length or as they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"detail": too_large_detail(self.max_bytes)}, status_code=413)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = 0
                if length > self.max_bytes:
                    await response(scope, receive, send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await response(scope, receive, send)


# Every response of the JSON API, /healthz and the docs: no MIME sniffing, no framing,
# no referrer to other sites, and a content security policy (the workspace's pages get
# theirs from api.web.PageHeaders). A response that sets a header itself keeps its own.
# The interactive docs load Swagger UI / ReDoc from jsDelivr with inline scripts, so
# their pages get a policy that allows exactly that.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": ("default-src 'self'; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'"),
}
DOCS_POLICY = ("default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
               "font-src https://fonts.gstatic.com; img-src 'self' data: "
               "https://fastapi.tiangolo.com https://cdn.redoc.ly; connect-src 'self'; "
               "worker-src blob:; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every non-page HTTP response that lacks them."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_page(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        wanted = dict(SECURITY_HEADERS)
        if scope.get("path", "").startswith(DOCS_PATHS):
            wanted["content-security-policy"] = DOCS_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name.encode(), value.encode()) for name, value in wanted.items()
                            if name.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
