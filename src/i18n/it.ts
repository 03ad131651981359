import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'La sessione sta per scadere',
  message: 'Per motivi di sicurezza, la sessione verrà chiusa tra {time}.',
  ending: 'La sessione terminerà tra {time}. Salvare subito il lavoro.',
  stay: 'Prolunga la sessione',
  signOut: 'Esci',
  error: 'Non è stato possibile prolungare la sessione. Controllare la connessione e riprovare.',
  signedOut: 'La sessione è stata chiusa.',
  notice: 'Per motivi di sicurezza, la sessione verrà chiusa dopo {time} di inattività.',
  restored: 'Le modifiche non salvate sono state ripristinate.',
} satisfies Messages;
