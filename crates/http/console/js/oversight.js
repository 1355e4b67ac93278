// For admins: a month's usage (by member, by model, by day) against the budget, member caps and
// credits; and the audit log as sentences, filtered, and as CSV.

import { api, path } from "./api.js";
import { emptyState, field, form, h, money, status, when } from "./dom.js";
import { describeEntry, AUDIT_ACTIONS } from "./audit_sentences.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}

/** Bars of what each day spent, with the day and amount in each bar's title. */
function dailyChart(days) {
  const most = Math.max(...days.map((day) => day.cost), 0);
  const width = 10;
  const height = 80;
  const chart = svg("svg", {
    viewBox: `0 0 ${days.length * width} ${height}`, class: "chart", role: "img",
    "aria-label": `Spending by day: ${days.filter((day) => day.cost > 0).length} of ${days.length} days with spending`,
    preserveAspectRatio: "none",
  });
  days.forEach((day, index) => {
    const bar = most > 0 ? Math.max((day.cost / most) * (height - 2), day.cost > 0 ? 1 : 0) : 0;
    chart.append(svg("rect", { x: index * width + 1, y: height - bar, width: width - 2, height: bar, class: "bar" },
      svg("title", {}, `${day.date}: ${money(day.cost)}`)));
  });
  return chart;
}

