"""Local stand-ins for AWS endpoints moto lacks, used by the demo and the tests.

They speak the real wire protocol and listen on 127.0.0.1 only. The core never
imports them.
"""
