// Signing up and in (with the MFA step), the landing pages of mailed links, and the account.

import { api, forgetSession, hasSession, keepSession, path, publicApi, signOut } from "./api.js";
import { actionButton, copyButton, field, form, h, status, when, withReason } from "./dom.js";

function page(title, ...children) {
  return h("main", { id: "main", class: "narrow" }, h("h1", { tabindex: "-1" }, title), children);
}

/** Where to go after signing in: a path on this server only, never a URL elsewhere. */
function safeNext(next) {
  if (!next) return "/";
  try {
    const target = new URL(next, location.origin);
    return target.origin === location.origin ? target.pathname + target.search + target.hash : "/";
  } catch {
    return "/";
  }
}

/** A mailed token, read once and taken out of the address bar and history. */
function takeToken(view) {
  const token = view.params.token;
  if (token) history.replaceState(null, "", location.pathname);
  return token;
}

function input(name, type, props = {}) {
  return h("input", { name, type, required: true, ...props });
}

/** Sign in; with MFA on, a second step asks for a code. */
export function signIn(view) {
  const next = safeNext(view.params.next);
  const container = h("div");
  const passwordForm = form(
    [
      field("Email", input("email", "email", { autocomplete: "username" })),
      field("Password", input("password", "password", { autocomplete: "current-password" })),
    ],
    "Sign in",
    async (data) => {
      const answer = await publicApi("POST", "/api/auth/login", {
        email: data.get("email"),
        password: data.get("password"),
      });
      if (answer.mfa_required) {
        container.replaceChildren(mfaStep(answer.mfa_token, next, view));
        container.querySelector("input").focus();
        return;
      }
      keepSession(answer);
      view.navigate(next);
    },
  );
  container.append(passwordForm);
  return page("Sign in", container,
    h("p", {}, "New here? ", h("a", { href: `/sign-up${view.params.next ? `?next=${encodeURIComponent(next)}` : ""}`, "data-route": "" }, "Create an account"), "."),
    h("p", {}, h("a", { href: "/forgot-password", "data-route": "" }, "Forgot your password?")));
}

function mfaStep(mfaToken, next, view) {
  return form(
    [
      h("p", {}, "Enter the 6-digit code from your authenticator app, or one of your recovery codes."),
      field("Code", input("code", "text", { autocomplete: "one-time-code", inputmode: "numeric" })),
    ],
    "Verify",
    async (data) => {
      const code = String(data.get("code")).trim();
      const body = /^\d{6}$/.test(code) ? { mfa_token: mfaToken, code } : { mfa_token: mfaToken, recovery_code: code };
      keepSession(await publicApi("POST", "/api/auth/mfa/verify", body));
      view.navigate(next);
    },
  );
}

/** Create an account (and its personal org). */
export function signUp(view) {
  const next = safeNext(view.params.next);
  return page("Create an account",
    form(
      [
        field("Name", input("name", "text", { autocomplete: "name", required: false })),
        field("Email", input("email", "email", { autocomplete: "email" })),
        field("Password", input("password", "password", { autocomplete: "new-password", minlength: 12, maxlength: 128 }),
          "12 to 128 characters."),
      ],
      "Create account",
      async (data) => {
        const answer = await publicApi("POST", "/api/auth/register", {
          email: data.get("email"),
          password: data.get("password"),
          name: data.get("name") || undefined,
        });
        keepSession(answer);
        view.navigate(next === "/" ? `/orgs/${answer.org.id}/conversations` : next);
      },
    ),
    h("p", {}, "Have an account? ", h("a", { href: "/sign-in", "data-route": "" }, "Sign in"), "."));
}

/** Ask for a password reset link. */
export function forgotPassword() {
  return page("Reset your password",
    form([field("Email", input("email", "email", { autocomplete: "email" }))], "Send the link",
      async (data, region) => {
        await publicApi("POST", "/api/auth/password-reset/request", { email: data.get("email") });
        region.set("If an account has this address, a link is on its way.");
      }),
    h("p", {}, h("a", { href: "/sign-in", "data-route": "" }, "Back to sign in")));
}

