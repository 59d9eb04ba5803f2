"""RequestCertificate (the API and AWS::CertificateManager::Certificate) issues a real leaf from the local CA.

moto signs requested certificates with a throwaway self-signed key and leaves them PENDING_VALIDATION
for a minute. Here they are signed by this run's CA (`relay_emulator.acm.authority`) and ISSUED at once,
as with DNS validation already done; ImportCertificate is moto's and keeps what was imported.
"""

from __future__ import annotations

from typing import Any

from moto.acm.models import CertBundle

from relay_emulator.acm import authority


def _generate_cert(
    cls: type[CertBundle],
    domain_name: str,
    *,
    account_id: str,
    region: str,
    sans: list[str] | None = None,
    cert_authority_arn: str | None = None,
) -> CertBundle:
    issued = authority.current().issue(domain_name, list(sans or []))
    return cls(
        certificate=issued.certificate,
        private_key=issued.private_key,
        chain=authority.current().certificate_pem,
        cert_type="PRIVATE" if cert_authority_arn is not None else "AMAZON_ISSUED",
        cert_status="ISSUED",
        cert_authority_arn=cert_authority_arn,
        account_id=account_id,
        region=region,
    )


def install() -> None:
    """Sign every requested certificate with the local CA."""
    generate: Any = classmethod(_generate_cert)
    CertBundle.generate_cert = generate
