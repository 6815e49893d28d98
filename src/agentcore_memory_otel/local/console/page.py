"""The console's page and its static files, shipped as package data: no build step, no CDN."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..backend import Backend
from .api import api_routes
from .links import CONSOLE_PATH

# Only the console's own files run or style the page; data is only ever fetched from it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_FILES = {
    "console.css": "text/css; charset=utf-8",
    "dom.js": "text/javascript; charset=utf-8",
    "events.js": "text/javascript; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
}


def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def console_routes(backend: Backend, trace_url: str | None = None) -> list[BaseRoute]:
    """Routes serving the console at ``/console``: the page, its files and its JSON API.

    Args:
        backend: The server's backend, read directly.
        trace_url: Template linking a trace id out to a tracing tool (holds ``{traceId}``).
    """
    page = _read("console.html")
    files = {name: (_read(name), media) for name, media in STATIC_FILES.items()}
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    }

    async def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(found[0], media_type=found[1], headers=headers)

    return [
        Route(CONSOLE_PATH, index, methods=["GET"]),
        Route(CONSOLE_PATH + "/", index, methods=["GET"]),
        Route(CONSOLE_PATH + "/static/{name}", static, methods=["GET"]),
        *api_routes(backend, trace_url),
    ]
