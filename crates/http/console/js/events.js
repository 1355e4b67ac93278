// An OpenHands event log rendered for reading: messages, actions with their commands, observations
// with their output, errors and state changes; anything else as its JSON.

import { h, when } from "./dom.js";

function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : part?.text ?? ""))
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

function block(text, label) {
  return text ? h("pre", { class: "output", "aria-label": label }, text) : null;
}

/** What kind of event this is, and what to show of it. */
export function describe(event) {
  const kind = event?.kind || "";
  if (kind === "MessageEvent" || event?.llm_message) {
    const message = event.llm_message || {};
    return {
      kind: "message",
      title: `${event.source || message.role || "someone"} says`,
      body: block(textOf(message.content), "message"),
    };
  }
  if (kind === "ActionEvent" || (event?.action && typeof event.action === "object")) {
    const action = event.action || {};
    const command = action.command ?? action.code ?? action.path ?? null;
    return {
      kind: "action",
      title: `${event.source || "agent"} runs ${action.kind || event.tool_name || "an action"}`,
      body: [textOf(event.thought) ? h("p", { class: "thought" }, textOf(event.thought)) : null,
        block(command, "command")],
    };
  }
  if (kind === "ObservationEvent" || (event?.observation && typeof event.observation === "object")) {
    const observation = event.observation || {};
    const output = observation.output ?? textOf(observation.content) ?? "";
    return {
      kind: "observation",
      title: `${observation.kind || event.tool_name || "observation"}${
        observation.exit_code !== undefined && observation.exit_code !== null ? ` (exit ${observation.exit_code})` : ""
      }`,
      body: block(output, "output"),
    };
  }
  if (kind.includes("Error") || event?.error) {
    return { kind: "error", title: "Error", body: block(String(event.error ?? event.detail ?? ""), "error") };
  }
  if (kind === "ConversationStateUpdateEvent" || event?.key === "execution_status") {
    return {
      kind: "state",
      title: `State: ${event.key ?? "update"} → ${typeof event.value === "object" ? JSON.stringify(event.value) : event.value}`,
      body: null,
    };
  }
  // The V0 shape: {action: "run", args: {command}} and {observation: "run", content}.
  if (typeof event?.action === "string") {
    return {
      kind: "action",
      title: `${event.source || "agent"} ${event.action}`,
      body: block(event.args?.command ?? event.message ?? "", "command"),
    };
  }
  if (typeof event?.observation === "string") {
    return { kind: "observation", title: event.observation, body: block(event.content ?? "", "output") };
  }
  return { kind: "other", title: kind || "event", body: block(JSON.stringify(event, null, 2), "event") };
}

/** One stored event `{id, timestamp, event}` as a list item. */
export function eventItem(stored) {
  const { kind, title, body } = describe(stored.event);
  return h(
    "li",
    { class: `event ${kind}`, dataset: { eventId: String(stored.id) } },
    h("header", {}, h("span", { class: "event-id" }, `#${stored.id}`), h("strong", {}, title),
      h("time", { datetime: stored.timestamp }, when(stored.timestamp))),
    body,
  );
}
