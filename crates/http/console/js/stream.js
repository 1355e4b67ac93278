// Server-Sent Events over fetch, so the access token travels in a header (EventSource cannot send
// one). Reconnects after a dropped connection from the last id seen.

import { accessTokenFor } from "./api.js";

/** Streams that cannot come back: signed out, no longer allowed, or gone. */
const FINAL = new Set([401, 403, 404, 410]);

/**
 * Follows `url` until `signal` aborts, the server sends `event: end`, or the stream is refused for
 * good (resolves `false` then, `true` after `end`). `onEvent(name, data, id)` gets each event's name
 * (`message` by default), its parsed data and its id; `onOpen()` runs each time the stream is
 * (re)connected, so a view can catch up on what happened while it was not; `onWait()` while it
 * waits to reconnect. A reconnect resumes after the last id seen (`start_id` and `Last-Event-ID`),
 * backing off (with `Retry-After` when the server names one).
 */
export async function follow(url, onEvent, signal, { onOpen = () => {}, onWait = () => {} } = {}) {
  let lastId = null;
  let failures = 0;
  let renew = false;
  while (!signal.aborted) {
    let retryAfter = null;
    try {
      const target = new URL(url, location.origin);
      const token = await accessTokenFor({ renew });
      const headers = { Accept: "text/event-stream" };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (lastId !== null) {
        headers["Last-Event-ID"] = lastId;
        if (target.searchParams.has("start_id") && /^\d+$/.test(lastId)) {
          target.searchParams.set("start_id", String(Number(lastId) + 1));
        }
      }
      const response = await fetch(target, { headers, signal });
      // An expired access token: renewed once, then the refusal is final.
      if (response.status === 401 && !renew) {
        renew = true;
        continue;
      }
      renew = false;
      if (FINAL.has(response.status)) return false;
      if (!response.ok || !response.body) {
        retryAfter = Number(response.headers.get("Retry-After")) || null;
        throw new Error(`stream answered ${response.status}`);
      }
      failures = 0;
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
          if (parsed.name === "end") return true;
          try {
            onEvent(parsed.name, parsed.data, parsed.id);
          } catch (error) {
            console.warn("a live update could not be shown", error);
          }
        }
      }
    } catch {
      if (signal.aborted) return false;
    }
    failures += 1;
    onWait();
    const backoff = Math.min(30, 2 ** Math.min(failures, 5)) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, 1000 * (retryAfter ?? backoff)));
  }
  return false;
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
