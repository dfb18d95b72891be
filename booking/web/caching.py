"""A short shared cache for the public pages strangers read most, and conditional GET for them.

Only anonymous requests are served from the cache or stored in it: a request carrying a signed-in
session, a flashed message, a CSRF token or a remember-me cookie always gets a freshly rendered
page, so nothing personal is ever shared. A stored page lives ``PAGE_CACHE_SECONDS`` (a few
seconds: the places-left figures on these pages are never older than that), in each worker's
memory by default or in Redis (``PAGE_CACHE_URL``) when several instances should share it.

When a kept page has expired, the view reads its figures again (a cheap query); if they are the
values the page was last drawn from, the page drawn then is reused instead of drawn again
(``render_from``). That is exact, not stale: the page is a function of those values and the
address, so nothing is shown older than the figures just read.

Every page stored gets an ETag from its bytes, so a browser (or proxy) asking again with
``If-None-Match`` gets a 304 with no body while the page is unchanged.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, make_response, render_template, request, session

logger = logging.getLogger(__name__)

EXTENSION = "waypoint_page_cache"
# Strangers can make up query strings: a bound keeps one worker's memory small.
MEMORY_ENTRIES = 2_000
KEY_PREFIX = "waypoint:page:"
# Anonymous pages may be kept by a browser or proxy, but must be checked (cheaply, by ETag).
ANONYMOUS_CACHE_CONTROL = "public, no-cache"
# Signed-in people see their name and a sign-out form on these pages: never in a shared cache.
PERSONAL_CACHE_CONTROL = "private, no-cache"
_CREATING = threading.Lock()
# Lists that change only when staff edit them (filter choices): kept this long per worker.
REMEMBER_SECONDS = 60.0
MEMO_EXTENSION = "waypoint_remembered"
RENDERED_EXTENSION = "waypoint_rendered"
T = TypeVar("T")


def _clock() -> float:
    return time.monotonic()


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, seconds: float) -> None: ...

    def clear(self) -> None: ...


class MemoryStore:
    """A bounded dict of (expiry, bytes), oldest out first; one per worker process."""

    def __init__(self, entries: int = MEMORY_ENTRIES) -> None:
        self._entries = entries
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= _clock():
                del self._items[key]
                return None
            return value

    def set(self, key: str, value: bytes, seconds: float) -> None:
        with self._lock:
            self._items[key] = (_clock() + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisStore:
    """Pages shared by every worker and instance. Redis being away is a miss, never an error."""

    def __init__(self, url: str) -> None:
        import redis  # only needed when configured

        self._redis = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(KEY_PREFIX + key)
        except Exception:  # the page is rendered instead; the cache is only a shortcut
            logger.warning("Page cache (Redis) unavailable: rendering instead", exc_info=True)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: float) -> None:
        try:
            self._redis.set(KEY_PREFIX + key, value, px=max(int(seconds * 1000), 1))
        except Exception:  # as above: a failed store costs a render next time, nothing more
            logger.warning("Page cache (Redis) unavailable: not storing", exc_info=True)

    def clear(self) -> None:
        try:
            for key in self._redis.scan_iter(KEY_PREFIX + "*"):
                self._redis.delete(key)
        except Exception:
            logger.warning("Page cache (Redis) unavailable: not cleared", exc_info=True)


def _new_store(app: Flask) -> Store:
    url = app.config.get("PAGE_CACHE_URL") or ""
    return RedisStore(url) if url.startswith(("redis://", "rediss://")) else MemoryStore()


def store() -> Store:
    """This app's store, made on first use (so the app factory needs no extra step)."""
    extensions = current_app.extensions
    if EXTENSION not in extensions:
        with _CREATING:
            if EXTENSION not in extensions:
                extensions[EXTENSION] = _new_store(current_app)
    return extensions[EXTENSION]


def _seconds() -> float:
    return float(current_app.config.get("PAGE_CACHE_SECONDS") or 0)


