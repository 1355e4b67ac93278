// A real user of Tenantry's OpenHands Cloud API: the TypeScript `CloudClient` of
// `@openhands/typescript-client` (the version pinned in package.json next to this file).
//
//     node tests/cloud-api/ts/cloud-client.mjs
//
// Environment:
//   TENANTRY_TEST_CLOUD_CLIENT_MODULES  the node_modules directory `npm ci` installed package*.json into
//   TENANTRY_URL                        Tenantry's base URL (the client adds /api/..., /oauth/...)
//   TENANTRY_API_KEY                    an API key of the org below, sent as `Authorization: Bearer`
//   TENANTRY_ORG_ID                     that org's id; the main client sends it as `X-Org-Id`
//   TENANTRY_OTHER_ORG_KEY              an API key of another org (its client names no org)
//   SANDBOX_ID                          optional: a sandbox of TENANTRY_ORG_ID (paused and resumed,
//                                       and the sandbox the test conversation starts in)
//   TENANTRY_EXPECTED_ROLE              optional: the role `getOrganizationMe` must report
//   CONVERSATION_READY_SECONDS          optional: how long to wait for the start task (default 60)
//
// Every method runs in its own try/catch and yields one result {group, method, via, ok, detail,
// http}: `http` lists the requests the client made ("GET /path?query -> 200"; no headers, no
// bodies). Group A covers routes Tenantry serves now and must pass; group B is reported only.
// Prints ONE JSON line {"results": [...], "summary": {...}} to stdout; exits 0 when every group-A
// result passed, else 1. The client's own warnings (device-flow retries) go to stderr.
//
// Side effects on the server: settings (the LLM model and API key) of the key's user in the org,
// a profile, a secret and a conversation are created and removed again where the API allows; the
// original LLM model and base URL are put back. SANDBOX_ID is paused and resumed; deleting the test
// conversation may delete its sandbox as OpenHands does when no other conversation shares it.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes, randomUUID } from "node:crypto";
import assert from "node:assert/strict";

const results = [];

function finish() {
  const groupA = results.filter((r) => r.group === "A");
  const failedA = groupA.filter((r) => !r.ok).length;
  const groupB = results.filter((r) => r.group === "B");
  const summary = {
    group_a: { passed: groupA.length - failedA, failed: failedA },
    group_b: { passed: groupB.filter((r) => r.ok).length, failed: groupB.filter((r) => !r.ok).length },
  };
  process.stdout.write(`${JSON.stringify({ results, summary })}\n`);
  process.exit(failedA === 0 && groupA.length > 0 ? 0 : 1);
}

// ---------------------------------------------------------------- environment and the client

const env = process.env;
const missing = [
  "TENANTRY_TEST_CLOUD_CLIENT_MODULES",
  "TENANTRY_URL",
  "TENANTRY_API_KEY",
  "TENANTRY_ORG_ID",
  "TENANTRY_OTHER_ORG_KEY",
].filter((name) => !env[name]);
if (missing.length > 0) {
  results.push({ group: "A", method: "setup", via: null, ok: false, detail: `environment variables not set: ${missing.join(", ")}`, http: [] });
  finish();
}
const URL_ = env.TENANTRY_URL;
const API_KEY = env.TENANTRY_API_KEY;
const ORG_ID = env.TENANTRY_ORG_ID;
const OTHER_KEY = env.TENANTRY_OTHER_ORG_KEY;
const SANDBOX_ID = env.SANDBOX_ID || null;
const EXPECTED_ROLE = env.TENANTRY_EXPECTED_ROLE || null;
const READY_SECONDS = Number(env.CONVERSATION_READY_SECONDS || 60);

