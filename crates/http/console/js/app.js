// The console: routes a path to its screen, keeps the signed-in person and their orgs.

import { api, forgetSession, hasSession, signOut } from "./api.js";
import { h, show } from "./dom.js";
import * as auth from "./auth.js";
import * as orgs from "./orgs.js";

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

/** Moves to `to` (a path with its query) without reloading. */
export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  render();
}

window.addEventListener("popstate", () => render());
window.addEventListener("tenantry:signed-out", () => navigate("/sign-in", { replace: true }));
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
  // Reads `me` and `orgs` through to the context, so reloads show everywhere.
  const view = Object.assign(Object.create(context), { params, signal: screen.signal });
  try {
    if (PUBLIC[pathname]) {
      show(root, await PUBLIC[pathname](view));
      return focusMain();
    }
    if (!hasSession()) {
      const next = encodeURIComponent(pathname + location.search);
      return navigate(`/sign-in?next=${next}`, { replace: true });
    }
    context.me = await api("GET", "/api/auth/me");
    await context.reloadOrgs();
    if (pathname === "/invitations/accept") {
      show(root, shell(view, null, await auth.acceptInvitation(view)));
      return focusMain();
    }
    if (pathname === "/account") {
      show(root, shell(view, null, await auth.account(view)));
      return focusMain();
    }
    if (pathname === "/orgs/new") {
      show(root, shell(view, null, orgs.createOrg(view)));
      return focusMain();
    }
    const match = pathname.match(/^\/orgs\/([0-9a-f-]{36})(?:\/([a-z-]+))?(?:\/([0-9a-f-]{36}))?$/);
    if (!match) {
      const org = context.orgs.find((item) => item.id === context.me.current_org_id) || context.orgs[0];
      return navigate(org ? `/orgs/${org.id}/conversations` : "/orgs/new", { replace: true });
    }
    const [, orgId, section = "conversations", itemId] = match;
    const org = context.orgs.find((item) => item.id === orgId);
    if (!org) {
      show(root, shell(view, null, h("main", { id: "main", tabindex: "-1" },
        h("h1", {}, "Not found"), h("p", {}, "This org does not exist or you are not a member."))));
      return focusMain();
    }
    if (context.me.current_org_id !== org.id) {
      // The API's notion of the current org follows what the person looks at.
      api("POST", `/api/orgs/${org.id}/switch`).then((me) => (context.me = me)).catch(() => {});
    }
    const body = await orgs.section(view, org, section, itemId);
    if (screen.signal.aborted) return;
    show(root, shell(view, org, body));
    focusMain();
  } catch (error) {
    if (screen.signal.aborted) return;
    if (error.status === 401) return navigate("/sign-in", { replace: true });
    show(root, h("main", { id: "main", class: "narrow", tabindex: "-1" }, h("h1", {}, "Something went wrong"),
      h("p", { role: "alert" }, error.message), h("p", {}, h("a", { href: "/", "data-route": "" }, "Back to the console"))));
  }
}

function focusMain() {
  const main = root.querySelector("main h1") || root.querySelector("main");
  if (main) {
    if (!main.hasAttribute("tabindex")) main.setAttribute("tabindex", "-1");
    main.focus({ preventScroll: true });
  }
}

/** The frame around signed-in screens: org switcher, sections, account and sign-out. */
function shell(view, org, body) {
  const switcher = h("select", { id: "org-switcher", "aria-label": "Organisation" },
    view.orgs.map((item) => h("option", { value: item.id, selected: org?.id === item.id },
      item.personal ? `${item.name} (personal)` : item.name)),
    h("option", { value: "new" }, "Create an org…"));
  if (!org) switcher.prepend(h("option", { value: "", selected: true, disabled: true }, "Choose an org"));
  switcher.addEventListener("change", () => {
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
      switcher,
      h("nav", { "aria-label": "Account", class: "account" },
        h("a", { href: "/account", "data-route": "" }, view.me.email),
        signOutButton)),
    org ? orgs.sectionNav(org, view) : null,
    body,
  ];
}

render();
