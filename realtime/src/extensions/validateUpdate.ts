import * as Y from 'yjs';
import type { SchemaNode } from '@outpost/model';

type ContainerNode = Extract<SchemaNode, { type: 'map' | 'array' }>;

/** The item's place: the schema node of its parent type and its key there (null in arrays). */
interface Place {
  parent: ContainerNode | 'deleted';
  sub: string | null;
}

export class SchemaViolation extends Error {}

/**
 * Checks, before it is applied, that every item an update inserts lands where the document's
 * schema allows it and carries a value the schema accepts. Works on the decoded update, resolving
 * parents through the update itself and the document's existing items, so nothing is applied on
 * trial. Deletions are always allowed. Throws SchemaViolation with a reason that names the path.
 */
export function validateUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  roots: Record<string, SchemaNode>,
): void {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new SchemaViolation('malformed update');
  }
  const incoming = new Map<number, Y.Item[]>();
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Item) {
      const list = incoming.get(struct.id.client) ?? [];
      list.push(struct);
      incoming.set(struct.id.client, list);
    }
  }
  const places = new Map<Y.Item, Place>();

  const find = (id: Y.ID): Y.Item | 'deleted' => {
    for (const item of incoming.get(id.client) ?? []) {
      if (id.clock >= item.id.clock && id.clock < item.id.clock + item.length) return item;
    }
    if (id.clock < Y.getState(doc.store, id.client)) {
      const struct = Y.getItem(doc.store, id);
      return struct instanceof Y.Item ? struct : 'deleted';
    }
    throw new SchemaViolation('update depends on changes the server does not have');
  };

  const isIntegrated = (item: Y.Item) => !incoming.get(item.id.client)?.includes(item);

  const nodeOfType = (type: Y.AbstractType<unknown>): ContainerNode | 'deleted' => {
    if (type._item === null) {
      const name = Y.findRootTypeKey(type);
      return container(roots[name], `root "${name}"`);
    }
    return nodeOfItem(type._item);
  };

  const placeOf = (item: Y.Item): Place => {
    const known = places.get(item);
    if (known) return known;
    let place: Place;
    if (isIntegrated(item)) {
      place = { parent: nodeOfType(item.parent as Y.AbstractType<unknown>), sub: item.parentSub };
    } else if (item.origin === null && item.rightOrigin === null) {
      const parent = item.parent as unknown;
      if (typeof parent === 'string')
        place = { parent: container(roots[parent], `root "${parent}"`), sub: item.parentSub };
      else if (parent instanceof Y.ID) {
        const owner = find(parent);
        place = {
          parent: owner === 'deleted' ? 'deleted' : nodeOfItem(owner),
          sub: item.parentSub,
        };
      } else throw new SchemaViolation('item without a parent');
    } else {
      const neighbour = find((item.origin ?? item.rightOrigin)!);
      place = neighbour === 'deleted' ? { parent: 'deleted', sub: null } : placeOf(neighbour);
    }
    places.set(item, place);
    return place;
  };

  /** The schema node of the type an item holds (the item must hold a map or an array). */
  const nodeOfItem = (item: Y.Item): ContainerNode | 'deleted' => {
    if (item.deleted && isIntegrated(item)) return 'deleted';
    const node = childNode(placeOf(item));
    return node === 'deleted' ? 'deleted' : container(node, 'a value');
  };

  for (const item of [...incoming.values()].flat()) {
    const place = placeOf(item);
    const node = childNode(place);
    if (node === 'deleted') continue;
    checkContent(item, node, place.sub);
  }
}

function container(node: SchemaNode | undefined, what: string): ContainerNode {
  if (!node) throw new SchemaViolation(`${what} is not part of this document`);
  if (node.type === 'value') throw new SchemaViolation(`${what} cannot contain entries`);
  return node;
}

function childNode(place: Place): SchemaNode | 'deleted' {
  const { parent, sub } = place;
  if (parent === 'deleted') return 'deleted';
  if (parent.type === 'map') {
    if (sub === null) throw new SchemaViolation('a map entry without a key');
    const fixed = parent.keys?.[sub];
    if (fixed) return fixed;
    if (parent.anyKey?.key(sub)) return parent.anyKey.node;
    throw new SchemaViolation(`field "${sub.slice(0, 40)}" is not allowed here`);
  }
  if (sub !== null) throw new SchemaViolation('a keyed entry inside a list');
  return parent.item;
}

function checkContent(item: Y.Item, node: SchemaNode, sub: string | null): void {
  const content = item.content;
  if (content instanceof Y.ContentDeleted) return;
  if (content instanceof Y.ContentType) {
    const ok =
      (node.type === 'map' && content.type instanceof Y.Map) ||
      (node.type === 'array' && content.type instanceof Y.Array);
    if (!ok) throw new SchemaViolation(`wrong shared type for ${describe(sub)}`);
    return;
  }
  if (content instanceof Y.ContentAny) {
    if (node.type !== 'value')
      throw new SchemaViolation(`${describe(sub)} must be a shared ${node.type}`);
    if (sub !== null && content.arr.length !== 1) throw new SchemaViolation('malformed map entry');
    for (const value of content.arr) {
      if (!node.check(value)) throw new SchemaViolation(`invalid value for ${describe(sub)}`);
    }
    return;
  }
  throw new SchemaViolation(`unsupported content in ${describe(sub)}`);
}

function describe(sub: string | null): string {
  return sub === null ? 'a list entry' : `"${sub.slice(0, 40)}"`;
}
