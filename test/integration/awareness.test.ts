/**
 * Presence cannot be forged: the server stamps `user.id` and `user.name` of every announced
 * awareness state with the signed-in person's, whatever the client claims, and a connection
 * cannot overwrite or remove an awareness client id that another connection announced.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  awarenessFrame,
  principal,
  syncedProvider,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

const connect = async (who: Principal) =>
  cleanup.client(await RawYjsClient.synced(server, TASKS_DOC, { token: who.token }));

describe('spoofed awareness', () => {
  it("a worker claiming the leader's identity is seen with the worker's id and display name", async () => {
    const observer = await connect(leader);
    const spoofer = await connect(worker);
    spoofer.awareness.setLocalState({
      user: { id: leader.user.id, name: 'Leader', color: '#0a0' },
      editing: 'task-1',
    });
    await waitFor(() =>
      expect(observer.awareness.getStates().get(spoofer.doc.clientID)).toEqual({
        user: { id: worker.user.id, name: worker.user.displayName, color: '#0a0' },
        editing: 'task-1',
      }),
    );
    // A `user` that is not an object, or none at all, is replaced all the same.
    spoofer.awareness.setLocalState({ user: `${leader.user.id}`, editing: 'task-2' });
    await waitFor(() =>
      expect(observer.awareness.getStates().get(spoofer.doc.clientID)).toEqual({
        user: { id: worker.user.id, name: worker.user.displayName },
        editing: 'task-2',
      }),
    );
    spoofer.awareness.setLocalState({ editing: 'task-3' });
    await waitFor(() =>
      expect(observer.awareness.getStates().get(spoofer.doc.clientID)).toEqual({
        user: { id: worker.user.id, name: worker.user.displayName },
        editing: 'task-3',
      }),
    );
  });

  it('the official client sees the same stamped identity', async () => {
    const observer = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: leader.token }),
    );
    const spoofer = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: worker.token }),
    );
    spoofer.awareness.setLocalStateField('user', { id: leader.user.id, name: 'Leader' });
    await waitFor(() =>
      expect(observer.awareness.getStates().get(spoofer.doc.clientID)).toEqual({
        user: { id: worker.user.id, name: worker.user.displayName },
      }),
    );
  });

  it.each([
    ['another person', () => worker],
    ['another connection of the same person', () => leader],
  ])(
    "a client cannot take over another connection's awareness client id (%s)",
    async (_who, intruderOf) => {
      const observer = await connect(worker);
      const owner = await connect(leader);
      const intruder = await connect(intruderOf());
      owner.awareness.setLocalState({ editing: 'A' });
      const ownerId = owner.doc.clientID;
      const ownerState = {
        editing: 'A',
        user: { id: leader.user.id, name: leader.user.displayName },
      };
      await waitFor(() => expect(observer.awareness.getStates().get(ownerId)).toEqual(ownerState));

      // The intruder overwrites the owner's client id (with a far higher clock), then removes it;
      // after each, a state of its own that the observer must receive after the attempt.
      const attempts: [string, unknown][] = [
        ['overwrite', { editing: 'B', user: { name: 'Leader' } }],
        ['remove', null],
      ];
      for (const [round, [, state]] of attempts.entries()) {
        intruder.send(awarenessFrame([[ownerId, 1000 + round, state]]));
        intruder.send(awarenessFrame([[intruder.doc.clientID, round + 1, { marker: round }]]));
        await waitFor(() =>
          expect(observer.awareness.getStates().get(intruder.doc.clientID)).toMatchObject({
            marker: round,
          }),
        );
        expect(observer.awareness.getStates().get(ownerId)).toEqual(ownerState);
      }
      // A late joiner is told the owner's state, not the intruder's.
      const late = await connect(worker);
      await waitFor(() => expect(late.awareness.getStates().get(ownerId)).toEqual(ownerState));

      // The owner leaving removes it.
      await owner.close();
      await waitFor(() => expect(observer.awareness.getStates().has(ownerId)).toBe(false));
    },
  );
});
