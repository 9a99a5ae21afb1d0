"""`salesbot sync members --platform dingtalk` and `salesbot dingtalk create-approval-form` against the fake."""

from __future__ import annotations

from bot.cli import main
from bot.platforms.dingtalk.extras.sync import sync_members
from storage.repos import members
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET
from tests.helpers import add_member


def _filler(n: int) -> list[dict]:
    return [{"userid": f"x{i}", "name": f"同事{i}"} for i in range(n)]


async def test_users_of_every_department_are_linked_by_mobile_then_name(drt, fake):
    lina, wang = await add_member(drt, "李娜"), await add_member(drt, "王强")
    await add_member(drt, "张伟")
    async with drt.db.session() as s:
        (await members.get(s, lina)).mobile = "13800001111"
    fake.departments = {
        1: {"subs": [2, 3], "users": [{"userid": "boss", "name": "老板"}]},
        2: {"subs": [4], "users": [{"userid": "LiNa01", "name": "李娜（华东）", "mobile": "+86 138-0000-1111"},
                                  *_filler(120)]},
        3: {"subs": [], "users": [{"userid": "zw1", "name": "张伟"}, {"userid": "zw2", "name": "张伟"}]},
        4: {"subs": [], "users": [{"userid": "wangq", "name": "王强"}, {"userid": "LiNa01", "name": "李娜（华东）"}]},
    }
    report = await sync_members(drt.settings, drt.db, drt.clock)
    assert (report.linked, report.unchanged) == (2, 0)
    assert set(report.unmatched) == {"boss", "zw1", "zw2", *(f"x{i}" for i in range(120))}  # two 张伟: neither
    assert [p["cursor"] for p in fake.user_pages if p["dept_id"] == 2] == [0, 100]
    async with drt.db.session() as s:
        assert (await members.by_identity(s, "dingtalk", "LiNa01")).id == lina
        assert (await members.by_identity(s, "dingtalk", "wangq")).id == wang
    again = await sync_members(drt.settings, drt.db, drt.clock)
    assert (again.linked, again.unchanged) == (0, 2)
    assert "add dingtalk_userid to the members CSV" in "\n".join(report.lines())


def _config(tmp_path, fake, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/x.db"\n[dingtalk]\nenabled = true\n'
                    f'mode = "stream"\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
                    f'api_base = "{fake.base}"\noapi_base = "{fake.base}"\n{extra}', encoding="utf-8")
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    return str(path)


def test_sync_command_prints_the_report_and_names_a_missing_permission(tmp_path, fake, capsys):
    config = _config(tmp_path, fake)
    fake.departments[1]["users"] = [{"userid": "u1", "name": "路人"}]
    assert main(["--config", config, "sync", "members", "--platform", "dingtalk"]) == 0
    assert "dingtalk: linked 0, already linked 0, unmatched 1" in capsys.readouterr().out
    fake.departments = {}  # DingTalk answers errcode 60003 for the root department
    assert main(["--config", config, "sync", "members", "--platform", "dingtalk"]) == 2
    assert "errcode 60003" in capsys.readouterr().err


def test_create_approval_form_prints_the_process_code(tmp_path, fake, capsys):
    config = _config(tmp_path, fake)
    capsys.readouterr()
    assert main(["--config", config, "dingtalk", "create-approval-form"]) == 0
    code = capsys.readouterr().out.splitlines()[0]
    [form] = fake.forms
    assert code.startswith("PROC-NEW-") and "processCode" not in form
    labels = [c["props"]["label"] for c in form["formComponents"]]
    assert labels == ["客户", "申请人", "申请进入阶段", "报价金额", "折扣", "客户预算", "申请理由", "客户档案",
                      "salesbot 单号"]
    # with a processCode configured, the same command updates that form instead of creating another
    config = _config(tmp_path, fake, f'approval_process_code = "{code}"\n')
    capsys.readouterr()
    assert main(["--config", config, "dingtalk", "create-approval-form"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == code and fake.forms[1]["processCode"] == code


def test_create_approval_form_failure_says_what_to_fix(tmp_path, fake, capsys):
    config = _config(tmp_path, fake)
    fake.fail_next("bad_token")
    fake.fail_next("bad_token")  # rejected again after the one retry with a new token
    assert main(["--config", config, "dingtalk", "create-approval-form"]) == 2
    assert "Workflow.Form.Write" in capsys.readouterr().err
