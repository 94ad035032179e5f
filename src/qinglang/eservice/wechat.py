"""The 网信通 WeChat official-account callback: signatures, safe-mode crypto, message intake.

wechatpy parses and renders the XML and does the AES; the signature checks are ours because
wechatpy compares signatures with ``!=`` and we want a constant-time comparison.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from wechatpy import parse_message  # type: ignore[import-untyped]
from wechatpy.crypto import PrpCrypto, WeChatCrypto  # type: ignore[import-untyped]
from wechatpy.exceptions import InvalidAppIdException  # type: ignore[import-untyped]
from wechatpy.replies import TextReply  # type: ignore[import-untyped]

from qinglang.audit.services import record
from qinglang.eservice import services
from qinglang.eservice.models import Channel, ContactLog, ServiceRequest, Status, WechatMessage
from qinglang.eservice.privacy import normalise_phone
from qinglang.org.models import Department

MAX_BODY_BYTES = 64 * 1024
# A photo or location sent shortly after a text belongs to that text's request.
FOLLOW_ON_WINDOW = timedelta(minutes=30)
_PHONE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")


class CallbackRefused(Exception):
    """A callback that is not from WeChat, or not readable: answered 403/400, never processed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Query:
    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's protocol


def _check(expected: str, given: str) -> None:
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise CallbackRefused(403, "bad signature")


def check_query(query: Query, now: float | None = None) -> None:
    """The plain signature over token, timestamp and nonce, and a fresh timestamp."""
    token = settings.WECHAT_TOKEN
    if not token:
        raise CallbackRefused(404, "WeChat callback not configured")
    try:
        stamp = int(query.timestamp)
    except ValueError:
        raise CallbackRefused(400, "bad timestamp") from None
    _check(sign(token, query.timestamp, query.nonce), query.signature)
    current = time.time() if now is None else now
    if abs(current - stamp) > settings.ESERVICE_WECHAT_MAX_AGE_SECONDS:
        raise CallbackRefused(403, "stale timestamp")


def _encrypted_part(body: str) -> str:
    found = re.search(r"<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]></Encrypt>", body) or re.search(
        r"<Encrypt>([A-Za-z0-9+/=]+)</Encrypt>", body
    )
    if not found:
        raise CallbackRefused(400, "no Encrypt element")
    return found.group(1)


def decrypt(body: str, query: Query) -> str:
    """Safe mode: check msg_signature over the ciphertext, then AES-decrypt it."""
    encrypted = _encrypted_part(body)
    _check(sign(settings.WECHAT_TOKEN, query.timestamp, query.nonce, encrypted), query.msg_signature)
    try:
        key = base64.b64decode(settings.WECHAT_AES_KEY + "=")
        return str(PrpCrypto(key).decrypt(encrypted, settings.WECHAT_APP_ID))
    except InvalidAppIdException:
        raise CallbackRefused(403, "message for another AppID") from None
    except (ValueError, TypeError, binascii.Error, struct.error, UnicodeDecodeError):
        raise CallbackRefused(400, "undecryptable message") from None


def encrypt_reply(xml: str, query: Query) -> str:
    crypto = WeChatCrypto(settings.WECHAT_TOKEN, settings.WECHAT_AES_KEY, settings.WECHAT_APP_ID)
    return str(crypto.encrypt_message(xml, query.nonce, query.timestamp))


def read_body(body: bytes, query: Query) -> str:
    if len(body) > MAX_BODY_BYTES:
        raise CallbackRefused(400, "message too large")
    text = body.decode("utf-8", errors="replace")
    # WeChat never sends a DTD; refusing them rules out entity-expansion tricks in the parser.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise CallbackRefused(400, "DTD not allowed")
    return decrypt(text, query) if query.encrypt_type == "aes" else text


# --- messages -----------------------------------------------------------------------------------

def dedup_key(message: Any, xml: str) -> str:
    msg_id = getattr(message, "id", None)
    if msg_id:
        return f"id:{msg_id}"
    created = getattr(message, "create_time", None)
    if isinstance(created, datetime):
        return f"from:{message.source}:{created.timestamp():.0f}"
    return "xml:" + hashlib.sha256(xml.encode("utf-8")).hexdigest()


def _created_at(message: Any) -> datetime:
    created = getattr(message, "create_time", None)
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return timezone.now()


def _recent_request(openid: str) -> ServiceRequest | None:
    since = timezone.now() - FOLLOW_ON_WINDOW
    return (ServiceRequest.objects.filter(wechat_openid=openid, created__gte=since, status=Status.ACCEPTED)
            .order_by("-created").first())


def _receipt_text(req: ServiceRequest) -> str:
    return (f"您的诉求已受理，受理编号 {req.receipt_no}。{req.station.name}将尽快与您联系。"
            "发送您的手机号码，即可凭受理编号和手机号后四位在网上查询办理进度。")


def _new_request(openid: str, description: str, raw: str, **extra: Any) -> ServiceRequest:
    phone = _PHONE.search(description)
    intake = services.Intake(channel=Channel.WECHAT, description=description, wechat_openid=openid, raw=raw,
                             phone=phone.group(1) if phone else "", **extra)
    return services.create_request(intake)