let CloudClient;
let DeviceFlowError;
let packageVersion = "unknown";
try {
  // Resolve from the given node_modules (or the directory holding it) through the package's
  // "exports", as `import ... from "@openhands/typescript-client/clients"` would.
  const require = createRequire(join(env.TENANTRY_TEST_CLOUD_CLIENT_MODULES, "noop.cjs"));
  const entry = require.resolve("@openhands/typescript-client/clients");
  ({ CloudClient, DeviceFlowError } = await import(pathToFileURL(entry).href));
  // package.json is not in the package's "exports": read it beside dist/.
  packageVersion = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version;
} catch (error) {
  results.push({ group: "A", method: "setup", via: null, ok: false, detail: `cannot load @openhands/typescript-client: ${error.message}`, http: [] });
  finish();
}

// The main client, as an app with an org selected builds it: every request carries
// `Authorization: Bearer <key>` and `X-Org-Id: <org>`; profiles go to /api/organizations/{org}/profiles.
const client = new CloudClient({ host: URL_, apiKey: API_KEY, orgId: ORG_ID, timeout: 30_000 });
// The same key without an org: the key's own org, and profiles at /api/v1/settings/profiles.
const keyClient = new CloudClient({ host: URL_, apiKey: API_KEY, timeout: 30_000 });
// Another org's key, naming no org.
const other = new CloudClient({ host: URL_, apiKey: OTHER_KEY, timeout: 30_000 });
// A key nobody issued.
const stranger = new CloudClient({ host: URL_, apiKey: `oh-bogus-${randomBytes(16).toString("hex")}`, timeout: 30_000 });

// ---------------------------------------------------------------- recording

// Every fetch the client makes is logged against the running step (method, path, status only).
let httpLog = null;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  const line = `${init.method || "GET"} ${url.pathname}${url.search}`;
  const log = httpLog;
  try {
    const response = await realFetch(input, init);
    let note = "";
    if (url.pathname === "/oauth/device/token" && !response.ok) {
      try {
        const body = await response.clone().json();
        note = ` ${body?.error ?? ""}`;
      } catch {
        note = " (not JSON)";
      }
    }
    log?.push(`${line} -> ${response.status}${note}`);
    return response;
  } catch (error) {
    log?.push(`${line} -> ${error.cause?.code || error.name}`);
    throw error;
  }
};

function describe(error) {
  if (error instanceof assert.AssertionError) return `assertion: ${error.message}`;
  if (typeof error?.status === "number") {
    const body = typeof error.response === "string" ? error.response : JSON.stringify(error.response);
    return `HTTP ${error.status}: ${String(body).slice(0, 400)}`;
  }
  if (DeviceFlowError && error instanceof DeviceFlowError) return `DeviceFlowError(${error.code ?? "-"}): ${error.message}`;
  const cause = error?.cause?.code || error?.cause?.message;
  return `${error?.name || "Error"}: ${error?.message}${cause ? ` (${cause})` : ""}`;
}

/** Runs one method; `fn` returns the detail to report (any JSON value) or throws. */
async function step(group, method, via, fn) {
  const http = [];
  httpLog = http;
  try {
    const detail = await fn();
    results.push({ group, method, via, ok: true, detail: detail ?? null, http });
    return true;
  } catch (error) {
    results.push({ group, method, via, ok: false, detail: describe(error), http });
    return false;
  } finally {
    httpLog = null;
  }
}

/** A result for a method that could not run because an earlier one failed. */
function blocked(group, method, via, why) {
  results.push({ group, method, via, ok: false, detail: `not run: ${why}`, http: [] });
}

/** Expects `promise` to fail with one of `statuses`; returns the status. */
async function refused(promise, statuses) {
  try {
    await promise;
  } catch (error) {
    assert.ok(statuses.includes(error?.status), `expected HTTP ${statuses.join(" or ")}, got ${describe(error)}`);
    return error.status;
  }
  assert.fail(`expected HTTP ${statuses.join(" or ")}, got a success`);
}

function notEchoed(value, secret, what) {
  assert.ok(!JSON.stringify(value ?? null).includes(secret), `${what} echoed a secret it was given`);
}

const hex = (id) => String(id ?? "").replace(/-/g, "").toLowerCase();
const SANDBOX_STATUSES = ["STARTING", "RUNNING", "PAUSED", "ERROR", "MISSING"];
const suffix = randomBytes(4).toString("hex");

