// The chat page: the AI SDK's useChat over POST <endpoint>/v1/ui/chat (DefaultChatTransport with this page's auth
// as its fetch), a model picker filled from GET <endpoint>/v1/models, reasoning folded, tool calls shown (the
// optional browser tool runs here and useChat sends its output back), errors shown, a stop button.
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithToolCalls } from "ai";
import { StrictMode, useEffect, useMemo, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { authFetch } from "./auth.js";
import { identityPoolCredentials, missingCognitoSettings, signIn } from "./cognito.js";
import { AUTH_MODES, loadConfig } from "./config.js";

const BROWSER_TOOL = "get_browser_time";
const BROWSER_TOOLS = {
  [BROWSER_TOOL]: {
    description: "The current date and time in the user's browser (ISO 8601)",
    inputSchema: { type: "object", properties: {} },
  },
};
const EFFORTS = ["off", "low", "medium", "high"];

function describeError(error) {
  const status = error?.statusCode ? `HTTP ${error.statusCode}: ` : "";
  return `${status}${error?.message ?? String(error)}`;
}

function Settings({ initial, onApply }) {
  const [draft, setDraft] = useState(initial);
  const field = (name) => ({
    name,
    value: draft[name] ?? "",
    onChange: (event) => setDraft({ ...draft, [name]: event.target.value }),
  });
  return (
    <form
      data-testid="settings"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      <fieldset>
        <legend>Endpoint</legend>
        <label>
          Function URL
          <input {...field("endpoint")} size={36} />
        </label>
        <label>
          Auth
          <select {...field("auth")}>
            {AUTH_MODES.map((mode) => (
              <option key={mode}>{mode}</option>
            ))}
          </select>
        </label>
        {draft.auth === "apikey" && (
          <label>
            API key
            <input {...field("apiKey")} type="password" autoComplete="off" />
          </label>
        )}
        {draft.auth === "sigv4" && (
          <>
            <label>
              Region
              <input {...field("region")} size={10} />
            </label>
            <label>
              Access key id
              <input {...field("accessKeyId")} autoComplete="off" />
            </label>
            <label>
              Secret access key
              <input {...field("secretAccessKey")} type="password" autoComplete="off" />
            </label>
            <label>
              Session token
              <input {...field("sessionToken")} type="password" autoComplete="off" />
            </label>
          </>
        )}
        {draft.auth === "cognito" && (
          <>
            <label>
              Region
              <input {...field("region")} size={10} />
            </label>
            <label>
              User pool id
              <input {...field("userPoolId")} size={22} />
            </label>
            <label>
              App client id
              <input {...field("userPoolClientId")} size={28} />
            </label>
            <label>
              Identity pool id
              <input {...field("identityPoolId")} size={46} />
            </label>
          </>
        )}
        <button type="submit" className="secondary">
          Apply
        </button>
      </fieldset>
    </form>
  );
}

// Sign-in to the user pool (SRP); challenges (a first-time new password, a TOTP code) are asked for in place.
function CognitoSignIn({ settings, onSignedIn }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState(null);
  const [answer, setAnswer] = useState("");
  const [state, setState] = useState({ busy: false, error: null });
  const missing = missingCognitoSettings(settings);
  const respond = (step) =>
    new Promise((resolve, reject) => {
      setAnswer("");
      setChallenge({ ...step, resolve, reject });
    });
  const submit = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null });
    try {
      onSignedIn(await signIn(settings, username, password, respond));
    } catch (error) {
      setChallenge(null);
      setState({ busy: false, error: error?.message ?? String(error) });
    }
  };
  if (missing.length > 0) {
    return (
      <div className="error" role="alert" data-testid="sign-in-error">
        cognito: config.json (or the settings) lacks {missing.join(", ")}
      </div>
    );
  }
  return (
    <form data-testid="sign-in" onSubmit={submit}>
      <fieldset>
        <legend>Sign in</legend>
        <label>
          E-mail
          <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        </label>
        <button type="submit" data-testid="sign-in-submit" disabled={state.busy}>
          Sign in
        </button>
        {challenge && (
          <>
            <label>
              {challenge.kind === "newPassword" ? "New password" : "Authenticator code"}
              <input
                name={challenge.kind}
                type={challenge.kind === "newPassword" ? "password" : "text"}
                value={answer}
                onChange={(e) => setAnswer(e.target.value)}
                autoComplete={challenge.kind === "newPassword" ? "new-password" : "one-time-code"}
              />
            </label>
            <button
              type="button"
              data-testid="challenge-submit"
              onClick={() => {
                challenge.resolve(answer);
                setChallenge(null);
              }}
            >
              Continue
            </button>
          </>
        )}
        {state.error && (
          <div className="error" role="alert" data-testid="sign-in-error">
            {state.error}
          </div>
        )}
      </fieldset>
    </form>
  );
}

function useModels(endpoint, fetchFn) {
  const [state, setState] = useState({ models: [], error: null });
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const response = await fetchFn(`${endpoint}/v1/models`, { method: "GET" });
        const text = await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
        const models = JSON.parse(text).data.map((entry) => entry.id);
        if (live) setState({ models, error: null });
      } catch (error) {
        if (live) setState({ models: [], error: `models: ${error.message}` });
      }
    })();
    return () => {
      live = false;
    };
  }, [endpoint, fetchFn]);
  return state;
}

