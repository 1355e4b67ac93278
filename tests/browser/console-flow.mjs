// The console in Debian's Chromium, driven by playwright-core against a running Tenantry:
// sign up → create an org → invite (the link read from the mail outbox) → verify and accept in a
// second browser context → change the role → create an API key → a conversation with events posted
// through the API with that key → a new event appears without reload → sign out. Every screen is
// photographed into SCREENSHOTS. Any console error or CSP violation fails the run.
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
const facts = { screens: [], first_load_bytes: 0 };
const problems = [];
let shot = 0;

async function snap(page, name) {
  shot += 1;
  const file = join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  facts.screens.push(name);
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

  // A shared org.
  await page.getByLabel("Organisation").selectOption("new");
  await page.getByRole("button", { name: "Switch" }).click();
  await page.waitForURL(/\/orgs\/new$/);
  await page.getByLabel("Name").fill(`Team ${stamp}`);
  await snap(page, "create-org");
  await page.getByRole("button", { name: "Create org" }).click();
  await page.waitForURL(/\/orgs\/[0-9a-f-]+\/members$/);
  const orgId = page.url().match(/\/orgs\/([0-9a-f-]+)\/members/)[1];
  // The only owner cannot demote or remove themself, and is told why before trying.
  const ownRole = page.getByLabel(`Role of ${alice.email}`, { exact: true });
  assert.equal(await ownRole.isDisabled(), true, "the only owner's role is locked");
  await page.getByText("The org's only owner: transfer ownership first.").waitFor();

  // Invite Bob.
  await page.getByLabel("Email").fill(bob.email);
  await page.getByLabel("Role", { exact: true }).selectOption("developer");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.getByText(`Invitation mailed to ${bob.email}.`).waitFor();
  await page.getByRole("cell", { name: bob.email, exact: true }).waitFor();
  await snap(page, "members-with-invitation");
  const invitation = await mailedLink(bob.email, "/invitations/accept");

  // Bob, in a browser of his own: the mailed link asks him to sign in first, then to verify.
  const second = await browser.newContext({ colorScheme: "light", viewport: { width: 390, height: 844 } });
  const bobPage = await second.newPage();
  watch(bobPage, "bob");
  await bobPage.goto(`${BASE_URL}${invitation}`);
  await bobPage.waitForURL(/\/sign-in\?next=/);
  await bobPage.getByRole("link", { name: "Create an account" }).click();
  await bobPage.getByLabel("Name").fill(bob.name);
  await bobPage.getByLabel("Email").fill(bob.email);
  await bobPage.getByLabel("Password").fill(bob.password);
  await bobPage.getByRole("button", { name: "Create account" }).click();
  await bobPage.waitForURL(/\/invitations\/accept\?token=/);
  await snap(bobPage, "invitation-unverified");
  await bobPage.getByRole("link", { name: "Account" }).click();
  await bobPage.getByRole("button", { name: "Mail me a verification link" }).click();
  await bobPage.getByText("A verification link is on its way.").waitFor();
  await snap(bobPage, "account");
  const verification = await mailedLink(bob.email, "/verify-email");
  await bobPage.goto(`${BASE_URL}${verification}`);
  await bobPage.getByText("Your email address is verified.").waitFor();
  await snap(bobPage, "verify-email");
  await bobPage.goto(`${BASE_URL}${invitation}`);
  // Keyboard only: Tab to the button, Enter to accept.
  const accept = bobPage.getByRole("button", { name: "Accept the invitation" });
  await accept.focus();
  await bobPage.keyboard.press("Enter");
  await bobPage.waitForURL(new RegExp(`/orgs/${orgId}/members$`));
  await bobPage.getByLabel(`Role of ${alice.email}`, { exact: true }).waitFor();
  // A developer sees the controls, disabled, with the reason.
  await bobPage.getByText("Only admins and owners change roles.").first().waitFor();
  await snap(bobPage, "members-as-developer");

  // Alice makes Bob an admin.
  await page.reload();
  const bobRole = page.getByLabel(`Role of ${bob.email}`, { exact: true });
  await bobRole.waitFor();
  assert.equal(await bobRole.inputValue(), "developer");
  await bobRole.selectOption("admin");
  await page.getByRole("button", { name: `Apply the role of ${bob.email}` }).click();
  await page.getByText(`${bob.email} is now admin.`).waitFor();
  await page.reload();
  assert.equal(await page.getByLabel(`Role of ${bob.email}`, { exact: true }).inputValue(), "admin");
  await snap(page, "members-after-role-change");

  // Alice sets and locks the org's model; Bob cannot override it, and is told why, but keeps his own key.
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("LLM model, org default").fill("openai/gpt-4o");
  await page.getByLabel("Lock LLM model").check();
  await page.getByRole("button", { name: "Save org defaults" }).click();
  await page.getByText("Saved.").waitFor();
  await snap(page, "settings-org-defaults");
  await bobPage.getByRole("link", { name: "Settings" }).click();
  const bobModel = bobPage.getByLabel("LLM model, your override");
  await bobModel.waitFor();
  assert.equal(await bobModel.isDisabled(), true, "a locked field cannot be overridden");
  await bobPage.getByText("Locked by the org's admins.").waitFor();
  await bobPage.getByRole("cell", { name: "openai/gpt-4o", exact: true }).first().waitFor();
  await bobPage.getByLabel("LLM API key, your override").fill("sk-bob-own-key");
  await bobPage.getByRole("button", { name: "Save my overrides" }).click();
  await bobPage.getByText("Saved.").waitFor();
  await bobPage.waitForTimeout(500);
  assert.equal(await bobPage.getByText("sk-bob-own-key").count(), 0, "a key is never shown back");
  assert.equal(await bobPage.getByLabel("LLM API key, your override").inputValue(), "");
  await snap(bobPage, "settings-member-overrides");

  // Bob turns on two-factor sign-in, signs out, and signs in again with a recovery code.
  await bobPage.getByRole("link", { name: bob.email }).click();
  await bobPage.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = await bobPage.getByLabel("Secret").inputValue();
  await bobPage.getByRole("img", { name: "QR code of the authenticator secret" }).waitFor();
  await snap(bobPage, "mfa-setup");
  await bobPage.getByLabel("Code from the app").fill(totp(secret));
  await bobPage.getByRole("button", { name: "Turn on" }).click();
  const codes = bobPage.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await codes.first().waitFor();
  assert.equal(await codes.count(), 10);
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

  // An API key, shown once.
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill("event poster");
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByLabel("Key “event poster”");
  await keyField.waitFor();
  const apiKey = await keyField.inputValue();
  assert.ok(apiKey.length > 20, "the key is shown");
  await page.getByText("This key is shown this once.").waitFor();
  await snap(page, "api-key-created");
  await page.reload();
  assert.equal(await page.getByLabel("Key “event poster”").count(), 0, "never shown again");

  // A conversation with events, through the API with the key.
  const conversation = await api("POST", `/api/orgs/${orgId}/conversations`, apiKey, {
    title: "Fix the flaky test",
    visibility: "org",
  });
  await api("POST", `/api/orgs/${orgId}/conversations/${conversation.id}/events`, apiKey, [
    { kind: "MessageEvent", source: "user", llm_message: { role: "user", content: [{ type: "text", text: "Please fix the flaky test." }] } },
    { kind: "ActionEvent", source: "agent", thought: [{ type: "text", text: "Run the tests first." }], action: { kind: "ExecuteBashAction", command: "cargo test -p flaky" } },
    { kind: "ObservationEvent", source: "environment", observation: { kind: "ExecuteBashObservation", content: [{ type: "text", text: "test result: FAILED. 1 failed" }], exit_code: 101 } },
  ]);
  await page.getByRole("link", { name: "Conversations" }).click();
  await page.getByRole("link", { name: "Fix the flaky test" }).click();
  await page.getByText("cargo test -p flaky").waitFor();
  await page.getByText("test result: FAILED. 1 failed").waitFor();
  await page.getByText("Following new events live.").waitFor();
  await snap(page, "conversation-events");

  // A new event appears without reload.
  await api("POST", `/api/orgs/${orgId}/conversations/${conversation.id}/events`, apiKey, {
    kind: "MessageEvent", source: "agent", llm_message: { role: "assistant", content: [{ type: "text", text: "Fixed: the test waited on a timer." }] },
  });
  await page.getByText("Fixed: the test waited on a timer.").waitFor({ timeout: 10000 });
  facts.live_event_seen = true;
  await snap(page, "conversation-live-event");

  // Bob's list follows live too: the conversation is already there, and a new one appears.
  await bobPage.getByRole("link", { name: "Conversations" }).click();
  await bobPage.getByRole("link", { name: "Fix the flaky test" }).waitFor();
  await bobPage.getByText("Following changes live.").waitFor();
  await api("POST", `/api/orgs/${orgId}/conversations`, apiKey, { title: "Second task", visibility: "org" });
  await bobPage.getByRole("link", { name: "Second task" }).waitFor({ timeout: 10000 });
  await snap(bobPage, "conversations-live-list");

  // Filters, and older conversations page by page.
  await bobPage.getByLabel("Title contains").fill("Second");
  await bobPage.getByRole("button", { name: "Filter" }).click();
  await bobPage.waitForURL(/\?q=Second/);
  await bobPage.getByRole("link", { name: "Fix the flaky test" }).waitFor({ state: "detached" });
  await bobPage.getByText("Following changes live.").waitFor();
  assert.equal(await bobPage.getByRole("link", { name: "Second task" }).count(), 1);
  await snap(bobPage, "conversations-filtered");
  await Promise.all(Array.from({ length: 55 }, (_, index) =>
    api("POST", `/api/orgs/${orgId}/conversations`, apiKey, { title: `Batch ${index}`, visibility: "org" })));
  await bobPage.goto(`${BASE_URL}/orgs/${orgId}/conversations`);
  await bobPage.getByText("Following changes live.").waitFor();
  assert.equal(await bobPage.getByRole("link", { name: "Fix the flaky test" }).count(), 0, "beyond the first page");
  await bobPage.getByRole("button", { name: "Show more" }).click();
  await bobPage.getByRole("link", { name: "Fix the flaky test" }).waitFor();
  assert.equal(await bobPage.locator("tr[data-conversation-id]").count(), 57);

  // Usage, secrets and the audit log.
  await page.getByRole("link", { name: "Usage & budget" }).click();
  await page.getByRole("heading", { name: /Usage in/ }).waitFor();
  await page.getByLabel("Monthly budget").fill("250");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Save budget" }).click();
  await page.getByText("Saved.").waitFor();
  await page.reload();
  assert.equal(await page.getByLabel("Monthly budget").inputValue(), "250");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Berlin");
  await page.getByText("Spent: 0.00 of 250.00").waitFor();
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  expectedRefusals += 1;
  await page.getByRole("button", { name: "Save budget" }).click();
  await page.getByRole("alert").filter({ hasText: "time_zone" }).waitFor();
  await snap(page, "usage");
  await page.getByRole("link", { name: "Secrets" }).click();
  await page.getByLabel("Name").fill("GITHUB_TOKEN");
  await page.getByLabel("Value").fill("ghp-never-shown");
  await page.getByRole("button", { name: "Save secret" }).click();
  await page.getByRole("cell", { name: "GITHUB_TOKEN", exact: true }).waitFor();
  assert.equal(await page.getByText("ghp-never-shown").count(), 0, "a secret's value is never shown");
  await snap(page, "secrets");
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByText("member.role_changed").first().waitFor();
  await snap(page, "audit-log");

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
  await page.getByRole("link", { name: "Sign in" }).click();
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
