"""``obsctl receive``: run the OTLP/HTTP receiver in the foreground."""

from __future__ import annotations

from typing import Annotated

import typer

from obsctl.cli.state import get_state


def receive(
    ctx: typer.Context,
    listen: Annotated[
        str,
        typer.Option(
            "--listen", metavar="HOST:PORT", help="Address to listen on (port 0: any free port)."
        ),
    ] = "127.0.0.1:4318",
    retention: Annotated[
        str,
        typer.Option(
            "--retention", metavar="DURATION", help="Delete data older than this (0: keep)."
        ),
    ] = "7d",
    max_size: Annotated[
        str,
        typer.Option(
            "--max-size", metavar="SIZE", help="Delete the oldest data beyond this (0: no limit)."
        ),
    ] = "2GiB",
    max_body: Annotated[
        str,
        typer.Option(
            "--max-body", metavar="SIZE", help="Largest request body, after decompression."
        ),
    ] = "64MiB",
    fsync: Annotated[
        bool,
        typer.Option(
            "--fsync",
            help="fsync every commit: acknowledged data survives a power cut too (slower).",
        ),
    ] = False,
) -> None:
    """Receive OTLP/HTTP traces and logs into the local store (foreground; Ctrl-C stops).

    Takes POST /v1/traces and /v1/logs, protobuf or JSON, optionally gzip-compressed, and
    answers 200 only once the data is committed. Read it back with
    obsctl trace ID --backend local, obsctl trace search --backend local, correlate.

    Point an OpenTelemetry SDK at it with
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 and
    OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (Python defaults to gRPC).

    [bold]Examples[/bold]

      obsctl receive

      obsctl receive --listen 0.0.0.0:4318 --store ./traces --retention 2h --max-size 500MiB

    The store is --store PATH (a file, or a directory to hold store.sqlite), else
    OBSCTL_STORE, else the context's local: entry, else the user data directory.
    """
    import signal
    import threading
    import time
    from pathlib import Path

    from obsctl.cli.values import duration_flag, size_flag
    from obsctl.errors import UsageError
    from obsctl.model.units import format_size
    from obsctl.receiver.server import Progress, Receiver, ReceiverConfig

    state = get_state(ctx)
    consoles = state.consoles
    host, sep, port_text = listen.rpartition(":")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        raise UsageError(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:4318")
    max_store = size_flag(max_size, option="--max-size")  # 0: no limit
    body_limit = size_flag(max_body, option="--max-body", minimum=1)
    keep = duration_flag(retention, option="--retention", allow_zero=True)
    interactive = consoles.err_stream.isatty()
    config = ReceiverConfig(
        host=host.strip("[]") or "127.0.0.1",
        port=int(port_text),
        store=Path(state.endpoint("local").url).expanduser(),
        retention_ns=int(keep.total_seconds() * 1e9) or None,
        max_store_bytes=max_store or None,
        max_body=body_limit,
        durable=fsync,
        progress_interval=5.0 if interactive else 60.0,
    )
    last = [0, 0, time.monotonic()]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        dt = max(now - last[2], 1e-9)
        spans_rate, logs_rate = (p.spans - last[0]) / dt, (p.logs - last[1]) / dt
        last[:] = [p.spans, p.logs, now]
        consoles.write_err(
            f"obsctl: receive: {p.spans:,} spans ({spans_rate:,.0f}/s), "
            f"{p.logs:,} logs ({logs_rate:,.0f}/s), {p.rejected:,} rejected, "
            f"store {format_size(p.store_bytes)}\n"
        )

    try:
        receiver = Receiver(
            config, on_error=consoles.warn, on_progress=progress, on_note=consoles.note
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {listen}: {exc.strerror or exc}",
            hint="another receiver (or collector) may hold the port; try --listen 127.0.0.1:0",
        ) from None
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    bound_host, bound_port = receiver.address
    receiver.start()
    consoles.write_err(
        f"obsctl: receiving OTLP/HTTP on http://{bound_host}:{bound_port} "
        f"(/v1/traces, /v1/logs) into {receiver.store_path}\n"
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        consoles.write_err("obsctl: receive: stopping (flushing the store)\n")
        receiver.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    progress(receiver.progress)
