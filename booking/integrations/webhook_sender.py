"""POSTing a signed outcome webhook to a police force's server: the HTTP call and nothing else.

The delivery loop (booking/jobs/force_webhooks.py) decides what to send, signs it and records
the answer; this module only makes the call.
"""

import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10
USER_AGENT = "Waypoint-Webhooks/1"


def post(url: str, body: str, *, signature_header: str, signature: str) -> int:
    """POST the JSON body with its signature; the HTTP status the force's server answered
    (raises OSError when none, ValueError for an address that cannot be called)."""
    request = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signature_header: signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
