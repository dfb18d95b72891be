"""Where a force's outcome webhook may point: https, to a host on the public internet.

Police references must not travel unencrypted, and an address inside our own network (the
cloud metadata service at 169.254.169.254, the database on 127.0.0.1:5432, a 10.x host) must
never receive a request from us, whatever a form was given. So an address is checked when it
is saved and again each time it is resolved to send a delivery: a name that pointed outward
when saved can be made to point inward later (DNS rebinding), and the sender connects only to
the address it checked.
"""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]
INWARD = "The address must be a public host, not this machine or our network."


class UnsafeAddress(ValueError):
    """A webhook address we will not send to; the message says why, in plain words."""


def resolve(host: str, port: int) -> list[str]:
    """Every IP address ``host`` resolves to (raises OSError when it resolves to none)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(answer[4][0]) for answer in answers})


def is_public(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    shared (100.64/10), multicast, reserved and unspecified ranges, in IPv4 and IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse(url: str) -> tuple[str, int]:
    """The host and port of an acceptable address, before any look-up.
    Raises UnsafeAddress for anything but https to a named or public host."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https":
        raise UnsafeAddress("The address must start with https://")
    if parts.username or parts.password:
        raise UnsafeAddress("The address must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeAddress("The address must name a host.")
    try:
        port = parts.port or 443
    except ValueError as error:
        raise UnsafeAddress("The port must be a number from 1 to 65535.") from error
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeAddress(INWARD)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return host, port
    if not is_public(str(literal)):
        raise UnsafeAddress(INWARD)
    return host, port


def public_addresses(url: str, *, resolver: Resolver | None = None) -> tuple[str, int, list[str]]:
    """The host, port and public IP addresses to connect to for ``url``.
    Raises UnsafeAddress if any address the host resolves to is not public (one inward answer
    is enough to refuse: a receiver could be reached through it), or if it resolves to none."""
    host, port = parse(url)
    try:
        addresses = (resolver or resolve)(host, port)
    except (OSError, UnicodeError) as error:
        raise UnsafeAddress(f"The host {host} could not be found.") from error
    if not addresses:
        raise UnsafeAddress(f"The host {host} could not be found.")
    if not all(is_public(address) for address in addresses):
        raise UnsafeAddress(INWARD)
    return host, port, addresses


def check_when_saved(url: str, *, resolver: Resolver | None = None) -> None:
    """The check made when staff or a force contact save an address: https, a public host,
    and, when the name can be looked up now, only public addresses behind it. A name that
    cannot be found yet is accepted (the force may be setting it up); delivery checks again."""
    parse(url)
    try:
        public_addresses(url, resolver=resolver)
    except UnsafeAddress as refusal:
        if "could not be found" not in str(refusal):
            raise
