"""The booking driver, run as its own process: ``python -m bench.load < plan.json > result.json``.

GET targets are measured with wrk (bench/wrk.py); booking needs sign-in, a cookie jar and the
form's CSRF token per person, so it keeps this driver. Threads, each one client with its own
keep-alive ``http.client`` connection, book for a fixed measured window after a warm-up
(discarded); every thread stops at the window's end, so a run is bounded. Loopback only.
"""

import http.client
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from statistics import mean
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Sample:
    label: str
    started: float
    seconds: float
    status: int
    queries: int | None
    outcome: str = ""


class Client:
    """One simulated person: a keep-alive connection and a cookie jar."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the load generator only talks to loopback")
        self.host, self.port = parts.hostname, parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, label: str, method: str, path: str, form: dict | None = None):
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect and try once more.
                self.connection.close()
                if attempt == 2:
                    return (
                        Sample(label, started, time.perf_counter() - started, 0, None),
                        b"",
                        None,
                    )
        seconds = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        queries = response.getheader("X-Query-Count")
        sample = Sample(label, started, seconds, response.status, int(queries) if queries else None)
        return sample, data, response

    def close(self) -> None:
        self.connection.close()


@dataclass
class Window:
    start: float
    warmup_ends: float
    ends: float


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def run_book(target: dict, clients: int, window: Window, recorder: Recorder) -> dict:
    """Signed-in attendees GET the booking form (for its CSRF token) and POST it.

    Work is a shared queue of (session, slot): each session with limited places is tried by
    more people than it has places, several at once, so the last places are contended.
    """
    attempts = target["attempts_per_session"]
    queue = iter([(sid, slot) for sid in target["session_ids"] for slot in range(attempts)])
    queue_lock = threading.Lock()
    emails = target["emails"]
    base_url = target["base_url"]

    def sign_in(email: str) -> Client:
        client = Client(base_url)
        _, page, _ = client.request("login_form", "GET", "/account/login")
        token = client.csrf_token = _csrf(page)
        sample, _, _ = client.request(
            "login",
            "POST",
            "/account/login",
            {"csrf_token": token, "email": email, "password": target["password"]},
        )
        if sample.status != 302:
            raise RuntimeError(f"sign-in as {email} failed with {sample.status}")
        return client

    people: list[list[Client]] = [[] for _ in range(clients)]
    login_started = time.perf_counter()

    def login_work(index: int) -> None:
        people[index] = [sign_in(emails[index * attempts + slot]) for slot in range(attempts)]

    _run_threads(login_work, clients)
    login_seconds = time.perf_counter() - login_started
    # The measured window starts now that everyone is signed in.
    now = time.perf_counter()
    window.warmup_ends, window.ends = (
        now + (window.warmup_ends - window.start),
        now + (window.ends - window.start),
    )

    def work(index: int) -> None:
        while time.perf_counter() < window.ends:
            with queue_lock:
                item = next(queue, None)
            if item is None:
                return
            session_id, slot = item
            client = people[index][slot]
            path = f"/my/sessions/{session_id}/book"
            sample, page, _ = client.request("book_form", "GET", path)
            recorder.add(sample)
            if sample.status != 200:
                continue
            # A page that already says "full" has no form: post anyway with the token the
            # person already holds, as someone with the page open a moment earlier would.
            client.csrf_token = _csrf(page, default=client.csrf_token)
            sample, _, response = client.request(
                "book", "POST", path, {"csrf_token": client.csrf_token, "submit": "Book"}
            )
            location = response.getheader("Location", "") if response else ""
            if sample.status == 303 and "/my/bookings/" in location:
                sample.outcome = "booked"
            elif sample.status == 409:
                sample.outcome = "refused"  # full (or already booked): a calm message, no 500
            else:
                sample.outcome = "error"
            recorder.add(sample)

    _run_threads(work, clients)
    for group in people:
        for client in group:
            client.close()
    return {"logins": clients * attempts, "login_seconds": login_seconds}


def sign_in_cookie(base_url: str, email: str, password: str) -> str:
    """A signed-in session's Cookie header, for driving pages behind sign-in with wrk."""
    client = Client(base_url)
    try:
        _, page, _ = client.request("login_form", "GET", "/account/login")
        sample, _, _ = client.request(
            "login",
            "POST",
            "/account/login",
            {"csrf_token": _csrf(page), "email": email, "password": password},
        )
        if sample.status != 302:
            raise RuntimeError(f"sign-in as {email} failed with {sample.status}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    finally:
        client.close()


def _csrf(page: bytes, default: str | None = None) -> str:
    match = CSRF_FIELD.search(page)
    if not match:
        if default:
            return default
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


def _run_threads(work, count: int) -> None:
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            work(index)
        except BaseException as error:  # reported to the parent, never swallowed
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def summarise(samples: list[Sample], window: Window, label: str) -> dict:
    measured = [
        s
        for s in samples
        if s.label == label and s.started >= window.warmup_ends and s.started < window.ends
    ]
    seconds = window.ends - window.warmup_ends
    latencies = sorted(s.seconds * 1000 for s in measured)
    queries = [s.queries for s in measured if s.queries is not None]
    statuses: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    for s in measured:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        if s.outcome:
            outcomes[s.outcome] = outcomes.get(s.outcome, 0) + 1
    booked_queries = [
        s.queries for s in measured if s.outcome == "booked" and s.queries is not None
    ]
    return {
        "generator": "python",
        "requests": len(measured),
        "seconds": seconds,
        "requests_per_second": len(measured) / seconds if seconds > 0 else 0.0,
        "p50_ms": _percentile(latencies, 50),
        "p95_ms": _percentile(latencies, 95),
        "queries_per_request": sum(queries) / len(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        # What a confirmed booking cost, apart from refusals (which stop early).
        "queries_per_booking": mean(booked_queries) if booked_queries else None,
        "queries_per_booking_max": max(booked_queries) if booked_queries else None,
        "statuses": statuses,
        "outcomes": outcomes,
        "server_errors": sum(n for code, n in statuses.items() if code == "0" or code >= "500"),
    }


def _percentile(sorted_values: list[float], percent: int) -> float | None:
    if not sorted_values:
        return None
    index = min(int(round(percent / 100 * (len(sorted_values) - 1))), len(sorted_values) - 1)
    return sorted_values[index]


def run(plan: dict) -> dict:
    results = {}
    for target in plan["targets"]:
        recorder = Recorder()
        start = time.perf_counter()
        window = Window(start, start + plan["warmup"], start + plan["warmup"] + plan["duration"])
        if target["kind"] == "book":
            extra = run_book(target, plan["clients"], window, recorder)
            result = {
                "form": summarise(recorder.samples, window, "book_form"),
                "post": summarise(recorder.samples, window, "book"),
                **extra,
            }
        else:
            raise ValueError(f"GET targets are measured with wrk (bench/wrk.py): {target['name']}")
        results[target["name"]] = result
        print(f"  measured {target['name']}", file=sys.stderr, flush=True)
    return results


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump(run(plan), sys.stdout)


if __name__ == "__main__":
    main()
