// Test-only OpenID Provider (panva/oidc-provider) with control endpoints for
// misbehaviour. See README.md next to this file.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// oidc-provider writes notices with console.info; stdout carries only the ready line.
console.info = console.error;
console.log = console.error;

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} must be set`);
    process.exit(2);
  }
  return value;
}

const modulesDir = env('OIDC_PROVIDER_MODULES');
const clientId = env('CLIENT_ID');
const clientSecret = env('CLIENT_SECRET');
const redirectUris = env('REDIRECT_URIS').split(',').map((s) => s.trim()).filter(Boolean);
const accounts = JSON.parse(env('ACCOUNTS'));
const port = Number(process.env.PORT ?? 0);

// The program lives outside the directory holding node_modules, so resolve from there.
const requireFromModules = createRequire(join(modulesDir, 'noop.js'));
const load = (specifier) => import(pathToFileURL(requireFromModules.resolve(specifier)).href);
const { Provider } = await load('oidc-provider');
// One shared in-memory store lets sessions, interactions and codes survive the
// Provider swap done by /__test/rotate. In oidc-provider 8.x the memory adapter keeps
// its store at module level, so every Provider using it shares one store. Passing
// the bundled class itself makes oidc-provider warn that a development-only adapter
// is in use; an (otherwise identical) subclass avoids that warning.
const { default: MemoryAdapter } = await load('oidc-provider/lib/adapters/memory_adapter.js');
class SharedMemoryAdapter extends MemoryAdapter {}
const adapter = SharedMemoryAdapter;

const b64 = (data) => Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64url');

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  return { jwk, privateKey };
}

function signJwt(header, payload, key) {
  const input = `${b64({ ...header, alg: 'RS256', kid: key.jwk.kid })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

const TAMPER_MODES = new Set(['none', 'wrong_nonce', 'expired', 'unknown_key', 'alg_none', 'wrong_audience']);
let tamperMode = 'none';

function tamper(idToken, key) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  switch (tamperMode) {
    case 'wrong_nonce':
      return signJwt(header, { ...payload, nonce: `not-${payload.nonce ?? 'a-nonce'}` }, key);
    case 'expired':
      return signJwt(header, { ...payload, exp: now - 600, iat: now - 1200 }, key);
    case 'unknown_key':
      return signJwt(header, payload, newSigningKey());
    case 'alg_none':
      return `${b64({ alg: 'none' })}.${b64(payload)}.`;
    case 'wrong_audience':
      return signJwt(header, { ...payload, aud: 'someone-else' }, key);
    default:
      return idToken;
  }
}

const cookieKeys = [randomBytes(32).toString('hex')];

function findAccount(_ctx, sub) {
  const account = Object.hasOwn(accounts, sub) ? accounts[sub] : undefined;
  if (!account) return undefined;
  return { accountId: sub, claims: async () => ({ ...account, sub }) };
}

// Consent is implicit: every requested scope and claim is granted.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== oidc.session.accountId) {
    grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
  }
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

async function interaction(ctx, provider, uid) {
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    ctx.status = 400;
    ctx.body = { error: 'interaction_not_found', error_description: err.message };
    return;
  }
  if (details.uid !== uid) {
    ctx.status = 400;
    ctx.body = { error: 'interaction_mismatch' };
    return;
  }
  const { prompt } = details;
  let result;
  if (prompt.name === 'login') {
    const account = ctx.query.account;
    if (typeof account !== 'string' || !findAccount(ctx, account)) {
      ctx.status = 400;
      ctx.body = { error: 'unknown_account', error_description: 'pass ?account=<sub> of a configured account' };
      return;
    }
    result = { login: { accountId: account } };
  } else if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.status = 501;
    ctx.body = { error: 'unsupported_prompt', prompt: prompt.name };
    return;
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result);
  ctx.redirect(returnTo);
  ctx.status = 303;
}

function buildProvider(issuer, key) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // client_secret_post is accepted too: oidc-provider treats the two as interchangeable.
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [key.jwk] },
    adapter,
    findAccount,
    loadExistingGrant,
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    // DPoP is on by default from oidc-provider 9 on; enabled here to keep the same discovery.
    features: { devInteractions: { enabled: false }, dPoP: { enabled: true } },
    interactions: { url: (ctx, i) => `${ctx.oidc.issuer}/interaction/${i.uid}` },
    // 8.x defaults the session cookie to SameSite=None plus a "_session.legacy" twin;
    // SameSite=Lax (the 9.x default) keeps one plain session cookie.
    cookies: { keys: cookieKeys, long: { httpOnly: true, sameSite: 'lax' } },
    ttl: {
      AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 3600, Session: 86400, Grant: 86400,
    },
  });
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (match && ctx.method === 'GET') return interaction(ctx, provider, match[1]);
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && tamperMode !== 'none') {
      ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token, key) };
    }
  });
  return provider.callback();
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

function send(res, status, body) {
  res.statusCode = status;
  if (body !== undefined) {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  } else {
    res.end();
  }
}

let issuer;
let handler;

async function control(req, res) {
  if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
  let body;
  try {
    body = await readJson(req);
  } catch {
    return send(res, 400, { error: 'invalid_json' });
  }
  if (req.url === '/__test/tamper') {
    if (!TAMPER_MODES.has(body.mode)) return send(res, 400, { error: 'unknown_mode', modes: [...TAMPER_MODES] });
    tamperMode = body.mode;
    return send(res, 204);
  }
  if (req.url === '/__test/rotate') {
    handler = buildProvider(issuer, newSigningKey());
    return send(res, 204);
  }
  return send(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  if (req.url.startsWith('/__test/')) {
    control(req, res).catch((err) => {
      console.error(err);
      send(res, 500, { error: 'server_error' });
    });
  } else if (handler) {
    handler(req, res);
  } else {
    send(res, 503, { error: 'starting' });
  }
});

server.listen(port, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  handler = buildProvider(issuer, newSigningKey());
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
