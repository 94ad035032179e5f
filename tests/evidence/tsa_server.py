"""A real RFC 3161 time-stamping authority on 127.0.0.1: ``openssl ts -reply`` behind HTTP.

It makes its own throw-away root and TSA certificates, so tests check tokens exactly as a
recipient would with ``openssl ts -verify -CAfile root.pem``.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/root.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder: Path) -> None:
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "30",
        "-subj",
        "/CN=测试时间戳根证书/O=Qinglang Tests",
        "-utf8",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=Qinglang Test TSA",
        cwd=folder,
    )
    (folder / "ext.cnf").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n"
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        cwd=folder,
    )
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(TS_CONFIG.format(dir=folder))


@dataclass
class Authority:
    url: str
    folder: Path
    requests: list[bytes]

    @property
    def root_pem(self) -> Path:
        return self.folder / "root.pem"

    @property
    def tsa_pem(self) -> Path:
        return self.folder / "tsa.pem"


def _handler(folder: Path, requests: list[bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            requests.append(query)
            with tempfile.TemporaryDirectory() as work:
                Path(work, "q.tsq").write_bytes(query)
                done = subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(folder / "ts.cnf"),
                        "-queryfile",
                        f"{work}/q.tsq",
                        "-out",
                        f"{work}/r.tsr",
                    ],
                    capture_output=True,
                    check=False,
                )
                answer = Path(work, "r.tsr").read_bytes() if done.returncode == 0 else b""
            self.send_response(200 if answer else 500)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class TsaServer:
    def __init__(self, folder: Path) -> None:
        make_authority(folder)
        self.requests: list[bytes] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(folder, self.requests))
        self.authority = Authority(f"http://127.0.0.1:{self.server.server_port}/tsa", folder, self.requests)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Authority:
        self.thread.start()
        return self.authority

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
