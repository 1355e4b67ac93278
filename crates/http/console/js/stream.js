// Server-Sent Events over fetch, so the access token travels in a header (EventSource cannot send
// one). Reconnects after a dropped connection from the last id seen.

import { api, currentAccessToken } from "./api.js";

async function authorization() {
  // A cheap authenticated call first resumes an expired session.
  await api("GET", "/api/auth/me");
  const token = currentAccessToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Follows `url` until `signal` aborts or the server sends `event: end`. `onEvent(name, data, id)`
 * gets each event's name (`message` by default), its parsed data and its id; `onOpen()` runs each
 * time the stream is (re)connected, so a view can catch up on what happened while it was not.
 */
export async function follow(url, onEvent, signal, onOpen = () => {}) {
  let lastId = null;
  while (!signal.aborted) {
    const headers = { Accept: "text/event-stream", ...(await authorization()) };
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    let ended = false;
    try {
      const response = await fetch(url, { headers, signal });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      await onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let boundary;
        while ((boundary = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const raw = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
          const parsed = parse(raw);
          if (!parsed) continue;
          if (parsed.id !== null) lastId = parsed.id;
          if (parsed.name === "end") {
            ended = true;
            break;
          }
          onEvent(parsed.name, parsed.data, parsed.id);
        }
        if (ended) break;
      }
    } catch (error) {
      if (signal.aborted) return;
    }
    if (ended) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function parse(raw) {
  let name = "message";
  let id = null;
  const data = [];
  for (const line of raw.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (!data.length && name === "message") return null;
  let parsed = data.join("\n");
  try {
    parsed = JSON.parse(parsed);
  } catch {
    // Not JSON: kept as text.
  }
  return { name, data: parsed, id };
}
