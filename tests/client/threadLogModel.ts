import type { MessageView, ReactionSummary, ThreadEvent, UserRef } from '@parley/client';

/** What someone tries to do to a thread; the model refuses what the server would (someone else's edit, a deleted target...). */
export type Operation =
  | { op: 'send'; author: number; replyTo: number | null }
  | { op: 'edit'; actor: number; target: number; body: string }
  | { op: 'delete'; actor: number; target: number }
  | { op: 'react'; actor: number; target: number; emoji: string; on: boolean };

interface ModelMessage {
  view: MessageView;
  /** (user id, emoji) in the order reacted. */
  reactions: Array<{ user: UserRef; emoji: string }>;
}

/**
 * A reference server for one thread, as simple as possible: it turns operations into the thread's log
 * and can say what message.list would return at any seq. The property test checks ThreadTimeline
 * against it; it is not the server's code, so a shared mistake would have to be made twice.
 */
export class ThreadLogModel {
  readonly events: ThreadEvent[] = [];
  readonly #users: UserRef[];

  constructor(users: UserRef[]) {
    this.#users = users;
  }

  static run(users: UserRef[], operations: Operation[]): ThreadLogModel {
    const model = new ThreadLogModel(users);
    for (const operation of operations) model.#apply(operation);
    return model;
  }

  /** message.list at seq k for `viewer`: the newest `limit` messages in their state at k. */
  pageAt(k: number, viewer: UserRef, limit: number): { messages: MessageView[]; prevCursor: number | null; asOfSeq: number } {
    const messages = new Map<string, ModelMessage>();
    for (const event of this.events.filter((e) => e.seq <= k)) applyToModel(messages, event);
    const views = [...messages.values()].map((m) => currentView(m, messages, viewer)).slice(-limit);
    const oldest = views[0];
    return { messages: views, prevCursor: oldest && oldest.seq > 1 ? oldest.seq : null, asOfSeq: k };
  }

  #apply(operation: Operation): void {
    const messages = new Map<string, ModelMessage>();
    for (const event of this.events) applyToModel(messages, event);
    const list = [...messages.values()];
    const seq = this.events.length + 1;
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
    const base = { threadId: 't', seq, at };
    if (operation.op === 'send') {
      const author = this.#users[operation.author % this.#users.length]!;
      const parent = operation.replyTo === null || list.length === 0 ? null : list[operation.replyTo % list.length]!;
      if (parent?.view.deletedAt) return;
      const view: MessageView = {
        id: `m${seq}`,
        threadId: 't',
        seq,
        author,
        body: `said at ${seq}`,
        clientId: null,
        createdAt: at,
        editedAt: null,
        deletedAt: null,
        replyTo: parent && {
          id: parent.view.id,
          seq: parent.view.seq,
          author: parent.view.author,
          snippet: parent.view.body,
          editedAt: parent.view.editedAt,
          deletedAt: null,
        },
        mentions: [],
        reactions: [],
        attachments: [],
      };
      this.events.push({ ...base, kind: 'message', messageId: view.id, actor: author, message: view });
      return;
    }
    const target = list[operation.target % Math.max(1, list.length)];
    const actor = this.#users[operation.actor % this.#users.length]!;
    if (!target || target.view.deletedAt) return;
    const common = { ...base, messageId: target.view.id, actor };
    if (operation.op === 'edit') {
      if (target.view.author.id !== actor.id || target.view.body === operation.body) return;
      this.events.push({ ...common, kind: 'edit', body: operation.body, mentions: [] });
    } else if (operation.op === 'delete') {
      if (target.view.author.id !== actor.id) return;
      this.events.push({ ...common, kind: 'delete' });
    } else {
      const has = target.reactions.some((r) => r.user.id === actor.id && r.emoji === operation.emoji);
      if (has === operation.on) return;
      this.events.push({ ...common, kind: 'reaction', emoji: operation.emoji, on: operation.on });
    }
  }
}

function applyToModel(messages: Map<string, ModelMessage>, event: ThreadEvent): void {
  if (event.kind === 'message') {
    messages.set(event.messageId, { view: event.message, reactions: [] });
    return;
  }
  const message = messages.get(event.messageId)!;
  if (event.kind === 'edit') message.view = { ...message.view, body: event.body ?? '', editedAt: event.at, mentions: event.mentions };
  else if (event.kind === 'delete') {
    message.view = { ...message.view, body: '', deletedAt: event.at, mentions: [] };
    message.reactions = [];
  } else if (event.on) message.reactions.push({ user: event.actor, emoji: event.emoji });
  else message.reactions = message.reactions.filter((r) => !(r.user.id === event.actor.id && r.emoji === event.emoji));
}

function currentView(message: ModelMessage, all: Map<string, ModelMessage>, viewer: UserRef): MessageView {
  const reactions: ReactionSummary[] = [];
  for (const { user, emoji } of message.reactions) {
    let entry = reactions.find((r) => r.emoji === emoji);
    if (!entry) reactions.push((entry = { emoji, count: 0, mine: false, users: [] }));
    entry.count++;
    entry.users.push(user);
    entry.mine ||= user.id === viewer.id;
  }
  const parent = message.view.replyTo && all.get(message.view.replyTo.id)?.view;
  const replyTo = parent ? { ...message.view.replyTo!, snippet: parent.body, editedAt: parent.editedAt, deletedAt: parent.deletedAt } : null;
  return { ...message.view, reactions, replyTo };
}
