// For admins: the month's usage and the budget, and the audit log.

import { api, path } from "./api.js";
import { field, form, h, status, when } from "./dom.js";

function money(value) {
  return typeof value === "number" ? value.toFixed(2) : "unlimited";
}

export async function usage(view, org) {
  const period = view.params.period;
  const [report, budget] = await Promise.all([
    api("GET", `${path("/api/orgs", org.id, "usage")}${period ? `?period=${encodeURIComponent(period)}` : ""}`),
    api("GET", path("/api/orgs", org.id, "budget")),
  ]);
  const amount = (name, value, label) => field(label, h("input", {
    name, type: "number", min: "0", step: "0.01", value: value ?? "", placeholder: "unlimited",
  }));
  const budgetForm = form(
    [
      amount("monthly_budget", budget.monthly_budget, "Monthly budget"),
      amount("max_budget_per_task", budget.max_budget_per_task, "Per conversation"),
      field("Time zone", h("input", { name: "time_zone", value: budget.time_zone, required: true }),
        "Months begin at midnight here (an IANA name such as Europe/Berlin)."),
    ],
    "Save budget",
    async (data, region) => {
      const number = (name) => (data.get(name) === "" ? null : Number(data.get(name)));
      await api("PUT", path("/api/orgs", org.id, "budget"), {
        ...budget,
        monthly_budget: number("monthly_budget"),
        max_budget_per_task: number("max_budget_per_task"),
        time_zone: data.get("time_zone"),
      });
      region.set("Saved.", "success");
    });
  const lines = (items, key) => h("table", {},
    h("thead", {}, h("tr", {}, [key === "user_id" ? "Member" : "Model", "Cost", "Prompt tokens", "Completion tokens"]
      .map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, items.map((line) => h("tr", {}, h("td", {}, line[key] ?? "not reported"),
      h("td", {}, money(line.cost)), h("td", {}, line.prompt_tokens), h("td", {}, line.completion_tokens)))));
  return h("main", { id: "main" },
    h("h1", {}, `Usage in ${report.period}`),
    h("p", { class: "big" }, `Spent: ${money(report.total_cost)} of ${money(budget.monthly_budget)}`),
    h("h2", {}, "By member"), lines(report.by_member, "user_id"),
    h("h2", {}, "By model"), lines(report.by_model, "model"),
    h("h2", {}, "Budget"), budgetForm);
}

export async function audit(view, org) {
  const base = `${path("/api/orgs", org.id, "audit-log")}?limit=100`;
  const [first, members] = await Promise.all([api("GET", base), api("GET", path("/api/orgs", org.id, "members"))]);
  const names = new Map(members.items.map((member) => [member.user_id, member.email]));
  const region = status();
  const body = h("tbody");
  const more = h("button", { type: "button" }, "Older entries");
  let cursor = null;
  const show = (page) => {
    body.append(...page.items.map((entry) => h("tr", {},
      h("td", {}, when(entry.at)), h("td", {}, h("code", {}, entry.action)),
      h("td", {}, entry.actor_id ? names.get(entry.actor_id) ?? entry.actor_id : "system"),
      h("td", {}, `${entry.target_type}${entry.target_id ? ` ${names.get(entry.target_id) ?? entry.target_id}` : ""}`),
      h("td", {}, h("code", { class: "detail" }, JSON.stringify(entry.detail))))));
    cursor = page.next_cursor ?? null;
    more.hidden = !cursor;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      show(await api("GET", `${base}&cursor=${encodeURIComponent(cursor)}`));
    } catch (error) {
      region.set(error.message, "error");
    } finally {
      more.disabled = false;
    }
  });
  show(first);
  return h("main", { id: "main" },
    h("h1", {}, "Audit log"),
    h("table", {},
      h("thead", {}, h("tr", {}, ["When", "Action", "Actor", "Target", "Detail"].map((title) => h("th", { scope: "col" }, title)))),
      body),
    more, region);
}
