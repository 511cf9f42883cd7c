// The page's `cognito` auth mode: sign in to the stack's user pool with SRP (amazon-cognito-identity-js, the
// user-pool client of the AWS Amplify project), trade the ID token for temporary AWS credentials from the identity
// pool (fromCognitoIdentityPool: GetId + GetCredentialsForIdentity), keep them until shortly before they expire, and
// hand them to the SigV4 fetch (auth.js) as a credential provider.
//
// Followed: Cognito user pool authentication flow (USER_SRP_AUTH, PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED,
// SOFTWARE_TOKEN_MFA) https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow.html;
// identity pool enhanced flow (GetId, GetCredentialsForIdentity with Logins
// `cognito-idp.<region>.amazonaws.com/<user pool id>`)
// https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html.
//
// Tokens and credentials stay in memory: the user pool client gets its own storage object instead of localStorage,
// so closing or reloading the page signs the user out.
import { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

// What config.json must carry for this mode (besides endpoint and region).
export const COGNITO_SETTINGS = ["userPoolId", "userPoolClientId", "identityPoolId"];

export function missingCognitoSettings(settings) {
  return COGNITO_SETTINGS.filter((name) => !settings[name]);
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  removeItem(key) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

function userPool(settings) {
  return new CognitoUserPool({
    UserPoolId: settings.userPoolId,
    ClientId: settings.userPoolClientId,
    Storage: new MemoryStorage(),
    ...(settings.cognitoIdpEndpoint ? { endpoint: settings.cognitoIdpEndpoint } : {}),
  });
}

// One sign-in attempt. `respond(step)` is called for each challenge the pool asks for and resolves to the answer:
// step.kind "newPassword" (an admin-created user's first sign-in) or "totp" (a code from the authenticator app).
// Resolves to {user, username} once the pool has issued tokens; rejects with the pool's error.
export function signIn(settings, username, password, respond) {
  const pool = userPool(settings);
  // The user keeps its tokens in its own storage (localStorage unless given one): the pool's memory-only one.
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: () => resolve({ user, username }),
      onFailure: reject,
      newPasswordRequired: () => {
        respond({ kind: "newPassword" }).then(
          (newPassword) => user.completeNewPasswordChallenge(newPassword, {}, callbacks),
          reject,
        );
      },
      totpRequired: () => {
        respond({ kind: "totp" }).then((code) => user.sendMFACode(code, callbacks, "SOFTWARE_TOKEN_MFA"), reject);
      },
      mfaRequired: () => reject(new Error("SMS MFA is not offered by this stack's user pool (TOTP only)")),
      mfaSetup: () =>
        reject(new Error("this user must set up a TOTP authenticator first (MFA is required); the page cannot do that")),
      selectMFAType: () => reject(new Error("choose TOTP as the user's MFA method; the page signs in with TOTP only")),
      customChallenge: () => reject(new Error("custom auth challenges are not supported by the page")),
    };
    user.authenticateUser(details, callbacks);
  });
}

// The current ID token; getSession uses the refresh token when the one it holds has expired.
function idToken(user) {
  return new Promise((resolve, reject) => {
    user.getSession((error, session) => (error ? reject(error) : resolve(session.getIdToken().getJwtToken())));
  });
}

// When to fetch new credentials: REFRESH_MARGIN_MS before they expire, or half-way through a shorter lifetime.
function refreshAt(credentials, fetchedAt) {
  if (!credentials.expiration) return Number.POSITIVE_INFINITY;
  const expires = credentials.expiration.getTime();
  return expires - Math.min(REFRESH_MARGIN_MS, (expires - fetchedAt) / 2);
}

// A credential provider for the SigV4 signer: the identity pool's temporary credentials for the signed-in user,
// reused until refreshAt, then fetched again (with a fresh ID token if needed); one request in flight at a time.
export function identityPoolCredentials(settings, user) {
  const provider = fromCognitoIdentityPool({
    identityPoolId: settings.identityPoolId,
    clientConfig: {
      region: settings.region,
      ...(settings.cognitoIdentityEndpoint ? { endpoint: settings.cognitoIdentityEndpoint } : {}),
    },
    logins: { [`cognito-idp.${settings.region}.amazonaws.com/${settings.userPoolId}`]: () => idToken(user) },
  });
  let current = null;
  let until = 0;
  let pending = null;
  return () => {
    if (current && Date.now() < until) return Promise.resolve(current);
    if (!pending) {
      const started = Date.now();
      pending = provider()
        .then((credentials) => {
          current = credentials;
          until = refreshAt(credentials, started);
          return credentials;
        })
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  };
}
