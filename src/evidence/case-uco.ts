/**
 * @module evidence/case-uco
 * The chain of custody as CASE/UCO JSON-LD (caseontology.org, CASE 1.3 / UCO 1.3): each item an
 * `observable:File` with a `FileFacet` and a `ContentDataFacet` carrying its SHA-256, each
 * custody event an `investigation:InvestigativeAction` (performer, object, start time), all in a
 * `investigation:ProvenanceRecord` whose exhibit number is the case reference. Identifiers are
 * derived from Comity's ids, so the same state gives the same document.
 */
import type { CustodyStatement } from './custody-line.js';

export interface UcoItem {
  id: string;
  name: string;
  size: number;
  sha256: string;
  mediaType: string;
}

export function caseUcoGraph(caseRef: { id: string; reference: string }, items: readonly UcoItem[], statements: readonly CustodyStatement[]): unknown {
  const itemNode = (item: UcoItem) => ({
    '@id': `kb:file-${item.id}`,
    '@type': 'observable:File',
    'core:hasFacet': [
      { '@id': `kb:file-facet-${item.id}`, '@type': 'observable:FileFacet', 'observable:fileName': item.name, 'observable:sizeInBytes': { '@type': 'xsd:integer', '@value': String(item.size) } },
      {
        '@id': `kb:content-facet-${item.id}`,
        '@type': 'observable:ContentDataFacet',
        'observable:mimeType': item.mediaType,
        'observable:sizeInBytes': { '@type': 'xsd:integer', '@value': String(item.size) },
        'observable:hash': [{ '@id': `kb:hash-${item.id}`, '@type': 'types:Hash', 'types:hashMethod': { '@type': 'vocabulary:HashNameVocab', '@value': 'SHA256' }, 'types:hashValue': { '@type': 'xsd:hexBinary', '@value': item.sha256.toUpperCase() } }],
      },
    ],
  });
  const actionNode = (s: CustodyStatement) => ({
    '@id': `kb:custody-${s.case}-${s.seq}`,
    '@type': 'investigation:InvestigativeAction',
    'core:name': s.event,
    'action:startTime': { '@type': 'xsd:dateTime', '@value': s.at },
    'action:performer': { '@id': `kb:agent-${encodeURIComponent(s.authority ?? 'node')}-${encodeURIComponent(s.actor)}` },
    ...(s.item ? { 'action:object': [{ '@id': `kb:file-${s.item.id}` }] } : {}),
    'core:description': `Comity custody event ${s.seq} (${s.event}), signed by key ${s.key}; line hash chain prev=${s.prev}`,
  });
  const agents = [...new Map(statements.map((s) => [`${s.authority ?? 'node'}|${s.actor}`, s])).values()].map((s) => ({
    '@id': `kb:agent-${encodeURIComponent(s.authority ?? 'node')}-${encodeURIComponent(s.actor)}`,
    '@type': 'core:IdentityAbstraction',
    'core:name': `${s.actor} (${s.authority ?? 'Comity node'})`,
  }));
  return {
    '@context': {
      kb: 'urn:comity:',
      core: 'https://ontology.unifiedcyberontology.org/uco/core/',
      observable: 'https://ontology.unifiedcyberontology.org/uco/observable/',
      types: 'https://ontology.unifiedcyberontology.org/uco/types/',
      vocabulary: 'https://ontology.unifiedcyberontology.org/uco/vocabulary/',
      action: 'https://ontology.unifiedcyberontology.org/uco/action/',
      investigation: 'https://ontology.caseontology.org/case/investigation/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
    },
    '@graph': [
      { '@id': `kb:provenance-${caseRef.id}`, '@type': 'investigation:ProvenanceRecord', 'investigation:exhibitNumber': caseRef.reference, 'investigation:rootExhibitNumber': caseRef.reference, 'core:object': items.map((i) => ({ '@id': `kb:file-${i.id}` })) },
      ...items.map(itemNode),
      ...agents,
      ...statements.map(actionNode),
    ],
  };
}
