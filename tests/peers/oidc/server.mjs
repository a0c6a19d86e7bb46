// Test-only OpenID provider for the nextcloud-mcp e2e suite.
//
// A real, certified OpenID provider (the npm package `oidc-provider`) standing in for
// Nextcloud's oidc app: discovery, open dynamic client registration (with an expiring
// client secret, like Nextcloud's DCR clients), PKCE S256 only, userinfo, introspection
// (RFC 7662), revocation, JWKS, and JWT or opaque access tokens.
//
// Endpoints use Nextcloud's paths (/index.php/apps/oidc/...), and userinfo answers like
// Nextcloud's UserInfoController (HTTP 400 + {"error", "error_description"} on rejection,
// also for tokens of an expired or deleted client).
//
// TEST-ONLY control endpoints live under /__test/ (never part of any real provider):
//   POST /__test/mint {sub, scope?, format?: "opaque"|"jwt", ttl?, aud?} -> {access_token, expires_in, token_type}
//   POST /__test/mint {sub, format: "id_token", aud?, typ?, nonce?, scope?} -> an ID token shaped like
//        Nextcloud's (header typ "JWT" unless typ given, or none with typ: ""; aud = client id)
//   POST /__test/revoke {token}
//   POST /__test/clients/<id>/delete         (Nextcloud's cleanUp() of an expired DCR client)
//   POST /__test/clients/<id>/expire         (set client_secret_expires_at to now)
//   GET  /__test/clients                     -> registered dynamic clients
//   POST /__test/config {client_lifetime?, userinfo_delay_ms?, userinfo_status?, userinfo_close?, token_ttl?}
//   GET  /__test/stats, POST /__test/reset-stats
//   POST /__test/reset                       (startup settings, zero stats, registered clients deleted)
//   POST /__test/rotate-keys                 (JWKS rotation: new signing key first, old kept)
//
// Interactive login (the authorization code flow a real MCP client runs): /authorize redirects to
// /interaction/<uid>, a plain HTML login form (POST /interaction/<uid>/login with login and password;
// the password of every account is "<login>-password"), then a consent form (POST
// /interaction/<uid>/confirm, or /abort). Test clients drive it over plain HTTP (form POSTs with the
// cookies the provider sets). Refresh tokens are issued to every client allowed the refresh_token
// grant, as Nextcloud's oidc app does.
//
// Usage: node server.mjs --port P [--host 127.0.0.1] [--client-lifetime 3600]
//                        [--resource urn:nextcloud-mcp:test] [--token-ttl 3600]
// Prints "READY <issuer>" on stdout once listening.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';
import * as jose from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'client-lifetime': { type: 'string', default: '3600' },
    resource: { type: 'string', default: 'urn:nextcloud-mcp:test' },
    'token-ttl': { type: 'string', default: '3600' },
  },
});

const state = {
  clientLifetime: Number(args['client-lifetime']), // seconds; 0 = never expires
  userinfoDelayMs: 0,
  userinfoStatus: 0, // non-zero: userinfo answers this HTTP status (simulate outage)
  userinfoClose: false, // true: userinfo drops the connection (simulate an unreachable host)
  defaultResource: args.resource,
  tokenTTL: Number(args['token-ttl']),
};

const startupState = { ...state };

const stats = {};
function count(name) { stats[name] = (stats[name] || 0) + 1; }
function resetStats() {
  for (const k of Object.keys(stats)) delete stats[k];
  Object.assign(stats, {
    registrations: 0,
    userinfo: 0,
    userinfo_ok: 0,
    userinfo_rejected: 0,
    userinfo_direct: 0,
    userinfo_from_nextcloud: 0,
    introspection: 0,
    revocation: 0,
    token: 0,
    discovery: 0,
    jwks: 0,
    registration_reads: 0,
    mints: 0,
    interactions: 0,
    logins: 0,
    logins_failed: 0,
    consents: 0,
  });
}
resetStats();

const userinfoTokens = []; // sha256 prefixes of tokens seen at userinfo (never the token itself)

