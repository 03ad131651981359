import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'You’re about to be signed out',
  message: 'For your security, we will sign you out in {time}.',
  ending: 'Your session will end in {time}. Save your work now.',
  stay: 'Stay signed in',
  signOut: 'Sign out',
  error: 'We could not keep you signed in. Check your connection and try again.',
  signedOut: 'You have been signed out.',
  notice: 'For your security, you will be signed out after {time} of inactivity.',
  restored: 'Your unsaved changes were restored.',
} satisfies Messages;
