// An org's screens: its sections, and creating an org.

import { api } from "./api.js";
import { field, form, h } from "./dom.js";
import { atLeast } from "./rules.js";
import * as conversations from "./conversations.js";
import * as members from "./members.js";
import * as keys from "./keys.js";
import * as secrets from "./secrets.js";
import * as settings from "./settings.js";
import * as oversight from "./oversight.js";
import * as orgPage from "./org.js";
import * as sandboxes from "./sandboxes.js";

/** Sections, who sees them, and what draws them. */
const SECTIONS = [
  { slug: "conversations", label: "Conversations", min: "viewer", draw: conversations.list },
  { slug: "sandboxes", label: "Sandboxes", min: "viewer", draw: sandboxes.screen },
  { slug: "members", label: "Members", min: "viewer", draw: members.screen },
  { slug: "api-keys", label: "API keys", min: "viewer", draw: keys.screen },
  { slug: "secrets", label: "Secrets", min: "viewer", draw: secrets.screen },
  { slug: "settings", label: "Settings", min: "viewer", draw: settings.screen },
  { slug: "usage", label: "Usage & budget", min: "admin", draw: oversight.usage },
  { slug: "audit", label: "Audit log", min: "admin", draw: oversight.audit },
  { slug: "org", label: "Org", min: "viewer", draw: orgPage.screen },
];

/** The org's section links. */
export function sectionNav(org, view) {
  const here = location.pathname;
  return h("nav", { class: "sections", "aria-label": `${org.name} sections` },
    h("ul", {}, SECTIONS.filter((item) => atLeast(org.role, item.min)).map((item) => {
      const href = `/orgs/${org.id}/${item.slug}`;
      const current = here === href || here.startsWith(`${href}/`);
      return h("li", {}, h("a", { href, "data-route": "", "aria-current": current ? "page" : false }, item.label));
    })),
    h("span", { class: "role", title: "Your role here" }, org.role));
}

/** Draws `slug` of `org` (`itemId`: a conversation). */
export async function section(view, org, slug, itemId) {
  if (slug === "conversations" && itemId) return conversations.detail(view, org, itemId);
  const found = SECTIONS.find((item) => item.slug === slug);
  if (!found || !atLeast(org.role, found.min)) {
    return h("main", { id: "main" }, h("h1", {}, "Not here"),
      h("p", {}, found ? `Only ${found.min}s and above see ${found.label.toLowerCase()}.` : "No such section."));
  }
  return found.draw(view, org);
}

/** Create a shared org. */
export function createOrg(view) {
  return h("main", { id: "main", class: "narrow" }, h("h1", {}, "Create an org"),
    h("p", {}, "A shared org for a team: you will be its owner, and can invite others."),
    form([field("Name", h("input", { name: "name", required: true, maxlength: 100 }))], "Create org",
      async (data) => {
        const org = await api("POST", "/api/orgs", { name: String(data.get("name")).trim() });
        await view.reloadOrgs();
        view.navigate(`/orgs/${org.id}/members`);
      }));
}
