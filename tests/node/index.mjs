// Test handlers for AWS's Node.js runtime interface client (npm aws-lambda-ric), used as an independent peer of
// the emulator. Routes by rawPath (Function URL event) or by event.route (direct invoke).
/* global awslambda */

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const path = event.rawPath ?? event.route ?? "/stream";
  const query = event.queryStringParameters ?? {};
  const lines = Number(query.lines ?? 5);
  const delay = Number(query.delay_ms ?? 50);

  if (path === "/fail-before") {
    // Thrown before any write: the RIC ends the streamed response with trailers and no prelude.
    throw new Error("failed before the first write");
  }
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: Number(query.status ?? 200),
    headers: { "content-type": "text/plain; charset=utf-8", "x-demo": "node" },
    cookies: ["a=1; Path=/", "b=2; HttpOnly"],
  });
  for (let i = 0; i < lines; i += 1) {
    stream.write(`line ${i}\n`);
    if (path === "/fail-mid" && i === 1) {
      throw new Error("failed in the middle");
    }
    await sleep(delay);
  }
  stream.end();
});
