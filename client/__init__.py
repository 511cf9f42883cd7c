"""Clients for a bedrock-stream endpoint: signing streaming CLI, URL discovery, httpx SigV4 auth, chat app."""
