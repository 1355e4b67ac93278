// Signing up and in (with the MFA step), the landing pages of mailed links, and the account.

import { api, keepSession, publicApi } from "./api.js";
import { actionButton, field, form, h, status, withReason } from "./dom.js";

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

/** The mailed reset link's page. */
export function resetPassword(view) {
  const token = takeToken(view);
  if (!token) return page("Reset your password", h("p", { role: "alert" }, "This link has no token."));
  return page("Choose a new password",
    form([field("New password", input("password", "password", { autocomplete: "new-password", minlength: 12, maxlength: 128 }),
      "12 to 128 characters. Every session and API key of the account ends.")], "Set password",
    async (data, region) => {
      await publicApi("POST", "/api/auth/password-reset", { token, new_password: data.get("password") });
      region.set("Your password is set. You can sign in now.", "success");
    }),
    h("p", {}, h("a", { href: "/sign-in", "data-route": "" }, "Sign in")));
}

/** The mailed verification link's page: verifies as it opens. */
export async function verifyEmail(view) {
  const region = status();
  const token = takeToken(view);
  if (!token) region.set("This link has no token.", "error");
  else {
    try {
      await publicApi("POST", "/api/auth/verify-email", { token });
      region.set("Your email address is verified.", "success");
    } catch (error) {
      region.set(error.message, "error");
    }
  }
  return page("Verify your email", region, h("p", {}, h("a", { href: "/", "data-route": "" }, "Open the console")));
}

/** The mailed invitation link's page (signed in). */
export async function acceptInvitation(view) {
  const token = view.params.token;
  const region = status();
  const accept = actionButton("Accept the invitation", async () => {
    const before = new Set(view.orgs.map((org) => org.id));
    const member = await api("POST", "/api/invitations/accept", { token });
    const joined = (await view.reloadOrgs()).find((org) => !before.has(org.id));
    region.set(`You joined as ${member.role}.`, "success");
    if (joined) view.navigate(`/orgs/${joined.id}/members`);
  }, region, { class: "primary" });
  return page("Join an org",
    h("p", {}, `Signed in as ${view.me.email}. The invitation must be addressed to this email.`),
    view.me.email_verified ? null : h("p", { class: "notice" },
      "Verify your email address first: some orgs accept only verified members. ",
      h("a", { href: "/account", "data-route": "" }, "Account")),
    withReason(accept, token ? null : "This link has no invitation token: open the link from the mail again."),
    region);
}

/** The person's account: email verification and two-factor sign-in. */
export function account(view) {
  const region = status();
  const verified = view.me.email_verified;
  return page("Your account",
    h("dl", { class: "facts" },
      h("dt", {}, "Email"), h("dd", {}, view.me.email),
      h("dt", {}, "Verified"), h("dd", {}, verified ? "yes" : "no"),
      h("dt", {}, "Two-factor sign-in"), h("dd", {}, view.me.mfa_enabled ? "on" : "off")),
    verified ? null : actionButton("Mail me a verification link", async () => {
      await api("POST", "/api/auth/verify-email/request");
      region.set("A verification link is on its way.");
    }, region),
    region,
    h("h2", {}, "Two-factor sign-in"),
    view.me.mfa_enabled ? mfaOff(view) : mfaOn(view));
}

/** Turning TOTP on: the secret (as a QR code and as text), then a code to confirm it. */
function mfaOn(view) {
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
        view.me.mfa_enabled = true;
        area.replaceChildren(
          h("p", { class: "notice" }, "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if you lose the app, and they are shown only now."),
          h("ul", { class: "codes", "aria-label": "Recovery codes" }, codes.map((code) => h("li", {}, h("code", {}, code)))));
      });
    area.replaceChildren(
      h("p", {}, "Scan this code with your authenticator app, or type the secret into it."),
      h("img", { src: setup.qr_code, alt: "QR code of the authenticator secret", width: 200, height: 200, class: "qr" }),
      field("Secret", h("input", { type: "text", readonly: true, value: setup.secret, class: "secret-value" })),
      confirm);
    area.querySelector("input[name=code]").focus();
  }, region);
  area.append(h("p", {}, "Ask for a code from an authenticator app at every sign-in."), start);
  return [area, region];
}

/** Turning TOTP off takes the password and a current code. */
function mfaOff(view) {
  return form(
    [
      field("Password", input("password", "password", { autocomplete: "current-password" })),
      field("Code from the app", input("code", "text", { autocomplete: "one-time-code", inputmode: "numeric" })),
    ],
    "Turn off",
    async (data, region) => {
      await api("DELETE", "/api/auth/mfa", { password: data.get("password"), code: String(data.get("code")).trim() });
      view.me.mfa_enabled = false;
      region.set("Two-factor sign-in is off.", "success");
    });
}
