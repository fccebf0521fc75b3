"""One way to answer an error: JSON under ``/api/``, an HTML page elsewhere, with the status,
newsloom's error code, the cause and the fix, and whatever headers the status needs (``Allow``
on a 405, ``WWW-Authenticate`` on a 401). Every error path goes through ``error_response``:
newsloom's typed errors, HTTP errors from routing, invalid requests, unexpected failures, and
the guards that answer before the app is reached. Every error answer carries the
security headers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..display import printable
from ..errors import NewsloomError

log = logging.getLogger(__name__)

# on every answer (errors set them here: a 500 is answered outside the middleware that adds them)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Problem(BaseModel):
    """What every error answers under ``/api/``."""

    status: int
    error: str
    code: str | None = None
    cause: str | None = None
    fix: str | None = None


def wants_json(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def error_response(request: Request, status: int, error: str, *, code: str | None = None, cause: str | None = None,
                   fix: str | None = None, headers: dict[str, str] | None = None) -> Response:
    headers = SECURITY_HEADERS | (headers or {})
    if wants_json(request.url.path):
        problem = Problem(status=status, error=error, code=code, cause=cause, fix=fix)
        return JSONResponse(problem.model_dump(), status_code=status, headers=headers)
    templates = request.app.state.services.templates
    body = templates.get_template("error.html").render({"status": status, "message": printable(error)})
    return HTMLResponse(body, status_code=status, headers=headers)


def newsloom_error_response(request: Request, error: NewsloomError) -> Response:
    return error_response(request, error.status, error.message, code=error.code, cause=error.cause, fix=error.fix,
                          headers=error.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to ``error_response``."""

    @app.exception_handler(NewsloomError)
    async def newsloom_error(request: Request, error: NewsloomError):
        return newsloom_error_response(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        headers = dict(error.headers or {})
        if error.status_code == 405:  # Starlette names only the first route's methods
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return error_response(request, error.status_code, str(error.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return error_response(request, 422, f"invalid request: {problems}", cause=problems,
                              fix="see the parameters and body documented at /docs")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, f"internal error ({type(error).__name__})",
                              fix="this is a bug in newsloom: the server log has the traceback")


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route answers at the request's path (each method tried on the routes)."""
    return [method for method in ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
            if any(route.matches(request.scope | {"method": method})[0] == Match.FULL for route in app.router.routes)]


def documented(*statuses: int, html: bool = False) -> dict:
    """OpenAPI ``responses`` for the error statuses a route answers: the Problem JSON under
    ``/api/``, an HTML page for a page route."""
    described = {400: "Bad request: the input cannot be read, or the Host header is not this server's",
                 401: "The write token is missing or wrong (send 'Authorization: Bearer TOKEN')",
                 403: "Writes are disabled: the server was started without a write token",
                 404: "No such story or article", 405: "Method not allowed (see the Allow header)",
                 413: "The request body is over the server's limit",
                 422: "Invalid parameters or body (the message names each problem)",
                 500: "Internal error (a bug: the server log has the traceback)",
                 503: "Busy: another run (a CLI ingest or recluster) holds the store; send it again after "
                      "Retry-After seconds"}
    if html:
        return {status: {"description": described[status], "content": {"text/html": {"schema": {"type": "string"}}}}
                for status in statuses}
    retry = {"headers": {"Retry-After": {"description": "seconds to wait before sending it again",
                                         "schema": {"type": "integer"}}}}
    return {status: {"description": described[status], "model": Problem} | (retry if status == 503 else {})
            for status in statuses}
