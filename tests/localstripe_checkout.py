"""localstripe on loopback, with a test-side Checkout Sessions extension (TESTING.md).

localstripe has no Checkout Sessions, so this adds: create, retrieve, expire, and a pay URL that
confirms a real localstripe PaymentIntent with a test card, sends a signed
``checkout.session.completed`` to the app's webhook and redirects to ``success_url``.
Its on-disk store is switched off and it listens on 127.0.0.1 only.
"""

import asyncio
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
import warnings

import aiohttp
from aiohttp import web

with warnings.catch_warnings():
    # localstripe registers plain (non-async) handlers, which aiohttp deprecates: not ours to fix.
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources
    from localstripe import server as localstripe_server

SESSIONS: dict[str, dict] = {}
# "ssl": how the webhook sender checks an https app (an ssl.SSLContext trusting a test CA).
CONFIG = {"webhook_url": "", "webhook_secret": "", "base_url": "", "ssl": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _send_event(event_type: str, session: dict) -> int:
    event = {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": session},
    }
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(
        CONFIG["webhook_secret"].encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    headers = {"Content-Type": "application/json", "Stripe-Signature": f"t={timestamp},v1={digest}"}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            CONFIG["webhook_url"], data=payload, headers=headers, ssl=CONFIG["ssl"]
        ) as response:
            return response.status


async def create_session(request):
    data = await localstripe_server.get_post_data(request)
    item = data["line_items"][0]
    price = item["price_data"]
    amount = int(price["unit_amount"]) * int(item.get("quantity", 1))
    expires_at = int(data["expires_at"])
    now = int(time.time())
    if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
        raise resources.UserError(400, "expires_at must be 30 minutes to 24 hours away")
    intent = resources.PaymentIntent._api_create(
        amount=amount,
        currency=price["currency"],
        metadata=(data.get("payment_intent_data") or {}).get("metadata"),
    )
    session_id = "cs_test_" + secrets.token_hex(12)
    session = {
        "id": session_id,
        "object": "checkout.session",
        "mode": data["mode"],
        "amount_total": amount,
        "currency": price["currency"],
        "payment_intent": intent.id,
        "payment_status": "unpaid",
        "status": "open",
        "metadata": data.get("metadata") or {},
        "client_reference_id": data.get("client_reference_id"),
        "customer_email": data.get("customer_email"),
        "expires_at": expires_at,
        "success_url": data["success_url"],
        "cancel_url": data["cancel_url"],
        "url": f"{CONFIG['base_url']}/_config/checkout/{session_id}/pay",
        "idempotency_key": request.headers.get("Idempotency-Key"),
    }
    SESSIONS[session_id] = session
    return web.json_response(session)


async def retrieve_session(request):
    session = SESSIONS.get(request.match_info["id"])
    if session is None:
        raise resources.UserError(404, "Not Found")
    return web.json_response(session)


async def expire_session(request):
    session = SESSIONS[request.match_info["id"]]
    if session["status"] != "open":
        raise resources.UserError(400, "Only open sessions can be expired")
    session["status"] = "expired"
    await _send_event("checkout.session.expired", session)
    return web.json_response(session)


async def pay(request):
    """What a person does on Stripe's page: pay with a test card, then go back to the app."""
    session = SESSIONS[request.match_info["id"]]
    method = resources.PaymentMethod._api_create(
        type="card",
        card={"number": "4242424242424242", "exp_month": "12", "exp_year": "2040", "cvc": "123"},
    )
    intent = resources.PaymentIntent._api_retrieve(session["payment_intent"])
    intent.payment_method = method.id
    resources.PaymentIntent._api_confirm(intent.id)
    assert intent.status == "succeeded", intent.status
    session.update(status="complete", payment_status="paid")
    status = await _send_event("checkout.session.completed", session)
    if status != 200:
        raise resources.UserError(502, f"webhook answered {status}")
    raise web.HTTPSeeOther(session["success_url"])


_started: dict[str, object] = {}


def start() -> str:
    """Start localstripe once per test run on 127.0.0.1; returns its base URL."""
    if "url" in _started:
        return _started["url"]
    resources.Store.dump_to_disk = lambda self: None  # no fixed pickle file in /tmp
    app = localstripe_server.app
    app.router.add_post("/v1/checkout/sessions", create_session)
    app.router.add_get("/v1/checkout/sessions/{id}", retrieve_session)
    app.router.add_post("/v1/checkout/sessions/{id}/expire", expire_session)
    # Under /_config/, which localstripe serves without an API key, like Stripe's hosted page.
    app.router.add_get("/_config/checkout/{id}/pay", pay)
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()

    def serve() -> None:
        # Everything async runs in this thread's own loop: the main thread may already have one
        # running (Playwright's sync API keeps one for the browser tests).
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    if not ready.wait(timeout=10):
        raise RuntimeError("localstripe did not start within 10 s")
    url = f"http://127.0.0.1:{port}"
    CONFIG["base_url"] = url
    _started.update(url=url, loop=loop, runner=runner, thread=thread)
    return url


def stop() -> None:
    if "loop" not in _started:
        return
    loop, runner, thread = _started["loop"], _started["runner"], _started["thread"]

    async def shutdown():
        # localstripe schedules its own webhook sends (1 s later): cancel any still waiting.
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await runner.cleanup()

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()
    _started.clear()
