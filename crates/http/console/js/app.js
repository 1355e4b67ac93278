// The console: routes a path to its screen, keeps the signed-in person and their orgs.

import { api, forgetSession, hasSession, signOut } from "./api.js";
import { h, labelCells, show } from "./dom.js";
import * as auth from "./auth.js";
import * as device from "./device.js";
import * as orgs from "./orgs.js";
import * as operators from "./operators.js";

const root = document.getElementById("app");

/** What every screen gets: where it is, who is signed in, and how to move on. */
const context = {
  me: null,
  orgs: [],
  navigate,
  async reloadOrgs() {
    context.orgs = (await api("GET", "/api/orgs")).items;
    return context.orgs;
  },
};

/** What the last action achieved, shown on the next screen drawn (it outlives the redraw). */
let pendingFlash = null;

/**
 * Moves to `to` (a path with its query) without reloading; `flash` (`{message, kind}`) is shown at
 * the top of the screen drawn there.
 */
export function navigate(to, { replace = false, flash = null } = {}) {
  if (flash) pendingFlash = flash;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  render();
}

/** The outcome of the action that led here, until the person moves on. */
function flashNote(flash) {
  if (!flash?.message) return null;
  return h("p", { class: `flash ${flash.kind || "success"}`, role: flash.kind === "error" ? "alert" : "status" },
    flash.message);
}

// Tables become cards on narrow screens: every cell carries its column's name.
new MutationObserver(() => root.querySelectorAll("table").forEach(labelCells))
  .observe(root, { childList: true, subtree: true });

window.addEventListener("popstate", () => render());
window.addEventListener("tenantry:signed-out", () => navigate(signInHere(), { replace: true }));

/** The sign-in page, coming back here afterwards. */
function signInHere() {
  const here = location.pathname + location.search;
  return PUBLIC[location.pathname] ? "/sign-in" : `/sign-in?next=${encodeURIComponent(here)}`;
}
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});

/** Screens anyone may open, signed in or not. */
const PUBLIC = {
  "/sign-in": auth.signIn,
  "/sign-up": auth.signUp,
  "/forgot-password": auth.forgotPassword,
  "/reset-password": auth.resetPassword,
  "/verify-email": auth.verifyEmail,
};

let currentScreen = null;

async function render() {
  currentScreen?.abort();
  const screen = new AbortController();
  currentScreen = screen;
  const { pathname, searchParams } = new URL(location.href);
  const params = Object.fromEntries(searchParams);
  const flash = pendingFlash;
  pendingFlash = null;
  // Reads `me` and `orgs` through to the context, so reloads show everywhere.
  const view = Object.assign(Object.create(context), {
    params,
    signal: screen.signal,
    /** Draws this screen again (with `flash` on top), unless the person has moved on. */
    reload(flash = null) {
      if (!screen.signal.aborted) navigate(location.pathname + location.search, { replace: true, flash });
    },
  });
  // A screen that finished after the person moved on is not shown.
  const display = (...content) => {
    if (screen.signal.aborted) return;
    show(root, ...content);
    const note = flashNote(flash);
    let anchor = root.querySelector("main h1");
    while (anchor?.parentElement && anchor.parentElement.tagName !== "MAIN") anchor = anchor.parentElement;
    if (note && anchor) anchor.after(note);
    focusMain();
  };
  try {
    if (PUBLIC[pathname]) return display(await PUBLIC[pathname](view));
    if (!hasSession()) return navigate(signInHere(), { replace: true });
    context.me = await api("GET", "/api/auth/me");
    await context.reloadOrgs();
    if (pathname === "/invitations/accept") return display(shell(view, null, await auth.acceptInvitation(view)));
    if (pathname === "/account") return display(shell(view, null, await auth.account(view)));
    if (pathname === "/device") return display(shell(view, null, device.screen(view)));
    if (pathname === "/admin") {
      if (!context.me.is_superadmin) {
        return display(shell(view, null, h("main", { id: "main" }, h("h1", {}, "Not here"),
          h("p", {}, "Only the install's superadmins see the operator pages."))));
      }
      return display(shell(view, null, await operators.screen(view)));
    }
    if (pathname === "/orgs/new") return display(shell(view, null, orgs.createOrg(view)));
    const match = pathname.match(/^\/orgs\/([0-9a-f-]{36})(?:\/([a-z-]+))?(?:\/([0-9a-f-]{36}))?$/);
    if (!match) {
      const org = context.orgs.find((item) => item.id === context.me.current_org_id) || context.orgs[0];
      return navigate(org ? `/orgs/${org.id}/conversations` : "/orgs/new", { replace: true, flash });
    }
    const [, orgId, section = "conversations", itemId] = match;
    const org = context.orgs.find((item) => item.id === orgId);
    if (!org) {
      return display(shell(view, null, h("main", { id: "main" },
        h("h1", {}, "Not found"), h("p", {}, "This org does not exist or you are not a member."))));
    }
    if (context.me.current_org_id !== org.id) {
      // The API's notion of the current org follows what the person looks at.
      api("POST", `/api/orgs/${org.id}/switch`).then((me) => (context.me = me)).catch(() => {});
    }
    display(shell(view, org, await orgs.section(view, org, section, itemId)));
  } catch (error) {
    if (screen.signal.aborted) return;
    if (error.status === 401) return navigate(signInHere(), { replace: true });
    display(h("main", { id: "main", class: "narrow" }, h("h1", {}, "Something went wrong"),
      h("p", { role: "alert" }, error.message), h("p", {}, h("a", { href: "/", "data-route": "" }, "Back to the console"))));
  }
}

/** Names the screen in the title and moves focus to its heading, so screen readers announce it. */
function focusMain() {
  const heading = root.querySelector("main h1") || root.querySelector("main");
  if (!heading) return;
  document.title = `${heading.textContent} · Tenantry`;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
}

/** The frame around signed-in screens: org switcher, sections, account and sign-out. */
function shell(view, org, body) {
  const switcher = h("select", { id: "org-switcher", name: "org", "aria-label": "Organisation" },
    view.orgs.map((item) => h("option", { value: item.id, selected: org?.id === item.id },
      item.personal ? `${item.name} (personal)` : item.name)),
    h("option", { value: "new" }, "Create an org…"));
  if (!org) switcher.prepend(h("option", { value: "", selected: true, disabled: true }, "Choose an org"));
  // A form, not a change handler: arrowing through the options with the keyboard moves nowhere.
  const switchForm = h("form", { class: "switcher" }, switcher, h("button", { type: "submit" }, "Switch"));
  switchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!switcher.value) return;
    navigate(switcher.value === "new" ? "/orgs/new" : `/orgs/${switcher.value}/conversations`);
  });
  const signOutButton = h("button", { type: "button", class: "link" }, "Sign out");
  signOutButton.addEventListener("click", async () => {
    await signOut().catch(() => forgetSession());
    navigate("/sign-in");
  });
  return [
    h("header", { class: "top" },
      h("a", { href: "/", "data-route": "", class: "brand" }, "Tenantry"),
      switchForm,
      h("nav", { "aria-label": "Account", class: "account" },
        view.me.is_superadmin ? h("a", { href: "/admin", "data-route": "" }, "Operators") : null,
        h("a", { href: "/account", "data-route": "", class: "who" }, view.me.email),
        signOutButton)),
    org ? orgs.sectionNav(org, view) : null,
    body,
  ];
}

render();
