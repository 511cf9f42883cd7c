// Auth modes as custom fetch functions for DefaultChatTransport (and the model list):
//   none    plain fetch (make dev);
//   apikey  `x-api-key: <key>`: the one key header that survives every front door (CloudFront's origin access
//           control overwrites Authorization, API Gateway reads only x-api-key), and the function accepts it;
//   sigv4   AWS Signature V4 for a Function URL with AuthType AWS_IAM: service `lambda`, the URL's region, the
//           body's SHA-256 sent and signed as x-amz-content-sha256, temporary credentials' session token as
//           x-amz-security-token (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). `credentials` is
//           {accessKeyId, secretAccessKey, sessionToken?} or an async function returning them (a Cognito identity
//           pool's temporary credentials, say), as @smithy/signature-v4 takes them;
//   cognito the same SigV4 fetch, with the identity pool's credentials for the signed-in user (cognito.js) as the
//           provider.
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export const SIGNING_SERVICE = "lambda";

function headerObject(headers) {
  const out = {};
  new Headers(headers ?? {}).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function requestUrl(input) {
  return new URL(typeof input === "string" || input instanceof URL ? input : input.url, window.location.href);
}

export const API_KEY_HEADER = "x-api-key";

export function apiKeyFetch(apiKey) {
  return (input, init = {}) =>
    fetch(input, { ...init, headers: { ...headerObject(init.headers), [API_KEY_HEADER]: apiKey } });
}

async function sha256Hex(body) {
  const hash = new Sha256();
  hash.update(body);
  const digest = await hash.digest();
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function sigv4Fetch(credentials, region) {
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region, credentials, sha256: Sha256 });
  return async (input, init = {}) => {
    if (init.body != null && typeof init.body !== "string") {
      throw new TypeError("sigv4Fetch signs string bodies only");
    }
    const url = requestUrl(input);
    const method = (init.method ?? "GET").toUpperCase();
    const body = init.body ?? "";
    const headers = { ...headerObject(init.headers), host: url.host };
    headers["x-amz-content-sha256"] = await sha256Hex(body);
    const query = {};
    url.searchParams.forEach((value, name) => {
      query[name] = value;
    });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers,
      body: body || undefined,
    });
    const { host: _host, ...sendable } = signed.headers; // the browser sends Host itself (the same value)
    return fetch(url, { ...init, method, headers: sendable });
  };
}

export function authFetch({ mode, apiKey, credentials, region }) {
  if (mode === "apikey") return apiKeyFetch(apiKey);
  if (mode === "sigv4" || mode === "cognito") return sigv4Fetch(credentials, region);
  return (input, init) => fetch(input, init);
}
