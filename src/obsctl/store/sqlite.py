"""SQLite store for spans and logs (standard library ``sqlite3``, WAL mode).

Why SQLite: it ships with Python, keeps everything in one file, gives one writer and many
concurrent readers across processes (WAL), and a committed transaction survives the writer
being killed. Measured here: ~130,000 spans per CPU-second inserted with three span indexes,
a trace by ID in well under a millisecond from a million spans (see docs/receive.md).

Layout: each span is a row of columns (trace ID, span ID, parent, service, name, kind,
start, end, duration, status) plus its serialized OTLP ``Span`` message; resources are
stored once per distinct resource. Log records likewise, indexed by trace ID, time and
service. Decoding the blobs back into the model is ``parsers.otlp_proto``'s job.

Spans have three indexes, because each index costs ingest more than the row itself (about
3 us of CPU per span per index, on top of ~3.5 us for the row and its trace-ID key): trace
and span ID (unique: lookups, and retried spans are not stored twice), and two that cover
every search filter, so a search reads index entries only until a span matches: start time
(with duration, service and name) and service (with start, duration and name). A search by
operation alone walks the time index newest first; no index of its own for span names or
durations (those two took 45% of ingest's CPU).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obsctl.errors import NotFound, UsageError
from obsctl.model.logs import LogQuery, LogRecord
from obsctl.model.time import from_unix_ns
from obsctl.model.traces import Trace, TraceSearch, TraceSummary
from obsctl.parsers.otlp_proto import (
    Decoded,
    log_from_blob,
    resource_attributes,
    span_from_blob,
    span_has_attribute,
)

SCHEMA_VERSION = 2
STORE_FILE = "store.sqlite"
"""File name of the store inside a directory given as ``--store``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources(
  key BLOB PRIMARY KEY, service TEXT NOT NULL, blob BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spans(
  trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_span_id BLOB,
  service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
  status INTEGER NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL,
  UNIQUE(trace_id, span_id));
CREATE INDEX IF NOT EXISTS spans_time ON spans(start_ns, duration_ns, service, name);
CREATE INDEX IF NOT EXISTS spans_service ON spans(service, start_ns, duration_ns, name);
CREATE TABLE IF NOT EXISTS logs(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, trace_id BLOB, span_id BLOB,
  service TEXT NOT NULL, severity INTEGER NOT NULL, severity_text TEXT NOT NULL,
  body TEXT NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS logs_time ON logs(time_ns);
CREATE INDEX IF NOT EXISTS logs_service ON logs(service, time_ns);
"""

_READABLE = frozenset({"1", str(SCHEMA_VERSION)})
"""Schema versions this obsctl reads (and upgrades when it writes): version 2 kept version
1's tables and changed only the span indexes."""
_V1_INDEXES_DROPPED = """
DROP INDEX IF EXISTS spans_start;
DROP INDEX IF EXISTS spans_service;
DROP INDEX IF EXISTS spans_name;
DROP INDEX IF EXISTS spans_duration;
"""

_PRUNE_CHUNK = 20_000
_ROWS_PER_STATEMENT = 500
"""13 columns x 500 rows stays under SQLite's 32,766 bound parameters."""
_CACHE_KIB = 128 * 1024
"""Page cache of the writer: the indexes take random inserts (trace IDs, start times); with
SQLite's 2 MiB default, inserts slowed from ~15 to ~40 us per span past 100k spans."""
_CHECKPOINT_EVERY = 0.25
"""Seconds between the background checkpoints."""
_WAL_RESET_FRAMES = 16_384
"""When the WAL holds more frames (pages) than this, the writer checkpoints the rest itself
after a commit, so that its next transaction starts the WAL again from the beginning."""


def store_file(path: str | Path) -> Path:
    """``path`` itself, or the store file inside it when it is a directory."""
    p = Path(path).expanduser()
    return p / STORE_FILE if p.is_dir() else p


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What ``doctor`` and the receiver's progress line report about a store."""

    path: str
    spans: int
    traces: int
    logs: int
    oldest_ns: int | None
    newest_ns: int | None
    size_bytes: int
    """Bytes in use (database pages not on the free list, plus the WAL)."""


class StoreWriter:
    """The receiver's connection: creates the schema, writes batches, enforces limits.

    One writer per store at a time; use it from a single thread.

    Args:
        path: store file (a directory means ``<dir>/store.sqlite``); created with its parents.
        durable: fsync the WAL at every commit (``synchronous=FULL``): a commit then survives
            a power cut too. Without it (``NORMAL``, the default) a commit survives the process
            being killed (the WAL is in the OS's hands) but not a power cut; the fsync took
            37% of the writer's time under the ingest benchmark.
    """

    def __init__(self, path: str | Path, *, durable: bool = False) -> None:
        self.path = store_file(path)
        self._sql: dict[tuple[str, int], str] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self.db.execute("PRAGMA journal_size_limit=67108864")
            self.db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            self.db.execute("PRAGMA busy_timeout=10000")
            # Checkpoints (copying the WAL into the database, with two fsyncs) run in a
            # thread of their own (see _Checkpointer), not in the committing writer: in the
            # writer they took half of its time under the ingest benchmark.
            self.db.execute("PRAGMA wal_autocheckpoint=0")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] not in _READABLE:
                raise UsageError(
                    f"{self.path}: store schema {row[0]}, this obsctl writes {SCHEMA_VERSION}",
                    hint="start the receiver with another --store PATH",
                )
            if row is not None and row[0] == "1":
                # Version 1 had the same tables with five span indexes: swap them.
                self.db.executescript(_V1_INDEXES_DROPPED)
            self.db.executescript(_SCHEMA)
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES('schema', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.Error as exc:
            raise UsageError(
                f"cannot open the store {self.path}: {exc}",
                hint="is it an obsctl store? pass another --store PATH",
            ) from None
        self._checkpointer = _Checkpointer(self.path)
        self._checkpointer.start()

    def write(self, spans: Iterable[Decoded], logs: Iterable[Decoded]) -> None:
        """Write decoded requests in one transaction; returns after the commit.

        Spans already stored (same trace and span ID: a client's retry) are skipped.
        """
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            span_rows: list[Any] = []
            log_rows: list[Any] = []
            for d in spans:
                db.executemany("INSERT OR IGNORE INTO resources VALUES(?,?,?)", d.resources)
                span_rows += d.rows
            for d in logs:
                db.executemany("INSERT OR IGNORE INTO resources VALUES(?,?,?)", d.resources)
                log_rows += d.rows
            self._insert("INSERT OR IGNORE INTO spans VALUES", 13, span_rows)
            self._insert(
                "INSERT INTO logs(time_ns, trace_id, span_id, service, severity, severity_text, "
                "body, resource_key, scope, blob) VALUES",
                10,
                log_rows,
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if self._checkpointer.wal_frames > _WAL_RESET_FRAMES:
            # The background checkpoints run while this thread commits, so they rarely see
            # the end of the WAL; this one (short: the rest is copied already) does, and the
            # WAL is reused from its start by the next transaction.
            self._checkpointer.wal_frames = 0
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _insert(self, head: str, width: int, rows: list[Any]) -> None:
        # Many rows per statement, not executemany: the sqlite3 module releases and retakes
        # the GIL around every statement step, and with the receiver's handler threads busy
        # decoding, each retake waited for a GIL switch interval (ingest fell from ~45,000
        # to ~11,000 spans/s). One statement per 500 rows steps 500 times less often.
        for lo in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[lo : lo + _ROWS_PER_STATEMENT]
            sql = self._sql.get((head, len(chunk)))
            if sql is None:
                one = "(" + ",".join("?" * width) + ")"
                sql = self._sql[(head, len(chunk))] = head + ",".join([one] * len(chunk))
            self.db.execute(sql, [v for row in chunk for v in row])

    def used_bytes(self) -> int:
        """Bytes of the database in use (pages not on the free list)."""
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        free = self.db.execute("PRAGMA freelist_count").fetchone()[0]
        size = self.db.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def prune(self, *, before_ns: int | None, max_bytes: int | None) -> int:
        """Delete data older than ``before_ns``, then the oldest data while over ``max_bytes``.

        Deletes in chunks, each its own short transaction, so readers and the next write
        never wait long. Freed pages are reused, so the file stops growing.

        Returns:
            spans and log records deleted.
        """
        deleted = 0
        if before_ns is not None:
            deleted += self._delete_before(before_ns)
        while max_bytes is not None and self.used_bytes() > max_bytes:
            # Drop the oldest tenth of what is left (at least one chunk's worth).
            row = self.db.execute(
                "SELECT start_ns FROM spans ORDER BY start_ns LIMIT 1 OFFSET "
                "(SELECT max(count(*) / 10, 1) FROM spans)"
            ).fetchone()
            log_row = self.db.execute(
                "SELECT time_ns FROM logs ORDER BY time_ns LIMIT 1 OFFSET "
                "(SELECT max(count(*) / 10, 1) FROM logs)"
            ).fetchone()
            cut = max(row[0] if row else 0, log_row[0] if log_row else 0)
            if not cut:
                n = self._delete_before(1 << 62)
                deleted += n
                if not n:
                    break
                continue
            n = self._delete_before(cut)
            deleted += n
            if not n:
                break
        return deleted

    def _delete_before(self, cut_ns: int) -> int:
        total = 0
        for sql in (
            "DELETE FROM spans WHERE rowid IN (SELECT rowid FROM spans WHERE start_ns < ? LIMIT ?)",
            "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time_ns < ? LIMIT ?)",
        ):
            while True:
                n = self.db.execute(sql, (cut_ns, _PRUNE_CHUNK)).rowcount
                total += n
                if n < _PRUNE_CHUNK:
                    break
        return total

    def checkpoint(self) -> None:
        """Fold the WAL back into the database (keeps the WAL file small)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the connection (a final checkpoint folds the WAL in)."""
        self._checkpointer.stop()
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


class _Checkpointer(threading.Thread):
    """Copies committed WAL frames into the database every ``_CHECKPOINT_EVERY`` seconds,
    on a connection of its own. SQLite releases the GIL meanwhile, so this runs beside the
    writer (which goes on committing: a passive checkpoint never blocks it) and beside the
    receiver's request threads."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="store-checkpoint", daemon=True)
        self.path = path
        self.wal_frames = 0
        """Frames in the WAL at the last checkpoint (read by the writer)."""
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            while not self._stop_event.wait(_CHECKPOINT_EVERY):
                with contextlib.suppress(sqlite3.Error):
                    ((busy, frames, _done),) = db.execute(
                        "PRAGMA wal_checkpoint(PASSIVE)"
                    ).fetchall()
                    if not busy:
                        self.wal_frames = frames
        finally:
            db.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class StoreReader:
    """A read-only view of a store; safe to use while a receiver writes.

    Raises:
        NotFound: no store at ``path``.
        UsageError: the file is not an obsctl store.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = store_file(path)
        if not self.path.is_file():
            raise NotFound(
                f"no obsctl store at {self.path}",
                hint="start one with `obsctl receive` (or pass --store PATH)",
            )
        try:
            self.db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
            self.db.execute("PRAGMA busy_timeout=10000")
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.Error as exc:
            raise UsageError(f"{self.path} is not an obsctl store ({exc})") from None
        if row is None or row[0] not in _READABLE:
            raise UsageError(f"{self.path}: unsupported store schema {row and row[0]}")
        self._resources: dict[bytes, Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _resource(self, key: bytes) -> Any:
        attrs = self._resources.get(key)
        if attrs is None:
            row = self.db.execute("SELECT blob FROM resources WHERE key=?", (key,)).fetchone()
            attrs = self._resources[key] = resource_attributes(row[0]) if row else ()
        return attrs

    def trace(self, trace_id: str) -> Trace | None:
        """The trace with ``trace_id`` (32 lowercase hex), or ``None``."""
        rows = self.db.execute(
            "SELECT service, resource_key, scope, blob FROM spans WHERE trace_id=?",
            (bytes.fromhex(trace_id),),
        ).fetchall()
        if not rows:
            return None
        spans = [
            span_from_blob(blob, service=service, resource=self._resource(rkey), scope=scope)
            for service, rkey, scope, blob in rows
        ]
        spans.sort(key=lambda s: (s.start_ns, s.span_id))
        return Trace(trace_id=trace_id, spans=tuple(spans))

    def trace_ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` trace IDs (32 lowercase hex) that start with the hex ``prefix``,
        in order; a range scan of the ``(trace_id, span_id)`` index."""
        shift = 4 * (32 - len(prefix))
        low = int(prefix, 16) << shift if prefix else 0
        high = (int(prefix, 16) + 1) << shift if prefix else 1 << 128
        cond, args = "trace_id >= ?", [low.to_bytes(16, "big")]
        if high < 1 << 128:
            cond += " AND trace_id < ?"
            args.append(high.to_bytes(16, "big"))
        rows = self.db.execute(
            f"SELECT DISTINCT trace_id FROM spans WHERE {cond} ORDER BY trace_id LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [bytes(tid).hex() for (tid,) in rows]

    def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Traces with a span matching every filter, newest matching span first.

        Duration filters apply to spans (as Jaeger's do); ``tags`` match span attributes
        (booleans as ``true``/``false``).

        Raises:
            UsageError: a TraceQL query (the store has no TraceQL).
        """
        if query.traceql:
            raise UsageError(
                "--query (TraceQL) works with Tempo only; the local store searches by "
                "--service, --operation, --tag and --min-duration"
            )
        conds = ["start_ns >= ?", "start_ns <= ?"]
        args: list[Any] = [
            int(query.start.timestamp() * 1e9),
            int(query.end.timestamp() * 1e9),
        ]
        if query.service:
            conds.append("service = ?")
            args.append(query.service)
        if query.operation:
            conds.append("name = ?")
            args.append(query.operation)
        if query.min_duration_ns:
            conds.append("duration_ns >= ?")
            args.append(query.min_duration_ns)
        if query.max_duration_ns:
            conds.append("duration_ns <= ?")
            args.append(query.max_duration_ns)
        if query.errors:
            conds.append("status = 2")  # STATUS_CODE_ERROR
        for key, value in query.tags:
            # A byte-level prefilter in SQLite's C code; the exact check decodes the span.
            conds.append("instr(blob, ?) > 0 AND instr(blob, ?) > 0")
            args += [key.encode(), value.encode()]
        # Without tags every filter is in the time and service indexes, so the scan reads
        # index entries only; the row of a matching span is read for its trace ID.
        sql = f"SELECT rowid FROM spans WHERE {' AND '.join(conds)} ORDER BY start_ns DESC"
        found: list[bytes] = []
        seen: set[bytes] = set()
        row_sql = f"SELECT trace_id, {'blob' if query.tags else 'NULL'} FROM spans WHERE rowid=?"
        for (rowid,) in self.db.execute(sql, args):
            tid, blob = self.db.execute(row_sql, (rowid,)).fetchone()
            if tid in seen:
                continue
            if query.tags and not all(span_has_attribute(blob, k, v) for k, v in query.tags):
                continue
            seen.add(tid)
            found.append(tid)
            if len(found) >= query.limit:
                break
        summaries = [self._summary(tid) for tid in found]
        summaries.sort(key=lambda t: t.start, reverse=True)
        return summaries

    def _summary(self, tid: bytes) -> TraceSummary:
        rows = self.db.execute(
            "SELECT parent_span_id, service, name, start_ns, end_ns, status "
            "FROM spans WHERE trace_id=?",
            (tid,),
        ).fetchall()
        start = min(r[3] for r in rows)
        end = max(r[4] for r in rows)
        roots = [r for r in rows if r[0] is None] or rows
        root = min(roots, key=lambda r: (r[3], r[3] - r[4]))
        return TraceSummary(
            trace_id=tid.hex(),
            root_service=root[1],
            root_name=root[2],
            start=from_unix_ns(start),
            duration_ns=end - start,
            span_count=len(rows),
            error_count=sum(1 for r in rows if r[5] == 2),
            services=tuple(dict.fromkeys(r[1] for r in rows)),
        )

    def logs(self, query: LogQuery) -> list[LogRecord]:
        """Log records matching ``query``, oldest first."""
        conds: list[str] = []
        args: list[Any] = []
        if query.trace_id:
            conds.append("trace_id = ?")
            args.append(bytes.fromhex(query.trace_id))
        if query.span_ids:
            conds.append(f"span_id IN ({','.join('?' * len(query.span_ids))})")
            args += [bytes.fromhex(s) for s in query.span_ids]
        if query.service:
            conds.append("service = ?")
            args.append(query.service)
        if query.min_severity:
            conds.append("severity >= ?")
            args.append(query.min_severity)
        if query.start_ns is not None:
            conds.append("time_ns >= ?")
            args.append(query.start_ns)
        if query.end_ns is not None:
            conds.append("time_ns <= ?")
            args.append(query.end_ns)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self.db.execute(
            f"SELECT service, resource_key, scope, blob FROM logs {where} "
            "ORDER BY time_ns, id LIMIT ?",
            [*args, query.limit],
        ).fetchall()
        return [
            log_from_blob(blob, service=service, resource=self._resource(rkey), scope=scope)
            for service, rkey, scope, blob in rows
        ]

    def logs_for_trace(self, trace_id: str) -> list[LogRecord]:
        """The log records of one trace, oldest first."""
        return self.logs(LogQuery(trace_id=trace_id, limit=100_000))

    def stats(self) -> StoreStats:
        """Counts, time span and size of the store."""
        db = self.db
        spans, oldest, newest = db.execute(
            "SELECT count(*), min(start_ns), max(start_ns) FROM spans"
        ).fetchone()
        traces = db.execute("SELECT count(DISTINCT trace_id) FROM spans").fetchone()[0]
        logs, lo, hi = db.execute(
            "SELECT count(*), min(time_ns), max(time_ns) FROM logs"
        ).fetchone()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        wal = self.path.with_name(self.path.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        return StoreStats(
            path=str(self.path),
            spans=spans,
            traces=traces,
            logs=logs,
            oldest_ns=_min(oldest, lo),
            newest_ns=_max(newest, hi),
            size_bytes=(pages - free) * size + wal_size,
        )


def _min(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
