"""The shapes the dashboard's figures take: computed by metrics.py, drawn and exported by the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.utils.functional import Promise

Unit = Literal["count", "percent", "days", "score"]


@dataclass(frozen=True)
class Filters:
    start: date  # first day included
    end: date  # last day included
    company_id: int | None = None


@dataclass
class Series:
    key: str  # stable slug, used in exports
    label: str | Promise
    values: list[float | int | None] = field(default_factory=list)  # one per Figure.labels entry


@dataclass
class Figure:
    key: str  # stable slug, unique within the dashboard; used in URLs and export names
    title: str | Promise
    kind: Literal["line", "bar", "stacked", "funnel", "table"]
    labels: list[str]  # x-axis / row labels (months "2026-01", companies, cohorts, stages…)
    series: list[Series]
    unit: Unit = "count"
    note: str | Promise | None = None  # e.g. how a figure is computed, or why a group is hidden
    x_label: str | Promise | None = None


@dataclass
class Kpi:
    key: str
    label: str | Promise
    value: float | int | None
    unit: Unit = "count"
    previous: float | int | None = None  # same figure for the previous period, for a delta