// --- storage: an unbounded in-memory adapter (the bundled one is an LRU of 1000 entries,
// which a long test session could overflow, evicting registered clients) ---------------
const storage = new Map();
class MapAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    storage.set(this.key(id), { payload, expiresAt });
    if (payload.grantId) {
      const gk = `grant:${payload.grantId}`;
      const list = storage.get(gk)?.payload || [];
      list.push(this.key(id));
      storage.set(gk, { payload: list, expiresAt });
    }
  }
  async find(id) {
    const e = storage.get(this.key(id));
    if (!e) return undefined;
    if (e.expiresAt && e.expiresAt <= Date.now()) { storage.delete(this.key(id)); return undefined; }
    return e.payload;
  }
  async findByUserCode() { return undefined; }
  async findByUid(uid) {
    for (const [k, e] of storage) {
      if (k.startsWith(`${this.name}:`) && e.payload?.uid === uid) return e.payload;
    }
    return undefined;
  }
  async consume(id) {
    const e = storage.get(this.key(id));
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { storage.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    const gk = `grant:${grantId}`;
    for (const k of storage.get(gk)?.payload || []) storage.delete(k);
    storage.delete(gk);
  }
}

// --- keys -------------------------------------------------------------------------------
function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `k-${crypto.randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };
}
let signingKeys = [newSigningKey()];

// --- provider ---------------------------------------------------------------------------
const TEST_CLIENT = {
  client_id: 'nextcloud-mcp-test-minter',
  client_secret: 'test-minter-secret-not-a-real-secret',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
};

const ROUTES = {
  authorization: '/index.php/apps/oidc/authorize',
  token: '/index.php/apps/oidc/token',
  userinfo: '/index.php/apps/oidc/userinfo',
  jwks: '/index.php/apps/oidc/jwks',
  registration: '/index.php/apps/oidc/register',
  introspection: '/index.php/apps/oidc/introspect',
  revocation: '/index.php/apps/oidc/revoke',
  end_session: '/index.php/apps/oidc/logout',
};

function accountClaims(sub, scopes) {
  const claims = { sub, preferred_username: sub };
  if (!scopes || scopes.has('profile')) {
    claims.name = `${sub[0].toUpperCase()}${sub.slice(1)} Example`;
  }
  if (!scopes || scopes.has('email')) {
    claims.email = `${sub}@example.com`;
    claims.email_verified = true;
  }
  return claims;
}

let provider;
let issuer;
const jwtAccessTokens = new Map(); // jti -> {accountId, clientId, scope, exp}

function buildProvider() {
  const p = new Provider(issuer, {
    adapter: MapAdapter,
    clients: [TEST_CLIENT],
    jwks: { keys: signingKeys },
    routes: ROUTES,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    extraClientMetadata: { properties: ['token_type', 'resource_url'] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims(_use, scope) { return accountClaims(sub, new Set((scope || '').split(' '))); },
      };
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: () => state.tokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 86400,
      Grant: 86400,
      Session: 86400,
      Interaction: 3600,
    },
    features: {
      devInteractions: { enabled: false }, // our own login and consent pages below
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Clients registered with token_type "jwt" (Nextcloud's DCR parameter) get JWT access
        // tokens for the default resource; others get opaque tokens.
        defaultResource(_ctx, client) {
          return client?.token_type === 'jwt' ? state.defaultResource : undefined;
        },
        useGrantedResource: () => true,
        // Like Nextcloud's oidc app: JWT access tokens for clients registered with token_type
        // "jwt", opaque ones (stored; introspectable) for the others, e.g. MCP clients' own DCR.
        getResourceServerInfo(_ctx, resource, client) {
          return {
            audience: resource,
            scope: 'openid profile email',
            accessTokenFormat: client?.token_type === 'jwt' ? 'jwt' : 'opaque',
            accessTokenTTL: state.tokenTTL,
          };
        },
      },
    },
  });
  // oidc-provider does not store JWT access tokens ("issued", not "saved"); remember them so
  // userinfo and /__test/revoke work for them as Nextcloud's oidc app does.
  p.on('access_token.issued', (token) => {
    jwtAccessTokens.set(token.jti, {
      accountId: token.accountId, clientId: token.clientId, scope: token.scope, exp: token.exp,
    });
  });
  p.on('server_error', (_ctx, err) => { console.error('server_error', err); });
  return p;
}

// --- helpers ----------------------------------------------------------------------------
function now() { return Math.floor(Date.now() / 1000); }

function sendJSON(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  const type = req.headers['content-type'] || '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return JSON.parse(raw);
}

function looksLikeJWT(token) { return token.split('.').length === 3; }

function publicJWKS() {
  return jose.createLocalJWKSet({
    keys: signingKeys.map(({ kty, n, e, kid, use, alg }) => ({ kty, n, e, kid, use, alg })),
  });
}

// Finds the stored AccessToken (opaque value or JWT) or undefined.
async function findAccessToken(token, { ignoreExpiration = false } = {}) {
  if (looksLikeJWT(token)) {
    let payload;
    try {
      ({ payload } = await jose.jwtVerify(token, publicJWKS(), {
        issuer, clockTolerance: ignoreExpiration ? 10 ** 9 : 0,
      }));
    } catch {
      return undefined;
    }
    const stored = jwtAccessTokens.get(payload.jti);
    if (!stored) return undefined; // revoked, or not issued by this provider process
    return { ...stored, jti: payload.jti, jwt: true, exp: payload.exp };
  }
  const at = await provider.AccessToken.find(token, { ignoreExpiration: true });
  if (!at) return undefined;
  return at;
}

function isClientExpired(client) {
  const exp = client.metadata().client_secret_expires_at;
  return Boolean(exp) && exp <= now();
}

// userinfo with Nextcloud's semantics (H2CK/oidc UserInfoController): works for opaque and
// JWT access tokens; every rejection is HTTP 400 with {"error", "error_description"}.
async function userinfo(req, res) {
  count('userinfo');
  // The Nextcloud fake identifies itself, so tests can tell its per-request validation calls
  // (what user_oidc does) from the MCP server's own (which must be cached).
  if ((req.headers['user-agent'] || '').startsWith('fake-nextcloud/')) count('userinfo_from_nextcloud');
  else count('userinfo_direct');
  if (state.userinfoDelayMs) await new Promise((r) => { setTimeout(r, state.userinfoDelayMs); });
  if (state.userinfoClose) { // simulate an unreachable Nextcloud: drop the connection
    count('userinfo_rejected');
    req.socket.destroy();
    return;
  }
  if (state.userinfoStatus) {
    count('userinfo_rejected');
    sendJSON(res, state.userinfoStatus, { error: 'temporarily_unavailable' });
    return;
  }
  const reject = (error, description) => {
    count('userinfo_rejected');
    sendJSON(res, 400, { error, error_description: description });
  };
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
  if (!m) { reject('invalid_request', 'No bearer token found in request.'); return; }
  const token = m[1];
  userinfoTokens.push(crypto.createHash('sha256').update(token).digest('hex').slice(0, 16));
  const at = await findAccessToken(token, { ignoreExpiration: true });
  if (!at) { reject('invalid_request', 'Could not find provided bearer token.'); return; }
  const client = await provider.Client.find(at.clientId);
  if (!client) { reject('invalid_request', 'Could not find client for access token.'); return; }
  if (isClientExpired(client)) { reject('expired_client', 'Client expired.'); return; }
  if (at.exp && at.exp <= now()) { reject('invalid_grant', 'Access token already expired.'); return; }
  count('userinfo_ok');
  const scopes = new Set((at.scope || '').split(' ').filter(Boolean));
  sendJSON(res, 200, accountClaims(at.accountId, scopes.size ? scopes : null));
}

// An ID token signed with the provider's key, shaped like Nextcloud's JwtGenerator::generateIdToken.
async function mintIdToken(body) {
  const key = await jose.importJWK(signingKeys[0], 'RS256');
  const t = now();
  const claims = {
    sub: body.sub, aud: body.aud || TEST_CLIENT.client_id, azp: TEST_CLIENT.client_id,
    iat: t, exp: t + Number(body.ttl || 900), auth_time: t, preferred_username: body.sub,
    nonce: body.nonce ?? 'n-0S6_WzA2Mj',
  };
  if (body.scope) claims.scope = body.scope;
  const header = { alg: 'RS256', kid: signingKeys[0].kid };
  const typ = body.typ ?? 'JWT';
  if (typ) header.typ = typ;
  const token = await new jose.SignJWT(claims).setProtectedHeader(header).setIssuer(issuer).sign(key);
  count('mints');
  return { access_token: token, token_type: 'Bearer', expires_in: Number(body.ttl || 900), format: 'id_token' };
}

async function mint(body) {
  const sub = body.sub;
  if (!sub || typeof sub !== 'string') throw Object.assign(new Error('sub is required'), { status: 400 });
  if (body.format === 'id_token') return mintIdToken(body);
  const scope = body.scope || 'openid profile email';
  const format = body.format || 'opaque';
  const ttl = Number(body.ttl || state.tokenTTL);
  const clientId = body.client_id || TEST_CLIENT.client_id;
  const client = await provider.Client.find(clientId);
  if (!client) throw Object.assign(new Error(`unknown client ${clientId}`), { status: 400 });

  const grant = new provider.Grant({ accountId: sub, clientId });
  grant.addOIDCScope(scope);
  let resourceServer;
  if (format === 'jwt') {
    const aud = body.aud || state.defaultResource;
    grant.addResourceScope(aud, scope);
    resourceServer = new provider.ResourceServer(aud, {
      audience: aud, scope, accessTokenFormat: 'jwt', accessTokenTTL: ttl,
    });
  } else if (format === 'opaque' && body.aud) {
    // A resource-bound opaque token: introspection reports the resource as its aud.
    grant.addResourceScope(body.aud, scope);
    resourceServer = new provider.ResourceServer(body.aud, {
      audience: body.aud, scope, accessTokenFormat: 'opaque', accessTokenTTL: ttl,
    });
  } else if (format !== 'opaque') {
    throw Object.assign(new Error('format must be opaque or jwt'), { status: 400 });
  }
  const grantId = await grant.save();
  const at = new provider.AccessToken({
    accountId: sub, client, grantId, scope, gty: 'authorization_code', expiresIn: ttl,
  });
  if (resourceServer) at.resourceServer = resourceServer;
  const value = await at.save();
  count('mints');
  return { access_token: value, token_type: 'Bearer', expires_in: ttl, scope, format };
}

async function revoke(token) {
  const at = await findAccessToken(token, { ignoreExpiration: true });
  if (!at) return false;
  if (at.jwt) jwtAccessTokens.delete(at.jti);
  else await provider.AccessToken.adapter.destroy(at.jti);
  return true;
}

async function listClients() {
  // The memory adapter keeps clients under "Client:<id>"; we track registered ids ourselves.
  const out = [];
  for (const id of registeredClientIds) {
    const stored = await provider.Client.adapter.find(id);
    if (stored) out.push(stored);
  }
  return out;
}
const registeredClientIds = new Set();

async function setClientExpiry(id, exp) {
  const stored = await provider.Client.adapter.find(id);
  if (!stored) return false;
  await provider.Client.adapter.upsert(id, { ...stored, client_secret_expires_at: exp });
  return true;
}

async function handleTest(req, res, path) {
  try {
    if (req.method === 'POST' && path === '/__test/mint') {
      sendJSON(res, 200, await mint(await readBody(req)));
    } else if (req.method === 'POST' && path === '/__test/revoke') {
      const { token } = await readBody(req);
      sendJSON(res, 200, { revoked: await revoke(String(token || '')) });
    } else if (req.method === 'GET' && path === '/__test/stats') {
      sendJSON(res, 200, { ...stats, userinfo_token_hashes: userinfoTokens.slice(-100) });
    } else if (req.method === 'POST' && path === '/__test/reset-stats') {
      resetStats();
      userinfoTokens.length = 0;
      sendJSON(res, 200, { ok: true });
    } else if (req.method === 'POST' && path === '/__test/reset') {
      // Between tests: startup settings, zero stats, no dynamically registered client.
      Object.assign(state, { ...startupState });
      for (const id of registeredClientIds) await provider.Client.adapter.destroy(id);
      registeredClientIds.clear();
      resetStats();
      userinfoTokens.length = 0;
      sendJSON(res, 200, { ok: true });
    } else if (req.method === 'GET' && path === '/__test/clients') {
      sendJSON(res, 200, { clients: await listClients() });
    } else if (req.method === 'POST' && /^\/__test\/clients\/[^/]+\/delete$/.test(path)) {
      const id = decodeURIComponent(path.split('/')[3]);
      const existed = Boolean(await provider.Client.adapter.find(id));
      await provider.Client.adapter.destroy(id);
      registeredClientIds.delete(id);
      sendJSON(res, existed ? 200 : 404, { deleted: existed });
    } else if (req.method === 'POST' && /^\/__test\/clients\/[^/]+\/expire$/.test(path)) {
      const id = decodeURIComponent(path.split('/')[3]);
      const ok = await setClientExpiry(id, now() - 1);
      sendJSON(res, ok ? 200 : 404, { expired: ok });
    } else if (req.method === 'POST' && path === '/__test/config') {
      const body = await readBody(req);
      if ('client_lifetime' in body) state.clientLifetime = Number(body.client_lifetime);
      if ('userinfo_delay_ms' in body) state.userinfoDelayMs = Number(body.userinfo_delay_ms);
      if ('userinfo_status' in body) state.userinfoStatus = Number(body.userinfo_status);
      if ('userinfo_close' in body) state.userinfoClose = Boolean(body.userinfo_close);
      if ('token_ttl' in body) state.tokenTTL = Number(body.token_ttl);
      sendJSON(res, 200, {
        client_lifetime: state.clientLifetime,
        userinfo_delay_ms: state.userinfoDelayMs,
        userinfo_status: state.userinfoStatus,
        userinfo_close: state.userinfoClose,
        token_ttl: state.tokenTTL,
      });
    } else if (req.method === 'POST' && path === '/__test/rotate-keys') {
      // New key first (used for signing), previous key kept in the JWKS for verification.
      signingKeys = [newSigningKey(), signingKeys[0]];
      const old = provider;
      provider = buildProvider();
      installHooks(provider);
      providerCallback = provider.callback();
      void old; // storage is process-wide (MapAdapter), so tokens and clients survive rotation
      sendJSON(res, 200, { kids: signingKeys.map((k) => k.kid) });
    } else {
      sendJSON(res, 404, { error: 'not_found', error_description: `no test endpoint ${req.method} ${path}` });
    }
  } catch (err) {
    sendJSON(res, err.status || 500, { error: 'test_endpoint_error', error_description: String(err.message || err) });
  }
}

// After-hooks on provider routes: count calls, and give DCR clients an expiry like Nextcloud
// (client_secret_expires_at = client_id_issued_at + client_expire_time).
function installHooks(p) {
  p.use(async (ctx, next) => {
    const { path, method } = ctx;
    if (path === '/.well-known/openid-configuration') count('discovery');
    else if (path === ROUTES.jwks) count('jwks');
    else if (path === ROUTES.token) count('token');
    else if (path === ROUTES.introspection) count('introspection');
    else if (path === ROUTES.revocation) count('revocation');
    else if (path.startsWith(`${ROUTES.registration}/`) && method === 'GET') count('registration_reads');
    await next();
    if (path === ROUTES.registration && method === 'POST' && ctx.status === 201 && ctx.body?.client_id) {
      count('registrations');
      const id = ctx.body.client_id;
      registeredClientIds.add(id);
      if (state.clientLifetime > 0 && ctx.body.client_secret) {
        const exp = ctx.body.client_id_issued_at + state.clientLifetime;
        await setClientExpiry(id, exp);
        ctx.body.client_secret_expires_at = exp;
      }
    }
    if (path === '/.well-known/openid-configuration' && ctx.status === 200 && ctx.body) {
      // Nextcloud's discovery lists these (DiscoveryGenerator.php); keep the same shape.
      ctx.body.code_challenge_methods_supported = ['S256'];
    }
  });
}

// --- interactive login and consent (plain HTML forms) -----------------------------------
function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function sendPage(res, status, title, body) {
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHTML(title)}</title></head>`
    + `<body><h1>${escapeHTML(title)}</h1>${body}</body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(html),
  });
  res.end(html);
}

function loginForm(uid, clientId, error) {
  return `${error ? `<p class="error">${escapeHTML(error)}</p>` : ''}`
    + `<p>Sign in to continue to ${escapeHTML(clientId)}.</p>`
    + `<form method="post" action="/interaction/${escapeHTML(uid)}/login">`
    + '<label>Login <input name="login" autocomplete="username"></label>'
    + '<label>Password <input name="password" type="password" autocomplete="current-password"></label>'
    + '<button type="submit">Log in</button></form>';
}

async function interaction(req, res, path) {
  count('interactions');
  const [, , uid, action] = path.split('/');
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    sendPage(res, 400, 'Login expired', `<p>${escapeHTML(err.message || err)}</p>`);
    return;
  }
  if (details.uid !== uid) { sendPage(res, 400, 'Login expired', '<p>unknown interaction</p>'); return; }
  const { prompt, params } = details;
  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') {
      sendPage(res, 200, 'Log in', loginForm(uid, params.client_id));
    } else {
      const scopes = [...(prompt.details.missingOIDCScope || [])];
      for (const list of Object.values(prompt.details.missingResourceScopes || {})) scopes.push(...list);
      sendPage(res, 200, 'Authorize access',
        `<p>${escapeHTML(params.client_id)} asks for: ${escapeHTML([...new Set(scopes)].join(' '))}</p>`
        + `<form method="post" action="/interaction/${escapeHTML(uid)}/confirm"><button type="submit">Allow</button></form>`
        + `<form method="post" action="/interaction/${escapeHTML(uid)}/abort"><button type="submit">Deny</button></form>`);
    }
    return;
  }
  if (req.method !== 'POST') { sendPage(res, 405, 'Method not allowed', ''); return; }
  const body = await readBody(req);
  if (action === 'login' && prompt.name === 'login') {
    const login = String(body.login || '').trim();
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(login) || body.password !== `${login}-password`) {
      count('logins_failed');
      sendPage(res, 200, 'Log in', loginForm(uid, params.client_id, 'Wrong login or password.'));
      return;
    }
    count('logins');
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  } else if (action === 'confirm' && prompt.name === 'consent') {
    const { accountId } = details.session;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, list] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, list.join(' '));
    }
    const grantId = await grant.save();
    count('consents');
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } else if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The user denied the request.',
    }, { mergeWithLastSubmission: false });
  } else {
    sendPage(res, 400, 'Unexpected step', `<p>${escapeHTML(action)} during ${escapeHTML(prompt.name)}</p>`);
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const path = url.pathname;
  if (path.startsWith('/__test/')) { await handleTest(req, res, path); return; }
  if (/^\/interaction\/[^/]+(\/(login|confirm|abort))?$/.test(path)) {
    try { await interaction(req, res, path); } catch (err) { sendPage(res, 500, 'Error', `<p>${escapeHTML(err.message || err)}</p>`); }
    return;
  }
  if (path === ROUTES.userinfo && (req.method === 'GET' || req.method === 'POST')) {
    try { await userinfo(req, res); } catch (err) { sendJSON(res, 500, { error: 'server_error', error_description: String(err) }); }
    return;
  }
  providerCallback(req, res);
});
let providerCallback;

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  issuer = `http://${args.host}:${port}`;
  provider = buildProvider();
  installHooks(provider);
  providerCallback = provider.callback();
  process.stdout.write(`READY ${issuer}\n`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { server.close(); process.exit(0); });
}
