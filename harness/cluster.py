"""A scale-out deployment on loopback, for the tests and the HTTP benchmark.

``cluster(pg_url, replicas=2)`` starts N ``helpdesk-mcp`` replicas (real processes, stateless
Streamable HTTP, JWT auth, one PostgreSQL, a shared cursor secret) and nginx in front of them,
configured from ``deploy/nginx.conf`` -- the file ``docs/deploy.md`` shows -- with only the
upstream servers and the listen port changed. Every process is stopped when the block ends.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT: Final = Path(__file__).resolve().parent.parent
NGINX_CONF: Final = ROOT / "deploy" / "nginx.conf"
ISSUER: Final = "https://auth.example"
ALL_SCOPES: Final = "tickets:read tickets:write notes:read notes:write"
CURSOR_SECRET: Final = "cluster-test-cursor-secret-0123456789abcdef"
DEFAULT_RATE_LIMIT: Final = "500:1000"
"""Each replica's ``--rate-limit`` unless ``cluster(rate_limit=...)`` says otherwise."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TokenIssuer:
    """An authorization server's signing key: writes the JWKS the replicas trust, mints tokens."""

    def __init__(self, folder: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = folder / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}))

    def token(
        self, audience: str, *, scope: str = ALL_SCOPES, subject: str = "agent-1", ttl: int = 3600
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "sub": subject,
            "iat": now,
            "exp": now + ttl,
            "scope": scope,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})


def wait_http(url: str, *, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200, or fail saying so."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode} before answering")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout:g} s")
        time.sleep(0.1)


def replica_args(
    db_url: str,
    port: int,
    resource_url: str,
    jwks: Path,
    audit: Path,
    *,
    auth: Literal["jwt", "none"] = "jwt",
    rate_limit: str | None = DEFAULT_RATE_LIMIT,
    audit_log: bool = True,
) -> list[str]:
    """The replica command line of docs/deploy.md, with this machine's values.

    ``auth="none"`` (loopback only) and ``rate_limit`` exist for the HTTP benchmark: it compares a
    replica like for like with a server that checks no token, and must not measure the limiter's
    refusals (``None`` leaves the limiter out). ``audit_log=False`` serves without the audit log,
    as a wireproof connector does by default (the benchmark's like-for-like set-up).
    """
    if auth == "jwt":
        credentials = ["--auth", "jwt", "--jwks", str(jwks), "--issuer", ISSUER]
    else:
        credentials = ["--auth", "none"]
    limit = ["--rate-limit", rate_limit] if rate_limit is not None else []
    return [
        "--db",
        db_url,
        "--transport",
        "http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *credentials,
        "--resource-url",
        resource_url,
        *limit,
        "--tool-timeout",
        "5",
        "--shutdown-timeout",
        "10",
        *(["--audit-log", str(audit)] if audit_log else []),
    ]


