import { describe, expect, it } from 'vitest';
import { isAnyoneElseOnline, onlineMemberCount } from './memberPresence.ts';

const me = { id: 'me', username: 'carol' };
const member = (id: string) => ({ id, username: id, lastReadSeq: 0 });
const group = { members: [member('me'), member('dave'), member('erin'), member('finn')] };
const notes = { members: [member('me')] };
const onlineAre =
  (...ids: string[]) =>
  (userId: string) =>
    ids.includes(userId);

describe('onlineMemberCount', () => {
  it('counts me as online along with the others who are', () => {
    expect(onlineMemberCount(group, me, onlineAre('dave', 'finn'))).toBe(3);
    expect(onlineMemberCount(group, me, onlineAre())).toBe(1);
  });

  it('counts me once, whatever presence says of me', () => {
    expect(onlineMemberCount(group, me, onlineAre('me', 'erin'))).toBe(2);
    expect(onlineMemberCount(notes, me, onlineAre())).toBe(1);
  });
});

describe('isAnyoneElseOnline', () => {
  it('is true when at least one other member is online', () => {
    expect(isAnyoneElseOnline(group, me, onlineAre('erin'))).toBe(true);
    expect(isAnyoneElseOnline(group, me, onlineAre())).toBe(false);
  });

  it('does not count me', () => {
    expect(isAnyoneElseOnline(group, me, onlineAre('me'))).toBe(false);
    expect(isAnyoneElseOnline(notes, me, onlineAre('me'))).toBe(false);
  });
});
