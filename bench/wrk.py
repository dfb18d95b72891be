"""Drive GET targets with wrk, so the load generator is never the bottleneck.

A Python generator tops out near a few thousand requests a second on two cores, which capped
the floor and flattered every ratio to it. wrk (C, epoll) does not. Each run is a warm-up
(discarded) and a measured window; a small Lua script picks each request's path at random from
the target's list and prints the figures as one JSON line when wrk finishes.
"""

import http.client
import json
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

JSON_MARK = "WRK_JSON "

# Latency is kept by wrk in microseconds; the Lua ``done`` hook prints what the report needs.
_SCRIPT = """
%(headers)s
local paths = {%(paths)s}
local count = #paths
local seeded = false

request = function()
  if not seeded then
    -- Each wrk thread has its own Lua state: seed each differently.
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    seeded = true
  end
  return wrk.format("GET", paths[math.random(count)])
end

done = function(summary, latency, requests)
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"non_2xx_3xx":%%d,"connect_errors":%%d,"read_errors":%%d,' ..
    '"write_errors":%%d,"timeouts":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""


def ensure_wrk() -> str:
    """The path of ``wrk``, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is not installed: run `apt-get install -y wrk` as root, then again")
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get install wrk finished but wrk is still not on PATH")
    return found


def _lua_string(path: str) -> str:
    if any(ch in path for ch in '"\\\n\r'):
        raise ValueError(f"unexpected character in bench path {path!r}")
    return f'"{path}"'


def _run(wrk: str, script: Path, url: str, seconds: float, connections: int, threads: int):
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(int(round(seconds)), 1)}s",
        "--timeout=10s",
        f"--script={script}",
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    for line in completed.stdout.splitlines():
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK) :])
    raise RuntimeError(f"wrk printed no figures:\n{completed.stdout}")


def measure(
    base_url: str,
    paths: list[str],
    *,
    connections: int,
    threads: int,
    warmup: float,
    duration: float,
    meter=None,
    cookie: str = "",
) -> dict:
    """Requests per second and latency for GETs of ``paths`` on ``base_url`` (anonymous, or
    signed in with ``cookie``); with a ``meter`` (bench/cpu.py), CPU per request as well."""
    if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the benchmark only talks to loopback")
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="waypoint-wrk-") as tmp:
        script = Path(tmp) / "paths.lua"
        headers = f'wrk.headers["Cookie"] = {_lua_string(cookie)}' if cookie else ""
        script.write_text(
            _SCRIPT
            % {
                "paths": ", ".join(_lua_string(p) for p in paths),
                "mark": JSON_MARK,
                "headers": headers,
            }
        )
        if warmup > 0:
            _run(wrk, script, base_url, warmup, connections, threads)
        if meter is not None:
            meter.start()
        raw = _run(wrk, script, base_url, duration, connections, threads)
        cpu = meter.stop() if meter is not None else None
    seconds = raw["duration_us"] / 1_000_000
    socket_errors = sum(
        raw[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return {
        "generator": "wrk",
        "requests": raw["requests"],
        "seconds": seconds,
        "requests_per_second": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        # wrk counts any status outside 2xx/3xx here; the bench's pages should all be 200.
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": socket_errors,
        "server_errors": raw["non_2xx_3xx"] + socket_errors,
        "cpu_ms_per_request": (
            1000 * cpu / raw["requests"] if cpu is not None and raw["requests"] else None
        ),
    }


def measure_with(
    settings: dict, base_url: str, paths: list[str], *, meter=None, cookie: str = ""
) -> dict:
    """``measure`` with a run's load settings, plus the SQL statements each request runs."""
    row = measure(
        base_url,
        paths,
        connections=settings["clients"],
        threads=settings["wrk_threads"],
        warmup=settings["warmup"],
        duration=settings["duration"],
        meter=meter,
        cookie=cookie,
    )
    row.update(statements_per_request(base_url, paths, cookie=cookie))
    return row


def statements_per_request(
    base_url: str, paths: list[str], *, samples: int = 30, cookie: str = ""
) -> dict:
    """SQL statements per request (the X-Query-Count header), from a few plain requests.

    Kept apart from the timed wrk run so that reading headers costs the measurement nothing.
    Cached responses run no SQL, so the figure is the mean over what the server did.
    """
    parts = urlsplit(base_url)
    rng = random.Random(11)
    counts: list[int] = []
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        for _ in range(samples):
            connection.request(
                "GET", rng.choice(paths), headers={"Cookie": cookie} if cookie else {}
            )
            response = connection.getresponse()
            response.read()
            header = response.getheader("X-Query-Count")
            if header is not None:
                counts.append(int(header))
    finally:
        connection.close()
    if not counts:
        return {"queries_per_request": None, "queries_max": None}
    return {"queries_per_request": sum(counts) / len(counts), "queries_max": max(counts)}
