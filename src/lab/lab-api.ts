// The lab's client for its master: the typed Kubernetes API over HTTPS with the master's admin credential, plus the
// one skiff endpoint the lab needs beyond it — making join tokens for the agents it starts.
import { HttpApiClient } from '../client/http-api-client.js';
import { errorFromResponse } from '../client/http-response.js';
import type { LabApi, LabCredentials } from './host.js';

export class HttpLabApi extends HttpApiClient implements LabApi {
  constructor(url: string, credentials: LabCredentials = {}) {
    super({ server: url, token: credentials.token, ca: credentials.caPem, requestTimeoutMs: 5000 });
  }

  async createJoinToken(ttlSeconds: number): Promise<string> {
    const res = await this.rawRequest('POST', '/skiff/v1/tokens', {
      body: { role: 'join', ttlSeconds, description: 'skiff lab: an agent joining' },
    });
    if (res.status !== 201) throw errorFromResponse(res.status, res.body);
    return (JSON.parse(res.body.toString('utf8')) as { token: string }).token;
  }
}
