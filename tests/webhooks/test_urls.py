"""The URL policy: http(s) only; no loopback, link-local or private hosts unless allowed."""

import pytest

from invoicegraph.webhooks.urls import UrlRefused, check_url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "Only http and https"),
        ("javascript:alert(1)", "Only http and https"),
        ("http:///path", "no host"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://example.com/#frag", "fragment"),
        ("http://example.com:99999/", "Not a valid URL"),
        ("https://example.com/" + "x" * 2048, "at most 2048"),
    ],
)
async def test_malformed_urls_are_refused_even_when_private_hosts_are_allowed(
    url: str, reason: str
) -> None:
    with pytest.raises(UrlRefused, match=reason):
        await check_url(url, allow_private=True)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://172.16.5.4/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://100.64.0.1/hook", "non-public"),
    ],
)
async def test_non_public_hosts_are_refused_by_default(url: str, kind: str) -> None:
    with pytest.raises(UrlRefused, match=kind):
        await check_url(url, allow_private=False)


async def test_the_setting_allows_private_hosts() -> None:
    await check_url("http://127.0.0.1:8000/hook", allow_private=True)
    await check_url("http://localhost/hook", allow_private=True)


async def test_a_public_address_is_accepted() -> None:
    await check_url("https://93.184.215.14/hooks", allow_private=False)
    await check_url("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", allow_private=False)


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UrlRefused, match="does not resolve"):
        await check_url("https://no-such-host.invalid/hook", allow_private=False)
