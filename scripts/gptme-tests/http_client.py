"""The part of Flask's test client that gptme's tests use, answered by real HTTP requests.

`client.get(path, json=..., headers=..., query_string=...)` and friends send the request to a
running server with `requests` and wrap the answer in an object with the attributes of a
Werkzeug test response (`status_code`, `get_json()`, `json`, `data`, `headers`, `mimetype`...).
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

import requests


class HttpResponse:
    def __init__(self, response: requests.Response):
        self._response = response
        self.status_code = response.status_code
        self.status = f"{response.status_code} {response.reason}"
        self.headers = response.headers
        if not response.headers.get("Content-Type", "").startswith("text/event-stream"):
            _ = response.content  # read now: the connection goes back to the pool

    @property
    def data(self) -> bytes:
        """Read on first use, as Werkzeug's lazy body: an event stream that is never read never blocks."""
        return self._response.content

    def get_data(self, as_text: bool = False):
        return self.data.decode("utf-8", errors="replace") if as_text else self.data

    @property
    def text(self) -> str:
        return self.get_data(as_text=True)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.mimetype == "application/json" or self.mimetype.endswith("+json")

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        return int(value) if value is not None else len(self.data)

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    def get_json(self, silent: bool = False, force: bool = False) -> Any:
        if not (self.is_json or force):
            if silent:
                return None
            raise ValueError(f"response is not JSON ({self.content_type!r})")
        try:
            return jsonlib.loads(self.data)
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self) -> Any:
        return self.get_json(silent=True)

    def close(self) -> None:
        self._response.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _is_file(value: Any) -> bool:
    return hasattr(value, "read") or (isinstance(value, tuple) and len(value) >= 1 and hasattr(value[0], "read"))


class HttpClient:
    """A Flask-test-client look-alike bound to one server's base URL."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.token = token

    def open(
        self,
        path: str = "/",
        method: str = "GET",
        *,
        json: Any = None,
        data: Any = None,
        content_type: str | None = None,
        headers: dict | list | None = None,
        query_string: Any = None,
        follow_redirects: bool = False,
        **_ignored: Any,
    ) -> HttpResponse:
        request_headers = dict(headers or {})
        if self.token and not any(name.lower() == "authorization" for name in request_headers):
            request_headers["Authorization"] = f"Bearer {self.token}"
        body: Any = None
        files: Any = None
        form: Any = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            request_headers.setdefault("Content-Type", content_type or "application/json")
        elif isinstance(data, dict):
            if any(_is_file(value) or (isinstance(value, list) and any(_is_file(item) for item in value)) for value in data.values()):
                files, form = self._multipart(data)
            else:
                form = data
                if content_type:
                    request_headers.setdefault("Content-Type", content_type)
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
            if content_type:
                request_headers.setdefault("Content-Type", content_type)
        elif content_type:
            request_headers.setdefault("Content-Type", content_type)
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        request = requests.Request(
            method.upper(),
            url,
            data=body if body is not None else form,
            files=files,
            params=query_string,
            headers=request_headers,
        )
        prepared = self.session.prepare_request(request)
        # requests resolves `.`/`..` path segments; Werkzeug's test client sends them as written.
        raw_path = requests.utils.requote_uri(url.split("?", 1)[0])
        query = prepared.url.split("?", 1)[1] if "?" in prepared.url else ""
        prepared.url = f"{raw_path}?{query}" if query else raw_path
        response = self.session.send(prepared, allow_redirects=follow_redirects, timeout=60, stream=True)
        return HttpResponse(response)

    @staticmethod
    def _multipart(data: dict) -> tuple[list, dict]:
        files: list = []
        form: dict = {}
        for key, value in data.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, tuple) and hasattr(item[0], "read"):
                    stream, *rest = item
                    filename = rest[0] if rest else getattr(stream, "name", key)
                    mimetype = rest[1] if len(rest) > 1 else "application/octet-stream"
                    files.append((key, (filename, stream.read(), mimetype)))
                elif hasattr(item, "read"):
                    files.append((key, (getattr(item, "name", key), item.read(), "application/octet-stream")))
                else:
                    form[key] = item
        return files, form

    def get(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "GET", **kwargs)

    def post(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "POST", **kwargs)

    def put(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "PUT", **kwargs)

    def patch(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "PATCH", **kwargs)

    def delete(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "DELETE", **kwargs)

    def options(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "OPTIONS", **kwargs)

    def head(self, path: str = "/", **kwargs: Any) -> HttpResponse:
        return self.open(path, "HEAD", **kwargs)

    def set_cookie(self, key: str, value: str = "", *args: Any, domain: str | None = None, **kwargs: Any) -> None:
        self.session.cookies.set(key, value)

    def delete_cookie(self, key: str, *args: Any, **kwargs: Any) -> None:
        self.session.cookies.pop(key, None)

    def get_cookie(self, key: str, *args: Any, **kwargs: Any):
        value = self.session.cookies.get(key)
        return None if value is None else type("Cookie", (), {"key": key, "value": value})()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.session.close()


