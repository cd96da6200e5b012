"""Go's float formatting, which PromQL messages and alert templates print."""

from __future__ import annotations

import math


def go_float(v: float) -> str:
    """Go's ``%v`` of a float64 (``strconv.FormatFloat(v, 'g', -1, 64)``)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    r = repr(v)
    mant, _, exp_s = r.partition("e")
    if "." in mant:
        int_part, frac = mant.replace("-", "").split(".")
    else:
        int_part, frac = mant.replace("-", ""), ""
    exp = int(exp_s) if exp_s else 0
    # decimal exponent of the first significant digit
    stripped = (int_part + frac).lstrip("0")
    lead_zeros = len(int_part + frac) - len(stripped)
    e10 = len(int_part) - 1 - lead_zeros + exp
    sig = stripped.rstrip("0") or "0"
    sign = "-" if v < 0 else ""
    if e10 < -4 or e10 >= 6:
        m = sig[0] + ("." + sig[1:] if len(sig) > 1 else "")
        return f"{sign}{m}e{'+' if e10 >= 0 else '-'}{abs(e10):02d}"
    if e10 >= len(sig) - 1:
        return sign + sig + "0" * (e10 - len(sig) + 1)
    if e10 >= 0:
        return sign + sig[: e10 + 1] + "." + sig[e10 + 1 :]
    return sign + "0." + "0" * (-e10 - 1) + sig


def go_float_e(v: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'E', -1, 64)`` (``1.5E-01``), as promtool prints values."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    mant, _, exp = f"{v:.17e}".partition("e")
    # shortest digits that round-trip
    for digits in range(1, 18):
        cand = f"{v:.{digits - 1}e}"
        if float(cand) == v:
            mant, _, exp = cand.partition("e")
            break
    e = int(exp)
    return f"{mant.upper()}E{'+' if e >= 0 else '-'}{abs(e):02d}"


def go_time_duration(ms: int) -> str:
    """A duration as Go's ``time.Duration`` prints one: ``1h1m0s``, ``1m0s``, ``1.5s``, ``500ms``.

    promtool writes the time of a failed rule evaluation so (not as ``model.Duration``).
    """
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    if ms < 1000:
        return f"{sign}{ms}ms"
    secs, frac = divmod(ms, 1000)
    fraction = f".{frac:03d}".rstrip("0") if frac else ""
    mins, secs = divmod(secs, 60)
    hours, mins = divmod(mins, 60)
    head = f"{hours}h{mins}m" if hours else (f"{mins}m" if mins else "")
    return f"{sign}{head}{secs}{fraction}s"


def go_duration(ms: int) -> str:
    """A duration as Prometheus prints one (``model.Duration``): ``1h30m``, ``5m``, ``0s``.

    Years and weeks only when they divide the duration exactly (``2w``, but ``8d``, not
    ``1w1d``), as Prometheus does.
    """
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    for unit, size in (("y", 31_536_000_000), ("w", 604_800_000)):
        if ms % size == 0:
            return f"{sign}{ms // size}{unit}"
    out = []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if ms >= size:
            out.append(f"{ms // size}{unit}")
            ms %= size
    return sign + "".join(out)
