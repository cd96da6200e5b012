"""Alertmanager's configuration file → its routing tree (``model.alerts.Route``).

Only ``route:`` is read. A route's matchers are the AND of ``match`` (equality), ``match_re``
(anchored regex) and ``matchers`` (strings in Alertmanager's matcher syntax); ``receiver``
and ``group_by`` are inherited from the parent when a route does not set them.
"""

from __future__ import annotations

from typing import Any

from obsctl.errors import ParseError
from obsctl.model.alerts import Matcher, Route
from obsctl.parsers.matchers import parse_matchers


def _bad(where: str, problem: str) -> ParseError:
    return ParseError(f"Alertmanager config: {where}: {problem}")


def _str_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(where, "expected a mapping")
    return {str(k): str(v) for k, v in value.items()}


def _route(node: Any, where: str, parent: Route | None) -> Route:
    if not isinstance(node, dict):
        raise _bad(where, "expected a mapping")
    receiver = node.get("receiver")
    if receiver is None:
        if parent is None:
            raise _bad(where, "the root route needs a receiver")
        receiver = parent.receiver
    matchers: list[Matcher] = [
        Matcher(k, "=", v) for k, v in _str_map(node.get("match"), f"{where}.match").items()
    ]
    matchers += [
        Matcher(k, "=~", v) for k, v in _str_map(node.get("match_re"), f"{where}.match_re").items()
    ]
    raw = node.get("matchers") or []
    if not isinstance(raw, list) or not all(isinstance(m, str) for m in raw):
        raise _bad(f"{where}.matchers", "expected a list of strings")
    try:
        matchers += parse_matchers(raw)
    except ParseError as exc:
        raise _bad(f"{where}.matchers", exc.message) from None
    group_by = node.get("group_by")
    if group_by is None:
        groups = parent.group_by if parent is not None else ()
    elif isinstance(group_by, list):
        groups = tuple(str(g) for g in group_by)
    else:
        raise _bad(f"{where}.group_by", "expected a list")
    this = Route(str(receiver), tuple(matchers), bool(node.get("continue", False)), groups)
    children = node.get("routes") or []
    if not isinstance(children, list):
        raise _bad(f"{where}.routes", "expected a list")
    kids = tuple(_route(c, f"{where}.routes[{i}]", this) for i, c in enumerate(children))
    return Route(this.receiver, this.matchers, this.continue_, this.group_by, kids)


def parse_routing_tree(doc: Any) -> Route:
    """The routing tree of a parsed Alertmanager config (``yaml.safe_load`` of the file).

    Raises:
        ParseError: no ``route``, or a malformed one (exit 2).
    """
    if not isinstance(doc, dict) or "route" not in doc:
        raise ParseError("Alertmanager config: no route: section")
    return _route(doc["route"], "route", None)
