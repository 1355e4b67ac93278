// API keys: create (with an expiry and scopes; the key is shown once, with a copy button), see whose
// each key is, and revoke.

import { api, path } from "./api.js";
import { actionButton, copyButton, day, emptyState, field, form, h, status, when } from "./dom.js";
import { atLeast } from "./rules.js";

/** Expiry choices, in days (0: never). */
const LIFETIMES = [[30, "in 30 days"], [90, "in 90 days"], [365, "in a year"], [0, "never"]];
/** Scopes a key may carry beyond acting as its owner. */
const SCOPES = [["secrets:read", "Read conversation secrets (for an agent runtime)"]];

export async function screen(view, org) {
  const region = status();
  const all = atLeast(org.role, "admin");
  const [{ items }, members] = await Promise.all([
    api("GET", `${path("/api/orgs", org.id, "api-keys")}${all ? "?all=true" : ""}`),
    api("GET", path("/api/orgs", org.id, "members")),
  ]);
  const owners = new Map(members.items.map((member) => [member.user_id, member.name || member.email]));
  owners.set(view.me.id, "you");
  const reveal = h("div", { class: "reveal", hidden: true });
  const rows = h("tbody", {}, items.map((key) => row(view, org, key, region, owners)));

  const create = atLeast(org.role, "developer")
    ? form([
      field("Name", h("input", { name: "name", required: true, maxlength: 100 }), "Say what uses it: “ci-bot for repo X”."),
      field("Expires", h("select", { name: "lifetime" },
        LIFETIMES.map(([days, label]) => h("option", { value: String(days), selected: days === 90 }, label)))),
      h("fieldset", {}, h("legend", {}, "Scopes"),
        SCOPES.map(([scope, label]) => h("div", { class: "field check" },
          h("input", { type: "checkbox", name: "scopes", value: scope, id: `scope-${scope}` }),
          h("label", { for: `scope-${scope}` }, label)))),
    ], "Create key",
    async (data, formRegion) => {
      const days = Number(data.get("lifetime"));
      const created = await api("POST", path("/api/orgs", org.id, "api-keys"), {
        name: data.get("name"),
        expires_at: days ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined,
        scopes: data.getAll("scopes"),
      });
      const value = h("input", { type: "text", readonly: true, value: created.key, class: "secret-value" });
      reveal.replaceChildren(
        h("p", { class: "notice" }, "This key is shown this once. Copy it now: it is stored only as a hash."),
        field(`Key “${created.name}”`, value), copyButton("Copy", () => created.key, formRegion));
      reveal.hidden = false;
      value.focus();
      value.select();
      document.getElementById("keys-empty")?.remove();
      rows.prepend(row(view, org, created, region, owners));
    })
    : h("p", { class: "reason" }, "Viewers cannot create API keys.");

  return h("main", { id: "main" },
    h("h1", {}, "API keys"),
    h("p", {}, "Keys act for their owner in this org only, with at most the owner's role. Revoking one stops it at its next request."),
    create, reveal, region,
    h("table", {},
      h("caption", { class: "visually-hidden" }, all ? "Every key of the org" : "Your keys"),
      h("thead", {}, h("tr", {}, ["Name", "Owner", "Prefix", "Scopes", "Created", "Last used", "Expires", "Actions"]
        .map((title) => h("th", { scope: "col" }, title)))),
      rows),
    items.length === 0
      ? Object.assign(emptyState("No keys yet. A key lets a script or CI job use the API as you."), { id: "keys-empty" })
      : null);
}

function row(view, org, key, region, owners) {
  return h("tr", {},
    h("td", {}, key.name), h("td", {}, owners.get(key.user_id) ?? "a former member"),
    h("td", {}, h("code", {}, key.prefix)),
    h("td", {}, key.scopes?.length ? key.scopes.join(", ") : "—"),
    h("td", {}, day(key.created_at)),
    h("td", {}, key.last_used_at ? when(key.last_used_at) : "never"),
    h("td", {}, key.expires_at ? day(key.expires_at) : "never"),
    h("td", {}, actionButton("Revoke", async () => {
      if (!confirm(`Revoke the key “${key.name}”? Whatever uses it stops working.`)) return;
      await api("DELETE", path("/api/orgs", org.id, "api-keys", key.id));
      view.reload({ message: `The key “${key.name}” is revoked.`, kind: "success" });
    }, region, { class: "danger", "aria-label": `Revoke ${key.name}` })));
}
