"""CDK constructs and the stack for bedrock-stream. Never imports function code; only points at its folder."""
