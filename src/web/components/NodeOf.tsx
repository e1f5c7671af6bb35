/**
 * The node a party of an order is on, from the server's trust list: this node, a peer node (with
 * its host), or this server when it is not a federation node.
 */
import { useTranslation } from 'react-i18next';
import type { PartyNodeView } from '../lib/orders';

export function NodeOf({ node, testId }: { node: PartyNodeView; testId: string }) {
  const { t } = useTranslation();
  return (
    <span className="small" data-testid={testId} data-node={node?.id ?? ''} data-self={node === null ? 'server' : String(node.self)}>
      {node === null ? t('orders.nodeServer') : node.self ? t('orders.nodeSelf', { node: node.id }) : t('orders.nodePeer', { node: node.id, host: hostOf(node.endpoint) })}
    </span>
  );
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
