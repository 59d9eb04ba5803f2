"""The token issuer: the stacks define the scopes the API requires and hand the app its issuer."""

from __future__ import annotations

from typing import Any

from app import scopes
from tests.cloudformation.cfn import Child


def _resources(child: Child, kind: str) -> list[dict[str, Any]]:
    return [resource for resource in child.template["Resources"].values() if resource["Type"] == kind]


def _api_scopes() -> set[str]:
    return {scopes.CATALOG_WRITE, scopes.ORDERS_WRITE, scopes.ORDERS_READ, scopes.IMPORTS_WRITE}


def test_the_resource_server_defines_exactly_the_scopes_the_api_requires(children: dict[str, Child]) -> None:
    (server,) = _resources(children["AuthStack"], "AWS::Cognito::UserPoolResourceServer")
    identifier = server["Properties"]["Identifier"]
    defined = {f"{identifier}/{scope['ScopeName']}" for scope in server["Properties"]["Scopes"]}
    assert defined == _api_scopes() == set(scopes.DESCRIPTIONS)


def test_the_pipeline_client_is_a_machine_client_with_a_secret(children: dict[str, Child]) -> None:
    (client,) = _resources(children["AuthStack"], "AWS::Cognito::UserPoolClient")
    properties = client["Properties"]
    assert properties["GenerateSecret"] is True
    assert properties["AllowedOAuthFlows"] == ["client_credentials"]
    assert properties["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(properties["AllowedOAuthScopes"]) <= _api_scopes()
    assert "ExplicitAuthFlows" not in properties  # no user-password logins for a machine
    assert client.get("DependsOn") == "ApiResourceServer"  # Cognito refuses scopes it does not know yet


def test_the_app_reads_its_issuer_audience_and_token_url_from_the_auth_stack(
    root: dict[str, Any], children: dict[str, Child]
) -> None:
    passed = children["AppStack"].resource["Properties"]["Parameters"]
    assert passed["AuthIssuer"] == {"Fn::GetAtt": ["AuthStack", "Outputs.Issuer"]}
    assert passed["AuthAudience"] == {"Fn::GetAtt": ["AuthStack", "Outputs.PipelineClientId"]}
    assert passed["AuthTokenUrl"] == {"Fn::GetAtt": ["AuthStack", "Outputs.TokenUrl"]}
    settings = {
        resource["Properties"]["Name"]["Fn::Sub"].removeprefix("${AppConfigParameterPath}"): resource[
            "Properties"
        ]["Value"]
        for resource in _resources(children["AppStack"], "AWS::SSM::Parameter")
    }
    assert settings["AUTH_ISSUER"] == {"Ref": "AuthIssuer"}
    assert settings["AUTH_AUDIENCE"] == {"Ref": "AuthAudience"}
    assert settings["AUTH_TOKEN_URL"] == {"Ref": "AuthTokenUrl"}


def test_every_region_has_its_own_issuer(root: dict[str, Any]) -> None:
    """No condition on the auth stack: a standby issues and verifies tokens with the primary down."""
    assert "Condition" not in root["Resources"]["AuthStack"]


def test_the_pipeline_reads_its_client_from_one_secret(children: dict[str, Child]) -> None:
    (secret,) = _resources(children["AuthStack"], "AWS::SecretsManager::Secret")
    template, values = secret["Properties"]["SecretString"]["Fn::Sub"]
    assert '"client_id"' in template and '"client_secret"' in template
    assert values["ClientSecret"] == {"Fn::GetAtt": ["PipelineClient", "ClientSecret"]}
