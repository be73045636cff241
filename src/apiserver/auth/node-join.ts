// The master's half of joining a node (kubeadm's TLS bootstrap, in one call): the agent, holding a join token,
// sends its node name and a CSR; it gets back its own node token (user system:node:<name>), the cluster CA and a
// serving certificate for its agent API signed by the CA. The certificate names the node in its CN and carries no
// SANs, so it can serve only the agent API — the master checks agents by CN — and never pass for the API server.
// A node that joins again (its data dir lost) replaces its earlier node token.
import { isDns1123Subdomain } from '../../api/validation.js';
import { badRequest, invalid } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { NODES_GROUP, nodeUserName } from './identities.js';
import type { MasterPki } from './master-pki.js';
import { certificateRequestPublicKey, LEAF_VALIDITY_DAYS, signCertificate } from './pki.js';
import type { TokenStore } from './token-store.js';

export interface JoinRequest {
  nodeName: string;
  /** PEM PKCS#10 request for the agent's serving key. */
  certificateRequest: string;
}

export interface NodeCredential {
  kind: 'NodeCredential';
  apiVersion: 'skiff.io/v1';
  nodeName: string;
  /** The node token, shown once. */
  token: string;
  tokenId: string;
  certificateAuthority: string;
  certificate: string;
}

export function parseJoinRequest(body: unknown): JoinRequest {
  const b = (body ?? {}) as Partial<JoinRequest>;
  if (typeof b.nodeName !== 'string' || b.nodeName === '') throw badRequest('nodeName is required');
  const problems = isDns1123Subdomain(b.nodeName);
  if (problems.length > 0) {
    throw invalid('', 'Node', b.nodeName, [
      {
        field: 'nodeName',
        type: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(b.nodeName)}: ${problems.join('; ')}`,
      },
    ]);
  }
  if (typeof b.certificateRequest !== 'string' || !b.certificateRequest.includes('CERTIFICATE REQUEST')) {
    throw badRequest('certificateRequest must be a PEM certificate signing request');
  }
  return { nodeName: b.nodeName, certificateRequest: b.certificateRequest };
}

export async function issueNodeCredential(
  deps: { tokens: TokenStore; pki: MasterPki; logger: Logger },
  request: JoinRequest,
  now: number,
  joinedBy: string,
): Promise<NodeCredential> {
  let publicKey: string;
  try {
    publicKey = await certificateRequestPublicKey(request.certificateRequest);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const certificate = await signCertificate(
    deps.pki.ca,
    publicKey,
    {
      commonName: nodeUserName(request.nodeName),
      organization: NODES_GROUP,
      usage: 'server',
      validityDays: LEAF_VALIDITY_DAYS,
    },
    now,
  );
  const issued = await deps.tokens.create({
    role: 'node',
    nodeName: request.nodeName,
    description: `joined by ${joinedBy}`,
  });
  await deps.tokens.revokeNodeTokens(request.nodeName, issued.info.id);
  deps.logger.info({ node: request.nodeName, tokenId: issued.info.id, joinedBy }, 'node joined');
  return {
    kind: 'NodeCredential',
    apiVersion: 'skiff.io/v1',
    nodeName: request.nodeName,
    token: issued.token,
    tokenId: issued.info.id,
    certificateAuthority: deps.pki.ca.certPem,
    certificate,
  };
}