/** A mailed link that no longer works: what happened, and the way to a new one. */
function deadLink(error, kind) {
  const expired = error?.status === 410;
  const what = expired ? "This link has expired." : "This link was used already, or it is not complete.";
  return h("div", { class: "notice", role: "alert" }, h("p", {}, what), kind === "reset"
    ? h("p", {}, h("a", { href: "/forgot-password", "data-route": "" }, "Request a new link"),
      " — it arrives by mail within a minute.")
    : h("p", {}, hasSession()
      ? newVerificationLink()
      : [h("a", { href: "/sign-in?next=%2Faccount", "data-route": "" }, "Sign in"), " to request a new link."]));
}

function newVerificationLink() {
  const region = status();
  return [actionButton("Request a new link", async () => {
    await api("POST", "/api/auth/verify-email/request");
    region.set("A new link is on its way: open the newest mail.", "success");
  }, region, { class: "primary" }), region];
}

/** The mailed reset link's page. */
export function resetPassword(view) {
  const token = takeToken(view);
  if (!token) return page("Reset your password", deadLink(null, "reset"));
  const outcome = h("div");
  return page("Choose a new password",
    form([field("New password", input("password", "password", { autocomplete: "new-password", minlength: 12, maxlength: 128 }),
      "12 to 128 characters. Every session and API key of the account ends.")], "Set password",
    async (data, region) => {
      try {
        await publicApi("POST", "/api/auth/password-reset", { token, new_password: data.get("password") });
      } catch (error) {
        if (error.status === 404 || error.status === 410) return outcome.replaceChildren(deadLink(error, "reset"));
        throw error;
      }
      region.set("Your password is set. You can sign in now.", "success");
    }),
    outcome,
    h("p", {}, h("a", { href: "/sign-in", "data-route": "" }, "Sign in")));
}

/** The mailed verification link's page: verifies as it opens. */
export async function verifyEmail(view) {
  const region = status();
  const token = takeToken(view);
  let dead = null;
  if (!token) dead = deadLink(null, "verify");
  else {
    try {
      await publicApi("POST", "/api/auth/verify-email", { token });
      region.set("Your email address is verified.", "success");
    } catch (error) {
      if (error.status === 404 || error.status === 410) dead = deadLink(error, "verify");
      else region.set(error.message, "error");
    }
  }
  return page("Verify your email", region, dead, h("p", {}, h("a", { href: "/", "data-route": "" }, "Open the console")));
}

/** What to do about an invitation that cannot be accepted as things stand. */
function refusalHelp(view, invitation) {
  const code = invitation.refusal?.code;
  const inviter = invitation.inviter?.name ?? "the org's admins";
  if (code === "forbidden") {
    const switchAccount = actionButton("Sign out and use that address", async () => {
      const here = location.pathname + location.search;
      await signOut().catch(() => forgetSession());
      view.navigate(`/sign-in?next=${encodeURIComponent(here)}`);
    }, null);
    return h("div", { class: "notice" },
      h("p", {}, `This invitation is for ${invitation.email}, and you are signed in as ${view.me.email}. `,
        "Sign out, then sign in (or create an account) with the invited address."),
      switchAccount);
  }
  if (code === "invitation_expired" || code === "invitation_revoked") {
    return h("div", { class: "notice" }, h("p", {}, invitation.refusal.detail),
      h("p", {}, `Ask ${inviter} to send it again.`));
  }
  if (code === "email_unverified") {
    return h("div", { class: "notice" }, h("p", {}, "Verify your email address first, then come back to this page."),
      newVerificationLink());
  }
  if (code === "already_member") {
    return h("div", { class: "notice" }, h("p", {}, `You are a member of ${invitation.org_name} already.`),
      h("p", {}, h("a", { href: `/orgs/${invitation.org_id}/conversations`, "data-route": "" }, `Open ${invitation.org_name}`)));
  }
  return h("div", { class: "notice" }, h("p", {}, invitation.refusal?.detail || "This invitation cannot be accepted."));
}

