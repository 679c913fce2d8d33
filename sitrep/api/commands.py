"""`sitrep serve` and `sitrep report`: thin commands over the API factory and the report library."""
from __future__ import annotations

import ipaddress
from datetime import datetime
from pathlib import Path

import click

from .settings import (
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_HEADER_TIMEOUT_S,
    DEFAULT_IDLE_TIMEOUT_S,
    DEFAULT_KEEP_ALIVE_TIMEOUT_S,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_RATE_BURST,
    DEFAULT_RATE_LIMIT,
    TOKEN_ENV,
    ServerTimeouts,
    default_allowed_hosts,
    parse_allowed_hosts,
    token_from_env,
    without_password,
)

REPORT_FORMATS = ("md", "html", "pdf")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _existing_store(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A store file that exists, or a postgresql:// URL."""
    from ..store import is_postgres_url

    if not is_postgres_url(value) and not Path(value).is_file():
        raise click.BadParameter(f"File {value!r} does not exist; give a store file or a postgresql:// URL.")
    return value


@click.command()
@click.option("--db", required=True, callback=_existing_store, help="The store to serve: a file or a postgresql:// URL.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; localhost unless told.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--max-page-size", default=DEFAULT_MAX_PAGE_SIZE, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--max-body-bytes", default=DEFAULT_MAX_BODY_BYTES, show_default=True, type=click.IntRange(1024))
@click.option("--rate-limit", default=DEFAULT_RATE_LIMIT, show_default=True, type=click.FloatRange(0),
              help="Requests a second per client address, on average; 0 turns the limit off.")
@click.option("--rate-burst", default=DEFAULT_RATE_BURST, show_default=True, type=click.IntRange(1),
              help="Requests a client may send at once before the rate limit applies.")
@click.option("--forwarded-allow-ips", default="", show_default="none",
              help="Reverse proxies whose X-Forwarded-For names the client (for the rate limit and logs), e.g. "
                   "127.0.0.1 for a proxy on this host; none by default, so a client cannot name itself. "
                   "'*' trusts any, which only a server no one else can reach may do.")
@click.option("--allowed-hosts", default=None, show_default="the bound address and localhost",
              help="Comma-separated Host header values to answer (a guard against DNS rebinding); '*' any.")
@click.option("--idle-timeout", default=DEFAULT_IDLE_TIMEOUT_S, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds a new connection may stay silent before it is closed.")
@click.option("--header-timeout", default=DEFAULT_HEADER_TIMEOUT_S, show_default=True,
              type=click.FloatRange(min=0, min_open=True), help="Seconds for a request's headers to arrive.")
@click.option("--body-timeout", default=DEFAULT_BODY_TIMEOUT_S, show_default=True,
              type=click.FloatRange(min=0, min_open=True), help="Seconds for a request's body to arrive after its headers.")
@click.option("--keep-alive-timeout", default=DEFAULT_KEEP_ALIVE_TIMEOUT_S, show_default=True,
              type=click.IntRange(1), help="Seconds an idle connection is kept open between requests.")
def serve(db: str, host: str, port: int, max_page_size: int, max_body_bytes: int, rate_limit: float,
          rate_burst: int, forwarded_allow_ips: str, allowed_hosts: str | None, idle_timeout: float,
          header_timeout: float, body_timeout: float, keep_alive_timeout: int) -> None:
    """Serve the HTTP API and the web map over a store.

    Reads are open. Writes (POST /articles, reviews) are enabled only when the
    environment variable SITREP_TOKEN holds a token (8 characters or more).
    Every read from a client has a deadline (idle, header, body, keep-alive).
    """
    import uvicorn

    from .app import create_app
    from .server import server_config

    token = token_from_env()
    hosts = parse_allowed_hosts(allowed_hosts) if allowed_hosts is not None else default_allowed_hosts(host)
    if not hosts:
        raise click.BadParameter("name at least one host, or '*' for any", param_hint="--allowed-hosts")
    if not _is_loopback(host):
        click.echo(f"sitrep: warning: binding {host}; the read endpoints are open to anyone who can reach it "
                   f"by a Host name in --allowed-hosts (now: {', '.join(hosts)})", err=True)
    try:
        timeouts = ServerTimeouts(idle=idle_timeout, header=header_timeout, body=body_timeout,
                                  keep_alive=keep_alive_timeout)
        app = create_app(db, token=token, max_page_size=max_page_size, max_body_bytes=max_body_bytes,
                         rate_limit=rate_limit or None, rate_burst=rate_burst, allowed_hosts=hosts)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"sitrep: serving {without_password(db)} on http://{host}:{port}/ "
               f"(writes {'enabled' if token else f'disabled: set {TOKEN_ENV} to enable'})", err=True)
    uvicorn.Server(server_config(app, host=host, port=port, timeouts=timeouts,
                                 forwarded_allow_ips=forwarded_allow_ips)).run()


def _day(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> object:
    return value.date() if value else None


@click.command()
@click.option("--db", required=True, callback=_existing_store, help="The store to report on: a file or a postgresql:// URL.")
@click.option("--country", help="Country name as the store has it, e.g. Lebanon.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), callback=_day, help="First day, YYYY-MM-DD.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), callback=_day, help="Last day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Default: from the output file's suffix, else md.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100), help="Actors and key events listed.")
@click.option("--unfused", is_flag=True,
              help="Count every report of an event (one row per article) instead of each real-world event once.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
def report(db: str, country: str | None, since: object, until: object, fmt: str | None, top: int,
           unfused: bool, output: str) -> None:
    """Write a situation report (Markdown, HTML or PDF) from the store alone."""
    from ..gazetteer.build import default_node_modules
    from ..gazetteer.sources import country_outlines
    from ..report import PdfUnavailable, ReportOptions, build_report, write_report
    from ..store import open_store

    out = Path(output)
    fmt = fmt or (out.suffix.lstrip(".").lower() if out.suffix.lstrip(".").lower() in REPORT_FORMATS else "md")
    try:
        options = ReportOptions(country=country, since=since, until=until, top=top,  # type: ignore[arg-type]
                                fused=not unfused)
        outlines = list(country_outlines(default_node_modules()))
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    with open_store(db) as store:
        result = build_report(store, options)
    try:
        written = write_report(result, out, fmt, outlines)
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"sitrep: {result.events} events, {result.fatalities} fatalities -> "
               + ", ".join(str(p) for p in written), err=True)
