"""`salesbot grading backtest` on a constructed history, and its plain answer when there is none."""

from __future__ import annotations

import numpy as np

from bot.cli import main
from flows.grading_backtest import Backtest, run
from storage.models import Customer, Order
from tests.flows.grading_helpers import D


async def test_backtest_on_a_constructed_history_prints_error_figures(rt):
    rng = np.random.default_rng(5)
    now = rt.clock.now()
    async with rt.db.session() as s:
        for k in range(120):
            c = Customer(name=f"c{k}", normalized_name=f"c{k}", created_at=now - 900 * D)
            s.add(c)
            await s.flush()
            gap = float(rng.choice([30, 60, 120, 400]))
            t = float(rng.uniform(0, 60))
            while t < 720:
                s.add(Order(customer_id=c.id, amount=int(rng.gamma(4, 5000)), ordered_at=now - (720 - t) * D))
                t += rng.exponential(gap)
    async with rt.db.session() as s:
        result = await run(s, rt.settings.grading, now)
    assert isinstance(result, Backtest) and result.model == "BG/NBD + Gamma-Gamma" and result.customers >= 100
    assert abs(result.predicted_orders - result.actual_orders) / result.actual_orders < 0.35
    lines = result.lines()
    assert lines[1].startswith("订单数：预测") and "总量误差" in lines[2]
    assert lines[3].startswith("对照（只用趋势模型）")


async def test_backtest_without_orders_says_so(rt):
    async with rt.db.session() as s:
        assert "先导入订单" in await run(s, rt.settings.grading, rt.clock.now())


def test_backtest_command_without_orders_says_what_to_do(capsys, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/cli.db"\n', encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert main(["--config", str(config), "grading", "backtest"]) == 3
    assert "先导入订单" in capsys.readouterr().out
