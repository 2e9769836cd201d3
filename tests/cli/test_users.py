"""``python -m analysis users …`` and ``audit`` (SPEC §5, §7).

Each test has its own settings file (``DASHBOARD_CONFIG``) whose data folder
is a temporary one and whose demo is the bundled Sanming dataset (11
counties, 350404 三元区 … 350481 永安市); the data store is empty, so
``--area`` is checked against the demo.  Passwords come on standard input.
"""
import getpass
import io
import json
import subprocess
import sys

import pytest

from cli.main import main
from geo.accounts import AccountStore, LoginError
from geo.audit import AuditLog
from tests.conftest import DEMO, ROOT
from tests.geo.test_accounts import QUICK

ME = f"命令行:{getpass.getuser()}"


def write_config(tmp_path, min_password_length=8):
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\nfolder = "{tmp_path / "var"}"\ndemo = "{DEMO}"\n'
                      f'[auth]\nmin_password_length = {min_password_length}\n', encoding="utf-8")
    return config


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CONFIG", str(write_config(tmp_path)))
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    return tmp_path / "var"


@pytest.fixture
def run(capsys, monkeypatch):
    """``run(*argv, stdin="…")`` → (exit code, stdout, stderr)."""
    def call(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return call


def run_exit(run, *argv, stdin=""):
    """For argparse's usage errors, which leave through SystemExit."""
    with pytest.raises(SystemExit) as exited:
        run(*argv, stdin=stdin)
    return exited.value.code


def accounts(folder):
    return AccountStore(folder, hasher=QUICK)


def test_add_reads_the_password_from_stdin(run, folder):
    code, out, err = run("users", "add", "zhang", "--area", "350481", "--password-stdin",
                         stdin="  geheim mit Leerzeichen \nsecond line\n")
    assert (code, err) == (0, "")
    assert out == "已添加账号 zhang（查看，350481）\n"
    store = accounts(folder)
    assert store.verify("zhang", "  geheim mit Leerzeichen ").area == "350481"
    with pytest.raises(LoginError):
        store.verify("zhang", "geheim mit Leerzeichen")


def test_a_windows_line_break_is_not_part_of_the_password(run, folder):
    assert run("users", "add", "li", "--role", "admin", "--password-stdin",
               stdin="password-1\r\n")[0] == 0
    assert accounts(folder).verify("li", "password-1").role == "admin"


def test_changes_are_audited_as_the_command_line(run, folder):
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    run("users", "add", "zhang", "--area", "350481", "--password-stdin", stdin="password-2\n")
    run("users", "passwd", "zhang", "--password-stdin", stdin="password-3\n")
    run("users", "update", "zhang", "--role", "planner", "--whole")
    run("users", "remove", "zhang")
    rows = [(e.account, e.action, e.object, e.result, e.client)
            for e in reversed(AuditLog(folder).entries())]
    assert rows == [(ME, "account_add", "li（管理员，全部）", "成功", "本机"),
                    (ME, "account_add", "zhang（查看，350481）", "成功", "本机"),
                    (ME, "account_passwd", "zhang", "成功", "本机"),
                    (ME, "account_update", "zhang（规划，全部）", "成功", "本机"),
                    (ME, "account_remove", "zhang", "成功", "本机")]
    for secret in ("password-1", "password-2", "password-3", "$argon2"):
        assert secret not in json.dumps([e.as_dict() for e in AuditLog(folder).entries()])


def test_the_password_option_is_required_and_never_an_argument(run, folder):
    code, out, err = run("users", "add", "zhang", stdin="password-1\n")
    assert code == 2 and "用法错误：密码只能从标准输入读取，请加 --password-stdin" in err
    assert run_exit(run, "users", "add", "zhang", "--password", "password-1") == 2
    assert run_exit(run, "users", "add", "zhang", "password-1", "--password-stdin") == 2
    code, out, err = run("users", "passwd", "zhang")
    assert code == 2 and "--password-stdin" in err
    assert accounts(folder).count() == 0


@pytest.mark.parametrize("stdin, message", [
    ("", "错误：标准输入中没有密码"),
    ("\n", "错误：密码不能为空"),
    ("short\n", "错误：密码至少 8 个字符（现为 5 个）"),
])
def test_a_bad_password_exits_1(run, folder, stdin, message):
    code, out, err = run("users", "add", "zhang", "--password-stdin", stdin=stdin)
    assert (code, out) == (1, "") and err.startswith(message)
    assert accounts(folder).count() == 0


def test_the_minimum_follows_the_settings(run, folder, tmp_path):
    write_config(tmp_path, min_password_length=12)  # [auth] min_password_length
    code, out, err = run("users", "add", "zhang", "--password-stdin", stdin="x" * 11 + "\n")
    assert code == 1 and "密码至少 12 个字符（现为 11 个）" in err
    assert run("users", "add", "zhang", "--password-stdin", stdin="x" * 12 + "\n")[0] == 0


def test_refusals_exit_1_in_chinese(run, folder):
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    code, _, err = run("users", "add", "Li", "--password-stdin", stdin="password-2\n")
    assert (code, err) == (1, "错误：用户名 li 已被使用\n")
    code, _, err = run("users", "add", "wang li", "--password-stdin", stdin="password-2\n")
    assert code == 1 and err.startswith("错误：用户名 'wang li' 含有不允许的字符")
    code, _, err = run("users", "remove", "li")
    assert (code, err) == (1, "错误：不能删除最后一个管理员账号\n")
    code, _, err = run("users", "update", "li", "--role", "viewer")
    assert code == 1 and "不能删除最后一个管理员账号" in err
    code, _, err = run("users", "remove", "wang")
    assert (code, err) == (1, "错误：没有名为 'wang' 的账号\n")
    code, _, err = run("users", "passwd", "wang", "--password-stdin", stdin="password-2\n")
    assert (code, err) == (1, "错误：没有名为 'wang' 的账号\n")
    assert [a.name for a in accounts(folder).list()] == ["li"]


def test_an_unknown_role_is_a_usage_error(run, folder):
    assert run_exit(run, "users", "add", "zhang", "--role", "boss", "--password-stdin") == 2
    assert accounts(folder).count() == 0


def test_the_area_must_be_a_code_of_the_dataset(run, folder):
    code, out, err = run("users", "add", "zhang", "--area", "350499", "--password-stdin",
                         stdin="password-1\n")
    assert code == 1
    assert err.startswith("错误：--area '350499' 不是数据集 sanming.gpkg 中的县（市、区）"
                          "或乡镇（街道）代码；县（市、区）代码有：350404 三元区、350405 沙县区、")
    assert err.rstrip().endswith("350428 将乐县 等 11 个")
    assert accounts(folder).count() == 0
    for code in ("350481", "350404001"):  # a county and a township of the demo
        assert run("users", "add", f"u{code}", "--area", code, "--password-stdin",
                   stdin="password-1\n")[0] == 0
    assert [a.area for a in accounts(folder).list()] == ["350481", "350404001"]


def test_update(run, folder):
    run("users", "add", "zhang", "--password-stdin", stdin="password-1\n")
    code, out, _ = run("users", "update", "zhang", "--role", "reviewer", "--area", "350481")
    assert (code, out) == (0, "账号已修改为 zhang（审核，350481）\n")
    code, out, _ = run("users", "update", "zhang", "--whole")
    assert (code, out) == (0, "账号已修改为 zhang（审核，全部）\n")
    assert run("users", "update", "zhang", "--area", "999")[0] == 1
    assert run("users", "update", "zhang")[0] == 2
    assert run_exit(run, "users", "update", "zhang", "--area", "350481", "--whole") == 2
    assert accounts(folder).get("zhang").area is None


def test_list(run, folder):
    code, out, _ = run("users", "list")
    assert code == 0 and out.startswith("（还没有账号）")
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    run("users", "add", "zhang", "--area", "350481", "--password-stdin", stdin="password-2\n")
    store = accounts(folder)
    for _ in range(5):
        with pytest.raises(LoginError):
            store.verify("zhang", "wrong password")
    until = store.get("zhang").locked_until
    code, out, _ = run("users", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["用户名", "角色", "范围", "状态", "创建时间"]
    assert lines[2].split()[:4] == ["li", "管理员", "admin", "全部"] and "正常" in lines[2]
    assert lines[3].split()[:5] == ["zhang", "查看", "viewer", "350481", "锁定至"]
    assert f"锁定至 {until[11:16]}" in lines[3]
    created = store.get("li").created
    assert lines[2].endswith(f"{created[:10]} {created[11:16]}")


def test_remove(run, folder):
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    run("users", "add", "zhang", "--password-stdin", stdin="password-2\n")
    assert run("users", "remove", "zhang") == (0, "已删除账号 zhang\n", "")
    assert [a.name for a in accounts(folder).list()] == ["li"]


def test_audit_table_and_json(run, folder):
    code, out, _ = run("audit")
    assert (code, out) == (0, "（没有符合条件的审计记录）\n")
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    with pytest.raises(LoginError):
        accounts(folder).verify("li", "wrong password", client="10.0.0.5")
    code, out, _ = run("audit")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["时间", "账号", "操作", "对象", "结果", "客户端地址"]
    assert lines[2].split()[2:] == ["li", "登录", "—", "密码错误", "10.0.0.5"]  # newest first
    assert lines[3].split()[2:] == [ME, "添加账号", "li（管理员，全部）", "成功", "本机"]
    code, out, _ = run("audit", "--json")
    items = json.loads(out)
    assert [i["action"] for i in items] == ["login", "account_add"]
    assert set(items[0]) == {"time", "account", "action", "action_name", "object", "result",
                             "client"}
    assert items[1]["action_name"] == "添加账号" and items[1]["account"] == ME
    assert "password-1" not in out and "argon2" not in out


def test_audit_filters(run, folder):
    run("users", "add", "li", "--role", "admin", "--password-stdin", stdin="password-1\n")
    accounts(folder).verify("li", "password-1")
    today = AuditLog(folder).entries()[0].time[:10]
    assert len(json.loads(run("audit", "--json", "--since", today)[1])) == 2
    assert json.loads(run("audit", "--json", "--since", "2999-01-01")[1]) == []
    assert json.loads(run("audit", "--json", "--until", "2000-01-01")[1]) == []
    items = json.loads(run("audit", "--json", "--action", "login")[1])
    assert [(i["account"], i["action"]) for i in items] == [("li", "login")]
    assert [i["action"] for i in json.loads(run("audit", "--json", "--account", ME)[1])] \
        == ["account_add"]


@pytest.mark.parametrize("argv, message", [
    (("--since", "2026-13-01"), "错误：日期 '2026-13-01' 无效：应为 YYYY-MM-DD"),
    (("--since", "yesterday"), "错误：日期 'yesterday' 无效"),
    (("--action", "hack"), "错误：未知审计操作 'hack'，可选：login"),
])
def test_audit_refusals(run, folder, argv, message):
    code, out, err = run("audit", *argv)
    assert (code, out) == (1, "") and err.startswith(message)


def test_broken_settings_exit_1(run, tmp_path, monkeypatch):
    config = tmp_path / "broken.toml"
    config.write_text("[data\nfolder = ", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    for argv in (("users", "list"), ("audit",)):
        code, out, err = run(*argv)
        assert code == 1 and "配置文件" in err and "无法解析" in err


def test_a_missing_subcommand_is_a_usage_error(run, folder):
    assert run_exit(run, "users") == 2


def test_python_m_analysis_end_to_end(folder):
    """The real entry point, the password piped in, the account usable afterwards."""
    done = subprocess.run([sys.executable, "-m", "analysis", "users", "add", "张三", "--role",
                           "planner", "--password-stdin"], input="pipe password 9\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "已添加账号 张三（规划，全部）\n", "")
    assert accounts(folder).verify("张三", "pipe password 9").role == "planner"
