// The console in Debian's Chromium, driven by playwright-core against a running Tenantry:
// sign up → create an org → invite, resend (the links read from the mail outbox) → the invitation
// page names org, inviter and role, and says what to do (verify first; someone else's; a spent
// link) → verify and accept in a second browser context at phone width → change the role → the
// account (name, password, two-factor sign-in, sessions) → API keys with owner, expiry and scopes →
// a conversation created in place, its header and events live, renamed, shared → usage by member,
// model and day against the budget, member caps → the audit log as sentences, filtered, as CSV →
// the org renamed and another deleted → every screen again at 390 px → sign out. Every screen is
// photographed into SCREENSHOTS, and none may scroll sideways. Any console error or CSP violation
// fails the run.
//
// Environment: BASE_URL, MAIL_DIR, SCREENSHOTS, CHROMIUM (default /usr/bin/chromium), MODULES (the
// node_modules holding playwright-core). Prints one JSON line of facts the caller checks.

import { readFileSync, readdirSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";

const { BASE_URL, MAIL_DIR, SCREENSHOTS, MODULES } = process.env;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const { chromium } = await import(pathToFileURL(join(MODULES, "playwright-core", "index.mjs")).href);

mkdirSync(SCREENSHOTS, { recursive: true });
const facts = { screens: [], widths: [], first_load_bytes: 0 };
const problems = [];
let shot = 0;

async function snap(page, name) {
  shot += 1;
  const file = join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  facts.screens.push(name);
  // Nothing scrolls sideways, at any width.
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  if (scroll > inner) problems.push(`${name}: the page is ${scroll} px wide in a ${inner} px window`);
  facts.widths.push([name, inner, scroll]);
}

/** A success message that is still there a second later (it survives the screen's redraw). */
async function lasting(page, text) {
  await page.getByText(text).first().waitFor();
  await page.waitForTimeout(1000);
  assert.ok(await page.getByText(text).first().isVisible(), `“${text}” stays on screen`);
}

const pages = [];
// Refusals a step provokes on purpose; Chromium logs each refused request as a console error.
let expectedRefusals = 0;

function watch(page, who) {
  pages.push([who, page]);
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (expectedRefusals > 0 && /status of 4\d\d/.test(message.text())) {
      expectedRefusals -= 1;
      return;
    }
    problems.push(`${who}: console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${who}: page error: ${error.message}`));
  // Confirmations (revoke, delete) are answered yes; nothing asks through window.prompt.
  page.on("dialog", (dialog) => {
    if (dialog.type() === "prompt") problems.push(`${who}: window.prompt asked “${dialog.message()}”`);
    dialog.accept();
  });
}

