"""AWS::Cognito::UserPool, UserPoolResourceServer, UserPoolClient and UserPoolDomain through moto's backend.

moto's cognito-idp has the API but no CloudFormation types. Template properties are the API's request
fields, so they are handed over as the resources' configuration (the client's OAuth settings included,
which the token endpoint in relay_emulator.cognito reads).
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import cognitoidp_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register


def _backend(account_id: str, region: str) -> Any:
    return cognitoidp_backends[account_id][region]


class UserPool(Provider):
    """Ref is the pool id."""

    TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = _backend(account_id, region)
        config = {key: value for key, value in properties.items() if key != "UserPoolName"}
        pool = backend.create_user_pool(name, config)
        provider = f"cognito-idp.{region}.amazonaws.com/{pool.id}"
        return Created(
            pool.id,
            {
                "Arn": pool.arn,
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool.id,
            },
            lambda: backend.delete_user_pool(pool.id),
        )


class UserPoolResourceServer(Provider):
    """Ref is the identifier."""

    TYPE = "AWS::Cognito::UserPoolResourceServer"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = _backend(account_id, region)
        pool_id, identifier = properties["UserPoolId"], properties["Identifier"]
        backend.create_resource_server(pool_id, identifier, properties["Name"], properties.get("Scopes", []))
        pool = backend.describe_user_pool(pool_id)
        return Created(identifier, {}, lambda: pool.resource_servers.pop(identifier, None))


class UserPoolClient(Provider):
    """Ref is the client id; ClientSecret is readable by GetAtt, as in CloudFormation."""

    TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = _backend(account_id, region)
        pool_id = properties["UserPoolId"]
        _check_scopes(backend.describe_user_pool(pool_id), properties.get("AllowedOAuthScopes") or [])
        config = {
            key: value for key, value in properties.items() if key not in ("UserPoolId", "GenerateSecret")
        }
        client = backend.create_user_pool_client(
            pool_id, str(properties.get("GenerateSecret", False)).lower() == "true", config
        )
        return Created(
            client.id,
            {"ClientId": client.id, "ClientSecret": client.secret, "Name": properties.get("ClientName", "")},
            lambda: backend.delete_user_pool_client(pool_id, client.id),
        )


class UserPoolDomain(Provider):
    """Ref is the domain prefix."""

    TYPE = "AWS::Cognito::UserPoolDomain"
    ATTRIBUTES = ("CloudFrontDistribution",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = _backend(account_id, region)
        domain = backend.create_user_pool_domain(
            properties["UserPoolId"], properties["Domain"], properties.get("CustomDomainConfig")
        )
        distribution = domain.to_json()["CloudFrontDistribution"]
        return Created(
            properties["Domain"],
            {"CloudFrontDistribution": distribution},
            lambda: backend.delete_user_pool_domain(properties["Domain"]),
        )


def _check_scopes(pool: Any, scopes: list[str]) -> None:
    """Cognito refuses a client whose scopes no resource server of the pool defines (a missing DependsOn)."""
    known = {
        f"{server.identifier}/{scope['ScopeName']}"
        for server in pool.resource_servers.values()
        for scope in server.scopes or []
    }
    unknown = [scope for scope in scopes if scope not in known and "/" in scope]
    if unknown:
        raise ValueError(f"Invalid scope requested: {', '.join(unknown)}")


def install() -> None:
    register(UserPool, UserPoolResourceServer, UserPoolClient, UserPoolDomain)
