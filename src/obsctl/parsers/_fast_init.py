"""``fast_init``: the name the parsers use for ``model._fast.fast_constructor``.

The one implementation of fast construction of frozen, slotted classes (dataclasses and
``model.record.Record`` subclasses) lives in ``obsctl.model._fast`` (the trace decoders'
``model.traces.make_span`` uses it too).
"""

from __future__ import annotations

from obsctl.model._fast import fast_constructor as fast_init

__all__ = ["fast_init"]
