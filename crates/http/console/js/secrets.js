// Secrets: names and descriptions only; a value is written, never read back.

import { api, path } from "./api.js";
import { actionButton, emptyState, field, form, h, status, when, withReason } from "./dom.js";
import { atLeast } from "./rules.js";

export async function screen(view, org) {
  const region = status();
  const { items } = await api("GET", path("/api/orgs", org.id, "secrets"));
  const reload = (flash) => view.reload(flash);
  const scopes = [
    atLeast(org.role, "developer") ? "user" : null,
    atLeast(org.role, "admin") ? "org" : null,
  ].filter(Boolean);
  const write = scopes.length
    ? form(
      [
        field("Name", h("input", { name: "name", required: true, pattern: "[A-Za-z_][A-Za-z0-9_]*", maxlength: 100 }),
          "Letters, digits and underscores, as an environment variable."),
        field("Value", h("input", { name: "value", type: "password", required: true, autocomplete: "new-password" }),
          "Stored encrypted; nobody can read it here afterwards."),
        field("Description", h("input", { name: "description", maxlength: 500 })),
        field("Scope", h("select", { name: "scope" }, scopes.map((scope) => h("option", { value: scope },
          scope === "user" ? "mine (user)" : "everyone in the org (org)")))),
      ],
      "Save secret",
      async (data) => {
        await api("PUT", path("/api/orgs", org.id, "secrets", data.get("name")), {
          value: data.get("value"),
          description: data.get("description") || undefined,
          scope: data.get("scope"),
        });
        reload({ message: `The secret ${data.get("name")} is saved.`, kind: "success" });
      })
    : h("p", { class: "reason" }, "Viewers cannot write secrets.");
  return h("main", { id: "main" },
    h("h1", {}, "Secrets"),
    write, region,
    items.length === 0 ? emptyState("No secrets yet. Agents get a secret's value as an environment variable of that name.") : h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Scope", "Description", "Updated"].map((title) => h("th", { scope: "col" }, title)),
        h("th", { scope: "col" }, "Actions"))),
      h("tbody", {}, items.map((secret) => {
        const allowed = secret.scope === "org" ? atLeast(org.role, "admin") : atLeast(org.role, "developer");
        const remove = actionButton("Delete", async () => {
          if (!confirm(`Delete the secret ${secret.name}?`)) return;
          await api("DELETE", `${path("/api/orgs", org.id, "secrets", secret.name)}?scope=${secret.scope}`);
          reload({ message: `The secret ${secret.name} is deleted.`, kind: "success" });
        }, region, { class: "danger", "aria-label": `Delete ${secret.name}` });
        const refusal = allowed ? null : secret.scope === "org"
          ? "Only admins and owners change the org's secrets."
          : "Viewers cannot change secrets.";
        return h("tr", {}, h("td", {}, h("code", {}, secret.name)), h("td", {}, secret.scope),
          h("td", {}, secret.description || "—"), h("td", {}, when(secret.updated_at)), h("td", {}, withReason(remove, refusal)));
      }))));
}
