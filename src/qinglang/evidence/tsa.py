"""RFC 3161 trusted timestamps: ask a time-stamping authority, and check a token offline.

The request carries the SHA-256 of the manifest itself (some client libraries default to SHA-1;
we build the request here so the digest is ours). Checking needs no network: the token's
signature is verified against the certificate it carries, and that certificate against the
TSA certificate the recipient trusts, if one is given.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp, x509  # type: ignore[import-untyped]
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha1": hashes.SHA1,
}


class TimestampError(Exception):
    """The authority refused or answered something that is not a valid token for our digest."""


@dataclass(frozen=True)
class Stamp:
    url: str
    response: bytes  # DER TimeStampResp, as ``openssl ts -verify -in`` reads it
    gen_time: datetime
    tsa_name: str


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    detail: str
    gen_time: datetime | None = None
    anchored: bool = False  # the signer chains to a certificate the verifier trusts


def build_request(digest: bytes) -> tuple[bytes, int]:
    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return request.dump(), nonce


def _tst_info(response: tsp.TimeStampResp) -> tsp.TSTInfo:
    signed_data = response["time_stamp_token"]["content"]
    parsed: tsp.TSTInfo = signed_data["encap_content_info"]["content"].parsed
    return parsed


def stamp(url: str, digest: bytes, timeout: float) -> Stamp:
    body, nonce = build_request(digest)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/timestamp-query"})  # noqa: S310 - the administrator configures these URLs
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            answer = reply.read()
    except OSError as exc:
        raise TimestampError(f"时间戳服务 {url} 无法连接: {exc}") from exc
    try:
        response = tsp.TimeStampResp.load(answer)
        status = response["status"]["status"].native
        if status not in {"granted", "granted_with_mods"}:
            raise TimestampError(f"时间戳服务 {url} 拒绝请求: {status}")
        info = _tst_info(response)
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"时间戳服务 {url} 返回的不是有效的 RFC 3161 应答: {exc}") from exc
    if info["message_imprint"]["hashed_message"].native != digest or info["nonce"].native != nonce:
        raise TimestampError(f"时间戳服务 {url} 的应答与请求不符（摘要或随机数不一致）")
    return Stamp(url=url, response=answer, gen_time=info["gen_time"].native, tsa_name=_tsa_name(info))


def _tsa_name(info: tsp.TSTInfo) -> str:
    tsa = info["tsa"]
    return str(tsa.chosen.human_friendly) if tsa.native is not None else ""


def _signer_cert(signed_data: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate | None:
    sid = signer["sid"]
    for choice in signed_data["certificates"] or []:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _verify_signature(public_key: object, signature: bytes, data: bytes, algo: str, hash_name: str) -> None:
    chosen = HASHES[hash_name]()
    if isinstance(public_key, rsa.RSAPublicKey):
        pad = padding.PSS(padding.MGF1(chosen), padding.PSS.AUTO) if algo == "rsassa_pss" else padding.PKCS1v15()
        public_key.verify(signature, data, pad, chosen)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(chosen))
    else:
        raise InvalidSignature("unsupported key type")


def _check_signed_attrs(signer: cms.SignerInfo, content: bytes, hash_name: str) -> bool:
    wanted = hashlib.new(hash_name, content).digest()
    for attr in signer["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bool(attr["values"][0].native == wanted)
    return False


def _anchored(signer_der: bytes, trusted: list[bytes]) -> bool:
    signer = cx509.load_der_x509_certificate(signer_der)
    for der in trusted:
        anchor = cx509.load_der_x509_certificate(der)
        if anchor == signer:
            return True
        try:
            signer.verify_directly_issued_by(anchor)
            return True
        except (ValueError, TypeError, InvalidSignature):
            continue
    return False


def _is_tsa_cert(der: bytes) -> bool:
    cert = cx509.load_der_x509_certificate(der)
    try:
        usage = cert.extensions.get_extension_for_class(cx509.ExtendedKeyUsage).value
    except cx509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def verify_token(response_der: bytes, digest: bytes, trusted: list[bytes] | None = None) -> TokenCheck:
    """Check a stored TimeStampResp against ``digest`` (SHA-256 of the manifest), offline."""
    try:
        response = tsp.TimeStampResp.load(response_der)
        signed_data = response["time_stamp_token"]["content"]
        info = _tst_info(response)
        signer = signed_data["signer_infos"][0]
        imprint = info["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256" or imprint["hashed_message"].native != digest:
            return TokenCheck(False, "时间戳所盖的摘要与清单不符")
        hash_name = signer["digest_algorithm"]["algorithm"].native
        content = signed_data["encap_content_info"]["content"].contents
        if not _check_signed_attrs(signer, content, hash_name):
            return TokenCheck(False, "时间戳令牌的签名属性与内容不符")
        cert = _signer_cert(signed_data, signer)
        if cert is None:
            return TokenCheck(False, "时间戳令牌未附带签名证书")
        attrs = signer["signed_attrs"].dump()
        signed_bytes = b"\x31" + attrs[1:]  # signed over the DER SET OF, not the [0] IMPLICIT tag
        public_key = cx509.load_der_x509_certificate(cert.dump()).public_key()
        algo = signer["signature_algorithm"].signature_algo
        _verify_signature(public_key, signer["signature"].native, signed_bytes, algo, hash_name)
    except InvalidSignature:
        return TokenCheck(False, "时间戳令牌签名无效")
    except (ValueError, TypeError, KeyError) as exc:
        return TokenCheck(False, f"时间戳令牌无法解析: {exc}")
    gen_time = info["gen_time"].native
    if not _is_tsa_cert(cert.dump()):
        return TokenCheck(False, "签名证书不是时间戳证书（缺少 timeStamping 用途）", gen_time)
    anchored = bool(trusted) and _anchored(cert.dump(), trusted or [])
    if trusted and not anchored:
        return TokenCheck(False, "时间戳签名证书不属于所信任的时间戳机构", gen_time)
    return TokenCheck(True, f"时间 {gen_time.isoformat()}，签发者 {cert.subject.human_friendly}", gen_time, anchored)


def token_certificates(response_der: bytes) -> list[bytes]:
    response = tsp.TimeStampResp.load(response_der)
    signed_data = response["time_stamp_token"]["content"]
    return [choice.chosen.dump() for choice in signed_data["certificates"] or []]