/** The mailed invitation link's page (signed in): who invites whom to what, then "Accept". */
export async function acceptInvitation(view) {
  const token = view.params.token;
  if (!token) {
    return page("Join an org", h("p", { class: "notice", role: "alert" },
      "This link has no invitation in it: open the link from the mail again, all of it."));
  }
  let invitation;
  try {
    invitation = await api("POST", "/api/invitations/preview", { token });
  } catch (error) {
    if (error.status !== 404) throw error;
    return page("Join an org", h("div", { class: "notice", role: "alert" },
      h("p", {}, "This invitation was accepted already, withdrawn, or the link is not complete."),
      h("p", {}, "Ask the person who invited you to send it again."),
      h("p", {}, h("a", { href: "/", "data-route": "" }, "Open the console"))));
  }
  const region = status();
  const accept = actionButton("Accept the invitation", async () => {
    const member = await api("POST", "/api/invitations/accept", { token });
    await view.reloadOrgs();
    view.navigate(`/orgs/${invitation.org_id}/members`, {
      flash: { message: `You joined ${invitation.org_name} as ${member.role}.`, kind: "success" },
    });
  }, region, { class: "primary" });
  const inviter = invitation.inviter
    ? invitation.inviter.email ? `${invitation.inviter.name} (${invitation.inviter.email})` : invitation.inviter.name
    : "An admin";
  return page(`Join ${invitation.org_name}`,
    h("p", { class: "big" }, `${inviter} invited ${invitation.email} to join `, h("strong", {}, invitation.org_name),
      ` as ${invitation.role}.`),
    h("p", { class: "muted" }, `The invitation works until ${when(invitation.expires_at)}.`),
    invitation.refusal ? refusalHelp(view, invitation) : accept,
    region);
}

/** The person's account: name, email verification, password, two-factor sign-in and sessions. */
export async function account(view) {
  const region = status();
  const verified = view.me.email_verified;
  const mfaState = h("dd", { id: "mfa-state" }, view.me.mfa_enabled ? "on" : "off");
  const nameShown = h("dd", {}, view.me.name);
  const setMfa = (on) => {
    view.me.mfa_enabled = on;
    mfaState.textContent = on ? "on" : "off";
  };
  const rename = form([field("Name", input("name", "text", { value: view.me.name, maxlength: 100, autocomplete: "name" }))],
    "Save name", async (data, formRegion) => {
      const me = await api("PATCH", "/api/auth/me", { name: String(data.get("name")) });
      view.me.name = me.name;
      nameShown.textContent = me.name;
      formRegion.set("Your name is saved.", "success");
    });
  rename.classList.add("inline");
  const mfaArea = h("div");
  const drawMfa = () => mfaArea.replaceChildren(...[view.me.mfa_enabled ? mfaOff(view, setMfa) : mfaOn(view, setMfa)].flat());
  drawMfa();
  return page("Your account",
    h("dl", { class: "facts" },
      h("dt", {}, "Name"), nameShown,
      h("dt", {}, "Email"), h("dd", {}, view.me.email),
      h("dt", {}, "Verified"), h("dd", {}, verified ? "yes" : "no"),
      h("dt", {}, "Two-factor sign-in"), mfaState),
    verified ? null : actionButton("Mail me a verification link", async () => {
      await api("POST", "/api/auth/verify-email/request");
      region.set("A verification link is on its way.");
    }, region),
    region,
    h("h2", {}, "Name"), rename,
    h("h2", {}, "Password"), passwordForm(),
    h("h2", {}, "Two-factor sign-in"), mfaArea,
    h("h2", {}, "Sessions"), await sessions(view));
}

