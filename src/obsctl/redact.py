"""The one redaction point: every string that leaves obsctl passes through ``redact``.

Two kinds of redaction, both replacing with ``***``:

* **Known secrets.** Every ``config.schema.Secret`` registers its value here when it is made,
  and the HTTP layer registers what it derives from the context (the basic-auth pair, secret
  header values, a password in a URL). Each secret is matched in every form a server or a
  proxy is likely to echo it in: plain, base64 (standard and URL-safe, at any alignment inside
  a longer base64 string, so ``Basic base64(user:password)`` is covered), URL-encoded
  (``%20`` and ``+`` styles) and JSON-escaped.
* **Credential shapes**, whatever their value: ``Authorization``/``Proxy-Authorization``/
  ``Cookie``/``Set-Cookie``/``X-…-Token`` (and ``-Key``/``-Secret``) header values,
  ``Bearer``/``Basic`` credentials, user-info in URLs and secret-named query parameters.

The sinks apply it: ``render.console.Consoles`` wraps stdout and stderr in ``RedactingStream``,
``cli.main`` wraps ``sys.stdout``/``sys.stderr`` (tracebacks under ``--debug``), and the TUI
redacts what it shows. Known secrets are masked everywhere; credential shapes in diagnostics
and in messages built from server answers, not in data written to stdout (see
``RedactingStream``). Secrets shorter than ``MIN_SECRET_LEN`` characters are not matched as
text (they would mask ordinary words); their encoded forms still are when long enough.

Stdlib only: every layer may import this module.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import IO, Any, AnyStr

MASK = "***"
MIN_SECRET_LEN = 4
"""Shortest secret matched as plain text."""

SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "id_token",
        "refresh_token",
        "api_key",
        "apikey",
        "api-key",
        "key",
        "password",
        "passwd",
        "pwd",
        "secret",
        "auth",
        "authorization",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-security-token",
        "client_secret",
        "session",
        "sessionid",
    }
)
"""Query parameters whose value is always masked."""

_PARAMS = "|".join(re.escape(p) for p in sorted(SECRET_PARAMS, key=len, reverse=True))
_HEADER_NAME = (
    r"(?:proxy-)?authorization|set-cookie|cookie|"
    r"x-[a-z0-9-]*(?:token|api-?key|secret|auth|password)[a-z0-9-]*"
)


# Credential-shaped text: header values ("Authorization: …", JSON keys too), auth schemes
# followed by a credential-looking word, user-info in URLs and secret query parameters. It is
# matched against the lower-cased text: case-insensitive matching is ~30x slower in ``re``.
# Every branch starts with a literal so the scan stays fast (~30 ms for 15 MB).
@cache
def _shapes() -> re.Pattern[str]:
    return re.compile(
        rf"""(?x)
    (?P<hname>(?:{_HEADER_NAME})["']?[ \t]*[:=][ \t]*["']?)(?P<hval>[^\r\n"']+)
    |(?P<scheme>(?:bearer|basic|digest|token)[ \t]+)
        (?P<cred>(?=[a-z0-9._~+/=-]*[0-9._~+/=-])[a-z0-9._~+/=-]{{6,}}|[a-z0-9._~+/=-]{{20,}})
    |(?P<uscheme>://)(?P<userinfo>[^/\s@?#"'<>]+)@
    |(?P<qname>[?&;](?:{_PARAMS})=)
        (?P<qval>[^&#\s"'<>]+)
    """
    )


# Where a shape can start: two plain scans (one pattern for both is 6x slower in ``re``) of
# ~40 ms each for 15 MB; the full pattern then runs anchored at each candidate.
@cache
def _triggers() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(
            r"proxy-authorization|authorization|set-cookie|cookie|x-|bearer|basic|digest|token|://"
        ),
        re.compile(rf"[?&;](?:{_PARAMS})="),
    )


@cache
def _bytes_patterns() -> tuple[re.Pattern[bytes], tuple[re.Pattern[bytes], ...]]:
    """The same patterns for bytes (the JSON writers' binary path)."""
    return (
        re.compile(_shapes().pattern.encode("ascii")),
        tuple(re.compile(t.pattern.encode("ascii")) for t in _triggers()),
    )


# What the trigger patterns need to find anything: one of these words (``_triggers()[0]``
# is an alternation of them and of longer words containing them), or ``=`` after one of
# ``?&;`` (``_triggers()[1]``). Text without them is returned as is without compiling the
# patterns: most diagnostics (a findings summary, a usage error) have none.
_TRIGGER_WORDS = ("authorization", "cookie", "x-", "bearer", "basic", "digest", "token", "://")
_TRIGGER_WORDS_BYTES = tuple(w.encode("ascii") for w in _TRIGGER_WORDS)


def _may_hold_shapes(low: AnyStr, words: tuple[AnyStr, ...], marks: AnyStr) -> bool:
    if any(w in low for w in words):
        return True
    equals, query = marks[:1], marks[1:]
    return equals in low and any(query[i : i + 1] in low for i in range(len(query)))


def _redact_shapes(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few non-ASCII letters change length when lower-cased
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if not _may_hold_shapes(low, _TRIGGER_WORDS, "=?&;"):
        return text
    return _mask_shapes(text, low, _triggers(), _shapes(), MASK, ("${", MASK))


def _mask_shapes(
    text: AnyStr,
    low: AnyStr,
    triggers: tuple[re.Pattern[AnyStr], ...],
    shapes: re.Pattern[AnyStr],
    mask: AnyStr,
    keep: tuple[AnyStr, ...],
) -> AnyStr:
    """``text`` with the value of every shape found in ``low`` (same length) masked."""
    candidates = sorted({m.start() for t in triggers for m in t.finditer(low)})
    if not candidates:
        return text
    pieces: list[AnyStr] = []
    last = pos = 0
    match = shapes.match
    for at in candidates:
        if at < pos:
            continue
        m = match(low, at)
        if m is None or (m.group("scheme") is not None and low[at - 1 : at].isalnum()):
            continue
        for value in ("hval", "cred", "userinfo", "qval"):
            shown = m.group(value)
            if shown is not None:
                if shown.startswith(keep):  # a reference or already masked
                    break
                pieces.append(text[last : m.start(value)])
                pieces.append(mask)
                last = m.end(value)
                break
        pos = max(m.end(), at + 1)
    if not pieces:
        return text
    pieces.append(text[last:])
    return text[:0].join(pieces)


def _b64_inner(data: bytes) -> list[str]:
    """The base64 characters that depend on ``data`` only, at each of the 3 alignments.

    A secret inside a longer base64 string (``user:password``, ``Bearer token``) encodes to one
    of these three strings, whatever comes before or after it.
    """
    import base64

    out = []
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + data).decode("ascii").rstrip("=")
        bits_before = 8 * pad
        start = -(-bits_before // 6)
        end = (8 * (pad + len(data))) // 6
        inner = enc[start:end]
        if len(inner) >= 6:
            out.append(inner)
    return out


def _forms(secret: str) -> set[str]:
    """Every textual form of ``secret`` worth matching."""
    import json
    from urllib.parse import quote, quote_plus

    forms: set[str] = set()
    raw = secret.encode("utf-8", "surrogatepass")
    if len(secret) >= MIN_SECRET_LEN:
        forms.add(secret)
        forms.add(quote(secret, safe=""))
        forms.add(quote_plus(secret, safe=""))
        forms.add(quote(secret))
        forms.add(json.dumps(secret)[1:-1])
        forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    for inner in _b64_inner(raw):
        forms.add(inner)
        forms.add(inner.translate(str.maketrans("+/", "-_")))
    return {f for f in forms if f}


class _Registry:
    """The secrets known to this process and one compiled pattern matching all their forms."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self.pattern: re.Pattern[str] | None = None
        self.bytes_pattern: re.Pattern[bytes] | None = None

    def add(self, secret: str) -> None:
        if not secret or secret in self._secrets:
            return
        with self._lock:
            self._secrets.add(secret)
            self._forms |= _forms(secret)
            ordered = sorted(self._forms, key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            raw = sorted({f.encode("utf-8", "surrogatepass") for f in ordered}, key=len)
            self.bytes_pattern = (
                re.compile(b"|".join(map(re.escape, reversed(raw)))) if raw else None
            )

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._forms.clear()
            self.pattern = None
            self.bytes_pattern = None

    def __contains__(self, secret: str) -> bool:
        return secret in self._secrets


_REGISTRY = _Registry()


def remember(secret: str | None) -> None:
    """Register a secret: from now on no output shows it, in any of its forms."""
    if secret:
        _REGISTRY.add(secret)


def remember_basic_auth(username: str, password: str) -> None:
    """Register a basic-auth pair: the password and ``base64(user:password)``."""
    remember(password)
    if password:
        remember(f"{username}:{password}")


def is_secret_header(name: str) -> bool:
    """Whether a header's value is a credential (``Authorization``, ``X-Api-Key`` …)."""
    return re.fullmatch(_HEADER_NAME, name.strip(), re.IGNORECASE) is not None or any(
        word in name.lower() for word in ("token", "secret", "password", "api-key", "apikey")
    )


def forget_all() -> None:
    """Drop every registered secret (tests only)."""
    _REGISTRY.clear()


def redact(text: str, *, shapes: bool = True) -> str:
    """``text`` with known secrets and credential-shaped values replaced by ``***``.

    Args:
        text: what is about to be shown.
        shapes: also mask credential shapes (header values, ``Bearer …``, URL user-info,
            secret query parameters) whatever their value; off for data output (see
            ``RedactingStream``).

    >>> redact("https://u:p@h/x?query=up&token=abc")
    'https://***@h/x?query=up&token=***'
    >>> redact("rejected: Authorization: Bearer abc123")
    'rejected: Authorization: ***'
    """
    if not text:
        return text
    pattern = _REGISTRY.pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _redact_shapes(text) if shapes else text


def redact_bytes(data: bytes, *, shapes: bool = True) -> bytes:
    """``redact`` for UTF-8 bytes, without decoding them (JSON output goes this way).

    >>> redact_bytes(b'{"auth": "x", "url": "https://u:p@h/"}')
    b'{"auth": "x", "url": "https://***@h/"}'
    """
    if not data:
        return data
    pattern = _REGISTRY.bytes_pattern
    if pattern is not None:
        data = pattern.sub(MASK.encode(), data)
    if not shapes:
        return data
    # bytes.lower() touches ASCII letters only: same length, positions carry over.
    low = data.lower()
    if not _may_hold_shapes(low, _TRIGGER_WORDS_BYTES, b"=?&;"):
        return data
    shape, triggers = _bytes_patterns()
    return _mask_shapes(data, low, triggers, shape, MASK.encode(), (b"${", b"***"))


class RedactingStream:
    """A text stream that redacts what is written to it before passing it on.

    Whole lines are redacted at a time (a secret split across two ``write`` calls is still
    found); the unfinished last line is held until the next newline or ``flush``.

    Args:
        stream: the stream written to.
        shapes: mask credential shapes too (see ``redact``). Diagnostics (stderr) do; data
            (stdout) masks the known secrets only: a label value or span attribute that
            merely looks like a credential is the user's data, shown as the server sent it,
            and scanning tens of megabytes of query results for shapes would cost more than
            writing them (messages built from server answers are redacted where they are made).
    """

    def __init__(self, stream: IO[str], *, shapes: bool = True) -> None:
        self._stream = stream
        self._shapes = shapes
        self._pending = ""

    @property
    def wrapped(self) -> IO[str]:
        """The stream written to."""
        return self._stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream does (Click probes with b"")
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        data = self._pending + text
        cut = data.rfind("\n") + 1
        if cut == 0:
            self._pending = data
            if len(data) > 1 << 20:  # no newline in a megabyte: do not hold it all
                self.flush()
            return len(text)
        self._pending = data[cut:]
        self._stream.write(redact(data[:cut], shapes=self._shapes))
        return len(text)

    @property
    def buffer(self) -> _RedactingBuffer:
        """The binary side (fast JSON writers use it), redacted too."""
        return _RedactingBuffer(self._stream.buffer, shapes=self._shapes)  # type: ignore[attr-defined]

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._stream.write(redact(pending, shapes=self._shapes))
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _RedactingBuffer:
    """The binary stream under a ``RedactingStream``: each write is redacted as UTF-8 text."""

    def __init__(self, raw: IO[bytes], *, shapes: bool) -> None:
        self._raw = raw
        self._shapes = shapes

    def write(self, data: bytes) -> int:
        self._raw.write(redact_bytes(bytes(data), shapes=self._shapes))
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def redacting(stream: IO[str], *, shapes: bool = True) -> IO[str]:
    """``stream`` wrapped in a ``RedactingStream`` (once)."""
    if isinstance(stream, RedactingStream):
        return stream
    return RedactingStream(stream, shapes=shapes)  # type: ignore[return-value]
