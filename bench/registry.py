"""The benchmark registry: a benchmark is a function of a `Context` returning `Result`s.

To add one, write a function in a module of bench/benchmarks/, decorate it with
`@benchmark("name")`, and list the module in bench/benchmarks/__init__.py (import order is run
order). `make bench ONLY=name` runs it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.context import Context


@dataclass
class Result:
    name: str
    db: str  # "sqlite" | "postgresql"
    value: float | None
    unit: str
    floor: float | None = None  # the same measure for the cheapest possible page, where it applies
    params: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None  # why there is no value

    @classmethod
    def skip(cls, name: str, db: str, unit: str, reason: str) -> Result:
        return cls(name, db, None, unit, skipped=reason)

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


Benchmark = Callable[["Context"], list[Result]]
REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = function
        return function

    return register
