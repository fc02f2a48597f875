"""Registries the core offers so that each stage app can plug in without the core naming it.

Each app fills them from a module of its own (``demo.py``), discovered when Django starts, the way
the admin discovers ``admin.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class Registry:
    """An ordered set of named callables."""

    kind: str
    entries: dict[str, tuple[int, Callable]] = field(default_factory=dict)

    def register(self, name: str, *, order: int = 100) -> Callable[[Callable], Callable]:
        def decorator(function: Callable) -> Callable:
            if name in self.entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice.")
            self.entries[name] = (order, function)
            return function

        return decorator

    def items(self) -> list[tuple[str, Callable]]:
        ranked = sorted(self.entries.items(), key=lambda item: (item[1][0], item[0]))
        return [(name, function) for name, (_order, function) in ranked]


demo_data = Registry("demo data")


def autodiscover() -> None:
    autodiscover_modules("demo")
