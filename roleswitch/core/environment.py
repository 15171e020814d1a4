"""The AWS environment variables that choose credentials, files or endpoints.

One list, because three places must agree on it: `roleswitch exec` removes the
credential choosers before it adds the role's own, the demo clears the ones
that could reach the person's real AWS setup, and the tests clear all of them
so nothing on the machine leaks in.
"""

from __future__ import annotations

# Variables that make an SDK pick other credentials than the ones it is handed.
CREDENTIAL_CHOOSERS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)

# Variables that point an SDK (or roleswitch) at other endpoints and files.
ENDPOINTS_AND_FILES = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_ORGANIZATIONS",
    "AWS_CA_BUNDLE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ROLESWITCH_FEDERATION_ENDPOINT",
)

# roleswitch's own file locations.
ROLESWITCH_LOCATIONS = (
    "ROLESWITCH_CONFIG",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "ROLESWITCH_CACHE_DIR",
    "XDG_STATE_HOME",
    "ROLESWITCH_STATE_DIR",
)

ALL_AWS_AND_ROLESWITCH = CREDENTIAL_CHOOSERS + ENDPOINTS_AND_FILES + ROLESWITCH_LOCATIONS
