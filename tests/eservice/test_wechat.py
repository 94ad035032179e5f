"""The WeChat callback driven as WeChat drives it: signed query strings, plain and AES "safe
mode" XML, retries, forgeries and replays. The test encrypts with its own AES code (the
`cryptography` package), independently of the wechatpy code the server uses."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.test import Client

from qinglang.audit.models import AuditEntry
from qinglang.eservice import services
from qinglang.eservice.models import ContactLog, ServiceRequest, WechatMessage
from qinglang.org.models import Department
from tests.eservice.conftest import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN

pytestmark = pytest.mark.django_db
OPENID = "oQinglangResident0001"
ACCOUNT = "gh_qinglang"


def sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol


def query(timestamp: int | None = None, nonce: str = "1234567", **extra: str) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": sha1(WECHAT_TOKEN, stamp, nonce), "timestamp": stamp, "nonce": nonce, "openid": OPENID,
            **extra}


def message(msg_type: str, body: str, msg_id: str | None = "6054768590064713728", created: int | None = None) -> str:
    msg_id_xml = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
            f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
            f"{body}{msg_id_xml}</xml>")


def text(content: str, msg_id: str = "6054768590064713728") -> str:
    return message("text", f"<Content><![CDATA[{content}]]></Content>", msg_id)


def aes_key() -> bytes:
    return base64.b64decode(WECHAT_AES_KEY + "=")


def wechat_encrypt(xml: str) -> str:
    """What WeChat does in safe mode: random(16) + length + xml + AppID, PKCS#7 to 32, AES-CBC."""
    data = os.urandom(16) + struct.pack(">I", len(xml.encode())) + xml.encode() + WECHAT_APP_ID.encode()
    pad = 32 - len(data) % 32
    data += bytes([pad]) * pad
    key = aes_key()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def wechat_decrypt(encrypted: str) -> tuple[str, str]:
    key = aes_key()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    data = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    data = data[: -data[-1]]
    length = struct.unpack(">I", data[16:20])[0]
    return data[20 : 20 + length].decode(), data[20 + length :].decode()


def post(client: Client, xml: str, params: dict[str, str]) -> Any:
    return client.post(f"/wechat/?{urlencode(params)}", data=xml.encode(), content_type="text/xml")


def post_encrypted(client: Client, xml: str, **overrides: str) -> Any:
    encrypted = wechat_encrypt(xml)
    params = query(encrypt_type="aes")
    params["msg_signature"] = sha1(WECHAT_TOKEN, params["timestamp"], params["nonce"], encrypted)
    params |= overrides
    envelope = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return post(client, envelope, params)


def reply_content(body: bytes) -> str:
    found = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", body.decode(), re.S)
    assert found, body
    return found.group(1)


def test_url_verification_echoes_echostr(client: Client, wechat_settings: Any) -> None:
    response = client.get("/wechat/", query(echostr="5838479218127813673"))
    assert response.status_code == 200
    assert response.content == b"5838479218127813673"


def test_url_verification_with_a_forged_signature_is_refused(client: Client, wechat_settings: Any) -> None:
    params = query(echostr="x") | {"signature": "0" * 40}
    response = client.get("/wechat/", params)
    assert response.status_code == 403
    assert b"x" not in response.content


def test_unconfigured_callback_is_not_found(client: Client, settings: Any) -> None:
    settings.WECHAT_TOKEN = ""
    assert client.get("/wechat/", {"echostr": "x"}).status_code == 404


def test_text_message_gets_a_passive_reply_with_the_receipt(client: Client, stations: dict[str, Any],
                                                            wechat_settings: Any) -> None:
    response = post(client, text("测试村村口的路灯坏了，晚上很黑，电话13812345678"), query())
    assert response.status_code == 200
    req = ServiceRequest.objects.get()
    assert req.channel == "wechat" and req.wechat_openid == OPENID
    assert req.station == stations["village"]
    assert req.phone == "13812345678"
    content = reply_content(response.content)
    assert req.receipt_no in content and "已受理" in content
    # The reply goes back to the resident, from the account.
    assert f"<ToUserName><![CDATA[{OPENID}]]></ToUserName>" in response.content.decode()


