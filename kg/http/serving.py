"""Serving the endpoint: binding the socket, the uvicorn server, and ``ickg serve``."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time

from starlette.applications import Starlette

from kg import settings
from kg.errors import IckgError
from kg.http.routes import create_app
from kg.store import open_store

def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise IckgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def base_url(host: str, port: int) -> str:
    """The URL a local client should use for a server bound to ``host:port``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _server(app: Starlette, log_level: str, access_log: bool):
    import uvicorn

    config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="off",
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


class ServerThread:
    """An app served by uvicorn on a background thread (tests, embedding); ``stop()`` ends it."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
        self.sock = bind(host, port)
        self.url = base_url(host, self.sock.getsockname()[1])
        if not getattr(app.state, "base_url", ""):
            app.state.base_url = self.url
        self.server = _server(app, log_level, access_log=False)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="ickg-http", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise IckgError(f"the HTTP server on {self.url} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


def run(host: str = "127.0.0.1", port: int = 8000, overrides: dict[str, str] | None = None,
        workers: int = 2) -> None:
    """Serve the configured store on ``host:port`` until interrupted (``ickg serve``)."""
    sock = bind(host, port)  # fail before the slow build when the port is taken
    try:
        store = open_store(overrides, workers=workers)
    except BaseException:
        sock.close()
        raise
    try:
        store.warm()
        url = base_url(host, sock.getsockname()[1])
        if not is_loopback(host):
            print(f"WARNING: listening on {host}, not a loopback address: anyone who can reach this "
                  "machine can query the endpoint (read-only, limits apply)", file=sys.stderr, flush=True)
        public = settings.get("base_url", overrides).rstrip("/")
        print(f"SPARQL endpoint: {url}/sparql" + (f" (public URL {settings.mask(public)}/sparql)" if public else ""),
              flush=True)
        print(f"  release {store.release_id or '(remote)'}, {settings.mask(store.location)}, time limit "
              f"{store.time_limit_ms} ms, row limit {store.max_rows:,}", flush=True)
        isolation = getattr(store, "isolation", None)
        if isolation is not None:
            print("  query workers: " + (", ".join(isolation) if isolation else
                                         "NO network isolation on this OS (the grammar check still holds)"),
                  flush=True)
        print(f"  gallery {url}/gallery.ttl, settings {url}/settings.json, health {url}/health", flush=True)
        app = create_app(store, overrides)
        app.state.base_url = url
        _server(app, "info", access_log=True).run(sockets=[sock])
    finally:
        store.close()
        sock.close()

