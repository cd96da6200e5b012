"""The redaction point: known secrets in every encoding, credential shapes, the stream."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obsctl import redact as r
from obsctl.config.schema import Secret

TOKEN = "CANARY-tok/en+9=x"
PASSWORD = "p@ss w0rd!"


@pytest.fixture(autouse=True)
def _clean_registry():
    r.forget_all()
    yield
    r.forget_all()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        b64(TOKEN),
        b64(TOKEN).rstrip("="),
        b64("Bearer " + TOKEN),  # the token inside a longer base64 string
        b64("x" + TOKEN),  # at another alignment
        b64("xy" + TOKEN).replace("+", "-").replace("/", "_"),  # URL-safe alphabet
    ],
)
def test_a_registered_token_is_masked_in_every_form(form):
    Secret(TOKEN, "env T")  # a Secret registers itself
    out = r.redact(f"server said: {form} (end)")
    assert "CANARY" not in out
    core = form.rstrip("=")
    assert core[2:-2] not in out, out


def test_basic_auth_pair_base64_is_masked():
    r.remember_basic_auth("alice", PASSWORD)
    echoed = f"rejected credentials: Basic {b64('alice:' + PASSWORD)}"
    assert b64("alice:" + PASSWORD)[:8] not in r.redact(echoed.replace("Basic ", "as "))
    assert r.redact(PASSWORD + " and " + quote_plus(PASSWORD)) == "*** and ***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc", "Authorization: ***"),
        ('{"authorization": "Basic Zm9vOmJhcg=="}', '{"authorization": "***"}'),
        ("proxy-authorization=Digest x", "proxy-authorization=***"),
        ("Cookie: sid=1; other=2", "Cookie: ***"),
        ("Set-Cookie: sid=1; Path=/", "Set-Cookie: ***"),
        ("X-Auth-Token: deadbeef", "X-Auth-Token: ***"),
        ("x-api-key: k", "x-api-key: ***"),
        ("got bearer eyJhbGciOi.x1 from proxy", "got bearer *** from proxy"),
        ("https://bob:hunter2@example.com/x", "https://***@example.com/x"),
        ("GET /q?query=up&access_token=s3cr3t&x=1", "GET /q?query=up&access_token=***&x=1"),
        # Left alone: ordinary words, references, already masked values.
        ("Basic authentication required", "Basic authentication required"),
        ("Bearer token expired", "Bearer token expired"),
        ("x-api-key: ${env:X_API_KEY}", "x-api-key: ${env:X_API_KEY}"),
        ("token_env: MIMIR_TOKEN", "token_env: MIMIR_TOKEN"),
        ("rate(http_requests_total[5m])", "rate(http_requests_total[5m])"),
    ],
)
def test_credential_shapes(text, expected):
    assert r.redact(text) == expected


def test_short_secrets_are_not_matched_as_text():
    r.remember("abc")
    assert r.redact("abc def") == "abc def"


def test_stream_holds_partial_lines_so_split_secrets_are_found():
    r.remember(TOKEN)
    sink = io.StringIO()
    stream = r.RedactingStream(sink)
    stream.write("first line\nthe token is " + TOKEN[:5])
    assert sink.getvalue() == "first line\n"
    stream.write(TOKEN[5:] + "\n")
    stream.write("tail without newline")
    stream.flush()
    assert sink.getvalue() == "first line\nthe token is ***\ntail without newline"


def test_stream_binary_side_is_redacted():
    r.remember(TOKEN)
    raw = io.BytesIO()
    wrapper = io.TextIOWrapper(raw, encoding="utf-8")
    stream = r.RedactingStream(wrapper)
    stream.buffer.write(f'{{"v": "{TOKEN}"}}\n'.encode())
    assert raw.getvalue() == b'{"v": "***"}\n'


def test_stream_refuses_bytes_like_a_text_stream():
    with pytest.raises(TypeError):
        r.RedactingStream(io.StringIO()).write(b"")  # type: ignore[arg-type]


def test_redacting_wraps_once():
    stream = r.redacting(io.StringIO())
    assert r.redacting(stream) is stream


def test_secret_repr_never_shows_the_value():
    s = Secret(TOKEN, "literal")
    assert TOKEN not in repr(s) and TOKEN not in str(s)


def test_bytes_and_text_agree_on_known_secrets():
    r.remember(TOKEN)
    text = f"a {TOKEN} b {quote_plus(TOKEN)} c {b64('x' + TOKEN)}\n"
    assert r.redact_bytes(text.encode()) == r.redact(text).encode()
    assert b"CANARY" not in r.redact_bytes(text.encode())


_ASCII_SOUP = [
    "Authorization: ",
    "Bearer ",
    "basic ",
    "Cookie=",
    "x-api-key: ",
    "https://",
    "u:p@",
    "h/",
    "?token=",
    "&sig=",
    "a",
    "1",
    " ",
    "\n",
    '"',
    "=",
    "${X}",
    "***",
    "-",
    "/",
]


@given(st.lists(st.sampled_from(_ASCII_SOUP) | st.text("abcXYZ019=+/ ", max_size=6)))
def test_bytes_and_text_agree_on_shapes(parts):
    text = "".join(parts)
    assert r.redact_bytes(text.encode()) == r.redact(text).encode()


def test_consoles_mask_known_secrets_in_data_and_shapes_in_diagnostics():
    from obsctl.render.console import Consoles

    r.remember(TOKEN)
    out, err = io.StringIO(), io.StringIO()
    consoles = Consoles(out_stream=out, err_stream=err, color=False)
    line = f'up{{url="https://x/?token=abc"}} {TOKEN}\n'
    consoles.out_stream.write(line)
    consoles.write_err(line)
    # Data: the user's label value stays as the server sent it; the context's token does not.
    assert out.getvalue() == 'up{url="https://x/?token=abc"} ***\n'
    assert err.getvalue() == 'up{url="https://x/?token=***"} ***\n'


_PIECES = [
    *"abxXT-:/=?&;@ .\n\u0130\u212a",
    *("tok", "en", "token", "TOKEN", "basic ", "Bearer ", "://", "u:p@h", "key", "cookie"),
    *("authorization: ", "x-api-key: ", "abcdef123456", "password=", "${env:X}"),
]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_text_without_trigger_words_skips_the_shape_patterns(text):
    """The quick pre-check never hides a shape the patterns would find."""
    from obsctl.redact import (
        MASK,
        _bytes_patterns,
        _mask_shapes,
        _shapes,
        _triggers,
        redact,
        redact_bytes,
    )

    low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    full = _mask_shapes(text, low, _triggers(), _shapes(), MASK, ("${", MASK))
    assert redact(text) == full
    data = text.encode()
    shape, triggers = _bytes_patterns()
    full_bytes = _mask_shapes(data, data.lower(), triggers, shape, b"***", (b"${", b"***"))
    assert redact_bytes(data) == full_bytes


def test_summary_line_compiles_no_shape_pattern():
    from obsctl.redact import _shapes, _triggers, redact

    _shapes.cache_clear()
    _triggers.cache_clear()
    assert redact("2 errors, 1 warning, 0 info in 1 input\n") == (
        "2 errors, 1 warning, 0 info in 1 input\n"
    )
    assert _shapes.cache_info().currsize == 0 and _triggers.cache_info().currsize == 0
    assert redact("see https://u:p@h/") == "see https://***@h/"
