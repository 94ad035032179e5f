"""A deterministic little stream about fictional enterprises of the fictional 清溪市."""

from __future__ import annotations

import random
import time
from typing import Any

ENTERPRISES = ["星河科技", "青禾食品", "海澄物流", "云岚纺织", "鹭屿新能源"]
STORIES = [
    "网传{e}产品致癌，纯属捏造，恶意造谣，{e}已报警并保留追究法律责任的权利。",
    "有自媒体账号发布{e}负面文章后，向企业索要删帖费和公关费，否则继续发布。",
    "{e}今日发布年度报告，营业收入同比增长，新建生产线在清溪市高新区投产。",
    "清溪市召开优化营商网络环境座谈会，{e}等企业代表参加并交流经验。",
    "有网民称{e}即将倒闭跑路，经核实{e}经营正常，相关说法为不实信息。",
]
TAILS = ["", "。记者 王一鸣", "（来源：清溪日报）", "。转自网络", "，请广大网民不信谣不传谣。"]


def stream(n: int, seed: int = 7, start: float | None = None) -> list[dict[str, Any]]:
    """``n`` items 30 s apart, ending a minute ago unless ``start`` is given."""
    rng = random.Random(seed)
    start = time.time() - n * 30 - 60 if start is None else start
    rows = []
    for i in range(n):
        story = rng.choice(STORIES).format(e=rng.choice(ENTERPRISES))
        rows.append({
            "id": f"doc-{i:05d}", "text": story + rng.choice(TAILS), "author": f"账号{rng.randint(1, 40)}",
            "time": start + i * 30, "url": f"https://news.example.cn/a/{i}.html",
        })
    return rows