function passwordForm() {
  return form([
    field("Current password", input("current_password", "password", { autocomplete: "current-password" })),
    field("New password", input("new_password", "password", { autocomplete: "new-password", minlength: 12, maxlength: 128 }),
      "12 to 128 characters. Your other sessions end; this one stays."),
  ], "Change password", async (data, region) => {
    await api("POST", "/api/auth/password", {
      current_password: data.get("current_password"),
      new_password: data.get("new_password"),
    });
    // Every access token issued before is refused now: one refresh gives this session a new one.
    region.set("Your password is changed, and your other sessions have ended.", "success");
  });
}

/** Where the person is signed in, with a way out of each, and of all. */
async function sessions(view) {
  const region = status();
  const { items } = await api("GET", "/api/auth/sessions");
  const rows = items.map((session) => h("tr", {},
    h("td", {}, when(session.created_at), session.current ? [" ", h("span", { class: "tag" }, "this one")] : null),
    h("td", {}, session.sign_in_method === "sso" ? "single sign-on" : "password"),
    h("td", {}, when(session.expires_at)),
    h("td", {}, session.current ? null : actionButton("End", async () => {
      await api("DELETE", path("/api/auth/sessions", session.id));
      view.reload({ message: "That session has ended: it is signed out at its next request.", kind: "success" });
    }, region, { class: "danger", "aria-label": `End the session signed in ${when(session.created_at)}` }))));
  const everywhere = actionButton("Log out everywhere", async () => {
    if (!confirm("Sign out every session of your account, this one too?")) return;
    await api("POST", "/api/auth/logout-all");
    forgetSession();
    view.navigate("/sign-in", { flash: { message: "You are signed out everywhere.", kind: "success" } });
  }, region, { class: "danger" });
  return [
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Your sessions, newest first"),
      h("thead", {}, h("tr", {}, ["Signed in", "With", "Ends", "Actions"].map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, rows)),
    everywhere, region,
  ];
}

/** Turning TOTP on: the secret (as a QR code and as text), then a code to confirm it. */
function mfaOn(view, setMfa) {
  const area = h("div");
  const region = status();
  const start = actionButton("Set up an authenticator app", async () => {
    const setup = await api("POST", "/api/auth/mfa/totp/setup");
    const confirm = form(
      [field("Code from the app", input("code", "text", { autocomplete: "one-time-code", inputmode: "numeric" }))],
      "Turn on",
      async (data) => {
        const { recovery_codes: codes } = await api("POST", "/api/auth/mfa/totp/confirm", {
          code: String(data.get("code")).trim(),
        });
        setMfa(true);
        area.replaceChildren(
          h("p", { class: "notice", role: "status" }, "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if you lose the app, and they are shown only now."),
          h("ul", { class: "codes", "aria-label": "Recovery codes" }, codes.map((code) => h("li", {}, h("code", {}, code)))),
          copyButton("Copy the recovery codes", () => codes.join("\n"), region));
      });
    area.replaceChildren(
      h("p", {}, "Scan this code with your authenticator app, or type the secret into it."),
      h("img", { src: setup.qr_code, alt: "QR code of the authenticator secret", width: 200, height: 200, class: "qr" }),
      field("Secret", h("input", { type: "text", readonly: true, value: setup.secret, class: "secret-value" })),
      copyButton("Copy the secret", () => setup.secret, region),
      confirm);
    area.querySelector("input[name=code]").focus();
  }, region);
  area.append(h("p", {}, "Ask for a code from an authenticator app at every sign-in."), start);
  return [area, region];
}

/** Turning TOTP off takes the password and a current code. */
function mfaOff(view, setMfa) {
  return form(
    [
      field("Password", input("password", "password", { autocomplete: "current-password" })),
      field("Code from the app", input("code", "text", { autocomplete: "one-time-code", inputmode: "numeric" })),
    ],
    "Turn off",
    async (data) => {
      await api("DELETE", "/api/auth/mfa", { password: data.get("password"), code: String(data.get("code")).trim() });
      setMfa(false);
      view.reload({ message: "Two-factor sign-in is off.", kind: "success" });
    });
}
