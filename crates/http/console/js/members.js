// Members (roles, removal, leaving, ownership transfer) and invitations, with every rule shown
// before the click: a control that would be refused is disabled and says why.

import { api, path } from "./api.js";
import { actionButton, field, form, h, status, when, withReason } from "./dom.js";
import {
  ROLES, grantableRoles, inviteRefusal, removalRefusal, roleChangeRefusal, transferRefusal,
} from "./rules.js";

export async function screen(view, org) {
  const region = status();
  const [{ items }, invitations] = await Promise.all([
    api("GET", path("/api/orgs", org.id, "members")),
    inviteRefusal({ org, me: { role: org.role } }) ? null : api("GET", path("/api/orgs", org.id, "invitations")),
  ]);
  const me = { user_id: view.me.id, role: org.role };
  const owners = items.filter((member) => member.role === "owner").length;
  const reload = () => view.reload();

  const rows = items.map((member) => {
    const facts = { org, me, target: member, owners };
    const select = h("select", { "aria-label": `Role of ${member.email}` },
      ROLES.map((role) => h("option", {
        value: role,
        selected: role === member.role,
        disabled: !grantableRoles(me).includes(role),
      }, role)));
    // Applied by its button, not on change: arrowing through the options changes nothing yet.
    const apply = actionButton("Apply", async () => {
      try {
        await api("PATCH", path("/api/orgs", org.id, "members", member.user_id), { role: select.value });
        region.set(`${member.email} is now ${select.value}.`, "success");
        setTimeout(reload, 400);
      } catch (error) {
        select.value = member.role;
        throw error;
      }
    }, region, { "aria-label": `Apply the role of ${member.email}` });
    const self = member.user_id === me.user_id;
    const remove = actionButton(self ? "Leave" : "Remove", async () => {
      if (!confirm(self ? `Leave ${org.name}?` : `Remove ${member.email} from ${org.name}?`)) return;
      await api("DELETE", path("/api/orgs", org.id, "members", member.user_id));
      if (self) {
        await view.reloadOrgs();
        view.navigate("/");
      } else reload();
    }, region, { class: "danger" });
    const transfer = actionButton("Make owner", async () => {
      if (!confirm(`Make ${member.email} the owner of ${org.name}? You become an admin.`)) return;
      await api("POST", path("/api/orgs", org.id, "transfer"), { user_id: member.user_id });
      await view.reloadOrgs();
      reload();
    }, region);
    return h("tr", {},
      h("td", {}, member.name || "—", self ? [" ", h("span", { class: "tag" }, "you")] : null),
      h("td", {}, member.email, member.email_verified ? null : [" ", h("span", { class: "tag muted" }, "unverified")]),
      h("td", {}, roleChangeRefusal(facts)
        ? withReason(select, roleChangeRefusal(facts))
        : h("span", { class: "role-change" }, select, apply)),
      h("td", { class: "actions" },
        withReason(remove, removalRefusal(facts)),
        me.role === "owner" && !self ? withReason(transfer, transferRefusal(facts)) : null));
  });

  return h("main", { id: "main" },
    h("h1", {}, `Members of ${org.name}`),
    region,
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Members, their roles and what you may do"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Email"),
        h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, "Actions"))),
      h("tbody", {}, rows)),
    invitationsPanel(org, me, invitations?.items ?? [], reload));
}

function invitationsPanel(org, me, pending, reload) {
  const refusal = inviteRefusal({ org, me });
  if (refusal) {
    return h("section", { "aria-labelledby": "invitations-title" },
      h("h2", { id: "invitations-title" }, "Invitations"), h("p", { class: "reason" }, refusal));
  }
  const region = status();
  const invite = form(
    [
      field("Email", h("input", { name: "email", type: "email", required: true })),
      field("Role", h("select", { name: "role" },
        grantableRoles(me).map((role) => h("option", { value: role, selected: role === "developer" }, role)))),
    ],
    "Send invitation",
    async (data, formRegion) => {
      const invitation = await api("POST", path("/api/orgs", org.id, "invitations"), {
        email: data.get("email"),
        role: data.get("role"),
      });
      formRegion.set(`Invitation mailed to ${invitation.email}.`, "success");
      setTimeout(reload, 400);
    },
  );
  invite.classList.add("inline");
  return h("section", { "aria-labelledby": "invitations-title" },
    h("h2", { id: "invitations-title" }, "Invitations"),
    invite,
    region,
    pending.length === 0 ? h("p", { class: "muted" }, "No pending invitations.") : h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Email"), h("th", { scope: "col" }, "Role"),
        h("th", { scope: "col" }, "Expires"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, pending.map((invitation) => h("tr", {},
        h("td", {}, invitation.email), h("td", {}, invitation.role), h("td", {}, when(invitation.expires_at)),
        h("td", {}, actionButton("Revoke", async () => {
          await api("DELETE", path("/api/orgs", org.id, "invitations", invitation.id));
          reload();
        }, region, { class: "danger", "aria-label": `Revoke the invitation of ${invitation.email}` })))))));
}
