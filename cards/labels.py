"""Short, distinct button labels: every button must still say which one it is after shortening."""

from __future__ import annotations

ELLIPSIS = "…"


def short_labels(labels: list[str], limit: int) -> list[str]:
    """Fit each label into `limit` characters, keeping them distinct (the differing end is kept, not cut)."""
    out = [x if len(x) <= limit else x[: limit - 1] + ELLIPSIS for x in labels]
    if len(set(out)) == len(out):
        return out
    head = _common_prefix(labels)
    fixed = []
    for full, short in zip(labels, out, strict=True):
        if out.count(short) == 1:
            fixed.append(short)
            continue
        tail = full[len(head) - 1:] if len(head) > 1 else full  # keep the part that tells them apart
        fixed.append(tail if len(tail) <= limit else ELLIPSIS + tail[-(limit - 1):])
    return _number_duplicates(fixed, limit)


def _common_prefix(labels: list[str]) -> str:
    head = labels[0] if labels else ""
    for x in labels[1:]:
        while not x.startswith(head):
            head = head[:-1]
    return head


def _number_duplicates(labels: list[str], limit: int) -> list[str]:
    """Last resort: suffix a number to labels still equal."""
    seen: dict[str, int] = {}
    out = []
    for x in labels:
        n = seen[x] = seen.get(x, 0) + 1
        out.append(x if labels.count(x) == 1 else f"{x[: limit - len(str(n))]}{n}")
    return out
