"""`salesbot benchmarks calibrate`: derive the industry benchmarks from the team's own history."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from flows.benchmarks import calibrate, load, pack_path
from sales.benchmarks import dump_pack
from storage.db import Database


async def cli_calibrate(args: argparse.Namespace, settings: Settings, db: Database, now: datetime) -> int:
    """Print what each industry's history says and write the calibrated pack to --out (else stdout)."""
    async with db.sessions() as session:
        bench, lines = await calibrate(session, load(settings), now, args.days)
    header = [f"由 salesbot benchmarks calibrate 生成（{now:%Y-%m-%d}，近 {args.days} 天）",
              f"起点：{pack_path(settings)}",
              "可以手工修改；在 [scorecard] benchmark_pack 指向本文件后生效"]
    text = dump_pack(bench, header)
    if args.out:
        Path(args.out).write_text(text, "utf-8")
        print("\n".join(lines))
        print(f"已写入 {args.out}；在 config 的 [scorecard] benchmark_pack = \"{args.out}\" 后生效")
    else:
        print(text)
    return 0
