// Audit entries as sentences a person reads: who did what to whom, with the particulars that matter.

/** Every action the log records, for the filter. */
export const AUDIT_ACTIONS = [
  "org.created", "org.updated", "org.deleted", "member.added", "member.role_changed", "member.removed",
  "invitation.sent", "invitation.accepted", "invitation.revoked", "ownership.transferred", "secrets.read",
  "secret.set", "secret.deleted", "api_key.created", "api_key.revoked", "conversation.shared", "share.revoked",
  "conversation.reassigned", "conversation.expired", "settings.updated", "user.created", "user.disabled",
  "user.enabled", "user.email_verified", "user.renamed", "user.mfa_enabled", "user.mfa_disabled", "user.mfa_recovery_code_used",
  "superadmin.granted", "superadmin.revoked", "sandbox.created", "sandbox.deleted", "sandbox.started",
  "sandbox.paused", "sandbox.resumed", "sandbox.stopped", "sandbox.failed", "org.sso_configured",
  "org.sso_removed", "org.policy_updated", "user.sso_linked", "billing.checkout_started",
  "billing.credits_purchased", "org.budget_updated", "org.domain_added", "org.domain_verified",
  "org.domain_removed", "budget.alert",
];

/** `entry` as one sentence; `names` maps user ids to names. */
export function describeEntry(entry, names) {
  const person = (id) => (id ? names.get(id) ?? "a former member" : null);
  const actor = person(entry.actor_id) ?? "The system";
  const target = entry.target_id ? person(entry.target_id) ?? entry.target_id : "";
  const detail = entry.detail || {};
  switch (entry.action) {
    case "org.created": return `${actor} created the org.`;
    case "org.updated": return `${actor} changed the org's ${Object.keys(detail).join(", ") || "details"}.`;
    case "org.deleted": return `${actor} deleted the org.`;
    case "member.added": return `${actor} added ${target} as ${detail.role ?? "a member"}${detail.via === "sso" ? " (single sign-on)" : ""}.`;
    case "member.role_changed": return `${actor} changed ${target}'s role from ${detail.from} to ${detail.to}.`;
    case "member.removed": return detail.left ? `${target} left the org.` : `${actor} removed ${target}.`;
    case "invitation.sent": return `${actor} ${detail.replaces ? "sent again the invitation of" : "invited"} ${detail.email ?? "someone"} as ${detail.role ?? "a member"}.`;
    case "invitation.accepted": return `${person(detail.user_id) ?? actor} accepted an invitation and joined as ${detail.role ?? "a member"}.`;
    case "invitation.revoked": return `${actor} revoked an invitation.`;
    case "ownership.transferred": return `${actor} made ${target} an owner.`;
    case "secrets.read": return `${actor}'s agent read secrets of a conversation.`;
    case "secret.set": return `${actor} set the ${detail.scope ?? ""} secret ${entry.target_id}.`.replace("  ", " ");
    case "secret.deleted": return `${actor} deleted the secret ${entry.target_id}.`;
    case "api_key.created": return `${actor} created the API key “${detail.name ?? entry.target_id}”${detail.expires_at ? "" : " (never expires)"}.`;
    case "api_key.revoked": return `${actor} revoked an API key.`;
    case "conversation.shared": return `${actor} created a share link of a conversation.`;
    case "share.revoked": return `${actor} revoked a share link.`;
    case "conversation.reassigned": return `${actor} handed a conversation to ${person(detail.to) ?? "another member"}.`;
    case "conversation.expired": return "An idle conversation was deleted, as the org's settings ask.";
    case "settings.updated": return `${actor} changed ${entry.target_id === "org" ? "the org's default" : "their own"} settings (${(detail.fields || []).join(", ")}).`;
    case "org.budget_updated": return `${actor} changed the budget.`;
    case "user.renamed": return `${actor} changed their name from “${detail.from}” to “${detail.to}”.`;
    case "budget.alert": return "Spending reached the budget's alert line.";
    case "sandbox.created": case "sandbox.started": return `${actor} started a sandbox.`;
    case "sandbox.paused": return detail.reason === "idle" ? "An idle sandbox was paused." : `${actor} paused a sandbox.`;
    case "sandbox.resumed": return `${actor} resumed a sandbox.`;
    case "sandbox.stopped": case "sandbox.deleted": return `${actor} deleted a sandbox.`;
    case "sandbox.failed": return "A sandbox's agent server stopped unexpectedly.";
    case "org.sso_configured": return `${actor} set up single sign-on.`;
    case "org.sso_removed": return `${actor} removed single sign-on.`;
    case "org.policy_updated": return `${actor} changed the sign-in policy.`;
    case "org.domain_added": return `${actor} claimed the domain ${entry.target_id}.`;
    case "org.domain_verified": return `${actor} verified the domain ${entry.target_id}.`;
    case "org.domain_removed": return `${actor} removed the domain ${entry.target_id}.`;
    case "billing.checkout_started": return `${actor} started buying credits.`;
    case "billing.credits_purchased": return "Credits were bought.";
    default: {
      const words = entry.action.replace(/[._]/g, " ");
      return `${actor}: ${words}${target ? ` (${target})` : ""}.`;
    }
  }
}
