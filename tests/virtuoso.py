"""A real, throw-away Virtuoso server for the triplestore tests (a helper module, not collected).

:class:`Virtuoso` writes a ``virtuoso.ini`` into its own temporary directory (database, logs,
HTTP root), binds the SQL (ISQL) port and the HTTP server to 127.0.0.1 on free ports, starts
``virtuoso-t +foreground``, waits (bounded) until ``/sparql`` answers, gives the ``dba`` user a
random password, and on :meth:`stop` kills the server and removes the directory.

Writes use the standard, documented route: the ``dba`` account (which holds the
``SPARQL_UPDATE`` role) with HTTP Digest authentication on ``/sparql-graph-crud-auth`` (Graph
Store Protocol) and ``/sparql-auth`` (SPARQL Update). The anonymous ``/sparql`` endpoint stays
read-only.

The small ``ResultSetMaxRows`` (default 50) lets the tests hit Virtuoso's row cap with the tiny
fixture graph; ``MaxQueryExecutionTime`` bounds any query the tests send.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 0
CaseMode             = 2
DirsAllowed          = ., {d}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0
KeepAliveTimeout     = 10

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = {max_seconds}
"""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isql_path() -> str | None:
    """Path of Virtuoso's SQL client, if any."""
    for name in ("isql-vt", "isql-v", "isql"):
        found = shutil.which(name)
        if found:
            return found
    return None


class VirtuosoError(RuntimeError):
    """The server did not start or a command failed; the message holds the log's tail."""


class Virtuoso:
    """One Virtuoso server in a temporary directory."""

    def __init__(self, binary: str, max_rows: int = 50, max_seconds: int = 30,
                 startup_timeout: float = 60.0) -> None:
        self.binary = binary
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.startup_timeout = startup_timeout
        self.dir = Path(tempfile.mkdtemp(prefix="ickg-virtuoso-"))
        self.user = "dba"
        self.password = "dba"  # Virtuoso's initial password; replaced in start()
        self.proc: subprocess.Popen | None = None
        self.http_port = self.sql_port = 0

    # -------------------------------------------------------------------- endpoints

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The anonymous, read-only query endpoint."""
        return self.base + "/sparql"

    @property
    def sparql_auth(self) -> str:
        """The Digest-protected query and update endpoint."""
        return self.base + "/sparql-auth"

    @property
    def gsp_auth(self) -> str:
        """The Digest-protected Graph Store Protocol endpoint."""
        return self.base + "/sparql-graph-crud-auth"

    @property
    def gsp(self) -> str:
        """The anonymous Graph Store endpoint (read-only for anonymous users)."""
        return self.base + "/sparql-graph-crud"

    # -------------------------------------------------------------------- lifecycle

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Virtuoso's console output and error log."""
        out = []
        for name in ("console.txt", "virtuoso.log"):
            path = self.dir / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                out.append(f"--- {path} (last {lines} lines)\n" + "\n".join(text[-lines:]))
        return "\n".join(out) or f"(no log in {self.dir})"

    def start(self) -> Virtuoso:
        """Start the server and wait until it answers; raise VirtuosoError otherwise."""
        last = ""
        for attempt in range(2):  # a free port can be taken between choosing it and binding it
            self.sql_port, self.http_port = free_port(), free_port()
            (self.dir / "vsp").mkdir(exist_ok=True)
            for stale in self.dir.glob("virtuoso*"):
                if stale.suffix in (".db", ".trx", ".lck", ".pxa", ".log"):
                    stale.unlink()
            (self.dir / "virtuoso.ini").write_text(
                INI.format(d=self.dir, sql_port=self.sql_port, http_port=self.http_port,
                           max_rows=self.max_rows, max_seconds=self.max_seconds), encoding="utf-8")
            console = open(self.dir / "console.txt", "wb")
            self.proc = subprocess.Popen([self.binary, "+foreground", "+configfile", str(self.dir / "virtuoso.ini")],
                                         cwd=self.dir, stdout=console, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            console.close()
            try:
                self._wait()
            except VirtuosoError as exc:
                last = str(exc)
                self._kill()
                if "in use" in last.lower() or "bind" in last.lower():
                    continue
                raise
            self._set_password()
            return self
        raise VirtuosoError(last)

    def _wait(self) -> None:
        import httpx

        deadline = time.monotonic() + self.startup_timeout
        probe = self.sparql + "?query=" + "ASK%20%7B%7D"
        error = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise VirtuosoError(f"virtuoso-t exited with code {self.proc.returncode} while starting\n"
                                    + self.log_tail())
            try:
                resp = httpx.get(probe, timeout=2.0)
                if resp.status_code == 200:
                    return
                error = f"HTTP {resp.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.25)
        raise VirtuosoError(f"Virtuoso did not answer on {self.sparql} within {self.startup_timeout:g} s "
                            f"(last: {error})\n" + self.log_tail())

    def isql(self, statement: str, password: str | None = None) -> str:
        """Run one SQL statement as dba through isql; return its output."""
        isql = isql_path()
        if isql is None:
            raise VirtuosoError("isql-vt not found (it comes with virtuoso-opensource)")
        proc = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", self.user, password or self.password,
                               f"exec={statement}"], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or "*** Error" in proc.stdout + proc.stderr:
            raise VirtuosoError(f"isql failed ({proc.returncode}) on {statement.split('(')[0]}: "
                                f"{(proc.stdout + proc.stderr)[-500:]}")
        return proc.stdout

    def _set_password(self) -> None:
        """Give dba a random password, so no test passes on the well-known default."""
        if isql_path() is None:
            return  # keep the default; the tests still use Digest auth
        new = "pw-" + secrets.token_hex(12)
        self.isql(f"USER_CHANGE_PASSWORD('dba', '{self.password}', '{new}');")
        self.password = new

    def _kill(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        """Kill the server and remove its directory."""
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Virtuoso:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
