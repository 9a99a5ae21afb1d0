"""Render cost of never losing content: every catalog card on every carrier, and the share of the facts check.

Run: .venv/bin/python -m bench.render_fidelity [ROUNDS]. Prints per-card render time per carrier and how much
of it is the facts check (cards/facts.missing) the renderers run to decide on a full-view link.
"""

from __future__ import annotations

import sys
import time

from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.platforms.registry import Renderers
from cards.facts import missing
from tests.cards.catalog import catalog

CARRIERS = {"wecom.app": ChatRef("wecom", "dm:lina", False, {}),
            "wecom.webhook": ChatRef("wecom", "webhook:east", True, {}),
            "dingtalk.group": ChatRef("dingtalk", "group:c1", True, {}),
            "feishu.group": ChatRef("feishu", "oc_1", True, {}),
            "playground.push": ChatRef("playground", "group:1", True, {})}


def main(rounds: int = 20) -> None:
    """Print µs per card for each carrier and the facts check's share."""
    settings = load_settings(env={"SALESBOT__SERVER__SECRET_KEY": "k" * 32})
    renderers = Renderers(settings, ManualClock())
    cards = catalog()
    for name, chat in CARRIERS.items():
        start = time.perf_counter()
        payloads = [renderers.render(chat, card, "", {}) for _ in range(rounds) for _, card in cards]
        render_us = (time.perf_counter() - start) / len(payloads) * 1e6
        start = time.perf_counter()
        for _ in range(rounds):
            for (_, card), payload in zip(cards, payloads, strict=False):
                missing(card, payload)
        check_us = (time.perf_counter() - start) / (rounds * len(cards)) * 1e6
        linked = sum(bool(p.get("views")) for p in payloads[: len(cards)])
        print(f"{name:16} {render_us:8.0f} µs/card  facts check {check_us:6.0f} µs ({check_us / render_us:.0%})"
              f"  full-view link on {linked}/{len(cards)} cards")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