def _on_text(message: Any, raw: str) -> tuple[str, ServiceRequest | None]:
    content = (message.content or "").strip()
    if not content:
        return "请用文字描述您的诉求，并说明发生的地点。", None
    phone = _PHONE.fullmatch(content.replace(" ", ""))
    recent = ServiceRequest.objects.filter(wechat_openid=message.source, phone="").order_by("-created").first()
    if phone and recent is not None:
        number = normalise_phone(phone.group(1))
        ServiceRequest.objects.filter(pk=recent.pk).update(phone=number, phone_last4=number[-4:])
        return f"已登记您的联系电话，可凭受理编号 {recent.receipt_no} 和手机号后四位查询进度。", recent
    recent = _recent_request(message.source)
    if recent is not None:
        return _add_text(recent, content), recent
    req = _new_request(message.source, content, raw)
    return _receipt_text(req), req


def _add_text(req: ServiceRequest, content: str) -> str:
    """Residents tell their story in several short messages: while the request is still waiting
    at the station, later messages complete it rather than open new ones."""
    description = f"{req.description}\n{content}"[:4000]
    station = services.route_station(req.place, req.latitude, req.longitude, description)
    ServiceRequest.objects.filter(pk=req.pk).update(description=description, station=station)
    _attach(req, f"居民补充：{content}")
    _note_reroute(req, station)
    return f"已补充到受理编号 {req.receipt_no} 的诉求中，由{station.name}办理。"


def _on_voice(message: Any, raw: str) -> tuple[str, ServiceRequest | None]:
    text = (message.recognition or "").strip() or "[语音留言，请工作人员收听后回电]"
    recent = _recent_request(message.source)
    if recent is not None:
        return _add_text(recent, f"{text}（语音 {message.media_id or ''}）"), recent
    req = _new_request(message.source, text, raw, attributes={"wechat_media_id": message.media_id or ""})
    return _receipt_text(req), req


def _attach(req: ServiceRequest, note: str) -> None:
    ContactLog.objects.create(request=req, kind=ContactLog.Kind.MESSAGE, note=note)


def _note_reroute(req: ServiceRequest, station: Department) -> None:
    if station.pk != req.station_id:
        record("eservice.request.rerouted", target=req, detail={"from": req.station.code, "to": station.code})


def _on_image(message: Any, raw: str) -> tuple[str, ServiceRequest | None]:
    url = message.image or ""
    recent = _recent_request(message.source)
    if recent is not None:
        _attach(recent, f"居民补充图片：{url}")
        return f"图片已补充到受理编号 {recent.receipt_no} 的诉求中。", recent
    req = _new_request(message.source, "[图片留言]", raw, media_url=url)
    return _receipt_text(req) + "请再用文字说明具体情况。", req


def _on_location(message: Any, raw: str) -> tuple[str, ServiceRequest | None]:
    try:
        lat, lon = float(message.location_x), float(message.location_y)
    except (TypeError, ValueError):
        return "未能识别您发送的位置，请用文字说明地点。", None
    label = (message.label or "").strip()
    recent = _recent_request(message.source)
    if recent is not None:
        # Still with the station that first got it: route again now that the place is known.
        station = services.route_station(label, lat, lon)
        ServiceRequest.objects.filter(pk=recent.pk).update(place=label[:200], latitude=lat, longitude=lon,
                                                           station=station)
        _attach(recent, f"居民补充位置：{label}（{lat:.5f}, {lon:.5f}）")
        _note_reroute(recent, station)
        return f"位置已补充到受理编号 {recent.receipt_no} 的诉求中，由{station.name}办理。", recent
    req = _new_request(message.source, f"[位置留言] {label}", raw, place=label, latitude=lat, longitude=lon)
    return _receipt_text(req) + "请再用文字说明具体情况。", req


def _on_event(message: Any, raw: str) -> tuple[str, ServiceRequest | None]:
    if getattr(message, "event", "") in {"subscribe", "subscribe_scan"}:
        return "欢迎关注网信通！直接发送文字、语音、图片或位置即可留言反映诉求，工作人员会及时回复。", None
    return "", None


HANDLERS = {"text": _on_text, "voice": _on_voice, "image": _on_image, "location": _on_location,
            "event": _on_event}


def _dispatch(message: Any, xml: str) -> tuple[str, ServiceRequest | None]:
    handler = HANDLERS.get(message.type)
    if handler is None:
        return "已收到，请用文字描述您的诉求。", None
    try:
        with transaction.atomic():
            return handler(message, xml)
    except services.EserviceError:
        # Nothing is lost: the message itself is kept raw and staff can enter it by hand.
        return "系统暂时无法受理您的留言，请稍后再试，或直接致电所在地的网信通服务e站。", None


def handle(xml: str) -> str:
    """Process one decrypted message and return the reply text ("" for no reply).

    A retry of a message already seen returns the reply given the first time, without creating
    anything: the unique ``dedup_key`` decides, even when the retry races the original.
    """
    try:
        message = parse_message(xml)
    except Exception as exc:  # noqa: BLE001 - xmltodict raises many types on bad input
        raise CallbackRefused(400, f"unreadable XML: {type(exc).__name__}") from None
    if message is None or not getattr(message, "source", None):
        raise CallbackRefused(400, "not a WeChat message")
    key = dedup_key(message, xml)
    try:
        with transaction.atomic():
            stored = WechatMessage.objects.create(dedup_key=key, from_user=message.source, msg_type=message.type,
                                                  created_at=_created_at(message), xml=xml)
            text, req = _dispatch(message, xml)
            stored.reply, stored.request = text, req
            stored.save(update_fields=["reply", "request"])
    except IntegrityError:
        first = WechatMessage.objects.filter(dedup_key=key).first()
        return first.reply if first is not None else ""
    return text


def render_reply(xml: str, text: str) -> str:
    message = parse_message(xml)
    return str(TextReply(message=message, content=text).render())
