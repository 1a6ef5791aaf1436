import * as Y from 'yjs';
import type { SchemaNode } from '@outpost/model';

type ContainerNode = Extract<SchemaNode, { type: 'map' | 'array' }>;

/** A shared type's schema node and its path from the root (`#` stands for a list position). */
interface TypeInfo {
  node: ContainerNode | 'deleted';
  path: readonly string[];
}

/** Where an item sits: the type that holds it and its key there (null in lists). */
interface Place {
  parent: TypeInfo;
  sub: string | null;
}

/** One entry an update writes: its path and, for plain values, the values. */
export interface WrittenEntry {
  path: readonly string[];
  values: readonly unknown[] | null;
}

/** What an update does, for permission checks and the audit trail. */
export interface UpdateReport {
  /** True when the update changes nothing (e.g. the empty SyncStep2 of a client with no edits). */
  empty: boolean;
  inserted: WrittenEntry[];
  /** Paths of existing entries the update deletes (an overwritten map value counts too). */
  deleted: (readonly string[])[];
}

export class SchemaViolation extends Error {}

/**
 * Thrown by `inspectUpdate` with `onlyNew` when an item of the update is partly known to the
 * document: only `Y.diffUpdate` can cut such an item at the right place.
 */
export class PartlyKnown extends Error {}

const DELETED: TypeInfo = { node: 'deleted', path: [] };

/**
 * Checks, before it is applied, that every item an update inserts lands where the document's
 * schema allows it and carries a value the schema accepts, and reports every path the update
 * writes or deletes. Works on the decoded update, resolving parents through the update itself
 * and the document's existing items, so nothing is applied on trial. Throws SchemaViolation
 * with a reason that names the path.
 *
 * With `onlyNew`, items the document already has are left out, as if the update had first been
 * reduced with `Y.diffUpdate(update, Y.encodeStateVector(doc))` (a client may resend what the
 * server has), without encoding that diff: if an item is only partly known, throws PartlyKnown
 * and the caller diffs first.
 */
export function inspectUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  roots: Record<string, SchemaNode>,
  { onlyNew = false }: { onlyNew?: boolean } = {},
): UpdateReport {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new SchemaViolation('malformed update');
  }
  const incoming = new Map<number, Y.Item[]>();
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Item) {
      if (onlyNew) {
        const known = Y.getState(doc.store, struct.id.client);
        if (struct.id.clock + struct.length <= known) continue;
        if (struct.id.clock < known) throw new PartlyKnown();
      }
      const list = incoming.get(struct.id.client) ?? [];
      list.push(struct);
      incoming.set(struct.id.client, list);
    }
  }
  for (const list of incoming.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  const places = new Map<Y.Item, Place>();
  // Items of one client arrive in clock order: look them up by binary search, so checking a
  // phone's day-long backlog (thousands of items) stays linear-logarithmic, not quadratic.
  const incomingSet = new Set<Y.Item>([...incoming.values()].flat());
  const isIncoming = (item: Y.Item) => incomingSet.has(item);
  const findIncoming = (id: Y.ID): Y.Item | undefined => {
    const list = incoming.get(id.client);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const item = list[mid]!;
      if (id.clock < item.id.clock) high = mid - 1;
      else if (id.clock >= item.id.clock + item.length) low = mid + 1;
      else return item;
    }
    return undefined;
  };

  const find = (id: Y.ID): Y.Item | 'deleted' => {
    const local = findIncoming(id);
    if (local) return local;
    if (id.clock < Y.getState(doc.store, id.client)) {
      const struct = Y.getItem(doc.store, id);
      return struct instanceof Y.Item ? struct : 'deleted';
    }
    throw new SchemaViolation('update depends on changes the server does not have');
  };

  const rootInfo = (name: string): TypeInfo => ({
    node: container(roots[name], `root "${name}"`),
    path: [name],
  });

  const typeInfoOf = (type: Y.AbstractType<unknown>): TypeInfo =>
    type._item === null ? rootInfo(Y.findRootTypeKey(type)) : heldTypeInfo(type._item);

  const placeOf = (item: Y.Item): Place => {
    const known = places.get(item);
    if (known) return known;
    let place: Place;
    if (!isIncoming(item)) {
      place = { parent: typeInfoOf(item.parent as Y.AbstractType<unknown>), sub: item.parentSub };
    } else if (item.origin === null && item.rightOrigin === null) {
      const parent = item.parent as unknown;
      if (typeof parent === 'string') place = { parent: rootInfo(parent), sub: item.parentSub };
      else if (parent instanceof Y.ID) {
        const owner = find(parent);
        place = {
          parent: owner === 'deleted' ? DELETED : heldTypeInfo(owner),
          sub: item.parentSub,
        };
      } else throw new SchemaViolation('item without a parent');
    } else {
      // Neighbours share the parent and, in maps, the key; the encoding leaves both out.
      const neighbour = find((item.origin ?? item.rightOrigin)!);
      place = neighbour === 'deleted' ? { parent: DELETED, sub: null } : placeOf(neighbour);
    }
    places.set(item, place);
    return place;
  };

  /** The schema node and path of the shared type an item holds. */
  const heldTypeInfo = (item: Y.Item): TypeInfo => {
    if (item.deleted && !isIncoming(item)) return DELETED;
    const place = placeOf(item);
    const node = childNode(place);
    if (node === 'deleted') return DELETED;
    return { node: container(node, 'a value'), path: [...place.parent.path, place.sub ?? '#'] };
  };

  const report: UpdateReport = { empty: true, inserted: [], deleted: [] };
  for (const item of [...incoming.values()].flat()) {
    report.empty = false;
    const place = placeOf(item);
    const node = childNode(place);
    if (node === 'deleted') continue;
    const values = checkContent(item, node, place.sub);
    report.inserted.push({ path: [...place.parent.path, place.sub ?? '#'], values });
  }
  for (const [client, ranges] of decoded.ds.clients) {
    for (const { clock, len } of ranges) {
      if (len <= 0) continue;
      report.empty = false;
      for (const item of itemsInRange(doc, incoming.get(client) ?? [], client, clock, len)) {
        if (item.deleted && !isIncoming(item)) continue;
        const place = placeOf(item);
        if (place.parent.node === 'deleted') continue;
        report.deleted.push([...place.parent.path, place.sub ?? '#']);
      }
    }
  }
  return report;
}

