"""E-station fixtures: the org fixture's town and village stations with service areas, and a
configured WeChat official account."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from qinglang.eservice import services
from qinglang.eservice.models import RequestType, ServiceRequest, StationProfile

WECHAT_TOKEN = "qinglang-test-token"
# A 43-character EncodingAESKey, as the official-account console generates.
WECHAT_AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
WECHAT_APP_ID = "wx0123456789abcdef"


@pytest.fixture
def stations(org: dict[str, Any]) -> dict[str, Any]:
    StationProfile.objects.create(department=org["town"], service_area="测试镇\n镇中心街", address="测试镇政府一楼",
                                  opening_hours="工作日 9:00–17:00", latitude=25.10, longitude=118.90)
    StationProfile.objects.create(department=org["village"], service_area="测试村\n村东水库", address="测试村村委会",
                                  opening_hours="工作日 9:00–17:00", latitude=25.20, longitude=119.00)
    services.ensure_request_types()
    return org


@pytest.fixture
def wechat_settings(settings: Any) -> Any:
    settings.WECHAT_TOKEN = WECHAT_TOKEN
    settings.WECHAT_AES_KEY = WECHAT_AES_KEY
    settings.WECHAT_APP_ID = WECHAT_APP_ID
    return settings


def request_type(code: str) -> RequestType:
    return RequestType.objects.get(code=code)


def new_request(description: str = "测试村路灯坏了，晚上很黑", place: str = "测试村", code: str = "help",
                **extra: Any) -> ServiceRequest:
    intake = services.Intake(channel=extra.pop("channel", "web"), description=description, place=place,
                             request_type=request_type(code), name=extra.pop("name", "张三"),
                             phone=extra.pop("phone", "13812345678"), **extra)
    return services.create_request(intake)