def test_retries_create_one_request_and_repeat_the_same_reply(client: Client, stations: dict[str, Any],
                                                              wechat_settings: Any) -> None:
    xml = text("镇中心街的井盖丢了，很危险")
    replies = [post(client, xml, query(nonce=f"n{i}")).content for i in range(3)]  # WeChat retries three times
    assert ServiceRequest.objects.count() == 1
    assert WechatMessage.objects.count() == 1
    assert len({reply_content(r) for r in replies}) == 1


def test_events_without_msgid_dedup_on_sender_and_time(client: Client, stations: dict[str, Any],
                                                       wechat_settings: Any) -> None:
    subscribe = message("event", "<Event><![CDATA[subscribe]]></Event>", msg_id=None, created=1700000000)
    first = post(client, subscribe, query())
    again = post(client, subscribe, query())
    assert "欢迎关注" in reply_content(first.content) == reply_content(again.content)
    assert WechatMessage.objects.get().dedup_key == f"from:{OPENID}:1700000000"
    assert ServiceRequest.objects.count() == 0


def test_forged_signature_is_refused_and_nothing_is_stored(client: Client, stations: dict[str, Any],
                                                           wechat_settings: Any) -> None:
    params = query()
    params["signature"] = sha1("not-the-token", params["timestamp"], params["nonce"])
    response = post(client, text("伪造的消息"), params)
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 0 and WechatMessage.objects.count() == 0
    assert AuditEntry.objects.filter(action="eservice.wechat.refused").exists()


def test_stale_timestamp_is_refused(client: Client, stations: dict[str, Any], wechat_settings: Any) -> None:
    response = post(client, text("重放的旧消息"), query(timestamp=int(time.time()) - 3600))
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 0


def test_safe_mode_decrypts_and_encrypts_the_reply(client: Client, stations: dict[str, Any],
                                                   wechat_settings: Any) -> None:
    response = post_encrypted(client, text("测试村村东水库边有人钓鱼还乱扔垃圾", msg_id="1001"))
    assert response.status_code == 200
    body = response.content.decode()
    encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", body).group(1)  # type: ignore[union-attr]
    stamp = re.search(r"<TimeStamp>(\d+)</TimeStamp>", body).group(1)  # type: ignore[union-attr]
    nonce = re.search(r"<Nonce><!\[CDATA\[(.*?)\]\]></Nonce>", body).group(1)  # type: ignore[union-attr]
    signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", body).group(1)  # type: ignore[union-attr]
    assert signature == sha1(WECHAT_TOKEN, stamp, nonce, encrypted)
    plain, app_id = wechat_decrypt(encrypted)
    assert app_id == WECHAT_APP_ID
    req = ServiceRequest.objects.get()
    assert req.receipt_no in reply_content(plain.encode())
    assert req.description == "测试村村东水库边有人钓鱼还乱扔垃圾"


def test_safe_mode_with_a_forged_msg_signature_is_refused(client: Client, stations: dict[str, Any],
                                                          wechat_settings: Any) -> None:
    response = post_encrypted(client, text("伪造", msg_id="1002"), msg_signature="f" * 40)
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 0


def test_safe_mode_for_another_app_is_refused(client: Client, stations: dict[str, Any], wechat_settings: Any) -> None:
    wechat_settings.WECHAT_APP_ID = "wxsomeoneelse"
    response = post_encrypted(client, text("别的公众号的消息", msg_id="1003"))
    assert response.status_code == 403


