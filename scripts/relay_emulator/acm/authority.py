"""The emulator run's own certificate authority: its certificate is the bundle clients trust.

A new CA per run, created when the server starts: its certificate goes to `<state dir>/tls/ca.pem` (the
bundle `relay emulator env` exports as RELAY_CA_BUNDLE); its key stays in the server's memory, so only
this run can sign. ACM certificates requested from the emulator are leaves it signs.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from relay_emulator.control import route

CA_VALIDITY = datetime.timedelta(days=30)
LEAF_VALIDITY = datetime.timedelta(days=395)  # ACM's public certificates: 13 months


@dataclass(frozen=True)
class Issued:
    """A leaf certificate and its private key, in PEM as ACM's GetCertificate and ImportCertificate."""

    certificate: bytes
    private_key: bytes


@dataclass(frozen=True)
class Authority:
    """A CA certificate and the key that signs with it."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    bundle: Path

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, domain_name: str, alternative_names: list[str]) -> Issued:
        """A server certificate for `domain_name` and the SANs (wildcards included), signed by this CA, with
        an RSA 2048 key: RequestCertificate's default key algorithm."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        names = list(dict.fromkeys([domain_name, *alternative_names]))
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain_name)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + LEAF_VALIDITY)
            .add_extension(
                x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return Issued(
            certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ),
        )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def bundle_path(state_dir: Path) -> Path:
    """Where a run's CA certificate is written."""
    return state_dir / "tls" / "ca.pem"


def create(state_dir: Path) -> Authority:
    """A fresh CA; its certificate replaces any earlier run's bundle."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Relay emulator local CA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    bundle = bundle_path(state_dir)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Authority(certificate, key, bundle)


_CURRENT: list[Authority] = []


def start(state_dir: Path) -> Authority:
    """Create this run's CA (the server does, before it installs the extensions)."""
    _CURRENT[:] = [create(state_dir)]
    return _CURRENT[0]


def current() -> Authority:
    """This run's CA; an error when the server did not start one."""
    if not _CURRENT:
        raise RuntimeError("the emulator's local CA was not started (relay_emulator.server starts it)")
    return _CURRENT[0]


@route("tls")
def _tls(_request: object) -> dict[str, str]:
    """Where the CA bundle is, for `relay emulator env`."""
    return {"ca_bundle": str(current().bundle)}