export async function usage(view, org) {
  const period = view.params.period;
  const [report, budget, members, billing] = await Promise.all([
    api("GET", `${path("/api/orgs", org.id, "usage")}${period ? `?period=${encodeURIComponent(period)}` : ""}`),
    api("GET", path("/api/orgs", org.id, "budget")),
    api("GET", path("/api/orgs", org.id, "members")),
    api("GET", path("/api/orgs", org.id, "billing")).catch(() => null),
  ]);
  const names = new Map(members.items.map((member) => [member.user_id, member.name || member.email]));
  const over = typeof budget.monthly_budget === "number" && report.total_cost >= budget.monthly_budget;

  const picker = h("form", { class: "inline", role: "search" },
    field("Month", h("input", { type: "month", name: "period", value: report.period, required: true })),
    h("button", { type: "submit" }, "Show"));
  picker.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = new FormData(picker).get("period");
    view.navigate(`${location.pathname}?period=${encodeURIComponent(chosen)}`);
  });

  const lines = (items, label, keyOf) => items.length === 0 ? emptyState("Nothing was spent this month.") : h("table", {},
    h("thead", {}, h("tr", {}, [label, "Cost", "Prompt tokens", "Completion tokens"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, items.map((line) => h("tr", {}, h("td", {}, keyOf(line)),
      h("td", {}, money(line.cost)), h("td", {}, line.prompt_tokens.toLocaleString()),
      h("td", {}, line.completion_tokens.toLocaleString())))));

  return h("main", { id: "main" },
    h("h1", {}, `Usage in ${report.period}`),
    picker,
    h("p", { class: "big" }, `Spent ${money(report.total_cost)} of ${budget.monthly_budget === null ? "an unlimited budget" : money(budget.monthly_budget)}`,
      over ? [" ", h("span", { class: "tag over" }, "over budget")] : null),
    over ? h("p", { class: "notice" }, "No agent starts or continues until the month ends or the budget is raised below.") : null,
    h("h2", {}, "By day"), dailyChart(report.by_day),
    h("h2", {}, "By member"), lines(report.by_member, "Member", (line) => names.get(line.user_id) ?? "a former member"),
    h("h2", {}, "By model"), lines(report.by_model, "Model", (line) => line.model ?? "not reported"),
    h("h2", {}, "Budget"), budgetForm(view, org, budget, members.items),
    billing ? [h("h2", {}, "Credits"), credits(view, org, billing)] : null);
}

function budgetForm(view, org, budget, members) {
  const amount = (name, value, label) => field(label, h("input", {
    name, type: "number", min: "0", step: "0.01", value: value ?? "", placeholder: "unlimited",
  }));
  const caps = new Map((budget.member_caps || []).map((cap) => [cap.user_id, cap.monthly_cap]));
  const capRows = members.map((member) => h("tr", {},
    h("td", {}, member.name || member.email),
    h("td", {}, h("input", {
      name: `cap-${member.user_id}`, type: "number", min: "0", step: "0.01", placeholder: "no cap",
      value: caps.get(member.user_id) ?? "", "aria-label": `Monthly cap of ${member.email}`,
    }))));
  return form(
    [
      amount("monthly_budget", budget.monthly_budget, "Monthly budget"),
      amount("max_budget_per_task", budget.max_budget_per_task, "Per conversation"),
      field("Time zone", h("input", { name: "time_zone", value: budget.time_zone, required: true }),
        "Months begin at midnight here (an IANA name such as Europe/Berlin)."),
      h("table", {}, h("caption", {}, "Members' own monthly caps"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Member"), h("th", { scope: "col" }, "Monthly cap"))),
        h("tbody", {}, capRows)),
    ],
    "Save budget",
    async (data) => {
      const number = (name) => (data.get(name) === "" || data.get(name) === null ? null : Number(data.get(name)));
      await api("PUT", path("/api/orgs", org.id, "budget"), {
        ...budget,
        monthly_budget: number("monthly_budget"),
        max_budget_per_task: number("max_budget_per_task"),
        time_zone: data.get("time_zone"),
        member_caps: members
          .map((member) => ({ user_id: member.user_id, monthly_cap: number(`cap-${member.user_id}`) }))
          .filter((cap) => cap.monthly_cap !== null),
      });
      view.reload({ message: "The budget is saved.", kind: "success" });
    });
}

function credits(view, org, billing) {
  const region = status();
  const buy = org.role === "owner" ? form([
    field("Amount", h("input", { name: "amount", type: "number", min: "1", max: "100000", step: "0.01", required: true })),
  ], "Buy credits", async (data) => {
    const session = await api("POST", path("/api/orgs", org.id, "billing", "checkout"), { amount: Number(data.get("amount")) });
    location.assign(session.checkout_url);
  }) : h("p", { class: "reason" }, "Only an owner buys credits.");
  if (buy.classList) buy.classList.add("inline");
  return [
    h("p", { class: "big" }, `Balance: ${money(billing.balance)}`),
    buy, region,
    billing.ledger.length === 0 ? emptyState("No credits bought or used yet.") : h("table", {},
      h("thead", {}, h("tr", {}, ["When", "What", "Amount"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, billing.ledger.map((entry) => h("tr", {},
        h("td", {}, when(entry.at)), h("td", {}, entry.kind), h("td", {}, money(entry.amount)))))),
  ];
}

/**
 * Members by id as the log names them: by name, with the address beside any name two members share
 * (anyone may choose any display name; the log must not pass one person's acts off as another's).
 */
function unambiguousNames(members) {
  const counts = new Map();
  for (const member of members) counts.set(member.name, (counts.get(member.name) ?? 0) + 1);
  return new Map(members.map((member) => [member.user_id,
    !member.name ? member.email : counts.get(member.name) > 1 ? `${member.name} (${member.email})` : member.name]));
}

/** The audit query of the filter form's values. */
function auditQuery(filters, limit) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (filters.action) query.set("action", filters.action);
  if (filters.actor) query.set("actor_id", filters.actor);
  if (filters.from) query.set("since", new Date(`${filters.from}T00:00:00`).toISOString());
  if (filters.to) {
    const end = new Date(`${filters.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    query.set("until", end.toISOString());
  }
  return query;
}

/** One CSV cell: quoted when it must be, and never a formula a spreadsheet would run. */
function csvCell(value) {
  let text = String(value ?? "");
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function audit(view, org) {
  const filters = { action: view.params.action || "", actor: view.params.actor || "", from: view.params.from || "", to: view.params.to || "" };
  const base = path("/api/orgs", org.id, "audit-log");
  const [first, members] = await Promise.all([
    api("GET", `${base}?${auditQuery(filters, 100)}`),
    api("GET", path("/api/orgs", org.id, "members")),
  ]);
  const names = unambiguousNames(members.items);
  const region = status();
  const body = h("tbody");
  const more = h("button", { type: "button" }, "Older entries");
  let cursor = null;
  const rowOf = (entry) => h("tr", {},
    h("td", {}, when(entry.at)),
    h("td", {}, describeEntry(entry, names)),
    h("td", {}, h("code", {}, entry.action)));
  const showPage = (page) => {
    body.append(...page.items.map(rowOf));
    cursor = page.next_cursor ?? null;
    more.hidden = !cursor;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      showPage(await api("GET", `${base}?${auditQuery(filters, 100)}&cursor=${encodeURIComponent(cursor)}`));
    } catch (error) {
      region.set(error.message, "error");
    } finally {
      more.disabled = false;
    }
  });
  showPage(first);

  const filterForm = h("form", { class: "inline", role: "search" },
    field("Action", h("select", { name: "action" }, h("option", { value: "" }, "any"),
      AUDIT_ACTIONS.map((action) => h("option", { value: action, selected: action === filters.action }, action)))),
    field("By", h("select", { name: "actor" }, h("option", { value: "" }, "anyone"),
      members.items.map((member) => h("option", { value: member.user_id, selected: member.user_id === filters.actor }, member.name || member.email)))),
    field("From", h("input", { type: "date", name: "from", value: filters.from })),
    field("To", h("input", { type: "date", name: "to", value: filters.to })),
    h("button", { type: "submit" }, "Filter"));
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(filterForm)) if (value) next.set(key, value);
    view.navigate(`${location.pathname}${next.size ? `?${next}` : ""}`);
  });

  const download = h("button", { type: "button" }, "Download CSV");
  download.addEventListener("click", async () => {
    download.disabled = true;
    try {
      const rows = [["time", "action", "actor", "summary", "target_type", "target_id", "detail"]];
      let next = null;
      for (let page = 0; page < 200; page += 1) {
        const answer = await api("GET", `${base}?${auditQuery(filters, 100)}${next ? `&cursor=${encodeURIComponent(next)}` : ""}`);
        for (const entry of answer.items) {
          rows.push([entry.at, entry.action, entry.actor_id ? names.get(entry.actor_id) ?? entry.actor_id : "system",
            describeEntry(entry, names), entry.target_type, entry.target_id ?? "", JSON.stringify(entry.detail)]);
        }
        next = answer.next_cursor;
        if (!next) break;
      }
      const csv = rows.map((row) => row.map(csvCell).join(",")).join("\r\n");
      const href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = h("a", { href, download: `audit-${org.name}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), 1000);
      region.set(`Downloaded ${rows.length - 1} entries.`, "success");
    } catch (error) {
      region.set(error.message, "error");
    } finally {
      download.disabled = false;
    }
  });

  return h("main", { id: "main" },
    h("h1", {}, "Audit log"),
    filterForm, download, region,
    first.items.length === 0 ? emptyState("No entries match these filters.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "What happened in the org, newest first"),
      h("thead", {}, h("tr", {}, ["When", "What happened", "Action"].map((title) => h("th", { scope: "col" }, title)))),
      body),
    more);
}
