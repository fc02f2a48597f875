"""Every URL pattern of the portal, read from the URL configuration itself, so that a page added
tomorrow is walked by the security tests without anyone remembering to list it."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str
    converters: dict[str, str]  # kwarg -> converter class name ("IntConverter"...)
    callback: object

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)


def _walk(resolver, prefix: str, namespace: str | None, converters: dict):
    for entry in resolver.url_patterns:
        entry_converters = {
            **converters,
            **{k: type(v).__name__ for k, v in getattr(entry.pattern, "converters", {}).items()},
        }
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner, entry_converters)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = route
            yield Route(name, route, entry_converters, entry.callback)


def all_routes() -> list[Route]:
    """Every pattern once; a name registered twice (the login page) keeps its first route, the
    one ``reverse()`` returns."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver(), "", None, {}):
        seen.setdefault(route.name, route)
    return list(seen.values())
