import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'Vous allez être déconnecté',
  message: 'Pour votre sécurité, nous vous déconnecterons dans {time}.',
  ending: 'Votre session prendra fin dans {time}. Enregistrez votre travail maintenant.',
  stay: 'Rester connecté',
  signOut: 'Se déconnecter',
  error: 'Nous n’avons pas pu prolonger votre session. Vérifiez votre connexion et réessayez.',
  signedOut: 'Vous avez été déconnecté.',
  notice: 'Pour votre sécurité, vous serez déconnecté après {time} d’inactivité.',
} satisfies Messages;
