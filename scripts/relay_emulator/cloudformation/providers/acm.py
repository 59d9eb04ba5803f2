"""AWS::CertificateManager::Certificate through moto's ACM backend (Ref is the certificate ARN)."""

from __future__ import annotations

from typing import Any

from moto.acm.models import acm_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register, tags_list


class Certificate(Provider):
    TYPE = "AWS::CertificateManager::Certificate"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = acm_backends[account_id][region]
        arn = backend.request_certificate(
            domain_name=properties["DomainName"],
            idempotency_token=None,
            subject_alt_names=properties.get("SubjectAlternativeNames", []),
            tags=tags_list(properties),
        )
        return Created(arn, {}, lambda: backend.delete_certificate(arn))


def install() -> None:
    register(Certificate)
