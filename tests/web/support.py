"""Helpers of the web tests: a real uvicorn on a free loopback port, signing in, the users.

Users (password ``PASSWORD`` for all): ``ada`` admin, ``lea`` cx_lead, ``tom`` owner of
Thomas Becker (touchpoint portal), ``sab`` owner of the department Customer Service
(hotline, chat), ``vic`` viewer.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

PASSWORD = "correct horse battery"
USERS = {
    "ada": ("admin", None),
    "lea": ("cx_lead", None),
    "tom": ("owner", "Thomas Becker"),
    "sab": ("owner", "Customer Service"),
    "vic": ("viewer", None),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on a free loopback port until the block ends; yield its base URL."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(page: str) -> str:
    """The CSRF token of the sign-in form in ``page``."""
    found = _CSRF_INPUT.search(page)
    assert found, page
    return found.group(1)


def login(base: str, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``name`` (its CSRF token in ``client.headers``); close it."""
    client = httpx.Client(base_url=base, timeout=30)
    token = form_token(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    me = client.get("/api/v1/me").json()
    client.headers["X-CSRF-Token"] = me["csrf_token"]
    return client


class Browsers:
    """Clients of one server, anonymous or signed in, all closed by :meth:`close`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._open: list[httpx.Client] = []

    def anon(self) -> httpx.Client:
        """A client with no session yet."""
        client = httpx.Client(base_url=self.base, timeout=30)
        self._open.append(client)
        return client

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        """A client signed in as ``name``."""
        client = login(self.base, name, password)
        self._open.append(client)
        return client

    def close(self) -> None:
        """Close every client."""
        for client in self._open:
            client.close()
