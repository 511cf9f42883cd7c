"""Local, offline stand-ins for AWS (dev and test only, never deployed).

A local Function URL front, a local Lambda Runtime API, a process launcher that starts the function as
Lambda would, and a fake Bedrock Runtime speaking the real event-stream wire format. Stdlib only.
"""
