"""The one place a capture touches the network: fetch a request and record it as WARC 1.1.

The browser never opens a connection itself. Every request it makes is handed here (Playwright
``page.route``), sent over a socket we open to the address ``netguard`` approved, and the bytes
that cross that socket - request and response, exactly as sent and received, chunked framing and
compression included - are written as WARC ``request``/``response`` records. The browser then
gets the decoded response. A response cut short by the size or time limit is kept, marked with
``WARC-Truncated``.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.utils import Digester  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from qinglang.evidence import netguard

# Headers that describe one hop, or the encoding we undo before handing the body to the browser.
HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-encoding",
        "content-length",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)
READ_SIZE = 65536


@dataclass(frozen=True)
class Limits:
    timeout: float  # seconds for one whole request and response
    max_bytes: int  # response body bytes kept per request
    allow_private: bool


@dataclass
class Exchange:
    """One request and what came back (or why nothing did)."""

    url: str
    method: str
    started: datetime
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # decoded, for the browser
    ip: str | None = None
    truncated: str | None = None  # WARC-Truncated value: "length", "time" or "disconnect"
    error: str | None = None
    refused: bool = False
    tls: dict[str, Any] | None = None
    response_record_id: str | None = None

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "method": self.method,
            "started": self.started.isoformat(),
            "status": self.status,
            "ip": self.ip,
            "truncated": self.truncated,
            "error": self.error,
            "refused": self.refused,
            "bytes": len(self.body),
            "warc_record_id": self.response_record_id,
        }


class _TapReader(io.RawIOBase):
    """A socket reader that keeps a copy of every byte received."""

    def __init__(self, sock: socket.socket, sink: bytearray) -> None:
        self._sock, self._sink = sock, sink

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._sock.recv_into(buffer)
        self._sink.extend(memoryview(buffer)[:n])
        return n


class _TapSocket:
    """Wraps the connection's socket so http.client's traffic is recorded byte for byte."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.sent, self.received = sock, bytearray(), bytearray()

    def sendall(self, data: bytes) -> None:
        self.sent.extend(data)
        self.sock.sendall(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_TapReader(self.sock, self.received))

    def close(self) -> None:
        """Deliberately nothing. http.client closes the connection as soon as a "Connection:
        close" or HTTP/1.0 response starts, counting on socket.makefile to keep the descriptor
        open until the body is read; our reader has no such count, so the body that arrives
        after the headers would be lost. ``Recorder.fetch`` closes the real socket when the
        exchange is over."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def _tls_details(sock: ssl.SSLSocket, verified: bool, problem: str = "") -> dict[str, Any]:
    chain: list[str] = []
    # Python 3.11 has no public call for the peer's chain (3.13 adds SSLSocket.get_verified_chain);
    # the underlying _ssl object has had both methods since 3.10.
    sslobj: Any = sock._sslobj  # type: ignore[attr-defined]
    getter = sslobj.get_verified_chain if verified else sslobj.get_unverified_chain
    for cert in getter() or []:
        chain.append(cert.public_bytes(ssl._ssl.ENCODING_PEM))  # type: ignore[attr-defined]
    return {
        "version": sock.version(),
        "cipher": (sock.cipher() or ("",))[0],
        "verified": verified,
        "verify_error": problem,
        "chain_pem": chain,
    }


class _Connection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address fixed in advance, recorded through ``_TapSocket``."""

    def __init__(self, target: netguard.Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target, self.address = target, address
        self.tap: _TapSocket | None = None
        self.tls: dict[str, Any] | None = None

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.target.port), self.timeout)
        if self.target.scheme == "https":
            raw = self._wrap(raw)
        self.tap = _TapSocket(raw)
        self.sock = self.tap  # type: ignore[assignment]

    def _wrap(self, raw: socket.socket) -> socket.socket:
        try:
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.target.host)
            self.tls = _tls_details(sock, verified=True)
            return sock
        except ssl.SSLCertVerificationError as exc:
            # A site with a bad certificate (phishing, say) must still be preserved: reconnect
            # without verification and say so in the provenance.
            raw.close()
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            plain = socket.create_connection((self.address, self.target.port), self.timeout)
            sock = context.wrap_socket(plain, server_hostname=self.target.host)
            self.tls = _tls_details(sock, verified=False, problem=str(exc))
            return sock


