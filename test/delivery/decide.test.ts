/** The delivery rule (subgraphs/benefits/delivery/decide.ts): which channels a message still has to go out by. */
import { describe, expect, it } from 'vitest';
import { deliveriesDue, type MessageState } from '../../subgraphs/benefits/delivery/decide.ts';

const message = (over: Partial<MessageState> = {}): MessageState => ({ receivedOn: '2026-12-01', read: false, signed: true, postedOn: null, emailedOn: null, afterChoice: true, ...over });
const everywhere = { address: true, email: true };

describe('deliveriesDue', () => {
  it('portal only: nothing until the message has been unread for 14 days, then a letter', () => {
    expect(deliveriesDue(message(), 'portal', everywhere, '2026-12-14')).toEqual([]);
    expect(deliveriesDue(message(), 'portal', everywhere, '2026-12-15')).toEqual([{ channel: 'post', reason: 'unread' }]);
    expect(deliveriesDue(message({ read: true }), 'portal', everywhere, '2027-01-30')).toEqual([]);
  });

  it('letters: every message written after the choice, once', () => {
    expect(deliveriesDue(message(), 'post', everywhere, '2026-12-01')).toEqual([{ channel: 'post', reason: 'preference' }]);
    expect(deliveriesDue(message({ postedOn: '2026-12-01' }), 'post', everywhere, '2026-12-20')).toEqual([]);
    // Older messages are not posted because the person chose letters today, only when they go unread.
    expect(deliveriesDue(message({ afterChoice: false, read: true }), 'post', everywhere, '2026-12-02')).toEqual([]);
  });

  it('e-mail: once; then a letter too if still unread after 14 days; a letter instead without an address', () => {
    expect(deliveriesDue(message(), 'email', everywhere, '2026-12-01')).toEqual([{ channel: 'email' }]);
    expect(deliveriesDue(message({ emailedOn: '2026-12-01' }), 'email', everywhere, '2026-12-10')).toEqual([]);
    expect(deliveriesDue(message({ emailedOn: '2026-12-01' }), 'email', everywhere, '2026-12-15')).toEqual([{ channel: 'post', reason: 'unread' }]);
    expect(deliveriesDue(message(), 'email', { address: true, email: false }, '2026-12-01')).toEqual([{ channel: 'post', reason: 'no-email' }]);
    // An address removed after the e-mail went: that message reached the person already.
    expect(deliveriesDue(message({ emailedOn: '2026-12-01' }), 'email', { address: true, email: false }, '2026-12-02')).toEqual([]);
  });

  it('nothing unsigned, and no letter without an address', () => {
    expect(deliveriesDue(message({ signed: false }), 'post', everywhere, '2026-12-30')).toEqual([]);
    expect(deliveriesDue(message(), 'post', { address: false, email: true }, '2026-12-30')).toEqual([]);
  });
});
