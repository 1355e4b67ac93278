// Conversations: a filtered list that follows changes live, and one conversation's event log that
// follows new events as they are appended.

import { api, path } from "./api.js";
import { actionButton, copyButton, emptyState, field, form, h, money, status, when } from "./dom.js";
import { eventItem } from "./events.js";
import { atLeast } from "./rules.js";
import { follow } from "./stream.js";

/**
 * Keeps `line` telling how a live view's stream stands: `opened` runs (again) on each connection,
 * and `ended` once the stream is over for good (unless the screen was left).
 */
function liveStatus(line, signal, { following, stopped, opened = () => {} }) {
  return {
    onOpen: async () => {
      await opened();
      line.textContent = following;
    },
    onWait: () => {
      line.textContent = "Reconnecting…";
    },
    ended: () => {
      if (!signal.aborted) line.textContent = stopped;
    },
    failed: () => {
      line.textContent = "Live updates stopped.";
    },
  };
}

function matches(conversation, filters, me) {
  if (filters.q && !(conversation.title || "").toLowerCase().includes(filters.q.toLowerCase())) return false;
  if (filters.mine === "true" && conversation.created_by !== me.id) return false;
  return true;
}

function row(org, conversation) {
  return h("tr", { dataset: { conversationId: conversation.id } },
    h("td", {}, h("a", { href: `/orgs/${org.id}/conversations/${conversation.id}`, "data-route": "" },
      conversation.title || "Untitled conversation")),
    h("td", {}, conversation.execution_status || "—"),
    h("td", {}, conversation.event_count ?? 0),
    h("td", {}, money(conversation.accumulated_cost ?? 0)),
    h("td", {}, when(conversation.last_updated_at)));
}

export async function list(view, org) {
  const filters = { q: view.params.q || "", mine: view.params.mine || "" };
  const query = new URLSearchParams({ limit: "50" });
  if (filters.q) query.set("q", filters.q);
  if (filters.mine) query.set("mine", "true");
  const page = await api("GET", `${path("/api/orgs", org.id, "conversations")}?${query}`);
  const region = status();
  const body = h("tbody", { id: "conversation-rows" }, page.items.map((item) => row(org, item)));

  const search = h("input", { type: "search", name: "q", value: filters.q, id: "conversation-search" });
  const mine = h("input", { type: "checkbox", name: "mine", value: "true", checked: filters.mine === "true", id: "conversation-mine" });
  const filterForm = h("form", { class: "inline", role: "search" },
    h("div", { class: "field" }, h("label", { for: "conversation-search" }, "Title contains"), search),
    h("div", { class: "field check" }, mine, h("label", { for: "conversation-mine" }, "Only mine")),
    h("button", { type: "submit" }, "Filter"));
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (search.value) next.set("q", search.value);
    if (mine.checked) next.set("mine", "true");
    view.navigate(`${location.pathname}${next.size ? `?${next}` : ""}`);
  });

  const create = atLeast(org.role, "developer") ? newConversation(view, org) : null;

  const upsert = (conversation) => {
    const existing = body.querySelector(`tr[data-conversation-id="${CSS.escape(conversation.id)}"]`);
    if (!matches(conversation, filters, view.me)) return existing?.remove();
    const fresh = row(org, conversation);
    if (existing) existing.replaceWith(fresh);
    else body.prepend(fresh);
  };
  // Live: changes to conversations this person may read. Once connected (again), the first page is
  // read anew, so nothing that changed before the stream opened is missed.
  const live = h("p", { class: "live", role: "status" }, "Connecting…");
  const listStatus = liveStatus(live, view.signal, {
    following: "Following changes live.",
    stopped: "Live updates stopped: this org is no longer readable here.",
    opened: async () => {
      const fresh = await api("GET", `${path("/api/orgs", org.id, "conversations")}?${query}`);
      for (const item of [...fresh.items].reverse()) upsert(item);
    },
  });
  follow(path("/api/orgs", org.id, "conversations", "stream"), (name, data) => {
    if (name === "deleted" && data?.id) {
      body.querySelector(`tr[data-conversation-id="${CSS.escape(data.id)}"]`)?.remove();
    } else if (name === "conversation" && data?.id) {
      upsert(data);
    }
  }, view.signal, listStatus).then(listStatus.ended, listStatus.failed);

  const more = h("button", { type: "button", hidden: !page.next_cursor }, "Show more");
  let cursor = page.next_cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const older = await api("GET", `${path("/api/orgs", org.id, "conversations")}?${query}&cursor=${encodeURIComponent(cursor)}`);
      for (const item of older.items) {
        if (!body.querySelector(`tr[data-conversation-id="${CSS.escape(item.id)}"]`)) body.append(row(org, item));
      }
      cursor = older.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      region.set(error.message, "error");
    } finally {
      more.disabled = false;
    }
  });

  return h("main", { id: "main" },
    h("div", { class: "title-row" }, h("h1", {}, "Conversations"), create),
    filterForm, region, live,
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Conversations, newest activity first; updates live"),
      h("thead", {}, h("tr", {}, ["Title", "Status", "Events", "Cost", "Last activity"].map((title) => h("th", { scope: "col" }, title)))),
      body),
    more,
    page.items.length === 0 ? emptyState(filters.q || filters.mine
      ? "No conversation matches these filters."
      : "No conversations yet. Start one above, or run an agent with an API key of this org.") : null);
}

