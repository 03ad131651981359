import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'Du loggas snart ut',
  message: 'Av säkerhetsskäl loggar vi ut dig om {time}.',
  ending: 'Din session avslutas om {time}. Spara ditt arbete nu.',
  stay: 'Förbli inloggad',
  signOut: 'Logga ut',
  error: 'Vi kunde inte hålla dig inloggad. Kontrollera din anslutning och försök igen.',
  signedOut: 'Du har loggats ut.',
  notice: 'Av säkerhetsskäl loggas du ut efter {time} utan aktivitet.',
  restored: 'Dina osparade ändringar har återställts.',
} satisfies Messages;
