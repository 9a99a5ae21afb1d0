"""The personal page GET /dash/me and evidence files GET /dash/evidence/{id}: signed, escaped, safe to open."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from bot.core.links import evidence_link, me_link
from storage import media_store
from storage.models import Evidence, EvidenceMedia, Opportunity
from tests.helpers import add_member
from tests.scheduler.push_helpers import build_org


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_the_personal_page_shows_the_members_numbers_and_lines(client, rt):
    org = await build_org(rt)
    resp = await client.get(_path(me_link(rt.settings, org.rep, rt.clock.now())))
    page = await resp.text()
    assert resp.status == 200 and "李娜 的作战指令" in page
    assert "推进恒信金融出“方案演示”阶段（已超时15天）" in page and "首次联系华东医疗的新线索" in page
    assert "远航物流" in page and "已超时" in page and "<b>2</b>待跟进线索" in page


async def test_the_personal_page_refuses_edited_expired_and_unknown_links(client, rt):
    org = await build_org(rt)
    good = _path(me_link(rt.settings, org.rep, rt.clock.now()))
    edited = await client.get(good.replace(f"member={org.rep}", f"member={org.other}"))
    assert edited.status == 403 and "链接无效" in await edited.text()  # a friendly page, never another rep's data
    assert (await client.get(f"{good}&member={org.other}")).status == 403
    ghost = await client.get(_path(me_link(rt.settings, 999, rt.clock.now())))
    assert ghost.status == 403
    rt.clock.advance(timedelta(days=8))
    expired = await client.get(good)
    assert expired.status == 410 and "过期" in await expired.text()


async def test_names_are_escaped(client, rt):
    rep = await add_member(rt, "<script>x</script>")
    page = await (await client.get(_path(me_link(rt.settings, rep, rt.clock.now())))).text()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


async def _evidence(rt, tmp_path, name: str, data: bytes) -> int:
    rt.settings.storage.media_dir = str(tmp_path)
    rep = await add_member(rt, "唐宁")
    rel, digest = await media_store.save(str(tmp_path), data, name)
    now = rt.clock.now()
    async with rt.db.session() as s:
        from storage.models import Customer

        customer = Customer(name="蓝海医疗", normalized_name="蓝海医疗", owner_id=rep)
        s.add(customer)
        await s.flush()
        opp = Opportunity(customer_id=customer.id, owner_id=rep, stage="needs", stage_entered_at=now, created_at=now)
        s.add(opp)
        await s.flush()
        ev = Evidence(opportunity_id=opp.id, stage="needs", kind="会议纪要", content="文件", member_id=rep,
                      media_kind="file", media_platform="wecom", media_ref="M", media_name=name, created_at=now)
        s.add(ev)
        await s.flush()
        s.add(EvidenceMedia(evidence_id=ev.id, platform="wecom", ref="M", status="stored", path=rel, sha256=digest,
                            size=len(data)))
        return ev.id


async def test_html_and_other_files_download_instead_of_rendering(client, rt, tmp_path):
    ev = await _evidence(rt, tmp_path, "纪要.html", b"<script>alert(1)</script>")
    resp = await client.get(_path(evidence_link(rt.settings, ev, rt.clock.now())))
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''%E7%BA%AA%E8%A6%81.html")
    assert resp.headers["Content-Security-Policy"] == "sandbox"


async def test_a_stored_file_missing_on_disk_says_so(client, rt, tmp_path):
    ev = await _evidence(rt, tmp_path, "a.png", b"\x89PNG\r\n\x1a\n")
    async with rt.db.session() as s:
        await s.execute(update(EvidenceMedia).values(path="../../etc/passwd"))
    resp = await client.get(_path(evidence_link(rt.settings, ev, rt.clock.now())))
    assert resp.status == 404 and "存储目录里找不到了" in await resp.text()
    assert (await client.get(_path(evidence_link(rt.settings, 999, rt.clock.now())))).status == 404


async def test_the_store_is_content_addressed_and_rejects_foreign_paths(tmp_path):
    a = await media_store.save(str(tmp_path), b"same bytes", "x.PNG")
    b = await media_store.save(str(tmp_path), b"same bytes", "y.png")
    assert a == b and a[0].endswith(".png") and len(list(tmp_path.rglob("*"))) == 2  # one folder, one file
    assert media_store.locate(str(tmp_path), a[0]) is not None
    for bad in ("../x", "/etc/passwd", "ab/../../x", a[0] + "/.."):
        assert media_store.locate(str(tmp_path), bad) is None
    assert media_store.extension("", b"%PDF-1.7") == ".pdf" and media_store.extension("a.tar.gz?x", b"") == ""
