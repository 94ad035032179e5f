"""Stage 9: risk score and alert level (蓝/黄/橙/红) with the reasons that raised it.

score = source weight x (watched entity + negativity + harm category + burst), each part capped,
so one signal alone cannot reach red: a burst of neutral news about nobody stays blue, a negative
extortion post about a watched enterprise in a burst goes red.  Every non-zero part adds a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .bursts import Burst
from .categories import CategoryHit
from .config import EngineConfig
from .entities import Mention

LEVELS = ("blue", "yellow", "orange", "red")
LEVEL_ZH = {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}
# Extortion and coordinated attacks harm at once; hype and rhetoric need a person's reading first.
_CATEGORY_WEIGHT = {"EXTORT": 0.45, "SMEAR": 0.35, "PRIVACY": 0.35, "RECRUIT": 0.3, "HYPE": 0.25,
                    "SEARCH": 0.25, "RHETORIC": 0.2}


@dataclass
class Risk:
    level: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"level": self.level, "score": round(self.score, 3), "reasons": self.reasons}


def assess(cfg: EngineConfig, mentions: list[Mention], tone: float, entity_tones: dict[str, float],
           categories: list[CategoryHit], bursts: list[Burst], source: str | None) -> Risk:
    """``entity_tones``: the tone of the text about each watched party it names; the party it
    is hardest on counts, and is named (a text that praises one and blames another is a risk
    for the other only)."""
    reasons: list[str] = []
    score = 0.0
    watched = sorted({m.name for m in mentions if m.watched})
    if watched:
        # a watched place only says where; a watched enterprise or person says who is hurt
        score += 0.25 if any(m.watched and m.type != "place" for m in mentions) else 0.1
        reasons.append(f"涉及关注对象：{'、'.join(watched)}")
    # a watched place only says where: the party hurt is an enterprise or a person when one is named
    places = {m.name for m in mentions if m.watched and m.type == "place"}
    parties = [name for name in entity_tones if name not in places] or list(entity_tones)
    target = min(parties, key=lambda name: (entity_tones[name], name)) if parties else None
    negativity = max(0.0, -(entity_tones[target] if target is not None else tone))
    if negativity > 0.2:
        score += 0.25 * min(1.0, negativity / 0.8)
        about = f"针对关注对象“{target}”的" if target is not None else ""
        reasons.append(f"{about}负面倾向 {-negativity:.2f}")
    if categories:
        score += max(_CATEGORY_WEIGHT.get(h.code.split(".")[0], 0.25) for h in categories)
        reasons += [f"{h.code}：{h.reason}" for h in categories]
    live = [b for b in bursts if b.bursting]
    if live:
        score += 0.2
        reasons += [f"突发：{b.key} 本时段 {b.count} 条，基线 {b.baseline:.1f} 条/时段" for b in live]
    weight = cfg.source_weights.get(source or "", 1.0)
    if weight != 1.0 and score:
        reasons.append(f"来源权重 {weight:g}（{source}）")
    score = min(1.0, score * weight)
    yellow, orange, red = cfg.level_thresholds
    level = "red" if score >= red else "orange" if score >= orange else "yellow" if score >= yellow else "blue"
    return Risk(level, score, reasons)
