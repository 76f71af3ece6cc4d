"""Which URLs a webhook endpoint may have: http(s) only, and by default none whose host is or
resolves to a loopback, link-local, private or otherwise non-public address (a webhook must
not become a way to reach the server's own network). The check runs when an endpoint is
created or changed and again before every attempt, since a name can resolve elsewhere later.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048


class UrlRefused(ValueError):
    """The URL may not be an endpoint; the message says why, for the caller."""


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for name, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    ):
        if test:
            return name
    if not address.is_global:
        return "non-public"
    return None


def check_form(url: str) -> tuple[str, int]:
    """The host and port of an acceptable http(s) URL, or UrlRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"A URL has at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("Not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise UrlRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("The URL may not carry credentials; verify the signature instead.")
    if parts.fragment:
        raise UrlRefused("The URL may not have a #fragment.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_url(url: str, *, allow_private: bool) -> None:
    """UrlRefused unless `url` may receive webhooks now (its host resolved, unless
    `allow_private`, to public addresses only)."""
    host, port = check_form(url)
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            raise UrlRefused(f"The host {host!r} does not resolve.") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    for address in addresses:
        reason = _refused_address(address)
        if reason is not None:
            raise UrlRefused(
                f"The host {host!r} is (or resolves to) a {reason} address ({address}); "
                "webhooks go to public addresses only."
            )
