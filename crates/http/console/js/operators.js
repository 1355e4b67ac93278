// For the install's superadmins: accounts (search, disable, enable, superadmin), orgs with members
// and this month's spending, and spending by org.

import { api, path } from "./api.js";
import { actionButton, day, emptyState, field, h, money, status } from "./dom.js";

const TABS = [["users", "Accounts"], ["orgs", "Orgs"], ["usage", "Spending"]];

export async function screen(view) {
  const tab = TABS.some(([slug]) => slug === view.params.tab) ? view.params.tab : "users";
  const nav = h("nav", { class: "tabs", "aria-label": "Operator sections" }, h("ul", {}, TABS.map(([slug, label]) =>
    h("li", {}, h("a", { href: `/admin?tab=${slug}`, "data-route": "", "aria-current": slug === tab ? "page" : false }, label)))));
  const body = tab === "orgs" ? await orgs(view) : tab === "usage" ? await usage(view) : await users(view);
  return h("main", { id: "main" }, h("h1", {}, "Operators"),
    h("p", { class: "muted" }, "Everything here acts on the whole install and is recorded in the audit log of the account it touches."),
    nav, body);
}

function searchForm(view, tab, label, extra = []) {
  const form = h("form", { class: "inline", role: "search" },
    field(label, h("input", { type: "search", name: "q", value: view.params.q || "" })), extra,
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ tab });
    for (const [key, value] of new FormData(form)) if (value) next.set(key, value);
    view.navigate(`/admin?${next}`);
  });
  return form;
}

async function users(view) {
  const query = new URLSearchParams({ limit: "100" });
  if (view.params.q) query.set("q", view.params.q);
  if (view.params.disabled) query.set("disabled", view.params.disabled);
  const page = await api("GET", `/api/admin/users?${query}`);
  const region = status();
  const act = (label, user, verb, done, props = {}) => actionButton(label, async () => {
    if (verb === "disable" && !confirm(`Disable ${user.email}? Their sessions, keys and sandboxes stop at once.`)) return;
    if (verb === "superadmin" && !confirm(`Make ${user.email} a superadmin of the whole install?`)) return;
    if (verb === "unsuperadmin" && !confirm(`Take superadmin away from ${user.email}?`)) return;
    const method = verb === "unsuperadmin" ? "DELETE" : "POST";
    const target = verb === "superadmin" || verb === "unsuperadmin" ? "superadmin" : verb;
    await api(method, path("/api/admin/users", user.id, target));
    view.reload({ message: `${user.email} ${done}.`, kind: "success" });
  }, region, { "aria-label": `${label} ${user.email}`, ...props });
  const filter = h("select", { name: "disabled" },
    h("option", { value: "" }, "all accounts"),
    h("option", { value: "false", selected: view.params.disabled === "false" }, "enabled only"),
    h("option", { value: "true", selected: view.params.disabled === "true" }, "disabled only"));
  return [
    searchForm(view, "users", "Email or name contains", field("Show", filter)),
    region,
    page.items.length === 0 ? emptyState("No account matches.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "Accounts, oldest first"),
      h("thead", {}, h("tr", {}, ["Name", "Email", "State", "Created", "Actions"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, page.items.map((user) => h("tr", {},
        h("td", {}, user.name, user.is_superadmin ? [" ", h("span", { class: "tag" }, "superadmin")] : null),
        h("td", {}, user.email),
        h("td", {}, user.disabled ? h("span", { class: "tag over" }, "disabled") : "active",
          user.mfa_enabled ? " · two-factor" : "", user.email_verified ? "" : " · unverified"),
        h("td", {}, day(user.created_at)),
        h("td", { class: "actions" },
          user.id === view.me.id ? null : user.disabled
            ? act("Enable", user, "enable", "is enabled again")
            : act("Disable", user, "disable", "is disabled", { class: "danger" }),
          user.is_superadmin
            ? act("Revoke superadmin", user, "unsuperadmin", "is no longer a superadmin")
            : act("Make superadmin", user, "superadmin", "is a superadmin")))))),
  ];
}

async function orgs(view) {
  const query = new URLSearchParams({ limit: "100" });
  if (view.params.q) query.set("q", view.params.q);
  const page = await api("GET", `/api/admin/orgs?${query}`);
  return [
    searchForm(view, "orgs", "Name contains"),
    page.items.length === 0 ? emptyState("No org matches.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "Orgs, oldest first"),
      h("thead", {}, h("tr", {}, ["Name", "Members", "Spent this month", "Created"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, page.items.map((org) => h("tr", {},
        h("td", {}, org.name, org.personal ? [" ", h("span", { class: "tag muted" }, "personal")] : null),
        h("td", {}, String(org.member_count)),
        h("td", {}, money(org.month_spend)),
        h("td", {}, day(org.created_at)))))),
  ];
}

async function usage(view) {
  const period = view.params.period;
  const report = await api("GET", `/api/admin/usage${period ? `?period=${encodeURIComponent(period)}` : ""}`);
  const picker = h("form", { class: "inline", role: "search" },
    field("Month", h("input", { type: "month", name: "period", value: report.period, required: true })),
    h("button", { type: "submit" }, "Show"));
  picker.addEventListener("submit", (event) => {
    event.preventDefault();
    view.navigate(`/admin?tab=usage&period=${encodeURIComponent(new FormData(picker).get("period"))}`);
  });
  return [
    picker,
    h("p", { class: "big" }, `Spent in ${report.period}: ${money(report.total_cost)}`),
    report.by_org.length === 0 ? emptyState("No org spent anything this month.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "Spending by org, largest first"),
      h("thead", {}, h("tr", {}, ["Org", "Spent"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, report.by_org.map((org) => h("tr", {}, h("td", {}, org.name), h("td", {}, money(org.cost)))))),
  ];
}
