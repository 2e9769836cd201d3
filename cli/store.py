"""``python -m analysis store migrate --from LOCATION --to LOCATION`` (issue 17).

Copies the whole store — dataset versions, scenarios and their steps, accounts,
sessions, the audit log, briefing sequences — from a data folder into an empty
PostgreSQL database, or back (:mod:`geo.store_migrate`), then prints the rows of
each table and version in the source and in the target.  A location is a data
folder (``var``) or a ``postgresql://user@host:port/database`` URL.

Exit 0 copied and counted; 1 refused (a target that is not empty, a database that
cannot be reached, counts that differ), with a Chinese message; 2 usage error.

>>> lines = count_lines([Count("scenarios", 3, 3), Count("当前数据版本", "v0002", "v0002")])
>>> print("\\n".join(lines))
表 / 数据版本     源   目标
-------------  -----  -----
scenarios          3      3
当前数据版本   v0002  v0002
"""
from __future__ import annotations

import sys

from cli.common import EXIT_INVALID, EXIT_OK, Parser
from cli.tables import table_lines
from geo.db import shown
from geo.store import StoreError
from geo.store_migrate import Count, MigrationWritten, migrate

LOCATION_HELP = "数据文件夹（如 var）或 postgresql://用户@主机:端口/数据库"


def register_store(sub) -> None:
    """Add ``store`` to the subparsers ``sub`` of :func:`cli.main.build_parser`."""
    p = sub.add_parser("store", help="数据仓库：在数据文件夹与 PostgreSQL 之间迁移")
    ops = p.add_subparsers(dest="store_command", parser_class=Parser, metavar="操作")
    ops.required = True
    q = ops.add_parser("migrate", help="把整个数据仓库（数据版本、方案、账号、会话、审计日志、"
                                       "汇报序列）复制到空的目标，并核对行数")
    q.add_argument("--from", dest="source", required=True, metavar="来源", help=LOCATION_HELP)
    q.add_argument("--to", dest="target", required=True, metavar="目标",
                   help=f"{LOCATION_HELP}；必须是空的")
    q.set_defaults(func=cmd_store_migrate)


def cmd_store_migrate(args) -> int:
    try:
        counts = migrate(args.source, args.target)
    except MigrationWritten as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        print("目标未被改动。", file=sys.stderr)
        return EXIT_INVALID
    print(f"已从 {shown(args.source)} 迁移到 {shown(args.target)}，行数核对一致：")
    print("\n".join(count_lines(counts)))
    return EXIT_OK


def count_lines(counts: list[Count]) -> list[str]:
    """The check as a text table: each table or version, its rows in source and target."""
    return table_lines(["表 / 数据版本", "源", "目标"],
                       [[c.name, str(c.source), str(c.target)] for c in counts], right_from=1)
