/** How the mirror signs in: MLflow's own client reads the same three variables. */
export type MlflowAuth = { token: string } | { username: string; password: string } | null;

export function authorizationHeader(auth: MlflowAuth): Record<string, string> {
  if (!auth) return {};
  if ('token' in auth) return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}
