// panva's oidc-provider set up as the authorization server of an MCP
// deployment, for the conformance suite's interop test (interop_test.go).
//
// It listens on 127.0.0.1 on a port the kernel picks, over HTTPS with the
// certificate and key the test hands it, and prints one line
//   READY <issuer>
// on stdout once it serves. Everything else goes to stderr.
//
// Environment (set by the test):
//   TLS_CERT, TLS_KEY    PEM files of the server certificate (chain) and key;
//                        without them it serves plain http (for a local look,
//                        with the suite's --allow-insecure-localhost)
//   MCP_RESOURCE         the MCP server's canonical URI (the suite's --resource)
//   MCP_SECOND_RESOURCE  a second MCP server the AS knows (--second-resource)
//   CIMD_ORIGIN          the https origin of the suite's client ID metadata
//                        documents (--cimd-listen); enables client ID
//                        metadata documents, fetched from there only
//                        (NODE_EXTRA_CA_CERTS makes its certificate trusted)
//
// All state is in memory (oidc-provider's development MemoryAdapter): every
// run starts with no clients, grants or tokens.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const resource = process.env.MCP_RESOURCE || 'https://mcp.interop.test/mcp';
const secondResource = process.env.MCP_SECOND_RESOURCE || 'https://mcp.interop.test/other/mcp';
// The MCP servers' scopes: calling tools, reading resources.
const mcpScopes = ['mcp:tools', 'mcp:resources'];

// The resource servers this AS issues tokens for: the two MCP servers.
const resourceServers = new Set([resource, secondResource]);

const cimdOrigin = process.env.CIMD_ORIGIN;

// Fresh signing keys per run, generated with node:crypto: RS256 for ID tokens
// (the OIDC default every relying party supports) and ES256 for the JWT
// access tokens. A real deployment loads persistent keys instead.
function signingKey(kid, type, options) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
}
const jwks = {
  keys: [
    signingKey('rs256-1', 'rsa', { modulusLength: 2048 }),
    signingKey('es256-1', 'ec', { namedCurve: 'P-256' }),
  ],
};

function configuration() {
  return {
    // No static clients: MCP clients register themselves (features.registration).
    clients: [],

    jwks,
    // Random per run: the session and interaction cookies are signed with them.
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },

    // OpenID scopes plus the MCP servers' scopes. offline_access is the OIDC
    // way to ask for a refresh token; this deployment issues refresh tokens
    // without it too (issueRefreshToken below), because MCP clients commonly
    // ask only for the resource's scopes.
    scopes: ['openid', 'offline_access', ...mcpScopes],

    // What a client gets when its registration leaves a field out. MCP
    // clients send grant_types, response_types and token_endpoint_auth_method
    // themselves; these are oidc-provider's own defaults, kept explicit.
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    // MCP clients register with client_name, software_id and software_version
    // (RFC 7591); client_name is standard here, the others are accepted and
    // echoed so that a registration response reflects what was sent.
    extraClientMetadata: {
      properties: ['software_id', 'software_version'],
    },

    // The authorization code flow only: no implicit or hybrid response types
    // (OAuth 2.1 removed them, MCP clients use code).
    responseTypes: ['code'],

    // PKCE (S256, the only method oidc-provider offers) for every client,
    // confidential ones included, as OAuth 2.1 and MCP require.
    pkce: { required: () => true },

    features: {
      // The built-in login and consent pages: any login name and any
      // non-empty password sign in. The suite's login tasks drive them.
      devInteractions: { enabled: true },

      // RFC 7591 dynamic client registration, open (no initial access token),
      // as MCP clients expect. Public loopback native clients register with
      // token_endpoint_auth_method none and application_type native
      // (oidc-provider then accepts http://127.0.0.1:<any port> redirects,
      // RFC 8252 7.3).
      registration: { enabled: true, initialAccessToken: false },

      // OAuth Client ID Metadata Documents (MCP 2025-11-25 and later: an
      // https client_id URL whose document the AS fetches instead of a
      // registration). oidc-provider implements draft 02 as an experimental
      // feature, acknowledged here. Its fetches refuse private and loopback
      // addresses (SSRF protection); the fetch hook below lifts that for
      // the suite's document host alone, as a deployment would allow-list a
      // trusted internal host.
      clientIdMetadataDocument: {
        enabled: Boolean(cimdOrigin),
        ack: 'draft-02',
      },

      // RFC 7009 revocation. A client may revoke only its own tokens
      // (oidc-provider's default policy, written out).
      revocation: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => {
          if (token.clientId !== client.clientId) {
            if (client.clientAuthMethod === 'none') return false;
            throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
          }
          return true;
        },
      },

      // RFC 7662 introspection, for MCP servers that validate tokens at the
      // AS. A public client may introspect only its own tokens; an
      // authenticated client (a resource server) any token (oidc-provider's
      // default policy, written out).
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId),
      },

      // RFC 8707 resource indicators: the MCP client names the MCP server it
      // wants a token for, and the access token's audience is exactly that
      // server.
      resourceIndicators: {
        enabled: true,
        // A request that names no resource gets a token for the primary MCP
        // server (clients of MCP revisions before 2025-06-18 do not send
        // resource). A request that names several is answered with one of
        // them only when it says which one at the token endpoint.
        defaultResource: async (ctx, client, oneOf) => oneOf ?? resource,
        // A token request without resource gets the resource the user
        // authorized, even when the openid scope was granted too.
        useGrantedResource: async () => true,
        // Each MCP server: its scopes, audience = its canonical URI, and JWT
        // access tokens (RFC 9068) it can validate with the AS's JWKS. An
        // unknown resource is refused with invalid_target.
        getResourceServerInfo: async (ctx, resourceIndicator) => {
          if (!resourceServers.has(resourceIndicator)) {
            throw new errors.InvalidTarget();
          }
          return {
            scope: mcpScopes.join(' '),
            audience: resourceIndicator,
            accessTokenTTL: 60 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },

    // Refresh tokens for every client allowed the refresh_token grant, public
    // clients included (MCP clients are mostly public native apps)...
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    // ...rotated on every use (OAuth 2.1 4.3.1 for public clients; applied to
    // all clients alike). oidc-provider revokes the whole grant when a
    // rotated-out refresh token is presented again.
    rotateRefreshToken: () => true,

    // Outgoing requests (client ID metadata documents). oidc-provider hands
    // in options.dispatcher, its SSRF-protecting connection pool; only the
    // suite's loopback document host goes without it.
    fetch: (url, options) => {
      if (cimdOrigin && new URL(url).origin === cimdOrigin) {
        delete options.dispatcher;
      }
      return fetch(url, options);
    },

    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      Grant: 14 * 24 * 60 * 60,
      Interaction: 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Session: 14 * 24 * 60 * 60,
    },
  };
}

// The server listens first, so the issuer can carry the port the kernel
// chose; requests arriving before the provider exists cannot happen, since
// READY is printed after it is set.
let handler = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const tls = process.env.TLS_CERT && process.env.TLS_KEY;
const server = tls
  ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }, (req, res) => handler(req, res))
  : http.createServer((req, res) => handler(req, res));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  handler = provider.callback();
  process.stdout.write(`READY ${issuer}\n`);
});

// The test stops the server with SIGTERM; exit at once.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
