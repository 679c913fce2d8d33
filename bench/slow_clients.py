"""Slow and unfinished clients against `sitrep serve` (issue 16, F2): the server's memory idle, during and
after each attack, and whether another client is answered meanwhile. A benchmark, not a test.

    PYTHONPATH=. .venv/bin/python bench/slow_clients.py            # 300 clients per attack
    PYTHONPATH=. .venv/bin/python bench/slow_clients.py --clients 50 --header-timeout 3 --body-timeout 5

Attacks, each with N connections at once:
  idle     connections that send nothing;
  headers  a request line, then one header line every 2 s, never ending the headers;
  bodies   unauthenticated POST /articles declaring a 1.99 MB body, sending it all but the last byte, and
           stalling (what took the server from 236 to 728 MB before the fix);
  token-bodies (with --token-bodies) the same with the token: a writer's body is read up to the
           --max-body-bytes until the body deadline (informational; not part of the done-when).
The server runs with its documented default deadlines unless told otherwise. Done when: RSS after each
attack within 10% of idle, and every probe answered.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

TOKEN = "bench-token-0123456789"
BODY_BYTES = 1_990_000
CHUNK = 64 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    from sitrep.store import open_store

    open_store(db).close()
    env = {**os.environ, "SITREP_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "sitrep", "serve", "--db", str(db), "--port", str(port), *extra],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("sitrep serve did not start")


def rss_mb(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 2**20


def probe(port: int) -> tuple[int, float]:
    """Another client's request while the attack runs: (status, seconds)."""
    start = time.monotonic()
    try:
        status = httpx.get(f"http://127.0.0.1:{port}/events?limit=5", timeout=10).status_code
    except httpx.HTTPError:
        status = 0
    return status, time.monotonic() - start


async def idle_client(port: int, hold: float) -> float:
    """Connect and send nothing; seconds until the server closes the connection (or `hold`)."""
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await asyncio.wait_for(reader.read(), timeout=hold)
    except (TimeoutError, ConnectionError):
        pass
    writer.close()
    return time.monotonic() - start


async def slow_header_client(port: int, hold: float) -> float:
    """A request line and then a header line every 2 s; seconds until the server closes (or `hold`)."""
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while time.monotonic() - start < hold:
            writer.write(b"X-Slow: 1\r\n")
            await writer.drain()
            try:
                if not await asyncio.wait_for(reader.read(65536), timeout=2.0):
                    break  # closed
                await reader.read()  # the 408: read to the close
                break
            except TimeoutError:
                continue
    except ConnectionError:
        pass
    writer.close()
    return time.monotonic() - start


async def unfinished_body_client(port: int, hold: float, token: str | None = None) -> float:
    """A POST declaring 1.99 MB (unauthenticated unless `token`), sending all but its last byte, then stalling."""
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = b"Authorization: Bearer %s\r\n" % token.encode() if token else b""
    try:
        writer.write(b"POST /articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n%s\r\n" % (BODY_BYTES, auth))
        sent, chunk = 0, b"[" + b" " * (CHUNK - 1)
        while sent < BODY_BYTES - 1:
            part = chunk[: BODY_BYTES - 1 - sent]
            writer.write(part)
            await writer.drain()
            sent += len(part)
        await asyncio.wait_for(reader.read(), timeout=max(0.1, hold - (time.monotonic() - start)))
    except (TimeoutError, ConnectionError):
        pass
    writer.close()
    return time.monotonic() - start


async def attack(kind: str, clients: int, port: int, proc: psutil.Process, hold: float) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    if kind == "token-bodies":
        tasks = [asyncio.create_task(unfinished_body_client(port, hold, TOKEN)) for _ in range(clients)]
    else:
        client = {"idle": idle_client, "headers": slow_header_client, "bodies": unfinished_body_client}[kind]
        tasks = [asyncio.create_task(client(port, hold)) for _ in range(clients)]
    await asyncio.sleep(1.5)  # every connection made and its bytes in
    during, probes = rss_mb(proc), []
    for _ in range(3):
        probes.append(await loop.run_in_executor(None, probe, port))
        during = max(during, rss_mb(proc))
        await asyncio.sleep(0.5)
    held = await asyncio.gather(*tasks)
    await asyncio.sleep(2.0)  # the server's side of the closes
    return {"during": during, "after": rss_mb(proc), "probes": probes, "held": sorted(held)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--hold", type=float, default=60.0, help="Longest a client holds its connection (s).")
    parser.add_argument("--token-bodies", action="store_true",
                        help="Also unfinished bodies that carry the token (buffered until the body deadline).")
    args, serve_options = parser.parse_known_args()  # the rest goes to sitrep serve (--header-timeout 3)
    limit = psutil.Process().rlimit(psutil.RLIMIT_NOFILE) if hasattr(psutil.Process, "rlimit") else None
    if limit and limit[0] < args.clients + 100:
        raise SystemExit(f"open-files limit {limit[0]} is too low for {args.clients} clients: ulimit -n 4096")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp) / "bench.sqlite", port, serve_options)
        try:
            proc = psutil.Process(server.pid)
            for path in ("/health", "/events?limit=5", "/", "/events?q=x"):  # warm: lazy imports loaded
                httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            httpx.post(f"http://127.0.0.1:{port}/articles", content=b"{", timeout=10)
            time.sleep(1.0)
            idle = rss_mb(proc)
            print(f"sitrep serve: pid {server.pid}, {args.clients} clients per attack, idle RSS {idle:.1f} MB")
            ok = True
            for kind in ("idle", "headers", "bodies", *(["token-bodies"] if args.token_bodies else [])):
                r = asyncio.run(attack(kind, args.clients, port, proc, args.hold))
                held: list[float] = r["held"]  # type: ignore[assignment]
                probes: list[tuple[int, float]] = r["probes"]  # type: ignore[assignment]
                after: float = r["after"]  # type: ignore[assignment]
                within = after <= idle * 1.10
                answered = all(status == 200 for status, _ in probes)
                ok = ok and answered and (within or kind == "token-bodies")  # writers are trusted
                print(f"{kind:12s} RSS during {r['during']:.1f} MB, after {after:.1f} MB "
                      f"({(after - idle) / idle * 100:+.1f}% of idle: {'ok' if within else 'OVER 10%'}); "
                      f"connections held median {held[len(held) // 2]:.1f} s, max {held[-1]:.1f} s; "
                      f"probes {[f'{s} in {t * 1000:.0f} ms' for s, t in probes]}")
            print("done when met" if ok else "NOT MET")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
