"""POSTing a signed outcome webhook to a police force's server: the HTTP call and nothing else.

The delivery loop (booking/jobs/force_webhooks.py) decides what to send, signs it and records
the answer; this module only makes the call. The address is checked again here, at the moment
of sending (https, and every address the name resolves to is public), and the connection goes
to the address that was checked, so a name re-pointed inward after it was saved reaches nobody.
Redirects are not followed: a 3xx is an answer like any other, never a second request.
"""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from booking.services.referrals import webhook_addresses

TIMEOUT_SECONDS = 10
USER_AGENT = "Waypoint-Webhooks/1"


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's trusted authorities."""
    return ssl.create_default_context()


def open_socket(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to an IP address that has already been checked."""
    return socket.create_connection((address, port), timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to one already-checked IP address, verifying the certificate for the
    host name (so TLS still proves it is the force's server)."""

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=context)
        self._checked_address = address
        self._tls_context = context

    def connect(self) -> None:
        raw = open_socket(self._checked_address, self.port, self.timeout)
        self.sock = self._tls_context.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str,
    body: str,
    *,
    signature_header: str,
    signature: str,
) -> int:
    """POST the JSON body with its signature; the HTTP status the force's server answered
    (raises OSError when none, ValueError for an address we will not call)."""
    host, port, addresses = webhook_addresses.public_addresses(url)
    parts = urlsplit(url.strip())
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _CheckedHTTPSConnection(host, port, addresses[0], tls_context())
    try:
        connection.request(
            "POST",
            target,
            body=body.encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                signature_header: signature,
            },
        )
        return connection.getresponse().status
    except http.client.HTTPException as error:  # an answer that is not HTTP: as no answer
        raise OSError(f"The answer was not HTTP ({type(error).__name__}).") from error
    finally:
        connection.close()
