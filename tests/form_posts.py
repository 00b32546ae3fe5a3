"""A form POST as the browser sends it, for calling the sign-in and sign-out routes directly."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request


def posted(path: str, fields: dict[str, str]) -> Request:
    body = urlencode(fields).encode()
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": path, "scheme": "http",
             "server": ("127.0.0.1", 8501), "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(len(body)).encode())]}
    return Request(scope, receive)