// ---------------------------------------------------------------- group A: sandboxes

await step("A", "getSandboxes", "org", async () => {
  const missingId = randomUUID();
  const ids = SANDBOX_ID ? [SANDBOX_ID, missingId] : [missingId];
  const answer = await client.getSandboxes(ids);
  assert.ok(Array.isArray(answer), "not a list");
  assert.equal(answer.length, ids.length, "one entry per id, in order");
  assert.equal(answer.at(-1), null, "an unknown id is null");
  if (SANDBOX_ID) {
    const sandbox = answer[0];
    assert.ok(sandbox && typeof sandbox === "object", "the sandbox is listed");
    assert.equal(sandbox.id, SANDBOX_ID, "id");
    assert.ok(SANDBOX_STATUSES.includes(sandbox.status), `status ${sandbox.status}`);
    assert.equal(typeof sandbox.sandbox_spec_id, "string", "sandbox_spec_id");
    assert.equal(typeof sandbox.created_at, "string", "created_at");
    assert.ok(sandbox.exposed_urls === null || Array.isArray(sandbox.exposed_urls), "exposed_urls");
    return { status: sandbox.status, entries: answer.length };
  }
  return { entries: answer.length, note: "SANDBOX_ID not set: only the unknown id was asked" };
});

async function sandboxStatus() {
  const [sandbox] = await client.getSandboxes([SANDBOX_ID]);
  return sandbox?.status ?? null;
}

if (SANDBOX_ID) {
  await step("A", "pauseSandbox", "org", async () => {
    await client.pauseSandbox(SANDBOX_ID);
    return { status_after: await sandboxStatus() };
  });
  await step("A", "resumeSandbox", "org", async () => {
    await client.resumeSandbox(SANDBOX_ID);
    return { status_after: await sandboxStatus() };
  });
}

await step("A", "getSandboxes", "other-org-key", async () => {
  const ids = [SANDBOX_ID ?? randomUUID()];
  const answer = await other.getSandboxes(ids);
  assert.deepEqual(answer, [null], "another org's key sees no such sandbox");
  return { answer, asked: SANDBOX_ID ? "SANDBOX_ID" : "a random id (SANDBOX_ID not set)" };
});

if (SANDBOX_ID) {
  await step("A", "pauseSandbox", "other-org-key", async () => {
    const status = await refused(other.pauseSandbox(SANDBOX_ID), [403, 404]);
    return { refused_with: status };
  });
}

await step("A", "getSandboxes", "unknown-key", async () => {
  const status = await refused(stranger.getSandboxes([randomUUID()]), [401]);
  return { refused_with: status };
});

// ---------------------------------------------------------------- group B: orgs, keys

await step("B", "getOrganizations", "org", async () => {
  const { items, currentOrgId } = await client.getOrganizations();
  assert.ok(Array.isArray(items) && items.length > 0, "items is a non-empty list");
  for (const org of items) {
    assert.equal(typeof org.id, "string", "items[].id");
    assert.equal(typeof org.name, "string", "items[].name");
  }
  assert.ok(items.some((org) => org.id === ORG_ID), "items include TENANTRY_ORG_ID");
  assert.equal(typeof currentOrgId, "string", "current_org_id is set");
  assert.ok(items.some((org) => org.id === currentOrgId), "current_org_id is one of the items");
  return { count: items.length, current_org_id_is_org: currentOrgId === ORG_ID };
});

await step("B", "getOrganizationMe", "org", async () => {
  const me = await client.getOrganizationMe(ORG_ID);
  assert.equal(me.orgId, ORG_ID, "org_id");
  assert.ok(typeof me.userId === "string" && me.userId.length > 0, "user_id");
  assert.equal(typeof me.role, "string", "role");
  if (EXPECTED_ROLE) assert.equal(me.role, EXPECTED_ROLE, "role");
  else assert.ok(["owner", "admin", "user", "developer", "viewer"].includes(me.role), `role ${me.role}`);
  return { role: me.role, permissions: me.permissions };
});