def is_anonymous_request() -> bool:
    """No session data (so no signed-in person, flashed message or CSRF token) and no
    remember-me cookie that would sign someone in."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if request.cookies.get(remember):
        return False
    return not session


def _key() -> str:
    # The path and query string exactly as asked: the same URL is the same page.
    return request.full_path


def etag_for(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def _from_cache(body: bytes) -> Response:
    return current_app.response_class(body, status=200, mimetype="text/html")


def _conditional(response: Response, body: bytes) -> Response:
    response.set_etag(etag_for(body))
    response.headers["Cache-Control"] = ANONYMOUS_CACHE_CONTROL
    response.make_conditional(request)  # changes the response itself (304 when it may)
    return response


def anonymous_page(view: Callable) -> Callable:
    """Serve ``view``'s page to anonymous visitors from the short cache, with an ETag.

    Anything else (a signed-in person, a flashed message, a non-200 answer, a page that set a
    cookie or touched the session) is rendered as usual and never stored.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        seconds = _seconds()
        if request.method != "GET" or not is_anonymous_request():
            response = make_response(view(*args, **kwargs))
            response.headers.setdefault("Cache-Control", PERSONAL_CACHE_CONTROL)
            return response
        if seconds <= 0:
            return view(*args, **kwargs)
        key = _key()
        body = store().get(key)
        if body is not None:
            return _conditional(_from_cache(body), body)
        response = make_response(view(*args, **kwargs))
        if (
            response.status_code != 200
            or session.modified
            or "Set-Cookie" in response.headers
            or response.mimetype != "text/html"
        ):
            return response
        body = response.get_data()
        store().set(key, body, seconds)
        return _conditional(response, body)

    return wrapped


def remembered(name: str, compute: Callable[[], T]) -> T:
    """``compute()``'s answer, kept ``REMEMBER_SECONDS`` in this worker: for lists every page
    shows that only staff change (the filter choices), so most pages skip those queries.
    Off with the page cache (``PAGE_CACHE_SECONDS = 0``), so tests see edits at once."""
    if _seconds() <= 0:
        return compute()
    memo: dict[str, tuple[float, object]] = current_app.extensions.setdefault(MEMO_EXTENSION, {})
    now = _clock()
    kept = memo.get(name)
    if kept is not None and kept[0] > now:
        return kept[1]  # type: ignore[return-value]
    value = compute()
    memo[name] = (now + REMEMBER_SECONDS, value)
    return value


class RenderedPages:
    """The last page drawn for each address, with the values it was drawn from; one per worker.

    Bounded like ``MemoryStore``. Entries never go stale: one is used only when the values
    read now are equal to the values it was drawn from.
    """

    def __init__(self, entries: int = MEMORY_ENTRIES) -> None:
        self._entries = entries
        self._items: OrderedDict[str, tuple[Hashable, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, inputs: Hashable) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != inputs:
                return None
            self._items.move_to_end(key)
            return item[1]

    def set(self, key: str, inputs: Hashable, page: str) -> None:
        with self._lock:
            self._items[key] = (inputs, page)
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


def _rendered_pages() -> RenderedPages:
    extensions = current_app.extensions
    if RENDERED_EXTENSION not in extensions:
        with _CREATING:
            if RENDERED_EXTENSION not in extensions:
                extensions[RENDERED_EXTENSION] = RenderedPages()
    return extensions[RENDERED_EXTENSION]


def render_from(inputs: Hashable, template: str, **context: Any) -> str:
    """``render_template(template, **context)``, reusing the page last drawn for this address
    when ``inputs`` (every value read from the database that the page shows, as plain
    comparable values) is equal to what it was drawn from.

    Only for anonymous GETs with the page cache on: a signed-in person's page shows their name
    and a sign-out form, and is always drawn afresh. Everything else a page depends on must
    follow from its address (path and query string) or from ``inputs``.
    """
    if _seconds() <= 0 or request.method != "GET" or not is_anonymous_request():
        return render_template(template, **context)
    key = f"{template}\n{request.full_path}"
    pages = _rendered_pages()
    page = pages.get(key, inputs)
    if page is None:
        page = render_template(template, **context)
        pages.set(key, inputs, page)
    return page