def test_voice_uses_wechat_speech_recognition(client: Client, stations: dict[str, Any], wechat_settings: Any) -> None:
    body = ("<MediaId><![CDATA[media-voice-1]]></MediaId><Format><![CDATA[amr]]></Format>"
            "<Recognition><![CDATA[测试村小学门口天天堵车]]></Recognition>")
    response = post(client, message("voice", body, msg_id="2001"), query())
    req = ServiceRequest.objects.get()
    assert req.description == "测试村小学门口天天堵车"
    assert req.attributes["wechat_media_id"] == "media-voice-1"
    assert req.receipt_no in reply_content(response.content)


def test_image_and_location_after_a_text_join_its_request(client: Client, stations: dict[str, Any],
                                                          wechat_settings: Any) -> None:
    post(client, text("路边有一棵树倒了挡住了路", msg_id="3001"), query())
    req = ServiceRequest.objects.get()
    assert req.station == stations["town"]  # no place named yet: the default station
    image = message("image", "<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl>"
                             "<MediaId><![CDATA[media-pic-1]]></MediaId>", msg_id="3002")
    assert req.receipt_no in reply_content(post(client, image, query()).content)
    location = message("location", "<Location_X>25.2001</Location_X><Location_Y>119.0002</Location_Y>"
                                   "<Scale>15</Scale><Label><![CDATA[测试村3组]]></Label>", msg_id="3003")
    assert "测试村网信通服务e站" in reply_content(post(client, location, query()).content)
    req.refresh_from_db()
    assert ServiceRequest.objects.count() == 1
    assert req.station == stations["village"] and req.latitude == pytest.approx(25.2001)
    assert ContactLog.objects.filter(request=req).count() == 2


def test_a_story_told_in_several_messages_makes_one_request(client: Client, stations: dict[str, Any],
                                                            wechat_settings: Any) -> None:
    first = post(client, text("路灯坏了好几天了", msg_id="5001"), query())
    receipt = ServiceRequest.objects.get().receipt_no
    assert receipt in reply_content(first.content)
    second = post(client, text("就在测试村村委会门口", msg_id="5002"), query())
    req = ServiceRequest.objects.get()
    assert "测试村网信通服务e站" in reply_content(second.content)
    assert req.description == "路灯坏了好几天了\n就在测试村村委会门口"
    assert req.station == stations["village"]  # routed again now that the place is known
    assert AuditEntry.objects.filter(action="eservice.request.rerouted", target_id=str(req.pk)).exists()


def test_once_dispatched_a_new_message_opens_a_new_request(client: Client, stations: dict[str, Any],
                                                            wechat_settings: Any) -> None:
    post(client, text("测试村的垃圾桶满了", msg_id="5101"), query())
    services.dispatch(ServiceRequest.objects.get(), stations["village"], actor=stations["town_staff"])
    post(client, text("测试镇中心街井盖松动", msg_id="5102"), query())
    assert ServiceRequest.objects.count() == 2


def test_without_any_station_the_resident_is_told_and_the_message_kept(client: Client, org: dict[str, Any],
                                                                       wechat_settings: Any) -> None:
    Department.objects.filter(pk__in=[org["town"].pk, org["village"].pk]).update(kind="other")
    response = post(client, text("有人吗", msg_id="5201"), query())
    assert response.status_code == 200 and "暂时无法受理" in reply_content(response.content)
    assert WechatMessage.objects.get().xml.startswith("<xml>")
    assert ServiceRequest.objects.count() == 0


def test_phone_number_sent_later_is_attached(client: Client, stations: dict[str, Any], wechat_settings: Any) -> None:
    post(client, text("测试村垃圾没人清运", msg_id="4001"), query())
    response = post(client, text("13900001234", msg_id="4002"), query())
    req = ServiceRequest.objects.get()
    assert req.phone == "13900001234" and req.phone_last4 == "1234"
    assert req.receipt_no in reply_content(response.content)


def test_dtd_is_refused(client: Client, stations: dict[str, Any], wechat_settings: Any) -> None:
    xml = '<!DOCTYPE x [<!ENTITY a "aaaa">]>' + text("&a;")
    assert post(client, xml, query()).status_code == 400
