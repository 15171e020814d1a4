"""IAM Identity Center (SSO): sessions from the config files, device sign-in, the AWS CLI's
token cache, account and role discovery, and role credentials from the portal.

boto3 and botocore are imported only inside the functions that call AWS, so listing
sessions costs a command nothing.
"""
