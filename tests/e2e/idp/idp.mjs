// A real OpenID Connect provider (node-oidc-provider) for the single sign-on browser tests.
// Usage: node idp.mjs PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET
// Any login name is accepted on its development login page and becomes the account's email.
import Provider from "oidc-provider";

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) };
  },
  // Consent is the organisation's business, not the employee's: grant the scopes asked for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email");
    await grant.save();
    return grant;
  },
});

provider.listen(Number(port), "127.0.0.1", () => console.log(`ready on ${port}`));
