// Where the OpenID provider's endpoints live under the issuer URL.
export const AUTHORIZE_PATH = '/authorize';
export const TOKEN_PATH = '/token';
