"""bedrock-stream: a Lambda Function URL handler that streams Amazon Bedrock output as it is generated."""