await step("B", "getCurrentApiKey", "org", async () => {
  const key = await client.getCurrentApiKey();
  notEchoed(key, API_KEY, "GET /api/keys/current");
  assert.equal(key.org_id, ORG_ID, "org_id");
  assert.ok(key.id !== undefined && key.id !== null, "id");
  assert.ok(typeof key.user_id === "string" && key.user_id.length > 0, "user_id");
  return { name: key.name, auth_type: key.auth_type };
});

await step("B", "getCurrentApiKey", "other-org-key", async () => {
  const key = await other.getCurrentApiKey();
  notEchoed(key, OTHER_KEY, "GET /api/keys/current");
  assert.equal(typeof key.org_id, "string", "org_id");
  assert.notEqual(key.org_id, ORG_ID, "another org's key is bound to its own org");
  return { other_org_differs: true };
});

// ---------------------------------------------------------------- group B: settings

let originalLlm = null;
await step("B", "getSettings", "org", async () => {
  const settings = await client.getSettings();
  assert.ok(settings && typeof settings === "object" && !Array.isArray(settings), "an object");
  assert.ok(settings.agent_settings && typeof settings.agent_settings === "object", "agent_settings");
  originalLlm = {
    model: settings.agent_settings?.llm?.model ?? settings.llm_model ?? null,
    base_url: settings.agent_settings?.llm?.base_url ?? settings.llm_base_url ?? null,
  };
  return { llm_model: originalLlm.model, llm_api_key_set: settings.llm_api_key_set ?? null };
});

const newModel = `openai/tenantry-ts-${suffix}`;
const llmSecret = `sk-tenantry-ts-${randomBytes(12).toString("hex")}`;
const saved = await step("B", "saveSettings", "org", async () => {
  await client.saveSettings({ agent_settings_diff: { llm: { model: newModel, api_key: llmSecret } } });
  return { llm_model: newModel };
});
if (saved) {
  await step("B", "getSettings", "org", async () => {
    const settings = await client.getSettings();
    notEchoed(settings, llmSecret, "GET /api/v1/settings");
    assert.equal(settings.agent_settings?.llm?.model, newModel, "agent_settings.llm.model changed");
    if ("llm_model" in settings) assert.equal(settings.llm_model, newModel, "llm_model changed");
    assert.equal(settings.llm_api_key_set, true, "llm_api_key_set");
    const derived = await client.getSettingsWithDerivedFields();
    assert.equal(derived.agent_settings?.llm?.model, newModel, "getSettingsWithDerivedFields model");
    return { llm_model: settings.agent_settings.llm.model, round_trip: true };
  });
  if (originalLlm?.model) {
    await step("B", "saveSettings", "org", async () => {
      await client.saveSettings({ agent_settings_diff: { llm: { model: originalLlm.model, base_url: originalLlm.base_url } } });
      return { restored_model: originalLlm.model };
    });
  }
} else {
  blocked("B", "getSettings", "org", "saveSettings failed");
}

await step("B", "getSettingsSchema", "org", async () => {
  const schema = await client.getSettingsSchema();
  assert.equal(typeof schema?.model_name, "string", "model_name");
  assert.ok(Array.isArray(schema.sections), "sections");
  return { model_name: schema.model_name, sections: schema.sections.length };
});

await step("B", "getConversationSettingsSchema", "org", async () => {
  const schema = await client.getConversationSettingsSchema();
  assert.equal(typeof schema?.model_name, "string", "model_name");
  assert.ok(Array.isArray(schema.sections), "sections");
  return { model_name: schema.model_name, sections: schema.sections.length };
});

// ---------------------------------------------------------------- group B: LLM profiles
// Twice: with X-Org-Id the client uses /api/organizations/{org}/profiles, without it
// /api/v1/settings/profiles.

