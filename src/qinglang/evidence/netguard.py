"""Which URLs a capture may reach: http(s) only, and no private or loopback address (SSRF).

The check runs on the address the name resolves to, and the fetcher then connects to exactly
that address, so a name that resolves differently a moment later (DNS rebinding) cannot slip a
private address past it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


class UrlRefused(ValueError):
    """The URL may not be captured; the message is meant for the officer (Chinese)."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url``, or ``UrlRefused`` with the reason."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UrlRefused(f"只能提取 http 或 https 网址，拒绝“{scheme or '无协议'}”: {url[:200]}")
    if not parts.hostname:
        raise UrlRefused(f"网址缺少主机名: {url[:200]}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UrlRefused(f"网址端口无效: {url[:200]}") from exc
    return scheme, parts.hostname, port


def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(f"无法解析域名 {host}: {exc}") from exc
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def check(url: str, *, allow_private: bool) -> Target:
    """Validate ``url`` and resolve it; refuse private addresses unless ``allow_private``."""
    scheme, host, port = parse(url)
    addresses = resolve(host, port)
    if not allow_private:
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise UrlRefused(f"拒绝访问内网或本机地址 {host} ({', '.join(blocked)})")
    return Target(url=url.strip(), scheme=scheme, host=host, port=port, addresses=addresses)
