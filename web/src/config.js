// The page's settings: web/dist/config.json (written by whoever serves the page: the emulator's --web-port, or a
// deployment), then query parameters (?endpoint=...&auth=none|apikey|sigv4|cognito&region=...), then these defaults.
// Secrets never come from the URL: an API key, AWS credentials or a password are typed into the page.
// `cognito` also reads the pool ids (userPoolId, userPoolClientId, identityPoolId; hostedUiDomain is passed on but
// unused: the page signs in with SRP) and, for a local stand-in of Cognito, cognitoIdpEndpoint and
// cognitoIdentityEndpoint.

export const AUTH_MODES = ["none", "apikey", "sigv4", "cognito"];
const PASSED_ON = [
  "userPoolId",
  "userPoolClientId",
  "identityPoolId",
  "hostedUiDomain",
  "cognitoIdpEndpoint",
  "cognitoIdentityEndpoint",
];

const DEFAULTS = { endpoint: "http://127.0.0.1:3000", auth: "none", region: "us-east-1" };

async function readConfigFile() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

export async function loadConfig(search = window.location.search) {
  const file = await readConfigFile();
  const query = new URLSearchParams(search);
  const pick = (name) => query.get(name) ?? file[name] ?? DEFAULTS[name];
  const auth = pick("auth");
  return {
    endpoint: String(pick("endpoint")).replace(/\/+$/, ""),
    auth: AUTH_MODES.includes(auth) ? auth : "none",
    region: pick("region"),
    ...Object.fromEntries(PASSED_ON.map((name) => [name, pick(name)]).filter(([, value]) => value != null)),
  };
}