@dataclass
class Replica:
    """One ``helpdesk-mcp`` process serving HTTP on a loopback port."""

    args: list[str]
    port: int
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "helpdesk.cli", *self.args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=self.env,
            )
        try:
            wait_http(f"http://127.0.0.1:{self.port}/readyz", process=self.process)
        except BaseException:  # not ready in time: do not leave it running behind the caller's back
            self.process.kill()
            self.process.wait(timeout=30)
            raise

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as a crash or the OOM killer would do it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return int(self.process.returncode)

    def audited_calls(self) -> list[dict[str, Any]]:
        """The audit lines this replica wrote: one per call it served (none without an audit log)."""
        if "--audit-log" not in self.args:
            return []
        audit = Path(self.args[self.args.index("--audit-log") + 1])
        if not audit.exists():
            return []
        return [json.loads(line) for line in audit.read_text().splitlines() if line.strip()]

    def rss_kib(self) -> int:
        """Resident memory of the process, from /proc."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        assert match is not None
        return int(match.group(1))


def nginx_config(upstreams: Sequence[int], listen: int) -> str:
    """deploy/nginx.conf with the upstream servers and listen port of this machine."""
    text = NGINX_CONF.read_text()
    servers = re.findall(r"^(\s*)server \S+:\d+ (.*);$", text, re.MULTILINE)
    assert servers, "deploy/nginx.conf has no upstream server lines"
    indent, options = servers[0]
    block = "\n".join(f"{indent}server 127.0.0.1:{port} {options};" for port in upstreams)
    text = re.sub(r"(?:^\s*server \S+:\d+ .*;\n)+", block + "\n", text, count=1, flags=re.MULTILINE)
    text, listens = re.subn(r"^(\s*)listen \d+;$", rf"\1listen 127.0.0.1:{listen};", text, flags=re.MULTILINE)
    assert listens == 1, "deploy/nginx.conf should have one listen line"
    return text


@contextmanager
def nginx(upstreams: Sequence[int], folder: Path, port: int) -> Iterator[int]:
    """nginx (Debian's package) on ``port``, round-robin over ``upstreams``; yields the port."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed: apt-get install nginx (or run .ci/run, which does)")
    prefix = folder / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(upstreams, port))
    with (folder / "nginx.log").open("ab") as log:
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not start: {(folder / 'nginx.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@dataclass
class Cluster:
    """The running deployment: nginx's URL, the replicas, and how to get a token for them."""

    url: str
    replicas: list[Replica]
    issuer: TokenIssuer
    folder: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def token(self, **options: Any) -> str:
        return self.issuer.token(self.url, **options)

    def logs(self) -> str:
        return "\n".join(f"--- {r.log.name}\n{r.log.read_text()[-3000:]}" for r in self.replicas)


@contextmanager
def cluster(
    db_url: str,
    replicas: int = 2,
    *,
    direct: bool = False,
    auth: Literal["jwt", "none"] = "jwt",
    rate_limit: str | None = DEFAULT_RATE_LIMIT,
    audit_log: bool = True,
) -> Iterator[Cluster]:
    """Start ``replicas`` helpdesk-mcp processes on ``db_url`` and nginx in front of them.

    ``direct=True`` (one replica, for the benchmark's baseline) points the URL at the replica itself.
    ``auth="none"`` serves without authentication (loopback only; ``token()`` is then unused) and
    ``rate_limit`` replaces each replica's ``--rate-limit`` (``None``: no limit): both for the HTTP
    benchmark, which compares a replica with a server that has neither.
    """
    folder = Path(tempfile.mkdtemp(prefix="wireproof-cluster-"))
    issuer = TokenIssuer(folder)
    ports = [free_port() for _ in range(replicas)]
    front = free_port()  # the URL clients use: also the audience of their tokens
    env = {**os.environ, "HELPDESK_CURSOR_SECRET": CURSOR_SECRET}
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        started: list[Replica] = []
        stack.callback(lambda: [r.stop() for r in started if r.alive()])
        if direct:
            assert replicas == 1, "direct=True serves one replica without nginx"
        url = f"http://127.0.0.1:{ports[0] if direct else front}/mcp"
        for index, port in enumerate(ports):
            args = replica_args(
                db_url,
                port,
                url,
                issuer.jwks,
                folder / f"audit{index}.jsonl",
                auth=auth,
                rate_limit=rate_limit,
                audit_log=audit_log,
            )
            # libpq's PGAPPNAME names the replica's sessions in pg_stat_activity (tests watch them).
            replica = Replica(
                args, port, folder / f"replica{index}.log", {**env, "PGAPPNAME": f"replica{index}"}
            )
            replica.start()
            started.append(replica)
        if not direct:
            stack.enter_context(nginx(ports, folder, front))
        yield Cluster(url, started, issuer, folder)


@dataclass
class Outcome:
    """What a client saw for one logical call, retries included."""

    result: Any = None
    attempts: int = 0
    failures: list[str] = field(default_factory=list)
    """Each failed attempt: ``tool:<type>/<code>`` for a tool error, ``transport:<exception>`` otherwise."""


async def call_once(
    url: str, token: str, tool: str, arguments: dict[str, Any], *, limit: float = 30.0
) -> Any:
    """One call through the official client, in a fresh stateless session."""
    import anyio
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(
        headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(limit, read=limit)
    )
    try:
        with anyio.fail_after(limit):
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                return await client.call_tool(tool, arguments)
    except BaseExceptionGroup as group:  # the client's task group wraps the one real failure
        leaf: BaseException = group
        while isinstance(leaf, BaseExceptionGroup) and len(leaf.exceptions) == 1:
            leaf = leaf.exceptions[0]
        raise leaf from None


async def call_until_done(
    url: str, token: str, tool: str, arguments: dict[str, Any], *, give_up_after: float = 90.0
) -> Outcome:
    """Call until the answer is final, as the spec asks of a client: retry transport failures and
    retryable tool errors (waiting their retry-after, at most 1 s), with the same arguments -- and so
    the same idempotency_key. A final answer is a success or a terminal (non-retryable) error."""
    import anyio

    outcome = Outcome()
    deadline = time.monotonic() + give_up_after
    while True:
        outcome.attempts += 1
        wait = 0.2
        try:
            result = await call_once(url, token, tool, arguments)
        except Exception as exc:  # a dropped connection, a 502 from the proxy, a timeout
            outcome.failures.append(f"transport:{type(exc).__name__}")
        else:
            error = (result.meta or {}).get("io.wireproof/error") if result.is_error else None
            if not (isinstance(error, dict) and error.get("retryable")):
                outcome.result = result
                return outcome
            outcome.failures.append(f"tool:{error.get('type')}/{error.get('code')}")
            retry_after_ms = error.get("retry_after_ms")
            wait = min(float(retry_after_ms) / 1000, 1.0) if retry_after_ms else 0.2
        if time.monotonic() > deadline:
            raise RuntimeError(f"{tool} not done after {outcome.attempts} attempts: {outcome.failures[-5:]}")
        await anyio.sleep(wait)
