"""``python -m analysis users …`` and ``python -m analysis audit …`` (SPEC §5, §7).

The accounts and the audit log live in the data folder of the settings
(``DASHBOARD_CONFIG`` or ``dashboard.toml``, ``[data] folder``).  A password
is read only from standard input (``--password-stdin``: one line, without
its line break), never from an argument.  Every change is written to the
audit log as done by ``命令行:<OS user>`` from ``本机``.

Exit 0 done; 1 refused (a taken name, a short password, the last
administrator, an area the dataset does not have …), with a Chinese message;
2 usage error.

>>> _status(None), _minute("2026-11-23T10:15:00+08:00")
('正常', '2026-11-23 10:15')
"""
from __future__ import annotations

import getpass
import json
import os
import sys

from cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Parser
from cli.tables import table_lines
from geo import schema as s
from geo.access import ROLE_NAMES, ROLES
from geo.accounts import AccountStore
from geo.audit import AuditLog
from geo.settings import dataset_path, load_settings
from geo.store import StoreError

CLIENT = "本机"
SHOWN_COUNTIES = 8
NO_PASSWORD_OPTION = ("用法错误：密码只能从标准输入读取，请加 --password-stdin"
                      "（在终端中运行时会提示输入密码，输入的内容不显示）")


def register_users(sub) -> None:
    """Add ``users`` and ``audit`` to the subparsers ``sub`` of :func:`cli.main.build_parser`."""
    p = sub.add_parser("users", help="管理内置账号（SPEC §7），保存在数据文件夹中")
    users = p.add_subparsers(dest="users_command", parser_class=Parser, metavar="操作")
    users.required = True
    roles = f"角色：{'、'.join(f'{r}（{ROLE_NAMES[r]}）' for r in ROLES)}"

    q = users.add_parser("add", help="添加账号（密码从标准输入读取）")
    q.add_argument("name", metavar="NAME", help="用户名")
    q.add_argument("--role", choices=ROLES, default="viewer", help=f"{roles}；默认 viewer")
    q.add_argument("--area", metavar="CODE", help="县（市、区）或乡镇（街道）代码；不填为全部")
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（必填）")
    q.set_defaults(func=cmd_users_add)

    q = users.add_parser("passwd", help="修改密码（从标准输入读取），同时解除锁定")
    q.add_argument("name", metavar="NAME", help="用户名")
    q.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（必填）")
    q.set_defaults(func=cmd_users_passwd)

    q = users.add_parser("update", help="修改账号的角色或范围")
    q.add_argument("name", metavar="NAME", help="用户名")
    q.add_argument("--role", choices=ROLES, help=roles)
    where = q.add_mutually_exclusive_group()
    where.add_argument("--area", metavar="CODE", help="县（市、区）或乡镇（街道）代码")
    where.add_argument("--whole", action="store_true", help="范围改为全部数据")
    q.set_defaults(func=cmd_users_update)

    q = users.add_parser("list", help="列出全部账号")
    q.set_defaults(func=cmd_users_list)

    q = users.add_parser("remove", help="删除账号")
    q.add_argument("name", metavar="NAME", help="用户名")
    q.set_defaults(func=cmd_users_remove)

    p = sub.add_parser("audit", help="查看审计日志（SPEC §7），最新的在前")
    p.add_argument("--json", action="store_true", help="以 JSON 列表输出")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="从这一天起（含）")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="到这一天止（含）")
    p.add_argument("--account", metavar="NAME", help="只看这个账号")
    p.add_argument("--action", metavar="ACTION", help="只看这种操作，如 login")
    p.set_defaults(func=cmd_audit)


# ---- commands ---------------------------------------------------------------
def cmd_users_add(args) -> int:
    if not args.password_stdin:
        return _usage(NO_PASSWORD_OPTION)
    return _refusing(lambda: _add(args))


def cmd_users_passwd(args) -> int:
    if not args.password_stdin:
        return _usage(NO_PASSWORD_OPTION)
    return _refusing(lambda: _passwd(args))


def cmd_users_update(args) -> int:
    if args.role is None and args.area is None and not args.whole:
        return _usage("用法错误：请给出 --role、--area 或 --whole 中的至少一项")
    return _refusing(lambda: _update(args))


def cmd_users_list(args) -> int:
    return _refusing(_list)


def cmd_users_remove(args) -> int:
    def remove():
        store, _ = _store()
        store.remove(args.name, by=operator(), client=CLIENT)
        print(f"已删除账号 {args.name}")
    return _refusing(remove)


