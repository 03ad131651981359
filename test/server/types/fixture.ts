// Uses every export of server/session-timeout.d.ts the way an Express app
// would; `tsc --noEmit` (test/server/types.test.js) fails when a type no
// longer fits. Never run, only type-checked. Lines marked @ts-expect-error
// must stay errors: they prove the types reject misuse.

import express from 'express';
import session from 'express-session';
import defaultExport, {
  SESSION_KEY,
  errorHandler,
  normalizeOptions,
  redisClientOptions,
  sessionTimeout,
  signIn,
  signOut,
  verifyCsrf,
  type CsrfOptions,
  type DraftOptions,
  type ExpiredBody,
  type NormalizedOptions,
  type RequestInfo,
  type ResolvedLimits,
  type SessionLimits,
  type SessionRequest,
  type SessionResponse,
  type SessionSnapshot,
  type SessionTimeoutMiddleware,
  type SessionTimeoutOptions,
  type SessionTimeoutState,
  type StatusBody,
} from '../../../server/session-timeout.js';

const key: 'sessionTimeout' = SESSION_KEY;
const csrf: CsrfOptions = { cookie: 'csrftoken', header: 'x-csrftoken', field: '_csrf' };
const drafts: DraftOptions = { secret: 'x'.repeat(32), userId: (sess) => sess.user?.id };
const limits: SessionLimits = { timeoutSeconds: 300 };
const options: SessionTimeoutOptions = {
  idleSeconds: 780,
  timeoutSeconds: 900,
  expireSeconds: null,
  gracePeriodSeconds: 0,
  statusPath: '/session/status',
  keepalivePath: '/session/keepalive',
  passivePaths: ['/events'],
  isSignedIn: (req) => Boolean(req.session?.user),
  now: Date.now,
  limits: (req) => (req.session?.admin ? limits : null),
  allowGetKeepalive: false,
  csrf,
  drafts,
};
// @ts-expect-error idleSeconds is a number of seconds
sessionTimeout({ idleSeconds: '780' });

const normalized: NormalizedOptions = normalizeOptions(options);
const keyFor: ((sess: unknown) => string | undefined) | undefined = normalized.drafts?.keyFor;
const st: SessionTimeoutMiddleware = sessionTimeout(options);
const same: SessionTimeoutMiddleware = defaultExport();

const app = express();
// guardStore() hands back the store it was given, with its own type.
const store: session.MemoryStore = st.guardStore(new session.MemoryStore());
app.use(session({ secret: 's', store, resave: false, saveUninitialized: false }));
app.use(st);
app.post('/login', async (req, res) => {
  const token: string = await signIn(req as SessionRequest, { id: 'ann' });
  const viaInstance: string = await st.signIn(req as SessionRequest, { id: 'ann' });
  res.json({ token, viaInstance });
});
app.post('/logout', async (req, res) => {
  await signOut(req as SessionRequest);
  await st.signOut(req as SessionRequest);
  res.json({ ok: verifyCsrf(req as SessionRequest) && st.verifyCsrf(req as SessionRequest) });
});
app.use(errorHandler({ log: (err: unknown, req: SessionRequest) => console.error(req.url, err) }));

const state: SessionTimeoutState = { startedAt: 0, lastActivity: 0, csrf: 't' };
const resolved: ResolvedLimits = st.limitsFor({ session: {} });
const body: StatusBody = st.describe(state, 1000, { limits: resolved, idleMsOverride: 0 });
const prior: number | undefined = body.priorIdleTime;
const draftKey: string | undefined = body.draftKey;
const expired: ExpiredBody = { status: 'EXPIRED' };
const snap: SessionSnapshot = st.snapshot({}, 0);
const over: boolean = st.isOver({}, 0);
const info: RequestInfo | undefined = ({} as SessionRequest).sessionTimeout;
const response: SessionResponse | undefined = ({} as SessionRequest).res;

const redis = redisClientOptions({ url: 'redis://127.0.0.1:6379', socket: { keepAlive: true } });
const url: string = redis.url;
const offline: boolean = redis.disableOfflineQueue;
const timeout: number = redis.commandOptions.timeout;

export const used = [key, same, keyFor, body, prior, draftKey, expired, snap, over, info, response, url, offline, timeout, st.options.drafts];
