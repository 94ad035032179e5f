"""Demo e-station content for the fictional 港湾区 (stations come from ``qinglang.org.demo``).

``load_demo()`` is idempotent: profiles are updated in place and the demo requests, which carry
fixed receipt numbers, are created once. All people and places are fictional.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from qinglang.core.workdays import deadline
from qinglang.eservice import sensing, services
from qinglang.eservice.models import Channel, ServiceRequest, StationProfile, Status, Transition
from qinglang.org.demo import load_departments

PROFILES: dict[str, dict[str, Any]] = {
    "station-shanwei": {"service_area": "山尾镇\n山尾街\n渔港社区", "address": "山尾镇渔港路18号便民服务中心一楼",
                        "opening_hours": "工作日 8:30–12:00，14:30–17:30", "phone": "0595-0000-1001",
                        "latitude": 25.101, "longitude": 118.902},
    "station-xiapu": {"service_area": "下浦村\n下浦\n下浦小学", "address": "下浦村村委会",
                      "opening_hours": "工作日 9:00–17:00", "phone": "0595-0000-1002",
                      "latitude": 25.112, "longitude": 118.921},
    "station-dongling": {"service_area": "东岭村\n东岭\n东岭水库", "address": "东岭村党群服务中心",
                         "opening_hours": "工作日 9:00–17:00，周六上午", "phone": "0595-0000-1003",
                         "latitude": 25.087, "longitude": 118.885},
}

# receipt, days ago, type, channel, place, description, name, phone, final status, rating
REQUESTS = [
    ("EDEMO000001", 9, "help", Channel.WECHAT, "下浦村",
     "下浦村东头的路灯坏了一个多星期，晚上接孩子很不方便，希望尽快修理路灯。", "林阿姨", "13900000001",
     Status.RATED, 5),
    ("EDEMO000002", 6, "help", Channel.WEB, "下浦村", "下浦村东头路灯又坏了，晚上很黑，希望尽快修理路灯。",
     "陈先生", "13900000002", Status.IN_PROGRESS, None),
    ("EDEMO000003", 2, "help", Channel.WECHAT, "下浦村", "下浦村东头的路灯不亮好几天了，晚上很黑，请尽快修理路灯。",
     "", "", Status.ACCEPTED, None),
    ("EDEMO000004", 8, "mediation", Channel.WALK_IN, "东岭村", "邻居加盖房屋挡住我家采光，多次沟通未果，请求调解。",
     "郑大伯", "13900000004", Status.DISPATCHED, None),
    ("EDEMO000005", 1, "online-harm", Channel.WECHAT, "山尾镇",
     "有人在本地微信群里散布山尾镇渔港要拆迁的谣言，很多人在转发。", "", "", Status.ACCEPTED, None),
    ("EDEMO000006", 12, "complaint", Channel.PHONE, "东岭水库", "东岭水库边有人倾倒建筑垃圾，气味难闻。", "黄女士",
     "13900000006", Status.CLOSED, None),
    ("EDEMO000007", 5, "urgent", Channel.PHONE, "山尾街", "山尾街一处老房子墙体开裂，担心倒塌，请尽快派人查看。",
     "吴先生", "13900000007", Status.DISPATCHED, None),
    ("EDEMO000008", 11, "suggestion", Channel.WEB, "渔港社区", "建议在渔港社区增设电动车充电桩。", "许女士",
     "13900000008", Status.RATED, 4),
]

PATH = [Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED, Status.FOLLOWED_UP, Status.RATED]


@transaction.atomic
def load_profiles() -> None:
    departments = load_departments()
    for code, fields in PROFILES.items():
        StationProfile.objects.update_or_create(department=departments[code], defaults=fields)


def _advance(req: ServiceRequest, final: str, rating: int | None) -> None:
    """Walk the demo request along the loop so its history looks like real work."""
    for status in PATH:
        if req.status == final:
            return
        changes: dict[str, Any] = {}
        if status == Status.DISPATCHED:
            changes["handling_department"] = req.station
        if status == Status.REPLIED:
            changes["reply"] = "已安排工作人员现场查看并处理，感谢您的反映。"
        if status == Status.CLOSED:
            changes["closed_at"] = timezone.now()
        if status == Status.RATED:
            changes["rating"] = rating
        services.transition(req, status, reason="演示数据", **changes)


def _backdate_history(req: ServiceRequest, received: datetime) -> None:
    """Spread the demo steps over the days since the request came in (the audit log keeps the
    true time of loading: it is never rewritten)."""
    steps = list(req.transitions.order_by("pk"))
    span = (timezone.now() - received) / max(len(steps), 1)
    for index, step in enumerate(steps):
        Transition.objects.filter(pk=step.pk).update(at=received + span * index)
    if req.closed_at:
        ServiceRequest.objects.filter(pk=req.pk).update(closed_at=received + span * (len(steps) - 1))


@transaction.atomic
def load_requests() -> None:
    types = {t.code: t for t in services.ensure_request_types()}
    for receipt, days_ago, code, channel, place, text, name, phone, final, rating in REQUESTS:
        if ServiceRequest.objects.filter(receipt_no=receipt).exists():
            continue
        received = timezone.now() - timedelta(days=days_ago)
        req = ServiceRequest.objects.create(
            receipt_no=receipt, channel=channel, request_type=types[code], station=services.route_station(place),
            description=text, place=place, name=name, phone=phone, phone_last4=phone[-4:],
            due_at=deadline(received, types[code].time_limit_days),
        )
        # Backdated so the dashboard has a history to show (auto_now_add ignores a given value).
        ServiceRequest.objects.filter(pk=req.pk).update(created=received)
        Transition.objects.create(request=req, from_status="", to_status=Status.ACCEPTED, reason="演示数据")
        _advance(req, final, rating)
        _backdate_history(req, received)


def load_demo() -> None:
    """Station profiles and a few requests at every step of the loop; then the sensing pass."""
    load_profiles()
    load_requests()
    sensing.cluster_recent()