def decode_body(data: bytes, encoding: str) -> bytes:
    """Undo gzip/deflate; a truncated stream gives what could be decoded."""
    encoding = encoding.strip().lower()
    try:
        if encoding in {"gzip", "x-gzip"}:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
        if encoding == "deflate":
            try:
                return zlib.decompressobj().decompress(data)
            except zlib.error:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data)
    except zlib.error:
        return data
    return data


def _request_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _read_body(
    response: http.client.HTTPResponse, conn: _Connection, deadline: float, limit: int
) -> tuple[bytes, str | None]:
    chunks: list[bytes] = []
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), "time"
        if conn.tap is not None:
            conn.tap.sock.settimeout(remaining)
        try:
            data = response.read1(READ_SIZE)
        except TimeoutError:
            return b"".join(chunks), "time"
        except (http.client.IncompleteRead, ConnectionError):
            return b"".join(chunks), "disconnect"
        if not data:
            return b"".join(chunks), None
        chunks.append(data)
        total += len(data)
        if total > limit:
            return b"".join(chunks)[:limit], "length"


class _Sha256Writer(WARCWriter):  # type: ignore[misc]
    """WARC block and payload digests in SHA-256 (warcio defaults to SHA-1, which courts no longer favour)."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


class Recorder:
    """Fetches on the browser's behalf and writes every exchange to one gzipped WARC file."""

    def __init__(self, stream: BinaryIO, limits: Limits) -> None:
        self.writer = _Sha256Writer(stream, gzip=True, warc_version="1.1")
        self.limits = limits
        self.exchanges: list[Exchange] = []

    def write_warcinfo(self, info: dict[str, str]) -> None:
        record = self.writer.create_warcinfo_record("data.warc.gz", info)
        self.writer.write_record(record)

    def fetch(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Exchange:
        exchange = Exchange(url=url, method=method, started=datetime.now(UTC))
        self.exchanges.append(exchange)
        try:
            target = netguard.check(url, allow_private=self.limits.allow_private)
        except netguard.UrlRefused as exc:
            exchange.error, exchange.refused = str(exc), True
            return exchange
        exchange.ip = target.addresses[0]
        conn = _Connection(target, exchange.ip, self.limits.timeout)
        try:
            self._exchange(conn, exchange, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
            if conn.tap is not None:
                conn.tap.sock.close()
        return exchange

    def _exchange(self, conn: _Connection, exchange: Exchange, headers: dict[str, str], body: bytes | None) -> None:
        deadline = time.monotonic() + self.limits.timeout
        send = {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS and not k.startswith(":")}
        send.update({"Accept-Encoding": "gzip, deflate", "Connection": "close"})
        send.pop("accept-encoding", None)
        conn.request(exchange.method, _request_path(exchange.url), body=body, headers=send)
        response = conn.getresponse()
        raw_body, exchange.truncated = _read_body(response, conn, deadline, self.limits.max_bytes)
        exchange.status, exchange.reason = response.status, response.reason
        exchange.headers = [(k, v) for k, v in response.getheaders()]
        exchange.body = decode_body(raw_body, exchange.header("Content-Encoding"))
        exchange.tls = conn.tls
        assert conn.tap is not None  # connect() ran, or request() would have raised
        self._write_records(exchange, bytes(conn.tap.sent), bytes(conn.tap.received))

    def _write_records(self, exchange: Exchange, sent: bytes, received: bytes) -> None:
        response_id = f"<urn:uuid:{uuid.uuid4()}>"
        common = {"WARC-IP-Address": exchange.ip or "", "WARC-Date": _warc_date(exchange.started)}
        response_headers = {**common, "WARC-Record-ID": response_id}
        if exchange.truncated:
            response_headers["WARC-Truncated"] = exchange.truncated
        response = self.writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(received),
            length=len(received),
            warc_headers_dict=response_headers,
        )
        self.writer.write_record(response)
        request = self.writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(sent),
            length=len(sent),
            warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
        )
        self.writer.write_record(request)
        exchange.response_record_id = response_id

    def browser_headers(self, exchange: Exchange) -> dict[str, str]:
        """The response headers to give the browser: one value per name, hop headers dropped."""
        merged: dict[str, str] = {}
        for name, value in exchange.headers:
            key = name.lower()
            if key in HOP_HEADERS:
                continue
            merged[key] = f"{merged[key]}\n{value}" if key == "set-cookie" and key in merged else value
        return merged


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
