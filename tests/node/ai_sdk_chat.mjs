// Streams through /v1/chat/completions with the Vercel AI SDK (npm `ai` + `@ai-sdk/openai-compatible`) and prints
// what it saw as one JSON line. Environment: BASE_URL, MODEL, PROMPT, MODE (text or tool).
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { jsonSchema, streamText, tool } from "ai";

const provider = createOpenAICompatible({
  name: "bedrock-stream",
  baseURL: process.env.BASE_URL,
  apiKey: "unused",
  includeUsage: true,
});
const mode = process.env.MODE ?? "text";
const options = { model: provider(process.env.MODEL), prompt: process.env.PROMPT, maxRetries: 0 };
if (mode === "tool") {
  options.tools = {
    get_temperature: tool({
      description: "Temperature of a city",
      inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } } }),
    }),
  };
}
const result = streamText(options);
const parts = [];
const errors = [];
for await (const part of result.fullStream) {
  if (part.type === "text-delta") parts.push(part.text);
  if (part.type === "error") errors.push(String(part.error));
}
const toolCalls = (await result.toolCalls).map((c) => ({ id: c.toolCallId, name: c.toolName, input: c.input }));
const usage = await result.usage;
console.log(
  JSON.stringify({
    deltas: parts.length,
    text: parts.join(""),
    finishReason: await result.finishReason,
    toolCalls,
    inputTokens: usage.inputTokens ?? null,
    outputTokens: usage.outputTokens ?? null,
    errors,
  }),
);
