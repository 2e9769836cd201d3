"""What every command shares: exit codes, a Chinese argparse, loading a dataset
or printing why not.

Exit codes: 0 success, 1 invalid data or refused input, 2 usage error.
"""
from __future__ import annotations

import argparse
import sys

from geo.dataset import read_dataset
from geo.problems import Problem

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese with exit code 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{message}\n")


def positive_int(text: str) -> int:
    """``argparse`` type: an integer ≥ 1, else a Chinese usage error.

    >>> positive_int("3")
    3
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，实际为 {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应 ≥ 1，实际为 {text!r}")
    return value


def print_problems(problems: list[Problem], stream) -> None:
    for p in problems:
        print(str(p), file=stream)


def load_or_report(path: str):
    """The dataset, or ``None`` after printing every problem to stderr."""
    dataset, problems = read_dataset(path)
    if dataset is None:
        print_problems(problems, sys.stderr)
        n = sum(p.is_error for p in problems)
        print(f"数据无效：共 {n} 个错误，{len(problems) - n} 个警告。", file=sys.stderr)
    return dataset
