// The org itself: its name and contact, single sign-on, the sign-in policy, and deleting it.

import { api, path } from "./api.js";
import { actionButton, field, form, h, status, withReason } from "./dom.js";
import { atLeast } from "./rules.js";

export async function screen(view, org) {
  const admin = atLeast(org.role, "admin");
  const [details, sso, policy] = await Promise.all([
    api("GET", path("/api/orgs", org.id)),
    admin && !org.personal ? api("GET", path("/api/orgs", org.id, "sso")).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    }) : null,
    admin && !org.personal ? api("GET", path("/api/orgs", org.id, "policy")) : null,
  ]);
  return h("main", { id: "main" },
    h("h1", {}, `About ${details.name}`),
    nameForm(view, org, details, admin),
    admin && !org.personal ? [h("h2", {}, "Single sign-on"), ssoForm(view, org, sso)] : null,
    admin && !org.personal ? [h("h2", {}, "Sign-in policy"), policyForm(view, org, policy)] : null,
    h("h2", {}, "Delete this org"), deletion(view, org, details));
}

function nameForm(view, org, details, admin) {
  const text = (name, value, props = {}) => h("input", { name, value: value ?? "", disabled: !admin, ...props });
  const fields = [
    field("Org name", text("name", details.name, { required: true, maxlength: 100 })),
    field("Contact name", text("contact_name", details.contact_name, { maxlength: 200 })),
    field("Contact email", text("contact_email", details.contact_email, { type: "email", maxlength: 254 })),
  ];
  if (!admin) return [fields, h("p", { class: "reason" }, "Only admins and owners change the org's name.")];
  return form(fields, "Save", async (data) => {
    const optional = (name) => (String(data.get(name)).trim() === "" ? null : String(data.get(name)).trim());
    const saved = await api("PATCH", path("/api/orgs", org.id), {
      name: String(data.get("name")).trim(),
      contact_name: optional("contact_name"),
      contact_email: optional("contact_email"),
    });
    await view.reloadOrgs();
    view.reload({ message: `Saved: the org is called ${saved.name}.`, kind: "success" });
  });
}

const ROLE_CHOICES = ["viewer", "developer", "admin"];

function ssoForm(view, org, sso) {
  const region = status();
  const list = (values) => (values || []).join(", ");
  const provider = form([
    field("Issuer", h("input", { name: "issuer", type: "url", required: true, value: sso?.issuer ?? "", placeholder: "https://login.example.com" })),
    field("Client id", h("input", { name: "client_id", required: true, value: sso?.client_id ?? "" })),
    field("Client secret", h("input", { name: "client_secret", type: "password", autocomplete: "off", required: !sso }),
      sso ? "Stored and never shown: leave empty to keep it." : "Stored sealed and never shown again."),
    field("Allowed email domains", h("input", { name: "allowed_domains", value: list(sso?.allowed_domains), placeholder: "example.com" }),
      "Comma-separated. People of these domains may join through the provider."),
    field("Role of people who join this way", h("select", { name: "default_role" },
      ROLE_CHOICES.map((role) => h("option", { value: role, selected: (sso?.default_role ?? "developer") === role }, role)))),
  ], sso ? "Save provider" : "Add provider", async (data) => {
    const secret = String(data.get("client_secret"));
    await api("PUT", path("/api/orgs", org.id, "sso"), {
      issuer: String(data.get("issuer")).trim(),
      client_id: String(data.get("client_id")).trim(),
      client_secret: secret === "" ? undefined : secret,
      allowed_domains: splitList(data.get("allowed_domains")),
      default_role: data.get("default_role"),
    });
    view.reload({ message: "The single sign-on provider is saved.", kind: "success" });
  });
  const facts = sso ? h("dl", { class: "facts" },
    h("dt", {}, "Sign-in link"), h("dd", {}, h("code", { class: "wrap" }, sso.start_url)),
    h("dt", {}, "Redirect URI to register"), h("dd", {}, h("code", { class: "wrap" }, sso.redirect_uri))) : null;
  const remove = sso ? actionButton("Remove provider", async () => {
    if (!confirm("Remove the single sign-on provider? Its members sign in with passwords again.")) return;
    await api("DELETE", path("/api/orgs", org.id, "sso"));
    view.reload({ message: "The single sign-on provider is removed.", kind: "success" });
  }, region, { class: "danger" }) : null;
  return [sso ? null : h("p", { class: "empty" }, "No provider yet: members sign in with passwords."), facts, provider, remove, region];
}

function splitList(raw) {
  return String(raw || "").split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
}

function policyForm(view, org, policy) {
  const check = (name, label, hint) => h("div", { class: "field check" },
    h("input", { type: "checkbox", name, id: `policy-${name}`, checked: Boolean(policy[name]) }),
    h("label", { for: `policy-${name}` }, label), h("small", { class: "hint" }, hint));
  return form([
    check("require_mfa", "Require two-factor sign-in", "Members without it are refused until they turn it on."),
    check("require_sso", "Require single sign-on", "Password sessions are refused here; API keys still work."),
    field("Allowed email domains of members", h("input", { name: "allowed_email_domains", value: (policy.allowed_email_domains || []).join(", ") }),
      "Comma-separated; empty allows any address."),
  ], "Save policy", async (data) => {
    await api("PUT", path("/api/orgs", org.id, "policy"), {
      require_mfa: data.get("require_mfa") === "on",
      require_sso: data.get("require_sso") === "on",
      allowed_email_domains: splitList(data.get("allowed_email_domains")),
    });
    view.reload({ message: "The sign-in policy is saved.", kind: "success" });
  });
}

function deletion(view, org, details) {
  const reason = org.personal
    ? "A personal org goes only with its account."
    : org.role !== "owner" ? "Only an owner deletes the org." : null;
  const region = status();
  const typed = h("input", { name: "confirm-name", autocomplete: "off", disabled: Boolean(reason) });
  const remove = actionButton("Delete the org", async () => {
    if (typed.value.trim() !== details.name) {
      region.set(`Type the org's name, ${details.name}, to confirm.`, "error");
      return;
    }
    await api("DELETE", path("/api/orgs", org.id));
    await view.reloadOrgs();
    view.navigate("/", { flash: { message: `${details.name} is deleted, with its conversations, keys and secrets.`, kind: "success" } });
  }, region, { class: "danger" });
  return [
    h("p", {}, "Its conversations, events, API keys and secrets are deleted with it. This cannot be undone."),
    field(`Type ${details.name} to confirm`, typed),
    withReason(remove, reason),
    region,
  ];
}
