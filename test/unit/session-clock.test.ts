import { expect } from '@open-wc/testing';
import { backoff, deadlines, phaseAt, remainingSeconds, type SessionFacts } from '../../src/core/session-clock.js';

const T = 1_000_000_000;
const limits = { idle: 300_000, timeout: 360_000 };

function facts(over: Partial<SessionFacts> = {}): SessionFacts {
  return { localActivityAt: T, serverActivityAt: -Infinity, serverSeenAt: T, absoluteEndAt: Infinity, ...over };
}

describe('session-clock: deadlines', () => {
  it('counts idle and timeout from the local activity when the server saw nothing newer', () => {
    const d = deadlines(facts({ localActivityAt: T + 5_000 }), limits);
    expect(d.personAt).to.equal(T + 5_000);
    expect(d.warnAt).to.equal(T + 305_000);
    expect(d.expireAt).to.equal(T + 365_000);
    expect(d.absolute).to.equal(false);
  });

  it('counts from the server activity when it is newer than the local one', () => {
    const d = deadlines(facts({ localActivityAt: T, serverActivityAt: T + 42_000 }), limits);
    expect(d.personAt).to.equal(T + 42_000);
    expect(d.warnAt).to.equal(T + 342_000);
    expect(d.expireAt).to.equal(T + 402_000);
  });

  it('ends at the absolute end when it comes before the idle end, with the same warning lead', () => {
    const d = deadlines(facts({ absoluteEndAt: T + 200_000 }), limits);
    expect(d.absolute).to.equal(true);
    expect(d.expireAt).to.equal(T + 200_000);
    expect(d.warnAt).to.equal(T + 140_000);
  });

  it('ignores an absolute end later than the idle end', () => {
    const d = deadlines(facts({ absoluteEndAt: T + 10_000_000 }), limits);
    expect(d.absolute).to.equal(false);
    expect(d.expireAt).to.equal(T + 360_000);
    expect(d.warnAt).to.equal(T + 300_000);
  });

  it('plans no keepalive when the server has seen the latest activity', () => {
    expect(deadlines(facts({ localActivityAt: T, serverSeenAt: T }), limits).keepaliveAt).to.equal(Infinity);
    expect(deadlines(facts({ localActivityAt: T, serverSeenAt: T + 1 }), limits).keepaliveAt).to.equal(Infinity);
  });

  it('plans a keepalive when the server idle clock reaches idle, if local activity is newer than what the server saw', () => {
    const d = deadlines(facts({ localActivityAt: T + 100_000, serverSeenAt: T + 20_000 }), limits);
    expect(d.keepaliveAt).to.equal(T + 320_000);
    // The server's own deadline after that keepalive is never before ours.
    expect(d.keepaliveAt + limits.timeout).to.be.at.least(d.expireAt);
  });

  it('still keeps the server alive until an absolute end that its idle clock would reach first', () => {
    // The person works; the server last saw a request at T; the absolute end
    // (T + 500 s) is after the server's idle end (T + 360 s).
    const d = deadlines(facts({ localActivityAt: T + 290_000, serverSeenAt: T, absoluteEndAt: T + 500_000 }), limits);
    expect(d.absolute).to.equal(true);
    expect(d.expireAt).to.equal(T + 500_000);
    expect(d.keepaliveAt).to.equal(T + 300_000);
  });

  it('plans no keepalive when the server idle end is already past the absolute end', () => {
    const d = deadlines(facts({ localActivityAt: T + 10_000, serverSeenAt: T, absoluteEndAt: T + 200_000 }), limits);
    expect(d.keepaliveAt).to.equal(Infinity);
  });
});

describe('session-clock: phase and remaining', () => {
  const d = deadlines(facts(), limits);

  it('is active before warnAt, warning from warnAt, expired from expireAt', () => {
    expect(phaseAt(d, T)).to.equal('active');
    expect(phaseAt(d, T + 299_999)).to.equal('active');
    expect(phaseAt(d, T + 300_000)).to.equal('warning');
    expect(phaseAt(d, T + 359_999)).to.equal('warning');
    expect(phaseAt(d, T + 360_000)).to.equal('expired');
    expect(phaseAt(d, T + 9e9)).to.equal('expired');
  });

  it('gives whole seconds left, rounded up, never negative', () => {
    expect(remainingSeconds(T + 60_000, T)).to.equal(60);
    expect(remainingSeconds(T + 60_000, T + 1)).to.equal(60);
    expect(remainingSeconds(T + 60_000, T + 999)).to.equal(60);
    expect(remainingSeconds(T + 60_000, T + 1_000)).to.equal(59);
    expect(remainingSeconds(T + 60_000, T + 59_999)).to.equal(1);
    expect(remainingSeconds(T + 60_000, T + 60_000)).to.equal(0);
    expect(remainingSeconds(T + 60_000, T + 600_000)).to.equal(0);
  });
});

describe('session-clock: backoff', () => {
  it('doubles per attempt with jitter between half and the whole base', () => {
    expect(backoff(0, 0)).to.equal(500);
    expect(backoff(0, 0.999)).to.be.closeTo(1000, 1);
    expect(backoff(1, 0)).to.equal(1000);
    expect(backoff(2, 0.5)).to.equal(3000);
    expect(backoff(3, 0)).to.equal(4000);
  });

  it('is capped at 60 s', () => {
    expect(backoff(10, 0.999)).to.be.at.most(60_000);
    expect(backoff(100, 0)).to.equal(30_000);
    expect(backoff(1e6, 0.5)).to.equal(45_000);
  });

  it('waits at least the Retry-After the server asked for', () => {
    expect(backoff(0, 0.5, 120_000)).to.equal(120_000);
    expect(backoff(5, 0.5, 100)).to.equal(24_000);
  });
});