async function profiles(cli, via) {
  const name = `tenantry-ts-${via}-${suffix}`;
  const renamed = `${name}-renamed`;
  const model = `openai/tenantry-profile-${suffix}`;
  const profileSecret = `sk-tenantry-profile-${randomBytes(12).toString("hex")}`;
  const names = (list) => list.profiles.map((p) => p.name);

  const listed = await step("B", "listProfiles", via, async () => {
    const list = await cli.listProfiles();
    assert.ok(Array.isArray(list?.profiles), "profiles");
    assert.ok(list.active_profile === null || typeof list.active_profile === "string", "active_profile");
    return { count: list.profiles.length };
  });
  if (!listed) return blocked("B", "saveProfile..deleteProfile", via, "listProfiles failed");

  const savedProfile = await step("B", "saveProfile", via, async () => {
    const answer = await cli.saveProfile(name, {
      llm: { model, api_key: profileSecret, base_url: "https://llm.example.test/v1" },
      include_secrets: true,
    });
    notEchoed(answer, profileSecret, "saveProfile");
    assert.equal(answer?.name, name, "name");
    const list = await cli.listProfiles();
    notEchoed(list, profileSecret, "listProfiles");
    const entry = list.profiles.find((p) => p.name === name);
    assert.ok(entry, "listed after saving");
    assert.equal(entry.model, model, "model");
    assert.equal(entry.api_key_set, true, "api_key_set");
    return { name };
  });
  if (!savedProfile) return blocked("B", "getProfile..deleteProfile", via, "saveProfile failed");

  await step("B", "getProfile", via, async () => {
    const profile = await cli.getProfile(name);
    notEchoed(profile, profileSecret, "getProfile");
    assert.equal(profile.name, name, "name");
    assert.equal(profile.config?.model, model, "config.model");
    assert.equal(profile.config?.base_url, "https://llm.example.test/v1", "config.base_url");
    assert.equal(profile.api_key_set, true, "api_key_set");
    return { model: profile.config.model };
  });

  const wasRenamed = await step("B", "renameProfile", via, async () => {
    const answer = await cli.renameProfile(name, renamed);
    assert.equal(answer?.name, renamed, "name is the new name");
    const list = await cli.listProfiles();
    assert.ok(names(list).includes(renamed), "listed under the new name");
    assert.ok(!names(list).includes(name), "not under the old name");
    return { name: renamed };
  });
  const current = wasRenamed ? renamed : name;

  await step("B", "activateProfile", via, async () => {
    const answer = await cli.activateProfile(current);
    assert.equal(answer?.name, current, "name");
    assert.equal(answer.llm_applied, true, "llm_applied (the answer carries the model)");
    const list = await cli.listProfiles();
    assert.equal(list.active_profile, current, "active_profile");
    return { active_profile: current };
  });

  await step("B", "deleteProfile", via, async () => {
    const answer = await cli.deleteProfile(current);
    assert.equal(answer?.name, current, "name");
    const list = await cli.listProfiles();
    assert.ok(!names(list).includes(current), "gone from the list");
    return { deleted: current };
  });
}

await profiles(client, "org");
await profiles(keyClient, "key");

// ---------------------------------------------------------------- group B: secrets

{
  const name = `TENANTRY_TS_${suffix.toUpperCase()}`;
  const renamed = `${name}_RENAMED`;
  const value = `secret-${randomBytes(16).toString("hex")}`;
  let current = null;

  await step("B", "listSecrets", "org", async () => {
    const list = await client.listSecrets();
    assert.ok(Array.isArray(list), "a list");
    for (const s of list) assert.equal(typeof s.name, "string", "items[].name");
    return { count: list.length };
  });

  const created = await step("B", "createSecret", "org", async () => {
    await client.createSecret(name, value, "made by the TypeScript client test");
    current = name;
    const list = await client.listSecrets();
    notEchoed(list, value, "listSecrets");
    const entry = list.find((s) => s.name === name);
    assert.ok(entry, "listed after creating");
    assert.equal(entry.description, "made by the TypeScript client test", "description");
    assert.ok(!("value" in entry), "no value field");
    return { name };
  });

  if (created) {
    await step("B", "listSecrets", "other-org-key", async () => {
      const list = await other.listSecrets();
      notEchoed(list, value, "listSecrets (other org)");
      assert.ok(!list.some((s) => s.name === name), "another org does not see the secret");
      return { count: list.length };
    });

    await step("B", "updateSecret", "org", async () => {
      await client.updateSecret(name, renamed, "renamed by the TypeScript client test");
      current = renamed;
      const list = await client.listSecrets();
      notEchoed(list, value, "listSecrets");
      const entry = list.find((s) => s.name === renamed);
      assert.ok(entry, "listed under the new name");
      assert.equal(entry.description, "renamed by the TypeScript client test", "description");
      assert.ok(!list.some((s) => s.name === name), "not under the old name");
      return { name: renamed };
    });

    await step("B", "deleteSecret", "org", async () => {
      await client.deleteSecret(current);
      const list = await client.listSecrets();
      assert.ok(!list.some((s) => s.name === current), "gone from the list");
      return { deleted: current };
    });
  } else {
    blocked("B", "updateSecret/deleteSecret", "org", "createSecret failed");
  }
}

