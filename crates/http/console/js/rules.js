// What a member may do, decided before the click so that controls show why they are disabled. The
// server decides again; these mirror the domain's membership rules.

export const ROLES = ["viewer", "developer", "admin", "owner"];

/** Rank of a role: viewer 0 … owner 3. */
export function rank(role) {
  return ROLES.indexOf(role);
}

/** `role` is at least `minimum`. */
export function atLeast(role, minimum) {
  return rank(role) >= rank(minimum);
}

/** Why `me` may not change `target`'s role (null: may), given the org and its owner count. */
export function roleChangeRefusal({ org, me, target, owners }) {
  if (org.personal) return "A personal org has only its owner.";
  if (!atLeast(me.role, "admin")) return "Only admins and owners change roles.";
  if (rank(target.role) > rank(me.role)) return "This member is ranked above you.";
  if (target.role === "owner" && owners <= 1) return "The org's only owner: transfer ownership first.";
  return null;
}

/** Roles `me` may grant (up to its own). */
export function grantableRoles(me) {
  return ROLES.filter((role) => rank(role) <= rank(me.role));
}

/** Why `me` may not remove `target` (or leave, when it is `me`). */
export function removalRefusal({ org, me, target, owners }) {
  if (org.personal) return "A personal org has only its owner.";
  const self = target.user_id === me.user_id;
  if (!self && !atLeast(me.role, "admin")) return "Only admins and owners remove members.";
  if (!self && rank(target.role) > rank(me.role)) return "This member is ranked above you.";
  if (target.role === "owner" && owners <= 1) {
    return self ? "You are the only owner: transfer ownership before leaving." : "The org's only owner.";
  }
  return null;
}

/** Why `me` may not make `target` the owner. */
export function transferRefusal({ org, me, target }) {
  if (org.personal) return "A personal org cannot change hands.";
  if (me.role !== "owner") return "Only an owner transfers ownership.";
  if (target.user_id === me.user_id) return "You already own this org.";
  if (target.role === "owner") return "Already an owner.";
  return null;
}

/** Why `me` may not invite. */
export function inviteRefusal({ org, me }) {
  if (org.personal) return "A personal org has only its owner: create a shared org to invite people.";
  if (!atLeast(me.role, "admin")) return "Only admins and owners invite.";
  return null;
}
