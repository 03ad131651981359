import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'Su sesión está a punto de cerrarse',
  message: 'Por su seguridad, cerraremos su sesión en {time}.',
  ending: 'Su sesión terminará en {time}. Guarde su trabajo ahora.',
  stay: 'Mantener la sesión',
  signOut: 'Cerrar sesión',
  error: 'No hemos podido mantener su sesión. Compruebe su conexión e inténtelo de nuevo.',
  signedOut: 'Se ha cerrado su sesión.',
  notice: 'Por su seguridad, cerraremos su sesión tras {time} de inactividad.',
  restored: 'Se han restaurado sus cambios sin guardar.',
} satisfies Messages;
