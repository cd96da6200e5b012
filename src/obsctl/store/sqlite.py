"""SQLite store for spans and logs (standard library ``sqlite3``, WAL mode).

Why SQLite: it ships with Python, keeps everything in one file, gives one writer and many
concurrent readers across processes (WAL), and a committed transaction survives the writer
being killed. Measured here: ~130,000 spans per CPU-second inserted with three span indexes,
a trace by ID in well under a millisecond from a million spans (see docs/receive.md).

Layout: each span is a row of columns (trace ID, span ID, parent, service, name, kind,
start, end, duration, status) plus its serialized OTLP ``Span`` message; resources are
stored once per distinct resource. Log records likewise, indexed by trace ID, time and
service. Decoding the blobs back into the model is ``parsers.otlp_proto``'s job.

Spans have three indexes, because each index costs ingest more than the row itself: trace
and span ID (unique: lookups, and retried spans are not stored twice), and two that cover
every search filter, so a search reads index entries only until a span matches: by time
bucket, and by service then time bucket. Within a bucket (``start_ns >> 30``, ~1 s) their
entries are in the order spans were written (the ``id`` column), so writing appends to the
end of a few buckets. Keyed by start time itself, as in version 2, each insert went to a
random place in the index whenever spans did not arrive in time order: a transaction of
4,000 spans wrote ~3,000 pages to the WAL on a store of 300k spans, more as it grew, and
writing slowed from ~6 to ~12 us of CPU per span by 400k spans; keyed by bucket, ~700 pages
(450 without these two indexes) and ~5 us, whatever the store's size. A search reads the
buckets newest first and SQLite sorts each by start time.
No index of its own for span names or durations (those two took 45% of ingest's CPU).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
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

SCHEMA_VERSION = 3
STORE_FILE = "store.sqlite"
"""File name of the store inside a directory given as ``--store``."""

_BUCKET_SHIFT = 30
"""Span start times are grouped into buckets of 2**30 ns (1.07 s) for the search indexes:
``start_ns >> 30``, a literal in every query, as SQLite matches an indexed expression only
when the query spells it the same way."""
_BUCKET = f"start_ns >> {_BUCKET_SHIFT}"

_SPAN_COLUMNS = (
    "trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, duration_ns, "
    "status, resource_key, scope, blob"
)
_SPANS = f"""
CREATE TABLE IF NOT EXISTS spans(
  id INTEGER PRIMARY KEY,
  trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_span_id BLOB,
  service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
  status INTEGER NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL,
  UNIQUE(trace_id, span_id));
CREATE INDEX IF NOT EXISTS spans_time
  ON spans({_BUCKET}, id, start_ns, duration_ns, service, name, status);
CREATE INDEX IF NOT EXISTS spans_service
  ON spans(service, {_BUCKET}, id, start_ns, duration_ns, name, status);
