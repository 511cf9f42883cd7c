// Streams through /v1/ui/chat with the AI SDK's own UI client pieces (npm `ai`): DefaultChatTransport sends the
// body useChat sends and parses the answer with the SDK's strict UI message chunk schema; readUIMessageStream builds
// the UIMessage from the chunks. A part the schema refuses or an `error` part lands in `errors`. Prints one JSON line.
// Environment: URL (the /v1/ui/chat address), PROMPT, BODY (JSON: extra body fields), FOLLOW_UP ("1": after a tool
// call, send the tool's output back as useChat does and stream the next answer).
import { DefaultChatTransport, readUIMessageStream } from "ai";

const transport = new DefaultChatTransport({ api: process.env.URL, body: JSON.parse(process.env.BODY ?? "{}") });

async function turn(messages) {
  const stream = await transport.sendMessages({
    chatId: "chat-1",
    messages,
    trigger: "submit-message",
    messageId: undefined,
    abortSignal: undefined,
  });
  const chunks = [];
  const errors = [];
  const [forChunks, forMessage] = stream.tee();
  const collecting = (async () => {
    for await (const chunk of forChunks) chunks.push(chunk);
  })();
  let message;
  try {
    for await (const m of readUIMessageStream({ stream: forMessage, onError: (e) => errors.push(String(e)) })) {
      message = m;
    }
    await collecting;
  } catch (e) {
    errors.push(`thrown: ${e}`); // the body cut after an in-band error, or a chunk the schema refused
  }
  return { chunks, message, errors };
}

const user = { id: "u1", role: "user", parts: [{ type: "text", text: process.env.PROMPT }] };
const first = await turn([user]);
const out = {
  types: first.chunks.map((c) => c.type),
  finish: first.chunks.find((c) => c.type === "finish") ?? null,
  parts: first.message?.parts ?? [],
  errors: first.errors,
};
if (process.env.FOLLOW_UP === "1") {
  const assistant = structuredClone(first.message);
  for (const part of assistant.parts) {
    if (part.type.startsWith("tool-")) Object.assign(part, { state: "output-available", output: { temperature: 21 } });
  }
  const second = await turn([user, assistant]);
  out.followUp = { types: second.chunks.map((c) => c.type), parts: second.message?.parts ?? [], errors: second.errors };
}
console.log(JSON.stringify(out));
