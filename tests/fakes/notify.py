"""A local fake of GOV.UK Notify's HTTP API, for tests: nothing calls the internet.

It is a small real HTTP server in a thread, answering as Notify does, so the official
``notifications-python-client`` talks to it unchanged:

- POST /v2/notifications/sms, /email and /letter, 201 with Notify's response shape;
- the JWT in ``Authorization: Bearer ...`` is checked as Notify checks it (HS256, ``iss`` is the
  service id, ``iat`` within 30 seconds, signed with the secret half of the API key): 403
  AuthError otherwise;
- Notify's error JSON ({"status_code", "errors": [{"error", "message"}]}): 400 ValidationError
  for a number that is not a UK mobile, a letter without a postcode or an unknown template;
- 429 RateLimitError once more requests arrive than ``rate_limit`` allows.
"""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "2a7ec7e4-3b5c-4a2b-9c55-5b0f2c8e7d61"
SECRET = "8f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b"
API_KEY = f"waypoint_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = "f4a0c1d2-0000-4000-8000-000000000001"
LETTER_TEMPLATE_ID = "f4a0c1d2-0000-4000-8000-000000000002"
EMAIL_TEMPLATE_ID = "f4a0c1d2-0000-4000-8000-000000000003"
TOKEN_LEEWAY_SECONDS = 30
UK_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)


@dataclass
class FakeNotify:
    base_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    # Requests allowed before every further one gets a 429 (None: no limit).
    rate_limit: int | None = None
    # Numbers Notify refuses outright (a 400), as for a landline or a mistyped number.
    refused_numbers: set[str] = field(default_factory=set)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [item for item in self.received if item["type"] == kind]


def _error(status: int, error: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _check_token(header: str) -> str:
    """'' when the token is good, else Notify's message for what is wrong."""
    if not header.startswith("Bearer "):
        return "Unauthorized: authentication token must be provided"
    token = header[len("Bearer ") :]
    try:
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            return "Invalid token: algorithm used is not HS256"
        claims = jwt.decode(
            token, SECRET, algorithms=["HS256"], options={"verify_iat": False, "verify_exp": False}
        )
    except jwt.PyJWTError:
        return "Invalid token: signature, api token not found"
    if claims.get("iss") != SERVICE_ID:
        return "Invalid token: service not found"
    issued = claims.get("iat")
    if not isinstance(issued, int) or abs(time.time() - issued) > TOKEN_LEEWAY_SECONDS:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return ""


def _answer(fake: FakeNotify, path: str, headers, body: dict) -> tuple[int, dict]:
    problem = _check_token(headers.get("Authorization", ""))
    if problem:
        return _error(403, "AuthError", problem)
    with fake.lock:
        fake.requests += 1
        if fake.rate_limit is not None and fake.requests > fake.rate_limit:
            return _error(
                429,
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            )
    kind = path.rsplit("/", 1)[-1]
    templates = {"sms": SMS_TEMPLATE_ID, "letter": LETTER_TEMPLATE_ID, "email": EMAIL_TEMPLATE_ID}
    if kind not in templates:
        return _error(404, "NotFound", "Not found")
    if body.get("template_id") != templates[kind]:
        return _error(400, "BadRequestError", "Template not found")
    personalisation = body.get("personalisation") or {}
    if kind == "sms":
        number = re.sub(r"[\s()-]", "", str(body.get("phone_number", "")))
        if not UK_MOBILE.match(number) or number in fake.refused_numbers:
            return _error(400, "ValidationError", "phone_number Not a UK mobile number")
    if kind == "email" and "@" not in str(body.get("email_address", "")):
        return _error(400, "ValidationError", "email_address Not a valid email address")
    if kind == "letter":
        lines = [
            personalisation.get(f"address_line_{n}", "")
            for n in range(1, 8)
            if personalisation.get(f"address_line_{n}")
        ]
        if len(lines) < 3:
            return _error(400, "ValidationError", "Address must be at least 3 lines")
        if not UK_POSTCODE.match(lines[-1].strip()):
            return _error(400, "ValidationError", "Last line of address must be a real UK postcode")
    notification_id = str(uuid.uuid4())
    fake.received.append({"type": kind, "id": notification_id, "json": body})
    content: dict[str, Any] = {"body": personalisation.get("body", "")}
    if kind == "sms":
        content["from_number"] = "Waypoint"
    else:
        content["subject"] = personalisation.get("subject", "Letter")
    return 201, {
        "id": notification_id,
        "reference": body.get("reference"),
        "content": content,
        "uri": f"{fake.base_url}/v2/notifications/{notification_id}",
        "template": {"id": templates[kind], "version": 1, "uri": ""},
        "scheduled_for": None,
        **({"postage": "second"} if kind == "letter" else {}),
    }


def start() -> tuple[ThreadingHTTPServer, FakeNotify]:
    fake = FakeNotify()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                status, answer = _error(
                    400, "BadRequestError", "Invalid JSON supplied in POST data"
                )
            elif not self.path.startswith("/v2/notifications/"):
                status, answer = _error(404, "NotFound", "Not found")
            else:
                status, answer = _answer(fake, self.path, self.headers, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, fake


def settings() -> dict[str, str]:
    """The app configuration that points Waypoint at a running fake."""
    return {
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
        "NOTIFY_LETTER_TEMPLATE_ID": LETTER_TEMPLATE_ID,
    }
