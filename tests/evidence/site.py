"""A small website on 127.0.0.1 with the hard cases a capture must survive.

/article   a Chinese article with images and a stylesheet, sent gzipped and chunked
/redirect  a redirect chain (302 → 301 → /article)
/missing   404
/changing  different text on every request
/slow      answers after a pause shorter than the capture timeout
/huge      a page larger than the capture's size limit
/never     a page whose body never finishes
/vanishing there on the first visit, 404 afterwards
"""

from __future__ import annotations

import gzip
import ssl
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ARTICLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>清溪市新闻：青石镇举办网络安全宣传周活动</title>
<link rel="stylesheet" href="/style.css"></head><body><article><h1>青石镇举办网络安全宣传周活动</h1>
<p class="meta">清溪日报 记者 林晓 2026年9月15日</p><img src="/img/photo.png" alt="活动现场">
<p>9月15日，青石镇网信通服务e站联合镇文化站，在镇中心广场举办网络安全宣传周主题活动。工作人员向过往群众发放宣传手册，讲解防范电信网络诈骗、保护个人信息的常识。</p>
<p>活动现场设置了互动答题区，吸引了不少居民参与。镇网信办负责人表示，将持续开展网络安全知识进村入户，营造清朗网络空间。</p>
<p>据了解，本次活动共发放宣传资料八百余份，解答群众咨询一百二十余人次。</p>
<img src="/img/logo.png" alt="标志"></article></body></html>"""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class Site:
    def __init__(
        self, huge_bytes: int = 3_000_000, slow_seconds: float = 1.0, tls: ssl.SSLContext | None = None
    ) -> None:
        self.hits: dict[str, int] = {}
        self.stop = threading.Event()
        self.huge_bytes, self.slow_seconds = huge_bytes, slow_seconds
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.base = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def send(
            self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def chunked_gzip(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            data = gzip.compress(body)
            for start in range(0, len(data), 700):
                piece = data[start : start + 700]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            site.hits[path] = site.hits.get(path, 0) + 1
            route = ROUTES.get(path)
            if route is None:
                self.send(404, "<html><body><h1>404 页面不存在</h1></body></html>".encode())
                return
            route(self)

        def article(self) -> None:
            self.chunked_gzip(ARTICLE.encode())

        def style(self) -> None:
            self.send(200, b"body{font-family:'Noto Sans CJK SC',sans-serif;max-width:760px;margin:auto}", "text/css")

        def image(self) -> None:
            colour = (40, 110, 200) if "photo" in self.path else (200, 40, 40)
            self.send(200, png(320, 160, colour), "image/png")

        def redirect_one(self) -> None:
            self.send(302, b"", Location="/redirect/2")

        def redirect_two(self) -> None:
            self.send(301, b"", Location="/article")

        def old_server(self) -> None:
            """HTTP/1.0 as simple servers still speak it: no length, the body in a later packet,
            the end of the body is the end of the connection."""
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n")
            self.wfile.flush()
            time.sleep(0.3)
            body = "<html><head><title>老式服务器</title></head><body><p>先发头部，稍后发正文。</p></body></html>"
            self.wfile.write(body.encode())
            self.close_connection = True

        def missing(self) -> None:
            self.send(404, "<html><body><h1>您访问的文章已被删除</h1></body></html>".encode())

        def changing(self) -> None:
            count = site.hits["/changing"]
            body = (
                f"<html><head><title>通报</title></head><body><article><h1>第{count}版通报</h1>"
                f"<p>这是第{count}次访问时看到的内容，内容会随时间变化。</p></article></body></html>"
            )
            self.send(200, body.encode())

        def slow(self) -> None:
            time.sleep(site.slow_seconds)
            self.send(200, "<html><body><p>慢速页面终于加载完成。</p></body></html>".encode())

        def huge(self) -> None:
            line = "<p>超长页面的重复段落，用于测试大小上限。</p>\n".encode()
            body = b"<html><body>" + line * (site.huge_bytes // len(line) + 1) + b"</body></html>"
            self.send(200, body)

        def vanishing(self) -> None:
            if site.hits["/vanishing"] == 1:
                self.send(200, "<html><body><article><p>这条帖子稍后会被删除。</p></article></body></html>".encode())
            else:
                self.send(404, "<html><body><h1>帖子已删除</h1></body></html>".encode())

        def never(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write("<html><body><p>这个页面永远不会加载完成。</p>".encode())
            self.wfile.flush()
            while not site.stop.wait(0.2):
                pass

    ROUTES = {
        "/article": Handler.article,
        "/style.css": Handler.style,
        "/img/photo.png": Handler.image,
        "/img/logo.png": Handler.image,
        "/redirect/1": Handler.redirect_one,
        "/redirect/2": Handler.redirect_two,
        "/missing": Handler.missing,
        "/old-server": Handler.old_server,
        "/changing": Handler.changing,
        "/slow": Handler.slow,
        "/huge": Handler.huge,
        "/never": Handler.never,
        "/vanishing": Handler.vanishing,
    }
    return Handler
