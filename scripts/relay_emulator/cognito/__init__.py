"""What moto's cognito-idp lacks: the OAuth 2.0 token endpoint a user pool domain serves."""
