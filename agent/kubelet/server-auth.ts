// Who may call the agent API (logs, exec, attach — a shell in any pod on this node): the master, and no one else.
// The agent serves HTTPS with the certificate it got when it joined (signed by the cluster CA, CN system:node:<name>)
// and asks every client for a certificate: only one signed by the cluster CA for clientAuth with the master's CN
// (skiff-apiserver-kubelet-client) gets in. Anyone else gets a Status: 401 without a valid certificate, 403 with
// one that is not the master's (another node's, say). The TLS handshake itself accepts every client so that the
// refusal can be a readable Status rather than a dropped connection.
import type http from 'node:http';
import type https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ApiError, forbiddenRequest } from '../../src/common/errors.js';
import { KUBELET_CLIENT_CN } from '../../src/apiserver/auth/identities.js';

/** The agent's serving certificate, its key and the cluster CA (PEM), from joining (agent/join.ts). */
export interface AgentServingTls {
  ca: string;
  cert: string;
  key: string;
}

export function agentTlsOptions(tls: AgentServingTls): https.ServerOptions {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false };
}

/** Throws 401/403 unless the request comes over TLS from the master's client certificate. */
export function checkMasterClient(req: http.IncomingMessage): void {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') {
    throw new ApiError(
      401,
      'Unauthorized',
      'the agent API requires TLS with the master\u2019s client certificate',
    );
  }
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) {
    throw new ApiError(401, 'Unauthorized', 'Unauthorized: no client certificate');
  }
  if (!socket.authorized) {
    throw new ApiError(
      401,
      'Unauthorized',
      `Unauthorized: the client certificate is not valid for this cluster (${String(socket.authorizationError ?? 'unknown')})`,
    );
  }
  const cn = cert.subject?.CN;
  if (cn !== KUBELET_CLIENT_CN) {
    throw forbiddenRequest(
      `forbidden: User "${String(cn ?? '')}" cannot use the agent API: only the master may`,
    );
  }
}