def cmd_audit(args) -> int:
    def show():
        entries = AuditLog(load_settings().store).entries(
            since=args.since, until=args.until, account=args.account, action=args.action)
        if args.json:
            print(json.dumps([e.as_dict() for e in entries], ensure_ascii=False, indent=2))
        elif not entries:
            print("（没有符合条件的审计记录）")
        else:
            rows = [[_second(e.time), e.account, e.action_name, e.object or "—", e.result,
                     e.client or "—"] for e in entries]
            print("\n".join(table_lines(["时间", "账号", "操作", "对象", "结果", "客户端地址"],
                                        rows, right_from=6)))
    return _refusing(show)


# ---- the work ---------------------------------------------------------------
def _add(args) -> None:
    store, settings = _store()
    area = _checked_area(args.area, settings)
    info = store.add(args.name, read_password(), args.role, area, by=operator(), client=CLIENT)
    print(f"已添加账号 {info.label}")


def _passwd(args) -> None:
    store, _ = _store()
    if store.get(args.name) is None:  # before asking for a password that would be wasted
        raise StoreError(f"没有名为 {args.name!r} 的账号")
    info = store.set_password(args.name, read_password(), by=operator(), client=CLIENT)
    print(f"账号 {info.name} 的密码已修改")


def _update(args) -> None:
    store, settings = _store()
    changes = {}
    if args.role is not None:
        changes["role"] = args.role
    if args.whole:
        changes["area"] = None
    elif args.area is not None:
        changes["area"] = _checked_area(args.area, settings)
    info = store.update(args.name, **changes, by=operator(), client=CLIENT)
    print(f"账号已修改为 {info.label}")


def _list() -> None:
    store, _ = _store()
    accounts = store.list()
    if not accounts:
        print("（还没有账号）添加第一个管理员：python -m analysis users add NAME "
              "--role admin --password-stdin")
        return
    rows = [[a.name, f"{ROLE_NAMES[a.role]} {a.role}", a.area or "全部",
             _status(a.locked_until), _minute(a.created)] for a in accounts]
    print("\n".join(table_lines(["用户名", "角色", "范围", "状态", "创建时间"], rows,
                                right_from=5)))


def _store():
    """The account store of the settings' data folder, and the settings."""
    try:
        settings = load_settings()
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    return AccountStore(settings.store, min_password=settings.min_password_length), settings


def read_password(stream=None) -> str:
    """One line of standard input without its line break (asked for without echo at a
    terminal, twice); refuses an empty input.

    >>> import io
    >>> read_password(io.StringIO("geheim 123\\nnext\\n"))
    'geheim 123'
    """
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("新密码（不显示）：")
        if getpass.getpass("再输入一次：") != first:
            raise StoreError("两次输入的密码不一致")
        return first
    line = stream.readline()
    if not line:
        raise StoreError("标准输入中没有密码（--password-stdin 读取一行）")
    return line.removesuffix("\n").removesuffix("\r")


def operator() -> str:
    """``命令行:<OS user>``: who the audit log says made a change from the command line."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment nor in the password database
        user = f"uid {os.getuid()}"
    return f"命令行:{user}"


def _checked_area(code, settings) -> str | None:
    """``code`` when it is a county or township code of the dataset shown; else a refusal
    listing the first county codes."""
    if code is None:
        return None
    import pyogrio

    path, _ = dataset_path(settings)
    try:
        frame = pyogrio.read_dataframe(path, layer=s.VILLAGES, read_geometry=False,
                                       columns=[s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE])
    except Exception as exc:  # pyogrio raises its own errors for a missing file, layer, field
        raise StoreError(f"无法读取数据集 {path} 的 {s.VILLAGES} 图层来核对 --area："
                         f"{exc}") from None
    code = code.strip()
    known = set(frame[s.COUNTY_CODE].dropna().astype(str)) \
        | set(frame[s.TOWNSHIP_CODE].dropna().astype(str))
    if code in known:
        return code
    counties = (frame[[s.COUNTY_CODE, s.COUNTY]].dropna(subset=[s.COUNTY_CODE])
                .astype(str).drop_duplicates(s.COUNTY_CODE).sort_values(s.COUNTY_CODE))
    shown = "、".join(f"{c} {n}" for c, n in counties.head(SHOWN_COUNTIES).itertuples(index=False))
    more = f" 等 {len(counties)} 个" if len(counties) > SHOWN_COUNTIES else ""
    raise StoreError(f"--area {code!r} 不是数据集 {path.name} 中的县（市、区）或乡镇（街道）"
                     f"代码；县（市、区）代码有：{shown}{more}")


def _refusing(work) -> int:
    try:
        work()
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _usage(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _status(locked_until: str | None) -> str:
    return f"锁定至 {locked_until[11:16]}" if locked_until else "正常"


def _minute(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def _second(stamp: str) -> str:
    return stamp[:19].replace("T", " ")
