"""Believable synthetic Chinese names for places, people and organisations.

Names are two characters drawn from lists of common place-name characters
plus a suffix; a :class:`NamePool` never hands out the same name twice.

>>> import numpy as np
>>> pool = NamePool(np.random.default_rng(0))
>>> name = pool.take(VILLAGE_FIRST, VILLAGE_SECOND, "村")
>>> len(name), name.endswith("村"), name in pool.used
(3, True, True)
"""
from __future__ import annotations

import numpy as np

VILLAGE_FIRST = tuple(dict.fromkeys(
    "洪燕贡莘坂龙凤桂黄梅桃杨柳竹松枫茶莲荷兰金银玉石云霞赤青白丰安福吉和长太新上下中大小"
    "东西南北高罗曹吴陈林徐官岩湖洋坪岭峰碧翠清泉沙田瑞宝万德仁光华兴盖际贵富荆湾塔洲黎"
    "渔鳌蛟鹤鹰狮虎马牛溪源宁胡夏余廖邓魏蒋肖谢郑池温邱赖叶"))
VILLAGE_SECOND = tuple(dict.fromkeys(
    "田口坑洋坪坊溪源头山岭厝垄坂湖塘桥墩埔圳林墘岩峰湾洲畲地里庄寨坝坳岗后前背尾兜岚"
    "坵峡际甲排垅埕"))
URBAN_SECOND = tuple(dict.fromkeys("江城华兴新安园苑桥岗峰台福和民德泰康丰荣盛源光明秀翠欣悦都滨"))
SURNAMES = tuple(dict.fromkeys(
    "陈林黄张吴王李刘郑杨罗邱赖肖余魏廖邓曾池叶饶雷谢徐朱郭何严卢范江蔡傅钟温詹邹游危"))
GIVEN = tuple(dict.fromkeys(
    "丽芳秀英华明强军伟勇建国平志春霞燕玲红斌辉鹏杰涛敏静婷雪兰梅海文武峰俊坤荣福贵金"
    "清水生德昌盛凤琴艳娟萍丹宏新永发成光龙云飞宇"))
CHINESE_NUMERALS = "一二三四五六七八九十"


class NamePool:
    """Draws names that have not been handed out yet from this pool."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set()

    def take(self, first: tuple[str, ...], second: tuple[str, ...], suffix: str) -> str:
        """A new ``first + second + suffix`` name (two different characters)."""
        for _ in range(10_000):
            a, b = self.rng.choice(first), self.rng.choice(second)
            name = f"{a}{b}{suffix}"
            if a != b and name not in self.used:
                self.used.add(name)
                return name
        raise ValueError(f"name pool exhausted for suffix {suffix!r}")


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` personal names (surname plus one or two given characters).

    >>> [len(x) in (2, 3) for x in person_names(np.random.default_rng(1), 3)]
    [True, True, True]
    """
    surnames = rng.choice(SURNAMES, n)
    first = rng.choice(GIVEN, n)
    second = rng.choice(GIVEN, n)
    two = rng.random(n) < 0.6
    return [f"{s}{a}{b}" if t else f"{s}{a}" for s, a, b, t in zip(surnames, first, second, two)]


def ordinal(k: int) -> str:
    """Chinese numeral for 1–99, e.g. ``ordinal(12) == '十二'``.

    >>> ordinal(3), ordinal(10), ordinal(12), ordinal(20)
    ('三', '十', '十二', '二十')
    """
    if k <= 10:
        return CHINESE_NUMERALS[k - 1]
    tens, ones = divmod(k, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def stem(name: str) -> str:
    """A place name without its administrative suffix (村, 社区, 镇, 乡, 街道).

    >>> stem("洪田村"), stem("燕江社区"), stem("燕东街道")
    ('洪田', '燕江', '燕东')
    """
    for suffix in ("社区", "街道", "村", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
