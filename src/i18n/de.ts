import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'Sie werden gleich abgemeldet',
  message: 'Zu Ihrer Sicherheit melden wir Sie in {time} ab.',
  ending: 'Ihre Sitzung endet in {time}. Speichern Sie jetzt Ihre Arbeit.',
  stay: 'Angemeldet bleiben',
  signOut: 'Abmelden',
  error: 'Wir konnten Sie nicht angemeldet lassen. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  signedOut: 'Sie wurden abgemeldet.',
  notice: 'Zu Ihrer Sicherheit werden Sie nach {time} ohne Aktivität abgemeldet.',
  restored: 'Ihre nicht gespeicherten Änderungen wurden wiederhergestellt.',
} satisfies Messages;