"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources(
  key BLOB PRIMARY KEY, service TEXT NOT NULL, blob BLOB NOT NULL) WITHOUT ROWID;
{_SPANS}
CREATE TABLE IF NOT EXISTS logs(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, trace_id BLOB, span_id BLOB,
  service TEXT NOT NULL, severity INTEGER NOT NULL, severity_text TEXT NOT NULL,
  body TEXT NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS logs_time ON logs(time_ns);
CREATE INDEX IF NOT EXISTS logs_service ON logs(service, time_ns);
"""

_READABLE = frozenset({"1", "2", str(SCHEMA_VERSION)})
"""Schema versions this obsctl reads (and upgrades when it writes). Versions 1 and 2 had the
same columns without ``id`` (the implicit rowid) and other span indexes: 1 had five, 2 had
``(start_ns, duration_ns, service, name)`` and ``(service, start_ns, duration_ns, name)``."""
_UPGRADE = f"""
BEGIN IMMEDIATE;
DROP INDEX IF EXISTS spans_start;
DROP INDEX IF EXISTS spans_service;
DROP INDEX IF EXISTS spans_name;
DROP INDEX IF EXISTS spans_duration;
DROP INDEX IF EXISTS spans_time;
ALTER TABLE spans RENAME TO spans_before_v3;
{_SPANS}
INSERT INTO spans(id, {_SPAN_COLUMNS})
  SELECT rowid, {_SPAN_COLUMNS} FROM spans_before_v3 ORDER BY rowid;
DROP TABLE spans_before_v3;
UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema';
COMMIT;
"""
"""Versions 1 and 2 → 3: the spans table is copied into one with an ``id`` column (the
search indexes need it as a key column), in one transaction."""

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
    schema: str = str(SCHEMA_VERSION)
    """The store's schema version (an older one until a receiver upgrades it)."""


class StoreWriter:
    """The receiver's connection: creates the schema, writes batches, enforces limits.

    One writer per store at a time; use it from a single thread.

    Args:
        path: store file (a directory means ``<dir>/store.sqlite``); created with its parents.
        durable: fsync the WAL at every commit (``synchronous=FULL``): a commit then survives
            a power cut too. Without it (``NORMAL``, the default) a commit survives the process
            being killed (the WAL is in the OS's hands) but not a power cut; the fsync took
            37% of the writer's time under the ingest benchmark.
        note: told, before and after, when an older store is upgraded (about 10 s per
            million spans), so that a long start does not look like a hang.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        durable: bool = False,
        note: Callable[[str], None] = lambda _message: None,
    ) -> None:
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
            if row is not None and row[0] != str(SCHEMA_VERSION):
                (spans,) = self.db.execute("SELECT count(*) FROM spans").fetchone()
                note(
                    f"upgrading the store {self.path} from schema {row[0]} to {SCHEMA_VERSION} "
                    f"({spans:,} spans, about 10 s per million)"
                )
                began = time.monotonic()
                self._upgrade()
                note(f"store upgraded in {time.monotonic() - began:.1f} s")
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

    def _upgrade(self) -> None:
        try:
            self.db.executescript(_UPGRADE)
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

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
            self._insert(f"INSERT OR IGNORE INTO spans({_SPAN_COLUMNS}) VALUES", 13, span_rows)
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
            self.db.execute(sql, list(chain.from_iterable(chunk)))

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
            # Bucket by bucket (the time index's order), sorted within each.
            row = self.db.execute(
                f"SELECT start_ns FROM spans ORDER BY {_BUCKET}, start_ns LIMIT 1 OFFSET "
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
        for sql, args in (
            (
                f"DELETE FROM spans WHERE id IN "
                f"(SELECT id FROM spans WHERE {_BUCKET} <= ? AND start_ns < ? LIMIT ?)",
                (cut_ns >> _BUCKET_SHIFT, cut_ns, _PRUNE_CHUNK),
            ),
            (
                "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time_ns < ? LIMIT ?)",
                (cut_ns, _PRUNE_CHUNK),
            ),
        ):
            while True:
                n = self.db.execute(sql, args).rowcount
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
        self.schema: str = row[0]
        self._bucketed = self.schema == str(SCHEMA_VERSION)
        """Version 3's search indexes (by time bucket); older stores are searched by time."""
        self._resources: dict[bytes, Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _follow_upgrade(self) -> None:
        """Search by time bucket once a receiver has upgraded an older store this reader
        was opened on (the TUI and ``trace search --follow`` keep their reader open)."""
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None and row[0] == str(SCHEMA_VERSION):
            self.schema = row[0]
            self._bucketed = True

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
        if not self._bucketed:
            self._follow_upgrade()
        lo, hi = int(query.start.timestamp() * 1e9), int(query.end.timestamp() * 1e9)
        conds = ["start_ns >= ?", "start_ns <= ?"]
        args: list[Any] = [lo, hi]
        id_col, order = "rowid", "start_ns DESC"
        if self._bucketed:
            # The indexes hold spans by time bucket, then in the order they were written:
            # SQLite reads them bucket by bucket, newest first, and sorts each by start time.
            conds.insert(0, f"{_BUCKET} BETWEEN ? AND ?")
            args[:0] = [lo >> _BUCKET_SHIFT, hi >> _BUCKET_SHIFT]
            id_col, order = "id", f"{_BUCKET} DESC, start_ns DESC"
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
        sql = f"SELECT {id_col} FROM spans WHERE {' AND '.join(conds)} ORDER BY {order}"
        found: list[bytes] = []
        seen: set[bytes] = set()
        row_sql = f"SELECT trace_id, {'blob' if query.tags else 'NULL'} FROM spans WHERE {id_col}=?"
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
            schema=self.schema,
        )


def _min(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
