// Sandboxes: the agent servers of this org, started, paused, resumed and deleted here.

import { api, path } from "./api.js";
import { actionButton, emptyState, field, form, h, status, when } from "./dom.js";
import { atLeast } from "./rules.js";

export async function screen(view, org) {
  const region = status();
  const [{ items }, specs] = await Promise.all([
    api("GET", path("/api/orgs", org.id, "sandboxes")),
    api("GET", path("/api/orgs", org.id, "sandbox-specs")),
  ]);
  const act = (label, sandbox, verb, done) => actionButton(label, async () => {
    if (verb === "delete") {
      if (!confirm(`Delete the sandbox ${sandbox.name}? Its agent server stops and its workspace is removed.`)) return;
      await api("DELETE", path("/api/orgs", org.id, "sandboxes", sandbox.id));
    } else {
      await api("POST", path("/api/orgs", org.id, "sandboxes", sandbox.id, verb));
    }
    view.reload({ message: `${sandbox.name} ${done}.`, kind: "success" });
  }, region, { class: verb === "delete" ? "danger" : "", "aria-label": `${label} ${sandbox.name}` });
  const rows = items.map((sandbox) => {
    const provisioned = sandbox.status !== null && sandbox.status !== undefined;
    const live = sandbox.status === "RUNNING" || sandbox.status === "STARTING";
    return h("tr", {},
      h("td", {}, sandbox.name),
      h("td", {}, provisioned ? h("span", { class: `tag state-${sandbox.status.toLowerCase()}` }, sandbox.status.toLowerCase()) : "registered"),
      h("td", {}, when(sandbox.created_at)),
      h("td", { class: "actions" },
        provisioned && live ? act("Pause", sandbox, "pause", "is paused; its workspace is kept") : null,
        provisioned && !live ? act("Resume", sandbox, "resume", "is starting again") : null,
        act("Delete", sandbox, "delete", "is deleted")));
  });
  const start = atLeast(org.role, "developer") && specs.items.length > 0
    ? form([
      field("Name", h("input", { name: "name", maxlength: 100, placeholder: "optional" })),
      specs.items.length > 1 ? field("Launch settings", h("select", { name: "spec" },
        specs.items.map((spec) => h("option", { value: spec.id }, spec.id)))) : null,
    ], "Start a sandbox", async (data) => {
      const name = String(data.get("name") || "").trim();
      const created = await api("POST", path("/api/orgs", org.id, "sandboxes"), {
        name: name || undefined,
        spec: data.get("spec") || undefined,
      });
      view.reload({ message: `${created.name} is starting.`, kind: "success" });
    })
    : h("p", { class: "reason" }, specs.items.length === 0
      ? "This server starts no sandboxes: agent servers run elsewhere register here."
      : "Viewers cannot start sandboxes.");
  if (start.classList) start.classList.add("inline");
  return h("main", { id: "main" },
    h("h1", {}, "Sandboxes"),
    h("p", {}, atLeast(org.role, "admin") ? "Every sandbox of the org." : "Your sandboxes in this org."),
    start, region,
    items.length === 0 ? emptyState("No sandboxes yet. A sandbox runs an agent server for your conversations.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "Sandboxes and what you may do with them"),
      h("thead", {}, h("tr", {}, ["Name", "State", "Created", "Actions"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, rows)));
}
