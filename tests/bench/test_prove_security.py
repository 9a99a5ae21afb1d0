"""The security matrix's parts in make test (make prove runs all of it): a peer and another team's manager
against every action, every signature scheme's replay, signed links, and the log scan itself."""

from __future__ import annotations

from bench import prove_security, security_matrix


async def test_a_peer_and_another_teams_manager_are_refused_exactly_what_the_matrix_says():
    for role in ("peer", "other_manager"):
        row = await security_matrix.role_row(role)
        assert set(row) == set(security_matrix.EXPECT)
        wrong = {p: a for p, a in row.items() if a != (role in security_matrix.RULES[security_matrix.EXPECT[p]])}
        assert wrong == {}
    assert security_matrix.undeclared() == []


async def test_every_signature_scheme_refuses_replays_and_links_refuse_tampering():
    replays, links = await prove_security._signatures()
    assert {name.split(":")[0] for name, _ in replays} == {
        "dingtalk.robot", "dingtalk.card", "dingtalk.events", "wecom.app", "wecom.bot", "feishu", "intake.hmac"}
    assert [c for c in replays + links if c[1]] == []


def test_the_log_scan_finds_secrets_and_full_mobiles_but_not_masked_ones():
    text = '{"msg": "ok 138****5678"}\n{"msg": "call 13812345678"}\n{"msg": "key dt-client-secret"}\n'
    assert prove_security.scan_logs(text) == (3, ['{"msg": "call 13812345678"}', '{"msg": "key dt-client-secret"}'])
