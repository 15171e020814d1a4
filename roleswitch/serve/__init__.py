"""The local credential server: `roleswitch serve` and the app's ctrl+s.

SDKs speak the container credentials protocol (`AWS_CONTAINER_CREDENTIALS_FULL_URI`
plus `AWS_CONTAINER_AUTHORIZATION_TOKEN`) and refresh on their own, so a container or
a 10-hour job served from here never holds an expired key. Nothing here is imported
at start-up: only the command and the key that serve.
"""
