"""GB 32100-2015 check characters."""

from __future__ import annotations

import pytest

from qinglang.cases import creditcode
from tests.cases.conftest import SAMPLE_CREDIT_CODE


def test_the_standards_sample_code_is_valid() -> None:
    assert creditcode.is_valid(SAMPLE_CREDIT_CODE)
    assert creditcode.is_valid(SAMPLE_CREDIT_CODE.lower())  # people type lower case


def test_check_character_worked_by_hand() -> None:
    # Digits are their value, M=21 and Y=30 in the standard's 31-character alphabet. With weights
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 the first 17 characters sum to
    # 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
    assert creditcode.check_character(SAMPLE_CREDIT_CODE[:17]) == "3"


@pytest.mark.parametrize("position", range(17))
def test_any_single_changed_character_is_caught(position: int) -> None:
    chars = list(SAMPLE_CREDIT_CODE)
    chars[position] = "1" if chars[position] != "1" else "2"
    assert creditcode.problem("".join(chars)) == "统一社会信用代码校验位不正确，请核对后重新输入。"


@pytest.mark.parametrize(
    ("code", "message"),
    [("91350100M000100Y4", "应为18位"), ("91350100M000100YO3", "不允许的字符：O"), ("", "当前为0位")],
)
def test_clear_chinese_errors(code: str, message: str) -> None:
    assert message in (creditcode.problem(code) or "")
