// Agent and LLM settings: the org's defaults (admins edit them and lock fields), each member's own
// overrides (a locked field cannot be overridden, and says so), and what takes effect.

import { api, path } from "./api.js";
import { h, status } from "./dom.js";
import { atLeast } from "./rules.js";

/** The settings a person edits here, with their kinds. */
const FIELDS = [
  ["llm_model", "text", "LLM model"],
  ["llm_base_url", "url", "LLM base URL"],
  ["llm_api_key", "secret", "LLM API key"],
  ["agent", "text", "Agent"],
  ["max_iterations", "number", "Max iterations"],
  ["confirmation_mode", "boolean", "Confirmation mode"],
  ["security_analyzer", "text", "Security analyzer"],
  ["enable_default_condenser", "boolean", "Default condenser"],
  ["sandbox_base_container_image", "text", "Sandbox base image"],
  ["sandbox_runtime_container_image", "text", "Sandbox runtime image"],
  ["max_budget_per_task", "number", "Max budget per task"],
];
const ORG_ONLY = [["conversation_expiration", "number", "Delete idle conversations after (days)"]];

function shown(settings, name, kind) {
  if (kind === "secret") return settings.llm_api_key_set ? "set" : "not set";
  const value = settings[name];
  return value === undefined || value === null ? "—" : String(value);
}

function control(name, kind, value, label, disabled) {
  if (kind === "boolean") {
    return h("select", { name, "aria-label": label, disabled },
      h("option", { value: "", selected: value === undefined || value === null }, "not set"),
      h("option", { value: "true", selected: value === true }, "on"),
      h("option", { value: "false", selected: value === false }, "off"));
  }
  return h("input", {
    name,
    "aria-label": label,
    type: kind === "secret" ? "password" : kind === "number" ? "number" : kind === "url" ? "url" : "text",
    value: kind === "secret" ? "" : value ?? "",
    placeholder: kind === "secret" ? "unchanged" : "not set",
    autocomplete: kind === "secret" ? "new-password" : "off",
    disabled,
  });
}

/** The changed fields of a settings form: "" clears (null), secrets only when typed. */
function changes(formElement, fields, before) {
  const patch = {};
  for (const [name, kind] of fields) {
    const input = formElement.elements.namedItem(name);
    if (!input || input.disabled) continue;
    const raw = input.value;
    if (kind === "secret") {
      if (raw) patch[name] = raw;
      continue;
    }
    const value = raw === "" ? null : kind === "number" ? Number(raw) : kind === "boolean" ? raw === "true" : raw;
    if (value !== (before[name] ?? null)) patch[name] = value;
  }
  return patch;
}

export async function screen(view, org) {
  const base = path("/api/orgs", org.id, "settings");
  const [defaults, mine, effective] = await Promise.all([
    api("GET", base), api("GET", `${base}/me`), api("GET", `${base}/effective`),
  ]);
  const locked = new Set(defaults.locked_fields || []);
  const admin = atLeast(org.role, "admin");
  const reload = (flash) => view.reload(flash);

  const orgRegion = status();
  const orgRows = [...FIELDS, ...ORG_ONLY].map(([name, kind, label]) => h("tr", {},
    h("th", { scope: "row" }, label),
    h("td", {}, control(name, kind, defaults[name], `${label}, org default`, !admin),
      kind === "secret" ? h("small", { class: "hint" }, ` (${shown(defaults, name, kind)})`) : null),
    h("td", {}, h("input", {
      type: "checkbox", name: `lock:${name}`, checked: locked.has(name), disabled: !admin,
      "aria-label": `Lock ${label}`,
    }))));
  const orgForm = h("form", {}, h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Setting"), h("th", { scope: "col" }, "Org default"),
      h("th", { scope: "col" }, "Locked"))),
    h("tbody", {}, orgRows)),
  admin ? h("button", { type: "submit", class: "primary" }, "Save org defaults")
    : h("p", { class: "reason" }, "Only admins and owners change the org's defaults and locks."),
  orgRegion);
  orgForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const patch = changes(orgForm, [...FIELDS, ...ORG_ONLY], defaults);
      const locks = [...FIELDS, ...ORG_ONLY].map(([name]) => name)
        .filter((name) => orgForm.elements.namedItem(`lock:${name}`).checked);
      if ([...locks].sort().join() !== [...locked].sort().join()) patch.locked_fields = locks;
      await api("PATCH", base, patch);
      reload({ message: "Saved: the org's defaults apply to conversations started from now on.", kind: "success" });
    } catch (error) {
      orgRegion.set(error.message, "error");
    }
  });

  const myRegion = status();
  const myRows = FIELDS.map(([name, kind, label], index) => {
    const isLocked = locked.has(name);
    const input = control(name, kind, mine[name], `${label}, your override`, isLocked);
    if (isLocked) input.setAttribute("aria-describedby", `locked-${index}`);
    return h("tr", {},
      h("th", { scope: "row" }, label),
      h("td", {}, input, isLocked ? h("small", { id: `locked-${index}`, class: "reason" }, " Locked by the org's admins.") : null),
      h("td", {}, shown(effective, name, kind)));
  });
  const myForm = h("form", {}, h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Setting"), h("th", { scope: "col" }, "Yours"),
      h("th", { scope: "col" }, "In effect"))),
    h("tbody", {}, myRows)),
  h("button", { type: "submit", class: "primary" }, "Save my overrides"), myRegion);
  myForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", `${base}/me`, changes(myForm, FIELDS, mine));
      reload({ message: "Saved: your overrides apply to conversations you start from now on.", kind: "success" });
    } catch (error) {
      myRegion.set(error.message, "error");
    }
  });

  return h("main", { id: "main" },
    h("h1", {}, "Settings"),
    h("p", {}, "Conversations start with the org's defaults, overlaid by each member's own values where a field is not locked."),
    h("h2", {}, "Org defaults"), orgForm,
    h("h2", {}, "Your overrides"), myForm);
}
