"""bench.route's target lines: each issue-20 target with its figure, its ratio to the target (≥ 1 is met) and
MET or MISS; a line starting "  --" is a figure a quick run does not judge. Exit code 1 when a line says MISS."""

from __future__ import annotations

import statistics

from bench.route_drain import CAP

TARGET_REPS, TARGET_SECONDS = 10_000, 10.0  # the whole must_do job for 10k reps ≤ 10 s (bench.route_mustdo)


def verdict(name: str, figure: str, ratio: float, ok: bool) -> str:
    """One target line: figure, ratio to the target, met or not."""
    return f"  {'MET ' if ok else 'MISS'}  {name:<58} {figure:<34} ratio {ratio:.2f}"


def median(rounds: list[dict], label: str, key: str) -> float:
    """Median over the rounds that ran `label`."""
    return statistics.median(r[label][key] for r in rounds if label in r)


def paired_ratio(rounds: list[dict], label: str, base: str) -> float:
    """Median over rounds of the paired rps ratio label / base."""
    return statistics.median(r[label]["rps"] / r[base]["rps"] for r in rounds if label in r and base in r)


def acks(rounds: list[dict], bare: str, labels: tuple[str, str]) -> list[str]:
    """Acks ≥ 0.5× bare for @bot and chatter, and chatter CPU ≤ 0.2 ms."""
    out = []
    for label in labels:
        r = paired_ratio(rounds, label, bare)
        cpu_ratio = median(rounds, bare, "cpu_ms") / median(rounds, label, "cpu_ms")
        out.append(verdict(f"ack rate ≥ 0.5× bare: {label}", f"{median(rounds, label, 'rps'):,.0f} req/s "
                           f"(CPU ratio {cpu_ratio:.2f})", r / 0.5, r >= 0.5))
    if median(rounds, bare, "client") > 0.85:
        out.append("  NOTE  the load generator was busy ≥ 85 % of its core during bare: bare is under-measured and "
                   "the rps ratios flatter salesbot; the CPU ratio (bare CPU ÷ route CPU per request, handling "
                   "included) is the stricter figure")
    cpu = median(rounds, labels[1], "cpu_ms")
    out.append(verdict("chatter ≤ 0.2 ms CPU each", f"{cpu:.3f} ms", 0.2 / cpu, cpu <= 0.2))
    return out


def overload(ov: dict) -> list[str]:
    """Ack p99 under 2× overload, and nothing acknowledged lost."""
    lost = max(ov["acked"] - ov["handled"], 0)
    return [verdict("ack p99 ≤ 100 ms at 2× max handled rate", f"{ov['p99']:.1f} ms",
                    100 / max(ov["p99"], 1e-9), ov["p99"] <= 100),
            verdict("nothing acknowledged lost under overload", f"{lost:.0f} lost of {ov['acked']:,}",
                    1.0 if not lost else 0.0, not lost)]


def handled(rates: dict[str, dict], peer_rps: float) -> list[str]:
    """Max handled 新建商机 ≥ 2× the peer's do-nothing rate, per database."""
    return [verdict(f"max handled 新建商机 ≥ 2× peer's do-nothing rate ({db})",
                    f"{r['rate']:.0f}/s vs peer {peer_rps:.0f}/s", r["rate"] / (2 * peer_rps),
                    r["rate"] >= 2 * peer_rps) for db, r in rates.items()]


def floor(floors: dict[str, dict], ack_ms: float, peer_rps: float) -> list[str]:
    """What the handled rate could reach at best: an ack (chatter's, which stores the event and nothing more) plus
    the floor of handling, on one core; beside the CPU per event that 2× the peer leaves."""
    budget = 1e6 / (2 * peer_rps)
    out = []
    for db, f in floors.items():
        per_event = 1000 * ack_ms + f["db_us"] + f["render_us"]
        out.append(f"  NOTE  floor ({db}): ack {1000 * ack_ms:.0f} + statements {f['db_us']:.0f} + render "
                   f"{f['render_us']:.0f} = {per_event:.0f} µs CPU per event → at most {1e6 / per_event:,.0f}/s = "
                   f"{1e6 / per_event / peer_rps:.2f}× the peer; 2× leaves {budget:.0f} µs")
    return out


def backlog(drains: dict[str, dict]) -> list[str]:
    """Replies delivered at ≥ 0.95× Feishu's per-app cap while a backlog exists, every reply once."""
    out = []
    for db, d in drains.items():
        ratio = d["rate"] / CAP
        missing = d["queued"] - d["delivered"]
        figure = f"{d['rate']:.2f}/s = {ratio:.3f}× {CAP}/s (busiest 1 s: {d['busiest']})"
        out.append(verdict(f"replies with a backlog ≥ 0.95× Feishu's {CAP}/s per app ({db})", figure,
                           ratio / 0.95, ratio >= 0.95 and not missing))
        if missing or d["doubles"] or d["busiest"] > CAP:
            out.append(f"  NOTE  {db} backlog: {missing} of {d['queued']:,} never arrived, {d['doubles']} sent twice, "
                       f"busiest second {d['busiest']} (the cap is {CAP})")
    return out


def mustdo(runs: dict[str, dict]) -> list[str]:
    """The whole must_do job ≤ 10 s for 10k reps, per database; a smaller org is shown, not judged."""
    out = []
    for db, r in runs.items():
        name = f"whole must_do job for {TARGET_REPS // 1000}k reps ≤ {TARGET_SECONDS:g} s ({db})"
        if r.get("error"):
            out.append(verdict(name, f"failed: {r['error'][:60]}", 0.0, False))
        elif r["reps"] < TARGET_REPS:
            out.append(f"  --    {name:<58} {r['seconds']:.2f} s for {r['reps']:,} reps: --quick, judged only at "
                       f"{TARGET_REPS:,}")
        else:
            out.append(verdict(name, f"{r['seconds']:.2f} s, {r['queued']:,} cards queued",
                               TARGET_SECONDS / max(r["seconds"], 1e-9), r["seconds"] <= TARGET_SECONDS))
    return out


def start(start_s: float, rss: float, peer: tuple[float, float, float] | None = None) -> list[str]:
    """Start time and idle RSS (read in MiB; the target is in MB, 10^6 bytes), the peer's beside them."""
    mb = rss * 1.048576
    out = [verdict("serve → /healthz ≤ 0.8 s", f"{start_s:.2f} s", 0.8 / start_s, start_s <= 0.8),
           verdict("idle RSS ≤ 90 MB", f"{mb:.0f} MB ({rss:.0f} MiB)", 90 / mb, mb <= 90)]
    if peer is not None:  # the targets are absolute; the peer on the same box, same minute, says how fast it was
        out.append(f"  NOTE  the nonebot2 peer in the same run: start {peer[0]:.2f} s (salesbot "
                   f"{start_s / peer[0]:.2f}× it), idle RSS {peer[2] * 1.048576:.0f} MB ({rss / peer[2]:.2f}× it)")
    return out
