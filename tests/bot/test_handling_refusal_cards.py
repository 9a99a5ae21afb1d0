"""Refusals are the permission card naming who may; a button pointing at nothing says so instead."""

from __future__ import annotations

from bench import harness, security_matrix
from bot.core.actions import ApproveGrade, DecideRedemption, DecideSubmission, LogLeadFollowUp, LoseLead, PickFollowUp


async def test_another_teams_manager_is_refused_our_proposals_submissions_and_redemptions():
    async with harness.served() as (rt, client):
        rt.sender.rate_clock = rt.clock
        sc = await security_matrix.scene(client, rt)
        o, other = sc.objs, sc.people["other_manager"]
        for action in (ApproveGrade(o.proposals[0]), DecideSubmission(o.submission, True),
                       DecideRedemption(o.redemption, False)):
            assert security_matrix.refused(await security_matrix.click(client, rt, other, action.pack()))
        ok = await security_matrix.click(client, rt, sc.people["manager"], ApproveGrade(o.proposals[0]).pack())
        assert not security_matrix.refused(ok) and "分级复核" in ok[0]["title"]


async def test_a_button_pointing_at_a_missing_record_is_not_found_not_a_refusal():
    async with harness.served() as (rt, client):
        rt.sender.rate_clock = rt.clock
        sc = await security_matrix.scene(client, rt)
        owner = sc.people["owner"]
        for action, title in ((LoseLead(999, "没有需求"), "没找到这条线索"), (LogLeadFollowUp(999), "没找到这条记录"),
                              (PickFollowUp(sc.objs.drafts[owner], "customer:999"), "没找到这条记录")):
            cards = await security_matrix.click(client, rt, owner, action.pack())
            assert [c["title"] for c in cards] == [title]
