"""Which URLs may be captured: http(s) only, and no private or loopback address unless allowed."""

from __future__ import annotations

import pytest

from qinglang.evidence import netguard


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.org",
        "data:text/html,hi",
        "gopher://127.0.0.1:70/",
    ],
)
def test_only_http_and_https_are_accepted(url: str) -> None:
    with pytest.raises(netguard.UrlRefused, match="http"):
        netguard.check(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_private_and_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(netguard.UrlRefused, match="内网或本机"):
        netguard.check(url, allow_private=False)


def test_private_addresses_pass_when_allowed_for_tests() -> None:
    target = netguard.check("http://127.0.0.1:8123/page?q=1", allow_private=True)
    assert (target.host, target.port, target.addresses) == ("127.0.0.1", 8123, ("127.0.0.1",))


def test_public_address_passes_and_is_resolved() -> None:
    target = netguard.check("https://8.8.8.8/", allow_private=False)
    assert target.scheme == "https" and target.port == 443 and target.addresses == ("8.8.8.8",)


def test_bad_port_and_missing_host_are_explained_in_chinese() -> None:
    with pytest.raises(netguard.UrlRefused, match="端口"):
        netguard.check("http://example.org:99999/", allow_private=True)
    with pytest.raises(netguard.UrlRefused, match="主机名"):
        netguard.check("http:///path", allow_private=True)
