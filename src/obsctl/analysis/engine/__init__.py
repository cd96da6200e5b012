"""An embedded PromQL evaluation engine: in-memory series, Prometheus 3 semantics.

Pure: no I/O and no clock; every time is an argument (Unix milliseconds).

* :mod:`.storage` holds series (``Storage``), :mod:`.notation` reads the expanding
  ``1+2x10`` series notation of rule unit tests.
* :mod:`.plan` is the resolved form of an expression the evaluator walks, built from the
  parser's AST by :mod:`.compile`.
* :mod:`.evaluator` evaluates instant and range queries (``Engine``), with the float
  arithmetic of :mod:`.mathops` and the function table of :mod:`.functions`.
"""