function Part({ part }) {
  if (part.type === "text") {
    return (
      <div className="text" data-testid="text">
        {part.text}
      </div>
    );
  }
  if (part.type === "reasoning") {
    return (
      <details className="reasoning" data-testid="reasoning">
        <summary>Reasoning{part.state === "streaming" ? "…" : ""}</summary>
        <pre>{part.text}</pre>
      </details>
    );
  }
  if (part.type === "dynamic-tool" || part.type.startsWith("tool-")) {
    const name = part.toolName ?? part.type.slice("tool-".length);
    return (
      <div className="tool" data-testid="tool" data-state={part.state}>
        <strong>tool {name}</strong> <span className="status">{part.state}</span>
        <pre>input: {JSON.stringify(part.input ?? null)}</pre>
        {part.state === "output-available" && <pre>output: {JSON.stringify(part.output)}</pre>}
        {part.errorText && <pre>error: {part.errorText}</pre>}
      </div>
    );
  }
  return null;
}

function Chat({ settings, fetchFn, models }) {
  const [input, setInput] = useState("");
  const [model, setModel] = useState("");
  const [effort, setEffort] = useState("off");
  const [withTool, setWithTool] = useState(false);
  const options = useRef({});
  options.current = {
    ...(model ? { model } : {}),
    ...(effort !== "off" ? { reasoningEffort: effort } : {}),
    ...(withTool ? { tools: BROWSER_TOOLS } : {}),
  };
  const transport = useMemo(
    () =>
      new DefaultChatTransport({
        api: `${settings.endpoint}/v1/ui/chat`,
        fetch: fetchFn,
        body: () => options.current,
      }),
    [settings.endpoint, fetchFn],
  );
  const { messages, sendMessage, status, stop, error, clearError, addToolOutput } = useChat({
    transport,
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithToolCalls,
    onToolCall: ({ toolCall }) => {
      if (toolCall.toolName === BROWSER_TOOL) {
        addToolOutput({ tool: BROWSER_TOOL, toolCallId: toolCall.toolCallId, output: new Date().toISOString() });
      }
    },
  });
  useEffect(() => {
    if (!model && models.length > 0) setModel(models[0]);
  }, [model, models]);
  const busy = status === "submitted" || status === "streaming";
  return (
    <>
      <fieldset>
        <legend>Request</legend>
        <label>
          Model
          <select data-testid="model" value={model} onChange={(event) => setModel(event.target.value)}>
            {models.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reasoning
          <select data-testid="effort" value={effort} onChange={(event) => setEffort(event.target.value)}>
            {EFFORTS.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          <span>
            <input type="checkbox" checked={withTool} onChange={(event) => setWithTool(event.target.checked)} /> offer
            the browser tool {BROWSER_TOOL}
          </span>
        </label>
      </fieldset>
      <div className="messages" data-testid="messages">
        {messages.map((message) => (
          <div key={message.id} className={`message ${message.role}`} data-testid={`message-${message.role}`}>
            <div className="role">{message.role}</div>
            {message.parts.map((part, index) => (
              <Part key={index} part={part} />
            ))}
          </div>
        ))}
      </div>
      {error && (
        <div className="error" role="alert" data-testid="error">
          {describeError(error)}{" "}
          <button type="button" className="secondary" onClick={clearError}>
            Dismiss
          </button>
        </div>
      )}
      <form
        className="composer"
        onSubmit={(event) => {
          event.preventDefault();
          if (!input.trim() || busy) return;
          sendMessage({ text: input });
          setInput("");
        }}
      >
        <textarea
          data-testid="prompt"
          value={input}
          placeholder="Ask something"
          onChange={(event) => setInput(event.target.value)}
        />
        <button type="submit" data-testid="send" disabled={busy}>
          Send
        </button>
        <button type="button" data-testid="stop" className="secondary" disabled={!busy} onClick={() => stop()}>
          Stop
        </button>
      </form>
      <div className="status">
        status: <span data-testid="status">{status}</span>
      </div>
    </>
  );
}

function App() {
  const [settings, setSettings] = useState(null);
  const [version, setVersion] = useState(0);
  const [signedIn, setSignedIn] = useState(null);
  useEffect(() => {
    loadConfig().then(setSettings);
  }, []);
  const fetchFn = useMemo(() => {
    if (!settings) return null;
    if (settings.auth === "cognito") {
      if (!signedIn) return null;
      return authFetch({
        mode: "cognito",
        region: settings.region,
        credentials: identityPoolCredentials(settings, signedIn.user),
      });
    }
    const { accessKeyId = "", secretAccessKey = "", sessionToken = "" } = settings;
    return authFetch({
      mode: settings.auth,
      apiKey: settings.apiKey ?? "",
      region: settings.region,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    });
  }, [settings, signedIn]);
  if (!settings) return <p>Loading settings…</p>;
  return (
    <main>
      <header>
        <h1>bedrock-stream chat</h1>
      </header>
      <Settings
        initial={settings}
        onApply={(next) => {
          setSettings(next);
          setSignedIn(null);
          setVersion(version + 1);
        }}
      />
      {settings.auth === "cognito" &&
        (signedIn ? (
          <p data-testid="signed-in">
            signed in as {signedIn.username}{" "}
            <button type="button" className="secondary" onClick={() => setSignedIn(null)}>
              Sign out
            </button>
          </p>
        ) : (
          <CognitoSignIn key={version} settings={settings} onSignedIn={setSignedIn} />
        ))}
      {fetchFn && <Session key={`${version}-${signedIn?.username ?? ""}`} settings={settings} fetchFn={fetchFn} />}
    </main>
  );
}

function Session({ settings, fetchFn }) {
  const { models, error } = useModels(settings.endpoint, fetchFn);
  return (
    <>
      {error && (
        <div className="error" role="alert" data-testid="models-error">
          {error}
        </div>
      )}
      <Chat settings={settings} fetchFn={fetchFn} models={models} />
    </>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