/** A new conversation: its title and who may read it, asked in place. */
function newConversation(view, org) {
  const details = h("details", { class: "new-conversation" }, h("summary", { class: "button primary" }, "New conversation"),
    form([
      field("Title", h("input", { name: "title", maxlength: 200, placeholder: "What should the agent do?" })),
      field("Who may read it", h("select", { name: "visibility" },
        h("option", { value: "private" }, "Only me (and the org's admins)"),
        h("option", { value: "org" }, "Everyone in the org"))),
    ], "Create", async (data) => {
      const title = String(data.get("title") || "").trim();
      const created = await api("POST", path("/api/orgs", org.id, "conversations"), {
        title: title || undefined,
        visibility: data.get("visibility"),
      });
      view.navigate(`/orgs/${org.id}/conversations/${created.id}`, {
        flash: { message: "The conversation is created.", kind: "success" },
      });
    }));
  return details;
}

export async function detail(view, org, id) {
  const conversation = await api("GET", path("/api/orgs", org.id, "conversations", id));
  const log = h("ol", { class: "events", "aria-label": "Events", "aria-live": "polite" });
  let next = 0;
  // Everything stored so far, page by page.
  for (;;) {
    const page = await api("GET", `${path("/api/orgs", org.id, "conversations", id, "events")}?start_id=${next}&limit=1000`);
    for (const item of page.items) log.append(eventItem(item));
    if (page.items.length) next = page.items.at(-1).id + 1;
    if (page.next_start_id === null || page.next_start_id === undefined || view.signal.aborted) break;
    next = page.next_start_id;
  }
  // Everything that may fail is read before the live streams open.
  const mayChange = conversation.created_by === view.me.id || atLeast(org.role, "admin");
  const managePanel = mayChange ? await manage(view, org, conversation) : null;
  const live = h("p", { class: "live", role: "status" }, "Connecting…");
  const logStatus = liveStatus(live, view.signal, {
    following: "Following new events live.",
    stopped: "This conversation is no longer readable here.",
  });
  follow(`${path("/api/orgs", org.id, "conversations", id, "events", "stream")}?start_id=${next}`, (name, data) => {
    if (name !== "message" || typeof data?.id !== "number") return;
    if (log.querySelector(`li[data-event-id="${data.id}"]`)) return;
    log.append(eventItem(data));
    if (log.previousElementSibling?.classList.contains("empty")) log.previousElementSibling.remove();
  }, view.signal, logStatus).then(logStatus.ended, logStatus.failed);
  // The header follows the conversation's changes (status, cost, tokens) from the org's live list.
  const header = h("dl", { class: "facts", id: "conversation-facts" });
  const title = h("h1", {}, conversation.title || "Untitled conversation");
  const drawHeader = (current) => {
    title.textContent = current.title || "Untitled conversation";
    header.replaceChildren(
      h("dt", {}, "Status"), h("dd", {}, current.execution_status || "—"),
      h("dt", {}, "Model"), h("dd", {}, current.llm_model || "—"),
      h("dt", {}, "Cost"), h("dd", { "data-fact": "cost" }, money(current.accumulated_cost ?? 0)),
      h("dt", {}, "Tokens"), h("dd", { "data-fact": "tokens" }, String(current.total_tokens ?? 0)),
      h("dt", {}, "Events"), h("dd", {}, String(current.event_count ?? 0)),
      h("dt", {}, "Who may read it"), h("dd", {}, current.visibility === "org" ? "everyone in the org" : "its creator and admins"));
  };
  drawHeader(conversation);
  follow(path("/api/orgs", org.id, "conversations", "stream"), (name, data) => {
    if (name === "conversation" && data?.id === id) drawHeader(data);
  }, view.signal, { onOpen: async () => drawHeader(await api("GET", path("/api/orgs", org.id, "conversations", id))) })
    .catch(() => {});
  return h("main", { id: "main" },
    h("p", {}, h("a", { href: `/orgs/${org.id}/conversations`, "data-route": "" }, "← Conversations")),
    title, header,
    managePanel,
    live, log.childElementCount ? log : [emptyState("No events yet: they appear here as the agent works."), log]);
}