/** Items of one client overlapping [clock, clock + len), from the update and the document. */
function itemsInRange(
  doc: Y.Doc,
  incoming: Y.Item[],
  client: number,
  clock: number,
  len: number,
): Y.Item[] {
  const end = clock + len;
  const found: Y.Item[] = [];
  // `incoming` is sorted by clock: start at the first item that ends after `clock`.
  let low = 0;
  let high = incoming.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const item = incoming[mid]!;
    if (item.id.clock + item.length <= clock) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < incoming.length && incoming[i]!.id.clock < end; i++)
    found.push(incoming[i]!);
  const structs = doc.store.clients.get(client);
  if (structs && clock < Y.getState(doc.store, client)) {
    for (let index = Y.findIndexSS(structs, clock); index < structs.length; index++) {
      const struct = structs[index]!;
      if (struct.id.clock >= end) break;
      if (struct instanceof Y.Item) found.push(struct);
    }
  }
  return found;
}

/** Back-compatible check without the report. */
export function validateUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  roots: Record<string, SchemaNode>,
): void {
  inspectUpdate(doc, update, roots);
}

function container(node: SchemaNode | undefined, what: string): ContainerNode {
  if (!node) throw new SchemaViolation(`${what} is not part of this document`);
  if (node.type === 'value') throw new SchemaViolation(`${what} cannot contain entries`);
  return node;
}

function childNode(place: Place): SchemaNode | 'deleted' {
  const { parent, sub } = place;
  if (parent.node === 'deleted') return 'deleted';
  const node = parent.node;
  if (node.type === 'map') {
    if (sub === null) throw new SchemaViolation('a map entry without a key');
    const fixed = node.keys?.[sub];
    if (fixed) return fixed;
    if (node.anyKey?.key(sub)) return node.anyKey.node;
    throw new SchemaViolation(`field "${sub.slice(0, 40)}" is not allowed here`);
  }
  if (sub !== null) throw new SchemaViolation('a keyed entry inside a list');
  return node.item;
}

/** Checks an item's content against its node; returns its plain values (null for types). */
function checkContent(
  item: Y.Item,
  node: SchemaNode,
  sub: string | null,
): readonly unknown[] | null {
  const content = item.content;
  if (content instanceof Y.ContentDeleted) return [];
  if (content instanceof Y.ContentType) {
    const ok =
      (node.type === 'map' && content.type instanceof Y.Map) ||
      (node.type === 'array' && content.type instanceof Y.Array);
    if (!ok) throw new SchemaViolation(`wrong shared type for ${describe(sub)}`);
    return null;
  }
  if (content instanceof Y.ContentAny) {
    if (node.type !== 'value')
      throw new SchemaViolation(`${describe(sub)} must be a shared ${node.type}`);
    if (sub !== null && content.arr.length !== 1) throw new SchemaViolation('malformed map entry');
    for (const value of content.arr) {
      if (!node.check(value)) throw new SchemaViolation(`invalid value for ${describe(sub)}`);
    }
    return content.arr;
  }
  throw new SchemaViolation(`unsupported content in ${describe(sub)}`);
}

function describe(sub: string | null): string {
  return sub === null ? 'a list entry' : `"${sub.slice(0, 40)}"`;
}
