import type { Messages } from './types.js';

// No past participle that would agree with the person ("déconnecté(e)"):
// the texts speak of the session instead.
export default {
  dir: 'ltr',
  heading: 'Votre session va bientôt expirer',
  message: 'Pour votre sécurité, nous vous déconnecterons dans {time}.',
  ending: 'Votre session prendra fin dans {time}. Enregistrez votre travail maintenant.',
  stay: 'Rester connecté',
  signOut: 'Se déconnecter',
  error: 'Nous n’avons pas pu prolonger votre session. Vérifiez votre connexion et réessayez.',
  signedOut: 'Votre session a été fermée.',
  notice: 'Pour votre sécurité, votre session sera fermée après {time} d’inactivité.',
  restored: 'Vos modifications non enregistrées ont été restaurées.',
} satisfies Messages;