// ---------------------------------------------------------------- group B: conversations

await step("B", "searchConversations", "org", async () => {
  const page = await client.searchConversations(5);
  assert.ok(Array.isArray(page?.items), "items");
  assert.ok(page.items.length <= 5, "at most limit items");
  assert.ok(page.next_page_id === null || typeof page.next_page_id === "string", "next_page_id");
  return { count: page.items.length, more: page.next_page_id !== null };
});

await step("B", "getConversations", "org", async () => {
  const answer = await client.getConversations([randomUUID()]);
  assert.deepEqual(answer, [null], "an unknown id is null");
  return { answer };
});

await step("B", "getConversationStartTask", "org", async () => {
  const task = await client.getConversationStartTask(randomUUID());
  assert.equal(task, null, "an unknown task is null");
  return { answer: null };
});

let task = null;
await step("B", "createConversation", "org", async () => {
  const request = { title: `tenantry ts client ${suffix}`, trigger: "openhands_api" };
  if (SANDBOX_ID) request.sandbox_id = SANDBOX_ID;
  task = await client.createConversation(request);
  assert.equal(typeof task?.id, "string", "start task id");
  assert.equal(typeof task.status, "string", "status");
  assert.equal(typeof task.created_at, "string", "created_at");
  return { status: task.status, in_sandbox: SANDBOX_ID ? "SANDBOX_ID" : "new" };
});

