"""A tiny Prometheus text exposition: counters and one latency histogram, no dependency."""

from __future__ import annotations

from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Process-local counters; gauges from the database are added at scrape time."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, tuple], float] = defaultdict(float)
        self.help: dict[str, str] = {}
        self._hist: dict[tuple, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._hist_sum: dict[tuple, float] = defaultdict(float)

    def inc(self, name: str, help_: str, value: float = 1, **labels: str) -> None:
        """Add to a counter."""
        self.help.setdefault(name, help_)
        self.counters[(name, tuple(sorted(labels.items())))] += value

    def observe(self, seconds: float, **labels: str) -> None:
        """Record one handler latency."""
        key = tuple(sorted(labels.items()))
        i = next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))
        self._hist[key][i] += 1
        self._hist_sum[key] += seconds

    def render(self, gauges: dict[str, tuple[str, dict[tuple, float]]]) -> str:
        """Return the exposition text, counters first, then gauges, then the histogram."""
        lines: list[str] = []
        by_name: dict[str, list[tuple[tuple, float]]] = defaultdict(list)
        for (name, labels), value in sorted(self.counters.items()):
            by_name[name].append((labels, value))
        for name, rows in by_name.items():
            lines += [f"# HELP {name} {self.help[name]}", f"# TYPE {name} counter"]
            lines += [f"{name}{_labels(dict(lb))} {v:g}" for lb, v in rows]
        for name, (help_, values) in gauges.items():
            lines += [f"# HELP {name} {help_}", f"# TYPE {name} gauge"]
            lines += [f"{name}{_labels(dict(lb))} {v:g}" for lb, v in values.items()]
        lines += self._render_hist()
        return "\n".join(lines) + "\n"

    def _render_hist(self) -> list[str]:
        name = "salesbot_handler_seconds"
        lines = [f"# HELP {name} Time to handle one event", f"# TYPE {name} histogram"]
        for key, counts in self._hist.items():
            base, total = dict(key), 0
            for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                total += n
                le = "+Inf" if bound == float("inf") else f"{bound:g}"
                lines.append(f"{name}_bucket{_labels({**base, 'le': le})} {total}")
            lines.append(f"{name}_sum{_labels(base)} {self._hist_sum[key]:.6f}")
            lines.append(f"{name}_count{_labels(base)} {total}")
        return lines


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="{v!s}"' for k, v in sorted(labels.items()))
    return "{" + body + "}"
