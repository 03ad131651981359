/** The built-in texts of one language. `{time}` marks where a duration goes. */
export interface Messages {
  /** Text direction of the language. */
  dir: 'ltr' | 'rtl';
  /** Dialog heading. en: "You’re about to be signed out" */
  heading: string;
  /** Sentence with {time} where the remaining time goes. en: "For your security, we will sign you out in {time}." */
  message: string;
  /** Used instead of `message` when an absolute session end comes first (keepalive cannot move it). en: "Your session will end in {time}. Save your work now." */
  ending: string;
  /** Primary button. en: "Stay signed in" */
  stay: string;
  /** Secondary button. en: "Sign out" */
  signOut: string;
  /** Shown (and announced) when "Stay signed in" failed. en: "We could not keep you signed in. Check your connection and try again." */
  error: string;
  /** Announced when the session ended and the page stays. en: "You have been signed out." */
  signedOut: string;
  /** SC 2.2.6 notice of the idle limit, {time} = the limit. en: "For your security, you will be signed out after {time} of inactivity." */
  notice: string;
  /** Announced (politely) when a draft was put back into the page's fields after signing in again. en: "Your unsaved changes were restored." */
  restored: string;
}
