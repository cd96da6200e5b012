"""Which receivers Alertmanager's routing tree gives an alert's labels.

Alertmanager's rule: the root always matches; at a matching route, its children are tried in
order and the walk stops after the first matching child unless that child has
``continue: true``; a route none of whose children matched is itself a result.
"""

from __future__ import annotations

from collections.abc import Mapping

from obsctl.model.alerts import Route, RouteMatch


def _describe(route: Route) -> str:
    return "{" + ", ".join(str(m) for m in route.matchers) + "}"


def route_alert(tree: Route, labels: Mapping[str, str]) -> tuple[RouteMatch, ...]:
    """The matching routes in tree order (what ``amtool config routes test`` prints).

    >>> from obsctl.model.alerts import Matcher
    >>> tree = Route("default", routes=(Route("pager", (Matcher("severity", "=", "page"),)),))
    >>> [m.receiver for m in route_alert(tree, {"severity": "page"})]
    ['pager']
    >>> [m.receiver for m in route_alert(tree, {"severity": "info"})]
    ['default']
    """

    def walk(route: Route, path: tuple[str, ...]) -> list[RouteMatch]:
        results: list[RouteMatch] = []
        for child in route.routes:
            if all(m.matches(labels) for m in child.matchers):
                results += walk(child, (*path, _describe(child)))
                if not child.continue_:
                    break
        if not results:
            results.append(RouteMatch(route.receiver, path, route.group_by, route.continue_))
        return results

    return tuple(walk(tree, ()))