let conversationId = null;
if (task) {
  await step("B", "getConversationStartTask", "org", async () => {
    const deadline = Date.now() + READY_SECONDS * 1000;
    let seen = task;
    const statuses = [];
    for (;;) {
      seen = await client.getConversationStartTask(task.id);
      assert.ok(seen, "the start task is found");
      assert.equal(hex(seen.id), hex(task.id), "id");
      if (statuses.at(-1) !== seen.status) statuses.push(seen.status);
      if (seen.status === "READY" || seen.status === "ERROR" || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(seen.status, "READY", `status after ${READY_SECONDS}s (${seen.detail ?? "no detail"})`);
    assert.equal(typeof seen.app_conversation_id, "string", "app_conversation_id");
    conversationId = seen.app_conversation_id;
    return { statuses };
  });
} else {
  blocked("B", "getConversationStartTask", "org", "createConversation failed");
}

if (conversationId) {
  await step("B", "getConversations", "org", async () => {
    const missingId = randomUUID();
    const answer = await client.getConversations([conversationId, missingId]);
    assert.equal(answer.length, 2, "one entry per id");
    assert.equal(hex(answer[0]?.id), hex(conversationId), "the conversation");
    assert.equal(answer[1], null, "an unknown id is null");
    if (SANDBOX_ID) assert.equal(answer[0].sandbox_id, SANDBOX_ID, "started in SANDBOX_ID");
    return { title: answer[0].title, sandbox_status: answer[0].sandbox_status ?? null };
  });

  await step("B", "getConversations", "other-org-key", async () => {
    const answer = await other.getConversations([conversationId]);
    assert.deepEqual(answer, [null], "another org's key does not see the conversation");
    return { answer };
  });

  await step("B", "updateConversationPublicFlag", "org", async () => {
    const updated = await client.updateConversationPublicFlag(conversationId, true);
    assert.equal(hex(updated?.id), hex(conversationId), "answers the conversation");
    assert.equal(updated.public, true, "public");
    const [again] = await client.getConversations([conversationId]);
    assert.equal(again?.public, true, "public when read back");
    return { public: true };
  });

  await step("B", "deleteConversation", "org", async () => {
    await client.deleteConversation(conversationId);
    const answer = await client.getConversations([conversationId]);
    assert.deepEqual(answer, [null], "gone after deleting");
    return { answer };
  });
} else {
  blocked("B", "getConversations/updateConversationPublicFlag/deleteConversation", "org", "no READY conversation");
}

// ---------------------------------------------------------------- group B: device flow

let device = null;
await step("B", "startDeviceFlow", "none", async () => {
  device = await client.startDeviceFlow();
  for (const field of ["device_code", "user_code", "verification_uri"]) {
    assert.ok(typeof device[field] === "string" && device[field].length > 0, field);
  }
  assert.match(device.verification_uri, /^https?:\/\//, "verification_uri is absolute");
  assert.ok(device.verification_uri_complete.includes(encodeURIComponent(device.user_code)) || device.verification_uri_complete.includes(device.user_code), "verification_uri_complete carries the user code");
  assert.ok(Number.isFinite(device.expires_in) && device.expires_in > 0, "expires_in");
  assert.ok(Number.isFinite(device.interval) && device.interval > 0, "interval");
  return { expires_in: device.expires_in, interval: device.interval };
});

if (device) {
  // Nobody approves: at the server's interval (at most 5 s) the client polls twice, gets
  // `authorization_pending` each time, keeps polling, and stops at its own timeout.
  await step("B", "pollForToken", "none", async () => {
    const interval = Math.min(device.interval, 5);
    const log = httpLog;
    try {
      await client.pollForToken(device.device_code, {
        interval,
        timeout: interval * 1000 + 500,
        signal: AbortSignal.timeout(interval * 2000 + 10_000),
      });
    } catch (error) {
      assert.ok(error instanceof DeviceFlowError, describe(error));
      assert.equal(error.code, "timeout", `ended by the client's timeout, not: ${describe(error)}`);
      const polls = log.filter((line) => line.startsWith("POST /oauth/device/token"));
      assert.ok(polls.length >= 2, `polled ${polls.length} time(s)`);
      assert.ok(polls.every((line) => line.endsWith("-> 400 authorization_pending")), "every poll answered 400 authorization_pending");
      return { error_code: error.code, polls: polls.length };
    }
    assert.fail("a token was issued for a device nobody approved");
  });
} else {
  blocked("B", "pollForToken", "none", "startDeviceFlow failed");
}

await step("B", "pollForToken", "none", async () => {
  try {
    await client.pollForToken(`bogus-${randomUUID()}`, { interval: 1, timeout: 5000, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    assert.ok(error instanceof DeviceFlowError, describe(error));
    assert.equal(error.code, "invalid_grant", `an unknown device code: ${describe(error)}`);
    return { error_code: error.code, device_code: "unknown" };
  }
  assert.fail("a token was issued for an unknown device code");
});

// ---------------------------------------------------------------- group B: web-client config
// CloudClient has no method for it; the client's generic `get` makes the request.

await step("B", "get(/api/v1/web-client/config)", "org", async () => {
  const config = await client.get("/api/v1/web-client/config");
  assert.ok(config && typeof config === "object", "a JSON object");
  assert.ok(["oss", "saas"].includes(config.app_mode), `app_mode ${config.app_mode}`);
  assert.ok(config.feature_flags && typeof config.feature_flags === "object", "feature_flags");
  assert.ok(Array.isArray(config.providers_configured), "providers_configured");
  return { app_mode: config.app_mode };
});

results.unshift({ group: "info", method: "package", via: null, ok: true, detail: { "@openhands/typescript-client": packageVersion }, http: [] });
finish();
