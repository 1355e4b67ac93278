// Members (roles, removal, leaving, ownership transfer) and invitations, with every rule shown
// before the click: a control that would be refused is disabled and says why.

import { api, path } from "./api.js";
import { actionButton, emptyState, field, form, h, status, when, withReason } from "./dom.js";
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
  const reload = (flash) => view.reload(flash);
  const names = new Map(items.map((member) => [member.user_id, member.name || member.email]));

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
        reload({ message: `${member.email} is now ${select.value}.`, kind: "success" });
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
        view.navigate("/", { flash: { message: `You left ${org.name}.`, kind: "success" } });
      } else reload({ message: `${member.email} is no longer a member of ${org.name}.`, kind: "success" });
    }, region, { class: "danger" });
    const transfer = actionButton("Make owner", async () => {
      if (!confirm(`Make ${member.email} the owner of ${org.name}? You become an admin.`)) return;
      await api("POST", path("/api/orgs", org.id, "transfer"), { user_id: member.user_id });
      await view.reloadOrgs();
      reload({ message: `${member.email} owns ${org.name} now; you are an admin.`, kind: "success" });
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
    invitationsPanel(org, me, invitations?.items ?? [], reload, names));
}

function invitationsPanel(org, me, pending, reload, names) {
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
    async (data) => {
      const invitation = await api("POST", path("/api/orgs", org.id, "invitations"), {
        email: data.get("email"),
        role: data.get("role"),
      });
      reload({ message: `Invitation mailed to ${invitation.email}.`, kind: "success" });
    },
  );
  invite.classList.add("inline");
  return h("section", { "aria-labelledby": "invitations-title" },
    h("h2", { id: "invitations-title" }, "Invitations"),
    invite,
    region,
    pending.length === 0 ? emptyState("No pending invitations. Invite someone by email above: they get a link to join.") : h("table", {},
      h("thead", {}, h("tr", {}, ["Email", "Role", "Invited by", "Expires"].map((title) => h("th", { scope: "col" }, title)),
        h("th", { scope: "col" }, "Actions"))),
      h("tbody", {}, pending.map((invitation) => h("tr", {},
        h("td", {}, invitation.email), h("td", {}, invitation.role),
        h("td", {}, names.get(invitation.invited_by) ?? "a former member"),
        h("td", {}, when(invitation.expires_at)),
        h("td", { class: "actions" },
          actionButton("Resend", async () => {
            await api("POST", path("/api/orgs", org.id, "invitations", invitation.id, "resend"));
            reload({ message: `A new invitation link is on its way to ${invitation.email}; the old link no longer works.`, kind: "success" });
          }, region, { "aria-label": `Resend the invitation of ${invitation.email}` }),
          actionButton("Revoke", async () => {
            if (!confirm(`Revoke the invitation of ${invitation.email}? Its link stops working.`)) return;
            await api("DELETE", path("/api/orgs", org.id, "invitations", invitation.id));
            reload({ message: `The invitation of ${invitation.email} is revoked.`, kind: "success" });
          }, region, { class: "danger", "aria-label": `Revoke the invitation of ${invitation.email}` })))))));
}