/** Renaming, who may read it, share links and deletion: for its creator and the org's admins. */
async function manage(view, org, conversation) {
  const base = path("/api/orgs", org.id, "conversations", conversation.id);
  const region = status();
  const settings = form([
    field("Title", h("input", { name: "title", value: conversation.title ?? "", maxlength: 200 })),
    field("Who may read it", h("select", { name: "visibility" },
      h("option", { value: "private", selected: conversation.visibility !== "org" }, "Only its creator (and the org's admins)"),
      h("option", { value: "org", selected: conversation.visibility === "org" }, "Everyone in the org"))),
  ], "Save", async (data) => {
    await api("PATCH", base, { title: String(data.get("title")).trim(), visibility: data.get("visibility") });
    view.reload({ message: "The conversation is saved.", kind: "success" });
  });
  settings.classList.add("inline");
  const { items: shares } = await api("GET", `${base}/shares`);
  const shareReveal = h("div", { class: "reveal", hidden: true });
  const share = actionButton("Create a share link", async () => {
    const created = await api("POST", `${base}/shares`, {});
    const value = h("input", { type: "text", readonly: true, value: created.url, class: "secret-value" });
    shareReveal.replaceChildren(
      h("p", { class: "notice" }, "Anyone with this link can read the conversation (not its cost). It is shown this once."),
      field("Share link", value), copyButton("Copy the link", () => created.url, region));
    shareReveal.hidden = false;
    value.select();
  }, region);
  const remove = actionButton("Delete the conversation", async () => {
    if (!confirm(`Delete “${conversation.title || "Untitled conversation"}” and all its events?`)) return;
    await api("DELETE", base);
    view.navigate(`/orgs/${org.id}/conversations`, { flash: { message: "The conversation is deleted.", kind: "success" } });
  }, region, { class: "danger" });
  return h("details", { class: "manage" }, h("summary", {}, "Manage this conversation"),
    settings,
    h("h2", {}, "Share links"),
    shares.length === 0 ? emptyState("No live share links.") : h("ul", { class: "shares" }, shares.map((link) => h("li", {},
      `Created ${when(link.created_at)}${link.expires_at ? `, expires ${when(link.expires_at)}` : ""} `,
      actionButton("Revoke", async () => {
        if (!confirm("Revoke this share link? Whoever holds it can no longer read the conversation.")) return;
        await api("DELETE", `${base}/shares/${encodeURIComponent(link.id)}`);
        view.reload({ message: "The share link is revoked.", kind: "success" });
      }, region, { class: "danger" })))),
    share, shareReveal,
    h("h2", {}, "Delete"), remove, region);
}
