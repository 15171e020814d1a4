"""The pure core of roleswitch: no Textual or Rich imports anywhere below here.

Modules import only the standard library at load time; boto3 is imported lazily
inside `sts` when a role is actually assumed.
"""
