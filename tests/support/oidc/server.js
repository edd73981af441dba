// A Keycloak-path-compatible OpenID provider for the Nexus test suite.
//
// Keycloak itself cannot be installed on the test machines, so this serves the same routes Keycloak does
// (/realms/<realm>/.well-known/openid-configuration, /realms/<realm>/protocol/openid-connect/{token,certs,auth,userinfo})
// with the npm `oidc-provider` package, and signs RS256 JWT access tokens shaped like Keycloak's: `realm_access.roles`,
// `resource_access.<client>.roles`, `preferred_username`, the tenant claim and the client's audience.
//
// Grants: `password` (Keycloak's "direct access grants", registered here as a custom grant because OAuth 2.1 dropped
// it from oidc-provider) and `client_credentials` (a service account, as Keycloak does it).
//
// Usage: node server.js --port 18080 [--realm-file realm.json]   (binds 127.0.0.1 only)

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import express from 'express';
import Provider, { errors } from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));

function argValue(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const port = Number(argValue('port', process.env.OIDC_PORT || '18080'));
const realmFile = argValue('realm-file', path.join(here, 'realm.json'));
const tenantClaim = argValue('tenant-claim', 'tenant');
const base = `http://127.0.0.1:${port}`;
const config = JSON.parse(fs.readFileSync(realmFile, 'utf8'));

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

// Keycloak puts realm roles in realm_access and client roles in resource_access.<client>.
function roleClaims(realmRoles, clientRoles) {
  const claims = { realm_access: { roles: realmRoles || [] } };
  const resourceAccess = {};
  for (const [client, roles] of Object.entries(clientRoles || {})) {
    resourceAccess[client] = { roles };
  }
  if (Object.keys(resourceAccess).length) claims.resource_access = resourceAccess;
  return claims;
}

function resourceServerFor(provider, spec) {
  return new provider.ResourceServer(`urn:audience:${spec.audience}`, {
    audience: spec.audience,
    scope: 'openid profile email',
    accessTokenFormat: 'jwt',
    accessTokenTTL: spec.access_token_ttl_s || 300,
    jwt: { sign: { alg: 'RS256' } },
  });
}

function buildProvider(realmName, realm) {
  const issuer = `${base}/realms/${realmName}`;
  const users = new Map(realm.users.map((u) => [u.username, u]));
  const specs = new Map(realm.clients.map((c) => [c.client_id, c]));

  const provider = new Provider(issuer, {
    clients: realm.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: c.grant_types,
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [signingKey()] },
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      jwks: '/protocol/openid-connect/certs',
      userinfo: '/protocol/openid-connect/userinfo',
      end_session: '/protocol/openid-connect/logout',
      revocation: '/protocol/openid-connect/revoke',
      introspection: '/protocol/openid-connect/token/introspect',
    },
    scopes: ['openid', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', tenantClaim] },
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, client) => `urn:audience:${specs.get(client.clientId).audience}`,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          const spec = specs.get(client.clientId);
          if (indicator !== `urn:audience:${spec.audience}`) throw new errors.InvalidTarget();
          const server = resourceServerFor(provider, spec);
          return { audience: server.audience, scope: server.scope, accessTokenFormat: 'jwt',
            accessTokenTTL: server.accessTokenTTL, jwt: server.jwt };
        },
      },
    },
    findAccount: async (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: user.name, preferred_username: id, [tenantClaim]: user.tenant }),
      };
    },
    // The claims Keycloak puts in its access tokens, for users (password grant) and service accounts.
    extraTokenClaims: async (_ctx, token) => {
      const clientId = token.clientId;
      const base = { azp: clientId, typ: 'Bearer' };
      if (token.accountId) {
        const user = users.get(token.accountId);
        if (!user) return base;
        return { ...base, preferred_username: user.username, name: user.name, [tenantClaim]: user.tenant,
          ...roleClaims(user.realm_roles, user.client_roles) };
      }
      const account = specs.get(clientId)?.service_account;
      if (!account) return base;
      return { ...base, preferred_username: `service-account-${clientId}`, [tenantClaim]: account.tenant,
        ...roleClaims(account.realm_roles, account.client_roles) };
    },
    ttl: {
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL || 300,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL || 300,
    },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  });

  // Keycloak's "direct access grant": username + password at the token endpoint.
  provider.registerGrantType('password', async (ctx) => {
    const { client, params } = ctx.oidc;
    const user = users.get(params.username);
    const given = Buffer.from(String(params.password || ''));
    const expected = Buffer.from(user ? user.password : '');
    if (!user || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new errors.InvalidGrant('Invalid user credentials');
    }
    const spec = specs.get(client.clientId);
    const token = new provider.AccessToken({ accountId: user.username, client, gty: 'password',
      scope: 'openid profile' });
    token.resourceServer = resourceServerFor(provider, spec);
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    ctx.body = { access_token: value, expires_in: token.expiration, refresh_expires_in: 0, token_type: 'Bearer',
      'not-before-policy': 0, scope: token.scope };
  }, ['username', 'password', 'scope']);

  provider.proxy = false;
  return provider;
}

const app = express();
app.get('/health', (_req, res) => res.json({ status: 'ok', realms: Object.keys(config.realms) }));
for (const [name, realm] of Object.entries(config.realms)) {
  app.use(`/realms/${name}`, buildProvider(name, realm).callback());
}

app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`test OIDC provider on ${base} (realms: ${Object.keys(config.realms).join(', ')})\n`);
});
