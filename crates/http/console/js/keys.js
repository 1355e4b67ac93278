// API keys: create (the key is shown once, with a copy button) and revoke.

import { api, path } from "./api.js";
import { actionButton, field, form, h, status, when } from "./dom.js";
import { atLeast } from "./rules.js";

export async function screen(view, org) {
  const region = status();
  const all = atLeast(org.role, "admin");
  const { items } = await api("GET", `${path("/api/orgs", org.id, "api-keys")}${all ? "?all=true" : ""}`);
  const reveal = h("div", { class: "reveal", hidden: true });
  const reload = () => view.reload();
  const rows = h("tbody", {}, items.map((key) => row(org, key, region, reload)));

  const create = atLeast(org.role, "developer")
    ? form([field("Name", h("input", { name: "name", required: true, maxlength: 100 }))], "Create key",
      async (data, formRegion) => {
        const created = await api("POST", path("/api/orgs", org.id, "api-keys"), { name: data.get("name") });
        const value = h("input", { type: "text", readonly: true, value: created.key, class: "secret-value" });
        const copy = h("button", { type: "button" }, "Copy");
        copy.addEventListener("click", async () => {
          value.select();
          try {
            await navigator.clipboard.writeText(created.key);
            formRegion.set("Copied.", "success");
          } catch {
            formRegion.set("Select the key and copy it yourself.", "info");
          }
        });
        reveal.replaceChildren(
          h("p", { class: "notice" }, "This key is shown this once. Copy it now: it is stored only as a hash."),
          field(`Key “${created.name}”`, value), copy);
        reveal.hidden = false;
        value.focus();
        value.select();
        rows.prepend(row(org, created, region, reload));
      })
    : h("p", { class: "reason" }, "Viewers cannot create API keys.");

  return h("main", { id: "main" },
    h("h1", {}, "API keys"),
    h("p", {}, "Keys act for you in this org only, with at most your role. Revoking one stops it at its next request."),
    create, reveal, region,
    h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Prefix", "Created", "Last used", "Expires"].map((title) => h("th", { scope: "col" }, title)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      rows));
}

function row(org, key, region, reload) {
  return h("tr", {},
    h("td", {}, key.name), h("td", {}, h("code", {}, key.prefix)), h("td", {}, when(key.created_at)),
    h("td", {}, when(key.last_used_at)), h("td", {}, key.expires_at ? when(key.expires_at) : "never"),
    h("td", {}, actionButton("Revoke", async () => {
      if (!confirm(`Revoke the key “${key.name}”? Whatever uses it stops working.`)) return;
      await api("DELETE", path("/api/orgs", org.id, "api-keys", key.id));
      reload();
    }, region, { class: "danger", "aria-label": `Revoke ${key.name}` })));
}
