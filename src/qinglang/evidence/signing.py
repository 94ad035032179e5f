"""Optional signature of the manifest with the office's key.

A plain signature over the manifest bytes (RSA PKCS#1 v1.5 or ECDSA, SHA-256) so a recipient can
check it with ``openssl dgst -sha256 -verify signer-key.pem -signature manifest.sig manifest.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


@dataclass(frozen=True)
class Signature:
    signature: bytes
    public_key_pem: bytes  # what ``openssl dgst -verify`` takes
    certificate_pem: bytes  # the office certificate, when configured


def sign(data: bytes, key_path: str, cert_path: str = "") -> Signature:
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:
        raise ValueError("签名密钥须为 RSA 或 EC 私钥")
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    certificate = Path(cert_path).read_bytes() if cert_path else b""
    return Signature(signature, public, certificate)


def verify(data: bytes, signature: bytes, public_key_pem: bytes) -> bool:
    key = serialization.load_pem_public_key(public_key_pem)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def same_key(public_key_pem: bytes, certificate_pem: bytes) -> bool:
    """Whether a trusted certificate holds the key the package was signed with."""
    cert_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return cert_key.public_bytes(*der) == serialization.load_pem_public_key(public_key_pem).public_bytes(*der)