/** The link in the newest mail to `to` whose path starts with `prefix`, as a path on BASE_URL. */
async function mailedLink(to, prefix) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const files = readdirSync(MAIL_DIR).sort().reverse();
    for (const file of files) {
      // Quoted-printable: soft line breaks, then escaped bytes.
      const mail = readFileSync(join(MAIL_DIR, file), "utf8")
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
      if (!mail.includes(to)) continue;
      const match = mail.match(new RegExp(`https?://[^\\s"<>]+(${prefix.replace("/", "\\/")}\\?token=[A-Za-z0-9_-]+)`));
      if (match) return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${to} with ${prefix}`);
}

/** The current RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator shows it. */
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

async function api(method, path, token, body) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
try {
  const stamp = Date.now();
  const alice = { name: "Alice Owner", email: `alice-${stamp}@example.com`, password: "correct horse battery" };
  const bob = { name: "Bob Builder", email: `bob-${stamp}@example.com`, password: "another long password" };

  // Alice signs up; the first load is measured.
  const first = await browser.newContext({ colorScheme: "dark" });
  const page = await first.newPage();
  watch(page, "alice");
  page.on("response", async (response) => {
    if (response.url().startsWith(BASE_URL) && !response.url().includes("/api/")) {
      const body = await response.body().catch(() => Buffer.alloc(0));
      facts.first_load_bytes += body.length;
    }
  });
  await page.goto(`${BASE_URL}/`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  // Each screen moves focus to its heading; Tab then walks the form in reading order.
  const focused = () => page.evaluate(() => {
    const element = document.activeElement;
    return `${element.tagName.toLowerCase()}:${element.getAttribute("name") || element.textContent.trim()}`;
  });
  assert.equal(await focused(), "h1:Sign in");
  const order = [];
  for (let step = 0; step < 4; step += 1) {
    await page.keyboard.press("Tab");
    order.push(await focused());
  }
  assert.deepEqual(order, ["input:email", "input:password", "button:Sign in", "a:Create an account"]);
  await snap(page, "sign-in");
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Name").fill(alice.name);
  await page.getByLabel("Email").fill(alice.email);
  await page.getByLabel("Password").fill(alice.password);
  await snap(page, "sign-up");
  page.removeAllListeners("response");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]+\/conversations$/);
  await page.getByRole("heading", { name: "Conversations" }).waitFor();
  await snap(page, "conversations-empty");

  // A personal org's members screen explains why nobody can be invited.
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByText("A personal org has only its owner: create a shared org").waitFor();

  // A shared org, with a long name (the switcher must not widen a phone's page).
  const teamName = `Team ${stamp} building the agents of tomorrow together`;
  await page.getByLabel("Organisation").selectOption("new");
  await page.getByRole("button", { name: "Switch" }).click();
  await page.waitForURL(/\/orgs\/new$/);
  await page.getByLabel("Name").fill(teamName);
  await snap(page, "create-org");
  await page.getByRole("button", { name: "Create org" }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]+\/members$/);
  const orgId = page.url().match(/\/orgs\/([0-9a-f-]+)\/members/)[1];
  // The only owner cannot demote or remove themself, and is told why before trying.
  const ownRole = page.getByLabel(`Role of ${alice.email}`, { exact: true });
  assert.equal(await ownRole.isDisabled(), true, "the only owner's role is locked");
  await page.getByText("The org's only owner: transfer ownership first.").waitFor();
  await page.getByText("No pending invitations.").waitFor();

  // Invite Bob; the outcome stays on screen after the list redraws. Then send it again.
  await page.getByLabel("Email").fill(bob.email);
  await page.getByLabel("Role", { exact: true }).selectOption("developer");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await lasting(page, `Invitation mailed to ${bob.email}.`);
  await page.getByRole("cell", { name: bob.email, exact: true }).waitFor();
  const firstInvitation = await mailedLink(bob.email, "/invitations/accept");
  await page.getByRole("button", { name: `Resend the invitation of ${bob.email}` }).click();
  await lasting(page, `A new invitation link is on its way to ${bob.email}`);
  await page.getByRole("cell", { name: alice.name, exact: true }).waitFor();
  await snap(page, "members-with-invitation");
  let invitation = await mailedLink(bob.email, "/invitations/accept");
  for (let attempt = 0; invitation === firstInvitation && attempt < 50; attempt += 1) {
    await page.waitForTimeout(100);
    invitation = await mailedLink(bob.email, "/invitations/accept");
  }
  assert.notEqual(invitation, firstInvitation, "the resent invitation has a new link");

  // Someone else's invitation: Alice opening Bob's link is told whose it is and what to do.
  await page.goto(`${BASE_URL}${invitation}`);
  await page.getByRole("heading", { name: `Join ${teamName}` }).waitFor();
  await page.getByText(/This invitation is for b…@e…, and you are signed in as/).waitFor();
  await page.getByRole("button", { name: "Sign out and use that address" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Accept the invitation" }).count(), 0);
  await snap(page, "invitation-for-someone-else");

  // Bob, in a browser of his own at phone width: the mailed link asks him to sign in first.
  const second = await browser.newContext({ colorScheme: "light", viewport: { width: 390, height: 844 } });
  const bobPage = await second.newPage();
  watch(bobPage, "bob");
  await bobPage.goto(`${BASE_URL}${firstInvitation}`);
  await bobPage.waitForURL(/\/sign-in\?next=/);
  // The first link was replaced by the resend: its page will say so (the lookup is refused).
  expectedRefusals += 1;
  await bobPage.getByRole("link", { name: "Create an account" }).click();
  await bobPage.getByLabel("Name").fill(bob.name);
  await bobPage.getByLabel("Email").fill(bob.email);
  await bobPage.getByLabel("Password").fill(bob.password);
  await bobPage.getByRole("button", { name: "Create account" }).click();
  await bobPage.waitForURL(/\/invitations\/accept\?token=/);
  // The first link was replaced by the resend.
  await bobPage.getByText("This invitation was accepted already, withdrawn, or the link is not complete.").waitFor();
  await bobPage.getByText("Ask the person who invited you to send it again.").waitFor();
  await snap(bobPage, "invitation-spent");
  // The new one names the org, the inviter and the role, and asks Bob to verify first.
  await bobPage.goto(`${BASE_URL}${invitation}`);
  await bobPage.getByText(`${alice.name} (${alice.email}) invited ${bob.email} to join`).waitFor();
  await bobPage.getByText(/as developer\.$/).waitFor();
  await bobPage.getByText("Verify your email address first, then come back to this page.").waitFor();
  await snap(bobPage, "invitation-unverified");
  await bobPage.getByRole("button", { name: "Request a new link" }).click();
  await bobPage.getByText("A new link is on its way: open the newest mail.").waitFor();
  const verification = await mailedLink(bob.email, "/verify-email");
  await bobPage.goto(`${BASE_URL}${verification}`);
  await bobPage.getByText("Your email address is verified.").waitFor();
  await snap(bobPage, "verify-email");
  // A spent link says so, and offers a new one.
  expectedRefusals += 1;
  await bobPage.goto(`${BASE_URL}${verification}`);
  await bobPage.getByText("This link was used already, or it is not complete.").waitFor();
  await bobPage.getByRole("button", { name: "Request a new link" }).waitFor();
  await snap(bobPage, "verify-email-spent");
  await bobPage.goto(`${BASE_URL}${invitation}`);
  // Keyboard only: Tab to the button, Enter to accept.
  const accept = bobPage.getByRole("button", { name: "Accept the invitation" });
  await accept.focus();
  await bobPage.keyboard.press("Enter");
  await bobPage.waitForURL(new RegExp(`/orgs/${orgId}/members$`));
  await lasting(bobPage, `You joined ${teamName} as developer.`);
  await bobPage.getByLabel(`Role of ${alice.email}`, { exact: true }).waitFor();
  // A developer sees the controls, disabled, with the reason.
  await bobPage.getByText("Only admins and owners change roles.").first().waitFor();
  await snap(bobPage, "members-as-developer");

  // Alice makes Bob an admin; the outcome stays.
  await page.goto(`${BASE_URL}/orgs/${orgId}/members`);
  const bobRole = page.getByLabel(`Role of ${bob.email}`, { exact: true });
  await bobRole.waitFor();
  assert.equal(await bobRole.inputValue(), "developer");
  await bobRole.selectOption("admin");
  await page.getByRole("button", { name: `Apply the role of ${bob.email}` }).click();
  await lasting(page, `${bob.email} is now admin.`);
  assert.equal(await page.getByLabel(`Role of ${bob.email}`, { exact: true }).inputValue(), "admin");
  await snap(page, "members-after-role-change");

  // Alice sets and locks the org's model; Bob cannot override it, and is told why, but keeps his own key.
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("LLM model, org default").fill("openai/gpt-4o");
  await page.getByLabel("Lock LLM model").check();
  await page.getByRole("button", { name: "Save org defaults" }).click();
  await lasting(page, "Saved: the org's defaults apply");
  await snap(page, "settings-org-defaults");
  await bobPage.getByRole("link", { name: "Settings" }).click();
  const bobModel = bobPage.getByLabel("LLM model, your override");
  await bobModel.waitFor();
  assert.equal(await bobModel.isDisabled(), true, "a locked field cannot be overridden");
  await bobPage.getByText("Locked by the org's admins.").waitFor();
  await bobPage.getByRole("cell", { name: "openai/gpt-4o", exact: true }).first().waitFor();
  await bobPage.getByLabel("LLM API key, your override").fill("sk-bob-own-key");
  await bobPage.getByRole("button", { name: "Save my overrides" }).click();
  await lasting(bobPage, "Saved: your overrides apply");
  await bobPage.waitForTimeout(500);
  assert.equal(await bobPage.getByText("sk-bob-own-key").count(), 0, "a key is never shown back");
  assert.equal(await bobPage.getByLabel("LLM API key, your override").inputValue(), "");
  await snap(bobPage, "settings-member-overrides");

  // Bob's account: a new name, two-factor sign-in (the status follows at once), copy buttons.
  await bobPage.getByRole("link", { name: bob.email }).click();
  await bobPage.getByRole("heading", { name: "Your account" }).waitFor();
  await bobPage.getByRole("textbox", { name: "Name" }).fill("Bob B. Builder");
  await bobPage.getByRole("button", { name: "Save name" }).click();
  await bobPage.getByText("Your name is saved.").waitFor();
  bob.name = "Bob B. Builder";
  // Bob's sessions: this one is marked, another (signed in elsewhere) can be ended.
  const otherSession = await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: bob.email, password: bob.password }),
  }).then((response) => response.json());
  await bobPage.reload();
  await bobPage.getByRole("heading", { name: "Sessions" }).waitFor();
  await bobPage.getByText("this one", { exact: true }).waitFor();
  assert.equal(await bobPage.getByRole("button", { name: /^End the session/ }).count(), 1, "the other session can be ended");
  await bobPage.getByRole("button", { name: /^End the session/ }).click();
  await lasting(bobPage, "That session has ended");
  const ended = await fetch(`${BASE_URL}/api/auth/me`, { headers: { Authorization: `Bearer ${otherSession.access_token}` } });
  assert.equal(ended.status, 401, "the ended session is refused at its next request");
  await snap(bobPage, "account-sessions");
  assert.equal(await bobPage.locator("#mfa-state").innerText(), "off");
  await bobPage.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = await bobPage.getByLabel("Secret").inputValue();
  await bobPage.getByRole("img", { name: "QR code of the authenticator secret" }).waitFor();
  await bobPage.getByRole("button", { name: "Copy the secret" }).waitFor();
  await snap(bobPage, "mfa-setup");
  await bobPage.getByLabel("Code from the app").fill(totp(secret));
  await bobPage.getByRole("button", { name: "Turn on" }).click();
  const codes = bobPage.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await codes.first().waitFor();
  assert.equal(await codes.count(), 10);
  assert.equal(await bobPage.locator("#mfa-state").innerText(), "on", "the status follows without a reload");
  await bobPage.getByRole("button", { name: "Copy the recovery codes" }).waitFor();
  const recovery = (await codes.nth(3).innerText()).trim();
  await snap(bobPage, "mfa-recovery-codes");
  await bobPage.getByRole("button", { name: "Sign out" }).click();
  await bobPage.waitForURL(/\/sign-in/);
  await bobPage.getByLabel("Email").fill(bob.email);
  await bobPage.getByLabel("Password").fill(bob.password);
  await bobPage.getByRole("button", { name: "Sign in" }).click();
  await bobPage.getByLabel("Code").fill(recovery);
  await snap(bobPage, "sign-in-mfa-step");
  await bobPage.getByRole("button", { name: "Verify" }).click();
  await bobPage.waitForURL(/\/orgs\/[0-9a-f-]+\/conversations/);
  // A reused code is explained, with what to do next.
  const reused = await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: bob.email, password: bob.password }),
  }).then((response) => response.json());
  const again = await fetch(`${BASE_URL}/api/auth/mfa/verify`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ mfa_token: reused.mfa_token, recovery_code: recovery }),
  }).then((response) => response.json());
  assert.notEqual(again.detail, "Missing or invalid credentials.", "a refused code says what to do next");


  // An API key with an expiry and a scope, shown once, listed with its owner.
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByText("No keys yet.").waitFor();
  await page.getByLabel("Name").fill("event poster");
  await page.getByLabel("Expires").selectOption("30");
  await page.getByLabel("Read conversation secrets (for an agent runtime)").check();
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByLabel("Key “event poster”");
  await keyField.waitFor();
  const apiKey = await keyField.inputValue();
  assert.ok(apiKey.length > 20, "the key is shown");
  await page.getByText("This key is shown this once.").waitFor();
  await page.getByRole("button", { name: "Copy", exact: true }).waitFor();
  await snap(page, "api-key-created");
  await page.reload();
  assert.equal(await page.getByLabel("Key “event poster”").count(), 0, "never shown again");
  const keyRow = page.getByRole("row").filter({ hasText: "event poster" });
  await keyRow.getByRole("cell", { name: "you", exact: true }).waitFor();
  await keyRow.getByRole("cell", { name: "secrets:read", exact: true }).waitFor();
  assert.notEqual(await keyRow.getByRole("cell").nth(6).innerText(), "never", "the expiry is shown");

  // A conversation created in place (no prompt), then events through the API with the key.
  await page.getByRole("link", { name: "Conversations" }).click();
  await page.getByText("No conversations yet.").waitFor();
  await page.getByText("New conversation").click();
  await page.getByLabel("Title", { exact: true }).fill("Fix the flaky test");
  await page.getByLabel("Who may read it", { exact: true }).selectOption("org");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.waitForURL(/\/conversations\/[0-9a-f-]+$/);
  await lasting(page, "The conversation is created.");
  const conversationId = page.url().match(/\/conversations\/([0-9a-f-]+)$/)[1];
  await page.getByText("No events yet").waitFor();
  await api("POST", `/api/orgs/${orgId}/conversations/${conversationId}/events`, apiKey, [
    { kind: "MessageEvent", source: "user", llm_message: { role: "user", content: [{ type: "text", text: "Please fix the flaky test." }] } },
    { kind: "ActionEvent", source: "agent", thought: [{ type: "text", text: "Run the tests first." }], action: { kind: "ExecuteBashAction", command: "cargo test -p flaky" } },
    { kind: "ObservationEvent", source: "environment", observation: { kind: "ExecuteBashObservation", content: [{ type: "text", text: "test result: FAILED. 1 failed" }], exit_code: 101 } },
  ]);
  await page.getByText("cargo test -p flaky").waitFor();
  await page.getByText("test result: FAILED. 1 failed").waitFor();
  await page.getByText("Following new events live.").waitFor();
  assert.equal(await page.getByText("No events yet").count(), 0);
  await snap(page, "conversation-events");

  // A new event appears without reload, and so do cost and tokens in the header.
  await api("POST", `/api/orgs/${orgId}/conversations/${conversationId}/events`, apiKey, {
    kind: "MessageEvent", source: "agent", llm_message: { role: "assistant", content: [{ type: "text", text: "Fixed: the test waited on a timer." }] },
  });
  await page.getByText("Fixed: the test waited on a timer.").waitFor({ timeout: 10000 });
  facts.live_event_seen = true;
  await api("POST", `/api/orgs/${orgId}/conversations/${conversationId}/usage`, apiKey, {
    prompt_tokens: 1200, completion_tokens: 300, cost: 1.25,
  });
  await page.locator('[data-fact="cost"]').filter({ hasText: "1.25" }).waitFor({ timeout: 10000 });
  await page.locator('[data-fact="tokens"]').filter({ hasText: "1500" }).waitFor();
  facts.live_header_seen = true;
  await snap(page, "conversation-live-event");

  // Renamed and shared from its page; the share link is shown once and can be revoked.
  await page.getByText("Manage this conversation").click();
  await page.getByRole("textbox", { name: "Title" }).fill("Fix the flaky timer test");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await lasting(page, "The conversation is saved.");
  await page.getByRole("heading", { name: "Fix the flaky timer test" }).waitFor();
  await page.getByText("Manage this conversation").click();
  await page.getByRole("button", { name: "Create a share link" }).click();
  const shareUrl = await page.getByLabel("Share link").inputValue();
  assert.match(shareUrl, /^https?:\/\//);
  await snap(page, "conversation-shared");
  await page.reload();
  await page.getByText("Manage this conversation").click();
  await page.getByRole("button", { name: "Revoke" }).first().click();
  await lasting(page, "The share link is revoked.");

  // Bob's list follows live too: the conversation is already there, and a new one appears.
  await bobPage.getByRole("link", { name: "Conversations" }).click();
  await bobPage.getByRole("link", { name: "Fix the flaky timer test" }).waitFor();
  await bobPage.getByText("Following changes live.").waitFor();
  await api("POST", `/api/orgs/${orgId}/conversations`, apiKey, { title: "Second task", visibility: "org" });
  await bobPage.getByRole("link", { name: "Second task" }).waitFor({ timeout: 10000 });
  await snap(bobPage, "conversations-live-list");

  // Filters, and older conversations page by page.
  await bobPage.getByLabel("Title contains").fill("Second");
  await bobPage.getByRole("button", { name: "Filter" }).click();
  await bobPage.waitForURL(/\?q=Second/);
  await bobPage.getByRole("link", { name: "Fix the flaky timer test" }).waitFor({ state: "detached" });
  await bobPage.getByText("Following changes live.").waitFor();
  assert.equal(await bobPage.getByRole("link", { name: "Second task" }).count(), 1);
  await snap(bobPage, "conversations-filtered");
  await Promise.all(Array.from({ length: 55 }, (_, index) =>
    api("POST", `/api/orgs/${orgId}/conversations`, apiKey, { title: `Batch ${index}`, visibility: "org" })));
  await bobPage.goto(`${BASE_URL}/orgs/${orgId}/conversations`);
  await bobPage.getByText("Following changes live.").waitFor();
  assert.equal(await bobPage.getByRole("link", { name: "Fix the flaky timer test" }).count(), 0, "beyond the first page");
  await bobPage.getByRole("button", { name: "Show more" }).click();
  await bobPage.getByRole("link", { name: "Fix the flaky timer test" }).waitFor();
  assert.equal(await bobPage.locator("tr[data-conversation-id]").count(), 57);

  // Usage: by member (names, not ids), by model, by day; over the budget, it says so.
  await page.getByRole("link", { name: "Usage & budget" }).click();
  await page.getByRole("heading", { name: /Usage in/ }).waitFor();
  await page.getByRole("cell", { name: alice.name, exact: true }).first().waitFor();
  assert.equal(await page.locator("svg.chart rect").count() >= 28, true, "a bar for every day");
  await page.getByLabel("Monthly budget").fill("1");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByLabel(`Monthly cap of ${bob.email}`).fill("20");
  await page.getByRole("button", { name: "Save budget" }).click();
  await lasting(page, "The budget is saved.");
  assert.equal(await page.getByLabel("Monthly budget").inputValue(), "1");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Berlin");
  assert.equal(await page.getByLabel(`Monthly cap of ${bob.email}`).inputValue(), "20");
  await page.getByText("over budget").waitFor();
  await page.getByText(/Spent \$1\.25 of \$1\.00/).waitFor();
  await snap(page, "usage-over-budget");
  await page.getByLabel("Monthly budget").fill("250");
  await page.getByRole("button", { name: "Save budget" }).click();
  await lasting(page, "The budget is saved.");
  assert.equal(await page.getByText("over budget").count(), 0);
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  expectedRefusals += 1;
  await page.getByRole("button", { name: "Save budget" }).click();
  await page.getByRole("alert").filter({ hasText: "time_zone" }).waitFor();
  await snap(page, "usage");
  // Another month, through the picker.
  await page.getByLabel("Month", { exact: true }).fill("2026-01");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Usage in 2026-01" }).waitFor();
  await page.getByText("Nothing was spent this month.").first().waitFor();
  await page.getByRole("link", { name: "Secrets" }).click();
  await page.getByText("No secrets yet.").waitFor();
  await page.getByLabel("Name").fill("GITHUB_TOKEN");
  await page.getByLabel("Value").fill("ghp-never-shown");
  await page.getByRole("button", { name: "Save secret" }).click();
  await lasting(page, "The secret GITHUB_TOKEN is saved.");
  await page.getByRole("cell", { name: "GITHUB_TOKEN", exact: true }).waitFor();
  assert.equal(await page.getByText("ghp-never-shown").count(), 0, "a secret's value is never shown");
  await snap(page, "secrets");

  // The audit log reads as sentences, filters by action, and downloads as CSV.
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByText(`${alice.name} changed ${bob.name}'s role from developer to admin.`).waitFor();
  await page.getByText(`${alice.name} invited ${bob.email} as developer.`).waitFor();
  await snap(page, "audit-log");
  await page.getByLabel("Action").selectOption("member.role_changed");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/action=member\.role_changed/);
  await page.getByText(`${alice.name} changed ${bob.name}'s role from developer to admin.`).waitFor();
  await page.getByText(`${alice.name} invited ${bob.email} as developer.`).waitFor({ state: "detached" });
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const csv = readFileSync(await (await downloading).path(), "utf8").trim().split("\r\n");
  assert.equal(csv[0], "time,action,actor,summary,target_type,target_id,detail");
  assert.equal(csv.length, 2, `one role change: ${csv.join("\n")}`);
  assert.ok(csv[1].includes("member.role_changed") && csv[1].includes(alice.name), csv[1]);
  await snap(page, "audit-log-filtered");

  // The org's own page: renamed (the switcher follows); a spare org deleted after typing its name.
  // An org without single sign-on: the provider lookup is refused (404) each time its page opens.
  expectedRefusals += 1;
  await page.getByRole("link", { name: "Org", exact: true }).click();
  await page.getByRole("heading", { name: `About ${teamName}` }).waitFor();
  await page.getByLabel("Org name").fill(`${teamName} (renamed)`);
  expectedRefusals += 1;
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await lasting(page, `Saved: the org is called ${teamName} (renamed).`);
  await page.getByRole("option", { name: `${teamName} (renamed)` }).waitFor({ state: "attached" });
  await page.getByText("No provider yet: members sign in with passwords.").waitFor();
  await snap(page, "org-settings");
  const aliceToken = (await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: alice.email, password: alice.password }),
  }).then((response) => response.json())).access_token;
  const spare = await api("POST", "/api/orgs", aliceToken, { name: `Spare ${stamp}` });
  expectedRefusals += 1;
  await page.goto(`${BASE_URL}/orgs/${spare.id}/org`);
  await page.getByRole("heading", { name: `About Spare ${stamp}` }).waitFor();
  await page.getByLabel(`Type Spare ${stamp} to confirm`).fill(`Spare ${stamp}`);
  await page.getByRole("button", { name: "Delete the org" }).click();
  await lasting(page, `Spare ${stamp} is deleted`);
  assert.equal(await page.getByRole("option", { name: `Spare ${stamp}` }).count(), 0);

  // Sandboxes have a screen of their own.
  await page.goto(`${BASE_URL}/orgs/${orgId}/sandboxes`);
  await page.getByRole("heading", { name: "Sandboxes" }).waitFor();
  await page.getByText("No sandboxes yet.").waitFor();
  await snap(page, "sandboxes");

  // Every screen again at phone width: nothing scrolls sideways (checked in snap).
  const phone = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const phonePage = await phone.newPage();
  watch(phonePage, "alice-phone");
  await phonePage.goto(`${BASE_URL}/sign-in`);
  await phonePage.getByLabel("Email").fill(alice.email);
  await phonePage.getByLabel("Password").fill(alice.password);
  await phonePage.getByRole("button", { name: "Sign in" }).click();
  await phonePage.waitForURL(/\/orgs\/[0-9a-f-]+\/conversations/);
  for (const section of ["conversations", `conversations/${conversationId}`, "sandboxes", "members", "api-keys",
    "secrets", "settings", "usage", "audit", "org"]) {
    if (section === "org") expectedRefusals += 1;
    await phonePage.goto(`${BASE_URL}/orgs/${orgId}/${section}`);
    await phonePage.locator("main h1").waitFor();
    await phonePage.waitForTimeout(200);
    await snap(phonePage, `phone-${section.split("/")[0]}`);
  }
  for (const screen of ["/account", "/device", "/admin"]) {
    await phonePage.goto(`${BASE_URL}${screen}`);
    await phonePage.locator("main h1").waitFor();
    await snap(phonePage, `phone-${screen.slice(1)}`);
  }
  await phone.close();

  // Bob logs out everywhere: his console asks him to sign in again.
  await bobPage.goto(`${BASE_URL}/account`);
  await bobPage.getByRole("button", { name: "Log out everywhere" }).click();
  await bobPage.waitForURL(/\/sign-in/);
  await bobPage.getByText("You are signed out everywhere.").waitFor();
  await snap(bobPage, "signed-out-everywhere");

  // Alice is the install's first account, so its superadmin: the operator pages.
  await page.getByRole("link", { name: "Operators" }).click();
  await page.getByRole("heading", { name: "Operators" }).waitFor();
  await page.getByRole("cell", { name: bob.email, exact: true }).waitFor();
  await page.getByLabel("Email or name contains").fill("bob-");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/q=bob-/);
  await page.getByRole("cell", { name: alice.email, exact: true }).waitFor({ state: "detached" });
  await page.getByRole("button", { name: `Disable ${bob.email}` }).click();
  await lasting(page, `${bob.email} is disabled.`);
  const refused = await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: bob.email, password: bob.password }),
  });
  assert.equal(refused.status, 401, "a disabled account cannot sign in");
  await snap(page, "operators-accounts");
  await page.getByRole("button", { name: `Enable ${bob.email}` }).click();
  await lasting(page, `${bob.email} is enabled again.`);
  await page.getByRole("link", { name: "Orgs", exact: true }).click();
  const teamRow = page.getByRole("row").filter({ hasText: `${teamName} (renamed)` });
  await teamRow.getByRole("cell", { name: "2", exact: true }).waitFor();
  await teamRow.getByRole("cell", { name: "$1.25", exact: true }).waitFor();
  await snap(page, "operators-orgs");
  await page.getByRole("link", { name: "Spending", exact: true }).click();
  await page.getByText(/Spent in \d{4}-\d{2}: \$1\.25/).waitFor();
  await snap(page, "operators-spending");

  // Sign out: the console asks to sign in again, and the old session is over.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
  await page.goto(`${BASE_URL}/orgs/${orgId}/members`);
  await page.waitForURL(/\/sign-in\?next=/);
  await snap(page, "signed-out");

  // Alice forgot her password: the mailed link's page sets a new one, and the new one signs her in.
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(alice.email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.getByText("If an account has this address, a link is on its way.").waitFor();
  await snap(page, "forgot-password");
  const reset = await mailedLink(alice.email, "/reset-password");
  await page.goto(`${BASE_URL}${reset}`);
  await page.getByLabel("New password").fill("a brand new passphrase");
  await snap(page, "reset-password");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password is set. You can sign in now.").waitFor();
  // The same link again: spent, with the way to a new one.
  await page.goto(`${BASE_URL}${reset}`);
  await page.getByLabel("New password").fill("yet another passphrase");
  expectedRefusals += 1;
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("This link was used already, or it is not complete.").waitFor();
  await page.getByRole("link", { name: "Request a new link" }).waitFor();
  await snap(page, "reset-password-spent");
  await page.goto(`${BASE_URL}/sign-in`);
  await page.getByLabel("Email").fill(alice.email);
  await page.getByLabel("Password").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]+\/conversations/);

  // The API reference renders with every request kept on this server.
  const docs = await first.newPage();
  watch(docs, "docs");
  const elsewhere = [];
  await docs.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(BASE_URL) || url.startsWith("data:")) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  await docs.goto(`${BASE_URL}/docs`);
  await docs.getByText("/api/auth/login").first().waitFor({ timeout: 20000 });
  await snap(docs, "api-reference");
  facts.docs_requests_elsewhere = elsewhere;

  await second.close();
  await first.close();
} catch (error) {
  // What each page showed when the flow broke, and what went wrong in them.
  for (const [who, open] of pages) {
    await open.screenshot({ path: join(SCREENSHOTS, `failure-${who}.png`), fullPage: true }).catch(() => {});
    console.error(`${who} at ${open.url()}:\n${await open.locator("body").ariaSnapshot().catch(() => "")}`);
  }
  console.error(problems.join("\n"));
  throw error;
} finally {
  await browser.close();
}
assert.equal(expectedRefusals, 0, "every provoked refusal was seen");
facts.problems = problems;
console.log(JSON.stringify(facts));
